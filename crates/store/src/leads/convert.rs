//! Converting a lead (spec flow 8), in one transaction: link or create the
//! account, create the contact from the lead, create the opportunity unless
//! declined, and mark the lead converted with links to all three and a
//! `converted` entry on its timeline. Any failure leaves none of it.
//!
//! Also the accounts a conversion suggests: those the caller can see with the
//! lead's company name (legal form and case aside) or its e-mail domain.

use openprm_domain::{
    AccountId, ContactId, DomainError, LeadId, OpportunityId, Viewer,
    accounts::{Placement, is_free_mail, name_key},
    conversion::{AccountChoice, ConvertRequest, check_convertible},
};
use serde::Serialize;

use super::{Lead, LeadState, may_edit, timeline};
use crate::{
    DbTime, Store, StoreError,
    accounts::{Account, insert_account},
    contacts::insert_contact,
    opportunities::{NewOpportunity, insert_opportunity},
    record_list::RecordQuery,
    write_tx,
};

/// What a conversion linked or created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Converted {
    pub account_id: AccountId,
    pub contact_id: ContactId,
    /// Absent when the caller declined one.
    pub opportunity_id: Option<OpportunityId>,
}

/// The most accounts a conversion suggests.
pub const SUGGESTIONS: usize = 10;

impl Store {
    /// Whether the caller may convert the lead now: visible (else not found),
    /// not converted already, editable by them, and in a qualified status.
    pub async fn check_lead_convertible(
        &self,
        viewer: &Viewer,
        lead: &Lead,
    ) -> Result<(), StoreError> {
        let statuses = self.lead_statuses().await?;
        let converted = lead.converted_at.is_some();
        // Converting twice is its own answer, before "may not edit".
        if converted || statuses.iter().any(|s| s.converted && s.key == lead.status) {
            return Err(DomainError::LeadAlreadyConverted.into());
        }
        may_edit(viewer, lead)?;
        // A lead in a queue or an inbox is still waiting for a partner to take
        // it; converting it would hand that partner an account, a contact and
        // an opportunity that nobody there accepted.
        if matches!(lead.state, LeadState::InQueue | LeadState::Inbox) {
            return Err(DomainError::field("state", "error-convert-not-taken").into());
        }
        check_convertible(&lead.status, converted, &statuses)?;
        Ok(())
    }

    /// Converts the lead as `request` says. The account, contact and
    /// opportunity belong to the lead's partner and owner (the vendor and the
    /// caller for a lead the vendor kept). An existing account must be one the
    /// caller can see, of that partner: anything else is `account_id` unknown,
    /// whether it exists or not.
    #[tracing::instrument(skip_all, fields(lead = %id))]
    pub async fn convert_lead(
        &self,
        viewer: &Viewer,
        id: LeadId,
        request: &ConvertRequest,
    ) -> Result<Converted, StoreError> {
        let lead = self.lead(viewer, id).await?;
        self.check_lead_convertible(viewer, &lead).await?;
        let placement = Placement {
            partner_id: lead.partner_id,
            owner_id: lead.owner_id.unwrap_or(viewer.user_id),
        };
        if let AccountChoice::Existing(account) = &request.account {
            self.usable_account(viewer, *account, placement.partner_id)
                .await?;
        }
        let account_id = match &request.account {
            AccountChoice::Existing(account) => *account,
            AccountChoice::New(_) => AccountId::new(),
        };
        let contact_id = ContactId::new();
        let mut contact = request.contact.clone();
        contact.account_id = Some(account_id);
        let now = self.now();
        let opportunity = request.opportunity.as_ref().map(|fields| NewOpportunity {
            id: OpportunityId::new(),
            fields,
            account_id,
            partner_id: placement.partner_id,
            owner_id: Some(placement.owner_id),
            lead_id: Some(id),
            actor: Some(viewer.user_id),
            now,
            origin: Some("lead"),
        });
        let opportunity_id = opportunity.as_ref().map(|o| o.id);
        let converted_key = self
            .lead_statuses()
            .await?
            .into_iter()
            .find(|s| s.converted)
            .map(|s| s.key)
            .unwrap_or_else(|| super::statuses::CONVERTED_KEY.to_owned());
        let mark = "UPDATE leads SET status = $3, converted_at = $4, converted_account_id = $5, converted_contact_id = $6, \
                    converted_opportunity_id = $7, version = version + 1, updated_at = $4, last_activity_at = $4, \
                    stale_warned_at = NULL WHERE id = $1 AND version = $2 AND converted_at IS NULL";
        write_tx!(self, tx => {
            if let AccountChoice::New(fields) = &request.account {
                insert_account!(&mut *tx, account_id, fields, placement, viewer.user_id, now);
            }
            insert_contact!(&mut *tx, contact_id, contact, Some(id), placement, viewer.user_id, now);
            if let Some(new) = &opportunity {
                insert_opportunity!(&mut *tx, new);
            }
            let done = sqlx::query(mark)
                .bind(id.0)
                .bind(lead.version)
                .bind(&converted_key)
                .bind(DbTime::from(now))
                .bind(account_id.0)
                .bind(contact_id.0)
                .bind(opportunity_id.map(|o| o.0))
                .execute(&mut *tx)
                .await?;
            // Someone converted or changed it since it was read: none of this stays.
            if done.rows_affected() != 1 {
                let (converted,): (Option<DbTime>,) = sqlx::query_as("SELECT converted_at FROM leads WHERE id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
                return Err(if converted.is_some() {
                    DomainError::LeadAlreadyConverted
                } else {
                    DomainError::VersionConflict
                }
                .into());
            }
            timeline::record!(&mut *tx, now, id, Some(viewer.user_id), "converted", Some("status"), Some(lead.status.clone()), Some(converted_key.clone()), lead.partner_id, lead.queue_id);
        });
        Ok(Converted {
            account_id,
            contact_id,
            opportunity_id,
        })
    }

    /// Accounts the caller can see that look like the lead's company: the
    /// same name once legal forms, case and punctuation are set aside, or the
    /// domain of the lead's e-mail (unless a free mail provider's). Those of
    /// the lead's own partner come first; at most [`SUGGESTIONS`].
    pub async fn duplicate_accounts(
        &self,
        viewer: &Viewer,
        lead: &Lead,
    ) -> Result<Vec<Account>, StoreError> {
        let key = name_key(&lead.company);
        let domain = lead
            .email
            .as_deref()
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, d)| d.to_lowercase())
            .filter(|d| !is_free_mail(d));
        let mut found: Vec<Account> = Vec::new();
        // Candidates by the name's longest word (in any case), then by domain;
        // the domain's rule decides which of them are the same company.
        let word = key
            .split(' ')
            .max_by_key(|w| w.chars().count())
            .unwrap_or("")
            .to_owned();
        let mut searches = Vec::new();
        if !word.is_empty() {
            searches.push(word);
        }
        if let Some(domain) = &domain {
            searches.push(domain.clone());
        }
        for search in searches {
            let query = RecordQuery {
                search: Some(search),
                limit: 200,
                ..RecordQuery::default()
            };
            let page = self.list_accounts(viewer, &query).await?;
            for account in page.accounts {
                let same_name = !key.is_empty() && name_key(&account.name) == key;
                let same_domain = domain.is_some() && account.domain == domain;
                if (same_name || same_domain) && !found.iter().any(|a| a.id == account.id) {
                    found.push(account);
                }
            }
        }
        found.sort_by_key(|a| (a.partner_id != lead.partner_id, a.name.to_lowercase()));
        found.truncate(SUGGESTIONS);
        Ok(found)
    }
}
