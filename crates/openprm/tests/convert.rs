//! Converting a lead (spec flow 8 over `/api/v1/leads/{id}/convert`), through
//! HTTP on both stores: into a new or an existing account, with and without an
//! opportunity; the links both ways and the timeline; what is refused (twice,
//! a lead the caller may not edit, an account they cannot see, a status not
//! marked qualified); and that a failure part-way leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use openprm_domain::{Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Method, header};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    convert_into_a_new_account_with_an_opportunity_links_everything,
    convert_into_an_existing_account_without_an_opportunity,
    converting_is_refused_twice_unqualified_uneditable_and_into_unseen_accounts,
    the_admin_marks_which_statuses_convert,
    a_failure_after_the_account_insert_leaves_nothing_behind,
    related_lists_and_timelines_respect_visibility,
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
// Leads.

/// A lead `who` creates over the API and moves to `status`; (id, version).
async fn lead_in(
    app: &TestApp,
    who: &Caller,
    company: &str,
    email: &str,
    status: &str,
) -> (String, i64) {
    let (code, lead) = post(
        app,
        who,
        "/api/v1/leads",
        json!({"name": "Mette Hansen", "company": company, "email": email, "title": "CTO", "country": "DK"}),
    )
    .await;
    assert_eq!(code, 201, "{lead}");
    let id = text(&lead["id"]);
    if status == "open_not_contacted" {
        return (id, 1);
    }
    let (code, moved) = patch(
        app,
        who,
        &format!("/api/v1/leads/{id}"),
        Some("1"),
        json!({"status": status}),
    )
    .await;
    assert_eq!(code, 200, "{moved}");
    (id, moved["version"].as_i64().unwrap())
}

async fn convert(app: &TestApp, who: &Caller, lead: &str, body: Value) -> (u16, Value) {
    post(app, who, &format!("/api/v1/leads/{lead}/convert"), body).await
}

/// Rows in a table, counted directly in the database.
async fn count(app: &TestApp, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match &app.store.db {
        openprm_store::Db::Sqlite(pool) => {
            sqlx::query_as::<_, (i64,)>(&sql)
                .fetch_one(pool)
                .await
                .unwrap()
                .0
        }
        openprm_store::Db::Postgres(pool) => {
            sqlx::query_as::<_, (i64,)>(&sql)
                .fetch_one(pool)
                .await
                .unwrap()
                .0
        }
    }
}

async fn counts(app: &TestApp) -> [i64; 3] {
    [
        count(app, "accounts").await,
        count(app, "contacts").await,
        count(app, "opportunities").await,
    ]
}

// ---------------------------------------------------------------------------
// Scenarios.

