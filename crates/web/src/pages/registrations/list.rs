//! `GET /deal-registrations`: a list view of registrations, the view and
//! status kept in the URL, keyset pages.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Response},
};
use openprm_domain::{Role, registrations::RegistrationStatus};
use openprm_store::registrations::list::RegistrationView;

use crate::{
    AppState,
    api::{extract::ApiQuery, registrations::ListParams, registrations::parse_list},
    auth::PageCaller,
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, render},
};

use super::{PAGE_SIZE, RegistrationRow};

pub struct ViewOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "registrations.html")]
pub struct RegistrationsPage {
    pub chrome: Chrome,
    pub views: Vec<ViewOption>,
    pub statuses: Vec<(String, String)>,
    pub status: String,
    pub rows: Vec<RegistrationRow>,
    pub show_partner: bool,
    pub show_submitter: bool,
    pub may_register: bool,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub empty_text: String,
}

fn href(view: &str, status: &str, cursor: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("view", view);
    if !status.is_empty() {
        query.append_pair("status", status);
    }
    if let Some(cursor) = cursor {
        query.append_pair("cursor", cursor);
    }
    format!("/deal-registrations?{}", query.finish())
}

/// The views a role has, in the order offered.
fn views_for(role: Role) -> Vec<RegistrationView> {
    match role {
        Role::Admin | Role::ChannelManager => {
            vec![RegistrationView::Pending, RegistrationView::All]
        }
        Role::PartnerManager => vec![RegistrationView::Company, RegistrationView::Mine],
        Role::PartnerUser => vec![RegistrationView::Mine],
    }
}

fn view_key(view: RegistrationView) -> &'static str {
    match view {
        RegistrationView::Mine => "mine",
        RegistrationView::Company => "company",
        RegistrationView::Pending => "pending",
        RegistrationView::All | RegistrationView::Partner(_) => "all",
    }
}

/// `GET /deal-registrations`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    query: Result<ApiQuery<ListParams>, crate::error::ApiError>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let params = match query {
            Ok(ApiQuery(params)) => params,
            Err(e) => return Err(e.0),
        };
        let mut params = params;
        params.limit = Some(PAGE_SIZE);
        let (view, query) = parse_list(caller.user.role, &params)?;
        let viewer = caller.viewer();
        let page = state
            .store
            .list_registrations(&viewer, view, &query)
            .await?;
        let chrome = Chrome::build(
            &state,
            &caller,
            &csrf,
            "opportunities",
            "registrations-title",
        )
        .await?;
        let role = caller.user.role;
        let mut views: Vec<ViewOption> = views_for(role)
            .into_iter()
            .map(|v| ViewOption {
                value: v.as_param(),
                label: t.get(&format!("registrations-view-{}", view_key(v))),
                selected: v == view,
            })
            .collect();
        if role.is_vendor() {
            for partner in state.store.partners(&viewer).await? {
                let v = RegistrationView::Partner(partner.id);
                views.push(ViewOption {
                    value: v.as_param(),
                    label: partner.name.clone(),
                    selected: v == view,
                });
            }
        }
        let status = query
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default();
        let view_param = view.as_param();
        let next_href = page
            .next_cursor
            .as_deref()
            .map(|c| href(&view_param, &status, Some(c)));
        let first_href = query
            .cursor
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|_| href(&view_param, &status, None));
        render(&RegistrationsPage {
            views,
            statuses: RegistrationStatus::ALL
                .into_iter()
                .map(|s| (s.as_str().to_owned(), super::status_label(t, s)))
                .collect(),
            rows: page
                .registrations
                .iter()
                .map(|r| RegistrationRow::new(r, t))
                .collect(),
            show_partner: role.is_vendor(),
            show_submitter: role != Role::PartnerUser,
            may_register: role.is_partner(),
            next_href,
            first_href,
            empty_text: t.get(if status.is_empty() {
                "registrations-empty"
            } else {
                "registrations-empty-filtered"
            }),
            status,
            chrome,
        })
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
