//! E-mail notifications and their opt-outs, on both stores, through HTTP: a
//! lead placed with someone e-mails them in their language; opting out of a
//! kind stops exactly that kind (stale-claim warnings included); the
//! settings over the API and on the page (with CSRF); bad input is a clear 4xx.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use openprm_domain::{Locale, Role, Tier};
use openprm_jobs::StaleClaimJob;
use openprm_testkit::{
    api::{call, get, post},
    app::{TestApp, TestUser},
};
use openprm_web::services::stale_claims::warning_mail;
use reqwest::Method;
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    a_lead_placed_with_someone_emails_them_in_their_language,
    opting_out_stops_exactly_that_kind_of_email,
    the_settings_page_saves_every_box_with_csrf,
    bad_settings_are_clear_errors,
    a_stale_claim_warning_respects_the_opt_out,
);

const MAIL_WAIT: Duration = Duration::from_secs(10);
/// How long to wait for an e-mail that must not come.
const QUIET: Duration = Duration::from_millis(1500);

async fn user(
    app: &TestApp,
    name: &str,
    role: Role,
    partner: Option<openprm_domain::PartnerId>,
) -> (TestUser, String) {
    let user = app.user(name, role, partner).await;
    let token = app.token(&user).await;
    (user, token)
}

/// Waits until `to` has `n` e-mails (and a moment more, to see no extra comes).
async fn expect_mails(app: &TestApp, to: &str, n: usize) -> Vec<openprm_testkit::smtp::CaughtMail> {
    app.smtp.expect_exactly(to, n, MAIL_WAIT, QUIET).await
}

async fn lead(app: &TestApp, token: &str, name: &str, placement: Value) -> String {
    let mut body = json!({"name": name, "company": "Nordlys ApS"});
    body.as_object_mut()
        .unwrap()
        .extend(placement.as_object().unwrap().clone());
    let (status, lead) = post(app, token, "/api/v1/leads", &body).await;
    assert_eq!(status, 201, "{lead}");
    lead["id"].as_str().unwrap().to_owned()
}

async fn a_lead_placed_with_someone_emails_them_in_their_language(app: &TestApp) {
    let (_, admin) = user(app, "Ada Admin", Role::Admin, None).await;
    let (cm, _) = user(app, "Carl Channel", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm.id()))
        .await;
    let (rep, rep_token) = user(app, "Uffe Acme", Role::PartnerUser, Some(acme.id)).await;
    let (manager, _) = user(app, "Mona Acme", Role::PartnerManager, Some(acme.id)).await;
    app.store
        .set_locale(manager.id(), Locale::Danish)
        .await
        .unwrap();

    let id = lead(
        app,
        &admin,
        "Jane Doe",
        json!({"owner_id": rep.id().to_string()}),
    )
    .await;
    let mail = app
        .smtp
        .wait_for(&rep.email, MAIL_WAIT)
        .await
        .expect("the owner is e-mailed");
    assert_eq!(mail.subject(), "New lead for you: Jane Doe · Nordlys ApS");
    assert!(
        mail.text_body()
            .contains("Ada Admin assigned the lead Jane Doe · Nordlys ApS to you."),
        "{}",
        mail.text_body()
    );
    assert!(mail.links().contains(&app.url(&format!("/leads/{id}"))));
    let first_id = mail.header("Message-ID").expect("a stable Message-ID");
    assert!(!first_id.is_empty());

    // The company inbox: its partner managers, in their language.
    lead(
        app,
        &admin,
        "Per Hansen",
        json!({"partner_id": acme.id.to_string()}),
    )
    .await;
    let mail = app
        .smtp
        .wait_for(&manager.email, MAIL_WAIT)
        .await
        .expect("the partner manager is e-mailed");
    assert_eq!(mail.subject(), "Nyt lead til dig: Per Hansen · Nordlys ApS");
    assert!(mail.html_body().contains("lang=\"da\""));

    // A lead one makes for oneself, or puts in a queue, e-mails nobody.
    lead(app, &rep_token, "Own Lead", json!({})).await;
    expect_mails(app, &rep.email, 1).await;
    expect_mails(app, &manager.email, 1).await;
}

