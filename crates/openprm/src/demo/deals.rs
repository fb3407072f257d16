//! The demo's deals: the customers the partners (and the vendor) already
//! have, as accounts with their contacts; the opportunities on them, moved
//! stage by stage over the last weeks, some won, some lost, several closing
//! this month; leads converted by their owners ([`super::conversions`]); and
//! deal registrations in every state, one with a conflict
//! ([`super::registered`]).
//!
//! Everything goes through the store's public functions on a clock set back
//! to when it happened, so timelines read as real use would leave them. Added
//! only while there are no accounts yet.

use std::{collections::HashMap, sync::Arc};

use anyhow::{Context, anyhow};
use openprm_domain::{
    AccountId, Clock, ManualClock, Viewer,
    accounts::AccountInput,
    contacts::ContactInput,
    money::Currency,
    opportunities::OpportunityFields,
    opportunity_stages::{OpportunityStage, StageOutcome},
};
use openprm_store::{
    Store, opportunities::Reassignment, record_list::RecordQuery,
    registrations::decide::RegistrationMail,
};
use time::{Date, Duration, OffsetDateTime};

use super::{
    PARTNERS, VENDOR_STAFF,
    customers::{CUSTOMERS, Customer, DEAL_NOTES, LOSS_REASONS, NEXT_STEPS, PRODUCTS, SEATS},
    fake::{Rng, ascii, phone},
    leads::{demo_people, person},
    words::{Country, DENMARK, ENGLISH_TITLES, FINLAND, NORWAY, SWEDEN},
};

/// Where an opportunity ends up, cycled so that every stage has some.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Target {
    /// The n-th open stage.
    Open(usize),
    Won,
    Lost,
}

const MIX: [Target; 16] = [
    Target::Open(0),
    Target::Open(1),
    Target::Open(3),
    Target::Won,
    Target::Open(2),
    Target::Open(4),
    Target::Lost,
    Target::Open(3),
    Target::Open(1),
    Target::Won,
    Target::Open(2),
    Target::Open(4),
    Target::Open(0),
    Target::Lost,
    Target::Won,
    Target::Open(3),
];

/// The demo's people, the stage picklist, and a clock that can be set back.
pub(super) struct Dealer {
    pub store: Store,
    pub clock: ManualClock,
    /// When the demo starts; every step happens before it.
    pub start: OffsetDateTime,
    pub rng: Rng,
    pub people: HashMap<&'static str, Viewer>,
    pub open: Vec<OpportunityStage>,
    pub won: OpportunityStage,
    pub lost: OpportunityStage,
    deals: usize,
}

/// Adds the accounts, contacts, opportunities, converted leads and deal
/// registrations, unless there are accounts already.
pub(super) async fn seed(store: &Store, mail: &RegistrationMail) -> anyhow::Result<()> {
    let people = demo_people(store).await?;
    let admin = person(&people, VENDOR_STAFF[0].email)?;
    let any = RecordQuery {
        limit: 1,
        ..RecordQuery::default()
    };
    if !store.list_accounts(&admin, &any).await?.accounts.is_empty() {
        return Ok(());
    }
    let mut stages = store.opportunity_stages().await?;
    stages.sort_by_key(|s| s.position);
    let find = |outcome| {
        stages
            .iter()
            .find(|s| s.outcome == outcome)
            .cloned()
            .ok_or_else(|| anyhow!("the stage picklist has no {outcome:?} stage"))
    };
    let (won, lost) = (find(StageOutcome::Won)?, find(StageOutcome::Lost)?);
    let open: Vec<OpportunityStage> = stages.iter().filter(|s| s.is_open()).cloned().collect();
    if open.is_empty() {
        return Err(anyhow!("the stage picklist has no open stage"));
    }
    let start = store.now();
    let clock = ManualClock::new(start);
    let mut dealer = Dealer {
        store: store.clone().with_clock(Arc::new(clock.clone())),
        clock,
        start,
        rng: Rng(0x4465_616C_7332_0026),
        people,
        open,
        won,
        lost,
        deals: 0,
    };
    for customer in &CUSTOMERS {
        dealer
            .customer(customer)
            .await
            .with_context(|| format!("demo customer {}", customer.name))?;
    }
    super::conversions::seed(&mut dealer).await?;
    super::registered::seed(&mut dealer, mail).await?;
    Ok(())
}

/// The word lists of a country, by its code (Denmark's for any other).
pub(super) fn country(code: &str) -> &'static Country {
    match code {
        "SE" => &SWEDEN,
        "NO" => &NORWAY,
        "FI" => &FINLAND,
        _ => &DENMARK,
    }
}

