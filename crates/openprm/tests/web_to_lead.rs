//! The public web-to-lead form (spec flow 12) through HTTP on both stores: a
//! visitor's message becomes a web lead with its `created` entry, routed by
//! the assignment rules (unassigned without any), whose new holder is told;
//! a bot that fills the honeypot is thanked and nothing is stored;
//! one address may send only so often; bad input is shown inline; the form
//! needs its CSRF token; English and Danish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use openprm_domain::{Role, Tier};
use openprm_store::Store;
use openprm_testkit::{
    api::{call, get},
    app::{TestApp, csrf_in},
};
use reqwest::header;
use serde_json::json;

openprm_testkit::test_on_both_stores!(
    a_visitor_sends_the_form_and_a_web_lead_arrives_unassigned,
    a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored,
    one_address_may_send_only_a_few_messages_an_hour,
    bad_input_is_shown_inline_and_the_form_needs_its_token,
    a_web_lead_is_routed_by_the_rules_and_its_new_holder_told,
);

async fn lead_rows(store: &Store) -> Vec<(String, String, String, Option<String>, Option<String>)> {
    openprm_store::on_db!(store, pool => sqlx::query_as(
        "SELECT l.name, l.source, e.kind, e.new_value, l.description FROM leads l JOIN lead_events e ON e.lead_id = l.id \
         WHERE e.kind = 'created' ORDER BY l.name")
        .fetch_all(pool).await)
    .unwrap()
}

async fn unassigned_without_owner(store: &Store) -> i64 {
    let (n,): (i64,) = openprm_store::on_db!(store, pool => sqlx::query_as(
        "SELECT COUNT(*) FROM leads WHERE queue_id IS NULL AND partner_id IS NULL AND owner_id IS NULL AND created_by IS NULL")
        .fetch_one(pool).await)
    .unwrap();
    n
}

/// Opens the form (which sets the CSRF cookie) and returns its token.
async fn open_form(app: &TestApp, client: &reqwest::Client, language: &str) -> String {
    let response = client
        .get(app.url("/forms/lead"))
        .header(header::ACCEPT_LANGUAGE, language)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("name=\"website\""),
        "the honeypot is in the form"
    );
    csrf_in(&html).unwrap()
}

async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    language: &str,
    fields: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let response = client
        .post(app.url("/forms/lead"))
        .header(header::ACCEPT_LANGUAGE, language)
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry = response
        .headers()
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_owned());
    (status, response.text().await.unwrap(), retry)
}

fn visitor<'a>(csrf: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("_csrf", csrf),
        ("name", name),
        ("company", "Nordlys A/S"),
        ("email", "Mette@Nordlys.dk"),
        ("phone", "+45 33 12 34 56"),
        ("country", "dk"),
        ("message", "We need 40 licences.\r\nCall me."),
        ("website", ""),
    ]
}

async fn a_visitor_sends_the_form_and_a_web_lead_arrives_unassigned(app: &TestApp) {
    let client = app.client();
    let csrf = open_form(app, &client, "en").await;
    let (status, html, _) = send(app, &client, "en", &visitor(&csrf, "Mette Hansen")).await;
    assert_eq!(status, 200, "{html}");
    assert!(
        html.contains("Thank you") && html.contains("id=\"weblead-thanks\""),
        "{html}"
    );
    assert_eq!(
        lead_rows(&app.store).await,
        vec![(
            "Mette Hansen".to_owned(),
            "web".to_owned(),
            "created".to_owned(),
            Some("web".to_owned()),
            Some("We need 40 licences.\nCall me.".to_owned())
        )]
    );
    assert_eq!(unassigned_without_owner(&app.store).await, 1);

    // In Danish, for a Danish browser.
    let client = app.client();
    let csrf = open_form(app, &client, "da-DK,da;q=0.9,en;q=0.5").await;
    let html = client
        .get(app.url("/forms/lead"))
        .header(header::ACCEPT_LANGUAGE, "da")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Kontakt os") && html.contains("lang=\"da\""),
        "{html}"
    );
    let (status, html, _) = send(app, &client, "da", &visitor(&csrf, "Søren Ærø")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Vi har modtaget din besked"), "{html}");
}

async fn a_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored(app: &TestApp) {
    let client = app.client();
    let csrf = open_form(app, &client, "en").await;
    let mut fields = visitor(&csrf, "Spam Bot");
    fields.retain(|(k, _)| *k != "website");
    fields.push(("website", "http://cheap-pills.example"));
    let (status, bot_html, _) = send(app, &client, "en", &fields).await;
    assert_eq!(status, 200);
    assert!(bot_html.contains("id=\"weblead-thanks\""));
    assert!(lead_rows(&app.store).await.is_empty());

    // A person gets exactly the same page.
    let (_, person_html, _) = send(app, &client, "en", &visitor(&csrf, "Mette Hansen")).await;
    assert_eq!(bot_html, person_html, "the bot cannot tell it was caught");
    assert_eq!(lead_rows(&app.store).await.len(), 1);
}

