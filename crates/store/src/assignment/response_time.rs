//! Response times (spec flow 6): a lead an assignment rule put in an inbox
//! that nobody accepted by its `respond_by` is routed onward.
//!
//! [`Store::response_time_sweep`] runs every minute or so in a background job,
//! possibly on several instances at once. Each lead is handled in its own
//! transaction that begins with an `UPDATE` whose `WHERE` repeats why it was
//! due (still waiting, same holder, time up): of two sweeps reaching one lead
//! only one acts, and an Accept that lands first wins.
//!
//! The partner that let the time run out is remembered as a decline with the
//! reason `no_response`, so the router skips it, and the vendor's Declined
//! view lists the lead while it is back with the vendor. The timeline gets a
//! `rerouted` entry (value `response_time`) before the router's `routed` one,
//! so the lead page shows why it moved and where to; whoever gets it next
//! is told by e-mail.

use openprm_domain::{LeadId, PartnerId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use super::route::route_lead;
use crate::{DbTime, Store, StoreError, leads::timeline::record, on_db, write_tx};

/// The reason stored with the decline of a partner that did not answer in time.
pub const NO_RESPONSE: &str = "no_response";

/// The value of the `rerouted` timeline entry.
pub const RESPONSE_TIME: &str = "response_time";

/// Leads read per round trip.
const BATCH: i64 = 200;

#[derive(sqlx::FromRow)]
struct DueRow {
    id: Uuid,
    partner_id: Uuid,
    owner_id: Option<Uuid>,
    queue_id: Option<Uuid>,
    version: i64,
}

impl Store {
    /// Routes onward every inbox lead whose response time ran out at `now`.
    /// Returns how many moved. Idempotent, and safe on several instances.
    #[tracing::instrument(skip(self))]
    pub async fn response_time_sweep(&self, now: OffsetDateTime) -> Result<usize, StoreError> {
        let mut moved = 0;
        let mut after = Uuid::nil();
        let router = self.router().await?;
        let settings = self.vendor_settings().await?;
        loop {
            let rows: Vec<DueRow> = on_db!(self, pool => sqlx::query_as(
                "SELECT id, partner_id, owner_id, queue_id, version FROM leads \
                 WHERE respond_by IS NOT NULL AND respond_by <= $1 AND accepted_at IS NULL AND partner_id IS NOT NULL \
                 AND id > $2 ORDER BY id LIMIT $3")
                .bind(DbTime::from(now))
                .bind(after)
                .bind(BATCH)
                .fetch_all(pool).await)?;
            let full = rows.len() == usize::try_from(BATCH).unwrap_or(usize::MAX);
            if let Some(last) = rows.last() {
                after = last.id;
            }
            for row in rows {
                if self.route_onward(&router, &settings, now, &row).await? {
                    moved += 1;
                }
            }
            if !full {
                break;
            }
        }
        if moved > 0 {
            tracing::info!(moved, "inbox leads routed onward after their response time");
        }
        Ok(moved)
    }

    /// One lead: takes it from the inbox if it is still due, remembers the
    /// silent partner, notes why and routes it. False when it changed meanwhile.
    async fn route_onward(
        &self,
        router: &super::Router,
        settings: &crate::settings::VendorSettings,
        now: OffsetDateTime,
        row: &DueRow,
    ) -> Result<bool, StoreError> {
        let id = LeadId(row.id);
        let lead = match self.lead_fields_unscoped(id).await? {
            Some(fields) => fields,
            None => return Ok(false),
        };
        let partner = PartnerId(row.partner_id);
        let title = lead.list_name();
        let nobody: Option<String> = None;
        let moved = write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE leads SET partner_id = NULL, owner_id = NULL, respond_by = NULL, version = version + 1, updated_at = $3 \
                 WHERE id = $1 AND version = $2 AND accepted_at IS NULL AND respond_by IS NOT NULL AND respond_by <= $3")
                .bind(id.0)
                .bind(row.version)
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 1 {
                sqlx::query(
                    "INSERT INTO lead_declines (lead_id, partner_id, user_id, reason, note, at) VALUES ($1, $2, $3, $4, NULL, $5) \
                     ON CONFLICT (lead_id, partner_id) DO UPDATE SET user_id = $3, reason = $4, note = NULL, at = $5")
                    .bind(id.0)
                    .bind(partner.0)
                    .bind(row.owner_id)
                    .bind(NO_RESPONSE)
                    .bind(DbTime::from(now))
                    .execute(&mut *tx)
                    .await?;
                record!(&mut *tx, now, id, None::<UserId>, "rerouted", None::<&str>, None::<String>, Some(RESPONSE_TIME.to_owned()), Some(partner), row.queue_id.map(openprm_domain::QueueId));
                route_lead!(self, tx, router, now, id, &lead, None::<UserId>);
                crate::notifications::notify_assignment!(self, tx, now, settings, id, title, None::<UserId>, nobody);
                true
            } else {
                false
            }
        });
        Ok(moved)
    }
}
