//! What surrounds every signed-in page: branding, tabs, user menu, Recent Items.

use openprm_domain::{Branding, Role};
use openprm_store::{recent::RecentItem, users::User};

use crate::{AppState, auth::Caller, csrf::CsrfToken, error::AppError, i18n::Tr};

#[derive(Clone, Debug)]
pub struct Tab {
    pub key: &'static str,
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

pub struct Chrome {
    pub t: Tr,
    pub branding: Branding,
    pub primary_text: &'static str,
    pub user: User,
    pub tabs: Vec<Tab>,
    pub recent: Vec<RecentItem>,
    pub csrf: String,
    pub title: String,
    /// The partner company's own page, for partner staff ("My company").
    pub company_href: Option<String>,
    /// Only the page itself, no tabs or sidebar: while a new password is due,
    /// nothing else can be opened anyway.
    pub minimal: bool,
    /// The live-event position this page was rendered at; its script resumes
    /// from there. `None` leaves the page without live updates.
    pub live_from: Option<i64>,
}

/// Tabs partner staff may see, in order; the admin can hide all but Home.
const PARTNER_TABS: [(&str, &str); 5] = [
    ("leads", "/leads"),
    ("opportunities", "/opportunities"),
    ("accounts", "/accounts"),
    ("contacts", "/contacts"),
    ("resources", "/resources"),
];

impl Chrome {
    pub async fn build(
        state: &AppState,
        caller: &Caller,
        csrf: &CsrfToken,
        active: &str,
        title_key: &str,
    ) -> Result<Chrome, AppError> {
        let t = Tr::new(caller.user.locale);
        let settings = state.store.vendor_settings().await?;
        let viewer = caller.viewer();
        let mut branding = settings.branding();
        if let Some(partner_id) = caller.user.partner_id {
            let partner = state.store.partner(&viewer, partner_id).await?;
            branding = partner.branding_over(&branding);
        }
        let tabs = visible_tabs(caller.user.role, &settings.partner_tabs)
            .into_iter()
            .map(|(key, href)| Tab {
                key,
                href,
                label: t.get(&format!("tab-{key}")),
                active: key == active,
            })
            .collect();
        let recent = state.store.recent_items(&viewer).await?;
        let minimal = caller.user.must_change_password;
        // Without the hub the page still works, only not live.
        let live_from = match minimal {
            true => None,
            false => state.live().await.ok().map(|hub| hub.safe_through()),
        };
        Ok(Chrome {
            t,
            primary_text: branding.primary.contrasting_text(),
            branding,
            user: caller.user.clone(),
            tabs,
            recent,
            csrf: csrf.0.clone(),
            title: t.get(title_key),
            company_href: caller.user.partner_id.map(|p| format!("/partners/{p}")),
            minimal,
            live_from,
        })
    }

    pub fn role_label(&self) -> String {
        self.t.get(&format!("role-{}", self.user.role.as_str()))
    }

    pub fn initials(&self) -> String {
        self.user
            .name
            .split_whitespace()
            .filter_map(|w| w.chars().next())
            .take(2)
            .collect::<String>()
            .to_uppercase()
    }
}

/// The tabs a role sees: Home first, then the partner tabs the admin left on
/// (vendor staff always see them all), then Partners, Dashboard and, for the
/// admin, Admin.
pub fn visible_tabs(role: Role, partner_tabs: &[String]) -> Vec<(&'static str, &'static str)> {
    let mut tabs = vec![("home", "/")];
    for (key, href) in PARTNER_TABS {
        if role.is_vendor() || partner_tabs.iter().any(|t| t == key) {
            tabs.push((key, href));
        }
    }
    if role.is_vendor() {
        tabs.push(("partners", "/partners"));
        tabs.push(("dashboard", "/dashboard"));
    }
    if role == Role::Admin {
        tabs.push(("admin", "/admin"));
    }
    tabs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(role: Role, partner_tabs: &[&str]) -> Vec<&'static str> {
        let owned: Vec<String> = partner_tabs.iter().map(|s| s.to_string()).collect();
        visible_tabs(role, &owned)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    }

    #[test]
    fn partners_see_the_tabs_the_admin_chose() {
        assert_eq!(
            keys(
                Role::PartnerUser,
                &[
                    "leads",
                    "opportunities",
                    "accounts",
                    "contacts",
                    "resources"
                ]
            ),
            vec![
                "home",
                "leads",
                "opportunities",
                "accounts",
                "contacts",
                "resources"
            ]
        );
        assert_eq!(
            keys(Role::PartnerManager, &["leads"]),
            vec!["home", "leads"]
        );
    }

    #[test]
    fn vendor_roles_add_partners_dashboard_and_admin() {
        assert_eq!(
            keys(Role::ChannelManager, &[]),
            vec![
                "home",
                "leads",
                "opportunities",
                "accounts",
                "contacts",
                "resources",
                "partners",
                "dashboard"
            ]
        );
        assert!(keys(Role::Admin, &[]).ends_with(&["partners", "dashboard", "admin"]));
    }
}
