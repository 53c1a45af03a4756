//! Notices to the desk (seed 002: whoever changes prices, promotions or stock tells customer
//! service first). A notice concerns everyone, or only some shops, SKUs or complaint
//! categories; it is valid for a time; an important one must be acknowledged by each agent.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::Category;
use crate::error::{FieldError, Problem};

/// The longest title kept, in characters.
pub const MAX_TITLE: usize = 100;
/// The most shops, SKUs or categories one notice may name.
pub const MAX_TARGETS: usize = 100;

/// How much a notice matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Importance {
    #[default]
    Normal,
    /// Every agent must acknowledge it.
    Important,
}

impl Importance {
    pub fn code(self) -> &'static str {
        match self {
            Importance::Normal => "normal",
            Importance::Important => "important",
        }
    }

    pub fn parse(code: &str) -> Option<Importance> {
        match code {
            "normal" => Some(Importance::Normal),
            "important" => Some(Importance::Important),
            _ => None,
        }
    }
}

/// What a notice concerns. Empty lists mean "no narrowing": a notice with no targets at all
/// concerns every case.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Targets {
    #[serde(default)]
    pub shops: Vec<String>,
    #[serde(default)]
    pub skus: Vec<String>,
    /// Complaint categories (CONTRACT §3).
    #[serde(default)]
    pub categories: Vec<Category>,
}

impl Targets {
    /// Whether a case of `shop`, about `skus`, filed under `category` is concerned: the shop
    /// must be among the shops named (if any); and when SKUs or categories are named, one of
    /// the order's SKUs or the case's category must be among them.
    pub fn concern(&self, shop: Option<&str>, skus: &[&str], category: Category) -> bool {
        if !self.shops.is_empty() && !shop.is_some_and(|s| self.shops.iter().any(|t| t == s)) {
            return false;
        }
        if self.skus.is_empty() && self.categories.is_empty() {
            return true;
        }
        skus.iter().any(|s| self.skus.iter().any(|t| t == s)) || self.categories.contains(&category)
    }

    /// Whether the notice names no shop, SKU or category.
    pub fn is_general(&self) -> bool {
        self.shops.is_empty() && self.skus.is_empty() && self.categories.is_empty()
    }
}

/// A notice as its author writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoticeForm {
    pub title: String,
    pub text: String,
    /// From when it holds; now when absent.
    #[serde(default)]
    pub valid_from: Option<DateTime<chrono::FixedOffset>>,
    /// Until when it holds; open-ended when absent.
    #[serde(default)]
    pub valid_to: Option<DateTime<chrono::FixedOffset>>,
    #[serde(default)]
    pub importance: Importance,
    /// Shop codes it concerns; all shops when empty.
    #[serde(default)]
    pub shops: Vec<String>,
    /// SKUs it concerns.
    #[serde(default)]
    pub skus: Vec<String>,
    /// Complaint categories it concerns (CONTRACT §3).
    #[serde(default)]
    pub categories: Vec<Category>,
}

/// A notice checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewNotice {
    pub title: String,
    pub text: String,
    pub valid_from: DateTime<Utc>,
    pub valid_to: Option<DateTime<Utc>>,
    pub importance: Importance,
    pub targets: Targets,
}

/// Whether a notice valid over `[from, to)` holds at `now`.
pub fn in_force(from: DateTime<Utc>, to: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    from <= now && to.is_none_or(|t| now < t)
}

fn clean_list(field: &str, values: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    crate::text::identifiers(field, values, 64, MAX_TARGETS)
        .map_err(|e| errors.push(e))
        .unwrap_or_default()
}

