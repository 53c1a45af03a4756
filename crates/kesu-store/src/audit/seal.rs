//! The sealer: chains committed history entries and audit events, in the order they were
//! committed, one batch per transaction. The first statement of a batch takes the seal row,
//! so one sealer runs at a time across every server (and a `kesu audit verify` beside them).

use std::collections::HashMap;

use kesu_domain::audit::{chain_hash, Link};
use kesu_domain::audit_content::{
    event_link, history_content, history_link, history_personal_digest, EventRow, HistoryRow,
};
use rand::RngCore;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use crate::changes::{horizon, Cursor};
use crate::register::values;
use crate::Topic;
use crate::{Backend, Result, Store};

/// Cases a batch of the first sweep takes.
const CASES_PER_BATCH: i64 = 500;
/// Change-log rows a batch takes.
const ROWS_PER_BATCH: i64 = 1_000;
/// Rows one INSERT writes. Kept small: the SQLite driver finds each bound value by its
/// name among all of the statement's, so binding costs the square of their number (at
/// 400 links of 9 values it was a fifth of the server's CPU under load).
const ROWS_PER_INSERT: usize = 40;

/// What one pass chained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sealed {
    pub entries: usize,
    /// More is waiting: pass again at once.
    pub more: bool,
}

struct SealRow {
    history: Cursor,
    head_idx: i64,
    head_hash: String,
    sweep_after: Option<i64>,
    /// Bumped by every pass and by every erasure: a pass that read before either writes
    /// nothing.
    passes: i64,
}

/// A row to chain, before its link is made.
enum Pending {
    History {
        case_id: i64,
        seq: i64,
        at_ms: i64,
        actor: String,
        actor_kind: String,
        action: String,
        data: Value,
        stored_digest: Option<String>,
    },
    Event {
        seq: i64,
        at_ms: i64,
        kind: String,
        actor: String,
        case_id: Option<i64>,
        detail: Value,
    },
}

impl Pending {
    fn order(&self) -> (i64, u8, i64, i64) {
        match self {
            Pending::History {
                at_ms,
                case_id,
                seq,
                ..
            } => (*at_ms, 0, *case_id, *seq),
            Pending::Event { at_ms, seq, .. } => (*at_ms, 1, 0, *seq),
        }
    }
}

