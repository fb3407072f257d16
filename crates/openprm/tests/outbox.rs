//! The outbox worker delivers queued e-mail at least once, through a real
//! SMTP server or into a mail folder, with a Message-ID that stays the same
//! on every attempt. Every test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{path::Path, sync::Arc, time::Duration as StdDuration};

use openprm_domain::ManualClock;
use openprm_jobs::{MailConfig, OutboxWorker, spawn_outbox_worker};
use openprm_store::{Backend, DbTime, Store, on_db, outbox::OutgoingEmail};
use openprm_testkit::{
    db::TestDb,
    smtp::{CaughtMail, SmtpCatcher},
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

const DOMAIN: &str = "portal.example";
const WAIT: StdDuration = StdDuration::from_secs(5);

/// Runs each named `async fn(Backend)` as one test per backend. On
/// PostgreSQL a test returns early when no server is configured (outside CI).
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() { super::$name(openprm_store::Backend::Sqlite).await })+
        }
        mod postgres {
            $(#[tokio::test] async fn $name() { super::$name(openprm_store::Backend::Postgres).await })+
        }
    };
}

on_both_backends!(
    an_email_goes_out_over_smtp_with_both_parts_a_utf8_subject_and_its_message_id,
    smtp_credentials_in_the_url_are_used,
    without_smtp_each_email_becomes_an_eml_file,
    a_refused_email_is_retried_later_with_the_same_message_id,
    an_unreachable_server_leaves_the_email_pending_until_one_answers,
    an_email_taken_by_a_worker_that_died_goes_out_after_the_lease,
    a_malformed_payload_is_marked_failed_and_the_others_still_go_out,
    the_running_worker_delivers_when_woken_and_stops_on_shutdown,
);

/// A fresh database whose clock the test moves by hand.
async fn fresh(backend: Backend) -> Option<(TestDb, Store, ManualClock)> {
    let db = TestDb::new(backend).await?;
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let store = db.store.clone().with_clock(Arc::new(clock.clone()));
    Some((db, store, clock))
}

fn smtp_config(url: String) -> MailConfig {
    MailConfig {
        smtp_url: Some(url),
        mail_dir: std::env::temp_dir().join("openprm-unused-mail-dir"),
        from_address: "OpenPRM <no-reply@portal.example>".to_owned(),
        message_domain: DOMAIN.to_owned(),
    }
}

fn folder_config(dir: &Path) -> MailConfig {
    MailConfig {
        smtp_url: None,
        mail_dir: dir.to_path_buf(),
        from_address: "no-reply@localhost".to_owned(),
        message_domain: DOMAIN.to_owned(),
    }
}

fn welcome(to: &str) -> OutgoingEmail {
    OutgoingEmail {
        to: to.to_owned(),
        to_name: "Søren Ærøskøbing".to_owned(),
        subject: "Velkommen til OpenPRM – æøå ÆØÅ".to_owned(),
        text: "Hej Søren,\n\nLog ind her: https://portal.example/invitations/abc123\n\nVenlig hilsen".to_owned(),
        html: "<p>Hej Søren,</p><p><a href=\"https://portal.example/invitations/abc123\">Log ind</a></p>"
            .to_owned(),
    }
}

async fn enqueue(store: &Store, email: &OutgoingEmail) -> Uuid {
    store
        .enqueue_email(email)
        .await
        .unwrap_or_else(|e| panic!("enqueue: {e}"))
}

fn worker(store: &Store, config: MailConfig) -> OutboxWorker {
    OutboxWorker::new(store.clone(), config).unwrap_or_else(|e| panic!("worker: {e}"))
}

async fn deliver(worker: &OutboxWorker) -> usize {
    worker
        .deliver_due()
        .await
        .unwrap_or_else(|e| panic!("deliver_due: {e}"))
}

async fn depth(store: &Store) -> i64 {
    store
        .outbox_depth()
        .await
        .unwrap_or_else(|e| panic!("outbox_depth: {e}"))
}

