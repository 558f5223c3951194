//! Editing a draft version of the plan in forms (admins and plan editors only):
//! `/plan-versions/{id}/edit`, the editor's home (the draft's problems, then every part
//! by kind), `/plan-versions/{id}/edit/{kind}/{item}` an item's form (with a commitment's
//! delivery links, an organisation's rename and merge), `/plan-versions/{id}/add/{kind}`
//! a new item, and the removal of one. Each save runs the validation of `assure check`
//! and the form shows the draft's problems on their fields.

use std::collections::BTreeMap;

use assure_app::{
    AppError, Edited, Field, FormValues, Input, LinkFields, Need, PlanEdit, PlanItemKind, PlanProblem, Records,
    edit_fields, form_values, plan_problems,
};
use assure_plan::Plan;
use assure_store::Draft;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::access::{self, Signed, SignedForm};
use crate::components::{crumb, csrf_field, page, success_banner};
use crate::{AppState, WebError};

/// A field's problems as the page shows them: the field's path (or a sub-form's field
/// name) and the message.
type Problems = Vec<(String, String)>;

/// The element a field's problem links to: `field-target-value`.
fn field_id(path: &str) -> String {
    format!("field-{}", path.replace('.', "-"))
}

fn kind_of(slug: &str) -> Result<PlanItemKind, WebError> {
    PlanItemKind::parse(slug).ok_or_else(|| WebError::NotFound(format!("There is no kind of plan item '{slug}'.")))
}

fn editor_href(id: &str) -> String {
    format!("/plan-versions/{id}/edit")
}

fn item_href(id: &str, kind: PlanItemKind, item: &str) -> String {
    format!("/plan-versions/{id}/edit/{}/{item}", kind.slug())
}

fn crumbs(draft: &Draft) -> Vec<(String, String)> {
    vec![
        crumb("Plan versions", "/plan-versions"),
        crumb(draft.plan.meta.title.clone(), format!("/plan-versions/{}", draft.id)),
    ]
}

/// The draft for the person asking, if they may edit it (403 if not; sign in if anonymous).
async fn editable(state: &AppState, request: Request, id: String) -> Result<(Signed, Draft), WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    drop(request);
    let account = s.account.clone();
    let draft = state.blocking(move |st| Ok(st.app().draft_for_editing(&account, &id)?)).await?;
    Ok((s, draft))
}

async fn editable_by(state: &AppState, signed: &Signed, id: String) -> Result<Draft, WebError> {
    let account = signed.account.clone();
    state.blocking(move |st| Ok(st.app().draft_for_editing(&account, &id)?)).await
}

/// What an item is called in lists and headings.
fn item_name(plan: &Plan, kind: PlanItemKind, item: &str) -> String {
    let found = match kind {
        PlanItemKind::Outcome => plan
            .outcomes
            .iter()
            .find(|o| o.number.get_ref().to_string() == item)
            .map(|o| format!("Outcome {item}: {}", o.title)),
        PlanItemKind::Priority => {
            plan.priorities.iter().find(|x| x.id.get_ref() == item).map(|x| format!("{item} {}", x.title))
        }
        PlanItemKind::Commitment => plan.commitments.iter().find(|x| x.id.get_ref() == item).map(|x| x.title.clone()),
        PlanItemKind::DeliveringPlan => {
            plan.delivering_plans.iter().find(|x| x.id.get_ref() == item).map(|x| x.name.clone())
        }
        PlanItemKind::Organisation => {
            plan.organisations.iter().find(|x| x.id.get_ref() == item).map(|x| x.name.clone())
        }
        PlanItemKind::Indicator => plan.indicators.iter().find(|x| x.id.get_ref() == item).map(|x| x.measure.clone()),
        PlanItemKind::IndicatorPart => {
            plan.indicators.iter().flat_map(|i| &i.parts).find(|x| x.id.get_ref() == item).map(|x| x.measure.clone())
        }
        PlanItemKind::DeliveryExample => {
            plan.delivery_examples.iter().find(|x| x.id.get_ref() == item).map(|x| x.title.clone())
        }
        PlanItemKind::Milestone => plan
            .delivery_examples
            .iter()
            .flat_map(|e| &e.milestones)
            .find(|x| x.id.get_ref() == item)
            .map(|x| x.title.clone()),
        PlanItemKind::Enabler => plan.enablers.iter().find(|x| x.id.get_ref() == item).map(|x| x.title.clone()),
        PlanItemKind::Place => plan.places.iter().find(|x| x.id.get_ref() == item).map(|x| x.name.clone()),
        PlanItemKind::PlacePriority => item.rsplit_once('.').and_then(|(place, n)| {
            let p = plan.places.iter().find(|x| x.id.get_ref() == place)?;
            let pr = p.priorities.get(n.parse::<usize>().ok()?.checked_sub(1)?)?;
            Some(format!("{}: {}", p.name, pr.title))
        }),
        PlanItemKind::EnablerCommitment => item.rsplit_once('.').and_then(|(enabler, n)| {
            let e = plan.enablers.iter().find(|x| x.id.get_ref() == enabler)?;
            let c = e.commitments.get(n.parse::<usize>().ok()?.checked_sub(1)?)?;
            Some(c.title.clone())
        }),
        PlanItemKind::Area => plan.areas.iter().find(|x| x.id.get_ref() == item).map(|x| x.name.clone()),
    };
    found.unwrap_or_else(|| item.to_owned())
}

