//! Home (spec flow 2): where every sign-in lands.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use openprm_store::{
    leads::list::{LeadQuery, LeadView},
    partners::Partner,
};

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
};

use super::{
    Chrome, PageError,
    leads::{HOME_CARD_SIZE, Labels, LeadRow, Notice},
    render,
};

/// A queue the caller may claim from, linked to its list view.
pub struct QueueLink {
    pub href: String,
    pub name: String,
    pub unclaimed: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    /// The caller's partner company, for partner staff (with its channel manager).
    pub company: Option<Partner>,
    /// The partners in the caller's care, for vendor staff.
    pub partners: Vec<Partner>,
    pub is_vendor: bool,
    /// Partner staff: leads routed to them, waiting for an answer.
    pub inbox: Vec<LeadRow>,
    /// Partner staff: the newest unclaimed leads across their queues.
    pub queue_leads: Vec<LeadRow>,
    pub queues: Vec<QueueLink>,
    /// Why an Accept pressed on Home was refused.
    pub notice: Option<Notice>,
    /// Open opportunities by stage, the pipeline total, deals closing this month.
    pub opportunities: super::opportunities::HomeOpportunities,
    /// Vendor staff: deal registrations awaiting a decision.
    pub registrations: super::registrations::HomeRegistrations,
    /// The newest activity: the partners' for vendor staff, the company's
    /// own for partner staff.
    pub activity_entries: Vec<super::activity::EntryView>,
}

/// Renders Home, with a notice above it when an Accept was refused.
pub async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let chrome = Chrome::build(state, caller, csrf, "home", "tab-home").await?;
    let company = match caller.user.partner_id {
        Some(id) => Some(state.store.partner(&viewer, id).await?),
        None => None,
    };
    let is_vendor = caller.user.role.is_vendor();
    let partners = if is_vendor {
        state.store.partners(&viewer).await?
    } else {
        Vec::new()
    };
    let (mut inbox, mut queue_leads, mut queues) = (Vec::new(), Vec::new(), Vec::new());
    if !is_vendor {
        let labels = Labels::load(state, chrome.t).await?;
        let first = LeadQuery {
            limit: HOME_CARD_SIZE,
            ..LeadQuery::default()
        };
        inbox = state
            .store
            .list_leads(&viewer, LeadView::Inbox, &first)
            .await?
            .leads
            .iter()
            .map(|lead| LeadRow::new(lead, &viewer, &labels))
            .collect();
        // The newest unclaimed leads of each queue, merged: the newest overall.
        let mut unclaimed = Vec::new();
        for queue in state.store.queues(&viewer).await? {
            let page = state
                .store
                .list_leads(&viewer, LeadView::Queue(queue.id), &first)
                .await?;
            unclaimed.extend(page.leads);
            queues.push(QueueLink {
                href: format!("/leads?view=queue%3A{}", queue.id),
                name: queue.name,
                unclaimed: queue.unclaimed,
            });
        }
        unclaimed.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
        unclaimed.truncate(HOME_CARD_SIZE as usize);
        queue_leads = unclaimed
            .iter()
            .map(|lead| LeadRow::new(lead, &viewer, &labels))
            .collect();
    }
    let opportunities =
        super::opportunities::HomeOpportunities::load(state, caller, chrome.t).await?;
    let registrations =
        super::registrations::HomeRegistrations::load(state, caller, chrome.t).await?;
    let activity_entries = super::activity::home_entries(state, caller, chrome.t).await?;
    let mut response = render(&HomePage {
        activity_entries,
        registrations,
        opportunities,
        chrome,
        company,
        partners,
        is_vendor,
        inbox,
        queue_leads,
        queues,
        notice,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = crate::i18n::Tr::new(caller.user.locale);
    page(&state, &caller, &csrf, None, StatusCode::OK)
        .await
        .unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
