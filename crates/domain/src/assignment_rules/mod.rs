//! Assignment rules (spec flows 6 and 12): where a new or declined lead goes.
//!
//! The admin keeps an ordered list of rules. The router walks it in order and
//! the first rule whose conditions all hold ([`conditions`]) and whose target
//! yields somebody ([`targets`]) places the lead. A target yields nobody when
//! it names a partner, user or queue that is gone, a partner without an active
//! person, or a partner that declined this lead before; then the next rule is
//! asked. After the last rule the lead goes to the default queue, or, without
//! one, stays with the vendor for the channel manager's Unassigned view.
//!
//! This module decides with what the store gives it ([`Directory`], the
//! decliners); the store reads that, keeps each rule's round-robin counter and
//! counts claim usage for capacity, inside the lead's transaction.

pub mod batch;
pub mod conditions;
pub mod targets;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::{
    AssignmentRuleId, DomainError, FieldErrors, PartnerId, QueueId, Tier, UserId, leads::LeadFields,
};

pub use conditions::{Condition, FieldOp, compare_postal, postal_in_range};
pub use targets::{CapacityCandidate, Target, free_capacity, most_free, round_robin};

/// The longest rule name, in characters.
pub const NAME_MAX_CHARS: usize = 80;
/// The most rules an admin may keep (each new lead walks them).
pub const RULES_MAX: usize = 200;
/// The most values one condition may list, and the longest text it may hold.
pub const VALUES_MAX: usize = 100;
pub const TEXT_MAX_CHARS: usize = 200;
/// The longest response time: thirty days.
pub const RESPONSE_HOURS_MAX: u32 = 720;

/// One rule of the list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignmentRule {
    /// Left out for a new rule, which then gets a fresh id.
    #[serde(default)]
    pub id: AssignmentRuleId,
    pub name: String,
    /// All must hold; none matches every lead.
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub target: Target,
    /// Hours a lead this rule put in an inbox may wait for Accept before it is
    /// routed onward; `None` waits for ever.
    #[serde(default)]
    pub response_hours: Option<u32>,
}

impl AssignmentRule {
    /// Whether every condition holds for the lead.
    pub fn matches(&self, lead: &LeadFields) -> bool {
        self.conditions.iter().all(|c| c.matches(lead))
    }
}

/// The whole configuration: the ordered rules, the default queue and the
/// version an edit must name, so two admins cannot overwrite each other.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssignmentRules {
    /// Increases with every save; send it back with `PUT`.
    #[serde(default)]
    pub version: i64,
    /// Where a lead goes that no rule places; `None`: it stays unassigned.
    #[serde(default)]
    pub default_queue_id: Option<QueueId>,
    #[serde(default)]
    pub rules: Vec<AssignmentRule>,
}

/// Checks what an admin sends, all problems at once, with field keys like
/// `rules[2].name`, `rules[0].conditions[1].from` and message keys
/// `error-required`, `error-too-long`, `error-out-of-range`,
/// `error-country-invalid`, `error-field-unknown`, `error-duplicate`,
/// `error-postal-range-reversed`. Whether the ids in targets exist is the
/// store's to check.
pub fn validate(rules: &[AssignmentRule]) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    if rules.len() > RULES_MAX {
        errors.add("rules", "error-too-many");
    }
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
        } else if name.chars().any(char::is_control) {
            errors.add(&field("name"), "error-invalid-characters");
        }
        if rule
            .response_hours
            .is_some_and(|h| !(1..=RESPONSE_HOURS_MAX).contains(&h))
        {
            errors.add(&field("response_hours"), "error-out-of-range");
        }
        for (j, condition) in rule.conditions.iter().enumerate() {
            let field = |name: &str| format!("rules[{i}].conditions[{j}].{name}");
            check_condition(condition, &field, &mut errors);
        }
    }
    errors.into_result()
}

fn check_text(text: &str, field: &str, errors: &mut FieldErrors) {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        errors.add(field, "error-required");
    } else if trimmed.chars().count() > TEXT_MAX_CHARS {
        errors.add(field, "error-too-long");
    } else if trimmed.chars().any(char::is_control) {
        errors.add(field, "error-invalid-characters");
    }
}

