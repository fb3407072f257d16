//! Leads: reading, creating and editing them, within the caller's scope.
//!
//! Claiming, releasing and answering routed leads are in [`claims`]; the
//! timeline in [`timeline`]; list views in [`list`]; claims nobody works
//! going back to their queue in [`stale`]; CSV imports and web-form leads
//! in [`intake`].

pub mod claim_rules;
pub mod claims;
pub mod convert;
pub mod intake;
pub mod list;
pub mod stale;
pub mod statuses;
pub mod timeline;

use openprm_domain::{
    DomainError, EmailAddress, LeadId, PartnerId, QueueId, Role, UserId, Viewer,
    leads::{LeadFields, LeadSource, Rating, changes},
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    assignment::route::route_lead,
    on_db,
    scope::{bind_scope, lead_clause},
    write_tx,
};

/// Where a lead stands in its journey to an owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeadState {
    /// With the vendor, not yet routed anywhere (or declined back).
    Unassigned,
    /// Waiting in a queue for a member partner to claim it.
    InQueue,
    /// Routed straight to a partner or user, waiting for Accept or Decline.
    Inbox,
    /// Owned by a partner (claimed from a queue, accepted, or created by them).
    Owned,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Lead {
    pub id: LeadId,
    pub name: String,
    pub company: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    pub source: LeadSource,
    pub status: String,
    pub rating: Option<Rating>,
    pub product_interest: Option<String>,
    pub description: Option<String>,
    pub state: LeadState,
    pub queue_id: Option<QueueId>,
    pub queue_name: Option<String>,
    pub partner_id: Option<PartnerId>,
    pub partner_name: Option<String>,
    pub owner_id: Option<UserId>,
    pub owner_name: Option<String>,
    /// Increases with every change; send it as `If-Match` when updating.
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub claimed_at: Option<OffsetDateTime>,
    /// Set once the lead is converted; it is read-only from then on.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub converted_at: Option<OffsetDateTime>,
    /// What the conversion linked or created.
    pub converted_account_id: Option<openprm_domain::AccountId>,
    pub converted_contact_id: Option<openprm_domain::ContactId>,
    pub converted_opportunity_id: Option<openprm_domain::OpportunityId>,
}

impl Lead {
    /// The editable fields, as the domain's rules see them.
    pub fn fields(&self) -> LeadFields {
        LeadFields {
            name: self.name.clone(),
            company: self.company.clone(),
            title: self.title.clone(),
            email: self
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok()),
            phone: self.phone.clone(),
            country: self.country.clone(),
            postal_code: self.postal_code.clone(),
            source: self.source,
            status: self.status.clone(),
            rating: self.rating,
            product_interest: self.product_interest.clone(),
            description: self.description.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LeadRow {
    id: Uuid,
    name: String,
    company: String,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    postal_code: Option<String>,
    source: String,
    status: String,
    rating: Option<String>,
    product_interest: Option<String>,
    description: Option<String>,
    queue_id: Option<Uuid>,
    queue_name: Option<String>,
    partner_id: Option<Uuid>,
    partner_name: Option<String>,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    accepted_at: Option<DbTime>,
    version: i64,
    created_at: DbTime,
    updated_at: DbTime,
    claimed_at: Option<DbTime>,
    converted_at: Option<DbTime>,
    converted_account_id: Option<Uuid>,
    converted_contact_id: Option<Uuid>,
    converted_opportunity_id: Option<Uuid>,
}

impl From<LeadRow> for Lead {
    fn from(r: LeadRow) -> Self {
        let state = match (
            r.partner_id.is_some() || r.owner_id.is_some(),
            r.accepted_at.is_some(),
            r.queue_id.is_some(),
        ) {
            (true, true, _) => LeadState::Owned,
            (true, false, _) => LeadState::Inbox,
            (false, _, true) => LeadState::InQueue,
            (false, _, false) => LeadState::Unassigned,
        };
        Lead {
            id: LeadId(r.id),
            name: r.name,
            company: r.company,
            title: r.title,
            email: r.email,
            phone: r.phone,
            country: r.country,
            postal_code: r.postal_code,
            source: LeadSource::parse(&r.source).unwrap_or(LeadSource::Other),
            status: r.status,
            rating: r.rating.as_deref().and_then(Rating::parse),
            product_interest: r.product_interest,
            description: r.description,
            state,
            queue_id: r.queue_id.map(QueueId),
            queue_name: r.queue_name,
            partner_id: r.partner_id.map(PartnerId),
            partner_name: r.partner_name,
            owner_id: r.owner_id.map(UserId),
            owner_name: r.owner_name,
            version: r.version,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
            claimed_at: r.claimed_at.map(|t| t.0),
            converted_at: r.converted_at.map(|t| t.0),
            converted_account_id: r.converted_account_id.map(openprm_domain::AccountId),
            converted_contact_id: r.converted_contact_id.map(openprm_domain::ContactId),
            converted_opportunity_id: r
                .converted_opportunity_id
                .map(openprm_domain::OpportunityId),
        }
    }
}

/// The names beside the ids are looked up per row rather than joined. Under a
/// list's LIMIT, PostgreSQL memoizes a joined lookup in a hash table sized for
/// every partner and user, and builds and zeroes it on every execution: a fifth
/// of its CPU in the list benchmark (docs/BENCHMARKS.md). A lookup per row is
/// also cheaper to plan, and is made only for the rows of the page.
pub(crate) const SELECT_LEAD: &str = "SELECT l.id, l.name, l.company, l.title, l.email, l.phone, l.country, l.postal_code, \
     l.source, l.status, l.rating, l.product_interest, l.description, \
     l.queue_id, (SELECT q.name FROM queues q WHERE q.id = l.queue_id) AS queue_name, \
     l.partner_id, (SELECT p.name FROM partners p WHERE p.id = l.partner_id) AS partner_name, \
     l.owner_id, (SELECT u.name FROM users u WHERE u.id = l.owner_id) AS owner_name, \
     l.accepted_at, l.version, l.created_at, l.updated_at, l.claimed_at, \
     l.converted_at, l.converted_account_id, l.converted_contact_id, l.converted_opportunity_id \
     FROM leads l";

/// Where a new lead goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Assignment {
    /// Stays with the vendor.
    #[default]
    Unassigned,
    /// Wherever the assignment rules send it (`crate::assignment::route`).
    Auto,
    Queue(QueueId),
    /// Into a partner's inbox, for any of its staff to accept.
    Partner(PartnerId),
    /// Into one partner user's inbox.
    User(UserId),
}

impl Store {
    pub async fn lead(&self, viewer: &Viewer, id: LeadId) -> Result<Lead, StoreError> {
        let clause = lead_clause(viewer, "l", 2);
        let sql = format!("{SELECT_LEAD} WHERE l.id = $1 AND {}", clause.sql);
        let row: Option<LeadRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(Lead::from).ok_or_else(StoreError::not_found)
    }

