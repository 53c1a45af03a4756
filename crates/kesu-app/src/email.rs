//! A customer's e-mail, posted by a relay or fetched over IMAP: a new message opens a case
//! (channel `email`, triage choosing the category); a reply goes onto its case as the
//! customer's message; machines' mail (auto-replies, bounces) opens nothing. The same
//! Message-ID is taken once.

use chrono::{DateTime, Utc};
use kesu_domain::attachment::Limits;
use kesu_domain::registration::RegistrationForm;
use kesu_domain::text::{is_refused_control, MAX_TEXT_CHARS};
use kesu_domain::{ActionName, Actor};
use kesu_import::email::{case_number_in, read, Email};
use kesu_store::{Attachment, CaseRecord, NewAttachment, Store, User};
use serde_json::{json, Map, Value};

use crate::attachments::{prepare, Upload};
use crate::cases::{act, ActionRequest};
use crate::error::{AppError, AppResult};

/// The Message-ID kesu gives its own mail about a case: replies to it find the case again.
pub fn message_id_for(case_id: i64, serial: i64, host: &str) -> String {
    format!("kesu.case-{case_id}.{serial}@{host}")
}

/// The case one of kesu's own Message-IDs is about.
fn case_of_own_message(id: &str) -> Option<i64> {
    let rest = id.strip_prefix("kesu.case-")?;
    rest.split('.').next()?.parse().ok()
}

/// What became of a message.
#[derive(Debug)]
pub struct Taken {
    /// The case it opened or went onto; `None` when set aside.
    pub case: Option<CaseRecord>,
    pub threaded: bool,
    /// False when the message had been taken before (nothing new stored).
    pub new: bool,
    /// Why it opened nothing (an automatic reply, a bounce).
    pub ignored: Option<String>,
    pub attachments: Vec<Attachment>,
    /// Files that came with it but were not kept, and why.
    pub skipped: Vec<String>,
}

/// Takes one raw message. `caller` is the account the relay or the mailbox poller acts as
/// (it must be allowed to register complaints).
pub async fn take(
    store: &Store,
    caller: &User,
    raw: &[u8],
    limits: Limits,
    now: DateTime<Utc>,
) -> AppResult<Taken> {
    if !caller.role.may(kesu_domain::Permission::RegisterCases) {
        return Err(AppError::Forbidden(format!(
            "{} users cannot hand in customers' e-mail: use an account that registers complaints",
            caller.role
        )));
    }
    let mail = read(raw).map_err(|e| {
        AppError::explained(
            "message",
            kesu_domain::error::Problem::Format,
            e.to_string(),
        )
    })?;
    if let Some((case_id, outcome)) = store.inbound_message(&mail.message_id).await? {
        let case = match case_id {
            Some(id) => store.case(id).await?,
            None => None,
        };
        return Ok(Taken {
            threaded: outcome == "threaded",
            ignored: (outcome == "ignored").then(|| "taken before and set aside".to_owned()),
            case,
            new: false,
            attachments: Vec::new(),
            skipped: Vec::new(),
        });
    }
    if let Some(why) = mail.automatic {
        store
            .take_inbound_message(&mail.message_id, None, "ignored", Vec::new(), now)
            .await?;
        tracing::info!(reason = why, "inbound e-mail set aside");
        return Ok(Taken {
            case: None,
            threaded: false,
            new: true,
            ignored: Some(why.to_owned()),
            attachments: Vec::new(),
            skipped: Vec::new(),
        });
    }
    let (files, skipped) = keep_files(&mail, limits).await;
    let (record, threaded) = match thread_onto(store, &mail, now).await? {
        Thread::Onto(record) => (*record, true),
        Thread::Closed(number) => (
            open_case(store, caller, &mail, Some(&number), now).await?,
            false,
        ),
        Thread::None => (open_case(store, caller, &mail, None, now).await?, false),
    };
    let outcome = if threaded { "threaded" } else { "opened" };
    let stored = store
        .take_inbound_message(&mail.message_id, Some(record.case.id), outcome, files, now)
        .await?;
    let record = store.case(record.case.id).await?.unwrap_or(record);
    Ok(Taken {
        new: stored.is_some(),
        attachments: stored.unwrap_or_default(),
        case: Some(record),
        threaded,
        ignored: None,
        skipped,
    })
}

/// The message's files that kesu takes; the others named with the reason.
async fn keep_files(mail: &Email, limits: Limits) -> (Vec<NewAttachment>, Vec<String>) {
    let mut kept = Vec::new();
    let mut skipped = Vec::new();
    for file in mail.files.iter().take(limits.max_files) {
        let upload = Upload {
            name: file.name.clone(),
            bytes: file.bytes.clone(),
        };
        match prepare(vec![upload], limits).await {
            Ok(mut one) => kept.append(&mut one),
            Err(e) => skipped.push(format!("{}: {e}", file.name)),
        }
    }
    if mail.files.len() > limits.max_files {
        skipped.push(format!(
            "{} more files: at most {} are kept from one message",
            mail.files.len() - limits.max_files,
            limits.max_files
        ));
    }
    (kept, skipped)
}

