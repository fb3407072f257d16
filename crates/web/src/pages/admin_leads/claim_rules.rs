//! `/admin/claim-rules`: the claim rules in order, in plain words; adding a
//! rule with overrides per tier, setting and removing an override for a tier or
//! a partner account, deleting a rule and moving it up or down.
//!
//! Every change reads the rule set, changes it and saves it whole through
//! `Store::save_claim_rules`, which validates it; its errors are mapped back to
//! the form that caused them.

use std::collections::HashMap;

use askama::Template;
use axum::{
    Extension,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    ClaimRuleId, DomainError, FieldErrors, PartnerId, QueueId, Tier,
    claim_rules::{
        ClaimOverride, ClaimRule, LimitKind, LimitSubject, OverrideTarget, validate_rules,
    },
};

use crate::{
    AppState,
    auth::{Caller, PageCaller},
    csrf::CsrfToken,
    error::AppError,
    i18n::Tr,
    pages::{Chrome, PageForm, PageId, render},
};

use super::{
    Errors, admin_only, checked, field_errors, plural, respond, translate, value, with_errors,
};

/// A rule as the list shows it.
pub struct RuleView {
    pub id: ClaimRuleId,
    pub name: String,
    /// "At most 2 open claimed leads per partner user, all queues".
    pub summary: String,
    pub overrides: Vec<OverrideView>,
    pub first: bool,
    pub last: bool,
}

pub struct OverrideView {
    /// The target as the forms send it: `tier:gold`, `partner:<id>`.
    pub target: String,
    /// "Gold partners: at most 10".
    pub text: String,
}

/// The "set an override" form as typed.
#[derive(Default)]
pub struct OverrideForm {
    /// The rule's id.
    pub rule: String,
    pub target: String,
    pub max: String,
    pub unlimited: bool,
}

/// One tier's override in the new-rule form.
pub struct TierField {
    pub tier: Tier,
    pub label: String,
    /// The names of the number and the "no limit" box.
    pub input: String,
    pub unlimited_input: String,
    pub max: String,
    pub unlimited: bool,
}

/// The new-rule form as typed.
pub struct RuleForm {
    pub name: String,
    pub kind: String,
    pub window_hours: String,
    pub subject: String,
    pub queue_id: String,
    pub max: String,
    pub tiers: Vec<TierField>,
}

impl RuleForm {
    fn from_pairs(t: Tr, pairs: &[(String, String)]) -> Self {
        let tiers = Tier::ALL
            .into_iter()
            .map(|tier| {
                let input = format!("tier_{}", tier.as_str());
                let unlimited_input = format!("{input}_unlimited");
                TierField {
                    tier,
                    label: t.tier(&tier),
                    max: value(pairs, &input).to_owned(),
                    unlimited: checked(pairs, &unlimited_input),
                    input,
                    unlimited_input,
                }
            })
            .collect();
        let or = |name: &str, default: &str| {
            Some(value(pairs, name))
                .filter(|v| !v.is_empty())
                .unwrap_or(default)
                .to_owned()
        };
        RuleForm {
            name: value(pairs, "name").to_owned(),
            kind: or("kind", "open_at_once"),
            window_hours: value(pairs, "window_hours").to_owned(),
            subject: or("subject", "user"),
            queue_id: value(pairs, "queue_id").to_owned(),
            max: value(pairs, "max").to_owned(),
            tiers,
        }
    }

    /// The rule the form describes, and the form field of each of its overrides.
    /// Anything that cannot be read is an error in `errors`, and the rule gets a
    /// stand-in value so that the rest can still be checked.
    fn parse(&self, errors: &mut FieldErrors) -> (ClaimRule, Vec<String>) {
        let kind = match self.kind.as_str() {
            "open_at_once" => LimitKind::OpenAtOnce,
            "per_window" => LimitKind::PerWindow {
                window_hours: count(&self.window_hours, "window_hours", errors).unwrap_or(1),
            },
            _ => {
                errors.add("kind", "error-out-of-range");
                LimitKind::OpenAtOnce
            }
        };
        let subject = match self.subject.as_str() {
            "user" => LimitSubject::User,
            "partner" => LimitSubject::Partner,
            _ => {
                errors.add("subject", "error-out-of-range");
                LimitSubject::User
            }
        };
        let queue_id = match self.queue_id.trim() {
            "" => None,
            raw => raw.parse::<QueueId>().ok().or_else(|| {
                errors.add("queue_id", "error-queue-unknown");
                None
            }),
        };
        let max = count(&self.max, "max", errors).unwrap_or(0);
        let mut overrides = Vec::new();
        let mut fields = Vec::new();
        for field in &self.tiers {
            let max = if field.unlimited {
                None
            } else if field.max.trim().is_empty() {
                continue;
            } else {
                Some(count(&field.max, &field.input, errors).unwrap_or(0))
            };
            overrides.push(ClaimOverride {
                target: OverrideTarget::Tier(field.tier),
                max,
            });
            fields.push(field.input.clone());
        }
        let rule = ClaimRule {
            id: ClaimRuleId::new(),
            name: self.name.clone(),
            kind,
            subject,
            queue_id,
            max,
            overrides,
        };
        (rule, fields)
    }
}

