//! OpenPRM's HTTP face: server-rendered pages, the JSON API under `/api/v1`,
//! sessions, CSRF protection, metrics. Handlers are thin: they extract the
//! request, ask the store (which applies the domain's rules) and render.

mod state;
mod server;

pub use server::{router, serve};
pub use state::{AppState, WebConfig};
