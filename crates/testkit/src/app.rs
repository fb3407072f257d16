//! The whole portal on a real socket for one test: a fresh database, the web
//! server on a random port, the outbox worker sending to a real SMTP server;
//! and, for tests of several servers sharing one database, a second instance.

use std::time::Duration;

use std::sync::Arc;

use openprm_domain::{EmailAddress, Locale, ManualClock, PartnerId, Role, Tier, UserId};
use openprm_jobs::{MailConfig, spawn_outbox_worker};
use openprm_store::{
    Backend, Store,
    partners::{Partner, PartnerFields},
    users::{NewUser, User},
};
use openprm_web::{AppState, WebConfig, router, serve};
use tokio::{net::TcpListener, sync::oneshot, task::JoinHandle};

use crate::{db::TestDb, smtp::SmtpCatcher};

/// The password every user made by [`TestApp::user`] has.
pub const PASSWORD: &str = "granite-harbour-47-lantern";

pub struct TestApp {
    pub base_url: String,
    pub store: Store,
    pub smtp: SmtpCatcher,
    pub backend: Backend,
    /// The portal's clock: it starts at the real time and moves only when a
    /// test advances it (expiry, throttling windows).
    pub clock: ManualClock,
    db: TestDb,
    stop: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<()>>,
}

/// A user made for a test, with the password to sign in.
#[derive(Clone, Debug)]
pub struct TestUser {
    pub user: User,
    pub email: String,
    pub password: String,
}

impl TestUser {
    pub fn id(&self) -> UserId {
        self.user.id
    }
}

impl TestApp {
    /// Starts the portal on `backend`; `None` when that backend is not
    /// available outside CI (see [`TestDb::new`]).
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        let db = TestDb::new(backend).await?;
        let clock = ManualClock::new(time::OffsetDateTime::now_utc());
        let store = db.store.clone().with_clock(Arc::new(clock.clone()));
        let smtp = SmtpCatcher::start().await;
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local addr: {e}"));
        let base_url = format!("http://{addr}");
        // As `openprm serve` gives it to its jobs: writing notification e-mails.
        let store = store.with_notification_mail(
            openprm_web::services::notifications::notification_mail(&base_url),
        );

        let (stop_worker, worker_stopped) = oneshot::channel::<()>();
        let mail = MailConfig {
            smtp_url: Some(smtp.url()),
            mail_dir: std::env::temp_dir().join("openprm-test-mail"),
            from_address: "Test Portal <no-reply@openprm.test>".into(),
            message_domain: "openprm.test".into(),
        };
        let (waker, worker) = spawn_outbox_worker(store.clone(), mail, async move {
            let _ = worker_stopped.await;
        })
        .unwrap_or_else(|e| panic!("outbox worker: {e}"));

        let (stop_server, server_stopped) = oneshot::channel::<()>();
        let app = router(
            AppState::new(store.clone(), WebConfig::new(&base_url))
                .with_outbox_notifier(Arc::new(move || waker.wake())),
        );
        let server = tokio::spawn(async move {
            let _ = serve(listener, app, async move {
                let _ = server_stopped.await;
            })
            .await;
        });

        Some(TestApp {
            base_url,
            store,
            smtp,
            backend,
            clock,
            db,
            stop: vec![stop_server, stop_worker],
            tasks: vec![server, worker],
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// The database's URL, for running the `openprm` binary against it.
    pub fn database_url(&self) -> &str {
        &self.db.url
    }

    /// Another web server on the same database, as a second portal instance
    /// behind a load balancer would be: its own router, port and connection
    /// pool (opened from the database URL, so it shares no connection with
    /// this app), and the same clock. On SQLite the two pools share one file.
    /// It runs no outbox worker: this app's worker delivers what either
    /// instance enqueues. It stops when closed or dropped.
    pub async fn second_instance(&self) -> TestInstance {
        let store = Store::connect(&self.db.url, 8)
            .await
            .unwrap_or_else(|e| panic!("second pool on {}: {e}", self.db.url))
            .with_clock(Arc::new(self.clock.clone()));
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("local addr: {e}"));
        let base_url = format!("http://{addr}");
        let (stop, stopped) = oneshot::channel::<()>();
        let app = router(AppState::new(store.clone(), WebConfig::new(&base_url)));
        let server = tokio::spawn(async move {
            let _ = serve(listener, app, async move {
                let _ = stopped.await;
            })
            .await;
        });
        TestInstance {
            base_url,
            store,
            stop,
            server,
        }
    }

    /// A client like a browser: it keeps cookies and does not follow redirects,
    /// so tests can see where they lead.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|e| panic!("client: {e}"))
    }

