//! `openprm-bench import`: the CSV import of issue 5 (target: 100,000 rows
//! in at most 10 s on SQLite). Generates a trade-show list as Excel saves
//! it (semicolons, UTF-8 with a byte-order mark, quoted values, a few bad
//! and repeated rows), then imports it on a fresh database through the
//! functions `POST /api/v1/leads/import` runs: the domain's check of the
//! file, then the store's import with its timeline and live events. A
//! second import of the same file measures the pass over existing leads
//! when every row is a repeat.

use std::time::{Duration, Instant};

use anyhow::Context;
use openprm_domain::{lead_import::check_file, leads::LeadStatus};
use openprm_store::{
    Backend, Store,
    leads::{Assignment, intake::Importer},
};
use rand::{Rng, SeedableRng, rngs::StdRng};

use crate::db::BenchDb;

const FIRST: &[&str] = &[
    "Mette", "Søren", "Anne", "Lars", "Sofie", "Jens", "Ida", "Mikkel", "Freja", "Anders",
    "Camilla", "Rasmus", "Emma", "Henrik", "Line", "Peter", "Astrid", "Jonas", "Karen", "Thomas",
];
const LAST: &[&str] = &[
    "Hansen",
    "Jensen",
    "Nielsen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Møller",
];
const COMPANY: &[&str] = &[
    "Nordlys",
    "Blåbær",
    "Havørn",
    "Kystvind",
    "Fjordlys",
    "Granskov",
    "Østerport",
    "Vestkyst",
    "Solsikke",
    "Egetræ",
    "Bølgebryder",
    "Lynghede",
    "Stjernholm",
    "Klitrose",
    "Ravnsborg",
];
const SUFFIX: &[&str] = &["A/S", "ApS", "I/S", "Holding", "Group", "Consult"];
const TITLE: &[&str] = &[
    "CTO",
    "IT-chef",
    "Indkøber",
    "CFO",
    "Driftsleder",
    "Head of IT",
];
const COUNTRY: &[(&str, u32, u32)] = &[
    ("DK", 1000, 9990),
    ("SE", 10000, 98499),
    ("NO", 1000, 9990),
    ("DE", 10000, 99999),
];
const PRODUCT: &[&str] = &[
    "Nordlys Backup",
    "Nordlys Mail",
    "Nordlys Firewall",
    "Support",
];

/// A file of `rows` data rows: about 1 in 100 has a bad e-mail address and
/// 1 in 100 repeats an earlier row's address.
pub fn generate(rows: usize) -> Vec<u8> {
    let mut rng = StdRng::seed_from_u64(20_261_127);
    let mut out = String::with_capacity(rows * 190);
    out.push('\u{feff}');
    out.push_str("Navn;Firma;Titel;E-mail;Telefon;Land;Postnummer;Kilde;Vurdering;Produktinteresse;Beskrivelse\r\n");
    for i in 0..rows {
        let first = FIRST[rng.gen_range(0..FIRST.len())];
        let last = LAST[rng.gen_range(0..LAST.len())];
        let company = format!(
            "{} {} {}",
            COMPANY[rng.gen_range(0..COMPANY.len())],
            i / 4,
            SUFFIX[rng.gen_range(0..SUFFIX.len())]
        );
        let (country, low, high) = COUNTRY[rng.gen_range(0..COUNTRY.len())];
        let email = match i % 100 {
            37 => "ikke-en-adresse".to_owned(),
            73 if i > 100 => format!("lead{}@example.dk", i - 50),
            _ => format!("lead{i}@example.dk"),
        };
        out.push_str(&format!(
            "{first} {last};\"{company}\";{};{email};+45 {:08};{country};{};Trade show;{};\"{}, {} licenser\";\"Mødt på standen; vil have et tilbud.\"\r\n",
            TITLE[rng.gen_range(0..TITLE.len())],
            rng.gen_range(20_000_000..99_999_999u32),
            rng.gen_range(low..high),
            ["hot", "warm", "cold"][rng.gen_range(0..3)],
            PRODUCT[rng.gen_range(0..PRODUCT.len())],
            rng.gen_range(5..500),
        ));
    }
    out.into_bytes()
}

/// One backend's measurement.
pub struct ImportRun {
    pub backend: &'static str,
    pub rows: usize,
    pub bytes: usize,
    pub check: Duration,
    pub write: Duration,
    pub imported: usize,
    pub duplicates: usize,
    pub rejected: usize,
    /// The same file again: every row a repeat or bad.
    pub again: Duration,
    pub again_duplicates: usize,
}

