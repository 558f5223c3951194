//! The upload page for editors: the same import as `assure data import`, from a browser.

use assure_app::{AppError, DataImportRequest, DataSource};
use assure_plan::Diagnostics;
use assure_store::{ImportMode, Role};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::access::{self, Signed};
use crate::components::{FieldError, choices, csrf_field, error_summary, form_title, success_banner, textarea};
use crate::components::{page, read_upload};
use crate::{AppState, WebError};

fn may_upload(s: &Signed) -> Result<(), WebError> {
    match s.account.role {
        Role::Admin | Role::Editor => Ok(()),
        Role::Viewer => Err(WebError::Forbidden("Only editors and admins can upload data.".into())),
    }
}

fn upload_page(
    signed: &Signed,
    errors: &[FieldError],
    problems: &Diagnostics,
    done: Option<Markup>,
    map: &str,
    options: &[String],
) -> Markup {
    page(
        &form_title("Upload indicator data", errors),
        &[],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                @if let Some(d) = done { (d) }
                h1 { "Upload indicator data" }
                p { "A Fingertips \"all data\" CSV, or Assure's own CSV (columns " code { "indicator,area,period,breakdown,value,lower,upper,numerator,denominator,note,source" } "). Every row is checked first; if any is wrong, nothing is stored and each problem is listed by line." }
                @if !problems.is_empty() {
                    h2 { "Problems in the file" }
                    ul class="nhsuk-list nhsuk-list--bullet assure-problems" {
                        @for p in problems { li { code { (p) } } }
                    }
                    @if problems.omitted() > 0 { p { "and " (problems.omitted()) " more." } }
                }
                form method="post" action="/data/upload" enctype="multipart/form-data" novalidate {
                    (csrf_field(signed))
                    div class={ "nhsuk-form-group" @if errors.iter().any(|(f, _)| *f == "file") { " nhsuk-form-group--error" } } {
                        label class="nhsuk-label" for="file" { "The CSV file" }
                        @if let Some((_, e)) = errors.iter().find(|(f, _)| *f == "file") {
                            span class="nhsuk-error-message" id="file-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (e) }
                        }
                        input class="nhsuk-file-upload" id="file" name="file" type="file" accept=".csv,text/csv";
                    }
                    (textarea("map", "Fingertips indicator ids (optional)", Some("For Fingertips ids the plan does not know, one per line: ID=INDICATOR, e.g. 93085=smoking-at-time-of-delivery."), map, errors))
                    (choices("checkbox", "options", "Options", &[
                        ("skip_unknown_areas".into(), "Leave out rows for areas outside the plan (counted)".into()),
                        ("skip_unmapped".into(), "Leave out rows for indicators the plan does not track (counted)".into()),
                        ("new_only".into(), "Refuse rows already stored (otherwise changed rows replace stored ones)".into()),
                    ], options, errors))
                    button class="nhsuk-button" type="submit" { "Upload and import" }
                }
            } }
        },
    )
}

pub async fn show_upload(request: Request) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    may_upload(&s)?;
    Ok(upload_page(&s, &[], &Diagnostics::new(), None, "", &[]))
}

pub async fn upload(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    // Who is asking is checked before the body is read, so that nobody who may not
    // upload can make the server read (or hold) a large body.
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    may_upload(&s)?;
    let form = read_upload(request, &s, "assure data import FILE").await?;
    let (map, options) = (form.field("map").to_owned(), form.values("options"));
    let file = form.file;
    let mut errors: Vec<FieldError> = Vec::new();
    let mut mapping = std::collections::HashMap::new();
    for line in map.lines().map(str::trim).filter(|l| !l.is_empty()) {
        match assure_app::parse_mapping(line) {
            Ok((id, indicator)) => {
                mapping.insert(id, indicator);
            }
            Err(e) => errors.push(("map", e)),
        }
    }
    if file.is_none() {
        errors.push(("file", "Choose a CSV file".into()));
    }
    let respond = |status, errors: &[FieldError], problems: &Diagnostics, done| {
        (status, upload_page(&s, errors, problems, done, &map, &options)).into_response()
    };
    let (Some((name, spool)), true) = (file, errors.is_empty()) else {
        return Ok(respond(StatusCode::UNPROCESSABLE_ENTITY, &errors, &Diagnostics::new(), None));
    };
    let plan = state.plan().await?;
    let request = DataImportRequest {
        plan_id: plan.meta.id.get_ref().clone(),
        source: DataSource::Path { name, path: spool.path().to_owned() },
        map: mapping,
        skip_unknown_areas: options.iter().any(|o| o == "skip_unknown_areas"),
        skip_unmapped: options.iter().any(|o| o == "skip_unmapped"),
        mode: if options.iter().any(|o| o == "new_only") { ImportMode::Insert } else { ImportMode::Merge },
        actor: s.account.username.clone(),
    };
    let imported = state
        .blocking(move |st| {
            let imported = st.app().import_data(&request);
            // Removed once read: kept until then.
            drop(spool);
            Ok(imported)
        })
        .await?;
    match imported {
        Ok(r) => {
            let done = success_banner(&format!("{}: {} rows imported: {}", r.file, r.import.rows, r.counts()));
            Ok(respond(StatusCode::OK, &[], &Diagnostics::new(), Some(done)))
        }
        Err(AppError::InvalidFile { problems, .. }) => {
            let errors = [("file", format!("The file has {} problem(s); nothing was stored", problems.total()))];
            Ok(respond(StatusCode::UNPROCESSABLE_ENTITY, &errors, &problems, None))
        }
        // The map is a field of the form, not a part of the file.
        Err(AppError::UnknownMapTargets(targets)) => {
            let message = targets
                .iter()
                .map(|(id, target)| format!("'{id}={target}': '{target}' is not an indicator of the plan"))
                .collect::<Vec<_>>()
                .join("; ");
            Ok(respond(StatusCode::UNPROCESSABLE_ENTITY, &[("map", message)], &Diagnostics::new(), None))
        }
        Err(e) => Err(e.into()),
    }
}
