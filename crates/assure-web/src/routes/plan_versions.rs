//! Versions of the plan: the list (published, superseded, and drafts for people signed
//! in), starting a draft, a version readable whole at its own address and as its TOML
//! files, the diff between any two (as a page, CSV and spreadsheet; or against a zip of
//! plan files, not stored), and publishing a draft.
//!
//! Drafts are never shown to someone not signed in: their pages answer 404, as if they
//! did not exist. Every page here says `no-store`, so none is kept in the page cache
//! (which is keyed by the served plan's revision, and a draft or another version changes
//! without moving it).

use std::io::Write;

use assure_app::{AppError, PublishPreview, Version};
use assure_plan::diff::{Change, ChangeKind, PlanDiff};
use assure_plan::{Diagnostic, Plan};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, crumb, csrf_field, error_summary, form_title, input, page, select_field, success_banner, table, tag,
};
use crate::export::{Cell, Download, Sheet, download_links};
use crate::{AppState, WebError};

/// The largest zip of plan files taken for a comparison.
pub const MAX_ZIP_BYTES: usize = 8 * 1024 * 1024;

fn signed(request: &Request) -> Option<Signed> {
    request.extensions().get::<Signed>().cloned()
}

/// A page that no cache keeps.
fn fresh(markup: Markup) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], markup).into_response()
}

fn fresh_with(status: StatusCode, markup: Markup) -> Response {
    (status, [(header::CACHE_CONTROL, "no-store")], markup).into_response()
}

fn state_tag(label: &str) -> Markup {
    match label {
        "Published" => tag(label, "green"),
        "Draft" => tag(label, "yellow"),
        _ => tag(label, "grey"),
    }
}

