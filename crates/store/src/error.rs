//! The store's error: a domain refusal, a broken constraint, or a database fault.

use openprm_domain::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A unique constraint held: the caller tried to create something that exists.
    /// Carries the constraint's name so the web layer can name the field.
    #[error("already exists ({0})")]
    Duplicate(String),
    #[error("the database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error
            && db.is_unique_violation()
        {
            // SQLite names the columns rather than the index; PostgreSQL the index.
            let name = db
                .constraint()
                .map(str::to_owned)
                .unwrap_or_else(|| db.message().to_owned());
            return StoreError::Duplicate(name);
        }
        StoreError::Database(error)
    }
}

impl StoreError {
    pub fn not_found() -> Self {
        StoreError::Domain(DomainError::NotFound)
    }

    /// Whether a unique-constraint violation concerns the named column or index.
    pub fn is_duplicate_of(&self, needle: &str) -> bool {
        matches!(self, StoreError::Duplicate(name) if name.contains(needle))
    }
}
