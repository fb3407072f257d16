//! Inviting partner staff: the e-mail is written here, in the invitee's
//! language, and handed to the store with the invitation so both are saved in
//! one transaction.

use askama::Template;
use openprm_domain::{EmailAddress, FieldErrors, Locale, PartnerId, Role, UserId, Viewer};
use openprm_store::{invitations::InvitationRequest, outbox::OutgoingEmail, secrets, users::User};

use crate::{AppState, error::AppError, i18n::Tr};

/// An invitation as typed into the form or sent to the API.
pub struct InvitationInput<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub locale: Option<&'a str>,
}

impl InvitationInput<'_> {
    fn parse(&self, partner_id: PartnerId) -> Result<InvitationRequest, AppError> {
        let mut errors = FieldErrors::new();
        let email = EmailAddress::parse(self.email)
            .map_err(|key| errors.add("email", key))
            .ok();
        let name = self.name.trim();
        if name.is_empty() {
            errors.add("name", "error-required");
        } else if name.chars().count() > 120 {
            errors.add("name", "error-too-long");
        }
        let role = match Role::parse(self.role) {
            Some(role) if role.is_partner() => Some(role),
            _ => {
                errors.add("role", "error-role-not-invitable");
                None
            }
        };
        let locale = match self.locale.map(str::trim).filter(|l| !l.is_empty()) {
            None => Some(Locale::default()),
            Some(code) => Locale::parse(code).or_else(|| {
                errors.add("locale", "error-locale-unknown");
                None
            }),
        };
        errors.into_result()?;
        match (email, role, locale) {
            (Some(email), Some(role), Some(locale)) => Ok(InvitationRequest {
                partner_id,
                email,
                name: name.to_owned(),
                role,
                locale,
            }),
            _ => Err(AppError::Internal(
                "validated invitation lost a field".into(),
            )),
        }
    }
}

#[derive(Template)]
#[template(path = "email/invitation.txt")]
struct InvitationText<'a> {
    t: Tr,
    name: &'a str,
    portal: &'a str,
    inviter: &'a str,
    company: &'a str,
    base_url: &'a str,
    email: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "email/invitation.html")]
struct InvitationHtml<'a> {
    t: Tr,
    name: &'a str,
    portal: &'a str,
    inviter: &'a str,
    company: &'a str,
    base_url: &'a str,
    email: &'a str,
    link: &'a str,
    primary: &'a str,
}

async fn render(
    state: &AppState,
    inviter: &User,
    invitee_name: &str,
    invitee_email: &str,
    locale: Locale,
    company: &str,
    token: &str,
) -> Result<OutgoingEmail, AppError> {
    let settings = state.store.vendor_settings().await?;
    let t = Tr::new(locale);
    let base_url = state.config.base_url.as_str();
    let link = format!("{base_url}/invitations/{token}");
    let text = InvitationText {
        t,
        name: invitee_name,
        portal: &settings.portal_name,
        inviter: &inviter.name,
        company,
        base_url,
        email: invitee_email,
        link: &link,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let html = InvitationHtml {
        t,
        name: invitee_name,
        portal: &settings.portal_name,
        inviter: &inviter.name,
        company,
        base_url,
        email: invitee_email,
        link: &link,
        primary: &settings.primary_colour,
    }
    .render()
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(OutgoingEmail {
        to: invitee_email.to_owned(),
        to_name: invitee_name.to_owned(),
        subject: t.with(
            "email-invitation-subject",
            [("portal", &settings.portal_name)],
        ),
        text,
        html,
    })
}

pub async fn invite(
    state: &AppState,
    inviter: &User,
    partner_id: PartnerId,
    input: InvitationInput<'_>,
) -> Result<User, AppError> {
    let viewer: Viewer = inviter.viewer();
    let partner = state.store.partner(&viewer, partner_id).await?;
    viewer.may_manage_users_of(partner.as_ref())?;
    let request = input.parse(partner_id)?;
    let token = secrets::new_token();
    let email = render(
        state,
        inviter,
        &request.name,
        request.email.as_str(),
        request.locale,
        &partner.name,
        &token,
    )
    .await?;
    let user = state
        .store
        .invite(&viewer, &request, &token, &email)
        .await?;
    state.outbox_changed();
    Ok(user)
}

pub async fn resend(state: &AppState, inviter: &User, user_id: UserId) -> Result<(), AppError> {
    let viewer = inviter.viewer();
    let invitee = state.store.user(&viewer, user_id).await?;
    let company = invitee.partner_name.clone().unwrap_or_default();
    let token = secrets::new_token();
    let email = render(
        state,
        inviter,
        &invitee.name,
        &invitee.email,
        invitee.locale,
        &company,
        &token,
    )
    .await?;
    state
        .store
        .resend_invitation(&viewer, user_id, &token, &email)
        .await?;
    state.outbox_changed();
    Ok(())
}