/// The draft's problems as a list, each linking to its field on its item's form.
fn problem_list(draft_id: &str, plan: &Plan, problems: &[PlanProblem]) -> Markup {
    html! {
        div class="nhsuk-error-summary" aria-labelledby="problems-title" id="problems" tabindex="-1" {
            h2 class="nhsuk-error-summary__title" id="problems-title" {
                @if problems.len() == 1 { "The draft has 1 problem" } @else { "The draft has " (problems.len()) " problems" }
            }
            div class="nhsuk-error-summary__body" {
                p { "It can be saved with problems, but it cannot be published until they are put right." }
                ul class="nhsuk-list nhsuk-error-summary__list" {
                    @for p in problems {
                        li {
                            @if let Some(at) = &p.at {
                                a href={ (item_href(draft_id, at.kind, &at.id)) "#" (field_id(&at.field)) } {
                                    (item_name(plan, at.kind, &at.id)) ": " (p.diagnostic.message)
                                }
                            } @else {
                                (p.diagnostic.to_string())
                            }
                        }
                    }
                }
            }
        }
    }
}

fn link(href: String, text: impl maud::Render) -> Markup {
    html! { a href=(href) { (text) } }
}

/// The editor's home: the draft's problems, then every part of the plan by kind.
pub async fn show_editor(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<Done>,
    request: Request,
) -> Result<Markup, WebError> {
    let (_, draft) = editable(&state, request, id).await?;
    let plan = draft.plan.clone();
    let problems = state.blocking(move |_| Ok(plan_problems(&plan))).await?;
    let (d, p) = (&draft.id, &draft.plan);
    let edit = |kind: PlanItemKind, item: &str, text: String| link(item_href(d, kind, item), text);
    let add = |kind: PlanItemKind, parent: Option<&str>, text: &str| {
        let href = match parent {
            Some(parent) => format!("/plan-versions/{d}/add/{}?parent={parent}", kind.slug()),
            None => format!("/plan-versions/{d}/add/{}", kind.slug()),
        };
        html! { p { a href=(href) { (text) } } }
    };
    Ok(page(
        &format!("Edit {}", p.meta.title),
        &crumbs(&draft),
        html! {
            @if let Some(message) = q.message() { (success_banner(&message)) }
            span class="nhsuk-caption-l" { "Draft " (d) }
            h1 { "Edit the draft" }
            p class="nhsuk-lede-text" { (p.meta.title) }
            p {
                (link(format!("/plan-versions/{d}"), "See the whole draft")) " · "
                (link("/plan-versions".into(), "Every version of the plan"))
            }
            @if problems.is_empty() {
                div class="nhsuk-inset-text" { p { "The draft has no problems: it checks as " code { "assure check" } " does and can be published." } }
            } @else {
                (problem_list(d, p, &problems))
            }
            nav aria-label="Parts of the plan" {
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for (anchor, label) in [("outcomes", "Outcomes, priorities and commitments"), ("delivering-plans", "Delivering plans"), ("organisations", "Organisations"), ("indicators", "Indicators"), ("delivery-examples", "Delivery examples and milestones"), ("enablers", "Enablers"), ("places", "Places and their priorities"), ("areas", "Areas")] {
                        li { a href={ "#" (anchor) } { (label) } }
                    }
                }
            }
            h2 id="outcomes" { "Outcomes, priorities and commitments" }
            @for o in &p.outcomes {
                @let n = *o.number.get_ref();
                h3 { (edit(PlanItemKind::Outcome, &n.to_string(), format!("Outcome {n}: {}", o.title))) }
                @let priorities: Vec<_> = p.priorities.iter().filter(|x| *x.outcome.get_ref() == n).collect();
                @let commitments: Vec<_> = p.commitments.iter().filter(|c| *c.outcome.get_ref() == n).collect();
                h4 class="nhsuk-heading-xs" { "Priorities" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for x in &priorities { li { (edit(PlanItemKind::Priority, x.id.get_ref(), format!("{} {}", x.id.get_ref(), x.title))) } }
                }
                h4 class="nhsuk-heading-xs" { "Commitments" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for c in &commitments {
                        li {
                            (edit(PlanItemKind::Commitment, c.id.get_ref(), c.title.clone()))
                            " (priorities " (c.priorities.iter().map(|x| x.get_ref().as_str()).collect::<Vec<_>>().join(", ")) "; "
                            (c.links.len()) @if c.links.len() == 1 { " delivery link)" } @else { " delivery links)" }
                        }
                    }
                }
            }
            (add(PlanItemKind::Outcome, None, "Add an outcome"))
            (add(PlanItemKind::Priority, None, "Add a priority"))
            (add(PlanItemKind::Commitment, None, "Add a commitment"))
            h2 id="delivering-plans" { "Delivering plans" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.delivering_plans { li { (edit(PlanItemKind::DeliveringPlan, x.id.get_ref(), x.name.clone())) " (" (x.status.get_ref().label()) ")" } }
            }
            (add(PlanItemKind::DeliveringPlan, None, "Add a delivering plan"))
            h2 id="organisations" { "Organisations" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.organisations {
                    li {
                        (edit(PlanItemKind::Organisation, x.id.get_ref(), x.name.clone()))
                        @if let Some(parent) = &x.parent { " (part of " (p.organisation_name(parent.get_ref())) ")" }
                    }
                }
            }
            (add(PlanItemKind::Organisation, None, "Add an organisation"))
            h2 id="indicators" { "Indicators" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.indicators {
                    li {
                        (edit(PlanItemKind::Indicator, x.id.get_ref(), x.measure.clone()))
                        @if !x.parts.is_empty() {
                            ul class="nhsuk-list nhsuk-list--bullet" {
                                @for part in &x.parts { li { (edit(PlanItemKind::IndicatorPart, part.id.get_ref(), part.measure.clone())) } }
                            }
                        }
                    }
                }
            }
            (add(PlanItemKind::Indicator, None, "Add an indicator"))
            h2 id="delivery-examples" { "Delivery examples and milestones" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.delivery_examples {
                    li {
                        (edit(PlanItemKind::DeliveryExample, x.id.get_ref(), x.title.clone()))
                        ul class="nhsuk-list nhsuk-list--bullet" {
                            @for m in &x.milestones { li { (edit(PlanItemKind::Milestone, m.id.get_ref(), format!("{} ({})", m.title, m.due.get_ref()))) } }
                        }
                    }
                }
            }
            (add(PlanItemKind::DeliveryExample, None, "Add a delivery example"))
            h2 id="enablers" { "Enablers" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.enablers {
                    li {
                        (edit(PlanItemKind::Enabler, x.id.get_ref(), x.title.clone()))
                        " (" (x.commitments.len()) @if x.commitments.len() == 1 { " commitment)" } @else { " commitments)" }
                    }
                }
            }
            (add(PlanItemKind::Enabler, None, "Add an enabler"))
            h2 id="places" { "Places and their priorities" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.places {
                    li {
                        (edit(PlanItemKind::Place, x.id.get_ref(), x.name.clone()))
                        " (" (x.priorities.len()) @if x.priorities.len() == 1 { " priority)" } @else { " priorities)" }
                    }
                }
            }
            (add(PlanItemKind::Place, None, "Add a place"))
            h2 id="areas" { "Areas" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for x in &p.areas { li { (edit(PlanItemKind::Area, x.id.get_ref(), x.name.clone())) " (" (x.kind.label()) ")" } }
            }
            (add(PlanItemKind::Area, None, "Add an area"))
        },
    ))
}

