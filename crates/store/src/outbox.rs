//! The outbox: messages written in the same transaction as the change that
//! causes them, delivered afterwards by a worker, at least once.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{DbTime, Store, StoreError, on_db};

/// An e-mail ready to send: already rendered in the recipient's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutgoingEmail {
    pub to: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub(crate) const INSERT_OUTBOX: &str = "INSERT INTO outbox (id, kind, payload, created_at, attempts, next_attempt_at) \
     VALUES ($1, $2, $3, $4, 0, $4)";

/// Queues an e-mail on the executor given (the transaction making the change).
macro_rules! enqueue_email {
    ($exec:expr, $now:expr, $email:expr) => {
        sqlx::query($crate::outbox::INSERT_OUTBOX)
            .bind(uuid::Uuid::now_v7())
            .bind("email")
            .bind(serde_json::to_string($email).unwrap_or_default())
            .bind($crate::DbTime::from($now))
            .execute($exec)
            .await?
    };
}
pub(crate) use enqueue_email;

/// A message taken for delivery; its id is stable across attempts, so it
/// doubles as the e-mail's Message-ID.
#[derive(Clone, Debug)]
pub struct OutboxMessage {
    pub id: Uuid,
    pub kind: String,
    pub payload: String,
    pub attempts: i32,
}

/// Where one message stands, for tests and for an operator looking into a
/// message that does not go out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: Uuid,
    pub kind: String,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub locked_until: Option<OffsetDateTime>,
    pub delivered_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OutboxEntryRow {
    id: Uuid,
    kind: String,
    attempts: i32,
    next_attempt_at: DbTime,
    locked_until: Option<DbTime>,
    delivered_at: Option<DbTime>,
    last_error: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OutboxRow {
    id: Uuid,
    kind: String,
    payload: String,
    attempts: i32,
}

impl Store {
    /// Queues an e-mail on its own, for a message that no other change causes
    /// (a test message, a resend). Changes that cause e-mail queue it in their
    /// own transaction instead, with `enqueue_email!`.
    #[tracing::instrument(skip(self, email), fields(to = %email.to))]
    pub async fn enqueue_email(&self, email: &OutgoingEmail) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let payload = serde_json::to_string(email)
            .map_err(|e| StoreError::Database(sqlx::Error::Encode(Box::new(e))))?;
        let now = DbTime::from(self.now());
        on_db!(self, pool => sqlx::query(INSERT_OUTBOX)
            .bind(id).bind("email").bind(&payload).bind(now)
            .execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(id)
    }

    /// One message's state, delivered or not.
    pub async fn outbox_entry(&self, id: Uuid) -> Result<Option<OutboxEntry>, StoreError> {
        let sql = "SELECT id, kind, attempts, next_attempt_at, locked_until, delivered_at, last_error FROM outbox WHERE id = $1";
        let row: Option<OutboxEntryRow> =
            on_db!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?;
        Ok(row.map(|r| OutboxEntry {
            id: r.id,
            kind: r.kind,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.into(),
            locked_until: r.locked_until.map(Into::into),
            delivered_at: r.delivered_at.map(Into::into),
            last_error: r.last_error,
        }))
    }

    /// Takes the next due message and leases it for `lease`, so that other
    /// workers (on other instances) leave it alone; a worker that dies mid-way
    /// simply lets the lease run out and the message is taken again.
    pub async fn take_outbox_message(
        &self,
        lease: Duration,
    ) -> Result<Option<OutboxMessage>, StoreError> {
        let now = self.now();
        let sql = "UPDATE outbox SET locked_until = $2 \
                   WHERE id = (SELECT id FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= $1 \
                               AND (locked_until IS NULL OR locked_until <= $1) ORDER BY next_attempt_at, id LIMIT 1) \
                   AND delivered_at IS NULL AND (locked_until IS NULL OR locked_until <= $1) \
                   RETURNING id, kind, payload, attempts";
        let row: Option<OutboxRow> = on_db!(self, pool => sqlx::query_as(sql)
            .bind(DbTime::from(now))
            .bind(DbTime::from(now + lease))
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| OutboxMessage {
            id: r.id,
            kind: r.kind,
            payload: r.payload,
            attempts: r.attempts,
        }))
    }

    pub async fn mark_outbox_delivered(&self, id: Uuid) -> Result<(), StoreError> {
        let now = DbTime::from(self.now());
        on_db!(self, pool => sqlx::query("UPDATE outbox SET delivered_at = $2, locked_until = NULL, attempts = attempts + 1, last_error = NULL WHERE id = $1")
            .bind(id).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records a failed attempt and when to try again.
    pub async fn mark_outbox_failed(
        &self,
        id: Uuid,
        error: &str,
        retry_in: Duration,
    ) -> Result<(), StoreError> {
        let next = DbTime::from(self.now() + retry_in);
        let error: String = error.chars().take(2000).collect();
        on_db!(self, pool => sqlx::query("UPDATE outbox SET attempts = attempts + 1, last_error = $2, next_attempt_at = $3, locked_until = NULL WHERE id = $1")
            .bind(id).bind(error).bind(next).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Messages not yet delivered, for `/metrics`.
    pub async fn outbox_depth(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetch_one(pool).await)?;
        Ok(n)
    }
}
