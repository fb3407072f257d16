//! Lead intake by CSV (issue 5, part 4), on both stores: the good, the bad
//! and the ugly file through `POST /api/v1/leads/import` with its exact
//! per-row report; junk, oversized and headless files refused with nothing
//! written; who may import where; the `openprm import leads` command; and
//! the upload page with its CSRF token, in English and Danish.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use openprm_domain::{Locale, Role, Tier};
use openprm_store::{Store, partners::Partner};
use openprm_testkit::app::{TestApp, TestUser};
use reqwest::header;
use serde_json::{Value, json};

openprm_testkit::test_on_both_stores!(
    the_ugly_file_gives_an_exact_report_and_imports_only_the_good_rows,
    a_utf8_file_with_bom_and_commas_goes_into_a_queue,
    junk_oversized_and_headless_files_are_refused_and_nothing_is_written,
    partners_may_not_import_and_channel_managers_only_to_their_partners,
    the_command_line_imports_into_a_queue_by_name,
    the_upload_page_imports_with_its_token_and_reports_in_english_and_danish,
);

// ---------------------------------------------------------------------------
// The world and HTTP.

struct World {
    admin: TestUser,
    admin_token: String,
    cm_a: TestUser,
    cm_a_token: String,
    acme: Partner,
    zenith: Partner,
    acme_manager_token: String,
    east: String,
}

async fn world(app: &TestApp) -> World {
    let admin = app.user("Ada Admin", Role::Admin, None).await;
    let admin_token = app.token(&admin).await;
    let cm_a = app.user("Carl Channel", Role::ChannelManager, None).await;
    let cm_a_token = app.token(&cm_a).await;
    let cm_b = app.user("Bea Channel", Role::ChannelManager, None).await;
    let acme = app
        .partner("Acme Resellers", Tier::Gold, Some(cm_a.id()))
        .await;
    let zenith = app
        .partner("Zenith Systems", Tier::Silver, Some(cm_b.id()))
        .await;
    let acme_manager = app
        .user("Mona Acme", Role::PartnerManager, Some(acme.id))
        .await;
    let acme_manager_token = app.token(&acme_manager).await;
    let (status, body) = api(
        app,
        &admin_token,
        "POST",
        "/api/v1/queues",
        Some((
            "application/json",
            json!({"name": "Trade show East", "members": [acme.id.to_string()]})
                .to_string()
                .into_bytes(),
        )),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let east = body["id"].as_str().unwrap().to_owned();
    World {
        admin,
        admin_token,
        cm_a,
        cm_a_token,
        acme,
        zenith,
        acme_manager_token,
        east,
    }
}

/// One API call; never a 5xx, and an error is the spec's JSON error.
async fn api(
    app: &TestApp,
    token: &str,
    method: &str,
    path: &str,
    body: Option<(&str, Vec<u8>)>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app
        .client()
        .request(method.clone(), app.url(path))
        .bearer_auth(token)
        .timeout(Duration::from_secs(120));
    if let Some((content_type, bytes)) = body {
        request = request
            .header(header::CONTENT_TYPE, content_type)
            .body(bytes);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    assert!(status < 500, "{method} {path}: {status}: {text}");
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::String(text.clone()));
    if status >= 400 {
        assert!(
            json["error"]["code"].is_string() && json["error"]["message"].is_string(),
            "{method} {path}: not the spec's error shape: {text}"
        );
    }
    (status, json)
}

async fn import(
    app: &TestApp,
    token: &str,
    query: &str,
    content_type: &str,
    file: Vec<u8>,
) -> (u16, Value) {
    api(
        app,
        token,
        "POST",
        &format!("/api/v1/leads/import{query}"),
        Some((content_type, file)),
    )
    .await
}

async fn create_lead(app: &TestApp, token: &str, mut body: Value) -> String {
    // An existing lead without a destination stays unassigned, as before the
    // assignment rules routed new leads (a routed lead adds a timeline entry).
    if ["queue_id", "partner_id", "owner_id"]
        .iter()
        .all(|k| body.get(k).is_none())
    {
        body["assign"] = Value::from("none");
    }
    let (status, lead) = api(
        app,
        token,
        "POST",
        "/api/v1/leads",
        Some(("application/json", body.to_string().into_bytes())),
    )
    .await;
    assert_eq!(status, 201, "{lead}");
    lead["id"].as_str().unwrap().to_owned()
}

/// Every lead the admin sees, by name.
async fn leads_by_name(app: &TestApp, token: &str) -> std::collections::BTreeMap<String, Value> {
    let (status, body) = api(app, token, "GET", "/api/v1/leads?view=all&limit=200", None).await;
    assert_eq!(status, 200, "{body}");
    body["leads"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["name"].as_str().unwrap().to_owned(), l.clone()))
        .collect()
}

