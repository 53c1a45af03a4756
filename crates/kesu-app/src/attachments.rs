//! Evidence on a case: staff and customers attach photos, videos and PDFs; everyone who may
//! see the case may open them, those who may not see personal data get photos without their
//! metadata.

use chrono::{DateTime, Utc};
use kesu_domain::attachment::{display_name, sniff, Kind, Limits, Refusal};
use kesu_domain::history::Author;
use kesu_domain::{Actor, Permission};
use kesu_store::{Attachment, AttachmentSource, NewAttachment, Store, User};

use crate::cases::visible_case;
use crate::customer::case_for_link;
use crate::error::{AppError, AppResult};
use crate::media::{process, MediaError};

/// A file as it arrived: the name the sender gave it and its bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The refusal of a file that is over the size limit, as every way in words it.
pub fn file_too_large(name: &str, limits: &Limits) -> AppError {
    AppError::TooLarge(format!(
        "“{name}” is larger than the limit of {} MB a file",
        limits.max_bytes / (1024 * 1024)
    ))
}

/// The refusal of an upload with more files than allowed.
pub fn too_many_files(limits: &Limits) -> AppError {
    AppError::TooLarge(format!(
        "at most {} files can be uploaded at once",
        limits.max_files
    ))
}

/// Checks every file and makes the copies of photos; nothing is stored if any is refused.
pub async fn prepare(uploads: Vec<Upload>, limits: Limits) -> AppResult<Vec<NewAttachment>> {
    if uploads.is_empty() {
        return Err(AppError::explained(
            "file",
            kesu_domain::error::Problem::Required,
            "send at least one file in a part named `file`",
        ));
    }
    if uploads.len() > limits.max_files {
        return Err(too_many_files(&limits));
    }
    if let Some(big) = uploads
        .iter()
        .find(|u| u.bytes.len() as u64 > limits.max_bytes)
    {
        return Err(file_too_large(&big.name, &limits));
    }
    tokio::task::spawn_blocking(move || {
        uploads
            .into_iter()
            .map(|u| prepare_one(u, &limits))
            .collect()
    })
    .await
    .map_err(|e| AppError::Internal(format!("preparing attachments failed: {e}")))?
}

fn prepare_one(upload: Upload, limits: &Limits) -> AppResult<NewAttachment> {
    let kind = sniff(&upload.name, &upload.bytes).map_err(|r| match r {
        Refusal::Empty { .. } => {
            AppError::explained("file", kesu_domain::error::Problem::Required, r.to_string())
        }
        _ => AppError::UnsupportedType(r.to_string()),
    })?;
    let name = display_name(&upload.name, kind);
    let mut file = NewAttachment {
        name,
        kind,
        bytes: upload.bytes,
        clean: None,
        thumb: None,
        width: None,
        height: None,
    };
    if kind.is_image() {
        let processed = process(&file.name, kind, &file.bytes, limits).map_err(|e| match e {
            MediaError::TooManyPixels { .. } => AppError::TooLarge(e.to_string()),
            MediaError::Unreadable { .. } => {
                AppError::explained("file", kesu_domain::error::Problem::Format, e.to_string())
            }
        })?;
        file.clean = Some(processed.clean);
        file.thumb = Some(processed.thumb);
        file.width = Some(processed.width);
        file.height = Some(processed.height);
    }
    Ok(file)
}

/// Staff attach files to a case they may see: those who register or work cases (everyone
/// but auditors, who only read).
pub async fn attach(
    store: &Store,
    caller: &User,
    case_id: i64,
    uploads: Vec<Upload>,
    limits: Limits,
    now: DateTime<Utc>,
) -> AppResult<Vec<Attachment>> {
    let record = visible_case(store, &caller.actor(), case_id).await?;
    if !(caller.role.may(Permission::WorkCases) || caller.role.may(Permission::RegisterCases)) {
        return Err(AppError::Forbidden(format!(
            "{} users cannot attach files to cases",
            caller.role
        )));
    }
    let files = prepare(uploads, limits).await?;
    let author = Author::Staff(caller.username.clone());
    Ok(store
        .add_attachments(record.case.id, files, &author, AttachmentSource::Staff, now)
        .await?)
}

