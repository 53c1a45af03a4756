//! Claims against carriers and the board of parcels in trouble, as each caller may see them.

use chrono::{DateTime, Utc};
use kesu_domain::claims::{ClaimForm, ClaimUpdate, EvidenceKind};
use kesu_domain::problem::Thing;
use kesu_domain::tracking::TrackingEvent;
use kesu_domain::{FieldError, Permission, Problem, Scope};
use kesu_store::{Attachment, CaseRecord, Claim, ExceptionFilter, LogisticsException, Store, User};

use crate::attachments::{read_for_outside, Opened};

use crate::cases::visible_case;
use crate::error::{AppError, AppResult};

/// Who may file and move claims: the people working cases (departments on their own).
fn check_claim_role(caller: &User) -> AppResult<()> {
    if caller.role.may(Permission::WorkCases) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{} users cannot file or change carrier claims",
            caller.role
        )))
    }
}

/// Files a claim against a carrier on an open case the caller may see.
pub async fn file_claim(
    store: &Store,
    caller: &User,
    case_id: i64,
    form: ClaimForm,
    now: DateTime<Utc>,
) -> AppResult<Claim> {
    let record = visible_case(store, &caller.actor(), case_id).await?;
    check_claim_role(caller)?;
    if !record.case.status.is_open() {
        return Err(AppError::conflict(
            "the case is closed: claims are filed on open cases",
        ));
    }
    let form = with_attachments(store, record.case.id, form).await?;
    let claim = form.parse(now)?;
    Ok(store
        .create_claim(record.case.id, &claim, &caller.username, now)
        .await?)
}

