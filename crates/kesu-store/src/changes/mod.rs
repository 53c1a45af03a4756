//! The change log every server follows. Each committed change to a case, and to what servers
//! cache (the policy, tokens and sessions), writes a row in `change_log` in its own
//! transaction. Followers (the search index, the report facts, the caches) read the log from
//! where they left off: what one server writes, every other server sees, and a follower that
//! was stopped resumes from its position instead of comparing whole tables.
//!
//! A position is a [`Cursor`]; "everything below horizon H" is how far a follower has read.
//! On SQLite one writer commits at a time, so the row number (`seq`) grows in commit order and
//! H is the next row number. On PostgreSQL concurrent transactions commit out of number
//! order, so each row also keeps its transaction id (`tx`) and H is the oldest transaction
//! still running: rows of older transactions can no longer appear.
//!
//! Waking: a local commit wakes this process's followers at once; on PostgreSQL a notifier
//! sends `NOTIFY kesu_changes` after commits and every server LISTENs. Notifications may be
//! lost (a reconnect): followers also poll, because the log, not the signal, is the truth.

mod follower;
mod store;
mod wake;

use chrono::Utc;
use sqlx::{AnyConnection, Row};

pub use follower::{ChangeFollower, Changes};
pub(crate) use wake::Wake;

use crate::{millis, Backend, Result};

/// What a change-log row is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    /// A case (its id is on the row).
    Case,
    /// The policy (deadlines, approval limits, reply rules).
    Policy,
    /// Tokens, sessions or accounts: cached sign-ins must be looked up again.
    Tokens,
    /// An audit event for the audit sealer (its `seq` in the row's `case_id` column); no
    /// other follower reads these rows.
    Audit,
    /// A history entry written to the case (its id on the row), for the audit sealer only:
    /// what other followers need of the case comes as a [`Topic::Case`] row.
    History,
}

impl Topic {
    fn code(self) -> &'static str {
        match self {
            Topic::Case => "case",
            Topic::Policy => "policy",
            Topic::Tokens => "tokens",
            Topic::Audit => "audit",
            Topic::History => "history",
        }
    }

    fn parse(code: &str) -> Option<Topic> {
        match code {
            "case" => Some(Topic::Case),
            "policy" => Some(Topic::Policy),
            "tokens" => Some(Topic::Tokens),
            "audit" => Some(Topic::Audit),
            "history" => Some(Topic::History),
            _ => None,
        }
    }
}

/// A follower's position in the log: every row at or before it has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cursor {
    pub tx: i64,
    pub seq: i64,
}

impl Cursor {
    /// The position after every row below `horizon`.
    pub(crate) fn below(backend: Backend, horizon: i64) -> Cursor {
        match backend {
            Backend::Sqlite => Cursor {
                tx: 0,
                seq: horizon - 1,
            },
            Backend::Postgres => Cursor {
                tx: horizon - 1,
                seq: i64::MAX,
            },
        }
    }

    /// For keeping beside a copy (the search index's commit): `tx:seq`.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.tx, self.seq)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let (tx, seq) = s.split_once(':')?;
        Some(Cursor {
            tx: tx.parse().ok()?,
            seq: seq.parse().ok()?,
        })
    }
}

/// Writes the log rows of a transaction's changes (inside it) and returns the transaction's
/// mark: once a follower's horizon is above it, the follower has read these rows.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    backend: Backend,
    topic: Topic,
    case_ids: &[i64],
) -> Result<u64> {
    // The row's time is only for pruning old rows: real time, not the shop's (test) clock.
    let now = Utc::now();
    let mark = match backend {
        Backend::Sqlite => "seq",
        Backend::Postgres => "tx",
    };
    let mut top = 0_i64;
    let one = [None];
    let ids: Vec<Option<i64>> = if case_ids.is_empty() {
        one.to_vec()
    } else {
        case_ids.iter().copied().map(Some).collect()
    };
    for chunk in ids.chunks(500) {
        let sql = format!(
            "INSERT INTO change_log (case_id, topic, at) VALUES {} RETURNING {mark} AS mark",
            crate::register::values(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id).bind(topic.code()).bind(millis(now));
        }
        for row in q.fetch_all(&mut *conn).await? {
            top = top.max(row.try_get::<i64, _>("mark")?);
        }
    }
    Ok(top.max(0) as u64)
}

/// Announces a history entry of `case_id` to the audit sealer, inside the transaction that
/// wrote it.
pub(crate) async fn announce_history(conn: &mut AnyConnection, case_id: i64) -> Result<()> {
    sqlx::query("INSERT INTO change_log (case_id, topic, at) VALUES ($1, $2, $3)")
        .bind(case_id)
        .bind(Topic::History.code())
        .bind(millis(Utc::now()))
        .execute(conn)
        .await?;
    Ok(())
}

