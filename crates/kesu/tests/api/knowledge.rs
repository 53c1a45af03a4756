//! Product knowledge on a real server: who may edit, the articles a case shows for its
//! order's SKUs and category, Chinese search, versions, and product-sheet imports (Excel and
//! GBK CSV) that are taken whole or not at all.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, fields, page_text, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_case_shows_the_knowledge_for_its_skus_and_category_and_search_finds_chinese_words,
    edits_are_versions_written_over_the_one_read,
    a_product_sheet_becomes_one_article_per_sku_whole_or_not_at_all,
);

fn order() -> Value {
    json!({
        "shop": "tmall-main", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-18T09:00:00+08:00", "paid_at": "2026-11-18T09:01:00+08:00",
        "lines": [{"line_id": "A", "sku": "TEE-L-BLUE", "name": "纯棉T恤", "unit_price_cents": 12900, "quantity": 1},
                  {"line_id": "B", "sku": "MUG-01", "name": "陶瓷杯", "unit_price_cents": 3900, "quantity": 1}]
    })
}

async fn add(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post(token, "/api/v1/knowledge", &body).await;
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{v}");
    v
}

async fn titles(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let list: Vec<Value> = app.get(token, path).await.json().await.unwrap();
    list.iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_case_shows_the_knowledge_for_its_skus_and_category_and_search_finds_chinese_words(
    app: TestApp,
) {
    let agent = app.user("amy", "agent", None).await;
    let quality = app.user("qa", "department", Some("quality")).await;
    let tee = json!({"kind": "sku", "title": "纯棉T恤 蓝色 L", "skus": ["TEE-L-BLUE"],
                     "body": "尺码：L 胸围108cm\n材质：精梳棉，新面料手感略硬\n已知问题：首次洗涤轻微缩水"});
    // Agents do not edit knowledge until the admin lets them.
    problem(
        app.post(&agent, "/api/v1/knowledge", &tee).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    add(&app, &quality, tee).await;
    add(
        &app,
        &quality,
        json!({"kind": "sku", "title": "保温杯", "skus": ["CUP-9"], "body": "材质：不锈钢"}),
    )
    .await;
    add(
        &app,
        &quality,
        json!({"kind": "scenario", "title": "破损件的处理", "categories": ["damaged"],
                               "body": "请顾客拍摄外箱与商品照片，先补发再向快递索赔"}),
    )
    .await;
    add(
        &app,
        &quality,
        json!({"kind": "policy", "title": "价保规则", "body": "下单后15天内降价可申请价保差额"}),
    )
    .await;
    // A second article for the same SKU is refused: edit the one it has.
    let twice = json!({"kind": "sku", "title": "again", "skus": ["TEE-L-BLUE"], "body": "…"});
    problem(
        app.post(&quality, "/api/v1/knowledge", &twice).await,
        StatusCode::CONFLICT,
    )
    .await;
    let bad = json!({"kind": "sku", "title": "", "skus": ["A", "B"], "body": "x"});
    let p = problem(
        app.post(&quality, "/api/v1/knowledge", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["title"], "{p}");

    assert!(app
        .put_order(&agent, "TB20261111001", &order())
        .await
        .status()
        .is_success());
    let case = app.register(&agent, &complaint()).await; // category: damaged
    let id = case["id"].as_i64().unwrap();
    let on_case = titles(&app, &agent, &format!("/api/v1/cases/{id}/knowledge")).await;
    assert_eq!(on_case, ["纯棉T恤 蓝色 L", "破损件的处理"]);
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains("商品知识") && page.contains("首次洗涤轻微缩水"),
        "{page}"
    );

    // Chinese words are found inside the text, SKUs whole; every word must match.
    assert_eq!(
        titles(&app, &agent, "/api/v1/knowledge?q=缩水").await,
        ["纯棉T恤 蓝色 L"]
    );
    assert_eq!(
        titles(&app, &agent, "/api/v1/knowledge?q=cup-9").await,
        ["保温杯"]
    );
    assert_eq!(
        titles(&app, &agent, "/api/v1/knowledge?q=价保").await,
        ["价保规则"]
    );
    assert!(titles(&app, &agent, "/api/v1/knowledge?q=缩水 不锈钢")
        .await
        .is_empty());
    assert_eq!(titles(&app, &agent, "/api/v1/knowledge").await.len(), 4);
    // A new article is found at once.
    add(
        &app,
        &quality,
        json!({"kind": "product", "title": "羽绒服系列", "skus": ["DOWN-1", "DOWN-2"],
                               "body": "含绒量90%，钻绒属正常现象"}),
    )
    .await;
    assert_eq!(
        titles(&app, &agent, "/api/v1/knowledge?q=钻绒").await,
        ["羽绒服系列"]
    );
    // Once the admin lets agents edit, they may.
    let admin = app.admin().await;
    let r = app
        .put(
            &admin,
            "/api/v1/knowledge/editors",
            &json!({"roles": ["agent", "supervisor"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.put(
            &agent,
            "/api/v1/knowledge/editors",
            &json!({"roles": ["agent"]}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    add(
        &app,
        &agent,
        json!({"kind": "scenario", "title": "台风停发", "body": "…"}),
    )
    .await;
    problem(
        app.post(
            &quality,
            "/api/v1/knowledge",
            &json!({"kind": "policy", "title": "x", "body": "y"}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn edits_are_versions_written_over_the_one_read(app: TestApp) {
    let sup = app.user("sue", "supervisor", None).await;
    let a = add(
        &app,
        &sup,
        json!({"kind": "policy", "title": "发票", "body": "电子发票在确认收货后开具"}),
    )
    .await;
    let path = format!("/api/v1/knowledge/{}", a["id"]);
    let edit = |version: i64, body: &str| json!({"version": version, "kind": "policy", "title": "发票", "body": body});
    let r = app
        .put(&sup, &path, &edit(1, "电子发票在确认收货后24小时内开具"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(saved["version"], 2);
    // Someone who read version 1 cannot overwrite version 2 unseen.
    problem(
        app.put(&sup, &path, &edit(1, "旧的改法")).await,
        StatusCode::CONFLICT,
    )
    .await;
    let all: Value = app.get(&sup, &path).await.json().await.unwrap();
    assert_eq!(all["article"]["body"], "电子发票在确认收货后24小时内开具");
    let versions: Vec<(i64, &str)> = all["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["version"].as_i64().unwrap(), v["body"].as_str().unwrap()))
        .collect();
    assert_eq!(
        versions,
        [
            (2, "电子发票在确认收货后24小时内开具"),
            (1, "电子发票在确认收货后开具")
        ]
    );
    problem(
        app.put(&sup, "/api/v1/knowledge/999", &edit(1, "x")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> reqwest::Response {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_owned()));
    app.client
        .post(app.url("/api/v1/knowledge/import"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn a_product_sheet_becomes_one_article_per_sku_whole_or_not_at_all(app: TestApp) {
    let qa = app.user("qa", "department", Some("quality")).await;
    let sheet = xlsx(&[
        &[
            "商品编码",
            "商品名称",
            "尺码",
            "面料",
            "洗涤说明",
            "已知问题",
        ],
        &[
            "TEE-L-BLUE",
            "纯棉T恤",
            "L：胸围108",
            "100%棉",
            "30°C以下水洗",
            "",
        ],
        &["", "", "", "", "", ""],
        &["MUG-01", "陶瓷杯", "", "陶瓷", "可用洗碗机", "杯口偶有毛刺"],
    ]);
    let r = upload(&app, &qa, "商品资料.xlsx", sheet).await;
    let done: Value = r.json().await.unwrap();
    assert_eq!(done, json!({"added": 2, "updated": 0, "unchanged": 0}));
    let found: Vec<Value> = app
        .get(&qa, "/api/v1/knowledge?q=MUG-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["title"], "陶瓷杯（MUG-01）");
    assert_eq!(
        found[0]["body"],
        "材质：陶瓷\n洗护与使用：可用洗碗机\n已知问题：杯口偶有毛刺"
    );
    // Again, from GBK CSV, with one SKU changed: a new version of it, the other left alone.
    let csv = "商品编码,商品名称,尺码,面料,洗涤说明,已知问题\n\
               TEE-L-BLUE,纯棉T恤,L：胸围108,100%棉,30°C以下水洗,\n\
               MUG-01,陶瓷杯,,陶瓷,不可用洗碗机,杯口偶有毛刺\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let done: Value = upload(&app, &qa, "products.csv", gbk.into_owned())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done, json!({"added": 0, "updated": 1, "unchanged": 1}));
    let mug: Vec<Value> = app
        .get(&qa, "/api/v1/knowledge?q=MUG-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mug[0]["version"], 2);
    // One bad row refuses the whole sheet, naming it; nothing is added.
    let bad = "sku,material\nNEW-1,棉\nBAD SKU,麻\nNEW-2,\n";
    let p = problem(
        upload(&app, &qa, "bad.csv", bad.as_bytes().to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["rows[3].sku", "rows[4]"], "{p}");
    assert_eq!(titles(&app, &qa, "/api/v1/knowledge").await.len(), 2);
    let p = problem(
        upload(
            &app,
            &qa,
            "x.csv",
            "名称,材质\n杯子,瓷\n".as_bytes().to_vec(),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["file"]);
    let p = problem(
        upload(&app, &qa, "x.xlsx", b"PK\x03\x04junk".to_vec()).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["file"]);
    // Agents may not import.
    let agent = app.user("amy", "agent", None).await;
    problem(
        upload(&app, &agent, "a.csv", b"sku,material\nA,b\n".to_vec()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
