//! A fresh, migrated database for each test, on SQLite or PostgreSQL.
//!
//! SQLite: a new file in a temporary folder. PostgreSQL: a new database named
//! after a random id on the server `OPENPRM_TEST_POSTGRES_URL` names, dropped
//! again when the test ends.

use openprm_store::{Backend, Store};
use sqlx::{Connection, PgConnection};

pub const POSTGRES_URL_VAR: &str = "OPENPRM_TEST_POSTGRES_URL";

/// Whether CI demands every optional suite: then a missing PostgreSQL or
/// browser fails the test instead of skipping it.
pub fn ci_demands_everything() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The PostgreSQL server for tests, if one is configured. Under CI its absence
/// is a failure, so a suite cannot pass by silently skipping itself.
pub fn postgres_server_url() -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if ci_demands_everything() => {
            panic!("CI=true but {POSTGRES_URL_VAR} is not set: the PostgreSQL suite must run")
        }
        _ => None,
    }
}

pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl TestDb {
    /// A fresh migrated database, or `None` when the backend is PostgreSQL and no
    /// server is configured (outside CI).
    pub async fn new(backend: Backend) -> Option<TestDb> {
        let db = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
                let url = format!("sqlite://{}", dir.path().join("openprm.db").display());
                let store = Store::connect(&url, 8)
                    .await
                    .unwrap_or_else(|e| panic!("open {url}: {e}"));
                TestDb {
                    store,
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                }
            }
            Backend::Postgres => {
                let server_url = postgres_server_url()?;
                let name = format!("openprm_test_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::connect(&server_url)
                    .await
                    .unwrap_or_else(|e| panic!("connect to {server_url}: {e}"));
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .unwrap_or_else(|e| panic!("create database: {e}"));
                let url = with_database(&server_url, &name);
                let store = Store::connect(&url, 8)
                    .await
                    .unwrap_or_else(|e| panic!("open {url}: {e}"));
                TestDb {
                    store,
                    url,
                    cleanup: Cleanup::Postgres { server_url, name },
                }
            }
        };
        db.store
            .migrate()
            .await
            .unwrap_or_else(|e| panic!("migrate: {e}"));
        Some(db)
    }

    /// Closes the pool and drops a PostgreSQL test database.
    pub async fn close(self) {
        self.store.close().await;
        if let Cleanup::Postgres { server_url, name } = &self.cleanup
            && let Ok(mut admin) = PgConnection::connect(server_url).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await;
        }
    }
}

/// The server URL with its database replaced by `name`.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_or_adds_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u@h/db?sslmode=disable", "t1"),
            "postgres://u@h/t1?sslmode=disable"
        );
    }
}
