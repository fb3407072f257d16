//! Conflict detection: the leads, opportunities, accounts and registrations
//! of other partners (and the vendor's own) that look like the customer a
//! registration names.
//!
//! It looks across every partner on purpose, whoever submits; what it finds is
//! only ever read back by vendor staff ([`Store::registration_conflicts`]).
//! Candidates are gathered cheaply in SQL — the same contact e-mail, an
//! address or domain at the company's domain, or a stored name containing one
//! of the company's words — and the domain's matching rules decide which of
//! them are the same customer.

use openprm_domain::{
    PartnerId, RegistrationId, UserId, Viewer,
    money::{Currency, Money},
    registrations::matching::{Candidate, Match, MatchedOn, Probe, compare, search_words},
    visibility::PartnerRef,
};
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{Backend, DbTime, Store, StoreError, keyset::any_case_glob, on_db};

/// Candidates read per kind of record; matches kept per registration.
const CANDIDATES_PER_KIND: i64 = 200;
const MAX_CONFLICTS: usize = 50;
/// Name words searched for per registration.
const SEARCH_WORDS: usize = 4;

/// Which kind of record a conflict is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Lead,
    Opportunity,
    Account,
    Registration,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Lead => "lead",
            RecordKind::Opportunity => "opportunity",
            RecordKind::Account => "account",
            RecordKind::Registration => "registration",
        }
    }

    fn parse(s: &str) -> RecordKind {
        match s {
            "lead" => RecordKind::Lead,
            "opportunity" => RecordKind::Opportunity,
            "account" => RecordKind::Account,
            _ => RecordKind::Registration,
        }
    }
}

/// A record found to be the same customer, as stored at submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub partner_id: Option<Uuid>,
    pub matched_on: Vec<MatchedOn>,
    pub score: u8,
}

/// Writes one found conflict on the executor given (the submission's transaction).
macro_rules! insert {
    ($exec:expr, $registration:expr, $found:expr) => {
        sqlx::query(
            "INSERT INTO registration_conflicts (registration_id, record_kind, record_id, partner_id, matched_on, score) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($registration.0)
        .bind($found.kind.as_str())
        .bind($found.record_id)
        .bind($found.partner_id)
        .bind(openprm_domain::registrations::matching::MatchedOn::join(&$found.matched_on))
        .bind(i32::from($found.score))
        .execute($exec)
        .await?
    };
}
pub(crate) use insert;

/// One conflicting record beside the registration, for vendor staff.
///
/// A record of a partner outside the caller's scope shows only its kind, its
/// partner's name and what matched; everything else is absent (`null`).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Conflict {
    pub record_kind: RecordKind,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub record_id: Option<Uuid>,
    /// The partner that holds the record; absent for the vendor's own.
    pub partner_id: Option<PartnerId>,
    pub partner_name: Option<String>,
    /// Whether the record lies within the caller's partners.
    pub in_scope: bool,
    /// Whether the record still exists.
    pub exists: Option<bool>,
    /// Lead: the person; opportunity: its name; account and registration: the company.
    pub name: Option<String>,
    pub company: Option<String>,
    pub domain: Option<String>,
    pub email: Option<String>,
    /// Opportunities and registrations: exact, in major units.
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// Lead: its status; opportunity: its stage; registration: its status.
    pub state: Option<String>,
    /// A registration approved and still protecting its deal: until when.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub protected_until: Option<OffsetDateTime>,
    pub matched_on: Vec<MatchedOn>,
    /// How sure the match is, 0–100.
    pub score: Option<u8>,
}

/// Numbered parameters collected while building a candidate query.
pub(crate) enum Param {
    Uuid(Uuid),
    Text(String),
    Int(i64),
    Time(DbTime),
}

/// Binds collected parameters in order, on either backend.
macro_rules! bind_params {
    ($query:expr, $params:expr) => {{
        let mut query = $query;
        for param in $params {
            query = match param {
                $crate::registrations::conflicts::Param::Uuid(v) => query.bind(*v),
                $crate::registrations::conflicts::Param::Text(v) => query.bind(v.clone()),
                $crate::registrations::conflicts::Param::Int(v) => query.bind(*v),
                $crate::registrations::conflicts::Param::Time(v) => query.bind(*v),
            };
        }
        query
    }};
}
pub(crate) use bind_params;

pub(crate) struct Params(pub Vec<Param>);

impl Params {
    fn push(&mut self, p: Param) -> usize {
        self.0.push(p);
        self.0.len()
    }

