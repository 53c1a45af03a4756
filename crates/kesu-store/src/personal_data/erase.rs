//! Erasing a person: one transaction rewrites every place their data sits, keeps each history
//! entry's personal digest first (so the audit chain still verifies once the values are gone)
//! and forgets the cases' keys (so nobody can test a guessed phone number against a digest).
//! Cases, money and the report facts are not touched.

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::case::Case;
use kesu_domain::erasure::{scrub_file_name, Redactor, ERASED};
use kesu_domain::history::{Author, Entry};
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

use super::PersonFound;
use crate::audit::{keys_of, personal_digest_of, By};
use crate::cases::{insert_history, search_text};
use crate::timers::lock_case;
use crate::{millis, placeholders, Result, Store, StoreError, Topic};

/// What an erasure rewrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    /// The case numbers.
    pub cases: Vec<String>,
    pub orders: usize,
    pub attachments: usize,
    pub messages: usize,
}

impl Store {
    /// Erases the person `found` describes, as `by` (`retention`: because the retention
    /// period ran out, not on request). `reason` goes in each case's history, which a later
    /// erasure can rewrite, never into the audit event, which nothing rewrites.
    pub async fn erase_person(
        &self,
        found: &PersonFound,
        reason: &str,
        by: By<'_>,
        retention: bool,
    ) -> Result<Erasure> {
        let redactor = Redactor::for_person(&found.identity);
        let author = if retention {
            Author::System(kesu_domain::history::SystemActor::Kesu)
        } else {
            Author::Staff(by.actor.to_owned())
        };
        let mut conn = self.write.acquire().await?;
        let sqlite = self.backend == crate::Backend::Sqlite;
        if sqlite {
            // Space the rewrite frees is zeroed, so the old values do not linger in the file.
            sqlx::query("PRAGMA secure_delete = ON")
                .execute(&mut *conn)
                .await?;
        }
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        // The first write takes the write lock, and makes any sealer pass that read these
        // cases' entries before the rewrite start again (it would chain the old digests).
        sqlx::query("UPDATE audit_seal SET passes = passes + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let mut erasure = Erasure::default();
        let mut orphans = Vec::new();
        let mut tracking = Vec::new();
        for &case_id in &found.case_ids {
            lock_case(&mut tx, case_id).await?;
            keep_digests_and_scrub_history(&mut tx, case_id, &redactor).await?;
            let case = erase_case_row(&mut tx, case_id, &redactor, by.at).await?;
            tracking.extend(case.tracking_no.clone());
            let (files, old) = erase_attachments(&mut tx, case_id, &redactor).await?;
            erasure.attachments += files;
            orphans.extend(old);
            erasure.messages += erase_messages(&mut tx, case_id, &redactor).await?;
            scrub_reviews(&mut tx, case_id, &redactor).await?;
            let entry = Entry::Other {
                action: "personal_erased".into(),
                data: json!({"retention": retention, "reason": reason}),
            };
            insert_history(&mut tx, case_id, by.at, &author, &entry).await?;
            let event = crate::AuditEvent {
                kind: AuditKind::PersonalErased,
                actor: by.actor.to_owned(),
                case_id: Some(case_id),
                detail: json!({"number": case.number, "retention": retention}),
            };
            crate::audit::record(&mut tx, self.backend, by.at, &event).await?;
            erasure.cases.push(case.number);
        }
        for order_no in &found.order_nos {
            tracking.extend(erase_order(&mut tx, order_no, &redactor).await?);
            erasure.orders += 1;
        }
        tracking.sort();
        tracking.dedup();
        scrub_tracking(&mut tx, &tracking, &redactor).await?;
        let gone = delete_orphan_blobs(&mut tx, &orphans).await?;
        let mark = self
            .log_change(&mut tx, Topic::Case, &found.case_ids)
            .await?;
        tx.commit().await?;
        self.committed(mark);
        if sqlite {
            sqlx::query("PRAGMA secure_delete = FAST")
                .execute(&mut *conn)
                .await?;
            // The write-ahead log still holds the pages as they were: copy the new ones into
            // the database and empty it (best effort: a reader still on an old snapshot
            // keeps the log until the next erasure or checkpoint).
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut *conn)
                .await
            {
                tracing::warn!(error = %e, "the write-ahead log could not be emptied after an erasure");
            }
        }
        drop(conn);
        self.blobs.remove_files(&gone).await;
        Ok(erasure)
    }
}

