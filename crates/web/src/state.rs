//! What every handler can reach.

use std::sync::Arc;

use openprm_store::Store;

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

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        Self {
            store,
            config: Arc::new(config),
        }
    }
}
