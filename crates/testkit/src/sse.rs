//! A server-sent-events client for tests: connect, then read events one at a
//! time with a deadline.

use std::{pin::Pin, time::Duration};

use futures::{Stream, StreamExt};
use reqwest::StatusCode;

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// One event as received.
#[derive(Clone, Debug)]
pub struct SseEvent {
    /// The `event:` name (`message` when none was given).
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

impl SseEvent {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.data)
            .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {}", self.data))
    }
}

/// An open event stream.
pub struct SseStream {
    body: ByteStream,
    buffer: String,
}

/// The answer to a connection attempt: the stream, or the status and body of a refusal.
pub enum SseConnect {
    Open(SseStream),
    Refused(StatusCode, String),
}

impl SseStream {
    /// Opens `url` with an API token and, when given, `Last-Event-ID`.
    pub async fn connect(url: &str, token: &str, last_event_id: Option<&str>) -> SseConnect {
        // No overall timeout: the stream is meant to stay open.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"));
        let mut request = client
            .get(url)
            .bearer_auth(token)
            .header("accept", "text/event-stream");
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = response.status();
        if status != StatusCode::OK {
            let body = response.text().await.unwrap_or_default();
            return SseConnect::Refused(status, body);
        }
        SseConnect::Open(SseStream {
            body: Box::pin(response.bytes_stream()),
            buffer: String::new(),
        })
    }

    /// Opens `url`, panicking unless it is an event stream.
    pub async fn open(url: &str, token: &str, last_event_id: Option<&str>) -> SseStream {
        match SseStream::connect(url, token, last_event_id).await {
            SseConnect::Open(stream) => stream,
            SseConnect::Refused(status, body) => panic!("GET {url}: {status} {body}"),
        }
    }

    /// The next event, or `None` if none comes within `within` or the stream ended.
    pub async fn next(&mut self, within: Duration) -> Option<SseEvent> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(event) = self.take_event() {
                return Some(event);
            }
            let chunk = tokio::time::timeout_at(deadline, self.body.next()).await;
            match chunk {
                Ok(Some(Ok(bytes))) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Some(Err(_)) | None) | Err(_) => return None,
            }
        }
    }

    /// Whether the server closed the stream within `within` (events before
    /// the end are skipped).
    pub async fn ends_within(&mut self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.body.next()).await {
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return true,
                Err(_) => return false,
            }
        }
    }

    /// Parses one whole event off the buffer; comments (keep-alives) are skipped.
    fn take_event(&mut self) -> Option<SseEvent> {
        loop {
            let normalised = self.buffer.replace("\r\n", "\n");
            self.buffer = normalised;
            let end = self.buffer.find("\n\n")?;
            let block: String = self.buffer.drain(..end + 2).collect();
            let mut event = SseEvent {
                event: "message".into(),
                id: None,
                data: String::new(),
            };
            let mut has_data = false;
            for line in block.lines() {
                if line.starts_with(':') {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "event" => event.event = value.to_owned(),
                    "id" => event.id = Some(value.to_owned()),
                    "data" => {
                        if has_data {
                            event.data.push('\n');
                        }
                        event.data.push_str(value);
                        has_data = true;
                    }
                    _ => {}
                }
            }
            if has_data {
                return Some(event);
            }
        }
    }
}
