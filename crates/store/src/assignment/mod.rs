//! Assignment rules (spec flows 6 and 12): the admin's ordered list, kept with
//! a version so two admins cannot overwrite each other, and the router that
//! places leads by it ([`route`]); inbox leads nobody accepted in time are
//! routed onward by [`response_time`].
//!
//! Each rule is one row: its conditions and target as JSON (the domain's
//! types, so the two cannot drift), its response time, and the round-robin
//! counter the router advances under a lock on that row.

pub mod response_time;
pub mod route;

use std::collections::HashMap;

use openprm_domain::{
    AssignmentRuleId, DomainError, PartnerId, QueueId, Role, Tier, UserId, Viewer,
    assignment_rules::{
        AssignmentRule, AssignmentRules, Condition, Directory, Target, normalise, validate,
    },
    claim_rules::ClaimRule,
};
use uuid::Uuid;

use crate::{Store, StoreError, audit::audit, on_db, write_tx};

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    name: String,
    conditions: String,
    target: String,
    response_hours: Option<i32>,
}

impl RuleRow {
    /// `None` for a row whose JSON no longer reads (never written by us).
    fn into_rule(self) -> Option<AssignmentRule> {
        Some(AssignmentRule {
            id: AssignmentRuleId(self.id),
            name: self.name,
            conditions: serde_json::from_str::<Vec<Condition>>(&self.conditions).ok()?,
            target: serde_json::from_str::<Target>(&self.target).ok()?,
            response_hours: self.response_hours.and_then(|h| u32::try_from(h).ok()),
        })
    }
}

/// Everything the router needs to place leads, read once: an import reads it
/// once for all its rows.
#[derive(Clone, Debug, Default)]
pub struct Router {
    pub config: AssignmentRules,
    pub directory: Directory,
    pub claim_rules: Vec<ClaimRule>,
}

impl Router {
    /// The response time of a rule, by id.
    pub fn response_hours(&self, rule: AssignmentRuleId) -> Option<u32> {
        self.config
            .rules
            .iter()
            .find(|r| r.id == rule)
            .and_then(|r| r.response_hours)
    }
}

impl Store {
    /// The rules in order, the default queue and the version. Vendor staff
    /// only: rules name partners and territories.
    pub async fn assignment_rules(&self, viewer: &Viewer) -> Result<AssignmentRules, StoreError> {
        if !viewer.role.is_vendor() {
            return Err(DomainError::NotFound.into());
        }
        self.load_assignment_rules().await
    }

