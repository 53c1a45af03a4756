//! Departments and the policy (approval limits, routing, deadlines, time zone).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kesu_domain::after_sales_policy::AfterSalesPolicy;
use kesu_domain::codes::DepartmentCode;
use kesu_domain::Policy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/departments", get(departments).post(add_department))
        .route("/policy", get(policy).put(set_policy))
        .route(
            "/after-sales-policy",
            get(after_sales_policy).put(set_after_sales_policy),
        )
}

/// The after-sales policy as published, with the times the deadline policy promises.
#[derive(Serialize, ToSchema)]
pub struct PublishedPolicy {
    pub returns: String,
    pub warranty: String,
    pub how_to_complain: String,
    pub times_note: String,
    pub times: Vec<kesu_domain::after_sales_policy::TimePromise>,
}

impl From<kesu_app::after_sales::Published> for PublishedPolicy {
    fn from(p: kesu_app::after_sales::Published) -> Self {
        PublishedPolicy {
            returns: p.policy.returns,
            warranty: p.policy.warranty,
            how_to_complain: p.policy.how_to_complain,
            times_note: p.policy.times_note,
            times: p.times,
        }
    }
}

/// The shop's after-sales policy as customers see it on `/policy`, `/complain` and their
/// status page.
#[utoipa::path(get, path = "/api/v1/after-sales-policy", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = PublishedPolicy)))]
async fn after_sales_policy(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> ApiResult<Json<PublishedPolicy>> {
    Ok(Json(
        kesu_app::after_sales::published(&state.store).await?.into(),
    ))
}

/// Replaces the published after-sales policy (those who configure the desk).
#[utoipa::path(put, path = "/api/v1/after-sales-policy", tag = "settings", security(("bearer" = [])),
    request_body = AfterSalesPolicy,
    responses((status = 200, body = PublishedPolicy), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_after_sales_policy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<PublishedPolicy>> {
    let policy: AfterSalesPolicy = from_value(body)?;
    let published =
        kesu_app::after_sales::publish(&state.store, &caller, &policy, state.clock.now()).await?;
    Ok(Json(published.into()))
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentView {
    pub code: String,
    pub name: String,
}

/// The departments cases can be routed to.
#[utoipa::path(get, path = "/api/v1/departments", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Vec<DepartmentView>)))]
async fn departments(
    State(state): State<AppState>,
    Caller(_): Caller,
) -> ApiResult<Json<Vec<DepartmentView>>> {
    let list = state.store.departments().await?;
    Ok(Json(
        list.into_iter()
            .map(|d| DepartmentView {
                code: d.code.into(),
                name: d.name,
            })
            .collect(),
    ))
}

/// Adds a department (admin only).
#[utoipa::path(post, path = "/api/v1/departments", tag = "settings", security(("bearer" = [])),
    request_body = DepartmentView,
    responses((status = 201, body = DepartmentView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_department(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<DepartmentView>,
) -> ApiResult<(StatusCode, Json<DepartmentView>)> {
    require_admin(&caller)?;
    let code = DepartmentCode::parse(body.code.trim())
        .map_err(|m| ApiError::explained("code", kesu_domain::Problem::Characters, m))?;
    let name = kesu_domain::text::required("name", &body.name)?;
    let d = state
        .store
        .add_department(
            &code,
            &name,
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(DepartmentView {
            code: d.code.into(),
            name: d.name,
        }),
    ))
}

/// The policy in force.
#[utoipa::path(get, path = "/api/v1/policy", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Policy)))]
async fn policy(State(state): State<AppState>, Caller(_): Caller) -> ApiResult<Json<Policy>> {
    Ok(Json(state.store.policy().await?))
}

/// Replaces the policy (admin only); every field is checked.
#[utoipa::path(put, path = "/api/v1/policy", tag = "settings", security(("bearer" = [])),
    request_body = Policy,
    responses((status = 200, body = Policy), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_policy(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Policy>> {
    require_admin(&caller)?;
    let policy: Policy = from_value(body)?;
    let known: Vec<_> = state
        .store
        .departments()
        .await?
        .into_iter()
        .map(|d| d.code)
        .collect();
    policy.validate(&known).map_err(ApiError::Invalid)?;
    state
        .store
        .set_policy(
            &policy,
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    tracing::info!(by = %caller.username, "policy changed");
    Ok(Json(policy))
}

fn require_admin(user: &kesu_store::User) -> ApiResult<()> {
    super::require_admin(user, "change settings")
}