    pub async fn partner(
        &self,
        name: &str,
        tier: Tier,
        channel_manager: Option<UserId>,
    ) -> Partner {
        let fields = PartnerFields {
            name: name.into(),
            tier: Some(tier),
            channel_manager_id: channel_manager,
            ..Default::default()
        };
        self.store
            .create_partner(None, &fields)
            .await
            .unwrap_or_else(|e| panic!("create partner: {e}"))
    }

    /// A signed-up user with [`PASSWORD`]; the e-mail is derived from the name.
    pub async fn user(&self, name: &str, role: Role, partner: Option<PartnerId>) -> TestUser {
        let email = format!("{}@example.com", name.to_lowercase().replace(' ', "."));
        let new = NewUser {
            email: EmailAddress::parse(&email).unwrap_or_else(|e| panic!("{email}: {e}")),
            name: name.into(),
            role,
            partner_id: partner,
            locale: Locale::English,
            title: None,
            phone: None,
            password: Some(PASSWORD.into()),
            must_change_password: false,
        };
        let user = self
            .store
            .create_user(&new)
            .await
            .unwrap_or_else(|e| panic!("create user: {e}"));
        TestUser {
            user,
            email,
            password: PASSWORD.into(),
        }
    }

    /// An API token for the user, through `POST /api/v1/auth/login`.
    pub async fn token(&self, user: &TestUser) -> String {
        let response = self
            .client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"email": user.email, "password": user.password}))
            .send()
            .await
            .unwrap_or_else(|e| panic!("login: {e}"));
        assert_eq!(response.status(), 200, "API login of {} failed", user.email);
        let body: serde_json::Value = response
            .json()
            .await
            .unwrap_or_else(|e| panic!("login body: {e}"));
        body["token"].as_str().unwrap_or_default().to_owned()
    }

    /// A client signed in through the sign-in form, as a browser would be.
    pub async fn signed_in(&self, email: &str, password: &str) -> reqwest::Client {
        let client = self.client();
        let csrf = self.csrf(&client, "/login").await;
        let response = client
            .post(self.url("/login"))
            .form(&[
                ("email", email),
                ("password", password),
                ("_csrf", csrf.as_str()),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("sign in: {e}"));
        assert_eq!(response.status(), 303, "sign-in of {email} failed");
        client
    }

    /// Opens a page and returns the CSRF token its forms carry.
    pub async fn csrf(&self, client: &reqwest::Client, path: &str) -> String {
        let html = client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
            .text()
            .await
            .unwrap_or_default();
        csrf_in(&html).unwrap_or_else(|| panic!("no CSRF token on {path}"))
    }

    /// Stops the server and worker and drops the database.
    pub async fn close(mut self) {
        for stop in self.stop.drain(..) {
            let _ = stop.send(());
        }
        for mut task in self.tasks.drain(..) {
            // A connection still open after the grace period must not keep
            // the app's state (and its database connections) alive.
            if tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
            {
                task.abort();
                let _ = task.await;
            }
        }
        self.db.close().await;
    }
}

/// A second portal instance from [`TestApp::second_instance`].
pub struct TestInstance {
    pub base_url: String,
    /// The instance's own pool on the shared database.
    pub store: Store,
    // Dropping the sender also stops the server.
    stop: oneshot::Sender<()>,
    server: JoinHandle<()>,
}

impl TestInstance {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Stops the server and closes its pool (the database stays, owned by the app).
    pub async fn close(self) {
        let _ = self.stop.send(());
        let mut server = self.server;
        if tokio::time::timeout(Duration::from_secs(5), &mut server)
            .await
            .is_err()
        {
            server.abort();
            let _ = server.await;
        }
        self.store.close().await;
    }
}

/// The value of the first `_csrf` hidden field in a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let start = html.find("name=\"_csrf\" value=\"")? + "name=\"_csrf\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// Generates a `#[tokio::test]` per store for each named `async fn(TestApp)`:
/// `sqlite::name` and `postgres::name`. The PostgreSQL one returns early when
/// no server is configured, and fails under `CI=true`.
#[macro_export]
macro_rules! test_on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::app::TestApp::spawn(openprm_store::Backend::Sqlite).await {
                        super::$name(&app).await;
                        app.close().await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(app) = $crate::app::TestApp::spawn(openprm_store::Backend::Postgres).await {
                        super::$name(&app).await;
                        app.close().await;
                    }
                }
            )*
        }
    };
}
