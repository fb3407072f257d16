//! One backend from start to end: a fresh database, seeding, the in-process
//! server under list and claim load, the store-only claims, and the memory of
//! a child `openprm serve`.

use std::time::{Duration, Instant};

use anyhow::Context;
use openprm_domain::UserId;
use openprm_store::{Backend, DbTime, Store, sessions::SessionKind};

use crate::{
    Settings,
    claims::{self, ClaimRun},
    db::BenchDb,
    load::{self, Run},
    seed, server,
};

/// The requests a list run repeats.
pub struct ListScenario {
    pub name: String,
    pub path: String,
    pub token: String,
}

pub struct ListResult {
    pub name: String,
    /// The measured runs at full concurrency.
    pub runs: Vec<Run>,
    /// One run over a single connection, for the time a request takes unqueued.
    pub single: Run,
}

pub struct BackendReport {
    pub backend: &'static str,
    pub seeded: seed::Seeded,
    pub seed_time: Duration,
    pub settle_time: Duration,
    pub load_before: String,
    pub load_after: String,
    pub walks: Vec<(String, Duration)>,
    pub lists: Vec<ListResult>,
    pub http_claims: Vec<ClaimRun>,
    pub store_claims: Vec<ClaimRun>,
    /// Claim events written during the claim runs, against the wins counted.
    pub claims_recorded: (i64, u64),
    /// Peak and current MiB of this process over the server phase.
    pub in_process_memory: Option<(f64, f64)>,
    pub child: Option<ChildReport>,
}

pub struct ChildReport {
    pub memory: Option<(f64, f64)>,
    /// Each list scenario's run and the server's CPU milliseconds per request.
    pub lists: Vec<(String, Run, f64)>,
    pub claims: ClaimRun,
    /// The server's CPU milliseconds per answered claim.
    pub claim_cpu_ms: f64,
}

pub async fn backend(
    backend: Backend,
    postgres_url: Option<&str>,
    settings: &Settings,
) -> anyhow::Result<BackendReport> {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    println!("\n== {name} ==");
    let db = BenchDb::create(backend, postgres_url).await?;
    let result = measure(name, &db.url, settings).await;
    db.finish(settings.keep_db).await?;
    result
}

