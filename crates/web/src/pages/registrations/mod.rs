//! Deal registration pages (spec flow 13): the list, the partners' form, and
//! the registration page — for partners its status ("under review",
//! approved with the end of its protection, rejected with the reason), for
//! vendor staff the registration beside each conflicting record, with
//! Approve and Reject.

pub mod list;
pub mod new;
pub mod settings;
pub mod show;

use openprm_domain::{Locale, registrations::RegistrationStatus};
use openprm_store::registrations::Registration;
use time::OffsetDateTime;

use crate::i18n::Tr;

/// Registrations on one page of the list.
pub const PAGE_SIZE: u32 = 25;

/// A status in the reader's language: partners read "under review" for pending.
pub fn status_label(t: Tr, status: RegistrationStatus) -> String {
    t.get(&format!("registration-status-{}", status.as_str()))
}

/// The amount as people read it: `DKK 125,000.50`, `125.000,50 DKK`.
pub fn amount_text(registration: &Registration, locale: Locale) -> String {
    registration.money().map_or_else(
        || format!("{} {}", registration.amount, registration.currency),
        |m| m.format(locale),
    )
}

/// A moment as `2026-05-01 14:03 UTC`.
pub fn moment(at: OffsetDateTime) -> String {
    crate::pages::leads::moment(at)
}

/// A registration as one row of the list.
pub struct RegistrationRow {
    pub id: String,
    pub company: String,
    pub product: String,
    pub amount: String,
    pub close_date: String,
    pub partner: String,
    pub submitted_by: String,
    pub status_key: &'static str,
    pub status: String,
    pub created: String,
}

impl RegistrationRow {
    pub fn new(r: &Registration, t: Tr) -> RegistrationRow {
        RegistrationRow {
            id: r.id.to_string(),
            company: r.company_name.clone(),
            product: r.product_interest.clone(),
            amount: amount_text(r, t.locale),
            close_date: r.close_date.clone(),
            partner: r.partner_name.clone(),
            submitted_by: r.submitted_by_name.clone(),
            status_key: r.status.as_str(),
            status: status_label(t, r.status),
            created: crate::pages::leads::date(r.created_at),
        }
    }
}

/// Home's card for vendor staff: how many registrations in their scope wait
/// for a decision. Partners have no such card.
pub struct HomeRegistrations {
    pub show: bool,
    pub pending: i64,
    pub text: String,
}

impl HomeRegistrations {
    pub async fn load(
        state: &crate::AppState,
        caller: &crate::auth::Caller,
        t: Tr,
    ) -> Result<HomeRegistrations, crate::error::AppError> {
        let viewer = caller.viewer();
        if !viewer.role.is_vendor() {
            return Ok(HomeRegistrations {
                show: false,
                pending: 0,
                text: String::new(),
            });
        }
        let pending = state.store.pending_registration_count(&viewer).await?;
        let text = if pending == 0 {
            t.get("home-registrations-none")
        } else if pending == 1 {
            t.get("home-registrations-pending-one")
        } else {
            t.with(
                "home-registrations-pending-count",
                [("count", pending.to_string())],
            )
        };
        Ok(HomeRegistrations {
            show: true,
            pending,
            text,
        })
    }
}
