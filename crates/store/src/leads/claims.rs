//! Claiming from queues and answering routed leads (spec flows 5 and 6).
//!
//! A claim is atomic and fair on both stores and across instances: the lead is
//! taken with `UPDATE … WHERE owner_id IS NULL`, so of simultaneous claims
//! exactly one wins; and claim limits are checked after serialising the
//! partner's claims (PostgreSQL: a row lock on the partner; SQLite: its single
//! writer), so no interleaving can push a user or partner over a limit.

use openprm_domain::{
    DomainError, LeadId, Role, Viewer,
    claim_rules::{ClaimContext, LimitKind, LimitSubject, RuleUsage, check_claim},
};
use serde::{Deserialize, Serialize};

use super::{Lead, timeline::record};
use crate::{
    Backend, DbTime, Store, StoreError,
    assignment::route::route_lead,
    on_db,
    scope::{bind_scope, taken_from_member_queue_clause},
    write_tx,
};

/// Why a partner declined a lead routed to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeclineReason {
    NotMyTerritory,
    NoCapacity,
    Duplicate,
    Spam,
    Other,
}

impl DeclineReason {
    pub const ALL: [DeclineReason; 5] = [
        DeclineReason::NotMyTerritory,
        DeclineReason::NoCapacity,
        DeclineReason::Duplicate,
        DeclineReason::Spam,
        DeclineReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeclineReason::NotMyTerritory => "not_my_territory",
            DeclineReason::NoCapacity => "no_capacity",
            DeclineReason::Duplicate => "duplicate",
            DeclineReason::Spam => "spam",
            DeclineReason::Other => "other",
        }
    }

    pub fn parse(value: &str) -> Option<DeclineReason> {
        DeclineReason::ALL.into_iter().find(|r| r.as_str() == value)
    }
}