async fn lead_count(store: &Store) -> i64 {
    let (n,): (i64,) = openprm_store::on_db!(store, pool => sqlx::query_as("SELECT COUNT(*) FROM leads").fetch_one(pool).await).unwrap();
    n
}

async fn event_count(store: &Store) -> i64 {
    let (n,): (i64,) = openprm_store::on_db!(store, pool => sqlx::query_as("SELECT COUNT(*) FROM lead_events").fetch_one(pool).await).unwrap();
    n
}

/// Text as Excel on a Danish Windows saves it: Windows-1252 (these tests
/// use only characters that are the same in Latin-1).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// The problems of a report as (row, field, column, code, message, duplicate of row).
fn problems(report: &Value) -> Vec<(u64, String, String, String, String, Option<u64>)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["field"].as_str().unwrap().to_owned(),
                p["column"].as_str().unwrap_or_default().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
                p["duplicate_of_row"].as_u64(),
            )
        })
        .collect()
}

fn problem(
    row: u64,
    field: &str,
    column: &str,
    code: &str,
    message: &str,
    of_row: Option<u64>,
) -> (u64, String, String, String, String, Option<u64>) {
    (
        row,
        field.into(),
        column.into(),
        code.into(),
        message.into(),
        of_row,
    )
}

// ---------------------------------------------------------------------------
// The API.