fn date(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// A version by id for this person: drafts only for someone signed in (404 otherwise,
/// saying no more than that there is no such version).
async fn version_for(state: &AppState, who: Option<&Signed>, id: &str) -> Result<(Version, Plan), WebError> {
    let key = id.to_owned();
    let found = state.blocking(move |s| Ok(s.app().version(&key)?)).await;
    match found {
        Ok((v, _)) if v.is_draft() && who.is_none() => Err(no_version(id)),
        Err(WebError::NotFound(_)) => Err(no_version(id)),
        other => other,
    }
}

fn no_version(id: &str) -> WebError {
    WebError::NotFound(format!("There is no version '{id}' of the plan."))
}

/// What the list's forms were given, and their problems.
#[derive(Default)]
struct ListForms {
    from: String,
    id: String,
    title: String,
    errors: Vec<FieldError>,
}

/// Every version, and the forms to start a draft and compare two versions.
pub async fn list_versions(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let who = signed(&request);
    let done = request.uri().query().unwrap_or_default().contains("published=1");
    let page = versions_page(&state, who.as_ref(), ListForms::default(), done).await?;
    Ok(fresh(page))
}

async fn versions_page(
    state: &AppState,
    who: Option<&Signed>,
    forms: ListForms,
    published: bool,
) -> Result<Markup, WebError> {
    let signed_in = who.is_some();
    let account = who.map(|s| s.account.clone());
    let (stored, drafts, may_edit, served) = state
        .blocking(move |s| {
            let stored = s.store().plan_versions()?;
            let drafts = if signed_in { s.store().drafts()? } else { Vec::new() };
            let may_edit = match &account {
                Some(a) => assure_app::may_edit_plan(s.app(), a)?,
                None => false,
            };
            let served = s.store().served_plan(None)?.map(|(id, _)| id);
            Ok((stored, drafts, may_edit, served))
        })
        .await?;
    let mut options: Vec<(String, String)> = Vec::new();
    for d in &drafts {
        options.push((d.id.clone(), format!("{} (draft)", d.id)));
    }
    for v in &stored {
        options.push((v.id.clone(), format!("{} ({})", v.id, v.state.label().to_lowercase())));
    }
    let served_id = served.clone().unwrap_or_default();
    let from = if forms.from.is_empty() { served_id.clone() } else { forms.from.clone() };
    let errors = &forms.errors;
    Ok(page(
        &form_title("Versions of the plan", errors),
        &[],
        html! {
            @if published { (success_banner("The draft is published: it is now the plan this site shows.")) }
            (error_summary(errors))
            h1 { "Versions of the plan" }
            p { "The plan is refreshed every two years. Each version stays readable at its own address; the site shows the latest published one." }
            (table(html! { "Versions" }, true, &[("Version", false), ("State", false), ("Based on", false), ("Who and when", false)], html! {
                @for d in &drafts {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href={ "/plan-versions/" (d.id) } { (d.plan.meta.title) } br; span class="nhsuk-body-s" { (d.id) } }
                        td class="nhsuk-table__cell" { (state_tag("Draft")) }
                        td class="nhsuk-table__cell" { (d.based_on.as_deref().unwrap_or("")) }
                        td class="nhsuk-table__cell" { "Started by " (d.created_by) " on " (date(&d.created_at)) "; last changed by " (d.updated_by) " on " (date(&d.updated_at)) }
                    }
                }
                @for v in &stored {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href={ "/plan-versions/" (v.id) } { (v.title) } br; span class="nhsuk-body-s" { (v.id) } }
                        td class="nhsuk-table__cell" { (state_tag(v.state.label())) @if Some(&v.id) == served.as_ref() { " (shown on this site)" } }
                        td class="nhsuk-table__cell" { (v.based_on.as_deref().unwrap_or("")) }
                        td class="nhsuk-table__cell" {
                            "Published by " (v.published_by) " on " (date(&v.published_at))
                            @if let (Some(at), Some(by)) = (&v.superseded_at, &v.superseded_by) { "; superseded by " (by) " on " (date(at)) }
                        }
                    }
                }
            }))
            @if may_edit {
                h2 { "Start a draft" }
                p { "A draft is a copy of a version under a new id, edited on the web and published when it has no problems. Only people signed in see it." }
                form method="post" action="/plan-versions" novalidate {
                    @if let Some(s) = who { (csrf_field(s)) }
                    (select_field(("from", "from"), "Copy of", None, &options, &from, errors))
                    (input("id", "text", "Id of the new version", Some("Lower-case letters, digits and hyphens, such as kent-and-medway-2026-28."), &forms.id, errors))
                    (input("title", "text", "Title (optional)", Some("Leave empty to keep the title of the version copied."), &forms.title, errors))
                    button class="nhsuk-button" type="submit" { "Start the draft" }
                }
            }
            h2 { "Compare two versions" }
            form method="get" action="/plan-versions/diff" novalidate {
                (select_field(("from", "compare-from"), "From (older)", None, &options, &served_id, &[]))
                (select_field(("to", "compare-to"), "To (newer)", None, &options, options.first().map_or("", |o| o.0.as_str()), &[]))
                button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Compare" }
            }
            @if let Some(s) = who {
                h2 { "Compare plan files with a version" }
                p { "Upload a .zip of the plan's TOML files (as " code { "assure export" } " writes them) to see how they differ from a version. Nothing is stored." }
                form method="post" action="/plan-versions/compare" enctype="multipart/form-data" novalidate {
                    (csrf_field(s))
                    (select_field(("against", "against"), "Compare with", None, &options, &served_id, &[]))
                    div class="nhsuk-form-group" {
                        label class="nhsuk-label" for="file" { "Zip of plan files" }
                        input class="nhsuk-file-upload" id="file" name="file" type="file" accept=".zip,application/zip";
                    }
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Compare the files" }
                }
            }
        },
    ))
}

