//! Lead intake in bulk and from outside: a checked CSV import, and a lead
//! from the public web-to-lead form.
//!
//! An import is all or nothing for its good rows: they are written in one
//! transaction (multi-row INSERTs of [`CHUNK`] leads, each lead with its
//! `created` timeline entry), so a failure half-way leaves nothing. Rows
//! repeating an existing lead are found first, outside the transaction, by
//! one pass over the leads table; inside it, only leads written since that
//! pass began are looked at again, so the write lock is held for writing,
//! not for reading the whole table. On PostgreSQL an advisory lock makes two
//! imports at once take turns (SQLite's single writer does that anyway), so
//! the same file imported twice at once still gives one lead a row.
//!
//! Where each new lead goes is decided in one place, [`place_new_lead`].

use std::collections::HashMap;

use futures::TryStreamExt;
use openprm_domain::{
    AssignmentRuleId, DomainError, LeadId, PartnerId, QueueId, Role, UserId, Viewer,
    assignment_rules::{FALLBACK, Placement, batch::BatchRouter, respond_by},
    lead_import::{GoodRow, ImportReport, KeyIndex, LeadKey, MatchedBy, Prepared},
    leads::LeadFields,
};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::{
    Backend, DbTime, Store, StoreError, on_db,
    scope::{bind_scope, lead_clause},
    write_tx,
};

use super::{
    Assignment,
    timeline::{NewLeadEntry, new_lead_entries_sql},
};
use crate::{
    assignment::route::{batch_router, route_lead, save_counters},
    live::insert_new_leads_sql,
    notifications::{PlacedLead, notify_placed},
};

/// Leads per INSERT statement on PostgreSQL: [`VALUES_PER_LEAD`] values
/// each, well below the parameter limits of both databases (SQLite 32,766;
/// PostgreSQL 65,535).
pub const CHUNK: usize = 500;

/// Leads per INSERT statement on SQLite. Binding a parameter there looks its
/// `$n` name up in a list as long as the statement's parameters, so a
/// statement costs the square of its parameter count: 500 leads a statement
/// spent three quarters of an import's time in that lookup.
const SQLITE_CHUNK: usize = 20;

/// Leads per INSERT statement on `backend`.
fn chunk_size(backend: Backend) -> usize {
    match backend {
        Backend::Postgres => CHUNK,
        Backend::Sqlite => SQLITE_CHUNK,
    }
}
const VALUES_PER_LEAD: usize = 18;
const _: () = assert!(2 + CHUNK * VALUES_PER_LEAD < 32_766);

/// PostgreSQL advisory-lock key serialising imports.
const IMPORT_LOCK: i64 = 7_262_013_002;

/// How far back the in-transaction re-check looks before the scan began, so
/// that an instance whose clock runs a little behind is still seen.
const RECHECK_MARGIN: Duration = Duration::minutes(5);

/// Who brings leads in.
#[derive(Clone, Copy, Debug)]
pub enum Importer {
    /// A signed-in member of the vendor's staff, within their scope.
    User(Viewer),
    /// The command line or the public form: no portal user stands behind it,
    /// so the timeline shows no actor, and it may use every queue and partner.
    System,
}

impl Importer {
    pub fn viewer(&self) -> Viewer {
        match self {
            Importer::User(viewer) => *viewer,
            Importer::System => Viewer {
                user_id: UserId(Uuid::nil()),
                role: Role::Admin,
                partner_id: None,
            },
        }
    }

    /// Who the timeline and `created_by` name.
    pub fn actor(&self) -> Option<UserId> {
        match self {
            Importer::User(viewer) => Some(viewer.user_id),
            Importer::System => None,
        }
    }
}

/// How leads came in, as their `created` timeline entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intake {
    Import,
    Web,
}

impl Intake {
    fn as_str(self) -> &'static str {
        match self {
            Intake::Import => "import",
            Intake::Web => "web",
        }
    }
}

/// Where a new lead is put: the three columns that give a lead's place.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeadPlace {
    pub queue: Option<QueueId>,
    pub partner: Option<PartnerId>,
    pub owner: Option<UserId>,
}