enum Thread {
    /// Written onto this open case.
    Onto(Box<CaseRecord>),
    /// It answers this case, which is closed.
    Closed(String),
    None,
}

/// The open case a reply answers (kesu's own Message-IDs, earlier messages of the thread,
/// the case number in the subject), with the reply written onto it as the customer's message.
/// A reply to a closed case opens a new one that names it.
async fn thread_onto(store: &Store, mail: &Email, now: DateTime<Utc>) -> AppResult<Thread> {
    let mut case_id = None;
    for id in &mail.answers {
        case_id = match case_of_own_message(id) {
            Some(case) => Some(case),
            None => store.inbound_message(id).await?.and_then(|(case, _)| case),
        };
        if case_id.is_some() {
            break;
        }
    }
    if case_id.is_none() {
        if let Some(number) = case_number_in(&mail.subject) {
            case_id = store.case_id_by_number(&number).await?;
        }
    }
    let Some(record) = (match case_id {
        Some(id) => store.case(id).await?,
        None => None,
    }) else {
        return Ok(Thread::None);
    };
    if !record.case.status.is_open() {
        return Ok(Thread::Closed(record.case.number));
    }
    let mut fields = Map::new();
    fields.insert("text".into(), json!(fit(&message_text(mail))));
    fields.insert("internal".into(), Value::Bool(false));
    let request = ActionRequest {
        action: ActionName::Comment,
        version: record.case.version,
        fields,
    };
    Ok(Thread::Onto(Box::new(
        act(store, &Actor::Customer, record, request, now).await?,
    )))
}

async fn open_case(
    store: &Store,
    caller: &User,
    mail: &Email,
    follows: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<CaseRecord> {
    let text = message_text(mail);
    let triage = crate::triage::suggest(store, &text, Default::default(), now).await?;
    let name = mail
        .from_name
        .clone()
        .unwrap_or_else(|| mail.from_address.split('@').next().unwrap_or("").to_owned());
    let mut description = text;
    if let Some(number) = follows {
        description = format!("（关于已结案的 {number}）\n{description}");
    }
    let form: RegistrationForm = crate::from_value(json!({
        "channel": "email",
        "complainant": {"name": fit_to(&name, 100), "email": mail.from_address},
        "category": triage.category,
        "demand": "other",
        // Threats and strong anger: urgent before anyone reads the mail.
        "priority": if triage.urgency == kesu_domain::triage::Urgency::High { "high" } else { "normal" },
        "description": fit(&description),
        "received_at": mail.date.filter(|d| *d <= now).map(|d| d.to_rfc3339()),
    }))?;
    // The Message-ID makes the registration idempotent: a retry after a crash between the
    // registration and the message's record creates nothing new.
    let key = format!("email:{}", fit_to(&mail.message_id, 190));
    let registered = match crate::register::register(store, caller, form.clone(), Some(&key), now)
        .await
    {
        // A sender address kesu cannot take as an e-mail address (unusual but valid
        // syntax) still opens the case, without it.
        Err(AppError::Invalid(errors)) if errors.iter().any(|e| e.field == "complainant.email") => {
            let mut form = form;
            form.complainant.email = None;
            crate::register::register(store, caller, form, Some(&key), now).await?
        }
        other => other?,
    };
    Ok(registered.record)
}

/// The subject and the body, as the case reads them.
fn message_text(mail: &Email) -> String {
    let body = mail.text.trim();
    let subject = mail.subject.trim();
    match (subject.is_empty(), body.is_empty()) {
        (true, true) => "（邮件没有主题和正文）".to_owned(),
        (false, true) => subject.to_owned(),
        (true, false) => body.to_owned(),
        (false, false) => format!("{subject}\n\n{body}"),
    }
}

fn fit(text: &str) -> String {
    fit_to(text, MAX_TEXT_CHARS)
}

/// Without refused control characters, at most `max` characters (cut with an ellipsis).
fn fit_to(text: &str, max: usize) -> String {
    let clean: String = text.chars().filter(|c| !is_refused_control(*c)).collect();
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_message_ids_name_their_case() {
        let id = message_id_for(42, 7, "shop.example");
        assert_eq!(case_of_own_message(&id), Some(42));
        assert_eq!(case_of_own_message("abc@mail.example"), None);
        assert_eq!(case_of_own_message("kesu.case-x.1@h"), None);
    }

    #[test]
    fn texts_fit_the_fields() {
        assert_eq!(fit_to("a\u{0}b\u{7}c", 10), "abc");
        assert_eq!(fit_to("长长长长长", 3), "长长…");
        assert_eq!(fit_to("行1\r\n行2\t", 10), "行1\r\n行2\t");
    }
}
