//! The `openprm` binary as an operator meets it: every subcommand run as a
//! real process against a fresh SQLite file, and against a fresh PostgreSQL
//! database when `OPENPRM_TEST_POSTGRES_URL` names a server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use openprm_domain::{EmailAddress, Role, Tier};
use openprm_store::{
    Backend, Store, partners::PartnerFields, secrets::verify_password, users::User,
};
use openprm_testkit::{db::TestDb, sse::SseStream};
use tempfile::TempDir;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};

/// Every environment variable the binary reads, removed so the developer's
/// own settings cannot leak into a test.
const SETTINGS: [&str; 8] = [
    "database_url",
    "bind",
    "base_url",
    "smtp_url",
    "mail_dir",
    "mail_from",
    "log",
    "log_format",
];

/// How long a seeded portal may take to come up in a debug build.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A working directory and a database the binary can be pointed at.
struct Target {
    dir: TempDir,
    url: String,
    /// Keeps a PostgreSQL database alive until the test ends; `None` for SQLite.
    postgres: Option<TestDb>,
}

impl Target {
    /// A fresh database, or `None` when the backend is PostgreSQL and no server is set.
    async fn new(backend: Backend) -> Option<Target> {
        let dir = tempfile::tempdir().unwrap();
        match backend {
            // A file that does not exist yet: the binary must create and migrate it.
            Backend::Sqlite => {
                let url = format!("sqlite://{}", dir.path().join("openprm.db").display());
                Some(Target {
                    dir,
                    url,
                    postgres: None,
                })
            }
            Backend::Postgres => {
                let Some(db) = TestDb::new(Backend::Postgres).await else {
                    eprintln!("skipped: OPENPRM_TEST_POSTGRES_URL is not set");
                    return None;
                };
                Some(Target {
                    dir,
                    url: db.url.clone(),
                    postgres: Some(db),
                })
            }
        }
    }

    /// `openprm ARGS` in the target's folder, on its database.
    fn openprm(&self, args: &[&str]) -> Command {
        let mut command = openprm_in(self.dir.path(), args);
        command.env("OPENPRM_DATABASE_URL", &self.url);
        command
    }

    async fn store(&self) -> Store {
        Store::connect(&self.url, 2).await.unwrap()
    }

    async fn user(&self, email: &str) -> Option<(User, Option<String>)> {
        let store = self.store().await;
        let found = store
            .user_for_sign_in(&EmailAddress::parse(email).unwrap())
            .await
            .unwrap();
        store.close().await;
        found
    }

    async fn user_count(&self) -> i64 {
        let store = self.store().await;
        let count = store.user_count().await.unwrap();
        store.close().await;
        count
    }

    async fn close(self) {
        if let Some(db) = self.postgres {
            db.close().await;
        }
    }
}

/// `openprm ARGS` in `dir`, with none of the caller's `OPENPRM_*` settings.
fn openprm_in(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_openprm"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .kill_on_drop(true);
    for key in SETTINGS {
        command.env_remove(format!("OPENPRM_{}", key.to_ascii_uppercase()));
    }
    command
}

struct Finished {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

async fn finish(mut command: Command) -> Finished {
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .unwrap()
        .unwrap();
    Finished {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs a command that must succeed.
async fn succeed(command: Command) -> Finished {
    let done = finish(command).await;
    assert_eq!(
        done.code,
        Some(0),
        "stdout: {}\nstderr: {}",
        done.stdout,
        done.stderr
    );
    done
}

/// Runs a command that must fail as bad input: exit code 2 and one line on
/// standard error that contains `expected`.
async fn refuse(command: Command, expected: &str) {
    let done = finish(command).await;
    assert_eq!(
        done.code,
        Some(2),
        "stdout: {}\nstderr: {}",
        done.stdout,
        done.stderr
    );
    let lines: Vec<&str> = done.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line expected: {}", done.stderr);
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(expected),
        "{:?} lacks {expected:?}",
        lines[0]
    );
    assert!(!done.stderr.contains("backtrace") && !done.stderr.contains("panicked"));
}

#[tokio::test]
async fn every_subcommand_explains_itself_with_help() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &[&str]); 6] = [
        (
            &["--help"],
            &[
                "serve",
                "demo",
                "migrate",
                "user",
                "--config",
                "--database-url",
                "--log-format",
            ],
        ),
        (
            &["serve", "--help"],
            &[
                "--bind",
                "--base-url",
                "--smtp-url",
                "--mail-dir",
                "--mail-from",
                "--log",
            ],
        ),
        (&["demo", "--help"], &["--bind", "--database-url"]),
        (&["migrate", "--help"], &["--database-url", "--config"]),
        (&["user", "--help"], &["add"]),
        (
            &["user", "add", "--help"],
            &[
                "--email",
                "--name",
                "--role",
                "--partner",
                "--password",
                "partner-user",
            ],
        ),
    ];
    for (args, names) in cases {
        let done = succeed(openprm_in(dir.path(), args)).await;
        for name in names {
            assert!(
                done.stdout.contains(name),
                "`openprm {}` does not mention {name}:\n{}",
                args.join(" "),
                done.stdout
            );
        }
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "--help must not create files"
    );
}

