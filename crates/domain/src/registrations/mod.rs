//! Deal registration (spec flow 13): a partner registers a deal it found
//! itself; the vendor approves it (it becomes the partner's protected
//! opportunity) or rejects it with a reason.
//!
//! This module parses what the partner typed, once, into values that cannot
//! be bad; [`matching`] decides which existing records are the same customer;
//! [`protection`] does the arithmetic of the protection an approval gives.

pub mod matching;
pub mod protection;

use serde::{Deserialize, Serialize};
use time::{Date, Duration, macros::format_description};

use crate::{
    DomainError, EmailAddress, FieldErrors, Locale,
    money::{Currency, Money},
    record_fields::{
        Checked, at_most, clean, null_as_empty, optional, phone, record, required,
        text_or_whole_number,
    },
};

use matching::{Probe, company_domain_of_email, is_free_mail, normalise_company, normalise_domain};

/// Where a registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationStatus {
    /// Submitted, waiting for the vendor ("under review" to the partner).
    Pending,
    Approved,
    Rejected,
}

impl RegistrationStatus {
    pub const ALL: [RegistrationStatus; 3] = [
        RegistrationStatus::Pending,
        RegistrationStatus::Approved,
        RegistrationStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Pending => "pending",
            RegistrationStatus::Approved => "approved",
            RegistrationStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<RegistrationStatus> {
        let s = s.trim();
        RegistrationStatus::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A registration's checked fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationFields {
    pub company_name: String,
    /// Normalised (`nordlys.dk`); taken from the contact's address when not
    /// given and that address is not free mail.
    pub company_domain: Option<String>,
    pub contact_name: String,
    pub contact_email: EmailAddress,
    pub contact_phone: Option<String>,
    pub product_interest: String,
    /// More than zero.
    pub amount: Money,
    /// Expected close: from today up to [`RegistrationFields::HORIZON_DAYS`] ahead.
    pub close_date: Date,
    pub description: Option<String>,
}

impl RegistrationFields {
    pub const COMPANY_MAX: usize = 160;
    pub const NAME_MAX: usize = 120;
    pub const PRODUCT_MAX: usize = 200;
    pub const DESCRIPTION_MAX: usize = 4000;
    /// How far ahead a close date may lie: three years.
    pub const HORIZON_DAYS: i64 = 3 * 366;

    /// What conflict matching compares this registration by.
    pub fn probe(&self) -> Probe {
        Probe {
            company_name: self.company_name.clone(),
            domain: self.company_domain.clone(),
            contact_email: Some(self.contact_email.as_str().to_owned()),
        }
    }

    /// The company name as matching sees it (`Nordlys A/S` → `nordlys`).
    pub fn company_key(&self) -> String {
        normalise_company(&self.company_name)
    }
}

/// Why a registration cannot be approved or rejected as asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecisionRefusal {
    /// It was approved or rejected already (perhaps a moment ago, by someone else).
    AlreadyDecided(RegistrationStatus),
    /// Another partner's approved registration of the same customer is still
    /// protected; it cannot be approved before that ends.
    Protected {
        partner_name: String,
        until: time::OffsetDateTime,
    },
}

impl DecisionRefusal {
    /// The API's stable code.
    pub fn code(&self) -> &'static str {
        match self {
            DecisionRefusal::AlreadyDecided(_) => "registration_already_decided",
            DecisionRefusal::Protected { .. } => "registration_protected",
        }
    }

    /// The message-catalogue key; its arguments are `status`, or `partner` and `date`.
    pub fn message_key(&self) -> &'static str {
        match self {
            DecisionRefusal::AlreadyDecided(_) => "registration-error-already-decided",
            DecisionRefusal::Protected { .. } => "registration-error-protected",
        }
    }

    /// When a protection ends, as the messages write it: `2026-06-08 10:00 UTC`.
    pub fn until_text(&self) -> Option<String> {
        match self {
            DecisionRefusal::Protected { until, .. } => Some(minute_text(*until)),
            DecisionRefusal::AlreadyDecided(_) => None,
        }
    }
}

