//! What the migrations built, read back from the database's own catalogue, so a
//! test can prove the two migration trees agree.

use std::collections::{BTreeMap, BTreeSet};

use crate::{Db, Store, StoreError};

impl Store {
    /// Every table (but the migration ledger) and its columns.
    pub async fn tables_and_columns(
        &self,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, StoreError> {
        let pairs: Vec<(String, String)> = match &self.db {
            Db::Sqlite(pool) => {
                sqlx::query_as(
                    "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
                )
                .fetch_all(pool)
                .await?
            }
            Db::Postgres(pool) => {
                sqlx::query_as(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
                )
                .fetch_all(pool)
                .await?
            }
        };
        let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (table, column) in pairs {
            tables.entry(table).or_default().insert(column);
        }
        Ok(tables)
    }
}
