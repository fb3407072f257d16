//! List views of opportunities with a stage filter, search over the deal's and
//! its account's name, and keyset pagination.
//!
//! Pages continue after the last row seen (`(sort key, id) > cursor`), never
//! with OFFSET, so a page deep in the list costs what the first one does.
//! As for leads, a text key's cursor carries the key exactly as the database
//! computed it, and SQLite searches with a `GLOB` pattern listing both cases
//! of each letter (its `lower()` folds ASCII only).

use openprm_domain::{DomainError, PartnerId, Role, Viewer, opportunities::date_text};
use time::Date;

use super::{Opportunity, OpportunityRow, SELECT_OPPORTUNITY};
use crate::{
    Backend, Db, DbTime, Store, StoreError,
    keyset::{self, any_case_glob},
    scope::owned_record_clause,
};

/// Which opportunities a list shows (spec flow 9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpportunityView {
    /// Those the caller owns.
    Mine,
    /// Every one of the caller's company (partner managers).
    Company,
    /// Still open, with a close date in the current month (UTC).
    ClosingThisMonth,
    /// In a won stage.
    Won,
    /// In a lost stage.
    Lost,
    /// Everything the caller may see (vendor staff).
    All,
    /// One partner's (vendor staff).
    Partner(PartnerId),
}

impl OpportunityView {
    /// Parses the `view` of a URL: `mine`, `company`, `closing_this_month`,
    /// `won`, `lost`, `all`, `partner:<id>`.
    pub fn parse(value: &str) -> Option<OpportunityView> {
        match value {
            "mine" => Some(OpportunityView::Mine),
            "company" => Some(OpportunityView::Company),
            "closing_this_month" => Some(OpportunityView::ClosingThisMonth),
            "won" => Some(OpportunityView::Won),
            "lost" => Some(OpportunityView::Lost),
            "all" => Some(OpportunityView::All),
            other => {
                let (kind, id) = other.split_once(':')?;
                match kind {
                    "partner" => id.parse().ok().map(OpportunityView::Partner),
                    _ => None,
                }
            }
        }
    }

    pub fn as_param(&self) -> String {
        match self {
            OpportunityView::Partner(p) => format!("partner:{p}"),
            other => other.kind().to_owned(),
        }
    }

    /// The view's name without its partner: `partner` for every partner view.
    pub fn kind(&self) -> &'static str {
        match self {
            OpportunityView::Mine => "mine",
            OpportunityView::Company => "company",
            OpportunityView::ClosingThisMonth => "closing_this_month",
            OpportunityView::Won => "won",
            OpportunityView::Lost => "lost",
            OpportunityView::All => "all",
            OpportunityView::Partner(_) => "partner",
        }
    }

    /// The view a role starts in: My Opportunities for partner staff, all
    /// for vendor staff.
    pub fn default_for(role: Role) -> OpportunityView {
        if role.is_vendor() {
            OpportunityView::All
        } else {
            OpportunityView::Mine
        }
    }

    /// Whether the role has this view: Company is the partner manager's; All
    /// and the per-partner views are vendor staff's.
    pub fn available_to(&self, role: Role) -> bool {
        match self {
            OpportunityView::Company => role == Role::PartnerManager,
            OpportunityView::All | OpportunityView::Partner(_) => role.is_vendor(),
            _ => true,
        }
    }

    /// The general views of the selector, in order, for a role (partner views
    /// come from the partner list).
    pub fn general(role: Role) -> Vec<OpportunityView> {
        use OpportunityView::*;
        match role {
            Role::Admin | Role::ChannelManager => {
                vec![All, Mine, ClosingThisMonth, Won, Lost]
            }
            Role::PartnerManager => vec![Mine, Company, ClosingThisMonth, Won, Lost],
            Role::PartnerUser => vec![Mine, ClosingThisMonth, Won, Lost],
        }
    }
}

/// The order of a list; each has the id as a unique tie-breaker for keyset paging.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OpportunitySort {
    /// Soonest close date first.
    #[default]
    CloseDate,
    Name,
    Newest,
}

impl OpportunitySort {
    pub fn parse(value: &str) -> Option<OpportunitySort> {
        match value {
            "close_date" | "" => Some(OpportunitySort::CloseDate),
            "name" => Some(OpportunitySort::Name),
            "newest" => Some(OpportunitySort::Newest),
            _ => None,
        }
    }

