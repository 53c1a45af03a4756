//! Addresses that keep missing (wrong passwords, customer links that do not exist) spend a
//! budget; once it is spent they wait, whatever they send, until it refills. Hits cost
//! nothing, so an honest script or customer is never held up. In memory, per server.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Most addresses remembered as throttled (the map is emptied when full).
const MAX_THROTTLED: usize = 100_000;

#[derive(Clone)]
pub struct MissLimiter {
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses that spent their budget, until when.
    throttled: Arc<Mutex<HashMap<IpAddr, Instant>>>,
}

impl MissLimiter {
    /// A burst of `burst` misses, then one every `every`.
    pub fn new(burst: u32, every: Duration) -> MissLimiter {
        let quota = Quota::with_period(every)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        MissLimiter {
            per_address: Arc::new(RateLimiter::keyed(quota)),
            throttled: Default::default(),
        }
    }

    /// How long `ip` must still wait, if it spent its budget.
    pub fn blocked(&self, ip: IpAddr) -> Option<Duration> {
        let map = self.throttled.lock().ok()?;
        let until = *map.get(&ip)?;
        until.checked_duration_since(Instant::now())
    }

    /// Counts a miss from `ip`; answers the wait when this one spent the budget.
    pub fn miss(&self, ip: IpAddr) -> Option<Duration> {
        let clock = governor::clock::DefaultClock::default();
        let not_until = self.per_address.check_key(&ip).err()?;
        let wait = not_until.wait_time_from(governor::clock::Clock::now(&clock));
        if let Ok(mut map) = self.throttled.lock() {
            if map.len() >= MAX_THROTTLED {
                map.clear();
            }
            map.insert(ip, Instant::now() + wait);
        }
        Some(wait)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_once_it_spent_its_misses_and_others_do_not() {
        let limiter = MissLimiter::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert_eq!(limiter.miss(a), None);
        assert_eq!(limiter.miss(a), None);
        assert_eq!(limiter.miss(a), None);
        assert!(limiter.blocked(a).is_none());
        assert!(limiter.miss(a).is_some());
        assert!(limiter.blocked(a).is_some());
        assert!(limiter.blocked(b).is_none());
    }
}
