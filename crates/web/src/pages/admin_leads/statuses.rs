//! `/admin/lead-statuses`: the status picklist as one form: labels in English
//! and Danish, the closed flag and the order of every status, with buttons to
//! move a status up or down, remove it, or add a new one. Every button saves
//! the labels typed so far too, so nothing typed is lost by moving a row.
//!
//! The form only changes statuses it shows: a status another admin added
//! meanwhile is kept, and only the Remove button removes one.

use std::collections::BTreeMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{FieldErrors, leads::LeadStatus};
use openprm_store::leads::statuses::{CONVERTED_KEY, KEY_MAX_CHARS, LABEL_MAX_CHARS};

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageForm, render},
};

use super::{Errors, admin_only, checked, field_errors, plural, respond, value, with_errors};

/// One status as the form shows it.
pub struct StatusRow {
    pub key: String,
    pub label_en: String,
    pub label_da: String,
    pub closed: bool,
    pub converted: bool,
    /// Leads in this status may be converted.
    pub qualified: bool,
    /// Leads in this status.
    pub used: i64,
    pub first: bool,
    pub last: bool,
    pub label_en_error: Option<String>,
    pub label_da_error: Option<String>,
    pub closed_error: Option<String>,
}

/// The "add a status" fields as typed.
#[derive(Default)]
pub struct NewStatus {
    pub label_en: String,
    pub label_da: String,
    pub closed: bool,
}

#[derive(Template)]
#[template(path = "admin_lead_statuses.html")]
pub struct StatusesPage {
    pub chrome: Chrome,
    pub rows: Vec<StatusRow>,
    pub new: NewStatus,
    pub errors: Errors,
    pub label_max: usize,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    shown: Option<Vec<LeadStatus>>,
    new: NewStatus,
    errors: Errors,
) -> Result<Response, AppError> {
    admin_only(caller)?;
    let chrome = Chrome::build(state, caller, csrf, "admin", "admin-lead-statuses").await?;
    let usage = state.store.lead_status_usage(&caller.viewer()).await?;
    let statuses = match shown {
        Some(s) => s,
        None => state.store.lead_statuses().await?,
    };
    let last = statuses.len().saturating_sub(1);
    let error = |key: &str, field: &str| errors.get(&format!("{key}.{field}")).cloned();
    let rows = statuses
        .into_iter()
        .enumerate()
        .map(|(i, s)| StatusRow {
            used: usage.get(&s.key).copied().unwrap_or(0),
            first: i == 0,
            last: i == last,
            label_en_error: error(&s.key, "label_en"),
            label_da_error: error(&s.key, "label_da"),
            closed_error: error(&s.key, "closed"),
            key: s.key,
            label_en: s.label_en,
            label_da: s.label_da,
            closed: s.closed,
            converted: s.converted,
            qualified: s.qualified,
        })
        .collect();
    let failed = !errors.is_empty();
    let page = StatusesPage {
        chrome,
        rows,
        new,
        errors,
        label_max: LABEL_MAX_CHARS,
    };
    Ok(with_errors(render(&page)?, failed))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = page(
        &state,
        &caller,
        &csrf,
        None,
        NewStatus::default(),
        Errors::new(),
    )
    .await;
    respond(t, result)
}

/// What a button asks for, besides saving the labels.
enum Op {
    Save,
    Add,
    Up(String),
    Down(String),
    Remove(String),
}

impl Op {
    fn parse(raw: &str) -> Op {
        match raw.split_once(':') {
            Some(("up", key)) => Op::Up(key.to_owned()),
            Some(("down", key)) => Op::Down(key.to_owned()),
            Some(("remove", key)) => Op::Remove(key.to_owned()),
            _ if raw == "add" => Op::Add,
            _ => Op::Save,
        }
    }
}

/// One table row as sent: `key_<i>`, `label_en_<i>`, `label_da_<i>`, `closed_<i>`.
#[derive(Default)]
struct RowInput {
    key: String,
    label_en: String,
    label_da: String,
    closed: bool,
    qualified: bool,
}

fn rows_sent(pairs: &[(String, String)]) -> Vec<RowInput> {
    let mut rows: BTreeMap<usize, RowInput> = BTreeMap::new();
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
            "closed" => row.closed = true,
            "qualified" => row.qualified = true,
            _ => {}
        }
    }
    rows.into_values().filter(|r| !r.key.is_empty()).collect()
}