    pub(crate) fn push_uuid(&mut self, value: Uuid) -> usize {
        self.push(Param::Uuid(value))
    }
}

/// `LIKE` text for a literal piece (no wildcards of its own).
fn like_literal(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// `column` contains `word`, ignoring case, on either backend.
fn contains(backend: Backend, column: &str, word: &str, params: &mut Params) -> String {
    match backend {
        Backend::Postgres => {
            let n = params.push(Param::Text(format!(
                "%{}%",
                like_literal(&word.to_lowercase())
            )));
            format!("lower({column}) LIKE ${n} ESCAPE '\\'")
        }
        Backend::Sqlite => {
            let n = params.push(Param::Text(any_case_glob(word)));
            format!("{column} GLOB ${n}")
        }
    }
}

/// Where a table keeps what the candidate queries look at.
#[derive(Clone, Copy)]
struct Columns<'a> {
    /// An e-mail address compared whole.
    email: Option<&'a str>,
    /// An e-mail address whose domain is compared.
    address: Option<&'a str>,
    /// Domains or web addresses, however written.
    domains: &'a [&'a str],
    /// The company's name…
    name: &'a str,
    /// …stored normalised (a registration's `company_key`) rather than as typed.
    name_is_key: bool,
}

const LEAD_COLUMNS: Columns<'static> = Columns {
    email: Some("l.email"),
    address: Some("l.email"),
    domains: &[],
    name: "l.company",
    name_is_key: false,
};

const ACCOUNT_COLUMNS: Columns<'static> = Columns {
    email: None,
    address: None,
    domains: &["a.domain", "a.website"],
    name: "a.name",
    name_is_key: false,
};

const REGISTRATION_COLUMNS: Columns<'static> = Columns {
    email: Some("r.contact_email"),
    address: Some("r.contact_email"),
    domains: &["r.company_domain"],
    name: "r.company_key",
    name_is_key: true,
};

/// What the candidate queries look for, worked out once.
struct Needles {
    email: String,
    /// `%@nordlys.dk`, for addresses at the company's domain.
    at_domain: Option<String>,
    /// `%nordlys.dk%`, for domains and websites however they were written.
    in_domain: Option<String>,
    words: Vec<String>,
}

impl Needles {
    fn new(probe: &Probe) -> Needles {
        let domain = probe.domain.clone().or_else(|| {
            probe
                .contact_email
                .as_deref()
                .and_then(openprm_domain::registrations::matching::company_domain_of_email)
        });
        Needles {
            email: probe
                .contact_email
                .clone()
                .unwrap_or_default()
                .to_lowercase(),
            at_domain: domain.as_ref().map(|d| format!("%@{}", like_literal(d))),
            in_domain: domain.as_ref().map(|d| format!("%{}%", like_literal(d))),
            words: search_words(&probe.company_name, SEARCH_WORDS),
        }
    }

    /// `(email condition OR domain condition OR name conditions)` over the given columns.
    fn condition(&self, backend: Backend, columns: &Columns<'_>, params: &mut Params) -> String {
        let Columns {
            email,
            address: address_column,
            domains: domain_columns,
            name: name_column,
            name_is_key: name_words_folded,
        } = *columns;
        let mut any: Vec<String> = Vec::new();
        if let Some(column) = email
            && !self.email.is_empty()
        {
            let n = params.push(Param::Text(self.email.clone()));
            any.push(format!("lower({column}) = ${n}"));
        }
        if let (Some(column), Some(pattern)) = (address_column, &self.at_domain) {
            let n = params.push(Param::Text(pattern.clone()));
            any.push(format!("lower({column}) LIKE ${n} ESCAPE '\\'"));
        }
        if let Some(pattern) = &self.in_domain {
            for column in domain_columns {
                let n = params.push(Param::Text(pattern.clone()));
                any.push(format!("lower({column}) LIKE ${n} ESCAPE '\\'"));
            }
        }
        for word in &self.words {
            if name_words_folded {
                // A stored key is already folded ASCII-like lower case.
                if word.is_ascii() {
                    let n = params.push(Param::Text(format!("%{}%", like_literal(word))));
                    any.push(format!("{name_column} LIKE ${n} ESCAPE '\\'"));
                }
            } else {
                any.push(contains(backend, name_column, word, params));
            }
        }
        if any.is_empty() {
            "FALSE".into()
        } else {
            format!("({})", any.join(" OR "))
        }
    }
}