fn message_id(id: Uuid) -> String {
    format!("<{id}@{DOMAIN}>")
}

/// What every welcome e-mail must look like, however it travelled.
fn assert_is_the_welcome(mail: &CaughtMail, id: Uuid) {
    assert_eq!(mail.subject(), "Velkommen til OpenPRM – æøå ÆØÅ");
    assert_eq!(mail.header("Message-ID"), Some(message_id(id)));
    let content_type = mail.header("Content-Type").unwrap_or_default();
    assert!(
        content_type.starts_with("multipart/alternative"),
        "{content_type}"
    );
    assert!(mail.text_body().contains("Hej Søren,"), "{}", mail.raw);
    assert!(
        mail.html_body()
            .contains("<a href=\"https://portal.example/invitations/abc123\">"),
        "{}",
        mail.raw
    );
    assert_eq!(
        mail.links(),
        vec!["https://portal.example/invitations/abc123".to_owned()]
    );
    let to = mail.header("To").unwrap_or_default();
    assert!(
        to.contains("Søren Ærøskøbing") && to.contains("<soren@partner.example>"),
        "{to}"
    );
    assert!(mail.header("Date").is_some());
}

async fn an_email_goes_out_over_smtp_with_both_parts_a_utf8_subject_and_its_message_id(
    backend: Backend,
) {
    let Some((db, store, _clock)) = fresh(backend).await else {
        return;
    };
    let catcher = SmtpCatcher::start().await;
    let id = enqueue(&store, &welcome("soren@partner.example")).await;
    assert_eq!(depth(&store).await, 1);

    assert_eq!(
        deliver(&worker(&store, smtp_config(catcher.url()))).await,
        1
    );

    let mail = catcher
        .wait_for("soren@partner.example", WAIT)
        .await
        .expect("the e-mail arrives");
    assert_is_the_welcome(&mail, id);
    assert_eq!(mail.from, "no-reply@portal.example");
    assert_eq!(mail.to, vec!["soren@partner.example".to_owned()]);
    assert_eq!(
        mail.header("From").as_deref(),
        Some("OpenPRM <no-reply@portal.example>")
    );
    assert_eq!(depth(&store).await, 0);
    let entry = store
        .outbox_entry(id)
        .await
        .unwrap()
        .expect("the entry is kept");
    assert!(entry.delivered_at.is_some());
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.last_error, None);
    db.close().await;
}

async fn smtp_credentials_in_the_url_are_used(backend: Backend) {
    let Some((db, store, _clock)) = fresh(backend).await else {
        return;
    };
    let catcher = SmtpCatcher::start().await;
    let url = format!("smtp://mailer:s%C3%A6cret@{}", catcher.addr());
    enqueue(&store, &welcome("soren@partner.example")).await;

    assert_eq!(deliver(&worker(&store, smtp_config(url))).await, 1);

    assert!(
        catcher
            .wait_for("soren@partner.example", WAIT)
            .await
            .is_some()
    );
    db.close().await;
}

