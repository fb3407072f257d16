//! Accounts: reading, creating, editing and listing the customer companies
//! partners sell to, always within the caller's scope
//! ([`crate::scope::owned_record_clause`]).

use openprm_domain::{
    AccountId, PartnerId, UserId, Viewer,
    accounts::{AccountFields, changes},
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    audit::audit,
    on_db,
    record_list::{
        Param, RecordQuery, RecordView, bind_params, changed_names, decode_cursor, encode_cursor,
        may_update, push, search_condition, split_page, updated_once,
    },
    scope::{bind_scope, owned_record_clause},
    write_tx,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    /// The customer's e-mail and web domain, lower case.
    pub domain: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub country: Option<String>,
    pub city: Option<String>,
    pub description: Option<String>,
    /// The partner it belongs to; absent for the vendor's own.
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

impl Account {
    /// The editable fields, as the domain's rules see them.
    pub fn fields(&self) -> AccountFields {
        AccountFields {
            name: self.name.clone(),
            domain: self.domain.clone(),
            phone: self.phone.clone(),
            website: self.website.clone(),
            industry: self.industry.clone(),
            country: self.country.clone(),
            city: self.city.clone(),
            description: self.description.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: Uuid,
    name: String,
    domain: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    industry: Option<String>,
    country: Option<String>,
    city: Option<String>,
    description: Option<String>,
    partner_id: Option<Uuid>,
    partner_name: Option<String>,
    owner_id: Option<Uuid>,
    owner_name: Option<String>,
    version: i64,
    created_at: DbTime,
    updated_at: DbTime,
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: AccountId(r.id),
            name: r.name,
            domain: r.domain,
            phone: r.phone,
            website: r.website,
            industry: r.industry,
            country: r.country,
            city: r.city,
            description: r.description,
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

pub(crate) const SELECT_ACCOUNT: &str = "SELECT a.id, a.name, a.domain, a.phone, a.website, a.industry, a.country, a.city, \
     a.description, a.partner_id, p.name AS partner_name, a.owner_id, u.name AS owner_name, a.version, a.created_at, a.updated_at \
     FROM accounts a LEFT JOIN partners p ON p.id = a.partner_id LEFT JOIN users u ON u.id = a.owner_id";

/// Inserts an account on the executor given (the transaction making the change).
macro_rules! insert_account {
    ($exec:expr, $id:expr, $fields:expr, $placement:expr, $actor:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO accounts (id, name, domain, phone, website, industry, country, city, description, \
             partner_id, owner_id, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13)",
        )
        .bind($id.0)
        .bind(&$fields.name)
        .bind(&$fields.domain)
        .bind(&$fields.phone)
        .bind(&$fields.website)
        .bind(&$fields.industry)
        .bind(&$fields.country)
        .bind(&$fields.city)
        .bind(&$fields.description)
        .bind($placement.partner_id.map(|p: openprm_domain::PartnerId| p.0))
        .bind($placement.owner_id.0)
        .bind($actor.0)
        .bind($crate::DbTime::from($now))
        .execute($exec)
        .await?
    };
}
pub(crate) use insert_account;

/// One page of a list.
pub struct AccountPage {
    pub accounts: Vec<Account>,
    pub next_cursor: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ListedAccount {
    #[sqlx(flatten)]
    account: AccountRow,
    sort_key: String,
}

impl Store {
    /// One account the caller may see.
    pub async fn account(&self, viewer: &Viewer, id: AccountId) -> Result<Account, StoreError> {
        let clause = owned_record_clause(viewer, "a", 2);
        let sql = format!("{SELECT_ACCOUNT} WHERE a.id = $1 AND {}", clause.sql);
        let row: Option<AccountRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(Account::from).ok_or_else(StoreError::not_found)
    }

    /// Creates an account, owned as [`openprm_domain::accounts::place`] decides
    /// from the partner and owner asked for.
    #[tracing::instrument(skip_all)]
    pub async fn create_account(
        &self,
        viewer: &Viewer,
        fields: &AccountFields,
        partner: Option<PartnerId>,
        owner: Option<UserId>,
    ) -> Result<Account, StoreError> {
        let placement = self.placement(viewer, partner, owner).await?;
        let id = AccountId::new();
        let now = self.now();
        write_tx!(self, tx => {
            insert_account!(&mut *tx, id, fields, placement, viewer.user_id, now);
            audit!(&mut *tx, now, Some(viewer.user_id), "account.create", "account", id, fields.name);
        });
        self.account(viewer, id).await
    }

    /// Saves changed fields if the account is still at `expected_version`; the
    /// changed fields' names go to the audit log.
    #[tracing::instrument(skip_all, fields(account = %id))]
    pub async fn update_account(
        &self,
        viewer: &Viewer,
        id: AccountId,
        expected_version: i64,
        fields: &AccountFields,
    ) -> Result<Account, StoreError> {
        let current = self.account(viewer, id).await?;
        may_update(
            viewer,
            current.partner_id,
            current.owner_id,
            current.version,
            expected_version,
        )?;
        let changed = changes(&current.fields(), fields);
        if changed.is_empty() {
            return Ok(current);
        }
        let now = self.now();
        let sql = "UPDATE accounts SET name = $3, domain = $4, phone = $5, website = $6, industry = $7, country = $8, \
                   city = $9, description = $10, version = version + 1, updated_at = $11 WHERE id = $1 AND version = $2";
        write_tx!(self, tx => {
            let done = sqlx::query(sql)
                .bind(id.0)
                .bind(expected_version)
                .bind(&fields.name)
                .bind(&fields.domain)
                .bind(&fields.phone)
                .bind(&fields.website)
                .bind(&fields.industry)
                .bind(&fields.country)
                .bind(&fields.city)
                .bind(&fields.description)
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            updated_once(done.rows_affected())?;
            audit!(&mut *tx, now, Some(viewer.user_id), "account.update", "account", id, changed_names(&changed));
        });
        self.account(viewer, id).await
    }

    /// A page of the accounts the caller may see, by name then id; search looks
    /// in the name and the domain.
    pub async fn list_accounts(
        &self,
        viewer: &Viewer,
        query: &RecordQuery,
    ) -> Result<AccountPage, StoreError> {
        let mut params: Vec<Param> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        if query.view == RecordView::Mine {
            let n = push(&mut params, Param::Uuid(viewer.user_id.0));
            conditions.push(format!("a.owner_id = ${n}"));
        }
        if let Some(search) = query.search.as_deref() {
            conditions.push(search_condition(
                self.backend(),
                &["a.name", "a.domain"],
                search,
                &mut params,
            ));
        }
        if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
            let (key, id) = decode_cursor("account", cursor)?;
            let k = push(&mut params, Param::Text(key));
            let i = push(&mut params, Param::Uuid(id));
            conditions.push(format!("(lower(a.name), a.id) > (${k}, ${i})"));
        }
        let limit = query.page_size();
        let l = push(&mut params, Param::Int(i64::from(limit) + 1));
        let clause = owned_record_clause(viewer, "a", params.len() + 1);
        conditions.push(clause.sql.clone());
        let sql = format!(
            "{} WHERE {} ORDER BY lower(a.name), a.id LIMIT ${l}",
            SELECT_ACCOUNT.replacen(
                " FROM accounts a",
                ", lower(a.name) AS sort_key FROM accounts a",
                1
            ),
            conditions.join(" AND ")
        );
        for value in &clause.params {
            params.push(Param::Uuid(*value));
        }
        let rows: Vec<ListedAccount> = on_db!(self, pool => {
            bind_params!(sqlx::query_as(&sql), &params).fetch_all(pool).await
        })?;
        let (rows, next_cursor) = split_page(rows, limit, |r| {
            encode_cursor("account", r.account.id, &r.sort_key)
        });
        Ok(AccountPage {
            accounts: rows.into_iter().map(|r| Account::from(r.account)).collect(),
            next_cursor,
        })
    }
}
