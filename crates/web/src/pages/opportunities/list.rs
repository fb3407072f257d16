//! The Opportunities tab: a list view chosen in the URL, with search, a stage
//! filter, sortable columns and keyset paging. Every row's Edit link carries
//! this list's exact address, so Save comes back to it.

use askama::Template;
use axum::{
    Extension,
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, Role};
use openprm_store::opportunities::list::{OpportunitySort, OpportunityView};

use crate::{
    AppState,
    api::opportunities::{ListParams, parse_list},
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, leads::Notice, render},
};

use super::{Labels, OpportunityRow, PAGE_SIZE};

/// One entry of the List view selector.
pub struct ViewOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A sortable column header.
pub struct SortLink {
    pub label: String,
    pub href: String,
    pub aria_sort: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "opportunities.html")]
pub struct OpportunitiesPage {
    pub chrome: Chrome,
    pub general_views: Vec<ViewOption>,
    pub partner_views: Vec<ViewOption>,
    pub view_label: String,
    pub q: String,
    pub stage: String,
    pub sort: &'static str,
    pub stages: Vec<(String, String)>,
    pub rows: Vec<OpportunityRow>,
    pub show_owner: bool,
    pub show_partner: bool,
    pub sort_name: SortLink,
    pub sort_close: SortLink,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    /// This list's own address, for its live refresh.
    pub here: String,
    /// This list's own address, URL-encoded, for the Edit and New links.
    pub here_encoded: String,
    pub notice: Option<Notice>,
    pub empty_text: String,
    pub filtered: bool,
    pub clear_href: String,
}

/// A list's address: only the parameters that differ from the defaults.
pub fn list_href(view: &str, q: &str, stage: &str, sort: &str, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if !view.is_empty() {
        query.append_pair("view", view);
    }
    if !q.trim().is_empty() {
        query.append_pair("q", q.trim());
    }
    if !stage.is_empty() {
        query.append_pair("stage", stage);
    }
    if !sort.is_empty() && sort != OpportunitySort::default().as_param() {
        query.append_pair("sort", sort);
    }
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        query.append_pair("cursor", cursor);
    }
    let query = query.finish();
    if query.is_empty() {
        "/opportunities".to_owned()
    } else {
        format!("/opportunities?{query}")
    }
}

/// `value` made safe to put in a query string.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

fn params_of(query: &str) -> ListParams {
    let mut params = ListParams {
        limit: Some(PAGE_SIZE),
        ..ListParams::default()
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "view" => params.view = value,
            "q" => params.q = value,
            "stage" => params.stage = value,
            "sort" => params.sort = value,
            "cursor" => params.cursor = value,
            _ => {}
        }
    }
    params
}

fn view_label(t: Tr, view: OpportunityView) -> String {
    t.get(&format!("opportunities-view-{}", view.kind()))
}

/// Renders the list the query string names.
pub async fn list_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    params: ListParams,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let role = caller.user.role;
    let t = Tr::new(caller.user.locale);
    let labels = Labels::load(state, t).await?;
    let (view, mut query) = parse_list(role, &params, &labels.stages)?;
    query.limit = PAGE_SIZE;
    let mut notice = None;
    let page = match state.store.list_opportunities(&viewer, view, &query).await {
        Err(openprm_store::StoreError::Domain(DomainError::Validation(fields)))
            if fields.0.contains_key("cursor") =>
        {
            // An old or mangled page link: show the first page and say why.
            query.cursor = None;
            notice = Some(Notice::error(t.get("error-cursor-invalid")));
            state
                .store
                .list_opportunities(&viewer, view, &query)
                .await?
        }
        other => other?,
    };
    let chrome = Chrome::build(state, caller, csrf, "opportunities", "tab-opportunities").await?;

    let option = |v: OpportunityView, label: String| ViewOption {
        value: v.as_param(),
        label,
        selected: v == view,
    };
    let general_views: Vec<ViewOption> = OpportunityView::general(role)
        .into_iter()
        .map(|v| option(v, view_label(t, v)))
        .collect();
    let partner_views: Vec<ViewOption> = if role.is_vendor() {
        state
            .store
            .partners(&viewer)
            .await?
            .into_iter()
            .map(|p| option(OpportunityView::Partner(p.id), p.name))
            .collect()
    } else {
        Vec::new()
    };
    let view_label = general_views
        .iter()
        .chain(&partner_views)
        .find(|o| o.selected)
        .map(|o| o.label.clone())
        .unwrap_or_else(|| view_label(t, view));

    let view_param = view.as_param();
    let q = query.search.clone().unwrap_or_default();
    let stage = query.stage.clone().unwrap_or_default();
    let sort = query.sort.as_param();
    let sort_link = |label_key: &str, target: OpportunitySort| SortLink {
        label: t.get(label_key),
        href: list_href(&view_param, &q, &stage, target.as_param(), None),
        aria_sort: (query.sort == target).then_some("ascending"),
    };
    let sort_name = sort_link("opportunity-field-name", OpportunitySort::Name);
    let sort_close = sort_link("opportunity-field-close_date", OpportunitySort::CloseDate);
    let cursor = query.cursor.as_deref();
    let next_href = page
        .next_cursor
        .as_deref()
        .map(|c| list_href(&view_param, &q, &stage, sort, Some(c)));
    let first_href = cursor.map(|_| list_href(&view_param, &q, &stage, sort, None));
    let here = list_href(&view_param, &q, &stage, sort, cursor);
    let filtered = !q.trim().is_empty() || !stage.is_empty();
    let empty_text = if filtered {
        t.get("opportunities-empty-filtered")
    } else {
        t.get(&format!("opportunities-empty-{}", view.kind()))
    };
    let show_owner = !matches!(view, OpportunityView::Mine) && role != Role::PartnerUser;
    let show_partner = role.is_vendor() && !matches!(view, OpportunityView::Partner(_));
    let rows = page
        .opportunities
        .iter()
        .map(|o| OpportunityRow::new(o, &viewer, &labels))
        .collect();
    let stages = labels
        .stages
        .iter()
        .map(|s| (s.key.clone(), s.label(t.locale).to_owned()))
        .collect();
    render(&OpportunitiesPage {
        chrome,
        general_views,
        partner_views,
        view_label,
        clear_href: list_href(&view_param, "", "", sort, None),
        q,
        stage,
        sort,
        stages,
        rows,
        show_owner,
        show_partner,
        sort_name,
        sort_close,
        next_href,
        first_href,
        here_encoded: encode(&here),
        here,
        notice,
        empty_text,
        filtered,
    })
}

/// `GET /opportunities?view=&q=&stage=&sort=&cursor=`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let params = params_of(query.as_deref().unwrap_or(""));
    list_page(&state, &caller, &csrf, params)
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_keep_only_what_differs_from_the_defaults() {
        assert_eq!(list_href("", "", "", "close_date", None), "/opportunities");
        assert_eq!(
            list_href("won", " Blå bær ", "proposal", "name", Some("abc")),
            "/opportunities?view=won&q=Bl%C3%A5+b%C3%A6r&stage=proposal&sort=name&cursor=abc"
        );
        let params = params_of("view=partner%3A1&q=Bl%C3%A5&cursor=xyz&x=1");
        assert_eq!(params.view.as_deref(), Some("partner:1"));
        assert_eq!(params.q.as_deref(), Some("Blå"));
        assert_eq!(params.limit, Some(PAGE_SIZE));
        assert_eq!(
            encode("/opportunities?view=won"),
            "%2Fopportunities%3Fview%3Dwon"
        );
    }
}
