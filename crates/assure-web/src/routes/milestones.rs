//! A milestone of a shared delivery example.

use axum::extract::{Path, State};
use maud::{Markup, html};

use super::{crumb, missing, outcome_crumb, page};
use crate::layout::source;
use crate::{AppState, WebError};

pub async fn show_milestone(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let (example, m) = plan.milestone(&id).ok_or_else(|| missing("milestone", &id))?;
    let n = *example.outcome.get_ref();
    Ok(page(
        &m.title,
        &[outcome_crumb(n), crumb(example.title.clone(), format!("/examples/{}", example.id.get_ref()))],
        html! {
            span class="nhsuk-caption-l" { "Milestone of " (example.title) }
            h1 { (m.title) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Due" }
                    dd class="nhsuk-summary-list__value" { (m.due.get_ref()) }
                }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "As the plan puts it" }
                    dd class="nhsuk-summary-list__value" { (m.text) }
                }
            }
            (source(&plan, m.line))
        },
    ))
}
