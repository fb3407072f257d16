//! A CSV import from start to end, shared by the API, the upload page and
//! the command line: check the destination, read and check the file off the
//! async threads, write the good rows; and the report's messages in a
//! reader's language.

use openprm_domain::lead_import::{ImportReport, RowProblem, check_file};
use openprm_store::{
    Store,
    leads::{
        Assignment,
        intake::{Importer, Progress},
    },
};
use serde::Serialize;

use crate::{error::AppError, i18n::Tr};

/// Largest CSV file accepted, in bytes: a 200,000-row trade-show list of
/// full rows is about 20 MB.
pub const IMPORT_BODY_LIMIT: usize = 20 * 1024 * 1024;

/// Imports `bytes` (a CSV file; `charset` as its upload named it) for
/// `importer` to `destination`.
pub async fn import_csv(
    store: &Store,
    importer: &Importer,
    bytes: Vec<u8>,
    charset: Option<String>,
    destination: Assignment,
    progress: Progress<'_>,
) -> Result<ImportReport, AppError> {
    // A bad destination or a partner's attempt is refused before the file is read.
    store
        .check_intake_destination(importer, destination)
        .await?;
    let statuses = store.lead_statuses().await?;
    // Reading and checking 200,000 rows takes a while: not on the async threads.
    let prepared =
        tokio::task::spawn_blocking(move || check_file(&bytes, charset.as_deref(), &statuses))
            .await
            .map_err(|e| AppError::Internal(format!("import check: {e}")))?
            .map_err(openprm_domain::DomainError::from)?;
    Ok(store
        .import_leads(importer, prepared, destination, progress)
        .await?)
}

/// A row problem as a person reads it.
pub fn describe(problem: &RowProblem, t: Tr) -> String {
    match problem.duplicate_of_row {
        Some(row) => t.with(&problem.message_key, [("row", row.to_string())]),
        None => t.get(&problem.message_key),
    }
}

/// A row problem in a report: where, what, and in words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReportProblem {
    /// As a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The lead field (`email`, `name`, …).
    pub field: String,
    /// The column's heading in the file.
    pub column: Option<String>,
    /// `required`, `email_invalid`, `too_long`, … or `duplicate`.
    pub code: String,
    pub message: String,
    /// A duplicate of an earlier row of the file: that row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_of_row: Option<usize>,
    /// A duplicate of an existing lead the caller may see: its id. A lead
    /// the caller may not see is not named.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub duplicate_of_lead: Option<openprm_domain::LeadId>,
}

/// What an import did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ReportBody {
    /// Data rows with any value (blank rows are skipped and not counted).
    pub rows_read: usize,
    pub imported: usize,
    /// Rows skipped as repeats of an earlier row or an existing lead.
    pub duplicates: usize,
    /// Rows not imported because a field is bad.
    pub rejected: usize,
    /// Headings that name no lead field; their values were not imported.
    pub ignored_columns: Vec<String>,
    /// Every problem by row, at most 1,000.
    pub problems: Vec<ReportProblem>,
    /// Problems beyond those listed.
    pub problems_omitted: usize,
}

impl ReportBody {
    pub fn new(report: &ImportReport, t: Tr) -> ReportBody {
        ReportBody {
            rows_read: report.rows_read,
            imported: report.imported,
            duplicates: report.duplicates,
            rejected: report.rejected,
            ignored_columns: report.ignored_columns.clone(),
            problems: report
                .problems
                .iter()
                .map(|p| ReportProblem {
                    row: p.row,
                    field: p.field.clone(),
                    column: p.column.clone(),
                    code: p.code(),
                    message: describe(p, t),
                    duplicate_of_row: p.duplicate_of_row,
                    duplicate_of_lead: p.duplicate_of_lead,
                })
                .collect(),
            problems_omitted: report.problems_omitted,
        }
    }
}
