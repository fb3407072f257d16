//! Stale claims (spec flow 5): a lead claimed from a queue with
//! `stale_claim_days = N` that nobody works for N days goes back to the queue,
//! and its owner is warned a day before.
//!
//! [`Store::stale_claim_sweep`] is run every few minutes by a background job,
//! possibly on several instances at once. Every lead is handled in its own
//! transaction by an `UPDATE` whose `WHERE` repeats the conditions that made it
//! a candidate: of two sweeps reaching one lead only one acts, a sweep run
//! twice does nothing the second time, and activity (an edit, a note: both
//! reset `last_activity_at` and `stale_warned_at`) that lands between the read
//! and the write wins.
//!
//! A lead goes back only after its owner has been warned at least a day
//! earlier, so an owner always gets a day's notice, even when the sweep did
//! not run for a while or an admin shortened the queue's period.

use openprm_domain::{LeadId, Locale, PartnerId, QueueId, UserId, notifications::NotificationKind};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::timeline::record;
use crate::{
    DbTime, Store, StoreError, notifications::enqueue_notification, on_db, outbox::OutgoingEmail,
    settings::VendorSettings, write_tx,
};

/// How long before its return the owner of a stale lead is warned.
pub const WARNING_NOTICE: Duration = Duration::days(1);

/// Leads read per round trip while sweeping one queue.
const BATCH: i64 = 200;

/// What the warning e-mail tells the owner of a lead about to go back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaleWarning {
    pub lead_id: LeadId,
    pub lead_name: String,
    pub company: String,
    pub queue_name: String,
    /// The queue's `stale_claim_days`.
    pub days: i32,
    pub owner_name: String,
    pub owner_email: String,
    pub owner_locale: Locale,
    /// When the lead goes back unless someone works it.
    pub returns_at: OffsetDateTime,
}

/// Writes the warning e-mail in the owner's language. The web layer, which
/// holds the message catalogue and the e-mail templates, provides it; the
/// store only puts the result in the outbox, in the warning's transaction.
pub type WarningMail =
    dyn Fn(&VendorSettings, &StaleWarning) -> Result<OutgoingEmail, String> + Send + Sync;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Owners warned (each with an e-mail when their account is active).
    pub warned: usize,
    /// Leads handed back to their queue.
    pub returned: usize,
}

#[derive(sqlx::FromRow)]
struct StaleQueueRow {
    id: Uuid,
    name: String,
    stale_claim_days: i32,
}

#[derive(sqlx::FromRow)]
struct CandidateRow {
    id: Uuid,
    name: String,
    company: String,
    owner_id: Uuid,
    partner_id: Option<Uuid>,
    last_activity_at: DbTime,
    stale_warned_at: Option<DbTime>,
    owner_name: String,
    owner_email: String,
    owner_locale: String,
    owner_active: bool,
}

/// The cut-off instants of one queue at one moment.
struct Cutoffs {
    /// Last activity at or before this: the owner is due a warning.
    warn: OffsetDateTime,
    /// Last activity at or before this: the lead is due back…
    back: OffsetDateTime,
    /// …provided the owner was warned at or before this.
    warned_by: OffsetDateTime,
}

impl Cutoffs {
    fn new(now: OffsetDateTime, days: i32) -> Cutoffs {
        let days = i64::from(days.max(1));
        Cutoffs {
            warn: now - Duration::days(days) + WARNING_NOTICE,
            back: now - Duration::days(days),
            warned_by: now - WARNING_NOTICE,
        }
    }
}

