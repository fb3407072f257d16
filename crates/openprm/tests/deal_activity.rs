//! Deal activity and help (spec flow 11), on both stores, through HTTP: a
//! partner asks for help and their channel manager hears it live and by
//! e-mail while another channel manager hears nothing; answers with a note,
//! a link and a file reach the partner; files download byte-identical with
//! safe headers, and a forbidden or oversized file stores nothing; the
//! activity feed's scope, filters and keyset pages; a record as of a moment;
//! the pages with CSRF; Home's Recent activity card within each caller's
//! scope; bad input is a clear 4xx.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{collections::BTreeSet, time::Duration};

use openprm_domain::{Clock, Role, Tier};
use openprm_store::partners::Partner;
use openprm_testkit::{
    api::{get, patch, post},
    app::{TestApp, TestUser},
    sse::{SseEvent, SseStream},
};
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    a_help_request_reaches_the_channel_manager_live_and_by_email,
    answers_with_a_note_a_link_and_a_file_reach_the_partner,
    forbidden_or_oversized_files_are_refused_and_nothing_is_stored,
    the_activity_feed_is_scoped_filtered_and_paged_by_keyset,
    a_record_as_of_a_moment_has_its_fields_and_timeline_of_then,
    the_pages_ask_answer_upload_and_show_activity_with_csrf,
    home_shows_recent_activity_each_caller_may_see,
);

const SOON: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(700);
const MAIL_WAIT: Duration = Duration::from_secs(10);

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

async fn caller(app: &TestApp, name: &str, role: Role, partner: Option<&Partner>) -> Caller {
    let user = app.user(name, role, partner.map(|p| p.id)).await;
    let token = app.token(&user).await;
    Caller { user, token }
}

/// Acme and Bolt are Carl's partners; Zenith is Bea's.
struct World {
    admin: Caller,
    cm_a: Caller,
    cm_b: Caller,
    acme: Partner,
    bolt: Partner,
    zenith: Partner,
    acme_user: Caller,
    bolt_user: Caller,
    zenith_user: Caller,
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
    let acme_user = caller(app, "Uffe Acme", Role::PartnerUser, Some(&acme)).await;
    let bolt_user = caller(app, "Bo Bolt", Role::PartnerUser, Some(&bolt)).await;
    let zenith_user = caller(app, "Zoe Zenith", Role::PartnerUser, Some(&zenith)).await;
    World {
        admin,
        cm_a,
        cm_b,
        acme,
        bolt,
        zenith,
        acme_user,
        bolt_user,
        zenith_user,
    }
}

fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("not a string: {v}"))
        .to_owned()
}

/// A lead the admin hands to `owner`; its id.
async fn lead_for(app: &TestApp, admin: &Caller, owner: &Caller, name: &str) -> String {
    let body = json!({"name": name, "company": "Nordlys ApS", "owner_id": owner.id()});
    let (status, lead) = post(app, &admin.token, "/api/v1/leads", &body).await;
    assert_eq!(status, 201, "{lead}");
    text(&lead["id"])
}

/// An opportunity the partner user makes for themselves; its id.
async fn opportunity_of(app: &TestApp, owner: &Caller, name: &str) -> String {
    let (status, account) = post(
        app,
        &owner.token,
        "/api/v1/accounts",
        &json!({"name": format!("{name} A/S")}),
    )
    .await;
    assert_eq!(status, 201, "{account}");
    let body = json!({"name": name, "account_id": account["id"], "close_date": "2027-03-31", "amount": "12500.50", "currency": "EUR"});
    let (status, o) = post(app, &owner.token, "/api/v1/opportunities", &body).await;
    assert_eq!(status, 201, "{o}");
    text(&o["id"])
}

async fn subscribe(app: &TestApp, who: &Caller) -> SseStream {
    SseStream::open(&app.url("/api/v1/events"), &who.token, None).await
}

/// Reads events until one of `kind` about `record`; anything about another
/// record first is a failure.
async fn until_kind(stream: &mut SseStream, record: &str, kind: &str) -> Value {
    for _ in 0..10 {
        let event: SseEvent = stream
            .next(SOON)
            .await
            .unwrap_or_else(|| panic!("no `{kind}` event about {record}"));
        let data = event.json();
        assert_eq!(
            data["record_id"], record,
            "an event about another record: {data}"
        );
        if data["kind"] == kind {
            return data;
        }
    }
    panic!("no `{kind}` event about {record} among the next ten")
}

