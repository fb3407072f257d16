//! Money, exactly: an amount in integer minor units (øre, cents) and its ISO 4217
//! currency. Never a float, on the way in, in storage or on the way out.
//!
//! People type amounts as they write them. [`parse_amount`] accepts:
//!
//! - plain digits, with or without decimals: `12500`, `12500.5`, `12500,50`;
//! - thousands grouped by `,` `.` space or `'`, in groups of exactly three:
//!   `12,500.50` (English), `12.500,50` (Danish), `12 500,50`, `12'500.50`;
//! - when one separator appears once and three digits follow it (`12.500`,
//!   `12,500`), it is read the way the user's language writes thousands: in
//!   English `,` groups and `.` is the decimal point, in Danish the reverse.
//!   Any other count of digits after a single separator makes it the decimal
//!   separator, whatever the language (`12,5` and `12.50` are twelve and a half).
//!
//! Anything else is refused with a field error, never guessed: a sign, a
//! currency symbol, more decimals than the currency has (`9.999` DKK, `100.5`
//! ISK), groups of the wrong size, or more than [`MAX_MAJOR_UNITS`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Locale;

/// The largest amount, in major units (kroner, euros): just under a trillion.
/// No partner deal comes near it; anything above is a typing mistake.
pub const MAX_MAJOR_UNITS: i64 = 999_999_999_999;

/// A currency of the allow-list, with the digits of its minor unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    digits: u8,
}

impl Currency {
    /// The currencies an opportunity may be in (ISO 4217, minor-unit digits as
    /// the standard gives them).
    pub const ALL: [Currency; 16] = [
        Currency::new("EUR", 2),
        Currency::new("DKK", 2),
        Currency::new("SEK", 2),
        Currency::new("NOK", 2),
        Currency::new("ISK", 0),
        Currency::new("USD", 2),
        Currency::new("GBP", 2),
        Currency::new("CHF", 2),
        Currency::new("PLN", 2),
        Currency::new("CZK", 2),
        Currency::new("HUF", 2),
        Currency::new("JPY", 0),
        Currency::new("CAD", 2),
        Currency::new("AUD", 2),
        Currency::new("NZD", 2),
        Currency::new("CNY", 2),
    ];

    pub const EUR: Currency = Currency::new("EUR", 2);
    pub const DKK: Currency = Currency::new("DKK", 2);

    const fn new(code: &'static str, digits: u8) -> Currency {
        Currency { code, digits }
    }

    /// A known code, in any case, surrounding space ignored.
    pub fn parse(input: &str) -> Option<Currency> {
        let input = input.trim();
        Currency::ALL
            .into_iter()
            .find(|c| c.code.eq_ignore_ascii_case(input))
    }

    /// The ISO 4217 code: `DKK`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// Digits after the decimal separator: 2 for DKK, 0 for ISK and JPY.
    pub fn minor_digits(self) -> u8 {
        self.digits
    }

    /// Minor units in one major unit: 100 for DKK, 1 for ISK.
    pub fn minor_per_major(self) -> i64 {
        10_i64.pow(u32::from(self.digits))
    }

    /// The largest amount in minor units.
    pub fn max_minor(self) -> i64 {
        (MAX_MAJOR_UNITS + 1) * self.minor_per_major() - 1
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Currency::parse(&code)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown currency {code:?}")))
    }
}

/// An exact amount of one currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// In minor units: øre for DKK, whole krónur for ISK.
    pub minor: i64,
    pub currency: Currency,
}

