//! Signing in and out (spec flow 2: every sign-in lands on Home).

use std::net::SocketAddr;

use askama::Template;
use axum::{
    Extension,
    extract::{ConnectInfo, State},
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::Branding;
use openprm_store::sessions::SessionKind;
use serde::Deserialize;

use crate::{
    AppState,
    auth::{
        PageCallerAnyPassword, SESSION_COOKIE, clear_session_cookie, locale_from_headers,
        session_cookie,
    },
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    services::sign_in::sign_in,
};

use super::{PageError, PageForm, render};

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub t: Tr,
    pub branding: Branding,
    pub primary_text: &'static str,
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
}

async fn page(
    state: &AppState,
    t: Tr,
    csrf: &CsrfToken,
    email: String,
    error: Option<String>,
) -> Result<Response, AppError> {
    let branding = state.store.vendor_settings().await?.branding();
    render(&LoginPage {
        t,
        primary_text: branding.primary.contrasting_text(),
        branding,
        csrf: csrf.0.clone(),
        email,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
) -> Response {
    let t = Tr::new(locale_from_headers(&headers));
    page(&state, t, &csrf, String::new(), None)
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Response {
    let t = Tr::new(locale_from_headers(&headers));
    let result = async {
        match sign_in(&state, &form.email, &form.password, Some(client.ip())).await {
            Ok(user) => {
                // A new session id at every sign-in: a session planted before it is worthless.
                let jar = axum_extra::extract::CookieJar::from_headers(&headers);
                if let Some(previous) = jar.get(SESSION_COOKIE) {
                    state
                        .store
                        .end_session(&openprm_store::secrets::hash_token(previous.value()))
                        .await?;
                }
                let token = state
                    .store
                    .create_session(user.id, SessionKind::Browser)
                    .await?;
                let target = if user.must_change_password {
                    "/password"
                } else {
                    "/"
                };
                Ok((
                    [(header::SET_COOKIE, session_cookie(&state, &token))],
                    Redirect::to(target),
                )
                    .into_response())
            }
            Err(AppError::BadCredentials) => {
                let mut response = page(
                    &state,
                    t,
                    &csrf,
                    form.email.clone(),
                    Some(t.get("error-sign-in-failed")),
                )
                .await?;
                *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
                Ok(response)
            }
            Err(AppError::Domain(openprm_domain::DomainError::RateLimited {
                retry_after_secs,
            })) => {
                let minutes = retry_after_secs.div_ceil(60).to_string();
                let message = t.with("error-sign-in-throttled", [("minutes", minutes.as_str())]);
                let mut response =
                    page(&state, t, &csrf, form.email.clone(), Some(message)).await?;
                *response.status_mut() = axum::http::StatusCode::TOO_MANY_REQUESTS;
                if let Ok(v) = retry_after_secs.to_string().parse() {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
                Ok(response)
            }
            Err(other) => Err(other),
        }
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}

pub async fn logout(
    State(state): State<AppState>,
    PageCallerAnyPassword(caller): PageCallerAnyPassword,
) -> Response {
    let t = Tr::new(caller.user.locale);
    match state.store.end_session(&caller.token_hash).await {
        Ok(()) => (
            [(header::SET_COOKIE, clear_session_cookie(&state))],
            Redirect::to("/login"),
        )
            .into_response(),
        Err(e) => PageError::new(e, t).into_response(),
    }
}
