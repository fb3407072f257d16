//! Sign-in throttling: how many failures are tolerated, and for how long a
//! caller must wait after that.

use time::{Duration, OffsetDateTime};

use crate::DomainError;

#[derive(Clone, Copy, Debug)]
pub struct ThrottleRule {
    pub max_failures: i64,
    pub window: Duration,
}

/// Per account (whether or not it exists, so the answer reveals nothing).
pub const PER_ACCOUNT: ThrottleRule = ThrottleRule {
    max_failures: 5,
    window: Duration::minutes(15),
};
/// Per client address, looser, since offices share one.
pub const PER_ADDRESS: ThrottleRule = ThrottleRule {
    max_failures: 30,
    window: Duration::minutes(15),
};

impl ThrottleRule {
    /// Refuses once `failures` within the window reach the limit, saying when the
    /// oldest of them falls out of it.
    pub fn check(
        &self,
        failures: i64,
        oldest: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<(), DomainError> {
        if failures < self.max_failures {
            return Ok(());
        }
        let free_at = oldest.map(|t| t + self.window).unwrap_or(now + self.window);
        let retry_after_secs = (free_at - now).whole_seconds().max(1) as u64;
        Err(DomainError::RateLimited { retry_after_secs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn allows_up_to_the_limit_then_names_the_wait() {
        let now = datetime!(2026-11-27 10:00 UTC);
        assert!(PER_ACCOUNT.check(4, Some(now), now).is_ok());
        let oldest = now - Duration::minutes(10);
        match PER_ACCOUNT.check(5, Some(oldest), now) {
            Err(DomainError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 300),
            other => panic!("expected rate limit, got {other:?}"),
        }
    }
}
