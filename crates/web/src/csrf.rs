//! CSRF protection for every form, in one middleware.
//!
//! Double-submit: each browser gets a random token in an HttpOnly, SameSite=Strict
//! cookie, and every page embeds the same token in its forms. A state-changing
//! request outside `/api` must carry the field `_csrf` equal to the cookie, which
//! a page on another site can neither read nor set. The JSON API needs no token:
//! it only accepts `application/json` bodies (which a cross-site form cannot send)
//! or bearer tokens (which a browser never adds by itself).
//!
//! A file upload (`multipart/form-data`) carries the same field as its first
//! part; only that part is read here, and the body goes on to the handler
//! unchanged.

use axum::{
    body::{Body, Bytes, to_bytes},
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use axum_extra::extract::CookieJar;
use futures::StreamExt;

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
        let (submitted, body) = match multipart_boundary(&parts.headers) {
            Some(boundary) => match multipart_token(body, &boundary).await {
                Ok(found) => found,
                Err(error) => {
                    return PageError::from_headers(error, &parts.headers).into_response();
                }
            },
            None => {
                let Ok(bytes) = to_bytes(body, state.config.body_limit).await else {
                    return PageError::from_headers(AppError::TooLarge, &parts.headers)
                        .into_response();
                };
                let submitted = form_urlencoded::parse(&bytes)
                    .find(|(key, _)| key == CSRF_FIELD)
                    .map(|(_, value)| value.into_owned());
                (submitted, Body::from(bytes))
            }
        };
        let valid = matches!((&existing, &submitted), (Some(cookie), Some(field)) if constant_time_eq(cookie, field));
        if !valid {
            return PageError::from_headers(AppError::Csrf, &parts.headers).into_response();
        }
        request = Request::from_parts(parts, body);
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

/// The boundary of a `multipart/form-data` body (a file upload), if it is one.
fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
        .then(|| multer::parse_boundary(content_type).ok())
        .flatten()
}

/// Longest first part of a multipart body read while looking for the token.
const FIRST_PART_MAX: usize = 16 * 1024;

/// The `_csrf` field of a multipart body, which must be its first part (our
/// forms put it first, and browsers send fields in the order of the form),
/// and the body to hand on unchanged. Only the first part is read here, so a
/// large upload is not held in memory twice nor read at all when the token
/// is wrong; the handler reads the rest under its own size limit.
async fn multipart_token(body: Body, boundary: &str) -> Result<(Option<String>, Body), AppError> {
    let delimiter = format!("--{boundary}");
    let mut stream = body.into_data_stream();
    let mut prefix: Vec<Bytes> = Vec::new();
    let mut seen = Vec::new();
    // The first part is complete once its closing delimiter has arrived.
    while occurrences(&seen, delimiter.as_bytes()) < 2 && seen.len() <= FIRST_PART_MAX {
        match stream.next().await {
            Some(Ok(chunk)) => {
                seen.extend_from_slice(&chunk[..chunk.len().min(FIRST_PART_MAX + 1)]);
                prefix.push(chunk);
            }
            Some(Err(_)) => return Err(AppError::BadRequest("unreadable upload".into())),
            None => break,
        }
    }
    let token = first_field(Bytes::from(seen), boundary, CSRF_FIELD).await;
    let rest = futures::stream::iter(prefix.into_iter().map(Ok::<_, axum::Error>)).chain(stream);
    Ok((token, Body::from_stream(rest)))
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|w| *w == needle)
        .count()
}

/// The value of the first part of a multipart body if that part is `name`.
async fn first_field(bytes: Bytes, boundary: &str, name: &str) -> Option<String> {
    let stream = futures::stream::once(async move { Ok::<_, std::convert::Infallible>(bytes) });
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(FIRST_PART_MAX as u64 * 2));
    let mut multipart = multer::Multipart::with_constraints(stream, boundary, constraints);
    let field = multipart.next_field().await.ok()??;
    if field.name() != Some(name) {
        return None;
    }
    let value = field.text().await.ok()?;
    (value.len() <= 128).then_some(value)
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
