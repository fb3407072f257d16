//! OpenPRM's background work: the outbox worker, which delivers the e-mail
//! that changes queued in the outbox table in their own transaction, and the
//! stale-claim job, which hands leads nobody works back to their queue, and
//! the registration-protection job, which reminds partners before an approved
//! deal registration's protection ends and lapses it at the end, and the
//! response-time job, which routes onward inbox leads nobody accepted in time.
//!
//! Delivery is at least once. Each e-mail's Message-ID is made from its outbox
//! id, so it is the same on every attempt and a receiver can drop a repeat.

mod mailer;
mod outbox;
mod registration_protection;
mod response_times;
mod stale_claims;

pub use mailer::MailConfig;
pub use outbox::{OutboxWaker, OutboxWorker, spawn_outbox_worker};
pub use registration_protection::{RegistrationProtectionJob, spawn_registration_protection_job};
pub use response_times::{RESPONSE_SWEEP_INTERVAL, ResponseTimeJob, spawn_response_time_job};
pub use stale_claims::{SWEEP_INTERVAL, StaleClaimJob, spawn_stale_claim_job};

/// What can stop a worker from starting or from reaching its database.
///
/// A message that cannot be delivered is not an error of the worker: it is
/// recorded on the message (`last_error`) and tried again later.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Store(#[from] openprm_store::StoreError),
    #[error("the SMTP URL is not usable: {0}")]
    SmtpUrl(#[source] lettre::transport::smtp::Error),
    #[error("the sender address {address:?} is not an e-mail address: {source}")]
    FromAddress {
        address: String,
        #[source]
        source: lettre::address::AddressError,
    },
    #[error("the mail folder {path} cannot be created: {source}")]
    MailDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}
