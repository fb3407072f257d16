//! Users: vendor staff and partner staff.

use openprm_domain::{DomainError, EmailAddress, Locale, PartnerId, Role, UserId, Viewer};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    audit::audit,
    on_db,
    scope::{bind_scope, user_clause},
    secrets, write_tx,
};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub partner_id: Option<PartnerId>,
    pub partner_name: Option<String>,
    pub title: Option<String>,
    pub phone: Option<String>,
    pub locale: Locale,
    pub must_change_password: bool,
    pub active: bool,
    /// Invited but has not yet chosen a password.
    pub pending_invitation: bool,
    #[schema(value_type = String, format = DateTime)]
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: time::OffsetDateTime,
}

impl User {
    pub fn viewer(&self) -> Viewer {
        Viewer {
            user_id: self.id,
            role: self.role,
            partner_id: self.partner_id,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    partner_id: Option<Uuid>,
    partner_name: Option<String>,
    title: Option<String>,
    phone: Option<String>,
    locale: String,
    must_change_password: bool,
    active: bool,
    has_password: bool,
    created_at: DbTime,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId(r.id),
            email: r.email,
            name: r.name,
            role: Role::parse(&r.role).unwrap_or(Role::PartnerUser),
            partner_id: r.partner_id.map(PartnerId),
            partner_name: r.partner_name,
            title: r.title,
            phone: r.phone,
            locale: Locale::parse(&r.locale).unwrap_or_default(),
            must_change_password: r.must_change_password,
            active: r.active,
            pending_invitation: !r.has_password,
            created_at: r.created_at.0,
        }
    }
}

pub(crate) const SELECT_USER: &str = "SELECT u.id, u.email, u.name, u.role, u.partner_id, p.name AS partner_name, \
     u.title, u.phone, u.locale, u.must_change_password, u.active, \
     (u.password_hash IS NOT NULL) AS has_password, u.created_at \
     FROM users u LEFT JOIN partners p ON p.id = u.partner_id";

/// A user about to be created; the caller has validated the fields.
#[derive(Clone, Debug)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub partner_id: Option<PartnerId>,
    pub locale: Locale,
    /// Shown on the channel manager's contact card.
    pub title: Option<String>,
    pub phone: Option<String>,
    /// `None` creates an invited user who signs in through their link.
    pub password: Option<String>,
    pub must_change_password: bool,
}

impl Store {
    /// Creates a user directly (the CLI and the demo); invitations go through
    /// [`Store::invite`].
    pub async fn create_user(&self, new: &NewUser) -> Result<User, StoreError> {
        let hash = new
            .password
            .as_deref()
            .map(secrets::hash_password)
            .transpose()?;
        let id = UserId::new();
        let now = self.now();
        let result: Result<(), StoreError> = async {
            write_tx!(self, tx => {
                insert_user!(&mut *tx, id, new, hash, now);
                audit!(&mut *tx, now, None::<UserId>, "user.create", "user", id, new.email.as_str());
            });
            Ok(())
        }
        .await;
        result.map_err(email_taken)?;
        self.user_unscoped(id).await
    }

    pub async fn user(&self, viewer: &Viewer, id: UserId) -> Result<User, StoreError> {
        let clause = user_clause(viewer, "u", 2);
        let sql = format!("{SELECT_USER} WHERE u.id = $1 AND {}", clause.sql);
        let row: Option<UserRow> = on_db!(self, pool => {
            let q = sqlx::query_as(&sql).bind(id.0);
            bind_scope!(q, clause).fetch_optional(pool).await
        })?;
        row.map(User::from).ok_or_else(StoreError::not_found)
    }

    /// Users the caller may see, optionally of one partner, by name.
    pub async fn users(
        &self,
        viewer: &Viewer,
        partner: Option<PartnerId>,
    ) -> Result<Vec<User>, StoreError> {
        let clause = user_clause(viewer, "u", 2);
        let sql = format!(
            "{SELECT_USER} WHERE ($1 IS NULL OR u.partner_id = $1) AND {} ORDER BY lower(u.name), u.id",
            clause.sql
        );
        let rows: Vec<UserRow> = match &self.db {
            // PostgreSQL must be told the type of a parameter that is only tested for NULL.
            crate::Db::Postgres(pool) => {
                let sql = sql.replacen("$1 IS NULL", "$1::uuid IS NULL", 1);
                let q = sqlx::query_as(&sql).bind(partner.map(|p| p.0));
                bind_scope!(q, clause).fetch_all(pool).await?
            }
            crate::Db::Sqlite(pool) => {
                let q = sqlx::query_as(&sql).bind(partner.map(|p| p.0));
                bind_scope!(q, clause).fetch_all(pool).await?
            }
        };
        Ok(rows.into_iter().map(User::from).collect())
    }