/// What was just done, for the success banner after a redirect.
#[derive(Debug, Default, Deserialize)]
pub struct Done {
    done: Option<String>,
}

impl Done {
    fn message(&self) -> Option<String> {
        let m = match self.done.as_deref()? {
            "edit" => "Your changes are saved in the draft.",
            "add" => "Added to the draft.",
            "remove" => "Removed from the draft.",
            "link-add" => "The delivery link is added.",
            "link-remove" => "The delivery link is removed.",
            "link-change" => "The delivery link is changed.",
            "link-move" => "The delivery link is moved to this commitment.",
            "rename" => "The organisation is renamed; its old name is kept as an alias.",
            "merge" => "The organisations are merged into this one; every reference to the other now points here.",
            _ => return None,
        };
        Some(m.to_owned())
    }
}

/// One field of an item's form: label, hint, its problems, the control.
fn field_control(plan: &Plan, f: &Field, value: &str, problems: &Problems) -> Markup {
    let id = field_id(f.path);
    let mine: Vec<&str> = problems.iter().filter(|(p, _)| p == f.path).map(|(_, m)| m.as_str()).collect();
    let error = !mine.is_empty();
    let hint = match (f.hint, f.need) {
        (Some(h), Need::Optional) => Some(format!("Optional. {h}")),
        (None, Need::Optional) => Some("Optional.".to_owned()),
        (h, _) => h.map(str::to_owned),
    };
    let described: Vec<String> = [hint.as_ref().map(|_| format!("{id}-hint")), error.then(|| format!("{id}-error"))]
        .into_iter()
        .flatten()
        .collect();
    let described = (!described.is_empty()).then(|| described.join(" "));
    let options = |pairs: Vec<(String, String)>| {
        let mut all = Vec::new();
        if f.need != Need::Required || value.is_empty() {
            all.push((String::new(), "Not set".to_owned()));
        }
        all.extend(pairs);
        all
    };
    let control = match f.input {
        Input::Textarea | Input::Lines | Input::Records(_) => {
            // A list shows all its lines (up to a screenful) and room for one more; rows of
            // cells stay one line each (scrolling sideways) so that each record is one line.
            let cells = matches!(f.input, Input::Records(Records::Members | Records::EnablerRows));
            let rows = match f.input {
                Input::Records(_) if cells => value.lines().count() + 2,
                Input::Records(_) => value.lines().map(|l| l.chars().count() / 60 + 1).sum::<usize>() + 2,
                _ => 4,
            }
            .clamp(4, 30);
            html! {
                textarea class={ "nhsuk-textarea" @if error { " nhsuk-textarea--error" } } id=(id) name=(f.path) rows=(rows)
                    wrap=[cells.then_some("off")] spellcheck=[cells.then_some("false")] aria-describedby=[described.clone()] { (value) }
            }
        }
        Input::Choice(values) => {
            let opts = options(values.iter().map(|v| ((*v).to_owned(), v.replace('_', " "))).collect());
            select(&id, f.path, &opts, value, error, described.clone())
        }
        Input::Organisation => {
            let opts = options(plan.organisations.iter().map(|o| (o.id.get_ref().clone(), o.name.clone())).collect());
            select(&id, f.path, &opts, value, error, described.clone())
        }
        Input::Area => {
            let opts = options(plan.areas.iter().map(|a| (a.id.get_ref().clone(), a.name.clone())).collect());
            select(&id, f.path, &opts, value, error, described.clone())
        }
        Input::Text | Input::Number | Input::Integer | Input::List | Input::Integers => {
            let numeric = matches!(f.input, Input::Number | Input::Integer);
            html! {
                input class={ "nhsuk-input" @if numeric { " nhsuk-input--width-10" } @if error { " nhsuk-input--error" } } id=(id) name=(f.path) type="text"
                    inputmode=[numeric.then_some(if f.input == Input::Integer { "numeric" } else { "decimal" })]
                    spellcheck=[numeric.then_some("false")] autocomplete="off" value=(value) aria-describedby=[described.clone()];
            }
        }
    };
    html! {
        div class={ "nhsuk-form-group" @if error { " nhsuk-form-group--error" } } {
            label class="nhsuk-label" for=(id) { (f.label) }
            @if let Some(h) = &hint { div class="nhsuk-hint" id={ (id) "-hint" } { (h) } }
            @if error {
                span class="nhsuk-error-message" id={ (id) "-error" } {
                    @for (i, m) in mine.iter().enumerate() { @if i > 0 { br; } span class="nhsuk-u-visually-hidden" { "Error: " } (m) }
                }
            }
            (control)
        }
    }
}

