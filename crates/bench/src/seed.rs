//! Seeding: a vendor admin and channel managers, partner accounts with two
//! people each, four queues with member partners, claim rules, and a large
//! number of leads with a realistic spread of states.
//!
//! Rows go straight into the tables with multi-row INSERTs, committed every
//! [`ROWS_PER_TRANSACTION`] leads: creating a million leads one by one through
//! the store would take hours. The rows look like the store's own (UUIDv7 ids
//! that sort by creation, [`DbTime`] timestamps, the same status and source
//! keys), and the claim rules go through the store itself.

use std::{str::FromStr, time::Duration};

use anyhow::Context;
use openprm_domain::{
    ClaimRuleId, PartnerId, QueueId, Role, UserId, Viewer,
    claim_rules::{ClaimRule, LimitKind, LimitSubject},
    leads::{LeadSource, Rating},
};
use openprm_store::{DbTime, Store};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sqlx::{
    ConnectOptions, Connection, PgConnection, SqliteConnection,
    postgres::PgConnectOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};
use time::OffsetDateTime;
use uuid::Uuid;

/// Leads per INSERT: 21 columns each stays under SQLite's 32,766 parameters.
const ROWS_PER_STATEMENT: usize = 1_000;
const ROWS_PER_TRANSACTION: usize = 100_000;
/// Partners whose two people claim in the claim benchmark.
pub const CLAIMER_PARTNERS: usize = 32;

/// How much to seed.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub leads: u64,
    pub partners: u32,
    /// Leads the heaviest partner user owns (their `mine` view must reach the deep page).
    pub power_user_leads: u64,
    /// Unclaimed leads to put in the claim queue for the claim benchmark.
    pub claim_pool: u64,
}

/// What the measurements need to know about the seeded data.
pub struct Seeded {
    pub admin: UserId,
    /// A partner user owning [`Plan::power_user_leads`] leads.
    pub power_user: UserId,
    /// Partner staff of claim-queue members, two per partner.
    pub claimers: Vec<Viewer>,
    /// The claim queue's unclaimed leads, newest first.
    pub claim_pool: Vec<Uuid>,
    pub users: u64,
    pub queue_members: u64,
    pub claim_events: u64,
    pub by_state: StateCounts,
}

#[derive(Debug, Default)]
pub struct StateCounts {
    pub owned: u64,
    pub claimed_earlier: u64,
    pub in_queues: u64,
    pub inbox: u64,
    pub unassigned: u64,
}

/// One raw connection for seeding, with settings for bulk loading.
enum SeedConn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Appends `VALUES (…), (…)` for `$rows` to `$head` and runs it on either backend.
macro_rules! insert {
    ($conn:expr, $head:expr, $rows:expr, |$b:ident, $r:ident| $push:expr) => {
        match $conn {
            SeedConn::Sqlite(c) => {
                let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new($head);
                qb.push_values($rows, |mut $b, $r| {
                    $push;
                });
                qb.build().execute(&mut *c).await?;
            }
            SeedConn::Postgres(c) => {
                let mut qb = sqlx::QueryBuilder::<sqlx::Postgres>::new($head);
                qb.push_values($rows, |mut $b, $r| {
                    $push;
                });
                qb.build().execute(&mut *c).await?;
            }
        }
    };
}

impl SeedConn {
    async fn open(url: &str) -> anyhow::Result<SeedConn> {
        if url.starts_with("sqlite:") {
            // Foreign keys are off while loading: the generator writes parents first
            // and PostgreSQL, which checks them, is seeded by the same code.
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Off)
                .foreign_keys(false)
                .pragma("cache_size", "-262144")
                .busy_timeout(Duration::from_secs(30));
            Ok(SeedConn::Sqlite(options.connect().await?))
        } else {
            let mut conn = PgConnection::connect_with(
                &PgConnectOptions::from_str(url)?.application_name("openprm-bench"),
            )
            .await?;
            sqlx::raw_sql("SET synchronous_commit = off")
                .execute(&mut conn)
                .await?;
            Ok(SeedConn::Postgres(conn))
        }
    }

    async fn exec(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            SeedConn::Sqlite(c) => sqlx::raw_sql(sql).execute(&mut *c).await.map(drop)?,
            SeedConn::Postgres(c) => sqlx::raw_sql(sql).execute(&mut *c).await.map(drop)?,
        }
        Ok(())
    }

    async fn close(self) -> anyhow::Result<()> {
        match self {
            SeedConn::Sqlite(c) => c.close().await?,
            SeedConn::Postgres(c) => c.close().await?,
        }
        Ok(())
    }
}