impl NoticeForm {
    /// Checks every field.
    pub fn parse(self, now: DateTime<Utc>) -> Result<NewNotice, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = crate::text::required_within("title", &self.title, MAX_TITLE)
            .map_err(|e| errors.push(e))
            .ok();
        let text = crate::text::required("text", &self.text)
            .map_err(|e| errors.push(e))
            .ok();
        let valid_from = self.valid_from.map_or(now, |t| t.with_timezone(&Utc));
        let valid_to = self.valid_to.map(|t| t.with_timezone(&Utc));
        if let Some(to) = valid_to {
            if to <= valid_from {
                errors.push(FieldError::new(
                    "valid_to",
                    Problem::Before {
                        other: "valid_from".into(),
                    },
                ));
            } else if to <= now {
                errors.push(FieldError::explained(
                    "valid_to",
                    Problem::NotInFuture,
                    "a notice that has already ended would tell no one anything",
                ));
            }
        }
        let shops = clean_list("shops", &self.shops, &mut errors);
        let skus = clean_list("skus", &self.skus, &mut errors);
        let mut categories = self.categories.clone();
        categories.sort();
        categories.dedup();
        match (title, text, errors.is_empty()) {
            (Some(title), Some(text), true) => Ok(NewNotice {
                title,
                text,
                valid_from,
                valid_to,
                importance: self.importance,
                targets: Targets {
                    shops,
                    skus,
                    categories,
                },
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 11, h, 0, 0).unwrap()
    }

    fn targets(shops: &[&str], skus: &[&str], categories: &[Category]) -> Targets {
        Targets {
            shops: shops.iter().map(|s| s.to_string()).collect(),
            skus: skus.iter().map(|s| s.to_string()).collect(),
            categories: categories.to_vec(),
        }
    }

    #[test]
    fn a_general_notice_concerns_every_case() {
        let t = Targets::default();
        assert!(t.is_general());
        assert!(t.concern(None, &[], Category::Other));
        assert!(t.concern(Some("旗舰店"), &["A1"], Category::Price));
    }

    #[test]
    fn a_shop_notice_concerns_only_that_shops_cases() {
        let t = targets(&["tmall-main"], &[], &[]);
        assert!(t.concern(Some("tmall-main"), &[], Category::Logistics));
        assert!(!t.concern(Some("jd-store"), &[], Category::Logistics));
        assert!(!t.concern(None, &[], Category::Logistics));
    }

    #[test]
    fn a_sku_or_category_notice_needs_one_of_them_within_its_shops() {
        let t = targets(&["tmall-main"], &["TEE-L"], &[Category::Price]);
        assert!(t.concern(Some("tmall-main"), &["X", "TEE-L"], Category::Quality));
        assert!(t.concern(Some("tmall-main"), &["X"], Category::Price));
        assert!(!t.concern(Some("tmall-main"), &["X"], Category::Quality));
        assert!(!t.concern(Some("jd-store"), &["TEE-L"], Category::Price));
    }

    #[test]
    fn validity_is_half_open() {
        assert!(!in_force(at(10), Some(at(12)), at(9)));
        assert!(in_force(at(10), Some(at(12)), at(10)));
        assert!(!in_force(at(10), Some(at(12)), at(12)));
        assert!(in_force(at(10), None, at(23)));
    }

    fn form() -> NoticeForm {
        NoticeForm {
            title: " 双十一 满300减40 ".into(),
            text: "活动期间价保规则……".into(),
            valid_from: None,
            valid_to: None,
            importance: Importance::Important,
            shops: vec!["tmall-main".into(), "tmall-main".into()],
            skus: vec!["TEE-L".into()],
            categories: vec![],
        }
    }

    #[test]
    fn a_form_is_trimmed_and_deduplicated() {
        let n = form().parse(at(8)).unwrap();
        assert_eq!(n.title, "双十一 满300减40");
        assert_eq!(n.valid_from, at(8));
        assert_eq!(n.targets.shops, vec!["tmall-main"]);
    }

    #[test]
    fn bad_fields_are_named() {
        let mut f = form();
        f.title = " ".into();
        f.valid_from = Some(at(12).into());
        f.valid_to = Some(at(11).into());
        f.skus = vec!["bad sku!".into()];
        let errors = f.parse(at(8)).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["title", "valid_to", "skus"]);
    }

    #[test]
    fn a_notice_that_already_ended_is_refused() {
        let mut f = form();
        f.valid_from = Some(at(1).into());
        f.valid_to = Some(at(2).into());
        assert_eq!(f.parse(at(8)).unwrap_err()[0].field, "valid_to");
    }
}
