//! Extractors whose failures become the API's JSON errors.

use axum::{
    extract::{FromRequest, FromRequestParts, Path, Request, rejection::JsonRejection},
    http::request::Parts,
};
use openprm_domain::DomainError;
use serde::de::DeserializeOwned;

use crate::{AppState, error::{ApiError, AppError}};

/// A JSON body. Wrong content type and malformed JSON are 400 `bad_request`;
/// well-formed JSON of the wrong shape is 422 `validation_failed`; too large is 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                Err(AppError::Domain(DomainError::field("body", &format!("{}", e.body_text()))).into())
            }
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::TooLarge.into()),
            Err(e) => Err(AppError::BadRequest(e.body_text()).into()),
        }
    }
}

/// An id from the path; one that cannot be parsed cannot exist: 404.
pub struct ApiId<T>(pub T);

impl<T: std::str::FromStr + Send> FromRequestParts<AppState> for ApiId<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::Domain(DomainError::NotFound)))?;
        raw.parse::<T>().map(ApiId).map_err(|_| ApiError(AppError::Domain(DomainError::NotFound)))
    }
}
