//! What an assignment rule asks of a lead: each condition is one question
//! about the lead's fields, and a rule matches when all of its conditions hold.
//!
//! Text is compared the way a channel manager reads it: without regard to case
//! or surrounding space. Postal codes are compared as a spreadsheet user
//! expects (see [`compare_postal`]).

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::leads::{LeadFields, LeadSource};

/// How a [`Condition::Field`] compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldOp {
    Equals,
    Contains,
}

impl FieldOp {
    pub const ALL: [FieldOp; 2] = [FieldOp::Equals, FieldOp::Contains];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldOp::Equals => "equals",
            FieldOp::Contains => "contains",
        }
    }

    pub fn parse(value: &str) -> Option<FieldOp> {
        FieldOp::ALL
            .into_iter()
            .find(|o| o.as_str() == value.trim())
    }
}

/// One question about a lead.
///
/// In JSON: `{"kind": "source", "sources": ["trade_show"]}`,
/// `{"kind": "country", "countries": ["DK", "SE"]}`,
/// `{"kind": "postal_code", "from": "1000", "to": "2999"}`,
/// `{"kind": "product_interest", "contains": "backup"}`,
/// `{"kind": "field", "field": "company", "op": "contains", "value": "kommune"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Condition {
    /// The lead's source is one of these.
    Source { sources: Vec<LeadSource> },
    /// The lead's country (ISO 3166-1 alpha-2) is one of these.
    Country { countries: Vec<String> },
    /// The lead's postal code lies in `from..=to`.
    PostalCode { from: String, to: String },
    /// The lead's product interest contains this text.
    ProductInterest { contains: String },
    /// Any lead field (`name`, `company`, `email`, … as in the API) equals or
    /// contains this text.
    Field {
        field: String,
        op: FieldOp,
        value: String,
    },
}

/// Upper case without surrounding space, for comparing what people typed.
pub(crate) fn fold(text: &str) -> String {
    text.trim().to_uppercase()
}

