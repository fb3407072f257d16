//! The assignment rules over the API: read them (vendor staff) and replace
//! the ordered list with the default queue (admins), naming the version read.

use axum::{Json, extract::State};
use openprm_domain::{
    QueueId,
    assignment_rules::{AssignmentRule, AssignmentRules},
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

use super::extract::ApiJson;

/// The rules in order, the default queue and the version (vendor staff;
/// partners get 404).
#[utoipa::path(get, path = "/api/v1/assignment-rules", tag = "queues",
    responses((status = 200, body = AssignmentRules), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
) -> ApiResult<Json<AssignmentRules>> {
    Ok(Json(state.store.assignment_rules(&caller.viewer()).await?))
}

/// What `PUT` takes: the whole list, in the order the router walks it.
#[derive(Deserialize, ToSchema)]
pub struct AssignmentRulesBody {
    /// The version read; a save since then answers 412 `version_conflict`.
    pub version: i64,
    /// Where a lead goes that no rule places; absent or `null`: it stays
    /// unassigned for the channel manager's Unassigned view.
    #[serde(default)]
    pub default_queue_id: Option<QueueId>,
    pub rules: Vec<AssignmentRule>,
}

/// Replaces the assignment rules (admins). The first rule whose conditions
/// all hold and whose target yields somebody places a lead; a partner, user
/// or queue that does not exist is 422 on that rule's `target`.
#[utoipa::path(put, path = "/api/v1/assignment-rules", tag = "queues", request_body = AssignmentRulesBody,
    responses((status = 200, body = AssignmentRules), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<AssignmentRulesBody>,
) -> ApiResult<Json<AssignmentRules>> {
    let rules = AssignmentRules {
        version: body.version,
        default_queue_id: body.default_queue_id,
        rules: body.rules,
    };
    Ok(Json(
        state
            .store
            .save_assignment_rules(Some(&caller.viewer()), rules)
            .await?,
    ))
}
