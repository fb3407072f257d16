//! The opportunities API (spec flow 9 and its §3 endpoints), through HTTP on
//! both stores: who may create one and for whom, the list views of each role
//! with search, stage filter and keyset pages, editing with `If-Match` and the
//! timeline, notes, the stage picklist, who sees what (a record out of sight
//! is 404 everywhere: reads, writes, lists, search, timelines, Recent Items)
//! and bad input. Every answer is checked on the way: never a 5xx, and every
//! error the spec's JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use openprm_domain::{Clock, Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::{Method, header};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    each_role_creates_opportunities_where_it_may,
    list_views_show_each_role_its_own_opportunities,
    keyset_pages_search_and_stage_filter,
    editing_needs_the_current_version_and_writes_the_timeline,
    notes_go_to_the_timeline,
    the_stage_picklist_is_the_admins_and_is_validated,
    other_partners_never_reach_an_opportunity,
    channel_managers_see_only_their_partners,
    bad_input_is_a_clear_4xx_and_nothing_is_written,
    forged_cursor_times_are_refused_as_invalid_cursors,
    a_stage_removed_while_saving_is_a_field_error,
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

/// Channel manager A has Acme and Bolt, B has Zenith. Each partner user has
/// one account of their own.
struct World {
    admin: Caller,
    cm_a: Caller,
    cm_b: Caller,
    acme: Partner,
    zenith: Partner,
    acme_manager: Caller,
    acme_user: Caller,
    acme_colleague: Caller,
    bolt_user: Caller,
    zenith_user: Caller,
    /// Owned by acme_user.
    acme_account: String,
    /// Owned by acme_colleague.
    colleague_account: String,
    bolt_account: String,
    zenith_account: String,
}

async fn caller(app: &TestApp, name: &str, role: Role, partner: Option<&Partner>) -> Caller {
    let user = app.user(name, role, partner.map(|p| p.id)).await;
    let token = app.token(&user).await;
    Caller { user, token }
}

async fn account(app: &TestApp, who: &Caller, name: &str) -> String {
    let (status, body) = post(app, who, "/api/v1/accounts", json!({"name": name})).await;
    assert_eq!(status, 201, "create account {name}: {body}");
    text(&body["id"])
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
    let zenith_user = caller(app, "Zoe Zenith", Role::PartnerUser, Some(&zenith)).await;
    let acme_account = account(app, &acme_user, "Nordlys A/S").await;
    let colleague_account = account(app, &acme_colleague, "Fjordkraft AS").await;
    let bolt_account = account(app, &bolt_user, "Blåbær ApS").await;
    let zenith_account = account(app, &zenith_user, "Østerlund Group").await;
    World {
        admin,
        cm_a,
        cm_b,
        acme,
        zenith,
        acme_manager,
        acme_user,
        acme_colleague,
        bolt_user,
        zenith_user,
        acme_account,
        colleague_account,
        bolt_account,
        zenith_account,
    }
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
    let body = Some(body.to_string());
    call(app, &who.token, Method::POST, path, body, None).await
}

async fn patch(
    app: &TestApp,
    who: &Caller,
    id: &str,
    version: Option<&str>,
    body: Value,
) -> (u16, Value) {
    let path = format!("/api/v1/opportunities/{id}");
    call(
        app,
        &who.token,
        Method::PATCH,
        &path,
        Some(body.to_string()),
        version,
    )
    .await
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

fn ids_of(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list}"))
        .iter()
        .map(|item| text(&item["id"]))
        .collect()
}

/// An opportunity body on an account, closing on a date.
fn deal(name: &str, account: &str, close: &str) -> Value {
    json!({"name": name, "account_id": account, "close_date": close})
}

async fn create(app: &TestApp, who: &Caller, body: Value) -> Value {
    let (status, o) = post(app, who, "/api/v1/opportunities", body.clone()).await;
    assert_eq!(status, 201, "{}: create {body}: {o}", who.user.email);
    o
}

async fn create_id(app: &TestApp, who: &Caller, body: Value) -> String {
    text(&create(app, who, body).await["id"])
}

/// One list view as ids (one page of up to 200), asserting 200.
async fn view(app: &TestApp, who: &Caller, query: &str) -> BTreeSet<String> {
    let path = format!("/api/v1/opportunities?limit=200&{query}");
    let (status, body) = get(app, who, &path).await;
    assert_eq!(status, 200, "{}: {path}: {body}", who.user.email);
    set(&ids_of(&body["opportunities"]))
}

async fn view_status(app: &TestApp, who: &Caller, query: &str) -> u16 {
    get(app, who, &format!("/api/v1/opportunities?{query}"))
        .await
        .0
}

async fn read(app: &TestApp, who: &Caller, id: &str) -> Value {
    let (status, body) = get(app, who, &format!("/api/v1/opportunities/{id}")).await;
    assert_eq!(status, 200, "{}: GET {id}: {body}", who.user.email);
    body
}

async fn timeline(app: &TestApp, who: &Caller, id: &str) -> Vec<Value> {
    let (status, body) = get(app, who, &format!("/api/v1/opportunities/{id}/timeline")).await;
    assert_eq!(status, 200, "{}: timeline of {id}: {body}", who.user.email);
    body.as_array().unwrap().clone()
}

