//! The case's platform after-sales request, at the top of the side column: the platform's
//! countdown is the one deadline the shop cannot move, so it comes first, with what the
//! platform asked for when it stepped in and what kesu doubts (the amount, the order).

use chrono::{DateTime, Utc};
use kesu_domain::countdown::Urgency;

use super::*;

pub(super) fn platform_panel(
    lang: Lang,
    c: &Case,
    (photos_pending, photos_failed): (i64, i64),
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Markup {
    let Some(p) = &c.platform else {
        return html! {};
    };
    html! {
        section.panel.platform #platform {
            h2 { (lang.t("platform_request")) }
            p { (lang.label(p.platform)) " · " (p.shop) " · " (lang.t("platform_request_id")) " " (p.request_id) }
            p { strong { (lang.label(p.kind)) } " · " (lang.label(p.stage))
                @if p.stage == kesu_domain::platform::Stage::Other { " " span.muted { "(" (p.status) ")" } } }
            (deadline_line(lang, c, now, zone))
            @if let Some(i) = &p.intervention {
                p.notice.intervention {
                    (lang.t("platform_evidence_asked")) ": " (i.asked.as_deref().unwrap_or(lang.t("platform_evidence_unspecified")))
                    @if let Some(by) = i.by { " · " (lang.t("platform_evidence_by")) " " (local_time(by, zone)) }
                }
            }
            @if let Some(a) = p.amount_cents {
                p { (lang.t("platform_amount")) " " (yuan(a.get()))
                    @if p.amount_over_paid { " " span.badge.red { (lang.t("platform_amount_over_paid")) } } }
            }
            @if p.order_missing { p.notice { (lang.t("platform_order_missing")) } }
            @if let Some(t) = &p.return_tracking_no { p { (lang.t("platform_return_tracking")) " " (t) } }
            @if photos_pending > 0 { p.muted { (photos_pending) " " (lang.t("platform_photos_pending")) } }
            @if photos_failed > 0 { p.notice { (photos_failed) " " (lang.t("platform_photos_failed")) } }
        }
    }
}

/// The platform's countdown while it runs: when, and how much time is left.
fn deadline_line(lang: Lang, c: &Case, now: DateTime<Utc>, zone: chrono_tz::Tz) -> Markup {
    let Some(due) = c.deadlines.platform_by else {
        return html! {};
    };
    let urgency = kesu_domain::countdown::running(c)
        .into_iter()
        .find(|k| k.clock == kesu_domain::sla::SlaClock::Platform)
        .map(|k| k.urgency(now));
    let class = match urgency {
        Some(Urgency::Overdue) => "badge red",
        Some(Urgency::Soon) => "badge amber",
        _ => "badge green",
    };
    html! {
        p.platform-deadline {
            (lang.t("platform_deadline")) " " strong { (local_time(due, zone)) } " "
            span class=(class) { (super::super::queue::badge::left_words(lang, due - now)) }
        }
    }
}
