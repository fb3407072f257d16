//! The stale-claim job: every few minutes it warns the owners of claimed
//! queue leads nobody has worked for a while and hands back those still
//! untouched a day later ([`Store::stale_claim_sweep`]).
//!
//! The warning e-mail is written by a [`WarningMail`] the caller provides: the
//! message catalogue and the templates live in the web crate, which this crate
//! does not know; the binary wires the two together. Time comes from the
//! store's clock, so tests move it instead of waiting, and call
//! [`StaleClaimJob::run_once`] instead of waiting for the timer.

use std::{future::Future, sync::Arc};

use openprm_store::{
    Store,
    leads::stale::{SweepReport, WarningMail},
};
use tokio::task::JoinHandle;

use crate::{JobError, OutboxWaker};

/// How often the job sweeps. Periods are whole days, so a few minutes late
/// is nothing; several instances may sweep at the same time.
pub const SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(5 * 60);

/// Sweeps stale claims on the store's clock.
pub struct StaleClaimJob {
    store: Store,
    mail: Arc<WarningMail>,
    outbox: Option<OutboxWaker>,
}

impl StaleClaimJob {
    pub fn new(store: Store, mail: Arc<WarningMail>) -> Self {
        StaleClaimJob {
            store,
            mail,
            outbox: None,
        }
    }

    /// Nudges the outbox worker after a sweep queued warnings, so they go out
    /// at once rather than at its next poll.
    pub fn with_outbox_waker(mut self, waker: OutboxWaker) -> Self {
        self.outbox = Some(waker);
        self
    }

    /// One sweep, now.
    pub async fn run_once(&self) -> Result<SweepReport, JobError> {
        let report = self
            .store
            .stale_claim_sweep(self.store.now(), self.mail.as_ref())
            .await?;
        if report.warned > 0
            && let Some(outbox) = &self.outbox
        {
            outbox.wake();
        }
        Ok(report)
    }

    /// Sweeps at once and then every `interval` until `shutdown` resolves.
    /// Stopping mid-sweep is safe: each lead is handled in its own transaction.
    pub async fn run(
        self,
        interval: std::time::Duration,
        shutdown: impl Future<Output = ()> + Send,
    ) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                () = shutdown.as_mut() => return,
                result = self.run_once() => {
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "stale claims: cannot reach the store");
                    }
                }
            }
            tokio::select! {
                () = shutdown.as_mut() => return,
                () = tokio::time::sleep(interval) => {}
            }
        }
    }
}

/// Starts a [`StaleClaimJob`] sweeping every [`SWEEP_INTERVAL`]; it stops when
/// `shutdown` resolves. Returns the task to await at exit.
pub fn spawn_stale_claim_job(
    job: StaleClaimJob,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(job.run(SWEEP_INTERVAL, shutdown))
}
