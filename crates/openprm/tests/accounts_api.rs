//! The accounts and contacts API (spec flow 10 over `/api/v1`), through HTTP on
//! both stores: who may create what for whom, lists with search and keyset
//! pages, `If-Match` updates, who sees what (404 for the rest, in lists,
//! search, related lists and Recent Items too), and bad input. Every answer is
//! checked on the way: never a 5xx, and every error JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use openprm_domain::{Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Method, header};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    each_role_creates_accounts_for_whom_it_may,
    partners_and_channel_managers_see_only_their_accounts,
    keyset_pages_visit_every_account_once_in_name_order,
    search_finds_name_and_domain_in_any_case,
    editing_needs_the_current_version,
    contacts_belong_to_a_visible_account_of_the_same_company,
    contacts_lists_search_and_visibility,
    opening_accounts_and_contacts_puts_them_in_recent_items_while_visible,
    bad_input_is_a_clear_4xx_and_nothing_is_written,
);

// ---------------------------------------------------------------------------
// The world every scenario starts from.

#[derive(Clone)]
struct Caller {
    user: TestUser,
    token: String,
}

impl Caller {
    fn id(&self) -> String {
        self.user.id().to_string()
    }
}

/// Carl manages Acme and Bolt, Bea manages Zenith.
struct World {
    admin: Caller,
    cm_a: Caller,
    cm_b: Caller,
    acme: Partner,
    acme_manager: Caller,
    acme_user: Caller,
    acme_colleague: Caller,
    bolt_user: Caller,
    zenith_user: Caller,
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
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm_a.user.id()))
        .await;
    let bolt = app
        .partner("Bolt Integrators", Tier::Silver, Some(cm_a.user.id()))
        .await;
    let zenith = app
        .partner("Zenith Systems", Tier::Platinum, Some(cm_b.user.id()))
        .await;
    World {
        acme_manager: caller(app, "Mona Acme", Role::PartnerManager, Some(&acme)).await,
        acme_user: caller(app, "Uffe Acme", Role::PartnerUser, Some(&acme)).await,
        acme_colleague: caller(app, "Cleo Acme", Role::PartnerUser, Some(&acme)).await,
        bolt_user: caller(app, "Bo Bolt", Role::PartnerUser, Some(&bolt)).await,
        zenith_user: caller(app, "Zoe Zenith", Role::PartnerUser, Some(&zenith)).await,
        admin,
        cm_a,
        cm_b,
        acme,
    }
}

// ---------------------------------------------------------------------------
// HTTP.

async fn call(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<String>,
    if_match: Option<&str>,
) -> (u16, Value) {
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body);
    }
    if let Some(version) = if_match {
        request = request.header(header::IF_MATCH, version);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap();
    assert!(status < 500, "{method} {path}: {status}: {text}");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text.clone()))
    };
    if status >= 400 {
        assert!(
            content_type.starts_with("application/json"),
            "{method} {path}: {status} must be a JSON error: {text}"
        );
        assert!(
            json["error"]["code"].is_string() && json["error"]["message"].is_string(),
            "{method} {path}: not the spec's error shape: {text}"
        );
    }
    (status, json)
}

async fn get(app: &TestApp, who: &Caller, path: &str) -> (u16, Value) {
    call(app, &who.token, Method::GET, path, None, None).await
}

async fn post(app: &TestApp, who: &Caller, path: &str, body: Value) -> (u16, Value) {
    call(
        app,
        &who.token,
        Method::POST,
        path,
        Some(body.to_string()),
        None,
    )
    .await
}

async fn patch(
    app: &TestApp,
    who: &Caller,
    path: &str,
    version: Option<&str>,
    body: Value,
) -> (u16, Value) {
    call(
        app,
        &who.token,
        Method::PATCH,
        path,
        Some(body.to_string()),
        version,
    )
    .await
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {value}"))
        .to_owned()
}

/// An account made over the API; its id.
async fn account(app: &TestApp, who: &Caller, body: Value) -> String {
    let (status, created) = post(app, who, "/api/v1/accounts", body.clone()).await;
    assert_eq!(status, 201, "create account {body}: {created}");
    text(&created["id"])
}

async fn named_account(app: &TestApp, who: &Caller, name: &str) -> String {
    account(app, who, json!({ "name": name })).await
}

