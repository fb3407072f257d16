//! E-mail notifications: who gets which, and each user's opt-outs.
//!
//! A notification is written by the web layer's catalogue (the store holds a
//! [`NotifyMail`] handed over at start-up) and queued with
//! [`enqueue_notification!`] in the transaction of the change that causes it.
//! The statement itself leaves the message out when the recipient opted out
//! of its kind, so a preference saved a moment before always counts.

use std::sync::Arc;

use openprm_domain::{
    DomainError, Locale, UserId, Viewer, deal_help::DealRef, notifications::NotificationKind,
};
use uuid::Uuid;

use crate::{Store, StoreError, on_db, outbox::OutgoingEmail, settings::VendorSettings, write_tx};

/// What a notification e-mail says, before it is written in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub kind: NotificationKind,
    pub recipient_id: UserId,
    pub recipient_name: String,
    pub recipient_email: String,
    pub recipient_locale: Locale,
    pub record: DealRef,
    /// The record's name as its lists show it.
    pub record_title: String,
    /// Who did it (the partner asking, the channel manager answering, the
    /// person who placed the lead); `None` when the system did.
    pub actor_name: Option<String>,
    /// The request, the answer, or the resource's title.
    pub text: Option<String>,
    /// How many records it tells of: 1, or, for the digest of an import,
    /// how many leads came to the recipient (`record` is then the first).
    pub count: u32,
}

/// Writes a notification in its recipient's language.
pub type NotifyMail =
    dyn Fn(&VendorSettings, &Notification) -> Result<OutgoingEmail, String> + Send + Sync;

/// The writer a store holds (a closure has no `Debug` of its own).
#[derive(Clone)]
pub(crate) struct MailWriter(pub Arc<NotifyMail>);

impl std::fmt::Debug for MailWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MailWriter")
    }
}

/// Queues `$email` for user `$user` unless they opted out of `$kind`, on the
/// executor given (the transaction making the change).
macro_rules! enqueue_notification {
    ($exec:expr, $now:expr, $user:expr, $kind:expr, $email:expr) => {
        sqlx::query(
            "INSERT INTO outbox (id, kind, payload, created_at, attempts, next_attempt_at) \
             SELECT $1, 'email', $2, $3, 0, $3 WHERE NOT EXISTS \
             (SELECT 1 FROM notification_opt_outs WHERE user_id = $4 AND kind = $5)",
        )
        .bind(uuid::Uuid::now_v7())
        .bind(serde_json::to_string($email).unwrap_or_default())
        .bind($crate::DbTime::from($now))
        .bind($user.0)
        .bind($kind.as_str())
        .execute($exec)
        .await?
    };
}
pub(crate) use enqueue_notification;

/// A user a notification goes to.
#[derive(sqlx::FromRow)]
pub(crate) struct RecipientRow {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub locale: String,
}

/// The active users a notification about a partner's record goes to when
/// vendor staff are asked: the partner's channel manager, or every admin
/// when the partner has none.
pub(crate) const VENDOR_RECIPIENTS: &str = "SELECT u.id, u.name, u.email, u.locale FROM users u \
     WHERE u.active AND ( \
       u.id = (SELECT p.channel_manager_id FROM partners p WHERE p.id = $1) \
       OR (u.role = 'admin' AND NOT EXISTS (SELECT 1 FROM partners p JOIN users cm ON cm.id = p.channel_manager_id \
           WHERE p.id = $1 AND cm.active))) \
     ORDER BY u.id";

/// One user's choices: each kind, and whether they get it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct NotificationSetting {
    pub kind: NotificationKind,
    pub enabled: bool,
}

impl Store {
    /// The same store, writing notification e-mails with `mail`. Without one
    /// (a store opened for a command-line task) notifications are not sent.
    pub fn with_notification_mail(mut self, mail: Arc<NotifyMail>) -> Store {
        self.notify = Some(MailWriter(mail));
        self
    }

