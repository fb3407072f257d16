//! Leads the demo's partner people convert: each qualifies a lead they hold,
//! then converts it through the store's conversion (a new account, or the
//! existing one it suggests; a contact; an opportunity unless they untick
//! it), and adds a colleague of the lead to the new account. Each keeps one
//! lead qualified and ready to convert, so a newcomer can try it.
//!
//! Freja Mortensen converts nothing: she stays at the "Fair share" claim
//! limit, which the demo shows. A claim due to lapse at the start is left
//! alone too, so its owner is still warned.

use anyhow::Context;
use openprm_domain::{
    Clock, Locale,
    conversion::ConvertInput,
    leads::{LeadInput, initial_status},
    opportunities::{ParseContext, date_text},
};
use openprm_store::{
    leads::{
        Lead, LeadState,
        list::{LeadQuery, LeadView},
    },
    opportunities::Reassignment,
};
use time::{Duration, OffsetDateTime};

use super::{
    PARTNERS,
    customers::{NEXT_STEPS, PRODUCTS},
    deals::{Dealer, currency, price},
    plan::AT_LIMIT,
};

/// Conversions per person, at most.
const PER_PERSON: usize = 2;

pub(super) async fn seed(d: &mut Dealer) -> anyhow::Result<()> {
    let statuses = d.store.lead_statuses().await?;
    let initial = initial_status(&statuses).map(|s| s.key.clone());
    let closed: Vec<String> = statuses
        .iter()
        .filter(|s| !s.is_open())
        .map(|s| s.key.clone())
        .collect();
    let stages = d.store.opportunity_stages().await?;
    let default_currency = d.store.default_currency().await?;
    let mut count = 0_usize;
    for partner in &PARTNERS {
        for i in [1, 2, 0] {
            let email = partner.people[i].email;
            if email == AT_LIMIT {
                continue;
            }
            let viewer = d.person(email)?;
            let query = LeadQuery {
                limit: 200,
                ..LeadQuery::default()
            };
            let mut leads: Vec<Lead> = d
                .store
                .list_leads(&viewer, LeadView::Mine, &query)
                .await?
                .leads
                .into_iter()
                .filter(|l| {
                    l.state == LeadState::Owned
                        && l.converted_at.is_none()
                        && !closed.contains(&l.status)
                        // Never worked since it was claimed: perhaps the claim due to lapse.
                        && !(l.queue_id.is_some() && Some(&l.status) == initial.as_ref())
                })
                .collect();
            leads.sort_by_key(|l| (l.created_at, l.id.0));
            let Some(ready) = leads.pop() else {
                continue;
            };
            for lead in leads.into_iter().take(PER_PERSON) {
                let cx = ParseContext {
                    stages: &stages,
                    default_currency,
                    locale: Locale::English,
                };
                convert(d, &viewer, lead, &statuses, cx, count)
                    .await
                    .with_context(|| format!("demo conversion by {email}"))?;
                count += 1;
            }
            // One left qualified, for the newcomer to convert.
            let when = between(d, ready.updated_at, 0.5);
            d.at(when);
            qualify(d, &viewer, &ready, &statuses).await?;
        }
    }
    Ok(())
}

/// A moment `share` of the way from `from` to the demo's start.
fn between(d: &Dealer, from: OffsetDateTime, share: f64) -> OffsetDateTime {
    let span = (d.start - from).max(Duration::minutes(2));
    from + span * share
}

async fn qualify(
    d: &Dealer,
    viewer: &openprm_domain::Viewer,
    lead: &Lead,
    statuses: &[openprm_domain::leads::LeadStatus],
) -> anyhow::Result<Lead> {
    let current = d.store.lead(viewer, lead.id).await?;
    if current.status == "qualified" {
        return Ok(current);
    }
    let mut input = LeadInput::from(&current.fields());
    input.status = Some("qualified".to_owned());
    let fields = input.parse(Some(&current.fields()), statuses)?;
    Ok(d.store
        .update_lead(viewer, current.id, current.version, &fields)
        .await?)
}

async fn convert(
    d: &mut Dealer,
    viewer: &openprm_domain::Viewer,
    lead: Lead,
    statuses: &[openprm_domain::leads::LeadStatus],
    cx: ParseContext<'_>,
    n: usize,
) -> anyhow::Result<()> {
    d.at(between(d, lead.updated_at, 0.3));
    let lead = qualify(d, viewer, &lead, statuses).await?;
    d.at(between(d, lead.updated_at, 0.4));
    let suggested = d.store.duplicate_accounts(viewer, &lead).await?;
    let existing = suggested
        .iter()
        .find(|a| a.partner_id == lead.partner_id)
        .map(|a| a.id.to_string());
    let country = lead.country.clone().unwrap_or_else(|| "DK".to_owned());
    let currency = currency(&country);
    let (product, per_seat) = PRODUCTS[n % PRODUCTS.len()];
    let seats = [40, 80, 120, 250][n % 4];
    let today = d.start.date();
    let close = today + Duration::days(if n % 5 == 2 { 10 } else { 30 + 9 * n as i64 });
    let input = ConvertInput {
        account_id: existing,
        account_name: None,
        // Now and then a lead becomes a customer without a deal yet.
        create_opportunity: Some(n % 6 != 4),
        opportunity_name: Some(format!("{} – {product}", lead.company)),
        close_date: Some(date_text(close)),
        amount: Some(price(per_seat * seats, currency).to_string()),
        currency: Some(currency.code().to_owned()),
    };
    let request = input.parse(&lead.fields(), cx, d.store.now().date())?;
    let converted = d.store.convert_lead(viewer, lead.id, &request).await?;
    // Half of the new deals have moved on since.
    if let (Some(id), Some(next)) = (converted.opportunity_id, d.open.get(1).cloned())
        && n.is_multiple_of(2)
    {
        d.at(between(d, d.clock.now(), 0.3));
        let deal = d.store.opportunity(viewer, id).await?;
        let mut fields = deal.fields();
        fields.stage = next.key.clone();
        fields.probability = next.probability;
        fields.next_step = Some(d.rng.pick(NEXT_STEPS[1]).to_owned());
        d.store
            .update_opportunity(viewer, id, deal.version, &fields, Reassignment::default())
            .await?;
    }
    // A colleague of the lead, met later.
    d.at(between(d, d.clock.now(), 0.5));
    let domain = lead
        .email
        .as_deref()
        .and_then(|e| e.rsplit_once('@'))
        .map(|(_, domain)| domain.to_owned());
    if let Some(domain) = domain {
        d.contact(viewer, converted.account_id, &country, &domain, "")
            .await?;
    }
    Ok(())
}
