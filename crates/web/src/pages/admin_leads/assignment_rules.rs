//! `/admin/assignment-rules`: the assignment rules in order, in plain words,
//! with the default queue; adding and editing a rule (its conditions, target
//! and response time), deleting it and moving it up or down. Channel managers
//! read the page; only the admin changes it.
//!
//! Every change reads the rule set with its version, changes it and saves it
//! whole through `Store::save_assignment_rules`, which validates it and checks
//! the version: a save by someone else meanwhile shows the rules as they are
//! now, with a notice, instead of overwriting them.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    AssignmentRuleId, DomainError, FieldErrors, PartnerId, QueueId, Role, UserId,
    assignment_rules::{AssignmentRule, AssignmentRules, Condition, Target},
};

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageForm, PageId, render},
};

use super::{Errors, field_errors, respond, translate, value, with_errors};

/// Vendor staff read the page; anyone else is told it does not exist.
pub(super) fn vendor_only(caller: &Caller) -> Result<(), AppError> {
    if caller.user.role.is_vendor() {
        Ok(())
    } else {
        Err(DomainError::NotFound.into())
    }
}

/// Changes are the admin's; a channel manager may look but not touch.
pub(super) fn admin_only(caller: &Caller) -> Result<(), AppError> {
    vendor_only(caller)?;
    caller.viewer().may_administer().map_err(AppError::from)
}

/// Names of what rules point at, for rules in words and for the pickers.
pub(super) struct Names {
    pub queues: Vec<(QueueId, String)>,
    pub partners: Vec<(PartnerId, String)>,
    /// Partner people: id, "Name (Partner)".
    pub users: Vec<(UserId, String)>,
}

impl Names {
    pub async fn load(state: &AppState, caller: &Caller) -> Result<Names, AppError> {
        let viewer = caller.viewer();
        let queues = state.store.queues(&viewer).await?;
        let partners = state.store.partners(&viewer).await?;
        let partner_names: HashMap<PartnerId, String> =
            partners.iter().map(|p| (p.id, p.name.clone())).collect();
        let users = state
            .store
            .users(&viewer, None)
            .await?
            .into_iter()
            .filter(|u| u.active && matches!(u.role, Role::PartnerUser | Role::PartnerManager))
            .filter_map(|u| {
                let partner = partner_names.get(&u.partner_id?)?;
                Some((u.id, format!("{} ({partner})", u.name)))
            })
            .collect();
        Ok(Names {
            queues: queues.into_iter().map(|q| (q.id, q.name)).collect(),
            partners: partners.into_iter().map(|p| (p.id, p.name)).collect(),
            users,
        })
    }

    fn queue(&self, id: QueueId) -> Option<&str> {
        self.queues
            .iter()
            .find(|(q, _)| *q == id)
            .map(|(_, n)| n.as_str())
    }

    fn partner(&self, id: PartnerId) -> Option<&str> {
        self.partners
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, n)| n.as_str())
    }

    fn user(&self, id: UserId) -> Option<&str> {
        self.users
            .iter()
            .find(|(u, _)| *u == id)
            .map(|(_, n)| n.as_str())
    }
}

/// A condition in the admin's words.
fn describe_condition(t: Tr, c: &Condition) -> String {
    match c {
        Condition::Source { sources } => {
            let values: Vec<String> = sources
                .iter()
                .map(|s| t.get(&format!("lead-source-{}", s.as_str())))
                .collect();
            t.with("assignment-desc-source", [("values", values.join(", "))])
        }
        Condition::Country { countries } => t.with(
            "assignment-desc-country",
            [("values", countries.join(", "))],
        ),
        Condition::PostalCode { from, to } => t.with(
            "assignment-desc-postal",
            [("from", from.as_str()), ("to", to.as_str())],
        ),
        Condition::ProductInterest { contains } => {
            t.with("assignment-desc-product", [("value", contains.as_str())])
        }
        Condition::Field { field, op, value } => t.with(
            "assignment-desc-field",
            [
                (
                    "field",
                    t.get(&format!("lead-field-{field}")).to_lowercase(),
                ),
                ("op", t.get(&format!("assignment-op-{}", op.as_str()))),
                ("value", value.clone()),
            ],
        ),
    }
}

/// A target in the admin's words: its kind and what it names.
fn describe_target(t: Tr, target: &Target, names: &Names) -> String {
    let gone = || t.get("assignment-desc-unknown");
    let name = match *target {
        Target::Partner { partner_id } => names.partner(partner_id).map(str::to_owned),
        Target::User { user_id } => names.user(user_id).map(str::to_owned),
        other => other
            .queue()
            .and_then(|q| names.queue(q))
            .map(str::to_owned),
    };
    format!(
        "{}: {}",
        t.get(&format!("assignment-target-{}", target.kind())),
        name.unwrap_or_else(gone)
    )
}

/// A rule as the list shows it.
pub struct RuleView {
    pub id: AssignmentRuleId,
    pub name: String,
    /// The conditions in words; empty: every lead.
    pub conditions: Vec<String>,
    pub target: String,
    pub response: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "admin_assignment_rules.html")]
