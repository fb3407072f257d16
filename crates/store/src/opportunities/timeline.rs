//! An opportunity's timeline: its creation, every field change (stage moves
//! included, with old and new values) and every note, in order.

use openprm_domain::{DomainError, OpportunityId, PartnerId, UserId, Viewer};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{DbTime, Store, StoreError, on_db, write_tx};

/// Writes one timeline entry on the executor given (the transaction making the change).
macro_rules! record {
    ($exec:expr, $now:expr, $opportunity:expr, $actor:expr, $kind:expr, $field:expr, $old:expr, $new:expr, $partner:expr) => {
        sqlx::query(
            "INSERT INTO opportunity_events (id, opportunity_id, at, actor_id, kind, field, old_value, new_value, partner_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind($opportunity.0)
        .bind($crate::DbTime::from($now))
        .bind($actor.map(|a: openprm_domain::UserId| a.0))
        .bind($kind)
        .bind($field)
        .bind($old)
        .bind($new)
        .bind($partner.map(|p: openprm_domain::PartnerId| p.0))
        .execute(&mut *$exec)
        .await?;
        $crate::live::record_live!(&mut *$exec, $now, "opportunity", $opportunity.0, $actor, $kind, $field)
    };
}
pub(crate) use record;

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpportunityEvent {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// created, field, note
    pub kind: String,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    /// For `field`: which field changed (`stage`, `amount`, `owner`, …).
    pub field: Option<String>,
    /// For `field`: the old value; amounts as `12500.50 DKK`, dates as `2026-06-30`.
    pub old_value: Option<String>,
    /// For `field`: the new value; for `note`: the note; for `created`: where
    /// it came from (`lead`, `registration`), if not made by hand.
    pub new_value: Option<String>,
    pub partner_id: Option<PartnerId>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    at: DbTime,
    kind: String,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    field: Option<String>,
    old_value: Option<String>,
    new_value: Option<String>,
    partner_id: Option<Uuid>,
}

pub const NOTE_MAX_CHARS: usize = 4000;

impl Store {
    /// The opportunity's timeline, oldest first; only for one the caller may see.
    pub async fn opportunity_timeline(
        &self,
        viewer: &Viewer,
        id: OpportunityId,
    ) -> Result<Vec<OpportunityEvent>, StoreError> {
        self.opportunity(viewer, id).await?;
        let sql = "SELECT e.id, e.at, e.kind, e.actor_id, u.name AS actor_name, e.field, e.old_value, e.new_value, e.partner_id \
                   FROM opportunity_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.opportunity_id = $1 ORDER BY e.at, e.id";
        let rows: Vec<EventRow> =
            on_db!(self, pool => sqlx::query_as(sql).bind(id.0).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| OpportunityEvent {
                id: r.id,
                at: r.at.0,
                kind: r.kind,
                actor_id: r.actor_id.map(UserId),
                actor_name: r.actor_name,
                field: r.field,
                old_value: r.old_value,
                new_value: r.new_value,
                partner_id: r.partner_id.map(PartnerId),
            })
            .collect())
    }

    /// Adds a note to an opportunity the caller may see (and counts as activity).
    pub async fn add_opportunity_note(
        &self,
        viewer: &Viewer,
        id: OpportunityId,
        text: &str,
    ) -> Result<OpportunityEvent, StoreError> {
        let opportunity = self.opportunity(viewer, id).await?;
        let text = text.trim();
        if text.is_empty() {
            return Err(DomainError::field("text", "error-required").into());
        }
        if text.chars().count() > NOTE_MAX_CHARS {
            return Err(DomainError::field("text", "error-too-long").into());
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(DomainError::field("text", "error-invalid-characters").into());
        }
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let now = self.now();
        let event_id = write_tx!(self, tx => {
            let event_id = uuid::Uuid::now_v7();
            sqlx::query(
                "INSERT INTO opportunity_events (id, opportunity_id, at, actor_id, kind, field, old_value, new_value, partner_id) \
                 VALUES ($1, $2, $3, $4, 'note', NULL, NULL, $5, $6)",
            )
            .bind(event_id)
            .bind(id.0)
            .bind(DbTime::from(now))
            .bind(viewer.user_id.0)
            .bind(&text)
            .bind(opportunity.partner_id.map(|p| p.0))
            .execute(&mut *tx)
            .await?;
            // Written by hand to know the entry's id, so its live event too.
            crate::live::record_live!(&mut *tx, now, "opportunity", id.0, Some(viewer.user_id), "note", None::<&str>);
            sqlx::query("UPDATE opportunities SET last_activity_at = $2 WHERE id = $1")
                .bind(id.0)
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            event_id
        });
        self.opportunity_timeline(viewer, id)
            .await?
            .into_iter()
            .find(|e| e.id == event_id)
            .ok_or_else(StoreError::not_found)
    }
}