    pub fn as_param(&self) -> &'static str {
        match self {
            OpportunitySort::CloseDate => "close_date",
            OpportunitySort::Name => "name",
            OpportunitySort::Newest => "newest",
        }
    }

    /// The sort expression and whether it descends.
    fn key(&self) -> (&'static str, bool) {
        match self {
            OpportunitySort::CloseDate => ("o.close_date", false),
            OpportunitySort::Name => ("lower(o.name)", false),
            OpportunitySort::Newest => ("o.created_at", true),
        }
    }

    fn text_key(&self) -> &'static str {
        match self {
            OpportunitySort::Name => "lower(o.name)",
            _ => "CAST(NULL AS TEXT)",
        }
    }
}

#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    opportunity: OpportunityRow,
    sort_text: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct OpportunityQuery {
    /// In the opportunity's and its account's name.
    pub search: Option<String>,
    /// A stage key.
    pub stage: Option<String>,
    pub sort: OpportunitySort,
    pub limit: u32,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

pub struct OpportunityPage {
    pub opportunities: Vec<Opportunity>,
    pub next_cursor: Option<String>,
}

pub const MAX_PAGE: u32 = 200;

fn encode_cursor(sort: OpportunitySort, o: &Opportunity, sort_text: Option<&str>) -> String {
    let value = match sort {
        OpportunitySort::CloseDate => date_text(o.close_date),
        OpportunitySort::Name => sort_text.map_or_else(|| o.name.to_lowercase(), str::to_owned),
        OpportunitySort::Newest => keyset::time_value(o.created_at),
    };
    keyset::encode(sort.as_param(), o.id, &value)
}

enum Param {
    Uuid(uuid::Uuid),
    Text(String),
    Time(DbTime),
    Date(Date),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Uuid(v) => query.bind(*v),
                Param::Text(v) => query.bind(v.clone()),
                Param::Time(v) => query.bind(*v),
                Param::Date(v) => query.bind(*v),
            };
        }
        query
    }};
}

fn decode_cursor(sort: OpportunitySort, cursor: &str) -> Result<(Param, uuid::Uuid), DomainError> {
    let (id, value) = keyset::decode(sort.as_param(), cursor)?;
    let value = match sort {
        OpportunitySort::CloseDate => Param::Date(keyset::parse_date(&value)?),
        OpportunitySort::Newest => Param::Time(keyset::parse_time(&value)?),
        OpportunitySort::Name => Param::Text(keyset::parse_text(value)?),
    };
    Ok((value, id))
}

/// The first and last day of `today`'s month.
pub fn month_of(today: Date) -> (Date, Date) {
    let first = today.replace_day(1).unwrap_or(today);
    let last = first
        .replace_day(time::util::days_in_month(today.month(), today.year()))
        .unwrap_or(today);
    (first, last)
}

