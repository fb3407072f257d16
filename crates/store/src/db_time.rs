//! Timestamps that sort the same on both backends.
//!
//! PostgreSQL keeps them as `TIMESTAMPTZ`. SQLite has no time type, so they are
//! kept as UTC text of fixed width (`2026-11-27T09:00:00.000000Z`): fixed width
//! makes text order equal time order, which range filters and keyset pagination
//! rely on. Both are truncated to microseconds, PostgreSQL's precision, so a
//! value reads back equal to what was written.

use sqlx::{
    Decode, Encode, Postgres, Sqlite, Type,
    encode::IsNull,
    error::BoxDynError,
    postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef},
    sqlite::{SqliteArgumentValue, SqliteTypeInfo, SqliteValueRef},
};
use time::{OffsetDateTime, UtcOffset, format_description::FormatItem, macros::format_description};

const SQLITE_FORMAT: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DbTime(pub OffsetDateTime);

impl From<OffsetDateTime> for DbTime {
    fn from(t: OffsetDateTime) -> Self {
        let utc = t.to_offset(UtcOffset::UTC);
        let micros = utc.nanosecond() / 1_000 * 1_000;
        Self(utc.replace_nanosecond(micros).unwrap_or(utc))
    }
}

impl From<DbTime> for OffsetDateTime {
    fn from(t: DbTime) -> Self {
        t.0
    }
}

impl Type<Sqlite> for DbTime {
    fn type_info() -> SqliteTypeInfo {
        <String as Type<Sqlite>>::type_info()
    }
    fn compatible(ty: &SqliteTypeInfo) -> bool {
        <String as Type<Sqlite>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Sqlite> for DbTime {
    fn encode_by_ref(&self, buf: &mut Vec<SqliteArgumentValue<'q>>) -> Result<IsNull, BoxDynError> {
        let text = DbTime::from(self.0).0.format(SQLITE_FORMAT)?;
        <String as Encode<'q, Sqlite>>::encode(text, buf)
    }
}

impl<'r> Decode<'r, Sqlite> for DbTime {
    fn decode(value: SqliteValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <&str as Decode<Sqlite>>::decode(value)?;
        let parsed = OffsetDateTime::parse(text, SQLITE_FORMAT).or_else(|_| {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        })?;
        Ok(DbTime::from(parsed))
    }
}

impl Type<Postgres> for DbTime {
    fn type_info() -> PgTypeInfo {
        <OffsetDateTime as Type<Postgres>>::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        <OffsetDateTime as Type<Postgres>>::compatible(ty)
    }
}

impl Encode<'_, Postgres> for DbTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <OffsetDateTime as Encode<Postgres>>::encode_by_ref(&DbTime::from(self.0).0, buf)
    }
}

impl<'r> Decode<'r, Postgres> for DbTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(DbTime::from(<OffsetDateTime as Decode<Postgres>>::decode(
            value,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn fixed_width_text_sorts_like_time() {
        let whole = datetime!(2026-11-27 09:00:00 UTC);
        let later = datetime!(2026-11-27 09:00:00.5 UTC);
        let a = whole.format(SQLITE_FORMAT).unwrap_or_default();
        let b = later.format(SQLITE_FORMAT).unwrap_or_default();
        assert_eq!(a, "2026-11-27T09:00:00.000000Z");
        assert!(a < b);
    }

    #[test]
    fn truncates_to_microseconds_and_utc() {
        let t = datetime!(2026-11-27 10:00:00.123456789 +01:00);
        assert_eq!(DbTime::from(t).0, datetime!(2026-11-27 09:00:00.123456 UTC));
    }
}