pub struct RulesPage {
    pub chrome: Chrome,
    pub may_change: bool,
    pub version: i64,
    pub rules: Vec<RuleView>,
    pub queues: Vec<(String, String)>,
    pub default_queue: String,
    pub notice: Option<String>,
    pub errors: Errors,
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    notice: Option<String>,
    errors: Errors,
) -> Result<Response, AppError> {
    vendor_only(caller)?;
    let viewer = caller.viewer();
    let chrome = Chrome::build(state, caller, csrf, "admin", "assignment-title").await?;
    let t = chrome.t;
    let names = Names::load(state, caller).await?;
    let config = state.store.assignment_rules(&viewer).await?;
    let last = config.rules.len().saturating_sub(1);
    let rules = config
        .rules
        .iter()
        .enumerate()
        .map(|(i, rule)| RuleView {
            id: rule.id,
            name: rule.name.clone(),
            conditions: rule
                .conditions
                .iter()
                .map(|c| describe_condition(t, c))
                .collect(),
            target: describe_target(t, &rule.target, &names),
            response: match rule.response_hours {
                Some(h) => t.with("assignment-response-value", [("hours", h.to_string())]),
                None => t.get("assignment-response-none"),
            },
            first: i == 0,
            last: i == last,
        })
        .collect();
    let failed = !errors.is_empty();
    let page = RulesPage {
        may_change: caller.user.role == Role::Admin,
        version: config.version,
        rules,
        queues: names
            .queues
            .iter()
            .map(|(id, n)| (id.to_string(), n.clone()))
            .collect(),
        default_queue: config
            .default_queue_id
            .map(|q| q.to_string())
            .unwrap_or_default(),
        notice,
        errors,
        chrome,
    };
    Ok(with_errors(render(&page)?, failed))
}

/// `GET /admin/assignment-rules`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    respond(
        t,
        list_page(&state, &caller, &csrf, None, Errors::new()).await,
    )
}

fn back() -> Response {
    Redirect::to("/admin/assignment-rules").into_response()
}

/// The version a form carries; one that is no number cannot be current.
fn form_version(pairs: &[(String, String)]) -> i64 {
    value(pairs, "version").trim().parse().unwrap_or(-1)
}

/// Saves a changed rule set. `Ok(Ok(()))` when saved; `Ok(Err(errors))` for
/// validation errors; a conflict shows the list as it is now.
async fn save(
    state: &AppState,
    caller: &Caller,
    config: AssignmentRules,
) -> Result<Result<(), FieldErrors>, AppError> {
    match state
        .store
        .save_assignment_rules(Some(&caller.viewer()), config)
        .await
    {
        Ok(_) => Ok(Ok(())),
        Err(e) => field_errors(e.into()).map(Err),
    }
}

fn is_conflict(error: &AppError) -> bool {
    matches!(error, AppError::Domain(DomainError::VersionConflict))
}

/// The list with the conflict notice, or the error page.
async fn after_conflict(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    t: Tr,
) -> Result<Response, AppError> {
    let notice = Some(t.get("assignment-conflict"));
    let mut response = list_page(state, caller, csrf, notice, Errors::new()).await?;
    *response.status_mut() = axum::http::StatusCode::CONFLICT;
    Ok(response)
}

/// Moves or removes rule `id` in the set read at the form's version.
async fn change(
    state: AppState,
    caller: Caller,
    csrf: CsrfToken,
    id: AssignmentRuleId,
    pairs: Vec<(String, String)>,
    edit: impl FnOnce(&mut Vec<AssignmentRule>, usize),
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let mut config = state.store.assignment_rules(&caller.viewer()).await?;
        let version = form_version(&pairs);
        if version != config.version {
            return after_conflict(&state, &caller, &csrf, t).await;
        }
        let Some(index) = config.rules.iter().position(|r| r.id == id) else {
            return Ok(back());
        };
        edit(&mut config.rules, index);
        match save(&state, &caller, config).await {
            Ok(Ok(())) => Ok(back()),
            Ok(Err(errors)) => {
                let errors = translate(t, errors)
                    .into_values()
                    .map(|m| ("form".to_owned(), m))
                    .collect();
                list_page(&state, &caller, &csrf, None, errors).await
            }
            Err(e) if is_conflict(&e) => after_conflict(&state, &caller, &csrf, t).await,
            Err(e) => Err(e),
        }
    }
    .await;
    respond(t, result)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AssignmentRuleId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    change(state, caller, csrf, id, pairs, |rules, i| {
        rules.remove(i);
    })
    .await
}

pub async fn move_up(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AssignmentRuleId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    change(state, caller, csrf, id, pairs, |rules, i| {
        if i > 0 {
            rules.swap(i, i - 1);
        }
    })
    .await
}

pub async fn move_down(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AssignmentRuleId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    change(state, caller, csrf, id, pairs, |rules, i| {
        if i + 1 < rules.len() {
            rules.swap(i, i + 1);
        }
    })
    .await
}

/// `POST /admin/assignment-rules/default`: the default queue.
pub async fn set_default(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let mut config = state.store.assignment_rules(&caller.viewer()).await?;
        config.version = form_version(&pairs);
        let raw = value(&pairs, "default_queue_id").trim();
        config.default_queue_id = match raw {
            "" => None,
            raw => match raw.parse::<QueueId>() {
                Ok(q) => Some(q),
                Err(_) => {
                    let errors = translate(
                        t,
                        FieldErrors::single("default_queue_id", "error-queue-unknown"),
                    );
                    return list_page(&state, &caller, &csrf, None, errors).await;
                }
            },
        };
        match save(&state, &caller, config).await {
            Ok(Ok(())) => Ok(back()),
            Ok(Err(errors)) => list_page(&state, &caller, &csrf, None, translate(t, errors)).await,
            Err(e) if is_conflict(&e) => after_conflict(&state, &caller, &csrf, t).await,
            Err(e) => Err(e),
        }
    }
    .await;
    respond(t, result)
}
