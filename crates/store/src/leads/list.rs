//! List views of leads with filters, search and keyset pagination.
//!
//! Pages continue after the last row seen (`(sort key, id) > cursor`), never
//! with OFFSET, so a page deep in the list costs what the first one does.
//!
//! Text keys and search ignore case. SQLite's `lower()` folds ASCII only, so a
//! cursor carries the key exactly as the database computed it, and SQLite
//! searches with a `GLOB` pattern that lists both cases of each letter.

use openprm_domain::{DomainError, PartnerId, QueueId, Viewer};

use super::{Lead, LeadRow, SELECT_LEAD};
use crate::{Backend, Db, DbTime, Store, StoreError, keyset, scope::lead_clause};

/// Which leads a list shows (spec flow 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeadView {
    /// Leads the caller owns.
    Mine,
    /// Every lead of the caller's company (partner managers).
    Company,
    /// Routed to the caller or their company, waiting for Accept or Decline.
    Inbox,
    /// Unclaimed leads of one queue.
    Queue(QueueId),
    /// What the caller opened last.
    RecentlyViewed,
    /// Everything the caller may see (vendor staff).
    All,
    /// One partner's leads (vendor staff).
    Partner(PartnerId),
    /// With the vendor, in no queue and no inbox (vendor staff).
    Unassigned,
    /// Declined by a partner and back with the vendor (vendor staff).
    Declined,
}

impl LeadView {
    /// Parses the `view` of a URL: `mine`, `company`, `inbox`, `recent`, `all`,
    /// `unassigned`, `declined`, `queue:<id>`, `partner:<id>`.
    pub fn parse(value: &str) -> Option<LeadView> {
        match value {
            "mine" => Some(LeadView::Mine),
            "company" => Some(LeadView::Company),
            "inbox" => Some(LeadView::Inbox),
            "recent" => Some(LeadView::RecentlyViewed),
            "all" => Some(LeadView::All),
            "unassigned" => Some(LeadView::Unassigned),
            "declined" => Some(LeadView::Declined),
            other => {
                let (kind, id) = other.split_once(':')?;
                match kind {
                    "queue" => id.parse().ok().map(LeadView::Queue),
                    "partner" => id.parse().ok().map(LeadView::Partner),
                    _ => None,
                }
            }
        }
    }

    pub fn as_param(&self) -> String {
        match self {
            LeadView::Mine => "mine".into(),
            LeadView::Company => "company".into(),
            LeadView::Inbox => "inbox".into(),
            LeadView::RecentlyViewed => "recent".into(),
            LeadView::All => "all".into(),
            LeadView::Unassigned => "unassigned".into(),
            LeadView::Declined => "declined".into(),
            LeadView::Queue(q) => format!("queue:{q}"),
            LeadView::Partner(p) => format!("partner:{p}"),
        }
    }
}

/// The order of a list; each has a unique tie-breaker (the id) for keyset paging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LeadSort {
    #[default]
    Newest,
    RecentlyUpdated,
    Name,
    Company,
}

impl LeadSort {
    pub fn parse(value: &str) -> Option<LeadSort> {
        match value {
            "newest" | "" => Some(LeadSort::Newest),
            "updated" => Some(LeadSort::RecentlyUpdated),
            "name" => Some(LeadSort::Name),
            "company" => Some(LeadSort::Company),
            _ => None,
        }
    }

    pub fn as_param(&self) -> &'static str {
        match self {
            LeadSort::Newest => "newest",
            LeadSort::RecentlyUpdated => "updated",
            LeadSort::Name => "name",
            LeadSort::Company => "company",
        }
    }

    /// The sort expression and whether it descends.
    fn key(&self) -> (&'static str, bool) {
        match self {
            LeadSort::Newest => ("l.created_at", true),
            LeadSort::RecentlyUpdated => ("l.updated_at", true),
            LeadSort::Name => ("lower(l.name)", false),
            LeadSort::Company => ("lower(l.company)", false),
        }
    }

    /// The text sort key as a column for the cursor; NULL for time keys.
    fn text_key(&self) -> &'static str {
        match self {
            LeadSort::Newest | LeadSort::RecentlyUpdated => "CAST(NULL AS TEXT)",
            LeadSort::Name | LeadSort::Company => self.key().0,
        }
    }
}

/// A listed lead and its text sort key as the database computed it.
#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    lead: LeadRow,
    sort_text: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct LeadQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    pub sort: LeadSort,
    pub limit: u32,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

