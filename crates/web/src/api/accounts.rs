//! Accounts over the API: list with search and keyset pages, read, create,
//! and update with `If-Match`.

use axum::{
    Json,
    extract::State,
    http::{HeaderMap, StatusCode},
};
use openprm_domain::{
    AccountId, DomainError, FieldErrors, PartnerId, UserId,
    accounts::{AccountInput, search_text},
};
use openprm_store::{
    accounts::Account,
    record_list::{RecordQuery, RecordView},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    AppState,
    auth::ApiCaller,
    error::{ApiResult, AppError, ErrorBody},
};

use super::{
    extract::{ApiId, ApiJson, ApiQuery},
    leads::if_match,
};

#[derive(Deserialize, IntoParams, Default)]
pub struct RecordListParams {
    /// all (default: everything the caller may see) or mine (what they own).
    pub view: Option<String>,
    /// Search text.
    pub q: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Parses the list parameters shared by the API and the Accounts and Contacts tabs.
pub fn parse_record_list(params: &RecordListParams) -> Result<RecordQuery, AppError> {
    let mut errors = FieldErrors::new();
    let view = RecordView::parse(params.view.as_deref().unwrap_or("")).unwrap_or_else(|| {
        errors.add("view", "error-view-unknown");
        RecordView::All
    });
    let search = search_text(params.q.as_deref()).unwrap_or_else(|e| {
        if let DomainError::Validation(fields) = e {
            for (field, key) in fields.0 {
                errors.add(&field, &key);
            }
        }
        None
    });
    if params.limit.is_some_and(|l| l == 0 || l > 200) {
        errors.add("limit", "error-out-of-range");
    }
    errors.into_result()?;
    Ok(RecordQuery {
        view,
        search,
        limit: params.limit.unwrap_or(50),
        cursor: params.cursor.clone(),
    })
}

#[derive(Serialize, ToSchema)]
pub struct AccountList {
    pub accounts: Vec<Account>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The accounts the caller may see, by name, keyset-paginated; `q` searches
/// name and domain.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(RecordListParams),
    responses((status = 200, body = AccountList), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiQuery(params): ApiQuery<RecordListParams>,
) -> ApiResult<Json<AccountList>> {
    let query = parse_record_list(&params)?;
    let page = state.store.list_accounts(&caller.viewer(), &query).await?;
    Ok(Json(AccountList {
        accounts: page.accounts,
        next_cursor: page.next_cursor,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct NewAccountBody {
    #[serde(flatten)]
    #[schema(inline)]
    pub fields: AccountInput,
    /// Vendor staff: the partner it is for (then `owner_id` is required).
    pub partner_id: Option<PartnerId>,
    /// Vendor staff: one of the partner's users; partner managers: a colleague.
    /// Default: the caller. Vendor staff giving neither create a vendor account.
    pub owner_id: Option<UserId>,
}

/// Creates an account. Partner users own what they create; partner managers
/// create for their company; vendor staff for a partner user or the vendor.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = NewAccountBody,
    responses((status = 201, body = Account), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiJson(body): ApiJson<NewAccountBody>,
) -> ApiResult<(StatusCode, Json<Account>)> {
    let fields = body.fields.parse(None)?;
    let account = state
        .store
        .create_account(&caller.viewer(), &fields, body.partner_id, body.owner_id)
        .await?;
    Ok((StatusCode::CREATED, Json(account)))
}

/// One account; opening it puts it in the caller's Recent Items.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = Account), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<AccountId>,
) -> ApiResult<Json<Account>> {
    let account = state.store.account(&caller.viewer(), id).await?;
    state
        .store
        .touch_recent(caller.user.id, "account", id.0)
        .await?;
    Ok(Json(account))
}

/// Updates an account. `If-Match: <version>` is required; a stale version
/// answers 412 `version_conflict` and changes nothing.
#[utoipa::path(patch, path = "/api/v1/accounts/{id}", tag = "accounts",
    params(("id" = String, Path), ("If-Match" = String, Header, description = "the account's version")),
    request_body = AccountInput,
    responses((status = 200, body = Account), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 412, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    ApiId(id): ApiId<AccountId>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AccountInput>,
) -> ApiResult<Json<Account>> {
    let viewer = caller.viewer();
    let current = state.store.account(&viewer, id).await?;
    let version = if_match(&headers)?;
    let fields = body.parse(Some(&current.fields()))?;
    Ok(Json(
        state
            .store
            .update_account(&viewer, id, version, &fields)
            .await?,
    ))
}
