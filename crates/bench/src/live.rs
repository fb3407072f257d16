//! `openprm-bench --live`: live delivery over server-sent events.
//!
//! (a) Assignment-to-screen latency: `clients` partner users each hold an
//! event stream (on one instance for SQLite; split over two instances sharing
//! the database for PostgreSQL); the admin assigns leads to them one at a time
//! through instance A's API, and the latency is from just before the
//! assigning request is sent until the assignee's stream delivers the event.
//! (b) Memory per idle stream: `openprm serve` as a child process; its
//! resident memory before and after `idle` streams are opened and settle.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::Context;
use futures::StreamExt;
use openprm_domain::UserId;
use openprm_store::{Backend, Store, sessions::SessionKind};
use tokio::sync::{Mutex, mpsc};
use uuid::Uuid;

use crate::{db::BenchDb, seed, server};

pub struct LiveSettings {
    pub clients: usize,
    pub assignments: usize,
    /// Assignments per second.
    pub rate: f64,
    pub idle: usize,
    pub server_bin: Option<std::path::PathBuf>,
}

pub struct LiveReport {
    pub backend: Backend,
    pub instances: usize,
    pub clients: usize,
    pub delivered: usize,
    pub sent: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub idle: Option<IdleReport>,
}

pub struct IdleReport {
    pub streams: usize,
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
}

impl IdleReport {
    pub fn per_stream_kib(&self) -> f64 {
        (self.rss_after_mib - self.rss_before_mib) * 1024.0 / self.streams.max(1) as f64
    }
}

pub async fn run(
    backend: Backend,
    postgres_url: Option<&str>,
    settings: &LiveSettings,
) -> anyhow::Result<LiveReport> {
    let db = BenchDb::create(backend, postgres_url).await?;
    let store = Store::connect(&db.url, 8).await?;
    store.migrate().await?;
    // Each seeded partner has one sales rep; the claim benchmark needs 32 more.
    let partners = (settings.clients as u32 + 40).max(64);
    let seeded = seed::seed(
        &db.url,
        &store,
        seed::Plan {
            leads: 20_000,
            partners,
            power_user_leads: 100,
            claim_pool: 100,
        },
    )
    .await?;
    let admin_token = store.create_session(seeded.admin, SessionKind::Api).await?;
    let reps = partner_users(&store, settings.clients).await?;
    anyhow::ensure!(
        reps.len() == settings.clients,
        "seeded too few partner users"
    );
    let mut tokens = Vec::with_capacity(reps.len());
    for rep in &reps {
        tokens.push(store.create_session(*rep, SessionKind::Api).await?);
    }

    let instances = match backend {
        Backend::Sqlite => 1,
        Backend::Postgres => 2,
    };
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(server::InProcess::start(&db.url).await?);
    }
    let (arrived_tx, mut arrived_rx) = mpsc::unbounded_channel::<(Uuid, Instant)>();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(settings.clients + 16)
        .tcp_nodelay(true)
        .build()?;
    let mut readers = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let base = &servers[i % instances].base;
        let response = client
            .get(format!("{base}/api/v1/events"))
            .bearer_auth(token)
            .send()
            .await
            .context("open an event stream")?;
        anyhow::ensure!(
            response.status().is_success(),
            "stream refused: {}",
            response.status()
        );
        let tx = arrived_tx.clone();
        readers.push(tokio::spawn(read_created(response, tx)));
    }
    println!(
        "{} streams open on {instances} instance(s); assigning {} leads at {}/s",
        settings.clients, settings.assignments, settings.rate
    );

    let sent_at: Arc<Mutex<HashMap<Uuid, Instant>>> = Arc::default();
    let gap = Duration::from_secs_f64(1.0 / settings.rate.max(0.1));
    let a = servers[0].base.clone();
    let mut next = tokio::time::Instant::now();
    for i in 0..settings.assignments {
        tokio::time::sleep_until(next).await;
        next += gap;
        let owner = reps[(i * 7919) % reps.len()];
        let started = Instant::now();
        let response = client
            .post(format!("{a}/api/v1/leads"))
            .bearer_auth(&admin_token)
            .json(&serde_json::json!({
                "name": format!("Live Lead {i}"),
                "company": "Bench ApS",
                "owner_id": owner,
            }))
            .send()
            .await?;
        anyhow::ensure!(
            response.status().as_u16() == 201,
            "assign: {}",
            response.status()
        );
        let body: serde_json::Value = response.json().await?;
        let id: Uuid = body["id"].as_str().context("no id")?.parse()?;
        sent_at.lock().await.insert(id, started);
    }
    // Stragglers get two seconds.
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(arrived_tx);
    let mut latencies = Vec::new();
    let sent = sent_at.lock().await;
    while let Ok((id, at)) = arrived_rx.try_recv() {
        if let Some(started) = sent.get(&id) {
            latencies.push(at.saturating_duration_since(*started).as_secs_f64() * 1000.0);
        }
    }
    for reader in readers {
        reader.abort();
    }
    for s in servers {
        s.stop().await?;
    }
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if latencies.is_empty() {
            f64::NAN
        } else {
            let rank = ((p * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len());
            latencies[rank - 1]
        }
    };
    let idle = match &settings.server_bin {
        Some(bin) if settings.idle > 0 => {
            Some(idle_streams(bin, &db.url, &tokens[0], settings.idle).await?)
        }
        _ => None,
    };
    let report = LiveReport {
        backend,
        instances,
        clients: settings.clients,
        delivered: latencies.len(),
        sent: sent.len(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: latencies.last().copied().unwrap_or(f64::NAN),
        idle,
    };
    drop(sent);
    store.close().await;
    db.finish(false).await?;
    Ok(report)
}

