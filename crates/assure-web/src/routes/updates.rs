//! Delivery updates: the overview of every milestone, the status and history shown on
//! milestone and plan pages, and the forms with which leads report and add milestones.

use assure_app::AppError;
use assure_app::{DeliveryFilter, WorkItem};
use assure_plan::Plan;
use assure_plan::delivery::{DeliveryStatus, ItemKind};
use assure_store::Role;
use assure_tracking::delivery::{Freshness, Progress};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, UpdateForm, UpdateSubject, crumb, csrf_field, delivery_tag, error_summary, form_title, input,
    item_href, item_title, missing, page, table, update_page, work_sheet, work_table,
};
use crate::export::{Download, download_links};
use crate::state::Delivery;
use crate::{AppState, WebError};

/// The filters of the delivery list, as the URL gives them.
#[derive(Deserialize, Default, Clone)]
pub struct DeliveryQuery {
    what: Option<String>,
    organisation: Option<String>,
    place: Option<String>,
    outcome: Option<String>,
    status: Option<String>,
    overdue: Option<String>,
    stale: Option<String>,
}

/// Which kinds of item the list shows.
#[derive(Clone, Copy, PartialEq)]
enum What {
    Milestones,
    Plans,
    All,
}

impl What {
    fn as_str(self) -> &'static str {
        match self {
            What::Milestones => "milestones",
            What::Plans => "plans",
            What::All => "all",
        }
    }
    fn shows(self, kind: ItemKind) -> bool {
        match self {
            What::All => true,
            What::Milestones => kind == ItemKind::Milestone,
            What::Plans => kind == ItemKind::DeliveringPlan,
        }
    }
}

fn bad(field: &str, detail: String) -> WebError {
    WebError::BadRequest { field: field.to_owned(), detail }
}

impl DeliveryQuery {
    /// The filters, checked against the plan: an unknown value is a 400 naming the field.
    fn check(&self, plan: &Plan) -> Result<(What, DeliveryFilter), WebError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let what = match given(&self.what).as_deref() {
            None | Some("milestones") => What::Milestones,
            Some("plans") => What::Plans,
            Some("all") => What::All,
            Some(o) => return Err(bad("what", format!("'{o}' is not one of milestones, plans or all"))),
        };
        let organisation = match given(&self.organisation) {
            Some(o) => Some(
                plan.organisation(&o)
                    .map(|o| o.id.get_ref().clone())
                    .ok_or_else(|| bad("organisation", format!("'{o}' is not an organisation of the plan")))?,
            ),
            None => None,
        };
        let place = match given(&self.place) {
            Some(p) if plan.place_areas().any(|a| *a.id.get_ref() == p) => Some(p),
            Some(p) => return Err(bad("place", format!("'{p}' is not a place of the plan (see /places)"))),
            None => None,
        };
        let outcome = match given(&self.outcome) {
            Some(o) => Some(o.parse::<u8>().ok().filter(|n| plan.outcome(*n).is_some()).ok_or_else(|| {
                bad("outcome", format!("'{o}' is not an outcome of the plan (1 to {})", plan.outcomes.len()))
            })?),
            None => None,
        };
        let status = match given(&self.status).as_deref() {
            None => None,
            Some("none") => Some(None),
            Some(s) => Some(Some(DeliveryStatus::parse(s).ok_or_else(|| {
                let names: Vec<&str> = DeliveryStatus::ALL.iter().map(|s| s.as_str()).collect();
                bad("status", format!("'{s}' is not a status (one of {} or none)", names.join(", ")))
            })?)),
        };
        let flag = |v: &Option<String>| given(v).is_some_and(|v| v != "0" && v != "false");
        let filter = DeliveryFilter {
            organisation,
            place,
            outcome,
            status,
            overdue: flag(&self.overdue),
            stale: flag(&self.stale),
        };
        Ok((what, filter))
    }
}

/// The address of the list with these filters.
fn delivery_href(what: What, f: &DeliveryFilter) -> String {
    let mut params = Vec::new();
    if what != What::Milestones {
        params.push(format!("what={}", what.as_str()));
    }
    if let Some(o) = &f.organisation {
        params.push(format!("organisation={o}"));
    }
    if let Some(p) = &f.place {
        params.push(format!("place={p}"));
    }
    if let Some(o) = f.outcome {
        params.push(format!("outcome={o}"));
    }
    if let Some(s) = f.status {
        params.push(format!("status={}", s.map_or("none", DeliveryStatus::as_str)));
    }
    if f.overdue {
        params.push("overdue=1".into());
    }
    if f.stale {
        params.push("stale=1".into());
    }
    if params.is_empty() { "/delivery".to_owned() } else { format!("/delivery?{}", params.join("&")) }
}

