//! Choosing a new password.

use openprm_domain::{DomainError, EmailAddress, FieldErrors, password::check_new_password};
use openprm_store::{secrets, users::User};

use crate::{AppState, error::AppError};

/// What the user typed on the password form or sent to the API.
pub struct PasswordChange<'a> {
    pub current: Option<&'a str>,
    pub new: &'a str,
    /// The form asks twice; the API does not.
    pub confirm: Option<&'a str>,
}

/// Checks the policy (and the current password, unless the user was sent here
/// to choose one) and saves the new one; other sessions of the user end.
pub async fn change_password(
    state: &AppState,
    user: &User,
    session_hash: &str,
    change: PasswordChange<'_>,
) -> Result<(), AppError> {
    let email = EmailAddress::parse(&user.email)
        .map_err(|_| AppError::Internal("stored e-mail is invalid".into()))?;
    let mut errors = FieldErrors::new();
    if !user.must_change_password {
        let current_ok = match (change.current, state.store.user_for_sign_in(&email).await?) {
            (Some(current), Some((_, Some(hash)))) => secrets::verify_password(current, &hash),
            _ => false,
        };
        if !current_ok {
            errors.add("current_password", "error-current-password-wrong");
        }
    }
    if let Err(policy) = check_new_password(change.new, &email) {
        for (field, key) in policy.0 {
            errors.add(&field, &key);
        }
    }
    if let Some(confirm) = change.confirm
        && confirm != change.new
    {
        errors.add("confirm_password", "error-password-mismatch");
    }
    errors.into_result()?;
    state
        .store
        .set_password(user.id, change.new, Some(session_hash))
        .await?;
    Ok(())
}

/// The policy alone, for the API's one-step invitation accept.
pub fn check_policy(email: &str, new: &str) -> Result<(), AppError> {
    let email = EmailAddress::parse(email)
        .map_err(|_| AppError::Internal("stored e-mail is invalid".into()))?;
    check_new_password(new, &email).map_err(|e| AppError::Domain(DomainError::Validation(e)))
}