async fn opting_out_stops_exactly_that_kind_of_email(app: &TestApp) {
    let (_, admin) = user(app, "Ada Admin", Role::Admin, None).await;
    let (cm, cm_token) = user(app, "Carl Channel", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm.id()))
        .await;
    let (rep, rep_token) = user(app, "Uffe Acme", Role::PartnerUser, Some(acme.id)).await;

    let (status, settings) = get(app, &rep_token, "/api/v1/me/notifications").await;
    assert_eq!(status, 200);
    assert_eq!(
        settings["notifications"],
        json!([
            {"kind": "lead_assigned", "enabled": true},
            {"kind": "help_requested", "enabled": true},
            {"kind": "help_answered", "enabled": true},
            {"kind": "stale_warning", "enabled": true},
        ])
    );
    let (status, settings) = call(
        app,
        &rep_token,
        Method::PUT,
        "/api/v1/me/notifications",
        Some(&json!({"notifications": [{"kind": "lead_assigned", "enabled": false}]})),
        None,
    )
    .await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(
        settings["notifications"][0],
        json!({"kind": "lead_assigned", "enabled": false})
    );
    assert_eq!(
        settings["notifications"][2],
        json!({"kind": "help_answered", "enabled": true})
    );
    // The channel manager turns off help requests.
    let (status, _) = call(
        app,
        &cm_token,
        Method::PUT,
        "/api/v1/me/notifications",
        Some(&json!({"notifications": [{"kind": "help_requested", "enabled": false}]})),
        None,
    )
    .await;
    assert_eq!(status, 200);

    // Assigned: no e-mail. Asking for help: none to the channel manager.
    let id = lead(
        app,
        &admin,
        "Jane Doe",
        json!({"owner_id": rep.id().to_string()}),
    )
    .await;
    let (status, _) = post(
        app,
        &rep_token,
        &format!("/api/v1/leads/{id}/help"),
        &json!({"message": "Help?"}),
    )
    .await;
    assert_eq!(status, 201);
    // Answered: that one still comes.
    let (status, _) = post(
        app,
        &cm_token,
        &format!("/api/v1/leads/{id}/help/answers"),
        &json!({"text": "Here."}),
    )
    .await;
    assert_eq!(status, 201);
    let mails = expect_mails(app, &rep.email, 1).await;
    assert_eq!(
        mails[0].subject(),
        "Your channel manager answered on Jane Doe · Nordlys ApS"
    );
    expect_mails(app, &cm.email, 0).await;

    // Back on: it comes again.
    let (status, _) = call(
        app,
        &rep_token,
        Method::PUT,
        "/api/v1/me/notifications",
        Some(&json!({"notifications": [{"kind": "lead_assigned", "enabled": true}]})),
        None,
    )
    .await;
    assert_eq!(status, 200);
    lead(
        app,
        &admin,
        "Per Hansen",
        json!({"owner_id": rep.id().to_string()}),
    )
    .await;
    let mails = expect_mails(app, &rep.email, 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject() == "New lead for you: Per Hansen · Nordlys ApS")
    );
}

