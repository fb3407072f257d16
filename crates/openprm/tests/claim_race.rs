//! Fair claiming under contention (spec flow 5): many partner users press
//! Accept on the same queue leads at the same moment, each over its own HTTP
//! connection, through two server instances with their own connection pools on
//! one database. Exactly one claimer wins each lead, nobody ends up over a claim
//! limit, every loser is told why with one of the two claim refusals, and the
//! timeline records one claim per lead.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Arc,
    time::Duration,
};

use openprm_domain::{Role, Tier};
use openprm_testkit::app::{TestApp, TestInstance};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::Barrier;

openprm_testkit::test_on_both_stores!(
    partners_racing_for_queue_leads_stay_within_their_limits,
    forty_claimers_on_one_lead_leave_one_owner,
    parallel_claims_by_one_user_respect_the_rolling_window,
);

/// A queue with member partner accounts, their users signed in over the API,
/// and leads waiting in the queue.
struct World {
    admin: String,
    partners: Vec<String>,
    /// Partner users: (user id, partner index, bearer token).
    users: Vec<(String, usize, String)>,
    leads: Vec<String>,
}

async fn world(app: &TestApp, partners: usize, users_per_partner: usize, leads: usize) -> World {
    let admin_user = app.user("Ada Admin", Role::Admin, None).await;
    let admin = app.token(&admin_user).await;
    let mut partner_ids = Vec::new();
    let mut users = Vec::new();
    for p in 0..partners {
        let partner = app
            .partner(&format!("Racer {p} Resellers"), Tier::Gold, None)
            .await;
        for u in 0..users_per_partner {
            let user = app
                .user(
                    &format!("Racer {p} User {u}"),
                    Role::PartnerUser,
                    Some(partner.id),
                )
                .await;
            let token = app.token(&user).await;
            users.push((user.id().0.to_string(), p, token));
        }
        partner_ids.push(partner.id.0.to_string());
    }
    let (status, queue) = api(
        app,
        Method::POST,
        "/api/v1/queues",
        &admin,
        Some(json!({"name": "Trade show", "members": partner_ids})),
    )
    .await;
    assert_eq!(status, 201, "create queue: {queue}");
    let queue = queue["id"].as_str().unwrap().to_owned();
    let mut lead_ids = Vec::new();
    for i in 0..leads {
        lead_ids.push(queue_lead(app, &admin, &queue, i).await);
    }
    World {
        admin,
        partners: partner_ids,
        users,
        leads: lead_ids,
    }
}

async fn queue_lead(app: &TestApp, admin: &str, queue: &str, i: usize) -> String {
    let (status, lead) = api(
        app,
        Method::POST,
        "/api/v1/leads",
        admin,
        Some(json!({
            "name": format!("Prospect {i}"),
            "company": format!("Prospect Company {i}"),
            "email": format!("prospect{i}@example.org"),
            "source": "trade_show",
            "queue_id": queue,
        })),
    )
    .await;
    assert_eq!(status, 201, "create lead: {lead}");
    lead["id"].as_str().unwrap().to_owned()
}

/// One API call through the first instance, as an admin or set-up step.
async fn api(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = app
        .client()
        .request(method, app.url(path))
        .bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn set_rules(app: &TestApp, admin: &str, rules: Value) {
    let (status, body) = api(app, Method::PUT, "/api/v1/claim-rules", admin, Some(rules)).await;
    assert_eq!(status, 200, "claim rules: {body}");
}

/// One claim attempt: who, on which lead, and what came back.
#[derive(Debug)]
struct Outcome {
    user: usize,
    lead: usize,
    status: u16,
    /// The error code of a refusal, the owner of the lead for a 200.
    answer: String,
}

/// Fires every `(user, lead)` claim at once, each from a fresh client with a
/// connection of its own; even-numbered attempts go to the first instance,
/// odd-numbered ones to the second.
async fn race(
    app: &TestApp,
    second: &TestInstance,
    world: &World,
    attempts: &[(usize, usize)],
) -> Vec<Outcome> {
    let barrier = Arc::new(Barrier::new(attempts.len()));
    let mut tasks = Vec::with_capacity(attempts.len());
    for (n, &(user, lead)) in attempts.iter().enumerate() {
        let path = format!("/api/v1/leads/{}/claim", world.leads[lead]);
        let url = if n % 2 == 0 {
            app.url(&path)
        } else {
            second.url(&path)
        };
        let token = world.users[user].2.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(0)
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap();
            barrier.wait().await;
            let response = client.post(&url).bearer_auth(&token).send().await;
            let response = response.unwrap_or_else(|e| panic!("claim {url}: {e}"));
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            let body: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("claim {url}: not JSON ({e}): {text}"));
            let answer = if status == 200 {
                body["owner_id"].as_str().unwrap_or_default().to_owned()
            } else {
                body["error"]["code"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            };
            Outcome {
                user,
                lead,
                status,
                answer,
            }
        }));
    }
    let mut outcomes = Vec::with_capacity(tasks.len());
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    outcomes
}

