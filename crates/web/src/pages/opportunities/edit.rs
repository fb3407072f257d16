//! New opportunity, and Edit and Save.
//!
//! The edit form carries the version the user started from, the values they
//! saw (encoded) and the list address they came from (`return_to`). Save goes
//! back to that list exactly (view, filters, page), or to the opportunity
//! when there is none; only a local Opportunities address is ever followed.
//! Saving over someone else's change is refused as a conflict: the form comes
//! back with the user's input kept, what the other person changed, and the
//! current version, so saving again is a deliberate choice.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openprm_domain::{
    AccountId, DomainError, FieldErrors, OpportunityId, PartnerId, Role, UserId,
    money::Currency,
    opportunities::{OpportunityFields, OpportunityInput, ParseContext},
};
use openprm_store::{
    opportunities::{Opportunity, Reassignment, may_edit},
    record_list::{RecordQuery, RecordView},
};
use serde::{Deserialize, Serialize};

use crate::{
    AppState,
    api::opportunities::parse_with_ids,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, PageId, leads::translate, render},
};

use super::{Labels, amount, safe_return_to};

/// The form's values, as typed.
#[derive(Clone, Default, Deserialize, Serialize, PartialEq, Eq, Debug)]
pub struct OpportunityForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub account_id: String,
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub close_date: String,
    #[serde(default)]
    pub probability: String,
    #[serde(default)]
    pub next_step: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_id: String,
    /// Edit: the version the user started from.
    #[serde(default, skip_serializing)]
    pub version: String,
    /// Edit: the values the user saw, encoded (see [`encode`]).
    #[serde(default, skip_serializing)]
    pub original: String,
    /// The list to go back to after Save.
    #[serde(default, skip_serializing)]
    pub return_to: String,
}

impl OpportunityForm {
    /// The form filled in with an opportunity as it is now, amounts written
    /// the way the user's language writes them.
    fn of(o: &Opportunity, t: Tr) -> OpportunityForm {
        let input = OpportunityInput::from_fields(&o.fields(), t.locale);
        let text = |v: Option<String>| v.unwrap_or_default();
        let mut form = OpportunityForm {
            name: text(input.name),
            account_id: o.account_id.to_string(),
            stage: text(input.stage),
            amount: text(input.amount),
            currency: text(input.currency),
            close_date: text(input.close_date),
            probability: text(input.probability),
            next_step: text(input.next_step),
            description: text(input.description),
            owner_id: o.owner_id.map(|u| u.to_string()).unwrap_or_default(),
            version: o.version.to_string(),
            original: String::new(),
            return_to: String::new(),
        };
        form.original = encode(&form);
        form
    }

    fn to_input(&self) -> OpportunityInput {
        let text = |v: &String| Some(v.clone());
        OpportunityInput {
            name: text(&self.name),
            stage: text(&self.stage),
            amount: text(&self.amount),
            currency: text(&self.currency),
            close_date: text(&self.close_date),
            probability: text(&self.probability),
            next_step: text(&self.next_step),
            description: text(&self.description),
        }
    }

    /// The account and owner chosen, as ids; an unparsable one is a field error.
    fn ids(&self) -> (Option<AccountId>, Option<UserId>, FieldErrors) {
        let mut errors = FieldErrors::new();
        let mut id = |field: &str, raw: &str, key: &str| match raw.trim() {
            "" => None,
            v => v.parse().map_err(|_| errors.add(field, key)).ok(),
        };
        let account = id(
            "account_id",
            &self.account_id,
            "opportunity-error-account-unknown",
        )
        .map(AccountId);
        let owner = id(
            "owner_id",
            &self.owner_id,
            "opportunity-error-owner-unknown",
        )
        .map(UserId);
        (account, owner, errors)
    }
}

/// The values a user saw, opaque to them.
fn encode(form: &OpportunityForm) -> String {
    serde_json::to_vec(form)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .unwrap_or_default()
}

fn decode(original: &str) -> Option<OpportunityForm> {
    let json = URL_SAFE_NO_PAD.decode(original.as_bytes()).ok()?;
    serde_json::from_slice(&json).ok()
}

/// One field someone else changed: its label, their value, who.
pub struct TheirChange {
    pub field: String,
    pub value: String,
    pub by: Option<String>,
}

