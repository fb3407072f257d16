#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Signing in and out, sessions, tokens and throttling, through HTTP.

use openprm_domain::{Role, Tier};
use openprm_testkit::{
    api::{call, get, post},
    app::TestApp,
};
use reqwest::Method;
use serde_json::{Value, json};

async fn api_login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.client()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn sign_in_lands_on_home_with_a_new_session_cookie(app: &TestApp) {
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let client = app.client();
    let csrf = app.csrf(&client, "/login").await;
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
    assert_eq!(response.headers()["location"], "/");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("openprm_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Lax")
            && !cookie.contains("Secure"),
        "{cookie}"
    );
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("Welcome, Astrid Admin"));

    // Signing in again replaces the session: the old cookie no longer works.
    let old = cookie.split(';').next().unwrap().to_owned();
    let again = app.signed_in(&admin.email, &admin.password).await;
    drop(again);
    let stale = app
        .client()
        .get(app.url("/"))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        200,
        "a separate sign-in elsewhere keeps this session"
    );
    let csrf = app.csrf(&client, "/login").await;
    let rotated = client
        .post(app.url("/login"))
        .form(&[
            ("email", admin.email.as_str()),
            ("password", admin.password.as_str()),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 303);
    let stale = app
        .client()
        .get(app.url("/"))
        .header("cookie", &old)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        303,
        "the session this browser had before signing in again is ended"
    );
}

async fn unknown_email_and_wrong_password_get_the_same_answer(app: &TestApp) {
    let rep = app.user("Rasmus Rep", Role::Admin, None).await;
    let wrong = api_login(app, &rep.email, "not-the-password-at-all").await;
    let unknown = api_login(app, "nobody@example.com", "not-the-password-at-all").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let wrong: Value = wrong.json().await.unwrap();
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"]["code"], "unauthenticated");

    // The page says the same for both, and keeps the typed e-mail.
    let client = app.client();
    for email in [rep.email.as_str(), "nobody@example.com"] {
        let csrf = app.csrf(&client, "/login").await;
        let page = client
            .post(app.url("/login"))
            .form(&[
                ("email", email),
                ("password", "nope-nope-nope"),
                ("_csrf", csrf.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 401);
        let html = page.text().await.unwrap();
        assert!(html.contains("The e-mail or password is wrong."));
        assert!(html.contains(&format!("value=\"{email}\"")));
    }
}

async fn failed_sign_ins_are_throttled_per_account(app: &TestApp) {
    let user = app.user("Tina Throttle", Role::Admin, None).await;
    for _ in 0..5 {
        assert_eq!(
            api_login(app, &user.email, "wrong-password-here")
                .await
                .status(),
            401
        );
    }
    let limited = api_login(app, &user.email, &user.password).await;
    assert_eq!(
        limited.status(),
        429,
        "even the right password waits once the account is throttled"
    );
    assert!(limited.headers().contains_key("retry-after"));
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    // Unknown accounts are throttled alike, so throttling reveals nothing.
    for _ in 0..5 {
        api_login(app, "ghost@example.com", "wrong-password-here").await;
    }
    assert_eq!(
        api_login(app, "ghost@example.com", "wrong-password-here")
            .await
            .status(),
        429
    );
    // The window passes.
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(
        api_login(app, &user.email, &user.password).await.status(),
        200
    );
}

async fn bearer_token_works_until_sign_out(app: &TestApp) {
    let admin = app.user("Tom Token", Role::Admin, None).await;
    let response = api_login(app, &admin.email, &admin.password).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["must_change_password"], false);
    let token = body["token"].as_str().unwrap().to_owned();
    let me = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["email"], admin.email);
    assert_eq!(me["role"], "admin");
    // Only the hash is stored: the token itself appears nowhere in the database.
    let stored = app
        .store
        .authenticate(&token, openprm_store::sessions::SessionKind::Api)
        .await
        .unwrap();
    assert!(stored.is_some_and(|a| a.token_hash != token));
    let out = app
        .client()
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    let after = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 401);
}

async fn sign_out_ends_the_browser_session(app: &TestApp) {
    let admin = app.user("Olga Out", Role::Admin, None).await;
    let client = app.signed_in(&admin.email, &admin.password).await;
    let csrf = app.csrf(&client, "/").await;
    let out = client
        .post(app.url("/logout"))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(out.headers()["location"], "/login");
    let home = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()["location"], "/login");
}

