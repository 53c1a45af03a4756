//! A customer's earlier cases: the case page shows them beside the complaint.

use crate::cases::{record_from_row, CASE_COLUMNS};
use crate::{CaseRecord, Result, Store};

/// The most earlier cases the case page lists.
pub const EARLIER_CASES: i64 = 10;

impl Store {
    /// Other cases of the same customer, found by the complainant's phone or the case's
    /// order, newest first. Whoever calls decides which of them the reader may see.
    pub async fn earlier_cases(&self, record: &CaseRecord) -> Result<Vec<CaseRecord>> {
        let phone = record
            .complainant
            .phone
            .as_ref()
            .map(|p| p.as_str().to_owned());
        let order_no = record.case.order_no.as_ref().map(|o| o.to_string());
        if phone.is_none() && order_no.is_none() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id \
             WHERE c.id <> $1 AND (cc.phone = $2 OR c.order_no = $3) \
             ORDER BY c.id DESC LIMIT {EARLIER_CASES}"
        );
        let rows = sqlx::query(&sql)
            .bind(record.case.id)
            .bind(phone)
            .bind(order_no)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(record_from_row).collect()
    }
}

impl Store {
    /// The cases about order `order_no`, newest first (at most [`EARLIER_CASES`] × 5): the
    /// order page lists them. Whoever calls decides which of them the reader may see.
    pub async fn cases_of_order(&self, order_no: &str) -> Result<Vec<CaseRecord>> {
        let sql = format!(
            "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id \
             WHERE c.order_no = $1 ORDER BY c.id DESC LIMIT {}",
            EARLIER_CASES * 5
        );
        let rows = sqlx::query(&sql)
            .bind(order_no)
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(record_from_row).collect()
    }
}
