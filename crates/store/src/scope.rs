//! Visibility, applied to SQL in one place.
//!
//! Every query that reads partner-owned records adds the clause built here for
//! the caller's [`PartnerScope`], so a record outside it is simply not found.
//! The clause's parameters always come last, so callers number theirs first
//! and bind the scope's values at the end.

use openprm_domain::{PartnerScope, Role, Viewer};
use uuid::Uuid;

/// A `WHERE` fragment and the values of its parameters, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeClause {
    pub sql: String,
    pub params: Vec<Uuid>,
}

impl ScopeClause {
    fn open() -> Self {
        ScopeClause {
            sql: "TRUE".into(),
            params: Vec::new(),
        }
    }

    fn closed() -> Self {
        ScopeClause {
            sql: "FALSE".into(),
            params: Vec::new(),
        }
    }
}

/// Rows whose partner account (`partner_column`) lies in the caller's scope.
pub fn partner_clause(viewer: &Viewer, partner_column: &str, param_no: usize) -> ScopeClause {
    match viewer.partner_scope() {
        PartnerScope::All => ScopeClause::open(),
        PartnerScope::ManagedBy(cm) => ScopeClause {
            sql: format!(
                "{partner_column} IN (SELECT scope_p.id FROM partners scope_p WHERE scope_p.channel_manager_id = ${param_no})"
            ),
            params: vec![cm.0],
        },
        PartnerScope::Only(partner) => ScopeClause {
            sql: format!("{partner_column} = ${param_no}"),
            params: vec![partner.0],
        },
        PartnerScope::Nothing => ScopeClause::closed(),
    }
}

/// Users the caller may see, `alias` naming the users table: vendor staff see
/// vendor staff and the partner staff in scope; partner staff see their own
/// colleagues and their channel manager, nobody else.
pub fn user_clause(viewer: &Viewer, alias: &str, param_no: usize) -> ScopeClause {
    match viewer.partner_scope() {
        PartnerScope::All => ScopeClause::open(),
        PartnerScope::ManagedBy(cm) => ScopeClause {
            sql: format!(
                "({alias}.partner_id IS NULL OR {alias}.partner_id IN \
                 (SELECT scope_p.id FROM partners scope_p WHERE scope_p.channel_manager_id = ${param_no}))"
            ),
            params: vec![cm.0],
        },
        PartnerScope::Only(partner) => ScopeClause {
            sql: format!(
                "({alias}.partner_id = ${param_no} OR {alias}.id = \
                 (SELECT scope_p.channel_manager_id FROM partners scope_p WHERE scope_p.id = ${param_no}))"
            ),
            params: vec![partner.0],
        },
        PartnerScope::Nothing => ScopeClause::closed(),
    }
}

/// Leads the caller may see, `alias` naming the leads table. Vendor staff see
/// unassigned leads and those of partners in their scope; partner managers their
/// company's leads; partner users the leads they own and those routed to their
/// company but not yet taken; and both the unclaimed leads of the queues their
/// company belongs to.
pub fn lead_clause(viewer: &Viewer, alias: &str, param_no: usize) -> ScopeClause {
    let queue_pool = |p: usize| {
        format!(
            "({alias}.partner_id IS NULL AND {alias}.owner_id IS NULL AND {})",
            in_member_queue(alias, p)
        )
    };
    match (viewer.role, viewer.partner_scope()) {
        (_, PartnerScope::All) => ScopeClause::open(),
        (_, PartnerScope::ManagedBy(cm)) => ScopeClause {
            sql: format!(
                "({alias}.partner_id IS NULL OR {alias}.partner_id IN \
                 (SELECT scope_p.id FROM partners scope_p WHERE scope_p.channel_manager_id = ${param_no}))"
            ),
            params: vec![cm.0],
        },
        (Role::PartnerManager, PartnerScope::Only(partner)) => ScopeClause {
            sql: format!(
                "({alias}.partner_id = ${param_no} OR {})",
                queue_pool(param_no)
            ),
            params: vec![partner.0],
        },
        (_, PartnerScope::Only(partner)) => ScopeClause {
            sql: format!(
                "({alias}.owner_id = ${user} OR ({alias}.partner_id = ${param_no} AND {alias}.owner_id IS NULL) OR {pool})",
                user = param_no + 1,
                pool = queue_pool(param_no)
            ),
            params: vec![partner.0, viewer.user_id.0],
        },
        (_, PartnerScope::Nothing) => ScopeClause::closed(),
    }
}

