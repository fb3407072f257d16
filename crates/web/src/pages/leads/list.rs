//! The Leads tab: a list view chosen in the URL, with search, a status
//! filter, sortable columns and keyset paging; and the Accept button of its
//! rows (and of Home's), which claims a queue lead or takes an inbox lead.

use askama::Template;
use axum::{
    Extension,
    extract::{RawQuery, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, LeadId, Role};
use openprm_store::leads::{
    LeadState,
    list::{LeadSort, LeadView},
};
use serde::Deserialize;

use crate::{
    AppState,
    api::leads::{ListParams, parse_list},
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, PageId, home, render},
};

use super::{Labels, LeadRow, Notice, PAGE_SIZE, refusal};

/// One entry of the List view selector.
pub struct ViewOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A sortable column header: where it leads and whether the list is sorted by it.
pub struct SortLink {
    pub label: String,
    pub href: String,
    /// `ascending` or `descending` when this is the current order.
    pub aria_sort: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "leads.html")]
pub struct LeadsPage {
    pub chrome: Chrome,
    pub general_views: Vec<ViewOption>,
    pub queue_views: Vec<ViewOption>,
    pub partner_views: Vec<ViewOption>,
    pub view_label: String,
    pub q: String,
    pub status: String,
    pub sort: &'static str,
    pub statuses: Vec<(String, String)>,
    pub rows: Vec<LeadRow>,
    pub show_owner: bool,
    pub show_partner: bool,
    pub show_queue: bool,
    pub sort_name: SortLink,
    pub sort_company: SortLink,
    pub sort_created: SortLink,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    /// This list's own address, so a refused Accept can come back to it.
    pub here: String,
    pub notice: Option<Notice>,
    pub empty_text: String,
    pub filtered: bool,
    /// The same view without search and status filter.
    pub clear_href: String,
}

/// A list's address: only the parameters that differ from the defaults.
pub fn list_href(view: &str, q: &str, status: &str, sort: &str, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !view.is_empty() {
        query.append_pair("view", view);
    }
    if !q.trim().is_empty() {
        query.append_pair("q", q.trim());
    }
    if !status.is_empty() {
        query.append_pair("status", status);
    }
    if !sort.is_empty() && sort != LeadSort::Newest.as_param() {
        query.append_pair("sort", sort);
    }
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        query.append_pair("cursor", cursor);
    }
    let query = query.finish();
    if query.is_empty() {
        "/leads".to_owned()
    } else {
        format!("/leads?{query}")
    }
}

/// The list parameters of a query string; `done` names a finished action
/// (`released`, `declined`) to confirm.
fn params_of(query: &str) -> (ListParams, Option<String>) {
    let mut params = ListParams {
        view: None,
        q: None,
        status: None,
        sort: None,
        limit: Some(PAGE_SIZE),
        cursor: None,
    };
    let mut done = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "view" => params.view = value,
            "q" => params.q = value,
            "status" => params.status = value,
            "sort" => params.sort = value,
            "cursor" => params.cursor = value,
            "done" => done = value,
            _ => {}
        }
    }
    (params, done)
}

fn view_kind(view: LeadView) -> &'static str {
    match view {
        LeadView::Mine => "mine",
        LeadView::Company => "company",
        LeadView::Inbox => "inbox",
        LeadView::Queue(_) => "queue",
        LeadView::RecentlyViewed => "recent",
        LeadView::All => "all",
        LeadView::Partner(_) => "partner",
        LeadView::Unassigned => "unassigned",
        LeadView::Declined => "declined",
    }
}

/// The views of the selector, in order, for the caller's role.
fn general_views(role: Role) -> Vec<LeadView> {
    match role {
        Role::Admin | Role::ChannelManager => vec![
            LeadView::All,
            LeadView::Unassigned,
            LeadView::Inbox,
            LeadView::Declined,
            LeadView::RecentlyViewed,
        ],
        Role::PartnerManager => vec![
            LeadView::Mine,
            LeadView::Company,
            LeadView::Inbox,
            LeadView::RecentlyViewed,
        ],
        Role::PartnerUser => vec![LeadView::Mine, LeadView::Inbox, LeadView::RecentlyViewed],
    }
}

