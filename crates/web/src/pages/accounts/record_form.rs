//! New, Create, Edit and Save for a kind of owned record (accounts,
//! contacts): one flow, so the two kinds cannot drift apart in how they check
//! rights, keep the user's input on an error or report someone else's change.
//!
//! The edit form carries the version the user started from and the values
//! they saw; saving over someone else's change is refused as a conflict and
//! the form comes back with the user's input kept, what the other person
//! changed, and the current version.

use std::{collections::BTreeMap, fmt::Display};

use askama::Template;
use axum::{
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{DomainError, PartnerId, UserId, Viewer, accounts::may_edit_owned};
use openprm_store::StoreError;

use crate::{
    AppState,
    auth::Caller,
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, leads::translate, render},
};

use super::{FormField, TheirChange, decode, their_changes};

/// What the shared flow needs to know of one kind; everything else is the same.
pub trait RecordKind {
    type Id: Copy + Display + Send + Sync;
    type Record: Send + Sync;
    /// The form's values as typed, including `version` and `original`.
    type Form: Send + Sync;
    /// The validated fields the store saves.
    type Fields: Send + Sync;

    /// The tab and the path (`accounts`: `/accounts/{id}`), and the text keys
    /// `tab-accounts`, `accounts-new` and `accounts-create`.
    const MANY: &'static str;
    /// The text keys `account-edit-title` and `account-edit-heading`, and the
    /// form's element id `account-form`.
    const ONE: &'static str;

    fn id(record: &Self::Record) -> Self::Id;
    fn name(record: &Self::Record) -> &str;
    /// The partner and the user it belongs to, for the right to edit it.
    fn owners(record: &Self::Record) -> (Option<PartnerId>, Option<UserId>);

    fn load(
        state: &AppState,
        viewer: &Viewer,
        id: Self::Id,
    ) -> impl Future<Output = Result<Self::Record, StoreError>> + Send;
    fn create(
        state: &AppState,
        viewer: &Viewer,
        fields: &Self::Fields,
    ) -> impl Future<Output = Result<Self::Record, StoreError>> + Send;
    fn update(
        state: &AppState,
        viewer: &Viewer,
        id: Self::Id,
        version: i64,
        fields: &Self::Fields,
    ) -> impl Future<Output = Result<Self::Record, StoreError>> + Send;

    /// The form's values checked; `current` is the record being edited.
    fn parse(
        form: &Self::Form,
        current: Option<&Self::Record>,
    ) -> Result<Self::Fields, DomainError>;
    /// The form filled in with the record as it is now.
    fn form_of(record: &Self::Record) -> Self::Form;
    /// The form's values by field name, as [`super::encode`] carries them.
    fn seen(form: &Self::Form) -> BTreeMap<String, String>;
    /// The form's `version` and `original`.
    fn stamp(form: &mut Self::Form) -> (&mut String, &mut String);
    /// A field's label, by its form name.
    fn label(t: Tr, field: &str) -> String;
    /// The inputs as the form template draws them.
    fn fields(
        state: &AppState,
        caller: &Caller,
        t: Tr,
        record: Option<&Self::Record>,
        form: &Self::Form,
        errors: &BTreeMap<String, String>,
    ) -> impl Future<Output = Result<Vec<FormField>, AppError>> + Send;
}

#[derive(Template)]
#[template(path = "record_form.html")]
pub struct RecordFormPage {
    pub chrome: Chrome,
    pub heading: String,
    pub action: String,
    pub cancel: String,
    pub back: String,
    pub editing: bool,
    pub version: String,
    pub original: String,
    pub fields: Vec<FormField>,
    pub has_errors: bool,
    pub conflict: Option<Vec<TheirChange>>,
    pub submit: String,
    pub form_id: String,
}

struct FormState<F> {
    form: F,
    errors: BTreeMap<String, String>,
    conflict: Option<Vec<TheirChange>>,
}

impl<F> FormState<F> {
    fn fresh(form: F) -> Self {
        FormState {
            form,
            errors: BTreeMap::new(),
            conflict: None,
        }
    }

    fn invalid(form: F, t: Tr, errors: openprm_domain::FieldErrors) -> Self {
        FormState {
            form,
            errors: translate(t, errors),
            conflict: None,
        }
    }
}

