//! Deal registrations (spec flow 13): submitting one, reading it within the
//! caller's scope, and the vendor's settings for the protection an approval
//! gives.
//!
//! Conflict detection is in [`conflicts`]; list views in [`list`]; approving
//! and rejecting in [`decide`]; reminders and lapses in [`protection`].
//! Every query over registrations applies [`registration_clause`].

pub mod conflicts;
pub mod decide;
pub mod list;
pub mod protection;

use openprm_domain::{
    DomainError, OpportunityId, PartnerId, RegistrationId, UserId, Viewer,
    money::{Currency, Money},
    registrations::{
        RegistrationFields, RegistrationStatus, date_text, protection::ProtectionPolicy,
    },
};
use serde::Serialize;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    audit::audit,
    on_db,
    scope::{bind_scope, registration_clause},
    write_tx,
};

pub use conflicts::Conflict;

/// Serialises writes that check and then change one partner's registrations
/// (PostgreSQL: a row lock on the partner; SQLite's `BEGIN IMMEDIATE` already
/// serialises every writer).
macro_rules! lock_partner {
    ($store:expr, $exec:expr, $partner:expr) => {
        if $store.backend() == $crate::Backend::Postgres {
            sqlx::query("SELECT id FROM partners WHERE id = $1 FOR UPDATE")
                .bind($partner.0)
                .fetch_optional($exec)
                .await?;
        }
    };
}

/// A deal registration as its readers see it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Registration {
    pub id: RegistrationId,
    pub partner_id: PartnerId,
    pub partner_name: String,
    pub submitted_by: UserId,
    pub submitted_by_name: String,
    pub company_name: String,
    pub company_domain: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub product_interest: String,
    /// Exact, in major units with every minor digit: `125000.00`.
    pub amount: String,
    /// The same amount in minor units (øre, cents).
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub close_date: String,
    pub description: Option<String>,
    pub status: RegistrationStatus,
    pub decided_by: Option<UserId>,
    pub decided_by_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<OffsetDateTime>,
    /// Why it was rejected.
    pub decision_reason: Option<String>,
    /// The opportunity an approval made.
    pub opportunity_id: Option<OpportunityId>,
    /// Approved: other partners' registrations of this customer are refused until then.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub protected_until: Option<OffsetDateTime>,
    /// When the protection ended.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub lapsed_at: Option<OffsetDateTime>,
    pub version: i64,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: OffsetDateTime,
}

impl Registration {
    /// The amount, when its currency is one the portal knows (always, unless
    /// the currency list shrank since).
    pub fn money(&self) -> Option<Money> {
        Currency::parse(&self.currency).and_then(|c| Money::new(self.amount_minor, c).ok())
    }

