//! Live events: what happened to which record, and who may hear of it.
//!
//! Every change written to a lead's or an opportunity's timeline also leaves a
//! live event carrying the record's place (partner, owner, queue, channel
//! manager) after the change and before it. Whether a subscriber hears of it is
//! decided here, by the same rules the store's SQL scope applies to reads
//! (`store/src/scope.rs`): a subscriber who sees the record now hears all of it;
//! one who saw it before but not now (a colleague's queue lead someone else
//! claimed, a lead reassigned away) hears only that it is gone; anyone else
//! hears nothing, not even that it exists.

use std::collections::HashSet;

use uuid::Uuid;

use crate::{PartnerId, PartnerScope, QueueId, Role, UserId, Viewer};

/// The kinds of record a live event can be about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LiveRecord {
    Lead,
    Opportunity,
    /// A user whose sessions ended: their open streams close. Never delivered.
    User,
}

impl LiveRecord {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveRecord::Lead => "lead",
            LiveRecord::Opportunity => "opportunity",
            LiveRecord::User => "user",
        }
    }

    pub fn parse(s: &str) -> Option<LiveRecord> {
        match s {
            "lead" => Some(LiveRecord::Lead),
            "opportunity" => Some(LiveRecord::Opportunity),
            "user" => Some(LiveRecord::User),
            _ => None,
        }
    }
}

/// Where a record stood: who holds it and who manages that holder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub partner_id: Option<PartnerId>,
    pub owner_id: Option<UserId>,
    pub queue_id: Option<QueueId>,
    /// The channel manager of `partner_id` when the event was written.
    pub channel_manager_id: Option<UserId>,
}

/// One change, as the event log keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveEvent {
    /// Increasing over the whole log; clients resume after it (`Last-Event-ID`).
    pub id: i64,
    pub at: time::OffsetDateTime,
    pub record: LiveRecord,
    pub record_id: Uuid,
    /// The timeline entry's kind: `created`, `field`, `claim`, `release`, …
    pub kind: String,
    /// For `field`: which field changed.
    pub field: Option<String>,
    pub actor_id: Option<UserId>,
    /// The record's name as its lists show it.
    pub title: String,
    pub place: Place,
    /// The place after the record's previous event; `None` for its first.
    pub before: Option<Place>,
}

/// What a subscriber is told of an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hearing {
    /// The subscriber sees the record: the whole event.
    Full,
    /// The subscriber saw the record but no longer does: only that it left them.
    Gone,
}

/// Something worth telling the subscriber in words, beyond refreshing a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A lead (or opportunity) was placed with the subscriber by someone else.
    AssignedToYou,
    /// A lead was routed to the subscriber's company inbox by someone else.
    ForYourCompany,
    /// A partner asked for help on a record of a partner the subscriber
    /// manages (or, for a partner without a channel manager, an admin).
    HelpRequested,
    /// Vendor staff answered on, or attached a resource to, the subscriber's record.
    HelpAnswered,
}

/// A subscriber to live events: the caller and the queues their company belongs to.
#[derive(Clone, Debug)]
pub struct Listener {
    pub viewer: Viewer,
    pub member_queues: HashSet<QueueId>,
}

impl Listener {
    pub fn new(viewer: Viewer, member_queues: impl IntoIterator<Item = QueueId>) -> Self {
        Listener {
            viewer,
            member_queues: member_queues.into_iter().collect(),
        }
    }

    /// What this subscriber hears of `event`, if anything.
    pub fn hears(&self, event: &LiveEvent) -> Option<Hearing> {
        if event.record == LiveRecord::User {
            None
        } else if self.sees(event.record, &event.place) {
            Some(Hearing::Full)
        } else if event
            .before
            .is_some_and(|before| self.sees(event.record, &before))
        {
            Some(Hearing::Gone)
        } else {
            None
        }
    }

    /// Whether the event deserves a notice for this subscriber: the record newly
    /// came to them, and not by their own hand.
    pub fn notice(&self, event: &LiveEvent) -> Option<Notice> {
        let me = self.viewer.user_id;
        if event.actor_id == Some(me) || self.hears(event) != Some(Hearing::Full) {
            return None;
        }
        if let Some(notice) = self.help_notice(event) {
            return Some(notice);
        }
        let before = event.before.unwrap_or_default();
        if event.place.owner_id == Some(me) && before.owner_id != Some(me) {
            return Some(Notice::AssignedToYou);
        }
        let mine = self.viewer.partner_id;
        if event.record == LiveRecord::Lead
            && self.viewer.role == Role::PartnerManager
            && mine.is_some()
            && event.place.partner_id == mine
            && event.place.owner_id.is_none()
            && before.partner_id != mine
        {
            return Some(Notice::ForYourCompany);
        }
        None
    }