/// A count typed into a form: required, a whole number, at least 0.
fn count(input: &str, field: &str, errors: &mut FieldErrors) -> Option<u32> {
    let input = input.trim();
    if input.is_empty() {
        errors.add(field, "error-required");
        return None;
    }
    match input.parse::<i64>() {
        Ok(n) => u32::try_from(n).ok().or_else(|| {
            errors.add(field, "error-out-of-range");
            None
        }),
        Err(_) => {
            errors.add(field, "admin-error-whole-number");
            None
        }
    }
}

/// Validation errors of the rule set, for the form that changed rule `index`:
/// `rules[index].max` becomes `max`, `rules[index].overrides[j].max` the form
/// field of override `j`; an error of another rule goes to the page as a whole.
fn errors_for(index: usize, override_fields: &[String], errors: FieldErrors) -> FieldErrors {
    let prefix = format!("rules[{index}].");
    let mut mapped = FieldErrors::new();
    for (field, key) in errors.0 {
        let Some(rest) = field.strip_prefix(&prefix) else {
            mapped.add("form", &key);
            continue;
        };
        let name = match rest
            .strip_prefix("overrides[")
            .and_then(|r| r.split_once(']'))
        {
            Some((j, _)) => j
                .parse::<usize>()
                .ok()
                .and_then(|j| override_fields.get(j).cloned())
                .unwrap_or_else(|| "form".into()),
            None => rest.to_owned(),
        };
        mapped.add(&name, &key);
    }
    mapped
}

/// A target as a form sends it: `tier:<tier>` or `partner:<id>`.
fn parse_target(raw: &str) -> Option<OverrideTarget> {
    match raw.split_once(':')? {
        ("tier", tier) => Tier::parse(tier).map(OverrideTarget::Tier),
        ("partner", id) => id.parse::<PartnerId>().ok().map(OverrideTarget::Partner),
        _ => None,
    }
}

fn target_value(target: &OverrideTarget) -> String {
    match target {
        OverrideTarget::Tier(tier) => format!("tier:{}", tier.as_str()),
        OverrideTarget::Partner(id) => format!("partner:{id}"),
    }
}

/// Names of queues and partners, for rules and overrides in words.
struct Names {
    queues: HashMap<QueueId, String>,
    partners: HashMap<PartnerId, String>,
}

/// A rule in plain words, in the admin's language.
fn summary(t: Tr, rule: &ClaimRule, names: &Names) -> String {
    let scope = match rule.queue_id {
        None => t.get("admin-rule-all-queues"),
        Some(q) => match names.queues.get(&q) {
            Some(name) => t.with("admin-rule-queue", [("queue", name.as_str())]),
            None => t.get("admin-rule-unknown-queue"),
        },
    };
    let subject = rule.subject.as_str().to_owned();
    let max = rule.max.to_string();
    match (rule.max, rule.kind) {
        (0, _) => t.with("admin-rule-none", [("subject", subject), ("scope", scope)]),
        (n, LimitKind::OpenAtOnce) => t.with(
            "admin-rule-open",
            [
                ("max", max),
                ("leads", plural(n).to_owned()),
                ("subject", subject),
                ("scope", scope),
            ],
        ),
        (n, LimitKind::PerWindow { window_hours }) => t.with(
            "admin-rule-window",
            [
                ("max", max),
                ("claims", plural(n).to_owned()),
                ("subject", subject),
                ("hours", window_hours.to_string()),
                ("hours_plural", plural(window_hours).to_owned()),
                ("scope", scope),
            ],
        ),
    }
}

fn target_label(t: Tr, target: &OverrideTarget, names: &Names) -> String {
    match target {
        OverrideTarget::Tier(tier) => t.with("admin-override-tier", [("tier", t.tier(tier))]),
        OverrideTarget::Partner(id) => names
            .partners
            .get(id)
            .cloned()
            .unwrap_or_else(|| t.get("admin-override-unknown-partner")),
    }
}

