//! Who may see and change what (spec §1), decided in one place.
//!
//! The store turns a [`PartnerScope`] into the `WHERE` clause of every query, so
//! no query can forget it; the rules below say which scope a caller has and
//! which of the records in it they may change.

use crate::{DomainError, PartnerId, Role, UserId};

/// The signed-in caller, as every rule sees them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub user_id: UserId,
    pub role: Role,
    /// Set for partner roles, unset for vendor roles.
    pub partner_id: Option<PartnerId>,
}

/// The partner accounts whose records a caller may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartnerScope {
    /// Every partner (admins).
    All,
    /// The partners a channel manager is assigned to.
    ManagedBy(UserId),
    /// One partner company (its own staff).
    Only(PartnerId),
    /// Nothing; a partner-role user without a partner account (a broken record) sees nothing.
    Nothing,
}

/// The facts about a partner account that the rules need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartnerRef {
    pub id: PartnerId,
    pub channel_manager_id: Option<UserId>,
}

impl Viewer {
    pub fn partner_scope(&self) -> PartnerScope {
        match (self.role, self.partner_id) {
            (Role::Admin, _) => PartnerScope::All,
            (Role::ChannelManager, _) => PartnerScope::ManagedBy(self.user_id),
            (Role::PartnerManager | Role::PartnerUser, Some(id)) => PartnerScope::Only(id),
            (Role::PartnerManager | Role::PartnerUser, None) => PartnerScope::Nothing,
        }
    }

    /// Whether a partner account is in the caller's scope: the same rule the store
    /// applies in SQL, for records already in hand.
    pub fn sees_partner(&self, partner: PartnerRef) -> bool {
        match self.partner_scope() {
            PartnerScope::All => true,
            PartnerScope::ManagedBy(cm) => partner.channel_manager_id == Some(cm),
            PartnerScope::Only(id) => partner.id == id,
            PartnerScope::Nothing => false,
        }
    }

    /// Whether vendor staff (admins, channel managers) are listed to this caller.
    /// Partner staff see only their own channel manager, through their partner account.
    pub fn sees_vendor_staff(&self) -> bool {
        self.role.is_vendor()
    }

    /// May the caller invite someone with `role` to `partner`, and manage that
    /// partner's users (resend, revoke, deactivate)? A partner outside the caller's
    /// scope is not found; one in scope that they may not manage is forbidden.
    pub fn may_manage_users_of(&self, partner: PartnerRef) -> Result<(), DomainError> {
        if !self.sees_partner(partner) {
            return Err(DomainError::NotFound);
        }
        match self.role {
            Role::Admin | Role::ChannelManager | Role::PartnerManager => Ok(()),
            Role::PartnerUser => Err(DomainError::Forbidden),
        }
    }

    /// Invitations are for partner staff only; vendor staff are added by an admin
    /// from the command line or the admin console.
    pub fn may_invite(&self, partner: PartnerRef, role: Role) -> Result<(), DomainError> {
        self.may_manage_users_of(partner)?;
        if role.is_vendor() {
            return Err(DomainError::Validation(crate::FieldErrors::single(
                "role",
                "error-role-not-invitable",
            )));
        }
        Ok(())
    }

    /// Creating partner accounts and changing the portal are the admin's.
    pub fn may_administer(&self) -> Result<(), DomainError> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    /// Editing a partner account: the admin, or its channel manager (who may not
    /// hand it to someone else).
    pub fn may_edit_partner(
        &self,
        partner: PartnerRef,
        changes_manager: bool,
    ) -> Result<(), DomainError> {
        if !self.sees_partner(partner) {
            return Err(DomainError::NotFound);
        }
        match self.role {
            Role::Admin => Ok(()),
            Role::ChannelManager if !changes_manager => Ok(()),
            _ => Err(DomainError::Forbidden),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn viewer(role: Role, partner: Option<PartnerId>) -> Viewer {
        Viewer {
            user_id: UserId::new(),
            role,
            partner_id: partner,
        }
    }

    #[test]
    fn admin_sees_every_partner() {
        let admin = viewer(Role::Admin, None);
        let partner = PartnerRef {
            id: PartnerId::new(),
            channel_manager_id: None,
        };
        assert!(admin.sees_partner(partner));
        assert_eq!(admin.may_invite(partner, Role::PartnerUser).ok(), Some(()));
    }

    #[test]
    fn channel_manager_sees_only_assigned_partners() {
        let cm = viewer(Role::ChannelManager, None);
        let mine = PartnerRef {
            id: PartnerId::new(),
            channel_manager_id: Some(cm.user_id),
        };
        let other = PartnerRef {
            id: PartnerId::new(),
            channel_manager_id: Some(UserId::new()),
        };
        assert!(cm.sees_partner(mine));
        assert!(!cm.sees_partner(other));
        assert!(matches!(
            cm.may_invite(other, Role::PartnerUser),
            Err(DomainError::NotFound)
        ));
        assert!(cm.may_edit_partner(mine, false).is_ok());
        assert!(matches!(
            cm.may_edit_partner(mine, true),
            Err(DomainError::Forbidden)
        ));
    }

    #[test]
    fn partner_staff_see_only_their_company() {
        let own = PartnerId::new();
        let manager = viewer(Role::PartnerManager, Some(own));
        let rep = viewer(Role::PartnerUser, Some(own));
        let own_ref = PartnerRef {
            id: own,
            channel_manager_id: None,
        };
        let other = PartnerRef {
            id: PartnerId::new(),
            channel_manager_id: None,
        };
        assert!(manager.may_invite(own_ref, Role::PartnerUser).is_ok());
        assert!(matches!(
            manager.may_invite(other, Role::PartnerUser),
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            rep.may_invite(own_ref, Role::PartnerUser),
            Err(DomainError::Forbidden)
        ));
        assert!(matches!(
            rep.may_invite(other, Role::PartnerUser),
            Err(DomainError::NotFound)
        ));
        assert!(matches!(
            manager.may_edit_partner(own_ref, false),
            Err(DomainError::Forbidden)
        ));
    }

    #[test]
    fn vendor_roles_cannot_be_invited() {
        let admin = viewer(Role::Admin, None);
        let partner = PartnerRef {
            id: PartnerId::new(),
            channel_manager_id: None,
        };
        assert!(matches!(
            admin.may_invite(partner, Role::Admin),
            Err(DomainError::Validation(_))
        ));
    }

    #[test]
    fn partner_role_without_partner_sees_nothing() {
        let broken = viewer(Role::PartnerUser, None);
        assert_eq!(broken.partner_scope(), PartnerScope::Nothing);
        assert!(!broken.sees_partner(PartnerRef {
            id: PartnerId::new(),
            channel_manager_id: None
        }));
    }
}
