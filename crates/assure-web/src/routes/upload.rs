//! The upload page for editors: the same import as `assure data import`, from a browser.

use assure_app::{AppError, DataImportRequest, DataSource};
use assure_plan::Diagnostics;
use assure_store::{ImportMode, Role};
use axum::extract::{Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::access::{self, Signed};
use crate::components::page;
use crate::components::{FieldError, choices, csrf_field, error_summary, form_title, success_banner, textarea};
use crate::{AppState, WebError};

/// The largest file accepted from a browser (larger files: `assure data import`).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

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

/// A body larger than the upload page takes.
fn too_large() -> WebError {
    WebError::TooLarge(format!(
        "The file is larger than {} MB, the most the upload page takes. Import it with `assure data import FILE`.",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    ))
}

/// A multipart body that cannot be read (cut off, malformed, or over the limit).
fn body_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    WebError::BadRequest { field: "form".into(), detail: e.body_text() }
}

pub async fn show_upload(request: Request) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    may_upload(&s)?;
    Ok(upload_page(&s, &[], &Diagnostics::new(), None, "", &[]))
}

pub async fn upload(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    // Who is asking, and how much they send, are checked before the body is read, so
    // that nobody who may not upload can make the server read (or hold) a large body;
    // refused writes say `Connection: close`, so the sender stops.
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    may_upload(&s)?;
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_UPLOAD_BYTES as u64) {
        return Err(too_large());
    }
    let expired = || {
        WebError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        )
    };
    let mut multipart = <Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
        .await
        .map_err(|e| WebError::BadRequest { field: "form".into(), detail: e.body_text() })?;
    let (mut csrf_checked, mut map, mut options, mut file) = (false, String::new(), Vec::new(), None);
    loop {
        let field = multipart.next_field().await.map_err(body_error)?;
        let Some(mut field) = field else { break };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            // The form sends its token first: no file is read from a form without it.
            if !csrf_checked {
                return Err(expired());
            }
            // Streamed to a temporary file, not gathered in memory.
            let file_name = field.file_name().map_or_else(|| "upload.csv".to_owned(), str::to_owned);
            let mut spool =
                tempfile::NamedTempFile::new().map_err(|e| WebError::Internal(format!("temporary file: {e}")))?;
            let mut size = 0usize;
            while let Some(chunk) = field.chunk().await.map_err(body_error)? {
                size += chunk.len();
                if size > MAX_UPLOAD_BYTES {
                    return Err(too_large());
                }
                std::io::Write::write_all(spool.as_file_mut(), &chunk)
                    .map_err(|e| WebError::Internal(format!("temporary file: {e}")))?;
            }
            file = Some((file_name, spool, size));
            continue;
        }
        let bytes = field.bytes().await.map_err(body_error)?;
        let text = String::from_utf8_lossy(&bytes).trim().to_owned();
        match name.as_str() {
            "csrf" if access::csrf_matches(&s, &text) => csrf_checked = true,
            "csrf" => return Err(expired()),
            "map" => map = text,
            "options" => options.push(text),
            _ => {}
        }
    }
    if !csrf_checked {
        return Err(expired());
    }
    // The import reads the spooled file (twice) from disk: an upload is never held whole.
    let file = file.filter(|(_, _, size)| *size > 0).map(|(name, spool, _)| (name, spool));
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
