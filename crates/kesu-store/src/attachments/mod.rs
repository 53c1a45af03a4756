//! Evidence files attached to cases. Their bytes go to a [`Blobs`] backend (the database by
//! default, so every server sees them; or a folder), named by SHA-256 and stored once however
//! often they are attached; the attachment rows and their history entries are written in one
//! transaction with the case locked.

mod blobs;

use chrono::{DateTime, Utc};
use kesu_domain::attachment::Kind;
use kesu_domain::history::{Attached, Author, Entry};
use sha2::{Digest, Sha256};
use sqlx::Row;

pub use blobs::Blobs;

use crate::cases::insert_history;
use crate::timers::lock_case;
use crate::{from_millis, millis, Result, Store, StoreError};

/// Who brought a file in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Staff,
    Customer,
    Email,
    /// A photo of a platform's after-sales request, fetched from the platform.
    Platform,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Staff => "staff",
            Source::Customer => "customer",
            Source::Email => "email",
            Source::Platform => "platform",
        }
    }

    fn parse(s: &str) -> Source {
        match s {
            "customer" => Source::Customer,
            "email" => Source::Email,
            "platform" => Source::Platform,
            _ => Source::Staff,
        }
    }
}

/// What else the transaction that stores files claims, so that the files are stored once:
/// an e-mail by its Message-ID, a platform's photo by its queue row.
pub(crate) enum Claim<'a> {
    Nothing,
    InboundMessage {
        message_id: &'a str,
        outcome: &'a str,
    },
    PlatformImage(i64),
}

