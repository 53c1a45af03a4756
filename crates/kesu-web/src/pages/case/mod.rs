//! The case page: header, the eight steps, the actions allowed now with their fields, the
//! history as a timeline, and the order with what is left to refund.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::case::Case;
use kesu_domain::codes::{Jurisdiction, Liability, ResolutionKind, RootCause};
use kesu_domain::event::Change;
use kesu_domain::fulfilment::{Inspection, ParcelOutcome, Step};
use kesu_domain::history::{Author, Entry, SystemActor};
use kesu_domain::money::{parse_yuan, Cents};
use kesu_domain::order::Order;
use kesu_domain::progress::{moves_case_on, stages, Stage, StageState};
use kesu_domain::reply_check::ReplyRules;
use kesu_domain::{ActionName, CaseStatus, Role};
use kesu_store::{CaseRecord, HistoryEntry};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::i18n::Lang;
use super::posted::{explain, PageError, SignedForm};
use super::queue::badge;
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time, yuan, Form};
use crate::AppState;

mod accountability;
pub(crate) mod action_forms;
mod call_card;
mod cards;
mod evidence;
mod lscpa;
mod panels;
mod parcels;
mod platform;
mod platform_answers;
mod reply_check;
mod returns;
mod reveal;
mod reviews;
mod submit;

pub use action_forms::action_label;
use action_forms::*;
use cards::*;
pub(crate) use evidence::{file_item, upload_form};
use panels::*;
use reply_check::*;
pub(crate) use submit::parse_lines;
use submit::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/act", post(act))
        .route("/cases/{id}/customer-link", post(customer_link))
        .route("/cases/{id}/reveal", post(reveal::reveal))
        .route("/cases/{id}/bad-reviews", post(reviews::record))
        .route("/bad-reviews/{id}/stage", post(reviews::advance))
        .route("/cases/{id}/check-reply", post(check_reply))
        .route("/cases/{id}/accountability", post(accountability::record))
        .route(
            "/cases/{id}/platform-answer",
            post(platform_answers::answer),
        )
        .route(
            "/cases/{id}/files",
            // The upload limits are the files' own, checked as they stream in.
            post(evidence::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/files/{id}", get(evidence::open))
}

/// The locale key of a step's name in the step bar.
fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::Register => "step_register",
        Stage::Judge => "step_judge",
        Stage::Route => "step_route",
        Stage::Analyse => "step_analyse",
        Stage::Propose => "step_propose",
        Stage::Approve => "step_approve",
        Stage::Execute => "step_execute",
        Stage::FollowUp => "step_follow_up",
    }
}

async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let quote = q.iter().find(|(k, _)| k == "quote").map(|(_, v)| QuoteAsk {
        lines: v.clone(),
        shipping: q.iter().any(|(k, v)| k == "shipping" && v == "1"),
    });
    render_full(&state, &s, &id, None, quote).await
}

/// A refund quote the agent asked for on the case page.
pub struct QuoteAsk {
    lines: String,
    shipping: bool,
}

/// Something to tell the agent above the case: an error, or a notice such as a new link.
pub enum Flash {
    Error(StatusCode, String),
    Link(String),
}

pub(super) async fn render(
    state: &AppState,
    s: &PageSession,
    id: &str,
    error: Option<(StatusCode, String)>,
) -> Response {
    render_with(state, s, id, error.map(|(st, m)| Flash::Error(st, m))).await
}

async fn render_with(
    state: &AppState,
    s: &PageSession,
    id: &str,
    flash: Option<Flash>,
) -> Response {
    render_full(state, s, id, flash, None).await
}

/// Everything the case page shows beside the case itself.
struct Loaded {
    history: Vec<HistoryEntry>,
    order: Option<Order>,
    policy: kesu_domain::Policy,
    users: Vec<kesu_store::User>,
    departments: Vec<kesu_store::Department>,
    carriers: kesu_domain::carriers::Carriers,
    open_exceptions: i64,
    timers: Vec<kesu_store::StoredTimer>,
    claims: Vec<kesu_store::Claim>,
    earlier: Vec<CaseRecord>,
    attachments: Vec<kesu_store::Attachment>,
    parcels: Vec<parcels::ParcelStory>,
    notices: Vec<kesu_store::OutboxMessage>,
    /// A platform case's photos still to fetch, and those given up.
    photos_left: (i64, i64),
    /// Bad reviews recorded on the case.
    reviews: Vec<kesu_store::BadReview>,
    /// A platform case's answers to its platform.
    answers: Vec<kesu_store::PlatformAnswer>,
}