async fn migrate_then_user_add_creates_users_who_can_sign_in(backend: Backend) {
    let Some(target) = Target::new(backend).await else {
        return;
    };
    succeed(target.openprm(&["migrate"])).await;

    let done = succeed(target.openprm(&[
        "user",
        "add",
        "--email",
        "Astrid@Nordlys.example",
        "--name",
        "Astrid Nordlys",
        "--role",
        "admin",
        "--password",
        "aurora-over-skagen-7",
    ]))
    .await;
    assert!(
        done.stdout.contains("astrid@nordlys.example"),
        "{}",
        done.stdout
    );
    assert!(
        !done.stdout.contains("aurora-over-skagen-7"),
        "a given password is not echoed"
    );
    let (admin, hash) = target
        .user("astrid@nordlys.example")
        .await
        .expect("the admin exists");
    assert_eq!(
        (admin.role, admin.partner_id, admin.must_change_password),
        (Role::Admin, None, false)
    );
    assert!(verify_password("aurora-over-skagen-7", &hash.unwrap()));

    // A partner user without --password gets a generated one, shown once, to be changed.
    let store = target.store().await;
    let fields = PartnerFields {
        name: "Fjordline IT".into(),
        tier: Some(Tier::Gold),
        ..PartnerFields::default()
    };
    let partner = store.create_partner(None, &fields).await.unwrap();
    store.close().await;
    let done = succeed(target.openprm(&[
        "user",
        "add",
        "--email",
        "freja.mortensen@fjordline-it.example",
        "--name",
        "Freja Mortensen",
        "--role",
        "partner-user",
        "--partner",
        "fjordline it",
    ]))
    .await;
    let password = done
        .stdout
        .lines()
        .find_map(|l| {
            l.strip_prefix("Password")
                .and_then(|rest| rest.rsplit(' ').next())
        })
        .expect("the generated password is printed")
        .to_owned();
    let (freja, hash) = target
        .user("freja.mortensen@fjordline-it.example")
        .await
        .expect("the partner user exists");
    assert_eq!(freja.role, Role::PartnerUser);
    assert_eq!(freja.partner_id, Some(partner.id));
    assert!(
        freja.must_change_password,
        "a generated password must be changed at the first sign-in"
    );
    assert!(
        verify_password(&password, &hash.unwrap()),
        "the printed password is the stored one"
    );
    assert_eq!(target.user_count().await, 2);
    target.close().await;
}

#[tokio::test]
async fn migrate_then_user_add_creates_users_who_can_sign_in_sqlite() {
    migrate_then_user_add_creates_users_who_can_sign_in(Backend::Sqlite).await;
}

#[tokio::test]
async fn migrate_then_user_add_creates_users_who_can_sign_in_postgres() {
    migrate_then_user_add_creates_users_who_can_sign_in(Backend::Postgres).await;
}