fn check_condition(c: &Condition, field: &dyn Fn(&str) -> String, errors: &mut FieldErrors) {
    match c {
        Condition::Source { sources } => {
            if sources.is_empty() {
                errors.add(&field("sources"), "error-required");
            } else if sources.len() > VALUES_MAX {
                errors.add(&field("sources"), "error-too-many");
            }
        }
        Condition::Country { countries } => {
            if countries.is_empty() {
                errors.add(&field("countries"), "error-required");
            } else if countries.len() > VALUES_MAX {
                errors.add(&field("countries"), "error-too-many");
            }
            let bad = |c: &String| {
                let c = c.trim();
                c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic())
            };
            if countries.iter().any(bad) {
                errors.add(&field("countries"), "error-country-invalid");
            }
        }
        Condition::PostalCode { from, to } => {
            check_text(from, &field("from"), errors);
            check_text(to, &field("to"), errors);
            if !from.trim().is_empty()
                && !to.trim().is_empty()
                && compare_postal(from, to) == std::cmp::Ordering::Greater
            {
                errors.add(&field("to"), "error-postal-range-reversed");
            }
        }
        Condition::ProductInterest { contains } => {
            check_text(contains, &field("contains"), errors);
        }
        Condition::Field {
            field: name, value, ..
        } => {
            if !conditions::field_names().contains(&name.as_str()) {
                errors.add(&field("field"), "error-field-unknown");
            }
            check_text(value, &field("value"), errors);
        }
    }
}

/// The rules as stored: names and texts trimmed, countries in upper case,
/// sources without repeats.
pub fn normalise(mut rules: Vec<AssignmentRule>) -> Vec<AssignmentRule> {
    for rule in &mut rules {
        rule.name = rule.name.trim().to_owned();
        for c in &mut rule.conditions {
            match c {
                Condition::Source { sources } => {
                    let mut seen = HashSet::new();
                    sources.retain(|s| seen.insert(*s));
                }
                Condition::Country { countries } => {
                    for country in countries.iter_mut() {
                        *country = country.trim().to_ascii_uppercase();
                    }
                    let mut seen = HashSet::new();
                    countries.retain(|c| seen.insert(c.clone()));
                }
                Condition::PostalCode { from, to } => {
                    *from = from.trim().to_owned();
                    *to = to.trim().to_owned();
                }
                Condition::ProductInterest { contains } => *contains = contains.trim().to_owned(),
                Condition::Field { field, value, .. } => {
                    *field = field.trim().to_owned();
                    *value = value.trim().to_owned();
                }
            }
        }
    }
    rules
}

/// What the router knows of the possible targets.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    /// Partner accounts and their tiers.
    pub partners: HashMap<PartnerId, Tier>,
    /// Partner accounts with at least one active person who could accept.
    pub staffed: HashSet<PartnerId>,
    /// Active partner users and managers, with their partner account.
    pub users: HashMap<UserId, PartnerId>,
    /// Queues and their member partners.
    pub queues: HashMap<QueueId, Vec<PartnerId>>,
}

impl Directory {
    fn eligible(&self, partner: PartnerId, declined: &HashSet<PartnerId>) -> bool {
        self.staffed.contains(&partner) && !declined.contains(&partner)
    }

    /// A queue's members that may get a lead, with their tiers.
    fn members(&self, queue: QueueId, declined: &HashSet<PartnerId>) -> Vec<(PartnerId, Tier)> {
        self.queues
            .get(&queue)
            .into_iter()
            .flatten()
            .filter(|p| self.eligible(**p, declined))
            .filter_map(|p| self.partners.get(p).map(|t| (*p, *t)))
            .collect()
    }
}

/// Where a lead is put.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// With the vendor (the Unassigned view).
    Unassigned,
    Queue(QueueId),
    /// A partner's inbox; `queue` is the queue it was chosen from, if any.
    Partner {
        partner: PartnerId,
        queue: Option<QueueId>,
    },
    /// A partner user's inbox.
    User {
        user: UserId,
        partner: PartnerId,
    },
}

/// What one matching rule offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Offer {
    /// Settled: this place.
    Place(Placement),
    /// One of these partners of `queue`, in turn, by the rule's counter;
    /// weights are 1 each for plain round-robin.
    RoundRobin {
        queue: QueueId,
        candidates: Vec<(PartnerId, u32)>,
    },
    /// The one of these partners of `queue` with the most free capacity.
    Capacity {
        queue: QueueId,
        candidates: Vec<(PartnerId, Tier)>,
    },
}