/// `2026-06-08 10:00 UTC`.
pub fn minute_text(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_else(|_| at.to_string())
}

impl std::fmt::Display for DecisionRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecisionRefusal::AlreadyDecided(status) => {
                write!(f, "This registration has already been {status}.")
            }
            DecisionRefusal::Protected {
                partner_name,
                until,
            } => write!(
                f,
                "{partner_name} holds an approved registration of this customer, protected until {}.",
                minute_text(*until)
            ),
        }
    }
}

/// The longest decision reason, in characters.
pub const REASON_MAX: usize = 2000;

/// A rejection's reason: required, trimmed, at most [`REASON_MAX`] characters,
/// newlines allowed.
pub fn parse_reason(input: Option<String>) -> Result<String, DomainError> {
    let checked = match clean(input, true) {
        Ok(Some(reason)) if reason.is_empty() => Err("error-required"),
        Ok(Some(reason)) => at_most(REASON_MAX)(reason),
        Ok(None) => Err("error-required"),
        Err(key) => Err(key),
    };
    checked.map_err(|key| DomainError::field("reason", key))
}

/// A registration as typed into the form or sent as JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RegistrationInput {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub company_name: Option<String>,
    /// A domain, the company's web address or an e-mail address there.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub company_domain: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contact_name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contact_email: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub contact_phone: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub product_interest: Option<String>,
    /// The expected amount in major units: `12500.50` as a string, or a whole
    /// number; a number with decimals is refused, as it would arrive as a
    /// float (forms also take the user's language's grouping, `12.500,50`).
    #[serde(default, deserialize_with = "text_or_whole_number")]
    #[schema(value_type = Option<String>, example = "12500.50")]
    pub amount: Option<String>,
    /// ISO 4217 code, e.g. `DKK`.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub currency: Option<String>,
    /// Expected close date, `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[schema(format = Date)]
    pub close_date: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub description: Option<String>,
}

fn company_domain(value: String) -> Checked<String> {
    let domain = normalise_domain(&value).ok_or("registration-error-domain-invalid")?;
    if is_free_mail(&domain) {
        Err("registration-error-domain-free-mail")
    } else {
        Ok(domain)
    }
}

fn close_date(value: String, today: Date) -> Checked<Date> {
    let date = Date::parse(&value, format_description!("[year]-[month]-[day]"))
        .map_err(|_| "registration-error-date-invalid")?;
    if date < today {
        Err("registration-error-close-date-past")
    } else if date > today + Duration::days(RegistrationFields::HORIZON_DAYS) {
        Err("registration-error-close-date-too-far")
    } else {
        Ok(date)
    }
}

impl RegistrationInput {
    /// Every problem at once, keyed by field, as message-catalogue keys.
    /// `today` bounds the close date; `locale` is how the amount is read when
    /// its separators are ambiguous (`12.500`; the API passes English).
    pub fn parse(self, today: Date, locale: Locale) -> Result<RegistrationFields, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;

