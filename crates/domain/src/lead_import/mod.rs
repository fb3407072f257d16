//! Lead intake from a CSV file (a trade-show list, an export of another
//! CRM): the rules, free of HTTP and the database.
//!
//! A file is decoded ([`decode`]), read into rows ([`reader`]), and each row
//! is parsed by the same [`LeadInput::parse`] that the API and the forms use,
//! so an imported lead obeys exactly their rules. [`prepare`] reports every
//! bad field of a bad row, and drops rows that repeat an earlier row of the
//! file ([`duplicates`]); the store then drops rows that repeat an existing
//! lead and writes the rest, all or nothing.

pub mod columns;
pub mod decode;
pub mod duplicates;
pub mod reader;

use serde::Serialize;

use crate::{
    DomainError, LeadId,
    leads::{LeadFields, LeadStatus},
};

pub use columns::Column;
pub use duplicates::{KeyIndex, LeadKey, MatchedBy};
pub use reader::{CsvFile, CsvRow};

/// Most data rows one file may have.
pub const MAX_ROWS: usize = 200_000;

/// Most row problems a report lists; the counts are always complete.
pub const MAX_PROBLEMS: usize = 1_000;

/// Why a whole file is refused. Nothing of it is imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileProblem {
    /// Binary data, or bytes that are not text in the encoding the file claims.
    NotText,
    /// Nothing but blank lines.
    Empty,
    /// The header row names no column for these lead fields.
    MissingColumns(Vec<&'static str>),
    /// Two headings name the same field (`E-mail` and `Mail`).
    DuplicateColumn {
        first: String,
        second: String,
    },
    TooManyRows {
        max: usize,
    },
    /// The CSV reader gave up (it rarely does: it reads what spreadsheets read).
    Unreadable(String),
}

impl FileProblem {
    /// The message-catalogue key.
    pub fn message_key(&self) -> &'static str {
        match self {
            FileProblem::NotText => "import-file-not-text",
            FileProblem::Empty => "import-file-empty",
            FileProblem::MissingColumns(_) => "import-file-missing-columns",
            FileProblem::DuplicateColumn { .. } => "import-file-duplicate-column",
            FileProblem::TooManyRows { .. } => "import-file-too-many-rows",
            FileProblem::Unreadable(_) => "import-file-unreadable",
        }
    }

    /// The message's arguments.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            FileProblem::MissingColumns(fields) => {
                vec![("columns", fields.join(", "))]
            }
            FileProblem::DuplicateColumn { first, second } => {
                vec![("first", first.clone()), ("second", second.clone())]
            }
            FileProblem::TooManyRows { max } => vec![("max", max.to_string())],
            FileProblem::Unreadable(detail) => vec![("detail", detail.clone())],
            FileProblem::NotText | FileProblem::Empty => Vec::new(),
        }
    }
}

impl std::fmt::Display for FileProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message_key())?;
        for (name, value) in self.args() {
            write!(f, " {name}={value}")?;
        }
        Ok(())
    }
}

impl From<FileProblem> for DomainError {
    fn from(problem: FileProblem) -> Self {
        DomainError::ImportFileRefused(Box::new(problem))
    }
}

/// What a row lacks or repeats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    /// As a spreadsheet numbers it: the header is row 1.
    pub row: usize,
    /// The lead field (`email`).
    pub field: String,
    /// The column's heading in the file, when it has one for the field.
    pub column: Option<String>,
    /// The message-catalogue key (`error-email-invalid`, `import-duplicate-row`).
    pub message_key: String,
    /// For a duplicate within the file: the row it repeats.
    pub duplicate_of_row: Option<usize>,
    /// For a duplicate of an existing lead the importer may see: that lead.
    pub duplicate_of_lead: Option<LeadId>,
}

impl RowProblem {
    /// A stable code for programs: `email_invalid`, `too_long`, `duplicate`.
    pub fn code(&self) -> String {
        if self.message_key.starts_with("import-duplicate") {
            return "duplicate".to_owned();
        }
        self.message_key
            .trim_start_matches("error-")
            .replace('-', "_")
    }

    pub fn is_duplicate(&self) -> bool {
        self.code() == "duplicate"
    }
}

/// A row ready to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoodRow {
    pub row: usize,
    pub fields: LeadFields,
}

impl GoodRow {
    pub fn key(&self) -> LeadKey {
        LeadKey::new(
            &self.fields.name,
            &self.fields.company,
            self.fields.email.as_ref().map(|e| e.as_str()),
        )
    }
}

