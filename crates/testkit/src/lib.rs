//! The test harness: a fresh database on either backend for every test, the
//! whole portal on a real socket, a real SMTP server to catch its e-mail, and
//! a headless browser.

pub mod api;
pub mod app;
pub mod browser;
pub mod db;
pub mod smtp;
pub mod sse;

/// A list cursor made by hand, as any client could forge one: the store's
/// `kind|id|value` in URL-safe base64 without padding, with a nil id.
pub fn forged_cursor(kind: &str, value: &str) -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    URL_SAFE_NO_PAD.encode(format!(
        "{kind}|00000000-0000-0000-0000-000000000000|{value}"
    ))
}
