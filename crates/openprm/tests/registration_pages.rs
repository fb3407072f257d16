//! Deal registration as a browser without JavaScript uses it (spec flow 13),
//! through HTTP on both stores with signed-in cookie clients: the partner's
//! form with inline errors, the partner's "under review" page without any
//! conflict data, the vendor's page with the conflicts side by side, Approve
//! and Reject-with-reason through forms with CSRF, Home's card, the admin's
//! settings, and the Danish labels.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use openprm_domain::{Locale, Role, Tier};
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Client, StatusCode};
use serde_json::json;
use time::{Duration, OffsetDateTime};

openprm_testkit::test_on_both_stores!(
    a_partner_registers_through_the_form_and_sees_it_under_review,
    the_vendor_sees_conflicts_side_by_side_and_approves,
    reject_needs_a_reason_and_a_refused_approval_names_the_partner,
    forms_without_a_csrf_token_change_nothing,
    the_admin_sets_the_protection_and_home_counts_what_waits,
    danish_users_get_danish_labels,
);

struct World {
    admin: TestUser,
    cm: TestUser,
    freja: TestUser,
    bifrost_user: TestUser,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let cm = app.user("Carl Channel", Role::ChannelManager, None).await;
    let fjordline = app.partner("Fjordline IT", Tier::Gold, Some(cm.id())).await;
    let bifrost = app
        .partner("Bifrost Data", Tier::Silver, Some(cm.id()))
        .await;
    World {
        freja: app
            .user("Freja Fjord", Role::PartnerUser, Some(fjordline.id))
            .await,
        bifrost_user: app
            .user("Bo Bifrost", Role::PartnerUser, Some(bifrost.id))
            .await,
        admin,
        cm,
    }
}

async fn sign_in(app: &TestApp, who: &TestUser) -> Client {
    app.signed_in(&who.email, &who.password).await
}

async fn get(app: &TestApp, client: &Client, path: &str) -> (StatusCode, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// Posts a form from `page` with that page's CSRF token.
async fn post(
    app: &TestApp,
    client: &Client,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let csrf = app.csrf(client, page).await;
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("_csrf", &csrf));
    let response = client
        .post(app.url(action))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location, response.text().await.unwrap())
}

fn close_date() -> String {
    (OffsetDateTime::now_utc() + Duration::days(45))
        .date()
        .to_string()
}

fn nordlys_form(close: &str) -> Vec<(&'static str, String)> {
    vec![
        ("company_name", "Nordlys A/S".into()),
        ("company_domain", "nordlys.dk".into()),
        ("contact_name", "Mette Hansen".into()),
        ("contact_email", "mette@nordlys.dk".into()),
        ("contact_phone", "".into()),
        ("product_interest", "Grid analytics".into()),
        ("amount", "125,000.50".into()),
        ("currency", "DKK".into()),
        ("close_date", close.into()),
        ("description", "".into()),
    ]
}

/// Registers Nordlys through the form; answers the registration's page path.
async fn register(app: &TestApp, client: &Client) -> String {
    let form = nordlys_form(&close_date());
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, body) = post(
        app,
        client,
        "/deal-registrations/new",
        "/deal-registrations",
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = location.unwrap();
    assert!(location.ends_with("?done=submitted"), "{location}");
    location.trim_end_matches("?done=submitted").to_owned()
}