/// Partner users of the seeded data, as many as asked for.
async fn partner_users(store: &Store, n: usize) -> anyhow::Result<Vec<UserId>> {
    let sql =
        "SELECT id FROM users WHERE role = 'partner_user' AND active = TRUE ORDER BY id LIMIT $1";
    let rows: Vec<(Uuid,)> = match &store.db {
        openprm_store::Db::Sqlite(pool) => {
            sqlx::query_as(sql).bind(n as i64).fetch_all(pool).await?
        }
        openprm_store::Db::Postgres(pool) => {
            sqlx::query_as(sql).bind(n as i64).fetch_all(pool).await?
        }
    };
    Ok(rows.into_iter().map(|(id,)| UserId(id)).collect())
}

/// Reads one stream, reporting when each `created` event arrives.
async fn read_created(
    response: reqwest::Response,
    arrived: mpsc::UnboundedSender<(Uuid, Instant)>,
) {
    let mut body = response.bytes_stream();
    let mut buffer = String::new();
    while let Some(Ok(chunk)) = body.next().await {
        let now = Instant::now();
        buffer.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            for line in block.lines() {
                let Some(data) = line.strip_prefix("data: ") else {
                    continue;
                };
                let Ok(json) = serde_json::from_str::<serde_json::Value>(data) else {
                    continue;
                };
                if json["kind"] == "created"
                    && let Some(id) = json["record_id"].as_str().and_then(|s| s.parse().ok())
                {
                    let _ = arrived.send((id, now));
                }
            }
        }
    }
}

/// Opens `n` idle streams on a child `openprm serve` and reads its memory.
async fn idle_streams(
    bin: &std::path::Path,
    url: &str,
    token: &str,
    n: usize,
) -> anyhow::Result<IdleReport> {
    let child = server::Child::start(bin, url).await?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(n + 16)
        .build()?;
    // One stream first, so the hub and its first allocations are in "before".
    let first = client
        .get(format!("{}/api/v1/events", child.base))
        .bearer_auth(token)
        .send()
        .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, before) = server::memory_mib(Some(child.pid)).context("child memory")?;
    let mut open = vec![first];
    let base = child.base.clone();
    let mut opening = futures::stream::iter(0..n)
        .map(|_| {
            client
                .get(format!("{base}/api/v1/events"))
                .bearer_auth(token)
                .send()
        })
        .buffer_unordered(200);
    while let Some(response) = opening.next().await {
        let response = response?;
        anyhow::ensure!(
            response.status().is_success(),
            "stream refused: {}",
            response.status()
        );
        open.push(response);
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (_, after) = server::memory_mib(Some(child.pid)).context("child memory")?;
    println!(
        "{} idle streams: resident {before:.1} MiB before, {after:.1} MiB after",
        open.len() - 1
    );
    drop(opening);
    drop(open);
    child.stop().await?;
    Ok(IdleReport {
        streams: n,
        rss_before_mib: before,
        rss_after_mib: after,
    })
}

pub fn print(reports: &[LiveReport]) {
    println!("\n## Live delivery (server-sent events)\n");
    println!("| | store, instances | streams | delivered / sent | p50 | p99 | max |");
    println!("|---|---|---|---|---|---|---|");
    for r in reports {
        println!(
            "| assignment to screen | {:?}, {} | {} | {} / {} | {:.1} ms | {:.1} ms | {:.1} ms |",
            r.backend, r.instances, r.clients, r.delivered, r.sent, r.p50_ms, r.p99_ms, r.max_ms
        );
    }
    for r in reports {
        if let Some(idle) = &r.idle {
            println!(
                "\n{:?}: {} idle streams on `openprm serve`: resident {:.1} → {:.1} MiB, {:.1} KiB a stream",
                r.backend,
                idle.streams,
                idle.rss_before_mib,
                idle.rss_after_mib,
                idle.per_stream_kib()
            );
        }
    }
}