/// Every lead of the queue with its owner and owning partner, read as admin.
async fn owners(
    app: &TestApp,
    world: &World,
) -> BTreeMap<String, (Option<String>, Option<String>)> {
    let path = "/api/v1/leads?view=all&limit=200";
    let (status, page) = api(app, Method::GET, path, &world.admin, None).await;
    assert_eq!(status, 200, "{path}: {page}");
    assert!(page["next_cursor"].is_null(), "{path}: more than one page");
    let mut leads = BTreeMap::new();
    for lead in page["leads"].as_array().unwrap() {
        let id = lead["id"].as_str().unwrap().to_owned();
        let owner = lead["owner_id"].as_str().map(str::to_owned);
        let partner = lead["partner_id"].as_str().map(str::to_owned);
        leads.insert(id, (owner, partner));
    }
    leads
}

/// How many `claim` events the lead's timeline holds, read as admin.
async fn claim_events(app: &TestApp, world: &World, lead: &str) -> usize {
    let path = format!("/api/v1/leads/{lead}/timeline");
    let (status, events) = api(app, Method::GET, &path, &world.admin, None).await;
    assert_eq!(status, 200, "{path}: {events}");
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "claim")
        .count()
}

fn count(outcomes: &[Outcome], status: u16, answer: Option<&str>) -> usize {
    outcomes
        .iter()
        .filter(|o| o.status == status && answer.is_none_or(|a| o.answer == a))
        .count()
}

/// 3 partners × 10 users, 30 leads; each user fires at 10 leads (every lead
/// gets 10 claimers) under "2 open per user" and "5 open per partner".
async fn partners_racing_for_queue_leads_stay_within_their_limits(app: &TestApp) {
    const CLAIMS_PER_USER: usize = 10;
    let world = world(app, 3, 10, 30).await;
    set_rules(
        app,
        &world.admin,
        json!([
            {"name": "Two at once", "kind": "open_at_once", "subject": "user", "queue_id": null, "max": 2},
            {"name": "Five per partner", "kind": "open_at_once", "subject": "partner", "queue_id": null, "max": 5},
        ]),
    )
    .await;
    let second = app.second_instance().await;
    let leads = world.leads.len();
    // User u aims at u, u+3, …, u+27 (mod 30): ten different leads each, and
    // each lead aimed at by exactly ten users from all three partners.
    let attempts: Vec<(usize, usize)> = (0..world.users.len())
        .flat_map(|u| (0..CLAIMS_PER_USER).map(move |j| (u, (u + 3 * j) % leads)))
        .collect();
    let outcomes = race(app, &second, &world, &attempts).await;
    second.close().await;

    let unexpected: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| {
            !(o.status == 200
                || o.status == 409
                    && (o.answer == "lead_already_claimed" || o.answer == "claim_limit_reached"))
        })
        .collect();
    assert!(unexpected.is_empty(), "unexpected answers: {unexpected:?}");

    // Each 200 named the claimer as owner, and the leads list agrees.
    let owned = owners(app, &world).await;
    let mut winners = BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.status == 200) {
        let user = &world.users[o.user];
        assert_eq!(
            o.answer, user.0,
            "a 200 for lead {} names another owner",
            o.lead
        );
        assert!(
            winners.insert(o.lead, o.user).is_none(),
            "lead {} was won twice",
            o.lead
        );
    }
    let mut per_user: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_partner: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, id) in world.leads.iter().enumerate() {
        let (owner, partner) = owned
            .get(id)
            .unwrap_or_else(|| panic!("lead {i} not listed"));
        match winners.get(&i) {
            Some(&u) => {
                let (user, p, _) = &world.users[u];
                assert_eq!(owner.as_deref(), Some(user.as_str()), "lead {i}: owner");
                assert_eq!(
                    partner.as_deref(),
                    Some(world.partners[*p].as_str()),
                    "lead {i}: partner"
                );
                *per_user.entry(user).or_default() += 1;
                *per_partner.entry(&world.partners[*p]).or_default() += 1;
            }
            None => assert_eq!(
                (owner, partner),
                (&None, &None),
                "lead {i} owned without a 200"
            ),
        }
        let claims = claim_events(app, &world, id).await;
        assert_eq!(
            claims,
            usize::from(winners.contains_key(&i)),
            "lead {i}: claim events"
        );
    }
    assert!(
        per_user.values().all(|&n| n <= 2),
        "a user holds more than 2: {per_user:?}"
    );
    assert!(
        per_partner.values().all(|&n| n <= 5),
        "a partner holds more than 5: {per_partner:?}"
    );

    // At most 15 leads can be owned, and only a claimer aiming at an owned lead
    // can be told it is taken (10 claimers per lead): the rest hit a limit.
    let won = winners.len();
    assert!((1..=15).contains(&won), "{won} leads won");
    assert_eq!(count(&outcomes, 200, None), won);
    assert!(
        count(&outcomes, 409, Some("claim_limit_reached")) >= attempts.len() - 10 * won,
        "too few limit refusals: {outcomes:?}"
    );
}

