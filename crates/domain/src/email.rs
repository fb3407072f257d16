//! A validated, normalised e-mail address.

use serde::{Deserialize, Serialize};

/// Lower-cased and trimmed, so one person cannot exist twice by case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    /// Checks the shape that matters for delivery: one `@`, a non-empty local
    /// part, a dotted domain, no spaces or control characters.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_lowercase();
        if value.is_empty() {
            return Err("error-required");
        }
        if value.len() > Self::MAX_LEN {
            return Err("error-too-long");
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err("error-email-invalid");
        };
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.chars().any(|c| {
                c.is_whitespace()
                    || c.is_control()
                    || c == '@'
                    || c == '<'
                    || c == '>'
                    || c == ','
                    || c == ';'
                    || c == '"'
            });
        if domain_ok && local_ok {
            Ok(Self(value))
        } else {
            Err("error-email-invalid")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or("")
    }

    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or("")
    }
}

impl TryFrom<String> for EmailAddress {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<EmailAddress> for String {
    fn from(value: EmailAddress) -> Self {
        value.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_space() {
        let email =
            EmailAddress::parse("  Mette.Hansen@Example.DK ").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(email.as_str(), "mette.hansen@example.dk");
        assert_eq!(email.domain(), "example.dk");
        assert_eq!(email.local_part(), "mette.hansen");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "no-at-sign",
            "@example.com",
            "a@",
            "a@nodot",
            "a b@example.com",
            "a@exa mple.com",
            "a@.example.com",
            "a@example..com",
            "a@b@c.com",
            "<a>@x.com",
        ] {
            assert!(
                EmailAddress::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err("error-too-long"));
    }
}
