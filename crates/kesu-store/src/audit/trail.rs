//! Reading the audit trail: the chained entries, newest first, filtered by case, person,
//! kind and period. What an entry says is the event's detail (no customer data in it) or,
//! for a case's history, only its action: the history itself is read on the case.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::Row;

use crate::{from_millis, millis, Page, Result, Store};

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct TrailFilter {
    pub case_id: Option<i64>,
    /// Exactly this actor (a username, `customer`, a worker).
    pub actor: Option<String>,
    /// A kind (`sign_in.failed`) or a family of kinds ending in `.` (`sign_in.`, `case.`).
    pub kind: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// One entry of the trail.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailEntry {
    /// Its place in the chain.
    pub index: i64,
    pub at: DateTime<Utc>,
    pub kind: String,
    pub actor: String,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    /// What the event recorded; `null` for a case's history entry.
    pub detail: Value,
    /// The entry's hash in the chain.
    pub hash: String,
}

impl Store {
    /// A page of the trail, newest first, and how many entries match in all.
    pub async fn audit_trail(
        &self,
        filter: &TrailFilter,
        page: Page,
    ) -> Result<(Vec<TrailEntry>, i64)> {
        let mut conditions = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let next = |b: Bind, binds: &mut Vec<Bind>| {
            binds.push(b);
            format!("${}", binds.len())
        };
        if let Some(id) = filter.case_id {
            conditions.push(format!("c.case_id = {}", next(Bind::Int(id), &mut binds)));
        }
        if let Some(actor) = &filter.actor {
            conditions.push(format!(
                "c.actor = {}",
                next(Bind::Text(actor.clone()), &mut binds)
            ));
        }
        if let Some(kind) = &filter.kind {
            if kind.ends_with('.') {
                // A family: the kinds that begin so (no LIKE: `_` in the codes is a wildcard).
                let len = next(Bind::Int(kind.chars().count() as i64), &mut binds);
                let family = next(Bind::Text(kind.clone()), &mut binds);
                conditions.push(format!(
                    "SUBSTR(c.kind, 1, CAST({len} AS INTEGER)) = {family}"
                ));
            } else {
                conditions.push(format!(
                    "c.kind = {}",
                    next(Bind::Text(kind.clone()), &mut binds)
                ));
            }
        }
        if let Some(from) = filter.from {
            conditions.push(format!(
                "c.at >= {}",
                next(Bind::Int(millis(from)), &mut binds)
            ));
        }
        if let Some(to) = filter.to {
            conditions.push(format!(
                "c.at < {}",
                next(Bind::Int(millis(to)), &mut binds)
            ));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_chain c{filter_sql}");
        let mut q = sqlx::query(&count_sql);
        for b in &binds {
            q = b.bind(q);
        }
        let total: i64 = q.fetch_one(&self.read).await?.try_get("n")?;
        let size = i64::from(page.size.clamp(1, 100_000));
        let offset = i64::from(page.number.max(1) - 1) * size;
        let sql = format!(
            "SELECT c.idx, c.at, c.kind, c.actor, c.case_id, c.hash, k.number, a.detail \
             FROM audit_chain c LEFT JOIN cases k ON k.id = c.case_id \
             LEFT JOIN audit_events a ON c.source = 'event' AND a.seq = c.ref{filter_sql} \
             ORDER BY c.idx DESC LIMIT {size} OFFSET {offset}"
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = b.bind(q);
        }
        let rows = q.fetch_all(&self.read).await?;
        let entries = rows
            .iter()
            .map(|r| {
                let detail: Option<String> = r.try_get("detail")?;
                Ok(TrailEntry {
                    index: r.try_get("idx")?,
                    at: from_millis(r.try_get("at")?),
                    kind: r.try_get("kind")?,
                    actor: r.try_get("actor")?,
                    case_id: r.try_get("case_id")?,
                    case_number: r.try_get("number")?,
                    detail: detail
                        .and_then(|d| serde_json::from_str(&d).ok())
                        .unwrap_or(Value::Null),
                    hash: r.try_get("hash")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((entries, total))
    }
}

enum Bind {
    Int(i64),
    Text(String),
}

impl Bind {
    fn bind<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Bind::Int(v) => q.bind(*v),
            Bind::Text(v) => q.bind(v.as_str()),
        }
    }
}
