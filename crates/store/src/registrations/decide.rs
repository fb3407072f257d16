//! The vendor's decision on a registration: approve it (it becomes the
//! partner's opportunity, protected from other partners for the configured
//! number of days) or reject it with a reason. Either way the submitter is
//! told by e-mail, queued in the decision's own transaction.

use openprm_domain::{
    AccountId, DomainError, Locale, OpportunityId, PartnerId, RegistrationId, UserId, Viewer,
    accounts::{AccountFields, Placement},
    opportunities::OpportunityFields,
    opportunity_stages::initial_stage,
    registrations::{
        DecisionRefusal, RegistrationStatus,
        matching::{Candidate, Probe, compare, normalise_company, normalise_domain},
    },
};
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    Registration,
    conflicts::{Params, bind_params, protecting_registrations},
};
use crate::{
    Backend, DbTime, Store, StoreError,
    accounts::insert_account,
    opportunities::{NewOpportunity, insert_opportunity, stages::hold_stage},
    outbox::{OutgoingEmail, enqueue_email},
    settings::VendorSettings,
    write_tx,
};

/// What an e-mail about a registration tells its submitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationNotice {
    pub kind: NoticeKind,
    pub registration_id: RegistrationId,
    pub company_name: String,
    pub product_interest: String,
    pub opportunity_id: Option<OpportunityId>,
    pub recipient_name: String,
    pub recipient_email: String,
    pub recipient_locale: Locale,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Approved {
        protected_until: OffsetDateTime,
    },
    Rejected {
        reason: String,
    },
    /// The protection ends soon.
    Reminder {
        protected_until: OffsetDateTime,
    },
}

/// Writes a registration e-mail in its recipient's language. The web layer,
/// which holds the message catalogue and templates, provides it.
pub type RegistrationMail =
    dyn Fn(&VendorSettings, &RegistrationNotice) -> Result<OutgoingEmail, String> + Send + Sync;

#[derive(sqlx::FromRow)]
struct Submitter {
    name: String,
    email: String,
    locale: String,
    active: bool,
}

#[derive(sqlx::FromRow)]
struct ProtectingRow {
    company_name: String,
    company_domain: Option<String>,
    contact_email: Option<String>,
    protected_until: DbTime,
    partner_name: String,
}

#[derive(sqlx::FromRow)]
struct OwnAccount {
    id: Uuid,
    name: String,
    domain: Option<String>,
}

/// Postgres advisory-lock key serialising approvals, so that two conflicting
/// registrations of different partners cannot both be approved at once.
const APPROVAL_LOCK: i64 = 7_262_013_001;

impl Store {
    /// The registration, visible to the caller, who must be vendor staff, and
    /// still pending.
    async fn pending_for_decision(
        &self,
        viewer: &Viewer,
        id: RegistrationId,
    ) -> Result<Registration, StoreError> {
        let registration = self.registration(viewer, id).await?;
        if !viewer.role.is_vendor() {
            return Err(DomainError::Forbidden.into());
        }
        if registration.status != RegistrationStatus::Pending {
            return Err(refused(DecisionRefusal::AlreadyDecided(
                registration.status,
            )));
        }
        Ok(registration)
    }

    async fn submitter(&self, id: UserId) -> Result<Submitter, StoreError> {
        let row: Option<Submitter> = crate::on_db!(self, pool => sqlx::query_as(
            "SELECT name, email, locale, active FROM users WHERE id = $1")
            .bind(id.0).fetch_optional(pool).await)?;
        row.ok_or_else(StoreError::not_found)
    }

    /// The notice for the submitter, written now so that a template fault
    /// refuses the decision before anything is changed.
    async fn notice_email(
        &self,
        registration: &Registration,
        kind: NoticeKind,
        opportunity_id: Option<OpportunityId>,
        mail: &RegistrationMail,
    ) -> Result<Option<OutgoingEmail>, StoreError> {
        let submitter = self.submitter(registration.submitted_by).await?;
        if !submitter.active {
            return Ok(None);
        }
        let settings = self.vendor_settings().await?;
        let notice = RegistrationNotice {
            kind,
            registration_id: registration.id,
            company_name: registration.company_name.clone(),
            product_interest: registration.product_interest.clone(),
            opportunity_id,
            recipient_name: submitter.name,
            recipient_email: submitter.email,
            recipient_locale: Locale::parse(&submitter.locale).unwrap_or_default(),
        };
        mail(&settings, &notice).map(Some).map_err(|e| {
            StoreError::Database(sqlx::Error::Protocol(format!("registration e-mail: {e}")))
        })
    }

