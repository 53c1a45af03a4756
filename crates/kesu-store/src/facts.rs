//! The reports' facts of each case (`case_facts`), derived by the domain from the case, its
//! order, refunds and claims, and rewritten in the transaction of every change to them.

use std::collections::HashMap;

use chrono::NaiveDate;
use kesu_domain::personal::Complainant;
use kesu_domain::report::{CaseFacts, FactContext};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::cases::{record_from_row, CASE_COLUMNS};
use crate::search_source::id_list;
use crate::{millis, Result, Store, StoreError};

/// The settings key and value saying the facts were compared with the cases (a new value
/// when the facts' derivation changes makes every database compare once more).
const FACTS_CHECKED_KEY: &str = "facts_checked";
const FACTS_CHECK: &str = "1";

/// How many cases' facts are derived per statement round.
const CHUNK: usize = 500;

/// Identifies a complainant without keeping who they are: a hash of the phone, else the
/// e-mail, else the name (never 0, which means "unknown").
pub(crate) fn complainant_key(c: &Complainant) -> i64 {
    let who = match (&c.phone, &c.email) {
        (Some(p), _) => format!("p:{}", p.as_str()),
        (None, Some(e)) => format!("e:{}", e.as_str().to_lowercase()),
        (None, None) => format!("n:{}", c.name.as_str()),
    };
    let digest = Sha256::digest(who.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    match i64::from_le_bytes(bytes) {
        0 => 1,
        key => key,
    }
}

/// Recomputes and stores the facts of these cases, inside the caller's transaction.
pub(crate) async fn refresh(conn: &mut AnyConnection, ids: &[i64]) -> Result<()> {
    for chunk in ids.chunks(CHUNK) {
        let list = id_list(chunk);
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id WHERE c.id IN ({list})"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let records = rows
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>>>()?;
        if records.is_empty() {
            continue;
        }
        let refunded = sums(
            conn,
            &format!("SELECT case_id, CAST(SUM(cash_cents) AS BIGINT) AS n FROM refunds WHERE case_id IN ({list}) GROUP BY case_id"),
        )
        .await?;
        let recovered = sums(
            conn,
            &format!(
                "SELECT case_id, CAST(SUM(COALESCE(amount_recovered_cents, 0)) AS BIGINT) AS n FROM carrier_claims \
                 WHERE status = 'paid' AND case_id IN ({list}) GROUP BY case_id"
            ),
        )
        .await?;
        write(conn, &records, &refunded, &recovered).await?;
    }
    Ok(())
}

/// Stores the facts of cases just created in the caller's transaction, from the records in
/// hand: nothing to re-read, and a new case has no refunds or claims yet.
pub(crate) async fn write_new(
    conn: &mut AnyConnection,
    records: &[crate::CaseRecord],
) -> Result<()> {
    for chunk in records.chunks(CHUNK) {
        write(conn, chunk, &HashMap::new(), &HashMap::new()).await?;
    }
    Ok(())
}

/// Derives and upserts the facts of `records` with their refunded and recovered sums.
async fn write(
    conn: &mut AnyConnection,
    records: &[crate::CaseRecord],
    refunded: &HashMap<i64, i64>,
    recovered: &HashMap<i64, i64>,
) -> Result<()> {
    let orders = order_context(conn, records).await?;
    let sql = format!(
        "INSERT INTO case_facts (case_id, version, facts) VALUES {} \
         ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, facts = excluded.facts",
        crate::register::values(records.len(), 3)
    );
    let mut q = sqlx::query(&sql);
    for r in records {
        let case = &r.case;
        let (shop, carrier, product) = orders.get(&case.id).cloned().unwrap_or_default();
        let ctx = FactContext {
            shop,
            carrier,
            product,
            refunded_cents: refunded.get(&case.id).copied().unwrap_or(0),
            claims_recovered_cents: recovered.get(&case.id).copied().unwrap_or(0),
            complainant_key: complainant_key(&r.complainant),
        };
        let facts = serde_json::to_string(&CaseFacts::of(case, &ctx))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        q = q.bind(case.id).bind(case.version).bind(facts);
    }
    q.execute(&mut *conn).await?;
    Ok(())
}

/// `case_id → n` from a grouped sum.
async fn sums(conn: &mut AnyConnection, sql: &str) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for r in sqlx::query(sql).fetch_all(conn).await? {
        out.insert(r.try_get("case_id")?, r.try_get("n")?);
    }
    Ok(out)
}