async fn the_settings_page_saves_every_box_with_csrf(app: &TestApp) {
    let (rep, rep_token) = {
        let (cm, _) = user(app, "Carl Channel", Role::ChannelManager, None).await;
        let acme = app
            .partner("Acme Resellers", Tier::Gold, Some(cm.id()))
            .await;
        user(app, "Uffe Acme", Role::PartnerUser, Some(acme.id)).await
    };
    let client = app.signed_in(&rep.email, &rep.password).await;
    let html = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("href=\"/settings/notifications\""),
        "the user menu leads there"
    );
    let response = client
        .get(app.url("/settings/notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(html.contains("id=\"notify-stale_warning\""));
    let csrf = openprm_testkit::app::csrf_in(&html).unwrap();
    // Only two boxes checked: the other two are off.
    let response = client
        .post(app.url("/settings/notifications"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("lead_assigned", "on"),
            ("help_answered", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, settings) = get(app, &rep_token, "/api/v1/me/notifications").await;
    let enabled: Vec<bool> = settings["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["enabled"].as_bool().unwrap())
        .collect();
    assert_eq!(enabled, vec![true, false, true, false]);
    let html = client
        .get(app.url("/settings/notifications?saved=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"notice\""));
    // Danish.
    app.store
        .set_locale(rep.id(), Locale::Danish)
        .await
        .unwrap();
    let html = client
        .get(app.url("/settings/notifications"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Notifikationer") && html.contains("Et lead tildeles mig"));
    // Without the token nothing changes.
    let response = client
        .post(app.url("/settings/notifications"))
        .form(&[("lead_assigned", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let (_, again) = get(app, &rep_token, "/api/v1/me/notifications").await;
    assert_eq!(again, settings);
}

async fn bad_settings_are_clear_errors(app: &TestApp) {
    let (_, token) = user(app, "Ada Admin", Role::Admin, None).await;
    for (body, status) in [
        (
            json!({"notifications": [{"kind": "spam", "enabled": false}]}),
            422,
        ),
        (json!({"notifications": [{"kind": "lead_assigned"}]}), 422),
        (json!({"notifications": "off"}), 422),
        (
            json!({"notifications": [{"kind": "lead_assigned", "enabled": false}, {"kind": "lead_assigned", "enabled": true}]}),
            422,
        ),
    ] {
        let (got, answer) = call(
            app,
            &token,
            Method::PUT,
            "/api/v1/me/notifications",
            Some(&body),
            None,
        )
        .await;
        assert_eq!(got, status, "{body}: {answer}");
    }
    let response = app
        .client()
        .get(app.url("/api/v1/me/notifications"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

async fn a_stale_claim_warning_respects_the_opt_out(app: &TestApp) {
    let (_, admin) = user(app, "Ada Admin", Role::Admin, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let (quiet, quiet_token) =
        user(app, "Freja Mortensen", Role::PartnerUser, Some(partner.id)).await;
    let (loud, loud_token) = user(app, "Oskar Lund", Role::PartnerUser, Some(partner.id)).await;
    let (status, queue) = post(
        app,
        &admin,
        "/api/v1/queues",
        &json!({"name": "Expo", "stale_claim_days": 3, "members": [partner.id]}),
    )
    .await;
    assert_eq!(status, 201, "{queue}");
    let (status, _) = call(
        app,
        &quiet_token,
        Method::PUT,
        "/api/v1/me/notifications",
        Some(&json!({"notifications": [{"kind": "stale_warning", "enabled": false}]})),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let mut leads = Vec::new();
    for (name, token) in [("Karin Holm", &quiet_token), ("Per Hansen", &loud_token)] {
        let id = lead(app, &admin, name, json!({"queue_id": queue["id"]})).await;
        let (status, claimed) =
            post(app, token, &format!("/api/v1/leads/{id}/claim"), &json!({})).await;
        assert_eq!(status, 200, "{claimed}");
        leads.push(id);
    }
    app.clock
        .advance(time::Duration::days(2) + time::Duration::minutes(1));
    let report = StaleClaimJob::new(app.store.clone(), warning_mail(&app.base_url))
        .run_once()
        .await
        .unwrap();
    assert_eq!(report.warned, 2, "both are warned on their timelines");
    let (_, timeline) = get(
        app,
        &quiet_token,
        &format!("/api/v1/leads/{}/timeline", leads[0]),
    )
    .await;
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "stale_warning")
    );
    let mails = expect_mails(app, &loud.email, 1).await;
    assert!(
        mails[0].subject().contains("Per Hansen"),
        "{}",
        mails[0].subject()
    );
    expect_mails(app, &quiet.email, 0).await;
}
