//! Each user's saved queue views.

use sqlx::Row;

use crate::{Result, Store};

/// A view of the queue a user saved: its name and the queue's query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    pub name: String,
    pub query: String,
}

impl Store {
    /// `username`'s saved views, by name.
    pub async fn saved_views(&self, username: &str) -> Result<Vec<SavedView>> {
        let rows =
            sqlx::query("SELECT name, query FROM saved_views WHERE username = $1 ORDER BY name")
                .bind(username)
                .fetch_all(&self.read)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(SavedView {
                    name: r.try_get("name")?,
                    query: r.try_get("query")?,
                })
            })
            .collect()
    }

    /// Saves (or replaces) `username`'s view `name`.
    pub async fn save_view(&self, username: &str, view: &SavedView) -> Result<()> {
        sqlx::query(
            "INSERT INTO saved_views (username, name, query) VALUES ($1, $2, $3) \
             ON CONFLICT (username, name) DO UPDATE SET query = excluded.query",
        )
        .bind(username)
        .bind(&view.name)
        .bind(&view.query)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Removes `username`'s view `name`; whether there was one.
    pub async fn delete_view(&self, username: &str, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM saved_views WHERE username = $1 AND name = $2")
            .bind(username)
            .bind(name)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