impl ImportRun {
    pub fn total(&self) -> Duration {
        self.check + self.write
    }
}

pub async fn run(
    backend: Backend,
    postgres_url: Option<&str>,
    rows: usize,
) -> anyhow::Result<ImportRun> {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!("\n== import, {name} ==");
    let db = BenchDb::create(backend, postgres_url).await?;
    let result = measure(name, &db.url, rows).await;
    db.finish(false).await?;
    result
}

async fn measure(name: &'static str, url: &str, rows: usize) -> anyhow::Result<ImportRun> {
    let store = Store::connect(url, 4).await?;
    store.migrate().await?;
    let file = generate(rows);
    let bytes = file.len();
    println!(
        "generated {rows} rows ({:.1} MB); importing unassigned as the system …",
        bytes as f64 / 1e6
    );
    let statuses = store.lead_statuses().await?;

    let once = |store: Store, file: Vec<u8>, statuses: Vec<LeadStatus>| async move {
        let started = Instant::now();
        let prepared = tokio::task::spawn_blocking(move || check_file(&file, None, &statuses))
            .await?
            .map_err(|p| anyhow::anyhow!("file refused: {p}"))?;
        let check = started.elapsed();
        let started = Instant::now();
        let report = store
            .import_leads(
                &Importer::System,
                prepared,
                Assignment::Unassigned,
                &|_, _| {},
            )
            .await
            .context("import")?;
        anyhow::Ok((check, started.elapsed(), report))
    };
    let (check, write, report) = once(store.clone(), file.clone(), statuses.clone()).await?;
    println!(
        "checked in {:.2} s, written in {:.2} s: {:.2} s in all, {:.0} rows/s; imported {}, duplicates {}, rejected {}",
        check.as_secs_f64(),
        write.as_secs_f64(),
        (check + write).as_secs_f64(),
        rows as f64 / (check + write).as_secs_f64(),
        report.imported,
        report.duplicates,
        report.rejected
    );
    let (again_check, again_write, again) = once(store.clone(), file, statuses).await?;
    let again_time = again_check + again_write;
    println!(
        "the same file again: {:.2} s, {} duplicates, {} imported",
        again_time.as_secs_f64(),
        again.duplicates,
        again.imported
    );
    let counts: (i64, i64, i64) = openprm_store::on_db!(store, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM lead_events WHERE kind = 'created'), \
         (SELECT COUNT(*) FROM live_events WHERE kind = 'created')")
        .fetch_one(pool).await)?;
    println!(
        "stored: {} leads, {} created entries, {} live events",
        counts.0, counts.1, counts.2
    );
    anyhow::ensure!(
        counts.0 == report.imported as i64 && counts.1 == counts.0 && counts.2 == counts.0,
        "every imported lead has one created entry and one live event"
    );
    store.close().await;
    Ok(ImportRun {
        backend: name,
        rows,
        bytes,
        check,
        write,
        imported: report.imported,
        duplicates: report.duplicates,
        rejected: report.rejected,
        again: again_time,
        again_duplicates: again.duplicates,
    })
}

/// The Markdown table for `docs/BENCHMARKS.md`.
pub fn summary(runs: &[ImportRun]) {
    println!(
        "\n| store | rows | file | check | write | total | rows/s | imported / duplicates / bad | same file again |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in runs {
        println!(
            "| {} | {} | {:.1} MB | {:.2} s | {:.2} s | **{:.2} s** | {:.0} | {} / {} / {} | {:.2} s ({} duplicates) |",
            r.backend,
            r.rows,
            r.bytes as f64 / 1e6,
            r.check.as_secs_f64(),
            r.write.as_secs_f64(),
            r.total().as_secs_f64(),
            r.rows as f64 / r.total().as_secs_f64(),
            r.imported,
            r.duplicates,
            r.rejected,
            r.again.as_secs_f64(),
            r.again_duplicates
        );
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use openprm_domain::leads::default_statuses;

    #[test]
    fn the_generated_file_reads_as_planned() {
        let prepared = check_file(&generate(1_000), None, &default_statuses()).unwrap();
        assert_eq!(prepared.rows_read, 1_000);
        assert_eq!(prepared.rejected, 10);
        assert_eq!(prepared.duplicates, 9);
        assert_eq!(prepared.good.len(), 981);
    }
}
