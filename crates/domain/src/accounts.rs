//! Accounts (spec §2 flow 10): the customer companies a partner sells to.
//!
//! Their fields are parsed once into values that cannot be bad and compared for
//! the audit trail; who owns a new account and who may change one are decided
//! here too. Accounts, contacts and opportunities share those rules, since all
//! three belong to the partner that created or converted them.

use serde::{Deserialize, Serialize};

use crate::{
    DomainError, FieldErrors, PartnerId, Role, UserId, Viewer,
    record_fields::{
        Checked, at_most, clean, country, diff, null_as_empty, optional, phone, record, required,
    },
};

/// Validated, normalised fields of an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AccountFields {
    pub name: String,
    /// The customer's e-mail and web domain, lower case (`nordlys.dk`).
    pub domain: Option<String>,
    pub phone: Option<String>,
    /// An `http://` or `https://` address.
    pub website: Option<String>,
    pub industry: Option<String>,
    /// ISO 3166-1 alpha-2, upper case (`DK`).
    pub country: Option<String>,
    pub city: Option<String>,
    pub description: Option<String>,
}

impl AccountFields {
    /// Longest values, in characters (forms use them as `maxlength`).
    pub const NAME_MAX: usize = 160;
    pub const DOMAIN_MAX: usize = 253;
    pub const PHONE_MAX: usize = crate::record_fields::PHONE_MAX;
    pub const WEBSITE_MAX: usize = 300;
    pub const INDUSTRY_MAX: usize = 80;
    pub const CITY_MAX: usize = 80;
    pub const DESCRIPTION_MAX: usize = 4000;

    /// Every field as text, in the order of the form.
    pub fn field_texts(&self) -> [(&'static str, Option<String>); 8] {
        [
            ("name", Some(self.name.clone())),
            ("domain", self.domain.clone()),
            ("phone", self.phone.clone()),
            ("website", self.website.clone()),
            ("industry", self.industry.clone()),
            ("country", self.country.clone()),
            ("city", self.city.clone()),
            ("description", self.description.clone()),
        ]
    }
}

/// The fields that differ between two versions: (field, old, new), in form order.
pub fn changes(
    old: &AccountFields,
    new: &AccountFields,
) -> Vec<(&'static str, Option<String>, Option<String>)> {
    diff(old.field_texts(), new.field_texts())
}

/// An account as typed into a form or sent as JSON: every field optional.
///
/// On create a missing field is empty (the name is required). On update a
/// missing field keeps its value and an empty string (or JSON `null`) clears
/// an optional one.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AccountInput {
    #[serde(default, deserialize_with = "null_as_empty")]
    pub name: Option<String>,
    /// A domain (`nordlys.dk`); an address or URL is cut down to its domain.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub domain: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub website: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub industry: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub description: Option<String>,
}

/// The edit form, filled in with an account's current values.
impl From<&AccountFields> for AccountInput {
    fn from(fields: &AccountFields) -> Self {
        let text = |value: &Option<String>| Some(value.clone().unwrap_or_default());
        AccountInput {
            name: Some(fields.name.clone()),
            domain: text(&fields.domain),
            phone: text(&fields.phone),
            website: text(&fields.website),
            industry: text(&fields.industry),
            country: text(&fields.country),
            city: text(&fields.city),
            description: text(&fields.description),
        }
    }
}