// The candidates of one queue: claimed, still open, and due a warning or due
// back. Keyset-paged on (last_activity_at, id) so one pass reads each lead once.
const CANDIDATES: &str = "SELECT l.id, l.name, l.company, l.owner_id, l.partner_id, l.last_activity_at, l.stale_warned_at, \
     u.name AS owner_name, u.email AS owner_email, u.locale AS owner_locale, u.active AS owner_active \
     FROM leads l JOIN users u ON u.id = l.owner_id JOIN lead_statuses s ON s.key = l.status \
     WHERE l.queue_id = $1 AND l.claimed_at IS NOT NULL AND NOT s.closed AND l.last_activity_at <= $2 \
     AND (l.stale_warned_at IS NULL OR (l.last_activity_at <= $3 AND l.stale_warned_at <= $4)) \
     AND (l.last_activity_at > $5 OR (l.last_activity_at = $5 AND l.id > $6)) \
     ORDER BY l.last_activity_at, l.id LIMIT $7";

// Both updates repeat the candidate conditions, so a lead worked, released,
// closed or handled by another sweep since it was read is left alone.
const STILL_STALE: &str = "owner_id = $3 AND queue_id = $4 AND claimed_at IS NOT NULL \
     AND status IN (SELECT key FROM lead_statuses WHERE NOT closed)";

