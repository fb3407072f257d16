//! The business rules of OpenPRM, free of HTTP and of the database.
//!
//! Everything here is plain data and pure functions so that the rules (who may
//! see and do what, what a valid password is, when an invitation may be used)
//! can be tested directly and reused by every door: the web pages, the JSON API
//! and the command line.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod activity;
pub mod assignment_rules;
pub mod branding;
pub mod claim_rules;
pub mod clock;
pub mod contacts;
pub mod conversion;
pub mod deal_help;
pub mod email;
pub mod error;
pub mod ids;
pub mod invitation;
pub mod lead_import;
pub mod lead_statuses;
pub mod leads;
pub mod live;
pub mod locale;
pub mod money;
pub mod notifications;
pub mod opportunities;
pub mod opportunity_stages;
pub mod password;
mod record_fields;
pub mod registrations;
pub mod role;
pub mod throttle;
pub mod tier;
pub mod visibility;
pub mod web_lead;

pub use branding::{Branding, Colour};
pub use clock::{Clock, ManualClock, SystemClock};
pub use email::EmailAddress;
pub use error::{DomainError, FieldErrors};
pub use ids::{
    AccountId, AssignmentRuleId, ClaimRuleId, ContactId, InvitationId, LeadId, OpportunityId,
    PartnerId, QueueId, RegistrationId, ResourceId, UserId,
};
pub use locale::Locale;
pub use role::Role;
pub use tier::Tier;
pub use visibility::{PartnerScope, Viewer};
