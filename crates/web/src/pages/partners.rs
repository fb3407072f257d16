//! Partner accounts: the list (vendor staff), one partner's page with its
//! people, inviting and managing them, and editing the account.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, PartnerId, Role, Tier, UserId};
use openprm_store::{partners::Partner, users::User};
use serde::Deserialize;

use crate::{
    AppState,
    api::partners::PartnerInput,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    services::invitations::{self, InvitationInput},
};

use super::{Chrome, PageError, PageForm, PageId, render};

#[derive(Template)]
#[template(path = "partners.html")]
pub struct PartnersPage {
    pub chrome: Chrome,
    pub partners: Vec<Partner>,
    pub channel_managers: Vec<User>,
    pub may_create: bool,
    pub form: PartnerFormValues,
    pub errors: std::collections::BTreeMap<String, String>,
}

#[derive(Template)]
#[template(path = "partner.html")]
pub struct PartnerPage {
    pub chrome: Chrome,
    pub partner: Partner,
    pub users: Vec<User>,
    pub may_manage_users: bool,
    pub may_edit: bool,
    pub may_change_manager: bool,
    pub channel_managers: Vec<User>,
    pub invite: InviteFormValues,
    pub form: PartnerFormValues,
    pub errors: std::collections::BTreeMap<String, String>,
    pub notice: Option<String>,
    pub invite_title: String,
}

#[derive(Default, Deserialize)]
pub struct InviteFormValues {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub locale: String,
}

#[derive(Default, Deserialize)]
pub struct PartnerFormValues {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub tier: String,
    #[serde(default)]
    pub channel_manager_id: String,
    #[serde(default)]
    pub brand_name: String,
    #[serde(default)]
    pub logo_url: String,
    #[serde(default)]
    pub primary_colour: String,
    #[serde(default)]
    pub accent_colour: String,
}

impl PartnerFormValues {
    fn from_partner(p: &Partner) -> Self {
        Self {
            name: p.name.clone(),
            tier: p.tier.as_str().into(),
            channel_manager_id: p
                .channel_manager_id
                .map(|u| u.to_string())
                .unwrap_or_default(),
            brand_name: p.brand_name.clone().unwrap_or_default(),
            logo_url: p.logo_url.clone().unwrap_or_default(),
            primary_colour: p.primary_colour.clone().unwrap_or_default(),
            accent_colour: p.accent_colour.clone().unwrap_or_default(),
        }
    }

    fn to_input(&self) -> PartnerInput {
        PartnerInput {
            name: Some(self.name.clone()),
            tier: Some(self.tier.clone()).filter(|t| !t.is_empty()),
            channel_manager_id: Some(self.channel_manager_id.clone()),
            brand_name: Some(self.brand_name.clone()),
            logo_url: Some(self.logo_url.clone()),
            primary_colour: Some(self.primary_colour.clone()),
            accent_colour: Some(self.accent_colour.clone()),
        }
    }
}

fn translate(
    t: Tr,
    fields: openprm_domain::FieldErrors,
) -> std::collections::BTreeMap<String, String> {
    fields.0.into_iter().map(|(k, v)| (k, t.get(&v))).collect()
}

async fn channel_managers(state: &AppState, caller: &Caller) -> Result<Vec<User>, AppError> {
    if caller.user.role != Role::Admin {
        return Ok(Vec::new());
    }
    let users = state.store.users(&caller.viewer(), None).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.role == Role::ChannelManager && u.active)
        .collect())
}

