//! The lead status picklist.

use openprm_domain::leads::LeadStatus;

use crate::{Store, StoreError, on_db};

#[derive(sqlx::FromRow)]
struct StatusRow {
    key: String,
    label_en: String,
    label_da: String,
    closed: bool,
    converted: bool,
    position: i32,
}

impl Store {
    /// Every status, in the order the picklist shows them.
    pub async fn lead_statuses(&self) -> Result<Vec<LeadStatus>, StoreError> {
        let sql = "SELECT key, label_en, label_da, closed, converted, position FROM lead_statuses ORDER BY position, key";
        let rows: Vec<StatusRow> = on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| LeadStatus {
                key: r.key,
                label_en: r.label_en,
                label_da: r.label_da,
                closed: r.closed,
                converted: r.converted,
                position: r.position,
            })
            .collect())
    }
}
