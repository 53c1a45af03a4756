use std::collections::BTreeSet;

use kesu_domain::error::{Ask, Problem, Thing};
use kesu_domain::FieldError;

use super::*;

const FILES: [&str; 3] = ["workbench.ftl", "labels.ftl", "problems.ftl"];

fn keys(lang: &str, file: &str) -> BTreeSet<String> {
    let path = format!("{}/locales/{lang}/{file}", env!("CARGO_MANIFEST_DIR"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let resource = fluent_syntax::parser::parse(source.as_str())
        .unwrap_or_else(|(_, errors)| panic!("{path} does not parse: {errors:?}"));
    let mut keys = BTreeSet::new();
    for entry in resource.body {
        if let fluent_syntax::ast::Entry::Message(m) = entry {
            assert!(
                keys.insert(m.id.name.to_owned()),
                "{path}: `{}` twice",
                m.id.name
            );
        }
    }
    keys
}

#[test]
fn every_exception_has_its_playbook_in_both_languages() {
    for kind in kesu_domain::logistics::ExceptionKind::ALL {
        for lang in Lang::ALL {
            assert!(lang.playbook(*kind).len() > 10, "{lang:?}: {kind:?}");
        }
    }
}

#[test]
fn every_payment_method_the_workbench_offers_has_a_name() {
    use kesu_domain::order::{PAYMENT_METHODS, REFUND_METHODS};
    for code in PAYMENT_METHODS.iter().chain(REFUND_METHODS) {
        for lang in Lang::ALL {
            assert_ne!(lang.payment(code), *code, "{lang:?}: {code}");
        }
    }
    assert_eq!(Lang::Zh.payment("wechat_pay"), "微信支付");
    assert_eq!(Lang::Zh.payment("acme_pay"), "acme_pay");
}

#[test]
fn every_key_exists_in_chinese_and_in_english() {
    for file in FILES {
        let zh = keys("zh-CN", file);
        let en = keys("en", file);
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "{file}: only in zh-CN: {only_zh:?}");
        assert!(only_en.is_empty(), "{file}: only in en: {only_en:?}");
        assert!(zh.len() > 10, "{file} is nearly empty");
    }
}

#[test]
fn every_code_has_a_label_in_both_languages() {
    let zh = keys("zh-CN", "labels.ftl");
    let missing: Vec<_> = labels::every_key()
        .into_iter()
        .filter(|k| !zh.contains(k))
        .collect();
    assert!(missing.is_empty(), "codes without a label: {missing:?}");
    assert_eq!(
        Lang::Zh.label(kesu_domain::codes::Channel::WebForm),
        "网页表单"
    );
    assert_eq!(
        Lang::En.label(kesu_domain::codes::Channel::WebForm),
        "Web form"
    );
    assert_eq!(Lang::Zh.carrier("yto"), "圆通速递");
    assert_eq!(Lang::Zh.carrier("YTO"), "圆通速递");
    assert_eq!(Lang::Zh.carrier("acme"), "acme");
    assert_eq!(Lang::Zh.action("register"), "登记投诉");
    assert_eq!(
        Lang::Zh.action("inspect"),
        Lang::Zh.label(kesu_domain::fulfilment::Step::Inspect)
    );
}

/// One problem of every kind; the match has no wildcard, so a new kind fails to compile
/// here until it is listed (and then the test asks for its words).
fn every_problem() -> Vec<Problem> {
    let all = vec![
        Problem::Empty,
        Problem::Required,
        Problem::TooLong { max: 5 },
        Problem::Length { min: 1, max: 5 },
        Problem::Range { min: 1, max: 5 },
        Problem::Negative,
        Problem::AtLeast { min: 1 },
        Problem::TooMany { max: 5 },
        Problem::NotAPhone,
        Problem::NotAnEmail,
        Problem::ControlCharacter,
        Problem::InFuture,
        Problem::NotInFuture,
        Problem::TooOld { years: 2 },
        Problem::NotADate,
        Problem::Characters,
        Problem::Format,
        Problem::NotOneOf {
            allowed: "a, b".into(),
        },
        Problem::Unknown {
            thing: Thing::Line,
            value: "L9".into(),
        },
        Problem::UnknownVariable {
            name: "x".into(),
            known: "order_no".into(),
        },
        Problem::Twice { value: "L1".into() },
        Problem::Before {
            other: "from".into(),
        },
        Problem::NotApplicable,
        Problem::Explain(Ask::Summary),
        Problem::OverRefundable { left_cents: 1250 },
        Problem::NothingLeft,
        Problem::QuoteMismatch { quote_cents: 990 },
        Problem::AlreadyShipped { line: "L1".into() },
        Problem::GoodsNotBack {
            why: "yto YT1 in_transit".into(),
        },
        Problem::AlreadyRefunded,
        Problem::OrderInconsistent,
        Problem::NoOrder,
        Problem::NoChoice,
        Problem::ReplyBlocked {
            findings: "「亲」".into(),
        },
        Problem::Invalid,
    ];
    for p in &all {
        match p {
            Problem::Empty
            | Problem::Required
            | Problem::TooLong { .. }
            | Problem::Length { .. }
            | Problem::Range { .. }
            | Problem::Negative
            | Problem::AtLeast { .. }
            | Problem::TooMany { .. }
            | Problem::NotAPhone
            | Problem::NotAnEmail
            | Problem::ControlCharacter
            | Problem::InFuture
            | Problem::NotInFuture
            | Problem::TooOld { .. }
            | Problem::NotADate
            | Problem::Characters
            | Problem::Format
            | Problem::NotOneOf { .. }
            | Problem::Unknown { .. }
            | Problem::UnknownVariable { .. }
            | Problem::Twice { .. }
            | Problem::Before { .. }
            | Problem::NotApplicable
            | Problem::Explain(_)
            | Problem::OverRefundable { .. }
            | Problem::NothingLeft
            | Problem::QuoteMismatch { .. }
            | Problem::AlreadyShipped { .. }
            | Problem::GoodsNotBack { .. }
            | Problem::AlreadyRefunded
            | Problem::OrderInconsistent
            | Problem::NoOrder
            | Problem::NoChoice
            | Problem::ReplyBlocked { .. }
            | Problem::Invalid => {}
        }
    }
    all
}

#[test]
fn every_problem_code_is_worded_in_both_languages_from_its_code() {
    let defined = keys("zh-CN", "problems.ftl");
    for lang in Lang::ALL {
        for p in every_problem() {
            let key = format!("problem-{}", p.code());
            assert!(defined.contains(&key), "{key}");
            // The words come from the file, not from the English message.
            let e = FieldError::explained("", p.clone(), "ENGLISH TEXT");
            let said = problem(lang, &e);
            assert!(!said.contains("ENGLISH TEXT"), "{lang:?} {key}: {said}");
            assert!(
                !said.contains('{'),
                "{lang:?} {key} left a placeholder: {said}"
            );
        }
    }
}

#[test]
fn every_ask_and_thing_has_its_own_words() {
    let asks = [
        Ask::WhyInvalid,
        Ask::WhyRejected,
        Ask::WhatWasDone,
        Ask::Summary,
        Ask::AcceptableUnits,
        Ask::WhereTheParcelIs,
        Ask::WhatTheCustomerIsAsked,
        Ask::WhatTheCarrierPaid,
        Ask::WhatWasWrong,
        Ask::Evidence,
        Ask::AnOption,
        Ask::Contact,
        Ask::Amount,
        Ask::AppraisalPayer,
        Ask::Target,
        Ask::Readback,
    ];
    let things = [
        Thing::Line,
        Thing::Department,
        Thing::User,
        Thing::Case,
        Thing::Field,
        Thing::Category,
    ];
    for lang in Lang::ALL {
        let fallback = lang
            .format("problem-explain", &[("what", Value::Text("no_such_ask"))])
            .unwrap();
        let mut seen = BTreeSet::new();
        for a in asks {
            let said = problem(lang, &FieldError::new("", Problem::Explain(a)));
            assert_ne!(said, fallback, "{lang:?}: {} has no words", a.code());
            assert!(seen.insert(said), "{lang:?}: {} shares its words", a.code());
        }
        let fallback = lang
            .format(
                "problem-unknown",
                &[
                    ("thing", Value::Text("no_such")),
                    ("value", Value::Text("x")),
                ],
            )
            .unwrap();
        for t in things {
            let p = Problem::Unknown {
                thing: t,
                value: "x".into(),
            };
            assert_ne!(
                problem(lang, &FieldError::new("", p)),
                fallback,
                "{lang:?}: {}",
                t.code()
            );
        }
    }
}

#[test]
fn problems_read_naturally_with_their_arguments() {
    let e = FieldError::new("complainant.phone", Problem::NotAPhone);
    assert_eq!(
        problem(Lang::Zh, &e),
        "联系电话：不是有效的电话号码：请填写11位手机号或带区号的座机号"
    );
    let e = FieldError::new("description", Problem::TooLong { max: 2000 });
    assert_eq!(
        problem(Lang::Zh, &e),
        "投诉内容：内容过长：最多 2000 个字符"
    );
    assert_eq!(
        problem(Lang::En, &e),
        "Complaint: is too long: at most 2000 characters"
    );
    let e = FieldError::new(
        "amount_cents",
        Problem::OverRefundable { left_cents: 12950 },
    );
    assert!(
        problem(Lang::Zh, &e).ends_with("最多还可退 ¥129.50"),
        "{}",
        problem(Lang::Zh, &e)
    );
    assert_eq!(
        request_problem(Lang::Zh, "stale_version"),
        Some("案件已被他人更新，请刷新页面后重试")
    );
    assert_eq!(request_problem(Lang::Zh, "no_such_code"), None);
}

#[test]
fn texts_without_a_key_show_the_key_and_do_not_grow_the_table() {
    assert_eq!(Lang::Zh.t("no_such_key_anywhere"), "no_such_key_anywhere");
    for i in 0..100 {
        assert_eq!(Lang::Zh.carrier(&format!("x{i}")), format!("x{i}"));
    }
    let table = PLAIN[Lang::Zh as usize].read().unwrap();
    assert!(!table.keys().any(|k| k.starts_with("carrier-x")));
}