async fn changing_password_needs_the_current_one_and_ends_other_sessions(app: &TestApp) {
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let rep = app
        .user("Pia Password", Role::PartnerUser, Some(partner.id))
        .await;
    let token = app.token(&rep).await;
    let client = app.signed_in(&rep.email, &rep.password).await;
    let csrf = app.csrf(&client, "/password").await;
    let wrong = client
        .post(app.url("/password"))
        .form(&[
            ("current_password", "wrong"),
            ("new_password", "short"),
            ("confirm_password", "short"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 422);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("The current password is wrong."));
    assert!(html.contains("The password must be at least 12 characters."));
    let ok = client
        .post(app.url("/password"))
        .form(&[
            ("current_password", rep.password.as_str()),
            ("new_password", "a-brand-new-sentence-2026"),
            ("confirm_password", "a-brand-new-sentence-2026"),
            ("_csrf", &csrf),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(
        client.get(app.url("/")).send().await.unwrap().status(),
        200,
        "this session stays"
    );
    let old_token = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(old_token.status(), 401, "other sessions end");
    assert_eq!(
        api_login(app, &rep.email, "a-brand-new-sentence-2026")
            .await
            .status(),
        200
    );
}

async fn danish_browsers_get_a_danish_sign_in_page_and_danish_users_danish_tabs(app: &TestApp) {
    let page = app
        .client()
        .get(app.url("/login"))
        .header("accept-language", "da-DK,da;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("lang=\"da\""));
    assert!(html.contains("Log ind"));
    let partner = app.partner("Skagen Data", Tier::Registered, None).await;
    let rep = app
        .user("Mette Dansk", Role::PartnerUser, Some(partner.id))
        .await;
    app.store
        .set_locale(rep.id(), openprm_domain::Locale::Danish)
        .await
        .unwrap();
    let client = app.signed_in(&rep.email, &rep.password).await;
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for word in [
        "Startside",
        "Kundeemner",
        "Salgsmuligheder",
        "Konti",
        "Kontakter",
        "Seneste elementer",
    ] {
        assert!(home.contains(word), "Danish Home lacks {word}");
    }
    assert!(
        !home.contains(">Partners<"),
        "partner staff do not get the vendor tabs"
    );
}

async fn home_shows_the_partner_its_channel_manager(app: &TestApp) {
    let cm = app.user("Mikkel Holm", Role::ChannelManager, None).await;
    let partner = app
        .partner("Kattegat Systems", Tier::Silver, Some(cm.id()))
        .await;
    let rep = app
        .user("Jonas Rep", Role::PartnerUser, Some(partner.id))
        .await;
    let client = app.signed_in(&rep.email, &rep.password).await;
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Your channel manager"));
    assert!(home.contains("Mikkel Holm"));
    assert!(home.contains(&cm.email));
    for tab in [
        "Home",
        "Leads",
        "Opportunities",
        "Accounts",
        "Contacts",
        "Resources",
    ] {
        assert!(home.contains(&format!(">{tab}</a>")), "missing tab {tab}");
    }
    // The channel manager's Home lists their partner, and they get the vendor tabs.
    let client = app.signed_in(&cm.email, &cm.password).await;
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Kattegat Systems"));
    assert!(home.contains(">Partners</a>") && home.contains(">Dashboard</a>"));
    assert!(!home.contains(">Admin</a>"));
}

/// The admin's settings, with `tabs` the ones partners see.
async fn show_partners_tabs(app: &TestApp, admin_token: &str, tabs: Value) {
    let settings = json!({"portal_name": "Nordlys Partner Portal", "primary_colour": "#16324f", "accent_colour": "#2bb673", "partner_tabs": tabs});
    let (status, body) = call(
        app,
        admin_token,
        Method::PUT,
        "/api/v1/settings",
        Some(&settings),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn admin_hides_a_tab_from_partners(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let rep = app
        .user("Rolf Rep", Role::PartnerUser, Some(partner.id))
        .await;
    let token = app.token(&admin).await;
    show_partners_tabs(app, &token, json!(["leads", "opportunities"])).await;
    let client = app.signed_in(&rep.email, &rep.password).await;
    let home = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("Nordlys Partner Portal"));
    assert!(home.contains("#16324f"));
    assert!(!home.contains(">Resources</a>"));
    assert_eq!(
        client
            .get(app.url("/resources"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client.get(app.url("/leads")).send().await.unwrap().status(),
        200
    );
}

/// Hiding a tab hides every page under it from partner staff: the list, the
/// records, the forms and the actions, not only the link in the tab bar.
async fn a_hidden_tab_hides_every_page_under_it(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let rep = app
        .user("Rolf Rep", Role::PartnerUser, Some(partner.id))
        .await;
    let admin_token = app.token(&admin).await;
    let rep_token = app.token(&rep).await;
    let (status, lead) = post(
        app,
        &admin_token,
        "/api/v1/leads",
        &json!({"name": "Mette Hansen", "company": "Nordlys A/S", "owner_id": rep.id()}),
    )
    .await;
    assert_eq!(status, 201, "{lead}");
    let (status, account) = post(
        app,
        &rep_token,
        "/api/v1/accounts",
        &json!({"name": "Nordlys A/S"}),
    )
    .await;
    assert_eq!(status, 201, "{account}");
    let (status, opportunity) = post(
        app,
        &rep_token,
        "/api/v1/opportunities",
        &json!({"name": "Nordlys renewal", "account_id": account["id"], "close_date": "2027-03-31", "amount": "12500.50", "currency": "EUR"}),
    )
    .await;
    assert_eq!(status, 201, "{opportunity}");
    let lead_page = format!("/leads/{}", lead["id"].as_str().unwrap());
    let opportunity_page = format!("/opportunities/{}", opportunity["id"].as_str().unwrap());
    let under_hidden_tabs = [
        "/leads".to_owned(),
        "/leads/new".to_owned(),
        lead_page.clone(),
        format!("{lead_page}/as-of?at=2026-01-01T00:00:00Z"),
        format!("{lead_page}/convert"),
        "/opportunities".to_owned(),
        "/opportunities/new".to_owned(),
        opportunity_page.clone(),
        "/deal-registrations".to_owned(),
        "/deal-registrations/new".to_owned(),
    ];
    let status_of = |client: reqwest::Client, path: String| async move {
        client
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };

    let rep_browser = app.signed_in(&rep.email, &rep.password).await;
    assert_eq!(status_of(rep_browser.clone(), lead_page.clone()).await, 200);
    assert_eq!(
        status_of(rep_browser.clone(), opportunity_page.clone()).await,
        200
    );

    show_partners_tabs(app, &admin_token, json!(["accounts", "contacts"])).await;
    for path in &under_hidden_tabs {
        assert_eq!(
            status_of(rep_browser.clone(), path.clone()).await,
            404,
            "GET {path} with its tab hidden"
        );
    }
    // An action under a hidden tab is refused and changes nothing.
    let csrf = app.csrf(&rep_browser, "/").await;
    let note = rep_browser
        .post(app.url(&format!("{lead_page}/notes")))
        .form(&[("text", "Called her."), ("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), 404);
    let timeline_path = format!("/api/v1{lead_page}/timeline");
    let (status, timeline) = get(app, &admin_token, &timeline_path).await;
    assert_eq!(status, 200);
    assert!(!timeline.to_string().contains("Called her."), "{timeline}");
    // The tabs left to partners still open, and vendor staff see everything.
    assert_eq!(
        status_of(rep_browser.clone(), "/accounts".into()).await,
        200
    );
    assert_eq!(status_of(rep_browser.clone(), "/".into()).await, 200);
    let admin_browser = app.signed_in(&admin.email, &admin.password).await;
    for path in [&lead_page, &opportunity_page] {
        assert_eq!(status_of(admin_browser.clone(), path.clone()).await, 200);
    }

    show_partners_tabs(app, &admin_token, json!(["leads", "opportunities"])).await;
    assert_eq!(status_of(rep_browser.clone(), lead_page.clone()).await, 200);
    assert_eq!(
        status_of(rep_browser.clone(), "/accounts".into()).await,
        404
    );
    assert_eq!(
        status_of(rep_browser.clone(), "/contacts/new".into()).await,
        404
    );
}

openprm_testkit::test_on_both_stores!(
    sign_in_lands_on_home_with_a_new_session_cookie,
    unknown_email_and_wrong_password_get_the_same_answer,
    failed_sign_ins_are_throttled_per_account,
    bearer_token_works_until_sign_out,
    sign_out_ends_the_browser_session,
    changing_password_needs_the_current_one_and_ends_other_sessions,
    danish_browsers_get_a_danish_sign_in_page_and_danish_users_danish_tabs,
    home_shows_the_partner_its_channel_manager,
    admin_hides_a_tab_from_partners,
    a_hidden_tab_hides_every_page_under_it,
);
