//! The domain's one error type; the web layer maps it to HTTP in one place.

use std::collections::BTreeMap;

/// Per-field validation messages, as message-catalogue keys (`error-password-too-short`),
/// so each door can show them in the reader's language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: &str, message_key: &str) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message_key.to_owned());
    }

    pub fn single(field: &str, message_key: &str) -> Self {
        let mut errors = Self::new();
        errors.add(field, message_key);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing was wrong, so validation can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), DomainError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("a new password must be chosen first")]
    PasswordChangeRequired,
    /// The caller may see the record but not change it.
    #[error("not allowed")]
    Forbidden,
    /// The record does not exist, or the caller may not see it: the two are
    /// never told apart, so existence does not leak.
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(FieldErrors),
    #[error("the record was changed by someone else")]
    VersionConflict,
    /// Someone else claimed or took the lead first.
    #[error("the lead was already claimed")]
    LeadAlreadyClaimed,
    /// A claim rule is full; the refusal names it and what frees it.
    #[error("{0}")]
    ClaimLimitReached(Box<crate::claim_rules::ClaimRefusal>),
    /// A deal registration cannot be decided as asked; the refusal says why.
    #[error("{0}")]
    RegistrationRefused(Box<crate::registrations::DecisionRefusal>),
    /// The lead was converted already; it converts once.
    #[error("the lead was already converted")]
    LeadAlreadyConverted,
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// A CSV file that cannot be imported at all; nothing of it was.
    #[error("{0}")]
    ImportFileRefused(Box<crate::lead_import::FileProblem>),
    /// The request is well-formed but not acceptable as a whole (message-catalogue key).
    #[error("{0}")]
    Invalid(&'static str),
}

impl DomainError {
    /// One bad field.
    pub fn field(field: &str, message_key: &str) -> Self {
        DomainError::Validation(FieldErrors::single(field, message_key))
    }
}
