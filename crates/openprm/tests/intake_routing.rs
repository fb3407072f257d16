//! Where leads from outside go and who is told, on both stores through HTTP:
//! an import without a destination is routed row by row by the assignment
//! rules (round-robin turns continuing from and into leads made by hand) and
//! each partner manager gets one e-mail for all their new leads; an import
//! may still leave its leads unassigned; a lead routed onward after a decline
//! or a missed response time e-mails its new holder; and round-robin turns
//! stay fair when two portal instances route at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{collections::BTreeMap, time::Duration};

use openprm_domain::{Role, Tier};
use openprm_jobs::ResponseTimeJob;
use openprm_store::partners::Partner;
use openprm_testkit::{
    api::{call, get, post},
    app::{TestApp, TestUser},
    smtp::CaughtMail,
};
use reqwest::{Method, header};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    an_import_is_routed_row_by_row_and_each_manager_gets_one_email,
    an_import_may_leave_its_leads_unassigned_and_tells_nobody,
    a_lead_routed_onward_tells_its_new_holder,
    two_instances_routing_at_once_keep_fair_turns,
);

const MAIL_WAIT: Duration = Duration::from_secs(10);
/// How long to wait for an e-mail that must not come.
const QUIET: Duration = Duration::from_millis(1500);

/// Channel manager Cai has Copenhagen IT and Aarhus Data, each with a
/// partner manager and a rep; the queue Trade shows has both, Web leads only
/// Copenhagen. The rules: Norway to Aarhus; trade shows in turn; the rest to
/// Web leads.
struct World {
    admin: String,
    cm: String,
    cph_manager: TestUser,
    aar_manager: TestUser,
    cph_rep: String,
    cph: Partner,
    aar: Partner,
    shows: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let admin = app.token(&admin).await;
    let cm = app.user("Cai Channel", Role::ChannelManager, None).await;
    let cph = app
        .partner("Copenhagen IT", Tier::Gold, Some(cm.id()))
        .await;
    let aar = app
        .partner("Aarhus Data", Tier::Silver, Some(cm.id()))
        .await;
    let cm = app.token(&cm).await;
    let cph_manager = app
        .user("Mona Cph", Role::PartnerManager, Some(cph.id))
        .await;
    let aar_manager = app
        .user("Anders Aar", Role::PartnerManager, Some(aar.id))
        .await;
    let cph_rep = app.user("Karen Cph", Role::PartnerUser, Some(cph.id)).await;
    let cph_rep = app.token(&cph_rep).await;
    let shows = queue(app, &admin, "Trade shows", &[&cph, &aar]).await;
    let web = queue(app, &admin, "Web leads", &[&cph]).await;
    set_rules(
        app,
        &admin,
        Some(&web),
        json!([
            {"name": "Norway to Aarhus", "conditions": [{"kind": "country", "countries": ["NO"]}],
             "target": {"kind": "partner", "partner_id": aar.id.to_string()}},
            {"name": "Shows in turn", "conditions": [{"kind": "source", "sources": ["trade_show"]}],
             "target": {"kind": "round_robin", "queue_id": shows}},
        ]),
    )
    .await;
    World {
        admin,
        cm,
        cph_manager,
        aar_manager,
        cph_rep,
        cph,
        aar,
        shows,
    }
}

