//! Step 1: the complaint registration form (投诉登记表), parsed into a valid registration.

use crate::error::{keep, FieldError, Problem, Rejection};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{case_number, Case, CaseStatus, Deadlines, Referral};
use crate::codes::{Category, Channel, Demand, Jurisdiction, Priority};
use crate::history::{Entry, Registered};
use crate::order::OrderNo;
use crate::personal::{Complainant, Email, PersonName, Phone};
use crate::policy::Policy;
use crate::role::{Actor, Role};
use crate::text;

/// The form as submitted (docs/interface.md §4). Unknown fields are refused.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RegistrationForm {
    pub channel: Channel,
    pub complainant: ComplainantForm,
    #[serde(default)]
    pub order_no: Option<String>,
    #[serde(default)]
    pub tracking_no: Option<String>,
    pub category: Category,
    pub demand: Demand,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub description: String,
    /// When the customer complained (RFC 3339 with offset); defaults to now.
    #[serde(default)]
    pub received_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// How urgent (default normal); SLA rules may depend on it.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// For channel `consumer_association`: the body that forwarded it.
    #[serde(default)]
    pub referral: Option<ReferralForm>,
}

/// A consumer association's forwarding, as submitted.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralForm {
    pub body: String,
    pub jurisdiction: Jurisdiction,
    pub reference: String,
    /// When the association filed it (RFC 3339 with offset); the 15 days count from here.
    #[serde(default)]
    pub filed_at: Option<DateTime<FixedOffset>>,
}

impl ReferralForm {
    /// Checks the fields, named under `prefix` (`referral.`).
    pub fn parse(&self, prefix: &str, now: DateTime<Utc>) -> Result<Referral, Vec<FieldError>> {
        let mut errors = Vec::new();
        let body = keep(
            &mut errors,
            text::required(&format!("{prefix}body"), &self.body),
        );
        let reference = keep(
            &mut errors,
            text::identifier(&format!("{prefix}reference"), self.reference.trim(), 64),
        );
        let filed_at = self.filed_at.map(|t| t.with_timezone(&Utc));
        if filed_at.is_some_and(|t| t > now + Duration::minutes(MAX_FUTURE_SKEW_MINUTES)) {
            errors.push(FieldError::explained(
                &format!("{prefix}filed_at"),
                Problem::InFuture,
                "lies in the future: give the date the association filed the complaint",
            ));
        }
        match (body, reference) {
            (Some(body), Some(reference)) if errors.is_empty() => Ok(Referral {
                body,
                jurisdiction: self.jurisdiction,
                reference,
                filed_at,
            }),
            _ => Err(errors),
        }
    }
}

#[derive(Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplainantForm {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

impl std::fmt::Debug for ComplainantForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ComplainantForm(<personal data>)")
    }
}

/// A registration whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub channel: Channel,
    pub complainant: Complainant,
    pub order_no: Option<OrderNo>,
    pub tracking_no: Option<String>,
    pub category: Category,
    pub demand: Demand,
    pub description: String,
    pub received_at: DateTime<Utc>,
    pub tags: Vec<String>,
    pub priority: Priority,
    pub referral: Option<Referral>,
    /// Set by a platform connector: the request the case comes from.
    pub platform: Option<crate::platform::PlatformLink>,
}

/// How far in the future a received time may lie (clock skew between systems).
const MAX_FUTURE_SKEW_MINUTES: i64 = 5;
/// Oldest complaint a registration may date back to: no after-sales window (nor a consumer
/// association's) reaches further, and older dates are typing mistakes (year 1, 2062 for 2026).
const MAX_AGE_DAYS: i64 = 3 * 365;

