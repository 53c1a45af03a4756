//! Inbound e-mail posted by a relay (CONTRACT §8, §9): the raw message in, the case it
//! opened or threaded onto out.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::ToSchema;

use super::attachments::AttachmentView;
use super::views::CaseView;
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::AppState;

/// Largest message taken (a relay hears 413 and bounces a larger one).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/inbound/email",
        post(receive).layer(DefaultBodyLimit::max(MAX_MESSAGE_BYTES)),
    )
}

#[derive(Serialize, ToSchema)]
pub struct InboundResult {
    /// The case the message opened or went onto; null when it was set aside.
    pub case: Option<CaseView>,
    /// The message was a reply written onto an open case.
    pub threaded: bool,
    /// Why the message opened nothing (an automatic reply, a bounce, bulk mail).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignored: Option<String>,
    /// The files it brought that were kept.
    pub attachments: Vec<AttachmentView>,
    /// The files it brought that were not kept, each with the reason.
    pub skipped: Vec<String>,
}

/// Takes a raw e-mail (`Content-Type: message/rfc822`), as a mail relay posts it: a new
/// message opens a case (channel `email`), a reply (`In-Reply-To`/`References`, or the case
/// number in the subject) goes onto its open case as the customer's message. 201 when taken
/// now; 200 with the same case when the Message-ID was taken before (nothing new stored);
/// 202 with `case: null` for an automatic reply or a bounce. The caller must be allowed to
/// register complaints.
#[utoipa::path(post, path = "/api/v1/inbound/email", tag = "cases", security(("bearer" = [])),
    request_body(description = "the raw message (RFC 5322)",
        content(("message/rfc822"), ("application/octet-stream"))),
    responses((status = 201, body = InboundResult), (status = 200, body = InboundResult),
              (status = 202, body = InboundResult), (status = 403, body = crate::error::Problem),
              (status = 413, body = crate::error::Problem), (status = 415, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn receive(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<(StatusCode, Json<InboundResult>)> {
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if !matches!(
        mime.as_deref(),
        Some("message/rfc822") | Some("application/octet-stream")
    ) {
        return Err(ApiError::FileRefused(
            "send the raw message with the header Content-Type: message/rfc822".into(),
        ));
    }
    let body = body.map_err(|_| ApiError::PayloadTooLarge(MAX_MESSAGE_BYTES))?;
    let now = state.clock.now();
    let taken =
        kesu_app::email::take(&state.store, &caller, &body, state.attachment_limits, now).await?;
    let status = match (&taken.case, taken.new) {
        (None, _) if taken.new => StatusCode::ACCEPTED,
        (_, false) => StatusCode::OK,
        _ => StatusCode::CREATED,
    };
    Ok((
        status,
        Json(InboundResult {
            case: taken.case.map(|r| CaseView::new(r, &caller, now)),
            threaded: taken.threaded,
            ignored: taken.ignored,
            attachments: taken.attachments.into_iter().map(Into::into).collect(),
            skipped: taken.skipped,
        }),
    ))
}
