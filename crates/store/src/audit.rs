//! The audit log of administrative actions (invitations, deactivations, settings).

use openprm_domain::{UserId, Viewer};
use serde::Serialize;
use uuid::Uuid;

use crate::{DbTime, Store, StoreError, on_db};

pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_log (id, actor_id, action, subject_kind, subject_id, detail, at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Writes one audit entry on the executor given (usually the transaction making the change).
macro_rules! audit {
    ($exec:expr, $now:expr, $actor:expr, $action:expr, $kind:expr, $subject:expr, $detail:expr) => {
        sqlx::query($crate::audit::INSERT_AUDIT)
            .bind(uuid::Uuid::now_v7())
            .bind($actor.map(|a: openprm_domain::UserId| a.0))
            .bind($action)
            .bind($kind)
            .bind($subject.to_string())
            .bind($detail.to_string())
            .bind($crate::DbTime::from($now))
            .execute($exec)
            .await?
    };
}
pub(crate) use audit;

#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    #[serde(skip)]
    pub id: Uuid,
    pub actor_email: Option<String>,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub detail: String,
    #[serde(skip)]
    pub at: DbTime,
}

impl Store {
    /// The newest entries first; the audit log is the admin's alone.
    pub async fn audit_entries(
        &self,
        viewer: &Viewer,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        viewer.may_administer()?;
        let sql = "SELECT a.id, u.email AS actor_email, a.action, a.subject_kind, a.subject_id, a.detail, a.at \
                   FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id ORDER BY a.at DESC, a.id DESC LIMIT $1";
        Ok(
            on_db!(self, pool => sqlx::query_as::<_, AuditRow>(sql).bind(limit).fetch_all(pool).await)?,
        )
    }
}

/// For call sites that have a plain actor id.
pub fn actor(viewer: Option<&Viewer>) -> Option<UserId> {
    viewer.map(|v| v.user_id)
}
