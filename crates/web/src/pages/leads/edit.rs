//! Edit and Save (spec flow 7), and New lead.
//!
//! The edit form carries the version the user started from and, encoded, the
//! values they saw. Saving over someone else's change is refused as a
//! conflict: the form comes back with the user's input kept, a notice of what
//! the other person changed (the values seen then against the values now),
//! and the current version, so saving again is a deliberate choice.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openprm_domain::{
    DomainError, LeadId, PartnerId, QueueId,
    leads::{LeadInput, initial_status},
};
use openprm_store::leads::{Assignment, Lead, may_edit};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, PageId, render},
};

use super::{Labels, input_texts, translate};

/// The form's values, as typed.
#[derive(Clone, Default, Deserialize)]
pub struct LeadForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub company: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub product_interest: String,
    #[serde(default)]
    pub description: String,
    /// Edit: the version the user started from.
    #[serde(default)]
    pub version: String,
    /// Edit: the values the user saw, encoded (see [`encode`]).
    #[serde(default)]
    pub original: String,
    /// New (vendor staff): `auto` (by the assignment rules), `unassigned`,
    /// `queue:<id>` or `partner:<id>`.
    #[serde(default)]
    pub destination: String,
}

impl LeadForm {
    fn from_input(input: &LeadInput) -> LeadForm {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        LeadForm {
            name: text(&input.name),
            company: text(&input.company),
            title: text(&input.title),
            email: text(&input.email),
            phone: text(&input.phone),
            country: text(&input.country),
            postal_code: text(&input.postal_code),
            source: text(&input.source),
            status: text(&input.status),
            rating: text(&input.rating),
            product_interest: text(&input.product_interest),
            description: text(&input.description),
            ..LeadForm::default()
        }
    }

    fn to_input(&self) -> LeadInput {
        let text = |v: &String| Some(v.clone());
        LeadInput {
            name: text(&self.name),
            company: text(&self.company),
            title: text(&self.title),
            email: text(&self.email),
            phone: text(&self.phone),
            country: text(&self.country),
            postal_code: text(&self.postal_code),
            source: text(&self.source),
            status: text(&self.status),
            rating: text(&self.rating),
            product_interest: text(&self.product_interest),
            description: text(&self.description),
        }
    }
}

/// The lead's values as the form carries them, opaque to the user.
fn encode(input: &LeadInput) -> String {
    serde_json::to_vec(input)
        .map(|json| URL_SAFE_NO_PAD.encode(json))
        .unwrap_or_default()
}

fn decode(original: &str) -> Option<LeadInput> {
    let json = URL_SAFE_NO_PAD.decode(original.as_bytes()).ok()?;
    serde_json::from_slice(&json).ok()
}

/// One field someone else changed: its label, their value, who.
pub struct TheirChange {
    pub field: String,
    pub value: String,
    pub by: Option<String>,
}

/// One choice of where a new lead goes.
pub struct Destination {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "lead_form.html")]
pub struct LeadFormPage {
    pub chrome: Chrome,
    pub heading: String,
    pub action: String,
    /// Where Cancel and the link above the heading lead, and that link's text.
    pub cancel: String,
    pub back: String,
    /// Set when editing.
    pub lead_id: Option<String>,
    pub form: LeadForm,
    pub errors: BTreeMap<String, String>,
    /// Set after a conflict: what the other person changed (may be empty
    /// when they changed who holds the lead rather than its fields).
    pub conflict: Option<Vec<TheirChange>>,
    pub statuses: Vec<(String, String)>,
    pub sources: Vec<(String, String)>,
    pub ratings: Vec<(String, String)>,
    pub queues: Vec<Destination>,
    pub partners: Vec<Destination>,
    pub show_destination: bool,
}