fn select(name: &str, label: &str, options: &[(String, String)], chosen: &str) -> Markup {
    html! {
        div class="nhsuk-form-group" {
            label class="nhsuk-label" for={ "filter-" (name) } { (label) }
            select class="nhsuk-select" id={ "filter-" (name) } name=(name) {
                @for (value, text) in options {
                    option value=(value) selected[value == chosen] { (text) }
                }
            }
        }
    }
}

/// The items the list shows, filtered.
async fn delivery_rows(
    state: &AppState,
    query: &DeliveryQuery,
) -> Result<(std::sync::Arc<Plan>, std::sync::Arc<Delivery>, What, DeliveryFilter, Vec<WorkItem>), WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let (what, filter) = query.check(&plan)?;
    let rows: Vec<_> = assure_app::work_items(&plan, &delivery, assure_tracking::delivery::today())
        .into_iter()
        .filter(|i| what.shows(i.kind) && filter.keeps(&plan, i))
        .collect();
    Ok((plan, delivery, what, filter, rows))
}

/// The delivery list, filtered, as CSV.
pub async fn delivery_csv(state: State<AppState>, query: Query<DeliveryQuery>) -> Result<Response, WebError> {
    delivery_download(state, query, Download::Csv).await
}

/// The delivery list, filtered, as a spreadsheet.
pub async fn delivery_xlsx(state: State<AppState>, query: Query<DeliveryQuery>) -> Result<Response, WebError> {
    delivery_download(state, query, Download::Xlsx).await
}

async fn delivery_download(
    State(state): State<AppState>,
    Query(query): Query<DeliveryQuery>,
    format: Download,
) -> Result<Response, WebError> {
    let (plan, _, _, _, rows) = delivery_rows(&state, &query).await?;
    work_sheet(&plan, &rows, "delivery").download(format)
}

