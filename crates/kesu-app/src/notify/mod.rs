//! Telling customers and the shop's other systems: the notifier follows the change log and
//! writes what each new history entry calls for into the outbox (with its position, in one
//! transaction: nothing written twice, nothing missed across restarts); the sender claims due
//! messages with a lease (one sender a message, on any server) and sends them over SMTP, an SMS
//! gateway or a webhook, retrying with backoff.

mod send;
mod words;

use std::sync::Arc;

use chrono::Utc;
use kesu_domain::history::Entry;
use kesu_domain::notify::{customer_event, webhook_events};
use kesu_store::{CaseRecord, Changes, HistoryEntry, NewMessage, Store, Webhook};
use serde_json::json;
use tokio::sync::watch;

use crate::Clock;

pub use send::{sign, SmsSettings, SmtpSettings};
pub use words::{customer_language, write_notice, NoticeContext};

/// Where messages go; a channel without settings is not used.
#[derive(Clone, Default)]
pub struct Channels {
    pub smtp: Option<SmtpSettings>,
    pub sms: Option<SmsSettings>,
    /// kesu's address as customers reach it (`https://kesu.shop.example`): notices then
    /// carry a link to the customer's status page.
    pub public_url: Option<String>,
}

const FOLLOWER: &str = "notifier";

/// Follows the change log and fills the outbox until `stop`.
pub async fn run_notifier(
    store: Store,
    clock: Arc<dyn Clock>,
    channels: Channels,
    mut stop: watch::Receiver<bool>,
) {
    let mut follower = match store.follower_position(FOLLOWER).await {
        Ok(Some(cursor)) => store.follow_changes_from(cursor).named(FOLLOWER),
        Ok(None) => match store.follow_changes().await {
            Ok((f, _)) => f.named(FOLLOWER),
            Err(e) => {
                tracing::error!(error = %e, "the notifier cannot start");
                return;
            }
        },
        Err(e) => {
            tracing::error!(error = %e, "the notifier cannot read its position");
            return;
        }
    };
    loop {
        let batch = tokio::select! {
            b = follower.next_batch(256) => b,
            _ = stop.changed() => return,
        };
        let (case_ids, cursor) = match batch {
            Changes::Batch {
                case_ids, cursor, ..
            } => (case_ids, cursor),
            Changes::Closed => return,
        };
        // A failure (the database away) is tried again from the kept position.
        let mut delay = std::time::Duration::from_millis(200);
        loop {
            match enqueue(&store, clock.as_ref(), &channels, &case_ids, cursor).await {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "the notifier could not write the outbox; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = stop.changed() => return,
                    }
                    delay = (delay * 2).min(std::time::Duration::from_secs(10));
                }
            }
        }
    }
}