/// The currency a customer in `country` pays in.
pub(super) fn currency(country: &str) -> Currency {
    let code = match country {
        "SE" => "SEK",
        "NO" => "NOK",
        "DK" => "DKK",
        _ => "EUR",
    };
    Currency::parse(code).unwrap_or(Currency::EUR)
}

/// `dkk` Danish kroner in `currency`, rounded as a price list would be, in
/// major units.
pub(super) fn price(dkk: i64, currency: Currency) -> i64 {
    let (major, round) = match currency.code() {
        "SEK" => (dkk * 150 / 100, 500),
        "NOK" => (dkk * 155 / 100, 500),
        "EUR" => (dkk * 100 / 746, 50),
        _ => (dkk, 500),
    };
    ((major + round / 2) / round).max(1) * round
}

/// The last day of `today`'s month.
fn month_end(today: Date) -> Date {
    openprm_store::opportunities::list::month_of(today).1
}

impl Dealer {
    /// Sets the clock to `when`.
    pub fn at(&self, when: OffsetDateTime) {
        self.clock.advance(when - self.clock.now());
    }

    pub fn person(&self, email: &str) -> anyhow::Result<Viewer> {
        person(&self.people, email)
    }

    /// A moment `lo` to `hi` minutes before the start.
    pub fn ago(&mut self, lo: i64, hi: i64) -> OffsetDateTime {
        self.start - self.rng.minutes(lo, hi)
    }

    /// One customer: its account, two or three contacts, and for a partner's
    /// customer one to three deals.
    async fn customer(&mut self, c: &Customer) -> anyhow::Result<()> {
        let (owner, creator, partner_owned) = match c.partner {
            Some(p) => {
                let owner = self.person(PARTNERS[p].people[c.owner].email)?;
                (owner, owner, true)
            }
            None => {
                let owner = self.person(VENDOR_STAFF[c.owner].email)?;
                (owner, self.person(VENDOR_STAFF[0].email)?, false)
            }
        };
        let words = country(c.country);
        let created = self.ago(40 * 1440, 75 * 1440);
        self.at(created);
        let fields = AccountInput {
            name: Some(c.name.to_owned()),
            domain: Some(c.domain.to_owned()),
            phone: Some(phone(&mut self.rng, words, c.area)),
            website: Some(format!("https://www.{}", c.domain)),
            industry: Some(c.industry.to_owned()),
            country: Some(c.country.to_owned()),
            city: Some(c.city.to_owned()),
            description: None,
        }
        .parse(None)?;
        let owner_id = (!partner_owned).then_some(owner.user_id);
        let account = self
            .store
            .create_account(&creator, &fields, None, owner_id)
            .await?;
        let contacts = 2 + self.rng.below(2);
        for k in 0..contacts {
            self.at(created + Duration::minutes(7 * (k as i64 + 1)));
            self.contact(&creator, account.id, c.country, c.domain, c.area)
                .await?;
        }
        if partner_owned {
            let deals = self.rng.pick(&[1, 2, 2, 2, 3]);
            for k in 0..deals {
                let opened = created + Duration::hours(2 + 30 * k);
                self.deal(&owner, account.id, c.country, opened).await?;
            }
        }
        Ok(())
    }

    /// A person at the customer, created by `by`.
    pub async fn contact(
        &mut self,
        by: &Viewer,
        account: AccountId,
        country_code: &str,
        domain: &str,
        area: &str,
    ) -> anyhow::Result<()> {
        let words = country(country_code);
        let area = if area.is_empty() {
            self.rng.pick(words.cities).2
        } else {
            area
        };
        let first = self.rng.pick(words.first_names);
        let last = self.rng.pick(words.last_names);
        let title = if self.rng.percent(50) {
            self.rng.pick(words.local_titles)
        } else {
            self.rng.pick(ENGLISH_TITLES)
        };
        let fields = ContactInput {
            name: Some(format!("{first} {last}")),
            account_id: Some(account.to_string()),
            title: Some(title.to_owned()),
            email: Some(format!("{}.{}@{domain}", ascii(first), ascii(last))),
            phone: Some(phone(&mut self.rng, words, area)),
            country: Some(country_code.to_owned()),
            description: None,
        }
        .parse(None)?;
        self.store.create_contact(by, &fields, None, None).await?;
        Ok(())
    }

    /// The next stage target in the mix.
    fn next_target(&mut self) -> Target {
        let target = MIX[self.deals % MIX.len()];
        self.deals += 1;
        match target {
            Target::Open(n) => Target::Open(n.min(self.open.len() - 1)),
            other => other,
        }
    }

