//! Signing in with e-mail and password, throttled per account and per address.

use std::net::IpAddr;

use openprm_domain::{
    EmailAddress,
    throttle::{PER_ACCOUNT, PER_ADDRESS, ThrottleRule},
};
use openprm_store::{secrets, users::User};

use crate::{AppState, error::AppError};

async fn check(state: &AppState, key: &str, rule: ThrottleRule) -> Result<(), AppError> {
    let (failures, oldest) = state.store.sign_in_failures(key, rule.window).await?;
    rule.check(failures, oldest.map(|t| t.0), state.store.now())?;
    Ok(())
}

/// The user behind the credentials, or one answer for every failure (unknown
/// e-mail, wrong password, deactivated account) so that nobody can learn who
/// has an account here.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<User, AppError> {
    let account_key = format!("account:{}", email.trim().to_lowercase());
    let address_key = format!(
        "address:{}",
        client.map(|ip| ip.to_string()).unwrap_or_default()
    );
    check(state, &account_key, PER_ACCOUNT).await?;
    check(state, &address_key, PER_ADDRESS).await?;

    let found = match EmailAddress::parse(email) {
        Ok(email) => state.store.user_for_sign_in(&email).await?,
        Err(_) => None,
    };
    let user = match found {
        Some((user, Some(hash))) if secrets::verify_password(password, &hash) && user.active => {
            Some(user)
        }
        Some(_) => None,
        None => {
            secrets::verify_against_nothing(password);
            None
        }
    };
    match user {
        Some(user) => {
            state.store.clear_sign_in_failures(&account_key).await?;
            state.store.touch_sign_in(user.id).await?;
            Ok(user)
        }
        None => {
            state
                .store
                .record_sign_in_failure(&[&account_key, &address_key])
                .await?;
            tracing::info!(account = %account_key, "sign-in failed");
            Err(AppError::BadCredentials)
        }
    }
}
