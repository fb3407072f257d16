//! The outbox worker: takes due messages one at a time under a lease,
//! delivers them and records the outcome.
//!
//! A lease, not a lock held open, guards a message in flight: if the process
//! dies between taking a message and recording its delivery, the lease runs out
//! and the message is taken again. So delivery is at least once; the stable
//! Message-ID lets receivers drop the rare repeat.

use std::{future::Future, pin::Pin, sync::Arc};

use openprm_store::{
    Store,
    outbox::{OutboxMessage, OutgoingEmail},
};
use time::Duration;
use tokio::{sync::Notify, task::JoinHandle};

use crate::{
    JobError,
    mailer::{MailConfig, MailError, Mailer, SMTP_TIMEOUT},
};

/// How long a taken message is left to its worker before another may take it.
pub const LEASE: Duration = Duration::seconds(60);
/// How often the worker looks for due messages when nobody wakes it.
const POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);
/// The wait after a first failure; it doubles with each further failure…
const FIRST_RETRY: Duration = Duration::seconds(15);
/// …up to this.
const MAX_RETRY: Duration = Duration::hours(1);

// A delivery must end before its lease does, or a second worker could take it.
const _: () = assert!(SMTP_TIMEOUT.as_secs() * 2 <= LEASE.whole_seconds().unsigned_abs());

/// How long to wait after the failure of attempt number `attempts + 1`:
/// 15 s, 30 s, 1 min, … at most an hour.
fn retry_after(attempts: i32) -> Duration {
    let doublings = attempts.clamp(0, 20).unsigned_abs();
    let seconds = FIRST_RETRY
        .whole_seconds()
        .saturating_mul(1_i64 << doublings);
    Duration::seconds(seconds).min(MAX_RETRY)
}

/// Nudges a running [`OutboxWorker`] to look for messages now, e.g. right
/// after a transaction queued one.
#[derive(Clone, Debug)]
pub struct OutboxWaker(Arc<Notify>);

impl OutboxWaker {
    pub fn wake(&self) {
        // `notify_one` keeps a permit when the worker is busy, so a wake
        // during a delivery pass is not lost.
        self.0.notify_one();
    }
}

/// What became of one message.
enum Outcome {
    Delivered,
    Failed,
}

/// Delivers the outbox. Any number of workers, in one process or many, may
/// share one database: the lease keeps them off each other's messages.
pub struct OutboxWorker {
    store: Store,
    mailer: Mailer,
    wake: Arc<Notify>,
}

impl OutboxWorker {
    /// Checks the configuration (sender address, SMTP URL, mail folder).
    pub fn new(store: Store, config: MailConfig) -> Result<Self, JobError> {
        Ok(OutboxWorker {
            store,
            mailer: Mailer::new(&config)?,
            wake: Arc::new(Notify::new()),
        })
    }

    pub fn waker(&self) -> OutboxWaker {
        OutboxWaker(self.wake.clone())
    }

    /// Delivers every message due now; returns how many were delivered.
    /// A message that fails is recorded and scheduled again, not returned as
    /// an error; an error means the database could not be reached.
    pub async fn deliver_due(&self) -> Result<usize, JobError> {
        let mut delivered = 0;
        while let Some(outcome) = self.deliver_next().await? {
            if matches!(outcome, Outcome::Delivered) {
                delivered += 1;
            }
        }
        Ok(delivered)
    }

    /// Runs until `shutdown` resolves, polling about every 500 ms (and at
    /// once when woken). A delivery under way is finished before it stops.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            loop {
                if has_resolved(shutdown.as_mut()).await {
                    return;
                }
                match self.deliver_next().await {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox: cannot reach the store");
                        break;
                    }
                }
            }
            tokio::select! {
                () = shutdown.as_mut() => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL_INTERVAL) => {}
            }
        }
    }

    /// Takes and delivers the next due message, if there is one.
    async fn deliver_next(&self) -> Result<Option<Outcome>, JobError> {
        let Some(message) = self.store.take_outbox_message(LEASE).await? else {
            return Ok(None);
        };
        let outcome = match self.deliver(&message).await {
            Ok(()) => {
                self.store.mark_outbox_delivered(message.id).await?;
                Outcome::Delivered
            }
            Err(failure) => {
                let retry_in = if failure.is_permanent {
                    // Trying soon cannot help; trying hourly keeps the message
                    // in sight (outbox depth) until someone fixes the cause.
                    MAX_RETRY
                } else {
                    retry_after(message.attempts)
                };
                tracing::warn!(
                    id = %message.id,
                    kind = %message.kind,
                    attempts = message.attempts + 1,
                    retry_in_seconds = retry_in.whole_seconds(),
                    error = %failure.reason,
                    "outbox: delivery failed"
                );
                self.store
                    .mark_outbox_failed(message.id, &failure.reason, retry_in)
                    .await?;
                Outcome::Failed
            }
        };
        Ok(Some(outcome))
    }

    #[tracing::instrument(skip_all, fields(id = %message.id, kind = %message.kind))]
    async fn deliver(&self, message: &OutboxMessage) -> Result<(), Failure> {
        match message.kind.as_str() {
            "email" => self.deliver_email(message).await.map_err(Failure::from),
            other => Err(Failure {
                reason: format!("no delivery for outbox messages of kind {other:?}"),
                is_permanent: true,
            }),
        }
    }

    async fn deliver_email(&self, message: &OutboxMessage) -> Result<(), MailError> {
        let email: OutgoingEmail = serde_json::from_str(&message.payload)?;
        let composed = self.mailer.compose(message.id, &email, self.store.now())?;
        self.mailer.send(message.id, composed, &email).await
    }
}

/// Why a message was not delivered, as it is recorded on the message.
struct Failure {
    reason: String,
    is_permanent: bool,
}

impl From<MailError> for Failure {
    fn from(error: MailError) -> Self {
        Failure {
            is_permanent: error.is_permanent(),
            reason: error.to_string(),
        }
    }
}

/// Whether `future` has resolved, without waiting for it.
async fn has_resolved<F: Future<Output = ()>>(mut future: Pin<&mut F>) -> bool {
    std::future::poll_fn(|cx| std::task::Poll::Ready(future.as_mut().poll(cx).is_ready())).await
}

/// Starts an [`OutboxWorker`] on the tokio runtime; it stops when `shutdown`
/// resolves. Returns the waker to nudge it and the task to await at exit.
pub fn spawn_outbox_worker(
    store: Store,
    config: MailConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(OutboxWaker, JoinHandle<()>), JobError> {
    let worker = OutboxWorker::new(store, config)?;
    let waker = worker.waker();
    let task = tokio::spawn(worker.run(shutdown));
    Ok((waker, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_fifteen_seconds_to_an_hour() {
        assert_eq!(retry_after(0), Duration::seconds(15));
        assert_eq!(retry_after(1), Duration::seconds(30));
        assert_eq!(retry_after(2), Duration::seconds(60));
        assert_eq!(retry_after(7), Duration::seconds(1920));
        assert_eq!(retry_after(8), Duration::hours(1));
        assert_eq!(retry_after(1_000), Duration::hours(1));
        assert_eq!(retry_after(-3), Duration::seconds(15));
    }
}
