//! The protection of approved deal registrations (spec flow 13), on both
//! stores: the submitter is reminded once, in their own language, the
//! configured number of days before it ends, and at the end it lapses while
//! the opportunity stays the partner's. The clock is moved by hand and the
//! sweep run directly, as the background job runs it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration as StdDuration;

use openprm_domain::{Locale, Role, Tier};
use openprm_jobs::RegistrationProtectionJob;
use openprm_store::registrations::protection::ProtectionReport;
use openprm_testkit::app::{TestApp, TestUser};
use openprm_web::services::registrations::registration_mail;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

openprm_testkit::test_on_both_stores!(
    the_submitter_is_reminded_once_in_their_language_then_the_protection_lapses,
    sweeps_running_at_once_remind_and_lapse_each_registration_once,
    reminders_follow_the_admins_settings,
);

const MAIL_WAIT: StdDuration = StdDuration::from_secs(20);

struct World {
    admin: TestUser,
    cm: TestUser,
    submitter: TestUser,
}

async fn world(app: &TestApp, locale: Locale) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let cm = app.user("Carl Channel", Role::ChannelManager, None).await;
    let partner = app.partner("Fjordline IT", Tier::Gold, Some(cm.id())).await;
    let submitter = app
        .user("Freja Fjord", Role::PartnerUser, Some(partner.id))
        .await;
    app.store.set_locale(submitter.id(), locale).await.unwrap();
    World {
        admin,
        cm,
        submitter,
    }
}