async fn queue(app: &TestApp, admin: &str, name: &str, members: &[&Partner]) -> String {
    let members: Vec<String> = members.iter().map(|p| p.id.to_string()).collect();
    let (status, body) = post(
        app,
        admin,
        "/api/v1/queues",
        &json!({"name": name, "members": members}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

async fn set_rules(app: &TestApp, admin: &str, default_queue: Option<&str>, rules: Value) {
    let (_, current) = get(app, admin, "/api/v1/assignment-rules").await;
    let body =
        json!({"version": current["version"], "default_queue_id": default_queue, "rules": rules});
    let (status, saved) = call(
        app,
        admin,
        Method::PUT,
        "/api/v1/assignment-rules",
        Some(&body),
        None,
    )
    .await;
    assert_eq!(status, 200, "{saved}");
}

/// Imports a CSV file through the API; the report.
async fn import(app: &TestApp, token: &str, query: &str, csv: &str) -> (u16, Value) {
    let response = app
        .client()
        .post(app.url(&format!("/api/v1/leads/import{query}")))
        .bearer_auth(token)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(status < 500, "{status}: {text}");
    (status, serde_json::from_str(&text).unwrap())
}

/// Every lead the caller sees, by name.
async fn leads_by_name(app: &TestApp, token: &str) -> BTreeMap<String, Value> {
    let (status, body) = get(app, token, "/api/v1/leads?view=all&limit=200").await;
    assert_eq!(status, 200, "{body}");
    body["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap().to_owned(), l.clone()))
        .collect()
}

/// Who holds a lead: `partner:<name>`, `queue:<name>` or `unassigned`.
fn holder(lead: &Value) -> String {
    match lead["state"].as_str() {
        Some("inbox") => format!("partner:{}", lead["partner_name"].as_str().unwrap()),
        Some("in_queue") => format!("queue:{}", lead["queue_name"].as_str().unwrap()),
        Some("unassigned") => "unassigned".into(),
        other => panic!("unexpected place {other:?}: {lead}"),
    }
}

/// A lead's timeline as (kind, value) pairs, oldest first.
async fn timeline(app: &TestApp, token: &str, id: &str) -> Vec<(String, String)> {
    let (status, body) = get(app, token, &format!("/api/v1/leads/{id}/timeline")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["new_value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn new_lead(app: &TestApp, token: &str, body: Value) -> Value {
    let (status, lead) = post(app, token, "/api/v1/leads", &body).await;
    assert_eq!(status, 201, "{lead}");
    lead
}

async fn mails(app: &TestApp, to: &TestUser, n: usize) -> Vec<CaughtMail> {
    app.smtp
        .expect_exactly(&to.email, n, MAIL_WAIT, QUIET)
        .await
}

const TRADE_SHOW_LIST: &str = "Name,Company,Country,Source\r\n\
    Ole Nordmann,Fjord AS,NO,trade_show\r\n\
    Kari Nordmann,Fjell AS,NO,web\r\n\
    Turn One,Alfa ApS,DK,trade_show\r\n\
    Turn Two,Beta ApS,DK,trade_show\r\n\
    Turn Three,Gamma ApS,DK,trade_show\r\n\
    Turn Four,Delta ApS,DK,trade_show\r\n\
    Someone Else,Epsilon ApS,SE,referral\r\n";

async fn an_import_is_routed_row_by_row_and_each_manager_gets_one_email(app: &TestApp) {
    let w = world(app).await;
    let (status, report) = import(app, &w.cm, "", TRADE_SHOW_LIST).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 7, "{report}");

    let leads = leads_by_name(app, &w.cm).await;
    let at = |name: &str| holder(&leads[name]);
    assert_eq!(at("Ole Nordmann"), "partner:Aarhus Data");
    assert_eq!(at("Kari Nordmann"), "partner:Aarhus Data");
    assert_eq!(at("Someone Else"), "queue:Web leads");
    // Turns, in the order of the rows: the two partners alternate.
    let turns: Vec<String> = ["Turn One", "Turn Two", "Turn Three", "Turn Four"]
        .iter()
        .map(|n| at(n))
        .collect();
    assert_ne!(turns[0], turns[1], "{turns:?}");
    assert_eq!((&turns[0], &turns[1]), (&turns[2], &turns[3]), "{turns:?}");
    for turn in &turns {
        assert!(turn.starts_with("partner:"), "{turns:?}");
    }
    // Inbox leads wait for an answer, in the inbox of their partner.
    assert_eq!(leads["Turn One"]["queue_id"], w.shows.as_str());

    // Each lead's timeline says which rule sent it where.
    let id = |name: &str| leads[name]["id"].as_str().unwrap().to_owned();
    let entries = timeline(app, &w.cm, &id("Ole Nordmann")).await;
    assert_eq!(
        entries,
        [
            ("created".to_owned(), "import".to_owned()),
            ("routed".to_owned(), "Norway to Aarhus".to_owned())
        ]
    );
    let entries = timeline(app, &w.cm, &id("Someone Else")).await;
    assert_eq!(entries[1], ("routed".to_owned(), "fallback".to_owned()));

    // One e-mail per partner manager, counting their leads, with a link to
    // the inbox: Aarhus has both Norwegians and two turns, Copenhagen two.
    let aarhus = mails(app, &w.aar_manager, 1).await;
    assert_eq!(aarhus[0].subject(), "4 new leads for you");
    assert!(
        aarhus[0]
            .text_body()
            .contains("Cai Channel imported 4 leads that are now waiting for you"),
        "{}",
        aarhus[0].text_body()
    );
    assert!(aarhus[0].links().contains(&app.url("/leads?view=inbox")));
    let copenhagen = mails(app, &w.cph_manager, 1).await;
    assert_eq!(copenhagen[0].subject(), "2 new leads for you");

    // The partners see their own leads, and only those.
    let (_, mine) = get(app, &w.cph_rep, "/api/v1/leads?view=inbox").await;
    let names: Vec<&str> = mine["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&"Ole Nordmann"), "{names:?}");

    // A lead made by hand takes the next turn: the fifth, as the first.
    let next = new_lead(
        app,
        &w.cm,
        json!({"name": "Turn Five", "company": "Zeta ApS", "source": "trade_show"}),
    )
    .await;
    assert_eq!(holder(&next), turns[0]);
}

async fn an_import_may_leave_its_leads_unassigned_and_tells_nobody(app: &TestApp) {
    let w = world(app).await;
    let (status, report) = import(app, &w.cm, "?assign=none", TRADE_SHOW_LIST).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 7);
    let leads = leads_by_name(app, &w.cm).await;
    for (name, lead) in &leads {
        assert_eq!(holder(lead), "unassigned", "{name}");
        let id = lead["id"].as_str().unwrap();
        let kinds: Vec<String> = timeline(app, &w.cm, id)
            .await
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(kinds, ["created"], "{name}");
    }
    mails(app, &w.aar_manager, 0).await;
    mails(app, &w.cph_manager, 0).await;

    // A destination and `assign` together are a clear error; nothing written.
    let query = format!("?assign=none&queue={}", w.shows);
    let (status, body) = import(app, &w.cm, &query, "Name,Company\r\nNew One,New Co\r\n").await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "validation_failed", "{body}");
    let (status, body) = import(app, &w.cm, "?assign=sometimes", "Name,Company\r\nX,Y\r\n").await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"]["fields"]["assign"].is_string(), "{body}");
    assert_eq!(leads_by_name(app, &w.admin).await.len(), 7);
}

async fn a_lead_routed_onward_tells_its_new_holder(app: &TestApp) {
    let w = world(app).await;
    set_rules(
        app,
        &w.admin,
        None,
        json!([
            {"name": "Copenhagen, 4 hours", "conditions": [], "response_hours": 4,
             "target": {"kind": "partner", "partner_id": w.cph.id.to_string()}},
            {"name": "Then Aarhus", "conditions": [],
             "target": {"kind": "partner", "partner_id": w.aar.id.to_string()}},
        ]),
    )
    .await;
    let declined = new_lead(
        app,
        &w.cm,
        json!({"name": "Per Hansen", "company": "Hav A/S"}),
    )
    .await;
    let first = mails(app, &w.cph_manager, 1).await;
    assert_eq!(first[0].subject(), "New lead for you: Per Hansen · Hav A/S");

    // Declined by Copenhagen: Aarhus is told the rules sent it there.
    let id = declined["id"].as_str().unwrap();
    let (status, body) = post(
        app,
        &w.cph_rep,
        &format!("/api/v1/leads/{id}/decline"),
        &json!({"reason": "not_my_territory"}),
    )
    .await;
    assert!(status == 200 || status == 204, "{status} {body}");
    let aarhus = mails(app, &w.aar_manager, 1).await;
    assert_eq!(
        aarhus[0].subject(),
        "New lead for you: Per Hansen · Hav A/S"
    );
    assert!(
        aarhus[0]
            .text_body()
            .contains("The lead Per Hansen · Hav A/S was routed to you."),
        "{}",
        aarhus[0].text_body()
    );
    assert!(
        aarhus[0]
            .links()
            .contains(&app.url(&format!("/leads/{id}")))
    );

    // Unanswered for four hours: onward to Aarhus, who is told again.
    new_lead(
        app,
        &w.cm,
        json!({"name": "Slow Answer", "company": "Sø ApS"}),
    )
    .await;
    mails(app, &w.cph_manager, 2).await;
    app.clock.advance(time::Duration::hours(4));
    let job = ResponseTimeJob::new(app.store.clone());
    assert_eq!(job.run_once().await.unwrap(), 1);
    let aarhus = mails(app, &w.aar_manager, 2).await;
    assert!(
        aarhus
            .iter()
            .any(|m| m.subject() == "New lead for you: Slow Answer · Sø ApS"),
        "{:?}",
        aarhus.iter().map(CaughtMail::subject).collect::<Vec<_>>()
    );
    // Copenhagen, who let it lie, hears nothing more.
    mails(app, &w.cph_manager, 2).await;
}

async fn two_instances_routing_at_once_keep_fair_turns(app: &TestApp) {
    let w = world(app).await;
    let other = app.second_instance().await;
    let client = app.client();
    // Twenty leads through each instance at once, all for the same turns, and
    // a trade-show list of ten imported through the second one meanwhile.
    let mut sent = Vec::new();
    for i in 0..40 {
        let base = if i % 2 == 0 {
            app.url("/api/v1/leads")
        } else {
            other.url("/api/v1/leads")
        };
        let request = client
            .post(base)
            .bearer_auth(&w.cm)
            .json(&json!({"name": format!("Show Lead {i}"), "company": "Messe ApS", "source": "trade_show"}))
            .send();
        sent.push(request);
    }
    let list: String = (0..10)
        .map(|i| format!("Listed {i},Liste ApS,trade_show\r\n"))
        .collect();
    let import = client
        .post(other.url("/api/v1/leads/import"))
        .bearer_auth(&w.cm)
        .header(header::CONTENT_TYPE, "text/csv")
        .body(format!("Name,Company,Source\r\n{list}"))
        .send();
    let (created, imported) = tokio::join!(futures::future::join_all(sent), import);
    for response in created {
        let response = response.unwrap();
        let status = response.status().as_u16();
        assert_eq!(status, 201, "{}", response.text().await.unwrap());
    }
    let imported = imported.unwrap();
    assert_eq!(imported.status().as_u16(), 200);
    let report: Value = imported.json().await.unwrap();
    assert_eq!(report["imported"], 10, "{report}");
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    for lead in leads_by_name(app, &w.cm).await.values() {
        *counts.entry(holder(lead)).or_default() += 1;
    }
    assert_eq!(
        counts,
        BTreeMap::from([
            ("partner:Aarhus Data".to_owned(), 25),
            ("partner:Copenhagen IT".to_owned(), 25)
        ])
    );
    other.close().await;
}
