//! The carriers a shop ships with: a code (`yto`) the platforms and trackers use, and the name
//! people read (圆通速递). Admins keep the list; every form picks from it and every page shows
//! the name.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Problem};

/// The list a new shop starts with.
pub const BUILT_IN: &[(&str, &str)] = &[
    ("sf", "顺丰速运"),
    ("zto", "中通快递"),
    ("yto", "圆通速递"),
    ("sto", "申通快递"),
    ("yunda", "韵达快递"),
    ("jd", "京东物流"),
    ("ems", "EMS"),
    ("jtexpress", "极兔速递"),
    ("deppon", "德邦快递"),
    ("best", "百世快递"),
];

const MAX_CODE: usize = 20;
const MAX_NAME: usize = 30;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Carrier {
    pub code: String,
    pub name: String,
}

impl Carrier {
    /// A carrier as an admin typed it: the code lower-case letters, digits and `_` (as the
    /// tracking services spell them), the name 1–30 characters.
    pub fn parse(code: &str, name: &str) -> Result<Carrier, Vec<FieldError>> {
        let code = code.trim().to_ascii_lowercase();
        let name = name.trim().to_owned();
        let mut errors = Vec::new();
        let code_ok = !code.is_empty()
            && code.len() <= MAX_CODE
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            errors.push(FieldError::explained(
                "code",
                Problem::Format,
                "1–20 lower-case letters, digits or _ (the carrier's code, e.g. yto)",
            ));
        }
        if name.is_empty() || name.chars().count() > MAX_NAME {
            errors.push(FieldError::explained(
                "name",
                Problem::Format,
                "the name people read, 1–30 characters (e.g. 圆通速递)",
            ));
        }
        if errors.is_empty() {
            Ok(Carrier { code, name })
        } else {
            Err(errors)
        }
    }
}

/// The shop's carriers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Carriers(pub Vec<Carrier>);

impl Carriers {
    pub fn built_in() -> Carriers {
        Carriers(
            BUILT_IN
                .iter()
                .map(|(code, name)| Carrier {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                })
                .collect(),
        )
    }

    /// The name of the carrier `code` (codes are matched ignoring case and spaces).
    pub fn name(&self, code: &str) -> Option<&str> {
        let code = code.trim();
        self.0
            .iter()
            .find(|c| c.code.eq_ignore_ascii_case(code))
            .map(|c| c.name.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = &Carrier> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_how_trackers_spell_it_and_a_name_is_what_people_read() {
        let c = Carrier::parse(" YTO ", " 圆通速递 ").unwrap();
        assert_eq!((c.code.as_str(), c.name.as_str()), ("yto", "圆通速递"));
        let bad = Carrier::parse("圆通", "").unwrap_err();
        let fields: Vec<&str> = bad.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["code", "name"]);
    }

    /// The migration that seeds the list writes the same carriers.
    #[test]
    fn the_stored_seed_is_the_built_in_list() {
        for seed in [
            include_str!("../../kesu-store/migrations/sqlite/20261203000016_carriers.sql"),
            include_str!("../../kesu-store/migrations/postgres/20261203000016_carriers.sql"),
        ] {
            for (code, name) in BUILT_IN {
                assert!(seed.contains(&format!("('{code}', '{name}')")), "{code}");
            }
            assert_eq!(seed.matches("', '").count(), BUILT_IN.len());
        }
    }

    #[test]
    fn names_are_found_by_code_whatever_its_case() {
        let list = Carriers::built_in();
        assert_eq!(list.name("SF"), Some("顺丰速运"));
        assert_eq!(list.name("nobody"), None);
        assert!(BUILT_IN
            .iter()
            .all(|(code, _)| Carrier::parse(code, "x").is_ok()));
    }
}
