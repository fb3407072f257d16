//! Deal registration (spec flow 13) over `/api/v1`, through HTTP on both
//! stores: a partner registers a deal; it is checked against every partner's
//! leads, opportunities, accounts and registrations; the channel manager sees
//! the conflicts side by side while the partner only ever sees "pending";
//! approval makes the partner's protected opportunity, and a conflicting
//! registration of another partner cannot be approved while it holds; reject
//! needs a reason; who sees what; bad input and the same deal twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{collections::BTreeSet, time::Duration as StdDuration};

use openprm_domain::{Clock, Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime, format_description::well_known::Rfc3339};

openprm_testkit::test_on_both_stores!(
    conflicts_are_found_across_partners_and_shown_only_to_vendor_staff,
    approval_makes_the_partners_protected_opportunity,
    a_conflicting_registration_cannot_be_approved_while_protection_holds,
    rejection_needs_a_reason_and_tells_the_submitter,
    registrations_are_invisible_outside_their_scope,
    list_views_page_through_each_roles_registrations,
    the_same_deal_cannot_be_registered_twice,
    bad_input_is_refused_field_by_field_and_nothing_is_written,
    protection_settings_are_the_admins,
    amounts_are_exact_text_or_whole_numbers,
    forged_cursor_times_are_refused_as_invalid_cursors,
);

const MAIL_WAIT: StdDuration = StdDuration::from_secs(20);

#[derive(Clone)]
struct Caller {
    user: TestUser,
    token: String,
}

/// Two channel managers: Fjordline and Bifrost belong to A, Zenith to B.
struct World {
    admin: Caller,
    cm_a: Caller,
    cm_b: Caller,
    fjordline: Partner,
    freja: Caller,
    fjordline_colleague: Caller,
    fjordline_manager: Caller,
    bifrost_user: Caller,
    zenith_user: Caller,
    zenith_manager: Caller,
}

async fn caller(app: &TestApp, name: &str, role: Role, partner: Option<&Partner>) -> Caller {
    let user = app.user(name, role, partner.map(|p| p.id)).await;
    let token = app.token(&user).await;
    Caller { user, token }
}

async fn world(app: &TestApp) -> World {
    let admin = caller(app, "Ada Admin", Role::Admin, None).await;
    let cm_a = caller(app, "Carl Channel", Role::ChannelManager, None).await;
    let cm_b = caller(app, "Bea Channel", Role::ChannelManager, None).await;
    let fjordline = app
        .partner("Fjordline IT", Tier::Gold, Some(cm_a.user.id()))
        .await;
    let bifrost = app
        .partner("Bifrost Data", Tier::Silver, Some(cm_a.user.id()))
        .await;
    let zenith = app
        .partner("Zenith Systems", Tier::Platinum, Some(cm_b.user.id()))
        .await;
    World {
        freja: caller(app, "Freja Fjord", Role::PartnerUser, Some(&fjordline)).await,
        fjordline_colleague: caller(app, "Oskar Fjord", Role::PartnerUser, Some(&fjordline)).await,
        fjordline_manager: caller(app, "Mona Fjord", Role::PartnerManager, Some(&fjordline)).await,
        bifrost_user: caller(app, "Bo Bifrost", Role::PartnerUser, Some(&bifrost)).await,
        zenith_user: caller(app, "Zoe Zenith", Role::PartnerUser, Some(&zenith)).await,
        zenith_manager: caller(app, "Max Zenith", Role::PartnerManager, Some(&zenith)).await,
        fjordline,
        admin,
        cm_a,
        cm_b,
    }
}

