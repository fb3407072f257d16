//! The upload page for a CSV import (vendor staff): a file, where the leads
//! go, and the report of what happened, row by row.
//!
//! The form is a plain multipart POST that works without JavaScript;
//! `static/import.js` sends the same form with a progress bar.

use askama::Template;
use axum::{
    Extension,
    body::Body,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use openprm_domain::{DomainError, lead_import::ImportReport};
use openprm_store::leads::intake::Importer;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, render},
    services::lead_import::{IMPORT_BODY_LIMIT, describe, import_csv},
};

use super::edit::{Destination, assignment};

/// One row of the report's table.
pub struct ProblemRow {
    pub row: usize,
    pub column: String,
    pub problem: String,
    /// A duplicate of an existing lead the importer may see.
    pub lead_href: Option<String>,
}

/// The report as the page shows it.
pub struct ReportView {
    pub rows_read: usize,
    pub imported: usize,
    pub duplicates: usize,
    pub rejected: usize,
    pub ignored: Option<String>,
    pub problems: Vec<ProblemRow>,
    pub omitted: Option<String>,
    /// Where the imported leads can be seen.
    pub leads_href: String,
}

#[derive(Template)]
#[template(path = "lead_import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub queues: Vec<Destination>,
    pub partners: Vec<Destination>,
    pub destination: String,
    pub error: Option<String>,
    pub report: Option<ReportView>,
}

/// The upload as posted.
#[derive(Default)]
struct Upload {
    destination: String,
    file: Option<Vec<u8>>,
}

fn report_view(report: &ImportReport, t: Tr, destination: &str) -> ReportView {
    let labels = |field: &str| t.get(&format!("lead-field-{field}"));
    ReportView {
        rows_read: report.rows_read,
        imported: report.imported,
        duplicates: report.duplicates,
        rejected: report.rejected,
        ignored: (!report.ignored_columns.is_empty()).then(|| {
            t.with(
                "import-ignored-columns",
                [("columns", report.ignored_columns.join(", "))],
            )
        }),
        problems: report
            .problems
            .iter()
            .map(|p| ProblemRow {
                row: p.row,
                column: p.column.clone().unwrap_or_else(|| labels(&p.field)),
                problem: describe(p, t),
                lead_href: p.duplicate_of_lead.map(|id| format!("/leads/{id}")),
            })
            .collect(),
        omitted: (report.problems_omitted > 0).then(|| {
            t.with(
                "import-problems-omitted",
                [("count", report.problems_omitted.to_string())],
            )
        }),
        leads_href: match destination.split_once(':') {
            Some(("queue", id)) => format!("/leads?view=queue:{id}"),
            Some(("partner", id)) => format!("/leads?view=partner:{id}"),
            _ => "/leads?view=unassigned".to_owned(),
        },
    }
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    destination: String,
    outcome: Result<Option<ImportReport>, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    if !caller.user.role.is_vendor() {
        return Err(DomainError::Forbidden.into());
    }
    let viewer = caller.viewer();
    let chrome = Chrome::build(state, caller, csrf, "leads", "import-title").await?;
    let t = chrome.t;
    let queues = state.store.queues(&viewer).await?;
    let partners = state.store.partners(&viewer).await?;
    let (error, report) = match outcome {
        Ok(report) => (None, report.map(|r| report_view(&r, t, &destination))),
        Err(message) => (Some(message), None),
    };
    let mut response = render(&ImportPage {
        chrome,
        queues: queues
            .into_iter()
            .map(|q| Destination {
                value: format!("queue:{}", q.id),
                label: q.name,
            })
            .collect(),
        partners: partners
            .into_iter()
            .map(|p| Destination {
                value: format!("partner:{}", p.id),
                label: p.name,
            })
            .collect(),
        destination,
        error,
        report,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /leads/import`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    page(
        &state,
        &caller,
        &csrf,
        // The assignment rules route the leads unless another place is chosen.
        "auto".to_owned(),
        Ok(None),
        StatusCode::OK,
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// Reads the multipart form: the destination and the file, within the
/// import's size limit.
async fn read_upload(headers: &HeaderMap, body: Body) -> Result<Upload, AppError> {
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| AppError::BadRequest("not a file upload".into()))?;
    let limits = multer::SizeLimit::new()
        .whole_stream(IMPORT_BODY_LIMIT as u64 + 64 * 1024)
        .per_field(IMPORT_BODY_LIMIT as u64);
    let mut multipart = multer::Multipart::with_constraints(
        body.into_data_stream(),
        boundary,
        multer::Constraints::new().size_limit(limits),
    );
    let too_large = |e: multer::Error| match e {
        multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. } => {
            AppError::TooLarge
        }
        other => AppError::BadRequest(format!("upload: {other}")),
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        match field.name() {
            Some("destination") => {
                upload.destination = field.text().await.map_err(too_large)?;
            }
            Some("file") => {
                let bytes = field.bytes().await.map_err(too_large)?;
                // A form sent without choosing a file has an empty file part.
                upload.file = (!bytes.is_empty()).then(|| bytes.to_vec());
            }
            _ => {}
        }
    }
    Ok(upload)
}

/// `POST /leads/import`: imports the file and shows the report.
pub async fn submit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        if !caller.user.role.is_vendor() {
            return Err(DomainError::Forbidden.into());
        }
        let upload = match read_upload(&headers, body).await {
            Ok(upload) => upload,
            Err(AppError::TooLarge) => {
                let message = t.get("import-file-too-large");
                let status = StatusCode::PAYLOAD_TOO_LARGE;
                return page(&state, &caller, &csrf, String::new(), Err(message), status).await;
            }
            Err(e) => return Err(e),
        };
        let destination = upload.destination.clone();
        let refuse = |message: String| {
            let destination = destination.clone();
            let (state, caller, csrf) = (&state, &caller, &csrf);
            async move {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                page(state, caller, csrf, destination, Err(message), status).await
            }
        };
        let Some(file) = upload.file else {
            return refuse(t.get("import-file-required")).await;
        };
        let place = match assignment(&upload.destination) {
            Ok(place) => place,
            Err(_) => return refuse(t.get("error-one-destination")).await,
        };
        let importer = Importer::User(caller.viewer());
        match import_csv(&state.store, &importer, file, None, place, &|_, _| {}).await {
            Ok(report) => {
                page(
                    &state,
                    &caller,
                    &csrf,
                    destination,
                    Ok(Some(report)),
                    StatusCode::OK,
                )
                .await
            }
            Err(AppError::Domain(DomainError::ImportFileRefused(problem))) => {
                refuse(t.with(problem.message_key(), problem.args())).await
            }
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                let key = errors
                    .0
                    .into_values()
                    .next()
                    .unwrap_or_else(|| "error-validation".to_owned());
                refuse(t.get(&key)).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e: AppError| PageError::new(e, t).into_response())
}
