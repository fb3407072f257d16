//! Queues: shared pools of leads that member partners claim from.

use openprm_domain::{DomainError, PartnerId, QueueId, Viewer};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    audit::audit,
    on_db,
    scope::{bind_scope, queue_clause},
    write_tx,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Queue {
    pub id: QueueId,
    pub name: String,
    /// Claimed leads without activity for this many days go back to the queue.
    pub stale_claim_days: Option<i32>,
    /// Member partner accounts; listed for vendor staff only.
    pub members: Vec<PartnerId>,
    pub unclaimed: i64,
}

#[derive(sqlx::FromRow)]
struct QueueRow {
    id: Uuid,
    name: String,
    stale_claim_days: Option<i32>,
    unclaimed: i64,
}

const SELECT_QUEUE: &str = "SELECT q.id, q.name, q.stale_claim_days, \
     (SELECT COUNT(*) FROM leads ql WHERE ql.queue_id = q.id AND ql.owner_id IS NULL AND ql.partner_id IS NULL) AS unclaimed \
     FROM queues q";

/// A queue as the admin defines it; validated by the caller.
#[derive(Clone, Debug)]
pub struct QueueFields {
    pub name: String,
    pub stale_claim_days: Option<i32>,
    pub members: Vec<PartnerId>,
}

impl QueueFields {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errors = openprm_domain::FieldErrors::new();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "error-required");
        } else if name.chars().count() > 80 {
            errors.add("name", "error-too-long");
        }
        if self
            .stale_claim_days
            .is_some_and(|d| !(1..=365).contains(&d))
        {
            errors.add("stale_claim_days", "error-out-of-range");
        }
        errors.into_result()
    }
}

impl Store {
    pub async fn queues(&self, viewer: &Viewer) -> Result<Vec<Queue>, StoreError> {
        let clause = queue_clause(viewer, "q", 1);
        let sql = format!(
            "{SELECT_QUEUE} WHERE {} ORDER BY lower(q.name), q.id",
            clause.sql
        );
        let rows: Vec<QueueRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql);
            bind_scope!(q, clause).fetch_all(pool).await
        })?;
        let mut queues = Vec::with_capacity(rows.len());
        for row in rows {
            queues.push(self.queue_from_row(viewer, row).await?);
        }
        Ok(queues)
    }

    pub async fn queue(&self, viewer: &Viewer, id: QueueId) -> Result<Queue, StoreError> {
        let clause = queue_clause(viewer, "q", 2);
        let sql = format!("{SELECT_QUEUE} WHERE q.id = $1 AND {}", clause.sql);
        let row: Option<QueueRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        let row = row.ok_or_else(StoreError::not_found)?;
        self.queue_from_row(viewer, row).await
    }

    async fn queue_from_row(&self, viewer: &Viewer, row: QueueRow) -> Result<Queue, StoreError> {
        // Partners learn which queues they belong to, never who else does.
        let members = if viewer.role.is_vendor() {
            let ids: Vec<(Uuid,)> = on_db!(self, pool => sqlx::query_as(
                "SELECT partner_id FROM queue_members WHERE queue_id = $1 ORDER BY partner_id")
                .bind(row.id).fetch_all(pool).await)?;
            ids.into_iter().map(|(id,)| PartnerId(id)).collect()
        } else {
            Vec::new()
        };
        Ok(Queue {
            id: QueueId(row.id),
            name: row.name,
            stale_claim_days: row.stale_claim_days,
            members,
            unclaimed: row.unclaimed,
        })
    }

    /// Creates a queue (admins; `None` for the CLI and demo).
    pub async fn create_queue(
        &self,
        viewer: Option<&Viewer>,
        fields: &QueueFields,
    ) -> Result<QueueId, StoreError> {
        if let Some(v) = viewer {
            v.may_administer()?;
        }
        fields.validate()?;
        self.ensure_partners_exist(&fields.members).await?;
        let id = QueueId::new();
        let now = self.now();
        let result: Result<(), StoreError> = async {
            write_tx!(self, tx => {
                sqlx::query("INSERT INTO queues (id, name, stale_claim_days, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(id.0)
                    .bind(fields.name.trim())
                    .bind(fields.stale_claim_days)
                    .bind(DbTime::from(now))
                    .execute(&mut *tx)
                    .await?;
                for member in &fields.members {
                    sqlx::query("INSERT INTO queue_members (queue_id, partner_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(id.0).bind(member.0).execute(&mut *tx).await?;
                }
                audit!(&mut *tx, now, viewer.map(|v| v.user_id), "queue.create", "queue", id, fields.name.trim());
            });
            Ok(())
        }
        .await;
        result.map_err(|e| match e {
            StoreError::Duplicate(_) => DomainError::field("name", "error-queue-name-taken").into(),
            other => other,
        })?;
        Ok(id)
    }

    /// Replaces a queue's member partners (admins).
    pub async fn set_queue_members(
        &self,
        viewer: &Viewer,
        id: QueueId,
        members: &[PartnerId],
    ) -> Result<(), StoreError> {
        viewer.may_administer()?;
        self.queue(viewer, id).await?;
        self.ensure_partners_exist(members).await?;
        let now = self.now();
        write_tx!(self, tx => {
            sqlx::query("DELETE FROM queue_members WHERE queue_id = $1").bind(id.0).execute(&mut *tx).await?;
            for member in members {
                sqlx::query("INSERT INTO queue_members (queue_id, partner_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id.0).bind(member.0).execute(&mut *tx).await?;
            }
            audit!(&mut *tx, now, Some(viewer.user_id), "queue.members", "queue", id, members.len());
        });
        Ok(())
    }

    async fn ensure_partners_exist(&self, partners: &[PartnerId]) -> Result<(), StoreError> {
        for partner in partners {
            let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM partners WHERE id = $1")
                .bind(partner.0).fetch_one(pool).await)?;
            if n == 0 {
                return Err(DomainError::field("members", "error-partner-unknown").into());
            }
        }
        Ok(())
    }
}
