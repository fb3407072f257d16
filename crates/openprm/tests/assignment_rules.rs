//! Assignment rules and routing (spec flows 6 and 12), through HTTP on both
//! stores: each condition and target, first match wins, decline memory,
//! capacity, round-robin fairness (plain and by tier), the default queue and
//! its absence, the response time on the test clock, the API's validation and
//! permissions, who sees a routed lead, and the admin pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use openprm_domain::{Role, Tier};
use openprm_jobs::ResponseTimeJob;
use openprm_store::partners::Partner;
use openprm_testkit::app::{TestApp, TestUser, csrf_in};
use reqwest::{Method, header};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    each_condition_routes_and_the_first_matching_rule_wins,
    direct_targets_reach_the_partner_user_or_queue,
    round_robin_takes_fair_turns_and_tiers_weigh,
    capacity_goes_to_the_partner_with_most_room,
    a_declined_lead_goes_to_someone_else_never_back,
    default_queue_catches_the_rest_and_without_it_leads_stay_unassigned,
    response_time_routes_an_unanswered_lead_onward,
    api_validates_and_only_the_admin_changes_the_rules,
    a_routed_lead_shows_only_to_its_new_holder,
    explicit_destinations_and_assign_none_skip_the_rules,
    admin_pages_add_edit_move_and_delete_rules,
);

struct Caller {
    user: TestUser,
    token: String,
}

/// Channel manager Cai has Copenhagen IT (gold), Aarhus Data (silver) and
/// Odense Net (registered); the queue Trade shows has all three.
struct World {
    admin: Caller,
    cm: Caller,
    cph: Partner,
    aar: Partner,
    ode: Partner,
    cph_user: Caller,
    aar_user: Caller,
    ode_user: Caller,
    shows: String,
    web: String,
}

async fn caller(app: &TestApp, name: &str, role: Role, partner: Option<&Partner>) -> Caller {
    let user = app.user(name, role, partner.map(|p| p.id)).await;
    let token = app.token(&user).await;
    Caller { user, token }
}

async fn world(app: &TestApp) -> World {
    let admin = caller(app, "Ada Admin", Role::Admin, None).await;
    let cm = caller(app, "Cai Channel", Role::ChannelManager, None).await;
    let cph = app
        .partner("Copenhagen IT", Tier::Gold, Some(cm.user.id()))
        .await;
    let aar = app
        .partner("Aarhus Data", Tier::Silver, Some(cm.user.id()))
        .await;
    let ode = app
        .partner("Odense Net", Tier::Registered, Some(cm.user.id()))
        .await;
    let cph_user = caller(app, "Karen Cph", Role::PartnerUser, Some(&cph)).await;
    let aar_user = caller(app, "Anders Aar", Role::PartnerUser, Some(&aar)).await;
    let ode_user = caller(app, "Olga Ode", Role::PartnerUser, Some(&ode)).await;
    let shows = queue(app, &admin, "Trade shows", &[&cph, &aar, &ode]).await;
    let web = queue(app, &admin, "Web leads", &[&cph]).await;
    World {
        admin,
        cm,
        cph,
        aar,
        ode,
        cph_user,
        aar_user,
        ode_user,
        shows,
        web,
    }
}

