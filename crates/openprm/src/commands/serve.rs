//! `openprm serve` and `openprm demo`: run the portal until Ctrl-C or SIGTERM.
//!
//! Start-up order: migrate, bind (so a port in use fails before anything
//! else), seed the demo data when asked, start the e-mail worker, the
//! stale-claim job and the registration-protection job, serve. On a signal
//! the server stops taking connections and finishes the requests in flight,
//! the worker finishes the message in hand, the two jobs stop (each record
//! they handle is one transaction), and the pools close.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use openprm_jobs::{MailConfig, RegistrationProtectionJob, ResponseTimeJob, StaleClaimJob};
use openprm_web::{
    AppState, WebConfig,
    services::{registrations, stale_claims},
};
use tokio::{net::TcpListener, sync::watch};
use tracing::{info, warn};

use crate::{
    commands::{open_store, say},
    config::{Config, redact_url},
    demo,
    error::CliError,
};

/// How long open connections (a live event stream, say) may hold up a shutdown.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// How long the e-mail worker may take to finish the message in hand.
const WORKER_TIMEOUT: Duration = Duration::from_secs(15);

pub async fn run(config: &Config, with_demo: bool) -> Result<(), CliError> {
    let store = open_store(config, openprm_store::serving_connections()).await?;
    let listener = TcpListener::bind(config.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let bound = listener.local_addr()?;
    let base_url = config.base_url_for(bound);

    if with_demo {
        if store.user_count().await? == 0 {
            say("Adding the demo company, its partners, their people and their leads…");
            let logins = demo::seed(&store, &base_url)
                .await
                .context("cannot add the demo data")?;
            say(&demo::logins_table(&logins, &base_url));
        } else {
            say("The database already has users, so no demo data was added.");
        }
    }

    // One flag that every part watches: set by a signal, or by the server ending.
    let (stop_tx, stop_rx) = watch::channel(false);
    let stop_tx = Arc::new(stop_tx);
    let mail = MailConfig {
        smtp_url: config.smtp_url.clone(),
        mail_dir: config.mail_dir.clone(),
        from_address: config.mail_from.clone(),
        message_domain: config.message_domain.clone(),
    };
    // Jobs that place leads (response times) tell people by e-mail as the
    // portal does, so every clone of the store carries the writer.
    let store = store.with_notification_mail(
        openprm_web::services::notifications::notification_mail(&base_url),
    );
    let (waker, worker) =
        openprm_jobs::spawn_outbox_worker(store.clone(), mail, stopped(stop_rx.clone()))
            .context("cannot start the e-mail worker")?;
    // The job lives in the jobs crate; the warning it sends is written by the
    // web crate, which holds the message catalogue and the e-mail templates.
    let stale_claims = openprm_jobs::spawn_stale_claim_job(
        StaleClaimJob::new(store.clone(), stale_claims::warning_mail(&base_url))
            .with_outbox_waker(waker.clone()),
        stopped(stop_rx.clone()),
    );
    // Likewise the reminders before a deal registration's protection ends.
    let protections = openprm_jobs::spawn_registration_protection_job(
        RegistrationProtectionJob::new(store.clone(), registrations::registration_mail(&base_url))
            .with_outbox_waker(waker.clone()),
        stopped(stop_rx.clone()),
    );
    // Inbox leads nobody accepted within their rule's response time move on.
    let response_times = openprm_jobs::spawn_response_time_job(
        ResponseTimeJob::new(store.clone()),
        stopped(stop_rx.clone()),
    );

    let mut termination = Termination::install().context("cannot listen for Ctrl-C and SIGTERM")?;
    let signal_tx = stop_tx.clone();
    tokio::spawn(async move {
        let name = termination.recv().await;
        info!(signal = name, "shutting down");
        let _ = signal_tx.send(true);
    });

    let router = openprm_web::router(
        AppState::new(store.clone(), WebConfig::new(base_url.clone()))
            .with_outbox_notifier(std::sync::Arc::new(move || waker.wake())),
    );
    info!(
        address = %bound,
        base_url,
        database = %redact_url(&config.database_url),
        mail = %config.smtp_url.as_deref().map(redact_url).unwrap_or_else(|| config.mail_dir.display().to_string()),
        "listening"
    );
    say(&format!(
        "OpenPRM listening on http://{}",
        display_addr(bound)
    ));

    let served = tokio::select! {
        result = openprm_web::serve(listener, router, stopped(stop_rx.clone())) => result,
        () = drain_deadline(stop_rx) => {
            warn!(seconds = DRAIN_TIMEOUT.as_secs(), "connections still open after the shutdown grace period; closing them");
            Ok(())
        }
    };
    let _ = stop_tx.send(true);
    if tokio::time::timeout(WORKER_TIMEOUT, stale_claims)
        .await
        .is_err()
    {
        warn!("the stale-claim job did not stop in time");
    }
    if tokio::time::timeout(WORKER_TIMEOUT, protections)
        .await
        .is_err()
    {
        warn!("the registration-protection job did not stop in time");
    }
    if tokio::time::timeout(WORKER_TIMEOUT, response_times)
        .await
        .is_err()
    {
        warn!("the response-time job did not stop in time");
    }
    if tokio::time::timeout(WORKER_TIMEOUT, worker).await.is_err() {
        warn!("the e-mail worker did not stop in time; undelivered messages stay in the outbox");
    }
    store.close().await;
    served.context("the web server failed")?;
    info!("stopped");
    Ok(())
}

/// Resolves once the stop flag is set (or its sender is gone).
async fn stopped(mut rx: watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Resolves a grace period after the stop flag is set.
async fn drain_deadline(rx: watch::Receiver<bool>) {
    stopped(rx).await;
    tokio::time::sleep(DRAIN_TIMEOUT).await;
}

/// An address a browser can open: a wildcard bind is reachable on loopback.
fn display_addr(bound: SocketAddr) -> SocketAddr {
    let mut shown = bound;
    if bound.ip().is_unspecified() {
        shown.set_ip(match bound {
            SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
            SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
        });
    }
    shown
}

/// The termination signals, registered up front: a signal that arrives
/// between start-up and the first poll must stop the server gracefully, not
/// kill it outright.
struct Termination {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Termination {
    fn install() -> std::io::Result<Termination> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Termination {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Termination {})
        }
    }

    /// Waits for the first signal; answers its name.
    async fn recv(&mut self) -> &'static str {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => "SIGINT",
                _ = self.terminate.recv() => "SIGTERM",
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => "Ctrl-C",
                Err(_) => std::future::pending().await,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_binds_are_shown_on_loopback() {
        let any: SocketAddr = "0.0.0.0:8080"
            .parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 8080)));
        assert_eq!(display_addr(any).to_string(), "127.0.0.1:8080");
        let own: SocketAddr = "192.0.2.7:80".parse().unwrap_or(any);
        assert_eq!(display_addr(own), own);
    }
}
