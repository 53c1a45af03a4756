//! Customers' photos: sent with the complaint form, added on the status page, shown back to
//! them without the place they were taken; a file that is not a photo gives the form back as
//! it was filled in, and nothing is registered.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::attachments::photo_with_location;
use crate::helpers::{csrf_in, page_text, TestApp};

fn customer() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn complaint_form(csrf: &str, file: (&str, Vec<u8>)) -> Form {
    let mut form = Form::new();
    for (k, v) in [
        ("_csrf", csrf),
        ("name", "李雷"),
        ("phone", "13900001111"),
        ("category", "damaged"),
        ("demand", "reship"),
        ("description", "到货时杯子碎了一只，外箱有压痕"),
    ] {
        form = form.text(k.to_owned(), v.to_owned());
    }
    form.part("file", Part::bytes(file.1).file_name(file.0.to_owned()))
}

#[tokio::test]
async fn photos_come_with_the_complaint_and_later_on_the_status_page() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let browser = customer();
    let csrf = csrf_in(&page_text(&browser, &app.url("/complain")).await);

    // A "photo" that is an HTML page: refused, the form comes back filled in, no case.
    let r = browser
        .post(app.url("/complain"))
        .multipart(complaint_form(
            &csrf,
            ("破损.jpg", b"<html><body>x</body></html>".to_vec()),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("破损.jpg") && page.contains("到货时杯子碎了一只"),
        "{page}"
    );
    let listed: Value = app.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);

    // A real photo: the case is registered with it.
    let r = browser
        .post(app.url("/complain"))
        .multipart(complaint_form(
            &csrf,
            ("开箱.jpg", photo_with_location(640, 480)),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let done = r.text().await.unwrap();
    let token = done
        .split("href=\"/s/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a status link")
        .to_owned();
    let files: Value = app
        .get(&agent, "/api/v1/cases/1/attachments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(files["items"][0]["name"], "开箱.jpg");
    assert_eq!(files["items"][0]["source"], "customer");

    // Later, on the status page: another photo.
    let status_page = page_text(&browser, &app.url(&format!("/s/{token}"))).await;
    let csrf = csrf_in(&status_page);
    let form = Form::new().text("_csrf", csrf.clone()).part(
        "file",
        Part::bytes(photo_with_location(320, 240)).file_name("面单.jpg"),
    );
    let r = browser
        .post(app.url(&format!("/s/{token}/files")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let status_page = page_text(&browser, &app.url(&format!("/s/{token}"))).await;
    assert!(status_page.contains("开箱.jpg") && status_page.contains("面单.jpg"));
    // What they see of it has no place in it.
    let files: Value = app
        .get(&agent, "/api/v1/cases/1/attachments")
        .await
        .json()
        .await
        .unwrap();
    let id = files["items"][1]["id"].as_i64().unwrap();
    let r = browser
        .get(app.url(&format!("/s/{token}/files/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    let bytes = r.bytes().await.unwrap();
    assert!(!bytes.windows(6).any(|w| w == b"Exif\0\0"));

    // The shop's own files are not the customer's to see.
    let form = Form::new().part(
        "file",
        Part::bytes(photo_with_location(64, 64)).file_name("质检.jpg"),
    );
    let r = app
        .client
        .post(app.url("/api/v1/cases/1/attachments"))
        .bearer_auth(&agent)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let staff: Value = r.json().await.unwrap();
    let staff_id = staff["items"][0]["id"].as_i64().unwrap();
    let r = browser
        .get(app.url(&format!("/s/{token}/files/{staff_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let status_page = page_text(&browser, &app.url(&format!("/s/{token}"))).await;
    assert!(!status_page.contains("质检.jpg"));

    // They want no more e-mail or text messages about it: one click.
    assert!(status_page.contains("不再接收通知"));
    assert!(!app.store.opted_out(1).await.unwrap());
    let r = browser
        .post(app.url(&format!("/s/{token}/opt-out")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(app.store.opted_out(1).await.unwrap());
    let status_page = page_text(&browser, &app.url(&format!("/s/{token}"))).await;
    assert!(status_page.contains("您已选择不再接收"));

    // Without the page's token nothing is taken.
    let form = Form::new().part(
        "file",
        Part::bytes(photo_with_location(64, 64)).file_name("x.jpg"),
    );
    let r = customer()
        .post(app.url(&format!("/s/{token}/files")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