impl RegistrationForm {
    /// Checks every field and reports all problems at once, named as the API names them.
    pub fn parse(self, now: DateTime<Utc>) -> Result<Registration, Rejection> {
        let mut errors: Vec<FieldError> = Vec::new();

        let name = keep(
            &mut errors,
            PersonName::parse("complainant.name", &self.complainant.name),
        );
        let phone = match self.complainant.phone.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(p) => keep(&mut errors, Phone::parse("complainant.phone", p)).map(Some),
        };
        let email = match self.complainant.email.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(e) => keep(&mut errors, Email::parse("complainant.email", e)).map(Some),
        };
        let order_no = match self.order_no.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(o) => keep(&mut errors, OrderNo::parse("order_no", o)).map(Some),
        };
        let tracking_no = match self.tracking_no.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(t) => keep(&mut errors, text::identifier("tracking_no", t, 40)).map(Some),
        };
        let description = keep(
            &mut errors,
            text::required("description", &self.description),
        );
        let received_at = match self.received_at {
            None => Some(now),
            Some(t) => {
                let t = t.with_timezone(&Utc);
                if t > now + Duration::minutes(MAX_FUTURE_SKEW_MINUTES) {
                    keep(
                        &mut errors,
                        Err(FieldError::explained(
                            "received_at",
                            Problem::InFuture,
                            "lies in the future: give the time the customer complained",
                        )),
                    )
                } else if t < now - Duration::days(MAX_AGE_DAYS) {
                    keep(
                        &mut errors,
                        Err(FieldError::explained(
                            "received_at", Problem::TooOld { years: MAX_AGE_DAYS / 365 },
                            format!("lies more than {} years back: give the time the customer complained", MAX_AGE_DAYS / 365),
                        )),
                    )
                } else {
                    Some(t)
                }
            }
        };
        let mut tags = Vec::new();
        for (i, tag) in self.tags.iter().enumerate() {
            let t = tag.trim();
            if t.is_empty() || t.chars().count() > 32 {
                keep(
                    &mut errors,
                    Err::<(), _>(FieldError::new(
                        &format!("tags[{i}]"),
                        Problem::Length { min: 1, max: 32 },
                    )),
                );
            } else if !tags.iter().any(|x: &String| x == t) {
                tags.push(t.to_owned());
            }
        }
        if tags.len() > 20 {
            keep(
                &mut errors,
                Err::<(), _>(FieldError::new("tags", Problem::TooMany { max: 20 })),
            );
        }

        let referral = match &self.referral {
            None => Some(None),
            Some(r) => match r.parse("referral.", now) {
                Ok(r) => Some(Some(r)),
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            },
        };
        if self.referral.is_some() && self.channel != Channel::ConsumerAssociation {
            errors.push(FieldError::explained("referral", Problem::NotApplicable, "only complaints forwarded by a consumer association (channel consumer_association) have a referral"));
        }
        match (
            referral,
            name,
            phone,
            email,
            order_no,
            tracking_no,
            description,
            received_at,
        ) {
            (
                Some(referral),
                Some(name),
                Some(phone),
                Some(email),
                Some(order_no),
                Some(tracking_no),
                Some(description),
                Some(received_at),
            ) if errors.is_empty() => Ok(Registration {
                channel: self.channel,
                complainant: Complainant { name, phone, email },
                order_no,
                tracking_no,
                category: self.category,
                demand: self.demand,
                description,
                received_at,
                tags,
                priority: self.priority.unwrap_or_default(),
                referral,
                platform: None,
            }),
            _ => Err(Rejection::Invalid(errors)),
        }
    }
}

impl Registration {
    /// Whether `actor` may register complaints.
    pub fn check_actor(actor: &Actor) -> Result<(), Rejection> {
        match actor.role() {
            Some(role) if role.registers_cases() => Ok(()),
            _ => Err(Rejection::Forbidden {
                action: "register",
                actor: actor.kind().to_owned(),
                reason: Some("only agents, supervisors and admins register complaints".into()),
            }),
        }
    }

    /// Whether the customer may file this themselves: only through the public web form.
    pub fn check_customer(&self) -> Result<(), Rejection> {
        if self.channel == Channel::WebForm {
            Ok(())
        } else {
            Err(Rejection::Forbidden {
                action: "register",
                actor: "customer".into(),
                reason: Some("customers file complaints through the web form".into()),
            })
        }
    }

