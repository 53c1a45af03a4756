//! Reply scripts (话术) over HTTP: the library (admins edit it), and the scripts that fit a
//! case, filled with its data.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use kesu_domain::codes::Category;
use kesu_domain::scripts::{render, suitable, values, Language, Rendered, ReplyTemplate, Scenario};
use kesu_store::{CaseRecord, User};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/templates", get(list).post(add))
        .route("/templates/{id}", get(one).put(replace).delete(remove))
        .route("/cases/{id}/templates", get(for_case))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TemplateFilter {
    /// `zh-CN` or `en`.
    pub language: Option<String>,
    pub category: Option<String>,
    pub scenario: Option<String>,
}

fn language(raw: Option<&str>) -> ApiResult<Option<Language>> {
    raw.map(|l| {
        serde_json::from_value(serde_json::json!(l)).map_err(|_| {
            ApiError::explained(
                "language",
                kesu_domain::Problem::NotOneOf {
                    allowed: "zh-CN, en".into(),
                },
                "zh-CN or en",
            )
        })
    })
    .transpose()
}

/// The library, optionally filtered.
#[utoipa::path(get, path = "/api/v1/templates", tag = "replies", security(("bearer" = [])),
    params(TemplateFilter), responses((status = 200, body = Vec<ReplyTemplate>)))]
