//! "How we judge progress": the status rule, in words, as the code applies it.

use axum::extract::State;
use maud::{Markup, html};

use crate::components::page;
use crate::components::status_tag;
use crate::{AppState, WebError};

pub async fn show_rule(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    Ok(page(
        "How we judge progress",
        &[],
        html! {
            h1 { "How we judge progress" }
            p class="nhsuk-lede-text" {
                "Every strategic indicator of " (plan.meta.title) " has a status, computed from its data against the target the plan sets. Nobody types a status in: the same rule is applied to every indicator, and the reason is shown beside it."
            }
            p { "The statuses are " (status_tag(assure_tracking::Status::Achieved)) " " (status_tag(assure_tracking::Status::OnTrack)) " "
                (status_tag(assure_tracking::Status::AtRisk)) " " (status_tag(assure_tracking::Status::OffTrack)) " and " (status_tag(assure_tracking::Status::NoData)) "." }
            @for (heading, text) in assure_tracking::status::RULE {
                h2 { (heading) }
                p { (text) }
            }
            h2 { "Statements with several parts" }
            p { "Where the plan's sentence sets more than one target (for example healthy weight maintained and severe obesity reduced), each part is tracked on its own; the statement as a whole shows the status of its part that needs most attention." }
            h2 { "Intervals" }
            p { "Where data gives counts, values and their 95% confidence intervals are computed with the methods used for England's public health indicators (Wilson score intervals for proportions; Byar's or exact Poisson limits for rates). Published values are kept as published." }
        },
    ))
}
