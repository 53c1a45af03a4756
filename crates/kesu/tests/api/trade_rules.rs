//! The rules of the trade on a real server: seven-day no-reason returns (消费者权益保护法
//! Art. 25; 网络购买商品七日无理由退货暂行办法 Art. 6–8) from the signing time the shop or the
//! carrier gives, and the goodwill exception a supervisor approves.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, fields, page_text, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_signing_time_before_payment_is_refused_and_nothing_stored,
    a_return_outside_the_seven_days_is_a_goodwill_exception_a_supervisor_approves,
    the_carriers_delivered_event_starts_the_seven_days_and_the_case_page_shows_them,
    product_flags_are_set_on_lines_that_exist_and_survive_a_new_version_of_the_order,
    paid_orders_about_to_miss_their_shipping_promise_are_on_the_board,
    the_party_at_fault_pays_the_return_freight_and_insurance_covers_a_change_of_mind,
    a_consumer_association_case_names_the_association_that_handles_it,
    a_bad_review_is_recovered_and_explained_never_paid_for,
);

/// Line A (a sweater, 5000) may go back; line B (fresh fruit, 3000) is perishable.
/// Signed on 20 November at 10:00 (Shanghai): the seven days are 21–27 November, so the
/// return may be asked for until 28 November 00:00. The test clock stands at 23 November.
fn order(signed_at: Option<&str>) -> Value {
    let mut shipment = json!({"carrier": "sf", "tracking_no": "SF7001", "shipped_at": "2026-11-18T18:00:00+08:00",
                              "lines": [{"line_id": "A", "quantity": 1}, {"line_id": "B", "quantity": 1}]});
    if let Some(t) = signed_at {
        shipment["signed_at"] = json!(t);
    }
    json!({
        "shop": "旗舰店", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-18T09:00:00+08:00", "paid_at": "2026-11-18T09:01:00+08:00",
        "lines": [{"line_id": "A", "name": "羊毛衫", "unit_price_cents": 5000, "quantity": 1},
                  {"line_id": "B", "name": "车厘子", "unit_price_cents": 3000, "quantity": 1, "flags": ["perishable"]}],
        "shipments": [shipment]
    })
}

