//! The leads API (spec flows 4–7 over `/api/v1`), through HTTP on both stores:
//! creating and placing leads, the list views with search, filters, sorting and
//! keyset pages, Recent Items, editing with `If-Match` and the timeline, claiming
//! and releasing under the admin's claim rules, the inbox, who sees what, and bad
//! input. Every answer is checked on the way: never a 5xx, and every error JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openprm_domain::{Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Method, header};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    vendor_places_leads_and_partners_create_their_own,
    invalid_leads_are_refused_field_by_field_and_nothing_is_written,
    list_views_show_each_role_its_own_leads,
    search_status_filter_and_sorting,
    keyset_pages_visit_every_lead_once_in_order,
    opening_a_lead_puts_it_in_recent_items_newest_first,
    editing_needs_the_current_version_and_writes_the_timeline,
    product_interest_is_created_edited_cleared_and_in_the_timeline,
    partner_user_claims_a_queue_lead_then_releases_it,
    claim_rules_are_the_admins_and_are_validated,
    open_at_once_rule_per_user_frees_on_release,
    partner_rule_counts_colleagues_and_spares_other_partners,
    window_rule_counts_released_claims_until_the_window_passes,
    tier_and_partner_overrides_change_the_maximum,
    a_rule_for_one_queue_does_not_limit_another,
    inbox_leads_are_accepted_or_declined_with_a_reason,
    partners_never_reach_another_partners_leads,
    channel_managers_see_their_partners_and_unassigned_leads,
    recent_items_drop_a_lead_claimed_by_another_partner,
    bad_input_is_a_clear_4xx_never_a_5xx,
    forged_cursor_times_are_refused_as_invalid_cursors,
);

// ---------------------------------------------------------------------------
// The world every scenario starts from.

/// A user and their API token.
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

/// Two channel managers: Acme and Bolt belong to A, Zenith to B. Acme and Bolt
/// are members of the queue East, Zenith of North.
struct World {
    admin: Caller,
    cm_a: Caller,
    cm_b: Caller,
    acme: Partner,
    bolt: Partner,
    zenith: Partner,
    acme_manager: Caller,
    acme_user: Caller,
    acme_colleague: Caller,
    bolt_user: Caller,
    zenith_manager: Caller,
    zenith_user: Caller,
    east: String,
    north: String,
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
    let acme_manager = caller(app, "Mona Acme", Role::PartnerManager, Some(&acme)).await;
    let acme_user = caller(app, "Uffe Acme", Role::PartnerUser, Some(&acme)).await;
    let acme_colleague = caller(app, "Cleo Acme", Role::PartnerUser, Some(&acme)).await;
    let bolt_user = caller(app, "Bo Bolt", Role::PartnerUser, Some(&bolt)).await;
    let zenith_manager = caller(app, "Max Zenith", Role::PartnerManager, Some(&zenith)).await;
    let zenith_user = caller(app, "Zoe Zenith", Role::PartnerUser, Some(&zenith)).await;
    let east = queue(app, &admin, "Trade show East", &[&acme, &bolt]).await;
    let north = queue(app, &admin, "North", &[&zenith]).await;
    World {
        admin,
        cm_a,
        cm_b,
        acme,
        bolt,
        zenith,
        acme_manager,
        acme_user,
        acme_colleague,
        bolt_user,
        zenith_manager,
        zenith_user,
        east,
        north,
    }
}

/// A queue made over the API by the admin; its id.
async fn queue(app: &TestApp, admin: &Caller, name: &str, members: &[&Partner]) -> String {
    let members: Vec<String> = members.iter().map(|p| p.id.to_string()).collect();
    let (status, body) = post(
        app,
        admin,
        "/api/v1/queues",
        json!({"name": name, "members": members}),
    )
    .await;
    assert_eq!(status, 201, "create queue {name}: {body}");
    text(&body["id"])
}

// ---------------------------------------------------------------------------
// HTTP.

/// One API call. Every answer is checked: never a 5xx, and an error is the
/// spec's JSON error with a code and a message.
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
        // As bytes, so a test can send a value that is not ASCII.
        let value = header::HeaderValue::from_bytes(version.as_bytes()).unwrap();
        request = request.header(header::IF_MATCH, value);
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
            "{method} {path}: {status} must be a JSON error, got {content_type:?}: {text}"
        );
        let message = json["error"]["message"].as_str().unwrap_or_default();
        assert!(
            json["error"]["code"].is_string() && !message.is_empty(),
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
    id: &str,
    version: Option<&str>,
    body: Value,
) -> (u16, Value) {
    call(
        app,
        &who.token,
        Method::PATCH,
        &format!("/api/v1/leads/{id}"),
        Some(body.to_string()),
        version,
    )
    .await
}

/// A lead action without a body: claim, release, accept.
async fn act(app: &TestApp, who: &Caller, id: &str, action: &str) -> (u16, Value) {
    call(
        app,
        &who.token,
        Method::POST,
        &format!("/api/v1/leads/{id}/{action}"),
        None,
        None,
    )
    .await
}

async fn claim(app: &TestApp, who: &Caller, id: &str) -> (u16, Value) {
    act(app, who, id, "claim").await
}

async fn put_rules(app: &TestApp, who: &Caller, rules: Value) -> (u16, Value) {
    call(
        app,
        &who.token,
        Method::PUT,
        "/api/v1/claim-rules",
        Some(rules.to_string()),
        None,
    )
    .await
}

async fn set_rules(app: &TestApp, w: &World, rules: Value) {
    let (status, body) = put_rules(app, &w.admin, rules).await;
    assert_eq!(status, 200, "PUT claim-rules: {body}");
}

fn text(value: &Value) -> String {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
        .to_owned()
}

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// The fields a validation error names.
fn fields(body: &Value) -> BTreeSet<String> {
    body["error"]["fields"]
        .as_object()
        .map(|f| f.keys().cloned().collect())
        .unwrap_or_default()
}

fn set<S: AsRef<str>>(ids: &[S]) -> BTreeSet<String> {
    ids.iter().map(|s| s.as_ref().to_owned()).collect()
}

/// A list of one id, to compare a view with.
fn one(id: &str) -> Vec<String> {
    vec![id.to_owned()]
}

fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list}"))
        .iter()
        .map(|item| text(&item["id"]))
        .collect()
}

/// A lead body with the two required fields.
fn lead(name: &str, company: &str) -> Value {
    json!({"name": name, "company": company})
}

/// Creates a lead (asserting 201) and returns it.
async fn create(app: &TestApp, who: &Caller, body: Value) -> Value {
    let (status, lead) = post(app, who, "/api/v1/leads", body.clone()).await;
    assert_eq!(status, 201, "{}: create {body}: {lead}", who.user.email);
    lead
}

/// Creates a lead and returns its id.
async fn create_id(app: &TestApp, who: &Caller, body: Value) -> String {
    text(&create(app, who, body).await["id"])
}

/// Creates a lead in a queue and returns its id.
async fn in_queue(app: &TestApp, w: &World, queue: &str, name: &str) -> String {
    let mut body = lead(name, &format!("{name} Ltd"));
    body["queue_id"] = json!(queue);
    create_id(app, &w.admin, body).await
}

/// One list view as ids (a single page of up to 200), asserting 200.
async fn view(app: &TestApp, who: &Caller, query: &str) -> Vec<String> {
    let (status, body) = get(app, who, &format!("/api/v1/leads?limit=200&{query}")).await;
    assert_eq!(status, 200, "{}: leads?{query}: {body}", who.user.email);
    ids_of(&body["leads"])
}

async fn view_set(app: &TestApp, who: &Caller, query: &str) -> BTreeSet<String> {
    set(&view(app, who, query).await)
}

async fn view_status(app: &TestApp, who: &Caller, query: &str) -> u16 {
    get(app, who, &format!("/api/v1/leads?{query}")).await.0
}

async fn read(app: &TestApp, who: &Caller, id: &str) -> Value {
    let (status, body) = get(app, who, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(status, 200, "{}: GET lead {id}: {body}", who.user.email);
    body
}

async fn timeline(app: &TestApp, who: &Caller, id: &str) -> Vec<Value> {
    let (status, body) = get(app, who, &format!("/api/v1/leads/{id}/timeline")).await;
    assert_eq!(status, 200, "{}: timeline of {id}: {body}", who.user.email);
    body.as_array().unwrap().clone()
}

fn kinds(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| text(&e["kind"])).collect()
}

/// The ids in the caller's Recent Items, in order.
async fn recent(app: &TestApp, who: &Caller) -> Vec<String> {
    let (status, body) = get(app, who, "/api/v1/recent-items").await;
    assert_eq!(status, 200, "recent items: {body}");
    ids_of(&body)
}

fn minutes(n: i64) -> time::Duration {
    time::Duration::minutes(n)
}

// ---------------------------------------------------------------------------
// Creating leads.

