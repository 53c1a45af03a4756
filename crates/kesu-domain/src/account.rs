//! Staff accounts: usernames and the password rule, parsed at the edge.

use crate::error::{FieldError, Problem};
use serde::{Deserialize, Serialize};

/// A login name: 2–32 lowercase letters, digits, `.`, `_` or `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Username, FieldError> {
        let v = raw.trim();
        let ok = (2..=32).contains(&v.len())
            && v.starts_with(|c: char| c.is_ascii_lowercase())
            && v.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if ok && crate::role::RESERVED_ACTOR_NAMES.contains(&v) {
            Err(FieldError::explained(
                "username",
                Problem::NotApplicable,
                format!("`{v}` is reserved for kesu itself; choose another name"),
            ))
        } else if ok {
            Ok(Username(v.to_owned()))
        } else {
            Err(FieldError::explained(
                "username",
                Problem::Format,
                "use 2–32 lowercase letters, digits, '.', '_' or '-', starting with a letter",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password accepted for a new account.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a new password; returns it unchanged when acceptable.
pub fn check_new_password(password: &str) -> Result<&str, FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(FieldError::explained(
            "password",
            Problem::Length {
                min: MIN_PASSWORD_CHARS as i64,
                max: 256,
            },
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > 256 {
        return Err(FieldError::new("password", Problem::TooLong { max: 256 }));
    }
    Ok(password)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_checked() {
        assert!(Username::parse("amy").is_ok());
        assert!(Username::parse("wang.xm-2").is_ok());
        assert!(Username::parse("A").is_err());
        assert!(Username::parse("1amy").is_err());
        assert!(Username::parse("王小明").is_err());
        for reserved in [
            "customer",
            "sla-timer",
            "logistics-monitor",
            "platform-connector",
            " customer ",
        ] {
            assert!(Username::parse(reserved).is_err(), "{reserved}");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
    }
}

/// When repeated wrong passwords lock an account: after `max_failures` in a row it is
/// locked for `lock_minutes` (an admin may unlock it sooner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i64,
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 10,
            lock_minutes: 15,
        }
    }
}

impl LockoutPolicy {
    /// The lock after the `failures`-th wrong password in a row, if it locks.
    pub fn lock_after(
        &self,
        failures: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        (failures >= self.max_failures).then(|| now + chrono::Duration::minutes(self.lock_minutes))
    }
}

#[cfg(test)]
mod lockout_tests {
    use super::LockoutPolicy;
    use chrono::{Duration, TimeZone, Utc};

    #[test]
    fn the_tenth_wrong_password_in_a_row_locks_for_fifteen_minutes() {
        let p = LockoutPolicy::default();
        let now = Utc.with_ymd_and_hms(2026, 11, 11, 0, 0, 0).unwrap();
        assert_eq!(p.lock_after(9, now), None);
        assert_eq!(p.lock_after(10, now), Some(now + Duration::minutes(15)));
        assert_eq!(p.lock_after(11, now), Some(now + Duration::minutes(15)));
    }
}

/// The colleagues an internal note mentions as `@username` (also with a full-width ＠),
/// each once, in order. A name ends at the first character a username cannot hold, so
/// `@li.na，请看` is `li.na` (a trailing `.` is punctuation, not part of the name); an
/// e-mail address (`a@b.com`) mentions nobody. Whether each names a real account is for the
/// caller to check.
pub fn mentioned(text: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if !matches!(c, '@' | '＠') {
            continue;
        }
        // In the middle of a word it is an e-mail address.
        if i > 0 && chars[i - 1].is_ascii_alphanumeric() {
            continue;
        }
        let name: String = chars[i + 1..]
            .iter()
            .take_while(|c| {
                c.is_ascii_lowercase()
                    || c.is_ascii_uppercase()
                    || c.is_ascii_digit()
                    || matches!(c, '.' | '_' | '-')
            })
            .collect::<String>()
            .trim_end_matches(['.', '-'])
            .to_ascii_lowercase();
        if let Ok(u) = Username::parse(&name) {
            if !names.iter().any(|n| n == u.as_str()) {
                names.push(u.as_str().to_owned());
            }
        }
    }
    names
}

#[cfg(test)]
mod mention_tests {
    use super::mentioned;

    #[test]
    fn mentions_are_the_names_after_an_at_sign() {
        assert_eq!(mentioned("@wang 请看一下，@li.na。"), vec!["wang", "li.na"]);
        assert_eq!(mentioned("＠Zhang 仓库确认了吗 @zhang"), vec!["zhang"]);
        assert_eq!(mentioned("请联系 service@shop.com"), Vec::<String>::new());
        assert_eq!(mentioned("@ 空 @x @1abc"), Vec::<String>::new());
        assert_eq!(mentioned("（@dept-wh）"), vec!["dept-wh"]);
    }
}