/// The fields of a form, those of a baseline, a target and a measurement under headings of their own.
fn grouped_fields(plan: &Plan, fields: &[Field], values: &FormValues, problems: &Problems) -> Markup {
    let group = |path: &str| path.split_once('.').map(|(g, _)| g.to_owned());
    html! {
        @for (i, f) in fields.iter().enumerate() {
            @let g = group(f.path);
            @if g.is_some() && (i == 0 || group(fields[i - 1].path) != g) {
                h2 class="nhsuk-heading-m" {
                    @match g.as_deref() {
                        Some("baseline") => "Baseline",
                        Some("target") => "Target",
                        _ => "How it is measured",
                    }
                }
            }
            (field_control(plan, f, values.get(f.path).map_or("", String::as_str), problems))
        }
    }
}

fn select(
    id: &str,
    name: &str,
    options: &[(String, String)],
    chosen: &str,
    error: bool,
    described: Option<String>,
) -> Markup {
    html! {
        select class={ "nhsuk-select" @if error { " nhsuk-select--error" } } id=(id) name=(name) aria-describedby=[described] {
            @for (value, text) in options { option value=(value) selected[value == chosen] { (text) } }
        }
    }
}

/// A small form of its own (a sub-form field): label, its problems, an input.
fn sub_input(name: &str, label: &str, hint: Option<&str>, value: &str, problems: &Problems) -> Markup {
    let id = field_id(name);
    let mine: Vec<&str> = problems.iter().filter(|(p, _)| p == name).map(|(_, m)| m.as_str()).collect();
    let described: Vec<String> =
        [hint.map(|_| format!("{id}-hint")), (!mine.is_empty()).then(|| format!("{id}-error"))]
            .into_iter()
            .flatten()
            .collect();
    html! {
        div class={ "nhsuk-form-group" @if !mine.is_empty() { " nhsuk-form-group--error" } } {
            label class="nhsuk-label" for=(id) { (label) }
            @if let Some(h) = hint { div class="nhsuk-hint" id={ (id) "-hint" } { (h) } }
            @if !mine.is_empty() {
                span class="nhsuk-error-message" id={ (id) "-error" } { @for m in &mine { span class="nhsuk-u-visually-hidden" { "Error: " } (m) } }
            }
            input class={ "nhsuk-input" @if !mine.is_empty() { " nhsuk-input--error" } } id=(id) name=(name) type="text" autocomplete="off" value=(value)
                aria-describedby=[(!described.is_empty()).then(|| described.join(" "))];
        }
    }
}

/// The error summary of a form, taking focus when the page loads.
fn summary(problems: &Problems, title: &str) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="nhsuk-error-summary" data-module="nhsuk-error-summary" aria-labelledby="error-summary-title" role="alert" tabindex="-1" autofocus {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { (title) }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for (field, message) in problems { li { a href={ "#" (field_id(field)) } { (message) } } }
                    }
                }
            }
        }
    }
}

/// What an item's page shows beside its fields.
struct ItemPage<'a> {
    draft: &'a Draft,
    kind: PlanItemKind,
    item: &'a str,
    values: &'a FormValues,
    /// Problems of the form just posted (nothing was saved).
    refused: Problems,
    /// Values posted to a sub-form (a link, a rename, a merge), to show again.
    posted: BTreeMap<String, String>,
    done: Option<String>,
}

/// The draft's problems on this item, as field problems.
fn item_problems(problems: &[PlanProblem], kind: PlanItemKind, item: &str) -> Problems {
    problems
        .iter()
        .filter_map(|p| {
            p.at.as_ref()
                .filter(|at| at.kind == kind && at.id == item)
                .map(|at| (at.field.clone(), p.diagnostic.message.clone()))
        })
        .collect()
}