/// Start a draft (admins and plan editors).
pub async fn start_draft(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let forms = ListForms {
        from: form.get("from").to_owned(),
        id: form.get("id").to_owned(),
        title: form.get("title").to_owned(),
        errors: Vec::new(),
    };
    let (account, from, id, title) =
        (form.signed.account.clone(), forms.from.clone(), forms.id.clone(), forms.title.clone());
    let started = state
        .blocking(move |s| {
            Ok(s.app().start_draft(&account, &from, &id, Some(title.as_str()).filter(|t| !t.is_empty())))
        })
        .await?;
    match started {
        Ok(draft) => Ok(Redirect::to(&format!("/plan-versions/{}?started=1", draft.id)).into_response()),
        Err(AppError::Rejected(errors)) => {
            let page = versions_page(&state, Some(&form.signed), ListForms { errors, ..forms }, false).await?;
            Ok(fresh_with(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(AppError::Store(assure_store::StoreError::NoSuchPlan(_)) | AppError::NotFound { .. }) => {
            let errors = vec![("from", format!("There is no version '{}' to copy", forms.from))];
            let page = versions_page(&state, Some(&form.signed), ListForms { errors, ..forms }, false).await?;
            Ok(fresh_with(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Err(e) => Err(e.into()),
    }
}

fn summary_row(key: &str, value: Markup) -> Markup {
    html! {
        div class="nhsuk-summary-list__row" {
            dt class="nhsuk-summary-list__key" { (key) }
            dd class="nhsuk-summary-list__value" { (value) }
        }
    }
}

fn problem_list(problems: &[Diagnostic]) -> Markup {
    html! {
        ul class="nhsuk-list nhsuk-list--bullet" {
            @for p in problems { li { code { (p.to_string()) } } }
        }
    }
}

/// A version, whole: every part of the plan as it stands in it.
pub async fn show_version(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let who = signed(&request);
    let (version, plan) = version_for(&state, who.as_ref(), &id).await?;
    let query = request.uri().query().unwrap_or_default();
    let draft_problems = if version.is_draft() { assure_app::check_plan(&plan) } else { Vec::new() };
    let may_edit = match &who {
        Some(s) => {
            let a = s.account.clone();
            state.blocking(move |st| Ok(assure_app::may_edit_plan(st.app(), &a)?)).await?
        }
        None => false,
    };
    let label = version.label();
    Ok(fresh(page(
        &plan.meta.title,
        &[crumb("Versions of the plan", "/plan-versions")],
        html! {
            @if query.contains("started=1") { (success_banner("The draft is started. Only people signed in can see it.")) }
            span class="nhsuk-caption-l" { "Version " (id) }
            h1 { (plan.meta.title) }
            dl class="nhsuk-summary-list" {
                (summary_row("State", state_tag(label)))
                (summary_row("Period", html! { (plan.meta.period) }))
                @match &version {
                    Version::Stored(v) => {
                        @if let Some(b) = &v.based_on { (summary_row("Based on", html! { a href={ "/plan-versions/" (b) } { (b) } })) }
                        (summary_row("Published", html! { (date(&v.published_at)) " by " (v.published_by) }))
                        @if let (Some(at), Some(by)) = (&v.superseded_at, &v.superseded_by) { (summary_row("Superseded", html! { (date(at)) " by " (by) })) }
                    }
                    Version::Draft { based_on, updated_by, updated_at } => {
                        @if let Some(b) = based_on { (summary_row("Based on", html! { a href={ "/plan-versions/" (b) } { (b) } })) }
                        (summary_row("Last changed", html! { (date(updated_at)) " by " (updated_by) }))
                    }
                }
            }
            @if version.is_draft() {
                @if draft_problems.is_empty() {
                    div class="nhsuk-inset-text" { p { "This draft has no problems: it can be published." } }
                } @else {
                    div class="nhsuk-warning-callout" {
                        h2 class="nhsuk-warning-callout__label" { "This draft has " (draft_problems.len()) " problem(s)" }
                        p { "It cannot be published until they are put right (the same checks as " code { "assure check" } ")." }
                        (problem_list(&draft_problems))
                    }
                }
                @if may_edit {
                    p {
                        a class="nhsuk-button" href={ "/plan-versions/" (id) "/edit" } { "Edit this draft" } " "
                        a class="nhsuk-button nhsuk-button--secondary" href={ "/plan-versions/" (id) "/publish" } { "Publish" }
                    }
                }
                @if let Version::Draft { based_on: Some(b), .. } = &version {
                    p { a href={ "/plan-versions/diff?from=" (b) "&to=" (id) } { "What this draft changes from " (b) } }
                }
            }
            p { a href={ "/plan-versions/" (id) "/files.zip" } { "Download this version as its plan files (TOML, zip)" } }
            (plan_body(&plan))
        },
    )))
}

fn names(plan: &Plan, ids: &[assure_plan::Sp<String>], of: impl Fn(&Plan, &str) -> Option<String>) -> String {
    ids.iter().map(|i| of(plan, i.get_ref()).unwrap_or_else(|| i.get_ref().clone())).collect::<Vec<_>>().join(", ")
}

fn plan_name(plan: &Plan, id: &str) -> Option<String> {
    plan.delivering_plans.iter().find(|p| p.id.get_ref() == id).map(|p| p.name.clone())
}

fn organisation_name(plan: &Plan, id: &str) -> Option<String> {
    plan.organisations.iter().find(|o| o.id.get_ref() == id).map(|o| o.name.clone())
}

/// Every part of a plan, in the order of the document.
fn plan_body(plan: &Plan) -> Markup {
    html! {
        h2 { "Outcomes" }
        @for o in &plan.outcomes {
            @let n = *o.number.get_ref();
            h3 { "Outcome " (n) ": " (o.title) }
            p { strong { "Ambition: " } (o.ambition) }
            @let priorities: Vec<_> = plan.priorities.iter().filter(|p| *p.outcome.get_ref() == n).collect();
            @if !priorities.is_empty() {
                h4 { "Priorities" }
                ul class="nhsuk-list nhsuk-list--bullet" { @for p in priorities { li { (p.id.get_ref()) " " (p.title) } } }
            }
            @let commitments: Vec<_> = plan.commitments.iter().filter(|c| *c.outcome.get_ref() == n).collect();
            @if !commitments.is_empty() {
                (table(html! { "Commitments of outcome " (n) }, false, &[("Commitment", false), ("Delivered through", false), ("Led by", false)], html! {
                    @for c in commitments {
                        @if c.links.is_empty() {
                            tr class="nhsuk-table__row" { td class="nhsuk-table__cell" { (c.title) } td class="nhsuk-table__cell" {} td class="nhsuk-table__cell" {} }
                        }
                        @for (i, l) in c.links.iter().enumerate() {
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell" { @if i == 0 { (c.title) } }
                                td class="nhsuk-table__cell" { (names(plan, &l.plans, plan_name)) }
                                td class="nhsuk-table__cell" { (names(plan, &l.led_by, organisation_name)) }
                            }
                        }
                    }
                }))
            }
            @let indicators: Vec<_> = plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).collect();
            @if !indicators.is_empty() {
                (table(html! { "Indicators of outcome " (n) }, false, &[("Indicator", false), ("Baseline", false), ("Target", false)], html! {
                    @for i in indicators {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (i.measure) }
                            td class="nhsuk-table__cell" { @if let (Some(b), Some(u)) = (&i.baseline, i.unit) { (b.describe(u)) } }
                            td class="nhsuk-table__cell" { @if let (Some(t), Some(u)) = (&i.target, i.unit) { (t.describe(u)) } }
                        }
                        @for p in &i.parts {
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell" { "Part: " (p.measure) }
                                td class="nhsuk-table__cell" { @if let Some(b) = &p.baseline { (b.describe(p.unit)) } }
                                td class="nhsuk-table__cell" { (p.target.describe(p.unit)) }
                            }
                        }
                    }
                }))
            }
            @let examples: Vec<_> = plan.delivery_examples.iter().filter(|e| *e.outcome.get_ref() == n).collect();
            @for e in examples {
                h4 { "Delivery example: " (e.title) }
                @if !e.milestones.is_empty() {
                    ul class="nhsuk-list nhsuk-list--bullet" { @for m in &e.milestones { li { (m.title) " (" (m.due.get_ref()) ")" } } }
                }
            }
        }
        h2 { "Enablers" }
        ul class="nhsuk-list nhsuk-list--bullet" { @for e in &plan.enablers { li { (e.number) ". " (e.title) } } }
        h2 { "Place priorities" }
        @for p in &plan.places {
            @if !p.priorities.is_empty() {
                h3 { (p.name) }
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for pr in &p.priorities {
                        li { (pr.title) " (outcomes " (pr.outcomes.iter().map(|o| o.get_ref().to_string()).collect::<Vec<_>>().join(", ")) ")" }
                    }
                }
            }
        }
        h2 { "Areas" }
        (table(html! { "Areas" }, true, &[("Area", false), ("Kind", false), ("Code", false), ("Part of", false)], html! {
            @for a in &plan.areas {
                tr class="nhsuk-table__row" {
                    td class="nhsuk-table__cell" { (a.name) }
                    td class="nhsuk-table__cell" { (a.kind.label()) }
                    td class="nhsuk-table__cell" { @if let Some(c) = &a.code { (c.get_ref()) } }
                    td class="nhsuk-table__cell" { @if let Some(p) = &a.parent { (p.get_ref()) } }
                }
            }
        }))
    }
}

