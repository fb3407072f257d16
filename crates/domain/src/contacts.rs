//! Contacts (spec §2 flow 10): the people at a customer company, parsed once
//! into checked values. Who owns one and who may change it follow the rules of
//! [`crate::accounts`].

use serde::{Deserialize, Serialize};

use crate::{
    AccountId, DomainError, EmailAddress, FieldErrors,
    record_fields::{at_most, country, diff, null_as_empty, optional, phone, record, required},
};

/// Validated, normalised fields of a contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ContactFields {
    pub name: String,
    /// The account the person works for, if known.
    pub account_id: Option<AccountId>,
    pub title: Option<String>,
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Option<EmailAddress>,
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2, upper case (`DK`).
    pub country: Option<String>,
    pub description: Option<String>,
}

impl ContactFields {
    /// Longest values, in characters (forms use them as `maxlength`).
    pub const NAME_MAX: usize = 120;
    pub const TITLE_MAX: usize = 120;
    pub const PHONE_MAX: usize = crate::record_fields::PHONE_MAX;
    pub const DESCRIPTION_MAX: usize = 4000;

    /// Every field as text, in the order of the form.
    pub fn field_texts(&self) -> [(&'static str, Option<String>); 7] {
        [
            ("name", Some(self.name.clone())),
            ("account_id", self.account_id.map(|a| a.to_string())),
            ("title", self.title.clone()),
            ("email", self.email.as_ref().map(|e| e.as_str().to_owned())),
            ("phone", self.phone.clone()),
            ("country", self.country.clone()),
            ("description", self.description.clone()),
        ]
    }
}

/// The fields that differ between two versions: (field, old, new), in form order.
pub fn changes(
    old: &ContactFields,
    new: &ContactFields,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    diff(old.field_texts(), new.field_texts())
}

/// A contact as typed into a form or sent as JSON: every field optional; a
/// missing field keeps its value on update, an empty one clears it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ContactInput {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: Option<String>,
    /// The id of an account the caller can see, of the contact's own company.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub account_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub description: Option<String>,
}

/// The edit form, filled in with a contact's current values.
impl From<&ContactFields> for ContactInput {
    fn from(fields: &ContactFields) -> Self {
        let [
            (_, name),
            (_, account_id),
            (_, title),
            (_, email),
            (_, phone),
            (_, country),
            (_, description),
        ] = fields.field_texts();
        let text = |value: Option<String>| Some(value.unwrap_or_default());
        ContactInput {
            name: text(name),
            account_id: text(account_id),
            title: text(title),
            email: text(email),
            phone: text(phone),
            country: text(country),
            description: text(description),
        }
    }
}

impl ContactInput {
    /// All problems at once, keyed by field name, as message-catalogue keys.
    /// `current` is the contact being edited, `None` when creating one. Whether
    /// the account may be used is the store's to check (it must be visible).
    pub fn parse(self, current: Option<&ContactFields>) -> Result<ContactFields, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;
        let name = required(
            self.name,
            current.map(|c| &c.name),
            at_most(ContactFields::NAME_MAX),
        );
        let name = record(e, "name", name);
        let account_id = optional(
            self.account_id,
            false,
            current.map(|c| &c.account_id),
            |v| v.parse::<AccountId>().map_err(|_| "error-account-unknown"),
        );
        let account_id = record(e, "account_id", account_id);
        let title = optional(
            self.title,
            false,
            current.map(|c| &c.title),
            at_most(ContactFields::TITLE_MAX),
        );
        let title = record(e, "title", title);
        let email = optional(self.email, false, current.map(|c| &c.email), |v| {
            EmailAddress::parse(&v)
        });
        let email = record(e, "email", email);
        let phone = optional(self.phone, false, current.map(|c| &c.phone), phone);
        let phone = record(e, "phone", phone);
        let country = optional(self.country, false, current.map(|c| &c.country), country);
        let country = record(e, "country", country);
        let description = optional(
            self.description,
            true,
            current.map(|c| &c.description),
            at_most(ContactFields::DESCRIPTION_MAX),
        );
        let description = record(e, "description", description);
        match (name, account_id, title, email, phone, country, description) {
            (
                Some(name),
                Some(account_id),
                Some(title),
                Some(email),
                Some(phone),
                Some(country),
                Some(description),
            ) if errors.is_empty() => Ok(ContactFields {
                name,
                account_id,
                title,
                email,
                phone,
                country,
                description,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(result: Result<ContactFields, DomainError>) -> Vec<(String, String)> {
        match result {
            Err(DomainError::Validation(errors)) => errors.0.into_iter().collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    #[test]
    fn create_needs_a_name_and_checks_each_field() {
        assert_eq!(
            errors_of(ContactInput::default().parse(None)),
            vec![("name".into(), "error-required".into())]
        );
        let errors = errors_of(
            ContactInput {
                name: Some("Mette".into()),
                account_id: Some("not-an-id".into()),
                email: Some("mette@".into()),
                phone: Some("x".into()),
                country: Some("DNK".into()),
                title: Some("t".repeat(121)),
                ..Default::default()
            }
            .parse(None),
        );
        assert_eq!(
            errors,
            vec![
                ("account_id".into(), "error-account-unknown".into()),
                ("country".into(), "error-country-invalid".into()),
                ("email".into(), "error-email-invalid".into()),
                ("phone".into(), "error-phone-invalid".into()),
                ("title".into(), "error-too-long".into()),
            ]
        );
    }

    #[test]
    fn values_are_normalised_and_changes_listed() {
        let account = AccountId::new();
        let before = ContactInput {
            name: Some(" Mette Hansen ".into()),
            account_id: Some(account.to_string()),
            email: Some("Mette@Nordlys.DK".into()),
            country: Some("dk".into()),
            ..Default::default()
        }
        .parse(None)
        .unwrap();
        assert_eq!(before.name, "Mette Hansen");
        assert_eq!(before.account_id, Some(account));
        assert_eq!(
            before.email.as_ref().map(EmailAddress::as_str),
            Some("mette@nordlys.dk")
        );
        assert_eq!(before.country.as_deref(), Some("DK"));
        let after = ContactInput {
            title: Some("CTO".into()),
            account_id: Some(String::new()),
            ..Default::default()
        }
        .parse(Some(&before))
        .unwrap();
        assert_eq!(after.name, "Mette Hansen");
        assert_eq!(
            changes(&before, &after),
            vec![
                ("account_id", Some(account.to_string()), None),
                ("title", None, Some("CTO".into())),
            ]
        );
        assert_eq!(
            ContactInput::from(&after).parse(Some(&after)).unwrap(),
            after
        );
    }
}
