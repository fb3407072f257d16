//! What surrounds every signed-in page: branding, tabs, user menu, Recent Items.

use openprm_domain::{Branding, DomainError, Role};
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

/// The tab a page belongs to, by the first segment of its path.
pub fn tab_of(path: &str) -> Option<&'static str> {
    match path.trim_start_matches('/').split('/').next()? {
        "leads" => Some("leads"),
        // Deal registrations are reached from the Opportunities tab.
        "opportunities" | "deal-registrations" => Some("opportunities"),
        "accounts" => Some("accounts"),
        "contacts" => Some("contacts"),
        "resources" => Some("resources"),
        "dashboard" => Some("dashboard"),
        _ => None,
    }
}

/// A tab the admin hid from partners is not there for them at all: not its
/// list, nor any record, form or action under it. Every signed-in page asks
/// here (`auth::PageCaller`); pages outside the tabs pass.
pub async fn may_open(state: &AppState, caller: &Caller, path: &str) -> Result<(), AppError> {
    let Some(tab) = tab_of(path) else {
        return Ok(());
    };
    let has = |partner_tabs: &[String]| {
        visible_tabs(caller.user.role, partner_tabs)
            .iter()
            .any(|(key, _)| *key == tab)
    };
    // A tab the role has whatever the admin chose (every tab, for vendor
    // staff) needs no read of the settings on this per-page path.
    if has(&[]) || has(&state.store.vendor_settings().await?.partner_tabs) {
        Ok(())
    } else {
        Err(DomainError::NotFound.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_belongs_to_the_tab_its_path_starts_with() {
        assert_eq!(tab_of("/leads"), Some("leads"));
        assert_eq!(tab_of("/leads/0190/convert"), Some("leads"));
        assert_eq!(tab_of("/opportunities/new"), Some("opportunities"));
        assert_eq!(
            tab_of("/deal-registrations/0190/approve"),
            Some("opportunities")
        );
        assert_eq!(tab_of("/contacts/0190"), Some("contacts"));
        assert_eq!(tab_of("/resources"), Some("resources"));
        assert_eq!(tab_of("/"), None);
        assert_eq!(tab_of("/leadsx"), None);
        assert_eq!(tab_of("/admin/deal-registration"), None);
        assert_eq!(tab_of("/partners/0190"), None);
    }

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
