//! How long sign-ins and customer links last, and who must use a second factor: the admin's
//! settings with their defaults, and the rules that read them.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Problem};
use crate::role::Role;

/// The admin's access settings (part of the policy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccessPolicy {
    /// A workbench session unused this long ends (default 120).
    #[serde(default = "default_idle_minutes")]
    pub session_idle_minutes: i64,
    /// A workbench session ends this long after signing in, used or not (default 12).
    #[serde(default = "default_session_hours")]
    pub session_hours: i64,
    /// Roles that must sign in with a second factor (default: admin and supervisor). Until
    /// they set one up, their workbench opens only the page where it is set up.
    #[serde(default = "default_two_factor_roles")]
    pub two_factor_roles: Vec<Role>,
    /// A customer's status link keeps working this long after the case closed (default 90).
    #[serde(default = "default_link_days")]
    pub customer_link_days_after_close: i64,
    /// A closed case untouched this long has its customer's personal data erased
    /// (default 3 years; never less: 电子商务法 Art. 31 has a shop keep the records of a
    /// transaction at least three years after it was completed).
    #[serde(default = "default_retention_days")]
    pub personal_data_retention_days: i64,
}

/// Three years, the legal minimum for keeping the records of a transaction (电子商务法
/// Art. 31), and the default.
pub const MIN_RETENTION_DAYS: i64 = 3 * 365 + 1;

fn default_idle_minutes() -> i64 {
    120
}
fn default_session_hours() -> i64 {
    12
}
fn default_two_factor_roles() -> Vec<Role> {
    vec![Role::Admin, Role::Supervisor]
}
fn default_link_days() -> i64 {
    crate::case::CUSTOMER_LINK_DAYS_AFTER_CLOSE
}
fn default_retention_days() -> i64 {
    MIN_RETENTION_DAYS
}

impl Default for AccessPolicy {
    fn default() -> Self {
        AccessPolicy {
            session_idle_minutes: default_idle_minutes(),
            session_hours: default_session_hours(),
            two_factor_roles: default_two_factor_roles(),
            customer_link_days_after_close: default_link_days(),
            personal_data_retention_days: default_retention_days(),
        }
    }
}

/// How long a session may wait for its second-factor code.
pub const CODE_WAIT_MINUTES: i64 = 10;

/// Why a session no longer admits its browser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Unused for longer than the idle limit.
    Idle,
    /// Older than the absolute limit.
    Expired,
}

impl AccessPolicy {
    /// Whether `role` must sign in with a second factor.
    pub fn requires_second_factor(&self, role: Role) -> bool {
        self.two_factor_roles.contains(&role)
    }

    pub fn idle(&self) -> Duration {
        Duration::minutes(self.session_idle_minutes)
    }

    pub fn lifetime(&self) -> Duration {
        Duration::hours(self.session_hours)
    }

    /// Whether a session started at `started` and last used at `last_seen` still holds at
    /// `now`, or why not.
    pub fn session_state(
        &self,
        started: DateTime<Utc>,
        last_seen: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), SessionEnd> {
        if now >= started + self.lifetime() {
            Err(SessionEnd::Expired)
        } else if now >= last_seen.max(started) + self.idle() {
            Err(SessionEnd::Idle)
        } else {
            Ok(())
        }
    }

    /// Whether a session that signed in with its password but still owes its second-factor
    /// code has waited too long for it: ten minutes, then the password must be typed again.
    pub fn code_owed_too_long(&self, started: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now >= started + Duration::minutes(CODE_WAIT_MINUTES)
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut range = |field: &str, value: i64, min: i64, max: i64| {
            if !(min..=max).contains(&value) {
                errors.push(FieldError::new(field, Problem::Range { min, max }));
            }
        };
        range(
            "access.session_idle_minutes",
            self.session_idle_minutes,
            5,
            24 * 60,
        );
        range("access.session_hours", self.session_hours, 1, 24 * 30);
        range(
            "access.customer_link_days_after_close",
            self.customer_link_days_after_close,
            1,
            3 * 365,
        );
        range(
            "access.personal_data_retention_days",
            self.personal_data_retention_days,
            MIN_RETENTION_DAYS,
            30 * 366,
        );
        if self.session_idle_minutes > self.session_hours * 60 {
            errors.push(FieldError::explained(
                "access.session_idle_minutes",
                Problem::Invalid,
                "may not be longer than access.session_hours",
            ));
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: i64, m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap()
            + Duration::hours(h)
            + Duration::minutes(m)
    }

    #[test]
    fn a_session_ends_idle_after_two_hours_and_in_any_case_after_twelve() {
        let p = AccessPolicy::default();
        let start = at(0, 0);
        assert_eq!(p.session_state(start, start, at(1, 59)), Ok(()));
        assert_eq!(
            p.session_state(start, start, at(2, 0)),
            Err(SessionEnd::Idle)
        );
        // Used every hour: still open at 11:59, over at 12:00.
        assert_eq!(p.session_state(start, at(11, 0), at(11, 59)), Ok(()));
        assert_eq!(
            p.session_state(start, at(11, 30), at(12, 0)),
            Err(SessionEnd::Expired)
        );
    }

    #[test]
    fn a_code_is_awaited_ten_minutes() {
        let p = AccessPolicy::default();
        assert!(!p.code_owed_too_long(at(0, 0), at(0, 9)));
        assert!(p.code_owed_too_long(at(0, 0), at(0, 10)));
    }

    #[test]
    fn admins_and_supervisors_need_a_second_factor_by_default() {
        let p = AccessPolicy::default();
        for role in Role::ALL {
            assert_eq!(
                p.requires_second_factor(*role),
                matches!(role, Role::Admin | Role::Supervisor)
            );
        }
    }

    #[test]
    fn settings_out_of_range_name_their_field() {
        let p = AccessPolicy {
            session_idle_minutes: 2,
            session_hours: 0,
            customer_link_days_after_close: 0,
            ..AccessPolicy::default()
        };
        let fields: Vec<_> = p.validate().into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"access.session_idle_minutes".to_owned()));
        assert!(fields.contains(&"access.session_hours".to_owned()));
        assert!(fields.contains(&"access.customer_link_days_after_close".to_owned()));
        assert!(AccessPolicy::default().validate().is_empty());
    }
}
