//! Reading shops' order exports: JSON Lines (one order per line) and CSV (one row per
//! order line), UTF-8 or GBK, into orders, with every rejected row named by its line and
//! field. Pure parsing, no storage: `kesu import orders` writes what comes out, and the
//! fuzz targets feed it garbage.

pub mod csv_orders;
pub mod email;
pub mod jsonl;
pub mod sheet;

use anyhow::bail;
use kesu_domain::order::Order;

/// A rejected row: where, which field, what is wrong.
pub struct RowError {
    pub line: usize,
    pub order_no: Option<String>,
    pub field: String,
    pub message: String,
}

/// Orders read from a file, each with the line it starts on, and the rows rejected.
pub struct Parsed {
    pub orders: Vec<(usize, Order)>,
    pub errors: Vec<RowError>,
}

/// UTF-8 (with or without a byte-order mark) or GBK, as Chinese platforms often export.
/// UTF-8 is taken over without a copy: a large export is held in memory once.
pub fn decode(mut bytes: Vec<u8>) -> anyhow::Result<(String, &'static str)> {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, "UTF-8")),
        Err(e) => match encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(e.as_bytes()) {
            Some(text) => Ok((text.into_owned(), "GBK")),
            None => bail!("the file is neither UTF-8 nor GBK text: export it again as UTF-8 (or GBK) and retry"),
        },
    }
}

/// Maps the domain's field errors for an order starting at `line` to row errors.
pub fn field_errors(
    line: usize,
    order_no: &str,
    errors: Vec<kesu_domain::FieldError>,
) -> Vec<RowError> {
    errors
        .into_iter()
        .map(|e| RowError {
            line,
            order_no: Some(order_no.to_owned()),
            field: e.field,
            message: e.message,
        })
        .collect()
}
