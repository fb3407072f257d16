//! `GET /api/v1/activity`: the caller's partners' recent deal activity
//! across leads and opportunities, newest first (vendor staff).

use axum::{Json, extract::State};
use openprm_domain::{FieldErrors, PartnerId, activity::ActivityKind};
use openprm_store::activity::{ActivityPage, ActivityQuery, MAX_LIMIT};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
};

use super::extract::ApiQuery;

#[derive(Default, Deserialize, IntoParams)]
pub struct ActivityParams {
    /// Only this partner's activity.
    pub partner: Option<String>,
    /// created, claims, moves, fields, notes, conversions, help.
    pub kind: Option<String>,
    /// `next_cursor` of the previous page.
    pub before: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
}

/// Parses the feed's parameters, shared by the API and the Activity page.
pub fn parse(params: &ActivityParams) -> Result<ActivityQuery, AppError> {
    let mut errors = FieldErrors::new();
    let partner = match params
        .partner
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        None => None,
        Some(p) => p.parse::<PartnerId>().map_or_else(
            |_| {
                errors.add("partner", "error-partner-unknown");
                None
            },
            Some,
        ),
    };
    let kind = match params
        .kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(k) => ActivityKind::parse(k).or_else(|| {
            errors.add("kind", "error-activity-kind-unknown");
            None
        }),
    };
    // Out of range is clamped, as the list views do.
    let limit = params.limit.unwrap_or(50).clamp(1, MAX_LIMIT);
    let before = params.before.clone().filter(|b| !b.is_empty());
    if before.as_deref().is_some_and(|b| b.len() > 400) {
        errors.add("before", "error-cursor-invalid");
    }
    errors.into_result()?;
    Ok(ActivityQuery {
        partner,
        kind,
        before,
        limit,
    })
}

/// The caller's partners' activity: every timeline entry of their leads and
/// opportunities, newest first, keyset-paginated. Partner staff: 403.
#[utoipa::path(get, path = "/api/v1/activity", tag = "activity", params(ActivityParams),
    responses((status = 200, body = ActivityPage), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn feed(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<ActivityParams>,
) -> ApiResult<Json<ActivityPage>> {
    let viewer = caller.viewer();
    if viewer.role.is_partner() {
        return Err(openprm_domain::DomainError::Forbidden.into());
    }
    let query = parse(&params)?;
    Ok(Json(state.store.activity(&viewer, &query).await?))
}