async fn recent(app: &TestApp, who: &Caller) -> Vec<String> {
    let (status, body) = get(app, who, "/api/v1/recent-items").await;
    assert_eq!(status, 200, "recent items: {body}");
    ids_of(&body)
}

/// Today and a date in this month and one far from it, as `YYYY-MM-DD`.
fn dates(app: &TestApp) -> (String, String) {
    let today = app.clock.now().date();
    let this_month = format!("{:04}-{:02}-15", today.year(), u8::from(today.month()));
    let next_year = format!("{:04}-06-30", today.year() + 1);
    (this_month, next_year)
}

// ---------------------------------------------------------------------------
// Creating.

async fn each_role_creates_opportunities_where_it_may(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);

    // A partner user, on their own account: theirs, with the defaults filled in.
    let mut body = deal("Nordlys – 40 seats", &w.acme_account, &later);
    body["amount"] = json!("12,500.50");
    let o = create(app, &w.acme_user, body).await;
    assert_eq!(o["owner_id"], json!(w.acme_user.id()));
    assert_eq!(o["partner_id"], json!(w.acme.id.to_string()));
    assert_eq!(o["account_name"], "Nordlys A/S");
    assert_eq!(o["stage"], "prospecting");
    assert_eq!(o["probability"], 10);
    assert_eq!(o["currency"], "EUR");
    assert_eq!(o["amount_minor"], 1_250_050);
    assert_eq!(o["amount"], "12500.50");
    assert_eq!(o["close_date"], json!(later));
    assert_eq!(o["version"], 1);

    // Whole JSON numbers and other currencies are exact too.
    let mut body = deal("Nordlys – support", &w.acme_account, &later);
    body["amount"] = json!(150000);
    body["currency"] = json!("isk");
    body["stage"] = json!("Proposal");
    let o = create(app, &w.acme_user, body).await;
    assert_eq!(
        (o["amount_minor"].clone(), o["currency"].clone()),
        (json!(150000), json!("ISK"))
    );
    assert_eq!(
        (o["stage"].clone(), o["probability"].clone()),
        (json!("proposal"), json!(60))
    );

    // A partner user cannot hand a new deal to a colleague: a field error,
    // the same for a colleague, another partner's user and nobody at all.
    let mut answers = Vec::new();
    for owner in [
        w.acme_colleague.id(),
        w.zenith_user.id(),
        "00000000-0000-4000-8000-000000000000".to_owned(),
    ] {
        let mut body = deal("For Cleo", &w.acme_account, &later);
        body["owner_id"] = json!(owner);
        let (status, refused) = post(app, &w.acme_user, "/api/v1/opportunities", body).await;
        assert_eq!(
            (status, fields(&refused)),
            (422, set(&["owner_id"])),
            "{refused}"
        );
        answers.push(refused);
    }
    assert!(answers.windows(2).all(|a| a[0] == a[1]), "{answers:?}");
    // …nor use a colleague's account, which they cannot see.
    let body = deal("Not mine", &w.colleague_account, &later);
    let (status, refused) = post(app, &w.acme_user, "/api/v1/opportunities", body).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(fields(&refused), set(&["account_id"]));

    // The partner manager creates for any colleague, on any company account.
    let mut body = deal("Fjordkraft pilot", &w.colleague_account, &later);
    body["owner_id"] = json!(w.acme_colleague.id());
    let o = create(app, &w.acme_manager, body).await;
    assert_eq!(o["owner_id"], json!(w.acme_colleague.id()));
    let o = create(app, &w.acme_manager, deal("Mine", &w.acme_account, &later)).await;
    assert_eq!(o["owner_id"], json!(w.acme_manager.id()));
    // Not for another company's people.
    let mut body = deal("Bolt's?", &w.acme_account, &later);
    body["owner_id"] = json!(w.bolt_user.id());
    let (status, refused) = post(app, &w.acme_manager, "/api/v1/opportunities", body).await;
    assert_eq!((status, fields(&refused)), (422, set(&["owner_id"])));

    // Vendor staff: for a partner's account and one of its people, by default
    // the account's owner.
    let o = create(app, &w.cm_a, deal("Vendor-made", &w.acme_account, &later)).await;
    assert_eq!(o["owner_id"], json!(w.acme_user.id()));
    let mut body = deal("Vendor-made for Cleo", &w.acme_account, &later);
    body["owner_id"] = json!(w.acme_colleague.id());
    let o = create(app, &w.admin, body).await;
    assert_eq!(o["owner_id"], json!(w.acme_colleague.id()));
    // Another channel manager's partner's account is out of sight.
    let body = deal("Not my partner", &w.acme_account, &later);
    let (status, refused) = post(app, &w.cm_b, "/api/v1/opportunities", body).await;
    assert_eq!((status, fields(&refused)), (422, set(&["account_id"])));
    // The vendor's own account (no partner) takes no opportunity.
    let vendor_account = account(app, &w.admin, "Vendor Internal").await;
    let body = deal("In-house", &vendor_account, &later);
    let (status, refused) = post(app, &w.admin, "/api/v1/opportunities", body).await;
    assert_eq!((status, fields(&refused)), (422, set(&["account_id"])));
    // Another partner's user may not use Acme's account.
    let body = deal("Poaching", &w.acme_account, &later);
    let (status, refused) = post(app, &w.zenith_user, "/api/v1/opportunities", body).await;
    assert_eq!((status, fields(&refused)), (422, set(&["account_id"])));
}

