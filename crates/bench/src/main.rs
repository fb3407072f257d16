//! `openprm-bench`: seeds a large OpenPRM database on SQLite and/or
//! PostgreSQL, serves it with the real router on 127.0.0.1, and measures the
//! Leads list (first page and a deep page), contended claims over HTTP
//! against the same claims straight through the store, and the server's peak
//! memory. See `docs/BENCHMARKS.md` for how to read and rerun it.

/// The allocator `openprm` itself uses, so the in-process server is measured
/// as it ships.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod claims;
mod db;
mod import;
mod live;
mod load;
mod report;
mod run;
mod seed;
mod server;

use std::{path::PathBuf, time::Duration};

use clap::{Parser, Subcommand, ValueEnum};
use openprm_store::Backend;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Which {
    Sqlite,
    Postgres,
    Both,
}

/// Seeds a large database and measures the Leads list, claims and memory;
/// `openprm-bench import` measures the CSV import alone.
#[derive(Debug, Parser)]
#[command(name = "openprm-bench", args_conflicts_with_subcommands = true)]
struct Args {
    #[command(subcommand)]
    command: Option<BenchCommand>,
    /// Which stores to measure.
    #[arg(long, value_enum, default_value = "both")]
    backend: Which,
    /// Leads to seed [default: 1000000; --quick: 20000]
    #[arg(long)]
    leads: Option<u64>,
    /// Partner accounts to seed, two people each [default: 10000; --quick: 200]
    #[arg(long)]
    partners: Option<u32>,
    /// Rows before the deep page [default: 10000; --quick: 2000]
    #[arg(long)]
    depth: Option<u64>,
    /// Seconds per measured run [default: 5; --quick: 1]
    #[arg(long)]
    seconds: Option<f64>,
    /// Measured runs of each list scenario and of each claim mode; medians are reported.
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// A small data set and short runs, for trying it out in under a minute.
    #[arg(long)]
    quick: bool,
    /// PostgreSQL server; the benchmark creates and drops its own database there.
    #[arg(long, env = "OPENPRM_TEST_POSTGRES_URL")]
    postgres_url: Option<String>,
    /// The `openprm` binary to run as a child for the memory measurement
    /// [default: `openprm` beside this binary, if built]
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// Skip the child-process memory measurement.
    #[arg(long)]
    no_child: bool,
    /// Keep the seeded databases and print where they are.
    #[arg(long)]
    keep_db: bool,
    /// Measure only live delivery over server-sent events (see `--clients`, `--idle`).
    #[arg(long)]
    live: bool,
    /// With --live: connected partner users, each with an event stream.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// With --live: leads assigned, one at a time.
    #[arg(long, default_value_t = 600)]
    assignments: usize,
    /// With --live: idle streams held by one `openprm serve` for the memory reading.
    #[arg(long, default_value_t = 10_000)]
    idle: usize,
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Only the CSV import: generate a trade-show list and import it on fresh databases.
    Import(ImportArgs),
}

#[derive(Debug, clap::Args)]
struct ImportArgs {
    /// Rows in the generated file.
    #[arg(long, default_value_t = 100_000)]
    rows: usize,
    /// Which stores to measure.
    #[arg(long, value_enum, default_value = "both")]
    backend: Which,
    /// PostgreSQL server; the benchmark creates and drops its own database there.
    #[arg(long, env = "OPENPRM_TEST_POSTGRES_URL")]
    postgres_url: Option<String>,
}

fn backends(which: Which, postgres_url: Option<&str>) -> Vec<Backend> {
    match which {
        Which::Sqlite => vec![Backend::Sqlite],
        Which::Postgres => vec![Backend::Postgres],
        Which::Both if postgres_url.is_some() => vec![Backend::Sqlite, Backend::Postgres],
        Which::Both => {
            println!(
                "no PostgreSQL URL (--postgres-url or OPENPRM_TEST_POSTGRES_URL): measuring SQLite only"
            );
            vec![Backend::Sqlite]
        }
    }
}

