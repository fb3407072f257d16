//! Where an assignment rule sends a lead, and how the shared targets choose
//! one partner: round-robin (plain or weighted by tier) and most free
//! capacity under the claim rules.
//!
//! The choices are pure functions of what the store read in the routing
//! transaction: the candidates, the rule's round-robin counter and each
//! candidate's usage. The store keeps the counter and serialises its use.

use serde::{Deserialize, Serialize};

use crate::{
    PartnerId, QueueId, Tier, UserId,
    claim_rules::{ClaimContext, ClaimRule, LimitSubject, RuleUsage},
};

/// Where a rule sends a lead.
///
/// In JSON: `{"kind": "partner", "partner_id": …}`, `{"kind": "user",
/// "user_id": …}`, `{"kind": "queue", "queue_id": …}`, `{"kind":
/// "round_robin", "queue_id": …}`, `{"kind": "tier_weighted", "queue_id": …}`,
/// `{"kind": "capacity", "queue_id": …}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// The partner account's inbox, for any of its people to accept.
    Partner { partner_id: PartnerId },
    /// One partner user's inbox.
    User { user_id: UserId },
    /// A queue, for its member partners to claim.
    Queue { queue_id: QueueId },
    /// The inbox of the queue's member partners in turn.
    RoundRobin { queue_id: QueueId },
    /// In turn, a partner getting as many leads as its tier's weight
    /// ([`Tier::routing_weight`]) per round.
    TierWeighted { queue_id: QueueId },
    /// The inbox of the member partner with the most free capacity under
    /// the claim rules for that queue.
    Capacity { queue_id: QueueId },
}

impl Target {
    /// The stable name of the kind (`round_robin`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Partner { .. } => "partner",
            Target::User { .. } => "user",
            Target::Queue { .. } => "queue",
            Target::RoundRobin { .. } => "round_robin",
            Target::TierWeighted { .. } => "tier_weighted",
            Target::Capacity { .. } => "capacity",
        }
    }

    pub const KINDS: [&'static str; 6] = [
        "partner",
        "user",
        "queue",
        "round_robin",
        "tier_weighted",
        "capacity",
    ];

    /// The queue a queue-based target names.
    pub fn queue(&self) -> Option<QueueId> {
        match *self {
            Target::Queue { queue_id }
            | Target::RoundRobin { queue_id }
            | Target::TierWeighted { queue_id }
            | Target::Capacity { queue_id } => Some(queue_id),
            Target::Partner { .. } | Target::User { .. } => None,
        }
    }
}

/// The partner whose turn it is. `candidates` are the eligible partners with
/// their weights (1 each for plain round-robin), in any order; `counter` is
/// how many leads the rule has handed out before.
///
/// The turns follow smooth weighted round-robin over the candidates sorted by
/// id, so every run of `total weight` consecutive turns gives each partner
/// exactly its weight, spread out rather than in blocks. `None` when there is
/// nobody (or every weight is 0).
pub fn round_robin(candidates: &[(PartnerId, u32)], counter: u64) -> Option<PartnerId> {
    let mut sorted: Vec<(PartnerId, i64)> = candidates
        .iter()
        .filter(|(_, w)| *w > 0)
        .map(|(p, w)| (*p, i64::from(*w)))
        .collect();
    sorted.sort_by_key(|(p, _)| *p);
    sorted.dedup_by_key(|(p, _)| *p);
    let total: i64 = sorted.iter().map(|(_, w)| w).sum();
    let total_u = u64::try_from(total).ok().filter(|t| *t > 0)?;
    let turn = counter % total_u;
    let mut current = vec![0i64; sorted.len()];
    let mut chosen = None;
    for _ in 0..=turn {
        for (c, (_, w)) in current.iter_mut().zip(&sorted) {
            *c += w;
        }
        let best = current
            .iter()
            .enumerate()
            .max_by(|(i, a), (j, b)| a.cmp(b).then(j.cmp(i)))
            .map(|(i, _)| i)?;
        current[best] -= total;
        chosen = Some(sorted[best].0);
    }
    chosen
}

/// One partner in the running for a capacity target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CapacityCandidate {
    pub partner: PartnerId,
    pub tier: Tier,
    /// The usage of each claim rule counted for this partner.
    pub usage: Vec<RuleUsage>,
    /// Open leads the partner holds now, to break ties.
    pub held: u32,
}

/// How many more leads the partner may take under the partner-account claim
/// rules that cover `queue`: the least room left under any of them; `None`
/// when no rule limits it. Per-user rules limit people, not the company, and
/// are left to the claim itself.
pub fn free_capacity(
    rules: &[ClaimRule],
    queue: QueueId,
    candidate: &CapacityCandidate,
) -> Option<u32> {
    let ctx = ClaimContext {
        // Only partner-account rules are asked, and they never look at the user.
        user: UserId(uuid::Uuid::nil()),
        partner: candidate.partner,
        tier: candidate.tier,
        queue,
    };
    rules
        .iter()
        .filter(|r| r.subject == LimitSubject::Partner && r.covers_queue(queue))
        .filter_map(|r| {
            let max = r.limit_for(&ctx)?;
            let used = candidate
                .usage
                .iter()
                .find(|u| u.rule == r.id)
                .map_or(0, |u| u.used);
            Some(max.saturating_sub(used))
        })
        .min()
}

