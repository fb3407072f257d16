//! A closed-loop HTTP load generator: N tasks, each with its own keep-alive
//! connection, send a request, wait for the whole answer, and send the next,
//! until a time limit or a request budget runs out.

use std::time::{Duration, Instant};

use anyhow::Context;

/// One client holding at most one keep-alive connection.
pub fn connection() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .timeout(Duration::from_secs(30))
        .build()
        .context("build an HTTP client")
}

pub fn connections(n: usize) -> anyhow::Result<Vec<reqwest::Client>> {
    (0..n).map(|_| connection()).collect()
}

/// What one measured run saw.
#[derive(Clone, Debug, Default)]
pub struct Run {
    /// Latencies of successful requests, in microseconds.
    pub latencies_us: Vec<u32>,
    pub failures: u64,
    pub first_failure: Option<String>,
    pub elapsed: Duration,
}

impl Run {
    pub fn ok(&self) -> u64 {
        self.latencies_us.len() as u64
    }

    pub fn per_second(&self) -> f64 {
        self.ok() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The nearest-rank percentile, in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        let mut sorted = self.latencies_us.clone();
        sorted.sort_unstable();
        percentile(&sorted, p) / 1000.0
    }

    fn merge(&mut self, other: Run) {
        self.latencies_us.extend(other.latencies_us);
        self.failures += other.failures;
        if self.first_failure.is_none() {
            self.first_failure = other.first_failure;
        }
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    f64::from(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// GETs `url` with a bearer token over every client at once for `duration`,
/// each client sending at most `budget` requests.
pub async fn hammer(
    clients: &[reqwest::Client],
    url: &str,
    token: &str,
    duration: Duration,
    budget: u64,
) -> anyhow::Result<Run> {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(clients.len());
    for client in clients {
        let (client, url, token) = (client.clone(), url.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut run = Run::default();
            for _ in 0..budget {
                if Instant::now() >= deadline {
                    break;
                }
                let sent = Instant::now();
                match get(&client, &url, &token).await {
                    Ok(_) => run
                        .latencies_us
                        .push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX)),
                    Err(e) => {
                        run.failures += 1;
                        run.first_failure.get_or_insert_with(|| e.to_string());
                    }
                }
            }
            run
        }));
    }
    let mut total = Run::default();
    for task in tasks {
        total.merge(task.await.context("a load task failed")?);
    }
    total.elapsed = start.elapsed();
    Ok(total)
}

/// One GET, the whole body read (so the connection can be reused); an error
/// unless the answer is 200.
pub async fn get(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Vec<u8>> {
    let response = client.get(url).bearer_auth(token).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    anyhow::ensure!(
        status == reqwest::StatusCode::OK,
        "GET {url}: {status}: {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    Ok(body.to_vec())
}

/// Walks a list view in pages of 200 until `depth` rows lie behind, and
/// answers the cursor of the page that starts there, with the time per page.
pub async fn deep_cursor(
    client: &reqwest::Client,
    list_url: &str,
    token: &str,
    depth: u64,
) -> anyhow::Result<(String, Duration)> {
    #[derive(serde::Deserialize)]
    struct Page {
        leads: Vec<serde_json::Value>,
        next_cursor: Option<String>,
    }
    let mut seen = 0_u64;
    let mut cursor: Option<String> = None;
    let start = Instant::now();
    let mut pages = 0_u32;
    // Bounded: depth / 200 pages, and a generous time limit.
    while seen < depth {
        anyhow::ensure!(
            start.elapsed() < Duration::from_secs(300),
            "walking to row {depth} took too long"
        );
        let url = match &cursor {
            Some(c) => format!("{list_url}&limit=200&cursor={c}"),
            None => format!("{list_url}&limit=200"),
        };
        let page: Page = serde_json::from_slice(&get(client, &url, token).await?)?;
        pages += 1;
        seen += page.leads.len() as u64;
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let cursor =
        cursor.with_context(|| format!("the view has only {seen} rows, fewer than {depth}"))?;
    Ok((cursor, start.elapsed() / pages.max(1)))
}

/// The median of some numbers (NaN for none).
pub fn median(values: &[f64]) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
