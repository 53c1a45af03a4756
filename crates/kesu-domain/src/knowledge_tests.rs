use super::*;

fn form(kind: ArticleKind, skus: &[&str]) -> ArticleForm {
    ArticleForm {
        kind,
        title: "纯棉T恤 蓝色".into(),
        body: "尺码：S/M/L\n材质：100%棉".into(),
        skus: skus.iter().map(|s| s.to_string()).collect(),
        categories: vec![],
    }
}

#[test]
fn a_sku_article_names_exactly_one_sku() {
    assert!(form(ArticleKind::Sku, &["TEE-L"]).parse().is_ok());
    let e = form(ArticleKind::Sku, &["TEE-L", "TEE-M"])
        .parse()
        .unwrap_err();
    assert_eq!(e[0].field, "skus");
    assert!(form(ArticleKind::Product, &["TEE-L", "TEE-M"])
        .parse()
        .is_ok());
    assert!(form(ArticleKind::Policy, &[]).parse().is_ok());
}

#[test]
fn bad_skus_and_empty_text_are_named() {
    let mut f = form(ArticleKind::Product, &["TEE L"]);
    f.body = "  ".into();
    let fields: Vec<String> = f
        .parse()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["body", "skus"]);
}

#[test]
fn an_article_applies_by_sku_or_category() {
    let skus = vec!["TEE-L".to_owned()];
    assert!(applies(&skus, &[], &["MUG", "TEE-L"], Category::Quality));
    assert!(!applies(&skus, &[], &["MUG"], Category::Quality));
    assert!(applies(
        &[],
        &[Category::Logistics],
        &[],
        Category::Logistics
    ));
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_product_sheet_row_becomes_a_sku_article() {
    let cols = sheet_columns(&strings(&[
        "商品编码",
        "商品名称",
        "尺码",
        "面料",
        "洗涤说明",
        "备注",
    ]))
    .unwrap();
    let a = sheet_row(
        &cols,
        &strings(&[
            "TEE-L",
            "纯棉T恤",
            "L：胸围108",
            "100%棉",
            "30°C以下水洗",
            "x",
        ]),
        2,
    )
    .unwrap()
    .unwrap();
    assert_eq!(a.kind, ArticleKind::Sku);
    assert_eq!(a.skus, ["TEE-L"]);
    assert_eq!(a.title, "纯棉T恤（TEE-L）");
    assert_eq!(
        a.body,
        "尺码：L：胸围108\n材质：100%棉\n洗护与使用：30°C以下水洗"
    );
}

#[test]
fn headers_are_read_in_either_language_and_a_sheet_needs_a_sku_column() {
    assert_eq!(SheetColumn::of(" SKU "), Some(SheetColumn::Sku));
    assert_eq!(
        SheetColumn::of("Known_Issues"),
        Some(SheetColumn::KnownIssues)
    );
    assert_eq!(SheetColumn::of("材质："), Some(SheetColumn::Material));
    assert_eq!(
        sheet_columns(&strings(&["名称", "尺码"]))
            .unwrap_err()
            .field,
        "file"
    );
}

#[test]
fn blank_rows_are_skipped_and_bad_rows_named_by_line() {
    let cols = sheet_columns(&strings(&["sku", "material"])).unwrap();
    assert_eq!(sheet_row(&cols, &strings(&["", " "]), 3).unwrap(), None);
    assert_eq!(
        sheet_row(&cols, &strings(&["A B", "棉"]), 4)
            .unwrap_err()
            .field,
        "rows[4].sku"
    );
    assert_eq!(
        sheet_row(&cols, &strings(&["AB", ""]), 5)
            .unwrap_err()
            .field,
        "rows[5]"
    );
}

#[test]
fn admins_always_edit_and_others_as_allowed() {
    assert!(may_edit(Role::Admin, &[]));
    assert!(may_edit(Role::Department, &DEFAULT_EDITORS));
    assert!(!may_edit(Role::Agent, &DEFAULT_EDITORS));
    assert!(may_edit(Role::Agent, &[Role::Agent]));
}
