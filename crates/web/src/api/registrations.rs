//! Deal registrations over the API (spec flow 13): list views, submit, read
//! (with the conflicts, for vendor staff only), approve and reject; and the
//! vendor's protection settings.

use axum::{Json, extract::State, http::StatusCode};
use openprm_domain::{
    FieldErrors, Locale, RegistrationId,
    registrations::{
        RegistrationInput, RegistrationStatus, parse_reason, protection::ProtectionPolicy,
    },
};
use openprm_store::registrations::{
    Registration, RegistrationDetail,
    list::{RegistrationQuery, RegistrationView},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
    services::registrations::registration_mail,
};

use super::extract::{ApiId, ApiJson, ApiQuery};

#[derive(Deserialize, IntoParams, Default)]
pub struct ListParams {
    /// mine, company (partner managers), pending, all, partner:<id> (vendor staff).
    /// Default: pending for vendor staff, company for partner managers, mine for partner users.
    pub view: Option<String>,
    /// pending, approved or rejected.
    pub status: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RegistrationList {
    pub registrations: Vec<Registration>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parses the list parameters shared by the API and the page.
pub fn parse_list(
    role: openprm_domain::Role,
    params: &ListParams,
) -> Result<(RegistrationView, RegistrationQuery), AppError> {
    let mut errors = FieldErrors::new();
    let view = match params
        .view
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => RegistrationView::default_for(role),
        Some(v) => RegistrationView::parse(v).unwrap_or_else(|| {
            errors.add("view", "error-view-unknown");
            RegistrationView::default_for(role)
        }),
    };
    let status = match params
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => RegistrationStatus::parse(s).or_else(|| {
            errors.add("status", "error-status-unknown");
            None
        }),
    };
    errors.into_result()?;
    Ok((
        view,
        RegistrationQuery {
            status,
            limit: params.limit.unwrap_or(50),
            cursor: params.cursor.clone(),
        },
    ))
}

/// A list view of deal registrations, keyset-paginated.
#[utoipa::path(get, path = "/api/v1/deal-registrations", tag = "deal-registrations", params(ListParams),
    responses((status = 200, body = RegistrationList), (status = 404, body = ErrorBody, description = "a view the caller does not have"), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<RegistrationList>> {
    let (view, query) = parse_list(caller.user.role, &params)?;
    let page = state
        .store
        .list_registrations(&caller.viewer(), view, &query)
        .await?;
    Ok(Json(RegistrationList {
        registrations: page.registrations,
        next_cursor: page.next_cursor,
    }))
}

/// Registers a deal for the caller's partner company (partner staff). It is
/// checked at once against every partner's records; the submitter sees only
/// that it is pending (under review).
#[utoipa::path(post, path = "/api/v1/deal-registrations", tag = "deal-registrations", request_body = RegistrationInput,
    responses((status = 201, body = Registration), (status = 403, body = ErrorBody, description = "vendor staff do not register deals"),
              (status = 422, body = ErrorBody, description = "bad fields, or the same customer registered twice")))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<RegistrationInput>,
) -> ApiResult<(StatusCode, Json<Registration>)> {
    let viewer = caller.viewer();
    if !viewer.role.is_partner() {
        return Err(openprm_domain::DomainError::Forbidden.into());
    }
    // The API writes amounts with a decimal point, whatever the caller's language.
    let fields = body.parse(state.store.now().date(), Locale::English)?;
    let registration = state.store.submit_registration(&viewer, &fields).await?;
    Ok((StatusCode::CREATED, Json(registration)))
}

/// One registration. Vendor staff also get `conflicts`: the existing records of
/// the same customer, side by side; partner staff never do.
#[utoipa::path(get, path = "/api/v1/deal-registrations/{id}", tag = "deal-registrations", params(("id" = String, Path)),
    responses((status = 200, body = RegistrationDetail), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<RegistrationId>,
) -> ApiResult<Json<RegistrationDetail>> {
    Ok(Json(
        state
            .store
            .registration_detail(&caller.viewer(), id)
            .await?,
    ))
}

/// Approves a pending registration (vendor staff): it becomes the partner's
/// opportunity, protected from other partners for the configured days.
#[utoipa::path(post, path = "/api/v1/deal-registrations/{id}/approve", tag = "deal-registrations", params(("id" = String, Path)),
    responses((status = 200, body = Registration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "registration_already_decided, or registration_protected naming the partner whose approved registration protects the customer")))]
pub async fn approve(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<RegistrationId>,
) -> ApiResult<Json<Registration>> {
    let mail = registration_mail(&state.config.base_url);
    let registration = state
        .store
        .approve_registration(&caller.viewer(), id, mail.as_ref())
        .await?;
    state.outbox_changed();
    Ok(Json(registration))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct RejectBody {
    /// Why; the submitter reads it.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Rejects a pending registration with a reason (vendor staff).
#[utoipa::path(post, path = "/api/v1/deal-registrations/{id}/reject", tag = "deal-registrations", params(("id" = String, Path)), request_body = RejectBody,
    responses((status = 200, body = Registration), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "registration_already_decided"), (status = 422, body = ErrorBody, description = "no reason")))]
pub async fn reject(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<RegistrationId>,
    ApiJson(body): ApiJson<RejectBody>,
) -> ApiResult<Json<Registration>> {
    let viewer = caller.viewer();
    // Not found and forbidden come before a missing reason.
    state.store.registration(&viewer, id).await?;
    if !viewer.role.is_vendor() {
        return Err(openprm_domain::DomainError::Forbidden.into());
    }
    let reason = parse_reason(body.reason)?;
    let mail = registration_mail(&state.config.base_url);
    let registration = state
        .store
        .reject_registration(&viewer, id, &reason, mail.as_ref())
        .await?;
    state.outbox_changed();
    Ok(Json(registration))
}

/// How long an approval protects a deal, and when its submitter is reminded.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct RegistrationSettings {
    /// Days an approved registration is protected from other partners (1–730).
    pub registration_protection_days: i64,
    /// Days before the end that the submitter is reminded (0: never; less than the protection).
    pub registration_reminder_days: i64,
}

impl From<ProtectionPolicy> for RegistrationSettings {
    fn from(p: ProtectionPolicy) -> Self {
        RegistrationSettings {
            registration_protection_days: i64::from(p.protection_days),
            registration_reminder_days: i64::from(p.reminder_days),
        }
    }
}

/// The deal-registration settings (vendor staff).
#[utoipa::path(get, path = "/api/v1/settings/deal-registration", tag = "settings",
    responses((status = 200, body = RegistrationSettings), (status = 403, body = ErrorBody)))]
pub async fn get_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<RegistrationSettings>> {
    if !caller.user.role.is_vendor() {
        return Err(openprm_domain::DomainError::Forbidden.into());
    }
    Ok(Json(state.store.registration_policy().await?.into()))
}

/// Changes the deal-registration settings (admins). New approvals use them;
/// the reminder period applies to protections already running.
#[utoipa::path(put, path = "/api/v1/settings/deal-registration", tag = "settings", request_body = RegistrationSettings,
    responses((status = 200, body = RegistrationSettings), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_settings(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<RegistrationSettings>,
) -> ApiResult<Json<RegistrationSettings>> {
    let viewer = caller.viewer();
    viewer.may_administer()?;
    let policy = ProtectionPolicy::new(
        body.registration_protection_days,
        body.registration_reminder_days,
    )
    .map_err(openprm_domain::DomainError::Validation)?;
    Ok(Json(
        state
            .store
            .save_registration_policy(&viewer, policy)
            .await?
            .into(),
    ))
}
