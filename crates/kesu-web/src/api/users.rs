//! Staff accounts: admins create and disable them; case handlers list them for assignment.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use kesu_domain::account::{check_new_password, Username};
use kesu_domain::codes::DepartmentCode;
use kesu_domain::error::{Problem, Thing};
use kesu_domain::{FieldError, Role};
use kesu_store::NewUser;
use serde::Deserialize;
use utoipa::ToSchema;

use super::views::UserView;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", post(create).get(list))
        .route("/users/{username}/disable", post(disable))
        .route("/users/{username}/enable", post(enable))
        .route("/users/{username}/unlock", post(unlock))
        .route("/users/{username}/two-factor/reset", post(reset_two_factor))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    #[schema(min_length = 2, max_length = 32, pattern = "^[a-z][a-z0-9._-]+$")]
    pub username: String,
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    /// `admin`, `supervisor`, `agent`, `department` or `auditor`.
    pub role: String,
    /// Required for (and only for) the `department` role.
    #[serde(default)]
    pub department: Option<String>,
}

fn require_admin(user: &kesu_store::User) -> ApiResult<()> {
    super::require_admin(user, "manage users")
}

/// Creates a staff account (admin only).
#[utoipa::path(post, path = "/api/v1/users", tag = "accounts", security(("bearer" = [])),
    request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(req): ApiJson<NewUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    require_admin(&caller)?;
    let mut errors = Vec::new();
    let username = Username::parse(&req.username)
        .map_err(|e| errors.push(e))
        .ok();
    if let Err(e) = check_new_password(&req.password) {
        errors.push(e);
    }
    let role = Role::parse(&req.role);
    if role.is_none() {
        errors.push(FieldError::explained(
            "role",
            Problem::NotOneOf {
                allowed: "admin, supervisor, agent, department, auditor".into(),
            },
            "must be one of admin, supervisor, agent, department, auditor",
        ));
    }
    let department = match (role, req.department.as_deref().map(str::trim)) {
        (Some(Role::Department), None | Some("")) => {
            errors.push(FieldError::explained(
                "department",
                Problem::Required,
                "is required for department users",
            ));
            None
        }
        (Some(Role::Department), Some(code)) => match DepartmentCode::parse(code) {
            Ok(d) if state.store.department_exists(&d).await? => Some(d),
            Ok(d) => {
                errors.push(FieldError::new(
                    "department",
                    Problem::Unknown {
                        thing: Thing::Department,
                        value: d.to_string(),
                    },
                ));
                None
            }
            Err(msg) => {
                errors.push(FieldError::explained(
                    "department",
                    Problem::Characters,
                    msg,
                ));
                None
            }
        },
        (_, Some(d)) if !d.is_empty() => {
            errors.push(FieldError::explained(
                "department",
                Problem::NotApplicable,
                "only department users belong to a department",
            ));
            None
        }
        _ => None,
    };
    let (Some(username), Some(role), true) = (username, role, errors.is_empty()) else {
        return Err(ApiError::Invalid(errors));
    };
    let user = state
        .store
        .create_user(
            NewUser {
                username: &username,
                password: &req.password,
                role,
                department: department.as_ref(),
            },
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    tracing::info!(user = %user.username, role = %user.role, by = %caller.username, "user created");
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Lists staff accounts (admins, supervisors and agents: for assignment).
#[utoipa::path(get, path = "/api/v1/users", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<UserView>>> {
    if !matches!(caller.role, Role::Admin | Role::Supervisor | Role::Agent) {
        return Err(ApiError::Forbidden(format!(
            "{} users cannot list accounts",
            caller.role
        )));
    }
    let users = state.store.users().await?;
    Ok(Json(users.into_iter().map(UserView::from).collect()))
}

/// Disables an account; its tokens stop working at once (admin only).
#[utoipa::path(post, path = "/api/v1/users/{username}/disable", tag = "accounts", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn disable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    require_admin(&caller)?;
    if username == caller.username {
        return Err(ApiError::conflict("you cannot disable your own account"));
    }
    Ok(Json(
        state
            .store
            .set_user_disabled(
                &username,
                true,
                kesu_store::By::new(&caller.username, state.clock.now()),
            )
            .await?
            .into(),
    ))
}

/// Re-enables an account (admin only).
#[utoipa::path(post, path = "/api/v1/users/{username}/enable", tag = "accounts", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn enable(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    require_admin(&caller)?;
    Ok(Json(
        state
            .store
            .set_user_disabled(
                &username,
                false,
                kesu_store::By::new(&caller.username, state.clock.now()),
            )
            .await?
            .into(),
    ))
}

/// Lifts the lock that repeated wrong passwords put on an account (admin only); recorded.
#[utoipa::path(post, path = "/api/v1/users/{username}/unlock", tag = "accounts", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 200, body = UserView), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn unlock(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(username): Path<String>,
) -> ApiResult<Json<UserView>> {
    require_admin(&caller)?;
    let user = state
        .store
        .unlock_user(&username, &caller.username, state.clock.now())
        .await?;
    tracing::info!(user = %username, by = %caller.username, "account unlocked");
    Ok(Json(user.into()))
}

/// Turns off a user's two-factor sign-in when they lost their phone and their recovery codes
/// (admin only): their sessions and tokens end, and they set it up again at their next
/// sign-in if their role requires it.
#[utoipa::path(post, path = "/api/v1/users/{username}/two-factor/reset", tag = "accounts", security(("bearer" = [])),
    params(("username" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn reset_two_factor(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(username): Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    require_admin(&caller)?;
    let user = state
        .store
        .user(&username)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user `{username}`")))?;
    state
        .store
        .remove_two_factor(
            user.id,
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    tracing::warn!(user = %username, by = %caller.username, "two-factor sign-in reset by an admin");
    Ok(axum::http::StatusCode::NO_CONTENT)
}
