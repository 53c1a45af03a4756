//! The case page's panels: the timeline, deadlines, the referral, the order and the refund quote.

use super::*;
use kesu_domain::fulfilment::{GoodsEvidence, StepData};

/// Who wrote an entry, as a person reads it: the staff member's name, 顾客, or which part
/// of kesu.
pub(super) fn actor_label(lang: Lang, author: &Author) -> String {
    match author {
        Author::Staff(username) => username.clone(),
        Author::Customer => lang.t("customer").to_owned(),
        Author::System(SystemActor::SlaTimer) => lang.t("actor_sla_timer").to_owned(),
        Author::System(SystemActor::LogisticsMonitor) => {
            lang.t("actor_logistics_monitor").to_owned()
        }
        Author::System(SystemActor::Kesu) => lang.t("actor_system").to_owned(),
        Author::System(SystemActor::PlatformConnector) => lang.t("actor_platform").to_owned(),
    }
}

/// The proof a step took the goods as back on, as a person reads it.
fn goods_evidence(lang: Lang, evidence: &GoodsEvidence) -> String {
    match evidence {
        GoodsEvidence::Tracking { parcels } => {
            let parcels: Vec<String> = parcels
                .iter()
                .map(|p| {
                    let status = kesu_domain::tracking::TrackingStatus::parse(&p.status)
                        .map(|s| lang.label(s).to_owned())
                        .unwrap_or_else(|| p.status.clone());
                    format!("{} {} {status}", lang.carrier(&p.carrier), p.tracking_no)
                })
                .collect();
            format!("{}：{}", lang.t("goods_proof_tracking"), parcels.join("；"))
        }
        GoodsEvidence::Warehouse { result } => {
            format!(
                "{} · {}",
                lang.t("goods_proof_warehouse"),
                lang.label(result)
            )
        }
        GoodsEvidence::Override { reason } => {
            format!("{}：{reason}", lang.t("goods_proof_override"))
        }
    }
}

pub(super) fn timeline_entry(
    lang: Lang,
    e: &HistoryEntry,
    files: &[kesu_store::Attachment],
    zone: chrono_tz::Tz,
) -> Markup {
    // An inspection's photos: those that are the case's files open from here.
    let photos: &[String] = match &e.entry {
        Entry::Stepped {
            data: StepData::Inspected { photos, .. },
            ..
        } => photos,
        _ => &[],
    };
    let comment = match &e.entry {
        Entry::Changed {
            change: Change::Comment { internal, .. },
            ..
        } => Some(*internal),
        _ => None,
    };
    let class = match comment {
        Some(true) => "internal",
        Some(false) => "reply",
        None => "action",
    };
    // Entries kesu writes itself say what they are about in a code; show its label.
    let about = match &e.entry {
        Entry::Claim(note) => Some(match note.reason() {
            Some(r) => format!("{} · {}", lang.label(note.status()), lang.label(r)),
            None => lang.label(note.status()).to_owned(),
        }),
        Entry::Timer { fired, .. } => Some(lang.label(fired.clock).to_owned()),
        Entry::Attached(a) => Some(a.name.clone()),
        // Why kesu let the goods count as back (the refund after shipping waits for them).
        Entry::Stepped {
            data:
                StepData::Back {
                    evidence: Some(evidence),
                    ..
                }
                | StepData::Received { evidence },
            ..
        } => Some(goods_evidence(lang, evidence)),
        Entry::Stepped {
            data: StepData::ReturnShipped {
                freight: Some(f), ..
            },
            ..
        } => Some(format!(
            "{} {} · {}",
            lang.t("return_freight"),
            yuan(f.cents),
            lang.t(match f.payer {
                kesu_domain::return_freight::FreightPayer::Shop => "freight_shop_pays",
                kesu_domain::return_freight::FreightPayer::Customer => "freight_customer_pays",
                kesu_domain::return_freight::FreightPayer::Insurance => "freight_insurance_pays",
            })
        )),
        // From which category to which.
        Entry::Changed {
            change: Change::Recategorise { from, to, .. },
            ..
        } => Some(format!("{} → {}", lang.label(from), lang.label(to))),
        // How sending an answer to the platform went.
        Entry::Other { action, data } if action == "platform_answer_sent" => {
            let status = data.get("status").and_then(|s| s.as_str()).unwrap_or("");
            Some(
                lang.t(super::platform_answers::status_label(status))
                    .to_owned(),
            )
        }
        _ => None,
    };
    html! {
        li class=(class) {
            span.when { (local_time(e.at, zone)) }
            " " strong { (actor_label(lang, &e.author)) } " · " (action_label(lang, e.entry.action()))
            @if let Some(internal) = comment { " · " (if internal { lang.t("internal_note") } else { lang.t("public_reply") }) }
            @if let Some(a) = &about { " · " (a) }
            @if let Some(to) = e.entry.moved_to() { " → " (lang.label(to)) }
            @if let Some(t) = e.entry.text() { p { (t) } }
            @if !photos.is_empty() {
                p.photos { (lang.t("photos")) ": "
                    @for (i, name) in photos.iter().enumerate() {
                        @if i > 0 { "、" }
                        @match files.iter().find(|f| &f.name == name) {
                            Some(f) => a href={ "/files/" (f.id) } target="_blank" rel="noopener" { (name) },
                            None => (name),
                        }
                    }
                }
            }
        }
    }
}

