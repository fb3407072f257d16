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
        if let Some(time) = parse_fixed_width(text) {
            return Ok(DbTime(time));
        }
        let parsed = OffsetDateTime::parse(text, SQLITE_FORMAT).or_else(|_| {
            OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        })?;
        Ok(DbTime::from(parsed))
    }
}

/// Reads the text this type writes (`2026-11-27T09:00:00.000000Z`) by its fixed
/// positions. A list page decodes a few hundred of these, and the general
/// parser costs more than the query; anything else falls back to it.
fn parse_fixed_width(text: &str) -> Option<OffsetDateTime> {
    let b = text.as_bytes();
    if b.len() != 27
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
        || b[19] != b'.'
        || b[26] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(num(5, 7)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(num(8, 10)?).ok()?).ok()?;
    let time = time::Time::from_hms_micro(
        u8::try_from(num(11, 13)?).ok()?,
        u8::try_from(num(14, 16)?).ok()?,
        u8::try_from(num(17, 19)?).ok()?,
        num(20, 26)?,
    )
    .ok()?;
    Some(date.with_time(time).assume_utc())
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
    fn fixed_width_reader_agrees_with_the_general_parser() {
        for text in [
            "2026-11-27T09:00:00.000000Z",
            "1999-12-31T23:59:59.999999Z",
            "2028-02-29T00:00:00.000001Z",
        ] {
            let general =
                OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).ok();
            assert!(general.is_some());
            assert_eq!(parse_fixed_width(text), general, "{text}");
        }
        for text in [
            "2026-02-30T09:00:00.000000Z",
            "2026-11-27T24:00:00.000000Z",
            "2026-11-27 09:00:00.000000Z",
            "2026-11-27T09:00:00Z",
            "2026-1a-27T09:00:00.000000Z",
        ] {
            assert_eq!(parse_fixed_width(text), None, "{text}");
        }
    }

    #[test]
    fn truncates_to_microseconds_and_utc() {
        let t = datetime!(2026-11-27 10:00:00.123456789 +01:00);
        assert_eq!(DbTime::from(t).0, datetime!(2026-11-27 09:00:00.123456 UTC));
    }
}
