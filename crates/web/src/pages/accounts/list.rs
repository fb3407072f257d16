//! The Accounts and Contacts lists: All or Mine, search, and keyset pages,
//! all kept in the URL; each row links to the record and, where the caller
//! may change it, to its Edit form.

use askama::Template;
use axum::{
    Extension,
    extract::{RawQuery, State},
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, accounts::may_edit_owned};
use openprm_store::record_list::{RecordQuery, RecordView};

use crate::{
    AppState,
    api::accounts::{RecordListParams, parse_record_list},
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, leads::Notice, render},
};

use super::PAGE_SIZE;

/// One row: the record's name and link, the other columns as text.
pub struct RecordRow {
    pub href: String,
    pub name: String,
    pub cells: Vec<String>,
    pub edit_href: Option<String>,
}

#[derive(Template)]
#[template(path = "records.html")]
pub struct RecordsPage {
    pub chrome: Chrome,
    /// `accounts` or `contacts`: the tab, its path and its message keys.
    pub kind: &'static str,
    pub heading: String,
    pub new_label: String,
    pub views: Vec<(String, String, bool)>,
    pub q: String,
    pub search_placeholder: String,
    pub columns: Vec<String>,
    pub rows: Vec<RecordRow>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub notice: Option<Notice>,
    pub empty_text: String,
    pub filtered: bool,
    pub clear_href: String,
}

/// A list's address: only the parameters that differ from the defaults.
pub fn list_href(kind: &str, view: RecordView, q: &str, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if view != RecordView::All {
        query.append_pair("view", view.as_param());
    }
    if !q.trim().is_empty() {
        query.append_pair("q", q.trim());
    }
    if let Some(cursor) = cursor.filter(|c| !c.is_empty()) {
        query.append_pair("cursor", cursor);
    }
    let query = query.finish();
    if query.is_empty() {
        format!("/{kind}")
    } else {
        format!("/{kind}?{query}")
    }
}

fn params_of(query: &str) -> RecordListParams {
    let mut params = RecordListParams {
        limit: Some(PAGE_SIZE),
        ..RecordListParams::default()
    };
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        let value = Some(value.into_owned());
        match key.as_ref() {
            "view" => params.view = value,
            "q" => params.q = value,
            "cursor" => params.cursor = value,
            _ => {}
        }
    }
    params
}

