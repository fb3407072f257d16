//! Queues, their members, the claim rules and the lead status picklist.

use axum::{Json, extract::State, http::StatusCode};
use openprm_domain::{PartnerId, QueueId, claim_rules::ClaimRule, leads::LeadStatus};
use openprm_store::queues::{Queue, QueueFields};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

use super::extract::{ApiId, ApiJson};

/// Queues the caller may see: all for vendor staff, their company's for partner staff.
#[utoipa::path(get, path = "/api/v1/queues", tag = "queues", responses((status = 200, body = Vec<Queue>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<Queue>>> {
    Ok(Json(state.store.queues(&caller.viewer()).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct NewQueue {
    pub name: String,
    /// Claimed leads without activity for this many days return to the queue (1–365).
    pub stale_claim_days: Option<i32>,
    #[serde(default)]
    pub members: Vec<PartnerId>,
}

/// Creates a queue (admins).
#[utoipa::path(post, path = "/api/v1/queues", tag = "queues", request_body = NewQueue,
    responses((status = 201, body = Queue), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewQueue>,
) -> ApiResult<(StatusCode, Json<Queue>)> {
    let viewer = caller.viewer();
    let fields = QueueFields {
        name: body.name,
        stale_claim_days: body.stale_claim_days,
        members: body.members,
    };
    let id = state.store.create_queue(Some(&viewer), &fields).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.store.queue(&viewer, id).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct QueueMembers {
    pub partner_ids: Vec<PartnerId>,
}

/// Sets which partner accounts may claim from a queue (admins).
#[utoipa::path(put, path = "/api/v1/queues/{id}/members", tag = "queues", params(("id" = String, Path)), request_body = QueueMembers,
    responses((status = 200, body = Queue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_members(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<QueueId>,
    ApiJson(body): ApiJson<QueueMembers>,
) -> ApiResult<Json<Queue>> {
    let viewer = caller.viewer();
    state
        .store
        .set_queue_members(&viewer, id, &body.partner_ids)
        .await?;
    Ok(Json(state.store.queue(&viewer, id).await?))
}

/// The claim rules, in order (any signed-in user: partners may know the limits they work under).
#[utoipa::path(get, path = "/api/v1/claim-rules", tag = "queues", responses((status = 200, body = Vec<ClaimRule>), (status = 401, body = ErrorBody)))]
pub async fn get_rules(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<Vec<ClaimRule>>> {
    let rules = state.store.claim_rules().await?;
    // Overrides name other partners: only vendor staff see them.
    let rules = if caller.user.role.is_vendor() {
        rules
    } else {
        rules
            .into_iter()
            .map(|r| ClaimRule {
                overrides: Vec::new(),
                ..r
            })
            .collect()
    };
    Ok(Json(rules))
}

/// Replaces the claim rules (admins).
#[utoipa::path(put, path = "/api/v1/claim-rules", tag = "queues", request_body = Vec<ClaimRule>,
    responses((status = 200, body = Vec<ClaimRule>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_rules(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(rules): ApiJson<Vec<ClaimRule>>,
) -> ApiResult<Json<Vec<ClaimRule>>> {
    state
        .store
        .save_claim_rules(Some(&caller.viewer()), &rules)
        .await?;
    Ok(Json(state.store.claim_rules().await?))
}

/// The lead status picklist.
#[utoipa::path(get, path = "/api/v1/lead-statuses", tag = "leads", responses((status = 200, body = Vec<LeadStatus>), (status = 401, body = ErrorBody)))]
pub async fn statuses(
    State(state): State<AppState>,
    ApiCaller(_caller): ApiCaller,
) -> ApiResult<Json<Vec<LeadStatus>>> {
    Ok(Json(state.store.lead_statuses().await?))
}

/// One status of the picklist as an admin sends it.
#[derive(Deserialize, ToSchema)]
pub struct StatusInput {
    /// Stable key: a lower-case letter, then letters, digits and `_` (at most 40).
    pub key: String,
    pub label_en: String,
    pub label_da: String,
    /// No longer counts as open. Default: false (true for `converted`).
    pub closed: Option<bool>,
    /// Only `converted` is, and it must be. Default: whether the key is `converted`.
    pub converted: Option<bool>,
    /// Leads in this status may be converted. Default: whether the key is `qualified`.
    pub qualified: Option<bool>,
    /// Order, smallest first; ties keep the order sent. Default: the place in the list.
    pub position: Option<i32>,
}

impl StatusInput {
    fn into_status(self, index: usize) -> LeadStatus {
        let is_converted = self.key == openprm_store::leads::statuses::CONVERTED_KEY;
        LeadStatus {
            closed: self.closed.unwrap_or(is_converted),
            converted: self.converted.unwrap_or(is_converted),
            qualified: self.qualified.unwrap_or(self.key == "qualified"),
            position: self
                .position
                .unwrap_or_else(|| i32::try_from((index + 1) * 10).unwrap_or(i32::MAX)),
            key: self.key,
            label_en: self.label_en,
            label_da: self.label_da,
        }
    }
}

/// Replaces the lead status picklist (admins). Statuses are matched by key: labels,
/// order and the closed flag change; a new key adds a status; a key left out is
/// removed, except `converted` and a status leads are in (`fields` names it as
/// `removed.<key>`).
#[utoipa::path(put, path = "/api/v1/lead-statuses", tag = "leads", request_body = Vec<StatusInput>,
    responses((status = 200, body = Vec<LeadStatus>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_statuses(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<Vec<StatusInput>>,
) -> ApiResult<Json<Vec<LeadStatus>>> {
    let statuses: Vec<LeadStatus> = body
        .into_iter()
        .enumerate()
        .map(|(i, s)| s.into_status(i))
        .collect();
    state
        .store
        .save_lead_statuses(&caller.viewer(), &statuses)
        .await?;
    Ok(Json(state.store.lead_statuses().await?))
}
