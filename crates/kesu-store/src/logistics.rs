//! Logistics exceptions (once per parcel, kind and level) and claims against carriers.

use chrono::{DateTime, Utc};
use kesu_domain::claims::{ClaimReason, ClaimStatus, Evidence, NewClaim};
use kesu_domain::history::{Author, ClaimNote, Entry};
use kesu_domain::logistics::{ExceptionKind, Level, LogisticsPolicy, Parcel};
use kesu_domain::tracking::TrackingStatus;
use sqlx::{AnyConnection, Row};

use crate::cases::insert_history;
use crate::timers::lock_case;
use crate::{from_millis, millis, Result, Store, StoreError};

/// A parcel in trouble, as found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    pub carrier: String,
    pub tracking_no: String,
    pub order_no: Option<String>,
    pub kind: ExceptionKind,
    pub level: Level,
    pub detected_at: DateTime<Utc>,
    pub detail: Option<String>,
    /// Tells repeated episodes of one kind apart (see [`kesu_domain::logistics::episode`]).
    pub episode: String,
}

/// A stored exception, for the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogisticsException {
    pub id: i64,
    pub carrier: String,
    pub tracking_no: String,
    pub order_no: Option<String>,
    pub kind: ExceptionKind,
    pub level: Level,
    pub detected_at: DateTime<Utc>,
    pub detail: Option<String>,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    /// `open` or `resolved`.
    pub state: String,
}

/// A parcel on its way, watched for silence.
#[derive(Debug, Clone)]
pub struct WatchedParcel {
    pub order_no: String,
    pub carrier: String,
    pub tracking_no: String,
    pub parcel: Parcel,
}

/// A customer's logistics complaint about a parcel the carrier says was delivered.
#[derive(Debug, Clone)]
pub struct DeliveredButComplained {
    pub case_id: i64,
    pub order_no: String,
    pub carrier: String,
    pub tracking_no: String,
}

/// A claim against a carrier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub carrier: String,
    pub tracking_no: String,
    pub reason: ClaimReason,
    pub amount_claimed_cents: i64,
    pub amount_recovered_cents: Option<i64>,
    pub status: ClaimStatus,
    pub evidence: Vec<Evidence>,
    pub deadline: DateTime<Utc>,
    pub note: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const EXCEPTION_COLUMNS: &str = "e.id, e.carrier, e.tracking_no, e.order_no, e.kind, e.level, \
     e.detected_at, e.detail, e.case_id, e.state, c.number AS case_number";

fn exception_from_row(r: &sqlx::any::AnyRow) -> Result<LogisticsException> {
    let kind: String = r.try_get("kind")?;
    let level: String = r.try_get("level")?;
    Ok(LogisticsException {
        id: r.try_get("id")?,
        carrier: r.try_get("carrier")?,
        tracking_no: r.try_get("tracking_no")?,
        order_no: r.try_get("order_no")?,
        kind: ExceptionKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("exception kind {kind}")))?,
        level: Level::parse(&level)
            .ok_or_else(|| StoreError::Corrupt(format!("exception level {level}")))?,
        detected_at: from_millis(r.try_get("detected_at")?),
        detail: r.try_get("detail")?,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        state: r.try_get("state")?,
    })
}

const CLAIM_COLUMNS: &str = "k.id, k.case_id, c.number AS case_number, k.carrier, k.tracking_no, \
     k.reason, k.amount_claimed_cents, k.amount_recovered_cents, k.status, k.evidence, \
     k.deadline_at, k.note, k.version, k.created_by, k.created_at, k.updated_at";