impl From<Placement> for LeadPlace {
    fn from(placement: Placement) -> LeadPlace {
        let (queue, partner, owner) = match placement {
            Placement::Unassigned => (None, None, None),
            Placement::Queue(q) => (Some(q), None, None),
            Placement::Partner { partner, queue } => (queue, Some(partner), None),
            Placement::User { user, partner } => (None, Some(partner), Some(user)),
        };
        LeadPlace {
            queue,
            partner,
            owner,
        }
    }
}

/// Why the router put a new lead where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Routed {
    rule: Option<AssignmentRuleId>,
    /// The rule's name, or `fallback`: the `routed` entry's value.
    by: String,
    respond_by: Option<OffsetDateTime>,
}

/// Where one new lead from an import goes: the destination the importer
/// chose, or, for [`Assignment::Auto`], where the assignment rules send it
/// (`routing` is then the import's router). Every imported lead is placed
/// here and nowhere else.
fn place_new_lead(
    destination: Assignment,
    routing: Option<&mut BatchRouter<'_>>,
    fields: &LeadFields,
    now: OffsetDateTime,
) -> (LeadPlace, Option<Routed>) {
    let fixed = |placement| (LeadPlace::from(placement), None);
    match (destination, routing) {
        (Assignment::Auto, Some(routing)) => {
            let (rule, placement) = routing.place(fields);
            let routed = Routed {
                rule: rule.map(|r| r.id),
                by: rule.map_or_else(|| FALLBACK.to_owned(), |r| r.name.clone()),
                respond_by: respond_by(rule, placement, now),
            };
            (LeadPlace::from(placement), Some(routed))
        }
        (Assignment::Queue(queue), _) => fixed(Placement::Queue(queue)),
        (Assignment::Partner(partner), _) => fixed(Placement::Partner {
            partner,
            queue: None,
        }),
        // Destinations are checked first ([`Store::check_intake_destination`]),
        // and a person is not one.
        (Assignment::Unassigned | Assignment::Auto | Assignment::User(_), _) => {
            fixed(Placement::Unassigned)
        }
    }
}

/// A lead about to be written.
struct NewLead<'a> {
    id: LeadId,
    fields: &'a LeadFields,
    place: LeadPlace,
    routed: Option<Routed>,
}

/// Progress of the writing: leads written so far, and in all.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// `INSERT INTO leads` for `leads` new leads: `$1` is the time, `$2` the
/// creator; then [`VALUES_PER_LEAD`] values a lead.
fn leads_sql(leads: usize) -> String {
    let mut sql = String::with_capacity(300 + leads * 120);
    sql.push_str(
        "INSERT INTO leads (id, name, company, title, email, phone, country, postal_code, source, status, rating, \
         product_interest, description, queue_id, partner_id, owner_id, routed_rule_id, respond_by, accepted_at, version, \
         created_by, created_at, updated_at, last_activity_at) VALUES ",
    );
    for i in 0..leads {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        let first = 3 + i * VALUES_PER_LEAD;
        for p in first..first + VALUES_PER_LEAD {
            sql.push_str(&format!("${p}, "));
        }
        sql.push_str("NULL, 1, $2, $1, $1, $1)");
    }
    sql
}