fn override_text(t: Tr, o: &ClaimOverride, names: &Names) -> String {
    let limit = match o.max {
        None => t.get("admin-override-unlimited"),
        Some(0) => t.get("admin-override-none"),
        Some(n) => t.with("admin-override-max", [("max", n.to_string())]),
    };
    format!("{}: {limit}", target_label(t, &o.target, names))
}

#[derive(Template)]
#[template(path = "admin_claim_rules.html")]
pub struct RulesPage {
    pub chrome: Chrome,
    pub rules: Vec<RuleView>,
    pub queues: Vec<(String, String)>,
    /// Override targets: (form value, label).
    pub tier_targets: Vec<(String, String)>,
    pub partner_targets: Vec<(String, String)>,
    pub form: RuleForm,
    pub errors: Errors,
    pub override_form: OverrideForm,
    pub override_errors: Errors,
}

/// What a failed form leaves on the page.
#[derive(Default)]
struct Failed {
    form: Option<RuleForm>,
    errors: Errors,
    override_form: Option<(OverrideForm, Errors)>,
}

async fn page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    failed: Failed,
) -> Result<Response, AppError> {
    admin_only(caller)?;
    let viewer = caller.viewer();
    let chrome = Chrome::build(state, caller, csrf, "admin", "admin-claim-rules").await?;
    let t = chrome.t;
    let queues = state.store.queues(&viewer).await?;
    let partners = state.store.partners(&viewer).await?;
    let names = Names {
        queues: queues.iter().map(|q| (q.id, q.name.clone())).collect(),
        partners: partners.iter().map(|p| (p.id, p.name.clone())).collect(),
    };
    let rules = state.store.claim_rules().await?;
    let last = rules.len().saturating_sub(1);
    let (override_form, override_errors) = failed.override_form.unwrap_or_default();
    let rules = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| RuleView {
            id: rule.id,
            name: rule.name.clone(),
            summary: summary(t, rule, &names),
            overrides: rule
                .overrides
                .iter()
                .map(|o| OverrideView {
                    target: target_value(&o.target),
                    text: override_text(t, o, &names),
                })
                .collect(),
            first: i == 0,
            last: i == last,
        })
        .collect();
    let is_failure = !failed.errors.is_empty() || !override_errors.is_empty();
    let page = RulesPage {
        rules,
        queues: queues
            .iter()
            .map(|q| (q.id.to_string(), q.name.clone()))
            .collect(),
        tier_targets: Tier::ALL
            .iter()
            .map(|tier| {
                let target = OverrideTarget::Tier(*tier);
                (target_value(&target), target_label(t, &target, &names))
            })
            .collect(),
        partner_targets: partners
            .iter()
            .map(|p| (format!("partner:{}", p.id), p.name.clone()))
            .collect(),
        form: failed.form.unwrap_or_else(|| RuleForm::from_pairs(t, &[])),
        errors: failed.errors,
        override_form,
        override_errors,
        chrome,
    };
    Ok(with_errors(render(&page)?, is_failure))
}

pub async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    respond(t, page(&state, &caller, &csrf, Failed::default()).await)
}

/// Saves the changed rule set; `Ok(None)` when saved, the validation errors otherwise.
async fn save(
    state: &AppState,
    caller: &Caller,
    rules: &[ClaimRule],
) -> Result<Option<FieldErrors>, AppError> {
    match state
        .store
        .save_claim_rules(Some(&caller.viewer()), rules)
        .await
    {
        Ok(()) => Ok(None),
        Err(e) => field_errors(e.into()).map(Some),
    }
}

fn back() -> Response {
    Redirect::to("/admin/claim-rules").into_response()
}

pub async fn add(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let form = RuleForm::from_pairs(t, &pairs);
        let mut errors = FieldErrors::new();
        let (rule, override_fields) = form.parse(&mut errors);
        // What the domain says about the rule on its own, beside what could not be read.
        if let Err(DomainError::Validation(more)) = validate_rules(std::slice::from_ref(&rule)) {
            for (field, key) in errors_for(0, &override_fields, more).0 {
                errors.add(&field, &key);
            }
        }
        if errors.is_empty() {
            let mut rules = state.store.claim_rules().await?;
            rules.push(rule);
            match save(&state, &caller, &rules).await? {
                None => return Ok(back()),
                Some(refused) => errors = errors_for(rules.len() - 1, &override_fields, refused),
            }
        }
        let failed = Failed {
            form: Some(form),
            errors: translate(t, errors),
            override_form: None,
        };
        page(&state, &caller, &csrf, failed).await
    }
    .await;
    respond(t, result)
}

