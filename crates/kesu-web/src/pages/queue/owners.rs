//! What the queue posts: 认领 (take) an unowned case, assign the ticked cases to a colleague,
//! save or delete a view. Each goes through the application layer; the queue is shown again.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kesu_store::SavedView;

use super::super::posted::{explain, PageError, SignedForm};
use super::super::session::PageSession;
use super::{encode, render, Notice, PARAMS};
use crate::AppState;

/// The most views one person keeps, and the longest name.
const MAX_VIEWS: usize = 20;
const MAX_VIEW_NAME: usize = 40;

/// The queue's own query pairs out of a posted `back`/`query` field, dropping anything
/// else (so a post can only ever lead back to the queue).
fn queue_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .filter(|(k, v)| PARAMS.contains(&k.as_str()) && !v.trim().is_empty())
        .collect()
}

fn back_to(pairs: &[(String, String)], extra: Option<(&str, String)>) -> String {
    let mut all = pairs.to_vec();
    if let Some((k, v)) = extra {
        all.push((k.to_owned(), v));
    }
    let query = encode(&all);
    if query.is_empty() {
        "/".to_owned()
    } else {
        format!("/?{query}")
    }
}

/// The queue again with `message` above it, answered with `status`.
async fn refused(
    state: &AppState,
    s: &PageSession,
    pairs: &[(String, String)],
    status: StatusCode,
    message: String,
) -> Response {
    let notice = Notice {
        done: None,
        failures: vec![message],
    };
    (status, render(state, s, pairs, notice).await).into_response()
}

/// 认领: the signed-in user takes the case; the case page opens, ready to work on.
pub(super) async fn take(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let pairs = queue_pairs(f.get("back"));
    let id = match f.get("take").map(kesu_app::cases::case_id) {
        Some(Ok(id)) => id,
        _ => {
            let message = s.lang.t("bad_form").to_owned();
            return refused(
                &state,
                &s,
                &pairs,
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
            )
            .await;
        }
    };
    let actor = s.session.user.actor();
    match kesu_app::ownership::take(&state.store, &actor, id, state.clock.now()).await {
        Ok(record) => Redirect::to(&format!("/cases/{}", record.case.id)).into_response(),
        Err(e) => {
            let (status, message) = explain(s.lang, e);
            refused(&state, &s, &pairs, status, message).await
        }
    }
}

/// Assigns every ticked case to the chosen colleague; the queue says how many went and why
/// any did not.
pub(super) async fn assign(
    State(state): State<AppState>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let pairs = queue_pairs(f.get("back"));
    let ids: Vec<i64> = f
        .all("case")
        .into_iter()
        .filter_map(|v| kesu_app::cases::case_id(v).ok())
        .collect();
    let Some(user) = f.text("user") else {
        let message = lang.t("choose_assignee").to_owned();
        return refused(
            &state,
            &s,
            &pairs,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    };
    if ids.is_empty() {
        let message = lang.t("choose_cases").to_owned();
        return refused(
            &state,
            &s,
            &pairs,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    }
    let actor = s.session.user.actor();
    let now = state.clock.now();
    let results = kesu_app::ownership::assign_many(&state.store, &actor, &ids, &user, now).await;
    let done = results.iter().filter(|(_, r)| r.is_ok()).count();
    let failed: Vec<(i64, kesu_app::error::AppError)> = results
        .into_iter()
        .filter_map(|(id, r)| r.err().map(|e| (id, e)))
        .collect();
    // Cases are named by their numbers, as the agent saw them ticked.
    let ids: Vec<i64> = failed.iter().map(|(id, _)| *id).collect();
    let numbers = state.store.cases_by_ids(&ids).await.unwrap_or_default();
    let failures: Vec<String> = failed
        .into_iter()
        .map(|(id, e)| {
            let number = numbers
                .iter()
                .find(|r| r.case.id == id)
                .map_or_else(|| lang.t("not_found").to_owned(), |r| r.case.number.clone());
            format!("{number}: {}", explain(lang, e).1)
        })
        .collect();
    if failures.is_empty() {
        return Redirect::to(&back_to(&pairs, Some(("assigned", done.to_string()))))
            .into_response();
    }
    let notice = Notice {
        done: Some(format!("{} {done}", lang.t("assigned_count"))),
        failures,
    };
    render(&state, &s, &pairs, notice).await
}

pub(super) async fn save_view(
    State(state): State<AppState>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let pairs = queue_pairs(f.get("query"));
    let name = f.text("name").unwrap_or_default();
    let username = &s.session.user.username;
    let problem = if name.is_empty() || name.chars().count() > MAX_VIEW_NAME {
        Some(lang.t("view_name_invalid"))
    } else {
        match state.store.saved_views(username).await {
            Ok(v) if v.len() >= MAX_VIEWS && !v.iter().any(|x| x.name == name) => {
                Some(lang.t("too_many_views"))
            }
            Ok(_) => None,
            Err(e) => return PageError::of(lang, e).into_response(),
        }
    };
    if let Some(message) = problem {
        let message = message.to_owned();
        return refused(
            &state,
            &s,
            &pairs,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    }
    let view = SavedView {
        name,
        query: encode(&pairs),
    };
    match state.store.save_view(username, &view).await {
        Ok(()) => Redirect::to(&back_to(&pairs, None)).into_response(),
        Err(e) => PageError::of(lang, e).into_response(),
    }
}

pub(super) async fn delete_view(
    State(state): State<AppState>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let name = f.text("name").unwrap_or_default();
    match state
        .store
        .delete_view(&s.session.user.username, &name)
        .await
    {
        Ok(_) => Redirect::to("/").into_response(),
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}
