//! What the API returns, shaped for the reader's role.

use chrono::{DateTime, Utc};
use kesu_domain::personal::ComplainantView;
use kesu_domain::{allowed_actions, Case};
use kesu_store::{CaseRecord, User};
use serde::Serialize;
use utoipa::ToSchema;

/// A case as the caller may see it.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: Case,
    /// The status in Chinese, for people.
    pub status_label: &'static str,
    /// Personal data, masked unless the caller's role needs it.
    pub complainant: ComplainantView,
    /// The actions the caller may take now.
    pub allowed_actions: Vec<&'static str>,
    /// Open and past its resolution deadline.
    pub overdue: bool,
    /// The order the complaint is about, when kesu has it (on the single-case view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<super::orders::OrderView>,
    /// The evidence files attached to the case (on the single-case view).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<super::attachments::AttachmentView>>,
}

impl CaseView {
    pub fn new(record: CaseRecord, caller: &User, now: DateTime<Utc>) -> CaseView {
        let actor = caller.actor();
        let overdue = record.case.status.is_open()
            && record.case.deadlines.resolve_by.is_some_and(|d| d < now);
        CaseView {
            status_label: kesu_i18n::Lang::Zh.label(record.case.status),
            complainant: record.complainant.view(caller.role.sees_personal_data()),
            allowed_actions: allowed_actions(&record.case, &actor)
                .iter()
                .map(|a| a.code())
                .collect(),
            overdue,
            order: None,
            attachments: None,
            case: record.case,
        }
    }

    /// The case as an outside system that is nobody's account sees it (a platform or the
    /// shop's site): personal data masked, no actions.
    pub fn for_outside(record: CaseRecord, now: DateTime<Utc>) -> CaseView {
        let overdue = record.case.status.is_open()
            && record.case.deadlines.resolve_by.is_some_and(|d| d < now);
        CaseView {
            status_label: kesu_i18n::Lang::Zh.label(record.case.status),
            complainant: record.complainant.view(false),
            allowed_actions: Vec::new(),
            overdue,
            order: None,
            attachments: None,
            case: record.case,
        }
    }
}

/// A staff account, without secrets.
#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub username: String,
    pub role: kesu_domain::Role,
    pub department: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// Until when repeated wrong passwords lock the account (absent: not locked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked_until: Option<DateTime<Utc>>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            username: u.username,
            role: u.role,
            department: u.department.map(String::from),
            disabled: u.disabled,
            created_at: u.created_at,
            locked_until: u.locked_until,
        }
    }
}
