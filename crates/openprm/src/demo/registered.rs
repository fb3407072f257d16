//! The demo's deal registrations ([`super::customers::REGISTRATIONS`]):
//! submitted by partner people through the store's own checks, so conflicts
//! are found as they would be, then approved or rejected by the partner's
//! channel manager. Approvals make the partner's protected opportunity (one
//! of them close enough to its end that the reminder goes out when the demo
//! starts); rejections carry their reason. Their e-mails go through the
//! outbox like any other.

use anyhow::Context;
use openprm_domain::{
    Locale,
    registrations::{RegistrationInput, parse_reason},
};
use openprm_store::registrations::decide::RegistrationMail;
use time::Duration;

use super::{
    PARTNERS,
    customers::{Outcome, REGISTRATIONS},
    deals::Dealer,
};

pub(super) async fn seed(d: &mut Dealer, mail: &RegistrationMail) -> anyhow::Result<()> {
    for r in &REGISTRATIONS {
        let partner = &PARTNERS[r.partner];
        let submitter = d.person(partner.people[r.submitter].email)?;
        let manager = d.person(partner.channel_manager)?;
        // Working hours on the day, a few hours before the start on the last.
        let submitted = if r.submitted_days_ago == 0 {
            d.ago(2 * 60, 5 * 60)
        } else {
            d.start - Duration::days(r.submitted_days_ago) - d.rng.minutes(0, 6 * 60)
        };
        d.at(submitted);
        let today = submitted.date();
        let fields = RegistrationInput {
            company_name: Some(r.company.to_owned()),
            company_domain: Some(r.domain.to_owned()),
            contact_name: Some(r.contact.to_owned()),
            contact_email: Some(r.contact_email.to_owned()),
            contact_phone: None,
            product_interest: Some(r.product.to_owned()),
            amount: Some(r.amount.to_string()),
            currency: Some(r.currency.to_owned()),
            close_date: Some(openprm_domain::opportunities::date_text(
                today + Duration::days(r.close_in_days),
            )),
            description: Some(r.description.to_owned()),
        }
        .parse(today, Locale::English)
        .with_context(|| format!("demo registration {}", r.company))?;
        let registration = d.store.submit_registration(&submitter, &fields).await?;
        match r.outcome {
            Outcome::Pending => {}
            Outcome::Approved(days) => {
                let when = d.start - Duration::days(days) - d.rng.minutes(0, 4 * 60);
                d.at(when);
                d.store
                    .approve_registration(&manager, registration.id, mail)
                    .await?;
            }
            Outcome::Rejected(days, reason) => {
                let when = d.start - Duration::days(days) - d.rng.minutes(0, 4 * 60);
                d.at(when);
                let reason = parse_reason(Some(reason.to_owned()))?;
                d.store
                    .reject_registration(&manager, registration.id, &reason, mail)
                    .await?;
            }
        }
    }
    Ok(())
}
