//! Building the router and serving it.

use std::{future::Future, net::SocketAddr};

use axum::{Router, routing::get};
use tokio::net::TcpListener;

use crate::AppState;

pub fn router(state: AppState) -> Router {
    Router::new().route("/healthz", get(|| async { "ok" })).with_state(state)
}

/// Serves until `shutdown` completes. Nagle's algorithm is turned off on every
/// connection: with it, a small response can wait ~40 ms for an ACK.
pub async fn serve(listener: TcpListener, router: Router, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}
