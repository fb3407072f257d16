//! "View as of" (spec flow 11): a lead's or an opportunity's fields and
//! timeline as they were at a moment, at `/leads/{id}/as-of?at=…` and
//! `/opportunities/{id}/as-of?at=…`. A plain GET form, so it works without
//! JavaScript; the moment is read as UTC, as the portal shows times.

use askama::Template;
use axum::{
    Extension,
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use openprm_domain::{LeadId, OpportunityId};
use serde::Deserialize;
use time::{OffsetDateTime, PrimitiveDateTime, macros::format_description};

use crate::{
    AppState,
    api::as_of::parse_as_of,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{
        Chrome, PageError, PageId, deal_help::local_input, leads, leads::moment, opportunities,
        render,
    },
};

#[derive(Default, Deserialize)]
pub struct AsOfQuery {
    #[serde(default)]
    pub at: String,
}

/// One timeline entry as shown, whichever kind of record.
pub struct AsOfEntry {
    pub kind: String,
    pub when: String,
    pub who: String,
    pub what: String,
    pub change: Option<(String, String)>,
    pub text: Option<String>,
}

#[derive(Template)]
#[template(path = "record_as_of.html")]
pub struct AsOfPage {
    pub chrome: Chrome,
    pub base: String,
    pub record_title: String,
    /// The moment as typed, kept in the form.
    pub at_input: String,
    /// The moment as shown, when it was understood.
    pub at_text: Option<String>,
    pub error: Option<String>,
    pub existed: bool,
    /// (label, value) as the record's page shows them.
    pub fields: Vec<(String, String)>,
    /// Newest first.
    pub entries: Vec<AsOfEntry>,
}

/// The moment a `datetime-local` input sends (`2026-06-30T12:05`, seconds
/// optional), read as UTC; or an RFC 3339 moment.
fn parse_moment(text: &str) -> Option<OffsetDateTime> {
    let text = text.trim();
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text, minutes)
        .or_else(|_| PrimitiveDateTime::parse(text, seconds))
        .map(PrimitiveDateTime::assume_utc)
        .ok()
        .filter(|at| (1970..=9999).contains(&at.year()))
        .or_else(|| parse_as_of(text).ok())
}

struct Reading {
    title: String,
    existed: bool,
    fields: Vec<(String, String)>,
    entries: Vec<AsOfEntry>,
}

async fn read_lead(
    state: &AppState,
    caller: &Caller,
    id: LeadId,
    at: OffsetDateTime,
    t: Tr,
) -> Result<Reading, AppError> {
    let viewer = caller.viewer();
    let title = state.store.lead(&viewer, id).await?.name;
    let then = state.store.lead_timeline_as_of(&viewer, id, at).await?;
    let labels = leads::Labels::load(state, t).await?;
    let fields = then
        .fields
        .iter()
        .map(|f| {
            (
                labels.field(&f.field),
                labels.value(&f.field, f.value.as_deref()),
            )
        })
        .collect();
    let entries = leads::show::newest_first(&then.entries)
        .into_iter()
        .map(|e| {
            let v = leads::show::event_view(e, &labels);
            AsOfEntry {
                kind: v.kind,
                when: v.when,
                who: v.who,
                what: v.what,
                change: v.change.map(|c| (c.old, c.new)),
                text: v.text,
            }
        })
        .collect();
    Ok(Reading {
        title,
        existed: then.existed,
        fields,
        entries,
    })
}

async fn read_opportunity(
    state: &AppState,
    caller: &Caller,
    id: OpportunityId,
    at: OffsetDateTime,
    t: Tr,
) -> Result<Reading, AppError> {
    let viewer = caller.viewer();
    let title = state.store.opportunity(&viewer, id).await?.name;
    let then = state
        .store
        .opportunity_timeline_as_of(&viewer, id, at)
        .await?;
    let labels = opportunities::Labels::load(state, t).await?;
    let fields = then
        .fields
        .iter()
        .map(|f| {
            (
                labels.field(&f.field),
                labels.value(&f.field, f.value.as_deref()),
            )
        })
        .collect();
    let entries = opportunities::show::newest_first(&then.entries)
        .into_iter()
        .map(|e| {
            let v = opportunities::show::event_view(e, &labels);
            AsOfEntry {
                kind: v.kind,
                when: v.when,
                who: v.who,
                what: v.what,
                change: v.change.map(|c| (c.old, c.new)),
                text: v.text,
            }
        })
        .collect();
    Ok(Reading {
        title,
        existed: then.existed,
        fields,
        entries,
    })
}

#[derive(Clone, Copy)]
enum Record {
    Lead(LeadId),
    Opportunity(OpportunityId),
}

async fn show(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    record: Record,
    query: AsOfQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let (tab, base) = match record {
            Record::Lead(id) => ("leads", format!("/leads/{id}")),
            Record::Opportunity(id) => ("opportunities", format!("/opportunities/{id}")),
        };
        let at = parse_moment(&query.at);
        // An unreadable moment shows the record as it is now, with the error.
        let moment_used = at.unwrap_or_else(|| state.store.now());
        let reading = match record {
            Record::Lead(id) => read_lead(&state, &caller, id, moment_used, t).await?,
            Record::Opportunity(id) => {
                read_opportunity(&state, &caller, id, moment_used, t).await?
            }
        };
        let chrome = Chrome::build(&state, &caller, &csrf, tab, "as-of-title").await?;
        let error = at.is_none().then(|| chrome.t.get("error-as-of-invalid"));
        let page = AsOfPage {
            base,
            record_title: reading.title,
            at_input: if at.is_some() {
                local_input(moment_used)
            } else {
                query.at.clone()
            },
            at_text: at.map(moment),
            error,
            existed: reading.existed,
            fields: if at.is_some() {
                reading.fields
            } else {
                Vec::new()
            },
            entries: if at.is_some() {
                reading.entries
            } else {
                Vec::new()
            },
            chrome,
        };
        let failed = page.error.is_some();
        let mut response = render(&page)?;
        if failed {
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        }
        Ok::<_, AppError>(response)
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `GET /leads/{id}/as-of?at=`
pub async fn lead(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    Query(query): Query<AsOfQuery>,
) -> Response {
    show(state, csrf, caller, Record::Lead(id), query).await
}

/// `GET /opportunities/{id}/as-of?at=`
pub async fn opportunity(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    Query(query): Query<AsOfQuery>,
) -> Response {
    show(state, csrf, caller, Record::Opportunity(id), query).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_come_from_the_input_or_rfc3339() {
        let at = parse_moment("2026-06-30T12:05").unwrap();
        assert_eq!(at, time::macros::datetime!(2026-06-30 12:05 UTC));
        assert!(parse_moment("2026-06-30T12:05:30").is_some());
        assert!(parse_moment("2026-06-30T12:05:30+02:00").is_some());
        assert!(parse_moment("tomorrow").is_none());
        assert!(parse_moment("").is_none());
    }
}
