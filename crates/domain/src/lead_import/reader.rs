//! Reading the rows of a CSV text as spreadsheets export it: a header row;
//! comma, semicolon or tab, sniffed from the header line (or named by
//! Excel's `sep=;` first line); quoted fields holding separators, quotes and
//! line breaks; CR LF or LF; blank lines skipped.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, a
//! record spanning three lines is still one row, and a blank line is a row
//! of its own (a spreadsheet shows it as an empty row), so the numbers in a
//! report match what the person sees when they open the file.

use std::collections::BTreeMap;

use crate::leads::LeadInput;

use super::{Column, FileProblem, MAX_ROWS};

/// One data row, as typed: row number and the lead it describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvRow {
    pub row: usize,
    pub input: LeadInput,
}

/// The rows of a file, and how its columns were understood.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvFile {
    /// The heading of each lead field's column(s), as the file writes it
    /// (`First name + Last name` when the name is joined from two).
    pub headings: BTreeMap<&'static str, String>,
    /// Headings no field answers to, in file order, each once.
    pub ignored_columns: Vec<String>,
    pub rows: Vec<CsvRow>,
}

/// What source an imported lead gets when its row names none.
pub const DEFAULT_SOURCE: &str = "import";

/// Reads `text` (see [`super::decode::decode`]) into rows of lead input.
pub fn read(text: &str) -> Result<CsvFile, FileProblem> {
    let (separator, text) = separator_of(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let mut records = reader.records();
    let header = loop {
        match records.next() {
            None => return Err(FileProblem::Empty),
            Some(Err(e)) => return Err(FileProblem::Unreadable(e.to_string())),
            Some(Ok(record)) if is_blank(&record) => continue,
            Some(Ok(record)) => break record,
        }
    };
    let layout = Layout::of(&header)?;
    let mut file = CsvFile {
        headings: layout.headings.clone(),
        ignored_columns: layout.ignored.clone(),
        rows: Vec::new(),
    };

    // The line the next record would start on, to count blank lines between
    // records (the reader skips them without a word).
    let mut next_line = line_of(text, &header) + line_breaks(&header) + 1;
    let mut row: usize = 1;
    for record in records {
        let record = record.map_err(|e| FileProblem::Unreadable(e.to_string()))?;
        let line = line_of(text, &record);
        row += 1 + usize::try_from(line.saturating_sub(next_line)).unwrap_or(0);
        next_line = line + line_breaks(&record) + 1;
        if is_blank(&record) {
            continue;
        }
        if file.rows.len() == MAX_ROWS {
            return Err(FileProblem::TooManyRows { max: MAX_ROWS });
        }
        file.rows.push(CsvRow {
            row,
            input: layout.input(&record),
        });
    }
    Ok(file)
}

/// The separator, and the text to read (without Excel's `sep=` line, which
/// a spreadsheet does not show as a row).
fn separator_of(text: &str) -> (u8, &str) {
    let first = text.lines().next().unwrap_or("");
    if let Some(sep) = first.trim().strip_prefix("sep=")
        && let [byte] = sep.as_bytes()
    {
        let rest = text
            .split_once('\n')
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        return (*byte, rest);
    }
    // The header line: the first that is not blank.
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let mut counts = [(b';', 0usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in header.bytes() {
        match byte {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            _ => {
                if let Some(entry) = counts.iter_mut().find(|(sep, _)| *sep == byte) {
                    entry.1 += 1;
                }
            }
        }
    }
    // Most often wins; a tie or none at all is a comma, the format's default.
    let best = counts
        .iter()
        .copied()
        .max_by_key(|(sep, count)| (*count, *sep == b','))
        .filter(|(_, count)| *count > 0)
        .map_or(b',', |(sep, _)| sep);
    (best, text)
}

/// The line a record starts on. The reader's position points just after
/// the previous record, before the rest of its line break and any blank
/// lines the reader then skipped, so those are counted here.
fn line_of(text: &str, record: &csv::StringRecord) -> u64 {
    let Some(position) = record.position() else {
        return 1;
    };
    let start = usize::try_from(position.byte()).unwrap_or(usize::MAX);
    let skipped = text
        .as_bytes()
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n'))
        .filter(|b| **b == b'\n')
        .count();
    position.line() + skipped as u64
}

/// Line breaks inside the record's quoted fields.
fn line_breaks(record: &csv::StringRecord) -> u64 {
    record
        .iter()
        .map(|field| field.bytes().filter(|b| *b == b'\n').count() as u64)
        .sum()
}

/// No value at all: an empty line, or a row of separators (`;;;;`) as
/// spreadsheets write empty rows.
fn is_blank(record: &csv::StringRecord) -> bool {
    record.iter().all(|field| field.trim().is_empty())
}

/// Which field each column position fills.
struct Layout {
    by_position: Vec<Option<Column>>,
    headings: BTreeMap<&'static str, String>,
    ignored: Vec<String>,
}

impl Layout {
    fn of(header: &csv::StringRecord) -> Result<Layout, FileProblem> {
        let mut by_position = Vec::with_capacity(header.len());
        let mut seen: BTreeMap<Column, String> = BTreeMap::new();
        let mut ignored: Vec<String> = Vec::new();
        for heading in header.iter() {
            // Excel sometimes leaves a stray byte-order mark inside the first cell.
            let heading = heading.trim().trim_start_matches('\u{feff}').trim();
            let column = Column::from_heading(heading);
            match column {
                Some(column) => {
                    if let Some(first) = seen.get(&column) {
                        return Err(FileProblem::DuplicateColumn {
                            first: first.clone(),
                            second: heading.to_owned(),
                        });
                    }
                    seen.insert(column, heading.to_owned());
                }
                // A column without a heading holds nothing anybody named.
                None if heading.is_empty() => {}
                None => {
                    if !ignored.iter().any(|h| h == heading) {
                        ignored.push(heading.to_owned());
                    }
                }
            }
            by_position.push(column);
        }

        // A full name beats first and last names; those are then ignored.
        if seen.contains_key(&Column::Name) {
            for part in [Column::FirstName, Column::LastName] {
                if let Some(heading) = seen.remove(&part) {
                    ignored.push(heading);
                    for slot in by_position.iter_mut().filter(|c| **c == Some(part)) {
                        *slot = None;
                    }
                }
            }
        }

        let mut missing = Vec::new();
        let has_name = [Column::Name, Column::FirstName, Column::LastName]
            .iter()
            .any(|c| seen.contains_key(c));
        if !has_name {
            missing.push("name");
        }
        if !seen.contains_key(&Column::Company) {
            missing.push("company");
        }
        if !missing.is_empty() {
            return Err(FileProblem::MissingColumns(missing));
        }

        let mut headings = BTreeMap::new();
        for (column, heading) in &seen {
            headings
                .entry(column.field())
                .and_modify(|h: &mut String| {
                    h.push_str(" + ");
                    h.push_str(heading);
                })
                .or_insert_with(|| heading.clone());
        }
        Ok(Layout {
            by_position,
            headings,
            ignored,
        })
    }

    /// The lead a record describes: every column it has, missing ones left
    /// out (so they take the parser's defaults), extra cells ignored.
    fn input(&self, record: &csv::StringRecord) -> LeadInput {
        let mut input = LeadInput::default();
        let mut first = None;
        let mut last = None;
        for (column, value) in self.by_position.iter().zip(record.iter()) {
            let Some(column) = column else { continue };
            let value = Some(value.to_owned());
            match column {
                Column::Name => input.name = value,
                Column::FirstName => first = value,
                Column::LastName => last = value,
                Column::Company => input.company = value,
                Column::Title => input.title = value,
                Column::Email => input.email = value,
                Column::Phone => input.phone = value,
                Column::Country => input.country = value,
                Column::PostalCode => input.postal_code = value,
                Column::Source => input.source = value,
                Column::Status => input.status = value,
                Column::Rating => input.rating = value,
                Column::ProductInterest => input.product_interest = value,
                Column::Description => input.description = value,
            }
        }
        if first.is_some() || last.is_some() {
            let joined = [first, last]
                .into_iter()
                .flatten()
                .map(|part| part.trim().to_owned())
                .filter(|part| !part.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            input.name = Some(joined);
        }
        if input.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            input.source = Some(DEFAULT_SOURCE.to_owned());
        }
        input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<(usize, Option<String>, Option<String>)> {
        read(text)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| (r.row, r.input.name, r.input.company))
            .collect()
    }

    fn row(n: usize, name: &str, company: &str) -> (usize, Option<String>, Option<String>) {
        (n, Some(name.to_owned()), Some(company.to_owned()))
    }

    #[test]
    fn comma_semicolon_and_tab_are_sniffed_from_the_header() {
        let expected = vec![row(2, "Mette", "Nordlys, A/S")];
        assert_eq!(rows("Name,Company\nMette,\"Nordlys, A/S\"\n"), expected);
        assert_eq!(rows("Navn;Firma\nMette;Nordlys, A/S\n"), expected);
        assert_eq!(rows("Name\tCompany\nMette\tNordlys, A/S\n"), expected);
        // A comma inside a quoted heading does not count.
        assert_eq!(
            rows("\"Name, full\";Navn;Firma\nx;Mette;Nordlys, A/S\n"),
            expected
        );
        assert_eq!(rows("sep=;\nName;Company\nMette;Nordlys, A/S\n"), expected);
    }

    #[test]
    fn quotes_line_breaks_crlf_and_blank_lines_keep_spreadsheet_row_numbers() {
        let text = "\r\nName;Company;Description\r\n\
                    \"Mette \"\"MH\"\" Hansen\";Nordlys;\"Line one;\r\nline two\"\r\n\
                    \r\n\
                    ;;\r\n\
                    Søren;Blåbær;\r\n";
        let file = read(text).unwrap();
        let got: Vec<_> = file
            .rows
            .iter()
            .map(|r| (r.row, r.input.name.clone(), r.input.description.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    2,
                    Some("Mette \"MH\" Hansen".to_owned()),
                    Some("Line one;\r\nline two".to_owned())
                ),
                // Row 3 is the blank line, row 4 the row of separators.
                (5, Some("Søren".to_owned()), Some(String::new())),
            ]
        );
    }

    #[test]
    fn blank_lines_count_as_rows_with_either_line_break() {
        let numbers =
            |text: &str| -> Vec<usize> { read(text).unwrap().rows.iter().map(|r| r.row).collect() };
        // Header, a row, a blank line, a row over two lines, a row, two blank lines, a row.
        assert_eq!(
            numbers("Name;Company\r\nx;1\r\n\r\ny;\"2\r\n3\"\r\nz;4\r\n\r\n\r\nw;5\r\n"),
            vec![2, 4, 5, 8]
        );
        assert_eq!(
            numbers("Name;Company\nx;1\n\ny;2\n\n\nz;3\n"),
            vec![2, 4, 7]
        );
        assert_eq!(numbers("\r\n\r\nName;Company\r\n;;\r\nq;1"), vec![3]);
    }

    #[test]
    fn headings_are_mapped_and_unknown_ones_reported_once() {
        let file =
            read("E-mail,Navn,Shoe size,Firma,Shoe size,,Land\na@b.dk,Mette,42,Nordlys,43,x,dk\n")
                .unwrap();
        assert_eq!(file.ignored_columns, vec!["Shoe size".to_owned()]);
        assert_eq!(file.headings["email"], "E-mail");
        assert_eq!(file.headings["company"], "Firma");
        let input = &file.rows[0].input;
        assert_eq!(input.email.as_deref(), Some("a@b.dk"));
        assert_eq!(input.country.as_deref(), Some("dk"));
        assert_eq!(input.source.as_deref(), Some(DEFAULT_SOURCE));
        assert_eq!(input.title, None);
    }

    #[test]
    fn first_and_last_names_are_joined_unless_there_is_a_full_name() {
        let file = read("Fornavn;Efternavn;Firma\nMette;Hansen;Nordlys\n;Jensen;Blåbær\n").unwrap();
        assert_eq!(file.headings["name"], "Fornavn + Efternavn");
        let names: Vec<_> = file.rows.iter().map(|r| r.input.name.clone()).collect();
        assert_eq!(
            names,
            vec![Some("Mette Hansen".to_owned()), Some("Jensen".to_owned())]
        );
        let file = read("First name;Name;Company\nX;Mette Hansen;Nordlys\n").unwrap();
        assert_eq!(file.rows[0].input.name.as_deref(), Some("Mette Hansen"));
        assert_eq!(file.ignored_columns, vec!["First name".to_owned()]);
    }

    #[test]
    fn short_and_long_rows_are_read() {
        let file = read("Name,Company,Phone\nMette,Nordlys\nSøren,Blåbær,123,extra\n").unwrap();
        assert_eq!(file.rows[0].input.phone, None);
        assert_eq!(file.rows[1].input.phone.as_deref(), Some("123"));
    }

    #[test]
    fn a_file_without_name_or_company_columns_is_refused() {
        assert_eq!(
            read("Email,Phone\na@b.dk,1\n"),
            Err(FileProblem::MissingColumns(vec!["name", "company"]))
        );
        assert_eq!(
            read("Name\nMette\n"),
            Err(FileProblem::MissingColumns(vec!["company"]))
        );
        assert_eq!(read(""), Err(FileProblem::Empty));
        assert_eq!(read("\r\n\r\n;;\r\n"), Err(FileProblem::Empty));
        assert_eq!(
            read("Email;Mail;Name;Company\n"),
            Err(FileProblem::DuplicateColumn {
                first: "Email".into(),
                second: "Mail".into()
            })
        );
    }

    #[test]
    fn a_header_alone_is_a_file_without_rows() {
        let file = read("Name;Company\r\n").unwrap();
        assert!(file.rows.is_empty());
    }

    #[test]
    fn too_many_rows_are_refused() {
        let mut text = String::from("Name,Company\n");
        for _ in 0..=MAX_ROWS {
            text.push_str("a,b\n");
        }
        assert_eq!(read(&text), Err(FileProblem::TooManyRows { max: MAX_ROWS }));
    }

    #[test]
    fn an_unterminated_quote_runs_to_the_end() {
        // As spreadsheets read it: the rest of the file is one value.
        let file = read("Name,Company\nMette,\"Nordlys\nSøren,Blåbær\n").unwrap();
        assert_eq!(file.rows.len(), 1);
        assert_eq!(
            file.rows[0].input.company.as_deref(),
            Some("Nordlys\nSøren,Blåbær\n")
        );
    }
}
