//! Opportunities: reading, creating and editing them, within the caller's scope.
//!
//! An opportunity belongs to the partner of its account, and to one of that
//! partner's people. List views are in [`list`]; the timeline and notes in
//! [`timeline`]; the stage picklist in [`stages`]; Home's figures in
//! [`summary`]. Other parts of the store that create an opportunity as part of
//! their own change (lead conversion, an approved deal registration) do it
//! with [`insert_opportunity!`], inside their transaction.

pub mod list;
pub mod stages;
pub mod summary;
pub mod timeline;

use openprm_domain::{
    AccountId, DomainError, LeadId, OpportunityId, PartnerId, Role, UserId, Viewer,
    money::Currency,
    opportunities::{OpportunityFields, changes, date_text},
};
use serde::{Serialize, Serializer};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError, on_db,
    scope::{bind_scope, owned_record_clause},
    write_tx,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Opportunity {
    pub id: OpportunityId,
    pub name: String,
    pub account_id: AccountId,
    pub account_name: String,
    /// A key of the stage picklist.
    pub stage: String,
    /// The amount in minor units of `currency` (øre, cents), exact.
    pub amount_minor: Option<i64>,
    /// The same amount as decimal text in major units: `12500.50`.
    pub amount: Option<String>,
    #[schema(value_type = String, example = "DKK")]
    pub currency: Currency,
    #[serde(serialize_with = "serialize_date")]
    #[schema(value_type = String, format = Date)]
    pub close_date: Date,
    /// Percent, 0–100.
    pub probability: i32,
    pub next_step: Option<String>,
    pub description: Option<String>,
    /// The lead it was converted from.
    pub lead_id: Option<LeadId>,
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
}

fn serialize_date<S: Serializer>(date: &Date, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&date_text(*date))
}