fn item_page(v: &ItemPage<'_>, problems: &[PlanProblem]) -> Markup {
    let (d, plan, kind, item) = (&v.draft.id, &v.draft.plan, v.kind, v.item);
    let href = item_href(d, kind, item);
    let fields: Vec<Field> = edit_fields(kind).into_iter().filter(|f| kind_id_key(kind) != Some(f.path)).collect();
    let mine = item_problems(problems, kind, item);
    // Problems on fields the form does not have are listed under the heading.
    let shown: Vec<&str> = fields.iter().map(|f| f.path).chain(["links"]).collect();
    let elsewhere: Vec<&(String, String)> = mine.iter().filter(|(f, _)| !shown.contains(&f.as_str())).collect();
    let name = item_name(plan, kind, item);
    let signed = access::current();
    html! {
        div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
        @if let Some(m) = &v.done { (success_banner(m)) }
        (summary(&v.refused, "There is a problem"))
        @if v.refused.is_empty() { (summary_static(&mine)) }
        span class="nhsuk-caption-l" { "Edit " (kind.label()) }
        h1 { (name) }
        p { (link(editor_href(d), "Back to the editor")) }
        @for (i, (f, m)) in elsewhere.iter().enumerate() {
            @let first = elsewhere.iter().position(|(g, _)| g == f) == Some(i);
            div class="nhsuk-inset-text" id=[first.then(|| field_id(f))] { p { strong { "Problem: " } (m) } }
        }
        @if let Some(s) = &signed {
            form method="post" action=(href) novalidate id="field-form" {
                (csrf_field(s))
                @let problems_here: Problems = if v.refused.is_empty() { mine.clone() } else { v.refused.clone() };
                (grouped_fields(plan, &fields, v.values, &problems_here))
                button class="nhsuk-button" type="submit" { "Save " (kind.label()) }
            }
            @match kind {
                PlanItemKind::Commitment => (links_section(v, s, &mine)),
                PlanItemKind::Organisation => (organisation_section(v, s)),
                PlanItemKind::Indicator => (children(d, plan.indicators.iter().find(|i| i.id.get_ref() == item).map(|i| i.parts.iter().map(|p| (p.id.get_ref().clone(), p.measure.clone())).collect()).unwrap_or_default(), PlanItemKind::IndicatorPart, item, "Parts", "Add a part")),
                PlanItemKind::DeliveryExample => (children(d, plan.delivery_examples.iter().find(|e| e.id.get_ref() == item).map(|e| e.milestones.iter().map(|m| (m.id.get_ref().clone(), m.title.clone())).collect()).unwrap_or_default(), PlanItemKind::Milestone, item, "Milestones", "Add a milestone")),
                PlanItemKind::Enabler => (children(d, plan.enablers.iter().find(|e| e.id.get_ref() == item).map(|e| e.commitments.iter().enumerate().map(|(i, c)| (format!("{item}.{}", i + 1), c.title.clone())).collect()).unwrap_or_default(), PlanItemKind::EnablerCommitment, item, "What we have committed to", "Add a commitment")),
                PlanItemKind::Place => (children(d, plan.places.iter().find(|p| p.id.get_ref() == item).map(|p| p.priorities.iter().enumerate().map(|(i, pr)| (format!("{item}.{}", i + 1), pr.title.clone())).collect()).unwrap_or_default(), PlanItemKind::PlacePriority, item, "Priorities", "Add a priority")),
                _ => {}
            }
            h2 { "Remove" }
            p { a href={ (href) "/remove" } { "Remove this " (kind.label()) " from the draft" } }
        }
        } }
    }
}

fn kind_id_key(kind: PlanItemKind) -> Option<&'static str> {
    match kind {
        PlanItemKind::Outcome => Some("number"),
        PlanItemKind::PlacePriority | PlanItemKind::EnablerCommitment => None,
        _ => Some("id"),
    }
}

/// The draft's problems on this item, at the top of its form (linking to each field).
fn summary_static(problems: &Problems) -> Markup {
    html! {
        @if !problems.is_empty() {
            div class="nhsuk-error-summary" aria-labelledby="error-summary-title" tabindex="-1" {
                h2 class="nhsuk-error-summary__title" id="error-summary-title" { "This needs putting right before the draft can be published" }
                div class="nhsuk-error-summary__body" {
                    ul class="nhsuk-list nhsuk-error-summary__list" {
                        @for (field, message) in problems { li { a href={ "#" (field_id(field)) } { (message) } } }
                    }
                }
            }
        }
    }
}

fn children(
    d: &str,
    items: Vec<(String, String)>,
    kind: PlanItemKind,
    parent: &str,
    heading: &str,
    add: &str,
) -> Markup {
    html! {
        h2 { (heading) }
        @if items.is_empty() { p { "None yet." } }
        ul class="nhsuk-list nhsuk-list--bullet" {
            @for (id, name) in &items { li { (link(item_href(d, kind, id), name)) } }
        }
        p { a href={ "/plan-versions/" (d) "/add/" (kind.slug()) "?parent=" (parent) } { (add) } }
    }
}