async fn mails_to(app: &TestApp, to: &str) -> Vec<openprm_testkit::smtp::CaughtMail> {
    app.smtp
        .messages()
        .into_iter()
        .filter(|m| m.header("To").is_some_and(|h| h.contains(to)))
        .collect()
}

/// A multipart body by hand: the parts (name, file name, bytes) and the boundary.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "openprm-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, file_name, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Uploads through the API with a bearer token; status and JSON.
async fn upload(
    app: &TestApp,
    who: &Caller,
    path: &str,
    file_name: &str,
    bytes: &[u8],
) -> (u16, Value) {
    let (content_type, body) = multipart(&[("title", None, b""), ("file", Some(file_name), bytes)]);
    let response = app
        .client()
        .post(app.url(path))
        .bearer_auth(&who.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(status < 500, "{status}: {text}");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes.extend_from_slice(b"\n%%EOF\n");
    bytes
}

async fn a_help_request_reaches_the_channel_manager_live_and_by_email(app: &TestApp) {
    let w = world(app).await;
    let lead = lead_for(app, &w.admin, &w.acme_user, "Jane Doe").await;
    let opportunity = opportunity_of(app, &w.acme_user, "Grid analytics").await;
    let mut cm = subscribe(app, &w.cm_a).await;
    let mut other_cm = subscribe(app, &w.cm_b).await;

    let (status, entry) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/leads/{lead}/help"),
        &json!({"message": "  Can you join the call on Friday?  "}),
    )
    .await;
    assert_eq!(status, 201, "{entry}");
    assert_eq!(entry["kind"], "help");
    assert_eq!(entry["text"], "Can you join the call on Friday?");
    let data = until_kind(&mut cm, &lead, "help").await;
    assert_eq!(data["notice"], "Help requested on Jane Doe · Nordlys ApS");
    assert_eq!(data["by_me"], false);

    let mail = app
        .smtp
        .wait_for(&w.cm_a.user.email, MAIL_WAIT)
        .await
        .expect("the channel manager is e-mailed");
    assert_eq!(mail.subject(), "Help requested on Jane Doe · Nordlys ApS");
    assert!(
        mail.text_body()
            .contains("Can you join the call on Friday?")
    );
    assert!(mail.text_body().contains("Uffe Acme"));
    assert!(mail.links().contains(&app.url(&format!("/leads/{lead}"))));

    // On an opportunity too.
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/opportunities/{opportunity}/help"),
        &json!({"message": "Pricing for 40 seats?"}),
    )
    .await;
    assert_eq!(status, 201);
    let data = until_kind(&mut cm, &opportunity, "help").await;
    assert_eq!(data["notice"], "Help requested on Grid analytics");
    // A note on the deal moves the channel manager's feed live too.
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/opportunities/{opportunity}/notes"),
        &json!({"text": "Sent the quote"}),
    )
    .await;
    assert_eq!(status, 201);
    let data = until_kind(&mut cm, &opportunity, "note").await;
    assert!(data.get("notice").is_none(), "{data}");
    // The timeline keeps it.
    let (_, timeline) = get(
        app,
        &w.cm_a.token,
        &format!("/api/v1/opportunities/{opportunity}/timeline"),
    )
    .await;
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "help" && e["new_value"] == "Pricing for 40 seats?"),
        "{timeline}"
    );

    // Bea manages neither partner: not a word, not a mail.
    assert!(
        other_cm.next(QUIET).await.is_none(),
        "another channel manager heard of it"
    );
    assert!(mails_to(app, &w.cm_b.user.email).await.is_empty());

    // Who may ask: partner staff who see the record.
    let path = format!("/api/v1/leads/{lead}/help");
    let (status, _) = post(app, &w.zenith_user.token, &path, &json!({"message": "hi"})).await;
    assert_eq!(status, 404, "another partner does not see the lead");
    let (status, body) = post(app, &w.cm_a.token, &path, &json!({"message": "hi"})).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (403, json!("forbidden"))
    );
    for bad in [
        json!({"message": "   "}),
        json!({"message": "x".repeat(4001)}),
        json!({"message": "a\u{7}b"}),
        json!({}),
    ] {
        let (status, body) = post(app, &w.acme_user.token, &path, &bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (status, _) = post(
        app,
        &w.acme_user.token,
        "/api/v1/leads/not-an-id/help",
        &json!({"message": "x"}),
    )
    .await;
    assert_eq!(status, 404);
}

async fn answers_with_a_note_a_link_and_a_file_reach_the_partner(app: &TestApp) {
    let w = world(app).await;
    let opportunity = opportunity_of(app, &w.acme_user, "Grid analytics").await;
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/opportunities/{opportunity}/help"),
        &json!({"message": "Do you have a reference case?"}),
    )
    .await;
    assert_eq!(status, 201);
    let mut partner = subscribe(app, &w.acme_user).await;
    let base = format!("/api/v1/opportunities/{opportunity}");

    let (status, answer) = post(
        app,
        &w.cm_a.token,
        &format!("{base}/help/answers"),
        &json!({"text": "Yes, attached below."}),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let data = until_kind(&mut partner, &opportunity, "help_answer").await;
    assert_eq!(
        data["notice"],
        "Your channel manager answered on Grid analytics"
    );

    let (status, link) = post(
        app,
        &w.cm_a.token,
        &format!("{base}/resources"),
        &json!({"title": "Reference: Aalborg Havn", "url": "https://vendor.example/cases/aalborg"}),
    )
    .await;
    assert_eq!(status, 201, "{link}");
    assert_eq!(link["kind"], "link");
    until_kind(&mut partner, &opportunity, "resource").await;

    let bytes = pdf();
    let (status, file) = upload(
        app,
        &w.cm_a,
        &format!("{base}/resources"),
        "Tilbud på grid.pdf",
        &bytes,
    )
    .await;
    assert_eq!(status, 201, "{file}");
    assert_eq!(file["kind"], "file");
    assert_eq!(file["title"], "Tilbud på grid.pdf");
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["size_bytes"], bytes.len());
    let data = until_kind(&mut partner, &opportunity, "resource").await;
    assert!(data["notice"].is_string(), "{data}");

    // The partner lists and downloads them, byte for byte, with safe headers.
    let (status, list) = get(app, &w.acme_user.token, &format!("{base}/resources")).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], file["id"], "newest first");
    let download = text(&file["download"]);
    let response = app
        .client()
        .get(app.url(&download))
        .bearer_auth(&w.acme_user.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let disposition = header("content-disposition");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''Tilbud%20p%C3%A5%20grid.pdf"),
        "{disposition}"
    );
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // E-mails to the partner who asked: the answer and each resource.
    let deadline = tokio::time::Instant::now() + MAIL_WAIT;
    loop {
        let mails = mails_to(app, &w.acme_user.user.email).await;
        if mails.len() >= 3 || tokio::time::Instant::now() > deadline {
            assert_eq!(mails.len(), 3, "answer, link and file");
            assert!(
                mails
                    .iter()
                    .all(|m| m.subject() == "Your channel manager answered on Grid analytics")
            );
            assert!(
                mails
                    .iter()
                    .any(|m| m.text_body().contains("Yes, attached below."))
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // Another partner sees none of it; a link has no file to download.
    let (status, _) = get(app, &w.zenith_user.token, &download).await;
    assert_eq!(status, 404);
    let (status, _) = get(app, &w.zenith_user.token, &format!("{base}/resources")).await;
    assert_eq!(status, 404);
    let (status, _) = get(app, &w.cm_b.token, &download).await;
    assert_eq!(status, 404);
    let (status, _) = get(
        app,
        &w.acme_user.token,
        &format!("/api/v1/resources/{}", text(&link["id"])),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = get(app, &w.acme_user.token, "/api/v1/resources/nonsense").await;
    assert_eq!(status, 404);

    // Partners read resources; they do not attach or answer.
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("{base}/resources"),
        &json!({"title": "x", "url": "https://x.example"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("{base}/help/answers"),
        &json!({"text": "x"}),
    )
    .await;
    assert_eq!(status, 403);

    // Links must be http(s) and titled.
    for (bad, field) in [
        (json!({"title": "x", "url": "javascript:alert(1)"}), "url"),
        (json!({"title": "", "url": "https://x.example"}), "title"),
        (
            json!({"title": "x", "url": "https://user@evil.example"}),
            "url",
        ),
    ] {
        let (status, body) = post(app, &w.cm_a.token, &format!("{base}/resources"), &bad).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["error"]["fields"][field].is_string(), "{body}");
    }
}

async fn forbidden_or_oversized_files_are_refused_and_nothing_is_stored(app: &TestApp) {
    let w = world(app).await;
    let lead = lead_for(app, &w.admin, &w.bolt_user, "Per Hansen").await;
    let path = format!("/api/v1/leads/{lead}/resources");
    let refused: [(&str, Vec<u8>); 5] = [
        ("setup.exe", b"MZ\x90\x00\x03".to_vec()),
        ("invoice.pdf", b"MZ\x90\x00 not a pdf".to_vec()),
        (
            "page.html",
            b"<html><script>alert(1)</script></html>".to_vec(),
        ),
        ("notes.txt", b"\x00\x01\x02binary".to_vec()),
        ("empty.pdf", Vec::new()),
    ];
    for (name, bytes) in &refused {
        let (status, body) = upload(app, &w.cm_a, &path, name, bytes).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert!(
            body["error"]["fields"]["file"].is_string(),
            "{name}: {body}"
        );
    }
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(10 * 1024 * 1024 + 1, b'x');
    let (status, body) = upload(app, &w.cm_a, &path, "big.pdf", &big).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["fields"]["file"],
        "The file is larger than 10 MB."
    );
    // Far over the limit: refused before it is read whole (413, or the
    // connection closed while the client was still sending).
    let huge = vec![b'a'; 16 * 1024 * 1024];
    let (content_type, body) = multipart(&[("file", Some("huge.txt"), &huge)]);
    let sent = app
        .client()
        .post(app.url(&path))
        .bearer_auth(&w.cm_a.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await;
    if let Ok(response) = sent {
        assert_eq!(response.status(), 413);
    }
    // A multipart upload without a file, or not well-formed.
    let (content_type, body) = multipart(&[("title", None, b"just a title")]);
    let response = app
        .client()
        .post(app.url(&path))
        .bearer_auth(&w.cm_a.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let response = app
        .client()
        .post(app.url(&path))
        .bearer_auth(&w.cm_a.token)
        .header("content-type", "multipart/form-data; boundary=x")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let (status, list) = get(app, &w.bolt_user.token, &path).await;
    assert_eq!(status, 200);
    assert_eq!(list, json!([]), "nothing stored");
    let (_, timeline) = get(
        app,
        &w.cm_a.token,
        &format!("/api/v1/leads/{lead}/timeline"),
    )
    .await;
    assert!(
        timeline
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "resource")
    );

    // A small text file passes, and a CSV with a Danish name.
    let (status, file) = upload(
        app,
        &w.cm_a,
        &path,
        "Prisliste æøå.csv",
        "vare;pris\nA;10\n".as_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    assert_eq!(file["content_type"], "text/csv; charset=utf-8");
}

/// The ids of every entry of the feed at `query`, one page after another.
async fn feed_ids(app: &TestApp, who: &Caller, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut before: Option<String> = None;
    for _ in 0..50 {
        let path = match &before {
            Some(c) => format!("/api/v1/activity?{query}&before={c}"),
            None => format!("/api/v1/activity?{query}"),
        };
        let (status, page) = get(app, &who.token, &path).await;
        assert_eq!(status, 200, "{page}");
        ids.extend(
            page["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| text(&e["id"])),
        );
        match page["next_cursor"].as_str() {
            Some(c) => before = Some(c.to_owned()),
            None => return ids,
        }
    }
    panic!("the feed never ended")
}

async fn the_activity_feed_is_scoped_filtered_and_paged_by_keyset(app: &TestApp) {
    let w = world(app).await;
    let acme_lead = lead_for(app, &w.admin, &w.acme_user, "Acme Lead").await;
    app.clock.advance(time::Duration::seconds(1));
    let bolt_lead = lead_for(app, &w.admin, &w.bolt_user, "Bolt Lead").await;
    app.clock.advance(time::Duration::seconds(1));
    let zenith_lead = lead_for(app, &w.admin, &w.zenith_user, "Zenith Lead").await;
    app.clock.advance(time::Duration::seconds(1));
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/leads/{acme_lead}/notes"),
        &json!({"text": "Called them"}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/leads/{acme_lead}/help"),
        &json!({"message": "Help!"}),
    )
    .await;
    assert_eq!(status, 201);
    app.clock.advance(time::Duration::seconds(1));
    // The channel manager edits (the lead waits in Bo's inbox).
    let (_, l) = get(app, &w.cm_a.token, &format!("/api/v1/leads/{bolt_lead}")).await;
    let (status, body) = patch(
        app,
        &w.cm_a.token,
        &format!("/api/v1/leads/{bolt_lead}"),
        &l["version"].to_string(),
        &json!({"status": "working_contacted", "title": "CFO"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let opportunity = opportunity_of(app, &w.acme_user, "Acme Deal").await;

    let (status, page) = get(app, &w.cm_a.token, "/api/v1/activity").await;
    assert_eq!(status, 200);
    let entries = page["entries"].as_array().unwrap();
    let records: BTreeSet<String> = entries.iter().map(|e| text(&e["record_id"])).collect();
    assert!(
        records.contains(&acme_lead)
            && records.contains(&bolt_lead)
            && records.contains(&opportunity)
    );
    assert!(
        !records.contains(&zenith_lead),
        "Carl does not manage Zenith"
    );
    assert_eq!(
        entries[0]["record_id"],
        opportunity.as_str(),
        "newest first"
    );
    let times: Vec<String> = entries.iter().map(|e| text(&e["at"])).collect();
    assert!(times.windows(2).all(|p| p[0] >= p[1]), "{times:?}");
    let help = entries.iter().find(|e| e["kind"] == "help").unwrap();
    assert_eq!(help["partner_name"], "Acme Resellers");
    assert_eq!(help["actor_name"], "Uffe Acme");
    assert_eq!(help["href"], format!("/leads/{acme_lead}"));

    // Bea sees Zenith's only; the admin sees everyone's.
    let bea = feed_ids(app, &w.cm_b, "limit=200").await;
    let (_, bea_page) = get(app, &w.cm_b.token, "/api/v1/activity").await;
    assert!(
        bea_page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["record_id"] == zenith_lead.as_str())
    );
    assert!(!bea.is_empty());
    let all = feed_ids(app, &w.admin, "limit=200").await;
    assert!(all.len() > feed_ids(app, &w.cm_a, "limit=200").await.len());

    // Filters: by partner and by kind.
    let (_, bolt_page) = get(
        app,
        &w.cm_a.token,
        &format!("/api/v1/activity?partner={}", w.bolt.id),
    )
    .await;
    let bolt_entries = bolt_page["entries"].as_array().unwrap();
    assert!(!bolt_entries.is_empty());
    assert!(
        bolt_entries
            .iter()
            .all(|e| e["record_id"] == bolt_lead.as_str())
    );
    let (_, moves) = get(app, &w.cm_a.token, "/api/v1/activity?kind=moves").await;
    let moves = moves["entries"].as_array().unwrap();
    assert_eq!(moves.len(), 1, "{moves:?}");
    assert_eq!(
        (moves[0]["field"].clone(), moves[0]["new_value"].clone()),
        (json!("status"), json!("working_contacted"))
    );
    let (_, fields) = get(app, &w.cm_a.token, "/api/v1/activity?kind=fields").await;
    assert!(
        fields["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["field"] != "status")
    );
    for (kind, expected) in [("help", "help"), ("notes", "note")] {
        let (_, page) = get(app, &w.cm_a.token, &format!("/api/v1/activity?kind={kind}")).await;
        let kinds: Vec<Value> = page["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].clone())
            .collect();
        assert_eq!(kinds, vec![json!(expected)], "{kind}");
    }
    // Another manager's partner, as a filter, is simply empty.
    let (status, page) = get(
        app,
        &w.cm_a.token,
        &format!("/api/v1/activity?partner={}", w.zenith.id),
    )
    .await;
    assert_eq!((status, page["entries"].clone()), (200, json!([])));

    // Keyset pages of two: the same entries, in the same order, no repeats.
    let whole = feed_ids(app, &w.cm_a, "limit=200").await;
    let paged = feed_ids(app, &w.cm_a, "limit=2").await;
    assert_eq!(paged, whole);
    assert_eq!(paged.iter().collect::<BTreeSet<_>>().len(), paged.len());
    let acme_only = feed_ids(app, &w.cm_a, &format!("limit=1&partner={}", w.acme.id)).await;
    assert_eq!(
        acme_only,
        feed_ids(app, &w.cm_a, &format!("limit=200&partner={}", w.acme.id)).await
    );

    // Partner staff have no feed; bad parameters are field errors.
    let (status, _) = get(app, &w.acme_user.token, "/api/v1/activity").await;
    assert_eq!(status, 403);
    for (query, field) in [
        ("kind=everything", "kind"),
        ("partner=acme", "partner"),
        ("before=%21%21", "cursor"),
        (
            "before=bmV3ZXN0fDAxOTBhYmNkLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMHwxMjM",
            "cursor",
        ),
        ("limit=abc", "limit"),
    ] {
        let (status, body) = get(app, &w.cm_a.token, &format!("/api/v1/activity?{query}")).await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(
            body["error"]["fields"][field].is_string(),
            "{query}: {body}"
        );
    }
    let forged = openprm_testkit::forged_cursor("activity", "-377705116800000000000");
    let (status, _) = get(
        app,
        &w.cm_a.token,
        &format!("/api/v1/activity?before={forged}"),
    )
    .await;
    assert_eq!(status, 422);
}

async fn a_record_as_of_a_moment_has_its_fields_and_timeline_of_then(app: &TestApp) {
    let w = world(app).await;
    let before_it = app.clock.now();
    app.clock.advance(time::Duration::minutes(1));
    let opportunity = opportunity_of(app, &w.acme_user, "Grid analytics").await;
    let path = format!("/api/v1/opportunities/{opportunity}");
    app.clock.advance(time::Duration::hours(1));
    let first = app.clock.now();
    app.clock.advance(time::Duration::hours(1));
    let (_, o) = get(app, &w.acme_user.token, &path).await;
    let (status, body) = patch(
        app,
        &w.acme_user.token,
        &path,
        &o["version"].to_string(),
        &json!({"stage": "negotiation", "amount": "20000", "next_step": "Send the quote"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    app.clock.advance(time::Duration::hours(1));
    let second = app.clock.now();
    app.clock.advance(time::Duration::hours(1));
    let (_, o) = get(app, &w.acme_user.token, &path).await;
    let (status, body) = patch(
        app,
        &w.acme_user.token,
        &path,
        &o["version"].to_string(),
        &json!({"amount": "25000", "next_step": ""}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = post(
        app,
        &w.acme_user.token,
        &format!("{path}/notes"),
        &json!({"text": "Signed soon"}),
    )
    .await;
    assert_eq!(status, 201);

    let rfc = |at: time::OffsetDateTime| {
        at.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
            .replace('+', "%2B")
    };
    let field = |then: &Value, name: &str| -> Value {
        then["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .map(|f| f["value"].clone())
            .unwrap_or(Value::Null)
    };
    let (status, then) = get(
        app,
        &w.cm_a.token,
        &format!("{path}/timeline?as_of={}", rfc(first)),
    )
    .await;
    assert_eq!(status, 200, "{then}");
    assert_eq!(then["existed"], true);
    assert_eq!(field(&then, "amount"), "12500.50 EUR");
    assert_eq!(field(&then, "next_step"), Value::Null);
    assert_eq!(field(&then, "name"), "Grid analytics");
    assert_eq!(field(&then, "owner"), "Uffe Acme");
    let kinds: Vec<Value> = then["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("created")]);

    let (_, then) = get(
        app,
        &w.cm_a.token,
        &format!("{path}/timeline?as_of={}", rfc(second)),
    )
    .await;
    assert_eq!(field(&then, "stage"), "negotiation");
    assert_eq!(field(&then, "amount"), "20000.00 EUR");
    assert_eq!(field(&then, "next_step"), "Send the quote");
    assert!(
        then["entries"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "note")
    );

    let (_, now) = get(
        app,
        &w.cm_a.token,
        &format!("{path}/timeline?as_of={}", rfc(app.clock.now())),
    )
    .await;
    assert_eq!(field(&now, "amount"), "25000.00 EUR");
    assert_eq!(field(&now, "next_step"), Value::Null);
    let (_, whole) = get(app, &w.cm_a.token, &format!("{path}/timeline")).await;
    assert_eq!(
        now["entries"].as_array().unwrap().len(),
        whole.as_array().unwrap().len()
    );

    let (_, never) = get(
        app,
        &w.cm_a.token,
        &format!("{path}/timeline?as_of={}", rfc(before_it)),
    )
    .await;
    assert_eq!(
        (
            never["existed"].clone(),
            never["fields"].clone(),
            never["entries"].clone()
        ),
        (json!(false), json!([]), json!([]))
    );

    // A lead's status, the same way; an offset is honoured.
    let lead = lead_for(app, &w.admin, &w.acme_user, "Jane Doe").await;
    app.clock.advance(time::Duration::hours(1));
    let at = app.clock.now();
    app.clock.advance(time::Duration::hours(1));
    let (_, l) = get(app, &w.admin.token, &format!("/api/v1/leads/{lead}")).await;
    let (status, _) = patch(
        app,
        &w.admin.token,
        &format!("/api/v1/leads/{lead}"),
        &l["version"].to_string(),
        &json!({"status": "working_contacted"}),
    )
    .await;
    assert_eq!(status, 200);
    let copenhagen = at.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
    let (_, then) = get(
        app,
        &w.acme_user.token,
        &format!("/api/v1/leads/{lead}/timeline?as_of={}", rfc(copenhagen)),
    )
    .await;
    assert_eq!(field(&then, "status"), l["status"]);

    // Bad moments are the field's error; others' records are not found.
    for bad in ["yesterday", "2026-06-30", "0001-01-01T00:00:00Z", ""] {
        let (status, body) = get(app, &w.cm_a.token, &format!("{path}/timeline?as_of={bad}")).await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(body["error"]["fields"]["as_of"].is_string(), "{body}");
    }
    let (status, _) = get(
        app,
        &w.zenith_user.token,
        &format!("{path}/timeline?as_of={}", rfc(first)),
    )
    .await;
    assert_eq!(status, 404);
}

/// A page's HTML through a signed-in client.
async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let response = client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn the_pages_ask_answer_upload_and_show_activity_with_csrf(app: &TestApp) {
    let w = world(app).await;
    let lead = lead_for(app, &w.admin, &w.acme_user, "Jane Doe").await;
    let partner = app
        .signed_in(&w.acme_user.user.email, &w.acme_user.user.password)
        .await;
    let cm = app
        .signed_in(&w.cm_a.user.email, &w.cm_a.user.password)
        .await;
    let lead_page = format!("/leads/{lead}");

    // The partner sees "Ask for help", not the answer forms.
    let (status, html) = page(app, &partner, &lead_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"ask-help\"") && !html.contains("id=\"upload-file\""));
    assert!(html.contains("id=\"view-as-of\""));
    let csrf = openprm_testkit::app::csrf_in(&html).unwrap();
    // An empty request is shown again with the error.
    let response = partner
        .post(app.url(&format!("{lead_page}/help")))
        .form(&[("_csrf", csrf.as_str()), ("message", " ")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("Required."));
    let response = partner
        .post(app.url(&format!("{lead_page}/help")))
        .form(&[("_csrf", csrf.as_str()), ("message", "Need a hand")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert!(
        app.smtp
            .wait_for(&w.cm_a.user.email, MAIL_WAIT)
            .await
            .is_some()
    );
    // Without the token: refused, and nothing written.
    let response = partner
        .post(app.url(&format!("{lead_page}/help")))
        .form(&[("message", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // The channel manager answers and uploads through the page's forms.
    let (status, html) = page(app, &cm, &lead_page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Need a hand") && html.contains("id=\"upload-file\""));
    let csrf = openprm_testkit::app::csrf_in(&html).unwrap();
    let response = cm
        .post(app.url(&format!("{lead_page}/help/answers")))
        .form(&[("_csrf", csrf.as_str()), ("text", "Call me at 3")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let bytes = pdf();
    let (content_type, body) = multipart(&[
        ("_csrf", None, csrf.as_bytes()),
        ("title", None, "Datasheet".as_bytes()),
        ("file", Some("sheet.pdf"), &bytes),
    ]);
    let response = cm
        .post(app.url(&format!("{lead_page}/resources")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    // A multipart form without the token is refused like any other.
    let (content_type, body) = multipart(&[
        ("title", None, "Forged".as_bytes()),
        ("file", Some("x.pdf"), &bytes),
    ]);
    let response = cm
        .post(app.url(&format!("{lead_page}/resources")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A forbidden file comes back with the error beside the field.
    let (content_type, body) = multipart(&[
        ("_csrf", None, csrf.as_bytes()),
        ("file", Some("run.exe"), b"MZ"),
    ]);
    let response = cm
        .post(app.url(&format!("{lead_page}/resources")))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("whose content matches their name")
    );
    let response = cm
        .post(app.url(&format!("{lead_page}/resources")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "Case"),
            ("url", "ftp://x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let response = cm
        .post(app.url(&format!("{lead_page}/resources")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "Case"),
            ("url", "https://vendor.example/case"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);

    let (_, html) = page(app, &partner, &lead_page).await;
    assert!(
        html.contains("Call me at 3")
            && html.contains("Datasheet")
            && html.contains("https://vendor.example/case")
    );
    let (_, list) = get(
        app,
        &w.acme_user.token,
        &format!("/api/v1/leads/{lead}/resources"),
    )
    .await;
    let file = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "file")
        .unwrap()
        .clone();
    let response = partner
        .get(app.url(&text(&file["download"])))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.bytes().await.unwrap().as_ref(), bytes.as_slice());

    // The activity page: for vendor staff, live-refreshable; not for partners.
    let (status, html) = page(app, &cm, "/activity?kind=help").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("id=\"activity-feed\"")
            && html.contains("hx-trigger=\"live-lead from:body, live-opportunity from:body\"")
    );
    assert!(html.contains("Need a hand") && html.contains("Jane Doe"));
    let (status, _) = page(app, &cm, "/activity?kind=nonsense").await;
    assert_eq!(status, 422);
    let (status, _) = page(app, &partner, "/activity").await;
    assert_eq!(status, 404);
    let (_, html) = page(app, &cm, "/dashboard").await;
    assert!(html.contains("href=\"/activity\""));

    // "View as of": the page as it was, and a bad moment as a clear error.
    let (status, html) = page(
        app,
        &partner,
        &format!("{lead_page}/as-of?at=2020-01-01T10:00"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"as-of-not-yet\""));
    let later = super_local(app.clock.now() + time::Duration::minutes(5));
    let (status, html) = page(app, &partner, &format!("{lead_page}/as-of?at={later}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"as-of-fields\"") && html.contains("Need a hand"));
    let (status, html) = page(app, &partner, &format!("{lead_page}/as-of?at=soon")).await;
    assert_eq!(status, 422);
    assert!(html.contains("id=\"as-of-error\""));
    let (status, _) = page(
        app,
        &app.signed_in(&w.zenith_user.user.email, &w.zenith_user.user.password)
            .await,
        &format!("{lead_page}/as-of?at={later}"),
    )
    .await;
    assert_eq!(status, 404);
}

/// A moment as a `datetime-local` input writes it.
fn super_local(at: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

/// The Recent activity card of Home, as `who` sees it: the card's HTML.
async fn home_activity(app: &TestApp, who: &Caller) -> String {
    let client = app.signed_in(&who.user.email, &who.user.password).await;
    let (status, html) = page(app, &client, "/").await;
    assert_eq!(status, 200);
    let start = html
        .find("id=\"home-activity\"")
        .unwrap_or_else(|| panic!("no Recent activity card: {html}"));
    let end = html[start..].find("</section>").unwrap() + start;
    html[start..end].to_owned()
}

async fn home_shows_recent_activity_each_caller_may_see(app: &TestApp) {
    let w = world(app).await;
    assert!(
        home_activity(app, &w.cm_a)
            .await
            .contains("Nothing has happened yet.")
    );
    let acme_lead = lead_for(app, &w.admin, &w.acme_user, "Acme Lead").await;
    let (status, body) = post(
        app,
        &w.acme_user.token,
        &format!("/api/v1/leads/{acme_lead}/notes"),
        &json!({"text": "Called; they want a demo."}),
    )
    .await;
    assert!(status == 200 || status == 201, "{body}");
    lead_for(app, &w.admin, &w.zenith_user, "Zenith Lead").await;

    // Carl sees his partner's lead and note, newest first, not Bea's partner's.
    let carl = home_activity(app, &w.cm_a).await;
    assert!(
        carl.contains("Acme Lead") && carl.contains("Called; they want a demo."),
        "{carl}"
    );
    assert!(!carl.contains("Zenith Lead"), "{carl}");
    assert!(carl.contains("href=\"/activity\""), "{carl}");
    // Newest first: the note heads the list.
    let first = carl.split("<li ").nth(1).unwrap();
    assert!(first.contains("Called; they want a demo."), "{carl}");
    // Partner staff see their own company's activity only, and no feed link.
    let acme = home_activity(app, &w.acme_user).await;
    assert!(acme.contains("Acme Lead"), "{acme}");
    assert!(
        !acme.contains("Zenith Lead") && !acme.contains("href=\"/activity\""),
        "{acme}"
    );
    let bolt = home_activity(app, &w.bolt_user).await;
    assert!(bolt.contains("Nothing has happened yet."), "{bolt}");
    // The admin sees everyone's.
    let admin = home_activity(app, &w.admin).await;
    assert!(
        admin.contains("Acme Lead") && admin.contains("Zenith Lead"),
        "{admin}"
    );
}
