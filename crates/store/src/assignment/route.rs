//! The routing step: places one lead by the assignment rules, inside the
//! transaction of whatever brings the lead (a new lead from a form, the API,
//! an import or the web-to-lead form; a decline; a response time run out), so
//! the lead, its place and its timeline are written together or not at all.
//!
//! [`route_lead!`] reads the partners that declined this lead, asks the
//! domain which matching rules can place it, and takes the first that yields
//! somebody:
//!
//! - a round-robin rule locks its own row (`FOR UPDATE` on PostgreSQL; SQLite's
//!   `BEGIN IMMEDIATE` already serialises writers), reads its counter, lets the
//!   domain choose the partner whose turn it is and advances the counter, so
//!   turns are fair across any number of instances;
//! - a capacity rule counts each candidate's usage of the partner-account claim
//!   rules and its open leads, and lets the domain choose. Capacity is a
//!   preference, not a limit (the claim rules guard claims), so it takes no lock.
//!
//! It then writes the place (queue, partner, owner; not accepted), the rule
//! that chose it and, for an inbox with a response time, when the lead must be
//! accepted by; and a `routed` timeline entry whose value is the rule's name or
//! `fallback`. Live delivery listens to timeline entries, so every change of
//! place writes one. The caller bumps the lead's version.

/// SQL: open leads a partner holds or has waiting in its inbox, in a queue
/// scope (`$2` NULL for all queues).
pub(crate) const HELD_OPEN: &str = "SELECT COUNT(*) FROM leads l JOIN lead_statuses s ON s.key = l.status \
     WHERE l.partner_id = $1 AND NOT s.closed AND ($2 IS NULL OR l.queue_id = $2)";

/// SQL: leads a partner claimed or was given since `$3`, in a queue scope.
pub(crate) const TAKEN_SINCE: &str = "SELECT COUNT(*), MIN(e.at) FROM lead_events e \
     WHERE e.kind IN ('claim', 'routed') AND e.partner_id = $1 AND ($2 IS NULL OR e.queue_id = $2) AND e.at > $3";

/// What partner `$partner` holds, read on transaction `$tx` at `$now`: the
/// usage of every partner-account claim rule of `$router` and its open leads.
/// Evaluates to a `PartnerLoad`.
macro_rules! partner_load {
    ($tx:ident, $backend:expr, $router:expr, $now:expr, $partner:expr) => {{
        use openprm_domain::claim_rules::{LimitKind, LimitSubject, RuleUsage};
        let partner: openprm_domain::PartnerId = $partner;
        let backend: $crate::Backend = $backend;
        let typed = |sql: &str| $crate::db::typed_null(sql, backend);
        let mut usage = Vec::new();
        for claim_rule in $router
            .claim_rules
            .iter()
            .filter(|r| r.subject == LimitSubject::Partner)
        {
            let used: i64 = match claim_rule.kind {
                LimitKind::OpenAtOnce => {
                    let (n,): (i64,) = sqlx::query_as(&typed($crate::assignment::route::HELD_OPEN))
                        .bind(partner.0)
                        .bind(claim_rule.queue_id.map(|q| q.0))
                        .fetch_one(&mut *$tx)
                        .await?;
                    n
                }
                LimitKind::PerWindow { .. } => {
                    let since = claim_rule.window_start($now).map($crate::DbTime::from);
                    let (n, _oldest): (i64, Option<$crate::DbTime>) =
                        sqlx::query_as(&typed($crate::assignment::route::TAKEN_SINCE))
                            .bind(partner.0)
                            .bind(claim_rule.queue_id.map(|q| q.0))
                            .bind(since)
                            .fetch_one(&mut *$tx)
                            .await?;
                    n
                }
            };
            usage.push(RuleUsage {
                rule: claim_rule.id,
                used: u32::try_from(used).unwrap_or(u32::MAX),
                oldest_in_window: None,
            });
        }
        let (held,): (i64,) = sqlx::query_as(&typed($crate::assignment::route::HELD_OPEN))
            .bind(partner.0)
            .bind(None::<uuid::Uuid>)
            .fetch_one(&mut *$tx)
            .await?;
        openprm_domain::assignment_rules::batch::PartnerLoad {
            usage,
            held: u32::try_from(held).unwrap_or(u32::MAX),
        }
    }};
}
pub(crate) use partner_load;

