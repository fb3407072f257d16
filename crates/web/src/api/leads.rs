//! Leads over the API: list views, read, create, update with `If-Match`,
//! claim, release, accept, decline, timeline and notes.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode, header},
};
use openprm_domain::{DomainError, LeadId, PartnerId, QueueId, UserId, leads::LeadInput};
use openprm_store::leads::{
    Assignment, Lead,
    claims::DeclineReason,
    list::{LeadQuery, LeadSort, LeadView},
    timeline::LeadEvent,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
};

use super::extract::{ApiId, ApiJson, ApiQuery};

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// mine, company, inbox, recent, all, unassigned, declined, queue:<id>, partner:<id>.
    /// Default: mine for partner staff, all for vendor staff.
    pub view: Option<String>,
    /// Search in name, company and e-mail.
    pub q: Option<String>,
    /// A status key.
    pub status: Option<String>,
    /// newest (default), updated, name, company
    pub sort: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadList {
    pub leads: Vec<Lead>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Parses the list parameters shared by the API and the Leads tab.
pub fn parse_list(
    caller_is_vendor: bool,
    params: &ListParams,
) -> Result<(LeadView, LeadQuery), AppError> {
    let mut errors = openprm_domain::FieldErrors::new();
    let view = match params.view.as_deref().filter(|v| !v.is_empty()) {
        None => Some(if caller_is_vendor {
            LeadView::All
        } else {
            LeadView::Mine
        }),
        Some(v) => LeadView::parse(v).or_else(|| {
            errors.add("view", "error-view-unknown");
            None
        }),
    };
    let sort = LeadSort::parse(params.sort.as_deref().unwrap_or("")).unwrap_or_else(|| {
        errors.add("sort", "error-sort-unknown");
        LeadSort::default()
    });
    // No stored text holds a control character, and PostgreSQL refuses NUL outright.
    let controls = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|s| s.chars().any(char::is_control))
    };
    if params.q.as_deref().is_some_and(|q| q.chars().count() > 200) {
        errors.add("q", "error-too-long");
    } else if controls(&params.q) {
        errors.add("q", "error-invalid-characters");
    }
    if controls(&params.status) {
        errors.add("status", "error-invalid-characters");
    }
    errors.into_result()?;
    let view = view.ok_or_else(|| AppError::Internal("view vanished".into()))?;
    Ok((
        view,
        LeadQuery {
            search: params.q.clone(),
            status: params.status.clone(),
            sort,
            limit: params.limit.unwrap_or(50),
            cursor: params.cursor.clone(),
        },
    ))
}

/// A list view of leads, keyset-paginated.
#[utoipa::path(get, path = "/api/v1/leads", tag = "leads", params(ListParams),
    responses((status = 200, body = LeadList), (status = 404, body = ErrorBody, description = "a view the caller does not have"), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<LeadList>> {
    let (view, query) = parse_list(caller.user.role.is_vendor(), &params)?;
    let page = state
        .store
        .list_leads(&caller.viewer(), view, &query)
        .await?;
    Ok(Json(LeadList {
        leads: page.leads,
        next_cursor: page.next_cursor,
    }))
}

/// How a vendor's new lead is placed when no destination is named.
#[derive(Clone, Copy, Debug, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AssignMode {
    /// By the assignment rules (the default).
    Auto,
    /// Nowhere: it stays with the vendor, unassigned.
    None,
}

#[derive(Deserialize, ToSchema, Default)]
pub struct NewLeadBody {
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: LeadInput,
    /// Vendor staff: put the lead in this queue…
    pub queue_id: Option<QueueId>,
    /// …or in this partner's inbox…
    pub partner_id: Option<PartnerId>,
    /// …or in this partner user's inbox.
    pub owner_id: Option<UserId>,
    /// Without a destination: `auto` (default) routes the lead by the
    /// assignment rules, `none` leaves it unassigned. Not together with a
    /// destination.
    pub assign: Option<AssignMode>,
}

/// Creates a lead: vendor staff place it, or let the assignment rules route
/// it (the default without a destination); partner staff create leads they own.
#[utoipa::path(post, path = "/api/v1/leads", tag = "leads", request_body = NewLeadBody,
    responses((status = 201, body = Lead), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewLeadBody>,
) -> ApiResult<(StatusCode, Json<Lead>)> {
    let statuses = state.store.lead_statuses().await?;
    let fields = body.fields.parse(None, &statuses)?;
    let assignment = match (body.queue_id, body.partner_id, body.owner_id, body.assign) {
        (None, None, None, None | Some(AssignMode::Auto)) => Assignment::Auto,
        (None, None, None, Some(AssignMode::None)) => Assignment::Unassigned,
        (Some(q), None, None, None) => Assignment::Queue(q),
        (None, Some(p), None, None) => Assignment::Partner(p),
        (None, None, Some(u), None) => Assignment::User(u),
        (_, _, _, Some(_)) => {
            return Err(DomainError::field("assign", "error-one-destination").into());
        }
        _ => return Err(DomainError::field("queue_id", "error-one-destination").into()),
    };
    let lead = state
        .store
        .create_lead(&caller.viewer(), &fields, assignment)
        .await?;
    Ok((StatusCode::CREATED, Json(lead)))
}