/// 40 partner users press Accept on the same lead at once; no rules apply.
async fn forty_claimers_on_one_lead_leave_one_owner(app: &TestApp) {
    let world = world(app, 4, 10, 1).await;
    let second = app.second_instance().await;
    let attempts: Vec<(usize, usize)> = (0..world.users.len()).map(|u| (u, 0)).collect();
    let outcomes = race(app, &second, &world, &attempts).await;
    second.close().await;

    assert_eq!(count(&outcomes, 200, None), 1, "{outcomes:?}");
    assert_eq!(
        count(&outcomes, 409, Some("lead_already_claimed")),
        39,
        "{outcomes:?}"
    );
    let winner = outcomes.iter().find(|o| o.status == 200).unwrap();
    let owned = owners(app, &world).await;
    let (owner, partner) = &owned[&world.leads[0]];
    let (user, p, _) = &world.users[winner.user];
    assert_eq!(owner.as_deref(), Some(user.as_str()));
    assert_eq!(partner.as_deref(), Some(world.partners[*p].as_str()));
    assert_eq!(claim_events(app, &world, &world.leads[0]).await, 1);
}

/// One user fires 10 claims at once under "3 per user in 24 hours": exactly 3
/// win. A day later the window has moved on and 3 more fit.
async fn parallel_claims_by_one_user_respect_the_rolling_window(app: &TestApp) {
    let world = world(app, 1, 1, 10).await;
    set_rules(
        app,
        &world.admin,
        json!([{"name": "Three a day", "kind": "per_window", "window_hours": 24,
                "subject": "user", "queue_id": null, "max": 3}]),
    )
    .await;
    let second = app.second_instance().await;
    let attempts: Vec<(usize, usize)> = (0..10).map(|lead| (0, lead)).collect();
    let first = race(app, &second, &world, &attempts).await;
    assert_eq!(count(&first, 200, None), 3, "{first:?}");
    assert_eq!(
        count(&first, 409, Some("claim_limit_reached")),
        7,
        "{first:?}"
    );

    // Both instances read the same clock: a day on, the three claims have left
    // the window (the leads are still held; this rule counts claims, not leads).
    app.clock.advance(time::Duration::hours(24));
    let won: BTreeSet<usize> = first
        .iter()
        .filter(|o| o.status == 200)
        .map(|o| o.lead)
        .collect();
    let rest: Vec<(usize, usize)> = attempts
        .into_iter()
        .filter(|a| !won.contains(&a.1))
        .collect();
    let second_round = race(app, &second, &world, &rest).await;
    second.close().await;
    assert_eq!(count(&second_round, 200, None), 3, "{second_round:?}");
    assert_eq!(
        count(&second_round, 409, Some("claim_limit_reached")),
        4,
        "{second_round:?}"
    );

    let mut claims = 0;
    for lead in &world.leads {
        claims += claim_events(app, &world, lead).await;
    }
    assert_eq!(claims, 6);
}
