//! The opportunity page: every field, a link to its account, and its
//! timeline, newest first, with a note form.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, OpportunityId, deal_help::DealRef, opportunities::date_text};
use openprm_store::opportunities::{Opportunity, may_edit, timeline::OpportunityEvent};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{
        Chrome, PageError, PageForm, PageId,
        deal_help::{DealHelpView, HelpRequestView},
        leads::{moment, translate},
        render,
    },
};

use super::{Labels, amount};

/// A field change in the timeline.
pub struct Change {
    pub old: String,
    pub new: String,
}

/// One timeline entry as shown.
pub struct EventView {
    pub kind: String,
    pub when: String,
    pub who: String,
    pub what: String,
    pub change: Option<Change>,
    pub text: Option<String>,
}

#[derive(Template)]
#[template(path = "opportunity.html")]
pub struct OpportunityPage {
    pub chrome: Chrome,
    pub opportunity: Opportunity,
    pub stage: String,
    pub amount: String,
    pub close_date: String,
    pub created: String,
    pub updated: String,
    pub timeline: Vec<EventView>,
    pub may_edit: bool,
    pub note: String,
    pub errors: BTreeMap<String, String>,
    /// Help, resources and "View as of".
    pub help: DealHelpView,
}

pub(crate) fn event_view(event: &OpportunityEvent, labels: &Labels) -> EventView {
    let t = labels.t;
    let field = event.field.as_deref().unwrap_or("");
    let (what, change, text) = match event.kind.as_str() {
        "field" => (
            t.with(
                "opportunity-timeline-field",
                [("field", labels.field(field).to_lowercase())],
            ),
            Some(Change {
                old: labels.value(field, event.old_value.as_deref()),
                new: labels.value(field, event.new_value.as_deref()),
            }),
            None,
        ),
        "note" => (
            t.get("opportunity-timeline-note"),
            None,
            event.new_value.clone(),
        ),
        kind @ ("help" | "help_answer" | "resource") => (
            t.get(&format!("timeline-{kind}")),
            None,
            event.new_value.clone(),
        ),
        "created" => {
            let key = match event.new_value.as_deref() {
                Some("lead") => "opportunity-timeline-created-lead",
                Some("registration") => "opportunity-timeline-created-registration",
                _ => "opportunity-timeline-created",
            };
            (t.get(key), None, None)
        }
        other => (other.to_owned(), None, None),
    };
    EventView {
        kind: event.kind.clone(),
        when: moment(event.at),
        who: event
            .actor_name
            .clone()
            .unwrap_or_else(|| t.get("opportunity-timeline-someone")),
        what,
        change,
        text,
    }
}

/// The timeline newest first, except that the fields one Save changed keep
/// the order of the form.
pub(crate) fn newest_first(events: &[OpportunityEvent]) -> Vec<&OpportunityEvent> {
    let mut saves: Vec<Vec<&OpportunityEvent>> = Vec::new();
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

/// Renders the page; `note` and `errors` come from a note that needs another look.
pub async fn opportunity_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: OpportunityId,
    note: String,
    errors: BTreeMap<String, String>,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let opportunity = state.store.opportunity(&viewer, id).await?;
    state
        .store
        .touch_recent(caller.user.id, "opportunity", opportunity.id.0)
        .await?;
    let events = state.store.opportunity_timeline(&viewer, id).await?;
    let chrome = Chrome::build(state, caller, csrf, "opportunities", "opportunity-title").await?;
    let labels = Labels::load(state, chrome.t).await?;
    let timeline = newest_first(&events)
        .into_iter()
        .map(|e| event_view(e, &labels))
        .collect();
    let request = HelpRequestView::latest(
        events.iter().map(|e| {
            (
                e.kind.as_str(),
                e.new_value.as_deref(),
                e.actor_name.as_deref(),
                e.at,
            )
        }),
        chrome.t,
    );
    let help =
        DealHelpView::load(state, &viewer, DealRef::Opportunity(id), request, chrome.t).await?;
    let failed = !errors.is_empty();
    let mut response = render(&OpportunityPage {
        help,
        stage: labels.stage(&opportunity.stage),
        amount: amount(&opportunity, chrome.t.locale),
        close_date: date_text(opportunity.close_date),
        created: moment(opportunity.created_at),
        updated: moment(opportunity.updated_at),
        timeline,
        may_edit: may_edit(&viewer, &opportunity).is_ok(),
        chrome,
        opportunity,
        note,
        errors,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// `GET /opportunities/{id}`; opening it puts it in Recent Items.
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    opportunity_page(&state, &caller, &csrf, id, String::new(), BTreeMap::new())
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[derive(Default, Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    pub text: String,
}

/// `POST /opportunities/{id}/notes`
pub async fn add_note(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    PageForm(form): PageForm<NoteForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = match state
        .store
        .add_opportunity_note(&caller.viewer(), id, &form.text)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/opportunities/{id}#timeline")).into_response()),
        Err(openprm_store::StoreError::Domain(DomainError::Validation(errors))) => {
            opportunity_page(&state, &caller, &csrf, id, form.text, translate(t, errors)).await
        }
        Err(e) => Err(e.into()),
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}
