//! A fresh database for one run: a SQLite file in a temporary folder, or a new
//! database on the PostgreSQL server a URL names, dropped again at the end.

use anyhow::Context;
use openprm_store::Backend;
use sqlx::{Connection, PgConnection};

pub struct BenchDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(tempfile::TempDir),
    Postgres { server_url: String, name: String },
}

impl BenchDb {
    pub async fn create(backend: Backend, postgres_url: Option<&str>) -> anyhow::Result<BenchDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::Builder::new()
                    .prefix("openprm-bench-")
                    .tempdir()
                    .context("temporary folder")?;
                let url = format!("sqlite://{}", dir.path().join("openprm.db").display());
                Ok(BenchDb {
                    url,
                    cleanup: Cleanup::Sqlite(dir),
                })
            }
            Backend::Postgres => {
                let server_url = postgres_url
                    .context("PostgreSQL needs --postgres-url or OPENPRM_TEST_POSTGRES_URL")?
                    .to_owned();
                let name = format!("openprm_bench_{}", uuid::Uuid::new_v4().simple());
                let mut admin = PgConnection::connect(&server_url)
                    .await
                    .with_context(|| format!("connect to {}", redact(&server_url)))?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .context("create the benchmark database")?;
                admin.close().await?;
                Ok(BenchDb {
                    url: with_database(&server_url, &name),
                    cleanup: Cleanup::Postgres { server_url, name },
                })
            }
        }
    }

    /// Removes the database, or keeps it and says where it is.
    pub async fn finish(self, keep: bool) -> anyhow::Result<()> {
        match self.cleanup {
            Cleanup::Sqlite(dir) if keep => {
                let kept = dir.keep();
                println!("kept the SQLite database in {}", kept.display());
            }
            Cleanup::Sqlite(dir) => dir.close().context("remove the SQLite folder")?,
            Cleanup::Postgres { name, .. } if keep => {
                println!("kept the PostgreSQL database {name}");
            }
            Cleanup::Postgres { server_url, name } => {
                let mut admin = PgConnection::connect(&server_url).await?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .context("drop the benchmark database")?;
                admin.close().await?;
            }
        }
        Ok(())
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

/// A URL fit to print: the password, if any, blanked out.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    match (rest.find('@'), rest.find(':')) {
        (Some(at), Some(colon)) if colon < at => {
            format!(
                "{}{}:***{}",
                &url[..scheme_end],
                &rest[..colon],
                &rest[at..]
            )
        }
        _ => url.to_owned(),
    }
}