async fn import_only(args: &ImportArgs) -> anyhow::Result<()> {
    let rows = args.rows.clamp(1, openprm_domain::lead_import::MAX_ROWS);
    let mut runs = Vec::new();
    for backend in backends(args.backend, args.postgres_url.as_deref()) {
        runs.push(import::run(backend, args.postgres_url.as_deref(), rows).await?);
    }
    import::summary(&runs);
    Ok(())
}

/// Everything one run is configured with, after defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    pub plan: seed::Plan,
    pub depth: u64,
    pub seconds: Duration,
    pub warmup: Duration,
    pub reps: usize,
    /// Own and shared leads per claimer per claim run.
    pub per_claimer: usize,
    /// The time limit of one claim run.
    pub claim_limit: Duration,
    pub list_connections: usize,
    pub claimers: usize,
    pub server_bin: Option<PathBuf>,
    pub keep_db: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(BenchCommand::Import(import)) = &args.command {
        return import_only(import).await;
    }
    if args.live {
        return live_only(&args).await;
    }
    let (leads, partners, depth, seconds, per_claimer, claim_secs) = if args.quick {
        (20_000, 200, 2_000, 1.0, 10, 5)
    } else {
        (1_000_000, 10_000, 10_000, 5.0, 40, 15)
    };
    let leads = args.leads.unwrap_or(leads);
    let depth = args.depth.unwrap_or(depth);
    let reps = args.reps.clamp(1, 20);
    let claimers = 2 * seed::CLAIMER_PARTNERS;
    let child = !args.no_child;
    // Runs that consume claim-queue leads: HTTP and store per rep, one more in the child.
    let claim_runs = (2 * reps + usize::from(child)) as u64;
    let claim_pool = ((claimers as u64 + 1) * per_claimer as u64 * claim_runs) * 23 / 20 + 200;
    let settings = Settings {
        plan: seed::Plan {
            leads,
            partners: args.partners.unwrap_or(partners),
            power_user_leads: depth + depth / 5 + 200,
            claim_pool,
        },
        depth,
        seconds: Duration::from_secs_f64(args.seconds.unwrap_or(seconds).clamp(0.2, 120.0)),
        warmup: Duration::from_secs_f64(if args.quick { 0.3 } else { 1.0 }),
        reps,
        per_claimer,
        claim_limit: Duration::from_secs(claim_secs),
        list_connections: 32,
        claimers,
        server_bin: if child {
            args.server_bin.clone().or_else(server::sibling_binary)
        } else {
            None
        },
        keep_db: args.keep_db,
    };
    let backends = backends(args.backend, args.postgres_url.as_deref());
    report::machine(&settings);
    if child && settings.server_bin.is_none() {
        println!(
            "no openprm binary beside this one: the child-process memory reading is skipped \
             (build it with `cargo build --release -p openprm`, or pass --server-bin)"
        );
    }
    let mut reports = Vec::new();
    for backend in backends {
        let report = run::backend(backend, args.postgres_url.as_deref(), &settings).await?;
        report::backend(&report, &settings);
        reports.push(report);
    }
    report::summary(&reports, &settings);
    Ok(())
}

/// `--live`: live delivery only, on each store asked for.
async fn live_only(args: &Args) -> anyhow::Result<()> {
    let settings = live::LiveSettings {
        clients: args.clients.clamp(1, 20_000),
        assignments: args.assignments.clamp(1, 100_000),
        rate: 20.0,
        idle: args.idle.min(19_000),
        server_bin: if args.no_child {
            None
        } else {
            args.server_bin.clone().or_else(server::sibling_binary)
        },
    };
    let mut backends = vec![Backend::Sqlite];
    match (args.backend, args.postgres_url.is_some()) {
        (Which::Postgres, _) => backends = vec![Backend::Postgres],
        (Which::Both, true) => backends.push(Backend::Postgres),
        _ => {}
    }
    println!("load average before: {}", server::load_average());
    let mut reports = Vec::new();
    for backend in backends {
        reports.push(live::run(backend, args.postgres_url.as_deref(), &settings).await?);
    }
    println!("load average after: {}", server::load_average());
    live::print(&reports);
    Ok(())
}
