//! Converting a lead (spec §2 flow 8): which leads may be converted, and what
//! a conversion request says once parsed: the account to link or create, the
//! contact made from the lead, and the opportunity unless declined.

use serde::{Deserialize, Serialize};
use time::{Date, Duration};

use crate::{
    AccountId, DomainError, EmailAddress, FieldErrors,
    accounts::{AccountFields, AccountInput, is_free_mail},
    contacts::ContactFields,
    leads::{LeadFields, LeadStatus},
    opportunities::{OpportunityFields, OpportunityInput, ParseContext, date_text},
};

/// Whether a lead in `status` may be converted: it is not converted already
/// (409 `lead_already_converted`), and its status is one the admin marked as
/// qualified (422 on `status`). Whether the caller may edit it is checked
/// beside this, with the lead's other edit rules.
pub fn check_convertible(
    status: &str,
    converted: bool,
    statuses: &[LeadStatus],
) -> Result<(), DomainError> {
    let found = statuses.iter().find(|s| s.key == status);
    if converted || found.is_some_and(|s| s.converted) {
        return Err(DomainError::LeadAlreadyConverted);
    }
    if found.is_some_and(|s| s.qualified) {
        Ok(())
    } else {
        Err(DomainError::field("status", "error-lead-not-qualified"))
    }
}

/// A conversion as sent by a form or as JSON. Without `account_id` a new
/// account is made, named `account_name` or, when that is empty, the lead's
/// company.
#[derive(Clone, Debug, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ConvertInput {
    /// An existing account the caller can see, of the lead's company.
    pub account_id: Option<String>,
    /// The new account's name (default: the lead's company).
    pub account_name: Option<String>,
    /// Also create an opportunity (default: true).
    pub create_opportunity: Option<bool>,
    /// Default: "<company> – <lead's name>".
    pub opportunity_name: Option<String>,
    /// `YYYY-MM-DD`; default: 90 days from today.
    pub close_date: Option<String>,
    /// In major units, as text (`12500.50`).
    pub amount: Option<String>,
    /// ISO 4217; default: the vendor's currency.
    pub currency: Option<String>,
}

/// The account a conversion links or creates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountChoice {
    Existing(AccountId),
    New(AccountFields),
}

/// A parsed conversion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConvertRequest {
    pub account: AccountChoice,
    /// The contact made from the lead; its account is set when it is stored.
    pub contact: ContactFields,
    pub opportunity: Option<OpportunityFields>,
}

/// How long a new opportunity is expected to take when nobody says.
pub const DEFAULT_CLOSE_DAYS: i64 = 90;

/// The name a new opportunity gets when nobody gives one.
pub fn default_opportunity_name(lead: &LeadFields) -> String {
    let name = format!("{} – {}", lead.company, lead.name);
    name.chars().take(OpportunityFields::NAME_MAX).collect()
}

/// The new account's fields as a lead suggests them: the company, the country,
/// and the e-mail's domain unless it is a free mail provider's.
pub fn account_from_lead(lead: &LeadFields, name: Option<&str>) -> AccountInput {
    let domain = lead
        .email
        .as_ref()
        .map(EmailAddress::domain)
        .filter(|d| !is_free_mail(d))
        .map(str::to_owned);
    AccountInput {
        name: Some(
            name.map(str::trim)
                .filter(|n| !n.is_empty())
                .unwrap_or(&lead.company)
                .to_owned(),
        ),
        domain,
        country: lead.country.clone(),
        ..AccountInput::default()
    }
}

/// The contact a lead becomes.
pub fn contact_from_lead(lead: &LeadFields) -> ContactFields {
    ContactFields {
        name: lead.name.clone(),
        account_id: None,
        title: lead.title.clone(),
        email: lead.email.clone(),
        phone: lead.phone.clone(),
        country: lead.country.clone(),
        description: None,
    }
}

