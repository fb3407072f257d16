//! An opportunity's own fields (spec §2 flow 9): parsed once, from a form or a
//! JSON body, into values that cannot be bad, and compared for the timeline.
//!
//! Which account it is for, who owns it and its version live with the store;
//! this module knows the deal itself: its name, stage, amount, close date,
//! probability and next step.

use serde::{Deserialize, Serialize};
use time::{Date, Month, format_description::FormatItem, macros::format_description};

use crate::{
    DomainError, FieldErrors, Locale,
    money::{Currency, Money, parse_amount},
    opportunity_stages::{OpportunityStage, find_stage, initial_stage},
    record_fields::text_or_whole_number,
    record_fields::{Checked, at_most, clean, optional, record},
};

const DATE_FORMAT: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");

/// The earliest close date accepted.
pub const CLOSE_DATE_MIN: Date = match Date::from_calendar_date(2000, Month::January, 1) {
    Ok(d) => d,
    Err(_) => Date::MIN,
};
/// The latest close date accepted.
pub const CLOSE_DATE_MAX: Date = match Date::from_calendar_date(2099, Month::December, 31) {
    Ok(d) => d,
    Err(_) => Date::MAX,
};

/// A date as `2026-05-01`, the way the API, the database and date inputs write it.
pub fn date_text(date: Date) -> String {
    date.format(DATE_FORMAT).unwrap_or_default()
}

/// A `2026-05-01` date; `None` for anything else.
pub fn parse_date(text: &str) -> Option<Date> {
    Date::parse(text.trim(), DATE_FORMAT).ok()
}

/// Validated, normalised fields of an opportunity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpportunityFields {
    pub name: String,
    /// A key of the stage picklist.
    pub stage: String,
    /// In minor units of `currency`; none until someone knows it.
    pub amount_minor: Option<i64>,
    pub currency: Currency,
    pub close_date: Date,
    /// Percent, 0–100.
    pub probability: i32,
    pub next_step: Option<String>,
    pub description: Option<String>,
}

impl OpportunityFields {
    /// Longest values, in characters (forms use them as `maxlength`).
    pub const NAME_MAX: usize = 120;
    pub const NEXT_STEP_MAX: usize = 255;
    pub const DESCRIPTION_MAX: usize = 4000;

    pub fn amount(&self) -> Option<Money> {
        self.amount_minor.map(|minor| Money {
            minor,
            currency: self.currency,
        })
    }

