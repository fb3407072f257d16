//! Typed identifiers, so a partner id can never be passed where a user id is meant.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(transparent)]
        #[schema(value_type = String, format = Uuid)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A new, time-ordered id (UUIDv7), so ids sort roughly by creation.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

id_type!(
    /// A user of the portal, vendor staff or partner staff.
    UserId
);
id_type!(
    /// A partner company (reseller, integrator).
    PartnerId
);
id_type!(
    /// An invitation to join the portal.
    InvitationId
);
id_type!(
    /// A lead: a prospective customer handed to partners.
    LeadId
);
id_type!(
    /// A shared queue from which member partners claim leads.
    QueueId
);
id_type!(
    /// A claim rule that limits what partners may hold.
    ClaimRuleId
);
id_type!(
    /// An assignment rule that routes new leads.
    AssignmentRuleId
);
id_type!(
    /// A customer company a partner sells to.
    AccountId
);
id_type!(
    /// A person at a customer company.
    ContactId
);
id_type!(
    /// A deal in progress: an amount, a stage, a close date.
    OpportunityId
);
id_type!(
    /// A deal a partner registered for the vendor's approval.
    RegistrationId
);
id_type!(
    /// A link or file attached to a lead or an opportunity.
    ResourceId
);
