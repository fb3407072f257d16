//! Asking for help on a deal and answering it (spec flow 11).
//!
//! A partner asks on a lead or an opportunity they see; the request goes to
//! the record's timeline (kind `help`), which makes it live for the channel
//! manager, and by e-mail to the partner's channel manager (or the admins when
//! it has none). Vendor staff answer with a text (`help_answer`) or a resource
//! (`resource`, see [`resources`]); the partner who asked is told the same
//! two ways. Each change and its e-mails are one transaction.

pub mod resources;

use openprm_domain::{
    PartnerId, QueueId, UserId, Viewer,
    deal_help::{self, DealRef},
    notifications::NotificationKind,
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    Store, StoreError,
    notifications::{RecipientRow, VENDOR_RECIPIENTS, enqueue_notification},
    on_db,
    settings::VendorSettings,
    write_tx,
};

/// Where a record stands, read through the caller's scope.
#[derive(Clone, Debug)]
pub(crate) struct DealPlace {
    pub record: DealRef,
    pub title: String,
    pub partner_id: Option<PartnerId>,
    pub queue_id: Option<QueueId>,
}

/// A help request or answer as written to the timeline.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HelpEntry {
    /// `help` or `help_answer`.
    pub kind: String,
    /// `lead` or `opportunity`.
    pub record: String,
    pub record_id: Uuid,
    pub text: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
}

/// Writes one timeline entry (and its live event) on the record a place
/// names, with that record's own `record!`.
macro_rules! deal_record {
    ($exec:expr, $now:expr, $place:expr, $actor:expr, $kind:expr, $text:expr) => {
        match $place.record {
            openprm_domain::deal_help::DealRef::Lead(id) => {
                $crate::leads::timeline::record!(
                    $exec,
                    $now,
                    id,
                    $actor,
                    $kind,
                    None::<&str>,
                    None::<String>,
                    $text,
                    $place.partner_id,
                    $place.queue_id
                );
                sqlx::query(
                    "UPDATE leads SET last_activity_at = $2, stale_warned_at = NULL WHERE id = $1",
                )
                .bind(id.0)
                .bind($crate::DbTime::from($now))
                .execute($exec)
                .await?;
            }
            openprm_domain::deal_help::DealRef::Opportunity(id) => {
                $crate::opportunities::timeline::record!(
                    $exec,
                    $now,
                    id,
                    $actor,
                    $kind,
                    None::<&str>,
                    None::<String>,
                    $text,
                    $place.partner_id
                );
                sqlx::query("UPDATE opportunities SET last_activity_at = $2 WHERE id = $1")
                    .bind(id.0)
                    .bind($crate::DbTime::from($now))
                    .execute($exec)
                    .await?;
            }
        }
    };
}

/// Queues `$kind` to each of `$rows` but the actor, on the executor given.
macro_rules! notify_each {
    ($store:expr, $exec:expr, $now:expr, $settings:expr, $rows:expr, $actor:expr, $kind:expr, $place:expr, $actor_name:expr, $text:expr) => {
        for row in $rows {
            let recipient = openprm_domain::UserId(row.id);
            if recipient == $actor {
                continue;
            }
            let notification = $crate::notifications::Notification {
                kind: $kind,
                recipient_id: recipient,
                recipient_name: row.name.clone(),
                recipient_email: row.email.clone(),
                recipient_locale: openprm_domain::Locale::parse(&row.locale).unwrap_or_default(),
                record: $place.record,
                record_title: $place.title.clone(),
                actor_name: $actor_name.clone(),
                text: $text.clone(),
                count: 1,
            };
            if let Some(email) = $store.notification_email($settings, &notification) {
                enqueue_notification!($exec, $now, recipient, $kind, &email);
            }
        }
    };
}

/// The partner staff told of an answer on a record: whoever asked for help
/// last, or else the record's owner; active and still of the record's partner.
fn partner_recipients_sql(record: DealRef) -> &'static str {
    match record {
        DealRef::Lead(_) => {
            "SELECT u.id, u.name, u.email, u.locale FROM users u WHERE u.active AND u.partner_id = $2 AND u.id = COALESCE( \
             (SELECT e.actor_id FROM lead_events e WHERE e.lead_id = $1 AND e.kind = 'help' ORDER BY e.at DESC, e.id DESC LIMIT 1), \
             (SELECT l.owner_id FROM leads l WHERE l.id = $1))"
        }
        DealRef::Opportunity(_) => {
            "SELECT u.id, u.name, u.email, u.locale FROM users u WHERE u.active AND u.partner_id = $2 AND u.id = COALESCE( \
             (SELECT e.actor_id FROM opportunity_events e WHERE e.opportunity_id = $1 AND e.kind = 'help' ORDER BY e.at DESC, e.id DESC LIMIT 1), \
             (SELECT o.owner_id FROM opportunities o WHERE o.id = $1))"
        }
    }
}