async fn vendor_places_leads_and_partners_create_their_own(app: &TestApp) {
    let w = world(app).await;

    let unassigned = create(
        app,
        &w.admin,
        json!({"name": "Mette Hansen", "company": "Nordlys A/S", "email": "Mette@Nordlys.DK",
               "country": "dk", "source": "Trade Show", "rating": "hot"}),
    )
    .await;
    assert_eq!(unassigned["state"], "unassigned");
    assert_eq!(unassigned["version"], 1);
    assert_eq!(unassigned["status"], "open_not_contacted");
    assert_eq!(unassigned["email"], "mette@nordlys.dk");
    assert_eq!(unassigned["country"], "DK");
    assert_eq!(unassigned["source"], "trade_show");
    assert_eq!(unassigned["rating"], "hot");
    for absent in ["queue_id", "partner_id", "owner_id", "claimed_at"] {
        assert!(unassigned[absent].is_null(), "{absent}: {unassigned}");
    }

    let mut body = lead("Queued Quinn", "Quay ApS");
    body["queue_id"] = json!(w.east);
    let queued = create(app, &w.admin, body).await;
    assert_eq!(queued["state"], "in_queue");
    assert_eq!(queued["queue_id"], json!(w.east));
    assert_eq!(queued["queue_name"], "Trade show East");
    assert!(queued["owner_id"].is_null() && queued["partner_id"].is_null());

    let mut body = lead("Inbox Ines", "Partner Routed A/S");
    body["partner_id"] = json!(w.acme.id);
    let routed = create(app, &w.cm_a, body).await;
    assert_eq!(routed["state"], "inbox");
    assert_eq!(routed["partner_id"], json!(w.acme.id));
    assert_eq!(routed["partner_name"], "Acme Resellers");
    assert!(routed["owner_id"].is_null());

    let mut body = lead("Direct Dina", "User Routed ApS");
    body["owner_id"] = json!(w.acme_user.id());
    let direct = create(app, &w.admin, body).await;
    assert_eq!(direct["state"], "inbox");
    assert_eq!(direct["owner_id"], json!(w.acme_user.id()));
    assert_eq!(direct["owner_name"], "Uffe Acme");
    assert_eq!(direct["partner_id"], json!(w.acme.id));

    let own = create(
        app,
        &w.acme_user,
        json!({"name": "Found Freja", "company": "Self Sourced", "status": "working_contacted"}),
    )
    .await;
    assert_eq!(own["state"], "owned");
    assert_eq!(own["owner_id"], json!(w.acme_user.id()));
    assert_eq!(own["partner_id"], json!(w.acme.id));
    assert_eq!(own["status"], "working_contacted");

    // Each of them reads back as it was created.
    for created in [&unassigned, &queued, &routed, &direct] {
        let id = text(&created["id"]);
        assert_eq!(&read(app, &w.admin, &id).await, created);
    }
    assert_eq!(read(app, &w.acme_user, &text(&own["id"])).await, own);

    // A destination the vendor may not use is named.
    let mut body = lead("Elsewhere", "Zenith's Customer");
    body["partner_id"] = json!(w.zenith.id);
    let (status, error) = post(app, &w.cm_a, "/api/v1/leads", body).await;
    assert_eq!(
        status, 422,
        "a channel manager routes to another's partner: {error}"
    );
    assert_eq!(fields(&error), set(&["partner_id"]));
    for (field, value) in [
        ("queue_id", json!(openprm_domain::QueueId::new())),
        ("partner_id", json!(openprm_domain::PartnerId::new())),
        ("owner_id", json!(openprm_domain::UserId::new())),
        ("owner_id", json!(w.cm_b.id())),
    ] {
        let mut body = lead("Nowhere", "Nowhere Inc");
        body[field] = value.clone();
        let (status, error) = post(app, &w.admin, "/api/v1/leads", body).await;
        assert_eq!(status, 422, "{field}={value}: {error}");
        assert_eq!(code(&error), "validation_failed");
        assert_eq!(fields(&error), set(&[field]), "{field}={value}");
    }
    assert_eq!(view(app, &w.admin, "view=all").await.len(), 5);
}

async fn invalid_leads_are_refused_field_by_field_and_nothing_is_written(app: &TestApp) {
    let w = world(app).await;
    let with = |extra: Value| {
        let mut body = lead("Valid Name", "Valid Company");
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (with(json!({"email": "not-an-address"})), vec!["email"]),
        (with(json!({"name": "x".repeat(121)})), vec!["name"]),
        (with(json!({"company": "y".repeat(161)})), vec!["company"]),
        (with(json!({"status": "won"})), vec!["status"]),
        (with(json!({"status": "converted"})), vec!["status"]),
        (with(json!({"status": "Konverteret"})), vec!["status"]),
        (with(json!({"source": "carrier pigeon"})), vec!["source"]),
        (with(json!({"rating": "lukewarm"})), vec!["rating"]),
        (with(json!({"country": "Denmark"})), vec!["country"]),
        (with(json!({"phone": "call me"})), vec!["phone"]),
        (
            with(json!({"description": "d".repeat(4001)})),
            vec!["description"],
        ),
        (json!({"company": "No Name"}), vec!["name"]),
        (
            with(json!({"queue_id": w.east, "partner_id": w.acme.id})),
            vec!["queue_id"],
        ),
        (
            with(json!({"queue_id": w.east, "owner_id": w.acme_user.id()})),
            vec!["queue_id"],
        ),
        (
            with(json!({"partner_id": w.acme.id, "owner_id": w.acme_user.id()})),
            vec!["queue_id"],
        ),
        (
            json!({"name": "", "company": "C", "email": "nope@", "status": "won", "rating": "meh"}),
            vec!["email", "name", "rating", "status"],
        ),
    ];
    for who in [&w.admin, &w.acme_user] {
        for (body, named) in &cases {
            let (status, error) = post(app, who, "/api/v1/leads", body.clone()).await;
            assert_eq!(status, 422, "{}: {body}: {error}", who.user.email);
            assert_eq!(code(&error), "validation_failed");
            assert_eq!(fields(&error), set(named), "{body}");
        }
    }
    // Nothing was written: no lead, and nothing in anybody's views.
    assert!(view(app, &w.admin, "view=all").await.is_empty());
    assert!(view(app, &w.acme_user, "view=mine").await.is_empty());
    // A description of exactly the maximum is fine.
    let long = create(
        app,
        &w.admin,
        with(json!({"description": "d".repeat(4000)})),
    )
    .await;
    assert_eq!(long["description"].as_str().unwrap().chars().count(), 4000);
}

// ---------------------------------------------------------------------------
// List views.

