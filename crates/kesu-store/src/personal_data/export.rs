//! Everything kesu holds about a person, read for their access request (PIPL Art. 45).

use kesu_domain::order::Order;

use super::PersonFound;
use crate::{Attachment, CaseRecord, HistoryEntry, OutboxMessage, Result, Store};

/// One case of the person, with its history and files.
#[derive(Debug, Clone)]
pub struct PersonCase {
    pub record: CaseRecord,
    pub history: Vec<HistoryEntry>,
    pub attachments: Vec<Attachment>,
    pub messages: Vec<OutboxMessage>,
}

/// What an access request hands over.
#[derive(Debug, Clone)]
pub struct PersonExport {
    pub found: PersonFound,
    pub cases: Vec<PersonCase>,
    pub orders: Vec<Order>,
}

impl Store {
    pub async fn person_export(&self, found: PersonFound) -> Result<PersonExport> {
        let mut cases = Vec::with_capacity(found.case_ids.len());
        for &id in &found.case_ids {
            let Some(record) = self.case(id).await? else {
                continue;
            };
            cases.push(PersonCase {
                record,
                history: self.history(id).await?,
                attachments: self.attachments(id).await?,
                messages: self
                    .case_messages(id)
                    .await?
                    .into_iter()
                    .filter(|m| m.channel != "webhook")
                    .collect(),
            });
        }
        let mut orders = Vec::with_capacity(found.order_nos.len());
        for order_no in &found.order_nos {
            orders.extend(self.order(order_no).await?);
        }
        Ok(PersonExport {
            found,
            cases,
            orders,
        })
    }
}
