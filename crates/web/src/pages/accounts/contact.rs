//! A contact's page (its fields and its account), New (from the Contacts tab
//! or an account's page), and Edit with Save and the conflict screen.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    ContactId, DomainError,
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
        leads::{date, moment, translate},
        render,
    },
};

use super::{
    FormField, TheirChange, account::RecordFormPage, decode, encode, tab_visible, their_changes,
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

struct FormState {
    form: ContactForm,
    errors: BTreeMap<String, String>,
    conflict: Option<Vec<TheirChange>>,
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    contact: Option<&Contact>,
    input: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = if contact.is_some() {
        "contact-edit-title"
    } else {
        "contacts-new"
    };
    let chrome = Chrome::build(state, caller, csrf, "contacts", title).await?;
    let t = chrome.t;
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
    let (heading, action, cancel, back) = match contact {
        Some(c) => (
            t.with("contact-edit-heading", [("name", c.name.as_str())]),
            format!("/contacts/{}/edit", c.id),
            format!("/contacts/{}", c.id),
            c.name.clone(),
        ),
        None => (
            t.get("contacts-new"),
            "/contacts".to_owned(),
            "/contacts".to_owned(),
            t.get("tab-contacts"),
        ),
    };
    let form = &input.form;
    let errors = &input.errors;
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
    let fields = vec![
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
    ];
    let mut response = render(&RecordFormPage {
        heading,
        action,
        cancel,
        back,
        editing: contact.is_some(),
        version: form.version.clone(),
        original: form.original.clone(),
        fields,
        has_errors: !errors.is_empty(),
        conflict: input.conflict,
        submit: t.get(if contact.is_some() {
            "action-save"
        } else {
            "contacts-create"
        }),
        form_id: "contact-form",
        chrome,
    })?;
    *response.status_mut() = status;
    Ok(response)
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
        tab_visible(&state, &caller, "contacts").await?;
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

/// `GET /contacts/new?account_id=`: the account, when given, is chosen already.
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "contacts").await?;
        let account_id = form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .find(|(k, _)| k == "account_id")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let input = FormState {
            form: ContactForm {
                account_id,
                ..ContactForm::default()
            },
            errors: BTreeMap::new(),
            conflict: None,
        };
        form_page(&state, &caller, &csrf, None, input, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /contacts`: creates the contact and opens it.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<ContactForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "contacts").await?;
        let attempt = match form.to_input().parse(None) {
            Ok(fields) => {
                state
                    .store
                    .create_contact(&caller.viewer(), &fields, None, None)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(contact) => Ok(Redirect::to(&format!("/contacts/{}", contact.id)).into_response()),
            Err(StoreError::Domain(DomainError::Validation(errors))) => {
                let input = FormState {
                    form,
                    errors: translate(t, errors),
                    conflict: None,
                };
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                form_page(&state, &caller, &csrf, None, input, status).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `GET /contacts/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ContactId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "contacts").await?;
        let viewer = caller.viewer();
        let contact = state.store.contact(&viewer, id).await?;
        may_edit_owned(&viewer, contact.partner_id, contact.owner_id)?;
        let input = FormState {
            form: ContactForm::of(&contact),
            errors: BTreeMap::new(),
            conflict: None,
        };
        form_page(
            &state,
            &caller,
            &csrf,
            Some(&contact),
            input,
            StatusCode::OK,
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /contacts/{id}/edit`: Save, back to the contact's page.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ContactId>,
    PageForm(form): PageForm<ContactForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "contacts").await?;
        let viewer = caller.viewer();
        let current = state.store.contact(&viewer, id).await?;
        may_edit_owned(&viewer, current.partner_id, current.owner_id)?;
        let version = form.version.trim().parse::<i64>().unwrap_or(-1);
        let attempt = match form.to_input().parse(Some(&current.fields())) {
            Ok(fields) => {
                state
                    .store
                    .update_contact(&viewer, id, version, &fields)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}")).into_response()),
            Err(StoreError::Domain(DomainError::VersionConflict)) => {
                let now = state.store.contact(&viewer, id).await?;
                let fresh = ContactForm::of(&now);
                let changes = their_changes(decode(&form.original), &fresh.seen(), |f| {
                    let key = if f == "account_id" { "account" } else { f };
                    t.get(&format!("contact-field-{key}"))
                });
                let input = FormState {
                    form: ContactForm {
                        version: fresh.version,
                        original: fresh.original,
                        ..form
                    },
                    errors: BTreeMap::new(),
                    conflict: Some(changes),
                };
                form_page(
                    &state,
                    &caller,
                    &csrf,
                    Some(&now),
                    input,
                    StatusCode::CONFLICT,
                )
                .await
            }
            Err(StoreError::Domain(DomainError::Validation(errors))) => {
                let input = FormState {
                    form,
                    errors: translate(t, errors),
                    conflict: None,
                };
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                form_page(&state, &caller, &csrf, Some(&current), input, status).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
