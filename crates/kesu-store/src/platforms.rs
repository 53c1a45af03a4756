//! The platforms' after-sales requests: each source (a shop on a platform, or its own site)
//! with its sealed credentials, and which case each request opened.

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::platform::Platform;
use kesu_domain::registration::Registration;
use kesu_domain::{Actor, Policy};
use serde_json::json;
use sqlx::Row;

use crate::audit::By;
use crate::register::write_one_case;
use crate::{from_millis, millis, CaseRecord, Result, Store, StoreError};

/// A shop on a platform, as an admin set it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSource {
    pub platform: Platform,
    pub shop: String,
    pub enabled: bool,
    /// Whether kesu's answers are sent to the platform (off: recorded as a dry run).
    pub send_answers: bool,
    /// The credentials, sealed with the server's key; only the application layer opens them.
    pub sealed: String,
    pub updated_at: DateTime<Utc>,
}

fn source_from_row(row: &sqlx::any::AnyRow) -> Result<PlatformSource> {
    let code: String = row.try_get("platform")?;
    Ok(PlatformSource {
        platform: Platform::parse(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("platform `{code}`")))?,
        shop: row.try_get("shop")?,
        enabled: row.try_get::<i64, _>("enabled")? != 0,
        send_answers: row.try_get::<i64, _>("send_answers")? != 0,
        sealed: row.try_get("sealed")?,
        updated_at: from_millis(row.try_get("updated_at")?),
    })
}

const SOURCE_COLUMNS: &str = "platform, shop, enabled, send_answers, sealed, updated_at";

impl Store {
    /// Sets up a source or replaces its credentials and switch (its answers switch is kept).
    pub async fn set_platform_source(
        &self,
        platform: Platform,
        shop: &str,
        enabled: bool,
        sealed: &str,
        by: By<'_>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO platform_sources (platform, shop, enabled, send_answers, sealed, updated_at) \
             VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (platform, shop) DO UPDATE SET \
             enabled = excluded.enabled, sealed = excluded.sealed, updated_at = excluded.updated_at",
        )
        .bind(platform.code())
        .bind(shop)
        .bind(i64::from(enabled))
        .bind(sealed)
        .bind(millis(by.at))
        .execute(&mut *tx)
        .await?;
        // Which connector and whether it is on; never its credentials.
        let detail = json!({"platform": platform.code(), "shop": shop, "enabled": enabled, "credentials": "replaced"});
        self.commit_audited(tx, by, AuditKind::ConnectorChanged, detail)
            .await?;
        Ok(())
    }

    pub async fn platform_source(
        &self,
        platform: Platform,
        shop: &str,
    ) -> Result<Option<PlatformSource>> {
        let row = sqlx::query(&format!(
            "SELECT {SOURCE_COLUMNS} FROM platform_sources WHERE platform = $1 AND shop = $2"
        ))
        .bind(platform.code())
        .bind(shop)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(source_from_row).transpose()
    }

    /// Every source, by platform and shop.
    pub async fn platform_sources(&self) -> Result<Vec<PlatformSource>> {
        let rows = sqlx::query(&format!(
            "SELECT {SOURCE_COLUMNS} FROM platform_sources ORDER BY platform, shop"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(source_from_row).collect()
    }

    /// The case a request opened, if it has one. Read beside the writer (not on it: every push
    /// asks, and on SQLite the writer is one connection): a push answered has committed, so a
    /// later one sees its case; two at once are told apart by the claim when opening.
    pub async fn platform_request_case(
        &self,
        platform: Platform,
        shop: &str,
        request_id: &str,
    ) -> Result<Option<i64>> {
        let row = sqlx::query(
            "SELECT case_id FROM platform_requests WHERE platform = $1 AND shop = $2 AND request_id = $3",
        )
        .bind(platform.code())
        .bind(shop)
        .bind(request_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| r.try_get("case_id")).transpose()?)
    }

    /// Opens the case of a platform request, records which request it is and queues its
    /// photos, in one transaction. `None`: another push of the same request opened its case
    /// first, and nothing was written.
    pub async fn open_case_for_platform_request(
        &self,
        registration: &Registration,
        images: &[String],
        actor: &Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Option<CaseRecord>> {
        let link = registration
            .platform
            .as_ref()
            .ok_or_else(|| StoreError::Corrupt("a platform case without its request".into()))?;
        let mut tx = self.write.begin().await?;
        let record = write_one_case(&mut tx, registration, actor, now, policy).await?;
        // The request's key is the claim: a second push's insert waits for the first
        // transaction, then finds the key taken, and its case is rolled back with it.
        let claimed = sqlx::query(
            "INSERT INTO platform_requests (platform, shop, request_id, case_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (platform, shop, request_id) DO NOTHING",
        )
        .bind(link.platform.code())
        .bind(&link.shop)
        .bind(&link.request_id)
        .bind(record.case.id)
        .bind(millis(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        crate::platform_images::queue(&mut tx, record.case.id, images, now).await?;
        let mark = self
            .log_change(&mut tx, crate::Topic::Case, &[record.case.id])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(Some(record))
    }
}

impl Store {
    /// Takes the right to sync a source until `until` for `holder`, if no other holder has it
    /// now. True when `holder` has it.
    pub async fn lease_platform_sync(
        &self,
        platform: Platform,
        shop: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE platform_sources SET sync_holder = $1, sync_until = $2 \
             WHERE platform = $3 AND shop = $4 \
             AND (sync_until IS NULL OR sync_until < $5 OR sync_holder = $1)",
        )
        .bind(holder.to_owned())
        .bind(millis(until))
        .bind(platform.code())
        .bind(shop.to_owned())
        .bind(millis(now))
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Gives the right to sync back (only `holder`'s).
    pub async fn release_platform_sync(
        &self,
        platform: Platform,
        shop: &str,
        holder: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE platform_sources SET sync_holder = NULL, sync_until = NULL \
             WHERE platform = $1 AND shop = $2 AND sync_holder = $3",
        )
        .bind(platform.code())
        .bind(shop.to_owned())
        .bind(holder.to_owned())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// New requests each source took since `since`, by platform and shop.
    pub async fn platform_requests_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(Platform, String, i64)>> {
        sqlx::query(
            "SELECT platform, shop, COUNT(*) AS n FROM platform_requests WHERE created_at >= $1 \
             GROUP BY platform, shop",
        )
        .bind(millis(since))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            let code: String = r.try_get("platform")?;
            Ok((
                Platform::parse(&code)
                    .ok_or_else(|| StoreError::Corrupt(format!("platform `{code}`")))?,
                r.try_get("shop")?,
                r.try_get("n")?,
            ))
        })
        .collect()
    }
}