const FIRST: [&str; 24] = [
    "Anna", "Mikkel", "Sofie", "Lars", "Ida", "Jonas", "Emma", "Frederik", "Clara", "Oliver",
    "Maja", "Lucas", "Sarah", "Noah", "Laura", "William", "Julie", "Magnus", "Freja", "Emil",
    "Priya", "Chen", "Fatima", "Diego",
];
const LAST: [&str; 20] = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Petersen",
    "Madsen",
    "Kristensen",
    "Olsen",
    "Thomsen",
    "Schmidt",
    "Müller",
    "García",
    "Smith",
    "Kowalski",
];
const COMPANY_STEM: [&str; 16] = [
    "Nordic",
    "Baltic",
    "Harbour",
    "Summit",
    "Copper",
    "Granite",
    "Fjord",
    "Aurora",
    "Beacon",
    "Meridian",
    "Atlas",
    "Cobalt",
    "Evergreen",
    "Linden",
    "Orion",
    "Vega",
];
const COMPANY_TRADE: [&str; 12] = [
    "Logistics",
    "Foods",
    "Energy",
    "Robotics",
    "Health",
    "Textiles",
    "Software",
    "Marine",
    "Pharma",
    "Retail",
    "Building",
    "Analytics",
];
const COMPANY_FORM: [&str; 6] = ["ApS", "A/S", "AB", "GmbH", "Ltd", "Inc."];
const TITLES: [&str; 8] = [
    "CIO",
    "Head of IT",
    "Procurement Manager",
    "CFO",
    "Operations Director",
    "IT Manager",
    "Purchasing Lead",
    "CTO",
];
const COUNTRIES: [&str; 8] = ["DK", "SE", "NO", "DE", "NL", "GB", "US", "FR"];
/// Status keys of the default picklist and how often owned leads are in each (per mille).
const OWNED_STATUSES: [(&str, u32); 5] = [
    ("open_not_contacted", 250),
    ("working_contacted", 300),
    ("qualified", 150),
    ("unqualified", 180),
    ("converted", 120),
];

#[derive(Clone, Copy)]
enum Fate {
    ClaimQueue,
    OtherQueue(usize),
    Unassigned,
    Inbox,
    PowerUser,
    Owned,
}

struct LeadRow {
    id: Uuid,
    name: String,
    company: String,
    title: Option<&'static str>,
    email: Option<String>,
    phone: Option<String>,
    country: &'static str,
    postal_code: Option<String>,
    source: &'static str,
    status: &'static str,
    rating: Option<&'static str>,
    description: Option<String>,
    queue: Option<Uuid>,
    partner: Option<Uuid>,
    owner: Option<Uuid>,
    accepted_at: Option<DbTime>,
    claimed_at: Option<DbTime>,
    created_by: Uuid,
    created_at: DbTime,
    updated_at: DbTime,
}

struct ClaimEvent {
    id: Uuid,
    lead: Uuid,
    at: DbTime,
    actor: Uuid,
    partner: Uuid,
    queue: Uuid,
}

/// A UUIDv7 for a moment, with random bits from the seeded generator.
fn v7_at(rng: &mut StdRng, at: OffsetDateTime) -> Uuid {
    let millis = u64::try_from(at.unix_timestamp_nanos() / 1_000_000).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &rng.r#gen::<[u8; 10]>()).into_uuid()
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.gen_range(0..items.len())]
}

/// A partner index skewed towards the first ones, as real channels are: the
/// square of a uniform draw gives partner 0 about 1/√P of the leads.
fn skewed_partner(rng: &mut StdRng, partners: u32) -> u32 {
    let u: f64 = rng.r#gen();
    ((u * u * f64::from(partners)) as u32).min(partners.saturating_sub(1))
}