impl Money {
    /// Refuses negative amounts and amounts above the ceiling.
    pub fn new(minor: i64, currency: Currency) -> Result<Money, &'static str> {
        if minor < 0 {
            Err("error-amount-negative")
        } else if minor > currency.max_minor() {
            Err("error-amount-too-large")
        } else {
            Ok(Money { minor, currency })
        }
    }

    /// Parses what a user typed (see the module's rules).
    pub fn parse(input: &str, currency: Currency, locale: Locale) -> Result<Money, &'static str> {
        parse_amount(input, currency, locale).map(|minor| Money { minor, currency })
    }

    /// Plain decimal text with a `.` and every minor digit, no grouping: `12500.50`,
    /// `12500` for ISK. What the API and the timeline carry.
    pub fn decimal(&self) -> String {
        self.digits_with('.', None)
    }

    /// For a form field in the user's language: no grouping, the language's
    /// decimal separator (`12500,50` in Danish). Parses back to the same amount.
    pub fn for_input(&self, locale: Locale) -> String {
        self.digits_with(decimal_separator(locale), None)
    }

    /// For reading: grouped in the language's way, with the code:
    /// `DKK 12,500.50` in English, `12.500,50 DKK` in Danish.
    pub fn format(&self, locale: Locale) -> String {
        let number = self.format_number(locale);
        match locale {
            Locale::English => format!("{} {number}", self.currency.code),
            Locale::Danish => format!("{number} {}", self.currency.code),
        }
    }

    /// The grouped number alone: `12,500.50` or `12.500,50`.
    pub fn format_number(&self, locale: Locale) -> String {
        self.digits_with(decimal_separator(locale), Some(group_separator(locale)))
    }

    fn digits_with(&self, decimal: char, group: Option<char>) -> String {
        let per = self.currency.minor_per_major();
        let major = self.minor.unsigned_abs() / per.unsigned_abs();
        let fraction = self.minor.unsigned_abs() % per.unsigned_abs();
        let mut text = String::new();
        if self.minor < 0 {
            text.push('-');
        }
        let whole = major.to_string();
        match group {
            Some(sep) => {
                for (i, c) in whole.chars().enumerate() {
                    if i > 0 && (whole.len() - i).is_multiple_of(3) {
                        text.push(sep);
                    }
                    text.push(c);
                }
            }
            None => text.push_str(&whole),
        }
        if self.currency.digits > 0 {
            text.push(decimal);
            text.push_str(&format!(
                "{fraction:0width$}",
                width = usize::from(self.currency.digits)
            ));
        }
        text
    }
}

fn decimal_separator(locale: Locale) -> char {
    match locale {
        Locale::English => '.',
        Locale::Danish => ',',
    }
}

fn group_separator(locale: Locale) -> char {
    match locale {
        Locale::English => ',',
        Locale::Danish => '.',
    }
}

/// An amount as typed, in minor units of `currency` (see the module's rules).
/// Errors are message keys: `error-amount-invalid`, `error-amount-negative`,
/// `error-amount-too-precise`, `error-amount-too-large`.
pub fn parse_amount(input: &str, currency: Currency, locale: Locale) -> Result<i64, &'static str> {
    const INVALID: &str = "error-amount-invalid";
    let text = input.trim();
    if text.starts_with(['-', '−', '(']) {
        return Err("error-amount-negative");
    }
    if text.is_empty() || text.chars().count() > 40 {
        return Err(INVALID);
    }
    // Spaces (also no-break ones) and apostrophes only ever group thousands.
    let is_space = |c: char| c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\'';
    let marks: Vec<(usize, char)> = text
        .char_indices()
        .filter(|(_, c)| matches!(c, '.' | ',') || is_space(*c))
        .collect();
    if text
        .chars()
        .any(|c| !c.is_ascii_digit() && !matches!(c, '.' | ',') && !is_space(c))
    {
        return Err(INVALID);
    }
    // Which character, if any, separates the decimals.
    let decimal: Option<char> = {
        let dots = text.matches('.').count();
        let commas = text.matches(',').count();
        let last_point = marks
            .iter()
            .rev()
            .find(|(_, c)| matches!(c, '.' | ','))
            .map(|(at, c)| (*at, *c));
        match (dots, commas, last_point) {
            (0, 0, _) | (_, _, None) => None,
            // Both kinds: the last one is the decimal separator.
            (d, c, Some((_, last))) if d > 0 && c > 0 => Some(last),
            // One kind, several times: thousands.
            (d, c, _) if d + c > 1 => None,
            (_, _, Some((at, mark))) => {
                let after = text[at + mark.len_utf8()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .count();
                let groups_in_language = group_separator(locale) == mark;
                if after == 3 && groups_in_language {
                    None
                } else {
                    Some(mark)
                }
            }
        }
    };
    let (whole, fraction) = match decimal {
        Some(mark) => {
            let at = text.rfind(mark).ok_or(INVALID)?;
            (&text[..at], &text[at + mark.len_utf8()..])
        }
        None => (text, ""),
    };
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return Err(INVALID);
    }
    let digits = grouped_digits(whole).ok_or(INVALID)?;
    if digits.is_empty() && fraction.is_empty() {
        return Err(INVALID);
    }
    // Trailing zeros say nothing: 100.50 DKK and 100.500 DKK are the same amount.
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > usize::from(currency.digits) {
        return Err("error-amount-too-precise");
    }
    let digits = digits.trim_start_matches('0');
    // More than twelve digits of major units is above the ceiling whatever they say.
    if digits.len() > 12 {
        return Err("error-amount-too-large");
    }
    let major: i64 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| INVALID)?
    };
    let padded = format!("{fraction:0<width$}", width = usize::from(currency.digits));
    let minor_part: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| INVALID)?
    };
    let minor = major
        .checked_mul(currency.minor_per_major())
        .and_then(|m| m.checked_add(minor_part))
        .ok_or("error-amount-too-large")?;
    Money::new(minor, currency).map(|m| m.minor)
}

