//! Stale claims (spec flow 5), through the API on both stores: a claimed lead
//! nobody works goes back to its queue after the queue's number of days, and
//! its owner is warned by e-mail a day before. The clock is moved by hand and
//! the sweep is run directly, as the background job runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration as StdDuration;

use openprm_domain::{Clock, Locale, PartnerId, Role, Tier};
use openprm_jobs::StaleClaimJob;
use openprm_store::leads::stale::SweepReport;
use openprm_testkit::app::{TestApp, TestUser};
use openprm_web::services::stale_claims::warning_mail;
use reqwest::StatusCode;
use serde_json::{Value, json};
use time::{Duration, format_description::well_known::Rfc3339};

openprm_testkit::test_on_both_stores!(
    owner_is_warned_a_day_before_and_the_lead_goes_back_after_n_days,
    a_note_or_an_edit_resets_the_countdown,
    queues_without_stale_claim_days_never_return_leads,
    the_owner_is_warned_in_their_own_language,
    sweeps_running_at_once_act_on_each_lead_once,
);

const MAIL_WAIT: StdDuration = StdDuration::from_secs(20);

/// A queue with its member partner, two of its reps and the admin.
struct World {
    admin: String,
    partner: PartnerId,
    owner: TestUser,
    owner_token: String,
    colleague_token: String,
    queue: String,
}

