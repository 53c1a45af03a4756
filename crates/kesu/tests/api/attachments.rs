//! Evidence files on a case (CONTRACT §9): photos known by their bytes, thumbnails, the
//! place a photo was taken kept from those who may not see personal data, and every bad
//! file refused with nothing stored.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{complaint, problem, TestApp};
use crate::on_both_backends;

/// A JPEG photo of `w` × `h` pixels carrying EXIF with a GPS latitude (31° 14′).
pub fn photo_with_location(w: u32, h: u32) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&picture)
        .unwrap();
    // TIFF (big-endian): IFD0 → GPS IFD → GPSLatitude 31/1 14/1 0/1.
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend([0, 1, 0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0]);
    tiff.extend([0, 1, 0, 2, 0, 5, 0, 0, 0, 3, 0, 0, 0, 44, 0, 0, 0, 0]);
    for (n, d) in [(31u32, 1u32), (14, 1), (0, 1)] {
        tiff.extend(n.to_be_bytes());
        tiff.extend(d.to_be_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn has_location(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| w == b"Exif\0\0")
}

fn part(name: &str, bytes: Vec<u8>) -> Part {
    Part::bytes(bytes).file_name(name.to_owned())
}

async fn upload(app: &TestApp, token: &str, case: i64, files: Vec<Part>) -> reqwest::Response {
    let mut form = Form::new();
    for f in files {
        form = form.part("file", f);
    }
    app.client
        .post(app.url(&format!("/api/v1/cases/{case}/attachments")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn photos_and_pdfs_are_attached_and_served_as_each_reader_may_see_them(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("xiaoli", "agent", None).await;
    let auditor = app.user("shenji", "auditor", None).await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    let photo = photo_with_location(800, 600);
    assert!(has_location(&photo));

    // The names say PNG and .doc; the bytes say JPEG and PDF.
    let r = upload(
        &app,
        &agent,
        id,
        vec![
            part("破损照片.png", photo.clone()),
            part("../发票.doc", PDF.to_vec()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let items: Value = r.json().await.unwrap();
    let items = items["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["content_type"], "image/jpeg");
    assert_eq!(items[0]["name"], "破损照片.png.jpg");
    assert_eq!(items[0]["size"], photo.len());
    assert_eq!(items[0]["width"], 800);
    assert_eq!(items[0]["sha256"], kesu_store::sha256_hex(&photo));
    assert_eq!(items[1]["content_type"], "application/pdf");
    assert_eq!(items[1]["name"], "发票.doc.pdf");

    // The case lists them, and its history has an entry for each.
    let shown = app.case(&agent, id).await;
    assert_eq!(shown["attachments"].as_array().unwrap().len(), 2);
    let history = app.history(&agent, id).await;
    let attached: Vec<&Value> = history.iter().filter(|e| e["action"] == "attach").collect();
    assert_eq!(attached.len(), 2);
    assert_eq!(attached[0]["actor"], "xiaoli");
    assert_eq!(attached[0]["data"]["name"], "破损照片.png.jpg");

    // The original, byte for byte, to those who may see personal data.
    let photo_id = items[0]["id"].as_i64().unwrap();
    let r = app
        .get(&admin, &format!("/api/v1/attachments/{photo_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let disposition = r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.starts_with("inline;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E7%A0%B4"),
        "{disposition}"
    );
    assert_eq!(r.bytes().await.unwrap().as_ref(), photo.as_slice());

    // An auditor sees the photo, upright and whole, but not where it was taken.
    let r = app
        .get(&auditor, &format!("/api/v1/attachments/{photo_id}"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let clean = r.bytes().await.unwrap();
    assert!(!has_location(&clean));
    let decoded = image::load_from_memory(&clean).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (800, 600));

    // The thumbnail is small.
    let r = app
        .get(
            &agent,
            &format!("/api/v1/attachments/{photo_id}?variant=thumbnail"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let thumb = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 240));

    // A PDF downloads; it is never opened in the page.
    let pdf_id = items[1]["id"].as_i64().unwrap();
    let r = app
        .get(&agent, &format!("/api/v1/attachments/{pdf_id}"))
        .await;
    assert!(r.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

    // The same photo again is a new attachment of the same content.
    let r = upload(&app, &agent, id, vec![part("again.jpg", photo.clone())]).await;
    let again: Value = r.json().await.unwrap();
    assert_eq!(again["items"][0]["sha256"], items[0]["sha256"]);
}

async fn only_those_who_may_see_the_case_reach_its_files(app: TestApp) {
    let agent = app.user("xiaoli", "agent", None).await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    let r = upload(&app, &agent, id, vec![part("a.pdf", PDF.to_vec())]).await;
    let body: Value = r.json().await.unwrap();
    let file = body["items"][0]["id"].as_i64().unwrap();
    // A department user of another department sees neither the case nor its files.
    let quality = app.user("zhiliang", "department", Some("quality")).await;
    problem(
        app.get(&quality, &format!("/api/v1/attachments/{file}"))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        upload(&app, &quality, id, vec![part("b.pdf", PDF.to_vec())]).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // An auditor may read but not add.
    let auditor = app.user("shenji", "auditor", None).await;
    problem(
        upload(&app, &auditor, id, vec![part("b.pdf", PDF.to_vec())]).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Nobody signed in reaches anything.
    let r = app
        .client
        .get(app.url(&format!("/api/v1/attachments/{file}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    problem(
        app.get(&agent, "/api/v1/attachments/999999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        upload(&app, &agent, 999_999, vec![part("b.pdf", PDF.to_vec())]).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

/// A PNG whose header claims `w` × `h` pixels (and no pixels after it).
fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc32(&ihdr).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

async fn bad_files_are_refused_and_nothing_is_stored(app: TestApp) {
    let agent = app.user("xiaoli", "agent", None).await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    let good = || part("ok.pdf", PDF.to_vec());
    for (name, bytes, status, says) in [
        (
            "photo.jpg",
            b"<html><script>alert(1)</script></html>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "HTML",
        ),
        (
            "photo.jpg",
            b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "SVG",
        ),
        (
            "bomb.jpg",
            b"PK\x03\x04\x14\0\0\0\x08\0aaaa".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "application/zip",
        ),
        (
            "huge.png",
            png_claiming(60_000, 60_000),
            StatusCode::PAYLOAD_TOO_LARGE,
            "60000 × 60000",
        ),
        (
            "broken.jpg",
            vec![
                0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1,
            ],
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot be read",
        ),
    ] {
        // A good file beside the bad one is not kept either.
        let r = upload(&app, &agent, id, vec![good(), part(name, bytes)]).await;
        let p = problem(r, status).await;
        assert!(p["detail"].as_str().unwrap().contains(says), "{name}: {p}");
    }
    // More than 20 MB.
    let big = vec![0u8; 20 * 1024 * 1024 + 1];
    let p = problem(
        upload(&app, &agent, id, vec![part("big.pdf", big)]).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("20 MB"), "{p}");
    // More than 10 files.
    let p = problem(
        upload(&app, &agent, id, (0..11).map(|_| good()).collect()).await,
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("10 files"), "{p}");
    // No file at all (only another field), and a body that is not multipart.
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/attachments")))
        .bearer_auth(&agent)
        .multipart(Form::new().text("note", "见附件"))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let r = app
        .post(
            &agent,
            &format!("/api/v1/cases/{id}/attachments"),
            &serde_json::json!({}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);

    let shown = app.case(&agent, id).await;
    assert_eq!(shown["attachments"], serde_json::json!([]));
    assert!(!app
        .history(&agent, id)
        .await
        .iter()
        .any(|e| e["action"] == "attach"));
}

on_both_backends!(
    photos_and_pdfs_are_attached_and_served_as_each_reader_may_see_them,
    only_those_who_may_see_the_case_reach_its_files,
    bad_files_are_refused_and_nothing_is_stored,
);
