//! Configurable rules with sensible defaults: who must approve what, where each category
//! is routed, how long a case may take, and the shop's time zone.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::case::{Deadlines, ResolutionOption};
use crate::codes::{Category, Channel, DepartmentCode, ResolutionKind};
use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApprovalPolicy {
    /// A chosen option whose amount is above this needs a supervisor (default 20000 = ¥200).
    pub amount_above_cents: i64,
    /// Kinds that always need a supervisor, whatever the amount (default: compensation).
    pub always_for: Vec<ResolutionKind>,
}

impl Default for ApprovalPolicy {
    fn default() -> Self {
        ApprovalPolicy {
            amount_above_cents: 20_000,
            always_for: vec![ResolutionKind::Compensation],
        }
    }
}

impl ApprovalPolicy {
    pub fn needs_approval(&self, option: &ResolutionOption) -> bool {
        self.always_for.contains(&option.kind)
            || option.amount_cents.unwrap_or(0) > self.amount_above_cents
    }
}

/// Placeholder deadlines until the SLA engine exists: hours from receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeadlinePolicy {
    pub first_response_minutes: i64,
    pub resolve_hours: i64,
    /// Consumer-association cases must be settled within 15 days of filing.
    pub consumer_association_days: i64,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            first_response_minutes: 60,
            resolve_hours: 48,
            consumer_association_days: 15,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub approval: ApprovalPolicy,
    /// Category → suggested department.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, String>))]
    pub routing: BTreeMap<Category, DepartmentCode>,
    pub deadlines: DeadlinePolicy,
    /// IANA zone used for case numbers and for showing times (default Asia/Shanghai).
    pub time_zone: String,
    /// When deadlines run: working hours, holidays, make-up days (default 24×7).
    #[serde(default)]
    pub calendar: Calendar,
}

impl Default for Policy {
    fn default() -> Self {
        let dept = |c: &str| DepartmentCode::parse(c).expect("default department codes are valid");
        let routing = [
            (Category::Logistics, "logistics"),
            (Category::Damaged, "logistics"),
            (Category::WrongItem, "logistics"),
            (Category::Quality, "quality"),
            (Category::NotAsDescribed, "quality"),
            (Category::Price, "operations"),
            (Category::Refund, "service"),
            (Category::Service, "service"),
            (Category::Other, "service"),
        ]
        .into_iter()
        .map(|(c, d)| (c, dept(d)))
        .collect();
        Policy {
            approval: ApprovalPolicy::default(),
            routing,
            deadlines: DeadlinePolicy::default(),
            time_zone: "Asia/Shanghai".to_owned(),
            calendar: Calendar::default(),
        }
    }
}

impl Policy {
    /// Checks values an admin submits; `departments` are the ones that exist.
    pub fn validate(&self, departments: &[DepartmentCode]) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.approval.amount_above_cents < 0 {
            errors.push(FieldError::new(
                "approval.amount_above_cents",
                "must not be negative",
            ));
        }
        for (category, dept) in &self.routing {
            if !departments.contains(dept) {
                errors.push(FieldError::new(
                    &format!("routing.{category}"),
                    format!("unknown department `{dept}`"),
                ));
            }
        }
        let d = &self.deadlines;
        if d.first_response_minutes <= 0 || d.resolve_hours <= 0 || d.consumer_association_days <= 0
        {
            errors.push(FieldError::new(
                "deadlines",
                "every duration must be positive",
            ));
        }
        if let Err(mut e) = self.calendar.validate() {
            errors.append(&mut e);
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(FieldError::new(
                "time_zone",
                "is not an IANA time zone such as Asia/Shanghai",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Asia::Shanghai)
    }

    pub fn suggest_department(&self, category: Category) -> Option<DepartmentCode> {
        self.routing.get(&category).cloned()
    }

    /// Deadlines from receipt: response and resolution in working time of the calendar;
    /// consumer-association cases get calendar days from filing, as the law counts them.
    pub fn initial_deadlines(&self, channel: Channel, received_at: DateTime<Utc>) -> Deadlines {
        let d = &self.deadlines;
        let zone = self.zone();
        let working = |budget: Duration| self.calendar.add_working(&zone, received_at, budget);
        let resolve_by = if channel == Channel::ConsumerAssociation {
            Some(received_at + Duration::days(d.consumer_association_days))
        } else {
            working(Duration::hours(d.resolve_hours))
        };
        Deadlines {
            first_response_by: working(Duration::minutes(d.first_response_minutes)),
            resolve_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(kind: ResolutionKind, amount: Option<i64>) -> ResolutionOption {
        ResolutionOption {
            kind,
            amount_cents: amount,
            note: None,
            lines: Vec::new(),
            include_shipping: false,
        }
    }

    #[test]
    fn default_approval_is_amount_above_200_yuan_and_every_compensation() {
        let p = ApprovalPolicy::default();
        assert!(!p.needs_approval(&option(ResolutionKind::PartialRefund, Some(20_000))));
        assert!(p.needs_approval(&option(ResolutionKind::PartialRefund, Some(20_001))));
        assert!(p.needs_approval(&option(ResolutionKind::Compensation, Some(1))));
        assert!(!p.needs_approval(&option(ResolutionKind::Apology, None)));
    }

    #[test]
    fn every_category_has_a_default_department() {
        let p = Policy::default();
        for c in Category::ALL {
            assert!(p.suggest_department(*c).is_some(), "{c}");
        }
        let known: Vec<_> = crate::codes::DEFAULT_DEPARTMENTS
            .iter()
            .map(|(c, _)| DepartmentCode::parse(c).unwrap())
            .collect();
        assert_eq!(p.validate(&known), Ok(()));
    }

    #[test]
    fn consumer_association_cases_get_fifteen_days() {
        let p = Policy::default();
        let t = DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let d = p.initial_deadlines(Channel::ConsumerAssociation, t);
        assert_eq!(d.resolve_by, Some(t + Duration::days(15)));
        let d = p.initial_deadlines(Channel::Platform, t);
        assert_eq!(d.resolve_by, Some(t + Duration::hours(48)));
        assert_eq!(d.first_response_by, Some(t + Duration::hours(1)));
    }

    #[test]
    fn deadlines_run_in_working_time_of_the_calendar() {
        let p = Policy {
            calendar: Calendar::office_hours(9, 18),
            ..Policy::default()
        };
        // Friday 17:30 Shanghai: the first response is due Monday 9:30; resolution (48
        // working hours): ½ h Friday, 5 × 9 h to the next Friday, 2½ h → Monday 30th 11:30.
        let t = DateTime::parse_from_rfc3339("2026-11-20T17:30:00+08:00")
            .unwrap()
            .with_timezone(&Utc);
        let d = p.initial_deadlines(Channel::Chat, t);
        assert_eq!(
            d.first_response_by.unwrap().to_rfc3339(),
            "2026-11-23T01:30:00+00:00"
        );
        assert_eq!(
            d.resolve_by.unwrap().to_rfc3339(),
            "2026-11-30T03:30:00+00:00"
        );
    }

    #[test]
    fn bad_policy_values_name_their_field() {
        let mut p = Policy::default();
        p.approval.amount_above_cents = -1;
        p.time_zone = "Mars/Olympus".into();
        let errs = p.validate(&[]).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"approval.amount_above_cents"));
        assert!(fields.contains(&"time_zone"));
        assert!(fields.contains(&"routing.logistics"));
    }
}