/// Every account name a caller sees in one list call.
async fn account_names(app: &TestApp, who: &Caller, query: &str) -> BTreeSet<String> {
    let (status, list) = get(app, who, &format!("/api/v1/accounts?limit=200{query}")).await;
    assert_eq!(status, 200, "{list}");
    list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(&a["name"]))
        .collect()
}

async fn contact_names(app: &TestApp, who: &Caller, query: &str) -> BTreeSet<String> {
    let (status, list) = get(app, who, &format!("/api/v1/contacts?limit=200{query}")).await;
    assert_eq!(status, 200, "{list}");
    list["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| text(&a["name"]))
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

fn field_error(body: &Value, field: &str) -> String {
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    body["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no error for {field}: {body}"))
        .to_owned()
}

// ---------------------------------------------------------------------------
// Scenarios.

async fn each_role_creates_accounts_for_whom_it_may(app: &TestApp) {
    let w = world(app).await;
    let acme = w.acme.id.to_string();

    // A partner user owns what they create, for their company.
    let (status, own) = post(
        app,
        &w.acme_user,
        "/api/v1/accounts",
        json!({"name": " Nordlys A/S ", "domain": "https://www.Nordlys.DK/om", "country": "dk"}),
    )
    .await;
    assert_eq!(status, 201, "{own}");
    assert_eq!(own["name"], "Nordlys A/S");
    assert_eq!(own["domain"], "nordlys.dk");
    assert_eq!(own["country"], "DK");
    assert_eq!(own["partner_id"], acme.as_str());
    assert_eq!(own["owner_id"], w.acme_user.id().as_str());
    assert_eq!(own["version"], 1);
    // …and cannot give it to someone else.
    let (status, body) = post(
        app,
        &w.acme_user,
        "/api/v1/accounts",
        json!({"name": "Gift", "owner_id": w.acme_colleague.id()}),
    )
    .await;
    assert_eq!(status, 422);
    field_error(&body, "owner_id");

    // A partner manager creates for a colleague of their company, not another's.
    let (status, managed) = post(
        app,
        &w.acme_manager,
        "/api/v1/accounts",
        json!({"name": "Fjord Energi", "owner_id": w.acme_colleague.id()}),
    )
    .await;
    assert_eq!(status, 201, "{managed}");
    assert_eq!(managed["owner_id"], w.acme_colleague.id().as_str());
    assert_eq!(managed["partner_id"], acme.as_str());
    let (status, body) = post(
        app,
        &w.acme_manager,
        "/api/v1/accounts",
        json!({"name": "Poach", "owner_id": w.bolt_user.id()}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    field_error(&body, "owner_id");

    // A channel manager creates for a user of a partner they manage; a partner
    // they do not manage is unknown to them.
    let (status, by_cm) = post(
        app,
        &w.cm_a,
        "/api/v1/accounts",
        json!({"name": "Havn Logistik", "partner_id": acme, "owner_id": w.acme_user.id()}),
    )
    .await;
    assert_eq!(status, 201, "{by_cm}");
    assert_eq!(by_cm["owner_id"], w.acme_user.id().as_str());
    let (status, body) = post(
        app,
        &w.cm_b,
        "/api/v1/accounts",
        json!({"name": "Not mine", "partner_id": acme, "owner_id": w.acme_user.id()}),
    )
    .await;
    assert_eq!(status, 422);
    field_error(&body, "partner_id");
    let (status, body) = post(
        app,
        &w.cm_a,
        "/api/v1/accounts",
        json!({"name": "No owner", "partner_id": acme}),
    )
    .await;
    assert_eq!(status, 422);
    field_error(&body, "owner_id");
    let (status, body) = post(
        app,
        &w.cm_a,
        "/api/v1/accounts",
        json!({"name": "Wrong pair", "partner_id": acme, "owner_id": w.bolt_user.id()}),
    )
    .await;
    assert_eq!(status, 422);
    field_error(&body, "owner_id");

    // The admin's own accounts belong to the vendor.
    let (status, vendor) = post(
        app,
        &w.admin,
        "/api/v1/accounts",
        json!({"name": "Vendor Direct", "website": "vendor-direct.com"}),
    )
    .await;
    assert_eq!(status, 201, "{vendor}");
    assert_eq!(vendor["partner_id"], Value::Null);
    assert_eq!(vendor["owner_id"], w.admin.id().as_str());
    assert_eq!(vendor["website"], "https://vendor-direct.com");
    assert_eq!(
        vendor["domain"], "vendor-direct.com",
        "taken from the website"
    );

    // What was refused was not written.
    assert_eq!(
        account_names(app, &w.admin, "").await,
        set(&[
            "Nordlys A/S",
            "Fjord Energi",
            "Havn Logistik",
            "Vendor Direct"
        ])
    );
}

async fn partners_and_channel_managers_see_only_their_accounts(app: &TestApp) {
    let w = world(app).await;
    let mine = named_account(app, &w.acme_user, "Uffe's Account").await;
    named_account(app, &w.acme_colleague, "Cleo's Account").await;
    let bolts = named_account(app, &w.bolt_user, "Bolt's Account").await;
    let zeniths = named_account(app, &w.zenith_user, "Zenith's Account").await;
    named_account(app, &w.admin, "Vendor's Account").await;

    assert_eq!(
        account_names(app, &w.acme_user, "").await,
        set(&["Uffe's Account"])
    );
    assert_eq!(
        account_names(app, &w.acme_manager, "").await,
        set(&["Uffe's Account", "Cleo's Account"])
    );
    assert_eq!(
        account_names(app, &w.cm_a, "").await,
        set(&[
            "Uffe's Account",
            "Cleo's Account",
            "Bolt's Account",
            "Vendor's Account"
        ])
    );
    assert_eq!(
        account_names(app, &w.cm_b, "").await,
        set(&["Zenith's Account", "Vendor's Account"])
    );
    assert_eq!(account_names(app, &w.admin, "").await.len(), 5);
    assert_eq!(
        account_names(app, &w.acme_manager, "&view=mine").await,
        BTreeSet::new()
    );
    // Search does not reach past the scope either.
    assert_eq!(
        account_names(app, &w.acme_user, "&q=account").await,
        set(&["Uffe's Account"])
    );

    // Not found, never forbidden: read and write alike.
    for (who, id) in [
        (&w.bolt_user, &mine),
        (&w.acme_colleague, &mine),
        (&w.cm_b, &mine),
        (&w.acme_manager, &bolts),
        (&w.cm_a, &zeniths),
    ] {
        let path = format!("/api/v1/accounts/{id}");
        let (status, body) = get(app, who, &path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["error"]["code"], "not_found");
        let (status, _) = patch(app, who, &path, Some("1"), json!({"name": "Mine now"})).await;
        assert_eq!(status, 404);
    }
    for who in [&w.acme_user, &w.acme_manager, &w.cm_a, &w.admin] {
        let (status, _) = get(app, who, &format!("/api/v1/accounts/{mine}")).await;
        assert_eq!(status, 200);
    }
    let (status, body) = get(app, &w.admin, &format!("/api/v1/accounts/{mine}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Uffe's Account");
}

async fn keyset_pages_visit_every_account_once_in_name_order(app: &TestApp) {
    let w = world(app).await;
    let names = [
        "delta", "Alfa", "charlie", "Bravo", "echo", "Æble", "alfa", "Foxtrot",
    ];
    for name in names {
        named_account(app, &w.acme_user, name).await;
    }
    named_account(app, &w.bolt_user, "Bolt only").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            None => "/api/v1/accounts?limit=3".to_owned(),
            Some(c) => format!("/api/v1/accounts?limit=3&cursor={c}"),
        };
        let (status, page) = get(app, &w.acme_user, &path).await;
        assert_eq!(status, 200, "{page}");
        let rows = page["accounts"].as_array().unwrap();
        assert!(rows.len() <= 3);
        seen.extend(rows.iter().map(|r| text(&r["name"])));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages < 10, "pages never end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), names.len(), "each once: {seen:?}");
    let keys: Vec<String> = seen.iter().map(|n| n.to_lowercase()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    // ASCII names in case-blind order; where Æ falls depends on the backend's collation.
    let ascii: Vec<&String> = keys.iter().filter(|k| k.is_ascii()).collect();
    let ascii_sorted: Vec<&String> = sorted.iter().filter(|k| k.is_ascii()).collect();
    assert_eq!(ascii, ascii_sorted);
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), names.len());

    // A cursor from another list or made up is a clear 422.
    let (status, body) = get(app, &w.acme_user, "/api/v1/accounts?cursor=bm9wZQ").await;
    assert_eq!(status, 422);
    field_error(&body, "cursor");
}

async fn search_finds_name_and_domain_in_any_case(app: &TestApp) {
    let w = world(app).await;
    account(
        app,
        &w.acme_user,
        json!({"name": "Æblegården ApS", "domain": "aeble.dk"}),
    )
    .await;
    account(
        app,
        &w.acme_user,
        json!({"name": "Nordlys A/S", "domain": "nordlys.dk"}),
    )
    .await;
    account(app, &w.acme_user, json!({"name": "100% Solar"})).await;
    assert_eq!(
        account_names(app, &w.acme_user, "&q=%C3%A6BLEG%C3%85RDEN").await,
        set(&["Æblegården ApS"])
    );
    assert_eq!(
        account_names(app, &w.acme_user, "&q=NORDLYS.dk").await,
        set(&["Nordlys A/S"])
    );
    assert_eq!(
        account_names(app, &w.acme_user, "&q=aeble").await,
        set(&["Æblegården ApS"]),
        "by domain"
    );
    assert_eq!(
        account_names(app, &w.acme_user, "&q=%25").await,
        set(&["100% Solar"]),
        "a % is taken literally"
    );
    assert_eq!(
        account_names(app, &w.acme_user, "&q=_").await,
        BTreeSet::new()
    );
}

async fn editing_needs_the_current_version(app: &TestApp) {
    let w = world(app).await;
    let id = named_account(app, &w.acme_user, "Nordlys").await;
    let path = format!("/api/v1/accounts/{id}");
    let (status, body) = patch(app, &w.acme_user, &path, None, json!({"city": "Aarhus"})).await;
    assert_eq!(status, 422, "{body}");
    field_error(&body, "If-Match");
    let (status, body) = patch(
        app,
        &w.acme_user,
        &path,
        Some("abc"),
        json!({"city": "Aarhus"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");

    let (status, saved) = patch(
        app,
        &w.acme_user,
        &path,
        Some("1"),
        json!({"city": "Aarhus", "industry": "Energy"}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["city"], "Aarhus");
    assert_eq!(saved["name"], "Nordlys", "a missing field keeps its value");

    // The manager saves next; the owner's stale save is refused and changes nothing.
    let (status, _) = patch(
        app,
        &w.acme_manager,
        &path,
        Some("\"2\""),
        json!({"industry": null}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = patch(
        app,
        &w.acme_user,
        &path,
        Some("2"),
        json!({"city": "Odense"}),
    )
    .await;
    assert_eq!(status, 412, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");
    let (_, now) = get(app, &w.acme_user, &path).await;
    assert_eq!(now["city"], "Aarhus");
    assert_eq!(now["industry"], Value::Null);
    assert_eq!(now["version"], 3);

    // Nothing to change is no new version.
    let (status, same) = patch(
        app,
        &w.acme_user,
        &path,
        Some("3"),
        json!({"city": "Aarhus"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(same["version"], 3);
    // The channel manager of the partner may edit; clearing the name may not.
    let (status, body) = patch(app, &w.cm_a, &path, Some("3"), json!({"name": ""})).await;
    assert_eq!(status, 422);
    assert_eq!(field_error(&body, "name"), "Required.");
    let (status, _) = patch(
        app,
        &w.cm_a,
        &path,
        Some("3"),
        json!({"phone": "+45 70 20 30 40"}),
    )
    .await;
    assert_eq!(status, 200);
}

async fn contacts_belong_to_a_visible_account_of_the_same_company(app: &TestApp) {
    let w = world(app).await;
    let own = named_account(app, &w.acme_user, "Nordlys").await;
    let colleagues = named_account(app, &w.acme_colleague, "Fjord").await;
    let bolts = named_account(app, &w.bolt_user, "Bolt's").await;
    let vendors = named_account(app, &w.admin, "Vendor's").await;

    let (status, contact) = post(
        app,
        &w.acme_user,
        "/api/v1/contacts",
        json!({"name": "Mette Hansen", "account_id": own, "email": "Mette@Nordlys.DK", "title": "CTO"}),
    )
    .await;
    assert_eq!(status, 201, "{contact}");
    assert_eq!(contact["account_id"], own.as_str());
    assert_eq!(contact["account_name"], "Nordlys");
    assert_eq!(contact["email"], "mette@nordlys.dk");
    assert_eq!(contact["owner_id"], w.acme_user.id().as_str());

    // An account one cannot see, whether it exists or not, is the same 422.
    let mut answers = BTreeSet::new();
    for account in [
        colleagues.clone(),
        bolts.clone(),
        vendors.clone(),
        openprm_domain::AccountId::new().to_string(),
    ] {
        let (status, body) = post(
            app,
            &w.acme_user,
            "/api/v1/contacts",
            json!({"name": "Sneaky", "account_id": account}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        answers.insert(field_error(&body, "account_id"));
    }
    assert_eq!(answers.len(), 1, "existence does not leak: {answers:?}");
    // The manager sees the colleague's account but may not hang a vendor
    // account's contact on it; the admin may not mix companies either.
    let (status, body) = post(
        app,
        &w.admin,
        "/api/v1/contacts",
        json!({"name": "Mixed", "account_id": own}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    field_error(&body, "account_id");
    let (status, _) = post(
        app,
        &w.admin,
        "/api/v1/contacts",
        json!({"name": "Vendor person", "account_id": vendors}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = post(
        app,
        &w.acme_manager,
        "/api/v1/contacts",
        json!({"name": "Lars", "account_id": colleagues, "owner_id": w.acme_colleague.id()}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        contact_names(app, &w.acme_user, "").await,
        set(&["Mette Hansen"])
    );

    // Moving a contact to an invisible account is refused; to none is fine.
    let path = format!("/api/v1/contacts/{}", text(&contact["id"]));
    let (status, body) = patch(
        app,
        &w.acme_user,
        &path,
        Some("1"),
        json!({"account_id": bolts}),
    )
    .await;
    assert_eq!(status, 422);
    field_error(&body, "account_id");
    let (status, moved) = patch(
        app,
        &w.acme_user,
        &path,
        Some("1"),
        json!({"account_id": ""}),
    )
    .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["account_id"], Value::Null);
    assert_eq!(moved["version"], 2);
}

async fn contacts_lists_search_and_visibility(app: &TestApp) {
    let w = world(app).await;
    let own = named_account(app, &w.acme_user, "Nordlys").await;
    for (name, email) in [
        ("Mette Hansen", "mette@nordlys.dk"),
        ("Søren Østergård", "soren@nordlys.dk"),
        ("Anna Berg", "anna@other.dk"),
    ] {
        let (status, body) = post(
            app,
            &w.acme_user,
            "/api/v1/contacts",
            json!({"name": name, "email": email, "account_id": own}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, zoe) = post(
        app,
        &w.zenith_user,
        "/api/v1/contacts",
        json!({"name": "Zenith Person", "email": "z@nordlys.dk"}),
    )
    .await;
    let zoes = text(&zoe["id"]);

    assert_eq!(
        contact_names(app, &w.acme_user, "&q=NORDLYS").await,
        set(&["Mette Hansen", "Søren Østergård"])
    );
    assert_eq!(
        contact_names(app, &w.acme_user, "&q=%C3%B8STERG").await,
        set(&["Søren Østergård"])
    );
    assert_eq!(
        contact_names(app, &w.acme_user, &format!("&account_id={own}"))
            .await
            .len(),
        3
    );
    assert_eq!(
        contact_names(app, &w.zenith_user, &format!("&account_id={own}")).await,
        BTreeSet::new(),
        "another company's account has no contacts for them"
    );
    assert_eq!(contact_names(app, &w.cm_a, "").await.len(), 3);
    assert_eq!(
        contact_names(app, &w.cm_b, "").await,
        set(&["Zenith Person"])
    );
    let (status, _) = get(app, &w.acme_manager, &format!("/api/v1/contacts/{zoes}")).await;
    assert_eq!(status, 404);
    let (status, _) = get(app, &w.cm_a, &format!("/api/v1/contacts/{zoes}")).await;
    assert_eq!(status, 404);

    // Pages of two walk all three once.
    let (_, first) = get(app, &w.acme_user, "/api/v1/contacts?limit=2").await;
    assert_eq!(first["contacts"].as_array().unwrap().len(), 2);
    let cursor = text(&first["next_cursor"]);
    let (_, second) = get(
        app,
        &w.acme_user,
        &format!("/api/v1/contacts?limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["contacts"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(second["contacts"][0]["name"], "Søren Østergård");
    let (status, body) = get(
        app,
        &w.acme_user,
        &format!("/api/v1/accounts?cursor={cursor}"),
    )
    .await;
    assert_eq!(status, 422, "a contact cursor is no account cursor: {body}");
}

async fn opening_accounts_and_contacts_puts_them_in_recent_items_while_visible(app: &TestApp) {
    let w = world(app).await;
    let id = named_account(app, &w.acme_user, "Nordlys").await;
    let (_, contact) = post(
        app,
        &w.acme_user,
        "/api/v1/contacts",
        json!({"name": "Mette Hansen", "account_id": id}),
    )
    .await;
    let contact = text(&contact["id"]);
    for who in [&w.acme_user, &w.cm_a] {
        get(app, who, &format!("/api/v1/accounts/{id}")).await;
        get(app, who, &format!("/api/v1/contacts/{contact}")).await;
    }
    let recent = |who: Caller| async move {
        let (status, items) = get(app, &who, "/api/v1/recent-items").await;
        assert_eq!(status, 200);
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (text(&i["kind"]), text(&i["id"]), text(&i["title"])))
            .collect::<Vec<_>>()
    };
    let items = recent(w.acme_user.clone()).await;
    assert_eq!(
        items[0],
        ("contact".into(), contact.clone(), "Mette Hansen".into())
    );
    assert_eq!(items[1], ("account".into(), id.clone(), "Nordlys".into()));

    // Handed to the colleague, they drop out of Uffe's Recent Items, not Carl's.
    let sql_account = "UPDATE accounts SET owner_id = $1";
    let sql_contact = "UPDATE contacts SET owner_id = $1";
    let colleague = w.acme_colleague.user.id().0;
    match &app.store.db {
        openprm_store::Db::Sqlite(pool) => {
            sqlx::query(sql_account)
                .bind(colleague)
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(sql_contact)
                .bind(colleague)
                .execute(pool)
                .await
                .unwrap();
        }
        openprm_store::Db::Postgres(pool) => {
            sqlx::query(sql_account)
                .bind(colleague)
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(sql_contact)
                .bind(colleague)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    assert!(recent(w.acme_user.clone()).await.is_empty());
    assert_eq!(recent(w.cm_a.clone()).await.len(), 2);
    let (status, _) = get(app, &w.acme_user, &format!("/api/v1/contacts/{contact}")).await;
    assert_eq!(status, 404);
}

async fn bad_input_is_a_clear_4xx_and_nothing_is_written(app: &TestApp) {
    let w = world(app).await;
    let (status, body) = post(
        app,
        &w.acme_user,
        "/api/v1/accounts",
        json!({
            "name": "x".repeat(161),
            "domain": "not a domain",
            "phone": "call me",
            "website": "javascript:alert(1)",
            "country": "Denmark",
            "city": "K\u{0}benhavn",
        }),
    )
    .await;
    assert!(status == 422 || status == 400, "{status}: {body}");
    let (status, body) = post(
        app,
        &w.acme_user,
        "/api/v1/accounts",
        json!({
            "name": "x".repeat(161),
            "domain": "not a domain",
            "phone": "call me",
            "website": "javascript:alert(1)",
            "country": "Denmark",
        }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    for field in ["name", "domain", "phone", "website", "country"] {
        field_error(&body, field);
    }
    for (path, raw) in [
        ("/api/v1/accounts", "{"),
        ("/api/v1/accounts", "[]"),
        ("/api/v1/accounts", r#"{"name": 5}"#),
        ("/api/v1/accounts", r#"{"name": "A", "owner_id": "nope"}"#),
        ("/api/v1/contacts", r#"{"name": "A", "account_id": 7}"#),
        ("/api/v1/contacts", r#"{"name": "A", "account_id": "nope"}"#),
        ("/api/v1/contacts", r#"{"email": "x"}"#),
    ] {
        let (status, body) = call(
            app,
            &w.acme_user.token,
            Method::POST,
            path,
            Some(raw.to_owned()),
            None,
        )
        .await;
        assert!(
            status == 400 || status == 422,
            "{path} {raw}: {status} {body}"
        );
    }
    for query in [
        "?limit=abc",
        "?limit=0",
        "?limit=500",
        "?view=everyone",
        "?cursor=%00",
        "?q=%00",
        "?account_id=nope",
    ] {
        for list in ["/api/v1/accounts", "/api/v1/contacts"] {
            let (status, body) = get(app, &w.acme_user, &format!("{list}{query}")).await;
            if list == "/api/v1/accounts" && query == "?account_id=nope" {
                assert_eq!(status, 200, "an unknown parameter is ignored");
                continue;
            }
            assert_eq!(status, 422, "{list}{query}: {body}");
        }
    }
    for path in ["/api/v1/accounts/nope", "/api/v1/contacts/123"] {
        let (status, _) = get(app, &w.acme_user, path).await;
        assert_eq!(status, 404);
    }
    assert!(account_names(app, &w.admin, "").await.is_empty());
    assert!(contact_names(app, &w.admin, "").await.is_empty());
}
