#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Invitations (spec flow 1), end to end through HTTP and real SMTP.

use std::time::Duration;

use openprm_domain::{Role, Tier};
use openprm_testkit::{app::TestApp, smtp::CaughtMail};
use serde_json::{Value, json};

async fn invite(
    app: &TestApp,
    token: &str,
    partner: impl std::fmt::Display,
    email: &str,
    locale: &str,
) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/api/v1/partners/{partner}/invitations")))
        .bearer_auth(token)
        .json(&json!({"email": email, "name": "Mette Kristensen", "role": "partner_user", "locale": locale}))
        .send()
        .await
        .unwrap()
}

async fn mail_to(app: &TestApp, email: &str) -> CaughtMail {
    app.smtp
        .wait_for(email, Duration::from_secs(15))
        .await
        .unwrap_or_else(|| panic!("no e-mail to {email}"))
}

fn invitation_path(mail: &CaughtMail) -> String {
    let link = mail
        .links()
        .into_iter()
        .find(|l| l.contains("/invitations/"))
        .expect("a link in the e-mail");
    link[link.find("/invitations/").unwrap()..].to_owned()
}

async fn invited_user_follows_link_chooses_password_and_lands_on_home(app: &TestApp) {
    let cm = app.user("Sofie Lind", Role::ChannelManager, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, Some(cm.id())).await;
    let token = app.token(&cm).await;
    let created = invite(app, &token, partner.id, "mette@fjordline.example", "en").await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["pending_invitation"], true);

    let mail = mail_to(app, "mette@fjordline.example").await;
    assert!(mail.subject().contains("invitation"), "{}", mail.subject());
    let text = mail.text_body();
    assert!(text.contains("Sofie Lind") && text.contains("Fjordline IT"));
    assert!(
        text.contains("mette@fjordline.example"),
        "the e-mail gives the user name"
    );
    assert!(
        text.contains(&app.base_url),
        "the e-mail gives the portal address"
    );
    assert!(
        mail.html_body().contains("/invitations/"),
        "both parts carry the link"
    );
    assert!(
        mail.header("Message-ID")
            .is_some_and(|id| id.contains("@openprm.test"))
    );

    let path = invitation_path(&mail);
    let browser = app.client();
    let page = browser.get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Welcome, Mette Kristensen"));
    let csrf = openprm_testkit::app::csrf_in(&html).unwrap();
    let accepted = browser
        .post(app.url(&path))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 303);
    assert_eq!(accepted.headers()["location"], "/password");

    // Until a password is chosen, every page leads to the password page.
    for page in ["/", "/leads", "/partners", "/admin"] {
        let r = browser.get(app.url(page)).send().await.unwrap();
        assert_eq!(r.status(), 303, "{page}");
        assert_eq!(r.headers()["location"], "/password", "{page}");
    }
    let form = browser
        .get(app.url("/password"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !form.contains("current_password"),
        "an invited user has no current password to give"
    );
    let csrf = openprm_testkit::app::csrf_in(&form).unwrap();
    let weak = browser
        .post(app.url("/password"))
        .form(&[
            ("new_password", "password1234"),
            ("confirm_password", "password1234"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    assert!(
        weak.text()
            .await
            .unwrap()
            .contains("This password is too well known.")
    );
    let good = browser
        .post(app.url("/password"))
        .form(&[
            ("new_password", "northern-lights-over-skagen"),
            ("confirm_password", "northern-lights-over-skagen"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(good.status(), 303);
    assert_eq!(good.headers()["location"], "/");
    let home = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let home = home.text().await.unwrap();
    assert!(home.contains("Welcome, Mette Kristensen"));
    assert!(
        home.contains("Sofie Lind"),
        "Home shows the channel manager's card"
    );

    // The link was single use.
    let again = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(again.status(), 410);
    assert!(again.text().await.unwrap().contains("already been used"));
    // And the new password works for signing in.
    let login = app
        .client()
        .post(app.url("/api/v1/auth/login"))
        .json(
            &json!({"email": "mette@fjordline.example", "password": "northern-lights-over-skagen"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
}

async fn api_answers_password_change_required_until_a_password_is_chosen(app: &TestApp) {
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let partner = app.partner("Skagen Data", Tier::Registered, None).await;
    let token = app.token(&admin).await;
    invite(app, &token, partner.id, "ole@skagen.example", "en").await;
    let mail = mail_to(app, "ole@skagen.example").await;
    let path = invitation_path(&mail);
    let browser = app.client();
    let html = browser
        .get(app.url(&path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = openprm_testkit::app::csrf_in(&html).unwrap();
    browser
        .post(app.url(&path))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let me = browser.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 403);
    let body: Value = me.json().await.unwrap();
    assert_eq!(body["error"]["code"], "password_change_required");
    let changed = browser
        .post(app.url("/api/v1/auth/password"))
        .json(&json!({"new_password": "a-long-and-quiet-harbour"}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 204);
    assert_eq!(
        browser
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

async fn api_accepts_an_invitation_in_one_step(app: &TestApp) {
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let partner = app.partner("Kattegat Systems", Tier::Silver, None).await;
    let token = app.token(&admin).await;
    invite(app, &token, partner.id, "freja@kattegat.example", "da").await;
    let mail = mail_to(app, "freja@kattegat.example").await;
    assert!(
        mail.subject().starts_with("Din invitation til"),
        "Danish invitee, Danish e-mail: {}",
        mail.subject()
    );
    assert!(mail.text_body().contains("Dit brugernavn"));
    let invitation = invitation_path(&mail)
        .trim_start_matches("/invitations/")
        .to_owned();
    let url = app.url(&format!("/api/v1/auth/invitations/{invitation}/accept"));
    let weak = app
        .client()
        .post(&url)
        .json(&json!({"new_password": "freja@kattegat.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 422);
    let body: Value = weak.json().await.unwrap();
    assert_eq!(
        body["error"]["fields"]["new_password"],
        "The password must not be your e-mail address."
    );
    let ok = app
        .client()
        .post(&url)
        .json(&json!({"new_password": "blue-ferries-cross-kattegat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["must_change_password"], false);
    let me: Value = app
        .client()
        .get(app.url("/api/v1/me"))
        .bearer_auth(body["token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "freja@kattegat.example");
    assert_eq!(me["locale"], "da");
    let twice = app
        .client()
        .post(&url)
        .json(&json!({"new_password": "blue-ferries-cross-kattegat"}))
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 422);
}

async fn expired_links_do_not_work(app: &TestApp) {
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let token = app.token(&admin).await;
    invite(app, &token, partner.id, "late@fjordline.example", "en").await;
    let path = invitation_path(&mail_to(app, "late@fjordline.example").await);
    app.clock
        .advance(time::Duration::days(7) + time::Duration::minutes(1));
    let page = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("expired"));
}

async fn resend_replaces_the_link_and_revoke_withdraws_it(app: &TestApp) {
    let manager_partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let manager = app
        .user(
            "Peter Manager",
            Role::PartnerManager,
            Some(manager_partner.id),
        )
        .await;
    let token = app.token(&manager).await;
    let created: Value = invite(
        app,
        &token,
        manager_partner.id,
        "nina@fjordline.example",
        "en",
    )
    .await
    .json()
    .await
    .unwrap();
    let user_id = created["id"].as_str().unwrap().to_owned();
    let first = invitation_path(&mail_to(app, "nina@fjordline.example").await);

    let resent = app
        .client()
        .post(app.url(&format!("/api/v1/users/{user_id}/invitation/resend")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resent.status(), 204);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let second = loop {
        let paths: Vec<String> = app
            .smtp
            .messages()
            .iter()
            .filter(|m| m.to.iter().any(|t| t.contains("nina@")))
            .map(invitation_path)
            .collect();
        if let Some(p) = paths.into_iter().find(|p| *p != first) {
            break p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no second invitation e-mail"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        app.client()
            .get(app.url(&first))
            .send()
            .await
            .unwrap()
            .status(),
        410,
        "the old link is dead"
    );
    assert_eq!(
        app.client()
            .get(app.url(&second))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let revoked = app
        .client()
        .post(app.url(&format!("/api/v1/users/{user_id}/invitation/revoke")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    let page = app.client().get(app.url(&second)).send().await.unwrap();
    assert_eq!(page.status(), 410);
    assert!(page.text().await.unwrap().contains("withdrawn"));
}

async fn invitation_and_its_email_are_written_together(app: &TestApp) {
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let token = app.token(&admin).await;
    assert_eq!(
        invite(app, &token, partner.id, "dup@fjordline.example", "en")
            .await
            .status(),
        201
    );
    // The same address again is refused, and no second e-mail is queued.
    let again = invite(app, &token, partner.id, "DUP@fjordline.example", "en").await;
    assert_eq!(again.status(), 422);
    let body: Value = again.json().await.unwrap();
    assert!(body["error"]["fields"]["email"].is_string());
    mail_to(app, "dup@fjordline.example").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let count = app
        .smtp
        .messages()
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains("dup@")))
        .count();
    assert_eq!(count, 1);
    assert_eq!(app.store.outbox_depth().await.unwrap(), 0);
}

async fn inviting_from_the_partner_page(app: &TestApp) {
    let admin = app.user("Astrid Admin", Role::Admin, None).await;
    let partner = app.partner("Skagen Data", Tier::Registered, None).await;
    let client = app.signed_in(&admin.email, &admin.password).await;
    let path = format!("/partners/{}", partner.id);
    let csrf = app.csrf(&client, &path).await;
    let bad = client
        .post(app.url(&format!("{path}/invitations")))
        .form(&[
            ("name", "Karl"),
            ("email", "not-an-email"),
            ("role", "partner_user"),
            ("locale", "en"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    assert!(html.contains("Not a valid e-mail address."));
    assert!(html.contains("value=\"not-an-email\""), "the input is kept");
    let ok = client
        .post(app.url(&format!("{path}/invitations")))
        .form(&[
            ("name", "Karl Skov"),
            ("email", "karl@skagen.example"),
            ("role", "partner_manager"),
            ("locale", "en"),
            ("_csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        ok.status(),
        303,
        "a sent invitation redirects, so a reload cannot send it twice"
    );
    let location = ok.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{path}?invited=")),
        "{location}"
    );
    let html = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("An invitation was sent to karl@skagen.example."));
    assert!(html.contains("Karl Skov") && html.contains("Invited"));
    mail_to(app, "karl@skagen.example").await;
}

openprm_testkit::test_on_both_stores!(
    invited_user_follows_link_chooses_password_and_lands_on_home,
    api_answers_password_change_required_until_a_password_is_chosen,
    api_accepts_an_invitation_in_one_step,
    expired_links_do_not_work,
    resend_replaces_the_link_and_revoke_withdraws_it,
    invitation_and_its_email_are_written_together,
    inviting_from_the_partner_page,
);