        let company_name = required(self.company_name, None, |name| {
            let name = at_most(RegistrationFields::COMPANY_MAX)(name)?;
            // Nothing left to tell the company by: `A/S ...`.
            if normalise_company(&name).is_empty() {
                Err("registration-error-company-invalid")
            } else {
                Ok(name)
            }
        });
        let company_name = record(e, "company_name", company_name);
        let domain = optional(self.company_domain, false, None, company_domain);
        let domain = record(e, "company_domain", domain);
        let contact_name = required(
            self.contact_name,
            None,
            at_most(RegistrationFields::NAME_MAX),
        );
        let contact_name = record(e, "contact_name", contact_name);
        let contact_email = required(self.contact_email, None, |v| EmailAddress::parse(&v));
        let contact_email = record(e, "contact_email", contact_email);
        let contact_phone = optional(self.contact_phone, false, None, phone);
        let contact_phone = record(e, "contact_phone", contact_phone);
        let product = required(
            self.product_interest,
            None,
            at_most(RegistrationFields::PRODUCT_MAX),
        );
        let product_interest = record(e, "product_interest", product);
        let currency = required(self.currency, None, |v| {
            Currency::parse(&v).ok_or("registration-error-currency-unknown")
        });
        let currency = record(e, "currency", currency);
        let amount = match (clean(self.amount, false), currency) {
            (Err(key), _) => Err(key),
            (Ok(None), _) => Err("error-required"),
            (Ok(Some(text)), _) if text.is_empty() => Err("error-required"),
            // Without a currency the amount's decimals cannot be checked.
            (Ok(Some(_)), None) => Ok(None),
            (Ok(Some(text)), Some(currency)) => Money::parse(&text, currency, locale)
                .and_then(|m| {
                    if m.minor > 0 {
                        Ok(m)
                    } else {
                        Err("registration-error-amount-zero")
                    }
                })
                .map(Some),
        };
        let amount = record(e, "amount", amount).flatten();
        let close = required(self.close_date, None, |v| close_date(v, today));
        let close_date = record(e, "close_date", close);
        let description = optional(
            self.description,
            true,
            None,
            at_most(RegistrationFields::DESCRIPTION_MAX),
        );
        let description = record(e, "description", description);

        match (
            company_name,
            domain,
            contact_name,
            contact_email,
            contact_phone,
            product_interest,
            amount,
            close_date,
            description,
        ) {
            (
                Some(company_name),
                Some(domain),
                Some(contact_name),
                Some(contact_email),
                Some(contact_phone),
                Some(product_interest),
                Some(amount),
                Some(close_date),
                Some(description),
            ) if errors.is_empty() => {
                let company_domain =
                    domain.or_else(|| company_domain_of_email(contact_email.as_str()));
                Ok(RegistrationFields {
                    company_name,
                    company_domain,
                    contact_name,
                    contact_email,
                    contact_phone,
                    product_interest,
                    amount,
                    close_date,
                    description,
                })
            }
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// Close dates read and write as opportunities' do: `2026-11-27`.
pub use crate::opportunities::date_text;

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 10);

    fn input(pairs: &[(&str, &str)]) -> RegistrationInput {
        let mut input = RegistrationInput {
            company_name: Some("Nordlys A/S".into()),
            company_domain: Some("https://www.nordlys.dk".into()),
            contact_name: Some("Mette Hansen".into()),
            contact_email: Some("Mette@Nordlys.dk".into()),
            contact_phone: None,
            product_interest: Some("Grid analytics, 40 seats".into()),
            amount: Some("125000".into()),
            currency: Some("dkk".into()),
            close_date: Some("2026-06-30".into()),
            description: None,
        };
        for (field, value) in pairs {
            let value = Some((*value).to_owned());
            match *field {
                "company_name" => input.company_name = value,
                "company_domain" => input.company_domain = value,
                "contact_name" => input.contact_name = value,
                "contact_email" => input.contact_email = value,
                "contact_phone" => input.contact_phone = value,
                "product_interest" => input.product_interest = value,
                "amount" => input.amount = value,
                "currency" => input.currency = value,
                "close_date" => input.close_date = value,
                "description" => input.description = value,
                other => panic!("no field {other}"),
            }
        }
        input
    }

