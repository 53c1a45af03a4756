//! Knowledge articles: each save is one transaction that writes the article, its version and
//! the SKUs it names, so the history of every article is complete.

use chrono::{DateTime, Utc};
use kesu_domain::codes::Category;
use kesu_domain::knowledge::{ArticleKind, NewArticle};
use sqlx::Row;

use crate::{from_millis, millis, Result, Store, StoreError};

/// An article as it stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Article {
    pub id: i64,
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    pub skus: Vec<String>,
    pub categories: Vec<Category>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// One earlier (or the current) version of an article.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ArticleVersion {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub skus: Vec<String>,
    pub categories: Vec<Category>,
    pub edited_by: String,
    pub edited_at: DateTime<Utc>,
}

/// What importing a product sheet did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct KnowledgeImport {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
}

const COLUMNS: &str =
    "id, kind, title, body, skus, categories, version, updated_by, updated_at, created_at";

fn json<T: serde::de::DeserializeOwned>(r: &sqlx::any::AnyRow, column: &str) -> Result<T> {
    let raw: String = r.try_get(column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::Corrupt(format!("article {column}: {e}")))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Article> {
    let kind: String = r.try_get("kind")?;
    Ok(Article {
        id: r.try_get("id")?,
        kind: ArticleKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("article kind `{kind}`")))?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        skus: json(r, "skus")?,
        categories: json(r, "categories")?,
        version: r.try_get("version")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: from_millis(r.try_get("updated_at")?),
        created_at: from_millis(r.try_get("created_at")?),
    })
}

/// The SKU that keys a SKU article (one per SKU).
fn sku_key(a: &NewArticle) -> Option<&str> {
    (a.kind == ArticleKind::Sku)
        .then(|| a.skus.first().map(String::as_str))
        .flatten()
}

