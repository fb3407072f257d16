//! A lead's timeline: every field change, claim, release, decline and note, in order.

use openprm_domain::{DomainError, LeadId, PartnerId, QueueId, UserId, Viewer};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{DbTime, Store, StoreError, on_db, write_tx};

/// Writes one timeline entry on the executor given (the transaction making the change).
macro_rules! record {
    ($exec:expr, $now:expr, $lead:expr, $actor:expr, $kind:expr, $field:expr, $old:expr, $new:expr, $partner:expr, $queue:expr) => {
        sqlx::query(
            "INSERT INTO lead_events (id, lead_id, at, actor_id, kind, field, old_value, new_value, partner_id, queue_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind($lead.0)
        .bind($crate::DbTime::from($now))
        .bind($actor.map(|a: openprm_domain::UserId| a.0))
        .bind($kind)
        .bind($field)
        .bind($old)
        .bind($new)
        .bind($partner.map(|p: openprm_domain::PartnerId| p.0))
        .bind($queue.map(|q: openprm_domain::QueueId| q.0))
        .execute(&mut *$exec)
        .await?;
        $crate::live::record_live!(&mut *$exec, $now, "lead", $lead.0, $actor, $kind, $field)
    };
}
pub(crate) use record;

/// Entries of kind `kind` (`created`, `routed`) for `leads` new leads in one
/// statement, as [`record!`] would write them one by one: `$1` is the time,
/// `$2` the actor; then, per lead, the entry's id, the lead's id, the value
/// (how the lead came in; the rule that routed it), its partner and its queue.
pub(crate) fn new_lead_entries_sql(kind: NewLeadEntry, leads: usize) -> String {
    let kind = kind.as_str();
    let mut sql = String::with_capacity(140 + leads * 56);
    sql.push_str(
        "INSERT INTO lead_events (id, lead_id, at, actor_id, kind, field, old_value, new_value, partner_id, queue_id) VALUES ",
    );
    for i in 0..leads {
        let p = 3 + i * 5;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, ${}, $1, $2, '{kind}', NULL, NULL, ${}, ${}, ${})",
            p,
            p + 1,
            p + 2,
            p + 3,
            p + 4
        ));
    }
    sql
}

/// The entries a new lead written in bulk gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NewLeadEntry {
    Created,
    Routed,
}

impl NewLeadEntry {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NewLeadEntry::Created => "created",
            NewLeadEntry::Routed => "routed",
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadEvent {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// created, field, claim, release, accept, decline, note, stale_return
    pub kind: String,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    /// For `field`: which field changed.
    pub field: Option<String>,
    pub old_value: Option<String>,
    /// For `field`: the new value; for `note`: the note; for `decline`: the reason.
    pub new_value: Option<String>,
    pub partner_id: Option<PartnerId>,
    pub queue_id: Option<QueueId>,
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
    queue_id: Option<Uuid>,
}

pub const NOTE_MAX_CHARS: usize = 4000;

impl Store {
    /// The lead's timeline, oldest first; only for a lead the caller may see.
    /// Partner staff do not see other partners' names in it: a claim or decline by
    /// another company shows without its actor.
    pub async fn lead_timeline(
        &self,
        viewer: &Viewer,
        id: LeadId,
    ) -> Result<Vec<LeadEvent>, StoreError> {
        self.lead(viewer, id).await?;
        let sql = "SELECT e.id, e.at, e.kind, e.actor_id, u.name AS actor_name, e.field, e.old_value, e.new_value, e.partner_id, e.queue_id \
                   FROM lead_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.lead_id = $1 ORDER BY e.at, e.id";
        let rows: Vec<EventRow> =
            on_db!(self, pool => sqlx::query_as(sql).bind(id.0).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let foreign = viewer.role.is_partner()
                    && r.partner_id.is_some()
                    && r.partner_id != viewer.partner_id.map(|p| p.0);
                LeadEvent {
                    id: r.id,
                    at: r.at.0,
                    kind: r.kind,
                    actor_id: if foreign {
                        None
                    } else {
                        r.actor_id.map(UserId)
                    },
                    actor_name: if foreign { None } else { r.actor_name },
                    field: r.field,
                    old_value: r.old_value,
                    new_value: if foreign { None } else { r.new_value },
                    partner_id: if foreign {
                        None
                    } else {
                        r.partner_id.map(PartnerId)
                    },
                    queue_id: r.queue_id.map(QueueId),
                }
            })
            .collect())
    }

    /// Adds a note to a lead the caller may see (and counts as activity).
    pub async fn add_lead_note(
        &self,
        viewer: &Viewer,
        id: LeadId,
        text: &str,
    ) -> Result<LeadEvent, StoreError> {
        let lead = self.lead(viewer, id).await?;
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
        let now = self.now();
        write_tx!(self, tx => {
            record!(&mut *tx, now, id, Some(viewer.user_id), "note", None::<&str>, None::<String>, Some(text.to_owned()), lead.partner_id, lead.queue_id);
            sqlx::query("UPDATE leads SET last_activity_at = $2, stale_warned_at = NULL WHERE id = $1")
                .bind(id.0).bind(DbTime::from(now)).execute(&mut *tx).await?;
        });
        let events = self.lead_timeline(viewer, id).await?;
        events
            .into_iter()
            .rev()
            .find(|e| e.kind == "note")
            .ok_or_else(StoreError::not_found)
    }
}
