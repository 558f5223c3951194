//! For admins: the Fingertips sources fetched on a schedule (`/admin/data-sources`), each
//! with its latest runs, a button to fetch it now and one to remove it, and a form to
//! add one.

use assure_store::{NewFingertipsSource, Refresh};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, choices, crumb, csrf_field, error_summary, form_title, input, page, success_banner, table,
};
use crate::{AppState, WebError};

/// What the add form holds, as typed.
#[derive(Default)]
struct SourceForm {
    indicator: String,
    area_type: String,
    parent_area_type: String,
    parent_area_code: String,
    every: String,
}

/// What the page says above the sources after an action.
enum Said {
    /// It was done: what.
    Done(String),
    /// A fetch failed: why.
    Failed(String),
}

/// A stored time (RFC 3339, UTC) to the minute, as a person reads it: `2026-12-03 09:00 UTC`.
fn when(at: &str) -> String {
    match at.get(..16) {
        Some(minute) => format!("{} UTC", minute.replacen('T', " ", 1)),
        None => at.to_owned(),
    }
}

fn every_options() -> Vec<(String, String)> {
    vec![
        ("daily".into(), "Daily: once a day (UTC)".into()),
        ("weekly".into(), "Weekly: once an ISO week (Monday to Sunday)".into()),
    ]
}

fn sources_page(
    signed: &Signed,
    sources: &[assure_app::SourceStatus],
    f: &SourceForm,
    errors: &[FieldError],
    said: Option<&Said>,
) -> Markup {
    page(
        &form_title("Data from Fingertips", errors),
        &[crumb("Admin", "/admin")],
        html! {
            (error_summary(errors))
            @match said {
                Some(Said::Done(d)) => (success_banner(d)),
                Some(Said::Failed(why)) => {
                    div class="nhsuk-error-summary" aria-labelledby="fetch-failed" role="alert" tabindex="-1" {
                        h2 class="nhsuk-error-summary__title" id="fetch-failed" { "The fetch failed; nothing was written" }
                        div class="nhsuk-error-summary__body" { p class="assure-anywhere" { (why) } }
                    }
                }
                None => {}
            }
            h1 { "Data from Fingertips" }
            p { "Each source below is fetched from OHID Fingertips' \"all data\" download on its schedule (checked within the hour it falls due) and imported as an uploaded file is: checked whole, merged, and nothing written if any row is wrong. Rows for areas that are neither the plan's nor England are left out." }
            @if sources.is_empty() {
                p { "No source yet." }
            } @else {
                @for s in sources {
                    div class="nhsuk-card" { div class="nhsuk-card__content" {
                        h2 class="nhsuk-card__heading nhsuk-heading-s" {
                            "Source " (s.source.id) ": indicator " (s.source.source.indicator_id) ", area type " (s.source.source.area_type_id)
                        }
                        dl class="nhsuk-summary-list" {
                            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Fetched" } dd class="nhsuk-summary-list__value" { (s.source.source.every.as_str()) } }
                            div class="nhsuk-summary-list__row" {
                                dt class="nhsuk-summary-list__key" { "Parent area" }
                                dd class="nhsuk-summary-list__value" {
                                    "type " (s.source.source.parent_area_type_id)
                                    @if let Some(c) = &s.source.source.parent_area_code { ", " (c) }
                                }
                            }
                            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Plan" } dd class="nhsuk-summary-list__value" { (s.source.source.plan_id) } }
                            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Address" } dd class="nhsuk-summary-list__value" { code { (s.url) } } }
                            div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Added" } dd class="nhsuk-summary-list__value" { (when(&s.source.created_at)) " by " (s.source.created_by) } }
                        }
                        @if s.runs.is_empty() {
                            p { "Not run yet." }
                        } @else {
                            (table(html! { "Latest runs of source " (s.source.id) }, false, &[("Started", false), ("Run", false), ("Rows", true), ("Outcome", false)], html! {
                                @for r in &s.runs {
                                    tr class="nhsuk-table__row" {
                                        td class="nhsuk-table__cell" { (when(&r.started_at)) }
                                        td class="nhsuk-table__cell" {
                                            @if r.slot.starts_with("now ") { "Asked for" } @else { "Scheduled (" (r.slot) ")" }
                                        }
                                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { @if let Some(n) = r.rows { (n) } @else { "–" } }
                                        td class="nhsuk-table__cell assure-anywhere" {
                                            @match (&r.finished_at, &r.outcome) {
                                                (Some(_), Some(said)) if r.failed => { strong class="nhsuk-tag nhsuk-tag--red" { "Failed" } " " (said) }
                                                (Some(_), Some(said)) => { (said) }
                                                _ => { "Running, or stopped before it finished" }
                                            }
                                        }
                                    }
                                }
                            }))
                        }
                        div class="assure-form-buttons" {
                            form method="post" action={ "/admin/data-sources/" (s.source.id) "/fetch" } {
                                (csrf_field(signed))
                                button class="nhsuk-button" type="submit" { "Fetch source " (s.source.id) " now" }
                            }
                            form method="post" action={ "/admin/data-sources/" (s.source.id) "/remove" } {
                                (csrf_field(signed))
                                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Remove source " (s.source.id) }
                            }
                        }
                    } }
                }
            }
            h2 { "Add a source" }
            form method="post" action="/admin/data-sources" novalidate {
                (csrf_field(signed))
                (input("indicator", "text", "Fingertips indicator id", Some("As in the indicator's address on Fingertips, e.g. 93085. The plan must map it to one of its indicators."), &f.indicator, errors))
                (input("area_type", "text", "Area type id", Some("e.g. 502 for upper-tier local authorities (from April 2023), 501 for lower-tier"), &f.area_type, errors))
                (input("parent_area_type", "text", "Parent area type id", Some("15 for England (the default), 6 for regions"), &f.parent_area_type, errors))
                (input("parent_area_code", "text", "Parent area code (optional)", Some("Only the children of this area, e.g. E12000008 for the South East region"), &f.parent_area_code, errors))
                (choices("radio", "every", "How often", &every_options(), std::slice::from_ref(&f.every), errors))
                button class="nhsuk-button" type="submit" { "Add source" }
            }
        },
    )
}