/// One lead; opening it puts it in the caller's Recent Items.
#[utoipa::path(get, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = String, Path)),
    responses((status = 200, body = Lead), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
) -> ApiResult<Json<Lead>> {
    let lead = state.store.lead(&caller.viewer(), id).await?;
    state
        .store
        .touch_recent(caller.user.id, "lead", id.0)
        .await?;
    Ok(Json(lead))
}

/// The version a client last saw, from `If-Match` (a bare number or an ETag-style `"3"`).
pub fn if_match(headers: &HeaderMap) -> Result<i64, AppError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or_else(|| DomainError::field("If-Match", "error-if-match-required"))?;
    raw.to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .ok_or_else(|| DomainError::field("If-Match", "error-if-match-invalid").into())
}

/// Updates a lead. `If-Match: <version>` is required; a stale version answers
/// 412 `version_conflict` and changes nothing.
#[utoipa::path(patch, path = "/api/v1/leads/{id}", tag = "leads", params(("id" = String, Path), ("If-Match" = String, Header, description = "the lead's version")),
    request_body = LeadInput,
    responses((status = 200, body = Lead), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LeadInput>,
) -> ApiResult<Json<Lead>> {
    let viewer = caller.viewer();
    let version = if_match(&headers)?;
    let current = state.store.lead(&viewer, id).await?;
    openprm_store::leads::may_edit(&viewer, &current)?;
    let statuses = state.store.lead_statuses().await?;
    let fields = body.parse(Some(&current.fields()), &statuses)?;
    Ok(Json(
        state
            .store
            .update_lead(&viewer, id, version, &fields)
            .await?,
    ))
}

/// Accepts (claims) an unclaimed queue lead: first come, first served.
#[utoipa::path(post, path = "/api/v1/leads/{id}/claim", tag = "leads", params(("id" = String, Path)),
    responses((status = 200, body = Lead), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "lead_already_claimed, or claim_limit_reached naming the rule")))]
pub async fn claim(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
) -> ApiResult<Json<Lead>> {
    Ok(Json(state.store.claim_lead(&caller.viewer(), id).await?))
}

/// Gives a claimed lead back to its queue.
#[utoipa::path(post, path = "/api/v1/leads/{id}/release", tag = "leads", params(("id" = String, Path)),
    responses((status = 200, body = Lead), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn release(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
) -> ApiResult<Json<Lead>> {
    Ok(Json(state.store.release_lead(&caller.viewer(), id).await?))
}

/// Accepts a lead routed straight to the caller or their company.
#[utoipa::path(post, path = "/api/v1/leads/{id}/accept", tag = "leads", params(("id" = String, Path)),
    responses((status = 200, body = Lead), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
) -> ApiResult<Json<Lead>> {
    Ok(Json(state.store.accept_lead(&caller.viewer(), id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct DeclineBody {
    /// not_my_territory, no_capacity, duplicate, spam, other
    pub reason: String,
    pub note: Option<String>,
}

/// Declines a routed lead with a reason; it goes back to the vendor.
#[utoipa::path(post, path = "/api/v1/leads/{id}/decline", tag = "leads", params(("id" = String, Path)), request_body = DeclineBody,
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    ApiJson(body): ApiJson<DeclineBody>,
) -> ApiResult<StatusCode> {
    let reason = DeclineReason::parse(body.reason.trim())
        .ok_or_else(|| DomainError::field("reason", "error-reason-unknown"))?;
    state
        .store
        .decline_lead(&caller.viewer(), id, reason, body.note.as_deref())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The lead's activity, oldest first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/timeline", tag = "leads", params(("id" = String, Path), super::as_of::AsOfParams),
    responses((status = 200, body = Vec<LeadEvent>, description = "The whole timeline, oldest first; with `as_of`, a `LeadTimelineAsOf`"),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    ApiQuery(params): ApiQuery<super::as_of::AsOfParams>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let viewer = caller.viewer();
    match params.as_of.as_deref() {
        Some(text) => {
            let as_of = super::as_of::parse_as_of(text)?;
            let then: openprm_store::activity::LeadTimelineAsOf =
                state.store.lead_timeline_as_of(&viewer, id, as_of).await?;
            Ok(Json(then).into_response())
        }
        None => Ok(Json(state.store.lead_timeline(&viewer, id).await?).into_response()),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct NoteBody {
    pub text: String,
}

/// Adds a note to the lead's timeline.
#[utoipa::path(post, path = "/api/v1/leads/{id}/notes", tag = "leads", params(("id" = String, Path)), request_body = NoteBody,
    responses((status = 201, body = LeadEvent), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_note(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    ApiJson(body): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<LeadEvent>)> {
    let event = state
        .store
        .add_lead_note(&caller.viewer(), id, &body.text)
        .await?;
    Ok((StatusCode::CREATED, Json(event)))
}