    /// Every field as the timeline keeps it, in the order of the form. The
    /// amount carries its currency (`12500.50 DKK`), so an old value still
    /// reads right after the currency changed.
    pub fn field_texts(&self) -> [(&'static str, Option<String>); 8] {
        [
            ("name", Some(self.name.clone())),
            ("stage", Some(self.stage.clone())),
            (
                "amount",
                self.amount()
                    .map(|m| format!("{} {}", m.decimal(), m.currency.code())),
            ),
            ("currency", Some(self.currency.code().to_owned())),
            ("close_date", Some(date_text(self.close_date))),
            ("probability", Some(self.probability.to_string())),
            ("next_step", self.next_step.clone()),
            ("description", self.description.clone()),
        ]
    }
}

/// The differences between two versions, for the timeline: (field name, old value as
/// text, new value as text), only fields that changed, in the order of the form.
pub fn changes(
    old: &OpportunityFields,
    new: &OpportunityFields,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    old.field_texts()
        .into_iter()
        .zip(new.field_texts())
        .filter_map(|((field, before), (_, after))| {
            (before != after).then_some((field, before, after))
        })
        .collect()
}

/// An amount as the timeline keeps it (`12500.50 DKK`), formatted for reading
/// in `locale`; `None` when it is not one.
pub fn format_amount_text(text: &str, locale: Locale) -> Option<String> {
    let (number, code) = text.split_once(' ')?;
    let currency = Currency::parse(code)?;
    let minor = parse_amount(number, currency, Locale::English).ok()?;
    Some(Money { minor, currency }.format(locale))
}

/// An opportunity as typed into a form or sent as JSON: every field optional.
///
/// On create, a missing field is empty, except that the stage defaults to the
/// first open one, the currency to the vendor's default and the probability to
/// the stage's. On update, a missing field keeps its value and an empty string
/// (or JSON `null`) clears an optional one; clearing a required one is
/// "error-required".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpportunityInput {
    #[serde(default, deserialize_with = "text_or_whole_number")]
    pub name: Option<String>,
    /// A stage key, or its English or Danish label.
    #[serde(default, deserialize_with = "text_or_whole_number")]
    pub stage: Option<String>,
    /// In major units, as text: `12500`, `12500.50`, `12,500.50`; or a whole number.
    #[serde(default, deserialize_with = "text_or_whole_number")]
    #[schema(value_type = Option<String>)]
    pub amount: Option<String>,
    /// ISO 4217: DKK, EUR, SEK, NOK, ISK, USD, GBP, CHF, PLN, JPY and a few more.
    #[serde(default, deserialize_with = "text_or_whole_number")]
    pub currency: Option<String>,
    /// `YYYY-MM-DD`, 2000-01-01 to 2099-12-31.
    #[serde(default, deserialize_with = "text_or_whole_number")]
    pub close_date: Option<String>,
    /// Percent, 0–100; defaults to the stage's.
    #[serde(default, deserialize_with = "text_or_whole_number")]
    #[schema(value_type = Option<String>)]
    pub probability: Option<String>,
    #[serde(default, deserialize_with = "text_or_whole_number")]
    pub next_step: Option<String>,
    #[serde(default, deserialize_with = "text_or_whole_number")]
    pub description: Option<String>,
}

impl OpportunityInput {
    /// The edit form, filled in with an opportunity's current values; the
    /// amount written the way `locale` types it.
    pub fn from_fields(fields: &OpportunityFields, locale: Locale) -> OpportunityInput {
        let text = |value: Option<String>| Some(value.unwrap_or_default());
        OpportunityInput {
            name: Some(fields.name.clone()),
            stage: Some(fields.stage.clone()),
            amount: text(fields.amount().map(|m| m.for_input(locale))),
            currency: Some(fields.currency.code().to_owned()),
            close_date: Some(date_text(fields.close_date)),
            probability: Some(fields.probability.to_string()),
            next_step: text(fields.next_step.clone()),
            description: text(fields.description.clone()),
        }
    }

    /// The fields as text, in the order of the form.
    pub fn texts(&self) -> [(&'static str, Option<&str>); 8] {
        [
            ("name", self.name.as_deref()),
            ("stage", self.stage.as_deref()),
            ("amount", self.amount.as_deref()),
            ("currency", self.currency.as_deref()),
            ("close_date", self.close_date.as_deref()),
            ("probability", self.probability.as_deref()),
            ("next_step", self.next_step.as_deref()),
            ("description", self.description.as_deref()),
        ]
    }
}

/// What parsing needs besides the input.
#[derive(Clone, Copy, Debug)]
pub struct ParseContext<'a> {
    /// The stage picklist.
    pub stages: &'a [OpportunityStage],
    /// The vendor's default currency, for a new opportunity that names none.
    pub default_currency: Currency,
    /// How the user writes amounts (the API reads them as English).
    pub locale: Locale,
}

/// A field every opportunity has: kept when missing on update, `default` when
/// missing or empty on create, refused when emptied on update. (Accounts and
/// contacts have no defaults: theirs is `record_fields::required`.)
fn required_or_default<T: Clone>(
    raw: Option<String>,
    current: Option<&T>,
    default: impl FnOnce() -> Checked<T>,
    validate: impl FnOnce(String) -> Checked<T>,
) -> Checked<T> {
    match (clean(raw, false)?, current) {
        (None, Some(current)) => Ok(current.clone()),
        (None, None) => default(),
        (Some(value), Some(_)) if value.is_empty() => Err("error-required"),
        (Some(value), None) if value.is_empty() => default(),
        (Some(value), _) => validate(value),
    }
}

