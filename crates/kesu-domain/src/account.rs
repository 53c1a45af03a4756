//! Staff accounts: usernames and the password rule, parsed at the edge.

use serde::{Deserialize, Serialize};

use crate::error::FieldError;

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
        if ok {
            Ok(Username(v.to_owned()))
        } else {
            Err(FieldError::new(
                "username",
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
        return Err(FieldError::new(
            "password",
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > 256 {
        return Err(FieldError::new(
            "password",
            "must be at most 256 characters",
        ));
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
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_new_password("1234567").is_err());
        assert!(check_new_password("12345678").is_ok());
    }
}
