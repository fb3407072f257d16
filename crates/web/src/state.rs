//! What every handler can reach.

use std::sync::Arc;

use openprm_store::{Store, StoreError, live::LiveHub};
use tokio::sync::OnceCell;

/// Settings the web layer needs from the configuration.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The portal's public address, used in links in e-mails (`https://prm.example.com`).
    pub base_url: String,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
}

impl WebConfig {
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            body_limit: 256 * 1024,
        }
    }

    /// Cookies carry `Secure` when the portal is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// Called after a change queued a message in the outbox, so the worker sends
/// it now instead of at its next poll.
pub type OutboxNotifier = Arc<dyn Fn() + Send + Sync>;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    outbox_notifier: Option<OutboxNotifier>,
    /// Started by the first subscriber, so a portal nobody watches live reads
    /// no event log.
    live: Arc<OnceCell<LiveHub>>,
}

impl AppState {
    /// The store gets the notification writer here, so every change made
    /// through this portal can e-mail whoever it concerns.
    pub fn new(store: Store, config: WebConfig) -> Self {
        let store = store.with_notification_mail(
            crate::services::notifications::notification_mail(&config.base_url),
        );
        Self {
            store,
            config: Arc::new(config),
            outbox_notifier: None,
            live: Arc::default(),
        }
    }

    pub fn with_outbox_notifier(mut self, notifier: OutboxNotifier) -> Self {
        self.outbox_notifier = Some(notifier);
        self
    }

    /// This instance's live-event hub.
    pub async fn live(&self) -> Result<&LiveHub, StoreError> {
        self.live
            .get_or_try_init(|| LiveHub::start(self.store.clone()))
            .await
    }

    pub fn outbox_changed(&self) {
        if let Some(notify) = &self.outbox_notifier {
            notify();
        }
    }
}
