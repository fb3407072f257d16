//! Who is calling: a browser session cookie or an API bearer token, resolved
//! through the store on every request (sessions live in the database, so any
//! instance can serve any request and a deactivated user is out at once).

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::CookieJar;
use openprm_domain::{DomainError, Locale, Viewer};
use openprm_store::{
    sessions::{Authenticated, SessionKind},
    users::User,
};

use crate::{AppState, error::ApiError, error::AppError, pages::PageError};

pub const SESSION_COOKIE: &str = "openprm_session";

/// A signed-in caller.
#[derive(Clone, Debug)]
pub struct Caller {
    pub user: User,
    /// The hash of the session or token in use, so sign-out can end just this one.
    pub token_hash: String,
}

impl Caller {
    pub fn viewer(&self) -> Viewer {
        self.user.viewer()
    }
}

impl From<Authenticated> for Caller {
    fn from(a: Authenticated) -> Self {
        Caller {
            user: a.user,
            token_hash: a.token_hash,
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The caller behind the request, if any: a bearer token wins over a cookie.
pub async fn identify(state: &AppState, parts: &Parts) -> Result<Option<Caller>, AppError> {
    if let Some(token) = bearer(&parts.headers) {
        return Ok(state
            .store
            .authenticate(token, SessionKind::Api)
            .await?
            .map(Caller::from));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    match jar.get(SESSION_COOKIE) {
        Some(cookie) => Ok(state
            .store
            .authenticate(cookie.value(), SessionKind::Browser)
            .await?
            .map(Caller::from)),
        None => Ok(None),
    }
}

async fn api_caller(
    parts: &Parts,
    state: &AppState,
    allow_pending_password: bool,
) -> Result<Caller, ApiError> {
    let caller = identify(state, parts)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if caller.user.must_change_password && !allow_pending_password {
        return Err(DomainError::PasswordChangeRequired.into());
    }
    Ok(caller)
}

async fn page_caller(
    parts: &Parts,
    state: &AppState,
    allow_pending_password: bool,
) -> Result<Caller, PageRejection> {
    let caller = identify(state, parts)
        .await
        .map_err(|e| PageRejection::Error(PageError::from_headers(e, &parts.headers)))?
        .ok_or(PageRejection::SignIn)?;
    if caller.user.must_change_password && !allow_pending_password {
        return Err(PageRejection::ChoosePassword);
    }
    crate::pages::may_open(state, &caller, parts.uri.path())
        .await
        .map_err(|e| PageRejection::Error(PageError::from_headers(e, &parts.headers)))?;
    Ok(caller)
}

/// An API caller who may use the API: signed in, password chosen.
pub struct ApiCaller(pub Caller);

/// An API caller who may still have to choose a password (for the few
/// endpoints that lead there: the password change itself and sign-out).
pub struct ApiCallerAnyPassword(pub Caller);

/// A page visitor who is signed in and has chosen a password; others are sent
/// to the sign-in page or to the new-password page.
pub struct PageCaller(pub Caller);

/// A signed-in page visitor who may still have to choose a password.
pub struct PageCallerAnyPassword(pub Caller);

macro_rules! caller_extractor {
    ($name:ident, $rejection:ty, $resolve:ident, $allow_pending:expr) => {
        impl FromRequestParts<AppState> for $name {
            type Rejection = $rejection;
            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                $resolve(parts, state, $allow_pending).await.map($name)
            }
        }
    };
}

caller_extractor!(ApiCaller, ApiError, api_caller, false);
caller_extractor!(ApiCallerAnyPassword, ApiError, api_caller, true);
caller_extractor!(PageCaller, PageRejection, page_caller, false);
caller_extractor!(PageCallerAnyPassword, PageRejection, page_caller, true);

pub enum PageRejection {
    SignIn,
    ChoosePassword,
    Error(PageError),
}

impl IntoResponse for PageRejection {
    fn into_response(self) -> Response {
        match self {
            PageRejection::SignIn => Redirect::to("/login").into_response(),
            PageRejection::ChoosePassword => Redirect::to("/password").into_response(),
            PageRejection::Error(e) => e.into_response(),
        }
    }
}

/// The language of a page for someone not (yet) signed in.
pub fn locale_from_headers(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Locale::from_accept_language)
        .unwrap_or_default()
}

/// The session cookie: HttpOnly, SameSite=Lax (links from e-mail still arrive
/// signed in), Secure when served over https.
pub fn session_cookie(state: &AppState, token: &str) -> String {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear_session_cookie(state: &AppState) -> String {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}