/// A postal code as compared: upper case, spaces and dashes left out, so
/// `sw1a 1aa` and `SW1A1AA` are one code.
fn postal_key(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

/// Orders two postal codes as a spreadsheet user expects: two codes of digits
/// only compare as numbers (`999` < `1000`, so a five-digit code is not in a
/// range of four-digit ones), anything else as text without regard to case,
/// spaces or dashes. Among digit codes of equal length, as in one country's
/// codes, number and text order agree.
pub fn compare_postal(a: &str, b: &str) -> Ordering {
    let (a, b) = (postal_key(a), postal_key(b));
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if digits(&a) && digits(&b) {
        let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    } else {
        a.cmp(&b)
    }
}

/// Whether `code` lies in the inclusive range `from..=to`.
pub fn postal_in_range(code: &str, from: &str, to: &str) -> bool {
    compare_postal(code, from) != Ordering::Less && compare_postal(code, to) != Ordering::Greater
}

/// A lead field's value as text, by the name the API uses; `None` for an
/// empty field or a name that is no field.
pub fn field_value(lead: &LeadFields, field: &str) -> Option<String> {
    lead.field_texts()
        .into_iter()
        .find(|(name, _)| *name == field)
        .and_then(|(_, value)| value)
}

/// The field names a [`Condition::Field`] may name.
pub fn field_names() -> [&'static str; 12] {
    const NAMES: [&str; 12] = [
        "name",
        "company",
        "title",
        "email",
        "phone",
        "country",
        "postal_code",
        "source",
        "status",
        "rating",
        "product_interest",
        "description",
    ];
    NAMES
}

impl Condition {
    /// Whether the lead meets this condition. A condition on a field the lead
    /// leaves empty is not met.
    pub fn matches(&self, lead: &LeadFields) -> bool {
        match self {
            Condition::Source { sources } => sources.contains(&lead.source),
            Condition::Country { countries } => lead
                .country
                .as_deref()
                .is_some_and(|c| countries.iter().any(|wanted| fold(wanted) == fold(c))),
            Condition::PostalCode { from, to } => lead
                .postal_code
                .as_deref()
                .is_some_and(|code| postal_in_range(code, from, to)),
            Condition::ProductInterest { contains } => lead
                .product_interest
                .as_deref()
                .is_some_and(|p| fold(p).contains(&fold(contains))),
            Condition::Field { field, op, value } => {
                field_value(lead, field).is_some_and(|actual| match op {
                    FieldOp::Equals => fold(&actual) == fold(value),
                    FieldOp::Contains => fold(&actual).contains(&fold(value)),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::{LeadInput, default_statuses};
    use proptest::prelude::*;

    fn lead(pairs: &[(&str, &str)]) -> LeadFields {
        let mut input = LeadInput {
            name: Some("Mette Hansen".into()),
            company: Some("Nordlys A/S".into()),
            ..LeadInput::default()
        };
        for (field, value) in pairs {
            let value = Some((*value).to_owned());
            match *field {
                "country" => input.country = value,
                "postal_code" => input.postal_code = value,
                "source" => input.source = value,
                "product_interest" => input.product_interest = value,
                "company" => input.company = value,
                "email" => input.email = value,
                other => panic!("no field {other}"),
            }
        }
        input.parse(None, &default_statuses()).unwrap()
    }

    #[test]
    fn postal_codes_compare_as_numbers_when_both_are_digits() {
        assert_eq!(compare_postal("999", "1000"), Ordering::Less);
        assert_eq!(compare_postal("2100", "2100"), Ordering::Equal);
        assert_eq!(compare_postal("0800", "800"), Ordering::Equal);
        assert!(postal_in_range("2100", "1000", "2999"));
        assert!(postal_in_range("1000", "1000", "2999"));
        assert!(postal_in_range("2999", "1000", "2999"));
        assert!(!postal_in_range("3000", "1000", "2999"));
        assert!(!postal_in_range("10000", "1000", "2999"));
        assert!(!postal_in_range("999", "1000", "2999"));
    }

    #[test]
    fn other_postal_codes_compare_as_text_without_case_or_spaces() {
        assert!(postal_in_range("sw1a 1aa", "SW1", "SW9"));
        assert!(!postal_in_range("SE1 7PB", "SW1", "SW9"));
        assert!(postal_in_range("114-55", "11000", "11999"));
        assert!(postal_in_range("DK-2100", "DK-1000", "DK-2999"));
    }

    #[test]
    fn each_condition_asks_its_field() {
        let l = lead(&[
            ("country", "dk"),
            ("postal_code", "2100"),
            ("source", "trade show"),
            ("product_interest", "Nordlys Backup, 40 seats"),
            ("email", "mette@nordlys.dk"),
        ]);
        let yes = [
            Condition::Source {
                sources: vec![LeadSource::Web, LeadSource::TradeShow],
            },
            Condition::Country {
                countries: vec!["se".into(), "DK".into()],
            },
            Condition::PostalCode {
                from: "1000".into(),
                to: "2999".into(),
            },
            Condition::ProductInterest {
                contains: "backup".into(),
            },
            Condition::Field {
                field: "email".into(),
                op: FieldOp::Contains,
                value: "@NORDLYS.dk".into(),
            },
            Condition::Field {
                field: "company".into(),
                op: FieldOp::Equals,
                value: " nordlys a/s ".into(),
            },
        ];
        for c in &yes {
            assert!(c.matches(&l), "{c:?}");
        }
        let no = [
            Condition::Source {
                sources: vec![LeadSource::Web],
            },
            Condition::Country {
                countries: vec!["NO".into()],
            },
            Condition::PostalCode {
                from: "3000".into(),
                to: "4999".into(),
            },
            Condition::ProductInterest {
                contains: "firewall".into(),
            },
            Condition::Field {
                field: "company".into(),
                op: FieldOp::Equals,
                value: "Nordlys".into(),
            },
            Condition::Field {
                field: "title".into(),
                op: FieldOp::Contains,
                value: "".into(),
            },
        ];
        for c in &no {
            assert!(!c.matches(&l), "{c:?}");
        }
    }

    #[test]
    fn a_condition_on_an_empty_field_is_not_met() {
        let l = lead(&[]);
        assert!(
            !Condition::PostalCode {
                from: "0".into(),
                to: "9999".into()
            }
            .matches(&l)
        );
        assert!(
            !Condition::Country {
                countries: vec!["DK".into()]
            }
            .matches(&l)
        );
        assert!(
            !Condition::ProductInterest {
                contains: "".into()
            }
            .matches(&l)
        );
    }

    proptest! {
        #[test]
        fn digit_codes_of_equal_length_are_in_range_exactly_when_their_numbers_are(
            width in 1usize..7,
            a in 0u32..10_000_000,
            b in 0u32..10_000_000,
            c in 0u32..10_000_000,
        ) {
            let modulo = 10u32.pow(u32::try_from(width).unwrap());
            let (a, b, c) = (a % modulo, b % modulo, c % modulo);
            let text = |n: u32| format!("{n:0width$}");
            prop_assert_eq!(
                postal_in_range(&text(a), &text(b), &text(c)),
                b <= a && a <= c
            );
        }

        #[test]
        fn comparison_is_reflexive_and_antisymmetric(a in "[0-9A-Za-z -]{0,10}", b in "[0-9A-Za-z -]{0,10}") {
            prop_assert_eq!(compare_postal(&a, &a), Ordering::Equal);
            prop_assert_eq!(compare_postal(&a, &b), compare_postal(&b, &a).reverse());
        }

        #[test]
        fn a_range_always_holds_its_own_ends(a in "[0-9A-Z]{1,8}", b in "[0-9A-Z]{1,8}") {
            let (from, to) = if compare_postal(&a, &b) == Ordering::Greater { (b, a) } else { (a, b) };
            prop_assert!(postal_in_range(&from, &from, &to));
            prop_assert!(postal_in_range(&to, &from, &to));
        }
    }
}
