//! What accounts and contacts share: list pages ordered by name (case
//! ignored) then id, continued after the last row seen (`(lower(name), id) >
//! cursor`), never with OFFSET; search in a few text columns in any case; the
//! owner of a new record, decided by the domain from users looked up within
//! the caller's sight; and the checks around saving an edit.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openprm_domain::{
    DomainError, PartnerId, UserId, Viewer,
    accounts::{OwnerCandidate, Placement, may_edit_owned, place},
};
use uuid::Uuid;

use crate::{Backend, Store, StoreError, leads::list::any_case_glob};

pub const DEFAULT_PAGE: u32 = 50;
pub const MAX_PAGE: u32 = 200;

/// Which records of a kind a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecordView {
    /// Everything the caller may see.
    #[default]
    All,
    /// Only those the caller owns.
    Mine,
}

impl RecordView {
    pub fn parse(value: &str) -> Option<RecordView> {
        match value {
            "" | "all" => Some(RecordView::All),
            "mine" => Some(RecordView::Mine),
            _ => None,
        }
    }

    pub fn as_param(&self) -> &'static str {
        match self {
            RecordView::All => "all",
            RecordView::Mine => "mine",
        }
    }
}

/// A list request: search, page size and where the previous page ended.
#[derive(Clone, Debug, Default)]
pub struct RecordQuery {
    pub view: RecordView,
    /// Already trimmed; `None` lists everything.
    pub search: Option<String>,
    pub limit: u32,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl RecordQuery {
    pub(crate) fn page_size(&self) -> u32 {
        if self.limit == 0 {
            DEFAULT_PAGE
        } else {
            self.limit.min(MAX_PAGE)
        }
    }
}

/// A cursor: the row's name key as the database computed it and its id.
pub(crate) fn encode_cursor(kind: &str, id: Uuid, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}|{id}|{key}"))
}

pub(crate) fn decode_cursor(kind: &str, cursor: &str) -> Result<(String, Uuid), DomainError> {
    let bad = || DomainError::field("cursor", "error-cursor-invalid");
    let raw = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '|');
    let (Some(found), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    // No stored key holds a control character; PostgreSQL refuses NUL outright.
    if found != kind || key.chars().any(char::is_control) {
        return Err(bad());
    }
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((key.to_owned(), id))
}

/// A page of at most `limit` rows from `rows` fetched with one more, and the
/// cursor after its last row when that extra one shows there is more.
pub(crate) fn split_page<T>(
    mut rows: Vec<T>,
    limit: u32,
    cursor_after: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    if rows.len() <= limit as usize {
        return (rows, None);
    }
    rows.truncate(limit as usize);
    let next = rows.last().map(cursor_after);
    (rows, next)
}

/// Whether an edit of a record as read may be saved: the caller may edit it,
/// and it is still at the version the edit started from.
pub(crate) fn may_update(
    viewer: &Viewer,
    partner: Option<PartnerId>,
    owner: Option<UserId>,
    version: i64,
    expected_version: i64,
) -> Result<(), StoreError> {
    may_edit_owned(viewer, partner, owner)?;
    if version != expected_version {
        return Err(DomainError::VersionConflict.into());
    }
    Ok(())
}

/// The outcome of an `UPDATE … WHERE id = $1 AND version = $2`: no row means
/// someone saved between our read and this write, and nothing is overwritten.
pub(crate) fn updated_once(rows_affected: u64) -> Result<(), StoreError> {
    if rows_affected != 1 {
        return Err(DomainError::VersionConflict.into());
    }
    Ok(())
}

/// The audit detail of an update: the changed fields' names.
pub(crate) fn changed_names(changed: &[(&'static str, Option<String>, Option<String>)]) -> String {
    let names: Vec<&str> = changed.iter().map(|(field, _, _)| *field).collect();
    names.join(", ")
}

/// Numbered parameters collected while building a statement.
pub(crate) enum Param {
    Uuid(Uuid),
    Text(String),
    Int(i64),
}

macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::record_list::Param::Uuid(v) => query.bind(*v),
                $crate::record_list::Param::Text(v) => query.bind(v.clone()),
                $crate::record_list::Param::Int(v) => query.bind(*v),
            };
        }
        query
    }};
}
pub(crate) use bind_params;

/// Adds a parameter; its number.
pub(crate) fn push(params: &mut Vec<Param>, param: Param) -> usize {
    params.push(param);
    params.len()
}

/// A condition true when any of `columns` contains `search`, case ignored
/// beyond ASCII on both backends (SQLite's `lower()` folds ASCII only, so
/// SQLite matches with a `GLOB` pattern listing both cases of each letter).
pub(crate) fn search_condition(
    backend: Backend,
    columns: &[&str],
    search: &str,
    params: &mut Vec<Param>,
) -> String {
    let parts: Vec<String> = match backend {
        Backend::Postgres => {
            let pattern = format!(
                "%{}%",
                search
                    .to_lowercase()
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            let n = push(params, Param::Text(pattern));
            columns
                .iter()
                .map(|c| format!("lower(coalesce({c}, '')) LIKE ${n} ESCAPE '\\'"))
                .collect()
        }
        Backend::Sqlite => {
            let n = push(params, Param::Text(any_case_glob(search)));
            columns
                .iter()
                .map(|c| format!("coalesce({c}, '') GLOB ${n}"))
                .collect()
        }
    };
    format!("({})", parts.join(" OR "))
}

impl Store {
    /// Whose a new account or contact is, from the partner and owner the caller
    /// asked for. An owner or partner the caller cannot see is refused as
    /// unknown, exactly like one that does not exist.
    pub(crate) async fn placement(
        &self,
        viewer: &Viewer,
        partner: Option<PartnerId>,
        owner: Option<UserId>,
    ) -> Result<Placement, StoreError> {
        if viewer.role.is_vendor()
            && let Some(p) = partner
        {
            self.partner(viewer, p)
                .await
                .map_err(|_| DomainError::field("partner_id", "error-partner-unknown"))?;
        }
        let candidate = match owner {
            None => None,
            Some(id) => {
                let user = self
                    .user(viewer, id)
                    .await
                    .map_err(|_| DomainError::field("owner_id", "error-user-unknown"))?;
                Some(OwnerCandidate {
                    id: user.id,
                    role: user.role,
                    partner_id: user.partner_id,
                    active: user.active,
                })
            }
        };
        Ok(place(viewer, partner, candidate.as_ref())?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_kinds() {
        let id = Uuid::now_v7();
        let cursor = encode_cursor("account", id, "nordlys|a/s");
        assert_eq!(
            decode_cursor("account", &cursor).unwrap(),
            ("nordlys|a/s".to_owned(), id)
        );
        assert!(decode_cursor("contact", &cursor).is_err());
        assert!(decode_cursor("account", "!!").is_err());
        let nul = URL_SAFE_NO_PAD.encode(format!("account|{id}|a\u{0}"));
        assert!(decode_cursor("account", &nul).is_err());
    }
}
