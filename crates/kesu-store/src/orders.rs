//! Orders with their buyer, shipments and refunds. Storing an order replaces what came
//! with it before (imported shipments and refunds) and keeps what kesu itself did to it
//! (reships, exchanges and refunds executed for cases).

use chrono::{DateTime, Utc};
use kesu_domain::order::{
    Buyer, Order, OrderNo, RefundRecord, RefundSource, Shipment, ShipmentKind,
};
use kesu_domain::refund::OrderAmounts;
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, Row};

use crate::{from_millis, millis, Result, Store, StoreError};

/// The order's money and payment, kept as JSON.
#[derive(Serialize, Deserialize)]
struct OrderDetail {
    payment_method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    freight_insurance: Option<kesu_domain::return_freight::FreightInsurance>,
    #[serde(flatten)]
    amounts: OrderAmounts,
}

/// Most orders written in one transaction by [`Store::put_orders`].
pub const ORDER_BATCH: usize = 500;

fn kind_code(kind: ShipmentKind) -> &'static str {
    match kind {
        ShipmentKind::Original => "original",
        ShipmentKind::Reship => "reship",
        ShipmentKind::Exchange => "exchange",
        ShipmentKind::Return => "return",
    }
}

fn json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_json<T: for<'de> Deserialize<'de>>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

impl Store {
    /// Creates or replaces an order; `true` when it was new. The caller has checked the
    /// order with [`kesu_domain::order::OrderForm::parse`]; refunds kesu executed for cases
    /// are kept and counted by [`Store::order`].
    pub async fn put_order(&self, order: &Order, now: DateTime<Utc>) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let created = write_order(&mut tx, order, now).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Stores many orders, [`ORDER_BATCH`] to a transaction: for imports. If a batch fails,
    /// its orders are written one by one so one bad order costs only itself. Returns, per
    /// order, whether it was new or why it failed.
    pub async fn put_orders(&self, orders: &[Order], now: DateTime<Utc>) -> Vec<Result<bool>> {
        let mut results = Vec::with_capacity(orders.len());
        for chunk in orders.chunks(ORDER_BATCH) {
            let batch = async {
                let mut tx = self.write.begin().await?;
                let mut created = Vec::with_capacity(chunk.len());
                for order in chunk {
                    created.push(write_order(&mut tx, order, now).await?);
                }
                tx.commit().await?;
                Ok::<_, StoreError>(created)
            }
            .await;
            match batch {
                Ok(created) => results.extend(created.into_iter().map(Ok)),
                Err(_) => {
                    for order in chunk {
                        results.push(self.put_order(order, now).await);
                    }
                }
            }
        }
        results
    }

    /// The order with everything kesu knows of it.
    pub async fn order(&self, order_no: &str) -> Result<Option<Order>> {
        let mut conn = self.read.acquire().await?;
        read_order(&mut conn, order_no).await
    }

    /// Sets the product flags of lines of order `order_no`, each line's replacing what it had;
    /// `None` when there is no such order. The caller checked the lines exist.
    pub async fn set_line_flags(
        &self,
        order_no: &str,
        changes: &[(String, Vec<kesu_domain::seven_day_return::ProductFlag>)],
        now: DateTime<Utc>,
    ) -> Result<Option<()>> {
        let mut tx = self.write.begin().await?;
        let Some(row) = sqlx::query("SELECT detail FROM orders WHERE order_no = $1")
            .bind(order_no)
            .fetch_optional(&mut *tx)
            .await?
        else {
            return Ok(None);
        };
        let mut detail: OrderDetail =
            parse_json("order detail", &row.try_get::<String, _>("detail")?)?;
        for (line_id, flags) in changes {
            if let Some(line) = detail
                .amounts
                .lines
                .iter_mut()
                .find(|l| &l.line_id == line_id)
            {
                line.flags = flags.clone();
            }
        }
        sqlx::query("UPDATE orders SET detail = $1, updated_at = $2 WHERE order_no = $3")
            .bind(json(&detail)?)
            .bind(millis(now))
            .bind(order_no)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(()))
    }

    /// Orders paid since `since` with nothing of their own delivery shipped and nothing
    /// refunded (an order refunded before shipping was cancelled), oldest payment first, at
    /// most `limit`: (order number, shop, paid at).
    pub async fn unshipped_paid_orders(
        &self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>> {
        let rows = sqlx::query(
            "SELECT o.order_no, o.shop, o.paid_at FROM orders o \
             WHERE o.paid_at >= $1 \
               AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.order_no = o.order_no AND s.kind = 'original') \
               AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_no = o.order_no) \
             ORDER BY o.paid_at, o.order_no LIMIT $2",
        )
        .bind(millis(since))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("order_no")?,
                    r.try_get("shop")?,
                    from_millis(r.try_get("paid_at")?),
                ))
            })
            .collect()
    }

    /// The orders whose shipments carry `tracking_no`.
    pub async fn orders_by_tracking_no(&self, tracking_no: &str) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT DISTINCT order_no FROM shipments WHERE tracking_no = $1")
            .bind(tracking_no)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("order_no")?)).collect()
    }
}

