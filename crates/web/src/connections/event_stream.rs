//! A connection opened for one event stream, served without hyper.
//!
//! An open event stream (`GET /api/v1/events`) holds its connection for as
//! long as the page is open, and a portal holds one per signed-in tab. hyper
//! gives every HTTP/1 connection an 8 KiB read buffer and an 8 KiB write
//! buffer, fixed sizes it offers no way to shrink, which an idle stream never
//! uses again after its request. A connection whose first bytes are exactly
//! one such request is therefore answered here instead: the request is parsed
//! with `httparse` (hyper's own parser), runs through the same router and
//! middleware as every other request, and the response is written straight
//! to the socket, chunked, and the connection closes when the stream ends.
//! Anything else, including an event stream asked for on a reused
//! connection, goes to hyper untouched, since only peeking is done here.

use std::{net::SocketAddr, time::Duration};

use axum::{
    Router,
    body::{Body, Bytes, HttpBody},
    extract::ConnectInfo,
    http::{
        HeaderName, HeaderValue, Method, Request, StatusCode, Version, header, response::Parts,
    },
};
use futures::StreamExt;
use tokio::{io::AsyncWriteExt, net::TcpStream, sync::watch};
use tower::ServiceExt;

/// The request path served here.
const EVENTS_PATH: &str = "/api/v1/events";

/// The most a request head may take to be served here; longer heads (a
/// browser with very many cookies) go to hyper.
pub const MAX_HEAD: usize = 8 * 1024;

/// The most headers a request may carry to be served here.
const MAX_HEADERS: usize = 64;

/// How long a client may leave a write pending (it stopped reading) before
/// its stream is ended.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// Headers the connection itself decides; the router's copies are dropped.
const CONNECTION_HEADERS: [HeaderName; 4] = [
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::CONTENT_LENGTH,
    HeaderName::from_static("keep-alive"),
];

/// The request a connection's first bytes make, when they are exactly one
/// complete, bodiless `GET /api/v1/events` over HTTP/1.1 that hyper would
/// accept too; `None` for everything else.
pub fn event_stream_request(head: &[u8]) -> Option<Request<Body>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut parsed = httparse::Request::new(&mut headers);
    // Bytes after the head would be a pipelined request: hyper's business.
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(length)) if length == head.len() => {}
        _ => return None,
    }
    if parsed.method != Some("GET") || parsed.version != Some(1) {
        return None;
    }
    let target = parsed.path?;
    let rest = target.strip_prefix(EVENTS_PATH)?;
    if !(rest.is_empty() || rest.starts_with('?')) {
        return None;
    }
    let mut request = Request::builder()
        .method(Method::GET)
        .uri(target)
        .version(Version::HTTP_11)
        .body(Body::empty())
        .ok()?;
    for field in parsed.headers.iter() {
        let name = HeaderName::from_bytes(field.name.as_bytes()).ok()?;
        if name == header::CONTENT_LENGTH && field.value != b"0"
            || name == header::TRANSFER_ENCODING
            || name == header::UPGRADE
            || name == header::EXPECT
        {
            return None;
        }
        let value = HeaderValue::from_bytes(field.value).ok()?;
        request.headers_mut().append(name, value);
    }
    request.headers().get(header::HOST)?;
    Some(request)
}

/// Serves `request` on `stream` through `router` until the response ends,
/// the client leaves, or the server stops.
pub async fn serve(
    mut stream: TcpStream,
    remote: SocketAddr,
    mut request: Request<Body>,
    router: Router,
    mut stopping: watch::Receiver<bool>,
) {
    request.extensions_mut().insert(ConnectInfo(remote));
    let response = match router.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    let (parts, body) = response.into_parts();
    let framing = Framing::for_response(parts.status, &body);
    let head = response_head(&parts, framing);
    if write(&mut stream, &head).await.is_err() {
        return;
    }
    if framing == Framing::None {
        let _ = stream.shutdown().await;
        return;
    }
    let mut data = body.into_data_stream();
    loop {
        let next = tokio::select! {
            chunk = data.next() => chunk,
            () = client_gone(&stream) => return,
            _ = stopping.wait_for(|stop| *stop) => None,
        };
        let bytes = match next {
            Some(Ok(bytes)) if bytes.is_empty() => continue,
            Some(Ok(bytes)) => framing.frame(bytes),
            // A body that fails mid-way must not look complete to the client.
            Some(Err(_)) => return,
            None => break,
        };
        if write(&mut stream, &bytes).await.is_err() {
            return;
        }
    }
    if framing == Framing::Chunked && write(&mut stream, b"0\r\n\r\n").await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
}

/// How the response body is delimited on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Framing {
    /// A status that never has a body (1xx, 204, 304).
    None,
    Length(u64),
    Chunked,
}

impl Framing {
    fn for_response(status: StatusCode, body: &Body) -> Framing {
        if status.is_informational()
            || status == StatusCode::NO_CONTENT
            || status == StatusCode::NOT_MODIFIED
        {
            return Framing::None;
        }
        match body.size_hint().exact() {
            Some(length) => Framing::Length(length),
            None => Framing::Chunked,
        }
    }

    /// The bytes to write for one piece of the body.
    fn frame(self, bytes: Bytes) -> Bytes {
        match self {
            Framing::Chunked => {
                let mut framed = Vec::with_capacity(bytes.len() + 12);
                framed.extend_from_slice(format!("{:x}\r\n", bytes.len()).as_bytes());
                framed.extend_from_slice(&bytes);
                framed.extend_from_slice(b"\r\n");
                framed.into()
            }
            Framing::Length(_) | Framing::None => bytes,
        }
    }
}

