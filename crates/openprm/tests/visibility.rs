//! Who sees what (spec §1), through HTTP on both stores: the JSON API with
//! bearer tokens and the pages with signed-in cookie clients. A record the
//! caller may not see is answered 404, exactly as a record that does not
//! exist; a record they see but may not change is 403. A deactivated user is
//! out at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use openprm_domain::{PartnerId, Role, Tier, UserId};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    partner_staff_cannot_reach_another_partner,
    partner_user_sees_own_company_but_may_not_manage_it,
    partner_user_sees_own_channel_manager_only,
    channel_manager_sees_only_assigned_partners,
    admin_sees_everything,
    recent_items_drop_a_partner_reassigned_away,
    deactivated_user_is_locked_out_at_once,
);

/// Two channel managers; Acme and Bolt belong to A, Zenith to B.
struct World {
    admin: TestUser,
    cm_a: TestUser,
    cm_b: TestUser,
    acme: Partner,
    bolt: Partner,
    zenith: Partner,
    acme_manager: TestUser,
    acme_user: TestUser,
    acme_colleague: TestUser,
    zenith_manager: TestUser,
    zenith_user: TestUser,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let cm_a = app.user("Carl Channel", Role::ChannelManager, None).await;
    let cm_b = app.user("Bea Channel", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm_a.id()))
        .await;
    let bolt = app
        .partner("Bolt Integrators", Tier::Silver, Some(cm_a.id()))
        .await;
    let zenith = app
        .partner("Zenith Systems", Tier::Platinum, Some(cm_b.id()))
        .await;
    let acme_manager = app
        .user("Mona Acme", Role::PartnerManager, Some(acme.id))
        .await;
    let acme_user = app
        .user("Uffe Acme", Role::PartnerUser, Some(acme.id))
        .await;
    let acme_colleague = app
        .user("Cleo Acme", Role::PartnerUser, Some(acme.id))
        .await;
    let zenith_manager = app
        .user("Max Zenith", Role::PartnerManager, Some(zenith.id))
        .await;
    let zenith_user = app
        .user("Zoe Zenith", Role::PartnerUser, Some(zenith.id))
        .await;
    World {
        admin,
        cm_a,
        cm_b,
        acme,
        bolt,
        zenith,
        acme_manager,
        acme_user,
        acme_colleague,
        zenith_manager,
        zenith_user,
    }
}

/// One API call with a bearer token: the status and the JSON body (`Null` when empty).
async fn api(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, json)
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    api(app, token, Method::GET, path, None).await
}

fn invitation(email: &str) -> Value {
    json!({"email": email, "name": "New Person", "role": "partner_user"})
}

/// The ids in a JSON array of records.
fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list}"))
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

fn set(items: &[String]) -> BTreeSet<String> {
    items.iter().cloned().collect()
}

/// The status of a page for a signed-in cookie client.
async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> StatusCode {
    client
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
        .status()
}

/// Posts a form from a page as a browser would, with the page's CSRF token.
async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    from: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> StatusCode {
    let csrf = app.csrf(client, from).await;
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("_csrf", csrf.as_str()));
    client
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
        .status()
}

