//! The Convert page of a qualified lead (spec flow 8): pick a suggested
//! account (same company name or e-mail domain, among those the caller sees)
//! or create one named after the lead's company; the contact the lead
//! becomes; and "Also create an opportunity" with its name, close date and
//! amount. Success returns to the lead, now Converted with its links.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    DomainError, LeadId,
    conversion::{ConvertInput, DEFAULT_CLOSE_DAYS, default_opportunity_name},
    money::Currency,
    opportunities::{ParseContext, date_text},
};
use openprm_store::{StoreError, leads::Lead};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, PageId, leads::translate, render},
};

/// The form's values, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct ConvertForm {
    /// `new`, or the id of the account to link.
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub account_name: String,
    /// Present (`1`) when ticked.
    #[serde(default)]
    pub create_opportunity: Option<String>,
    #[serde(default)]
    pub opportunity_name: String,
    #[serde(default)]
    pub close_date: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub currency: String,
}

/// A suggested account: (id, name, what it shares with the lead).
pub struct Suggestion {
    pub id: String,
    pub name: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "convert.html")]
pub struct ConvertPage {
    pub chrome: Chrome,
    pub lead: Lead,
    pub suggestions: Vec<Suggestion>,
    pub form: ConvertForm,
    pub create_opportunity: bool,
    /// The supported currency codes, as in the opportunity form.
    pub currencies: Vec<&'static str>,
    pub errors: BTreeMap<String, String>,
}

impl ConvertPage {
    /// The message for a field's error, if it has one.
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    lead: Lead,
    form: ConvertForm,
    errors: BTreeMap<String, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let suggestions = state
        .store
        .duplicate_accounts(&caller.viewer(), &lead)
        .await?
        .into_iter()
        .map(|a| Suggestion {
            id: a.id.to_string(),
            detail: [a.domain, a.city, a.owner_name]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            name: a.name,
        })
        .collect();
    let chrome = Chrome::build(state, caller, csrf, "leads", "convert-title").await?;
    let mut response = render(&ConvertPage {
        create_opportunity: form.create_opportunity.is_some(),
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        chrome,
        lead,
        suggestions,
        form,
        errors,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The lead, if the caller may convert it now; otherwise the reason as an error page.
async fn convertible(state: &AppState, caller: &Caller, id: LeadId) -> Result<Lead, AppError> {
    let viewer = caller.viewer();
    let lead = state.store.lead(&viewer, id).await?;
    state.store.check_lead_convertible(&viewer, &lead).await?;
    Ok(lead)
}

/// `GET /leads/{id}/convert`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let lead = convertible(&state, &caller, id).await?;
        let close = state.store.now().date() + time::Duration::days(DEFAULT_CLOSE_DAYS);
        let form = ConvertForm {
            account: "new".to_owned(),
            account_name: lead.company.clone(),
            create_opportunity: Some("1".to_owned()),
            opportunity_name: default_opportunity_name(&lead.fields()),
            close_date: date_text(close),
            currency: state.store.default_currency().await?.code().to_owned(),
            ..ConvertForm::default()
        };
        page(
            &state,
            &caller,
            &csrf,
            lead,
            form,
            BTreeMap::new(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /leads/{id}/convert`: converts and returns to the lead.
pub async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(form): PageForm<ConvertForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let lead = convertible(&state, &caller, id).await?;
        let stages = state.store.opportunity_stages().await?;
        let cx = ParseContext {
            stages: &stages,
            default_currency: state.store.default_currency().await?,
            locale: t.locale,
        };
        let input = ConvertInput {
            account_id: Some(form.account.clone()).filter(|a| a != "new"),
            account_name: Some(form.account_name.clone()),
            create_opportunity: Some(form.create_opportunity.is_some()),
            opportunity_name: Some(form.opportunity_name.clone()),
            close_date: Some(form.close_date.clone()),
            amount: Some(form.amount.clone()),
            currency: Some(form.currency.clone()),
        };
        let attempt = match input.parse(&lead.fields(), cx, state.store.now().date()) {
            Ok(request) => state
                .store
                .convert_lead(&caller.viewer(), id, &request)
                .await
                .map(|_| ()),
            Err(e) => Err(StoreError::from(e)),
        };
        match attempt {
            Ok(()) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
            Err(StoreError::Domain(DomainError::Validation(errors))) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                page(
                    &state,
                    &caller,
                    &csrf,
                    lead,
                    form,
                    translate(t, errors),
                    status,
                )
                .await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
