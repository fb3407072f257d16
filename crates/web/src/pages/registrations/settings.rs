//! `GET/POST /admin/deal-registration`: the admin's protection settings —
//! how many days an approval protects a deal, and how many days before the
//! end its submitter is reminded.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, registrations::protection::ProtectionPolicy};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, leads::Notice, leads::translate, render},
};

#[derive(Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub registration_protection_days: String,
    #[serde(default)]
    pub registration_reminder_days: String,
}

#[derive(Default, Deserialize)]
pub struct Saved {
    #[serde(default)]
    pub saved: Option<String>,
}

#[derive(Template)]
#[template(path = "admin_registrations.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub form: SettingsForm,
    pub errors: BTreeMap<String, String>,
    pub notice: Option<Notice>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    form: Option<SettingsForm>,
    errors: BTreeMap<String, String>,
    notice: Option<Notice>,
) -> Result<Response, AppError> {
    if caller.viewer().may_administer().is_err() {
        return Err(DomainError::NotFound.into());
    }
    let form = match form {
        Some(form) => form,
        None => {
            let policy = state.store.registration_policy().await?;
            SettingsForm {
                registration_protection_days: policy.protection_days.to_string(),
                registration_reminder_days: policy.reminder_days.to_string(),
            }
        }
    };
    let chrome = Chrome::build(state, caller, csrf, "admin", "admin-registrations-title").await?;
    let failed = !errors.is_empty();
    let mut response = render(&SettingsPage {
        chrome,
        form,
        errors,
        notice,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /admin/deal-registration`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    Query(saved): Query<Saved>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let notice = saved
        .saved
        .map(|_| Notice::success(t.get("admin-registrations-saved")));
    page(&state, &caller, &csrf, None, BTreeMap::new(), notice)
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /admin/deal-registration`
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<SettingsForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        if viewer.may_administer().is_err() {
            return Err(DomainError::NotFound.into());
        }
        // Anything but a whole number is out of range.
        let number = |s: &str| s.trim().parse::<i64>().unwrap_or(-1);
        match ProtectionPolicy::new(
            number(&form.registration_protection_days),
            number(&form.registration_reminder_days),
        ) {
            Ok(policy) => {
                state
                    .store
                    .save_registration_policy(&viewer, policy)
                    .await?;
                Ok(Redirect::to("/admin/deal-registration?saved=1").into_response())
            }
            Err(errors) => {
                page(
                    &state,
                    &caller,
                    &csrf,
                    Some(form),
                    translate(t, errors),
                    None,
                )
                .await
            }
        }
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
