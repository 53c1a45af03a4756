//! The logistics monitor's writes, each one transaction: a finding is never stored without
//! the note or the case it caused, nor a case opened for it without the finding linked.

use chrono::{DateTime, Utc};
use kesu_domain::history::Entry;
use kesu_domain::registration::Registration;
use kesu_domain::{Actor, Policy};

use crate::cases::insert_history;
use crate::logistics::{insert_exception, set_exception_case, NewException};
use crate::register::write_one_case;
use crate::timers::lock_case;
use crate::{CaseRecord, Result, Store};

impl Store {
    /// Stores a finding and notes it on the open case `case_id` (a history entry by `actor`
    /// that leaves the case's version alone), linking the two. `None`: the finding was
    /// known already and nothing was written.
    pub async fn flag_case_for_exception(
        &self,
        e: &NewException,
        case_id: i64,
        actor: &Actor,
        entry: &Entry,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let mut tx = self.write.begin().await?;
        let Some(id) = insert_exception(&mut tx, e).await? else {
            return Ok(None);
        };
        lock_case(&mut tx, case_id).await?;
        insert_history(&mut tx, case_id, now, &actor.author(), entry).await?;
        set_exception_case(&mut tx, id, case_id).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Stores a finding and opens the case `registration` describes for it, linked, as
    /// `actor`. `None`: the finding was known already and nothing was written.
    pub async fn open_case_for_exception(
        &self,
        e: &NewException,
        registration: &Registration,
        actor: &Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Option<CaseRecord>> {
        let mut tx = self.write.begin().await?;
        let Some(id) = insert_exception(&mut tx, e).await? else {
            return Ok(None);
        };
        let record = write_one_case(&mut tx, registration, actor, now, policy).await?;
        set_exception_case(&mut tx, id, record.case.id).await?;
        let mark = self
            .log_change(&mut tx, crate::Topic::Case, &[record.case.id])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(Some(record))
    }
}