/// A plan's files as a zip, each at the top level under its canonical name.
fn zip_of(plan: &Plan) -> Result<Vec<u8>, WebError> {
    let files = assure_plan::write::to_files(plan).map_err(|e| WebError::Internal(e.to_string()))?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let fail = |e: &dyn std::fmt::Display| WebError::Internal(format!("writing the zip: {e}"));
    for f in files {
        zip.start_file(f.name.as_str(), options).map_err(|e| fail(&e))?;
        zip.write_all(f.text.as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// The version as its TOML files (the bytes `assure export` writes), zipped.
pub async fn version_files(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let (_, plan) = version_for(&state, signed(&request).as_ref(), &id).await?;
    let bytes = zip_of(&plan)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}.zip\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// `?from=A&to=B`.
#[derive(Deserialize)]
pub struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

async fn diff_of(state: &AppState, who: Option<&Signed>, q: &DiffQuery) -> Result<(PlanDiff, Plan, Plan), WebError> {
    let field = |v: &Option<String>, name: &str| {
        v.clone().filter(|s| !s.trim().is_empty()).ok_or_else(|| WebError::BadRequest {
            field: name.to_owned(),
            detail: format!("Choose the version to compare {name}"),
        })
    };
    let (from, to) = (field(&q.from, "from")?, field(&q.to, "to")?);
    let (_, before) = version_for(state, who, &from).await?;
    let (_, after) = version_for(state, who, &to).await?;
    Ok((assure_plan::diff::diff(&before, &after), before, after))
}

fn kind_label(k: ChangeKind) -> &'static str {
    match k {
        ChangeKind::Added => "Added",
        ChangeKind::Removed => "Removed",
        ChangeKind::Changed => "Changed",
    }
}

fn change_card(c: &Change) -> Markup {
    let colour = match c.kind {
        ChangeKind::Added => "green",
        ChangeKind::Removed => "red",
        ChangeKind::Changed => "blue",
    };
    html! {
        div class="nhsuk-card" {
            div class="nhsuk-card__content" {
                h4 class="nhsuk-card__heading nhsuk-heading-s" { (tag(kind_label(c.kind), colour)) " " (c.item) " " code { (c.id) } }
                p class="nhsuk-card__description" { (c.title) }
                @if !c.fields.is_empty() {
                    (table(html! { "Fields of " (c.item) " " (c.id) " that changed" }, true, &[("Field", false), ("Before", false), ("After", false)], html! {
                        @for f in c.fields.iter().flat_map(assure_app::field_rows) {
                            tr class="nhsuk-table__row" {
                                th class="nhsuk-table__header" scope="row" { (f.field) }
                                td class="nhsuk-table__cell" { (f.before) }
                                td class="nhsuk-table__cell" { (f.after) }
                            }
                        }
                    }))
                }
            }
        }
    }
}

/// The diff as a page body: counts, then the changes by outcome.
fn diff_body(diff: &PlanDiff, before: &Plan, after: &Plan) -> Markup {
    let (added, removed, changed) = diff.counts();
    let groups = assure_app::group_by_outcome(diff, before, after);
    html! {
        ul class="nhsuk-list assure-diff-counts" {
            li { strong { (added) } " added" }
            li { strong { (removed) } " removed" }
            li { strong { (changed) } " changed" }
        }
        @if diff.changes.is_empty() { p { "The two versions have the same content." } }
        @for g in &groups {
            h2 { (g.heading) }
            @for c in &g.changes { (change_card(c)) }
        }
    }
}

/// The diff between two versions.
pub async fn show_diff(
    State(state): State<AppState>,
    Query(q): Query<DiffQuery>,
    request: Request,
) -> Result<Response, WebError> {
    let (diff, before, after) = diff_of(&state, signed(&request).as_ref(), &q).await?;
    let query = format!("from={}&to={}", diff.from, diff.to);
    Ok(fresh(page(
        &format!("Changes from {} to {}", diff.from, diff.to),
        &[crumb("Versions of the plan", "/plan-versions")],
        html! {
            h1 { "Changes from " (diff.from) " to " (diff.to) }
            p { "Items are matched by id and compared field by field; source line numbers are left out." }
            (download_links(&format!("/plan-versions/diff.csv?{query}")))
            p { a href={ "/plan-versions/diff.pdf?" (query) } { "Download the changes as a PDF" } }
            (diff_body(&diff, &before, &after))
        },
    )))
}

/// The diff as rows: one per changed field, or one per added or removed item.
fn diff_sheet(diff: &PlanDiff, before: &Plan, after: &Plan) -> Sheet {
    let mut sheet = Sheet::new("plan-diff", &["Outcome", "Change", "Item", "Id", "Title", "Field", "Before", "After"]);
    for g in assure_app::group_by_outcome(diff, before, after) {
        for c in g.changes {
            let head = |sheet: &mut Sheet, field: &str, b: String, a: String| {
                sheet.push(vec![
                    Cell::text(g.heading.clone()),
                    Cell::text(kind_label(c.kind)),
                    Cell::text(c.item),
                    Cell::text(c.id.clone()),
                    Cell::text(c.title.clone()),
                    Cell::text(field),
                    Cell::text(b),
                    Cell::text(a),
                ])
            };
            if c.fields.is_empty() {
                head(&mut sheet, "", String::new(), String::new());
            }
            for f in c.fields.iter().flat_map(assure_app::field_rows) {
                head(&mut sheet, &f.field, f.before, f.after);
            }
        }
    }
    sheet
}

async fn diff_download(
    state: AppState,
    q: DiffQuery,
    request: Request,
    format: Download,
) -> Result<Response, WebError> {
    let (diff, before, after) = diff_of(&state, signed(&request).as_ref(), &q).await?;
    let mut response = diff_sheet(&diff, &before, &after).download(format)?;
    response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The diff as CSV.
pub async fn diff_csv(
    State(state): State<AppState>,
    Query(q): Query<DiffQuery>,
    request: Request,
) -> Result<Response, WebError> {
    diff_download(state, q, request, Download::Csv).await
}

/// The diff as a spreadsheet.
pub async fn diff_xlsx(
    State(state): State<AppState>,
    Query(q): Query<DiffQuery>,
    request: Request,
) -> Result<Response, WebError> {
    diff_download(state, q, request, Download::Xlsx).await
}

/// The diff typeset as a PDF.
pub async fn diff_pdf(
    State(state): State<AppState>,
    Query(q): Query<DiffQuery>,
    request: Request,
) -> Result<Response, WebError> {
    let (diff, before, after) = diff_of(&state, signed(&request).as_ref(), &q).await?;
    let name = format!("changes-{}-to-{}.pdf", diff.from, diff.to);
    let bytes = state.blocking(move |_| Ok(assure_app::diff_pdf(&diff, &before, &after)?)).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response())
}

/// Read a zip of plan files: every `.toml` file in it, by its name without folders.
fn files_in_zip(bytes: &[u8]) -> Result<Vec<assure_plan::PlanFile>, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| format!("not a zip file: {e}"))?;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|e| format!("entry {i} of the zip cannot be read: {e}"))?;
        let full = entry.name().map_err(|e| format!("entry {i} of the zip has a bad name: {e}"))?.into_owned();
        let name = full.rsplit('/').next().unwrap_or_default().to_owned();
        if entry.is_dir() || !name.ends_with(".toml") {
            continue;
        }
        if entry.size() > MAX_ZIP_BYTES as u64 {
            return Err(format!("{name} is larger than the {} MB a zip may hold", MAX_ZIP_BYTES / 1024 / 1024));
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut entry, &mut text).map_err(|e| format!("{name}: not UTF-8 text ({e})"))?;
        files.push(assure_plan::PlanFile { name, text });
    }
    if files.is_empty() {
        return Err("the zip holds no .toml plan files".into());
    }
    Ok(files)
}