    fn errors(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        match input(pairs).parse(TODAY, Locale::English) {
            Err(DomainError::Validation(e)) => e.0.into_iter().collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    fn error_of(pairs: &[(&str, &str)], field: &str) -> String {
        errors(pairs)
            .into_iter()
            .find(|(f, _)| f == field)
            .map(|(_, k)| k)
            .unwrap_or_else(|| panic!("no error for {field}"))
    }

    #[test]
    fn a_good_registration_is_normalised() {
        let fields = input(&[("description", "  Met at the fair.\r\nWants a pilot. ")])
            .parse(TODAY, Locale::English)
            .unwrap();
        assert_eq!(fields.company_name, "Nordlys A/S");
        assert_eq!(fields.company_domain.as_deref(), Some("nordlys.dk"));
        assert_eq!(fields.contact_email.as_str(), "mette@nordlys.dk");
        assert_eq!(fields.amount.minor, 12_500_000);
        assert_eq!(fields.amount.currency.code(), "DKK");
        assert_eq!(fields.close_date, date!(2026 - 06 - 30));
        assert_eq!(
            fields.description.as_deref(),
            Some("Met at the fair.\nWants a pilot.")
        );
        assert_eq!(fields.company_key(), "nordlys");
        assert_eq!(date_text(fields.close_date), "2026-06-30");
    }

    #[test]
    fn the_domain_comes_from_the_contact_unless_free_mail() {
        let f = input(&[("company_domain", "")])
            .parse(TODAY, Locale::English)
            .unwrap();
        assert_eq!(f.company_domain.as_deref(), Some("nordlys.dk"));
        let f = input(&[("company_domain", ""), ("contact_email", "mette@gmail.com")])
            .parse(TODAY, Locale::English)
            .unwrap();
        assert_eq!(f.company_domain, None);
        assert_eq!(
            error_of(&[("company_domain", "gmail.com")], "company_domain"),
            "registration-error-domain-free-mail"
        );
        assert_eq!(
            error_of(&[("company_domain", "not a domain")], "company_domain"),
            "registration-error-domain-invalid"
        );
    }

    #[test]
    fn required_fields_are_named_all_at_once() {
        let all_empty = RegistrationInput::default().parse(TODAY, Locale::English);
        let Err(DomainError::Validation(e)) = all_empty else {
            panic!("expected errors");
        };
        let fields: Vec<_> = e.0.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "amount",
                "close_date",
                "company_name",
                "contact_email",
                "contact_name",
                "currency",
                "product_interest"
            ]
        );
        assert!(e.0.values().all(|k| k == "error-required"));
        assert_eq!(
            error_of(&[("company_name", "— ...")], "company_name"),
            "registration-error-company-invalid"
        );
    }

    #[test]
    fn amounts_must_be_positive_exact_and_sane() {
        for (amount, key) in [
            ("-5", "error-amount-negative"),
            ("0", "registration-error-amount-zero"),
            ("0.00", "registration-error-amount-zero"),
            ("12.345,678", "error-amount-too-precise"),
            ("12,34,5", "error-amount-invalid"),
            ("1e9", "error-amount-invalid"),
            ("10.001", "error-amount-too-precise"),
            ("99999999999999999", "error-amount-too-large"),
            ("lots", "error-amount-invalid"),
        ] {
            assert_eq!(error_of(&[("amount", amount)], "amount"), key, "{amount}");
        }
        // A Danish form writes thousands with a dot.
        let f = input(&[("amount", "12.500,50")])
            .parse(TODAY, Locale::Danish)
            .unwrap();
        assert_eq!(f.amount.minor, 1_250_050);
        // An unknown currency is its own error; the amount is not judged without one.
        let e = errors(&[("currency", "XYZ"), ("amount", "10.001")]);
        assert_eq!(
            e,
            [(
                "currency".into(),
                "registration-error-currency-unknown".into()
            )]
        );
    }

