//! Keyset cursors and case-blind search patterns, shared by the list views.
//!
//! A cursor is `kind|id|value` in URL-safe base64, opaque to callers: the
//! sort (or view) it belongs to, the last row's id and its sort value. Pages
//! continue after it (`(sort key, id) > cursor`), never with OFFSET. A cursor
//! comes back from the client, so every part is checked before it reaches a
//! statement: a bad one is the `cursor` field's error, never a database error.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use openprm_domain::DomainError;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::DbTime;

/// The `cursor` field's error.
pub(crate) fn invalid() -> DomainError {
    DomainError::field("cursor", "error-cursor-invalid")
}

pub(crate) fn encode(kind: &str, id: impl std::fmt::Display, value: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}|{id}|{value}"))
}

/// The id and raw sort value of a cursor made for `kind`.
pub(crate) fn decode(kind: &str, cursor: &str) -> Result<(Uuid, String), DomainError> {
    let raw = URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(raw).map_err(|_| invalid())?;
    let mut parts = text.splitn(3, '|');
    let (Some(found), Some(id), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(invalid());
    };
    if found != kind {
        return Err(invalid());
    }
    let id = Uuid::parse_str(id).map_err(|_| invalid())?;
    Ok((id, value.to_owned()))
}

/// A time as a cursor value: nanoseconds since the epoch.
pub(crate) fn time_value(at: OffsetDateTime) -> String {
    DbTime::from(at).0.unix_timestamp_nanos().to_string()
}

/// The earliest and latest year a cursor time may name. Every stored time
/// lies well inside; PostgreSQL's `timestamptz` cannot hold the years before
/// 4713 BC that `time` accepts, and SQLite's fixed-width text holds four
/// digits, so anything outside is a forged cursor.
const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// A cursor's time value, within [`YEARS`].
pub(crate) fn parse_time(value: &str) -> Result<DbTime, DomainError> {
    let nanos: i128 = value.parse().map_err(|_| invalid())?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| invalid())?;
    if !YEARS.contains(&at.year()) {
        return Err(invalid());
    }
    Ok(DbTime::from(at))
}

/// A cursor's date value (`2026-06-30`), within [`YEARS`] like its times.
pub(crate) fn parse_date(value: &str) -> Result<Date, DomainError> {
    openprm_domain::opportunities::parse_date(value)
        .filter(|d| YEARS.contains(&d.year()))
        .ok_or_else(invalid)
}

/// A cursor's text value: no stored key holds a control character, and
/// PostgreSQL refuses NUL outright.
pub(crate) fn parse_text(value: String) -> Result<String, DomainError> {
    if value.chars().any(char::is_control) {
        return Err(invalid());
    }
    Ok(value)
}

/// A SQLite `GLOB` pattern for text containing `search` in any case (SQLite's
/// `lower()` and `LIKE` fold ASCII only): each letter becomes a set of its
/// cases (`[oO]`, `[øØ]`), and the pattern's own wildcards are taken
/// literally (`[*]`, `[?]`, `[[]`; a `]` outside a set is already literal).
pub(crate) fn any_case_glob(search: &str) -> String {
    let mut pattern = String::from("*");
    for c in search.chars() {
        let mut cases: Vec<char> = vec![c];
        for other in c.to_lowercase().chain(c.to_uppercase()) {
            if !cases.contains(&other) {
                cases.push(other);
            }
        }
        // A letter whose other case is several characters (ß, ŉ) matches as typed.
        let single = c.to_lowercase().count() == 1 && c.to_uppercase().count() == 1;
        match c {
            '*' | '?' | '[' => {
                pattern.push('[');
                pattern.push(c);
                pattern.push(']');
            }
            _ if single && cases.len() > 1 => {
                pattern.push('[');
                pattern.extend(cases);
                pattern.push(']');
            }
            _ => pattern.push(c),
        }
    }
    pattern.push('*');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_belong_to_their_kind() {
        let id = Uuid::new_v4();
        let cursor = encode("name", id, "nordlys|a/s");
        assert_eq!(
            decode("name", &cursor).unwrap(),
            (id, "nordlys|a/s".to_owned())
        );
        assert!(decode("newest", &cursor).is_err());
        assert!(decode("name", "!!").is_err());
        assert!(decode("name", &URL_SAFE_NO_PAD.encode("name|nope|x")).is_err());
    }

    #[test]
    fn cursor_times_stay_in_a_sane_range() {
        let now = OffsetDateTime::now_utc();
        assert_eq!(parse_time(&time_value(now)).unwrap(), DbTime::from(now));
        assert!(parse_time("0").is_ok());
        // Year -9999, which `time` accepts and PostgreSQL cannot bind.
        assert!(parse_time("-377705116800000000000").is_err());
        assert!(parse_time("-1").is_err());
        assert!(parse_time("253402300800000000000").is_err()); // year 10000
        assert!(parse_time("soon").is_err());
        assert!(parse_text("a\0b".into()).is_err());
        assert!(parse_date("2026-06-30").is_ok());
        assert!(parse_date("-9999-01-01").is_err());
        assert!(parse_date("0001-01-01").is_err());
    }

    #[test]
    fn glob_patterns_match_any_case_and_nothing_else() {
        assert_eq!(any_case_glob("Øl"), "*[Øø][lL]*");
        assert_eq!(any_case_glob("100%_"), "*100%_*");
        assert_eq!(any_case_glob("a*?[b]"), "*[aA][*][?][[][bB]]*");
        assert_eq!(any_case_glob("straße"), "*[sS][tT][rR][aA]ß[eE]*");
        assert_eq!(any_case_glob("blå"), "*[bB][lL][åÅ]*");
    }
}