/// A file checked row by row: the rows to write, and what is wrong with the others.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    pub rows_read: usize,
    pub ignored_columns: Vec<String>,
    pub good: Vec<GoodRow>,
    /// Field problems and duplicates, by row.
    pub problems: Vec<RowProblem>,
    pub rejected: usize,
    pub duplicates: usize,
    headings: std::collections::BTreeMap<&'static str, String>,
}

/// Parses every row with the lead rules and drops repeats within the file.
/// A bad row is reported with each bad field; a row that repeats an earlier
/// good row is reported as its duplicate. A bad row is never the original
/// of a duplicate: it is not imported, so the later row is.
pub fn prepare(file: CsvFile, statuses: &[LeadStatus]) -> Prepared {
    let mut prepared = Prepared {
        rows_read: file.rows.len(),
        ignored_columns: file.ignored_columns,
        headings: file.headings,
        ..Prepared::default()
    };
    let mut seen: KeyIndex<usize> = KeyIndex::new();
    for CsvRow { row, input } in file.rows {
        match input.parse(None, statuses) {
            Ok(fields) => {
                let good = GoodRow { row, fields };
                let key = good.key();
                match seen.first_match(&key) {
                    Some((original, by)) => {
                        prepared.duplicates += 1;
                        let problem = prepared.problem(row, by.field(), "import-duplicate-row");
                        prepared.problems.push(RowProblem {
                            duplicate_of_row: Some(original),
                            ..problem
                        });
                    }
                    None => {
                        seen.insert(&key, row);
                        prepared.good.push(good);
                    }
                }
            }
            Err(DomainError::Validation(errors)) => {
                prepared.rejected += 1;
                for (field, key) in errors.0 {
                    let problem = prepared.problem(row, &field, &key);
                    prepared.problems.push(problem);
                }
            }
            // The parser reports nothing else; a row it cannot judge is not written.
            Err(_) => {
                prepared.rejected += 1;
                let problem = prepared.problem(row, "name", "error-validation");
                prepared.problems.push(problem);
            }
        }
    }
    prepared
}

impl Prepared {
    /// A problem with one field of a row, naming the file's column for it.
    pub fn problem(&self, row: usize, field: &str, message_key: &str) -> RowProblem {
        RowProblem {
            row,
            field: field.to_owned(),
            column: self.headings.get(field).cloned(),
            message_key: message_key.to_owned(),
            duplicate_of_row: None,
            duplicate_of_lead: None,
        }
    }

    /// Marks good rows as duplicates of existing leads: `existing` gives, for
    /// a row number, the field that matched and the lead to name (`None` when
    /// the importer may not see it). Those rows are not written.
    pub fn drop_existing(&mut self, existing: &[(usize, MatchedBy, Option<LeadId>)]) {
        if existing.is_empty() {
            return;
        }
        let dropped: std::collections::HashMap<usize, (MatchedBy, Option<LeadId>)> = existing
            .iter()
            .map(|(row, by, lead)| (*row, (*by, *lead)))
            .collect();
        self.good.retain(|g| !dropped.contains_key(&g.row));
        for (row, (by, lead)) in dropped {
            self.duplicates += 1;
            let problem = self.problem(row, by.field(), "import-duplicate-existing");
            self.problems.push(RowProblem {
                duplicate_of_lead: lead,
                ..problem
            });
        }
    }

