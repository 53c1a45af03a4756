//! Every workbench page, filled with a case that has been through many hands, read as an agent
//! reads it: no code may show where a person reads (圆通速递, not `yto`; 储运部, not `logistics`;
//! 登记投诉, not `register`).

use std::collections::BTreeSet;

use kesu_domain::case::CaseStatus;
use kesu_domain::claims::{ClaimReason, ClaimStatus};
use kesu_domain::codes::{
    Category, Channel, Demand, Jurisdiction, Liability, Priority, ResolutionKind, RootCause,
};
use kesu_domain::fulfilment::Step;
use kesu_domain::history::SystemActor;
use kesu_domain::logistics::ExceptionKind;
use kesu_domain::order::ShipmentKind;
use kesu_domain::sla::SlaClock;
use kesu_domain::tracking::TrackingStatus;
use kesu_domain::{ActionName, Role};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, page_text, TestApp};

/// Every code a person could be shown instead of its label.
fn codes() -> BTreeSet<String> {
    let mut all: Vec<&str> = Vec::new();
    all.extend(Channel::ALL.iter().map(|c| c.code()));
    all.extend(Category::ALL.iter().map(|c| c.code()));
    all.extend(Demand::ALL.iter().map(|c| c.code()));
    all.extend(Liability::ALL.iter().map(|c| c.code()));
    all.extend(RootCause::ALL.iter().map(|c| c.code()));
    all.extend(ResolutionKind::ALL.iter().map(|c| c.code()));
    all.extend(Priority::ALL.iter().map(|c| c.code()));
    all.extend(Jurisdiction::ALL.iter().map(|c| c.code()));
    all.extend(CaseStatus::ALL.iter().map(|c| c.code()));
    all.extend(Step::ALL.iter().map(|c| c.code()));
    all.extend(ClaimStatus::ALL.iter().map(|c| c.code()));
    all.extend(ClaimReason::ALL.iter().map(|c| c.code()));
    all.extend(SlaClock::ALL.iter().map(|c| c.code()));
    all.extend(ExceptionKind::ALL.iter().map(|c| c.code()));
    all.extend(TrackingStatus::ALL.iter().map(|c| c.code()));
    all.extend(ShipmentKind::ALL.iter().map(|c| c.code()));
    all.extend(
        kesu_domain::refund::DiscountKind::ALL
            .iter()
            .map(|c| c.code()),
    );
    all.extend(kesu_domain::order::PAYMENT_METHODS);
    all.extend(kesu_domain::order::REFUND_METHODS);
    // `admin` is also the first user's name, which pages show as it is.
    all.extend(Role::ALL.iter().map(|r| r.code()).filter(|c| *c != "admin"));
    all.extend(ActionName::ALL.iter().map(|a| a.code()));
    all.extend(["register", "sla_warning", "sla_breach", "sla_reminder"]);
    all.extend(["logistics_exception", "claim"]);
    all.extend(["logistics", "quality", "service", "operations"]);
    // Who wrote an entry, as the history stores them (`kesu` is also the product's name).
    all.push("customer");
    all.extend(
        SystemActor::ALL
            .iter()
            .map(|s| s.name())
            .filter(|n| *n != "kesu"),
    );
    all.extend([
        "yto",
        "sf",
        "zto",
        "sto",
        "yunda",
        "jd",
        "jt",
        "jtexpress",
        "deppon",
    ]);
    all.into_iter().map(str::to_owned).collect()
}

