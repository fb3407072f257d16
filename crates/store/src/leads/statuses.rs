//! The lead status picklist: reading it, how many leads each status holds, and
//! the admin's edits (labels, order, the closed flag, new and removed statuses).

use std::collections::BTreeMap;

use openprm_domain::{DomainError, Viewer, leads::LeadStatus};

pub use openprm_domain::lead_statuses::{
    CONVERTED_KEY, KEY_MAX_CHARS, LABEL_MAX_CHARS, MAX_STATUSES, in_order, is_valid_key,
    validate_statuses,
};

use crate::{
    Store, StoreError,
    audit::audit,
    on_db,
    scope::{bind_scope, lead_clause},
    write_tx,
};

#[derive(sqlx::FromRow)]
struct StatusRow {
    key: String,
    label_en: String,
    label_da: String,
    closed: bool,
    converted: bool,
    qualified: bool,
    position: i32,
}

/// The refusal for removing a status that leads still use, or the converted one.
fn cannot_remove(key: &str, message_key: &str) -> StoreError {
    DomainError::field(&format!("removed.{key}"), message_key).into()
}

impl Store {
    /// Every status, in the order the picklist shows them.
    pub async fn lead_statuses(&self) -> Result<Vec<LeadStatus>, StoreError> {
        let sql = "SELECT key, label_en, label_da, closed, converted, qualified, position FROM lead_statuses ORDER BY position, key";
        let rows: Vec<StatusRow> = on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| LeadStatus {
                key: r.key,
                label_en: r.label_en,
                label_da: r.label_da,
                closed: r.closed,
                converted: r.converted,
                qualified: r.qualified,
                position: r.position,
            })
            .collect())
    }

    /// How many leads the caller can see are in each status (statuses without
    /// leads are left out). The admin sees every lead, so the admin console
    /// learns which statuses are in use.
    pub async fn lead_status_usage(
        &self,
        viewer: &Viewer,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let clause = lead_clause(viewer, "l", 1);
        let sql = format!(
            "SELECT l.status, COUNT(*) FROM leads l WHERE {} GROUP BY l.status",
            clause.sql
        );
        let rows: Vec<(String, i64)> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql);
            bind_scope!(q, clause).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().collect())
    }

    /// Replaces the picklist (admins), in one transaction with its audit entry.
    ///
    /// Statuses are matched by key: a known key is relabelled, reordered or
    /// (un)closed; a new key is added; a key left out is removed, unless it is
    /// [`CONVERTED_KEY`] or a lead is in it (`removed.<key>` with
    /// `error-status-converted-required` or `error-status-in-use`). The order is
    /// that of `position` (ties: the order sent), stored as 10, 20, 30…
    #[tracing::instrument(skip_all, fields(count = statuses.len()))]
    pub async fn save_lead_statuses(
        &self,
        viewer: &Viewer,
        statuses: &[LeadStatus],
    ) -> Result<(), StoreError> {
        viewer.may_administer()?;
        validate_statuses(statuses)?;
        let statuses = in_order(statuses);
        let now = self.now();
        write_tx!(self, tx => {
            let existing: Vec<(String,)> = sqlx::query_as("SELECT key FROM lead_statuses ORDER BY key")
                .fetch_all(&mut *tx)
                .await?;
            let removed: Vec<String> = existing
                .into_iter()
                .map(|(key,)| key)
                .filter(|key| !statuses.iter().any(|s| &s.key == key))
                .collect();
            for key in &removed {
                if key == CONVERTED_KEY {
                    return Err(cannot_remove(key, "error-status-converted-required"));
                }
                let (used,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM leads WHERE status = $1")
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                if used > 0 {
                    return Err(cannot_remove(key, "error-status-in-use"));
                }
                // A lead given this status since the count (another instance,
                // PostgreSQL) makes the foreign key refuse: the same answer.
                sqlx::query("DELETE FROM lead_statuses WHERE key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                            cannot_remove(key, "error-status-in-use")
                        }
                        _ => StoreError::from(e),
                    })?;
            }
            for status in &statuses {
                sqlx::query(
                    "INSERT INTO lead_statuses (key, label_en, label_da, closed, converted, position, qualified) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key) DO UPDATE SET label_en = excluded.label_en, \
                     label_da = excluded.label_da, closed = excluded.closed, converted = excluded.converted, \
                     position = excluded.position, qualified = excluded.qualified",
                )
                .bind(&status.key)
                .bind(&status.label_en)
                .bind(&status.label_da)
                .bind(status.closed)
                .bind(status.converted)
                .bind(status.position)
                .bind(status.qualified)
                .execute(&mut *tx)
                .await?;
            }
            let keys: Vec<&str> = statuses.iter().map(|s| s.key.as_str()).collect();
            let mut detail = keys.join(", ");
            if !removed.is_empty() {
                detail.push_str(&format!("; removed {}", removed.join(", ")));
            }
            audit!(&mut *tx, now, Some(viewer.user_id), "lead_statuses.update", "lead_statuses", "all", detail);
        });
        Ok(())
    }
}