async fn convert_into_a_new_account_with_an_opportunity_links_everything(app: &TestApp) {
    let w = world(app).await;
    let (lead, version) = lead_in(
        app,
        &w.acme_user,
        "Nordlys A/S",
        "mette@nordlys.dk",
        "qualified",
    )
    .await;
    let (status, done) = convert(
        app,
        &w.acme_user,
        &lead,
        json!({"amount": "12500", "currency": "DKK"}),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let account = text(&done["account_id"]);
    let contact = text(&done["contact_id"]);
    let opportunity = text(&done["opportunity_id"]);

    let (_, now) = get(app, &w.acme_user, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(now["status"], "converted");
    assert_eq!(now["version"], version + 1);
    assert!(now["converted_at"].is_string());
    assert_eq!(now["converted_account_id"], account.as_str());
    assert_eq!(now["converted_contact_id"], contact.as_str());
    assert_eq!(now["converted_opportunity_id"], opportunity.as_str());

    let (_, a) = get(app, &w.acme_user, &format!("/api/v1/accounts/{account}")).await;
    assert_eq!(a["name"], "Nordlys A/S");
    assert_eq!(a["domain"], "nordlys.dk");
    assert_eq!(a["owner_id"], w.acme_user.id().as_str());
    assert_eq!(a["partner_id"], w.acme.id.to_string().as_str());
    let (_, c) = get(app, &w.acme_user, &format!("/api/v1/contacts/{contact}")).await;
    assert_eq!(c["name"], "Mette Hansen");
    assert_eq!(c["email"], "mette@nordlys.dk");
    assert_eq!(c["title"], "CTO");
    assert_eq!(c["lead_id"], lead.as_str());
    assert_eq!(c["account_id"], account.as_str());
    let (status, o) = get(
        app,
        &w.acme_user,
        &format!("/api/v1/opportunities/{opportunity}"),
    )
    .await;
    assert_eq!(status, 200, "{o}");
    assert_eq!(o["account_id"], account.as_str());
    assert_eq!(o["lead_id"], lead.as_str());
    assert_eq!(o["name"], "Nordlys A/S – Mette Hansen");
    assert_eq!(o["amount_minor"], 1_250_000);
    assert_eq!(o["owner_id"], w.acme_user.id().as_str());

    let (_, events) = get(app, &w.acme_user, &format!("/api/v1/leads/{lead}/timeline")).await;
    let last = events.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "converted");
    assert_eq!(last["old_value"], "qualified");

    // Read-only from now on; notes still go on its timeline.
    let (status, body) = patch(
        app,
        &w.acme_user,
        &format!("/api/v1/leads/{lead}"),
        Some(&(version + 1).to_string()),
        json!({"title": "CEO"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = post(
        app,
        &w.acme_user,
        &format!("/api/v1/leads/{lead}/notes"),
        json!({"text": "Kick-off booked"}),
    )
    .await;
    assert_eq!(status, 201);
    let (_, contacts) = get(
        app,
        &w.acme_user,
        &format!("/api/v1/contacts?account_id={account}"),
    )
    .await;
    assert_eq!(contacts["contacts"].as_array().unwrap().len(), 1);
}

async fn convert_into_an_existing_account_without_an_opportunity(app: &TestApp) {
    let w = world(app).await;
    let existing = account(
        app,
        &w.acme_user,
        json!({"name": "Nordlys", "domain": "nordlys.dk"}),
    )
    .await;
    let (lead, _) = lead_in(
        app,
        &w.acme_user,
        "Nordlys A/S",
        "mette@nordlys.dk",
        "qualified",
    )
    .await;
    let before = counts(app).await;
    let (status, done) = convert(
        app,
        &w.acme_user,
        &lead,
        json!({"account_id": existing, "create_opportunity": false}),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["account_id"], existing.as_str());
    assert_eq!(done["opportunity_id"], Value::Null);
    assert_eq!(counts(app).await, [before[0], before[1] + 1, before[2]]);
    let (_, now) = get(app, &w.acme_user, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(now["converted_opportunity_id"], Value::Null);
    // The manager converts a colleague's lead into any account of the company,
    // or into a new one owned by the lead's owner.
    let (lead, _) = lead_in(
        app,
        &w.acme_colleague,
        "Nordlys",
        "lars@nordlys.dk",
        "qualified",
    )
    .await;
    let (status, done) =
        convert(app, &w.acme_manager, &lead, json!({"account_id": existing})).await;
    assert_eq!(status, 201, "{done}");
    assert_eq!(done["account_id"], existing.as_str());
    let (lead, _) = lead_in(
        app,
        &w.acme_colleague,
        "Nordlys",
        "sara@nordlys.dk",
        "qualified",
    )
    .await;
    let (status, done) = convert(
        app,
        &w.acme_manager,
        &lead,
        json!({"account_name": "Nordlys Wind"}),
    )
    .await;
    assert_eq!(status, 201, "{done}");
    let (_, a) = get(
        app,
        &w.acme_manager,
        &format!("/api/v1/accounts/{}", text(&done["account_id"])),
    )
    .await;
    assert_eq!(a["name"], "Nordlys Wind");
    assert_eq!(
        a["owner_id"],
        w.acme_colleague.id().as_str(),
        "owned by the lead's owner"
    );
}

async fn converting_is_refused_twice_unqualified_uneditable_and_into_unseen_accounts(
    app: &TestApp,
) {
    let w = world(app).await;
    let (lead, version) = lead_in(
        app,
        &w.acme_user,
        "Nordlys",
        "mette@nordlys.dk",
        "qualified",
    )
    .await;
    let colleagues = named_account(app, &w.acme_colleague, "Fjord").await;
    let bolts = named_account(app, &w.bolt_user, "Bolt's").await;
    let before = counts(app).await;
    let mut messages = BTreeSet::new();
    for account in [
        colleagues,
        bolts,
        openprm_domain::AccountId::new().to_string(),
        "nope".to_owned(),
    ] {
        let (status, body) =
            convert(app, &w.acme_user, &lead, json!({"account_id": account})).await;
        assert_eq!(status, 422, "{body}");
        messages.insert(field_error(&body, "account_id"));
    }
    assert_eq!(messages.len(), 1, "existence does not leak: {messages:?}");
    let (status, body) = convert(
        app,
        &w.acme_user,
        &lead,
        json!({"close_date": "someday", "amount": "lots"}),
    )
    .await;
    assert_eq!(status, 422);
    field_error(&body, "close_date");
    field_error(&body, "amount");
    assert_eq!(counts(app).await, before, "nothing half-written");
    let (_, now) = get(app, &w.acme_user, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(now["version"], version);
    assert_eq!(now["status"], "qualified");

    // Someone who cannot see it: not found. Someone who sees it but may not edit it: forbidden.
    let (status, _) = convert(app, &w.acme_colleague, &lead, json!({})).await;
    assert_eq!(status, 404);
    let (status, _) = convert(app, &w.zenith_user, &lead, json!({})).await;
    assert_eq!(status, 404);
    let (code, inbox) = post(
        app,
        &w.admin,
        "/api/v1/leads",
        json!({"name": "Ib", "company": "Inbox Co", "partner_id": w.acme.id.to_string()}),
    )
    .await;
    assert_eq!(code, 201);
    let inbox = text(&inbox["id"]);
    let (code, _) = patch(
        app,
        &w.admin,
        &format!("/api/v1/leads/{inbox}"),
        Some("1"),
        json!({"status": "qualified"}),
    )
    .await;
    assert_eq!(code, 200);
    let (status, body) = convert(app, &w.acme_user, &inbox, json!({})).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    // Vendor staff may edit a lead waiting in a partner's inbox, but not convert
    // it: the partner would get records nobody there accepted.
    let (status, body) = convert(app, &w.admin, &inbox, json!({})).await;
    assert_eq!(status, 422, "{body}");
    field_error(&body, "state");
    assert_eq!(
        counts(app).await,
        before,
        "nothing written for the inbox lead"
    );

    // A status not marked qualified.
    let (open, _) = lead_in(
        app,
        &w.acme_user,
        "Open Co",
        "o@open.dk",
        "open_not_contacted",
    )
    .await;
    let (status, body) = convert(app, &w.acme_user, &open, json!({})).await;
    assert_eq!(status, 422);
    field_error(&body, "status");

    // Twice.
    let (status, _) = convert(app, &w.acme_user, &lead, json!({})).await;
    assert_eq!(status, 201);
    let after = counts(app).await;
    let (status, body) = convert(app, &w.acme_user, &lead, json!({})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "lead_already_converted");
    let (status, body) = convert(app, &w.cm_a, &lead, json!({})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(counts(app).await, after);
    // Claims and edits are refused on a converted lead too.
    let (status, _) = patch(
        app,
        &w.cm_a,
        &format!("/api/v1/leads/{lead}"),
        Some(&(version + 1).to_string()),
        json!({"status": "qualified"}),
    )
    .await;
    assert_eq!(status, 403);
}

async fn the_admin_marks_which_statuses_convert(app: &TestApp) {
    let w = world(app).await;
    let (lead, _) = lead_in(
        app,
        &w.acme_user,
        "Nordlys",
        "m@nordlys.dk",
        "working_contacted",
    )
    .await;
    let (status, _) = convert(app, &w.acme_user, &lead, json!({})).await;
    assert_eq!(status, 422);
    let (_, statuses) = get(app, &w.admin, "/api/v1/lead-statuses").await;
    let mut statuses = statuses.as_array().unwrap().clone();
    assert!(
        statuses
            .iter()
            .any(|s| s["key"] == "qualified" && s["qualified"] == true)
    );
    for s in &mut statuses {
        if s["key"] == "working_contacted" {
            s["qualified"] = json!(true);
        }
    }
    let (status, body) = call(
        app,
        &w.admin.token,
        Method::PUT,
        "/api/v1/lead-statuses",
        Some(Value::Array(statuses.clone()).to_string()),
        None,
    )
    .await;
    assert!(status < 300, "{body}");
    let (status, body) = convert(app, &w.acme_user, &lead, json!({})).await;
    assert_eq!(status, 201, "{body}");
    // The converted status can never be marked convertible.
    for s in &mut statuses {
        if s["key"] == "converted" {
            s["qualified"] = json!(true);
        }
    }
    let (status, _) = call(
        app,
        &w.admin.token,
        Method::PUT,
        "/api/v1/lead-statuses",
        Some(Value::Array(statuses).to_string()),
        None,
    )
    .await;
    assert_eq!(status, 422);
}

async fn a_failure_after_the_account_insert_leaves_nothing_behind(app: &TestApp) {
    let w = world(app).await;
    let (lead, version) = lead_in(
        app,
        &w.acme_user,
        "Nordlys",
        "mette@nordlys.dk",
        "qualified",
    )
    .await;
    // Every contact insert fails, so the conversion fails after its account insert.
    match &app.store.db {
        openprm_store::Db::Sqlite(pool) => {
            sqlx::query("CREATE TRIGGER contacts_fail BEFORE INSERT ON contacts BEGIN SELECT RAISE(ABORT, 'injected failure'); END")
                .execute(pool).await.unwrap();
        }
        openprm_store::Db::Postgres(pool) => {
            sqlx::query("CREATE FUNCTION contacts_fail() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql")
                .execute(pool).await.unwrap();
            sqlx::query("CREATE TRIGGER contacts_fail BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION contacts_fail()")
                .execute(pool).await.unwrap();
        }
    }
    let before = counts(app).await;
    let response = app
        .client()
        .post(app.url(&format!("/api/v1/leads/{lead}/convert")))
        .bearer_auth(&w.acme_user.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        500,
        "the injected failure is ours, and says nothing more"
    );
    let body = response.text().await.unwrap();
    assert!(!body.contains("injected"), "{body}");
    assert_eq!(
        counts(app).await,
        before,
        "no account, contact or opportunity was left"
    );
    let (_, now) = get(app, &w.acme_user, &format!("/api/v1/leads/{lead}")).await;
    assert_eq!(now["status"], "qualified");
    assert_eq!(now["version"], version);
    assert_eq!(now["converted_at"], Value::Null);
    let (_, events) = get(app, &w.acme_user, &format!("/api/v1/leads/{lead}/timeline")).await;
    assert!(
        !events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "converted")
    );
}

async fn related_lists_and_timelines_respect_visibility(app: &TestApp) {
    let w = world(app).await;
    let (lead, _) = lead_in(
        app,
        &w.acme_user,
        "Nordlys",
        "mette@nordlys.dk",
        "qualified",
    )
    .await;
    let (_, done) = convert(app, &w.acme_user, &lead, json!({})).await;
    let account = text(&done["account_id"]);
    let contact = text(&done["contact_id"]);
    for who in [&w.zenith_user, &w.cm_b, &w.bolt_user, &w.acme_colleague] {
        for path in [
            format!("/api/v1/accounts/{account}"),
            format!("/api/v1/contacts/{contact}"),
            format!("/api/v1/leads/{lead}/timeline"),
            format!("/api/v1/opportunities/{}", text(&done["opportunity_id"])),
        ] {
            let (status, _) = get(app, who, &path).await;
            assert_eq!(status, 404, "{path}");
        }
        let (status, list) = get(app, who, &format!("/api/v1/contacts?account_id={account}")).await;
        assert_eq!(status, 200);
        assert!(list["contacts"].as_array().unwrap().is_empty());
        assert!(account_names(app, who, "&q=nordlys").await.is_empty());
        assert!(contact_names(app, who, "&q=mette").await.is_empty());
    }
    for who in [&w.acme_manager, &w.cm_a, &w.admin] {
        let (status, _) = get(app, who, &format!("/api/v1/accounts/{account}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            contact_names(app, who, "&q=mette").await,
            set(&["Mette Hansen"])
        );
    }
}
