use super::*;
use crate::reply_check::{check, Purpose, Reply, ReplyRules};

fn template(body: &str) -> ReplyTemplate {
    ReplyTemplate {
        id: "t".into(),
        scenario: Scenario::Progress,
        category: None,
        language: Language::Zh,
        title: "进度".into(),
        body: body.into(),
    }
}

#[test]
fn variables_are_filled_and_the_missing_ones_are_marked_for_the_agent() {
    let mut values = Values::new();
    values.insert("customer_name", "王女士".into());
    values.insert("order_no", "TB2026001".into());
    let r = render(
        &template("{customer_name}您好，订单 {order_no} 的快递 {tracking_no} 已催，{tracking_no}"),
        &values,
    );
    assert_eq!(
        r.text,
        "王女士您好，订单 TB2026001 的快递 【快递单号】 已催，【快递单号】"
    );
    assert_eq!(r.missing, ["tracking_no"]);
}

#[test]
fn an_admin_is_told_which_field_is_wrong() {
    let field = |t: ReplyTemplate| t.validate().unwrap_err().field;
    assert_eq!(field(template("订单 {order_number}")), "body");
    assert_eq!(field(template("订单 {order_no")), "body");
    assert_eq!(field(template("订单 order_no}")), "body");
    assert_eq!(field(template("  ")), "body");
    assert_eq!(
        field(ReplyTemplate {
            id: "Has Space".into(),
            ..template("好")
        }),
        "id"
    );
    assert_eq!(
        field(ReplyTemplate {
            title: " ".into(),
            ..template("好")
        }),
        "title"
    );
    assert!(template("{customer_name}您好").validate().is_ok());
    let err = template("{order_number}").validate().unwrap_err();
    assert!(
        err.message.contains("order_no"),
        "lists the known ones: {}",
        err.message
    );
}

#[test]
fn the_built_in_library_is_valid_and_passes_the_reply_checker() {
    let library = builtin();
    let mut ids = std::collections::BTreeSet::new();
    for t in &library {
        t.validate().unwrap_or_else(|e| panic!("{}: {e:?}", t.id));
        assert!(ids.insert(t.id.clone()), "duplicate id {}", t.id);
        // Filled with plausible values, no built-in script may trip the platform rules.
        let values: Values = VARIABLES
            .iter()
            .map(|(v, _, _)| (*v, format!("{v}值")))
            .collect();
        let text = render(t, &values).text;
        let purpose = match t.scenario {
            Scenario::FirstReply => Purpose::FirstReply,
            Scenario::Closing => Purpose::Closing,
            _ => Purpose::Reply,
        };
        let findings = check(
            &ReplyRules::builtin(),
            &Reply {
                text: &text,
                channel: Some(crate::codes::Channel::Platform),
                purpose,
                personal: vec![],
            },
        );
        assert!(
            findings.is_empty() || t.language == Language::En,
            "{}: {findings:?}",
            t.id
        );
    }
    // Every scenario has a Chinese script, every category a Chinese first reply of its own.
    for s in Scenario::ALL {
        assert!(
            library
                .iter()
                .any(|t| t.scenario == s && t.language == Language::Zh),
            "{s:?}"
        );
    }
    for c in Category::ALL.iter().filter(|c| **c != Category::Other) {
        let t = first_reply_for(&library, *c, Language::Zh).unwrap();
        assert_eq!(t.category, Some(*c), "{c:?}");
    }
    assert_eq!(
        first_reply_for(&library, Category::Other, Language::Zh)
            .unwrap()
            .id,
        "first-general"
    );
}

/// Seed 003: the closing reply gives the customer a tip against the problem happening again,
/// one fitting the complaint's category, offered before the general thanks.
#[test]
fn the_closing_reply_of_each_goods_category_carries_its_prevention_tip_first() {
    let library = builtin();
    for category in Category::ALL
        .iter()
        .copied()
        .filter(|c| !matches!(c, Category::Service | Category::Other))
    {
        let form: crate::registration::RegistrationForm =
            serde_json::from_value(serde_json::json!({
                "channel": "chat", "complainant": {"name": "王小明", "phone": "13812345678"},
                "category": category.code(), "demand": "reship", "description": "……"
            }))
            .unwrap();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let agent = crate::role::Actor::staff("amy", crate::role::Role::Agent, None);
        let mut case =
            form.parse(at)
                .unwrap()
                .into_case(1, 1, &agent, at, &crate::Policy::default());
        case.status = CaseStatus::Closed;
        let offered = suitable(&library, &case, Language::Zh);
        let first = offered.first().expect("a closing script");
        assert_eq!(first.scenario, Scenario::Closing, "{category:?}");
        assert_eq!(first.category, Some(category), "{category:?}");
        assert!(first.body.contains("温馨提示"), "{}", first.id);
    }
}