impl Store {
    /// Accept (claim) an unclaimed queue lead for the caller and their company.
    pub async fn claim_lead(&self, viewer: &Viewer, id: LeadId) -> Result<Lead, StoreError> {
        let (Some(partner_id), true) = (viewer.partner_id, viewer.role.is_partner()) else {
            return Err(DomainError::Forbidden.into());
        };
        let lead = match self.lead(viewer, id).await {
            Err(StoreError::Domain(DomainError::NotFound))
                if self.taken_from_members_queue(viewer, id).await? =>
            {
                return Err(DomainError::LeadAlreadyClaimed.into());
            }
            found => found?,
        };
        let queue = lead
            .queue_id
            .ok_or(DomainError::Invalid("error-lead-not-in-queue"))?;
        if lead.state != super::LeadState::InQueue {
            return Err(DomainError::LeadAlreadyClaimed.into());
        }
        let partner = self.partner(viewer, partner_id).await?;
        let rules = self.claim_rules().await?;
        let ctx = ClaimContext {
            user: viewer.user_id,
            partner: partner_id,
            tier: partner.tier,
            queue,
        };
        let applicable: Vec<_> = rules
            .iter()
            .filter(|r| r.applies_to(&ctx))
            .cloned()
            .collect();
        let now = self.now();
        let lock_partner = match self.backend() {
            Backend::Postgres => "SELECT id FROM partners WHERE id = $1 FOR UPDATE",
            // BEGIN IMMEDIATE already made this transaction the only writer.
            Backend::Sqlite => "SELECT id FROM partners WHERE id = $1",
        };
        write_tx!(self, tx => {
            sqlx::query(lock_partner).bind(partner_id.0).execute(&mut *tx).await?;
            let mut usage = Vec::with_capacity(applicable.len());
            for rule in &applicable {
                let subject = match rule.subject {
                    LimitSubject::User => ("l.owner_id", "e.actor_id", viewer.user_id.0),
                    LimitSubject::Partner => ("l.partner_id", "e.partner_id", partner_id.0),
                };
                let (used, oldest): (i64, Option<DbTime>) = match rule.kind {
                    LimitKind::OpenAtOnce => {
                        let sql = format!(
                            "SELECT COUNT(*) FROM leads l JOIN lead_statuses s ON s.key = l.status \
                             WHERE {} = $1 AND l.claimed_at IS NOT NULL AND NOT s.closed AND ($2 IS NULL OR l.queue_id = $2)",
                            subject.0
                        );
                        let (held,): (i64,) = sqlx::query_as(&crate::db::typed_null(&sql, self.backend()))
                            .bind(subject.2)
                            .bind(rule.queue_id.map(|q| q.0))
                            .fetch_one(&mut *tx)
                            .await?;
                        (held, None)
                    }
                    LimitKind::PerWindow { .. } => {
                        let since = rule.window_start(now).map(DbTime::from);
                        let sql = format!(
                            "SELECT COUNT(*), MIN(e.at) FROM lead_events e WHERE e.kind = 'claim' AND {} = $1 \
                             AND ($2 IS NULL OR e.queue_id = $2) AND e.at > $3",
                            subject.1
                        );
                        sqlx::query_as(&crate::db::typed_null(&sql, self.backend()))
                            .bind(subject.2)
                            .bind(rule.queue_id.map(|q| q.0))
                            .bind(since)
                            .fetch_one(&mut *tx)
                            .await?
                    }
                };
                usage.push(RuleUsage {
                    rule: rule.id,
                    used: u32::try_from(used).unwrap_or(u32::MAX),
                    oldest_in_window: oldest.map(|t| t.0),
                });
            }
            if let Err(refusal) = check_claim(&applicable, &ctx, &usage) {
                return Err(DomainError::ClaimLimitReached(Box::new(refusal)).into());
            }
            let taken = sqlx::query(
                "UPDATE leads SET owner_id = $2, partner_id = $3, claimed_at = $4, accepted_at = $4, updated_at = $4, \
                 last_activity_at = $4, stale_warned_at = NULL, version = version + 1 \
                 WHERE id = $1 AND owner_id IS NULL AND partner_id IS NULL AND queue_id IS NOT NULL",
            )
            .bind(id.0)
            .bind(viewer.user_id.0)
            .bind(partner_id.0)
            .bind(DbTime::from(now))
            .execute(&mut *tx)
            .await?;
            if taken.rows_affected() != 1 {
                return Err(DomainError::LeadAlreadyClaimed.into());
            }
            record!(&mut *tx, now, id, Some(viewer.user_id), "claim", None::<&str>, None::<String>, None::<String>, Some(partner_id), Some(queue));
        });
        self.touch_recent(viewer.user_id, "lead", id.0).await?;
        self.lead(viewer, id).await
    }

