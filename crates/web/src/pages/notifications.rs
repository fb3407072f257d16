//! `/settings/notifications`: which e-mails the signed-in user gets, one
//! checkbox per kind (reached from the user menu). An unchecked box sends
//! nothing, so the form names every kind it shows and saves all of them.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Extension,
    extract::{Query, State},
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::notifications::NotificationKind;
use openprm_store::notifications::NotificationSetting;
use serde::Deserialize;

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
};

use super::{Chrome, PageError, PageForm, render};

#[derive(Template)]
#[template(path = "notification_settings.html")]
pub struct NotificationsPage {
    pub chrome: Chrome,
    /// (key, label, hint, on)
    pub kinds: Vec<(String, String, String, bool)>,
    pub saved: bool,
}

#[derive(Default, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    pub saved: Option<String>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    saved: bool,
) -> Result<Response, AppError> {
    let settings = state.store.notification_settings(&caller.viewer()).await?;
    let chrome = Chrome::build(state, caller, csrf, "home", "notifications-title").await?;
    let t = chrome.t;
    let kinds = settings
        .into_iter()
        .map(|s| {
            let key = s.kind.as_str();
            (
                key.to_owned(),
                t.get(&format!("notifications-kind-{key}")),
                t.get(&format!("notifications-hint-{key}")),
                s.enabled,
            )
        })
        .collect();
    render(&NotificationsPage {
        chrome,
        kinds,
        saved,
    })
}

/// `GET /settings/notifications`
pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    Query(query): Query<SavedQuery>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    page(&state, &caller, &csrf, query.saved.is_some())
        .await
        .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

/// `POST /settings/notifications`: every kind, on when its box was checked.
pub async fn save(
    State(state): State<AppState>,
    PageCaller(caller): PageCaller,
    PageForm(form): PageForm<HashMap<String, String>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let settings: Vec<NotificationSetting> = NotificationKind::ALL
        .into_iter()
        .map(|kind| NotificationSetting {
            kind,
            enabled: form.contains_key(kind.as_str()),
        })
        .collect();
    match state
        .store
        .set_notification_settings(&caller.viewer(), &settings)
        .await
    {
        Ok(_) => Redirect::to("/settings/notifications?saved=1").into_response(),
        Err(e) => PageError::new(e, t).into_response(),
    }
}
