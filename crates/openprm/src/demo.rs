//! The demo company: Nordlys Software, its channel team, three partner
//! companies and their people, all signing in with one password; their
//! lead pipeline (queues, claim rules and a few hundred leads, in [`leads`]);
//! and their deals (accounts, contacts, opportunities, converted leads and
//! deal registrations, in [`deals`]).
//!
//! The data is plain constants and [`seed`] walks them through the store's
//! public functions; every step looks for what it would create first, so a
//! seed cut short can simply be run again (the leads are added only while
//! there are none, the deals only while there are no accounts).

mod conversions;
mod customers;
mod deals;
mod fake;
mod leads;
mod plan;
mod registered;
mod words;

use base64::{Engine, engine::general_purpose::STANDARD};
use openprm_domain::{Colour, EmailAddress, Locale, PartnerId, Role, Tier, UserId};
use openprm_store::{Store, partners::PartnerFields, settings::VendorSettings, users::NewUser};

/// The password of every demo login; it passes the password policy.
pub const DEMO_PASSWORD: &str = "nordlys-demo-2026";

const PORTAL_NAME: &str = "Nordlys Partner Portal";
const PRIMARY: &str = "#16324f";
const ACCENT: &str = "#2bb673";

/// The vendor's mark: northern lights over dark hills in a night-blue badge,
/// with the word Nordlys. Self-contained, so it reads on any header colour.
const LOGO_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 176 56" width="176" height="56" role="img" aria-label="Nordlys">
<defs>
<linearGradient id="a" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="#2bb673"/><stop offset="0.5" stop-color="#3ccfa8" stop-opacity="0.75"/><stop offset="1" stop-color="#8a7ce0" stop-opacity="0"/></linearGradient>
<linearGradient id="b" x1="0" y1="1" x2="0" y2="0"><stop offset="0" stop-color="#7fe3b8" stop-opacity="0.9"/><stop offset="1" stop-color="#2bb673" stop-opacity="0"/></linearGradient>
<clipPath id="c"><circle cx="28" cy="28" r="21"/></clipPath>
</defs>
<rect width="176" height="56" rx="12" fill="#16324f"/>
<circle cx="28" cy="28" r="21" fill="#1d3f63"/>
<g clip-path="url(#c)">
<path d="M2 36 C12 22 20 38 29 27 S44 18 54 28 L54 2 L2 2 Z" fill="url(#a)"/>
<path d="M4 42 C14 32 22 44 30 35 S44 30 54 38 L54 14 C44 10 38 22 30 18 S14 18 4 12 Z" fill="url(#b)" opacity="0.5"/>
<path d="M2 36 C12 22 20 38 29 27 S44 18 54 28" fill="none" stroke="#2bb673" stroke-width="2.5" stroke-linecap="round"/>
<path d="M0 50 L0 44 L16 38 L25 42 L36 35 L56 46 L56 50 Z" fill="#0d2136"/>
</g>
<circle cx="38" cy="13" r="1.3" fill="#ffffff"/><circle cx="18" cy="15" r="1" fill="#ffffff" opacity="0.8"/><circle cx="30" cy="19" r="0.8" fill="#ffffff" opacity="0.7"/>
<text x="60" y="37" font-family="Helvetica, Arial, sans-serif" font-size="26" font-weight="600" letter-spacing="0.5" fill="#ffffff">Nordlys</text>
</svg>"##;

struct Person {
    name: &'static str,
    email: &'static str,
    role: Role,
    locale: Locale,
}

const fn person(name: &'static str, email: &'static str, role: Role, locale: Locale) -> Person {
    Person {
        name,
        email,
        role,
        locale,
    }
}

/// The vendor's own staff: the admin and the two channel managers.
const VENDOR_STAFF: [Person; 3] = [
    person(
        "Astrid Nordlys",
        "admin@nordlys.example",
        Role::Admin,
        Locale::English,
    ),
    person(
        "Mikkel Holm",
        "mikkel.holm@nordlys.example",
        Role::ChannelManager,
        Locale::Danish,
    ),
    person(
        "Sofie Lind",
        "sofie.lind@nordlys.example",
        Role::ChannelManager,
        Locale::English,
    ),
];