async fn partner_staff_cannot_reach_another_partner(app: &TestApp) {
    let w = world(app).await;
    let zenith = w.zenith.id;
    let unknown = PartnerId::new();
    for (who, n) in [(&w.acme_user, 1), (&w.acme_manager, 2)] {
        let token = app.token(who).await;
        let (status, body) = get(app, &token, &format!("/api/v1/partners/{zenith}")).await;
        assert_eq!(status, 404, "{}: another partner's account", who.email);
        // Existence does not leak: the answer is the one for an id that was never used.
        let (unknown_status, unknown_body) =
            get(app, &token, &format!("/api/v1/partners/{unknown}")).await;
        assert_eq!(
            (status, &body),
            (unknown_status, &unknown_body),
            "{}: 404 differs from a missing partner's",
            who.email
        );
        assert_eq!(body["error"]["code"], "not_found");

        let (status, _) = get(app, &token, &format!("/api/v1/partners/{zenith}/users")).await;
        assert_eq!(status, 404, "{}: another partner's users", who.email);
        for other in [&w.zenith_user, &w.zenith_manager] {
            let (status, _) = get(app, &token, &format!("/api/v1/users/{}", other.id())).await;
            assert_eq!(
                status, 404,
                "{}: user {} of another partner",
                who.email, other.email
            );
        }
        let (status, _) = get(app, &token, "/api/v1/partners").await;
        assert_eq!(
            status, 404,
            "{}: the list of partners is vendor staff's",
            who.email
        );

        let email = format!("intruder{n}@example.com");
        let (status, _) = api(
            app,
            &token,
            Method::POST,
            &format!("/api/v1/partners/{zenith}/invitations"),
            Some(invitation(&email)),
        )
        .await;
        assert_eq!(status, 404, "{}: invited into another partner", who.email);
        let (status, _) = api(
            app,
            &token,
            Method::POST,
            &format!("/api/v1/users/{}/deactivate", w.zenith_user.id()),
            None,
        )
        .await;
        assert_eq!(
            status, 404,
            "{}: deactivated another partner's user",
            who.email
        );

        let client = app.signed_in(&who.email, &who.password).await;
        assert_eq!(
            page(app, &client, &format!("/partners/{}", w.acme.id)).await,
            200,
            "{}: own partner page",
            who.email
        );
        assert_eq!(
            page(app, &client, &format!("/partners/{zenith}")).await,
            404,
            "{}: another partner's page",
            who.email
        );
        assert_eq!(
            page(app, &client, "/partners").await,
            404,
            "{}: the partners list page",
            who.email
        );
        let fields = [
            ("email", email.as_str()),
            ("name", "New Person"),
            ("role", "partner_user"),
            ("locale", "en"),
        ];
        let own = format!("/partners/{}", w.acme.id);
        let status = post_form(
            app,
            &client,
            &own,
            &format!("/partners/{zenith}/invitations"),
            &fields,
        )
        .await;
        assert_eq!(
            status, 404,
            "{}: invited into another partner through the page",
            who.email
        );
    }
    // Nobody was created by the attempts.
    let admin = app.token(&w.admin).await;
    let (status, users) = get(app, &admin, &format!("/api/v1/partners/{zenith}/users")).await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&users),
        set(&[
            w.zenith_manager.id().to_string(),
            w.zenith_user.id().to_string()
        ])
    );
    let (_, zenith_user) = get(
        app,
        &admin,
        &format!("/api/v1/users/{}", w.zenith_user.id()),
    )
    .await;
    assert_eq!(zenith_user["active"], true);
}

