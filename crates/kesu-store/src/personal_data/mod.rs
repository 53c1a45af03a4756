//! A customer's personal data, found by what their request names (a phone, an e-mail, an
//! order): to hand it over (export) or to erase it (PIPL Art. 45 and 47).

mod erase;
mod export;

use std::collections::BTreeSet;

use kesu_domain::erasure::{Identity, PersonQuery, ERASED};
use sqlx::{AnyConnection, Row};

use crate::{placeholders, Result, Store};

pub use erase::Erasure;
pub use export::{PersonCase, PersonExport};

/// Everything kesu holds that belongs to one person.
#[derive(Debug, Clone, Default)]
pub struct PersonFound {
    pub case_ids: Vec<i64>,
    pub order_nos: Vec<String>,
    pub identity: Identity,
}

impl PersonFound {
    pub fn is_empty(&self) -> bool {
        self.case_ids.is_empty() && self.order_nos.is_empty()
    }
}

#[derive(Default)]
struct Keys {
    phones: BTreeSet<String>,
    emails: BTreeSet<String>,
    orders: BTreeSet<String>,
}

impl Keys {
    fn len(&self) -> usize {
        self.phones.len() + self.emails.len() + self.orders.len()
    }
}

/// `column IN ($first, …)` for `n` values, or a clause that matches nothing.
fn any_of(column: &str, first: usize, n: usize) -> String {
    if n == 0 {
        "1 = 0".into()
    } else {
        format!("{column} IN ({})", placeholders(first, n))
    }
}

impl Store {
    /// The cases and orders of the person `query` names: those that match it, and those
    /// that match the phones, e-mails and orders found on them (the same person asking
    /// from another channel).
    pub async fn find_person(&self, query: &PersonQuery) -> Result<PersonFound> {
        let mut keys = Keys::default();
        keys.phones
            .extend(query.phone.as_ref().map(|p| p.as_str().to_owned()));
        keys.emails
            .extend(query.email.as_ref().map(|e| e.as_str().to_lowercase()));
        keys.orders
            .extend(query.order_no.as_ref().map(|o| o.as_str().to_owned()));
        let mut conn = self.read.acquire().await?;
        let mut found = PersonFound::default();
        // One round from what was asked, one more from what that found.
        for _ in 0..2 {
            let before = keys.len();
            found = gather(&mut conn, &mut keys).await?;
            if keys.len() == before {
                break;
            }
        }
        Ok(found)
    }

    /// When `actor` last revealed the case's personal data (a `personal.revealed` event).
    pub async fn last_reveal(
        &self,
        actor: &str,
        case_id: i64,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>> {
        let at: Option<i64> = sqlx::query(
            "SELECT MAX(at) AS at FROM audit_events WHERE case_id = $1 AND kind = $2 AND actor = $3",
        )
        .bind(case_id)
        .bind(kesu_domain::audit_kind::AuditKind::PersonalRevealed.code())
        .bind(actor.to_owned())
        .fetch_one(&self.read)
        .await?
        .try_get("at")?;
        Ok(at.map(crate::from_millis))
    }

    /// Up to `limit` closed cases untouched since before `cutoff` whose customer is not
    /// erased yet: what the retention period has run out on.
    pub async fn cases_past_retention(
        &self,
        cutoff: chrono::DateTime<chrono::Utc>,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE status = 'closed' AND updated_at < $1 \
             AND personal_erased_at IS NULL ORDER BY updated_at LIMIT $2",
        )
        .bind(crate::millis(cutoff))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// One case's customer, for the retention sweep: the case, and its order when no other
    /// case on that order still keeps its customer's data.
    pub async fn person_of_case(&self, case_id: i64) -> Result<PersonFound> {
        let mut conn = self.read.acquire().await?;
        let Some(r) = sqlx::query(
            "SELECT c.order_no, cc.name, cc.phone, cc.email FROM cases c \
             JOIN case_contacts cc ON cc.case_id = c.id WHERE c.id = $1",
        )
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(PersonFound::default());
        };
        let mut identity = Identity {
            names: vec![r.try_get("name")?],
            phones: r
                .try_get::<Option<String>, _>("phone")?
                .into_iter()
                .collect(),
            emails: r
                .try_get::<Option<String>, _>("email")?
                .into_iter()
                .collect(),
            addresses: Vec::new(),
        };
        let mut order_nos = Vec::new();
        if let Some(order_no) = r.try_get::<Option<String>, _>("order_no")? {
            let others: i64 = sqlx::query(
                "SELECT COUNT(*) AS n FROM cases WHERE order_no = $1 AND id <> $2 \
                 AND personal_erased_at IS NULL",
            )
            .bind(order_no.clone())
            .bind(case_id)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
            if others == 0 {
                if let Some(b) =
                    sqlx::query("SELECT name, phone, address FROM order_buyers WHERE order_no = $1")
                        .bind(order_no.clone())
                        .fetch_optional(&mut *conn)
                        .await?
                {
                    identity.names.push(b.try_get("name")?);
                    identity
                        .phones
                        .extend(b.try_get::<Option<String>, _>("phone")?);
                    identity
                        .addresses
                        .extend(b.try_get::<Option<String>, _>("address")?);
                    order_nos.push(order_no);
                }
            }
        }
        identity.names.retain(|n| n != ERASED);
        Ok(PersonFound {
            case_ids: vec![case_id],
            order_nos,
            identity,
        })
    }
}

