//! Evidence in a real browser (Debian's headless Chromium over WebDriver): the customer adds
//! photos on their status page, the agent adds more on the case page, both see thumbnails
//! that open full size, a file that is not what its name says is refused in place, and the
//! parcel's tracking is on the case page. Skipped, saying so, without Chromium; `.ci/run`
//! requires it. Screenshots go to `target/browser-screenshots/`.

#[path = "browser_kit/mod.rs"]
#[allow(dead_code)]
mod browser_kit;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use browser_kit::Browser;
use fantoccini::Locator;
use helpers::TestApp;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A JPEG of `w` × `h` pixels in a colour of its own, written to `dir/name`.
fn photo(dir: &Path, name: &str, w: u32, h: u32, tint: u8) -> PathBuf {
    let picture = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([tint, ((x * 255) / w) as u8, ((y * 255) / h) as u8])
    });
    let path = dir.join(name);
    picture.save(&path).unwrap();
    path
}

/// Waits until `css` matches `n` elements.
async fn wait_count(b: &Browser, css: &str, n: usize) {
    for _ in 0..200 {
        let found = b.client.find_all(Locator::Css(css)).await.unwrap().len();
        if found == n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{css}: expected {n}");
}

/// Picks `files` in the upload form and sends it (the page's script uploads with progress
/// and reloads at the files).
async fn upload(b: &Browser, files: &[&Path]) {
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let input = b.wait_for("form.upload input[type=file]").await;
    input.send_keys(&paths.join("\n")).await.unwrap();
    b.click("form.upload button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_and_agent_upload_photos_and_see_thumbnails_that_open_full_size() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    app.user("amy", "agent", None).await;
    let dir = tempfile::tempdir().unwrap();
    let unboxing = photo(dir.path(), "开箱照片.jpg", 1600, 1200, 200);
    let label = photo(dir.path(), "面单.jpg", 900, 1200, 40);
    let inspection = photo(dir.path(), "质检.jpg", 1200, 900, 120);
    let fake = dir.path().join("假照片.jpg");
    std::fs::write(&fake, "<html><script>alert(1)</script></html>").unwrap();

    // The order, its parcel and what the carrier reported of it.
    let order = json!({
        "shop": "旗舰店", "buyer": {"name": "李雷", "phone": "13900001111", "address": "上海市浦东新区世纪大道1号"},
        "placed_at": "2026-11-20T10:00:00+08:00", "payment_method": "alipay",
        "lines": [{"line_id": "A", "sku": "CUP", "name": "玻璃杯", "spec": "2只装", "unit_price_cents": 5900, "quantity": 1}],
        "discounts": [], "points_cents": 0, "shipping_cents": 0,
        "shipments": [{"carrier": "yto", "tracking_no": "YT8800001111", "shipped_at": "2026-11-20T18:00:00+08:00",
                       "lines": [{"line_id": "A", "quantity": 1}]}]
    });
    assert!(app
        .put_order(&admin, "TB20261120777", &order)
        .await
        .status()
        .is_success());
    let events = json!([
        {"carrier": "yto", "tracking_no": "YT8800001111", "at": "2026-11-21T08:00:00+08:00", "status": "in_transit", "location": "杭州转运中心", "text": "快件已到达杭州转运中心"},
        {"carrier": "yto", "tracking_no": "YT8800001111", "at": "2026-11-22T15:30:00+08:00", "status": "delivered", "location": "上海浦东", "text": "已签收，签收人：本人"}
    ]);
    assert!(app
        .post(&admin, "/api/v1/tracking/events", &events)
        .await
        .status()
        .is_success());

    // The customer files a complaint and opens their status page.
    let (_, _, link) = helpers::file_public_complaint(
        &app.url(""),
        &[
            ("name", "李雷"),
            ("phone", "13900001111"),
            ("order_no", "TB20261120777"),
            ("category", "damaged"),
            ("demand", "reship"),
            ("description", "玻璃杯到货就碎了一只，外箱有压痕"),
        ],
    )
    .await;
    b.client
        .goto(&app.url(&format!("/s/{link}")))
        .await
        .unwrap();
    b.wait_for("#evidence form.upload").await;
    upload(&b, &[&unboxing, &label]).await;
    wait_count(&b, "#evidence li.file img", 2).await;
    let names = b.text("#evidence ul.files").await;
    assert!(
        names.contains("开箱照片.jpg") && names.contains("面单.jpg"),
        "{names}"
    );
    b.scroll_to("#evidence").await;
    b.shots("30-status-page-photos").await;

    // A file that is not what its name says is refused in place, nothing stored.
    upload(&b, &[&fake]).await;
    let refusal = b.wait_for("form.upload .upload-error:not([hidden])").await;
    let said = refusal.text().await.unwrap();
    assert!(
        said.contains("不接受") && said.contains("假照片.jpg"),
        "the refusal says which file and why: {said}"
    );
    assert_eq!(
        b.client
            .find_all(Locator::Css("#evidence li.file"))
            .await
            .unwrap()
            .len(),
        2
    );
    b.shot("31-status-page-refused").await;

    // The agent sees the customer's photos on the case page and adds one of their own.
    b.sign_in(&app, "amy").await;
    b.client.goto(&app.url("/cases/1")).await.unwrap();
    wait_count(&b, "#evidence li.file img", 2).await;
    upload(&b, &[&inspection]).await;
    wait_count(&b, "#evidence li.file img", 3).await;
    let panel = b.text("#evidence").await;
    assert!(
        panel.contains("顾客上传") && panel.contains("客服上传"),
        "{panel}"
    );
    // The parcel's story: newest first, the carrier's words.
    let story = b.text("#parcels").await;
    assert!(
        story.contains("圆通速递") && story.contains("YT8800001111"),
        "{story}"
    );
    let signed = story.find("已签收").expect("delivered shown");
    let transit = story.find("杭州转运中心").expect("in transit shown");
    assert!(signed < transit, "newest first: {story}");
    b.scroll_to("#evidence").await;
    b.shots("32-case-evidence").await;
    b.scroll_to("#parcels").await;
    b.shot("33-case-parcels").await;
    // The history says who added what.
    assert!(b.text("ol.timeline").await.contains("质检.jpg"));

    // A thumbnail opens the photo full size.
    let href = b
        .wait_for("#evidence li.file a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    b.client.goto(&app.url(&href)).await.unwrap();
    b.wait_for("img").await;
    let width = b
        .client
        .execute("return document.querySelector('img').naturalWidth", vec![])
        .await
        .unwrap();
    assert_eq!(width.as_i64(), Some(1600), "the full-size photo");
    b.shot("34-photo-full-size").await;
    b.client.clone().close().await.ok();
}
