//! A claim made of the case's files: the claim names attachments, the evidence pack holds
//! them (photos without the place they were taken), the tracking record oldest first and a
//! summary sheet; the case page tells the parcel's story newest first.

use std::io::Read;

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::attachments::photo_with_location;
use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(a_claim_names_the_case_photos_and_its_pack_holds_them_with_the_tracking,);

async fn attach(app: &TestApp, token: &str, case: i64, name: &str, bytes: Vec<u8>) -> i64 {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{case}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    body["items"][0]["id"].as_i64().unwrap()
}

fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut content = Vec::new();
            file.read_to_end(&mut content).unwrap();
            (file.name().to_owned(), content)
        })
        .collect()
}

async fn a_claim_names_the_case_photos_and_its_pack_holds_them_with_the_tracking(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let other_agent = app.user("bob", "agent", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let events = json!([
        {"carrier": "yto", "tracking_no": "YT1234567890", "at": "2026-11-12T08:00:00+08:00",
         "status": "in_transit", "location": "杭州转运中心", "text": "快件已到达杭州转运中心"},
        {"carrier": "yto", "tracking_no": "YT1234567890", "at": "2026-11-13T15:30:00+08:00",
         "status": "delivered", "location": "上海浦东", "text": "已签收，签收人：本人"}
    ]);
    assert!(app
        .post(&agent, "/api/v1/tracking/events", &events)
        .await
        .status()
        .is_success());
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let photo = attach(&app, &agent, id, "外箱.jpg", photo_with_location(640, 480)).await;
    let receipt = attach(
        &app,
        &agent,
        id,
        "签收单.pdf",
        b"%PDF-1.4\n%%EOF\n".to_vec(),
    )
    .await;
    // A file of another case cannot be named.
    let elsewhere = app.register(&other_agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let foreign = attach(
        &app,
        &other_agent,
        elsewhere,
        "别人的.jpg",
        photo_with_location(64, 64),
    )
    .await;

    let mut claim = json!({"carrier": "yto", "tracking_no": "YT1234567890", "reason": "damaged",
        "amount_claimed_cents": 12900,
        "evidence": [{"kind": "photo", "attachment_id": foreign}]});
    let r = app
        .post(&agent, &format!("/api/v1/cases/{id}/claims"), &claim)
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), vec!["evidence[0].attachment_id"]);

    claim["evidence"] = json!([
        {"kind": "photo", "attachment_id": photo, "note": "外箱压痕"},
        {"kind": "delivery_proof", "attachment_id": receipt},
        {"kind": "tracking", "reference": "YT1234567890"}
    ]);
    let r = app
        .post(&agent, &format!("/api/v1/cases/{id}/claims"), &claim)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let filed: Value = r.json().await.unwrap();
    assert_eq!(
        filed["evidence"][0]["reference"], "外箱.jpg",
        "named by its file"
    );
    assert_eq!(filed["evidence"][0]["attachment_id"], photo);
    let claim_id = filed["id"].as_i64().unwrap();

    let r = app
        .get(&agent, &format!("/api/v1/claims/{claim_id}/evidence-pack"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    let entries = unzip(&r.bytes().await.unwrap());
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "照片/01-外箱.jpg",
            "签收凭证/02-签收单.pdf",
            "物流轨迹.csv",
            "索赔说明.txt"
        ]
    );
    let photo_bytes = &entries[0].1;
    assert_eq!(&photo_bytes[..2], &[0xFF, 0xD8], "a JPEG");
    assert!(
        !photo_bytes.windows(6).any(|w| w == b"Exif\0\0"),
        "the carrier does not learn where the photo was taken"
    );
    let csv = String::from_utf8(entries[2].1.clone()).unwrap();
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1].contains("杭州转运中心") && rows[2].contains("已签收"),
        "oldest first: {csv}"
    );
    let summary = String::from_utf8(entries[3].1.clone()).unwrap();
    for expected in [
        "圆通速递",
        "YT1234567890",
        "¥129.00",
        "TB20261111001",
        "照片/01-外箱.jpg",
        "物流轨迹.csv（2 条）",
    ] {
        assert!(summary.contains(expected), "{expected} in {summary}");
    }

    // Others than those who may see the case get nothing.
    let dept = app.user("zhiliang", "department", Some("quality")).await;
    let r = app
        .get(&dept, &format!("/api/v1/claims/{claim_id}/evidence-pack"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The case page tells the parcel's story, newest first.
    let (browser, _) = crate::helpers::browser(&app, "amy", "pass-word-1").await;
    let page = crate::helpers::page_text(&browser, &app.url(&format!("/cases/{id}"))).await;
    let story = &page[page.find("id=\"parcels\"").expect("the parcels' panel")..];
    let delivered = story.find("已签收，签收人：本人").expect("delivered");
    let transit = story.find("快件已到达杭州转运中心").expect("in transit");
    assert!(delivered < transit, "newest first");
    assert!(story.contains("圆通速递"));
}
