//! Deal activity (spec flow 11): the feed of the caller's partners' activity
//! across leads and opportunities, and a record's timeline as of a moment.
//!
//! The feed reads both timelines newest first, each through its record's
//! scope and the partner scope of the entry, and pages by keyset on
//! `(at, id)`, never OFFSET.

use openprm_domain::{
    DomainError, LeadId, OpportunityId, PartnerId, UserId, Viewer,
    activity::{ActivityKind, FieldRule, changes_field, fields_as_of},
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError, keyset,
    leads::timeline::LeadEvent,
    on_db,
    opportunities::timeline::OpportunityEvent,
    scope::{bind_scope, lead_clause, owned_record_clause, partner_clause},
};

/// The most entries one page of the feed holds.
pub const MAX_LIMIT: u32 = 200;

/// What the feed is asked for.
#[derive(Clone, Debug, Default)]
pub struct ActivityQuery {
    pub partner: Option<PartnerId>,
    pub kind: Option<ActivityKind>,
    /// `next_cursor` of the previous page.
    pub before: Option<String>,
    /// 1–[`MAX_LIMIT`].
    pub limit: u32,
}

/// One timeline entry in the feed.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityEntry {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub at: OffsetDateTime,
    /// `lead` or `opportunity`.
    pub record: String,
    pub record_id: Uuid,
    /// The record's name as its lists show it.
    pub title: String,
    /// The timeline entry's kind: `created`, `claim`, `field`, `note`, `help`, …
    pub kind: String,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub actor_id: Option<UserId>,
    pub actor_name: Option<String>,
    pub partner_id: Option<PartnerId>,
    pub partner_name: Option<String>,
    /// The record's page.
    pub href: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityPage {
    pub entries: Vec<ActivityEntry>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    record_kind: String,
    id: Uuid,
    at: DbTime,
    kind: String,
    field: Option<String>,
    old_value: Option<String>,
    new_value: Option<String>,
    actor_id: Option<Uuid>,
    actor_name: Option<String>,
    record_id: Uuid,
    title: String,
    partner_id: Option<Uuid>,
    partner_name: Option<String>,
}

const CURSOR_KIND: &str = "activity";

