//! Money as integer cents; prices typed in yuan are parsed exactly, never through floats.

/// Parses a yuan amount such as `129`, `129.5`, `129.00` or `¥1,299.90` into cents.
pub fn parse_yuan(raw: &str) -> Result<i64, String> {
    let v: String = raw
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let bad = || format!("`{raw}` is not an amount in yuan (e.g. 129.00)");
    let (whole, frac) = v.split_once('.').unwrap_or((&v, ""));
    if whole.is_empty() || whole.len() > 12 || !whole.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let yuan: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(yuan * 100 + cents)
}

/// `12900` → `129.00`.
pub fn format_yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{sign}{}.{:02}", c / 100, c % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_parse_exactly() {
        assert_eq!(parse_yuan("129"), Ok(12900));
        assert_eq!(parse_yuan("129.5"), Ok(12950));
        assert_eq!(parse_yuan("¥1,299.90"), Ok(129990));
        assert_eq!(parse_yuan("0.07"), Ok(7));
        assert!(parse_yuan("12.345").is_err());
        assert!(parse_yuan("-1").is_err());
        assert!(parse_yuan("abc").is_err());
        assert!(parse_yuan("").is_err());
        assert_eq!(format_yuan(12900), "129.00");
        assert_eq!(format_yuan(7), "0.07");
    }
}
