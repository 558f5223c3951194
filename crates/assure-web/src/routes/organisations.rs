//! Organisations: the registry, and one organisation with everything it leads, through
//! its directorates too, grouped by outcome.

use axum::extract::{Path, State};
use maud::{Markup, html};

use crate::components::table;
use crate::components::{crumb, delivering_plan_links, missing, page};
use crate::{AppState, WebError};

pub async fn list_organisations(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let mut orgs: Vec<_> = plan.organisations.iter().collect();
    orgs.sort_by_key(|o| o.name.to_lowercase());
    Ok(page(
        "Organisations",
        &[],
        html! {
            h1 { "Organisations" }
            p { "The " (orgs.len()) " organisations, directorates, boards and partnerships that lead the plan's work." }
            ul class="nhsuk-list" {
                @for o in orgs {
                    li { a href={ "/organisations/" (o.id.get_ref()) } { (o.name) } }
                }
            }
        },
    ))
}

pub async fn show_organisation(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let o = plan.organisation(&id).ok_or_else(|| missing("organisation", &id))?;
    let leads = assure_plan::query::organisation_leads(&plan, o);
    Ok(page(
        &o.name,
        &[crumb("Organisations", "/organisations")],
        html! {
            span class="nhsuk-caption-l" { "Organisation" }
            h1 { (o.name) }
            @if !o.aliases.is_empty() { p { "Also known as: " (o.aliases.join("; ")) } }
            @if let Some(parent) = leads.parent {
                p { "Part of " a href={ "/organisations/" (parent.id.get_ref()) } { (parent.name) } "." }
            }
            @if !leads.parts.is_empty() {
                p {
                    "Includes: "
                    @for (i, part) in leads.parts.iter().enumerate() {
                        @if i > 0 { "; " }
                        a href={ "/organisations/" (part.id.get_ref()) } { (part.name) }
                    }
                }
            }
            p { "Leads " (leads.link_count) " delivery links across " (leads.outcomes.len()) " outcomes, through " (leads.plans.len()) " strategies and plans." }
            @for group in &leads.outcomes {
                h2 { a href={ "/outcomes/" (group.outcome) } { "Outcome " (group.outcome) ": " (group.title) } }
                (table(html! { "What " (o.name) " leads under outcome " (group.outcome) }, true, &[("Commitment", false), ("Strategy or plan", false), ("Through", false)], html! {
                        @for l in &group.links {
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell" { a href={ "/commitments/" (l.commitment_id) } { (l.commitment) } }
                                td class="nhsuk-table__cell" { (delivering_plan_links(&plan, &l.link.plans)) }
                                td class="nhsuk-table__cell" {
                                    @for (i, t) in l.through.iter().enumerate() { @if i > 0 { ", " } (plan.organisation_name(t)) }
                                }
                            }
                        }
                    }))
            }
            @if !leads.enabler_items.is_empty() {
                h2 { "Enablers" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for e in &leads.enabler_items {
                        li { (e.commitment) ": " (e.item.text.as_deref().or(e.item.plan_text.as_deref()).unwrap_or_default()) }
                    }
                }
            }
            @if !leads.places.is_empty() {
                h2 { "Places" }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for p in &leads.places { li { a href={ "/places/" (p.id.get_ref()) } { (p.name) } } }
                }
            }
        },
    ))
}
