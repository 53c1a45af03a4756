//! The workbench masks a customer's contact for everyone (issue 21); staff whose role may
//! see it reveal it on one case with a reason, for half an hour, and the trail says who,
//! when, which case and why. Roles that may not see personal data cannot reveal it.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, fields, page_text, problem, reveal_in_browser, TestApp};
use crate::on_both_backends;

const PHONE: &str = "13812345678";

async fn contact_details_show_only_after_a_reveal_with_a_reason(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let logistics = app.user("leo", "department", Some("logistics")).await;
    let auditor = app.user("audrey", "auditor", None).await;
    let order = json!({"shop": "旗舰店", "buyer": {"name": "王小明", "phone": PHONE, "address": "杭州市西湖区文三路88号"},
        "placed_at": "2026-11-11T00:05:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 2}]});
    assert!(app
        .put_order(&agent, "TB20261111001", &order)
        .await
        .status()
        .is_success());
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

    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let case_url = app.url(&format!("/cases/{id}"));
    let order_url = app.url("/orders/TB20261111001");
    let page = page_text(&client, &case_url).await;
    for needle in [PHONE, "王小明"] {
        if let Some(at) = page.find(needle) {
            panic!(
                "masked at first: …{}…",
                &page[at.saturating_sub(300)..at + 40]
            );
        }
    }
    assert!(page.contains("138****5678") && !page.contains("文三路"));
    assert!(!page_text(&client, &order_url).await.contains(PHONE));
    let csrf = crate::helpers::csrf_in(&page);
    // No reason, no reveal.
    let refused = reveal_in_browser(&app, &client, &csrf, id, "").await;
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!page_text(&client, &case_url).await.contains(PHONE));
    let revealed = reveal_in_browser(&app, &client, &csrf, id, "contact").await;
    assert_eq!(revealed, StatusCode::SEE_OTHER);
    let page = page_text(&client, &case_url).await;
    assert!(
        page.contains(PHONE) && page.contains("王小明"),
        "shown after the reveal"
    );
    assert!(page_text(&client, &order_url).await.contains("文三路88号"));
    // The trail: who, which case, why.
    let query = format!("kind=personal.revealed&case={id}");
    let trail = app.trail(&admin, &query, 1).await;
    assert_eq!(trail["total"], 1, "{trail}");
    let e = &trail["items"][0];
    assert_eq!(
        (e["actor"].as_str(), e["case_id"].as_i64()),
        (Some("amy"), Some(id))
    );
    assert_eq!(e["detail"]["reason"], "contact");
    assert!(!e.to_string().contains(PHONE));
    // Half an hour later it is masked again.
    app.clock.advance(chrono::Duration::minutes(31));
    assert!(!page_text(&client, &case_url).await.contains(PHONE));

    // Over the API: a reason is needed; roles without personal data get nothing.
    let r = app
        .post(&agent, &format!("/api/v1/cases/{id}/reveal"), &json!({}))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["reason"]
    );
    let r = app
        .post(
            &agent,
            &format!("/api/v1/cases/{id}/reveal"),
            &json!({"reason": "shipping"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["phone"], PHONE);
    for token in [&logistics, &auditor] {
        let r = app
            .post(
                token,
                &format!("/api/v1/cases/{id}/reveal"),
                &json!({"reason": "contact"}),
            )
            .await;
        problem(r, StatusCode::FORBIDDEN).await;
    }
    let query = format!("kind=personal.revealed&case={id}");
    let trail = app.trail(&admin, &query, 2).await;
    assert_eq!(trail["total"], 2, "only the reveals that happened: {trail}");
}

on_both_backends!(contact_details_show_only_after_a_reveal_with_a_reason);