async fn list_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    form: PartnerFormValues,
    errors: std::collections::BTreeMap<String, String>,
) -> Result<Response, AppError> {
    if !caller.user.role.is_vendor() {
        return Err(DomainError::NotFound.into());
    }
    let chrome = Chrome::build(state, caller, csrf, "partners", "tab-partners").await?;
    let partners = state.store.partners(&caller.viewer()).await?;
    let channel_managers = channel_managers(state, caller).await?;
    let failed = !errors.is_empty();
    let mut response = render(&PartnersPage {
        chrome,
        partners,
        channel_managers,
        may_create: caller.user.role == Role::Admin,
        form,
        errors,
    })?;
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    list_page(
        &state,
        &caller,
        &csrf,
        PartnerFormValues::default(),
        Default::default(),
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<PartnerFormValues>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let fields = match form.to_input().into_fields(None) {
            Ok(fields) => fields,
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                return list_page(&state, &caller, &csrf, form, translate(t, errors)).await;
            }
            Err(e) => return Err(e),
        };
        match state
            .store
            .create_partner(Some(&caller.viewer()), &fields)
            .await
        {
            Ok(partner) => Ok(Redirect::to(&format!("/partners/{}", partner.id)).into_response()),
            Err(openprm_store::StoreError::Domain(DomainError::Validation(errors))) => {
                list_page(&state, &caller, &csrf, form, translate(t, errors)).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

struct PartnerPageInput {
    invite: InviteFormValues,
    form: Option<PartnerFormValues>,
    errors: std::collections::BTreeMap<String, String>,
    notice: Option<String>,
}

async fn partner_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    id: PartnerId,
    input: PartnerPageInput,
) -> Result<Response, AppError> {
    let viewer = caller.viewer();
    let partner = state.store.partner(&viewer, id).await?;
    state
        .store
        .touch_recent(caller.user.id, "partner", partner.id.0)
        .await?;
    let chrome = Chrome::build(
        state,
        caller,
        csrf,
        if caller.user.role.is_vendor() {
            "partners"
        } else {
            ""
        },
        "partner-title",
    )
    .await?;
    let users = state.store.users(&viewer, Some(id)).await?;
    let chrome_t = chrome.t;
    let partner_name = partner.name.clone();
    let failed = !input.errors.is_empty();
    let form = input
        .form
        .unwrap_or_else(|| PartnerFormValues::from_partner(&partner));
    let mut response = render(&PartnerPage {
        may_manage_users: viewer.may_manage_users_of(partner.as_ref()).is_ok(),
        may_edit: viewer.may_edit_partner(partner.as_ref(), false).is_ok(),
        may_change_manager: viewer.may_edit_partner(partner.as_ref(), true).is_ok(),
        channel_managers: channel_managers(state, caller).await?,
        chrome,
        partner,
        users,
        invite: input.invite,
        form,
        errors: input.errors,
        notice: input.notice,
        invite_title: if caller.user.role.is_partner() {
            chrome_t.get("invite-title")
        } else {
            chrome_t.with("invite-title-vendor", [("partner", partner_name.as_str())])
        },
    })?;
    if failed {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<PartnerId>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let t = Tr::new(caller.user.locale);
    // `?invited=<user id>` follows a sent invitation and names the invitee in a notice.
    let invited = query.as_deref().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "invited")
            .and_then(|(_, v)| v.parse::<UserId>().ok())
    });
    let notice = match invited {
        // Only a user the caller may see is named; anything else is ignored.
        Some(user) => state
            .store
            .user(&caller.viewer(), user)
            .await
            .ok()
            .map(|u| t.with("invitation-sent", [("email", u.email.as_str())])),
        None => None,
    };
    let input = PartnerPageInput {
        invite: InviteFormValues::default(),
        form: None,
        errors: Default::default(),
        notice,
    };
    partner_page(&state, &caller, &csrf, id, input)
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

pub async fn update(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<PartnerId>,
    PageForm(form): PageForm<PartnerFormValues>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let current = state.store.partner(&viewer, id).await?;
        let attempt = match form.to_input().into_fields(Some(&current)) {
            Ok(fields) => state
                .store
                .update_partner(&viewer, id, &fields)
                .await
                .map_err(AppError::from),
            Err(e) => Err(e),
        };
        match attempt {
            Ok(_) => Ok(Redirect::to(&format!("/partners/{id}")).into_response()),
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                let input = PartnerPageInput {
                    invite: Default::default(),
                    form: Some(form),
                    errors: translate(t, errors),
                    notice: None,
                };
                partner_page(&state, &caller, &csrf, id, input).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

pub async fn invite(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<PartnerId>,
    PageForm(form): PageForm<InviteFormValues>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let input = InvitationInput {
            email: &form.email,
            name: &form.name,
            role: &form.role,
            locale: Some(&form.locale),
        };
        match invitations::invite(&state, &caller.user, id, input).await {
            // Back to the partner page by redirect, so reloading it does not invite twice.
            Ok(user) => {
                Ok(Redirect::to(&format!("/partners/{id}?invited={}", user.id)).into_response())
            }
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                let input = PartnerPageInput {
                    invite: form,
                    form: None,
                    errors: translate(t, errors),
                    notice: None,
                };
                partner_page(&state, &caller, &csrf, id, input).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// What can be done to a user from their partner's page.
#[derive(Clone, Copy)]
enum UserAction {
    Deactivate,
    Reactivate,
    Resend,
    Revoke,
}

async fn user_action(state: AppState, caller: Caller, id: UserId, action: UserAction) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let target = state.store.user(&viewer, id).await?;
        match action {
            UserAction::Deactivate => drop(state.store.set_user_active(&viewer, id, false).await?),
            UserAction::Reactivate => drop(state.store.set_user_active(&viewer, id, true).await?),
            UserAction::Resend => invitations::resend(&state, &caller.user, id).await?,
            UserAction::Revoke => state.store.revoke_invitation(&viewer, id).await?,
        }
        let back = target
            .partner_id
            .map(|p| format!("/partners/{p}"))
            .unwrap_or_else(|| "/admin".into());
        Ok::<_, AppError>(Redirect::to(&back).into_response())
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

macro_rules! user_action_handler {
    ($name:ident, $action:expr) => {
        pub async fn $name(
            State(state): State<AppState>,
            PageCaller(caller): PageCaller,
            PageId(id): PageId<UserId>,
        ) -> Response {
            user_action(state, caller, id, $action).await
        }
    };
}

user_action_handler!(deactivate_user, UserAction::Deactivate);
user_action_handler!(reactivate_user, UserAction::Reactivate);
user_action_handler!(resend_invitation, UserAction::Resend);
user_action_handler!(revoke_invitation, UserAction::Revoke);

/// Tiers in the order a form offers them.
pub fn tiers() -> [Tier; 4] {
    Tier::ALL
}
