//! Visibility, applied to SQL in one place.
//!
//! Every query that reads partner-owned records adds the clause built here for
//! the caller's [`PartnerScope`], so a record outside it is simply not found.
//! The clause takes at most one parameter and always as the last one, so
//! callers number theirs first and bind the scope's value at the end.

use openprm_domain::{PartnerScope, Viewer};
use uuid::Uuid;

/// A `WHERE` fragment and the value its parameter takes, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeClause {
    pub sql: String,
    pub param: Option<Uuid>,
}

/// Rows whose partner account (`partner_column`) lies in the caller's scope.
pub fn partner_clause(viewer: &Viewer, partner_column: &str, param_no: usize) -> ScopeClause {
    match viewer.partner_scope() {
        PartnerScope::All => ScopeClause {
            sql: "TRUE".into(),
            param: None,
        },
        PartnerScope::ManagedBy(cm) => ScopeClause {
            sql: format!(
                "{partner_column} IN (SELECT scope_p.id FROM partners scope_p WHERE scope_p.channel_manager_id = ${param_no})"
            ),
            param: Some(cm.0),
        },
        PartnerScope::Only(partner) => ScopeClause {
            sql: format!("{partner_column} = ${param_no}"),
            param: Some(partner.0),
        },
        PartnerScope::Nothing => ScopeClause {
            sql: "FALSE".into(),
            param: None,
        },
    }
}

/// Users the caller may see, `alias` naming the users table: vendor staff see
/// vendor staff and the partner staff in scope; partner staff see their own
/// colleagues and their channel manager, nobody else.
pub fn user_clause(viewer: &Viewer, alias: &str, param_no: usize) -> ScopeClause {
    match viewer.partner_scope() {
        PartnerScope::All => ScopeClause {
            sql: "TRUE".into(),
            param: None,
        },
        PartnerScope::ManagedBy(cm) => ScopeClause {
            sql: format!(
                "({alias}.partner_id IS NULL OR {alias}.partner_id IN \
                 (SELECT scope_p.id FROM partners scope_p WHERE scope_p.channel_manager_id = ${param_no}))"
            ),
            param: Some(cm.0),
        },
        PartnerScope::Only(partner) => ScopeClause {
            sql: format!(
                "({alias}.partner_id = ${param_no} OR {alias}.id = \
                 (SELECT scope_p.channel_manager_id FROM partners scope_p WHERE scope_p.id = ${param_no}))"
            ),
            param: Some(partner.0),
        },
        PartnerScope::Nothing => ScopeClause {
            sql: "FALSE".into(),
            param: None,
        },
    }
}

/// Binds the scope's parameter, when it has one, as the query's last.
macro_rules! bind_scope {
    ($query:expr, $clause:expr) => {
        match $clause.param {
            Some(value) => $query.bind(value),
            None => $query,
        }
    };
}
pub(crate) use bind_scope;

#[cfg(test)]
mod tests {
    use super::*;
    use openprm_domain::{PartnerId, Role, UserId};

    #[test]
    fn partner_staff_are_confined_to_their_company() {
        let partner = PartnerId::new();
        let viewer = Viewer {
            user_id: UserId::new(),
            role: Role::PartnerUser,
            partner_id: Some(partner),
        };
        let clause = partner_clause(&viewer, "l.partner_id", 3);
        assert_eq!(clause.sql, "l.partner_id = $3");
        assert_eq!(clause.param, Some(partner.0));
    }

    #[test]
    fn admins_are_not_filtered_and_bind_nothing() {
        let viewer = Viewer {
            user_id: UserId::new(),
            role: Role::Admin,
            partner_id: None,
        };
        assert_eq!(partner_clause(&viewer, "x", 1).param, None);
        assert_eq!(user_clause(&viewer, "u", 1).sql, "TRUE");
    }
}
