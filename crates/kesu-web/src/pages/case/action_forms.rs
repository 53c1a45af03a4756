//! The forms of the actions allowed now: each action's fields, in the agent's words.

use super::*;

pub fn action_label(lang: Lang, action: &str) -> String {
    lang.action(action)
}

pub(super) fn text_field(
    lang: Lang,
    name: &'static str,
    label: &'static str,
    required: bool,
) -> Markup {
    html! {
        label { (lang.t(label)) @if required { " " abbr.req title=(lang.t("required")) { "*" } }
            textarea name=(name) rows="2" required[required] {} }
    }
}

/// What a "line:quantity" field looks like for this order (`L1:1, L2:1`), from its own
/// line numbers; the usual form when there is no order.
pub(super) fn lines_placeholder(order: Option<&kesu_domain::order::Order>) -> String {
    let example = super::super::lines_example(
        order
            .into_iter()
            .flat_map(|o| &o.amounts.lines)
            .map(|l| l.line_id.as_str()),
    );
    if example.is_empty() {
        "1:1".to_owned()
    } else {
        example
    }
}

pub(super) fn select_codes(
    lang: Lang,
    name: &'static str,
    label: &'static str,
    codes: &[(&'static str, impl AsRef<str>)],
    selected: Option<&str>,
) -> Markup {
    html! {
        label { (lang.t(label))
            select name=(name) required {
                // Nothing is chosen for the user: an unchosen select cannot be sent.
                option value="" selected[selected.is_none()] { (lang.t("choose_one")) }
                @for (code, label) in codes { option value=(code) selected[selected == Some(*code)] { (label.as_ref()) } }
            }
        }
    }
}

/// What the forms offer to pick from: colleagues, departments, scripts, carriers; and who
/// reads them.
#[derive(Clone, Copy)]
pub(super) struct FormContext<'a> {
    pub users: &'a [kesu_store::User],
    pub departments: &'a [kesu_store::Department],
    pub role: Role,
    pub scripts: &'a [kesu_domain::scripts::Rendered],
    pub carriers: &'a kesu_domain::carriers::Carriers,
    /// The case's logistics exceptions still open, and whether a carrier claim was filed:
    /// closing resolves them, so the close form says so first.
    pub open_exceptions: i64,
    pub claim_filed: bool,
    /// The case's order, for what its forms start from (the carrier it shipped with).
    pub order: Option<&'a kesu_domain::order::Order>,
    /// The case's files, for the inspection to name its photos by.
    pub files: &'a [kesu_store::Attachment],
    /// The consumer association seed 001 points to (consumer-association cases).
    pub association: Option<&'a kesu_domain::jurisdiction::Association>,
}

pub(super) fn action_fields(
    lang: Lang,
    action: ActionName,
    record: &CaseRecord,
    ctx: &FormContext,
) -> Markup {
    let FormContext {
        users,
        departments,
        role,
        scripts,
        carriers,
        open_exceptions,
        claim_filed,
        order,
        files,
        association,
    } = *ctx;
    let c = &record.case;
    match action {
        ActionName::Judge => html! {
            fieldset.inline {
                label.check { input type="radio" name="valid" value="true" checked; (lang.t("valid")) }
                label.check { input type="radio" name="valid" value="false"; (lang.t("invalid")) }
            }
            (text_field(lang, "reason", "reason", false))
            // Judged invalid, the case closes at once.
            @if c.responded_at.is_none() {
                label.check { input type="checkbox" name="confirm_unanswered" value="1"; (lang.t("close_unanswered_if_invalid")) }
            }
        },
        ActionName::Route => html! {
            label { (lang.t("department"))
                select name="department" required {
                    @for d in departments {
                        @let suggested = c.suggested_department.as_ref() == Some(&d.code);
                        option value=(d.code.as_str()) selected[suggested] { (d.name) " (" (d.code.as_str()) ")" @if suggested { " · " (lang.t("suggested")) } }
                    }
                }
            }
        },
        ActionName::Analyse => {
            // Nothing is chosen for the department: the usual cause of this kind of
            // complaint is offered as one button that fills both, for them to confirm.
            let usual = c.category.usual_cause();
            html! {
            @if let Some((liability, cause)) = usual {
                p.usual-cause {
                    (lang.t("usual_cause")) ": " (lang.label(liability)) " / " (lang.label(cause)) " "
                    button.use-usual type="button" data-liability=(liability.code()) data-root-cause=(cause.code()) { (lang.t("use_suggestion")) }
                }
            }
            (select_codes(lang, "liability", "liability", &Liability::ALL.iter().map(|l| (l.code(), lang.label(l))).collect::<Vec<_>>(), None))
            (select_codes(lang, "root_cause", "root_cause", &RootCause::ALL.iter().map(|r| (r.code(), lang.label(r))).collect::<Vec<_>>(), None))
            (text_field(lang, "findings", "findings", true))
            }
        }
        ActionName::Propose => html! {
            @for i in 0..3 {
                fieldset.option {
                    legend { (lang.t("option")) " " (i + 1) }
                    label { (lang.t("kind"))
                        select name="opt_kind" required[i == 0] {
                            @if i > 0 { option value="" { "—" } }
                            // The first option starts from what the customer asked for.
                            @for k in ResolutionKind::ALL { option value=(k.code()) selected[i == 0 && c.demand.resolution() == Some(*k)] { (lang.label(k)) } }
                        }
                    }
                    label { (lang.t("amount_yuan")) input name="opt_amount" inputmode="decimal"; }
                    label { (lang.t("option_lines")) input name="opt_lines" placeholder=(lines_placeholder(order)); }
                    label.check { input type="checkbox" name="opt_shipping" value=(i); (lang.t("include_shipping")) }
                    label { (lang.t("note")) input name="opt_note"; }
                }
            }
        },
        ActionName::Choose => html! {
            @for (i, o) in c.options.iter().enumerate() {
                label.check { input type="radio" name="option" value=(i) required;
                    (lang.label(o.kind))
                    @if let Some(a) = o.amount_cents { " " (yuan(a)) }
                    @if let Some(n) = &o.note { " — " (n) } }
            }
        },
        ActionName::Approve => text_field(lang, "comment", "comment", false),
        ActionName::Reject => text_field(lang, "comment", "comment", true),
        ActionName::Execute => text_field(lang, "note", "note", true),
        ActionName::FollowUp => html! {
            label { (lang.t("follow_up_way"))
                select name="way" {
                    option value="phone" { (lang.t("way_phone")) }
                    option value="message" { (lang.t("way_message")) }
                }
            }
            fieldset.inline {
                label.check { input type="radio" name="satisfied" value="true" required; (lang.t("satisfied")) }
                label.check { input type="radio" name="satisfied" value="false"; (lang.t("not_satisfied")) }
            }
            label { (lang.t("rating")) select name="rating" { option value="" { "—" } @for r in (1..=5).rev() { option value=(r) { (r) " ★" } } } }
            (text_field(lang, "comment", "comment", false))
        },
        ActionName::Close => html! {
            @if open_exceptions > 0 {
                p.warning #close-exceptions role="note" {
                    (lang.t("close_resolves_exceptions")) " (" (open_exceptions) ")"
                    @if !claim_filed { " " a href="#file-claim" { (lang.t("close_claim_first")) } }
                }
            }
            @if c.responded_at.is_none() {
                p.warning role="alert" { (lang.t("close_unanswered_warning")) }
                label.check { input type="checkbox" name="confirm_unanswered" value="1" required; (lang.t("close_unanswered_confirm")) }
            }
            (text_field(lang, "summary", "summary", true)) (text_field(lang, "lessons", "lessons", false))
        },
        ActionName::Assign => html! {
            label { (lang.t("user"))
                select name="user" required {
                    @for u in users.iter().filter(|u| !u.disabled && u.role.handles_cases()) {
                        option value=(u.username) selected[c.assignee.as_deref() == Some(u.username.as_str())] { (u.username) " (" (lang.label(u.role)) ")" }
                    }
                }
            }
        },
        ActionName::Comment => {
            // A customer not yet answered gets the suggested first reply, ready to adjust
            // and send; departments write internal notes only.
            let suggested = (c.responded_at.is_none() && role != Role::Department)
                .then(|| {
                    scripts
                        .iter()
                        .find(|r| r.scenario == kesu_domain::scripts::Scenario::FirstReply)
                })
                .flatten();
            let trigger = if suggested.is_some() {
                "load, input changed delay:400ms"
            } else {
                "input changed delay:400ms"
            };
            html! {
            @if !scripts.is_empty() {
                label { (lang.t("reply_scripts"))
                    select.script-pick {
                        option value="" { (lang.t("script_pick")) }
                        @for r in scripts {
                            option value=(r.text) data-id=(r.id) selected[suggested.is_some_and(|x| x.id == r.id)] {
                                (r.title)
                                @if !r.missing.is_empty() { " · " (lang.t("script_missing")) }
                            }
                        }
                    }
                }
                (super::super::script_file("/assets/kesu-pick.js"))
            }
            // The reply checker runs as the agent types and shows what to change.
            label { (lang.t("text")) " " abbr.req title=(lang.t("required")) { "*" }
                textarea name="text" rows="5" required
                    hx-post={ "/cases/" (c.id) "/check-reply" } hx-trigger=(trigger)
                    hx-target="next .reply-findings" hx-include="closest form" { @if let Some(r) = suggested { (r.text) } } }
            div.reply-findings aria-live="polite" {}
            @if role == Role::Supervisor {
                label.check { input type="checkbox" name="override_check" value="1"; (lang.t("override_check")) }
            }
            @if role == Role::Department {
                input type="hidden" name="internal" value="1";
                p.muted { (lang.t("internal_note")) }
            } @else {
                label.check { input type="checkbox" name="internal" value="1"; (lang.t("internal")) }
            }
            p.muted.hint { (lang.t("mention_hint")) }
            p.muted.hint { (lang.t("shortcut_send")) }
            }
        }
        ActionName::Step(Step::TrackParcel) => {
            let statuses: Vec<_> = kesu_domain::tracking::TrackingStatus::ALL
                .iter()
                .map(|t| (t.code(), lang.label(t)))
                .collect();
            html! { (select_codes(lang, "status", "parcel_status", &statuses, None)) (text_field(lang, "note", "note", false)) }
        }
        ActionName::Step(Step::ParcelBack) => html! {
            (select_codes(lang, "outcome", "outcome", &ParcelOutcome::ALL.iter().map(|o| (o.code(), lang.label(o))).collect::<Vec<_>>(), None))
            p.muted.hint { (lang.t("goods_back_hint")) }
            (goods_proof(lang, role))
            (text_field(lang, "note", "note", false))
        },
        ActionName::Step(Step::ReceiveReturn) => html! {
            @if role == Role::Agent { p.muted.hint { (lang.t("return_received_hint")) } }
            @if role == Role::Supervisor { (override_field(lang)) }
            (text_field(lang, "note", "note", false))
        },
        ActionName::Step(step @ (Step::ReturnShipped | Step::ShipReplacement)) => {
            // A replacement usually goes with the carrier the order shipped with.
            let usual = (step == Step::ShipReplacement)
                .then(|| {
                    order
                        .and_then(|o| o.shipments.first())
                        .map(|s| s.carrier.as_str())
                })
                .flatten();
            html! {
            label { (lang.t("carrier")) (super::super::carriers::carrier_select(lang, "carrier", carriers, usual)) }
            label { (lang.t("tracking_no")) input name="tracking_no" required; }
            @if step == Step::ReturnShipped {
                label { (lang.t("return_freight")) input name="freight" inputmode="decimal" placeholder="12.00"; }
                p.muted.hint { (lang.t("return_freight_hint")) }
            }
            (text_field(lang, "note", "note", false))
            }
        }
        ActionName::Step(Step::Inspect) => html! {
            (select_codes(lang, "result", "result", &Inspection::ALL.iter().map(|r| (r.code(), lang.label(r))).collect::<Vec<_>>(), None))
            label { (lang.t("accepted_lines")) input name="lines" placeholder=(lines_placeholder(order)); }
            label.check { input type="checkbox" name="spec_matches" value="1" checked; (lang.t("spec_matches")) }
            @if files.is_empty() {
                p.muted { (lang.t("evidence_files_none")) }
            } @else {
                fieldset.inspection-files {
                    legend { (lang.t("photos")) }
                    @for f in files { label.check { input type="checkbox" name="photo" value=(f.name); (f.name) } }
                }
            }
            (text_field(lang, "note", "note", false))
        },
        ActionName::Step(Step::Refund) => {
            html! {
                label { (lang.t("method")) select name="method" {
                    // Back the way it was paid unless the customer asks otherwise.
                    @for m in kesu_domain::order::REFUND_METHODS { option value=(m) { (lang.payment(m)) } }
                } }
                (text_field(lang, "note", "note", false))
            }
        }
        ActionName::WaitCustomer => text_field(lang, "reason", "wait_reason", true),
        ActionName::RecordReferral => {
            let r = c.referral.as_ref();
            // Until recorded, the form starts from the association seed 001 points to.
            let suggested = association.filter(|_| r.is_none());
            let body = r
                .map(|r| r.body.clone())
                .or_else(|| suggested.map(kesu_domain::jurisdiction_place::association_name));
            let level = r.map(|r| r.jurisdiction.code()).or_else(|| {
                suggested
                    .and_then(|a| kesu_domain::jurisdiction_place::referral_level(a.level))
                    .map(|j| j.code())
            });
            html! {
                label { (lang.t("referral_body")) input name="body" required value=[body]; }
                (select_codes(lang, "jurisdiction", "jurisdiction", &Jurisdiction::ALL.iter().map(|j| (j.code(), lang.label(j))).collect::<Vec<_>>(), level))
                label { (lang.t("referral_reference")) input name="reference" required value=[r.map(|r| r.reference.as_str())]; }
                label { (lang.t("filed_on")) (super::super::date_input(lang, "filed_on", "")) }
            }
        }
        ActionName::RecordAppraisal => html! {
            label { (lang.t("appraiser")) input name="appraiser" required; }
            label { (lang.t("appraisal_cost")) input name="cost" inputmode="decimal" required; }
            label { (lang.t("appraisal_payer"))
                select name="payer" {
                    option value="" { (lang.t("payer_from_analysis")) }
                    @for l in Liability::ALL { option value=(l.code()) { (lang.label(l)) } }
                }
            }
            (text_field(lang, "conclusion", "conclusion", false))
        },
        ActionName::Recategorise => {
            // The current category is not offered: choosing it would change nothing.
            let others: Vec<(&'static str, &str)> = kesu_domain::codes::Category::ALL
                .iter()
                .filter(|k| **k != c.category)
                .map(|k| (k.code(), lang.label(k)))
                .collect();
            html! {
                (select_codes(lang, "category", "category", &others, None))
                (text_field(lang, "reason", "recategorise_reason", false))
            }
        }
        // Claiming asks nothing: the button says it all.
        ActionName::Take => html! {},
        ActionName::Resume
        | ActionName::Step(Step::ConfirmNotShipped | Step::CancelOrder | Step::Restock) => {
            text_field(lang, "note", "note", false)
        }
    }
}

/// The proof a refund after shipping waits for, beyond the carrier's tracking: the
/// warehouse's receipt with its inspection, or a supervisor's reason to go on without.
fn goods_proof(lang: Lang, role: Role) -> Markup {
    html! {
        @if matches!(role, Role::Department | Role::Supervisor) {
            fieldset.goods-proof {
                legend { (lang.t("warehouse_receipt")) }
                label.check { input type="checkbox" name="received" value="1"; (lang.t("received_back")) }
                label { (lang.t("result"))
                    select name="result" {
                        option value="" { (lang.t("choose_one")) }
                        @for r in Inspection::ALL { option value=(r.code()) { (lang.label(r)) } }
                    }
                }
            }
        }
        @if role == Role::Supervisor { (override_field(lang)) }
    }
}

fn override_field(lang: Lang) -> Markup {
    html! {
        label { (lang.t("override_reason"))
            textarea name="override_reason" rows="2" placeholder=(lang.t("override_reason_hint")) {} }
    }
}
