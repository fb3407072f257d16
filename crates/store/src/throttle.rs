//! Failed sign-ins, counted per account and per client address in the database
//! so that every instance behind a load balancer throttles alike. The same
//! table counts other throttled attempts under their own keys (the public
//! web-to-lead form's messages, `web-lead:<address>`).

use time::Duration;

use crate::{DbTime, Store, StoreError, on_db};

impl Store {
    /// How many failures `key` has had in the last `window`, and when the oldest
    /// of them will fall out of it.
    pub async fn sign_in_failures(
        &self,
        key: &str,
        window: Duration,
    ) -> Result<(i64, Option<DbTime>), StoreError> {
        let since = DbTime::from(self.now() - window);
        let sql =
            "SELECT COUNT(*), MIN(at) FROM sign_in_failures WHERE throttle_key = $1 AND at > $2";
        let row: (i64, Option<DbTime>) =
            on_db!(self, pool => sqlx::query_as(sql).bind(key).bind(since).fetch_one(pool).await)?;
        Ok(row)
    }

    pub async fn record_sign_in_failure(&self, keys: &[&str]) -> Result<(), StoreError> {
        let now = DbTime::from(self.now());
        for key in keys {
            on_db!(self, pool => sqlx::query("INSERT INTO sign_in_failures (throttle_key, at) VALUES ($1, $2)")
                .bind(*key).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        }
        Ok(())
    }

    /// A successful sign-in forgives the account's failures (not the address's).
    pub async fn clear_sign_in_failures(&self, key: &str) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("DELETE FROM sign_in_failures WHERE throttle_key = $1")
            .bind(key).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Drops failures older than any window, so the table stays small.
    pub async fn prune_sign_in_failures(&self, older_than: Duration) -> Result<u64, StoreError> {
        let before = DbTime::from(self.now() - older_than);
        let done = on_db!(self, pool => sqlx::query("DELETE FROM sign_in_failures WHERE at < $1")
            .bind(before).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(done)
    }

    /// Attempts under `key` in the last `window`, and the oldest one's time.
    pub async fn throttle_hits(
        &self,
        key: &str,
        window: Duration,
    ) -> Result<(i64, Option<DbTime>), StoreError> {
        self.sign_in_failures(key, window).await
    }

    /// Counts one attempt under `key`.
    pub async fn record_throttle_hit(&self, key: &str) -> Result<(), StoreError> {
        self.record_sign_in_failure(&[key]).await
    }
}
