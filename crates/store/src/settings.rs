//! The vendor's settings: portal name, branding, which tabs partners see.

use openprm_domain::{Branding, Colour, Viewer};
use serde::Serialize;

use crate::{DbTime, Store, StoreError, audit::audit, on_db, write_tx};

/// Tabs an admin may hide from partners; Home is always there.
pub const PARTNER_TABS: [&str; 5] = [
    "leads",
    "opportunities",
    "accounts",
    "contacts",
    "resources",
];

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct VendorSettings {
    pub portal_name: String,
    pub logo_url: Option<String>,
    pub primary_colour: String,
    pub accent_colour: String,
    pub partner_tabs: Vec<String>,
}

impl Default for VendorSettings {
    fn default() -> Self {
        Self {
            portal_name: "OpenPRM".into(),
            logo_url: None,
            primary_colour: "#1f3a5f".into(),
            accent_colour: "#f2a541".into(),
            partner_tabs: PARTNER_TABS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl VendorSettings {
    pub fn branding(&self) -> Branding {
        let fallback = VendorSettings::default();
        Branding {
            name: self.portal_name.clone(),
            logo_url: self.logo_url.clone(),
            primary: Colour::parse(&self.primary_colour)
                .or_else(|_| Colour::parse(&fallback.primary_colour))
                .unwrap_or_else(|_| Colour::black()),
            accent: Colour::parse(&self.accent_colour)
                .or_else(|_| Colour::parse(&fallback.accent_colour))
                .unwrap_or_else(|_| Colour::black()),
        }
    }
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    portal_name: String,
    logo_url: Option<String>,
    primary_colour: String,
    accent_colour: String,
    partner_tabs: String,
}

impl Store {
    pub async fn vendor_settings(&self) -> Result<VendorSettings, StoreError> {
        let sql = "SELECT portal_name, logo_url, primary_colour, accent_colour, partner_tabs FROM vendor_settings WHERE id = 1";
        let row: Option<SettingsRow> =
            on_db!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await)?;
        Ok(row
            .map(|r| VendorSettings {
                portal_name: r.portal_name,
                logo_url: r.logo_url,
                primary_colour: r.primary_colour,
                accent_colour: r.accent_colour,
                partner_tabs: r
                    .partner_tabs
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
            .unwrap_or_default())
    }

    /// Saves the settings; the caller has validated them. `viewer` is `None` for the CLI and demo.
    pub async fn save_vendor_settings(
        &self,
        viewer: Option<&Viewer>,
        settings: &VendorSettings,
    ) -> Result<(), StoreError> {
        if let Some(v) = viewer {
            v.may_administer()?;
        }
        let now = self.now();
        let sql = "INSERT INTO vendor_settings (id, portal_name, logo_url, primary_colour, accent_colour, partner_tabs, updated_at) \
                   VALUES (1, $1, $2, $3, $4, $5, $6) \
                   ON CONFLICT (id) DO UPDATE SET portal_name = $1, logo_url = $2, primary_colour = $3, \
                   accent_colour = $4, partner_tabs = $5, updated_at = $6";
        // A logo can be a long data URI; the log records that it is set, not the image.
        let detail = serde_json::json!({
            "portal_name": settings.portal_name,
            "logo": settings.logo_url.as_ref().map(|_| "set"),
            "primary_colour": settings.primary_colour,
            "accent_colour": settings.accent_colour,
            "partner_tabs": settings.partner_tabs,
        });
        write_tx!(self, tx => {
            sqlx::query(sql)
                .bind(&settings.portal_name)
                .bind(&settings.logo_url)
                .bind(&settings.primary_colour)
                .bind(&settings.accent_colour)
                .bind(settings.partner_tabs.join(","))
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            audit!(&mut *tx, now, viewer.map(|v| v.user_id), "settings.update", "vendor_settings", "1", detail);
        });
        Ok(())
    }
}