    /// Writes `notification` as an e-mail, or `None` when this store has no
    /// writer or the writer failed (logged: the change goes ahead without it).
    pub(crate) fn notification_email(
        &self,
        settings: &VendorSettings,
        notification: &Notification,
    ) -> Option<OutgoingEmail> {
        let mail = self.notify.as_ref()?;
        match (mail.0)(settings, notification) {
            Ok(email) => Some(email),
            Err(error) => {
                tracing::error!(%error, kind = notification.kind.as_str(), "cannot write a notification");
                None
            }
        }
    }

    /// The caller's notification choices, every kind in a fixed order.
    pub async fn notification_settings(
        &self,
        viewer: &Viewer,
    ) -> Result<Vec<NotificationSetting>, StoreError> {
        let rows: Vec<(String,)> = on_db!(self, pool => {
            sqlx::query_as("SELECT kind FROM notification_opt_outs WHERE user_id = $1")
                .bind(viewer.user_id.0)
                .fetch_all(pool)
                .await
        })?;
        Ok(NotificationKind::ALL
            .into_iter()
            .map(|kind| NotificationSetting {
                kind,
                enabled: !rows.iter().any(|(k,)| k == kind.as_str()),
            })
            .collect())
    }

    /// Saves the caller's choices; kinds not named keep theirs. A kind named
    /// twice is a field error.
    pub async fn set_notification_settings(
        &self,
        viewer: &Viewer,
        settings: &[NotificationSetting],
    ) -> Result<Vec<NotificationSetting>, StoreError> {
        for (i, s) in settings.iter().enumerate() {
            if settings[..i].iter().any(|o| o.kind == s.kind) {
                return Err(DomainError::field(s.kind.as_str(), "error-duplicate").into());
            }
        }
        write_tx!(self, tx => {
            for s in settings {
                if s.enabled {
                    sqlx::query("DELETE FROM notification_opt_outs WHERE user_id = $1 AND kind = $2")
                        .bind(viewer.user_id.0)
                        .bind(s.kind.as_str())
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query("INSERT INTO notification_opt_outs (user_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                        .bind(viewer.user_id.0)
                        .bind(s.kind.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
            }
        });
        self.notification_settings(viewer).await
    }
}

/// The e-mail telling `row` of `count` leads placed with them, `lead` (named
/// `title`) the first, placed by `actor_name` (`None`: by the rules alone).
pub(crate) fn lead_assigned(
    row: RecipientRow,
    lead: openprm_domain::LeadId,
    title: String,
    actor_name: Option<String>,
    count: u32,
) -> Notification {
    Notification {
        kind: NotificationKind::LeadAssigned,
        recipient_id: UserId(row.id),
        recipient_name: row.name,
        recipient_email: row.email,
        recipient_locale: Locale::parse(&row.locale).unwrap_or_default(),
        record: DealRef::Lead(lead),
        record_title: title,
        actor_name,
        text: None,
        count,
    }
}

/// Tells whoever lead `$lead` (list name `$title`) was just placed with, by
/// e-mail, unless they placed it themselves or opted out; on transaction
/// `$tx`, which placed it. Every path that places a single lead (creating it
/// with an owner or partner, routing) calls this after the `UPDATE`/`INSERT`;
/// the recipients are [`notify_placed!`]'s for the lead's place now.
/// `$settings` are the vendor's, `$actor` and `$actor_name` who placed it
/// (`None` for the rules alone).
macro_rules! notify_assignment {
    ($store:expr, $tx:ident, $now:expr, $settings:expr, $lead:expr, $title:expr, $actor:expr, $actor_name:expr) => {{
        let lead: openprm_domain::LeadId = $lead;
        let (partner, owner): (Option<uuid::Uuid>, Option<uuid::Uuid>) =
            sqlx::query_as("SELECT partner_id, owner_id FROM leads WHERE id = $1")
                .bind(lead.0)
                .fetch_one(&mut *$tx)
                .await?;
        let placed = [$crate::notifications::PlacedLead {
            id: lead,
            title: $title.clone(),
            place: $crate::leads::intake::LeadPlace {
                queue: None,
                partner: partner.map(openprm_domain::PartnerId),
                owner: owner.map(openprm_domain::UserId),
            },
        }];
        $crate::notifications::notify_placed!(
            $store,
            $tx,
            $now,
            $settings,
            &placed,
            $actor,
            $actor_name
        );
    }};
}
pub(crate) use notify_assignment;

/// A lead an import just placed, as its digest e-mail needs it.
#[derive(Clone, Debug)]
pub(crate) struct PlacedLead {
    pub id: openprm_domain::LeadId,
    pub title: String,
    pub place: crate::leads::intake::LeadPlace,
}

/// Who hears of leads placed with a person (`$2`) or, with nobody named, in a
/// company's inbox (`$1`): that person, or the company's partner managers;
/// active users only.
pub(crate) const PLACE_RECIPIENTS: &str = "SELECT u.id, u.name, u.email, u.locale FROM users u \
     WHERE u.active AND (u.id = $2 OR ($2 IS NULL AND u.partner_id = $1 AND u.role = 'partner_manager')) ORDER BY u.id";

/// Tells everyone leads were placed with ([`PLACE_RECIPIENTS`]) in one
/// e-mail each, on transaction `$tx`: about the lead itself when it is one,
/// else a digest of how many wait for them (a trade-show list of thousands
/// must not send one partner manager thousands of e-mails). Nobody hears of
/// leads they placed themselves, nor of a kind they opted out of.
macro_rules! notify_placed {
    ($store:expr, $tx:ident, $now:expr, $settings:expr, $placed:expr, $actor:expr, $actor_name:expr) => {{
        let placed: &[$crate::notifications::PlacedLead] = $placed;
        let actor: Option<openprm_domain::UserId> = $actor;
        let typed =
            $crate::db::typed_null($crate::notifications::PLACE_RECIPIENTS, $store.backend());
        // Leads by place, then by recipient (a partner manager may also own some).
        let mut by_place: std::collections::HashMap<
            (openprm_domain::PartnerId, Option<openprm_domain::UserId>),
            Vec<&$crate::notifications::PlacedLead>,
        > = std::collections::HashMap::new();
        for lead in placed {
            if let Some(partner) = lead.place.partner {
                by_place
                    .entry((partner, lead.place.owner))
                    .or_default()
                    .push(lead);
            }
        }
        let mut recipients: std::collections::HashMap<
            uuid::Uuid,
            (
                $crate::notifications::RecipientRow,
                Vec<&$crate::notifications::PlacedLead>,
            ),
        > = std::collections::HashMap::new();
        for ((partner, owner), leads) in by_place {
            let rows: Vec<$crate::notifications::RecipientRow> = sqlx::query_as(&typed)
                .bind(partner.0)
                .bind(owner.map(|o| o.0))
                .fetch_all(&mut *$tx)
                .await?;
            for row in rows {
                recipients
                    .entry(row.id)
                    .or_insert_with(|| (row, Vec::new()))
                    .1
                    .extend(leads.iter().copied());
            }
        }
        let mut recipients: Vec<_> = recipients.into_values().collect();
        recipients.sort_by_key(|(row, _)| row.id);
        for (row, mut leads) in recipients {
            let recipient = openprm_domain::UserId(row.id);
            leads.sort_by_key(|lead| lead.id);
            let Some(first) = leads.first() else { continue };
            if Some(recipient) == actor {
                continue;
            }
            let count = u32::try_from(leads.len()).unwrap_or(u32::MAX);
            let notification = $crate::notifications::lead_assigned(
                row,
                first.id,
                first.title.clone(),
                $actor_name.clone(),
                count,
            );
            let kind = notification.kind;
            if let Some(email) = $store.notification_email($settings, &notification) {
                $crate::notifications::enqueue_notification!(
                    &mut *$tx, $now, recipient, kind, &email
                );
            }
        }
    }};
}
pub(crate) use notify_placed;
