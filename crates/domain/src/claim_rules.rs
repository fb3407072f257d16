//! Claim rules: how many queue leads partners may hold or take (spec flow 5).
//!
//! An admin sets rules that limit either the open claimed leads a subject holds
//! at once or the claims it makes in a rolling window, counted per partner user or
//! per partner account, for one queue or for all. Overrides per partner tier and
//! per partner account change a rule's maximum, or lift it.
//!
//! This module only does the arithmetic. The store, inside a transaction that is
//! serialised per partner, counts the usage of every rule that applies to a claim
//! ([`ClaimRule::applies_to`]) in the rule's scope and asks [`check_claim`] whether
//! one more claim fits:
//!
//! - the subject is the claiming user ([`LimitSubject::User`]) or every user of the
//!   claiming partner account ([`LimitSubject::Partner`]);
//! - the queue scope is the rule's queue, or every queue when the rule has none;
//! - [`LimitKind::OpenAtOnce`] counts the leads the subject holds now (claimed and
//!   neither released, converted nor closed);
//! - [`LimitKind::PerWindow`] counts the claims the subject made after
//!   [`ClaimRule::window_start`] (strictly after: see [`ClaimRule::in_window`]),
//!   whether or not the leads are still held, and reports the oldest of them so
//!   that a refusal can say when a slot frees.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::{ClaimRuleId, DomainError, FieldErrors, PartnerId, QueueId, Tier, UserId};

/// The longest rule name, in characters.
pub const NAME_MAX_CHARS: usize = 80;
/// The highest maximum a rule or an override may set.
pub const MAX_LIMIT: u32 = 100_000;
/// The longest rolling window: one year.
pub const WINDOW_HOURS_MAX: u32 = 8_760;

/// What a rule limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LimitKind {
    /// Open claimed leads held at the same time.
    OpenAtOnce,
    /// Claims made in the last `window_hours` hours.
    PerWindow { window_hours: u32 },
}

/// Whose claims a rule counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitSubject {
    /// Each partner user on their own.
    User,
    /// All users of a partner account together.
    Partner,
}

impl LimitSubject {
    /// The stable name, also the message argument (`user`, `partner`).
    pub fn as_str(self) -> &'static str {
        match self {
            LimitSubject::User => "user",
            LimitSubject::Partner => "partner",
        }
    }

    /// How English text names the subject.
    pub fn english(self) -> &'static str {
        match self {
            LimitSubject::User => "user",
            LimitSubject::Partner => "partner account",
        }
    }
}

/// Whom an override is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OverrideTarget {
    /// Every partner account of a tier: `{"tier": "gold"}`.
    Tier(Tier),
    /// One partner account: `{"partner": "<id>"}`. Beats a tier override.
    Partner(PartnerId),
}

/// A different maximum for some partners.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimOverride {
    pub target: OverrideTarget,
    /// The maximum for the target; `None` (JSON `null`) lifts the limit entirely.
    pub max: Option<u32>,
}

/// One limit set by the admin.
///
/// In JSON the kind is flattened into the rule:
/// `{"id": …, "name": "Fair share", "kind": "per_window", "window_hours": 168,
/// "subject": "user", "queue_id": null, "max": 5, "overrides": []}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimRule {
    /// Left out for a new rule, which then gets a fresh id.
    #[serde(default)]
    pub id: ClaimRuleId,
    pub name: String,
    #[serde(flatten)]
    pub kind: LimitKind,
    pub subject: LimitSubject,
    /// The queue the rule is for; `None` for all queues together.
    pub queue_id: Option<QueueId>,
    /// The default maximum; 0 means no claims at all.
    pub max: u32,
    #[serde(default)]
    pub overrides: Vec<ClaimOverride>,
}

/// Who claims what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimContext {
    pub user: UserId,
    pub partner: PartnerId,
    /// The tier of `partner`.
    pub tier: Tier,
    /// The queue the lead is claimed from.
    pub queue: QueueId,
}

impl ClaimRule {
    /// Whether the rule limits this claim: the lead's queue is in the rule's scope
    /// and the rule's limit is not lifted for the claiming partner.
    pub fn applies_to(&self, ctx: &ClaimContext) -> bool {
        self.covers_queue(ctx.queue) && self.limit_for(ctx).is_some()
    }

    /// Whether claims from `queue` count towards this rule.
    pub fn covers_queue(&self, queue: QueueId) -> bool {
        self.queue_id.is_none_or(|q| q == queue)
    }

    /// The effective maximum for the claiming partner: a partner-account override
    /// beats a tier override, which beats the rule's default. `None` = no limit.
    pub fn limit_for(&self, ctx: &ClaimContext) -> Option<u32> {
        let find = |target: OverrideTarget| self.overrides.iter().find(|o| o.target == target);
        match find(OverrideTarget::Partner(ctx.partner))
            .or_else(|| find(OverrideTarget::Tier(ctx.tier)))
        {
            Some(found) => found.max,
            None => Some(self.max),
        }
    }

