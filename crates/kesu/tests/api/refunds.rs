//! The refund quote over HTTP and on the command line: the same answers, to the cent.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

/// `kesu quote-refund` with `body` on stdin: (exit code, stdout as JSON).
fn cli_quote(body: &Value) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .arg("quote-refund")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

fn three_discounts() -> Value {
    json!({
        "lines": [
            {"line_id": "A", "unit_price_cents": 12900, "quantity": 2},
            {"line_id": "B", "unit_price_cents": 5000, "quantity": 1},
            {"line_id": "C", "unit_price_cents": 3333, "quantity": 3}
        ],
        "discounts": [
            {"id": "d1", "kind": "item", "amount_cents": 1000, "applies_to": ["A"]},
            {"id": "d2", "kind": "shop_coupon", "amount_cents": 2000, "applies_to": []},
            {"id": "d3", "kind": "platform_coupon", "amount_cents": 1500, "applies_to": ["B", "C"]}
        ],
        "points_cents": 500,
        "shipping_cents": 1000
    })
}

#[tokio::test]
async fn the_quote_endpoint_and_the_command_agree_on_hand_computed_cases() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    // (request, expected cash, expected points), worked by hand in kesu-domain's refund tests.
    let cases = [
        (
            json!({"order": {"lines": [{"line_id": "A", "unit_price_cents": 12900, "quantity": 2}],
                          "discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 2000, "applies_to": ["A"]}],
                          "points_cents": 300, "shipping_cents": 1000},
                "request": {"lines": [{"line_id": "A", "quantity": 1}], "include_shipping": false}}),
            11750,
            150,
        ),
        (
            json!({"order": three_discounts(),
                "request": {"lines": [{"line_id": "B", "quantity": 1}, {"line_id": "C", "quantity": 1}], "include_shipping": true}}),
            4190 + 2793 + 1000,
            59 + 39,
        ),
        (
            json!({"order": three_discounts(),
                "refunded": {"lines": [{"line_id": "A", "quantity": 0, "cash_cents": 5000},
                                       {"line_id": "A", "quantity": 1, "cash_cents": 11615, "points_cents": 162}]},
                "request": {"lines": [{"line_id": "A", "quantity": 1}]}}),
            6615,
            162,
        ),
        (
            json!({"order": three_discounts(),
                "refunded": {"lines": [{"line_id": "C", "quantity": 1, "cash_cents": 2793, "points_cents": 39}]},
                "request": {"lines": [{"line_id": "C", "quantity": 2}], "include_shipping": true}}),
            5586 + 1000,
            78,
        ),
    ];
    for (body, cash, points) in cases {
        let r = app.post(&agent, "/api/v1/refunds/quote", &body).await;
        assert_eq!(r.status(), StatusCode::OK);
        let api: Value = r.json().await.unwrap();
        assert_eq!(
            (
                api["cash_cents"].as_i64().unwrap(),
                api["points_cents"].as_i64().unwrap()
            ),
            (cash, points),
            "{body}"
        );
        let (code, cli) = cli_quote(&body);
        assert_eq!(code, 0);
        assert_eq!(cli, api, "the command and the API agree");
    }

    // Invalid: the same problem from both, 422 and a non-zero exit.
    let bad = json!({"order": three_discounts(), "refunded": {"shipping_cents": 1000},
                     "request": {"lines": [{"line_id": "Z", "quantity": 1}], "include_shipping": true}});
    let r = app.post(&agent, "/api/v1/refunds/quote", &bad).await;
    let api = crate::helpers::problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        crate::helpers::fields(&api),
        ["request.lines[0].line_id", "request.include_shipping"]
    );
    let (code, cli) = cli_quote(&bad);
    assert_eq!(code, 1);
    assert_eq!(cli, api);
    let (code, cli) = cli_quote(&json!("not an object"));
    assert_eq!((code, cli["status"].as_i64()), (1, Some(422)));
}
