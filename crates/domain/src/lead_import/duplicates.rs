//! When two leads are the same person: the same e-mail address (any case),
//! or, when at least one of them has no e-mail address, the same company and
//! name once normalised (case, accents, punctuation and legal suffixes do
//! not count: `Nordlys A/S` is `NORDLYS`).
//!
//! Two leads with different e-mail addresses are different people even at
//! one company under one name: the addresses say so.

use std::collections::HashMap;

use crate::registrations::matching::{normalise_company, normalise_person};

/// What a lead is compared by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadKey {
    /// Lower case.
    email: Option<String>,
    /// Normalised company and name.
    person: String,
}

/// Which part of the key matched, named as the lead field the report points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchedBy {
    Email,
    CompanyAndName,
}

impl MatchedBy {
    pub fn field(self) -> &'static str {
        match self {
            MatchedBy::Email => "email",
            MatchedBy::CompanyAndName => "company",
        }
    }
}

impl LeadKey {
    pub fn new(name: &str, company: &str, email: Option<&str>) -> LeadKey {
        LeadKey {
            email: email
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty()),
            person: format!(
                "{}\u{1f}{}",
                normalise_company(company),
                normalise_person(name)
            ),
        }
    }
}

/// Leads seen so far, by key; `T` is what a match reports (a row number, a
/// lead id). Every lead under a key is kept, so a match can name them all.
#[derive(Debug)]
pub struct KeyIndex<T> {
    by_email: HashMap<String, Vec<T>>,
    /// Every lead, by company and name.
    by_person: HashMap<String, Vec<T>>,
    /// Only leads without an e-mail address, by company and name.
    by_person_without_email: HashMap<String, Vec<T>>,
}

impl<T> Default for KeyIndex<T> {
    fn default() -> Self {
        KeyIndex {
            by_email: HashMap::new(),
            by_person: HashMap::new(),
            by_person_without_email: HashMap::new(),
        }
    }
}

impl<T: Copy> KeyIndex<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.by_person.is_empty()
    }

    pub fn insert(&mut self, key: &LeadKey, value: T) {
        if let Some(email) = &key.email {
            self.by_email.entry(email.clone()).or_default().push(value);
        } else {
            self.by_person_without_email
                .entry(key.person.clone())
                .or_default()
                .push(value);
        }
        self.by_person
            .entry(key.person.clone())
            .or_default()
            .push(value);
    }

    /// Every lead the key is a duplicate of, first inserted first, with
    /// what matched.
    pub fn matches(&self, key: &LeadKey) -> Vec<(T, MatchedBy)> {
        let mut found = Vec::new();
        let by_person = match &key.email {
            Some(email) => {
                if let Some(values) = self.by_email.get(email) {
                    found.extend(values.iter().map(|v| (*v, MatchedBy::Email)));
                }
                // With an address, only leads without one match by name.
                self.by_person_without_email.get(&key.person)
            }
            None => self.by_person.get(&key.person),
        };
        if let Some(values) = by_person {
            found.extend(values.iter().map(|v| (*v, MatchedBy::CompanyAndName)));
        }
        found
    }

    /// The first lead the key is a duplicate of.
    pub fn first_match(&self, key: &LeadKey) -> Option<(T, MatchedBy)> {
        self.matches(key).into_iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, company: &str, email: Option<&str>) -> LeadKey {
        LeadKey::new(name, company, email)
    }

    #[test]
    fn the_same_address_in_any_case_is_the_same_lead() {
        let mut index = KeyIndex::new();
        index.insert(&key("Mette Hansen", "Nordlys", Some("mette@nordlys.dk")), 2);
        assert_eq!(
            index.first_match(&key("M. Hansen", "Other", Some(" METTE@Nordlys.DK "))),
            Some((2, MatchedBy::Email))
        );
        assert_eq!(
            index.first_match(&key("Mette Hansen", "Nordlys", Some("mh@nordlys.dk"))),
            None,
            "another address is another person"
        );
    }

    #[test]
    fn without_an_address_company_and_name_decide() {
        let mut index = KeyIndex::new();
        index.insert(
            &key("Mette Hansen", "Nordlys A/S", Some("mette@nordlys.dk")),
            2,
        );
        index.insert(&key("Søren Ærø", "Blåbær ApS", None), 3);
        // No address here: any lead of that company and name.
        assert_eq!(
            index.first_match(&key("mette  HANSEN", "NORDLYS", None)),
            Some((2, MatchedBy::CompanyAndName))
        );
        // An address here, none there: company and name.
        assert_eq!(
            index.first_match(&key("Soren Aero", "Blabaer", Some("s@b.dk"))),
            Some((3, MatchedBy::CompanyAndName))
        );
        assert_eq!(index.first_match(&key("Søren Ærø", "Nordlys", None)), None);
    }

    #[test]
    fn all_matches_are_listed_in_order() {
        let mut index = KeyIndex::new();
        index.insert(&key("A", "X", Some("a@x.dk")), 1);
        index.insert(&key("A", "X", Some("b@x.dk")), 2);
        index.insert(&key("A", "X", None), 3);
        assert_eq!(
            index.matches(&key("A", "X", None)),
            vec![
                (1, MatchedBy::CompanyAndName),
                (2, MatchedBy::CompanyAndName),
                (3, MatchedBy::CompanyAndName)
            ]
        );
        assert_eq!(
            index.matches(&key("A", "X", Some("a@x.dk"))),
            vec![(1, MatchedBy::Email), (3, MatchedBy::CompanyAndName)]
        );
    }
}