impl LeadFormPage {
    /// The message for a field's error, if it has one.
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

struct FormState {
    form: LeadForm,
    errors: BTreeMap<String, String>,
    conflict: Option<Vec<TheirChange>>,
}

async fn edit_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    lead: &Lead,
    input: FormState,
    status: StatusCode,
) -> Result<Response, AppError> {
    let chrome = Chrome::build(state, caller, csrf, "leads", "lead-edit-title").await?;
    let t = chrome.t;
    let labels = Labels::load(state, t).await?;
    let mut response = render(&LeadFormPage {
        heading: t.with("lead-edit-heading", [("name", lead.name.as_str())]),
        action: format!("/leads/{}/edit", lead.id),
        cancel: format!("/leads/{}", lead.id),
        back: lead.name.clone(),
        lead_id: Some(lead.id.to_string()),
        statuses: labels.status_options(&lead.status),
        sources: labels.source_options(),
        ratings: labels.rating_options(),
        queues: Vec::new(),
        partners: Vec::new(),
        show_destination: false,
        chrome,
        form: input.form,
        errors: input.errors,
        conflict: input.conflict,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The form filled in with the lead as it is now.
fn fresh_form(lead: &Lead) -> LeadForm {
    let input = LeadInput::from(&lead.fields());
    LeadForm {
        version: lead.version.to_string(),
        original: encode(&input),
        ..LeadForm::from_input(&input)
    }
}

/// `GET /leads/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let lead = state.store.lead(&viewer, id).await?;
        may_edit(&viewer, &lead)?;
        let input = FormState {
            form: fresh_form(&lead),
            errors: BTreeMap::new(),
            conflict: None,
        };
        edit_page(&state, &caller, &csrf, &lead, input, StatusCode::OK).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// What changed between the values the user saw and the lead now, with who
/// last changed each field according to the timeline.
async fn their_changes(
    state: &AppState,
    caller: &Caller,
    seen: Option<LeadInput>,
    now: &Lead,
    labels: &Labels,
) -> Result<Vec<TheirChange>, AppError> {
    let Some(seen) = seen else {
        return Ok(Vec::new());
    };
    let current = LeadInput::from(&now.fields());
    let events = state.store.lead_timeline(&caller.viewer(), now.id).await?;
    let empty = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    Ok(input_texts(&seen)
        .into_iter()
        .zip(input_texts(&current))
        .filter(|((_, before), (_, after))| empty(*before) != empty(*after))
        .map(|((field, _), (_, after))| TheirChange {
            field: labels.field(field),
            value: labels.value(field, after),
            by: events
                .iter()
                .rev()
                .find(|e| e.kind == "field" && e.field.as_deref() == Some(field))
                .and_then(|e| e.actor_name.clone()),
        })
        .collect())
}

/// `POST /leads/{id}/edit`: Save.
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(form): PageForm<LeadForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let current = state.store.lead(&viewer, id).await?;
        may_edit(&viewer, &current)?;
        let statuses = state.store.lead_statuses().await?;
        let fields = match form.to_input().parse(Some(&current.fields()), &statuses) {
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
        // A version that is not a number cannot be current: it is a conflict.
        let version = form.version.trim().parse::<i64>().unwrap_or(-1);
        match state.store.update_lead(&viewer, id, version, &fields).await {
            Ok(_) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
            Err(openprm_store::StoreError::Domain(DomainError::VersionConflict)) => {
                let now = state.store.lead(&viewer, id).await?;
                let labels = Labels::load(&state, t).await?;
                let changes =
                    their_changes(&state, &caller, decode(&form.original), &now, &labels).await?;
                let fresh = fresh_form(&now);
                let input = FormState {
                    form: LeadForm {
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
    let viewer = caller.viewer();
    let chrome = Chrome::build(state, caller, csrf, "leads", "lead-new-title").await?;
    let t = chrome.t;
    let labels = Labels::load(state, t).await?;
    let vendor = caller.user.role.is_vendor();
    let (queues, partners) = if vendor {
        let queues = state.store.queues(&viewer).await?;
        let partners = state.store.partners(&viewer).await?;
        (
            queues
                .into_iter()
                .map(|q| Destination {
                    value: format!("queue:{}", q.id),
                    label: q.name,
                })
                .collect(),
            partners
                .into_iter()
                .map(|p| Destination {
                    value: format!("partner:{}", p.id),
                    label: p.name,
                })
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let mut response = render(&LeadFormPage {
        heading: t.get("lead-new-title"),
        action: "/leads".to_owned(),
        cancel: "/leads".to_owned(),
        back: t.get("tab-leads"),
        lead_id: None,
        statuses: labels.status_options(""),
        sources: labels.source_options(),
        ratings: labels.rating_options(),
        queues,
        partners,
        show_destination: vendor,
        chrome,
        form: input.form,
        errors: input.errors,
        conflict: None,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /leads/new`
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let statuses = state.store.lead_statuses().await?;
        let form = LeadForm {
            status: initial_status(&statuses)
                .map(|s| s.key.clone())
                .unwrap_or_default(),
            source: "other".to_owned(),
            destination: "auto".to_owned(),
            ..LeadForm::default()
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

/// Where the form says a new lead goes; partner staff's leads are their own.
pub(crate) fn assignment(destination: &str) -> Result<Assignment, DomainError> {
    let bad = || DomainError::field("destination", "error-one-destination");
    match destination.trim() {
        "" | "auto" => Ok(Assignment::Auto),
        "unassigned" => Ok(Assignment::Unassigned),
        other => match other.split_once(':') {
            Some(("queue", id)) => id
                .parse::<QueueId>()
                .map(Assignment::Queue)
                .map_err(|_| bad()),
            Some(("partner", id)) => id
                .parse::<PartnerId>()
                .map(Assignment::Partner)
                .map_err(|_| bad()),
            _ => Err(bad()),
        },
    }
}

/// `POST /leads`: creates the lead and opens it.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<LeadForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let statuses = state.store.lead_statuses().await?;
        let parsed = form.to_input().parse(None, &statuses);
        let place = if caller.user.role.is_vendor() {
            assignment(&form.destination)
        } else {
            Ok(Assignment::Unassigned)
        };
        let attempt = match (parsed, place) {
            (Ok(fields), Ok(place)) => state
                .store
                .create_lead(&caller.viewer(), &fields, place)
                .await
                .map_err(AppError::from),
            (Err(DomainError::Validation(mut errors)), Err(DomainError::Validation(more))) => {
                errors.0.extend(more.0);
                Err(DomainError::Validation(errors).into())
            }
            (Err(e), _) | (_, Err(e)) => Err(e.into()),
        };
        match attempt {
            Ok(lead) => Ok(Redirect::to(&format!("/leads/{}", lead.id)).into_response()),
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                // The store names the destination's parts; the form has one field.
                let mut errors = translate(t, errors);
                for key in ["queue_id", "partner_id", "owner_id"] {
                    if let Some(message) = errors.remove(key) {
                        errors.insert("destination".to_owned(), message);
                    }
                }
                let input = FormState {
                    form,
                    errors,
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
        let input = LeadForm {
            name: "Søren Østergård".into(),
            status: "qualified".into(),
            description: "Line one\nline \"two\"".into(),
            ..LeadForm::default()
        }
        .to_input();
        assert_eq!(decode(&encode(&input)), Some(input));
        assert_eq!(decode("not base64 at all!"), None);
        assert_eq!(decode(""), None);
    }

    #[test]
    fn destinations_parse_or_name_the_field() {
        assert!(matches!(assignment(""), Ok(Assignment::Auto)));
        assert!(matches!(assignment("auto"), Ok(Assignment::Auto)));
        assert!(matches!(
            assignment("unassigned"),
            Ok(Assignment::Unassigned)
        ));
        let queue = QueueId::new();
        assert!(
            matches!(assignment(&format!("queue:{queue}")), Ok(Assignment::Queue(q)) if q == queue)
        );
        let partner = PartnerId::new();
        assert!(
            matches!(assignment(&format!("partner:{partner}")), Ok(Assignment::Partner(p)) if p == partner)
        );
        for bad in ["queue:nope", "user:1", "somewhere"] {
            match assignment(bad) {
                Err(DomainError::Validation(errors)) => {
                    assert_eq!(errors.0["destination"], "error-one-destination");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