    /// Whether a lead the caller can no longer see was taken from a queue their
    /// company belongs to (the rule is [`taken_from_member_queue_clause`]).
    async fn taken_from_members_queue(
        &self,
        viewer: &Viewer,
        id: LeadId,
    ) -> Result<bool, StoreError> {
        let clause = taken_from_member_queue_clause(viewer, "l", 2);
        let sql = format!(
            "SELECT COUNT(*) FROM leads l WHERE l.id = $1 AND {}",
            clause.sql
        );
        let (n,): (i64,) = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_one(pool).await
        })?;
        Ok(n > 0)
    }

    /// Gives a claimed lead back to its queue: its owner, their partner manager, or vendor staff.
    pub async fn release_lead(&self, viewer: &Viewer, id: LeadId) -> Result<Lead, StoreError> {
        let lead = self.lead(viewer, id).await?;
        let queue = lead
            .queue_id
            .ok_or(DomainError::Invalid("error-lead-not-in-queue"))?;
        if lead.claimed_at.is_none() || lead.state != super::LeadState::Owned {
            return Err(DomainError::Invalid("error-lead-not-claimed").into());
        }
        let allowed = match viewer.role {
            Role::Admin | Role::ChannelManager => true,
            Role::PartnerManager => lead.partner_id == viewer.partner_id,
            Role::PartnerUser => lead.owner_id == Some(viewer.user_id),
        };
        if !allowed {
            return Err(DomainError::Forbidden.into());
        }
        if lead.status == "converted" {
            return Err(DomainError::Invalid("error-lead-converted").into());
        }
        let now = self.now();
        write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE leads SET owner_id = NULL, partner_id = NULL, claimed_at = NULL, accepted_at = NULL, updated_at = $3, \
                 last_activity_at = $3, stale_warned_at = NULL, version = version + 1 WHERE id = $1 AND version = $2",
            )
            .bind(id.0)
            .bind(lead.version)
            .bind(DbTime::from(now))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(DomainError::VersionConflict.into());
            }
            record!(&mut *tx, now, id, Some(viewer.user_id), "release", None::<&str>, None::<String>, None::<String>, lead.partner_id, Some(queue));
        });
        self.lead(viewer, id).await
    }

    /// Accepts a lead routed to the caller (or to their company, taking it).
    pub async fn accept_lead(&self, viewer: &Viewer, id: LeadId) -> Result<Lead, StoreError> {
        let lead = self.lead(viewer, id).await?;
        let Some(partner_id) = viewer.partner_id.filter(|_| viewer.role.is_partner()) else {
            return Err(DomainError::Forbidden.into());
        };
        if lead.state != super::LeadState::Inbox {
            return Err(DomainError::Invalid("error-lead-not-in-inbox").into());
        }
        let now = self.now();
        write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE leads SET owner_id = $2, accepted_at = $4, respond_by = NULL, updated_at = $4, last_activity_at = $4, version = version + 1 \
                 WHERE id = $1 AND accepted_at IS NULL AND (owner_id = $2 OR (owner_id IS NULL AND partner_id = $3))",
            )
            .bind(id.0)
            .bind(viewer.user_id.0)
            .bind(partner_id.0)
            .bind(DbTime::from(now))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(DomainError::LeadAlreadyClaimed.into());
            }
            record!(&mut *tx, now, id, Some(viewer.user_id), "accept", None::<&str>, None::<String>, None::<String>, Some(partner_id), lead.queue_id);
        });
        self.touch_recent(viewer.user_id, "lead", id.0).await?;
        self.lead(viewer, id).await
    }

    /// Declines a routed lead with a reason: it goes back to the router, which
    /// remembers the decline and skips this partner, now and next time.
    pub async fn decline_lead(
        &self,
        viewer: &Viewer,
        id: LeadId,
        reason: DeclineReason,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        let lead = self.lead(viewer, id).await?;
        let Some(partner_id) = viewer.partner_id.filter(|_| viewer.role.is_partner()) else {
            return Err(DomainError::Forbidden.into());
        };
        if lead.state != super::LeadState::Inbox {
            return Err(DomainError::Invalid("error-lead-not-in-inbox").into());
        }
        let note = note.map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > 1000) {
            return Err(DomainError::field("note", "error-too-long").into());
        }
        let now = self.now();
        let router = self.router().await?;
        let settings = self.vendor_settings().await?;
        let fields = lead.fields();
        let title = fields.list_name();
        // The router, not the partner declining, chose where it goes next.
        let routed_by: Option<String> = None;
        write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE leads SET owner_id = NULL, partner_id = NULL, respond_by = NULL, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND accepted_at IS NULL AND (owner_id = $2 OR (owner_id IS NULL AND partner_id = $3))",
            )
            .bind(id.0)
            .bind(viewer.user_id.0)
            .bind(partner_id.0)
            .bind(DbTime::from(now))
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(DomainError::LeadAlreadyClaimed.into());
            }
            sqlx::query(
                "INSERT INTO lead_declines (lead_id, partner_id, user_id, reason, note, at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (lead_id, partner_id) DO UPDATE SET user_id = $3, reason = $4, note = $5, at = $6",
            )
            .bind(id.0)
            .bind(partner_id.0)
            .bind(viewer.user_id.0)
            .bind(reason.as_str())
            .bind(note)
            .bind(DbTime::from(now))
            .execute(&mut *tx)
            .await?;
            record!(&mut *tx, now, id, Some(viewer.user_id), "decline", None::<&str>, note.map(str::to_owned), Some(reason.as_str().to_owned()), Some(partner_id), lead.queue_id);
            route_lead!(self, tx, &router, now, id, &fields, Some(viewer.user_id));
            crate::notifications::notify_assignment!(self, tx, now, &settings, id, title, Some(viewer.user_id), routed_by);
        });
        Ok(())
    }
}
