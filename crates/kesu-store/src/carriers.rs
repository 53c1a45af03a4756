//! The shop's carriers, kept by admins.

use kesu_domain::carriers::{Carrier, Carriers};
use sqlx::Row;

use crate::{Result, Store};

impl Store {
    /// Every carrier, by name.
    pub async fn carriers(&self) -> Result<Carriers> {
        let rows = sqlx::query("SELECT code, name FROM carriers ORDER BY name, code")
            .fetch_all(&self.read)
            .await?;
        let list = rows
            .iter()
            .map(|r| {
                Ok(Carrier {
                    code: r.try_get("code")?,
                    name: r.try_get("name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Carriers(list))
    }

    /// Adds a carrier, or renames the one with its code.
    pub async fn save_carrier(&self, carrier: &Carrier) -> Result<()> {
        sqlx::query(
            "INSERT INTO carriers (code, name) VALUES ($1, $2) \
             ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        )
        .bind(&carrier.code)
        .bind(&carrier.name)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Removes a carrier from the list (parcels already shipped with it keep their code and
    /// show the code); whether there was one.
    pub async fn delete_carrier(&self, code: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM carriers WHERE code = $1")
            .bind(code)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
