//! Walking the chain: every link recomputed from the row it binds (so a history entry or
//! audit event changed in place shows), the links checked in order (an entry removed or put
//! in shows), then every row looked for in the chain (a row added behind kesu's back shows).

use std::collections::HashMap;

use futures_util::TryStreamExt;
use kesu_domain::audit::{Break, Intact, Link, Stored, Walker};
use kesu_domain::audit_content::{event_link, history_content, history_link, EventRow, HistoryRow};
use sqlx::{AnyConnection, Row};

use super::seal::{personal_digest_of, stored_json};
use crate::{Result, Store};

/// What the walk found: the chain intact, or where it first breaks and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact(Intact),
    Broken { at: Break, why: String },
}

/// How far the walk is, for a progress line.
pub trait VerifyProgress {
    fn walked(&mut self, entries: i64);
}

impl<F: FnMut(i64)> VerifyProgress for F {
    fn walked(&mut self, entries: i64) {
        self(entries)
    }
}

const WALK_SQL: &str =
    "SELECT c.idx, c.at, c.kind, c.actor, c.case_id, c.source, c.ref, c.content, c.hash, \
     e.at AS e_at, e.actor AS e_actor, e.actor_kind, e.action, e.data, e.personal_digest, k.key, \
     a.at AS a_at, a.kind AS a_kind, a.actor AS a_actor, a.case_id AS a_case, a.detail \
     FROM audit_chain c \
     LEFT JOIN case_events e ON c.source = 'history' AND e.case_id = c.case_id AND e.seq = c.ref \
     LEFT JOIN case_keys k ON c.source = 'history' AND k.case_id = c.case_id \
     LEFT JOIN audit_events a ON c.source = 'event' AND a.seq = c.ref \
     ORDER BY c.idx";

