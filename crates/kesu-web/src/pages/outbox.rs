//! What kesu sent out: the customer's notices on their case page (sent, waiting for a retry,
//! given up), and for the admin the notices that failed and the webhook delivery log, each
//! with a button to send it again.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::Role;
use kesu_store::OutboxMessage;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{AdminForm, PageError};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::api::notifications::recipient;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/outbox", get(page))
        .route("/admin/outbox/{id}/retry", post(retry))
}

/// How many of each list the page shows.
const SHOWN: i64 = 200;

fn channel_label(lang: Lang, channel: &str) -> &'static str {
    match channel {
        "email" => lang.t("channel_email_notice"),
        "sms" => lang.t("channel_sms_notice"),
        _ => "Webhook",
    }
}

/// A notice's moment in the customer's words (已受理, 已退款 …); a webhook's event code as
/// the shop's systems know it.
fn event_label(lang: Lang, event: &str) -> String {
    let key = format!("notice_{event}");
    lang.lookup(&key)
        .map_or_else(|| event.to_owned(), str::to_owned)
}

fn status_label(lang: Lang, m: &OutboxMessage) -> (&'static str, &'static str) {
    match m.status.as_str() {
        "sent" => ("sent", lang.t("notice_sent")),
        "failed" => ("failed", lang.t("notice_failed")),
        _ if m.last_error.is_some() => ("retrying", lang.t("notice_retrying")),
        _ => ("queued", lang.t("notice_queued")),
    }
}

/// The case page's list of what the customer was sent, with failures in plain sight.
pub fn notices_panel(
    lang: Lang,
    messages: &[OutboxMessage],
    sees_personal_data: bool,
    zone: chrono_tz::Tz,
) -> Markup {
    if messages.is_empty() {
        return html! {};
    }
    html! {
        section.panel.notices #notices {
            h2 { (lang.t("notices")) }
            ul.notices {
                @for m in messages.iter().rev() {
                    @let (code, said) = status_label(lang, m);
                    li class=(code) {
                        span.when { (local_time(m.done_at.unwrap_or(m.created_at), zone)) } " "
                        strong { (event_label(lang, &m.event)) } " · "
                        (channel_label(lang, &m.channel)) " " (recipient(m, sees_personal_data)) " · "
                        span.state { (said) }
                        @if m.status != "sent" { @if let Some(e) = &m.last_error { p.muted { (e) } } }
                    }
                }
            }
        }
    }
}

async fn page(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    if s.session.user.role != Role::Admin {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let loaded = async {
        let failed = state.store.outbox_messages(None, true, SHOWN).await?;
        let deliveries = state
            .store
            .outbox_messages(Some("webhook"), false, SHOWN)
            .await?;
        Ok::<_, kesu_store::StoreError>((failed, deliveries))
    }
    .await;
    let (failed, deliveries) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let notices: Vec<&OutboxMessage> = failed.iter().filter(|m| m.channel != "webhook").collect();
    let zone = state.zone().await;
    let again = q.iter().any(|(k, _)| k == "queued");
    let table = |rows: Vec<&OutboxMessage>| {
        html! {
            table.cards.outbox {
                thead { tr {
                    th { (lang.t("time")) } th { (lang.t("case")) } th { (lang.t("notice_to")) }
                    th { (lang.t("notice_event")) } th { (lang.t("status")) } th { (lang.t("notice_attempts")) }
                    th { (lang.t("notice_error")) } th {}
                } }
                tbody { @for m in rows {
                    @let (code, said) = status_label(lang, m);
                    tr class=(code) {
                        td data-label=(lang.t("time")) { (local_time(m.created_at, zone)) }
                        td data-label=(lang.t("case")) { a href={ "/cases/" (m.case_id) } { "#" (m.case_id) } }
                        td data-label=(lang.t("notice_to")) { (channel_label(lang, &m.channel)) " " (recipient(m, true)) }
                        td data-label=(lang.t("notice_event")) { (event_label(lang, &m.event)) }
                        td data-label=(lang.t("status")) { (said) }
                        td data-label=(lang.t("notice_attempts")) { (m.attempts) }
                        td data-label=(lang.t("notice_error")) { (m.last_error.as_deref().unwrap_or("—")) }
                        td {
                            @if m.status != "queued" {
                                form method="post" action={ "/admin/outbox/" (m.id) "/retry" } {
                                    (csrf_field(&s))
                                    button type="submit" { (lang.t("send_again")) }
                                }
                            }
                        }
                    }
                } }
            }
        }
    };
    let body = html! {
        h1 { (lang.t("outbox")) }
        @if again { div.notice role="status" { (lang.t("queued_again")) } }
        section.panel {
            h2 { (lang.t("failed_notices")) " (" (notices.len()) ")" }
            @if notices.is_empty() { p.muted { (lang.t("no_failed_notices")) } } @else { (table(notices)) }
        }
        section.panel {
            h2 { (lang.t("webhook_deliveries")) }
            @if deliveries.is_empty() { p.muted { (lang.t("no_deliveries")) } } @else { (table(deliveries.iter().collect())) }
        }
    };
    layout(&s, lang.t("outbox"), body).into_response()
}

async fn retry(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm(s, _): AdminForm,
) -> Response {
    let Ok(id) = kesu_app::id_in_path(&id, "message") else {
        return PageError::not_found(s.lang).into_response();
    };
    match state.store.requeue_message(id, state.clock.now()).await {
        Ok(true) => Redirect::to("/admin/outbox?queued=1").into_response(),
        Ok(false) => PageError::not_found(s.lang).into_response(),
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}
