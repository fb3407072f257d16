//! A lead's own fields (spec §2 flow 7): parsed once, from a form, a JSON body or an
//! import row, into values that cannot be bad, and compared for the timeline.
//!
//! Who owns a lead, its queue and its version live with the store; this module only
//! knows what a lead says about the person and company behind it.

use serde::{Deserialize, Deserializer, Serialize};

use crate::{DomainError, EmailAddress, FieldErrors, Locale};

/// `trade_show`, `Trade Show` and `trade-show` all name the same thing.
fn loose_key(input: &str) -> String {
    input
        .trim()
        .chars()
        .map(|c| {
            if c == '-' || c.is_whitespace() {
                '_'
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// Where a lead came from.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    TradeShow,
    Web,
    Partner,
    Import,
    Referral,
    Event,
    #[default]
    Other,
}

impl LeadSource {
    pub const ALL: [LeadSource; 7] = [
        LeadSource::TradeShow,
        LeadSource::Web,
        LeadSource::Partner,
        LeadSource::Import,
        LeadSource::Referral,
        LeadSource::Event,
        LeadSource::Other,
    ];

    /// The stable name used in the database, the API and import files.
    pub fn as_str(self) -> &'static str {
        match self {
            LeadSource::TradeShow => "trade_show",
            LeadSource::Web => "web",
            LeadSource::Partner => "partner",
            LeadSource::Import => "import",
            LeadSource::Referral => "referral",
            LeadSource::Event => "event",
            LeadSource::Other => "other",
        }
    }

    /// Any case; `-` or a space may stand for `_`.
    pub fn parse(s: &str) -> Option<LeadSource> {
        let key = loose_key(s);
        LeadSource::ALL.into_iter().find(|v| v.as_str() == key)
    }
}

impl std::fmt::Display for LeadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How promising a lead is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    Hot,
    Warm,
    Cold,
}

impl Rating {
    pub const ALL: [Rating; 3] = [Rating::Hot, Rating::Warm, Rating::Cold];

    pub fn as_str(self) -> &'static str {
        match self {
            Rating::Hot => "hot",
            Rating::Warm => "warm",
            Rating::Cold => "cold",
        }
    }

    /// Any case, surrounding space ignored.
    pub fn parse(s: &str) -> Option<Rating> {
        let key = loose_key(s);
        Rating::ALL.into_iter().find(|v| v.as_str() == key)
    }
}

impl std::fmt::Display for Rating {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A status of the admin-editable picklist. Keys are stable slugs; labels are per language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeadStatus {
    pub key: String,
    pub label_en: String,
    pub label_da: String,
    /// No longer counts as open (claim limits count open leads only).
    pub closed: bool,
    /// The one status conversion sets; not selectable by hand.
    pub converted: bool,
    /// A lead in this status may be converted (spec flow 8).
    #[serde(default)]
    pub qualified: bool,
    /// Order in pickers and lists, smallest first.
    pub position: i32,
}

impl LeadStatus {
    pub fn label(&self, locale: Locale) -> &str {
        match locale {
            Locale::English => &self.label_en,
            Locale::Danish => &self.label_da,
        }
    }

    /// Still being worked: neither closed nor converted.
    pub fn is_open(&self) -> bool {
        !self.closed && !self.converted
    }

    /// May be chosen in a form or sent over the API; only conversion sets the other one.
    pub fn is_selectable(&self) -> bool {
        !self.converted
    }
}

/// The picklist a new installation starts with.
pub fn default_statuses() -> Vec<LeadStatus> {
    let status = |key: &str, en: &str, da: &str, closed, converted, position| LeadStatus {
        key: key.to_owned(),
        label_en: en.to_owned(),
        label_da: da.to_owned(),
        closed,
        converted,
        qualified: key == "qualified",
        position,
    };
    vec![
        status(
            "open_not_contacted",
            "Open – Not Contacted",
            "Åben – ikke kontaktet",
            false,
            false,
            10,
        ),
        status(
            "working_contacted",
            "Working – Contacted",
            "I gang – kontaktet",
            false,
            false,
            20,
        ),
        status("qualified", "Qualified", "Kvalificeret", false, false, 30),
        status(
            "unqualified",
            "Unqualified",
            "Ikke kvalificeret",
            true,
            false,
            40,
        ),
        status("converted", "Converted", "Konverteret", true, true, 50),
    ]
}

/// The status a new lead starts in: the first open one by position.
pub fn initial_status(statuses: &[LeadStatus]) -> Option<&LeadStatus> {
    statuses
        .iter()
        .filter(|s| s.is_open())
        .min_by_key(|s| s.position)
}

/// A status named by its key (any case) or, as import files and people write it, by
/// its English or Danish label.
pub fn find_status<'a>(statuses: &'a [LeadStatus], input: &str) -> Option<&'a LeadStatus> {
    let input = input.trim();
    statuses
        .iter()
        .find(|s| s.key.eq_ignore_ascii_case(input))
        .or_else(|| {
            let lower = input.to_lowercase();
            statuses
                .iter()
                .find(|s| s.label_en.to_lowercase() == lower || s.label_da.to_lowercase() == lower)
        })
}

