//! Extractors whose failures become the API's JSON errors.

use axum::{
    extract::{
        FromRequest, FromRequestParts, Path, Query, Request,
        rejection::{JsonRejection, QueryRejection},
    },
    http::request::Parts,
};
use openprm_domain::DomainError;
use serde::de::DeserializeOwned;

use crate::{
    AppState,
    error::{ApiError, AppError},
};

/// A JSON body. Wrong content type and malformed JSON are 400 `bad_request`;
/// well-formed JSON of the wrong shape is 422 `validation_failed`; too large is 413.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, state.config.body_limit)
            .await
            .map_err(|_| AppError::TooLarge)?;
        if json_has_nul(&bytes) {
            return Err(AppError::BadRequest("a NUL character in a JSON string".into()).into());
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(JsonRejection::JsonDataError(e)) => {
                let text = e.body_text();
                let field = data_error_field(&text).unwrap_or("body");
                Err(AppError::Domain(DomainError::field(field, &text)).into())
            }
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::TooLarge.into()),
            Err(e) => Err(AppError::BadRequest(e.body_text()).into()),
        }
    }
}

/// The top-level field a JSON data error is about (`amount` for a number with
/// decimals where an exact amount belongs), from the path axum puts before
/// the message: `…target type: amount: …`. `None` when it names none.
fn data_error_field(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("target type: ")?;
    let (path, _) = rest.split_once(": ")?;
    let field = path.split(['.', '[']).next()?;
    (!field.is_empty() && field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(field)
}

/// Whether a JSON text has a `\u0000` escape in a string: no database stores
/// such text (PostgreSQL refuses it), so it is refused as malformed up front.
fn json_has_nul(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|b| *b == b'\\') {
        let escape = &rest[at + 1..];
        if escape.len() >= 5 && escape[0] == b'u' && escape[1..5] == *b"0000" {
            return true;
        }
        // Skip the escaped character, so `\\u0000` is not mistaken for one.
        rest = escape.get(1..).unwrap_or_default();
    }
    false
}

/// A query string. Values of the wrong type (`limit=abc`) or repeated
/// parameters are 422 `validation_failed`, naming the parameter when the
/// parser does.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                let text = e.body_text();
                let detail = text.split_once(": ").map_or(text.as_str(), |(_, d)| d);
                // The parser says `limit: invalid digit…`; otherwise the query as a whole.
                let field = detail
                    .split_once(": ")
                    .map(|(f, _)| f)
                    .filter(|f| {
                        !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                    .unwrap_or("query");
                Err(AppError::Domain(DomainError::field(field, detail)).into())
            }
            Err(e) => Err(AppError::BadRequest(e.body_text()).into()),
        }
    }
}

/// An id from the path; one that cannot be parsed cannot exist: 404.
pub struct ApiId<T>(pub T);

impl<T: std::str::FromStr + Send> FromRequestParts<AppState> for ApiId<T> {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::Domain(DomainError::NotFound)))?;
        raw.parse::<T>()
            .map(ApiId)
            .map_err(|_| ApiError(AppError::Domain(DomainError::NotFound)))
    }
}
