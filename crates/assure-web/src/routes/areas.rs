//! Areas of a draft from a file (`/plan-versions/{id}/areas`): the same import as
//! `assure areas import FILE --plan DRAFT`, from a browser, for plan editors.

use assure_app::{AppError, AreasImport, AreasImported};
use assure_plan::areas_file::{COLUMNS, TEMPLATE_CSV};
use assure_plan::{AreaKind, Diagnostics, Plan};
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::access::{self, Signed};
use crate::components::{
    FieldError, crumb, csrf_field, error_summary, form_title, page, read_spooled, read_upload, success_banner,
};
use crate::{AppState, WebError};

/// The signed-in person, if a plan editor, and the draft (404 when there is none).
async fn draft_for(state: &AppState, s: Signed, id: &str) -> Result<(Signed, Plan), WebError> {
    let (account, id) = (s.account.clone(), id.to_owned());
    let plan = state
        .blocking(move |st| {
            st.app().require_plan_editor(&account)?;
            match st.app().store().draft(&id)? {
                Some(d) => Ok(d.plan),
                None => Err(WebError::NotFound(format!(
                    "There is no draft '{id}'. Areas are loaded into a draft of the plan, which is published after its check."
                ))),
            }
        })
        .await?;
    Ok((s, plan))
}

/// How many areas of each neighbourhood kind the draft has: "41 primary care networks".
fn neighbourhood_counts(plan: &Plan) -> Vec<String> {
    AreaKind::ALL
        .into_iter()
        .filter(|k| k.is_neighbourhood())
        .map(|k| (k, plan.areas.iter().filter(|a| a.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{n} {}", if n == 1 { k.label() } else { k.plural() }))
        .collect()
}

fn areas_page(
    signed: &Signed,
    plan: &Plan,
    errors: &[FieldError],
    problems: &Diagnostics,
    done: Option<&AreasImported>,
) -> Markup {
    let id = plan.meta.id.get_ref();
    let counts = neighbourhood_counts(plan);
    page(
        &form_title("Load areas from a file", errors),
        &[crumb(format!("Draft {id}"), format!("/plan-versions/{id}"))],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                @if let Some(r) = done { (success_banner(&format!("{}: {}", r.file, r.counts()))) }
                span class="nhsuk-caption-l" { "Draft " (id) }
                h1 { "Load areas from a file" }
                p { "Load the primary care networks, GP practices and localities the plan's data and residents' feedback can be given for, from a CSV file or an Excel workbook (.xlsx, its first sheet). Every row is checked first; if any is wrong, nothing is changed and each problem is listed by line. A row whose code is already an area of the draft updates that area." }
                p {
                    "The draft has " (plan.areas.len()) " areas"
                    @if !counts.is_empty() { ", of which " (counts.join(", ")) }
                    "."
                }
                @if let Some(r) = done { (summary(r)) }
                @if !problems.is_empty() {
                    h2 { "Problems in the file" }
                    ul class="nhsuk-list nhsuk-list--bullet assure-problems" {
                        @for p in problems { li { code { (p) } } }
                    }
                    @if problems.omitted() > 0 { p { "and " (problems.omitted()) " more." } }
                }
                form method="post" action={ "/plan-versions/" (id) "/areas" } enctype="multipart/form-data" novalidate {
                    (csrf_field(signed))
                    div class={ "nhsuk-form-group" @if errors.iter().any(|(f, _)| *f == "file") { " nhsuk-form-group--error" } } {
                        label class="nhsuk-label nhsuk-label--s" for="file" { "The areas file" }
                        div class="nhsuk-hint" id="file-hint" { "CSV or .xlsx, with a header row." }
                        @if let Some((_, e)) = errors.iter().find(|(f, _)| *f == "file") {
                            span class="nhsuk-error-message" id="file-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (e) }
                        }
                        input class="nhsuk-file-upload" id="file" name="file" type="file" aria-describedby="file-hint"
                            accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
                    }
                    button class="nhsuk-button" type="submit" { "Check and load" }
                }
                h2 { "The columns" }
                p { a href={ "/plan-versions/" (id) "/areas/template.csv" } download="areas-template.csv" { "Download a template (CSV)" } " with the header row and two example rows." }
                dl class="nhsuk-summary-list" {
                    @for (name, required, what) in COLUMNS {
                        div class="nhsuk-summary-list__row" {
                            dt class="nhsuk-summary-list__key" { code { (name) } @if !required { " (optional)" } }
                            dd class="nhsuk-summary-list__value" { (what) }
                        }
                    }
                }
            } }
        },
    )
}

