//! The carriers admins keep: forms pick from the list, pages show the name.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{browser, complaint, page_text, TestApp};

#[tokio::test]
async fn admins_keep_the_carriers_and_the_forms_offer_them_by_name() {
    let app = TestApp::sqlite().await;
    app.admin().await;
    let amy = app.user("amy", "agent", None).await;
    let (admin, csrf) = browser(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let list = page_text(&admin, &app.url("/admin/carriers")).await;
    assert!(
        list.contains("圆通速递") && list.contains("<code>yto</code>"),
        "{list}"
    );

    let r = admin
        .post(app.url("/admin/carriers"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("code", "DanNiao"),
            ("name", "丹鸟"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = admin
        .post(app.url("/admin/carriers"))
        .form(&[("_csrf", csrf.as_str()), ("code", "丹鸟"), ("name", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("code") && page.contains("name"),
        "both fields named: {page}"
    );

    // An agent may not edit the list.
    let (agent, agent_csrf) = browser(&app, "amy", "pass-word-1").await;
    let r = agent
        .post(app.url("/admin/carriers"))
        .form(&[
            ("_csrf", agent_csrf.as_str()),
            ("code", "x"),
            ("name", "某快递"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // A replacement parcel's carrier is picked from the list, the new one included.
    let order = json!({"shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678"},
        "placed_at": "2026-11-11T00:05:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 2}],
        "shipments": [{"carrier": "yto", "tracking_no": "YT1234567890",
                       "shipped_at": "2026-11-11T18:00:00+08:00", "lines": [{"line_id": "A", "quantity": 2}]}]});
    assert!(app
        .put_order(&amy, "TB20261111001", &order)
        .await
        .status()
        .is_success());
    let id = app.register(&amy, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    for action in [
        json!({"action": "judge", "valid": true}),
        json!({"action": "route", "department": "logistics"}),
    ] {
        app.act_ok(&amy, id, action).await;
    }
    let wu = app.user("wu", "department", Some("logistics")).await;
    app.act_ok(
        &wu,
        id,
        json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier", "findings": "压损"}),
    )
    .await;
    app.act_ok(
        &amy,
        id,
        json!({"action": "propose", "options": [{"kind": "reship"}]}),
    )
    .await;
    app.act_ok(&amy, id, json!({"action": "choose", "option": 0}))
        .await;
    let page = page_text(&agent, &app.url(&format!("/cases/{id}"))).await;
    let form = page
        .split("data-action=\"ship_replacement\"")
        .nth(1)
        .expect("the reship step's form");
    assert!(
        form.contains("<option value=\"danniao\">丹鸟</option>"),
        "{form}"
    );
    assert!(
        !form.contains("name=\"carrier\" required placeholder"),
        "no free-form carrier"
    );
    // The order's parcel is named, not coded.
    assert!(
        page.contains("圆通速递 YT1234567890"),
        "the shipment shows the carrier's name"
    );
}
