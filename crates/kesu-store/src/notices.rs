//! Notices to the desk and who read and acknowledged each.

use chrono::{DateTime, Utc};
use kesu_domain::notice::{Importance, NewNotice, Targets};
use sqlx::Row;

use crate::{from_millis, millis, Result, Store, StoreError};

/// A notice as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Notice {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub importance: Importance,
    pub valid_from: DateTime<Utc>,
    pub valid_to: Option<DateTime<Utc>>,
    pub targets: Targets,
    pub posted_by: String,
    pub posted_at: DateTime<Utc>,
}

/// A notice with where one reader stands with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderNotice {
    pub notice: Notice,
    pub read_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Who read a notice, and when they acknowledged it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NoticeRead {
    pub username: String,
    pub read_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

/// Unqualified: no other table read beside notices has these names.
const COLUMNS: &str = "id, title, body, importance, valid_from, valid_to, shops, skus, \
     categories, posted_by, posted_at";

fn json_list<T: serde::de::DeserializeOwned>(r: &sqlx::any::AnyRow, column: &str) -> Result<T> {
    let raw: String = r.try_get(column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("notice {column}: {e}")))
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Notice> {
    let importance: String = r.try_get("importance")?;
    Ok(Notice {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        text: r.try_get("body")?,
        importance: Importance::parse(&importance)
            .ok_or_else(|| StoreError::Corrupt(format!("notice importance `{importance}`")))?,
        valid_from: from_millis(r.try_get("valid_from")?),
        valid_to: r.try_get::<Option<i64>, _>("valid_to")?.map(from_millis),
        targets: Targets {
            shops: json_list(r, "shops")?,
            skus: json_list(r, "skus")?,
            categories: json_list(r, "categories")?,
        },
        posted_by: r.try_get("posted_by")?,
        posted_at: from_millis(r.try_get("posted_at")?),
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Store {
    /// Stores a notice posted by `by` at `at`.
    pub async fn post_notice(&self, n: &NewNotice, by: &str, at: DateTime<Utc>) -> Result<Notice> {
        let row = sqlx::query(&format!(
            "INSERT INTO notices (title, body, importance, valid_from, valid_to, shops, skus, \
             categories, posted_by, posted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             RETURNING {COLUMNS}"
        ))
        .bind(&n.title)
        .bind(&n.text)
        .bind(n.importance.code())
        .bind(millis(n.valid_from))
        .bind(n.valid_to.map(millis))
        .bind(to_json(&n.targets.shops)?)
        .bind(to_json(&n.targets.skus)?)
        .bind(to_json(&n.targets.categories)?)
        .bind(by)
        .bind(millis(at))
        .fetch_one(&self.write)
        .await?;
        from_row(&row)
    }

    pub async fn notice(&self, id: i64) -> Result<Option<Notice>> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM notices n WHERE n.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// The notices in force at `now`, with where `username` stands with each: important
    /// ones first, then the newest.
    pub async fn notices_in_force(
        &self,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReaderNotice>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, r.read_at, r.acknowledged_at FROM notices n \
             LEFT JOIN notice_reads r ON r.notice_id = n.id AND r.username = $1 \
             WHERE n.valid_from <= $2 AND (n.valid_to IS NULL OR n.valid_to > $2) \
             ORDER BY CASE WHEN n.importance = 'important' THEN 0 ELSE 1 END, n.posted_at DESC, n.id DESC"
        ))
        .bind(username)
        .bind(millis(now))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReaderNotice {
                    notice: from_row(r)?,
                    read_at: r.try_get::<Option<i64>, _>("read_at")?.map(from_millis),
                    acknowledged_at: r
                        .try_get::<Option<i64>, _>("acknowledged_at")?
                        .map(from_millis),
                })
            })
            .collect()
    }

    /// The notices posted, newest first (for those who post them), at most `limit`.
    pub async fn notices_posted(&self, limit: i64) -> Result<Vec<(Notice, i64, i64)>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS}, \
             (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = n.id) AS readers, \
             (SELECT COUNT(*) FROM notice_reads r WHERE r.notice_id = n.id \
              AND r.acknowledged_at IS NOT NULL) AS acknowledged \
             FROM notices n ORDER BY n.posted_at DESC, n.id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    from_row(r)?,
                    r.try_get("readers")?,
                    r.try_get("acknowledged")?,
                ))
            })
            .collect()
    }

    /// Records that `username` read notice `id` (and acknowledged it, if `acknowledge`); a
    /// second read keeps the first time, an acknowledgement is never taken back.
    pub async fn mark_notice(
        &self,
        id: i64,
        username: &str,
        acknowledge: bool,
        at: DateTime<Utc>,
    ) -> Result<NoticeRead> {
        let ack = acknowledge.then_some(millis(at));
        let row = sqlx::query(
            "INSERT INTO notice_reads (notice_id, username, read_at, acknowledged_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (notice_id, username) DO UPDATE SET \
             acknowledged_at = COALESCE(notice_reads.acknowledged_at, excluded.acknowledged_at) \
             RETURNING username, read_at, acknowledged_at",
        )
        .bind(id)
        .bind(username)
        .bind(millis(at))
        .bind(ack)
        .fetch_one(&self.write)
        .await?;
        read_from_row(&row)
    }

    /// Who read notice `id`, first readers first.
    pub async fn notice_reads(&self, id: i64) -> Result<Vec<NoticeRead>> {
        sqlx::query(
            "SELECT username, read_at, acknowledged_at FROM notice_reads \
             WHERE notice_id = $1 ORDER BY read_at, username",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(read_from_row)
        .collect()
    }

    /// Ends notice `id` at `at` (if it had not ended already); `None` when there is none.
    pub async fn end_notice(&self, id: i64, at: DateTime<Utc>) -> Result<Option<Notice>> {
        sqlx::query(&format!(
            "UPDATE notices SET valid_to = $1 WHERE id = $2 \
             AND (valid_to IS NULL OR valid_to > $1) RETURNING {COLUMNS}"
        ))
        .bind(millis(at))
        .bind(id)
        .fetch_optional(&self.write)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }
}

fn read_from_row(r: &sqlx::any::AnyRow) -> Result<NoticeRead> {
    Ok(NoticeRead {
        username: r.try_get("username")?,
        read_at: from_millis(r.try_get("read_at")?),
        acknowledged_at: r
            .try_get::<Option<i64>, _>("acknowledged_at")?
            .map(from_millis),
    })
}
