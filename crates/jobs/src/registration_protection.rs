//! The registration-protection job: every few minutes it reminds submitters
//! whose approved deal registrations stop being protected soon, and lapses
//! the protections that ended ([`Store::registration_protection_sweep`]).
//!
//! The reminder e-mail is written by a [`RegistrationMail`] the caller
//! provides (the catalogue and templates live in the web crate); time comes
//! from the store's clock, so tests move it and call
//! [`RegistrationProtectionJob::run_once`] instead of waiting for the timer.

use std::{future::Future, sync::Arc};

use openprm_store::{
    Store,
    registrations::{decide::RegistrationMail, protection::ProtectionReport},
};
use tokio::task::JoinHandle;

use crate::{JobError, OutboxWaker, SWEEP_INTERVAL};

/// Sweeps registration protections on the store's clock.
pub struct RegistrationProtectionJob {
    store: Store,
    mail: Arc<RegistrationMail>,
    outbox: Option<OutboxWaker>,
}

impl RegistrationProtectionJob {
    pub fn new(store: Store, mail: Arc<RegistrationMail>) -> Self {
        RegistrationProtectionJob {
            store,
            mail,
            outbox: None,
        }
    }

    /// Nudges the outbox worker after a sweep queued reminders.
    pub fn with_outbox_waker(mut self, waker: OutboxWaker) -> Self {
        self.outbox = Some(waker);
        self
    }

    /// One sweep, now.
    pub async fn run_once(&self) -> Result<ProtectionReport, JobError> {
        let report = self
            .store
            .registration_protection_sweep(self.store.now(), self.mail.as_ref())
            .await?;
        if report.reminded > 0
            && let Some(outbox) = &self.outbox
        {
            outbox.wake();
        }
        Ok(report)
    }

    /// Sweeps at once and then every `interval` until `shutdown` resolves.
    /// Stopping mid-sweep is safe: each registration is its own transaction.
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
                        tracing::warn!(error = %e, "registration protection: cannot reach the store");
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

/// Starts a [`RegistrationProtectionJob`] sweeping every [`SWEEP_INTERVAL`];
/// it stops when `shutdown` resolves. Returns the task to await at exit.
pub fn spawn_registration_protection_job(
    job: RegistrationProtectionJob,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(job.run(SWEEP_INTERVAL, shutdown))
}
