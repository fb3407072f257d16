//! Connecting, migrating and the two macros that run one body on either backend.

use std::{str::FromStr, sync::Arc, time::Duration};

use openprm_domain::{Clock, SystemClock};
use sqlx::{
    PgPool, SqlitePool,
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};
use time::OffsetDateTime;

use crate::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database and the clock every stored time comes from.
#[derive(Clone, Debug)]
pub struct Store {
    pub db: Db,
    clock: Arc<dyn Clock>,
    pub(crate) live: Arc<crate::live::LiveSignal>,
    /// Writes notification e-mails; set by the web layer at start-up.
    pub(crate) notify: Option<crate::notifications::MailWriter>,
}

/// Runs `$body` with `$pool` bound to whichever pool the store has.
#[macro_export]
macro_rules! on_db {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` inside a write transaction bound to `$tx`, committing when it
/// finishes and rolling back when it returns early with `?`. On SQLite the
/// transaction starts with `BEGIN IMMEDIATE`, taking the write lock up front so
/// two writers queue on the busy timeout instead of failing half-way.
#[macro_export]
macro_rules! write_tx {
    ($store:expr, $tx:ident => $body:expr) => {
        match &$store.db {
            $crate::Db::Sqlite(pool) => {
                let mut $tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                let out = $body;
                $tx.commit().await?;
                $store.live_committed();
                out
            }
            $crate::Db::Postgres(pool) => {
                let mut $tx = pool.begin().await?;
                let out = $body;
                $tx.commit().await?;
                $store.live_committed();
                out
            }
        }
    };
}

/// Database connections for a serving instance: twice the cores, at least
/// four. More only add threads (SQLite runs each connection on a thread of its
/// own) or backends (PostgreSQL) competing for the same cores, and queries
/// here are short: on 2 cores, 4 connections instead of 16 served the Leads
/// list at 32 connections with a p99 a quarter to a third lower on both
/// stores and claims as fast (docs/BENCHMARKS.md).
pub fn serving_connections() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    u32::try_from(cores * 2).unwrap_or(u32::MAX).max(4)
}

impl Store {
    /// Opens the database a URL names: `sqlite://path` (created if missing) or
    /// `postgres://…`.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store, StoreError> {
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?.application_name("openprm");
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Db::Postgres(pool)
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Room for the largest list page (200 rows and one to look
                // ahead), so the connection's thread hands a page over without
                // stopping to wait for the reader half-way.
                .row_buffer_size(256);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Db::Sqlite(pool)
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        Ok(Store {
            db,
            clock: Arc::new(SystemClock),
            live: Arc::default(),
            notify: None,
        })
    }

    /// The same store reading time from another clock (tests move it by hand).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Store {
        self.clock = clock;
        self
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    #[tracing::instrument(skip(self))]
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// Connections open and idle, for `/metrics`.
    pub fn pool_stats(&self) -> (u32, usize) {
        on_db!(self, pool => (pool.size(), pool.num_idle()))
    }

    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// `sql` with its `$2 IS NULL` typed as a UUID on PostgreSQL, which must be
/// told the type of a parameter it only compares with NULL.
pub(crate) fn typed_null(sql: &str, backend: Backend) -> String {
    match backend {
        Backend::Postgres => sql.replace("$2 IS NULL", "$2::uuid IS NULL"),
        Backend::Sqlite => sql.to_owned(),
    }
}