/// Checks that the evidence's attachments are the case's own, and names each by its file
/// when the sender gave no reference.
async fn with_attachments(
    store: &Store,
    case_id: i64,
    mut form: ClaimForm,
) -> AppResult<ClaimForm> {
    if form.evidence.iter().all(|e| e.attachment_id.is_none()) {
        return Ok(form);
    }
    let files = store.attachments(case_id).await?;
    let mut errors = Vec::new();
    for (i, e) in form.evidence.iter_mut().enumerate() {
        let Some(id) = e.attachment_id else { continue };
        match files.iter().find(|f| f.id == id) {
            Some(f) if e.reference.trim().is_empty() => e.reference = f.name.clone(),
            Some(_) => {}
            None => errors.push(FieldError::new(
                &format!("evidence[{i}].attachment_id"),
                Problem::Unknown {
                    thing: Thing::Attachment,
                    value: id.to_string(),
                },
            )),
        }
    }
    if errors.is_empty() {
        Ok(form)
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// A claim whose case the caller may see.
pub async fn visible_claim(store: &Store, caller: &User, id: i64) -> AppResult<Claim> {
    let not_found = || AppError::NotFound(format!("no claim with id `{id}`"));
    let claim = store.claim(id).await?.ok_or_else(not_found)?;
    visible_case(store, &caller.actor(), claim.case_id)
        .await
        .map_err(|_| not_found())?;
    Ok(claim)
}

/// Moves a claim on (accepted, rejected, paid with the amount recovered).
pub async fn update_claim(
    store: &Store,
    caller: &User,
    id: i64,
    update: ClaimUpdate,
    now: DateTime<Utc>,
) -> AppResult<Claim> {
    let claim = visible_claim(store, caller, id).await?;
    check_claim_role(caller)?;
    if update.version != claim.version {
        return Err(AppError::Conflict {
            code: "stale_version",
            detail: format!(
                "the claim was changed by someone else (now version {}); reload it and try again",
                claim.version
            ),
            allowed_actions: None,
            current_version: Some(claim.version),
        });
    }
    let recovered =
        kesu_domain::claims::check_update(claim.status, claim.amount_claimed_cents, &update)?;
    let note = kesu_domain::text::optional("note", update.note.as_deref())?;
    store
        .update_claim(
            &claim,
            update.version,
            update.status,
            recovered,
            note.as_deref(),
            &caller.username,
            now,
        )
        .await?;
    visible_claim(store, caller, id).await
}

/// Claims the caller may see: departments only those of cases routed to them.
pub async fn visible_claims(store: &Store, caller: &User) -> AppResult<Vec<Claim>> {
    let all = store.claims(None).await?;
    let actor = caller.actor();
    if actor.scope() == Scope::All {
        return Ok(all);
    }
    let mut mine = Vec::new();
    for c in all {
        if visible_case(store, &actor, c.case_id).await.is_ok() {
            mine.push(c);
        }
    }
    Ok(mine)
}

/// Exceptions the caller may see: department users only those of cases routed to their
/// department (not other departments' cases and orders, nor parcels without a case).
pub async fn visible_exceptions(
    store: &Store,
    caller: &User,
    open_only: bool,
    carrier: Option<String>,
) -> AppResult<Vec<LogisticsException>> {
    let department = match caller.actor().scope() {
        Scope::All => None,
        Scope::Department(d) => Some(d.as_str().to_owned()),
        // No department matches the empty code: nothing is listed.
        Scope::Nothing => Some(String::new()),
    };
    let filter = ExceptionFilter {
        open_only,
        carrier,
        department,
    };
    Ok(store.exceptions(&filter).await?)
}

/// Marks an open exception handled (the people working cases; department users only those
/// they can see, of their own department's cases).
pub async fn resolve_exception(
    store: &Store,
    caller: &User,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if !caller.role.may(Permission::WorkCases) {
        return Err(AppError::Forbidden(format!(
            "{} users cannot resolve logistics exceptions",
            caller.role
        )));
    }
    let no_such = || AppError::NotFound(format!("no open exception with id `{id}`"));
    if !matches!(caller.actor().scope(), Scope::All) {
        let visible = visible_exceptions(store, caller, true, None).await?;
        if !visible.iter().any(|e| e.id == id) {
            return Err(no_such());
        }
    }
    if store.resolve_exception(id, now).await? {
        Ok(())
    } else {
        Err(no_such())
    }
}

/// Everything a claim's evidence pack holds.
#[derive(Debug)]
pub struct ClaimEvidence {
    pub claim: Claim,
    pub case: CaseRecord,
    /// The claim's files (all the case's files for a claim that names none), each with what
    /// it shows; photos as clean copies, without the place they were taken.
    pub files: Vec<(EvidenceKind, Opened)>,
    /// The parcel's tracking events, oldest first, as a carrier reads its own record.
    pub tracking: Vec<TrackingEvent>,
}

/// Gathers a claim's evidence for its pack, for a caller who may see the claim's case.
pub async fn claim_evidence(store: &Store, caller: &User, id: i64) -> AppResult<ClaimEvidence> {
    let claim = visible_claim(store, caller, id).await?;
    let case = visible_case(store, &caller.actor(), claim.case_id).await?;
    let attachments = store.attachments(claim.case_id).await?;
    let named: Vec<(EvidenceKind, i64)> = claim
        .evidence
        .iter()
        .filter_map(|e| e.attachment_id.map(|a| (e.kind, a)))
        .collect();
    let picked: Vec<(EvidenceKind, Attachment)> = if named.is_empty() {
        attachments
            .into_iter()
            .map(|a| {
                let kind = if a.thumb_sha256.is_some() {
                    EvidenceKind::Photo
                } else {
                    EvidenceKind::Other
                };
                (kind, a)
            })
            .collect()
    } else {
        named
            .iter()
            .filter_map(|(kind, id)| {
                attachments
                    .iter()
                    .find(|a| a.id == *id)
                    .map(|a| (*kind, a.clone()))
            })
            .collect()
    };
    let mut files = Vec::with_capacity(picked.len());
    for (kind, a) in picked {
        files.push((kind, read_for_outside(store, a).await?));
    }
    let mut tracking = store
        .parcel_story(Some(&claim.carrier), &claim.tracking_no)
        .await?;
    tracking.reverse();
    Ok(ClaimEvidence {
        claim,
        case,
        files,
        tracking,
    })
}
