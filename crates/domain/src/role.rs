//! The four roles of the portal (spec §1).

use serde::{Deserialize, Serialize};

/// What a user is, which decides what they see and may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Vendor staff who configure the portal and see everything.
    Admin,
    /// Vendor staff responsible for a set of partner accounts.
    ChannelManager,
    /// A partner company's "super user": sees all of their company's records.
    PartnerManager,
    /// A partner company's sales rep: sees what they own and their queues.
    PartnerUser,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Admin,
        Role::ChannelManager,
        Role::PartnerManager,
        Role::PartnerUser,
    ];

    /// The stable name used in the database, the API and the CLI (`partner_user`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::ChannelManager => "channel_manager",
            Role::PartnerManager => "partner_manager",
            Role::PartnerUser => "partner_user",
        }
    }

    /// Accepts both the API's `partner_user` and the CLI's `partner-user`.
    pub fn parse(s: &str) -> Option<Role> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Vendor roles work for the company running the portal.
    pub fn is_vendor(self) -> bool {
        matches!(self, Role::Admin | Role::ChannelManager)
    }

    /// Partner roles belong to exactly one partner account.
    pub fn is_partner(self) -> bool {
        !self.is_vendor()
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_api_and_cli_spellings() {
        assert_eq!(Role::parse("partner-user"), Some(Role::PartnerUser));
        assert_eq!(Role::parse("channel_manager"), Some(Role::ChannelManager));
        assert_eq!(Role::parse(" Admin "), Some(Role::Admin));
        assert_eq!(Role::parse("root"), None);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    #[test]
    fn vendor_and_partner_roles_split_cleanly() {
        assert!(Role::Admin.is_vendor() && Role::ChannelManager.is_vendor());
        assert!(Role::PartnerManager.is_partner() && Role::PartnerUser.is_partner());
    }
}