impl Loaded {
    async fn read(state: &AppState, record: &CaseRecord) -> Result<Loaded, kesu_store::StoreError> {
        let (store, id) = (&state.store, record.case.id);
        let order = match &record.case.order_no {
            Some(no) => store.order(no).await?,
            None => None,
        };
        let parcels = parcels::read(store, &record.case, order.as_ref()).await?;
        Ok(Loaded {
            history: store.history(id).await?,
            order,
            policy: store.policy().await?,
            users: store.users().await?,
            departments: store.departments().await?,
            carriers: store.carriers().await?,
            open_exceptions: store.open_exceptions_of_case(id).await?,
            timers: store.case_timers(id).await?,
            claims: store.claims(Some(id)).await?,
            earlier: store.earlier_cases(record).await?,
            attachments: store.attachments(id).await?,
            parcels,
            notices: store.case_messages(id).await?,
            reviews: store.case_bad_reviews(id).await?,
            photos_left: match record.case.platform {
                Some(_) => store.platform_images_left(id).await?,
                None => (0, 0),
            },
            answers: match record.case.platform {
                Some(_) => store.platform_answers(id).await?,
                None => Vec::new(),
            },
        })
    }
}

async fn render_full(
    state: &AppState,
    s: &PageSession,
    id: &str,
    flash: Option<Flash>,
    quote: Option<QuoteAsk>,
) -> Response {
    let (error, new_link) = match flash {
        Some(Flash::Error(st, m)) => (Some((st, m)), None),
        Some(Flash::Link(l)) => (None, Some(l)),
        None => (None, None),
    };
    let lang = s.lang;
    let user = &s.session.user;
    let record = match state.visible_case(user, id).await {
        Ok(r) => r,
        Err(_) => return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found")),
    };
    let Loaded {
        history,
        order,
        policy,
        users,
        departments,
        carriers,
        open_exceptions,
        timers,
        claims,
        reviews,
        earlier,
        attachments,
        parcels,
        notices,
        photos_left,
        answers,
    } = match Loaded::read(state, &record).await {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    // Accountability only for those who may see it; the page still works without it.
    let accountable = if user.role.may(kesu_domain::Permission::SeeAccountability) {
        kesu_app::accountability::show(&state.store, user, record.case.id)
            .await
            .map_err(|e| tracing::warn!(error = ?e, "accountability could not be read"))
            .ok()
    } else {
        None
    };
    let actor = user.actor();
    // Only the earlier cases the reader may open (a department its own department's).
    let earlier: Vec<CaseRecord> = earlier
        .into_iter()
        .filter(|r| actor.may_see(&r.case))
        .collect();
    let zone = policy.zone();
    let now = state.clock.now();
    // The notices about this case's shop, SKUs or category; the page works without them.
    let desk_notices =
        kesu_app::notices::for_case(&state.store, user, &record, order.as_ref(), now)
            .await
            .unwrap_or_else(|e| {
                tracing::warn!(error = ?e, "the notices could not be loaded");
                Vec::new()
            });
    // The product knowledge for its SKUs and category; the page works without it.
    let articles = kesu_app::knowledge::for_case(&state.store, &record, order.as_ref())
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = ?e, "the knowledge articles could not be loaded");
            Vec::new()
        });
    // Linked cases and incidents; the page works without them.
    let (links, in_incidents) = tokio::join!(
        state.store.linked_cases(record.case.id),
        state.store.incidents_of_case(record.case.id)
    );
    let links = links.unwrap_or_default();
    let in_incidents = in_incidents.unwrap_or_default();
    let c = &record.case;
    let allowed = kesu_domain::allowed_actions(c, &actor);
    let may_upload = user.role.may(kesu_domain::Permission::WorkCases)
        || user.role.may(kesu_domain::Permission::RegisterCases);
    // The reply box offers the scripts that fit the case, filled with its data.
    // Masked for everyone until they reveal this case with a reason (for half an hour).
    let unmasked = kesu_app::personal_data::revealed(&state.store, user, c.id, now).await;
    let scripts = if allowed.contains(&ActionName::Comment) {
        crate::api::templates::offered(state, &record, user, unmasked, lang.scripts())
            .await
            .unwrap_or_else(|e| {
                // The page still works without the scripts; the cause is logged.
                tracing::warn!(error = ?e, case = %record.case.number, "reply scripts could not be offered");
                Vec::new()
            })
    } else {
        Vec::new()
    };
    let who = record.complainant.view(unmasked);
    // Who registered it, as the history's first entry names them: a colleague, 顾客 through
    // the web form, or the logistics monitor.
    let registered_by = match history.first() {
        Some(first) if matches!(first.entry, Entry::Registered(_)) => {
            actor_label(lang, &first.author)
        }
        _ => c.created_by.clone(),
    };
    // The action that moves the case on comes first and open; the rest wait folded.
    let next = allowed.iter().copied().find(|a| moves_case_on(*a, c));
    let beside: Vec<ActionName> = allowed
        .iter()
        .copied()
        .filter(|a| Some(*a) != next && !matches!(a, ActionName::Comment | ActionName::Take))
        // Reject sits beside approve in the same step.
        .collect();
    // Before the follow-up: the call to prepare, and a note for a call nobody picked up.
    let call_plan = (next == Some(ActionName::FollowUp))
        .then(|| kesu_domain::call_plan::follow_up_call(c))
        .flatten();
    let unanswered = html! {
        @if allowed.contains(&ActionName::Comment) {
            form.call-unanswered method="post" action={ "/cases/" (c.id) "/act" } data-action="call-unanswered" {
                (csrf_field(s))
                input type="hidden" name="action" value="comment";
                input type="hidden" name="version" value=(c.version);
                input type="hidden" name="internal" value="1";
                input type="hidden" name="text" value=(lang.t("call_unanswered_note"));
                button type="submit" { (lang.t("call_unanswered")) }
            }
        }
    };
    let department_name = c.department.as_ref().map(|d| {
        departments
            .iter()
            .find(|x| &x.code == d)
            .map_or(d.as_str(), |x| x.name.as_str())
    });
    // Which consumer association handles it (seed 001), from the shop's registered address
    // and the buyer's.
    let association = (c.channel == kesu_domain::codes::Channel::ConsumerAssociation)
        .then(|| {
            let shop = policy.shop_address.as_deref()?;
            let buyer = order
                .as_ref()
                .and_then(|o| o.buyer.address.as_ref())
                .map(|a| a.as_str().to_owned());
            kesu_domain::jurisdiction_place::suggest(shop, buyer.as_deref())
        })
        .flatten();
    let forms = FormContext {
        users: &users,
        departments: &departments,
        role: user.role,
        scripts: &scripts,
        carriers: &carriers,
        open_exceptions,
        claim_filed: !claims.is_empty(),
        order: order.as_ref(),
        files: &attachments,
        association: association.as_ref(),
    };
    let action_form = |a: ActionName| {
        html! {
            form method="post" action={ "/cases/" (c.id) "/act" } data-action=(a) {
                (csrf_field(s))
                input type="hidden" name="action" value=(a);
                input type="hidden" name="version" value=(c.version);
                (action_fields(lang, a, &record, &forms))
                button.primary type="submit" { (if a == ActionName::Comment { lang.t("send") } else { lang.t("submit") }) }
            }
        }
    };
    let body = html! {
        div.case-head {
            h1 { (c.number) " " span.status { (lang.label(c.status)) } " " (badge(lang, c, now, zone)) }
            p.meta {
                @if let Some(o) = &order { span.shop { (o.shop) } " · " }
                (lang.label(c.category)) " · "
                (lang.t("channel")) ": " (lang.label(c.channel)) " · "
                (lang.t("demand")) ": " (lang.label(c.demand)) " · "
                (lang.t("department")) ": " (department_name.unwrap_or("—")) " · "
                (lang.t("owner")) ": " span.owner { (c.assignee.as_deref().unwrap_or(lang.t("unowned"))) }
                @if let Some(due) = c.deadlines.resolve_by { " · " (lang.t("resolve_deadline")) ": " (local_time(due, zone)) }
                @for t in &c.tags { " " span.tag { (t) } }
            }
            @if allowed.contains(&ActionName::Take) {
                form.take method="post" action={ "/cases/" (c.id) "/act" } data-action="take" {
                    (csrf_field(s))
                    input type="hidden" name="action" value="take";
                    input type="hidden" name="version" value=(c.version);
                    button.primary type="submit" { (lang.t("take")) }
                }
            }
            nav.case-nav data-case=(c.id) data-prev=(lang.t("case_prev")) data-next=(lang.t("case_next")) {}
        }
        ol.steps aria-label=(lang.t("steps")) {
            @for (stage, state) in stages(c) {
                li class=(state.code()) aria-current=[(state == StageState::Current).then_some("step")]
                    title=[(state == StageState::Skipped).then(|| lang.t("step_skipped"))] {
                    (lang.t(stage_label(stage)))
                    @if state == StageState::Skipped { span.sr { " · " (lang.t("step_skipped")) } }
                }
            }
        }
        @if let Some((_, message)) = &error { div.error role="alert" { (message) } }
        @if let Some(l) = &new_link {
            div.notice role="status" { (lang.t("customer_link_new")) " " a #customer-link href=(l) { (l) } }
        }
        div.case-grid {
            div.main-col {
                @if let Some(r) = kesu_domain::renegotiation::guide(c) { (lscpa::panel(lang, &r)) }
                @if let Some(plan) = call_plan.as_ref() {
                    (call_card::call_card(lang, c, plan, &who, &carriers, unanswered, zone))
                }
                @if let Some(a) = next {
                    section.panel.next-step {
                        h2 { (lang.t("next_step")) ": " (action_label(lang, a.code())) }
                        (action_form(a))
                    }
                }
                @if allowed.contains(&ActionName::Comment) {
                    section.panel.reply {
                        h2 { @if user.role == Role::Department { (lang.t("internal_note_title")) } @else { (lang.t("reply_to_customer")) } }
                        (action_form(ActionName::Comment))
                    }
                }
                (decision_cards(lang, c, zone))
                @if !beside.is_empty() {
                    details.panel.more-actions {
                        summary { (lang.t("more_actions")) " (" (beside.len()) ")" }
                        @for a in &beside {
                            details {
                                summary { (action_label(lang, a.code())) }
                                (action_form(*a))
                            }
                        }
                    }
                }
                @if allowed.is_empty() { p.muted { (lang.t("no_actions")) } }
                @if user.role == Role::Admin && c.status.is_open() { p.muted { (lang.t("admin_no_cases_hint")) } }
                (evidence::evidence_panel(lang, c.id, &s.session.csrf, &attachments, &state.attachment_limits, may_upload, zone))
                section.panel {
                    h2 { (lang.t("history")) }
                    ol.timeline { @for e in history.iter().rev() { (timeline_entry(lang, e, &attachments, zone)) } }
                }
            }
            aside.side-col {
                (platform::platform_panel(lang, c, photos_left, now, zone))
                (platform_answers::answers_panel(s, c, &answers, zone))
                section.panel {
                    h2 { (lang.t("customer")) }
                    p { (who.name) @if who.masked { " " span.muted { (lang.t("masked")) } } }
                    @if let Some(p) = &who.phone { p { (lang.t("phone")) ": " (p) } }
                    @if let Some(e) = &who.email { p { (lang.t("email")) ": " (e) } }
                    @if user.role.sees_personal_data() {
                        @if unmasked {
                            p.muted { (lang.t("reveal_shown")) }
                        } @else {
                            (reveal::reveal_form(s, c.id))
                        }
                    }
                    @if user.role.sees_personal_data() && c.status.is_open() {
                        form method="post" action={ "/cases/" (c.id) "/customer-link" } {
                            (csrf_field(s))
                            button.link type="submit" { (lang.t("customer_link")) }
                        }
                    }
                    (earlier_cases(lang, &earlier, zone))
                    h2 { (lang.t("description")) }
                    p.description { (c.description) }
                    p.muted { (lang.t("received_at")) ": " (local_time(c.received_at, zone)) " · " (lang.t("created_by")) ": " (registered_by) }
                    (sla_panel(lang, c, &timers, zone))
                    (referral_panel(lang, c, association.as_ref(), zone))
                }
                @if !desk_notices.is_empty() {
                    section.panel #case-notices {
                        h2 { (lang.t("notices_for_case")) }
                        @for n in &desk_notices { (super::notices::card(s, n, &format!("/cases/{}", c.id), zone)) }
                    }
                }
                (super::incidents::case_panel(s, c, &links, &in_incidents))
                (super::knowledge::case_panel(lang, &articles))
                @if c.order_no.is_some() {
                    section.panel {
                        (order_panel(lang, &carriers, c.order_no.as_deref(), order.as_ref(), unmasked, zone))
                        (super::logistics::claims_panel(s, c, order.as_ref(), &claims, &attachments, &carriers, zone))
                        @if let Some(o) = &order { (returns::return_rights_panel(lang, o, now, zone)) }
                        @if let Some(o) = &order { (quote_panel(lang, c.id, o, quote.as_ref())) }
                    }
                }
                (parcels::parcels_panel(lang, &carriers, &parcels, zone))
                @if !reviews.is_empty() || (user.role.handles_cases() && c.status.is_open()) {
                    (reviews::panel(s, c.id, &reviews, user.role.handles_cases(), zone))
                }
                (super::outbox::notices_panel(lang, &notices, unmasked, zone))
                @if let Some(a) = &accountable { (accountability::panel(s, c.id, a, &users, &departments, zone)) }
            }
        }
        (super::script_file("/assets/kesu-workbench.js"))
    };
    let status = error.as_ref().map(|(st, _)| *st).unwrap_or(StatusCode::OK);
    (status, layout(s, &c.number, body)).into_response()
}