#[derive(sqlx::FromRow)]
struct LeadCandidate {
    id: Uuid,
    company: String,
    email: Option<String>,
    partner_id: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct AccountCandidate {
    id: Uuid,
    name: String,
    domain: Option<String>,
    website: Option<String>,
    partner_id: Option<Uuid>,
    contact_hit: bool,
}

#[derive(sqlx::FromRow)]
struct RegistrationCandidate {
    id: Uuid,
    company_name: String,
    company_domain: Option<String>,
    contact_email: Option<String>,
    partner_id: Uuid,
}

#[derive(sqlx::FromRow)]
struct ConflictRow {
    record_kind: String,
    record_id: Uuid,
    matched_on: String,
    score: i32,
    partner_id: Option<Uuid>,
    exists_now: bool,
    name: Option<String>,
    company: Option<String>,
    domain: Option<String>,
    email: Option<String>,
    amount_minor: Option<i64>,
    currency: Option<String>,
    state: Option<String>,
    protected_until: Option<DbTime>,
    partner_name: Option<String>,
    channel_manager_id: Option<Uuid>,
}

/// Two verdicts on one record taken together: every signal either found,
/// the higher score.
fn merge(a: Option<Match>, b: Option<Match>) -> Option<Match> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            for on in b.matched_on {
                if !a.matched_on.contains(&on) {
                    a.matched_on.push(on);
                }
            }
            a.matched_on.sort();
            a.score = a.score.max(b.score);
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

/// The name, domain and contact-address condition over accounts `a`, and its
/// parameters (numbered from 1).
pub(crate) fn account_condition(backend: Backend, probe: &Probe) -> (String, Params) {
    let needles = Needles::new(probe);
    let mut params = Params(Vec::new());
    let cond = needles.condition(backend, &ACCOUNT_COLUMNS, &mut params);
    let e = params.push(Param::Text(needles.email.clone()));
    (
        format!(
            "({cond} OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.account_id = a.id AND lower(ct.email) = ${e}))"
        ),
        params,
    )
}

/// Other partners' approved registrations that may be this customer and are
/// still protected at `now`, with the protecting partner's name.
pub(crate) fn protecting_registrations(
    backend: Backend,
    partner: PartnerId,
    probe: &Probe,
    now: OffsetDateTime,
) -> (String, Params) {
    let needles = Needles::new(probe);
    let mut params = Params(vec![Param::Uuid(partner.0), Param::Time(DbTime::from(now))]);
    let cond = needles.condition(backend, &REGISTRATION_COLUMNS, &mut params);
    (
        format!(
            "SELECT r.company_name, r.company_domain, r.contact_email, r.protected_until, p.name AS partner_name \
             FROM deal_registrations r JOIN partners p ON p.id = r.partner_id \
             WHERE r.partner_id <> $1 AND r.status = 'approved' AND r.lapsed_at IS NULL AND r.protected_until > $2 \
             AND {cond} ORDER BY r.protected_until DESC, r.id"
        ),
        params,
    )
}

impl Store {
    async fn candidates<T>(&self, sql: &str, params: &Params) -> Result<Vec<T>, StoreError>
    where
        T: Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let rows = on_db!(self, pool => bind_params!(sqlx::query_as::<_, T>(sql), &params.0).fetch_all(pool).await)?;
        Ok(rows)
    }

