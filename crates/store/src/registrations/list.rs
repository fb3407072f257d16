//! List views of deal registrations, keyset-paginated: pages continue after
//! the last row seen (`(created_at, id)` beyond the cursor), never with OFFSET.

use openprm_domain::{DomainError, PartnerId, Role, Viewer, registrations::RegistrationStatus};

use super::{Registration, RegistrationRow, SELECT_REGISTRATION};
use crate::{Db, DbTime, Store, StoreError, keyset, scope::registration_clause};

/// Which registrations a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationView {
    /// Those the caller submitted (partner staff).
    Mine,
    /// Every registration of the caller's company (partner managers).
    Company,
    /// Waiting for a decision, oldest first (vendor staff).
    Pending,
    /// Everything the caller may see (vendor staff).
    All,
    /// One partner's (vendor staff).
    Partner(PartnerId),
}

impl RegistrationView {
    /// `mine`, `company`, `pending`, `all`, `partner:<id>`.
    pub fn parse(value: &str) -> Option<RegistrationView> {
        match value {
            "mine" => Some(RegistrationView::Mine),
            "company" => Some(RegistrationView::Company),
            "pending" => Some(RegistrationView::Pending),
            "all" => Some(RegistrationView::All),
            other => other
                .strip_prefix("partner:")
                .and_then(|id| id.parse().ok())
                .map(RegistrationView::Partner),
        }
    }

    pub fn as_param(&self) -> String {
        match self {
            RegistrationView::Mine => "mine".into(),
            RegistrationView::Company => "company".into(),
            RegistrationView::Pending => "pending".into(),
            RegistrationView::All => "all".into(),
            RegistrationView::Partner(p) => format!("partner:{p}"),
        }
    }

    /// What a caller sees first: the vendor what awaits a decision, a
    /// partner manager their company's, a partner user their own.
    pub fn default_for(role: Role) -> RegistrationView {
        match role {
            Role::Admin | Role::ChannelManager => RegistrationView::Pending,
            Role::PartnerManager => RegistrationView::Company,
            Role::PartnerUser => RegistrationView::Mine,
        }
    }

    /// Whether `role` has this view; others are answered as not found.
    pub fn allowed_for(&self, role: Role) -> bool {
        match self {
            RegistrationView::Mine => role.is_partner(),
            RegistrationView::Company => role == Role::PartnerManager,
            RegistrationView::Pending | RegistrationView::All | RegistrationView::Partner(_) => {
                role.is_vendor()
            }
        }
    }

    /// Oldest first for the queue of decisions, newest first otherwise.
    fn ascending(&self) -> bool {
        matches!(self, RegistrationView::Pending)
    }
}

#[derive(Clone, Debug, Default)]
pub struct RegistrationQuery {
    pub status: Option<RegistrationStatus>,
    pub limit: u32,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

pub struct RegistrationPage {
    pub registrations: Vec<Registration>,
    pub next_cursor: Option<String>,
}

pub const MAX_PAGE: u32 = 200;

fn encode_cursor(view: RegistrationView, last: &Registration) -> String {
    keyset::encode(
        &view.as_param(),
        last.id,
        &keyset::time_value(last.created_at),
    )
}

fn decode_cursor(
    view: RegistrationView,
    cursor: &str,
) -> Result<(DbTime, uuid::Uuid), DomainError> {
    let (id, value) = keyset::decode(&view.as_param(), cursor)?;
    Ok((keyset::parse_time(&value)?, id))
}

enum Param {
    Uuid(uuid::Uuid),
    Text(&'static str),
    Time(DbTime),
    Int(i64),
}

macro_rules! bind_all {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                Param::Uuid(v) => query.bind(*v),
                Param::Text(v) => query.bind(*v),
                Param::Time(v) => query.bind(*v),
                Param::Int(v) => query.bind(*v),
            };
        }
        query
    }};
}

