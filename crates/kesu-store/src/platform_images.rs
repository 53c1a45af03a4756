//! The photos of platform requests, waiting to be fetched: queued in the transaction that
//! opens the case, claimed with a lease by one server at a time, retried with backoff, and
//! marked done in the transaction that stores the file (`Store::store_platform_image`).

use chrono::{DateTime, Duration, Utc};
use kesu_domain::history::{Author, Entry, SystemActor};
use serde_json::json;
use sqlx::{AnyConnection, Row};

use crate::cases::insert_history;
use crate::timers::lock_case;
use crate::{millis, Result, Store};

/// Attempts before a photo is given up (the case then says so).
pub const MAX_IMAGE_ATTEMPTS: i64 = 6;

/// A photo to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingImage {
    pub id: i64,
    pub case_id: i64,
    pub url: String,
    pub attempts: i64,
}

/// Queues a new case's photos (inside the transaction that opens it).
pub(crate) async fn queue(
    conn: &mut AnyConnection,
    case_id: i64,
    urls: &[String],
    now: DateTime<Utc>,
) -> Result<()> {
    for url in urls {
        sqlx::query(
            "INSERT INTO platform_images (case_id, url, state, attempts, next_at) \
             VALUES ($1, $2, 'pending', 0, $3)",
        )
        .bind(case_id)
        .bind(url)
        .bind(millis(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// Claims up to `limit` photos that are due, for `lease`.
    pub async fn claim_platform_images(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<PendingImage>> {
        let sql = crate::outbox::claim_sql(
            self.backend,
            "platform_images",
            "state = 'pending'",
            "id, case_id, url, attempts",
        );
        sqlx::query(&sql)
            .bind(millis(now + lease))
            .bind(millis(now))
            .bind(limit)
            .fetch_all(&self.write)
            .await?
            .iter()
            .map(|r| {
                Ok(PendingImage {
                    id: r.try_get("id")?,
                    case_id: r.try_get("case_id")?,
                    url: r.try_get("url")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// Records a failed fetch: tried again after a backoff, or given up after
    /// [`MAX_IMAGE_ATTEMPTS`] (at once if `hopeless`: a file kesu never takes), which the
    /// case's history then says.
    pub async fn platform_image_failed(
        &self,
        image: &PendingImage,
        error: &str,
        hopeless: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let attempts = image.attempts + 1;
        let given_up = hopeless || attempts >= MAX_IMAGE_ATTEMPTS;
        let error: String = error.chars().take(300).collect();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE platform_images SET state = $1, attempts = $2, next_at = $3, lease_until = NULL, \
             last_error = $4, done_at = $5 WHERE id = $6 AND state = 'pending'",
        )
        .bind(if given_up { "failed" } else { "pending" })
        .bind(attempts)
        .bind(millis(now + crate::backoff(attempts - 1)))
        .bind(error.clone())
        .bind(given_up.then_some(millis(now)))
        .bind(image.id)
        .execute(&mut *tx)
        .await?;
        if given_up {
            lock_case(&mut tx, image.case_id).await?;
            let entry = Entry::Other {
                action: "platform_image".into(),
                data: json!({"attempts": attempts, "error": error}),
            };
            let author = Author::System(SystemActor::PlatformConnector);
            insert_history(&mut tx, image.case_id, now, &author, &entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// How many of a case's platform photos are still to fetch, and how many were given up.
    pub async fn platform_images_left(&self, case_id: i64) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0) AS pending, \
             COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0) AS failed \
             FROM platform_images WHERE case_id = $1",
        )
        .bind(case_id)
        .fetch_one(&self.read)
        .await?;
        Ok((row.try_get("pending")?, row.try_get("failed")?))
    }
}
