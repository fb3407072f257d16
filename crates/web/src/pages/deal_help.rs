//! Help and resources on the lead and opportunity pages (spec flow 11): the
//! section those pages include (`deal_help.html`), and its forms: Ask for
//! help (partner staff), Answer, Add a link and Upload a file (vendor staff).
//!
//! Each form posts to the record (`/leads/{id}/help`, `…/help/answers`,
//! `…/resources`) and returns to its page; a form with a bad field is shown
//! again on a page of its own, with the input kept and the error beside it.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::{Request, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    DomainError, LeadId, OpportunityId, Viewer,
    deal_help::{self, DealRef},
};
use openprm_store::{StoreError, deal_help::resources::Resource};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    multipart::{self, UPLOAD_BODY_LIMIT},
    pages::{Chrome, PageError, PageForm, PageId, leads::moment, leads::translate, render},
};

/// A resource as the section lists it.
pub struct ResourceView {
    pub title: String,
    pub href: String,
    pub is_file: bool,
    /// `offer.pdf · 120 KB`, or the link's address.
    pub detail: String,
    pub who: String,
    pub when: String,
}

/// What the lead and opportunity pages show of help and resources.
pub struct DealHelpView {
    /// The record's page (`/leads/{id}`); the forms post below it.
    pub base: String,
    pub may_ask: bool,
    pub may_answer: bool,
    pub resources: Vec<ResourceView>,
    /// The "View as of" control's starting value: now, as a
    /// `datetime-local` input writes it (UTC).
    pub as_of_now: String,
    /// The file types an upload accepts, for the file input.
    pub accept: &'static str,
    /// The latest help request on the record and whether it was answered,
    /// so whoever asked sees at once that it went out.
    pub latest_request: Option<HelpRequestView>,
}

/// The latest help request, as the Help card shows it.
pub struct HelpRequestView {
    pub text: String,
    pub asked_by: String,
    pub asked_at: String,
    /// Who answered (a note or a resource) since, if anyone.
    pub answered_by: Option<String>,
}

impl HelpRequestView {
    /// From a record's timeline entries, oldest first, as
    /// `(kind, text, who, when)`.
    pub fn latest<'a>(
        entries: impl Iterator<Item = (&'a str, Option<&'a str>, Option<&'a str>, OffsetDateTime)>,
        t: Tr,
    ) -> Option<HelpRequestView> {
        let mut latest: Option<HelpRequestView> = None;
        for (kind, text, who, at) in entries {
            let who = who.map_or_else(|| t.get("timeline-system"), str::to_owned);
            match kind {
                "help" => {
                    latest = Some(HelpRequestView {
                        text: text.unwrap_or_default().to_owned(),
                        asked_by: who,
                        asked_at: super::leads::moment(at),
                        answered_by: None,
                    });
                }
                "help_answer" | "resource" => {
                    if let Some(request) = latest.as_mut() {
                        request.answered_by = Some(who);
                    }
                }
                _ => {}
            }
        }
        latest
    }
}

/// The file types an upload accepts, as a file input's `accept`.
pub const ACCEPT: &str = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx,.txt,.csv";

/// A size as people read it.
fn size_text(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{} KB", (b + 1023) / 1024),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// `2026-06-30T12:05`, as a `datetime-local` input takes it.
pub fn local_input(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

fn resource_view(r: Resource, t: Tr) -> ResourceView {
    let is_file = r.kind == "file";
    let detail = if is_file {
        format!(
            "{} · {}",
            r.file_name.clone().unwrap_or_default(),
            size_text(r.size_bytes.unwrap_or(0))
        )
    } else {
        r.url.clone().unwrap_or_default()
    };
    ResourceView {
        href: if is_file {
            r.download.clone().unwrap_or_default()
        } else {
            r.url.clone().unwrap_or_default()
        },
        title: r.title,
        is_file,
        detail,
        who: r
            .created_by_name
            .unwrap_or_else(|| t.get("timeline-someone")),
        when: moment(r.created_at),
    }
}

impl DealHelpView {
    /// The section for a record the caller sees.
    pub async fn load(
        state: &AppState,
        viewer: &Viewer,
        record: DealRef,
        latest_request: Option<HelpRequestView>,
        t: Tr,
    ) -> Result<DealHelpView, AppError> {
        let resources = state.store.resources(viewer, record).await?;
        Ok(DealHelpView {
            base: record.path(),
            may_ask: deal_help::may_ask_for_help(viewer.role).is_ok(),
            may_answer: deal_help::may_answer(viewer.role).is_ok(),
            resources: resources.into_iter().map(|r| resource_view(r, t)).collect(),
            as_of_now: local_input(state.store.now()),
            accept: ACCEPT,
            latest_request,
        })
    }
}

/// Which form is shown again.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Help,
    Answer,
    Link,
    File,
}

/// One of the section's forms on a page of its own, with what was typed
/// and what was wrong.
#[derive(Template)]
#[template(path = "deal_help_form.html")]
pub struct DealHelpFormPage {
    pub chrome: Chrome,
    pub form: FormKind,
    pub base: String,
    pub record_title: String,
    pub text: String,
    pub title: String,
    pub url: String,
    pub accept: &'static str,
    pub errors: BTreeMap<String, String>,
}

#[derive(Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub text: String,
}

/// The record's name, for the heading of a form shown again.
async fn record_title(
    state: &AppState,
    viewer: &Viewer,
    record: DealRef,
) -> Result<String, AppError> {
    Ok(match record {
        DealRef::Lead(id) => state.store.lead(viewer, id).await?.name,
        DealRef::Opportunity(id) => state.store.opportunity(viewer, id).await?.name,
    })
}

