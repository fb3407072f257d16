//! Managing users: read, deactivate, reactivate, resend or revoke an invitation.

use axum::{Json, extract::State, http::StatusCode};
use openprm_domain::UserId;
use openprm_store::users::User;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
    services::invitations,
};

use super::extract::ApiId;

/// One user the caller may see.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<UserId>,
) -> ApiResult<Json<User>> {
    Ok(Json(state.store.user(&caller.viewer(), id).await?))
}

/// Deactivates a user: they cannot sign in, and their sessions and tokens end at once.
#[utoipa::path(post, path = "/api/v1/users/{id}/deactivate", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn deactivate(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<UserId>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state
            .store
            .set_user_active(&caller.viewer(), id, false)
            .await?,
    ))
}

/// Lets a deactivated user sign in again.
#[utoipa::path(post, path = "/api/v1/users/{id}/reactivate", tag = "users", params(("id" = String, Path)),
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn reactivate(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<UserId>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        state
            .store
            .set_user_active(&caller.viewer(), id, true)
            .await?,
    ))
}

/// Sends a new invitation link; earlier links stop working.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation/resend", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "already accepted")))]
pub async fn resend_invitation(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<UserId>,
) -> ApiResult<StatusCode> {
    invitations::resend(&state, &caller.user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws a pending invitation.
#[utoipa::path(post, path = "/api/v1/users/{id}/invitation/revoke", tag = "users", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "already accepted")))]
pub async fn revoke_invitation(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<UserId>,
) -> ApiResult<StatusCode> {
    state.store.revoke_invitation(&caller.viewer(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
