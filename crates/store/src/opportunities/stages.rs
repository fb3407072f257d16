//! The opportunity stage picklist: reading it, how many opportunities each
//! stage holds, and the admin's edits (labels, probabilities, outcomes, order,
//! new and removed stages).

use std::collections::BTreeMap;

use openprm_domain::{
    DomainError, Viewer,
    opportunity_stages::{OpportunityStage, StageOutcome, in_order, validate_stages},
};

use crate::{
    Store, StoreError,
    audit::audit,
    on_db,
    scope::{bind_scope, owned_record_clause},
    write_tx,
};

#[derive(sqlx::FromRow)]
struct StageRow {
    key: String,
    label_en: String,
    label_da: String,
    probability: i32,
    outcome: String,
    position: i32,
}

/// The refusal for removing a stage that opportunities are still in.
fn in_use(key: &str) -> StoreError {
    DomainError::field(&format!("removed.{key}"), "error-stage-in-use").into()
}

/// Reads a stage inside a write transaction and holds it there: an
/// opportunity written into it cannot lose it before commit. PostgreSQL's
/// `FOR KEY SHARE` makes a concurrent removal wait, and then find the stage in
/// use; SQLite's `BEGIN IMMEDIATE` already keeps every other writer out.
/// `$where` picks the stage; answers its key and probability, if it is there.
macro_rules! hold_stage {
    ($exec:expr, $backend:expr, $where:literal $(, $bind:expr)*) => {{
        let lock = match $backend {
            $crate::Backend::Postgres => " FOR KEY SHARE",
            $crate::Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT key, probability FROM opportunity_stages WHERE {} ORDER BY position, key LIMIT 1{lock}",
            $where
        );
        let row: Option<(String, i32)> = sqlx::query_as(&sql)
            $(.bind($bind))*
            .fetch_optional($exec)
            .await?;
        row
    }};
}
pub(crate) use hold_stage;

impl Store {
    /// Every stage, in the order the picklist shows them.
    pub async fn opportunity_stages(&self) -> Result<Vec<OpportunityStage>, StoreError> {
        let sql = "SELECT key, label_en, label_da, probability, outcome, position FROM opportunity_stages ORDER BY position, key";
        let rows: Vec<StageRow> = on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| OpportunityStage {
                key: r.key,
                label_en: r.label_en,
                label_da: r.label_da,
                probability: r.probability,
                // The table's CHECK allows only the three.
                outcome: StageOutcome::parse(&r.outcome).unwrap_or(StageOutcome::Open),
                position: r.position,
            })
            .collect())
    }

    /// How many opportunities the caller can see are in each stage (stages
    /// without any are left out).
    pub async fn opportunity_stage_usage(
        &self,
        viewer: &Viewer,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        let clause = owned_record_clause(viewer, "o", 1);
        let sql = format!(
            "SELECT o.stage, COUNT(*) FROM opportunities o WHERE {} GROUP BY o.stage",
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
    /// Stages are matched by key: a known key is relabelled, reordered, given
    /// another probability or outcome; a new key is added; a key left out is
    /// removed unless an opportunity is in it (`removed.<key>` with
    /// `error-stage-in-use`). Opportunities keep their own probability when
    /// their stage's changes. The order is that of `position` (ties: the
    /// order sent), stored as 10, 20, 30…
    #[tracing::instrument(skip_all, fields(count = stages.len()))]
    pub async fn save_opportunity_stages(
        &self,
        viewer: &Viewer,
        stages: &[OpportunityStage],
    ) -> Result<(), StoreError> {
        viewer.may_administer()?;
        validate_stages(stages)?;
        let stages = in_order(stages);
        let now = self.now();
        write_tx!(self, tx => {
            let existing: Vec<(String,)> = sqlx::query_as("SELECT key FROM opportunity_stages ORDER BY key")
                .fetch_all(&mut *tx)
                .await?;
            let removed: Vec<String> = existing
                .into_iter()
                .map(|(key,)| key)
                .filter(|key| !stages.iter().any(|s| &s.key == key))
                .collect();
            for key in &removed {
                let (used,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM opportunities WHERE stage = $1")
                    .bind(key)
                    .fetch_one(&mut *tx)
                    .await?;
                if used > 0 {
                    return Err(in_use(key));
                }
                // An opportunity moved into it since the count (another
                // instance, PostgreSQL) makes the foreign key refuse: the same answer.
                sqlx::query("DELETE FROM opportunity_stages WHERE key = $1")
                    .bind(key)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(db) if db.is_foreign_key_violation() => in_use(key),
                        _ => StoreError::from(e),
                    })?;
            }
            for stage in &stages {
                sqlx::query(
                    "INSERT INTO opportunity_stages (key, label_en, label_da, probability, outcome, position) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key) DO UPDATE SET label_en = excluded.label_en, \
                     label_da = excluded.label_da, probability = excluded.probability, outcome = excluded.outcome, \
                     position = excluded.position",
                )
                .bind(&stage.key)
                .bind(&stage.label_en)
                .bind(&stage.label_da)
                .bind(stage.probability)
                .bind(stage.outcome.as_str())
                .bind(stage.position)
                .execute(&mut *tx)
                .await?;
            }
            let keys: Vec<&str> = stages.iter().map(|s| s.key.as_str()).collect();
            let mut detail = keys.join(", ");
            if !removed.is_empty() {
                detail.push_str(&format!("; removed {}", removed.join(", ")));
            }
            audit!(&mut *tx, now, Some(viewer.user_id), "opportunity_stages.update", "opportunity_stages", "all", detail);
        });
        Ok(())
    }
}