async fn world(app: &TestApp, queue: &str, stale_claim_days: Option<i32>) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, None).await;
    let owner = app
        .user("Freja Mortensen", Role::PartnerUser, Some(partner.id))
        .await;
    let colleague = app
        .user("Oskar Lund", Role::PartnerUser, Some(partner.id))
        .await;
    let admin = app.token(&admin).await;
    let (status, body) = call(
        app,
        &admin,
        "POST",
        "/api/v1/queues",
        Some(json!({"name": queue, "stale_claim_days": stale_claim_days, "members": [partner.id]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    World {
        owner_token: app.token(&owner).await,
        colleague_token: app.token(&colleague).await,
        queue: body["id"].as_str().unwrap().to_owned(),
        admin,
        partner: partner.id,
        owner,
    }
}

async fn call(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client()
        .request(method.parse().unwrap(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A new lead in the world's queue, claimed by its owner; answers its id.
async fn claimed_lead(app: &TestApp, w: &World, name: &str) -> String {
    let (status, lead) = call(
        app,
        &w.admin,
        "POST",
        "/api/v1/leads",
        Some(json!({"name": name, "company": "Aalborg Havn A/S", "queue_id": w.queue})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    let id = lead["id"].as_str().unwrap().to_owned();
    let (status, claimed) = call(
        app,
        &w.owner_token,
        "POST",
        &format!("/api/v1/leads/{id}/claim"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    id
}

/// One sweep, as the background job runs it.
async fn sweep(app: &TestApp) -> SweepReport {
    StaleClaimJob::new(app.store.clone(), warning_mail(&app.base_url))
        .run_once()
        .await
        .unwrap()
}

fn warned(n: usize) -> SweepReport {
    SweepReport {
        warned: n,
        returned: 0,
    }
}

fn returned(n: usize) -> SweepReport {
    SweepReport {
        warned: 0,
        returned: n,
    }
}

async fn timeline_kinds(app: &TestApp, token: &str, lead: &str) -> Vec<String> {
    let (status, events) = call(
        app,
        token,
        "GET",
        &format!("/api/v1/leads/{lead}/timeline"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn count(kinds: &[String], kind: &str) -> usize {
    kinds.iter().filter(|k| *k == kind).count()
}

async fn view_ids(app: &TestApp, token: &str, view: &str) -> Vec<String> {
    let (status, page) = call(
        app,
        token,
        "GET",
        &format!("/api/v1/leads?view={view}&limit=200"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Waits until `n` messages have reached `to`, and answers them.
async fn mails_to(app: &TestApp, to: &str, n: usize) -> Vec<openprm_testkit::smtp::CaughtMail> {
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    loop {
        let mails: Vec<_> = app
            .smtp
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t == to))
            .collect();
        if mails.len() >= n || tokio::time::Instant::now() > deadline {
            assert_eq!(mails.len(), n, "messages to {to}");
            return mails;
        }
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
}

async fn owner_of(app: &TestApp, token: &str, lead: &str) -> Value {
    let (status, body) = call(app, token, "GET", &format!("/api/v1/leads/{lead}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn owner_is_warned_a_day_before_and_the_lead_goes_back_after_n_days(app: &TestApp) {
    let w = world(app, "Nordic IT Expo 2026", Some(3)).await;
    let lead = claimed_lead(app, &w, "Karin Holm").await;
    let version = owner_of(app, &w.owner_token, &lead).await["version"]
        .as_i64()
        .unwrap();

    // A day in, nothing happens.
    app.clock.advance(Duration::days(1));
    assert_eq!(sweep(app).await, SweepReport::default());

    // Two days and a minute in, a day before the third: the warning.
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(sweep(app).await, warned(1));
    let mail = app
        .smtp
        .wait_for(&w.owner.email, MAIL_WAIT)
        .await
        .expect("the owner is warned by e-mail");
    let returns_at = app.clock.now() + Duration::days(1);
    let shown = (returns_at + Duration::minutes(1))
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap();
    assert_eq!(
        mail.subject(),
        format!("Your lead Karin Holm returns to Nordic IT Expo 2026 on {shown}")
    );
    let text = mail.text_body();
    assert!(text.contains("Hello Freja Mortensen"), "{text}");
    assert!(text.contains("Aalborg Havn A/S"), "{text}");
    assert!(text.contains("3 days without activity"), "{text}");
    assert!(
        mail.links().contains(&app.url(&format!("/leads/{lead}"))),
        "{text}"
    );
    let kinds = timeline_kinds(app, &w.owner_token, &lead).await;
    assert_eq!(count(&kinds, "stale_warning"), 1, "{kinds:?}");
    assert!(view_ids(app, &w.owner_token, "mine").await.contains(&lead));

    // Sweeping again neither warns twice nor returns early.
    assert_eq!(sweep(app).await, SweepReport::default());
    app.clock.advance(Duration::hours(23));
    assert_eq!(sweep(app).await, SweepReport::default());
    assert!(view_ids(app, &w.owner_token, "mine").await.contains(&lead));

    // Three days without activity, a day after the warning: back in the queue.
    app.clock.advance(Duration::hours(1));
    assert_eq!(sweep(app).await, returned(1));
    assert!(!view_ids(app, &w.owner_token, "mine").await.contains(&lead));
    let queue_view = format!("queue:{}", w.queue);
    assert!(
        view_ids(app, &w.owner_token, &queue_view)
            .await
            .contains(&lead)
    );
    let back = owner_of(app, &w.admin, &lead).await;
    assert_eq!(back["state"], "in_queue", "{back}");
    assert_eq!(back["owner_id"], Value::Null);
    assert_eq!(back["partner_id"], Value::Null);
    assert_eq!(back["claimed_at"], Value::Null);
    assert_eq!(back["version"].as_i64(), Some(version + 1));
    let kinds = timeline_kinds(app, &w.admin, &lead).await;
    assert_eq!(kinds.last().map(String::as_str), Some("stale_return"));
    assert_eq!(count(&kinds, "stale_return"), 1, "{kinds:?}");
    let (_, events) = call(
        app,
        &w.admin,
        "GET",
        &format!("/api/v1/leads/{lead}/timeline"),
        None,
    )
    .await;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["actor_id"], Value::Null, "the system did it: {last}");
    assert_eq!(last["partner_id"], json!(w.partner), "who lost it: {last}");

    // Twice does nothing more; and the lead is free for anyone in the queue.
    assert_eq!(sweep(app).await, SweepReport::default());
    let (status, body) = call(
        app,
        &w.colleague_token,
        "POST",
        &format!("/api/v1/leads/{lead}/claim"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    mails_to(app, &w.owner.email, 1).await;
}

async fn a_note_or_an_edit_resets_the_countdown(app: &TestApp) {
    let w = world(app, "Inbound web leads", Some(3)).await;
    let lead = claimed_lead(app, &w, "Per Sandberg").await;
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    assert_eq!(sweep(app).await, warned(1));
    mails_to(app, &w.owner.email, 1).await;

    // A note is activity: a day later the lead stays, and the count starts over.
    let (status, body) = call(
        app,
        &w.owner_token,
        "POST",
        &format!("/api/v1/leads/{lead}/notes"),
        Some(json!({"text": "Called; demo booked for next week."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.clock.advance(Duration::days(1));
    assert_eq!(sweep(app).await, SweepReport::default());
    assert!(view_ids(app, &w.owner_token, "mine").await.contains(&lead));

    // Two days and a minute after the note: a new warning.
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(sweep(app).await, warned(1));
    mails_to(app, &w.owner.email, 2).await;

    // An edit is activity too.
    let current = owner_of(app, &w.owner_token, &lead).await;
    let response = app
        .client()
        .patch(app.url(&format!("/api/v1/leads/{lead}")))
        .bearer_auth(&w.owner_token)
        .header("If-Match", current["version"].to_string())
        .json(&json!({"status": "working_contacted"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    app.clock.advance(Duration::days(1) + Duration::hours(1));
    assert_eq!(sweep(app).await, SweepReport::default());
    assert!(view_ids(app, &w.owner_token, "mine").await.contains(&lead));

    let kinds = timeline_kinds(app, &w.owner_token, &lead).await;
    assert_eq!(count(&kinds, "stale_warning"), 2, "{kinds:?}");
    assert_eq!(count(&kinds, "stale_return"), 0, "{kinds:?}");
}

async fn queues_without_stale_claim_days_never_return_leads(app: &TestApp) {
    let w = world(app, "Public sector Denmark", None).await;
    let kept = claimed_lead(app, &w, "Mette Riis").await;
    // In a queue that does return leads, a lead its owner closed stays closed.
    let (status, expo) = call(
        app,
        &w.admin,
        "POST",
        "/api/v1/queues",
        Some(json!({"name": "Nordic IT Expo 2026", "stale_claim_days": 2, "members": [w.partner]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{expo}");
    let expo_world = World {
        queue: expo["id"].as_str().unwrap().to_owned(),
        admin: w.admin.clone(),
        partner: w.partner,
        owner: w.owner.clone(),
        owner_token: w.owner_token.clone(),
        colleague_token: w.colleague_token.clone(),
    };
    let closed = claimed_lead(app, &expo_world, "Jon Ek").await;
    let current = owner_of(app, &w.owner_token, &closed).await;
    let response = app
        .client()
        .patch(app.url(&format!("/api/v1/leads/{closed}")))
        .bearer_auth(&w.owner_token)
        .header("If-Match", current["version"].to_string())
        .json(&json!({"status": "unqualified"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    for _ in 0..4 {
        app.clock.advance(Duration::days(100));
        assert_eq!(sweep(app).await, SweepReport::default());
    }
    let token = app.token(&w.owner).await;
    let mine = view_ids(app, &token, "mine").await;
    assert!(mine.contains(&kept) && mine.contains(&closed), "{mine:?}");
    for lead in [&kept, &closed] {
        let kinds = timeline_kinds(app, &token, lead).await;
        assert!(!kinds.iter().any(|k| k.starts_with("stale_")), "{kinds:?}");
    }
    assert!(app.smtp.messages().is_empty());
}

async fn the_owner_is_warned_in_their_own_language(app: &TestApp) {
    let w = world(app, "Nordic IT Expo 2026", Some(5)).await;
    app.store
        .set_locale(w.owner.id(), Locale::Danish)
        .await
        .unwrap();
    let lead = claimed_lead(app, &w, "Søren Kragh").await;
    app.clock.advance(Duration::days(4) + Duration::minutes(1));
    assert_eq!(sweep(app).await, warned(1));
    let mail = app
        .smtp
        .wait_for(&w.owner.email, MAIL_WAIT)
        .await
        .expect("the owner is warned by e-mail");
    assert!(
        mail.subject()
            .starts_with("Dit kundeemne Søren Kragh går tilbage til Nordic IT Expo 2026 den "),
        "{}",
        mail.subject()
    );
    let text = mail.text_body();
    assert!(text.starts_with("Hej Freja Mortensen"), "{text}");
    assert!(text.contains("efter 5 dage uden aktivitet"), "{text}");
    assert!(mail.html_body().contains("lang=\"da\""));
    let (_, events) = call(
        app,
        &w.owner_token,
        "GET",
        &format!("/api/v1/leads/{lead}/timeline"),
        None,
    )
    .await;
    let warning = events
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "stale_warning")
        .unwrap()
        .clone();
    let returns_at =
        time::OffsetDateTime::parse(warning["new_value"].as_str().unwrap(), &Rfc3339).unwrap();
    let expected = app.clock.now() + Duration::days(1);
    assert!(
        (returns_at - expected).abs() < Duration::seconds(1),
        "the timeline says when it goes back: {warning}"
    );
}

async fn sweeps_running_at_once_act_on_each_lead_once(app: &TestApp) {
    let w = world(app, "Nordic IT Expo 2026", Some(2)).await;
    let mut leads = Vec::new();
    for i in 0..6 {
        leads.push(claimed_lead(app, &w, &format!("Lead {i}")).await);
    }
    let jobs: Vec<StaleClaimJob> = (0..3)
        .map(|_| StaleClaimJob::new(app.store.clone(), warning_mail(&app.base_url)))
        .collect();
    let at_once = || async {
        let (a, b, c) = tokio::join!(jobs[0].run_once(), jobs[1].run_once(), jobs[2].run_once());
        [a.unwrap(), b.unwrap(), c.unwrap()]
            .into_iter()
            .fold(SweepReport::default(), |sum, r| SweepReport {
                warned: sum.warned + r.warned,
                returned: sum.returned + r.returned,
            })
    };

    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(at_once().await, warned(6));
    assert_eq!(at_once().await, SweepReport::default());
    mails_to(app, &w.owner.email, 6).await;

    app.clock.advance(Duration::days(1));
    assert_eq!(at_once().await, returned(6));
    assert_eq!(at_once().await, SweepReport::default());
    for lead in &leads {
        let kinds = timeline_kinds(app, &w.admin, lead).await;
        assert_eq!(count(&kinds, "stale_warning"), 1, "{kinds:?}");
        assert_eq!(count(&kinds, "stale_return"), 1, "{kinds:?}");
    }
    assert!(view_ids(app, &w.owner_token, "mine").await.is_empty());
    // No further e-mail came of the repeated sweeps.
    tokio::time::sleep(StdDuration::from_millis(700)).await;
    mails_to(app, &w.owner.email, 6).await;
}
