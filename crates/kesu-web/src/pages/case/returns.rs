//! The seven-day no-reason return, line by line: until when each line may go back, or why
//! it may not, with the article the answer rests on.

use chrono::{DateTime, Utc};
use kesu_domain::order::Order;
use kesu_domain::seven_day_return::{eligibility, Eligibility, GoodsCondition};
use maud::{html, Markup};

use super::super::i18n::Lang;
use super::super::local_time;

/// One row per line of the order's own delivery.
pub(super) fn return_rights_panel(
    lang: Lang,
    order: &Order,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Markup {
    html! {
        section.return-rights {
            h3 { (lang.t("seven_day_return")) }
            table {
                tbody {
                    @for l in &order.amounts.lines {
                        @let e = eligibility(&l.flags, order.signed_at(&l.line_id), GoodsCondition::Good, now, zone);
                        tr class=(if e.is_eligible() { "eligible" } else { "not-eligible" }) {
                            th { (l.name.as_deref().unwrap_or(&l.line_id)) }
                            td { (verdict(lang, &e, zone)) br; small.muted { (e.article()) } }
                        }
                    }
                }
            }
            p.muted.hint { (lang.t("goodwill_hint")) }
        }
    }
}

fn verdict(lang: Lang, e: &Eligibility, zone: chrono_tz::Tz) -> String {
    match e {
        Eligibility::Eligible { until } => {
            format!(
                "{} {}",
                lang.t("return_eligible_until"),
                local_time(*until, zone)
            )
        }
        Eligibility::NotDelivered => lang.t("return_not_signed").to_owned(),
        Eligibility::Expired { ended } => {
            format!("{} {}", lang.t("return_expired"), local_time(*ended, zone))
        }
        Eligibility::Excluded(flag) => {
            format!("{}：{}", lang.t("return_excluded"), lang.label(*flag))
        }
        Eligibility::NotIntact(_) => lang.t("return_not_intact").to_owned(),
    }
}
