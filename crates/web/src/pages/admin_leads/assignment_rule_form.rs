//! The form for one assignment rule (`/admin/assignment-rules/new` and
//! `…/{id}/edit`): a name, one input per kind of condition, the target and the
//! response time.
//!
//! The form shows the first condition of each kind; a rule saved over the API
//! with more (two postal ranges, several field conditions) keeps the others
//! untouched when edited here.

use askama::Template;
use axum::{
    Extension,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use openprm_domain::{
    AssignmentRuleId, DomainError, FieldErrors, PartnerId, QueueId, UserId,
    assignment_rules::{AssignmentRule, Condition, FieldOp, Target, conditions, validate},
    leads::LeadSource,
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
    Errors,
    assignment_rules::{Names, admin_only},
    checked, field_errors, respond, translate, value,
};

/// The form as typed.
#[derive(Clone, Default)]
pub struct RuleForm {
    pub name: String,
    /// Source keys ticked.
    pub sources: Vec<String>,
    pub countries: String,
    pub postal_from: String,
    pub postal_to: String,
    pub product: String,
    pub field_name: String,
    pub field_op: String,
    pub field_value: String,
    pub target_kind: String,
    pub target_partner: String,
    pub target_user: String,
    pub target_queue: String,
    pub response_hours: String,
    pub version: String,
}

impl RuleForm {
    fn from_pairs(pairs: &[(String, String)]) -> RuleForm {
        let v = |name: &str| value(pairs, name).to_owned();
        RuleForm {
            name: v("name"),
            sources: LeadSource::ALL
                .iter()
                .map(|s| s.as_str().to_owned())
                .filter(|s| checked(pairs, &format!("source_{s}")))
                .collect(),
            countries: v("countries"),
            postal_from: v("postal_from"),
            postal_to: v("postal_to"),
            product: v("product"),
            field_name: v("field_name"),
            field_op: v("field_op"),
            field_value: v("field_value"),
            target_kind: v("target_kind"),
            target_partner: v("target_partner"),
            target_user: v("target_user"),
            target_queue: v("target_queue"),
            response_hours: v("response_hours"),
            version: v("version"),
        }
    }

    /// The form filled in with a rule: the first condition of each kind.
    fn from_rule(rule: &AssignmentRule, version: i64) -> RuleForm {
        let mut form = RuleForm {
            name: rule.name.clone(),
            response_hours: rule
                .response_hours
                .map(|h| h.to_string())
                .unwrap_or_default(),
            target_kind: rule.target.kind().to_owned(),
            version: version.to_string(),
            ..RuleForm::default()
        };
        match rule.target {
            Target::Partner { partner_id } => form.target_partner = partner_id.to_string(),
            Target::User { user_id } => form.target_user = user_id.to_string(),
            other => form.target_queue = other.queue().map(|q| q.to_string()).unwrap_or_default(),
        }
        let mut seen = [false; 5];
        for c in &rule.conditions {
            let slot = slot(c);
            if std::mem::replace(&mut seen[slot], true) {
                continue;
            }
            match c {
                Condition::Source { sources } => {
                    form.sources = sources.iter().map(|s| s.as_str().to_owned()).collect();
                }
                Condition::Country { countries } => form.countries = countries.join(", "),
                Condition::PostalCode { from, to } => {
                    form.postal_from = from.clone();
                    form.postal_to = to.clone();
                }
                Condition::ProductInterest { contains } => form.product = contains.clone(),
                Condition::Field { field, op, value } => {
                    form.field_name = field.clone();
                    form.field_op = op.as_str().to_owned();
                    form.field_value = value.clone();
                }
            }
        }
        form
    }

    /// The conditions the form describes, each with the form field its
    /// errors belong to, in the order of `slot`.
    fn conditions(&self, errors: &mut FieldErrors) -> Vec<(usize, Condition, &'static str)> {
        let mut out = Vec::new();
        if !self.sources.is_empty() {
            let sources = self
                .sources
                .iter()
                .filter_map(|s| LeadSource::parse(s))
                .collect();
            out.push((0, Condition::Source { sources }, "sources"));
        }
        let countries: Vec<String> = self
            .countries
            .split([',', ' ', ';'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        if !countries.is_empty() {
            out.push((1, Condition::Country { countries }, "countries"));
        }
        if !self.postal_from.trim().is_empty() || !self.postal_to.trim().is_empty() {
            out.push((
                2,
                Condition::PostalCode {
                    from: self.postal_from.clone(),
                    to: self.postal_to.clone(),
                },
                "postal",
            ));
        }
        if !self.product.trim().is_empty() {
            out.push((
                3,
                Condition::ProductInterest {
                    contains: self.product.clone(),
                },
                "product",
            ));
        }
        if !self.field_name.trim().is_empty() {
            let op = FieldOp::parse(&self.field_op).unwrap_or_else(|| {
                errors.add("field_op", "error-out-of-range");
                FieldOp::Equals
            });
            out.push((
                4,
                Condition::Field {
                    field: self.field_name.clone(),
                    op,
                    value: self.field_value.clone(),
                },
                "field",
            ));
        }
        out
    }

    fn target(&self, errors: &mut FieldErrors) -> Option<Target> {
        fn id<T: std::str::FromStr>(
            raw: &str,
            field: &str,
            key: &str,
            errors: &mut FieldErrors,
        ) -> Option<T> {
            let parsed = raw.trim().parse::<T>().ok();
            if parsed.is_none() {
                errors.add(
                    field,
                    if raw.trim().is_empty() {
                        "error-required"
                    } else {
                        key
                    },
                );
            }
            parsed
        }
        let queue = |errors: &mut FieldErrors| {
            id::<QueueId>(
                &self.target_queue,
                "target_queue",
                "error-queue-unknown",
                errors,
            )
        };
        match self.target_kind.as_str() {
            "partner" => id::<PartnerId>(
                &self.target_partner,
                "target_partner",
                "error-partner-unknown",
                errors,
            )
            .map(|partner_id| Target::Partner { partner_id }),
            "user" => id::<UserId>(
                &self.target_user,
                "target_user",
                "error-user-unknown",
                errors,
            )
            .map(|user_id| Target::User { user_id }),
            "queue" => queue(errors).map(|queue_id| Target::Queue { queue_id }),
            "round_robin" => queue(errors).map(|queue_id| Target::RoundRobin { queue_id }),
            "tier_weighted" => queue(errors).map(|queue_id| Target::TierWeighted { queue_id }),
            "capacity" => queue(errors).map(|queue_id| Target::Capacity { queue_id }),
            _ => {
                errors.add("target_kind", "error-target-required");
                None
            }
        }
    }

    /// The form field that shows a target's errors.
    fn target_field(&self) -> &'static str {
        match self.target_kind.as_str() {
            "partner" => "target_partner",
            "user" => "target_user",
            _ => "target_queue",
        }
    }
}

/// Which of the form's five condition inputs a condition belongs to.
fn slot(c: &Condition) -> usize {
    match c {
        Condition::Source { .. } => 0,
        Condition::Country { .. } => 1,
        Condition::PostalCode { .. } => 2,
        Condition::ProductInterest { .. } => 3,
        Condition::Field { .. } => 4,
    }
}

/// The rule the form describes, built on `base` (the rule being edited):
/// the form's conditions replace the first of each kind, the rest are kept.
/// Returns the rule and the form field of each condition's errors.
fn build(
    form: &RuleForm,
    base: Option<&AssignmentRule>,
    errors: &mut FieldErrors,
) -> Option<(AssignmentRule, Vec<&'static str>)> {
    let typed = form.conditions(errors);
    let mut conditions = Vec::new();
    let mut fields = Vec::new();
    let mut seen = [false; 5];
    for c in base.map(|b| b.conditions.as_slice()).unwrap_or_default() {
        let s = slot(c);
        if std::mem::replace(&mut seen[s], true) {
            conditions.push(c.clone());
            fields.push("form");
        }
    }
    for (_, c, field) in typed {
        conditions.push(c);
        fields.push(field);
    }
    let response_hours = match form.response_hours.trim() {
        "" => None,
        raw => match raw.parse::<u32>() {
            Ok(h) => Some(h),
            Err(_) => {
                errors.add("response_hours", "error-out-of-range");
                None
            }
        },
    };
    // Without a usable target the rest is still checked, so every problem
    // shows at once; the errors already keep the rule from being saved.
    let target = form.target(errors).unwrap_or(Target::Queue {
        queue_id: QueueId(uuid::Uuid::nil()),
    });
    Some((
        AssignmentRule {
            id: base.map_or_else(AssignmentRuleId::new, |b| b.id),
            name: form.name.clone(),
            conditions,
            target,
            response_hours,
        },
        fields,
    ))
}

/// Errors of rule `index` of the set, under the form's field names.
fn errors_for(
    index: usize,
    fields: &[&'static str],
    target_field: &str,
    errors: FieldErrors,
) -> FieldErrors {
    let prefix = format!("rules[{index}].");
    let mut mapped = FieldErrors::new();
    for (field, key) in errors.0 {
        let Some(rest) = field.strip_prefix(&prefix) else {
            mapped.add("form", &key);
            continue;
        };
        let name = if let Some(rest) = rest.strip_prefix("conditions[") {
            rest.split_once(']')
                .and_then(|(j, _)| j.parse::<usize>().ok())
                .and_then(|j| fields.get(j).copied())
                .unwrap_or("form")
        } else if rest == "target" {
            target_field
        } else {
            rest
        };
        mapped.add(name, &key);
    }
    mapped
}

#[derive(Template)]
#[template(path = "admin_assignment_rule.html")]
pub struct RulePage {
    pub chrome: Chrome,
    pub heading: String,
    pub action: String,
    pub form: RuleForm,
    pub errors: Errors,
    pub sources: Vec<(String, String)>,
    pub fields: Vec<(String, String)>,
    pub ops: Vec<(String, String)>,
    pub kinds: Vec<(String, String)>,
    pub partners: Vec<(String, String)>,
    pub users: Vec<(String, String)>,
    pub queues: Vec<(String, String)>,
}

impl RulePage {
    pub fn error(&self, field: &str) -> Option<&String> {
        self.errors.get(field)
    }

    pub fn source_ticked(&self, key: &str) -> bool {
        self.form.sources.iter().any(|s| s == key)
    }
}

/// Choices for a picker: (id as the form sends it, name).
fn options<T: ToString>(list: &[(T, String)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect()
}

async fn form_page(
    state: &AppState,
    caller: &Caller,
    csrf: &CsrfToken,
    editing: Option<&AssignmentRule>,
    form: RuleForm,
    errors: Errors,
    status: StatusCode,
) -> Result<Response, AppError> {
    let title = if editing.is_some() {
        "assignment-edit"
    } else {
        "assignment-new-title"
    };
    let chrome = Chrome::build(state, caller, csrf, "admin", title).await?;
    let t = chrome.t;
    let names = Names::load(state, caller).await?;

    let page = RulePage {
        heading: match editing {
            Some(rule) => t.with("assignment-edit-title", [("name", rule.name.as_str())]),
            None => t.get("assignment-new-title"),
        },
        action: match editing {
            Some(rule) => format!("/admin/assignment-rules/{}/edit", rule.id),
            None => "/admin/assignment-rules".to_owned(),
        },
        sources: LeadSource::ALL
            .iter()
            .map(|s| {
                (
                    s.as_str().to_owned(),
                    t.get(&format!("lead-source-{}", s.as_str())),
                )
            })
            .collect(),
        fields: conditions::field_names()
            .iter()
            .map(|f| ((*f).to_owned(), t.get(&format!("lead-field-{f}"))))
            .collect(),
        ops: FieldOp::ALL
            .iter()
            .map(|o| {
                (
                    o.as_str().to_owned(),
                    t.get(&format!("assignment-op-{}", o.as_str())),
                )
            })
            .collect(),
        kinds: Target::KINDS
            .iter()
            .map(|k| ((*k).to_owned(), t.get(&format!("assignment-target-{k}"))))
            .collect(),
        partners: options(&names.partners),
        users: options(&names.users),
        queues: options(&names.queues),
        form,
        errors,
        chrome,
    };
    let mut response = render(&page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /admin/assignment-rules/new`
pub async fn new(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let config = state.store.assignment_rules(&caller.viewer()).await?;
        let form = RuleForm {
            target_kind: "queue".to_owned(),
            field_op: "equals".to_owned(),
            version: config.version.to_string(),
            ..RuleForm::default()
        };
        form_page(
            &state,
            &caller,
            &csrf,
            None,
            form,
            Errors::new(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    respond(t, result)
}

/// `GET /admin/assignment-rules/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AssignmentRuleId>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let config = state.store.assignment_rules(&caller.viewer()).await?;
        let rule = config
            .rules
            .iter()
            .find(|r| r.id == id)
            .ok_or(DomainError::NotFound)?;
        let form = RuleForm::from_rule(rule, config.version);
        form_page(
            &state,
            &caller,
            &csrf,
            Some(rule),
            form,
            Errors::new(),
            StatusCode::OK,
        )
        .await
    }
    .await;
    respond(t, result)
}

/// Adds (`id` None) or replaces rule `id` from the form, and saves the set.
async fn submit(
    state: AppState,
    caller: Caller,
    csrf: CsrfToken,
    id: Option<AssignmentRuleId>,
    pairs: Vec<(String, String)>,
) -> Response {
    let t = Tr::new(caller.user.locale);
    let result = async {
        admin_only(&caller)?;
        let mut config = state.store.assignment_rules(&caller.viewer()).await?;
        let editing = match id {
            Some(id) => Some(
                config
                    .rules
                    .iter()
                    .find(|r| r.id == id)
                    .cloned()
                    .ok_or(DomainError::NotFound)?,
            ),
            None => None,
        };
        let form = RuleForm::from_pairs(&pairs);
        let mut errors = FieldErrors::new();
        let built = build(&form, editing.as_ref(), &mut errors);
        let target_field = form.target_field();
        if let Some((rule, fields)) = &built
            && let Err(DomainError::Validation(more)) = validate(std::slice::from_ref(rule))
        {
            for (field, key) in errors_for(0, fields, target_field, more).0 {
                errors.add(&field, &key);
            }
        }
        if let (Some((rule, fields)), true) = (built, errors.is_empty()) {
            let index = match editing
                .as_ref()
                .and_then(|e| config.rules.iter().position(|r| r.id == e.id))
            {
                Some(i) => {
                    config.rules[i] = rule;
                    i
                }
                None => {
                    config.rules.push(rule);
                    config.rules.len() - 1
                }
            };
            config.version = form.version.trim().parse().unwrap_or(-1);
            match state
                .store
                .save_assignment_rules(Some(&caller.viewer()), config)
                .await
            {
                Ok(_) => return Ok(Redirect::to("/admin/assignment-rules").into_response()),
                Err(e) => match field_errors(e.into()) {
                    Ok(refused) => errors = errors_for(index, &fields, target_field, refused),
                    Err(AppError::Domain(DomainError::VersionConflict)) => {
                        // Someone saved meanwhile: the form comes back with the
                        // input kept and the version now, so saving again is a
                        // deliberate choice.
                        let now = state.store.assignment_rules(&caller.viewer()).await?;
                        let form = RuleForm {
                            version: now.version.to_string(),
                            ..form
                        };
                        let errors =
                            translate(t, FieldErrors::single("form", "assignment-conflict"));
                        return form_page(
                            &state,
                            &caller,
                            &csrf,
                            editing.as_ref(),
                            form,
                            errors,
                            StatusCode::CONFLICT,
                        )
                        .await;
                    }
                    Err(other) => return Err(other),
                },
            }
        }
        let errors = translate(t, errors);
        form_page(
            &state,
            &caller,
            &csrf,
            editing.as_ref(),
            form,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    }
    .await;
    respond(t, result)
}

/// `POST /admin/assignment-rules`: adds a rule at the end.
pub async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    submit(state, caller, csrf, None, pairs).await
}

/// `POST /admin/assignment-rules/{id}/edit`: saves the rule in its place.
pub async fn update(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    PageCaller(caller): PageCaller,
    PageId(id): PageId<AssignmentRuleId>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    submit(state, caller, csrf, Some(id), pairs).await
}