    /// The new case, given the id and daily sequence number the store assigned.
    pub fn into_case(
        &self,
        id: i64,
        daily_seq: i64,
        actor: &Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Case {
        let local_date = now.with_timezone(&policy.zone()).date_naive();
        let mut case = Case {
            id,
            number: case_number(local_date, daily_seq),
            status: CaseStatus::Registered,
            version: 1,
            channel: self.channel,
            category: self.category,
            demand: self.demand,
            description: self.description.clone(),
            order_no: self.order_no.clone(),
            tracking_no: self.tracking_no.clone(),
            tags: self.tags.clone(),
            received_at: self.received_at,
            created_at: now,
            updated_at: now,
            created_by: actor.name().to_owned(),
            assignee: first_owner(actor),
            department: None,
            suggested_department: policy.suggest_department(self.category),
            deadlines: Deadlines::default(),
            validity: None,
            analysis: None,
            options: Vec::new(),
            chosen: None,
            decision: None,
            execution: None,
            follow_up: None,
            closing: None,
            renegotiations: 0,
            steps_done: Vec::new(),
            priority: self.priority,
            status_since: Some(self.received_at),
            responded_at: None,
            pauses: Vec::new(),
            referral: self.referral.clone(),
            appraisal: None,
            merged_into: None,
            platform: self.platform.clone(),
        };
        case.deadlines = crate::sla::deadlines(&case, policy);
        case
    }

    /// The history entry of the registration: what was recorded, without personal data.
    pub fn history_entry(&self, case: &Case) -> Entry {
        Entry::Registered(Registered {
            number: case.number.clone(),
            channel: self.channel,
            category: self.category,
            demand: self.demand,
            order_no: self.order_no.clone(),
            tracking_no: self.tracking_no.clone(),
            received_at: self.received_at,
            suggested_department: case.suggested_department.clone(),
            priority: self.priority,
            referral: self.referral.clone(),
        })
    }
}

/// Whoever registers a case owns it, if they handle cases themselves: an agent or a
/// supervisor. A case the customer filed, a platform sent or the monitor opened waits in the
/// queue of unowned cases until someone claims it or is assigned.
fn first_owner(actor: &Actor) -> Option<String> {
    match actor {
        Actor::Staff {
            username,
            role: Role::Agent | Role::Supervisor,
            ..
        } => Some(username.clone()),
        _ => None,
    }
}

/// A damaged-goods complaint registered by agent amy at 2026-11-23 02:00 UTC under the
/// default policy: the case the rule modules' tests start from.
#[cfg(test)]
pub(crate) fn sample_case() -> Case {
    let t0 = DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "chat", "complainant": {"name": "王小明"},
        "category": "damaged", "demand": "reship", "description": "杯子碎了"
    }))
    .unwrap();
    form.parse(t0).unwrap().into_case(
        1,
        1,
        &Actor::staff("amy", Role::Agent, None),
        t0,
        &Policy::default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(json: serde_json::Value) -> RegistrationForm {
        serde_json::from_value(json).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_complete_form_parses() {
        let r = form(serde_json::json!({
            "channel": "chat", "complainant": {"name": " 王小明 ", "phone": "138 1234 5678"},
            "order_no": "TB20261111001", "category": "damaged", "demand": "reship",
            "description": "收到的杯子碎了", "received_at": "2026-11-23T09:30:00+08:00"
        }))
        .parse(now())
        .unwrap();
        assert_eq!(r.complainant.name.as_str(), "王小明");
        assert_eq!(r.complainant.phone.unwrap().as_str(), "13812345678");
        assert_eq!(r.received_at.to_rfc3339(), "2026-11-23T01:30:00+00:00");
    }

    #[test]
    fn a_complaint_dated_long_ago_is_a_typing_mistake() {
        for when in ["0001-11-23T09:30:00+08:00", "2020-11-23T09:30:00+08:00"] {
            let err = form(serde_json::json!({
                "channel": "chat", "complainant": {"name": "王小明"},
                "category": "damaged", "demand": "reship",
                "description": "杯子碎了", "received_at": when
            }))
            .parse(now())
            .unwrap_err();
            let Rejection::Invalid(errors) = err else {
                panic!("expected invalid")
            };
            assert_eq!(errors[0].field, "received_at", "{when}");
        }
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let err = form(serde_json::json!({
            "channel": "chat", "complainant": {"name": "", "phone": "123"},
            "order_no": "单号!", "category": "damaged", "demand": "reship",
            "description": "  ", "received_at": "2027-01-01T00:00:00+08:00"
        }))
        .parse(now())
        .unwrap_err();
        let Rejection::Invalid(errors) = err else {
            panic!("expected invalid")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "complainant.name",
                "complainant.phone",
                "order_no",
                "description",
                "received_at"
            ]
        );
    }

    #[test]
    fn case_number_uses_the_shop_date() {
        // 17:00 UTC on the 22nd is already the 23rd in Shanghai.
        let late = DateTime::parse_from_rfc3339("2026-11-22T17:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let r = form(serde_json::json!({
            "channel": "phone", "complainant": {"name": "李"},
            "category": "quality", "demand": "exchange", "description": "开线"
        }))
        .parse(late)
        .unwrap();
        let actor = Actor::staff("amy", crate::Role::Agent, None);
        let case = r.into_case(7, 3, &actor, late, &Policy::default());
        assert_eq!(case.number, "KS-20261123-0003");
        assert_eq!(case.suggested_department.unwrap().as_str(), "quality");
    }
}
