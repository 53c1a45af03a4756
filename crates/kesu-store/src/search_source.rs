//! What the search index is built from: cases with their contacts and the texts of their
//! replies and notes, read in pages for a rebuild or by id as cases change.

use std::collections::HashMap;

use kesu_domain::event::Change;
use kesu_domain::history::Entry;
use sqlx::Row;

use crate::cases::{record_from_row, CASE_COLUMNS};
use crate::{CaseRecord, Result, Store};

/// A case as the search index sees it.
#[derive(Debug, Clone)]
pub struct SearchSource {
    pub record: CaseRecord,
    /// The texts of its replies and internal notes, oldest first.
    pub comments: Vec<String>,
}

impl Store {
    /// The cases with these ids (those that exist), for re-indexing.
    pub async fn search_sources(&self, ids: &[i64]) -> Result<Vec<SearchSource>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = id_list(chunk);
            let records = self
                .records_where(&format!("c.id IN ({list})"), "c.id")
                .await?;
            let comments = self.comments_where(&format!("case_id IN ({list})")).await?;
            out.extend(with_comments(records, comments));
        }
        Ok(out)
    }

    /// Up to `limit` cases with ids above `after_id`, in id order: a page of a rebuild.
    pub async fn search_sources_after(
        &self,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<SearchSource>> {
        let records = self
            .records_where(
                &format!("c.id > {after_id}"),
                &format!("c.id LIMIT {limit}"),
            )
            .await?;
        let Some(last) = records.last().map(|r| r.case.id) else {
            return Ok(Vec::new());
        };
        let comments = self
            .comments_where(&format!("case_id > {after_id} AND case_id <= {last}"))
            .await?;
        Ok(with_comments(records, comments))
    }

    /// Every case's id and version, for checking a copy is current.
    pub async fn case_versions(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query("SELECT id, version FROM cases ORDER BY id")
            .fetch_all(&self.read)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("id")?, r.try_get("version")?)))
            .collect()
    }

    /// How many cases there are.
    pub async fn case_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM cases")
            .fetch_one(&self.read)
            .await?
            .try_get("n")?)
    }

    /// The cases with these ids, in the order given (missing ones left out).
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<CaseRecord>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let records = self
            .records_where(&format!("c.id IN ({})", id_list(ids)), "c.id")
            .await?;
        let mut by_id: HashMap<i64, CaseRecord> =
            records.into_iter().map(|r| (r.case.id, r)).collect();
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    async fn records_where(&self, condition: &str, order: &str) -> Result<Vec<CaseRecord>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id \
             WHERE {condition} ORDER BY {order}"
        );
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(record_from_row).collect()
    }

    async fn comments_where(&self, condition: &str) -> Result<HashMap<i64, Vec<String>>> {
        let sql = format!(
            "SELECT case_id, data FROM case_events WHERE action = 'comment' AND {condition} \
             ORDER BY case_id, seq"
        );
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for row in sqlx::query(&sql).fetch_all(&self.read).await? {
            let data: String = row.try_get("data")?;
            // A row that is not JSON is not searchable; the case page reports it.
            let Ok(data) = serde_json::from_str(&data) else {
                continue;
            };
            let comment = match Entry::read("comment", data) {
                Entry::Changed {
                    change: Change::Comment { text, .. },
                    ..
                } => Some(text),
                _ => None,
            };
            if let Some(text) = comment {
                out.entry(row.try_get("case_id")?).or_default().push(text);
            }
        }
        Ok(out)
    }
}

/// Ids are integers, so they can be written into the statement (one statement, any count).
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

fn with_comments(
    records: Vec<CaseRecord>,
    mut comments: HashMap<i64, Vec<String>>,
) -> Vec<SearchSource> {
    records
        .into_iter()
        .map(|record| SearchSource {
            comments: comments.remove(&record.case.id).unwrap_or_default(),
            record,
        })
        .collect()
}