fn links_section(v: &ItemPage<'_>, s: &Signed, mine: &Problems) -> Markup {
    let (d, plan, item) = (&v.draft.id, &v.draft.plan, v.item);
    let Some(c) = plan.commitments.iter().find(|c| c.id.get_ref() == item) else { return html! {} };
    let href = item_href(d, PlanItemKind::Commitment, item);
    let others: Vec<(String, String)> = std::iter::once((String::new(), "Choose a commitment".to_owned()))
        .chain(
            plan.commitments
                .iter()
                .filter(|o| o.id.get_ref() != item)
                .map(|o| (o.id.get_ref().clone(), format!("{} (outcome {})", o.title, o.outcome.get_ref()))),
        )
        .collect();
    let posted = |k: &str| v.posted.get(k).map_or("", String::as_str);
    let link_problems: Vec<&String> = mine.iter().filter(|(f, _)| f == "links").map(|(_, m)| m).collect();
    html! {
        h2 id="field-links" tabindex="-1" { "Delivery links" }
        @for m in &link_problems { p class="nhsuk-error-message" { span class="nhsuk-u-visually-hidden" { "Error: " } (m) } }
        @if c.links.is_empty() { p { "No delivery links yet." } }
        @else {
            ol class="nhsuk-list" {
                @for (i, l) in c.links.iter().enumerate() {
                    @let n = i + 1;
                    li class="assure-edit-link" {
                        h3 class="nhsuk-heading-s" { "Link " (n) ": " (l.plan_text) }
                        dl class="nhsuk-summary-list" {
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { "Delivering plans" }
                                dd class="nhsuk-summary-list__value" { (l.plans.iter().map(|p| p.get_ref().as_str()).collect::<Vec<_>>().join(", ")) }
                            }
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { "Led by" }
                                dd class="nhsuk-summary-list__value" {
                                    (l.led_by_text)
                                    @if !l.led_by.is_empty() { br; span class="nhsuk-body-s" { "(" (l.led_by.iter().map(|o| plan.organisation_name(o.get_ref())).collect::<Vec<_>>().join(", ")) ")" } }
                                }
                            }
                        }
                        @let changing = v.refused.iter().any(|(f, _)| LINK_CELLS.iter().any(|c| *f == format!("{c}-{n}")));
                        @let cell = |k: &str, current: String| v.posted.get(&format!("{k}-{n}")).cloned().unwrap_or(current);
                        details class="nhsuk-details" open[changing] {
                            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Change link " (n) } }
                            div class="nhsuk-details__text" {
                                form method="post" action={ (href) "/links/" (n) "/change" } novalidate {
                                    (csrf_field(s))
                                    (sub_input(&format!("plans-{n}"), "Delivering plans", Some("Delivering plan ids, separated by commas"), &cell("plans", l.plans.iter().map(|p| p.get_ref().as_str()).collect::<Vec<_>>().join(", ")), &v.refused))
                                    (sub_input(&format!("led_by-{n}"), "Led by", Some("Organisations by id, name or other name, separated by commas"), &cell("led_by", l.led_by.iter().map(|o| o.get_ref().as_str()).collect::<Vec<_>>().join(", ")), &v.refused))
                                    (sub_input(&format!("plan_text-{n}"), "The plan cell as written", Some("Optional. Left empty, the delivering plans' names"), &cell("plan_text", l.plan_text.clone()), &v.refused))
                                    (sub_input(&format!("led_by_text-{n}"), "The led-by cell as written", Some("Optional. Left empty, the organisations' names"), &cell("led_by_text", l.led_by_text.clone()), &v.refused))
                                    button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Save link " (n) }
                                }
                            }
                        }
                        form method="post" action={ (href) "/links/" (n) "/move" } novalidate {
                            (csrf_field(s))
                            @let sid = format!("field-to-{n}");
                            @let error = v.refused.iter().find(|(f, _)| *f == format!("to-{n}"));
                            div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
                                label class="nhsuk-label" for=(sid) { "Move link " (n) " to another commitment" }
                                @if let Some((_, m)) = error { span class="nhsuk-error-message" id={ (sid) "-error" } { span class="nhsuk-u-visually-hidden" { "Error: " } (m) } }
                                (select(&sid, "to", &others, "", error.is_some(), error.map(|_| format!("{sid}-error"))))
                            }
                            div class="nhsuk-button-group" {
                                button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" type="submit" { "Move" span class="nhsuk-u-visually-hidden" { " link " (n) } }
                            }
                        }
                        form method="post" action={ (href) "/links/" (n) "/remove" } novalidate {
                            (csrf_field(s))
                            button class="nhsuk-button nhsuk-button--warning nhsuk-button--small" type="submit" { "Remove link " (n) }
                        }
                    }
                }
            }
        }
        h3 { "Add a delivery link" }
        form method="post" action={ (href) "/links" } novalidate {
            (csrf_field(s))
            (sub_input("plans", "Delivering plans", Some("Delivering plan ids, separated by commas. Add a new delivering plan first if it is not in the draft."), posted("plans"), &v.refused))
            (sub_input("led_by", "Led by", Some("Organisations by id, name or other name, separated by commas"), posted("led_by"), &v.refused))
            (sub_input("plan_text", "The plan cell as written", Some("Optional. Left empty, the delivering plans' names"), posted("plan_text"), &v.refused))
            (sub_input("led_by_text", "The led-by cell as written", Some("Optional. Left empty, the organisations' names"), posted("led_by_text"), &v.refused))
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Add the link" }
        }
    }
}

