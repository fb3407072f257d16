//! Extractors whose failures become clear pages instead of plain-text rejections.

use axum::{
    extract::{FromRequest, FromRequestParts, Path, Request, rejection::FormRejection},
    http::request::Parts,
};
use serde::de::DeserializeOwned;

use crate::{AppState, auth::locale_from_headers, error::AppError, i18n::Tr};

use super::PageError;

/// A url-encoded form; a malformed one is a 400 page, an oversized one 413.
pub struct PageForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PageForm<T> {
    type Rejection = PageError;
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let t = Tr::new(locale_from_headers(request.headers()));
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, state.config.body_limit)
            .await
            .map_err(|_| PageError::new(AppError::TooLarge, t))?;
        if form_has_nul(&bytes) {
            return Err(PageError::new(
                AppError::BadRequest("a NUL character in a form".into()),
                t,
            ));
        }
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(PageForm(value)),
            Err(FormRejection::BytesRejection(_)) => Err(PageError::new(AppError::TooLarge, t)),
            Err(e) => Err(PageError::new(AppError::BadRequest(e.body_text()), t)),
        }
    }
}

/// Whether a url-encoded form carries a NUL character, which no database
/// stores (PostgreSQL refuses it); such a form is refused as malformed.
pub fn form_has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

/// An id from the path; one that cannot be parsed cannot exist, so it is "not found".
pub struct PageId<T>(pub T);

impl<T: std::str::FromStr + Send> FromRequestParts<AppState> for PageId<T> {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let t = Tr::new(locale_from_headers(&parts.headers));
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError::new(openprm_domain::DomainError::NotFound, t))?;
        raw.parse::<T>()
            .map(PageId)
            .map_err(|_| PageError::new(openprm_domain::DomainError::NotFound, t))
    }
}