async fn user_add_refuses_bad_input_and_creates_nothing(backend: Backend) {
    let Some(target) = Target::new(backend).await else {
        return;
    };
    succeed(target.openprm(&["migrate"])).await;
    let add = |extra: &[&str]| {
        let mut args = vec!["user", "add", "--name", "Oskar Lund"];
        args.extend_from_slice(extra);
        target.openprm(&args)
    };
    let email = ["--email", "oskar.lund@fjordline-it.example"];
    refuse(
        add(&["--email", "oskar.lund@", "--role", "admin"]),
        "--email",
    )
    .await;
    refuse(
        add(&[&email[..], &["--role", "admin", "--password", "short"]].concat()),
        "too short",
    )
    .await;
    refuse(
        add(&[
            &email[..],
            &["--role", "admin", "--password", "password1234"],
        ]
        .concat()),
        "too common",
    )
    .await;
    refuse(
        add(&[
            &email[..],
            &["--role", "partner-user", "--partner", "Nowhere ApS"],
        ]
        .concat()),
        "Nowhere ApS",
    )
    .await;
    refuse(
        add(&[&email[..], &["--role", "partner-manager"]].concat()),
        "--partner",
    )
    .await;
    refuse(
        add(&[
            &email[..],
            &["--role", "channel-manager", "--partner", "Fjordline IT"],
        ]
        .concat()),
        "--partner",
    )
    .await;
    assert_eq!(
        target.user_count().await,
        0,
        "a refused command creates nobody"
    );

    // The same e-mail twice is refused too, and leaves the first user alone.
    succeed(add(&[&email[..], &["--role", "admin"]].concat())).await;
    refuse(
        add(&[&email[..], &["--role", "admin"]].concat()),
        "already exists",
    )
    .await;
    assert_eq!(target.user_count().await, 1);
    target.close().await;
}

#[tokio::test]
async fn user_add_refuses_bad_input_and_creates_nothing_sqlite() {
    user_add_refuses_bad_input_and_creates_nothing(Backend::Sqlite).await;
}

#[tokio::test]
async fn user_add_refuses_bad_input_and_creates_nothing_postgres() {
    user_add_refuses_bad_input_and_creates_nothing(Backend::Postgres).await;
}

#[tokio::test]
async fn a_flag_beats_the_environment_which_beats_the_config_file_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(
        path("openprm.toml"),
        "database_url = \"sqlite://from-file.db\"\n",
    )
    .unwrap();
    std::fs::write(
        path("other.toml"),
        "database_url = \"sqlite://from-other-file.db\"\n",
    )
    .unwrap();

    succeed(openprm_in(dir.path(), &["migrate"])).await;
    assert!(
        path("from-file.db").exists(),
        "openprm.toml in the working directory is read"
    );

    succeed(openprm_in(
        dir.path(),
        &["migrate", "--config", "other.toml"],
    ))
    .await;
    assert!(
        path("from-other-file.db").exists(),
        "--config names another file"
    );

    let mut command = openprm_in(dir.path(), &["migrate"]);
    command.env("OPENPRM_DATABASE_URL", "sqlite://from-env.db");
    succeed(command).await;
    assert!(
        path("from-env.db").exists(),
        "the environment beats the file"
    );

    let mut command = openprm_in(
        dir.path(),
        &["migrate", "--database-url", "sqlite://from-flag.db"],
    );
    command.env("OPENPRM_DATABASE_URL", "sqlite://from-env-again.db");
    succeed(command).await;
    assert!(
        path("from-flag.db").exists(),
        "the flag beats the environment"
    );
    assert!(!path("from-env-again.db").exists());
    assert!(
        !path("openprm.db").exists(),
        "the default is used only when nothing is set"
    );
}

#[tokio::test]
async fn bad_configuration_is_named_in_one_line_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("typo.toml"),
        "bind = \"127.0.0.1:9000\"\ndatabse_url = \"sqlite://x.db\"\n",
    )
    .unwrap();
    refuse(
        openprm_in(dir.path(), &["migrate", "--config", "typo.toml"]),
        "unknown key `databse_url`",
    )
    .await;
    refuse(
        openprm_in(dir.path(), &["migrate", "--config", "missing.toml"]),
        "missing.toml",
    )
    .await;
    refuse(
        openprm_in(dir.path(), &["migrate", "--bind", "localhost"]),
        "--bind",
    )
    .await;
    let mut command = openprm_in(dir.path(), &["migrate"]);
    command.env("OPENPRM_BASE_URL", "prm.nordlys.example");
    refuse(command, "OPENPRM_BASE_URL").await;
    refuse(
        openprm_in(dir.path(), &["migrate", "--log-format", "xml"]),
        "text or json",
    )
    .await;
    refuse(
        openprm_in(dir.path(), &["migrate", "--database-url", "mysql://db/prm"]),
        "sqlite://",
    )
    .await;
    let names: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        names,
        vec![dir.path().join("typo.toml")],
        "a refused start creates no database"
    );
}

/// A running `openprm serve` or `openprm demo`.
struct Running {
    child: Child,
    /// What it printed up to and including the `listening` line.
    printed: String,
    /// `http://127.0.0.1:PORT`
    address: String,
    log: PathBuf,
}

