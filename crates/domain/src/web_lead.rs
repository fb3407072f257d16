//! The public web-to-lead form (spec flow 12): what a visitor may send, how
//! a bot gives itself away, and how often one address may send.
//!
//! The visitor's fields are parsed by the same [`LeadInput::parse`] as every
//! other lead, with source `web`; the form also needs an e-mail address,
//! since a lead nobody can answer is no lead.

use serde::Deserialize;
use time::Duration;

use crate::{
    DomainError, FieldErrors,
    leads::{LeadFields, LeadInput, LeadStatus},
    throttle::ThrottleRule,
};

/// Submissions one client address may make in the window; the rest are
/// refused with `rate_limited`. Generous for an office behind one address,
/// tight for a script.
pub const PER_ADDRESS: ThrottleRule = ThrottleRule {
    max_failures: 5,
    window: Duration::hours(1),
};

/// The form as posted. `website` is the honeypot: hidden from people, so
/// only a bot fills it in.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct WebLeadForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub website: String,
}

impl WebLeadForm {
    /// A bot filled in the field people cannot see.
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// The lead, or every problem at once (as message-catalogue keys).
    pub fn parse(&self, statuses: &[LeadStatus]) -> Result<LeadFields, DomainError> {
        let text = |v: &String| Some(v.clone());
        let input = LeadInput {
            name: text(&self.name),
            company: text(&self.company),
            email: text(&self.email),
            phone: text(&self.phone),
            country: text(&self.country),
            description: text(&self.message),
            source: Some("web".to_owned()),
            ..LeadInput::default()
        };
        let mut errors = match input.parse(None, statuses) {
            Ok(fields) if !self.email.trim().is_empty() => return Ok(fields),
            Ok(_) => FieldErrors::new(),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other),
        };
        if self.email.trim().is_empty() {
            errors.add("email", "error-required");
        }
        Err(DomainError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::{LeadSource, default_statuses};

    fn form() -> WebLeadForm {
        WebLeadForm {
            name: "Mette Hansen".into(),
            company: "Nordlys".into(),
            email: "Mette@Nordlys.dk".into(),
            message: "Call me.\r\nSoon.".into(),
            ..WebLeadForm::default()
        }
    }

    #[test]
    fn a_visitor_becomes_a_web_lead() {
        let lead = form().parse(&default_statuses()).unwrap();
        assert_eq!(lead.source, LeadSource::Web);
        assert_eq!(lead.email.unwrap().as_str(), "mette@nordlys.dk");
        assert_eq!(lead.description.as_deref(), Some("Call me.\nSoon."));
        assert_eq!(lead.status, "open_not_contacted");
    }

    #[test]
    fn the_address_is_required_with_the_usual_rules() {
        let missing = WebLeadForm {
            email: " ".into(),
            country: "Denmark".into(),
            ..form()
        };
        match missing.parse(&default_statuses()) {
            Err(DomainError::Validation(errors)) => {
                assert_eq!(errors.0["email"], "error-required");
                assert_eq!(errors.0["country"], "error-country-invalid");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_a_bot_fills_the_honeypot() {
        assert!(!form().is_bot());
        let bot = WebLeadForm {
            website: "http://spam.example".into(),
            ..form()
        };
        assert!(bot.is_bot());
    }
}
