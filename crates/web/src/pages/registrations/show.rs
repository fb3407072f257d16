//! `GET /deal-registrations/{id}`: the registration. Partner staff read its
//! status (under review, approved with the end of its protection, rejected
//! with the reason) and nothing about other records. Vendor staff read it
//! beside each conflicting record, with what matched, and Approve and
//! Reject-with-reason forms (`POST …/approve`, `POST …/reject`).

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    DomainError, RegistrationId,
    registrations::{RegistrationStatus, matching::MatchedOn, minute_text, parse_reason},
};
use openprm_store::registrations::{Registration, conflicts::RecordKind};
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{
        Chrome, PageError, PageForm, PageId,
        leads::{Labels, Notice, translate},
        render,
    },
    services::registrations::registration_mail,
};

use super::{amount_text, moment, status_label};

/// One conflicting record as shown beside the registration.
pub struct ConflictView {
    pub kind: String,
    pub partner: String,
    pub name: String,
    pub company: String,
    pub domain: String,
    pub email: String,
    pub amount: String,
    pub state: String,
    pub protected_until: Option<String>,
    pub matched: Vec<String>,
    /// Which compared rows matched: customer (by name), domain, contact e-mail.
    pub on_name: bool,
    pub on_domain: bool,
    pub on_email: bool,
    /// The certainty as a percentage, in the reader's language.
    pub certainty: String,
    pub href: Option<String>,
    /// Outside the caller's partners, or gone: only kind, partner and what matched.
    pub note: Option<String>,
}

#[derive(Template)]
#[template(path = "registration.html")]
pub struct RegistrationPage {
    pub chrome: Chrome,
    pub r: Registration,
    pub status_key: &'static str,
    pub status: String,
    pub amount: String,
    pub submitted: String,
    pub decided: Option<String>,
    pub protected_until: Option<String>,
    pub lapsed: Option<String>,
    pub vendor: bool,
    pub may_decide: bool,
    pub conflicts: Vec<ConflictView>,
    /// The registration's rows that some conflict matched on.
    pub on_name: bool,
    pub on_domain: bool,
    pub on_email: bool,
    pub reason: String,
    pub errors: BTreeMap<String, String>,
    pub notice: Option<Notice>,
}

#[derive(Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: String,
}

#[derive(Default, Deserialize)]
pub struct RejectForm {
    #[serde(default)]
    pub reason: String,
}