impl AccountInput {
    /// All problems at once, keyed by field name, as message-catalogue keys.
    /// `current` is the account being edited, `None` when creating one.
    ///
    /// On create, a website without a domain gives the domain.
    pub fn parse(self, current: Option<&AccountFields>) -> Result<AccountFields, DomainError> {
        let mut errors = FieldErrors::new();
        let e = &mut errors;
        let derive_domain = current.is_none()
            && self.domain.as_deref().is_none_or(|d| d.trim().is_empty())
            && self.website.is_some();

        let name = required(
            self.name,
            current.map(|c| &c.name),
            at_most(AccountFields::NAME_MAX),
        );
        let name = record(e, "name", name);
        let domain = optional(self.domain, false, current.map(|c| &c.domain), |v| {
            normalise_domain(&v)
        });
        let domain = record(e, "domain", domain);
        let phone = optional(self.phone, false, current.map(|c| &c.phone), phone);
        let phone = record(e, "phone", phone);
        let website = optional(self.website, false, current.map(|c| &c.website), |v| {
            website(&v)
        });
        let website = record(e, "website", website);
        let industry = optional(
            self.industry,
            false,
            current.map(|c| &c.industry),
            at_most(AccountFields::INDUSTRY_MAX),
        );
        let industry = record(e, "industry", industry);
        let country = optional(self.country, false, current.map(|c| &c.country), country);
        let country = record(e, "country", country);
        let city = optional(
            self.city,
            false,
            current.map(|c| &c.city),
            at_most(AccountFields::CITY_MAX),
        );
        let city = record(e, "city", city);
        let description = optional(
            self.description,
            true,
            current.map(|c| &c.description),
            at_most(AccountFields::DESCRIPTION_MAX),
        );
        let description = record(e, "description", description);

        match (
            name,
            domain,
            phone,
            website,
            industry,
            country,
            city,
            description,
        ) {
            (
                Some(name),
                Some(domain),
                Some(phone),
                Some(website),
                Some(industry),
                Some(country),
                Some(city),
                Some(description),
            ) if errors.is_empty() => {
                let domain = match (domain, derive_domain, &website) {
                    (None, true, Some(site)) => normalise_domain(site).ok(),
                    (domain, _, _) => domain,
                };
                Ok(AccountFields {
                    name,
                    domain,
                    phone,
                    website,
                    industry,
                    country,
                    city,
                    description,
                })
            }
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

/// A domain as people type it (`Nordlys.DK`, `https://www.nordlys.dk/om`,
/// `salg@nordlys.dk`) cut down to `nordlys.dk`: lower case, without scheme,
/// `www.`, user, port and path. It needs a dot and letters, digits or `-` in
/// each label.
pub fn normalise_domain(input: &str) -> Checked<String> {
    let mut value = input.trim().to_lowercase();
    if value.chars().any(char::is_control) {
        return Err("error-invalid-characters");
    }
    for scheme in ["https://", "http://"] {
        if let Some(rest) = value.strip_prefix(scheme) {
            value = rest.to_owned();
        }
    }
    let host = value
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let host = host.trim_end_matches('.');
    if host.chars().count() > AccountFields::DOMAIN_MAX {
        return Err("error-too-long");
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.chars().count() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if host.contains('.') && labels_ok {
        Ok(host.to_owned())
    } else {
        Err("error-domain-invalid")
    }
}

/// A web address: `https://` is added when no scheme is given; spaces, quotes
/// and angle brackets are refused.
fn website(input: &str) -> Checked<String> {
    if input.chars().count() > AccountFields::WEBSITE_MAX {
        return Err("error-too-long");
    }
    let lower = input.to_ascii_lowercase();
    let full = if lower.starts_with("https://") || lower.starts_with("http://") {
        input.to_owned()
    } else if lower.contains("://") || lower.starts_with("javascript:") {
        return Err("error-website-invalid");
    } else {
        format!("https://{input}")
    };
    let unsafe_char = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`');
    if full.chars().any(unsafe_char) || normalise_domain(&full).is_err() {
        return Err("error-website-invalid");
    }
    Ok(full)
}

/// Mail providers anyone can sign up with: a lead writing from one of them
/// says nothing about which company they work for.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.dk",
    "outlook.com",
    "outlook.dk",
    "live.com",
    "live.dk",
    "msn.com",
    "yahoo.com",
    "yahoo.dk",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "gmx.com",
    "gmx.net",
    "proton.me",
    "protonmail.com",
    "mail.dk",
    "jubii.dk",
];

/// Whether a domain belongs to a free mail provider (and so names no company).
pub fn is_free_mail(domain: &str) -> bool {
    let domain = domain.trim().to_ascii_lowercase();
    FREE_MAIL_DOMAINS.contains(&domain.as_str())
}

/// Legal forms that do not tell two companies apart ("Nordlys A/S" is
/// "Nordlys ApS" is "Nordlys").
const LEGAL_FORMS: &[&str] = &[
    "a/s", "as", "aps", "ivs", "i/s", "is", "k/s", "ks", "p/s", "amba", "ab", "asa", "oy", "oyj",
    "gmbh", "ag", "bv", "nv", "sa", "sarl", "srl", "spa", "ltd", "limited", "plc", "llc", "inc",
    "corp", "co", "company", "the",
];

/// A company name reduced for finding duplicates: lower case, punctuation as
/// spaces, legal forms dropped, single spaces.
pub fn name_key(name: &str) -> String {
    let lower = name.to_lowercase().replace('&', " and ");
    let words: Vec<String> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '.' || c == '(' || c == ')')
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '/'))
        .filter(|w| !w.is_empty() && !LEGAL_FORMS.contains(w))
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// What the rules need to know of a user proposed as a record's owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OwnerCandidate {
    pub id: UserId,
    pub role: Role,
    pub partner_id: Option<PartnerId>,
    pub active: bool,
}

/// Whose a new account, contact or opportunity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    /// `None`: the vendor's own.
    pub partner_id: Option<PartnerId>,
    pub owner_id: UserId,
}

/// Decides who owns a new record. Partner users own what they create, for
/// their company; partner managers create for their company, owned by
/// themselves or a colleague; vendor staff create for a partner and one of its
/// users (`owner` is then required), or for the vendor itself.
///
/// `partner` and `owner` are what the caller asked for; `owner` has already been
/// looked up within the caller's sight (a user they cannot see is never passed
/// in; the caller refuses the request with `owner_id` unknown).
pub fn place(
    viewer: &Viewer,
    partner: Option<PartnerId>,
    owner: Option<&OwnerCandidate>,
) -> Result<Placement, DomainError> {
    let unknown_partner = || DomainError::field("partner_id", "error-partner-unknown");
    let unknown_owner = || DomainError::field("owner_id", "error-user-unknown");
    let usable = |o: &OwnerCandidate| o.active && o.role.is_partner() && o.partner_id.is_some();
    match viewer.role {
        Role::PartnerUser | Role::PartnerManager => {
            let own = viewer.partner_id.ok_or(DomainError::Forbidden)?;
            if partner.is_some_and(|p| p != own) {
                return Err(unknown_partner());
            }
            let owner_id = match owner {
                None => viewer.user_id,
                Some(o) if o.id == viewer.user_id => viewer.user_id,
                Some(o)
                    if viewer.role == Role::PartnerManager
                        && usable(o)
                        && o.partner_id == Some(own) =>
                {
                    o.id
                }
                Some(_) => return Err(unknown_owner()),
            };
            Ok(Placement {
                partner_id: Some(own),
                owner_id,
            })
        }
        Role::Admin | Role::ChannelManager => match (partner, owner) {
            (None, None) => Ok(Placement {
                partner_id: None,
                owner_id: viewer.user_id,
            }),
            (Some(_), None) => Err(DomainError::field("owner_id", "error-required")),
            (_, Some(o)) if usable(o) => {
                if partner.is_some() && partner != o.partner_id {
                    return Err(DomainError::field("owner_id", "error-owner-not-of-partner"));
                }
                Ok(Placement {
                    partner_id: o.partner_id,
                    owner_id: o.id,
                })
            }
            // Vendor-owned records may be given to another of the vendor's staff.
            (None, Some(o)) if o.active && o.role.is_vendor() => Ok(Placement {
                partner_id: None,
                owner_id: o.id,
            }),
            (_, Some(_)) => Err(unknown_owner()),
        },
    }
}

/// Who may change a visible account, contact or opportunity: vendor staff
/// (within their scope, which the store has applied), the partner manager of
/// its company and its owner.
pub fn may_edit_owned(
    viewer: &Viewer,
    partner: Option<PartnerId>,
    owner: Option<UserId>,
) -> Result<(), DomainError> {
    match viewer.role {
        Role::Admin | Role::ChannelManager => Ok(()),
        Role::PartnerManager if partner.is_some() && partner == viewer.partner_id => Ok(()),
        Role::PartnerUser
            if partner.is_some()
                && partner == viewer.partner_id
                && owner == Some(viewer.user_id) =>
        {
            Ok(())
        }
        _ => Err(DomainError::Forbidden),
    }
}

/// Trims a one-line search text and refuses control characters and very long ones.
pub fn search_text(input: Option<&str>) -> Result<Option<String>, DomainError> {
    let Some(raw) = input else {
        return Ok(None);
    };
    if raw.chars().count() > 200 {
        return Err(DomainError::field("q", "error-too-long"));
    }
    match clean(Some(raw.to_owned()), false) {
        Err(key) => Err(DomainError::field("q", key)),
        Ok(value) => Ok(value.filter(|v| !v.is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(result: Result<AccountFields, DomainError>) -> Vec<(String, String)> {
        match result {
            Err(DomainError::Validation(errors)) => errors.0.into_iter().collect(),
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    fn input(name: &str) -> AccountInput {
        AccountInput {
            name: Some(name.into()),
            ..Default::default()
        }
    }

    #[test]
    fn create_needs_a_name_and_normalises_the_rest() {
        assert_eq!(
            errors_of(AccountInput::default().parse(None)),
            vec![("name".into(), "error-required".into())]
        );
        let account = AccountInput {
            name: Some("  Nordlys A/S ".into()),
            domain: Some("https://www.Nordlys.DK/om-os".into()),
            website: Some("nordlys.dk".into()),
            country: Some("dk".into()),
            description: Some("Line one\r\nLine two".into()),
            ..Default::default()
        }
        .parse(None)
        .unwrap();
        assert_eq!(account.name, "Nordlys A/S");
        assert_eq!(account.domain.as_deref(), Some("nordlys.dk"));
        assert_eq!(account.website.as_deref(), Some("https://nordlys.dk"));
        assert_eq!(account.country.as_deref(), Some("DK"));
        assert_eq!(account.description.as_deref(), Some("Line one\nLine two"));
    }

    #[test]
    fn a_website_gives_the_domain_on_create_only() {
        let account = AccountInput {
            website: Some("https://www.blaabaer.dk/kontakt".into()),
            ..input("Blåbær ApS")
        }
        .parse(None)
        .unwrap();
        assert_eq!(account.domain.as_deref(), Some("blaabaer.dk"));
        let cleared = AccountInput {
            domain: Some(String::new()),
            ..Default::default()
        }
        .parse(Some(&account))
        .unwrap();
        assert_eq!(cleared.domain, None);
        assert_eq!(cleared.website, account.website);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let errors = errors_of(
            AccountInput {
                name: Some("x".repeat(161)),
                domain: Some("no dots here".into()),
                phone: Some("call me".into()),
                website: Some("javascript:alert(1)".into()),
                country: Some("Denmark".into()),
                city: Some("Køben\u{0}havn".into()),
                ..Default::default()
            }
            .parse(None),
        );
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(
            fields,
            ["city", "country", "domain", "name", "phone", "website"]
        );
    }

    #[test]
    fn domains_are_cut_down_and_checked() {
        for (raw, want) in [
            ("Nordlys.DK", "nordlys.dk"),
            ("salg@nordlys.dk", "nordlys.dk"),
            ("http://www.nordlys.dk:8080/x?y", "nordlys.dk"),
            ("blåbær.dk", "blåbær.dk"),
            ("shop.nordlys.co.uk.", "shop.nordlys.co.uk"),
        ] {
            assert_eq!(normalise_domain(raw).as_deref(), Ok(want), "{raw}");
        }
        for bad in ["localhost", "a..b", "-a.dk", "a b.dk", "http://", ".dk"] {
            assert!(normalise_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn update_keeps_missing_fields_and_lists_changes() {
        let before = AccountInput {
            city: Some("Aarhus".into()),
            ..input("Nordlys")
        }
        .parse(None)
        .unwrap();
        let after = AccountInput {
            city: Some("Odense".into()),
            industry: Some("Energy".into()),
            ..Default::default()
        }
        .parse(Some(&before))
        .unwrap();
        assert_eq!(after.name, "Nordlys");
        assert_eq!(
            changes(&before, &after),
            vec![
                ("industry", None, Some("Energy".into())),
                ("city", Some("Aarhus".into()), Some("Odense".into())),
            ]
        );
        assert_eq!(
            errors_of(
                AccountInput {
                    name: Some(" ".into()),
                    ..Default::default()
                }
                .parse(Some(&before))
            ),
            vec![("name".into(), "error-required".into())]
        );
    }

    #[test]
    fn names_match_across_legal_forms_case_and_punctuation() {
        assert_eq!(name_key("Nordlys A/S"), "nordlys");
        assert_eq!(name_key("NORDLYS ApS"), "nordlys");
        assert_eq!(name_key("Nordlys, Inc."), "nordlys");
        assert_eq!(name_key("Blå & Grøn I/S"), "blå and grøn");
        assert_ne!(name_key("Nordlys Energi"), name_key("Nordlys"));
        assert!(is_free_mail("Gmail.com"));
        assert!(!is_free_mail("nordlys.dk"));
    }

    fn viewer(role: Role, partner: Option<PartnerId>) -> Viewer {
        Viewer {
            user_id: UserId::new(),
            role,
            partner_id: partner,
        }
    }

    fn candidate(role: Role, partner: Option<PartnerId>) -> OwnerCandidate {
        OwnerCandidate {
            id: UserId::new(),
            role,
            partner_id: partner,
            active: true,
        }
    }

    #[test]
    fn partner_staff_create_for_their_company() {
        let acme = PartnerId::new();
        let other = PartnerId::new();
        let user = viewer(Role::PartnerUser, Some(acme));
        assert_eq!(
            place(&user, None, None).unwrap(),
            Placement {
                partner_id: Some(acme),
                owner_id: user.user_id
            }
        );
        let colleague = candidate(Role::PartnerUser, Some(acme));
        assert!(place(&user, None, Some(&colleague)).is_err());
        assert!(place(&user, Some(other), None).is_err());
        let manager = viewer(Role::PartnerManager, Some(acme));
        assert_eq!(
            place(&manager, Some(acme), Some(&colleague))
                .unwrap()
                .owner_id,
            colleague.id
        );
        let stranger = candidate(Role::PartnerUser, Some(other));
        assert!(place(&manager, None, Some(&stranger)).is_err());
        let orphan = viewer(Role::PartnerUser, None);
        assert!(matches!(
            place(&orphan, None, None),
            Err(DomainError::Forbidden)
        ));
    }

    #[test]
    fn vendor_staff_create_for_a_partner_user_or_the_vendor() {
        let acme = PartnerId::new();
        let admin = viewer(Role::Admin, None);
        assert_eq!(place(&admin, None, None).unwrap().partner_id, None);
        assert!(place(&admin, Some(acme), None).is_err());
        let rep = candidate(Role::PartnerUser, Some(acme));
        assert_eq!(
            place(&admin, None, Some(&rep)).unwrap(),
            Placement {
                partner_id: Some(acme),
                owner_id: rep.id
            }
        );
        assert!(place(&admin, Some(PartnerId::new()), Some(&rep)).is_err());
        let inactive = OwnerCandidate {
            active: false,
            ..rep
        };
        assert!(place(&admin, None, Some(&inactive)).is_err());
        let cm = candidate(Role::ChannelManager, None);
        assert_eq!(place(&admin, None, Some(&cm)).unwrap().owner_id, cm.id);
    }

    #[test]
    fn owners_and_their_managers_edit() {
        let acme = PartnerId::new();
        let user = viewer(Role::PartnerUser, Some(acme));
        assert!(may_edit_owned(&user, Some(acme), Some(user.user_id)).is_ok());
        assert!(may_edit_owned(&user, Some(acme), Some(UserId::new())).is_err());
        let manager = viewer(Role::PartnerManager, Some(acme));
        assert!(may_edit_owned(&manager, Some(acme), Some(user.user_id)).is_ok());
        assert!(may_edit_owned(&manager, None, None).is_err());
        assert!(may_edit_owned(&viewer(Role::ChannelManager, None), None, None).is_ok());
    }

    #[test]
    fn search_text_is_trimmed_and_checked() {
        assert_eq!(
            search_text(Some("  nord ")).unwrap().as_deref(),
            Some("nord")
        );
        assert_eq!(search_text(Some("   ")).unwrap(), None);
        assert!(search_text(Some("a\u{0}")).is_err());
        assert!(search_text(Some(&"x".repeat(201))).is_err());
    }
}