async fn list_views_show_each_role_its_own_leads(app: &TestApp) {
    let w = world(app).await;
    let user_own = create_id(app, &w.acme_user, lead("Own Uffe", "A1")).await;
    let colleague_own = create_id(app, &w.acme_colleague, lead("Own Cleo", "A2")).await;
    let east = in_queue(app, &w, &w.east, "East Lead").await;
    let north = in_queue(app, &w, &w.north, "North Lead").await;
    let mut body = lead("To Acme", "A3");
    body["partner_id"] = json!(w.acme.id);
    let to_acme = create_id(app, &w.admin, body).await;
    let mut body = lead("To Uffe", "A4");
    body["owner_id"] = json!(w.acme_user.id());
    let to_uffe = create_id(app, &w.admin, body).await;
    let mut body = lead("To Bolt", "B1");
    body["partner_id"] = json!(w.bolt.id);
    let to_bolt = create_id(app, &w.admin, body).await;
    let unassigned = create_id(app, &w.admin, lead("Nobody's", "V1")).await;
    let zenith_own = create_id(app, &w.zenith_user, lead("Own Zoe", "Z1")).await;

    // Partner user: their own leads by default, their inbox, their queues.
    assert_eq!(view(app, &w.acme_user, "").await, one(&user_own));
    assert_eq!(view(app, &w.acme_user, "view=mine").await, one(&user_own));
    assert_eq!(
        view_set(app, &w.acme_user, "view=inbox").await,
        set(&[&to_acme, &to_uffe])
    );
    assert_eq!(
        view(app, &w.acme_colleague, "view=inbox").await,
        one(&to_acme)
    );
    assert_eq!(
        view(app, &w.acme_user, &format!("view=queue:{}", w.east)).await,
        one(&east)
    );
    assert_eq!(
        view(app, &w.bolt_user, &format!("view=queue:{}", w.east)).await,
        one(&east)
    );
    assert_eq!(
        view(app, &w.zenith_user, &format!("view=queue:{}", w.north)).await,
        one(&north)
    );
    // Not a member: the queue does not exist for them.
    for (who, queue) in [
        (&w.acme_user, &w.north),
        (&w.acme_manager, &w.north),
        (&w.zenith_user, &w.east),
    ] {
        let (status, body) = get(app, who, &format!("/api/v1/leads?view=queue:{queue}")).await;
        assert_eq!(status, 404, "{}: {body}", who.user.email);
        assert_eq!(code(&body), "not_found");
    }
    // The company view is the partner manager's.
    assert_eq!(view_status(app, &w.acme_user, "view=company").await, 404);
    assert_eq!(
        view_set(app, &w.acme_manager, "view=company").await,
        set(&[&user_own, &colleague_own])
    );
    assert_eq!(
        view_set(app, &w.acme_manager, "view=inbox").await,
        set(&[&to_acme, &to_uffe])
    );
    assert!(view(app, &w.acme_manager, "view=mine").await.is_empty());
    assert_eq!(
        view(app, &w.zenith_manager, "view=company").await,
        one(&zenith_own)
    );
    // Vendor views are not for partner staff.
    for who in [&w.acme_user, &w.acme_manager, &w.zenith_user] {
        for v in [
            "view=all".to_owned(),
            "view=unassigned".to_owned(),
            "view=declined".to_owned(),
            format!("view=partner:{}", w.acme.id),
            format!("view=partner:{}", w.zenith.id),
        ] {
            let (status, body) = get(app, who, &format!("/api/v1/leads?{v}")).await;
            assert_eq!(status, 404, "{}: {v}: {body}", who.user.email);
        }
    }
    // Recently viewed: what the caller opened.
    assert!(view(app, &w.acme_user, "view=recent").await.is_empty());
    read(app, &w.acme_user, &east).await;
    assert_eq!(view(app, &w.acme_user, "view=recent").await, one(&east));

    // Vendor views.
    let everything = set(&[
        &user_own,
        &colleague_own,
        &east,
        &north,
        &to_acme,
        &to_uffe,
        &to_bolt,
        &unassigned,
        &zenith_own,
    ]);
    assert_eq!(view_set(app, &w.admin, "").await, everything);
    assert_eq!(view_set(app, &w.admin, "view=all").await, everything);
    assert_eq!(
        view_set(app, &w.admin, &format!("view=partner:{}", w.acme.id)).await,
        set(&[&user_own, &colleague_own, &to_acme, &to_uffe])
    );
    assert_eq!(
        view(app, &w.admin, "view=unassigned").await,
        one(&unassigned)
    );
    assert!(view(app, &w.admin, "view=declined").await.is_empty());
    assert_eq!(
        view_set(app, &w.admin, &format!("view=queue:{}", w.east)).await,
        set(&[&east])
    );
    let mut cm_a_sees = everything.clone();
    cm_a_sees.remove(&zenith_own);
    assert_eq!(view_set(app, &w.cm_a, "view=all").await, cm_a_sees);
    assert_eq!(
        view_set(app, &w.cm_a, &format!("view=partner:{}", w.bolt.id)).await,
        set(&[&to_bolt])
    );
    assert_eq!(
        view_status(app, &w.cm_a, &format!("view=partner:{}", w.zenith.id)).await,
        404
    );
    assert_eq!(
        view_set(app, &w.cm_b, "view=all").await,
        set(&[&east, &north, &unassigned, &zenith_own])
    );

    // Views that do not exist.
    for bad in [
        "view=bogus",
        "view=queue:not-a-uuid",
        "view=partner:",
        "view=QUEUE",
    ] {
        let (status, body) = get(app, &w.admin, &format!("/api/v1/leads?{bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert_eq!(fields(&body), set(&["view"]), "{bad}");
    }
    let (status, _) = get(
        app,
        &w.admin,
        &format!(
            "/api/v1/leads?view=queue:{}",
            openprm_domain::QueueId::new()
        ),
    )
    .await;
    assert_eq!(status, 404);
}

async fn search_status_filter_and_sorting(app: &TestApp) {
    let w = world(app).await;
    let mut ids = BTreeMap::new();
    for (key, name, company, email, status) in [
        (
            "a",
            "Mette Hansen",
            "Nordlys A/S",
            "mette@nordlys.dk",
            "open_not_contacted",
        ),
        (
            "b",
            "Søren Østergård",
            "Blåbær ApS",
            "soren@blaabaer.dk",
            "qualified",
        ),
        (
            "c",
            "Carla Percent",
            "100% Solar",
            "carla@solar.example",
            "qualified",
        ),
        (
            "d",
            "under_score",
            "Snake Case Ltd",
            "d_user@snake.example",
            "working_contacted",
        ),
        (
            "e",
            "Erik Tusind",
            "1000 Solar",
            "erik@thousand.example",
            "open_not_contacted",
        ),
        (
            "f",
            "Under Score",
            "Underscore Inc",
            "f@underscore.example",
            "unqualified",
        ),
        (
            "g",
            "Ørsted Olsen",
            "Ærø Energi",
            "oo@aero.example",
            "working_contacted",
        ),
    ] {
        // A second between leads, so newest and updated orders are certain.
        app.clock.advance(time::Duration::seconds(1));
        let id = create_id(
            app,
            &w.admin,
            json!({"name": name, "company": company, "email": email, "status": status}),
        )
        .await;
        ids.insert(key, id);
    }
    let keys_of = |found: Vec<String>| -> Vec<&str> {
        found
            .iter()
            .map(|id| *ids.iter().find(|(_, v)| *v == id).unwrap().0)
            .collect()
    };
    let search = |q: &str| {
        let q = q.bytes().map(|b| format!("%{b:02X}")).collect::<String>();
        format!("view=all&sort=name&q={q}")
    };
    for (q, expected) in [
        ("NORDLYS", vec!["a"]),
        ("mette@", vec!["a"]),
        ("hansen", vec!["a"]),
        ("solar", vec!["c", "e"]),
        ("100", vec!["c", "e"]),
        ("100%", vec!["c"]),
        ("%", vec!["c"]),
        ("_", vec!["d"]),
        ("under_", vec!["d"]),
        ("UNDER", vec!["f", "d"]),
        ("d_user", vec!["d"]),
        ("\\", vec![]),
        ("nobody at all", vec![]),
        ("  mette  ", vec!["a"]),
        ("østergård", vec!["b"]),
        ("ØSTERGÅRD", vec!["b"]),
        ("blåbær", vec!["b"]),
        ("ørsted", vec!["g"]),
        ("ÆRØ", vec!["g"]),
    ] {
        let mut found = keys_of(view(app, &w.admin, &search(q)).await);
        found.sort_unstable();
        let mut expected = expected;
        expected.sort_unstable();
        assert_eq!(found, expected, "q={q:?}");
    }
    // The status filter, alone and with a search.
    assert_eq!(
        view_set(app, &w.admin, "view=all&status=qualified").await,
        set(&[&ids["b"], &ids["c"]])
    );
    assert_eq!(
        view(app, &w.admin, "view=all&status=qualified&q=solar").await,
        one(&ids["c"])
    );
    assert!(view(app, &w.admin, "view=all&status=won").await.is_empty());

    // Sorting.
    // Letters beyond ASCII order by code point or by locale, depending on the
    // database; the ASCII names order the same everywhere.
    let ascii = |k: &&str| !["b", "g"].contains(k);
    let by_name = keys_of(view(app, &w.admin, "view=all&sort=name").await);
    let ascii_names: Vec<&str> = by_name.iter().copied().filter(ascii).collect();
    assert_eq!(ascii_names, ["c", "e", "a", "f", "d"], "sort=name");
    let by_company = keys_of(view(app, &w.admin, "view=all&sort=company").await);
    let ascii_companies: Vec<&str> = by_company.iter().copied().filter(ascii).collect();
    assert_eq!(ascii_companies, ["c", "e", "a", "d", "f"], "sort=company");
    let newest = keys_of(view(app, &w.admin, "view=all&sort=newest").await);
    assert_eq!(newest, ["g", "f", "e", "d", "c", "b", "a"]);
    assert_eq!(keys_of(view(app, &w.admin, "view=all").await), newest);
    // Editing the oldest makes it the most recently updated.
    app.clock.advance(minutes(1));
    let (status, body) = patch(app, &w.admin, &ids["a"], Some("1"), json!({"title": "CEO"})).await;
    assert_eq!(status, 200, "{body}");
    let updated = keys_of(view(app, &w.admin, "view=all&sort=updated").await);
    assert_eq!(updated, ["a", "g", "f", "e", "d", "c", "b"]);
    let (status, body) = get(app, &w.admin, "/api/v1/leads?sort=oldest").await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), set(&["sort"]));
}

/// Pages through a view with `limit`, returning every page's ids.
async fn pages(app: &TestApp, who: &Caller, query: &str, limit: u32) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/leads?{query}&limit={limit}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, body) = get(app, who, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        pages.push(ids_of(&body["leads"]));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages.len() <= 50, "{query}: the pages never end");
    }
    pages
}

/// Asserts that paging gives exactly the single-request order, each lead once.
async fn assert_pages_match(app: &TestApp, who: &Caller, query: &str, all: usize) {
    let whole = view(app, who, query).await;
    assert_eq!(whole.len(), all, "{query}");
    let paged = pages(app, who, query, 10).await;
    let sizes: Vec<usize> = paged.iter().map(Vec::len).collect();
    let flat: Vec<String> = paged.into_iter().flatten().collect();
    assert_eq!(set(&flat).len(), flat.len(), "{query}: a lead on two pages");
    assert_eq!(
        flat, whole,
        "{query}: pages {sizes:?} differ from the whole list"
    );
    assert!(
        sizes.iter().rev().skip(1).all(|s| *s == 10),
        "{query}: {sizes:?}"
    );
}

async fn keyset_pages_visit_every_lead_once_in_order(app: &TestApp) {
    let w = world(app).await;
    let names = [
        "Ørsted",
        "anders",
        "Bjørn",
        "Åse",
        "carl",
        "Æblegård",
        "dorte",
    ];
    let mut created = Vec::new();
    for i in 0..25 {
        // Several leads share a creation time, so ties are broken by id.
        if i % 3 == 0 {
            app.clock.advance(time::Duration::seconds(1));
        }
        let name = format!("{} {:02}", names[i % names.len()], 25 - i);
        let company = format!("{} Holding {:02}", names[(i + 3) % names.len()], i);
        created.push(create_id(app, &w.admin, json!({"name": name, "company": company})).await);
    }
    let newest: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(view(app, &w.admin, "view=all").await, newest);
    let paged = pages(app, &w.admin, "view=all", 10).await;
    let sizes: Vec<usize> = paged.iter().map(Vec::len).collect();
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(paged.concat(), newest);
    for sort in ["newest", "updated", "name", "company"] {
        assert_pages_match(app, &w.admin, &format!("view=all&sort={sort}"), 25).await;
    }
    // All on one page: no cursor.
    let one_page = pages(app, &w.admin, "view=all", 25).await;
    assert_eq!(one_page, std::slice::from_ref(&newest));

    // A lead added between pages shifts nothing: with the newest first it is
    // before the cursor; by name, one before the cursor is not shown again.
    for (sort, name) in [("newest", "Late Lead"), ("name", "Aaron Early")] {
        let query = format!("view=all&sort={sort}");
        let before = view(app, &w.admin, &query).await;
        let (_, first) = get(app, &w.admin, &format!("/api/v1/leads?{query}&limit=10")).await;
        assert_eq!(ids_of(&first["leads"]), before[..10]);
        app.clock.advance(time::Duration::seconds(1));
        let late = create_id(app, &w.admin, lead(name, "Inserted Between Pages")).await;
        let cursor = text(&first["next_cursor"]);
        let (status, second) = get(
            app,
            &w.admin,
            &format!("/api/v1/leads?{query}&limit=10&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, 200, "{second}");
        assert_eq!(ids_of(&second["leads"]), before[10..20], "sort={sort}");
        assert!(!ids_of(&second["leads"]).contains(&late));
    }

    // Cursors that were not made by the portal, or for another sort.
    let (_, first) = get(app, &w.admin, "/api/v1/leads?view=all&limit=10").await;
    let newest_cursor = text(&first["next_cursor"]);
    let uuid = openprm_domain::LeadId::new();
    for bad in [
        "garbage".to_owned(),
        "%%%".to_owned(),
        URL_SAFE_NO_PAD.encode("newest"),
        URL_SAFE_NO_PAD.encode(format!("newest|{uuid}|yesterday")),
        URL_SAFE_NO_PAD.encode("newest|not-a-uuid|1"),
        URL_SAFE_NO_PAD.encode(format!("newest|{uuid}|99999999999999999999999999999999999")),
        URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00]),
    ] {
        let (status, body) = get(
            app,
            &w.admin,
            &format!("/api/v1/leads?view=all&cursor={bad}"),
        )
        .await;
        assert_eq!(status, 422, "cursor {bad}: {body}");
        assert_eq!(fields(&body), set(&["cursor"]), "cursor {bad}");
    }
    let (status, body) = get(
        app,
        &w.admin,
        &format!("/api/v1/leads?view=all&sort=name&cursor={newest_cursor}"),
    )
    .await;
    assert_eq!(status, 422, "a cursor of another sort: {body}");
    assert_eq!(fields(&body), set(&["cursor"]));

    // Limits are kept within 1..=200.
    assert_eq!(
        ids_of(&get(app, &w.admin, "/api/v1/leads?view=all&limit=0").await.1["leads"]).len(),
        1
    );
    let (_, big) = get(app, &w.admin, "/api/v1/leads?view=all&limit=100000").await;
    assert_eq!(ids_of(&big["leads"]).len(), 27);
    assert!(big["next_cursor"].is_null());
}

