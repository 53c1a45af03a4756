//! Customers' personal data (PIPL): parsed at the edge, masked for roles that don't need it,
//! and redacted in `Debug` so it cannot reach a log by accident.

use crate::error::{FieldError, Problem};
use serde::{Deserialize, Serialize};

/// A phone number, kept as digits: a mainland mobile (`13812345678`) or a landline with
/// its area code (`057188886666`). Spaces, dashes and a `+86` prefix are accepted on input.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(field: &str, raw: &str) -> Result<Phone, FieldError> {
        let mut digits: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '\u{3000}'))
            .collect();
        if let Some(rest) = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
        {
            digits = rest.to_owned();
        }
        let all_digits = !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit());
        let mobile = digits.len() == 11 && digits.starts_with('1');
        let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
        if all_digits && (mobile || landline) {
            Ok(Phone(digits))
        } else {
            Err(FieldError::new(field, Problem::NotAPhone))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `138****5678`: the first three and last four digits stay visible.
    pub fn masked(&self) -> String {
        let d = &self.0;
        format!("{}****{}", &d[..3], &d[d.len() - 4..])
    }
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

/// An e-mail address, checked for shape only.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Email, FieldError> {
        let v = raw.trim();
        let valid = v.len() <= 254
            && !v.chars().any(char::is_whitespace)
            && matches!(v.split_once('@'), Some((local, domain))
                if !local.is_empty() && domain.contains('.') && !domain.contains('@')
                   && !domain.starts_with('.') && !domain.ends_with('.'));
        if valid {
            Ok(Email(v.to_owned()))
        } else {
            Err(FieldError::new(field, Problem::NotAnEmail))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `w***@example.com`.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}***@{domain}")
    }
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Email({})", self.masked())
    }
}

/// A person's name as they gave it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(field: &str, raw: &str) -> Result<PersonName, FieldError> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(FieldError::new(field, Problem::Empty));
        }
        if v.chars().count() > 50 {
            return Err(FieldError::new(field, Problem::TooLong { max: 50 }));
        }
        Ok(PersonName(v.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `王**`: the first character, then one star per remaining character (at most three).
    pub fn masked(&self) -> String {
        let mut chars = self.0.chars();
        let first = chars.next().unwrap_or('*');
        let rest = chars.count().clamp(1, 3);
        format!("{first}{}", "*".repeat(rest))
    }
}

impl std::fmt::Debug for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PersonName({})", self.masked())
    }
}

/// A postal address as given.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Address(String);

impl Address {
    pub fn parse(field: &str, raw: &str) -> Result<Address, FieldError> {
        let v = raw.trim();
        if v.is_empty() {
            return Err(FieldError::new(field, Problem::Empty));
        }
        if v.chars().count() > 200 {
            return Err(FieldError::new(field, Problem::TooLong { max: 200 }));
        }
        Ok(Address(v.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `浙江省杭州市****`: the first six characters (province and city) stay visible.
    pub fn masked(&self) -> String {
        let head: String = self.0.chars().take(6).collect();
        format!("{head}****")
    }
}

impl std::fmt::Debug for Address {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Address({})", self.masked())
    }
}

/// The person who complains. Stored apart from the case so it can be masked and purged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complainant {
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub email: Option<Email>,
}

/// The complainant as a given reader may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComplainantView {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// True when the values are masked for the reader's role.
    pub masked: bool,
}

impl Complainant {
    /// The phone and e-mail, as typed: what must not be pasted into a public reply.
    pub fn contact_details(&self) -> Vec<String> {
        [
            self.phone.as_ref().map(|p| p.as_str().to_owned()),
            self.email.as_ref().map(|e| e.as_str().to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    pub fn view(&self, unmasked: bool) -> ComplainantView {
        if unmasked {
            ComplainantView {
                name: self.name.as_str().to_owned(),
                phone: self.phone.as_ref().map(|p| p.as_str().to_owned()),
                email: self.email.as_ref().map(|e| e.as_str().to_owned()),
                masked: false,
            }
        } else {
            ComplainantView {
                name: self.name.masked(),
                phone: self.phone.as_ref().map(Phone::masked),
                email: self.email.as_ref().map(Email::masked),
                masked: true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_normalised_and_masked() {
        let p = Phone::parse("phone", "+86 138-1234-5678").unwrap();
        assert_eq!(p.as_str(), "13812345678");
        assert_eq!(p.masked(), "138****5678");
        let l = Phone::parse("phone", "0571-88886666").unwrap();
        assert_eq!(l.masked(), "057****6666");
        assert!(Phone::parse("phone", "12345").is_err());
        assert!(Phone::parse("phone", "1381234567x").is_err());
        assert!(Phone::parse("phone", "").is_err());
    }

    #[test]
    fn debug_output_never_shows_personal_data() {
        let c = Complainant {
            name: PersonName::parse("name", "王小明").unwrap(),
            phone: Some(Phone::parse("phone", "13812345678").unwrap()),
            email: Some(Email::parse("email", "xiaoming@example.com").unwrap()),
        };
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("13812345678"), "{dbg}");
        assert!(!dbg.contains("小明"), "{dbg}");
        assert!(!dbg.contains("xiaoming"), "{dbg}");
    }

    #[test]
    fn masked_view_hides_every_field() {
        let c = Complainant {
            name: PersonName::parse("name", "王小明").unwrap(),
            phone: Some(Phone::parse("phone", "13812345678").unwrap()),
            email: Some(Email::parse("email", "xiaoming@example.com").unwrap()),
        };
        let v = c.view(false);
        assert_eq!(v.name, "王**");
        assert_eq!(v.phone.as_deref(), Some("138****5678"));
        assert_eq!(v.email.as_deref(), Some("x***@example.com"));
        assert!(c.view(true).phone.as_deref() == Some("13812345678"));
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(Email::parse("email", "a@b.cn").is_ok());
        assert!(Email::parse("email", "a@b").is_err());
        assert!(Email::parse("email", "a b@c.cn").is_err());
        assert!(Email::parse("email", "@c.cn").is_err());
    }
}
