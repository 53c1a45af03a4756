//! What an audit event records, besides a case's history (issue 21): who came in, what left
//! kesu, who saw personal data, and every change to who may do what and to the rules.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuditKind {
    #[serde(rename = "sign_in.succeeded")]
    SignInSucceeded,
    #[serde(rename = "sign_in.failed")]
    SignInFailed,
    #[serde(rename = "sign_in.locked")]
    SignInLocked,
    #[serde(rename = "sign_in.unlocked")]
    SignInUnlocked,
    #[serde(rename = "user.created")]
    UserCreated,
    /// Role, department, enabled or disabled.
    #[serde(rename = "user.changed")]
    UserChanged,
    #[serde(rename = "user.password_set")]
    PasswordSet,
    #[serde(rename = "user.two_factor")]
    TwoFactorChanged,
    #[serde(rename = "token.issued")]
    TokenIssued,
    #[serde(rename = "token.revoked")]
    TokenRevoked,
    /// Deadlines, approval limits, reply rules, templates, access: the policy document.
    #[serde(rename = "policy.changed")]
    PolicyChanged,
    /// A platform connector, a webhook, a mailbox.
    #[serde(rename = "connector.changed")]
    ConnectorChanged,
    /// Cases, reports or a person's data left kesu as a file or a list.
    #[serde(rename = "export")]
    Export,
    /// Someone saw a case's personal data unmasked.
    #[serde(rename = "personal.revealed")]
    PersonalRevealed,
    #[serde(rename = "personal.erased")]
    PersonalErased,
    /// Who was responsible for a case, its loss and the penalties (seed 001 step 7).
    #[serde(rename = "accountability.recorded")]
    AccountabilityRecorded,
    /// An auditor drew a sample of closed cases to check (seed 000: regular audits).
    #[serde(rename = "records_audit.drawn")]
    RecordsAuditDrawn,
    /// An auditor recorded what they found on a sampled case.
    #[serde(rename = "records_audit.checked")]
    RecordsAuditChecked,
}

impl AuditKind {
    pub const ALL: [AuditKind; 18] = [
        AuditKind::SignInSucceeded,
        AuditKind::SignInFailed,
        AuditKind::SignInLocked,
        AuditKind::SignInUnlocked,
        AuditKind::UserCreated,
        AuditKind::UserChanged,
        AuditKind::PasswordSet,
        AuditKind::TwoFactorChanged,
        AuditKind::TokenIssued,
        AuditKind::TokenRevoked,
        AuditKind::PolicyChanged,
        AuditKind::ConnectorChanged,
        AuditKind::Export,
        AuditKind::PersonalRevealed,
        AuditKind::PersonalErased,
        AuditKind::AccountabilityRecorded,
        AuditKind::RecordsAuditDrawn,
        AuditKind::RecordsAuditChecked,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AuditKind::SignInSucceeded => "sign_in.succeeded",
            AuditKind::SignInFailed => "sign_in.failed",
            AuditKind::SignInLocked => "sign_in.locked",
            AuditKind::SignInUnlocked => "sign_in.unlocked",
            AuditKind::UserCreated => "user.created",
            AuditKind::UserChanged => "user.changed",
            AuditKind::PasswordSet => "user.password_set",
            AuditKind::TwoFactorChanged => "user.two_factor",
            AuditKind::TokenIssued => "token.issued",
            AuditKind::TokenRevoked => "token.revoked",
            AuditKind::PolicyChanged => "policy.changed",
            AuditKind::ConnectorChanged => "connector.changed",
            AuditKind::Export => "export",
            AuditKind::PersonalRevealed => "personal.revealed",
            AuditKind::PersonalErased => "personal.erased",
            AuditKind::AccountabilityRecorded => "accountability.recorded",
            AuditKind::RecordsAuditDrawn => "records_audit.drawn",
            AuditKind::RecordsAuditChecked => "records_audit.checked",
        }
    }

    pub fn parse(code: &str) -> Option<AuditKind> {
        AuditKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_back_and_match_the_serialised_names() {
        for kind in AuditKind::ALL {
            assert_eq!(AuditKind::parse(kind.code()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.code())
            );
        }
        assert_eq!(AuditKind::parse("case.close"), None);
    }
}