fn close_date(value: String) -> Checked<Date> {
    let date = parse_date(&value).ok_or("error-date-invalid")?;
    if (CLOSE_DATE_MIN..=CLOSE_DATE_MAX).contains(&date) {
        Ok(date)
    } else {
        Err("error-close-date-range")
    }
}

/// `35` or `35 %`: a whole percentage, 0–100.
fn probability(value: &str) -> Checked<i32> {
    let number = value.trim().trim_end_matches('%').trim_end();
    let parsed: i64 = number.parse().map_err(|_| "error-probability-invalid")?;
    if (0..=100).contains(&parsed) {
        i32::try_from(parsed).map_err(|_| "error-probability-range")
    } else {
        Err("error-probability-range")
    }
}

impl OpportunityInput {
    /// All problems at once, keyed by field name, as message-catalogue keys.
    ///
    /// `current` is the opportunity being edited, `None` when creating one.
    /// Every value is trimmed; control characters are refused everywhere
    /// except newlines and tabs in the description.
    ///
    /// The probability follows the stage: a new deal without one takes its
    /// stage's; moving a deal to another stage without changing the
    /// probability (sent unchanged or not at all) takes the new stage's; a
    /// won stage is always 100 and a lost one 0. Changing the currency of an
    /// amount left as it was keeps the amount in major units (12,500.50 EUR
    /// becomes 12,500.50 DKK), and is refused when the new currency cannot
    /// hold its decimals.
    pub fn parse(
        self,
        current: Option<&OpportunityFields>,
        cx: ParseContext<'_>,
    ) -> Result<OpportunityFields, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;

        let name = required_or_default(
            self.name,
            current.map(|c| &c.name),
            || Err("error-required"),
            at_most(OpportunityFields::NAME_MAX),
        );
        let name = record(e, "name", name);

        let current_stage = current.map(|c| c.stage.as_str());
        let stage = required_or_default(
            self.stage,
            current.map(|c| &c.stage),
            || {
                initial_stage(cx.stages)
                    .map(|s| s.key.clone())
                    .ok_or("error-stage-unknown")
            },
            |value| {
                // Saving unchanged is always fine, even in a stage since removed.
                if let Some(kept) = current_stage.filter(|k| k.eq_ignore_ascii_case(&value)) {
                    return Ok(kept.to_owned());
                }
                find_stage(cx.stages, &value)
                    .map(|s| s.key.clone())
                    .ok_or("error-stage-unknown")
            },
        );
        let stage = record(e, "stage", stage);

        let currency = required_or_default(
            self.currency,
            current.map(|c| &c.currency),
            || Ok(cx.default_currency),
            |value| Currency::parse(&value).ok_or("error-currency-unknown"),
        );
        let currency = record(e, "currency", currency);

        // The amount is read in the currency it is for; with an unknown
        // currency only the currency is reported.
        let amount = match currency {
            Some(currency) => {
                // Left out on update: the amount as it was, in the new currency.
                let kept = current.map(|c| {
                    c.amount_minor
                        .map(|minor| rescale(minor, c.currency, currency))
                        .transpose()
                });
                let amount = match (clean(self.amount, false), kept) {
                    (Err(key), _) => Err(key),
                    (Ok(None), Some(kept)) => kept,
                    (Ok(None), None) => Ok(None),
                    (Ok(Some(value)), _) if value.is_empty() => Ok(None),
                    (Ok(Some(value)), _) => parse_amount(&value, currency, cx.locale).map(Some),
                };
                record(e, "amount", amount)
            }
            None => None,
        };

