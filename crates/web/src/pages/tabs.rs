//! The tabs whose records arrive with later features: each shows an honest
//! empty state, never sample data.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Response},
};

use crate::{AppState, auth::PageCaller, csrf::CsrfToken};

use super::{Chrome, PageError, render};

#[derive(Template)]
#[template(path = "empty_tab.html")]
pub struct EmptyTabPage {
    pub chrome: Chrome,
    pub heading: String,
    pub body: String,
    /// Somewhere the tab already leads (the Dashboard: the activity feed).
    pub link: Option<(String, String)>,
}

async fn show(
    state: AppState,
    csrf: CsrfToken,
    caller: crate::auth::Caller,
    key: &'static str,
) -> Response {
    let t = crate::i18n::Tr::new(caller.user.locale);
    let result = async {
        let chrome = Chrome::build(&state, &caller, &csrf, key, &format!("tab-{key}")).await?;
        let heading = chrome.t.get(&format!("empty-{key}-title"));
        let body = chrome.t.get(&format!("empty-{key}-body"));
        let link = (key == "dashboard" && caller.user.role.is_vendor())
            .then(|| ("/activity".to_owned(), chrome.t.get("activity-title")));
        render(&EmptyTabPage {
            chrome,
            heading,
            body,
            link,
        })
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

macro_rules! tab_handler {
    ($name:ident, $key:literal) => {
        pub async fn $name(
            State(state): State<AppState>,
            Extension(csrf): Extension<CsrfToken>,
            PageCaller(caller): PageCaller,
        ) -> Response {
            show(state, csrf, caller, $key).await
        }
    };
}

tab_handler!(resources, "resources");
tab_handler!(dashboard, "dashboard");
