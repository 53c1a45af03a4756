//! The follow-up call card: what the call is for, the points to cover in order and the case's
//! facts at hand (from [`kesu_domain::call_plan`]), with the number to dial for those who see
//! it, and a button that notes an unanswered call in the history.

use kesu_domain::call_plan::{CallPlan, Fact, Point};
use kesu_domain::carriers::Carriers;
use kesu_domain::personal::ComplainantView;
use kesu_domain::Case;
use kesu_i18n::Value;
use maud::{html, Markup};

use super::super::carriers::carrier_name;
use super::super::i18n::Lang;
use super::super::{local_time, yuan};

fn point(lang: Lang, p: &Point) -> String {
    let say = |key: &str, args: &[(&str, Value<'_>)]| lang.format(key, args).unwrap_or_default();
    match p {
        Point::GreetAndIdentify => lang.t("call_point_greet").to_owned(),
        Point::Restate(category) => say(
            "call_point_restate",
            &[("category", Value::Text(lang.label(*category)))],
        ),
        Point::RefundArrived(cash) => say(
            "call_point_refund",
            &[("amount", Value::Text(&yuan(*cash)))],
        ),
        Point::ReplacementArrived(no) => {
            say("call_point_replacement", &[("tracking", Value::Text(no))])
        }
        Point::ResultAsAgreed(kind) => say(
            "call_point_result",
            &[("resolution", Value::Text(lang.label(*kind)))],
        ),
        Point::SatisfactionAndRating => lang.t("call_point_satisfaction").to_owned(),
        Point::AnythingElse => lang.t("call_point_anything_else").to_owned(),
        Point::ThankAndClose => lang.t("call_point_thanks").to_owned(),
    }
}

fn fact(lang: Lang, carriers: &Carriers, f: &Fact, zone: chrono_tz::Tz) -> (&'static str, String) {
    match f {
        Fact::Order(no) => (lang.t("order"), no.clone()),
        Fact::Complaint(category) => (
            lang.t("call_fact_complaint"),
            lang.label(*category).to_owned(),
        ),
        Fact::Received(at) => (lang.t("received_at"), local_time(*at, zone)),
        Fact::Resolution(kind, amount) => (
            lang.t("call_fact_resolution"),
            match amount {
                Some(a) => format!("{} {}", lang.label(*kind), yuan(*a)),
                None => lang.label(*kind).to_owned(),
            },
        ),
        Fact::Refunded { cash, method } => (
            lang.t("call_fact_refunded"),
            format!("{} · {}", yuan(*cash), lang.payment(method)),
        ),
        Fact::Reshipped {
            carrier,
            tracking_no,
        } => (
            lang.t("call_fact_reshipped"),
            format!("{} {tracking_no}", carrier_name(carriers, lang, carrier)),
        ),
        Fact::Done(at) => (lang.t("call_fact_done"), local_time(*at, zone)),
    }
}

/// The card, shown above the follow-up form. `unanswered` is the form that notes a call
/// nobody picked up.
pub fn call_card(
    lang: Lang,
    case: &Case,
    plan: &CallPlan,
    who: &ComplainantView,
    carriers: &Carriers,
    unanswered: Markup,
    zone: chrono_tz::Tz,
) -> Markup {
    html! {
        section.panel.call-card #call-card data-case=(case.id) {
            h2 { (lang.t("call_card")) }
            p.purpose { strong { (lang.t("call_purpose")) } " " (lang.t("call_purpose_follow_up")) }
            div.call-grid {
                div {
                    h3 { (lang.t("call_points")) }
                    ol.call-points { @for p in &plan.points { li { (point(lang, p)) } } }
                }
                div {
                    h3 { (lang.t("call_facts")) }
                    dl.facts {
                        dt { (lang.t("customer")) } dd { (who.name) }
                        @if let Some(phone) = &who.phone {
                            dt { (lang.t("phone")) }
                            dd { @if who.masked { (phone) } @else { a href={ "tel:" (phone) } { (phone) } } }
                        }
                        @for f in &plan.facts {
                            @let (label, value) = fact(lang, carriers, f, zone);
                            dt { (label) } dd { (value) }
                        }
                    }
                }
            }
            p.muted { (lang.t("call_outcome_hint")) }
            (unanswered)
        }
    }
}
