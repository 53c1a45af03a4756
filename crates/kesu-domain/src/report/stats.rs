//! Medians and percentiles, the way a spreadsheet computes them (linear interpolation
//! between closest ranks, as Excel's PERCENTILE.INC and numpy's default), so supervisors
//! can check a figure by hand.

use serde::Serialize;

/// The middle and the 90th percentile of some durations; `None` when there are none.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Spread {
    pub median: Option<f64>,
    pub p90: Option<f64>,
    /// How many values they were computed from.
    pub n: u64,
}

impl Spread {
    /// Computes the spread of `values` (reordered in place), rounded to 0.1.
    pub fn of(values: &mut [f64]) -> Spread {
        Spread {
            median: percentile(values, 50.0).map(round1),
            p90: percentile(values, 90.0).map(round1),
            n: values.len() as u64,
        }
    }
}

/// The `p`-th percentile (0–100) of `values`, reordered in place; `None` when empty.
pub fn percentile(values: &mut [f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let rank = p.clamp(0.0, 100.0) / 100.0 * (values.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let frac = rank - lo as f64;
    // Selection instead of a full sort: a year of a big shop is a million values.
    let (_, lo_value, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let lo_value = *lo_value;
    if frac == 0.0 || above.is_empty() {
        return Some(lo_value);
    }
    let hi_value = above.iter().copied().fold(f64::INFINITY, f64::min);
    Some(lo_value + (hi_value - lo_value) * frac)
}

pub fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// `part / whole` rounded to 4 places; `None` when `whole` is 0.
pub fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn percentiles_interpolate_like_a_spreadsheet() {
        let mut v = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile(&mut v, 50.0), Some(2.5));
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&mut v, 90.0).map(round1), Some(9.1));
        assert_eq!(percentile(&mut [7.0], 90.0), Some(7.0));
        assert_eq!(percentile(&mut [], 50.0), None);
    }

    #[test]
    fn shares_round_and_refuse_division_by_zero() {
        assert_eq!(share(1, 3), Some(0.3333));
        assert_eq!(share(0, 0), None);
    }

    proptest! {
        #[test]
        fn a_percentile_matches_the_sorted_definition(
            mut values in proptest::collection::vec(0.0f64..1e6, 1..200),
            p in 0.0f64..=100.0,
        ) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            let rank = p / 100.0 * (sorted.len() - 1) as f64;
            let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
            let expected = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64);
            let got = percentile(&mut values, p).unwrap();
            prop_assert!((got - expected).abs() < 1e-6, "{got} vs {expected}");
        }
    }
}
