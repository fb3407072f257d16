//! Resources attached to a lead or an opportunity: `GET/POST
//! …/{id}/resources` (a link as JSON, a file as a multipart form) and
//! `GET /api/v1/resources/{id}` (the file itself, as an attachment).

use axum::{
    Json,
    extract::{FromRequest, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, LeadId, OpportunityId, ResourceId, deal_help::DealRef};
use openprm_store::deal_help::resources::Resource;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::{
    AppState,
    auth::{ApiCaller, Caller},
    error::{ApiResult, AppError, ErrorBody},
    multipart::{self, UPLOAD_BODY_LIMIT},
};

use super::extract::{ApiId, ApiJson};

/// A link to attach.
#[derive(Deserialize, ToSchema)]
pub struct LinkBody {
    pub title: String,
    /// `http://` or `https://`.
    pub url: String,
}

/// A file to attach, as `multipart/form-data`: the file in the part `file`
/// (pdf, png, jpeg, docx, xlsx, pptx, txt or csv, at most 10 MB; the content
/// must be what the name says), and an optional `title`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    pub title: Option<String>,
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

async fn list(
    state: &AppState,
    caller: &Caller,
    record: DealRef,
) -> ApiResult<Json<Vec<Resource>>> {
    Ok(Json(state.store.resources(&caller.viewer(), record).await?))
}

/// Attaches a link (JSON) or a file (multipart, bearer token only: a page
/// on another site can post a multipart form with the browser's cookie, but
/// never a bearer token).
async fn add(
    state: &AppState,
    caller: &Caller,
    record: DealRef,
    request: Request,
) -> ApiResult<(StatusCode, Json<Resource>)> {
    let headers = request.headers().clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let viewer = caller.viewer();
    let resource = if multipart::is_multipart(content_type.as_deref()) {
        if !has_bearer(&headers) {
            return Err(
                AppError::BadRequest("uploads through the API need a bearer token".into()).into(),
            );
        }
        let body = axum::body::to_bytes(request.into_body(), UPLOAD_BODY_LIMIT)
            .await
            .map_err(|_| AppError::TooLarge)?;
        let form = multipart::parse(content_type.as_deref().unwrap_or_default(), body).await?;
        let file = form
            .file
            .ok_or_else(|| AppError::Domain(DomainError::field("file", "error-required")))?;
        let title = form.fields.get("title").cloned().unwrap_or_default();
        state
            .store
            .add_file_resource(&viewer, record, &title, &file.file_name, file.content)
            .await?
    } else {
        let ApiJson(body) = ApiJson::<LinkBody>::from_request(request, state).await?;
        state
            .store
            .add_link_resource(&viewer, record, &body.title, &body.url)
            .await?
    };
    state.outbox_changed();
    Ok((StatusCode::CREATED, Json(resource)))
}

fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .is_some_and(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
}

/// The lead's resources, newest first.
#[utoipa::path(get, path = "/api/v1/leads/{id}/resources", tag = "help", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Resource>), (status = 404, body = ErrorBody)))]
pub async fn lead_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
) -> ApiResult<Json<Vec<Resource>>> {
    list(&state, &caller, DealRef::Lead(id)).await
}

/// Attaches a link or a file to the lead (vendor staff); the partner is told.
#[utoipa::path(post, path = "/api/v1/leads/{id}/resources", tag = "help", params(("id" = String, Path)),
    request_body(content((LinkBody = "application/json"), (UploadForm = "multipart/form-data"))),
    responses((status = 201, body = Resource), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn lead_add(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<LeadId>,
    request: Request,
) -> ApiResult<(StatusCode, Json<Resource>)> {
    add(&state, &caller, DealRef::Lead(id), request).await
}

/// The opportunity's resources, newest first.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}/resources", tag = "help", params(("id" = String, Path)),
    responses((status = 200, body = Vec<Resource>), (status = 404, body = ErrorBody)))]
pub async fn opportunity_list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
) -> ApiResult<Json<Vec<Resource>>> {
    list(&state, &caller, DealRef::Opportunity(id)).await
}

/// Attaches a link or a file to the opportunity (vendor staff); the partner is told.
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/resources", tag = "help", params(("id" = String, Path)),
    request_body(content((LinkBody = "application/json"), (UploadForm = "multipart/form-data"))),
    responses((status = 201, body = Resource), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn opportunity_add(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<OpportunityId>,
    request: Request,
) -> ApiResult<(StatusCode, Json<Resource>)> {
    add(&state, &caller, DealRef::Opportunity(id), request).await
}

/// A file resource's bytes, as an attachment with its stored type; a link
/// or a resource of a record the caller does not see is not found.
#[utoipa::path(get, path = "/api/v1/resources/{id}", tag = "help", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", description = "The file"),
        (status = 404, body = ErrorBody)))]
pub async fn download(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<ResourceId>,
) -> ApiResult<Response> {
    let file = state.store.resource_file(&caller.viewer(), id).await?;
    let mut response = file.content.into_response();
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(&file.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_TYPE, content_type);
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&file.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    // Nothing in a served file may run as the portal's own page.
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// `attachment` with an ASCII name for old clients and the exact name in
/// RFC 5987 form for the rest.
pub fn content_disposition(file_name: &str) -> String {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for byte in file_name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_quoted_safely() {
        assert_eq!(
            content_disposition("Tilbud på \"grid\".pdf"),
            "attachment; filename=\"Tilbud p_ _grid_.pdf\"; filename*=UTF-8''Tilbud%20p%C3%A5%20%22grid%22.pdf"
        );
    }
}