async fn sources(state: &AppState) -> Result<Vec<assure_app::SourceStatus>, WebError> {
    state.blocking(|s| Ok(s.app().fingertips_sources(5)?)).await
}

pub async fn list_data_sources(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let signed = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    access::require_admin(&signed)?;
    Ok(sources_page(&signed, &sources(&state).await?, &SourceForm::default(), &[], None))
}

/// A Fingertips id as typed, or the field's problem.
fn id_field(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> u32 {
    match text.parse::<u32>() {
        Ok(n) if n > 0 => n,
        _ => {
            errors.push((field, format!("Enter a Fingertips id: a whole number above 0 (not '{text}')")));
            0
        }
    }
}

pub async fn add_data_source(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let f = SourceForm {
        indicator: form.get("indicator").to_owned(),
        area_type: form.get("area_type").to_owned(),
        parent_area_type: form.get("parent_area_type").to_owned(),
        parent_area_code: form.get("parent_area_code").to_uppercase(),
        every: form.get("every").to_owned(),
    };
    let mut errors = Vec::new();
    let indicator = id_field("indicator", &f.indicator, &mut errors);
    let area_type = id_field("area_type", &f.area_type, &mut errors);
    let parent_area_type = if f.parent_area_type.is_empty() {
        assure_app::ENGLAND_AREA_TYPE
    } else {
        id_field("parent_area_type", &f.parent_area_type, &mut errors)
    };
    let every = Refresh::parse(&f.every);
    if every.is_none() {
        errors.push(("every", "Choose how often: daily or weekly".into()));
    }
    if let (Some(every), true) = (every, errors.is_empty()) {
        let plan = state.plan().await?;
        let source = NewFingertipsSource {
            plan_id: plan.meta.id.get_ref().clone(),
            indicator_id: indicator,
            area_type_id: area_type,
            parent_area_type_id: parent_area_type,
            parent_area_code: Some(f.parent_area_code.clone()).filter(|c| !c.is_empty()),
            every,
        };
        let account = form.signed.account.clone();
        match state.blocking(move |s| Ok(s.app().add_fingertips_source(&account, &source)?)).await {
            Ok(added) => {
                let done = Said::Done(format!(
                    "Source {} added: fetched {} from the next hour",
                    added.id,
                    added.source.every.as_str()
                ));
                return Ok(sources_page(
                    &form.signed,
                    &sources(&state).await?,
                    &SourceForm::default(),
                    &[],
                    Some(&done),
                )
                .into_response());
            }
            Err(WebError::Invalid(problems)) => errors.extend(problems),
            Err(e) => return Err(e),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, sources_page(&form.signed, &sources(&state).await?, &f, &errors, None))
        .into_response())
}

pub async fn remove_data_source(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let account = form.signed.account.clone();
    state.blocking(move |s| Ok(s.app().remove_fingertips_source(&account, id)?)).await?;
    Ok(Redirect::to("/admin/data-sources").into_response())
}

/// Fetch one source now and show the page with what happened (the run is recorded
/// either way).
pub async fn fetch_data_source_now(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    let account = form.signed.account.clone();
    let now = jiff::Timestamp::now();
    let fetched = state.blocking(move |s| Ok(s.app().fetch_fingertips_source_now(&account, id, now)?)).await?;
    let (status, said) = match fetched {
        Ok(f) => (
            StatusCode::OK,
            Said::Done(format!("Source {id} fetched: {} row(s), {}", f.imported.import.rows, f.imported.counts())),
        ),
        Err(why) => (StatusCode::BAD_GATEWAY, Said::Failed(format!("Source {id}: {why}"))),
    };
    Ok((status, sources_page(&form.signed, &sources(&state).await?, &SourceForm::default(), &[], Some(&said)))
        .into_response())
}
