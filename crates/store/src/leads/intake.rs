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
    DomainError, LeadId, PartnerId, QueueId, Role, UserId, Viewer,
    lead_import::{GoodRow, ImportReport, KeyIndex, LeadKey, MatchedBy, Prepared},
    leads::LeadFields,
};
use time::Duration;
use uuid::Uuid;

use crate::{
    Backend, DbTime, Store, StoreError, on_db,
    scope::{bind_scope, lead_clause},
    write_tx,
};

use super::{Assignment, timeline::created_entries_sql};
use crate::live::insert_created_leads_sql;

/// Leads per INSERT statement: 16 values each, well below the parameter
/// limits of both databases (SQLite 32,766; PostgreSQL 65,535).
pub const CHUNK: usize = 500;
const _: () = assert!(2 + CHUNK * 16 < 32_766);

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
pub struct Placement {
    pub queue: Option<QueueId>,
    pub partner: Option<PartnerId>,
    pub owner: Option<UserId>,
}

/// Where one new lead from an import or the web form goes: the destination
/// the importer chose, else (until the assignment-rules router decides
/// here) it stays unassigned with the vendor. The routing step belongs in
/// this function and nowhere else.
pub fn place_new_lead(destination: Assignment, _fields: &LeadFields) -> Placement {
    match destination {
        // Not yet routed here: `route_lead!` (crate::assignment::route) is
        // the step to call, per lead, inside the import's transaction.
        Assignment::Unassigned | Assignment::Auto => Placement::default(),
        Assignment::Queue(queue) => Placement {
            queue: Some(queue),
            ..Placement::default()
        },
        Assignment::Partner(partner) => Placement {
            partner: Some(partner),
            ..Placement::default()
        },
        // Destinations are checked first ([`Store::check_intake_destination`]).
        Assignment::User(_) => Placement::default(),
    }
}

/// A lead about to be written.
struct NewLead<'a> {
    id: LeadId,
    fields: &'a LeadFields,
    place: Placement,
}

/// Progress of the writing: leads written so far, and in all.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// `INSERT INTO leads` for `leads` new leads: `$1` is the time, `$2` the
/// creator; then sixteen values a lead.
fn leads_sql(leads: usize) -> String {
    let mut sql = String::with_capacity(300 + leads * 120);
    sql.push_str(
        "INSERT INTO leads (id, name, company, title, email, phone, country, postal_code, source, status, rating, \
         product_interest, description, queue_id, partner_id, owner_id, accepted_at, version, created_by, created_at, updated_at, \
         last_activity_at) VALUES ",
    );
    for i in 0..leads {
        if i > 0 {
            sql.push(',');
        }
        sql.push('(');
        let first = 3 + i * 16;
        for p in first..first + 16 {
            sql.push_str(&format!("${p}, "));
        }
        sql.push_str("NULL, 1, $2, $1, $1, $1)");
    }
    sql
}

/// Writes a slice of [`NewLead`]s and their `created` entries on `$tx`.
macro_rules! insert_leads {
    ($tx:expr, $leads:expr, $now:expr, $actor:expr, $intake:expr) => {{
        let leads: &[NewLead<'_>] = $leads;
        let sql = leads_sql(leads.len());
        let mut query = sqlx::query(&sql)
            .bind(DbTime::from($now))
            .bind($actor.map(|a: UserId| a.0));
        for lead in leads {
            let f = lead.fields;
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
                .bind(lead.place.owner.map(|o| o.0));
        }
        query.execute(&mut *$tx).await?;
        let sql = created_entries_sql(leads.len());
        let mut query = sqlx::query(&sql)
            .bind(DbTime::from($now))
            .bind($actor.map(|a: UserId| a.0))
            .bind($intake.as_str());
        for lead in leads {
            query = query
                .bind(Uuid::now_v7())
                .bind(lead.id.0)
                .bind(lead.place.partner.map(|p| p.0))
                .bind(lead.place.queue.map(|q| q.0));
        }
        query.execute(&mut *$tx).await?;
        // Their live events, as every timeline entry has one.
        let sql = insert_created_leads_sql(leads.len());
        let mut query = sqlx::query(&sql)
            .bind(DbTime::from($now))
            .bind($actor.map(|a: UserId| a.0));
        for lead in leads {
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
            let leads: Vec<NewLead<'_>> = prepared
                .good
                .iter()
                .filter(|row| !late.contains_key(&row.row))
                .map(|row| NewLead {
                    id: LeadId::new(),
                    fields: &row.fields,
                    place: place_new_lead(destination, &row.fields),
                })
                .collect();
            let mut written = 0;
            for chunk in leads.chunks(CHUNK) {
                insert_leads!(tx, chunk, now, actor, Intake::Import);
                written += chunk.len();
                progress(written, total);
            }
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
        for chunk in ids.chunks(CHUNK) {
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

    /// A lead from the public web-to-lead form: no user stands behind it; it
    /// is placed like an imported lead and gets its `created` entry.
    #[tracing::instrument(skip(self, fields))]
    pub async fn create_web_lead(&self, fields: &LeadFields) -> Result<LeadId, StoreError> {
        let now = self.now();
        let lead = NewLead {
            id: LeadId::new(),
            fields,
            place: place_new_lead(Assignment::Unassigned, fields),
        };
        let id = lead.id;
        let actor: Option<UserId> = None;
        write_tx!(self, tx => {
            insert_leads!(tx, std::slice::from_ref(&lead), now, actor, Intake::Web);
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
        assert!(sql.contains("($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, NULL, 1, $2, $1, $1, $1),"));
        assert!(sql.ends_with("($19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, NULL, 1, $2, $1, $1, $1)"));
        let events = created_entries_sql(2);
        assert!(events.ends_with("($4, $5, $1, $2, 'created', NULL, NULL, $3, $6, $7),($8, $9, $1, $2, 'created', NULL, NULL, $3, $10, $11)"));
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
        assert_eq!(
            place_new_lead(Assignment::Unassigned, &fields),
            Placement::default()
        );
        let queue = QueueId::new();
        assert_eq!(
            place_new_lead(Assignment::Queue(queue), &fields).queue,
            Some(queue)
        );
        let partner = PartnerId::new();
        let place = place_new_lead(Assignment::Partner(partner), &fields);
        assert_eq!(
            (place.partner, place.owner, place.queue),
            (Some(partner), None, None)
        );
    }
}
