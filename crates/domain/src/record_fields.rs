//! Small checks shared by the records a partner keeps about customers (accounts
//! and contacts): trimming, required and optional fields with the keep / clear
//! rules of an update, lengths, phone numbers and country codes.
//!
//! Each check answers a message-catalogue key, so every door shows the same
//! problem in the reader's language.

use serde::{Deserialize, Deserializer, de};

use crate::FieldErrors;

pub(crate) type Checked<T> = Result<T, &'static str>;

/// A JSON `null` clears a field just as `""` does; only a missing field keeps its value.
pub(crate) fn null_as_empty<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Some(
        Option::<String>::deserialize(deserializer)?.unwrap_or_default(),
    ))
}

/// Like [`null_as_empty`], for values that may also come as whole JSON numbers
/// (amounts, probabilities);
/// a JSON number with decimals is refused, because it would arrive as a float:
/// send such an amount as a string, `"12500.50"`.
pub(crate) fn text_or_whole_number<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    struct Visitor;
    impl<'de> de::Visitor<'de> for Visitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a string, a whole number or null")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.to_owned()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom(
                "a number with decimals is not exact; send it as a string such as \"12500.50\"",
            ))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Some(String::new()))
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Some(String::new()))
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_any(Visitor)
        }
    }
    deserializer.deserialize_option(Visitor)
}

/// Trims a given value and refuses control characters (NUL included); a
/// multi-line value keeps its newlines and tabs, with CR LF and lone CR made LF.
pub(crate) fn clean(value: Option<String>, multiline: bool) -> Checked<Option<String>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let value = if multiline {
        value.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        value
    };
    let trimmed = value.trim();
    let allowed = |c: char| multiline && (c == '\n' || c == '\t');
    if trimmed.chars().any(|c| c.is_control() && !allowed(c)) {
        return Err("error-invalid-characters");
    }
    Ok(Some(trimmed.to_owned()))
}

/// A field every record has: kept when missing on update, required on create,
/// refused when emptied.
pub(crate) fn required<T: Clone>(
    raw: Option<String>,
    current: Option<&T>,
    validate: impl FnOnce(String) -> Checked<T>,
) -> Checked<T> {
    match (clean(raw, false)?, current) {
        (None, Some(current)) => Ok(current.clone()),
        (None, None) => Err("error-required"),
        (Some(value), _) if value.is_empty() => Err("error-required"),
        (Some(value), _) => validate(value),
    }
}

/// A field a record may lack: kept when missing on update, cleared when empty.
pub(crate) fn optional<T: Clone>(
    raw: Option<String>,
    multiline: bool,
    current: Option<&Option<T>>,
    validate: impl FnOnce(String) -> Checked<T>,
) -> Checked<Option<T>> {
    match clean(raw, multiline)? {
        None => Ok(current.cloned().flatten()),
        Some(value) if value.is_empty() => Ok(None),
        Some(value) => validate(value).map(Some),
    }
}

pub(crate) fn at_most(max: usize) -> impl FnOnce(String) -> Checked<String> {
    move |value| {
        if value.chars().count() > max {
            Err("error-too-long")
        } else {
            Ok(value)
        }
    }
}

pub(crate) const PHONE_MAX: usize = 40;

pub(crate) fn phone(value: String) -> Checked<String> {
    if value.chars().count() > PHONE_MAX {
        return Err("error-too-long");
    }
    let shape_ok = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')' | '.'));
    if shape_ok && value.chars().any(|c| c.is_ascii_digit()) {
        Ok(value)
    } else {
        Err("error-phone-invalid")
    }
}

/// ISO 3166-1 alpha-2, stored upper case.
pub(crate) fn country(value: String) -> Checked<String> {
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err("error-country-invalid")
    }
}

/// Keeps the first problem of each field, so all of them can be shown at once.
pub(crate) fn record<T>(errors: &mut FieldErrors, field: &str, checked: Checked<T>) -> Option<T> {
    checked.map_err(|key| errors.add(field, key)).ok()
}

/// The differences between two field lists for a timeline or an audit: (field
/// name, old value, new value), only fields that changed, in order.
pub(crate) fn diff<const N: usize>(
    old: [(&'static str, Option<String>); N],
    new: [(&'static str, Option<String>); N],
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    old.into_iter()
        .zip(new)
        .filter_map(|((field, before), (_, after))| {
            (before != after).then_some((field, before, after))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_and_optional_follow_the_update_rules() {
        let current = "Old".to_owned();
        assert_eq!(required(None, Some(&current), Ok), Ok("Old".to_owned()));
        assert_eq!(required(None, None::<&String>, Ok), Err("error-required"));
        assert_eq!(
            required(Some("  ".into()), Some(&current), Ok),
            Err("error-required")
        );
        assert_eq!(
            required(Some(" New ".into()), Some(&current), Ok),
            Ok("New".to_owned())
        );
        let kept = Some("x".to_owned());
        assert_eq!(optional(None, false, Some(&kept), Ok), Ok(kept.clone()));
        assert_eq!(
            optional(Some(String::new()), false, Some(&kept), Ok),
            Ok(None)
        );
        assert_eq!(
            optional(Some("a\u{0}b".into()), false, None, Ok),
            Err::<Option<String>, _>("error-invalid-characters")
        );
        assert_eq!(
            optional(Some("a\r\nb".into()), true, None, Ok),
            Ok(Some("a\nb".to_owned()))
        );
    }

    #[test]
    fn phones_and_countries() {
        assert!(phone("+45 (33) 12-34.56".into()).is_ok());
        assert_eq!(phone("call me".into()), Err("error-phone-invalid"));
        assert_eq!(phone("1".repeat(41)), Err("error-too-long"));
        assert_eq!(country("dk".into()), Ok("DK".to_owned()));
        assert_eq!(country("DNK".into()), Err("error-country-invalid"));
    }
}
