//! Product knowledge (知识库): what agents need at hand (seed 002) — sizes, materials, care and
//! usage, known issues per SKU or product; the shop's policies; how to handle a scenario. An
//! article is shown on a case when it names one of the order's SKUs or the case's category;
//! a product sheet (one row per SKU) becomes one article per SKU.

use serde::{Deserialize, Serialize};

use crate::codes::Category;
use crate::error::{FieldError, Problem};
use crate::role::Role;

/// The longest title kept.
pub const MAX_TITLE: usize = 200;
/// The most SKUs one article may name.
pub const MAX_SKUS: usize = 500;

/// What an article is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ArticleKind {
    /// One SKU: its sizes, material, care, known issues.
    Sku,
    /// A product with several SKUs.
    Product,
    /// A policy of the shop (returns, price protection, invoices…).
    Policy,
    /// How to handle a scenario (a parcel lost in a typhoon, a promotion gone wrong…).
    Scenario,
}

impl ArticleKind {
    pub const ALL: [ArticleKind; 4] = [
        ArticleKind::Sku,
        ArticleKind::Product,
        ArticleKind::Policy,
        ArticleKind::Scenario,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ArticleKind::Sku => "sku",
            ArticleKind::Product => "product",
            ArticleKind::Policy => "policy",
            ArticleKind::Scenario => "scenario",
        }
    }

    pub fn parse(code: &str) -> Option<ArticleKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }
}

/// The roles that edit knowledge until the admin says otherwise: those who know the goods
/// (departments) and those who lead the desk. Admins always may.
pub const DEFAULT_EDITORS: [Role; 2] = [Role::Supervisor, Role::Department];

/// Whether `role` may edit knowledge when `editors` are the roles the admin allowed.
pub fn may_edit(role: Role, editors: &[Role]) -> bool {
    role == Role::Admin || editors.contains(&role)
}

/// An article as its editor writes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticleForm {
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    /// The SKUs it is about (a SKU article names exactly one).
    #[serde(default)]
    pub skus: Vec<String>,
    /// The complaint categories it helps with (CONTRACT §3).
    #[serde(default)]
    pub categories: Vec<Category>,
}

/// An article checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewArticle {
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    pub skus: Vec<String>,
    pub categories: Vec<Category>,
}

impl ArticleForm {
    pub fn parse(self) -> Result<NewArticle, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = crate::text::required_within("title", &self.title, MAX_TITLE)
            .map_err(|e| errors.push(e))
            .ok();
        let body = crate::text::required("body", &self.body)
            .map_err(|e| errors.push(e))
            .ok();
        let skus = crate::text::identifiers("skus", &self.skus, 64, MAX_SKUS)
            .map_err(|e| errors.push(e))
            .unwrap_or_default();
        if self.kind == ArticleKind::Sku && skus.len() != 1 && errors.is_empty() {
            errors.push(FieldError::explained(
                "skus",
                Problem::Length { min: 1, max: 1 },
                "a SKU article is about exactly one SKU; use a product article for several",
            ));
        }
        let mut categories = self.categories;
        categories.sort();
        categories.dedup();
        match (title, body, errors.is_empty()) {
            (Some(title), Some(body), true) => Ok(NewArticle {
                kind: self.kind,
                title,
                body,
                skus,
                categories,
            }),
            _ => Err(errors),
        }
    }
}

/// Whether an article naming `skus` and `categories` helps with a case about `line_skus`
/// filed under `category`.
pub fn applies(
    skus: &[String],
    categories: &[Category],
    line_skus: &[&str],
    category: Category,
) -> bool {
    skus.iter().any(|s| line_skus.contains(&s.as_str())) || categories.contains(&category)
}

/// The columns of a product sheet kesu understands, by the names shops give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetColumn {
    Sku,
    Name,
    Sizes,
    Material,
    Care,
    KnownIssues,
}