impl ConvertInput {
    /// All problems at once, keyed by field name. Opportunity fields keep the
    /// opportunity's own names (`close_date`, `amount`, `currency`), its name
    /// is `opportunity_name`.
    pub fn parse(
        self,
        lead: &LeadFields,
        cx: ParseContext<'_>,
        today: Date,
    ) -> Result<ConvertRequest, DomainError> {
        let mut errors = FieldErrors::new();
        let text = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_owned();
        let account_id = text(&self.account_id);
        let account = if account_id.is_empty() {
            match account_from_lead(lead, self.account_name.as_deref()).parse(None) {
                Ok(fields) => Some(AccountChoice::New(fields)),
                Err(DomainError::Validation(e)) => {
                    for (field, key) in e.0 {
                        let field = if field == "name" {
                            "account_name".to_owned()
                        } else {
                            format!("account_{field}")
                        };
                        errors.add(&field, &key);
                    }
                    None
                }
                Err(other) => return Err(other),
            }
        } else {
            match account_id.parse::<AccountId>() {
                Ok(id) => Some(AccountChoice::Existing(id)),
                Err(_) => {
                    errors.add("account_id", "error-account-unknown");
                    None
                }
            }
        };
        let opportunity = if self.create_opportunity.unwrap_or(true) {
            let name = Some(text(&self.opportunity_name))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| default_opportunity_name(lead));
            let close_date = Some(text(&self.close_date))
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| date_text(today + Duration::days(DEFAULT_CLOSE_DAYS)));
            let input = OpportunityInput {
                name: Some(name),
                close_date: Some(close_date),
                amount: self.amount.clone(),
                currency: self.currency.clone().filter(|c| !c.trim().is_empty()),
                ..OpportunityInput::default()
            };
            match input.parse(None, cx) {
                Ok(fields) => Some(fields),
                Err(DomainError::Validation(e)) => {
                    for (field, key) in e.0 {
                        let field = if field == "name" {
                            "opportunity_name".to_owned()
                        } else {
                            field
                        };
                        errors.add(&field, &key);
                    }
                    None
                }
                Err(other) => return Err(other),
            }
        } else {
            None
        };
        match account {
            Some(account) if errors.is_empty() => Ok(ConvertRequest {
                account,
                contact: contact_from_lead(lead),
                opportunity,
            }),
            _ => Err(DomainError::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        Locale,
        leads::{LeadInput, default_statuses},
        money::Currency,
        opportunity_stages::default_stages,
    };
    use time::macros::date;

    fn lead(email: &str) -> LeadFields {
        LeadInput {
            name: Some("Mette Hansen".into()),
            company: Some("Nordlys A/S".into()),
            email: Some(email.into()),
            title: Some("CTO".into()),
            country: Some("dk".into()),
            ..LeadInput::default()
        }
        .parse(None, &default_statuses())
        .unwrap()
    }

    fn parse(input: ConvertInput, lead: &LeadFields) -> Result<ConvertRequest, DomainError> {
        let stages = default_stages();
        let cx = ParseContext {
            stages: &stages,
            default_currency: Currency::EUR,
            locale: Locale::English,
        };
        input.parse(lead, cx, date!(2026 - 11 - 27))
    }

    #[test]
    fn only_qualified_statuses_convert_and_only_once() {
        let statuses = default_statuses();
        assert!(check_convertible("qualified", false, &statuses).is_ok());
        for status in ["open_not_contacted", "unqualified", "gone"] {
            assert!(matches!(
                check_convertible(status, false, &statuses),
                Err(DomainError::Validation(_))
            ));
        }
        assert!(matches!(
            check_convertible("converted", false, &statuses),
            Err(DomainError::LeadAlreadyConverted)
        ));
        assert!(matches!(
            check_convertible("qualified", true, &statuses),
            Err(DomainError::LeadAlreadyConverted)
        ));
        let mut marked = default_statuses();
        marked[1].qualified = true;
        assert!(check_convertible("working_contacted", false, &marked).is_ok());
    }

    #[test]
    fn a_new_account_comes_from_the_lead() {
        let request = parse(ConvertInput::default(), &lead("mette@nordlys.dk")).unwrap();
        let AccountChoice::New(account) = &request.account else {
            panic!("a new account")
        };
        assert_eq!(account.name, "Nordlys A/S");
        assert_eq!(account.domain.as_deref(), Some("nordlys.dk"));
        assert_eq!(account.country.as_deref(), Some("DK"));
        assert_eq!(request.contact.name, "Mette Hansen");
        assert_eq!(request.contact.title.as_deref(), Some("CTO"));
        let opportunity = request.opportunity.unwrap();
        assert_eq!(opportunity.name, "Nordlys A/S – Mette Hansen");
        assert_eq!(opportunity.close_date, date!(2027 - 02 - 25));
        assert_eq!(opportunity.currency, Currency::EUR);
        // A free mail address names no company domain.
        let request = parse(ConvertInput::default(), &lead("mette@gmail.com")).unwrap();
        let AccountChoice::New(account) = request.account else {
            panic!("a new account")
        };
        assert_eq!(account.domain, None);
    }

    #[test]
    fn the_caller_chooses_account_and_opportunity() {
        let existing = AccountId::new();
        let request = parse(
            ConvertInput {
                account_id: Some(existing.to_string()),
                create_opportunity: Some(false),
                ..ConvertInput::default()
            },
            &lead("mette@nordlys.dk"),
        )
        .unwrap();
        assert_eq!(request.account, AccountChoice::Existing(existing));
        assert_eq!(request.opportunity, None);
        let request = parse(
            ConvertInput {
                account_name: Some("Nordlys Energi".into()),
                opportunity_name: Some("Wind farm".into()),
                close_date: Some("2027-01-31".into()),
                amount: Some("12500.50".into()),
                currency: Some("DKK".into()),
                ..ConvertInput::default()
            },
            &lead("mette@nordlys.dk"),
        )
        .unwrap();
        let AccountChoice::New(account) = request.account else {
            panic!("a new account")
        };
        assert_eq!(account.name, "Nordlys Energi");
        let opportunity = request.opportunity.unwrap();
        assert_eq!(opportunity.amount_minor, Some(1_250_050));
        assert_eq!(opportunity.currency, Currency::DKK);
    }

    #[test]
    fn bad_input_names_each_field() {
        let errors = match parse(
            ConvertInput {
                account_id: Some("nope".into()),
                close_date: Some("soon".into()),
                amount: Some("lots".into()),
                ..ConvertInput::default()
            },
            &lead("mette@nordlys.dk"),
        ) {
            Err(DomainError::Validation(e)) => e,
            other => panic!("{other:?}"),
        };
        for field in ["account_id", "close_date", "amount"] {
            assert!(errors.0.contains_key(field), "{field}: {errors:?}");
        }
        let errors = match parse(
            ConvertInput {
                account_name: Some("x".repeat(200)),
                ..ConvertInput::default()
            },
            &lead("mette@nordlys.dk"),
        ) {
            Err(DomainError::Validation(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(errors.0["account_name"], "error-too-long");
    }
}