async fn partner_user_sees_own_company_but_may_not_manage_it(app: &TestApp) {
    let w = world(app).await;
    let acme = w.acme.id;
    let token = app.token(&w.acme_user).await;

    let (status, partner) = get(app, &token, &format!("/api/v1/partners/{acme}")).await;
    assert_eq!(status, 200);
    assert_eq!(partner["name"], "Acme Resellers");
    let (status, users) = get(app, &token, &format!("/api/v1/partners/{acme}/users")).await;
    assert_eq!(status, 200);
    let colleagues = [
        w.acme_manager.id().to_string(),
        w.acme_user.id().to_string(),
        w.acme_colleague.id().to_string(),
    ];
    assert_eq!(ids(&users), set(&colleagues), "exactly the colleagues");
    let (status, colleague) = get(
        app,
        &token,
        &format!("/api/v1/users/{}", w.acme_colleague.id()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(colleague["email"], w.acme_colleague.email);

    // Seen, but not theirs to manage: 403, and nothing changes.
    let (status, body) = api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/partners/{acme}/invitations"),
        Some(invitation("friend@example.com")),
    )
    .await;
    assert_eq!(status, 403, "a partner user invited: {body}");
    let (status, body) = api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/users/{}/deactivate", w.acme_colleague.id()),
        None,
    )
    .await;
    assert_eq!(
        status, 403,
        "a partner user deactivated a colleague: {body}"
    );
    let (status, _) = api(
        app,
        &token,
        Method::PATCH,
        &format!("/api/v1/partners/{acme}"),
        Some(json!({"brand_name": "Mine"})),
    )
    .await;
    assert_eq!(status, 403, "a partner user edited the partner account");

    let client = app
        .signed_in(&w.acme_user.email, &w.acme_user.password)
        .await;
    let from = format!("/partners/{acme}");
    assert_eq!(page(app, &client, &from).await, 200);
    let status = post_form(
        app,
        &client,
        &from,
        &format!("/users/{}/deactivate", w.acme_colleague.id()),
        &[],
    )
    .await;
    assert_eq!(
        status, 403,
        "a partner user deactivated a colleague through the page"
    );
    let fields = [
        ("email", "friend@example.com"),
        ("name", "Friend"),
        ("role", "partner_user"),
        ("locale", "en"),
    ];
    let status = post_form(
        app,
        &client,
        &from,
        &format!("/partners/{acme}/invitations"),
        &fields,
    )
    .await;
    assert_eq!(status, 403, "a partner user invited through the page");

    let (_, users) = get(app, &token, &format!("/api/v1/partners/{acme}/users")).await;
    assert_eq!(ids(&users), set(&colleagues), "nobody was invited");
    let (_, colleague) = get(
        app,
        &token,
        &format!("/api/v1/users/{}", w.acme_colleague.id()),
    )
    .await;
    assert_eq!(colleague["active"], true, "nobody was deactivated");

    // Their partner manager may do both.
    let manager = app.token(&w.acme_manager).await;
    let (status, invited) = api(
        app,
        &manager,
        Method::POST,
        &format!("/api/v1/partners/{acme}/invitations"),
        Some(invitation("friend@example.com")),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    assert_eq!(invited["partner_id"], acme.to_string());
    let (status, _) = api(
        app,
        &manager,
        Method::POST,
        &format!("/api/v1/users/{}/deactivate", w.acme_colleague.id()),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

async fn partner_user_sees_own_channel_manager_only(app: &TestApp) {
    let w = world(app).await;
    for who in [&w.acme_user, &w.acme_manager] {
        let token = app.token(who).await;
        let (status, cm) = get(app, &token, &format!("/api/v1/users/{}", w.cm_a.id())).await;
        assert_eq!(status, 200, "{}: their own channel manager", who.email);
        assert_eq!(cm["email"], w.cm_a.email);
        let (status, _) = get(app, &token, &format!("/api/v1/users/{}", w.cm_b.id())).await;
        assert_eq!(
            status, 404,
            "{}: another partner's channel manager",
            who.email
        );
        let (status, _) = get(app, &token, &format!("/api/v1/users/{}", w.admin.id())).await;
        assert_eq!(status, 404, "{}: the admin", who.email);
        let (status, _) = get(app, &token, &format!("/api/v1/users/{}", UserId::new())).await;
        assert_eq!(status, 404);
    }
    let token = app.token(&w.zenith_user).await;
    let (status, _) = get(app, &token, &format!("/api/v1/users/{}", w.cm_b.id())).await;
    assert_eq!(status, 200);
    let (status, _) = get(app, &token, &format!("/api/v1/users/{}", w.cm_a.id())).await;
    assert_eq!(status, 404);
}

async fn channel_manager_sees_only_assigned_partners(app: &TestApp) {
    let w = world(app).await;
    let token = app.token(&w.cm_a).await;

    let (status, partners) = get(app, &token, "/api/v1/partners").await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&partners),
        set(&[w.acme.id.to_string(), w.bolt.id.to_string()]),
        "exactly the assigned partners"
    );

    let zenith = w.zenith.id;
    for path in [
        format!("/api/v1/partners/{zenith}"),
        format!("/api/v1/partners/{zenith}/users"),
    ] {
        assert_eq!(get(app, &token, &path).await.0, 404, "{path}");
    }
    for other in [&w.zenith_user, &w.zenith_manager] {
        assert_eq!(
            get(app, &token, &format!("/api/v1/users/{}", other.id()))
                .await
                .0,
            404,
            "{}",
            other.email
        );
    }
    for own in [&w.acme_user, &w.acme_manager, &w.cm_b] {
        assert_eq!(
            get(app, &token, &format!("/api/v1/users/{}", own.id()))
                .await
                .0,
            200,
            "{}",
            own.email
        );
    }
    let (status, users) = get(
        app,
        &token,
        &format!("/api/v1/partners/{}/users", w.acme.id),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(users.as_array().map(Vec::len), Some(3));

    let (status, invited) = api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/partners/{}/invitations", w.acme.id),
        Some(invitation("new.acme@example.com")),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    let (status, _) = api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/partners/{zenith}/invitations"),
        Some(invitation("new.zenith@example.com")),
    )
    .await;
    assert_eq!(
        status, 404,
        "invited into another channel manager's partner"
    );
    let (status, _) = api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/users/{}/deactivate", w.zenith_user.id()),
        None,
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = api(
        app,
        &token,
        Method::PATCH,
        &format!("/api/v1/partners/{zenith}"),
        Some(json!({"brand_name": "Mine"})),
    )
    .await;
    assert_eq!(status, 404);

    // Their own partner: branding yes, handing it to someone else no.
    let acme_path = format!("/api/v1/partners/{}", w.acme.id);
    let (status, body) = api(
        app,
        &token,
        Method::PATCH,
        &acme_path,
        Some(json!({"channel_manager_id": w.cm_b.id().to_string()})),
    )
    .await;
    assert_eq!(
        status, 403,
        "a channel manager reassigned a partner: {body}"
    );
    let (status, body) = api(
        app,
        &token,
        Method::PATCH,
        &acme_path,
        Some(json!({"brand_name": "Acme Portal", "primary_colour": "#123456"})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["brand_name"], "Acme Portal");
    assert_eq!(body["primary_colour"], "#123456");
    let (_, acme) = get(app, &token, &acme_path).await;
    assert_eq!(
        acme["channel_manager_id"],
        w.cm_a.id().to_string(),
        "still theirs"
    );
    assert_eq!(acme["brand_name"], "Acme Portal");

    let client = app.signed_in(&w.cm_a.email, &w.cm_a.password).await;
    assert_eq!(
        page(app, &client, &format!("/partners/{}", w.acme.id)).await,
        200
    );
    assert_eq!(
        page(app, &client, &format!("/partners/{zenith}")).await,
        404
    );
    let html = client
        .get(app.url("/partners"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Acme Resellers") && html.contains("Bolt Integrators"),
        "the partners page lists theirs"
    );
    assert!(
        !html.contains("Zenith Systems"),
        "the partners page lists another's partner"
    );
}

async fn admin_sees_everything(app: &TestApp) {
    let w = world(app).await;
    let token = app.token(&w.admin).await;
    let (status, partners) = get(app, &token, "/api/v1/partners").await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&partners),
        set(&[
            w.acme.id.to_string(),
            w.bolt.id.to_string(),
            w.zenith.id.to_string()
        ])
    );
    for partner in [&w.acme, &w.bolt, &w.zenith] {
        assert_eq!(
            get(app, &token, &format!("/api/v1/partners/{}", partner.id))
                .await
                .0,
            200,
            "{}",
            partner.name
        );
        assert_eq!(
            get(
                app,
                &token,
                &format!("/api/v1/partners/{}/users", partner.id)
            )
            .await
            .0,
            200,
            "{}",
            partner.name
        );
    }
    for user in [
        &w.cm_a,
        &w.cm_b,
        &w.acme_user,
        &w.acme_manager,
        &w.zenith_user,
        &w.zenith_manager,
    ] {
        assert_eq!(
            get(app, &token, &format!("/api/v1/users/{}", user.id()))
                .await
                .0,
            200,
            "{}",
            user.email
        );
    }
    let (status, invited) = api(
        app,
        &token,
        Method::POST,
        &format!("/api/v1/partners/{}/invitations", w.zenith.id),
        Some(invitation("new.zenith@example.com")),
    )
    .await;
    assert_eq!(status, 201, "{invited}");
    let client = app.signed_in(&w.admin.email, &w.admin.password).await;
    for partner in [&w.acme, &w.bolt, &w.zenith] {
        assert_eq!(
            page(app, &client, &format!("/partners/{}", partner.id)).await,
            200,
            "{}",
            partner.name
        );
    }
}

async fn recent_items_drop_a_partner_reassigned_away(app: &TestApp) {
    let w = world(app).await;
    let acme = w.acme.id.to_string();
    let cm_a = app.token(&w.cm_a).await;
    let client = app.signed_in(&w.cm_a.email, &w.cm_a.password).await;
    assert_eq!(page(app, &client, &format!("/partners/{acme}")).await, 200);
    assert_eq!(
        page(app, &client, &format!("/partners/{}", w.bolt.id)).await,
        200
    );

    let (status, recent) = get(app, &cm_a, "/api/v1/recent-items").await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&recent),
        set(&[acme.clone(), w.bolt.id.to_string()]),
        "both viewed partners are recent"
    );

    let admin = app.token(&w.admin).await;
    let (status, body) = api(
        app,
        &admin,
        Method::PATCH,
        &format!("/api/v1/partners/{acme}"),
        Some(json!({"channel_manager_id": w.cm_b.id().to_string()})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["channel_manager_id"], w.cm_b.id().to_string());

    let (status, recent) = get(app, &cm_a, "/api/v1/recent-items").await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&recent),
        set(&[w.bolt.id.to_string()]),
        "a partner reassigned away is no longer recent"
    );
    assert_eq!(page(app, &client, &format!("/partners/{acme}")).await, 404);
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !home.contains("Acme Resellers"),
        "Home still names a partner reassigned away"
    );

    // The new channel manager sees it, but it is not in their recent items until they view it.
    let cm_b = app.token(&w.cm_b).await;
    assert_eq!(
        get(app, &cm_b, &format!("/api/v1/partners/{acme}")).await.0,
        200
    );
    let (_, recent) = get(app, &cm_b, "/api/v1/recent-items").await;
    assert!(ids(&recent).is_empty());
}

