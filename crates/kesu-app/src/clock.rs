//! Where "now" comes from. Deadlines and tests need a clock they can control.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved; for tests.
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> FixedClock {
        FixedClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A clock read from a file holding an RFC 3339 time, so that tests can move the time of a
/// running `kesu serve` (and of several at once). Never for production.
pub struct FileClock(std::path::PathBuf);

impl FileClock {
    pub fn new(path: std::path::PathBuf) -> FileClock {
        FileClock(path)
    }
}

impl Clock for FileClock {
    fn now(&self) -> DateTime<Utc> {
        let read = std::fs::read_to_string(&self.0).ok().and_then(|s| {
            DateTime::parse_from_rfc3339(s.trim())
                .ok()
                .map(|t| t.with_timezone(&Utc))
        });
        read.unwrap_or_else(|| {
            tracing::warn!(path = %self.0.display(), "clock file unreadable; using the system clock");
            Utc::now()
        })
    }
}