/// The customer attaches files to the case their status link opens (open cases only: a
/// closed case takes nothing new).
pub async fn attach_as_customer(
    store: &Store,
    token: &str,
    uploads: Vec<Upload>,
    limits: Limits,
    now: DateTime<Utc>,
) -> AppResult<Vec<Attachment>> {
    let (record, _) = case_for_link(store, token, now).await?;
    if !record.case.status.is_open() {
        return Err(AppError::conflict(
            "the case is closed: it takes no more files",
        ));
    }
    let files = prepare(uploads, limits).await?;
    Ok(store
        .add_attachments(
            record.case.id,
            files,
            &Author::Customer,
            AttachmentSource::Customer,
            now,
        )
        .await?)
}

/// Which bytes of an attachment to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The file itself: the original to those who may see personal data, a photo's clean
    /// copy to others.
    Full,
    Thumbnail,
}

/// An attachment's bytes, ready to send.
#[derive(Debug)]
pub struct Opened {
    pub attachment: Attachment,
    pub kind: Kind,
    pub bytes: Vec<u8>,
}

/// Opens an attachment of a case the caller may see ("not found" otherwise).
pub async fn open(store: &Store, actor: &Actor, id: i64, variant: Variant) -> AppResult<Opened> {
    let not_found = || AppError::NotFound(format!("no attachment with id `{id}`"));
    let attachment = store.attachment(id).await?.ok_or_else(not_found)?;
    visible_case(store, actor, attachment.case_id)
        .await
        .map_err(|_| not_found())?;
    let original = matches!(actor, Actor::Staff { role, .. } if role.sees_personal_data());
    read(store, attachment, variant, original).await
}

/// Opens a file the customer (or their e-mail) added to the case their link opens. The customer gets clean copies
/// of photos too: a shop's photo must not tell them where it was taken.
pub async fn open_as_customer(
    store: &Store,
    token: &str,
    id: i64,
    variant: Variant,
    now: DateTime<Utc>,
) -> AppResult<Opened> {
    let not_found = || AppError::NotFound(format!("no attachment with id `{id}`"));
    let (record, _) = case_for_link(store, token, now).await?;
    let attachment = store.attachment(id).await?.ok_or_else(not_found)?;
    // The shop's own files (inspection photos, a carrier's letters) are its working papers.
    if attachment.case_id != record.case.id || attachment.source == AttachmentSource::Staff {
        return Err(not_found());
    }
    read(store, attachment, variant, false).await
}

/// The bytes to hand to someone outside the shop (a carrier, in a claim's evidence pack):
/// photos as their clean copies, without the place they were taken.
pub async fn read_for_outside(store: &Store, attachment: Attachment) -> AppResult<Opened> {
    read(store, attachment, Variant::Full, false).await
}

async fn read(
    store: &Store,
    attachment: Attachment,
    variant: Variant,
    original: bool,
) -> AppResult<Opened> {
    let sha = match variant {
        Variant::Thumbnail => attachment.thumb_sha256.clone().ok_or_else(|| {
            AppError::NotFound(format!("attachment {} has no thumbnail", attachment.id))
        })?,
        Variant::Full if original => attachment.sha256.clone(),
        Variant::Full => attachment
            .clean_sha256
            .clone()
            .unwrap_or_else(|| attachment.sha256.clone()),
    };
    let bytes = store
        .blob(&sha)
        .await?
        .ok_or_else(|| AppError::Internal(format!("attachment bytes {sha} are missing")))?;
    let kind = sniff(&attachment.name, &bytes)
        .map_err(|e| AppError::Internal(format!("stored attachment {sha}: {e}")))?;
    Ok(Opened {
        attachment,
        kind,
        bytes,
    })
}
