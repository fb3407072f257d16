//! The opportunity stage picklist the admin edits: plain keys, labels in both
//! languages, a probability per stage and its outcome (open, won or lost).
//! At least one stage of each outcome: new deals start in the first open one,
//! and Won and Lost need somewhere to land.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{DomainError, FieldErrors, Locale};

pub use crate::lead_statuses::{KEY_MAX_CHARS, LABEL_MAX_CHARS, is_valid_key};

/// The most stages a picklist may hold.
pub const MAX_STAGES: usize = 30;

/// Where a deal in a stage stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageOutcome {
    /// Still being worked: counts in the pipeline.
    Open,
    /// Closed and won.
    Won,
    /// Closed and lost.
    Lost,
}

impl StageOutcome {
    pub const ALL: [StageOutcome; 3] = [StageOutcome::Open, StageOutcome::Won, StageOutcome::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            StageOutcome::Open => "open",
            StageOutcome::Won => "won",
            StageOutcome::Lost => "lost",
        }
    }

    pub fn parse(value: &str) -> Option<StageOutcome> {
        let value = value.trim();
        StageOutcome::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(value))
    }

    /// A won deal is certain, a lost one is not going to happen.
    pub fn fixed_probability(self) -> Option<i32> {
        match self {
            StageOutcome::Open => None,
            StageOutcome::Won => Some(100),
            StageOutcome::Lost => Some(0),
        }
    }
}

/// One stage of the picklist.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OpportunityStage {
    pub key: String,
    pub label_en: String,
    pub label_da: String,
    /// The chance, in percent, a deal in this stage closes won; a new deal in
    /// the stage starts with it.
    pub probability: i32,
    pub outcome: StageOutcome,
    /// Order in pickers and lists, smallest first.
    pub position: i32,
}

impl OpportunityStage {
    pub fn label(&self, locale: Locale) -> &str {
        match locale {
            Locale::English => &self.label_en,
            Locale::Danish => &self.label_da,
        }
    }

    pub fn is_open(&self) -> bool {
        self.outcome == StageOutcome::Open
    }
}

/// The picklist a new installation starts with (the same as the migration seeds).
pub fn default_stages() -> Vec<OpportunityStage> {
    let stage = |key: &str, en: &str, da: &str, probability, outcome, position| OpportunityStage {
        key: key.to_owned(),
        label_en: en.to_owned(),
        label_da: da.to_owned(),
        probability,
        outcome,
        position,
    };
    use StageOutcome::{Lost, Open, Won};
    vec![
        stage("prospecting", "Prospecting", "Prospektering", 10, Open, 10),
        stage(
            "qualification",
            "Qualification",
            "Kvalificering",
            20,
            Open,
            20,
        ),
        stage(
            "needs_analysis",
            "Needs Analysis",
            "Behovsanalyse",
            35,
            Open,
            30,
        ),
        stage("proposal", "Proposal", "Tilbud", 60, Open, 40),
        stage("negotiation", "Negotiation", "Forhandling", 80, Open, 50),
        stage("closed_won", "Closed Won", "Lukket – vundet", 100, Won, 60),
        stage("closed_lost", "Closed Lost", "Lukket – tabt", 0, Lost, 70),
    ]
}

/// The stage a new deal starts in: the first open one by position.
pub fn initial_stage(stages: &[OpportunityStage]) -> Option<&OpportunityStage> {
    stages
        .iter()
        .filter(|s| s.is_open())
        .min_by_key(|s| s.position)
}

/// A stage named by its key (any case) or by its English or Danish label.
pub fn find_stage<'a>(stages: &'a [OpportunityStage], input: &str) -> Option<&'a OpportunityStage> {
    let input = input.trim();
    stages
        .iter()
        .find(|s| s.key.eq_ignore_ascii_case(input))
        .or_else(|| {
            let lower = input.to_lowercase();
            stages
                .iter()
                .find(|s| s.label_en.to_lowercase() == lower || s.label_da.to_lowercase() == lower)
        })
}

/// Checks a whole picklist as the admin sends it. Field keys are
/// `stages[i].key`, `stages[i].label_en`, `stages[i].label_da`,
/// `stages[i].probability` and `stages` for the list as a whole; message keys
/// `error-required`, `error-too-long`, `error-invalid-characters`,
/// `error-status-key-invalid`, `error-duplicate`, `error-out-of-range`,
/// `error-stage-probability-fixed` (won is 100, lost is 0) and
/// `error-stage-outcomes-required` (no open, won or lost stage).
pub fn validate_stages(stages: &[OpportunityStage]) -> Result<(), DomainError> {
    let mut errors = FieldErrors::new();
    if stages.len() > MAX_STAGES {
        errors.add("stages", "error-out-of-range");
    }
    let mut keys = HashSet::new();
    for (i, stage) in stages.iter().enumerate() {
        let field = |name: &str| format!("stages[{i}].{name}");
        if !is_valid_key(&stage.key) {
            errors.add(&field("key"), "error-status-key-invalid");
        } else if !keys.insert(stage.key.as_str()) {
            errors.add(&field("key"), "error-duplicate");
        }
        for (name, label) in [("label_en", &stage.label_en), ("label_da", &stage.label_da)] {
            let label = label.trim();
            if label.is_empty() {
                errors.add(&field(name), "error-required");
            } else if label.chars().count() > LABEL_MAX_CHARS {
                errors.add(&field(name), "error-too-long");
            } else if label.chars().any(char::is_control) {
                errors.add(&field(name), "error-invalid-characters");
            }
        }
        if !(0..=100).contains(&stage.probability) {
            errors.add(&field("probability"), "error-probability-range");
        } else if let Some(fixed) = stage.outcome.fixed_probability()
            && fixed != stage.probability
        {
            errors.add(&field("probability"), "error-stage-probability-fixed");
        }
    }
    if StageOutcome::ALL
        .into_iter()
        .any(|o| !stages.iter().any(|s| s.outcome == o))
    {
        errors.add("stages", "error-stage-outcomes-required");
    }
    errors.into_result()
}

