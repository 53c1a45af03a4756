//! Form posts and page failures, done once: every workbench form arrives as a [`SignedForm`]
//! (session found, body parsed, CSRF token checked), every customer form as a
//! [`PublicForm`] (double-submit token checked), and whatever a page cannot do becomes a
//! [`PageError`]: a polite page in the reader's language that never shows a store error's
//! text, with the cause of a server-side failure in the log.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::i18n::Lang;
use super::session::PageSession;
use super::{error_page, Form};
use crate::error::ApiError;
use crate::AppState;

/// A workbench form post from a signed-in user, its CSRF token checked.
pub struct SignedForm(pub PageSession, pub Form);

impl FromRequest<AppState> for SignedForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let s = PageSession::from_request_parts(&mut parts, state).await?;
        let lang = s.lang;
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| PageError::new(lang, StatusCode::BAD_REQUEST, lang.t("bad_form")))
            .map_err(IntoResponse::into_response)?;
        let form = Form::parse(&body);
        if !s.csrf_ok(&form) {
            return Err(s.csrf_refused());
        }
        Ok(SignedForm(s, form))
    }
}

/// A customer's form post (no session): the token in its cookie and its hidden field agree.
pub struct PublicForm {
    pub headers: HeaderMap,
    pub form: Form,
}

impl FromRequest<AppState> for PublicForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await.map_err(|_| {
            PageError::new(Lang::Zh, StatusCode::BAD_REQUEST, Lang::Zh.t("bad_form"))
                .into_response()
        })?;
        let form = Form::parse(&body);
        if !super::customer::csrf_ok(state, &headers, &form) {
            return Err(error_page(
                Lang::Zh,
                StatusCode::FORBIDDEN,
                Lang::Zh.t("csrf"),
            ));
        }
        Ok(PublicForm { headers, form })
    }
}

/// What a page could not do, said politely in the reader's language.
#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    status: StatusCode,
    message: String,
}

impl PageError {
    pub fn new(lang: Lang, status: StatusCode, message: impl Into<String>) -> PageError {
        PageError {
            lang,
            status,
            message: message.into(),
        }
    }

    pub fn not_found(lang: Lang) -> PageError {
        PageError::new(lang, StatusCode::NOT_FOUND, lang.t("not_found"))
    }

    pub fn forbidden(lang: Lang) -> PageError {
        PageError::new(lang, StatusCode::FORBIDDEN, lang.t("forbidden"))
    }

    /// A use case's (or the store's) refusal in the reader's words. A failure on our side
    /// is logged with its cause and shown only as "something went wrong".
    pub fn of(lang: Lang, e: impl Into<ApiError>) -> PageError {
        let (status, message) = explain(lang, e);
        PageError::new(lang, status, message)
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(self.lang, self.status, &self.message)
    }
}

/// An error in the reader's language, with its status. Server-side failures (500, 503,
/// 507) are logged by [`ApiError::into_problem`] and worded here without their cause.
pub fn explain(lang: Lang, e: impl Into<ApiError>) -> (StatusCode, String) {
    let e = e.into();
    if let ApiError::Invalid(fields) = &e {
        let message = fields
            .iter()
            .map(|f| kesu_i18n::problem(lang, f))
            .collect::<Vec<_>>()
            .join(if lang == Lang::Zh { "；" } else { "; " });
        return (StatusCode::UNPROCESSABLE_ENTITY, message);
    }
    let (status, problem) = e.into_problem();
    let message = match problem.code {
        _ if status == StatusCode::FORBIDDEN => lang.t("forbidden").to_owned(),
        _ if status == StatusCode::INSUFFICIENT_STORAGE => lang.t("disk_full").to_owned(),
        _ if status == StatusCode::SERVICE_UNAVAILABLE => lang.t("unavailable").to_owned(),
        _ if status.is_server_error() => match &problem.request_id {
            Some(id) => format!("{} ({} {id})", lang.t("server_error"), lang.t("request_id")),
            None => lang.t("server_error").to_owned(),
        },
        // These codes say all there is to say.
        "stale_version" | "not_allowed_now" | "duplicate" | "too_many_requests" => {
            kesu_i18n::request_problem(lang, problem.code).map_or(problem.detail, str::to_owned)
        }
        // A refused file: the words, and which file (the name the English detail quotes).
        "unsupported_media_type" | "too_large" if lang == Lang::Zh => {
            let words = kesu_i18n::request_problem(lang, problem.code).unwrap_or_default();
            match quoted_name(&problem.detail) {
                Some(name) => format!("{words}：“{name}”"),
                None => words.to_owned(),
            }
        }
        // The generic ones keep the particulars, which only the English detail holds.
        code => match (lang, kesu_i18n::request_problem(lang, code)) {
            (Lang::Zh, Some(words)) => format!("{words}（{}）", problem.detail),
            _ => problem.detail,
        },
    };
    (status, message)
}

/// The file name a refusal's detail quotes (“name”).
fn quoted_name(detail: &str) -> Option<&str> {
    let start = detail.find('“')? + '“'.len_utf8();
    let len = detail[start..].find('”')?;
    Some(&detail[start..start + len])
}

/// An admin's form post: signed, and from an admin.
pub struct AdminForm(pub PageSession, pub Form);

impl FromRequest<AppState> for AdminForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let SignedForm(s, f) = SignedForm::from_request(req, state).await?;
        if !s
            .session
            .user
            .role
            .may(kesu_domain::Permission::ConfigureDesk)
        {
            return Err(PageError::forbidden(s.lang).into_response());
        }
        Ok(AdminForm(s, f))
    }
}
