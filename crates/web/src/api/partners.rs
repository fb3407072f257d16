//! Partner accounts and inviting their staff over the API.

use axum::{Json, extract::State, http::StatusCode};
use openprm_domain::{
    Colour, DomainError, FieldErrors, PartnerId, Tier, UserId, branding::validate_logo_url,
};
use openprm_store::{
    partners::{Partner, PartnerFields},
    users::User,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
    services::invitations::{self, InvitationInput},
};

use super::extract::{ApiId, ApiJson};

/// A partner account as sent to the API: on create, `name` is required; on
/// update, absent fields keep their value and an empty string clears one.
#[derive(Deserialize, ToSchema, Default)]
pub struct PartnerInput {
    pub name: Option<String>,
    /// registered, silver, gold or platinum
    pub tier: Option<String>,
    pub channel_manager_id: Option<String>,
    /// The partner's own portal name for its users.
    pub brand_name: Option<String>,
    pub logo_url: Option<String>,
    /// `#rrggbb`
    pub primary_colour: Option<String>,
    pub accent_colour: Option<String>,
}

impl PartnerInput {
    /// Validates the input over the current values (none when creating).
    pub fn into_fields(self, current: Option<&Partner>) -> Result<PartnerFields, AppError> {
        let mut errors = FieldErrors::new();
        let text = |value: Option<String>, old: Option<&String>| match value {
            Some(v) if v.trim().is_empty() => None,
            Some(v) => Some(v.trim().to_owned()),
            None => old.cloned(),
        };
        let name = text(self.name, current.map(|p| &p.name)).unwrap_or_default();
        if name.is_empty() {
            errors.add("name", "error-required");
        } else if name.chars().count() > 120 {
            errors.add("name", "error-too-long");
        }
        let tier = match self.tier.as_deref().map(str::trim) {
            None | Some("") => current.map(|p| p.tier),
            Some(t) => Tier::parse(t).or_else(|| {
                errors.add("tier", "error-tier-unknown");
                None
            }),
        };
        let channel_manager_id = match self.channel_manager_id.as_deref().map(str::trim) {
            None => current.and_then(|p| p.channel_manager_id),
            Some("") => None,
            Some(id) => id
                .parse::<UserId>()
                .map_err(|_| errors.add("channel_manager_id", "error-not-a-channel-manager"))
                .ok(),
        };
        let brand_name = text(self.brand_name, current.and_then(|p| p.brand_name.as_ref()));
        if brand_name.as_ref().is_some_and(|b| b.chars().count() > 120) {
            errors.add("brand_name", "error-too-long");
        }
        let logo_url =
            text(self.logo_url, current.and_then(|p| p.logo_url.as_ref())).and_then(|l| {
                validate_logo_url(&l)
                    .map_err(|k| errors.add("logo_url", k))
                    .ok()
            });
        let mut colour = |field: &str, value: Option<String>, old: Option<&String>| {
            text(value, old).and_then(|c| Colour::parse(&c).map_err(|k| errors.add(field, k)).ok())
        };
        let primary_colour = colour(
            "primary_colour",
            self.primary_colour,
            current.and_then(|p| p.primary_colour.as_ref()),
        );
        let accent_colour = colour(
            "accent_colour",
            self.accent_colour,
            current.and_then(|p| p.accent_colour.as_ref()),
        );
        errors.into_result()?;
        Ok(PartnerFields {
            name,
            tier,
            channel_manager_id,
            brand_name,
            logo_url,
            primary_colour,
            accent_colour,
        })
    }
}

/// Partner accounts the caller may see.
#[utoipa::path(get, path = "/api/v1/partners", tag = "partners", responses((status = 200, body = Vec<Partner>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<Partner>>> {
    if !caller.user.role.is_vendor() {
        return Err(DomainError::NotFound.into());
    }
    Ok(Json(state.store.partners(&caller.viewer()).await?))
}

/// Creates a partner account (admins).
#[utoipa::path(post, path = "/api/v1/partners", tag = "partners", request_body = PartnerInput,
    responses((status = 201, body = Partner), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<PartnerInput>,
) -> ApiResult<(StatusCode, Json<Partner>)> {
    caller.viewer().may_administer()?;
    let fields = body.into_fields(None)?;
    let partner = state
        .store
        .create_partner(Some(&caller.viewer()), &fields)
        .await?;
    Ok((StatusCode::CREATED, Json(partner)))
}

/// One partner account.
#[utoipa::path(get, path = "/api/v1/partners/{id}", tag = "partners", params(("id" = String, Path)),
    responses((status = 200, body = Partner), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<PartnerId>,
) -> ApiResult<Json<Partner>> {
    Ok(Json(state.store.partner(&caller.viewer(), id).await?))
}

/// Changes a partner account (its admin or channel manager).
#[utoipa::path(patch, path = "/api/v1/partners/{id}", tag = "partners", params(("id" = String, Path)), request_body = PartnerInput,
    responses((status = 200, body = Partner), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<PartnerId>,
    ApiJson(body): ApiJson<PartnerInput>,
) -> ApiResult<Json<Partner>> {
    let viewer = caller.viewer();
    let current = state.store.partner(&viewer, id).await?;
    let fields = body.into_fields(Some(&current))?;
    Ok(Json(
        state.store.update_partner(&viewer, id, &fields).await?,
    ))
}

/// The partner's people.
#[utoipa::path(get, path = "/api/v1/partners/{id}/users", tag = "partners", params(("id" = String, Path)),
    responses((status = 200, body = Vec<User>), (status = 404, body = ErrorBody)))]
pub async fn users(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<PartnerId>,
) -> ApiResult<Json<Vec<User>>> {
    let viewer = caller.viewer();
    state.store.partner(&viewer, id).await?;
    Ok(Json(state.store.users(&viewer, Some(id)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct InvitationBody {
    pub email: String,
    pub name: String,
    /// partner_user or partner_manager
    pub role: String,
    /// en or da; the invitation e-mail and the portal use it
    #[serde(default)]
    pub locale: Option<String>,
}

/// Invites someone to the partner: creates the user and e-mails a one-time link.
#[utoipa::path(post, path = "/api/v1/partners/{id}/invitations", tag = "partners", params(("id" = String, Path)), request_body = InvitationBody,
    responses((status = 201, body = User), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<PartnerId>,
    ApiJson(body): ApiJson<InvitationBody>,
) -> ApiResult<(StatusCode, Json<User>)> {
    let input = InvitationInput {
        email: &body.email,
        name: &body.name,
        role: &body.role,
        locale: body.locale.as_deref(),
    };
    let user = invitations::invite(&state, &caller.user, id, input).await?;
    Ok((StatusCode::CREATED, Json(user)))
}
