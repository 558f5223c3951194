//! Delivering plans ("strategies / plans in place to deliver"): the list, and one plan
//! with every commitment it delivers and who leads it.

use axum::extract::{Path, Query, State};
use maud::{Markup, html};

use assure_plan::delivery::ItemKind;

use crate::components::{Updated, authors, delivery_section, delivery_tag, flag_tags, saved_banner};
use crate::components::{crumb, missing, organisation_links, page};
use crate::components::{source, table, tag};
use crate::export::{Cell, Download, Sheet, download_links};
use crate::{AppState, WebError};

fn status_tag(status: assure_plan::PlanStatus) -> Markup {
    let colour = match status {
        assure_plan::PlanStatus::InPlace => "green",
        assure_plan::PlanStatus::InDevelopment => "yellow",
        assure_plan::PlanStatus::Tbc | assure_plan::PlanStatus::ToBeDeveloped => "grey",
    };
    tag(status.label(), colour)
}

pub async fn list_plans(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let mut plans: Vec<_> = plan.delivering_plans.iter().collect();
    plans.sort_by_key(|p| p.name.to_lowercase());
    Ok(page(
        "Strategies and plans",
        &[],
        html! {
            h1 { "Strategies and plans" }
            p { (plans.len()) " strategies and plans deliver the commitments of the plan." }
            (download_links("/plans.csv"))
            (table(html! { "Strategies and plans" }, true, &[("Strategy or plan", false), ("Status", false), ("Commitments", true)], html! {
                    @for p in plans {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { a href={ "/plans/" (p.id.get_ref()) } { (p.name) } }
                            td class="nhsuk-table__cell" { (status_tag(*p.status.get_ref())) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (plan.links_to_delivering_plan(p.id.get_ref()).len()) }
                        }
                    }
                }))
        },
    ))
}

/// The register of strategies and plans as CSV.
pub async fn register_csv(state: State<AppState>) -> Result<axum::response::Response, WebError> {
    register(state, Download::Csv).await
}

/// The register of strategies and plans as a spreadsheet.
pub async fn register_xlsx(state: State<AppState>) -> Result<axum::response::Response, WebError> {
    register(state, Download::Xlsx).await
}

/// The register: one row for every place a strategy or plan delivers a commitment (or an
/// enabler), with who leads it there, as the plan writes it and as the registry reads it.
async fn register(State(state): State<AppState>, format: Download) -> Result<axum::response::Response, WebError> {
    let plan = state.plan().await?;
    let mut plans: Vec<_> = plan.delivering_plans.iter().collect();
    plans.sort_by_key(|p| p.name.to_lowercase());
    let mut sheet = Sheet::new(
        "plan-register",
        &[
            "plan_id",
            "strategy_or_plan",
            "status",
            "outcome",
            "commitment_or_enabler",
            "title",
            "as_written",
            "led_by",
            "led_by_as_written",
            "source_line",
        ],
    );
    for p in plans {
        let d = assure_plan::query::plan_detail(&plan, p);
        for u in &d.uses {
            let leads: Vec<&str> = u.led_by.iter().map(|l| plan.organisation_name(l.get_ref())).collect();
            sheet.push(vec![
                Cell::text(p.id.get_ref().clone()),
                Cell::text(p.name.clone()),
                Cell::text(p.status.get_ref().label()),
                Cell::number(u.outcome.map(f64::from)),
                Cell::text(u.under),
                Cell::text(u.title),
                Cell::text(u.plan_text),
                Cell::text(leads.join("; ")),
                Cell::text(u.led_by_text),
                Cell::Number(f64::from(u.line)),
            ]);
        }
    }
    sheet.download(format)
}

pub async fn show_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(updated): Query<Updated>,
) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let authors = authors(state.blocking(|s| Ok(s.store().accounts()?)).await?);
    let p = plan.delivering_plan(&id).ok_or_else(|| missing("strategy or plan", &id))?;
    let d = assure_plan::query::plan_detail(&plan, p);
    Ok(page(
        &p.name,
        &[crumb("Strategies and plans", "/plans")],
        html! {
            (saved_banner(updated.updated.as_deref()))
            span class="nhsuk-caption-l" { "Strategy or plan" }
            h1 { (p.name) }
            p class="assure-meta" { (status_tag(*p.status.get_ref())) }
            @if !p.aliases.is_empty() { p { "Also written as: " (p.aliases.join("; ")) } }
            (source(&plan, p.line))
            h2 { "What it delivers" }
            (table(html! { "Commitments delivered by " (p.name) }, true, &[("Commitment", false), ("As written in the plan", false), ("Led by", false)], html! {
                    @for u in &d.uses {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" {
                                @if u.outcome.is_some() { a href={ "/commitments/" (u.under) } { (u.title) } } @else { (u.title) " (enabler)" }
                            }
                            td class="nhsuk-table__cell" { (u.plan_text) }
                            td class="nhsuk-table__cell" {
                                @if u.led_by.is_empty() { (u.led_by_text) } @else { (organisation_links(&plan, u.led_by)) }
                            }
                        }
                    }
                }))
            @let milestones: Vec<_> = delivery.milestones(&plan).into_iter()
                .filter(|m| m.added.is_some_and(|a| a.delivering_plan == id) || m.example.is_some_and(|e| e.plans.iter().any(|p| p.get_ref() == &id)))
                .collect();
            h2 { "Milestones" }
            @if milestones.is_empty() { p { "No milestone is recorded for this plan." } }
            @else {
                (table(html! { "Milestones of " (p.name) }, true, &[("Milestone", false), ("Expected", false), ("Status", false)], html! {
                    @for m in &milestones {
                        @let pr = delivery.progress(ItemKind::Milestone, m.id, m.due);
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" {
                                a href={ "/milestones/" (m.id) } { (m.title) }
                                @if m.added.is_some() { p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { "Added by a partner" } }
                            }
                            td class="nhsuk-table__cell" { (pr.due) }
                            td class="nhsuk-table__cell" { (delivery_tag(pr.status)) (flag_tags(&pr)) }
                        }
                    }
                }))
            }
            (delivery_section(&plan, &delivery, ItemKind::DeliveringPlan, &id, None, &authors))
        },
    ))
}
