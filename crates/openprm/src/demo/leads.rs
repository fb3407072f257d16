//! The demo's lead pipeline: three queues, two claim rules, four assignment
//! rules with a default queue, and the planned
//! leads ([`super::plan`]) walked through the store's own paths (create,
//! claim, edit, note, accept, decline, release), so their timelines, claim
//! counts and Recent Items are what real use would leave.
//!
//! The steps run on a clock set back to when each happened, over the last
//! six weeks. Claims in queues that return stale claims have recent activity,
//! except one at the trade show: its owner gets the warning as soon as the
//! demo runs.

use std::{collections::HashMap, sync::Arc};

use anyhow::{Context, anyhow};
use openprm_domain::{
    AssignmentRuleId, ClaimRuleId, Clock, EmailAddress, LeadId, ManualClock, PartnerId, QueueId,
    Tier, Viewer,
    assignment_rules::{AssignmentRule, AssignmentRules, Condition, FieldOp, Target},
    claim_rules::{ClaimOverride, ClaimRule, LimitKind, LimitSubject, OverrideTarget},
    leads::LeadSource,
};
use openprm_store::{
    Store,
    leads::{
        Assignment,
        list::{LeadQuery, LeadView},
    },
    queues::QueueFields,
};

use super::{
    PARTNERS, VENDOR_STAFF,
    plan::{Action, Place, Plan, QUEUES, plan},
};

/// Adds whatever of the queues and claim rules is missing, and the leads when
/// there are none yet.
pub(super) async fn seed(store: &Store) -> anyhow::Result<()> {
    let people = demo_people(store).await?;
    let admin = person(&people, "admin@nordlys.example")?;
    let mut partners = Vec::with_capacity(PARTNERS.len());
    for partner in &PARTNERS {
        let found = store
            .partner_by_name(partner.name)
            .await?
            .ok_or_else(|| anyhow!("demo partner {} is missing", partner.name))?;
        partners.push(found.id);
    }
    let queues = ensure_queues(store, &admin, &partners).await?;
    if store.claim_rules().await?.is_empty() {
        store.save_claim_rules(None, &claim_rules()).await?;
    }
    let routing = store.assignment_rules(&admin).await?;
    if routing.rules.is_empty() {
        store
            .save_assignment_rules(
                None,
                AssignmentRules {
                    version: routing.version,
                    default_queue_id: Some(queues[WEB_QUEUE]),
                    rules: assignment_rules(&partners, &queues),
                },
            )
            .await?;
    }
    let any = LeadQuery {
        limit: 1,
        ..LeadQuery::default()
    };
    if store
        .list_leads(&admin, LeadView::All, &any)
        .await?
        .leads
        .is_empty()
    {
        let world = World {
            people,
            partners,
            queues,
        };
        run(store, &world, &plan()).await?;
    }
    Ok(())
}

/// "Fair share": five open claimed leads per partner user. "Weekly pace":
/// fifteen claims a week per partner account, twenty-five for gold partners.
fn claim_rules() -> Vec<ClaimRule> {
    vec![
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Fair share".into(),
            kind: LimitKind::OpenAtOnce,
            subject: LimitSubject::User,
            queue_id: None,
            max: 5,
            overrides: Vec::new(),
        },
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Weekly pace".into(),
            kind: LimitKind::PerWindow { window_hours: 168 },
            subject: LimitSubject::Partner,
            queue_id: None,
            max: 15,
            overrides: vec![ClaimOverride {
                target: OverrideTarget::Tier(Tier::Gold),
                max: Some(25),
            }],
        },
    ]
}

/// Where [`QUEUES`] keeps the inbound web leads and the public sector.
const WEB_QUEUE: usize = 1;
const PUBLIC_QUEUE: usize = 2;

/// Greater Copenhagen goes straight to Fjordline IT, which must answer within
/// a day; trade-show leads take turns among the expo's partners; municipal
/// leads wait in the public-sector queue; backup buyers go to whichever web
/// partner has most room. Anything else waits in the web queue.
fn assignment_rules(partners: &[PartnerId], queues: &[QueueId]) -> Vec<AssignmentRule> {
    let rule = |name: &str, conditions, target, response_hours| AssignmentRule {
        id: AssignmentRuleId::new(),
        name: name.into(),
        conditions,
        target,
        response_hours,
    };
    vec![
        rule(
            "Greater Copenhagen",
            vec![
                Condition::Country {
                    countries: vec!["DK".into()],
                },
                Condition::PostalCode {
                    from: "1000".into(),
                    to: "2999".into(),
                },
            ],
            Target::Partner {
                partner_id: partners[0],
            },
            Some(24),
        ),
        rule(
            "Trade show leads in turn",
            vec![Condition::Source {
                sources: vec![LeadSource::TradeShow],
            }],
            Target::RoundRobin {
                queue_id: queues[super::plan::EXPO],
            },
            Some(48),
        ),
        rule(
            "Municipalities",
            vec![Condition::Field {
                field: "company".into(),
                op: FieldOp::Contains,
                value: "kommune".into(),
            }],
            Target::Queue {
                queue_id: queues[PUBLIC_QUEUE],
            },
            None,
        ),
        rule(
            "Backup buyers by capacity",
            vec![Condition::ProductInterest {
                contains: "backup".into(),
            }],
            Target::Capacity {
                queue_id: queues[WEB_QUEUE],
            },
            Some(48),
        ),
    ]
}