fn organisation_section(v: &ItemPage<'_>, s: &Signed) -> Markup {
    let (d, plan, item) = (&v.draft.id, &v.draft.plan, v.item);
    let href = item_href(d, PlanItemKind::Organisation, item);
    let others: Vec<(String, String)> = std::iter::once((String::new(), "Choose an organisation".to_owned()))
        .chain(
            plan.organisations
                .iter()
                .filter(|o| o.id.get_ref() != item)
                .map(|o| (o.id.get_ref().clone(), o.name.clone())),
        )
        .collect();
    let posted = |k: &str| v.posted.get(k).map_or("", String::as_str);
    let into_error = v.refused.iter().find(|(f, _)| f == "into");
    html! {
        h2 { "Rename" }
        p { "The old name is kept as another name, so that it still finds this organisation." }
        form method="post" action={ (href) "/rename" } novalidate {
            (csrf_field(s))
            (sub_input("new_name", "New name", None, posted("new_name"), &v.refused))
            button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Rename" }
        }
        h2 { "Merge into another organisation" }
        p { "Every delivery link, enabler, place, governance body and child organisation that names this one will name the other instead, and this one's names become the other's other names. This organisation is then removed." }
        form method="post" action={ (href) "/merge" } novalidate {
            (csrf_field(s))
            div class={ "nhsuk-form-group" @if into_error.is_some() { " nhsuk-form-group--error" } } {
                label class="nhsuk-label" for="field-into" { "Merge into" }
                @if let Some((_, m)) = into_error { span class="nhsuk-error-message" id="field-into-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (m) } }
                (select("field-into", "into", &others, posted("into"), into_error.is_some(), into_error.map(|_| "field-into-error".to_owned())))
            }
            button class="nhsuk-button nhsuk-button--warning" type="submit" { "Merge" }
        }
    }
}

async fn render_item(state: &AppState, v: ItemPage<'_>, status: StatusCode) -> Result<Response, WebError> {
    let plan = v.draft.plan.clone();
    let problems = state.blocking(move |_| Ok(plan_problems(&plan))).await?;
    let name = item_name(&v.draft.plan, v.kind, v.item);
    let title = format!("{}Edit {}: {name}", if v.refused.is_empty() { "" } else { "Error: " }, v.kind.label());
    let mut crumbs = crumbs(v.draft);
    crumbs.push(crumb("Edit", editor_href(&v.draft.id)));
    Ok((status, page(&title, &crumbs, item_page(&v, &problems))).into_response())
}

/// An item's form, with the draft's problems on its fields.
pub async fn show_item(
    State(state): State<AppState>,
    Path((id, kind, item)): Path<(String, String, String)>,
    Query(q): Query<Done>,
    request: Request,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let (_, draft) = editable(&state, request, id).await?;
    let values = form_values(&draft.plan, kind, &item)?;
    let v = ItemPage {
        draft: &draft,
        kind,
        item: &item,
        values: &values,
        refused: Vec::new(),
        posted: BTreeMap::new(),
        done: q.message(),
    };
    render_item(&state, v, StatusCode::OK).await
}

fn posted_values(form: &SignedForm) -> FormValues {
    form.fields.iter().filter(|(k, _)| k != "csrf").map(|(k, v)| (k.clone(), v.clone())).collect()
}

async fn edit(
    state: &AppState,
    signed: &Signed,
    id: &str,
    edit: PlanEdit,
) -> Result<Result<Edited, Problems>, WebError> {
    let (account, id) = (signed.account.clone(), id.to_owned());
    let result = state.blocking(move |st| Ok(st.app().edit_draft(&account, &id, edit))).await?;
    match result {
        Ok(e) => Ok(Ok(e)),
        Err(AppError::Rejected(problems)) => Ok(Err(problems.into_iter().map(|(f, m)| (f.to_owned(), m)).collect())),
        Err(e) => Err(e.into()),
    }
}

fn saved(draft: &str, kind: PlanItemKind, item: &str, done: &str) -> Response {
    Redirect::to(&format!("{}?done={done}", item_href(draft, kind, item))).into_response()
}

/// Save an item's form.
pub async fn save_item(
    State(state): State<AppState>,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let values = posted_values(&form);
    let change = PlanEdit::Fields { kind, id: item.clone(), values: values.clone() };
    match edit(&state, &form.signed, &id, change).await? {
        Ok(e) => Ok(saved(&id, e.item.0, &e.item.1, "edit")),
        Err(refused) => {
            let draft = editable_by(&state, &form.signed, id).await?;
            let v = ItemPage {
                draft: &draft,
                kind,
                item: &item,
                values: &values,
                refused,
                posted: BTreeMap::new(),
                done: None,
            };
            render_item(&state, v, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// Where a new item goes: under `parent` for parts, milestones and place priorities.
#[derive(Debug, Default, Deserialize)]
pub struct Parent {
    parent: Option<String>,
}

fn new_item_page(
    draft: &Draft,
    kind: PlanItemKind,
    parent: Option<&str>,
    values: &FormValues,
    refused: &Problems,
) -> Markup {
    let d = &draft.id;
    let under = parent.map(|p| item_name(&draft.plan, kind.parent().unwrap_or(kind), p));
    let title = format!(
        "Add {} {}",
        if matches!(
            kind,
            PlanItemKind::Outcome
                | PlanItemKind::Organisation
                | PlanItemKind::Indicator
                | PlanItemKind::Enabler
                | PlanItemKind::EnablerCommitment
                | PlanItemKind::Area
        ) {
            "an"
        } else {
            "a"
        },
        kind.label()
    );
    let mut crumbs = crumbs(draft);
    crumbs.push(crumb("Edit", editor_href(d)));
    page(
        &format!("{}{title}", if refused.is_empty() { "" } else { "Error: " }),
        &crumbs,
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (summary(refused, "There is a problem"))
                h1 { (title) }
                @if let Some(u) = &under { p class="nhsuk-lede-text" { "To " (u) } }
                @if let Some(s) = access::current() {
                    form method="post" action={ "/plan-versions/" (d) "/add/" (kind.slug()) } novalidate {
                        (csrf_field(&s))
                        @if let Some(p) = parent { input type="hidden" name="parent" value=(p); }
                        (grouped_fields(&draft.plan, &edit_fields(kind), values, refused))
                        button class="nhsuk-button" type="submit" { "Add the " (kind.label()) }
                    }
                }
                p { (link(editor_href(d), "Back to the editor")) }
            } }
        },
    )
}

/// The form to add an item.
pub async fn show_new_item(
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<Parent>,
    request: Request,
) -> Result<Markup, WebError> {
    let kind = kind_of(&kind)?;
    let (_, draft) = editable(&state, request, id).await?;
    Ok(new_item_page(&draft, kind, q.parent.as_deref(), &FormValues::new(), &Vec::new()))
}

/// Add an item.
pub async fn add_item(
    State(state): State<AppState>,
    Path((id, kind)): Path<(String, String)>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let values = posted_values(&form);
    let parent = Some(form.get("parent").to_owned()).filter(|p| !p.is_empty());
    let change = PlanEdit::Add { kind, parent: parent.clone(), values: values.clone() };
    match edit(&state, &form.signed, &id, change).await? {
        Ok(e) => Ok(saved(&id, e.item.0, &e.item.1, "add")),
        Err(refused) => {
            let draft = editable_by(&state, &form.signed, id).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_item_page(&draft, kind, parent.as_deref(), &values, &refused))
                .into_response())
        }
    }
}