async fn queue(app: &TestApp, admin: &Caller, name: &str, members: &[&Partner]) -> String {
    let members: Vec<String> = members.iter().map(|p| p.id.to_string()).collect();
    let (status, body) = send(
        app,
        admin,
        Method::POST,
        "/api/v1/queues",
        Some(json!({"name": name, "members": members})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    text(&body["id"])
}

/// One API call; never a 5xx, and an error is the spec's JSON error.
async fn send(
    app: &TestApp,
    who: &Caller,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(&who.token);
    if let Some(body) = body {
        request = request
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(status < 500, "{method} {path}: {status}: {text}");
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    if status >= 400 {
        assert!(json["error"]["code"].is_string(), "{method} {path}: {text}");
    }
    (status, json)
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// Replaces the rules (admin), at the current version; the saved set.
async fn set_rules(app: &TestApp, w: &World, default_queue: Option<&str>, rules: Value) -> Value {
    let (_, current) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    let (status, body) = send(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(json!({"version": current["version"], "default_queue_id": default_queue, "rules": rules})),
    )
    .await;
    assert_eq!(status, 200, "PUT assignment-rules: {body}");
    body
}

/// A lead created by the channel manager without a destination: routed.
async fn new_lead(app: &TestApp, w: &World, fields: Value) -> Value {
    let mut body = json!({"name": "Mette Hansen", "company": "Kunde A/S"});
    for (k, v) in fields.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, lead) = send(app, &w.cm, Method::POST, "/api/v1/leads", Some(body)).await;
    assert_eq!(status, 201, "{lead}");
    lead
}

/// Who holds the lead: `partner:<name>`, `user:<name>`, `queue:<name>` or `unassigned`.
fn holder(lead: &Value) -> String {
    match (
        lead["state"].as_str(),
        &lead["owner_name"],
        &lead["partner_name"],
    ) {
        (Some("inbox"), Value::String(owner), _) => format!("user:{owner}"),
        (Some("inbox"), _, Value::String(partner)) => format!("partner:{partner}"),
        (Some("in_queue"), _, _) => format!("queue:{}", text(&lead["queue_name"])),
        (Some("unassigned"), _, _) => "unassigned".into(),
        other => panic!("unexpected place {other:?}: {lead}"),
    }
}

async fn read(app: &TestApp, who: &Caller, id: &str) -> (u16, Value) {
    send(app, who, Method::GET, &format!("/api/v1/leads/{id}"), None).await
}

async fn timeline(app: &TestApp, who: &Caller, id: &str) -> Vec<Value> {
    let (status, body) = send(
        app,
        who,
        Method::GET,
        &format!("/api/v1/leads/{id}/timeline"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().cloned().unwrap_or_default()
}

/// The `routed` entries' values, oldest first.
async fn routed_by(app: &TestApp, w: &World, id: &str) -> Vec<String> {
    timeline(app, &w.cm, id)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "routed")
        .map(|e| text(&e["new_value"]))
        .collect()
}

async fn decline(app: &TestApp, who: &Caller, id: &str) {
    let (status, body) = send(
        app,
        who,
        Method::POST,
        &format!("/api/v1/leads/{id}/decline"),
        Some(json!({"reason": "not_my_territory"})),
    )
    .await;
    assert!(status == 200 || status == 204, "decline: {status} {body}");
}

fn partner_target(p: &Partner) -> Value {
    json!({"kind": "partner", "partner_id": p.id.to_string()})
}

// ---------------------------------------------------------------------------

async fn each_condition_routes_and_the_first_matching_rule_wins(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        None,
        json!([
            {"name": "Copenhagen", "conditions": [
                {"kind": "country", "countries": ["dk"]},
                {"kind": "postal_code", "from": "1000", "to": "2999"}],
             "target": partner_target(&w.cph)},
            {"name": "Trade shows", "conditions": [{"kind": "source", "sources": ["trade_show"]}],
             "target": partner_target(&w.aar)},
            {"name": "Backup buyers", "conditions": [{"kind": "product_interest", "contains": "backup"}],
             "target": partner_target(&w.ode)},
            {"name": "Municipalities", "conditions": [{"kind": "field", "field": "company", "op": "contains", "value": "kommune"}],
             "target": {"kind": "queue", "queue_id": w.web}},
            {"name": "Exact title", "conditions": [{"kind": "field", "field": "title", "op": "equals", "value": "cto"}],
             "target": {"kind": "queue", "queue_id": w.shows}},
        ]),
    )
    .await;
    let cases = [
        (
            json!({"country": "DK", "postal_code": "2100"}),
            "partner:Copenhagen IT",
            "Copenhagen",
        ),
        // Matches the first and the second rule: the first wins.
        (
            json!({"country": "DK", "postal_code": "1000", "source": "trade_show"}),
            "partner:Copenhagen IT",
            "Copenhagen",
        ),
        // Out of range (a five-digit code is no Danish code), or another country.
        (
            json!({"country": "DK", "postal_code": "10000", "source": "trade_show"}),
            "partner:Aarhus Data",
            "Trade shows",
        ),
        (
            json!({"country": "SE", "postal_code": "2100", "product_interest": "Nordlys BACKUP"}),
            "partner:Odense Net",
            "Backup buyers",
        ),
        (
            json!({"company": "Aarhus Kommune"}),
            "queue:Web leads",
            "Municipalities",
        ),
        (
            json!({"title": " CTO "}),
            "queue:Trade shows",
            "Exact title",
        ),
        (json!({"title": "CTO of things"}), "unassigned", "fallback"),
    ];
    for (fields, place, rule) in cases {
        let lead = new_lead(app, &w, fields.clone()).await;
        assert_eq!(holder(&lead), place, "{fields}");
        assert_eq!(
            routed_by(app, &w, &text(&lead["id"])).await,
            [rule],
            "{fields}"
        );
        // A new lead keeps version 1: routing is part of its creation.
        assert_eq!(lead["version"], 1);
    }
}

async fn direct_targets_reach_the_partner_user_or_queue(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        None,
        json!([
            {"name": "To Anders", "conditions": [{"kind": "source", "sources": ["referral"]}],
             "target": {"kind": "user", "user_id": w.aar_user.user.id().to_string()}},
            {"name": "To the queue", "conditions": [], "target": {"kind": "queue", "queue_id": w.shows}},
        ]),
    )
    .await;
    let lead = new_lead(app, &w, json!({"source": "referral"})).await;
    assert_eq!(holder(&lead), "user:Anders Aar");
    let id = text(&lead["id"]);
    let (status, accepted) = send(
        app,
        &w.aar_user,
        Method::POST,
        &format!("/api/v1/leads/{id}/accept"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(accepted["state"], "owned");
    let lead = new_lead(app, &w, json!({"source": "web"})).await;
    assert_eq!(holder(&lead), "queue:Trade shows");
    // A deactivated person gets nothing: the next rule places the lead.
    let (status, body) = send(
        app,
        &w.admin,
        Method::POST,
        &format!("/api/v1/users/{}/deactivate", w.aar_user.user.id()),
        None,
    )
    .await;
    assert!(status < 300, "deactivate: {status} {body}");
    let lead = new_lead(app, &w, json!({"source": "referral"})).await;
    assert_eq!(holder(&lead), "queue:Trade shows");
}

async fn round_robin_takes_fair_turns_and_tiers_weigh(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        None,
        json!([
            {"name": "Shows in turn", "conditions": [{"kind": "source", "sources": ["trade_show"]}],
             "target": {"kind": "round_robin", "queue_id": w.shows}},
            {"name": "By tier", "conditions": [{"kind": "source", "sources": ["event"]}],
             "target": {"kind": "tier_weighted", "queue_id": w.shows}},
        ]),
    )
    .await;
    let mut plain: BTreeMap<String, u32> = BTreeMap::new();
    let mut order = Vec::new();
    for _ in 0..9 {
        let lead = new_lead(app, &w, json!({"source": "trade_show"})).await;
        let who = holder(&lead);
        order.push(who.clone());
        *plain.entry(who).or_default() += 1;
    }
    assert_eq!(
        plain.values().copied().collect::<Vec<_>>(),
        [3, 3, 3],
        "{plain:?}"
    );
    // Turns, not blocks: never the same partner twice in a row.
    assert!(order.windows(2).all(|p| p[0] != p[1]), "{order:?}");

    // Gold 3, silver 2, registered 1 per round of six.
    let mut weighted: BTreeMap<String, u32> = BTreeMap::new();
    for _ in 0..12 {
        let lead = new_lead(app, &w, json!({"source": "event"})).await;
        *weighted.entry(holder(&lead)).or_default() += 1;
    }
    assert_eq!(weighted["partner:Copenhagen IT"], 6);
    assert_eq!(weighted["partner:Aarhus Data"], 4);
    assert_eq!(weighted["partner:Odense Net"], 2);

    // Saving the rules again keeps each rule's turn.
    let (_, now) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    set_rules(app, &w, None, now["rules"].clone()).await;
    let next = new_lead(app, &w, json!({"source": "trade_show"})).await;
    assert_eq!(
        holder(&next),
        order[0],
        "the tenth turn continues the cycle"
    );
}

async fn capacity_goes_to_the_partner_with_most_room(app: &TestApp) {
    let w = world(app).await;
    // Every partner may hold 3 open leads; gold partners 5.
    let (status, body) = send(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/claim-rules",
        Some(json!([{"name": "Open leads", "kind": "open_at_once", "subject": "partner", "queue_id": null,
                     "max": 3, "overrides": [{"target": {"tier": "gold"}, "max": 5}]}])),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    set_rules(
        app,
        &w,
        None,
        json!([{"name": "Most room", "conditions": [], "target": {"kind": "capacity", "queue_id": w.shows}}]),
    )
    .await;
    // Room: Copenhagen 5, Aarhus 3, Odense 3. Each lead goes to the most room,
    // ties to the partner holding fewer leads.
    let mut got = Vec::new();
    for _ in 0..11 {
        let lead = new_lead(app, &w, json!({})).await;
        got.push(holder(&lead));
    }
    let count = |name: &str| got.iter().filter(|h| h.ends_with(name)).count();
    assert_eq!(count("Copenhagen IT"), 5, "{got:?}");
    assert_eq!(count("Aarhus Data"), 3, "{got:?}");
    assert_eq!(count("Odense Net"), 3, "{got:?}");
    assert_eq!(got[0], "partner:Copenhagen IT");
    // Everybody full: the rule yields nobody and the lead stays with the vendor.
    let lead = new_lead(app, &w, json!({})).await;
    assert_eq!(holder(&lead), "unassigned");
}

async fn a_declined_lead_goes_to_someone_else_never_back(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        None,
        json!([
            {"name": "Copenhagen first", "conditions": [], "target": partner_target(&w.cph)},
            {"name": "Then in turn", "conditions": [], "target": {"kind": "round_robin", "queue_id": w.shows}},
        ]),
    )
    .await;
    let lead = new_lead(app, &w, json!({})).await;
    let id = text(&lead["id"]);
    assert_eq!(holder(&lead), "partner:Copenhagen IT");
    decline(app, &w.cph_user, &id).await;
    let (_, now) = read(app, &w.cm, &id).await;
    let second = holder(&now);
    assert!(
        second == "partner:Aarhus Data" || second == "partner:Odense Net",
        "{second}"
    );
    // The decliner no longer sees it.
    assert_eq!(read(app, &w.cph_user, &id).await.0, 404);
    let next = if second.ends_with("Aarhus Data") {
        &w.aar_user
    } else {
        &w.ode_user
    };
    decline(app, next, &id).await;
    let (_, now) = read(app, &w.cm, &id).await;
    let third = holder(&now);
    assert!(
        third != second && third != "partner:Copenhagen IT" && third.starts_with("partner:"),
        "{third}"
    );
    let last = if third.ends_with("Aarhus Data") {
        &w.aar_user
    } else {
        &w.ode_user
    };
    decline(app, last, &id).await;
    // Everybody declined: back with the vendor, in the Declined view.
    let (_, now) = read(app, &w.cm, &id).await;
    assert_eq!(holder(&now), "unassigned");
    let (status, list) = send(app, &w.cm, Method::GET, "/api/v1/leads?view=declined", None).await;
    assert_eq!(status, 200);
    assert!(
        list["leads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == id.as_str())
    );
    let kinds: Vec<String> = timeline(app, &w.cm, &id)
        .await
        .iter()
        .map(|e| text(&e["kind"]))
        .collect();
    assert_eq!(
        kinds,
        [
            "created", "routed", "decline", "routed", "decline", "routed", "decline", "routed"
        ]
    );
}

async fn default_queue_catches_the_rest_and_without_it_leads_stay_unassigned(app: &TestApp) {
    let w = world(app).await;
    let rules = json!([{"name": "Only Norway", "conditions": [{"kind": "country", "countries": ["NO"]}],
                        "target": partner_target(&w.cph)}]);
    set_rules(app, &w, Some(&w.web), rules.clone()).await;
    let lead = new_lead(app, &w, json!({"country": "DK"})).await;
    assert_eq!(holder(&lead), "queue:Web leads");
    assert_eq!(routed_by(app, &w, &text(&lead["id"])).await, ["fallback"]);
    set_rules(app, &w, None, rules).await;
    let lead = new_lead(app, &w, json!({"country": "DK"})).await;
    assert_eq!(holder(&lead), "unassigned");
    let (_, list) = send(
        app,
        &w.cm,
        Method::GET,
        "/api/v1/leads?view=unassigned",
        None,
    )
    .await;
    assert!(
        list["leads"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["id"] == lead["id"])
    );
}

async fn response_time_routes_an_unanswered_lead_onward(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        None,
        json!([
            {"name": "Copenhagen, 4 hours", "conditions": [], "target": partner_target(&w.cph), "response_hours": 4},
            {"name": "Then Aarhus", "conditions": [], "target": partner_target(&w.aar)},
        ]),
    )
    .await;
    let job = ResponseTimeJob::new(app.store.clone());
    let waiting = new_lead(app, &w, json!({"name": "Slow Answer"})).await;
    let answered = new_lead(app, &w, json!({"name": "Quick Answer"})).await;
    let (status, _) = send(
        app,
        &w.cph_user,
        Method::POST,
        &format!("/api/v1/leads/{}/accept", text(&answered["id"])),
        None,
    )
    .await;
    assert_eq!(status, 200);
    app.clock.advance(time::Duration::hours(3));
    assert_eq!(job.run_once().await.unwrap(), 0);
    app.clock.advance(time::Duration::hours(1));
    assert_eq!(job.run_once().await.unwrap(), 1);
    // Run again, as another instance would: nothing more moves.
    assert_eq!(job.run_once().await.unwrap(), 0);
    let id = text(&waiting["id"]);
    let (_, now) = read(app, &w.cm, &id).await;
    assert_eq!(holder(&now), "partner:Aarhus Data");
    assert_eq!(read(app, &w.cph_user, &id).await.0, 404);
    let (_, kept) = read(app, &w.cm, &text(&answered["id"])).await;
    assert_eq!(kept["state"], "owned");
    // The channel manager sees why.
    let events = timeline(app, &w.cm, &id).await;
    let rerouted: Vec<_> = events.iter().filter(|e| e["kind"] == "rerouted").collect();
    assert_eq!(rerouted.len(), 1);
    assert_eq!(rerouted[0]["new_value"], "response_time");
    assert_eq!(rerouted[0]["partner_id"], w.cph.id.to_string().as_str());
    assert_eq!(
        routed_by(app, &w, &id).await,
        ["Copenhagen, 4 hours", "Then Aarhus"]
    );
    let client = app.signed_in(&w.cm.user.email, &w.cm.user.password).await;
    let page = client
        .get(app.url(&format!("/leads/{id}")))
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(
        html.contains("nobody accepted it within the response time"),
        "{html}"
    );
    // Aarhus has no response time: it may wait.
    app.clock.advance(time::Duration::days(30));
    assert_eq!(job.run_once().await.unwrap(), 0);
}

async fn api_validates_and_only_the_admin_changes_the_rules(app: &TestApp) {
    let w = world(app).await;
    let (status, empty) = send(app, &w.cm, Method::GET, "/api/v1/assignment-rules", None).await;
    assert_eq!(status, 200);
    assert_eq!(empty["rules"], json!([]));
    let version = empty["version"].clone();
    let put = |who: &'static str, body: Value| (who, body);
    let _ = put;
    let body = json!({"version": version, "rules": [{"name": "X", "conditions": [], "target": partner_target(&w.cph)}]});
    // Partners do not know the rules; the channel manager reads but does not write.
    for who in [&w.cph_user] {
        assert_eq!(
            send(app, who, Method::GET, "/api/v1/assignment-rules", None)
                .await
                .0,
            404
        );
        assert_eq!(
            send(
                app,
                who,
                Method::PUT,
                "/api/v1/assignment-rules",
                Some(body.clone())
            )
            .await
            .0,
            404
        );
    }
    let (status, refused) = send(
        app,
        &w.cm,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "forbidden");

    let unknown = "00000000-0000-7000-8000-000000000000";
    let (status, bad) = send(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(json!({"version": version, "default_queue_id": unknown, "rules": [
            {"name": "", "conditions": [{"kind": "postal_code", "from": "2999", "to": "1000"},
                                        {"kind": "country", "countries": ["Denmark"]}],
             "target": {"kind": "partner", "partner_id": unknown}},
            {"name": "Ok", "conditions": [{"kind": "field", "field": "shoe_size", "op": "equals", "value": "44"}],
             "target": {"kind": "user", "user_id": w.cm.user.id().to_string()}, "response_hours": 0},
            {"name": "Queue", "conditions": [], "target": {"kind": "round_robin", "queue_id": unknown}}
        ]})),
    )
    .await;
    assert_eq!(status, 422, "{bad}");
    assert_eq!(bad["error"]["code"], "validation_failed");
    let fields: Vec<&str> = bad["error"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "rules[0].conditions[0].to",
            "rules[0].conditions[1].countries",
            "rules[0].name",
            "rules[1].conditions[0].field",
            "rules[1].response_hours",
        ]
    );
    // Once the rules read well, unknown ids are named on their field; a
    // channel manager is no partner user.
    let (status, bad) = send(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(
            json!({"version": version, "default_queue_id": unknown, "rules": [
                {"name": "A", "target": {"kind": "partner", "partner_id": unknown}},
                {"name": "B", "target": {"kind": "user", "user_id": w.cm.user.id().to_string()}},
                {"name": "C", "target": {"kind": "round_robin", "queue_id": unknown}}
            ]}),
        ),
    )
    .await;
    assert_eq!(status, 422, "{bad}");
    let fields: Vec<&str> = bad["error"]["fields"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        fields,
        [
            "default_queue_id",
            "rules[0].target",
            "rules[1].target",
            "rules[2].target"
        ]
    );
    // Malformed bodies are 422 too, never a 5xx.
    for junk in [
        json!({"version": version, "rules": [{"name": "X", "target": {"kind": "teleport"}}]}),
        json!({"version": "one", "rules": []}),
        json!({"rules": []}),
        json!([1, 2, 3]),
    ] {
        let (status, body) = send(
            app,
            &w.admin,
            Method::PUT,
            "/api/v1/assignment-rules",
            Some(junk.clone()),
        )
        .await;
        assert_eq!(status, 422, "{junk}: {body}");
    }
    // Saved once; the same version again is a conflict and changes nothing.
    let (status, saved) = send(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["rules"][0]["name"], "X");
    assert_ne!(saved["version"], version);
    let (status, conflict) = send(
        app,
        &w.admin,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(json!({"version": version, "rules": []})),
    )
    .await;
    assert_eq!(status, 412, "{conflict}");
    assert_eq!(conflict["error"]["code"], "version_conflict");
    let (_, still) = send(app, &w.cm, Method::GET, "/api/v1/assignment-rules", None).await;
    assert_eq!(still["rules"].as_array().unwrap().len(), 1);
    // Documented in the OpenAPI document.
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/assignment-rules"]["put"].is_object());
    assert!(doc["paths"]["/api/v1/assignment-rules"]["get"].is_object());
}

async fn a_routed_lead_shows_only_to_its_new_holder(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        None,
        json!([{"name": "Aarhus", "conditions": [], "target": partner_target(&w.aar)}]),
    )
    .await;
    let lead = new_lead(app, &w, json!({})).await;
    let id = text(&lead["id"]);
    assert_eq!(read(app, &w.aar_user, &id).await.0, 200);
    for other in [&w.cph_user, &w.ode_user] {
        assert_eq!(read(app, other, &id).await.0, 404);
        let (_, inbox) = send(app, other, Method::GET, "/api/v1/leads?view=inbox", None).await;
        assert!(inbox["leads"].as_array().unwrap().is_empty(), "{inbox}");
    }
    let (_, inbox) = send(
        app,
        &w.aar_user,
        Method::GET,
        "/api/v1/leads?view=inbox",
        None,
    )
    .await;
    assert_eq!(inbox["leads"][0]["id"], id.as_str());
    assert_eq!(read(app, &w.cm, &id).await.0, 200);
}

async fn explicit_destinations_and_assign_none_skip_the_rules(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w,
        Some(&w.web),
        json!([{"name": "Aarhus", "conditions": [], "target": partner_target(&w.aar)}]),
    )
    .await;
    let (status, lead) = send(
        app,
        &w.cm,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "A", "company": "B", "queue_id": w.shows})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(holder(&lead), "queue:Trade shows");
    let (status, lead) = send(
        app,
        &w.cm,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "A", "company": "B", "assign": "none"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(holder(&lead), "unassigned");
    let (status, lead) = send(
        app,
        &w.cm,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "A", "company": "B", "assign": "auto"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(holder(&lead), "partner:Aarhus Data");
    let (status, body) = send(
        app,
        &w.cm,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "A", "company": "B", "assign": "auto", "queue_id": w.shows})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = send(
        app,
        &w.cm,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "A", "company": "B", "assign": "sideways"})),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    // A partner's own lead is theirs, whatever the rules say.
    let (status, own) = send(
        app,
        &w.cph_user,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "Mine", "company": "Own A/S"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(own["state"], "owned");
    assert_eq!(own["partner_name"], "Copenhagen IT");
}