impl SheetColumn {
    const NAMES: [(SheetColumn, &'static [&'static str]); 6] = [
        (
            SheetColumn::Sku,
            &["sku", "sku编码", "商品编码", "货号", "规格编码", "商家编码"],
        ),
        (
            SheetColumn::Name,
            &["name", "title", "商品名称", "商品标题", "名称", "品名"],
        ),
        (
            SheetColumn::Sizes,
            &["sizes", "size", "尺码", "尺寸", "规格", "尺码表"],
        ),
        (
            SheetColumn::Material,
            &["material", "materials", "材质", "面料", "成分"],
        ),
        (
            SheetColumn::Care,
            &[
                "care",
                "usage",
                "洗护",
                "保养",
                "使用方法",
                "使用说明",
                "洗涤说明",
            ],
        ),
        (
            SheetColumn::KnownIssues,
            &["known_issues", "issues", "已知问题", "常见问题", "注意事项"],
        ),
    ];

    /// The column a header names, ignoring case, spaces and a trailing colon.
    pub fn of(header: &str) -> Option<SheetColumn> {
        let h: String = header
            .trim()
            .trim_end_matches([':', '：'])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        Self::NAMES
            .iter()
            .find(|(_, names)| names.contains(&h.as_str()))
            .map(|(c, _)| *c)
    }

    /// The heading of this part in the article.
    fn heading(self) -> &'static str {
        match self {
            SheetColumn::Sku | SheetColumn::Name => "",
            SheetColumn::Sizes => "尺码",
            SheetColumn::Material => "材质",
            SheetColumn::Care => "洗护与使用",
            SheetColumn::KnownIssues => "已知问题",
        }
    }
}

/// Which column of the sheet holds what; a sheet without a SKU column cannot be read.
pub fn sheet_columns(headers: &[String]) -> Result<Vec<Option<SheetColumn>>, FieldError> {
    let columns: Vec<Option<SheetColumn>> = headers.iter().map(|h| SheetColumn::of(h)).collect();
    if !columns.contains(&Some(SheetColumn::Sku)) {
        return Err(FieldError::explained(
            "file",
            Problem::Required,
            "the sheet's first row must name a SKU column (sku, 商品编码, 货号…)",
        ));
    }
    Ok(columns)
}

/// One row of a product sheet as a SKU article; `None` for a blank row.
pub fn sheet_row(
    columns: &[Option<SheetColumn>],
    row: &[String],
    line: usize,
) -> Result<Option<NewArticle>, FieldError> {
    let cell = |want: SheetColumn| {
        columns
            .iter()
            .zip(row)
            .find(|(c, _)| **c == Some(want))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    if row.iter().all(|v| v.trim().is_empty()) {
        return Ok(None);
    }
    let field = format!("rows[{line}].sku");
    let sku = crate::text::identifier(&field, cell(SheetColumn::Sku).unwrap_or(""), 64)?;
    let parts: Vec<String> = [
        SheetColumn::Sizes,
        SheetColumn::Material,
        SheetColumn::Care,
        SheetColumn::KnownIssues,
    ]
    .into_iter()
    .filter_map(|c| cell(c).map(|v| format!("{}：{v}", c.heading())))
    .collect();
    if parts.is_empty() {
        return Err(FieldError::explained(
            &format!("rows[{line}]"),
            Problem::Empty,
            "the row has a SKU but nothing about it",
        ));
    }
    let title = cell(SheetColumn::Name).map_or_else(|| sku.clone(), |n| format!("{n}（{sku}）"));
    ArticleForm {
        kind: ArticleKind::Sku,
        title,
        body: parts.join("\n"),
        skus: vec![sku],
        categories: Vec::new(),
    }
    .parse()
    .map(Some)
    .map_err(|mut e| {
        let mut first = e.remove(0);
        first.field = format!("rows[{line}].{}", first.field);
        first
    })
}

#[cfg(test)]
#[path = "knowledge_tests.rs"]
mod tests;