    async fn load_assignment_rules(&self) -> Result<AssignmentRules, StoreError> {
        let rows: Vec<RuleRow> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, name, conditions, target, response_hours FROM assignment_rules ORDER BY position, id")
            .fetch_all(pool).await)?;
        let (version, default_queue): (i64, Option<Uuid>) = on_db!(self, pool => sqlx::query_as(
            "SELECT version, default_queue_id FROM assignment_settings WHERE id = 1")
            .fetch_one(pool).await)?;
        Ok(AssignmentRules {
            version,
            default_queue_id: default_queue.map(QueueId),
            rules: rows.into_iter().filter_map(RuleRow::into_rule).collect(),
        })
    }

    /// Replaces the rules and the default queue (admins; `None` for the demo)
    /// if nobody saved since `expected.version`. Partners, users and queues
    /// named must exist: an unknown one is a field error on that target.
    pub async fn save_assignment_rules(
        &self,
        viewer: Option<&Viewer>,
        expected: AssignmentRules,
    ) -> Result<AssignmentRules, StoreError> {
        if let Some(v) = viewer {
            // Partners do not know the rules exist; channel managers may read them.
            if !v.role.is_vendor() {
                return Err(DomainError::NotFound.into());
            }
            v.may_administer()?;
        }
        validate(&expected.rules)?;
        let rules = normalise(expected.rules);
        let mut errors = openprm_domain::FieldErrors::new();
        if let Some(q) = expected.default_queue_id
            && !self.queue_exists(q).await?
        {
            errors.add("default_queue_id", "error-queue-unknown");
        }
        for (i, rule) in rules.iter().enumerate() {
            let field = format!("rules[{i}].target");
            let known = match rule.target {
                Target::Partner { partner_id } => self.partner_exists(partner_id).await?,
                Target::User { user_id } => self.partner_person_exists(user_id).await?,
                other => match other.queue() {
                    Some(q) => self.queue_exists(q).await?,
                    None => true,
                },
            };
            if !known {
                let key = match rule.target {
                    Target::Partner { .. } => "error-partner-unknown",
                    Target::User { .. } => "error-user-unknown",
                    _ => "error-queue-unknown",
                };
                errors.add(&field, key);
            }
        }
        errors.into_result()?;
        let now = self.now();
        write_tx!(self, tx => {
            // The version check and bump come first: of two saves from the same
            // version, the second finds nothing to update and changes nothing.
            let done = sqlx::query(
                "UPDATE assignment_settings SET version = version + 1, default_queue_id = $2 WHERE id = 1 AND version = $1")
                .bind(expected.version)
                .bind(expected.default_queue_id.map(|q| q.0))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(DomainError::VersionConflict.into());
            }
            // A rule kept by id keeps its round-robin turn.
            let counters: Vec<(Uuid, i64)> = sqlx::query_as("SELECT id, rr_counter FROM assignment_rules")
                .fetch_all(&mut *tx).await?;
            let counters: HashMap<Uuid, i64> = counters.into_iter().collect();
            sqlx::query("DELETE FROM assignment_rules").execute(&mut *tx).await?;
            for (position, rule) in rules.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO assignment_rules (id, position, name, conditions, target, response_hours, rr_counter) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(rule.id.0)
                    .bind(i32::try_from(position).unwrap_or(i32::MAX))
                    .bind(&rule.name)
                    .bind(serde_json::to_string(&rule.conditions).unwrap_or_else(|_| "[]".into()))
                    .bind(serde_json::to_string(&rule.target).unwrap_or_default())
                    .bind(rule.response_hours.map(|h| i32::try_from(h).unwrap_or(i32::MAX)))
                    .bind(counters.get(&rule.id.0).copied().unwrap_or(0))
                    .execute(&mut *tx)
                    .await?;
            }
            audit!(&mut *tx, now, viewer.map(|v| v.user_id), "assignment_rules.update", "assignment_rules", "all", rules.len());
        });
        self.load_assignment_rules().await
    }

    async fn queue_exists(&self, id: QueueId) -> Result<bool, StoreError> {
        let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM queues WHERE id = $1")
            .bind(id.0).fetch_one(pool).await)?;
        Ok(n > 0)
    }

    async fn partner_exists(&self, id: PartnerId) -> Result<bool, StoreError> {
        let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM partners WHERE id = $1")
            .bind(id.0).fetch_one(pool).await)?;
        Ok(n > 0)
    }

    /// A partner user or manager (vendor staff hold no inbox).
    async fn partner_person_exists(&self, id: UserId) -> Result<bool, StoreError> {
        let (n,): (i64,) = on_db!(self, pool => sqlx::query_as(
            "SELECT COUNT(*) FROM users WHERE id = $1 AND partner_id IS NOT NULL")
            .bind(id.0).fetch_one(pool).await)?;
        Ok(n > 0)
    }

    /// What the router needs: the rules, the partners with their tiers and
    /// whether anyone there could accept, the active partner people, the
    /// queues with their members, and the claim rules for capacity.
    #[tracing::instrument(skip(self))]
    pub async fn router(&self) -> Result<Router, StoreError> {
        let config = self.load_assignment_rules().await?;
        let mut directory = Directory::default();
        let partners: Vec<(Uuid, String)> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, tier FROM partners").fetch_all(pool).await)?;
        for (id, tier) in partners {
            directory.partners.insert(
                PartnerId(id),
                Tier::parse(&tier).unwrap_or(Tier::Registered),
            );
        }
        let people: Vec<(Uuid, Uuid, String)> = on_db!(self, pool => sqlx::query_as(
            "SELECT id, partner_id, role FROM users WHERE active AND partner_id IS NOT NULL")
            .fetch_all(pool).await)?;
        for (user, partner, role) in people {
            if matches!(
                Role::parse(&role),
                Some(Role::PartnerUser | Role::PartnerManager)
            ) {
                directory.users.insert(UserId(user), PartnerId(partner));
                directory.staffed.insert(PartnerId(partner));
            }
        }
        let queues: Vec<(Uuid,)> =
            on_db!(self, pool => sqlx::query_as("SELECT id FROM queues").fetch_all(pool).await)?;
        for (q,) in queues {
            directory.queues.insert(QueueId(q), Vec::new());
        }
        let members: Vec<(Uuid, Uuid)> = on_db!(self, pool => sqlx::query_as(
            "SELECT queue_id, partner_id FROM queue_members ORDER BY queue_id, partner_id")
            .fetch_all(pool).await)?;
        for (q, p) in members {
            directory
                .queues
                .entry(QueueId(q))
                .or_default()
                .push(PartnerId(p));
        }
        Ok(Router {
            config,
            directory,
            claim_rules: self.claim_rules().await?,
        })
    }
}