impl Store {
    /// Warns the owners of claimed leads that go back to their queue in a day,
    /// and hands back those whose owners were warned and still did nothing.
    /// Only queues with `stale_claim_days` take part. Idempotent, and safe to
    /// run on several instances at once.
    #[tracing::instrument(skip(self, mail))]
    pub async fn stale_claim_sweep(
        &self,
        now: OffsetDateTime,
        mail: &WarningMail,
    ) -> Result<SweepReport, StoreError> {
        let queues: Vec<StaleQueueRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, name, stale_claim_days FROM queues WHERE stale_claim_days IS NOT NULL ORDER BY id")
            .fetch_all(pool).await)?;
        let mut report = SweepReport::default();
        if queues.is_empty() {
            return Ok(report);
        }
        let settings = self.vendor_settings().await?;
        for queue in &queues {
            let cutoffs = Cutoffs::new(now, queue.stale_claim_days);
            // Start below every real instant and id.
            let mut after = (DbTime::from(OffsetDateTime::UNIX_EPOCH), Uuid::nil());
            loop {
                let rows: Vec<CandidateRow> = on_db!(self, pool => sqlx::query_as(CANDIDATES)
                    .bind(queue.id)
                    .bind(DbTime::from(cutoffs.warn))
                    .bind(DbTime::from(cutoffs.back))
                    .bind(DbTime::from(cutoffs.warned_by))
                    .bind(after.0)
                    .bind(after.1)
                    .bind(BATCH)
                    .fetch_all(pool).await)?;
                let full = rows.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
                if let Some(last) = rows.last() {
                    after = (last.last_activity_at, last.id);
                }
                for row in rows {
                    let Some(warned_at) = row.stale_warned_at else {
                        if self
                            .warn_owner(now, queue, &cutoffs, &settings, row, mail)
                            .await?
                        {
                            report.warned += 1;
                        }
                        continue;
                    };
                    if warned_at.0 <= cutoffs.warned_by
                        && row.last_activity_at.0 <= cutoffs.back
                        && self.hand_back(now, queue, &cutoffs, &row).await?
                    {
                        report.returned += 1;
                    }
                }
                if !full {
                    break;
                }
            }
        }
        if report != SweepReport::default() {
            tracing::info!(
                warned = report.warned,
                returned = report.returned,
                "stale claims swept"
            );
        }
        Ok(report)
    }

    /// Marks the lead warned, writes `stale_warning` to its timeline and
    /// queues the e-mail, in one transaction. False when the lead changed
    /// meanwhile (or another sweep warned first).
    async fn warn_owner(
        &self,
        now: OffsetDateTime,
        queue: &StaleQueueRow,
        cutoffs: &Cutoffs,
        settings: &VendorSettings,
        row: CandidateRow,
        mail: &WarningMail,
    ) -> Result<bool, StoreError> {
        let id = LeadId(row.id);
        let returns_at = (row.last_activity_at.0
            + Duration::days(i64::from(queue.stale_claim_days)))
        .max(now + WARNING_NOTICE);
        let warning = StaleWarning {
            lead_id: id,
            lead_name: row.name,
            company: row.company,
            queue_name: queue.name.clone(),
            days: queue.stale_claim_days,
            owner_name: row.owner_name,
            owner_email: row.owner_email,
            owner_locale: Locale::parse(&row.owner_locale).unwrap_or_default(),
            returns_at,
        };
        // A deactivated owner gets no e-mail; the warning still counts, so the
        // lead goes back on time.
        let email = if row.owner_active {
            match mail(settings, &warning) {
                Ok(email) => Some(email),
                Err(error) => {
                    // Without its e-mail the warning is not given; the next sweep tries again.
                    tracing::error!(lead = %id, %error, "cannot write the stale-claim warning");
                    return Ok(false);
                }
            }
        } else {
            None
        };
        let sql = format!(
            "UPDATE leads SET stale_warned_at = $2 WHERE id = $1 AND {STILL_STALE} \
             AND stale_warned_at IS NULL AND last_activity_at <= $5"
        );
        let partner = row.partner_id.map(PartnerId);
        let returns = DbTime::from(returns_at)
            .0
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
        let warned = write_tx!(self, tx => {
            let done = sqlx::query(&sql)
                .bind(id.0)
                .bind(DbTime::from(now))
                .bind(row.owner_id)
                .bind(queue.id)
                .bind(DbTime::from(cutoffs.warn))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                record!(&mut *tx, now, id, None::<UserId>, "stale_warning", None::<&str>, None::<String>, returns, partner, Some(QueueId(queue.id)));
                if let Some(email) = &email {
                    // Sent unless the owner opted out of stale-claim warnings.
                    enqueue_notification!(&mut *tx, now, UserId(row.owner_id), NotificationKind::StaleWarning, email);
                }
                true
            } else {
                false
            }
        });
        Ok(warned)
    }

    /// Gives the lead back to its queue and writes `stale_return` to its
    /// timeline, in one transaction. False when the lead changed meanwhile.
    async fn hand_back(
        &self,
        now: OffsetDateTime,
        queue: &StaleQueueRow,
        cutoffs: &Cutoffs,
        row: &CandidateRow,
    ) -> Result<bool, StoreError> {
        let id = LeadId(row.id);
        let sql = format!(
            "UPDATE leads SET owner_id = NULL, partner_id = NULL, claimed_at = NULL, accepted_at = NULL, \
             stale_warned_at = NULL, updated_at = $2, last_activity_at = $2, version = version + 1 \
             WHERE id = $1 AND {STILL_STALE} AND last_activity_at <= $5 \
             AND stale_warned_at IS NOT NULL AND stale_warned_at <= $6"
        );
        let partner = row.partner_id.map(PartnerId);
        let returned = write_tx!(self, tx => {
            let done = sqlx::query(&sql)
                .bind(id.0)
                .bind(DbTime::from(now))
                .bind(row.owner_id)
                .bind(queue.id)
                .bind(DbTime::from(cutoffs.back))
                .bind(DbTime::from(cutoffs.warned_by))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                record!(&mut *tx, now, id, None::<UserId>, "stale_return", None::<&str>, None::<String>, None::<String>, partner, Some(QueueId(queue.id)));
                true
            } else {
                false
            }
        });
        Ok(returned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn owners_are_warned_a_day_before_the_return() {
        let now = datetime!(2026-03-10 12:00 UTC);
        let c = Cutoffs::new(now, 5);
        assert_eq!(c.warn, datetime!(2026-03-06 12:00 UTC));
        assert_eq!(c.back, datetime!(2026-03-05 12:00 UTC));
        assert_eq!(c.warned_by, datetime!(2026-03-09 12:00 UTC));
        // One day: the warning comes at once after the claim.
        let c = Cutoffs::new(now, 1);
        assert_eq!(c.warn, now);
        // A nonsensical period behaves as one day rather than never.
        assert_eq!(Cutoffs::new(now, 0).back, Cutoffs::new(now, 1).back);
    }
}