    /// The rolling window's length, `None` for [`LimitKind::OpenAtOnce`].
    pub fn window(&self) -> Option<Duration> {
        match self.kind {
            LimitKind::OpenAtOnce => None,
            LimitKind::PerWindow { window_hours } => Some(Duration::hours(i64::from(window_hours))),
        }
    }

    /// The window start for PerWindow rules (now - window), None for OpenAtOnce.
    /// A claim counts when it was made strictly after this instant.
    pub fn window_start(&self, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.window().map(|window| now.saturating_sub(window))
    }

    /// Whether a claim made at `claimed_at` still counts at `now` for a PerWindow
    /// rule (`claimed_at > now - window`), so that a slot frees exactly at
    /// `claimed_at + window`. Always false for OpenAtOnce rules, which count
    /// held leads instead. The store's query must use the same strict comparison.
    pub fn in_window(&self, claimed_at: OffsetDateTime, now: OffsetDateTime) -> bool {
        self.window_start(now)
            .is_some_and(|start| claimed_at > start)
    }
}

/// Validates rules as an admin sends them (name 1..=80 chars, max 0..=100_000 — 0 means
/// "no claims at all", window_hours 1..=8760, no two overrides for the same target);
/// errors are [`DomainError::Validation`] with field keys like `rules[2].max`,
/// `rules[0].window_hours`, `rules[1].overrides[3].target` and message keys
/// `error-required`, `error-too-long`, `error-out-of-range`, `error-duplicate-override`,
/// and `error-duplicate` for a rule id sent twice.
pub fn validate_rules(rules: &[ClaimRule]) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    let mut ids = HashSet::new();
    for (i, rule) in rules.iter().enumerate() {
        let field = |name: &str| format!("rules[{i}].{name}");
        if !ids.insert(rule.id) {
            errors.add(&field("id"), "error-duplicate");
        }
        let name = rule.name.trim();
        if name.is_empty() {
            errors.add(&field("name"), "error-required");
        } else if name.chars().count() > NAME_MAX_CHARS {
            errors.add(&field("name"), "error-too-long");
        }
        if let LimitKind::PerWindow { window_hours } = rule.kind
            && !(1..=WINDOW_HOURS_MAX).contains(&window_hours)
        {
            errors.add(&field("window_hours"), "error-out-of-range");
        }
        if rule.max > MAX_LIMIT {
            errors.add(&field("max"), "error-out-of-range");
        }
        let mut targets = HashSet::new();
        for (j, o) in rule.overrides.iter().enumerate() {
            if !targets.insert(o.target) {
                errors.add(
                    &field(&format!("overrides[{j}].target")),
                    "error-duplicate-override",
                );
            }
            if o.max.is_some_and(|max| max > MAX_LIMIT) {
                errors.add(&field(&format!("overrides[{j}].max")), "error-out-of-range");
            }
        }
    }
    errors.into_result()
}

/// What the store counted for one rule: how many the subject holds now (OpenAtOnce) or
/// claimed within the window (PerWindow), in the rule's queue scope. For PerWindow also
/// the time of the oldest claim in the window, so the refusal can say when a slot frees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleUsage {
    pub rule: ClaimRuleId,
    pub used: u32,
    pub oldest_in_window: Option<OffsetDateTime>,
}

/// Why a claim was refused: the first full rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClaimRefusal {
    pub rule_id: ClaimRuleId,
    pub rule_name: String,
    #[serde(flatten)]
    pub kind: LimitKind,
    pub subject: LimitSubject,
    /// The effective maximum for the claiming partner (after overrides).
    pub max: u32,
    /// What the subject holds or has claimed in the window; at least `max`.
    pub used: u32,
    /// When the next claim becomes possible under this rule: for a PerWindow rule
    /// that is exactly full, the oldest counted claim's time plus the window. `None`
    /// for OpenAtOnce (a release frees a slot), for a maximum of 0 (nothing frees
    /// it), and when more than one claim must leave the window (the limit was
    /// lowered) or the oldest claim was not reported.
    #[schema(value_type = Option<String>, format = DateTime)]
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub frees_at: Option<OffsetDateTime>,
}