/// The digits of a whole part, its group separators checked and removed: the
/// first group has one to three digits and every later one exactly three,
/// all separated by one and the same character.
fn grouped_digits(whole: &str) -> Option<String> {
    let separators: Vec<char> = whole.chars().filter(|c| !c.is_ascii_digit()).collect();
    if separators.is_empty() {
        return Some(whole.to_owned());
    }
    if separators.iter().any(|c| *c != separators[0]) {
        return None;
    }
    let groups: Vec<&str> = whole.split(separators[0]).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    (first_ok && rest_ok).then(|| groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn en(input: &str) -> Result<i64, &'static str> {
        parse_amount(input, Currency::DKK, Locale::English)
    }

    fn da(input: &str) -> Result<i64, &'static str> {
        parse_amount(input, Currency::DKK, Locale::Danish)
    }

    #[test]
    fn currencies_are_an_allow_list_with_their_minor_digits() {
        assert_eq!(Currency::parse(" dkk "), Some(Currency::DKK));
        assert_eq!(Currency::parse("ISK").map(Currency::minor_digits), Some(0));
        assert_eq!(Currency::parse("JPY").map(Currency::minor_digits), Some(0));
        assert_eq!(
            Currency::parse("EUR").map(Currency::minor_per_major),
            Some(100)
        );
        for bad in ["", "XXX", "DK", "DKKK", "kr.", "€"] {
            assert_eq!(Currency::parse(bad), None, "{bad:?}");
        }
        for required in [
            "EUR", "DKK", "SEK", "NOK", "ISK", "USD", "GBP", "CHF", "PLN", "JPY",
        ] {
            assert!(Currency::parse(required).is_some(), "{required}");
        }
    }

    #[test]
    fn plain_and_grouped_amounts_in_both_languages() {
        assert_eq!(en("12500"), Ok(1_250_000));
        assert_eq!(en("12,500.50"), Ok(1_250_050));
        assert_eq!(da("12.500,50"), Ok(1_250_050));
        assert_eq!(en("12 500.5"), Ok(1_250_050));
        assert_eq!(da("12 500,5"), Ok(1_250_050));
        assert_eq!(en("1'250'000"), Ok(125_000_000));
        assert_eq!(en("1,250,000"), Ok(125_000_000));
        assert_eq!(da("1.250.000"), Ok(125_000_000));
        assert_eq!(en("0.05"), Ok(5));
        assert_eq!(en(".5"), Ok(50));
        assert_eq!(en("0"), Ok(0));
        assert_eq!(en("  42  "), Ok(4200));
        // Both separators: the last one is the decimal one, in any language.
        assert_eq!(da("12,500.50"), Ok(1_250_050));
        assert_eq!(en("12.500,50"), Ok(1_250_050));
    }

    #[test]
    fn a_lone_separator_before_three_digits_follows_the_language() {
        assert_eq!(en("12,500"), Ok(1_250_000));
        assert_eq!(en("12.500"), Ok(1_250));
        assert_eq!(da("12.500"), Ok(1_250_000));
        assert_eq!(da("12,500"), Ok(1_250));
        // Not three digits: always decimals.
        assert_eq!(en("12,5"), Ok(1_250));
        assert_eq!(da("12.50"), Ok(1_250));
    }

    #[test]
    fn refuses_what_it_would_have_to_guess() {
        for (input, key) in [
            ("", "error-amount-invalid"),
            ("   ", "error-amount-invalid"),
            ("abc", "error-amount-invalid"),
            ("12,50,0", "error-amount-invalid"),
            ("1,23,456", "error-amount-invalid"),
            ("1,2345", "error-amount-too-precise"),
            ("12 5", "error-amount-invalid"),
            ("1.000,000.5", "error-amount-invalid"),
            ("DKK 100", "error-amount-invalid"),
            ("100 kr.", "error-amount-invalid"),
            ("1e6", "error-amount-invalid"),
            ("+5", "error-amount-invalid"),
            (".", "error-amount-invalid"),
            ("12.5.", "error-amount-invalid"),
            ("-5", "error-amount-negative"),
            ("−5", "error-amount-negative"),
            ("(5)", "error-amount-negative"),
            ("9.999", "error-amount-too-precise"),
            ("1000000000000", "error-amount-too-large"),
            ("99999999999999999999999999", "error-amount-too-large"),
        ] {
            assert_eq!(en(input), Err(key), "{input:?}");
        }
        // 9.999 reads as thousands in Danish: 9 999 kroner.
        assert_eq!(da("9.999"), Ok(999_900));
        assert_eq!(en("999,999,999,999.99"), Ok(99_999_999_999_999));
        assert_eq!(en("100.50"), Ok(10_050));
        assert_eq!(
            en("100.500"),
            Ok(10_050),
            "trailing zeros are no extra precision"
        );
        let isk = |s| {
            parse_amount(
                s,
                Currency::parse("ISK").unwrap_or(Currency::EUR),
                Locale::English,
            )
        };
        assert_eq!(isk("150000"), Ok(150_000));
        assert_eq!(isk("150000.5"), Err("error-amount-too-precise"));
        assert_eq!(isk("150,000"), Ok(150_000));
        assert_eq!(isk("999999999999"), Ok(999_999_999_999));
    }

    #[test]
    fn formats_per_language_with_the_code() {
        let m = Money::new(1_250_050, Currency::DKK).unwrap();
        assert_eq!(m.format(Locale::English), "DKK 12,500.50");
        assert_eq!(m.format(Locale::Danish), "12.500,50 DKK");
        assert_eq!(m.decimal(), "12500.50");
        assert_eq!(m.for_input(Locale::Danish), "12500,50");
        let isk = Money::new(1_500_000, Currency::parse("ISK").unwrap()).unwrap();
        assert_eq!(isk.format(Locale::English), "ISK 1,500,000");
        assert_eq!(isk.decimal(), "1500000");
        let small = Money::new(5, Currency::EUR).unwrap();
        assert_eq!(small.format(Locale::Danish), "0,05 EUR");
        assert_eq!(Money::new(-1, Currency::EUR), Err("error-amount-negative"));
        assert_eq!(
            Money::new(Currency::EUR.max_minor() + 1, Currency::EUR),
            Err("error-amount-too-large")
        );
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        (0..Currency::ALL.len()).prop_map(|i| Currency::ALL[i])
    }

    fn any_locale() -> impl Strategy<Value = Locale> {
        prop_oneof![Just(Locale::English), Just(Locale::Danish)]
    }

    proptest! {
        #[test]
        fn every_amount_survives_formatting_and_parsing(
            major in 0..=MAX_MAJOR_UNITS,
            fraction in 0_i64..100,
            currency in any_currency(),
            locale in any_locale(),
            other in any_locale(),
        ) {
            let minor = major * currency.minor_per_major() + fraction % currency.minor_per_major();
            let money = Money::new(minor, currency).unwrap();
            // What the page shows and the form holds read back the same.
            prop_assert_eq!(parse_amount(&money.format_number(locale), currency, locale), Ok(minor));
            prop_assert_eq!(parse_amount(&money.for_input(locale), currency, locale), Ok(minor));
            // The API's plain decimal reads the same in either language when it has decimals.
            if currency.minor_digits() > 0 {
                prop_assert_eq!(parse_amount(&money.decimal(), currency, other), Ok(minor));
            }
        }

        #[test]
        fn parsing_never_panics_and_never_goes_negative_or_over(input in "\\PC{0,30}", currency in any_currency(), locale in any_locale()) {
            if let Ok(minor) = parse_amount(&input, currency, locale) {
                prop_assert!(minor >= 0 && minor <= currency.max_minor());
            }
        }
    }
}