    #[test]
    fn amounts_arrive_as_json_text_or_whole_numbers() {
        let body = r#"{"company_name":"Nordlys","contact_name":"M","contact_email":"m@nordlys.dk",
            "product_interest":"X","amount":"12500.50","currency":"EUR","close_date":"2026-04-01"}"#;
        let input: RegistrationInput = serde_json::from_str(body).unwrap();
        let f = input.parse(TODAY, Locale::English).unwrap();
        assert_eq!(f.amount.minor, 1_250_050);
        // A number with decimals would be a float: refused, never rounded.
        assert!(serde_json::from_str::<RegistrationInput>(r#"{"amount":12500.5}"#).is_err());
        let whole: RegistrationInput = serde_json::from_str(r#"{"amount":12500}"#).unwrap();
        assert_eq!(whole.amount.as_deref(), Some("12500"));
        let negative: RegistrationInput = serde_json::from_str(r#"{"amount":-3}"#).unwrap();
        assert_eq!(negative.amount.as_deref(), Some("-3"));
        let null: RegistrationInput = serde_json::from_str(r#"{"amount":null}"#).unwrap();
        assert_eq!(null.amount.as_deref(), Some(""));
    }

    #[test]
    fn close_dates_run_from_today_to_the_horizon() {
        assert!(
            input(&[("close_date", "2026-03-10")])
                .parse(TODAY, Locale::English)
                .is_ok()
        );
        assert!(
            input(&[("close_date", "2029-03-10")])
                .parse(TODAY, Locale::English)
                .is_ok()
        );
        for (date, key) in [
            ("2026-03-09", "registration-error-close-date-past"),
            ("2031-01-01", "registration-error-close-date-too-far"),
            ("10/03/2026", "registration-error-date-invalid"),
            ("2026-02-30", "registration-error-date-invalid"),
            ("+99999-01-01", "registration-error-date-invalid"),
        ] {
            assert_eq!(
                error_of(&[("close_date", date)], "close_date"),
                key,
                "{date}"
            );
        }
    }

    #[test]
    fn texts_are_checked_for_length_and_control_characters() {
        let long = "x".repeat(RegistrationFields::COMPANY_MAX + 1);
        assert_eq!(
            error_of(&[("company_name", &long)], "company_name"),
            "error-too-long"
        );
        assert_eq!(
            error_of(&[("contact_name", "Mette\u{0}")], "contact_name"),
            "error-invalid-characters"
        );
        assert_eq!(
            error_of(&[("contact_email", "mette")], "contact_email"),
            "error-email-invalid"
        );
        assert_eq!(
            error_of(&[("contact_phone", "call me")], "contact_phone"),
            "error-phone-invalid"
        );
    }

    #[test]
    fn refusals_name_the_protecting_partner_and_the_end() {
        let refusal = DecisionRefusal::Protected {
            partner_name: "Fjordline IT".into(),
            until: time::macros::datetime!(2026-06-08 10:00:30 UTC),
        };
        assert_eq!(refusal.code(), "registration_protected");
        assert_eq!(
            refusal.to_string(),
            "Fjordline IT holds an approved registration of this customer, protected until 2026-06-08 10:00 UTC."
        );
        let decided = DecisionRefusal::AlreadyDecided(RegistrationStatus::Rejected);
        assert_eq!(
            decided.to_string(),
            "This registration has already been rejected."
        );
        assert_eq!(decided.until_text(), None);
    }

    #[test]
    fn statuses_and_reasons() {
        for status in RegistrationStatus::ALL {
            assert_eq!(RegistrationStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(
            RegistrationStatus::parse(" Approved "),
            Some(RegistrationStatus::Approved)
        );
        assert_eq!(RegistrationStatus::parse("lapsed"), None);
        assert_eq!(
            parse_reason(Some("  Duplicate of an existing deal ".into())).unwrap(),
            "Duplicate of an existing deal"
        );
        for bad in [
            None,
            Some(String::new()),
            Some("   ".into()),
            Some("x".repeat(REASON_MAX + 1)),
            Some("bad\u{7}".into()),
        ] {
            assert!(
                matches!(parse_reason(bad), Err(DomainError::Validation(e)) if e.0.contains_key("reason"))
            );
        }
    }
}