        let close = required_or_default(
            self.close_date,
            current.map(|c| &c.close_date),
            || Err("error-required"),
            close_date,
        );
        let close_date = record(e, "close_date", close);

        let sent = match clean(self.probability, false) {
            Ok(Some(value)) if value.is_empty() => Ok(None),
            Ok(Some(value)) => probability(&value).map(Some),
            Ok(None) => Ok(None),
            Err(key) => Err(key),
        };
        let sent = record(e, "probability", sent);
        let probability = match (&stage, sent) {
            (Some(stage_key), Some(sent)) => {
                let stage = cx.stages.iter().find(|s| &s.key == stage_key);
                let moved = current.is_some_and(|c| &c.stage != stage_key);
                let untouched = match (sent, current) {
                    (None, _) => true,
                    (Some(p), Some(c)) => p == c.probability,
                    (Some(_), None) => false,
                };
                match (stage, sent) {
                    (Some(s), _) if s.outcome.fixed_probability().is_some() => {
                        s.outcome.fixed_probability()
                    }
                    (Some(s), _) if moved && untouched => Some(s.probability),
                    (_, Some(p)) => Some(p),
                    (Some(s), None) if current.is_none() => Some(s.probability),
                    (_, None) => current.map(|c| c.probability).or(Some(0)),
                }
            }
            _ => None,
        };

        let next_step = optional(
            self.next_step,
            false,
            current.map(|c| &c.next_step),
            at_most(OpportunityFields::NEXT_STEP_MAX),
        );
        let next_step = record(e, "next_step", next_step);
        let description = optional(
            self.description,
            true,
            current.map(|c| &c.description),
            at_most(OpportunityFields::DESCRIPTION_MAX),
        );
        let description = record(e, "description", description);