// ---------------------------------------------------------------------------
// Recent Items.

async fn opening_a_lead_puts_it_in_recent_items_newest_first(app: &TestApp) {
    let w = world(app).await;
    let mut leads = Vec::new();
    for i in 0..12 {
        leads.push(create_id(app, &w.admin, lead(&format!("Viewed {i:02}"), "Seen ApS")).await);
    }
    assert!(recent(app, &w.admin).await.is_empty());
    for id in &leads {
        app.clock.advance(time::Duration::seconds(1));
        read(app, &w.admin, id).await;
    }
    let expected: Vec<String> = leads.iter().rev().take(10).cloned().collect();
    assert_eq!(recent(app, &w.admin).await, expected);
    let (_, items) = get(app, &w.admin, "/api/v1/recent-items").await;
    assert_eq!(items[0]["kind"], "lead");
    assert_eq!(items[0]["title"], "Viewed 11 · Seen ApS");

    // Opening an older one again moves it to the top.
    app.clock.advance(time::Duration::seconds(1));
    read(app, &w.admin, &leads[3]).await;
    let now = recent(app, &w.admin).await;
    let mut reordered = one(&leads[3]);
    reordered.extend(
        leads
            .iter()
            .rev()
            .filter(|id| **id != leads[3])
            .take(9)
            .cloned(),
    );
    assert_eq!(now, reordered);

    // A failed read is not a view; each user has their own list.
    let (status, _) = get(
        app,
        &w.admin,
        &format!("/api/v1/leads/{}", openprm_domain::LeadId::new()),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(recent(app, &w.admin).await, now);
    assert!(recent(app, &w.cm_a).await.is_empty());
    let east = in_queue(app, &w, &w.east, "Queue Peek").await;
    app.clock.advance(time::Duration::seconds(1));
    read(app, &w.acme_user, &east).await;
    assert_eq!(recent(app, &w.acme_user).await, [east]);
}

// ---------------------------------------------------------------------------
// Editing and the timeline.

async fn product_interest_is_created_edited_cleared_and_in_the_timeline(app: &TestApp) {
    let w = world(app).await;
    let lead = create(
        app,
        &w.acme_user,
        json!({"name": "Pia Product", "company": "Interest A/S", "product_interest": "  Nordlys Backup, 40 seats "}),
    )
    .await;
    let id = text(&lead["id"]);
    assert_eq!(lead["product_interest"], "Nordlys Backup, 40 seats");
    let (status, body) = patch(
        app,
        &w.acme_user,
        &id,
        Some("1"),
        json!({"product_interest": "x".repeat(201)}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), set(&["product_interest"]));
    let (status, saved) = patch(
        app,
        &w.acme_user,
        &id,
        Some("1"),
        json!({"product_interest": "Endpoint Protection"}),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["product_interest"], "Endpoint Protection");
    let (status, cleared) = patch(
        app,
        &w.acme_user,
        &id,
        Some("2"),
        json!({"product_interest": null}),
    )
    .await;
    assert_eq!(status, 200, "{cleared}");
    assert!(cleared["product_interest"].is_null());
    let changes: Vec<_> = timeline(app, &w.acme_user, &id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "field")
        .map(|e| {
            (
                text(&e["field"]),
                e["old_value"].clone(),
                e["new_value"].clone(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            (
                "product_interest".to_owned(),
                json!("Nordlys Backup, 40 seats"),
                json!("Endpoint Protection")
            ),
            (
                "product_interest".to_owned(),
                json!("Endpoint Protection"),
                Value::Null
            ),
        ]
    );
}

async fn editing_needs_the_current_version_and_writes_the_timeline(app: &TestApp) {
    let w = world(app).await;
    let id = create_id(
        app,
        &w.acme_user,
        json!({"name": "Edit Me", "company": "Versioned A/S", "phone": "33 12 34 56"}),
    )
    .await;
    let change = json!({"status": "qualified", "title": "CTO", "phone": "70 10 20 30"});

    // No If-Match, or one that is no version.
    for version in [None, Some("abc"), Some(""), Some("99999999999999999999999")] {
        let (status, body) = patch(app, &w.acme_user, &id, version, change.clone()).await;
        assert_eq!(status, 422, "If-Match {version:?}: {body}");
        assert_eq!(fields(&body), set(&["If-Match"]), "If-Match {version:?}");
    }
    // A version that is not the current one.
    for stale in ["0", "2", "-1"] {
        let (status, body) = patch(app, &w.acme_user, &id, Some(stale), change.clone()).await;
        assert_eq!(status, 412, "If-Match {stale}: {body}");
        assert_eq!(code(&body), "version_conflict");
    }
    let untouched = read(app, &w.acme_user, &id).await;
    assert_eq!(untouched["version"], 1);
    assert!(untouched["title"].is_null());

    app.clock.advance(minutes(5));
    let (status, saved) = patch(app, &w.acme_user, &id, Some("1"), change.clone()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["status"], "qualified");
    assert_eq!(saved["title"], "CTO");
    assert_eq!(saved["phone"], "70 10 20 30");
    assert_ne!(saved["updated_at"], untouched["updated_at"]);
    assert_eq!(read(app, &w.acme_user, &id).await, saved);

    // The same version again is now stale, and changes nothing.
    let (status, body) = patch(app, &w.acme_user, &id, Some("1"), json!({"title": "CEO"})).await;
    assert_eq!(status, 412, "{body}");
    assert_eq!(read(app, &w.acme_user, &id).await, saved);
    // An ETag-style version works; saving without a change keeps the version.
    let (status, same) = patch(app, &w.acme_user, &id, Some("\"2\""), change.clone()).await;
    assert_eq!(status, 200, "{same}");
    assert_eq!(same["version"], 2);
    // Invalid values are named and nothing changes.
    let (status, body) = patch(
        app,
        &w.acme_user,
        &id,
        Some("2"),
        json!({"name": "", "email": "bad", "status": "converted"}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), set(&["email", "name", "status"]));
    assert_eq!(read(app, &w.acme_user, &id).await["version"], 2);

    // Their partner manager and their channel manager may edit too.
    let (status, by_manager) = patch(
        app,
        &w.acme_manager,
        &id,
        Some("W/\"2\""),
        json!({"rating": "warm", "title": null}),
    )
    .await;
    assert_eq!(status, 200, "{by_manager}");
    assert_eq!(by_manager["version"], 3);
    assert!(by_manager["title"].is_null());
    let (status, by_cm) = patch(app, &w.cm_a, &id, Some("3"), json!({"country": "se"})).await;
    assert_eq!(status, 200, "{by_cm}");
    assert_eq!(by_cm["version"], 4);
    // A colleague, another partner and another channel manager do not see it.
    for who in [
        &w.acme_colleague,
        &w.zenith_user,
        &w.zenith_manager,
        &w.cm_b,
    ] {
        let (status, body) = patch(app, who, &id, Some("4"), json!({"title": "X"})).await;
        assert_eq!(status, 404, "{}: {body}", who.user.email);
    }

    // A note.
    let (status, note) = post(
        app,
        &w.acme_user,
        &format!("/api/v1/leads/{id}/notes"),
        json!({"text": "  Called, left a voicemail.  "}),
    )
    .await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(note["kind"], "note");
    assert_eq!(note["new_value"], "Called, left a voicemail.");
    for bad in [json!({"text": "   "}), json!({"text": "n".repeat(4001)})] {
        let (status, body) =
            post(app, &w.acme_user, &format!("/api/v1/leads/{id}/notes"), bad).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(fields(&body), set(&["text"]));
    }

    // The timeline: created, one event per changed field with old and new
    // values and who, then the note; oldest first.
    let events = timeline(app, &w.acme_user, &id).await;
    assert_eq!(
        kinds(&events),
        [
            "created", "field", "field", "field", "field", "field", "field", "note"
        ]
    );
    let field_events: Vec<(String, Value, Value, String)> = events
        .iter()
        .filter(|e| e["kind"] == "field")
        .map(|e| {
            (
                text(&e["field"]),
                e["old_value"].clone(),
                e["new_value"].clone(),
                text(&e["actor_id"]),
            )
        })
        .collect();
    let uffe = w.acme_user.id();
    let mona = w.acme_manager.id();
    let carl = w.cm_a.id();
    assert_eq!(
        field_events,
        [
            ("title".into(), Value::Null, json!("CTO"), uffe.clone()),
            (
                "phone".into(),
                json!("33 12 34 56"),
                json!("70 10 20 30"),
                uffe.clone()
            ),
            (
                "status".into(),
                json!("open_not_contacted"),
                json!("qualified"),
                uffe.clone()
            ),
            ("title".into(), json!("CTO"), Value::Null, mona.clone()),
            ("rating".into(), Value::Null, json!("warm"), mona),
            ("country".into(), Value::Null, json!("SE"), carl),
        ]
    );
    assert_eq!(events[1]["actor_name"], "Uffe Acme");
    assert_eq!(events[7]["actor_id"], json!(uffe));
    assert_eq!(events[7]["new_value"], "Called, left a voicemail.");
    let times: Vec<String> = events.iter().map(|e| text(&e["at"])).collect();
    let parsed: Vec<time::OffsetDateTime> = times
        .iter()
        .map(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).unwrap()
        })
        .collect();
    assert!(parsed.windows(2).all(|p| p[0] <= p[1]), "{times:?}");
    assert!(parsed[1] > parsed[0], "the edit came five minutes later");
    assert_eq!(timeline(app, &w.admin, &id).await, events);

    // Leads waiting in a queue or an inbox are not edited before Accept.
    let queued = in_queue(app, &w, &w.east, "Not Yet Mine").await;
    let (status, body) = patch(app, &w.acme_user, &queued, Some("1"), json!({"title": "X"})).await;
    assert_eq!(status, 403, "a queue lead before claiming: {body}");
    assert_eq!(code(&body), "forbidden");
    let mut body = lead("Routed", "Inbox A/S");
    body["owner_id"] = json!(w.acme_user.id());
    let routed = create_id(app, &w.admin, body).await;
    let (status, body) = patch(app, &w.acme_user, &routed, Some("1"), json!({"title": "X"})).await;
    assert_eq!(status, 403, "an inbox lead before Accept: {body}");
    assert_eq!(read(app, &w.admin, &queued).await["version"], 1);
    assert_eq!(read(app, &w.admin, &routed).await["version"], 1);
}

// ---------------------------------------------------------------------------
// Claiming.

async fn partner_user_claims_a_queue_lead_then_releases_it(app: &TestApp) {
    let w = world(app).await;
    let first = in_queue(app, &w, &w.east, "First Come").await;
    let second = in_queue(app, &w, &w.east, "Still Waiting").await;
    let north = in_queue(app, &w, &w.north, "Far North").await;
    let east_query = format!("view=queue:{}", w.east);
    assert_eq!(
        view_set(app, &w.acme_user, &east_query).await,
        set(&[&first, &second])
    );

    app.clock.advance(minutes(1));
    let (status, claimed) = claim(app, &w.acme_user, &first).await;
    assert_eq!(status, 200, "{claimed}");
    assert_eq!(claimed["state"], "owned");
    assert_eq!(claimed["owner_id"], json!(w.acme_user.id()));
    assert_eq!(claimed["partner_id"], json!(w.acme.id));
    assert_eq!(claimed["queue_id"], json!(w.east));
    assert_eq!(claimed["version"], 2);
    assert!(claimed["claimed_at"].is_string());
    assert_eq!(view(app, &w.acme_user, "view=mine").await, one(&first));
    assert_eq!(recent(app, &w.acme_user).await, one(&first));
    assert_eq!(view(app, &w.acme_user, &east_query).await, one(&second));
    assert_eq!(view(app, &w.bolt_user, &east_query).await, one(&second));
    assert_eq!(
        view(app, &w.acme_manager, "view=company").await,
        one(&first)
    );

    // Nobody takes it a second time.
    for who in [
        &w.acme_user,
        &w.acme_colleague,
        &w.acme_manager,
        &w.bolt_user,
    ] {
        let (status, body) = claim(app, who, &first).await;
        assert_eq!(status, 409, "{}: {body}", who.user.email);
        assert_eq!(code(&body), "lead_already_claimed", "{}", who.user.email);
    }
    assert_eq!(read(app, &w.admin, &first).await, claimed);

    // Not a queue lead, no such lead, or a queue the caller's company is not in.
    let own = create_id(app, &w.acme_user, lead("Mine Already", "Self")).await;
    let (status, body) = claim(app, &w.acme_user, &own).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(code(&body), "validation_failed");
    let mut body = lead("Routed", "Inbox A/S");
    body["partner_id"] = json!(w.acme.id);
    let routed = create_id(app, &w.admin, body).await;
    assert_eq!(claim(app, &w.acme_colleague, &routed).await.0, 422);
    for missing in [
        openprm_domain::LeadId::new().to_string(),
        "not-a-uuid".into(),
    ] {
        let (status, body) = claim(app, &w.acme_user, &missing).await;
        assert_eq!(status, 404, "{missing}: {body}");
    }
    let (status, body) = claim(app, &w.acme_user, &north).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(code(&body), "not_found");
    let (status, body) = claim(app, &w.zenith_user, &second).await;
    assert_eq!(status, 404, "{body}");
    // Vendor staff do not claim.
    let (status, body) = claim(app, &w.admin, &second).await;
    assert_eq!(status, 403, "{body}");

    // Release: someone else cannot; the owner can; it is back in the queue.
    let (status, _) = act(app, &w.acme_colleague, &first, "release").await;
    assert_eq!(status, 404, "a colleague does not see it");
    let (status, _) = act(app, &w.bolt_user, &first, "release").await;
    assert_eq!(status, 404);
    app.clock.advance(minutes(1));
    let (status, released) = act(app, &w.acme_user, &first, "release").await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["state"], "in_queue");
    assert!(released["owner_id"].is_null() && released["partner_id"].is_null());
    assert!(released["claimed_at"].is_null());
    assert_eq!(released["version"], 3);
    assert_eq!(view(app, &w.acme_user, "view=mine").await, one(&own));
    assert_eq!(
        view_set(app, &w.bolt_user, &east_query).await,
        set(&[&first, &second])
    );
    let (status, body) = act(app, &w.acme_user, &first, "release").await;
    assert_eq!(status, 422, "not claimed any more: {body}");
    let (status, _) = act(app, &w.acme_user, &own, "release").await;
    assert_eq!(status, 422, "not a queue lead");

    let events = timeline(app, &w.admin, &first).await;
    assert_eq!(kinds(&events), ["created", "claim", "release"]);
    assert_eq!(events[1]["actor_id"], json!(w.acme_user.id()));
    assert_eq!(events[1]["partner_id"], json!(w.acme.id));
    assert_eq!(events[2]["actor_id"], json!(w.acme_user.id()));

    // Another member takes it now; the partner manager may give it back.
    let (status, body) = claim(app, &w.acme_colleague, &first).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = act(app, &w.acme_manager, &first, "release").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = claim(app, &w.bolt_user, &first).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["partner_id"], json!(w.bolt.id));
    assert_eq!(
        kinds(&timeline(app, &w.bolt_user, &first).await),
        ["created", "claim", "release", "claim", "release", "claim"]
    );
}

