//! Files sent as `multipart/form-data` (parts named `file`), read as they stream in and
//! held to the upload limits: a file over the limit is refused (413) without being kept, and
//! the request is read to its end first (up to a bound) so the sender hears the answer instead
//! of a reset connection.

use axum::extract::multipart::{Multipart, MultipartError};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use kesu_app::attachments::{file_too_large, too_many_files, Opened, Upload};
use kesu_domain::attachment::Limits;

use crate::error::{ApiError, ApiResult};

/// The files of a multipart body, within `limits`.
pub async fn read_files(mut multipart: Multipart, limits: &Limits) -> ApiResult<Vec<Upload>> {
    let mut files = Vec::new();
    let mut refused: Option<ApiError> = None;
    // Bytes read past a refusal, to give up on a sender who never stops.
    let mut drained: u64 = 0;
    let drain_bound = limits.max_body() as u64;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_multipart)? {
        if field.name() != Some("file") {
            // Other parts (a form's button, a CSRF token) are not files: read past them.
            while field.chunk().await.map_err(bad_multipart)?.is_some() {}
            continue;
        }
        let name = field.file_name().unwrap_or("").to_owned();
        if refused.is_none() && files.len() == limits.max_files {
            refused = Some(too_many_files(limits).into());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
            if refused.is_some() {
                drained += chunk.len() as u64;
                if drained > drain_bound {
                    return Err(refused.take().expect("set"));
                }
                continue;
            }
            if (bytes.len() + chunk.len()) as u64 > limits.max_bytes {
                refused = Some(file_too_large(&name, limits).into());
                bytes = Vec::new();
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if refused.is_none() {
            files.push(Upload { name, bytes });
        }
    }
    match refused {
        Some(e) => Err(e),
        None => Ok(files),
    }
}

fn bad_multipart(e: MultipartError) -> ApiError {
    ApiError::BadRequest(format!(
        "the body must be multipart/form-data with files in parts named `file`: {}",
        e.body_text()
    ))
}

/// An attachment's bytes as a response no browser will run: its sniffed type, `nosniff`, a
/// sandboxing content security policy, and `Content-Disposition` with the file's name
/// (`inline` for pictures and videos, `attachment` for PDFs).
pub fn file_response(opened: Opened) -> Response {
    let disposition = if opened.kind.inline() {
        "inline"
    } else {
        "attachment"
    };
    let name = &opened.attachment.name;
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let value = format!("{disposition}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let mut response = opened.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(opened.kind.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; media-src 'self'; img-src 'self'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    response
}
