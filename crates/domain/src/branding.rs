//! The look of the portal: the vendor's, or a partner's own.

use serde::{Deserialize, Serialize};

/// A colour as `#rrggbb`, the only form that is safe to put into a style sheet as is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Colour(String);

impl Colour {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let value = input.trim().to_ascii_lowercase();
        let hex = value.strip_prefix('#').ok_or("error-colour-invalid")?;
        if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
            Ok(Self(value))
        } else {
            Err("error-colour-invalid")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The colour used when a stored one cannot be read.
    pub fn black() -> Self {
        Self("#000000".into())
    }

    /// Black or white, whichever reads better on this colour (WCAG relative luminance).
    pub fn contrasting_text(&self) -> &'static str {
        let channel = |i: usize| {
            let v = u8::from_str_radix(&self.0[i..i + 2], 16).unwrap_or(0) as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        let luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
        if luminance > 0.4 {
            "#111827"
        } else {
            "#ffffff"
        }
    }
}

impl TryFrom<String> for Colour {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Colour> for String {
    fn from(value: Colour) -> Self {
        value.0
    }
}

/// What a page is dressed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Branding {
    pub name: String,
    /// A URL or a `data:image/...` URI of the logo; none shows the name alone.
    pub logo_url: Option<String>,
    pub primary: Colour,
    pub accent: Colour,
}

impl Branding {
    /// A partner's own branding, where it has one, replaces the vendor's for its users;
    /// the parts it leaves out are the vendor's.
    pub fn overlay(
        &self,
        name: Option<&str>,
        logo_url: Option<&str>,
        primary: Option<&Colour>,
        accent: Option<&Colour>,
    ) -> Branding {
        Branding {
            name: name.map(str::to_owned).unwrap_or_else(|| self.name.clone()),
            logo_url: logo_url
                .map(str::to_owned)
                .or_else(|| self.logo_url.clone()),
            primary: primary.cloned().unwrap_or_else(|| self.primary.clone()),
            accent: accent.cloned().unwrap_or_else(|| self.accent.clone()),
        }
    }
}

/// A logo must be an https/http URL or an inline image, never script.
pub fn validate_logo_url(input: &str) -> Result<String, &'static str> {
    let value = input.trim();
    let lower = value.to_ascii_lowercase();
    let ok = lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("/")
        || lower.starts_with("data:image/png;base64,")
        || lower.starts_with("data:image/svg+xml;base64,")
        || lower.starts_with("data:image/jpeg;base64,");
    if !ok || value.len() > 200_000 || value.contains(['"', '<', '>', '\'', ' ']) {
        return Err("error-logo-invalid");
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_must_be_six_hex_digits() {
        assert!(Colour::parse("#0A7cFF").is_ok());
        for bad in ["0a7cff", "#0a7cf", "#0a7cfg", "red", "#0a7cff;}body{", ""] {
            assert!(Colour::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn text_contrasts_with_background() {
        let dark = Colour::parse("#1b2a4a").unwrap_or_else(|e| panic!("{e}"));
        let light = Colour::parse("#f5d76e").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dark.contrasting_text(), "#ffffff");
        assert_eq!(light.contrasting_text(), "#111827");
    }

    #[test]
    fn partner_branding_falls_back_to_vendor_parts() {
        let vendor = Branding {
            name: "Nordlys".into(),
            logo_url: Some("/logo.svg".into()),
            primary: Colour::parse("#112233").unwrap_or_else(|e| panic!("{e}")),
            accent: Colour::parse("#445566").unwrap_or_else(|e| panic!("{e}")),
        };
        let partner_primary = Colour::parse("#aa0000").unwrap_or_else(|e| panic!("{e}"));
        let mixed = vendor.overlay(None, None, Some(&partner_primary), None);
        assert_eq!(mixed.name, "Nordlys");
        assert_eq!(mixed.primary, partner_primary);
        assert_eq!(mixed.accent, vendor.accent);
    }

    #[test]
    fn logos_cannot_carry_script() {
        assert!(validate_logo_url("https://cdn.example.com/logo.png").is_ok());
        assert!(validate_logo_url("javascript:alert(1)").is_err());
        assert!(validate_logo_url("https://x.com/\" onerror=\"x").is_err());
    }
}
