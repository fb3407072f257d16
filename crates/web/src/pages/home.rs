//! Home (spec flow 2): where every sign-in lands.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Response},
};
use openprm_store::partners::Partner;

use crate::{AppState, auth::PageCaller, csrf::CsrfToken, error::AppError};

use super::{Chrome, PageError, render};

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    /// The caller's partner company, for partner staff (with its channel manager).
    pub company: Option<Partner>,
    /// The partners in the caller's care, for vendor staff.
    pub partners: Vec<Partner>,
    pub is_vendor: bool,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = crate::i18n::Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let chrome = Chrome::build(&state, &caller, &csrf, "home", "tab-home").await?;
        let company = match caller.user.partner_id {
            Some(id) => Some(state.store.partner(&viewer, id).await?),
            None => None,
        };
        let partners = if caller.user.role.is_vendor() {
            state.store.partners(&viewer).await?
        } else {
            Vec::new()
        };
        render(&HomePage {
            chrome,
            company,
            partners,
            is_vendor: caller.user.role.is_vendor(),
        })
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
