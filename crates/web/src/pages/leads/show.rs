//! The lead page (spec flow 7): every field, where the lead stands, and its
//! timeline, newest first; with a note form, Release for a claimed lead, and
//! Accept or Decline-with-reason for a lead waiting in the caller's inbox.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, LeadId, Viewer, deal_help::DealRef};
use openprm_store::{
    StoreError,
    leads::{Lead, LeadState, claims::DeclineReason, may_edit, timeline::LeadEvent},
};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{
        Chrome, PageError, PageForm, PageId,
        deal_help::{DealHelpView, HelpRequestView},
        render,
    },
};

use super::{Labels, Notice, date, may_accept, may_decline, may_release, moment, translate};

/// A field change in the timeline.
pub struct Change {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// A record the lead was converted into: its kind's label and, when the
/// caller may open it, its name and address.
pub struct ConvertedLink {
    /// The element id: `converted-account`, `converted-contact`, `converted-opportunity`.
    pub id: &'static str,
    pub label: String,
    /// `(name, href)`, or `None` when the record is outside the caller's view.
    pub link: Option<(String, String)>,
}

/// One timeline entry as shown.
pub struct EventView {
    pub kind: String,
    pub when: String,
    pub who: String,
    pub what: String,
    pub change: Option<Change>,
    /// A note's text, or a decline's note.
    pub text: Option<String>,
}

#[derive(Template)]
#[template(path = "lead.html")]
pub struct LeadPage {
    pub chrome: Chrome,
    pub lead: Lead,
    pub status: String,
    pub source: String,
    pub rating: Option<(&'static str, String)>,
    pub state: String,
    pub created: String,
    pub updated: String,
    pub claimed: Option<String>,
    pub timeline: Vec<EventView>,
    pub may_edit: bool,
    pub may_accept: bool,
    pub may_decline: bool,
    pub may_release: bool,
    /// A qualified lead the caller may edit: the Convert button.
    pub may_convert: bool,
    /// Where a refused Accept returns: the list the lead is waiting in.
    pub accept_from: String,
    /// The account, contact and opportunity a converted lead became.
    pub converted: Vec<ConvertedLink>,
    pub converted_on: Option<String>,
    pub reasons: Vec<(String, String)>,
    pub input: ActionInput,
    pub errors: BTreeMap<String, String>,
    pub notice: Option<Notice>,
    /// Help, resources and "View as of".
    pub help: DealHelpView,
}

/// What was typed into the page's forms, kept when one is shown again.
#[derive(Default, Deserialize)]
pub struct ActionInput {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

pub(crate) fn event_view(event: &LeadEvent, labels: &Labels) -> EventView {
    let t = labels.t;
    let field = event.field.as_deref().unwrap_or("");
    let (what, change, text) = match event.kind.as_str() {
        "field" => (
            // The field's name inside a sentence: "Changed status".
            t.with(
                "timeline-field",
                [("field", labels.field(field).to_lowercase())],
            ),
            Some(Change {
                field: labels.field(field),
                old: labels.value(field, event.old_value.as_deref()),
                new: labels.value(field, event.new_value.as_deref()),
            }),
            None,
        ),
        "note" => (t.get("timeline-note"), None, event.new_value.clone()),
        kind @ ("help" | "help_answer" | "resource") => (
            t.get(&format!("timeline-{kind}")),
            None,
            event.new_value.clone(),
        ),
        "decline" => {
            let reason = event
                .new_value
                .as_deref()
                .map(|r| t.get(&format!("lead-reason-{r}")));
            let what = match reason {
                Some(reason) => t.with("timeline-decline-reason", [("reason", reason)]),
                None => t.get("timeline-decline"),
            };
            (what, None, event.old_value.clone())
        }
        "stale_warning" => {
            let returns = event.new_value.as_deref().and_then(|v| {
                OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).ok()
            });
            let what = match returns {
                Some(at) => t.with("timeline-stale_warning", [("date", moment(at))]),
                None => t.get("timeline-stale_warning-soon"),
            };
            (what, None, None)
        }
        "routed" => {
            let what = match event.new_value.as_deref() {
                Some(openprm_domain::assignment_rules::FALLBACK) => {
                    t.get("timeline-routed-fallback")
                }
                Some(rule) => t.with("timeline-routed-rule", [("rule", rule)]),
                // Another company's placement: by which rule stays hidden.
                None => t.get("timeline-routed"),
            };
            (what, None, None)
        }
        "rerouted" => {
            let why = event.new_value.as_deref().unwrap_or("response_time");
            (t.get(&format!("timeline-rerouted-{why}")), None, None)
        }
        kind @ ("created" | "claim" | "release" | "accept" | "stale_return" | "converted") => {
            (t.get(&format!("timeline-{kind}")), None, None)
        }
        other => (other.to_owned(), None, None),
    };
    EventView {
        kind: event.kind.clone(),
        when: moment(event.at),
        who: match (
            &event.actor_name,
            event.kind.starts_with("stale_") || event.kind.ends_with("routed"),
        ) {
            (Some(name), _) => name.clone(),
            // The stale-claim and response-time jobs act on their own.
            (None, true) => t.get("timeline-system"),
            // Someone of another company: who stays hidden.
            (None, false) => t.get("timeline-someone"),
        },
        what,
        change,
        text,
    }
}

/// The timeline newest first, except that the fields one Save changed keep
/// the order of the form.
pub(crate) fn newest_first(events: &[LeadEvent]) -> Vec<&LeadEvent> {
    let mut saves: Vec<Vec<&LeadEvent>> = Vec::new();
    for event in events {
        match saves.last_mut() {
            Some(save)
                if event.kind == "field"
                    && save[0].kind == "field"
                    && save[0].at == event.at
                    && save[0].actor_id == event.actor_id =>
            {
                save.push(event);
            }
            _ => saves.push(vec![event]),
        }
    }
    saves.into_iter().rev().flatten().collect()
}

/// A record's name and address, or `None` when the caller may not see it.
fn visible<T>(
    result: Result<T, StoreError>,
    name: impl FnOnce(T) -> String,
    href: String,
) -> Result<Option<(String, String)>, AppError> {
    match result {
        Ok(record) => Ok(Some((name(record), href))),
        Err(StoreError::Domain(DomainError::NotFound | DomainError::Forbidden)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// What the lead was converted into, each read with the caller's visibility.
async fn converted_links(
    state: &AppState,
    viewer: &Viewer,
    lead: &Lead,
    t: Tr,
) -> Result<Vec<ConvertedLink>, AppError> {
    let mut links = Vec::new();
    if let Some(id) = lead.converted_account_id {
        links.push(ConvertedLink {
            id: "converted-account",
            label: t.get("convert-done-account"),
            link: visible(
                state.store.account(viewer, id).await,
                |a| a.name,
                format!("/accounts/{id}"),
            )?,
        });
    }
    if let Some(id) = lead.converted_contact_id {
        links.push(ConvertedLink {
            id: "converted-contact",
            label: t.get("convert-done-contact"),
            link: visible(
                state.store.contact(viewer, id).await,
                |c| c.name,
                format!("/contacts/{id}"),
            )?,
        });
    }
    if let Some(id) = lead.converted_opportunity_id {
        links.push(ConvertedLink {
            id: "converted-opportunity",
            label: t.get("convert-done-opportunity"),
            link: visible(
                state.store.opportunity(viewer, id).await,
                |o| o.name,
                format!("/opportunities/{id}"),
            )?,
        });
    }
    Ok(links)
}

/// Renders the lead page; `input`, `errors` and `notice` come from a form
/// that needs another look.
pub async fn lead_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: LeadId,
    input: ActionInput,
    errors: BTreeMap<String, String>,
    notice: Option<Notice>,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let lead = state.store.lead(&viewer, id).await?;
    state
        .store
        .touch_recent(caller.user.id, "lead", lead.id.0)
        .await?;
    let events = state.store.lead_timeline(&viewer, id).await?;
    let chrome = Chrome::build(state, caller, csrf, "leads", "lead-title").await?;
    let t = chrome.t;
    let labels = Labels::load(state, t).await?;
    let timeline = newest_first(&events)
        .into_iter()
        .map(|e| event_view(e, &labels))
        .collect();
    let accept_from = match (lead.state, lead.queue_id) {
        (LeadState::InQueue, Some(queue)) => format!("/leads?view=queue%3A{queue}"),
        _ => "/leads?view=inbox".to_owned(),
    };
    let converted = converted_links(state, &viewer, &lead, t).await?;
    let request = HelpRequestView::latest(
        events.iter().map(|e| {
            (
                e.kind.as_str(),
                e.new_value.as_deref(),
                e.actor_name.as_deref(),
                e.at,
            )
        }),
        t,
    );
    let help = DealHelpView::load(state, &viewer, DealRef::Lead(id), request, t).await?;
    let failed = !errors.is_empty();
    let mut response = render(&LeadPage {
        help,
        converted,
        converted_on: lead
            .converted_at
            .map(|at| t.with("convert-done-on", [("date", date(at))])),
        status: labels.status(&lead.status),
        source: labels.source(lead.source),
        rating: lead.rating.map(|r| (r.as_str(), labels.rating(r))),
        state: labels.state(&lead),
        created: moment(lead.created_at),
        updated: moment(lead.updated_at),
        claimed: lead.claimed_at.map(moment),
        timeline,
        may_edit: may_edit(&viewer, &lead).is_ok(),
        may_accept: may_accept(&viewer, &lead),
        may_decline: may_decline(&viewer, &lead),
        may_release: may_release(&viewer, &lead),
        may_convert: state
            .store
            .check_lead_convertible(&viewer, &lead)
            .await
            .is_ok(),
        accept_from,
        reasons: DeclineReason::ALL
            .into_iter()
            .map(|r| {
                (
                    r.as_str().to_owned(),
                    t.get(&format!("lead-reason-{}", r.as_str())),
                )
            })
            .collect(),
        chrome,
        lead,
        input,
        errors,
        notice: notice.clone(),
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    } else if notice.is_some_and(|n| n.kind == "error") {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

/// `GET /leads/{id}`; opening a lead puts it in Recent Items.
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    lead_page(
        &state,
        &caller,
        &csrf,
        id,
        ActionInput::default(),
        BTreeMap::new(),
        None,
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// Shows the lead page again for a form whose input needs another look
/// (422 with the errors inline) or whose action was refused (a notice); any
/// other error is an error page.
async fn again(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: LeadId,
    input: ActionInput,
    error: AppError,
) -> Result<Response, AppError> {
    let t = Tr::new(caller.user.locale);
    match error {
        AppError::Domain(DomainError::Validation(fields)) => {
            lead_page(state, caller, csrf, id, input, translate(t, fields), None).await
        }
        AppError::Domain(
            DomainError::Invalid(_)
            | DomainError::LeadAlreadyClaimed
            | DomainError::VersionConflict,
        ) => {
            let text = match &error {
                AppError::Domain(DomainError::Invalid(key)) => t.get(key),
                AppError::Domain(DomainError::VersionConflict) => t.get("error-version-conflict"),
                _ => t.get("error-lead-already-claimed"),
            };
            lead_page(
                state,
                caller,
                csrf,
                id,
                input,
                BTreeMap::new(),
                Some(Notice::error(text)),
            )
            .await
        }
        other => Err(other),
    }
}

/// `POST /leads/{id}/notes`
pub async fn add_note(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(input): PageForm<ActionInput>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = match state
        .store
        .add_lead_note(&caller.viewer(), id, &input.text)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/leads/{id}#timeline")).into_response()),
        Err(e) => again(&state, &caller, &csrf, id, input, e.into()).await,
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /leads/{id}/release`: back to its queue; the caller returns to My Leads.
pub async fn release(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = match state.store.release_lead(&caller.viewer(), id).await {
        Ok(_) => Ok(Redirect::to("/leads?done=released").into_response()),
        Err(e) => again(&state, &caller, &csrf, id, ActionInput::default(), e.into()).await,
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /leads/{id}/decline` with a reason and an optional note.
pub async fn decline(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(input): PageForm<ActionInput>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let Some(reason) = DeclineReason::parse(input.reason.trim()) else {
            let error = DomainError::field("reason", "error-reason-unknown").into();
            return again(&state, &caller, &csrf, id, input, error).await;
        };
        match state
            .store
            .decline_lead(&caller.viewer(), id, reason, Some(&input.note))
            .await
        {
            Ok(()) => Ok(Redirect::to("/leads?view=inbox&done=declined").into_response()),
            Err(e) => again(&state, &caller, &csrf, id, input, e.into()).await,
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
