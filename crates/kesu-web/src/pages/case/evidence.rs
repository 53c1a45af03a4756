//! Evidence on the case page: the photos, videos and PDFs of a case as thumbnails that open
//! full size, and the upload form (several files at once; the page's script shows progress).
//! Files are served to the workbench under `/files/{id}` with the session's rights, the same
//! rules as the API's `/api/v1/attachments/{id}`.

use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kesu_domain::attachment::Limits;
use kesu_store::{Attachment, AttachmentSource};
use maud::{html, Markup};

use super::super::i18n::Lang;
use super::super::posted::PageError;
use super::super::session::PageSession;
use super::super::{local_time, Form};
use crate::api::attachments::{variant, OpenParams};
use crate::uploads::{file_response, read_parts};
use crate::AppState;

/// The case's evidence: thumbnails of pictures, a line for each video or PDF, and where the
/// signed-in user may add files, the upload form.
pub fn evidence_panel(
    lang: Lang,
    case_id: i64,
    csrf: &str,
    files: &[Attachment],
    limits: &Limits,
    may_upload: bool,
    zone: chrono_tz::Tz,
) -> Markup {
    html! {
        section.panel.evidence #evidence {
            h2 { (lang.t("evidence")) " (" (files.len()) ")" }
            @if files.is_empty() { p.muted { (lang.t("evidence_none")) } }
            ul.files {
                @for f in files { (file_item(lang, f, "/files", zone)) }
            }
            @if may_upload {
                (upload_form(lang, &format!("/cases/{case_id}/files"), &format!("/cases/{case_id}"), csrf, limits))
            }
        }
    }
}

/// One file: a thumbnail (pictures) or the file's kind and name, who added it and when.
pub fn file_item(lang: Lang, f: &Attachment, base: &str, zone: chrono_tz::Tz) -> Markup {
    let href = format!("{base}/{}", f.id);
    let kind = f.kind();
    html! {
        li.file data-kind=(kind.map_or("file", |k| k.extension())) {
            a href=(href) target="_blank" rel="noopener" title=(f.name) {
                @if f.thumb_sha256.is_some() {
                    img src={ (href) "?variant=thumbnail" } alt=(f.name) loading="lazy";
                } @else {
                    span.file-kind { (lang.t(kind_label(kind))) }
                }
                span.file-name { (f.name) }
            }
            span.file-meta {
                (source_label(lang, f.source)) " · " (size_label(f.size)) " · " (local_time(f.created_at, zone))
            }
        }
    }
}

/// The upload form: a real multipart form that works without script; with it, the page's
/// script sends it with a progress bar.
pub fn upload_form(lang: Lang, action: &str, back: &str, csrf: &str, limits: &Limits) -> Markup {
    html! {
        form.upload method="post" action=(action) enctype="multipart/form-data"
            data-back=(back) data-label=(lang.t("upload")) data-sending=(lang.t("upload_sending"))
            data-failed=(lang.t("upload_failed")) data-none=(lang.t("upload_none"))
            data-too-many=(limits_hint(lang, limits)) data-too-large=(lang.t("upload_too_large"))
            data-max-files=(limits.max_files) data-max-bytes=(limits.max_bytes) {
            input type="hidden" name="_csrf" value=(csrf);
            label {
                (lang.t("upload_pick")) " "
                input type="file" name="file" multiple accept="image/*,video/*,application/pdf";
            }
            p.muted.hint { (limits_hint(lang, limits)) }
            progress hidden max="100" value="0" {}
            p.upload-error role="alert" hidden {}
            button.primary type="submit" { (lang.t("upload")) }
        }
        (super::super::script_file("/assets/kesu-upload.js"))
    }
}

fn limits_hint(lang: Lang, limits: &Limits) -> String {
    let files = i64::try_from(limits.max_files).unwrap_or(i64::MAX);
    let mb = i64::try_from(limits.max_bytes / (1024 * 1024)).unwrap_or(i64::MAX);
    lang.format(
        "upload_limits",
        &[
            ("files", kesu_i18n::Value::Int(files)),
            ("mb", kesu_i18n::Value::Int(mb)),
        ],
    )
    .unwrap_or_default()
}

fn kind_label(kind: Option<kesu_domain::attachment::Kind>) -> &'static str {
    match kind {
        Some(k) if k.is_video() => "file_video",
        Some(k) if k.is_image() => "file_picture",
        Some(_) => "file_pdf",
        None => "file_other",
    }
}

fn source_label(lang: Lang, source: AttachmentSource) -> &'static str {
    match source {
        AttachmentSource::Staff => lang.t("from_staff"),
        AttachmentSource::Customer => lang.t("from_customer"),
        AttachmentSource::Email => lang.t("from_email"),
        AttachmentSource::Platform => lang.t("from_platform"),
    }
}

/// A size as people read it: 820 KB, 3.4 MB.
pub fn size_label(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if bytes >= MB {
        format!("{}.{} MB", bytes / MB, bytes % MB * 10 / MB)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

/// `POST /cases/{id}/files`: the upload form's files, attached by the signed-in user.
pub(super) async fn upload(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = s.lang;
    let Ok(multipart) = multipart else {
        return PageError::new(
            lang,
            axum::http::StatusCode::BAD_REQUEST,
            lang.t("bad_form"),
        )
        .into_response();
    };
    let limits = state.attachment_limits;
    let sent = match read_parts(multipart, &limits).await {
        Ok(p) => p,
        Err(e) => return super::render(&state, &s, &id, Some(super::explain(lang, e))).await,
    };
    if !s.csrf_ok(&Form(sent.fields)) {
        return s.csrf_refused();
    }
    if let Some(e) = sent.refused {
        return super::render(&state, &s, &id, Some(super::explain(lang, e))).await;
    }
    let case_id = match kesu_app::cases::case_id(&id) {
        Ok(c) => c,
        Err(_) => return PageError::not_found(lang).into_response(),
    };
    let user = &s.session.user;
    let now = state.clock.now();
    match kesu_app::attachments::attach(&state.store, user, case_id, sent.files, limits, now).await
    {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}#evidence")).into_response(),
        Err(e) => super::render(&state, &s, &id, Some(super::explain(lang, e))).await,
    }
}

/// `GET /files/{id}[?variant=thumbnail]`: an attachment, to a signed-in user who may see its
/// case.
pub(super) async fn open(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    Query(params): Query<OpenParams>,
) -> Response {
    let lang = s.lang;
    let opened = async {
        let id = kesu_app::id_in_path(&id, "attachment")?;
        let variant = variant(params.variant.as_deref())?;
        let actor = s.session.user.actor();
        Ok::<_, crate::error::ApiError>(
            kesu_app::attachments::open(&state.store, &actor, id, variant).await?,
        )
    }
    .await;
    match opened {
        Ok(o) => file_response(o),
        Err(e) => PageError::of(lang, e).into_response(),
    }
}
