//! An account's page (its fields, contacts, opportunities and the leads
//! converted into it), New, and Edit with Save.
//!
//! The edit form carries the version the user started from and the values
//! they saw; saving over someone else's change is refused as a conflict and
//! the form comes back with the user's input kept, what the other person
//! changed, and the current version.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    AccountId, DomainError, Locale,
    accounts::{AccountFields, AccountInput, may_edit_owned},
};
use openprm_store::{
    StoreError,
    accounts::Account,
    contacts::Contact,
    record_list::RecordQuery,
    related::{ConvertedLead, RelatedOpportunity},
};
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

use super::{FormField, TheirChange, decode, encode, money, tab_visible, their_changes};

/// The form's values, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct AccountForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub domain: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub description: String,
    /// Edit: the version the user started from.
    #[serde(default)]
    pub version: String,
    /// Edit: the values the user saw, encoded.
    #[serde(default)]
    pub original: String,
}

impl AccountForm {
    fn values(&self) -> [(&'static str, &String); 8] {
        [
            ("name", &self.name),
            ("domain", &self.domain),
            ("phone", &self.phone),
            ("website", &self.website),
            ("industry", &self.industry),
            ("country", &self.country),
            ("city", &self.city),
            ("description", &self.description),
        ]
    }

    fn to_input(&self) -> AccountInput {
        let text = |v: &String| Some(v.clone());
        AccountInput {
            name: text(&self.name),
            domain: text(&self.domain),
            phone: text(&self.phone),
            website: text(&self.website),
            industry: text(&self.industry),
            country: text(&self.country),
            city: text(&self.city),
            description: text(&self.description),
        }
    }

    /// The form filled in with an account as it is now.
    fn of(account: &Account) -> AccountForm {
        let fields = account.fields();
        let text = |v: Option<String>| v.unwrap_or_default();
        let mut form = AccountForm::default();
        for (name, value) in fields.field_texts() {
            let slot = match name {
                "name" => &mut form.name,
                "domain" => &mut form.domain,
                "phone" => &mut form.phone,
                "website" => &mut form.website,
                "industry" => &mut form.industry,
                "country" => &mut form.country,
                "city" => &mut form.city,
                _ => &mut form.description,
            };
            *slot = text(value);
        }
        form.version = account.version.to_string();
        form.original = encode(&form.seen());
        form
    }

    fn seen(&self) -> BTreeMap<String, String> {
        self.values()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.clone()))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "record_form.html")]
pub struct RecordFormPage {
    pub chrome: Chrome,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub back: String,
    pub editing: bool,
    pub version: String,
    pub original: String,
    pub fields: Vec<FormField>,
    pub has_errors: bool,
    pub conflict: Option<Vec<TheirChange>>,
    pub submit: String,
    pub form_id: &'static str,
}

fn form_fields(t: Tr, form: &AccountForm, errors: &BTreeMap<String, String>) -> Vec<FormField> {
    let label = |f: &str| t.get(&format!("account-field-{f}"));
    vec![
        FormField::new(
            "name",
            label("name"),
            &form.name,
            "text",
            AccountFields::NAME_MAX,
            errors,
        ),
        FormField::new(
            "domain",
            label("domain"),
            &form.domain,
            "text",
            AccountFields::DOMAIN_MAX,
            errors,
        ),
        FormField::new(
            "website",
            label("website"),
            &form.website,
            "url",
            AccountFields::WEBSITE_MAX,
            errors,
        ),
        FormField::new(
            "phone",
            label("phone"),
            &form.phone,
            "tel",
            AccountFields::PHONE_MAX,
            errors,
        ),
        FormField::new(
            "industry",
            label("industry"),
            &form.industry,
            "text",
            AccountFields::INDUSTRY_MAX,
            errors,
        ),
        FormField::new(
            "city",
            label("city"),
            &form.city,
            "text",
            AccountFields::CITY_MAX,
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
            AccountFields::DESCRIPTION_MAX,
            errors,
        ),
    ]
}

