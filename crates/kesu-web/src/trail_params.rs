//! `?case=KS-…&actor=amy&kind=sign_in.&from=2026-12-01&to=2026-12-07&page=2`: the audit
//! trail's filters, as the API and the workbench page take them. Days are the shop's, both
//! included; a kind is one code or a family ending in `.`.

use chrono_tz::Tz;
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::report::local_midnight;
use kesu_domain::{FieldError, Problem};
use kesu_store::{Page, Store, TrailFilter};

use crate::error::ApiError;

/// The families of kinds the filter offers, in the order shown.
pub const FAMILIES: &[&str] = &[
    "case.",
    "sign_in.",
    "user.",
    "token.",
    "policy.",
    "connector.",
    "export",
    "personal.",
    "accountability.",
    "records_audit.",
];

/// The filter, the page, and the parameters as given (to keep in the page's links).
pub struct TrailQuery {
    pub filter: TrailFilter,
    pub page: Page,
}

fn known_kind(kind: &str) -> bool {
    FAMILIES.contains(&kind)
        || AuditKind::parse(kind).is_some()
        || kind
            .strip_prefix("case.")
            .is_some_and(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
}

pub async fn parse(
    store: &Store,
    zone: Tz,
    params: &[(String, String)],
) -> Result<TrailQuery, ApiError> {
    let mut filter = TrailFilter::default();
    let mut page = Page {
        number: 1,
        size: 50,
    };
    let mut errors = Vec::new();
    let mut bad = |field: &str, msg: String| {
        errors.push(FieldError::explained(field, Problem::Format, msg));
    };
    for (key, value) in params {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        match key.as_str() {
            "case" => match v.parse::<i64>() {
                Ok(id) if id > 0 => filter.case_id = Some(id),
                _ => match store.case_id_by_number(v).await? {
                    Some(id) => filter.case_id = Some(id),
                    // No such case: nothing matches, which is the honest answer.
                    None => filter.case_id = Some(0),
                },
            },
            "actor" if v.chars().count() <= 64 => filter.actor = Some(v.to_owned()),
            "actor" => bad("actor", "is at most 64 characters".into()),
            "kind" if known_kind(v) => filter.kind = Some(v.to_owned()),
            "kind" => bad(
                "kind",
                format!(
                    "unknown kind `{v}`; use a kind such as sign_in.failed or a family: {}",
                    FAMILIES.join(", ")
                ),
            ),
            "from" | "to" => match kesu_domain::dates::parse_date(key, v) {
                Ok(day) if key == "from" => filter.from = Some(local_midnight(zone, day)),
                Ok(day) => filter.to = Some(local_midnight(zone, day + chrono::Duration::days(1))),
                Err(_) => bad(key, format!("`{v}` is not a date such as 2026-12-01")),
            },
            "page" => match v.parse::<u32>() {
                Ok(n) if (1..=10_000).contains(&n) => page.number = n,
                _ => bad("page", "must be a whole number from 1 to 10000".into()),
            },
            "per_page" => match v.parse::<u32>() {
                Ok(n) if (1..=200).contains(&n) => page.size = n,
                _ => bad("per_page", "must be a whole number from 1 to 200".into()),
            },
            "format" => {}
            other => bad(
                other,
                "is not a filter of the audit trail (case, actor, kind, from, to, page, per_page)"
                    .into(),
            ),
        }
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if to <= from {
            errors.push(FieldError::new(
                "to",
                Problem::Before {
                    other: "from".into(),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    Ok(TrailQuery { filter, page })
}

#[cfg(test)]
mod tests {
    use super::known_kind;

    #[test]
    fn kinds_are_codes_families_or_history_actions() {
        for k in [
            "sign_in.failed",
            "sign_in.",
            "case.",
            "case.judge",
            "export",
        ] {
            assert!(known_kind(k), "{k}");
        }
        for k in ["sign_in", "case.Judge;--", "whatever", "sign_in.%"] {
            assert!(!known_kind(k), "{k}");
        }
    }
}