/// Shows `form` again with its errors (422), or turns another error into its page.
#[allow(clippy::too_many_arguments)]
async fn again(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    record: DealRef,
    form: FormKind,
    input: (&str, &str, &str),
    error: StoreError,
) -> Result<Response, AppError> {
    let StoreError::Domain(DomainError::Validation(errors)) = error else {
        return Err(error.into());
    };
    let chrome = Chrome::build(state, caller, csrf, record_tab(record), "help-title").await?;
    let errors = translate(chrome.t, errors);
    let page = DealHelpFormPage {
        record_title: record_title(state, &caller.viewer(), record).await?,
        base: record.path(),
        form,
        text: input.0.to_owned(),
        title: input.1.to_owned(),
        url: input.2.to_owned(),
        accept: ACCEPT,
        chrome,
        errors,
    };
    let mut response = render(&page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

fn record_tab(record: DealRef) -> &'static str {
    match record {
        DealRef::Lead(_) => "leads",
        DealRef::Opportunity(_) => "opportunities",
    }
}

fn back(state: &AppState, record: DealRef) -> Response {
    state.outbox_changed();
    Redirect::to(&format!("{}#help", record.path())).into_response()
}

async fn ask(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    record: DealRef,
    form: TextForm,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = match state
        .store
        .ask_for_help(&caller.viewer(), record, &form.message)
        .await
    {
        Ok(_) => Ok(back(&state, record)),
        Err(e) => {
            again(
                &state,
                &caller,
                &csrf,
                record,
                FormKind::Help,
                (&form.message, "", ""),
                e,
            )
            .await
        }
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

async fn answer(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    record: DealRef,
    form: TextForm,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = match state
        .store
        .answer_help(&caller.viewer(), record, &form.text)
        .await
    {
        Ok(_) => Ok(back(&state, record)),
        Err(e) => {
            again(
                &state,
                &caller,
                &csrf,
                record,
                FormKind::Answer,
                (&form.text, "", ""),
                e,
            )
            .await
        }
    };
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// A link (url-encoded form) or a file (multipart form), both checked for
/// `_csrf` by the CSRF layer before they get here.
async fn add_resource(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    record: DealRef,
    request: Request,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let viewer = caller.viewer();
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let result = async {
        let body = axum::body::to_bytes(request.into_body(), UPLOAD_BODY_LIMIT)
            .await
            .map_err(|_| AppError::TooLarge)?;
        if multipart::is_multipart(content_type.as_deref()) {
            let form = multipart::parse(content_type.as_deref().unwrap_or_default(), body).await?;
            let title = form.text("title").to_owned();
            let outcome = match form.file {
                Some(file) => {
                    state
                        .store
                        .add_file_resource(&viewer, record, &title, &file.file_name, file.content)
                        .await
                }
                None => Err(DomainError::field("file", "error-required").into()),
            };
            match outcome {
                Ok(_) => Ok(back(&state, record)),
                Err(e) => {
                    again(
                        &state,
                        &caller,
                        &csrf,
                        record,
                        FormKind::File,
                        ("", &title, ""),
                        e,
                    )
                    .await
                }
            }
        } else {
            if super::extract::form_has_nul(&body) {
                return Err(AppError::BadRequest("a NUL character in a form".into()));
            }
            let fields: BTreeMap<String, String> =
                form_urlencoded::parse(&body).into_owned().collect();
            let title = fields.get("title").cloned().unwrap_or_default();
            let url = fields.get("url").cloned().unwrap_or_default();
            match state
                .store
                .add_link_resource(&viewer, record, &title, &url)
                .await
            {
                Ok(_) => Ok(back(&state, record)),
                Err(e) => {
                    again(
                        &state,
                        &caller,
                        &csrf,
                        record,
                        FormKind::Link,
                        ("", &title, &url),
                        e,
                    )
                    .await
                }
            }
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /leads/{id}/help`
pub async fn lead_help(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(form): PageForm<TextForm>,
) -> Response {
    ask(state, csrf, caller, DealRef::Lead(id), form).await
}

/// `POST /opportunities/{id}/help`
pub async fn opportunity_help(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    PageForm(form): PageForm<TextForm>,
) -> Response {
    ask(state, csrf, caller, DealRef::Opportunity(id), form).await
}

/// `POST /leads/{id}/help/answers`
pub async fn lead_answer(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    PageForm(form): PageForm<TextForm>,
) -> Response {
    answer(state, csrf, caller, DealRef::Lead(id), form).await
}

/// `POST /opportunities/{id}/help/answers`
pub async fn opportunity_answer(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    PageForm(form): PageForm<TextForm>,
) -> Response {
    answer(state, csrf, caller, DealRef::Opportunity(id), form).await
}

/// `POST /leads/{id}/resources`
pub async fn lead_resource(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<LeadId>,
    request: Request,
) -> Response {
    add_resource(state, csrf, caller, DealRef::Lead(id), request).await
}

/// `POST /opportunities/{id}/resources`
pub async fn opportunity_resource(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<OpportunityId>,
    request: Request,
) -> Response {
    add_resource(state, csrf, caller, DealRef::Opportunity(id), request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_input_times_read_well() {
        assert_eq!(size_text(512), "512 B");
        assert_eq!(size_text(120 * 1024), "120 KB");
        assert_eq!(size_text(3 * 1024 * 1024 + 1), "3.0 MB");
        let at = time::macros::datetime!(2026-06-30 14:05:59 +02:00);
        assert_eq!(local_input(at), "2026-06-30T12:05");
    }
}
