//! Errors shown as a page, in the visitor's language.

use askama::Template;
use axum::{
    http::{HeaderMap, StatusCode},
    response::{Html, IntoResponse, Response},
};

use crate::{auth::locale_from_headers, error::AppError, i18n::Tr};

#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub t: Tr,
}

impl PageError {
    pub fn new(error: impl Into<AppError>, t: Tr) -> Self {
        Self {
            error: error.into(),
            t,
        }
    }

    pub fn from_headers(error: AppError, headers: &HeaderMap) -> Self {
        Self {
            error,
            t: Tr::new(locale_from_headers(headers)),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    t: Tr,
    status: u16,
    heading: String,
    message: String,
    fields: Vec<(String, String)>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if let AppError::Internal(detail) = &self.error {
            tracing::error!(%detail, "page failed");
        }
        let parts = self.error.parts();
        let t = self.t;
        let page = ErrorTemplate {
            t,
            status: parts.status.as_u16(),
            heading: t.get(&format!("error-heading-{}", parts.status.as_u16())),
            message: t.get(parts.message_key),
            fields: parts
                .fields
                .map(|f| f.0.into_iter().map(|(k, v)| (k, t.get(&v))).collect())
                .unwrap_or_default(),
        };
        let html = page.render().unwrap_or_else(|_| t.get(parts.message_key));
        let status = if parts.status.is_server_error() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            parts.status
        };
        (status, Html(html)).into_response()
    }
}