/// Compare an uploaded zip of plan files with a version (nothing is stored).
pub async fn compare_upload(State(state): State<AppState>, request: Request) -> Result<Response, WebError> {
    let who = access::require_signed_in(signed(&request), request.uri().path())?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|e| WebError::BadRequest { field: "file".into(), detail: e.body_text() })?;
    let (mut csrf, mut against, mut bytes) = (String::new(), String::new(), Vec::new());
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| WebError::BadRequest { field: "file".into(), detail: e.body_text() })?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let data =
            field.bytes().await.map_err(|e| WebError::BadRequest { field: name.clone(), detail: e.body_text() })?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&data).into_owned(),
            "against" => against = String::from_utf8_lossy(&data).trim().to_owned(),
            "file" => bytes = data.to_vec(),
            _ => {}
        }
    }
    if !access::csrf_matches(&who, &csrf) {
        return Err(WebError::Forbidden(
            "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
        ));
    }
    let (_, version) = version_for(&state, Some(&who), &against).await?;
    let problems: Vec<String> = match files_in_zip(&bytes) {
        Err(e) => vec![format!("file: {e}")],
        Ok(files) => match assure_plan::load(&files) {
            Ok(uploaded) => {
                let diff = assure_plan::diff::diff(&version, &uploaded);
                return Ok(fresh(page(
                    &format!("Changes from {} to the uploaded files", diff.from),
                    &[crumb("Versions of the plan", "/plan-versions")],
                    html! {
                        h1 { "Changes from " (diff.from) " to the uploaded files" }
                        p { "The files were checked and compared; nothing was stored." }
                        (diff_body(&diff, &version, &uploaded))
                    },
                )));
            }
            Err(assure_plan::LoadError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
            Err(e) => vec![e.to_string()],
        },
    };
    let errors: Vec<FieldError> = problems.into_iter().map(|p| ("file", p)).collect();
    Ok(fresh_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        page(
            &form_title("Compare plan files with a version", &errors),
            &[crumb("Versions of the plan", "/plan-versions")],
            html! {
                (error_summary(&errors))
                h1 { "The uploaded files have problems" }
                p { "Nothing was compared or stored. Put these right and upload the zip again from " a href="/plan-versions" { "Versions of the plan" } "." }
                ul class="nhsuk-list nhsuk-list--bullet" { @for (_, p) in &errors { li { code { (p) } } } }
            },
        ),
    ))
}

