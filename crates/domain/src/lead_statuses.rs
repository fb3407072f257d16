//! The rules of the lead status picklist the admin edits: plain keys, labels in
//! both languages, the one fixed "converted" status, at least one open status.

use std::collections::HashSet;

use crate::{DomainError, FieldErrors, leads::LeadStatus};

/// The key of the one status conversion sets; it can be renamed, never removed.
pub const CONVERTED_KEY: &str = "converted";
/// The longest status key, in characters.
pub const KEY_MAX_CHARS: usize = 40;
/// The longest label, in characters.
pub const LABEL_MAX_CHARS: usize = 80;
/// The most statuses a picklist may hold.
pub const MAX_STATUSES: usize = 50;

/// Whether `key` is a status key: a lower-case ASCII letter, then letters,
/// digits and `_`, at most [`KEY_MAX_CHARS`]. Keys appear in URLs, filters and
/// import files, so they stay plain.
pub fn is_valid_key(key: &str) -> bool {
    key.len() <= KEY_MAX_CHARS
        && key.starts_with(|c: char| c.is_ascii_lowercase())
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Checks a whole picklist as the admin sends it. Field keys are
/// `statuses[i].key`, `statuses[i].label_en`, `statuses[i].label_da`,
/// `statuses[i].converted`, `statuses[i].closed` and `statuses` for the list as a
/// whole; message keys `error-required`, `error-too-long`,
/// `error-invalid-characters`, `error-status-key-invalid`, `error-duplicate`,
/// `error-status-converted-fixed`, `error-status-converted-required`,
/// `error-status-none-open` and `error-out-of-range` (too many statuses).
pub fn validate_statuses(statuses: &[LeadStatus]) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    if statuses.len() > MAX_STATUSES {
        errors.add("statuses", "error-out-of-range");
    }
    let mut keys = HashSet::new();
    for (i, status) in statuses.iter().enumerate() {
        let field = |name: &str| format!("statuses[{i}].{name}");
        if !is_valid_key(&status.key) {
            errors.add(&field("key"), "error-status-key-invalid");
        } else if !keys.insert(status.key.as_str()) {
            errors.add(&field("key"), "error-duplicate");
        }
        for (name, label) in [
            ("label_en", &status.label_en),
            ("label_da", &status.label_da),
        ] {
            let label = label.trim();
            if label.is_empty() {
                errors.add(&field(name), "error-required");
            } else if label.chars().count() > LABEL_MAX_CHARS {
                errors.add(&field(name), "error-too-long");
            } else if label.chars().any(char::is_control) {
                errors.add(&field(name), "error-invalid-characters");
            }
        }
        // Conversion sets exactly this status, and a converted lead is closed.
        let is_converted_key = status.key == CONVERTED_KEY;
        if status.converted != is_converted_key {
            errors.add(&field("converted"), "error-status-converted-fixed");
        }
        if is_converted_key && !status.closed {
            errors.add(&field("closed"), "error-status-converted-fixed");
        }
        // A converted lead cannot be converted again.
        if is_converted_key && status.qualified {
            errors.add(&field("qualified"), "error-status-converted-fixed");
        }
    }
    if !statuses.iter().any(|s| s.key == CONVERTED_KEY) {
        errors.add("statuses", "error-status-converted-required");
    } else if !statuses.iter().any(LeadStatus::is_open) {
        // A new lead starts in the first open status: there must be one.
        errors.add("statuses", "error-status-none-open");
    }
    errors.into_result()
}

/// The picklist in the order the admin meant: by `position`, ties in the order
/// sent, renumbered 10, 20, 30… so that a later insertion has room.
pub fn in_order(statuses: &[LeadStatus]) -> Vec<LeadStatus> {
    let mut ordered: Vec<(usize, &LeadStatus)> = statuses.iter().enumerate().collect();
    ordered.sort_by_key(|(i, s)| (s.position, *i));
    ordered
        .into_iter()
        .enumerate()
        .map(|(n, (_, s))| LeadStatus {
            key: s.key.clone(),
            label_en: s.label_en.trim().to_owned(),
            label_da: s.label_da.trim().to_owned(),
            closed: s.closed,
            converted: s.converted,
            qualified: s.qualified,
            position: i32::try_from((n + 1) * 10).unwrap_or(i32::MAX),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::leads::default_statuses;

    fn errors_of(statuses: &[LeadStatus]) -> Vec<(String, String)> {
        match validate_statuses(statuses) {
            Ok(()) => Vec::new(),
            Err(DomainError::Validation(e)) => e.0.into_iter().collect(),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_default_picklist_is_valid() {
        assert!(errors_of(&default_statuses()).is_empty());
    }

    #[test]
    fn keys_are_plain_slugs() {
        assert!(is_valid_key("on_hold"));
        assert!(is_valid_key("q2"));
        for bad in [
            "",
            "On_hold",
            "2nd",
            "on hold",
            "on-hold",
            "æble",
            &"k".repeat(41),
        ] {
            assert!(!is_valid_key(bad), "{bad:?}");
        }
    }

    #[test]
    fn converted_must_stay_and_be_the_only_converted_status() {
        let without: Vec<_> = default_statuses()
            .into_iter()
            .filter(|s| s.key != CONVERTED_KEY)
            .collect();
        assert_eq!(
            errors_of(&without),
            vec![("statuses".into(), "error-status-converted-required".into())]
        );
        let mut two = default_statuses();
        two[2].converted = true;
        assert_eq!(
            errors_of(&two),
            vec![(
                "statuses[2].converted".into(),
                "error-status-converted-fixed".into()
            )]
        );
        let mut open_converted = default_statuses();
        open_converted[4].closed = false;
        assert_eq!(
            errors_of(&open_converted),
            vec![(
                "statuses[4].closed".into(),
                "error-status-converted-fixed".into()
            )]
        );
    }

    #[test]
    fn labels_keys_and_open_statuses_are_checked() {
        let mut statuses = default_statuses();
        statuses[0].label_en = "  ".into();
        statuses[1].label_da = "x".repeat(81);
        statuses[2].key = statuses[1].key.clone();
        statuses[3].label_en = "Tab\there".into();
        let errors = errors_of(&statuses);
        assert!(errors.contains(&("statuses[0].label_en".into(), "error-required".into())));
        assert!(errors.contains(&("statuses[1].label_da".into(), "error-too-long".into())));
        assert!(errors.contains(&("statuses[2].key".into(), "error-duplicate".into())));
        assert!(errors.contains(&(
            "statuses[3].label_en".into(),
            "error-invalid-characters".into()
        )));

        let all_closed: Vec<_> = default_statuses()
            .into_iter()
            .map(|s| LeadStatus { closed: true, ..s })
            .collect();
        assert_eq!(
            errors_of(&all_closed),
            vec![("statuses".into(), "error-status-none-open".into())]
        );
    }

    #[test]
    fn order_follows_position_then_the_order_sent() {
        let mut statuses = default_statuses();
        statuses[3].position = 5;
        statuses[1].position = 10;
        let keys: Vec<_> = in_order(&statuses)
            .into_iter()
            .map(|s| (s.key, s.position))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("unqualified".to_owned(), 10),
                ("open_not_contacted".to_owned(), 20),
                ("working_contacted".to_owned(), 30),
                ("qualified".to_owned(), 40),
                ("converted".to_owned(), 50),
            ]
        );
    }
}
