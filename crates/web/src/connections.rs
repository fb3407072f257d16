//! Accepting connections and serving the router on each.
//!
//! This is what `axum::serve` does, with two differences:
//!
//! - Nagle's algorithm is off on every connection: with it, a small response
//!   can wait ~40 ms for an ACK.
//! - HTTP/1.1 only. `axum::serve` first reads a few bytes to tell HTTP/1
//!   from HTTP/2 without TLS ("h2c", which browsers never speak), and hyper
//!   then grows the connection's 8 KiB read buffer to 16 KiB to read the
//!   rest of the request after them. An open event stream
//!   (`/api/v1/events`) keeps its connection, and that buffer, for as long
//!   as the page is open: it was a quarter of each stream's memory.

use std::{future::Future, time::Duration};

use axum::{Router, extract::ConnectInfo, http::Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::{rt::TokioIo, server::graceful::GracefulShutdown, service::TowerToHyperService};
use tokio::{net::TcpListener, task::JoinSet};
use tower::ServiceExt;

/// How long to wait after a failed accept (out of file descriptors, say)
/// before trying again, rather than spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` until `shutdown` completes, then waits for
/// the open connections to finish (the caller bounds that wait). Each request
/// carries the client's address as `ConnectInfo<SocketAddr>`.
///
/// The connections belong to this future: dropping it (a caller whose
/// patience ran out) ends them, and with them the last hold on the app's
/// state, such as the live hub's database connection.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let builder = http1::Builder::new();
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            // Forget connections that ended, so the set holds only open ones.
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let connection =
            builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        connections.spawn(async move {
            // A client that resets or sends garbage ends its own connection.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
    connections.shutdown().await;
    Ok(())
}