    /// The stages a deal passes through to reach `target`.
    fn path(&mut self, target: Target) -> Vec<OpportunityStage> {
        let last_open = self.open.len() - 1;
        let (reached, end) = match target {
            Target::Open(n) => (n, None),
            Target::Won => (last_open.min(2 + self.rng.below(3)), Some(self.won.clone())),
            Target::Lost => (self.rng.below(last_open + 1), Some(self.lost.clone())),
        };
        let mut path: Vec<OpportunityStage> = self.open[..=reached].to_vec();
        path.extend(end);
        path
    }

    /// One deal, opened by its owner at `opened` and moved stage by stage
    /// to its target.
    async fn deal(
        &mut self,
        owner: &Viewer,
        account: AccountId,
        country_code: &str,
        opened: OffsetDateTime,
    ) -> anyhow::Result<()> {
        let target = self.next_target();
        let path = self.path(target);
        let (product, per_seat) = self.rng.pick(PRODUCTS);
        let seats = self.rng.pick(SEATS);
        let currency = currency(country_code);
        let major = price(per_seat * seats, currency);
        let today = self.start.date();
        // Closed deals end some days ago; open ones were last moved lately.
        let end = match target {
            Target::Open(_) => self.ago(3 * 60, 4 * 1440),
            _ => self.ago(1440, 25 * 1440),
        };
        let close_date = match target {
            Target::Open(_) if self.deals % 4 == 1 => {
                let left = (month_end(today) - today).whole_days();
                today
                    + Duration::days(self.rng.below(usize::try_from(left + 1).unwrap_or(1)) as i64)
            }
            Target::Open(_) => today + Duration::days(20 + self.rng.below(140) as i64),
            _ => end.date(),
        };
        let first = &path[0];
        let mut fields = OpportunityFields {
            name: format!("{product} – {seats} users"),
            stage: first.key.clone(),
            amount_minor: Some(major * currency.minor_per_major()),
            currency,
            close_date,
            probability: first.probability,
            next_step: self.next_step(0),
            description: None,
        };
        self.at(opened);
        let mut deal = self
            .store
            .create_opportunity(owner, &fields, account, None)
            .await?;
        let steps = path.len().saturating_sub(1).max(1) as i32;
        let span = end - opened;
        for (j, stage) in path.iter().enumerate().skip(1) {
            self.at(opened + span * (j as i32) / steps);
            fields.stage = stage.key.clone();
            fields.probability = stage.probability;
            fields.next_step = if stage.is_open() {
                self.next_step(j)
            } else {
                None
            };
            if stage.outcome == StageOutcome::Lost {
                fields.description = Some(self.rng.pick(LOSS_REASONS).to_owned());
            }
            // Proposals are where prices move: a discount or a bigger scope.
            if j == 3.min(path.len() - 1) && self.rng.percent(50) {
                let factor = self.rng.pick(&[90, 95, 110, 120]);
                fields.amount_minor =
                    Some(price(major * factor / 100, currency) * currency.minor_per_major());
            }
            deal = self
                .store
                .update_opportunity(
                    owner,
                    deal.id,
                    deal.version,
                    &fields,
                    Reassignment::default(),
                )
                .await?;
            if self.rng.percent(35) {
                self.clock.advance(Duration::minutes(40));
                let note = self.rng.pick(DEAL_NOTES);
                self.store
                    .add_opportunity_note(owner, deal.id, note)
                    .await?;
            }
        }
        Ok(())
    }

    fn next_step(&mut self, stage: usize) -> Option<String> {
        NEXT_STEPS
            .get(stage)
            .map(|steps| self.rng.pick(steps).to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_round_in_every_currency() {
        let sek = Currency::parse("SEK").unwrap_or(Currency::EUR);
        assert_eq!(price(100_000, Currency::DKK), 100_000);
        assert_eq!(price(100_000, sek), 150_000);
        assert_eq!(price(100_000, Currency::EUR), 13_400);
        assert_eq!(price(1, Currency::DKK), 500);
        assert_eq!(currency("FI"), Currency::EUR);
        assert_eq!(currency("NO").code(), "NOK");
    }

    #[test]
    fn the_mix_reaches_every_stage_kind() {
        let open: Vec<usize> = MIX
            .iter()
            .filter_map(|t| match t {
                Target::Open(n) => Some(*n),
                _ => None,
            })
            .collect();
        for n in 0..5 {
            assert!(open.contains(&n), "open stage {n}");
        }
        assert!(MIX.contains(&Target::Won) && MIX.contains(&Target::Lost));
    }
}