        match (
            name,
            stage,
            amount,
            currency,
            close_date,
            probability,
            next_step,
            description,
        ) {
            (
                Some(name),
                Some(stage),
                Some(amount_minor),
                Some(currency),
                Some(close_date),
                Some(probability),
                Some(next_step),
                Some(description),
            ) if errors.is_empty() => Ok(OpportunityFields {
                name,
                stage,
                amount_minor,
                currency,
                close_date,
                probability,
                next_step,
                description,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// The same amount in major units, in another currency's minor units.
fn rescale(minor: i64, from: Currency, to: Currency) -> Checked<i64> {
    let (from_digits, to_digits) = (from.minor_digits(), to.minor_digits());
    let value = if to_digits >= from_digits {
        minor.checked_mul(10_i64.pow(u32::from(to_digits - from_digits)))
    } else {
        let factor = 10_i64.pow(u32::from(from_digits - to_digits));
        if minor % factor != 0 {
            return Err("error-amount-too-precise");
        }
        Some(minor / factor)
    };
    let value = value.ok_or("error-amount-too-large")?;
    Money::new(value, to).map(|m| m.minor)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::opportunity_stages::default_stages;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as ValueError, MapDeserializer};
    use time::macros::date;

    fn input(pairs: &[(&str, &str)]) -> OpportunityInput {
        let mut input = OpportunityInput::default();
        for (field, value) in pairs {
            let value = Some((*value).to_owned());
            match *field {
                "name" => input.name = value,
                "stage" => input.stage = value,
                "amount" => input.amount = value,
                "currency" => input.currency = value,
                "close_date" => input.close_date = value,
                "probability" => input.probability = value,
                "next_step" => input.next_step = value,
                "description" => input.description = value,
                other => panic!("no field {other}"),
            }
        }
        input
    }

    fn cx(stages: &[OpportunityStage], locale: Locale) -> ParseContext<'_> {
        ParseContext {
            stages,
            default_currency: Currency::DKK,
            locale,
        }
    }

    fn create(pairs: &[(&str, &str)]) -> Result<OpportunityFields, DomainError> {
        let stages = default_stages();
        input(pairs).parse(None, cx(&stages, Locale::English))
    }

    fn update(
        current: &OpportunityFields,
        pairs: &[(&str, &str)],
    ) -> Result<OpportunityFields, DomainError> {
        let stages = default_stages();
        input(pairs).parse(Some(current), cx(&stages, Locale::English))
    }

    fn errors_of(result: Result<OpportunityFields, DomainError>) -> Vec<(String, String)> {
        match result {
            Err(DomainError::Validation(errors)) => errors.0.into_iter().collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    fn error_of(result: Result<OpportunityFields, DomainError>, field: &str) -> String {
        errors_of(result)
            .into_iter()
            .find(|(f, _)| f == field)
            .map(|(_, key)| key)
            .unwrap_or_else(|| panic!("no error for {field}"))
    }

    fn minimal(extra: &[(&str, &str)]) -> Result<OpportunityFields, DomainError> {
        let mut pairs = vec![("name", "Nordlys – 40 seats"), ("close_date", "2026-06-30")];
        pairs.extend_from_slice(extra);
        create(&pairs)
    }

    fn full() -> OpportunityFields {
        minimal(&[
            ("stage", "proposal"),
            ("amount", "12,500.50"),
            ("currency", "eur"),
            ("probability", "55"),
            ("next_step", "Send the revised quote"),
            ("description", "Two sites.\r\nRollout in Q3."),
        ])
        .unwrap()
    }

    #[test]
    fn create_fills_in_defaults() {
        let o = minimal(&[]).unwrap();
        assert_eq!(o.name, "Nordlys – 40 seats");
        assert_eq!(o.stage, "prospecting");
        assert_eq!(o.probability, 10);
        assert_eq!(o.currency, Currency::DKK);
        assert_eq!(o.amount_minor, None);
        assert_eq!(o.close_date, date!(2026 - 06 - 30));
        assert_eq!(o.next_step, None);
        let o = minimal(&[
            ("stage", "Needs Analysis"),
            ("probability", ""),
            ("amount", " "),
        ])
        .unwrap();
        assert_eq!(o.stage, "needs_analysis");
        assert_eq!(o.probability, 35);
        assert_eq!(o.amount_minor, None);
    }

    #[test]
    fn normalises_every_field() {
        let o = full();
        assert_eq!(o.stage, "proposal");
        assert_eq!(o.currency, Currency::EUR);
        assert_eq!(o.amount_minor, Some(1_250_050));
        assert_eq!(o.probability, 55);
        assert_eq!(o.description.as_deref(), Some("Two sites.\nRollout in Q3."));
        let da = default_stages();
        let o = input(&[
            ("name", "Blåbær"),
            ("close_date", " 2030-01-02 "),
            ("amount", "12.500,50"),
            ("stage", "Forhandling"),
            ("probability", "85 %"),
        ])
        .parse(None, cx(&da, Locale::Danish))
        .unwrap();
        assert_eq!(o.amount_minor, Some(1_250_050));
        assert_eq!(o.stage, "negotiation");
        assert_eq!(o.probability, 85);
    }

    #[test]
    fn required_fields_must_be_present_on_create() {
        assert_eq!(
            errors_of(create(&[])),
            [
                ("close_date".to_owned(), "error-required".to_owned()),
                ("name".to_owned(), "error-required".to_owned()),
            ]
        );
    }

    #[test]
    fn rejects_each_kind_of_bad_value() {
        for (field, value, key) in [
            ("amount", "-100", "error-amount-negative"),
            ("amount", "1000000000000", "error-amount-too-large"),
            ("amount", "ten thousand", "error-amount-invalid"),
            ("amount", "1.005", "error-amount-too-precise"),
            ("currency", "XYZ", "error-currency-unknown"),
            ("currency", "kroner", "error-currency-unknown"),
            ("stage", "won", "error-stage-unknown"),
            ("close_date", "1999-12-31", "error-close-date-range"),
            ("close_date", "2100-01-01", "error-close-date-range"),
            ("close_date", "30/06/2026", "error-date-invalid"),
            ("close_date", "2026-02-30", "error-date-invalid"),
            ("probability", "101", "error-probability-range"),
            ("probability", "-1", "error-probability-range"),
            ("probability", "fifty", "error-probability-invalid"),
            (
                "probability",
                "99999999999999999999",
                "error-probability-invalid",
            ),
            ("name", &"x".repeat(121), "error-too-long"),
            ("next_step", &"x".repeat(256), "error-too-long"),
            ("description", &"x".repeat(4001), "error-too-long"),
            ("name", "a\u{7}b", "error-invalid-characters"),
            ("next_step", "a\nb", "error-invalid-characters"),
            ("amount", "1\u{0}0", "error-invalid-characters"),
        ] {
            assert_eq!(
                error_of(minimal(&[(field, value)]), field),
                key,
                "{field}={value:?}"
            );
        }
        // With an unknown currency the amount is not judged.
        let errors = errors_of(minimal(&[("currency", "XYZ"), ("amount", "1.005")]));
        assert_eq!(
            errors,
            [("currency".to_owned(), "error-currency-unknown".to_owned())]
        );
        assert!(minimal(&[("close_date", "2000-01-01")]).is_ok());
        assert!(minimal(&[("close_date", "2099-12-31")]).is_ok());
        assert!(minimal(&[("currency", "ISK"), ("amount", "1.5")]).is_err());
    }

    #[test]
    fn update_keeps_missing_fields_and_clears_empty_ones() {
        let current = full();
        assert_eq!(update(&current, &[]).unwrap(), current);
        let updated = update(
            &current,
            &[("next_step", ""), ("amount", ""), ("description", "  ")],
        )
        .unwrap();
        assert_eq!(updated.next_step, None);
        assert_eq!(updated.amount_minor, None);
        assert_eq!(updated.description, None);
        assert_eq!(updated.probability, current.probability);
        let errors = errors_of(update(
            &current,
            &[
                ("name", ""),
                ("stage", " "),
                ("currency", ""),
                ("close_date", ""),
            ],
        ));
        assert_eq!(errors.len(), 4);
        assert!(
            errors.iter().all(|(_, k)| k == "error-required"),
            "{errors:?}"
        );
    }

    #[test]
    fn probability_follows_the_stage_unless_chosen() {
        let current = full(); // proposal at 55
        let moved = update(&current, &[("stage", "negotiation")]).unwrap();
        assert_eq!(moved.probability, 80);
        // The form sends the old probability back unchanged: it still follows.
        let moved = update(&current, &[("stage", "negotiation"), ("probability", "55")]).unwrap();
        assert_eq!(moved.probability, 80);
        let chosen = update(&current, &[("stage", "negotiation"), ("probability", "70")]).unwrap();
        assert_eq!(chosen.probability, 70);
        let same_stage = update(&current, &[("probability", "65")]).unwrap();
        assert_eq!(same_stage.probability, 65);
        let won = update(&current, &[("stage", "closed_won"), ("probability", "70")]).unwrap();
        assert_eq!(won.probability, 100);
        let lost = update(&current, &[("stage", "Closed Lost")]).unwrap();
        assert_eq!(lost.probability, 0);
        let new_won = minimal(&[("stage", "closed_won"), ("probability", "5")]).unwrap();
        assert_eq!(new_won.probability, 100);
    }

    #[test]
    fn a_stage_since_removed_can_be_kept() {
        let mut current = full();
        current.stage = "on_hold".into();
        assert_eq!(
            update(&current, &[("stage", "on_hold")]).unwrap().stage,
            "on_hold"
        );
        assert_eq!(
            error_of(minimal(&[("stage", "on_hold")]), "stage"),
            "error-stage-unknown"
        );
    }

    #[test]
    fn changing_the_currency_keeps_the_amount_in_major_units() {
        let current = full(); // 12,500.50 EUR
        let dkk = update(&current, &[("currency", "DKK")]).unwrap();
        assert_eq!(dkk.amount_minor, Some(1_250_050));
        assert_eq!(
            error_of(update(&current, &[("currency", "ISK")]), "amount"),
            "error-amount-too-precise"
        );
        let isk = update(&current, &[("currency", "ISK"), ("amount", "1500000")]).unwrap();
        assert_eq!(isk.amount_minor, Some(1_500_000));
        let mut whole = current.clone();
        whole.amount_minor = Some(1_250_000);
        let isk = update(&whole, &[("currency", "ISK")]).unwrap();
        assert_eq!(isk.amount_minor, Some(12_500));
        let back = update(&isk, &[("currency", "EUR")]).unwrap();
        assert_eq!(back.amount_minor, Some(1_250_000));
    }

    #[test]
    fn edit_form_prefill_parses_back_to_the_same_opportunity() {
        let o = full();
        let stages = default_stages();
        for locale in [Locale::English, Locale::Danish] {
            let form = OpportunityInput::from_fields(&o, locale);
            let again = form.clone().parse(Some(&o), cx(&stages, locale)).unwrap();
            assert_eq!(again, o, "{locale:?}");
            let fresh = form.parse(None, cx(&stages, locale)).unwrap();
            assert_eq!(fresh, o, "{locale:?}");
        }
    }

    #[test]
    fn json_null_clears_numbers_are_whole_and_absence_keeps() {
        // serde's value deserializers cover each shape separately.
        let map = MapDeserializer::<_, ValueError>::new(
            [("next_step", ()), ("amount", ())]
                .into_iter()
                .map(|(k, v)| (k.into_deserializer(), v.into_deserializer())),
        );
        let parsed = OpportunityInput::deserialize(map).unwrap();
        assert_eq!(parsed.next_step.as_deref(), Some(""));
        assert_eq!(parsed.amount.as_deref(), Some(""));
        assert_eq!(parsed.name, None);
        let map = MapDeserializer::<_, ValueError>::new(
            [("amount", 12500_i64), ("probability", 40)]
                .into_iter()
                .map(|(k, v)| (k.into_deserializer(), v.into_deserializer())),
        );
        let parsed = OpportunityInput::deserialize(map).unwrap();
        assert_eq!(parsed.amount.as_deref(), Some("12500"));
        assert_eq!(parsed.probability.as_deref(), Some("40"));
        let map = MapDeserializer::<_, ValueError>::new(
            [("amount", 12500.5_f64)]
                .into_iter()
                .map(|(k, v)| (k.into_deserializer(), v.into_deserializer())),
        );
        let refused = OpportunityInput::deserialize(map);
        assert!(refused.is_err_and(|e| e.to_string().contains("not exact")));
    }

    #[test]
    fn changes_list_only_changed_fields_in_form_order() {
        let old = full();
        assert!(changes(&old, &old).is_empty());
        let new = update(
            &old,
            &[
                ("stage", "negotiation"),
                ("amount", "13000"),
                ("next_step", ""),
            ],
        )
        .unwrap();
        assert_eq!(
            changes(&old, &new),
            [
                (
                    "stage",
                    Some("proposal".to_owned()),
                    Some("negotiation".to_owned())
                ),
                (
                    "amount",
                    Some("12500.50 EUR".to_owned()),
                    Some("13000.00 EUR".to_owned())
                ),
                ("probability", Some("55".to_owned()), Some("80".to_owned())),
                ("next_step", Some("Send the revised quote".to_owned()), None),
            ]
        );
        assert_eq!(
            format_amount_text("12500.50 EUR", Locale::Danish).as_deref(),
            Some("12.500,50 EUR")
        );
        assert_eq!(format_amount_text("garbage", Locale::Danish), None);
    }
}
