//! One error type for the web layer, mapped to HTTP in one place: a JSON error
//! (spec §3) for the API, an error page for the UI.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, FieldErrors, Locale};
use openprm_store::StoreError;
use serde::Serialize;

use crate::i18n::Tr;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A fault of ours; logged with its detail, answered without it.
    #[error("internal error: {0}")]
    Internal(String),
    /// The request itself is malformed (bad JSON, wrong content type).
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    TooLarge,
    #[error("the form has expired")]
    Csrf,
    #[error("no such endpoint")]
    NoRoute,
    /// Wrong e-mail or password: one answer for both, so accounts cannot be discovered.
    #[error("wrong e-mail or password")]
    BadCredentials,
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Domain(e) => AppError::Domain(e),
            StoreError::Duplicate(what) => {
                AppError::Domain(DomainError::field(&what, "error-duplicate"))
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

/// What the caller is told: status, stable code, message key and field errors.
pub struct ErrorParts {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_key: &'static str,
    pub fields: Option<FieldErrors>,
    pub retry_after: Option<u64>,
    /// A message more specific than the key's, in English (the claim rule that refused).
    pub detail: Option<String>,
}

impl AppError {
    pub fn parts(&self) -> ErrorParts {
        let plain = |status, code, message_key| ErrorParts {
            status,
            code,
            message_key,
            fields: None,
            retry_after: None,
            detail: None,
        };
        match self {
            AppError::Domain(e) => match e {
                DomainError::Unauthenticated => plain(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "error-unauthenticated",
                ),
                DomainError::PasswordChangeRequired => plain(
                    StatusCode::FORBIDDEN,
                    "password_change_required",
                    "error-password-change-required",
                ),
                DomainError::Forbidden => {
                    plain(StatusCode::FORBIDDEN, "forbidden", "error-forbidden")
                }
                DomainError::NotFound => {
                    plain(StatusCode::NOT_FOUND, "not_found", "error-not-found")
                }
                DomainError::Validation(fields) => ErrorParts {
                    fields: Some(fields.clone()),
                    ..plain(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        "error-validation",
                    )
                },
                DomainError::LeadAlreadyClaimed => plain(
                    StatusCode::CONFLICT,
                    "lead_already_claimed",
                    "error-lead-already-claimed",
                ),
                DomainError::ClaimLimitReached(refusal) => ErrorParts {
                    detail: Some(refusal.to_english()),
                    ..plain(
                        StatusCode::CONFLICT,
                        "claim_limit_reached",
                        "error-claim-limit-reached",
                    )
                },
                DomainError::RegistrationRefused(refusal) => ErrorParts {
                    detail: Some(refusal.to_string()),
                    ..plain(StatusCode::CONFLICT, refusal.code(), refusal.message_key())
                },
                DomainError::LeadAlreadyConverted => plain(
                    StatusCode::CONFLICT,
                    "lead_already_converted",
                    "error-lead-already-converted",
                ),
                DomainError::VersionConflict => plain(
                    StatusCode::PRECONDITION_FAILED,
                    "version_conflict",
                    "error-version-conflict",
                ),
                DomainError::RateLimited { retry_after_secs } => ErrorParts {
                    retry_after: Some(*retry_after_secs),
                    ..plain(
                        StatusCode::TOO_MANY_REQUESTS,
                        "rate_limited",
                        "error-rate-limited",
                    )
                },
                DomainError::ImportFileRefused(problem) => ErrorParts {
                    detail: Some(
                        Tr::new(Locale::English).with(problem.message_key(), problem.args()),
                    ),
                    ..plain(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        problem.message_key(),
                    )
                },
                DomainError::Invalid(key) => {
                    plain(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", key)
                }
            },
            AppError::Internal(_) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "error-internal",
            ),
            AppError::BadRequest(_) => {
                plain(StatusCode::BAD_REQUEST, "bad_request", "error-bad-request")
            }
            AppError::TooLarge => plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "error-too-large",
            ),
            AppError::Csrf => plain(StatusCode::FORBIDDEN, "forbidden", "error-csrf"),
            AppError::NoRoute => plain(StatusCode::NOT_FOUND, "not_found", "error-no-route"),
            AppError::BadCredentials => plain(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "error-sign-in-failed",
            ),
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(detail) => tracing::error!(%detail, "request failed"),
            AppError::BadRequest(detail) => tracing::debug!(%detail, "bad request"),
            _ => {}
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: `not_found`, `validation_failed`, `rate_limited`, …
    pub code: String,
    /// For people, in English.
    pub message: String,
    /// Each bad field and what is wrong with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<std::collections::BTreeMap<String, String>>,
}

/// The API's answer to an error: JSON, with messages in English (programs
/// should read `code` and `fields`).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        ApiError(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let parts = self.0.parts();
        let tr = Tr::new(Locale::English);
        let body = ErrorBody {
            error: ErrorDetail {
                code: parts.code.to_owned(),
                message: parts
                    .detail
                    .clone()
                    .unwrap_or_else(|| tr.get(parts.message_key)),
                fields: parts
                    .fields
                    .map(|f| f.0.into_iter().map(|(k, v)| (k, tr.get(&v))).collect()),
            },
        };
        let mut response = (parts.status, Json(body)).into_response();
        if let Some(secs) = parts.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
