#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The admin console for leads (spec flow 15) through HTTP on both stores:
//! queues and their members, claim rules and the lead status picklist, set in
//! the pages by a signed-in admin and seen through the API by partners. Bad
//! input is answered inline with a 422 page; nobody else reaches the pages
//! (404) or the API writes (403).

use fantoccini::Locator;
use openprm_domain::{
    ClaimRuleId, PartnerId, QueueId, Role, Tier,
    claim_rules::{ClaimOverride, ClaimRule, LimitKind, LimitSubject, OverrideTarget},
};
use openprm_store::{Backend, partners::Partner, queues::QueueFields};
use openprm_testkit::app::{TestApp, TestUser};
use openprm_testkit::browser::{DESKTOP, run_browser_test};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    admin_creates_a_queue_that_only_member_partners_see,
    bad_queue_input_is_shown_inline_with_the_input_kept,
    claim_rule_added_in_the_form_is_enforced_on_claims,
    bad_claim_rule_input_is_shown_inline_and_nothing_is_saved,
    statuses_renamed_reordered_and_added_appear_in_the_api,
    a_status_in_use_or_converted_cannot_be_removed,
    only_the_admin_reaches_the_lead_admin_console,
    pages_speak_danish_and_garbage_never_gets_a_5xx,
);

struct World {
    admin: TestUser,
    cm: TestUser,
    acme: Partner,
    bolt: Partner,
    acme_user: TestUser,
    acme_manager: TestUser,
    bolt_user: TestUser,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let cm = app.user("Carl Channel", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm.id()))
        .await;
    let bolt = app
        .partner("Bolt Integrators", Tier::Silver, Some(cm.id()))
        .await;
    let acme_user = app
        .user("Uffe Acme", Role::PartnerUser, Some(acme.id))
        .await;
    let acme_manager = app
        .user("Mona Acme", Role::PartnerManager, Some(acme.id))
        .await;
    let bolt_user = app.user("Bo Bolt", Role::PartnerUser, Some(bolt.id)).await;
    World {
        admin,
        cm,
        acme,
        bolt,
        acme_user,
        acme_manager,
        bolt_user,
    }
}

async fn api(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap();
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, json)
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = api(app, token, Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
    body
}

/// A signed-in browser-like client and the CSRF token its forms carry.
async fn browser(app: &TestApp, user: &TestUser) -> (reqwest::Client, String) {
    let client = app.signed_in(&user.email, &user.password).await;
    let csrf = app.csrf(&client, "/").await;
    (client, csrf)
}

/// A page's status and HTML.
async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let response = client
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// Posts a form; the status, the redirect target (if any) and the HTML.
async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("_csrf", csrf));
    let response = client
        .post(app.url(path))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    (status, location, response.text().await.unwrap())
}

/// A form post that must succeed by redirecting to `back`.
async fn post_ok(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
    back: &str,
) {
    let (status, location, html) = post(app, client, csrf, path, fields).await;
    assert_eq!(
        (status, location.as_deref()),
        (StatusCode::SEE_OTHER, Some(back)),
        "POST {path} {fields:?}: {}",
        field_errors(&html).join(" | ")
    );
}