/// The case's clocks: when each runs out, whether it is stopped, what has fired.
pub(super) fn sla_panel(
    lang: Lang,
    c: &Case,
    timers: &[kesu_store::StoredTimer],
    zone: chrono_tz::Tz,
) -> Markup {
    let d = &c.deadlines;
    let fired = |kind: kesu_domain::sla::TimerKind| {
        timers.iter().filter(|t| t.fired.timer.kind == kind).count()
    };
    use kesu_domain::sla::TimerKind as K;
    let (warnings, breaches, reminders) = (fired(K::Warning), fired(K::Breach), fired(K::Reminder));
    let due = |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(t) => local_time(t, zone),
        None => lang.t("clock_stopped").to_owned(),
    };
    html! {
        h2 { (lang.t("sla")) }
        dl.sla #sla {
            dt { (lang.t("first_response")) }
            dd { @match c.responded_at { Some(at) => { (lang.t("responded_at")) " " (local_time(at, zone)) }, None => (due(d.first_response_by)) } }
            @if c.status.is_open() {
                dt { (lang.t("step_deadline")) } dd { (due(d.step_by)) }
            }
            dt { (lang.t("resolve_deadline")) } dd { (due(d.resolve_by)) }
            @if let Some(p) = d.platform_by { dt { (lang.label(kesu_domain::sla::SlaClock::Platform)) } dd { (local_time(p, zone)) } }
            @if let Some(r) = d.refund_by { dt { (lang.label(kesu_domain::sla::SlaClock::Refund)) } dd #refund-due { (local_time(r, zone)) } }
            dt { (lang.t("priority")) } dd { (lang.label(c.priority)) }
        }
        @if c.is_paused() {
            p.notice.paused { (lang.t("paused_waiting")) }
        }
        @if warnings + breaches + reminders > 0 {
            p.sla-fired {
                @if warnings > 0 { span.badge.amber { (lang.t("sla_warnings")) " " (warnings) } " " }
                @if breaches > 0 { span.badge.red { (lang.t("sla_breaches")) " " (breaches) } " " }
                @if reminders > 0 { span.badge.red { (lang.t("sla_reminders")) " " (reminders) } }
            }
        }
    }
}

/// A consumer association's forwarding and any technical appraisal.
pub(super) fn referral_panel(
    lang: Lang,
    c: &Case,
    association: Option<&kesu_domain::jurisdiction::Association>,
    zone: chrono_tz::Tz,
) -> Markup {
    html! {
        @if let Some(a) = association {
            p #association { (lang.t("association_suggested")) "：" strong { (kesu_domain::jurisdiction_place::association_name(a)) }
                " " span.muted { "（" (lang.t("association_rule")) " " (a.rule) "）" }
                @if let Some(home) = &a.also_at_consumers_home {
                    br; span.muted { (lang.t("association_also_home")) " " (home.province) (home.city) (home.county) }
                }
            }
        }
        @if let Some(r) = &c.referral {
            h2 { (lang.t("referral")) }
            p #referral { (r.body) " · " (lang.label(r.jurisdiction)) " · " (lang.t("referral_reference")) " " (r.reference)
                @if let Some(f) = r.filed_at { " · " (lang.t("filed_on")) " " (local_time(f, zone)) } }
        }
        @if let Some(a) = &c.appraisal {
            h2 { (lang.t("appraisal")) }
            p #appraisal { (a.appraiser) " · " (yuan(a.cost_cents)) " · " (lang.t("appraisal_payer")) ": " (lang.label(a.payer))
                @if let Some(cn) = &a.conclusion { " · " (cn) } }
        }
    }
}