fn view_label(t: Tr, role: Role, view: LeadView) -> String {
    match (view, role.is_vendor()) {
        (LeadView::Inbox, true) => t.get("leads-view-inbox-vendor"),
        _ => t.get(&format!("leads-view-{}", view_kind(view))),
    }
}

/// Renders the list the parameters name, with an optional notice above it.
pub async fn list_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    params: ListParams,
    notice: Option<Notice>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let role = caller.user.role;
    let (view, mut query) = parse_list(role.is_vendor(), &params)?;
    query.limit = PAGE_SIZE;
    let mut notice = notice;
    let page = match state.store.list_leads(&viewer, view, &query).await {
        Err(openprm_store::StoreError::Domain(DomainError::Validation(fields)))
            if fields.0.contains_key("cursor") =>
        {
            // An old or mangled page link: show the first page and say why.
            query.cursor = None;
            notice = Some(Notice::error(
                Tr::new(caller.user.locale).get("error-cursor-invalid"),
            ));
            state.store.list_leads(&viewer, view, &query).await?
        }
        other => other?,
    };
    let chrome = Chrome::build(state, caller, csrf, "leads", "tab-leads").await?;
    let t = chrome.t;
    let labels = Labels::load(state, t).await?;

    let option = |v: LeadView, label: String| ViewOption {
        value: v.as_param(),
        label,
        selected: v == view,
    };
    let general_views: Vec<ViewOption> = general_views(role)
        .into_iter()
        .map(|v| option(v, view_label(t, role, v)))
        .collect();
    let queue_views: Vec<ViewOption> = state
        .store
        .queues(&viewer)
        .await?
        .into_iter()
        .map(|q| option(LeadView::Queue(q.id), q.name))
        .collect();
    let partner_views: Vec<ViewOption> = if role.is_vendor() {
        state
            .store
            .partners(&viewer)
            .await?
            .into_iter()
            .map(|p| option(LeadView::Partner(p.id), p.name))
            .collect()
    } else {
        Vec::new()
    };
    let view_label = general_views
        .iter()
        .chain(&queue_views)
        .chain(&partner_views)
        .find(|o| o.selected)
        .map(|o| o.label.clone())
        .unwrap_or_else(|| view_label(t, role, view));

    let view_param = view.as_param();
    let q = query.search.clone().unwrap_or_default();
    let status_filter = query.status.clone().unwrap_or_default();
    let sort = query.sort.as_param();
    let sort_link = |label_key: &str, target: LeadSort, descending: bool| SortLink {
        label: t.get(label_key),
        href: list_href(&view_param, &q, &status_filter, target.as_param(), None),
        aria_sort: (query.sort == target).then_some(if descending {
            "descending"
        } else {
            "ascending"
        }),
    };
    let sort_name = sort_link("lead-field-name", LeadSort::Name, false);
    let sort_company = sort_link("lead-field-company", LeadSort::Company, false);
    let sort_created = sort_link("lead-field-created", LeadSort::Newest, true);
    let cursor = query.cursor.as_deref();
    let next_href = page
        .next_cursor
        .as_deref()
        .map(|c| list_href(&view_param, &q, &status_filter, sort, Some(c)));
    let first_href = cursor.map(|_| list_href(&view_param, &q, &status_filter, sort, None));
    let here = list_href(&view_param, &q, &status_filter, sort, cursor);
    let filtered = !q.trim().is_empty() || !status_filter.is_empty();
    let empty_text = if filtered {
        t.get("leads-empty-filtered")
    } else {
        t.get(&format!("leads-empty-{}", view_kind(view)))
    };
    let (show_owner, show_partner, show_queue) = match view {
        LeadView::Mine => (false, false, true),
        LeadView::Company => (true, false, true),
        LeadView::Inbox => (true, role.is_vendor(), false),
        LeadView::Queue(_) | LeadView::Unassigned => (false, false, false),
        LeadView::RecentlyViewed => (true, role.is_vendor(), true),
        LeadView::All => (true, true, true),
        LeadView::Partner(_) => (true, false, true),
        LeadView::Declined => (false, false, true),
    };
    let rows = page
        .leads
        .iter()
        .map(|lead| LeadRow::new(lead, &viewer, &labels))
        .collect();
    let statuses = labels
        .statuses
        .iter()
        .map(|s| (s.key.clone(), s.label(t.locale).to_owned()))
        .collect();
    let mut response = render(&LeadsPage {
        chrome,
        general_views,
        queue_views,
        partner_views,
        view_label,
        q,
        status: status_filter,
        sort,
        statuses,
        rows,
        show_owner,
        show_partner,
        show_queue,
        sort_name,
        sort_company,
        sort_created,
        next_href,
        first_href,
        here,
        notice,
        empty_text,
        filtered,
        clear_href: list_href(&view_param, "", "", sort, None),
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /leads?view=&q=&status=&sort=&cursor=`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let (params, done) = params_of(query.as_deref().unwrap_or(""));
    let notice = match done.as_deref() {
        Some("released") => Some(Notice::success(t.get("leads-done-released"))),
        Some("declined") => Some(Notice::success(t.get("leads-done-declined"))),
        _ => None,
    };
    list_page(&state, &caller, &csrf, params, notice, StatusCode::OK)
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[derive(Deserialize)]
pub struct AcceptForm {
    /// The page the button was on: `/` (Home) or a list's address.
    #[serde(default)]
    pub from: String,
}

/// `POST /leads/{id}/accept`: claims an unclaimed queue lead or takes a lead
/// waiting in the caller's inbox, then opens it. A refusal (someone was
/// quicker, a claim limit) goes back to the page the button was on, with the
/// reason above it.
pub async fn accept(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(form): PageForm<AcceptForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let viewer = caller.viewer();
    let outcome: Result<(), AppError> = async {
        let lead = match state.store.lead(&viewer, id).await {
            // Out of sight: perhaps claimed a moment ago by someone else; the
            // claim itself tells "already claimed" from "not found".
            Err(openprm_store::StoreError::Domain(DomainError::NotFound))
                if viewer.role.is_partner() =>
            {
                state.store.claim_lead(&viewer, id).await?;
                return Ok(());
            }
            other => other?,
        };
        match lead.state {
            LeadState::InQueue => drop(state.store.claim_lead(&viewer, id).await?),
            LeadState::Inbox => drop(state.store.accept_lead(&viewer, id).await?),
            // Pressed twice: it is theirs already.
            LeadState::Owned if lead.owner_id == Some(viewer.user_id) => {}
            LeadState::Owned => return Err(DomainError::LeadAlreadyClaimed.into()),
            LeadState::Unassigned => {
                return Err(DomainError::Invalid("error-lead-not-in-queue").into());
            }
        }
        Ok(())
    }
    .await;
    let result = match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/leads/{id}")).into_response()),
        Err(e) => match refusal(&e, t) {
            Some(text) => back_with_notice(&state, &caller, &csrf, &form.from, text).await,
            None => Err(e),
        },
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// The page an Accept came from, again, with why it was refused.
async fn back_with_notice(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    from: &str,
    text: String,
) -> Result<Response, AppError> {
    let notice = Notice::error(text);
    if from == "/" {
        return home::page(state, caller, csrf, Some(notice), StatusCode::CONFLICT).await;
    }
    let query = from.strip_prefix("/leads?").unwrap_or("");
    let (params, _) = params_of(query);
    list_page(
        state,
        caller,
        csrf,
        params,
        Some(notice),
        StatusCode::CONFLICT,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_keep_only_what_differs_from_the_defaults() {
        assert_eq!(list_href("", "", "", "newest", None), "/leads");
        assert_eq!(
            list_href("queue:1", " Blå bær ", "qualified", "name", Some("abc")),
            "/leads?view=queue%3A1&q=Bl%C3%A5+b%C3%A6r&status=qualified&sort=name&cursor=abc"
        );
        let (params, done) =
            params_of("view=inbox&q=Bl%C3%A5&sort=company&cursor=xyz&done=declined&x=1");
        assert_eq!(params.view.as_deref(), Some("inbox"));
        assert_eq!(params.q.as_deref(), Some("Blå"));
        assert_eq!(params.sort.as_deref(), Some("company"));
        assert_eq!(params.cursor.as_deref(), Some("xyz"));
        assert_eq!(params.limit, Some(PAGE_SIZE));
        assert_eq!(done.as_deref(), Some("declined"));
    }
}
