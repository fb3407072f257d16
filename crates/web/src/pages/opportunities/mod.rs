//! The Opportunities tab (spec flow 9): list views, the opportunity page with
//! its timeline and notes, New, and Edit whose Save returns to the list the
//! user came from.
//!
//! What the pages share lives here: labels in the user's language, an
//! opportunity as a table row, and the one check on where a Save may return.

pub mod edit;
pub mod list;
pub mod show;

use openprm_domain::{
    Locale, Viewer,
    money::Money,
    opportunities::{date_text, format_amount_text},
    opportunity_stages::OpportunityStage,
};
use openprm_store::opportunities::{Opportunity, may_edit};

use crate::{AppState, error::AppError, i18n::Tr};

/// Opportunities on one page of a list.
pub const PAGE_SIZE: u32 = 25;

/// Deals on Home's "closing this month" card.
pub const HOME_CARD_SIZE: u32 = 5;

/// Stages, fields and values in the user's language.
pub struct Labels {
    pub t: Tr,
    pub stages: Vec<OpportunityStage>,
}

impl Labels {
    pub async fn load(state: &AppState, t: Tr) -> Result<Labels, AppError> {
        Ok(Labels {
            t,
            stages: state.store.opportunity_stages().await?,
        })
    }

    /// A stage's label; a key no longer in the picklist shows as itself.
    pub fn stage(&self, key: &str) -> String {
        self.stages
            .iter()
            .find(|s| s.key == key)
            .map(|s| s.label(self.t.locale).to_owned())
            .unwrap_or_else(|| key.to_owned())
    }

    /// The label of a field (`close_date`, `owner`, …).
    pub fn field(&self, field: &str) -> String {
        self.t.get(&format!("opportunity-field-{field}"))
    }

    /// A field's value as the timeline keeps it, as people read it: stages by
    /// their labels, amounts formatted with their currency, nothing as a dash.
    pub fn value(&self, field: &str, value: Option<&str>) -> String {
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            return "—".to_owned();
        };
        match field {
            "stage" => self.stage(value),
            "amount" => {
                format_amount_text(value, self.t.locale).unwrap_or_else(|| value.to_owned())
            }
            "probability" => format!("{value} %"),
            _ => value.to_owned(),
        }
    }

    /// The stages a form offers, with `current` kept when it left the picklist.
    pub fn stage_options(&self, current: &str) -> Vec<(String, String)> {
        let mut options: Vec<(String, String)> = self
            .stages
            .iter()
            .map(|s| (s.key.clone(), s.label(self.t.locale).to_owned()))
            .collect();
        if !current.is_empty() && !options.iter().any(|(k, _)| k == current) {
            options.push((current.to_owned(), current.to_owned()));
        }
        options
    }
}

/// An amount for reading, or a dash.
pub fn amount(opportunity: &Opportunity, locale: Locale) -> String {
    opportunity
        .amount_minor
        .map(|minor| {
            Money {
                minor,
                currency: opportunity.currency,
            }
            .format(locale)
        })
        .unwrap_or_else(|| "—".to_owned())
}

/// An opportunity as one row of a list or a Home card.
pub struct OpportunityRow {
    pub id: String,
    pub name: String,
    pub account_id: String,
    pub account: String,
    pub stage: String,
    pub amount: String,
    pub close_date: String,
    pub owner: String,
    pub partner: String,
    pub edit: bool,
}

impl OpportunityRow {
    pub fn new(o: &Opportunity, viewer: &Viewer, labels: &Labels) -> OpportunityRow {
        let dash = || "—".to_owned();
        OpportunityRow {
            id: o.id.to_string(),
            name: o.name.clone(),
            account_id: o.account_id.to_string(),
            account: o.account_name.clone(),
            stage: labels.stage(&o.stage),
            amount: amount(o, labels.t.locale),
            close_date: date_text(o.close_date),
            owner: o.owner_name.clone().unwrap_or_else(dash),
            partner: o.partner_name.clone().unwrap_or_else(dash),
            edit: may_edit(viewer, o).is_ok(),
        }
    }
}

/// A list address a Save may return to: only the Opportunities tab itself,
/// with any query, never another site or page (no open redirect).
pub fn safe_return_to(raw: &str) -> Option<&str> {
    let local = raw == "/opportunities" || raw.starts_with("/opportunities?");
    let plain = raw.len() <= 2000 && !raw.chars().any(|c| c.is_control() || c.is_whitespace());
    (local && plain).then_some(raw)
}