async fn without_smtp_each_email_becomes_an_eml_file(backend: Backend) {
    let Some((db, store, _clock)) = fresh(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mail_dir = dir.path().join("mail").join("outgoing");
    let id = enqueue(&store, &welcome("soren@partner.example")).await;

    assert_eq!(deliver(&worker(&store, folder_config(&mail_dir))).await, 1);

    let files: Vec<String> = std::fs::read_dir(&mail_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        files,
        vec![format!("{id}.eml")],
        "one file, no temporary left behind"
    );
    let raw = std::fs::read_to_string(mail_dir.join(format!("{id}.eml"))).unwrap();
    let mail = CaughtMail::from_raw(raw);
    assert_is_the_welcome(&mail, id);
    assert_eq!(mail.header("From").as_deref(), Some("no-reply@localhost"));
    assert_eq!(depth(&store).await, 0);
    db.close().await;
}

async fn a_refused_email_is_retried_later_with_the_same_message_id(backend: Backend) {
    let Some((db, store, clock)) = fresh(backend).await else {
        return;
    };
    let catcher = SmtpCatcher::start().await;
    catcher.fail_next(2);
    let worker = worker(&store, smtp_config(catcher.url()));
    let id = enqueue(&store, &welcome("soren@partner.example")).await;

    assert_eq!(deliver(&worker).await, 0);
    let entry = store.outbox_entry(id).await.unwrap().expect("entry");
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.delivered_at, None);
    assert_eq!(
        entry.next_attempt_at,
        DbTime::from(store.now() + Duration::seconds(15)).0
    );
    assert!(
        entry
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("451"),
        "{entry:?}"
    );
    assert_eq!(depth(&store).await, 1);

    // Not due yet: nothing is tried.
    clock.advance(Duration::seconds(14));
    assert_eq!(deliver(&worker).await, 0);
    assert_eq!(catcher.rejected().len(), 1);

    // The second failure waits twice as long.
    clock.advance(Duration::seconds(1));
    assert_eq!(deliver(&worker).await, 0);
    let entry = store.outbox_entry(id).await.unwrap().expect("entry");
    assert_eq!(entry.attempts, 2);
    assert_eq!(
        entry.next_attempt_at,
        DbTime::from(store.now() + Duration::seconds(30)).0
    );

    clock.advance(Duration::seconds(30));
    assert_eq!(deliver(&worker).await, 1);

    let mail = catcher
        .wait_for("soren@partner.example", WAIT)
        .await
        .expect("delivered at last");
    assert_is_the_welcome(&mail, id);
    let refused = catcher.rejected();
    assert_eq!(refused.len(), 2);
    for attempt in &refused {
        assert_eq!(attempt.header("Message-ID"), mail.header("Message-ID"));
    }
    let entry = store.outbox_entry(id).await.unwrap().expect("entry");
    assert_eq!(entry.attempts, 3);
    assert_eq!(entry.last_error, None);
    assert_eq!(depth(&store).await, 0);
    db.close().await;
}

async fn an_unreachable_server_leaves_the_email_pending_until_one_answers(backend: Backend) {
    let Some((db, store, clock)) = fresh(backend).await else {
        return;
    };
    let closed_port = {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap().port()
    };
    let id = enqueue(&store, &welcome("soren@partner.example")).await;
    let before = store.now();

    let down = worker(
        &store,
        smtp_config(format!("smtp://127.0.0.1:{closed_port}")),
    );
    assert_eq!(deliver(&down).await, 0);

    let entry = store.outbox_entry(id).await.unwrap().expect("entry");
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.delivered_at, None);
    assert_eq!(entry.locked_until, None, "a failure gives the lease back");
    assert!(entry.next_attempt_at > before);
    assert!(entry.last_error.is_some());
    assert_eq!(depth(&store).await, 1);

    let catcher = SmtpCatcher::start().await;
    let up = worker(&store, smtp_config(catcher.url()));
    assert_eq!(deliver(&up).await, 0, "still waiting for its retry");
    clock.advance(Duration::seconds(15));
    assert_eq!(deliver(&up).await, 1);
    let mail = catcher
        .wait_for("soren@partner.example", WAIT)
        .await
        .expect("delivered");
    assert_eq!(mail.header("Message-ID"), Some(message_id(id)));
    assert_eq!(depth(&store).await, 0);
    db.close().await;
}