fn or_none(value: &str) -> &str {
    if value.is_empty() { "(none)" } else { value }
}

/// What a loaded file added and changed, and what the draft still needs before it can be published.
fn summary(r: &AreasImported) -> Markup {
    html! {
        @if !r.added.is_empty() {
            h2 { "Added (" (r.added.len()) ")" }
            ul class="nhsuk-list nhsuk-list--bullet assure-columns" {
                @for a in &r.added {
                    li { (a.name) span class="assure-small" { " " code { (a.id.get_ref()) } ", " (a.kind.label()) } }
                }
            }
        }
        @if !r.changed.is_empty() {
            h2 { "Changed (" (r.changed.len()) ")" }
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for c in &r.changed {
                    li {
                        (c.after.name) " " code { (c.after.id.get_ref()) } ": "
                        @for (k, (field, before, after)) in c.fields().iter().enumerate() {
                            @if k > 0 { "; " }
                            (field) " " del { (or_none(before)) } " → " ins { (or_none(after)) }
                        }
                    }
                }
            }
        }
        @if !r.problems.is_empty() {
            div class="nhsuk-warning-callout" {
                h2 class="nhsuk-warning-callout__label" { "The draft cannot be published yet" }
                p { "It has " (r.problems.len()) " problem(s), from other changes, to put right first:" }
                ul { @for p in &r.problems { li { code { (p) } } } }
            }
        }
    }
}

pub async fn show_areas_upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let (s, plan) = draft_for(&state, s, &id).await?;
    Ok(areas_page(&s, &plan, &[], &Diagnostics::new(), None))
}

/// The template: the header row and two example rows.
pub async fn areas_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    draft_for(&state, s, &id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"areas-template.csv\""),
        ],
        TEMPLATE_CSV,
    )
        .into_response())
}

pub async fn upload_areas(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    // Who is asking is checked before the body is read.
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let (s, plan) = draft_for(&state, s, &id).await?;
    let form = read_upload(request, &s, "assure areas import FILE --plan DRAFT").await?;
    let Some((name, spool)) = form.file else {
        let errors = [("file", "Choose a CSV or .xlsx file".to_owned())];
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, areas_page(&s, &plan, &errors, &Diagnostics::new(), None))
            .into_response());
    };
    let bytes = read_spooled(&spool)?;
    let account = s.account.clone();
    let draft = id.clone();
    let result = state
        .blocking(move |st| {
            let import = AreasImport { draft: &draft, file_name: &name, bytes: &bytes };
            Ok(match st.app().import_areas(&account, &import) {
                // The draft as saved, for the counts on the page.
                Ok(r) => Ok((r, st.app().store().draft(&draft)?.map(|d| d.plan))),
                Err(e) => Err(e),
            })
        })
        .await?;
    match result {
        Ok((r, saved)) => {
            let plan = saved.unwrap_or(plan);
            Ok((StatusCode::OK, areas_page(&s, &plan, &[], &Diagnostics::new(), Some(&r))).into_response())
        }
        Err(AppError::InvalidFile { problems, .. }) => {
            let errors = [("file", format!("The file has {} problem(s); nothing was changed", problems.total()))];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, areas_page(&s, &plan, &errors, &problems, None)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
