//! The vendor's settings: portal name, branding, the tabs partners see.

use axum::{Json, extract::State};
use openprm_domain::{Colour, FieldErrors, branding::validate_logo_url};
use openprm_store::settings::{PARTNER_TABS, VendorSettings};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
};

use super::extract::ApiJson;

#[derive(Deserialize, ToSchema, Default)]
pub struct SettingsInput {
    pub portal_name: String,
    #[serde(default)]
    pub logo_url: Option<String>,
    pub primary_colour: String,
    pub accent_colour: String,
    /// Which of leads, opportunities, accounts, contacts, resources partners see.
    #[serde(default)]
    pub partner_tabs: Vec<String>,
}

impl SettingsInput {
    pub fn validate(self) -> Result<VendorSettings, AppError> {
        let mut errors = FieldErrors::new();
        let portal_name = self.portal_name.trim().to_owned();
        if portal_name.is_empty() {
            errors.add("portal_name", "error-required");
        } else if portal_name.chars().count() > 80 {
            errors.add("portal_name", "error-too-long");
        }
        let logo_url = self
            .logo_url
            .filter(|l| !l.trim().is_empty())
            .and_then(|l| {
                validate_logo_url(&l)
                    .map_err(|k| errors.add("logo_url", k))
                    .ok()
            });
        let primary = Colour::parse(&self.primary_colour)
            .map_err(|k| errors.add("primary_colour", k))
            .ok();
        let accent = Colour::parse(&self.accent_colour)
            .map_err(|k| errors.add("accent_colour", k))
            .ok();
        let mut partner_tabs = Vec::new();
        for tab in self.partner_tabs {
            match PARTNER_TABS.iter().find(|t| **t == tab) {
                Some(t) if !partner_tabs.contains(&t.to_string()) => {
                    partner_tabs.push(t.to_string())
                }
                Some(_) => {}
                None => errors.add("partner_tabs", "error-tab-unknown"),
            }
        }
        errors.into_result()?;
        Ok(VendorSettings {
            portal_name,
            logo_url,
            primary_colour: primary.map(String::from).unwrap_or_default(),
            accent_colour: accent.map(String::from).unwrap_or_default(),
            partner_tabs,
        })
    }
}

/// The portal's settings (any signed-in user may read the branding).
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings", responses((status = 200, body = VendorSettings), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(_caller): ApiCaller,
) -> ApiResult<Json<VendorSettings>> {
    Ok(Json(state.store.vendor_settings().await?))
}

/// Replaces the portal's settings (admins).
#[utoipa::path(put, path = "/api/v1/settings", tag = "settings", request_body = SettingsInput,
    responses((status = 200, body = VendorSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<SettingsInput>,
) -> ApiResult<Json<VendorSettings>> {
    caller.viewer().may_administer()?;
    let settings = body.validate()?;
    state
        .store
        .save_vendor_settings(Some(&caller.viewer()), &settings)
        .await?;
    Ok(Json(state.store.vendor_settings().await?))
}