async fn a_signing_time_before_payment_is_refused_and_nothing_stored(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .put_order(
            &agent,
            "TB20261111001",
            &order(Some("2026-11-17T10:00:00+08:00")),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["shipments[0].signed_at"], "{p}");
    let mut bad = order(None);
    bad["lines"][1]["flags"] = json!(["fragile"]);
    let r = app.put_order(&agent, "TB20261111001", &bad).await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        p["detail"].as_str().unwrap().contains("flags") || fields(&p)[0].contains("flags"),
        "{p}"
    );
    // Paid 8000 in all (5000 + 3000): payments of 7000 do not account for it.
    let mut split = order(None);
    split["payments"] = json!([{"method": "alipay", "amount_cents": 5000},
                               {"method": "huabei", "amount_cents": 2000}]);
    let r = app.put_order(&agent, "TB20261111001", &split).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["payments"]
    );
    let r = app.get(&agent, "/api/v1/orders/TB20261111001").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Once they add up, the quote sends the money back the way it came.
    split["payments"][1]["amount_cents"] = json!(3000);
    assert!(app
        .put_order(&agent, "TB20261111001", &split)
        .await
        .status()
        .is_success());
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    let quote: Value = app
        .post(
            &agent,
            "/api/v1/refunds/quote",
            &json!({"order": {"lines": o["lines"], "payments": o["payments"]},
              "request": {"lines": [{"line_id": "A", "quantity": 1}]}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        quote["payments"],
        json!([{"method": "alipay", "cash_cents": 5000}]),
        "{quote}"
    );
}

/// Brings a complaint about the order to `analysed` with the customer liable (a change of
/// mind: a no-reason return).
async fn analysed(app: &TestApp, agent: &str) -> i64 {
    let dept = app.user("wu", "department", Some("logistics")).await;
    let id = app.register(agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.act_ok(&dept, id, json!({"action": "analyse", "liability": "customer", "root_cause": "customer", "findings": "顾客不想要了"})).await;
    id
}

async fn a_return_outside_the_seven_days_is_a_goodwill_exception_a_supervisor_approves(
    app: TestApp,
) {
    let agent = app.user("amy", "agent", None).await;
    let supervisor = app.user("sam", "supervisor", None).await;
    let r = app
        .put_order(
            &agent,
            "TB20261111001",
            &order(Some("2026-11-20T10:00:00+08:00")),
        )
        .await;
    assert!(r.status().is_success());
    let id = analysed(&app, &agent).await;
    let c = app
        .act_ok(
            &agent,
            id,
            json!({"action": "propose", "options": [
                {"kind": "return_refund", "lines": [{"line_id": "A", "quantity": 1}]},
                {"kind": "return_refund", "lines": [{"line_id": "B", "quantity": 1}]}
            ]}),
        )
        .await;
    // Within the seven days: nothing to except. Fresh fruit: excluded by Art. 25 (2).
    assert!(c["options"][0].get("goodwill").is_none(), "{c}");
    assert_eq!(
        c["options"][1]["goodwill"],
        json!([{"line_id": "B", "reason": "excluded_perishable"}])
    );
    // The customer insists; the shop may accept, but only a supervisor, and saying why.
    let c = app
        .act_ok(&agent, id, json!({"action": "choose", "option": 1}))
        .await;
    assert_eq!(
        c["status"], "awaiting_approval",
        "a 3000-cent return would not need approval otherwise"
    );
    let r = app.act(&supervisor, id, json!({"action": "approve"})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["comment"]
    );
    let c = app
        .act_ok(
            &supervisor,
            id,
            json!({"action": "approve", "comment": "老顾客，车厘子未拆封，破例接受退货"}),
        )
        .await;
    assert_eq!(c["status"], "approved");
    let approve = app
        .history(&agent, id)
        .await
        .into_iter()
        .find(|e| e["action"] == "approve")
        .unwrap();
    assert_eq!(approve["data"]["goodwill"], true, "{approve}");

    // The same return of the sweater, within the seven days, goes through without a supervisor.
    let second = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(&agent, second, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &agent,
        second,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    let dept = app.token("wu", "pass-word-1").await;
    app.act_ok(&dept, second, json!({"action": "analyse", "liability": "customer", "root_cause": "customer", "findings": "尺码不合适"})).await;
    app.act_ok(&agent, second, json!({"action": "propose", "options": [{"kind": "return_refund", "lines": [{"line_id": "A", "quantity": 1}]}]})).await;
    let c = app
        .act_ok(&agent, second, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(c["status"], "approved");
}

async fn the_carriers_delivered_event_starts_the_seven_days_and_the_case_page_shows_them(
    app: TestApp,
) {
    let agent = app.user("amy", "agent", None).await;
    let r = app.put_order(&agent, "TB20261111001", &order(None)).await;
    assert!(r.status().is_success());
    // Signed for on 14 November at 12:00: the seven days ended on 22 November at 00:00.
    for (at, status) in [
        ("2026-11-14T12:00:00+08:00", "delivered"),
        ("2026-11-13T08:00:00+08:00", "in_transit"),
    ] {
        let r = app
            .post(
                &agent,
                "/api/v1/tracking/events",
                &json!({"carrier": "sf", "tracking_no": "SF7001", "at": at, "status": status}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        o["shipments"][0]["signed_at"]
            .as_str()
            .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap()),
        Some(chrono::DateTime::parse_from_rfc3339("2026-11-14T12:00:00+08:00").unwrap()),
        "{o}"
    );
    // Stored again by the shop without a signing time, the carrier's is kept.
    assert!(app
        .put_order(&agent, "TB20261111001", &order(None))
        .await
        .status()
        .is_success());
    let id = analysed(&app, &agent).await;
    let c = app
        .act_ok(&agent, id, json!({"action": "propose", "options": [{"kind": "return_refund", "lines": [{"line_id": "A", "quantity": 1}]}]}))
        .await;
    assert_eq!(
        c["options"][0]["goodwill"],
        json!([{"line_id": "A", "reason": "expired"}])
    );
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(page.contains("七天无理由退货"), "{page}");
    assert!(
        page.contains("七天期限已届满，截止于 2026-11-22 00:00"),
        "the sweater's seven days ended at midnight after 21 November"
    );
    assert!(
        page.contains("不适用七天无理由：鲜活易腐"),
        "the fruit is excluded"
    );
    assert!(page.contains("第二十五条"), "the article is cited");
    assert!(page.contains("善意例外"), "the option is marked");
}

async fn product_flags_are_set_on_lines_that_exist_and_survive_a_new_version_of_the_order(
    app: TestApp,
) {
    let agent = app.user("amy", "agent", None).await;
    let mut plain = order(None);
    plain["lines"][1].as_object_mut().unwrap().remove("flags");
    assert!(app
        .put_order(&agent, "TB20261111001", &plain)
        .await
        .status()
        .is_success());
    let url = "/api/v1/orders/TB20261111001/flags";
    // A flag on a line the order does not have, or an unknown flag: refused, nothing stored.
    let r = app
        .put(
            &agent,
            url,
            &json!({"lines": [{"line_id": "A", "flags": ["made_to_order"]},
                              {"line_id": "Z", "flags": ["perishable"]}]}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["lines[1].line_id"]
    );
    let r = app
        .put(
            &agent,
            url,
            &json!({"lines": [{"line_id": "B", "flags": ["fragile"]}]}),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert!(o["lines"][0].get("flags").is_none(), "{o}");
    let r = app
        .put(
            &agent,
            url,
            &json!({"lines": [{"line_id": "B", "flags": ["perishable"]}]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // The platform sends the order again, knowing nothing of flags: they stay.
    assert!(app
        .put_order(&agent, "TB20261111001", &plain)
        .await
        .status()
        .is_success());
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["lines"][1]["flags"], json!(["perishable"]), "{o}");
    let r = app
        .put(
            &agent,
            "/api/v1/orders/NOPE1/flags",
            &json!({"lines": [{"line_id": "A", "flags": []}]}),
        )
        .await;
    problem(r, StatusCode::NOT_FOUND).await;
    let dept = app.user("wu", "department", Some("logistics")).await;
    let r = app
        .put(
            &dept,
            "/api/v1/orders/TB20261111001/flags",
            &json!({"lines": [{"line_id": "A", "flags": []}]}),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
}

/// The clock stands at 10:00 on 23 November. Promises: 48 hours, the 拼多多店 24, warned 12
/// hours ahead.
async fn paid_orders_about_to_miss_their_shipping_promise_are_on_the_board(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let mut policy: Value = app
        .get(&admin, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    policy["logistics"]["shipping"] = json!({"hours": 48, "warn_hours": 12,
        "by_shop": [{"shop": "拼多多店", "hours": 24}]});
    let r = app.put(&admin, "/api/v1/policy", &policy).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let paid = |shop: &str, at: &str| {
        json!({"shop": shop, "buyer": {"name": "王小明"}, "placed_at": at, "paid_at": at,
               "lines": [{"line_id": "A", "unit_price_cents": 5000, "quantity": 1}]})
    };
    let orders = [
        ("TB1LATE", "旗舰店", "2026-11-21T09:00:00+08:00"), // due 23rd 09:00: an hour late
        ("TB2SOON", "旗舰店", "2026-11-21T20:00:00+08:00"), // due 23rd 20:00: at risk
        ("TB3FINE", "旗舰店", "2026-11-22T20:00:00+08:00"), // due 24th 20:00: on time
        ("PDD4SOON", "拼多多店", "2026-11-22T20:00:00+08:00"), // 24 h: due 23rd 20:00
        ("TB5SHIP", "旗舰店", "2026-11-20T09:00:00+08:00"), // shipped
        ("TB6GONE", "旗舰店", "2026-11-20T09:00:00+08:00"), // refunded before shipping
    ];
    for (no, shop, at) in orders {
        let mut o = paid(shop, at);
        if no == "TB5SHIP" {
            o["shipments"] = json!([{"carrier": "sf", "tracking_no": "SF5", "lines": [{"line_id": "A", "quantity": 1}]}]);
        }
        if no == "TB6GONE" {
            o["refunds"] =
                json!([{"lines": [{"line_id": "A", "quantity": 1, "cash_cents": 5000}]}]);
        }
        let r = app.put_order(&agent, no, &o).await;
        assert!(r.status().is_success(), "{no}: {}", r.text().await.unwrap());
    }
    let list: Value = app
        .get(&agent, "/api/v1/logistics/shipping-promises")
        .await
        .json()
        .await
        .unwrap();
    let seen: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["order_no"].as_str().unwrap().to_owned(),
                o["risk"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("TB1LATE".to_owned(), "late".to_owned()),
            ("PDD4SOON".to_owned(), "at_risk".to_owned()),
            ("TB2SOON".to_owned(), "at_risk".to_owned()),
        ]
    );
    let auditor = app.user("ada", "auditor", None).await;
    let r = app
        .get(&auditor, "/api/v1/logistics/shipping-promises")
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    // The board shows them to the agent.
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let board = page_text(&client, &app.url("/logistics")).await;
    assert!(
        board.contains("即将超时未发货") && board.contains("TB1LATE") && board.contains("已超时"),
        "{board}"
    );
    assert!(!board.contains("TB3FINE"));
}

/// 谁过错谁承担 (消费者权益保护法 Art. 24; Order 90 Art. 13): a change of mind is the customer's
/// freight, paid by their 运费险 up to its cover; the shop's fault is the shop's, reimbursed
/// with the refund.
async fn the_party_at_fault_pays_the_return_freight_and_insurance_covers_a_change_of_mind(
    app: TestApp,
) {
    let agent = app.user("amy", "agent", None).await;
    let supervisor = app.user("sam", "supervisor", None).await;
    let mut o = order(Some("2026-11-20T10:00:00+08:00"));
    o["freight_insurance"] = json!({"insurer": "华泰保险", "max_cents": 1000});
    assert!(app
        .put_order(&agent, "TB20261111001", &o)
        .await
        .status()
        .is_success());
    let dept = app.user("wu", "department", Some("logistics")).await;
    let mut ids = Vec::new();
    for liability in ["customer", "merchant"] {
        let id = app.register(&agent, &complaint()).await["id"]
            .as_i64()
            .unwrap();
        app.act_ok(&agent, id, json!({"action": "judge", "valid": true}))
            .await;
        app.act_ok(
            &agent,
            id,
            json!({"action": "route", "department": "logistics"}),
        )
        .await;
        app.act_ok(&dept, id, json!({"action": "analyse", "liability": liability, "root_cause": "other", "findings": "核实"})).await;
        app.act_ok(&agent, id, json!({"action": "propose", "options": [{"kind": "return_refund", "lines": [{"line_id": "A", "quantity": 1}]}]})).await;
        let c = app
            .act_ok(&agent, id, json!({"action": "choose", "option": 0}))
            .await;
        if c["status"] == "awaiting_approval" {
            app.act_ok(
                &supervisor,
                id,
                json!({"action": "approve", "comment": "同意"}),
            )
            .await;
        }
        let r = app
            .act(&agent, id, json!({"action": "return_shipped", "carrier": "yto", "tracking_no": format!("YTBACK{id}"), "freight_cents": -5}))
            .await;
        assert_eq!(
            fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
            ["freight_cents"]
        );
        let c = app
            .act_ok(&agent, id, json!({"action": "return_shipped", "carrier": "yto", "tracking_no": format!("YTBACK{id}"), "freight_cents": 1200}))
            .await;
        ids.push((id, c["steps_done"][0]["data"]["freight"].clone()));
    }
    assert_eq!(
        ids[0].1,
        json!({"cents": 1200, "payer": "insurance", "covered_cents": 1000})
    );
    assert_eq!(
        ids[1].1,
        json!({"cents": 1200, "payer": "shop", "covered_cents": 1200})
    );
    // The shop's fault: the freight goes back with the refund.
    let id = ids[1].0;
    app.act_ok(&dept, id, json!({"action": "receive_return"}))
        .await;
    app.act_ok(&dept, id, json!({"action": "inspect", "result": "pass"}))
        .await;
    app.act_ok(&dept, id, json!({"action": "restock"})).await;
    let c = app.act_ok(&agent, id, json!({"action": "refund"})).await;
    let refund = &c["steps_done"].as_array().unwrap().last().unwrap()["data"];
    assert_eq!(refund["freight_cents"], 1200, "{refund}");
    assert_eq!(refund["cash_cents"], 5000);
}

/// Seed 001: the county association where the shop is; a consumer of a province with an
/// agreement (浙江 buying from 上海) may also complain at home.
async fn a_consumer_association_case_names_the_association_that_handles_it(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let mut policy: Value = app
        .get(&admin, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    policy["shop_address"] = json!("文三路100号");
    let r = app.put(&admin, "/api/v1/policy", &policy).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["shop_address"]
    );
    policy["shop_address"] = json!("上海市浦东新区世纪大道1号");
    let r = app.put(&admin, "/api/v1/policy", &policy).await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut o = order(None);
    o["buyer"]["address"] = json!("浙江省杭州市西湖区文三路100号");
    assert!(app
        .put_order(&agent, "TB20261111001", &o)
        .await
        .status()
        .is_success());
    let mut body = complaint();
    body["channel"] = json!("consumer_association");
    let id = app.register(&agent, &body).await["id"].as_i64().unwrap();
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains("上海市浦东新区消费者权益保护委员会"),
        "{page}"
    );
    assert!(
        page.contains("浙江省杭州市西湖区"),
        "the consumer may also complain at home"
    );
    // The referral form starts from it.
    assert!(
        page.contains("value=\"上海市浦东新区消费者权益保护委员会\""),
        "the record_referral form is prefilled"
    );
    // Other channels are not consumer-association cases.
    let other = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let page = page_text(&client, &app.url(&format!("/cases/{other}"))).await;
    assert!(!page.contains("消费者权益保护委员会"));
}

/// Seed 002: a bad review recorded, the customer contacted, the problem solved, a public
/// explanation within the platform's 30 days; never money for a changed review.
async fn a_bad_review_is_recovered_and_explained_never_paid_for(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    assert!(app
        .put_order(&agent, "TB20261111001", &order(None))
        .await
        .status()
        .is_success());
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let url = format!("/api/v1/cases/{id}/bad-reviews");
    // Bad input: no stars, a review before the order, in the future.
    let r = app
        .post(&agent, &url, &json!({"rating": 0, "text": "差", "platform": "taobao", "posted_at": "2026-11-01T10:00:00+08:00"}))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["rating", "posted_at"]
    );
    let r = app
        .post(&agent, &url, &json!({"rating": 1, "text": "毛衣起球，客服不理人", "platform": "taobao", "posted_at": "2026-11-22T20:00:00+08:00"}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let review: Value = r.json().await.unwrap();
    assert_eq!(review["stage"], "recorded");
    let stage = format!("/api/v1/bad-reviews/{}/stage", review["id"]);
    let r = app
        .post(&agent, &stage, &json!({"stage": "contacted"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    // Backwards is refused.
    let r = app
        .post(&agent, &stage, &json!({"stage": "recorded"}))
        .await;
    problem(r, StatusCode::CONFLICT).await;
    app.post(&agent, &stage, &json!({"stage": "resolved"}))
        .await;
    // An explanation that pays for a better review is blocked, whoever writes it.
    let r = app
        .post(
            &agent,
            &stage,
            &json!({"stage": "explained", "text": "亲，改好评返现20元，加微信发红包"}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["text"]);
    let r = app
        .post(&agent, &stage, &json!({"stage": "explained", "text": "亲，非常抱歉给您带来不好的体验，问题已为您换新处理，感谢您的监督。"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["stage"], "explained");
    // The history has every step; the reports count it.
    let steps: Vec<String> = app
        .history(&agent, id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "bad_review")
        .map(|e| e["data"]["stage"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(steps, ["recorded", "contacted", "resolved", "explained"]);
    let counts: Value = app
        .get(
            &agent,
            "/api/v1/reports/bad-reviews?from=2026-11-01&to=2026-11-30",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(counts["total"], 1);
    assert_eq!(counts["by_stage"]["explained"], 1);
    assert_eq!(counts["explained_in_window"], 1);
    // After the platform's 30 days, no explanation is accepted.
    let r = app
        .post(&agent, &url, &json!({"rating": 2, "text": "包装破损", "platform": "jd", "posted_at": "2026-11-22T20:00:00+08:00"}))
        .await;
    let late: Value = r.json().await.unwrap();
    app.clock.advance(chrono::Duration::days(31));
    let agent = app.token("amy", "pass-word-1").await;
    let r = app
        .post(
            &agent,
            &format!("/api/v1/bad-reviews/{}/stage", late["id"]),
            &json!({"stage": "explained", "text": "亲，抱歉，已为您处理。"}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p["detail"].as_str().unwrap().contains("30 days"), "{p}");
}
