//! @mentions in internal notes: the colleague named sees the note under 提及我的.

use serde_json::json;

use crate::helpers::{browser, complaint, page_text, TestApp};

#[tokio::test]
async fn a_colleague_mentioned_in_an_internal_note_finds_it_under_mentions() {
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    app.user("wu", "department", Some("logistics")).await;
    app.user("bo", "agent", None).await;
    let id = app.register(&amy, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(&amy, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &amy,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.act_ok(
        &amy,
        id,
        json!({"action": "comment", "internal": true,
        "text": "@wu 请查一下签收底单，@nobody 不存在，邮件 a@wu.com 不算"}),
    )
    .await;
    // A public reply mentions nobody: the customer's words are not a colleague's inbox.
    app.act_ok(
        &amy,
        id,
        json!({"action": "comment", "internal": false, "text": "您好，@bo 会跟进"}),
    )
    .await;
    // A case of another department: wu is mentioned but may not open it.
    let other = app.register(&amy, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &amy,
        other,
        json!({"action": "comment", "internal": true, "text": "@wu @bo 看看"}),
    )
    .await;

    let (wu, _) = browser(&app, "wu", "pass-word-1").await;
    let page = page_text(&wu, &app.url("/mentions")).await;
    assert!(
        page.contains("请查一下签收底单") && page.contains("amy"),
        "{page}"
    );
    assert!(page.contains(&format!("/cases/{id}")));
    assert!(
        !page.contains(&format!("/cases/{other}\"")),
        "another department's case stays hidden"
    );
    assert!(page.contains("提及我的 (1)"), "{page}");

    let (bo, _) = browser(&app, "bo", "pass-word-1").await;
    let page = page_text(&bo, &app.url("/mentions")).await;
    assert!(
        page.contains("提及我的 (1)") && page.contains("看看") && !page.contains("会跟进"),
        "{page}"
    );

    let (amy_page, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&amy_page, &app.url("/mentions")).await;
    assert!(page.contains("还没有人提及你"), "{page}");
    let queue = page_text(&amy_page, &app.url("/")).await;
    assert!(
        queue.contains("href=\"/mentions\""),
        "the queue offers the view"
    );
}