/// The message a sign-in page shows, if any.
fn alert(html: &str) -> Option<String> {
    let start = html.find("role=\"alert\">")? + "role=\"alert\">".len();
    let end = html[start..].find('<')?;
    Some(html[start..start + end].trim().to_owned())
}

async fn form_sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, Option<String>) {
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
    let response = client
        .post(app.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, alert(&response.text().await.unwrap()))
}

async fn api_sign_in(app: &TestApp, email: &str, password: &str) -> (StatusCode, Value) {
    let response = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

async fn deactivated_user_is_locked_out_at_once(app: &TestApp) {
    let w = world(app).await;
    let user = &w.acme_user;
    let browser = app.signed_in(&user.email, &user.password).await;
    let token = app.token(user).await;
    assert_eq!(page(app, &browser, "/").await, 200);
    assert_eq!(get(app, &token, "/api/v1/me").await.0, 200);

    // Their partner manager deactivates them.
    let manager = app.token(&w.acme_manager).await;
    let (status, body) = api(
        app,
        &manager,
        Method::POST,
        &format!("/api/v1/users/{}/deactivate", user.id()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);

    for path in ["/", &format!("/partners/{}", w.acme.id)] {
        let response = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(
            response.status(),
            303,
            "{path}: the old session still works"
        );
        assert_eq!(response.headers()["location"], "/login");
    }
    let (status, body) = get(app, &token, "/api/v1/me").await;
    assert_eq!(status, 401, "the old token still works: {body}");
    assert_eq!(body["error"]["code"], "unauthenticated");
    assert_eq!(
        get(app, &token, &format!("/api/v1/partners/{}", w.acme.id))
            .await
            .0,
        401
    );
    assert_eq!(
        app.store.session_count(user.id()).await.unwrap(),
        0,
        "sessions and tokens were ended"
    );

    // Signing in again fails exactly as a wrong password does, on the form and over the API.
    let wrong = form_sign_in(app, &w.acme_colleague.email, "not-the-password-at-all").await;
    assert_eq!(wrong.0, 401);
    assert!(
        wrong.1.is_some(),
        "the sign-in page shows no message for a wrong password"
    );
    let deactivated = form_sign_in(app, &user.email, &user.password).await;
    assert_eq!(
        deactivated, wrong,
        "a deactivated user is told something else than a wrong password"
    );

    let wrong = api_sign_in(app, &w.acme_colleague.email, "not-the-password-at-all").await;
    assert_eq!(wrong.0, 401);
    let deactivated = api_sign_in(app, &user.email, &user.password).await;
    assert_eq!(
        deactivated, wrong,
        "the API tells a deactivated user something else than a wrong password"
    );
    assert_eq!(app.store.session_count(user.id()).await.unwrap(), 0);

    // Reactivated, they may sign in again; the old token stays dead.
    let (status, _) = api(
        app,
        &manager,
        Method::POST,
        &format!("/api/v1/users/{}/reactivate", user.id()),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(get(app, &token, "/api/v1/me").await.0, 401);
    let fresh = app.token(user).await;
    assert_eq!(get(app, &fresh, "/api/v1/me").await.0, 200);
}
