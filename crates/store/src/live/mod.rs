//! The live event log and its hub.
//!
//! Every timeline entry of a lead or an opportunity also writes a row of
//! `live_events` in the same transaction ([`record_live!`]), so an event exists
//! exactly when its change committed. Each instance runs one [`LiveHub`] that
//! reads the log as it grows and hands each new event to its subscribers, who
//! are told only what `openprm_domain::live` lets them hear. A subscriber that
//! reconnects, or falls behind, catches up from the log itself.

mod gaps;
mod hub;

use openprm_domain::{
    PartnerId, QueueId, UserId, Viewer,
    live::{Listener, LiveEvent, LiveRecord, Place},
};
use tokio::sync::watch;
use uuid::Uuid;

use crate::{DbTime, Store, StoreError, on_db};

pub use hub::{Delivery, LiveHub, Subscription, SubscriptionItem};

/// Writes the live event for the timeline entry just written, on the executor
/// given (the transaction making the change). `$record` names the kind of
/// record (`"lead"`, `"opportunity"`); its place is read after the change,
/// and the place before is the one its previous event recorded.
///
/// The statement is planned on every run, not kept prepared: a plan made
/// while the live log was small (a new database) reads the record's previous
/// event with a scan of the whole log, and a connection would keep that plan
/// as the log grows (on PostgreSQL every change then got slower with every
/// event ever written; see docs/BENCHMARKS.md).
macro_rules! record_live {
    ($exec:expr, $now:expr, $record:literal, $id:expr, $actor:expr, $kind:expr, $field:expr) => {
        sqlx::query($crate::live::insert_sql($record))
            .persistent(false)
            .bind($crate::DbTime::from($now))
            .bind($kind)
            .bind($field)
            .bind($actor.map(|a: openprm_domain::UserId| a.0))
            .bind($id)
            .execute($exec)
            .await?
    };
}
pub(crate) use record_live;

// The pieces the statements below share, as literals so `concat!` can join
// them at compile time.
macro_rules! insert_columns {
    () => {
        "INSERT INTO live_events (at, record_kind, record_id, kind, field, actor_id, title, \
         partner_id, owner_id, queue_id, channel_manager_id, \
         before_partner_id, before_owner_id, before_queue_id, before_channel_manager_id, has_before) "
    };
}
/// A lead's title as its lists show it: `name · company`.
macro_rules! lead_title {
    () => {
        "CASE WHEN r.company IS NULL OR r.company = '' THEN r.name ELSE r.name || ' · ' || r.company END"
    };
}
/// The record's partner (for its channel manager) and its previous event.
macro_rules! partner_and_previous {
    () => {
        " LEFT JOIN partners p ON p.id = r.partner_id \
         LEFT JOIN live_events prev ON prev.id = (SELECT MAX(e.id) FROM live_events e WHERE e.record_id = r.id) \
         WHERE r.id = $5"
    };
}
/// The place the previous event recorded, and whether there was one.
macro_rules! previous_place {
    () => {
        "prev.partner_id, prev.owner_id, prev.queue_id, prev.channel_manager_id, prev.id IS NOT NULL"
    };
}

/// The statement [`record_live!`] runs for a kind of record.
pub(crate) fn insert_sql(record: &str) -> &'static str {
    const LEAD: &str = concat!(
        insert_columns!(),
        "SELECT $1, 'lead', r.id, $2, $3, $4, ",
        lead_title!(),
        ", r.partner_id, r.owner_id, r.queue_id, p.channel_manager_id, ",
        previous_place!(),
        " FROM leads r",
        partner_and_previous!()
    );
    const OPPORTUNITY: &str = concat!(
        insert_columns!(),
        "SELECT $1, 'opportunity', r.id, $2, $3, $4, r.name, ",
        "r.partner_id, r.owner_id, NULL, p.channel_manager_id, ",
        previous_place!(),
        " FROM opportunities r",
        partner_and_previous!()
    );
    match record {
        "lead" => LEAD,
        _ => OPPORTUNITY,
    }
}

/// The live events of entries of kind `kind` for `leads` leads just written,
/// in one statement, as [`record_live!`] writes them one by one (the CSV
/// import writes leads in bulk): `$1` is the time, `$2` the actor, then the
/// leads' ids. A `created` event has no event before it; a `routed` one
/// follows its lead's `created` event, which already showed the lead where
/// it is now.
pub(crate) fn insert_new_leads_sql(
    kind: crate::leads::timeline::NewLeadEntry,
    leads: usize,
) -> String {
    use crate::leads::timeline::NewLeadEntry;
    let ids = (3..3 + leads)
        .map(|p| format!("${p}"))
        .collect::<Vec<_>>()
        .join(", ");
    let before = match kind {
        NewLeadEntry::Created => "NULL, NULL, NULL, NULL, FALSE",
        NewLeadEntry::Routed => "r.partner_id, r.owner_id, r.queue_id, p.channel_manager_id, TRUE",
    };
    format!(
        concat!(
            insert_columns!(),
            "SELECT $1, 'lead', r.id, '{kind}', NULL, $2, ",
            lead_title!(),
            ", r.partner_id, r.owner_id, r.queue_id, p.channel_manager_id, {before} \
             FROM leads r LEFT JOIN partners p ON p.id = r.partner_id WHERE r.id IN ({ids}) ORDER BY r.id"
        ),
        kind = kind.as_str(),
        before = before,
        ids = ids
    )
}