#[derive(Template)]
#[template(path = "opportunity_form.html")]
pub struct OpportunityFormPage {
    pub chrome: Chrome,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub back: String,
    pub editing: bool,
    pub form: OpportunityForm,
    pub errors: BTreeMap<String, String>,
    pub conflict: Option<Vec<TheirChange>>,
    pub stages: Vec<(String, String)>,
    pub currencies: Vec<&'static str>,
    pub accounts: Vec<(String, String)>,
    /// Who may own it; empty when the caller cannot choose (partner users).
    pub owners: Vec<(String, String)>,
    /// Vendor staff creating: an empty owner means the account's owner.
    pub owner_default_label: Option<String>,
}

impl OpportunityFormPage {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

struct FormState {
    form: OpportunityForm,
    errors: BTreeMap<String, String>,
    conflict: Option<Vec<TheirChange>>,
}

/// Accounts the caller may put an opportunity on (of `partner`, when given),
/// by name; `keep` is listed even when beyond the first page.
async fn account_options(
    state: &AppState,
    caller: &Caller,
    partner: Option<PartnerId>,
    keep: Option<(&str, &str)>,
) -> Result<Vec<(String, String)>, AppError> {
    let query = RecordQuery {
        view: RecordView::All,
        search: None,
        limit: openprm_store::record_list::MAX_PAGE,
        cursor: None,
    };
    let page = state.store.list_accounts(&caller.viewer(), &query).await?;
    let mut options: Vec<(String, String)> = page
        .accounts
        .into_iter()
        .filter(|a| a.partner_id.is_some() && (partner.is_none() || a.partner_id == partner))
        .map(|a| (a.id.to_string(), a.name))
        .collect();
    if let Some((id, name)) = keep
        && !options.iter().any(|(k, _)| k == id)
    {
        options.insert(0, (id.to_owned(), name.to_owned()));
    }
    Ok(options)
}

/// People who may own an opportunity (of `partner`, when given), as the
/// caller may choose them: none for partner users.
async fn owner_options(
    state: &AppState,
    caller: &Caller,
    partner: Option<PartnerId>,
) -> Result<Vec<(String, String)>, AppError> {
    if caller.user.role == Role::PartnerUser {
        return Ok(Vec::new());
    }
    let partner = partner.or(caller.user.partner_id);
    let users = state.store.users(&caller.viewer(), partner).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.active && u.role.is_partner())
        .map(|u| {
            let label = match (&u.partner_name, partner) {
                (Some(p), None) => format!("{} ({p})", u.name),
                _ => u.name,
            };
            (u.id.to_string(), label)
        })
        .collect())
}

async fn parse_context(
    state: &AppState,
) -> Result<
    (
        Vec<openprm_domain::opportunity_stages::OpportunityStage>,
        Currency,
    ),
    AppError,
> {
    Ok((
        state.store.opportunity_stages().await?,
        state.store.default_currency().await?,
    ))
}

async fn edit_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    o: &Opportunity,
    input: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = Chrome::build(
        state,
        caller,
        csrf,
        "opportunities",
        "opportunity-edit-title",
    )
    .await?;
    let t = chrome.t;
    let labels = Labels::load(state, t).await?;
    let opportunity_page = format!("/opportunities/{}", o.id);
    let cancel = safe_return_to(&input.form.return_to)
        .map(str::to_owned)
        .unwrap_or_else(|| opportunity_page.clone());
    let account_id = o.account_id.to_string();
    let accounts = account_options(
        state,
        caller,
        o.partner_id,
        Some((&account_id, &o.account_name)),
    )
    .await?;
    let owners = match o.partner_id {
        Some(partner) => owner_options(state, caller, Some(partner)).await?,
        None => Vec::new(),
    };
    let mut response = render(&OpportunityFormPage {
        heading: t.with("opportunity-edit-heading", [("name", o.name.as_str())]),
        action: format!("/opportunities/{}/edit", o.id),
        cancel,
        back: o.name.clone(),
        editing: true,
        stages: labels.stage_options(&o.stage),
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        accounts,
        owners,
        owner_default_label: None,
        chrome,
        form: input.form,
        errors: input.errors,
        conflict: input.conflict,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// What the address of New or Edit may say: the list to return to, and (New)
/// the account to start on.
#[derive(Default)]
pub struct ReturnTo {
    pub return_to: String,
    pub account_id: String,
}

impl ReturnTo {
    fn of(query: Option<String>) -> ReturnTo {
        let mut out = ReturnTo::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "return_to" => out.return_to = value.into_owned(),
                "account_id" => out.account_id = value.into_owned(),
                _ => {}
            }
        }
        out
    }
}

