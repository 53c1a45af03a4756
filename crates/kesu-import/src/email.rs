//! Reading a customer's e-mail (raw MIME, as a relay posts it or IMAP fetches it) with a real
//! MIME library: multipart, GBK/GB2312/GB18030/UTF-8, quoted-printable and base64, HTML-only
//! bodies turned into text, attachments kept. Says whether it was written by a machine
//! (auto-replies, bounces, lists), and what it answers (its `In-Reply-To`/`References`, a case
//! number in the subject). Pure: no storage.

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use sha2::{Digest, Sha256};

/// Longest subject and body kept (characters); the rest is cut with a note.
pub const MAX_TEXT: usize = 20_000;

/// A file that came with the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// What kesu needs of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Without angle brackets; `sha256:<hex of the raw message>` when it has none, so the
    /// same message is still known again.
    pub message_id: String,
    pub from_name: Option<String>,
    pub from_address: String,
    /// One line, control characters removed (a header-injection attempt stays plain text).
    pub subject: String,
    /// The plain text, or the HTML part as text.
    pub text: String,
    /// `In-Reply-To` and `References`, without angle brackets, nearest first.
    pub answers: Vec<String>,
    /// Why a machine wrote it (an auto-reply, a bounce, a list), if one did.
    pub automatic: Option<&'static str>,
    pub files: Vec<EmailFile>,
    pub date: Option<DateTime<Utc>>,
}

/// Why a message cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("the message cannot be read as MIME (RFC 5322)")]
    Unreadable,
    #[error("the message has no sender address (From)")]
    NoSender,
}

/// Reads a raw message.
pub fn read(raw: &[u8]) -> Result<Email, EmailError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(EmailError::Unreadable)?;
    if message.headers().is_empty() {
        return Err(EmailError::Unreadable);
    }
    let from = message.from().and_then(|a| a.first());
    let from_address = from
        .and_then(|a| a.address())
        .map(one_line)
        .filter(|a| a.contains('@') && a.len() <= 254)
        .ok_or(EmailError::NoSender)?;
    let from_name = from
        .and_then(|a| a.name())
        .map(one_line)
        .filter(|n| !n.is_empty());
    let message_id = match message
        .message_id()
        .map(|id| one_line(id).trim_matches(['<', '>']).to_owned())
    {
        Some(id) if !id.is_empty() && id.len() <= 250 => id,
        _ => format!("sha256:{}", hex(&Sha256::digest(raw))),
    };
    let mut answers: Vec<String> = Vec::new();
    for list in [message.in_reply_to(), message.references()] {
        if let Some(ids) = list.as_text_list() {
            // References run oldest first; the nearest ancestor is the last.
            for id in ids.iter().rev() {
                let id = one_line(id).trim_matches(['<', '>']).to_owned();
                if !id.is_empty() && !answers.contains(&id) {
                    answers.push(id);
                }
            }
        }
    }
    let subject = cut(&one_line(message.subject().unwrap_or("")));
    let text = cut(message.body_text(0).as_deref().unwrap_or("").trim());
    let files = message
        .attachments()
        .filter(|part| !part.contents().is_empty())
        .map(|part| EmailFile {
            name: part.attachment_name().unwrap_or("附件").to_owned(),
            bytes: part.contents().to_vec(),
        })
        .collect();
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
    };
    let report = message.content_type().is_some_and(|ct| {
        ct.c_type.eq_ignore_ascii_case("multipart")
            && ct
                .c_subtype
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("report"))
    });
    let automatic = automatic(
        header("Auto-Submitted").as_deref(),
        header("Precedence").as_deref(),
        report,
        &from_address,
        header("X-Autoreply").is_some() || header("X-Autorespond").is_some(),
        header("List-Id").is_some() || header("List-Unsubscribe").is_some(),
    );
    let date = message
        .date()
        .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0));
    Ok(Email {
        message_id,
        from_name,
        from_address,
        subject,
        text,
        answers,
        automatic,
        files,
        date,
    })
}

/// Whether a machine wrote the message (RFC 3834 `Auto-Submitted`, `Precedence`, delivery
/// reports, the mailer daemon, auto-responders, mailing lists).
pub fn automatic(
    auto_submitted: Option<&str>,
    precedence: Option<&str>,
    delivery_report: bool,
    from_address: &str,
    autoreply_header: bool,
    list: bool,
) -> Option<&'static str> {
    let from = from_address.to_ascii_lowercase();
    if delivery_report || from.starts_with("mailer-daemon@") || from.starts_with("postmaster@") {
        return Some("a delivery report (bounce)");
    }
    if auto_submitted.is_some_and(|v| !v.starts_with("no")) || autoreply_header {
        return Some("an automatic reply");
    }
    if precedence.is_some_and(|p| matches!(p, "bulk" | "junk" | "list" | "auto_reply")) || list {
        return Some("bulk or list mail");
    }
    None
}

/// A case number (`KS-20261123-0001`) in a subject, as kesu's own messages carry it.
pub fn case_number_in(subject: &str) -> Option<String> {
    // Bytes only: a subject is mostly Chinese, and a number is ASCII wherever it starts.
    let b = subject.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    (0..b.len().saturating_sub(15)).find_map(|i| {
        let found = b[i..i + 3].eq_ignore_ascii_case(b"KS-")
            && digits(i + 3..i + 11)
            && b[i + 11] == b'-'
            && digits(i + 12..i + 16);
        found.then(|| {
            // Sequences can run past four digits on a very busy day.
            let more = b[i + 16..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            String::from_utf8_lossy(&b[i..i + 16 + more]).to_ascii_uppercase()
        })
    })
}

/// Control characters (CR, LF, tabs…) become spaces and runs of space one.
fn one_line(s: &str) -> String {
    let spaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn cut(s: &str) -> String {
    if s.chars().count() <= MAX_TEXT {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(MAX_TEXT).collect();
    out.push_str("\n…（邮件过长，其余部分未显示）");
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[path = "email_tests.rs"]
mod tests;
