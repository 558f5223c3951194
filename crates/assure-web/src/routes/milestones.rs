//! A milestone: of a shared delivery example, or added by a partner to a delivering
//! plan; with where it stands and its history of updates.

use assure_plan::delivery::ItemKind;
use axum::extract::{Path, Query, State};
use maud::{Markup, html};

use crate::components::{Updated, authors, delivery_section, saved_banner};
use crate::components::{crumb, missing, outcome_crumb, page};
use crate::components::{glossed, source};
use crate::components::{linked_responses, public_voice};
use crate::{AppState, WebError};

pub async fn show_milestone(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(updated): Query<Updated>,
) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let authors = authors(state.blocking(|s| Ok(s.store().accounts()?)).await?);
    let progress =
        delivery.progress(ItemKind::Milestone, &id, delivery.milestone(&plan, &id).map_or("Ongoing", |m| m.due));
    let m = delivery.milestone(&plan, &id).ok_or_else(|| missing("milestone", &id))?;
    let (caption, crumbs) = match (m.example, m.added) {
        (Some(e), _) => (
            html! { "Milestone of " (e.title) },
            vec![outcome_crumb(*e.outcome.get_ref()), crumb(e.title.clone(), format!("/examples/{}", e.id.get_ref()))],
        ),
        (None, Some(a)) => {
            let name = plan.delivering_plan_name(&a.delivering_plan).to_owned();
            (
                html! { "Milestone of " (name) },
                vec![crumb("Strategies and plans", "/plans"), crumb(name, format!("/plans/{}", a.delivering_plan))],
            )
        }
        (None, None) => return Err(missing("milestone", &id)),
    };
    let voice = public_voice(&state, &plan).await?;
    Ok(page(
        m.title,
        &crumbs,
        html! {
            (saved_banner(updated.updated.as_deref()))
            span class="nhsuk-caption-l" { (caption) }
            h1 { (m.title) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Expected" }
                    dd class="nhsuk-summary-list__value" {
                        (progress.due)
                        @if progress.due_changed { " (the plan said " (m.due) ")" }
                    }
                }
                @if let Some(e) = m.example && let Some(pm) = e.milestones.iter().find(|x| x.id.get_ref() == m.id) {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "As the plan puts it" }
                        dd class="nhsuk-summary-list__value" { (glossed(&pm.text)) }
                    }
                }
                @if let Some(a) = m.added {
                    div class="nhsuk-summary-list__row" {
                        dt class="nhsuk-summary-list__key" { "Added" }
                        dd class="nhsuk-summary-list__value" { "By " (a.created_by) " on " (a.created_at.get(..10).unwrap_or(&a.created_at)) "; not in the published plan." }
                    }
                }
            }
            @if let Some(e) = m.example && let Some(pm) = e.milestones.iter().find(|x| x.id.get_ref() == m.id) {
                (source(&plan, pm.line))
            }
            (delivery_section(&plan, &delivery, ItemKind::Milestone, m.id, Some(m.due), &authors))
            (linked_responses(&plan, &voice, "milestone", m.id))
        },
    ))
}
