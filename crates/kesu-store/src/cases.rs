//! Cases, their personal data and their history.

use chrono::{DateTime, Utc};
use kesu_domain::case::Case;
use kesu_domain::codes::{Category, Channel, DepartmentCode};
use kesu_domain::fulfilment::OrderEffect;
use kesu_domain::history::{Author, Entry};
use kesu_domain::personal::Complainant;
use kesu_domain::ActorKind;
use kesu_domain::CaseStatus;
use sqlx::any::AnyRow;
use sqlx::{Any, Row};

use crate::{from_millis, millis, Result, Store, StoreError};

/// A case with its complainant, as loaded.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub case: Case,
    pub complainant: Complainant,
}

/// One entry of a case's history, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Staff, the customer or kesu itself; told apart by the stored kind, never by the name.
    pub author: Author,
    pub entry: Entry,
}

/// List filters; all optional and combined with AND.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<CaseStatus>,
    /// Only open cases (`true`) or only closed ones (`false`).
    pub open: Option<bool>,
    pub category: Option<Category>,
    pub channel: Option<Channel>,
    pub department: Option<DepartmentCode>,
    pub assignee: Option<String>,
    /// Open cases past their resolution deadline (`true`) or not (`false`), as of `now`.
    pub overdue: Option<bool>,
    pub q: Option<String>,
    /// Whether `q` may match personal data (name, phone, e-mail).
    pub search_personal_data: bool,
    /// Only cases nobody is assigned to.
    pub unassigned: bool,
    /// Soonest resolution deadline first (open cases before closed), instead of newest first.
    pub sort_by_deadline: bool,
    pub now: Option<DateTime<Utc>>,
}

/// Paging: 1-based page number and page size.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: u32,
    pub size: u32,
}

pub(crate) const CASE_COLUMNS: &str =
    "c.id, c.number, c.status, c.version, c.detail, cc.name, cc.phone, cc.email";

pub(crate) fn record_from_row(r: &AnyRow) -> Result<CaseRecord> {
    let case = case_from_row(r)?;
    let complainant = serde_json::from_value(serde_json::json!({
        "name": r.try_get::<String, _>("name")?,
        "phone": r.try_get::<Option<String>, _>("phone")?,
        "email": r.try_get::<Option<String>, _>("email")?,
    }))
    .map_err(|e| StoreError::Corrupt(format!("contact: {e}")))?;
    Ok(CaseRecord { case, complainant })
}

/// The case of a row with `id, number, status, version, detail`.
pub(crate) fn case_from_row(r: &AnyRow) -> Result<Case> {
    let detail: String = r.try_get("detail")?;
    let mut case: Case = serde_json::from_str(&detail)
        .map_err(|e| StoreError::Corrupt(format!("case detail: {e}")))?;
    // The columns are the truth for what concurrency and filters rely on.
    case.id = r.try_get("id")?;
    case.number = r.try_get("number")?;
    case.version = r.try_get("version")?;
    let status: String = r.try_get("status")?;
    case.status = CaseStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("status `{status}`")))?;
    Ok(case)
}