async fn list(
    State(state): State<AppState>,
    Caller(_): Caller,
    Query(filter): Query<TemplateFilter>,
) -> ApiResult<Json<Vec<ReplyTemplate>>> {
    let lang = language(filter.language.as_deref())?;
    let category = filter
        .category
        .as_deref()
        .map(|c| {
            Category::parse(c).ok_or_else(|| {
                ApiError::explained(
                    "category",
                    kesu_domain::Problem::Unknown {
                        thing: kesu_domain::error::Thing::Category,
                        value: c.to_string(),
                    },
                    "unknown category",
                )
            })
        })
        .transpose()?;
    let scenario = filter
        .scenario
        .as_deref()
        .map(|s| {
            Scenario::parse(s).ok_or_else(|| {
                ApiError::explained(
                    "scenario",
                    kesu_domain::Problem::NotOneOf {
                        allowed: kesu_domain::scripts::Scenario::ALL
                            .iter()
                            .map(|s| s.code())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                    "unknown scenario",
                )
            })
        })
        .transpose()?;
    let library = state.store.reply_templates().await?;
    Ok(Json(
        library
            .templates
            .into_iter()
            .filter(|t| lang.is_none_or(|l| t.language == l))
            .filter(|t| category.is_none_or(|c| t.category == Some(c) || t.category.is_none()))
            .filter(|t| scenario.is_none_or(|s| t.scenario == s))
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/templates/{id}", tag = "replies", security(("bearer" = [])),
    params(("id" = String, Path, description = "the template's id")),
    responses((status = 200, body = ReplyTemplate), (status = 404, body = crate::error::Problem)))]
async fn one(
    State(state): State<AppState>,
    Caller(_): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ReplyTemplate>> {
    let library = state.store.reply_templates().await?;
    library
        .templates
        .into_iter()
        .find(|t| t.id == id)
        .map(Json)
        .ok_or_else(|| no_such(&id))
}

fn no_such(id: &str) -> ApiError {
    ApiError::NotFound(format!("no reply template `{id}`"))
}

fn require_admin(user: &User) -> ApiResult<()> {
    super::require_admin(user, "edit reply templates")
}

/// Edits the library: read, change, save unless somebody saved meanwhile (then again).
pub async fn edit<T>(
    state: &AppState,
    by: &str,
    change: impl Fn(&mut Vec<ReplyTemplate>) -> ApiResult<T>,
) -> ApiResult<T> {
    for _ in 0..5 {
        let mut library = state.store.reply_templates().await?;
        let out = change(&mut library.templates)?;
        if state
            .store
            .save_reply_templates(&library, kesu_store::By::new(by, state.clock.now()))
            .await?
        {
            return Ok(out);
        }
    }
    Err(ApiError::conflict(
        "the reply templates are being edited by someone else; try again",
    ))
}

/// Checks a template from a request body, every field named on error.
pub fn parse_template(body: serde_json::Value) -> ApiResult<ReplyTemplate> {
    let mut t: ReplyTemplate = from_value(body)?;
    t.title = t.title.trim().to_owned();
    t.body = t.body.trim().to_owned();
    t.validate()?;
    Ok(t)
}

/// Adds a template (admin only).
#[utoipa::path(post, path = "/api/v1/templates", tag = "replies", security(("bearer" = [])),
    request_body = ReplyTemplate,
    responses((status = 201, body = ReplyTemplate), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<ReplyTemplate>)> {
    require_admin(&caller)?;
    let t = parse_template(body)?;
    edit(&state, &caller.username, |list| {
        if list.iter().any(|x| x.id == t.id) {
            return Err(ApiError::conflict(format!(
                "a reply template `{}` exists already",
                t.id
            )));
        }
        list.push(t.clone());
        Ok(())
    })
    .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Replaces a template (admin only); the body's id must be the path's.
#[utoipa::path(put, path = "/api/v1/templates/{id}", tag = "replies", security(("bearer" = [])),
    params(("id" = String, Path, description = "the template's id")),
    request_body = ReplyTemplate,
    responses((status = 200, body = ReplyTemplate), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn replace(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ReplyTemplate>> {
    require_admin(&caller)?;
    let t = parse_template(body)?;
    if t.id != id {
        return Err(ApiError::explained(
            "id",
            kesu_domain::Problem::NotApplicable,
            "must be the id in the path",
        ));
    }
    edit(&state, &caller.username, |list| {
        let slot = list
            .iter_mut()
            .find(|x| x.id == id)
            .ok_or_else(|| no_such(&id))?;
        *slot = t.clone();
        Ok(())
    })
    .await?;
    Ok(Json(t))
}

/// Removes a template (admin only).
#[utoipa::path(delete, path = "/api/v1/templates/{id}", tag = "replies", security(("bearer" = [])),
    params(("id" = String, Path, description = "the template's id")),
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn remove(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    require_admin(&caller)?;
    edit(&state, &caller.username, |list| {
        let before = list.len();
        list.retain(|x| x.id != id);
        if list.len() == before {
            return Err(no_such(&id));
        }
        Ok(())
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseTemplatesQuery {
    /// `zh-CN` (default) or `en`.
    pub language: Option<String>,
}

/// The scripts that fit a case's category and step, best first, filled with its data.
#[utoipa::path(get, path = "/api/v1/cases/{id}/templates", tag = "replies", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the case's id"), CaseTemplatesQuery),
    responses((status = 200, body = Vec<Rendered>), (status = 404, body = crate::error::Problem)))]
async fn for_case(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(q): Query<CaseTemplatesQuery>,
) -> ApiResult<Json<Vec<Rendered>>> {
    let lang = language(q.language.as_deref())?.unwrap_or(Language::Zh);
    let record = state.visible_case(&caller, &id).await?;
    let unmasked = caller.role.sees_personal_data();
    Ok(Json(
        offered(&state, &record, &caller, unmasked, lang).await?,
    ))
}

/// What the reply box offers for this case and reader.
pub async fn offered(
    state: &AppState,
    record: &CaseRecord,
    reader: &User,
    unmasked: bool,
    lang: Language,
) -> ApiResult<Vec<Rendered>> {
    let library = state.store.reply_templates().await?;
    let order = match &record.case.order_no {
        Some(no) => state.store.order(no).await?,
        None => None,
    };
    // A masked name would read badly in a reply: the scripts greet the customer the way
    // shops do (亲) until the reader has revealed who they are.
    let name = if unmasked {
        record.complainant.name.as_str().to_owned()
    } else {
        match lang {
            Language::Zh => "亲".to_owned(),
            Language::En => "Dear customer".to_owned(),
        }
    };
    let mut values = values(
        &record.case,
        &name,
        order.as_ref(),
        &reader.username,
        state.zone().await,
        state.clock.now(),
        lang,
    );
    // The customer reads the carrier's name, not its code.
    let reader_lang = match lang {
        Language::Zh => kesu_i18n::Lang::Zh,
        Language::En => kesu_i18n::Lang::En,
    };
    if let Some(code) = values.get("carrier").cloned() {
        let carriers = state.store.carriers().await?;
        let name = carriers
            .name(&code)
            .map_or_else(|| reader_lang.carrier(&code), str::to_owned);
        values.insert("carrier", name);
    }
    Ok(suitable(&library.templates, &record.case, lang)
        .into_iter()
        .map(|t| render(t, &values))
        .collect())
}
