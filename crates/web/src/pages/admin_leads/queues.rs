//! `/admin/queues`: the queues with their members, unclaimed leads and
//! stale-claim days; creating a queue; `/admin/queues/{id}`: its members.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{FieldErrors, PartnerId, QueueId};
use openprm_store::{
    partners::Partner,
    queues::{Queue, QueueFields},
};

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageForm, PageId, render},
};

use super::{
    Errors, admin_only, field_errors, plural, respond, translate, value, whole_number, with_errors,
};

/// A queue as the list shows it.
pub struct QueueRow {
    pub id: QueueId,
    pub name: String,
    /// Member partner names, alphabetical.
    pub members: Vec<String>,
    pub unclaimed: i64,
    pub stale_claim_days: Option<i32>,
}

/// The new-queue form as typed.
#[derive(Default)]
pub struct QueueForm {
    pub name: String,
    pub stale_claim_days: String,
    pub members: Vec<String>,
}

impl QueueForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        QueueForm {
            name: value(pairs, "name").to_owned(),
            stale_claim_days: value(pairs, "stale_claim_days").to_owned(),
            members: members(pairs),
        }
    }

    /// Whether the partner's box is ticked.
    pub fn has(&self, partner: &PartnerId) -> bool {
        let id = partner.to_string();
        self.members.contains(&id)
    }

    /// The queue the form describes, or every field error at once.
    fn parse(&self) -> Result<QueueFields, FieldErrors> {
        let mut errors = FieldErrors::new();
        let days = self.stale_claim_days.trim();
        let stale_claim_days = if days.is_empty() {
            None
        } else {
            whole_number(days).or_else(|| {
                errors.add("stale_claim_days", "admin-error-whole-number");
                None
            })
        };
        let members = parse_members(&self.members, &mut errors);
        let fields = QueueFields {
            name: self.name.clone(),
            stale_claim_days,
            members,
        };
        if let Err(openprm_domain::DomainError::Validation(more)) = fields.validate() {
            for (field, key) in more.0 {
                errors.add(&field, &key);
            }
        }
        if errors.is_empty() {
            Ok(fields)
        } else {
            Err(errors)
        }
    }
}

fn members(pairs: &[(String, String)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(k, _)| k == "members")
        .map(|(_, v)| v.clone())
        .collect()
}

fn parse_members(raw: &[String], errors: &mut FieldErrors) -> Vec<PartnerId> {
    raw.iter()
        .filter_map(|m| {
            m.parse::<PartnerId>()
                .map_err(|_| errors.add("members", "error-partner-unknown"))
                .ok()
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin_queues.html")]
pub struct QueuesPage {
    pub chrome: Chrome,
    pub queues: Vec<QueueRow>,
    pub partners: Vec<Partner>,
    pub form: QueueForm,
    pub errors: Errors,
}

#[derive(Template)]
#[template(path = "admin_queue.html")]
pub struct QueuePage {
    pub chrome: Chrome,
    pub queue: QueueRow,
    pub partners: Vec<Partner>,
    /// Ticked partner ids, as typed or as stored.
    pub ticked: Vec<String>,
    /// Unclaimed leads and stale-claim days, in words.
    pub summary: String,
    pub errors: Errors,
}

impl QueuePage {
    pub fn is_ticked(&self, partner: &PartnerId) -> bool {
        let id = partner.to_string();
        self.ticked.contains(&id)
    }
}

fn row(queue: Queue, names: &HashMap<PartnerId, String>) -> QueueRow {
    let mut members: Vec<String> = queue
        .members
        .iter()
        .filter_map(|p| names.get(p).cloned())
        .collect();
    members.sort_by_key(|name| name.to_lowercase());
    QueueRow {
        id: queue.id,
        name: queue.name,
        members,
        unclaimed: queue.unclaimed,
        stale_claim_days: queue.stale_claim_days,
    }
}

fn names(partners: &[Partner]) -> HashMap<PartnerId, String> {
    partners.iter().map(|p| (p.id, p.name.clone())).collect()
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    form: QueueForm,
    errors: Errors,
) -> Result<Response, AppError> {
    admin_only(caller)?;
    let viewer = caller.viewer();
    let chrome = Chrome::build(state, caller, csrf, "admin", "admin-queues").await?;
    let partners = state.store.partners(&viewer).await?;
    let names = names(&partners);
    let queues = state
        .store
        .queues(&viewer)
        .await?
        .into_iter()
        .map(|q| row(q, &names))
        .collect();
    let failed = !errors.is_empty();
    let page = QueuesPage {
        chrome,
        queues,
        partners,
        form,
        errors,
    };
    Ok(with_errors(render(&page)?, failed))
}

pub async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = list_page(&state, &caller, &csrf, QueueForm::default(), Errors::new()).await;
    respond(t, result)
}

pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let form = QueueForm::from_pairs(&pairs);
        let saved = match form.parse() {
            Ok(fields) => state
                .store
                .create_queue(Some(&caller.viewer()), &fields)
                .await
                .map_err(AppError::from),
            Err(errors) => Err(openprm_domain::DomainError::Validation(errors).into()),
        };
        match saved {
            Ok(_) => Ok(Redirect::to("/admin/queues").into_response()),
            Err(e) => {
                let errors = translate(t, field_errors(e)?);
                list_page(&state, &caller, &csrf, form, errors).await
            }
        }
    }
    .await;
    respond(t, result)
}

