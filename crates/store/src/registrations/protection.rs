//! The end of a registration's protection (spec flow 13): its submitter is
//! reminded `registration_reminder_days` before it ends, and at the end it
//! lapses — the opportunity stays the partner's, no longer protected from
//! other partners' registrations.
//!
//! [`Store::registration_protection_sweep`] is run every few minutes by a
//! background job, possibly on several instances at once. Each registration
//! is handled in its own transaction by an `UPDATE` whose `WHERE` repeats the
//! conditions that made it a candidate, so of two sweeps reaching one only one
//! acts, and a sweep run twice does nothing the second time.

use openprm_domain::{
    Locale, OpportunityId, PartnerId, RegistrationId, UserId,
    registrations::protection::ProtectionPolicy,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::decide::{NoticeKind, RegistrationMail, RegistrationNotice};
use crate::{
    DbTime, Store, StoreError, on_db, opportunities::timeline::record, outbox::enqueue_email,
    settings::VendorSettings, write_tx,
};

/// Registrations read per round trip.
const BATCH: i64 = 200;

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProtectionReport {
    /// Submitters reminded that a protection ends soon.
    pub reminded: usize,
    /// Protections that ended.
    pub lapsed: usize,
}

#[derive(sqlx::FromRow)]
struct DueRow {
    id: Uuid,
    partner_id: Uuid,
    company_name: String,
    product_interest: String,
    opportunity_id: Option<Uuid>,
    protected_until: DbTime,
    submitter_name: String,
    submitter_email: String,
    submitter_locale: String,
    submitter_active: bool,
}

const DUE: &str = "SELECT r.id, r.partner_id, r.company_name, r.product_interest, r.opportunity_id, r.protected_until, \
     u.name AS submitter_name, u.email AS submitter_email, u.locale AS submitter_locale, u.active AS submitter_active \
     FROM deal_registrations r JOIN users u ON u.id = r.submitted_by \
     WHERE r.status = 'approved' AND r.lapsed_at IS NULL";

impl Store {
    /// Reminds submitters of protections ending within the reminder period
    /// and lapses those that ended. Idempotent, and safe to run on several
    /// instances at once.
    #[tracing::instrument(skip(self, mail))]
    pub async fn registration_protection_sweep(
        &self,
        now: OffsetDateTime,
        mail: &RegistrationMail,
    ) -> Result<ProtectionReport, StoreError> {
        let policy = self.registration_policy().await?;
        let mut report = ProtectionReport::default();
        if policy.reminder_days > 0 {
            report.reminded = self.send_reminders(now, &policy, mail).await?;
        }
        report.lapsed = self.lapse_protections(now).await?;
        if report != ProtectionReport::default() {
            tracing::info!(
                reminded = report.reminded,
                lapsed = report.lapsed,
                "registration protections swept"
            );
        }
        Ok(report)
    }

    async fn send_reminders(
        &self,
        now: OffsetDateTime,
        policy: &ProtectionPolicy,
        mail: &RegistrationMail,
    ) -> Result<usize, StoreError> {
        let horizon = now + Duration::days(i64::from(policy.reminder_days));
        let sql = format!(
            "{DUE} AND r.reminder_sent_at IS NULL AND r.protected_until > $1 AND r.protected_until <= $2 \
             AND (r.protected_until > $3 OR (r.protected_until = $3 AND r.id > $4)) \
             ORDER BY r.protected_until, r.id LIMIT $5"
        );
        let settings = self.vendor_settings().await?;
        let mut reminded = 0;
        let mut after = (DbTime::from(OffsetDateTime::UNIX_EPOCH), Uuid::nil());
        loop {
            let rows: Vec<DueRow> = on_db!(self, pool => sqlx::query_as(&sql)
                .bind(DbTime::from(now))
                .bind(DbTime::from(horizon))
                .bind(after.0)
                .bind(after.1)
                .bind(BATCH)
                .fetch_all(pool).await)?;
            let full = rows.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
            if let Some(last) = rows.last() {
                after = (last.protected_until, last.id);
            }
            for row in rows {
                if self.remind(now, &settings, row, mail).await? {
                    reminded += 1;
                }
            }
            if !full {
                return Ok(reminded);
            }
        }
    }

    /// Marks the registration reminded and queues the e-mail, in one
    /// transaction. False when it changed meanwhile (or another sweep was first).
    async fn remind(
        &self,
        now: OffsetDateTime,
        settings: &VendorSettings,
        row: DueRow,
        mail: &RegistrationMail,
    ) -> Result<bool, StoreError> {
        let id = RegistrationId(row.id);
        // A deactivated submitter gets no e-mail; the reminder still counts as given.
        let email = if row.submitter_active {
            let notice = RegistrationNotice {
                kind: NoticeKind::Reminder {
                    protected_until: row.protected_until.0,
                },
                registration_id: id,
                company_name: row.company_name,
                product_interest: row.product_interest,
                opportunity_id: row.opportunity_id.map(OpportunityId),
                recipient_name: row.submitter_name,
                recipient_email: row.submitter_email,
                recipient_locale: Locale::parse(&row.submitter_locale).unwrap_or_default(),
            };
            match mail(settings, &notice) {
                Ok(email) => Some(email),
                Err(error) => {
                    // Without its e-mail the reminder is not given; the next sweep tries again.
                    tracing::error!(registration = %id, %error, "cannot write the protection reminder");
                    return Ok(false);
                }
            }
        } else {
            None
        };
        let reminded = write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE deal_registrations SET reminder_sent_at = $2 WHERE id = $1 AND status = 'approved' \
                 AND lapsed_at IS NULL AND reminder_sent_at IS NULL AND protected_until > $2")
                .bind(id.0)
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                if let Some(email) = &email {
                    enqueue_email!(&mut *tx, now, email);
                }
                true
            } else {
                false
            }
        });
        Ok(reminded)
    }

    async fn lapse_protections(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let sql = format!(
            "{DUE} AND r.protected_until <= $1 \
             AND (r.protected_until > $2 OR (r.protected_until = $2 AND r.id > $3)) \
             ORDER BY r.protected_until, r.id LIMIT $4"
        );
        let mut lapsed = 0;
        let mut after = (DbTime::from(OffsetDateTime::UNIX_EPOCH), Uuid::nil());
        loop {
            let rows: Vec<DueRow> = on_db!(self, pool => sqlx::query_as(&sql)
                .bind(DbTime::from(now))
                .bind(after.0)
                .bind(after.1)
                .bind(BATCH)
                .fetch_all(pool).await)?;
            let full = rows.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
            if let Some(last) = rows.last() {
                after = (last.protected_until, last.id);
            }
            for row in rows {
                if self.lapse(now, &row).await? {
                    lapsed += 1;
                }
            }
            if !full {
                return Ok(lapsed);
            }
        }
    }

    /// Ends one protection and notes it on the opportunity's timeline, in one
    /// transaction. False when it changed meanwhile.
    async fn lapse(&self, now: OffsetDateTime, row: &DueRow) -> Result<bool, StoreError> {
        let until = DbTime::from(row.protected_until.0)
            .0
            .format(&time::format_description::well_known::Rfc3339)
            .ok();
        let partner = Some(PartnerId(row.partner_id));
        let lapsed = write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE deal_registrations SET lapsed_at = $2, updated_at = $2, version = version + 1 \
                 WHERE id = $1 AND status = 'approved' AND lapsed_at IS NULL AND protected_until <= $2")
                .bind(row.id)
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                if let Some(opportunity) = row.opportunity_id.map(OpportunityId) {
                    record!(&mut *tx, now, opportunity, None::<UserId>, "protection_lapsed", None::<&str>, until.clone(), None::<String>, partner);
                }
                true
            } else {
                false
            }
        });
        Ok(lapsed)
    }
}
