//! `openprm user add`: create a user who can sign in at once, such as the
//! first admin of a new portal.
//!
//! Everything that can be checked without the database is checked first, so a
//! mistake changes nothing.

use openprm_domain::{
    DomainError, EmailAddress, Locale, PartnerId, Role, UserId, Viewer,
    password::check_new_password,
};
use openprm_store::{
    Store, StoreError,
    users::{NewUser, User},
};
use rand::{Rng, rngs::OsRng};

use crate::{
    cli::UserAddArgs,
    commands::{open_store, say},
    config::Config,
    error::CliError,
};

/// Longest name accepted, in characters.
const MAX_NAME_LEN: usize = 200;

pub async fn run(config: &Config, args: &UserAddArgs) -> Result<(), CliError> {
    let email = EmailAddress::parse(&args.email).map_err(|key| {
        CliError::invalid(format!(
            "invalid --email {:?}: {}",
            args.email,
            describe(key)
        ))
    })?;
    let name = args.name.trim();
    if name.is_empty() {
        return Err(CliError::invalid("--name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_LEN {
        return Err(CliError::invalid(format!(
            "--name is too long (at most {MAX_NAME_LEN} characters)"
        )));
    }
    let role = args.role;
    match (role.is_partner(), &args.partner) {
        (true, None) => {
            return Err(CliError::invalid(format!(
                "{} belongs to a partner account: name it with --partner NAME",
                with_article(role)
            )));
        }
        (false, Some(_)) => {
            return Err(CliError::invalid(format!(
                "{} works for the vendor, not a partner: leave out --partner",
                with_article(role)
            )));
        }
        _ => {}
    }
    let (password, generated) = match &args.password {
        Some(password) => {
            check_policy(password, &email)
                .map_err(|reason| CliError::invalid(format!("--password {reason}")))?;
            (password.clone(), false)
        }
        None => (generate_password(&email)?, true),
    };

    let new = NewUser {
        email,
        name: name.to_owned(),
        role,
        partner_id: None,
        locale: Locale::default(),
        title: None,
        phone: None,
        password: Some(password.clone()),
        must_change_password: generated,
    };

    let store = open_store(config, 2).await?;
    let result = create(&store, new, args.partner.as_deref()).await;
    store.close().await;
    let (user, partner) = result?;

    let at = partner.map(|p| format!(" at {p}")).unwrap_or_default();
    say(&format!(
        "Created {} {} <{}>{at}.",
        human(role),
        user.name,
        user.email
    ));
    if generated {
        say(&format!(
            "Password (shown only now; it must be changed at the first sign-in): {password}"
        ));
    }
    Ok(())
}

/// Creates the user in the partner account named `partner`, if any; answers the
/// user and the partner account's name as stored.
async fn create(
    store: &Store,
    mut new: NewUser,
    partner: Option<&str>,
) -> Result<(User, Option<String>), CliError> {
    let partner = match partner {
        Some(wanted) => Some(find_partner(store, wanted).await?),
        None => None,
    };
    new.partner_id = partner.as_ref().map(|(id, _)| *id);
    let user = store.create_user(&new).await.map_err(|error| match error {
        StoreError::Domain(DomainError::Validation(fields)) if fields.0.contains_key("email") => {
            CliError::invalid(format!(
                "a user with the e-mail address {} already exists",
                new.email
            ))
        }
        other => other.into(),
    })?;
    Ok((user, partner.map(|(_, name)| name)))
}

/// The partner account named `wanted` (case does not matter), or an error that
/// lists the names there are.
pub(crate) async fn find_partner(
    store: &Store,
    wanted: &str,
) -> Result<(PartnerId, String), CliError> {
    if let Some(partner) = store.partner_by_name(wanted).await? {
        return Ok((partner.id, partner.name));
    }
    // The command line acts for the vendor, so it may list every partner account.
    let vendor = Viewer {
        user_id: UserId::new(),
        role: Role::Admin,
        partner_id: None,
    };
    let names: Vec<String> = store
        .partners(&vendor)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    let known = if names.is_empty() {
        "there are no partner accounts yet".to_owned()
    } else {
        format!("the partner accounts are: {}", names.join(", "))
    };
    Err(CliError::invalid(format!(
        "no partner account is named {wanted:?}; {known}"
    )))
}

fn check_policy(password: &str, email: &EmailAddress) -> Result<(), String> {
    check_new_password(password, email).map_err(|errors| {
        let key = errors
            .0
            .values()
            .next()
            .map(String::as_str)
            .unwrap_or("error-password-weak");
        describe(key).to_owned()
    })
}

/// Letters and digits that cannot be mistaken for one another when read aloud
/// or copied by hand (no 0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Four groups of five from a 31-sign alphabet: about 99 bits from the
/// operating system's generator, yet easy to type once.
fn generate_password(email: &EmailAddress) -> Result<String, CliError> {
    let group = || -> String {
        (0..5)
            .map(|_| char::from(ALPHABET[OsRng.gen_range(0..ALPHABET.len())]))
            .collect()
    };
    let password = [group(), group(), group(), group()].join("-");
    check_policy(&password, email)
        .map_err(|reason| CliError::Failed(anyhow::anyhow!("generated password {reason}")))?;
    Ok(password)
}

/// The role as words: `channel manager`.
fn human(role: Role) -> String {
    role.as_str().replace('_', " ")
}

/// `an admin`, `a partner user`.
fn with_article(role: Role) -> String {
    let words = human(role);
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

/// The English text of a domain message key.
fn describe(key: &str) -> &'static str {
    match key {
        "error-required" => "is required",
        "error-too-long" => "is too long",
        "error-email-invalid" => "is not an e-mail address (expected name@example.com)",
        "error-password-too-short" => "is too short: use at least 12 characters",
        "error-password-too-long" => "is too long: use at most 256 characters",
        "error-password-is-email" => "must not be the e-mail address",
        "error-password-common" => {
            "is too common or predictable: choose a longer, less guessable one"
        }
        _ => "is not acceptable",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn generated_passwords_pass_the_policy_and_differ() {
        let email = EmailAddress::parse("astrid@nordlys.example").unwrap();
        let a = generate_password(&email).unwrap();
        let b = generate_password(&email).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        assert!(
            a.split('-')
                .all(|g| g.len() == 5 && g.bytes().all(|c| ALPHABET.contains(&c)))
        );
    }

    #[test]
    fn policy_failures_read_as_sentences() {
        let email = EmailAddress::parse("astrid@nordlys.example").unwrap();
        assert_eq!(
            check_policy("short", &email),
            Err("is too short: use at least 12 characters".to_owned())
        );
        assert!(
            check_policy("password1234", &email)
                .unwrap_err()
                .contains("too common")
        );
        assert_eq!(check_policy("granite-harbour-47", &email), Ok(()));
    }
}