/// The inline error messages on a page.
fn field_errors(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for class in ["<p class=\"field-error\"", "<p class=\"alert alert-error\""] {
        let mut rest = html;
        while let Some(at) = rest.find(class) {
            rest = &rest[at..];
            let start = rest.find('>').unwrap() + 1;
            let end = rest.find("</p>").unwrap();
            found.push(rest[start..end].to_owned());
            rest = &rest[end..];
        }
    }
    found
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list}"))
        .iter()
        .map(|item| item["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn queue_in_store(app: &TestApp, name: &str, members: Vec<PartnerId>) -> String {
    let fields = QueueFields {
        name: name.into(),
        stale_claim_days: None,
        members,
    };
    app.store
        .create_queue(None, &fields)
        .await
        .unwrap()
        .to_string()
}

async fn queue_lead(app: &TestApp, admin_token: &str, queue: &str, name: &str) -> String {
    let body = json!({"name": name, "company": format!("{name} ApS"), "queue_id": queue});
    let (status, lead) = api(app, admin_token, Method::POST, "/api/v1/leads", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    lead["id"].as_str().unwrap().to_owned()
}

async fn claim(app: &TestApp, token: &str, lead: &str) -> (StatusCode, Value) {
    api(
        app,
        token,
        Method::POST,
        &format!("/api/v1/leads/{lead}/claim"),
        None,
    )
    .await
}

async fn admin_creates_a_queue_that_only_member_partners_see(app: &TestApp) {
    let w = world(app).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    let (status, html) = page(app, &admin, "/admin").await;
    assert_eq!(status, StatusCode::OK);
    for link in [
        "href=\"/admin/queues\"",
        "href=\"/admin/claim-rules\"",
        "href=\"/admin/lead-statuses\"",
    ] {
        assert!(html.contains(link), "/admin links to {link}");
    }
    let (status, html) = page(app, &admin, "/admin/queues").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No queues yet"));
    assert!(html.contains(&format!("value=\"{}\"", w.acme.id)));

    let acme_id = w.acme.id.to_string();
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/queues",
        &[
            ("name", "Trade show Copenhagen"),
            ("stale_claim_days", "14"),
            ("members", &acme_id),
        ],
        "/admin/queues",
    )
    .await;
    let (_, html) = page(app, &admin, "/admin/queues").await;
    assert!(html.contains("Trade show Copenhagen"));
    assert!(html.contains("Acme Resellers"));
    assert!(html.contains(">14<"), "stale-claim days are listed");

    let acme_token = app.token(&w.acme_user).await;
    let bolt_token = app.token(&w.bolt_user).await;
    let admin_token = app.token(&w.admin).await;
    let queues = get(app, &admin_token, "/api/v1/queues").await;
    let queue = queues[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(queues[0]["stale_claim_days"], 14);
    assert_eq!(queues[0]["members"], json!([acme_id]));
    assert_eq!(
        names(&get(app, &acme_token, "/api/v1/queues").await),
        ["Trade show Copenhagen"]
    );
    assert!(names(&get(app, &bolt_token, "/api/v1/queues").await).is_empty());

    // Unclaimed leads are counted, and only members see them.
    queue_lead(app, &admin_token, &queue, "Jens Jensen").await;
    let (_, html) = page(app, &admin, "/admin/queues").await;
    assert!(
        html.contains("<td class=\"num\">1</td>"),
        "one unclaimed lead"
    );

    // The members page shows who is in, and hands the queue to Bolt instead.
    let path = format!("/admin/queues/{queue}");
    let (status, html) = page(app, &admin, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("value=\"{acme_id}\" checked")));
    let bolt_id = w.bolt.id.to_string();
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("{path}/members"),
        &[("members", &bolt_id)],
        "/admin/queues",
    )
    .await;
    assert!(names(&get(app, &acme_token, "/api/v1/queues").await).is_empty());
    assert_eq!(
        names(&get(app, &bolt_token, "/api/v1/queues").await),
        ["Trade show Copenhagen"]
    );
    let (_, html) = page(app, &admin, &path).await;
    assert!(html.contains(&format!("value=\"{bolt_id}\" checked")));
    assert!(!html.contains(&format!("value=\"{acme_id}\" checked")));

    // No box ticked: nobody may claim from it.
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("{path}/members"),
        &[],
        "/admin/queues",
    )
    .await;
    assert!(names(&get(app, &bolt_token, "/api/v1/queues").await).is_empty());
    let (_, html) = page(app, &admin, "/admin/queues").await;
    assert!(html.contains("No members yet"));

    // An unknown partner is refused on the members page, ticks kept.
    let (status, _, html) = post(
        app,
        &admin,
        &csrf,
        &format!("{path}/members"),
        &[("members", &bolt_id), ("members", "not-a-partner")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Unknown partner."]);
    assert!(html.contains(&format!("value=\"{bolt_id}\" checked")));
    let unknown = PartnerId::new().to_string();
    let (status, _, html) = post(
        app,
        &admin,
        &csrf,
        &format!("{path}/members"),
        &[("members", &unknown)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Unknown partner."]);
    assert!(names(&get(app, &bolt_token, "/api/v1/queues").await).is_empty());

    // The change is in the audit log.
    let (_, html) = page(app, &admin, "/admin").await;
    assert!(html.contains("queue.create") && html.contains("queue.members"));
}

async fn bad_queue_input_is_shown_inline_with_the_input_kept(app: &TestApp) {
    let w = world(app).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    let acme_id = w.acme.id.to_string();

    let (status, _, html) = post(
        app,
        &admin,
        &csrf,
        "/admin/queues",
        &[
            ("name", "   "),
            ("stale_claim_days", "two weeks"),
            ("members", &acme_id),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&html),
        ["Required.", "Enter a whole number."],
        "both errors at once"
    );
    assert!(html.contains("value=\"two weeks\""), "input kept");
    assert!(html.contains(&format!("value=\"{acme_id}\" checked")));
    assert!(html.contains("aria-invalid=\"true\""));

    for (days, error) in [("0", "Out of range."), ("366", "Out of range.")] {
        let (status, _, html) = post(
            app,
            &admin,
            &csrf,
            "/admin/queues",
            &[("name", "Web leads"), ("stale_claim_days", days)],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{days}");
        assert_eq!(field_errors(&html), [error]);
        assert!(html.contains("value=\"Web leads\""));
    }
    let long = "q".repeat(81);
    let (status, _, html) = post(app, &admin, &csrf, "/admin/queues", &[("name", &long)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Too long."]);

    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/queues",
        &[("name", "Web leads"), ("stale_claim_days", "")],
        "/admin/queues",
    )
    .await;
    let (status, _, html) = post(
        app,
        &admin,
        &csrf,
        "/admin/queues",
        &[("name", "web LEADS")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&html),
        ["A queue with this name already exists."]
    );
    let (status, _, html) = post(
        app,
        &admin,
        &csrf,
        "/admin/queues",
        &[("name", "Imports"), ("members", "garbage")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Unknown partner."]);

    let token = app.token(&w.admin).await;
    assert_eq!(
        names(&get(app, &token, "/api/v1/queues").await),
        ["Web leads"],
        "nothing half-written"
    );
    // A queue that does not exist.
    let (status, _) = page(app, &admin, "/admin/queues/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let missing = format!("/admin/queues/{}", PartnerId::new());
    assert_eq!(page(app, &admin, &missing).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = post(app, &admin, &csrf, &format!("{missing}/members"), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn claim_rule_added_in_the_form_is_enforced_on_claims(app: &TestApp) {
    let w = world(app).await;
    let queue = queue_in_store(app, "Trade show", vec![w.acme.id, w.bolt.id]).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    let (status, html) = page(app, &admin, "/admin/claim-rules").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No claim rules yet"));

    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/claim-rules",
        &[
            ("name", "Two at a time"),
            ("kind", "open_at_once"),
            ("window_hours", ""),
            ("subject", "user"),
            ("queue_id", ""),
            ("max", "2"),
        ],
        "/admin/claim-rules",
    )
    .await;
    let (_, html) = page(app, &admin, "/admin/claim-rules").await;
    assert!(html.contains("Two at a time"));
    assert!(
        html.contains("At most 2 open claimed leads per partner user, all queues"),
        "the rule in plain words"
    );

    let admin_token = app.token(&w.admin).await;
    let acme_token = app.token(&w.acme_user).await;
    let rules = get(app, &admin_token, "/api/v1/claim-rules").await;
    assert_eq!(rules.as_array().unwrap().len(), 1);
    let rule = &rules[0];
    assert_eq!(rule["name"], "Two at a time");
    assert_eq!(rule["kind"], "open_at_once");
    assert_eq!(rule["subject"], "user");
    assert_eq!(rule["queue_id"], Value::Null);
    assert_eq!(rule["max"], 2);
    let rule_id = rule["id"].as_str().unwrap().to_owned();
    // Partners see the rules they work under too.
    assert_eq!(
        names(&get(app, &acme_token, "/api/v1/claim-rules").await),
        ["Two at a time"]
    );

    let mut leads = Vec::new();
    for name in ["Anna", "Bent", "Carla", "Dorte"] {
        leads.push(queue_lead(app, &admin_token, &queue, name).await);
    }
    assert_eq!(claim(app, &acme_token, &leads[0]).await.0, StatusCode::OK);
    assert_eq!(claim(app, &acme_token, &leads[1]).await.0, StatusCode::OK);
    let (status, refusal) = claim(app, &acme_token, &leads[2]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert_eq!(refusal["error"]["code"], "claim_limit_reached");
    let message = refusal["error"]["message"].as_str().unwrap();
    assert!(message.contains("“Two at a time”"), "{message}");
    assert!(message.contains("Release"), "{message}");

    // An override lifts the limit for Gold partners (Acme), set in the page.
    let overrides = "/admin/claim-rules/overrides";
    post_ok(
        app,
        &admin,
        &csrf,
        overrides,
        &[
            ("rule", &rule_id),
            ("target", "tier:gold"),
            ("max", ""),
            ("unlimited", "1"),
        ],
        "/admin/claim-rules",
    )
    .await;
    let (_, html) = page(app, &admin, "/admin/claim-rules").await;
    assert!(
        html.contains("Gold partners: no limit"),
        "override in words"
    );
    assert_eq!(claim(app, &acme_token, &leads[2]).await.0, StatusCode::OK);
    let rules = get(app, &admin_token, "/api/v1/claim-rules").await;
    assert_eq!(
        rules[0]["overrides"],
        json!([{"target": {"tier": "gold"}, "max": null}])
    );

    // A partner override beats the tier's: Acme may hold 3, so not a fourth.
    let acme_target = format!("partner:{}", w.acme.id);
    post_ok(
        app,
        &admin,
        &csrf,
        overrides,
        &[("rule", &rule_id), ("target", &acme_target), ("max", "3")],
        "/admin/claim-rules",
    )
    .await;
    let (_, html) = page(app, &admin, "/admin/claim-rules").await;
    assert!(html.contains("Acme Resellers: at most 3"));
    let (status, refusal) = claim(app, &acme_token, &leads[3]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 open leads per user")
    );
    // Setting it again replaces it; removing it leaves the tier override.
    post_ok(
        app,
        &admin,
        &csrf,
        overrides,
        &[("rule", &rule_id), ("target", &acme_target), ("max", "4")],
        "/admin/claim-rules",
    )
    .await;
    let rules = get(app, &admin_token, "/api/v1/claim-rules").await;
    assert_eq!(rules[0]["overrides"].as_array().unwrap().len(), 2);
    assert_eq!(rules[0]["overrides"][1]["max"], 4);
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("/admin/claim-rules/{rule_id}/overrides/remove"),
        &[("target", &acme_target)],
        "/admin/claim-rules",
    )
    .await;
    let rules = get(app, &admin_token, "/api/v1/claim-rules").await;
    assert_eq!(
        rules[0]["overrides"],
        json!([{"target": {"tier": "gold"}, "max": null}])
    );

    // A second rule, per window and per partner account, for one queue only,
    // with tier overrides set in the same form.
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/claim-rules",
        &[
            ("name", "Weekly share"),
            ("kind", "per_window"),
            ("window_hours", "168"),
            ("subject", "partner"),
            ("queue_id", &queue),
            ("max", "1"),
            ("tier_silver", "5"),
            ("tier_platinum", ""),
            ("tier_platinum_unlimited", "1"),
        ],
        "/admin/claim-rules",
    )
    .await;
    let (_, html) = page(app, &admin, "/admin/claim-rules").await;
    assert!(
        html.contains("At most 1 claim per partner account in 168 hours, queue “Trade show”"),
        "{}",
        html
    );
    assert!(html.contains("Silver partners: at most 5"));
    assert!(html.contains("Platinum partners: no limit"));
    let rules = get(app, &admin_token, "/api/v1/claim-rules").await;
    assert_eq!(
        names(&rules),
        ["Two at a time", "Weekly share"],
        "added at the end"
    );
    assert_eq!(rules[1]["kind"], "per_window");
    assert_eq!(rules[1]["window_hours"], 168);
    assert_eq!(rules[1]["queue_id"], queue.as_str());
    let weekly = rules[1]["id"].as_str().unwrap().to_owned();

    // Move it up, then down again; the first rule cannot move further up.
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("/admin/claim-rules/{weekly}/up"),
        &[],
        "/admin/claim-rules",
    )
    .await;
    assert_eq!(
        names(&get(app, &admin_token, "/api/v1/claim-rules").await),
        ["Weekly share", "Two at a time"]
    );
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("/admin/claim-rules/{weekly}/up"),
        &[],
        "/admin/claim-rules",
    )
    .await;
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("/admin/claim-rules/{weekly}/down"),
        &[],
        "/admin/claim-rules",
    )
    .await;
    assert_eq!(
        names(&get(app, &admin_token, "/api/v1/claim-rules").await),
        ["Two at a time", "Weekly share"]
    );

    // Delete the first rule: Acme is now held back only by the weekly one,
    // which its three claims this week already exceed.
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("/admin/claim-rules/{rule_id}/delete"),
        &[],
        "/admin/claim-rules",
    )
    .await;
    assert_eq!(
        names(&get(app, &admin_token, "/api/v1/claim-rules").await),
        ["Weekly share"]
    );
    let (status, refusal) = claim(app, &acme_token, &leads[3]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("“Weekly share”")
    );
    // Deleting it twice is harmless.
    post_ok(
        app,
        &admin,
        &csrf,
        &format!("/admin/claim-rules/{rule_id}/delete"),
        &[],
        "/admin/claim-rules",
    )
    .await;
    let (_, html) = page(app, &admin, "/admin").await;
    assert!(html.contains("claim_rules.update"), "audit log");
}

async fn bad_claim_rule_input_is_shown_inline_and_nothing_is_saved(app: &TestApp) {
    let w = world(app).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    let token = app.token(&w.admin).await;

    let (status, _, html) = post(
        app,
        &admin,
        &csrf,
        "/admin/claim-rules",
        &[
            ("name", ""),
            ("kind", "per_window"),
            ("window_hours", ""),
            ("subject", "user"),
            ("queue_id", ""),
            ("max", "lots"),
            ("tier_gold", "-3"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let errors = field_errors(&html);
    assert_eq!(
        errors,
        [
            "Required.",
            "Required.",
            "Enter a whole number.",
            "Out of range."
        ],
        "name, window hours, max and the gold override"
    );
    assert!(html.contains("value=\"lots\""), "input kept");
    assert!(html.contains("value=\"-3\""));
    assert!(html.contains("<option value=\"per_window\" selected>"));

    let cases: [(Form, &[&str]); 7] = [
        (&[("name", "Big"), ("max", "100001")], &["Out of range."]),
        (
            &[
                ("name", "Long window"),
                ("kind", "per_window"),
                ("window_hours", "9000"),
                ("max", "1"),
            ],
            &["Out of range."],
        ),
        (
            &[("name", "Odd"), ("kind", "bogus"), ("max", "1")],
            &["Out of range."],
        ),
        (
            &[("name", "Odd"), ("subject", "everyone"), ("max", "1")],
            &["Out of range."],
        ),
        (
            &[("name", "Odd"), ("queue_id", "not-a-queue"), ("max", "1")],
            &["Unknown queue."],
        ),
        (
            &[
                ("name", "Gone"),
                ("queue_id", "0190a0a0-0000-7000-8000-000000000000"),
                ("max", "1"),
            ],
            &["Unknown queue."],
        ),
        (&[("name", &"n".repeat(81)), ("max", "1")], &["Too long."]),
    ];
    for (fields, expected) in cases {
        let (status, _, html) = post(app, &admin, &csrf, "/admin/claim-rules", fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(field_errors(&html), expected, "{fields:?}");
    }
    let rules = get(app, &token, "/api/v1/claim-rules").await;
    assert_eq!(rules, json!([]), "nothing saved");

    // The override form of a rule keeps its input and shows its errors.
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/claim-rules",
        &[("name", "Fair share"), ("max", "3")],
        "/admin/claim-rules",
    )
    .await;
    let rule = get(app, &token, "/api/v1/claim-rules").await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for (mut fields, expected) in [
        (
            vec![("target", "tier:diamond"), ("max", "1")],
            vec!["Required."],
        ),
        (
            vec![("target", "tier:gold"), ("max", "x")],
            vec!["Enter a whole number."],
        ),
        (
            vec![("target", "tier:gold"), ("max", "")],
            vec!["Required."],
        ),
        (
            vec![
                ("target", "partner:0190a0a0-0000-7000-8000-000000000000"),
                ("max", "1"),
            ],
            vec!["Unknown partner."],
        ),
        (
            vec![("target", "tier:gold"), ("max", "200000")],
            vec!["Out of range."],
        ),
    ] {
        fields.push(("rule", &rule));
        let (status, _, html) =
            post(app, &admin, &csrf, "/admin/claim-rules/overrides", &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert_eq!(field_errors(&html), expected, "{fields:?}");
        let max = fields.iter().find(|(k, _)| *k == "max").unwrap().1;
        assert!(
            html.contains(&format!(
                "id=\"override-max\" name=\"max\" class=\"input-number\" value=\"{max}\""
            )),
            "input kept"
        );
    }
    let rules = get(app, &token, "/api/v1/claim-rules").await;
    assert_eq!(rules[0]["overrides"], json!([]));

    // Rules that do not exist (deleted by another admin, or forged).
    for missing in ["0190a0a0-0000-7000-8000-000000000000", "nope", ""] {
        let (status, _, html) = post(
            app,
            &admin,
            &csrf,
            "/admin/claim-rules/overrides",
            &[("rule", missing), ("target", "tier:gold"), ("max", "1")],
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(field_errors(&html), ["This rule no longer exists."]);
    }
    let (status, _, _) = post(app, &admin, &csrf, "/admin/claim-rules/nope/up", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// A form's fields.
type Form<'a> = &'a [(&'a str, &'a str)];

/// The picklist as the statuses form sends it, with `edit` applied to each row.
fn status_form(
    statuses: &Value,
    edit: impl Fn(&str, &mut (String, String, bool)),
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (i, s) in statuses.as_array().unwrap().iter().enumerate() {
        let key = s["key"].as_str().unwrap();
        let mut row = (
            s["label_en"].as_str().unwrap().to_owned(),
            s["label_da"].as_str().unwrap().to_owned(),
            s["closed"].as_bool().unwrap(),
        );
        edit(key, &mut row);
        pairs.push((format!("key_{i}"), key.to_owned()));
        pairs.push((format!("label_en_{i}"), row.0));
        pairs.push((format!("label_da_{i}"), row.1));
        if row.2 && key != "converted" {
            pairs.push((format!("closed_{i}"), "1".to_owned()));
        }
    }
    pairs
}

fn as_refs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn keys(statuses: &Value) -> Vec<String> {
    statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_owned())
        .collect()
}

async fn statuses_renamed_reordered_and_added_appear_in_the_api(app: &TestApp) {
    let w = world(app).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    let token = app.token(&w.acme_user).await;
    let (status, html) = page(app, &admin, "/admin/lead-statuses").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"Open – Not Contacted\""));
    assert!(html.contains("value=\"Åben – ikke kontaktet\""));

    // Rename "Qualified" and move it up in one click.
    let statuses = get(app, &token, "/api/v1/lead-statuses").await;
    let mut form = status_form(&statuses, |key, row| {
        if key == "qualified" {
            *row = ("Sales ready".into(), "Salgsklar".into(), false);
        }
    });
    form.push(("op".into(), "up:qualified".into()));
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/lead-statuses",
        &as_refs(&form),
        "/admin/lead-statuses",
    )
    .await;
    let statuses = get(app, &token, "/api/v1/lead-statuses").await;
    assert_eq!(
        keys(&statuses),
        [
            "open_not_contacted",
            "qualified",
            "working_contacted",
            "unqualified",
            "converted"
        ]
    );
    assert_eq!(statuses[1]["label_en"], "Sales ready");
    assert_eq!(statuses[1]["label_da"], "Salgsklar");
    let positions: Vec<i64> = statuses
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, [10, 20, 30, 40, 50]);

    // Add a closed status with Enter in its field (the default button saves).
    let mut form = status_form(&statuses, |_, _| {});
    form.push(("new_label_en".into(), "On hold".into()));
    form.push(("new_label_da".into(), "På pause".into()));
    form.push(("new_closed".into(), "1".into()));
    form.push(("op".into(), "save".into()));
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/lead-statuses",
        &as_refs(&form),
        "/admin/lead-statuses",
    )
    .await;
    let statuses = get(app, &token, "/api/v1/lead-statuses").await;
    assert_eq!(keys(&statuses)[4], "on_hold", "before converted");
    assert_eq!(keys(&statuses)[5], "converted");
    assert_eq!(statuses[4]["label_da"], "På pause");
    assert_eq!(statuses[4]["closed"], true);
    assert_eq!(statuses[4]["converted"], false);

    // Reopen "Unqualified", move "On hold" down below "Converted".
    let mut form = status_form(&statuses, |key, row| {
        if key == "unqualified" {
            row.2 = false;
        }
    });
    form.push(("op".into(), "down:on_hold".into()));
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/lead-statuses",
        &as_refs(&form),
        "/admin/lead-statuses",
    )
    .await;
    let statuses = get(app, &token, "/api/v1/lead-statuses").await;
    assert_eq!(keys(&statuses)[4..], ["converted", "on_hold"]);
    assert_eq!(statuses[3]["closed"], false);
    // The converted status stays closed however the form is sent.
    assert_eq!(statuses[4]["closed"], true);

    // A new lead can be put in the new status over the API.
    let admin_token = app.token(&w.admin).await;
    let (status, lead) = api(
        app,
        &admin_token,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "Ib", "company": "Ib ApS", "status": "On hold"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{lead}");
    assert_eq!(lead["status"], "on_hold");

    // Blank labels: inline errors beside the row, the typed labels kept.
    let mut form = status_form(&statuses, |key, row| {
        if key == "working_contacted" {
            row.0 = " ".into();
            row.1 = "Arbejder".into();
        }
    });
    form.push(("op".into(), "up:unqualified".into()));
    let (status, _, html) = post(app, &admin, &csrf, "/admin/lead-statuses", &as_refs(&form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Required."]);
    assert!(html.contains("value=\"Arbejder\""));
    let unchanged = get(app, &token, "/api/v1/lead-statuses").await;
    assert_eq!(unchanged, statuses, "nothing saved");

    // Adding without an English label.
    let mut form = status_form(&statuses, |_, _| {});
    form.push(("new_label_da".into(), "Kun dansk".into()));
    form.push(("op".into(), "add".into()));
    let (status, _, html) = post(app, &admin, &csrf, "/admin/lead-statuses", &as_refs(&form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Required."]);
    assert!(html.contains("value=\"Kun dansk\""));

    // Over the API: the same picklist, relabelled, in another order.
    let (status, saved) = api(
        app,
        &admin_token,
        Method::PUT,
        "/api/v1/lead-statuses",
        Some(json!([
            {"key": "qualified", "label_en": "Qualified", "label_da": "Kvalificeret"},
            {"key": "open_not_contacted", "label_en": "New", "label_da": "Ny"},
            {"key": "working_contacted", "label_en": "Working", "label_da": "I gang"},
            {"key": "unqualified", "label_en": "Unqualified", "label_da": "Ikke kvalificeret", "closed": true},
            {"key": "on_hold", "label_en": "On hold", "label_da": "På pause", "closed": true},
            {"key": "converted", "label_en": "Converted", "label_da": "Konverteret"}
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, get(app, &token, "/api/v1/lead-statuses").await);
    assert_eq!(
        keys(&saved),
        [
            "qualified",
            "open_not_contacted",
            "working_contacted",
            "unqualified",
            "on_hold",
            "converted"
        ]
    );
    assert_eq!(saved[1]["label_en"], "New");
    assert_eq!(saved[5]["converted"], true);
    let (_, html) = page(app, &admin, "/admin").await;
    assert!(html.contains("lead_statuses.update"), "audit log");
}

async fn a_status_in_use_or_converted_cannot_be_removed(app: &TestApp) {
    let w = world(app).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    let admin_token = app.token(&w.admin).await;
    let (status, lead) = api(
        app,
        &admin_token,
        Method::POST,
        "/api/v1/leads",
        Some(json!({"name": "Ea", "company": "Ea A/S"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(lead["status"], "open_not_contacted");
    let (_, html) = page(app, &admin, "/admin/lead-statuses").await;
    assert!(
        html.contains("<td class=\"num\">1</td>"),
        "the use is shown"
    );

    let statuses = get(app, &admin_token, "/api/v1/lead-statuses").await;
    let mut form = status_form(&statuses, |key, row| {
        if key == "qualified" {
            row.0 = "Typed but not saved".into();
        }
    });
    form.push(("op".into(), "remove:open_not_contacted".into()));
    let (status, _, html) = post(app, &admin, &csrf, "/admin/lead-statuses", &as_refs(&form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&html),
        [
            "“Open – Not Contacted” is used by 1 lead and cannot be removed. Give it another status first."
        ]
    );
    assert!(html.contains("value=\"Typed but not saved\""), "input kept");
    assert!(
        html.contains("id=\"status-open_not_contacted\""),
        "row kept"
    );
    assert_eq!(
        get(app, &admin_token, "/api/v1/lead-statuses").await,
        statuses
    );

    // Through the API: refused, naming the status.
    let without: Vec<Value> = statuses
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["key"] != "open_not_contacted")
        .cloned()
        .collect();
    let (status, body) = api(
        app,
        &admin_token,
        Method::PUT,
        "/api/v1/lead-statuses",
        Some(Value::Array(without)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["code"], "validation_failed");
    assert!(
        body["error"]["fields"]["removed.open_not_contacted"]
            .as_str()
            .unwrap()
            .contains("Leads are in this status")
    );

    // Converted can be renamed but never removed.
    let mut form = status_form(&statuses, |_, _| {});
    form.push(("op".into(), "remove:converted".into()));
    let (status, _, html) = post(app, &admin, &csrf, "/admin/lead-statuses", &as_refs(&form)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_errors(&html),
        ["The converted status cannot be removed."]
    );
    let only_open: Vec<Value> = statuses
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["key"] != "converted")
        .cloned()
        .collect();
    let (status, body) = api(
        app,
        &admin_token,
        Method::PUT,
        "/api/v1/lead-statuses",
        Some(Value::Array(only_open)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["error"]["fields"]["statuses"].is_string(), "{body}");
    let mut form = status_form(&statuses, |key, row| {
        if key == "converted" {
            *row = ("Won".into(), "Vundet".into(), true);
        }
    });
    form.push(("op".into(), "save".into()));
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/lead-statuses",
        &as_refs(&form),
        "/admin/lead-statuses",
    )
    .await;
    let statuses = get(app, &admin_token, "/api/v1/lead-statuses").await;
    assert_eq!(statuses[4]["label_en"], "Won");

    // An unused status goes.
    let mut form = status_form(&statuses, |_, _| {});
    form.push(("op".into(), "remove:unqualified".into()));
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/lead-statuses",
        &as_refs(&form),
        "/admin/lead-statuses",
    )
    .await;
    let statuses = get(app, &admin_token, "/api/v1/lead-statuses").await;
    assert_eq!(
        keys(&statuses),
        [
            "open_not_contacted",
            "working_contacted",
            "qualified",
            "converted"
        ]
    );

    // Malformed picklists over the API: 422 naming the field, never a 5xx.
    let bad = [
        (
            json!([{"key": "Bad Key", "label_en": "X", "label_da": "X"}, {"key": "converted", "label_en": "C", "label_da": "K"}]),
            "statuses[0].key",
        ),
        (
            json!([{"key": "a", "label_en": "", "label_da": "X"}, {"key": "converted", "label_en": "C", "label_da": "K"}]),
            "statuses[0].label_en",
        ),
        (
            json!([{"key": "a", "label_en": "A", "label_da": "A", "converted": true}, {"key": "converted", "label_en": "C", "label_da": "K"}]),
            "statuses[0].converted",
        ),
        (
            json!([{"key": "a", "label_en": "A", "label_da": "A", "closed": true}, {"key": "converted", "label_en": "C", "label_da": "K"}]),
            "statuses",
        ),
        (
            json!([{"key": "a", "label_en": "A", "label_da": "A"}, {"key": "a", "label_en": "B", "label_da": "B"}, {"key": "converted", "label_en": "C", "label_da": "K"}]),
            "statuses[1].key",
        ),
        (json!({"key": "a"}), "body"),
        (json!([{"key": 5}]), "body"),
    ];
    for (body, field) in bad {
        let (status, answer) = api(
            app,
            &admin_token,
            Method::PUT,
            "/api/v1/lead-statuses",
            Some(body.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{body}: {answer}"
        );
    }
    assert_eq!(
        get(app, &admin_token, "/api/v1/lead-statuses").await,
        statuses
    );
}

async fn only_the_admin_reaches_the_lead_admin_console(app: &TestApp) {
    let w = world(app).await;
    let queue = queue_in_store(app, "Trade show", vec![w.acme.id]).await;
    let rule = "0190a0a0-0000-7000-8000-000000000000";
    let pages = [
        "/admin/queues".to_owned(),
        format!("/admin/queues/{queue}"),
        "/admin/claim-rules".to_owned(),
        "/admin/lead-statuses".to_owned(),
    ];
    let forms: Vec<(String, Vec<(&str, &str)>)> = vec![
        ("/admin/queues".into(), vec![("name", "Sneaky")]),
        (format!("/admin/queues/{queue}/members"), vec![]),
        (
            "/admin/claim-rules".into(),
            vec![("name", "Sneaky"), ("max", "0")],
        ),
        (format!("/admin/claim-rules/{rule}/delete"), vec![]),
        (format!("/admin/claim-rules/{rule}/up"), vec![]),
        (format!("/admin/claim-rules/{rule}/down"), vec![]),
        (
            "/admin/claim-rules/overrides".into(),
            vec![("rule", rule), ("target", "tier:gold"), ("max", "1")],
        ),
        (
            format!("/admin/claim-rules/{rule}/overrides/remove"),
            vec![("target", "tier:gold")],
        ),
        (
            "/admin/lead-statuses".into(),
            vec![("op", "remove:unqualified")],
        ),
    ];
    for user in [&w.cm, &w.acme_manager, &w.acme_user] {
        let (client, csrf) = browser(app, user).await;
        let (_, home) = page(app, &client, "/").await;
        assert!(!home.contains("href=\"/admin\""));
        for path in &pages {
            assert_eq!(
                page(app, &client, path).await.0,
                StatusCode::NOT_FOUND,
                "{} GET {path}",
                user.email
            );
        }
        for (path, fields) in &forms {
            let (status, _, _) = post(app, &client, &csrf, path, fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{} POST {path}", user.email);
        }
        let token = app.token(user).await;
        let acme = w.acme.id.to_string();
        let writes = [
            (
                Method::POST,
                "/api/v1/queues".to_owned(),
                json!({"name": "Sneaky", "members": [acme]}),
            ),
            (
                Method::PUT,
                format!("/api/v1/queues/{queue}/members"),
                json!({"partner_ids": [acme]}),
            ),
            (
                Method::PUT,
                "/api/v1/claim-rules".to_owned(),
                json!([{"name": "Sneaky", "kind": "open_at_once", "subject": "user", "queue_id": null, "max": 100}]),
            ),
            (
                Method::PUT,
                "/api/v1/lead-statuses".to_owned(),
                json!([{"key": "open", "label_en": "Open", "label_da": "Åben"}, {"key": "converted", "label_en": "C", "label_da": "K"}]),
            ),
        ];
        for (method, path, body) in writes {
            let (status, answer) = api(app, &token, method.clone(), &path, Some(body)).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{} {method} {path}: {answer}",
                user.email
            );
            assert_eq!(answer["error"]["code"], "forbidden");
        }
    }
    // Nothing changed, and a signed-out visitor is sent to sign in.
    let admin_token = app.token(&w.admin).await;
    assert_eq!(
        names(&get(app, &admin_token, "/api/v1/queues").await),
        ["Trade show"]
    );
    assert_eq!(
        get(app, &admin_token, "/api/v1/claim-rules").await,
        json!([])
    );
    assert_eq!(
        get(app, &admin_token, "/api/v1/lead-statuses")
            .await
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let (status, _) = page(app, &app.client(), "/admin/queues").await;
    assert!(status.is_redirection(), "{status}");
    let (status, _) = api(
        app,
        "",
        Method::PUT,
        "/api/v1/lead-statuses",
        Some(json!([])),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn pages_speak_danish_and_garbage_never_gets_a_5xx(app: &TestApp) {
    let w = world(app).await;
    let queue = queue_in_store(app, "Messe", vec![w.acme.id]).await;
    let (admin, csrf) = browser(app, &w.admin).await;
    post_ok(
        app,
        &admin,
        &csrf,
        "/admin/claim-rules",
        &[
            ("name", "Retfærdig"),
            ("kind", "per_window"),
            ("window_hours", "24"),
            ("subject", "partner"),
            ("queue_id", &queue),
            ("max", "1"),
            ("tier_gold", "4"),
        ],
        "/admin/claim-rules",
    )
    .await;
    let (status, _, _) = post(app, &admin, &csrf, "/language", &[("locale", "da")]).await;
    assert!(status.is_redirection());
    let expected = [
        ("/admin", "Status for kundeemner"),
        ("/admin/queues", "Ny kø"),
        (
            &format!("/admin/queues/{queue}"),
            "Partnere, der er medlemmer",
        ),
        (
            "/admin/claim-rules",
            "Højst 1 kundeemne taget pr. partnerkonto på 24 timer, køen “Messe”",
        ),
        ("/admin/claim-rules", "Guld-partnere: højst 4"),
        ("/admin/lead-statuses", "Dansk betegnelse"),
    ];
    for (path, text) in expected {
        let (status, html) = page(app, &admin, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("<html lang=\"da\""), "{path}");
        assert!(html.contains(text), "{path} shows {text}");
    }
    let (status, _, html) = post(app, &admin, &csrf, "/admin/queues", &[("name", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&html), ["Skal udfyldes."]);

    let long = "x".repeat(5000);
    let garbage: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "/admin/queues",
            vec![
                ("name", &long),
                ("stale_claim_days", "99999999999999999999"),
            ],
        ),
        ("/admin/queues", vec![("members", ""), ("name", "ø")]),
        (
            "/admin/claim-rules",
            vec![
                ("max", "-1"),
                ("window_hours", "1e9"),
                ("kind", "per_window"),
            ],
        ),
        (
            "/admin/claim-rules",
            vec![("tier_gold", "４"), ("max", "٣")],
        ),
        (
            "/admin/lead-statuses",
            vec![("key_99999999999999999999999", "x"), ("op", "up:")],
        ),
        (
            "/admin/lead-statuses",
            vec![("key_0", "nope"), ("label_en_0", ""), ("op", "down:nope")],
        ),
        (
            "/admin/lead-statuses",
            vec![("op", "remove:"), ("new_label_en", &long)],
        ),
        (
            "/admin/lead-statuses",
            vec![("op", "add"), ("new_label_en", "\u{7}bell")],
        ),
        ("/admin/claim-rules/%00/up", vec![]),
    ];
    for (path, fields) in garbage {
        let (status, _, _) = post(app, &admin, &csrf, path, &fields).await;
        assert!(
            status.is_client_error() || status.is_redirection(),
            "POST {path} {fields:?}: {status}"
        );
    }
    // A form body that is not url-encoded text at all.
    let response = admin
        .post(app.url("/admin/lead-statuses"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("_csrf={csrf}&op=%FF%FE&key_0=%00"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error(), "{}", response.status());
    // The picklist survived all of it.
    let token = app.token(&w.admin).await;
    assert_eq!(
        keys(&get(app, &token, "/api/v1/lead-statuses").await),
        [
            "open_not_contacted",
            "working_contacted",
            "qualified",
            "unqualified",
            "converted"
        ]
    );
}

/// The three pages in a real browser, filled with a little of everything and
/// saved under `target/screenshots/admin-leads-*.png`, in English and Danish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_admin_console_for_leads() {
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    let w = world(&app).await;
    let nordic = app.partner("Nordic Data", Tier::Platinum, None).await;
    let fjord = app.partner("Fjordline IT", Tier::Registered, None).await;
    let trade = queue_in_store(&app, "Trade show Copenhagen", vec![w.acme.id, w.bolt.id]).await;
    let web = QueueFields {
        name: "Web leads".into(),
        stale_claim_days: Some(7),
        members: vec![w.acme.id, nordic.id, fjord.id],
    };
    app.store.create_queue(None, &web).await.unwrap();
    let token = app.token(&w.admin).await;
    for name in ["Anne", "Bjarne", "Cecilie"] {
        queue_lead(&app, &token, &trade, name).await;
    }
    let trade_id: QueueId = trade.parse().unwrap();
    let rules = [
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Two at a time".into(),
            kind: LimitKind::OpenAtOnce,
            subject: LimitSubject::User,
            queue_id: None,
            max: 2,
            overrides: vec![ClaimOverride {
                target: OverrideTarget::Tier(Tier::Gold),
                max: Some(5),
            }],
        },
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Weekly share".into(),
            kind: LimitKind::PerWindow { window_hours: 168 },
            subject: LimitSubject::Partner,
            queue_id: Some(trade_id),
            max: 10,
            overrides: vec![
                ClaimOverride {
                    target: OverrideTarget::Tier(Tier::Platinum),
                    max: None,
                },
                ClaimOverride {
                    target: OverrideTarget::Partner(w.bolt.id),
                    max: Some(3),
                },
            ],
        },
    ];
    app.store.save_claim_rules(None, &rules).await.unwrap();
    let tall = (DESKTOP.0, 1500);

    run_browser_test("browser_admin_console_for_leads", None, async |b| {
        b.goto(&app.url("/login")).await?;
        b.fill(Locator::Id("email"), &w.admin.email).await?;
        b.fill(Locator::Id("password"), &w.admin.password).await?;
        b.click_and_wait(Locator::Css("form[action='/login'] button[type=submit]"))
            .await?;
        b.resize(tall.0, tall.1).await?;
        b.click_and_wait(Locator::LinkText("Admin")).await?;
        b.screenshot("admin-leads-01-admin").await?;

        // Queues: create one with two members from the form.
        b.click_and_wait(Locator::LinkText("Queues")).await?;
        assert_eq!(b.path().await?, "/admin/queues");
        b.fill(Locator::Id("queue-name"), "Nordic roadshow").await?;
        b.fill(Locator::Id("queue-stale"), "10").await?;
        for partner in [&nordic, &fjord] {
            b.find(Locator::Css(&format!(
                "input[name=members][value='{}']",
                partner.id
            )))
            .await?
            .click()
            .await?;
        }
        b.click_and_wait(Locator::Css("#queue-form button[type=submit]"))
            .await?;
        let names = b.texts("#queues td strong").await?;
        assert_eq!(
            names,
            ["Nordic roadshow", "Trade show Copenhagen", "Web leads"]
        );
        b.screenshot("admin-leads-02-queues").await?;
        b.click_and_wait(Locator::Css("#queues tbody tr:nth-child(2) a"))
            .await?;
        b.screenshot("admin-leads-03-queue-members").await?;

        // Claim rules: a bad rule shows its errors, then the list in words.
        b.goto(&app.url("/admin/claim-rules")).await?;
        let summaries = b.texts(".rule-summary").await?;
        assert_eq!(
            summaries,
            [
                "At most 2 open claimed leads per partner user, all queues",
                "At most 10 claims per partner account in 168 hours, queue “Trade show Copenhagen”"
            ]
        );
        b.screenshot("admin-leads-04-claim-rules").await?;
        b.fill(Locator::Id("rule-max"), "plenty").await?;
        b.click_and_wait(Locator::Css("#rule-form button[type=submit]"))
            .await?;
        assert_eq!(
            b.texts("#rule-form .field-error").await?,
            ["Required.", "Enter a whole number."]
        );
        b.screenshot("admin-leads-05-claim-rules-errors").await?;

        // Lead statuses: move "Qualified" up with its button.
        b.goto(&app.url("/admin/lead-statuses")).await?;
        b.click_and_wait(Locator::Css("button[value='up:qualified']"))
            .await?;
        assert_eq!(b.path().await?, "/admin/lead-statuses");
        let keys = b.texts("#statuses td code").await?;
        assert_eq!(
            keys[..3],
            ["open_not_contacted", "qualified", "working_contacted"]
        );
        b.click_and_wait(Locator::Css("button[value='remove:open_not_contacted']"))
            .await?;
        b.screenshot("admin-leads-06-lead-statuses").await?;

        // The same pages in Danish.
        b.execute(
            "const s = document.getElementById('locale-select'); s.value = 'da'; s.form.submit();",
            vec![],
        )
        .await?;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        for (path, shot) in [
            ("/admin", "admin-leads-07-admin-da"),
            ("/admin/queues", "admin-leads-08-queues-da"),
            ("/admin/claim-rules", "admin-leads-09-claim-rules-da"),
            ("/admin/lead-statuses", "admin-leads-10-lead-statuses-da"),
        ] {
            b.goto(&app.url(path)).await?;
            assert!(b.page_text().await?.contains("Administration"), "{path}");
            b.screenshot(shot).await?;
        }
        Ok(())
    })
    .await;
    app.close().await;
}
