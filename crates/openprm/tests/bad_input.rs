//! Bad input of every kind gets a clear 4xx in the right format — a JSON error
//! under `/api`, an HTML page elsewhere — and never a 5xx; a rejected request
//! leaves nothing half-written behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use openprm_domain::{Role, Tier};
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Response, header};
use serde_json::{Value, json};

/// A password the policy accepts, for accepting invitations.
const NEW_PASSWORD: &str = "copper-meadow-81-lighthouse";

/// More than the 256 KiB the portal accepts.
const OVERSIZED: usize = 300 * 1024;

fn content_type(response: &Response) -> String {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Asserts a JSON error `{"error": {"code", "message", "fields"?}}` with this
/// status and code, and returns the `error` object.
async fn api_error(response: Response, status: u16, code: &str) -> Value {
    let url = response.url().clone();
    let actual = response.status().as_u16();
    let ct = content_type(&response);
    let text = response.text().await.unwrap();
    assert_eq!(
        actual, status,
        "{url}: expected {status}, got {actual}: {text}"
    );
    assert!(
        ct.starts_with("application/json"),
        "{url}: an API error must be JSON, got {ct:?}: {text}"
    );
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"));
    let error = &body["error"];
    assert_eq!(error["code"], code, "{url}: wrong code in {text}");
    let message = error["message"]
        .as_str()
        .unwrap_or_else(|| panic!("{url}: no message in {text}"));
    assert!(!message.trim().is_empty(), "{url}: empty message in {text}");
    assert!(
        !message.contains("panicked") && !message.contains("src/"),
        "{url}: internals leak in {text}"
    );
    if let Some(fields) = error.get("fields") {
        assert!(
            fields.is_object(),
            "{url}: fields must be an object: {text}"
        );
    }
    error.clone()
}

/// Asserts a JSON error with a status in `range` (when the spec allows more
/// than one answer) and returns the status and the `error` object.
async fn api_error_in(response: Response, allowed: &[u16]) -> (u16, Value) {
    let status = response.status().as_u16();
    assert!(
        allowed.contains(&status),
        "{}: expected one of {allowed:?}, got {status}",
        response.url()
    );
    let code = match status {
        400 => "bad_request",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not_found",
        413 => "payload_too_large",
        422 => "validation_failed",
        _ => "",
    };
    if code.is_empty() {
        let ct = content_type(&response);
        assert!(
            ct.starts_with("application/json"),
            "{}: an API error must be JSON, got {ct:?}",
            response.url()
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["code"].is_string(), "no error code in {body}");
        return (status, body["error"].clone());
    }
    (status, api_error(response, status, code).await)
}

/// Asserts the field names of a `validation_failed` error.
fn assert_fields(error: &Value, expected: &[&str]) {
    let fields = error["fields"]
        .as_object()
        .unwrap_or_else(|| panic!("no fields in {error}"));
    for name in expected {
        assert!(
            fields.contains_key(*name),
            "field {name} not named in {error}"
        );
        assert!(
            fields[*name].as_str().is_some_and(|m| !m.trim().is_empty()),
            "no message for {name} in {error}"
        );
    }
}

/// Asserts an HTML page with this status and returns its text.
async fn page_error(response: Response, status: u16) -> String {
    let url = response.url().clone();
    let actual = response.status().as_u16();
    let ct = content_type(&response);
    let html = response.text().await.unwrap();
    assert_eq!(
        actual, status,
        "{url}: expected {status}, got {actual}: {html}"
    );
    assert!(
        ct.starts_with("text/html"),
        "{url}: expected an HTML page, got {ct:?}: {html}"
    );
    assert!(html.contains("<html"), "{url}: not a page: {html}");
    assert!(
        !html.contains("panicked") && !html.contains("src/"),
        "{url}: internals leak: {html}"
    );
    html
}

/// Asserts an HTML page with a 4xx status and returns status and text.
async fn page_4xx(response: Response) -> (u16, String) {
    let status = response.status().as_u16();
    assert!(
        (400..500).contains(&status),
        "{}: expected a 4xx page, got {status}",
        response.url()
    );
    (status, page_error(response, status).await)
}

async fn admin(app: &TestApp) -> (TestUser, String) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let token = app.token(&admin).await;
    (admin, token)
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app
        .client()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

/// Invites `email` to the partner over the API and returns the invited user's
/// id and the token from the link in the e-mail.
async fn invite(app: &TestApp, token: &str, partner: &str, email: &str) -> (String, String) {
    let response = app
        .client()
        .post(app.url(&format!("/api/v1/partners/{partner}/invitations")))
        .bearer_auth(token)
        .json(&json!({"email": email, "name": "Ivy Invitee", "role": "partner_user"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "invitation of {email}");
    let user: Value = response.json().await.unwrap();
    let mail = app
        .smtp
        .wait_for(email, Duration::from_secs(20))
        .await
        .unwrap_or_else(|| panic!("no invitation e-mail to {email}"));
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/invitations/"))
        .unwrap_or_else(|| panic!("no invitation link in {}", mail.text_body()));
    let link_token = link.rsplit('/').next().unwrap().trim().to_owned();
    (user["id"].as_str().unwrap().to_owned(), link_token)
}

async fn api_accept(app: &TestApp, link_token: &str) -> Response {
    app.client()
        .post(app.url(&format!("/api/v1/auth/invitations/{link_token}/accept")))
        .json(&json!({"new_password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap()
}

/// Follows the link in a browser-like client and presses the button on it.
async fn page_accept(app: &TestApp, link_token: &str) -> Response {
    let client = app.client();
    // The page of an unusable link has no form; any page gives the CSRF token.
    let csrf = app.csrf(&client, "/login").await;
    client
        .post(app.url(&format!("/invitations/{link_token}")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
}

async fn malformed_json_is_a_bad_request(app: &TestApp) {
    let client = app.client();
    let url = app.url("/api/v1/auth/login");
    let bodies: [&[u8]; 5] = [
        b"{\"email\": \"a@example.com\", ",
        b"",
        b"{email: 'x'}",
        b"\xff\xfe{}",
        b"{\"email\":\"a@example.com\",\"password\":\"x\"} trailing",
    ];
    for body in bodies {
        let response = client
            .post(&url)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        api_error(response, 400, "bad_request").await;
    }
}

async fn wrong_content_type_is_refused(app: &TestApp) {
    let client = app.client();
    let url = app.url("/api/v1/auth/login");
    let json_text = r#"{"email":"a@example.com","password":"whatever-it-is"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/xml"),
        None,
    ] {
        let mut request = client.post(&url).body(json_text);
        if let Some(ct) = content_type {
            request = request.header(header::CONTENT_TYPE, ct);
        }
        let (status, _) = api_error_in(request.send().await.unwrap(), &[400, 415]).await;
        assert!(status == 400 || status == 415, "{content_type:?}");
    }
}

async fn json_of_the_wrong_shape_fails_validation(app: &TestApp) {
    let client = app.client();
    let url = app.url("/api/v1/auth/login");
    for body in [
        json!({"email": 5, "password": []}),
        json!({}),
        json!([]),
        json!("a@example.com"),
        json!(null),
        json!({"email": "a@example.com"}),
    ] {
        let response = client.post(&url).json(&body).send().await.unwrap();
        let error = api_error(response, 422, "validation_failed").await;
        assert!(
            error["fields"].as_object().is_some_and(|f| !f.is_empty()),
            "{body}: no fields in {error}"
        );
    }
    // The same on an authenticated route: a partner whose tier is a number.
    let (_, token) = admin(app).await;
    let response = client
        .post(app.url("/api/v1/partners"))
        .bearer_auth(&token)
        .json(&json!({"name": "Shape", "tier": 3}))
        .send()
        .await
        .unwrap();
    api_error(response, 422, "validation_failed").await;
    assert!(
        get_json(app, &token, "/api/v1/partners")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "no partner may be created"
    );
}

async fn oversized_bodies_are_refused(app: &TestApp) {
    // An API route.
    let big_json = format!(
        r#"{{"email":"a@example.com","password":"{}"}}"#,
        "x".repeat(OVERSIZED)
    );
    let response = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(big_json)
        .send()
        .await
        .unwrap();
    api_error(response, 413, "payload_too_large").await;

    // An authenticated API route.
    let (admin, token) = admin(app).await;
    let big_partner = json!({"name": "x".repeat(OVERSIZED)});
    let response = app
        .client()
        .post(app.url("/api/v1/partners"))
        .bearer_auth(&token)
        .json(&big_partner)
        .send()
        .await
        .unwrap();
    api_error(response, 413, "payload_too_large").await;

    // A form route, signed out and signed in.
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let password = "p".repeat(OVERSIZED);
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("email", "a@example.com"),
            ("password", password.as_str()),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 413).await;

    let client = app.signed_in(&admin.email, &admin.password).await;
    let csrf = app.csrf(&client, "/partners").await;
    let name = "n".repeat(OVERSIZED);
    let response = client
        .post(app.url("/partners"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", name.as_str()),
            ("tier", "gold"),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 413).await;
    assert!(
        get_json(app, &token, "/api/v1/partners")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "no partner may be created"
    );
}

async fn unknown_routes_and_ids_are_not_found(app: &TestApp) {
    let (admin, token) = admin(app).await;
    let client = app.client();

    for path in [
        "/api/v1/no-such-thing",
        "/api/v1/partners/00000000-0000-0000-0000-000000000000/nothing",
        "/api/v2/me",
        "/api/",
    ] {
        let error = api_error(
            client.get(app.url(path)).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
        assert_eq!(error["message"], "No such endpoint.", "{path}");
        let error = api_error(
            client
                .get(app.url(path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
        assert_eq!(error["message"], "No such endpoint.", "{path}");
    }
    for path in ["/no-such-page", "/partners/1/2/3", "/static/missing.css"] {
        page_error(client.get(app.url(path)).send().await.unwrap(), 404).await;
    }

    // Ids that cannot exist, over the API…
    for path in [
        "/api/v1/partners/not-a-uuid",
        "/api/v1/partners/not-a-uuid/users",
        "/api/v1/users/not-a-uuid",
        "/api/v1/partners/%00",
    ] {
        api_error(
            client
                .get(app.url(path))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap(),
            404,
            "not_found",
        )
        .await;
    }
    let response = client
        .patch(app.url("/api/v1/partners/not-a-uuid"))
        .bearer_auth(&token)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .unwrap();
    api_error(response, 404, "not_found").await;
    let response = client
        .post(app.url("/api/v1/users/not-a-uuid/deactivate"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    api_error(response, 404, "not_found").await;
    let response = client
        .post(app.url("/api/v1/partners/not-a-uuid/invitations"))
        .bearer_auth(&token)
        .json(&json!({"email": "x@example.com", "name": "X", "role": "partner_user"}))
        .send()
        .await
        .unwrap();
    api_error(response, 404, "not_found").await;
    // …a well-formed id of nothing…
    let nobody = uuid::Uuid::new_v4();
    api_error(
        client
            .get(app.url(&format!("/api/v1/partners/{nobody}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;
    api_error(
        client
            .get(app.url(&format!("/api/v1/users/{nobody}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        404,
        "not_found",
    )
    .await;

    // …and as pages.
    let browser = app.signed_in(&admin.email, &admin.password).await;
    page_error(
        browser
            .get(app.url("/partners/not-a-uuid"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    page_error(
        browser
            .get(app.url(&format!("/partners/{nobody}")))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let csrf = app.csrf(&browser, "/partners").await;
    let response = browser
        .post(app.url("/users/not-a-uuid/deactivate"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    page_error(response, 404).await;
    let response = browser
        .post(app.url("/partners/not-a-uuid"))
        .form(&[("_csrf", csrf.as_str()), ("name", "X")])
        .send()
        .await
        .unwrap();
    page_error(response, 404).await;
}

async fn wrong_methods_are_not_allowed(app: &TestApp) {
    let (_, token) = admin(app).await;
    let client = app.client();
    let response = client
        .delete(app.url("/api/v1/partners"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    api_error_in(response, &[405]).await;
    let response = client
        .get(app.url("/api/v1/auth/login"))
        .send()
        .await
        .unwrap();
    api_error_in(response, &[405]).await;
    let response = client
        .put(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    api_error_in(response, &[405]).await;

    page_error(client.get(app.url("/logout")).send().await.unwrap(), 405).await;
    page_error(client.get(app.url("/language")).send().await.unwrap(), 405).await;
    let response = client.post(app.url("/healthz")).send().await.unwrap();
    assert!(
        response.status().is_client_error(),
        "POST /healthz: {}",
        response.status()
    );
}

async fn forms_need_a_valid_csrf_token(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let token = app.token(&admin).await;

    // No cookie and no field.
    let fresh = app.client();
    let response = fresh
        .post(app.url("/login"))
        .form(&[
            ("email", admin.email.as_str()),
            ("password", admin.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        !sets_session(&response),
        "a refused sign-in must not sign in"
    );
    let html = page_error(response, 403).await;
    assert!(html.contains("This form has expired"), "{html}");

    // A cookie but no field, then a wrong field.
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("email", admin.email.as_str()),
            ("password", admin.password.as_str()),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 403).await;
    let last = if csrf.ends_with('A') { 'B' } else { 'A' };
    let wrong = format!("{}{last}", &csrf[..csrf.len() - 1]);
    for bad in [wrong.as_str(), "", "short"] {
        let response = client
            .post(app.url("/login"))
            .form(&[
                ("email", admin.email.as_str()),
                ("password", admin.password.as_str()),
                ("_csrf", bad),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            !sets_session(&response),
            "a refused sign-in must not sign in"
        );
        page_error(response, 403).await;
    }
    // Still signed out: Home sends to the sign-in page.
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 303);

    // Signed in, a state-changing form with a wrong token changes nothing.
    let browser = app.signed_in(&admin.email, &admin.password).await;
    let response = browser
        .post(app.url("/partners"))
        .form(&[
            ("_csrf", "not-the-token"),
            ("name", "Forged Partner"),
            ("tier", "gold"),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 403).await;
    let response = browser
        .post(app.url("/partners"))
        .form(&[("name", "Forged Partner"), ("tier", "gold")])
        .send()
        .await
        .unwrap();
    page_error(response, 403).await;
    assert!(
        get_json(app, &token, "/api/v1/partners")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "no partner may be created"
    );
    let response = browser.post(app.url("/logout")).send().await.unwrap();
    page_error(response, 403).await;
    assert_eq!(
        browser.get(app.url("/")).send().await.unwrap().status(),
        200,
        "still signed in"
    );
}

fn sets_session(response: &Response) -> bool {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|c| {
            c.to_str()
                .unwrap_or_default()
                .starts_with("openprm_session=")
        })
}

async fn forged_invitation_tokens_are_not_found(app: &TestApp) {
    let client = app.client();
    for token in [
        "xyz",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "%E2%9C%93",
    ] {
        page_error(
            client
                .get(app.url(&format!("/invitations/{token}")))
                .send()
                .await
                .unwrap(),
            404,
        )
        .await;
        api_error(api_accept(app, token).await, 404, "not_found").await;
        page_error(page_accept(app, token).await, 404).await;
    }
}

async fn an_invitation_link_works_once(app: &TestApp) {
    let (_, token) = admin(app).await;
    let partner = app.partner("Once Ltd", Tier::Gold, None).await;
    let (first_id, link) = invite(app, &token, &partner.id.to_string(), "once@example.com").await;

    let first = api_accept(app, &link).await;
    assert_eq!(first.status(), 200, "the first use works");

    let (_, error) = api_error_in(api_accept(app, &link).await, &[404, 409, 410, 422]).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("already been used"),
        "{error}"
    );
    let (_, html) = page_4xx(client_get(app, &format!("/invitations/{link}")).await).await;
    assert!(html.contains("already been used"), "{html}");
    let (_, html) = page_4xx(page_accept(app, &link).await).await;
    assert!(html.contains("already been used"), "{html}");

    // Used through the page first, the API refuses it too.
    let (_, link) = invite(app, &token, &partner.id.to_string(), "twice@example.com").await;
    let first = page_accept(app, &link).await;
    assert_eq!(first.status(), 303, "the first use works");
    page_4xx(page_accept(app, &link).await).await;
    api_error_in(api_accept(app, &link).await, &[404, 409, 410, 422]).await;

    // Neither a resend nor a revoke applies to an invitation accepted with a
    // password chosen.
    for action in ["resend", "revoke"] {
        let response = app
            .client()
            .post(app.url(&format!("/api/v1/users/{first_id}/invitation/{action}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        api_error_in(response, &[409, 422]).await;
    }
}

async fn client_get(app: &TestApp, path: &str) -> Response {
    app.client().get(app.url(path)).send().await.unwrap()
}

async fn an_expired_invitation_link_is_refused(app: &TestApp) {
    let (_, token) = admin(app).await;
    let partner = app.partner("Late Ltd", Tier::Silver, None).await;
    let (user_id, link) = invite(app, &token, &partner.id.to_string(), "late@example.com").await;
    app.clock.advance(time::Duration::days(8));

    let (_, html) = page_4xx(client_get(app, &format!("/invitations/{link}")).await).await;
    assert!(html.contains("The link has expired"), "{html}");
    let (_, error) = api_error_in(api_accept(app, &link).await, &[404, 409, 410, 422]).await;
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("The link has expired"),
        "{error}"
    );
    let (_, html) = page_4xx(page_accept(app, &link).await).await;
    assert!(html.contains("The link has expired"), "{html}");

    let user = get_json(app, &token, &format!("/api/v1/users/{user_id}")).await;
    assert_eq!(
        user["pending_invitation"], true,
        "the invitation was not used: {user}"
    );
}

async fn a_revoked_invitation_link_is_refused(app: &TestApp) {
    let (_, token) = admin(app).await;
    let partner = app.partner("Gone Ltd", Tier::Registered, None).await;
    let (user_id, link) = invite(app, &token, &partner.id.to_string(), "gone@example.com").await;
    let response = app
        .client()
        .post(app.url(&format!("/api/v1/users/{user_id}/invitation/revoke")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    let (_, html) = page_4xx(client_get(app, &format!("/invitations/{link}")).await).await;
    assert!(html.contains("withdrawn"), "{html}");
    let (_, error) = api_error_in(api_accept(app, &link).await, &[404, 409, 410, 422]).await;
    assert!(
        error["message"].as_str().unwrap().contains("withdrawn"),
        "{error}"
    );
    let (_, html) = page_4xx(page_accept(app, &link).await).await;
    assert!(html.contains("withdrawn"), "{html}");
    let user = get_json(app, &token, &format!("/api/v1/users/{user_id}")).await;
    assert_eq!(user["active"], false, "nobody got in: {user}");

    // A resent invitation kills the link before it.
    let (user_id, old_link) =
        invite(app, &token, &partner.id.to_string(), "again@example.com").await;
    let response = app
        .client()
        .post(app.url(&format!("/api/v1/users/{user_id}/invitation/resend")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let (_, html) = page_4xx(client_get(app, &format!("/invitations/{old_link}")).await).await;
    assert!(html.contains("withdrawn"), "{html}");
    let (_, error) = api_error_in(api_accept(app, &old_link).await, &[404, 409, 410, 422]).await;
    assert!(
        error["message"].as_str().unwrap().contains("withdrawn"),
        "{error}"
    );
}

async fn api_calls_need_valid_credentials(app: &TestApp) {
    let client = app.client();
    let paths = [
        "/api/v1/me",
        "/api/v1/partners",
        "/api/v1/settings",
        "/api/v1/recent-items",
    ];
    for path in paths {
        api_error(
            client.get(app.url(path)).send().await.unwrap(),
            401,
            "unauthenticated",
        )
        .await;
        for value in [
            "Bearer garbage",
            "Bearer ",
            "Bearer",
            "Basic YWRtaW46YWRtaW4=",
            "bearer \u{e6}\u{f8}",
            "Token abc",
        ] {
            let response = client
                .get(app.url(path))
                .header(header::AUTHORIZATION, value)
                .send()
                .await
                .unwrap();
            api_error(response, 401, "unauthenticated").await;
        }
        let response = client
            .get(app.url(path))
            .header(header::COOKIE, "openprm_session=forged")
            .send()
            .await
            .unwrap();
        api_error(response, 401, "unauthenticated").await;
    }
    let long = format!("Bearer {}", "a".repeat(4000));
    api_error(
        client
            .get(app.url("/api/v1/me"))
            .header(header::AUTHORIZATION, long)
            .send()
            .await
            .unwrap(),
        401,
        "unauthenticated",
    )
    .await;

    // A write without credentials is refused before its body is looked at.
    let response = client
        .post(app.url("/api/v1/partners"))
        .json(&json!({"name": "Nobody's"}))
        .send()
        .await
        .unwrap();
    api_error(response, 401, "unauthenticated").await;
    let response = client
        .post(app.url("/api/v1/partners"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());

    // Wrong credentials.
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let response = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": admin.email, "password": "wrong"}))
        .send()
        .await
        .unwrap();
    api_error(response, 401, "unauthenticated").await;
    let response = client
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": "not an e-mail", "password": "x"}))
        .send()
        .await
        .unwrap();
    api_error(response, 401, "unauthenticated").await;

    // A token that was signed out is garbage from then on.
    let token = app.token(&admin).await;
    assert_eq!(
        client
            .post(app.url("/api/v1/auth/logout"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    api_error(
        client
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
        401,
        "unauthenticated",
    )
    .await;
}

async fn partner_users_cannot_change_partners(app: &TestApp) {
    let (_, token) = admin(app).await;
    let own = app.partner("Own Ltd", Tier::Gold, None).await;
    let other = app.partner("Other Ltd", Tier::Silver, None).await;
    let rep = app
        .user("Pia Partner", Role::PartnerUser, Some(own.id))
        .await;
    let rep_token = app.token(&rep).await;
    let client = app.client();

    for partner in [&own, &other] {
        let response = client
            .patch(app.url(&format!("/api/v1/partners/{}", partner.id)))
            .bearer_auth(&rep_token)
            .json(&json!({"name": "Hijacked", "tier": "platinum"}))
            .send()
            .await
            .unwrap();
        let (status, _) = api_error_in(response, &[403, 404]).await;
        if partner.id == other.id {
            assert_eq!(status, 404, "another partner's account must not be seen");
        }
    }
    let response = client
        .post(app.url("/api/v1/partners"))
        .bearer_auth(&rep_token)
        .json(&json!({"name": "Mine Now"}))
        .send()
        .await
        .unwrap();
    api_error_in(response, &[403, 404]).await;
    let response = client
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&rep_token)
        .json(&json!({"portal_name": "Taken", "primary_colour": "#000000", "accent_colour": "#000000"}))
        .send()
        .await
        .unwrap();
    api_error_in(response, &[403, 404]).await;
    let response = client
        .post(app.url(&format!("/api/v1/partners/{}/invitations", own.id)))
        .bearer_auth(&rep_token)
        .json(&json!({"email": "friend@example.com", "name": "Friend", "role": "partner_manager"}))
        .send()
        .await
        .unwrap();
    api_error_in(response, &[403, 404]).await;

    for partner in [&own, &other] {
        let now = get_json(app, &token, &format!("/api/v1/partners/{}", partner.id)).await;
        assert_eq!(now["name"], partner.name.as_str(), "unchanged: {now}");
        assert_eq!(now["tier"], partner.tier.as_str(), "unchanged: {now}");
    }
    let users = get_json(app, &token, &format!("/api/v1/partners/{}/users", own.id)).await;
    assert_eq!(
        users.as_array().unwrap().len(),
        1,
        "no one was invited: {users}"
    );
    assert_eq!(
        get_json(app, &token, "/api/v1/partners")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn invalid_partner_fields_are_named(app: &TestApp) {
    let (_, token) = admin(app).await;
    let client = app.client();
    let post = |body: Value| {
        client
            .post(app.url("/api/v1/partners"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    let response = post(json!({"name": "  ", "tier": "diamond", "primary_colour": "red", "accent_colour": "#12345g", "logo_url": "javascript:alert(1)"}))
        .await
        .unwrap();
    let error = api_error(response, 422, "validation_failed").await;
    assert_fields(
        &error,
        &[
            "name",
            "tier",
            "primary_colour",
            "accent_colour",
            "logo_url",
        ],
    );

    for (body, field) in [
        (
            json!({"name": "Colourful", "primary_colour": "#0a7cff;}body{"}),
            "primary_colour",
        ),
        (json!({"name": "Tiered", "tier": "bronze"}), "tier"),
        (json!({"tier": "gold"}), "name"),
        (json!({"name": "x".repeat(500)}), "name"),
        (
            json!({"name": "Managed", "channel_manager_id": "not-a-uuid"}),
            "channel_manager_id",
        ),
    ] {
        let error = api_error(post(body.clone()).await.unwrap(), 422, "validation_failed").await;
        assert_fields(&error, &[field]);
        let fields = error["fields"].as_object().unwrap();
        assert_eq!(fields.len(), 1, "{body}: only {field} is wrong: {error}");
    }
    // A channel manager who does not exist.
    let response =
        post(json!({"name": "Managed", "channel_manager_id": uuid::Uuid::new_v4().to_string()}))
            .await
            .unwrap();
    let (_, error) = api_error_in(response, &[404, 422]).await;
    if error["code"] == "validation_failed" {
        assert_fields(&error, &["channel_manager_id"]);
    }
    assert!(
        get_json(app, &token, "/api/v1/partners")
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "no partner may be created"
    );

    // The same rules on update; the partner keeps its values.
    let partner = app.partner("Steady Ltd", Tier::Gold, None).await;
    let response = client
        .patch(app.url(&format!("/api/v1/partners/{}", partner.id)))
        .bearer_auth(&token)
        .json(&json!({"name": "Renamed", "tier": "wood", "accent_colour": "blue"}))
        .send()
        .await
        .unwrap();
    let error = api_error(response, 422, "validation_failed").await;
    assert_fields(&error, &["tier", "accent_colour"]);
    let now = get_json(app, &token, &format!("/api/v1/partners/{}", partner.id)).await;
    assert_eq!(now["name"], "Steady Ltd", "{now}");
    assert_eq!(now["tier"], "gold", "{now}");
}

async fn settings_refuse_a_script_logo(app: &TestApp) {
    let (_, token) = admin(app).await;
    let before = get_json(app, &token, "/api/v1/settings").await;
    let client = app.client();
    for logo in [
        "javascript:alert(1)",
        "JavaScript:alert(document.cookie)",
        "data:text/html,<script>alert(1)</script>",
        "https://x.example/\" onerror=\"alert(1)",
    ] {
        let body = json!({"portal_name": "Hacked", "logo_url": logo, "primary_colour": "#112233", "accent_colour": "#445566"});
        let response = client
            .put(app.url("/api/v1/settings"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let error = api_error(response, 422, "validation_failed").await;
        assert_fields(&error, &["logo_url"]);
    }
    let body = json!({"portal_name": "", "primary_colour": "nope", "accent_colour": "#445566", "partner_tabs": ["leads", "secrets"]});
    let response = client
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let error = api_error(response, 422, "validation_failed").await;
    assert_fields(&error, &["portal_name", "primary_colour", "partner_tabs"]);
    assert_eq!(
        get_json(app, &token, "/api/v1/settings").await,
        before,
        "the settings are unchanged"
    );
}

async fn invalid_invitations_write_nothing(app: &TestApp) {
    let (_, token) = admin(app).await;
    let partner = app.partner("Careful Ltd", Tier::Gold, None).await;
    let users_path = format!("/api/v1/partners/{}/users", partner.id);
    let before = get_json(app, &token, &users_path).await;
    let client = app.client();
    let send = |body: Value| {
        client
            .post(app.url(&format!("/api/v1/partners/{}/invitations", partner.id)))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };

    for (body, fields) in [
        (
            json!({"email": "not-an-email", "name": "Bad Mail", "role": "partner_user"}),
            vec!["email"],
        ),
        (
            json!({"email": "bad@@example.com", "name": "Bad Mail", "role": "partner_user"}),
            vec!["email"],
        ),
        (
            json!({"email": "wizard@example.com", "name": "Wizard", "role": "wizard"}),
            vec!["role"],
        ),
        (
            json!({"email": "boss@example.com", "name": "Boss", "role": "admin"}),
            vec!["role"],
        ),
        (
            json!({"email": "cm@example.com", "name": "Manager", "role": "channel_manager"}),
            vec!["role"],
        ),
        (
            json!({"email": "", "name": "", "role": ""}),
            vec!["email", "name", "role"],
        ),
        (
            json!({"email": "loc@example.com", "name": "Loc", "role": "partner_user", "locale": "xx"}),
            vec!["locale"],
        ),
    ] {
        let error = api_error(send(body.clone()).await.unwrap(), 422, "validation_failed").await;
        assert_fields(&error, &fields);
    }
    let error = api_error(
        send(json!({"email": "nobody@example.com"})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(
        error["fields"].as_object().is_some_and(|f| !f.is_empty()),
        "{error}"
    );
    assert_eq!(
        get_json(app, &token, &users_path).await,
        before,
        "a rejected invitation creates no user"
    );

    // An address that already has an account is refused too.
    let taken = app
        .user("Tom Taken", Role::PartnerUser, Some(partner.id))
        .await;
    let before = get_json(app, &token, &users_path).await;
    let error = api_error(
        send(json!({"email": taken.email, "name": "Again", "role": "partner_user"}))
            .await
            .unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_fields(&error, &["email"]);
    assert_eq!(
        get_json(app, &token, &users_path).await,
        before,
        "a rejected invitation creates no user"
    );

    // The same through the form: the page shows the problems with a 422.
    let admin_user = app.user("Ann Admin", Role::Admin, None).await;
    let browser = app.signed_in(&admin_user.email, &admin_user.password).await;
    let csrf = app
        .csrf(&browser, &format!("/partners/{}", partner.id))
        .await;
    let response = browser
        .post(app.url(&format!("/partners/{}/invitations", partner.id)))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "nope"),
            ("name", "Form"),
            ("role", "admin"),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 422).await;
    assert_eq!(
        get_json(app, &token, &users_path).await,
        before,
        "a rejected invitation creates no user"
    );

    // Nothing was e-mailed for the refused ones: a good invitation sent last
    // arrives alone (the outbox sends in order).
    invite(app, &token, &partner.id.to_string(), "good@example.com").await;
    let sent: Vec<String> = app
        .smtp
        .messages()
        .iter()
        .flat_map(|m| m.to.clone())
        .collect();
    assert_eq!(
        sent,
        vec!["good@example.com".to_owned()],
        "only the good invitation was sent"
    );
}

/// Text no database stores (a NUL character) is refused as malformed, and
/// paths that are not UTF-8 find nothing; never a 5xx.
async fn odd_text_and_paths_never_fail(app: &TestApp) {
    let (admin, token) = admin(app).await;
    let client = app.client();

    // NUL characters in JSON strings: 400, and nothing is written.
    let login = app.url("/api/v1/auth/login");
    for body in [
        json!({"email": "a\u{0}b@example.com", "password": "x"}),
        json!({"email": admin.email, "password": "x\u{0}y"}),
    ] {
        api_error(
            client.post(&login).json(&body).send().await.unwrap(),
            400,
            "bad_request",
        )
        .await;
    }
    let response = client
        .post(app.url("/api/v1/partners"))
        .bearer_auth(&token)
        .json(&json!({"name": "Nul\u{0}Ltd"}))
        .send()
        .await
        .unwrap();
    api_error(response, 400, "bad_request").await;
    let partner = app.partner("Plain Ltd", Tier::Gold, None).await;
    let users_path = format!("/api/v1/partners/{}/users", partner.id);
    let response = client
        .post(app.url(&format!("/api/v1/partners/{}/invitations", partner.id)))
        .bearer_auth(&token)
        .json(&json!({"email": "nul@example.com", "name": "N\u{0}L", "role": "partner_user"}))
        .send()
        .await
        .unwrap();
    api_error(response, 400, "bad_request").await;
    assert!(
        get_json(app, &token, &users_path)
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "no user may be created"
    );
    let before = get_json(app, &token, "/api/v1/settings").await;
    let body = json!({"portal_name": "Portal\u{0}", "primary_colour": "#112233", "accent_colour": "#445566"});
    let response = client
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    api_error(response, 400, "bad_request").await;
    assert_eq!(
        get_json(app, &token, "/api/v1/settings").await,
        before,
        "the settings are unchanged"
    );
    // A backslash followed by "u0000" is ordinary text.
    let response = client
        .post(app.url("/api/v1/partners"))
        .bearer_auth(&token)
        .json(&json!({"name": "Back\\u0000slash"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["name"], "Back\\u0000slash");
    let response = client
        .post(app.url("/api/v1/auth/invitations/a%00b/accept"))
        .json(&json!({"new_password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    api_error(response, 404, "not_found").await;

    // …and in forms: a 400 page.
    let browser = app.client();
    let csrf = app.csrf(&browser, "/login").await;
    let response = browser
        .post(app.url("/login"))
        .form(&[
            ("email", "a\u{0}b@example.com"),
            ("password", "x"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 400).await;
    let browser = app.signed_in(&admin.email, &admin.password).await;
    let csrf = app.csrf(&browser, "/admin").await;
    let form = format!(
        "_csrf={csrf}&portal_name=Nul%00Portal&primary_colour=%23112233&accent_colour=%23445566"
    );
    let response = browser
        .post(app.url("/admin"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    page_error(response, 400).await;
    let response = browser
        .post(app.url("/partners"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Nul\u{0}Ltd"),
            ("tier", "gold"),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 400).await;
    let response = browser
        .post(app.url(&format!("/partners/{}/invitations", partner.id)))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("email", "nul@example.com"),
            ("name", "N\u{0}L"),
            ("role", "partner_user"),
        ])
        .send()
        .await
        .unwrap();
    page_error(response, 400).await;
    assert!(
        get_json(app, &token, &users_path)
            .await
            .as_array()
            .unwrap()
            .is_empty(),
        "no user may be created"
    );
    assert_eq!(
        get_json(app, &token, "/api/v1/settings").await,
        before,
        "the settings are unchanged"
    );
    assert_eq!(
        get_json(app, &token, "/api/v1/partners")
            .await
            .as_array()
            .unwrap()
            .len(),
        2,
        "no partner was added"
    );

    // Paths whose parameters are not UTF-8.
    for path in [
        "/api/v1/partners/%FF",
        "/api/v1/users/%C3%28",
        "/api/v1/partners/%FF/users",
    ] {
        let response = client
            .get(app.url(path))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        api_error(response, 404, "not_found").await;
    }
    let response = client
        .post(app.url("/api/v1/auth/invitations/%FF/accept"))
        .json(&json!({"new_password": NEW_PASSWORD}))
        .send()
        .await
        .unwrap();
    api_error(response, 404, "not_found").await;
    page_error(
        client
            .get(app.url("/invitations/%FF"))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    let response = browser
        .post(app.url("/invitations/%FF"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    page_error(response, 404).await;
    page_error(
        browser.get(app.url("/partners/%FF")).send().await.unwrap(),
        404,
    )
    .await;

    // Form values that are not UTF-8, and a nonsensical Accept-Language.
    let form =
        format!("_csrf={csrf}&portal_name=%FF%FE&primary_colour=%23112233&accent_colour=%23445566");
    let response = browser
        .post(app.url("/admin"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert!(
        response.status().as_u16() < 500,
        "non-UTF-8 form: {}",
        response.status()
    );
    let response = browser
        .post(app.url("/language"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}&locale=%FF"))
        .send()
        .await
        .unwrap();
    page_4xx(response).await;
    let response = browser
        .get(app.url("/"))
        .header(header::ACCEPT_LANGUAGE, "\u{e6}\u{f8}, *;q=abc, ;;;")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

openprm_testkit::test_on_both_stores!(
    malformed_json_is_a_bad_request,
    wrong_content_type_is_refused,
    json_of_the_wrong_shape_fails_validation,
    oversized_bodies_are_refused,
    unknown_routes_and_ids_are_not_found,
    wrong_methods_are_not_allowed,
    forms_need_a_valid_csrf_token,
    forged_invitation_tokens_are_not_found,
    an_invitation_link_works_once,
    an_expired_invitation_link_is_refused,
    a_revoked_invitation_link_is_refused,
    api_calls_need_valid_credentials,
    partner_users_cannot_change_partners,
    invalid_partner_fields_are_named,
    settings_refuse_a_script_logo,
    invalid_invitations_write_nothing,
    odd_text_and_paths_never_fail,
);