    /// Approves a pending registration (vendor staff in scope): in one
    /// transaction the partner gets an account for the customer (its existing
    /// one of the same domain or name, else a new one) and an opportunity
    /// owned by the submitter, the registration is protected for the
    /// configured number of days, and the submitter is e-mailed. Refused while
    /// another partner's approved registration of the same customer is
    /// protected.
    #[tracing::instrument(skip(self, mail))]
    pub async fn approve_registration(
        &self,
        viewer: &Viewer,
        id: RegistrationId,
        mail: &RegistrationMail,
    ) -> Result<Registration, StoreError> {
        let registration = self.pending_for_decision(viewer, id).await?;
        let policy = self.registration_policy().await?;
        let stages = self.opportunity_stages().await?;
        let stage = initial_stage(&stages)
            .cloned()
            .ok_or(DomainError::Invalid("registration-error-no-open-stage"))?;
        let money = registration.money().ok_or(DomainError::field(
            "currency",
            "registration-error-currency-unknown",
        ))?;
        let close_date =
            openprm_domain::opportunities::parse_date(&registration.close_date).ok_or(
                DomainError::field("close_date", "registration-error-date-invalid"),
            )?;
        let name: String = format!(
            "{} – {}",
            registration.company_name, registration.product_interest
        )
        .chars()
        .take(OpportunityFields::NAME_MAX)
        .collect::<String>()
        .trim_end()
        .to_owned();
        let fields = OpportunityFields {
            name,
            stage: stage.key.clone(),
            amount_minor: Some(money.minor),
            currency: money.currency,
            close_date,
            probability: stage.probability,
            next_step: None,
            description: registration.description.clone(),
        };
        let now = self.now();
        let protected_until = policy.protected_until(now);
        let opportunity_id = OpportunityId::new();
        let email = self
            .notice_email(
                &registration,
                NoticeKind::Approved { protected_until },
                Some(opportunity_id),
                mail,
            )
            .await?;
        let partner = registration.partner_id;
        let probe = Probe {
            company_name: registration.company_name.clone(),
            domain: registration.company_domain.clone(),
            contact_email: registration.contact_email.clone(),
        };
        let (protecting_sql, protecting_params) =
            protecting_registrations(self.backend(), partner, &probe, now);
        let (own_sql, own_params) = own_accounts_query(self.backend(), partner, &probe);
        let key = normalise_company(&registration.company_name);
        let domain = registration
            .company_domain
            .as_deref()
            .and_then(normalise_domain);

        let backend = self.backend();
        write_tx!(self, tx => {
            if backend == Backend::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(APPROVAL_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            let protecting: Vec<ProtectingRow> = bind_params!(sqlx::query_as(&protecting_sql), &protecting_params.0)
                .fetch_all(&mut *tx)
                .await?;
            let holder = protecting.into_iter().find(|p| {
                compare(&probe, &Candidate {
                    company_name: Some(&p.company_name),
                    domain: p.company_domain.as_deref(),
                    email: p.contact_email.as_deref(),
                })
                .is_some()
            });
            if let Some(holder) = holder {
                return Err(refused(DecisionRefusal::Protected {
                    partner_name: holder.partner_name,
                    until: holder.protected_until.0,
                }));
            }
            let done = sqlx::query(
                "UPDATE deal_registrations SET status = 'approved', decided_by = $2, decided_at = $3, protected_until = $4, \
                 updated_at = $3, version = version + 1 WHERE id = $1 AND status = 'pending'")
                .bind(id.0)
                .bind(viewer.user_id.0)
                .bind(DbTime::from(now))
                .bind(DbTime::from(protected_until))
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(refused(DecisionRefusal::AlreadyDecided(RegistrationStatus::Approved)));
            }
            // The partner's own account of this customer, when it has one.
            let own: Vec<OwnAccount> = bind_params!(sqlx::query_as(&own_sql), &own_params.0)
                .fetch_all(&mut *tx)
                .await?;
            let existing = own
                .iter()
                .find(|a| domain.is_some() && a.domain.as_deref().and_then(normalise_domain) == domain)
                .or_else(|| own.iter().find(|a| normalise_company(&a.name) == key));
            let account_id = match existing {
                Some(account) => AccountId(account.id),
                None => {
                    let account_id = AccountId::new();
                    let account = AccountFields {
                        name: registration.company_name.clone(),
                        domain: domain.clone(),
                        phone: None,
                        website: None,
                        industry: None,
                        country: None,
                        city: None,
                        description: None,
                    };
                    let placement = Placement {
                        partner_id: Some(partner),
                        owner_id: registration.submitted_by,
                    };
                    insert_account!(&mut *tx, account_id, account, placement, viewer.user_id, now);
                    account_id
                }
            };
            // The first open stage as it is now, held until commit: the one
            // read above may have been removed or reordered since.
            let (stage_key, probability) = hold_stage!(&mut *tx, backend, "outcome = 'open'")
                .ok_or(DomainError::Invalid("registration-error-no-open-stage"))?;
            let fields = OpportunityFields { stage: stage_key, probability, ..fields.clone() };
            insert_opportunity!(&mut *tx, &NewOpportunity {
                id: opportunity_id,
                fields: &fields,
                account_id,
                partner_id: Some(partner),
                owner_id: Some(registration.submitted_by),
                lead_id: None,
                actor: Some(viewer.user_id),
                now,
                origin: Some("registration"),
            });
            sqlx::query("UPDATE deal_registrations SET opportunity_id = $2 WHERE id = $1")
                .bind(id.0)
                .bind(opportunity_id.0)
                .execute(&mut *tx)
                .await?;
            if let Some(email) = &email {
                enqueue_email!(&mut *tx, now, email);
            }
        });
        self.registration(viewer, id).await
    }

