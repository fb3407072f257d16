//! Accepting connections and serving the router on each.
//!
//! This is what `axum::serve` does, with three differences:
//!
//! - Nagle's algorithm is off on every connection: with it, a small response
//!   can wait ~40 ms for an ACK.
//! - HTTP/1.1 only. `axum::serve` first reads a few bytes to tell HTTP/1
//!   from HTTP/2 without TLS ("h2c", which browsers never speak), and hyper
//!   then grows the connection's 8 KiB read buffer to 16 KiB to read the
//!   rest of the request after them. An open event stream
//!   (`/api/v1/events`) keeps its connection, and that buffer, for as long
//!   as the page is open: it was a quarter of each stream's memory.
//! - A connection opened for one event stream skips hyper and its two 8 KiB
//!   buffers altogether ([`event_stream`]).

mod event_stream;

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{Router, extract::ConnectInfo, http::Request};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::{
    rt::TokioIo,
    server::graceful::{GracefulShutdown, Watcher},
    service::TowerToHyperService,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::watch,
    task::JoinSet,
};
use tower::ServiceExt;

/// How long a new connection may stay silent before it is handed to hyper
/// (which then waits for its request as it always does).
const FIRST_BYTES_WAIT: Duration = Duration::from_secs(30);

/// How long to wait after a failed accept (out of file descriptors, say)
/// before trying again, rather than spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves `router` on `listener` until `shutdown` completes, then waits for
/// the open connections to finish (the caller bounds that wait); event
/// streams on connections of their own end at once. Each request carries the
/// client's address as `ConnectInfo<SocketAddr>`.
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
    let (stop_streams, stopping) = watch::channel(false);
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
        connections.spawn(serve_connection(
            stream,
            remote,
            router.clone(),
            builder.clone(),
            graceful.watcher(),
            stopping.clone(),
        ));
    }
    drop(listener);
    let _ = stop_streams.send(true);
    graceful.shutdown().await;
    while connections.join_next().await.is_some() {}
    Ok(())
}

async fn serve_connection(
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    builder: http1::Builder,
    graceful: Watcher,
    stopping: watch::Receiver<bool>,
) {
    match opening(&stream).await {
        Opening::EventStream(request) => {
            return event_stream::serve(stream, remote, *request, router, stopping).await;
        }
        Opening::Broken => return,
        Opening::Other => {}
    }
    let service = router.map_request(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(remote));
        request
    });
    let connection =
        builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    // Boxed, so that an event stream's task is not the size of hyper's.
    let connection = Box::pin(graceful.watch(connection));
    // A client that resets or sends garbage ends its own connection.
    let _ = connection.await;
}

/// What a connection's first bytes ask for.
enum Opening {
    /// One request [`event_stream`] serves, taken off the socket.
    EventStream(Box<Request<axum::body::Body>>),
    /// Anything else, left on the socket for hyper.
    Other,
    /// The connection failed while its request was being taken.
    Broken,
}

async fn opening(stream: &TcpStream) -> Opening {
    let mut first = vec![0; event_stream::MAX_HEAD];
    let peeked = match tokio::time::timeout(FIRST_BYTES_WAIT, stream.peek(&mut first)).await {
        Ok(Ok(peeked)) => peeked,
        _ => return Opening::Other,
    };
    let Some(request) = event_stream::event_stream_request(&first[..peeked]) else {
        return Opening::Other;
    };
    // Take the head off the socket: the peek saw all of it there.
    let mut taken = 0;
    while taken < peeked {
        if stream.readable().await.is_err() {
            return Opening::Broken;
        }
        match stream.try_read(&mut first[taken..peeked]) {
            Ok(0) => return Opening::Broken,
            Ok(n) => taken += n,
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return Opening::Broken,
        }
    }
    Opening::EventStream(Box::new(request))
}