/// Each case's shop, carrier and product, from its order and shipments.
async fn order_context(
    conn: &mut AnyConnection,
    records: &[crate::CaseRecord],
) -> Result<HashMap<i64, (Option<String>, Option<String>, Option<String>)>> {
    let order_nos: Vec<&str> = records
        .iter()
        .filter_map(|r| r.case.order_no.as_deref())
        .collect();
    let tracking: Vec<&str> = records
        .iter()
        .filter_map(|r| r.case.tracking_no.as_deref())
        .collect();
    let mut orders: HashMap<String, (String, Option<String>)> = HashMap::new();
    if !order_nos.is_empty() {
        let sql = format!(
            "SELECT order_no, shop, detail FROM orders WHERE order_no IN ({})",
            crate::placeholders(1, order_nos.len())
        );
        let mut q = sqlx::query(&sql);
        for o in &order_nos {
            q = q.bind(*o);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let detail: String = r.try_get("detail")?;
            // The detail is the order's money plus its payment method; only the first
            // line's name (else SKU) is wanted here.
            let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
            let first = &detail["lines"][0];
            let product = first["name"]
                .as_str()
                .or_else(|| first["sku"].as_str())
                .map(str::to_owned);
            orders.insert(r.try_get("order_no")?, (r.try_get("shop")?, product));
        }
    }
    // Carrier: the complained-about parcel's, else the order's first shipment's.
    // Two lookups, each by its own index: one statement with `… OR …` over long lists
    // makes PostgreSQL scan the whole table.
    let mut shipments: Vec<(i64, String, String, String)> = Vec::new();
    for (column, values) in [("order_no", &order_nos), ("tracking_no", &tracking)] {
        if values.is_empty() {
            continue;
        }
        let sql = format!(
            "SELECT id, order_no, tracking_no, carrier FROM shipments WHERE {column} IN ({})",
            crate::placeholders(1, values.len())
        );
        let mut q = sqlx::query(&sql);
        for v in values.iter() {
            q = q.bind(*v);
        }
        for r in q.fetch_all(&mut *conn).await? {
            shipments.push((
                r.try_get("id")?,
                r.try_get("order_no")?,
                r.try_get("tracking_no")?,
                r.try_get("carrier")?,
            ));
        }
    }
    shipments.sort_by_key(|s| s.0);
    let mut by_tracking: HashMap<String, String> = HashMap::new();
    let mut by_order: HashMap<String, String> = HashMap::new();
    for (_, order_no, tracking_no, carrier) in shipments {
        by_tracking
            .entry(tracking_no)
            .or_insert_with(|| carrier.clone());
        by_order.entry(order_no).or_insert(carrier);
    }
    Ok(records
        .iter()
        .map(|r| {
            let c = &r.case;
            let order = c.order_no.as_ref().and_then(|o| orders.get(o.as_str()));
            let carrier = c
                .tracking_no
                .as_ref()
                .and_then(|t| by_tracking.get(t))
                .or_else(|| c.order_no.as_ref().and_then(|o| by_order.get(o.as_str())))
                .cloned();
            (
                c.id,
                (
                    order.map(|o| o.0.clone()),
                    carrier,
                    order.and_then(|o| o.1.clone()),
                ),
            )
        })
        .collect())
}

fn parse_facts(s: &str) -> Result<CaseFacts> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("case facts: {e}")))
}

impl Store {
    /// Up to `limit` cases' facts with ids above `after_id`, in id order: a page of a load.
    pub async fn facts_after(&self, after_id: i64, limit: i64) -> Result<Vec<CaseFacts>> {
        let rows = sqlx::query(&format!(
            "SELECT facts FROM case_facts WHERE case_id > $1 ORDER BY case_id LIMIT {limit}"
        ))
        .bind(after_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| parse_facts(&r.try_get::<String, _>("facts")?))
            .collect()
    }

