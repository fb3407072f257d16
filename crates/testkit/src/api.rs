//! JSON API calls for tests. Every answer is checked on the way: never a 5xx,
//! and every error is the spec's JSON error with a code and a message.

use reqwest::{Method, header};
use serde_json::Value;

use crate::app::TestApp;

/// One API call with a bearer token; the status and the JSON answer
/// (`Value::Null` when empty).
pub async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    if_match: Option<&str>,
) -> (u16, Value) {
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    if let Some(version) = if_match {
        request = request.header(header::IF_MATCH, version);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    assert!(status < 500, "{method} {path}: {status}: {text}");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text.clone()))
    };
    if status >= 400 {
        assert!(
            content_type.starts_with("application/json"),
            "{method} {path}: {status} must be a JSON error, got {content_type:?}: {text}"
        );
        let message = json["error"]["message"].as_str().unwrap_or_default();
        assert!(
            json["error"]["code"].is_string() && !message.is_empty(),
            "{method} {path}: not the spec's error shape: {text}"
        );
    }
    (status, json)
}

pub async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    call(app, token, Method::GET, path, None, None).await
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    call(app, token, Method::POST, path, Some(body), None).await
}

pub async fn patch(
    app: &TestApp,
    token: &str,
    path: &str,
    version: &str,
    body: &Value,
) -> (u16, Value) {
    call(app, token, Method::PATCH, path, Some(body), Some(version)).await
}
