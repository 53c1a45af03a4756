//! The rules editors are lists of words: adding, removing and renumbering take effect at
//! once, a bad word is refused by its field, and nothing is shown as JSON.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{browser, TestApp, ADMIN_PASSWORD};

/// The form fields a page's rules form sends, as the browser would send them.
fn fields_of(page: &str, form_id: &str) -> Vec<(String, String)> {
    let start = page.find(&format!("id=\"{form_id}\"")).expect("the form");
    let form = &page[start..start + page[start..].find("</form>").unwrap()];
    let mut out = Vec::new();
    for tag in form.split('<').filter(|t| t.starts_with("input")) {
        let attr = |name: &str| {
            tag.split(&format!(" {name}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .map(|v| v.replace("&amp;", "&").replace("&quot;", "\""))
        };
        if let Some(n) = attr("name") {
            out.push((n, attr("value").unwrap_or_default()));
        }
    }
    out
}

#[tokio::test]
async fn admins_edit_the_words_as_lists() {
    let app = TestApp::sqlite().await;
    let admin_token = app.admin().await;
    let (admin, _) = browser(&app, "admin", ADMIN_PASSWORD).await;
    let page = admin
        .get(app.url("/admin/templates"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains("\"contact_words\":") && !page.contains("<textarea name=\"rules\""),
        "no JSON editor"
    );
    assert!(
        page.contains("name=\"contact_words\" value=\"V信\"")
            || page.contains("name=\"contact_words\""),
        "{page}"
    );

    // Remove the first greeting, add a new one, and make "quality" win ties first.
    let mut reply = fields_of(&page, "reply-rules");
    let first_greeting = reply
        .iter()
        .position(|(k, v)| k == "greetings" && !v.is_empty())
        .unwrap();
    let removed = reply.remove(first_greeting).1;
    reply.push(("greetings".into(), "  早上好  ".into()));
    let r = admin
        .post(app.url("/admin/rules/reply"))
        .form(&reply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rules: Value = app
        .get(&admin_token, "/api/v1/replies/rules")
        .await
        .json()
        .await
        .unwrap();
    let greetings: Vec<&str> = rules["greetings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    assert!(
        greetings.contains(&"早上好") && !greetings.contains(&removed.as_str()),
        "{greetings:?}"
    );
    assert!(
        !rules["tone"].as_array().unwrap().is_empty(),
        "the tone rules kept"
    );

    let mut triage = fields_of(&page, "triage-rules");
    for (k, v) in triage.iter_mut() {
        if k.starts_with("rank_") {
            *v = if k == "rank_quality" {
                "0".into()
            } else {
                String::new()
            };
        }
    }
    triage.push(("urgency".into(), "要投诉到12315".into()));
    let r = admin
        .post(app.url("/admin/rules/triage"))
        .form(&triage)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let rules: Value = app
        .get(&admin_token, "/api/v1/triage/rules")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rules["order"], serde_json::json!(["quality"]));
    assert!(rules["urgency"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w == "要投诉到12315"));

    // A word too long is refused, named by its field, and nothing changes.
    let mut bad = fields_of(&page, "reply-rules");
    bad.push(("thanks".into(), "谢".repeat(31)));
    let r = admin
        .post(app.url("/admin/rules/reply"))
        .form(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("thanks"), "{body}");
    let rules: Value = app
        .get(&admin_token, "/api/v1/replies/rules")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        rules["greetings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g == "早上好"),
        "unchanged"
    );
}
