//! How many pushes a shop's platform source may send this server each second. A flood (a
//! platform replaying a backlog, a misbehaving site) is answered 429 with `Retry-After`, which
//! the sender retries: nothing is lost, and one shop cannot take the desk's capacity from the
//! others. Counted per server; a limit of 0 turns it off.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Pushes a second a shop may send by default, with twice as many at once.
pub const DEFAULT_PER_SECOND: u32 = 200;

#[derive(Clone)]
pub struct PushLimits {
    per_shop: Option<Arc<DefaultKeyedRateLimiter<String>>>,
}

impl Default for PushLimits {
    fn default() -> Self {
        PushLimits::per_second(DEFAULT_PER_SECOND)
    }
}

impl PushLimits {
    /// `per_second` pushes a second for each source, bursts of twice that; 0: no limit.
    pub fn per_second(per_second: u32) -> PushLimits {
        let per_shop = NonZeroU32::new(per_second).map(|n| {
            let burst = n.saturating_mul(NonZeroU32::MIN.saturating_add(1));
            Arc::new(RateLimiter::keyed(Quota::per_second(n).allow_burst(burst)))
        });
        PushLimits { per_shop }
    }

    /// Takes one push of `source` (`site:旗舰店`), or says when to try again.
    pub fn take(&self, source: String) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_shop else {
            return Ok(());
        };
        // Sources are few (a shop per platform); the map is kept small anyway.
        if limiter.len() > 10_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&source).map_err(|not_until| {
            let wait: Duration = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                detail: "this shop's source is sending faster than kesu takes; send again after Retry-After (nothing of this push was stored)".into(),
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_from_one_shop_is_held_back_and_other_shops_go_on() {
        let limits = PushLimits::per_second(5);
        let taken = (0..50)
            .filter(|_| limits.take("site:旗舰店".into()).is_ok())
            .count();
        assert!(
            (10..=12).contains(&taken),
            "a burst of twice the rate: {taken}"
        );
        assert!(limits.take("site:另一家店".into()).is_ok());
        let off = PushLimits::per_second(0);
        assert!((0..1000).all(|_| off.take("site:旗舰店".into()).is_ok()));
    }
}
