//! Sessions and API tokens, kept in the database so any instance can serve any
//! request. Only a token's hash is stored.

use openprm_domain::UserId;
use time::Duration;

use crate::{
    DbTime, Store, StoreError, on_db, secrets,
    users::{SELECT_USER, User, UserRow},
};

/// A browser session lasts this long without use; an API token this long in all.
pub const BROWSER_IDLE: Duration = Duration::hours(12);
pub const API_LIFETIME: Duration = Duration::days(30);
/// `last_seen_at` is refreshed at most this often, to spare a write per request.
const TOUCH_EVERY: Duration = Duration::minutes(5);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Browser,
    Api,
}

impl SessionKind {
    fn as_str(self) -> &'static str {
        match self {
            SessionKind::Browser => "browser",
            SessionKind::Api => "api",
        }
    }

    fn lifetime(self) -> Duration {
        match self {
            SessionKind::Browser => BROWSER_IDLE,
            SessionKind::Api => API_LIFETIME,
        }
    }
}

/// A signed-in caller found by their token.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub user: User,
    pub token_hash: String,
}

#[derive(sqlx::FromRow)]
struct SessionUserRow {
    #[sqlx(flatten)]
    user: UserRow,
    last_seen_at: DbTime,
}

impl Store {
    /// Starts a session and returns its token, the only time it exists in the clear.
    pub async fn create_session(
        &self,
        user: UserId,
        kind: SessionKind,
    ) -> Result<String, StoreError> {
        let token = secrets::new_token();
        let now = self.now();
        let sql = "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $4)";
        on_db!(self, pool => sqlx::query(sql)
            .bind(secrets::hash_token(&token))
            .bind(user.0)
            .bind(kind.as_str())
            .bind(DbTime::from(now))
            .bind(DbTime::from(now + kind.lifetime()))
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
        Ok(token)
    }

    /// The active user behind a session or token already in use, found by its
    /// hash, without extending it: long-lived requests (an event stream) ask
    /// again from time to time whether their caller is still signed in.
    pub async fn session_user(&self, token_hash: &str) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "{}, sessions s WHERE s.token_hash = $1 AND s.user_id = u.id AND s.expires_at > $2 AND u.active = TRUE",
            SELECT_USER.replacen(" FROM users u", ", s.last_seen_at FROM users u", 1)
        );
        let row: Option<SessionUserRow> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(DbTime::from(self.now()))
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|r| User::from(r.user)))
    }

    /// The active user behind a token, or `None` for an unknown, expired or
    /// deactivated one. Browser sessions slide: use extends them.
    pub async fn authenticate(
        &self,
        token: &str,
        kind: SessionKind,
    ) -> Result<Option<Authenticated>, StoreError> {
        let token_hash = secrets::hash_token(token);
        let now = self.now();
        let sql = format!(
            "{}, sessions s WHERE s.token_hash = $1 AND s.kind = $2 AND s.user_id = u.id AND s.expires_at > $3 AND u.active = TRUE",
            SELECT_USER.replacen(" FROM users u", ", s.last_seen_at FROM users u", 1)
        );
        let row: Option<SessionUserRow> = on_db!(self, pool => sqlx::query_as(&sql)
            .bind(&token_hash)
            .bind(kind.as_str())
            .bind(DbTime::from(now))
            .fetch_optional(pool)
            .await)?;
        let Some(row) = row else { return Ok(None) };
        if kind == SessionKind::Browser && now - row.last_seen_at.0 > TOUCH_EVERY {
            let sql =
                "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1";
            on_db!(self, pool => sqlx::query(sql)
                .bind(&token_hash)
                .bind(DbTime::from(now))
                .bind(DbTime::from(now + BROWSER_IDLE))
                .execute(pool)
                .await.map(|r| r.rows_affected()))?;
        }
        Ok(Some(Authenticated {
            user: User::from(row.user),
            token_hash,
        }))
    }

    /// Ends one session (sign out) by its token's hash.
    pub async fn end_session(&self, token_hash: &str) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn session_count(&self, user: UserId) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(user.0).fetch_one(pool).await)?;
        Ok(n)
    }

    pub async fn prune_sessions(&self) -> Result<u64, StoreError> {
        let now = DbTime::from(self.now());
        let done = on_db!(self, pool => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(done)
    }
}
