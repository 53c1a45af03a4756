//! Regular audits of the records (seed 000): auditors and admins draw a sample of the closed
//! cases received in a period, see each against the checklist, and record their verdict,
//! findings and the correction they ask for. The cases themselves are never changed here:
//! a correction is asked of whoever handles the case, and the audit keeps what was found.

use chrono::{DateTime, Utc};
use kesu_domain::records_audit::{check, draw, MAX_SAMPLE};
use kesu_domain::{FieldError, Permission, Problem};
use kesu_store::{AuditedCase, By, NewRecordsAudit, RecordsAudit, Store, User};

use crate::error::{AppError, AppResult};

/// The longest findings or correction kept.
pub const MAX_TEXT: usize = 2000;

fn may_audit(caller: &User) -> AppResult<()> {
    crate::require(caller, Permission::AuditRecords, "audit the records")
}

/// What an auditor asks for: the period (UTC bounds), the sample's size and, to redraw a
/// sample someone else drew, its seed.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub size: u32,
    pub seed: Option<i64>,
}

/// Draws the sample and stores it with each case's checklist; returns the audit's id.
pub async fn draw_sample(
    store: &Store,
    caller: &User,
    request: &DrawRequest,
    now: DateTime<Utc>,
) -> AppResult<i64> {
    may_audit(caller)?;
    if !(1..=MAX_SAMPLE).contains(&request.size) {
        return Err(AppError::Invalid(vec![FieldError::new(
            "size",
            Problem::Range {
                min: 1,
                max: i64::from(MAX_SAMPLE),
            },
        )]));
    }
    // A seed anyone can read back: the draw is the same whoever repeats it.
    let seed = request
        .seed
        .unwrap_or_else(|| i64::from(rand::random::<u32>()));
    if seed < 0 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "seed",
            Problem::Range {
                min: 0,
                max: i64::MAX,
            },
        )]));
    }
    let population = store
        .closed_cases_received(request.from, request.to)
        .await?;
    let sample_ids = draw(&population, request.size as usize, seed as u64);
    let mut sample = Vec::with_capacity(sample_ids.len());
    for id in sample_ids {
        let Some(record) = store.case(id).await? else {
            continue;
        };
        let history: Vec<_> = store
            .history(id)
            .await?
            .into_iter()
            .map(|h| (h.seq, h.at, h.entry))
            .collect();
        sample.push((id, check(&record.case, &history)));
    }
    let new = NewRecordsAudit {
        from: request.from,
        to: request.to,
        seed,
        population: population.len() as i64,
        sample,
    };
    Ok(store
        .create_records_audit(&new, By::new(&caller.username, now))
        .await?)
}

pub async fn list(store: &Store, caller: &User) -> AppResult<Vec<RecordsAudit>> {
    may_audit(caller)?;
    Ok(store.records_audits().await?)
}

pub async fn show(
    store: &Store,
    caller: &User,
    id: i64,
) -> AppResult<(RecordsAudit, Vec<AuditedCase>)> {
    may_audit(caller)?;
    store
        .records_audit(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no records audit with id `{id}`")))
}

/// The auditor's conclusion on one sampled case.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// `pass` or `fail`.
    pub verdict: String,
    pub findings: Option<String>,
    pub correction: Option<String>,
}

fn text(field: &str, v: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let v = v.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > MAX_TEXT {
        errors.push(FieldError::new(
            field,
            Problem::TooLong {
                max: MAX_TEXT as i64,
            },
        ));
    }
    Some(v.to_owned())
}

/// Records the auditor's verdict on a sampled case (a failed check needs its findings).
pub async fn record(
    store: &Store,
    caller: &User,
    audit_id: i64,
    case_id: i64,
    verdict: &Verdict,
    now: DateTime<Utc>,
) -> AppResult<()> {
    may_audit(caller)?;
    let mut errors = Vec::new();
    let findings = text("findings", verdict.findings.as_deref(), &mut errors);
    let correction = text("correction", verdict.correction.as_deref(), &mut errors);
    match verdict.verdict.as_str() {
        "pass" => {}
        "fail" if findings.is_none() => errors.push(FieldError::explained(
            "findings",
            Problem::Required,
            "say what was wrong when the case fails the audit",
        )),
        "fail" => {}
        _ => errors.push(FieldError::new(
            "verdict",
            Problem::NotOneOf {
                allowed: "pass, fail".into(),
            },
        )),
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let by = By::new(&caller.username, now);
    let saved = store
        .save_audited_case(
            audit_id,
            case_id,
            &verdict.verdict,
            findings.as_deref(),
            correction.as_deref(),
            by,
        )
        .await?;
    if saved {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "case {case_id} is not in records audit {audit_id}"
        )))
    }
}
