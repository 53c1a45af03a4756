//! The one door every routed request passes: it finds the route's gate in
//! [`crate::access::ROUTES`], signs the caller in (a bearer token for the API, the session
//! cookie for the workbench), and refuses before any handler runs: 401 (or the sign-in page)
//! without a caller, 403 when their role lacks the capability, when a read-only token writes,
//! or when a session still owes its second factor. The caller it found rides along in the
//! request, so the handlers' extractors do not look it up again.

use axum::extract::{MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::access::{gate, Gate};
use crate::error::ApiError;
use crate::extract::Caller;
use crate::pages::i18n::Lang;
use crate::pages::session::PageSession;
use crate::AppState;

/// Pages a session that owes its second factor may open: where the code is asked for.
const WHILE_CODE_OWED: &[&str] = &["/login/two-factor", "/logout", "/lang"];
/// Pages a session that must set a second factor up may open.
const WHILE_SETUP_OWED: &[&str] = &["/account/two-factor", "/logout", "/lang"];

pub async fn enforce(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(path) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
    else {
        return next.run(req).await;
    };
    let Some(gate) = gate(req.method().as_str(), &path) else {
        // No entry: the route may not have this method at all (the router answers 405 with
        // the methods it has); if it does, it stays closed until it is given a gate.
        if req.method() != Method::OPTIONS {
            tracing::debug!(route = %path, method = %req.method(), "no access rule: refused");
        }
        *req.method_mut() = Method::TRACE;
        return next.run(req).await;
    };
    if gate == Gate::CustomerLink {
        return guard_links(&state, req, next).await;
    }
    if !gate.needs_staff() {
        return next.run(req).await;
    }
    // The request's body is not `Sync`: look at its head only while signing the caller in.
    let (mut parts, body) = req.into_parts();
    if path.starts_with("/api/") {
        match api_caller(&state, &parts, gate).await {
            Ok(caller) => {
                parts.extensions.insert(caller);
            }
            Err(e) => return e.into_response(),
        }
    } else {
        match page_session(&state, &parts, &path, gate).await {
            Ok(session) => {
                parts.extensions.insert(session);
            }
            Err(refused) => return refused,
        }
    }
    next.run(Request::from_parts(parts, body)).await
}

async fn api_caller(state: &AppState, req: &Parts, gate: Gate) -> Result<Caller, ApiError> {
    let token = crate::extract::bearer(&req.headers)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "sign in first: POST /api/v1/auth/token, then send Authorization: Bearer <token>"
                    .into(),
            )
        })?;
    let grant = state
        .store
        .token_grant(token, state.clock.now())
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "the token is unknown, expired or its user is disabled; sign in again".into(),
            )
        })?;
    let user = grant.user;
    if !gate.admits(user.role) {
        return Err(ApiError::Forbidden(format!(
            "your role ({}) may not do this",
            user.role
        )));
    }
    let reads = matches!(req.method, Method::GET | Method::HEAD);
    if grant.read_only && !reads {
        return Err(ApiError::Forbidden(
            "this token only reads; use a token without the read-only scope to change things"
                .into(),
        ));
    }
    Ok(Caller(user))
}

async fn page_session(
    state: &AppState,
    req: &Parts,
    path: &str,
    gate: Gate,
) -> Result<PageSession, Response> {
    let to = |page: &str| {
        let next = req
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| p.starts_with('/') && !p.starts_with("//"))
            .unwrap_or("/");
        Redirect::to(&format!(
            "{page}?next={}",
            crate::pages::session::urlencode(next)
        ))
        .into_response()
    };
    let Some(token) = crate::pages::session::cookie_token(state, req) else {
        return Err(to("/login"));
    };
    let session = match state.store.session(&token, state.clock.now()).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(to("/login")),
        Err(e) => return Err(crate::pages::posted::PageError::of(Lang::Zh, e).into_response()),
    };
    let lang = Lang::from_code(&session.lang);
    if !session.second_factor {
        if session.has_two_factor {
            if !WHILE_CODE_OWED.contains(&path) {
                return Err(to("/login/two-factor"));
            }
        } else if state
            .store
            .policy()
            .await
            .map(|p| p.access.requires_second_factor(session.user.role))
            .unwrap_or(true)
            && !WHILE_SETUP_OWED.contains(&path)
        {
            return Err(to("/account/two-factor"));
        }
    }
    if !gate.admits(session.user.role) {
        return Err(crate::pages::error_page(
            lang,
            StatusCode::FORBIDDEN,
            lang.t("forbidden"),
        ));
    }
    Ok(PageSession {
        session,
        token,
        lang,
    })
}

/// The customer's pages: an address that asked for too many links that do not exist waits
/// (429) before it may ask again, so links cannot be found by guessing.
async fn guard_links(state: &AppState, req: Request, next: Next) -> Response {
    let ip = crate::sign_in::client_address(req.extensions());
    if let Some(wait) = ip.and_then(|ip| state.link_misses.blocked(ip)) {
        return too_many_links(wait);
    }
    let response = next.run(req).await;
    if response.status() == StatusCode::NOT_FOUND {
        if let Some(wait) = ip.and_then(|ip| state.link_misses.miss(ip)) {
            tracing::warn!(address = ?ip, wait_secs = wait.as_secs(), "too many unknown customer links from one address: throttled");
        }
    }
    response
}

fn too_many_links(wait: std::time::Duration) -> Response {
    let mut page = crate::pages::error_page(
        Lang::Zh,
        StatusCode::TOO_MANY_REQUESTS,
        Lang::Zh.t("too_many_links"),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        page.headers_mut()
            .insert(axum::http::header::RETRY_AFTER, v);
    }
    page
}