fn dash(v: Option<String>) -> String {
    v.filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "—".to_owned())
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: RegistrationId,
    reason: String,
    errors: BTreeMap<String, String>,
    notice: Option<Notice>,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let detail = state.store.registration_detail(&viewer, id).await?;
    let chrome = Chrome::build(state, caller, csrf, "opportunities", "registration-title").await?;
    let t = chrome.t;
    let vendor = viewer.role.is_vendor();
    let conflicts = match detail.conflicts {
        Some(conflicts) if !conflicts.is_empty() => {
            let labels = Labels::load(state, t).await?;
            let stages = state.store.opportunity_stages().await?;
            conflicts
                .into_iter()
                .map(|c| {
                    let state_label = c.state.as_deref().map(|s| match c.record_kind {
                        RecordKind::Lead => labels.status(s),
                        RecordKind::Opportunity => stages
                            .iter()
                            .find(|st| st.key == s)
                            .map_or_else(|| s.to_owned(), |st| st.label(t.locale).to_owned()),
                        RecordKind::Registration => RegistrationStatus::parse(s)
                            .map_or_else(|| s.to_owned(), |st| status_label(t, st)),
                        RecordKind::Account => s.to_owned(),
                    });
                    let href = c.record_id.filter(|_| c.exists == Some(true)).map(|id| {
                        let base = match c.record_kind {
                            RecordKind::Lead => "/leads",
                            RecordKind::Opportunity => "/opportunities",
                            RecordKind::Account => "/accounts",
                            RecordKind::Registration => "/deal-registrations",
                        };
                        format!("{base}/{id}")
                    });
                    let note = if c.exists == Some(false) {
                        Some(t.get("registration-conflict-gone"))
                    } else if !c.in_scope {
                        Some(t.get("registration-conflict-outside-scope"))
                    } else {
                        None
                    };
                    let amount = c.amount.as_ref().zip(c.currency.as_ref()).map(|(a, cur)| {
                        openprm_domain::money::Currency::parse(cur)
                            .and_then(|cur| {
                                openprm_domain::money::Money::parse(
                                    a,
                                    cur,
                                    openprm_domain::Locale::English,
                                )
                                .ok()
                            })
                            .map_or_else(|| format!("{a} {cur}"), |m| m.format(t.locale))
                    });
                    let on = |m: MatchedOn| c.matched_on.contains(&m);
                    ConflictView {
                        on_name: on(MatchedOn::Name),
                        on_domain: on(MatchedOn::Domain),
                        on_email: on(MatchedOn::ContactEmail),
                        certainty: c.score.map_or_else(
                            || "—".to_owned(),
                            |score| {
                                t.with(
                                    "registration-certainty-value",
                                    [("score", score.to_string())],
                                )
                            },
                        ),
                        kind: t.get(&format!("registration-kind-{}", c.record_kind.as_str())),
                        partner: c
                            .partner_name
                            .clone()
                            .unwrap_or_else(|| t.get("registration-conflict-vendor")),
                        name: dash(c.name),
                        company: dash(c.company),
                        domain: dash(c.domain),
                        email: dash(c.email),
                        amount: dash(amount),
                        state: dash(state_label),
                        protected_until: c.protected_until.map(minute_text),
                        matched: c
                            .matched_on
                            .iter()
                            .map(|m| t.get(&format!("registration-matched-{}", m.as_str())))
                            .collect(),
                        href,
                        note,
                    }
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let r = detail.registration;
    let any = |on: fn(&ConflictView) -> bool| conflicts.iter().any(on);
    let (on_name, on_domain, on_email) = (
        any(|c| c.on_name),
        any(|c| c.on_domain),
        any(|c| c.on_email),
    );
    let failed = !errors.is_empty();
    let refused = notice.as_ref().is_some_and(|n| n.kind == "error");
    let mut response = render(&RegistrationPage {
        status_key: r.status.as_str(),
        status: status_label(t, r.status),
        amount: amount_text(&r, t.locale),
        submitted: moment(r.created_at),
        decided: r.decided_at.map(moment),
        protected_until: r
            .protected_until
            .filter(|_| r.lapsed_at.is_none() && r.status == RegistrationStatus::Approved)
            .map(minute_text),
        lapsed: r.lapsed_at.map(moment),
        vendor,
        may_decide: vendor && r.status == RegistrationStatus::Pending,
        conflicts,
        on_name,
        on_domain,
        on_email,
        reason,
        errors,
        notice,
        chrome,
        r,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    } else if refused {
        *response.status_mut() = StatusCode::CONFLICT;
    }
    Ok(response)
}

/// `GET /deal-registrations/{id}`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<RegistrationId>,
    Query(done): Query<Done>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let notice = match done.done.as_str() {
        "submitted" => Some(Notice::success(t.get("registration-submitted-notice"))),
        "approved" => Some(Notice::success(t.get("registration-approved-notice"))),
        "rejected" => Some(Notice::success(t.get("registration-rejected-notice"))),
        _ => None,
    };
    page(
        &state,
        &caller,
        &csrf,
        id,
        String::new(),
        BTreeMap::new(),
        notice,
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// The page again with a refusal told in the user's language, or `Err` for an
/// error that deserves an error page.
async fn refused(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: RegistrationId,
    reason: String,
    error: AppError,
) -> Result<Response, AppError> {
    let t = Tr::new(caller.user.locale);
    match error {
        AppError::Domain(DomainError::Validation(fields)) => {
            page(state, caller, csrf, id, reason, translate(t, fields), None).await
        }
        AppError::Domain(DomainError::RegistrationRefused(refusal)) => {
            let text = match refusal.as_ref() {
                openprm_domain::registrations::DecisionRefusal::Protected {
                    partner_name, ..
                } => t.with(
                    "registration-error-protected-by",
                    [
                        ("partner", partner_name.as_str()),
                        ("date", refusal.until_text().unwrap_or_default().as_str()),
                    ],
                ),
                _ => t.get(refusal.message_key()),
            };
            page(
                state,
                caller,
                csrf,
                id,
                reason,
                BTreeMap::new(),
                Some(Notice::error(text)),
            )
            .await
        }
        other => Err(other),
    }
}

/// `POST /deal-registrations/{id}/approve`
pub async fn approve(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<RegistrationId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let mail = registration_mail(&state.config.base_url);
    let result = match state
        .store
        .approve_registration(&caller.viewer(), id, mail.as_ref())
        .await
    {
        Ok(_) => {
            state.outbox_changed();
            Ok(Redirect::to(&format!("/deal-registrations/{id}?done=approved")).into_response())
        }
        Err(e) => refused(&state, &caller, &csrf, id, String::new(), e.into()).await,
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /deal-registrations/{id}/reject` with a reason.
pub async fn reject(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<RegistrationId>,
    PageForm(form): PageForm<RejectForm>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        // Not found and forbidden come before a missing reason.
        state.store.registration(&viewer, id).await?;
        if !viewer.role.is_vendor() {
            return Err(DomainError::Forbidden.into());
        }
        let attempt = match parse_reason(Some(form.reason.clone())) {
            Ok(reason) => {
                let mail = registration_mail(&state.config.base_url);
                state
                    .store
                    .reject_registration(&viewer, id, &reason, mail.as_ref())
                    .await
                    .map_err(AppError::from)
            }
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(_) => {
                state.outbox_changed();
                Ok(
                    Redirect::to(&format!("/deal-registrations/{id}?done=rejected"))
                        .into_response(),
                )
            }
            Err(e) => refused(&state, &caller, &csrf, id, form.reason, e).await,
        }
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
