//! Resources attached to a lead or an opportunity: links and files.
//!
//! Files are kept in the database (`resources.content`) so that every
//! instance behind a load balancer serves the same bytes. A resource is seen
//! by exactly those who see its record: every read goes through the record's
//! scoped read first, and anything else is "not found".

use openprm_domain::{
    DomainError, ResourceId, Viewer,
    deal_help::{self, AcceptedFile, DealRef},
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{DbTime, Store, StoreError, on_db};

/// A resource as listed: never its bytes.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Resource {
    pub id: ResourceId,
    /// `lead` or `opportunity`.
    pub record: String,
    pub record_id: Uuid,
    /// `link` or `file`.
    pub kind: String,
    pub title: String,
    /// For a link: where it goes.
    pub url: Option<String>,
    /// For a file: its name, type and size.
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
    /// For a file: where to download it (`/api/v1/resources/{id}`).
    pub download: Option<String>,
    pub created_by_name: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: OffsetDateTime,
}

/// A file as served.
#[derive(Clone, Debug)]
pub struct ResourceFile {
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// What is being attached, already checked.
#[derive(Clone, Debug)]
pub(crate) struct NewResource {
    pub id: ResourceId,
    pub title: String,
    pub url: Option<String>,
    pub file: Option<(AcceptedFile, Vec<u8>)>,
}

/// Inserts a resource on the executor given (the answer's transaction).
macro_rules! insert_resource {
    ($exec:expr, $now:expr, $record:expr, $actor:expr, $resource:expr) => {{
        let r: &$crate::deal_help::resources::NewResource = $resource;
        let file = r.file.as_ref();
        sqlx::query(
            "INSERT INTO resources (id, record_kind, record_id, kind, title, url, file_name, content_type, size_bytes, content, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(r.id.0)
        .bind($record.kind())
        .bind($record.uuid())
        .bind(if file.is_some() { "file" } else { "link" })
        .bind(&r.title)
        .bind(&r.url)
        .bind(file.map(|(f, _)| f.file_name.clone()))
        .bind(file.map(|(f, _)| f.kind.content_type()))
        .bind(file.map(|(_, bytes)| i64::try_from(bytes.len()).unwrap_or(i64::MAX)))
        .bind(file.map(|(_, bytes)| bytes.as_slice()))
        .bind($actor.0)
        .bind($crate::DbTime::from($now))
        .execute($exec)
        .await?;
    }};
}
pub(crate) use insert_resource;

#[derive(sqlx::FromRow)]
struct ResourceRow {
    id: Uuid,
    record_kind: String,
    record_id: Uuid,
    kind: String,
    title: String,
    url: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    size_bytes: Option<i64>,
    created_by_name: Option<String>,
    created_at: DbTime,
}

impl From<ResourceRow> for Resource {
    fn from(r: ResourceRow) -> Self {
        let file = r.kind == "file";
        Resource {
            id: ResourceId(r.id),
            record: r.record_kind,
            record_id: r.record_id,
            kind: r.kind,
            title: r.title,
            url: r.url,
            file_name: r.file_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            download: file.then(|| format!("/api/v1/resources/{}", r.id)),
            created_by_name: r.created_by_name,
            created_at: r.created_at.0,
        }
    }
}

const SELECT_RESOURCE: &str = "SELECT r.id, r.record_kind, r.record_id, r.kind, r.title, r.url, r.file_name, \
     r.content_type, r.size_bytes, u.name AS created_by_name, r.created_at \
     FROM resources r LEFT JOIN users u ON u.id = r.created_by";

impl Store {
    /// The record's resources, newest first; only for a record the caller sees.
    pub async fn resources(
        &self,
        viewer: &Viewer,
        record: DealRef,
    ) -> Result<Vec<Resource>, StoreError> {
        self.deal_place(viewer, record).await?;
        let sql = format!(
            "{SELECT_RESOURCE} WHERE r.record_kind = $1 AND r.record_id = $2 ORDER BY r.created_at DESC, r.id DESC"
        );
        let rows: Vec<ResourceRow> = on_db!(self, pool => {
            sqlx::query_as(&sql).bind(record.kind()).bind(record.uuid()).fetch_all(pool).await
        })?;
        Ok(rows.into_iter().map(Resource::from).collect())
    }

    /// Vendor staff attach a link to a record they see.
    #[tracing::instrument(skip(self, title, url))]
    pub async fn add_link_resource(
        &self,
        viewer: &Viewer,
        record: DealRef,
        title: &str,
        url: &str,
    ) -> Result<Resource, StoreError> {
        let place = self.deal_place(viewer, record).await?;
        deal_help::may_answer(viewer.role)?;
        let mut errors = openprm_domain::FieldErrors::new();
        let title = deal_help::parse_title(title).map_err(|e| merge(&mut errors, e));
        let url = deal_help::parse_url(url).map_err(|e| merge(&mut errors, e));
        errors.into_result()?;
        let (Ok(title), Ok(url)) = (title, url) else {
            return Err(DomainError::Invalid("error-validation").into());
        };
        let resource = NewResource {
            id: ResourceId::new(),
            title,
            url: Some(url),
            file: None,
        };
        self.attach(viewer, &place, resource).await
    }

    /// Vendor staff attach a file to a record they see. The title defaults
    /// to the file's name.
    #[tracing::instrument(skip(self, title, content), fields(size = content.len()))]
    pub async fn add_file_resource(
        &self,
        viewer: &Viewer,
        record: DealRef,
        title: &str,
        file_name: &str,
        content: Vec<u8>,
    ) -> Result<Resource, StoreError> {
        let place = self.deal_place(viewer, record).await?;
        deal_help::may_answer(viewer.role)?;
        let accepted = deal_help::check_file(file_name, &content)?;
        let title = if title.trim().is_empty() {
            deal_help::parse_title(&accepted.file_name)?
        } else {
            deal_help::parse_title(title)?
        };
        let resource = NewResource {
            id: ResourceId::new(),
            title,
            url: None,
            file: Some((accepted, content)),
        };
        self.attach(viewer, &place, resource).await
    }

    async fn attach(
        &self,
        viewer: &Viewer,
        place: &super::DealPlace,
        resource: NewResource,
    ) -> Result<Resource, StoreError> {
        let settings = self.vendor_settings().await?;
        self.record_answer(
            viewer,
            place,
            &settings,
            "resource",
            &resource.title,
            Some(&resource),
        )
        .await?;
        self.resource(viewer, resource.id).await
    }

    /// One resource, if the caller sees its record.
    pub async fn resource(&self, viewer: &Viewer, id: ResourceId) -> Result<Resource, StoreError> {
        let sql = format!("{SELECT_RESOURCE} WHERE r.id = $1");
        let row: Option<ResourceRow> =
            on_db!(self, pool => sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await)?;
        let row = row.ok_or_else(StoreError::not_found)?;
        let record =
            DealRef::parse(&row.record_kind, row.record_id).ok_or_else(StoreError::not_found)?;
        self.deal_place(viewer, record).await?;
        Ok(row.into())
    }

    /// A file's bytes, if the caller sees its record; a link has none.
    pub async fn resource_file(
        &self,
        viewer: &Viewer,
        id: ResourceId,
    ) -> Result<ResourceFile, StoreError> {
        let resource = self.resource(viewer, id).await?;
        let (Some(file_name), Some(content_type)) = (resource.file_name, resource.content_type)
        else {
            return Err(StoreError::not_found());
        };
        let row: Option<(Vec<u8>,)> = on_db!(self, pool => {
            sqlx::query_as("SELECT content FROM resources WHERE id = $1 AND content IS NOT NULL")
                .bind(id.0)
                .fetch_optional(pool)
                .await
        })?;
        let (content,) = row.ok_or_else(StoreError::not_found)?;
        Ok(ResourceFile {
            file_name,
            content_type,
            content,
        })
    }
}

/// Adds a field error to `errors`, so a form hears of every bad field at once.
fn merge(errors: &mut openprm_domain::FieldErrors, error: DomainError) {
    if let DomainError::Validation(fields) = error {
        for (field, key) in fields.0 {
            errors.add(&field, &key);
        }
    }
}