/// Starts `openprm ARGS --bind 127.0.0.1:0` and waits for the address it prints.
async fn start(target: &Target, args: &[&str], log_name: &str) -> Running {
    let log = target.dir.path().join(log_name);
    let mut args = args.to_vec();
    args.extend(["--bind", "127.0.0.1:0", "--mail-dir", "mail"]);
    let mut command = target.openprm(&args);
    command
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap());
    let mut child = command.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = String::new();
    let address = tokio::time::timeout(START_TIMEOUT, async {
        while let Some(line) = lines.next_line().await.unwrap() {
            printed.push_str(&line);
            printed.push('\n');
            if let Some(address) = line.strip_prefix("OpenPRM listening on ") {
                return address.trim().to_owned();
            }
        }
        panic!(
            "exited without listening:\n{printed}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    })
    .await
    .unwrap_or_else(|_| panic!("not listening after {START_TIMEOUT:?}"));
    Running {
        child,
        printed,
        address,
        log,
    }
}

impl Running {
    async fn healthz(&self) -> (u16, String) {
        let response = reqwest::get(format!("{}/healthz", self.address))
            .await
            .unwrap();
        (response.status().as_u16(), response.text().await.unwrap())
    }

    /// Sends SIGTERM and expects a clean exit.
    async fn stop(mut self) {
        let pid = self.child.id().unwrap().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .unwrap()
            .unwrap();
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        assert!(
            exit.success(),
            "SIGTERM must end the server cleanly: {exit}\n{log}"
        );
    }
}

async fn serve_migrates_answers_healthz_and_stops_on_sigterm(backend: Backend) {
    let Some(target) = Target::new(backend).await else {
        return;
    };
    let running = start(&target, &["serve"], "serve.log").await;
    assert!(
        running.address.starts_with("http://127.0.0.1:"),
        "{}",
        running.printed
    );
    assert_eq!(running.healthz().await, (200, "ok".to_owned()));
    running.stop().await;
    assert_eq!(
        target.user_count().await,
        0,
        "serve migrated the database and added nobody"
    );
    target.close().await;
}

#[tokio::test]
async fn serve_migrates_answers_healthz_and_stops_on_sigterm_sqlite() {
    serve_migrates_answers_healthz_and_stops_on_sigterm(Backend::Sqlite).await;
}

#[tokio::test]
async fn serve_migrates_answers_healthz_and_stops_on_sigterm_postgres() {
    serve_migrates_answers_healthz_and_stops_on_sigterm(Backend::Postgres).await;
}

async fn demo_seeds_an_empty_database_once_then_serves(backend: Backend) {
    let Some(target) = Target::new(backend).await else {
        return;
    };
    let running = start(&target, &["demo"], "demo-1.log").await;
    for expected in [
        "nordlys-demo-2026",
        "admin@nordlys.example",
        "mikkel.holm@nordlys.example",
        "Fjordline IT",
        "Kattegat Systems",
        "Skagen Data",
        "Where to start",
        running.address.as_str(),
    ] {
        assert!(
            running.printed.contains(expected),
            "the logins table lacks {expected}:\n{}",
            running.printed
        );
    }
    assert_eq!(running.healthz().await.0, 200);
    // A printed login works at once, without a forced password change.
    let response = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", running.address))
        .json(&serde_json::json!({"email": "lars.kjaer@kattegat-systems.example", "password": "nordlys-demo-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["must_change_password"], serde_json::Value::Bool(false));
    demo_deals_are_there_through_the_api(&running.address).await;
    // An open page's event stream ends with the server at once; it does not
    // hold up the shutdown until the drain deadline.
    let events = format!("{}/api/v1/events", running.address);
    let mut stream = SseStream::open(&events, body["token"].as_str().unwrap(), None).await;
    let log = running.log.clone();
    running.stop().await;
    assert!(stream.ends_within(Duration::from_secs(1)).await);
    let printed = std::fs::read_to_string(log).unwrap();
    assert!(
        !printed.contains("still open after the shutdown grace period"),
        "{printed}"
    );

    let seeded = target.user_count().await;
    assert_eq!(
        seeded, 12,
        "an admin, two channel managers and three people at each of three partners"
    );
    let (astrid, hash) = target.user("admin@nordlys.example").await.unwrap();
    assert_eq!(astrid.role, Role::Admin);
    assert!(verify_password("nordlys-demo-2026", &hash.unwrap()));
    let store = target.store().await;
    let kattegat = store
        .partner_by_name("Kattegat Systems")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kattegat.tier, Tier::Silver);
    assert!(kattegat.primary_colour.is_some() && kattegat.channel_manager_id.is_some());
    let settings = store.vendor_settings().await.unwrap();
    assert_eq!(settings.portal_name, "Nordlys Partner Portal");
    assert!(
        settings
            .logo_url
            .unwrap()
            .starts_with("data:image/svg+xml;base64,")
    );
    // The pipeline: queues with members and mostly unclaimed leads, claim
    // rules, and a few hundred leads whose timelines show real use.
    let queues = store.queues(&astrid.viewer()).await.unwrap();
    let names: Vec<&str> = queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Inbound web leads",
            "Nordic IT Expo 2026",
            "Public sector Denmark"
        ]
    );
    assert_eq!(queues[1].stale_claim_days, Some(5));
    assert!(
        queues
            .iter()
            .all(|q| q.members.len() >= 2 && q.unclaimed >= 20)
    );
    let rules: Vec<String> = store
        .claim_rules()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(rules, ["Fair share", "Weekly pace"]);
    let leads = lead_count(&store).await;
    assert!((250..=400).contains(&leads), "{leads} leads");
    let accounts = account_count(&store).await;
    for kind in ["claim", "field", "note", "accept", "decline", "release"] {
        let sql = format!("SELECT COUNT(*) FROM lead_events WHERE kind = '{kind}'");
        let (n,): (i64,) =
            openprm_store::on_db!(store, pool => sqlx::query_as(&sql).fetch_one(pool).await)
                .unwrap();
        assert!(n > 0, "no {kind} in any timeline");
    }
    store.close().await;

    // Again on the same database: it serves, and adds nobody.
    let running = start(&target, &["demo"], "demo-2.log").await;
    assert!(
        !running.printed.contains("nordlys-demo-2026"),
        "seeded twice:\n{}",
        running.printed
    );
    assert_eq!(running.healthz().await.0, 200);
    running.stop().await;
    assert_eq!(target.user_count().await, seeded);
    let store = target.store().await;
    assert_eq!(lead_count(&store).await, leads);
    assert_eq!(account_count(&store).await, accounts);
    store.close().await;
    target.close().await;
}

/// Signs in as a demo login over the API and answers its bearer token.
async fn demo_token(address: &str, email: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": "nordlys-demo-2026"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{email}");
    let body: serde_json::Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// `GET address+path` with the token; the JSON answer, which must be 200.
async fn api_get(address: &str, token: &str, path: &str) -> serde_json::Value {
    let response = reqwest::Client::new()
        .get(format!("{address}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.json().await.unwrap()
}

fn items<'a>(body: &'a serde_json::Value, key: &str) -> &'a Vec<serde_json::Value> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
}

/// The demo's deals as the admin and a partner user find them over the API:
/// accounts (some the vendor's own) with contacts, opportunities in every
/// stage and currency and several closing this month, converted leads linked
/// to what they became, and registrations pending, approved with protection,
/// rejected with a reason, and one pending with a conflict.
async fn demo_deals_are_there_through_the_api(address: &str) {
    let admin = demo_token(address, "admin@nordlys.example").await;
    let accounts = api_get(address, &admin, "/api/v1/accounts?limit=200").await;
    let accounts = items(&accounts, "accounts");
    assert!(
        (35..=60).contains(&accounts.len()),
        "{} accounts",
        accounts.len()
    );
    let vendor_owned = accounts
        .iter()
        .filter(|a| a["partner_id"].is_null())
        .count();
    assert!(vendor_owned >= 3, "{vendor_owned} of the vendor's own");
    let contacts = api_get(address, &admin, "/api/v1/contacts?limit=200").await;
    let contacts = items(&contacts, "contacts");
    assert!(
        contacts.len() >= 2 * accounts.len(),
        "{} contacts",
        contacts.len()
    );
    assert!(
        contacts.iter().any(|c| c["lead_id"].is_string()),
        "a contact from a lead"
    );

    let deals = api_get(address, &admin, "/api/v1/opportunities?view=all&limit=200").await;
    let deals = items(&deals, "opportunities");
    assert!(
        (50..=90).contains(&deals.len()),
        "{} opportunities",
        deals.len()
    );
    let stages = api_get(address, &admin, "/api/v1/opportunity-stages").await;
    for stage in stages.as_array().unwrap() {
        let key = stage["key"].as_str().unwrap();
        let n = deals.iter().filter(|d| d["stage"] == key).count();
        assert!(n >= 2, "{n} opportunities in {key}");
    }
    for currency in ["DKK", "SEK", "NOK", "EUR"] {
        assert!(
            deals.iter().any(|d| d["currency"] == currency),
            "none in {currency}"
        );
    }
    let closing = api_get(
        address,
        &admin,
        "/api/v1/opportunities?view=closing_this_month&limit=200",
    )
    .await;
    assert!(items(&closing, "opportunities").len() >= 3, "{closing}");

    let converted = api_get(
        address,
        &admin,
        "/api/v1/leads?view=all&status=converted&limit=200",
    )
    .await;
    let converted = items(&converted, "leads");
    assert!(
        (10..=20).contains(&converted.len()),
        "{} converted leads",
        converted.len()
    );
    for lead in converted {
        assert!(
            lead["converted_account_id"].is_string() && lead["converted_contact_id"].is_string(),
            "{lead}"
        );
    }
    let with_deal = converted
        .iter()
        .filter(|l| l["converted_opportunity_id"].is_string())
        .count();
    assert!(
        with_deal >= converted.len() - 3 && with_deal < converted.len(),
        "{with_deal} with an opportunity"
    );

    let registrations = api_get(
        address,
        &admin,
        "/api/v1/deal-registrations?view=all&limit=200",
    )
    .await;
    let registrations = items(&registrations, "registrations");
    let of = |status: &str| {
        registrations
            .iter()
            .filter(|r| r["status"] == status)
            .collect::<Vec<_>>()
    };
    assert!(of("pending").len() >= 3, "{registrations:?}");
    assert!(
        !of("approved").is_empty()
            && of("approved")
                .iter()
                .all(|r| r["protected_until"].is_string() && r["opportunity_id"].is_string())
    );
    assert!(
        !of("rejected").is_empty()
            && of("rejected")
                .iter()
                .all(|r| r["decision_reason"].as_str().is_some_and(|s| !s.is_empty()))
    );
    let mut conflicted = Vec::new();
    for pending in of("pending") {
        let id = pending["id"].as_str().unwrap();
        let detail = api_get(address, &admin, &format!("/api/v1/deal-registrations/{id}")).await;
        if !detail["conflicts"].as_array().unwrap().is_empty() {
            conflicted.push((pending["company_name"].clone(), detail["conflicts"].clone()));
        }
    }
    assert_eq!(conflicted.len(), 1, "{conflicted:?}");
    assert_eq!(conflicted[0].0, "Vestjysk Vindservice");
    assert!(
        conflicted[0]
            .1
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["partner_name"] == "Fjordline IT" && c["record_kind"] == "opportunity"),
        "{conflicted:?}"
    );

    // The printed partner user has deals of their own and a lead ready to convert.
    let oskar = demo_token(address, "oskar.lund@fjordline-it.example").await;
    let mine = api_get(address, &oskar, "/api/v1/opportunities").await;
    assert!(items(&mine, "opportunities").len() >= 3, "{mine}");
    let ready = api_get(address, &oskar, "/api/v1/leads?view=mine&status=qualified").await;
    assert!(!items(&ready, "leads").is_empty(), "{ready}");
    let theirs = api_get(address, &oskar, "/api/v1/deal-registrations?view=mine").await;
    assert!(!items(&theirs, "registrations").is_empty(), "{theirs}");
    assert!(theirs.get("conflicts").is_none());
}

async fn account_count(store: &Store) -> i64 {
    let (n,): (i64,) = openprm_store::on_db!(store, pool => sqlx::query_as("SELECT COUNT(*) FROM accounts").fetch_one(pool).await).unwrap();
    n
}

async fn lead_count(store: &Store) -> i64 {
    let (n,): (i64,) = openprm_store::on_db!(store, pool => sqlx::query_as("SELECT COUNT(*) FROM leads").fetch_one(pool).await).unwrap();
    n
}

#[tokio::test]
async fn demo_seeds_an_empty_database_once_then_serves_sqlite() {
    demo_seeds_an_empty_database_once_then_serves(Backend::Sqlite).await;
}

#[tokio::test]
async fn demo_seeds_an_empty_database_once_then_serves_postgres() {
    demo_seeds_an_empty_database_once_then_serves(Backend::Postgres).await;
}
