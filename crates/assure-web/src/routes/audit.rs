//! The audit log, for people signed in: every change, who made it and when.

use assure_store::AuditFilter;
use axum::extract::{Query, Request, State};
use maud::{Markup, html};

use crate::access::{self, Signed};
use crate::components::page;
use crate::components::table;
use crate::{AppState, WebError};

/// Entries shown per page.
const SHOWN: u32 = 200;

pub async fn show_audit(
    State(state): State<AppState>,
    Query(q): Query<Vec<(String, String)>>,
    request: Request,
) -> Result<Markup, WebError> {
    access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    let filter = AuditFilter { entity: get("entity"), actor: get("actor"), limit: Some(SHOWN), ..Default::default() };
    let shown = filter.clone();
    let entries = state.blocking(move |s| Ok(s.store().audit(&shown)?)).await?;
    Ok(page(
        "Audit log",
        &[],
        html! {
            h1 { "Audit log" }
            p { "Every change made through Assure, newest first (the latest " (SHOWN) ")." }
            form method="get" action="/audit" class="assure-filter" {
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="entity" { "Kind of change" }
                    select class="nhsuk-select" id="entity" name="entity" {
                        option value="" { "All" }
                        @for (v, l) in [("delivery_update", "Delivery updates"), ("milestone", "Added milestones"), ("account", "Accounts"), ("api_token", "API tokens"), ("setting", "Settings"), ("observation", "Indicator data"), ("plan", "Plans")] {
                            option value=(v) selected[filter.entity.as_deref() == Some(v)] { (l) }
                        }
                    }
                }
                div class="nhsuk-form-group" {
                    label class="nhsuk-label" for="actor" { "Who (username)" }
                    input class="nhsuk-input nhsuk-input--width-20" id="actor" name="actor" type="text" value=(filter.actor.clone().unwrap_or_default());
                }
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Filter" }
            }
            (table(html! { "Audit log" }, true, &[("When (UTC)", false), ("Who", false), ("What", false), ("Which", false)], html! {
                @for e in &entries {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { (e.at.get(..19).unwrap_or(&e.at).replace('T', " ")) }
                        td class="nhsuk-table__cell" { (e.actor) }
                        td class="nhsuk-table__cell" { (e.action) " " (e.entity.replace('_', " ")) }
                        td class="nhsuk-table__cell" { (e.entity_id) }
                    }
                }
            }))
        },
    ))
}