fn claim_from_row(r: &sqlx::any::AnyRow) -> Result<Claim> {
    let reason: String = r.try_get("reason")?;
    let status: String = r.try_get("status")?;
    let evidence: String = r.try_get("evidence")?;
    let corrupt = |what: String| StoreError::Corrupt(format!("claim {what}"));
    Ok(Claim {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        case_number: r.try_get("case_number")?,
        carrier: r.try_get("carrier")?,
        tracking_no: r.try_get("tracking_no")?,
        reason: ClaimReason::parse(&reason).ok_or_else(|| corrupt(reason.clone()))?,
        amount_claimed_cents: r.try_get("amount_claimed_cents")?,
        amount_recovered_cents: r.try_get("amount_recovered_cents")?,
        status: ClaimStatus::parse(&status).ok_or_else(|| corrupt(status.clone()))?,
        evidence: serde_json::from_str(&evidence).map_err(|e| corrupt(e.to_string()))?,
        deadline: from_millis(r.try_get("deadline_at")?),
        note: r.try_get("note")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

/// Ends the silence exceptions of a parcel that moved again.
pub(crate) async fn resolve_on_news(
    conn: &mut AnyConnection,
    carrier: &str,
    tracking_no: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE logistics_exceptions SET state = 'resolved', resolved_at = $1 \
         WHERE carrier = $2 AND tracking_no = $3 AND state = 'open' \
         AND kind IN ('pickup_timeout', 'no_tracking', 'stalled')",
    )
    .bind(millis(now))
    .bind(carrier)
    .bind(tracking_no)
    .execute(conn)
    .await?;
    Ok(())
}

/// Which exceptions the board lists.
#[derive(Debug, Clone, Default)]
pub struct ExceptionFilter {
    pub open_only: bool,
    pub carrier: Option<String>,
    /// Only exceptions whose case is routed to this department (a department user's view).
    pub department: Option<String>,
}

/// Inserts a finding unless the same parcel already had it; `Some(id)` when it is new.
pub(crate) async fn insert_exception(
    conn: &mut AnyConnection,
    e: &NewException,
) -> Result<Option<i64>> {
    let row = sqlx::query(
        "INSERT INTO logistics_exceptions (carrier, tracking_no, order_no, kind, level, detected_at, detail, state, episode) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) \
         ON CONFLICT (carrier, tracking_no, kind, level, episode) DO NOTHING RETURNING id",
    )
    .bind(&e.carrier)
    .bind(&e.tracking_no)
    .bind(e.order_no.clone())
    .bind(e.kind.code())
    .bind(e.level.code())
    .bind(millis(e.detected_at))
    .bind(e.detail.clone())
    .bind(&e.episode)
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| r.try_get("id").map_err(StoreError::from))
        .transpose()
}

pub(crate) async fn set_exception_case(
    conn: &mut AnyConnection,
    id: i64,
    case_id: i64,
) -> Result<()> {
    sqlx::query("UPDATE logistics_exceptions SET case_id = $1 WHERE id = $2")
        .bind(case_id)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Stores a finding unless the same parcel already had it; `Some(id)` when it is new.
    pub async fn record_exception(&self, e: &NewException) -> Result<Option<i64>> {
        let mut conn = self.write.acquire().await?;
        insert_exception(&mut conn, e).await
    }

    pub async fn resolve_exception(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE logistics_exceptions SET state = 'resolved', resolved_at = $1 WHERE id = $2 AND state = 'open'",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// How many logistics exceptions of case `case_id` are still open.
    pub async fn open_exceptions_of_case(&self, case_id: i64) -> Result<i64> {
        Ok(sqlx::query(
            "SELECT COUNT(*) AS n FROM logistics_exceptions WHERE case_id = $1 AND state = 'open'",
        )
        .bind(case_id)
        .fetch_one(&self.read)
        .await?
        .try_get("n")?)
    }

    /// Exceptions, newest first (at most 2,000: the board is for what is open).
    pub async fn exceptions(&self, filter: &ExceptionFilter) -> Result<Vec<LogisticsException>> {
        let mut sql = format!(
            "SELECT {EXCEPTION_COLUMNS} FROM logistics_exceptions e LEFT JOIN cases c ON c.id = e.case_id WHERE 1 = 1"
        );
        if filter.open_only {
            sql.push_str(" AND e.state = 'open'");
        }
        let mut n = 0;
        if filter.carrier.is_some() {
            n += 1;
            sql.push_str(&format!(" AND e.carrier = ${n}"));
        }
        if filter.department.is_some() {
            n += 1;
            sql.push_str(&format!(" AND c.department = ${n}"));
        }
        sql.push_str(" ORDER BY e.detected_at DESC, e.id DESC LIMIT 2000");
        let mut q = sqlx::query(&sql);
        if let Some(c) = &filter.carrier {
            q = q.bind(c.clone());
        }
        if let Some(d) = &filter.department {
            q = q.bind(d.clone());
        }
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(exception_from_row)
            .collect()
    }

    /// Parcels on their way whose silence may be a problem now and is not known yet (read
    /// through the partial index `shipments_in_flight`, whose condition the query repeats
    /// word for word so that both databases use it): not
    /// picked up past the warning threshold (and not yet an exception, nor a warning still
    /// short of the exception threshold), or moving without news past the stall threshold in
    /// an episode not yet recorded. Only parcels shipped within the watch window count.
    pub async fn watched_parcels(
        &self,
        policy: &LogisticsPolicy,
        now: DateTime<Utc>,
    ) -> Result<Vec<WatchedParcel>> {
        let hours = |h: i64| millis(now - chrono::Duration::hours(h));
        let rows = sqlx::query(WATCH_SQL)
            .bind(millis(policy.watched_since(now)))
            .bind(millis(now))
            .bind(hours(
                policy.pickup_warning_hours.min(policy.no_tracking_hours),
            ))
            .bind(hours(
                policy.pickup_exception_hours.min(policy.no_tracking_hours),
            ))
            .bind(hours(policy.stalled_hours))
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| {
                let status: Option<String> = r.try_get("status")?;
                Ok(WatchedParcel {
                    order_no: r.try_get("order_no")?,
                    carrier: r.try_get("carrier")?,
                    tracking_no: r.try_get("tracking_no")?,
                    parcel: Parcel {
                        shipped_at: from_millis(r.try_get("shipped_at")?),
                        status: status.as_deref().and_then(TrackingStatus::parse),
                        last_event_at: r
                            .try_get::<Option<i64>, _>("last_event_at")?
                            .map(from_millis),
                    },
                })
            })
            .collect()
    }

    /// Open logistics complaints by customers about parcels marked delivered, not yet
    /// recorded as signed-but-not-received.
    pub async fn delivered_but_complained(&self) -> Result<Vec<DeliveredButComplained>> {
        let rows = sqlx::query(
            "SELECT c.id AS case_id, s.order_no, s.carrier, s.tracking_no FROM cases c \
             JOIN shipments s ON s.order_no = c.order_no AND (c.tracking_no IS NULL OR s.tracking_no = c.tracking_no) \
             WHERE c.status <> 'closed' AND c.category = 'logistics' AND s.status = 'delivered' \
             AND NOT EXISTS (SELECT 1 FROM logistics_exceptions o WHERE o.case_id = c.id) \
             AND NOT EXISTS (SELECT 1 FROM logistics_exceptions e WHERE e.carrier = s.carrier \
                 AND e.tracking_no = s.tracking_no AND e.kind = 'signed_not_received')",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(DeliveredButComplained {
                    case_id: r.try_get("case_id")?,
                    order_no: r.try_get("order_no")?,
                    carrier: r.try_get("carrier")?,
                    tracking_no: r.try_get("tracking_no")?,
                })
            })
            .collect()
    }

    /// Files a claim on a case, with an entry in the case's history.
    pub async fn create_claim(
        &self,
        case_id: i64,
        claim: &NewClaim,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Claim> {
        let mut tx = self.write.begin().await?;
        let evidence = serde_json::to_string(&claim.evidence)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let id: i64 = sqlx::query(
            "INSERT INTO carrier_claims (case_id, carrier, tracking_no, reason, amount_claimed_cents, \
             status, evidence, deadline_at, note, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'filed', $6, $7, $8, 1, $9, $10, $10) RETURNING id",
        )
        .bind(case_id)
        .bind(&claim.carrier)
        .bind(&claim.tracking_no)
        .bind(claim.reason.code())
        .bind(claim.amount_claimed_cents)
        .bind(evidence)
        .bind(millis(claim.deadline))
        .bind(claim.note.clone())
        .bind(by)
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        lock_case(&mut tx, case_id).await?;
        let entry = Entry::Claim(ClaimNote::filed(id, claim));
        insert_history(&mut tx, case_id, now, &Author::Staff(by.into()), &entry).await?;
        tx.commit().await?;
        self.claim(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("claim {id} vanished")))
    }

    /// Moves a claim to `status` if it is still at `version`; the case's history records it.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_claim(
        &self,
        claim: &Claim,
        version: i64,
        status: ClaimStatus,
        recovered: Option<i64>,
        note: Option<&str>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE carrier_claims SET status = $1, amount_recovered_cents = COALESCE($2, amount_recovered_cents), \
             note = COALESCE($3, note), version = version + 1, updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(status.code())
        .bind(recovered)
        .bind(note.map(str::to_owned))
        .bind(millis(now))
        .bind(claim.id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Err(StoreError::StaleVersion);
        }
        lock_case(&mut tx, claim.case_id).await?;
        let entry = Entry::Claim(ClaimNote::Moved {
            claim: claim.id,
            status,
            from: claim.status,
            amount_recovered_cents: recovered,
            note: note.map(str::to_owned),
        });
        let by = Author::Staff(by.into());
        insert_history(&mut tx, claim.case_id, now, &by, &entry).await?;
        crate::facts::refresh(&mut tx, &[claim.case_id]).await?;
        let mark = self
            .log_change(&mut tx, crate::Topic::Case, &[claim.case_id])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }

    pub async fn claim(&self, id: i64) -> Result<Option<Claim>> {
        let row = sqlx::query(&format!(
            "SELECT {CLAIM_COLUMNS} FROM carrier_claims k JOIN cases c ON c.id = k.case_id WHERE k.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.write)
        .await?;
        row.as_ref().map(claim_from_row).transpose()
    }

    /// Claims, newest first; of one case when `case_id` is given.
    pub async fn claims(&self, case_id: Option<i64>) -> Result<Vec<Claim>> {
        let mut sql = format!(
            "SELECT {CLAIM_COLUMNS} FROM carrier_claims k JOIN cases c ON c.id = k.case_id"
        );
        if case_id.is_some() {
            sql.push_str(" WHERE k.case_id = $1");
        }
        sql.push_str(" ORDER BY k.id DESC LIMIT 2000");
        let mut q = sqlx::query(&sql);
        if let Some(id) = case_id {
            q = q.bind(id);
        }
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(claim_from_row)
            .collect()
    }
}

/// The monitor's scan ([`Store::watched_parcels`]); its second condition is the partial
/// index `shipments_in_flight`'s, repeated word for word so that both databases use it.
const WATCH_SQL: &str = "SELECT s.order_no, s.carrier, s.tracking_no, s.shipped_at, s.status, s.last_event_at FROM shipments s \
             WHERE s.shipped_at >= $1 AND s.shipped_at <= $2 \
             AND (s.status IS NULL OR s.status IN ('info_received', 'picked_up', 'in_transit', 'out_for_delivery', 'failed_attempt')) AND ( \
               ((s.status IS NULL OR s.status = 'info_received') AND s.shipped_at <= $3 \
                 AND NOT EXISTS (SELECT 1 FROM logistics_exceptions e WHERE e.carrier = s.carrier \
                     AND e.tracking_no = s.tracking_no AND e.level = 'exception' \
                     AND e.kind IN ('pickup_timeout', 'no_tracking')) \
                 AND (s.shipped_at <= $4 OR NOT EXISTS (SELECT 1 FROM logistics_exceptions e \
                     WHERE e.carrier = s.carrier AND e.tracking_no = s.tracking_no \
                     AND e.kind = 'pickup_timeout' AND e.level = 'warning'))) \
               OR (s.status IN ('picked_up', 'in_transit', 'out_for_delivery', 'failed_attempt') \
                 AND COALESCE(s.last_event_at, s.shipped_at) <= $5 \
                 AND NOT EXISTS (SELECT 1 FROM logistics_exceptions e WHERE e.carrier = s.carrier \
                     AND e.tracking_no = s.tracking_no AND e.kind = 'stalled' \
                     AND e.episode = CAST(COALESCE(s.last_event_at, s.shipped_at) AS TEXT))))";

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn the_monitor_reads_only_the_parcels_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::connect(&crate::sqlite_url_in(dir.path()))
            .await
            .unwrap();
        let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {}", super::WATCH_SQL))
            .bind(0_i64)
            .bind(1_i64)
            .bind(1_i64)
            .bind(1_i64)
            .bind(1_i64)
            .fetch_all(&store.read)
            .await
            .unwrap()
            .iter()
            .map(|r| sqlx::Row::try_get::<String, _>(r, "detail").unwrap())
            .collect();
        assert!(
            plan.iter().any(|p| p.contains("shipments_in_flight")),
            "{plan:?}"
        );
    }
}
