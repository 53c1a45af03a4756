//! The published after-sales policy: admins write it, customers read it on `/policy`,
//! `/complain` and their status page, with the times the deadline policy enforces.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    admins_publish_the_policy_and_customers_read_it_with_the_clocks_times,
    a_policy_that_says_nothing_or_too_much_is_refused_and_the_old_one_stays,
);

async fn admins_publish_the_policy_and_customers_read_it_with_the_clocks_times(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    // Until the admins write theirs, the built-in policy is published.
    let p: Value = app
        .get(&agent, "/api/v1/after-sales-policy")
        .await
        .json()
        .await
        .unwrap();
    assert!(p["returns"].as_str().unwrap().contains("七天无理由"), "{p}");
    let policy = json!({
        "returns": "签收后七天内可无理由退货。\n\n生鲜商品不支持无理由退货。",
        "warranty": "家电整机保修一年。",
        "how_to_complain": "请拨打 400-800-1234 或在线提交。",
        "times_note": "节假日顺延。"
    });
    let r = app.put(&agent, "/api/v1/after-sales-policy", &policy).await;
    problem(r, StatusCode::FORBIDDEN).await;
    // The clocks' times follow the deadline policy the admins set.
    let mut deadlines: Value = app
        .get(&admin, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    deadlines["deadlines"]["first_response_minutes"] = json!(30);
    deadlines["deadlines"]["refund_after_return_days"] = json!(5);
    let r = app.put(&admin, "/api/v1/policy", &deadlines).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let r = app.put(&admin, "/api/v1/after-sales-policy", &policy).await;
    assert_eq!(r.status(), StatusCode::OK);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["warranty"], "家电整机保修一年。");
    let times: Vec<&str> = p["times"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["text"].as_str().unwrap())
        .collect();
    assert!(times[0].contains("30分钟"), "{times:?}");
    assert!(times[3].contains("5天内退款"), "{times:?}");
    // More than seven days would break the law: refused.
    deadlines["deadlines"]["refund_after_return_days"] = json!(10);
    let r = app.put(&admin, "/api/v1/policy", &deadlines).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["deadlines.refund_after_return_days"]
    );
    // Anyone reads it, without an account.
    let page = reqwest::get(app.url("/policy")).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    for said in [
        "生鲜商品不支持无理由退货",
        "家电整机保修一年",
        "400-800-1234",
        "30分钟内首次答复",
        "节假日顺延",
    ] {
        assert!(page.contains(said), "/policy shows {said}");
    }
    let complain = reqwest::get(app.url("/complain"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(complain.contains("30分钟内首次答复") && complain.contains("href=\"/policy\""));
}

async fn a_policy_that_says_nothing_or_too_much_is_refused_and_the_old_one_stays(app: TestApp) {
    let admin = app.admin().await;
    let before: Value = app
        .get(&admin, "/api/v1/after-sales-policy")
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .put(
            &admin,
            "/api/v1/after-sales-policy",
            &json!({"returns": " ", "warranty": "好".repeat(5001), "how_to_complain": "x"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["returns", "warranty"]
    );
    let r = app
        .put(
            &admin,
            "/api/v1/after-sales-policy",
            &json!({"returns": "x", "warranty": "y", "how_to_complain": "z", "refunds": "?"}),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let after: Value = app
        .get(&admin, "/api/v1/after-sales-policy")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before, after);
}
