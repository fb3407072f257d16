//! Contacts: the people at customer companies, read, created, edited and
//! listed within the caller's scope ([`crate::scope::owned_record_clause`]).
//!
//! A contact's account must be one the caller can see, of the contact's own
//! company; an account the reader cannot see is left out of what they read.

use openprm_domain::{
    AccountId, ContactId, DomainError, EmailAddress, LeadId, PartnerId, UserId, Viewer,
    accounts::Placement,
    contacts::{ContactFields, changes},
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
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    /// The account, when there is one the caller can see.
    pub account_id: Option<AccountId>,
    pub account_name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub description: Option<String>,
    /// The lead this contact was converted from.
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

impl Contact {
    /// The editable fields, as the domain's rules see them.
    pub fn fields(&self) -> ContactFields {
        ContactFields {
            name: self.name.clone(),
            account_id: self.account_id,
            title: self.title.clone(),
            email: self
                .email
                .as_deref()
                .and_then(|e| EmailAddress::parse(e).ok()),
            phone: self.phone.clone(),
            country: self.country.clone(),
            description: self.description.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ContactRow {
    id: Uuid,
    name: String,
    account_id: Option<Uuid>,
    account_name: Option<String>,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
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

impl From<ContactRow> for Contact {
    fn from(r: ContactRow) -> Self {
        Contact {
            id: ContactId(r.id),
            name: r.name,
            account_id: r.account_id.map(AccountId),
            account_name: r.account_name,
            title: r.title,
            email: r.email,
            phone: r.phone,
            country: r.country,
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

/// The select for contacts `c`, joined to their account `a` only where the
/// caller may see it. The account's scope is numbered from `param_no` like the
/// contact's, so the same values serve both.
pub(crate) fn select_contact(viewer: &Viewer, param_no: usize) -> String {
    let account_scope = owned_record_clause(viewer, "a", param_no).sql;
    format!(
        "SELECT c.id, c.name, a.id AS account_id, a.name AS account_name, c.title, c.email, c.phone, c.country, \
         c.description, c.lead_id, c.partner_id, p.name AS partner_name, c.owner_id, u.name AS owner_name, c.version, \
         c.created_at, c.updated_at \
         FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id AND {account_scope} \
         LEFT JOIN partners p ON p.id = c.partner_id LEFT JOIN users u ON u.id = c.owner_id"
    )
}

/// Inserts a contact on the executor given (the transaction making the change).
macro_rules! insert_contact {
    ($exec:expr, $id:expr, $fields:expr, $lead:expr, $placement:expr, $actor:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO contacts (id, account_id, name, title, email, phone, country, description, lead_id, \
             partner_id, owner_id, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $13)",
        )
        .bind($id.0)
        .bind($fields.account_id.map(|a: openprm_domain::AccountId| a.0))
        .bind(&$fields.name)
        .bind(&$fields.title)
        .bind($fields.email.as_ref().map(|e: &openprm_domain::EmailAddress| e.as_str().to_owned()))
        .bind(&$fields.phone)
        .bind(&$fields.country)
        .bind(&$fields.description)
        .bind($lead.map(|l: openprm_domain::LeadId| l.0))
        .bind($placement.partner_id.map(|p: openprm_domain::PartnerId| p.0))
        .bind($placement.owner_id.0)
        .bind($actor.0)
        .bind($crate::DbTime::from($now))
        .execute($exec)
        .await?
    };
}
pub(crate) use insert_contact;

/// One page of a list.
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub next_cursor: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ListedContact {
    #[sqlx(flatten)]
    contact: ContactRow,
    sort_key: String,
}

impl Store {
    /// One contact the caller may see.
    pub async fn contact(&self, viewer: &Viewer, id: ContactId) -> Result<Contact, StoreError> {
        let clause = owned_record_clause(viewer, "c", 2);
        let sql = format!(
            "{} WHERE c.id = $1 AND {}",
            select_contact(viewer, 2),
            clause.sql
        );
        let row: Option<ContactRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(Contact::from).ok_or_else(StoreError::not_found)
    }

    /// The account a contact of `placement`'s company may belong to: one the
    /// caller can see, of the same company (or, for the vendor's own contacts,
    /// the vendor's own). Anything else is "unknown account", whether it exists or not.
    pub(crate) async fn usable_account(
        &self,
        viewer: &Viewer,
        account: AccountId,
        partner: Option<PartnerId>,
    ) -> Result<(), StoreError> {
        let unknown = || DomainError::field("account_id", "error-account-unknown");
        let found = self.account(viewer, account).await.map_err(|e| match e {
            StoreError::Domain(_) => StoreError::from(unknown()),
            other => other,
        })?;
        if found.partner_id != partner {
            return Err(unknown().into());
        }
        Ok(())
    }

    /// Creates a contact, owned as [`openprm_domain::accounts::place`] decides.
    #[tracing::instrument(skip_all)]
    pub async fn create_contact(
        &self,
        viewer: &Viewer,
        fields: &ContactFields,
        partner: Option<PartnerId>,
        owner: Option<UserId>,
    ) -> Result<Contact, StoreError> {
        let placement: Placement = self.placement(viewer, partner, owner).await?;
        if let Some(account) = fields.account_id {
            self.usable_account(viewer, account, placement.partner_id)
                .await?;
        }
        let id = ContactId::new();
        let now = self.now();
        write_tx!(self, tx => {
            insert_contact!(&mut *tx, id, fields, None::<LeadId>, placement, viewer.user_id, now);
            audit!(&mut *tx, now, Some(viewer.user_id), "contact.create", "contact", id, fields.name);
        });
        self.contact(viewer, id).await
    }

    /// Saves changed fields if the contact is still at `expected_version`. A
    /// link to an account the caller cannot see is kept unless they change it.
    #[tracing::instrument(skip_all, fields(contact = %id))]
    pub async fn update_contact(
        &self,
        viewer: &Viewer,
        id: ContactId,
        expected_version: i64,
        fields: &ContactFields,
    ) -> Result<Contact, StoreError> {
        let current = self.contact(viewer, id).await?;
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
        let account_changed = fields.account_id != current.account_id;
        if account_changed && let Some(account) = fields.account_id {
            self.usable_account(viewer, account, current.partner_id)
                .await?;
        }
        let now = self.now();
        let sql = "UPDATE contacts SET name = $3, title = $4, email = $5, phone = $6, country = $7, description = $8, \
                   account_id = CASE WHEN $9 THEN $10 ELSE account_id END, version = version + 1, updated_at = $11 \
                   WHERE id = $1 AND version = $2";
        write_tx!(self, tx => {
            let done = sqlx::query(sql)
                .bind(id.0)
                .bind(expected_version)
                .bind(&fields.name)
                .bind(&fields.title)
                .bind(fields.email.as_ref().map(|e| e.as_str().to_owned()))
                .bind(&fields.phone)
                .bind(&fields.country)
                .bind(&fields.description)
                .bind(account_changed)
                .bind(fields.account_id.map(|a| a.0))
                .bind(DbTime::from(now))
                .execute(&mut *tx)
                .await?;
            updated_once(done.rows_affected())?;
            audit!(&mut *tx, now, Some(viewer.user_id), "contact.update", "contact", id, changed_names(&changed));
        });
        self.contact(viewer, id).await
    }

    /// A page of the contacts the caller may see, by name then id; search looks
    /// in the name, the e-mail and the title. `account` narrows to one account's.
    pub async fn list_contacts(
        &self,
        viewer: &Viewer,
        account: Option<AccountId>,
        query: &RecordQuery,
    ) -> Result<ContactPage, StoreError> {
        let mut params: Vec<Param> = Vec::new();
        let mut conditions: Vec<String> = Vec::new();
        if query.view == RecordView::Mine {
            let n = push(&mut params, Param::Uuid(viewer.user_id.0));
            conditions.push(format!("c.owner_id = ${n}"));
        }
        if let Some(account) = account {
            let n = push(&mut params, Param::Uuid(account.0));
            conditions.push(format!("c.account_id = ${n}"));
        }
        if let Some(search) = query.search.as_deref() {
            conditions.push(search_condition(
                self.backend(),
                &["c.name", "c.email", "c.title"],
                search,
                &mut params,
            ));
        }
        if let Some(cursor) = query.cursor.as_deref().filter(|c| !c.is_empty()) {
            let (key, id) = decode_cursor("contact", cursor)?;
            let k = push(&mut params, Param::Text(key));
            let i = push(&mut params, Param::Uuid(id));
            conditions.push(format!("(lower(c.name), c.id) > (${k}, ${i})"));
        }
        let limit = query.page_size();
        let l = push(&mut params, Param::Int(i64::from(limit) + 1));
        let clause = owned_record_clause(viewer, "c", params.len() + 1);
        conditions.push(clause.sql.clone());
        let sql = format!(
            "{} WHERE {} ORDER BY lower(c.name), c.id LIMIT ${l}",
            select_contact(viewer, params.len() + 1).replacen(
                " FROM contacts c",
                ", lower(c.name) AS sort_key FROM contacts c",
                1
            ),
            conditions.join(" AND ")
        );
        for value in &clause.params {
            params.push(Param::Uuid(*value));
        }
        let rows: Vec<ListedContact> = on_db!(self, pool => {
            bind_params!(sqlx::query_as(&sql), &params).fetch_all(pool).await
        })?;
        let (rows, next_cursor) = split_page(rows, limit, |r| {
            encode_cursor("contact", r.contact.id, &r.sort_key)
        });
        Ok(ContactPage {
            contacts: rows.into_iter().map(|r| Contact::from(r.contact)).collect(),
            next_cursor,
        })
    }
}