impl Store {
    /// Seals what is waiting, then walks the whole chain. `anchor` is a head exported
    /// earlier (its index and hash): a chain rewritten from before it is caught too.
    pub async fn verify_audit(
        &self,
        anchor: Option<(i64, String)>,
        progress: &mut dyn VerifyProgress,
    ) -> Result<Verdict> {
        self.seal_pending(|_| {}).await?;
        let seal = sqlx::query("SELECT head_idx, head_hash FROM audit_seal WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        let sealed_head: (i64, String) = (seal.try_get("head_idx")?, seal.try_get("head_hash")?);
        let mut walker = Walker::new(anchor.clone());
        let mut seal_walker = Walker::new((sealed_head.0 > 0).then(|| sealed_head.clone()));
        let mut rows = sqlx::query(WALK_SQL).fetch(&self.read);
        let mut walked = 0_i64;
        let mut found: Option<(Break, String)> = None;
        while let Some(r) = rows.try_next().await? {
            let index: i64 = r.try_get("idx")?;
            let stored = stored_link(&r)?;
            let hash: String = r.try_get("hash")?;
            let recomputed = match recompute(&r, index)? {
                Ok(link) => link,
                Err(why) => {
                    found = Some((Break::Removed { index }, why));
                    break;
                }
            };
            let entry = Stored {
                link: recomputed.clone(),
                hash,
            };
            if let Err(b) = walker.step(&entry) {
                found = Some((b.clone(), explain(&b, &recomputed)));
                break;
            }
            seal_walker.step(&entry).ok();
            if stored != recomputed {
                let b = Break::Changed { index };
                let why = format!(
                    "{}; the chain's copy of it was edited",
                    explain(&b, &recomputed)
                );
                found = Some((b, why));
                break;
            }
            walked += 1;
            if walked % 100_000 == 0 {
                progress.walked(walked);
            }
        }
        drop(rows);
        progress.walked(walked);
        if found.is_none() {
            // The seal's own head: a chain cut short at its end shows.
            if let Err(b) = seal_walker.clone().finish() {
                found = Some((b, "the chain ends before the head the sealer wrote last: its last entries were removed".into()));
            }
        }
        let inserted = self.first_unchained().await?;
        let verdict = match (found, inserted) {
            (Some((b, _)), Some((at, what))) if at < index_of(&b) => Verdict::Broken {
                at: Break::Inserted { index: at },
                why: what,
            },
            (Some((b, why)), _) => Verdict::Broken { at: b, why },
            (None, Some((at, what))) => Verdict::Broken {
                at: Break::Inserted { index: at },
                why: what,
            },
            (None, None) => match walker.finish() {
                Ok(intact) => Verdict::Intact(intact),
                Err(b) => Verdict::Broken {
                    at: b,
                    why: "the chain does not reach the head given".into(),
                },
            },
        };
        Ok(verdict)
    }

    /// The first history entry or audit event that is in no link, and where in the chain it
    /// would sit. Rows committed during the walk are sealed first, not reported.
    async fn first_unchained(&self) -> Result<Option<(i64, String)>> {
        for attempt in 0..2 {
            let history = sqlx::query(
                "SELECT e.case_id, e.seq, e.at FROM case_events e WHERE NOT EXISTS (SELECT 1 FROM audit_chain c \
                 WHERE c.source = 'history' AND c.case_id = e.case_id AND c.ref = e.seq) ORDER BY e.at LIMIT 1",
            )
            .fetch_optional(&self.read)
            .await?;
            let event = sqlx::query(
                "SELECT a.seq, a.at, a.kind FROM audit_events a WHERE NOT EXISTS (SELECT 1 FROM audit_chain c \
                 WHERE c.source = 'event' AND c.ref = a.seq) ORDER BY a.at LIMIT 1",
            )
            .fetch_optional(&self.read)
            .await?;
            let mut first: Option<(i64, String)> = None;
            if let Some(r) = history {
                let (case_id, seq, at): (i64, i64, i64) =
                    (r.try_get("case_id")?, r.try_get("seq")?, r.try_get("at")?);
                let number = self.case_number(case_id).await?;
                first = Some((
                    self.place_of(at).await?,
                    format!("entry #{seq} of case {number}'s history is not in the chain: it was written behind kesu's back"),
                ));
            }
            if let Some(r) = event {
                let (seq, at, kind): (i64, i64, String) =
                    (r.try_get("seq")?, r.try_get("at")?, r.try_get("kind")?);
                let place = self.place_of(at).await?;
                if first.as_ref().is_none_or(|(p, _)| place < *p) {
                    first = Some((place, format!("audit event {seq} ({kind}) is not in the chain: it was written behind kesu's back")));
                }
            }
            if first.is_none() || attempt == 1 {
                return Ok(first);
            }
            // Perhaps only just committed: seal, then look once more.
            self.seal_pending(|_| {}).await?;
        }
        Ok(None)
    }

    /// The index a row written at `at_ms` would have: after every link up to that time.
    async fn place_of(&self, at_ms: i64) -> Result<i64> {
        let r = sqlx::query("SELECT COALESCE(MAX(idx), 0) AS i FROM audit_chain WHERE at <= $1")
            .bind(at_ms)
            .fetch_one(&self.read)
            .await?;
        Ok(r.try_get::<i64, _>("i")? + 1)
    }

    async fn case_number(&self, case_id: i64) -> Result<String> {
        let r = sqlx::query("SELECT number FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(match r {
            Some(r) => r.try_get("number")?,
            None => format!("id {case_id}"),
        })
    }
}

fn index_of(b: &Break) -> i64 {
    match b {
        Break::Changed { index }
        | Break::Removed { index }
        | Break::Inserted { index }
        | Break::Rewritten { index } => *index,
    }
}

fn explain(b: &Break, link: &Link) -> String {
    let what = match link.case_id {
        Some(case) if link.kind.starts_with("case.") => {
            format!("{} in the history of case id {case}", link.kind)
        }
        _ => link.kind.clone(),
    };
    match b {
        Break::Changed { .. } => format!("{what}: its content or its link was changed"),
        Break::Removed { index } => format!("entry {index} is missing from the chain"),
        Break::Inserted { .. } => format!("{what}: a link was put in out of order"),
        Break::Rewritten { .. } => format!("{what}: the chain was rewritten from here on"),
    }
}

