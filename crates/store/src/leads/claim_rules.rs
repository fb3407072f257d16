//! The admin's claim rules, stored in order.

use openprm_domain::{
    ClaimRuleId, QueueId, Viewer,
    claim_rules::{ClaimOverride, ClaimRule, LimitKind, LimitSubject, validate_rules},
};
use uuid::Uuid;

use crate::{Store, StoreError, audit::audit, on_db, write_tx};

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    name: String,
    kind: String,
    window_hours: Option<i32>,
    subject: String,
    queue_id: Option<Uuid>,
    max_claims: i64,
    overrides: String,
}

impl Store {
    /// Every claim rule, in the order the admin set.
    pub async fn claim_rules(&self) -> Result<Vec<ClaimRule>, StoreError> {
        let sql = "SELECT id, name, kind, window_hours, subject, queue_id, max_claims, overrides FROM claim_rules ORDER BY position, id";
        let rows: Vec<RuleRow> = on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| ClaimRule {
                id: ClaimRuleId(r.id),
                name: r.name,
                kind: match (r.kind.as_str(), r.window_hours) {
                    ("per_window", Some(h)) => LimitKind::PerWindow {
                        window_hours: u32::try_from(h).unwrap_or(1),
                    },
                    _ => LimitKind::OpenAtOnce,
                },
                subject: if r.subject == "partner" {
                    LimitSubject::Partner
                } else {
                    LimitSubject::User
                },
                queue_id: r.queue_id.map(QueueId),
                max: u32::try_from(r.max_claims).unwrap_or(0),
                overrides: serde_json::from_str::<Vec<ClaimOverride>>(&r.overrides)
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// Replaces the rule set (admins; `None` for the demo). Queues must exist.
    pub async fn save_claim_rules(
        &self,
        viewer: Option<&Viewer>,
        rules: &[ClaimRule],
    ) -> Result<(), StoreError> {
        if let Some(v) = viewer {
            v.may_administer()?;
        }
        validate_rules(rules)?;
        for (i, rule) in rules.iter().enumerate() {
            if let Some(queue) = rule.queue_id {
                let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM queues WHERE id = $1")
                    .bind(queue.0).fetch_one(pool).await)?;
                if n == 0 {
                    return Err(openprm_domain::DomainError::field(
                        &format!("rules[{i}].queue_id"),
                        "error-queue-unknown",
                    )
                    .into());
                }
            }
        }
        let now = self.now();
        write_tx!(self, tx => {
            sqlx::query("DELETE FROM claim_rules").execute(&mut *tx).await?;
            for (position, rule) in rules.iter().enumerate() {
                let (kind, window) = match rule.kind {
                    LimitKind::OpenAtOnce => ("open_at_once", None),
                    LimitKind::PerWindow { window_hours } => ("per_window", Some(i64::from(window_hours))),
                };
                let subject = match rule.subject {
                    LimitSubject::User => "user",
                    LimitSubject::Partner => "partner",
                };
                sqlx::query(
                    "INSERT INTO claim_rules (id, position, name, kind, window_hours, subject, queue_id, max_claims, overrides) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(rule.id.0)
                .bind(i32::try_from(position).unwrap_or(i32::MAX))
                .bind(rule.name.trim())
                .bind(kind)
                .bind(window)
                .bind(subject)
                .bind(rule.queue_id.map(|q| q.0))
                .bind(i64::from(rule.max))
                .bind(serde_json::to_string(&rule.overrides).unwrap_or_else(|_| "[]".into()))
                .execute(&mut *tx)
                .await?;
            }
            audit!(&mut *tx, now, viewer.map(|v| v.user_id), "claim_rules.update", "claim_rules", "all", rules.len());
        });
        Ok(())
    }
}