/// `GET /opportunities/{id}/edit?return_to=`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let o = state.store.opportunity(&viewer, id).await?;
        may_edit(&viewer, &o)?;
        let return_to = ReturnTo::of(query).return_to;
        let form = OpportunityForm {
            return_to: safe_return_to(&return_to).unwrap_or("").to_owned(),
            ..OpportunityForm::of(&o, t)
        };
        let input = FormState {
            form,
            errors: BTreeMap::new(),
            conflict: None,
        };
        edit_page(&state, &caller, &csrf, &o, input, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// What changed between the values the user saw and the opportunity now,
/// with who last changed each field according to the timeline.
async fn their_changes(
    state: &AppState,
    caller: &Caller,
    seen: Option<OpportunityForm>,
    now: &Opportunity,
    labels: &Labels,
) -> Result<Vec<TheirChange>, AppError> {
    let Some(seen) = seen else {
        return Ok(Vec::new());
    };
    let current = OpportunityForm::of(now, labels.t);
    let events = state
        .store
        .opportunity_timeline(&caller.viewer(), now.id)
        .await?;
    let pairs = [
        ("name", &seen.name, &current.name, now.name.clone()),
        (
            "account",
            &seen.account_id,
            &current.account_id,
            now.account_name.clone(),
        ),
        (
            "stage",
            &seen.stage,
            &current.stage,
            labels.stage(&now.stage),
        ),
        (
            "amount",
            &seen.amount,
            &current.amount,
            amount(now, labels.t.locale),
        ),
        (
            "currency",
            &seen.currency,
            &current.currency,
            now.currency.code().to_owned(),
        ),
        (
            "close_date",
            &seen.close_date,
            &current.close_date,
            current.close_date.clone(),
        ),
        (
            "probability",
            &seen.probability,
            &current.probability,
            format!("{} %", now.probability),
        ),
        (
            "next_step",
            &seen.next_step,
            &current.next_step,
            labels.value("next_step", now.next_step.as_deref()),
        ),
        (
            "description",
            &seen.description,
            &current.description,
            labels.value("description", now.description.as_deref()),
        ),
        (
            "owner",
            &seen.owner_id,
            &current.owner_id,
            now.owner_name.clone().unwrap_or_default(),
        ),
    ];
    Ok(pairs
        .into_iter()
        .filter(|(_, before, after, _)| before.trim() != after.trim())
        .map(|(field, _, _, value)| TheirChange {
            field: labels.field(field),
            value,
            by: events
                .iter()
                .rev()
                .find(|e| e.kind == "field" && e.field.as_deref() == Some(field))
                .and_then(|e| e.actor_name.clone()),
        })
        .collect())
}

/// `POST /opportunities/{id}/edit`: Save, then back to the list it came from.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    PageForm(form): PageForm<OpportunityForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let current = state.store.opportunity(&viewer, id).await?;
        may_edit(&viewer, &current)?;
        let (stages, default_currency) = parse_context(&state).await?;
        let cx = ParseContext {
            stages: &stages,
            default_currency,
            locale: t.locale,
        };
        let (account_id, owner_id, id_errors) = form.ids();
        let parsed = parse_with_ids(
            form.to_input().parse(Some(&current.fields()), cx),
            id_errors,
        );
        let fields: OpportunityFields = match parsed {
            Ok(fields) => fields,
            Err(DomainError::Validation(errors)) => {
                let input = FormState {
                    form,
                    errors: translate(t, errors),
                    conflict: None,
                };
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return edit_page(&state, &caller, &csrf, &current, input, status).await;
            }
            Err(e) => return Err(e.into()),
        };
        // A partner user's form has no owner to choose: theirs stays.
        let owner_id = owner_id.filter(|_| caller.user.role != Role::PartnerUser);
        let reassignment = Reassignment {
            account_id,
            owner_id,
        };
        // A version that is not a number cannot be current: it is a conflict.
        let version = form.version.trim().parse::<i64>().unwrap_or(-1);
        match state
            .store
            .update_opportunity(&viewer, id, version, &fields, reassignment)
            .await
        {
            Ok(_) => {
                let to = safe_return_to(&form.return_to)
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("/opportunities/{id}"));
                Ok(Redirect::to(&to).into_response())
            }
            Err(openprm_store::StoreError::Domain(DomainError::VersionConflict)) => {
                let now = state.store.opportunity(&viewer, id).await?;
                let labels = Labels::load(&state, t).await?;
                let changes =
                    their_changes(&state, &caller, decode(&form.original), &now, &labels).await?;
                let fresh = OpportunityForm::of(&now, t);
                let input = FormState {
                    form: OpportunityForm {
                        version: fresh.version,
                        original: fresh.original,
                        ..form
                    },
                    errors: BTreeMap::new(),
                    conflict: Some(changes),
                };
                edit_page(&state, &caller, &csrf, &now, input, StatusCode::CONFLICT).await
            }
            Err(openprm_store::StoreError::Domain(DomainError::Validation(errors))) => {
                let input = FormState {
                    form,
                    errors: translate(t, errors),
                    conflict: None,
                };
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                edit_page(&state, &caller, &csrf, &current, input, status).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

async fn new_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    input: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = Chrome::build(
        state,
        caller,
        csrf,
        "opportunities",
        "opportunity-new-title",
    )
    .await?;
    let t = chrome.t;
    let labels = Labels::load(state, t).await?;
    let cancel = safe_return_to(&input.form.return_to)
        .unwrap_or("/opportunities")
        .to_owned();
    let accounts = account_options(state, caller, None, None).await?;
    let owners = owner_options(state, caller, None).await?;
    let owner_default_label = match caller.user.role {
        Role::PartnerUser => None,
        Role::PartnerManager => Some(t.get("opportunity-owner-self")),
        Role::Admin | Role::ChannelManager => Some(t.get("opportunity-choose-owner")),
    };
    let mut response = render(&OpportunityFormPage {
        heading: t.get("opportunity-new-title"),
        action: "/opportunities".to_owned(),
        cancel,
        back: t.get("tab-opportunities"),
        editing: false,
        stages: labels.stage_options(""),
        currencies: Currency::ALL.iter().map(|c| c.code()).collect(),
        accounts,
        owners,
        owner_default_label,
        chrome,
        form: input.form,
        errors: input.errors,
        conflict: None,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /opportunities/new?return_to=&account_id=`
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let (stages, default_currency) = parse_context(&state).await?;
        let query = ReturnTo::of(query);
        let first = openprm_domain::opportunity_stages::initial_stage(&stages);
        let form = OpportunityForm {
            stage: first.map(|s| s.key.clone()).unwrap_or_default(),
            probability: first.map(|s| s.probability.to_string()).unwrap_or_default(),
            currency: default_currency.code().to_owned(),
            account_id: query.account_id,
            return_to: safe_return_to(&query.return_to).unwrap_or("").to_owned(),
            ..OpportunityForm::default()
        };
        let input = FormState {
            form,
            errors: BTreeMap::new(),
            conflict: None,
        };
        new_page(&state, &caller, &csrf, input, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /opportunities`: creates the opportunity and opens it.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<OpportunityForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let (stages, default_currency) = parse_context(&state).await?;
        let cx = ParseContext {
            stages: &stages,
            default_currency,
            locale: t.locale,
        };
        let (account_id, owner_id, mut id_errors) = form.ids();
        if account_id.is_none() && !id_errors.0.contains_key("account_id") {
            id_errors.add("account_id", "error-required");
        }
        let attempt = match (
            parse_with_ids(form.to_input().parse(None, cx), id_errors),
            account_id,
        ) {
            (Ok(fields), Some(account)) => state
                .store
                .create_opportunity(&caller.viewer(), &fields, account, owner_id)
                .await
                .map_err(AppError::from),
            (Ok(_), None) => Err(DomainError::field("account_id", "error-required").into()),
            (Err(e), _) => Err(e.into()),
        };
        match attempt {
            Ok(o) => Ok(Redirect::to(&format!("/opportunities/{}", o.id)).into_response()),
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                let input = FormState {
                    form,
                    errors: translate(t, errors),
                    conflict: None,
                };
                new_page(
                    &state,
                    &caller,
                    &csrf,
                    input,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seen_values_survive_the_round_trip_through_the_form() {
        let form = OpportunityForm {
            name: "Blåbær \"pilot\"".into(),
            amount: "12.500,50".into(),
            version: "3".into(),
            return_to: "/opportunities?view=won".into(),
            ..OpportunityForm::default()
        };
        let back = decode(&encode(&form)).unwrap();
        assert_eq!(back.name, form.name);
        assert_eq!(back.amount, form.amount);
        assert_eq!(back.version, "", "only the values are carried");
        assert_eq!(decode("not base64 at all!"), None);
    }

    #[test]
    fn ids_that_cannot_be_parsed_are_field_errors() {
        let form = OpportunityForm {
            account_id: "nope".into(),
            owner_id: String::new(),
            ..OpportunityForm::default()
        };
        let (account, owner, errors) = form.ids();
        assert_eq!((account, owner), (None, None));
        assert_eq!(
            errors.0.get("account_id").map(String::as_str),
            Some("opportunity-error-account-unknown")
        );
    }
}