// ---------------------------------------------------------------------------
// Lists.

async fn list_views_show_each_role_its_own_opportunities(app: &TestApp) {
    let w = world(app).await;
    let (this_month, later) = dates(app);
    let mine_open = create_id(
        app,
        &w.acme_user,
        deal("Closing soon", &w.acme_account, &this_month),
    )
    .await;
    let mut won_body = deal("Won one", &w.acme_account, &this_month);
    won_body["stage"] = json!("closed_won");
    let mine_won = create_id(app, &w.acme_user, won_body).await;
    let mut lost_body = deal("Lost one", &w.colleague_account, &later);
    lost_body["stage"] = json!("closed_lost");
    let colleague_lost = create_id(app, &w.acme_colleague, lost_body).await;
    let bolt = create_id(
        app,
        &w.bolt_user,
        deal("Bolt deal", &w.bolt_account, &later),
    )
    .await;
    let zenith = create_id(
        app,
        &w.zenith_user,
        deal("Zenith deal", &w.zenith_account, &this_month),
    )
    .await;

    // The partner user: only their own, in every view they have; My Opportunities by default.
    assert_eq!(
        view(app, &w.acme_user, "").await,
        set(&[&mine_open, &mine_won])
    );
    assert_eq!(
        view(app, &w.acme_user, "view=mine").await,
        set(&[&mine_open, &mine_won])
    );
    assert_eq!(
        view(app, &w.acme_user, "view=closing_this_month").await,
        set(&[&mine_open])
    );
    assert_eq!(view(app, &w.acme_user, "view=won").await, set(&[&mine_won]));
    assert!(view(app, &w.acme_user, "view=lost").await.is_empty());
    for query in [
        "view=company",
        "view=all",
        &format!("view=partner:{}", w.acme.id),
    ] {
        assert_eq!(view_status(app, &w.acme_user, query).await, 404, "{query}");
    }

    // The partner manager: the company's.
    let company = set(&[&mine_open, &mine_won, &colleague_lost]);
    assert_eq!(view(app, &w.acme_manager, "view=company").await, company);
    assert!(view(app, &w.acme_manager, "").await.is_empty(), "owns none");
    assert_eq!(
        view(app, &w.acme_manager, "view=lost").await,
        set(&[&colleague_lost])
    );
    assert_eq!(view_status(app, &w.acme_manager, "view=all").await, 404);

    // Vendor staff: all in scope by default, per partner, closing this month across partners.
    let everything = set(&[&mine_open, &mine_won, &colleague_lost, &bolt, &zenith]);
    assert_eq!(view(app, &w.admin, "").await, everything);
    assert_eq!(
        view(app, &w.admin, &format!("view=partner:{}", w.zenith.id)).await,
        set(&[&zenith])
    );
    assert_eq!(
        view(app, &w.admin, "view=closing_this_month").await,
        set(&[&mine_open, &zenith])
    );
    assert_eq!(
        view(app, &w.cm_a, "view=all").await,
        set(&[&mine_open, &mine_won, &colleague_lost, &bolt])
    );
    assert_eq!(
        view(app, &w.cm_a, &format!("view=partner:{}", w.acme.id)).await,
        company
    );
    assert_eq!(
        view_status(app, &w.cm_a, &format!("view=partner:{}", w.zenith.id)).await,
        404
    );
    assert!(view(app, &w.cm_a, "view=mine").await.is_empty());

    // A won deal is closed: it leaves Closing This Month.
    let version = read(app, &w.acme_user, &mine_open).await["version"].to_string();
    let (status, body) = patch(
        app,
        &w.acme_user,
        &mine_open,
        Some(&version),
        json!({"stage": "closed_won"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        view(app, &w.acme_user, "view=closing_this_month")
            .await
            .is_empty()
    );
    assert_eq!(
        view(app, &w.acme_user, "view=won").await,
        set(&[&mine_open, &mine_won])
    );
}

/// Every page of a list, following `next_cursor`.
async fn pages(app: &TestApp, who: &Caller, query: &str, limit: u32) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/opportunities?limit={limit}&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let (status, body) = get(app, who, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        pages.push(ids_of(&body["opportunities"]));
        match body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(pages.len() < 100, "paging does not end");
    }
    pages
}

async fn keyset_pages_search_and_stage_filter(app: &TestApp) {
    let w = world(app).await;
    let mut made = Vec::new();
    // Several on one day, so ties on the close date are broken by id.
    for i in 0..23 {
        let close = format!("2030-{:02}-{:02}", 1 + i % 3, 1 + i % 2);
        let mut body = deal(
            &format!(
                "Deal {:02} {}",
                23 - i,
                if i % 2 == 0 { "Øresund" } else { "Kattegat" }
            ),
            &w.acme_account,
            &close,
        );
        if i % 4 == 0 {
            body["stage"] = json!("negotiation");
        }
        made.push(create_id(app, &w.acme_user, body).await);
    }
    let all: BTreeSet<String> = made.iter().cloned().collect();
    for sort in ["close_date", "name", "newest"] {
        let query = format!("sort={sort}");
        let seen = pages(app, &w.acme_user, &query, 5).await;
        assert_eq!(seen.len(), 5, "{sort}: 23 rows in pages of 5");
        let flat: Vec<String> = seen.concat();
        assert_eq!(flat.len(), 23, "{sort}: every row once");
        assert_eq!(set(&flat), all, "{sort}");
        // The same order as one big page.
        let (_, one) = get(
            app,
            &w.acme_user,
            &format!("/api/v1/opportunities?limit=200&{query}"),
        )
        .await;
        assert_eq!(
            ids_of(&one["opportunities"]),
            flat,
            "{sort}: pages keep the order"
        );
    }
    // Sorted by close date, soonest first.
    let (_, one) = get(app, &w.acme_user, "/api/v1/opportunities?limit=200").await;
    let closes: Vec<String> = one["opportunities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| text(&o["close_date"]))
        .collect();
    let mut sorted = closes.clone();
    sorted.sort();
    assert_eq!(closes, sorted);

    // Search: the deal's name in any case beyond ASCII, or the account's name.
    assert_eq!(view(app, &w.acme_user, "q=%C3%B8RESUND").await.len(), 12);
    assert_eq!(view(app, &w.acme_user, "q=nordlys").await, all);
    assert!(view(app, &w.acme_user, "q=fjordkraft").await.is_empty());
    assert_eq!(view(app, &w.acme_user, "q=100%25_").await.len(), 0);
    // The stage filter, with search and across pages.
    assert_eq!(view(app, &w.acme_user, "stage=negotiation").await.len(), 6);
    assert_eq!(
        view(app, &w.acme_user, "stage=negotiation&q=kattegat")
            .await
            .len(),
        0
    );
    let filtered = pages(app, &w.acme_user, "stage=negotiation&sort=name", 4).await;
    assert_eq!(filtered.concat().len(), 6);
    // Another partner's search finds none of it.
    assert!(view(app, &w.zenith_user, "q=nordlys").await.is_empty());
}

// ---------------------------------------------------------------------------
// Editing.

/// A timeline entry as (kind, field, old value, new value).
type Entry = (String, Option<String>, Option<String>, Option<String>);

async fn editing_needs_the_current_version_and_writes_the_timeline(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);
    let mut body = deal("Nordlys rollout", &w.acme_account, &later);
    body["amount"] = json!("10000");
    body["currency"] = json!("DKK");
    let id = create_id(app, &w.acme_user, body).await;

    // No If-Match, or a bad one: refused, unchanged.
    let change = json!({"stage": "proposal", "amount": "12.500,50"});
    let (status, body) = patch(app, &w.acme_user, &id, None, change.clone()).await;
    assert_eq!((status, fields(&body)), (422, set(&["If-Match"])));
    let (status, _) = patch(app, &w.acme_user, &id, Some("v1"), change.clone()).await;
    assert_eq!(status, 422);
    let (status, body) = patch(
        app,
        &w.acme_user,
        &id,
        Some("1"),
        json!({"stage": "proposal", "amount": "12500.50", "next_step": "Send quote"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);
    assert_eq!(body["amount_minor"], 1_250_050);
    assert_eq!(body["probability"], 60, "follows the new stage");
    assert_eq!(body["next_step"], "Send quote");

    // A stale version: 412, and nothing written.
    let (status, body) = patch(
        app,
        &w.acme_user,
        &id,
        Some("1"),
        json!({"name": "Overwritten"}),
    )
    .await;
    assert_eq!((status, code(&body)), (412, "version_conflict"));
    assert_eq!(
        read(app, &w.acme_user, &id).await["name"],
        "Nordlys rollout"
    );

    // The manager hands it to a colleague (ETag-style If-Match).
    let (status, body) = patch(
        app,
        &w.acme_manager,
        &id,
        Some("\"2\""),
        json!({"owner_id": w.acme_colleague.id(), "probability": 65}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["owner_name"], "Cleo Acme");
    // Now the colleague's: the former owner no longer sees it, the new one edits it.
    assert_eq!(
        get(app, &w.acme_user, &format!("/api/v1/opportunities/{id}"))
            .await
            .0,
        404
    );
    let (status, body) = patch(
        app,
        &w.acme_colleague,
        &id,
        Some("3"),
        json!({"close_date": "2031-01-31", "account_id": w.colleague_account}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account_name"], "Fjordkraft AS");
    // A partner user may not hand it on.
    let (status, body) = patch(
        app,
        &w.acme_colleague,
        &id,
        Some("4"),
        json!({"owner_id": w.acme_manager.id()}),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, set(&["owner_id"])), "{body}");
    // Nor move it to another partner's account.
    let (status, body) = patch(
        app,
        &w.cm_a,
        &id,
        Some("4"),
        json!({"account_id": w.bolt_account}),
    )
    .await;
    assert_eq!((status, fields(&body)), (422, set(&["account_id"])));
    // Saving nothing new changes nothing.
    let (status, body) = patch(
        app,
        &w.acme_colleague,
        &id,
        Some("4"),
        json!({"name": "Nordlys rollout"}),
    )
    .await;
    assert_eq!((status, body["version"].clone()), (200, json!(4)));

    // The timeline, oldest first, with old and new values and who.
    let events = timeline(app, &w.acme_manager, &id).await;
    let summary: Vec<Entry> = events
        .iter()
        .map(|e| {
            (
                text(&e["kind"]),
                e["field"].as_str().map(str::to_owned),
                e["old_value"].as_str().map(str::to_owned),
                e["new_value"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        summary,
        vec![
            ("created".into(), None, None, None),
            ("field".into(), s("stage"), s("prospecting"), s("proposal")),
            (
                "field".into(),
                s("amount"),
                s("10000.00 DKK"),
                s("12500.50 DKK")
            ),
            ("field".into(), s("probability"), s("10"), s("60")),
            ("field".into(), s("next_step"), None, s("Send quote")),
            ("field".into(), s("owner"), s("Uffe Acme"), s("Cleo Acme")),
            ("field".into(), s("probability"), s("60"), s("65")),
            (
                "field".into(),
                s("account"),
                s("Nordlys A/S"),
                s("Fjordkraft AS")
            ),
            (
                "field".into(),
                s("close_date"),
                Some(later.clone()),
                s("2031-01-31")
            ),
        ]
    );
    assert_eq!(events[0]["actor_name"], "Uffe Acme");
    assert_eq!(events[5]["actor_name"], "Mona Acme");
}

async fn notes_go_to_the_timeline(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);
    let id = create_id(app, &w.acme_user, deal("Noted", &w.acme_account, &later)).await;
    let (status, note) = post(
        app,
        &w.acme_user,
        &format!("/api/v1/opportunities/{id}/notes"),
        json!({"text": "  Called the CFO.\r\nBudget in May. "}),
    )
    .await;
    assert_eq!(status, 201, "{note}");
    assert_eq!(note["kind"], "note");
    assert_eq!(note["new_value"], "Called the CFO.\nBudget in May.");
    // The channel manager answers on the same timeline.
    let (status, _) = post(
        app,
        &w.cm_a,
        &format!("/api/v1/opportunities/{id}/notes"),
        json!({"text": "Use the Q2 price list."}),
    )
    .await;
    assert_eq!(status, 201);
    let events = timeline(app, &w.acme_user, &id).await;
    let kinds: Vec<String> = events.iter().map(|e| text(&e["kind"])).collect();
    assert_eq!(kinds, ["created", "note", "note"]);
    assert_eq!(events[2]["actor_name"], "Carl Channel");
    for (bad, field) in [
        (json!({"text": "  "}), "text"),
        (json!({"text": "x".repeat(4001)}), "text"),
        (json!({"text": "bell\u{7}"}), "text"),
    ] {
        let (status, body) = post(
            app,
            &w.acme_user,
            &format!("/api/v1/opportunities/{id}/notes"),
            bad,
        )
        .await;
        assert_eq!((status, fields(&body)), (422, set(&[field])));
    }
    assert_eq!(
        timeline(app, &w.acme_user, &id).await.len(),
        3,
        "nothing half-written"
    );
}

// ---------------------------------------------------------------------------
// The stage picklist.

async fn put_stages(app: &TestApp, who: &Caller, stages: Value) -> (u16, Value) {
    call(
        app,
        &who.token,
        Method::PUT,
        "/api/v1/opportunity-stages",
        Some(stages.to_string()),
        None,
    )
    .await
}

async fn the_stage_picklist_is_the_admins_and_is_validated(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);
    let (status, stages) = get(app, &w.acme_user, "/api/v1/opportunity-stages").await;
    assert_eq!(status, 200);
    let labels: Vec<String> = stages
        .as_array()
        .unwrap()
        .iter()
        .map(|s| text(&s["label_en"]))
        .collect();
    assert_eq!(
        labels,
        [
            "Prospecting",
            "Qualification",
            "Needs Analysis",
            "Proposal",
            "Negotiation",
            "Closed Won",
            "Closed Lost"
        ]
    );
    assert_eq!(stages[4]["label_da"], "Forhandling");
    assert_eq!(
        (
            stages[5]["outcome"].clone(),
            stages[5]["probability"].clone()
        ),
        (json!("won"), json!(100))
    );

    let mut edited: Vec<Value> = stages.as_array().unwrap().clone();
    // Not for anyone but the admin.
    for who in [&w.cm_a, &w.acme_manager] {
        let (status, body) = put_stages(app, who, json!(edited)).await;
        assert_eq!((status, code(&body)), (403, "forbidden"));
    }
    // Relabel, reprice, insert a stage, drop one nobody is in.
    edited[1]["label_da"] = json!("Kvalifikation");
    edited[3]["probability"] = json!(55);
    edited.insert(4, json!({"key": "verbal_yes", "label_en": "Verbal yes", "label_da": "Mundtligt ja", "outcome": "open", "probability": 90}));
    edited.remove(2);
    for (i, s) in edited.iter_mut().enumerate() {
        s["position"] = json!((i + 1) * 10);
    }
    let (status, saved) = put_stages(app, &w.admin, json!(edited)).await;
    assert_eq!(status, 200, "{saved}");
    let keys: Vec<String> = saved
        .as_array()
        .unwrap()
        .iter()
        .map(|s| text(&s["key"]))
        .collect();
    assert_eq!(
        keys,
        [
            "prospecting",
            "qualification",
            "proposal",
            "verbal_yes",
            "negotiation",
            "closed_won",
            "closed_lost"
        ]
    );
    // New deals use it at once.
    let mut body = deal("Nearly there", &w.acme_account, &later);
    body["stage"] = json!("Mundtligt ja");
    let o = create(app, &w.acme_user, body).await;
    assert_eq!(
        (o["stage"].clone(), o["probability"].clone()),
        (json!("verbal_yes"), json!(90))
    );
    let mut body = deal("Gone", &w.acme_account, &later);
    body["stage"] = json!("needs_analysis");
    let (status, refused) = post(app, &w.acme_user, "/api/v1/opportunities", body).await;
    assert_eq!((status, fields(&refused)), (422, set(&["stage"])));

    // A stage in use stays.
    let without: Vec<Value> = saved
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["key"] != "verbal_yes")
        .cloned()
        .collect();
    let (status, body) = put_stages(app, &w.admin, json!(without)).await;
    assert_eq!((status, fields(&body)), (422, set(&["removed.verbal_yes"])));
    // Every outcome needs a stage; won is 100 %; keys are plain; outcomes known.
    let no_lost: Vec<Value> = saved
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["outcome"] != "lost")
        .cloned()
        .collect();
    let (status, body) = put_stages(app, &w.admin, json!(no_lost)).await;
    assert_eq!((status, fields(&body)), (422, set(&["stages"])));
    let mut bad: Vec<Value> = saved.as_array().unwrap().clone();
    bad[5]["probability"] = json!(90);
    bad[0]["key"] = json!("Bad Key");
    bad[1]["outcome"] = json!("maybe");
    bad[2]["probability"] = json!(101);
    let (status, body) = put_stages(app, &w.admin, json!(bad)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        fields(&body),
        set(&["stages[1].outcome"]),
        "the outcome is read first"
    );
    bad[1]["outcome"] = json!("open");
    let (status, body) = put_stages(app, &w.admin, json!(bad)).await;
    assert_eq!(
        (status, fields(&body)),
        (
            422,
            set(&[
                "stages[0].key",
                "stages[2].probability",
                "stages[5].probability"
            ])
        )
    );
    // Nothing of the refused lists was written.
    let (_, now) = get(app, &w.admin, "/api/v1/opportunity-stages").await;
    assert_eq!(now, saved);
}

// ---------------------------------------------------------------------------
// Visibility.

async fn other_partners_never_reach_an_opportunity(app: &TestApp) {
    let w = world(app).await;
    let (this_month, _) = dates(app);
    let id = create_id(
        app,
        &w.acme_user,
        deal("Secret Nordlys deal", &w.acme_account, &this_month),
    )
    .await;
    read(app, &w.acme_user, &id).await;
    assert_eq!(
        recent(app, &w.acme_user).await.first(),
        Some(&id),
        "opened: in Recent Items"
    );

    for outsider in [&w.zenith_user, &w.bolt_user, &w.acme_colleague, &w.cm_b] {
        let who = &outsider.user.email;
        let (status, body) = get(app, outsider, &format!("/api/v1/opportunities/{id}")).await;
        assert_eq!((status, code(&body)), (404, "not_found"), "{who}: GET");
        let (status, _) = patch(app, outsider, &id, Some("1"), json!({"name": "Taken"})).await;
        assert_eq!(status, 404, "{who}: PATCH");
        let (status, _) = get(
            app,
            outsider,
            &format!("/api/v1/opportunities/{id}/timeline"),
        )
        .await;
        assert_eq!(status, 404, "{who}: timeline");
        let (status, _) = post(
            app,
            outsider,
            &format!("/api/v1/opportunities/{id}/notes"),
            json!({"text": "hi"}),
        )
        .await;
        assert_eq!(status, 404, "{who}: notes");
        for query in [
            "",
            "view=closing_this_month",
            "q=secret",
            "q=nordlys",
            "stage=prospecting",
        ] {
            let path = format!("/api/v1/opportunities?limit=200&{query}");
            let (status, body) = get(app, outsider, &path).await;
            assert_eq!(status, 200);
            assert!(
                !ids_of(&body["opportunities"]).contains(&id),
                "{who}: {query}"
            );
        }
        assert!(
            !recent(app, outsider).await.contains(&id),
            "{who}: Recent Items"
        );
    }
    // A partner user who opened it and then lost it sees it drop out of Recent Items.
    let (status, _) = patch(
        app,
        &w.acme_manager,
        &id,
        Some("1"),
        json!({"owner_id": w.acme_colleague.id()}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(!recent(app, &w.acme_user).await.contains(&id));
    assert_eq!(
        get(
            app,
            &w.acme_user,
            &format!("/api/v1/opportunities/{id}/timeline")
        )
        .await
        .0,
        404
    );
    // The record behind an unparsable id does not exist either.
    assert_eq!(
        get(app, &w.acme_user, "/api/v1/opportunities/not-an-id")
            .await
            .0,
        404
    );
}

async fn channel_managers_see_only_their_partners(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);
    let acme = create_id(app, &w.acme_user, deal("Acme's", &w.acme_account, &later)).await;
    let zenith = create_id(
        app,
        &w.zenith_user,
        deal("Zenith's", &w.zenith_account, &later),
    )
    .await;
    assert_eq!(view(app, &w.cm_a, "").await, set(&[&acme]));
    assert_eq!(view(app, &w.cm_b, "").await, set(&[&zenith]));
    read(app, &w.cm_a, &acme).await;
    assert_eq!(
        get(app, &w.cm_a, &format!("/api/v1/opportunities/{zenith}"))
            .await
            .0,
        404
    );
    assert_eq!(
        get(
            app,
            &w.cm_b,
            &format!("/api/v1/opportunities/{acme}/timeline")
        )
        .await
        .0,
        404
    );
    assert_eq!(
        view_status(app, &w.cm_b, &format!("view=partner:{}", w.acme.id)).await,
        404
    );
    // In scope: they edit it, and it is in their Recent Items.
    let (status, body) = patch(
        app,
        &w.cm_a,
        &acme,
        Some("1"),
        json!({"stage": "qualification"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(recent(app, &w.cm_a).await, vec![acme.clone()]);
    // The admin sees both.
    assert_eq!(
        view(app, &w.admin, "view=all").await,
        set(&[&acme, &zenith])
    );
}

// ---------------------------------------------------------------------------
// Bad input.

async fn count_all(app: &TestApp, w: &World) -> usize {
    view(app, &w.admin, "view=all").await.len()
}

async fn bad_input_is_a_clear_4xx_and_nothing_is_written(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);
    let id = create_id(app, &w.acme_user, deal("Good", &w.acme_account, &later)).await;
    let before = count_all(app, &w).await;

    let with = |field: &str, value: Value| {
        let mut body = deal("Bad", &w.acme_account, &later);
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("amount", json!("-100")), "amount"),
        (with("amount", json!(-100)), "amount"),
        (with("amount", json!("1000000000000")), "amount"),
        (
            with("amount", json!("99999999999999999999999999999")),
            "amount",
        ),
        (with("amount", json!("ten")), "amount"),
        (with("amount", json!("1.005")), "amount"),
        (with("currency", json!("XYZ")), "currency"),
        (with("stage", json!("won")), "stage"),
        (with("close_date", json!("1999-12-31")), "close_date"),
        (with("close_date", json!("2100-01-01")), "close_date"),
        (with("close_date", json!("31/12/2026")), "close_date"),
        (with("close_date", json!("")), "close_date"),
        (with("probability", json!(101)), "probability"),
        (with("probability", json!("-5")), "probability"),
        (with("name", json!("")), "name"),
        (with("name", json!("x".repeat(121))), "name"),
        (with("account_id", json!("not-an-id")), "account_id"),
        (
            with("account_id", json!(uuid::Uuid::new_v4().to_string())),
            "account_id",
        ),
        (with("owner_id", json!("nobody")), "owner_id"),
        (
            json!({"name": "No account", "close_date": later}),
            "account_id",
        ),
    ] {
        let (status, refused) =
            post(app, &w.acme_user, "/api/v1/opportunities", body.clone()).await;
        assert_eq!(status, 422, "{body}: {refused}");
        assert_eq!(code(&refused), "validation_failed");
        assert!(fields(&refused).contains(field), "{body}: {refused}");
    }
    // Several at once, each named.
    let mut body = with("amount", json!("-1"));
    body["stage"] = json!("nope");
    body["close_date"] = json!("3000-01-01");
    let (_, refused) = post(app, &w.acme_user, "/api/v1/opportunities", body).await;
    assert_eq!(fields(&refused), set(&["amount", "close_date", "stage"]));
    // A float amount is refused, never rounded.
    let (status, refused) = post(
        app,
        &w.acme_user,
        "/api/v1/opportunities",
        with("amount", json!(12500.5)),
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    // Malformed JSON and the wrong content type.
    let (status, _) = call(
        app,
        &w.acme_user.token,
        Method::POST,
        "/api/v1/opportunities",
        Some("{\"name\":".into()),
        None,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(count_all(app, &w).await, before, "nothing written");

    // Updates: the same checks, and the opportunity stays as it was.
    let original = read(app, &w.acme_user, &id).await;
    for (change, field) in [
        (json!({"amount": "-5"}), "amount"),
        (json!({"currency": "DOGE"}), "currency"),
        (json!({"stage": "closed"}), "stage"),
        (json!({"close_date": "2200-01-01"}), "close_date"),
        (json!({"name": null}), "name"),
    ] {
        let (status, refused) = patch(app, &w.acme_user, &id, Some("1"), change.clone()).await;
        assert_eq!(
            (status, code(&refused)),
            (422, "validation_failed"),
            "{change}"
        );
        assert!(fields(&refused).contains(field), "{change}: {refused}");
    }
    assert_eq!(read(app, &w.acme_user, &id).await, original);
    assert_eq!(timeline(app, &w.acme_user, &id).await.len(), 1);

    // List parameters.
    for (query, field) in [
        ("cursor=garbage", "cursor"),
        ("cursor=bmFtZXx4fHk", "cursor"),
        ("view=everything", "view"),
        ("view=partner:nope", "view"),
        ("sort=amount", "sort"),
        ("stage=nope", "stage"),
        ("limit=abc", "limit"),
        ("q=%00", "q"),
    ] {
        let (status, body) =
            get(app, &w.acme_user, &format!("/api/v1/opportunities?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(fields(&body).contains(field), "{query}: {body}");
    }
    // A cursor of another sort is not silently misread.
    let (_, first) = get(app, &w.admin, "/api/v1/opportunities?limit=1&sort=name").await;
    if let Some(cursor) = first["next_cursor"].as_str() {
        let (status, _) = get(
            app,
            &w.admin,
            &format!("/api/v1/opportunities?sort=newest&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, 422);
    }
    // Stages.
    let (status, _) = put_stages(app, &w.admin, json!({"not": "a list"})).await;
    assert_eq!(status, 422);
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
    for value in ABSURD_TIMES {
        let cursor = openprm_testkit::forged_cursor("newest", value);
        for (who, view) in [(&w.admin, "all"), (&w.cm_a, "all"), (&w.acme_user, "mine")] {
            let (status, body) = get(
                app,
                who,
                &format!("/api/v1/opportunities?view={view}&sort=newest&cursor={cursor}"),
            )
            .await;
            assert_eq!(status, 422, "{value}: {body}");
            assert_eq!(fields(&body), set(&["cursor"]), "{body}");
        }
    }
    // Close dates, which PostgreSQL's `date` cannot hold below 4713 BC.
    for value in ["2026-01-01x", "-9999-01-01", "0001-01-01", "+10000-01-01"] {
        let cursor = openprm_testkit::forged_cursor("close_date", value);
        let (status, body) = get(
            app,
            &w.admin,
            &format!("/api/v1/opportunities?view=all&cursor={cursor}"),
        )
        .await;
        assert_eq!(status, 422, "{value}: {body}");
    }
    let cursor = openprm_testkit::forged_cursor("newest", "4102444800000000000");
    let (status, _) = get(
        app,
        &w.admin,
        &format!("/api/v1/opportunities?view=all&sort=newest&cursor={cursor}"),
    )
    .await;
    assert_eq!(status, 200);
}

/// A stage the admin removes while a deal is being saved into it: the save is
/// a field error on `stage` or the removal is refused as in use, never both
/// done, never a 5xx (`call` checks), and nothing half-written.
async fn a_stage_removed_while_saving_is_a_field_error(app: &TestApp) {
    let w = world(app).await;
    let (_, later) = dates(app);
    let (_, base) = get(app, &w.admin, "/api/v1/opportunity-stages").await;
    let base: Vec<Value> = base.as_array().unwrap().clone();
    let moving = create_id(app, &w.acme_user, deal("Moving", &w.acme_account, &later)).await;
    let before = count_all(app, &w).await;
    let mut created_in_it = 0;
    for round in 0..16 {
        let key = format!("fleeting_{round}");
        let mut with = base.clone();
        with.push(json!({"key": key, "label_en": format!("Fleeting {round}"), "label_da": format!("Flygtig {round}"), "outcome": "open", "probability": 40, "position": 1000}));
        let (status, body) = put_stages(app, &w.admin, json!(with)).await;
        assert_eq!(status, 200, "{body}");
        let version = read(app, &w.acme_user, &moving).await["version"].to_string();
        let mut new = deal(&format!("Race {round}"), &w.acme_account, &later);
        new["stage"] = json!(key);
        let ((made, made_body), (removed, removed_body), (moved, moved_body)) = tokio::join!(
            post(app, &w.acme_user, "/api/v1/opportunities", new),
            put_stages(app, &w.admin, json!(base)),
            patch(
                app,
                &w.acme_user,
                &moving,
                Some(&version),
                json!({"stage": key})
            ),
        );
        for (status, body) in [(made, &made_body), (moved, &moved_body)] {
            assert!(
                status == 201
                    || status == 200
                    || (status == 422 && fields(body) == set(&["stage"])),
                "{status}: {body}"
            );
        }
        let saved_in_it = u16::from(made == 201) + u16::from(moved == 200);
        if removed == 200 {
            assert_eq!(saved_in_it, 0, "the stage went, yet a deal is in it");
        } else {
            assert_eq!(
                (removed, fields(&removed_body)),
                (422, set(&[&format!("removed.{key}")])),
            );
            assert!(saved_in_it > 0, "{removed_body}");
        }
        created_in_it += usize::from(made == 201);
        // Put the deal back where it can stay, and drop the stage for good.
        if moved == 200 {
            let version = moved_body["version"].to_string();
            let (status, body) = patch(
                app,
                &w.acme_user,
                &moving,
                Some(&version),
                json!({"stage": "prospecting"}),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
        if made == 201 {
            let (status, body) = patch(
                app,
                &w.acme_user,
                &text(&made_body["id"]),
                Some("1"),
                json!({"stage": "prospecting"}),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
        let (status, body) = put_stages(app, &w.admin, json!(base)).await;
        assert_eq!(status, 200, "{body}");
    }
    // A refused create left no deal behind.
    assert_eq!(count_all(app, &w).await, before + created_in_it);
}