/// What the plain search matches besides personal data, lower-cased.
pub(crate) fn search_text(case: &Case) -> String {
    [
        Some(case.number.as_str()),
        case.order_no.as_deref(),
        case.tracking_no.as_deref(),
        Some(case.description.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join("\n")
    .to_lowercase()
}

/// The queue's sort key: open cases by the nearest deadline of any running clock (none:
/// after those with one), closed cases after every open one, by resolution deadline. Must
/// match the backfill in migration 13.
pub fn queue_key(case: &Case) -> i64 {
    const NO_DEADLINE: i64 = 3_000_000_000_000_000;
    const CLOSED: i64 = 4_000_000_000_000_000;
    if case.status.is_open() {
        kesu_domain::countdown::nearest(case).map_or(NO_DEADLINE, |c| millis(c.due))
    } else {
        CLOSED + case.deadlines.resolve_by.map_or(0, millis)
    }
}

pub(crate) fn detail_json(case: &Case) -> Result<String> {
    serde_json::to_string(case).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `%q%` for LIKE, with the wildcards in `q` escaped.
fn like_pattern(q: &str) -> String {
    let escaped = q
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    pub async fn case(&self, id: i64) -> Result<Option<CaseRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id WHERE c.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(record_from_row).transpose()
    }

    /// The case's history, oldest first.
    pub async fn history(&self, case_id: i64) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, actor_kind, action, data FROM case_events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let data: String = r.try_get("data")?;
                let data = serde_json::from_str(&data)
                    .map_err(|e| StoreError::Corrupt(format!("history data: {e}")))?;
                let kind = ActorKind::parse(&r.try_get::<String, _>("actor_kind")?);
                Ok(HistoryEntry {
                    seq: r.try_get("seq")?,
                    at: from_millis(r.try_get("at")?),
                    author: Author::read(&r.try_get::<String, _>("actor")?, kind),
                    entry: Entry::read(&r.try_get::<String, _>("action")?, data),
                })
            })
            .collect()
    }

    /// Cases matching `filter`, newest first, and how many match in all.
    pub async fn cases(&self, filter: &CaseFilter, page: Page) -> Result<(Vec<CaseRecord>, i64)> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<Arg> = Vec::new();
        let mut push = |clause: &str, arg: Arg| {
            args.push(arg);
            clauses.push(clause.replace('?', &format!("${}", args.len())));
        };
        if let Some(s) = filter.status {
            push("c.status = ?", Arg::Text(s.code().to_owned()));
        }
        if let Some(c) = filter.category {
            push("c.category = ?", Arg::Text(c.code().to_owned()));
        }
        if let Some(c) = filter.channel {
            push("c.channel = ?", Arg::Text(c.code().to_owned()));
        }
        if let Some(d) = &filter.department {
            push("c.department = ?", Arg::Text(d.as_str().to_owned()));
        }
        if let Some(a) = &filter.assignee {
            push("c.assignee = ?", Arg::Text(a.clone()));
        }
        if let Some(overdue) = filter.overdue {
            let now = millis(filter.now.unwrap_or_else(Utc::now));
            if overdue {
                push("c.status <> 'closed' AND c.resolve_by < ?", Arg::Int(now));
            } else {
                push(
                    "(c.status = 'closed' OR c.resolve_by IS NULL OR c.resolve_by >= ?)",
                    Arg::Int(now),
                );
            }
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = like_pattern(q);
            if filter.search_personal_data {
                args.push(Arg::Text(pattern));
                let n = args.len();
                clauses.push(format!(
                    "(c.search_text LIKE ${n} ESCAPE '\\' OR LOWER(cc.name) LIKE ${n} ESCAPE '\\' \
                     OR cc.phone LIKE ${n} ESCAPE '\\' OR LOWER(cc.email) LIKE ${n} ESCAPE '\\')"
                ));
            } else {
                push("c.search_text LIKE ? ESCAPE '\\'", Arg::Text(pattern));
            }
        }
        if filter.unassigned {
            clauses.push("c.assignee IS NULL".to_owned());
        }
        match filter.open {
            Some(true) => clauses.push("c.status <> 'closed'".to_owned()),
            Some(false) => clauses.push("c.status = 'closed'".to_owned()),
            None => {}
        }
        let where_sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let from = "FROM cases c JOIN case_contacts cc ON cc.case_id = c.id";

        // Personal data is only needed when the search may match it.
        let count_from = if filter.search_personal_data && filter.q.is_some() {
            from
        } else {
            "FROM cases c"
        };
        let count_sql = format!("SELECT COUNT(*) AS n {count_from} {where_sql}");
        let mut count = sqlx::query(&count_sql);
        for a in &args {
            count = a.bind(count);
        }
        let total: i64 = count.fetch_one(&self.read).await?.try_get("n")?;

        let size = i64::from(page.size.max(1));
        let offset = i64::from(page.number.max(1) - 1) * size;
        let order = if filter.sort_by_deadline {
            "c.queue_key, c.id"
        } else {
            "c.id DESC"
        };
        let list_sql = format!(
            "SELECT {CASE_COLUMNS} {from} {where_sql} ORDER BY {order} LIMIT {size} OFFSET {offset}"
        );
        let mut list = sqlx::query(&list_sql);
        for a in &args {
            list = a.bind(list);
        }
        let rows = list.fetch_all(&self.read).await?;
        let items = rows
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>>>()?;
        Ok((items, total))
    }
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Arg {
    fn bind<'q>(
        &self,
        q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
        match self {
            Arg::Text(s) => q.bind(s.clone()),
            Arg::Int(i) => q.bind(*i),
        }
    }
}

/// Writes a step's change to the order. A refund is keyed by the case version that made
/// it, so it can never be recorded twice, and the order is locked and re-checked so that
/// two cases refunding the same order at once cannot together return more than was paid.
pub(crate) async fn apply_effect(
    conn: &mut sqlx::AnyConnection,
    case: &Case,
    effect: &OrderEffect,
) -> Result<()> {
    match effect {
        OrderEffect::Shipment { order_no, shipment } => {
            let source = ("case", Some(case.id));
            crate::orders::insert_shipment(conn, order_no, shipment, source, case.updated_at).await
        }
        OrderEffect::Refund { order_no, refund } => {
            sqlx::query("UPDATE orders SET updated_at = $1 WHERE order_no = $2")
                .bind(millis(case.updated_at))
                .bind(order_no.to_string())
                .execute(&mut *conn)
                .await?;
            let key = format!("case:{}:v{}", case.id, case.version);
            crate::orders::insert_refund(conn, order_no, refund, Some(&key), case.updated_at)
                .await?;
            let order = crate::orders::read_order(conn, order_no)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("no order `{order_no}`")))?;
            if order.refundable().is_err() {
                return Err(StoreError::Conflict(format!(
                    "order {order_no} was refunded by someone else meanwhile; reload the case and try again"
                )));
            }
            Ok(())
        }
    }
}

pub(crate) async fn insert_history(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    at: DateTime<Utc>,
    author: &Author,
    entry: &Entry,
) -> Result<()> {
    // The caller holds the case row's lock, so the next number is its own.
    sqlx::query(
        "INSERT INTO case_events (case_id, seq, at, actor, actor_kind, action, data) \
         VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM case_events WHERE case_id = $1), $2, $3, $4, $5, $6)",
    )
    .bind(case_id)
    .bind(millis(at))
    .bind(author.name().to_owned())
    .bind(author.kind().code())
    .bind(entry.action().to_owned())
    .bind(entry.data().to_string())
    .execute(&mut *conn)
    .await?;
    // Announced to the audit sealer, whatever else the caller logs: an entry is chained
    // only when the change log says it was written (one written behind kesu's back never
    // is, and `kesu audit verify` names it).
    crate::changes::announce_history(conn, case_id).await
}