/// Bifrost's lead at the customer's domain: a conflict for Fjordline.
async fn bifrost_lead(app: &TestApp, w: &World) {
    let token = app.token(&w.bifrost_user).await;
    let response = app
        .client()
        .post(app.url("/api/v1/leads"))
        .bearer_auth(token)
        .json(&json!({"name": "Ole Berg", "company": "Berg Consulting", "email": "ole@nordlys.dk"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

async fn a_partner_registers_through_the_form_and_sees_it_under_review(app: &TestApp) {
    let w = world(app).await;
    bifrost_lead(app, &w).await;
    let freja = sign_in(app, &w.freja).await;
    // The list links to the form; the Opportunities tab links to the list.
    let (status, list) = get(app, &freja, "/deal-registrations").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("href=\"/deal-registrations/new\""), "{list}");

    // Bad input comes back inline, with what was typed kept.
    let mut form = nordlys_form("2001-01-01");
    form[6] = ("amount", "-5".into());
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, body) = post(
        app,
        &freja,
        "/deal-registrations/new",
        "/deal-registrations",
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("The expected close date cannot be in the past."),
        "{body}"
    );
    assert!(body.contains("value=\"Nordlys A/S\""), "{body}");
    assert!(body.contains("value=\"-5\""));
    let (_, list) = get(app, &freja, "/deal-registrations").await;
    assert!(!list.contains("Nordlys A/S"), "nothing was written");

    let path = register(app, &freja).await;
    let (status, page) = get(app, &freja, &format!("{path}?done=submitted")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Under review"), "{page}");
    assert!(page.contains("id=\"under-review\""));
    assert!(page.contains("DKK 125,000.50"), "{page}");
    for secret in [
        "Bifrost",
        "Berg Consulting",
        "ole@nordlys.dk",
        "Conflicts",
        "approve-registration",
    ] {
        assert!(
            !page.contains(secret),
            "the partner's page mentions {secret}"
        );
    }
    let (_, list) = get(app, &freja, "/deal-registrations").await;
    assert!(list.contains("Nordlys A/S") && list.contains("Under review"));
    assert!(!list.contains("Bifrost"));
}

async fn the_vendor_sees_conflicts_side_by_side_and_approves(app: &TestApp) {
    let w = world(app).await;
    bifrost_lead(app, &w).await;
    let freja = sign_in(app, &w.freja).await;
    let path = register(app, &freja).await;
    let cm = sign_in(app, &w.cm).await;
    let (_, list) = get(app, &cm, "/deal-registrations").await;
    assert!(
        list.contains("Nordlys A/S") && list.contains("Fjordline IT"),
        "{list}"
    );
    let (status, page) = get(app, &cm, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("id=\"conflicts\""));
    assert!(page.contains("Bifrost Data"), "{page}");
    assert!(page.contains("Berg Consulting") && page.contains("ole@nordlys.dk"));
    assert!(page.contains("Same domain"), "{page}");
    assert!(page.contains("id=\"approve-registration\""));

    let (status, location, _) = post(app, &cm, &path, &format!("{path}/approve"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(app, &cm, &location.unwrap()).await;
    assert!(page.contains("Approved"), "{page}");
    assert!(page.contains("id=\"protected-until\""));
    assert!(page.contains("id=\"open-opportunity\""));
    assert!(
        !page.contains("id=\"approve-registration\""),
        "decided once"
    );
    // The partner reads the approval and the end of the protection.
    let (_, page) = get(app, &freja, &path).await;
    assert!(
        page.contains("Approved") && page.contains("Protected until"),
        "{page}"
    );
    assert!(!page.contains("Bifrost"));
}

async fn reject_needs_a_reason_and_a_refused_approval_names_the_partner(app: &TestApp) {
    let w = world(app).await;
    let freja = sign_in(app, &w.freja).await;
    let path = register(app, &freja).await;
    let bifrost = sign_in(app, &w.bifrost_user).await;
    let other = register(app, &bifrost).await;
    let cm = sign_in(app, &w.cm).await;

    let (status, _, page) = post(
        app,
        &cm,
        &path,
        &format!("{path}/reject"),
        &[("reason", "  ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("reject-reason-error"), "{page}");

    let (status, _, _) = post(app, &cm, &other, &format!("{other}/approve"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Fjordline's registration of the same customer: refused, naming Bifrost.
    let (status, _, page) = post(app, &cm, &path, &format!("{path}/approve"), &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("Bifrost Data holds an approved registration"),
        "{page}"
    );

    let (status, location, _) = post(
        app,
        &cm,
        &path,
        &format!("{path}/reject"),
        &[("reason", "Bifrost registered it first.")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().ends_with("?done=rejected"));
    let (_, page) = get(app, &freja, &path).await;
    assert!(
        page.contains("Rejected") && page.contains("Bifrost registered it first."),
        "{page}"
    );

    // Partners cannot decide, and others' registrations are not found.
    let (status, _, _) = post(app, &freja, &path, &format!("{other}/approve"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(app, &freja, &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn forms_without_a_csrf_token_change_nothing(app: &TestApp) {
    let w = world(app).await;
    let freja = sign_in(app, &w.freja).await;
    let path = register(app, &freja).await;
    let cm = sign_in(app, &w.cm).await;
    let response = cm
        .post(app.url(&format!("{path}/approve")))
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, page) = get(app, &cm, &path).await;
    assert!(
        page.contains("id=\"approve-registration\""),
        "still pending"
    );
}

async fn the_admin_sets_the_protection_and_home_counts_what_waits(app: &TestApp) {
    let w = world(app).await;
    let freja = sign_in(app, &w.freja).await;
    register(app, &freja).await;
    let cm = sign_in(app, &w.cm).await;
    let (_, home) = get(app, &cm, "/").await;
    assert!(home.contains("Registrations awaiting decision"), "{home}");
    assert!(home.contains("One registration is waiting for your decision."));
    let (_, home) = get(app, &freja, "/").await;
    assert!(!home.contains("Registrations awaiting decision"));

    let admin = sign_in(app, &w.admin).await;
    let (_, page) = get(app, &admin, "/admin").await;
    assert!(page.contains("href=\"/admin/deal-registration\""));
    let (status, _, page) = post(
        app,
        &admin,
        "/admin/deal-registration",
        "/admin/deal-registration",
        &[
            ("registration_protection_days", "30"),
            ("registration_reminder_days", "45"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("value=\"45\""), "{page}");
    let (status, location, _) = post(
        app,
        &admin,
        "/admin/deal-registration",
        "/admin/deal-registration",
        &[
            ("registration_protection_days", "30"),
            ("registration_reminder_days", "7"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(app, &admin, &location.unwrap()).await;
    assert!(
        page.contains("value=\"30\"") && page.contains("value=\"7\""),
        "{page}"
    );
    // Channel managers do not reach the settings.
    let (status, _) = get(app, &cm, "/admin/deal-registration").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn danish_users_get_danish_labels(app: &TestApp) {
    let w = world(app).await;
    app.store
        .set_locale(w.freja.id(), Locale::Danish)
        .await
        .unwrap();
    app.store
        .set_locale(w.cm.id(), Locale::Danish)
        .await
        .unwrap();
    let freja = sign_in(app, &w.freja).await;
    let (_, form) = get(app, &freja, "/deal-registrations/new").await;
    for label in [
        "Registrer aftale",
        "Kunde",
        "Domæne",
        "Kontaktperson",
        "Produktinteresse",
        "Forventet beløb",
        "Forventet lukkedato",
    ] {
        assert!(form.contains(label), "{label} missing: {form}");
    }
    // A Danish form writes thousands with a dot.
    let mut fields = nordlys_form(&close_date());
    fields[6] = ("amount", "125.000,50".into());
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, location, _) = post(
        app,
        &freja,
        "/deal-registrations/new",
        "/deal-registrations",
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = get(app, &freja, &location.unwrap()).await;
    assert!(page.contains("Under behandling"), "{page}");
    assert!(page.contains("125.000,50 DKK"), "{page}");
    let cm = sign_in(app, &w.cm).await;
    let (_, list) = get(app, &cm, "/deal-registrations").await;
    assert!(
        list.contains("Aftaleregistreringer") && list.contains("Venter på afgørelse"),
        "{list}"
    );
    let path = list
        .split("href=\"/deal-registrations/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|id| id.len() == 36)
        .map(|id| format!("/deal-registrations/{id}"))
        .unwrap();
    let (_, page) = get(app, &cm, &path).await;
    assert!(
        page.contains("Konflikter") && page.contains("Godkend") && page.contains("Afvis"),
        "{page}"
    );
    assert!(page.contains("Begrundelse"));
}
