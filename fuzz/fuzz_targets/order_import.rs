//! `kesu import orders`: a CSV or JSON Lines export as any bytes (UTF-8, GBK or neither).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((text, _)) = kesu_import::decode(data.to_vec()) else {
        return;
    };
    let lines: Vec<(usize, &str)> = text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
    let _ = kesu_import::jsonl::parse_lines(&lines);
    let _ = kesu_import::csv_orders::parse(&text);
});