/// The picklist in the order the admin meant: by `position`, ties in the order
/// sent, renumbered 10, 20, 30…, labels trimmed.
pub fn in_order(stages: &[OpportunityStage]) -> Vec<OpportunityStage> {
    let mut ordered: Vec<(usize, &OpportunityStage)> = stages.iter().enumerate().collect();
    ordered.sort_by_key(|(i, s)| (s.position, *i));
    ordered
        .into_iter()
        .enumerate()
        .map(|(n, (_, s))| OpportunityStage {
            key: s.key.clone(),
            label_en: s.label_en.trim().to_owned(),
            label_da: s.label_da.trim().to_owned(),
            probability: s.probability,
            outcome: s.outcome,
            position: i32::try_from((n + 1) * 10).unwrap_or(i32::MAX),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors_of(stages: &[OpportunityStage]) -> Vec<(String, String)> {
        match validate_stages(stages) {
            Ok(()) => Vec::new(),
            Err(DomainError::Validation(e)) => e.0.into_iter().collect(),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn the_default_picklist_is_the_specs_and_valid() {
        let stages = default_stages();
        let labels: Vec<_> = stages.iter().map(|s| s.label_en.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Prospecting",
                "Qualification",
                "Needs Analysis",
                "Proposal",
                "Negotiation",
                "Closed Won",
                "Closed Lost"
            ]
        );
        assert!(errors_of(&stages).is_empty());
        assert_eq!(
            initial_stage(&stages).map(|s| s.key.as_str()),
            Some("prospecting")
        );
        assert_eq!(
            find_stage(&stages, "Tilbud").map(|s| s.key.as_str()),
            Some("proposal")
        );
        assert_eq!(
            find_stage(&stages, "CLOSED_WON").map(|s| s.probability),
            Some(100)
        );
        assert_eq!(find_stage(&stages, "won"), None);
    }

    #[test]
    fn every_outcome_must_have_a_stage() {
        for outcome in StageOutcome::ALL {
            let without: Vec<_> = default_stages()
                .into_iter()
                .filter(|s| s.outcome != outcome)
                .collect();
            assert_eq!(
                errors_of(&without),
                vec![("stages".into(), "error-stage-outcomes-required".into())],
                "{outcome:?}"
            );
        }
    }

    #[test]
    fn probabilities_are_percentages_and_closed_ones_are_fixed() {
        let mut stages = default_stages();
        stages[0].probability = 101;
        stages[1].probability = -1;
        stages[5].probability = 90;
        stages[6].probability = 5;
        let errors = errors_of(&stages);
        assert!(errors.contains(&(
            "stages[0].probability".into(),
            "error-probability-range".into()
        )));
        assert!(errors.contains(&(
            "stages[1].probability".into(),
            "error-probability-range".into()
        )));
        assert!(errors.contains(&(
            "stages[5].probability".into(),
            "error-stage-probability-fixed".into()
        )));
        assert!(errors.contains(&(
            "stages[6].probability".into(),
            "error-stage-probability-fixed".into()
        )));
    }

    #[test]
    fn keys_and_labels_are_checked() {
        let mut stages = default_stages();
        stages[0].key = "Bad Key".into();
        stages[2].key = stages[1].key.clone();
        stages[3].label_da = " ".into();
        stages[4].label_en = "x".repeat(81);
        let errors = errors_of(&stages);
        assert!(errors.contains(&("stages[0].key".into(), "error-status-key-invalid".into())));
        assert!(errors.contains(&("stages[2].key".into(), "error-duplicate".into())));
        assert!(errors.contains(&("stages[3].label_da".into(), "error-required".into())));
        assert!(errors.contains(&("stages[4].label_en".into(), "error-too-long".into())));
        let too_many: Vec<_> = (0..31)
            .map(|i| OpportunityStage {
                key: format!("s{i}"),
                ..default_stages()[0].clone()
            })
            .collect();
        assert!(errors_of(&too_many).contains(&("stages".into(), "error-out-of-range".into())));
    }

    #[test]
    fn order_follows_position_then_the_order_sent() {
        let mut stages = default_stages();
        stages[6].position = 5;
        stages[0].label_en = "  Prospecting ".into();
        let ordered = in_order(&stages);
        assert_eq!(ordered[0].key, "closed_lost");
        assert_eq!(ordered[1].label_en, "Prospecting");
        assert_eq!(
            ordered.iter().map(|s| s.position).collect::<Vec<_>>(),
            [10, 20, 30, 40, 50, 60, 70]
        );
        assert_eq!(StageOutcome::parse(" WON "), Some(StageOutcome::Won));
        assert_eq!(StageOutcome::parse("closed"), None);
    }
}