/// Places lead `$lead` (a `LeadId`, its fields `$fields`) by `$router` on
/// transaction `$tx` of `$store`, at `$now`, on behalf of `$actor`
/// (`Option<UserId>`). Evaluates to the chosen `Placement`.
macro_rules! route_lead {
    ($store:expr, $tx:ident, $router:expr, $now:expr, $lead:expr, $fields:expr, $actor:expr) => {{
        use openprm_domain::assignment_rules::{
            CapacityCandidate, FALLBACK, Offer, Placement, decided, most_free, offers,
            round_robin,
        };
        let router: &$crate::assignment::Router = $router;
        let lead_id: openprm_domain::LeadId = $lead;
        let now: time::OffsetDateTime = $now;
        let backend = $store.backend();
        let declined_rows: Vec<(uuid::Uuid,)> =
            sqlx::query_as("SELECT partner_id FROM lead_declines WHERE lead_id = $1")
                .bind(lead_id.0)
                .fetch_all(&mut *$tx)
                .await?;
        let declined: std::collections::HashSet<openprm_domain::PartnerId> = declined_rows
            .into_iter()
            .map(|(p,)| openprm_domain::PartnerId(p))
            .collect();
        let mut chosen: Option<(&openprm_domain::assignment_rules::AssignmentRule, Placement)> =
            None;
        for (rule, offer) in offers(&router.config.rules, $fields, &router.directory, &declined) {
            let placement = match offer {
                Offer::Place(place) => Some(place),
                Offer::RoundRobin { queue, candidates } => {
                    let lock = match backend {
                        $crate::Backend::Postgres => {
                            "SELECT rr_counter FROM assignment_rules WHERE id = $1 FOR UPDATE"
                        }
                        $crate::Backend::Sqlite => {
                            "SELECT rr_counter FROM assignment_rules WHERE id = $1"
                        }
                    };
                    let counter: Option<(i64,)> = sqlx::query_as(lock)
                        .bind(rule.id.0)
                        .fetch_optional(&mut *$tx)
                        .await?;
                    // A rule removed since the router was read places nobody.
                    match counter {
                        None => None,
                        Some((counter,)) => {
                            sqlx::query(
                                "UPDATE assignment_rules SET rr_counter = rr_counter + 1 WHERE id = $1",
                            )
                            .bind(rule.id.0)
                            .execute(&mut *$tx)
                            .await?;
                            round_robin(&candidates, u64::try_from(counter).unwrap_or(0)).map(
                                |partner| Placement::Partner {
                                    partner,
                                    queue: Some(queue),
                                },
                            )
                        }
                    }
                }
                Offer::Capacity { queue, candidates } => {
                    let mut running = Vec::with_capacity(candidates.len());
                    for (partner, tier) in candidates {
                        let load = $crate::assignment::route::partner_load!($tx, backend, router, now, partner);
                        running.push(CapacityCandidate {
                            partner,
                            tier,
                            usage: load.usage,
                            held: load.held,
                        });
                    }
                    most_free(&router.claim_rules, queue, &running).map(|partner| {
                        Placement::Partner {
                            partner,
                            queue: Some(queue),
                        }
                    })
                }
            };
            if let Some(place) = placement {
                chosen = Some((rule, place));
                break;
            }
        }
        let (rule, placement) = decided(
            chosen,
            router.config.default_queue_id,
            &router.directory,
        );
        let place = $crate::leads::intake::LeadPlace::from(placement);
        let (queue, partner, owner) = (place.queue, place.partner, place.owner);
        let respond_by = openprm_domain::assignment_rules::respond_by(rule, placement, now);
        sqlx::query(
            "UPDATE leads SET queue_id = $2, partner_id = $3, owner_id = $4, accepted_at = NULL, claimed_at = NULL, \
             routed_rule_id = $5, respond_by = $6, stale_warned_at = NULL, updated_at = $7 WHERE id = $1",
        )
        .bind(lead_id.0)
        .bind(queue.map(|q: openprm_domain::QueueId| q.0))
        .bind(partner.map(|p: openprm_domain::PartnerId| p.0))
        .bind(owner.map(|u: openprm_domain::UserId| u.0))
        .bind(rule.map(|r| r.id.0))
        .bind(respond_by.map($crate::DbTime::from))
        .bind($crate::DbTime::from(now))
        .execute(&mut *$tx)
        .await?;
        let routed_by = rule.map_or_else(|| FALLBACK.to_owned(), |r| r.name.clone());
        $crate::leads::timeline::record!(&mut *$tx, now, lead_id, $actor, "routed", None::<&str>, None::<String>, Some(routed_by), partner, queue);
        placement
    }};
}
pub(crate) use route_lead;

/// A [`BatchRouter`](openprm_domain::assignment_rules::batch::BatchRouter)
/// for the new leads of an import, read on transaction `$tx` of `$store`
/// at `$now`: every rule's round-robin counter, locked on PostgreSQL until
/// the import commits (so turns stay fair with leads routed meanwhile
/// elsewhere), and the load of every partner a capacity rule could choose.
/// Write the counters back with [`save_counters!`] before committing.
macro_rules! batch_router {
    ($store:expr, $tx:ident, $router:expr, $now:expr) => {{
        use openprm_domain::assignment_rules::batch::BatchRouter;
        let router: &$crate::assignment::Router = $router;
        let backend = $store.backend();
        let lock = match backend {
            $crate::Backend::Postgres => {
                "SELECT id, rr_counter FROM assignment_rules ORDER BY id FOR UPDATE"
            }
            $crate::Backend::Sqlite => "SELECT id, rr_counter FROM assignment_rules",
        };
        let counters: Vec<(uuid::Uuid, i64)> = sqlx::query_as(lock).fetch_all(&mut *$tx).await?;
        let counters = counters
            .into_iter()
            .map(|(id, c)| {
                (
                    openprm_domain::AssignmentRuleId(id),
                    u64::try_from(c).unwrap_or(0),
                )
            })
            .collect();
        let mut loads = std::collections::HashMap::new();
        for partner in BatchRouter::capacity_partners(&router.config, &router.directory) {
            let load =
                $crate::assignment::route::partner_load!($tx, backend, router, $now, partner);
            loads.insert(partner, load);
        }
        BatchRouter::new(
            &router.config,
            &router.directory,
            &router.claim_rules,
            counters,
            loads,
        )
    }};
}
pub(crate) use batch_router;

/// Writes back the round-robin counters a batch router advanced.
macro_rules! save_counters {
    ($tx:ident, $batch:expr) => {
        for (rule, counter) in $batch.advanced_counters() {
            sqlx::query("UPDATE assignment_rules SET rr_counter = $2 WHERE id = $1")
                .bind(rule.0)
                .bind(i64::try_from(counter).unwrap_or(i64::MAX))
                .execute(&mut *$tx)
                .await?;
        }
    };
}
pub(crate) use save_counters;