/// A signed-in browser-like client and the CSRF token of `path`.
async fn page_client(app: &TestApp, who: &Caller, path: &str) -> (reqwest::Client, String) {
    let client = app.signed_in(&who.user.email, &who.user.password).await;
    let csrf = app.csrf(&client, path).await;
    (client, csrf)
}

async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, Option<String>) {
    let response = client.post(app.url(path)).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, response.text().await.unwrap(), location)
}

async fn admin_pages_add_edit_move_and_delete_rules(app: &TestApp) {
    let w = world(app).await;
    let (client, csrf) = page_client(app, &w.admin, "/admin/assignment-rules/new").await;
    let html = client
        .get(app.url("/admin"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("/admin/assignment-rules"),
        "linked from the console"
    );
    let (_, current) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    let version = current["version"].to_string();
    let cph = w.cph.id.to_string();
    // Invalid input comes back inline with the input kept.
    let (status, html, _) = post_form(
        app,
        &client,
        "/admin/assignment-rules",
        &[
            ("_csrf", &csrf),
            ("version", &version),
            ("name", "Copenhagen"),
            ("countries", "Denmark"),
            ("postal_from", "2999"),
            ("postal_to", "1000"),
            ("target_kind", "partner"),
            ("target_partner", ""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("value=\"Denmark\""), "input kept");
    assert!(html.contains("The end of the range comes before its start."));
    assert!(html.contains("Use a two-letter country code"));
    // Without the CSRF token nothing happens.
    let (status, _, _) = post_form(
        app,
        &client,
        "/admin/assignment-rules",
        &[
            ("version", &version),
            ("name", "No token"),
            ("target_kind", "queue"),
            ("target_queue", &w.shows),
        ],
    )
    .await;
    assert_eq!(status, 403);
    for (name, extra) in [
        (
            "Copenhagen",
            vec![
                ("countries", "dk"),
                ("postal_from", "1000"),
                ("postal_to", "2999"),
                ("target_kind", "partner"),
                ("target_partner", cph.as_str()),
                ("response_hours", "24"),
            ],
        ),
        (
            "Trade shows",
            vec![
                ("source_trade_show", "on"),
                ("target_kind", "round_robin"),
                ("target_queue", w.shows.as_str()),
            ],
        ),
    ] {
        let (_, current) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
        let version = current["version"].to_string();
        let mut form = vec![
            ("_csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("name", name),
            ("field_op", "equals"),
        ];
        form.extend(extra);
        let (status, html, location) =
            post_form(app, &client, "/admin/assignment-rules", &form).await;
        assert_eq!(status, 303, "{html}");
        assert_eq!(location.as_deref(), Some("/admin/assignment-rules"));
    }
    let (_, saved) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    let rules = saved["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(
        rules[0]["conditions"],
        json!([{"kind": "country", "countries": ["DK"]}, {"kind": "postal_code", "from": "1000", "to": "2999"}])
    );
    assert_eq!(rules[0]["response_hours"], 24);
    assert_eq!(
        rules[1]["target"],
        json!({"kind": "round_robin", "queue_id": w.shows})
    );
    let first = text(&rules[0]["id"]);
    let second = text(&rules[1]["id"]);
    let version = saved["version"].to_string();

    // The list reads in words; the channel manager may read it but not change it.
    let html = client
        .get(app.url("/admin/assignment-rules"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("postal code 1000–2999"), "{html}");
    assert!(html.contains("Round-robin among a queue"), "{html}");
    assert!(html.contains("partners: Trade shows"), "{html}");
    let (cm_client, _) = page_client(app, &w.cm, "/leads").await;
    let cm_page = cm_client
        .get(app.url("/admin/assignment-rules"))
        .send()
        .await
        .unwrap();
    assert_eq!(cm_page.status().as_u16(), 200);
    let cm_html = cm_page.text().await.unwrap();
    assert!(cm_html.contains("id=\"read-only\"") && !cm_html.contains("id=\"add-rule\""));
    let (partner_client, _) = page_client(app, &w.cph_user, "/leads").await;
    let status = partner_client
        .get(app.url("/admin/assignment-rules"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    assert_eq!(status, 404);

    // Move the second up; a stale version is a conflict that changes nothing.
    let (status, _, _) = post_form(
        app,
        &client,
        &format!("/admin/assignment-rules/{second}/up"),
        &[("_csrf", &csrf), ("version", &version)],
    )
    .await;
    assert_eq!(status, 303);
    let (status, html, _) = post_form(
        app,
        &client,
        &format!("/admin/assignment-rules/{first}/up"),
        &[("_csrf", &csrf), ("version", &version)],
    )
    .await;
    assert_eq!(status, 409);
    assert!(html.contains("Someone else changed the rules"));
    let (_, saved) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    let order: Vec<String> = saved["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| text(&r["id"]))
        .collect();
    assert_eq!(order, [second.clone(), first.clone()]);

    // Edit keeps the id and the round-robin turn; the form shows the rule.
    let html = client
        .get(app.url(&format!("/admin/assignment-rules/{first}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("value=\"1000\"") && html.contains("value=\"24\""),
        "{html}"
    );
    let version = saved["version"].to_string();
    let (status, html, _) = post_form(
        app,
        &client,
        &format!("/admin/assignment-rules/{first}/edit"),
        &[
            ("_csrf", &csrf),
            ("version", &version),
            ("name", "Greater Copenhagen"),
            ("countries", "DK"),
            ("postal_from", "1000"),
            ("postal_to", "4999"),
            ("target_kind", "partner"),
            ("target_partner", &cph),
            ("field_op", "equals"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{html}");
    let (_, saved) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    assert_eq!(saved["rules"][1]["id"], first.as_str());
    assert_eq!(saved["rules"][1]["name"], "Greater Copenhagen");
    assert!(saved["rules"][1]["response_hours"].is_null());

    // The default queue, then delete.
    let version = saved["version"].to_string();
    let (status, _, _) = post_form(
        app,
        &client,
        "/admin/assignment-rules/default",
        &[
            ("_csrf", &csrf),
            ("version", &version),
            ("default_queue_id", &w.web),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, saved) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    assert_eq!(saved["default_queue_id"], w.web.as_str());
    let version = saved["version"].to_string();
    let (status, _, _) = post_form(
        app,
        &client,
        &format!("/admin/assignment-rules/{second}/delete"),
        &[("_csrf", &csrf), ("version", &version)],
    )
    .await;
    assert_eq!(status, 303);
    let (_, saved) = send(app, &w.admin, Method::GET, "/api/v1/assignment-rules", None).await;
    assert_eq!(saved["rules"].as_array().unwrap().len(), 1);

    // The channel manager's New Lead form routes by the rules by default.
    let html = cm_client
        .get(app.url("/leads/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("<option value=\"auto\" selected>Route by assignment rules</option>"),
        "{html}"
    );
    let csrf_cm = csrf_in(&html).unwrap();
    let (status, _, location) = post_form(
        app,
        &cm_client,
        "/leads",
        &[
            ("_csrf", &csrf_cm),
            ("name", "Form Lead"),
            ("company", "Kunde A/S"),
            ("country", "DK"),
            ("postal_code", "3000"),
            ("destination", "auto"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let id = location.unwrap().trim_start_matches("/leads/").to_owned();
    let (_, lead) = read(app, &w.cm, &id).await;
    assert_eq!(holder(&lead), "partner:Copenhagen IT");
}