    /// The facts of these cases (those that have them).
    pub async fn facts_of(&self, ids: &[i64]) -> Result<Vec<CaseFacts>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let rows = sqlx::query(&format!(
                "SELECT facts FROM case_facts WHERE case_id IN ({})",
                id_list(chunk)
            ))
            .fetch_all(&self.read)
            .await?;
            for r in rows {
                out.push(parse_facts(&r.try_get::<String, _>("facts")?)?);
            }
        }
        Ok(out)
    }

    /// Cases whose facts are missing or older than the case (a database from before the
    /// reports, or written by an older kesu).
    pub async fn stale_facts(&self) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT c.id FROM cases c LEFT JOIN case_facts f ON f.case_id = c.id \
             WHERE f.case_id IS NULL OR f.version <> c.version ORDER BY c.id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Whether this database's facts were compared with its cases once. Since then every
    /// writer keeps them in its own transaction, so a restart need not compare again.
    pub async fn facts_checked(&self) -> Result<bool> {
        Ok(self.setting(FACTS_CHECKED_KEY).await?.as_deref() == Some(FACTS_CHECK))
    }

    pub async fn mark_facts_checked(&self) -> Result<()> {
        self.set_setting(FACTS_CHECKED_KEY, FACTS_CHECK).await
    }

    /// Recomputes the facts of these cases, a transaction per chunk.
    pub async fn refresh_facts(&self, ids: &[i64]) -> Result<()> {
        for chunk in ids.chunks(CHUNK) {
            let mut tx = self.write.begin().await?;
            refresh(&mut tx, chunk).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Orders placed between two shop-local days (included), optionally of one shop: the
    /// counts the shop's platform reported where there are any, else the orders kesu holds.
    pub async fn orders_placed(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        zone: chrono_tz::Tz,
        shop: Option<&str>,
    ) -> Result<i64> {
        let (from_s, to_s) = (from.to_string(), to.to_string());
        let shop_clause = if shop.is_some() { " AND shop = $3" } else { "" };
        // Each day's count is clamped to what the API accepts, so rows stored before it
        // was bounded cannot overflow the sum.
        let reported = format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN orders > {max} THEN {max} WHEN orders < 0 THEN 0 \
             ELSE orders END), 0) AS BIGINT) AS n, COUNT(*) AS days FROM shop_order_counts \
             WHERE day >= $1 AND day <= $2{shop_clause}",
            max = kesu_domain::report::MAX_DAILY_ORDERS
        );
        let mut q = sqlx::query(&reported).bind(from_s).bind(to_s);
        if let Some(s) = shop {
            q = q.bind(s.to_owned());
        }
        let row = q.fetch_one(&self.read).await?;
        if row.try_get::<i64, _>("days")? > 0 {
            return Ok(row.try_get("n")?);
        }
        let start = kesu_domain::report::local_midnight(zone, from);
        let end = kesu_domain::report::local_midnight(zone, to + chrono::Duration::days(1));
        let stored =
            format!("SELECT COUNT(*) AS n FROM orders WHERE placed_at >= $1 AND placed_at < $2{shop_clause}");
        let mut q = sqlx::query(&stored).bind(millis(start)).bind(millis(end));
        if let Some(s) = shop {
            q = q.bind(s.to_owned());
        }
        Ok(q.fetch_one(&self.read).await?.try_get("n")?)
    }

    /// Records how many orders shops took on given days (create or replace).
    pub async fn put_shop_order_counts(&self, counts: &[(String, NaiveDate, i64)]) -> Result<()> {
        let mut tx = self.write.begin().await?;
        for chunk in counts.chunks(300) {
            let sql = format!(
                "INSERT INTO shop_order_counts (shop, day, orders) VALUES {} \
                 ON CONFLICT (shop, day) DO UPDATE SET orders = excluded.orders",
                crate::register::values(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for (shop, day, n) in chunk {
                q = q.bind(shop.clone()).bind(day.to_string()).bind(*n);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complainants_are_told_apart_by_phone_then_email_then_name() {
        let who = |name: &str, phone: Option<&str>, email: Option<&str>| {
            let c: Complainant = serde_json::from_value(
                serde_json::json!({"name": name, "phone": phone, "email": email}),
            )
            .unwrap();
            complainant_key(&c)
        };
        let keys: Vec<i64> = (0..200)
            .map(|i| who("王小明", Some(&format!("138{i:08}")), None))
            .collect();
        let mut distinct = keys.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 200, "every phone its own complainant");
        assert!(keys.iter().all(|k| *k != 0));
        assert_eq!(
            who("王小明", Some("13812345678"), None),
            who("王大明", Some("13812345678"), Some("a@b.cn"))
        );
        assert_eq!(
            who("王小明", None, Some("A@b.cn")),
            who("王五", None, Some("a@b.cn"))
        );
        assert_ne!(who("王小明", None, None), who("王五", None, None));
    }
}
