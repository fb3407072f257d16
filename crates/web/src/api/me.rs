//! The caller and their Recent Items.

use axum::{Json, extract::State};
use openprm_store::{recent::RecentItem, users::User};

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

/// The caller: role, partner account, language.
#[utoipa::path(get, path = "/api/v1/me", tag = "me", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(ApiCaller(caller): ApiCaller) -> ApiResult<Json<User>> {
    Ok(Json(caller.user))
}

/// The caller's last viewed records they may still see, newest first.
#[utoipa::path(get, path = "/api/v1/recent-items", tag = "me", responses((status = 200, body = Vec<RecentItem>), (status = 401, body = ErrorBody)))]
pub async fn recent_items(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<RecentItem>>> {
    Ok(Json(state.store.recent_items(&caller.viewer()).await?))
}
