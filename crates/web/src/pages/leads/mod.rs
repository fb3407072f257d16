//! The Leads tab (spec flows 4–7): list views, the lead page with its
//! timeline, Edit and Save, Accept from a queue or an inbox, Decline.
//!
//! What the pages share lives here: labels in the user's language, a lead as
//! a table row, where a list link leads, and how a refused Accept is told.

pub mod edit;
pub mod import;
pub mod list;
pub mod show;

use std::collections::BTreeMap;

use openprm_domain::{
    DomainError, Role, Viewer,
    leads::{LeadInput, LeadSource, LeadStatus, Rating},
};
use openprm_store::leads::{Lead, LeadState, may_edit};
use time::OffsetDateTime;

use crate::{AppState, error::AppError, i18n::Tr};

/// Leads on one page of a list.
pub const PAGE_SIZE: u32 = 25;

/// Leads in each of Home's lead cards.
pub const HOME_CARD_SIZE: u32 = 5;

/// A message above a page: `kind` is `error`, `success` or `info`.
#[derive(Clone, Debug)]
pub struct Notice {
    pub kind: &'static str,
    pub text: String,
}

impl Notice {
    pub fn error(text: String) -> Self {
        Self {
            kind: "error",
            text,
        }
    }

    pub fn success(text: String) -> Self {
        Self {
            kind: "success",
            text,
        }
    }
}

/// Field names, statuses, sources and ratings in the user's language.
pub struct Labels {
    pub t: Tr,
    pub statuses: Vec<LeadStatus>,
}

impl Labels {
    pub async fn load(state: &AppState, t: Tr) -> Result<Labels, AppError> {
        Ok(Labels {
            t,
            statuses: state.store.lead_statuses().await?,
        })
    }

    /// A status's label; a key no longer in the picklist shows as itself.
    pub fn status(&self, key: &str) -> String {
        self.statuses
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.label(self.t.locale).to_owned())
            .unwrap_or_else(|| key.to_owned())
    }

    pub fn source(&self, source: LeadSource) -> String {
        self.t.get(&format!("lead-source-{}", source.as_str()))
    }

    pub fn rating(&self, rating: Rating) -> String {
        self.t.get(&format!("lead-rating-{}", rating.as_str()))
    }

    /// The label of a lead field (`postal_code`, `status`, …).
    pub fn field(&self, field: &str) -> String {
        self.t.get(&format!("lead-field-{field}"))
    }

    /// A field's value as people read it: statuses, sources and ratings by
    /// their labels, an empty value as a dash.
    pub fn value(&self, field: &str, value: Option<&str>) -> String {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            return "—".to_owned();
        };
        match field {
            "status" => self.status(value),
            "source" => LeadSource::parse(value)
                .map(|s| self.source(s))
                .unwrap_or_else(|| value.to_owned()),
            "rating" => Rating::parse(value)
                .map(|r| self.rating(r))
                .unwrap_or_else(|| value.to_owned()),
            _ => value.to_owned(),
        }
    }

    /// The statuses a form offers: the selectable ones, plus `current` when it
    /// is not among them (converted, or since removed from the picklist).
    pub fn status_options(&self, current: &str) -> Vec<(String, String)> {
        let mut options: Vec<(String, String)> = self
            .statuses
            .iter()
            .filter(|s| s.is_selectable() || s.key == current)
            .map(|s| (s.key.clone(), s.label(self.t.locale).to_owned()))
            .collect();
        if !current.is_empty() && !options.iter().any(|(k, _)| k == current) {
            options.push((current.to_owned(), current.to_owned()));
        }
        options
    }

    pub fn source_options(&self) -> Vec<(String, String)> {
        LeadSource::ALL
            .into_iter()
            .map(|s| (s.as_str().to_owned(), self.source(s)))
            .collect()
    }

    pub fn rating_options(&self) -> Vec<(String, String)> {
        Rating::ALL
            .into_iter()
            .map(|r| (r.as_str().to_owned(), self.rating(r)))
            .collect()
    }

    /// Where a lead stands, for its page.
    pub fn state(&self, lead: &Lead) -> String {
        let key = match lead.state {
            LeadState::Unassigned => "lead-state-unassigned",
            LeadState::InQueue => "lead-state-in_queue",
            LeadState::Inbox => "lead-state-inbox",
            LeadState::Owned => "lead-state-owned",
        };
        self.t.get(key)
    }
}