/// Windows-1252, semicolons, CR LF, a quoted separator, quoted quotes, a
/// value over two lines, a blank line and a row of separators, an unknown
/// column, bad fields, and repeats of an earlier row and of an existing lead.
async fn the_ugly_file_gives_an_exact_report_and_imports_only_the_good_rows(app: &TestApp) {
    let w = world(app).await;
    let eva = create_lead(
        app,
        &w.admin_token,
        json!({"name": "Eva Eksisterende", "company": "Gammel Kunde", "email": "eva@gammel.dk"}),
    )
    .await;
    let long_name = "x".repeat(121);
    let text = format!(
        "Navn;Firma;E-mail;Telefon;Land;Postnummer;Skostørrelse;Beskrivelse\r\n\
         Søren Ærø;Blåbær ApS;soren@blaabaer.dk;+45 33 12 34 56;dk;2100;42;\"Mødt på stand 7; vil have demo\"\r\n\
         \r\n\
         Mette Hansen;\"Nordlys \"\"Energi\"\" A/S\";METTE@Nordlys.dk;;DK;;;\"Linje et\r\nlinje to\"\r\n\
         Karl Kaffe;Kaffekompagniet;ikke-en-adresse;;Danmark;;;\r\n\
         Mette H.;Andet Firma;mette@nordlys.dk;;;;;\r\n\
         {long_name};Langt Navn ApS;;;;;;\r\n\
         Eva E.;Ny Kunde;EVA@gammel.dk;;;;;\r\n\
         ;;;;;;;\r\n\
         søren ærø;BLÅBÆR;;;;;;\r\n"
    );
    let (status, report) = import(app, &w.admin_token, "", "text/csv", windows_1252(&text)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["rows_read"], 7, "{report}");
    assert_eq!(report["imported"], 2);
    assert_eq!(report["duplicates"], 3);
    assert_eq!(report["rejected"], 2);
    assert_eq!(report["ignored_columns"], json!(["Skostørrelse"]));
    assert_eq!(report["problems_omitted"], 0);
    assert_eq!(
        problems(&report),
        vec![
            problem(
                5,
                "country",
                "Land",
                "country_invalid",
                "Use a two-letter country code such as DK.",
                None
            ),
            problem(
                5,
                "email",
                "E-mail",
                "email_invalid",
                "Not a valid e-mail address.",
                None
            ),
            problem(
                6,
                "email",
                "E-mail",
                "duplicate",
                "Duplicate of row 4.",
                Some(4)
            ),
            problem(7, "name", "Navn", "too_long", "Too long.", None),
            problem(
                8,
                "email",
                "E-mail",
                "duplicate",
                "Duplicate of an existing lead.",
                None
            ),
            problem(
                10,
                "company",
                "Firma",
                "duplicate",
                "Duplicate of row 2.",
                Some(2)
            ),
        ]
    );
    // The admin sees Eva's lead, so the report names it.
    assert_eq!(report["problems"][4]["duplicate_of_lead"], eva.as_str());

    let leads = leads_by_name(app, &w.admin_token).await;
    assert_eq!(leads.len(), 3, "Eva and the two good rows: {leads:?}");
    let soren = &leads["Søren Ærø"];
    assert_eq!(soren["company"], "Blåbær ApS");
    assert_eq!(soren["email"], "soren@blaabaer.dk");
    assert_eq!(soren["phone"], "+45 33 12 34 56");
    assert_eq!(soren["country"], "DK");
    assert_eq!(soren["postal_code"], "2100");
    assert_eq!(soren["description"], "Mødt på stand 7; vil have demo");
    assert_eq!(soren["source"], "import");
    assert_eq!(soren["status"], "open_not_contacted");
    assert_eq!(soren["state"], "unassigned");
    let mette = &leads["Mette Hansen"];
    assert_eq!(mette["company"], "Nordlys \"Energi\" A/S");
    assert_eq!(mette["email"], "mette@nordlys.dk");
    assert_eq!(mette["description"], "Linje et\nlinje to");

    // Each imported lead has its `created` entry, by the importer, "import",
    // and, as no destination was chosen, a `routed` one: with no rules and no
    // default queue the router leaves it with the vendor.
    let id = soren["id"].as_str().unwrap();
    let (status, timeline) = api(
        app,
        &w.admin_token,
        "GET",
        &format!("/api/v1/leads/{id}/timeline"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let entries = timeline.as_array().unwrap();
    assert_eq!(entries.len(), 2, "{timeline}");
    assert_eq!(entries[0]["kind"], "created");
    assert_eq!(entries[0]["new_value"], "import");
    assert_eq!(entries[0]["actor_id"], w.admin.id().to_string());
    assert_eq!(entries[1]["kind"], "routed");
    assert_eq!(entries[1]["new_value"], "fallback");
    assert_eq!(event_count(&app.store).await, 5);
    // …and its live event, as every timeline entry has (the router and the
    // live pages hook onto those).
    let (live,): (i64,) = openprm_store::on_db!(&app.store, pool => sqlx::query_as(
        "SELECT COUNT(*) FROM live_events WHERE record_kind = 'lead' AND kind IN ('created', 'routed')").fetch_one(pool).await).unwrap();
    assert_eq!(live, 5);

    // The same file again: every good row is now a repeat of an existing lead.
    let (status, again) = import(
        app,
        &w.admin_token,
        "",
        "text/csv; charset=windows-1252",
        windows_1252(&text),
    )
    .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["imported"], 0);
    assert_eq!(again["duplicates"], 5);
    assert_eq!(again["rejected"], 2);
    assert_eq!(lead_count(&app.store).await, 3);
}

async fn a_utf8_file_with_bom_and_commas_goes_into_a_queue(app: &TestApp) {
    let w = world(app).await;
    let text = "\u{feff}Name,Company,Email,Country,Postal code,Status,Rating,Source,Title,Product interest\n\
                \"Hansen, Mette\",Nordlys,m@nordlys.se,se,123 45,Qualified,Hot,Trade show,CTO,\"Nordlys Backup, 40 seats\"\n\
                Ole Olsen,\"Olsen & Co, Aarhus\",,,,,,,,\n";
    let query = format!("?queue={}", w.east);
    let (status, report) = import(
        app,
        &w.admin_token,
        &query,
        "text/csv",
        text.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 2, "{report}");
    assert_eq!(report["problems"], json!([]));
    assert_eq!(report["ignored_columns"], json!([]));
    let leads = leads_by_name(app, &w.admin_token).await;
    let mette = &leads["Hansen, Mette"];
    assert_eq!(mette["state"], "in_queue");
    assert_eq!(mette["queue_id"], w.east.as_str());
    assert_eq!(mette["status"], "qualified");
    assert_eq!(mette["rating"], "hot");
    assert_eq!(mette["source"], "trade_show");
    assert_eq!(mette["title"], "CTO");
    assert_eq!(mette["product_interest"], "Nordlys Backup, 40 seats");
    assert_eq!(mette["country"], "SE");
    assert_eq!(mette["postal_code"], "123 45");
    let ole = &leads["Ole Olsen"];
    assert_eq!(ole["company"], "Olsen & Co, Aarhus");
    assert_eq!(ole["source"], "import");
    // The queue's member partner sees them to claim.
    let (status, view) = api(
        app,
        &w.acme_manager_token,
        "GET",
        &format!("/api/v1/leads?view=queue:{}", w.east),
        None,
    )
    .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["leads"].as_array().unwrap().len(), 2);
}