    /// The report once `imported` rows were written.
    pub fn report(mut self, imported: usize) -> ImportReport {
        self.problems.sort_by_key(|p| p.row);
        let omitted = self.problems.len().saturating_sub(MAX_PROBLEMS);
        self.problems.truncate(MAX_PROBLEMS);
        ImportReport {
            rows_read: self.rows_read,
            imported,
            duplicates: self.duplicates,
            rejected: self.rejected,
            ignored_columns: self.ignored_columns,
            problems: self.problems,
            problems_omitted: omitted,
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data rows with any value (blank rows are not counted).
    pub rows_read: usize,
    pub imported: usize,
    /// Rows skipped as repeats of an earlier row or of an existing lead.
    pub duplicates: usize,
    /// Rows not imported because a field is bad.
    pub rejected: usize,
    /// Headings no lead field answers to; their values were not imported.
    pub ignored_columns: Vec<String>,
    /// By row; at most [`MAX_PROBLEMS`].
    pub problems: Vec<RowProblem>,
    /// Problems beyond those listed.
    pub problems_omitted: usize,
}

/// Decodes, reads and checks a file in one step.
pub fn check_file(
    bytes: &[u8],
    charset: Option<&str>,
    statuses: &[LeadStatus],
) -> Result<Prepared, FileProblem> {
    let text = decode::decode(bytes, charset)?;
    let file = reader::read(&text)?;
    Ok(prepare(file, statuses))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::default_statuses;

    fn check(text: &str) -> Prepared {
        check_file(text.as_bytes(), None, &default_statuses()).unwrap()
    }

    fn problems(prepared: &Prepared) -> Vec<(usize, &str, &str, Option<usize>)> {
        prepared
            .problems
            .iter()
            .map(|p| {
                (
                    p.row,
                    p.field.as_str(),
                    p.message_key.as_str(),
                    p.duplicate_of_row,
                )
            })
            .collect()
    }

    #[test]
    fn bad_rows_report_every_bad_field_and_good_rows_pass() {
        let prepared = check(
            "Name;Firma;E-mail;Land;Rating\n\
             Mette Hansen;Nordlys;mette@nordlys.dk;dk;hot\n\
             ;Blåbær;not-an-address;Denmark;\n\
             Søren;Blåbær;;;\n",
        );
        assert_eq!(prepared.rows_read, 3);
        assert_eq!(prepared.rejected, 1);
        assert_eq!(
            prepared.good.iter().map(|g| g.row).collect::<Vec<_>>(),
            vec![2, 4]
        );
        assert_eq!(prepared.good[0].fields.country.as_deref(), Some("DK"));
        assert_eq!(
            prepared.good[0].fields.source,
            crate::leads::LeadSource::Import
        );
        assert_eq!(
            problems(&prepared),
            vec![
                (3, "country", "error-country-invalid", None),
                (3, "email", "error-email-invalid", None),
                (3, "name", "error-required", None),
            ]
        );
        assert_eq!(prepared.problems[1].column.as_deref(), Some("E-mail"));
        assert_eq!(prepared.problems[1].code(), "email_invalid");
    }

    #[test]
    fn repeats_within_the_file_name_the_first_good_row() {
        let prepared = check(
            "Name,Company,Email\n\
             Mette,Nordlys,mette@nordlys.dk\n\
             Mette H,Nordlys,bad@\n\
             Someone,Else,METTE@nordlys.dk\n\
             Søren,Blåbær A/S,\n\
             soren,BLÅBÆR,\n",
        );
        assert_eq!(prepared.duplicates, 2);
        assert_eq!(
            problems(&prepared),
            vec![
                (3, "email", "error-email-invalid", None),
                (4, "email", "import-duplicate-row", Some(2)),
                (6, "company", "import-duplicate-row", Some(5)),
            ]
        );
        assert!(prepared.problems[1].is_duplicate());
    }

    #[test]
    fn a_bad_row_is_not_the_original_of_a_later_good_one() {
        let prepared = check(
            "Name,Company,Email,Country\nMette,Nordlys,m@n.dk,XXX\nMette,Nordlys,m@n.dk,DK\n",
        );
        assert_eq!(prepared.good.len(), 1);
        assert_eq!(prepared.good[0].row, 3);
        assert_eq!(prepared.duplicates, 0);
    }

    #[test]
    fn existing_duplicates_are_dropped_and_reported() {
        let mut prepared = check("Name,Company\nA,X\nB,Y\nC,Z\n");
        let lead = LeadId::new();
        prepared.drop_existing(&[
            (3, MatchedBy::CompanyAndName, None),
            (4, MatchedBy::Email, Some(lead)),
        ]);
        assert_eq!(prepared.good.len(), 1);
        let report = prepared.report(1);
        assert_eq!(report.duplicates, 2);
        assert_eq!(report.imported, 1);
        assert_eq!(
            report
                .problems
                .iter()
                .map(|p| (p.row, p.message_key.as_str(), p.duplicate_of_lead))
                .collect::<Vec<_>>(),
            vec![
                (3, "import-duplicate-existing", None),
                (4, "import-duplicate-existing", Some(lead))
            ]
        );
    }

    #[test]
    fn the_report_lists_a_bounded_number_of_problems() {
        let mut text = String::from("Name,Company,Email\n");
        for _ in 0..MAX_PROBLEMS + 5 {
            text.push_str("A,B,nope\n");
        }
        let report = check(&text).report(0);
        assert_eq!(report.rejected, MAX_PROBLEMS + 5);
        assert_eq!(report.problems.len(), MAX_PROBLEMS);
        assert_eq!(report.problems_omitted, 5);
    }

    #[test]
    fn junk_is_one_file_problem() {
        let junk: Vec<u8> = (0..100_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(
            check_file(&junk, None, &default_statuses()),
            Err(FileProblem::NotText)
        );
    }
}
