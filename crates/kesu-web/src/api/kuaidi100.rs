//! The kuaidi100 subscription push receiver. kuaidi100 posts a form field `param` holding
//! JSON: `lastResult.state` is the parcel's state now, `data[]` its scans newest first,
//! `status` `shutdown`/`abort` when monitoring ends. The URL carries the integration's
//! secret (set by an admin), compared in constant time.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use chrono::{NaiveDateTime, TimeZone};
use kesu_domain::tracking::{TrackingEvent, TrackingStatus};
use kesu_domain::Role;
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations/kuaidi100", put(set_secret))
        .route("/integrations/kuaidi100/{secret}", post(push))
}

#[derive(Deserialize)]
struct Push {
    #[serde(default)]
    status: String,
    #[serde(rename = "lastResult")]
    last_result: LastResult,
}

#[derive(Deserialize)]
struct LastResult {
    state: String,
    com: String,
    nu: String,
    #[serde(default)]
    data: Vec<Scan>,
}

#[derive(Deserialize)]
struct Scan {
    #[serde(default)]
    context: String,
    #[serde(default)]
    time: String,
    #[serde(default)]
    location: Option<String>,
}

/// kuaidi100's company codes → kesu's carrier codes.
fn carrier(com: &str) -> String {
    match com {
        "yuantong" => "yto",
        "shunfeng" => "sf",
        "zhongtong" => "zto",
        "shentong" => "sto",
        "yunda" => "yunda",
        "jd" | "jingdong" => "jd",
        "ems" => "ems",
        other => other,
    }
    .chars()
    .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
    .collect::<String>()
    .to_ascii_lowercase()
}

fn reply(ok: bool, message: &str) -> Response {
    let code = if ok { "200" } else { "500" };
    (
        StatusCode::OK,
        Json(json!({"result": ok, "returnCode": code, "message": message})),
    )
        .into_response()
}

/// kuaidi100's subscription push (a form field `param` holding its JSON), under the secret
/// path an admin set. Always answers in kuaidi100's own `{"result", "returnCode",
/// "message"}`; an unknown secret is 404.
#[utoipa::path(post, path = "/api/v1/integrations/kuaidi100/{secret}", tag = "logistics",
    params(("secret" = String, Path, description = "the secret set with PUT /api/v1/integrations/kuaidi100")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "param=<kuaidi100's push JSON>"),
    responses((status = 200, description = "kuaidi100's answer: result true, or false with a message",
        content_type = "application/json", body = Object),
        (status = 404, description = "no such secret")))]
pub(super) async fn push(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    let unknown = || ApiError::NotFound("no such endpoint".into()).into_response();
    let expected = match state.store.setting("kuaidi100_secret").await {
        Ok(Some(s)) => s,
        Ok(None) => return unknown(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !crate::same_secret(&secret, &expected) {
        return unknown();
    }
    let param = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "param")
        .map(|(_, v)| v.into_owned());
    let Some(push) = param.and_then(|p| serde_json::from_str::<Push>(&p).ok()) else {
        return reply(false, "param 缺失或格式错误");
    };
    let r = &push.last_result;
    let Some(now_status) = TrackingStatus::from_kuaidi100(&r.state) else {
        return reply(true, "未知状态，已忽略");
    };
    let zone = state.zone().await;
    // Newest first: the newest scan carries the state; older ones are the way there.
    let mut events = Vec::new();
    for (i, scan) in r.data.iter().enumerate() {
        let Ok(naive) = NaiveDateTime::parse_from_str(scan.time.trim(), "%Y-%m-%d %H:%M:%S") else {
            continue;
        };
        let Some(at) = zone.from_local_datetime(&naive).earliest() else {
            continue;
        };
        events.push(TrackingEvent {
            carrier: carrier(&r.com),
            tracking_no: r.nu.trim().to_owned(),
            at: at.with_timezone(&chrono::Utc),
            status: if i == 0 {
                now_status
            } else {
                TrackingStatus::InTransit
            },
            location: scan.location.clone().filter(|l| !l.trim().is_empty()),
            text: Some(scan.context.clone()).filter(|t| !t.trim().is_empty()),
        });
    }
    events.reverse();
    if events.iter().any(|e| {
        e.carrier.is_empty() || kesu_domain::text::identifier("nu", &e.tracking_no, 40).is_err()
    }) {
        return reply(false, "运单号或快递公司无效");
    }
    match kesu_app::tracking::ingest(&state.store, &events, state.clock.now()).await {
        Ok(_) => {
            if push.status == "abort" {
                tracing::warn!(tracking = %r.nu, "kuaidi100 stopped monitoring a parcel (abort)");
            }
            reply(true, "成功")
        }
        Err(e) => {
            tracing::error!(error = %e, "a kuaidi100 push could not be stored");
            reply(false, "保存失败，请重试")
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRequest {
    /// 16–128 letters and digits: the last part of the push URL given to kuaidi100.
    pub secret: String,
}

/// Sets the secret of the kuaidi100 push URL `/api/v1/integrations/kuaidi100/{secret}` (admin).
#[utoipa::path(put, path = "/api/v1/integrations/kuaidi100", tag = "logistics", security(("bearer" = [])),
    request_body = SecretRequest,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_secret(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(req): ApiJson<SecretRequest>,
) -> ApiResult<StatusCode> {
    if caller.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only admins set integration secrets".into(),
        ));
    }
    let s = req.secret.trim();
    if !(16..=128).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::explained(
            "secret",
            kesu_domain::Problem::Length { min: 16, max: 128 },
            "use 16–128 letters and digits",
        ));
    }
    state.store.set_setting("kuaidi100_secret", s).await?;
    Ok(StatusCode::NO_CONTENT)
}
