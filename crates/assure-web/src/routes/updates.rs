//! Delivery updates: the overview of every milestone, the status and history shown on
//! milestone and plan pages, and the forms with which leads report and add milestones.

use assure_app::AppError;
use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, ItemKind, UpdateFields};
use assure_store::Role;
use assure_tracking::delivery::{Freshness, Progress};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, choices, crumb, csrf_field, delivery_tag, error_summary, flag_tags, form_title, input, item_href,
    item_title, missing, page, table, textarea,
};
use crate::state::Delivery;
use crate::{AppState, WebError};

/// Every milestone with where it stands; counts and exceptions first.
pub async fn list_delivery(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let rows: Vec<_> = delivery
        .milestones(&plan)
        .into_iter()
        .map(|m| {
            let p = delivery.progress(ItemKind::Milestone, m.id, m.due);
            (m, p)
        })
        .collect();
    let count = |f: &dyn Fn(&Progress) -> bool| rows.iter().filter(|(_, p)| f(p)).count();
    Ok(page(
        "Milestones and delivery",
        &[],
        html! {
            h1 { "Milestones and delivery" }
            p { "Each milestone with the status its lead last reported. A milestone is " strong { "overdue" } " when its expected date has passed and it is neither complete nor closed, and " strong { "stale" } " when no update has been published for more than " (delivery.stale_days) " days." }
            (table(html! { "Milestones by status" }, false, &[("Status", false), ("Milestones", true)], html! {
                @for s in DeliveryStatus::ALL {
                    tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { (delivery_tag(Some(s))) } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| p.status == Some(s))) } }
                }
                tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { (delivery_tag(None)) } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| p.status.is_none())) } }
                tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { "Overdue" } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| p.overdue)) } }
                tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { "Stale" } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| matches!(p.freshness, Freshness::Stale(_)))) } }
            }))
            (table(html! { "Every milestone" }, false, &[("Milestone", false), ("Expected", false), ("Status", false), ("Led by", false)], html! {
                @for (m, p) in &rows {
                    @let leads = delivery.leads(&plan, ItemKind::Milestone, m.id);
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" {
                            a href={ "/milestones/" (m.id) } { (m.title) }
                            @if let Some(e) = m.example { p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { (e.title) } }
                            @if let Some(a) = m.added { p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { (plan.delivering_plan_name(&a.delivering_plan)) " (added by a partner)" } }
                        }
                        td class="nhsuk-table__cell" { (p.due) }
                        td class="nhsuk-table__cell" { (delivery_tag(p.status)) (flag_tags(p)) }
                        td class="nhsuk-table__cell nhsuk-body-s" { @for (i, l) in leads.iter().enumerate() { @if i > 0 { ", " } (plan.organisation_name(l)) } }
                    }
                }
            }))
        },
    ))
}

fn status_options() -> Vec<(String, String)> {
    DeliveryStatus::ALL.into_iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect()
}

struct UpdateForm {
    status: String,
    narrative: String,
    evidence: String,
    expected: String,
    expected_reason: String,
    internal_note: String,
}

fn update_page(
    signed: &Signed,
    title: &str,
    back: &str,
    kind: ItemKind,
    f: &UpdateForm,
    errors: &[FieldError],
    approval: bool,
) -> Markup {
    let what = if kind == ItemKind::DeliveringPlan { "strategy or plan" } else { "milestone" };
    page(
        &form_title(&format!("Update: {title}"), errors),
        &[crumb(title, back)],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                span class="nhsuk-caption-l" { "Give an update" }
                h1 { (title) }
                @if approval { div class="nhsuk-inset-text" { p { "Updates wait for an admin's approval before the public sees them." } } }
                form method="post" action={ (back) "/update" } novalidate {
                    (csrf_field(signed))
                    (choices("radio", "status", &format!("How is the {what} going?"), &status_options(), std::slice::from_ref(&f.status), errors))
                    (textarea("narrative", "What has happened since the last update", Some("Published as written."), &f.narrative, errors))
                    (textarea("evidence", "Evidence (optional)", Some("Web addresses of papers, minutes or dashboards, one per line."), &f.evidence, errors))
                    (input("expected", "text", "New expected date (optional)", Some("Only if the date has changed: a month ('March 2026'), a year ('2026') or a financial year ('2025/26')."), &f.expected, errors))
                    (textarea("expected_reason", "Why the date has changed", None, &f.expected_reason, errors))
                    (textarea("internal_note", "Internal note (optional)", Some("Seen only by people signed in, never by the public."), &f.internal_note, errors))
                    button class="nhsuk-button" type="submit" { "Submit update" }
                }
            } }
        },
    )
}