/// Changes the rule set by moving or removing rule `id`, then returns to the page.
async fn change(
    state: AppState,
    caller: Caller,
    csrf: CsrfToken,
    id: ClaimRuleId,
    edit: impl FnOnce(&mut Vec<ClaimRule>, usize),
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let mut rules = state.store.claim_rules().await?;
        // Already gone (a second click, another admin): nothing to do.
        let Some(index) = rules.iter().position(|r| r.id == id) else {
            return Ok(back());
        };
        edit(&mut rules, index);
        match save(&state, &caller, &rules).await? {
            None => Ok(back()),
            Some(errors) => {
                let errors = translate(t, errors_for(usize::MAX, &[], errors));
                page(
                    &state,
                    &caller,
                    &csrf,
                    Failed {
                        errors,
                        ..Failed::default()
                    },
                )
                .await
            }
        }
    }
    .await;
    respond(t, result)
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ClaimRuleId>,
) -> Response {
    change(state, caller, csrf, id, |rules, i| {
        if i < rules.len() {
            rules.remove(i);
        }
    })
    .await
}

pub async fn move_up(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ClaimRuleId>,
) -> Response {
    change(state, caller, csrf, id, |rules, i| {
        if i > 0 {
            rules.swap(i, i - 1);
        }
    })
    .await
}

pub async fn move_down(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ClaimRuleId>,
) -> Response {
    change(state, caller, csrf, id, |rules, i| {
        if i + 1 < rules.len() {
            rules.swap(i, i + 1);
        }
    })
    .await
}

/// Sets a rule's override for a tier or a partner account (replacing the one
/// that target had): a maximum, or no limit. One form serves every rule, so the
/// list of partners is on the page once.
pub async fn add_override(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let mut rules = state.store.claim_rules().await?;
        let form = OverrideForm {
            rule: value(&pairs, "rule").to_owned(),
            target: value(&pairs, "target").to_owned(),
            max: value(&pairs, "max").to_owned(),
            unlimited: checked(&pairs, "unlimited"),
        };
        let mut errors = FieldErrors::new();
        // Unknown: mistyped, or deleted by another admin meanwhile.
        let index = form
            .rule
            .parse::<ClaimRuleId>()
            .ok()
            .and_then(|id| rules.iter().position(|r| r.id == id));
        if index.is_none() {
            errors.add("rule", "admin-rule-unknown");
        }
        let target = parse_target(&form.target);
        match target {
            None => errors.add("target", "error-required"),
            Some(OverrideTarget::Partner(p)) => {
                if state.store.partner(&caller.viewer(), p).await.is_err() {
                    errors.add("target", "error-partner-unknown");
                }
            }
            Some(OverrideTarget::Tier(_)) => {}
        }
        let max = if form.unlimited {
            None
        } else {
            count(&form.max, "max", &mut errors)
        };
        if let (Some(target), true, Some(index)) = (target, errors.is_empty(), index)
            && let Some(rule) = rules.get_mut(index)
        {
            let overrides = &mut rule.overrides;
            let new = ClaimOverride { target, max };
            let j = match overrides.iter().position(|o| o.target == target) {
                Some(j) => {
                    overrides[j] = new;
                    j
                }
                None => {
                    overrides.push(new);
                    overrides.len() - 1
                }
            };
            // Errors of the rule's other overrides belong to the page as a whole.
            let mut fields = vec!["form".to_owned(); j];
            fields.push("max".into());
            match save(&state, &caller, &rules).await? {
                None => return Ok(back()),
                Some(refused) => errors = errors_for(index, &fields, refused),
            }
        }
        let failed = Failed {
            override_form: Some((form, translate(t, errors))),
            ..Failed::default()
        };
        page(&state, &caller, &csrf, failed).await
    }
    .await;
    respond(t, result)
}

/// Removes a rule's override for one target.
pub async fn remove_override(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<ClaimRuleId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    let target = parse_target(value(&pairs, "target"));
    change(state, caller, csrf, id, move |rules, i| {
        if let (Some(target), Some(rule)) = (target, rules.get_mut(i)) {
            rule.overrides.retain(|o| o.target != target);
        }
    })
    .await
}