/// The rules that match the lead and can place it, in order, each with what
/// it offers. The store takes the first offer that yields somebody; when none
/// does, [`fallback`] decides.
pub fn offers<'a>(
    rules: &'a [AssignmentRule],
    lead: &LeadFields,
    dir: &Directory,
    declined: &HashSet<PartnerId>,
) -> Vec<(&'a AssignmentRule, Offer)> {
    rules
        .iter()
        .filter(|r| r.matches(lead))
        .filter_map(|rule| offer(rule, dir, declined).map(|o| (rule, o)))
        .collect()
}

fn offer(rule: &AssignmentRule, dir: &Directory, declined: &HashSet<PartnerId>) -> Option<Offer> {
    let nonempty = |v: Vec<(PartnerId, Tier)>| (!v.is_empty()).then_some(v);
    match rule.target {
        Target::Partner { partner_id } => {
            dir.eligible(partner_id, declined)
                .then_some(Offer::Place(Placement::Partner {
                    partner: partner_id,
                    queue: None,
                }))
        }
        Target::User { user_id } => {
            let partner = *dir.users.get(&user_id)?;
            (!declined.contains(&partner)).then_some(Offer::Place(Placement::User {
                user: user_id,
                partner,
            }))
        }
        Target::Queue { queue_id } => dir
            .queues
            .contains_key(&queue_id)
            .then_some(Offer::Place(Placement::Queue(queue_id))),
        Target::RoundRobin { queue_id } => {
            nonempty(dir.members(queue_id, declined)).map(|m| Offer::RoundRobin {
                queue: queue_id,
                candidates: m.into_iter().map(|(p, _)| (p, 1)).collect(),
            })
        }
        Target::TierWeighted { queue_id } => {
            nonempty(dir.members(queue_id, declined)).map(|m| Offer::RoundRobin {
                queue: queue_id,
                candidates: m
                    .into_iter()
                    .map(|(p, t)| (p, t.routing_weight()))
                    .collect(),
            })
        }
        Target::Capacity { queue_id } => {
            nonempty(dir.members(queue_id, declined)).map(|candidates| Offer::Capacity {
                queue: queue_id,
                candidates,
            })
        }
    }
}

/// Where a lead goes that no rule placed: the default queue if it still exists.
pub fn fallback(default_queue: Option<QueueId>, dir: &Directory) -> Placement {
    default_queue
        .filter(|q| dir.queues.contains_key(q))
        .map_or(Placement::Unassigned, Placement::Queue)
}

/// The outcome of walking the offers: the first rule that yielded somebody
/// and its place, else no rule and [`fallback`].
pub fn decided<'a>(
    chosen: Option<(&'a AssignmentRule, Placement)>,
    default_queue: Option<QueueId>,
    dir: &Directory,
) -> (Option<&'a AssignmentRule>, Placement) {
    match chosen {
        Some((rule, place)) => (Some(rule), place),
        None => (None, fallback(default_queue, dir)),
    }
}

/// When a lead `rule` placed at `placement` must be accepted by: only a lead
/// waiting in an inbox can run out of time, and only under a rule with a
/// response time.
pub fn respond_by(
    rule: Option<&AssignmentRule>,
    placement: Placement,
    now: time::OffsetDateTime,
) -> Option<time::OffsetDateTime> {
    let in_inbox = matches!(
        placement,
        Placement::Partner { .. } | Placement::User { .. }
    );
    let hours = rule.and_then(|r| r.response_hours).filter(|_| in_inbox)?;
    Some(now + time::Duration::hours(i64::from(hours)))
}

