//! Converting a lead over the API (spec flow 8).

use axum::{Json, extract::State, http::StatusCode};
use openprm_domain::{LeadId, Locale, conversion::ConvertInput, opportunities::ParseContext};
use openprm_store::leads::convert::Converted;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

use super::extract::{ApiId, ApiJson};

/// Converts a qualified lead: links `account_id` or creates an account
/// (named `account_name`, default the lead's company), creates a contact from
/// the lead and, unless `create_opportunity` is false, an opportunity; marks
/// the lead converted and read-only. All of it or none.
///
/// 409 `lead_already_converted` for a second conversion; 403 `forbidden` for
/// a lead the caller may see but not edit; 422 for a status not marked
/// qualified (`status`), an account the caller cannot see (`account_id`,
/// whether or not it exists) or bad opportunity fields.
#[utoipa::path(post, path = "/api/v1/leads/{id}/convert", tag = "leads", params(("id" = String, Path)),
    request_body = ConvertInput,
    responses((status = 201, body = Converted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody, description = "lead_already_converted"), (status = 422, body = ErrorBody)))]
pub async fn convert(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    ApiJson(body): ApiJson<ConvertInput>,
) -> ApiResult<(StatusCode, Json<Converted>)> {
    let viewer = caller.viewer();
    let lead = state.store.lead(&viewer, id).await?;
    state.store.check_lead_convertible(&viewer, &lead).await?;
    let stages = state.store.opportunity_stages().await?;
    let cx = ParseContext {
        stages: &stages,
        default_currency: state.store.default_currency().await?,
        locale: Locale::English,
    };
    let request = body.parse(&lead.fields(), cx, state.store.now().date())?;
    let converted = state.store.convert_lead(&viewer, id, &request).await?;
    Ok((StatusCode::CREATED, Json(converted)))
}
