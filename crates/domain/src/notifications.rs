//! The e-mail notifications a user may turn off, one kind at a time.
//!
//! Every kind is on until the user opts out; the outbox leaves out a message
//! of a kind its recipient opted out of, in the transaction that would have
//! queued it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A lead placed with you (or your company's inbox) by someone else.
    LeadAssigned,
    /// A partner asked for help on a deal you manage.
    HelpRequested,
    /// Your channel manager answered, or attached a resource.
    HelpAnswered,
    /// A claimed lead of yours goes back to its queue tomorrow.
    StaleWarning,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 4] = [
        NotificationKind::LeadAssigned,
        NotificationKind::HelpRequested,
        NotificationKind::HelpAnswered,
        NotificationKind::StaleWarning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::LeadAssigned => "lead_assigned",
            NotificationKind::HelpRequested => "help_requested",
            NotificationKind::HelpAnswered => "help_answered",
            NotificationKind::StaleWarning => "stale_warning",
        }
    }

    pub fn parse(s: &str) -> Option<NotificationKind> {
        NotificationKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(kind.as_str().to_owned())
            );
        }
        assert_eq!(NotificationKind::parse("spam"), None);
    }
}
