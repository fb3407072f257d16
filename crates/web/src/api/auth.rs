//! Signing in over the API, changing one's password, accepting an invitation.

use std::net::SocketAddr;

use axum::{
    Json,
    extract::{ConnectInfo, State},
    http::StatusCode,
};
use openprm_store::sessions::SessionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCallerAnyPassword,
    error::{ApiResult, ErrorBody},
    services::{
        passwords::{PasswordChange, change_password, check_policy},
        sign_in::sign_in,
    },
};

use super::extract::{ApiId, ApiJson};

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`; valid for 30 days or until signed out.
    pub token: String,
    /// When true, every other call answers `password_change_required` until
    /// `POST /api/v1/auth/password` succeeds.
    pub must_change_password: bool,
}

/// Signs in and returns an API token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody, description = "unauthenticated: wrong e-mail or password"),
              (status = 429, body = ErrorBody, description = "rate_limited")))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let user = sign_in(&state, &body.email, &body.password, Some(client.ip())).await?;
    let token = state
        .store
        .create_session(user.id, SessionKind::Api)
        .await?;
    Ok(Json(LoginResponse {
        token,
        must_change_password: user.must_change_password,
    }))
}

/// Ends the token (or session) used for this call.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiCallerAnyPassword(caller): ApiCallerAnyPassword,
) -> ApiResult<StatusCode> {
    state.store.end_session(&caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordRequest {
    /// Not needed when the user was sent to choose a password (after an invitation).
    #[serde(default)]
    pub current_password: Option<String>,
    pub new_password: String,
}

/// Changes the caller's password; their other sessions and tokens end.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordRequest,
    responses((status = 204), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody, description = "validation_failed")))]
pub async fn password(
    State(state): State<AppState>,
    ApiCallerAnyPassword(caller): ApiCallerAnyPassword,
    ApiJson(body): ApiJson<PasswordRequest>,
) -> ApiResult<StatusCode> {
    let change = PasswordChange {
        current: body.current_password.as_deref(),
        new: &body.new_password,
        confirm: None,
    };
    change_password(&state, &caller.user, &caller.token_hash, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptInvitationRequest {
    pub new_password: String,
}

/// First sign-in through an invitation link's token: sets the password and signs in.
#[utoipa::path(post, path = "/api/v1/auth/invitations/{token}/accept", tag = "auth", request_body = AcceptInvitationRequest,
    params(("token" = String, Path, description = "the token from the invitation link")),
    responses((status = 200, body = LoginResponse), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody, description = "expired, used or revoked, or a weak password")))]
pub async fn accept_invitation(
    State(state): State<AppState>,
    ApiId(token): ApiId<String>,
    ApiJson(body): ApiJson<AcceptInvitationRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let view = state
        .store
        .invitation_by_token(&token)
        .await?
        .ok_or(openprm_domain::DomainError::NotFound)?;
    view.status
        .check_usable(state.store.now())
        .map_err(openprm_domain::DomainError::from)?;
    check_policy(&view.email, &body.new_password)?;
    let user = state
        .store
        .accept_invitation(&token, Some(&body.new_password))
        .await?;
    let token = state.store.create_session(user, SessionKind::Api).await?;
    Ok(Json(LoginResponse {
        token,
        must_change_password: false,
    }))
}
