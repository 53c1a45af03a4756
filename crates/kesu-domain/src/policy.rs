//! Configurable rules with sensible defaults: who must approve what, where each category
//! is routed, how long a case may take, and the shop's time zone.

use crate::error::{FieldError, Problem, Thing};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::access_policy::AccessPolicy;
use crate::calendar::Calendar;
use crate::case::ResolutionOption;
use crate::codes::{Category, Channel, DepartmentCode, Priority, ResolutionKind};
use crate::logistics::LogisticsPolicy;
use crate::money::Cents;
use crate::sla::SlaRule;

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
            || option.amount_cents.map_or(0, Cents::get) > self.amount_above_cents
    }
}

/// Service levels (see [`crate::sla`]): base targets, rules by channel, category and
/// priority that override them, and when to warn and remind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeadlinePolicy {
    /// Acknowledge within this much working time (default 60).
    pub first_response_minutes: i64,
    /// Resolve within this much working time (default 48).
    pub resolve_hours: i64,
    /// Consumer-association cases must be settled within 15 days of filing.
    pub consumer_association_days: i64,
    /// Each step must be taken within this much working time of the previous (default 24).
    #[serde(default = "default_step_hours")]
    pub step_hours: i64,
    /// Warn when this share of a budget is used (default 75).
    #[serde(default = "default_warn_at_percent")]
    pub warn_at_percent: u32,
    /// After a breach, remind every this much working time until done (default 120).
    #[serde(default = "default_remind_every_minutes")]
    pub remind_every_minutes: i64,
    /// kesu's own deadline for a platform's after-sales request comes this long before the
    /// platform's (default 120): the breach escalates while there is still time to answer.
    #[serde(default = "default_platform_margin_minutes")]
    pub platform_margin_minutes: i64,
    /// A refund agreed before the goods shipped goes out within this many hours of the
    /// approval (the shop's own promise; default 24).
    #[serde(default = "default_refund_before_shipping_hours")]
    pub refund_before_shipping_hours: i64,
    /// A refund after the goods came back goes out within this many days of receiving them:
    /// at most 7 (消费者权益保护法 Art. 25; 网络购买商品七日无理由退货暂行办法 Art. 13).
    #[serde(default = "default_refund_after_return_days")]
    pub refund_after_return_days: i64,
    /// Overrides by channel, category and priority; the most specific wins.
    #[serde(default)]
    pub rules: Vec<SlaRule>,
}

fn default_refund_before_shipping_hours() -> i64 {
    24
}

fn default_refund_after_return_days() -> i64 {
    7
}

fn default_step_hours() -> i64 {
    24
}

fn default_warn_at_percent() -> u32 {
    75
}

fn default_remind_every_minutes() -> i64 {
    120
}

fn default_platform_margin_minutes() -> i64 {
    120
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        DeadlinePolicy {
            first_response_minutes: 60,
            resolve_hours: 48,
            consumer_association_days: 15,
            step_hours: default_step_hours(),
            warn_at_percent: default_warn_at_percent(),
            remind_every_minutes: default_remind_every_minutes(),
            platform_margin_minutes: default_platform_margin_minutes(),
            refund_before_shipping_hours: default_refund_before_shipping_hours(),
            refund_after_return_days: default_refund_after_return_days(),
            rules: vec![
                // E-mail is answered within a working half-day, resolved within three days.
                SlaRule {
                    channel: Some(Channel::Email),
                    first_response_minutes: Some(240),
                    resolve_hours: Some(72),
                    ..SlaRule::default()
                },
                SlaRule {
                    priority: Some(Priority::High),
                    first_response_minutes: Some(30),
                    resolve_hours: Some(24),
                    ..SlaRule::default()
                },
                SlaRule {
                    priority: Some(Priority::Urgent),
                    first_response_minutes: Some(15),
                    step_hours: Some(4),
                    resolve_hours: Some(12),
                    ..SlaRule::default()
                },
            ],
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
    /// When a silent parcel becomes a logistics exception.
    #[serde(default)]
    pub logistics: LogisticsPolicy,
    /// Sessions, second factors, customer links.
    #[serde(default)]
    pub access: AccessPolicy,
    /// Where the shop is registered (省市区 and street): the consumer association that
    /// handles complaints against it follows from it (seed 001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shop_address: Option<String>,
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
            logistics: LogisticsPolicy::default(),
            access: AccessPolicy::default(),
            shop_address: None,
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
                Problem::Negative,
            ));
        }
        for (category, dept) in &self.routing {
            if !departments.contains(dept) {
                errors.push(FieldError::new(
                    &format!("routing.{category}"),
                    Problem::Unknown {
                        thing: Thing::Department,
                        value: dept.to_string(),
                    },
                ));
            }
        }
        let d = &self.deadlines;
        if d.first_response_minutes <= 0
            || d.resolve_hours <= 0
            || d.consumer_association_days <= 0
            || d.step_hours <= 0
            || d.remind_every_minutes <= 0
            || d.platform_margin_minutes <= 0
        {
            errors.push(FieldError::explained(
                "deadlines",
                Problem::AtLeast { min: 1 },
                "every duration must be positive",
            ));
        }
        if !(1..=720).contains(&d.refund_before_shipping_hours) {
            errors.push(FieldError::new(
                "deadlines.refund_before_shipping_hours",
                Problem::Range { min: 1, max: 720 },
            ));
        }
        if !(1..=7).contains(&d.refund_after_return_days) {
            errors.push(FieldError::explained(
                "deadlines.refund_after_return_days",
                Problem::Range { min: 1, max: 7 },
                "the law allows at most 7 days from receiving the goods back (Order 90 Art. 13)",
            ));
        }
        if !(1..=99).contains(&d.warn_at_percent) {
            errors.push(FieldError::new(
                "deadlines.warn_at_percent",
                Problem::Range { min: 1, max: 99 },
            ));
        }
        for (i, rule) in d.rules.iter().enumerate() {
            errors.append(&mut rule.validate(&format!("deadlines.rules[{i}]")));
        }
        errors.append(&mut self.logistics.validate());
        errors.append(&mut self.access.validate());
        if let Err(mut e) = self.calendar.validate() {
            errors.append(&mut e);
        }
        if let Some(a) = &self.shop_address {
            if crate::jurisdiction_place::place_of(a).is_none() {
                errors.push(FieldError::explained(
                    "shop_address",
                    Problem::Format,
                    "name the province, city and county: 浙江省杭州市西湖区文三路100号",
                ));
            }
        }
        if self.time_zone.parse::<chrono_tz::Tz>().is_err() {
            errors.push(FieldError::explained(
                "time_zone",
                Problem::Format,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    fn option(kind: ResolutionKind, amount: Option<i64>) -> ResolutionOption {
        ResolutionOption {
            kind,
            amount_cents: amount.map(Cents::new),
            note: None,
            lines: Vec::new(),
            include_shipping: false,
            goodwill: Vec::new(),
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
