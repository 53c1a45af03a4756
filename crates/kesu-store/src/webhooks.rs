//! The shop's webhook subscriptions.

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use serde_json::json;
use sqlx::Row;

use crate::audit::By;
use crate::{from_millis, millis, Result, Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    /// Signs each delivery; never shown again after it is set.
    pub secret: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Webhook> {
    let events: String = r.try_get("events")?;
    Ok(Webhook {
        id: r.try_get("id")?,
        url: r.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        secret: r.try_get("secret")?,
        active: r.try_get::<i64, _>("active")? == 1,
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
    })
}

impl Store {
    pub async fn create_webhook(
        &self,
        url: &str,
        events: &[String],
        secret: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Webhook> {
        let events =
            serde_json::to_string(events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO webhooks (url, events, secret, active, created_by, created_at) \
             VALUES ($1, $2, $3, 1, $4, $5) RETURNING id",
        )
        .bind(url.to_owned())
        .bind(&events)
        .bind(secret.to_owned())
        .bind(by.to_owned())
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        // The address without its query (which may carry a key); never the secret.
        let detail =
            json!({"webhook": id, "url": url.split('?').next(), "events": events, "active": true});
        self.commit_audited(tx, By::new(by, now), AuditKind::ConnectorChanged, detail)
            .await?;
        self.webhook(id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("webhook {id} vanished")))
    }

    pub async fn webhook(&self, id: i64) -> Result<Option<Webhook>> {
        sqlx::query("SELECT * FROM webhooks WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.write)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        sqlx::query("SELECT * FROM webhooks ORDER BY id")
            .fetch_all(&self.write)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    pub async fn set_webhook_active(&self, id: i64, active: bool, by: By<'_>) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query("UPDATE webhooks SET active = $1 WHERE id = $2")
            .bind(i64::from(active))
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let detail = json!({"webhook": id, "active": active});
        self.commit_audited(tx, by, AuditKind::ConnectorChanged, detail)
            .await?;
        Ok(true)
    }
}