    /// Approved and still protecting its deal at `now`.
    pub fn is_protected(&self, now: OffsetDateTime) -> bool {
        self.status == RegistrationStatus::Approved
            && self.lapsed_at.is_none()
            && self.protected_until.is_some_and(|until| until > now)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RegistrationRow {
    id: Uuid,
    partner_id: Uuid,
    partner_name: String,
    submitted_by: Uuid,
    submitted_by_name: String,
    company_name: String,
    company_domain: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    product_interest: String,
    amount_minor: i64,
    currency: String,
    close_date: Date,
    description: Option<String>,
    status: String,
    decided_by: Option<Uuid>,
    decided_by_name: Option<String>,
    decided_at: Option<DbTime>,
    decision_reason: Option<String>,
    opportunity_id: Option<Uuid>,
    protected_until: Option<DbTime>,
    lapsed_at: Option<DbTime>,
    version: i64,
    created_at: DbTime,
    updated_at: DbTime,
}

impl From<RegistrationRow> for Registration {
    fn from(r: RegistrationRow) -> Self {
        let amount = Currency::parse(&r.currency)
            .and_then(|c| Money::new(r.amount_minor, c).ok())
            .map_or_else(|| r.amount_minor.to_string(), |m| m.decimal());
        Registration {
            id: RegistrationId(r.id),
            partner_id: PartnerId(r.partner_id),
            partner_name: r.partner_name,
            submitted_by: UserId(r.submitted_by),
            submitted_by_name: r.submitted_by_name,
            company_name: r.company_name,
            company_domain: r.company_domain,
            contact_name: r.contact_name,
            contact_email: r.contact_email,
            contact_phone: r.contact_phone,
            product_interest: r.product_interest,
            amount,
            amount_minor: r.amount_minor,
            currency: r.currency,
            close_date: date_text(r.close_date),
            description: r.description,
            status: RegistrationStatus::parse(&r.status).unwrap_or(RegistrationStatus::Pending),
            decided_by: r.decided_by.map(UserId),
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at.map(|t| t.0),
            decision_reason: r.decision_reason,
            opportunity_id: r.opportunity_id.map(OpportunityId),
            protected_until: r.protected_until.map(|t| t.0),
            lapsed_at: r.lapsed_at.map(|t| t.0),
            version: r.version,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        }
    }
}

pub(crate) const SELECT_REGISTRATION: &str = "SELECT r.id, r.partner_id, p.name AS partner_name, r.submitted_by, \
     s.name AS submitted_by_name, r.company_name, r.company_domain, r.contact_name, r.contact_email, r.contact_phone, \
     r.product_interest, r.amount_minor, r.currency, r.close_date, r.description, r.status, r.decided_by, \
     d.name AS decided_by_name, r.decided_at, r.decision_reason, r.opportunity_id, r.protected_until, r.lapsed_at, \
     r.version, r.created_at, r.updated_at \
     FROM deal_registrations r JOIN partners p ON p.id = r.partner_id JOIN users s ON s.id = r.submitted_by \
     LEFT JOIN users d ON d.id = r.decided_by";

/// A registration and, for vendor staff only, the records it conflicts with.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationDetail {
    #[serde(flatten)]
    pub registration: Registration,
    /// Vendor staff only: the existing records of the same customer, with
    /// what matched. Absent for partner staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<Conflict>>,
}

impl Store {
    /// One registration the caller may see; `NotFound` otherwise.
    pub async fn registration(
        &self,
        viewer: &Viewer,
        id: RegistrationId,
    ) -> Result<Registration, StoreError> {
        let clause = registration_clause(viewer, "r", 2);
        let sql = format!("{SELECT_REGISTRATION} WHERE r.id = $1 AND {}", clause.sql);
        let row: Option<RegistrationRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(Registration::from)
            .ok_or_else(StoreError::not_found)
    }

    /// A registration with its conflicts for vendor staff; without them for
    /// partner staff, who are never told what else exists.
    pub async fn registration_detail(
        &self,
        viewer: &Viewer,
        id: RegistrationId,
    ) -> Result<RegistrationDetail, StoreError> {
        let registration = self.registration(viewer, id).await?;
        let conflicts = if viewer.role.is_vendor() {
            Some(self.registration_conflicts(viewer, id).await?)
        } else {
            None
        };
        Ok(RegistrationDetail {
            registration,
            conflicts,
        })
    }