pub struct LeadPage {
    pub leads: Vec<Lead>,
    pub next_cursor: Option<String>,
}

pub const MAX_PAGE: u32 = 200;

/// A cursor: the sort value and id of the last row, opaque to callers.
/// `sort_text` is the row's text key as the database computed it.
fn encode_cursor(sort: LeadSort, lead: &Lead, sort_text: Option<&str>) -> String {
    let value = match sort {
        LeadSort::Newest => keyset::time_value(lead.created_at),
        LeadSort::RecentlyUpdated => keyset::time_value(lead.updated_at),
        LeadSort::Name => sort_text.map_or_else(|| lead.name.to_lowercase(), str::to_owned),
        LeadSort::Company => sort_text.map_or_else(|| lead.company.to_lowercase(), str::to_owned),
    };
    keyset::encode(sort.as_param(), lead.id, &value)
}

enum CursorValue {
    Time(DbTime),
    Text(String),
}

fn decode_cursor(sort: LeadSort, cursor: &str) -> Result<(CursorValue, uuid::Uuid), DomainError> {
    let (id, value) = keyset::decode(sort.as_param(), cursor)?;
    let value = match sort {
        LeadSort::Newest | LeadSort::RecentlyUpdated => {
            CursorValue::Time(keyset::parse_time(&value)?)
        }
        LeadSort::Name | LeadSort::Company => CursorValue::Text(keyset::parse_text(value)?),
    };
    Ok((value, id))
}

/// Numbered parameters collected while building the statement.
enum Param {
    Uuid(uuid::Uuid),
    Text(String),
    Time(DbTime),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Uuid(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
                Param::Time(v) => query.bind(*v),
            };
        }
        query
    }};
}

