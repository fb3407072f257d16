//! The Accounts and Contacts tabs (spec flow 10): lists with search and keyset
//! pages, detail pages with related records, New, Edit and Save; and
//! converting a lead (flow 8) in [`convert`].
//!
//! Both kinds share one list template and one form template, and one New,
//! Edit and Save flow in [`record_form`]; the rest they share lives here: a
//! form field as the template draws it, the values a form carries to detect
//! someone else's change, and the tab check.

pub mod account;
pub mod contact;
pub mod convert;
pub mod list;
pub mod record_form;

use std::collections::BTreeMap;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openprm_domain::{
    Locale,
    money::{Currency, Money},
};

/// Records on one page of a list.
pub const PAGE_SIZE: u32 = 25;

/// One input of a record form, as the template draws it.
pub struct FormField {
    /// The form name (`name`, `domain`, …); the element id is `f-<name>`.
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// `text`, `email`, `tel`, `url`, `textarea` or `select`.
    pub kind: &'static str,
    pub max: usize,
    /// For `select`: (value, label); the first is the empty choice.
    pub options: Vec<(String, String)>,
    pub error: Option<String>,
    /// Spans the whole form's width.
    pub wide: bool,
}

impl FormField {
    pub fn new(
        name: &'static str,
        label: String,
        value: &str,
        kind: &'static str,
        max: usize,
        errors: &BTreeMap<String, String>,
    ) -> FormField {
        FormField {
            name,
            label,
            value: value.to_owned(),
            kind,
            max,
            options: Vec::new(),
            error: errors.get(name).cloned(),
            wide: kind == "textarea",
        }
    }
}

/// A field someone else changed while the user edited: its label and value now.
pub struct TheirChange {
    pub field: String,
    pub value: String,
}

/// Values as a form carries them, opaque to the user: what they saw when they
/// opened it, to tell them what someone else changed meanwhile.
pub fn encode(values: &BTreeMap<String, String>) -> String {
    serde_json::to_vec(values)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .unwrap_or_default()
}

pub fn decode(original: &str) -> Option<BTreeMap<String, String>> {
    let json = URL_SAFE_NO_PAD.decode(original.as_bytes()).ok()?;
    serde_json::from_slice(&json).ok()
}

/// The fields whose values differ between what the user saw and what is
/// stored now, labelled; nothing when what they saw is unknown.
pub fn their_changes(
    seen: Option<BTreeMap<String, String>>,
    now: &BTreeMap<String, String>,
    label: impl Fn(&str) -> String,
) -> Vec<TheirChange> {
    let Some(seen) = seen else {
        return Vec::new();
    };
    now.iter()
        .filter(|(field, value)| seen.get(*field).map(String::as_str).unwrap_or("") != *value)
        .map(|(field, value)| TheirChange {
            field: label(field),
            value: if value.is_empty() {
                "—".to_owned()
            } else {
                value.clone()
            },
        })
        .collect()
}

/// An amount in minor units as people read it in `locale` (`DKK 12,500.00`,
/// `12.500,00 DKK`), with the currency's own number of decimals; a dash when
/// there is none.
pub fn money(amount_minor: Option<i64>, currency: &str, locale: Locale) -> String {
    let Some(minor) = amount_minor else {
        return "—".to_owned();
    };
    match Currency::parse(currency) {
        Some(currency) => Money { minor, currency }.format(locale),
        None => format!("{minor} {currency}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_values_survive_the_form_and_changes_are_named() {
        let seen: BTreeMap<String, String> = [("name", "Nordlys"), ("city", "Aarhus")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(decode(&encode(&seen)), Some(seen.clone()));
        assert_eq!(decode("!!"), None);
        let mut now = seen.clone();
        now.insert("city".into(), String::new());
        let changes = their_changes(Some(seen), &now, |f| f.to_uppercase());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "CITY");
        assert_eq!(changes[0].value, "—");
        assert!(their_changes(None, &now, |f| f.to_owned()).is_empty());
    }

    #[test]
    fn money_reads_in_minor_units_with_the_currencys_decimals() {
        assert_eq!(
            money(Some(1_250_000), "EUR", Locale::English),
            "EUR 12,500.00"
        );
        assert_eq!(
            money(Some(1_250_000), "EUR", Locale::Danish),
            "12.500,00 EUR"
        );
        assert_eq!(
            money(Some(1_500_000), "ISK", Locale::English),
            "ISK 1,500,000"
        );
        assert_eq!(money(None, "EUR", Locale::English), "—");
    }
}
