//! OpenPRM's database: one [`Store`] over SQLite or PostgreSQL.
//!
//! Statements are written once in the SQL both dialects share (numbered `$1`
//! parameters, `RETURNING`, `ON CONFLICT`) and run through sqlx on whichever
//! pool the URL chose; the [`on_db!`] and [`write_tx!`] macros expand one body
//! for each backend. What a caller may see is applied by [`scope`], in one place.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod accounts;
pub mod activity;
pub mod assignment;
pub mod audit;
pub mod contacts;
mod db;
pub mod db_time;
pub mod deal_help;
pub mod error;
pub mod invitations;
mod keyset;
pub mod leads;
pub mod live;
pub mod notifications;
pub mod opportunities;
pub mod outbox;
pub mod partners;
pub mod queues;
pub mod recent;
pub mod record_list;
pub mod registrations;
pub mod related;
pub mod schema;
pub mod scope;
pub mod secrets;
pub mod sessions;
pub mod settings;
pub mod throttle;
pub mod users;

pub use db::{Backend, Db, Store, serving_connections};
pub use db_time::DbTime;
pub use error::StoreError;