fn empty_update() -> UpdateForm {
    UpdateForm {
        status: String::new(),
        narrative: String::new(),
        evidence: String::new(),
        expected: String::new(),
        expected_reason: String::new(),
        internal_note: String::new(),
    }
}

/// The title and page of an item, or 404.
fn item(plan: &Plan, delivery: &Delivery, kind: ItemKind, id: &str) -> Result<(String, String), WebError> {
    assure_app::require_item(plan, delivery, kind, id)?;
    Ok((item_title(plan, delivery, kind, id), item_href(kind, id)))
}

async fn show_form(state: AppState, kind: ItemKind, id: String, request: Request) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let (title, back) = item(&plan, &delivery, kind, &id)?;
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    assure_app::require_may_update(&s.account, &plan, &delivery, kind, &id)?;
    let approval = delivery.approval_required && s.account.role != Role::Admin;
    Ok(update_page(&s, &title, &back, kind, &empty_update(), &[], approval).into_response())
}

pub async fn show_milestone_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    show_form(state, ItemKind::Milestone, id, request).await
}

pub async fn show_plan_form(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    show_form(state, ItemKind::DeliveringPlan, id, request).await
}

async fn submit(state: AppState, kind: ItemKind, id: String, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let (title, back) = item(&plan, &delivery, kind, &id)?;
    let fields = UpdateFields {
        status: form.get("status").to_owned(),
        narrative: form.get("narrative").to_owned(),
        evidence: form.get("evidence").lines().map(str::to_owned).collect(),
        expected: form.get("expected").to_owned(),
        expected_reason: form.get("expected_reason").to_owned(),
        internal_note: form.get("internal_note").to_owned(),
    };
    let (account, p, d, item, f) =
        (form.signed.account.clone(), plan.clone(), delivery.clone(), id.clone(), fields.clone());
    match state.blocking(move |s| Ok(s.app().record_update(&account, &p, &d, kind, &item, &f))).await? {
        Ok(_) => Ok(Redirect::to(&format!("{back}#delivery")).into_response()),
        Err(AppError::Rejected(errors)) => {
            let f = UpdateForm {
                status: fields.status,
                narrative: fields.narrative,
                evidence: form.get("evidence").to_owned(),
                expected: fields.expected,
                expected_reason: fields.expected_reason,
                internal_note: fields.internal_note,
            };
            let approval = delivery.approval_required && form.signed.account.role != Role::Admin;
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                update_page(&form.signed, &title, &back, kind, &f, &errors, approval),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn submit_milestone(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm,
) -> Result<Response, WebError> {
    submit(state, ItemKind::Milestone, id, form).await
}

pub async fn submit_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm,
) -> Result<Response, WebError> {
    submit(state, ItemKind::DeliveringPlan, id, form).await
}

fn new_milestone_page(
    signed: &Signed,
    plan_name: &str,
    back: &str,
    title: &str,
    due: &str,
    errors: &[FieldError],
) -> Markup {
    page(
        &form_title(&format!("Add a milestone: {plan_name}"), errors),
        &[crumb("Strategies and plans", "/plans"), crumb(plan_name, back)],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                span class="nhsuk-caption-l" { (plan_name) }
                h1 { "Add a milestone" }
                form method="post" action={ (back) "/milestones" } novalidate {
                    (csrf_field(signed))
                    (input("title", "text", "What is to be done", None, title, errors))
                    (input("due", "text", "When", Some("A month ('March 2026'), a year ('2026') or a financial year ('2025/26')."), due, errors))
                    button class="nhsuk-button" type="submit" { "Add milestone" }
                }
            } }
        },
    )
}

pub async fn show_new_milestone(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let p = plan.delivering_plan(&id).ok_or_else(|| missing("strategy or plan", &id))?;
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    assure_app::require_may_update(&s.account, &plan, &delivery, ItemKind::DeliveringPlan, &id)?;
    Ok(new_milestone_page(&s, &p.name, &item_href(ItemKind::DeliveringPlan, &id), "", "", &[]).into_response())
}

pub async fn add_milestone(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let name = plan.delivering_plan(&id).ok_or_else(|| missing("strategy or plan", &id))?.name.clone();
    let (title, due) = (form.get("title").to_owned(), form.get("due").to_owned());
    let back = item_href(ItemKind::DeliveringPlan, &id);
    let (account, dp, t, d) = (form.signed.account.clone(), id.clone(), title.clone(), due.clone());
    match state.blocking(move |s| Ok(s.app().add_milestone(&account, &plan, &delivery, &dp, &t, &d))).await? {
        Ok(m) => Ok(Redirect::to(&format!("/milestones/{}", m.id)).into_response()),
        Err(AppError::Rejected(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            new_milestone_page(&form.signed, &name, &back, &title, &due, &errors),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
