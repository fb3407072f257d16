//! The languages the portal speaks.

use serde::{Deserialize, Serialize};

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
pub enum Locale {
    #[default]
    #[serde(rename = "en")]
    English,
    #[serde(rename = "da")]
    Danish,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::English, Locale::Danish];

    pub fn code(self) -> &'static str {
        match self {
            Locale::English => "en",
            Locale::Danish => "da",
        }
    }

    /// The language's own name, as shown in a language picker.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::English => "English",
            Locale::Danish => "Dansk",
        }
    }

    pub fn parse(code: &str) -> Option<Locale> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Locale::English),
            "da" => Some(Locale::Danish),
            _ => None,
        }
    }

    /// Picks the best supported language from an `Accept-Language` header,
    /// honouring quality values; English when nothing matches.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(locale) = Locale::parse(tag)
                && quality > 0.0
                && best.is_none_or(|(q, _)| quality > q)
            {
                best = Some((quality, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_highest_quality_supported_tag() {
        assert_eq!(
            Locale::from_accept_language("da-DK,da;q=0.9,en;q=0.8"),
            Locale::Danish
        );
        assert_eq!(
            Locale::from_accept_language("de-DE,en;q=0.5,da;q=0.7"),
            Locale::Danish
        );
        assert_eq!(Locale::from_accept_language("fr"), Locale::English);
        assert_eq!(Locale::from_accept_language(""), Locale::English);
        assert_eq!(Locale::from_accept_language("da;q=0"), Locale::English);
    }
}