impl Store {
    /// The record, if the caller may see it (`NotFound` otherwise).
    pub(crate) async fn deal_place(
        &self,
        viewer: &Viewer,
        record: DealRef,
    ) -> Result<DealPlace, StoreError> {
        Ok(match record {
            DealRef::Lead(id) => {
                let lead = self.lead(viewer, id).await?;
                DealPlace {
                    record,
                    title: openprm_domain::leads::list_name(&lead.name, &lead.company),
                    partner_id: lead.partner_id,
                    queue_id: lead.queue_id,
                }
            }
            DealRef::Opportunity(id) => {
                let o = self.opportunity(viewer, id).await?;
                DealPlace {
                    record,
                    title: o.name,
                    partner_id: o.partner_id,
                    queue_id: None,
                }
            }
        })
    }

    /// A user's name, for e-mails about what they did.
    pub(crate) async fn user_name(&self, id: UserId) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = on_db!(self, pool => {
            sqlx::query_as("SELECT name FROM users WHERE id = $1").bind(id.0).fetch_optional(pool).await
        })?;
        Ok(row.map(|(name,)| name))
    }

    /// A partner asks for help on a record they see: the timeline entry and
    /// the e-mails to the vendor staff asked, in one transaction.
    #[tracing::instrument(skip(self, message))]
    pub async fn ask_for_help(
        &self,
        viewer: &Viewer,
        record: DealRef,
        message: &str,
    ) -> Result<HelpEntry, StoreError> {
        let place = self.deal_place(viewer, record).await?;
        deal_help::may_ask_for_help(viewer.role)?;
        let text = deal_help::parse_text("message", message)?;
        let settings = self.vendor_settings().await?;
        let actor_name = self.user_name(viewer.user_id).await?;
        let now = self.now();
        let kind = NotificationKind::HelpRequested;
        write_tx!(self, tx => {
            deal_record!(&mut *tx, now, place, Some(viewer.user_id), "help", Some(text.clone()));
            let rows: Vec<RecipientRow> = sqlx::query_as(VENDOR_RECIPIENTS)
                .bind(place.partner_id.map(|p| p.0))
                .fetch_all(&mut *tx)
                .await?;
            let message = Some(text.clone());
            notify_each!(self, &mut *tx, now, &settings, &rows, viewer.user_id, kind, place, actor_name, message);
        });
        Ok(HelpEntry {
            kind: "help".into(),
            record: record.kind().into(),
            record_id: record.uuid(),
            text,
            at: now,
        })
    }

    /// Vendor staff answer on a record they see: the timeline entry and the
    /// e-mail to the partner who asked, in one transaction.
    #[tracing::instrument(skip(self, answer))]
    pub async fn answer_help(
        &self,
        viewer: &Viewer,
        record: DealRef,
        answer: &str,
    ) -> Result<HelpEntry, StoreError> {
        let place = self.deal_place(viewer, record).await?;
        deal_help::may_answer(viewer.role)?;
        let text = deal_help::parse_text("text", answer)?;
        let settings = self.vendor_settings().await?;
        self.record_answer(viewer, &place, &settings, "help_answer", &text, None)
            .await?;
        Ok(HelpEntry {
            kind: "help_answer".into(),
            record: record.kind().into(),
            record_id: record.uuid(),
            text,
            at: self.now(),
        })
    }

    /// Writes an answer's timeline entry (`help_answer` or `resource`), runs
    /// `then` (storing the resource) and queues the partner's e-mail, in one
    /// transaction.
    pub(crate) async fn record_answer(
        &self,
        viewer: &Viewer,
        place: &DealPlace,
        settings: &VendorSettings,
        entry_kind: &str,
        text: &str,
        resource: Option<&resources::NewResource>,
    ) -> Result<(), StoreError> {
        let actor_name = self.user_name(viewer.user_id).await?;
        let now = self.now();
        let kind = NotificationKind::HelpAnswered;
        let sql = partner_recipients_sql(place.record);
        let text = Some(text.to_owned());
        write_tx!(self, tx => {
            if let Some(resource) = resource {
                resources::insert_resource!(&mut *tx, now, place.record, viewer.user_id, resource);
            }
            deal_record!(&mut *tx, now, place, Some(viewer.user_id), entry_kind, text.clone());
            let rows: Vec<RecipientRow> = match place.partner_id {
                Some(partner) => sqlx::query_as(sql)
                    .bind(place.record.uuid())
                    .bind(partner.0)
                    .fetch_all(&mut *tx)
                    .await?,
                None => Vec::new(),
            };
            notify_each!(self, &mut *tx, now, settings, &rows, viewer.user_id, kind, place, actor_name, text);
        });
        Ok(())
    }
}