/// Keeps each entry's personal digest (under the case's key while it still has one), then
/// rewrites the personal values and forgets the key.
async fn keep_digests_and_scrub_history(
    conn: &mut AnyConnection,
    case_id: i64,
    redactor: &Redactor,
) -> Result<()> {
    let keys = keys_of(conn, &[case_id]).await?;
    let key = keys.get(&case_id).map(Vec::as_slice);
    let rows = sqlx::query(
        "SELECT seq, data, personal_digest FROM case_events WHERE case_id = $1 ORDER BY seq",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        let seq: i64 = r.try_get("seq")?;
        let stored: Option<String> = r.try_get("personal_digest")?;
        let text: String = r.try_get("data")?;
        let mut data: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        let had_digest = stored.is_some();
        let digest = personal_digest_of(stored, key, &data);
        let changed = redactor.scrub_json(&mut data);
        if changed || !had_digest {
            sqlx::query(
                "UPDATE case_events SET data = $1, personal_digest = $2 WHERE case_id = $3 AND seq = $4",
            )
            .bind(data.to_string())
            .bind(digest)
            .bind(case_id)
            .bind(seq)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query("DELETE FROM case_keys WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The case's contact and its free text; the case is marked erased and its version moves on
/// (so a form opened before cannot write the old text back).
async fn erase_case_row(
    conn: &mut AnyConnection,
    case_id: i64,
    redactor: &Redactor,
    now: DateTime<Utc>,
) -> Result<Case> {
    let detail: String = sqlx::query("SELECT detail FROM cases WHERE id = $1")
        .bind(case_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("detail")?;
    let mut value: Value = serde_json::from_str(&detail)
        .map_err(|e| StoreError::Corrupt(format!("case detail: {e}")))?;
    redactor.scrub_json(&mut value);
    let mut case: Case = serde_json::from_value(value)
        .map_err(|e| StoreError::Corrupt(format!("case detail after erasure: {e}")))?;
    case.version += 1;
    case.updated_at = now;
    sqlx::query(
        "UPDATE cases SET version = version + 1, updated_at = $1, search_text = $2, detail = $3, \
         personal_erased_at = $1 WHERE id = $4",
    )
    .bind(millis(now))
    .bind(search_text(&case))
    .bind(crate::cases::detail_json(&case)?)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE case_contacts SET name = $1, phone = NULL, email = NULL WHERE case_id = $2",
    )
    .bind(ERASED)
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    Ok(case)
}

/// File names scrubbed; an image's original (with its camera and place metadata) replaced
/// by the copy without metadata. Returns how many files, and the contents no longer named.
async fn erase_attachments(
    conn: &mut AnyConnection,
    case_id: i64,
    redactor: &Redactor,
) -> Result<(usize, Vec<String>)> {
    let rows = sqlx::query(
        "SELECT a.id, a.name, a.sha256, a.clean_sha256, b.size AS clean_size FROM attachments a \
         LEFT JOIN attachment_blobs b ON b.sha256 = a.clean_sha256 WHERE a.case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut old = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let name = scrub_file_name(redactor, &r.try_get::<String, _>("name")?);
        let original: String = r.try_get("sha256")?;
        let clean: Option<String> = r.try_get("clean_sha256")?;
        let clean_size: Option<i64> = r.try_get("clean_size")?;
        match (clean, clean_size) {
            (Some(clean), Some(size)) if clean != original => {
                sqlx::query(
                    "UPDATE attachments SET name = $1, sha256 = $2, size = $3 WHERE id = $4",
                )
                .bind(name)
                .bind(clean)
                .bind(size)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                old.push(original);
            }
            _ => {
                sqlx::query("UPDATE attachments SET name = $1 WHERE id = $2")
                    .bind(name)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok((rows.len(), old))
}

/// Messages to the customer: the address gone, the words scrubbed; any still waiting are
/// not sent.
async fn erase_messages(
    conn: &mut AnyConnection,
    case_id: i64,
    redactor: &Redactor,
) -> Result<usize> {
    let rows = sqlx::query(
        "SELECT id, channel, target, subject, body, status FROM outbox WHERE case_id = $1",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let channel: String = r.try_get("channel")?;
        let target: String = r.try_get("target")?;
        let target = if channel == "webhook" {
            target
        } else {
            ERASED.to_owned()
        };
        let subject: Option<String> = r.try_get("subject")?;
        let waiting = r.try_get::<String, _>("status")? == "queued";
        sqlx::query(
            "UPDATE outbox SET target = $1, subject = $2, body = $3, status = $4, last_error = $5, \
             lease_until = NULL WHERE id = $6",
        )
        .bind(target)
        .bind(subject.map(|s| redactor.scrub(&s)))
        .bind(redactor.scrub(&r.try_get::<String, _>("body")?))
        .bind(if waiting { "failed".to_owned() } else { r.try_get::<String, _>("status")? })
        .bind(waiting.then_some("not sent: the customer's personal data was erased"))
        .bind(r.try_get::<i64, _>("id")?)
        .execute(&mut *conn)
        .await?;
    }
    Ok(rows.len())
}

/// The case's bad reviews and their explanations: the person's words scrubbed.
async fn scrub_reviews(conn: &mut AnyConnection, case_id: i64, redactor: &Redactor) -> Result<()> {
    let rows = sqlx::query("SELECT id, text, explanation FROM bad_reviews WHERE case_id = $1")
        .bind(case_id)
        .fetch_all(&mut *conn)
        .await?;
    for r in &rows {
        sqlx::query("UPDATE bad_reviews SET text = $1, explanation = $2 WHERE id = $3")
            .bind(redactor.scrub(&r.try_get::<String, _>("text")?))
            .bind(
                r.try_get::<Option<String>, _>("explanation")?
                    .map(|e| redactor.scrub(&e)),
            )
            .bind(r.try_get::<i64, _>("id")?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The order's buyer erased and its detail scrubbed; returns its tracking numbers.
async fn erase_order(
    conn: &mut AnyConnection,
    order_no: &str,
    redactor: &Redactor,
) -> Result<Vec<String>> {
    sqlx::query(
        "UPDATE order_buyers SET name = $1, phone = NULL, address = NULL WHERE order_no = $2",
    )
    .bind(ERASED)
    .bind(order_no)
    .execute(&mut *conn)
    .await?;
    if let Some(r) = sqlx::query("SELECT detail FROM orders WHERE order_no = $1")
        .bind(order_no)
        .fetch_optional(&mut *conn)
        .await?
    {
        let text: String = r.try_get("detail")?;
        let mut detail: Value = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("order detail: {e}")))?;
        if redactor.scrub_json(&mut detail) {
            sqlx::query("UPDATE orders SET detail = $1 WHERE order_no = $2")
                .bind(detail.to_string())
                .bind(order_no)
                .execute(&mut *conn)
                .await?;
        }
    }
    let rows = sqlx::query("SELECT tracking_no FROM shipments WHERE order_no = $1")
        .bind(order_no)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>("tracking_no")?))
        .collect()
}

/// Carriers' scan texts name who signed for a parcel.
async fn scrub_tracking(
    conn: &mut AnyConnection,
    tracking: &[String],
    redactor: &Redactor,
) -> Result<()> {
    for chunk in tracking.chunks(100) {
        let sql = format!(
            "SELECT id, text FROM tracking_events WHERE text IS NOT NULL AND tracking_no IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(&sql);
        for t in chunk {
            q = q.bind(t.clone());
        }
        for r in q.fetch_all(&mut *conn).await? {
            let text: String = r.try_get("text")?;
            let scrubbed = redactor.scrub(&text);
            if scrubbed != text {
                sqlx::query("UPDATE tracking_events SET text = $1 WHERE id = $2")
                    .bind(scrubbed)
                    .bind(r.try_get::<i64, _>("id")?)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Deletes the stored contents of `shas` that no attachment names any more; returns them.
async fn delete_orphan_blobs(conn: &mut AnyConnection, shas: &[String]) -> Result<Vec<String>> {
    let mut gone = Vec::new();
    for sha in shas {
        let deleted = sqlx::query(
            "DELETE FROM attachment_blobs WHERE sha256 = $1 AND NOT EXISTS (SELECT 1 FROM attachments \
             WHERE sha256 = $1 OR clean_sha256 = $1 OR thumb_sha256 = $1)",
        )
        .bind(sha.clone())
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if deleted > 0 {
            gone.push(sha.clone());
        }
    }
    Ok(gone)
}
