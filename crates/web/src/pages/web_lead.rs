//! The public web-to-lead form at `/forms/lead` (spec flow 12): no sign-in,
//! branded like the portal, in the visitor's language.
//!
//! A bot that fills in the hidden honeypot field gets the same thank-you
//! page as a person and nothing is stored. Each client address may send a
//! few messages an hour (`web_lead::PER_ADDRESS`, counted in the database so
//! every instance counts alike); beyond that the answer is 429. The form
//! carries the CSRF token like every other; the GET sets its cookie.

use std::{collections::BTreeMap, net::SocketAddr};

use askama::Template;
use axum::{
    Extension,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use openprm_domain::{
    Branding, DomainError,
    web_lead::{PER_ADDRESS, WebLeadForm},
};

use crate::{
    AppState, auth::locale_from_headers, csrf::CsrfToken, error::AppError, i18n::Tr,
    pages::leads::translate,
};

use super::{PageError, PageForm, render};

#[derive(Template)]
#[template(path = "web_lead.html")]
pub struct WebLeadPage {
    pub t: Tr,
    pub branding: Branding,
    pub primary_text: &'static str,
    pub csrf: String,
    pub form: WebLeadForm,
    pub errors: BTreeMap<String, String>,
    /// The thank-you page instead of the form.
    pub thanks: bool,
    /// Refused for sending too often.
    pub rate_limited: bool,
}

impl WebLeadPage {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }
}

struct Outcome {
    form: WebLeadForm,
    errors: BTreeMap<String, String>,
    thanks: bool,
    rate_limited: bool,
}

async fn page(
    state: &AppState,
    t: Tr,
    csrf: &CsrfToken,
    outcome: Outcome,
    status: StatusCode,
) -> Result<Response, AppError> {
    let branding = state.store.vendor_settings().await?.branding();
    let mut response = render(&WebLeadPage {
        t,
        primary_text: branding.primary.contrasting_text(),
        branding,
        csrf: csrf.0.clone(),
        form: outcome.form,
        errors: outcome.errors,
        thanks: outcome.thanks,
        rate_limited: outcome.rate_limited,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /forms/lead`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    headers: HeaderMap,
) -> Response {
    let t = Tr::new(locale_from_headers(&headers));
    let outcome = Outcome {
        form: WebLeadForm::default(),
        errors: BTreeMap::new(),
        thanks: false,
        rate_limited: false,
    };
    page(&state, t, &csrf, outcome, StatusCode::OK)
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /forms/lead`
pub async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PageForm(form): PageForm<WebLeadForm>,
) -> Response {
    let t = Tr::new(locale_from_headers(&headers));
    let result = async {
        let key = format!("web-lead:{}", client.ip());
        let (sent, oldest) = state.store.throttle_hits(&key, PER_ADDRESS.window).await?;
        if let Err(DomainError::RateLimited { retry_after_secs }) =
            PER_ADDRESS.check(sent, oldest.map(|t| t.0), state.store.now())
        {
            let outcome = Outcome {
                form,
                errors: BTreeMap::new(),
                thanks: false,
                rate_limited: true,
            };
            let mut response =
                page(&state, t, &csrf, outcome, StatusCode::TOO_MANY_REQUESTS).await?;
            if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            return Ok(response);
        }
        let thanks = Outcome {
            form: WebLeadForm::default(),
            errors: BTreeMap::new(),
            thanks: true,
            rate_limited: false,
        };
        if form.is_bot() {
            // Counted like a message, so a bot cannot try endlessly either.
            state.store.record_throttle_hit(&key).await?;
            tracing::info!(client = %client.ip(), "web-to-lead honeypot filled; nothing stored");
            return page(&state, t, &csrf, thanks, StatusCode::OK).await;
        }
        let statuses = state.store.lead_statuses().await?;
        match form.parse(&statuses) {
            Ok(fields) => {
                state.store.record_throttle_hit(&key).await?;
                let id = state.store.create_web_lead(&fields).await?;
                tracing::info!(lead = %id, "web-to-lead form created a lead");
                page(&state, t, &csrf, thanks, StatusCode::OK).await
            }
            Err(DomainError::Validation(errors)) => {
                let outcome = Outcome {
                    form,
                    errors: translate(t, errors),
                    thanks: false,
                    rate_limited: false,
                };
                page(&state, t, &csrf, outcome, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
