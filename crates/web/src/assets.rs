//! Static assets, compiled into the binary so the portal depends on no CDN.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};

const APP_CSS: &str = include_str!("../static/app.css");
const IMPORT_JS: &str = include_str!("../static/import.js");

pub async fn app_css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
        .into_response()
}

/// htmx 2 (BSD Zero-Clause licence), for partial page updates.
const HTMX_JS: &str = include_str!("../static/htmx.min.js");
/// The portal's own live-update script.
const LIVE_JS: &str = include_str!("../static/live.js");

pub async fn htmx_js() -> Response {
    script(HTMX_JS)
}

pub async fn live_js() -> Response {
    script(LIVE_JS)
}

fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// The upload progress of the lead import page (`pages/leads/import.rs`).
pub async fn import_js() -> Response {
    script(IMPORT_JS)
}
