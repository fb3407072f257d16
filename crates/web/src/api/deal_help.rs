//! Asking for help on a lead or an opportunity, and answering it (spec
//! flow 11): `POST …/{id}/help` by partner staff, `POST …/{id}/help/answers`
//! by vendor staff. Both go to the record's timeline (and so live to whoever
//! sees it) and by e-mail to whom they concern.

use axum::{Json, extract::State, http::StatusCode};
use openprm_domain::{LeadId, OpportunityId, deal_help::DealRef};
use openprm_store::deal_help::HelpEntry;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

use super::extract::{ApiId, ApiJson};

#[derive(Deserialize, ToSchema)]
pub struct HelpBody {
    /// What the partner needs (1–4000 characters).
    pub message: String,
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// The answer (1–4000 characters).
    pub text: String,
}

async fn ask(
    state: &AppState,
    caller: &crate::auth::Caller,
    record: DealRef,
    body: HelpBody,
) -> ApiResult<(StatusCode, Json<HelpEntry>)> {
    let entry = state
        .store
        .ask_for_help(&caller.viewer(), record, &body.message)
        .await?;
    state.outbox_changed();
    Ok((StatusCode::CREATED, Json(entry)))
}

async fn answer(
    state: &AppState,
    caller: &crate::auth::Caller,
    record: DealRef,
    body: AnswerBody,
) -> ApiResult<(StatusCode, Json<HelpEntry>)> {
    let entry = state
        .store
        .answer_help(&caller.viewer(), record, &body.text)
        .await?;
    state.outbox_changed();
    Ok((StatusCode::CREATED, Json(entry)))
}

/// Asks the partner's channel manager for help on the lead (partner staff).
#[utoipa::path(post, path = "/api/v1/leads/{id}/help", tag = "help", params(("id" = String, Path)), request_body = HelpBody,
    responses((status = 201, body = HelpEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lead_help(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    ApiJson(body): ApiJson<HelpBody>,
) -> ApiResult<(StatusCode, Json<HelpEntry>)> {
    ask(&state, &caller, DealRef::Lead(id), body).await
}

/// Asks the partner's channel manager for help on the opportunity (partner staff).
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/help", tag = "help", params(("id" = String, Path)), request_body = HelpBody,
    responses((status = 201, body = HelpEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn opportunity_help(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
    ApiJson(body): ApiJson<HelpBody>,
) -> ApiResult<(StatusCode, Json<HelpEntry>)> {
    ask(&state, &caller, DealRef::Opportunity(id), body).await
}

/// Answers on the lead (vendor staff); the partner who asked is told.
#[utoipa::path(post, path = "/api/v1/leads/{id}/help/answers", tag = "help", params(("id" = String, Path)), request_body = AnswerBody,
    responses((status = 201, body = HelpEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lead_answer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<(StatusCode, Json<HelpEntry>)> {
    answer(&state, &caller, DealRef::Lead(id), body).await
}

/// Answers on the opportunity (vendor staff); the partner who asked is told.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/help/answers", tag = "help", params(("id" = String, Path)), request_body = AnswerBody,
    responses((status = 201, body = HelpEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn opportunity_answer(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
    ApiJson(body): ApiJson<AnswerBody>,
) -> ApiResult<(StatusCode, Json<HelpEntry>)> {
    answer(&state, &caller, DealRef::Opportunity(id), body).await
}