struct DemoPartner {
    name: &'static str,
    tier: Tier,
    /// The e-mail of the channel manager the account is assigned to.
    channel_manager: &'static str,
    /// The partner's own colours (primary, accent), shown to its users.
    colours: Option<(&'static str, &'static str)>,
    people: [Person; 3],
}

const PARTNERS: [DemoPartner; 3] = [
    DemoPartner {
        name: "Fjordline IT",
        tier: Tier::Gold,
        channel_manager: "mikkel.holm@nordlys.example",
        colours: None,
        people: [
            person(
                "Henrik Dahl",
                "henrik.dahl@fjordline-it.example",
                Role::PartnerManager,
                Locale::Danish,
            ),
            person(
                "Freja Mortensen",
                "freja.mortensen@fjordline-it.example",
                Role::PartnerUser,
                Locale::Danish,
            ),
            person(
                "Oskar Lund",
                "oskar.lund@fjordline-it.example",
                Role::PartnerUser,
                Locale::English,
            ),
        ],
    },
    DemoPartner {
        name: "Kattegat Systems",
        tier: Tier::Silver,
        channel_manager: "sofie.lind@nordlys.example",
        colours: Some(("#0f4c5c", "#e36414")),
        people: [
            person(
                "Ingrid Berg",
                "ingrid.berg@kattegat-systems.example",
                Role::PartnerManager,
                Locale::English,
            ),
            person(
                "Lars Kjær",
                "lars.kjaer@kattegat-systems.example",
                Role::PartnerUser,
                Locale::Danish,
            ),
            person(
                "Maja Nielsen",
                "maja.nielsen@kattegat-systems.example",
                Role::PartnerUser,
                Locale::English,
            ),
        ],
    },
    DemoPartner {
        name: "Skagen Data",
        tier: Tier::Registered,
        channel_manager: "mikkel.holm@nordlys.example",
        colours: None,
        people: [
            person(
                "Jonas Østergaard",
                "jonas.ostergaard@skagendata.example",
                Role::PartnerManager,
                Locale::Danish,
            ),
            person(
                "Emma Sørensen",
                "emma.sorensen@skagendata.example",
                Role::PartnerUser,
                Locale::Danish,
            ),
            person(
                "Nils Andersen",
                "nils.andersen@skagendata.example",
                Role::PartnerUser,
                Locale::English,
            ),
        ],
    },
];

/// One line of the logins table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Login {
    pub role: Role,
    pub name: String,
    pub email: String,
    pub partner: Option<String>,
}

/// Creates whatever of the demo company is missing and answers every demo
/// login. The caller decides when: `openprm demo` only on a database without users.
/// `base_url` is where the portal answers, for the links in the e-mails the
/// demo's deal registrations send.
pub async fn seed(store: &Store, base_url: &str) -> anyhow::Result<Vec<Login>> {
    store.save_vendor_settings(None, &vendor_settings()).await?;
    let mut logins = Vec::new();
    for person in &VENDOR_STAFF {
        ensure_user(store, person, None).await?;
        logins.push(login(person, None));
    }
    for partner in &PARTNERS {
        let id = ensure_partner(store, partner).await?;
        for person in &partner.people {
            ensure_user(store, person, Some(id)).await?;
            logins.push(login(person, Some(partner.name)));
        }
    }
    leads::seed(store).await?;
    let mail = openprm_web::services::registrations::registration_mail(base_url);
    deals::seed(store, &*mail).await?;
    Ok(logins)
}

fn vendor_settings() -> VendorSettings {
    VendorSettings {
        portal_name: PORTAL_NAME.to_owned(),
        logo_url: Some(logo_data_uri()),
        primary_colour: PRIMARY.to_owned(),
        accent_colour: ACCENT.to_owned(),
        ..VendorSettings::default()
    }
}