/// The partner with the most room: unlimited beats any number; ties go to
/// the partner holding fewer open leads, then to the lower id so the answer
/// is the same on every instance. `None` when everybody is full.
pub fn most_free(
    rules: &[ClaimRule],
    queue: QueueId,
    candidates: &[CapacityCandidate],
) -> Option<PartnerId> {
    candidates
        .iter()
        .filter_map(|c| {
            let free = free_capacity(rules, queue, c);
            (free != Some(0)).then_some((free.map_or(u64::MAX, u64::from), c))
        })
        .max_by(|(fa, a), (fb, b)| {
            fa.cmp(fb)
                .then(b.held.cmp(&a.held))
                .then(b.partner.cmp(&a.partner))
        })
        .map(|(_, c)| c.partner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ClaimRuleId,
        claim_rules::{ClaimOverride, LimitKind, OverrideTarget},
    };
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn partners(n: usize) -> Vec<PartnerId> {
        let mut ps: Vec<_> = (0..n).map(|_| PartnerId::new()).collect();
        ps.sort();
        ps
    }

    #[test]
    fn plain_round_robin_takes_turns_in_id_order() {
        let ps = partners(3);
        let cands: Vec<_> = ps.iter().rev().map(|p| (*p, 1)).collect();
        let turns: Vec<_> = (0..6).map(|i| round_robin(&cands, i).unwrap()).collect();
        assert_eq!(turns, [ps[0], ps[1], ps[2], ps[0], ps[1], ps[2]]);
        assert_eq!(round_robin(&[], 5), None);
        assert_eq!(round_robin(&[(ps[0], 0)], 5), None);
    }

    #[test]
    fn weighted_turns_are_spread_out() {
        let ps = partners(2);
        let turns: Vec<_> = (0..4)
            .map(|i| round_robin(&[(ps[0], 1), (ps[1], 3)], i).unwrap())
            .collect();
        // The light partner's turn comes between the heavy one's, not after them.
        assert_eq!(turns, [ps[1], ps[0], ps[1], ps[1]]);
    }

    fn rule(max: u32, queue: Option<QueueId>, overrides: Vec<ClaimOverride>) -> ClaimRule {
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Open leads".into(),
            kind: LimitKind::OpenAtOnce,
            subject: LimitSubject::Partner,
            queue_id: queue,
            max,
            overrides,
        }
    }

    fn candidate(
        partner: PartnerId,
        tier: Tier,
        usage: &[(&ClaimRule, u32)],
        held: u32,
    ) -> CapacityCandidate {
        CapacityCandidate {
            partner,
            tier,
            usage: usage
                .iter()
                .map(|(r, used)| RuleUsage {
                    rule: r.id,
                    used: *used,
                    oldest_in_window: None,
                })
                .collect(),
            held,
        }
    }

    #[test]
    fn capacity_goes_to_the_partner_with_most_room() {
        let q = QueueId::new();
        let ps = partners(3);
        let gold = rule(
            5,
            None,
            vec![ClaimOverride {
                target: OverrideTarget::Tier(Tier::Gold),
                max: Some(20),
            }],
        );
        let rules = vec![gold.clone()];
        let cands = vec![
            candidate(ps[0], Tier::Silver, &[(&gold, 1)], 1),
            candidate(ps[1], Tier::Gold, &[(&gold, 12)], 12),
            candidate(ps[2], Tier::Silver, &[(&gold, 5)], 5),
        ];
        // 4, 8 and 0 free.
        assert_eq!(free_capacity(&rules, q, &cands[2]), Some(0));
        assert_eq!(most_free(&rules, q, &cands), Some(ps[1]));
        // Everybody full: nobody.
        let full = vec![candidate(ps[2], Tier::Silver, &[(&gold, 7)], 7)];
        assert_eq!(most_free(&rules, q, &full), None);
        // A rule for another queue, or per user, does not limit the partner.
        let other = rule(1, Some(QueueId::new()), vec![]);
        let per_user = ClaimRule {
            subject: LimitSubject::User,
            ..rule(1, None, vec![])
        };
        let c = candidate(ps[0], Tier::Silver, &[(&other, 5), (&per_user, 5)], 5);
        assert_eq!(free_capacity(&[other, per_user], q, &c), None);
    }

    #[test]
    fn capacity_ties_go_to_fewer_held_leads_then_lower_id() {
        let q = QueueId::new();
        let ps = partners(2);
        let cands = vec![
            candidate(ps[0], Tier::Gold, &[], 4),
            candidate(ps[1], Tier::Gold, &[], 2),
        ];
        assert_eq!(most_free(&[], q, &cands), Some(ps[1]));
        let cands = vec![
            candidate(ps[1], Tier::Gold, &[], 2),
            candidate(ps[0], Tier::Gold, &[], 2),
        ];
        assert_eq!(most_free(&[], q, &cands), Some(ps[0]));
    }

    proptest! {
        #[test]
        fn every_round_gives_each_partner_its_weight(
            weights in proptest::collection::vec(1u32..5, 1..6),
            start in 0u64..1000,
        ) {
            let ps = partners(weights.len());
            let cands: Vec<_> = ps.iter().copied().zip(weights.iter().copied()).collect();
            let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
            // A round starts at a multiple of the total weight.
            let first = (start / total) * total;
            let mut got: HashMap<PartnerId, u32> = HashMap::new();
            for i in first..first + total {
                *got.entry(round_robin(&cands, i).unwrap()).or_default() += 1;
            }
            for (p, w) in &cands {
                prop_assert_eq!(got.get(p).copied().unwrap_or(0), *w);
            }
        }
    }
}
