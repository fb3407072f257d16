//! What an account's page lists beside it: its opportunities and the leads
//! converted into it, each read through its own kind's scope, so a related
//! record the caller may not see is simply not there. (Its contacts are a
//! contacts list narrowed to the account: [`Store::list_contacts`].)

use openprm_domain::{AccountId, LeadId, OpportunityId, Viewer};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError, on_db,
    scope::{bind_scope, lead_clause, owned_record_clause},
};

/// The most related records an account's page lists of each kind.
pub const RELATED_LIMIT: i64 = 100;

/// An opportunity as an account's page lists it.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RelatedOpportunity {
    pub id: OpportunityId,
    pub name: String,
    pub stage: String,
    pub stage_label_en: String,
    pub stage_label_da: String,
    pub amount_minor: Option<i64>,
    pub currency: String,
    /// `YYYY-MM-DD`.
    pub close_date: String,
    pub owner_name: Option<String>,
}

/// A lead converted into an account.
#[derive(Clone, Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ConvertedLead {
    pub id: LeadId,
    pub name: String,
    pub company: String,
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub converted_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct OpportunityRow {
    id: Uuid,
    name: String,
    stage: String,
    stage_label_en: Option<String>,
    stage_label_da: Option<String>,
    amount_minor: Option<i64>,
    currency: String,
    close_date: String,
    owner_name: Option<String>,
}

impl Store {
    /// The opportunities of an account that the caller may see, soonest close first.
    pub async fn account_opportunities(
        &self,
        viewer: &Viewer,
        account: AccountId,
    ) -> Result<Vec<RelatedOpportunity>, StoreError> {
        let clause = owned_record_clause(viewer, "o", 3);
        let sql = format!(
            "SELECT o.id, o.name, o.stage, s.label_en AS stage_label_en, s.label_da AS stage_label_da, o.amount_minor, \
             o.currency, CAST(o.close_date AS TEXT) AS close_date, u.name AS owner_name \
             FROM opportunities o LEFT JOIN opportunity_stages s ON s.key = o.stage LEFT JOIN users u ON u.id = o.owner_id \
             WHERE o.account_id = $1 AND {} ORDER BY o.close_date, o.id LIMIT $2",
            clause.sql
        );
        let rows: Vec<OpportunityRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(account.0).bind(RELATED_LIMIT);
            bind_scope!(q, clause).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|r| RelatedOpportunity {
                id: OpportunityId(r.id),
                name: r.name,
                stage_label_en: r.stage_label_en.unwrap_or_else(|| r.stage.clone()),
                stage_label_da: r.stage_label_da.unwrap_or_else(|| r.stage.clone()),
                stage: r.stage,
                amount_minor: r.amount_minor,
                currency: r.currency,
                close_date: r.close_date,
                owner_name: r.owner_name,
            })
            .collect())
    }

    /// The leads converted into an account that the caller may see, newest first.
    pub async fn account_converted_leads(
        &self,
        viewer: &Viewer,
        account: AccountId,
    ) -> Result<Vec<ConvertedLead>, StoreError> {
        let clause = lead_clause(viewer, "l", 3);
        let sql = format!(
            "SELECT l.id, l.name, l.company, l.converted_at FROM leads l \
             WHERE l.converted_account_id = $1 AND {} ORDER BY l.converted_at DESC, l.id LIMIT $2",
            clause.sql
        );
        let rows: Vec<(Uuid, String, String, Option<DbTime>)> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(account.0).bind(RELATED_LIMIT);
            bind_scope!(q, clause).fetch_all(pool).await
        })?;
        Ok(rows
            .into_iter()
            .map(|(id, name, company, at)| ConvertedLead {
                id: LeadId(id),
                name,
                company,
                converted_at: at.map(|t| t.0),
            })
            .collect())
    }
}
