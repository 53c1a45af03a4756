//! A consistent copy of the SQLite database while the server runs and writes. (PostgreSQL is
//! copied with `pg_dump`, by the `kesu backup` command.)

use std::path::Path;

use crate::{Backend, Result, Store, StoreError};

impl Store {
    /// Writes the whole database, as of one moment, to the new file `path`: `VACUUM INTO`
    /// reads a single snapshot beside the writer (WAL), so registrations go on meanwhile and
    /// everything committed before it began is in the copy.
    pub async fn backup_sqlite_into(&self, path: &Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Conflict(
                "a PostgreSQL database is backed up with pg_dump".into(),
            ));
        }
        let target = path.to_str().ok_or_else(|| {
            StoreError::Conflict(format!("the path {} is not valid UTF-8", path.display()))
        })?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.read)
            .await?;
        Ok(())
    }
}