impl Store {
    /// Chains what is committed and not yet chained, one batch; `everything` reads the log
    /// to its end whatever is still running (a restore, where nothing else writes).
    pub async fn seal_once(&self, everything: bool) -> Result<Sealed> {
        let h = horizon(&self.read, self.backend).await?;
        let limit_h = if everything { i64::MAX } else { h };
        // Looked at first without the write lock: an idle server writes nothing.
        if !everything && !self.seal_waiting(limit_h).await? {
            return Ok(Sealed::default());
        }
        // Everything is read and hashed first, without the write lock (registrations go on
        // meanwhile); the lock is taken only to write the links, and only if no other sealer
        // moved the head in between.
        let mut conn = self.read.acquire().await?;
        let seal = read_seal(&mut conn).await?;
        let mut next_history = seal.history;
        let mut next_sweep = seal.sweep_after;
        let mut more = false;
        let event_seqs: Vec<i64>;
        let case_ids: Vec<i64> = match seal.sweep_after {
            Some(after) => {
                if after == 0 && seal.history == Cursor::default() {
                    // The first pass: history written before the trail existed is swept
                    // case by case; the log is followed from here on.
                    next_history = Cursor::below(self.backend, h);
                }
                let ids = ids_of(
                    sqlx::query("SELECT id FROM cases WHERE id > $1 ORDER BY id LIMIT $2")
                        .bind(after)
                        .bind(CASES_PER_BATCH)
                        .fetch_all(&mut *conn)
                        .await?,
                    "id",
                )?;
                next_sweep = ids.last().copied();
                more = next_sweep.is_some();
                // Audit events announced before the log is followed (the first admin made
                // at start-up) are swept too; later ones come through the log.
                event_seqs = ids_of(
                    sqlx::query(
                        "SELECT a.seq FROM audit_events a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c \
                         WHERE c.source = 'event' AND c.ref = a.seq) ORDER BY a.seq LIMIT $1",
                    )
                    .bind(ROWS_PER_BATCH)
                    .fetch_all(&mut *conn)
                    .await?,
                    "seq",
                )?;
                if event_seqs.len() as i64 == ROWS_PER_BATCH {
                    // More events wait: the sweep is not over even when the cases are.
                    next_sweep = next_sweep.or(Some(after));
                    more = true;
                }
                ids
            }
            None => {
                let log =
                    read_log(&mut conn, self.backend, seal.history, limit_h, everything).await?;
                next_history = log.cursor;
                more |= log.full;
                event_seqs = log.events;
                log.cases
            }
        };
        let mut pending = history_rows(&mut conn, &case_ids).await?;
        pending.extend(event_rows(&mut conn, &event_seqs).await?);
        pending.sort_by_key(Pending::order);
        let (keys, new_keys) = case_keys(&mut conn, &pending).await?;
        drop(conn);
        let mut head_idx = seal.head_idx;
        let mut head_hash = seal.head_hash.clone();
        let mut links = Vec::with_capacity(pending.len());
        for p in &pending {
            head_idx += 1;
            let (link, source, reference) = make_link(head_idx, p, &keys);
            head_hash = chain_hash(&head_hash, &link);
            links.push((link, source, reference, head_hash.clone()));
        }

        let mut tx = self.write.begin().await?;
        // The first statement writes: it takes the row (PostgreSQL) or the database's write
        // lock (SQLite), and finds the seal as it was read, or nothing if another sealer
        // chained meanwhile (then this pass is dropped and the next starts afresh).
        let taken = sqlx::query(
            "UPDATE audit_seal SET history_cursor = $1, head_idx = $2, head_hash = $3, \
             sweep_after = $4, passes = passes + 1 \
             WHERE id = 1 AND head_idx = $5 AND history_cursor = $6 AND COALESCE(sweep_after, -1) = $7 \
             AND passes = $8",
        )
        .bind(next_history.encode())
        .bind(head_idx)
        .bind(head_hash)
        .bind(next_sweep)
        .bind(seal.head_idx)
        .bind(seal.history.encode())
        .bind(seal.sweep_after.unwrap_or(-1))
        .bind(seal.passes)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if taken != 1 {
            tx.rollback().await?;
            return Ok(Sealed {
                entries: 0,
                more: true,
            });
        }
        for chunk in new_keys.chunks(ROWS_PER_INSERT * 2) {
            let sql = format!(
                "INSERT INTO case_keys (case_id, key) VALUES {}",
                values(chunk.len(), 2)
            );
            let mut q = sqlx::query(&sql);
            for (id, key) in chunk {
                q = q.bind(*id).bind(hex::encode(key));
            }
            q.execute(&mut *tx).await?;
        }
        for chunk in links.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO audit_chain (idx, at, kind, actor, case_id, source, ref, content, hash) VALUES {}",
                values(chunk.len(), 9)
            );
            let mut q = sqlx::query(&sql);
            for (link, source, reference, hash) in chunk {
                q = q
                    .bind(link.index)
                    .bind(link.at_ms)
                    .bind(link.kind.clone())
                    .bind(link.actor.clone())
                    .bind(link.case_id)
                    .bind(*source)
                    .bind(*reference)
                    .bind(link.content_digest.clone())
                    .bind(hash.clone());
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(Sealed {
            entries: links.len(),
            more,
        })
    }

    /// Whether a pass would find anything: the first sweep is not over, or the log has rows
    /// for the sealer after its place.
    async fn seal_waiting(&self, limit_h: i64) -> Result<bool> {
        let row = sqlx::query("SELECT history_cursor, sweep_after FROM audit_seal WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        if row.try_get::<Option<i64>, _>("sweep_after")?.is_some() {
            return Ok(true);
        }
        let cursor: String = row.try_get("history_cursor")?;
        let cursor = Cursor::decode(&cursor).unwrap_or_default();
        Ok(
            !crate::changes::read_sealer_rows(&self.read, self.backend, cursor, limit_h, 1)
                .await?
                .is_empty(),
        )
    }

    /// Seals until nothing committed is left unchained; returns how many entries it chained.
    pub async fn seal_pending(&self, progress: impl FnMut(u64)) -> Result<u64> {
        self.seal_until_done(false, progress).await
    }

