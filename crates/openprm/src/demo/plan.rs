//! The demo's leads and what happens to them, planned as plain data before
//! anything touches the database.
//!
//! One seeded generator ([`super::fake`]) makes the leads and picks who does
//! what, so every run plans the same leads, claims, edits and notes; only the
//! instants move with the day the demo starts (each step is planned as a time
//! before "now").

use openprm_domain::leads::LeadInput;
use openprm_store::leads::claims::DeclineReason;
use time::Duration;

use super::{
    PARTNERS,
    fake::{Rng, company_lead, country, public_lead, rating},
    words::NOTES,
};

/// A queue of the demo: its name, stale-claim days and member partners
/// (indexes into [`PARTNERS`]).
pub(super) struct DemoQueue {
    pub name: &'static str,
    pub stale_claim_days: Option<i32>,
    pub members: &'static [usize],
}

pub(super) const EXPO: usize = 0;
const WEB: usize = 1;
const PUBLIC: usize = 2;

pub(super) const QUEUES: [DemoQueue; 3] = [
    DemoQueue {
        name: "Nordic IT Expo 2026",
        stale_claim_days: Some(5),
        members: &[0, 1, 2],
    },
    DemoQueue {
        name: "Inbound web leads",
        stale_claim_days: Some(10),
        members: &[0, 1],
    },
    DemoQueue {
        name: "Public sector Denmark",
        stale_claim_days: None,
        members: &[0, 2],
    },
];

