//! The demo's customers: the companies the partners (and the vendor itself)
//! already sell to, the products they buy, and the deals the partners
//! register. Plain constants; [`super::deals`] walks them through the store.
//!
//! The names are made up and kept apart from the word lists the leads are
//! made of, so that a registration only conflicts where the demo means it to.

/// A customer company the demo creates as an account.
pub(super) struct Customer {
    pub name: &'static str,
    /// Its web and e-mail domain.
    pub domain: &'static str,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub city: &'static str,
    /// The telephone area code of the city.
    pub area: &'static str,
    pub industry: &'static str,
    /// Index into [`super::PARTNERS`]; `None` for the vendor's own customers.
    pub partner: Option<usize>,
    /// Index into the partner's people (0 is the partner manager); for the
    /// vendor's own, into [`super::VENDOR_STAFF`].
    pub owner: usize,
}

const fn customer(
    name: &'static str,
    domain: &'static str,
    (country, city, area): (&'static str, &'static str, &'static str),
    industry: &'static str,
    partner: Option<usize>,
    owner: usize,
) -> Customer {
    Customer {
        name,
        domain,
        country,
        city,
        area,
        industry,
        partner,
        owner,
    }
}

const FJORDLINE: Option<usize> = Some(0);
const KATTEGAT: Option<usize> = Some(1);
const SKAGEN: Option<usize> = Some(2);
const VENDOR: Option<usize> = None;

#[rustfmt::skip]
pub(super) const CUSTOMERS: [Customer; 27] = [
    // The vendor's own key accounts, served directly.
    customer("Danske Færgeruter A/S", "danskefaergeruter.dk", ("DK", "København", "33"), "Transport", VENDOR, 0),
    customer("Norrland Kraft AB", "norrlandkraft.se", ("SE", "Luleå", "920"), "Energy", VENDOR, 1),
    customer("Vestlandet Sjukehusdrift HF", "vestlandet-sjukehus.no", ("NO", "Bergen", "55"), "Healthcare", VENDOR, 2),
    customer("Suomen Satamapalvelut Oy", "satamapalvelut.fi", ("FI", "Helsinki", "9"), "Logistics", VENDOR, 0),
    // Fjordline IT.
    customer("Vestjysk Vindservice A/S", "vestjyskvind.dk", ("DK", "Ringkøbing", "97"), "Energy", FJORDLINE, 2),
    customer("Tandlægerne Trøjborg ApS", "tandtroejborg.dk", ("DK", "Aarhus", "86"), "Healthcare", FJORDLINE, 2),
    customer("Ribe Bryghus A/S", "ribebryghus.dk", ("DK", "Ribe", "75"), "Food and beverage", FJORDLINE, 1),
    customer("Bergen Marine Elektro AS", "bergenmarine.no", ("NO", "Bergen", "55"), "Maritime", FJORDLINE, 2),
    customer("Kolding Plast & Emballage A/S", "koldingplast.dk", ("DK", "Kolding", "75"), "Manufacturing", FJORDLINE, 0),
    customer("Göta Redovisning AB", "gotaredovisning.se", ("SE", "Göteborg", "31"), "Accounting", FJORDLINE, 2),
    customer("Herning Møbelindustri A/S", "herningmobel.dk", ("DK", "Herning", "97"), "Manufacturing", FJORDLINE, 1),
    customer("Tampereen Konepaja Oy", "tampereenkonepaja.fi", ("FI", "Tampere", "3"), "Manufacturing", FJORDLINE, 2),
    // Kattegat Systems.
    customer("Øresund Skibsservice ApS", "oresundskib.dk", ("DK", "Helsingør", "49"), "Maritime", KATTEGAT, 1),
    customer("Roskilde Friskole", "roskildefriskole.dk", ("DK", "Roskilde", "46"), "Education", KATTEGAT, 2),
    customer("Malmö Hamnlogistik AB", "malmohamnlogistik.se", ("SE", "Malmö", "40"), "Logistics", KATTEGAT, 1),
    customer("Helsingborgs Bageri AB", "hbgbageri.se", ("SE", "Helsingborg", "42"), "Food and beverage", KATTEGAT, 2),
    customer("Nordsjællands Revision I/S", "nsj-revision.dk", ("DK", "Hillerød", "48"), "Accounting", KATTEGAT, 0),
    customer("Stevns Kalkbrud A/S", "stevnskalk.dk", ("DK", "Store Heddinge", "56"), "Mining", KATTEGAT, 1),
    customer("Oslo Eiendomsforvaltning AS", "osloeiendom.no", ("NO", "Oslo", "22"), "Real estate", KATTEGAT, 2),
    customer("Lund Medicinteknik AB", "lundmedtek.se", ("SE", "Lund", "46"), "Medical devices", KATTEGAT, 1),
    // Skagen Data.
    customer("Frederikshavn Fiskeeksport A/S", "fhavnfisk.dk", ("DK", "Frederikshavn", "98"), "Food and beverage", SKAGEN, 1),
    customer("Hjørring Vognmandsforretning ApS", "hjoerringvogn.dk", ("DK", "Hjørring", "98"), "Transport", SKAGEN, 2),
    customer("Thy Mejeri A/S", "thymejeri.dk", ("DK", "Thisted", "97"), "Food and beverage", SKAGEN, 1),
    customer("Kristiansand Dykkerservice AS", "kdykk.no", ("NO", "Kristiansand", "38"), "Maritime", SKAGEN, 2),
    customer("Nørresundby Advokater I/S", "nsby-advokater.dk", ("DK", "Nørresundby", "98"), "Legal services", SKAGEN, 0),
    customer("Oulun Puutalo Oy", "oulunpuutalo.fi", ("FI", "Oulu", "8"), "Construction", SKAGEN, 2),
    customer("Skive Varmeværk A.m.b.a.", "skivevarme.dk", ("DK", "Skive", "97"), "Utilities", SKAGEN, 1),
];

/// What the vendor sells, and what a seat costs a year in DKK.
#[rustfmt::skip]
pub(super) const PRODUCTS: &[(&str, i64)] = &[
    ("Nordlys Backup", 420),
    ("Endpoint Protection", 560),
    ("Single Sign-On", 310),
    ("Network Monitoring", 480),
    ("Managed Patching", 390),
    ("E-mail Security", 260),
    ("Device Management", 450),
    ("Security Operations Dashboard", 890),
    ("Log Retention", 340),
];

/// How many seats a deal is for.
pub(super) const SEATS: &[i64] = &[25, 40, 60, 80, 120, 150, 250, 400, 600];

/// The next step a deal has at each open stage, by the stage's position
/// among the open stages.
#[rustfmt::skip]
pub(super) const NEXT_STEPS: &[&[&str]] = &[
    &["Intro call booked with their IT manager", "Send the product overview and a reference"],
    &["Confirm budget and who signs", "Qualify the timeline with procurement"],
    &["Workshop with their IT team on Thursday", "Map current licences and renewal dates"],
    &["Proposal sent; follow up on Friday", "Walk the CFO through the proposal"],
    &["Final price with procurement", "Contract to legal for review"],
];

/// What partners write on a deal after a call or a meeting.
#[rustfmt::skip]
pub(super) const DEAL_NOTES: &[&str] = &[
    "Good meeting with the IT manager; they want a pilot on one site first.",
    "Procurement asked for a three-year price with yearly payment.",
    "Reference call with a customer of ours went well.",
    "They compare us with their current supplier; our reporting is the difference.",
    "Security review of our data processing agreement is done.",
    "Budget confirmed by the CFO.",
    "Asked the channel manager for a competitive discount.",
];

/// Why a deal was lost, kept in its description.
#[rustfmt::skip]
pub(super) const LOSS_REASONS: &[&str] = &[
    "Lost on price: the incumbent cut their renewal by 30 %.",
    "Project postponed to next year after a budget freeze.",
    "They chose a suite from their ERP supplier.",
];

/// A deal a partner registers.
pub(super) struct DealRegistration {
    /// Index into [`super::PARTNERS`] and into its people.
    pub partner: usize,
    pub submitter: usize,
    pub company: &'static str,
    pub domain: &'static str,
    pub contact: &'static str,
    pub contact_email: &'static str,
    pub product: &'static str,
    /// In major units.
    pub amount: i64,
    pub currency: &'static str,
    pub description: &'static str,
    /// Days before the demo starts that it was submitted.
    pub submitted_days_ago: i64,
    /// Days from submission to the expected close.
    pub close_in_days: i64,
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    Pending,
    /// Approved by the partner's channel manager this many days before the demo starts.
    Approved(i64),
    Rejected(i64, &'static str),
}

#[rustfmt::skip]
pub(super) const REGISTRATIONS: [DealRegistration; 8] = [
    DealRegistration {
        partner: 0, submitter: 2, company: "Stavanger Offshore Catering AS", domain: "socatering.no",
        contact: "Ingrid Haugland", contact_email: "ingrid.haugland@socatering.no",
        product: "Nordlys Backup for the onshore offices", amount: 420_000, currency: "NOK",
        description: "Their backup contract ends in August; we have run their network for three years.",
        submitted_days_ago: 2, close_in_days: 75, outcome: Outcome::Pending,
    },
    DealRegistration {
        partner: 1, submitter: 2, company: "Varberg Kusthotell AB", domain: "varbergkusthotell.se",
        contact: "Elin Johansson", contact_email: "elin.johansson@varbergkusthotell.se",
        product: "Single Sign-On and Device Management", amount: 185_000, currency: "SEK",
        description: "Met them at a hospitality event in Göteborg; 140 staff on shared tablets.",
        submitted_days_ago: 1, close_in_days: 60, outcome: Outcome::Pending,
    },
    // The conflict: Fjordline IT already has this customer as an account with an open deal.
    DealRegistration {
        partner: 2, submitter: 1, company: "Vestjysk Vindservice", domain: "vestjyskvind.dk",
        contact: "Kasper Vestergaard", contact_email: "kasper.vestergaard@vestjyskvind.dk",
        product: "Endpoint Protection for 300 service technicians", amount: 650_000, currency: "DKK",
        description: "Their new IT manager used to be a customer of ours in Skagen and asked us for a proposal.",
        submitted_days_ago: 0, close_in_days: 45, outcome: Outcome::Pending,
    },
    DealRegistration {
        partner: 1, submitter: 1, company: "Halmstad Energi och Vatten AB", domain: "halmstad-ev.se",
        contact: "Johan Lindberg", contact_email: "johan.lindberg@halmstad-ev.se",
        product: "Security Operations Dashboard", amount: 960_000, currency: "SEK",
        description: "NIS2 puts them in scope; they want monitoring in place before the audit.",
        submitted_days_ago: 23, close_in_days: 70, outcome: Outcome::Approved(20),
    },
    // Approved long ago: its protection ends within the reminder period.
    DealRegistration {
        partner: 0, submitter: 1, company: "Horsens Byggecenter A/S", domain: "horsensbyggecenter.dk",
        contact: "Louise Kjærgaard", contact_email: "lk@horsensbyggecenter.dk",
        product: "Managed Patching for 11 stores", amount: 340_000, currency: "DKK",
        description: "Eleven stores and a warehouse; laptops at the counters are years behind on updates.",
        submitted_days_ago: 83, close_in_days: 110, outcome: Outcome::Approved(80),
    },
    DealRegistration {
        partner: 2, submitter: 2, company: "Turun Laivatekniikka Oy", domain: "laivatekniikka.fi",
        contact: "Mikko Virtanen", contact_email: "mikko.virtanen@laivatekniikka.fi",
        product: "Network Monitoring for two shipyards", amount: 48_000, currency: "EUR",
        description: "A reference from Kristiansand Dykkerservice; they share a supplier.",
        submitted_days_ago: 38, close_in_days: 90, outcome: Outcome::Approved(35),
    },
    // The vendor's own customer: rejected.
    DealRegistration {
        partner: 1, submitter: 2, company: "Danske Færgeruter A/S", domain: "danskefaergeruter.dk",
        contact: "Rasmus Bach", contact_email: "rasmus.bach@danskefaergeruter.dk",
        product: "E-mail Security for the ferry crews", amount: 210_000, currency: "DKK",
        description: "Their IT operations manager asked us for a quote after a phishing wave.",
        submitted_days_ago: 16, close_in_days: 40, outcome: Outcome::Rejected(14,
            "Danske Færgeruter buys directly from Nordlys under a framework agreement that runs until 2027. \
             Please pass the request on to me and I will involve you in the delivery."),
    },
    DealRegistration {
        partner: 2, submitter: 1, company: "Rovaniemen Matkailukeskus Oy", domain: "rovaniemenmatkailu.fi",
        contact: "Aino Korhonen", contact_email: "aino.korhonen@rovaniemenmatkailu.fi",
        product: "Single Sign-On", amount: 22_000, currency: "EUR",
        description: "Tourism centre with seasonal staff; they want one login for the booking tools.",
        submitted_days_ago: 9, close_in_days: 50, outcome: Outcome::Rejected(7,
            "This purchase goes out as a public tender next month, so it cannot be registered. \
             Please bid in the tender; I can help with the references."),
    },
];

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use std::collections::BTreeSet;

    use openprm_domain::{
        accounts::AccountInput,
        registrations::matching::{Candidate, Probe, compare},
    };

    use super::*;
    use crate::demo::{PARTNERS, VENDOR_STAFF};

    #[test]
    fn every_customer_is_a_valid_account_with_its_own_domain_and_owner() {
        let mut domains = BTreeSet::new();
        for c in &CUSTOMERS {
            let input = AccountInput {
                name: Some(c.name.into()),
                domain: Some(c.domain.into()),
                country: Some(c.country.into()),
                city: Some(c.city.into()),
                industry: Some(c.industry.into()),
                ..AccountInput::default()
            };
            input
                .parse(None)
                .unwrap_or_else(|e| panic!("{}: {e:?}", c.name));
            assert!(domains.insert(c.domain), "{}", c.domain);
            match c.partner {
                Some(p) => assert!(p < PARTNERS.len() && c.owner < 3),
                None => assert!(c.owner < VENDOR_STAFF.len()),
            }
        }
        assert!(CUSTOMERS.iter().filter(|c| c.partner.is_none()).count() >= 3);
        // The demo's conflict: Skagen Data registers a customer of Fjordline IT's.
        assert_eq!(CUSTOMERS[4].name, "Vestjysk Vindservice A/S");
        assert_eq!(CUSTOMERS[4].partner, FJORDLINE);
    }

    #[test]
    fn only_the_contested_and_the_vendors_customer_are_registered_twice() {
        let probe = |r: &DealRegistration| Probe {
            company_name: r.company.into(),
            domain: Some(r.domain.into()),
            contact_email: Some(r.contact_email.into()),
        };
        let mut clashes = Vec::new();
        for r in &REGISTRATIONS {
            for c in &CUSTOMERS {
                let candidate = Candidate {
                    company_name: Some(c.name),
                    domain: Some(c.domain),
                    email: None,
                };
                if compare(&probe(r), &candidate).is_some() {
                    clashes.push((r.company, c.name));
                }
            }
            for other in &REGISTRATIONS {
                let candidate = Candidate {
                    company_name: Some(other.company),
                    domain: Some(other.domain),
                    email: Some(other.contact_email),
                };
                assert!(
                    std::ptr::eq(r, other) || compare(&probe(r), &candidate).is_none(),
                    "{} and {}",
                    r.company,
                    other.company
                );
            }
        }
        assert_eq!(
            clashes,
            [
                ("Vestjysk Vindservice", "Vestjysk Vindservice A/S"),
                ("Danske Færgeruter A/S", "Danske Færgeruter A/S"),
            ]
        );
    }

    #[test]
    fn registrations_cover_every_outcome_with_partner_people_who_exist() {
        for r in &REGISTRATIONS {
            assert!(
                r.partner < PARTNERS.len() && r.submitter < 3,
                "{}",
                r.company
            );
            assert!(r.close_in_days > r.submitted_days_ago && r.close_in_days < 365);
            match r.outcome {
                Outcome::Approved(days) | Outcome::Rejected(days, _) => {
                    assert!(days < r.submitted_days_ago);
                }
                Outcome::Pending => {}
            }
        }
        let pending = REGISTRATIONS
            .iter()
            .filter(|r| r.outcome == Outcome::Pending);
        assert!(pending.count() >= 3);
        assert!(
            REGISTRATIONS
                .iter()
                .any(|r| matches!(r.outcome, Outcome::Approved(_)))
        );
        assert!(
            REGISTRATIONS
                .iter()
                .any(|r| matches!(r.outcome, Outcome::Rejected(..)))
        );
    }
}
