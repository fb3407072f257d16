//! Conflict matching for deal registrations (spec flow 13): is this existing
//! lead, opportunity, account or registration the same customer?
//!
//! Three signals, strongest first: the same contact e-mail, the same company
//! e-mail domain (free-mail domains say nothing about the company and are
//! ignored), and a similar company name. Names are compared after
//! [`normalise_company`] (case, accents, punctuation and legal suffixes
//! dropped), by Jaro–Winkler similarity, which rewards a shared beginning —
//! how company names usually differ ("Nordlys" and "Nordlys Energi") — with a
//! threshold that keeps unrelated names sharing a few letters apart.
//!
//! The store gathers candidates cheaply in SQL (same domain, same e-mail, a
//! shared word) and asks [`compare`] about each; what a human then sees is the
//! list of matches with what matched.

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

/// Legal-form words dropped from the end of a company name, written as
/// [`fold_token`] leaves them (`A/S` → `as`, `S.r.l.` → `srl`).
const LEGAL_SUFFIXES: &[&str] = &[
    // Nordic
    "as",
    "aps",
    "ivs",
    "is",
    "ks",
    "amba",
    "smba",
    "fmba",
    "ab",
    "hb",
    "kb",
    "publ",
    "asa",
    "ans",
    "da",
    "sa",
    "oy",
    "oyj",
    "ay",
    "ky",
    "hf",
    "ehf",
    "ses", // German-speaking
    "gmbh",
    "ag",
    "kg",
    "ohg",
    "ug",
    "mbh",
    "gbr",
    "co", // English
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "lp",
    "plc",
    "corp",
    "corporation",
    "company",
    "pty", // Benelux, Latin
    "bv",
    "nv",
    "bvba",
    "sprl",
    "sas",
    "sarl",
    "srl",
    "spa",
    "sl",
    "sau",
    "se",
    "sca",
];

/// Domains of free e-mail services: an address there says nothing about the
/// company, so two of them never match on domain.
const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.dk",
    "hotmail.co.uk",
    "outlook.com",
    "outlook.dk",
    "live.com",
    "live.dk",
    "msn.com",
    "yahoo.com",
    "yahoo.dk",
    "yahoo.co.uk",
    "ymail.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "pm.me",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "zoho.com",
    "yandex.com",
    "fastmail.com",
    "tutanota.com",
    "mail.dk",
    "jubii.dk",
    "get2net.dk",
    "ofir.dk",
];

/// Name similarity (0–1, Jaro–Winkler of the normalised names) from which two
/// names count as the same company.
pub const NAME_THRESHOLD: f64 = 0.90;

/// Whether a domain (`gmail.com`) belongs to a free e-mail service.
pub fn is_free_mail(domain: &str) -> bool {
    let domain = domain.trim().trim_end_matches('.').to_lowercase();
    FREE_MAIL_DOMAINS.contains(&domain.as_str())
}

/// One character folded to plain lower-case ASCII where it has an obvious
/// spelling (`Å` → `a`, `æ` → `ae`, `ß` → `ss`); letters of other scripts
/// stay as they are, lower-cased.
fn fold_char(c: char, out: &mut String) {
    match c {
        'æ' | 'Æ' => out.push_str("ae"),
        'ø' | 'Ø' => out.push('o'),
        'œ' | 'Œ' => out.push_str("oe"),
        'ß' => out.push_str("ss"),
        'ð' | 'Ð' => out.push('d'),
        'þ' | 'Þ' => out.push_str("th"),
        'ł' | 'Ł' => out.push('l'),
        'đ' | 'Đ' => out.push('d'),
        'ı' => out.push('i'),
        _ => {
            // Decompose (é → e + ◌́) and drop the combining marks.
            for d in c.nfkd().flat_map(char::to_lowercase).nfkd() {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }
        }
    }
}

fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// The words of a company name, folded: letters and digits kept, `.` `/` and
/// apostrophes joined away (`A/S` → `as`, `Søren's` → `sorens`), anything
/// else separating words.
fn words(name: &str) -> Vec<String> {
    let mut folded = String::with_capacity(name.len());
    for c in name.chars() {
        fold_char(c, &mut folded);
    }
    let mut words = Vec::new();
    let mut word = String::new();
    for c in folded.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else if matches!(c, '.' | '/' | '\'' | '’' | '`' | '´') {
            // Joins: A/S, S.A., O'Brien.
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// A company name reduced to what tells companies apart: lower case, accents
/// folded, punctuation gone, legal suffixes (`A/S`, `ApS`, `GmbH`, `Ltd`, `& Co.`)
/// dropped from the end. `Nordlys A/S`, `NORDLYS` and `Nordlys ApS.` all give
/// `nordlys`. A name made only of such words keeps them (`AS` stays `as`).
pub fn normalise_company(name: &str) -> String {
    let once = normalise_once(name);
    // A few characters fold in two steps (a compatibility form of a capital);
    // a second pass makes the result a fixed point.
    let twice = normalise_once(&once);
    if twice == once {
        once
    } else {
        normalise_once(&twice)
    }
}

/// A person's name folded as company names are, without dropping any word:
/// `Søren  Ærø-Østergård` gives `soren aero ostergard`.
pub fn normalise_person(name: &str) -> String {
    words(name).join(" ")
}

fn normalise_once(name: &str) -> String {
    let mut words = words(name);
    while words.len() > 1
        && words
            .last()
            .is_some_and(|w| LEGAL_SUFFIXES.contains(&w.as_str()))
    {
        words.pop();
    }
    words.join(" ")
}

/// Words of a company name to look for in stored names, which are kept as
/// typed: the normalised words of at least three characters and, where they
/// differ, the same words with their accents (`blåbær` beside `blabaer`);
/// longest first, at most `max`.
pub fn search_words(company_name: &str, max: usize) -> Vec<String> {
    let normalised = normalise_company(company_name);
    let kept: Vec<&str> = normalised.split(' ').collect();
    let mut found: Vec<String> = Vec::new();
    for word in &kept {
        if word.chars().count() >= 3 && !found.iter().any(|f| f == word) {
            found.push((*word).to_owned());
        }
    }
    let lower = company_name.to_lowercase();
    for raw in lower
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '.' | '/' | '\'' | '’')))
        .map(|w| w.replace(['.', '/', '\'', '’'], ""))
    {
        let folded = words(&raw).join(" ");
        if raw != folded
            && raw.chars().count() >= 3
            && kept.contains(&folded.as_str())
            && !found.contains(&raw)
        {
            found.push(raw);
        }
    }
    found.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    found.truncate(max);
    found
}

/// How alike two company names are, 0–1, compared normalised. Empty names are
/// alike to nothing.
pub fn name_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (normalise_company(a), normalise_company(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    strsim::jaro_winkler(&a, &b)
}

/// A company's domain from what people type: a bare domain, a URL or an
/// e-mail address. `https://www.Nordlys.dk/om-os` and `salg@nordlys.dk` both
/// give `nordlys.dk`. `None` when no domain can be read from it.
pub fn normalise_domain(input: &str) -> Option<String> {
    let mut s = input.trim().to_lowercase();
    if let Some((_, host)) = s.rsplit_once('@') {
        s = host.to_owned();
    }
    if let Some((_, rest)) = s.split_once("://") {
        s = rest.to_owned();
    }
    // Path, query, fragment, port and credentials go.
    let end = s.find(['/', '?', '#']).unwrap_or(s.len());
    s.truncate(end);
    if let Some((_, host)) = s.rsplit_once('@') {
        s = host.to_owned();
    }
    if let Some((host, _port)) = s.split_once(':') {
        s = host.to_owned();
    }
    let s = s.trim_end_matches('.');
    let s = s.strip_prefix("www.").unwrap_or(s);
    let labels: Vec<&str> = s.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.chars().count() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    let tld_ok = labels
        .last()
        .is_some_and(|t| t.chars().count() >= 2 && t.chars().all(char::is_alphabetic))
        || labels.last().is_some_and(|t| t.starts_with("xn--"));
    if labels.len() >= 2 && s.len() <= 253 && labels.iter().all(label_ok) && tld_ok {
        Some(s.to_owned())
    } else {
        None
    }
}

/// The company domain an e-mail address tells, unless it is free mail.
pub fn company_domain_of_email(email: &str) -> Option<String> {
    let (_, domain) = email.trim().rsplit_once('@')?;
    normalise_domain(domain).filter(|d| !is_free_mail(d))
}

/// What a registration is compared by.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Probe {
    pub company_name: String,
    /// The company's domain, normalised.
    pub domain: Option<String>,
    /// The contact's e-mail, lower case.
    pub contact_email: Option<String>,
}

/// What an existing record says about its customer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub company_name: Option<&'a str>,
    /// A domain, a website or an e-mail address: normalised before comparing.
    pub domain: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// One signal that two records are the same customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedOn {
    /// The same contact e-mail address.
    ContactEmail,
    /// The same company domain (from a domain, website or e-mail; never free mail).
    Domain,
    /// Similar company names.
    Name,
}