/// The value written to the timeline for a lead no rule placed.
pub const FALLBACK: &str = "fallback";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leads::{LeadInput, LeadSource, default_statuses};

    #[test]
    fn only_an_inbox_lead_under_a_rule_with_a_response_time_must_be_accepted_by_a_time() {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        let mut rule = AssignmentRule {
            id: AssignmentRuleId::new(),
            name: "Four hours".into(),
            conditions: Vec::new(),
            target: Target::Queue {
                queue_id: QueueId::new(),
            },
            response_hours: Some(4),
        };
        let inbox = Placement::Partner {
            partner: PartnerId::new(),
            queue: None,
        };
        let person = Placement::User {
            user: UserId::new(),
            partner: PartnerId::new(),
        };
        let due = Some(now + time::Duration::hours(4));
        assert_eq!(respond_by(Some(&rule), inbox, now), due);
        assert_eq!(respond_by(Some(&rule), person, now), due);
        assert_eq!(
            respond_by(Some(&rule), Placement::Queue(QueueId::new()), now),
            None
        );
        assert_eq!(respond_by(Some(&rule), Placement::Unassigned, now), None);
        assert_eq!(respond_by(None, inbox, now), None);
        rule.response_hours = None;
        assert_eq!(respond_by(Some(&rule), inbox, now), None);
    }

    fn lead(country: &str, postal: &str, source: &str) -> LeadFields {
        LeadInput {
            name: Some("Mette Hansen".into()),
            company: Some("Nordlys A/S".into()),
            country: Some(country.into()),
            postal_code: Some(postal.into()),
            source: Some(source.into()),
            ..LeadInput::default()
        }
        .parse(None, &default_statuses())
        .unwrap()
    }

    fn rule(name: &str, conditions: Vec<Condition>, target: Target) -> AssignmentRule {
        AssignmentRule {
            id: AssignmentRuleId::new(),
            name: name.into(),
            conditions,
            target,
            response_hours: None,
        }
    }

    struct World {
        dir: Directory,
        copenhagen: PartnerId,
        aarhus: PartnerId,
        queue: QueueId,
        user: UserId,
    }

    fn world() -> World {
        let copenhagen = PartnerId::new();
        let aarhus = PartnerId::new();
        let queue = QueueId::new();
        let user = UserId::new();
        let mut dir = Directory::default();
        dir.partners.insert(copenhagen, Tier::Gold);
        dir.partners.insert(aarhus, Tier::Silver);
        dir.staffed.extend([copenhagen, aarhus]);
        dir.users.insert(user, aarhus);
        dir.queues.insert(queue, vec![copenhagen, aarhus]);
        World {
            dir,
            copenhagen,
            aarhus,
            queue,
            user,
        }
    }

    fn first(offers: &[(&AssignmentRule, Offer)]) -> Option<(String, Offer)> {
        offers.first().map(|(r, o)| (r.name.clone(), o.clone()))
    }

    #[test]
    fn first_matching_rule_wins_and_no_conditions_match_all() {
        let w = world();
        let rules = vec![
            rule(
                "Copenhagen",
                vec![Condition::PostalCode {
                    from: "1000".into(),
                    to: "2999".into(),
                }],
                Target::Partner {
                    partner_id: w.copenhagen,
                },
            ),
            rule(
                "Everything else",
                vec![],
                Target::Partner {
                    partner_id: w.aarhus,
                },
            ),
        ];
        let none = HashSet::new();
        let offers_for = |l: &LeadFields| first(&offers(&rules, l, &w.dir, &none));
        assert_eq!(
            offers_for(&lead("DK", "2100", "web")),
            Some((
                "Copenhagen".into(),
                Offer::Place(Placement::Partner {
                    partner: w.copenhagen,
                    queue: None
                })
            ))
        );
        assert_eq!(
            offers_for(&lead("DK", "8000", "web")).map(|(n, _)| n),
            Some("Everything else".into())
        );
    }

    #[test]
    fn decliners_and_unstaffed_partners_are_skipped() {
        let mut w = world();
        let rules = vec![
            rule(
                "Direct",
                vec![],
                Target::Partner {
                    partner_id: w.copenhagen,
                },
            ),
            rule("Shared", vec![], Target::RoundRobin { queue_id: w.queue }),
            rule("To a person", vec![], Target::User { user_id: w.user }),
        ];
        let l = lead("DK", "2100", "web");
        let declined: HashSet<_> = [w.copenhagen].into();
        let got = offers(&rules, &l, &w.dir, &declined);
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].1,
            Offer::RoundRobin {
                queue: w.queue,
                candidates: vec![(w.aarhus, 1)]
            }
        );
        // Nobody left: the user's company declined too.
        let declined: HashSet<_> = [w.copenhagen, w.aarhus].into();
        assert!(offers(&rules, &l, &w.dir, &declined).is_empty());
        // A partner with no active person cannot take a lead.
        w.dir.staffed.remove(&w.copenhagen);
        let got = offers(&rules, &l, &w.dir, &HashSet::new());
        assert_eq!(got[0].0.name, "Shared");
    }

    #[test]
    fn tier_weights_and_capacity_offer_the_members() {
        let w = world();
        let rules = vec![
            rule(
                "Trade shows",
                vec![Condition::Source {
                    sources: vec![LeadSource::TradeShow],
                }],
                Target::TierWeighted { queue_id: w.queue },
            ),
            rule("By room", vec![], Target::Capacity { queue_id: w.queue }),
        ];
        let got = offers(
            &rules,
            &lead("SE", "11455", "trade_show"),
            &w.dir,
            &HashSet::new(),
        );
        match &got[0].1 {
            Offer::RoundRobin { candidates, .. } => {
                let mut c = candidates.clone();
                c.sort();
                let mut want = vec![(w.copenhagen, 3), (w.aarhus, 2)];
                want.sort();
                assert_eq!(c, want);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(got[1].1, Offer::Capacity { .. }));
        let got = offers(&rules, &lead("SE", "11455", "web"), &w.dir, &HashSet::new());
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn unknown_targets_offer_nothing_and_fallback_needs_a_queue() {
        let w = world();
        let rules = vec![
            rule(
                "Gone",
                vec![],
                Target::Queue {
                    queue_id: QueueId::new(),
                },
            ),
            rule(
                "Nobody",
                vec![],
                Target::User {
                    user_id: UserId::new(),
                },
            ),
        ];
        assert!(offers(&rules, &lead("DK", "1", "web"), &w.dir, &HashSet::new()).is_empty());
        assert_eq!(fallback(None, &w.dir), Placement::Unassigned);
        assert_eq!(
            fallback(Some(QueueId::new()), &w.dir),
            Placement::Unassigned
        );
        assert_eq!(fallback(Some(w.queue), &w.dir), Placement::Queue(w.queue));
    }

    #[test]
    fn validation_names_each_bad_field() {
        let w = world();
        let bad = vec![
            rule(
                " ",
                vec![
                    Condition::Country {
                        countries: vec!["DNK".into()],
                    },
                    Condition::PostalCode {
                        from: "2999".into(),
                        to: "1000".into(),
                    },
                    Condition::Field {
                        field: "shoe_size".into(),
                        op: FieldOp::Equals,
                        value: "".into(),
                    },
                    Condition::Source { sources: vec![] },
                ],
                Target::Queue { queue_id: w.queue },
            ),
            AssignmentRule {
                response_hours: Some(0),
                ..rule(
                    "x".repeat(81).as_str(),
                    vec![],
                    Target::Queue { queue_id: w.queue },
                )
            },
        ];
        let errors = match validate(&bad) {
            Err(DomainError::Validation(e)) => e.0,
            other => panic!("{other:?}"),
        };
        let want = [
            ("rules[0].name", "error-required"),
            ("rules[0].conditions[0].countries", "error-country-invalid"),
            ("rules[0].conditions[1].to", "error-postal-range-reversed"),
            ("rules[0].conditions[2].field", "error-field-unknown"),
            ("rules[0].conditions[2].value", "error-required"),
            ("rules[0].conditions[3].sources", "error-required"),
            ("rules[1].name", "error-too-long"),
            ("rules[1].response_hours", "error-out-of-range"),
        ];
        for (field, key) in want {
            assert_eq!(errors.get(field).map(String::as_str), Some(key), "{field}");
        }
        assert_eq!(errors.len(), want.len());
        let mut twice = vec![rule("a", vec![], Target::Queue { queue_id: w.queue })];
        twice.push(twice[0].clone());
        assert!(validate(&twice).is_err());
    }

    #[test]
    fn normalising_trims_and_upper_cases() {
        let w = world();
        let rules = normalise(vec![rule(
            " Nordics ",
            vec![Condition::Country {
                countries: vec![" dk".into(), "DK".into(), "se".into()],
            }],
            Target::Queue { queue_id: w.queue },
        )]);
        assert_eq!(rules[0].name, "Nordics");
        assert_eq!(
            rules[0].conditions[0],
            Condition::Country {
                countries: vec!["DK".into(), "SE".into()]
            }
        );
    }

    #[test]
    fn rules_read_from_json_as_documented() {
        let json = r#"{"version": 3, "default_queue_id": null, "rules": [
            {"name": "Copenhagen", "conditions": [{"kind": "postal_code", "from": "1000", "to": "2999"},
             {"kind": "country", "countries": ["DK"]}],
             "target": {"kind": "round_robin", "queue_id": "0190c0de-0000-7000-8000-000000000001"},
             "response_hours": 24}]}"#;
        let parsed: AssignmentRules = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.version, 3);
        assert_eq!(parsed.rules[0].target.kind(), "round_robin");
        assert_eq!(parsed.rules[0].response_hours, Some(24));
    }
}
