//! Choosing a new password: forced after an invitation, voluntary otherwise.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::PageCallerAnyPassword,
    csrf::CsrfToken,
    error::AppError,
    services::passwords::{PasswordChange, change_password},
};

use super::{Chrome, PageError, PageForm, render};

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub chrome: Chrome,
    pub forced: bool,
    pub errors: std::collections::BTreeMap<String, String>,
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCallerAnyPassword(caller): PageCallerAnyPassword,
) -> Response {
    let t = crate::i18n::Tr::new(caller.user.locale);
    let result = async {
        let chrome = Chrome::build(&state, &caller, &csrf, "", "password-title").await?;
        render(&PasswordPage {
            forced: caller.user.must_change_password,
            chrome,
            errors: Default::default(),
        })
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCallerAnyPassword(caller): PageCallerAnyPassword,
    PageForm(form): PageForm<PasswordForm>,
) -> Response {
    let t = crate::i18n::Tr::new(caller.user.locale);
    let change = PasswordChange {
        current: Some(form.current_password.as_str()),
        new: &form.new_password,
        confirm: Some(&form.confirm_password),
    };
    let result = match change_password(&state, &caller.user, &caller.token_hash, change).await {
        Ok(()) => Ok(Redirect::to("/").into_response()),
        Err(AppError::Domain(openprm_domain::DomainError::Validation(fields))) => {
            async {
                let chrome = Chrome::build(&state, &caller, &csrf, "", "password-title").await?;
                let errors = fields.0.into_iter().map(|(k, v)| (k, t.get(&v))).collect();
                let mut response = render(&PasswordPage {
                    forced: caller.user.must_change_password,
                    chrome,
                    errors,
                })?;
                *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                Ok(response)
            }
            .await
        }
        Err(e) => Err(e),
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
