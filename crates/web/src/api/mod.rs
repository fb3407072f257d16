//! The JSON API under `/api/v1`, and its OpenAPI document generated from the
//! handlers' annotations: a route is added to both at once, so neither can
//! drift from the other.

pub mod accounts;
pub mod activity;
pub mod as_of;
pub mod assignment_rules;
pub mod auth;
pub mod contacts;
pub mod convert;
pub mod deal_help;
pub mod events;
pub mod extract;
pub mod lead_import;
pub mod leads;
pub mod me;
pub mod notifications;
pub mod opportunities;
pub mod partners;
pub mod queues;
pub mod registrations;
pub mod resources;
pub mod settings;
pub mod users;

use axum::{Json, Router, routing::get};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "OpenPRM API", description = "Partner relationship management: partners, users, leads, opportunities."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = []))
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("openprm_session"))),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::password))
        .routes(routes!(auth::accept_invitation))
        .routes(routes!(me::me))
        .routes(routes!(me::recent_items))
        .routes(routes!(events::events))
        .routes(routes!(partners::list, partners::create))
        .routes(routes!(partners::get, partners::update))
        .routes(routes!(partners::users))
        .routes(routes!(partners::invite))
        .routes(routes!(users::get))
        .routes(routes!(users::deactivate))
        .routes(routes!(users::reactivate))
        .routes(routes!(users::resend_invitation))
        .routes(routes!(users::revoke_invitation))
        .routes(routes!(settings::get, settings::put))
        .routes(routes!(leads::list, leads::create))
        .routes(routes!(lead_import::import))
        .routes(routes!(leads::get, leads::update))
        .routes(routes!(leads::claim))
        .routes(routes!(leads::release))
        .routes(routes!(leads::accept))
        .routes(routes!(leads::decline))
        .routes(routes!(leads::timeline))
        .routes(routes!(leads::add_note))
        .routes(routes!(convert::convert))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get, accounts::update))
        .routes(routes!(contacts::list, contacts::create))
        .routes(routes!(contacts::get, contacts::update))
        .routes(routes!(registrations::list, registrations::create))
        .routes(routes!(registrations::get))
        .routes(routes!(registrations::approve))
        .routes(routes!(registrations::reject))
        .routes(routes!(
            registrations::get_settings,
            registrations::put_settings
        ))
        .routes(routes!(opportunities::list, opportunities::create))
        .routes(routes!(opportunities::get, opportunities::update))
        .routes(routes!(opportunities::timeline))
        .routes(routes!(opportunities::add_note))
        .routes(routes!(opportunities::stages, opportunities::put_stages))
        .routes(routes!(queues::list, queues::create))
        .routes(routes!(queues::set_members))
        .routes(routes!(queues::get_rules, queues::put_rules))
        .routes(routes!(assignment_rules::get, assignment_rules::put))
        .routes(routes!(queues::statuses, queues::put_statuses))
        .routes(routes!(deal_help::lead_help))
        .routes(routes!(deal_help::opportunity_help))
        .routes(routes!(deal_help::lead_answer))
        .routes(routes!(deal_help::opportunity_answer))
        .routes(routes!(resources::lead_list, resources::lead_add))
        .routes(routes!(
            resources::opportunity_list,
            resources::opportunity_add
        ))
        .routes(routes!(resources::download))
        .routes(routes!(activity::feed))
        .routes(routes!(notifications::get, notifications::put))
        .split_for_parts();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let document = doc.clone();
    let router = router.route(
        "/api/v1/openapi.json",
        get(move || async move { Json(document) }),
    );
    (router, doc)
}
