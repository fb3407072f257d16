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

#[cfg(test)]
mod tests {
    use super::APP_CSS;

    /// Every block of the stylesheet closes, and every rule written at the
    /// left margin is a top-level rule. A block left open swallows every
    /// rule after it (once, all later rules applied only to readers who ask
    /// for reduced motion), which no page test notices.
    #[test]
    fn the_stylesheet_closes_every_block_it_opens() {
        let mut depth = 0i32;
        let mut in_comment = false;
        for (number, line) in APP_CSS.lines().enumerate() {
            let mut code = String::new();
            let mut rest = line;
            loop {
                if in_comment {
                    match rest.find("*/") {
                        Some(end) => {
                            rest = &rest[end + 2..];
                            in_comment = false;
                        }
                        None => break,
                    }
                } else {
                    match rest.find("/*") {
                        Some(start) => {
                            code.push_str(&rest[..start]);
                            rest = &rest[start + 2..];
                            in_comment = true;
                        }
                        None => {
                            code.push_str(rest);
                            break;
                        }
                    }
                }
            }
            let starts_rule =
                !code.starts_with(char::is_whitespace) && code.trim_end().ends_with('{');
            assert!(
                !starts_rule || depth == 0,
                "line {}: `{}` is nested {depth} deep: a block above it is not closed",
                number + 1,
                code.trim()
            );
            depth += code.matches('{').count() as i32 - code.matches('}').count() as i32;
            assert!(
                depth >= 0,
                "line {}: closes a block never opened",
                number + 1
            );
        }
        assert_eq!(depth, 0, "blocks left open at the end");
    }
}