/// Where a new lead goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Place {
    /// Into a queue (index into [`QUEUES`]).
    Queue(usize),
    /// Into a partner's inbox (index into [`PARTNERS`]).
    Partner(usize),
    /// Into one partner user's inbox.
    User(&'static str),
    /// Stays with the vendor.
    Unassigned,
    /// Created by partner staff, who own it.
    Own,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct PlannedLead {
    pub input: LeadInput,
    /// The e-mail of the demo user who creates it.
    pub creator: &'static str,
    pub place: Place,
}

/// Something a demo user does; leads are indexes into [`Plan::leads`] and
/// people are named by their e-mail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Action {
    Create(usize),
    Claim(usize, &'static str),
    Edit {
        lead: usize,
        by: &'static str,
        status: &'static str,
        rating: Option<&'static str>,
    },
    Note(usize, &'static str, &'static str),
    Accept(usize, &'static str),
    Decline(usize, &'static str, DeclineReason),
    Release(usize, &'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Step {
    /// How long before the demo's start it happens.
    pub ago: Duration,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Plan {
    pub leads: Vec<PlannedLead>,
    /// Oldest first.
    pub steps: Vec<Step>,
}

const HOUR: i64 = 60;
const DAY: i64 = 24 * HOUR;

/// Who claims: [`PARTNERS`] index per claim, in turn, for each queue.
const CLAIMERS: [&[usize]; 3] = [
    &[0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0],
    &[1, 0, 1, 0, 1],
    &[2, 0, 2, 0, 2],
];

pub(super) const AT_LIMIT: &str = "freja.mortensen@fjordline-it.example";

/// How many open claims each demo person is given; Freja Mortensen is at
/// the "Fair share" limit, so the demo shows a refusal.
fn claim_cap(email: &str) -> usize {
    match email {
        AT_LIMIT => 5,
        e if PARTNERS.iter().any(|p| p.people[0].email == e) => 2,
        _ => 3,
    }
}

struct Planner {
    rng: Rng,
    plan: Plan,
    claims: Vec<(&'static str, usize)>,
}

impl Planner {
    fn lead(
        &mut self,
        input: LeadInput,
        creator: &'static str,
        place: Place,
        ago: Duration,
    ) -> usize {
        self.plan.leads.push(PlannedLead {
            input,
            creator,
            place,
        });
        let index = self.plan.leads.len() - 1;
        self.step(ago, Action::Create(index));
        index
    }

    fn step(&mut self, ago: Duration, action: Action) {
        self.plan.steps.push(Step { ago, action });
    }

    /// The next of `partner`'s people with room for another claim.
    fn claimer(&self, partner: usize) -> Option<&'static str> {
        let people = &PARTNERS[partner].people;
        [1, 2, 0]
            .into_iter()
            .map(|i| people[i].email)
            .find(|email| {
                let held = self
                    .claims
                    .iter()
                    .find(|(e, _)| e == email)
                    .map_or(0, |c| c.1);
                held < claim_cap(email)
            })
    }

    fn count_claim(&mut self, email: &'static str) {
        match self.claims.iter_mut().find(|(e, _)| *e == email) {
            Some(entry) => entry.1 += 1,
            None => self.claims.push((email, 1)),
        }
    }

    /// Claims `lead` `claim_ago`, then works it now and then; in a queue with
    /// stale-claim days the last activity stays well inside them, unless
    /// `let_lapse`.
    fn claim_and_work(
        &mut self,
        lead: usize,
        queue: usize,
        by: &'static str,
        claim_ago: Duration,
        let_lapse: bool,
    ) {
        self.count_claim(by);
        self.step(claim_ago, Action::Claim(lead, by));
        if let_lapse {
            return;
        }
        let mut last = claim_ago;
        let mut closed = false;
        let edit_ago = claim_ago - self.rng.minutes(2 * HOUR, DAY);
        if edit_ago > Duration::minutes(30) {
            let rating = rating(&mut self.rng);
            let status = match self.rng.below(10) {
                0..6 => "working_contacted",
                // Freja keeps all of hers open: she is at the "Fair share" limit.
                _ if by == AT_LIMIT => "qualified",
                6..8 => "qualified",
                _ => "unqualified",
            };
            closed = status == "unqualified";
            last = edit_ago;
            self.step(
                last,
                Action::Edit {
                    lead,
                    by,
                    status,
                    rating,
                },
            );
        }
        if self.rng.percent(60) {
            let note_ago = last - self.rng.minutes(HOUR, DAY);
            if note_ago > Duration::minutes(20) {
                last = note_ago;
                let note = self.rng.pick(NOTES);
                self.step(last, Action::Note(lead, by, note));
            }
        }
        if let Some(days) = QUEUES[queue].stale_claim_days {
            let keep_within = Duration::days(i64::from(days) - 2);
            if last > keep_within && !closed {
                let ago = self.rng.minutes(30, keep_within.whole_minutes());
                let note = self.rng.pick(NOTES);
                self.step(ago, Action::Note(lead, by, note));
            }
        }
    }
}

/// The whole demo pipeline: about 300 leads over three queues, the partners'
/// inboxes, the vendor and the partners' own, with claims, edits, notes,
/// accepts and declines.
pub(super) fn plan() -> Plan {
    let mut p = Planner {
        rng: Rng(0x4E6F_726C_7973_2026),
        plan: Plan {
            leads: Vec::new(),
            steps: Vec::new(),
        },
        claims: Vec::new(),
    };
    let admin = "admin@nordlys.example";

    // The trade show, two days twelve and eleven days ago: badge scans.
    let mut expo_claims = CLAIMERS[EXPO].iter();
    let mut lapsed = false;
    for i in 0..130 {
        let day = i64::from(i >= 65);
        let ago = Duration::days(12 - day) - Duration::minutes(i64::from(i % 65) * 7);
        let country = country(&mut p.rng);
        let stand = format!(
            "Scanned at our stand on day {} of Nordic IT Expo 2026. ",
            day + 1
        );
        let input = company_lead(&mut p.rng, country, "trade_show", &stand);
        let lead = p.lead(input, admin, Place::Queue(EXPO), ago);
        if i % 8 == 3
            && let Some(&partner) = expo_claims.next()
            && let Some(by) = p.claimer(partner)
        {
            if i == 19 {
                // Claimed, given back, and taken by someone at another partner.
                let claim_ago = ago - p.rng.minutes(HOUR, DAY);
                p.count_claim(by);
                p.step(claim_ago, Action::Claim(lead, by));
                let back = claim_ago - p.rng.minutes(HOUR, 5 * HOUR);
                p.step(back, Action::Release(lead, by));
                p.claims
                    .iter_mut()
                    .filter(|c| c.0 == by)
                    .for_each(|c| c.1 -= 1);
                if let Some(other) = p.claimer((partner + 1) % 3) {
                    let again = back - p.rng.minutes(HOUR, DAY);
                    p.claim_and_work(lead, EXPO, other, again, false);
                }
                continue;
            }
            // One claim lapses: its owner is warned as soon as the demo starts.
            let let_lapse = !lapsed && partner == 1;
            lapsed |= let_lapse;
            let claim_ago = if let_lapse {
                Duration::days(4) + Duration::hours(3)
            } else {
                ago - p.rng.minutes(6 * HOUR, 9 * DAY)
            };
            p.claim_and_work(lead, EXPO, by, claim_ago, let_lapse);
        }
    }

    // Web forms, over the last forty days.
    let mut web_claims = CLAIMERS[WEB].iter();
    for i in 0..80 {
        let ago = Duration::minutes((80 - i) * 12 * HOUR) - p.rng.minutes(0, 11 * HOUR);
        let country = country(&mut p.rng);
        let input = company_lead(&mut p.rng, country, "web", "Contact form: ");
        let lead = p.lead(input, admin, Place::Queue(WEB), ago);
        if i % 13 == 5
            && let Some(&partner) = web_claims.next()
            && let Some(by) = p.claimer(partner)
        {
            let claim_ago = ago - p.rng.minutes(HOUR, 2 * DAY).min(ago - Duration::hours(1));
            p.claim_and_work(lead, WEB, by, claim_ago, false);
        }
    }

    // Danish public bodies, over the last month.
    let mut public_claims = CLAIMERS[PUBLIC].iter();
    for i in 0..36 {
        let ago = Duration::minutes((36 - i) * 20 * HOUR) + Duration::days(2);
        let input = public_lead(&mut p.rng);
        let lead = p.lead(input, admin, Place::Queue(PUBLIC), ago);
        if i % 7 == 2
            && let Some(&partner) = public_claims.next()
            && let Some(by) = p.claimer(partner)
        {
            let claim_ago = ago - p.rng.minutes(2 * HOUR, DAY);
            p.claim_and_work(lead, PUBLIC, by, claim_ago, false);
        }
    }

    // Routed straight to a partner or one of its people by their channel manager.
    let reasons = [
        DeclineReason::NotMyTerritory,
        DeclineReason::NoCapacity,
        DeclineReason::Duplicate,
        DeclineReason::Spam,
    ];
    for i in 0..28_usize {
        let partner = i % 3;
        let people = &PARTNERS[partner].people;
        let ago = Duration::minutes(i64::try_from(28 - i).unwrap_or(1) * 17 * HOUR);
        let country = country(&mut p.rng);
        let source = p.rng.pick(&["referral", "event", "web"]);
        let input = company_lead(&mut p.rng, country, source, "");
        let (place, answerer) = if i % 3 == 1 {
            let user = people[1 + i % 2].email;
            (Place::User(user), user)
        } else {
            (Place::Partner(partner), people[1 + (i / 3) % 2].email)
        };
        let lead = p.lead(input, PARTNERS[partner].channel_manager, place, ago);
        let answer_ago = ago - p.rng.minutes(HOUR, 16 * HOUR);
        match i {
            _ if i % 7 == 3 => {
                let reason = reasons[(i / 7) % reasons.len()];
                p.step(answer_ago, Action::Decline(lead, answerer, reason));
            }
            _ if i < 18 && i % 2 == 0 => {
                p.step(answer_ago, Action::Accept(lead, answerer));
                let note = p.rng.pick(NOTES);
                p.step(
                    answer_ago - Duration::minutes(45),
                    Action::Note(lead, answerer, note),
                );
            }
            _ => {}
        }
    }

    // Left with the vendor: an imported list waiting to be routed.
    for i in 0..14 {
        let ago = Duration::days(3) + Duration::minutes(i * 31);
        let country = country(&mut p.rng);
        let input = company_lead(
            &mut p.rng,
            country,
            "import",
            "From the 2025 customer survey: ",
        );
        p.lead(input, admin, Place::Unassigned, ago);
    }

    // Found by the partners themselves.
    for i in 0..12_usize {
        let partner = &PARTNERS[i % 3];
        let by = partner.people[(i / 3) % 3].email;
        let ago = Duration::minutes(i64::try_from(12 - i).unwrap_or(1) * 2 * DAY + 3 * HOUR);
        let country = country(&mut p.rng);
        let input = company_lead(
            &mut p.rng,
            country,
            "partner",
            "Existing customer of ours: ",
        );
        let lead = p.lead(input, by, Place::Own, ago);
        if i % 2 == 0 {
            let note = p.rng.pick(NOTES);
            p.step(ago - Duration::hours(5), Action::Note(lead, by, note));
        }
    }

    let mut plan = p.plan;
    // Oldest first; a stable sort keeps a lead's steps in the order planned.
    plan.steps.sort_by_key(|s| std::cmp::Reverse(s.ago));
    plan
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::{BTreeSet, HashMap};

    use openprm_domain::leads::default_statuses;

    use super::*;

    #[test]
    fn the_plan_is_the_same_every_time() {
        assert_eq!(plan(), plan());
    }

    #[test]
    fn a_few_hundred_valid_nordic_leads_mostly_waiting_in_queues() {
        let p = plan();
        assert!((250..=400).contains(&p.leads.len()), "{}", p.leads.len());
        let statuses = default_statuses();
        let mut countries = BTreeSet::new();
        let mut emails = BTreeSet::new();
        for lead in &p.leads {
            let fields = lead
                .input
                .clone()
                .parse(None, &statuses)
                .unwrap_or_else(|e| panic!("{:?}: {e:?}", lead.input));
            countries.insert(fields.country.unwrap());
            emails.insert(fields.email.unwrap().as_str().to_owned());
            assert!(fields.phone.is_some() && fields.postal_code.is_some());
        }
        assert_eq!(
            countries,
            BTreeSet::from(["DK", "FI", "NO", "SE"].map(String::from))
        );
        assert!(
            emails.len() * 10 >= p.leads.len() * 9,
            "e-mails mostly differ"
        );
        for (q, queue) in QUEUES.iter().enumerate() {
            let held: Vec<usize> = (0..p.leads.len())
                .filter(|&i| p.leads[i].place == Place::Queue(q))
                .collect();
            let claimed = p
                .steps
                .iter()
                .filter(|s| matches!(s.action, Action::Claim(l, _) if held.contains(&l)))
                .count();
            assert!(claimed > 0 && claimed * 4 < held.len(), "{}", queue.name);
        }
        let declines = p
            .steps
            .iter()
            .filter(|s| matches!(s.action, Action::Decline(..)))
            .count();
        assert!((2..=6).contains(&declines));
    }

    #[test]
    fn steps_happen_in_order_in_the_past_after_their_lead_exists() {
        let p = plan();
        assert!(p.steps.windows(2).all(|w| w[0].ago >= w[1].ago));
        assert!(p.steps.iter().all(|s| s.ago > Duration::ZERO));
        let mut created = BTreeSet::new();
        for step in &p.steps {
            match step.action {
                Action::Create(lead) => assert!(created.insert(lead)),
                Action::Claim(lead, _)
                | Action::Edit { lead, .. }
                | Action::Note(lead, _, _)
                | Action::Accept(lead, _)
                | Action::Decline(lead, _, _)
                | Action::Release(lead, _) => assert!(created.contains(&lead), "{step:?}"),
            }
        }
        assert_eq!(created.len(), p.leads.len());
    }

    /// Per lead still held: who holds it, when it was last worked, whether it is closed.
    type Held<'a> = HashMap<usize, (&'a str, Duration, bool)>;

    /// Replays the plan: the most open claims each person held at once, and
    /// the leads held at the end.
    fn replay(p: &Plan) -> (HashMap<&str, usize>, Held<'_>) {
        let mut most = HashMap::new();
        let mut held = Held::new();
        for step in &p.steps {
            match step.action {
                Action::Claim(lead, by) => {
                    assert!(!held.contains_key(&lead), "claimed twice: {step:?}");
                    held.insert(lead, (by, step.ago, false));
                }
                Action::Release(lead, by) => {
                    assert_eq!(held.remove(&lead).map(|h| h.0), Some(by));
                }
                Action::Edit {
                    lead, by, status, ..
                } => {
                    if let Some(h) = held.get_mut(&lead) {
                        assert_eq!(h.0, by);
                        *h = (by, step.ago, status == "unqualified");
                    }
                }
                Action::Note(lead, _, _) => {
                    if let Some(h) = held.get_mut(&lead) {
                        h.1 = step.ago;
                    }
                }
                _ => {}
            }
            let mut open: HashMap<&str, usize> = HashMap::new();
            for (by, _, closed) in held.values() {
                if !closed {
                    *open.entry(*by).or_default() += 1;
                }
            }
            for (by, n) in open {
                let m = most.entry(by).or_default();
                *m = n.max(*m);
            }
        }
        (most, held)
    }

    #[test]
    fn nobody_is_planned_over_the_fair_share_and_freja_is_at_it() {
        let p = plan();
        let (most, _) = replay(&p);
        assert!(most.values().all(|&n| n <= 5), "{most:?}");
        assert_eq!(most.get(AT_LIMIT), Some(&5));
        let (_, held) = replay(&p);
        let open = held
            .values()
            .filter(|(by, _, closed)| *by == AT_LIMIT && !closed);
        assert_eq!(
            open.count(),
            5,
            "Freja is at the limit when the demo starts"
        );
        assert!(most.len() >= 8, "most partner staff hold a lead: {most:?}");
    }

    #[test]
    fn claims_in_stale_queues_are_worked_except_one_that_is_due_a_warning() {
        let p = plan();
        let (_, held) = replay(&p);
        let mut lapsing = Vec::new();
        for (lead, (_, last, closed)) in &held {
            let Place::Queue(q) = p.leads[*lead].place else {
                panic!("only queue leads are claimed");
            };
            let Some(days) = QUEUES[q].stale_claim_days else {
                continue;
            };
            if !closed && *last > Duration::days(i64::from(days) - 1) {
                assert!(*last < Duration::days(i64::from(days)));
                lapsing.push((q, *lead));
            }
        }
        assert_eq!(lapsing.len(), 1, "{lapsing:?}");
        assert_eq!(lapsing[0].0, EXPO);
    }
}