/// The order's `detail` column.
pub(crate) fn detail_json(order: &Order) -> Result<String> {
    json(&OrderDetail {
        payment_method: order.payment_method.clone(),
        freight_insurance: order.freight_insurance.clone(),
        amounts: order.amounts.clone(),
    })
}

async fn write_order(conn: &mut AnyConnection, order: &Order, at: DateTime<Utc>) -> Result<bool> {
    let now = millis(at);
    let before = sqlx::query("SELECT detail FROM orders WHERE order_no = $1")
        .bind(order.order_no.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    let existed = before.is_some();
    // Product flags set in kesu, and batches, survive a new version of the order that says
    // nothing of them (a platform's import does not know them, nor does the edit form).
    let mut order = std::borrow::Cow::Borrowed(order);
    if let Some(row) = before {
        let old: OrderDetail = parse_json("order detail", &row.try_get::<String, _>("detail")?)?;
        for line in &mut order.to_mut().amounts.lines {
            if let Some(was) = old.amounts.lines.iter().find(|l| l.line_id == line.line_id) {
                if line.flags.is_empty() {
                    line.flags = was.flags.clone();
                }
                if line.batch.is_none() {
                    line.batch = was.batch.clone();
                }
            }
        }
    }
    let order = order.as_ref();
    let detail = detail_json(order)?;
    if existed {
        // What kesu did to the order must still fit the replaced one.
        let kept = read_refunds(conn, &order.order_no, Some(RefundSource::Case)).await?;
        if !kept.is_empty() {
            let mut merged = order.clone();
            merged.refunds.extend(kept);
            let allocation =
                kesu_domain::refund::allocate(&merged.amounts).map_err(StoreError::Invalid)?;
            merged
                .refunded()
                .per_line(&merged.amounts, &allocation)
                .map_err(|_| {
                    StoreError::Conflict(format!(
                        "order {} has refunds executed by kesu that the new version cannot account for",
                        order.order_no
                    ))
                })?;
        }
        sqlx::query("UPDATE orders SET shop = $1, placed_at = $2, paid_at = $3, updated_at = $4, detail = $5 WHERE order_no = $6")
            .bind(&order.shop)
            .bind(millis(order.placed_at))
            .bind(order.paid_at.map(millis))
            .bind(now)
            .bind(&detail)
            .bind(order.order_no.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM order_buyers WHERE order_no = $1")
            .bind(order.order_no.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM shipments WHERE order_no = $1 AND source = 'import'")
            .bind(order.order_no.as_str())
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM refunds WHERE order_no = $1 AND source = 'import'")
            .bind(order.order_no.as_str())
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query("INSERT INTO orders (order_no, shop, placed_at, paid_at, updated_at, detail) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(order.order_no.as_str())
            .bind(&order.shop)
            .bind(millis(order.placed_at))
            .bind(order.paid_at.map(millis))
            .bind(now)
            .bind(&detail)
            .execute(&mut *conn)
            .await?;
    }
    let b = &order.buyer;
    sqlx::query(
        "INSERT INTO order_buyers (order_no, name, phone, address) VALUES ($1, $2, $3, $4)",
    )
    .bind(order.order_no.as_str())
    .bind(b.name.as_str())
    .bind(b.phone.as_ref().map(|p| p.as_str().to_owned()))
    .bind(b.address.as_ref().map(|a| a.as_str().to_owned()))
    .execute(&mut *conn)
    .await?;
    for s in &order.shipments {
        insert_shipment(conn, &order.order_no, s, ("import", None), at).await?;
    }
    for r in order
        .refunds
        .iter()
        .filter(|r| r.source == RefundSource::Import)
    {
        insert_refund(conn, &order.order_no, r, None, at).await?;
    }
    Ok(!existed)
}

pub(crate) async fn insert_shipment(
    conn: &mut AnyConnection,
    order_no: &str,
    s: &Shipment,
    (source, case_id): (&str, Option<i64>),
    now: DateTime<Utc>,
) -> Result<()> {
    // Without the shop's word, the carrier's first delivered event is the signature.
    let signed_at = match s.signed_at {
        Some(t) => Some(millis(t)),
        None => sqlx::query(
            "SELECT MIN(at) AS at FROM tracking_events WHERE carrier = $1 AND tracking_no = $2 AND status = 'delivered'",
        )
        .bind(&s.carrier)
        .bind(&s.tracking_no)
        .fetch_one(&mut *conn)
        .await?
        .try_get::<Option<i64>, _>("at")?,
    };
    sqlx::query(
        "INSERT INTO shipments (order_no, carrier, tracking_no, kind, status, shipped_at, lines, source, case_id, created_at, signed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(order_no)
    .bind(&s.carrier)
    .bind(&s.tracking_no)
    .bind(kind_code(s.kind))
    .bind(s.status.clone())
    .bind(s.shipped_at.map(millis))
    .bind(json(&s.lines)?)
    .bind(source)
    .bind(case_id)
    .bind(millis(now))
    .bind(signed_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a refund; with a key, a second refund under the same key is refused.
pub(crate) async fn insert_refund(
    conn: &mut AnyConnection,
    order_no: &str,
    r: &RefundRecord,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let source = match r.source {
        RefundSource::Import => "import",
        RefundSource::Case => "case",
    };
    let res = sqlx::query(
        "INSERT INTO refunds (order_no, refund_key, case_id, source, lines, shipping_cents, cash_cents, points_cents, method, reference, at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(order_no)
    .bind(key.map(str::to_owned))
    .bind(r.case_id)
    .bind(source)
    .bind(json(&r.lines)?)
    .bind(r.shipping_cents)
    .bind(r.cash_cents)
    .bind(r.points_cents)
    .bind(r.method.clone())
    .bind(r.reference.clone())
    .bind(r.at.map(millis))
    .bind(millis(now))
    .execute(&mut *conn)
    .await;
    match res {
        Ok(_) => Ok(()),
        Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Duplicate(
            "this refund was already executed".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub(crate) async fn read_order(conn: &mut AnyConnection, order_no: &str) -> Result<Option<Order>> {
    let row = sqlx::query(
        "SELECT o.order_no, o.shop, o.placed_at, o.paid_at, o.detail, b.name, b.phone, b.address \
         FROM orders o JOIN order_buyers b ON b.order_no = o.order_no WHERE o.order_no = $1",
    )
    .bind(order_no)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let detail: OrderDetail = parse_json("order detail", &row.try_get::<String, _>("detail")?)?;
    let buyer: Buyer = serde_json::from_value(serde_json::json!({
        "name": row.try_get::<String, _>("name")?,
        "phone": row.try_get::<Option<String>, _>("phone")?,
        "address": row.try_get::<Option<String>, _>("address")?,
    }))
    .map_err(|e| StoreError::Corrupt(format!("buyer: {e}")))?;
    let shipments = sqlx::query(
        "SELECT carrier, tracking_no, kind, status, shipped_at, signed_at, lines, source, case_id FROM shipments WHERE order_no = $1 ORDER BY id",
    )
    .bind(order_no)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| {
        let kind: String = r.try_get("kind")?;
        Ok(Shipment {
            carrier: r.try_get("carrier")?,
            tracking_no: r.try_get("tracking_no")?,
            kind: parse_json("shipment kind", &format!("\"{kind}\""))?,
            status: r.try_get("status")?,
            shipped_at: r.try_get::<Option<i64>, _>("shipped_at")?.map(from_millis),
            signed_at: r.try_get::<Option<i64>, _>("signed_at")?.map(from_millis),
            lines: parse_json("shipment lines", &r.try_get::<String, _>("lines")?)?,
            // Older case shipments may lack the case's id; they are still not the shop's.
            case_id: match r.try_get::<String, _>("source")?.as_str() {
                "import" => None,
                _ => Some(r.try_get::<Option<i64>, _>("case_id")?.unwrap_or(0)),
            },
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let refunds = read_refunds(conn, order_no, None).await?;
    Ok(Some(Order {
        order_no: OrderNo::parse("order_no", &row.try_get::<String, _>("order_no")?)
            .map_err(|e| StoreError::Corrupt(format!("order number: {}", e.message)))?,
        shop: row.try_get("shop")?,
        buyer,
        placed_at: from_millis(row.try_get("placed_at")?),
        paid_at: row.try_get::<Option<i64>, _>("paid_at")?.map(from_millis),
        payment_method: detail.payment_method,
        freight_insurance: detail.freight_insurance,
        amounts: detail.amounts,
        shipments,
        refunds,
    }))
}

async fn read_refunds(
    conn: &mut AnyConnection,
    order_no: &str,
    only: Option<RefundSource>,
) -> Result<Vec<RefundRecord>> {
    let rows = sqlx::query(
        "SELECT case_id, source, lines, shipping_cents, cash_cents, points_cents, method, reference, at \
         FROM refunds WHERE order_no = $1 ORDER BY id",
    )
    .bind(order_no)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let source = match r.try_get::<String, _>("source")?.as_str() {
            "case" => RefundSource::Case,
            _ => RefundSource::Import,
        };
        if only.is_some_and(|o| o != source) {
            continue;
        }
        out.push(RefundRecord {
            lines: parse_json("refund lines", &r.try_get::<String, _>("lines")?)?,
            shipping_cents: r.try_get("shipping_cents")?,
            cash_cents: r.try_get("cash_cents")?,
            points_cents: r.try_get("points_cents")?,
            method: r.try_get("method")?,
            at: r.try_get::<Option<i64>, _>("at")?.map(from_millis),
            reference: r.try_get("reference")?,
            source,
            case_id: r.try_get("case_id")?,
        });
    }
    Ok(out)
}