    pub(crate) async fn user_unscoped(&self, id: UserId) -> Result<User, StoreError> {
        let sql = format!("{SELECT_USER} WHERE u.id = $1");
        let row: Option<UserRow> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)?;
        row.map(User::from).ok_or_else(StoreError::not_found)
    }

    /// The user and password hash behind an e-mail, for signing in only.
    pub async fn user_for_sign_in(
        &self,
        email: &EmailAddress,
    ) -> Result<Option<(User, Option<String>)>, StoreError> {
        let sql = format!(
            "{} WHERE u.email = $1",
            SELECT_USER.replacen(" FROM users u", ", u.password_hash FROM users u", 1)
        );
        let row = on_db!(self, pool => {
            sqlx::query_as::<_, UserRowWithHash>(&sql).bind(email.as_str()).fetch_optional(pool).await
        })?;
        Ok(row.map(|r| (User::from(r.user), r.password_hash)))
    }

    /// Sets a new password and lifts the must-change flag. Other sessions end, so a
    /// stolen session does not outlive a password change; `keep_session` (a hash) survives.
    pub async fn set_password(
        &self,
        user: UserId,
        password: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let hash = secrets::hash_password(password)?;
        let now = self.now();
        write_tx!(self, tx => {
            sqlx::query("UPDATE users SET password_hash = $2, must_change_password = FALSE WHERE id = $1")
                .bind(user.0).bind(&hash).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                .bind(user.0).bind(keep_session.unwrap_or("")).execute(&mut *tx).await?;
            audit!(&mut *tx, now, Some(user), "user.password", "user", user, "changed");
        });
        Ok(())
    }

    pub async fn set_locale(&self, user: UserId, locale: Locale) -> Result<(), StoreError> {
        on_db!(self, pool => sqlx::query("UPDATE users SET locale = $2 WHERE id = $1")
            .bind(user.0).bind(locale.code()).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Deactivates or reactivates a user. Deactivation ends every session and API
    /// token at once, in the same transaction.
    pub async fn set_user_active(
        &self,
        viewer: &Viewer,
        id: UserId,
        active: bool,
    ) -> Result<User, StoreError> {
        let target = self.user(viewer, id).await?;
        self.may_manage(viewer, &target).await?;
        if target.id == viewer.user_id {
            return Err(DomainError::Invalid("error-cannot-deactivate-self").into());
        }
        let now = self.now();
        write_tx!(self, tx => {
            sqlx::query("UPDATE users SET active = $2 WHERE id = $1").bind(id.0).bind(active).execute(&mut *tx).await?;
            if !active {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id.0).execute(&mut *tx).await?;
                // Open event streams of this user end as soon as it commits.
                sqlx::query(crate::live::SIGNED_OUT_SQL)
                    .bind(DbTime::from(now))
                    .bind(id.0)
                    .bind(viewer.user_id.0)
                    .execute(&mut *tx)
                    .await?;
            }
            let action = if active { "user.reactivate" } else { "user.deactivate" };
            audit!(&mut *tx, now, Some(viewer.user_id), action, "user", id, &target.email);
        });
        self.user_unscoped(id).await
    }

    /// Whether the caller may manage this user: partner staff through their
    /// partner's rules; vendor staff only by an admin.
    pub(crate) async fn may_manage(
        &self,
        viewer: &Viewer,
        target: &User,
    ) -> Result<(), StoreError> {
        match target.partner_id {
            Some(partner) => {
                let partner = self.partner(viewer, partner).await?;
                viewer.may_manage_users_of(partner.as_ref())?;
            }
            None => viewer.may_administer()?,
        }
        Ok(())
    }

    pub async fn touch_sign_in(&self, user: UserId) -> Result<(), StoreError> {
        let now = DbTime::from(self.now());
        on_db!(self, pool => sqlx::query("UPDATE users SET last_sign_in_at = $2 WHERE id = $1")
            .bind(user.0).bind(now).execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn user_count(&self) -> Result<i64, StoreError> {
        let (n,): (i64,) = on_db!(self, pool => sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(pool).await)?;
        Ok(n)
    }
}

#[derive(sqlx::FromRow)]
struct UserRowWithHash {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: Option<String>,
}

/// Inserts a user row on the executor given.
macro_rules! insert_user {
    ($exec:expr, $id:expr, $new:expr, $hash:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO users (id, email, name, role, partner_id, locale, password_hash, must_change_password, active, created_at, title, phone) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $10, $11)",
        )
        .bind($id.0)
        .bind($new.email.as_str())
        .bind($new.name.trim())
        .bind($new.role.as_str())
        .bind($new.partner_id.map(|p: openprm_domain::PartnerId| p.0))
        .bind($new.locale.code())
        .bind($hash)
        .bind($new.must_change_password)
        .bind($crate::DbTime::from($now))
        .bind(&$new.title)
        .bind(&$new.phone)
        .execute($exec)
        .await?
    };
}
pub(crate) use insert_user;

pub(crate) fn email_taken(error: StoreError) -> StoreError {
    if matches!(error, StoreError::Duplicate(_)) {
        DomainError::field("email", "error-email-unavailable").into()
    } else {
        error
    }
}