/// Allows the claim if every applicable rule has room for one more; otherwise the
/// first (in rule order) rule that is full. A missing usage entry for an applicable
/// rule counts as 0 used; rules that do not apply (other queue, lifted by override)
/// are ignored.
pub fn check_claim(
    rules: &[ClaimRule],
    ctx: &ClaimContext,
    usage: &[RuleUsage],
) -> Result<(), ClaimRefusal> {
    for rule in rules {
        if !rule.covers_queue(ctx.queue) {
            continue;
        }
        let Some(max) = rule.limit_for(ctx) else {
            continue;
        };
        let counted = usage.iter().find(|u| u.rule == rule.id);
        let used = counted.map_or(0, |u| u.used);
        if used < max {
            continue;
        }
        let frees_at = match (rule.window(), counted.and_then(|u| u.oldest_in_window)) {
            (Some(window), Some(oldest)) if max > 0 && used == max => {
                Some(oldest.saturating_add(window))
            }
            _ => None,
        };
        return Err(ClaimRefusal {
            rule_id: rule.id,
            rule_name: rule.name.clone(),
            kind: rule.kind,
            subject: rule.subject,
            max,
            used,
            frees_at,
        });
    }
    Ok(())
}

impl ClaimRefusal {
    /// Message-catalogue key and arguments for people. Every key gets the arguments
    /// `rule`, `max`, `used` and `subject` (`user` or `partner`); window keys also
    /// `hours`, and `claim-limit-window` `frees_at` (UTC, `2026-11-01 12:05 UTC`,
    /// rounded up to the minute; the `frees_at` field has the exact instant).
    ///
    /// - `claim-limit-none`: the maximum is 0;
    /// - `claim-limit-open`: too many open leads; a release frees a slot;
    /// - `claim-limit-window`: too many claims in the window; the next claim is
    ///   possible at `frees_at`;
    /// - `claim-limit-window-later`: the same, but when is not known.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let mut args = vec![
            ("rule", self.rule_name.clone()),
            ("max", self.max.to_string()),
            ("used", self.used.to_string()),
            ("subject", self.subject.as_str().to_owned()),
        ];
        let key = match (self.max, self.kind, self.frees_at) {
            (0, _, _) => "claim-limit-none",
            (_, LimitKind::OpenAtOnce, _) => "claim-limit-open",
            (_, LimitKind::PerWindow { window_hours }, frees_at) => {
                args.push(("hours", window_hours.to_string()));
                match frees_at {
                    Some(at) => {
                        args.push(("frees_at", format_time(at)));
                        "claim-limit-window"
                    }
                    None => "claim-limit-window-later",
                }
            }
        };
        (key, args)
    }

    /// The same in plain English, for logs and the API's `message` field.
    pub fn to_english(&self) -> String {
        let rule = &self.rule_name;
        let max = self.max;
        let subject = self.subject.english();
        match (self.max, self.kind, self.frees_at) {
            (0, _, _) => format!("The limit “{rule}” allows no claims here."),
            (_, LimitKind::OpenAtOnce, _) => format!(
                "You have reached the limit “{rule}”: {max} open {} per {subject}. \
                 Release, convert or close a lead to claim another.",
                plural(max, "lead", "leads")
            ),
            (_, LimitKind::PerWindow { window_hours }, frees_at) => {
                let head = format!(
                    "You have reached the limit “{rule}”: {max} {} per {subject} in {window_hours} {}.",
                    plural(max, "claim", "claims"),
                    plural(window_hours, "hour", "hours")
                );
                match frees_at {
                    Some(at) => {
                        format!("{head} The next claim is possible at {}.", format_time(at))
                    }
                    None => format!(
                        "{head} Claims count for {window_hours} {}; try again later.",
                        plural(window_hours, "hour", "hours")
                    ),
                }
            }
        }
    }
}

impl std::fmt::Display for ClaimRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_english())
    }
}