async fn measure(
    name: &'static str,
    url: &str,
    settings: &Settings,
) -> anyhow::Result<BackendReport> {
    let store = Store::connect(url, 4).await?;
    store.migrate().await?;
    let load_before = server::load_average();
    let plan = settings.plan;
    println!(
        "seeding {} leads over {} partner accounts ({} people each, 4 queues) …",
        plan.leads, plan.partners, 2
    );
    let started = Instant::now();
    let mut seeded = seed::seed(url, &store, plan).await.context("seeding")?;
    let seed_time = started.elapsed();
    let started = Instant::now();
    seed::settle(&store).await?;
    let settle_time = started.elapsed();
    println!(
        "seeded in {:.1} s ({:.0} leads/s), statistics in {:.1} s; {} unclaimed leads in the claim queue",
        seed_time.as_secs_f64(),
        plan.leads as f64 / seed_time.as_secs_f64(),
        settle_time.as_secs_f64(),
        seeded.claim_pool.len()
    );

    let token = |user: UserId| {
        let store = store.clone();
        async move { store.create_session(user, SessionKind::Api).await }
    };
    let admin = token(seeded.admin).await?;
    let power = token(seeded.power_user).await?;
    let mut claimer_tokens = Vec::new();
    for viewer in &seeded.claimers {
        claimer_tokens.push(token(viewer.user_id).await?);
    }

    let own_peak_reset = server::reset_own_peak();
    let srv = server::InProcess::start(url).await?;
    println!(
        "server on {} (in process, own 2-thread runtime, {} connections)",
        srv.base,
        server::connections()
    );

    // Deep cursors, reached by walking pages of 200.
    let walker = load::connection()?;
    let mut scenarios = Vec::new();
    let mut walks = Vec::new();
    for (view, who, token) in [("all", "admin", &admin), ("mine", "partner user", &power)] {
        let list = format!("/api/v1/leads?view={view}");
        let (cursor, per_page) = load::deep_cursor(
            &walker,
            &format!("{}{list}", srv.base),
            token,
            settings.depth,
        )
        .await?;
        walks.push((format!("{view} ({who})"), per_page));
        scenarios.push(ListScenario {
            name: format!("{view}, first page"),
            path: list.clone(),
            token: token.clone(),
        });
        scenarios.push(ListScenario {
            name: format!("{view}, {} rows deep", settings.depth),
            path: format!("{list}&cursor={cursor}"),
            token: token.clone(),
        });
    }
    println!(
        "walked to row {} of both views in pages of 200",
        settings.depth
    );

    let lists = list_runs(&srv.base, &scenarios, settings).await?;

    // Claims: HTTP and store runs alternate, so drift in the machine's load hits both.
    let claims_started = DbTime::from(store.now());
    let mut http_claims = Vec::new();
    let mut store_claims = Vec::new();
    for rep in 0..settings.reps {
        let lists = claims::deal(
            &mut seeded.claim_pool,
            settings.claimers,
            settings.per_claimer,
        )?;
        let run =
            claims::over_http(&srv.base, &claimer_tokens, lists, settings.claim_limit).await?;
        print_claims("HTTP ", rep, &run);
        http_claims.push(run);
        let lists = claims::deal(
            &mut seeded.claim_pool,
            settings.claimers,
            settings.per_claimer,
        )?;
        let run = claims::through_store(
            &srv.runtime,
            &srv.store,
            &seeded.claimers,
            lists,
            settings.claim_limit,
        )
        .await?;
        print_claims("store", rep, &run);
        store_claims.push(run);
    }
    let in_process_memory = own_peak_reset.then(|| server::memory_mib(None)).flatten();
    srv.stop().await?;
    let won: u64 = http_claims.iter().chain(&store_claims).map(|r| r.won).sum();
    let recorded = claim_events_since(&store, claims_started).await?;
    println!("claim events written: {recorded}, wins counted: {won}");

    let child = match &settings.server_bin {
        Some(binary) => Some(
            child_run(
                binary,
                url,
                &scenarios,
                &claimer_tokens,
                &mut seeded,
                settings,
            )
            .await?,
        ),
        None => None,
    };
    store.close().await;
    Ok(BackendReport {
        backend: name,
        seeded,
        seed_time,
        settle_time,
        load_before,
        load_after: server::load_average(),
        walks,
        lists,
        http_claims,
        store_claims,
        claims_recorded: (recorded, won),
        in_process_memory,
        child,
    })
}

async fn list_runs(
    base: &str,
    scenarios: &[ListScenario],
    settings: &Settings,
) -> anyhow::Result<Vec<ListResult>> {
    let clients = load::connections(settings.list_connections)?;
    let budget = 1_000_000;
    for s in scenarios {
        load::hammer(
            &clients,
            &format!("{base}{}", s.path),
            &s.token,
            settings.warmup,
            budget,
        )
        .await?;
    }
    let mut results: Vec<ListResult> = scenarios
        .iter()
        .map(|s| ListResult {
            name: s.name.clone(),
            runs: Vec::new(),
            single: Run::default(),
        })
        .collect();
    // Round robin, so that a busier moment of the machine spreads over all scenarios.
    for rep in 0..settings.reps {
        for (s, result) in scenarios.iter().zip(results.iter_mut()) {
            let run = load::hammer(
                &clients,
                &format!("{base}{}", s.path),
                &s.token,
                settings.seconds,
                budget,
            )
            .await?;
            println!(
                "list {:<24} run {}: {:>6.0} req/s  p50 {:>6.1} ms  p99 {:>6.1} ms{}",
                s.name,
                rep + 1,
                run.per_second(),
                run.percentile_ms(0.50),
                run.percentile_ms(0.99),
                failures(&run)
            );
            result.runs.push(run);
        }
    }
    let single = &clients[..1];
    for (s, result) in scenarios.iter().zip(results.iter_mut()) {
        let run = load::hammer(
            single,
            &format!("{base}{}", s.path),
            &s.token,
            settings.seconds,
            budget,
        )
        .await?;
        println!(
            "list {:<24} 1 connection: p50 {:.1} ms  p99 {:.1} ms{}",
            s.name,
            run.percentile_ms(0.50),
            run.percentile_ms(0.99),
            failures(&run)
        );
        result.single = run;
    }
    Ok(results)
}