/// Every milestone (or delivering plan) with where it stands, filtered; counts first.
pub async fn list_delivery(
    State(state): State<AppState>,
    Query(query): Query<DeliveryQuery>,
) -> Result<Markup, WebError> {
    let (plan, delivery, what, filter, rows) = delivery_rows(&state, &query).await?;
    let count = |f: &dyn Fn(&Progress) -> bool| rows.iter().filter(|i| f(&i.progress)).count();
    let any = |o: &str| (String::new(), o.to_owned());
    // Each plan's leads asked once, not once per organisation.
    let leading: std::collections::HashSet<&str> =
        plan.delivering_plans.iter().flat_map(|p| plan.delivering_plan_leads(p.id.get_ref())).collect();
    let mut organisations: Vec<_> = plan
        .organisations
        .iter()
        .filter(|o| leading.contains(o.id.get_ref().as_str()))
        .map(|o| (o.id.get_ref().clone(), o.name.clone()))
        .collect();
    organisations.sort_by(|a, b| a.1.cmp(&b.1));
    organisations.insert(0, any("Any organisation"));
    let mut places: Vec<_> = plan.place_areas().map(|a| (a.id.get_ref().clone(), a.name.clone())).collect();
    places.insert(0, any("Any place"));
    let mut outcomes: Vec<_> = plan
        .outcomes
        .iter()
        .map(|o| (o.number.get_ref().to_string(), format!("{}: {}", o.number.get_ref(), o.title)))
        .collect();
    outcomes.insert(0, any("Any outcome"));
    let mut statuses: Vec<_> =
        DeliveryStatus::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect();
    statuses.insert(0, any("Any status"));
    statuses.push(("none".into(), "No update yet".into()));
    let kinds = [("milestones", "Milestones"), ("plans", "Strategies and plans"), ("all", "Both")]
        .map(|(v, t)| (v.to_owned(), t.to_owned()));
    let filtered = filter != DeliveryFilter::default();
    let noun = match what {
        What::Milestones => "milestones",
        What::Plans => "strategies and plans",
        What::All => "items",
    };
    Ok(page(
        "Milestones and delivery",
        &[],
        html! {
            h1 { "Milestones and delivery" }
            p { "Each milestone and strategy or plan with the status its lead last reported. An item is " strong { "overdue" } " when its expected date has passed and it is neither complete nor closed, and " strong { "stale" } " when no update has been published for more than " (delivery.stale_days) " days." }
            form class="assure-filters" method="get" action="/delivery" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Filter the list" }
                    (select("what", "Show", &kinds, what.as_str()))
                    (select("organisation", "Led by", &organisations, filter.organisation.as_deref().unwrap_or_default()))
                    (select("place", "Place", &places, filter.place.as_deref().unwrap_or_default()))
                    (select("outcome", "Outcome", &outcomes, &filter.outcome.map(|o| o.to_string()).unwrap_or_default()))
                    (select("status", "Status", &statuses, &filter.status.map(|s| s.map_or("none", DeliveryStatus::as_str).to_owned()).unwrap_or_default()))
                    div class="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-u-margin-bottom-4" {
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="filter-overdue" name="overdue" type="checkbox" value="1" checked[filter.overdue];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="filter-overdue" { "Only overdue" }
                        }
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="filter-stale" name="stale" type="checkbox" value="1" checked[filter.stale];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="filter-stale" { "Only stale" }
                        }
                    }
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Apply filters" }
                }
            }
            p {
                "Quick filters: "
                a href=(delivery_href(what, &DeliveryFilter { overdue: true, ..filter.clone() })) { "overdue" } ", "
                a href=(delivery_href(what, &DeliveryFilter { stale: true, ..filter.clone() })) { "stale" } ", "
                a href=(delivery_href(what, &DeliveryFilter { status: Some(Some(DeliveryStatus::OffTrack)), ..filter.clone() })) { "off track" }
                @if filtered { ". " a href=(delivery_href(what, &DeliveryFilter::default())) { "Clear the filters" } }
                "."
            }
            (download_links(&delivery_href(what, &filter).replacen("/delivery", "/delivery.csv", 1)))
            (table(html! { "By status: " (rows.len()) " " (noun) @if filtered { " matching the filters" } }, false, &[("Status", false), ("Items", true)], html! {
                @for s in DeliveryStatus::ALL {
                    tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { (delivery_tag(Some(s))) } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| p.status == Some(s))) } }
                }
                tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { (delivery_tag(None)) } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| p.status.is_none())) } }
                tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { "Overdue" } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| p.overdue)) } }
                tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { "Stale" } td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (count(&|p| matches!(p.freshness, Freshness::Stale(_)))) } }
            }))
            @if rows.is_empty() {
                p { "Nothing matches these filters. " a href=(delivery_href(what, &DeliveryFilter::default())) { "Clear the filters" } "." }
            } @else {
                (work_table(&plan, html! { "Every " (noun) @if filtered { " matching the filters" } }, &rows, false, &|_| None))
            }
        },
    ))
}

/// The item a form is about, or 404.
fn item(plan: &Plan, delivery: &Delivery, kind: ItemKind, id: &str) -> Result<UpdateSubject, WebError> {
    assure_app::require_item(plan, delivery, kind, id)?;
    let due = match kind {
        ItemKind::Milestone => {
            delivery.milestone(plan, id).map(|m| (delivery.progress(kind, id, m.due).due, m.due.to_owned()))
        }
        ItemKind::DeliveringPlan => None,
    };
    let what = if kind == ItemKind::DeliveringPlan { "strategy or plan" } else { "milestone" };
    Ok(UpdateSubject {
        what,
        title: item_title(plan, delivery, kind, id),
        back: item_href(kind, id),
        due,
        planned_by: "the plan",
    })
}

async fn show_form(state: AppState, kind: ItemKind, id: String, request: Request) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let it = item(&plan, &delivery, kind, &id)?;
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    assure_app::require_may_update(&s.account, &plan, &delivery, kind, &id)?;
    let approval = delivery.approval_required && s.account.role != Role::Admin;
    Ok(update_page(&s, &it, &UpdateForm::default(), &[], approval, &[]).into_response())
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
    let it = item(&plan, &delivery, kind, &id)?;
    let typed = UpdateForm::posted(&form);
    let (account, p, d, item, f) =
        (form.signed.account.clone(), plan.clone(), delivery.clone(), id.clone(), typed.fields());
    match state.blocking(move |s| Ok(s.app().record_update(&account, &p, &d, kind, &item, &f))).await? {
        Ok(u) => Ok(Redirect::to(&format!("{}?updated={}", it.back, u.publication.as_str())).into_response()),
        Err(AppError::Rejected(errors)) => {
            let approval = delivery.approval_required && form.signed.account.role != Role::Admin;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, update_page(&form.signed, &it, &typed, &errors, approval, &[]))
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
