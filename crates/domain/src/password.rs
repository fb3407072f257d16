//! The password policy: long enough, not the e-mail, not a well-known password.

use crate::{EmailAddress, FieldErrors};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;

/// Passwords of the minimum length or more that appear on public lists of the
/// most used passwords; shorter ones already fail the length rule.
const COMMON: &str = include_str!("common-passwords.txt");

/// Checks a new password; errors name the field `new_password` with a message key.
pub fn check_new_password(password: &str, email: &EmailAddress) -> Result<(), FieldErrors> {
    let key = if password.chars().count() < MIN_LEN {
        Some("error-password-too-short")
    } else if password.len() > MAX_LEN {
        Some("error-password-too-long")
    } else if is_like_email(password, email) {
        Some("error-password-is-email")
    } else if is_common(password) {
        Some("error-password-common")
    } else {
        None
    };
    match key {
        Some(key) => Err(FieldErrors::single("new_password", key)),
        None => Ok(()),
    }
}

fn is_like_email(password: &str, email: &EmailAddress) -> bool {
    let p = password.trim().to_lowercase();
    p == email.as_str() || (email.local_part().len() >= MIN_LEN && p == email.local_part())
}

fn is_common(password: &str) -> bool {
    let p = password.to_lowercase();
    let first = p.chars().next();
    // One character repeated, or a run of a keyboard row or of digits, is as weak as any listed one.
    if first.is_some_and(|c| p.chars().all(|x| x == c)) {
        return true;
    }
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> EmailAddress {
        EmailAddress::parse("mette.kristensen@example.dk").unwrap_or_else(|e| panic!("{e}"))
    }

    fn reason(pw: &str) -> Option<String> {
        check_new_password(pw, &email())
            .err()
            .and_then(|e| e.0.get("new_password").cloned())
    }

    #[test]
    fn accepts_a_long_uncommon_password() {
        assert_eq!(reason("granite-harbour-47-lantern"), None);
    }

    #[test]
    fn refuses_short_email_and_common_passwords() {
        assert_eq!(reason("short"), Some("error-password-too-short".into()));
        assert_eq!(
            reason("mette.kristensen@example.dk"),
            Some("error-password-is-email".into())
        );
        assert_eq!(
            reason("Mette.Kristensen@Example.dk"),
            Some("error-password-is-email".into())
        );
        assert_eq!(
            reason("mette.kristensen"),
            Some("error-password-is-email".into())
        );
        assert_eq!(reason("password1234"), Some("error-password-common".into()));
        assert_eq!(
            reason("QWERTYUIOPASDFGH"),
            Some("error-password-common".into())
        );
        assert_eq!(
            reason("aaaaaaaaaaaaaaaa"),
            Some("error-password-common".into())
        );
        assert_eq!(
            reason(&"xy".repeat(150)),
            Some("error-password-too-long".into())
        );
    }

    #[test]
    fn length_counts_characters_not_bytes() {
        // Eleven Danish letters are eleven characters even though they take more bytes.
        assert_eq!(
            reason("æøåæøåæøåæø"),
            Some("error-password-too-short".into())
        );
    }
}
