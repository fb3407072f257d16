//! `openprm-bench import`: the CSV import of issue 5 (target: 100,000 rows
//! in at most 10 s on SQLite). Generates a trade-show list as Excel saves
//! it (semicolons, UTF-8 with a byte-order mark, quoted values, a few bad
//! and repeated rows), then imports it on a fresh database through the
//! functions `POST /api/v1/leads/import` runs: the domain's check of the
//! file, then the store's import, routing every row by assignment rules (a
//! country to a partner, a country by free capacity, trade shows in turn by
//! tier, the rest to a default queue) with its timeline, live events and
//! e-mails to the partner managers. A second import of the same file
//! measures the pass over existing leads when every row is a repeat.

use std::time::{Duration, Instant};

use anyhow::Context;
use openprm_domain::{
    AssignmentRuleId, ClaimRuleId, EmailAddress, Locale, PartnerId, Role, Tier,
    assignment_rules::{AssignmentRule, AssignmentRules, Condition, Target},
    claim_rules::{ClaimRule, LimitKind, LimitSubject},
    lead_import::check_file,
    leads::{LeadSource, LeadStatus},
};
use openprm_store::{
    Backend, Store,
    leads::{Assignment, intake::Importer},
    partners::PartnerFields,
    queues::QueueFields,
    users::NewUser,
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

/// Partner accounts the rules route to, each with one partner manager.
const PARTNERS: usize = 30;

/// The partners, queues and rules the import routes by: Norway to one
/// partner; Sweden to whichever of ten has most room under a claim rule;
/// Danish trade-show leads in turn among twenty, weighted by tier; the rest
/// (Germany) to a default queue.
async fn routing_world(store: &Store) -> anyhow::Result<()> {
    let mut partners: Vec<PartnerId> = Vec::with_capacity(PARTNERS);
    for i in 0..PARTNERS {
        let tier = [Tier::Gold, Tier::Silver, Tier::Registered][i % 3];
        let partner = store
            .create_partner(
                None,
                &PartnerFields {
                    name: format!("Partner {i:02}"),
                    tier: Some(tier),
                    ..PartnerFields::default()
                },
            )
            .await?;
        store
            .create_user(&NewUser {
                email: EmailAddress::parse(&format!("manager{i}@partner{i}.example"))
                    .map_err(anyhow::Error::msg)?,
                name: format!("Manager {i:02}"),
                role: Role::PartnerManager,
                partner_id: Some(partner.id),
                locale: Locale::English,
                title: None,
                phone: None,
                password: Some("bench-password-2026".into()),
                must_change_password: false,
            })
            .await?;
        partners.push(partner.id);
    }
    let queue = |name: &str, members: &[PartnerId]| QueueFields {
        name: name.into(),
        stale_claim_days: None,
        members: members.to_vec(),
    };
    let nordics = store
        .create_queue(None, &queue("Nordics", &partners[1..11]))
        .await?;
    let shows = store
        .create_queue(None, &queue("Trade shows", &partners[10..]))
        .await?;
    let web = store
        .create_queue(None, &queue("Web leads", &partners[..5]))
        .await?;
    store
        .save_claim_rules(
            None,
            &[ClaimRule {
                id: ClaimRuleId::new(),
                name: "Open leads".into(),
                kind: LimitKind::OpenAtOnce,
                subject: LimitSubject::Partner,
                queue_id: None,
                max: 20_000,
                overrides: Vec::new(),
            }],
        )
        .await?;
    let rule = |name: &str, conditions: Vec<Condition>, target: Target| AssignmentRule {
        id: AssignmentRuleId::new(),
        name: name.into(),
        conditions,
        target,
        response_hours: Some(48),
    };
    let country = |code: &str| Condition::Country {
        countries: vec![code.into()],
    };
    let version = store.router().await?.config.version;
    store
        .save_assignment_rules(
            None,
            AssignmentRules {
                version,
                default_queue_id: Some(web),
                rules: vec![
                    rule(
                        "Norway",
                        vec![country("NO")],
                        Target::Partner {
                            partner_id: partners[0],
                        },
                    ),
                    rule(
                        "Sweden by room",
                        vec![country("SE")],
                        Target::Capacity { queue_id: nordics },
                    ),
                    rule(
                        "Danish trade shows in turn",
                        vec![
                            country("DK"),
                            Condition::Source {
                                sources: vec![LeadSource::TradeShow],
                            },
                        ],
                        Target::TierWeighted { queue_id: shows },
                    ),
                ],
            },
        )
        .await?;
    Ok(())
}

async fn measure(name: &'static str, url: &str, rows: usize) -> anyhow::Result<ImportRun> {
    // Writing the partner managers' e-mails is part of the import.
    let store = Store::connect(url, 4).await?.with_notification_mail(
        openprm_web::services::notifications::notification_mail("http://127.0.0.1:8080"),
    );
    store.migrate().await?;
    routing_world(&store).await?;
    let file = generate(rows);
    let bytes = file.len();
    println!(
        "generated {rows} rows ({:.1} MB); importing as the system, routed by {PARTNERS} partners' rules …",
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
            .import_leads(&Importer::System, prepared, Assignment::Auto, &|_, _| {})
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
    let counts: (i64, i64, i64, i64, i64) = openprm_store::on_db!(store, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM leads), (SELECT COUNT(*) FROM lead_events WHERE kind = 'created'), \
         (SELECT COUNT(*) FROM lead_events WHERE kind = 'routed'), \
         (SELECT COUNT(*) FROM live_events WHERE kind IN ('created', 'routed')), \
         (SELECT COUNT(*) FROM outbox)")
        .fetch_one(pool).await)?;
    let places: Vec<(String, i64)> = openprm_store::on_db!(store, pool => sqlx::query_as(
        "SELECT CASE WHEN partner_id IS NOT NULL THEN 'partner inboxes' WHEN queue_id IS NOT NULL THEN 'queue' \
         ELSE 'unassigned' END AS place, COUNT(*) FROM leads GROUP BY 1 ORDER BY 1")
        .fetch_all(pool).await)?;
    println!(
        "stored: {} leads, {} created and {} routed entries, {} live events, {} e-mails; placed: {places:?}",
        counts.0, counts.1, counts.2, counts.3, counts.4
    );
    anyhow::ensure!(
        counts.0 == report.imported as i64
            && counts.1 == counts.0
            && counts.2 == counts.0
            && counts.3 == 2 * counts.0,
        "every imported lead has one created and one routed entry, each with its live event"
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
