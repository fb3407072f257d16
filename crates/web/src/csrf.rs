//! CSRF protection for every form, in one middleware.
//!
//! Double-submit: each browser gets a random token in an HttpOnly, SameSite=Strict
//! cookie, and every page embeds the same token in its forms. A state-changing
//! request outside `/api` must carry the field `_csrf` equal to the cookie, which
//! a page on another site can neither read nor set. The JSON API needs no token:
//! it only accepts `application/json` bodies (which a cross-site form cannot send)
//! or bearer tokens (which a browser never adds by itself).

use axum::{
    body::{Body, to_bytes},
    extract::{Request, State},
    http::{HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;

use crate::{AppState, error::AppError, pages::PageError};

pub const CSRF_COOKIE: &str = "openprm_csrf";
pub const CSRF_FIELD: &str = "_csrf";

/// The token for forms on the page being rendered.
#[derive(Clone, Debug)]
pub struct CsrfToken(pub String);

pub async fn protect(
    State(state): State<AppState>,
    jar: CookieJar,
    request: Request,
    next: Next,
) -> Response {
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43);
    let token = existing
        .clone()
        .unwrap_or_else(openprm_store::secrets::new_token);
    let state_changing = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    let mut request = request;
    if state_changing && !request.uri().path().starts_with("/api/") {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = to_bytes(body, state.config.body_limit).await else {
            return PageError::from_headers(AppError::TooLarge, &parts.headers).into_response();
        };
        let submitted = form_urlencoded::parse(&bytes)
            .find(|(key, _)| key == CSRF_FIELD)
            .map(|(_, value)| value.into_owned());
        let valid = matches!((&existing, &submitted), (Some(cookie), Some(field)) if constant_time_eq(cookie, field));
        if !valid {
            return PageError::from_headers(AppError::Csrf, &parts.headers).into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if existing.is_none() {
        let secure = if state.config.secure_cookies() {
            "; Secure"
        } else {
            ""
        };
        let cookie = format!("{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
