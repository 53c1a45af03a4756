//! The reply checker over HTTP (docs/interface.md §8): findings with positions, kind, the words and
//! a suggested rewording; `blocking` when the reply must not be sent as it is.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use kesu_domain::codes::Channel;
use kesu_domain::reply_check::{blocks, check, Finding, Purpose, Reply, ReplyRules};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/replies/check", post(check_reply))
        .route("/replies/rules", get(rules).put(set_rules))
}

/// The reply checker's words in force.
#[utoipa::path(get, path = "/api/v1/replies/rules", tag = "replies", security(("bearer" = [])),
    responses((status = 200, body = ReplyRules)))]
async fn rules(State(state): State<AppState>, Caller(_): Caller) -> ApiResult<Json<ReplyRules>> {
    Ok(Json(state.store.reply_rules().await?))
}

/// Replaces the reply checker's words (admin only); used from the next check on.
#[utoipa::path(put, path = "/api/v1/replies/rules", tag = "replies", security(("bearer" = [])),
    request_body = ReplyRules,
    responses((status = 200, body = ReplyRules), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_rules(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ReplyRules>> {
    super::require_admin(&caller, "change the reply checker's words")?;
    let rules: ReplyRules = from_value(body)?;
    rules.validate().map_err(ApiError::Invalid)?;
    state
        .store
        .set_reply_rules(
            &rules,
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    Ok(Json(rules))
}

/// A reply to check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckRequest {
    #[schema(min_length = 1)]
    pub text: String,
    /// The channel it goes out on; off-platform contact blocks on `platform`.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// `first_reply` must greet and apologise, `closing` must thank (default `reply`).
    #[serde(default)]
    pub purpose: Purpose,
    /// The case it answers: the customer's phone, e-mail and address must not appear in it.
    #[serde(default)]
    pub case_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResult {
    pub findings: Vec<Finding>,
    /// Whether any finding blocks sending.
    pub blocking: bool,
}

/// Longest reply checked (a reply, not a book).
pub const MAX_REPLY_CHARS: usize = 5000;

/// Checks a reply before it is sent.
#[utoipa::path(post, path = "/api/v1/replies/check", tag = "cases", security(("bearer" = [])),
    request_body = CheckRequest,
    responses((status = 200, body = CheckResult), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn check_reply(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<CheckResult>> {
    let req: CheckRequest = from_value(body)?;
    if req.text.chars().count() > MAX_REPLY_CHARS {
        return Err(ApiError::explained(
            "text",
            kesu_domain::Problem::TooLong {
                max: MAX_REPLY_CHARS as i64,
            },
            format!("at most {MAX_REPLY_CHARS} characters"),
        ));
    }
    let personal = match req.case_id {
        None => Vec::new(),
        Some(id) => {
            let record = kesu_app::cases::visible_case(&state.store, &caller.actor(), id).await?;
            record.complainant.contact_details()
        }
    };
    let rules = state.store.reply_rules().await?;
    Ok(Json(run(
        &rules,
        &req.text,
        req.channel,
        req.purpose,
        personal,
    )))
}

/// Runs the checker.
pub fn run(
    rules: &ReplyRules,
    text: &str,
    channel: Option<Channel>,
    purpose: Purpose,
    personal: Vec<String>,
) -> CheckResult {
    let findings = check(
        rules,
        &Reply {
            text,
            channel,
            purpose,
            personal,
        },
    );
    CheckResult {
        blocking: blocks(&findings),
        findings,
    }
}
