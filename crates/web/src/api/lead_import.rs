//! `POST /api/v1/leads/import`: a CSV file as the body, a per-row report
//! as the answer.

use axum::{
    Json,
    body::Body,
    extract::State,
    http::{HeaderMap, header},
};
use openprm_domain::{DomainError, Locale, PartnerId, QueueId};
use openprm_store::leads::{Assignment, intake::Importer};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
    i18n::Tr,
    services::lead_import::{IMPORT_BODY_LIMIT, ReportBody, import_csv},
};

use super::{extract::ApiQuery, leads::AssignMode};

#[derive(Deserialize, IntoParams)]
pub struct ImportParams {
    /// Put every imported lead in this queue…
    pub queue: Option<QueueId>,
    /// …or in this partner's inbox.
    pub partner: Option<PartnerId>,
    /// Without a queue or partner: `auto` (default) routes each lead by the
    /// assignment rules, `none` leaves them unassigned with the vendor.
    pub assign: Option<AssignMode>,
}

/// Content types a CSV file is sent with. None of them is one a page on
/// another site can send with a plain form, which keeps the API free of
/// CSRF tokens (see `csrf.rs`).
const CSV_TYPES: [&str; 4] = [
    "text/csv",
    "application/csv",
    "text/x-csv",
    "application/vnd.ms-excel",
];

/// The media type and charset of the body, if it is a CSV type.
fn csv_content_type(headers: &HeaderMap) -> Option<Option<String>> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mut parts = value.split(';');
    let media = parts.next()?.trim().to_ascii_lowercase();
    if !CSV_TYPES.contains(&media.as_str()) {
        return None;
    }
    let charset = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_owned())
    });
    Some(charset)
}

/// Imports leads from a CSV file (vendor staff).
///
/// The file is read as spreadsheets write it: a header row; UTF-8 (with or
/// without a byte-order mark) or Windows-1252; comma, semicolon or tab;
/// quoted values. Headings in English or Danish: Name/Navn (or First
/// name/Fornavn and Last name/Efternavn), Company/Firma/Virksomhed,
/// E-mail/Mail, Phone/Telefon, Country/Land, Postal code/Zip/Postnummer,
/// Title/Titel, Source/Kilde, Status, Rating, Product interest/Produktinteresse,
/// Description/Beskrivelse.
/// Each row is checked as `POST /api/v1/leads` checks a lead; a row with a
/// bad field is reported and not imported. Repeats (same e-mail, or without
/// one the same company and name) of an earlier row or an existing lead are
/// skipped. Without a queue or partner each lead is routed by the assignment
/// rules, and everyone who gets leads is told in one e-mail. The good rows
/// are imported together or, on a failure, not at all. At most 20 MB and
/// 200,000 rows.
#[utoipa::path(post, path = "/api/v1/leads/import", tag = "leads", params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file; `text/csv; charset=windows-1252` names its encoding."),
    responses((status = 200, body = ReportBody, description = "what was imported, and each problem by row"),
              (status = 403, body = ErrorBody, description = "partner staff may not import"),
              (status = 413, body = ErrorBody, description = "over 20 MB"),
              (status = 422, body = ErrorBody, description = "a file that is not CSV, lacks the name or company column or has over 200,000 rows; or an unknown queue or partner")))]
pub async fn import(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<ReportBody>> {
    let importer = Importer::User(caller.viewer());
    let destination = match (params.queue, params.partner, params.assign) {
        (None, None, None | Some(AssignMode::Auto)) => Assignment::Auto,
        (None, None, Some(AssignMode::None)) => Assignment::Unassigned,
        (Some(queue), None, None) => Assignment::Queue(queue),
        (None, Some(partner), None) => Assignment::Partner(partner),
        _ => {
            return Err(DomainError::field("queue", "error-one-destination").into());
        }
    };
    // Who may import is known before a byte of the file is read.
    state
        .store
        .check_intake_destination(&importer, destination)
        .await?;
    let charset =
        csv_content_type(&headers).ok_or(DomainError::Invalid("import-error-content-type"))?;
    let bytes = axum::body::to_bytes(body, IMPORT_BODY_LIMIT)
        .await
        .map_err(|_| AppError::TooLarge)?;
    let report = import_csv(
        &state.store,
        &importer,
        bytes.to_vec(),
        charset,
        destination,
        &|_, _| {},
    )
    .await?;
    Ok(Json(ReportBody::new(&report, Tr::new(Locale::English))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content_type(value: &str) -> Option<Option<String>> {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
        csv_content_type(&headers)
    }

    #[test]
    fn csv_types_and_their_charset() {
        assert_eq!(content_type("text/csv"), Some(None));
        assert_eq!(
            content_type("Text/CSV; charset=\"windows-1252\""),
            Some(Some("windows-1252".to_owned()))
        );
        assert_eq!(content_type("application/vnd.ms-excel"), Some(None));
        assert_eq!(content_type("text/plain"), None);
        assert_eq!(content_type("application/x-www-form-urlencoded"), None);
        assert_eq!(csv_content_type(&HeaderMap::new()), None);
    }
}
