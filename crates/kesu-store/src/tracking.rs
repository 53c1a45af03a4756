//! Tracking events: kept once each, and the shipment's status follows the newest.

use chrono::{DateTime, Utc};
use kesu_domain::tracking::TrackingEvent;
use sqlx::Row;

use crate::{from_millis, millis, CaseRecord, Result, Store};

/// Most events shown for one parcel: a parcel's story is a few dozen at most.
const STORY_LIMIT: i64 = 300;

/// What storing an event found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    /// The same event was received before; nothing changed.
    pub duplicate: bool,
    /// Orders with a shipment under this tracking number.
    pub orders: Vec<String>,
}

impl Store {
    /// Stores a carrier's event once, received at `now`; with the orders its parcel belongs to.
    pub async fn record_tracking(&self, e: &TrackingEvent, now: DateTime<Utc>) -> Result<Tracked> {
        let mut tx = self.write.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO tracking_events (carrier, tracking_no, at, status, location, text, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (carrier, tracking_no, at, status) DO NOTHING",
        )
        .bind(&e.carrier)
        .bind(&e.tracking_no)
        .bind(millis(e.at))
        .bind(e.status.code())
        .bind(e.location.clone())
        .bind(e.text.clone())
        .bind(millis(now))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 1 {
            sqlx::query(
                "UPDATE shipments SET status = $1, last_event_at = $2 \
                 WHERE tracking_no = $3 AND carrier = $4 AND (last_event_at IS NULL OR last_event_at <= $2)",
            )
            .bind(e.status.code())
            .bind(millis(e.at))
            .bind(&e.tracking_no)
            .bind(&e.carrier)
            .execute(&mut *tx)
            .await?;
            if e.status == kesu_domain::tracking::TrackingStatus::Delivered {
                // The customer signed at the earliest delivered event (or the shop's own
                // earlier record): events may arrive out of order.
                sqlx::query(
                    "UPDATE shipments SET signed_at = $1 \
                     WHERE tracking_no = $2 AND carrier = $3 AND kind <> 'return' AND (signed_at IS NULL OR signed_at > $1)",
                )
                .bind(millis(e.at))
                .bind(&e.tracking_no)
                .bind(&e.carrier)
                .execute(&mut *tx)
                .await?;
            }
            crate::logistics::resolve_on_news(&mut tx, &e.carrier, &e.tracking_no, e.at).await?;
        }
        let orders = sqlx::query("SELECT DISTINCT order_no FROM shipments WHERE tracking_no = $1 AND carrier = $2 ORDER BY order_no")
            .bind(&e.tracking_no)
            .bind(&e.carrier)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get("order_no"))
            .collect::<Result<Vec<String>, _>>()?;
        tx.commit().await?;
        Ok(Tracked {
            duplicate: inserted == 0,
            orders,
        })
    }

    /// A parcel's stored events, newest first: by carrier and number, or by number alone
    /// when the carrier is not known (a tracking number typed on a case).
    pub async fn parcel_story(
        &self,
        carrier: Option<&str>,
        tracking_no: &str,
    ) -> Result<Vec<TrackingEvent>> {
        let columns =
            "SELECT carrier, tracking_no, at, status, location, text FROM tracking_events";
        let rows = match carrier {
            Some(carrier) => {
                sqlx::query(&format!(
                    "{columns} WHERE tracking_no = $1 AND carrier = $2 ORDER BY at DESC, id DESC LIMIT $3"
                ))
                .bind(tracking_no)
                .bind(carrier)
                .bind(STORY_LIMIT)
                .fetch_all(&self.read)
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "{columns} WHERE tracking_no = $1 ORDER BY at DESC, id DESC LIMIT $2"
                ))
                .bind(tracking_no)
                .bind(STORY_LIMIT)
                .fetch_all(&self.read)
                .await?
            }
        };
        let mut events = Vec::with_capacity(rows.len());
        for r in &rows {
            let status: String = r.try_get("status")?;
            // A status this version does not know (written by a newer one) is left out.
            let Some(status) = kesu_domain::tracking::TrackingStatus::parse(&status) else {
                continue;
            };
            events.push(TrackingEvent {
                carrier: r.try_get("carrier")?,
                tracking_no: r.try_get("tracking_no")?,
                at: from_millis(r.try_get("at")?),
                status,
                location: r.try_get("location")?,
                text: r.try_get("text")?,
            });
        }
        Ok(events)
    }

    /// The newest open case about this parcel or its order.
    pub async fn open_case_for_parcel(
        &self,
        order_no: &str,
        tracking_no: &str,
    ) -> Result<Option<CaseRecord>> {
        let row = sqlx::query(
            "SELECT id FROM cases WHERE status <> 'closed' AND (tracking_no = $1 OR order_no = $2) ORDER BY id DESC LIMIT 1",
        )
        .bind(tracking_no)
        .bind(order_no)
        .fetch_optional(&self.read)
        .await?;
        match row {
            Some(r) => self.case(r.try_get("id")?).await,
            None => Ok(None),
        }
    }
}