/// Writes a slice of [`NewLead`]s on `$tx`, each with its `created` entry
/// and, when the router placed it, its `routed` entry (the place is on that
/// one, as for a lead created by hand and then routed), with their live events.
macro_rules! insert_leads {
    ($tx:expr, $leads:expr, $now:expr, $actor:expr, $intake:expr) => {{
        let leads: &[NewLead<'_>] = $leads;
        let actor: Option<UserId> = $actor;
        let sql = leads_sql(leads.len());
        let mut query = sqlx::query(&sql)
            .bind(DbTime::from($now))
            .bind(actor.map(|a| a.0));
        for lead in leads {
            let f = lead.fields;
            let routed = lead.routed.as_ref();
            query = query
                .bind(lead.id.0)
                .bind(&f.name)
                .bind(&f.company)
                .bind(&f.title)
                .bind(f.email.as_ref().map(|e| e.as_str()))
                .bind(&f.phone)
                .bind(&f.country)
                .bind(&f.postal_code)
                .bind(f.source.as_str())
                .bind(&f.status)
                .bind(f.rating.map(|r| r.as_str()))
                .bind(&f.product_interest)
                .bind(&f.description)
                .bind(lead.place.queue.map(|q| q.0))
                .bind(lead.place.partner.map(|p| p.0))
                .bind(lead.place.owner.map(|o| o.0))
                .bind(routed.and_then(|r| r.rule).map(|r| r.0))
                .bind(routed.and_then(|r| r.respond_by).map(DbTime::from));
        }
        query.execute(&mut *$tx).await?;
        let intake: Intake = $intake;
        let created: Vec<(&NewLead<'_>, &str, LeadPlace)> = leads
            .iter()
            .map(|lead| {
                let place = if lead.routed.is_some() {
                    LeadPlace::default()
                } else {
                    lead.place
                };
                (lead, intake.as_str(), place)
            })
            .collect();
        insert_entries!($tx, NewLeadEntry::Created, &created, $now, actor);
        let routed: Vec<(&NewLead<'_>, &str, LeadPlace)> = leads
            .iter()
            .filter_map(|lead| {
                lead.routed
                    .as_ref()
                    .map(|r| (lead, r.by.as_str(), lead.place))
            })
            .collect();
        if !routed.is_empty() {
            insert_entries!($tx, NewLeadEntry::Routed, &routed, $now, actor);
        }
    }};
}

/// Writes timeline entries of kind `$kind` for new leads, each with its
/// value and place, and their live events, as every timeline entry has one.
macro_rules! insert_entries {
    ($tx:expr, $kind:expr, $entries:expr, $now:expr, $actor:expr) => {{
        let entries: &[(&NewLead<'_>, &str, LeadPlace)] = $entries;
        let sql = new_lead_entries_sql($kind, entries.len());
        let mut query = sqlx::query(&sql)
            .bind(DbTime::from($now))
            .bind($actor.map(|a: UserId| a.0));
        for (lead, value, place) in entries {
            query = query
                .bind(Uuid::now_v7())
                .bind(lead.id.0)
                .bind(*value)
                .bind(place.partner.map(|p| p.0))
                .bind(place.queue.map(|q| q.0));
        }
        query.execute(&mut *$tx).await?;
        let sql = insert_new_leads_sql($kind, entries.len());
        let mut query = sqlx::query(&sql)
            .bind(DbTime::from($now))
            .bind($actor.map(|a: UserId| a.0));
        for (lead, _, _) in entries {
            query = query.bind(lead.id.0);
        }
        query.execute(&mut *$tx).await?;
    }};
}

/// An existing lead as duplicates are judged.
#[derive(sqlx::FromRow)]
struct ExistingLead {
    id: Uuid,
    name: String,
    company: String,
    email: Option<String>,
}

/// Records, for each row that repeats `lead`, the first lead it repeats.
fn match_existing(
    index: &KeyIndex<usize>,
    lead: &ExistingLead,
    found: &mut HashMap<usize, (MatchedBy, LeadId)>,
) {
    let key = LeadKey::new(&lead.name, &lead.company, lead.email.as_deref());
    for (row, by) in index.matches(&key) {
        found.entry(row).or_insert((by, LeadId(lead.id)));
    }
}

fn index_of(good: &[GoodRow]) -> KeyIndex<usize> {
    let mut index = KeyIndex::new();
    for row in good {
        index.insert(&row.key(), row.row);
    }
    index
}

const SELECT_EXISTING: &str = "SELECT id, name, company, email FROM leads";

impl Store {
    /// Whether `importer` may bring leads to `destination`: vendor staff
    /// only; a queue or partner they may see (a channel manager's own
    /// partners), as for a lead created by hand.
    pub async fn check_intake_destination(
        &self,
        importer: &Importer,
        destination: Assignment,
    ) -> Result<(), StoreError> {
        let viewer = importer.viewer();
        if !viewer.role.is_vendor() {
            return Err(DomainError::Forbidden.into());
        }
        match destination {
            Assignment::Unassigned | Assignment::Auto => Ok(()),
            Assignment::Queue(queue) => self
                .queue(&viewer, queue)
                .await
                .map(drop)
                .map_err(|_| DomainError::field("queue_id", "error-queue-unknown").into()),
            Assignment::Partner(partner) => self
                .partner(&viewer, partner)
                .await
                .map(drop)
                .map_err(|_| DomainError::field("partner_id", "error-partner-unknown").into()),
            Assignment::User(_) => {
                Err(DomainError::field("owner_id", "error-one-destination").into())
            }
        }
    }

    /// Writes the good rows of a checked file, except those repeating an
    /// existing lead, and answers the report. A repeated lead the importer
    /// may not see is reported without being named.
    #[tracing::instrument(skip(self, prepared, progress), fields(rows = prepared.good.len()))]
    pub async fn import_leads(
        &self,
        importer: &Importer,
        mut prepared: Prepared,
        destination: Assignment,
        progress: Progress<'_>,
    ) -> Result<ImportReport, StoreError> {
        self.check_intake_destination(importer, destination).await?;
        let viewer = importer.viewer();
        let scan_began = self.now();

        // Existing leads, outside the write lock: one pass over the table.
        let index = index_of(&prepared.good);
        let mut found = HashMap::new();
        if !index.is_empty() {
            on_db!(self, pool => {
                let mut rows = sqlx::query_as::<_, ExistingLead>(SELECT_EXISTING).fetch(pool);
                while let Some(lead) = rows.try_next().await? {
                    match_existing(&index, &lead, &mut found);
                }
                Ok::<_, sqlx::Error>(())
            })?;
        }
        self.drop_existing(&viewer, &mut prepared, found).await?;

        let now = self.now();
        let actor = importer.actor();
        let total = prepared.good.len();
        let router = match destination {
            Assignment::Auto => Some(self.router().await?),
            _ => None,
        };
        let settings = self.vendor_settings().await?;
        let actor_name = match actor {
            Some(user) => self.user_name(user).await?,
            None => None,
        };
        let since = DbTime::from(scan_began - RECHECK_MARGIN);
        let backend = self.backend();
        let recheck_sql = format!("{SELECT_EXISTING} WHERE created_at >= $1");
        let late = write_tx!(self, tx => {
            if backend == Backend::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(IMPORT_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            // Leads written since the pass began (another import, the API).
            let recent: Vec<ExistingLead> = sqlx::query_as(&recheck_sql)
                .bind(since)
                .fetch_all(&mut *tx)
                .await?;
            let index = index_of(&prepared.good);
            let mut late = HashMap::new();
            for lead in &recent {
                match_existing(&index, lead, &mut late);
            }
            let mut routing = None;
            if let Some(router) = &router {
                routing = Some(batch_router!(self, tx, router, now));
            }
            let leads: Vec<NewLead<'_>> = prepared
                .good
                .iter()
                .filter(|row| !late.contains_key(&row.row))
                .map(|row| {
                    let (place, routed) = place_new_lead(destination, routing.as_mut(), &row.fields, now);
                    NewLead {
                        id: LeadId::new(),
                        fields: &row.fields,
                        place,
                        routed,
                    }
                })
                .collect();
            if let Some(routing) = &routing {
                save_counters!(tx, routing);
            }
            let mut written = 0;
            for chunk in leads.chunks(chunk_size(backend)) {
                insert_leads!(tx, chunk, now, actor, Intake::Import);
                written += chunk.len();
                progress(written, total);
            }
            let placed: Vec<PlacedLead> = leads
                .iter()
                .map(|lead| PlacedLead {
                    id: lead.id,
                    title: lead.fields.list_name(),
                    place: lead.place,
                })
                .collect();
            notify_placed!(self, tx, now, &settings, &placed, actor, actor_name);
            late
        });
        // Rows that lost a race with another writer are reported like any
        // other duplicate of an existing lead.
        self.drop_existing(&viewer, &mut prepared, late).await?;
        let imported = prepared.good.len();
        progress(imported, imported);
        Ok(prepared.report(imported))
    }

    /// Moves rows found in `found` from the good ones to the report, naming
    /// the existing lead only where `viewer` may see it.
    async fn drop_existing(
        &self,
        viewer: &Viewer,
        prepared: &mut Prepared,
        found: HashMap<usize, (MatchedBy, LeadId)>,
    ) -> Result<(), StoreError> {
        if found.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<LeadId> = found.values().map(|(_, id)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let visible = self.visible_leads(viewer, &ids).await?;
        let rows: Vec<(usize, MatchedBy, Option<LeadId>)> = found
            .into_iter()
            .map(|(row, (by, id))| (row, by, visible.contains(&id).then_some(id)))
            .collect();
        prepared.drop_existing(&rows);
        Ok(())
    }

    /// Which of `ids` the viewer may see.
    async fn visible_leads(
        &self,
        viewer: &Viewer,
        ids: &[LeadId],
    ) -> Result<std::collections::HashSet<LeadId>, StoreError> {
        let mut visible = std::collections::HashSet::new();
        for chunk in ids.chunks(chunk_size(self.backend())) {
            let list = (1..=chunk.len())
                .map(|p| format!("${p}"))
                .collect::<Vec<_>>()
                .join(", ");
            let clause = lead_clause(viewer, "l", chunk.len() + 1);
            let sql = format!(
                "SELECT l.id FROM leads l WHERE l.id IN ({list}) AND {}",
                clause.sql
            );
            let rows: Vec<(Uuid,)> = on_db!(self, pool => {
                let mut query = sqlx::query_as(&sql);
                for id in chunk {
                    query = query.bind(id.0);
                }
                bind_scope!(query, clause).fetch_all(pool).await
            })?;
            visible.extend(rows.into_iter().map(|(id,)| LeadId(id)));
        }
        Ok(visible)
    }

    /// A lead from the public web-to-lead form: no user stands behind it. It
    /// gets its `created` entry and is routed by the assignment rules, and
    /// whoever it lands with is told, as for a lead created by hand.
    #[tracing::instrument(skip(self, fields))]
    pub async fn create_web_lead(&self, fields: &LeadFields) -> Result<LeadId, StoreError> {
        let now = self.now();
        let router = self.router().await?;
        let settings = self.vendor_settings().await?;
        let lead = NewLead {
            id: LeadId::new(),
            fields,
            place: LeadPlace::default(),
            routed: None,
        };
        let id = lead.id;
        let actor: Option<UserId> = None;
        let nobody: Option<String> = None;
        let title = fields.list_name();
        write_tx!(self, tx => {
            insert_leads!(tx, std::slice::from_ref(&lead), now, actor, Intake::Web);
            route_lead!(self, tx, &router, now, id, fields, actor);
            crate::notifications::notify_assignment!(self, tx, now, &settings, id, title, actor, nobody);
        });
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_parameters_in_order() {
        let sql = leads_sql(2);
        assert!(sql.contains("($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, NULL, 1, $2, $1, $1, $1),"));
        assert!(sql.ends_with("($21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, NULL, 1, $2, $1, $1, $1)"));
        let events = new_lead_entries_sql(NewLeadEntry::Routed, 2);
        assert!(events.ends_with("($3, $4, $1, $2, 'routed', NULL, NULL, $5, $6, $7),($8, $9, $1, $2, 'routed', NULL, NULL, $10, $11, $12)"));
    }

    #[test]
    fn placement_follows_the_chosen_destination() {
        let fields = LeadFields {
            name: "A".into(),
            company: "B".into(),
            title: None,
            email: None,
            phone: None,
            country: None,
            postal_code: None,
            source: openprm_domain::leads::LeadSource::Import,
            status: "open_not_contacted".into(),
            rating: None,
            product_interest: None,
            description: None,
        };
        let now = OffsetDateTime::now_utc();
        let place = |destination| place_new_lead(destination, None, &fields, now);
        assert_eq!(place(Assignment::Unassigned), (LeadPlace::default(), None));
        let queue = QueueId::new();
        assert_eq!(place(Assignment::Queue(queue)).0.queue, Some(queue));
        let partner = PartnerId::new();
        let (placed, routed) = place(Assignment::Partner(partner));
        assert_eq!(
            (placed.partner, placed.owner, placed.queue, routed),
            (Some(partner), None, None, None)
        );
    }
}