/// A request with a fresh token (tokens expire as the clock moves on).
async fn call(
    app: &TestApp,
    who: &TestUser,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let token = app.token(who).await;
    let mut request = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// A registration of `company`, submitted and approved; its id and opportunity.
async fn approved(app: &TestApp, w: &World, company: &str) -> (String, String) {
    let close = (OffsetDateTime::now_utc() + Duration::days(200)).date();
    let (status, reg) = call(
        app,
        &w.submitter,
        Method::POST,
        "/api/v1/deal-registrations",
        Some(json!({
            "company_name": company, "contact_name": "Mette Hansen",
            "contact_email": format!("mette@{}.dk", company.to_lowercase().replace([' ', '/'], "")),
            "product_interest": "Grid analytics", "amount": "125000", "currency": "DKK",
            "close_date": close.to_string()
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    let id = reg["id"].as_str().unwrap().to_owned();
    let (status, reg) = call(
        app,
        &w.cm,
        Method::POST,
        &format!("/api/v1/deal-registrations/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{reg}");
    (id, reg["opportunity_id"].as_str().unwrap().to_owned())
}

fn job(app: &TestApp) -> RegistrationProtectionJob {
    RegistrationProtectionJob::new(app.store.clone(), registration_mail(&app.base_url))
}

fn report(reminded: usize, lapsed: usize) -> ProtectionReport {
    ProtectionReport { reminded, lapsed }
}

/// Waits until `n` messages to `to` have arrived, and checks no more did.
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

async fn the_submitter_is_reminded_once_in_their_language_then_the_protection_lapses(
    app: &TestApp,
) {
    let w = world(app, Locale::Danish).await;
    let (id, opportunity) = approved(app, &w, "Nordlys A/S").await;
    let approval = mails_to(app, &w.submitter.email, 1).await;
    assert!(
        approval[0].subject().contains("er godkendt"),
        "{}",
        approval[0].subject()
    );

    // 90 days of protection, a reminder 14 days before the end: not yet at 75.
    app.clock.advance(Duration::days(75));
    assert_eq!(job(app).run_once().await.unwrap(), report(0, 0));
    app.clock.advance(Duration::days(1) + Duration::minutes(1));
    assert_eq!(job(app).run_once().await.unwrap(), report(1, 0));
    assert_eq!(job(app).run_once().await.unwrap(), report(0, 0));
    let mails = mails_to(app, &w.submitter.email, 2).await;
    let reminder = mails
        .iter()
        .find(|m| m.subject().starts_with("Beskyttelsen"))
        .expect("a reminder in Danish");
    assert!(
        reminder
            .subject()
            .starts_with("Beskyttelsen af din aftale med Nordlys A/S udløber den "),
        "{}",
        reminder.subject()
    );
    assert!(reminder.text_body().contains(&opportunity));
    let (_, reg) = call(
        app,
        &w.submitter,
        Method::GET,
        &format!("/api/v1/deal-registrations/{id}"),
        None,
    )
    .await;
    assert!(reg["lapsed_at"].is_null(), "{reg}");

    // At the end it lapses, once; the opportunity stays the submitter's.
    app.clock.advance(Duration::days(14));
    assert_eq!(job(app).run_once().await.unwrap(), report(0, 1));
    assert_eq!(job(app).run_once().await.unwrap(), report(0, 0));
    let (_, reg) = call(
        app,
        &w.submitter,
        Method::GET,
        &format!("/api/v1/deal-registrations/{id}"),
        None,
    )
    .await;
    assert_eq!(reg["status"], "approved");
    assert!(reg["lapsed_at"].is_string(), "{reg}");
    let (status, opp) = call(
        app,
        &w.submitter,
        Method::GET,
        &format!("/api/v1/opportunities/{opportunity}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{opp}");
    assert_eq!(opp["owner_id"], w.submitter.id().to_string());
    let (_, timeline) = call(
        app,
        &w.submitter,
        Method::GET,
        &format!("/api/v1/opportunities/{opportunity}/timeline"),
        None,
    )
    .await;
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "protection_lapsed"], "{timeline}");
    // No further e-mail came of the lapse or the repeated sweeps.
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    mails_to(app, &w.submitter.email, 2).await;
}

async fn sweeps_running_at_once_remind_and_lapse_each_registration_once(app: &TestApp) {
    let w = world(app, Locale::English).await;
    for company in ["Nordlys", "Havbryg", "Solsikke"] {
        approved(app, &w, company).await;
    }
    mails_to(app, &w.submitter.email, 3).await;
    let jobs: Vec<RegistrationProtectionJob> = (0..3).map(|_| job(app)).collect();
    let at_once = || async {
        let (a, b, c) = tokio::join!(jobs[0].run_once(), jobs[1].run_once(), jobs[2].run_once());
        [a.unwrap(), b.unwrap(), c.unwrap()]
            .into_iter()
            .fold(report(0, 0), |sum, r| {
                report(sum.reminded + r.reminded, sum.lapsed + r.lapsed)
            })
    };
    app.clock.advance(Duration::days(80));
    assert_eq!(at_once().await, report(3, 0));
    assert_eq!(at_once().await, report(0, 0));
    let mails = mails_to(app, &w.submitter.email, 6).await;
    let reminders = mails
        .iter()
        .filter(|m| m.subject().starts_with("The protection"))
        .count();
    assert_eq!(reminders, 3);
    app.clock.advance(Duration::days(11));
    assert_eq!(at_once().await, report(0, 3));
    assert_eq!(at_once().await, report(0, 0));
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    mails_to(app, &w.submitter.email, 6).await;
}

async fn reminders_follow_the_admins_settings(app: &TestApp) {
    let w = world(app, Locale::English).await;
    let (status, body) = call(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/settings/deal-registration",
        Some(json!({"registration_protection_days": 30, "registration_reminder_days": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    approved(app, &w, "Nordlys").await;
    app.clock.advance(Duration::days(29) + Duration::hours(23));
    assert_eq!(job(app).run_once().await.unwrap(), report(0, 0));
    app.clock.advance(Duration::hours(1));
    assert_eq!(job(app).run_once().await.unwrap(), report(0, 1));
    tokio::time::sleep(StdDuration::from_millis(500)).await;
    let mails = mails_to(app, &w.submitter.email, 1).await;
    assert!(
        mails[0].subject().contains("approved"),
        "{}",
        mails[0].subject()
    );
}