    /// Help asked of this subscriber, or answered for them (spec flow 11):
    /// the partner's channel manager is asked, or every admin when the
    /// partner has none; the answer is news to the record's partner staff
    /// (its owner, or the company when nobody owns it).
    fn help_notice(&self, event: &LiveEvent) -> Option<Notice> {
        let viewer = &self.viewer;
        match event.kind.as_str() {
            "help" => {
                let asked = match event.place.channel_manager_id {
                    Some(cm) => cm == viewer.user_id,
                    None => viewer.role == Role::Admin,
                };
                asked.then_some(Notice::HelpRequested)
            }
            "help_answer" | "resource" => {
                let mine = viewer.role.is_partner()
                    && event.place.partner_id.is_some()
                    && event.place.partner_id == viewer.partner_id
                    && event.place.owner_id.is_none_or(|o| o == viewer.user_id);
                mine.then_some(Notice::HelpAnswered)
            }
            _ => None,
        }
    }

    /// Whether the event ends this subscriber's sessions.
    pub fn is_signed_out_by(&self, event: &LiveEvent) -> bool {
        event.record == LiveRecord::User && event.record_id == self.viewer.user_id.0
    }

    /// The store's read scope (`lead_clause`, `owned_record_clause`), for a
    /// place already in hand.
    fn sees(&self, record: LiveRecord, place: &Place) -> bool {
        let viewer = &self.viewer;
        match viewer.partner_scope() {
            PartnerScope::All => true,
            PartnerScope::Nothing => false,
            PartnerScope::ManagedBy(cm) => {
                place.partner_id.is_none() || place.channel_manager_id == Some(cm)
            }
            PartnerScope::Only(partner) => {
                let own_company = place.partner_id == Some(partner);
                let in_my_queue = record == LiveRecord::Lead
                    && place.partner_id.is_none()
                    && place.owner_id.is_none()
                    && place
                        .queue_id
                        .is_some_and(|q| self.member_queues.contains(&q));
                match (viewer.role, record) {
                    (Role::PartnerManager, _) => own_company || in_my_queue,
                    (_, LiveRecord::Lead) => {
                        place.owner_id == Some(viewer.user_id)
                            || (own_company && place.owner_id.is_none())
                            || in_my_queue
                    }
                    (_, LiveRecord::Opportunity) => {
                        own_company && place.owner_id == Some(viewer.user_id)
                    }
                    (_, LiveRecord::User) => false,
                }
            }
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

    fn event(record: LiveRecord, place: Place, before: Option<Place>) -> LiveEvent {
        LiveEvent {
            id: 1,
            at: time::OffsetDateTime::UNIX_EPOCH,
            record,
            record_id: Uuid::now_v7(),
            kind: "claim".into(),
            field: None,
            actor_id: None,
            title: "Jane Doe".into(),
            place,
            before,
        }
    }

    #[test]
    fn a_queue_lead_claimed_by_another_company_is_only_gone_for_members() {
        let (mine, theirs) = (PartnerId::new(), PartnerId::new());
        let queue = QueueId::new();
        let rep = Listener::new(viewer(Role::PartnerUser, Some(mine)), [queue]);
        let outsider = Listener::new(viewer(Role::PartnerUser, Some(PartnerId::new())), []);
        let in_queue = Place {
            queue_id: Some(queue),
            ..Place::default()
        };
        let claimed = Place {
            partner_id: Some(theirs),
            owner_id: Some(UserId::new()),
            queue_id: Some(queue),
            channel_manager_id: None,
        };
        let e = event(LiveRecord::Lead, claimed, Some(in_queue));
        assert_eq!(rep.hears(&e), Some(Hearing::Gone));
        assert_eq!(outsider.hears(&e), None);
        let returned = event(LiveRecord::Lead, in_queue, Some(claimed));
        assert_eq!(rep.hears(&returned), Some(Hearing::Full));
        assert_eq!(outsider.hears(&returned), None);
    }

    #[test]
    fn a_lead_assigned_to_me_is_a_notice_unless_i_did_it() {
        let partner = PartnerId::new();
        let rep = Listener::new(viewer(Role::PartnerUser, Some(partner)), []);
        let place = Place {
            partner_id: Some(partner),
            owner_id: Some(rep.viewer.user_id),
            ..Place::default()
        };
        let mut e = event(LiveRecord::Lead, place, None);
        e.actor_id = Some(UserId::new());
        assert_eq!(rep.notice(&e), Some(Notice::AssignedToYou));
        e.actor_id = Some(rep.viewer.user_id);
        assert_eq!(rep.notice(&e), None);
        let mut again = event(LiveRecord::Lead, place, Some(place));
        again.actor_id = Some(UserId::new());
        assert_eq!(rep.notice(&again), None, "already mine: no notice");
    }

    #[test]
    fn a_company_inbox_lead_is_a_notice_for_the_partner_manager() {
        let partner = PartnerId::new();
        let manager = Listener::new(viewer(Role::PartnerManager, Some(partner)), []);
        let rep = Listener::new(viewer(Role::PartnerUser, Some(partner)), []);
        let inbox = Place {
            partner_id: Some(partner),
            ..Place::default()
        };
        let e = event(LiveRecord::Lead, inbox, Some(Place::default()));
        assert_eq!(manager.notice(&e), Some(Notice::ForYourCompany));
        assert_eq!(rep.hears(&e), Some(Hearing::Full));
        assert_eq!(rep.notice(&e), None);
    }

    #[test]
    fn channel_managers_hear_their_partners_and_the_vendors_records_only() {
        let cm = viewer(Role::ChannelManager, None);
        let listener = Listener::new(cm, []);
        let theirs = Place {
            partner_id: Some(PartnerId::new()),
            channel_manager_id: Some(cm.user_id),
            ..Place::default()
        };
        let others = Place {
            partner_id: Some(PartnerId::new()),
            channel_manager_id: Some(UserId::new()),
            ..Place::default()
        };
        for record in [LiveRecord::Lead, LiveRecord::Opportunity] {
            assert_eq!(
                listener.hears(&event(record, theirs, None)),
                Some(Hearing::Full)
            );
            assert_eq!(listener.hears(&event(record, others, None)), None);
            assert_eq!(
                listener.hears(&event(record, Place::default(), None)),
                Some(Hearing::Full)
            );
        }
        let admin = Listener::new(viewer(Role::Admin, None), []);
        assert_eq!(
            admin.hears(&event(LiveRecord::Lead, others, None)),
            Some(Hearing::Full)
        );
    }

    #[test]
    fn help_is_a_notice_for_the_partners_channel_manager_only() {
        let partner = PartnerId::new();
        let cm = Listener::new(viewer(Role::ChannelManager, None), []);
        let other_cm = Listener::new(viewer(Role::ChannelManager, None), []);
        let admin = Listener::new(viewer(Role::Admin, None), []);
        let rep = Listener::new(viewer(Role::PartnerUser, Some(partner)), []);
        let place = Place {
            partner_id: Some(partner),
            owner_id: Some(rep.viewer.user_id),
            channel_manager_id: Some(cm.viewer.user_id),
            ..Place::default()
        };
        let mut help = event(LiveRecord::Opportunity, place, Some(place));
        help.kind = "help".into();
        help.actor_id = Some(rep.viewer.user_id);
        assert_eq!(cm.notice(&help), Some(Notice::HelpRequested));
        assert_eq!(other_cm.hears(&help), None);
        assert_eq!(other_cm.notice(&help), None);
        assert_eq!(
            admin.notice(&help),
            None,
            "the partner has a channel manager"
        );
        assert_eq!(rep.notice(&help), None, "their own request");
        let unmanaged = Place {
            channel_manager_id: None,
            ..place
        };
        let mut help = event(LiveRecord::Lead, unmanaged, Some(unmanaged));
        help.kind = "help".into();
        assert_eq!(admin.notice(&help), Some(Notice::HelpRequested));

        let mut answer = event(LiveRecord::Opportunity, place, Some(place));
        answer.kind = "resource".into();
        answer.actor_id = Some(cm.viewer.user_id);
        assert_eq!(rep.notice(&answer), Some(Notice::HelpAnswered));
        assert_eq!(cm.notice(&answer), None, "their own answer");
        let colleague = Listener::new(viewer(Role::PartnerManager, Some(partner)), []);
        assert_eq!(colleague.notice(&answer), None, "someone else's deal");
    }

    #[test]
    fn partner_users_hear_only_their_own_opportunities() {
        let partner = PartnerId::new();
        let rep = Listener::new(viewer(Role::PartnerUser, Some(partner)), []);
        let manager = Listener::new(viewer(Role::PartnerManager, Some(partner)), []);
        let colleagues = Place {
            partner_id: Some(partner),
            owner_id: Some(UserId::new()),
            ..Place::default()
        };
        let e = event(LiveRecord::Opportunity, colleagues, None);
        assert_eq!(rep.hears(&e), None);
        assert_eq!(manager.hears(&e), Some(Hearing::Full));
        let broken = Listener::new(viewer(Role::PartnerUser, None), []);
        assert_eq!(broken.hears(&e), None);
    }
}