struct FormState {
    form: AccountForm,
    errors: BTreeMap<String, String>,
    conflict: Option<Vec<TheirChange>>,
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    account: Option<&Account>,
    input: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = if account.is_some() {
        "account-edit-title"
    } else {
        "accounts-new"
    };
    let chrome = Chrome::build(state, caller, csrf, "accounts", title).await?;
    let t = chrome.t;
    let (heading, action, cancel, back) = match account {
        Some(a) => (
            t.with("account-edit-heading", [("name", a.name.as_str())]),
            format!("/accounts/{}/edit", a.id),
            format!("/accounts/{}", a.id),
            a.name.clone(),
        ),
        None => (
            t.get("accounts-new"),
            "/accounts".to_owned(),
            "/accounts".to_owned(),
            t.get("tab-accounts"),
        ),
    };
    let mut response = render(&RecordFormPage {
        heading,
        action,
        cancel,
        back,
        editing: account.is_some(),
        version: input.form.version.clone(),
        original: input.form.original.clone(),
        fields: form_fields(t, &input.form, &input.errors),
        has_errors: !input.errors.is_empty(),
        conflict: input.conflict,
        submit: t.get(if account.is_some() {
            "action-save"
        } else {
            "accounts-create"
        }),
        form_id: "account-form",
        chrome,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// A contact as a row of an account's page.
pub struct ContactLine {
    pub id: String,
    pub name: String,
    pub title: String,
    pub email: String,
}

/// An opportunity as a row of an account's page.
pub struct OpportunityLine {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub amount: String,
    pub close_date: String,
}

/// A converted lead as a row of an account's page.
pub struct LeadLine {
    pub id: String,
    pub name: String,
    pub converted: String,
}

#[derive(Template)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub account: Account,
    pub may_edit: bool,
    pub created: String,
    pub updated: String,
    pub contacts: Vec<ContactLine>,
    pub more_contacts: bool,
    pub opportunities: Vec<OpportunityLine>,
    pub leads: Vec<LeadLine>,
}

fn contact_line(c: &Contact) -> ContactLine {
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    ContactLine {
        id: c.id.to_string(),
        name: c.name.clone(),
        title: dash(&c.title),
        email: dash(&c.email),
    }
}

fn opportunity_line(o: &RelatedOpportunity, locale: Locale) -> OpportunityLine {
    OpportunityLine {
        id: o.id.to_string(),
        name: o.name.clone(),
        stage: match locale {
            Locale::English => o.stage_label_en.clone(),
            Locale::Danish => o.stage_label_da.clone(),
        },
        amount: money(o.amount_minor, &o.currency, locale),
        close_date: o.close_date.clone(),
    }
}

fn lead_line(l: &ConvertedLead) -> LeadLine {
    LeadLine {
        id: l.id.to_string(),
        name: format!("{} · {}", l.name, l.company),
        converted: l.converted_at.map(moment).unwrap_or_default(),
    }
}

/// `GET /accounts/{id}`: opening it puts it in Recent Items.
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AccountId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "accounts").await?;
        let viewer = caller.viewer();
        let account = state.store.account(&viewer, id).await?;
        state
            .store
            .touch_recent(caller.user.id, "account", id.0)
            .await?;
        let query = RecordQuery {
            limit: 100,
            ..RecordQuery::default()
        };
        let contacts = state.store.list_contacts(&viewer, Some(id), &query).await?;
        let opportunities = state.store.account_opportunities(&viewer, id).await?;
        let leads = state.store.account_converted_leads(&viewer, id).await?;
        let chrome = Chrome::build(&state, &caller, &csrf, "accounts", "tab-accounts").await?;
        render(&AccountPage {
            may_edit: may_edit_owned(&viewer, account.partner_id, account.owner_id).is_ok(),
            created: date(account.created_at),
            updated: moment(account.updated_at),
            contacts: contacts.contacts.iter().map(contact_line).collect(),
            more_contacts: contacts.next_cursor.is_some(),
            opportunities: opportunities
                .iter()
                .map(|o| opportunity_line(o, t.locale))
                .collect(),
            leads: leads.iter().map(lead_line).collect(),
            account,
            chrome,
        })
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `GET /accounts/new`
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "accounts").await?;
        let input = FormState {
            form: AccountForm::default(),
            errors: BTreeMap::new(),
            conflict: None,
        };
        form_page(&state, &caller, &csrf, None, input, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /accounts`: creates the account (the caller's own, for their company,
/// or the vendor's) and opens it.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<AccountForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "accounts").await?;
        let attempt = match form.to_input().parse(None) {
            Ok(fields) => {
                state
                    .store
                    .create_account(&caller.viewer(), &fields, None, None)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(account) => Ok(Redirect::to(&format!("/accounts/{}", account.id)).into_response()),
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

/// `GET /accounts/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AccountId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "accounts").await?;
        let viewer = caller.viewer();
        let account = state.store.account(&viewer, id).await?;
        may_edit_owned(&viewer, account.partner_id, account.owner_id)?;
        let input = FormState {
            form: AccountForm::of(&account),
            errors: BTreeMap::new(),
            conflict: None,
        };
        form_page(
            &state,
            &caller,
            &csrf,
            Some(&account),
            input,
            StatusCode::OK,
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /accounts/{id}/edit`: Save, back to the account's page.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<AccountForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        tab_visible(&state, &caller, "accounts").await?;
        let viewer = caller.viewer();
        let current = state.store.account(&viewer, id).await?;
        may_edit_owned(&viewer, current.partner_id, current.owner_id)?;
        // A version that is not a number cannot be current: it is a conflict.
        let version = form.version.trim().parse::<i64>().unwrap_or(-1);
        let attempt = match form.to_input().parse(Some(&current.fields())) {
            Ok(fields) => {
                state
                    .store
                    .update_account(&viewer, id, version, &fields)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(_) => Ok(Redirect::to(&format!("/accounts/{id}")).into_response()),
            Err(StoreError::Domain(DomainError::VersionConflict)) => {
                let now = state.store.account(&viewer, id).await?;
                let fresh = AccountForm::of(&now);
                let changes = their_changes(decode(&form.original), &fresh.seen(), |f| {
                    t.get(&format!("account-field-{f}"))
                });
                let input = FormState {
                    form: AccountForm {
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