/// The rows of one page and the cursor after it; a cursor that is no longer
/// valid shows the first page with a notice.
async fn page_rows(
    state: &AppState,
    caller: &Caller,
    kind: &'static str,
    query: &mut RecordQuery,
    notice: &mut Option<Notice>,
) -> Result<(Vec<RecordRow>, Option<String>), AppError> {
    let viewer = caller.viewer();
    let t = Tr::new(caller.user.locale);
    let vendor = caller.user.role.is_vendor();
    let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    for attempt in 0..2 {
        let result = if kind == "accounts" {
            state.store.list_accounts(&viewer, query).await.map(|page| {
                let rows = page
                    .accounts
                    .iter()
                    .map(|a| {
                        let place = match (&a.city, &a.country) {
                            (Some(city), Some(country)) => format!("{city}, {country}"),
                            (Some(v), None) | (None, Some(v)) => v.clone(),
                            (None, None) => "—".to_owned(),
                        };
                        let mut cells = vec![dash(&a.domain), place, dash(&a.owner_name)];
                        if vendor {
                            cells.push(
                                a.partner_name
                                    .clone()
                                    .unwrap_or_else(|| t.get("accounts-vendor-owned")),
                            );
                        }
                        RecordRow {
                            href: format!("/accounts/{}", a.id),
                            name: a.name.clone(),
                            cells,
                            edit_href: may_edit_owned(&viewer, a.partner_id, a.owner_id)
                                .is_ok()
                                .then(|| format!("/accounts/{}/edit", a.id)),
                        }
                    })
                    .collect();
                (rows, page.next_cursor)
            })
        } else {
            state
                .store
                .list_contacts(&viewer, None, query)
                .await
                .map(|page| {
                    let rows = page
                        .contacts
                        .iter()
                        .map(|c| RecordRow {
                            href: format!("/contacts/{}", c.id),
                            name: c.name.clone(),
                            cells: vec![
                                dash(&c.account_name),
                                dash(&c.title),
                                dash(&c.email),
                                dash(&c.owner_name),
                            ],
                            edit_href: may_edit_owned(&viewer, c.partner_id, c.owner_id)
                                .is_ok()
                                .then(|| format!("/contacts/{}/edit", c.id)),
                        })
                        .collect();
                    (rows, page.next_cursor)
                })
        };
        match result {
            Err(openprm_store::StoreError::Domain(DomainError::Validation(fields)))
                if attempt == 0 && fields.0.contains_key("cursor") =>
            {
                // An old or mangled page link: show the first page and say why.
                query.cursor = None;
                *notice = Some(Notice::error(t.get("error-cursor-invalid")));
            }
            other => return Ok(other?),
        }
    }
    Err(AppError::Internal(
        "the first page refused its own cursor".into(),
    ))
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    kind: &'static str,
    raw_query: &str,
) -> Result<Response, AppError> {
    let mut query = parse_record_list(&params_of(raw_query))?;
    query.limit = PAGE_SIZE;
    let mut notice = None;
    let (rows, next_cursor) = page_rows(state, caller, kind, &mut query, &mut notice).await?;
    let chrome = Chrome::build(state, caller, csrf, kind, &format!("tab-{kind}")).await?;
    let t = chrome.t;
    let view = query.view;
    let q = query.search.clone().unwrap_or_default();
    let mut columns: Vec<String> = if kind == "accounts" {
        [
            "account-field-domain",
            "accounts-place",
            "account-field-owner",
        ]
        .into_iter()
        .map(|k| t.get(k))
        .collect()
    } else {
        [
            "contact-field-account",
            "contact-field-title",
            "contact-field-email",
            "account-field-owner",
        ]
        .into_iter()
        .map(|k| t.get(k))
        .collect()
    };
    if kind == "accounts" && caller.user.role.is_vendor() {
        columns.push(t.get("account-field-partner"));
    }
    let views = [RecordView::All, RecordView::Mine]
        .into_iter()
        .map(|v| {
            (
                v.as_param().to_owned(),
                t.get(&format!("{kind}-view-{}", v.as_param())),
                v == view,
            )
        })
        .collect();
    let filtered = !q.is_empty();
    let empty_text = if filtered {
        t.get("records-empty-filtered")
    } else {
        t.get(&format!("{kind}-empty"))
    };
    render(&RecordsPage {
        kind,
        heading: t.get(&format!("tab-{kind}")),
        new_label: t.get(&format!("{kind}-new")),
        search_placeholder: t.get(&format!("{kind}-search-placeholder")),
        views,
        columns,
        rows,
        next_href: next_cursor
            .as_deref()
            .map(|c| list_href(kind, view, &q, Some(c))),
        first_href: query
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|_| list_href(kind, view, &q, None)),
        notice,
        empty_text,
        filtered,
        clear_href: list_href(kind, view, "", None),
        q,
        chrome,
    })
}

/// `GET /accounts?view=&q=&cursor=`
pub async fn accounts(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    list_page(
        &state,
        &caller,
        &csrf,
        "accounts",
        query.as_deref().unwrap_or(""),
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `GET /contacts?view=&q=&cursor=`
pub async fn contacts(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    RawQuery(query): RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    list_page(
        &state,
        &caller,
        &csrf,
        "contacts",
        query.as_deref().unwrap_or(""),
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_links_carry_only_what_differs() {
        assert_eq!(
            list_href("accounts", RecordView::All, " ", None),
            "/accounts"
        );
        assert_eq!(
            list_href("contacts", RecordView::Mine, "Søren Ø", Some("abc")),
            "/contacts?view=mine&q=S%C3%B8ren+%C3%98&cursor=abc"
        );
    }
}