/// The SQL condition a kind filter stands for. Only the domain's constant
/// names go into it, never input.
fn kind_condition(kind: ActivityKind) -> String {
    let list = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("'{n}'"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (kinds, rule) = kind.entry_kinds();
    let kinds = format!("f.kind IN ({})", list(kinds));
    match rule {
        FieldRule::Any => kinds,
        FieldRule::Only(fields) => format!("({kinds} AND f.field IN ({}))", list(fields)),
        FieldRule::Except(fields) => format!(
            "({kinds} AND (f.field IS NULL OR f.field NOT IN ({})))",
            list(fields)
        ),
    }
}

/// A record's fields and timeline as they were at a moment.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct FieldValue {
    pub field: String,
    /// As the timeline writes values (status keys, `12500.50 DKK`, `2026-06-30`).
    pub value: Option<String>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct LeadTimelineAsOf {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub as_of: OffsetDateTime,
    /// False when the lead did not exist yet; `fields` is then empty.
    pub existed: bool,
    pub fields: Vec<FieldValue>,
    /// The entries up to the moment, oldest first.
    pub entries: Vec<LeadEvent>,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct OpportunityTimelineAsOf {
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub as_of: OffsetDateTime,
    /// False when the opportunity did not exist yet; `fields` is then empty.
    pub existed: bool,
    pub fields: Vec<FieldValue>,
    /// The entries up to the moment, oldest first.
    pub entries: Vec<OpportunityEvent>,
}

/// Splits a timeline at `as_of` and rebuilds the fields from `now`.
fn split_at<E>(
    events: Vec<E>,
    as_of: OffsetDateTime,
    at: impl Fn(&E) -> OffsetDateTime,
    change: impl Fn(&E) -> Option<(&str, Option<&str>)>,
    now: Vec<(String, Option<String>)>,
    created_at: OffsetDateTime,
) -> (bool, Vec<FieldValue>, Vec<E>) {
    let existed = created_at <= as_of;
    let split = events.partition_point(|e| at(e) <= as_of);
    let later: Vec<(&str, Option<&str>)> = events[split..].iter().filter_map(&change).collect();
    let fields = if existed {
        fields_as_of(now, later.into_iter())
            .into_iter()
            .map(|(field, value)| FieldValue { field, value })
            .collect()
    } else {
        Vec::new()
    };
    let mut events = events;
    events.truncate(split);
    (existed, fields, events)
}

impl Store {
    /// The caller's partners' recent activity, newest first (vendor staff only).
    #[tracing::instrument(skip(self))]
    pub async fn activity(
        &self,
        viewer: &Viewer,
        query: &ActivityQuery,
    ) -> Result<ActivityPage, StoreError> {
        if viewer.role.is_partner() {
            return Err(DomainError::Forbidden.into());
        }
        self.feed(viewer, query).await
    }

    /// The newest `limit` entries for Home's Recent activity card: for vendor
    /// staff their partners' activity, as in the feed; for partner staff
    /// their own company's, on the records they see.
    #[tracing::instrument(skip(self))]
    pub async fn recent_activity(
        &self,
        viewer: &Viewer,
        limit: u32,
    ) -> Result<Vec<ActivityEntry>, StoreError> {
        let query = ActivityQuery {
            limit,
            ..ActivityQuery::default()
        };
        Ok(self.feed(viewer, &query).await?.entries)
    }

    /// Both timelines merged, each entry through its record's scope and its
    /// partner's, newest first.
    async fn feed(
        &self,
        viewer: &Viewer,
        query: &ActivityQuery,
    ) -> Result<ActivityPage, StoreError> {
        let limit = query.limit.clamp(1, MAX_LIMIT);
        let cursor = match &query.before {
            Some(c) => {
                let (id, value) = keyset::decode(CURSOR_KIND, c)?;
                Some((keyset::parse_time(&value)?, id))
            }
            None => None,
        };
        let kind = query.kind.map_or_else(|| "TRUE".to_owned(), kind_condition);
        // $1 limit, $2 partner, $3/$4 cursor; then the scopes.
        let leads = lead_clause(viewer, "l", 5);
        let opportunities = owned_record_clause(viewer, "o", 5 + leads.params.len());
        let partners = partner_clause(
            viewer,
            "f.partner_id",
            5 + leads.params.len() + opportunities.params.len(),
        );
        let sql = format!(
            "SELECT f.record_kind, f.id, f.at, f.kind, f.field, f.old_value, f.new_value, f.actor_id, \
             u.name AS actor_name, f.record_id, f.title, f.partner_id, p.name AS partner_name FROM ( \
               SELECT 'lead' AS record_kind, e.id, e.at, e.kind, e.field, e.old_value, e.new_value, e.actor_id, \
                 l.id AS record_id, CASE WHEN l.company = '' THEN l.name ELSE l.name || ' · ' || l.company END AS title, \
                 e.partner_id \
               FROM lead_events e JOIN leads l ON l.id = e.lead_id WHERE {lead_scope} \
               UNION ALL \
               SELECT 'opportunity' AS record_kind, e.id, e.at, e.kind, e.field, e.old_value, e.new_value, e.actor_id, \
                 o.id AS record_id, o.name AS title, e.partner_id \
               FROM opportunity_events e JOIN opportunities o ON o.id = e.opportunity_id WHERE {opportunity_scope} \
             ) f LEFT JOIN users u ON u.id = f.actor_id LEFT JOIN partners p ON p.id = f.partner_id \
             WHERE {partner_scope} AND {kind} \
             AND ($2 IS NULL OR f.partner_id = $2) \
             AND ($3 IS NULL OR f.at < $3 OR (f.at = $3 AND f.id < $4)) \
             ORDER BY f.at DESC, f.id DESC LIMIT $1",
            lead_scope = leads.sql,
            opportunity_scope = opportunities.sql,
            partner_scope = partners.sql,
        );
        let rows: Vec<ActivityRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql)
                .bind(i64::from(limit) + 1)
                .bind(query.partner.map(|p| p.0))
                .bind(cursor.map(|(at, _)| at))
                .bind(cursor.map(|(_, id)| id));
            let q = bind_scope!(q, leads);
            let q = bind_scope!(q, opportunities);
            bind_scope!(q, partners).fetch_all(pool).await
        })?;
        let more = rows.len() > limit as usize;
        let mut entries: Vec<ActivityEntry> = rows
            .into_iter()
            .take(limit as usize)
            .map(|r| {
                let href = if r.record_kind == "lead" {
                    format!("/leads/{}", r.record_id)
                } else {
                    format!("/opportunities/{}", r.record_id)
                };
                ActivityEntry {
                    id: r.id,
                    at: r.at.0,
                    record: r.record_kind,
                    record_id: r.record_id,
                    title: r.title,
                    kind: r.kind,
                    field: r.field,
                    old_value: r.old_value,
                    new_value: r.new_value,
                    actor_id: r.actor_id.map(UserId),
                    actor_name: r.actor_name,
                    partner_id: r.partner_id.map(PartnerId),
                    partner_name: r.partner_name,
                    href,
                }
            })
            .collect();
        entries.shrink_to_fit();
        let next_cursor = more
            .then(|| entries.last())
            .flatten()
            .map(|last| keyset::encode(CURSOR_KIND, last.id, &keyset::time_value(last.at)));
        Ok(ActivityPage {
            entries,
            next_cursor,
        })
    }

    /// The lead's fields and timeline as they were at `as_of`.
    pub async fn lead_timeline_as_of(
        &self,
        viewer: &Viewer,
        id: LeadId,
        as_of: OffsetDateTime,
    ) -> Result<LeadTimelineAsOf, StoreError> {
        let lead = self.lead(viewer, id).await?;
        let events = self.lead_timeline(viewer, id).await?;
        let now = lead
            .fields()
            .field_texts()
            .into_iter()
            .map(|(f, v)| (f.to_owned(), v))
            .collect();
        let (existed, fields, entries) = split_at(
            events,
            as_of,
            |e| e.at,
            |e| {
                changes_field(&e.kind, e.field.as_deref()).then(|| {
                    (
                        e.field.as_deref().unwrap_or_default(),
                        e.old_value.as_deref(),
                    )
                })
            },
            now,
            lead.created_at,
        );
        Ok(LeadTimelineAsOf {
            as_of,
            existed,
            fields,
            entries,
        })
    }

    /// The opportunity's fields and timeline as they were at `as_of`.
    pub async fn opportunity_timeline_as_of(
        &self,
        viewer: &Viewer,
        id: OpportunityId,
        as_of: OffsetDateTime,
    ) -> Result<OpportunityTimelineAsOf, StoreError> {
        let opportunity = self.opportunity(viewer, id).await?;
        let events = self.opportunity_timeline(viewer, id).await?;
        // The account and owner first, as on the page; the timeline writes them by name.
        let mut now = vec![
            ("account".to_owned(), Some(opportunity.account_name.clone())),
            ("owner".to_owned(), opportunity.owner_name.clone()),
        ];
        now.extend(
            opportunity
                .fields()
                .field_texts()
                .into_iter()
                .map(|(f, v)| (f.to_owned(), v)),
        );
        let (existed, fields, entries) = split_at(
            events,
            as_of,
            |e| e.at,
            |e| {
                changes_field(&e.kind, e.field.as_deref()).then(|| {
                    (
                        e.field.as_deref().unwrap_or_default(),
                        e.old_value.as_deref(),
                    )
                })
            },
            now,
            opportunity.created_at,
        );
        Ok(OpportunityTimelineAsOf {
            as_of,
            existed,
            fields,
            entries,
        })
    }
}