/// The status line and headers, as hyper would write them, with
/// `connection: close`: the connection ends with the response.
fn response_head(response: &Parts, framing: Framing) -> Vec<u8> {
    let status = response.status;
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(
        format!(
            "HTTP/1.1 {} {}\r\n",
            status.as_str(),
            status.canonical_reason().unwrap_or("")
        )
        .as_bytes(),
    );
    for (name, value) in &response.headers {
        if CONNECTION_HEADERS.contains(name) {
            continue;
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !response.headers.contains_key(header::DATE) {
        let date = httpdate::fmt_http_date(std::time::SystemTime::now());
        head.extend_from_slice(format!("date: {date}\r\n").as_bytes());
    }
    match framing {
        Framing::Length(length) => {
            head.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
        }
        Framing::Chunked => head.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        Framing::None => {}
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    head
}

async fn write(stream: &mut TcpStream, bytes: &[u8]) -> std::io::Result<()> {
    tokio::time::timeout(WRITE_TIMEOUT, stream.write_all(bytes))
        .await
        .unwrap_or_else(|_| Err(std::io::ErrorKind::TimedOut.into()))
}

/// Completes when the client closes its side or the connection fails. Bytes
/// it sends after its request are read and ignored: the connection closes
/// after this response.
async fn client_gone(stream: &TcpStream) {
    let mut scratch = [0u8; 64];
    loop {
        if stream.readable().await.is_err() {
            return;
        }
        match stream.try_read(&mut scratch) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(head: &str) -> Option<Request<Body>> {
        event_stream_request(head.as_bytes())
    }

    #[test]
    fn an_event_stream_request_is_taken_with_its_headers() {
        let taken = request(
            "GET /api/v1/events?last_event_id=42 HTTP/1.1\r\nHost: portal.example\r\n\
             Cookie: openprm_session=abc\r\nAccept: text/event-stream\r\n\
             Last-Event-ID: 41\r\n\r\n",
        )
        .expect("an event stream request");
        assert_eq!(taken.uri().path(), "/api/v1/events");
        assert_eq!(taken.uri().query(), Some("last_event_id=42"));
        assert_eq!(taken.headers()["cookie"], "openprm_session=abc");
        assert_eq!(taken.headers()["last-event-id"], "41");
        assert_eq!(taken.headers()["host"], "portal.example");
        let bare = request("GET /api/v1/events HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
        assert!(bare.is_some());
    }

    #[test]
    fn everything_else_is_left_to_hyper() {
        for head in [
            // other paths, methods and versions
            "GET /api/v1/leads HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /api/v1/eventsx HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /api/v1/events/ HTTP/1.1\r\nHost: h\r\n\r\n",
            "POST /api/v1/events HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /api/v1/events HTTP/1.0\r\nHost: h\r\n\r\n",
            // a body, an upgrade, an expectation, no host
            "GET /api/v1/events HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n",
            "GET /api/v1/events HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET /api/v1/events HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n",
            "GET /api/v1/events HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
            "GET /api/v1/events HTTP/1.1\r\n\r\n",
            // incomplete, pipelined, malformed
            "GET /api/v1/events HTTP/1.1\r\nHost: h\r\n",
            "GET /api/v1/events HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /api/v1/events HTTP/1.1\r\nHo st: h\r\n\r\n",
            "GET /api/v1/events HTTP/1.1\r\nHost: h\u{1}\r\n\r\n",
            "\u{16}\u{3}\u{1}\u{2}\u{0}",
            "",
        ] {
            assert!(request(head).is_none(), "taken: {head:?}");
        }
        let many: String = (0..MAX_HEADERS).map(|n| format!("X-{n}: v\r\n")).collect();
        assert!(
            request(&format!(
                "GET /api/v1/events HTTP/1.1\r\nHost: h\r\n{many}\r\n"
            ))
            .is_none()
        );
    }

    #[test]
    fn heads_are_written_as_hyper_writes_them() {
        use axum::http::Response;
        let (response, ()) = Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/event-stream")
            .header("connection", "keep-alive")
            .header("content-length", "99")
            .header("date", "Fri, 27 Nov 2026 12:00:00 GMT")
            .body(())
            .unwrap()
            .into_parts();
        let head = String::from_utf8(response_head(&response, Framing::Chunked)).unwrap();
        assert_eq!(
            head,
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\
             date: Fri, 27 Nov 2026 12:00:00 GMT\r\ntransfer-encoding: chunked\r\n\
             connection: close\r\n\r\n"
        );
        let (refused, ()) = Response::builder()
            .status(401)
            .body(())
            .unwrap()
            .into_parts();
        let head = String::from_utf8(response_head(&refused, Framing::Length(7))).unwrap();
        assert!(
            head.starts_with("HTTP/1.1 401 Unauthorized\r\ndate: "),
            "{head}"
        );
        assert!(
            head.ends_with("\r\ncontent-length: 7\r\nconnection: close\r\n\r\n"),
            "{head}"
        );
        let piece = Bytes::from_static(b"data: {}\n\n");
        assert_eq!(Framing::Chunked.frame(piece), &b"a\r\ndata: {}\n\n\r\n"[..]);
        let whole = Bytes::from_static(b"{}");
        assert_eq!(Framing::Length(2).frame(whole), &b"{}"[..]);
    }
}