    /// A lead's fields whoever may see it, for the system's own work (routing
    /// onward); `None` when it is gone.
    pub(crate) async fn lead_fields_unscoped(
        &self,
        id: LeadId,
    ) -> Result<Option<LeadFields>, StoreError> {
        let sql = format!("{SELECT_LEAD} WHERE l.id = $1");
        let row: Option<LeadRow> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)?;
        Ok(row.map(|r| Lead::from(r).fields()))
    }

    /// Creates a lead. Vendor staff place it anywhere; partner staff create leads
    /// they own themselves (the assignment is ignored for them).
    pub async fn create_lead(
        &self,
        viewer: &Viewer,
        fields: &LeadFields,
        assignment: Assignment,
    ) -> Result<Lead, StoreError> {
        let now = self.now();
        let id = LeadId::new();
        let router = match (viewer.role.is_vendor(), assignment) {
            (true, Assignment::Auto) => Some(self.router().await?),
            _ => None,
        };
        let (queue, partner, owner, accepted) = match (viewer.role.is_vendor(), assignment) {
            (false, _) => (None, viewer.partner_id, Some(viewer.user_id), Some(now)),
            (true, Assignment::Unassigned | Assignment::Auto) => (None, None, None, None),
            (true, Assignment::Queue(q)) => {
                self.queue(viewer, q)
                    .await
                    .map_err(|_| DomainError::field("queue_id", "error-queue-unknown"))?;
                (Some(q), None, None, None)
            }
            (true, Assignment::Partner(p)) => {
                self.partner(viewer, p)
                    .await
                    .map_err(|_| DomainError::field("partner_id", "error-partner-unknown"))?;
                (None, Some(p), None, None)
            }
            (true, Assignment::User(u)) => {
                let user = self
                    .user(viewer, u)
                    .await
                    .map_err(|_| DomainError::field("owner_id", "error-user-unknown"))?;
                if user.role != Role::PartnerUser && user.role != Role::PartnerManager
                    || !user.active
                {
                    return Err(DomainError::field("owner_id", "error-user-unknown").into());
                }
                (None, user.partner_id, Some(u), None)
            }
        };
        if viewer.role.is_partner() && partner.is_none() {
            return Err(DomainError::Forbidden.into());
        }
        let sql = "INSERT INTO leads (id, name, company, title, email, phone, country, postal_code, source, status, rating, \
                   description, queue_id, partner_id, owner_id, accepted_at, version, created_by, created_at, updated_at, last_activity_at, \
                   product_interest) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $18, $18, $18, $19)";
        // Someone placing a lead with a person or a company inbox tells them.
        let placed =
            !viewer.role.is_partner() && (partner.is_some() || owner.is_some() || router.is_some());
        let (settings, actor_name) = if placed {
            (
                self.vendor_settings().await?,
                self.user_name(viewer.user_id).await?,
            )
        } else {
            (crate::settings::VendorSettings::default(), None)
        };
        let title = fields.list_name();
        write_tx!(self, tx => {
            sqlx::query(sql)
                .bind(id.0)
                .bind(&fields.name)
                .bind(&fields.company)
                .bind(&fields.title)
                .bind(fields.email.as_ref().map(|e| e.as_str().to_owned()))
                .bind(&fields.phone)
                .bind(&fields.country)
                .bind(&fields.postal_code)
                .bind(fields.source.as_str())
                .bind(&fields.status)
                .bind(fields.rating.map(|r| r.as_str()))
                .bind(&fields.description)
                .bind(queue.map(|q| q.0))
                .bind(partner.map(|p| p.0))
                .bind(owner.map(|o| o.0))
                .bind(accepted.map(DbTime::from))
                .bind(viewer.user_id.0)
                .bind(DbTime::from(now))
                .bind(&fields.product_interest)
                .execute(&mut *tx)
                .await?;
            timeline::record!(&mut *tx, now, id, Some(viewer.user_id), "created", None::<&str>, None::<String>, None::<String>, partner, queue);
            if let Some(router) = &router {
                route_lead!(self, tx, router, now, id, fields, Some(viewer.user_id));
            }
            // Whoever holds the lead now (named or routed) is told.
            if placed {
                crate::notifications::notify_assignment!(self, tx, now, &settings, id, title, Some(viewer.user_id), actor_name);
            }
        });
        self.lead(viewer, id).await
    }

