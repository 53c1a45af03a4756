//! The customer's photos on their status page: they add 开箱照片, 面单 and the like to their
//! own open case and see what they (or their e-mails) sent. Staff files are the shop's own
//! working papers and are not shown here.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::attachment::Limits;
use kesu_store::{Attachment, AttachmentSource};
use maud::{html, Markup};

use super::case::{file_item, upload_form};
use super::i18n::Lang;
use super::posted::{explain, PageError};
use super::Form;
use crate::api::attachments::{variant, OpenParams};
use crate::error::ApiError;
use crate::uploads::{file_response, read_parts};
use crate::AppState;
use kesu_app::attachments::Upload;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/s/{token}/files",
            // The upload limits are the files' own, checked as they stream in.
            post(upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/s/{token}/files/{id}", get(open))
        .route("/s/{token}/opt-out", post(opt_out))
}

/// The status page's last word: notices by e-mail and SMS, and the button that stops them.
pub fn notices_choice(token: &str, csrf: &str, opted_out: bool) -> Markup {
    html! {
        section.panel #notices-choice {
            @if opted_out {
                p.muted #opted-out { "您已选择不再接收本投诉的邮件和短信通知，处理进度请在本页查看。" }
            } @else {
                form method="post" action={ "/s/" (token) "/opt-out" } {
                    input type="hidden" name="_csrf" value=(csrf);
                    span.muted { "处理进展会通过邮件或短信通知您。" } " "
                    button.link #opt-out type="submit" { "不再接收通知" }
                }
            }
        }
    }
}

/// `POST /s/{token}/opt-out`: no more e-mail or SMS about this case.
async fn opt_out(
    State(state): State<AppState>,
    Path(token): Path<String>,
    super::posted::PublicForm { .. }: super::posted::PublicForm,
) -> Response {
    match kesu_app::customer::opt_out(&state.store, &token, state.clock.now()).await {
        Ok(()) => Redirect::to(&format!("/s/{token}#notices-choice")).into_response(),
        Err(kesu_app::AppError::NotFound(_)) => {
            super::error_page(Lang::Zh, StatusCode::NOT_FOUND, "链接无效或已过期。")
        }
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}

/// What the customer sees of a case's files: those that came from them.
pub fn from_customer(files: Vec<Attachment>) -> Vec<Attachment> {
    files
        .into_iter()
        .filter(|f| f.source != AttachmentSource::Staff)
        .collect()
}

/// The status page's section: their files, and while the case is open, the upload form.
pub fn customer_evidence(
    token: &str,
    csrf: &str,
    files: &[Attachment],
    limits: &Limits,
    open: bool,
    zone: chrono_tz::Tz,
) -> Markup {
    let lang = Lang::Zh;
    let base = format!("/s/{token}/files");
    html! {
        section.panel.evidence #evidence {
            h2 { "照片与凭证" }
            @if open { p.muted { "如商品破损、有质量问题或发错货，请上传开箱照片、商品照片或快递面单，处理会更快。" } }
            ul.files {
                @for f in files { (file_item(lang, f, &base, zone)) }
            }
            @if open {
                (upload_form(lang, &base, &format!("/s/{token}"), csrf, limits))
            }
        }
    }
}

/// `POST /s/{token}/files`: the customer's files, on their open case.
async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = Lang::Zh;
    let Ok(multipart) = multipart else {
        return PageError::new(lang, StatusCode::BAD_REQUEST, lang.t("bad_form")).into_response();
    };
    let limits = state.attachment_limits;
    let sent = match read_parts(multipart, &limits).await {
        Ok(p) => p,
        Err(e) => {
            return super::customer::render_status(&state, &headers, &token, Some(explain(lang, e)))
                .await
        }
    };
    if !super::customer::csrf_ok(&state, &headers, &Form(sent.fields)) {
        return PageError::new(lang, StatusCode::FORBIDDEN, lang.t("csrf")).into_response();
    }
    if let Some(e) = sent.refused {
        return super::customer::render_status(&state, &headers, &token, Some(explain(lang, e)))
            .await;
    }
    let now = state.clock.now();
    match kesu_app::attachments::attach_as_customer(&state.store, &token, sent.files, limits, now)
        .await
    {
        Ok(_) => Redirect::to(&format!("/s/{token}#evidence")).into_response(),
        Err(kesu_app::AppError::NotFound(_)) => {
            super::error_page(lang, StatusCode::NOT_FOUND, "链接无效或已过期。")
        }
        Err(e) => {
            super::customer::render_status(&state, &headers, &token, Some(explain(lang, e))).await
        }
    }
}

/// `GET /s/{token}/files/{id}[?variant=thumbnail]`: one of the customer's files.
async fn open(
    State(state): State<AppState>,
    Path((token, id)): Path<(String, String)>,
    Query(params): Query<OpenParams>,
) -> Response {
    let opened = async {
        let id = kesu_app::id_in_path(&id, "attachment")?;
        let variant = variant(params.variant.as_deref())?;
        Ok::<_, crate::error::ApiError>(
            kesu_app::attachments::open_as_customer(
                &state.store,
                &token,
                id,
                variant,
                state.clock.now(),
            )
            .await?,
        )
    }
    .await;
    match opened {
        Ok(o) => file_response(o),
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}

/// Largest plain (urlencoded) customer form: its text fields, never files.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// A customer's form post that may carry photos: `multipart/form-data` (the complaint form
/// with files picked) or a plain form; the double-submit token checked either way. Files over
/// the limits are reported in `refused` with the fields kept, so the form can be shown again
/// as it was filled in.
pub struct PublicUpload {
    pub headers: HeaderMap,
    pub form: Form,
    pub files: Vec<Upload>,
    pub refused: Option<ApiError>,
}

impl FromRequest<AppState> for PublicUpload {
    type Rejection = Response;

    async fn from_request(req: Request<Body>, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = Lang::Zh;
        let bad_form =
            || PageError::new(lang, StatusCode::BAD_REQUEST, lang.t("bad_form")).into_response();
        let headers = req.headers().clone();
        let multipart = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.to_ascii_lowercase().starts_with("multipart/form-data"));
        let (form, files, refused) = if multipart {
            let parts = Multipart::from_request(req, state)
                .await
                .map_err(|_| bad_form())?;
            let sent = read_parts(parts, &state.attachment_limits)
                .await
                .map_err(|e| PageError::of(lang, e).into_response())?;
            (Form(sent.fields), sent.files, sent.refused)
        } else {
            // The route takes files, so its body has no limit of its own: bound it here.
            let body = axum::body::to_bytes(req.into_body(), MAX_FORM_BYTES)
                .await
                .map_err(|_| {
                    PageError::new(lang, StatusCode::PAYLOAD_TOO_LARGE, lang.t("bad_form"))
                        .into_response()
                })?;
            (Form::parse(&body), Vec::new(), None)
        };
        if !super::customer::csrf_ok(state, &headers, &form) {
            return Err(PageError::new(lang, StatusCode::FORBIDDEN, lang.t("csrf")).into_response());
        }
        Ok(PublicUpload {
            headers,
            form,
            files,
            refused,
        })
    }
}