impl Store {
    /// One page of a list view; a view the caller does not have is not found.
    pub async fn list_registrations(
        &self,
        viewer: &Viewer,
        view: RegistrationView,
        query: &RegistrationQuery,
    ) -> Result<RegistrationPage, StoreError> {
        if !view.allowed_for(viewer.role) {
            return Err(DomainError::NotFound.into());
        }
        let mut params: Vec<Param> = Vec::new();
        fn push(p: Param, params: &mut Vec<Param>) -> usize {
            params.push(p);
            params.len()
        }
        let mut conditions: Vec<String> = Vec::new();
        match view {
            RegistrationView::Mine => {
                let n = push(Param::Uuid(viewer.user_id.0), &mut params);
                conditions.push(format!("r.submitted_by = ${n}"));
            }
            // The scope already confines a partner manager to their company.
            RegistrationView::Company | RegistrationView::All => {}
            RegistrationView::Pending => conditions.push("r.status = 'pending'".into()),
            RegistrationView::Partner(partner) => {
                self.partner(viewer, partner).await?;
                let n = push(Param::Uuid(partner.0), &mut params);
                conditions.push(format!("r.partner_id = ${n}"));
            }
        }
        if let Some(status) = query.status {
            let n = push(Param::Text(status.as_str()), &mut params);
            conditions.push(format!("r.status = ${n}"));
        }
        let ascending = view.ascending();
        if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
            let (at, id) = decode_cursor(view, cursor)?;
            let a = push(Param::Time(at), &mut params);
            let i = push(Param::Uuid(id), &mut params);
            let op = if ascending { ">" } else { "<" };
            conditions.push(format!("(r.created_at, r.id) {op} (${a}, ${i})"));
        }
        let limit = query.limit.clamp(1, MAX_PAGE);
        let l = push(Param::Int(i64::from(limit) + 1), &mut params);
        let clause = registration_clause(viewer, "r", params.len() + 1);
        conditions.push(format!("COALESCE({}, FALSE)", clause.sql));
        for value in &clause.params {
            params.push(Param::Uuid(*value));
        }
        let direction = if ascending { "ASC" } else { "DESC" };
        let sql = format!(
            "{SELECT_REGISTRATION} WHERE {} ORDER BY r.created_at {direction}, r.id {direction} LIMIT ${l}",
            conditions.join(" AND ")
        );
        let rows: Vec<RegistrationRow> = match &self.db {
            Db::Sqlite(pool) => {
                bind_all!(sqlx::query_as(&sql), &params)
                    .fetch_all(pool)
                    .await?
            }
            Db::Postgres(pool) => {
                bind_all!(sqlx::query_as(&sql), &params)
                    .fetch_all(pool)
                    .await?
            }
        };
        let more = rows.len() > limit as usize;
        let mut registrations: Vec<Registration> =
            rows.into_iter().map(Registration::from).collect();
        let next_cursor = if more {
            registrations.truncate(limit as usize);
            registrations.last().map(|last| encode_cursor(view, last))
        } else {
            None
        };
        Ok(RegistrationPage {
            registrations,
            next_cursor,
        })
    }

    /// How many registrations wait for a decision among those the caller may
    /// see (vendor staff; zero for partners), for Home.
    pub async fn pending_registration_count(&self, viewer: &Viewer) -> Result<i64, StoreError> {
        if !viewer.role.is_vendor() {
            return Ok(0);
        }
        let clause = registration_clause(viewer, "r", 1);
        let sql = format!(
            "SELECT COUNT(*) FROM deal_registrations r WHERE r.status = 'pending' AND {}",
            clause.sql
        );
        let (n,): (i64,) = crate::on_db!(self, pool => {
            let q = sqlx::query_as(&sql);
            crate::scope::bind_scope!(q, clause).fetch_one(pool).await
        })?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_parse_and_belong_to_their_roles() {
        let partner = PartnerId::new();
        for view in [
            RegistrationView::Mine,
            RegistrationView::Company,
            RegistrationView::Pending,
            RegistrationView::All,
            RegistrationView::Partner(partner),
        ] {
            assert_eq!(RegistrationView::parse(&view.as_param()), Some(view));
        }
        assert_eq!(RegistrationView::parse("partner:nope"), None);
        assert_eq!(RegistrationView::parse("inbox"), None);
        assert!(!RegistrationView::All.allowed_for(Role::PartnerManager));
        assert!(!RegistrationView::Company.allowed_for(Role::PartnerUser));
        assert!(!RegistrationView::Mine.allowed_for(Role::ChannelManager));
        assert_eq!(
            RegistrationView::default_for(Role::Admin),
            RegistrationView::Pending
        );
    }

    #[test]
    fn cursors_belong_to_their_view() {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        assert!(decode_cursor(RegistrationView::All, "garbage!").is_err());
        let text = URL_SAFE_NO_PAD.encode(format!("all|{}|123", uuid::Uuid::nil()));
        assert!(decode_cursor(RegistrationView::All, &text).is_ok());
        assert!(decode_cursor(RegistrationView::Pending, &text).is_err());
    }
}
