//! Opportunities over the API: list views, read, create, update with
//! `If-Match`, timeline and notes; and the stage picklist.
//!
//! Amounts travel as text in major units (`"12500.50"`, read the English way)
//! or as whole JSON numbers, never as JSON numbers with decimals, which would
//! arrive as floats; answers carry both `amount_minor` and `amount`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
};
use openprm_domain::{
    AccountId, DomainError, FieldErrors, Locale, OpportunityId, Role, UserId,
    opportunities::{OpportunityInput, ParseContext},
    opportunity_stages::{OpportunityStage, StageOutcome},
};
use openprm_store::opportunities::{
    Opportunity, Reassignment,
    list::{OpportunityQuery, OpportunitySort, OpportunityView},
    may_edit,
    timeline::OpportunityEvent,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
};

use super::extract::{ApiId, ApiJson, ApiQuery};

#[derive(Deserialize, IntoParams, Default)]
pub struct ListParams {
    /// mine, company, closing_this_month, won, lost, all, partner:<id>.
    /// Default: mine for partner staff, all for vendor staff.
    pub view: Option<String>,
    /// Search in the opportunity's and its account's name.
    pub q: Option<String>,
    /// A stage key.
    pub stage: Option<String>,
    /// close_date (default, soonest first), name, newest
    pub sort: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct OpportunityList {
    pub opportunities: Vec<Opportunity>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parses the list parameters shared by the API and the Opportunities tab.
pub fn parse_list(
    role: Role,
    params: &ListParams,
    stages: &[OpportunityStage],
) -> Result<(OpportunityView, OpportunityQuery), AppError> {
    let mut errors = FieldErrors::new();
    let view = match params.view.as_deref().filter(|v| !v.is_empty()) {
        None => OpportunityView::default_for(role),
        Some(v) => OpportunityView::parse(v).unwrap_or_else(|| {
            errors.add("view", "error-view-unknown");
            OpportunityView::default_for(role)
        }),
    };
    let sort = OpportunitySort::parse(params.sort.as_deref().unwrap_or("")).unwrap_or_else(|| {
        errors.add("sort", "error-sort-unknown");
        OpportunitySort::default()
    });
    // No stored text holds a control character, and PostgreSQL refuses NUL outright.
    let q = params.q.as_deref().unwrap_or("");
    if q.chars().count() > 200 {
        errors.add("q", "error-too-long");
    } else if q.chars().any(char::is_control) {
        errors.add("q", "error-invalid-characters");
    }
    let stage = params.stage.as_deref().map(str::trim).unwrap_or("");
    if !stage.is_empty() && !stages.iter().any(|s| s.key == stage) {
        errors.add("stage", "error-stage-unknown");
    }
    errors.into_result()?;
    Ok((
        view,
        OpportunityQuery {
            search: params.q.clone(),
            stage: (!stage.is_empty()).then(|| stage.to_owned()),
            sort,
            limit: params.limit.unwrap_or(50),
            cursor: params.cursor.clone(),
        },
    ))
}

/// A list view of opportunities, keyset-paginated.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "opportunities", params(ListParams),
    responses((status = 200, body = OpportunityList), (status = 404, body = ErrorBody, description = "a view the caller does not have"), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<OpportunityList>> {
    let stages = state.store.opportunity_stages().await?;
    let (view, query) = parse_list(caller.user.role, &params, &stages)?;
    let page = state
        .store
        .list_opportunities(&caller.viewer(), view, &query)
        .await?;
    Ok(Json(OpportunityList {
        opportunities: page.opportunities,
        next_cursor: page.next_cursor,
    }))
}

/// An id sent in a body: missing is `error-required` when `required`, one that
/// cannot be parsed cannot exist (`unknown`).
fn body_id<T: std::str::FromStr>(
    errors: &mut FieldErrors,
    field: &str,
    raw: Option<&str>,
    required: bool,
    unknown: &str,
) -> Option<T> {
    match raw.map(str::trim).filter(|v| !v.is_empty()) {
        None => {
            if required {
                errors.add(field, "error-required");
            }
            None
        }
        Some(v) => v.parse().map_err(|_| errors.add(field, unknown)).ok(),
    }
}

/// Parses fields and ids together, so every problem is reported at once.
pub fn parse_with_ids<T>(
    parsed: Result<T, DomainError>,
    mut id_errors: FieldErrors,
) -> Result<T, DomainError> {
    match parsed {
        Ok(value) if id_errors.is_empty() => Ok(value),
        Ok(_) => Err(DomainError::Validation(id_errors)),
        Err(DomainError::Validation(mut errors)) => {
            errors.0.append(&mut id_errors.0);
            Err(DomainError::Validation(errors))
        }
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, ToSchema, Default)]
pub struct NewOpportunityBody {
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: OpportunityInput,
    /// The account it is for (required): one the caller can see, of a partner.
    pub account_id: Option<String>,
    /// Who owns it: partner users own what they create; partner managers may
    /// name a colleague; vendor staff one of the partner's people (default:
    /// the account's owner).
    pub owner_id: Option<String>,
}

/// The context the API parses in: amounts the English way.
async fn context_parts(
    state: &AppState,
) -> Result<(Vec<OpportunityStage>, openprm_domain::money::Currency), AppError> {
    Ok((
        state.store.opportunity_stages().await?,
        state.store.default_currency().await?,
    ))
}

/// Creates an opportunity on an account.
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "opportunities", request_body = NewOpportunityBody,
    responses((status = 201, body = Opportunity), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewOpportunityBody>,
) -> ApiResult<(StatusCode, Json<Opportunity>)> {
    let (stages, default_currency) = context_parts(&state).await?;
    let cx = ParseContext {
        stages: &stages,
        default_currency,
        locale: Locale::English,
    };
    let mut id_errors = FieldErrors::new();
    let account: Option<AccountId> = body_id(
        &mut id_errors,
        "account_id",
        body.account_id.as_deref(),
        true,
        "opportunity-error-account-unknown",
    );
    let owner: Option<UserId> = body_id(
        &mut id_errors,
        "owner_id",
        body.owner_id.as_deref(),
        false,
        "opportunity-error-owner-unknown",
    );
    let fields = parse_with_ids(body.fields.parse(None, cx), id_errors)?;
    let account = account.ok_or_else(|| DomainError::field("account_id", "error-required"))?;
    let opportunity = state
        .store
        .create_opportunity(&caller.viewer(), &fields, account, owner)
        .await?;
    Ok((StatusCode::CREATED, Json(opportunity)))
}

/// One opportunity; opening it puts it in the caller's Recent Items.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = String, Path)),
    responses((status = 200, body = Opportunity), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
) -> ApiResult<Json<Opportunity>> {
    let opportunity = state.store.opportunity(&caller.viewer(), id).await?;
    state
        .store
        .touch_recent(caller.user.id, "opportunity", id.0)
        .await?;
    Ok(Json(opportunity))
}

/// The version a client last saw, from `If-Match` (a bare number or an ETag-style `"3"`).
fn if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or_else(|| DomainError::field("If-Match", "opportunity-error-if-match-required"))?;
    raw.to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| DomainError::field("If-Match", "opportunity-error-if-match-invalid").into())
}

#[derive(Deserialize, ToSchema, Default)]
pub struct OpportunityPatch {
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: OpportunityInput,
    /// Move it to another account of the same partner.
    pub account_id: Option<String>,
    /// Hand it to another of the partner's people (not for partner users).
    pub owner_id: Option<String>,
}

/// Updates an opportunity. `If-Match: <version>` is required; a stale version
/// answers 412 `version_conflict` and changes nothing.
#[utoipa::path(patch, path = "/api/v1/opportunities/{id}", tag = "opportunities", params(("id" = String, Path), ("If-Match" = String, Header, description = "the opportunity's version")),
    request_body = OpportunityPatch,
    responses((status = 200, body = Opportunity), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<OpportunityPatch>,
) -> ApiResult<Json<Opportunity>> {
    let viewer = caller.viewer();
    let current = state.store.opportunity(&viewer, id).await?;
    may_edit(&viewer, &current)?;
    let version = if_match(&headers)?;
    let (stages, default_currency) = context_parts(&state).await?;
    let cx = ParseContext {
        stages: &stages,
        default_currency,
        locale: Locale::English,
    };
    let mut id_errors = FieldErrors::new();
    let account_id = body_id(
        &mut id_errors,
        "account_id",
        body.account_id.as_deref(),
        false,
        "opportunity-error-account-unknown",
    );
    let owner_id = body_id(
        &mut id_errors,
        "owner_id",
        body.owner_id.as_deref(),
        false,
        "opportunity-error-owner-unknown",
    );
    let fields = parse_with_ids(body.fields.parse(Some(&current.fields()), cx), id_errors)?;
    let reassignment = Reassignment {
        account_id,
        owner_id,
    };
    Ok(Json(
        state
            .store
            .update_opportunity(&viewer, id, version, &fields, reassignment)
            .await?,
    ))
}

/// The opportunity's activity, oldest first.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/timeline", tag = "opportunities", params(("id" = String, Path), super::as_of::AsOfParams),
    responses((status = 200, body = Vec<OpportunityEvent>, description = "The whole timeline, oldest first; with `as_of`, a `OpportunityTimelineAsOf`"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
    ApiQuery(params): ApiQuery<super::as_of::AsOfParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let viewer = caller.viewer();
    match params.as_of.as_deref() {
        Some(text) => {
            let as_of = super::as_of::parse_as_of(text)?;
            let then: openprm_store::activity::OpportunityTimelineAsOf = state
                .store
                .opportunity_timeline_as_of(&viewer, id, as_of)
                .await?;
            Ok(Json(then).into_response())
        }
        None => Ok(Json(state.store.opportunity_timeline(&viewer, id).await?).into_response()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    pub text: String,
}

/// Adds a note to the opportunity's timeline.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/notes", tag = "opportunities", params(("id" = String, Path)), request_body = NoteBody,
    responses((status = 201, body = OpportunityEvent), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<OpportunityEvent>)> {
    let event = state
        .store
        .add_opportunity_note(&caller.viewer(), id, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(event)))
}

/// The stage picklist, in order.
#[utoipa::path(get, path = "/api/v1/opportunity-stages", tag = "opportunities", responses((status = 200, body = Vec<OpportunityStage>), (status = 401, body = ErrorBody)))]
pub async fn stages(
    State(state): State<AppState>,
    ApiCaller(_caller): ApiCaller,
) -> ApiResult<Json<Vec<OpportunityStage>>> {
    Ok(Json(state.store.opportunity_stages().await?))
}

/// One stage of the picklist as an admin sends it.
#[derive(Deserialize, ToSchema)]
pub struct StageInput {
    /// Stable key: a lower-case letter, then letters, digits and `_` (at most 40).
    pub key: String,
    pub label_en: String,
    pub label_da: String,
    /// open, won or lost.
    pub outcome: String,
    /// Percent, 0–100. Won stages are 100 and lost ones 0 (the default for them).
    pub probability: Option<i32>,
    /// Order, smallest first; ties keep the order sent. Default: the place in the list.
    pub position: Option<i32>,
}

/// Turns what the admin sent into stages, or the field errors of the outcome
/// and probability (the rest is the domain's to check).
fn stages_sent(body: Vec<StageInput>) -> Result<Vec<OpportunityStage>, DomainError> {
    let mut errors = FieldErrors::new();
    let stages: Vec<OpportunityStage> = body
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let outcome = StageOutcome::parse(&s.outcome).unwrap_or_else(|| {
                errors.add(
                    &format!("stages[{i}].outcome"),
                    "error-stage-outcome-unknown",
                );
                StageOutcome::Open
            });
            let probability = s
                .probability
                .or_else(|| outcome.fixed_probability())
                .unwrap_or_else(|| {
                    errors.add(&format!("stages[{i}].probability"), "error-required");
                    0
                });
            OpportunityStage {
                key: s.key,
                label_en: s.label_en,
                label_da: s.label_da,
                probability,
                outcome,
                position: s
                    .position
                    .unwrap_or_else(|| i32::try_from((i + 1) * 10).unwrap_or(i32::MAX)),
            }
        })
        .collect();
    errors.into_result().map(|()| stages)
}

/// Replaces the stage picklist (admins). Stages are matched by key: labels,
/// probability, outcome and order change; a new key adds a stage; a key left
/// out is removed, unless opportunities are in it (`fields` names it as
/// `removed.<key>`). At least one open, one won and one lost stage.
#[utoipa::path(put, path = "/api/v1/opportunity-stages", tag = "opportunities", request_body = Vec<StageInput>,
    responses((status = 200, body = Vec<OpportunityStage>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_stages(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<Vec<StageInput>>,
) -> ApiResult<Json<Vec<OpportunityStage>>> {
    let viewer = caller.viewer();
    viewer.may_administer()?;
    let stages = stages_sent(body)?;
    state
        .store
        .save_opportunity_stages(&viewer, &stages)
        .await?;
    Ok(Json(state.store.opportunity_stages().await?))
}
