//! Routing many new leads at once: an import of a trade-show list.
//!
//! One lead at a time, the store asks the database for each round-robin turn
//! and each capacity count. For an import that would be tens of statements a
//! row. Instead the store reads, once and inside the import's transaction,
//! every rule's round-robin counter and the claim usage of every partner a
//! capacity rule could choose; [`BatchRouter`] then places the rows in memory,
//! advancing the counters and adding each placed lead to its partner's usage
//! as the database would count it, and the store writes the counters back.
//! The outcome is the one routing the rows one by one would give.
//!
//! New leads have no decliners, so none are skipped for that.

use std::collections::{HashMap, HashSet};

use crate::{
    AssignmentRuleId, PartnerId,
    claim_rules::{ClaimRule, LimitSubject, RuleUsage},
    leads::LeadFields,
};

use super::{
    AssignmentRule, AssignmentRules, CapacityCandidate, Directory, Offer, Placement, Target,
    decided, most_free, offers, round_robin,
};

/// What a partner already holds, as a capacity rule weighs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartnerLoad {
    /// The usage of every partner-account claim rule, whatever queue it covers.
    pub usage: Vec<RuleUsage>,
    /// Open leads the partner holds or has waiting, in any queue.
    pub held: u32,
}

/// Places new leads by the rules, in memory, from counters and loads read once.
#[derive(Debug)]
pub struct BatchRouter<'a> {
    config: &'a AssignmentRules,
    directory: &'a Directory,
    claim_rules: &'a [ClaimRule],
    counters: HashMap<AssignmentRuleId, u64>,
    loads: HashMap<PartnerId, PartnerLoad>,
    advanced: HashSet<AssignmentRuleId>,
}

impl<'a> BatchRouter<'a> {
    /// `counters` holds the round-robin counter of every rule still in the
    /// database (a rule missing from it was removed meanwhile and places
    /// nobody); `loads` the load of every partner [`Self::capacity_partners`]
    /// names.
    pub fn new(
        config: &'a AssignmentRules,
        directory: &'a Directory,
        claim_rules: &'a [ClaimRule],
        counters: HashMap<AssignmentRuleId, u64>,
        loads: HashMap<PartnerId, PartnerLoad>,
    ) -> Self {
        BatchRouter {
            config,
            directory,
            claim_rules,
            counters,
            loads,
            advanced: HashSet::new(),
        }
    }

    /// The partners a capacity rule could choose: the members of each
    /// capacity target's queue. Their loads must be read before routing.
    pub fn capacity_partners(config: &AssignmentRules, directory: &Directory) -> Vec<PartnerId> {
        let mut partners: Vec<PartnerId> = config
            .rules
            .iter()
            .filter_map(|rule| match rule.target {
                Target::Capacity { queue_id } => directory.queues.get(&queue_id),
                _ => None,
            })
            .flatten()
            .copied()
            .collect();
        partners.sort_unstable();
        partners.dedup();
        partners
    }

    /// The rules whose counters moved, with their new values, to write back.
    pub fn advanced_counters(&self) -> Vec<(AssignmentRuleId, u64)> {
        let mut advanced: Vec<_> = self
            .advanced
            .iter()
            .filter_map(|id| self.counters.get(id).map(|c| (*id, *c)))
            .collect();
        advanced.sort_unstable();
        advanced
    }

    /// Where one new lead goes and the rule that sent it there (`None` for
    /// the fallback), counting it against whoever gets it.
    pub fn place(&mut self, lead: &LeadFields) -> (Option<&'a AssignmentRule>, Placement) {
        let no_decliners = HashSet::new();
        let config: &'a AssignmentRules = self.config;
        let directory: &'a Directory = self.directory;
        let mut chosen = None;
        for (rule, offer) in offers(&config.rules, lead, directory, &no_decliners) {
            let placement = match offer {
                Offer::Place(place) => Some(place),
                Offer::RoundRobin { queue, candidates } => {
                    // The database advances a counter whether or not anyone
                    // is chosen; so does this.
                    self.counters.get_mut(&rule.id).and_then(|counter| {
                        let turn = round_robin(&candidates, *counter);
                        *counter += 1;
                        self.advanced.insert(rule.id);
                        turn.map(|partner| Placement::Partner {
                            partner,
                            queue: Some(queue),
                        })
                    })
                }
                Offer::Capacity { queue, candidates } => {
                    let running: Vec<CapacityCandidate> = candidates
                        .into_iter()
                        .map(|(partner, tier)| {
                            let load = self.loads.get(&partner).cloned().unwrap_or_default();
                            CapacityCandidate {
                                partner,
                                tier,
                                usage: load.usage,
                                held: load.held,
                            }
                        })
                        .collect();
                    most_free(self.claim_rules, queue, &running).map(|partner| Placement::Partner {
                        partner,
                        queue: Some(queue),
                    })
                }
            };
            if let Some(place) = placement {
                chosen = Some((rule, place));
                break;
            }
        }
        let (rule, placement) = decided(chosen, config.default_queue_id, directory);
        self.count_placed(placement);
        (rule, placement)
    }

