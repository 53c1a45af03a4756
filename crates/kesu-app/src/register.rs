//! Registering a complaint: the one place every intake comes through (staff by the API or
//! the workbench, the customer's web form, the logistics monitor; later e-mail and the
//! platforms).

use chrono::{DateTime, Utc};
use kesu_domain::registration::{Registration, RegistrationForm};
use kesu_domain::Actor;
use kesu_store::{CaseRecord, Store, User};

use crate::error::{AppError, AppResult};

/// A registration's outcome.
#[derive(Debug, Clone)]
pub struct Registered {
    pub record: CaseRecord,
    /// False when an idempotency key answered with the case an earlier request created.
    pub created: bool,
}

/// Staff register a complaint (agents, supervisors, admins). With `key` a repeated request
/// answers with the first case and creates nothing; the same key with other content is a
/// conflict.
pub async fn register(
    store: &Store,
    caller: &User,
    form: RegistrationForm,
    key: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Registered> {
    let actor = caller.actor();
    Registration::check_actor(&actor)?;
    let fingerprint = fingerprint(&form)?;
    let registration = form.parse(now)?;
    let policy = store.policy().await?;
    let (record, created) = store
        .create_case(
            &registration,
            &actor,
            caller.id,
            key.map(|k| (k, fingerprint.as_str())),
            now,
            &policy,
        )
        .await?;
    if created {
        tracing::info!(case = %record.case.number, by = %caller.username, "case registered");
    }
    Ok(Registered { record, created })
}

/// What the customer's own complaint gives them: the case and their status-page link.
#[derive(Debug, Clone)]
pub struct CustomerComplaint {
    pub record: CaseRecord,
    /// The token of the status page `/s/{token}`; shown once, stored only as its hash.
    pub link: String,
    /// False when the same form was sent before and this is its case.
    pub created: bool,
}

/// The customer files a complaint themselves (the public web form only). The case and its
/// status-page link are one transaction. `form_id` makes a double submit one case.
pub async fn complain(
    store: &Store,
    form: RegistrationForm,
    form_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<CustomerComplaint> {
    let fingerprint = fingerprint(&form)?;
    let registration = form.parse(now)?;
    registration.check_customer()?;
    let policy = store.policy().await?;
    let key = form_id.map(|id| format!("public:{id}"));
    let (record, created, link) = store
        .create_case_with_customer_link(
            &registration,
            key.as_deref().map(|k| (k, fingerprint.as_str())),
            now,
            &policy,
        )
        .await?;
    if created {
        tracing::info!(case = %record.case.number, by = %Actor::Customer.name(), "case registered");
    }
    Ok(CustomerComplaint {
        record,
        link,
        created,
    })
}

/// The customer's complaint with the photos they picked on the form. The files are checked
/// first, so a refused file registers nothing; they are attached once, by the submission that
/// created the case (a double submit does not add them twice).
pub async fn complain_with_files(
    store: &Store,
    form: RegistrationForm,
    form_id: Option<&str>,
    files: Vec<crate::attachments::Upload>,
    limits: kesu_domain::attachment::Limits,
    now: DateTime<Utc>,
) -> AppResult<CustomerComplaint> {
    let prepared = if files.is_empty() {
        Vec::new()
    } else {
        crate::attachments::prepare(files, limits).await?
    };
    let complaint = complain(store, form, form_id, now).await?;
    if complaint.created && !prepared.is_empty() {
        store
            .add_attachments(
                complaint.record.case.id,
                prepared,
                &kesu_domain::history::Author::Customer,
                kesu_store::AttachmentSource::Customer,
                now,
            )
            .await?;
    }
    Ok(complaint)
}

/// The form as a canonical text: what an idempotency key promises stays the same.
fn fingerprint(form: &RegistrationForm) -> AppResult<String> {
    serde_json::to_string(form).map_err(|e| AppError::Internal(e.to_string()))
}
