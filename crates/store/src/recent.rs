//! Recent Items: the records a user last viewed or claimed, newest first.
//!
//! Kept as (kind, id) pairs and resolved through each kind's scoped query, so
//! an item the user can no longer see simply drops out of the list.

use openprm_domain::{UserId, Viewer};
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError, on_db,
    scope::{bind_scope, lead_clause, owned_record_clause, partner_clause},
};

pub const RECENT_LIMIT: i64 = 10;

#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RecentItem {
    pub kind: String,
    pub id: Uuid,
    pub title: String,
}

impl RecentItem {
    /// The record's page: `/leads/…`, `/accounts/…`, `/opportunities/…`.
    pub fn href(&self) -> String {
        match self.kind.as_str() {
            "opportunity" => format!("/opportunities/{}", self.id),
            kind => format!("/{kind}s/{}", self.id),
        }
    }
}

impl Store {
    pub async fn touch_recent(&self, user: UserId, kind: &str, id: Uuid) -> Result<(), StoreError> {
        let now = DbTime::from(self.now());
        let sql = "INSERT INTO recent_items (user_id, record_kind, record_id, viewed_at) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (user_id, record_kind, record_id) DO UPDATE SET viewed_at = $4";
        on_db!(self, pool => sqlx::query(sql).bind(user.0).bind(kind).bind(id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The caller's recent items that they may still see, newest first: each
    /// kind is read through its own scope, so one that left the caller's sight drops out.
    pub async fn recent_items(&self, viewer: &Viewer) -> Result<Vec<RecentItem>, StoreError> {
        let partners = partner_clause(viewer, "p.id", 3);
        let sql = format!(
            "SELECT r.record_kind, r.record_id, p.name, r.viewed_at FROM recent_items r JOIN partners p ON p.id = r.record_id \
             WHERE r.user_id = $1 AND r.record_kind = 'partner' AND {} ORDER BY r.viewed_at DESC LIMIT $2",
            partners.sql
        );
        let mut rows: Vec<(String, Uuid, String, DbTime)> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(viewer.user_id.0).bind(RECENT_LIMIT);
            bind_scope!(q, partners).fetch_all(pool).await
        })?;
        let leads = lead_clause(viewer, "l", 3);
        let sql = format!(
            "SELECT r.record_kind, r.record_id, l.name || ' · ' || l.company, r.viewed_at FROM recent_items r JOIN leads l ON l.id = r.record_id \
             WHERE r.user_id = $1 AND r.record_kind = 'lead' AND {} ORDER BY r.viewed_at DESC LIMIT $2",
            leads.sql
        );
        let lead_rows: Vec<(String, Uuid, String, DbTime)> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(viewer.user_id.0).bind(RECENT_LIMIT);
            bind_scope!(q, leads).fetch_all(pool).await
        })?;
        rows.extend(lead_rows);
        for (kind, table) in [("account", "accounts"), ("contact", "contacts")] {
            let records = owned_record_clause(viewer, "x", 3);
            let sql = format!(
                "SELECT r.record_kind, r.record_id, x.name, r.viewed_at FROM recent_items r JOIN {table} x ON x.id = r.record_id \
                 WHERE r.user_id = $1 AND r.record_kind = '{kind}' AND {} ORDER BY r.viewed_at DESC LIMIT $2",
                records.sql
            );
            let record_rows: Vec<(String, Uuid, String, DbTime)> = on_db!(self, pool => {
                let q = sqlx::query_as(&sql).bind(viewer.user_id.0).bind(RECENT_LIMIT);
                bind_scope!(q, records).fetch_all(pool).await
            })?;
            rows.extend(record_rows);
        }
        let opportunities = crate::scope::owned_record_clause(viewer, "o", 3);
        let sql = format!(
            "SELECT r.record_kind, r.record_id, o.name, r.viewed_at FROM recent_items r JOIN opportunities o ON o.id = r.record_id \
             WHERE r.user_id = $1 AND r.record_kind = 'opportunity' AND {} ORDER BY r.viewed_at DESC LIMIT $2",
            opportunities.sql
        );
        let opportunity_rows: Vec<(String, Uuid, String, DbTime)> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(viewer.user_id.0).bind(RECENT_LIMIT);
            bind_scope!(q, opportunities).fetch_all(pool).await
        })?;
        rows.extend(opportunity_rows);
        rows.sort_by(|a, b| b.3.cmp(&a.3).then(b.1.cmp(&a.1)));
        rows.truncate(RECENT_LIMIT as usize);
        Ok(rows
            .into_iter()
            .map(|(kind, id, title, _)| RecentItem { kind, id, title })
            .collect())
    }
}
