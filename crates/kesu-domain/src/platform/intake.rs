//! A new platform request becomes a case: the buyer is the complainant, the request's kind
//! the demand, its reason and the buyer's words the description, its countdown the case's
//! hard deadline.

use chrono::{DateTime, Utc};

use super::{PlatformLink, Request, Stage};
use crate::codes::{Category, Priority};
use crate::error::Rejection;
use crate::money::Cents;
use crate::registration::{Registration, RegistrationForm};

/// What the complainant is called when the platform gives no name (platforms often mask it).
pub const UNNAMED_BUYER: &str = "买家";

impl Request {
    /// The registration of the request's case. `category` is triage's reading of the reason;
    /// `left_to_refund` the cash still refundable on the order, `None` if kesu has no such
    /// order (the case is opened all the same, marked so).
    pub fn registration(
        &self,
        category: Category,
        left_to_refund: Option<Cents>,
        now: DateTime<Utc>,
    ) -> Result<Registration, Rejection> {
        let form: RegistrationForm = serde_json::from_value(serde_json::json!({
            "channel": "platform",
            "complainant": {
                "name": self.buyer_name.as_deref().unwrap_or(UNNAMED_BUYER),
                "phone": self.buyer_phone,
            },
            "order_no": self.order_no,
            "category": category,
            "demand": self.kind.demand(),
            "description": self.description(),
            // The platform's time of the request, unless its clock runs ahead of kesu's.
            "received_at": self.updated_at.min(now).to_rfc3339(),
            "priority": if self.stage == Stage::Intervened { Priority::Urgent } else { Priority::Normal },
        }))
        .map_err(|e| {
            Rejection::Invalid(vec![crate::error::FieldError::explained(
                "",
                crate::error::Problem::Format,
                e.to_string(),
            )])
        })?;
        let mut registration = form.parse(now)?;
        registration.platform = Some(PlatformLink::new(self, left_to_refund));
        Ok(registration)
    }

    /// The case's description: the reason and what the buyer wrote.
    pub fn description(&self) -> String {
        let reason = self.reason.trim();
        let words = self.words.as_deref().map(str::trim).unwrap_or("");
        match (reason.is_empty(), words.is_empty()) {
            (true, true) => "（售后申请没有填写原因）".to_owned(),
            (false, true) => reason.to_owned(),
            (true, false) => words.to_owned(),
            (false, false) => format!("{reason}\n买家留言：{words}"),
        }
    }
}