async fn gather(conn: &mut AnyConnection, keys: &mut Keys) -> Result<PersonFound> {
    let phones: Vec<String> = keys.phones.iter().cloned().collect();
    let emails: Vec<String> = keys.emails.iter().cloned().collect();
    let orders: Vec<String> = keys.orders.iter().cloned().collect();
    let (np, ne, no) = (phones.len(), emails.len(), orders.len());
    let sql = format!(
        "SELECT c.id, c.order_no, cc.name, cc.phone, cc.email FROM cases c \
         JOIN case_contacts cc ON cc.case_id = c.id WHERE {} OR {} OR {} ORDER BY c.id",
        any_of("cc.phone", 1, np),
        any_of("LOWER(cc.email)", 1 + np, ne),
        any_of("c.order_no", 1 + np + ne, no),
    );
    let mut q = sqlx::query(&sql);
    for v in phones.iter().chain(&emails).chain(&orders) {
        q = q.bind(v.clone());
    }
    let mut found = PersonFound::default();
    let mut names = BTreeSet::new();
    let mut addresses = BTreeSet::new();
    for r in q.fetch_all(&mut *conn).await? {
        found.case_ids.push(r.try_get("id")?);
        keys.orders
            .extend(r.try_get::<Option<String>, _>("order_no")?);
        names.insert(r.try_get::<String, _>("name")?);
        keys.phones.extend(r.try_get::<Option<String>, _>("phone")?);
        keys.emails.extend(
            r.try_get::<Option<String>, _>("email")?
                .map(|e| e.to_lowercase()),
        );
    }
    let sql = format!(
        "SELECT order_no, name, phone, address FROM order_buyers WHERE {} OR {} ORDER BY order_no",
        any_of("phone", 1, np),
        any_of("order_no", 1 + np, no),
    );
    let mut q = sqlx::query(&sql);
    for v in phones.iter().chain(&orders) {
        q = q.bind(v.clone());
    }
    for r in q.fetch_all(&mut *conn).await? {
        let order_no: String = r.try_get("order_no")?;
        found.order_nos.push(order_no.clone());
        keys.orders.insert(order_no);
        names.insert(r.try_get::<String, _>("name")?);
        keys.phones.extend(r.try_get::<Option<String>, _>("phone")?);
        addresses.extend(r.try_get::<Option<String>, _>("address")?);
    }
    names.remove(ERASED);
    found.identity = Identity {
        names: names.into_iter().collect(),
        phones: keys.phones.iter().cloned().collect(),
        emails: keys.emails.iter().cloned().collect(),
        addresses: addresses.into_iter().collect(),
    };
    Ok(found)
}