async fn form_page<K: RecordKind>(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    record: Option<&K::Record>,
    mut input: FormState<K::Form>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (many, one) = (K::MANY, K::ONE);
    let title = match record {
        Some(_) => format!("{one}-edit-title"),
        None => format!("{many}-new"),
    };
    let chrome = Chrome::build(state, caller, csrf, many, &title).await?;
    let t = chrome.t;
    let (heading, action, cancel, back) = match record {
        Some(r) => (
            t.with(&format!("{one}-edit-heading"), [("name", K::name(r))]),
            format!("/{many}/{}/edit", K::id(r)),
            format!("/{many}/{}", K::id(r)),
            K::name(r).to_owned(),
        ),
        None => (
            t.get(&format!("{many}-new")),
            format!("/{many}"),
            format!("/{many}"),
            t.get(&format!("tab-{many}")),
        ),
    };
    let fields = K::fields(state, caller, t, record, &input.form, &input.errors).await?;
    let (version, original) = K::stamp(&mut input.form);
    let mut response = render(&RecordFormPage {
        heading,
        action,
        cancel,
        back,
        editing: record.is_some(),
        version: version.clone(),
        original: original.clone(),
        fields,
        has_errors: !input.errors.is_empty(),
        conflict: input.conflict,
        submit: match record {
            Some(_) => t.get("action-save"),
            None => t.get(&format!("{many}-create")),
        },
        form_id: format!("{one}-form"),
        chrome,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// A page's result, or the error page in the caller's language.
fn or_error_page(result: Result<Response, AppError>, caller: &Caller) -> Response {
    result.unwrap_or_else(|e| PageError::new(e, Tr::new(caller.user.locale)).into_response())
}

/// `GET /{kind}/new`, with the form filled in as given.
pub async fn new<K: RecordKind>(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    form: K::Form,
) -> Response {
    let result = async {
        let input = FormState::fresh(form);
        form_page::<K>(&state, &caller, &csrf, None, input, StatusCode::OK).await
    }
    .await;
    or_error_page(result, &caller)
}

/// `POST /{kind}`: creates the record (the caller's own, for their company,
/// or the vendor's) and opens it.
pub async fn create<K: RecordKind>(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    form: K::Form,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let attempt = match K::parse(&form, None) {
            Ok(fields) => K::create(&state, &caller.viewer(), &fields).await,
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(record) => {
                Ok(Redirect::to(&format!("/{}/{}", K::MANY, K::id(&record))).into_response())
            }
            Err(StoreError::Domain(DomainError::Validation(errors))) => {
                let input = FormState::invalid(form, t, errors);
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                form_page::<K>(&state, &caller, &csrf, None, input, status).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    or_error_page(result, &caller)
}

/// `GET /{kind}/{id}/edit`
pub async fn edit<K: RecordKind>(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    id: K::Id,
) -> Response {
    let result = async {
        let viewer = caller.viewer();
        let record = K::load(&state, &viewer, id).await?;
        let (partner, owner) = K::owners(&record);
        may_edit_owned(&viewer, partner, owner)?;
        let input = FormState::fresh(K::form_of(&record));
        let status = StatusCode::OK;
        form_page::<K>(&state, &caller, &csrf, Some(&record), input, status).await
    }
    .await;
    or_error_page(result, &caller)
}

/// `POST /{kind}/{id}/edit`: Save, back to the record's page.
pub async fn save<K: RecordKind>(
    state: AppState,
    csrf: CsrfToken,
    caller: Caller,
    id: K::Id,
    mut form: K::Form,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        let viewer = caller.viewer();
        let current = K::load(&state, &viewer, id).await?;
        let (partner, owner) = K::owners(&current);
        may_edit_owned(&viewer, partner, owner)?;
        // A version that is not a number cannot be current: it is a conflict.
        let version = K::stamp(&mut form).0.trim().parse::<i64>().unwrap_or(-1);
        let attempt = match K::parse(&form, Some(&current)) {
            Ok(fields) => K::update(&state, &viewer, id, version, &fields).await,
            Err(e) => Err(e.into()),
        };
        match attempt {
            Ok(_) => Ok(Redirect::to(&format!("/{}/{id}", K::MANY)).into_response()),
            Err(StoreError::Domain(DomainError::VersionConflict)) => {
                let now = K::load(&state, &viewer, id).await?;
                let mut fresh = K::form_of(&now);
                let (version, original) = K::stamp(&mut form);
                let changes = their_changes(decode(original), &K::seen(&fresh), |f| K::label(t, f));
                // The user's input stays; the version and the values seen are now's.
                let (fresh_version, fresh_original) = K::stamp(&mut fresh);
                *version = std::mem::take(fresh_version);
                *original = std::mem::take(fresh_original);
                let input = FormState {
                    form,
                    errors: BTreeMap::new(),
                    conflict: Some(changes),
                };
                let status = StatusCode::CONFLICT;
                form_page::<K>(&state, &caller, &csrf, Some(&now), input, status).await
            }
            Err(StoreError::Domain(DomainError::Validation(errors))) => {
                let input = FormState::invalid(form, t, errors);
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                form_page::<K>(&state, &caller, &csrf, Some(&current), input, status).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    or_error_page(result, &caller)
}