/// The page behind an item's action: asking to confirm a removal.
pub async fn show_item_action(
    State(state): State<AppState>,
    Path((id, kind, item, action)): Path<(String, String, String, String)>,
    request: Request,
) -> Result<Markup, WebError> {
    let kind = kind_of(&kind)?;
    let (s, draft) = editable(&state, request, id).await?;
    if action != "remove" {
        return Err(WebError::NotFound(format!("There is no page '{action}' of a {}.", kind.label())));
    }
    form_values(&draft.plan, kind, &item)?;
    let name = item_name(&draft.plan, kind, &item);
    let href = item_href(&draft.id, kind, &item);
    let mut crumbs = crumbs(&draft);
    crumbs.push(crumb("Edit", editor_href(&draft.id)));
    Ok(page(
        &format!("Remove {}: {name}", kind.label()),
        &crumbs,
        html! {
            h1 { "Remove " (name) "?" }
            p { "It is removed from the draft only; the published plan does not change. Anything in the draft that names it will show as a problem to put right." }
            form method="post" action={ (href) "/remove" } novalidate {
                (csrf_field(&s))
                button class="nhsuk-button nhsuk-button--warning" type="submit" { "Remove the " (kind.label()) }
            }
            p { (link(href, "No, go back")) }
        },
    ))
}

/// An item's action: remove it, rename or merge an organisation, add a delivery link.
pub async fn item_action(
    State(state): State<AppState>,
    Path((id, kind, item, action)): Path<(String, String, String, String)>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let kind = kind_of(&kind)?;
    let get = |k: &str| form.get(k).to_owned();
    let (change, rename) = match (kind, action.as_str()) {
        (_, "remove") => (PlanEdit::Remove { kind, id: item.clone() }, None),
        (PlanItemKind::Organisation, "rename") => {
            (PlanEdit::RenameOrganisation { id: item.clone(), name: get("new_name") }, Some(("name", "new_name")))
        }
        (PlanItemKind::Organisation, "merge") => {
            (PlanEdit::MergeOrganisations { from: item.clone(), into: get("into") }, None)
        }
        (PlanItemKind::Commitment, "links") => (
            PlanEdit::AddLink {
                commitment: item.clone(),
                link: LinkFields {
                    plan_text: get("plan_text"),
                    plans: get("plans"),
                    led_by_text: get("led_by_text"),
                    led_by: get("led_by"),
                },
            },
            None,
        ),
        _ => return Err(WebError::NotFound(format!("A {} cannot be asked to {action}.", kind.label()))),
    };
    let done = match action.as_str() {
        "links" => "link-add",
        a => a,
    };
    match edit(&state, &form.signed, &id, change).await? {
        Ok(_) if action == "remove" => Ok(Redirect::to(&format!("{}?done=remove", editor_href(&id))).into_response()),
        Ok(e) => Ok(saved(&id, e.item.0, &e.item.1, done)),
        Err(mut refused) => {
            if let Some((from, to)) = rename {
                refused.iter_mut().filter(|(f, _)| f == from).for_each(|(f, _)| *f = to.to_owned());
            }
            let draft = editable_by(&state, &form.signed, id).await?;
            let values = form_values(&draft.plan, kind, &item)?;
            let v = ItemPage {
                draft: &draft,
                kind,
                item: &item,
                values: &values,
                refused,
                posted: posted_values(&form),
                done: None,
            };
            render_item(&state, v, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The fields of a delivery link's form.
const LINK_CELLS: [&str; 4] = ["plans", "led_by", "plan_text", "led_by_text"];

/// A delivery link's action: change its cells, move it to another commitment, or remove it.
pub async fn link_action(
    State(state): State<AppState>,
    Path((id, kind, item, number, action)): Path<(String, String, String, usize, String)>,
    form: SignedForm,
) -> Result<Response, WebError> {
    if kind_of(&kind)? != PlanItemKind::Commitment {
        return Err(WebError::NotFound("Only a commitment has delivery links.".into()));
    }
    let change = match action.as_str() {
        "move" => PlanEdit::MoveLink { commitment: item.clone(), number, to: form.get("to").to_owned() },
        "change" => {
            let cell = |k: &str| form.get(&format!("{k}-{number}")).to_owned();
            PlanEdit::ChangeLink {
                commitment: item.clone(),
                number,
                link: LinkFields {
                    plan_text: cell("plan_text"),
                    plans: cell("plans"),
                    led_by_text: cell("led_by_text"),
                    led_by: cell("led_by"),
                },
            }
        }
        "remove" => PlanEdit::RemoveLink { commitment: item.clone(), number },
        _ => return Err(WebError::NotFound(format!("A delivery link cannot be asked to {action}."))),
    };
    match edit(&state, &form.signed, &id, change).await? {
        Ok(e) => Ok(saved(&id, e.item.0, &e.item.1, &format!("link-{action}"))),
        Err(mut refused) => {
            // Each link's forms have fields of their own: `to-2`, `plans-2`.
            for (f, _) in refused.iter_mut() {
                if LINK_CELLS.contains(&f.as_str()) || f == "to" {
                    *f = format!("{f}-{number}");
                }
            }
            let draft = editable_by(&state, &form.signed, id).await?;
            let values = form_values(&draft.plan, PlanItemKind::Commitment, &item)?;
            let v = ItemPage {
                draft: &draft,
                kind: PlanItemKind::Commitment,
                item: &item,
                values: &values,
                refused,
                posted: posted_values(&form),
                done: None,
            };
            render_item(&state, v, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
