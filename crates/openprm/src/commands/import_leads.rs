//! `openprm import leads FILE.csv [--queue NAME | --partner NAME]`: the CSV
//! import of the API and the upload page, from a terminal, with a progress
//! bar while the leads are written.
//!
//! The command line acts as the vendor with no portal user behind it (the
//! person at the terminal holds the database, not an account): the leads'
//! timelines show no actor and say they came by import, and every queue and
//! partner account may be named.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use openprm_domain::{DomainError, Locale, lead_import::ImportReport};
use openprm_store::{
    Store,
    leads::{Assignment, intake::Importer},
};
use openprm_web::{
    error::AppError,
    i18n::Tr,
    services::lead_import::{IMPORT_BODY_LIMIT, describe, import_csv},
};

use crate::{
    cli::ImportLeadsArgs,
    commands::{open_store, say, user_add::find_partner},
    config::Config,
    error::CliError,
};

pub async fn run(config: &Config, args: &ImportLeadsArgs) -> Result<(), CliError> {
    let shown = args.file.display().to_string();
    let bytes = std::fs::read(&args.file)
        .map_err(|e| CliError::invalid(format!("cannot read {shown}: {e}")))?;
    if bytes.len() > IMPORT_BODY_LIMIT {
        return Err(CliError::invalid(format!(
            "{shown} is larger than {} MB; split it into smaller files",
            IMPORT_BODY_LIMIT / (1024 * 1024)
        )));
    }
    // Whoever the leads reach is told: the e-mails wait in the outbox for
    // the running portal to send.
    let store = open_store(config, 2).await?.with_notification_mail(
        openprm_web::services::notifications::notification_mail(&config.base_url),
    );
    let result = import(&store, bytes, args).await;
    store.close().await;
    let (report, place) = result?;
    print_report(&report, &shown, &place);
    Ok(())
}

/// Resolves the destination, imports, and says where the leads went.
async fn import(
    store: &Store,
    bytes: Vec<u8>,
    args: &ImportLeadsArgs,
) -> Result<(ImportReport, String), CliError> {
    let (destination, place) = match (&args.queue, &args.partner) {
        (Some(name), _) => {
            let (id, name) = find_queue(store, name).await?;
            (Assignment::Queue(id), format!("into the queue {name}"))
        }
        (None, Some(name)) => {
            let (id, name) = find_partner(store, name).await?;
            (Assignment::Partner(id), format!("into the inbox of {name}"))
        }
        (None, None) if args.unassigned => (
            Assignment::Unassigned,
            "unassigned, with the vendor".to_owned(),
        ),
        (None, None) => (
            Assignment::Auto,
            "routed by the assignment rules".to_owned(),
        ),
    };

    let bar = ProgressBar::new_spinner().with_message("reading and checking the rows");
    bar.enable_steady_tick(Duration::from_millis(120));
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} leads written ({per_sec})")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let progress = |done: usize, total: usize| {
        if bar.length() != Some(total as u64) {
            bar.set_style(style.clone());
            bar.set_length(total as u64);
        }
        bar.set_position(done as u64);
    };
    let result = import_csv(
        store,
        &Importer::System,
        bytes,
        None,
        destination,
        &progress,
    )
    .await;
    bar.finish_and_clear();
    let en = Tr::new(Locale::English);
    match result {
        Ok(report) => Ok((report, place)),
        Err(AppError::Domain(DomainError::ImportFileRefused(problem))) => Err(CliError::invalid(
            en.with(problem.message_key(), problem.args()),
        )),
        Err(AppError::Domain(DomainError::Validation(errors))) => {
            let message = errors
                .0
                .values()
                .map(|key| en.get(key))
                .collect::<Vec<_>>()
                .join(" ");
            Err(CliError::invalid(message))
        }
        Err(other) => Err(CliError::Failed(anyhow::anyhow!("{other}"))),
    }
}

/// The queue named `wanted` (case does not matter), or an error that lists
/// the queues there are.
async fn find_queue(
    store: &Store,
    wanted: &str,
) -> Result<(openprm_domain::QueueId, String), CliError> {
    let queues = store.queues(&Importer::System.viewer()).await?;
    let wanted_lower = wanted.trim().to_lowercase();
    if let Some(queue) = queues
        .iter()
        .find(|q| q.name.to_lowercase() == wanted_lower)
    {
        return Ok((queue.id, queue.name.clone()));
    }
    let known = if queues.is_empty() {
        "there are no queues yet".to_owned()
    } else {
        let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
        format!("the queues are: {}", names.join(", "))
    };
    Err(CliError::invalid(format!(
        "no queue is named {wanted:?}; {known}"
    )))
}

fn print_report(report: &ImportReport, file: &str, place: &str) {
    let en = Tr::new(Locale::English);
    say(&format!(
        "Imported {} of {} rows from {file}, {place}.",
        report.imported, report.rows_read
    ));
    say(&format!(
        "Duplicates skipped: {}. Rows with problems: {}.",
        report.duplicates, report.rejected
    ));
    if !report.ignored_columns.is_empty() {
        say(&format!(
            "Columns not imported: {}",
            report.ignored_columns.join(", ")
        ));
    }
    if report.problems.is_empty() {
        return;
    }
    say("Problems:");
    for problem in &report.problems {
        let column = problem
            .column
            .clone()
            .unwrap_or_else(|| en.get(&format!("lead-field-{}", problem.field)));
        say(&format!(
            "  row {}, {column}: {}",
            problem.row,
            describe(problem, en)
        ));
    }
    if report.problems_omitted > 0 {
        say(&format!(
            "  … and {} more problems not listed.",
            report.problems_omitted
        ));
    }
}
