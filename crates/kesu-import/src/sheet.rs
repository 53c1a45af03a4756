//! A sheet of rows from a CSV file (UTF-8 or GBK) or the first worksheet of an Excel
//! workbook (.xlsx), every cell as text: what product sheets come as.

use std::io::Cursor;

use anyhow::{bail, Context};
use calamine::{Data, Reader, Xlsx};

/// The most rows a sheet may have (a shop's whole catalogue fits many times over).
pub const MAX_ROWS: usize = 100_000;

/// The rows of the sheet in `bytes`; `name` (the file's name) tells an Excel workbook from
/// CSV, as does the ZIP signature every .xlsx starts with.
pub fn read_sheet(name: &str, bytes: Vec<u8>) -> anyhow::Result<Vec<Vec<String>>> {
    let lower = name.to_lowercase();
    let rows = if bytes.starts_with(b"PK\x03\x04") || lower.ends_with(".xlsx") {
        read_xlsx(bytes)?
    } else if lower.ends_with(".xls") {
        bail!("old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV and retry")
    } else {
        read_csv(bytes)?
    };
    if rows.len() > MAX_ROWS + 1 {
        bail!("the sheet has more than {MAX_ROWS} rows: split it and import the parts");
    }
    Ok(rows)
}

fn read_csv(bytes: Vec<u8>) -> anyhow::Result<Vec<Vec<String>>> {
    let (text, _) = crate::decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("line {} of the CSV file", i + 1))?;
        rows.push(record.iter().map(str::to_owned).collect());
        if rows.len() > MAX_ROWS + 1 {
            break;
        }
    }
    Ok(rows)
}

fn read_xlsx(bytes: Vec<u8>) -> anyhow::Result<Vec<Vec<String>>> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).context("the file is not an Excel workbook (.xlsx)")?;
    let Some(first) = book.sheet_names().first().cloned() else {
        bail!("the workbook has no worksheet");
    };
    let range = book
        .worksheet_range(&first)
        .with_context(|| format!("the worksheet `{first}` could not be read"))?;
    Ok(range
        .rows()
        .take(MAX_ROWS + 2)
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        // Whole numbers (SKUs typed as numbers) without a trailing ".0".
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gbk_csv_is_read_as_rows() {
        let (gbk, _, _) = encoding_rs::GBK.encode("货号,材质\nTEE-L,纯棉\n");
        let rows = read_sheet("商品.csv", gbk.into_owned()).unwrap();
        assert_eq!(rows, vec![vec!["货号", "材质"], vec!["TEE-L", "纯棉"]]);
    }

    #[test]
    fn a_file_that_is_no_workbook_is_refused_with_a_reason() {
        let e = read_sheet("x.xlsx", b"PK\x03\x04garbage".to_vec()).unwrap_err();
        assert!(format!("{e:#}").contains("Excel"), "{e:#}");
        assert!(read_sheet("x.xls", vec![1, 2, 3]).is_err());
    }
}