/// The stored picklist with the edits of the form laid over it, in the form's
/// order; statuses the form did not show keep their place after it.
fn edited(current: &[LeadStatus], sent: &[RowInput]) -> Vec<LeadStatus> {
    let mut seen = std::collections::HashSet::new();
    let mut list: Vec<LeadStatus> = sent
        .iter()
        // A row sent twice (a forged form) counts once.
        .filter(|row| seen.insert(row.key.as_str()))
        .filter_map(|row| {
            let stored = current.iter().find(|s| s.key == row.key)?;
            let converted = stored.key == CONVERTED_KEY;
            Some(LeadStatus {
                key: stored.key.clone(),
                label_en: row.label_en.clone(),
                label_da: row.label_da.clone(),
                // A converted lead is closed; its box is shown ticked and fixed.
                closed: row.closed || converted,
                converted,
                qualified: row.qualified && !converted,
                position: 0,
            })
        })
        .collect();
    for status in current {
        if !list.iter().any(|s| s.key == status.key) {
            list.push(status.clone());
        }
    }
    list
}

fn renumber(list: &mut [LeadStatus]) {
    for (i, status) in list.iter_mut().enumerate() {
        status.position = i32::try_from((i + 1) * 10).unwrap_or(i32::MAX);
    }
}

/// A key for a new status from its English label: `On hold` → `on_hold`, made
/// unique among `taken`.
fn new_key(label: &str, taken: &[LeadStatus]) -> String {
    let mut slug = String::new();
    for c in label.trim().to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            'æ' | 'ä' => slug.push_str("ae"),
            'ø' | 'ö' => slug.push_str("oe"),
            'å' => slug.push_str("aa"),
            'ü' => slug.push_str("ue"),
            'é' | 'è' | 'ê' => slug.push('e'),
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
        slug = "status".into();
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

/// Store errors keyed for the page: `statuses[i].label_en` becomes
/// `<key of row i>.label_en`; a refused removal a sentence naming the status.
/// `shown` holds the statuses as the page shows them, a removed one included.
fn page_errors(
    t: Tr,
    errors: FieldErrors,
    saved: &[LeadStatus],
    shown: &[LeadStatus],
    usage: &BTreeMap<String, i64>,
) -> Errors {
    let mut page = Errors::new();
    for (field, message) in errors.0 {
        if let Some(key) = field.strip_prefix("removed.") {
            let label = shown
                .iter()
                .find(|s| s.key == key)
                .map_or(key, |s| s.label(t.locale))
                .to_owned();
            let text = if message == "error-status-in-use" {
                let count = usage.get(key).copied().unwrap_or(1).max(1);
                t.with(
                    "admin-status-in-use",
                    [
                        ("status", label),
                        ("count", count.to_string()),
                        ("leads", plural(u32::try_from(count).unwrap_or(2)).into()),
                    ],
                )
            } else {
                t.with("admin-status-converted-stays", [("status", label)])
            };
            page.insert("form".into(), text);
            continue;
        }
        let row = field
            .strip_prefix("statuses[")
            .and_then(|rest| rest.split_once("]."))
            .and_then(|(i, name)| Some((saved.get(i.parse::<usize>().ok()?)?, name)));
        match row {
            Some((status, name)) => {
                page.insert(format!("{}.{name}", status.key), t.get(&message));
            }
            None => {
                page.insert("form".into(), t.get(&message));
            }
        }
    }
    page
}

pub async fn save(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let current = state.store.lead_statuses().await?;
        let mut shown = edited(&current, &rows_sent(&pairs));
        let new = NewStatus {
            label_en: value(&pairs, "new_label_en").to_owned(),
            label_da: value(&pairs, "new_label_da").to_owned(),
            closed: checked(&pairs, "new_closed"),
        };
        let position = |key: &str, list: &[LeadStatus]| list.iter().position(|s| s.key == key);
        match Op::parse(value(&pairs, "op")) {
            Op::Up(key) => {
                if let Some(i) = position(&key, &shown).filter(|i| *i > 0) {
                    shown.swap(i, i - 1);
                }
            }
            Op::Down(key) => {
                if let Some(i) = position(&key, &shown).filter(|i| i + 1 < shown.len()) {
                    shown.swap(i, i + 1);
                }
            }
            _ => {}
        }
        renumber(&mut shown);
        let mut to_save = shown.clone();
        let mut new_kept = NewStatus::default();
        let mut op = Op::parse(value(&pairs, "op"));
        // Enter in the new status's fields saves: add it rather than drop it.
        if matches!(op, Op::Save)
            && !(new.label_en.trim().is_empty() && new.label_da.trim().is_empty())
        {
            op = Op::Add;
        }
        match op {
            Op::Remove(key) => to_save.retain(|s| s.key != key),
            Op::Add => {
                let status = LeadStatus {
                    key: new_key(&new.label_en, &to_save),
                    label_en: new.label_en.clone(),
                    label_da: new.label_da.clone(),
                    closed: new.closed,
                    converted: false,
                    qualified: false,
                    position: 0,
                };
                // Before the converted status, which usually ends the list.
                let at = position(CONVERTED_KEY, &to_save).unwrap_or(to_save.len());
                to_save.insert(at, status);
                renumber(&mut to_save);
                new_kept = new;
            }
            _ => {}
        }
        match state
            .store
            .save_lead_statuses(&caller.viewer(), &to_save)
            .await
        {
            Ok(()) => Ok(Redirect::to("/admin/lead-statuses").into_response()),
            Err(e) => {
                let errors = field_errors(e.into())?;
                let usage = state.store.lead_status_usage(&caller.viewer()).await?;
                let mut errors = page_errors(t, errors, &to_save, &shown, &usage);
                // The new status is not a row yet: its errors go beside its fields.
                let new_key = to_save
                    .iter()
                    .find(|s| !shown.iter().any(|k| k.key == s.key))
                    .map(|s| s.key.clone());
                if let Some(key) = new_key {
                    for field in ["label_en", "label_da", "key"] {
                        if let Some(message) = errors.remove(&format!("{key}.{field}")) {
                            let name = if field == "key" { "label_en" } else { field };
                            errors.insert(format!("new.{name}"), message);
                        }
                    }
                }
                page(&state, &caller, &csrf, Some(shown), new_kept, errors).await
            }
        }
    }
    .await;
    respond(t, result)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use openprm_domain::leads::default_statuses;

    #[test]
    fn new_keys_are_slugs_of_the_english_label() {
        let taken = default_statuses();
        assert_eq!(new_key("On hold", &taken), "on_hold");
        assert_eq!(new_key("  Nurture – later!  ", &taken), "nurture_later");
        assert_eq!(new_key("Qualified", &taken), "qualified_2");
        assert_eq!(new_key("Død", &taken), "doed");
        assert_eq!(new_key("2nd try", &taken), "s_2nd_try");
        assert_eq!(new_key("!!!", &taken), "status");
        assert!(new_key(&"x".repeat(200), &taken).len() <= KEY_MAX_CHARS);
    }

    #[test]
    fn the_form_changes_only_the_statuses_it_shows() {
        let current = default_statuses();
        let sent = vec![
            RowInput {
                key: "qualified".into(),
                label_en: "Sales ready".into(),
                label_da: "Salgsklar".into(),
                closed: false,
                qualified: true,
            },
            RowInput {
                key: "converted".into(),
                label_en: "Won".into(),
                label_da: "Vundet".into(),
                closed: false,
                qualified: true,
            },
            RowInput {
                key: "vanished".into(),
                ..RowInput::default()
            },
            RowInput {
                key: "qualified".into(),
                label_en: "Twice".into(),
                ..RowInput::default()
            },
        ];
        let list = edited(&current, &sent);
        let keys: Vec<_> = list.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            vec![
                "qualified",
                "converted",
                "open_not_contacted",
                "working_contacted",
                "unqualified"
            ]
        );
        assert_eq!(list[0].label_en, "Sales ready");
        assert!(list[1].closed && list[1].converted);
    }

    #[test]
    fn rows_are_read_in_index_order() {
        let pairs: Vec<(String, String)> = [
            ("key_1", "b"),
            ("label_en_1", "B"),
            ("key_0", "a"),
            ("closed_0", "1"),
            ("label_da_0", "A"),
            ("op", "save"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let rows = rows_sent(&pairs);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].key.as_str(), rows[0].closed), ("a", true));
        assert_eq!(rows[0].label_da, "A");
        assert_eq!(
            (rows[1].key.as_str(), rows[1].label_en.as_str()),
            ("b", "B")
        );
    }
}