/// The horizon now: every row below it is committed (or never will be).
pub(crate) async fn horizon(pool: &sqlx::AnyPool, backend: Backend) -> Result<i64> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COALESCE(MAX(seq), 0) + 1 AS h FROM change_log",
        Backend::Postgres => {
            "SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) AS BIGINT) AS h"
        }
    };
    Ok(sqlx::query(sql).fetch_one(pool).await?.try_get("h")?)
}

/// PostgreSQL: whether rows of transactions at or past the horizon are already visible
/// (committed while an older transaction still runs): then the horizon moves on soon and
/// a follower looks again shortly instead of waiting for the next signal.
pub(crate) async fn visible_beyond(
    pool: &sqlx::AnyPool,
    backend: Backend,
    horizon: i64,
) -> Result<bool> {
    if backend == Backend::Sqlite {
        return Ok(false);
    }
    let row = sqlx::query("SELECT 1 AS one FROM change_log WHERE tx >= $1 LIMIT 1")
        .bind(horizon)
        .fetch_optional(pool)
        .await?;
    Ok(row.is_some())
}

/// One row read back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogRow {
    pub(crate) at: Cursor,
    /// When it was written (milliseconds, real time).
    pub(crate) written_ms: i64,
    pub(crate) case_id: Option<i64>,
    pub(crate) topic: Option<Topic>,
}

/// Up to `limit` rows after `after` and below `horizon`, in log order; without the rows
/// about cases unless `cases`.
pub(crate) async fn read(
    pool: &sqlx::AnyPool,
    backend: Backend,
    after: Cursor,
    horizon: i64,
    limit: i64,
    cases: bool,
) -> Result<Vec<LogRow>> {
    let topics = if cases {
        " AND topic NOT IN ('audit', 'history')"
    } else {
        " AND topic NOT IN ('case', 'audit', 'history')"
    };
    read_with(pool, backend, after, horizon, limit, topics).await
}

/// The rows the audit sealer chains (cases' history, audit events) after `after`.
pub(crate) async fn read_sealer_rows(
    pool: &sqlx::AnyPool,
    backend: Backend,
    after: Cursor,
    horizon: i64,
    limit: i64,
) -> Result<Vec<LogRow>> {
    read_with(pool, backend, after, horizon, limit, SEALER_TOPICS).await
}

/// What only the audit sealer reads.
const SEALER_TOPICS: &str = " AND topic IN ('case', 'audit', 'history')";

/// [`read_sealer_rows`] inside the sealer's transaction.
pub(crate) async fn read_on(
    conn: &mut AnyConnection,
    backend: Backend,
    after: Cursor,
    horizon: i64,
    limit: i64,
) -> Result<Vec<LogRow>> {
    read_with(conn, backend, after, horizon, limit, SEALER_TOPICS).await
}

async fn read_with<'c, E>(
    db: E,
    backend: Backend,
    after: Cursor,
    horizon: i64,
    limit: i64,
    topics: &str,
) -> Result<Vec<LogRow>>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let sql = match backend {
        Backend::Sqlite => format!(
            "SELECT tx, seq, case_id, topic, at FROM change_log WHERE seq > $1 AND seq < $2{topics} \
             ORDER BY seq LIMIT $3"
        ),
        Backend::Postgres => format!(
            "SELECT tx, seq, case_id, topic, at FROM change_log \
             WHERE tx < $1 AND (tx > $2 OR (tx = $2 AND seq > $3)){topics} ORDER BY tx, seq LIMIT $4"
        ),
    };
    let q = match backend {
        Backend::Sqlite => sqlx::query(&sql).bind(after.seq).bind(horizon).bind(limit),
        Backend::Postgres => sqlx::query(&sql)
            .bind(horizon)
            .bind(after.tx)
            .bind(after.seq)
            .bind(limit),
    };
    q.fetch_all(db)
        .await?
        .iter()
        .map(|r| {
            Ok(LogRow {
                at: Cursor {
                    tx: r.try_get("tx")?,
                    seq: r.try_get("seq")?,
                },
                written_ms: r.try_get("at")?,
                case_id: r.try_get("case_id")?,
                topic: Topic::parse(&r.try_get::<String, _>("topic")?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_and_below_covers_the_horizon() {
        let c = Cursor { tx: 7, seq: 42 };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("7"), None);
        assert_eq!(Cursor::below(Backend::Sqlite, 10), Cursor { tx: 0, seq: 9 });
        let pg = Cursor::below(Backend::Postgres, 10);
        assert!(
            pg > Cursor {
                tx: 9,
                seq: 1 << 40
            } && pg < Cursor { tx: 10, seq: 0 }
        );
    }
}