/// Accounts, contacts and opportunities the caller may see, `alias` naming the
/// table. They belong to the partner that created or converted them (or to
/// the vendor when `partner_id` is empty): vendor staff see the vendor's and
/// their partners' records, partner managers their company's, partner users
/// only those they own.
pub fn owned_record_clause(viewer: &Viewer, alias: &str, param_no: usize) -> ScopeClause {
    match (viewer.role, viewer.partner_scope()) {
        (_, PartnerScope::All) => ScopeClause::open(),
        (_, PartnerScope::ManagedBy(cm)) => ScopeClause {
            sql: format!(
                "({alias}.partner_id IS NULL OR {alias}.partner_id IN \
                 (SELECT scope_p.id FROM partners scope_p WHERE scope_p.channel_manager_id = ${param_no}))"
            ),
            params: vec![cm.0],
        },
        (Role::PartnerManager, PartnerScope::Only(partner)) => ScopeClause {
            sql: format!("{alias}.partner_id = ${param_no}"),
            params: vec![partner.0],
        },
        (_, PartnerScope::Only(partner)) => ScopeClause {
            sql: format!(
                "({alias}.partner_id = ${param_no} AND {alias}.owner_id = ${user})",
                user = param_no + 1
            ),
            params: vec![partner.0, viewer.user_id.0],
        },
        (_, PartnerScope::Nothing) => ScopeClause::closed(),
    }
}

/// Deal registrations the caller may see, `alias` naming the table: vendor
/// staff those of partners in their scope, partner managers their company's,
/// partner users those they submitted.
pub fn registration_clause(viewer: &Viewer, alias: &str, param_no: usize) -> ScopeClause {
    match (viewer.role, viewer.partner_scope()) {
        (Role::PartnerUser, PartnerScope::Only(partner)) => ScopeClause {
            sql: format!(
                "({alias}.partner_id = ${param_no} AND {alias}.submitted_by = ${user})",
                user = param_no + 1
            ),
            params: vec![partner.0, viewer.user_id.0],
        },
        _ => partner_clause(viewer, &format!("{alias}.partner_id"), param_no),
    }
}

/// The lead lies in a queue the partner bound to `$param_no` belongs to.
fn in_member_queue(alias: &str, param_no: usize) -> String {
    format!(
        "{alias}.queue_id IN (SELECT scope_qm.queue_id FROM queue_members scope_qm WHERE scope_qm.partner_id = ${param_no})"
    )
}

/// Leads that someone took from a queue the caller's company belongs to. They
/// are out of the caller's sight, but a member who presses Accept on one is told
/// it is already claimed (spec flow 5) rather than that it does not exist; who
/// took it stays hidden.
pub fn taken_from_member_queue_clause(
    viewer: &Viewer,
    alias: &str,
    param_no: usize,
) -> ScopeClause {
    match (viewer.role.is_partner(), viewer.partner_id) {
        (true, Some(partner)) => ScopeClause {
            sql: format!(
                "(({alias}.owner_id IS NOT NULL OR {alias}.partner_id IS NOT NULL) AND {})",
                in_member_queue(alias, param_no)
            ),
            params: vec![partner.0],
        },
        _ => ScopeClause::closed(),
    }
}

/// Queues the caller may see: vendor staff all, partner staff those their company belongs to.
pub fn queue_clause(viewer: &Viewer, alias: &str, param_no: usize) -> ScopeClause {
    match viewer.partner_scope() {
        PartnerScope::All | PartnerScope::ManagedBy(_) => ScopeClause::open(),
        PartnerScope::Only(partner) => ScopeClause {
            sql: format!(
                "{alias}.id IN (SELECT scope_qm.queue_id FROM queue_members scope_qm WHERE scope_qm.partner_id = ${param_no})"
            ),
            params: vec![partner.0],
        },
        PartnerScope::Nothing => ScopeClause::closed(),
    }
}

/// Binds the scope's parameter, when it has one, as the query's last.
macro_rules! bind_scope {
    ($query:expr, $clause:expr) => {{
        let mut query = $query;
        for value in &$clause.params {
            query = query.bind(*value);
        }
        query
    }};
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
        assert_eq!(clause.params, vec![partner.0]);
    }

    #[test]
    fn partner_users_see_only_records_they_own_in_their_company() {
        let partner = PartnerId::new();
        let user = UserId::new();
        let viewer = Viewer {
            user_id: user,
            role: Role::PartnerUser,
            partner_id: Some(partner),
        };
        let clause = owned_record_clause(&viewer, "o", 2);
        assert_eq!(clause.sql, "(o.partner_id = $2 AND o.owner_id = $3)");
        assert_eq!(clause.params, vec![partner.0, user.0]);
        let manager = Viewer {
            role: Role::PartnerManager,
            ..viewer
        };
        assert_eq!(
            owned_record_clause(&manager, "o", 2).sql,
            "o.partner_id = $2"
        );
        assert_eq!(
            registration_clause(&viewer, "r", 1).sql,
            "(r.partner_id = $1 AND r.submitted_by = $2)"
        );
        assert_eq!(
            registration_clause(&manager, "r", 1).sql,
            "r.partner_id = $1"
        );
    }

    #[test]
    fn admins_are_not_filtered_and_bind_nothing() {
        let viewer = Viewer {
            user_id: UserId::new(),
            role: Role::Admin,
            partner_id: None,
        };
        assert!(partner_clause(&viewer, "x", 1).params.is_empty());
        assert_eq!(user_clause(&viewer, "u", 1).sql, "TRUE");
    }
}