impl Store {
    pub async fn list_opportunities(
        &self,
        viewer: &Viewer,
        view: OpportunityView,
        query: &OpportunityQuery,
    ) -> Result<OpportunityPage, StoreError> {
        if !view.available_to(viewer.role) {
            return Err(DomainError::NotFound.into());
        }
        let mut params: Vec<Param> = Vec::new();
        fn push(p: Param, params: &mut Vec<Param>) -> usize {
            params.push(p);
            params.len()
        }
        let mut conditions: Vec<String> = Vec::new();
        let from = SELECT_OPPORTUNITY.replacen(
            " FROM opportunities o",
            &format!(
                ", {} AS sort_text FROM opportunities o",
                query.sort.text_key()
            ),
            1,
        );
        let outcome = |o: &str| {
            format!(
                "o.stage IN (SELECT st.key FROM opportunity_stages st WHERE st.outcome = '{o}')"
            )
        };
        match view {
            OpportunityView::Mine => {
                let n = push(Param::Uuid(viewer.user_id.0), &mut params);
                conditions.push(format!("o.owner_id = ${n}"));
            }
            OpportunityView::Company => {
                let partner = viewer.partner_id.map(|p| p.0).unwrap_or_default();
                let n = push(Param::Uuid(partner), &mut params);
                conditions.push(format!("o.partner_id = ${n}"));
            }
            OpportunityView::ClosingThisMonth => {
                let (first, last) = month_of(self.now().date());
                let a = push(Param::Date(first), &mut params);
                let b = push(Param::Date(last), &mut params);
                conditions.push(format!(
                    "o.close_date >= ${a} AND o.close_date <= ${b} AND {}",
                    outcome("open")
                ));
            }
            OpportunityView::Won => conditions.push(outcome("won")),
            OpportunityView::Lost => conditions.push(outcome("lost")),
            OpportunityView::All => {}
            OpportunityView::Partner(partner) => {
                self.partner(viewer, partner).await?;
                let n = push(Param::Uuid(partner.0), &mut params);
                conditions.push(format!("o.partner_id = ${n}"));
            }
        }
        if let Some(stage) = query.stage.as_deref().filter(|s| !s.is_empty()) {
            let n = push(Param::Text(stage.to_owned()), &mut params);
            conditions.push(format!("o.stage = ${n}"));
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
                        "(lower(o.name) LIKE ${n} ESCAPE '\\' OR lower(a.name) LIKE ${n} ESCAPE '\\')"
                    )
                }
                Backend::Sqlite => {
                    let n = push(Param::Text(any_case_glob(search)), &mut params);
                    format!("(o.name GLOB ${n} OR a.name GLOB ${n})")
                }
            };
            conditions.push(condition);
        }
        // Values that pick whose rows or which rows; the page position comes after them.
        let filter_values = params.len();
        let (key, descending) = query.sort.key();
        if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
            let (value, id) = decode_cursor(query.sort, cursor)?;
            let v = push(value, &mut params);
            let i = push(Param::Uuid(id), &mut params);
            let op = if descending { "<" } else { ">" };
            conditions.push(format!("({key}, o.id) {op} (${v}, ${i})"));
        }
        let limit = query.limit.clamp(1, MAX_PAGE);
        let clause = owned_record_clause(viewer, "o", params.len() + 1);
        // Wrapped, as for leads, so PostgreSQL estimates the scope as one condition.
        conditions.push(format!("COALESCE({}, FALSE)", clause.sql));
        let direction = if descending { "DESC" } else { "ASC" };
        // The limit is part of the text so that a cached plan knows the page
        // is small (see `list_leads`).
        let sql = format!(
            "{from} WHERE {} ORDER BY {key} {direction}, o.id {direction} LIMIT {}",
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
            // Planned for the values at hand where they pick whose or which
            // rows, as for leads (`list_leads`); the same plan for everyone
            // otherwise.
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
        let mut opportunities: Vec<Opportunity> = rows
            .into_iter()
            .map(|r| Opportunity::from(r.opportunity))
            .collect();
        let next_cursor = if more {
            opportunities.truncate(limit as usize);
            opportunities
                .last()
                .map(|last| encode_cursor(query.sort, last, last_key.as_deref()))
        } else {
            None
        };
        Ok(OpportunityPage {
            opportunities,
            next_cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn views_parse_and_print_back() {
        for view in [
            OpportunityView::Mine,
            OpportunityView::Company,
            OpportunityView::ClosingThisMonth,
            OpportunityView::Won,
            OpportunityView::Lost,
            OpportunityView::All,
            OpportunityView::Partner(PartnerId::new()),
        ] {
            assert_eq!(OpportunityView::parse(&view.as_param()), Some(view));
        }
        assert_eq!(OpportunityView::parse("partner:nope"), None);
        assert_eq!(OpportunityView::parse("queue:1"), None);
        assert!(!OpportunityView::Company.available_to(Role::PartnerUser));
        assert!(!OpportunityView::All.available_to(Role::PartnerManager));
        assert!(OpportunityView::Won.available_to(Role::PartnerUser));
    }

    #[test]
    fn months_have_their_own_length() {
        assert_eq!(
            month_of(date!(2028 - 02 - 14)),
            (date!(2028 - 02 - 01), date!(2028 - 02 - 29))
        );
        assert_eq!(
            month_of(date!(2026 - 12 - 31)),
            (date!(2026 - 12 - 01), date!(2026 - 12 - 31))
        );
    }

    #[test]
    fn cursors_belong_to_their_sort() {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let cursor = URL_SAFE_NO_PAD.encode(format!("name|{}|acme", uuid::Uuid::nil()));
        assert!(decode_cursor(OpportunitySort::Name, &cursor).is_ok());
        assert!(decode_cursor(OpportunitySort::CloseDate, &cursor).is_err());
        let bad_date =
            URL_SAFE_NO_PAD.encode(format!("close_date|{}|2026-13-01", uuid::Uuid::nil()));
        assert!(decode_cursor(OpportunitySort::CloseDate, &bad_date).is_err());
        assert!(decode_cursor(OpportunitySort::Name, "%%%").is_err());
    }
}
