//! Following an invitation link (spec flow 1). Opening the link only shows a
//! page; the link is used up by the button on it, so mail scanners that fetch
//! links do not burn it.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{Branding, DomainError};
use openprm_store::sessions::SessionKind;

use crate::{AppState, auth::session_cookie, csrf::CsrfToken, error::AppError, i18n::Tr};

use super::{PageError, PageId, render};

#[derive(Template)]
#[template(path = "invitation.html")]
pub struct InvitationPage {
    pub t: Tr,
    pub branding: Branding,
    pub primary_text: &'static str,
    pub csrf: String,
    pub name: String,
    pub email: String,
    pub token: String,
    /// Set when the link can no longer be used: a message key.
    pub problem: Option<&'static str>,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
    PageId(token): PageId<String>,
) -> Response {
    let header_t = Tr::new(crate::auth::locale_from_headers(&headers));
    let result = async {
        let view = state
            .store
            .invitation_by_token(&token)
            .await?
            .ok_or(DomainError::NotFound)?;
        let t = Tr::new(view.locale);
        let problem = view
            .status
            .check_usable(state.store.now())
            .err()
            .map(|p| p.message_key());
        let branding = state.store.vendor_settings().await?.branding();
        let mut response = render(&InvitationPage {
            t,
            primary_text: branding.primary.contrasting_text(),
            branding,
            csrf: csrf.0.clone(),
            name: view.name,
            email: view.email,
            token: token.clone(),
            problem,
        })?;
        if problem.is_some() {
            *response.status_mut() = axum::http::StatusCode::GONE;
        }
        Ok::<_, AppError>(response)
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, header_t).into_response())
}

pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageId(token): PageId<String>,
) -> Response {
    let t = Tr::new(crate::auth::locale_from_headers(&headers));
    let result = async {
        let user = state.store.accept_invitation(&token, None).await?;
        let session = state
            .store
            .create_session(user, SessionKind::Browser)
            .await?;
        Ok::<_, AppError>(
            (
                [(header::SET_COOKIE, session_cookie(&state, &session))],
                Redirect::to("/password"),
            )
                .into_response(),
        )
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
