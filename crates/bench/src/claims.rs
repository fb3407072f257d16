//! Contended claims: every claimer works through its own list, which mixes
//! leads only it goes for with leads all claimers go for in the same order,
//! so about half the attempts race. Once over HTTP, once straight through
//! `Store::claim_lead` (the ceiling), with the same lists' shape.

use std::time::{Duration, Instant};

use anyhow::Context;
use openprm_domain::{DomainError, LeadId, Viewer};
use openprm_store::{Store, StoreError};
use uuid::Uuid;

/// How the attempts of one run ended.
#[derive(Clone, Debug, Default)]
pub struct ClaimRun {
    pub won: u64,
    pub already_claimed: u64,
    pub limit_reached: u64,
    /// 404: another partner took the lead first, so it left the caller's sight.
    pub gone: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

enum Outcome {
    Won,
    AlreadyClaimed,
    LimitReached,
    Gone,
    Error(String),
}

impl ClaimRun {
    pub fn attempts(&self) -> u64 {
        self.won + self.already_claimed + self.limit_reached + self.gone + self.errors
    }

    /// Answered claims (won, or refused with 409 or 404) per second.
    pub fn per_second(&self) -> f64 {
        (self.attempts() - self.errors) as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Won => self.won += 1,
            Outcome::AlreadyClaimed => self.already_claimed += 1,
            Outcome::LimitReached => self.limit_reached += 1,
            Outcome::Gone => self.gone += 1,
            Outcome::Error(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }

    fn merge(&mut self, other: ClaimRun) {
        self.won += other.won;
        self.already_claimed += other.already_claimed;
        self.limit_reached += other.limit_reached;
        self.gone += other.gone;
        self.errors += other.errors;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// Takes `claimers * per_claimer + per_claimer` leads off the front of `pool`
/// and deals them: claimer i gets its own `per_claimer` leads interleaved with
/// the `per_claimer` shared ones.
pub fn deal(
    pool: &mut Vec<Uuid>,
    claimers: usize,
    per_claimer: usize,
) -> anyhow::Result<Vec<Vec<Uuid>>> {
    let need = (claimers + 1) * per_claimer;
    anyhow::ensure!(
        pool.len() >= need,
        "the claim pool ran dry ({} left, {need} needed)",
        pool.len()
    );
    let taken: Vec<Uuid> = pool.drain(..need).collect();
    let (shared, own) = taken.split_at(per_claimer);
    Ok((0..claimers)
        .map(|i| {
            own[i * per_claimer..(i + 1) * per_claimer]
                .iter()
                .zip(shared)
                .flat_map(|(mine, ours)| [*mine, *ours])
                .collect()
        })
        .collect())
}

/// Claims over HTTP: one keep-alive connection and bearer token per claimer.
pub async fn over_http(
    base: &str,
    tokens: &[String],
    lists: Vec<Vec<Uuid>>,
    limit: Duration,
) -> anyhow::Result<ClaimRun> {
    let start = Instant::now();
    let deadline = start + limit;
    let mut tasks = Vec::new();
    for (token, list) in tokens.iter().cloned().zip(lists) {
        let client = crate::load::connection()?;
        let base = base.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut run = ClaimRun::default();
            for id in list {
                if Instant::now() >= deadline {
                    break;
                }
                run.count(claim_http(&client, &base, &token, id).await);
            }
            run
        }));
    }
    let mut total = ClaimRun::default();
    for task in tasks {
        total.merge(task.await.context("a claim task failed")?);
    }
    total.elapsed = start.elapsed();
    Ok(total)
}

async fn claim_http(client: &reqwest::Client, base: &str, token: &str, id: Uuid) -> Outcome {
    let url = format!("{base}/api/v1/leads/{id}/claim");
    let response = match client.post(&url).bearer_auth(token).send().await {
        Ok(r) => r,
        Err(e) => return Outcome::Error(e.to_string()),
    };
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    match status.as_u16() {
        200 => Outcome::Won,
        404 => Outcome::Gone,
        409 => {
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["error"]["code"].as_str().map(str::to_owned));
            match code.as_deref() {
                Some("lead_already_claimed") => Outcome::AlreadyClaimed,
                Some("claim_limit_reached") => Outcome::LimitReached,
                _ => Outcome::Error(format!("409 {}", String::from_utf8_lossy(&body))),
            }
        }
        _ => Outcome::Error(format!(
            "{status} {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )),
    }
}

/// Claims straight through the store, each claimer a task on the server's
/// runtime (where the handlers would run), sharing the server's pool.
pub async fn through_store(
    runtime: &tokio::runtime::Handle,
    store: &Store,
    viewers: &[Viewer],
    lists: Vec<Vec<Uuid>>,
    limit: Duration,
) -> anyhow::Result<ClaimRun> {
    let start = Instant::now();
    let deadline = start + limit;
    let mut tasks = Vec::new();
    for (viewer, list) in viewers.iter().copied().zip(lists) {
        let store = store.clone();
        tasks.push(runtime.spawn(async move {
            let mut run = ClaimRun::default();
            for id in list {
                if Instant::now() >= deadline {
                    break;
                }
                run.count(match store.claim_lead(&viewer, LeadId(id)).await {
                    Ok(_) => Outcome::Won,
                    Err(StoreError::Domain(DomainError::LeadAlreadyClaimed)) => {
                        Outcome::AlreadyClaimed
                    }
                    Err(StoreError::Domain(DomainError::ClaimLimitReached(_))) => {
                        Outcome::LimitReached
                    }
                    Err(StoreError::Domain(DomainError::NotFound)) => Outcome::Gone,
                    Err(e) => Outcome::Error(e.to_string()),
                });
            }
            run
        }));
    }
    let mut total = ClaimRun::default();
    for task in tasks {
        total.merge(task.await.context("a claim task failed")?);
    }
    total.elapsed = start.elapsed();
    Ok(total)
}