pub async fn seed(url: &str, store: &Store, plan: Plan) -> anyhow::Result<Seeded> {
    anyhow::ensure!(
        plan.partners as usize > CLAIMER_PARTNERS,
        "need more than {CLAIMER_PARTNERS} partners"
    );
    let mut rng = StdRng::seed_from_u64(0x0BE9_C4A2);
    let mut conn = SeedConn::open(url)
        .await
        .context("open the seeding connection")?;
    let now = OffsetDateTime::now_utc();
    let history = time::Duration::days(3 * 365);
    let origin = now - history - time::Duration::days(30);

    // Vendor staff: one admin and ten channel managers.
    conn.exec("BEGIN").await?;
    let admin = UserId(v7_at(&mut rng, origin));
    let managers: Vec<Uuid> = (0..10).map(|_| v7_at(&mut rng, origin)).collect();
    let mut staff = vec![(
        admin.0,
        "admin@vendor.example".to_owned(),
        "Vera Vendor".to_owned(),
        "admin",
    )];
    for (i, id) in managers.iter().enumerate() {
        staff.push((
            *id,
            format!("cm{i}@vendor.example"),
            format!("Channel Manager {i}"),
            "channel_manager",
        ));
    }
    insert!(
        &mut conn,
        "INSERT INTO users (id, email, name, role, partner_id, locale, must_change_password, active, created_at) ",
        staff,
        |b, r| b
            .push_bind(r.0)
            .push_bind(r.1)
            .push_bind(r.2)
            .push_bind(r.3)
            .push_bind(None::<Uuid>)
            .push_bind("en")
            .push_bind(false)
            .push_bind(true)
            .push_bind(DbTime::from(origin))
    );

    // Partner accounts, then their manager and sales rep each.
    let partners: Vec<Uuid> = (0..plan.partners)
        .map(|_| v7_at(&mut rng, origin))
        .collect();
    let tiers = [
        "registered",
        "registered",
        "silver",
        "silver",
        "gold",
        "platinum",
    ];
    let rows: Vec<(usize, Uuid)> = partners.iter().copied().enumerate().collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let batch: Vec<(Uuid, String, &str, Uuid)> = chunk
            .iter()
            .map(|(i, id)| {
                let name = format!(
                    "{} {} {} {i:05}",
                    pick(&mut rng, &COMPANY_STEM),
                    pick(&mut rng, &COMPANY_TRADE),
                    pick(&mut rng, &COMPANY_FORM)
                );
                (
                    *id,
                    name,
                    pick(&mut rng, &tiers),
                    managers[i % managers.len()],
                )
            })
            .collect();
        insert!(
            &mut conn,
            "INSERT INTO partners (id, name, tier, channel_manager_id, created_at, updated_at) ",
            batch,
            |b, r| b
                .push_bind(r.0)
                .push_bind(r.1)
                .push_bind(r.2)
                .push_bind(r.3)
                .push_bind(DbTime::from(origin))
                .push_bind(DbTime::from(origin))
        );
    }
    // users[2p] is partner p's manager, users[2p + 1] its sales rep.
    let users: Vec<Uuid> = (0..plan.partners * 2)
        .map(|_| v7_at(&mut rng, origin))
        .collect();
    let rows: Vec<(usize, Uuid)> = users.iter().copied().enumerate().collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let batch: Vec<(Uuid, String, String, &str, Uuid)> = chunk
            .iter()
            .map(|(i, id)| {
                let role = if i % 2 == 0 {
                    "partner_manager"
                } else {
                    "partner_user"
                };
                let name = format!("{} {}", pick(&mut rng, &FIRST), pick(&mut rng, &LAST));
                (
                    *id,
                    format!("u{i}@p{}.example", i / 2),
                    name,
                    role,
                    partners[i / 2],
                )
            })
            .collect();
        insert!(
            &mut conn,
            "INSERT INTO users (id, email, name, role, partner_id, locale, must_change_password, active, created_at) ",
            batch,
            |b, r| b
                .push_bind(r.0)
                .push_bind(r.1)
                .push_bind(r.2)
                .push_bind(r.3)
                .push_bind(r.4)
                .push_bind("en")
                .push_bind(false)
                .push_bind(true)
                .push_bind(DbTime::from(origin))
        );
    }

    // Queues: the claim queue (a trade show) has a quarter of the partners as
    // members, always including the claimers' partners; the others fewer.
    let queue_names = [
        "CES 2026 trade show",
        "Web inbound EMEA",
        "Web inbound Americas",
        "Partner referrals",
    ];
    let queues: Vec<Uuid> = queue_names
        .iter()
        .map(|_| v7_at(&mut rng, origin))
        .collect();
    let batch: Vec<(Uuid, &str)> = queues.iter().copied().zip(queue_names).collect();
    insert!(
        &mut conn,
        "INSERT INTO queues (id, name, stale_claim_days, created_at) ",
        batch,
        |b, r| b
            .push_bind(r.0)
            .push_bind(r.1)
            // No stale-claim return: with claims spread over three years, the
            // sweep of `openprm serve` would spend the measured runs warning
            // the owners of some 200,000 idle claims, which is a workload of
            // its own, not the one measured here.
            .push_bind(None::<i32>)
            .push_bind(DbTime::from(origin))
    );
    let mut members: Vec<(Uuid, Uuid)> = Vec::new();
    for (q, queue) in queues.iter().enumerate() {
        let share = if q == 0 { 0.25 } else { 0.15 };
        for (p, partner) in partners.iter().enumerate() {
            let claimer = q == 0 && (1..=CLAIMER_PARTNERS).contains(&p);
            if claimer || rng.gen_bool(share) {
                members.push((*queue, *partner));
            }
        }
    }
    for chunk in members.chunks(ROWS_PER_STATEMENT) {
        insert!(
            &mut conn,
            "INSERT INTO queue_members (queue_id, partner_id) ",
            chunk.iter(),
            |b, r| b.push_bind(r.0).push_bind(r.1)
        );
    }
    conn.exec("COMMIT").await?;

    // Leads, oldest first, evenly over three years.
    let total = plan.leads.max(1);
    let step_nanos = history.whole_nanoseconds() / i128::from(total);
    let p_claim = plan.claim_pool as f64 / total as f64;
    let p_power = plan.power_user_leads as f64 / total as f64;
    anyhow::ensure!(
        p_claim + p_power < 0.9,
        "too few leads for the claim pool and the deep page"
    );
    let power_user = users[1];
    let mut counts = StateCounts::default();
    let mut claim_events = 0_u64;
    let mut in_transaction = 0_usize;
    let mut next = 0_u64;
    while next < total {
        if in_transaction == 0 {
            conn.exec("BEGIN").await?;
        }
        let n = (total - next).min(ROWS_PER_STATEMENT as u64);
        let mut leads = Vec::with_capacity(n as usize);
        let mut events = Vec::new();
        for i in next..next + n {
            let created = origin + time::Duration::nanoseconds_i128(step_nanos * i128::from(i));
            let fate = {
                let x: f64 = rng.r#gen();
                if x < p_claim {
                    Fate::ClaimQueue
                } else if x < p_claim + p_power {
                    Fate::PowerUser
                } else if x < p_claim + p_power + 0.04 {
                    Fate::OtherQueue(rng.gen_range(1..queues.len()))
                } else if x < p_claim + p_power + 0.055 {
                    Fate::Unassigned
                } else if x < p_claim + p_power + 0.075 {
                    Fate::Inbox
                } else {
                    Fate::Owned
                }
            };
            let (lead, event) = lead_row(
                &mut rng, fate, created, now, admin.0, &partners, &users, &queues,
            );
            match fate {
                Fate::ClaimQueue | Fate::OtherQueue(_) => counts.in_queues += 1,
                Fate::Unassigned => counts.unassigned += 1,
                Fate::Inbox => counts.inbox += 1,
                Fate::PowerUser | Fate::Owned => counts.owned += 1,
            }
            if let Some(e) = event {
                counts.claimed_earlier += 1;
                events.push(e);
            }
            leads.push(lead);
        }
        insert!(
            &mut conn,
            "INSERT INTO leads (id, name, company, title, email, phone, country, postal_code, source, status, rating, description, \
             queue_id, partner_id, owner_id, accepted_at, claimed_at, created_by, created_at, updated_at, last_activity_at) ",
            leads,
            |b, r| b
                .push_bind(r.id)
                .push_bind(r.name)
                .push_bind(r.company)
                .push_bind(r.title)
                .push_bind(r.email)
                .push_bind(r.phone)
                .push_bind(r.country)
                .push_bind(r.postal_code)
                .push_bind(r.source)
                .push_bind(r.status)
                .push_bind(r.rating)
                .push_bind(r.description)
                .push_bind(r.queue)
                .push_bind(r.partner)
                .push_bind(r.owner)
                .push_bind(r.accepted_at)
                .push_bind(r.claimed_at)
                .push_bind(r.created_by)
                .push_bind(r.created_at)
                .push_bind(r.updated_at)
                .push_bind(r.updated_at)
        );
        claim_events += events.len() as u64;
        if !events.is_empty() {
            insert!(
                &mut conn,
                "INSERT INTO lead_events (id, lead_id, at, actor_id, kind, partner_id, queue_id) ",
                events,
                |b, r| b
                    .push_bind(r.id)
                    .push_bind(r.lead)
                    .push_bind(r.at)
                    .push_bind(r.actor)
                    .push_bind("claim")
                    .push_bind(r.partner)
                    .push_bind(r.queue)
            );
        }
        next += n;
        in_transaction += n as usize;
        if in_transaction >= ROWS_PER_TRANSACTION || next >= total {
            conn.exec("COMMIT").await?;
            in_transaction = 0;
        }
    }
    conn.close().await?;

    // Generous rules, checked on every claim but refusing none in this benchmark.
    let rules = vec![
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Open claims per rep".into(),
            kind: LimitKind::OpenAtOnce,
            subject: LimitSubject::User,
            queue_id: None,
            max: 20_000,
            overrides: Vec::new(),
        },
        ClaimRule {
            id: ClaimRuleId::new(),
            name: "Daily trade-show claims per partner".into(),
            kind: LimitKind::PerWindow { window_hours: 24 },
            subject: LimitSubject::Partner,
            queue_id: Some(QueueId(queues[0])),
            max: 100_000,
            overrides: Vec::new(),
        },
    ];
    store.save_claim_rules(None, &rules).await?;

    let claimers = (1..=CLAIMER_PARTNERS)
        .flat_map(|p| {
            [
                (2 * p, Role::PartnerManager),
                (2 * p + 1, Role::PartnerUser),
            ]
            .map(|(u, role)| Viewer {
                user_id: UserId(users[u]),
                role,
                partner_id: Some(PartnerId(partners[p])),
            })
        })
        .collect();
    let claim_pool = claim_queue_leads(store, queues[0]).await?;
    Ok(Seeded {
        admin,
        power_user: UserId(power_user),
        claimers,
        claim_pool,
        users: users.len() as u64 + 11,
        queue_members: members.len() as u64,
        claim_events,
        by_state: counts,
    })
}

