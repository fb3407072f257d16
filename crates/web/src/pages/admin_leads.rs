//! The admin console for leads (spec flow 15): queues and their member
//! partners, claim rules with their overrides, assignment rules, and the lead
//! status picklist.
//!
//! Each page is the admin's alone; anyone else is told it does not exist. Every
//! change goes through the store, whose validation errors come back inline on
//! the page with the admin's input kept (422). The forms post back to the page,
//! which redirects to itself on success, so a reload never repeats a change.

mod assignment_rule_form;
mod assignment_rules;
mod claim_rules;
mod queues;
mod statuses;

pub use assignment_rule_form::{
    create as create_assignment_rule, edit as edit_assignment_rule, new as new_assignment_rule,
    update as update_assignment_rule,
};
pub use assignment_rules::{
    delete as delete_assignment_rule, move_down as move_assignment_rule_down,
    move_up as move_assignment_rule_up, set_default as set_default_assignment_queue,
    show as assignment_rules,
};
pub use claim_rules::{
    add as add_claim_rule, add_override as add_claim_rule_override, delete as delete_claim_rule,
    move_down as move_claim_rule_down, move_up as move_claim_rule_up,
    remove_override as remove_claim_rule_override, show as claim_rules,
};
pub use queues::{
    create as create_queue, edit as edit_queue, list as queues, set_members as set_queue_members,
};
pub use statuses::{save as save_lead_statuses, show as lead_statuses};

use std::collections::BTreeMap;

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, FieldErrors};

use crate::{auth::Caller, error::AppError, i18n::Tr};

use super::PageError;

/// Field name → message shown beside it.
pub type Errors = BTreeMap<String, String>;

/// The pages exist for the admin only.
fn admin_only(caller: &Caller) -> Result<(), AppError> {
    caller
        .viewer()
        .may_administer()
        .map_err(|_| DomainError::NotFound.into())
}

/// The validation errors in `error`, if that is what it is.
fn field_errors(error: AppError) -> Result<FieldErrors, AppError> {
    match error {
        AppError::Domain(DomainError::Validation(errors)) => Ok(errors),
        other => Err(other),
    }
}

/// Message keys translated for the page.
fn translate(t: Tr, errors: FieldErrors) -> Errors {
    errors.0.into_iter().map(|(k, v)| (k, t.get(&v))).collect()
}

/// A rendered page; 422 when it shows errors.
fn with_errors(mut response: Response, failed: bool) -> Response {
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

/// The page, or the error page in the admin's language.
fn respond(t: Tr, result: Result<Response, AppError>) -> Response {
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// A whole number typed into a form; `None` when it is not one.
fn whole_number<T: std::str::FromStr>(input: &str) -> Option<T> {
    input.trim().parse().ok()
}

/// `one` or `other`, for the catalogue's plural selectors.
fn plural(n: u32) -> &'static str {
    if n == 1 { "one" } else { "other" }
}

/// The first value of `name` among a form's pairs, or "".
fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Whether a checkbox `name` was sent.
fn checked(pairs: &[(String, String)], name: &str) -> bool {
    pairs.iter().any(|(k, _)| k == name)
}
