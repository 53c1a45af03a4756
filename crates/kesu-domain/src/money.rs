//! Money as integer cents; prices typed in yuan are parsed exactly, never through floats.

use serde::{Deserialize, Serialize};

/// An amount of money in cents (分). Where money enters or leaves the domain (an amount an
/// agent typed, an option's amount, a refund quote) it is `Cents`, so that cents and yuan,
/// or money and quantities, cannot be mixed up; the arithmetic inside works on `get()`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Cents(i64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(cents: i64) -> Cents {
        Cents(cents)
    }

    pub const fn get(self) -> i64 {
        self.0
    }
}

impl From<i64> for Cents {
    fn from(cents: i64) -> Cents {
        Cents(cents)
    }
}

impl std::ops::Add for Cents {
    type Output = Cents;

    fn add(self, other: Cents) -> Cents {
        Cents(self.0 + other.0)
    }
}

impl std::ops::Sub for Cents {
    type Output = Cents;

    fn sub(self, other: Cents) -> Cents {
        Cents(self.0 - other.0)
    }
}

impl std::iter::Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        Cents(iter.map(Cents::get).sum())
    }
}

/// `12900` → `129.00`.
impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_yuan(self.0))
    }
}

/// Parses a yuan amount such as `129`, `129.5`, `129.00` or `¥1,299.90` into cents.
pub fn parse_yuan(raw: &str) -> Result<Cents, String> {
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
    Ok(Cents(yuan * 100 + cents))
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
        assert_eq!(parse_yuan("129"), Ok(Cents::new(12900)));
        assert_eq!(parse_yuan("129.5"), Ok(Cents::new(12950)));
        assert_eq!(parse_yuan("¥1,299.90"), Ok(Cents::new(129990)));
        assert_eq!(parse_yuan("0.07"), Ok(Cents::new(7)));
        assert_eq!(Cents::new(12900).to_string(), "129.00");
        assert_eq!(
            [Cents::new(100), Cents::new(29)].into_iter().sum::<Cents>() - Cents::new(30),
            Cents::new(99)
        );
        assert!(parse_yuan("12.345").is_err());
        assert!(parse_yuan("-1").is_err());
        assert!(parse_yuan("abc").is_err());
        assert!(parse_yuan("").is_err());
        assert_eq!(format_yuan(12900), "129.00");
        assert_eq!(format_yuan(7), "0.07");
    }
}