/// The text a person sees: no scripts, styles, text being edited or tags (attribute values
/// are not read). (`/admin/templates` is left out above: its scripts are texts in both
/// languages with `{carrier}`-style variables, and its rules are edited as JSON.)
fn visible(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        out.push(' ');
        let after = &rest[start..];
        let skip_to = ["script", "style", "textarea"].iter().find_map(|tag| {
            after
                .starts_with(&format!("<{tag}"))
                .then(|| after.find(&format!("</{tag}>")).map(|e| e + tag.len() + 3))
                .flatten()
        });
        let end = skip_to.or_else(|| after.find('>').map(|e| e + 1));
        rest = match end {
            Some(e) => &after[e..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// The codes that show on a page, each with a little of the text around it.
fn raw_codes(html: &str, codes: &BTreeSet<String>) -> Vec<String> {
    let text = visible(html);
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_lowercase() && (i == 0 || !is_word(bytes[i - 1])) {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_lowercase() || bytes[i] == b'_') {
                i += 1;
            }
            let followed_by_word = i < bytes.len() && is_word(bytes[i]);
            let word = &text[start..i];
            // `圆通速递 (yto)`: a code beside its label, for those who use the API, is fine.
            let beside_label = text[..start].ends_with('(') && text[i..].starts_with(')');
            if !followed_by_word && !beside_label && codes.contains(word) {
                let from = text[..start]
                    .char_indices()
                    .rev()
                    .nth(12)
                    .map_or(0, |(k, _)| k);
                let to = text[i..]
                    .char_indices()
                    .nth(12)
                    .map_or(text.len(), |(k, _)| i + k);
                found.push(format!("`{word}` in «{}»", text[from..to].trim()));
            }
        } else {
            i += 1;
        }
    }
    found
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'@' || b == b'.'
}

#[tokio::test]
async fn no_page_shows_a_code_where_a_person_reads() {
    let app = TestApp::sqlite().await;
    let agent = app.user("wang", "agent", None).await;
    app.user("chen", "supervisor", None).await;
    let warehouse = app.user("zhou", "department", Some("logistics")).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let case = app.register(&agent, &crate::helpers::complaint()).await;
    let id = case["id"].as_i64().unwrap();
    app.act_ok(&agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.act_ok(&agent, id, json!({"action": "assign", "user": "zhou"}))
        .await;
    app.act_ok(
        &warehouse,
        id,
        json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier",
               "findings": "外箱压痕，承运途中受压"}),
    )
    .await;
    let claim = json!({"carrier": "yto", "tracking_no": "YT1234567890", "reason": "damaged",
        "amount_claimed_cents": 12900, "evidence": [{"kind": "photo", "reference": "IMG_0412.jpg"}]});
    let r = app
        .post(&agent, &format!("/api/v1/cases/{id}/claims"), &claim)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let events = json!([{"carrier": "yto", "tracking_no": "YT1234567890",
        "at": "2026-11-12T08:00:00+08:00", "status": "exception", "location": "杭州转运中心",
        "text": "快件破损"}]);
    let r = app.post(&agent, "/api/v1/tracking/events", &events).await;
    assert_eq!(r.status(), StatusCode::OK);

    // A complaint the customer filed themselves: its page names who registered it.
    crate::helpers::file_public_complaint(
        &app.base,
        &[
            ("name", "韩梅梅"),
            ("phone", "13700001111"),
            ("category", "quality"),
            ("demand", "refund"),
            ("description", "鞋底开胶，穿了三天"),
        ],
    )
    .await;
    let listed: Value = app
        .get(&agent, "/api/v1/cases?channel=web_form")
        .await
        .json()
        .await
        .unwrap();
    let filed = listed["items"][0]["id"]
        .as_i64()
        .expect("the customer's case");

    let codes = codes();
    let pages = [
        "/".to_owned(),
        "/?status=analysed".to_owned(),
        format!("/cases/{id}"),
        format!("/cases/{filed}"),
        "/cases/new".to_owned(),
        "/approvals".to_owned(),
        "/logistics".to_owned(),
        "/reports".to_owned(),
        "/reports/improvements".to_owned(),
        "/account".to_owned(),
        "/admin".to_owned(),
        "/complain".to_owned(),
        "/orders/TB20261111001".to_owned(),
        "/orders/TB20261111001/edit".to_owned(),
        "/mentions".to_owned(),
    ];
    let mut shown = Vec::new();
    for (user, password) in [
        ("admin", crate::helpers::ADMIN_PASSWORD),
        ("chen", "pass-word-1"),
        ("wang", "pass-word-1"),
        ("zhou", "pass-word-1"),
    ] {
        let (client, _) = browser(&app, user, password).await;
        for path in &pages {
            let r = client.get(app.url(path)).send().await.unwrap();
            if r.status() != StatusCode::OK {
                continue; // not this user's page
            }
            let html = page_text(&client, &app.url(path)).await;
            for raw in raw_codes(&html, &codes) {
                shown.push(format!("{user} {path}: {raw}"));
            }
            for twice in headers_named_twice(&html) {
                shown.push(format!("{user} {path}: two columns headed {twice}"));
            }
        }
    }
    assert!(shown.is_empty(), "codes shown raw:\n{}", shown.join("\n"));
}

/// Column headings that appear twice in one table's head: one name per column.
fn headers_named_twice(html: &str) -> Vec<String> {
    let mut twice = Vec::new();
    for head in html.split("<thead>").skip(1) {
        let head = head.split("</thead>").next().unwrap_or("");
        let mut seen = BTreeSet::new();
        for cell in head.split("<th").skip(1) {
            let text = visible(&format!("<th{}", cell.split("</th>").next().unwrap_or("")));
            let text = text.trim().to_owned();
            if !text.is_empty() && !seen.insert(text.clone()) {
                twice.push(text);
            }
        }
    }
    twice
}

#[test]
fn two_columns_with_one_name_are_found() {
    let page = "<table><thead><tr><th>编号</th><th class=\"x\">时限</th><th>时限</th></tr></thead></table>";
    assert_eq!(headers_named_twice(page), vec!["时限".to_owned()]);
    assert!(headers_named_twice("<thead><tr><th>计时项</th><th>时限</th></tr></thead>").is_empty());
}

#[test]
fn the_reader_finds_codes_in_text_but_not_in_markup_or_longer_words() {
    let codes: BTreeSet<String> = ["yto", "register"].map(str::to_owned).into();
    let page =
        r#"<p title="yto">圆通速递 YT123</p><script>var a = "yto";</script><p>registered 签收</p>"#;
    assert!(raw_codes(page, &codes).is_empty());
    let page = "<td>yto YT1234567890</td><li>register · wang</li>";
    assert_eq!(raw_codes(page, &codes).len(), 2);
}