/// A tiny generator of bytes that look like nothing (xorshift).
fn junk(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

async fn junk_oversized_and_headless_files_are_refused_and_nothing_is_written(app: &TestApp) {
    let w = world(app).await;
    let refused = |body: &Value, code: &str, words: &str| {
        assert_eq!(body["error"]["code"], code, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message:?} lacks {words:?}");
    };

    let (status, body) = import(app, &w.admin_token, "", "text/csv", junk(10 * 1024 * 1024)).await;
    assert_eq!(status, 422);
    refused(&body, "validation_failed", "not a CSV text file");

    let mut big = b"Name,Company\n".to_vec();
    while big.len() <= 20 * 1024 * 1024 {
        big.extend_from_slice(b"Mette Hansen,Nordlys A/S,mette@nordlys.dk,+45 33 12 34 56\n");
    }
    let (status, body) = import(app, &w.admin_token, "", "text/csv", big).await;
    assert_eq!(status, 413);
    refused(&body, "payload_too_large", "too large");

    let (status, body) = import(
        app,
        &w.admin_token,
        "",
        "text/csv",
        b"Email;Phone\na@b.dk;1\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422);
    refused(&body, "validation_failed", "no column for: name, company");

    let mut many = b"Name,Company\n".to_vec();
    for i in 0..200_001 {
        many.extend_from_slice(format!("a{i},b\n").as_bytes());
    }
    let (status, body) = import(app, &w.admin_token, "", "text/csv", many).await;
    assert_eq!(status, 422);
    refused(&body, "validation_failed", "more than 200000 rows");

    let (status, body) = import(
        app,
        &w.admin_token,
        "",
        "application/json",
        b"Name,Company\nA,B\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422);
    refused(&body, "validation_failed", "text/csv");

    let (status, body) = import(app, &w.admin_token, "", "text/csv", Vec::new()).await;
    assert_eq!(status, 422);
    refused(&body, "validation_failed", "empty");

    let (status, body) = import(
        app,
        &w.admin_token,
        "?queue=nope",
        "text/csv",
        b"Name,Company\nA,B\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let both = format!("?queue={}&partner={}", w.east, w.acme.id);
    let (status, _) = import(
        app,
        &w.admin_token,
        &both,
        "text/csv",
        b"Name,Company\nA,B\n".to_vec(),
    )
    .await;
    assert_eq!(status, 422);

    // A header alone imports nothing, and says so.
    let (status, body) = import(
        app,
        &w.admin_token,
        "",
        "text/csv",
        b"Name;Company\r\n".to_vec(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["rows_read"], 0);
    assert_eq!(lead_count(&app.store).await, 0);
    assert_eq!(event_count(&app.store).await, 0);
}

async fn partners_may_not_import_and_channel_managers_only_to_their_partners(app: &TestApp) {
    let w = world(app).await;
    let file = |rows: &str| format!("Name,Company,Email\n{rows}").into_bytes();

    let (status, body) = import(app, &w.acme_manager_token, "", "text/csv", file("A,B,\n")).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "forbidden");
    // Even a junk body: who may import is decided first.
    let (status, _) = import(app, &w.acme_manager_token, "", "text/csv", junk(1000)).await;
    assert_eq!(status, 403);

    // Zenith is the other channel manager's partner.
    let zenith = format!("?partner={}", w.zenith.id);
    let (status, body) = import(app, &w.cm_a_token, &zenith, "text/csv", file("A,B,\n")).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["fields"]["partner_id"], "Unknown partner.");

    // Two existing leads: one in Zenith's inbox (out of Carl's sight), one in Acme's.
    create_lead(
        app,
        &w.admin_token,
        json!({"name": "Zed", "company": "Z Corp", "email": "zed@z.dk", "partner_id": w.zenith.id.to_string()}),
    )
    .await;
    let acme_lead = create_lead(
        app,
        &w.admin_token,
        json!({"name": "Ann", "company": "A Corp", "email": "ann@a.dk", "partner_id": w.acme.id.to_string()}),
    )
    .await;
    let acme = format!("?partner={}", w.acme.id);
    let (status, report) = import(
        app,
        &w.cm_a_token,
        &acme,
        "text/csv",
        file(
            "Zed Again,Z Corp,ZED@z.dk\nAnn Again,A Corp,ann@a.dk\nNew Person,New Co,new@new.dk\n",
        ),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["imported"], 1);
    assert_eq!(report["duplicates"], 2);
    let hidden = &report["problems"][0];
    assert_eq!(hidden["row"], 2);
    assert_eq!(hidden["message"], "Duplicate of an existing lead.");
    assert!(hidden.get("duplicate_of_lead").is_none(), "{hidden}");
    assert!(
        !report.to_string().contains("Zed\""),
        "nothing of Zenith's lead shows"
    );
    let seen = &report["problems"][1];
    assert_eq!(seen["row"], 3);
    assert_eq!(seen["duplicate_of_lead"], acme_lead.as_str());

    let leads = leads_by_name(app, &w.cm_a_token).await;
    let new = &leads["New Person"];
    assert_eq!(new["state"], "inbox");
    assert_eq!(new["partner_id"], w.acme.id.to_string());
    let (_, timeline) = api(
        app,
        &w.cm_a_token,
        "GET",
        &format!("/api/v1/leads/{}/timeline", new["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(timeline[0]["actor_id"], w.cm_a.id().to_string());
    assert_eq!(timeline[0]["partner_id"], w.acme.id.to_string());
}

// ---------------------------------------------------------------------------
// The command line.

struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn openprm(app: &TestApp, args: &[&str]) -> Finished {
    let dir = tempfile::tempdir().unwrap();
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_openprm"));
    command
        .args(args)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("OPENPRM_DATABASE_URL", app.database_url())
        .kill_on_drop(true);
    for key in [
        "BIND",
        "BASE_URL",
        "SMTP_URL",
        "MAIL_DIR",
        "MAIL_FROM",
        "LOG",
        "LOG_FORMAT",
    ] {
        command.env_remove(format!("OPENPRM_{key}"));
    }
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .unwrap()
        .unwrap();
    Finished {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn the_command_line_imports_into_a_queue_by_name(app: &TestApp) {
    let w = world(app).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messe.csv");
    std::fs::write(
        &path,
        windows_1252(
            "Navn;Firma;E-mail\r\nSøren;Blåbær;s@b.dk\r\nKarl;Kaffe;nope\r\nÅse;Ålborg Is;\r\n",
        ),
    )
    .unwrap();
    let file = path.to_str().unwrap();

    let done = openprm(
        app,
        &["import", "leads", file, "--queue", "TRADE SHOW east"],
    )
    .await;
    assert_eq!(done.code, Some(0), "{}\n{}", done.stdout, done.stderr);
    assert!(
        done.stdout.contains("Imported 2 of 3 rows from")
            && done.stdout.contains(", into the queue Trade show East."),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout
            .contains("Duplicates skipped: 0. Rows with problems: 1."),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout
            .contains("  row 3, E-mail: Not a valid e-mail address."),
        "{}",
        done.stdout
    );
    assert!(!done.stderr.contains("panicked"), "{}", done.stderr);

    let leads = leads_by_name(app, &w.admin_token).await;
    for name in ["Søren", "Åse"] {
        assert_eq!(leads[name]["queue_id"], w.east.as_str(), "{name}");
        assert_eq!(leads[name]["state"], "in_queue");
    }
    // No portal user stands behind the command line.
    let id = leads["Søren"]["id"].as_str().unwrap();
    let (_, timeline) = api(
        app,
        &w.admin_token,
        "GET",
        &format!("/api/v1/leads/{id}/timeline"),
        None,
    )
    .await;
    assert_eq!(timeline[0]["kind"], "created");
    assert_eq!(timeline[0]["new_value"], "import");
    assert!(timeline[0]["actor_id"].is_null(), "{timeline}");

    // Into a partner's inbox by name; the rows are now repeats.
    let done = openprm(
        app,
        &["import", "leads", file, "--partner", "acme resellers"],
    )
    .await;
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.contains("Imported 0 of 3 rows"),
        "{}",
        done.stdout
    );
    assert!(
        done.stdout.contains("Duplicate of an existing lead."),
        "{}",
        done.stdout
    );

    // Names that do not exist, a missing file and junk: exit code 2, one line, nothing written.
    let before = lead_count(&app.store).await;
    for (args, expected) in [
        (
            vec!["import", "leads", file, "--queue", "Nowhere"],
            "no queue is named \"Nowhere\"; the queues are: Trade show East",
        ),
        (
            vec!["import", "leads", file, "--partner", "Nobody"],
            "no partner account is named \"Nobody\"",
        ),
        (
            vec!["import", "leads", "/nonexistent/leads.csv"],
            "cannot read /nonexistent/leads.csv",
        ),
    ] {
        let done = openprm(app, &args).await;
        assert_eq!(done.code, Some(2), "{args:?}: {}", done.stderr);
        assert_eq!(done.stderr.lines().count(), 1, "{}", done.stderr);
        assert!(
            done.stderr.contains(expected),
            "{:?} lacks {expected:?}",
            done.stderr
        );
    }
    let junk_path = dir.path().join("junk.csv");
    std::fs::write(&junk_path, junk(100_000)).unwrap();
    let done = openprm(app, &["import", "leads", junk_path.to_str().unwrap()]).await;
    assert_eq!(done.code, Some(2));
    assert!(
        done.stderr.contains("not a CSV text file"),
        "{}",
        done.stderr
    );
    let done = openprm(
        app,
        &["import", "leads", file, "--queue", "A", "--partner", "B"],
    )
    .await;
    assert_eq!(
        done.code,
        Some(2),
        "--queue and --partner exclude each other"
    );
    assert_eq!(lead_count(&app.store).await, before);

    // Without a destination the assignment rules route each lead: here the
    // default queue catches them. `--unassigned` leaves them with the vendor.
    let (_, rules) = api(app, &w.admin_token, "GET", "/api/v1/assignment-rules", None).await;
    let body = json!({"version": rules["version"], "default_queue_id": w.east, "rules": []});
    let (status, saved) = api(
        app,
        &w.admin_token,
        "PUT",
        "/api/v1/assignment-rules",
        Some(("application/json", body.to_string().into_bytes())),
    )
    .await;
    assert_eq!(status, 200, "{saved}");
    let routed_path = dir.path().join("routed.csv");
    std::fs::write(&routed_path, "Name,Company\nRuth Routed,Router ApS\n").unwrap();
    let done = openprm(app, &["import", "leads", routed_path.to_str().unwrap()]).await;
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.contains("Imported 1 of 1 rows from")
            && done.stdout.contains(", routed by the assignment rules."),
        "{}",
        done.stdout
    );
    let kept_path = dir.path().join("kept.csv");
    std::fs::write(&kept_path, "Name,Company\nUlla Unassigned,Vendor ApS\n").unwrap();
    let done = openprm(
        app,
        &[
            "import",
            "leads",
            kept_path.to_str().unwrap(),
            "--unassigned",
        ],
    )
    .await;
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout.contains(", unassigned, with the vendor."),
        "{}",
        done.stdout
    );
    let leads = leads_by_name(app, &w.admin_token).await;
    assert_eq!(leads["Ruth Routed"]["queue_id"], w.east.as_str());
    assert_eq!(leads["Ulla Unassigned"]["state"], "unassigned");

    let help = openprm(app, &["import", "leads", "--help"]).await;
    assert_eq!(help.code, Some(0));
    assert!(
        help.stdout.contains("--queue <NAME>")
            && help.stdout.contains("--partner <NAME>")
            && help.stdout.contains("--unassigned"),
        "{}",
        help.stdout
    );
}

// ---------------------------------------------------------------------------
// The upload page.

/// A multipart body as a browser sends the form, fields in the order given.
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----openprmTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, filename, value) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(file) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(value);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(
    client: &reqwest::Client,
    app: &TestApp,
    parts: &[(&str, Option<&str>, &[u8])],
) -> (u16, String) {
    let (content_type, body) = multipart(parts);
    let response = client
        .post(app.url("/leads/import"))
        .header(header::CONTENT_TYPE, content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

async fn the_upload_page_imports_with_its_token_and_reports_in_english_and_danish(app: &TestApp) {
    let w = world(app).await;
    let client = app.signed_in(&w.admin.email, &w.admin.password).await;
    let leads_tab = client
        .get(app.url("/leads"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        leads_tab.contains("href=\"/leads/import\""),
        "vendor staff get the Import link"
    );

    let page = client.get(app.url("/leads/import")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("/static/import.js"));
    assert!(
        html.contains("Trade show East") && html.contains("Acme Resellers"),
        "destinations offered"
    );
    let csrf = openprm_testkit::app::csrf_in(&html).unwrap();

    let file =
        "Name;Company;E-mail\nSøren;Blåbær;s@b.dk\nKarl;Kaffe;nope\nSøren B;Blåbær 2;S@B.DK\n"
            .as_bytes();
    let destination = format!("queue:{}", w.east);

    // The token must come first, and must be right.
    let (status, _) = upload(
        &client,
        app,
        &[
            ("destination", None, destination.as_bytes()),
            ("file", Some("a.csv"), file),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = upload(
        &client,
        app,
        &[
            ("destination", None, destination.as_bytes()),
            ("file", Some("a.csv"), file),
            ("_csrf", None, csrf.as_bytes()),
        ],
    )
    .await;
    assert_eq!(status, 403, "a token after the file does not count");
    let (status, _) = upload(
        &client,
        app,
        &[
            (
                "_csrf",
                None,
                b"forged-forged-forged-forged-forged-forged-f",
            ),
            ("file", Some("a.csv"), file),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(lead_count(&app.store).await, 0);

    let (status, html) = upload(
        &client,
        app,
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("destination", None, destination.as_bytes()),
            ("file", Some("a.csv"), file),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Import report"));
    assert!(html.contains("id=\"import-imported\">1<"), "{html}");
    assert!(html.contains("id=\"import-duplicates\">1<"));
    assert!(html.contains("id=\"import-rejected\">1<"));
    assert!(
        html.contains("<td class=\"num\" data-label=\"Row\">3</td>")
            && html.contains("Not a valid e-mail address."),
        "{html}"
    );
    assert!(html.contains("Duplicate of row 2."));
    assert!(
        html.contains(&format!("/leads?view=queue:{}", w.east)),
        "a link to the queue"
    );
    assert_eq!(lead_count(&app.store).await, 1);

    // No file chosen: said so on the page.
    let (status, html) = upload(
        &client,
        app,
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("destination", None, b"unassigned"),
            ("file", Some(""), b""),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("Choose a CSV file to upload."));
    // A file that is not CSV: one clear message, nothing written.
    let junk_bytes = junk(50_000);
    let (status, html) = upload(
        &client,
        app,
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("file", Some("photo.jpg"), &junk_bytes),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("This is not a CSV text file."), "{html}");
    assert_eq!(lead_count(&app.store).await, 1);

    // In Danish.
    app.store
        .set_locale(w.admin.id(), Locale::Danish)
        .await
        .unwrap();
    let danish = "Navn;Firma;Mail;Hjemmeside\nÅse;Ålborg Is;ikke-en-mail;x\n".as_bytes();
    let (status, html) = upload(
        &client,
        app,
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("destination", None, b"unassigned"),
            ("file", Some("b.csv"), danish),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Importrapport"), "{html}");
    assert!(html.contains("Ikke en gyldig e-mailadresse."));
    assert!(html.contains("Kolonner, der ikke blev importeret: Hjemmeside"));
    assert!(
        html.contains("<td data-label=\"Kolonne\">Mail</td>"),
        "{html}"
    );

    // Partner staff neither see the link nor reach the page.
    let partner = app
        .user("Uffe Acme", Role::PartnerUser, Some(w.acme.id))
        .await;
    let partner_client = app.signed_in(&partner.email, &partner.password).await;
    let tab = partner_client
        .get(app.url("/leads"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!tab.contains("/leads/import"));
    let page = partner_client
        .get(app.url("/leads/import"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 403);
    let csrf = app.csrf(&partner_client, "/leads").await;
    let (status, _) = upload(
        &partner_client,
        app,
        &[
            ("_csrf", None, csrf.as_bytes()),
            ("file", Some("a.csv"), file),
        ],
    )
    .await;
    assert_eq!(status, 403);

    // The progress script is served from the binary.
    let script = client
        .get(app.url("/static/import.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
}