    /// Submits a deal registration for the caller's partner company: refused
    /// when the company already has a pending or protecting registration of
    /// the same customer; otherwise stored, pending, with the records of
    /// other partners (and the vendor's) that look like the same customer.
    #[tracing::instrument(skip(self, fields), fields(company = %fields.company_name))]
    pub async fn submit_registration(
        &self,
        viewer: &Viewer,
        fields: &RegistrationFields,
    ) -> Result<Registration, StoreError> {
        let partner = match (viewer.role.is_partner(), viewer.partner_id) {
            (true, Some(partner)) => partner,
            // Vendor staff decide registrations; they do not submit them.
            _ => return Err(DomainError::Forbidden.into()),
        };
        // Read before the write lock is taken: the scan touches other tables,
        // and what it finds is a snapshot for people to judge in any case.
        let found = self.find_conflicts(partner, &fields.probe()).await?;
        let now = self.now();
        let id = RegistrationId::new();
        let key = fields.company_key();
        let insert = "INSERT INTO deal_registrations (id, partner_id, submitted_by, company_name, company_domain, company_key, \
             contact_name, contact_email, contact_phone, product_interest, amount_minor, currency, close_date, description, \
             status, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'pending', 1, $15, $15)";
        write_tx!(self, tx => {
            lock_partner!(self, &mut *tx, partner);
            // The same company, from the same partner, still pending or protected.
            let same: Option<(Option<String>, String)> = sqlx::query_as(
                "SELECT company_domain, company_key FROM deal_registrations WHERE partner_id = $1 \
                 AND (status = 'pending' OR (status = 'approved' AND lapsed_at IS NULL)) \
                 AND (company_key = $2 OR company_domain = $3) LIMIT 1")
                .bind(partner.0)
                .bind(&key)
                .bind(&fields.company_domain)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((domain, existing_key)) = same {
                let mut errors = openprm_domain::FieldErrors::new();
                if existing_key == key {
                    errors.add("company_name", "registration-error-duplicate");
                }
                if domain.is_some() && domain == fields.company_domain {
                    errors.add("company_domain", "registration-error-duplicate");
                }
                return Err(DomainError::Validation(errors).into());
            }
            sqlx::query(insert)
                .bind(id.0)
                .bind(partner.0)
                .bind(viewer.user_id.0)
                .bind(&fields.company_name)
                .bind(&fields.company_domain)
                .bind(&key)
                .bind(&fields.contact_name)
                .bind(fields.contact_email.as_str())
                .bind(&fields.contact_phone)
                .bind(&fields.product_interest)
                .bind(fields.amount.minor)
                .bind(fields.amount.currency.code())
                .bind(fields.close_date)
                .bind(&fields.description)
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            for conflict in &found {
                conflicts::insert!(&mut *tx, id, conflict);
            }
        });
        self.registration(viewer, id).await
    }

    /// The vendor's protection settings.
    pub async fn registration_policy(&self) -> Result<ProtectionPolicy, StoreError> {
        let row: Option<(i32, i32)> = on_db!(self, pool => sqlx::query_as(
            "SELECT registration_protection_days, registration_reminder_days FROM vendor_settings WHERE id = 1")
            .fetch_optional(pool).await)?;
        Ok(row.map_or_else(
            ProtectionPolicy::default,
            |(protection_days, reminder_days)| ProtectionPolicy {
                protection_days,
                reminder_days,
            },
        ))
    }

    /// Saves the protection settings (admins). They apply to approvals from
    /// now on; a reminder period applies to every protection still running.
    pub async fn save_registration_policy(
        &self,
        viewer: &Viewer,
        policy: ProtectionPolicy,
    ) -> Result<ProtectionPolicy, StoreError> {
        viewer.may_administer()?;
        let now = self.now();
        let defaults = crate::settings::VendorSettings::default();
        let detail = serde_json::json!({
            "registration_protection_days": policy.protection_days,
            "registration_reminder_days": policy.reminder_days,
        });
        write_tx!(self, tx => {
            // A portal whose settings were never saved has no row yet.
            sqlx::query(
                "INSERT INTO vendor_settings (id, portal_name, logo_url, primary_colour, accent_colour, partner_tabs, updated_at, \
                 registration_protection_days, registration_reminder_days) VALUES (1, $1, NULL, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (id) DO UPDATE SET registration_protection_days = $6, registration_reminder_days = $7, updated_at = $5")
                .bind(&defaults.portal_name)
                .bind(&defaults.primary_colour)
                .bind(&defaults.accent_colour)
                .bind(defaults.partner_tabs.join(","))
                .bind(DbTime::from(now))
                .bind(policy.protection_days)
                .bind(policy.reminder_days)
                .execute(&mut *tx)
                .await?;
            audit!(&mut *tx, now, Some(viewer.user_id), "settings.registrations", "vendor_settings", "1", detail);
        });
        self.registration_policy().await
    }
}
