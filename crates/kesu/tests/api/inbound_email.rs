//! Customers' e-mail posted by a relay (CONTRACT §8, §9): new messages open cases, replies
//! go onto theirs, machines' mail opens nothing, the same message is taken once, and bad
//! messages are refused with nothing stored.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{problem, TestApp};
use crate::on_both_backends;

async fn post_mail(app: &TestApp, token: &str, raw: impl Into<Vec<u8>>) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/inbound/email"))
        .bearer_auth(token)
        .header("content-type", "message/rfc822")
        .body(raw.into())
        .send()
        .await
        .unwrap()
}

async fn taken(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

fn gbk_q(s: &str) -> String {
    encoding_rs::GBK
        .encode(s)
        .0
        .iter()
        .map(|b| format!("={b:02X}"))
        .collect()
}

fn first_message() -> Vec<u8> {
    let mut raw = format!(
        "From: =?GBK?Q?{}?= <wang@example.com>\r\nTo: service@shop.example\r\n\
         Subject: =?GBK?Q?{}?=\r\nMessage-ID: <first-1@mail.example>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0800\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\n\
         --zz\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
        gbk_q("王小明"),
        gbk_q("快递显示已签收但我没收到")
    )
    .into_bytes();
    raw.extend(
        encoding_rs::GBK
            .encode("订单 TB20261111001 的包裹显示已签收，可是我没有收到。")
            .0
            .iter(),
    );
    raw.extend(
        b"\r\n--zz\r\nContent-Type: application/pdf; name=\"order.pdf\"\r\n\
          Content-Disposition: attachment; filename=\"order.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n\
          JVBERi0xLjQKJSVFT0YK\r\n\
          --zz\r\nContent-Type: text/html; name=\"page.jpg\"\r\n\
          Content-Disposition: attachment; filename=\"page.jpg\"\r\n\r\n<html><script>alert(1)</script></html>\r\n--zz--\r\n",
    );
    raw
}

async fn a_new_message_opens_a_case_and_replies_thread_onto_it(app: TestApp) {
    let admin = app.admin().await;
    let body = taken(
        post_mail(&app, &admin, first_message()).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["threaded"], false);
    let case = &body["case"];
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["channel"], "email");
    assert_eq!(
        case["category"], "logistics",
        "triage chose the category: {case}"
    );
    assert_eq!(case["complainant"]["name"], "王小明");
    assert_eq!(case["complainant"]["email"], "wang@example.com");
    assert!(case["description"]
        .as_str()
        .unwrap()
        .contains("可是我没有收到"));
    // The PDF is kept; the page pretending to be a photo is not.
    assert_eq!(body["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(body["attachments"][0]["content_type"], "application/pdf");
    assert_eq!(body["attachments"][0]["source"], "email");
    assert!(
        body["skipped"][0].as_str().unwrap().contains("page.jpg"),
        "{body}"
    );

    // The same message again: the same case, nothing new.
    let again = taken(
        post_mail(&app, &admin, first_message()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["case"]["id"], id);
    let list: Value = app.get(&admin, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["total"], 1);

    // A reply to it goes onto the case as the customer's message.
    let reply = "From: wang@example.com\r\nSubject: Re: 快递显示已签收但我没收到\r\n\
        Message-ID: <reply-2@mail.example>\r\nIn-Reply-To: <first-1@mail.example>\r\n\
        References: <first-1@mail.example>\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n\
        补充：快递柜里也没有。\r\n";
    let body = taken(post_mail(&app, &admin, reply).await, StatusCode::CREATED).await;
    assert_eq!(body["threaded"], true);
    assert_eq!(body["case"]["id"], id);
    let history = app.history(&admin, id).await;
    let last = history.last().unwrap();
    assert_eq!(last["action"], "comment");
    assert_eq!(last["actor_kind"], "customer");
    assert!(last["data"]["text"]
        .as_str()
        .unwrap()
        .contains("快递柜里也没有"));

    // A message naming the case number in its subject finds it too.
    let number = case["number"].as_str().unwrap();
    let by_number = format!(
        "From: wang@example.com\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <n-3@mail.example>\r\n\r\n还在等\r\n",
        b64(format!("回复：[{number}] 处理进度").as_bytes())
    );
    let body = taken(
        post_mail(&app, &admin, by_number).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(body["threaded"], true);
    assert_eq!(body["case"]["id"], id);
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

async fn machines_mail_opens_nothing_and_bad_messages_are_refused(app: TestApp) {
    let admin = app.admin().await;
    let auto =
        "From: wang@example.com\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <auto-1@x>\r\n\
        Subject: 自动回复：我在休假\r\n\r\n我在休假，回来后回复。\r\n";
    let body = taken(post_mail(&app, &admin, auto).await, StatusCode::ACCEPTED).await;
    assert_eq!(body["case"], Value::Null);
    assert!(body["ignored"].as_str().unwrap().contains("automatic"));
    let bounce = "From: MAILER-DAEMON@mx.example\r\nMessage-ID: <b-1@x>\r\nSubject: Undelivered\r\n\
        Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n\r\n--x\r\n\r\nfailed\r\n--x--\r\n";
    taken(post_mail(&app, &admin, bounce).await, StatusCode::ACCEPTED).await;

    // No sender, nothing readable, the wrong content type, a caller who may not register.
    let p = problem(
        post_mail(&app, &admin, "Subject: hi\r\n\r\nbody\r\n").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "message");
    problem(
        post_mail(&app, &admin, Vec::<u8>::new()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let r = app
        .client
        .post(app.url("/api/v1/inbound/email"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"from": "a@b.c"}))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    let auditor = app.user("shenji", "auditor", None).await;
    problem(
        post_mail(&app, &auditor, first_message()).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // A subject trying to inject headers stays one line of text.
    let injected = "From: li@example.com\r\nMessage-ID: <inj@x>\r\n\
        Subject: =?UTF-8?Q?=E9=80=80=E6=AC=BE=0D=0ABcc:_victim@example.com?=\r\n\r\n退款还没到\r\n";
    let body = taken(post_mail(&app, &admin, injected).await, StatusCode::CREATED).await;
    let description = body["case"]["description"].as_str().unwrap();
    assert!(
        description.starts_with("退款 Bcc: victim@example.com\n"),
        "{description:?}"
    );

    // 50 MB: the case is opened, the oversized file is named as not kept.
    let mut big = b"From: big@example.com\r\nMessage-ID: <big@x>\r\nSubject: video\r\n\
        Content-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: text/plain\r\n\r\nsee video\r\n\
        --q\r\nContent-Type: video/mp4\r\nContent-Disposition: attachment; filename=\"v.mp4\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    let line = format!("{}\r\n", "A".repeat(76));
    while big.len() < 50 * 1024 * 1024 {
        big.extend(line.as_bytes());
    }
    big.extend(b"--q--\r\n");
    let body = taken(post_mail(&app, &admin, big).await, StatusCode::CREATED).await;
    assert!(
        body["skipped"][0].as_str().unwrap().contains("20 MB"),
        "{}",
        body["skipped"]
    );
    let list: Value = app.get(&admin, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["total"], 2);
}

async fn a_reply_to_a_closed_case_opens_a_new_one_naming_it(app: TestApp) {
    let admin = app.admin().await;
    let body = taken(
        post_mail(&app, &admin, first_message()).await,
        StatusCode::CREATED,
    )
    .await;
    let id = body["case"]["id"].as_i64().unwrap();
    let number = body["case"]["number"].as_str().unwrap().to_owned();
    let agent = app.user("xiaoli", "agent", None).await;
    app.act_ok(
        &agent,
        id,
        serde_json::json!({"action": "judge", "valid": false, "reason": "重复投诉"}),
    )
    .await;
    let case = app.case(&admin, id).await;
    assert_eq!(case["status"], "closed", "{case}");
    let reply = "From: wang@example.com\r\nSubject: Re: x\r\nMessage-ID: <late@x>\r\n\
        In-Reply-To: <first-1@mail.example>\r\n\r\n还是没收到\r\n";
    let body = taken(post_mail(&app, &admin, reply).await, StatusCode::CREATED).await;
    assert_eq!(body["threaded"], false);
    assert_ne!(body["case"]["id"], id);
    assert!(body["case"]["description"]
        .as_str()
        .unwrap()
        .contains(&number));
}

on_both_backends!(
    a_new_message_opens_a_case_and_replies_thread_onto_it,
    machines_mail_opens_nothing_and_bad_messages_are_refused,
    a_reply_to_a_closed_case_opens_a_new_one_naming_it,
);
