//! Bulk loading of finished cases with their history and orders (for `kesu demo` and
//! migrations from other systems): a batch is one transaction of a few multi-row
//! statements, and every case gets its facts, daily number and history like a registered one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kesu_domain::case::Case;
use kesu_domain::history::{Author, Entry};
use kesu_domain::order::Order;
use kesu_domain::personal::Complainant;
use kesu_domain::report::{CaseFacts, FactContext};
use kesu_domain::Policy;
use sqlx::{AnyConnection, Row};

use crate::register::values;
use crate::{millis, Result, Store, StoreError};

/// One history entry of an imported case.
#[derive(Debug, Clone)]
pub struct ImportedEvent {
    pub at: DateTime<Utc>,
    pub author: Author,
    pub entry: Entry,
}

/// A case as another system (or the demo) finished it. Its `number` is assigned on import
/// from the shop-local day of `received_at`; `id` is assigned by the database.
#[derive(Debug, Clone)]
pub struct ImportedCase {
    pub case: Case,
    pub complainant: Complainant,
    pub history: Vec<ImportedEvent>,
    pub context: FactContext,
}

/// Rows per statement. Small on purpose: sqlx binds SQLite parameters by name, which costs
/// time quadratic in their number per statement.
const ROWS: usize = 25;

impl Store {
    /// Stores orders in one transaction of multi-row statements; every one must be new.
    pub async fn import_new_orders(&self, orders: &[Order], at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let now = millis(at);
        for chunk in orders.chunks(ROWS) {
            let mut q_orders = String::new();
            q_orders.push_str(&format!(
                "INSERT INTO orders (order_no, shop, placed_at, paid_at, updated_at, detail) VALUES {}",
                values(chunk.len(), 6)
            ));
            let mut q = sqlx::query(&q_orders);
            for o in chunk {
                q = q
                    .bind(o.order_no.to_string())
                    .bind(o.shop.clone())
                    .bind(millis(o.placed_at))
                    .bind(o.paid_at.map(millis))
                    .bind(now)
                    .bind(crate::orders::detail_json(o)?);
            }
            q.execute(&mut *tx).await?;
            let sql = format!(
                "INSERT INTO order_buyers (order_no, name, phone, address) VALUES {}",
                values(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for o in chunk {
                q = q
                    .bind(o.order_no.to_string())
                    .bind(o.buyer.name.as_str().to_owned())
                    .bind(o.buyer.phone.as_ref().map(|p| p.as_str().to_owned()))
                    .bind(o.buyer.address.as_ref().map(|a| a.as_str().to_owned()));
            }
            q.execute(&mut *tx).await?;
            let shipments: Vec<(&Order, &kesu_domain::order::Shipment)> = chunk
                .iter()
                .flat_map(|o| o.shipments.iter().map(move |s| (o, s)))
                .collect();
            if !shipments.is_empty() {
                let sql = format!(
                    "INSERT INTO shipments (order_no, carrier, tracking_no, kind, status, shipped_at, lines, source, created_at) VALUES {}",
                    values(shipments.len(), 9)
                );
                let mut q = sqlx::query(&sql);
                for (o, s) in shipments {
                    q = q
                        .bind(o.order_no.to_string())
                        .bind(s.carrier.clone())
                        .bind(s.tracking_no.clone())
                        .bind("original")
                        .bind(s.status.clone())
                        .bind(s.shipped_at.map(millis))
                        .bind(
                            serde_json::to_string(&s.lines)
                                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                        )
                        .bind("import")
                        .bind(now);
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Stores finished cases in one transaction; fills in their ids and numbers.
    pub async fn import_cases(&self, cases: &mut [ImportedCase], policy: &Policy) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let conn: &mut AnyConnection = &mut tx;
        number_cases(conn, cases, policy).await?;
        for chunk in cases.chunks_mut(ROWS) {
            insert_cases(conn, chunk, policy).await?;
            let sql = format!(
                "INSERT INTO case_contacts (case_id, name, phone, email) VALUES {}",
                values(chunk.len(), 4)
            );
            let mut q = sqlx::query(&sql);
            for c in chunk.iter() {
                q = q
                    .bind(c.case.id)
                    .bind(c.complainant.name.as_str().to_owned())
                    .bind(c.complainant.phone.as_ref().map(|p| p.as_str().to_owned()))
                    .bind(c.complainant.email.as_ref().map(|e| e.as_str().to_owned()));
            }
            q.execute(&mut *conn).await?;
            let sql = format!(
                "INSERT INTO case_facts (case_id, version, facts) VALUES {}",
                values(chunk.len(), 3)
            );
            let mut q = sqlx::query(&sql);
            for c in chunk.iter() {
                let context = FactContext {
                    complainant_key: crate::facts::complainant_key(&c.complainant),
                    ..c.context.clone()
                };
                let facts = serde_json::to_string(&CaseFacts::of(&c.case, &context))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                q = q.bind(c.case.id).bind(c.case.version).bind(facts);
            }
            q.execute(&mut *conn).await?;
            let events: Vec<(i64, usize, &ImportedEvent)> = chunk
                .iter()
                .flat_map(|c| {
                    c.history
                        .iter()
                        .enumerate()
                        .map(move |(i, e)| (c.case.id, i, e))
                })
                .collect();
            for part in events.chunks(ROWS * 2) {
                let sql = format!(
                    "INSERT INTO case_events (case_id, seq, at, actor, actor_kind, action, data) VALUES {}",
                    values(part.len(), 7)
                );
                let mut q = sqlx::query(&sql);
                for (id, i, e) in part {
                    q = q
                        .bind(*id)
                        .bind(*i as i64 + 1)
                        .bind(millis(e.at))
                        .bind(e.author.name().to_owned())
                        .bind(e.author.kind().code())
                        .bind(e.entry.action().to_owned())
                        .bind(e.entry.data().to_string());
                }
                q.execute(&mut *conn).await?;
            }
        }
        let ids: Vec<i64> = cases.iter().map(|c| c.case.id).collect();
        let mark = self.log_change(&mut tx, crate::Topic::Case, &ids).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }
}

/// Daily numbers after those already given out, one counter update per day.
async fn number_cases(
    conn: &mut AnyConnection,
    cases: &mut [ImportedCase],
    policy: &Policy,
) -> Result<()> {
    let zone = policy.zone();
    let mut by_day: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, c) in cases.iter().enumerate() {
        let day = c
            .case
            .received_at
            .with_timezone(&zone)
            .format("%Y%m%d")
            .to_string();
        by_day.entry(day).or_default().push(i);
    }
    for (day, idx) in by_day {
        let n = idx.len() as i64;
        let last: i64 = sqlx::query(
            "INSERT INTO case_counters (day, last) VALUES ($1, $2) \
             ON CONFLICT (day) DO UPDATE SET last = case_counters.last + $2 RETURNING last",
        )
        .bind(&day)
        .bind(n)
        .fetch_one(&mut *conn)
        .await?
        .try_get("last")?;
        let date = chrono::NaiveDate::parse_from_str(&day, "%Y%m%d").unwrap_or_default();
        for (k, i) in idx.into_iter().enumerate() {
            let number = kesu_domain::case::case_number(date, last - n + 1 + k as i64);
            let c = &mut cases[i];
            c.case.number = number.clone();
            if let Some(Entry::Registered(registered)) = c.history.first_mut().map(|e| &mut e.entry)
            {
                registered.number = number;
            }
        }
    }
    Ok(())
}

async fn insert_cases(
    conn: &mut AnyConnection,
    chunk: &mut [ImportedCase],
    policy: &Policy,
) -> Result<()> {
    let sql = crate::register::insert_cases_sql(chunk.len());
    let mut q = sqlx::query(&sql);
    for c in chunk.iter() {
        q = crate::register::bind_new_case(q, &c.case, policy)?;
    }
    let mut ids: HashMap<String, i64> = HashMap::new();
    for row in q.fetch_all(&mut *conn).await? {
        ids.insert(row.try_get("number")?, row.try_get("id")?);
    }
    for c in chunk.iter_mut() {
        c.case.id = *ids
            .get(&c.case.number)
            .ok_or_else(|| StoreError::Corrupt(format!("no id returned for {}", c.case.number)))?;
    }
    // The detail's id is not read back: the id column is the truth (`record_from_row`).
    Ok(())
}
