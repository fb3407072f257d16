//! OpenPRM's HTTP face: server-rendered pages, the JSON API under `/api/v1`,
//! sessions, CSRF protection, metrics. Handlers are thin: they extract the
//! request, ask the store (which applies the domain's rules) and render.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod api;
mod assets;
pub mod auth;
mod connections;
pub mod csrf;
pub mod error;
pub mod i18n;
mod metrics;
pub mod multipart;
pub mod pages;
mod server;
pub mod services;
mod state;

pub use connections::serve;
pub use server::router;
pub use state::{AppState, OutboxNotifier, WebConfig};
