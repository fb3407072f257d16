//! Made-up but plausible Nordic B2B leads: people, companies, addresses and
//! what they asked about, picked from the word lists by a seeded generator.

use openprm_domain::leads::LeadInput;
use time::Duration;

use super::words::{
    Country, DANISH_PUBLIC_BODIES, DENMARK, ENGLISH_TITLES, FINLAND, INTERESTS, NORWAY,
    PUBLIC_TITLES, SIZES, SWEDEN, TIMINGS,
};

/// SplitMix64: tiny, fast and the same everywhere, which is all a demo needs.
pub(super) struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    pub(super) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub(super) fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + (self.below(10) as u8)))
            .collect()
    }

    /// A duration between `lo` and `hi` minutes.
    pub(super) fn minutes(&mut self, lo: i64, hi: i64) -> Duration {
        let span = usize::try_from((hi - lo).max(1)).unwrap_or(1);
        Duration::minutes(lo + i64::try_from(self.below(span)).unwrap_or(0))
    }
}

/// A name as it appears in an e-mail address or a web address.
pub(super) fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        match c {
            'æ' => out.push_str("ae"),
            'å' => out.push_str("aa"),
            'ø' | 'ö' => out.push('o'),
            'ä' => out.push('a'),
            'é' => out.push('e'),
            ' ' | '-' => out.push('-'),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {}
        }
    }
    out
}

pub(super) fn phone(rng: &mut Rng, country: &Country, area: &str) -> String {
    let cc = country.calling_code;
    match country.code {
        "DK" if rng.percent(40) => format!(
            "{cc} {}{} {} {} {}",
            rng.pick(&["2", "3", "4", "5", "6"]),
            rng.digits(1),
            rng.digits(2),
            rng.digits(2),
            rng.digits(2)
        ),
        "DK" => format!(
            "{cc} {area} {} {} {}",
            rng.digits(2),
            rng.digits(2),
            rng.digits(2)
        ),
        "NO" => format!(
            "{cc} {}{} {} {}",
            rng.pick(&["4", "9", "2"]),
            rng.digits(2),
            rng.digits(2),
            rng.digits(3)
        ),
        "SE" if rng.percent(40) => format!(
            "{cc} 70 {} {} {}",
            rng.digits(3),
            rng.digits(2),
            rng.digits(2)
        ),
        "FI" if rng.percent(40) => format!("{cc} 40 {} {}", rng.digits(3), rng.digits(4)),
        _ => format!(
            "{cc} {area} {} {} {}",
            rng.digits(3),
            rng.digits(2),
            rng.digits(2)
        ),
    }
}

pub(super) fn rating(rng: &mut Rng) -> Option<&'static str> {
    match rng.below(100) {
        0..20 => Some("hot"),
        20..60 => Some("warm"),
        60..85 => Some("cold"),
        _ => None,
    }
}

/// A company lead: a person at a made-up company in `country`.
pub(super) fn company_lead(
    rng: &mut Rng,
    country: &Country,
    source: &str,
    opening: &str,
) -> LeadInput {
    let first = rng.pick(country.first_names);
    let last = rng.pick(country.last_names);
    let stem = rng.pick(country.company_stems);
    let trade = rng.pick(country.trades);
    let company = format!("{stem} {trade} {}", rng.pick(country.legal_forms));
    let domain = format!("{}-{}.{}", ascii(stem), ascii(trade), country.tld);
    let local = match rng.below(100) {
        0..60 => format!("{}.{}", ascii(first), ascii(last)),
        60..85 => format!(
            "{}{}",
            ascii(first).chars().next().unwrap_or('x'),
            ascii(last).chars().next().unwrap_or('x')
        ),
        _ => ascii(first),
    };
    let (city, postal, area) = rng.pick(country.cities);
    let title = if rng.percent(50) {
        rng.pick(country.local_titles)
    } else {
        rng.pick(ENGLISH_TITLES)
    };
    let (interest, product) = rng.pick(INTERESTS);
    let description = format!(
        "{opening}{interest} for {}. {} Head office in {city}.",
        rng.pick(SIZES),
        rng.pick(TIMINGS)
    );
    LeadInput {
        name: Some(format!("{first} {last}")),
        company: Some(company),
        title: Some(title.to_owned()),
        email: Some(format!("{local}@{domain}")),
        phone: Some(phone(rng, country, area)),
        country: Some(country.code.to_owned()),
        postal_code: Some(postal.to_owned()),
        source: Some(source.to_owned()),
        rating: rating(rng).map(str::to_owned),
        product_interest: Some(product.to_owned()),
        description: Some(description),
        status: None,
    }
}

/// A contact at a Danish public body.
pub(super) fn public_lead(rng: &mut Rng) -> LeadInput {
    let (body, postal, domain) = rng.pick(DANISH_PUBLIC_BODIES);
    let source = rng.pick(&["referral", "event", "import"]);
    let mut lead = company_lead(rng, &DENMARK, source, "");
    let name = lead.name.clone().unwrap_or_default();
    let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
    lead.company = Some(body.to_owned());
    lead.email = Some(format!("{}.{}@{domain}.dk", ascii(first), ascii(last)));
    lead.postal_code = Some(postal.to_owned());
    lead.title = Some(rng.pick(PUBLIC_TITLES).to_owned());
    let (interest, product) = rng.pick(INTERESTS);
    lead.product_interest = Some(product.to_owned());
    lead.description = Some(format!(
        "{interest} for {}. Procurement through the SKI framework agreement.",
        rng.pick(SIZES)
    ));
    lead
}

/// Denmark most, then Sweden, Norway and Finland.
pub(super) fn country(rng: &mut Rng) -> &'static Country {
    match rng.below(100) {
        0..40 => &DENMARK,
        40..65 => &SWEDEN,
        65..85 => &NORWAY,
        _ => &FINLAND,
    }
}