    /// Rejects a pending registration with a reason (vendor staff in scope;
    /// the caller has checked the reason with `parse_reason`), and e-mails
    /// the submitter, in one transaction.
    #[tracing::instrument(skip(self, reason, mail))]
    pub async fn reject_registration(
        &self,
        viewer: &Viewer,
        id: RegistrationId,
        reason: &str,
        mail: &RegistrationMail,
    ) -> Result<Registration, StoreError> {
        let registration = self.pending_for_decision(viewer, id).await?;
        let now = self.now();
        let email = self
            .notice_email(
                &registration,
                NoticeKind::Rejected {
                    reason: reason.to_owned(),
                },
                None,
                mail,
            )
            .await?;
        write_tx!(self, tx => {
            let done = sqlx::query(
                "UPDATE deal_registrations SET status = 'rejected', decided_by = $2, decided_at = $3, decision_reason = $4, \
                 updated_at = $3, version = version + 1 WHERE id = $1 AND status = 'pending'")
                .bind(id.0)
                .bind(viewer.user_id.0)
                .bind(DbTime::from(now))
                .bind(reason)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(refused(DecisionRefusal::AlreadyDecided(RegistrationStatus::Rejected)));
            }
            if let Some(email) = &email {
                enqueue_email!(&mut *tx, now, email);
            }
        });
        self.registration(viewer, id).await
    }
}

fn refused(refusal: DecisionRefusal) -> StoreError {
    DomainError::RegistrationRefused(Box::new(refusal)).into()
}

/// The partner's accounts that may be this customer: the same domain or a
/// shared name word (the caller picks the exact one).
fn own_accounts_query(backend: Backend, partner: PartnerId, probe: &Probe) -> (String, Params) {
    let (condition, mut params) = super::conflicts::account_condition(backend, probe);
    let p = params.push_uuid(partner.0);
    (
        format!(
            "SELECT a.id, a.name, a.domain FROM accounts a WHERE a.partner_id = ${p} AND {condition} ORDER BY a.created_at, a.id LIMIT 200"
        ),
        params,
    )
}