async fn one_address_may_send_only_a_few_messages_an_hour(app: &TestApp) {
    let client = app.client();
    let csrf = open_form(app, &client, "en").await;
    for i in 0..5 {
        let name = format!("Visitor {i}");
        let (status, html, _) = send(app, &client, "en", &visitor(&csrf, &name)).await;
        assert_eq!(status, 200, "message {i}: {html}");
    }
    let (status, html, retry) = send(app, &client, "en", &visitor(&csrf, "One Too Many")).await;
    assert_eq!(status, 429);
    assert!(
        html.contains("Too many messages from your address"),
        "{html}"
    );
    assert!(
        html.contains("value=\"One Too Many\""),
        "the visitor's input is kept"
    );
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    assert_eq!(lead_rows(&app.store).await.len(), 5);

    // An hour later the address may send again.
    app.clock.advance(time::Duration::minutes(61));
    let (status, _, _) = send(app, &client, "en", &visitor(&csrf, "Next Hour")).await;
    assert_eq!(status, 200);
    assert_eq!(lead_rows(&app.store).await.len(), 6);
}

async fn bad_input_is_shown_inline_and_the_form_needs_its_token(app: &TestApp) {
    let client = app.client();
    let csrf = open_form(app, &client, "en").await;
    let fields = [
        ("_csrf", csrf.as_str()),
        ("name", "Mette Hansen"),
        ("company", ""),
        ("email", "not-an-address"),
        ("country", "Denmark"),
        ("message", "Hello"),
    ];
    let (status, html, _) = send(app, &client, "en", &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("Not a valid e-mail address."), "{html}");
    assert!(html.contains("Use a two-letter country code such as DK."));
    assert!(html.contains("id=\"weblead-company-error\""));
    assert!(html.contains("value=\"Mette Hansen\""), "input kept");
    let (status, html, _) = send(app, &client, "da", &fields).await;
    assert_eq!(status, 422);
    assert!(html.contains("Ikke en gyldig e-mailadresse."), "{html}");

    // Without the token, or with another one: refused, nothing stored.
    let (status, _, _) = send(app, &client, "en", &visitor("", "No Token")[1..]).await;
    assert_eq!(status, 403);
    let other = app.client();
    let (status, _, _) = send(app, &other, "en", &visitor(&csrf, "Other Browser")).await;
    assert_eq!(status, 403);
    assert!(lead_rows(&app.store).await.is_empty());
}

async fn a_web_lead_is_routed_by_the_rules_and_its_new_holder_told(app: &TestApp) {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let admin_token = app.token(&admin).await;
    let nordic = app.partner("Nordic Resellers", Tier::Gold, None).await;
    let manager = app
        .user("Mona Nordic", Role::PartnerManager, Some(nordic.id))
        .await;
    let manager_token = app.token(&manager).await;
    let (_, current) = get(app, &admin_token, "/api/v1/assignment-rules").await;
    let rules = json!({"version": current["version"], "default_queue_id": null, "rules": [
        {"name": "Danish web leads", "conditions": [{"kind": "country", "countries": ["DK"]}],
         "target": {"kind": "partner", "partner_id": nordic.id.to_string()}}]});
    let (status, saved) = call(
        app,
        &admin_token,
        reqwest::Method::PUT,
        "/api/v1/assignment-rules",
        Some(&rules),
        None,
    )
    .await;
    assert_eq!(status, 200, "{saved}");

    let client = app.client();
    let csrf = open_form(app, &client, "en").await;
    let (status, html, _) = send(app, &client, "en", &visitor(&csrf, "Mette Hansen")).await;
    assert_eq!(status, 200, "{html}");
    // In the partner's inbox, routed by the rule, and the manager is told.
    let (_, inbox) = get(app, &manager_token, "/api/v1/leads?view=inbox").await;
    let leads = inbox["leads"].as_array().unwrap();
    assert_eq!(leads.len(), 1, "{inbox}");
    let id = leads[0]["id"].as_str().unwrap();
    let (_, timeline) = get(app, &admin_token, &format!("/api/v1/leads/{id}/timeline")).await;
    let kinds: Vec<(&str, &str)> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap(),
                e["new_value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(kinds, [("created", "web"), ("routed", "Danish web leads")]);
    let mail = app
        .smtp
        .wait_for(&manager.email, std::time::Duration::from_secs(10))
        .await
        .expect("the partner manager is e-mailed");
    assert_eq!(
        mail.subject(),
        "New lead for you: Mette Hansen · Nordlys A/S"
    );
    assert!(
        mail.text_body()
            .contains("The lead Mette Hansen · Nordlys A/S was routed to you."),
        "{}",
        mail.text_body()
    );
}
