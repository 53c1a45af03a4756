//! Spreading an amount over weights by largest remainder.

/// Spreads `amount` over `weights` in proportion: each gets the floor of its exact share,
/// and the cents left over go one each to the largest fractional parts, ties to the one
/// listed first. `None` when `amount` is larger than the weights' total (there is not
/// that much to take from); an amount of 0 spreads as zeros.
pub fn spread(amount: i64, weights: &[i64]) -> Option<Vec<i64>> {
    let total: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if amount == 0 {
        return Some(vec![0; weights.len()]);
    }
    if i128::from(amount) > total || amount < 0 {
        return None;
    }
    let amount = i128::from(amount);
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = amount * i128::from(w);
        shares.push((exact / total) as i64);
        remainders.push((exact % total, i));
    }
    let given: i64 = shares.iter().sum();
    let left = (amount as i64 - given) as usize;
    // Same denominator for every share: comparing remainders compares fractional parts.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left) {
        shares[i] += 1;
    }
    Some(shares)
}

#[cfg(test)]
mod tests {
    use super::spread;
    use proptest::prelude::*;

    #[test]
    fn leftover_cents_go_to_the_largest_fractions_first() {
        // 100 over 100:100:100 → 33.33 each; the single cent left goes to the first.
        assert_eq!(spread(100, &[100, 100, 100]), Some(vec![34, 33, 33]));
        // 10 over 10:20 → 3.33 / 6.67: the cent goes to the larger fraction.
        assert_eq!(spread(10, &[10, 20]), Some(vec![3, 7]));
        assert_eq!(spread(0, &[0, 0]), Some(vec![0, 0]));
        assert_eq!(spread(5, &[0, 0]), None);
        assert_eq!(spread(7, &[3, 3]), None);
    }

    proptest! {
        #[test]
        fn shares_add_up_and_never_exceed_their_weight(
            weights in prop::collection::vec(0i64..5_000_000, 1..12),
            fraction in 0.0f64..=1.0,
        ) {
            let total: i64 = weights.iter().sum();
            let amount = (total as f64 * fraction) as i64;
            let shares = spread(amount, &weights).unwrap();
            prop_assert_eq!(shares.iter().sum::<i64>(), amount);
            for (s, w) in shares.iter().zip(&weights) {
                prop_assert!(*s >= 0 && s <= w);
            }
        }
    }
}