async fn child_run(
    binary: &std::path::Path,
    url: &str,
    scenarios: &[ListScenario],
    claimer_tokens: &[String],
    seeded: &mut seed::Seeded,
    settings: &Settings,
) -> anyhow::Result<ChildReport> {
    let child = server::Child::start(binary, url).await?;
    println!(
        "child `openprm serve` (pid {}) on {}",
        child.pid, child.base
    );
    let clients = load::connections(settings.list_connections)?;
    let mut lists = Vec::new();
    for s in scenarios {
        let target = format!("{}{}", child.base, s.path);
        load::hammer(&clients, &target, &s.token, settings.warmup, 1_000_000).await?;
        let cpu_before = server::cpu_seconds(child.pid);
        let run = load::hammer(&clients, &target, &s.token, settings.seconds, 1_000_000).await?;
        let cpu_ms = cpu_ms_per(child.pid, cpu_before, run.ok());
        println!(
            "child list {:<24} {:>6.0} req/s  p50 {:>6.1} ms  p99 {:>6.1} ms  server CPU {:.2} ms/request{}",
            s.name,
            run.per_second(),
            run.percentile_ms(0.50),
            run.percentile_ms(0.99),
            cpu_ms,
            failures(&run)
        );
        lists.push((s.name.clone(), run, cpu_ms));
    }
    let deal = claims::deal(
        &mut seeded.claim_pool,
        settings.claimers,
        settings.per_claimer,
    )?;
    let cpu_before = server::cpu_seconds(child.pid);
    let claims = claims::over_http(&child.base, claimer_tokens, deal, settings.claim_limit).await?;
    let claim_cpu_ms = cpu_ms_per(child.pid, cpu_before, claims.attempts() - claims.errors);
    print_claims("child", 0, &claims);
    println!("child server CPU {claim_cpu_ms:.2} ms per answered claim");
    let memory = server::memory_mib(Some(child.pid));
    child.stop().await?;
    Ok(ChildReport {
        memory,
        lists,
        claims,
        claim_cpu_ms,
    })
}

/// The child's CPU milliseconds per request since `before`.
fn cpu_ms_per(pid: u32, before: Option<f64>, requests: u64) -> f64 {
    match (before, server::cpu_seconds(pid)) {
        (Some(before), Some(after)) if requests > 0 => (after - before) * 1000.0 / requests as f64,
        _ => f64::NAN,
    }
}

fn failures(run: &Run) -> String {
    match &run.first_failure {
        Some(first) => format!("  FAILURES {} (first: {first})", run.failures),
        None => String::new(),
    }
}

fn print_claims(mode: &str, rep: usize, run: &ClaimRun) {
    println!(
        "claims {mode} run {}: {:>6.0} claims/s  won {}  409 taken {}  409 limit {}  404 gone {}  errors {}{}",
        rep + 1,
        run.per_second(),
        run.won,
        run.already_claimed,
        run.limit_reached,
        run.gone,
        run.errors,
        run.first_error
            .as_deref()
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
}

/// Claim events written since `since`, to check no win went unrecorded.
async fn claim_events_since(store: &Store, since: DbTime) -> anyhow::Result<i64> {
    let sql = "SELECT COUNT(*) FROM lead_events WHERE kind = 'claim' AND at >= $1";
    let (n,): (i64,) = match &store.db {
        openprm_store::Db::Sqlite(pool) => sqlx::query_as(sql).bind(since).fetch_one(pool).await?,
        openprm_store::Db::Postgres(pool) => {
            sqlx::query_as(sql).bind(since).fetch_one(pool).await?
        }
    };
    Ok(n)
}
