//! Building the router and serving it.

use axum::{
    Router,
    extract::{DefaultBodyLimit, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
};
use tower_http::{
    catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer, trace::TraceLayer,
};

use crate::{
    AppState, api, assets, csrf,
    error::{ApiError, AppError},
    metrics,
    pages::{self, PageError},
};

/// Scripts only from the portal's own files, so injected markup cannot run.
/// Inline styles stay allowed: each page sets its brand colours in a
/// `<style>` block, and htmx adds its indicator styles the same way. Images
/// may be `data:` (an uploaded logo) or any HTTPS address (a logo URL).
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; object-src 'none'; \
     base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn router(state: AppState) -> Router {
    let _ = metrics::handle();
    let (api_routes, _) = api::routes();
    let page_routes = Router::new()
        .route("/", get(pages::home::show))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route(
            "/password",
            get(pages::password::show).post(pages::password::submit),
        )
        .route(
            "/invitations/{token}",
            get(pages::invitation::show).post(pages::invitation::accept),
        )
        .route("/language", post(pages::language::submit))
        .route(
            "/deal-registrations",
            get(pages::registrations::list::show).post(pages::registrations::new::create),
        )
        .route(
            "/deal-registrations/new",
            get(pages::registrations::new::new),
        )
        .route(
            "/deal-registrations/{id}",
            get(pages::registrations::show::show),
        )
        .route(
            "/deal-registrations/{id}/approve",
            post(pages::registrations::show::approve),
        )
        .route(
            "/deal-registrations/{id}/reject",
            post(pages::registrations::show::reject),
        )
        .route(
            "/admin/deal-registration",
            get(pages::registrations::settings::show).post(pages::registrations::settings::save),
        )
        .route(
            "/leads",
            get(pages::leads::list::show).post(pages::leads::edit::create),
        )
        .route("/leads/new", get(pages::leads::edit::new))
        .route(
            "/leads/import",
            get(pages::leads::import::show).post(pages::leads::import::submit),
        )
        .route(
            "/forms/lead",
            get(pages::web_lead::show).post(pages::web_lead::submit),
        )
        .route("/leads/{id}", get(pages::leads::show::show))
        .route(
            "/leads/{id}/edit",
            get(pages::leads::edit::edit).post(pages::leads::edit::save),
        )
        .route("/leads/{id}/accept", post(pages::leads::list::accept))
        .route("/leads/{id}/release", post(pages::leads::show::release))
        .route("/leads/{id}/decline", post(pages::leads::show::decline))
        .route("/leads/{id}/notes", post(pages::leads::show::add_note))
        .route("/leads/{id}/help", post(pages::deal_help::lead_help))
        .route(
            "/leads/{id}/help/answers",
            post(pages::deal_help::lead_answer),
        )
        .route(
            "/leads/{id}/resources",
            post(pages::deal_help::lead_resource),
        )
        .route("/leads/{id}/as-of", get(pages::as_of::lead))
        .route(
            "/leads/{id}/convert",
            get(pages::accounts::convert::show).post(pages::accounts::convert::submit),
        )
        .route(
            "/opportunities",
            get(pages::opportunities::list::show).post(pages::opportunities::edit::create),
        )
        .route("/opportunities/new", get(pages::opportunities::edit::new))
        .route("/opportunities/{id}", get(pages::opportunities::show::show))
        .route(
            "/opportunities/{id}/edit",
            get(pages::opportunities::edit::edit).post(pages::opportunities::edit::save),
        )
        .route(
            "/opportunities/{id}/notes",
            post(pages::opportunities::show::add_note),
        )
        .route(
            "/opportunities/{id}/help",
            post(pages::deal_help::opportunity_help),
        )
        .route(
            "/opportunities/{id}/help/answers",
            post(pages::deal_help::opportunity_answer),
        )
        .route(
            "/opportunities/{id}/resources",
            post(pages::deal_help::opportunity_resource),
        )
        .route("/opportunities/{id}/as-of", get(pages::as_of::opportunity))
        .route("/activity", get(pages::activity::show))
        .route(
            "/settings/notifications",
            get(pages::notifications::show).post(pages::notifications::save),
        )
        .route(
            "/accounts",
            get(pages::accounts::list::accounts).post(pages::accounts::account::create),
        )
        .route("/accounts/new", get(pages::accounts::account::new))
        .route("/accounts/{id}", get(pages::accounts::account::show))
        .route(
            "/accounts/{id}/edit",
            get(pages::accounts::account::edit).post(pages::accounts::account::save),
        )
        .route(
            "/contacts",
            get(pages::accounts::list::contacts).post(pages::accounts::contact::create),
        )
        .route("/contacts/new", get(pages::accounts::contact::new))
        .route("/contacts/{id}", get(pages::accounts::contact::show))
        .route(
            "/contacts/{id}/edit",
            get(pages::accounts::contact::edit).post(pages::accounts::contact::save),
        )
        .route("/resources", get(pages::tabs::resources))
        .route("/dashboard", get(pages::tabs::dashboard))
        .route(
            "/partners",
            get(pages::partners::list).post(pages::partners::create),
        )
        .route(
            "/partners/{id}",
            get(pages::partners::show).post(pages::partners::update),
        )
        .route("/partners/{id}/invitations", post(pages::partners::invite))
        .route(
            "/users/{id}/deactivate",
            post(pages::partners::deactivate_user),
        )
        .route(
            "/users/{id}/reactivate",
            post(pages::partners::reactivate_user),
        )
        .route(
            "/users/{id}/invitation/resend",
            post(pages::partners::resend_invitation),
        )
        .route(
            "/users/{id}/invitation/revoke",
            post(pages::partners::revoke_invitation),
        )
        .route("/admin", get(pages::admin::show).post(pages::admin::save))
        .route(
            "/admin/queues",
            get(pages::admin_leads::queues).post(pages::admin_leads::create_queue),
        )
        .route("/admin/queues/{id}", get(pages::admin_leads::edit_queue))
        .route(
            "/admin/queues/{id}/members",
            post(pages::admin_leads::set_queue_members),
        )
        .route(
            "/admin/claim-rules",
            get(pages::admin_leads::claim_rules).post(pages::admin_leads::add_claim_rule),
        )
        .route(
            "/admin/claim-rules/{id}/delete",
            post(pages::admin_leads::delete_claim_rule),
        )
        .route(
            "/admin/claim-rules/{id}/up",
            post(pages::admin_leads::move_claim_rule_up),
        )
        .route(
            "/admin/claim-rules/{id}/down",
            post(pages::admin_leads::move_claim_rule_down),
        )
        .route(
            "/admin/claim-rules/overrides",
            post(pages::admin_leads::add_claim_rule_override),
        )
        .route(
            "/admin/claim-rules/{id}/overrides/remove",
            post(pages::admin_leads::remove_claim_rule_override),
        )
        .route(
            "/admin/assignment-rules",
            get(pages::admin_leads::assignment_rules)
                .post(pages::admin_leads::create_assignment_rule),
        )
        .route(
            "/admin/assignment-rules/new",
            get(pages::admin_leads::new_assignment_rule),
        )
        .route(
            "/admin/assignment-rules/default",
            post(pages::admin_leads::set_default_assignment_queue),
        )
        .route(
            "/admin/assignment-rules/{id}/edit",
            get(pages::admin_leads::edit_assignment_rule)
                .post(pages::admin_leads::update_assignment_rule),
        )
        .route(
            "/admin/assignment-rules/{id}/delete",
            post(pages::admin_leads::delete_assignment_rule),
        )
        .route(
            "/admin/assignment-rules/{id}/up",
            post(pages::admin_leads::move_assignment_rule_up),
        )
        .route(
            "/admin/assignment-rules/{id}/down",
            post(pages::admin_leads::move_assignment_rule_down),
        )
        .route(
            "/admin/lead-statuses",
            get(pages::admin_leads::lead_statuses).post(pages::admin_leads::save_lead_statuses),
        )
        .route(
            "/admin/opportunity-stages",
            get(pages::admin_opportunities::show).post(pages::admin_opportunities::save),
        )
        .route("/static/app.css", get(assets::app_css))
        .route("/static/htmx.min.js", get(assets::htmx_js))
        .route("/static/live.js", get(assets::live_js))
        .route("/static/import.js", get(assets::import_js));
    let limit = state.config.body_limit;
    Router::new()
        .merge(page_routes)
        .merge(api_routes)
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::render))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::custom(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }))
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// Unknown paths: a JSON error under `/api`, a page elsewhere.
async fn not_found(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        ApiError(AppError::NoRoute).into_response()
    } else {
        PageError::from_headers(
            AppError::Domain(openprm_domain::DomainError::NotFound),
            request.headers(),
        )
        .into_response()
    }
}

async fn method_not_allowed(request: Request) -> Response {
    let mut response = if request.uri().path().starts_with("/api/") {
        ApiError(AppError::BadRequest("method not allowed".into())).into_response()
    } else {
        PageError::from_headers(
            AppError::BadRequest("method not allowed".into()),
            request.headers(),
        )
        .into_response()
    };
    *response.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
    response
}
