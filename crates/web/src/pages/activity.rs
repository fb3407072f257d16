//! The Activity page (spec flow 11): vendor staff's live feed of their
//! partners' deal activity, filterable by partner and kind, older pages by
//! keyset. It refreshes itself when live.js reports a lead or opportunity
//! event (htmx attributes on the feed); without JavaScript it is a plain page.

use askama::Template;
use axum::{
    Extension,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, activity::ActivityKind};
use openprm_store::activity::ActivityEntry;

use crate::{
    AppState,
    api::activity::{ActivityParams, parse},
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, leads, leads::moment, opportunities, render},
};

/// One entry as shown.
pub struct EntryView {
    pub kind: String,
    pub href: String,
    pub title: String,
    pub record_label: String,
    pub what: String,
    pub change: Option<(String, String)>,
    pub text: Option<String>,
    pub who: String,
    pub partner: Option<String>,
    pub when: String,
}

#[derive(Template)]
#[template(path = "activity.html")]
pub struct ActivityPageView {
    pub chrome: Chrome,
    pub partners: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
    pub partner: String,
    pub kind: String,
    pub activity_entries: Vec<EntryView>,
    pub next_href: Option<String>,
    /// This page's own address, which the live refresh asks for again.
    pub current_url: String,
    pub error: Option<String>,
}

fn entry_view(
    e: ActivityEntry,
    lead_labels: &leads::Labels,
    opportunity_labels: &opportunities::Labels,
    t: Tr,
) -> EntryView {
    let field = e.field.clone().unwrap_or_default();
    let lead = e.record == "lead";
    let (field_label, old, new) = if lead {
        (
            lead_labels.field(&field),
            lead_labels.value(&field, e.old_value.as_deref()),
            lead_labels.value(&field, e.new_value.as_deref()),
        )
    } else {
        (
            opportunity_labels.field(&field),
            opportunity_labels.value(&field, e.old_value.as_deref()),
            opportunity_labels.value(&field, e.new_value.as_deref()),
        )
    };
    let (what, change, text) = match e.kind.as_str() {
        "field" => (
            t.with(
                "activity-entry-field",
                [("field", field_label.to_lowercase())],
            ),
            Some((old, new)),
            None,
        ),
        "note" | "help" | "help_answer" | "resource" => (
            t.get(&format!("activity-entry-{}", e.kind)),
            None,
            e.new_value.clone(),
        ),
        "converted" | "created" | "routed" | "claim" | "accept" | "release" | "decline"
        | "stale_warning" | "stale_return" => {
            (t.get(&format!("activity-entry-{}", e.kind)), None, None)
        }
        other => (other.replace('_', " "), None, None),
    };
    EntryView {
        href: e.href,
        title: e.title,
        record_label: t.get(if lead {
            "activity-record-lead"
        } else {
            "activity-record-opportunity"
        }),
        what,
        change,
        text,
        who: e.actor_name.unwrap_or_else(|| t.get("timeline-system")),
        partner: e.partner_name,
        when: moment(e.at),
        kind: e.kind,
    }
}

/// How many entries Home's Recent activity card shows.
const HOME_ENTRIES: u32 = 6;

/// The newest entries for Home's Recent activity card, in the caller's
/// language (see `Store::recent_activity` for whose they are).
pub async fn home_entries(
    state: &AppState,
    caller: &Caller,
    t: Tr,
) -> Result<Vec<EntryView>, AppError> {
    let entries = state
        .store
        .recent_activity(&caller.viewer(), HOME_ENTRIES)
        .await?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let lead_labels = leads::Labels::load(state, t).await?;
    let opportunity_labels = opportunities::Labels::load(state, t).await?;
    Ok(entries
        .into_iter()
        .map(|e| entry_view(e, &lead_labels, &opportunity_labels, t))
        .collect())
}

/// The page's address with these filters and page.
fn href(params: &ActivityParams, before: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(p) = params.partner.as_deref().filter(|p| !p.is_empty()) {
        query.append_pair("partner", p);
    }
    if let Some(k) = params.kind.as_deref().filter(|k| !k.is_empty()) {
        query.append_pair("kind", k);
    }
    if let Some(b) = before {
        query.append_pair("before", b);
    }
    let query = query.finish();
    if query.is_empty() {
        "/activity".to_owned()
    } else {
        format!("/activity?{query}")
    }
}

/// `GET /activity` (vendor staff; partner staff: not found).
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    Query(params): Query<ActivityParams>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        if viewer.role.is_partner() {
            return Err(AppError::Domain(DomainError::NotFound));
        }
        let chrome = Chrome::build(&state, &caller, &csrf, "dashboard", "activity-title").await?;
        let t = chrome.t;
        let (query, error) = match parse(&params) {
            Ok(query) => (Some(query), None),
            Err(AppError::Domain(DomainError::Validation(fields))) => {
                let message = fields
                    .0
                    .values()
                    .next()
                    .map(|k| t.get(k))
                    .unwrap_or_default();
                (None, Some(message))
            }
            Err(e) => return Err(e),
        };
        let page = match &query {
            Some(q) => match state.store.activity(&viewer, q).await {
                Ok(page) => Some(page),
                Err(openprm_store::StoreError::Domain(DomainError::Validation(fields))) => {
                    let message = fields
                        .0
                        .values()
                        .next()
                        .map(|k| t.get(k))
                        .unwrap_or_default();
                    return render_page(&state, chrome, &params, Vec::new(), None, Some(message))
                        .await;
                }
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let lead_labels = leads::Labels::load(&state, t).await?;
        let opportunity_labels = opportunities::Labels::load(&state, t).await?;
        let (entries, next) = match page {
            Some(page) => (
                page.entries
                    .into_iter()
                    .map(|e| entry_view(e, &lead_labels, &opportunity_labels, t))
                    .collect(),
                page.next_cursor,
            ),
            None => (Vec::new(), None),
        };
        render_page(&state, chrome, &params, entries, next, error).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

async fn render_page(
    state: &AppState,
    chrome: Chrome,
    params: &ActivityParams,
    entries: Vec<EntryView>,
    next: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let t = chrome.t;
    let partners = state
        .store
        .partners(&chrome.user.viewer())
        .await?
        .into_iter()
        .map(|p| (p.id.to_string(), p.name))
        .collect();
    let kinds = ActivityKind::ALL
        .into_iter()
        .map(|k| {
            (
                k.as_str().to_owned(),
                t.get(&format!("activity-kind-{}", k.as_str())),
            )
        })
        .collect();
    let failed = error.is_some();
    let mut response = render(&ActivityPageView {
        partners,
        kinds,
        partner: params.partner.clone().unwrap_or_default(),
        kind: params.kind.clone().unwrap_or_default(),
        activity_entries: entries,
        next_href: next.map(|n| href(params, Some(&n))),
        current_url: href(params, params.before.as_deref().filter(|b| !b.is_empty())),
        error,
        chrome,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}