impl Opportunity {
    /// The editable fields, as the domain's rules see them.
    pub fn fields(&self) -> OpportunityFields {
        OpportunityFields {
            name: self.name.clone(),
            stage: self.stage.clone(),
            amount_minor: self.amount_minor,
            currency: self.currency,
            close_date: self.close_date,
            probability: self.probability,
            next_step: self.next_step.clone(),
            description: self.description.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct OpportunityRow {
    id: Uuid,
    name: String,
    account_id: Uuid,
    account_name: String,
    stage: String,
    amount_minor: Option<i64>,
    currency: String,
    close_date: Date,
    probability: i32,
    next_step: Option<String>,
    description: Option<String>,
    lead_id: Option<Uuid>,
    partner_id: Option<Uuid>,
    partner_name: Option<String>,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    version: i64,
    created_at: DbTime,
    updated_at: DbTime,
}

impl From<OpportunityRow> for Opportunity {
    fn from(r: OpportunityRow) -> Self {
        // Only codes of the allow-list are ever written.
        let currency = Currency::parse(&r.currency).unwrap_or(Currency::EUR);
        Opportunity {
            id: OpportunityId(r.id),
            name: r.name,
            account_id: AccountId(r.account_id),
            account_name: r.account_name,
            stage: r.stage,
            amount: r
                .amount_minor
                .map(|minor| openprm_domain::money::Money { minor, currency }.decimal()),
            amount_minor: r.amount_minor,
            currency,
            close_date: r.close_date,
            probability: r.probability,
            next_step: r.next_step,
            description: r.description,
            lead_id: r.lead_id.map(LeadId),
            partner_id: r.partner_id.map(PartnerId),
            partner_name: r.partner_name,
            owner_id: r.owner_id.map(UserId),
            owner_name: r.owner_name,
            version: r.version,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

/// The partner's and owner's names are looked up per row rather than joined,
/// as for leads (`SELECT_LEAD`): joined under a list's LIMIT, PostgreSQL
/// memoizes them in hash tables sized for every partner and user, built on
/// every execution. The account stays joined: its id differs on nearly every
/// row, so it is not memoized, and the search reads its name.
pub(crate) const SELECT_OPPORTUNITY: &str = "SELECT o.id, o.name, o.account_id, a.name AS account_name, o.stage, o.amount_minor, \
     o.currency, o.close_date, o.probability, o.next_step, o.description, o.lead_id, \
     o.partner_id, (SELECT p.name FROM partners p WHERE p.id = o.partner_id) AS partner_name, \
     o.owner_id, (SELECT u.name FROM users u WHERE u.id = o.owner_id) AS owner_name, \
     o.version, o.created_at, o.updated_at \
     FROM opportunities o JOIN accounts a ON a.id = o.account_id";

/// A new opportunity as [`insert_opportunity!`] writes it: every value already
/// decided and checked by the caller.
#[derive(Clone, Debug)]
pub struct NewOpportunity<'a> {
    pub id: OpportunityId,
    pub fields: &'a OpportunityFields,
    pub account_id: AccountId,
    /// The account's partner; `None` only for a vendor-owned account.
    pub partner_id: Option<PartnerId>,
    pub owner_id: Option<UserId>,
    /// The lead it was converted from.
    pub lead_id: Option<LeadId>,
    /// Who made it (the timeline's actor and `created_by`).
    pub actor: Option<UserId>,
    pub now: OffsetDateTime,
    /// Where it came from, kept with the timeline's `created` entry:
    /// `lead` (conversion), `registration` (an approved deal registration) or
    /// `None` (made by hand).
    pub origin: Option<&'static str>,
}

pub(crate) const INSERT_OPPORTUNITY: &str = "INSERT INTO opportunities (id, name, account_id, stage, amount_minor, currency, close_date, \
     probability, next_step, description, lead_id, partner_id, owner_id, version, created_by, created_at, updated_at, last_activity_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $15, $15, $15)";

/// Inserts an opportunity and its `created` timeline entry on `$exec`, an
/// executor of a transaction the caller already opened (pass `&mut *tx`), so
/// that the opportunity exists exactly when the caller's own change commits.
///
/// `$new` is a `&NewOpportunity`. The macro decides and checks nothing: the
/// caller has parsed the fields with the domain
/// (`OpportunityInput::parse`, or built them from `initial_stage` and the
/// vendor's default currency), and has made sure the account exists, that
/// `partner_id` is the account's partner and that the owner is one of that
/// partner's people. The stage must be a key of the picklist (a foreign key
/// holds it). Like `record!`, it returns early with `?` on a database error,
/// so use it in a function returning `Result<_, StoreError>`.
///
/// ```ignore
/// write_tx!(self, tx => {
///     // … the caller's own change …
///     crate::opportunities::insert_opportunity!(&mut *tx, &NewOpportunity { … });
/// });
/// ```
macro_rules! insert_opportunity {
    ($exec:expr, $new:expr) => {{
        let new: &$crate::opportunities::NewOpportunity<'_> = $new;
        sqlx::query($crate::opportunities::INSERT_OPPORTUNITY)
            .bind(new.id.0)
            .bind(&new.fields.name)
            .bind(new.account_id.0)
            .bind(&new.fields.stage)
            .bind(new.fields.amount_minor)
            .bind(new.fields.currency.code())
            .bind(new.fields.close_date)
            .bind(new.fields.probability)
            .bind(&new.fields.next_step)
            .bind(&new.fields.description)
            .bind(new.lead_id.map(|l| l.0))
            .bind(new.partner_id.map(|p| p.0))
            .bind(new.owner_id.map(|o| o.0))
            .bind(new.actor.map(|a| a.0))
            .bind($crate::DbTime::from(new.now))
            .execute($exec)
            .await?;
        $crate::opportunities::timeline::record!(
            $exec,
            new.now,
            new.id,
            new.actor,
            "created",
            None::<&str>,
            None::<String>,
            new.origin.map(str::to_owned),
            new.partner_id
        );
    }};
}
pub(crate) use insert_opportunity;

/// An account as far as an opportunity needs it.
#[derive(sqlx::FromRow)]
struct AccountRef {
    name: String,
    partner_id: Option<Uuid>,
    owner_id: Option<Uuid>,
}

/// What an update may change besides the fields.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reassignment {
    /// Move it to another account of the same partner.
    pub account_id: Option<AccountId>,
    /// Hand it to another of the partner's people.
    pub owner_id: Option<UserId>,
}

impl Store {
    pub async fn opportunity(
        &self,
        viewer: &Viewer,
        id: OpportunityId,
    ) -> Result<Opportunity, StoreError> {
        let clause = owned_record_clause(viewer, "o", 2);
        let sql = format!("{SELECT_OPPORTUNITY} WHERE o.id = $1 AND {}", clause.sql);
        let row: Option<OpportunityRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(Opportunity::from).ok_or_else(StoreError::not_found)
    }

    /// The currency a new opportunity gets when it names none.
    pub async fn default_currency(&self) -> Result<Currency, StoreError> {
        let sql = "SELECT default_currency FROM vendor_settings WHERE id = 1";
        let row: Option<(String,)> =
            on_db!(self, pool => sqlx::query_as(sql).fetch_optional(pool).await)?;
        Ok(row
            .and_then(|(code,)| Currency::parse(&code))
            .unwrap_or(Currency::EUR))
    }

    /// An account the caller may see, for a new or moved opportunity
    /// (`account_id`: `error-account-unknown` when it is out of sight).
    async fn account_for_opportunity(
        &self,
        viewer: &Viewer,
        id: AccountId,
    ) -> Result<AccountRef, StoreError> {
        let clause = owned_record_clause(viewer, "a", 2);
        let sql = format!(
            "SELECT a.name, a.partner_id, a.owner_id FROM accounts a WHERE a.id = $1 AND {}",
            clause.sql
        );
        let row: Option<AccountRef> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.ok_or_else(|| {
            DomainError::field("account_id", "opportunity-error-account-unknown").into()
        })
    }

    /// One of `partner`'s active people the caller may see, to own an
    /// opportunity (`owner_id`: `error-owner-unknown` otherwise); their name.
    async fn owner_of_partner(
        &self,
        viewer: &Viewer,
        partner: PartnerId,
        owner: UserId,
    ) -> Result<String, StoreError> {
        let unknown = || {
            StoreError::from(DomainError::field(
                "owner_id",
                "opportunity-error-owner-unknown",
            ))
        };
        let user = self.user(viewer, owner).await.map_err(|e| match e {
            StoreError::Domain(DomainError::NotFound) => unknown(),
            other => other,
        })?;
        if user.active && user.role.is_partner() && user.partner_id == Some(partner) {
            Ok(user.name)
        } else {
            Err(unknown())
        }
    }

    /// Creates an opportunity on an account the caller can see, owned by one of
    /// the account's partner's people: partner users create their own (naming
    /// anyone else is a field error on `owner_id`), partner managers for any colleague (default:
    /// themselves), vendor staff for any of the partner's people (default: the
    /// account's owner). An account without a partner takes no opportunity.
    #[tracing::instrument(skip(self, viewer, fields))]
    pub async fn create_opportunity(
        &self,
        viewer: &Viewer,
        fields: &OpportunityFields,
        account_id: AccountId,
        owner_id: Option<UserId>,
    ) -> Result<Opportunity, StoreError> {
        let account = self.account_for_opportunity(viewer, account_id).await?;
        let partner = account.partner_id.map(PartnerId).ok_or_else(|| {
            DomainError::field("account_id", "opportunity-error-account-no-partner")
        })?;
        let owner = match (viewer.role, owner_id) {
            (Role::PartnerUser, None) => viewer.user_id,
            (Role::PartnerUser, Some(u)) if u == viewer.user_id => u,
            // The same answer for any other id, so it tells nothing of who exists.
            (Role::PartnerUser, Some(_)) => {
                return Err(DomainError::field("owner_id", "opportunity-error-owner-self").into());
            }
            (Role::PartnerManager, None) => viewer.user_id,
            (_, Some(u)) => u,
            (_, None) => account
                .owner_id
                .map(UserId)
                .ok_or_else(|| DomainError::field("owner_id", "error-required"))?,
        };
        self.owner_of_partner(viewer, partner, owner).await?;
        let stages = self.opportunity_stages().await?;
        if !stages.iter().any(|s| s.key == fields.stage) {
            return Err(DomainError::field("stage", "error-stage-unknown").into());
        }
        let new = NewOpportunity {
            id: OpportunityId::new(),
            fields,
            account_id,
            partner_id: Some(partner),
            owner_id: Some(owner),
            lead_id: None,
            actor: Some(viewer.user_id),
            now: self.now(),
            origin: None,
        };
        let backend = self.backend();
        write_tx!(self, tx => {
            // Checked above for a clear answer; held here, as it may have gone since.
            if stages::hold_stage!(&mut *tx, backend, "key = $1", &fields.stage).is_none() {
                return Err(DomainError::field("stage", "error-stage-unknown").into());
            }
            crate::opportunities::insert_opportunity!(&mut *tx, &new);
        });
        self.opportunity(viewer, new.id).await
    }

    /// Saves changed fields, account and owner if the opportunity is still at
    /// `expected_version`; every change goes to the timeline with its old and
    /// new value (the account and owner by name).
    #[tracing::instrument(skip(self, viewer, fields))]
    pub async fn update_opportunity(
        &self,
        viewer: &Viewer,
        id: OpportunityId,
        expected_version: i64,
        fields: &OpportunityFields,
        reassignment: Reassignment,
    ) -> Result<Opportunity, StoreError> {
        let current = self.opportunity(viewer, id).await?;
        may_edit(viewer, &current)?;
        if current.version != expected_version {
            return Err(DomainError::VersionConflict.into());
        }
        let mut changed: Vec<(&'static str, Option<String>, Option<String>)> = Vec::new();
        let mut account = current.account_id;
        if let Some(moved) = reassignment.account_id.filter(|a| *a != current.account_id) {
            let target = self.account_for_opportunity(viewer, moved).await?;
            if target.partner_id != current.partner_id.map(|p| p.0) {
                return Err(DomainError::field(
                    "account_id",
                    "opportunity-error-account-other-partner",
                )
                .into());
            }
            changed.push((
                "account",
                Some(current.account_name.clone()),
                Some(target.name),
            ));
            account = moved;
        }
        let mut owner = current.owner_id;
        if let Some(new_owner) = reassignment
            .owner_id
            .filter(|o| Some(*o) != current.owner_id)
        {
            if viewer.role == Role::PartnerUser {
                return Err(DomainError::field("owner_id", "opportunity-error-owner-self").into());
            }
            let partner = current
                .partner_id
                .ok_or_else(|| DomainError::field("owner_id", "opportunity-error-owner-unknown"))?;
            let name = self.owner_of_partner(viewer, partner, new_owner).await?;
            changed.push(("owner", current.owner_name.clone(), Some(name)));
            owner = Some(new_owner);
        }
        let stages = self.opportunity_stages().await?;
        if fields.stage != current.stage && !stages.iter().any(|s| s.key == fields.stage) {
            return Err(DomainError::field("stage", "error-stage-unknown").into());
        }
        let mut field_changes = changes(&current.fields(), fields);
        // The account and owner first, as on the page.
        field_changes.splice(0..0, changed);
        if field_changes.is_empty() {
            return Ok(current);
        }
        let now = self.now();
        let sql = "UPDATE opportunities SET name = $3, account_id = $4, stage = $5, amount_minor = $6, currency = $7, close_date = $8, \
                   probability = $9, next_step = $10, description = $11, owner_id = $12, version = version + 1, updated_at = $13, \
                   last_activity_at = $13 WHERE id = $1 AND version = $2";
        let backend = self.backend();
        let new_stage = fields.stage != current.stage;
        write_tx!(self, tx => {
            // A stage another save just removed is refused, not a broken foreign key.
            if new_stage && stages::hold_stage!(&mut *tx, backend, "key = $1", &fields.stage).is_none() {
                return Err(DomainError::field("stage", "error-stage-unknown").into());
            }
            let done = sqlx::query(sql)
                .bind(id.0)
                .bind(expected_version)
                .bind(&fields.name)
                .bind(account.0)
                .bind(&fields.stage)
                .bind(fields.amount_minor)
                .bind(fields.currency.code())
                .bind(fields.close_date)
                .bind(fields.probability)
                .bind(&fields.next_step)
                .bind(&fields.description)
                .bind(owner.map(|o| o.0))
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            // Someone saved between our read and this write: nothing is overwritten.
            if done.rows_affected() != 1 {
                return Err(DomainError::VersionConflict.into());
            }
            for (field, old, new) in &field_changes {
                timeline::record!(&mut *tx, now, id, Some(viewer.user_id), "field", Some(*field), old.clone(), new.clone(), current.partner_id);
            }
        });
        self.opportunity(viewer, id).await
    }
}

/// Who may edit a visible opportunity: vendor staff in scope, its partner's
/// manager, and its owner.
pub fn may_edit(viewer: &Viewer, opportunity: &Opportunity) -> Result<(), DomainError> {
    match viewer.role {
        Role::Admin | Role::ChannelManager => Ok(()),
        Role::PartnerManager
            if opportunity.partner_id.is_some() && opportunity.partner_id == viewer.partner_id =>
        {
            Ok(())
        }
        Role::PartnerUser if opportunity.owner_id == Some(viewer.user_id) => Ok(()),
        _ => Err(DomainError::Forbidden),
    }
}
