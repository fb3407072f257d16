//! How long an approved registration protects its deal (spec flow 13): from
//! approval for the vendor's number of days; its submitter is reminded a set
//! number of days before it ends; at the end it lapses.

use time::{Duration, OffsetDateTime};

use crate::FieldErrors;

/// The vendor's two settings, checked: protection lasts 1–730 days, and the
/// reminder comes 0–`protection_days - 1` days before its end (0: no reminder).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProtectionPolicy {
    pub protection_days: i32,
    pub reminder_days: i32,
}

impl Default for ProtectionPolicy {
    /// The defaults of a new portal.
    fn default() -> Self {
        ProtectionPolicy {
            protection_days: 90,
            reminder_days: 14,
        }
    }
}

impl ProtectionPolicy {
    pub const MAX_DAYS: i32 = 730;

    /// Checks an admin's choice, with a message-catalogue key per bad field.
    pub fn new(protection_days: i64, reminder_days: i64) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let protection = i32::try_from(protection_days)
            .ok()
            .filter(|d| (1..=Self::MAX_DAYS).contains(d));
        if protection.is_none() {
            errors.add(
                "registration_protection_days",
                "registration-error-protection-days-range",
            );
        }
        let reminder = i32::try_from(reminder_days)
            .ok()
            .filter(|d| *d >= 0 && protection.is_none_or(|p| *d < p));
        if reminder.is_none() {
            errors.add(
                "registration_reminder_days",
                "registration-error-reminder-days-range",
            );
        }
        match (protection, reminder) {
            (Some(protection_days), Some(reminder_days)) => Ok(ProtectionPolicy {
                protection_days,
                reminder_days,
            }),
            _ => Err(errors),
        }
    }

    /// When a registration approved at `approved_at` stops protecting its deal.
    pub fn protected_until(&self, approved_at: OffsetDateTime) -> OffsetDateTime {
        approved_at + Duration::days(i64::from(self.protection_days.max(1)))
    }

    /// When the submitter is reminded of a protection ending at `until`;
    /// `None` when reminders are off.
    pub fn reminder_due(&self, until: OffsetDateTime) -> Option<OffsetDateTime> {
        (self.reminder_days > 0).then(|| until - Duration::days(i64::from(self.reminder_days)))
    }
}

/// Where a protection stands at a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtectionState {
    /// Protected, no reminder due yet.
    Active,
    /// Protected, and its submitter is due a reminder (not sent yet).
    ReminderDue,
    /// Protected, reminder sent.
    Reminded,
    /// Over: the deal is the partner's but no longer protected.
    Expired,
}

/// The state of a protection ending at `until` at `now`. A reminder that was
/// never sent before the end is not sent after it.
pub fn state(
    policy: &ProtectionPolicy,
    until: OffsetDateTime,
    reminded: bool,
    now: OffsetDateTime,
) -> ProtectionState {
    if now >= until {
        return ProtectionState::Expired;
    }
    if reminded {
        return ProtectionState::Reminded;
    }
    match policy.reminder_due(until) {
        Some(due) if now >= due => ProtectionState::ReminderDue,
        _ => ProtectionState::Active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn protection_runs_n_days_with_a_reminder_before() {
        let policy = ProtectionPolicy::default();
        let approved = datetime!(2026-03-01 10:00 UTC);
        let until = policy.protected_until(approved);
        assert_eq!(until, datetime!(2026-05-30 10:00 UTC));
        assert_eq!(
            policy.reminder_due(until),
            Some(datetime!(2026-05-16 10:00 UTC))
        );
        let at = |t| state(&policy, until, false, t);
        assert_eq!(at(approved), ProtectionState::Active);
        assert_eq!(at(datetime!(2026-05-16 09:59 UTC)), ProtectionState::Active);
        assert_eq!(
            at(datetime!(2026-05-16 10:00 UTC)),
            ProtectionState::ReminderDue
        );
        assert_eq!(
            state(&policy, until, true, datetime!(2026-05-20 10:00 UTC)),
            ProtectionState::Reminded
        );
        assert_eq!(at(until), ProtectionState::Expired);
    }

    #[test]
    fn reminders_can_be_switched_off() {
        let policy = ProtectionPolicy::new(30, 0).unwrap();
        let until = policy.protected_until(datetime!(2026-03-01 0:00 UTC));
        assert_eq!(policy.reminder_due(until), None);
        assert_eq!(
            state(&policy, until, false, until - Duration::seconds(1)),
            ProtectionState::Active
        );
    }

    #[test]
    fn settings_out_of_range_are_refused_per_field() {
        assert!(ProtectionPolicy::new(90, 14).is_ok());
        assert!(ProtectionPolicy::new(1, 0).is_ok());
        assert!(ProtectionPolicy::new(730, 729).is_ok());
        let bad = ProtectionPolicy::new(0, 14).unwrap_err();
        assert_eq!(
            bad.0
                .get("registration_protection_days")
                .map(String::as_str),
            Some("registration-error-protection-days-range")
        );
        let bad = ProtectionPolicy::new(30, 30).unwrap_err();
        assert_eq!(bad.0.len(), 1);
        assert!(bad.0.contains_key("registration_reminder_days"));
        assert!(ProtectionPolicy::new(731, 1).is_err());
        assert!(ProtectionPolicy::new(90, -1).is_err());
        assert!(ProtectionPolicy::new(i64::MAX, i64::MIN).is_err());
    }

    proptest! {
        #[test]
        fn the_reminder_comes_before_the_end_and_the_states_follow_in_order(
            days in 1i64..=730,
            reminder in 0i64..730,
            offsets in prop::collection::vec(0i64..(800 * 24), 1..20),
        ) {
            prop_assume!(reminder < days);
            let policy = ProtectionPolicy::new(days, reminder).unwrap();
            let approved = datetime!(2026-01-01 0:00 UTC);
            let until = policy.protected_until(approved);
            prop_assert!(until > approved);
            if let Some(due) = policy.reminder_due(until) {
                prop_assert!(due > approved && due < until);
            }
            let rank = |s| match s {
                ProtectionState::Active => 0,
                ProtectionState::ReminderDue => 1,
                ProtectionState::Reminded => 1,
                ProtectionState::Expired => 2,
            };
            let mut hours = offsets;
            hours.sort_unstable();
            let mut last = 0;
            for h in hours {
                let s = state(&policy, until, false, approved + Duration::hours(h));
                prop_assert!(rank(s) >= last);
                last = rank(s);
            }
        }
    }
}
