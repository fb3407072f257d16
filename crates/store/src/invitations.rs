//! Invitations (spec flow 1): the user, the one-time link and its e-mail are
//! written in one transaction; following the link uses it up atomically.

use openprm_domain::{
    DomainError, EmailAddress, InvitationId, Locale, PartnerId, Role, UserId, Viewer,
    invitation::{InvitationProblem, InvitationStatus, VALIDITY},
};
use uuid::Uuid;

use crate::{
    DbTime, Store, StoreError,
    audit::audit,
    on_db,
    outbox::{OutgoingEmail, enqueue_email},
    secrets,
    users::{NewUser, User, email_taken, insert_user},
    write_tx,
};

#[derive(Clone, Debug)]
pub struct InvitationRequest {
    pub partner_id: PartnerId,
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub locale: Locale,
}

/// What a followed link leads to.
#[derive(Clone, Debug)]
pub struct InvitationView {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub locale: Locale,
    pub status: InvitationStatus,
}

#[derive(sqlx::FromRow)]
struct InvitationRow {
    user_id: Uuid,
    email: String,
    name: String,
    locale: String,
    expires_at: DbTime,
    used_at: Option<DbTime>,
    revoked_at: Option<DbTime>,
}

impl Store {
    /// Creates the invited user and their invitation, and queues the e-mail that
    /// carries `token`; all or nothing.
    pub async fn invite(
        &self,
        viewer: &Viewer,
        request: &InvitationRequest,
        token: &str,
        email: &OutgoingEmail,
    ) -> Result<User, StoreError> {
        let partner = self.partner(viewer, request.partner_id).await?;
        viewer.may_invite(partner.as_ref(), request.role)?;
        let user_id = UserId::new();
        let new_user = NewUser {
            email: request.email.clone(),
            name: request.name.clone(),
            role: request.role,
            partner_id: Some(partner.id),
            locale: request.locale,
            title: None,
            phone: None,
            password: None,
            must_change_password: true,
        };
        let now = self.now();
        let result: Result<(), StoreError> = async {
            write_tx!(self, tx => {
                insert_user!(&mut *tx, user_id, new_user, None::<String>, now);
                insert_invitation!(&mut *tx, user_id, viewer.user_id, token, now);
                enqueue_email!(&mut *tx, now, email);
                audit!(&mut *tx, now, Some(viewer.user_id), "invitation.create", "user", user_id, request.email.as_str());
            });
            Ok(())
        }
        .await;
        result.map_err(email_taken)?;
        self.user_unscoped(user_id).await
    }

    /// Sends a new link to an invited user who has not yet chosen a password;
    /// earlier links stop working.
    pub async fn resend_invitation(
        &self,
        viewer: &Viewer,
        user_id: UserId,
        token: &str,
        email: &OutgoingEmail,
    ) -> Result<(), StoreError> {
        let user = self.user(viewer, user_id).await?;
        self.may_manage(viewer, &user).await?;
        if !user.pending_invitation {
            return Err(DomainError::Invalid("error-invitation-already-accepted").into());
        }
        let now = self.now();
        write_tx!(self, tx => {
            revoke_pending!(&mut *tx, user_id, now);
            sqlx::query("UPDATE users SET active = TRUE WHERE id = $1").bind(user_id.0).execute(&mut *tx).await?;
            insert_invitation!(&mut *tx, user_id, viewer.user_id, token, now);
            enqueue_email!(&mut *tx, now, email);
            audit!(&mut *tx, now, Some(viewer.user_id), "invitation.resend", "user", user_id, &user.email);
        });
        Ok(())
    }

    /// Withdraws a pending invitation; the invited user, who never signed in, is deactivated.
    pub async fn revoke_invitation(
        &self,
        viewer: &Viewer,
        user_id: UserId,
    ) -> Result<(), StoreError> {
        let user = self.user(viewer, user_id).await?;
        self.may_manage(viewer, &user).await?;
        if !user.pending_invitation {
            return Err(DomainError::Invalid("error-invitation-already-accepted").into());
        }
        let now = self.now();
        write_tx!(self, tx => {
            revoke_pending!(&mut *tx, user_id, now);
            sqlx::query("UPDATE users SET active = FALSE WHERE id = $1").bind(user_id.0).execute(&mut *tx).await?;
            audit!(&mut *tx, now, Some(viewer.user_id), "invitation.revoke", "user", user_id, &user.email);
        });
        Ok(())
    }