/// Sends a request; answers the status and the raw body. A 5xx fails the test.
async fn raw(
    app: &TestApp,
    who: &Caller,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(&who.token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(
        !status.is_server_error(),
        "{method} {path}: {status} {text}"
    );
    (status, text)
}

async fn call(
    app: &TestApp,
    who: &Caller,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let (status, text) = raw(app, who, method, path, body).await;
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn close_date(days: i64) -> String {
    let d = (OffsetDateTime::now_utc() + Duration::days(days)).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn nordlys() -> Value {
    json!({
        "company_name": "Nordlys A/S",
        "company_domain": "https://www.nordlys.dk",
        "contact_name": "Mette Hansen",
        "contact_email": "Mette@Nordlys.dk",
        "contact_phone": "+45 33 12 34 56",
        "product_interest": "Grid analytics, 40 seats",
        "amount": "125000.50",
        "currency": "DKK",
        "close_date": close_date(60),
        "description": "Met at the Aarhus energy fair."
    })
}

/// Registers a deal; answers the registration.
async fn register(app: &TestApp, who: &Caller, body: Value) -> Value {
    let (status, reg) = call(
        app,
        who,
        Method::POST,
        "/api/v1/deal-registrations",
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{reg}");
    reg
}

/// What other partners already have of Nordlys, and a bystander that matches nothing.
struct Seeds {
    lead: String,
    account: String,
    opportunity: String,
    registration: String,
    unrelated_lead: String,
    own_lead: String,
}

async fn seed(app: &TestApp, w: &World) -> Seeds {
    // Bifrost's lead: another company name, but an address at nordlys.dk.
    let (status, lead) = call(
        app,
        &w.bifrost_user,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "Ole Berg", "company": "Berg Consulting", "email": "ole@nordlys.dk"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    // Bifrost's account "Nordlys" (a similar name, no domain) and an opportunity on it.
    let (status, account) = call(
        app,
        &w.bifrost_user,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"name": "Nordlys"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    let (status, opportunity) = call(
        app,
        &w.bifrost_user,
        Method::POST,
        "/api/v1/opportunities",
        Some(
            json!({"name": "Bifrost smart meters", "account_id": account["id"], "amount": "40000",
                    "currency": "DKK", "close_date": close_date(30)}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{opportunity}");
    // Zenith's registration: another name and domain, the same contact.
    let registration = register(app, &w.zenith_user, json!({
        "company_name": "NL Energy Holding", "contact_name": "Mette H.", "contact_email": "mette@nordlys.dk",
        "product_interest": "Meters", "amount": 9000, "currency": "EUR", "close_date": close_date(90)
    })).await;
    let (status, unrelated) = call(
        app,
        &w.bifrost_user,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "Sune Sol", "company": "Solsikke ApS", "email": "sune@solsikke.dk"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{unrelated}");
    // Fjordline's own lead of the customer is no conflict for Fjordline.
    let (status, own) = call(
        app,
        &w.freja,
        Method::POST,
        "/api/v1/leads",
        Some(
            json!({"name": "Mette Hansen", "company": "Nordlys A/S", "email": "mette@nordlys.dk"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    Seeds {
        lead: id(&lead),
        account: id(&account),
        opportunity: id(&opportunity),
        registration: id(&registration),
        unrelated_lead: id(&unrelated),
        own_lead: id(&own),
    }
}

/// Nothing in a partner-facing answer hints at another partner's records.
fn assert_no_leak(text: &str, seeds: &Seeds) {
    for secret in [
        "Bifrost",
        "Zenith",
        "Berg Consulting",
        "ole@nordlys.dk",
        "Bifrost smart meters",
        "NL Energy",
        "conflicts",
        "matched_on",
        "score",
        &seeds.lead,
        &seeds.account,
        &seeds.opportunity,
        &seeds.registration,
    ] {
        assert!(
            !text.contains(secret),
            "a partner-facing answer mentions {secret:?}: {text}"
        );
    }
}

fn conflict<'a>(conflicts: &'a [Value], id: &str) -> &'a Value {
    conflicts
        .iter()
        .find(|c| c["record_id"] == id)
        .unwrap_or_else(|| panic!("no conflict with {id} in {conflicts:?}"))
}

fn matched(c: &Value) -> Vec<&str> {
    c["matched_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect()
}

async fn conflicts_are_found_across_partners_and_shown_only_to_vendor_staff(app: &TestApp) {
    let w = world(app).await;
    let seeds = seed(app, &w).await;
    let (status, text) = raw(
        app,
        &w.freja,
        Method::POST,
        "/api/v1/deal-registrations",
        Some(nordlys()),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{text}");
    assert_no_leak(&text, &seeds);
    let reg: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reg["status"], "pending");
    assert_eq!(reg["company_domain"], "nordlys.dk");
    assert_eq!(reg["contact_email"], "mette@nordlys.dk");
    assert_eq!(reg["amount"], "125000.50");
    assert_eq!(reg["amount_minor"], 12_500_050);
    assert_eq!(reg["currency"], "DKK");
    let id = reg["id"].as_str().unwrap();

    // Every door a partner has shows the registration without a trace of the others.
    for who in [&w.freja, &w.fjordline_manager] {
        let (status, text) = raw(
            app,
            who,
            Method::GET,
            &format!("/api/v1/deal-registrations/{id}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert_no_leak(&text, &seeds);
        let (status, text) = raw(app, who, Method::GET, "/api/v1/deal-registrations", None).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        assert!(text.contains(id));
        assert_no_leak(&text, &seeds);
    }

    // Zenith's channel manager approves Zenith's registration: it is protected now.
    let (status, approved) = call(
        app,
        &w.cm_b,
        Method::POST,
        &format!("/api/v1/deal-registrations/{}/approve", seeds.registration),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");

    // The channel manager sees the conflicts side by side.
    let (status, text) = raw(
        app,
        &w.cm_a,
        Method::GET,
        &format!("/api/v1/deal-registrations/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let detail: Value = serde_json::from_str(&text).unwrap();
    let conflicts = detail["conflicts"].as_array().unwrap().clone();
    let lead = conflict(&conflicts, &seeds.lead);
    assert_eq!(lead["record_kind"], "lead");
    assert_eq!(matched(lead), ["domain"]);
    assert_eq!(lead["partner_name"], "Bifrost Data");
    assert_eq!(lead["email"], "ole@nordlys.dk");
    assert_eq!(lead["in_scope"], true);
    let account = conflict(&conflicts, &seeds.account);
    assert_eq!(account["record_kind"], "account");
    assert_eq!(matched(account), ["name"]);
    assert_eq!(account["name"], "Nordlys");
    let opportunity = conflict(&conflicts, &seeds.opportunity);
    assert_eq!(opportunity["record_kind"], "opportunity");
    assert_eq!(matched(opportunity), ["name"]);
    assert_eq!(opportunity["name"], "Bifrost smart meters");
    assert_eq!(opportunity["amount"], "40000.00");
    // Zenith belongs to another channel manager: its kind, partner and what
    // matched, and nothing else (no id, existence, protection or certainty).
    let outside: Vec<&Value> = conflicts
        .iter()
        .filter(|c| c["in_scope"] == false)
        .collect();
    assert_eq!(outside.len(), 1, "{conflicts:?}");
    let zenith = outside[0];
    assert_eq!(zenith["record_kind"], "registration");
    assert_eq!(matched(zenith), ["contact_email", "domain"]);
    assert_eq!(zenith["partner_name"], "Zenith Systems");
    let shown: BTreeSet<&str> = zenith
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.as_str())
        .collect();
    assert_eq!(
        shown,
        BTreeSet::from(["record_kind", "partner_name", "in_scope", "matched_on"]),
        "{zenith}"
    );
    assert!(!text.contains(&seeds.registration), "{text}");
    assert!(
        !text.contains(&approved["partner_id"].as_str().unwrap().to_owned()),
        "{text}"
    );
    for absent in [&seeds.unrelated_lead, &seeds.own_lead] {
        assert!(
            !conflicts.iter().any(|c| c["record_id"] == absent.as_str()),
            "{absent} is no conflict"
        );
    }
    assert_eq!(conflicts.len(), 4, "{conflicts:?}");

    // The admin sees every record in full.
    let (_, detail) = call(
        app,
        &w.admin,
        Method::GET,
        &format!("/api/v1/deal-registrations/{id}"),
        None,
    )
    .await;
    let zenith = conflict(detail["conflicts"].as_array().unwrap(), &seeds.registration);
    assert_eq!(zenith["in_scope"], true);
    assert_eq!(zenith["company"], "NL Energy Holding");
    assert_eq!(zenith["email"], "mette@nordlys.dk");
    assert_eq!(zenith["exists"], true);
    assert!(
        zenith["protected_until"].is_string() && zenith["score"].is_u64(),
        "{zenith}"
    );

    // Zenith, for its part, sees only its own registration, with no hint of Fjordline's.
    let (_, text) = raw(
        app,
        &w.zenith_user,
        Method::GET,
        &format!("/api/v1/deal-registrations/{}", seeds.registration),
        None,
    )
    .await;
    assert!(
        !text.contains("Fjordline") && !text.contains(id) && !text.contains("conflicts"),
        "{text}"
    );
}

async fn approval_makes_the_partners_protected_opportunity(app: &TestApp) {
    let w = world(app).await;
    let reg = register(app, &w.freja, nordlys()).await;
    let id = reg["id"].as_str().unwrap();
    // Partners do not decide, not even on their own.
    let (status, body) = call(
        app,
        &w.fjordline_manager,
        Method::POST,
        &format!("/api/v1/deal-registrations/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let before = OffsetDateTime::now_utc();
    let (status, approved) = call(
        app,
        &w.cm_a,
        Method::POST,
        &format!("/api/v1/deal-registrations/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decided_by_name"], "Carl Channel");
    let until =
        OffsetDateTime::parse(approved["protected_until"].as_str().unwrap(), &Rfc3339).unwrap();
    let expected = before + Duration::days(90);
    assert!(
        (until - expected).abs() < Duration::minutes(5),
        "protected until {until}"
    );
    let opportunity = approved["opportunity_id"].as_str().unwrap();

    // The submitter owns the opportunity, on a new account of the customer.
    let (status, opp) = call(
        app,
        &w.freja,
        Method::GET,
        &format!("/api/v1/opportunities/{opportunity}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{opp}");
    assert_eq!(opp["owner_id"], w.freja.user.id().to_string());
    assert_eq!(opp["partner_id"], w.fjordline.id.to_string());
    assert_eq!(opp["amount"], "125000.50");
    assert_eq!(opp["currency"], "DKK");
    assert_eq!(opp["close_date"], close_date(60));
    assert_eq!(opp["account_name"], "Nordlys A/S");
    let (status, account) = call(
        app,
        &w.freja,
        Method::GET,
        &format!("/api/v1/accounts/{}", opp["account_id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["domain"], "nordlys.dk");

    // The submitter is told.
    let mail = app
        .smtp
        .wait_for(&w.freja.user.email, MAIL_WAIT)
        .await
        .expect("approval e-mail");
    assert!(mail.subject().contains("approved"), "{}", mail.subject());
    assert!(
        mail.text_body().contains(opportunity),
        "{}",
        mail.text_body()
    );

    // Decided once only.
    let (status, body) = call(
        app,
        &w.admin,
        Method::POST,
        &format!("/api/v1/deal-registrations/{id}/approve"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "registration_already_decided");
    let (status, body) = call(
        app,
        &w.admin,
        Method::POST,
        &format!("/api/v1/deal-registrations/{id}/reject"),
        Some(json!({"reason": "no"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");

    // A second registration of another customer reuses nothing; one of a
    // customer Fjordline already has an account for reuses that account.
    let (status, own_account) = call(
        app,
        &w.freja,
        Method::POST,
        "/api/v1/accounts",
        Some(json!({"name": "Havbryg ApS", "domain": "havbryg.dk"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{own_account}");
    let second = register(app, &w.freja, json!({
        "company_name": "Havbryg", "company_domain": "havbryg.dk", "contact_name": "Ib", "contact_email": "ib@havbryg.dk",
        "product_interest": "Brewing sensors", "amount": "5000", "currency": "EUR", "close_date": close_date(10)
    })).await;
    let (status, approved) = call(
        app,
        &w.admin,
        Method::POST,
        &format!(
            "/api/v1/deal-registrations/{}/approve",
            second["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    let (_, opp) = call(
        app,
        &w.freja,
        Method::GET,
        &format!(
            "/api/v1/opportunities/{}",
            approved["opportunity_id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(opp["account_id"], own_account["id"]);
}

async fn a_conflicting_registration_cannot_be_approved_while_protection_holds(app: &TestApp) {
    let w = world(app).await;
    let zenith = register(app, &w.zenith_user, json!({
        "company_name": "NORDLYS ApS", "contact_name": "Mette", "contact_email": "mette@nordlys.dk",
        "product_interest": "Meters", "amount": 9000, "currency": "EUR", "close_date": close_date(90)
    })).await;
    let fjordline = register(app, &w.freja, nordlys()).await;
    let (status, body) = call(
        app,
        &w.cm_a,
        Method::POST,
        &format!(
            "/api/v1/deal-registrations/{}/approve",
            fjordline["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Zenith's channel manager, and the admin, are refused, and told by whom.
    for who in [&w.cm_b, &w.admin] {
        let (status, body) = call(
            app,
            who,
            Method::POST,
            &format!(
                "/api/v1/deal-registrations/{}/approve",
                zenith["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert_eq!(body["error"]["code"], "registration_protected");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("Fjordline IT"), "{message}");
    }
    // Nothing changed: still pending, no opportunity.
    let (_, still) = call(
        app,
        &w.zenith_user,
        Method::GET,
        &format!(
            "/api/v1/deal-registrations/{}",
            zenith["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(still["status"], "pending");
    assert!(still["opportunity_id"].is_null());
    // Rejecting it is fine.
    let (status, body) = call(
        app,
        &w.cm_b,
        Method::POST,
        &format!(
            "/api/v1/deal-registrations/{}/reject",
            zenith["id"].as_str().unwrap()
        ),
        Some(json!({"reason": "Already registered by another partner."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Once the protection has lapsed, a new registration of the customer can be approved.
    app.clock.advance(Duration::days(91));
    let report = openprm_jobs::RegistrationProtectionJob::new(
        app.store.clone(),
        openprm_web::services::registrations::registration_mail(&app.base_url),
    )
    .run_once()
    .await
    .unwrap();
    assert_eq!(report.lapsed, 1);
    // Tokens issued three months ago have expired meanwhile.
    let zenith_manager = Caller {
        token: app.token(&w.zenith_manager.user).await,
        ..w.zenith_manager.clone()
    };
    let cm_b = Caller {
        token: app.token(&w.cm_b.user).await,
        ..w.cm_b.clone()
    };
    let again = register(
        app,
        &zenith_manager,
        json!({
            "company_name": "Nordlys", "contact_name": "Mette", "contact_email": "mette@nordlys.dk",
            "product_interest": "Meters", "amount": 9000, "currency": "EUR",
            "close_date": format!("{}", (OffsetDateTime::now_utc() + Duration::days(120)).date())
        }),
    )
    .await;
    let (status, body) = call(
        app,
        &cm_b,
        Method::POST,
        &format!(
            "/api/v1/deal-registrations/{}/approve",
            again["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn rejection_needs_a_reason_and_tells_the_submitter(app: &TestApp) {
    let w = world(app).await;
    let reg = register(app, &w.freja, nordlys()).await;
    let path = format!(
        "/api/v1/deal-registrations/{}/reject",
        reg["id"].as_str().unwrap()
    );
    for body in [
        json!({}),
        json!({"reason": "   "}),
        json!({"reason": null}),
        json!({"reason": "x".repeat(2001)}),
    ] {
        let (status, answer) = call(app, &w.cm_a, Method::POST, &path, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert!(answer["error"]["fields"]["reason"].is_string(), "{answer}");
    }
    let (status, rejected) = call(
        app,
        &w.cm_a,
        Method::POST,
        &path,
        Some(json!({"reason": "Bifrost has worked this customer for a year."})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{rejected}");
    assert_eq!(rejected["status"], "rejected");
    let (_, seen) = call(
        app,
        &w.freja,
        Method::GET,
        &format!("/api/v1/deal-registrations/{}", reg["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(
        seen["decision_reason"],
        "Bifrost has worked this customer for a year."
    );
    assert!(seen["opportunity_id"].is_null());
    let mail = app
        .smtp
        .wait_for(&w.freja.user.email, MAIL_WAIT)
        .await
        .expect("rejection e-mail");
    assert!(mail.subject().contains("rejected"), "{}", mail.subject());
    assert!(
        mail.text_body()
            .contains("Bifrost has worked this customer for a year.")
    );
    // A rejected registration does not block registering the customer again.
    register(app, &w.freja, nordlys()).await;
}

async fn registrations_are_invisible_outside_their_scope(app: &TestApp) {
    let w = world(app).await;
    let reg = register(app, &w.freja, nordlys()).await;
    let id = reg["id"].as_str().unwrap();
    let path = format!("/api/v1/deal-registrations/{id}");
    for who in [&w.freja, &w.fjordline_manager, &w.cm_a, &w.admin] {
        let (status, body) = call(app, who, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{} {body}", who.user.email);
    }
    // A colleague, other partners and another partner's channel manager: not found.
    for who in [
        &w.fjordline_colleague,
        &w.bifrost_user,
        &w.zenith_user,
        &w.zenith_manager,
        &w.cm_b,
    ] {
        for (method, action, body) in [
            (Method::GET, "", None),
            (Method::POST, "/approve", None),
            (Method::POST, "/reject", Some(json!({"reason": "no"}))),
        ] {
            let (status, answer) = call(app, who, method, &format!("{path}{action}"), body).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{} {action}: {answer}",
                who.user.email
            );
            assert_eq!(answer["error"]["code"], "not_found");
        }
        let (_, list) = raw(
            app,
            who,
            Method::GET,
            "/api/v1/deal-registrations?view=all",
            None,
        )
        .await;
        assert!(!list.contains(id), "{} lists it: {list}", who.user.email);
    }
    // Ids that do not parse are as absent as ids that do not exist.
    for bad in ["nope", "00000000-0000-0000-0000-000000000000"] {
        let (status, _) = call(
            app,
            &w.admin,
            Method::GET,
            &format!("/api/v1/deal-registrations/{bad}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // Vendor staff decide registrations; they do not submit them.
    let (status, body) = call(
        app,
        &w.cm_a,
        Method::POST,
        "/api/v1/deal-registrations",
        Some(nordlys()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
}

async fn list_views_page_through_each_roles_registrations(app: &TestApp) {
    let w = world(app).await;
    let mut mine = Vec::new();
    for i in 0..5 {
        let reg = register(app, &w.freja, json!({
            "company_name": format!("Kunde {i} ApS"), "contact_name": "K", "contact_email": format!("k@kunde{i}.dk"),
            "product_interest": "X", "amount": "100", "currency": "DKK", "close_date": close_date(20)
        })).await;
        mine.push(reg["id"].as_str().unwrap().to_owned());
        app.clock.advance(Duration::seconds(1));
    }
    let colleague = register(app, &w.fjordline_colleague, json!({
        "company_name": "Kollega A/S", "contact_name": "K", "contact_email": "k@kollega.dk",
        "product_interest": "X", "amount": "100", "currency": "DKK", "close_date": close_date(20)
    })).await;
    let zenith = register(app, &w.zenith_user, json!({
        "company_name": "Zeta AB", "contact_name": "Z", "contact_email": "z@zeta.se",
        "product_interest": "X", "amount": "100", "currency": "SEK", "close_date": close_date(20)
    })).await;

    // Walk Freja's own view two at a time: newest first, each once.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/deal-registrations?limit=2&cursor={c}"),
            None => "/api/v1/deal-registrations?limit=2".to_owned(),
        };
        let (status, page) = call(app, &w.freja, Method::GET, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for r in page["registrations"].as_array().unwrap() {
            seen.push(r["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut newest_first = mine.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first);

    let ids = |v: &Value| -> Vec<String> {
        v["registrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, company) = call(
        app,
        &w.fjordline_manager,
        Method::GET,
        "/api/v1/deal-registrations",
        None,
    )
    .await;
    assert_eq!(ids(&company).len(), 6);
    assert!(ids(&company).contains(&colleague["id"].as_str().unwrap().to_owned()));
    // The pending queue: oldest first, only the channel manager's partners.
    let (_, pending) = call(
        app,
        &w.cm_a,
        Method::GET,
        "/api/v1/deal-registrations",
        None,
    )
    .await;
    assert_eq!(ids(&pending)[0], mine[0]);
    assert!(!ids(&pending).contains(&zenith["id"].as_str().unwrap().to_owned()));
    let (_, all) = call(
        app,
        &w.admin,
        Method::GET,
        "/api/v1/deal-registrations?view=all",
        None,
    )
    .await;
    assert_eq!(ids(&all).len(), 7);
    let (_, per_partner) = call(
        app,
        &w.admin,
        Method::GET,
        &format!("/api/v1/deal-registrations?view=partner:{}", w.fjordline.id),
        None,
    )
    .await;
    assert_eq!(ids(&per_partner).len(), 6);
    let (status, _) = call(
        app,
        &w.admin,
        Method::POST,
        &format!("/api/v1/deal-registrations/{}/reject", mine[0]),
        Some(json!({"reason": "Out of territory"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, rejected) = call(
        app,
        &w.freja,
        Method::GET,
        "/api/v1/deal-registrations?status=rejected",
        None,
    )
    .await;
    assert_eq!(ids(&rejected), [mine[0].clone()]);

    // Views a role does not have are not found; nonsense is a 422.
    for (who, query) in [
        (&w.freja, "view=all"),
        (&w.freja, "view=company"),
        (&w.fjordline_manager, "view=pending"),
        (&w.cm_a, "view=mine"),
    ] {
        let (status, body) = call(
            app,
            who,
            Method::GET,
            &format!("/api/v1/deal-registrations?{query}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{query}: {body}");
    }
    for query in [
        "view=everything",
        "status=lapsed",
        "limit=abc",
        "cursor=%%%",
        "cursor=bm9wZQ",
    ] {
        let (status, body) = call(
            app,
            &w.freja,
            Method::GET,
            &format!("/api/v1/deal-registrations?{query}"),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
    }
}

async fn count(app: &TestApp, who: &Caller) -> usize {
    let (_, list) = call(
        app,
        who,
        Method::GET,
        "/api/v1/deal-registrations?view=all&limit=200",
        None,
    )
    .await;
    list["registrations"].as_array().unwrap().len()
}

async fn the_same_deal_cannot_be_registered_twice(app: &TestApp) {
    let w = world(app).await;
    register(app, &w.freja, nordlys()).await;
    // The same company under another spelling, and the same domain under another name.
    for body in [
        json!({"company_name": "NORDLYS", "contact_name": "M", "contact_email": "m@gmail.com", "product_interest": "X",
               "amount": "1", "currency": "DKK", "close_date": close_date(5)}),
        json!({"company_name": "Northern Lights", "company_domain": "nordlys.dk", "contact_name": "M", "contact_email": "m@gmail.com",
               "product_interest": "X", "amount": "1", "currency": "DKK", "close_date": close_date(5)}),
    ] {
        // A colleague counts as the same partner.
        let (status, answer) = call(
            app,
            &w.fjordline_colleague,
            Method::POST,
            "/api/v1/deal-registrations",
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        let fields = answer["error"]["fields"].as_object().unwrap();
        assert!(
            fields.contains_key("company_name") || fields.contains_key("company_domain"),
            "{answer}"
        );
        assert!(
            answer["error"]["fields"]
                .to_string()
                .contains("already registered"),
            "{answer}"
        );
    }
    assert_eq!(count(app, &w.admin).await, 1);
    // Another partner may register the same customer: that is what conflicts are for.
    register(app, &w.zenith_user, nordlys()).await;
    assert_eq!(count(app, &w.admin).await, 2);
}

async fn bad_input_is_refused_field_by_field_and_nothing_is_written(app: &TestApp) {
    let w = world(app).await;
    let with = |field: &str, value: Value| {
        let mut body = nordlys();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("amount", json!("-5")), "amount"),
        (with("amount", json!(-5)), "amount"),
        (with("amount", json!(0)), "amount"),
        (with("amount", json!("99999999999999999")), "amount"),
        (with("amount", json!(1e300)), "amount"),
        // Money is exact: a JSON number with decimals would arrive as a float.
        (with("amount", json!(12.5)), "amount"),
        (with("amount", json!("12.345")), "amount"),
        (with("amount", json!("lots")), "amount"),
        (with("currency", json!("XYZ")), "currency"),
        (with("currency", json!("")), "currency"),
        (with("close_date", json!(close_date(-1))), "close_date"),
        (with("close_date", json!(close_date(5000))), "close_date"),
        (with("close_date", json!("31/12/2026")), "close_date"),
        (with("company_name", json!("")), "company_name"),
        (with("company_domain", json!("gmail.com")), "company_domain"),
        (
            with("company_domain", json!("not a domain")),
            "company_domain",
        ),
        (with("contact_email", json!("mette")), "contact_email"),
        (with("product_interest", json!(null)), "product_interest"),
        (with("contact_name", json!("x".repeat(500))), "contact_name"),
    ] {
        let (status, answer) = call(
            app,
            &w.freja,
            Method::POST,
            "/api/v1/deal-registrations",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "validation_failed");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field}: {answer}"
        );
    }
    // Wrong shapes and malformed bodies are 4xx too.
    for body in [
        "{",
        "[]",
        "{\"amount\": {}}",
        "{\"company_name\": 5}",
        "{\"company_name\": \"\\u0000\"}",
    ] {
        let response = app
            .client()
            .post(app.url("/api/v1/deal-registrations"))
            .bearer_auth(&w.freja.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_client_error(),
            "{body}: {}",
            response.status()
        );
    }
    assert_eq!(count(app, &w.admin).await, 0, "nothing half-written");
}

async fn protection_settings_are_the_admins(app: &TestApp) {
    let w = world(app).await;
    let (status, settings) = call(
        app,
        &w.cm_a,
        Method::GET,
        "/api/v1/settings/deal-registration",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{settings}");
    assert_eq!(
        settings,
        json!({"registration_protection_days": 90, "registration_reminder_days": 14})
    );
    let (status, _) = call(
        app,
        &w.freja,
        Method::GET,
        "/api/v1/settings/deal-registration",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let new = json!({"registration_protection_days": 30, "registration_reminder_days": 7});
    let (status, _) = call(
        app,
        &w.cm_a,
        Method::PUT,
        "/api/v1/settings/deal-registration",
        Some(new.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    for bad in [
        json!({"registration_protection_days": 0, "registration_reminder_days": 0}),
        json!({"registration_protection_days": 30, "registration_reminder_days": 30}),
        json!({"registration_protection_days": 10000, "registration_reminder_days": 1}),
        json!({"registration_protection_days": 30, "registration_reminder_days": -1}),
    ] {
        let (status, answer) = call(
            app,
            &w.admin,
            Method::PUT,
            "/api/v1/settings/deal-registration",
            Some(bad),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    }
    let (status, saved) = call(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/settings/deal-registration",
        Some(new.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, new);
    // An approval from now on protects for 30 days.
    let reg = register(app, &w.freja, nordlys()).await;
    let (_, approved) = call(
        app,
        &w.admin,
        Method::POST,
        &format!(
            "/api/v1/deal-registrations/{}/approve",
            reg["id"].as_str().unwrap()
        ),
        None,
    )
    .await;
    let until =
        OffsetDateTime::parse(approved["protected_until"].as_str().unwrap(), &Rfc3339).unwrap();
    assert!(
        (until - (app.clock.now() + Duration::days(30))).abs() < Duration::minutes(5),
        "{until}"
    );
}

/// Times a forged cursor may carry: year −9999 (which PostgreSQL's
/// `timestamptz` cannot hold), a moment before 1970, year 10000, garbage.
const ABSURD_TIMES: [&str; 4] = [
    "-377705116800000000000",
    "-1",
    "253402300800000000000",
    "yesterday",
];

async fn forged_cursor_times_are_refused_as_invalid_cursors(app: &TestApp) {
    let w = world(app).await;
    register(app, &w.freja, nordlys()).await;
    for value in ABSURD_TIMES {
        for (who, view) in [
            (&w.admin, "all"),
            (&w.cm_a, "pending"),
            (&w.freja, "mine"),
            (&w.fjordline_manager, "company"),
        ] {
            let cursor = openprm_testkit::forged_cursor(view, value);
            let (status, body) = call(
                app,
                who,
                Method::GET,
                &format!("/api/v1/deal-registrations?view={view}&cursor={cursor}"),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{value}: {body}");
            assert!(body["error"]["fields"]["cursor"].is_string(), "{body}");
        }
    }
    let cursor = openprm_testkit::forged_cursor("all", "4102444800000000000");
    let (status, _) = call(
        app,
        &w.admin,
        Method::GET,
        &format!("/api/v1/deal-registrations?view=all&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

async fn amounts_are_exact_text_or_whole_numbers(app: &TestApp) {
    let w = world(app).await;
    let with = |value: Value| {
        let mut body = nordlys();
        body["amount"] = value;
        body
    };
    let (status, answer) = call(
        app,
        &w.freja,
        Method::POST,
        "/api/v1/deal-registrations",
        Some(with(json!(12.5))),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(answer["error"]["code"], "validation_failed");
    assert!(answer["error"]["fields"]["amount"].is_string(), "{answer}");
    assert_eq!(count(app, &w.admin).await, 0);
    let reg = register(app, &w.freja, with(json!("12.50"))).await;
    assert_eq!(reg["amount_minor"], 1250);
    assert_eq!(reg["amount"], "12.50");
}
