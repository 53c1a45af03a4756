//! Product knowledge (知识库): articles per SKU, product, policy and scenario, edited by the
//! roles the admin allows, every version kept, found with the cases' Chinese search, shown on
//! a case for its order's SKUs and its category, imported from a product sheet.

use chrono::{DateTime, Utc};
use kesu_domain::knowledge::{self, ArticleForm, DEFAULT_EDITORS};
use kesu_domain::order::Order;
use kesu_domain::{FieldError, Permission, Problem, Role};
use kesu_search::KnowledgeSearch;
use kesu_store::{Article, ArticleVersion, By, CaseRecord, KnowledgeImport, Store, User};

use crate::error::{AppError, AppResult};

/// The roles that may edit knowledge (admins always may).
pub async fn editors(store: &Store) -> AppResult<Vec<Role>> {
    Ok(store
        .knowledge_editors()
        .await?
        .unwrap_or_else(|| DEFAULT_EDITORS.to_vec()))
}

/// Sets the roles that may edit knowledge (admins).
pub async fn set_editors(
    store: &Store,
    caller: &User,
    roles: Vec<Role>,
    now: DateTime<Utc>,
) -> AppResult<Vec<Role>> {
    crate::require(
        caller,
        Permission::ConfigureDesk,
        "choose who edits knowledge",
    )?;
    let mut roles: Vec<Role> = roles.into_iter().filter(|r| *r != Role::Admin).collect();
    roles.sort_by_key(|r| r.code());
    roles.dedup();
    store
        .set_knowledge_editors(&roles, By::new(&caller.username, now))
        .await?;
    Ok(roles)
}

/// 403 unless `caller` may edit knowledge (checked before anything sent is read).
pub async fn require_editor(store: &Store, caller: &User) -> AppResult<()> {
    if knowledge::may_edit(caller.role, &editors(store).await?) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{} may not edit knowledge (the admin chooses who may)",
            caller.role.code()
        )))
    }
}

/// Adds an article.
pub async fn add(
    store: &Store,
    caller: &User,
    form: ArticleForm,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    require_editor(store, caller).await?;
    let article = form.parse().map_err(AppError::Invalid)?;
    Ok(store.add_article(&article, &caller.username, now).await?)
}

/// Saves a new version of article `id`, written over `version`.
pub async fn edit(
    store: &Store,
    caller: &User,
    id: i64,
    version: i64,
    form: ArticleForm,
    now: DateTime<Utc>,
) -> AppResult<Article> {
    require_editor(store, caller).await?;
    let article = form.parse().map_err(AppError::Invalid)?;
    store
        .edit_article(id, version, &article, &caller.username, now)
        .await?
        .ok_or_else(|| not_found(id))
}

fn not_found(id: i64) -> AppError {
    AppError::NotFound(format!("no article with id `{id}`"))
}

/// Article `id` with every version, newest first.
pub async fn article(store: &Store, id: i64) -> AppResult<(Article, Vec<ArticleVersion>)> {
    let article = store.article(id).await?.ok_or_else(|| not_found(id))?;
    Ok((article, store.article_versions(id).await?))
}

/// The articles matching `q` (Chinese words, a SKU), or every article when `q` is blank.
pub async fn find(store: &Store, search: &KnowledgeSearch, q: &str) -> AppResult<Vec<Article>> {
    if q.trim().is_empty() {
        return Ok(store.articles().await?);
    }
    search.find(store, q).await.map_err(|e| match e {
        kesu_search::SearchError::Store(s) => AppError::Store(s),
        other => AppError::Unavailable(format!("knowledge search: {other}")),
    })
}

/// The articles for case `record`: about one of its order's SKUs, or filed for its category.
pub async fn for_case(
    store: &Store,
    record: &CaseRecord,
    order: Option<&Order>,
) -> AppResult<Vec<Article>> {
    let skus = order.map(Order::skus).unwrap_or_default();
    Ok(store.articles_for(&skus, record.case.category).await?)
}

/// The articles for case `id`, for a caller who may see it.
pub async fn on_case(store: &Store, caller: &User, id: i64) -> AppResult<Vec<Article>> {
    let record = crate::cases::visible_case(store, &caller.actor(), id).await?;
    let order = match &record.case.order_no {
        Some(no) => store.order(no).await?,
        None => None,
    };
    for_case(store, &record, order.as_ref()).await
}

/// Imports a product sheet (CSV or .xlsx; one row per SKU, the first row naming the
/// columns): every row is checked first, and one bad row refuses the whole sheet, each bad
/// row named; then everything is written in one transaction.
pub async fn import_sheet(
    store: &Store,
    caller: &User,
    file_name: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> AppResult<KnowledgeImport> {
    require_editor(store, caller).await?;
    let rows = kesu_import::sheet::read_sheet(file_name, bytes).map_err(|e| {
        AppError::Invalid(vec![FieldError::explained(
            "file",
            Problem::Format,
            format!("{e:#}"),
        )])
    })?;
    let Some((headers, body)) = rows.split_first() else {
        return Err(AppError::invalid("file", Problem::Empty));
    };
    let columns = knowledge::sheet_columns(headers).map_err(|e| AppError::Invalid(vec![e]))?;
    let mut articles = Vec::with_capacity(body.len());
    let mut lines = Vec::with_capacity(body.len());
    let mut errors = Vec::new();
    for (i, row) in body.iter().enumerate() {
        // Line numbers as the shop's spreadsheet shows them: the header is line 1.
        match knowledge::sheet_row(&columns, row, i + 2) {
            Ok(Some(a)) => {
                articles.push(a);
                lines.push(i + 2);
            }
            Ok(None) => {}
            Err(e) if errors.len() < 50 => errors.push(e),
            Err(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    if articles.is_empty() {
        return Err(AppError::invalid("file", Problem::Empty));
    }
    let mut seen = std::collections::HashSet::new();
    for (line, a) in lines.iter().zip(&articles) {
        if !seen.insert(a.skus[0].clone()) {
            return Err(AppError::Invalid(vec![FieldError::explained(
                &format!("rows[{line}].sku"),
                Problem::Twice {
                    value: a.skus[0].clone(),
                },
                "the sheet names this SKU twice",
            )]));
        }
    }
    Ok(store
        .import_sku_articles(&articles, &caller.username, now)
        .await?)
}