async fn an_email_taken_by_a_worker_that_died_goes_out_after_the_lease(backend: Backend) {
    let Some((db, store, clock)) = fresh(backend).await else {
        return;
    };
    let catcher = SmtpCatcher::start().await;
    let id = enqueue(&store, &welcome("soren@partner.example")).await;

    // A worker takes the message and dies before delivering it.
    let taken = store
        .take_outbox_message(Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(taken.map(|m| m.id), Some(id));

    let worker = worker(&store, smtp_config(catcher.url()));
    assert_eq!(deliver(&worker).await, 0, "leased to the dead worker");
    clock.advance(Duration::seconds(59));
    assert_eq!(deliver(&worker).await, 0, "the lease has not run out");
    assert_eq!(depth(&store).await, 1);

    clock.advance(Duration::seconds(1));
    assert_eq!(deliver(&worker).await, 1);
    let mail = catcher
        .wait_for("soren@partner.example", WAIT)
        .await
        .expect("delivered");
    assert_is_the_welcome(&mail, id);
    assert_eq!(catcher.messages().len(), 1);
    assert_eq!(depth(&store).await, 0);
    db.close().await;
}

async fn a_malformed_payload_is_marked_failed_and_the_others_still_go_out(backend: Backend) {
    let Some((db, store, _clock)) = fresh(backend).await else {
        return;
    };
    let catcher = SmtpCatcher::start().await;
    let broken = insert_raw(&store, "email", "{\"to\": 42").await;
    let unknown = insert_raw(&store, "carrier-pigeon", "{}").await;
    let bad_address = enqueue(&store, &welcome("not an address")).await;
    let good = enqueue(&store, &welcome("soren@partner.example")).await;

    assert_eq!(
        deliver(&worker(&store, smtp_config(catcher.url()))).await,
        1
    );

    for (id, says) in [
        (broken, "payload"),
        (unknown, "carrier-pigeon"),
        (bad_address, "recipient"),
    ] {
        let entry = store.outbox_entry(id).await.unwrap().expect("entry");
        assert_eq!(entry.attempts, 1, "{entry:?}");
        assert_eq!(entry.delivered_at, None, "{entry:?}");
        assert!(
            entry
                .last_error
                .as_deref()
                .unwrap_or_default()
                .contains(says),
            "{entry:?}"
        );
        // Retrying soon cannot help: the next try is an hour away.
        assert_eq!(
            entry.next_attempt_at,
            DbTime::from(store.now() + Duration::hours(1)).0
        );
    }
    let mail = catcher
        .wait_for("soren@partner.example", WAIT)
        .await
        .expect("the good one");
    assert_eq!(mail.header("Message-ID"), Some(message_id(good)));
    assert_eq!(depth(&store).await, 3);
    db.close().await;
}

/// An outbox row as a future or broken writer might leave it.
async fn insert_raw(store: &Store, kind: &str, payload: &str) -> Uuid {
    let id = Uuid::now_v7();
    let now = DbTime::from(store.now());
    let sql = "INSERT INTO outbox (id, kind, payload, created_at, attempts, next_attempt_at) VALUES ($1, $2, $3, $4, 0, $4)";
    on_db!(store, pool => sqlx::query(sql).bind(id).bind(kind).bind(payload).bind(now).execute(pool).await.map(|r| r.rows_affected()))
        .unwrap_or_else(|e| panic!("insert: {e}"));
    id
}

async fn the_running_worker_delivers_when_woken_and_stops_on_shutdown(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else {
        return;
    };
    let store = db.store.clone();
    let catcher = SmtpCatcher::start().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (waker, task) = spawn_outbox_worker(store.clone(), smtp_config(catcher.url()), async {
        let _ = stopped.await;
    })
    .unwrap_or_else(|e| panic!("spawn: {e}"));

    let first = enqueue(&store, &welcome("first@partner.example")).await;
    waker.wake();
    let mail = catcher
        .wait_for("first@partner.example", WAIT)
        .await
        .expect("woken worker delivers");
    assert_eq!(mail.header("Message-ID"), Some(message_id(first)));

    // Without a wake the worker still finds new mail on its next poll.
    enqueue(&store, &welcome("second@partner.example")).await;
    assert!(
        catcher
            .wait_for("second@partner.example", WAIT)
            .await
            .is_some()
    );

    let _ = stop.send(());
    tokio::time::timeout(WAIT, task)
        .await
        .expect("the worker stops")
        .expect("the worker did not panic");
    assert_eq!(depth(&store).await, 0);
    db.close().await;
}
