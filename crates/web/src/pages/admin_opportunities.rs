//! `/admin/opportunity-stages`: the stage picklist as one form: labels in
//! English and Danish, probability and outcome of every stage, with buttons
//! to move a stage up or down, remove it, or add a new one. Every button saves
//! what was typed too. The admin's alone; anyone else is told it does not
//! exist. Errors come back inline with the input kept (422); success
//! redirects to the page, so a reload never repeats a change.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    DomainError, FieldErrors,
    opportunity_stages::{KEY_MAX_CHARS, LABEL_MAX_CHARS, OpportunityStage, StageOutcome},
};

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageError, PageForm, render},
};

/// Field name → message shown beside it.
type Errors = BTreeMap<String, String>;

/// One stage as the form shows it.
pub struct StageRow {
    pub key: String,
    pub label_en: String,
    pub label_da: String,
    pub probability: String,
    pub outcome: &'static str,
    pub used: i64,
    pub first: bool,
    pub last: bool,
}

/// The "add a stage" fields as typed.
#[derive(Default)]
pub struct NewStage {
    pub label_en: String,
    pub label_da: String,
    pub probability: String,
    pub outcome: String,
}

#[derive(Template)]
#[template(path = "admin_opportunity_stages.html")]
pub struct StagesPage {
    pub chrome: Chrome,
    pub rows: Vec<StageRow>,
    pub new: NewStage,
    pub errors: Errors,
    pub outcomes: Vec<(&'static str, String)>,
    pub label_max: usize,
}

impl StagesPage {
    pub fn error(&self, key: &str, field: &str) -> Option<&String> {
        self.errors.get(&format!("{key}.{field}"))
    }
}

/// A stage as typed: the probability stays text until it is checked.
#[derive(Clone, Default)]
struct Typed {
    key: String,
    label_en: String,
    label_da: String,
    probability: String,
    outcome: String,
}

fn admin_only(caller: &Caller) -> Result<(), AppError> {
    caller
        .viewer()
        .may_administer()
        .map_err(|_| DomainError::NotFound.into())
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    shown: Option<Vec<Typed>>,
    new: NewStage,
    errors: Errors,
) -> Result<Response, AppError> {
    admin_only(caller)?;
    let chrome = Chrome::build(state, caller, csrf, "admin", "admin-opportunity-stages").await?;
    let t = chrome.t;
    let usage = state
        .store
        .opportunity_stage_usage(&caller.viewer())
        .await?;
    let shown = match shown {
        Some(s) => s,
        None => state
            .store
            .opportunity_stages()
            .await?
            .into_iter()
            .map(|s| Typed {
                key: s.key,
                label_en: s.label_en,
                label_da: s.label_da,
                probability: s.probability.to_string(),
                outcome: s.outcome.as_str().to_owned(),
            })
            .collect(),
    };
    let last = shown.len().saturating_sub(1);
    let rows = shown
        .into_iter()
        .enumerate()
        .map(|(i, s)| StageRow {
            used: usage.get(&s.key).copied().unwrap_or(0),
            first: i == 0,
            last: i == last,
            outcome: StageOutcome::parse(&s.outcome)
                .unwrap_or(StageOutcome::Open)
                .as_str(),
            key: s.key,
            label_en: s.label_en,
            label_da: s.label_da,
            probability: s.probability,
        })
        .collect();
    let failed = !errors.is_empty();
    let outcomes = StageOutcome::ALL
        .into_iter()
        .map(|o| {
            (
                o.as_str(),
                t.get(&format!("admin-stage-outcome-{}", o.as_str())),
            )
        })
        .collect();
    let mut response = render(&StagesPage {
        chrome,
        rows,
        new,
        errors,
        outcomes,
        label_max: LABEL_MAX_CHARS,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    page(
        &state,
        &caller,
        &csrf,
        None,
        NewStage::default(),
        Errors::new(),
    )
    .await
    .unwrap_or_else(|e| PageError::new(e, t).into_response())
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The rows as sent (`key_<i>`, `label_en_<i>`, `label_da_<i>`,
/// `probability_<i>`, `outcome_<i>`), in index order, each key once.
fn rows_sent(pairs: &[(String, String)]) -> Vec<Typed> {
    let mut rows: BTreeMap<usize, Typed> = BTreeMap::new();
    for (name, value) in pairs {
        let Some((field, index)) = name.rsplit_once('_') else {
            continue;
        };
        let Ok(index) = index.parse::<usize>() else {
            continue;
        };
        let row = rows.entry(index).or_default();
        match field {
            "key" => row.key = value.clone(),
            "label_en" => row.label_en = value.clone(),
            "label_da" => row.label_da = value.clone(),
            "probability" => row.probability = value.clone(),
            "outcome" => row.outcome = value.clone(),
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    rows.into_values()
        .filter(|r| !r.key.is_empty() && seen.insert(r.key.clone()))
        .collect()
}

/// A key for a new stage from its English label: `Verbal yes` → `verbal_yes`,
/// made unique among `taken`.
fn new_key(label: &str, taken: &[Typed]) -> String {
    let mut slug = String::new();
    for c in label.trim().to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            'æ' | 'ä' => slug.push_str("ae"),
            'ø' | 'ö' => slug.push_str("oe"),
            'å' => slug.push_str("aa"),
            _ if !slug.ends_with('_') => slug.push('_'),
            _ => {}
        }
    }
    let mut slug: String = slug
        .trim_matches('_')
        .chars()
        .take(KEY_MAX_CHARS - 4)
        .collect();
    slug = slug.trim_end_matches('_').to_owned();
    if slug.is_empty() {
        slug = "stage".into();
    } else if slug.starts_with(|c: char| c.is_ascii_digit()) {
        slug = format!("s_{slug}");
    }
    let free = |key: &str| !taken.iter().any(|s| s.key == key);
    if free(&slug) {
        return slug;
    }
    (2..)
        .map(|n| format!("{slug}_{n}"))
        .find(|key| free(key))
        .unwrap_or(slug)
}

/// Typed rows as stages, or the errors of the probabilities and outcomes
/// (keyed `<key>.<field>`); the rest is the store's to check.
fn checked(rows: &[Typed]) -> Result<Vec<OpportunityStage>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let stages = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let outcome = StageOutcome::parse(&r.outcome).unwrap_or_else(|| {
                errors.add(&format!("{}.outcome", r.key), "error-stage-outcome-unknown");
                StageOutcome::Open
            });
            let probability = match (r.probability.trim(), outcome.fixed_probability()) {
                ("", Some(fixed)) => fixed,
                (text, _) => text.parse::<i32>().unwrap_or_else(|_| {
                    errors.add(
                        &format!("{}.probability", r.key),
                        "error-probability-invalid",
                    );
                    0
                }),
            };
            OpportunityStage {
                key: r.key.clone(),
                label_en: r.label_en.clone(),
                label_da: r.label_da.clone(),
                probability,
                outcome,
                position: i32::try_from((i + 1) * 10).unwrap_or(i32::MAX),
            }
        })
        .collect();
    if errors.is_empty() {
        Ok(stages)
    } else {
        Err(errors)
    }
}

/// Store errors keyed for the page: `stages[i].label_en` becomes
/// `<key of row i>.label_en`; a refused removal a sentence naming the stage.
fn page_errors(
    t: Tr,
    errors: FieldErrors,
    saved: &[Typed],
    usage: &BTreeMap<String, i64>,
) -> Errors {
    let mut page = Errors::new();
    for (field, message) in errors.0 {
        if let Some(key) = field.strip_prefix("removed.") {
            let count = usage.get(key).copied().unwrap_or(1).max(1);
            let text = t.with(
                "admin-stage-in-use",
                [
                    ("stage", key.to_owned()),
                    ("count", count.to_string()),
                    (
                        "opportunities",
                        if count == 1 { "one" } else { "other" }.to_owned(),
                    ),
                ],
            );
            page.insert("form".into(), text);
            continue;
        }
        let row = field
            .strip_prefix("stages[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, name)| Some((saved.get(i.parse::<usize>().ok()?)?, name)));
        match row {
            Some((stage, name)) => {
                page.insert(format!("{}.{name}", stage.key), t.get(&message));
            }
            None if field.contains('.') => {
                page.insert(field, t.get(&message));
            }
            None => {
                page.insert("form".into(), t.get(&message));
            }
        }
    }
    page
}

/// `POST /admin/opportunity-stages`
pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let mut shown = rows_sent(&pairs);
        // Stages another admin added meanwhile keep their place after the form's.
        for stored in state.store.opportunity_stages().await? {
            if !shown.iter().any(|s| s.key == stored.key) {
                shown.push(Typed {
                    key: stored.key,
                    label_en: stored.label_en,
                    label_da: stored.label_da,
                    probability: stored.probability.to_string(),
                    outcome: stored.outcome.as_str().to_owned(),
                });
            }
        }
        let new = NewStage {
            label_en: value(&pairs, "new_label_en").to_owned(),
            label_da: value(&pairs, "new_label_da").to_owned(),
            probability: value(&pairs, "new_probability").to_owned(),
            outcome: value(&pairs, "new_outcome").to_owned(),
        };
        let op = value(&pairs, "op");
        let at = |key: &str, list: &[Typed]| list.iter().position(|s| s.key == key);
        match op.split_once(':') {
            Some(("up", key)) => {
                if let Some(i) = at(key, &shown).filter(|i| *i > 0) {
                    shown.swap(i, i - 1);
                }
            }
            Some(("down", key)) => {
                if let Some(i) = at(key, &shown).filter(|i| i + 1 < shown.len()) {
                    shown.swap(i, i + 1);
                }
            }
            _ => {}
        }
        let mut to_save = shown.clone();
        let adding = op == "add"
            || (op == "save"
                && !(new.label_en.trim().is_empty() && new.label_da.trim().is_empty()));
        let mut new_kept = NewStage::default();
        if let Some(("remove", key)) = op.split_once(':') {
            to_save.retain(|s| s.key != key);
        } else if adding {
            let stage = Typed {
                key: new_key(&new.label_en, &to_save),
                label_en: new.label_en.clone(),
                label_da: new.label_da.clone(),
                probability: new.probability.clone(),
                outcome: if new.outcome.is_empty() {
                    "open".to_owned()
                } else {
                    new.outcome.clone()
                },
            };
            // Before the first closed stage, where new open stages belong.
            let place = to_save
                .iter()
                .position(|s| s.outcome != "open")
                .unwrap_or(to_save.len());
            to_save.insert(place, stage);
            new_kept = new;
        }
        let outcome = match checked(&to_save) {
            Ok(stages) => state
                .store
                .save_opportunity_stages(&caller.viewer(), &stages)
                .await
                .map_err(AppError::from),
            Err(errors) => Err(DomainError::Validation(errors).into()),
        };
        match outcome {
            Ok(()) => Ok(Redirect::to("/admin/opportunity-stages").into_response()),
            Err(AppError::Domain(DomainError::Validation(errors))) => {
                let usage = state
                    .store
                    .opportunity_stage_usage(&caller.viewer())
                    .await?;
                let mut errors = page_errors(t, errors, &to_save, &usage);
                // The new stage is not a row yet: its errors go beside its fields.
                if let Some(added) = to_save
                    .iter()
                    .find(|s| !shown.iter().any(|k| k.key == s.key))
                {
                    for field in ["label_en", "label_da", "probability", "outcome", "key"] {
                        if let Some(message) = errors.remove(&format!("{}.{field}", added.key)) {
                            let name = if field == "key" { "label_en" } else { field };
                            errors.insert(format!("new.{name}"), message);
                        }
                    }
                }
                page(&state, &caller, &csrf, Some(shown), new_kept, errors).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(e, t).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_read_in_index_order_once_each() {
        let pairs: Vec<(String, String)> = [
            ("key_1", "b"),
            ("probability_1", "20"),
            ("key_0", "a"),
            ("outcome_0", "won"),
            ("key_2", "a"),
            ("op", "save"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let rows = rows_sent(&pairs);
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].key.as_str(), rows[0].outcome.as_str()),
            ("a", "won")
        );
        assert_eq!(rows[1].probability, "20");
    }

    #[test]
    fn new_keys_and_typed_values() {
        let taken = vec![Typed {
            key: "proposal".into(),
            ..Typed::default()
        }];
        assert_eq!(new_key("Verbal yes", &taken), "verbal_yes");
        assert_eq!(new_key("Proposal", &taken), "proposal_2");
        assert_eq!(new_key("Første møde", &taken), "foerste_moede");
        let won = Typed {
            key: "won".into(),
            outcome: "won".into(),
            ..Typed::default()
        };
        assert_eq!(checked(&[won]).map(|s| s[0].probability), Ok(100));
        let bad = Typed {
            key: "x".into(),
            outcome: "maybe".into(),
            probability: "lots".into(),
            ..Typed::default()
        };
        let errors = checked(&[bad]).err().unwrap_or_default();
        assert_eq!(errors.0.len(), 2);
    }
}
