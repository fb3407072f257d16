//! An account's page (its fields, contacts, opportunities and the leads
//! converted into it), and what New, Edit and Save need to know of accounts
//! ([`record_form`](super::record_form) runs them).

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Response},
};
use openprm_domain::{
    AccountId, DomainError, Locale, PartnerId, UserId, Viewer,
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
        leads::{date, moment},
        render,
    },
};

use super::{
    FormField, encode, money,
    record_form::{self, RecordKind},
};

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

/// Accounts in the shared New, Edit and Save flow.
pub struct Accounts;

impl RecordKind for Accounts {
    type Id = AccountId;
    type Record = Account;
    type Form = AccountForm;
    type Fields = AccountFields;
    const MANY: &'static str = "accounts";
    const ONE: &'static str = "account";

    fn id(account: &Account) -> AccountId {
        account.id
    }

    fn name(account: &Account) -> &str {
        &account.name
    }

    fn owners(account: &Account) -> (Option<PartnerId>, Option<UserId>) {
        (account.partner_id, account.owner_id)
    }

    async fn load(state: &AppState, viewer: &Viewer, id: AccountId) -> Result<Account, StoreError> {
        state.store.account(viewer, id).await
    }

    async fn create(
        state: &AppState,
        viewer: &Viewer,
        fields: &AccountFields,
    ) -> Result<Account, StoreError> {
        state.store.create_account(viewer, fields, None, None).await
    }

    async fn update(
        state: &AppState,
        viewer: &Viewer,
        id: AccountId,
        version: i64,
        fields: &AccountFields,
    ) -> Result<Account, StoreError> {
        state
            .store
            .update_account(viewer, id, version, fields)
            .await
    }

    fn parse(form: &AccountForm, current: Option<&Account>) -> Result<AccountFields, DomainError> {
        form.to_input().parse(current.map(Account::fields).as_ref())
    }

    fn form_of(account: &Account) -> AccountForm {
        AccountForm::of(account)
    }

    fn seen(form: &AccountForm) -> BTreeMap<String, String> {
        form.seen()
    }

    fn stamp(form: &mut AccountForm) -> (&mut String, &mut String) {
        (&mut form.version, &mut form.original)
    }

    fn label(t: Tr, field: &str) -> String {
        t.get(&format!("account-field-{field}"))
    }

    async fn fields(
        _state: &AppState,
        _caller: &Caller,
        t: Tr,
        _account: Option<&Account>,
        form: &AccountForm,
        errors: &BTreeMap<String, String>,
    ) -> Result<Vec<FormField>, AppError> {
        Ok(form_fields(t, form, errors))
    }
}

/// `GET /accounts/new`
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    record_form::new::<Accounts>(state, csrf, caller, AccountForm::default()).await
}

/// `POST /accounts`: creates the account and opens it.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<AccountForm>,
) -> Response {
    record_form::create::<Accounts>(state, csrf, caller, form).await
}

/// `GET /accounts/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AccountId>,
) -> Response {
    record_form::edit::<Accounts>(state, csrf, caller, id).await
}

/// `POST /accounts/{id}/edit`: Save, back to the account's page.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AccountId>,
    PageForm(form): PageForm<AccountForm>,
) -> Response {
    record_form::save::<Accounts>(state, csrf, caller, id, form).await
}
