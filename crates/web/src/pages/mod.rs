//! The server-rendered UI: one file per page, sharing the page chrome (branding,
//! tabs, Recent Items) built here.

pub mod accounts;
pub mod activity;
pub mod admin;
pub mod admin_leads;
pub mod admin_opportunities;
pub mod as_of;
mod chrome;
pub mod deal_help;
mod error_page;
mod extract;
pub mod home;
pub mod invitation;
pub mod language;
pub mod leads;
pub mod login;
pub mod notifications;
pub mod opportunities;
pub mod partners;
pub mod password;
pub mod registrations;
pub mod tabs;
pub mod web_lead;

pub use chrome::{Chrome, Tab, may_open};
pub use error_page::PageError;
pub use extract::{PageForm, PageId};

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::error::AppError;

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Response, AppError> {
    template
        .render()
        .map(|html| Html(html).into_response())
        .map_err(|e| AppError::Internal(format!("template: {e}")))
}
