//! `GET/PUT /api/v1/me/notifications`: which e-mail notifications the caller
//! gets, one switch per kind.

use axum::{Json, extract::State};
use openprm_store::notifications::NotificationSetting;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

use super::extract::ApiJson;

#[derive(Deserialize, ToSchema)]
pub struct NotificationsBody {
    /// The kinds to change; kinds left out keep their setting.
    pub notifications: Vec<NotificationSetting>,
}

#[derive(serde::Serialize, ToSchema)]
pub struct Notifications {
    /// Every kind: lead_assigned, help_requested, help_answered, stale_warning.
    pub notifications: Vec<NotificationSetting>,
}

/// The caller's notification settings.
#[utoipa::path(get, path = "/api/v1/me/notifications", tag = "me",
    responses((status = 200, body = Notifications), (status = 401, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Notifications>> {
    let notifications = state.store.notification_settings(&caller.viewer()).await?;
    Ok(Json(Notifications { notifications }))
}

/// Turns e-mail notifications on or off, per kind.
#[utoipa::path(put, path = "/api/v1/me/notifications", tag = "me", request_body = NotificationsBody,
    responses((status = 200, body = Notifications), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NotificationsBody>,
) -> ApiResult<Json<Notifications>> {
    let notifications = state
        .store
        .set_notification_settings(&caller.viewer(), &body.notifications)
        .await?;
    Ok(Json(Notifications { notifications }))
}