async fn enqueue(
    store: &Store,
    clock: &dyn Clock,
    channels: &Channels,
    case_ids: &[i64],
    cursor: kesu_store::Cursor,
) -> kesu_store::Result<()> {
    let now = clock.now();
    let seen: std::collections::HashMap<i64, i64> = store
        .notified_through(case_ids)
        .await?
        .into_iter()
        .collect();
    let webhooks: Vec<Webhook> = store
        .webhooks()
        .await?
        .into_iter()
        .filter(|w| w.active)
        .collect();
    if channels.smtp.is_none() && channels.sms.is_none() && webhooks.is_empty() {
        // Nobody to tell: one statement marks the entries seen, so a channel set up later
        // starts with what comes next.
        return store.skip_notifying(case_ids, (FOLLOWER, cursor)).await;
    }
    let zone = store.policy().await?.zone();
    let library = store.reply_templates().await?.templates;
    let rules = store.reply_rules().await?;
    let mut messages = Vec::new();
    let mut through = Vec::new();
    for &id in case_ids {
        let Some(record) = store.case(id).await? else {
            continue;
        };
        let history = store.history(id).await?;
        let after = seen.get(&id).copied().unwrap_or(0);
        let fresh: Vec<&HistoryEntry> = history.iter().filter(|h| h.seq > after).collect();
        let Some(last) = fresh.last() else { continue };
        through.push((id, last.seq));
        let opted_out = store.opted_out(id).await?;
        let reachable = (channels.smtp.is_some() && record.complainant.email.is_some())
            || (channels.sms.is_some() && record.complainant.phone.is_some());
        let mut order = None;
        for h in fresh {
            let event = customer_event(&h.entry).filter(|_| !opted_out && reachable);
            if let Some(event) = event {
                if order.is_none() {
                    if let Some(no) = &record.case.order_no {
                        order = store.order(no).await?;
                    }
                }
                // A link of its own for each notice that offers one: links are kept as
                // hashes, so an earlier one cannot be given again.
                let link = match (&channels.public_url, words::wants_link(event)) {
                    (Some(base), true) => Some(format!(
                        "{}/s/{}",
                        base.trim_end_matches('/'),
                        store.new_customer_link(id, now).await?
                    )),
                    _ => None,
                };
                let ctx = NoticeContext {
                    library: &library,
                    rules: &rules,
                    order: order.as_ref(),
                    zone,
                    now,
                    link,
                };
                messages.extend(customer_messages(&record, h, event, channels, &ctx));
            }
            for event in webhook_events(&h.entry) {
                for w in webhooks
                    .iter()
                    .filter(|w| w.events.iter().any(|e| e == event))
                {
                    messages.push(webhook_message(&record, h, event, w, now));
                }
            }
        }
    }
    if through.is_empty() && messages.is_empty() {
        // Nothing new (changes to cases already looked at): keep the position all the same.
        return store
            .enqueue_messages(&[], &[], (FOLLOWER, cursor), now)
            .await;
    }
    store
        .enqueue_messages(&messages, &through, (FOLLOWER, cursor), now)
        .await
}

/// The notices a customer gets about one entry, on each channel set up and reachable.
fn customer_messages(
    record: &CaseRecord,
    h: &HistoryEntry,
    event: kesu_domain::notify::CustomerEvent,
    channels: &Channels,
    ctx: &NoticeContext,
) -> Vec<NewMessage> {
    let n = write_notice(event, record, &h.entry, ctx);
    let mut out = Vec::new();
    let base = |channel: &str, target: String, subject: Option<String>, body: String| NewMessage {
        case_id: record.case.id,
        seq: h.seq,
        channel: channel.into(),
        target,
        event: event.code().into(),
        subject,
        body,
    };
    if let (Some(_), Some(email)) = (&channels.smtp, &record.complainant.email) {
        out.push(base(
            "email",
            email.as_str().to_owned(),
            Some(n.subject.clone()),
            n.body.clone(),
        ));
    }
    if let (Some(_), Some(phone)) = (&channels.sms, &record.complainant.phone) {
        // A text message carries the subject line only: SMS is short and costs per part.
        out.push(base("sms", phone.as_str().to_owned(), None, n.subject));
    }
    out
}

/// A webhook delivery's JSON: the event, the case without personal data, the entry.
fn webhook_message(
    record: &CaseRecord,
    h: &HistoryEntry,
    event: &str,
    w: &Webhook,
    now: chrono::DateTime<Utc>,
) -> NewMessage {
    let c = &record.case;
    let body = json!({
        "event": event,
        "delivery": format!("{}-{}-{}-{}", w.id, c.id, h.seq, event),
        "occurred_at": h.at,
        "sent_at": now,
        "case": {
            "id": c.id, "number": c.number, "status": c.status, "category": c.category,
            "channel": c.channel, "department": c.department, "assignee": c.assignee,
            "order_no": c.order_no, "updated_at": c.updated_at,
        },
        "entry": {"seq": h.seq, "action": h.entry.action(), "data": entry_data(&h.entry)},
    });
    NewMessage {
        case_id: c.id,
        seq: h.seq,
        channel: "webhook".into(),
        target: w.id.to_string(),
        event: event.into(),
        subject: None,
        body: body.to_string(),
    }
}

/// The entry's data, without what a customer wrote (personal data may be in it).
fn entry_data(entry: &Entry) -> serde_json::Value {
    match entry {
        Entry::Changed { .. } if entry.text().is_some() => json!({"to": entry.moved_to()}),
        _ => entry.data(),
    }
}

pub use send::run_sender;
