//! Where attachment bytes live. The database (the default) keeps them in `attachment_blobs`
//! with the rows that name them, so several servers share them and a backup holds them. The
//! folder backend keeps each file at `FOLDER/ab/abcdef…` (its SHA-256) for shops whose
//! database should stay small; the row is still written, with no bytes, so every read knows
//! where to look.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::io::AsyncWriteExt;

use crate::{millis, Result, StoreError};

#[derive(Debug, Clone, Default)]
pub enum Blobs {
    #[default]
    Database,
    Folder(PathBuf),
}

impl Blobs {
    /// The folder backend's file for `sha256`.
    fn path(folder: &Path, sha256: &str) -> Result<PathBuf> {
        if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Corrupt(format!("not a SHA-256: {sha256}")));
        }
        Ok(folder.join(&sha256[..2]).join(sha256))
    }

    /// Folder backend: writes the file durably (a temporary file, fsync, rename, fsync of
    /// the folder) unless it is already there. The database backend writes nothing here.
    pub(crate) async fn write_file(&self, sha256: &str, bytes: &[u8]) -> Result<()> {
        let Blobs::Folder(folder) = self else {
            return Ok(());
        };
        let path = Self::path(folder, sha256)?;
        if tokio::fs::metadata(&path)
            .await
            .is_ok_and(|m| m.len() == bytes.len() as u64)
        {
            return Ok(());
        }
        let dir = path.parent().expect("a blob's path has a folder");
        tokio::fs::create_dir_all(dir).await.map_err(io)?;
        let tmp = dir.join(format!(".{sha256}.{}", rand::random::<u64>()));
        let mut file = tokio::fs::File::create(&tmp).await.map_err(io)?;
        let written = async {
            file.write_all(bytes).await?;
            file.sync_all().await?;
            tokio::fs::rename(&tmp, &path).await?;
            tokio::fs::File::open(dir).await?.sync_all().await
        }
        .await;
        if let Err(e) = written {
            tokio::fs::remove_file(&tmp).await.ok();
            return Err(io(e));
        }
        Ok(())
    }

    /// Folder backend: removes the files of contents whose rows were deleted (after the
    /// commit: a file left behind by a crash here is unreachable, never missing).
    pub(crate) async fn remove_files(&self, shas: &[String]) {
        let Blobs::Folder(folder) = self else {
            return;
        };
        for sha in shas {
            if let Ok(path) = Self::path(folder, sha) {
                if let Err(e) = tokio::fs::remove_file(&path).await {
                    if e.kind() != std::io::ErrorKind::NotFound {
                        tracing::warn!(sha256 = %sha, error = %e, "an erased attachment file could not be removed");
                    }
                }
            }
        }
    }

    /// Records the blob in the caller's transaction (once per content).
    pub(crate) async fn insert_row(
        &self,
        conn: &mut AnyConnection,
        sha256: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let stored: Option<Vec<u8>> = match self {
            Blobs::Database => Some(bytes.to_vec()),
            Blobs::Folder(_) => None,
        };
        sqlx::query(
            "INSERT INTO attachment_blobs (sha256, size, bytes, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(sha256.to_owned())
        .bind(bytes.len() as i64)
        .bind(stored)
        .bind(millis(now))
        .execute(conn)
        .await?;
        Ok(())
    }

    /// The bytes stored under `sha256`: from the database row, or from the folder when the
    /// row holds none.
    pub(crate) async fn read(&self, pool: &AnyPool, sha256: &str) -> Result<Option<Vec<u8>>> {
        let Some(row) = sqlx::query("SELECT bytes FROM attachment_blobs WHERE sha256 = $1")
            .bind(sha256.to_owned())
            .fetch_optional(pool)
            .await?
        else {
            return Ok(None);
        };
        if let Some(bytes) = row.try_get::<Option<Vec<u8>>, _>("bytes")? {
            return Ok(Some(bytes));
        }
        let Blobs::Folder(folder) = self else {
            return Err(StoreError::Corrupt(format!(
                "attachment {sha256} is kept in a folder, but no attachment folder is set"
            )));
        };
        match tokio::fs::read(Self::path(folder, sha256)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) => Err(StoreError::Corrupt(format!(
                "attachment file {sha256} cannot be read: {e}"
            ))),
        }
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::from(sqlx::Error::Io(e))
}