/// One open stage on Home: its label, how many deals and their amounts.
pub struct StageCard {
    pub label: String,
    pub deals: String,
    pub amounts: Vec<String>,
}

/// Home's opportunity cards: open deals by stage with the pipeline total, and
/// the deals closing this month.
pub struct HomeOpportunities {
    pub heading: String,
    pub stages: Vec<StageCard>,
    pub total: Vec<String>,
    pub closing: Vec<OpportunityRow>,
}

/// A sum of minor units, formatted; a sum beyond 64 bits shows as plain digits.
fn sum_text(currency: openprm_domain::money::Currency, minor: i128, locale: Locale) -> String {
    i64::try_from(minor)
        .map(|minor| Money { minor, currency }.format(locale))
        .unwrap_or_else(|_| format!("{minor} {}", currency.code()))
}

impl HomeOpportunities {
    /// Partner staff see their own open deals; vendor staff their partners'.
    pub async fn load(
        state: &AppState,
        caller: &crate::auth::Caller,
        t: Tr,
    ) -> Result<HomeOpportunities, AppError> {
        use openprm_store::opportunities::list::{OpportunityQuery, OpportunityView};
        let viewer = caller.viewer();
        let vendor = caller.user.role.is_vendor();
        let owner = (!vendor).then_some(caller.user.id);
        let pipeline = state.store.open_pipeline(&viewer, owner).await?;
        let labels = Labels::load(state, t).await?;
        let locale = t.locale;
        let stages = pipeline
            .stages
            .iter()
            .map(|s| StageCard {
                label: labels.stage(&s.stage),
                deals: t.with(
                    "opportunities-home-deals",
                    [
                        ("count", s.count.to_string()),
                        (
                            "plural",
                            if s.count == 1 { "one" } else { "other" }.to_owned(),
                        ),
                    ],
                ),
                amounts: s
                    .amounts
                    .iter()
                    .map(|(c, minor)| sum_text(*c, *minor, locale))
                    .collect(),
            })
            .collect();
        let total = pipeline
            .totals
            .iter()
            .map(|(c, minor)| sum_text(*c, *minor, locale))
            .collect();
        let first = OpportunityQuery {
            limit: HOME_CARD_SIZE,
            ..OpportunityQuery::default()
        };
        let closing = state
            .store
            .list_opportunities(&viewer, OpportunityView::ClosingThisMonth, &first)
            .await?
            .opportunities
            .iter()
            .map(|o| OpportunityRow::new(o, &viewer, &labels))
            .collect();
        Ok(HomeOpportunities {
            heading: if vendor {
                t.get("opportunities-home-pipeline-vendor")
            } else {
                t.get("home-opportunities")
            },
            stages,
            total,
            closing,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_opportunity_lists_are_returned_to() {
        assert_eq!(safe_return_to("/opportunities"), Some("/opportunities"));
        assert_eq!(
            safe_return_to("/opportunities?view=won&q=n%C3%B8&cursor=abc"),
            Some("/opportunities?view=won&q=n%C3%B8&cursor=abc")
        );
        for bad in [
            "",
            "https://evil.example/opportunities",
            "//evil.example/opportunities",
            "/opportunities.evil.example",
            "/opportunities/x/../../admin",
            "/opportunitiesx",
            "/leads",
            "/opportunities?\r\nSet-Cookie: x",
            "/\\evil.example",
        ] {
            assert_eq!(safe_return_to(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn values_read_in_the_users_language() {
        let labels = Labels {
            t: Tr::new(Locale::Danish),
            stages: openprm_domain::opportunity_stages::default_stages(),
        };
        assert_eq!(labels.value("stage", Some("proposal")), "Tilbud");
        assert_eq!(labels.value("stage", Some("on_hold")), "on_hold");
        assert_eq!(
            labels.value("amount", Some("12500.50 DKK")),
            "12.500,50 DKK"
        );
        assert_eq!(labels.value("next_step", Some(" ")), "—");
        assert_eq!(labels.value("probability", Some("60")), "60 %");
        assert!(
            labels
                .stage_options("on_hold")
                .iter()
                .any(|(k, _)| k == "on_hold")
        );
    }
}