/// Validated, normalised fields of a lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LeadFields {
    pub name: String,
    pub company: String,
    pub title: Option<String>,
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2, upper case (`DK`).
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub source: LeadSource,
    /// A key of the status picklist.
    pub status: String,
    pub rating: Option<Rating>,
    /// What the lead asked about (`Nordlys Backup, 40 seats`); assignment rules
    /// may route on it.
    pub product_interest: Option<String>,
    pub description: Option<String>,
}

/// A lead's name as lists, notices and e-mails show it: `name · company`, or
/// the name alone when the company is empty.
pub fn list_name(name: &str, company: &str) -> String {
    if company.is_empty() {
        name.to_owned()
    } else {
        format!("{name} · {company}")
    }
}

impl LeadFields {
    /// The lead's name as lists show it ([`list_name`]).
    pub fn list_name(&self) -> String {
        list_name(&self.name, &self.company)
    }

    /// Longest values, in characters (forms use them as `maxlength`).
    pub const NAME_MAX: usize = 120;
    pub const COMPANY_MAX: usize = 160;
    pub const TITLE_MAX: usize = 120;
    pub const PHONE_MAX: usize = 40;
    pub const POSTAL_CODE_MAX: usize = 16;
    pub const PRODUCT_INTEREST_MAX: usize = 200;
    pub const DESCRIPTION_MAX: usize = 4000;

    /// Every field as the timeline shows it, in the order of the form.
    pub fn field_texts(&self) -> [(&'static str, Option<String>); 12] {
        [
            ("name", Some(self.name.clone())),
            ("company", Some(self.company.clone())),
            ("title", self.title.clone()),
            ("email", self.email.as_ref().map(|e| e.as_str().to_owned())),
            ("phone", self.phone.clone()),
            ("country", self.country.clone()),
            ("postal_code", self.postal_code.clone()),
            ("source", Some(self.source.as_str().to_owned())),
            ("status", Some(self.status.clone())),
            ("rating", self.rating.map(|r| r.as_str().to_owned())),
            ("product_interest", self.product_interest.clone()),
            ("description", self.description.clone()),
        ]
    }
}

/// The differences between two versions, for the timeline: (field name, old value as
/// text, new value as text), only fields that changed, in the order of the form.
pub fn changes(
    old: &LeadFields,
    new: &LeadFields,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    old.field_texts()
        .into_iter()
        .zip(new.field_texts())
        .filter_map(|((field, before), (_, after))| {
            (before != after).then_some((field, before, after))
        })
        .collect()
}

/// A JSON `null` clears a field just as `""` does; only a missing field keeps its value.
fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Some(
        Option::<String>::deserialize(deserializer)?.unwrap_or_default(),
    ))
}

/// A lead as typed into a form or sent as JSON: every field optional.
///
/// On create, a missing field is empty, except that the status defaults to the first
/// open one and the source to `other`. On update, a missing field keeps its value and
/// an empty string (or JSON `null`) clears an optional one; clearing a required one is
/// "error-required".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeadInput {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub company: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub postal_code: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub status: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub rating: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub product_interest: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub description: Option<String>,
}