/// A lead as one row of a list or a Home card.
pub struct LeadRow {
    pub id: String,
    pub name: String,
    pub company: String,
    pub status: String,
    /// (key for the badge's class, label)
    pub rating: Option<(&'static str, String)>,
    pub owner: String,
    pub partner: String,
    pub queue: String,
    pub created: String,
    pub accept: bool,
    pub edit: bool,
}

impl LeadRow {
    pub fn new(lead: &Lead, viewer: &Viewer, labels: &Labels) -> LeadRow {
        let dash = || "—".to_owned();
        LeadRow {
            id: lead.id.to_string(),
            name: lead.name.clone(),
            company: lead.company.clone(),
            status: labels.status(&lead.status),
            rating: lead.rating.map(|r| (r.as_str(), labels.rating(r))),
            owner: lead.owner_name.clone().unwrap_or_else(dash),
            partner: lead.partner_name.clone().unwrap_or_else(dash),
            queue: lead.queue_name.clone().unwrap_or_else(dash),
            created: date(lead.created_at),
            accept: may_accept(viewer, lead),
            edit: !may_accept(viewer, lead) && may_edit(viewer, lead).is_ok(),
        }
    }
}

/// Whether the caller may Accept the lead: partner staff, for an unclaimed
/// lead of one of their queues or a lead waiting in their (company's) inbox.
pub fn may_accept(viewer: &Viewer, lead: &Lead) -> bool {
    if !viewer.role.is_partner() {
        return false;
    }
    match lead.state {
        LeadState::InQueue => true,
        LeadState::Inbox => lead.owner_id.is_none() || lead.owner_id == Some(viewer.user_id),
        LeadState::Unassigned | LeadState::Owned => false,
    }
}

/// Whether the caller may Decline the lead: the same leads they may accept
/// from an inbox (a queue lead is simply left for others).
pub fn may_decline(viewer: &Viewer, lead: &Lead) -> bool {
    lead.state == LeadState::Inbox && may_accept(viewer, lead)
}

/// Whether the caller may give a claimed lead back to its queue.
pub fn may_release(viewer: &Viewer, lead: &Lead) -> bool {
    let claimed = lead.claimed_at.is_some()
        && lead.state == LeadState::Owned
        && lead.queue_id.is_some()
        && lead.status != "converted";
    claimed
        && match viewer.role {
            Role::Admin | Role::ChannelManager => true,
            Role::PartnerManager => lead.partner_id == viewer.partner_id,
            Role::PartnerUser => lead.owner_id == Some(viewer.user_id),
        }
}

/// A date as `2026-05-01`.
pub fn date(at: OffsetDateTime) -> String {
    let d = at.date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// A moment as `2026-05-01 14:03 UTC` (times are kept in UTC).
pub fn moment(at: OffsetDateTime) -> String {
    let t = at.time();
    format!("{} {:02}:{:02} UTC", date(at), t.hour(), t.minute())
}

/// Field errors with their messages in the user's language.
pub fn translate(t: Tr, errors: openprm_domain::FieldErrors) -> BTreeMap<String, String> {
    errors.0.into_iter().map(|(k, v)| (k, t.get(&v))).collect()
}

/// What to tell a user whose Accept was refused, or `None` for an error that
/// deserves an error page (a lead the caller cannot see is not found).
pub fn refusal(error: &AppError, t: Tr) -> Option<String> {
    match error {
        AppError::Domain(DomainError::LeadAlreadyClaimed) => {
            Some(t.get("error-lead-already-claimed"))
        }
        AppError::Domain(DomainError::ClaimLimitReached(refusal)) => {
            let (key, args) = refusal.message();
            Some(t.with(key, args))
        }
        AppError::Domain(DomainError::Invalid(key)) => Some(t.get(key)),
        _ => None,
    }
}

/// The editable fields of a lead as text, in the order of the form.
pub fn input_texts(input: &LeadInput) -> [(&'static str, Option<&str>); 12] {
    [
        ("name", input.name.as_deref()),
        ("company", input.company.as_deref()),
        ("title", input.title.as_deref()),
        ("email", input.email.as_deref()),
        ("phone", input.phone.as_deref()),
        ("country", input.country.as_deref()),
        ("postal_code", input.postal_code.as_deref()),
        ("source", input.source.as_deref()),
        ("status", input.status.as_deref()),
        ("rating", input.rating.as_deref()),
        ("product_interest", input.product_interest.as_deref()),
        ("description", input.description.as_deref()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_read_as_utc_minutes() {
        let at = datetime!(2026-03-07 09:05:59 UTC);
        assert_eq!(date(at), "2026-03-07");
        assert_eq!(moment(at), "2026-03-07 09:05 UTC");
    }

    #[test]
    fn values_show_labels_and_a_dash_for_nothing() {
        let labels = Labels {
            t: Tr::new(openprm_domain::Locale::Danish),
            statuses: openprm_domain::leads::default_statuses(),
        };
        assert_eq!(labels.value("status", Some("qualified")), "Kvalificeret");
        assert_eq!(labels.value("status", Some("nurture")), "nurture");
        assert_eq!(labels.value("title", Some("  ")), "—");
        assert_eq!(labels.value("title", None), "—");
        assert_eq!(labels.value("country", Some("DK")), "DK");
        let options = labels.status_options("converted");
        assert!(options.iter().any(|(k, _)| k == "converted"));
        let options = labels.status_options("qualified");
        assert!(!options.iter().any(|(k, _)| k == "converted"));
    }
}