fn open_rule(name: &str, subject: &str, max: u32) -> Value {
    json!({"name": name, "kind": "open_at_once", "subject": subject, "queue_id": null, "max": max, "overrides": []})
}

async fn claim_rules_are_the_admins_and_are_validated(app: &TestApp) {
    let w = world(app).await;
    let rules = json!([
        open_rule("Two at a time", "user", 2),
        {"name": "Fair share", "kind": "per_window", "window_hours": 168, "subject": "partner",
         "queue_id": w.east, "max": 20, "overrides": [{"target": {"tier": "gold"}, "max": 40},
                                                      {"target": {"partner": w.bolt.id}, "max": null}]},
    ]);
    for who in [&w.acme_user, &w.acme_manager, &w.cm_a] {
        let (status, body) = put_rules(app, who, rules.clone()).await;
        assert_eq!(status, 403, "{}: {body}", who.user.email);
        assert_eq!(code(&body), "forbidden");
    }
    let (_, none) = get(app, &w.admin, "/api/v1/claim-rules").await;
    assert_eq!(none, json!([]));

    let (status, saved) = put_rules(app, &w.admin, rules.clone()).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved.as_array().unwrap().len(), 2);
    assert_eq!(saved[0]["name"], "Two at a time");
    assert_eq!(saved[1]["window_hours"], 168);
    assert_eq!(saved[1]["queue_id"], json!(w.east));
    assert_eq!(saved[1]["overrides"], rules[1]["overrides"]);
    assert!(saved[0]["id"].is_string());
    let (_, read_back) = get(app, &w.admin, "/api/v1/claim-rules").await;
    assert_eq!(read_back, saved);
    // Partners know their limits, not other partners' overrides.
    let (status, theirs) = get(app, &w.acme_user, "/api/v1/claim-rules").await;
    assert_eq!(status, 200);
    assert_eq!(theirs[1]["overrides"], json!([]));
    assert_eq!(theirs[1]["max"], 20);

    let bad = |field: &str, value: Value| {
        let mut rule = open_rule("Bad", "user", 1);
        rule[field] = value;
        json!([rule])
    };
    for (rules, named) in [
        (bad("max", json!(100_001)), "rules[0].max"),
        (bad("name", json!("  ")), "rules[0].name"),
        (bad("name", json!("n".repeat(81))), "rules[0].name"),
        (
            json!([open_rule("Fine", "user", 1), {"name": "W", "kind": "per_window", "window_hours": 0, "subject": "user", "max": 1}]),
            "rules[1].window_hours",
        ),
        (
            json!([{"name": "W", "kind": "per_window", "window_hours": 8761, "subject": "user", "max": 1}]),
            "rules[0].window_hours",
        ),
        (
            bad("queue_id", json!(openprm_domain::QueueId::new())),
            "rules[0].queue_id",
        ),
        (
            bad(
                "overrides",
                json!([{"target": {"tier": "gold"}, "max": 1}, {"target": {"tier": "gold"}, "max": 2}]),
            ),
            "rules[0].overrides[1].target",
        ),
        (
            bad(
                "overrides",
                json!([{"target": {"partner": w.acme.id}, "max": 100_001}]),
            ),
            "rules[0].overrides[0].max",
        ),
    ] {
        let (status, body) = put_rules(app, &w.admin, rules.clone()).await;
        assert_eq!(status, 422, "{rules}: {body}");
        assert!(fields(&body).contains(named), "{named} not in {body}");
    }
    // The wrong shape altogether.
    for rules in [
        json!({"rules": []}),
        bad("max", json!(-1)),
        bad("kind", json!("forever")),
        bad("subject", json!("planet")),
        json!([{"name": "No max", "kind": "open_at_once", "subject": "user"}]),
    ] {
        let (status, body) = put_rules(app, &w.admin, rules.clone()).await;
        assert_eq!(status, 422, "{rules}: {body}");
    }
    // None of that changed the rules.
    assert_eq!(get(app, &w.admin, "/api/v1/claim-rules").await.1, saved);
    let (status, cleared) = put_rules(app, &w.admin, json!([])).await;
    assert_eq!((status, cleared), (200, json!([])));
}