impl Store {
    pub async fn list_leads(
        &self,
        viewer: &Viewer,
        view: LeadView,
        query: &LeadQuery,
    ) -> Result<LeadPage, StoreError> {
        let vendor_only = matches!(
            view,
            LeadView::All | LeadView::Partner(_) | LeadView::Unassigned | LeadView::Declined
        );
        if vendor_only && !viewer.role.is_vendor() {
            return Err(DomainError::NotFound.into());
        }
        if view == LeadView::Company && viewer.role != openprm_domain::Role::PartnerManager {
            return Err(DomainError::NotFound.into());
        }
        let mut params: Vec<Param> = Vec::new();
        fn push(p: Param, params: &mut Vec<Param>) -> usize {
            params.push(p);
            params.len()
        }
        let mut conditions: Vec<String> = Vec::new();
        let mut from = SELECT_LEAD.replacen(
            " FROM leads l",
            &format!(", {} AS sort_text FROM leads l", query.sort.text_key()),
            1,
        );
        match view {
            LeadView::Mine => {
                let n = push(Param::Uuid(viewer.user_id.0), &mut params);
                conditions.push(format!("l.owner_id = ${n} AND l.accepted_at IS NOT NULL"));
            }
            LeadView::Company => {
                let partner = viewer.partner_id.map(|p| p.0).unwrap_or_default();
                let n = push(Param::Uuid(partner), &mut params);
                conditions.push(format!("l.partner_id = ${n} AND l.accepted_at IS NOT NULL"));
            }
            LeadView::Inbox => {
                conditions.push("l.accepted_at IS NULL AND (l.owner_id IS NOT NULL OR l.partner_id IS NOT NULL)".into());
            }
            LeadView::Queue(queue) => {
                self.queue(viewer, queue).await?;
                let n = push(Param::Uuid(queue.0), &mut params);
                conditions.push(format!(
                    "l.queue_id = ${n} AND l.owner_id IS NULL AND l.partner_id IS NULL"
                ));
            }
            LeadView::RecentlyViewed => {
                let n = push(Param::Uuid(viewer.user_id.0), &mut params);
                from = from.replacen(
                    " FROM leads l",
                    &format!(" FROM leads l JOIN recent_items ri ON ri.record_id = l.id AND ri.record_kind = 'lead' AND ri.user_id = ${n}"),
                    1,
                );
            }
            LeadView::All => {}
            LeadView::Partner(partner) => {
                self.partner(viewer, partner).await?;
                let n = push(Param::Uuid(partner.0), &mut params);
                conditions.push(format!("l.partner_id = ${n}"));
            }
            LeadView::Unassigned => {
                conditions.push(
                    "l.partner_id IS NULL AND l.owner_id IS NULL AND l.queue_id IS NULL".into(),
                );
            }
            LeadView::Declined => {
                conditions.push(
                    "l.partner_id IS NULL AND l.owner_id IS NULL AND EXISTS (SELECT 1 FROM lead_declines d WHERE d.lead_id = l.id)".into(),
                );
            }
        }
        if let Some(status) = query.status.as_deref().filter(|s| !s.is_empty()) {
            let n = push(Param::Text(status.to_owned()), &mut params);
            conditions.push(format!("l.status = ${n}"));
        }
        if let Some(search) = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let condition = match self.backend() {
                Backend::Postgres => {
                    let pattern = format!(
                        "%{}%",
                        search
                            .to_lowercase()
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_")
                    );
                    let n = push(Param::Text(pattern), &mut params);
                    format!(
                        "(lower(l.name) LIKE ${n} ESCAPE '\\' OR lower(l.company) LIKE ${n} ESCAPE '\\' OR lower(coalesce(l.email, '')) LIKE ${n} ESCAPE '\\')"
                    )
                }
                Backend::Sqlite => {
                    let n = push(Param::Text(any_case_glob(search)), &mut params);
                    format!(
                        "(l.name GLOB ${n} OR l.company GLOB ${n} OR coalesce(l.email, '') GLOB ${n})"
                    )
                }
            };
            conditions.push(condition);
        }
        // Values that pick whose rows or which rows (a user, a partner, a
        // queue, a status, a search); the page position comes after them.
        let filter_values = params.len();
        let (key, descending) = query.sort.key();
        if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
            let (value, id) = decode_cursor(query.sort, cursor)?;
            let v = match value {
                CursorValue::Time(t) => push(Param::Time(t), &mut params),
                CursorValue::Text(s) => push(Param::Text(s), &mut params),
            };
            let i = push(Param::Uuid(id), &mut params);
            let op = if descending { "<" } else { ">" };
            conditions.push(format!("({key}, l.id) {op} (${v}, ${i})"));
        }
        let limit = query.limit.clamp(1, MAX_PAGE);
        let clause = lead_clause(viewer, "l", params.len() + 1);
        // Wrapped so that PostgreSQL estimates the scope as one opaque condition.
        // Bare, its OR is taken as independent of the view's own condition
        // (`owner_id = me AND (owner_id = me OR …)` counts `owner_id = me`
        // twice), the rows are underestimated, and for a user owning thousands
        // of leads every page read and sorted all of them instead of walking the
        // index (see docs/BENCHMARKS.md). A NULL scope still excludes the row.
        conditions.push(format!("COALESCE({}, FALSE)", clause.sql));
        let direction = if descending { "DESC" } else { "ASC" };
        // The limit is part of the text (one of `MAX_PAGE` values), so that a
        // cached plan knows the page is small. As a parameter, PostgreSQL plans
        // it as a tenth of the table, finds that generic plan dear, and plans
        // the statement again on every execution.
        let sql = format!(
            "{from} WHERE {} ORDER BY {key} {direction}, l.id {direction} LIMIT {}",
            conditions.join(" AND "),
            limit + 1
        );
        for value in &clause.params {
            params.push(Param::Uuid(*value));
        }
        let rows: Vec<ListedRow> = match &self.db {
            Db::Sqlite(pool) => {
                bind_all!(sqlx::query_as(&sql), &params)
                    .fetch_all(pool)
                    .await?
            }
            // Planned for the values at hand, not cached as a generic plan: a
            // generic plan cannot tell a user with 40 leads from one with 15,000.
            // Without such values (the vendor's unfiltered views) every
            // execution gets the same plan, and planning it each time would
            // cost more than the query (about 1.5 ms of PostgreSQL's CPU).
            Db::Postgres(pool) => {
                let same_plan_for_all = filter_values == 0 && clause.params.is_empty();
                bind_all!(sqlx::query_as(&sql).persistent(same_plan_for_all), &params)
                    .fetch_all(pool)
                    .await?
            }
        };
        let more = rows.len() > limit as usize;
        let last_key = rows
            .get((limit as usize).saturating_sub(1))
            .and_then(|r| r.sort_text.clone());
        let mut leads: Vec<Lead> = rows.into_iter().map(|r| Lead::from(r.lead)).collect();
        let next_cursor = if more {
            leads.truncate(limit as usize);
            leads
                .last()
                .map(|last| encode_cursor(query.sort, last, last_key.as_deref()))
        } else {
            None
        };
        Ok(LeadPage { leads, next_cursor })
    }
}

/// Also used by the account and contact lists.
pub(crate) use crate::keyset::any_case_glob;