fn publish_page(signed: &Signed, id: &str, preview: &PublishPreview, errors: &[FieldError]) -> Markup {
    page(
        &form_title(&format!("Publish {id}"), errors),
        &[crumb("Versions of the plan", "/plan-versions"), crumb(id, format!("/plan-versions/{id}"))],
        html! {
            (error_summary(errors))
            span class="nhsuk-caption-l" { "Draft " (id) }
            h1 { "Publish this version" }
            @match preview {
                PublishPreview::Refused(problems) => {
                    div class="nhsuk-warning-callout" id="draft" {
                        h2 class="nhsuk-warning-callout__label" { "This draft cannot be published" }
                        p { "It has " (problems.len()) " problem(s), found by the same checks as " code { "assure check" } ":" }
                        (problem_list(problems))
                    }
                    p { a href={ "/plan-versions/" (id) "/edit" } { "Edit this draft" } " to put them right." }
                }
                PublishPreview::Ready { diff, served, left_behind } => {
                    @let (added, removed, changed) = diff.counts();
                    p { "Publishing makes this version the plan the site, the API and the reports show."
                        @if let Some(s) = served { " " a href={ "/plan-versions/" (s) } { (s) } " stays readable at its own address, marked superseded." } }
                    h2 { "What changes" }
                    p { strong { (added) } " added, " strong { (removed) } " removed, " strong { (changed) } " changed"
                        @if let Some(s) = served { " (" a href={ "/plan-versions/diff?from=" (s) "&to=" (id) } { "see every change" } ")" } "." }
                    h2 { "What will not carry over" }
                    @if left_behind.is_empty() {
                        p { "Everything recorded against the current version belongs to items this version keeps: all of it carries over." }
                    } @else {
                        p { "These belong to items this version no longer has. They stay with the current version (still readable there) and are not carried over:" }
                        ul class="nhsuk-list nhsuk-list--bullet" {
                            @for (i, n) in &left_behind.observations { li { (n) " observation(s) of indicator " code { (i) } } }
                            @for (i, n) in &left_behind.updates { li { (n) " delivery update(s) of " code { (i) } } }
                            @for (i, n) in &left_behind.added_milestones { li { (n) " milestone(s) partners added to delivering plan " code { (i) } } }
                        }
                    }
                    form method="post" action={ "/plan-versions/" (id) "/publish" } novalidate {
                        (csrf_field(signed))
                        (crate::components::choices("checkbox", "confirm", "Confirm", &[("yes".into(), "I have read what changes and what will not carry over, and want to publish this version".into())], &[], errors))
                        button class="nhsuk-button" type="submit" { "Publish" }
                    }
                }
            }
        },
    )
}

/// What publishing would do, or why it cannot be done (admins and plan editors).
pub async fn show_publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, WebError> {
    let s = access::require_signed_in(signed(&request), request.uri().path())?;
    let (account, key) = (s.account.clone(), id.clone());
    let preview = state.blocking(move |st| Ok(st.app().publish_preview(&account, &key)?)).await?;
    Ok(fresh(publish_page(&s, &id, &preview, &[])))
}

/// Publish a draft.
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let confirmed = form.get("confirm") == "yes";
    let (account, key) = (form.signed.account.clone(), id.clone());
    let result = state.blocking(move |st| Ok(st.app().publish(&account, &key, confirmed))).await?;
    match result {
        Ok(_) => Ok(Redirect::to("/plan-versions?published=1").into_response()),
        Err(AppError::Rejected(errors)) => {
            let (account, key) = (form.signed.account.clone(), id.clone());
            let preview = state.blocking(move |st| Ok(st.app().publish_preview(&account, &key)?)).await?;
            Ok(fresh_with(StatusCode::UNPROCESSABLE_ENTITY, publish_page(&form.signed, &id, &preview, &errors)))
        }
        Err(e) => Err(e.into()),
    }
}