struct World {
    people: HashMap<&'static str, Viewer>,
    partners: Vec<PartnerId>,
    queues: Vec<QueueId>,
}

pub(super) async fn demo_people(store: &Store) -> anyhow::Result<HashMap<&'static str, Viewer>> {
    let mut people = HashMap::new();
    let everyone = VENDOR_STAFF
        .iter()
        .chain(PARTNERS.iter().flat_map(|p| p.people.iter()));
    for p in everyone {
        let email = EmailAddress::parse(p.email).map_err(|key| anyhow!("{}: {key}", p.email))?;
        let (user, _) = store
            .user_for_sign_in(&email)
            .await?
            .ok_or_else(|| anyhow!("demo user {} is missing", p.email))?;
        people.insert(p.email, user.viewer());
    }
    Ok(people)
}

pub(super) fn person(
    people: &HashMap<&'static str, Viewer>,
    email: &str,
) -> anyhow::Result<Viewer> {
    people
        .get(email)
        .copied()
        .ok_or_else(|| anyhow!("demo user {email} is missing"))
}

async fn ensure_queues(
    store: &Store,
    admin: &Viewer,
    partners: &[PartnerId],
) -> anyhow::Result<Vec<QueueId>> {
    let existing = store.queues(admin).await?;
    let mut ids = Vec::with_capacity(QUEUES.len());
    for queue in &QUEUES {
        if let Some(found) = existing.iter().find(|q| q.name == queue.name) {
            ids.push(found.id);
            continue;
        }
        let fields = QueueFields {
            name: queue.name.to_owned(),
            stale_claim_days: queue.stale_claim_days,
            members: queue.members.iter().map(|&i| partners[i]).collect(),
        };
        ids.push(store.create_queue(None, &fields).await?);
    }
    Ok(ids)
}

/// Walks the plan, oldest step first, each at its own time.
async fn run(store: &Store, world: &World, plan: &Plan) -> anyhow::Result<()> {
    let statuses = store.lead_statuses().await?;
    let start = store.now();
    let first = plan.steps.first().map_or(start, |s| start - s.ago);
    let clock = ManualClock::new(first);
    let past = store.clone().with_clock(Arc::new(clock.clone()));
    let mut ids: Vec<Option<LeadId>> = vec![None; plan.leads.len()];
    let id = |ids: &[Option<LeadId>], lead: usize| {
        ids.get(lead)
            .copied()
            .flatten()
            .ok_or_else(|| anyhow!("demo lead {lead} used before it was created"))
    };
    for step in &plan.steps {
        clock.advance(start - step.ago - clock.now());
        let done: anyhow::Result<()> = async {
            match &step.action {
                Action::Create(lead) => {
                    let planned = &plan.leads[*lead];
                    let fields = planned.input.clone().parse(None, &statuses)?;
                    let assignment = match planned.place {
                        Place::Queue(q) => Assignment::Queue(world.queues[q]),
                        Place::Partner(p) => Assignment::Partner(world.partners[p]),
                        Place::User(email) => {
                            Assignment::User(person(&world.people, email)?.user_id)
                        }
                        Place::Unassigned | Place::Own => Assignment::Unassigned,
                    };
                    let creator = person(&world.people, planned.creator)?;
                    ids[*lead] = Some(past.create_lead(&creator, &fields, assignment).await?.id);
                }
                Action::Claim(lead, by) => {
                    past.claim_lead(&person(&world.people, by)?, id(&ids, *lead)?)
                        .await?;
                }
                Action::Edit {
                    lead,
                    by,
                    status,
                    rating,
                } => {
                    let viewer = person(&world.people, by)?;
                    let current = past.lead(&viewer, id(&ids, *lead)?).await?;
                    let mut input = openprm_domain::leads::LeadInput::from(&current.fields());
                    input.status = Some((*status).to_owned());
                    if let Some(rating) = rating {
                        input.rating = Some((*rating).to_owned());
                    }
                    let fields = input.parse(Some(&current.fields()), &statuses)?;
                    past.update_lead(&viewer, current.id, current.version, &fields)
                        .await?;
                }
                Action::Note(lead, by, text) => {
                    past.add_lead_note(&person(&world.people, by)?, id(&ids, *lead)?, text)
                        .await?;
                }
                Action::Accept(lead, by) => {
                    past.accept_lead(&person(&world.people, by)?, id(&ids, *lead)?)
                        .await?;
                }
                Action::Decline(lead, by, reason) => {
                    past.decline_lead(&person(&world.people, by)?, id(&ids, *lead)?, *reason, None)
                        .await?;
                }
                Action::Release(lead, by) => {
                    past.release_lead(&person(&world.people, by)?, id(&ids, *lead)?)
                        .await?;
                }
            }
            Ok(())
        }
        .await;
        done.with_context(|| format!("demo step {:?}", step.action))?;
    }
    Ok(())
}
