//! Register a deal: `GET /deal-registrations/new` (partner staff) and
//! `POST /deal-registrations`. Bad input comes back inline with the user's
//! input kept; a good one goes to the registration's page, under review.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    DomainError,
    money::Currency,
    registrations::{RegistrationFields, RegistrationInput},
};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, leads::translate, render},
};

/// The form's values, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct RegistrationForm {
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub company_domain: String,
    #[serde(default)]
    pub contact_name: String,
    #[serde(default)]
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub product_interest: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub close_date: String,
    #[serde(default)]
    pub description: String,
}

impl RegistrationForm {
    fn to_input(&self) -> RegistrationInput {
        let some = |s: &String| Some(s.clone());
        RegistrationInput {
            company_name: some(&self.company_name),
            company_domain: some(&self.company_domain),
            contact_name: some(&self.contact_name),
            contact_email: some(&self.contact_email),
            contact_phone: some(&self.contact_phone),
            product_interest: some(&self.product_interest),
            amount: some(&self.amount),
            currency: some(&self.currency),
            close_date: some(&self.close_date),
            description: some(&self.description),
        }
    }
}

#[derive(Template)]
#[template(path = "registration_form.html")]
pub struct RegistrationFormPage {
    pub chrome: Chrome,
    pub form: RegistrationForm,
    pub currencies: Vec<&'static str>,
    pub errors: BTreeMap<String, String>,
    pub company_max: usize,
    pub name_max: usize,
    pub product_max: usize,
    pub description_max: usize,
}

impl RegistrationFormPage {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    form: RegistrationForm,
    errors: BTreeMap<String, String>,
) -> Result<Response, AppError> {
    if !caller.user.role.is_partner() {
        // Vendor staff decide registrations; only partners register deals.
        return Err(DomainError::Forbidden.into());
    }
    let chrome = Chrome::build(state, caller, csrf, "opportunities", "registration-new").await?;
    let failed = !errors.is_empty();
    let mut response = render(&RegistrationFormPage {
        chrome,
        form,
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        errors,
        company_max: RegistrationFields::COMPANY_MAX,
        name_max: RegistrationFields::NAME_MAX,
        product_max: RegistrationFields::PRODUCT_MAX,
        description_max: RegistrationFields::DESCRIPTION_MAX,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /deal-registrations/new`
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let form = RegistrationForm {
            currency: state.store.default_currency().await?.code().to_owned(),
            ..RegistrationForm::default()
        };
        form_page(&state, &caller, &csrf, form, BTreeMap::new()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /deal-registrations`
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<RegistrationForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        if !viewer.role.is_partner() {
            return Err(DomainError::Forbidden.into());
        }
        // A form reads the amount as the user's language writes it.
        let attempt = match form
            .to_input()
            .parse(state.store.now().date(), caller.user.locale)
        {
            Ok(fields) => state
                .store
                .submit_registration(&viewer, &fields)
                .await
                .map_err(AppError::from),
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(registration) => Ok(Redirect::to(&format!(
                "/deal-registrations/{}?done=submitted",
                registration.id
            ))
            .into_response()),
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                form_page(&state, &caller, &csrf, form, translate(t, errors)).await
            }
            Err(other) => Err(other),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
