//! A contact's page (its fields and its account), and what New (from the
//! Contacts tab or an account's page), Edit and Save need to know of contacts
//! ([`record_form`](super::record_form) runs them).

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
};
use openprm_domain::{
    ContactId, DomainError, PartnerId, UserId, Viewer,
    accounts::may_edit_owned,
    contacts::{ContactFields, ContactInput},
};
use openprm_store::{StoreError, contacts::Contact, record_list::RecordQuery};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{
        Chrome, PageError, PageForm, PageId,
        leads::{date, moment},
        render,
    },
};

use super::{
    FormField, encode,
    record_form::{self, RecordKind},
};

/// The form's values, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub original: String,
}

impl ContactForm {
    fn to_input(&self) -> ContactInput {
        let text = |v: &String| Some(v.clone());
        ContactInput {
            name: text(&self.name),
            account_id: text(&self.account_id),
            title: text(&self.title),
            email: text(&self.email),
            phone: text(&self.phone),
            country: text(&self.country),
            description: text(&self.description),
        }
    }

    fn of(contact: &Contact) -> ContactForm {
        let input = ContactInput::from(&contact.fields());
        let text = |v: Option<String>| v.unwrap_or_default();
        let mut form = ContactForm {
            name: text(input.name),
            account_id: text(input.account_id),
            title: text(input.title),
            email: text(input.email),
            phone: text(input.phone),
            country: text(input.country),
            description: text(input.description),
            version: contact.version.to_string(),
            original: String::new(),
        };
        form.original = encode(&form.seen());
        form
    }

    fn seen(&self) -> BTreeMap<String, String> {
        [
            ("name", &self.name),
            ("account_id", &self.account_id),
            ("title", &self.title),
            ("email", &self.email),
            ("phone", &self.phone),
            ("country", &self.country),
            ("description", &self.description),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect()
    }
}

/// The accounts a contact may be put on: those the caller sees (the store
/// checks the company when saving), with the current one kept even if hidden.
async fn account_options(
    state: &AppState,
    caller: &Caller,
    current: Option<(&str, &str)>,
    t: Tr,
) -> Result<Vec<(String, String)>, AppError> {
    let query = RecordQuery {
        limit: 200,
        ..RecordQuery::default()
    };
    let page = state.store.list_accounts(&caller.viewer(), &query).await?;
    let mut options = vec![(String::new(), t.get("contact-no-account"))];
    options.extend(
        page.accounts
            .into_iter()
            .map(|a| (a.id.to_string(), a.name)),
    );
    if let Some((id, name)) = current.filter(|(id, _)| !id.is_empty())
        && !options.iter().any(|(v, _)| v == id)
    {
        options.push((id.to_owned(), name.to_owned()));
    }
    Ok(options)
}

/// The inputs of a contact's form; the account is a choice of those the
/// caller sees, with the contact's own kept even if hidden.
async fn form_fields(
    state: &AppState,
    caller: &Caller,
    t: Tr,
    contact: Option<&Contact>,
    form: &ContactForm,
    errors: &BTreeMap<String, String>,
) -> Result<Vec<FormField>, AppError> {
    let current_account = contact.and_then(|c| {
        c.account_id
            .map(|a| (a.to_string(), c.account_name.clone().unwrap_or_default()))
    });
    let accounts = account_options(
        state,
        caller,
        current_account
            .as_ref()
            .map(|(id, name)| (id.as_str(), name.as_str())),
        t,
    )
    .await?;
    let label = |f: &str| t.get(&format!("contact-field-{f}"));
    let mut account = FormField::new(
        "account_id",
        label("account"),
        &form.account_id,
        "select",
        0,
        errors,
    );
    account.options = accounts;
    Ok(vec![
        FormField::new(
            "name",
            label("name"),
            &form.name,
            "text",
            ContactFields::NAME_MAX,
            errors,
        ),
        account,
        FormField::new(
            "title",
            label("title"),
            &form.title,
            "text",
            ContactFields::TITLE_MAX,
            errors,
        ),
        FormField::new("email", label("email"), &form.email, "email", 254, errors),
        FormField::new(
            "phone",
            label("phone"),
            &form.phone,
            "tel",
            ContactFields::PHONE_MAX,
            errors,
        ),
        FormField::new(
            "country",
            label("country"),
            &form.country,
            "text",
            2,
            errors,
        ),
        FormField::new(
            "description",
            label("description"),
            &form.description,
            "textarea",
            ContactFields::DESCRIPTION_MAX,
            errors,
        ),
    ])
}

#[derive(Template)]
#[template(path = "contact.html")]
pub struct ContactPage {
    pub chrome: Chrome,
    pub contact: Contact,
    pub may_edit: bool,
    pub created: String,
    pub updated: String,
}

/// `GET /contacts/{id}`: opening it puts it in Recent Items.
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ContactId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let contact = state.store.contact(&viewer, id).await?;
        state
            .store
            .touch_recent(caller.user.id, "contact", id.0)
            .await?;
        let chrome = Chrome::build(&state, &caller, &csrf, "contacts", "tab-contacts").await?;
        render(&ContactPage {
            may_edit: may_edit_owned(&viewer, contact.partner_id, contact.owner_id).is_ok(),
            created: date(contact.created_at),
            updated: moment(contact.updated_at),
            contact,
            chrome,
        })
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// Contacts in the shared New, Edit and Save flow.
pub struct Contacts;

impl RecordKind for Contacts {
    type Id = ContactId;
    type Record = Contact;
    type Form = ContactForm;
    type Fields = ContactFields;
    const MANY: &'static str = "contacts";
    const ONE: &'static str = "contact";

