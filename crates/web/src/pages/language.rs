//! Choosing one's language.

use axum::{
    extract::State,
    http::{HeaderMap, header},
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, Locale};
use serde::Deserialize;

use crate::{AppState, auth::PageCallerAnyPassword, i18n::Tr};

use super::{PageError, PageForm};

#[derive(Deserialize)]
pub struct LanguageForm {
    #[serde(default)]
    locale: String,
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    PageCallerAnyPassword(caller): PageCallerAnyPassword,
    PageForm(form): PageForm<LanguageForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let Some(locale) = Locale::parse(&form.locale) else {
        return PageError::new(DomainError::field("locale", "error-locale-unknown"), t)
            .into_response();
    };
    if let Err(e) = state.store.set_locale(caller.user.id, locale).await {
        return PageError::new(e, t).into_response();
    }
    // Back to the page the user was on, but only ever to a page of this portal.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.strip_prefix(state.config.base_url.as_str()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or("/")
        .to_owned();
    Redirect::to(&back).into_response()
}
