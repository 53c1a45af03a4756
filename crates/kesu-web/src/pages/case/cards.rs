//! What was decided on a case, as cards in the main column (the judgement, the analysis, the
//! options with their amounts and the customer's choice, the approval or that none was
//! needed, the execution, the follow-up, the closing), and the customer's earlier cases.

use super::*;

fn card(
    title: String,
    who: &str,
    at: chrono::DateTime<chrono::Utc>,
    zone: chrono_tz::Tz,
    body: Markup,
) -> Markup {
    html! {
        article.card {
            header { strong { (title) } " " span.muted { (who) " · " (local_time(at, zone)) } }
            (body)
        }
    }
}

pub(super) fn decision_cards(lang: Lang, c: &Case, zone: chrono_tz::Tz) -> Markup {
    let judged = c.validity.as_ref().map(|v| {
        let verdict = if v.valid {
            lang.t("valid")
        } else {
            lang.t("invalid")
        };
        card(
            format!("{} · {verdict}", lang.t("step_judge")),
            &v.by,
            v.at,
            zone,
            html! { @if let Some(r) = &v.reason { p { (r) } } },
        )
    });
    let analysed = c.analysis.as_ref().map(|a| {
        card(
            lang.t("step_analyse").to_owned(),
            &a.by,
            a.at,
            zone,
            html! {
                dl.facts {
                    dt { (lang.t("liability")) } dd { (lang.label(a.liability)) }
                    dt { (lang.t("root_cause")) } dd { (lang.label(a.root_cause)) }
                }
                p { (a.findings) }
            },
        )
    });
    let chosen = c.chosen.as_ref().map(|ch| ch.index);
    let options = (!c.options.is_empty()).then(|| {
        html! {
            article.card #options {
                header { strong { (lang.t("step_propose")) } }
                ol.options {
                    @for (i, o) in c.options.iter().enumerate() {
                        li class=[(chosen == Some(i)).then_some("chosen")] {
                            strong { (lang.label(o.kind)) }
                            @if let Some(a) = o.amount_cents { " " span.amount { (yuan(a)) } }
                            @if !o.lines.is_empty() {
                                " · " (o.lines.iter().map(|l| format!("{} ×{}", l.line_id, l.quantity)).collect::<Vec<_>>().join("，"))
                            }
                            @if o.include_shipping { " · " (lang.t("include_shipping")) }
                            @if let Some(n) = &o.note { " — " (n) }
                            @if !o.goodwill.is_empty() { " " span.badge.amber title=(lang.t("goodwill_hint")) { (lang.t("goodwill_exception")) } }
                            @if chosen == Some(i) { " " span.badge.green { (lang.t("chosen")) } }
                        }
                    }
                }
                @if let Some(ch) = &c.chosen {
                    p.muted { (lang.t("chosen_by")) " " (chosen_by(lang, &ch.chosen_by)) " · " (local_time(ch.at, zone)) }
                }
            }
        }
    });
    let approval = c.decision.as_ref().map(|d| {
        if d.automatic {
            html! { article.card.skipped { header { strong { (lang.t("step_approve")) } " " span.muted { (lang.t("approval_not_needed")) } } } }
        } else {
            let verdict = if d.approved { lang.t("approved") } else { lang.t("rejected") };
            card(
                format!("{} · {verdict}", lang.t("step_approve")),
                &d.by,
                d.at,
                zone,
                html! { @if let Some(cm) = &d.comment { p { (cm) } } },
            )
        }
    });
    let executed = c.execution.as_ref().map(|e| {
        card(
            lang.t("step_execute").to_owned(),
            &e.by,
            e.at,
            zone,
            html! { p { (e.note) } },
        )
    });
    let followed = c.follow_up.as_ref().map(|f| {
        let verdict = if f.satisfied {
            lang.t("satisfied")
        } else {
            lang.t("not_satisfied")
        };
        card(
            format!("{} · {verdict}", lang.t("step_follow_up")),
            &chosen_by(lang, &f.by),
            f.at,
            zone,
            html! {
                @if let Some(way) = f.way { p.muted.way { (lang.t(way_label(way))) } }
                @if let Some(r) = f.rating { p.rating { (r) " / 5" } }
                @if let Some(cm) = &f.comment { p { (cm) } }
            },
        )
    });
    let closed = c.closing.as_ref().map(|cl| {
        card(
            lang.t("closed_card").to_owned(),
            &cl.by,
            cl.at,
            zone,
            html! {
                p { (cl.summary) }
                @if let Some(l) = &cl.lessons { p.muted { (lang.t("lessons")) ": " (l) } }
            },
        )
    });
    let cards: Vec<Markup> = [
        judged, analysed, options, approval, executed, followed, closed,
    ]
    .into_iter()
    .flatten()
    .collect();
    html! {
        @if !cards.is_empty() {
            section.panel.decisions {
                h2 { (lang.t("decisions")) }
                @for c in cards { (c) }
            }
        }
    }
}

/// Who chose or answered: the customer through their page, or the agent for them.
fn chosen_by(lang: Lang, who: &str) -> String {
    if who == "customer" {
        lang.t("customer").to_owned()
    } else {
        who.to_owned()
    }
}

/// The customer's earlier cases that the reader may see, with how each ended.
pub(super) fn earlier_cases(lang: Lang, earlier: &[CaseRecord], zone: chrono_tz::Tz) -> Markup {
    html! {
        h2 { (lang.t("earlier_cases")) " (" (earlier.len()) ")" }
        @if earlier.is_empty() {
            p.muted #earlier-cases { (lang.t("no_earlier_cases")) }
        } @else {
            ul.earlier #earlier-cases {
                @for r in earlier {
                    @let e = &r.case;
                    li {
                        a href={ "/cases/" (e.id) } { (e.number) } " · "
                        (local_time(e.received_at, zone).get(..10).unwrap_or_default()) " · "
                        (lang.label(e.category)) " · "
                        @match (&e.closing, &e.chosen) {
                            (Some(cl), _) => { (lang.label(cl.outcome)) }
                            (None, _) => { (lang.label(e.status)) }
                        }
                        @if let Some(ch) = &e.chosen {
                            " · " (lang.label(ch.option.kind))
                            @if let Some(a) = ch.option.amount_cents { " " (yuan(a)) }
                        }
                    }
                }
            }
        }
    }
}

/// The locale key of how a follow-up reached the customer.
fn way_label(way: kesu_domain::call_plan::FollowUpWay) -> &'static str {
    use kesu_domain::call_plan::FollowUpWay;
    match way {
        FollowUpWay::Phone => "way_phone",
        FollowUpWay::Message => "way_message",
        FollowUpWay::StatusPage => "way_status_page",
    }
}
