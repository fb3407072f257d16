//! The `as_of` parameter of a record's timeline: the record's fields and
//! timeline as they were at a moment (spec flow 11).

use openprm_domain::DomainError;
use serde::Deserialize;
use time::{OffsetDateTime, format_description::well_known::Rfc3339};
use utoipa::IntoParams;

use crate::error::AppError;

#[derive(Default, Deserialize, IntoParams)]
pub struct AsOfParams {
    /// An RFC 3339 moment (`2026-06-30T12:00:00Z`): answer with the fields as
    /// they were then and the entries up to then, instead of the whole timeline.
    pub as_of: Option<String>,
}

/// The moment asked for; a value that is not RFC 3339, or outside the years
/// 1970–9999, is the `as_of` field's error.
pub fn parse_as_of(text: &str) -> Result<OffsetDateTime, AppError> {
    let bad = || AppError::Domain(DomainError::field("as_of", "error-as-of-invalid"));
    let at = OffsetDateTime::parse(text.trim(), &Rfc3339).map_err(|_| bad())?;
    if !(1970..=9999).contains(&at.year()) {
        return Err(bad());
    }
    Ok(at.to_offset(time::UtcOffset::UTC))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_rfc3339_in_a_sane_range() {
        assert!(parse_as_of("2026-06-30T12:00:00Z").is_ok());
        assert!(parse_as_of("2026-06-30T14:00:00+02:00").is_ok());
        assert!(parse_as_of("yesterday").is_err());
        assert!(parse_as_of("2026-06-30").is_err());
        assert!(parse_as_of("0001-01-01T00:00:00Z").is_err());
    }
}
