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
pub async fn read_files(multipart: Multipart, limits: &Limits) -> ApiResult<Vec<Upload>> {
    let sent = read_parts(multipart, limits).await?;
    match sent.refused {
        Some(e) => Err(e),
        None => Ok(sent.files),
    }
}

/// What a multipart form sent: its files and its short text fields (a page's CSRF token).
pub struct SentParts {
    pub files: Vec<Upload>,
    pub fields: Vec<(String, String)>,
    /// Why the files were refused (too many, too large): the fields are still there, for a
    /// form to be shown again as it was filled in.
    pub refused: Option<ApiError>,
}

/// Longest text field kept, how many, and all text read at most: a form's fields (the
/// complaint's description is the longest), not a second upload.
const MAX_FIELD_BYTES: usize = 64 * 1024;
const MAX_FIELDS: usize = 32;
const MAX_TEXT_BYTES: usize = 1024 * 1024;

/// The files (within `limits`) and short text fields of a multipart body. A body that is not
/// multipart, or one that never ends after a refusal, is an error; a refusal of the files
/// is reported in [`SentParts::refused`] with no files kept.
pub async fn read_parts(mut multipart: Multipart, limits: &Limits) -> ApiResult<SentParts> {
    let mut files = Vec::new();
    let mut fields = Vec::new();
    let mut refused: Option<ApiError> = None;
    // Bytes read past a refusal, to give up on a sender who never stops.
    let mut drained: u64 = 0;
    let drain_bound = limits.max_body() as u64;
    let mut text_bytes = 0usize;
    while let Some(mut field) = multipart.next_field().await.map_err(bad_multipart)? {
        if field.name() != Some("file") {
            // Other parts (a form's button, a CSRF token) are not files: keep the short ones.
            let key = field.name().unwrap_or("").to_owned();
            let mut value = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(bad_multipart)? {
                text_bytes += chunk.len();
                if text_bytes > MAX_TEXT_BYTES {
                    return Err(ApiError::PayloadTooLarge(MAX_TEXT_BYTES));
                }
                if value.len() + chunk.len() <= MAX_FIELD_BYTES {
                    value.extend_from_slice(&chunk);
                }
            }
            if fields.len() < MAX_FIELDS {
                fields.push((key, String::from_utf8_lossy(&value).into_owned()));
            }
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
                    return Err(refused
                        .take()
                        .unwrap_or_else(|| too_many_files(limits).into()));
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
        // A form's file box left empty still sends a part: no name, no bytes. It is no file.
        let nothing_picked = name.is_empty() && bytes.is_empty();
        if refused.is_none() && !nothing_picked {
            files.push(Upload { name, bytes });
        }
    }
    if refused.is_some() {
        files.clear();
    }
    Ok(SentParts {
        files,
        fields,
        refused,
    })
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
    let disposition_kind = if opened.kind.inline() {
        "inline"
    } else {
        "attachment"
    };
    let value = disposition(disposition_kind, &opened.attachment.name);
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

/// A `Content-Disposition` value (`inline` or `attachment`) naming the file: an ASCII
/// fallback for old clients and the exact name, percent-encoded, for the rest.
pub fn disposition(kind: &str, name: &str) -> String {
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
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}
