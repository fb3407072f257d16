//! Partner accounts: the companies that sell for the vendor.

use openprm_domain::{
    Branding, Colour, DomainError, PartnerId, Tier, UserId, Viewer, visibility::PartnerRef,
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    audit::audit,
    on_db,
    scope::{bind_scope, partner_clause},
    write_tx,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Partner {
    pub id: PartnerId,
    pub name: String,
    pub tier: Tier,
    pub channel_manager_id: Option<UserId>,
    pub channel_manager_name: Option<String>,
    pub channel_manager_email: Option<String>,
    pub channel_manager_phone: Option<String>,
    pub brand_name: Option<String>,
    pub logo_url: Option<String>,
    pub primary_colour: Option<String>,
    pub accent_colour: Option<String>,
    pub user_count: i64,
}

impl Partner {
    pub fn as_ref(&self) -> PartnerRef {
        PartnerRef {
            id: self.id,
            channel_manager_id: self.channel_manager_id,
        }
    }

    /// The vendor's branding with this partner's own parts laid over it.
    pub fn branding_over(&self, vendor: &Branding) -> Branding {
        let primary = self
            .primary_colour
            .as_deref()
            .and_then(|c| Colour::parse(c).ok());
        let accent = self
            .accent_colour
            .as_deref()
            .and_then(|c| Colour::parse(c).ok());
        vendor.overlay(
            self.brand_name.as_deref(),
            self.logo_url.as_deref(),
            primary.as_ref(),
            accent.as_ref(),
        )
    }
}

#[derive(sqlx::FromRow)]
struct PartnerRow {
    id: Uuid,
    name: String,
    tier: String,
    channel_manager_id: Option<Uuid>,
    channel_manager_name: Option<String>,
    channel_manager_email: Option<String>,
    channel_manager_phone: Option<String>,
    brand_name: Option<String>,
    logo_url: Option<String>,
    primary_colour: Option<String>,
    accent_colour: Option<String>,
    user_count: i64,
}

impl From<PartnerRow> for Partner {
    fn from(r: PartnerRow) -> Self {
        Partner {
            id: PartnerId(r.id),
            name: r.name,
            tier: Tier::parse(&r.tier).unwrap_or(Tier::Registered),
            channel_manager_id: r.channel_manager_id.map(UserId),
            channel_manager_name: r.channel_manager_name,
            channel_manager_email: r.channel_manager_email,
            channel_manager_phone: r.channel_manager_phone,
            brand_name: r.brand_name,
            logo_url: r.logo_url,
            primary_colour: r.primary_colour,
            accent_colour: r.accent_colour,
            user_count: r.user_count,
        }
    }
}

const SELECT_PARTNER: &str = "SELECT p.id, p.name, p.tier, p.channel_manager_id, \
     cm.name AS channel_manager_name, cm.email AS channel_manager_email, cm.phone AS channel_manager_phone, \
     p.brand_name, p.logo_url, p.primary_colour, p.accent_colour, \
     (SELECT COUNT(*) FROM users pu WHERE pu.partner_id = p.id) AS user_count \
     FROM partners p LEFT JOIN users cm ON cm.id = p.channel_manager_id";

/// The editable parts of a partner account, validated by the caller's parser.
#[derive(Clone, Debug, Default)]
pub struct PartnerFields {
    pub name: String,
    pub tier: Option<Tier>,
    pub channel_manager_id: Option<UserId>,
    pub brand_name: Option<String>,
    pub logo_url: Option<String>,
    pub primary_colour: Option<Colour>,
    pub accent_colour: Option<Colour>,
}

impl Store {
    pub async fn partner(&self, viewer: &Viewer, id: PartnerId) -> Result<Partner, StoreError> {
        let clause = partner_clause(viewer, "p.id", 2);
        let sql = format!("{SELECT_PARTNER} WHERE p.id = $1 AND {}", clause.sql);
        let row: Option<PartnerRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(Partner::from).ok_or_else(StoreError::not_found)
    }

    /// A partner by name, for the CLI (which acts as the vendor).
    pub async fn partner_by_name(&self, name: &str) -> Result<Option<Partner>, StoreError> {
        let sql = format!("{SELECT_PARTNER} WHERE lower(p.name) = lower($1)");
        let row: Option<PartnerRow> = on_db!(self, pool => sqlx::query_as(&sql).bind(name.trim()).fetch_optional(pool).await)?;
        Ok(row.map(Partner::from))
    }

    pub async fn partners(&self, viewer: &Viewer) -> Result<Vec<Partner>, StoreError> {
        let clause = partner_clause(viewer, "p.id", 1);
        let sql = format!(
            "{SELECT_PARTNER} WHERE {} ORDER BY lower(p.name), p.id",
            clause.sql
        );
        let rows: Vec<PartnerRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql);
            bind_scope!(q, clause).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Partner::from).collect())
    }

    /// Creates a partner account (admins; `None` for the CLI and demo).
    pub async fn create_partner(
        &self,
        viewer: Option<&Viewer>,
        fields: &PartnerFields,
    ) -> Result<Partner, StoreError> {
        if let Some(v) = viewer {
            v.may_administer()?;
        }
        if let Some(cm) = fields.channel_manager_id {
            self.ensure_channel_manager(cm).await?;
        }
        let id = PartnerId::new();
        let now = self.now();
        let sql = "INSERT INTO partners (id, name, tier, channel_manager_id, brand_name, logo_url, primary_colour, accent_colour, created_at, updated_at) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";
        let result: Result<(), StoreError> = async {
            write_tx!(self, tx => {
                sqlx::query(sql)
                    .bind(id.0)
                    .bind(fields.name.trim())
                    .bind(fields.tier.unwrap_or(Tier::Registered).as_str())
                    .bind(fields.channel_manager_id.map(|u| u.0))
                    .bind(&fields.brand_name)
                    .bind(&fields.logo_url)
                    .bind(fields.primary_colour.as_ref().map(Colour::as_str))
                    .bind(fields.accent_colour.as_ref().map(Colour::as_str))
                    .bind(DbTime::from(now))
                    .execute(&mut *tx)
                    .await?;
                audit!(&mut *tx, now, viewer.map(|v| v.user_id), "partner.create", "partner", id, fields.name.trim());
            });
            Ok(())
        }
        .await;
        result.map_err(name_taken)?;
        self.partner_unscoped(id).await
    }

    /// Changes a partner account: the admin, or its own channel manager.
    pub async fn update_partner(
        &self,
        viewer: &Viewer,
        id: PartnerId,
        fields: &PartnerFields,
    ) -> Result<Partner, StoreError> {
        let current = self.partner(viewer, id).await?;
        let changes_manager = fields.channel_manager_id != current.channel_manager_id;
        viewer.may_edit_partner(current.as_ref(), changes_manager)?;
        if let (true, Some(cm)) = (changes_manager, fields.channel_manager_id) {
            self.ensure_channel_manager(cm).await?;
        }
        let now = self.now();
        let sql = "UPDATE partners SET name = $2, tier = $3, channel_manager_id = $4, brand_name = $5, logo_url = $6, \
                   primary_colour = $7, accent_colour = $8, updated_at = $9 WHERE id = $1";
        let result: Result<(), StoreError> = async {
            write_tx!(self, tx => {
                sqlx::query(sql)
                    .bind(id.0)
                    .bind(fields.name.trim())
                    .bind(fields.tier.unwrap_or(current.tier).as_str())
                    .bind(fields.channel_manager_id.map(|u| u.0))
                    .bind(&fields.brand_name)
                    .bind(&fields.logo_url)
                    .bind(fields.primary_colour.as_ref().map(Colour::as_str))
                    .bind(fields.accent_colour.as_ref().map(Colour::as_str))
                    .bind(DbTime::from(now))
                    .execute(&mut *tx)
                    .await?;
                audit!(&mut *tx, now, Some(viewer.user_id), "partner.update", "partner", id, fields.name.trim());
            });
            Ok(())
        }
        .await;
        result.map_err(name_taken)?;
        self.partner_unscoped(id).await
    }

    pub(crate) async fn partner_unscoped(&self, id: PartnerId) -> Result<Partner, StoreError> {
        let sql = format!("{SELECT_PARTNER} WHERE p.id = $1");
        let row: Option<PartnerRow> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)?;
        row.map(Partner::from).ok_or_else(StoreError::not_found)
    }

    async fn ensure_channel_manager(&self, id: UserId) -> Result<(), StoreError> {
        let sql = "SELECT COUNT(*) FROM users WHERE id = $1 AND role = 'channel_manager' AND active = TRUE";
        let (count,): (i64,) =
            on_db!(self, pool => sqlx::query_as(sql).bind(id.0).fetch_one(pool).await)?;
        if count == 1 {
            Ok(())
        } else {
            Err(DomainError::field("channel_manager_id", "error-not-a-channel-manager").into())
        }
    }
}

fn name_taken(error: StoreError) -> StoreError {
    if matches!(error, StoreError::Duplicate(_)) {
        DomainError::field("name", "error-partner-name-taken").into()
    } else {
        error
    }
}