fn logo_data_uri() -> String {
    format!("data:image/svg+xml;base64,{}", STANDARD.encode(LOGO_SVG))
}

fn login(person: &Person, partner: Option<&str>) -> Login {
    Login {
        role: person.role,
        name: person.name.to_owned(),
        email: person.email.to_owned(),
        partner: partner.map(str::to_owned),
    }
}

/// Titles and phone numbers of the vendor staff, for the partners' contact card.
fn contact_of(email: &str) -> Option<(&'static str, &'static str)> {
    match email {
        "mikkel.holm@nordlys.example" => Some(("Channel Manager, Jutland", "+45 70 20 31 41")),
        "sofie.lind@nordlys.example" => {
            Some(("Channel Manager, Zealand & Funen", "+45 70 20 31 42"))
        }
        "astrid.nordlys@nordlys.example" | "admin@nordlys.example" => {
            Some(("Head of Partner Sales", "+45 70 20 31 40"))
        }
        _ => None,
    }
}

fn email(address: &str) -> anyhow::Result<EmailAddress> {
    EmailAddress::parse(address).map_err(|key| anyhow::anyhow!("demo e-mail {address}: {key}"))
}

async fn ensure_user(
    store: &Store,
    person: &Person,
    partner_id: Option<PartnerId>,
) -> anyhow::Result<UserId> {
    let email = email(person.email)?;
    if let Some((user, _)) = store.user_for_sign_in(&email).await? {
        return Ok(user.id);
    }
    let new = NewUser {
        email,
        name: person.name.to_owned(),
        role: person.role,
        partner_id,
        locale: person.locale,
        title: contact_of(person.email).map(|(title, _)| title.to_owned()),
        phone: contact_of(person.email).map(|(_, phone)| phone.to_owned()),
        password: Some(DEMO_PASSWORD.to_owned()),
        must_change_password: false,
    };
    Ok(store.create_user(&new).await?.id)
}

async fn ensure_partner(store: &Store, partner: &DemoPartner) -> anyhow::Result<PartnerId> {
    if let Some(existing) = store.partner_by_name(partner.name).await? {
        return Ok(existing.id);
    }
    let manager = store
        .user_for_sign_in(&email(partner.channel_manager)?)
        .await?
        .map(|(user, _)| user.id)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "demo channel manager {} is missing",
                partner.channel_manager
            )
        })?;
    let colour = |value: &str| {
        Colour::parse(value).map_err(|key| anyhow::anyhow!("demo colour {value}: {key}"))
    };
    let (primary_colour, accent_colour) = match partner.colours {
        Some((primary, accent)) => (Some(colour(primary)?), Some(colour(accent)?)),
        None => (None, None),
    };
    let fields = PartnerFields {
        name: partner.name.to_owned(),
        tier: Some(partner.tier),
        channel_manager_id: Some(manager),
        primary_colour,
        accent_colour,
        ..PartnerFields::default()
    };
    Ok(store.create_partner(None, &fields).await?.id)
}

/// The logins as a table for the terminal, with where to sign in.
pub fn logins_table(logins: &[Login], url: &str) -> String {
    let rows: Vec<[String; 4]> = logins
        .iter()
        .map(|l| {
            [
                l.role.as_str().replace('_', " "),
                l.name.clone(),
                l.email.clone(),
                l.partner
                    .clone()
                    .unwrap_or_else(|| "Nordlys Software".to_owned()),
            ]
        })
        .collect();
    let header = ["ROLE", "NAME", "E-MAIL", "COMPANY"].map(str::to_owned);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        format!("  {}\n", padded.join("  ").trim_end())
    };
    let mut out = format!("\n{PORTAL_NAME}: demo data added. Sign in at {url}\n");
    out.push_str(&format!(
        "Every demo login has the password: {DEMO_PASSWORD}\n\n"
    ));
    out.push_str(&line(&header));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &rows {
        out.push_str(&line(row));
    }
    out.push_str(WHERE_TO_START);
    out
}

