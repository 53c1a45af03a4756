//! What the audit chain binds of each stored row (issue 21). A case's history entry is bound
//! by its place, author and action, the non-personal part of its data, and a keyed digest of
//! the personal part: erasing a customer later rewrites the personal values and forgets the
//! case's key, yet the chain still verifies with the digest kept at erasure, and nobody can
//! test a guessed phone number against it. Other audit events hold no customer data and are
//! bound whole.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::audit::Link;
use crate::personal_fields::{canonical, split, PersonalValue};

/// A stored history entry as the chain sees it.
#[derive(Debug, Clone, Copy)]
pub struct HistoryRow<'a> {
    pub case_id: i64,
    pub seq: i64,
    pub at_ms: i64,
    pub actor: &'a str,
    pub actor_kind: &'a str,
    pub action: &'a str,
    pub data: &'a Value,
}

/// A stored audit event (a sign-in, an export, a change to users or the policy…).
#[derive(Debug, Clone, Copy)]
pub struct EventRow<'a> {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: &'a str,
    pub actor: &'a str,
    pub case_id: Option<i64>,
    pub detail: &'a Value,
}

/// Length-prefixed fields: no choice of text makes two different rows hash alike.
fn fields(parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in parts {
        out.extend_from_slice(p.len().to_string().as_bytes());
        out.push(b':');
        out.extend_from_slice(p.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The keyed digest of an entry's personal values under the case's key.
pub fn personal_digest(key: &[u8], personal: &[PersonalValue]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    for p in personal {
        mac.update(&fields(&[&p.path, &p.value]));
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The personal digest of a history entry's data under `key`.
pub fn history_personal_digest(key: &[u8], data: &Value) -> String {
    personal_digest(key, &split(data).1)
}

/// The content digest of a history entry whose personal part digests to `personal`.
pub fn history_content(row: &HistoryRow<'_>, personal: &str) -> String {
    let (rest, _) = split(row.data);
    let bytes = fields(&[
        "history",
        &row.case_id.to_string(),
        &row.seq.to_string(),
        row.actor_kind,
        row.action,
        &canonical(&rest),
        personal,
    ]);
    hex::encode(Sha256::digest(&bytes))
}

/// The chain link of a history entry at `index`.
pub fn history_link(index: i64, row: &HistoryRow<'_>, content: String) -> Link {
    Link {
        index,
        at_ms: row.at_ms,
        kind: format!("case.{}", row.action),
        actor: row.actor.to_owned(),
        case_id: Some(row.case_id),
        content_digest: content,
    }
}

/// The content digest of an audit event.
pub fn event_content(row: &EventRow<'_>) -> String {
    let bytes = fields(&["event", &row.seq.to_string(), &canonical(row.detail)]);
    hex::encode(Sha256::digest(&bytes))
}

/// The chain link of an audit event at `index`.
pub fn event_link(index: i64, row: &EventRow<'_>) -> Link {
    Link {
        index,
        at_ms: row.at_ms,
        kind: row.kind.to_owned(),
        actor: row.actor.to_owned(),
        case_id: row.case_id,
        content_digest: event_content(row),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(data: &Value) -> HistoryRow<'_> {
        HistoryRow {
            case_id: 7,
            seq: 3,
            at_ms: 1_765_000_000_000,
            actor: "amy",
            actor_kind: "staff",
            action: "comment",
            data,
        }
    }

    #[test]
    fn erasing_personal_values_keeps_the_content_digest_given_the_kept_personal_digest() {
        let before = json!({"text": "王先生 13812345678 说收到破损", "internal": false});
        let after = json!({"text": "[已删除]", "internal": false});
        let key = b"case-key";
        let kept = history_personal_digest(key, &before);
        assert_eq!(
            history_content(&row(&before), &kept),
            history_content(&row(&after), &kept)
        );
        // Without the kept digest the change shows.
        assert_ne!(kept, history_personal_digest(key, &after));
    }

    #[test]
    fn a_change_to_the_non_personal_part_changes_the_content_digest() {
        let a = json!({"text": "x", "internal": false});
        let b = json!({"text": "x", "internal": true});
        let d = history_personal_digest(b"k", &a);
        assert_ne!(history_content(&row(&a), &d), history_content(&row(&b), &d));
        let mut moved = row(&a);
        moved.seq = 4;
        assert_ne!(history_content(&row(&a), &d), history_content(&moved, &d));
    }

    #[test]
    fn the_personal_digest_depends_on_the_key() {
        let data = json!({"phone": "13812345678"});
        assert_ne!(
            history_personal_digest(b"one", &data),
            history_personal_digest(b"two", &data)
        );
    }

    #[test]
    fn an_event_is_bound_whole() {
        let detail = json!({"user": "bob", "role": "agent"});
        let e = EventRow {
            seq: 1,
            at_ms: 5,
            kind: "user.role_changed",
            actor: "admin",
            case_id: None,
            detail: &detail,
        };
        let other = json!({"user": "bob", "role": "admin"});
        let f = EventRow {
            detail: &other,
            ..e
        };
        assert_ne!(event_content(&e), event_content(&f));
        assert_eq!(event_link(9, &e).kind, "user.role_changed");
    }
}