#[allow(clippy::too_many_arguments)]
fn lead_row(
    rng: &mut StdRng,
    fate: Fate,
    created: OffsetDateTime,
    now: OffsetDateTime,
    admin: Uuid,
    partners: &[Uuid],
    users: &[Uuid],
    queues: &[Uuid],
) -> (LeadRow, Option<ClaimEvent>) {
    let first = pick(rng, &FIRST);
    let last = pick(rng, &LAST);
    let stem = pick(rng, &COMPANY_STEM);
    let trade = pick(rng, &COMPANY_TRADE);
    let company = format!("{stem} {trade} {}", pick(rng, &COMPANY_FORM));
    let email = rng.gen_bool(0.9).then(|| {
        format!(
            "{}.{}{}@{}{}.example",
            first.to_lowercase(),
            last.to_lowercase(),
            rng.gen_range(1..1000),
            stem.to_lowercase(),
            trade.to_lowercase()
        )
    });
    let later = |rng: &mut StdRng, max_hours: i64| {
        let t = created + time::Duration::minutes(rng.gen_range(1..max_hours * 60));
        DbTime::from(t.min(now))
    };
    let mut row = LeadRow {
        id: v7_at(rng, created),
        name: format!("{first} {last}"),
        company,
        title: rng.gen_bool(0.8).then(|| pick(rng, &TITLES)),
        email,
        phone: rng.gen_bool(0.7).then(|| format!("+45 {:08}", rng.gen_range(20_000_000..99_999_999))),
        country: pick(rng, &COUNTRIES),
        postal_code: rng.gen_bool(0.8).then(|| format!("{:04}", rng.gen_range(1000..9999))),
        source: pick(rng, &LeadSource::ALL).as_str(),
        status: "open_not_contacted",
        rating: rng.gen_bool(0.6).then(|| pick(rng, &Rating::ALL).as_str()),
        description: rng.gen_bool(0.3).then(|| {
            "Asked for a demo at the booth; evaluating a replacement for their current system this quarter.".to_owned()
        }),
        queue: None,
        partner: None,
        owner: None,
        accepted_at: None,
        claimed_at: None,
        created_by: admin,
        created_at: DbTime::from(created),
        updated_at: DbTime::from(created),
    };
    let mut event = None;
    match fate {
        Fate::ClaimQueue => row.queue = Some(queues[0]),
        Fate::OtherQueue(q) => row.queue = Some(queues[q]),
        Fate::Unassigned => {}
        Fate::Inbox => {
            let p = rng.gen_range(0..partners.len());
            row.partner = Some(partners[p]);
            row.owner = rng.gen_bool(0.5).then(|| users[2 * p + 1]);
        }
        Fate::PowerUser | Fate::Owned => {
            let p = match fate {
                Fate::PowerUser => 0,
                _ => skewed_partner(rng, partners.len() as u32) as usize,
            };
            let owner = match fate {
                Fate::PowerUser => users[1],
                _ => users[2 * p + rng.gen_range(0..2)],
            };
            row.partner = Some(partners[p]);
            row.owner = Some(owner);
            let mut roll = rng.gen_range(0..1000);
            row.status = OWNED_STATUSES
                .iter()
                .find(|(_, share)| {
                    let hit = roll < *share;
                    roll = roll.saturating_sub(*share);
                    hit
                })
                .map(|(key, _)| *key)
                .unwrap_or("working_contacted");
            row.updated_at = later(rng, 24 * 60);
            if rng.gen_bool(0.25) {
                // Claimed from a queue earlier: it keeps the queue and has a claim event.
                let queue = queues[rng.gen_range(0..queues.len())];
                let at = later(rng, 48);
                row.queue = Some(queue);
                row.claimed_at = Some(at);
                row.accepted_at = Some(at);
                event = Some(ClaimEvent {
                    id: v7_at(rng, at.0),
                    lead: row.id,
                    at,
                    actor: owner,
                    partner: partners[p],
                    queue,
                });
            } else {
                // Created by the partner or accepted from its inbox.
                row.accepted_at = Some(row.created_at);
                if rng.gen_bool(0.7) {
                    row.created_by = owner;
                }
            }
            if row.updated_at < row.accepted_at.unwrap_or(row.created_at) {
                row.updated_at = row.accepted_at.unwrap_or(row.created_at);
            }
        }
    }
    (row, event)
}

/// The claim queue's unclaimed leads.
async fn claim_queue_leads(store: &Store, queue: Uuid) -> anyhow::Result<Vec<Uuid>> {
    let sql = "SELECT id FROM leads WHERE queue_id = $1 AND owner_id IS NULL AND partner_id IS NULL ORDER BY created_at DESC, id DESC";
    let rows: Vec<(Uuid,)> = match &store.db {
        openprm_store::Db::Sqlite(pool) => sqlx::query_as(sql).bind(queue).fetch_all(pool).await?,
        openprm_store::Db::Postgres(pool) => {
            sqlx::query_as(sql).bind(queue).fetch_all(pool).await?
        }
    };
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Brings the planner's statistics up to date, as PostgreSQL's autovacuum
/// would soon after a bulk load. SQLite is left as the portal leaves it (the
/// portal never runs ANALYZE there).
pub async fn settle(store: &Store) -> anyhow::Result<()> {
    if let openprm_store::Db::Postgres(pool) = &store.db {
        sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
    }
    Ok(())
}
