//! The server under test: the real router, either in this process on a
//! runtime of its own, or as a child process running the `openprm` binary;
//! and the peak resident memory (VmHWM) of either.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use anyhow::Context;
use openprm_store::Store;
use openprm_web::{AppState, WebConfig};
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    net::TcpListener,
    sync::oneshot,
};

/// Database connections, as `openprm serve` opens them.
pub fn connections() -> u32 {
    openprm_store::serving_connections()
}

/// The router served on 127.0.0.1 by a two-thread runtime of its own, so the
/// load generator's tasks do not run on the server's threads.
pub struct InProcess {
    pub base: String,
    pub runtime: tokio::runtime::Handle,
    /// The server's own store, for claims that bypass HTTP.
    pub store: Store,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl InProcess {
    pub async fn start(database_url: &str) -> anyhow::Result<InProcess> {
        let (ready_tx, ready_rx) =
            oneshot::channel::<anyhow::Result<(SocketAddr, tokio::runtime::Handle, Store)>>();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let url = database_url.to_owned();
        let thread = std::thread::Builder::new().name("server".into()).spawn(
            move || -> anyhow::Result<()> {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .thread_name("server-worker")
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    let started = async {
                        let store = Store::connect(&url, connections()).await?;
                        let listener = TcpListener::bind("127.0.0.1:0").await?;
                        anyhow::Ok((listener, store))
                    }
                    .await;
                    let (listener, store) = match started {
                        Ok(s) => s,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return Ok(());
                        }
                    };
                    let addr = listener.local_addr()?;
                    let base = format!("http://{addr}");
                    let router =
                        openprm_web::router(AppState::new(store.clone(), WebConfig::new(base)));
                    let _ =
                        ready_tx.send(Ok((addr, tokio::runtime::Handle::current(), store.clone())));
                    openprm_web::serve(listener, router, async {
                        let _ = stop_rx.await;
                    })
                    .await?;
                    store.close().await;
                    Ok(())
                })
            },
        )?;
        let (addr, runtime, store) = ready_rx.await.context("the server thread ended early")??;
        Ok(InProcess {
            base: format!("http://{addr}"),
            runtime,
            store,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            tokio::task::spawn_blocking(move || thread.join())
                .await?
                .map_err(|_| anyhow::anyhow!("the server thread panicked"))??;
        }
        Ok(())
    }
}

/// `openprm serve` as a child process against the seeded database.
pub struct Child {
    pub base: String,
    pub pid: u32,
    child: tokio::process::Child,
    _workdir: tempfile::TempDir,
}

impl Child {
    pub async fn start(binary: &Path, database_url: &str) -> anyhow::Result<Child> {
        // Its own working folder, so no openprm.toml lying around is picked up.
        let workdir = tempfile::Builder::new()
            .prefix("openprm-bench-serve-")
            .tempdir()?;
        let mut child = tokio::process::Command::new(binary)
            .current_dir(workdir.path())
            .args([
                "--database-url",
                database_url,
                "--bind",
                "127.0.0.1:0",
                "--log",
                "warn",
                "serve",
            ])
            .arg("--mail-dir")
            .arg(workdir.path().join("mail"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("start {}", binary.display()))?;
        let pid = child.id().context("the server exited at once")?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let address = tokio::time::timeout(Duration::from_secs(60), async {
            // Bounded: the banner comes within the first few lines.
            for _ in 0..50 {
                let Some(line) = lines.next_line().await? else {
                    break;
                };
                if let Some(at) = line.find("http://") {
                    return anyhow::Ok(line[at..].trim().to_owned());
                }
            }
            anyhow::bail!("the server printed no address")
        })
        .await
        .context("the server did not start within 60 s")??;
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Ok(Child {
            base: address,
            pid,
            child,
            _workdir: workdir,
        })
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }
}

/// The `openprm` binary beside this one (`target/release/openprm`), if built.
pub fn sibling_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.join("openprm");
    candidate.is_file().then_some(candidate)
}

/// Resets this process's peak resident set (VmHWM) to its current size
/// (Linux ≥ 4.0), so a later reading covers only what follows.
pub fn reset_own_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A process's peak and current resident memory in MiB, from /proc.
pub fn memory_mib(pid: Option<u32>) -> Option<(f64, f64)> {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/status"),
        None => "/proc/self/status".to_owned(),
    };
    let status = std::fs::read_to_string(path).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

/// CPU time (user + system) a process has used, in seconds, from
/// /proc/PID/stat; Linux reports it in ticks of 1/100 s (USER_HZ).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// The 1-, 5- and 15-minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}