    /// The records of everyone but `partner` that look like the customer of
    /// `probe`, best first, at most [`MAX_CONFLICTS`].
    pub(crate) async fn find_conflicts(
        &self,
        partner: PartnerId,
        probe: &Probe,
    ) -> Result<Vec<Found>, StoreError> {
        let needles = Needles::new(probe);
        let backend = self.backend();
        let mut found: Vec<Found> = Vec::new();
        let mut keep = |kind, id, partner_id, m: Option<Match>| {
            if let Some(m) = m {
                found.push(Found {
                    kind,
                    record_id: id,
                    partner_id,
                    matched_on: m.matched_on,
                    score: m.score,
                });
            }
        };

        // Leads not yet converted (a converted one lives on as its account and opportunity).
        let mut params = Params(vec![Param::Uuid(partner.0)]);
        let cond = needles.condition(backend, &LEAD_COLUMNS, &mut params);
        let limit = params.push(Param::Int(CANDIDATES_PER_KIND));
        let sql = format!(
            "SELECT l.id, l.company, l.email, l.partner_id FROM leads l \
             WHERE (l.partner_id IS NULL OR l.partner_id <> $1) AND l.converted_at IS NULL AND {cond} LIMIT ${limit}"
        );
        for c in self.candidates::<LeadCandidate>(&sql, &params).await? {
            let candidate = Candidate {
                company_name: Some(&c.company),
                domain: None,
                email: c.email.as_deref(),
            };
            keep(
                RecordKind::Lead,
                c.id,
                c.partner_id,
                compare(probe, &candidate),
            );
        }

        // Accounts, and the opportunities on them, by the account's name,
        // domain, website or a contact with the same address.
        for kind in [RecordKind::Account, RecordKind::Opportunity] {
            let mut params = Params(vec![Param::Uuid(partner.0)]);
            let cond = needles.condition(backend, &ACCOUNT_COLUMNS, &mut params);
            let e = params.push(Param::Text(needles.email.clone()));
            let contact_hit = format!(
                "EXISTS (SELECT 1 FROM contacts ct WHERE ct.account_id = a.id AND lower(ct.email) = ${e})"
            );
            let limit = params.push(Param::Int(CANDIDATES_PER_KIND));
            let sql = match kind {
                RecordKind::Account => format!(
                    "SELECT a.id, a.name, a.domain, a.website, a.partner_id, {contact_hit} AS contact_hit FROM accounts a \
                     WHERE (a.partner_id IS NULL OR a.partner_id <> $1) AND ({cond} OR {contact_hit}) LIMIT ${limit}"
                ),
                _ => format!(
                    "SELECT o.id, a.name, a.domain, a.website, o.partner_id, {contact_hit} AS contact_hit \
                     FROM opportunities o JOIN accounts a ON a.id = o.account_id \
                     WHERE (o.partner_id IS NULL OR o.partner_id <> $1) AND ({cond} OR {contact_hit}) LIMIT ${limit}"
                ),
            };
            for c in self.candidates::<AccountCandidate>(&sql, &params).await? {
                let email = c.contact_hit.then_some(needles.email.as_str());
                let by_domain = Candidate {
                    company_name: Some(&c.name),
                    domain: c.domain.as_deref(),
                    email,
                };
                // The website may name the domain when the domain field does not.
                let by_website = Candidate {
                    domain: c.website.as_deref(),
                    ..by_domain
                };
                let best = merge(compare(probe, &by_domain), compare(probe, &by_website));
                keep(kind, c.id, c.partner_id, best);
            }
        }

        // Other partners' registrations still pending or approved.
        let mut params = Params(vec![Param::Uuid(partner.0)]);
        let cond = needles.condition(backend, &REGISTRATION_COLUMNS, &mut params);
        let limit = params.push(Param::Int(CANDIDATES_PER_KIND));
        let sql = format!(
            "SELECT r.id, r.company_name, r.company_domain, r.contact_email, r.partner_id FROM deal_registrations r \
             WHERE r.partner_id <> $1 AND r.status IN ('pending', 'approved') AND {cond} LIMIT ${limit}"
        );
        for c in self
            .candidates::<RegistrationCandidate>(&sql, &params)
            .await?
        {
            let candidate = Candidate {
                company_name: Some(&c.company_name),
                domain: c.company_domain.as_deref(),
                email: c.contact_email.as_deref(),
            };
            keep(
                RecordKind::Registration,
                c.id,
                Some(c.partner_id),
                compare(probe, &candidate),
            );
        }

        found.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(a.kind.cmp(&b.kind))
                .then(a.record_id.cmp(&b.record_id))
        });
        found.dedup_by(|a, b| a.kind == b.kind && a.record_id == b.record_id);
        found.truncate(MAX_CONFLICTS);
        Ok(found)
    }

    /// The conflicts of a registration, side by side with each record as it
    /// is now. Vendor staff only; records of partners outside their scope show
    /// only their kind, partner and what matched. Crate-private: it does not
    /// check the registration itself is in the caller's scope, so it is
    /// reached only through `registration_detail`, which reads it scoped first.
    pub(crate) async fn registration_conflicts(
        &self,
        viewer: &Viewer,
        id: RegistrationId,
    ) -> Result<Vec<Conflict>, StoreError> {
        if !viewer.role.is_vendor() {
            return Ok(Vec::new());
        }
        let sql = "SELECT x.*, p.name AS partner_name, p.channel_manager_id FROM (\
             SELECT c.record_kind, c.record_id, c.matched_on, c.score, \
             (l.id IS NOT NULL OR o.id IS NOT NULL OR a.id IS NOT NULL OR r.id IS NOT NULL) AS exists_now, \
             CASE WHEN l.id IS NOT NULL THEN l.partner_id WHEN o.id IS NOT NULL THEN o.partner_id \
                  WHEN a.id IS NOT NULL THEN a.partner_id WHEN r.id IS NOT NULL THEN r.partner_id ELSE c.partner_id END AS partner_id, \
             CASE c.record_kind WHEN 'lead' THEN l.name WHEN 'opportunity' THEN o.name WHEN 'account' THEN a.name ELSE r.company_name END AS name, \
             CASE c.record_kind WHEN 'lead' THEN l.company WHEN 'opportunity' THEN oa.name WHEN 'account' THEN a.name ELSE r.company_name END AS company, \
             CASE c.record_kind WHEN 'opportunity' THEN oa.domain WHEN 'account' THEN a.domain WHEN 'registration' THEN r.company_domain END AS domain, \
             CASE c.record_kind WHEN 'lead' THEN l.email WHEN 'registration' THEN r.contact_email END AS email, \
             CASE c.record_kind WHEN 'opportunity' THEN o.amount_minor WHEN 'registration' THEN r.amount_minor END AS amount_minor, \
             CASE c.record_kind WHEN 'opportunity' THEN o.currency WHEN 'registration' THEN r.currency END AS currency, \
             CASE c.record_kind WHEN 'lead' THEN l.status WHEN 'opportunity' THEN o.stage WHEN 'registration' THEN r.status END AS state, \
             CASE WHEN r.status = 'approved' AND r.lapsed_at IS NULL THEN r.protected_until END AS protected_until \
             FROM registration_conflicts c \
             LEFT JOIN leads l ON c.record_kind = 'lead' AND l.id = c.record_id \
             LEFT JOIN opportunities o ON c.record_kind = 'opportunity' AND o.id = c.record_id \
             LEFT JOIN accounts oa ON oa.id = o.account_id \
             LEFT JOIN accounts a ON c.record_kind = 'account' AND a.id = c.record_id \
             LEFT JOIN deal_registrations r ON c.record_kind = 'registration' AND r.id = c.record_id \
             WHERE c.registration_id = $1) x \
             LEFT JOIN partners p ON p.id = x.partner_id \
             ORDER BY x.score DESC, x.record_kind, x.record_id";
        let rows: Vec<ConflictRow> =
            on_db!(self, pool => sqlx::query_as(sql).bind(id.0).fetch_all(pool).await)?;
        let now = self.now();
        Ok(rows
            .into_iter()
            .map(|r| {
                let in_scope = r.partner_id.is_none_or(|p| {
                    viewer.sees_partner(PartnerRef {
                        id: PartnerId(p),
                        channel_manager_id: r.channel_manager_id.map(UserId),
                    })
                });
                let shown = |v: Option<String>| v.filter(|_| in_scope);
                let amount = r
                    .amount_minor
                    .zip(r.currency.as_deref())
                    .and_then(|(minor, code)| {
                        Currency::parse(code)
                            .and_then(|c| Money::new(minor, c).ok())
                            .map(|m| m.decimal())
                    });
                Conflict {
                    record_kind: RecordKind::parse(&r.record_kind),
                    record_id: Some(r.record_id).filter(|_| in_scope),
                    partner_id: r.partner_id.map(PartnerId).filter(|_| in_scope),
                    partner_name: r.partner_name,
                    in_scope,
                    exists: Some(r.exists_now).filter(|_| in_scope),
                    name: shown(r.name),
                    company: shown(r.company),
                    domain: shown(r.domain),
                    email: shown(r.email),
                    amount: shown(amount),
                    currency: shown(r.currency),
                    state: shown(r.state),
                    protected_until: r
                        .protected_until
                        .map(|t| t.0)
                        .filter(|t| in_scope && *t > now),
                    matched_on: MatchedOn::parse_list(&r.matched_on),
                    score: Some(u8::try_from(r.score.clamp(0, 100)).unwrap_or(0))
                        .filter(|_| in_scope),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_any_case_and_escape_their_wildcards() {
        assert_eq!(any_case_glob("blå"), "*[bB][lL][åÅ]*");
        assert_eq!(any_case_glob("a*b"), "*[aA][*][bB]*");
        assert_eq!(like_literal("50%_off\\"), "50\\%\\_off\\\\");
    }
}
