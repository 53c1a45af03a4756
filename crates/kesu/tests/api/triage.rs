//! Triage over HTTP and on the command line (docs/interface.md §8).

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_complaint_is_triaged_with_the_words_that_led_there() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .post(
            &agent,
            "/api/v1/triage",
            &json!({"text": "衣服洗了一次就掉色，再不处理我就去12315投诉"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut t: Value = r.json().await.unwrap();
    // The learned model says how sure it is (docs/interface.md §12).
    let confidence = t["confidence"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&confidence), "{t}");
    t.as_object_mut().unwrap().remove("confidence");
    assert_eq!(
        t,
        json!({"category": "quality", "urgency": "high", "department": "quality", "signals": ["掉色", "12315"],
               "first_reply_template": {"id": "first-quality", "title": "首次回复·质量问题"}})
    );
    let r = app
        .post(&agent, "/api/v1/triage", &json!({"text": "  "}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post(&agent, "/api/v1/triage", &json!({"body": "x"}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[test]
fn kesu_triage_answers_one_line_per_complaint() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .arg("triage")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("快递一个星期了还没收到\n收到的杯子碎了两个\n请问能开发票吗\n".as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let categories: Vec<&str> = lines
        .iter()
        .map(|l| l["category"].as_str().unwrap())
        .collect();
    assert_eq!(categories, ["logistics", "damaged", "other"]);
    assert_eq!(lines[2]["department"], "service");
}