async fn open_at_once_rule_per_user_frees_on_release(app: &TestApp) {
    let w = world(app).await;
    set_rules(app, &w, json!([open_rule("Two at a time", "user", 2)])).await;
    let mut leads = Vec::new();
    for i in 0..5 {
        leads.push(in_queue(app, &w, &w.east, &format!("Open {i}")).await);
    }
    for id in &leads[..2] {
        assert_eq!(claim(app, &w.acme_user, id).await.0, 200);
    }
    let (status, body) = claim(app, &w.acme_user, &leads[2]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(code(&body), "claim_limit_reached");
    let message = text(&body["error"]["message"]);
    assert!(message.contains("Two at a time"), "{message}");
    assert!(message.contains("Release"), "says what frees it: {message}");
    assert_eq!(read(app, &w.admin, &leads[2]).await["state"], "in_queue");
    // The rule is per user: a colleague still may.
    assert_eq!(claim(app, &w.acme_colleague, &leads[2]).await.0, 200);
    // Releasing one frees a slot.
    assert_eq!(act(app, &w.acme_user, &leads[0], "release").await.0, 200);
    assert_eq!(claim(app, &w.acme_user, &leads[3]).await.0, 200);
    assert_eq!(claim(app, &w.acme_user, &leads[4]).await.0, 409);
    // So does closing one (an unqualified lead is no longer open).
    let version = read(app, &w.acme_user, &leads[1]).await["version"].to_string();
    let (status, body) = patch(
        app,
        &w.acme_user,
        &leads[1],
        Some(&version),
        json!({"status": "unqualified"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(claim(app, &w.acme_user, &leads[4]).await.0, 200);
    assert_eq!(claim(app, &w.acme_user, &leads[0]).await.0, 409);
    assert_eq!(
        view_set(app, &w.acme_user, "view=mine").await,
        set(&[&leads[1], &leads[3], &leads[4]])
    );
}

async fn partner_rule_counts_colleagues_and_spares_other_partners(app: &TestApp) {
    let w = world(app).await;
    set_rules(app, &w, json!([open_rule("Company cap", "partner", 2)])).await;
    let mut leads = Vec::new();
    for i in 0..5 {
        leads.push(in_queue(app, &w, &w.east, &format!("Shared {i}")).await);
    }
    assert_eq!(claim(app, &w.acme_user, &leads[0]).await.0, 200);
    assert_eq!(claim(app, &w.acme_colleague, &leads[1]).await.0, 200);
    for who in [&w.acme_user, &w.acme_colleague, &w.acme_manager] {
        let (status, body) = claim(app, who, &leads[2]).await;
        assert_eq!(status, 409, "{}: {body}", who.user.email);
        assert_eq!(code(&body), "claim_limit_reached");
        let message = text(&body["error"]["message"]);
        assert!(
            message.contains("Company cap") && message.contains("partner account"),
            "{message}"
        );
    }
    // Another partner counts on its own.
    assert_eq!(claim(app, &w.bolt_user, &leads[2]).await.0, 200);
    assert_eq!(claim(app, &w.bolt_user, &leads[3]).await.0, 200);
    assert_eq!(claim(app, &w.bolt_user, &leads[4]).await.0, 409);
    // A colleague's release frees the company's slot.
    assert_eq!(
        act(app, &w.acme_colleague, &leads[1], "release").await.0,
        200
    );
    assert_eq!(claim(app, &w.acme_user, &leads[4]).await.0, 200);
}

async fn window_rule_counts_released_claims_until_the_window_passes(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        json!([{"name": "One an hour", "kind": "per_window", "window_hours": 1, "subject": "user",
                "queue_id": null, "max": 1, "overrides": []}]),
    )
    .await;
    let first = in_queue(app, &w, &w.east, "Hourly One").await;
    let second = in_queue(app, &w, &w.east, "Hourly Two").await;
    assert_eq!(claim(app, &w.acme_user, &first).await.0, 200);
    app.clock.advance(minutes(10));
    assert_eq!(act(app, &w.acme_user, &first, "release").await.0, 200);
    // The claim still counts, though the lead was given back.
    for lead in [&first, &second] {
        let (status, body) = claim(app, &w.acme_user, lead).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(code(&body), "claim_limit_reached");
        let message = text(&body["error"]["message"]);
        assert!(
            message.contains("One an hour") && message.contains("next claim"),
            "{message}"
        );
    }
    // Others are not limited by it.
    assert_eq!(claim(app, &w.acme_colleague, &first).await.0, 200);
    app.clock.advance(minutes(49));
    assert_eq!(
        claim(app, &w.acme_user, &second).await.0,
        409,
        "59 minutes on"
    );
    app.clock.advance(minutes(2));
    let (status, body) = claim(app, &w.acme_user, &second).await;
    assert_eq!(status, 200, "61 minutes on: {body}");
}

async fn tier_and_partner_overrides_change_the_maximum(app: &TestApp) {
    let w = world(app).await;
    // One each by default; gold (Acme) three; Bolt unlimited.
    set_rules(
        app,
        &w,
        json!([{"name": "Default one", "kind": "open_at_once", "subject": "user", "queue_id": null, "max": 1,
                "overrides": [{"target": {"tier": "gold"}, "max": 3},
                              {"target": {"partner": w.bolt.id}, "max": null}]}]),
    )
    .await;
    let mut east = Vec::new();
    for i in 0..9 {
        east.push(in_queue(app, &w, &w.east, &format!("East {i}")).await);
    }
    let north_1 = in_queue(app, &w, &w.north, "North 1").await;
    let north_2 = in_queue(app, &w, &w.north, "North 2").await;
    for id in &east[..3] {
        assert_eq!(claim(app, &w.acme_user, id).await.0, 200);
    }
    let (status, body) = claim(app, &w.acme_user, &east[3]).await;
    assert_eq!(status, 409, "{body}");
    assert!(text(&body["error"]["message"]).contains('3'), "{body}");
    for id in &east[3..8] {
        assert_eq!(
            claim(app, &w.bolt_user, id).await.0,
            200,
            "Bolt has no limit"
        );
    }
    assert_eq!(claim(app, &w.zenith_user, &north_1).await.0, 200);
    assert_eq!(
        claim(app, &w.zenith_user, &north_2).await.0,
        409,
        "platinum: the default"
    );

    // A partner override beats its tier's.
    set_rules(
        app,
        &w,
        json!([{"name": "Default one", "kind": "open_at_once", "subject": "user", "queue_id": null, "max": 1,
                "overrides": [{"target": {"tier": "gold"}, "max": 3},
                              {"target": {"partner": w.acme.id}, "max": 4},
                              {"target": {"tier": "platinum"}, "max": 0}]}]),
    )
    .await;
    assert_eq!(
        claim(app, &w.acme_user, &east[8]).await.0,
        200,
        "Acme's own four"
    );
    assert_eq!(act(app, &w.zenith_user, &north_1, "release").await.0, 200);
    let (status, body) = claim(app, &w.zenith_user, &north_2).await;
    assert_eq!(status, 409, "platinum may claim none now: {body}");
    // Bolt has no override any more: one each, and Bo holds five.
    assert_eq!(act(app, &w.bolt_user, &east[3], "release").await.0, 200);
    assert_eq!(claim(app, &w.bolt_user, &east[3]).await.0, 409);
}

async fn a_rule_for_one_queue_does_not_limit_another(app: &TestApp) {
    let w = world(app).await;
    let west = queue(app, &w.admin, "West", &[&w.acme]).await;
    let mut rule = open_rule("East only", "user", 1);
    rule["queue_id"] = json!(w.east);
    set_rules(app, &w, json!([rule])).await;
    let east_1 = in_queue(app, &w, &w.east, "East 1").await;
    let east_2 = in_queue(app, &w, &w.east, "East 2").await;
    let west_1 = in_queue(app, &w, &west, "West 1").await;
    let west_2 = in_queue(app, &w, &west, "West 2").await;
    assert_eq!(claim(app, &w.acme_user, &east_1).await.0, 200);
    let (status, body) = claim(app, &w.acme_user, &east_2).await;
    assert_eq!(status, 409, "{body}");
    assert!(text(&body["error"]["message"]).contains("East only"));
    assert_eq!(claim(app, &w.acme_user, &west_1).await.0, 200);
    assert_eq!(claim(app, &w.acme_user, &west_2).await.0, 200);
    // West leads do not count towards East's rule either.
    assert_eq!(act(app, &w.acme_user, &east_1, "release").await.0, 200);
    assert_eq!(claim(app, &w.acme_user, &east_2).await.0, 200);
    // Bolt is no member of West.
    assert_eq!(
        view_status(app, &w.bolt_user, &format!("view=queue:{west}")).await,
        404
    );
}

// ---------------------------------------------------------------------------
// The inbox.

async fn inbox_leads_are_accepted_or_declined_with_a_reason(app: &TestApp) {
    let w = world(app).await;
    let routed = |name: &str, field: &str, to: String| {
        let mut body = lead(name, &format!("{name} A/S"));
        body[field] = json!(to);
        body
    };
    let to_acme = create_id(
        app,
        &w.cm_a,
        routed("For Acme", "partner_id", w.acme.id.to_string()),
    )
    .await;
    let to_uffe = create_id(
        app,
        &w.admin,
        routed("For Uffe", "owner_id", w.acme_user.id()),
    )
    .await;
    let to_decline = create_id(
        app,
        &w.admin,
        routed("Wrong Region", "partner_id", w.acme.id.to_string()),
    )
    .await;
    let to_cleo = create_id(
        app,
        &w.admin,
        routed("For Cleo", "owner_id", w.acme_colleague.id()),
    )
    .await;

    // Only Acme's staff see what was routed to Acme.
    for who in [&w.zenith_user, &w.zenith_manager, &w.bolt_user, &w.cm_b] {
        for action in ["", "/accept", "/timeline"] {
            let path = format!("/api/v1/leads/{to_acme}{action}");
            let (status, body) = if action == "/accept" {
                act(app, who, &to_acme, "accept").await
            } else {
                get(app, who, &path).await
            };
            assert_eq!(status, 404, "{}: {path}: {body}", who.user.email);
        }
        let (status, _) = post(
            app,
            who,
            &format!("/api/v1/leads/{to_acme}/decline"),
            json!({"reason": "spam"}),
        )
        .await;
        assert_eq!(status, 404, "{}: decline", who.user.email);
    }
    // A lead routed to one user is theirs to answer; a colleague does not see it.
    let (status, _) = get(app, &w.acme_colleague, &format!("/api/v1/leads/{to_uffe}")).await;
    assert_eq!(status, 404);
    assert_eq!(act(app, &w.acme_colleague, &to_uffe, "accept").await.0, 404);

    // Accepting a company's lead makes the one who accepts its owner.
    let (status, accepted) = act(app, &w.acme_colleague, &to_acme, "accept").await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["state"], "owned");
    assert_eq!(accepted["owner_id"], json!(w.acme_colleague.id()));
    assert_eq!(accepted["partner_id"], json!(w.acme.id));
    assert_eq!(
        view(app, &w.acme_colleague, "view=mine").await,
        one(&to_acme)
    );
    assert_eq!(recent(app, &w.acme_colleague).await, one(&to_acme));
    assert!(
        !view(app, &w.acme_user, "view=inbox")
            .await
            .contains(&to_acme)
    );
    assert_eq!(act(app, &w.acme_user, &to_acme, "accept").await.0, 404);
    let (status, body) = act(app, &w.acme_colleague, &to_acme, "accept").await;
    assert_eq!(status, 422, "accepted already: {body}");

    let (status, mine) = act(app, &w.acme_user, &to_uffe, "accept").await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine["owner_id"], json!(w.acme_user.id()));
    assert_eq!(mine["state"], "owned");
    assert_eq!(view(app, &w.acme_user, "view=mine").await, one(&to_uffe));
    // Vendor staff do not accept.
    assert_eq!(act(app, &w.admin, &to_decline, "accept").await.0, 403);

    // Decline: an unknown reason first, which changes nothing.
    let decline = format!("/api/v1/leads/{to_decline}/decline");
    for body in [
        json!({"reason": "too_busy"}),
        json!({"reason": ""}),
        json!({"reason": "NOT MY TERRITORY"}),
    ] {
        let (status, error) = post(app, &w.acme_user, &decline, body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
        assert_eq!(fields(&error), set(&["reason"]));
    }
    let (status, error) = post(app, &w.acme_user, &decline, json!({"note": "no reason"})).await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(read(app, &w.acme_user, &to_decline).await["state"], "inbox");

    let (status, body) = post(
        app,
        &w.acme_user,
        &decline,
        json!({"reason": "not_my_territory", "note": "We only cover Jutland"}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(body, Value::Null);
    for who in [&w.acme_user, &w.acme_manager, &w.acme_colleague] {
        let (status, _) = get(app, who, &format!("/api/v1/leads/{to_decline}")).await;
        assert_eq!(status, 404, "{}: a declined lead", who.user.email);
        assert!(!view(app, who, "view=inbox").await.contains(&to_decline));
    }
    let (status, _) = post(app, &w.acme_user, &decline, json!({"reason": "spam"})).await;
    assert_eq!(status, 404, "declined already");
    for vendor in [&w.admin, &w.cm_a] {
        assert_eq!(view(app, vendor, "view=declined").await, one(&to_decline));
        let back = read(app, vendor, &to_decline).await;
        assert_eq!(back["state"], "unassigned");
    }
    assert!(
        view(app, &w.cm_b, "view=declined")
            .await
            .contains(&to_decline)
    );
    let events = timeline(app, &w.cm_a, &to_decline).await;
    // The decline hands the lead back to the router; with no rules and no
    // default queue it stays with the vendor.
    assert_eq!(kinds(&events), ["created", "decline", "routed"]);
    assert_eq!(events[2]["new_value"], "fallback");
    assert_eq!(events[1]["new_value"], "not_my_territory");
    assert_eq!(events[1]["actor_id"], json!(w.acme_user.id()));
    assert_eq!(events[1]["partner_id"], json!(w.acme.id));
    assert!(
        events[1].to_string().contains("We only cover Jutland"),
        "the note is kept: {}",
        events[1]
    );

    // A lead routed to a user may be declined by that user; an owned one may not.
    let (status, _) = post(
        app,
        &w.acme_colleague,
        &format!("/api/v1/leads/{to_cleo}/decline"),
        json!({"reason": "no_capacity"}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = post(
        app,
        &w.acme_user,
        &format!("/api/v1/leads/{to_uffe}/decline"),
        json!({"reason": "duplicate"}),
    )
    .await;
    assert_eq!(status, 422, "an accepted lead: {body}");
    assert_eq!(
        view_set(app, &w.admin, "view=declined").await,
        set(&[&to_decline, &to_cleo])
    );
}

// ---------------------------------------------------------------------------
// Visibility.

async fn partners_never_reach_another_partners_leads(app: &TestApp) {
    let w = world(app).await;
    let zenith_own = create_id(app, &w.zenith_user, lead("Zenith Own", "Z Customer")).await;
    let north = in_queue(app, &w, &w.north, "Zenith Queue").await;
    let north_claimed = in_queue(app, &w, &w.north, "Zenith Claimed").await;
    assert_eq!(claim(app, &w.zenith_user, &north_claimed).await.0, 200);
    let mut body = lead("Zenith Inbox", "Z Routed");
    body["partner_id"] = json!(w.zenith.id);
    let zenith_inbox = create_id(app, &w.admin, body).await;
    let mut body = lead("Zoe Inbox", "Z Direct");
    body["owner_id"] = json!(w.zenith_user.id());
    let zoe_inbox = create_id(app, &w.admin, body).await;
    let unassigned = create_id(app, &w.admin, lead("Vendor Only", "V")).await;
    let theirs = [
        &zenith_own,
        &north,
        &north_claimed,
        &zenith_inbox,
        &zoe_inbox,
        &unassigned,
    ];
    for id in theirs {
        read(app, &w.admin, id).await;
    }
    let unknown = openprm_domain::LeadId::new().to_string();
    let (_, missing) = get(app, &w.acme_user, &format!("/api/v1/leads/{unknown}")).await;

    for who in [&w.acme_user, &w.acme_manager, &w.bolt_user] {
        for id in theirs {
            let (status, body) = get(app, who, &format!("/api/v1/leads/{id}")).await;
            assert_eq!(status, 404, "{}: GET {id}", who.user.email);
            assert_eq!(body, missing, "a hidden lead answers as a missing one");
            let (status, _) = get(app, who, &format!("/api/v1/leads/{id}/timeline")).await;
            assert_eq!(status, 404, "{}: timeline", who.user.email);
            let (status, _) = post(
                app,
                who,
                &format!("/api/v1/leads/{id}/notes"),
                json!({"text": "peek"}),
            )
            .await;
            assert_eq!(status, 404, "{}: note", who.user.email);
            let (status, _) = patch(app, who, id, Some("1"), json!({"title": "X"})).await;
            assert_eq!(status, 404, "{}: PATCH", who.user.email);
            for action in ["claim", "release", "accept"] {
                let (status, body) = act(app, who, id, action).await;
                assert_eq!(status, 404, "{}: {action} {id}: {body}", who.user.email);
            }
            let (status, _) = post(
                app,
                who,
                &format!("/api/v1/leads/{id}/decline"),
                json!({"reason": "spam"}),
            )
            .await;
            assert_eq!(status, 404, "{}: decline", who.user.email);
        }
        let mut views = vec![
            "view=mine".to_owned(),
            "view=inbox".to_owned(),
            "view=recent".to_owned(),
            format!("view=queue:{}", w.east),
        ];
        if who.user.user.role == Role::PartnerManager {
            views.push("view=company".into());
        }
        for v in views {
            for id in view(app, who, &v).await {
                assert!(!theirs.contains(&&id), "{}: {v} lists {id}", who.user.email);
            }
        }
        let (_, search) = get(app, who, "/api/v1/leads?view=mine&q=zenith").await;
        assert_eq!(search["leads"], json!([]));
        assert!(recent(app, who).await.is_empty(), "{}", who.user.email);
    }
    // Nothing of that left a trace.
    assert_eq!(read(app, &w.admin, &zenith_own).await["version"], 1);
    assert_eq!(
        kinds(&timeline(app, &w.admin, &zenith_own).await),
        ["created"]
    );
    assert_eq!(read(app, &w.admin, &north).await["state"], "in_queue");
    assert_eq!(read(app, &w.admin, &zenith_inbox).await["state"], "inbox");
    // Zenith's own staff do see theirs.
    read(app, &w.zenith_user, &zenith_own).await;
    read(app, &w.zenith_user, &north).await;
    read(app, &w.zenith_user, &zoe_inbox).await;
    read(app, &w.zenith_manager, &north_claimed).await;
    let (status, _) = get(app, &w.zenith_user, &format!("/api/v1/leads/{unassigned}")).await;
    assert_eq!(status, 404, "an unassigned lead is the vendor's");
}

async fn channel_managers_see_their_partners_and_unassigned_leads(app: &TestApp) {
    let w = world(app).await;
    let acme_lead = create_id(app, &w.acme_user, lead("Acme Deal", "A")).await;
    let bolt_lead = create_id(app, &w.bolt_user, lead("Bolt Deal", "B")).await;
    let zenith_lead = create_id(app, &w.zenith_user, lead("Zenith Deal", "Z")).await;
    let unassigned = create_id(app, &w.admin, lead("Open Field", "V")).await;
    let queued = in_queue(app, &w, &w.north, "Queued North").await;

    for id in [&acme_lead, &bolt_lead, &unassigned, &queued] {
        read(app, &w.cm_a, id).await;
        timeline(app, &w.cm_a, id).await;
    }
    for (who, hidden) in [
        (&w.cm_a, &zenith_lead),
        (&w.cm_b, &acme_lead),
        (&w.cm_b, &bolt_lead),
    ] {
        let (status, _) = get(app, who, &format!("/api/v1/leads/{hidden}")).await;
        assert_eq!(status, 404, "{}", who.user.email);
        let (status, _) = get(app, who, &format!("/api/v1/leads/{hidden}/timeline")).await;
        assert_eq!(status, 404);
        let (status, _) = post(
            app,
            who,
            &format!("/api/v1/leads/{hidden}/notes"),
            json!({"text": "hello"}),
        )
        .await;
        assert_eq!(status, 404);
        assert!(!view(app, who, "view=all").await.contains(hidden));
    }
    read(app, &w.cm_b, &zenith_lead).await;
    read(app, &w.cm_b, &unassigned).await;
    assert_eq!(
        view_set(app, &w.cm_a, "view=all").await,
        set(&[&acme_lead, &bolt_lead, &unassigned, &queued])
    );
    // What a channel manager opened and can no longer see drops from Recent Items:
    // Zenith moves from B to A.
    read(app, &w.cm_b, &zenith_lead).await;
    assert!(recent(app, &w.cm_b).await.contains(&zenith_lead));
    let (status, body) = call(
        app,
        &w.admin.token,
        Method::PATCH,
        &format!("/api/v1/partners/{}", w.zenith.id),
        Some(json!({"channel_manager_id": w.cm_a.id()}).to_string()),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(!recent(app, &w.cm_b).await.contains(&zenith_lead));
    read(app, &w.cm_a, &zenith_lead).await;
}

async fn recent_items_drop_a_lead_claimed_by_another_partner(app: &TestApp) {
    let w = world(app).await;
    let id = in_queue(app, &w, &w.east, "Passed Around").await;
    let other = in_queue(app, &w, &w.east, "Stays Put").await;
    app.clock.advance(time::Duration::seconds(1));
    read(app, &w.acme_user, &other).await;
    app.clock.advance(time::Duration::seconds(1));
    assert_eq!(claim(app, &w.acme_user, &id).await.0, 200);
    assert_eq!(recent(app, &w.acme_user).await, [id.clone(), other.clone()]);
    app.clock.advance(time::Duration::seconds(1));
    assert_eq!(act(app, &w.acme_user, &id, "release").await.0, 200);
    // Back in the queue, still theirs to see.
    assert_eq!(recent(app, &w.acme_user).await, [id.clone(), other.clone()]);
    assert_eq!(claim(app, &w.bolt_user, &id).await.0, 200);
    assert_eq!(recent(app, &w.acme_user).await, one(&other));
    assert_eq!(view(app, &w.acme_user, "view=recent").await, one(&other));
    let (status, _) = get(app, &w.acme_user, &format!("/api/v1/leads/{id}")).await;
    assert_eq!(status, 404);
    assert_eq!(recent(app, &w.bolt_user).await, one(&id));
    // The timeline Bolt sees names Acme's claim without Acme.
    let events = timeline(app, &w.bolt_user, &id).await;
    assert_eq!(kinds(&events), ["created", "claim", "release", "claim"]);
    for event in &events[1..3] {
        assert!(
            event["actor_id"].is_null(),
            "another partner's user: {event}"
        );
        assert!(event["partner_id"].is_null(), "another partner: {event}");
    }
    assert_eq!(events[3]["actor_id"], json!(w.bolt_user.id()));
}

// ---------------------------------------------------------------------------
// Bad input.

async fn bad_input_is_a_clear_4xx_never_a_5xx(app: &TestApp) {
    let w = world(app).await;
    let id = create_id(app, &w.acme_user, lead("Robust", "Input Ltd")).await;
    let queued = in_queue(app, &w, &w.east, "Robust Queue").await;
    let raw = |method: Method, path: String, body: &str| {
        let token = w.acme_user.token.clone();
        let body = body.to_owned();
        async move { call(app, &token, method, &path, Some(body), Some("1")).await }
    };
    let lead_path = format!("/api/v1/leads/{id}");
    let targets = [
        (Method::POST, "/api/v1/leads".to_owned()),
        (Method::PATCH, lead_path.clone()),
        (Method::POST, format!("{lead_path}/notes")),
        (Method::POST, format!("{lead_path}/decline")),
        (Method::PUT, "/api/v1/claim-rules".to_owned()),
    ];
    for (method, path) in &targets {
        for (body, allowed) in [
            ("{\"name\": ", &[400][..]),
            ("not json at all", &[400]),
            ("", &[400, 422]),
            ("[1, 2", &[400, 422]),
            (
                "{\"name\": \"A\\u0000B\", \"company\": \"C\", \"text\": \"a\\u0000\", \"reason\": \"spam\\u0000\"}",
                &[400],
            ),
            (
                "{\"name\": 5, \"company\": [], \"text\": 7, \"reason\": {}}",
                &[422],
            ),
            ("{\"name\": \"\\ud800\"}", &[400, 422]),
            ("null", &[400, 422]),
            ("12345678901234567890123456789", &[400, 422]),
        ] {
            let (status, reply) = raw(method.clone(), path.clone(), body).await;
            // The claim rules are a list, so an object is the wrong shape before
            // it is malformed; and they answer a partner 403 once read.
            let allowed: Vec<u16> = if path.ends_with("claim-rules") {
                [allowed, &[403, 422]].concat()
            } else {
                allowed.to_vec()
            };
            assert!(
                allowed.contains(&status),
                "{method} {path} {body:?}: {status} {reply}"
            );
        }
    }
    let (status, body) = raw(
        Method::POST,
        "/api/v1/leads".into(),
        "{\"name\": \"A\\u0000B\", \"company\": \"C\"}",
    )
    .await;
    assert_eq!((status, code(&body)), (400, "bad_request"));
    // Wrong types in well-formed JSON.
    for body in [
        json!({"name": 5, "company": "C"}),
        json!({"name": "A", "company": "C", "queue_id": "not-a-uuid"}),
        json!({"name": "A", "company": "C", "partner_id": 17}),
        json!({"name": ["A"], "company": "C"}),
        json!([{"name": "A", "company": "C"}]),
    ] {
        let (status, error) = post(app, &w.admin, "/api/v1/leads", body.clone()).await;
        assert_eq!(status, 422, "{body}: {error}");
    }
    // Control characters inside values.
    for (field, value) in [
        ("name", "A\u{7}B"),
        ("company", "Esc\u{1b}[31m"),
        ("title", "Line\nbreak"),
        ("email", "a\u{8}@b.dk"),
    ] {
        let mut body = lead("Fine", "Fine");
        body[field] = json!(value);
        let (status, error) = post(app, &w.admin, "/api/v1/leads", body).await;
        assert_eq!(status, 422, "{field}: {error}");
        assert_eq!(fields(&error), set(&[field]));
    }
    // Oversized values and bodies.
    let (status, error) = patch(
        app,
        &w.acme_user,
        &id,
        Some("1"),
        json!({"description": "x".repeat(4001)}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&error), set(&["description"]));
    let (status, error) = post(
        app,
        &w.admin,
        "/api/v1/leads",
        json!({"name": "Big", "company": "Big", "description": "x".repeat(300 * 1024)}),
    )
    .await;
    assert_eq!((status, code(&error)), (413, "payload_too_large"));
    let (status, _) = post(
        app,
        &w.acme_user,
        &format!("{lead_path}/decline"),
        json!({"reason": "other", "note": "n".repeat(2000)}),
    )
    .await;
    assert!(matches!(status, 404 | 422), "{status}");
    // An If-Match that is not text.
    let (status, error) = call(
        app,
        &w.acme_user.token,
        Method::PATCH,
        &lead_path,
        Some(json!({"title": "T"}).to_string()),
        Some("\"1\u{e6}\""),
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(fields(&error), set(&["If-Match"]));

    // Query strings: odd values are refused or harmless.
    for query in [
        "limit=abc",
        "limit=-1",
        "limit=99999999999999999999",
        "q=%00",
        "q=a%00b",
        "status=%00",
        "sort=%00",
        "view=%00",
        "view=queue:%00",
        "cursor=%00",
        "q=%FF%FE",
        "q=%E2%80%AE%E2%80%AE",
        "status=qualified&status=working_contacted",
        "q=%27%20OR%201%3D1%20--",
        "status=%27%20OR%20%271%27%3D%271",
        "sort=name%3B%20DROP%20TABLE%20leads",
    ] {
        for who in [&w.admin, &w.acme_user] {
            let (status, body) = get(app, who, &format!("/api/v1/leads?{query}")).await;
            assert!(
                status == 200 || (400..500).contains(&status),
                "{query}: {status} {body}"
            );
            if status == 200 && query.contains("OR") {
                assert_eq!(body["leads"], json!([]), "{query}");
            }
        }
    }
    let (status, body) = get(
        app,
        &w.admin,
        &format!("/api/v1/leads?q={}", "q".repeat(201)),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(fields(&body), set(&["q"]));
    // A cursor that decodes to text no database takes.
    let nul_cursor =
        URL_SAFE_NO_PAD.encode(format!("name|{}|a\u{0}b", openprm_domain::LeadId::new()));
    let (status, body) = get(
        app,
        &w.admin,
        &format!("/api/v1/leads?sort=name&cursor={nul_cursor}"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(fields(&body), set(&["cursor"]));

    // Ids in paths.
    for bad in [
        "not-a-uuid",
        "%00",
        "..%2F..%2Fetc",
        &"9".repeat(500),
        "00000000-0000-0000-0000-000000000000",
    ] {
        for suffix in ["", "/timeline", "/claim", "/release", "/accept"] {
            let method = if matches!(suffix, "" | "/timeline") {
                Method::GET
            } else {
                Method::POST
            };
            let path = format!("/api/v1/leads/{bad}{suffix}");
            let (status, _) = call(app, &w.acme_user.token, method, &path, None, None).await;
            assert_eq!(status, 404, "{path}");
        }
    }
    // Claiming what cannot be claimed.
    assert_eq!(claim(app, &w.acme_user, &id).await.0, 422);
    assert_eq!(claim(app, &w.acme_user, &queued).await.0, 200);
    assert_eq!(claim(app, &w.acme_user, &queued).await.0, 409);
    // Nothing of the above was written.
    let robust = read(app, &w.acme_user, &id).await;
    assert_eq!(robust["version"], 1);
    assert!(robust["description"].is_null());
    assert_eq!(kinds(&timeline(app, &w.acme_user, &id).await), ["created"]);
    assert_eq!(view(app, &w.admin, "view=all").await.len(), 2);
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
    create_id(app, &w.acme_user, lead("Cursor", "Time Ltd")).await;
    for sort in ["newest", "updated"] {
        for value in ABSURD_TIMES {
            let cursor = openprm_testkit::forged_cursor(sort, value);
            for (who, view) in [(&w.admin, "all"), (&w.acme_user, "mine")] {
                let (status, body) = get(
                    app,
                    who,
                    &format!("/api/v1/leads?view={view}&sort={sort}&cursor={cursor}"),
                )
                .await;
                assert_eq!(status, 422, "{sort} {value}: {body}");
                assert_eq!(fields(&body), set(&["cursor"]), "{body}");
            }
        }
        // A sane time still pages.
        let cursor = openprm_testkit::forged_cursor(sort, "4102444800000000000");
        let (status, _) = get(
            app,
            &w.admin,
            &format!("/api/v1/leads?view=all&sort={sort}&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, 200);
    }
}
