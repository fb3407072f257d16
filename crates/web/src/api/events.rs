//! `GET /api/v1/events`: the caller's live events as server-sent events.
//!
//! The same stream serves API clients and the portal's pages (with the session
//! cookie). Each event is named after its record (`lead`, `opportunity`) and
//! carries its `id:`; a client that reconnects sends it back as
//! `Last-Event-ID` (pages pass the position they were rendered at as
//! `?last_event_id=`) and first gets what it missed. Who hears what is decided
//! by the store's subscription, never here.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::{Query, State},
    http::{HeaderMap, HeaderValue, header},
    response::{
        IntoResponse, Response,
        sse::{Event, KeepAlive, Sse},
    },
};
use futures::Stream;
use openprm_domain::{
    DomainError,
    live::{Hearing, LiveRecord, Notice},
};
use openprm_store::live::{Delivery, Subscription, SubscriptionItem};
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::{
    AppState,
    auth::{ApiCaller, Caller},
    error::{ApiResult, AppError, ErrorBody},
    i18n::Tr,
};

/// How often an open stream checks that its session still holds (a
/// deactivation ends it at once in any case).
const RECHECK_EVERY: Duration = Duration::from_secs(30);

#[derive(Deserialize, utoipa::IntoParams)]
pub struct EventsQuery {
    /// Resume after this event id, like the `Last-Event-ID` header (which wins).
    last_event_id: Option<String>,
}

/// One event as the client receives it (the `data:` line, JSON).
#[derive(Serialize, utoipa::ToSchema)]
pub struct LiveMessage {
    /// The event's own id; a client may see one twice after a reconnect.
    pub id: i64,
    /// `lead` or `opportunity`.
    pub record: &'static str,
    pub record_id: Uuid,
    /// The timeline entry's kind (`created`, `routed`, `claim`, `release`,
    /// `accept`, `decline`, `field`, `note`, `converted`, …), or `gone` when
    /// the record left the caller's sight.
    pub kind: String,
    /// For `field`: which field changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Whether the caller made the change.
    pub by_me: bool,
    /// The record's page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    /// A sentence for the caller, in their language, when the change is news
    /// to them (a lead assigned to them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

/// The caller's live events: server-sent events, one per change they may see.
#[utoipa::path(
    get,
    path = "/api/v1/events",
    tag = "events",
    params(
        EventsQuery,
        ("Last-Event-ID" = Option<String>, Header, description = "Resume after this event id"),
    ),
    responses(
        (status = 200, content_type = "text/event-stream", body = LiveMessage,
         description = "A stream of `lead` and `opportunity` events; `reset` when too much was missed to replay"),
        (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn events(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    headers: HeaderMap,
    Query(query): Query<EventsQuery>,
) -> ApiResult<Response> {
    let resume = match headers.get("last-event-id") {
        Some(value) => Some(value.to_str().unwrap_or("x").to_owned()),
        None => query.last_event_id,
    };
    let resume = resume.map(|text| parse_event_id(&text)).transpose()?;
    let hub = state.live().await?;
    let subscription = hub.subscribe(&caller.viewer(), resume).await?;
    let stream = stream(state, caller, subscription);
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response();
    // Proxies must pass each event on at once.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

fn parse_event_id(text: &str) -> Result<i64, AppError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 0)
        .ok_or_else(|| DomainError::field("last_event_id", "error-event-id-invalid").into())
}

struct Open {
    state: AppState,
    caller: Caller,
    subscription: Subscription,
    recheck_at: tokio::time::Instant,
}

/// The subscription as SSE, until the session ends or the client leaves.
fn stream(
    state: AppState,
    caller: Caller,
    subscription: Subscription,
) -> impl Stream<Item = Result<Event, Infallible>> {
    let open = Open {
        state,
        caller,
        subscription,
        recheck_at: tokio::time::Instant::now() + RECHECK_EVERY,
    };
    futures::stream::unfold(Some(open), |open| async move {
        let mut open = open?;
        loop {
            let item = tokio::select! {
                item = open.subscription.next() => item?,
                () = tokio::time::sleep_until(open.recheck_at) => SubscriptionItem::SignedOut,
            };
            let event = match item {
                SubscriptionItem::Event(delivery) => message(&open.caller, &delivery),
                SubscriptionItem::Reset { resume_id } => Event::default()
                    .event("reset")
                    .id(resume_id.to_string())
                    .data("{}"),
                SubscriptionItem::SignedOut => {
                    if !open.still_signed_in().await {
                        return None;
                    }
                    continue;
                }
            };
            return Some((Ok(event), Some(open)));
        }
    })
}

impl Open {
    /// Whether the caller's session holds; their rights are re-read with it.
    async fn still_signed_in(&mut self) -> bool {
        self.recheck_at = tokio::time::Instant::now() + RECHECK_EVERY;
        match self.state.store.session_user(&self.caller.token_hash).await {
            Ok(Some(user)) => {
                self.caller.user = user;
                let viewer = self.caller.viewer();
                if let Err(e) = self.subscription.refresh(&viewer).await {
                    tracing::warn!(error = %e, "refreshing a live subscriber failed");
                }
                true
            }
            Ok(None) => false,
            // A database hiccup should not cut every stream; try again later.
            Err(e) => {
                tracing::warn!(error = %e, "checking a live subscriber's session failed");
                true
            }
        }
    }
}

fn message(caller: &Caller, delivery: &Delivery) -> Event {
    let event = &delivery.event;
    let record = event.record.as_str();
    let body = match delivery.hearing {
        Hearing::Gone => LiveMessage {
            id: event.id,
            record,
            record_id: event.record_id,
            kind: "gone".into(),
            field: None,
            at: None,
            title: None,
            by_me: false,
            href: None,
            notice: None,
        },
        Hearing::Full => LiveMessage {
            id: event.id,
            record,
            record_id: event.record_id,
            kind: event.kind.clone(),
            field: event.field.clone(),
            at: event.at.format(&Rfc3339).ok(),
            title: Some(event.title.clone()),
            by_me: event.actor_id == Some(caller.user.id),
            href: href(event.record, event.record_id),
            notice: delivery
                .notice
                .map(|notice| notice_text(Tr::new(caller.user.locale), notice, event)),
        },
    };
    Event::default()
        .event(record)
        .id(delivery.resume_id.to_string())
        .json_data(&body)
        .unwrap_or_else(|_| Event::default().event(record).data("{}"))
}

fn href(record: LiveRecord, id: Uuid) -> Option<String> {
    match record {
        LiveRecord::Lead => Some(format!("/leads/{id}")),
        LiveRecord::Opportunity => Some(format!("/opportunities/{id}")),
        LiveRecord::User => None,
    }
}

fn notice_text(t: Tr, notice: Notice, event: &openprm_domain::live::LiveEvent) -> String {
    let key = match (notice, event.record) {
        (Notice::AssignedToYou, LiveRecord::Opportunity) => "live-notice-opportunity-for-you",
        (Notice::AssignedToYou, _) => "live-notice-lead-for-you",
        (Notice::ForYourCompany, _) => "live-notice-lead-for-company",
        (Notice::HelpRequested, _) => "live-notice-help-requested",
        (Notice::HelpAnswered, _) => "live-notice-help-answered",
    };
    t.with(key, [("title", event.title.as_str())])
}