impl MatchedOn {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedOn::ContactEmail => "contact_email",
            MatchedOn::Domain => "domain",
            MatchedOn::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<MatchedOn> {
        [MatchedOn::ContactEmail, MatchedOn::Domain, MatchedOn::Name]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    /// A stored `matched_on` list (`contact_email,domain`).
    pub fn parse_list(s: &str) -> Vec<MatchedOn> {
        s.split(',').filter_map(MatchedOn::parse).collect()
    }

    pub fn join(list: &[MatchedOn]) -> String {
        list.iter()
            .map(|m| m.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// A candidate found to be the same customer: on what, and how sure (0–100).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Match {
    /// Strongest first, each once.
    pub matched_on: Vec<MatchedOn>,
    pub score: u8,
}

/// Whether `candidate` is the customer `probe` describes. The score is that of
/// the strongest signal: the same contact e-mail 100, the same domain 90, a
/// similar name its similarity (90–100); two signals add a little certainty.
pub fn compare(probe: &Probe, candidate: &Candidate<'_>) -> Option<Match> {
    let mut matched_on = Vec::new();
    let mut scores: Vec<u8> = Vec::new();

    let probe_email = probe
        .contact_email
        .as_deref()
        .map(|e| e.trim().to_lowercase());
    let candidate_email = candidate.email.map(|e| e.trim().to_lowercase());
    if let (Some(a), Some(b)) = (&probe_email, &candidate_email)
        && !a.is_empty()
        && a == b
        && a.contains('@')
    {
        matched_on.push(MatchedOn::ContactEmail);
        scores.push(100);
    }

    let probe_domains: Vec<String> = probe
        .domain
        .iter()
        .filter_map(|d| normalise_domain(d))
        .chain(probe_email.as_deref().and_then(company_domain_of_email))
        .filter(|d| !is_free_mail(d))
        .collect();
    let candidate_domains: Vec<String> = candidate
        .domain
        .and_then(normalise_domain)
        .into_iter()
        .chain(candidate_email.as_deref().and_then(company_domain_of_email))
        .filter(|d| !is_free_mail(d))
        .collect();
    if probe_domains.iter().any(|d| candidate_domains.contains(d)) {
        matched_on.push(MatchedOn::Domain);
        scores.push(90);
    }

    if let Some(name) = candidate.company_name {
        let similarity = name_similarity(&probe.company_name, name);
        if similarity >= NAME_THRESHOLD {
            matched_on.push(MatchedOn::Name);
            // In range by the threshold; rounding cannot leave 0–100.
            scores.push((similarity * 100.0).round().clamp(0.0, 100.0) as u8);
        }
    }

    let best = scores.iter().copied().max()?;
    let extra = u8::try_from(scores.len().saturating_sub(1) * 5).unwrap_or(u8::MAX);
    Some(Match {
        matched_on,
        score: best.saturating_add(extra).min(100),
    })
}

/// Whether two registrations are the same deal for the purpose of refusing a
/// partner's second registration: the same normalised company name, or the
/// same company domain.
pub fn same_company(
    a_name: &str,
    a_domain: Option<&str>,
    b_name: &str,
    b_domain: Option<&str>,
) -> bool {
    let same_name = {
        let (a, b) = (normalise_company(a_name), normalise_company(b_name));
        !a.is_empty() && a == b
    };
    let same_domain = matches!(
        (a_domain.and_then(normalise_domain), b_domain.and_then(normalise_domain)),
        (Some(a), Some(b)) if a == b
    );
    same_name || same_domain
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn legal_suffixes_case_accents_and_punctuation_are_ignored() {
        for (input, expected) in [
            ("Nordlys A/S", "nordlys"),
            ("NORDLYS", "nordlys"),
            ("Nordlys ApS.", "nordlys"),
            ("  nordlys   a/s ", "nordlys"),
            ("Blåbær ApS", "blabaer"),
            ("Søren's Bageri I/S", "sorens bageri"),
            ("Müller & Söhne GmbH & Co. KG", "muller sohne"),
            ("Volvo AB (publ)", "volvo"),
            ("Nokia Oyj", "nokia"),
            ("Equinor ASA", "equinor"),
            ("Acme, Inc.", "acme"),
            ("Acme Corp.", "acme"),
            ("Widgets Ltd", "widgets"),
            ("Widgets Limited", "widgets"),
            ("Philips N.V.", "philips"),
            ("Fiat S.p.A.", "fiat"),
            ("Renault S.A.S.", "renault"),
            ("Pizza S.r.l.", "pizza"),
            ("Tesco plc", "tesco"),
            ("Smith & Co.", "smith"),
            ("Nord-Data A/S", "nord data"),
            ("Straße AG", "strasse"),
            ("Ærø Færger", "aero faerger"),
            // Nothing but a legal word: keep it, rather than match everything.
            ("AS", "as"),
            ("", ""),
        ] {
            assert_eq!(normalise_company(input), expected, "{input:?}");
        }
    }

    #[test]
    fn similar_names_match_and_unrelated_ones_do_not() {
        for (a, b) in [
            ("Nordlys A/S", "Nordlys"),
            ("Nordlys A/S", "NORDLYS APS"),
            ("Blåbær ApS", "Blabaer"),
            ("Aalborg Havn A/S", "Aalborg Havn"),
            ("Nordlys Energi A/S", "Nordlys Energi"),
            ("Nordlys A/S", "Nordlys Energi A/S"),
            ("Danfoss", "Danfos"),
        ] {
            let s = name_similarity(a, b);
            assert!(s >= NAME_THRESHOLD, "{a:?} ~ {b:?}: {s}");
        }
        for (a, b) in [
            ("Nordic Data", "Nordea"),
            ("Aalborg Havn", "Aarhus Havn"),
            ("Nordlys A/S", "Solsikke A/S"),
            ("Vestas", "Vesta Group"),
            ("", "Nordlys"),
            ("A/S", "ApS"),
        ] {
            let s = name_similarity(a, b);
            assert!(s < NAME_THRESHOLD, "{a:?} !~ {b:?}: {s}");
        }
    }

    #[test]
    fn domains_are_read_from_urls_and_addresses() {
        for (input, expected) in [
            ("nordlys.dk", Some("nordlys.dk")),
            ("Nordlys.DK", Some("nordlys.dk")),
            ("https://www.nordlys.dk/om-os?x=1", Some("nordlys.dk")),
            ("http://nordlys.dk:8080", Some("nordlys.dk")),
            ("www.nordlys.dk.", Some("nordlys.dk")),
            ("salg@Nordlys.dk", Some("nordlys.dk")),
            ("mailto:salg@nordlys.dk", Some("nordlys.dk")),
            ("shop.nordlys.co.uk", Some("shop.nordlys.co.uk")),
            ("blåbær.dk", Some("blåbær.dk")),
            ("xn--blbr-roa1a.dk", Some("xn--blbr-roa1a.dk")),
            ("nordlys", None),
            ("nordlys.d", None),
            ("nord lys.dk", None),
            ("-nordlys.dk", None),
            ("nordlys..dk", None),
            ("192.168.1.1", None),
            ("", None),
            ("https://", None),
        ] {
            assert_eq!(normalise_domain(input).as_deref(), expected, "{input:?}");
        }
    }

    #[test]
    fn free_mail_never_counts_as_a_company_domain() {
        assert!(is_free_mail("gmail.com"));
        assert!(is_free_mail("Proton.Me"));
        assert!(!is_free_mail("nordlys.dk"));
        assert_eq!(company_domain_of_email("a@gmail.com"), None);
        assert_eq!(
            company_domain_of_email("a@Nordlys.dk").as_deref(),
            Some("nordlys.dk")
        );
        let probe = Probe {
            company_name: "Alpha".into(),
            domain: None,
            contact_email: Some("jens@gmail.com".into()),
        };
        let other = Candidate {
            company_name: Some("Omega"),
            domain: None,
            email: Some("mette@gmail.com"),
        };
        assert_eq!(compare(&probe, &other), None);
    }

    #[test]
    fn each_signal_is_found_and_named() {
        let probe = Probe {
            company_name: "Nordlys A/S".into(),
            domain: Some("nordlys.dk".into()),
            contact_email: Some("mette@nordlys.dk".into()),
        };
        let by_email = Candidate {
            company_name: Some("Something Else"),
            domain: None,
            email: Some("Mette@Nordlys.dk"),
        };
        let m = compare(&probe, &by_email).unwrap();
        assert_eq!(m.matched_on, [MatchedOn::ContactEmail, MatchedOn::Domain]);
        assert_eq!(m.score, 100);

        let by_domain = Candidate {
            company_name: Some("NL Holding"),
            domain: Some("https://www.nordlys.dk"),
            email: None,
        };
        let m = compare(&probe, &by_domain).unwrap();
        assert_eq!(m.matched_on, [MatchedOn::Domain]);
        assert_eq!(m.score, 90);

        let by_lead_email_domain = Candidate {
            company_name: Some("Unrelated"),
            domain: None,
            email: Some("ole@nordlys.dk"),
        };
        assert_eq!(
            compare(&probe, &by_lead_email_domain).unwrap().matched_on,
            [MatchedOn::Domain]
        );

        let by_name = Candidate {
            company_name: Some("Nordlys"),
            domain: None,
            email: None,
        };
        let m = compare(&probe, &by_name).unwrap();
        assert_eq!(m.matched_on, [MatchedOn::Name]);
        assert_eq!(m.score, 100);

        let nothing = Candidate {
            company_name: Some("Solsikke"),
            domain: Some("solsikke.dk"),
            email: Some("ole@solsikke.dk"),
        };
        assert_eq!(compare(&probe, &nothing), None);
    }

    #[test]
    fn the_same_deal_is_the_same_name_or_domain() {
        assert!(same_company("Nordlys A/S", None, "NORDLYS", None));
        assert!(same_company(
            "Nordlys",
            Some("nordlys.dk"),
            "NL",
            Some("https://nordlys.dk")
        ));
        assert!(!same_company("Nordlys", None, "Nordlys Energi", None));
        assert!(!same_company("", None, "", None));
    }

    #[test]
    fn matched_on_lists_round_trip() {
        let list = [MatchedOn::ContactEmail, MatchedOn::Domain, MatchedOn::Name];
        assert_eq!(MatchedOn::parse_list(&MatchedOn::join(&list)), list);
        assert_eq!(MatchedOn::parse_list("domain,bogus"), [MatchedOn::Domain]);
    }

    #[test]
    fn search_words_are_the_longest_distinct_words() {
        assert_eq!(search_words("Aalborg Havn og Co", 2), ["aalborg", "havn"]);
        assert_eq!(search_words("Blåbær ApS", 4), ["blabaer", "blåbær"]);
        assert_eq!(
            search_words("Søren's Bageri", 4),
            ["bageri", "sorens", "sørens"]
        );
        assert!(search_words("AB", 3).is_empty());
    }

    proptest! {
        #[test]
        fn normalising_is_idempotent(name in "\\PC{0,40}") {
            let once = normalise_company(&name);
            prop_assert_eq!(normalise_company(&once), once.clone());
            prop_assert!(!once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "));
        }

        #[test]
        fn similarity_is_symmetric_bounded_and_total_for_equals(a in "\\PC{0,30}", b in "\\PC{0,30}") {
            let ab = name_similarity(&a, &b);
            let ba = name_similarity(&b, &a);
            prop_assert!((0.0..=1.0).contains(&ab));
            prop_assert!((ab - ba).abs() < 1e-9);
            if !normalise_company(&a).is_empty() {
                prop_assert!(name_similarity(&a, &a) >= 1.0 - 1e-9);
            }
        }

        #[test]
        fn a_suffix_or_case_change_never_hides_a_company(
            word in "[A-Za-zÆØÅæøå]{3,12}",
            suffix in prop::sample::select(vec!["A/S", "ApS", "AB", "GmbH", "Ltd.", "Inc", "Oy", "AS", "plc"]),
        ) {
            let probe = Probe { company_name: format!("{word} {suffix}"), ..Probe::default() };
            let upper = word.to_uppercase();
            let candidate = Candidate { company_name: Some(&upper), ..Candidate::default() };
            let m = compare(&probe, &candidate);
            prop_assert!(m.is_some_and(|m| m.matched_on == [MatchedOn::Name]));
        }

        #[test]
        fn normalised_domains_parse_to_themselves(input in "\\PC{0,40}") {
            if let Some(d) = normalise_domain(&input) {
                prop_assert_eq!(normalise_domain(&d), Some(d.clone()));
            }
        }

        #[test]
        fn scores_stay_in_range(name in "\\PC{0,20}", other in "\\PC{0,20}", email in "[a-z]{1,5}@[a-z]{1,5}\\.dk") {
            let probe = Probe { company_name: name, domain: None, contact_email: Some(email.clone()) };
            let candidate = Candidate { company_name: Some(&other), domain: None, email: Some(&email) };
            let m = compare(&probe, &candidate);
            prop_assert!(m.is_some_and(|m| m.score <= 100 && m.matched_on[0] == MatchedOn::ContactEmail));
        }
    }
}