/// The edit form, filled in with a lead's current values.
impl From<&LeadFields> for LeadInput {
    fn from(fields: &LeadFields) -> Self {
        let [
            (_, name),
            (_, company),
            (_, title),
            (_, email),
            (_, phone),
            (_, country),
            (_, postal_code),
            (_, source),
            (_, status),
            (_, rating),
            (_, product_interest),
            (_, description),
        ] = fields.field_texts();
        let text = |value: Option<String>| Some(value.unwrap_or_default());
        LeadInput {
            name: text(name),
            company: text(company),
            title: text(title),
            email: text(email),
            phone: text(phone),
            country: text(country),
            postal_code: text(postal_code),
            source: text(source),
            status: text(status),
            rating: text(rating),
            product_interest: text(product_interest),
            description: text(description),
        }
    }
}

type Checked<T> = Result<T, &'static str>;

/// Trims a given value and refuses control characters (NUL included); a multi-line
/// value keeps its newlines and tabs, with CR LF and lone CR made LF.
fn clean(value: Option<String>, multiline: bool) -> Checked<Option<String>> {
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

/// A field every lead has: kept when missing on update, `default` when missing or
/// empty on create, refused when emptied on update.
fn required<T: Clone>(
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

/// A field a lead may lack: kept when missing on update, cleared when empty.
fn optional<T: Clone>(
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

fn at_most(max: usize) -> impl FnOnce(String) -> Checked<String> {
    move |value| {
        if value.chars().count() > max {
            Err("error-too-long")
        } else {
            Ok(value)
        }
    }
}

fn phone(value: String) -> Checked<String> {
    if value.chars().count() > LeadFields::PHONE_MAX {
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

fn country(value: String) -> Checked<String> {
    if value.len() == 2 && value.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err("error-country-invalid")
    }
}

fn postal_code(value: String) -> Checked<String> {
    if value.chars().count() > LeadFields::POSTAL_CODE_MAX {
        return Err("error-too-long");
    }
    let shape_ok = value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
    if shape_ok && value.chars().any(|c| c.is_ascii_alphanumeric()) {
        Ok(value.to_ascii_uppercase())
    } else {
        Err("error-postal-code-invalid")
    }
}

/// Keeps the first problem of each field, so all of them can be shown at once.
fn record<T>(errors: &mut FieldErrors, field: &str, checked: Checked<T>) -> Option<T> {
    checked.map_err(|key| errors.add(field, key)).ok()
}

impl LeadInput {
    /// All problems at once, keyed by field name, as message-catalogue keys.
    ///
    /// `current` is the lead being edited, `None` when creating one; `statuses` is the
    /// picklist. Every value is trimmed; control characters are refused everywhere
    /// except newlines and tabs in the description. The converted status cannot be
    /// chosen by hand, though a converted lead may be saved with its status unchanged.
    pub fn parse(
        self,
        current: Option<&LeadFields>,
        statuses: &[LeadStatus],
    ) -> Result<LeadFields, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;

        let name = required(
            self.name,
            current.map(|c| &c.name),
            || Err("error-required"),
            at_most(LeadFields::NAME_MAX),
        );
        let name = record(e, "name", name);
        let company = required(
            self.company,
            current.map(|c| &c.company),
            || Err("error-required"),
            at_most(LeadFields::COMPANY_MAX),
        );
        let company = record(e, "company", company);
        let title = optional(
            self.title,
            false,
            current.map(|c| &c.title),
            at_most(LeadFields::TITLE_MAX),
        );
        let title = record(e, "title", title);
        let email = optional(self.email, false, current.map(|c| &c.email), |value| {
            EmailAddress::parse(&value)
        });
        let email = record(e, "email", email);
        let phone = optional(self.phone, false, current.map(|c| &c.phone), phone);
        let phone = record(e, "phone", phone);
        let country = optional(self.country, false, current.map(|c| &c.country), country);
        let country = record(e, "country", country);
        let postal = optional(
            self.postal_code,
            false,
            current.map(|c| &c.postal_code),
            postal_code,
        );
        let postal_code = record(e, "postal_code", postal);
        let source = required(
            self.source,
            current.map(|c| &c.source),
            || Ok(LeadSource::Other),
            |value| LeadSource::parse(&value).ok_or("error-source-unknown"),
        );
        let source = record(e, "source", source);
        let current_status = current.map(|c| c.status.as_str());
        let status = required(
            self.status,
            current.map(|c| &c.status),
            || {
                initial_status(statuses)
                    .map(|s| s.key.clone())
                    .ok_or("error-status-unknown")
            },
            |value| {
                // Saving a lead unchanged is always fine, even in a status since removed.
                if let Some(kept) = current_status.filter(|k| k.eq_ignore_ascii_case(&value)) {
                    return Ok(kept.to_owned());
                }
                let status = find_status(statuses, &value).ok_or("error-status-unknown")?;
                if status.is_selectable() || current_status == Some(status.key.as_str()) {
                    Ok(status.key.clone())
                } else {
                    Err("error-status-not-selectable")
                }
            },
        );
        let status = record(e, "status", status);
        let rating = optional(self.rating, false, current.map(|c| &c.rating), |value| {
            Rating::parse(&value).ok_or("error-rating-unknown")
        });
        let rating = record(e, "rating", rating);
        let product_interest = optional(
            self.product_interest,
            false,
            current.map(|c| &c.product_interest),
            at_most(LeadFields::PRODUCT_INTEREST_MAX),
        );
        let product_interest = record(e, "product_interest", product_interest);
        let description = optional(
            self.description,
            true,
            current.map(|c| &c.description),
            at_most(LeadFields::DESCRIPTION_MAX),
        );
        let description = record(e, "description", description);

        match (
            name,
            company,
            title,
            email,
            phone,
            country,
            postal_code,
            source,
            status,
            rating,
            product_interest,
            description,
        ) {
            (
                Some(name),
                Some(company),
                Some(title),
                Some(email),
                Some(phone),
                Some(country),
                Some(postal_code),
                Some(source),
                Some(status),
                Some(rating),
                Some(product_interest),
                Some(description),
            ) if errors.is_empty() => Ok(LeadFields {
                name,
                company,
                title,
                email,
                phone,
                country,
                postal_code,
                source,
                status,
                rating,
                product_interest,
                description,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as ValueError, MapDeserializer};

    fn input(pairs: &[(&str, &str)]) -> LeadInput {
        let mut input = LeadInput::default();
        for (field, value) in pairs {
            let value = Some((*value).to_owned());
            match *field {
                "name" => input.name = value,
                "company" => input.company = value,
                "title" => input.title = value,
                "email" => input.email = value,
                "phone" => input.phone = value,
                "country" => input.country = value,
                "postal_code" => input.postal_code = value,
                "source" => input.source = value,
                "status" => input.status = value,
                "rating" => input.rating = value,
                "product_interest" => input.product_interest = value,
                "description" => input.description = value,
                other => panic!("no field {other}"),
            }
        }
        input
    }

    fn create(pairs: &[(&str, &str)]) -> Result<LeadFields, DomainError> {
        input(pairs).parse(None, &default_statuses())
    }

    fn errors_of(result: Result<LeadFields, DomainError>) -> Vec<(String, String)> {
        match result {
            Err(DomainError::Validation(errors)) => errors.0.into_iter().collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    fn error_of(result: Result<LeadFields, DomainError>, field: &str) -> String {
        errors_of(result)
            .into_iter()
            .find(|(f, _)| f == field)
            .map(|(_, key)| key)
            .unwrap_or_else(|| panic!("no error for {field}"))
    }

    fn minimal(extra: &[(&str, &str)]) -> Result<LeadFields, DomainError> {
        let mut pairs = vec![("name", "Mette Hansen"), ("company", "Nordlys A/S")];
        pairs.extend_from_slice(extra);
        create(&pairs)
    }

    fn full() -> LeadFields {
        create(&[
            ("name", "Søren Ærø-Østergård"),
            ("company", "Blåbær ApS"),
            ("title", "CTO"),
            ("email", "Soren@Blaabaer.DK"),
            ("phone", "+45 (33) 12-34.56"),
            ("country", "dk"),
            ("postal_code", "2100"),
            ("source", "Trade Show"),
            ("status", "working_contacted"),
            ("rating", "HOT"),
            ("product_interest", " Nordlys Backup, 40 seats "),
            ("description", "Met at the booth.\r\nWants a demo."),
        ])
        .unwrap()
    }

    #[test]
    fn sources_and_ratings_round_trip_and_parse_loosely() {
        for source in LeadSource::ALL {
            assert_eq!(LeadSource::parse(source.as_str()), Some(source));
        }
        for spelling in ["trade_show", "Trade Show", "TRADE-SHOW", " trade show "] {
            assert_eq!(LeadSource::parse(spelling), Some(LeadSource::TradeShow));
        }
        assert_eq!(LeadSource::parse("carrier pigeon"), None);
        assert_eq!(LeadSource::default(), LeadSource::Other);
        for rating in Rating::ALL {
            assert_eq!(Rating::parse(rating.as_str()), Some(rating));
        }
        assert_eq!(Rating::parse(" Warm "), Some(Rating::Warm));
        assert_eq!(Rating::parse("lukewarm"), None);
    }

    #[test]
    fn default_picklist_has_the_spec_statuses() {
        let statuses = default_statuses();
        let keys: Vec<_> = statuses.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "open_not_contacted",
                "working_contacted",
                "qualified",
                "unqualified",
                "converted"
            ]
        );
        assert_eq!(statuses[0].label(Locale::English), "Open – Not Contacted");
        assert_eq!(statuses[0].label(Locale::Danish), "Åben – ikke kontaktet");
        let closed: Vec<_> = statuses
            .iter()
            .filter(|s| s.closed)
            .map(|s| &s.key)
            .collect();
        assert_eq!(closed, ["unqualified", "converted"]);
        let converted: Vec<_> = statuses
            .iter()
            .filter(|s| s.converted)
            .map(|s| &s.key)
            .collect();
        assert_eq!(converted, ["converted"]);
        assert!(statuses.windows(2).all(|w| w[0].position < w[1].position));
        assert_eq!(
            initial_status(&statuses).map(|s| s.key.as_str()),
            Some("open_not_contacted")
        );
    }

    #[test]
    fn statuses_are_found_by_key_or_label() {
        let statuses = default_statuses();
        let key = |input: &str| find_status(&statuses, input).map(|s| s.key.as_str());
        assert_eq!(key("Qualified"), Some("qualified"));
        assert_eq!(key("WORKING_CONTACTED"), Some("working_contacted"));
        assert_eq!(key("i gang – kontaktet"), Some("working_contacted"));
        assert_eq!(key("won"), None);
    }

    #[test]
    fn create_fills_in_defaults() {
        let lead = minimal(&[]).unwrap();
        assert_eq!(lead.name, "Mette Hansen");
        assert_eq!(lead.company, "Nordlys A/S");
        assert_eq!(lead.source, LeadSource::Other);
        assert_eq!(lead.status, "open_not_contacted");
        assert_eq!(lead.title, None);
        assert_eq!(lead.email, None);
        assert_eq!(lead.rating, None);
        assert_eq!(lead.description, None);
        // A form's empty select means the same as leaving it out.
        let lead = minimal(&[("source", ""), ("status", " "), ("title", "")]).unwrap();
        assert_eq!(lead.source, LeadSource::Other);
        assert_eq!(lead.status, "open_not_contacted");
        assert_eq!(lead.title, None);
    }

    #[test]
    fn initial_status_is_the_first_open_one_by_position() {
        let mut statuses = default_statuses();
        statuses[0].closed = true;
        statuses[2].position = 5;
        let lead = input(&[("name", "A"), ("company", "B")])
            .parse(None, &statuses)
            .unwrap();
        assert_eq!(lead.status, "qualified");
        let only_closed: Vec<_> = default_statuses()
            .into_iter()
            .filter(|s| s.closed)
            .collect();
        let result = input(&[("name", "A"), ("company", "B")]).parse(None, &only_closed);
        assert_eq!(error_of(result, "status"), "error-status-unknown");
    }

    #[test]
    fn normalises_every_field() {
        let lead = full();
        assert_eq!(lead.name, "Søren Ærø-Østergård");
        assert_eq!(lead.company, "Blåbær ApS");
        assert_eq!(
            lead.email.as_ref().map(|e| e.as_str()),
            Some("soren@blaabaer.dk")
        );
        assert_eq!(lead.country.as_deref(), Some("DK"));
        assert_eq!(lead.source, LeadSource::TradeShow);
        assert_eq!(lead.rating, Some(Rating::Hot));
        assert_eq!(
            lead.product_interest.as_deref(),
            Some("Nordlys Backup, 40 seats")
        );
        assert_eq!(
            lead.description.as_deref(),
            Some("Met at the booth.\nWants a demo.")
        );
        let lead = minimal(&[
            ("name", "  Mette Hansen \t"),
            ("postal_code", " sw1a 1aa "),
            ("status", "Qualified"),
            ("phone", " 33 12 34 56 "),
        ])
        .unwrap();
        assert_eq!(lead.name, "Mette Hansen");
        assert_eq!(lead.postal_code.as_deref(), Some("SW1A 1AA"));
        assert_eq!(lead.status, "qualified");
        assert_eq!(lead.phone.as_deref(), Some("33 12 34 56"));
    }

    #[test]
    fn required_fields_must_be_present_on_create() {
        let errors = errors_of(create(&[("company", "  ")]));
        assert_eq!(
            errors,
            [
                ("company".to_owned(), "error-required".to_owned()),
                ("name".to_owned(), "error-required".to_owned()),
            ]
        );
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        let at = |n: usize| "æ".repeat(n);
        assert!(minimal(&[("name", &at(120)), ("company", &at(160))]).is_ok());
        assert!(minimal(&[("title", &at(120)), ("description", &at(4000))]).is_ok());
        assert!(minimal(&[("product_interest", &at(200))]).is_ok());
        assert!(minimal(&[("phone", &"1".repeat(40)), ("postal_code", &"9".repeat(16))]).is_ok());
        for (field, value) in [
            ("name", at(121)),
            ("company", at(161)),
            ("title", at(121)),
            ("phone", "1".repeat(41)),
            ("postal_code", "9".repeat(17)),
            ("product_interest", at(201)),
            ("description", at(4001)),
        ] {
            assert_eq!(
                error_of(minimal(&[(field, &value)]), field),
                "error-too-long"
            );
        }
        let long_email = format!("{}@example.com", "a".repeat(250));
        assert_eq!(
            error_of(minimal(&[("email", &long_email)]), "email"),
            "error-too-long"
        );
    }

    #[test]
    fn rejects_each_kind_of_bad_value() {
        for (field, value, key) in [
            ("email", "not-an-address", "error-email-invalid"),
            ("email", "a@b", "error-email-invalid"),
            ("phone", "call me", "error-phone-invalid"),
            ("phone", "+45 33#12", "error-phone-invalid"),
            ("phone", "()-+", "error-phone-invalid"),
            ("country", "Denmark", "error-country-invalid"),
            ("country", "D1", "error-country-invalid"),
            ("country", "ÆØ", "error-country-invalid"),
            ("postal_code", "2100/Ø", "error-postal-code-invalid"),
            ("postal_code", "--", "error-postal-code-invalid"),
            ("source", "carrier pigeon", "error-source-unknown"),
            ("status", "won", "error-status-unknown"),
            ("status", "converted", "error-status-not-selectable"),
            ("status", "Konverteret", "error-status-not-selectable"),
            ("rating", "lukewarm", "error-rating-unknown"),
        ] {
            assert_eq!(
                error_of(minimal(&[(field, value)]), field),
                key,
                "{field}={value:?}"
            );
        }
    }

    #[test]
    fn reports_all_problems_at_once() {
        let errors = errors_of(create(&[
            ("name", ""),
            ("company", "Nordlys"),
            ("email", "nope"),
            ("country", "DNK"),
            ("rating", "meh"),
        ]));
        let fields: Vec<_> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["country", "email", "name", "rating"]);
    }

    #[test]
    fn control_characters_are_refused_except_in_description_lines() {
        for field in [
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
        ] {
            for bad in ["a\0b", "a\u{7}b", "a\u{1b}[31mb"] {
                assert_eq!(
                    error_of(minimal(&[(field, bad)]), field),
                    "error-invalid-characters",
                    "{field}={bad:?}"
                );
            }
        }
        assert_eq!(
            error_of(minimal(&[("name", "Mette\nHansen")]), "name"),
            "error-invalid-characters"
        );
        assert_eq!(
            error_of(minimal(&[("title", "CTO\tCEO")]), "title"),
            "error-invalid-characters"
        );
        let lead = minimal(&[("description", "Line one\n\tindented\rline three")]).unwrap();
        assert_eq!(
            lead.description.as_deref(),
            Some("Line one\n\tindented\nline three")
        );
    }

    #[test]
    fn update_keeps_missing_fields_and_clears_empty_ones() {
        let current = full();
        let statuses = default_statuses();
        let unchanged = LeadInput::default()
            .parse(Some(&current), &statuses)
            .unwrap();
        assert_eq!(unchanged, current);

        let updated = input(&[
            ("title", ""),
            ("email", "  "),
            ("rating", ""),
            ("description", ""),
            ("phone", "70 10 20 30"),
            ("status", "qualified"),
        ])
        .parse(Some(&current), &statuses)
        .unwrap();
        assert_eq!(updated.title, None);
        assert_eq!(updated.email, None);
        assert_eq!(updated.rating, None);
        assert_eq!(updated.description, None);
        assert_eq!(updated.phone.as_deref(), Some("70 10 20 30"));
        assert_eq!(updated.status, "qualified");
        assert_eq!(updated.name, current.name);
        assert_eq!(updated.country, current.country);
        assert_eq!(updated.source, current.source);
    }

    #[test]
    fn update_cannot_empty_a_required_field() {
        let current = full();
        let result = input(&[
            ("name", ""),
            ("company", " "),
            ("source", ""),
            ("status", ""),
        ])
        .parse(Some(&current), &default_statuses());
        let errors = errors_of(result);
        assert_eq!(errors.len(), 4);
        assert!(
            errors.iter().all(|(_, key)| key == "error-required"),
            "{errors:?}"
        );
    }

    #[test]
    fn converted_status_is_kept_but_never_chosen() {
        let statuses = default_statuses();
        let mut current = full();
        let result = input(&[("status", "converted")]).parse(Some(&current), &statuses);
        assert_eq!(error_of(result, "status"), "error-status-not-selectable");

        current.status = "converted".into();
        let saved = input(&[("status", "converted"), ("title", "CEO")])
            .parse(Some(&current), &statuses)
            .unwrap();
        assert_eq!(saved.status, "converted");
        assert_eq!(saved.title.as_deref(), Some("CEO"));
    }

    #[test]
    fn a_status_since_removed_from_the_picklist_can_be_kept() {
        let mut current = full();
        current.status = "nurture".into();
        let statuses = default_statuses();
        let saved = input(&[("status", "nurture")])
            .parse(Some(&current), &statuses)
            .unwrap();
        assert_eq!(saved.status, "nurture");
        let result = input(&[("status", "nurture")]).parse(None, &statuses);
        assert_eq!(error_of(result, "status"), "error-status-unknown");
    }

    #[test]
    fn edit_form_prefill_parses_back_to_the_same_lead() {
        let lead = full();
        let form = LeadInput::from(&lead);
        assert_eq!(form.email.as_deref(), Some("soren@blaabaer.dk"));
        assert_eq!(form.source.as_deref(), Some("trade_show"));
        let again = form
            .clone()
            .parse(Some(&lead), &default_statuses())
            .unwrap();
        assert_eq!(again, lead);
        let fresh = form.parse(None, &default_statuses()).unwrap();
        assert_eq!(fresh, lead);
    }

    #[test]
    fn json_null_clears_and_absence_keeps() {
        let map = MapDeserializer::<_, ValueError>::new(
            [("title", ()), ("rating", ())]
                .into_iter()
                .map(|(k, v)| (k.into_deserializer(), v.into_deserializer())),
        );
        let parsed = LeadInput::deserialize(map).unwrap();
        assert_eq!(parsed.title.as_deref(), Some(""));
        assert_eq!(parsed.rating.as_deref(), Some(""));
        assert_eq!(parsed.name, None);
        let updated = parsed.parse(Some(&full()), &default_statuses()).unwrap();
        assert_eq!(updated.title, None);
        assert_eq!(updated.rating, None);
        assert_eq!(updated.name, full().name);
    }

    #[test]
    fn changes_list_only_changed_fields_in_form_order() {
        let old = full();
        assert!(changes(&old, &old).is_empty());
        let new = input(&[
            ("rating", "cold"),
            ("title", ""),
            ("name", "Søren Østergård"),
            ("status", "qualified"),
        ])
        .parse(Some(&old), &default_statuses())
        .unwrap();
        assert_eq!(
            changes(&old, &new),
            [
                (
                    "name",
                    Some("Søren Ærø-Østergård".to_owned()),
                    Some("Søren Østergård".to_owned())
                ),
                ("title", Some("CTO".to_owned()), None),
                (
                    "status",
                    Some("working_contacted".to_owned()),
                    Some("qualified".to_owned())
                ),
                ("rating", Some("hot".to_owned()), Some("cold".to_owned())),
            ]
        );
    }
}