/// Tells the hubs that a user's sessions ended (deactivation), so their open
/// streams close at once rather than at their next check. Heard by nobody.
pub(crate) const SIGNED_OUT_SQL: &str = "INSERT INTO live_events (at, record_kind, record_id, kind, actor_id, title, owner_id, has_before) \
     VALUES ($1, 'user', $2, 'signed_out', $3, '', $2, FALSE)";

/// Wakes this instance's hubs after a commit, so a change made here reaches
/// subscribers here at once; other instances hear of it through PostgreSQL.
/// A counter in a watch channel: every hub sees that something committed
/// since it last looked, however many commits that was.
#[derive(Debug)]
pub struct LiveSignal {
    pub(crate) committed: watch::Sender<u64>,
}

impl Default for LiveSignal {
    fn default() -> Self {
        LiveSignal {
            committed: watch::Sender::new(0),
        }
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    at: DbTime,
    record_kind: String,
    record_id: Uuid,
    kind: String,
    field: Option<String>,
    actor_id: Option<Uuid>,
    title: String,
    partner_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    queue_id: Option<Uuid>,
    channel_manager_id: Option<Uuid>,
    before_partner_id: Option<Uuid>,
    before_owner_id: Option<Uuid>,
    before_queue_id: Option<Uuid>,
    before_channel_manager_id: Option<Uuid>,
    has_before: bool,
}

impl EventRow {
    fn into_event(self) -> Option<LiveEvent> {
        let place = Place {
            partner_id: self.partner_id.map(PartnerId),
            owner_id: self.owner_id.map(UserId),
            queue_id: self.queue_id.map(QueueId),
            channel_manager_id: self.channel_manager_id.map(UserId),
        };
        let before = self.has_before.then(|| Place {
            partner_id: self.before_partner_id.map(PartnerId),
            owner_id: self.before_owner_id.map(UserId),
            queue_id: self.before_queue_id.map(QueueId),
            channel_manager_id: self.before_channel_manager_id.map(UserId),
        });
        Some(LiveEvent {
            id: self.id,
            at: self.at.0,
            record: LiveRecord::parse(&self.record_kind)?,
            record_id: self.record_id,
            kind: self.kind,
            field: self.field,
            actor_id: self.actor_id.map(UserId),
            title: self.title,
            place,
            before,
        })
    }
}

const SELECT_EVENTS: &str = "SELECT id, at, record_kind, record_id, kind, field, actor_id, title, \
     partner_id, owner_id, queue_id, channel_manager_id, \
     before_partner_id, before_owner_id, before_queue_id, before_channel_manager_id, has_before \
     FROM live_events";

impl Store {
    /// Events after `after`, oldest first, at most `limit`; and any of the ids
    /// in `also` (numbers skipped earlier that may have committed since).
    /// Unscoped: only the hub reads it, and it filters per subscriber.
    async fn live_events_after(
        &self,
        after: i64,
        also: &[i64],
        limit: i64,
    ) -> Result<Vec<LiveEvent>, StoreError> {
        let mut rows: Vec<EventRow> = on_db!(self, pool => {
            sqlx::query_as(&format!("{SELECT_EVENTS} WHERE id > $1 ORDER BY id LIMIT $2"))
                .bind(after)
                .bind(limit)
                .fetch_all(pool)
                .await
        })?;
        if !also.is_empty() {
            let list = also
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let late: Vec<EventRow> = on_db!(self, pool => {
                sqlx::query_as(&format!("{SELECT_EVENTS} WHERE id IN ({list}) ORDER BY id"))
                    .fetch_all(pool)
                    .await
            })?;
            rows.extend(late);
        }
        Ok(rows.into_iter().filter_map(EventRow::into_event).collect())
    }

    /// The highest event id written so far (0 when none).
    async fn live_last_id(&self) -> Result<i64, StoreError> {
        let (max,): (Option<i64>,) = on_db!(self, pool => {
            sqlx::query_as("SELECT MAX(id) FROM live_events").fetch_one(pool).await
        })?;
        Ok(max.unwrap_or(0))
    }

    /// The caller as a live subscriber: their rights and their company's queues.
    pub async fn live_listener(&self, viewer: &Viewer) -> Result<Listener, StoreError> {
        let queues: Vec<(Uuid,)> = match viewer.partner_id {
            Some(partner) if viewer.role.is_partner() => on_db!(self, pool => {
                sqlx::query_as("SELECT queue_id FROM queue_members WHERE partner_id = $1")
                    .bind(partner.0)
                    .fetch_all(pool)
                    .await
            })?,
            _ => Vec::new(),
        };
        Ok(Listener::new(
            *viewer,
            queues.into_iter().map(|(q,)| QueueId(q)),
        ))
    }

    /// Wakes this instance's hub; `write_tx!` calls it after every commit.
    pub fn live_committed(&self) {
        self.live.committed.send_modify(|n| *n = n.wrapping_add(1));
    }
}