    /// Saves changed fields if the lead is still at `expected_version`; every
    /// changed field goes to the timeline with its old and new value.
    pub async fn update_lead(
        &self,
        viewer: &Viewer,
        id: LeadId,
        expected_version: i64,
        fields: &LeadFields,
    ) -> Result<Lead, StoreError> {
        let current = self.lead(viewer, id).await?;
        may_edit(viewer, &current)?;
        if current.version != expected_version {
            return Err(DomainError::VersionConflict.into());
        }
        let changed = changes(&current.fields(), fields);
        if changed.is_empty() {
            return Ok(current);
        }
        let now = self.now();
        let sql = "UPDATE leads SET name = $3, company = $4, title = $5, email = $6, phone = $7, country = $8, postal_code = $9, \
                   source = $10, status = $11, rating = $12, description = $13, version = version + 1, updated_at = $14, \
                   last_activity_at = $14, stale_warned_at = NULL, product_interest = $15 WHERE id = $1 AND version = $2";
        write_tx!(self, tx => {
            let done = sqlx::query(sql)
                .bind(id.0)
                .bind(expected_version)
                .bind(&fields.name)
                .bind(&fields.company)
                .bind(&fields.title)
                .bind(fields.email.as_ref().map(|e| e.as_str().to_owned()))
                .bind(&fields.phone)
                .bind(&fields.country)
                .bind(&fields.postal_code)
                .bind(fields.source.as_str())
                .bind(&fields.status)
                .bind(fields.rating.map(|r| r.as_str()))
                .bind(&fields.description)
                .bind(DbTime::from(now))
                .bind(&fields.product_interest)
                .execute(&mut *tx)
                .await?;
            // Someone saved between our read and this write: nothing is overwritten.
            if done.rows_affected() != 1 {
                return Err(DomainError::VersionConflict.into());
            }
            for (field, old, new) in &changed {
                timeline::record!(&mut *tx, now, id, Some(viewer.user_id), "field", Some(*field), old.clone(), new.clone(), current.partner_id, current.queue_id);
            }
        });
        self.lead(viewer, id).await
    }
}

/// Who may edit a visible lead: vendor staff, its owner, and its company's
/// partner manager; nobody edits a lead still waiting in a queue or inbox
/// (Accept it first) or one that was converted.
pub fn may_edit(viewer: &Viewer, lead: &Lead) -> Result<(), DomainError> {
    if lead.status == "converted" || lead.converted_at.is_some() {
        return Err(DomainError::Forbidden);
    }
    match viewer.role {
        Role::Admin | Role::ChannelManager => Ok(()),
        Role::PartnerManager
            if lead.state == LeadState::Owned && lead.partner_id == viewer.partner_id =>
        {
            Ok(())
        }
        Role::PartnerUser
            if lead.state == LeadState::Owned && lead.owner_id == Some(viewer.user_id) =>
        {
            Ok(())
        }
        _ => Err(DomainError::Forbidden),
    }
}
