//! The admin console: branding, the tabs partners see, and the audit log.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::DomainError;
use openprm_store::{
    audit::AuditRow,
    settings::{PARTNER_TABS, VendorSettings},
};

use crate::{
    AppState,
    api::settings::SettingsInput,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
};

use super::{Chrome, PageError, render};

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub chrome: Chrome,
    pub settings: VendorSettings,
    pub tabs: Vec<(&'static str, String, bool)>,
    pub audit: Vec<AuditRow>,
    pub errors: std::collections::BTreeMap<String, String>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    settings: Option<VendorSettings>,
    errors: std::collections::BTreeMap<String, String>,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    if viewer.may_administer().is_err() {
        return Err(DomainError::NotFound.into());
    }
    let chrome = Chrome::build(state, caller, csrf, "admin", "tab-admin").await?;
    let settings = match settings {
        Some(s) => s,
        None => state.store.vendor_settings().await?,
    };
    let tabs = PARTNER_TABS
        .iter()
        .map(|t| {
            (
                *t,
                chrome.t.get(&format!("tab-{t}")),
                settings.partner_tabs.iter().any(|s| s == t),
            )
        })
        .collect();
    let audit = state.store.audit_entries(&viewer, 25).await?;
    let failed = !errors.is_empty();
    let mut response = render(&AdminPage {
        chrome,
        settings,
        tabs,
        audit,
        errors,
    })?;
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    page(&state, &caller, &csrf, None, Default::default())
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// The settings form: repeated `partner_tabs` checkboxes need the raw pairs.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    body: axum::body::Bytes,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        if caller.viewer().may_administer().is_err() {
            return Err(DomainError::NotFound.into());
        }
        if super::extract::form_has_nul(&body) {
            return Err(AppError::BadRequest("a NUL character in a form".into()));
        }
        let mut input = SettingsInput::default();
        for (key, value) in form_urlencoded::parse(&body) {
            match key.as_ref() {
                "portal_name" => input.portal_name = value.into_owned(),
                "logo_url" => input.logo_url = Some(value.into_owned()),
                "primary_colour" => input.primary_colour = value.into_owned(),
                "accent_colour" => input.accent_colour = value.into_owned(),
                "partner_tabs" => input.partner_tabs.push(value.into_owned()),
                _ => {}
            }
        }
        let typed = VendorSettings {
            portal_name: input.portal_name.clone(),
            logo_url: input.logo_url.clone(),
            primary_colour: input.primary_colour.clone(),
            accent_colour: input.accent_colour.clone(),
            partner_tabs: input.partner_tabs.clone(),
        };
        match input.validate() {
            Ok(settings) => {
                state
                    .store
                    .save_vendor_settings(Some(&caller.viewer()), &settings)
                    .await?;
                Ok(Redirect::to("/admin").into_response())
            }
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                let errors = errors.0.into_iter().map(|(k, v)| (k, t.get(&v))).collect();
                page(&state, &caller, &csrf, Some(typed), errors).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