/// Where a newcomer finds each part of the demo, printed under the logins.
const WHERE_TO_START: &str = "
Where to start:
  Oskar Lund (partner user): Leads > My Leads has a qualified lead to Convert;
    Opportunities > My Opportunities has his deals; a deal registration under review.
  Mikkel Holm (channel manager): Opportunities > Deal registrations has one waiting
    for a decision that conflicts with another partner's customer.
  Astrid Nordlys (admin): every partner's accounts, contacts and opportunities,
    won and lost, and the registrations approved and rejected.
";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use openprm_domain::password::check_new_password;

    use super::*;

    fn everyone() -> impl Iterator<Item = &'static Person> {
        VENDOR_STAFF
            .iter()
            .chain(PARTNERS.iter().flat_map(|p| p.people.iter()))
    }

    #[test]
    fn the_demo_password_passes_the_policy_for_every_login() {
        for person in everyone() {
            let email = EmailAddress::parse(person.email).unwrap();
            assert_eq!(
                check_new_password(DEMO_PASSWORD, &email),
                Ok(()),
                "{}",
                person.email
            );
        }
    }

    #[test]
    fn every_partner_has_a_manager_and_two_users_at_its_own_domain() {
        for partner in &PARTNERS {
            let roles: Vec<Role> = partner.people.iter().map(|p| p.role).collect();
            assert_eq!(
                roles,
                [Role::PartnerManager, Role::PartnerUser, Role::PartnerUser]
            );
            let domains: Vec<&str> = partner
                .people
                .iter()
                .map(|p| p.email.split('@').nth(1).unwrap())
                .collect();
            assert!(domains.iter().all(|d| *d == domains[0]), "{}", partner.name);
            assert!(
                VENDOR_STAFF
                    .iter()
                    .any(|s| s.email == partner.channel_manager && s.role == Role::ChannelManager)
            );
        }
        let tiers: Vec<Tier> = PARTNERS.iter().map(|p| p.tier).collect();
        assert_eq!(tiers, [Tier::Gold, Tier::Silver, Tier::Registered]);
        assert!(everyone().any(|p| p.locale == Locale::Danish));
    }

    #[test]
    fn the_branding_is_valid() {
        let settings = vendor_settings();
        assert!(Colour::parse(&settings.primary_colour).is_ok());
        assert!(Colour::parse(&settings.accent_colour).is_ok());
        let logo = settings.logo_url.unwrap();
        assert_eq!(
            openprm_domain::branding::validate_logo_url(&logo),
            Ok(logo.clone())
        );
        for partner in &PARTNERS {
            if let Some((primary, accent)) = partner.colours {
                assert!(Colour::parse(primary).is_ok() && Colour::parse(accent).is_ok());
            }
        }
    }

    #[test]
    fn the_logins_table_lines_up() {
        let logins = vec![
            Login {
                role: Role::Admin,
                name: "Astrid Nordlys".into(),
                email: "admin@nordlys.example".into(),
                partner: None,
            },
            Login {
                role: Role::PartnerUser,
                name: "Jonas Østergaard".into(),
                email: "jonas.ostergaard@skagendata.example".into(),
                partner: Some("Skagen Data".into()),
            },
        ];
        let table = logins_table(&logins, "http://127.0.0.1:8080");
        assert!(table.contains("http://127.0.0.1:8080") && table.contains(DEMO_PASSWORD));
        // The e-mail column starts at the same character on every line, Danish letters or not.
        let starts: Vec<usize> = ["E-MAIL", "admin@", "jonas."]
            .iter()
            .map(|needle| {
                let line = table.lines().find(|l| l.contains(needle)).unwrap();
                line[..line.find(needle).unwrap()].chars().count()
            })
            .collect();
        assert!(starts.windows(2).all(|w| w[0] == w[1]), "{table}");
    }
}