pub(super) fn order_panel(
    lang: Lang,
    carriers: &kesu_domain::carriers::Carriers,
    order_no: Option<&str>,
    order: Option<&Order>,
    unmasked: bool,
    zone: chrono_tz::Tz,
) -> Markup {
    let Some(no) = order_no else { return html! {} };
    let url = super::super::orders::order_url(no);
    let Some(o) = order else {
        // Those who see buyers' data are those who store orders (agents, supervisors, admins).
        return html! { h2 { (lang.t("order")) " " (no) } p.muted { (lang.t("no_order"))
        @if unmasked { " " a href={ (url) "/edit" } { (lang.t("order_enter")) } } } };
    };
    html! {
        h2 { (lang.t("order")) " " a href=(url) title=(lang.t("order_view")) { (o.order_no) } }
        (super::super::orders::order_detail(lang, carriers, o, unmasked, zone))
    }
}

/// The refund quote for the lines the agent picks, computed from the order as it stands.
pub(super) fn quote_panel(
    lang: Lang,
    case_id: i64,
    order: &Order,
    ask: Option<&QuoteAsk>,
) -> Markup {
    let result = ask.map(|a| {
        parse_lines(&a.lines)
            .and_then(|lines| {
                serde_json::from_value::<Vec<kesu_domain::refund::RequestedLine>>(json!(lines))
                    .map_err(|e| e.to_string())
            })
            .and_then(|lines| {
                order.quote(lines, a.shipping).map_err(|e| {
                    e.into_iter()
                        .map(|f| format!("{}: {}", f.field, f.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            })
    });
    html! {
        h3 { (lang.t("quote")) }
        form.inline-form method="get" action={ "/cases/" (case_id) } {
            label { (lang.t("quote_lines")) input name="quote" value=[ask.map(|a| a.lines.as_str())] placeholder=(super::action_forms::lines_placeholder(Some(order))); }
            label.check { input type="checkbox" name="shipping" value="1" checked[ask.is_some_and(|a| a.shipping)]; (lang.t("include_shipping")) }
            button type="submit" { (lang.t("calculate")) }
        }
        @match result {
            Some(Ok(q)) => {
                table.quote {
                    thead { tr { th { (lang.t("lines")) } th { (lang.t("quantity")) } th { (lang.t("cash")) } th { (lang.t("points")) } } }
                    tbody {
                        @for l in &q.lines { tr { td { (l.line_id) } td { (l.quantity) } td { (yuan(l.cash_cents)) } td { (yuan(l.points_cents)) } } }
                        @if q.shipping_cents > Cents::ZERO { tr { td { (lang.t("shipping")) } td {} td { (yuan(q.shipping_cents)) } td {} } }
                        tr.total { th { (lang.t("total")) } td {} th #quote-cash { (yuan(q.cash_cents)) } th { (yuan(q.points_cents)) } }
                        @if q.promotion_adjustment_cents != 0 { tr { td { (lang.t("promotion_adjustment")) } td {} td { (yuan(-q.promotion_adjustment_cents)) } td {} } }
                        @if q.shipping_deducted_cents != 0 { tr { td { (lang.t("shipping_deducted")) } td {} td { (yuan(-q.shipping_deducted_cents)) } td {} } }
                        @if let Some(net) = q.net_cash_cents { tr.total { th { (lang.t("net_refund")) } td {} th #quote-net { (yuan(net)) } td {} } }
                    }
                }
                @if q.customer_owes_cents > 0 { p.error { (lang.t("customer_owes")) " " (yuan(q.customer_owes_cents)) } }
                @if !q.payments.is_empty() {
                    p.muted #quote-payments { (lang.t("refund_to")) ": "
                        (q.payments.iter().map(|p| format!("{} {}", lang.payment(&p.method), yuan(p.cash_cents))).collect::<Vec<_>>().join("，")) }
                }
                @if !q.coupons_reinstated.is_empty() { p.muted { (lang.t("coupons_reinstated")) ": " (q.coupons_reinstated.join("、")) } }
                @if !q.coupons_expired.is_empty() { p.muted { (lang.t("coupons_expired")) ": " (q.coupons_expired.join("、")) } }
            }
            Some(Err(m)) => { p.error role="alert" { (m) } }
            None => {}
        }
    }
}