/// A file ready to store: the original, and for images a copy without metadata and a
/// thumbnail (both JPEG or PNG).
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub name: String,
    pub kind: Kind,
    pub bytes: Vec<u8>,
    pub clean: Option<Vec<u8>>,
    pub thumb: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A stored attachment (its bytes are fetched separately with [`Store::blob`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub case_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub clean_sha256: Option<String>,
    pub thumb_sha256: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub source: Source,
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

impl Attachment {
    pub fn kind(&self) -> Option<Kind> {
        Kind::from_content_type(&self.content_type)
    }
}

/// The SHA-256 of some bytes, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

const COLUMNS: &str = "id, case_id, name, content_type, size, sha256, clean_sha256, \
     thumb_sha256, width, height, source, uploaded_by, created_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Attachment> {
    let dim = |c: &str| -> Result<Option<u32>> {
        Ok(row.try_get::<Option<i64>, _>(c)?.map(|v| v as u32))
    };
    Ok(Attachment {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        name: row.try_get("name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get::<i64, _>("size")? as u64,
        sha256: row.try_get("sha256")?,
        clean_sha256: row.try_get("clean_sha256")?,
        thumb_sha256: row.try_get("thumb_sha256")?,
        width: dim("width")?,
        height: dim("height")?,
        source: Source::parse(&row.try_get::<String, _>("source")?),
        uploaded_by: row.try_get("uploaded_by")?,
        created_at: from_millis(row.try_get("created_at")?),
    })
}

/// The SHA-256 of a file's original and of its copies.
struct Hashes {
    original: String,
    clean: Option<String>,
    thumb: Option<String>,
}

impl Hashes {
    fn of(f: &NewAttachment) -> Hashes {
        Hashes {
            original: sha256_hex(&f.bytes),
            clean: f.clean.as_deref().map(sha256_hex),
            thumb: f.thumb.as_deref().map(sha256_hex),
        }
    }

    /// Each stored part with its bytes.
    fn parts<'a>(&'a self, f: &'a NewAttachment) -> Vec<(&'a str, &'a [u8])> {
        let mut parts = vec![(self.original.as_str(), f.bytes.as_slice())];
        if let (Some(s), Some(b)) = (&self.clean, &f.clean) {
            parts.push((s, b));
        }
        if let (Some(s), Some(b)) = (&self.thumb, &f.thumb) {
            parts.push((s, b));
        }
        parts
    }
}

impl Store {
    /// Attaches `files` to the case, all or none, each with its history entry.
    /// Stores a platform's photo fetched for its case and marks its queue row done, in one
    /// transaction. `None`: another server stored it first; nothing is written.
    pub async fn store_platform_image(
        &self,
        image_id: i64,
        case_id: i64,
        files: Vec<NewAttachment>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Attachment>>> {
        let author = Author::System(kesu_domain::history::SystemActor::PlatformConnector);
        self.write_attachments(
            Some(case_id),
            files,
            &author,
            Source::Platform,
            Claim::PlatformImage(image_id),
            now,
        )
        .await
    }

    pub async fn add_attachments(
        &self,
        case_id: i64,
        files: Vec<NewAttachment>,
        author: &Author,
        source: Source,
        now: DateTime<Utc>,
    ) -> Result<Vec<Attachment>> {
        let stored = self
            .write_attachments(Some(case_id), files, author, source, Claim::Nothing, now)
            .await?;
        Ok(stored.unwrap_or_default())
    }

    /// Records an e-mail as taken (by its Message-ID) with the files it brought to its case,
    /// in one transaction. `None` when the message had been taken already: nothing is written.
    pub async fn take_inbound_message(
        &self,
        message_id: &str,
        case_id: Option<i64>,
        outcome: &str,
        files: Vec<NewAttachment>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Attachment>>> {
        self.write_attachments(
            case_id,
            files,
            &Author::Customer,
            Source::Email,
            Claim::InboundMessage {
                message_id,
                outcome,
            },
            now,
        )
        .await
    }

    /// The case an e-mail went to and what became of it (`opened`, `threaded`, `ignored`),
    /// if kesu has taken that message.
    pub async fn inbound_message(&self, message_id: &str) -> Result<Option<(Option<i64>, String)>> {
        let row =
            sqlx::query("SELECT case_id, outcome FROM inbound_messages WHERE message_id = $1")
                .bind(message_id.to_owned())
                .fetch_optional(&self.write)
                .await?;
        row.map(|r| Ok((r.try_get("case_id")?, r.try_get("outcome")?)))
            .transpose()
    }

    /// The id of the case numbered `number` (`KS-20261123-0007`).
    pub async fn case_id_by_number(&self, number: &str) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT id FROM cases WHERE number = $1")
            .bind(number.to_owned())
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| Ok(r.try_get("id")?)).transpose()
    }

    async fn write_attachments(
        &self,
        case_id: Option<i64>,
        files: Vec<NewAttachment>,
        author: &Author,
        source: Source,
        claim: Claim<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<Vec<Attachment>>> {
        // Hashing 200 MB takes a while: off the async workers.
        let (files, hashes) = tokio::task::spawn_blocking(move || {
            let hashes: Vec<Hashes> = files.iter().map(Hashes::of).collect();
            (files, hashes)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("hashing failed: {e}")))?;
        // A folder backend writes its files (durably) before the rows that name them.
        for (file, h) in files.iter().zip(&hashes) {
            for (sha, bytes) in h.parts(file) {
                self.blobs.write_file(sha, bytes).await?;
            }
        }
        let mut tx = self.write.begin().await?;
        let taken = match claim {
            Claim::Nothing => 1,
            Claim::InboundMessage {
                message_id,
                outcome,
            } => sqlx::query(
                "INSERT INTO inbound_messages (message_id, case_id, outcome, received_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (message_id) DO NOTHING",
            )
            .bind(message_id.to_owned())
            .bind(case_id)
            .bind(outcome.to_owned())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected(),
            Claim::PlatformImage(id) => sqlx::query(
                "UPDATE platform_images SET state = 'done', done_at = $1, lease_until = NULL \
                 WHERE id = $2 AND state = 'pending'",
            )
            .bind(millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        };
        if taken == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(files.len());
        let case_id = match case_id {
            Some(id) => id,
            None if files.is_empty() => {
                tx.commit().await?;
                return Ok(Some(Vec::new()));
            }
            None => return Err(StoreError::Corrupt("files need a case".into())),
        };
        lock_case(&mut tx, case_id).await?;
        for (file, h) in files.iter().zip(&hashes) {
            for (sha, bytes) in h.parts(file) {
                self.blobs.insert_row(&mut tx, sha, bytes, now).await?;
            }
            let id: i64 = sqlx::query(
                "INSERT INTO attachments (case_id, name, content_type, size, sha256, clean_sha256, \
                 thumb_sha256, width, height, source, uploaded_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(case_id)
            .bind(&file.name)
            .bind(file.kind.content_type())
            .bind(file.bytes.len() as i64)
            .bind(h.original.clone())
            .bind(h.clean.clone())
            .bind(h.thumb.clone())
            .bind(file.width.map(i64::from))
            .bind(file.height.map(i64::from))
            .bind(source.code())
            .bind(author.name().to_owned())
            .bind(millis(now))
            .fetch_one(&mut *tx)
            .await?
            .try_get("id")?;
            let entry = Entry::Attached(Attached {
                attachment: id,
                name: file.name.clone(),
                content_type: file.kind.content_type().into(),
                size: file.bytes.len() as u64,
                sha256: h.original.clone(),
            });
            insert_history(&mut tx, case_id, now, author, &entry).await?;
            ids.push(id);
        }
        // Followers (webhooks' `attachment.added`) hear of it like any change to the case.
        let mark = self
            .log_change(&mut tx, crate::Topic::Case, &[case_id])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        let mut stored = Vec::with_capacity(ids.len());
        for id in ids {
            stored.push(self.attachment(id).await?.ok_or_else(|| {
                StoreError::Corrupt(format!("attachment {id} vanished after its commit"))
            })?);
        }
        Ok(Some(stored))
    }

    /// The case's attachments, oldest first.
    pub async fn attachments(&self, case_id: i64) -> Result<Vec<Attachment>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM attachments WHERE case_id = $1 ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<Attachment>> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM attachments WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.write)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// The bytes stored under `sha256`.
    pub async fn blob(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        self.blobs.read(&self.read, sha256).await
    }

    /// Keeps new attachment files in `folder` instead of the database (files already in
    /// the database stay readable).
    pub fn keep_attachments_in(&mut self, folder: std::path::PathBuf) {
        self.blobs = Blobs::Folder(folder);
    }
}
