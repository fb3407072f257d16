//! What an operator and an API client rely on: health and readiness probes,
//! Prometheus metrics, the OpenAPI document (and that it matches the router
//! both ways), security headers and the session cookie's attributes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use openprm_domain::{Role, Tier};
use openprm_testkit::app::TestApp;
use reqwest::{Method, Response, header};
use serde_json::{Value, json};

/// Every endpoint the API must offer and document.
const REQUIRED: &[(&str, &str)] = &[
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/password"),
    ("POST", "/api/v1/auth/invitations/{token}/accept"),
    ("GET", "/api/v1/me"),
    ("GET", "/api/v1/recent-items"),
    ("GET", "/api/v1/partners"),
    ("POST", "/api/v1/partners"),
    ("GET", "/api/v1/partners/{id}"),
    ("PATCH", "/api/v1/partners/{id}"),
    ("GET", "/api/v1/partners/{id}/users"),
    ("POST", "/api/v1/partners/{id}/invitations"),
    ("GET", "/api/v1/users/{id}"),
    ("POST", "/api/v1/users/{id}/deactivate"),
    ("POST", "/api/v1/users/{id}/reactivate"),
    ("POST", "/api/v1/users/{id}/invitation/resend"),
    ("POST", "/api/v1/users/{id}/invitation/revoke"),
    ("GET", "/api/v1/settings"),
    ("PUT", "/api/v1/settings"),
];

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn header_value(response: &Response, name: header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn set_cookies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The attributes of a `Set-Cookie` value, lower-cased, without the name=value pair.
fn cookie_attributes(cookie: &str) -> Vec<String> {
    cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// `/api/v1/partners/{id}` with every `{…}` replaced by `value`.
fn fill_parameters(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .unwrap_or_else(|| panic!("unbalanced {path}"));
        out.push_str(&rest[..open]);
        out.push_str(value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

async fn openapi(app: &TestApp) -> Value {
    let response = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(header_value(&response, header::CONTENT_TYPE).starts_with("application/json"));
    response.json().await.unwrap()
}

/// The (METHOD, path) pairs the document lists.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"]
        .as_object()
        .unwrap_or_else(|| panic!("no paths in {doc}"));
    let mut operations = BTreeSet::new();
    for (path, item) in paths {
        let item = item.as_object().unwrap();
        for method in HTTP_METHODS {
            if item.contains_key(*method) {
                operations.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
    }
    operations
}

async fn probes_answer(app: &TestApp) {
    let client = app.client();
    let response = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let response = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    // Probes need no sign-in and set no session.
    assert!(
        set_cookies(&response)
            .iter()
            .all(|c| !c.starts_with("openprm_session="))
    );
    let response = client.head(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

async fn metrics_are_prometheus_text(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let token = app.token(&admin).await;
    let client = app.client();
    assert_eq!(
        client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let partner = app.partner("Metered Ltd", Tier::Gold, None).await;
    let response = client
        .get(app.url(&format!("/api/v1/partners/{}", partner.id)))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        client
            .get(app.url("/no-such-page"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );

    let response = client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let content_type = header_value(&response, header::CONTENT_TYPE);
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    let text = response.text().await.unwrap();

    for name in [
        "openprm_http_requests_total",
        "openprm_http_request_duration_seconds",
        "openprm_db_pool_connections",
        "openprm_outbox_depth",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(name)),
            "no {name} sample in:\n{text}"
        );
        assert!(
            text.contains(&format!("# TYPE {name}")),
            "no TYPE line for {name} in:\n{text}"
        );
    }
    let requests: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("openprm_http_requests_total{"))
        .collect();
    assert!(
        requests.iter().all(|l| l.contains("route=\"")),
        "every request sample has a route label: {requests:?}"
    );
    // The route is the matched template, not the raw path (ids would explode the label space).
    assert!(
        requests
            .iter()
            .any(|l| l.contains("route=\"/api/v1/me\"") && l.contains("status=\"200\"")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|l| l.contains("route=\"/api/v1/partners/{id}\"")),
        "{requests:?}"
    );
    assert!(
        !text.contains(&partner.id.to_string()),
        "ids must not become labels"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("openprm_http_request_duration_seconds_bucket{")),
        "the latency is a histogram"
    );
    // Every sample line is `name{labels} value` with a number for a value.
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let value = line.rsplit(' ').next().unwrap();
        assert!(
            value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value),
            "bad sample: {line}"
        );
    }
}

async fn openapi_documents_every_endpoint(app: &TestApp) {
    let doc = openapi(app).await;
    let version = doc["openapi"].as_str().unwrap_or_default();
    assert!(version.starts_with("3.1"), "OpenAPI 3.1, not {version:?}");
    assert!(doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(
        doc["info"]["version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    let schemes = doc["components"]["securitySchemes"]
        .as_object()
        .unwrap_or_else(|| panic!("no security schemes"));
    assert!(
        schemes.values().any(|s| s["scheme"]
            .as_str()
            .is_some_and(|v| v.eq_ignore_ascii_case("bearer"))),
        "bearer auth documented: {schemes:?}"
    );

    let operations = documented(&doc);
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|(m, p)| !operations.contains(&(m.to_string(), p.to_string())))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "not in the OpenAPI document: {missing:?}"
    );

    // Each operation says what it answers, including its errors.
    for (method, path) in &operations {
        let operation = &doc["paths"][path][method.to_ascii_lowercase()];
        let responses = operation["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path}: no responses"));
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success response"
        );
        if path != "/api/v1/auth/logout" {
            assert!(
                responses.keys().any(|s| s.starts_with('4')),
                "{method} {path}: no error response documented"
            );
        }
        for parameter in path.split('/').filter(|s| s.starts_with('{')) {
            let name = parameter.trim_matches(|c| c == '{' || c == '}');
            let parameters = operation["parameters"]
                .as_array()
                .unwrap_or_else(|| panic!("{method} {path}: {name} undocumented"));
            assert!(
                parameters
                    .iter()
                    .any(|p| p["name"] == name && p["in"] == "path"),
                "{method} {path}: {name} undocumented"
            );
        }
    }
}

async fn every_documented_endpoint_is_routed(app: &TestApp) {
    let doc = openapi(app).await;
    let operations = documented(&doc);
    assert!(operations.len() >= REQUIRED.len());
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let client = app.client();
    let token = app.token(&admin).await;

    for (method, path) in &operations {
        let url = app.url(&fill_parameters(path, &uuid::Uuid::new_v4().to_string()));
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        // Signing out ends the token it is called with: give it its own.
        let call_token = if path == "/api/v1/auth/logout" {
            app.token(&admin).await
        } else {
            token.clone()
        };
        let mut request = client
            .request(method.clone(), &url)
            .bearer_auth(&call_token);
        if [Method::POST, Method::PUT, Method::PATCH].contains(&method) {
            request = request.json(&json!({}));
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        // An event stream never ends: its headers are the answer.
        let streams = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        if streams {
            assert_eq!(status, 200, "{method} {path}");
            continue;
        }
        let text = response.text().await.unwrap();
        assert!(status < 500, "{method} {path}: {status} {text}");
        assert_ne!(
            status, 405,
            "{method} {path} is documented but the router does not take {method}: {text}"
        );
        if status == 404 {
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|_| panic!("{method} {path}: 404 not JSON: {text}"));
            assert_ne!(
                body["error"]["message"], "No such endpoint.",
                "{method} {path} is documented but not routed"
            );
        }
    }
    // The token used throughout still works: nothing above signed it out.
    assert_eq!(
        client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // The fallbacks the check above relies on.
    let response = client
        .get(app.url("/api/v1/not-documented"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "No such endpoint.");
    let response = client
        .delete(app.url("/api/v1/settings"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
}

async fn responses_carry_security_headers(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let token = app.token(&admin).await;
    let client = app.client();
    let browser = app.signed_in(&admin.email, &admin.password).await;
    let responses = vec![
        (
            "GET /login",
            client.get(app.url("/login")).send().await.unwrap(),
        ),
        ("GET /", browser.get(app.url("/")).send().await.unwrap()),
        (
            "GET / signed out",
            client.get(app.url("/")).send().await.unwrap(),
        ),
        (
            "GET /admin",
            browser.get(app.url("/admin")).send().await.unwrap(),
        ),
        (
            "GET /no-such-page",
            client.get(app.url("/no-such-page")).send().await.unwrap(),
        ),
        (
            "GET /static/app.css",
            client.get(app.url("/static/app.css")).send().await.unwrap(),
        ),
        (
            "GET /api/v1/me",
            client
                .get(app.url("/api/v1/me"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
        ),
        (
            "GET /api/v1/me signed out",
            client.get(app.url("/api/v1/me")).send().await.unwrap(),
        ),
        (
            "GET /api/v1/nothing",
            client.get(app.url("/api/v1/nothing")).send().await.unwrap(),
        ),
        (
            "POST /login without CSRF",
            app.client()
                .post(app.url("/login"))
                .form(&[("email", "x")])
                .send()
                .await
                .unwrap(),
        ),
        (
            "GET /api/v1/openapi.json",
            client
                .get(app.url("/api/v1/openapi.json"))
                .send()
                .await
                .unwrap(),
        ),
        (
            "GET /healthz",
            client.get(app.url("/healthz")).send().await.unwrap(),
        ),
        (
            "GET /metrics",
            client.get(app.url("/metrics")).send().await.unwrap(),
        ),
    ];
    for (what, response) in responses {
        assert_eq!(
            header_value(&response, header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{what}"
        );
        assert_eq!(
            header_value(&response, header::X_FRAME_OPTIONS),
            "DENY",
            "{what}"
        );
        let policy = header_value(&response, header::CONTENT_SECURITY_POLICY);
        for directive in [
            "script-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(policy.contains(directive), "{what}: {policy:?}");
        }
        assert!(
            response.status().is_redirection()
                || !header_value(&response, header::CONTENT_TYPE).is_empty(),
            "{what}: no content type"
        );
    }
}

async fn session_cookie_is_locked_down(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let client = app.client();
    let login_page = client.get(app.url("/login")).send().await.unwrap();
    let csrf_cookie = set_cookies(&login_page)
        .into_iter()
        .find(|c| c.starts_with("openprm_csrf="))
        .expect("a CSRF cookie");
    let attributes = cookie_attributes(&csrf_cookie);
    assert!(attributes.contains(&"httponly".to_owned()), "{csrf_cookie}");
    assert!(
        attributes.iter().any(|a| a.starts_with("samesite=")),
        "{csrf_cookie}"
    );
    assert!(
        !attributes.contains(&"secure".to_owned()),
        "no Secure over http: {csrf_cookie}"
    );

    let csrf =
        openprm_testkit::app::csrf_in(&login_page.text().await.unwrap()).expect("a CSRF field");
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("email", admin.email.as_str()),
            ("password", admin.password.as_str()),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let session = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("openprm_session="))
        .expect("a session cookie");
    let value = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("openprm_session=");
    assert!(
        value.len() >= 32,
        "a session id too short to be unguessable: {session}"
    );
    let attributes = cookie_attributes(&session);
    assert!(attributes.contains(&"httponly".to_owned()), "{session}");
    assert!(attributes.contains(&"samesite=lax".to_owned()), "{session}");
    assert!(
        !attributes.contains(&"secure".to_owned()),
        "no Secure over http: {session}"
    );
    assert!(attributes.contains(&"path=/".to_owned()), "{session}");
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        200,
        "signed in"
    );

    // Signing out clears it, with the same attributes.
    let csrf = app.csrf(&client, "/").await;
    let response = client
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let cleared = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("openprm_session="))
        .expect("the session cookie cleared");
    let attributes = cookie_attributes(&cleared);
    assert!(
        attributes.contains(&"max-age=0".to_owned())
            || attributes.iter().any(|a| a.starts_with("expires=")),
        "{cleared}"
    );
    assert!(
        attributes.contains(&"httponly".to_owned())
            && attributes.contains(&"samesite=lax".to_owned()),
        "{cleared}"
    );
    // The old session id is dead, even when replayed.
    let replay = app
        .client()
        .get(app.url("/api/v1/me"))
        .header(header::COOKIE, format!("openprm_session={value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
}

openprm_testkit::test_on_both_stores!(
    probes_answer,
    metrics_are_prometheus_text,
    openapi_documents_every_endpoint,
    every_documented_endpoint_is_routed,
    responses_carry_security_headers,
    session_cookie_is_locked_down,
);
