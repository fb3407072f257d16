//! The response-time job: every minute it routes onward the inbox leads that
//! nobody accepted within their assignment rule's response time
//! ([`Store::response_time_sweep`]).
//!
//! Time comes from the store's clock, so tests move it instead of waiting, and
//! call [`ResponseTimeJob::run_once`] instead of waiting for the timer. Each
//! lead is one conditional transaction, so several instances may run it.

use std::future::Future;

use openprm_store::Store;
use tokio::task::JoinHandle;

use crate::JobError;

/// How often the job sweeps. Response times are whole hours, so a minute
/// late is nothing.
pub const RESPONSE_SWEEP_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

/// Routes onward inbox leads whose response time ran out, on the store's clock.
pub struct ResponseTimeJob {
    store: Store,
}

impl ResponseTimeJob {
    pub fn new(store: Store) -> Self {
        ResponseTimeJob { store }
    }

    /// One sweep, now: how many leads moved.
    pub async fn run_once(&self) -> Result<usize, JobError> {
        Ok(self.store.response_time_sweep(self.store.now()).await?)
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
                        tracing::warn!(error = %e, "response times: cannot reach the store");
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

/// Starts a [`ResponseTimeJob`] sweeping every [`RESPONSE_SWEEP_INTERVAL`]; it
/// stops when `shutdown` resolves. Returns the task to await at exit.
pub fn spawn_response_time_job(
    job: ResponseTimeJob,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(job.run(RESPONSE_SWEEP_INTERVAL, shutdown))
}