/// The link as the chain stores it.
fn stored_link(r: &sqlx::any::AnyRow) -> Result<Link> {
    Ok(Link {
        index: r.try_get("idx")?,
        at_ms: r.try_get("at")?,
        kind: r.try_get("kind")?,
        actor: r.try_get("actor")?,
        case_id: r.try_get("case_id")?,
        content_digest: r.try_get("content")?,
    })
}

/// The link made afresh from the row it binds, or why there is no such row.
fn recompute(r: &sqlx::any::AnyRow, index: i64) -> Result<std::result::Result<Link, String>> {
    let source: String = r.try_get("source")?;
    let reference: i64 = r.try_get("ref")?;
    if source == "history" {
        let case_id: i64 = r.try_get("case_id")?;
        let Some(at_ms) = r.try_get::<Option<i64>, _>("e_at")? else {
            return Ok(Err(format!(
                "entry #{reference} of the history of case id {case_id}, chained here, is gone"
            )));
        };
        let actor: String = r.try_get("e_actor")?;
        let actor_kind: String = r.try_get("actor_kind")?;
        let action: String = r.try_get("action")?;
        let data = stored_json(r.try_get("data")?);
        let row = HistoryRow {
            case_id,
            seq: reference,
            at_ms,
            actor: &actor,
            actor_kind: &actor_kind,
            action: &action,
            data: &data,
        };
        let stored: Option<String> = r.try_get("personal_digest")?;
        let key: Option<String> = r.try_get("key")?;
        let key = key.map(|k| hex::decode(k).unwrap_or_default());
        let personal = personal_digest_of(stored, key.as_deref(), &data);
        Ok(Ok(history_link(
            index,
            &row,
            history_content(&row, &personal),
        )))
    } else {
        let Some(at_ms) = r.try_get::<Option<i64>, _>("a_at")? else {
            return Ok(Err(format!(
                "audit event {reference}, chained here, is gone"
            )));
        };
        let kind: String = r.try_get("a_kind")?;
        let actor: String = r.try_get("a_actor")?;
        let detail = stored_json(r.try_get("detail")?);
        let row = EventRow {
            seq: reference,
            at_ms,
            kind: &kind,
            actor: &actor,
            case_id: r.try_get("a_case")?,
            detail: &detail,
        };
        Ok(Ok(event_link(index, &row)))
    }
}

/// The keys of `case_ids` that have one.
pub(crate) async fn keys_of(
    conn: &mut AnyConnection,
    case_ids: &[i64],
) -> Result<HashMap<i64, Vec<u8>>> {
    let mut keys = HashMap::new();
    for chunk in case_ids.chunks(100) {
        let list = crate::placeholders(1, chunk.len());
        let sql = format!("SELECT case_id, key FROM case_keys WHERE case_id IN ({list})");
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            let key: String = r.try_get("key")?;
            keys.insert(r.try_get("case_id")?, hex::decode(key).unwrap_or_default());
        }
    }
    Ok(keys)
}

impl Store {
    /// The chain's length and head as the sealer left them.
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        let r = sqlx::query("SELECT head_idx, head_hash FROM audit_seal WHERE id = 1")
            .fetch_one(&self.read)
            .await?;
        Ok((r.try_get("head_idx")?, r.try_get("head_hash")?))
    }

    /// The hash stored with link `index`, if there is one.
    pub async fn audit_link_hash(&self, index: i64) -> Result<Option<String>> {
        let r = sqlx::query("SELECT hash FROM audit_chain WHERE idx = $1")
            .bind(index)
            .fetch_optional(&self.read)
            .await?;
        Ok(r.map(|r| r.try_get("hash")).transpose()?)
    }
}
