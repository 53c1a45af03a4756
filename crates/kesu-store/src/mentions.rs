//! Colleagues mentioned in internal notes (`@username`): recorded with the note, in its
//! transaction, and listed for the one mentioned.

use chrono::{DateTime, Utc};
use kesu_domain::event::{Change, Event};
use sqlx::Row;

use crate::cases::{record_from_row, CASE_COLUMNS};
use crate::{from_millis, millis, CaseRecord, Result, Store};

/// How much of the note the list shows.
const EXCERPT_CHARS: usize = 120;

/// The most mentions the list shows.
pub const MENTIONS_SHOWN: i64 = 100;

/// One mention of the reader, with its case.
#[derive(Debug, Clone)]
pub struct Mention {
    pub case: CaseRecord,
    pub author: String,
    pub at: DateTime<Utc>,
    pub excerpt: String,
}

/// Records who an internal note in `event` mentions (only names of existing accounts; the
/// author mentioning themself is no news to them).
pub(crate) async fn record(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    event: &Event,
) -> Result<()> {
    let Change::Comment {
        text,
        internal: true,
        ..
    } = &event.change
    else {
        return Ok(());
    };
    let names = kesu_domain::account::mentioned(text);
    if names.is_empty() {
        return Ok(());
    }
    let author = event.author.name().to_owned();
    let excerpt: String = text.chars().take(EXCERPT_CHARS).collect();
    for name in names.into_iter().filter(|n| *n != author) {
        sqlx::query(
            "INSERT INTO mentions (case_id, username, author, at, excerpt) \
             SELECT $1, username, $2, $3, $4 FROM users WHERE username = $5",
        )
        .bind(case_id)
        .bind(&author)
        .bind(millis(event.at))
        .bind(&excerpt)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

impl Store {
    /// The notes that mention `username`, newest first.
    pub async fn mentions_of(&self, username: &str) -> Result<Vec<Mention>> {
        let rows = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS}, m.author AS m_author, m.at AS m_at, m.excerpt AS m_excerpt \
             FROM mentions m JOIN cases c ON c.id = m.case_id \
             JOIN case_contacts cc ON cc.case_id = c.id WHERE m.username = $1 \
             ORDER BY m.at DESC, m.id DESC LIMIT {MENTIONS_SHOWN}"
        ))
        .bind(username)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Mention {
                    case: record_from_row(r)?,
                    author: r.try_get("m_author")?,
                    at: from_millis(r.try_get("m_at")?),
                    excerpt: r.try_get("m_excerpt")?,
                })
            })
            .collect()
    }
}