    /// After a restore, before the change log is emptied: chains everything the backup
    /// held unchained, whatever transaction ids its log carries.
    pub async fn seal_restored(&self) -> Result<u64> {
        self.seal_until_done(true, |_| {}).await
    }

    async fn seal_until_done(
        &self,
        everything: bool,
        mut progress: impl FnMut(u64),
    ) -> Result<u64> {
        let mut total = 0_u64;
        loop {
            let sealed = self.seal_once(everything).await?;
            total += sealed.entries as u64;
            progress(total);
            if !sealed.more {
                return Ok(total);
            }
        }
    }

    /// Keeps sealing while the store is open: after each commit signal, and every second.
    pub fn spawn_sealer(&self) {
        let store = self.clone();
        let mut wake = self.wake.subscribe();
        tokio::spawn(async move {
            let mut failures = 0_u32;
            loop {
                if store.read.is_closed() {
                    return;
                }
                match store.seal_once(false).await {
                    Ok(sealed) if sealed.more => continue,
                    Ok(_) => failures = 0,
                    Err(e) => {
                        failures += 1;
                        if failures == 1 || failures.is_multiple_of(60) {
                            tracing::warn!(error = %e, "could not seal the audit trail; retrying");
                        }
                    }
                }
                tokio::select! {
                    _ = wake.changed() => {
                        // Let a burst of commits gather into one batch.
                        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                    }
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        });
    }
}

async fn read_seal(conn: &mut AnyConnection) -> Result<SealRow> {
    let row = sqlx::query(
        "SELECT history_cursor, head_idx, head_hash, sweep_after, passes FROM audit_seal WHERE id = 1",
    )
    .fetch_one(&mut *conn)
    .await?;
    let cursor = |name: &str| -> Result<Cursor> {
        let s: String = row.try_get(name)?;
        Ok(Cursor::decode(&s).unwrap_or_default())
    };
    Ok(SealRow {
        history: cursor("history_cursor")?,
        head_idx: row.try_get("head_idx")?,
        head_hash: row.try_get("head_hash")?,
        sweep_after: row.try_get("sweep_after")?,
        passes: row.try_get("passes")?,
    })
}

fn ids_of(rows: Vec<sqlx::any::AnyRow>, column: &str) -> Result<Vec<i64>> {
    rows.iter()
        .map(|r| Ok(r.try_get::<i64, _>(column)?))
        .collect()
}

/// What the change log announced after the sealer's place.
struct LogPage {
    /// Cases with new history.
    cases: Vec<i64>,
    /// New audit events (their `seq`).
    events: Vec<i64>,
    cursor: Cursor,
    full: bool,
}

async fn read_log(
    conn: &mut AnyConnection,
    backend: Backend,
    after: Cursor,
    limit_h: i64,
    everything: bool,
) -> Result<LogPage> {
    let rows = crate::changes::read_on(conn, backend, after, limit_h, ROWS_PER_BATCH).await?;
    let full = rows.len() as i64 == ROWS_PER_BATCH;
    let mut cursor = rows.last().map_or(after, |r| r.at);
    if !full && !everything {
        cursor = cursor.max(Cursor::below(backend, limit_h));
    }
    let mut cases = Vec::new();
    let mut events = Vec::new();
    for r in &rows {
        match (r.topic, r.case_id) {
            (Some(Topic::Audit), Some(seq)) => events.push(seq),
            (Some(Topic::Case | Topic::History), Some(id)) => cases.push(id),
            _ => {}
        }
    }
    cases.sort_unstable();
    cases.dedup();
    Ok(LogPage {
        cases,
        events,
        cursor,
        full,
    })
}

/// The history entries of `case_ids` not chained yet.
async fn history_rows(conn: &mut AnyConnection, case_ids: &[i64]) -> Result<Vec<Pending>> {
    let mut out = Vec::new();
    for chunk in case_ids.chunks(ROWS_PER_INSERT * 2) {
        let list = crate::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT e.case_id, e.seq, e.at, e.actor, e.actor_kind, e.action, e.data, e.personal_digest \
             FROM case_events e WHERE e.case_id IN ({list}) AND e.seq > COALESCE((SELECT MAX(c.ref) \
             FROM audit_chain c WHERE c.source = 'history' AND c.case_id = e.case_id), 0)"
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let data: String = r.try_get("data")?;
            out.push(Pending::History {
                case_id: r.try_get("case_id")?,
                seq: r.try_get("seq")?,
                at_ms: r.try_get("at")?,
                actor: r.try_get("actor")?,
                actor_kind: r.try_get("actor_kind")?,
                action: r.try_get("action")?,
                data: stored_json(data),
                stored_digest: r.try_get("personal_digest")?,
            });
        }
    }
    Ok(out)
}

/// The audit events the log announced, not chained yet.
async fn event_rows(conn: &mut AnyConnection, seqs: &[i64]) -> Result<Vec<Pending>> {
    let mut out = Vec::with_capacity(seqs.len());
    for chunk in seqs.chunks(ROWS_PER_INSERT * 2) {
        let list = crate::placeholders(1, chunk.len());
        let sql = format!(
            "SELECT a.seq, a.at, a.kind, a.actor, a.case_id, a.detail FROM audit_events a \
             WHERE a.seq IN ({list}) AND NOT EXISTS (SELECT 1 FROM audit_chain c \
             WHERE c.source = 'event' AND c.ref = a.seq)"
        );
        let mut q = sqlx::query(&sql);
        for seq in chunk {
            q = q.bind(*seq);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let detail: String = r.try_get("detail")?;
            out.push(Pending::Event {
                seq: r.try_get("seq")?,
                at_ms: r.try_get("at")?,
                kind: r.try_get("kind")?,
                actor: r.try_get("actor")?,
                case_id: r.try_get("case_id")?,
                detail: stored_json(detail),
            });
        }
    }
    Ok(out)
}

/// The keys of the cases in `pending`; for cases that have none yet, new keys (returned
/// apart as well, to be stored with the links).
async fn case_keys(
    conn: &mut AnyConnection,
    pending: &[Pending],
) -> Result<(HashMap<i64, Vec<u8>>, Vec<(i64, Vec<u8>)>)> {
    let mut wanted: Vec<i64> = pending
        .iter()
        .filter_map(|p| match p {
            Pending::History {
                case_id,
                stored_digest: None,
                ..
            } => Some(*case_id),
            _ => None,
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut keys = crate::audit::verify::keys_of(conn, &wanted).await?;
    let mut new_keys = Vec::new();
    for id in wanted {
        if let std::collections::hash_map::Entry::Vacant(slot) = keys.entry(id) {
            let mut key = vec![0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            slot.insert(key.clone());
            new_keys.push((id, key));
        }
    }
    Ok((keys, new_keys))
}

/// A stored JSON column as a value; text that is not JSON stays a string (and still binds).
pub(super) fn stored_json(text: String) -> Value {
    serde_json::from_str(&text).unwrap_or(Value::String(text))
}

/// The digest a history entry's personal values enter the chain as: the one kept when they
/// were erased, else their keyed digest under the case's key; with neither, nothing that can
/// match.
pub(crate) fn personal_digest_of(
    stored: Option<String>,
    key: Option<&[u8]>,
    data: &Value,
) -> String {
    match (stored, key) {
        (Some(d), _) => d,
        (None, Some(k)) => history_personal_digest(k, data),
        (None, None) => String::new(),
    }
}

fn make_link(
    index: i64,
    pending: &Pending,
    keys: &HashMap<i64, Vec<u8>>,
) -> (Link, &'static str, i64) {
    match pending {
        Pending::History {
            case_id,
            seq,
            at_ms,
            actor,
            actor_kind,
            action,
            data,
            stored_digest,
        } => {
            let row = HistoryRow {
                case_id: *case_id,
                seq: *seq,
                at_ms: *at_ms,
                actor,
                actor_kind,
                action,
                data,
            };
            let personal = personal_digest_of(
                stored_digest.clone(),
                keys.get(case_id).map(Vec::as_slice),
                data,
            );
            (
                history_link(index, &row, history_content(&row, &personal)),
                "history",
                *seq,
            )
        }
        Pending::Event {
            seq,
            at_ms,
            kind,
            actor,
            case_id,
            detail,
        } => {
            let row = EventRow {
                seq: *seq,
                at_ms: *at_ms,
                kind,
                actor,
                case_id: *case_id,
                detail,
            };
            (event_link(index, &row), "event", *seq)
        }
    }
}
