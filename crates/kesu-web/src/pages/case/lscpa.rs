//! The renegotiation guide (LSCPA, seed 000) on the case page: after an unsatisfied
//! follow-up, the five steps with the customer's words and last time's offer at hand.

use kesu_domain::renegotiation::{Renegotiation, Step};
use kesu_i18n::Value;
use maud::{html, Markup};

use super::super::i18n::Lang;
use super::super::yuan;

fn step_keys(step: Step) -> (&'static str, &'static str) {
    match step {
        Step::Listen => ("lscpa_listen", "lscpa_listen_hint"),
        Step::Share => ("lscpa_share", "lscpa_share_hint"),
        Step::Clarify => ("lscpa_clarify", "lscpa_clarify_hint"),
        Step::Present => ("lscpa_present", "lscpa_present_hint"),
        Step::Ask => ("lscpa_ask", "lscpa_ask_hint"),
    }
}

pub(super) fn panel(lang: Lang, r: &Renegotiation) -> Markup {
    let title = lang
        .format("lscpa_title", &[("round", Value::Int(i64::from(r.round)))])
        .unwrap_or_default();
    html! {
        section.panel.lscpa #lscpa {
            h2 { (title) }
            @if let Some(said) = &r.said {
                p.said { (lang.t("lscpa_customer_said")) "：「" (said) "」"
                    @if let Some(stars) = r.rating { " · " (stars) "★" } }
            }
            ol.lscpa-steps {
                @for step in Step::ALL {
                    @let (name, hint) = step_keys(step);
                    li data-step=(step.code()) {
                        strong { (lang.t(name)) }
                        " " span { (lang.t(hint)) }
                        @if step == Step::Present {
                            @if let Some((kind, amount)) = r.last {
                                br; span.muted { (lang.t("lscpa_last_offer")) "：" (lang.label(kind))
                                    @if let Some(a) = amount { " " (yuan(a)) } }
                            }
                        }
                    }
                }
            }
            @if r.escalate_next { p.notice { (lang.t("lscpa_escalate")) } }
        }
    }
}