async fn write_version(tx: &mut sqlx::AnyConnection, article: &Article) -> Result<()> {
    sqlx::query(
        "INSERT INTO knowledge_versions (article_id, version, title, body, skus, categories, \
         edited_by, edited_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(article.id)
    .bind(article.version)
    .bind(&article.title)
    .bind(&article.body)
    .bind(to_json(&article.skus)?)
    .bind(to_json(&article.categories)?)
    .bind(&article.updated_by)
    .bind(millis(article.updated_at))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM knowledge_skus WHERE article_id = $1")
        .bind(article.id)
        .execute(&mut *tx)
        .await?;
    for sku in &article.skus {
        sqlx::query("INSERT INTO knowledge_skus (article_id, sku) VALUES ($1, $2)")
            .bind(article.id)
            .bind(sku)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

async fn insert(
    tx: &mut sqlx::AnyConnection,
    a: &NewArticle,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Article> {
    let row = sqlx::query(&format!(
        "INSERT INTO knowledge_articles (kind, title, body, skus, categories, sku_key, version, \
         updated_by, updated_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $8) \
         RETURNING {COLUMNS}"
    ))
    .bind(a.kind.code())
    .bind(&a.title)
    .bind(&a.body)
    .bind(to_json(&a.skus)?)
    .bind(to_json(&a.categories)?)
    .bind(sku_key(a))
    .bind(by)
    .bind(millis(at))
    .fetch_one(&mut *tx)
    .await?;
    let article = from_row(&row)?;
    write_version(tx, &article).await?;
    Ok(article)
}

async fn update(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    expected_version: i64,
    a: &NewArticle,
    by: &str,
    at: DateTime<Utc>,
) -> Result<Option<Article>> {
    let row = sqlx::query(&format!(
        "UPDATE knowledge_articles SET kind = $1, title = $2, body = $3, skus = $4, \
         categories = $5, sku_key = $6, version = version + 1, updated_by = $7, updated_at = $8 \
         WHERE id = $9 AND version = $10 RETURNING {COLUMNS}"
    ))
    .bind(a.kind.code())
    .bind(&a.title)
    .bind(&a.body)
    .bind(to_json(&a.skus)?)
    .bind(to_json(&a.categories)?)
    .bind(sku_key(a))
    .bind(by)
    .bind(millis(at))
    .bind(id)
    .bind(expected_version)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let article = from_row(&row)?;
    write_version(tx, &article).await?;
    Ok(Some(article))
}

async fn sku_taken(tx: &mut sqlx::AnyConnection, a: &NewArticle, other_than: i64) -> Result<()> {
    let Some(key) = sku_key(a) else { return Ok(()) };
    let taken: Option<i64> =
        sqlx::query_scalar("SELECT id FROM knowledge_articles WHERE sku_key = $1 AND id <> $2")
            .bind(key)
            .bind(other_than)
            .fetch_optional(&mut *tx)
            .await?;
    match taken {
        Some(id) => Err(StoreError::Duplicate(format!(
            "SKU `{key}` already has its article (id {id}): edit that one"
        ))),
        None => Ok(()),
    }
}

impl Store {
    /// Adds an article.
    pub async fn add_article(
        &self,
        a: &NewArticle,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Article> {
        let mut tx = self.write.begin().await?;
        sku_taken(&mut tx, a, 0).await?;
        let article = insert(&mut tx, a, by, at).await?;
        tx.commit().await?;
        Ok(article)
    }

    /// Saves a new version of article `id`, if it still stands at `expected_version`
    /// (otherwise [`StoreError::StaleVersion`]); `None` when there is no such article.
    pub async fn edit_article(
        &self,
        id: i64,
        expected_version: i64,
        a: &NewArticle,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Article>> {
        let mut tx = self.write.begin().await?;
        if self.article_in(&mut tx, id).await?.is_none() {
            return Ok(None);
        }
        sku_taken(&mut tx, a, id).await?;
        let saved = update(&mut tx, id, expected_version, a, by, at)
            .await?
            .ok_or(StoreError::StaleVersion)?;
        tx.commit().await?;
        Ok(Some(saved))
    }

    async fn article_in(&self, tx: &mut sqlx::AnyConnection, id: i64) -> Result<Option<Article>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM knowledge_articles WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    pub async fn article(&self, id: i64) -> Result<Option<Article>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM knowledge_articles WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(from_row)
        .transpose()
    }

    /// Every version of article `id`, the newest first.
    pub async fn article_versions(&self, id: i64) -> Result<Vec<ArticleVersion>> {
        let rows = sqlx::query(
            "SELECT version, title, body, skus, categories, edited_by, edited_at \
             FROM knowledge_versions WHERE article_id = $1 ORDER BY version DESC",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ArticleVersion {
                    version: r.try_get("version")?,
                    title: r.try_get("title")?,
                    body: r.try_get("body")?,
                    skus: json(r, "skus")?,
                    categories: json(r, "categories")?,
                    edited_by: r.try_get("edited_by")?,
                    edited_at: from_millis(r.try_get("edited_at")?),
                })
            })
            .collect()
    }

    /// Every article (for the search index and the list), by id.
    pub async fn articles(&self) -> Result<Vec<Article>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM knowledge_articles ORDER BY id"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The articles about any of `skus` or filed for `category`: SKU articles first, then
    /// products, policies and scenarios.
    pub async fn articles_for(&self, skus: &[&str], category: Category) -> Result<Vec<Article>> {
        let mut found: Vec<Article> = Vec::new();
        for sku in skus {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM knowledge_articles WHERE id IN \
                 (SELECT article_id FROM knowledge_skus WHERE sku = $1)"
            ))
            .bind(*sku)
            .fetch_all(&self.read)
            .await?;
            for r in &rows {
                let a = from_row(r)?;
                if !found.iter().any(|f| f.id == a.id) {
                    found.push(a);
                }
            }
        }
        // Categories are few and lists short: read the category-tagged ones and filter.
        let tagged = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM knowledge_articles WHERE categories <> '[]'"
        ))
        .fetch_all(&self.read)
        .await?;
        for r in &tagged {
            let a = from_row(r)?;
            if a.categories.contains(&category) && !found.iter().any(|f| f.id == a.id) {
                found.push(a);
            }
        }
        found.sort_by_key(|a| (ArticleKind::ALL.iter().position(|k| *k == a.kind), a.id));
        Ok(found)
    }

    /// How the articles stand: their count and the sum of their versions, which every add
    /// and edit changes (articles are never deleted), to tell when a search index built
    /// from them is out of date.
    pub async fn knowledge_stamp(&self) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(version), 0) AS BIGINT) AS versions \
             FROM knowledge_articles",
        )
        .fetch_one(&self.read)
        .await?;
        let n: i64 = row.try_get("n")?;
        let versions: i64 = row.try_get("versions")?;
        Ok((n, versions))
    }

    /// Imports SKU articles from a product sheet in one transaction: a SKU without an
    /// article gets one, a SKU whose article says something else gets a new version, the
    /// same text is left alone.
    pub async fn import_sku_articles(
        &self,
        rows: &[NewArticle],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<KnowledgeImport> {
        let mut done = KnowledgeImport::default();
        let mut tx = self.write.begin().await?;
        for a in rows {
            let Some(key) = sku_key(a) else { continue };
            let existing = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM knowledge_articles WHERE sku_key = $1"
            ))
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            match existing.as_ref().map(from_row).transpose()? {
                None => {
                    insert(&mut tx, a, by, at).await?;
                    done.added += 1;
                }
                Some(old) if old.title == a.title && old.body == a.body => done.unchanged += 1,
                Some(old) => {
                    let kept = NewArticle {
                        categories: old.categories.clone(),
                        ..a.clone()
                    };
                    update(&mut tx, old.id, old.version, &kept, by, at)
                        .await?
                        .ok_or(StoreError::StaleVersion)?;
                    done.updated += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(done)
    }
}
