//! Contacts over the API: list with search and keyset pages, read, create,
//! and update with `If-Match`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use openprm_domain::{
    AccountId, ContactId, DomainError, PartnerId, UserId, contacts::ContactInput,
};
use openprm_store::contacts::Contact;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, ErrorBody},
};

use super::{
    accounts::{RecordListParams, parse_record_list},
    extract::{ApiId, ApiJson, ApiQuery},
    leads::if_match,
};

#[derive(Deserialize, IntoParams)]
pub struct ContactListParams {
    /// all (default: everything the caller may see) or mine (what they own).
    pub view: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Only the contacts of this account.
    pub account_id: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ContactList {
    pub contacts: Vec<Contact>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The contacts the caller may see, by name, keyset-paginated; `q` searches
/// name, e-mail and title.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "contacts",
    params(ContactListParams),
    responses((status = 200, body = ContactList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<ContactListParams>,
) -> ApiResult<Json<ContactList>> {
    let query = parse_record_list(&RecordListParams {
        view: params.view,
        q: params.q,
        limit: params.limit,
        cursor: params.cursor,
    })?;
    let account = match params.account_id.as_deref().filter(|a| !a.is_empty()) {
        None => None,
        Some(raw) => Some(
            raw.parse::<AccountId>()
                .map_err(|_| DomainError::field("account_id", "error-account-unknown"))?,
        ),
    };
    let page = state
        .store
        .list_contacts(&caller.viewer(), account, &query)
        .await?;
    Ok(Json(ContactList {
        contacts: page.contacts,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct NewContactBody {
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: ContactInput,
    /// Vendor staff: the partner it is for (then `owner_id` is required).
    pub partner_id: Option<PartnerId>,
    /// Vendor staff: one of the partner's users; partner managers: a colleague.
    /// Default: the caller.
    pub owner_id: Option<UserId>,
}

/// Creates a contact, owned like an account; its account must be one the
/// caller can see, of the same company.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "contacts", request_body = NewContactBody,
    responses((status = 201, body = Contact), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewContactBody>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    let fields = body.fields.parse(None)?;
    let contact = state
        .store
        .create_contact(&caller.viewer(), &fields, body.partner_id, body.owner_id)
        .await?;
    Ok((StatusCode::CREATED, Json(contact)))
}

/// One contact; opening it puts it in the caller's Recent Items.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts", params(("id" = String, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<ContactId>,
) -> ApiResult<Json<Contact>> {
    let contact = state.store.contact(&caller.viewer(), id).await?;
    state
        .store
        .touch_recent(caller.user.id, "contact", id.0)
        .await?;
    Ok(Json(contact))
}

/// Updates a contact. `If-Match: <version>` is required; a stale version
/// answers 412 `version_conflict` and changes nothing.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "the contact's version")),
    request_body = ContactInput,
    responses((status = 200, body = Contact), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<ContactId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ContactInput>,
) -> ApiResult<Json<Contact>> {
    let viewer = caller.viewer();
    let current = state.store.contact(&viewer, id).await?;
    let version = if_match(&headers)?;
    let fields = body.parse(Some(&current.fields()))?;
    Ok(Json(
        state
            .store
            .update_contact(&viewer, id, version, &fields)
            .await?,
    ))
}