    fn id(contact: &Contact) -> ContactId {
        contact.id
    }

    fn name(contact: &Contact) -> &str {
        &contact.name
    }

    fn owners(contact: &Contact) -> (Option<PartnerId>, Option<UserId>) {
        (contact.partner_id, contact.owner_id)
    }

    async fn load(state: &AppState, viewer: &Viewer, id: ContactId) -> Result<Contact, StoreError> {
        state.store.contact(viewer, id).await
    }

    async fn create(
        state: &AppState,
        viewer: &Viewer,
        fields: &ContactFields,
    ) -> Result<Contact, StoreError> {
        state.store.create_contact(viewer, fields, None, None).await
    }

    async fn update(
        state: &AppState,
        viewer: &Viewer,
        id: ContactId,
        version: i64,
        fields: &ContactFields,
    ) -> Result<Contact, StoreError> {
        state
            .store
            .update_contact(viewer, id, version, fields)
            .await
    }

    fn parse(form: &ContactForm, current: Option<&Contact>) -> Result<ContactFields, DomainError> {
        form.to_input().parse(current.map(Contact::fields).as_ref())
    }

    fn form_of(contact: &Contact) -> ContactForm {
        ContactForm::of(contact)
    }

    fn seen(form: &ContactForm) -> BTreeMap<String, String> {
        form.seen()
    }

    fn stamp(form: &mut ContactForm) -> (&mut String, &mut String) {
        (&mut form.version, &mut form.original)
    }

    /// The account's form name is `account_id`; its label is the account's.
    fn label(t: Tr, field: &str) -> String {
        let key = if field == "account_id" {
            "account"
        } else {
            field
        };
        t.get(&format!("contact-field-{key}"))
    }

    async fn fields(
        state: &AppState,
        caller: &Caller,
        t: Tr,
        contact: Option<&Contact>,
        form: &ContactForm,
        errors: &BTreeMap<String, String>,
    ) -> Result<Vec<FormField>, AppError> {
        form_fields(state, caller, t, contact, form, errors).await
    }
}

/// `GET /contacts/new?account_id=`: the account, when given, is chosen already.
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let account_id = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "account_id")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let form = ContactForm {
        account_id,
        ..ContactForm::default()
    };
    record_form::new::<Contacts>(state, csrf, caller, form).await
}

/// `POST /contacts`: creates the contact and opens it.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<ContactForm>,
) -> Response {
    record_form::create::<Contacts>(state, csrf, caller, form).await
}

/// `GET /contacts/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ContactId>,
) -> Response {
    record_form::edit::<Contacts>(state, csrf, caller, id).await
}

/// `POST /contacts/{id}/edit`: Save, back to the contact's page.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ContactId>,
    PageForm(form): PageForm<ContactForm>,
) -> Response {
    record_form::save::<Contacts>(state, csrf, caller, id, form).await
}