async fn queue_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: QueueId,
    ticked: Option<Vec<String>>,
    errors: Errors,
) -> Result<Response, AppError> {
    admin_only(caller)?;
    let viewer = caller.viewer();
    let queue = state.store.queue(&viewer, id).await?;
    let ticked = ticked.unwrap_or_else(|| queue.members.iter().map(PartnerId::to_string).collect());
    let mut chrome = Chrome::build(state, caller, csrf, "admin", "admin-queue-members").await?;
    chrome.title = format!("{} · {}", queue.name, chrome.title);
    let partners = state.store.partners(&viewer).await?;
    let queue = row(queue, &names(&partners));
    let count = |n: i64| plural(u32::try_from(n).unwrap_or(u32::MAX)).to_owned();
    let mut summary = chrome.t.with(
        "admin-queue-summary",
        [
            ("unclaimed", queue.unclaimed.to_string()),
            ("leads", count(queue.unclaimed)),
        ],
    );
    if let Some(days) = queue.stale_claim_days {
        summary.push_str(" · ");
        summary.push_str(&chrome.t.with(
            "admin-queue-stale-summary",
            [
                ("days", days.to_string()),
                ("days_plural", count(i64::from(days))),
            ],
        ));
    }
    let failed = !errors.is_empty();
    let page = QueuePage {
        chrome,
        queue,
        partners,
        ticked,
        summary,
        errors,
    };
    Ok(with_errors(render(&page)?, failed))
}

pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<QueueId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    respond(
        t,
        queue_page(&state, &caller, &csrf, id, None, Errors::new()).await,
    )
}

pub async fn set_members(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<QueueId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let ticked = members(&pairs);
        let mut errors = FieldErrors::new();
        let parsed = parse_members(&ticked, &mut errors);
        let saved = if errors.is_empty() {
            state
                .store
                .set_queue_members(&caller.viewer(), id, &parsed)
                .await
                .map_err(AppError::from)
        } else {
            Err(openprm_domain::DomainError::Validation(errors).into())
        };
        match saved {
            Ok(()) => Ok(Redirect::to("/admin/queues").into_response()),
            Err(e) => {
                let errors = translate(t, field_errors(e)?);
                queue_page(&state, &caller, &csrf, id, Some(ticked), errors).await
            }
        }
    }
    .await;
    respond(t, result)
}
