//! The SQLite and PostgreSQL migration trees build the same schema: the same
//! tables with the same columns, read back from each database's catalogue.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use openprm_store::Backend;
use openprm_testkit::db::TestDb;

type Schema = BTreeMap<String, BTreeSet<String>>;

/// Names present on one side only, for a readable failure.
fn difference(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for table in sqlite
        .keys()
        .chain(postgres.keys())
        .collect::<BTreeSet<_>>()
    {
        match (sqlite.get(table), postgres.get(table)) {
            (Some(_), None) => out.push(format!("table {table}: only in SQLite")),
            (None, Some(_)) => out.push(format!("table {table}: only in PostgreSQL")),
            (Some(s), Some(p)) => {
                for column in s.difference(p) {
                    out.push(format!("column {table}.{column}: only in SQLite"));
                }
                for column in p.difference(s) {
                    out.push(format!("column {table}.{column}: only in PostgreSQL"));
                }
            }
            (None, None) => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_trees_match_postgres() {
    let sqlite_db = TestDb::new(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    let sqlite = sqlite_db.store.tables_and_columns().await.unwrap();
    sqlite_db.close().await;
    assert!(!sqlite.is_empty(), "the SQLite migrations built no tables");
    for table in ["users", "partners", "sessions", "recent_items"] {
        assert!(sqlite.contains_key(table), "SQLite has no {table} table");
    }
    assert!(
        !sqlite.contains_key("_sqlx_migrations"),
        "the migration ledger is not part of the schema"
    );

    // `None` when no PostgreSQL is configured; under CI=true that is a panic instead.
    let Some(postgres_db) = TestDb::new(Backend::Postgres).await else {
        eprintln!("OPENPRM_TEST_POSTGRES_URL is not set: only the SQLite tree was checked");
        return;
    };
    let postgres = postgres_db.store.tables_and_columns().await;
    postgres_db.close().await;
    let postgres = postgres.unwrap();
    assert!(
        !postgres.is_empty(),
        "the PostgreSQL migrations built no tables"
    );

    let differences = difference(&sqlite, &postgres);
    assert!(
        differences.is_empty(),
        "the migration trees differ:\n{}",
        differences.join("\n")
    );
    assert_eq!(sqlite, postgres);
}