fn plural(n: u32, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// `2026-11-01 12:05 UTC`, rounded up to the next whole minute, so that a person
/// who tries at the shown time is never too early.
fn format_time(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let floor = utc
        .saturating_sub(Duration::seconds(i64::from(utc.second())))
        .saturating_sub(Duration::nanoseconds(i64::from(utc.nanosecond())));
    let shown = if floor < utc {
        floor.saturating_add(Duration::MINUTE)
    } else {
        floor
    };
    shown
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_else(|_| shown.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(0x1000 + n))
    }
    fn partner(n: u128) -> PartnerId {
        PartnerId(Uuid::from_u128(0x2000 + n))
    }
    fn queue(n: u128) -> QueueId {
        QueueId(Uuid::from_u128(0x3000 + n))
    }
    fn rule_id(n: u128) -> ClaimRuleId {
        ClaimRuleId(Uuid::from_u128(0x4000 + n))
    }

    fn rule(
        n: u128,
        kind: LimitKind,
        subject: LimitSubject,
        queue_id: Option<QueueId>,
        max: u32,
    ) -> ClaimRule {
        ClaimRule {
            id: rule_id(n),
            name: format!("Rule {n}"),
            kind,
            subject,
            queue_id,
            max,
            overrides: Vec::new(),
        }
    }

    fn ctx(tier: Tier, q: u128) -> ClaimContext {
        ClaimContext {
            user: user(0),
            partner: partner(0),
            tier,
            queue: queue(q),
        }
    }

    fn used(n: u128, used: u32) -> RuleUsage {
        RuleUsage {
            rule: rule_id(n),
            used,
            oldest_in_window: None,
        }
    }

    const WEEK: LimitKind = LimitKind::PerWindow { window_hours: 168 };

    #[test]
    fn a_queue_rule_applies_only_to_its_queue() {
        let r = rule(
            1,
            LimitKind::OpenAtOnce,
            LimitSubject::User,
            Some(queue(1)),
            2,
        );
        assert!(r.applies_to(&ctx(Tier::Gold, 1)));
        assert!(!r.applies_to(&ctx(Tier::Gold, 2)));
        let all = rule(2, LimitKind::OpenAtOnce, LimitSubject::User, None, 2);
        assert!(all.applies_to(&ctx(Tier::Gold, 1)));
        assert!(all.applies_to(&ctx(Tier::Gold, 2)));
        // Full, but for another queue: ignored.
        assert_eq!(
            check_claim(std::slice::from_ref(&r), &ctx(Tier::Gold, 2), &[used(1, 9)]),
            Ok(())
        );
        assert!(check_claim(&[r], &ctx(Tier::Gold, 1), &[used(1, 2)]).is_err());
    }

    #[test]
    fn a_tier_override_changes_the_limit_for_that_tier_only() {
        let mut r = rule(1, LimitKind::OpenAtOnce, LimitSubject::Partner, None, 2);
        r.overrides.push(ClaimOverride {
            target: OverrideTarget::Tier(Tier::Gold),
            max: Some(10),
        });
        assert_eq!(r.limit_for(&ctx(Tier::Gold, 1)), Some(10));
        assert_eq!(r.limit_for(&ctx(Tier::Silver, 1)), Some(2));
        assert_eq!(
            check_claim(std::slice::from_ref(&r), &ctx(Tier::Gold, 1), &[used(1, 9)]),
            Ok(())
        );
        assert!(check_claim(&[r], &ctx(Tier::Silver, 1), &[used(1, 2)]).is_err());
    }

    #[test]
    fn a_partner_override_beats_a_tier_override_in_any_order() {
        let tier = ClaimOverride {
            target: OverrideTarget::Tier(Tier::Gold),
            max: Some(10),
        };
        let own = ClaimOverride {
            target: OverrideTarget::Partner(partner(0)),
            max: Some(1),
        };
        let other = ClaimOverride {
            target: OverrideTarget::Partner(partner(1)),
            max: Some(50),
        };
        for overrides in [
            vec![tier.clone(), own.clone(), other.clone()],
            vec![other.clone(), own.clone(), tier.clone()],
        ] {
            let mut r = rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 3);
            r.overrides = overrides;
            assert_eq!(r.limit_for(&ctx(Tier::Gold, 1)), Some(1));
            let someone_else = ClaimContext {
                partner: partner(2),
                ..ctx(Tier::Gold, 1)
            };
            assert_eq!(r.limit_for(&someone_else), Some(10));
            let other_partner = ClaimContext {
                partner: partner(1),
                ..ctx(Tier::Silver, 1)
            };
            assert_eq!(r.limit_for(&other_partner), Some(50));
        }
    }

    #[test]
    fn an_override_without_a_maximum_lifts_the_limit() {
        let mut r = rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 0);
        r.overrides.push(ClaimOverride {
            target: OverrideTarget::Tier(Tier::Platinum),
            max: None,
        });
        let platinum = ctx(Tier::Platinum, 1);
        assert_eq!(r.limit_for(&platinum), None);
        assert!(!r.applies_to(&platinum));
        assert_eq!(
            check_claim(std::slice::from_ref(&r), &platinum, &[used(1, 1_000)]),
            Ok(())
        );
        // A partner override can put a limit back for one platinum partner.
        r.overrides.push(ClaimOverride {
            target: OverrideTarget::Partner(partner(0)),
            max: Some(4),
        });
        assert_eq!(r.limit_for(&platinum), Some(4));
        assert!(check_claim(&[r], &platinum, &[used(1, 4)]).is_err());
    }

    #[test]
    fn a_maximum_of_zero_allows_no_claims() {
        let r = rule(1, WEEK, LimitSubject::Partner, Some(queue(1)), 0);
        let refusal = check_claim(&[r], &ctx(Tier::Registered, 1), &[]).unwrap_err();
        assert_eq!((refusal.max, refusal.used, refusal.frees_at), (0, 0, None));
        assert_eq!(refusal.message().0, "claim-limit-none");
        assert_eq!(
            refusal.to_english(),
            "The limit “Rule 1” allows no claims here."
        );
    }

    #[test]
    fn a_missing_usage_counts_as_nothing_used() {
        let r = rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 1);
        assert_eq!(
            check_claim(std::slice::from_ref(&r), &ctx(Tier::Gold, 1), &[]),
            Ok(())
        );
        assert_eq!(
            check_claim(&[r], &ctx(Tier::Gold, 1), &[used(7, 5)]),
            Ok(())
        );
        assert_eq!(check_claim(&[], &ctx(Tier::Gold, 1), &[used(1, 5)]), Ok(()));
    }

    #[test]
    fn the_window_starts_window_hours_before_now() {
        let now = datetime!(2026-11-08 12:00 UTC);
        let open = rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 1);
        assert_eq!(open.window_start(now), None);
        assert!(!open.in_window(now, now));
        let week = rule(2, WEEK, LimitSubject::User, None, 1);
        assert_eq!(
            week.window_start(now),
            Some(datetime!(2026-11-01 12:00 UTC))
        );
        let day = rule(
            3,
            LimitKind::PerWindow { window_hours: 24 },
            LimitSubject::User,
            None,
            1,
        );
        assert_eq!(day.window_start(now), Some(datetime!(2026-11-07 12:00 UTC)));
        // Strictly after the start: a claim stops counting exactly one window later.
        assert!(day.in_window(datetime!(2026-11-07 12:00:01 UTC), now));
        assert!(!day.in_window(datetime!(2026-11-07 12:00 UTC), now));
        assert!(day.in_window(now, now));
    }

    #[test]
    fn the_first_full_rule_in_order_is_reported() {
        let rules = [
            rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 5),
            rule(
                2,
                LimitKind::OpenAtOnce,
                LimitSubject::Partner,
                Some(queue(2)),
                1,
            ),
            rule(3, WEEK, LimitSubject::User, None, 2),
            rule(4, LimitKind::OpenAtOnce, LimitSubject::Partner, None, 3),
        ];
        let usage = [used(1, 4), used(2, 9), used(3, 2), used(4, 3)];
        let refusal = check_claim(&rules, &ctx(Tier::Silver, 1), &usage).unwrap_err();
        assert_eq!(refusal.rule_id, rule_id(3));
        assert_eq!(refusal.rule_name, "Rule 3");
        assert_eq!((refusal.kind, refusal.subject), (WEEK, LimitSubject::User));
        assert_eq!((refusal.max, refusal.used), (2, 2));
        let refusal = check_claim(&rules, &ctx(Tier::Silver, 2), &usage).unwrap_err();
        assert_eq!(refusal.rule_id, rule_id(2));
    }

    #[test]
    fn a_full_window_frees_when_its_oldest_claim_leaves_it() {
        let r = rule(
            1,
            LimitKind::PerWindow { window_hours: 48 },
            LimitSubject::User,
            None,
            3,
        );
        let oldest = datetime!(2026-11-01 09:30:15 UTC);
        let usage = RuleUsage {
            rule: rule_id(1),
            used: 3,
            oldest_in_window: Some(oldest),
        };
        let refusal =
            check_claim(std::slice::from_ref(&r), &ctx(Tier::Gold, 1), &[usage]).unwrap_err();
        assert_eq!(refusal.frees_at, Some(datetime!(2026-11-03 09:30:15 UTC)));
        assert!(!r.in_window(oldest, datetime!(2026-11-03 09:30:15 UTC)));
        let (key, args) = refusal.message();
        assert_eq!(key, "claim-limit-window");
        assert_eq!(
            args,
            vec![
                ("rule", "Rule 1".to_owned()),
                ("max", "3".to_owned()),
                ("used", "3".to_owned()),
                ("subject", "user".to_owned()),
                ("hours", "48".to_owned()),
                ("frees_at", "2026-11-03 09:31 UTC".to_owned()),
            ]
        );
        assert_eq!(
            refusal.to_english(),
            "You have reached the limit “Rule 1”: 3 claims per user in 48 hours. \
             The next claim is possible at 2026-11-03 09:31 UTC."
        );
        // Over the limit (it was lowered): one claim leaving is not enough, so no time is promised.
        let over = RuleUsage { used: 4, ..usage };
        let refusal =
            check_claim(std::slice::from_ref(&r), &ctx(Tier::Gold, 1), &[over]).unwrap_err();
        assert_eq!(refusal.frees_at, None);
        assert_eq!(refusal.message().0, "claim-limit-window-later");
        assert_eq!(
            refusal.to_english(),
            "You have reached the limit “Rule 1”: 3 claims per user in 48 hours. \
             Claims count for 48 hours; try again later."
        );
    }

    #[test]
    fn times_are_shown_in_utc_rounded_up_to_the_minute() {
        assert_eq!(
            format_time(datetime!(2026-11-03 09:31 UTC)),
            "2026-11-03 09:31 UTC"
        );
        assert_eq!(
            format_time(datetime!(2026-11-03 09:31:00.001 UTC)),
            "2026-11-03 09:32 UTC"
        );
        assert_eq!(
            format_time(datetime!(2026-11-03 23:59:30 +01:00)),
            "2026-11-03 23:00 UTC"
        );
    }

    #[test]
    fn an_open_limit_says_that_a_release_frees_it() {
        let r = rule(1, LimitKind::OpenAtOnce, LimitSubject::Partner, None, 1);
        let refusal = check_claim(&[r], &ctx(Tier::Gold, 1), &[used(1, 1)]).unwrap_err();
        assert_eq!(refusal.frees_at, None);
        let (key, args) = refusal.message();
        assert_eq!(key, "claim-limit-open");
        assert!(args.contains(&("subject", "partner".to_owned())));
        assert_eq!(
            refusal.to_string(),
            "You have reached the limit “Rule 1”: 1 open lead per partner account. \
             Release, convert or close a lead to claim another."
        );
    }

    fn field_errors(rules: &[ClaimRule]) -> Vec<(String, String)> {
        match validate_rules(rules) {
            Ok(()) => Vec::new(),
            Err(DomainError::Validation(errors)) => errors.0.into_iter().collect(),
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }

    fn pair(field: &str, key: &str) -> (String, String) {
        (field.to_owned(), key.to_owned())
    }

    #[test]
    fn sensible_rules_are_valid() {
        let mut a = rule(
            1,
            LimitKind::PerWindow {
                window_hours: 8_760,
            },
            LimitSubject::User,
            None,
            100_000,
        );
        a.overrides = vec![
            ClaimOverride {
                target: OverrideTarget::Tier(Tier::Gold),
                max: None,
            },
            ClaimOverride {
                target: OverrideTarget::Tier(Tier::Silver),
                max: Some(0),
            },
            ClaimOverride {
                target: OverrideTarget::Partner(partner(0)),
                max: Some(100_000),
            },
        ];
        let mut b = rule(
            2,
            LimitKind::PerWindow { window_hours: 1 },
            LimitSubject::Partner,
            Some(queue(1)),
            0,
        );
        b.name = "x".repeat(80);
        assert_eq!(field_errors(&[a, b]), vec![]);
        assert_eq!(field_errors(&[]), vec![]);
    }

    #[test]
    fn bad_rules_are_named_by_index_and_field() {
        let good = rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 1);
        let mut blank = rule(
            2,
            LimitKind::PerWindow { window_hours: 0 },
            LimitSubject::User,
            None,
            100_001,
        );
        blank.name = "  ".into();
        let mut long = rule(
            3,
            LimitKind::PerWindow {
                window_hours: 8_761,
            },
            LimitSubject::User,
            None,
            1,
        );
        long.name = "é".repeat(81);
        let mut overridden = rule(1, LimitKind::OpenAtOnce, LimitSubject::User, None, 1);
        overridden.overrides = vec![
            ClaimOverride {
                target: OverrideTarget::Tier(Tier::Gold),
                max: Some(1),
            },
            ClaimOverride {
                target: OverrideTarget::Partner(partner(0)),
                max: Some(100_001),
            },
            ClaimOverride {
                target: OverrideTarget::Tier(Tier::Gold),
                max: None,
            },
            ClaimOverride {
                target: OverrideTarget::Tier(Tier::Silver),
                max: None,
            },
        ];
        let mut errors = field_errors(&[good, blank, long, overridden]);
        errors.sort();
        assert_eq!(
            errors,
            vec![
                pair("rules[1].max", "error-out-of-range"),
                pair("rules[1].name", "error-required"),
                pair("rules[1].window_hours", "error-out-of-range"),
                pair("rules[2].name", "error-too-long"),
                pair("rules[2].window_hours", "error-out-of-range"),
                pair("rules[3].id", "error-duplicate"),
                pair("rules[3].overrides[1].max", "error-out-of-range"),
                pair("rules[3].overrides[2].target", "error-duplicate-override"),
            ]
        );
    }

    // ---- Property tests ----

    const USERS: u128 = 3;
    const PARTNERS: u128 = 2;
    const QUEUES: u128 = 2;
    const START: OffsetDateTime = datetime!(2026-11-01 08:00 UTC);

    fn tier_strategy() -> impl Strategy<Value = Tier> {
        prop::sample::select(Tier::ALL.to_vec())
    }

    fn override_strategy() -> impl Strategy<Value = ClaimOverride> {
        let target = prop_oneof![
            tier_strategy().prop_map(OverrideTarget::Tier),
            (0..PARTNERS).prop_map(|p| OverrideTarget::Partner(partner(p))),
        ];
        (target, prop::option::weighted(0.8, 0u32..=5))
            .prop_map(|(target, max)| ClaimOverride { target, max })
    }

    fn rule_strategy() -> impl Strategy<Value = ClaimRule> {
        let kind = prop_oneof![
            Just(LimitKind::OpenAtOnce),
            (1u32..=4).prop_map(|window_hours| LimitKind::PerWindow { window_hours }),
        ];
        let subject = prop_oneof![Just(LimitSubject::User), Just(LimitSubject::Partner)];
        let queue_id = prop::option::of((0..QUEUES).prop_map(queue));
        let overrides = prop::collection::vec(override_strategy(), 0..=3);
        (kind, subject, queue_id, 0u32..=5, overrides).prop_map(
            |(kind, subject, queue_id, max, overrides)| {
                // Keep the first override per target, as validation demands.
                let mut seen = HashSet::new();
                let overrides = overrides
                    .into_iter()
                    .filter(|o| seen.insert(o.target))
                    .collect();
                ClaimRule {
                    id: rule_id(0),
                    name: "generated".into(),
                    kind,
                    subject,
                    queue_id,
                    max,
                    overrides,
                }
            },
        )
    }

    fn rules_strategy() -> impl Strategy<Value = Vec<ClaimRule>> {
        prop::collection::vec(rule_strategy(), 1..=4).prop_map(|mut rules| {
            for (i, r) in rules.iter_mut().enumerate() {
                r.id = rule_id(i as u128);
                r.name = format!("Rule {i}");
            }
            rules
        })
    }

    fn any_ctx() -> impl Strategy<Value = ClaimContext> {
        (0..USERS, 0..PARTNERS, tier_strategy(), 0..QUEUES).prop_map(|(u, p, tier, q)| {
            ClaimContext {
                user: user(u),
                partner: partner(p),
                tier,
                queue: queue(q),
            }
        })
    }

    #[derive(Clone, Debug)]
    enum Step {
        Claim {
            user: usize,
            queue: u128,
            minutes: i64,
        },
        Release {
            pick: usize,
            minutes: i64,
        },
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => (0..USERS as usize, 0..QUEUES, 0i64..=45).prop_map(|(user, queue, minutes)| Step::Claim { user, queue, minutes }),
            1 => (any::<usize>(), 0i64..=45).prop_map(|(pick, minutes)| Step::Release { pick, minutes }),
        ]
    }

    /// A partner user: who they are and the partner account (with its tier) they belong to.
    #[derive(Clone, Copy, Debug)]
    struct Member {
        user: UserId,
        partner: PartnerId,
        tier: Tier,
    }

    #[derive(Clone, Copy, Debug)]
    struct Claim {
        user: UserId,
        partner: PartnerId,
        queue: QueueId,
        at: OffsetDateTime,
    }

    /// What the store would hold: the open claimed leads and every claim ever made.
    #[derive(Default)]
    struct Ledger {
        held: Vec<Claim>,
        history: Vec<Claim>,
    }

    impl Ledger {
        /// Counts exactly as the store does: the subject's claims in the rule's queue scope.
        fn usage(&self, rule: &ClaimRule, subject: &Member, now: OffsetDateTime) -> RuleUsage {
            let mine = |c: &&Claim| {
                rule.covers_queue(c.queue)
                    && match rule.subject {
                        LimitSubject::User => c.user == subject.user,
                        LimitSubject::Partner => c.partner == subject.partner,
                    }
            };
            let (used, oldest_in_window) = match rule.kind {
                LimitKind::OpenAtOnce => (self.held.iter().filter(mine).count(), None),
                LimitKind::PerWindow { .. } => {
                    let counted: Vec<_> = self
                        .history
                        .iter()
                        .filter(mine)
                        .filter(|c| rule.in_window(c.at, now))
                        .collect();
                    (counted.len(), counted.iter().map(|c| c.at).min())
                }
            };
            RuleUsage {
                rule: rule.id,
                used: u32::try_from(used).unwrap(),
                oldest_in_window,
            }
        }
    }

    fn ctx_of(member: &Member, queue: QueueId) -> ClaimContext {
        ClaimContext {
            user: member.user,
            partner: member.partner,
            tier: member.tier,
            queue,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Random rules, users and partners claim and release over time; the
        /// ledger never shows anyone over any limit, and every answer of
        /// `check_claim` is the one the rules call for.
        #[test]
        fn nobody_ever_holds_or_takes_more_than_a_limit_allows(
            rules in rules_strategy(),
            tiers in prop::collection::vec(tier_strategy(), PARTNERS as usize),
            user_partner in prop::collection::vec(0..PARTNERS as usize, USERS as usize),
            steps in prop::collection::vec(step_strategy(), 1..=60),
        ) {
            prop_assert!(validate_rules(&rules).is_ok());
            let members: Vec<Member> = user_partner.iter().enumerate().map(|(u, &p)| Member {
                user: user(u as u128),
                partner: partner(p as u128),
                tier: tiers[p],
            }).collect();
            let mut ledger = Ledger::default();
            let mut now = START;
            for step in steps {
                match step {
                    Step::Claim { user, queue: q, minutes } => {
                        now += Duration::minutes(minutes);
                        let member = members[user];
                        let ctx = ctx_of(&member, queue(q));
                        let usage: Vec<RuleUsage> = rules.iter().filter(|r| r.applies_to(&ctx)).map(|r| ledger.usage(r, &member, now)).collect();
                        let first_full = rules.iter().find(|r| {
                            r.applies_to(&ctx) && r.limit_for(&ctx).is_some_and(|max| ledger.usage(r, &member, now).used >= max)
                        });
                        match check_claim(&rules, &ctx, &usage) {
                            Ok(()) => {
                                prop_assert!(first_full.is_none(), "allowed although {:?} is full", first_full);
                                let claim = Claim { user: member.user, partner: member.partner, queue: ctx.queue, at: now };
                                ledger.held.push(claim);
                                ledger.history.push(claim);
                            }
                            Err(refusal) => {
                                let full = first_full.unwrap();
                                prop_assert_eq!(refusal.rule_id, full.id);
                                prop_assert_eq!(Some(refusal.max), full.limit_for(&ctx));
                                prop_assert!(refusal.used >= refusal.max);
                                if let Some(at) = refusal.frees_at {
                                    // At that moment the rule has room again, if nothing else happens.
                                    prop_assert!(at > now);
                                    prop_assert!(ledger.usage(full, &member, at).used < refusal.max);
                                    prop_assert_eq!(ledger.usage(full, &member, at - Duration::nanoseconds(1)).used, refusal.max);
                                }
                            }
                        }
                    }
                    Step::Release { pick, minutes } => {
                        now += Duration::minutes(minutes);
                        if !ledger.held.is_empty() {
                            let i = pick % ledger.held.len();
                            ledger.held.remove(i);
                        }
                    }
                }
                // The invariant: for every rule and every subject, what is counted in
                // the rule's scope is within the subject's limit.
                for rule in &rules {
                    for member in &members {
                        let Some(max) = rule.limit_for(&ctx_of(member, queue(0))) else { continue };
                        let counted = ledger.usage(rule, member, now).used;
                        prop_assert!(counted <= max, "{} counts {} > {} for {:?}", rule.name, counted, max, member);
                    }
                }
            }
        }

        /// A refused claim stays refused when any usage grows.
        #[test]
        fn more_usage_never_turns_a_refusal_into_a_claim(
            rules in rules_strategy(),
            ctx in any_ctx(),
            before in prop::collection::vec(prop::option::weighted(0.8, 0u32..=7), 4),
            growth in prop::collection::vec(0u32..=5, 4),
        ) {
            let usage = |extra: &dyn Fn(usize) -> u32| -> Vec<RuleUsage> {
                rules.iter().enumerate().filter_map(|(i, r)| {
                    let base = before[i];
                    let grown = base.unwrap_or(0) + extra(i);
                    (base.is_some() || extra(i) > 0).then_some(RuleUsage { rule: r.id, used: grown, oldest_in_window: None })
                }).collect()
            };
            let small = usage(&|_| 0);
            let large = usage(&|i| growth[i]);
            if check_claim(&rules, &ctx, &small).is_err() {
                let refusal = check_claim(&rules, &ctx, &large);
                prop_assert!(refusal.is_err());
            }
        }

        /// When every applicable rule has room, the claim is allowed, whatever the
        /// rules that do not apply have counted; an applicable maximum of 0 refuses.
        #[test]
        fn room_under_every_applicable_rule_allows_the_claim(
            rules in rules_strategy(),
            ctx in any_ctx(),
            raw in prop::collection::vec(0u32..=1_000, 4),
        ) {
            let usage: Vec<RuleUsage> = rules.iter().enumerate().map(|(i, r)| RuleUsage {
                rule: r.id,
                used: match (r.applies_to(&ctx), r.limit_for(&ctx)) {
                    (true, Some(max)) if max > 0 => raw[i] % max,
                    _ => raw[i],
                },
                oldest_in_window: Some(START),
            }).collect();
            let zero = rules.iter().find(|r| r.applies_to(&ctx) && r.limit_for(&ctx) == Some(0));
            match zero {
                None => prop_assert_eq!(check_claim(&rules, &ctx, &usage), Ok(())),
                Some(r) => {
                    let refusal = check_claim(&rules, &ctx, &usage).unwrap_err();
                    prop_assert_eq!(refusal.rule_id, r.id);
                    prop_assert_eq!(refusal.max, 0);
                }
            }
        }
    }
}
