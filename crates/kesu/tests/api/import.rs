//! `kesu import orders`: JSON Lines and CSV (UTF-8 or GBK), bad rows reported and skipped whole.

use std::path::Path;
use std::process::Command;

use serde_json::json;

fn import(data: &Path, file: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .args(["import", "orders"])
        .arg(file)
        .arg("--data")
        .arg(data)
        .env_remove("KESU_DATABASE_URL")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

async fn store(data: &Path) -> kesu_store::Store {
    kesu_store::Store::connect(&kesu_store::sqlite_url_in(data))
        .await
        .unwrap()
}

fn order_line(no: &str, quantity: i64) -> String {
    let mut o = crate::orders::contract_order();
    o["order_no"] = json!(no);
    o["lines"][0]["quantity"] = json!(quantity);
    o["shipments"][0]["lines"][0]["quantity"] = json!(quantity.max(1));
    o.to_string()
}

#[tokio::test]
async fn json_lines_import_keeps_good_orders_and_names_the_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("orders.jsonl");
    let lines = [
        order_line("TB1", 2),
        "{\"order_no\": \"TB2\", \"shop\": ".to_owned(), // broken JSON
        order_line("TB3", 0),                            // quantity 0
        String::new(),
        order_line("TB4", 1),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let (ok, report) = import(&dir.path().join("data"), &file);
    assert!(!ok, "rejected rows make the exit code non-zero");
    assert!(
        report.contains("imported 2 orders (2 new, 0 replaced)"),
        "{report}"
    );
    assert!(report.contains("line 2:"), "{report}");
    assert!(
        report.contains("line 3 order TB3: lines[0].quantity:"),
        "{report}"
    );
    let s = store(&dir.path().join("data")).await;
    assert!(s.order("TB1").await.unwrap().is_some());
    assert!(
        s.order("TB3").await.unwrap().is_none(),
        "nothing of a bad order is stored"
    );
    assert_eq!(
        s.order("TB4").await.unwrap().unwrap().amounts.lines[0].quantity,
        1
    );
}

#[tokio::test]
async fn gbk_csv_is_detected_and_a_bad_row_sinks_only_its_order() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "order_no,shop,buyer_name,buyer_phone,placed_at,line_id,name,unit_price,quantity,shipping_cents,discounts,carrier,tracking_no\n\
               TB10,旗舰店,王小明,13812345678,2026-11-11 00:05:00,A,纯棉T恤,129.00,2,1000,c1:shop_coupon:2000:A,yto,YT1234567890\n\
               TB10,旗舰店,王小明,13812345678,2026-11-11 00:05:00,B,马克杯,39.9,1,1000,c1:shop_coupon:2000:A,yto,YT1234567890\n\
               TB11,旗舰店,李雷,,2026-11-12 10:00,A,毛巾,abc,1,,,,\n\
               TB12,家居店,韩梅梅,,2026-11-12 10:00,A,台灯,159,1,,,,\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(csv);
    assert!(!unmappable);
    let file = dir.path().join("export.csv");
    std::fs::write(&file, &gbk).unwrap();
    let (ok, report) = import(&dir.path().join("data"), &file);
    assert!(!ok);
    assert!(report.contains("(GBK)"), "{report}");
    assert!(report.contains("imported 2 orders"), "{report}");
    assert!(
        report.contains("line 4 order TB11: unit_price:"),
        "{report}"
    );
    let s = store(&dir.path().join("data")).await;
    let tb10 = s.order("TB10").await.unwrap().unwrap();
    assert_eq!(tb10.buyer.name.as_str(), "王小明");
    assert_eq!(tb10.amounts.lines[1].unit_price_cents, 3990);
    assert_eq!(tb10.amounts.lines[1].name.as_deref(), Some("马克杯"));
    assert_eq!(tb10.shipments.len(), 1);
    assert_eq!(tb10.shipments[0].lines.len(), 2);
    assert_eq!(
        tb10.placed_at.to_rfc3339(),
        "2026-11-10T16:05:00+00:00",
        "local China time"
    );
    assert!(s.order("TB11").await.unwrap().is_none());
}

#[test]
fn wrong_columns_and_binary_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.csv");
    std::fs::write(&file, "订单号,金额\nTB1,100\n").unwrap();
    let (ok, report) = import(&dir.path().join("data"), &file);
    assert!(!ok);
    assert!(
        report.contains("not an order export") && report.contains("missing"),
        "{report}"
    );
    let file = dir.path().join("photo.csv");
    std::fs::write(
        &file,
        [0xFFu8, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x80, 0x80, 0xFE],
    )
    .unwrap();
    let (ok, report) = import(&dir.path().join("data"), &file);
    assert!(!ok);
    assert!(report.contains("neither UTF-8 nor GBK"), "{report}");
    let file = dir.path().join("orders.txt");
    std::fs::write(&file, "x").unwrap();
    let (ok, report) = import(&dir.path().join("data"), &file);
    assert!(!ok && report.contains("--format"), "{report}");
}