    /// The invitation behind a link, whatever its state; `None` for a forged one.
    pub async fn invitation_by_token(
        &self,
        token: &str,
    ) -> Result<Option<InvitationView>, StoreError> {
        let sql = "SELECT i.user_id, u.email, u.name, u.locale, i.expires_at, i.used_at, i.revoked_at \
                   FROM invitations i JOIN users u ON u.id = i.user_id WHERE i.token_hash = $1";
        let row: Option<InvitationRow> = on_db!(self, pool => sqlx::query_as(sql)
            .bind(secrets::hash_token(token)).fetch_optional(pool).await)?;
        Ok(row.map(|r| InvitationView {
            user_id: UserId(r.user_id),
            email: r.email,
            name: r.name,
            locale: Locale::parse(&r.locale).unwrap_or_default(),
            status: InvitationStatus {
                expires_at: r.expires_at.0,
                used_at: r.used_at.map(|t| t.0),
                revoked_at: r.revoked_at.map(|t| t.0),
            },
        }))
    }

    /// Uses a link up: exactly one of any number of simultaneous attempts wins.
    /// With `new_password` (the API's one-step accept) the password is set in the
    /// same transaction; without it the user must choose one before anything else.
    pub async fn accept_invitation(
        &self,
        token: &str,
        new_password: Option<&str>,
    ) -> Result<UserId, StoreError> {
        let token_hash = secrets::hash_token(token);
        let password_hash = new_password.map(secrets::hash_password).transpose()?;
        let now = self.now();
        let sql = "UPDATE invitations SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL \
                   AND expires_at > $2 AND user_id IN (SELECT id FROM users WHERE active = TRUE) RETURNING user_id";
        let accepted: Option<Uuid> = write_tx!(self, tx => {
            let row: Option<(Uuid,)> = sqlx::query_as(sql).bind(&token_hash).bind(DbTime::from(now)).fetch_optional(&mut *tx).await?;
            if let (Some((user,)), Some(hash)) = (row, &password_hash) {
                sqlx::query("UPDATE users SET password_hash = $2, must_change_password = FALSE WHERE id = $1")
                    .bind(user).bind(hash).execute(&mut *tx).await?;
            }
            if let Some((user,)) = row {
                audit!(&mut *tx, now, Some(UserId(user)), "invitation.accept", "user", user, "");
            }
            row.map(|(user,)| user)
        });
        match accepted {
            Some(user) => Ok(UserId(user)),
            None => Err(self.why_unusable(token).await),
        }
    }

    async fn why_unusable(&self, token: &str) -> StoreError {
        match self.invitation_by_token(token).await {
            Ok(Some(view)) => {
                let problem = view
                    .status
                    .check_usable(self.now())
                    .err()
                    .unwrap_or(InvitationProblem::Revoked);
                DomainError::from(problem).into()
            }
            Ok(None) => StoreError::not_found(),
            Err(e) => e,
        }
    }
}

macro_rules! insert_invitation {
    ($exec:expr, $user:expr, $invited_by:expr, $token:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO invitations (id, user_id, invited_by, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(InvitationId::new().0)
        .bind($user.0)
        .bind($invited_by.0)
        .bind(secrets::hash_token($token))
        .bind(DbTime::from($now))
        .bind(DbTime::from($now + VALIDITY))
        .execute($exec)
        .await?
    };
}
use insert_invitation;

macro_rules! revoke_pending {
    ($exec:expr, $user:expr, $now:expr) => {
        sqlx::query("UPDATE invitations SET revoked_at = $2 WHERE user_id = $1 AND used_at IS NULL AND revoked_at IS NULL")
            .bind($user.0)
            .bind(DbTime::from($now))
            .execute($exec)
            .await?
    };
}
use revoke_pending;
