//! Reports from the live data: the annual report, place reports and deep-dive packs, each
//! as print-ready HTML or as PDF (`?format=pdf`). Admins issue the annual report, which
//! records what it showed so that the next one can say what changed.

use std::collections::HashMap;

use assure_app::{ReportFormat, ReportRequest, Views};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, Signed, SignedForm};
use crate::components::{csrf_field, page, report_links, table};
use crate::{AppState, WebError};

/// How a report is wanted.
fn wants(q: &HashMap<String, String>) -> Result<ReportFormat, WebError> {
    match q.get("format").map(String::as_str) {
        None | Some("html") => Ok(ReportFormat::Html),
        Some("pdf") => Ok(ReportFormat::Pdf),
        Some(other) => {
            Err(WebError::BadRequest { field: "format".into(), detail: format!("must be html or pdf (got '{other}')") })
        }
    }
}

/// Generate a report from the served views (kept per revision); with `issue_as`,
/// record the annual report as issued by that person.
async fn render(
    state: &AppState,
    request: ReportRequest,
    format: ReportFormat,
    issue_as: Option<String>,
) -> Result<Vec<u8>, WebError> {
    let views =
        Views { plan: state.plan().await?, tracking: state.tracking().await?, delivery: state.delivery().await? };
    state.blocking(move |s| Ok(s.app().render_report(&views, &request, format, issue_as.as_deref())?)).await
}

/// Answer a report request as a page or a PDF.
async fn answer(state: &AppState, request: ReportRequest, q: &HashMap<String, String>) -> Result<Response, WebError> {
    let format = wants(q)?;
    let file = request.file_name();
    let bytes = render(state, request, format, None).await?;
    let mut r = bytes.into_response();
    if format == ReportFormat::Pdf {
        let disposition = HeaderValue::from_str(&format!("inline; filename=\"{file}.pdf\""))
            .map_err(|e| WebError::Internal(e.to_string()))?;
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
        r.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    } else {
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    }
    Ok(r)
}

pub async fn annual(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    answer(&state, ReportRequest::Annual, &q).await
}

/// Issue the annual report: record what it shows now (admins).
pub async fn issue_annual(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    access::require_admin(&form.signed)?;
    render(&state, ReportRequest::Annual, ReportFormat::Html, Some(form.signed.account.username.clone())).await?;
    Ok(Redirect::to("/reports?issued=annual").into_response())
}

pub async fn place(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    answer(&state, ReportRequest::Place(key), &q).await
}

pub async fn indicator(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    answer(&state, ReportRequest::Indicator(id), &q).await
}

pub async fn commitment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    answer(&state, ReportRequest::Commitment(id), &q).await
}

pub async fn list_reports(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
    request: Request,
) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let signed = request.extensions().get::<Signed>().cloned();
    let plan_id = plan.meta.id.get_ref().clone();
    let last = state.blocking(move |s| Ok(s.app().annual_report_issued(&plan_id)?)).await?;
    let mut areas: Vec<_> = plan
        .areas
        .iter()
        .filter(|a| plan.organisations.iter().any(|o| o.area.as_ref().is_some_and(|x| x.get_ref() == a.id.get_ref())))
        .collect();
    areas.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(page(
        "Reports",
        &[],
        html! {
            @if q.contains_key("issued") { (crate::components::success_banner("Annual report issued: the next one will say what changed since now")) }
            h1 { "Reports" }
            p { "Every report is generated from the live data when you open it, as a web page ready to print or as a PDF." }
            h2 { "Annual report of the Integrated Care Partnership" }
            p { (report_links("/reports/annual", "Annual report")) }
            p {
                @match &last {
                    Some(at) => { "Last issued " (at.get(..10).unwrap_or(at)) ". The report lists what changed since then." }
                    None => "Not issued yet: once an admin issues it, the next report lists what changed since.",
                }
            }
            @if let Some(s) = signed.as_ref().filter(|s| s.account.role == assure_store::Role::Admin) {
                form method="post" action="/reports/annual/issue" {
                    (csrf_field(s))
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Issue the annual report now" }
                }
            }
            h2 { "Place reports" }
            p { "For an area: its outcomes, what is led there and how it is going, and how the voluntary and community sector is involved." }
            (table(html! { "Place reports" }, true, &[("Area", false), ("Report", false)], html! {
                @for a in &areas {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { (a.name) }
                        td class="nhsuk-table__cell" { (report_links(&format!("/reports/places/{}", a.id.get_ref()), &format!("Place report for {}", a.name))) }
                    }
                }
            }))
            h2 { "Deep-dive packs" }
            p { "Every indicator and every commitment has one: open it from the indicator's or commitment's page." }
        },
    ))
}
