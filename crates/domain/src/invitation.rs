//! Invitations: one-time links that let a new partner user in (spec flow 1).

use crate::DomainError;
use time::{Duration, OffsetDateTime};

/// How long an invitation link may be used.
pub const VALIDITY: Duration = Duration::days(7);

/// What the store knows of an invitation when its link is followed.
#[derive(Clone, Debug)]
pub struct InvitationStatus {
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// Why a link may no longer be used; each has its own page so the user knows
/// whether to ask for a new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvitationProblem {
    Expired,
    Used,
    Revoked,
}

impl InvitationProblem {
    pub fn message_key(self) -> &'static str {
        match self {
            InvitationProblem::Expired => "invitation-expired",
            InvitationProblem::Used => "invitation-used",
            InvitationProblem::Revoked => "invitation-revoked",
        }
    }
}

impl InvitationStatus {
    pub fn check_usable(&self, now: OffsetDateTime) -> Result<(), InvitationProblem> {
        if self.revoked_at.is_some() {
            Err(InvitationProblem::Revoked)
        } else if self.used_at.is_some() {
            Err(InvitationProblem::Used)
        } else if now >= self.expires_at {
            Err(InvitationProblem::Expired)
        } else {
            Ok(())
        }
    }
}

impl From<InvitationProblem> for DomainError {
    fn from(problem: InvitationProblem) -> Self {
        DomainError::Invalid(problem.message_key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn fresh(now: OffsetDateTime) -> InvitationStatus {
        InvitationStatus {
            expires_at: now + VALIDITY,
            used_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn usable_until_seven_days_pass() {
        let sent = datetime!(2026-11-01 12:00 UTC);
        let invitation = fresh(sent);
        assert_eq!(invitation.check_usable(sent + Duration::days(6)), Ok(()));
        assert_eq!(
            invitation.check_usable(sent + Duration::days(7)),
            Err(InvitationProblem::Expired)
        );
    }

    #[test]
    fn used_or_revoked_links_are_dead() {
        let sent = datetime!(2026-11-01 12:00 UTC);
        let used = InvitationStatus {
            used_at: Some(sent),
            ..fresh(sent)
        };
        let revoked = InvitationStatus {
            revoked_at: Some(sent),
            ..fresh(sent)
        };
        assert_eq!(used.check_usable(sent), Err(InvitationProblem::Used));
        assert_eq!(revoked.check_usable(sent), Err(InvitationProblem::Revoked));
    }
}