    /// Adds a placed lead to its partner's load as the database counts it:
    /// an open lead held in its queue, and a `routed` entry in the window of
    /// every partner-account rule covering that queue.
    fn count_placed(&mut self, placement: Placement) {
        let (partner, queue) = match placement {
            Placement::Partner { partner, queue } => (partner, queue),
            Placement::User { partner, .. } => (partner, None),
            Placement::Unassigned | Placement::Queue(_) => return,
        };
        let Some(load) = self.loads.get_mut(&partner) else {
            return;
        };
        load.held = load.held.saturating_add(1);
        for usage in &mut load.usage {
            let counts = self.claim_rules.iter().any(|r| {
                r.id == usage.rule
                    && r.subject == LimitSubject::Partner
                    && r.queue_id.is_none_or(|q| Some(q) == queue)
            });
            if counts {
                usage.used = usage.used.saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        ClaimRuleId, QueueId, Tier,
        claim_rules::{LimitKind, LimitSubject},
        leads::{LeadInput, default_statuses},
    };

    fn lead(country: &str) -> LeadFields {
        LeadInput {
            name: Some("Mette Hansen".into()),
            company: Some("Nordlys A/S".into()),
            country: Some(country.into()),
            ..LeadInput::default()
        }
        .parse(None, &default_statuses())
        .unwrap()
    }

    fn rule(name: &str, target: Target) -> AssignmentRule {
        AssignmentRule {
            id: AssignmentRuleId::new(),
            name: name.into(),
            conditions: Vec::new(),
            target,
            response_hours: None,
        }
    }

    fn directory(partners: &[PartnerId], queue: QueueId) -> Directory {
        let mut dir = Directory::default();
        for p in partners {
            dir.partners.insert(*p, Tier::Gold);
            dir.staffed.insert(*p);
        }
        dir.queues.insert(queue, partners.to_vec());
        dir
    }

    fn partners(n: usize) -> Vec<PartnerId> {
        let mut ps: Vec<_> = (0..n).map(|_| PartnerId::new()).collect();
        ps.sort();
        ps
    }

    #[test]
    fn round_robin_continues_from_the_stored_counter_and_reports_it() {
        let ps = partners(3);
        let queue = QueueId::new();
        let dir = directory(&ps, queue);
        let rr = rule("Turns", Target::RoundRobin { queue_id: queue });
        let config = AssignmentRules {
            version: 1,
            default_queue_id: None,
            rules: vec![rr.clone()],
        };
        let counters = HashMap::from([(rr.id, 1)]);
        let mut router = BatchRouter::new(&config, &dir, &[], counters, HashMap::new());
        let got: Vec<_> = (0..4).map(|_| router.place(&lead("DK")).1).collect();
        let expected: Vec<_> = [1, 2, 0, 1]
            .iter()
            .map(|i| Placement::Partner {
                partner: ps[*i],
                queue: Some(queue),
            })
            .collect();
        assert_eq!(got, expected);
        assert_eq!(router.advanced_counters(), vec![(rr.id, 5)]);
    }

    #[test]
    fn a_rule_removed_meanwhile_places_nobody_and_the_fallback_takes_over() {
        let ps = partners(2);
        let queue = QueueId::new();
        let dir = directory(&ps, queue);
        let config = AssignmentRules {
            version: 1,
            default_queue_id: Some(queue),
            rules: vec![rule("Gone", Target::RoundRobin { queue_id: queue })],
        };
        let mut router = BatchRouter::new(&config, &dir, &[], HashMap::new(), HashMap::new());
        assert_eq!(router.place(&lead("DK")), (None, Placement::Queue(queue)));
        assert!(router.advanced_counters().is_empty());
    }

    #[test]
    fn capacity_fills_the_emptiest_partner_first_and_counts_what_it_places() {
        let ps = partners(2);
        let queue = QueueId::new();
        let dir = directory(&ps, queue);
        let limit = ClaimRule {
            id: ClaimRuleId::new(),
            name: "Five open".into(),
            kind: LimitKind::OpenAtOnce,
            subject: LimitSubject::Partner,
            queue_id: None,
            max: 5,
            overrides: Vec::new(),
        };
        let claim_rules = vec![limit.clone()];
        let config = AssignmentRules {
            version: 1,
            default_queue_id: None,
            rules: vec![rule("Capacity", Target::Capacity { queue_id: queue })],
        };
        assert_eq!(BatchRouter::capacity_partners(&config, &dir), ps);
        let load = |used| PartnerLoad {
            usage: vec![RuleUsage {
                rule: limit.id,
                used,
                oldest_in_window: None,
            }],
            held: used,
        };
        let loads = HashMap::from([(ps[0], load(1)), (ps[1], load(3))]);
        let mut router = BatchRouter::new(&config, &dir, &claim_rules, HashMap::new(), loads);
        let mut given = HashMap::<PartnerId, u32>::new();
        for _ in 0..6 {
            match router.place(&lead("DK")).1 {
                Placement::Partner { partner, .. } => *given.entry(partner).or_default() += 1,
                other => panic!("not placed with a partner: {other:?}"),
            }
        }
        // 1 + 4 and 3 + 2: both full, so the seventh falls back to the vendor.
        assert_eq!(given[&ps[0]], 4);
        assert_eq!(given[&ps[1]], 2);
        assert_eq!(router.place(&lead("DK")), (None, Placement::Unassigned));
    }
}
