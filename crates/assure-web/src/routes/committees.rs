//! Committees, decisions and actions: the governance bodies and their meetings
//! (`/committees`), a meeting with the papers taken to it, its decisions and actions
//! (`/meetings/{id}`), every action with filters and CSV (`/actions`), an action with its
//! history (`/actions/{id}`) and its update form. Public to read; admins record bodies,
//! meetings, papers, decisions and actions; an action's owner organisation updates it.

use std::sync::Arc;

use assure_app::{
    ActionFilter, ActionItem, AppError, Committees, MeetingDecisionFields, MeetingFields, Proposal, describe_link,
    describe_paper, paper_href,
};
use assure_plan::Plan;
use assure_plan::delivery::DeliveryStatus;
use assure_store::{Meeting, Role, Round};
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, UpdateForm, UpdateSubject, action_href, actions_table, crumb, csrf_field, delivery_tag, draft_summary,
    error_summary, flag_tags, form_title, input, page, reported_for, select_field, success_banner, textarea,
    update_page,
};
use crate::export::{Cell, Download, Sheet, download_links};
use crate::{AppState, WebError};

fn committees_crumb() -> (String, String) {
    crumb("Committees", "/committees")
}

async fn load(state: &AppState) -> Result<(Arc<Plan>, Committees), WebError> {
    let plan = state.plan().await?;
    let p = plan.clone();
    let c = state.blocking(move |s| Ok(s.app().committees(&p)?)).await?;
    Ok((plan, c))
}

fn is_admin() -> bool {
    access::current().is_some_and(|s| s.account.role == Role::Admin)
}

/// Every paper that can be taken to a meeting, as (value, label).
fn paper_options(plan: &Plan, rounds: &[Round]) -> Vec<(String, String)> {
    let mut out = vec![(String::new(), "None".to_owned()), ("annual".to_owned(), "Annual report".to_owned())];
    out.extend(plan.place_areas().map(|a| (format!("place:{}", a.id.get_ref()), format!("Place report: {}", a.name))));
    out.extend(
        rounds
            .iter()
            .filter(|r| r.closed_at.is_some())
            .map(|r| (format!("round:{}", r.id), format!("Reporting round snapshot: {}", r.name))),
    );
    out.extend(
        plan.indicators
            .iter()
            .map(|i| (format!("indicator:{}", i.id.get_ref()), format!("Deep dive (indicator): {}", i.measure))),
    );
    out.extend(
        plan.commitments
            .iter()
            .map(|c| (format!("commitment:{}", c.id.get_ref()), format!("Deep dive (commitment): {}", c.title))),
    );
    out
}

fn proposals_section(plan: &Plan, proposals: &[Proposal]) -> Markup {
    html! {
        h2 id="proposed-deep-dives" { "Proposed deep dives" }
        p { "Indicators off track when each of the last two reporting rounds closed, with no deep dive taken to a meeting in the last 12 months." }
        @if proposals.is_empty() {
            p { "None at present." }
        } @else {
            ul class="nhsuk-list nhsuk-list--bullet" {
                @for p in proposals {
                    li {
                        a href={ "/indicators/" (p.indicator) } { (plan.indicator(&p.indicator).map_or(p.indicator.as_str(), |i| i.measure.as_str())) }
                        ": off track at " (p.rounds.0) " and " (p.rounds.1) ". "
                        a href={ "/reports/indicators/" (p.indicator) } { "Deep dive pack" span class="nhsuk-u-visually-hidden" { " for " (p.indicator) } }
                    }
                }
            }
        }
    }
}

/// The bodies, their meetings and the deep dives proposed for the next meeting.
pub async fn list_committees(State(state): State<AppState>) -> Result<Markup, WebError> {
    let (plan, c) = load(&state).await?;
    let today = assure_tracking::delivery::today();
    let (p, cc) = (plan.clone(), c.clone());
    let proposals = state.blocking(move |s| Ok(s.app().proposed_deep_dives(&p, &cc, today))).await?;
    let next = c.next_meeting(today);
    let admin = is_admin();
    let open = c.actions.iter().filter(|a| !a.progress.status.is_some_and(DeliveryStatus::is_finished)).count();
    let overdue = c.actions.iter().filter(|a| a.progress.overdue).count();
    Ok(page(
        "Committees",
        &[],
        html! {
            h1 { "Committees and their decisions" }
            p class="nhsuk-lede-text" { "The bodies that oversee the plan, the reports and deep dives taken to their meetings, and what they decided. Actions are tracked to done like milestones." }
            p { a href="/actions" { "Every action" } ": " (c.actions.len()) " recorded, " (open) " open, " (overdue) " overdue." }
            @if let Some(m) = next { p { "Next meeting: " a href={ "/meetings/" (m.id) } { (m.title) } " on " (m.held_on) "." } }
            @if admin {
                div class="nhsuk-button-group" { a class="nhsuk-button" href="/meetings/new" { "Record a meeting" } }
            }
            (proposals_section(&plan, &proposals))
            h2 { "Bodies and meetings" }
            @for b in &c.bodies {
                @let meetings: Vec<&Meeting> = c.meetings.iter().filter(|m| m.body_id == b.id).collect();
                h3 id={ "body-" (b.id) } { (b.name) }
                @if let Some(o) = &b.organisation { p class="nhsuk-body-s" { "In the plan as " a href={ "/organisations/" (o) } { (plan.organisation_name(o)) } "." } }
                @if meetings.is_empty() { p { "No meeting recorded yet." } }
                @else {
                    ul class="nhsuk-list" {
                        @for m in meetings { li { (m.held_on) ": " a href={ "/meetings/" (m.id) } { (m.title) } } }
                    }
                }
                @if admin { p { a href={ "/committees/bodies/" (b.id) } { "Rename" span class="nhsuk-u-visually-hidden" { " " (b.name) } } } }
            }
            @if admin {
                @if let Some(s) = access::current() {
                    h2 { "Add a body" }
                    form method="post" action="/committees/bodies" novalidate {
                        (csrf_field(&s))
                        (input("name", "text", "Name", None, "", &[]))
                        (select_field(("organisation", "organisation"), "The plan's organisation it is (optional)", None, &organisation_options(&plan, "None"), "", &[]))
                        button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Add the body" }
                    }
                }
            }
        },
    ))
}

fn organisation_options(plan: &Plan, none: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> =
        plan.organisations.iter().map(|o| (o.id.get_ref().clone(), o.name.clone())).collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out.insert(0, (String::new(), none.to_owned()));
    out
}

/// Add a body (admins).
pub async fn add_body(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let (account, name, org) =
        (form.signed.account.clone(), form.get("name").to_owned(), form.get("organisation").to_owned());
    let b = state.blocking(move |s| Ok(s.app().add_body(&account, &plan, &name, &org)?)).await?;
    Ok(Redirect::to(&format!("/committees#body-{}", b.id)).into_response())
}

fn body_page(signed: &Signed, id: i64, name: &str, value: &str, errors: &[FieldError]) -> Markup {
    page(
        &form_title(&format!("Rename: {name}"), errors),
        &[committees_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                span class="nhsuk-caption-l" { "Rename a body" }
                h1 { (name) }
                form method="post" action={ "/committees/bodies/" (id) } novalidate {
                    (csrf_field(signed))
                    (input("name", "text", "New name", None, value, errors))
                    button class="nhsuk-button" type="submit" { "Rename" }
                }
            } }
        },
    )
}

/// The form to rename a body (admins).
pub async fn show_body(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    access::require_admin(&s)?;
    let (_, c) = load(&state).await?;
    let b = c.body(id).ok_or_else(|| WebError::NotFound(format!("There is no governance body {id}.")))?;
    Ok(body_page(&s, id, &b.name, &b.name, &[]))
}

/// Rename a body (admins).
pub async fn rename_body(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let (account, name) = (form.signed.account.clone(), form.get("name").to_owned());
    let p = plan.clone();
    match state.blocking(move |s| Ok(s.app().rename_body(&account, &p, id, &name))).await? {
        Ok(b) => Ok(Redirect::to(&format!("/committees#body-{}", b.id)).into_response()),
        Err(AppError::Rejected(errors)) => {
            let (_, c) = load(&state).await?;
            let old = c.body(id).map_or(String::new(), |b| b.name.clone());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, body_page(&form.signed, id, &old, form.get("name"), &errors))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn meeting_form(signed: &Signed, plan: &Plan, c: &Committees, f: &MeetingFields, errors: &[FieldError]) -> Markup {
    let bodies: Vec<(String, String)> = c.bodies.iter().map(|b| (b.id.to_string(), b.name.clone())).collect();
    let paper = f.papers.first().map_or("", String::as_str);
    page(
        &form_title("Record a meeting", errors),
        &[committees_crumb()],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Record a meeting" }
                form method="post" action="/meetings" novalidate {
                    (csrf_field(signed))
                    (select_field(("body", "body"), "Body", None, &bodies, &f.body, errors))
                    (input("held_on", "text", "Date", Some("As 2027-03-12."), &f.held_on, errors))
                    (input("title", "text", "Title", Some("For example 'ICP, March 2027'."), &f.title, errors))
                    (select_field(("papers", "papers"), "A paper taken to it (optional)", Some("More can be added from the meeting's page."), &paper_options(plan, &c.rounds), paper, errors))
                    button class="nhsuk-button" type="submit" { "Record the meeting" }
                }
            } }
        },
    )
}

/// The form to record a meeting (admins).
pub async fn show_new_meeting(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    access::require_admin(&s)?;
    let (plan, c) = load(&state).await?;
    Ok(meeting_form(&s, &plan, &c, &MeetingFields::default(), &[]))
}

/// Record a meeting (admins).
pub async fn record_meeting(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let fields = MeetingFields {
        body: form.get("body").to_owned(),
        held_on: form.get("held_on").to_owned(),
        title: form.get("title").to_owned(),
        papers: form.fields.iter().filter(|(k, _)| k == "papers").map(|(_, v)| v.clone()).collect(),
    };
    let (account, p, f) = (form.signed.account.clone(), plan.clone(), fields.clone());
    match state.blocking(move |s| Ok(s.app().record_meeting(&account, &p, &f))).await? {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}?saved=1", m.id)).into_response()),
        Err(AppError::Rejected(errors)) => {
            let (_, c) = load(&state).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, meeting_form(&form.signed, &plan, &c, &fields, &errors))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The query of a meeting's page.
#[derive(Deserialize, Default)]
pub struct Saved {
    saved: Option<String>,
}

fn decision_form(
    signed: &Signed,
    plan: &Plan,
    meeting: i64,
    f: &MeetingDecisionFields,
    errors: &[FieldError],
) -> Markup {
    let chosen = |prefix: &str| f.links.iter().find(|l| l.starts_with(prefix)).cloned().unwrap_or_default();
    let mut outcomes = vec![(String::new(), "None".to_owned())];
    outcomes.extend(
        plan.outcomes.iter().map(|o| {
            (format!("outcome:{}", o.number.get_ref()), format!("Outcome {}: {}", o.number.get_ref(), o.title))
        }),
    );
    let mut indicators = vec![(String::new(), "None".to_owned())];
    indicators.extend(plan.indicators.iter().map(|i| (format!("indicator:{}", i.id.get_ref()), i.measure.clone())));
    let mut commitments = vec![(String::new(), "None".to_owned())];
    commitments.extend(plan.commitments.iter().map(|c| (format!("commitment:{}", c.id.get_ref()), c.title.clone())));
    html! {
        form method="post" action={ "/meetings/" (meeting) "/decisions" } novalidate {
            (csrf_field(signed))
            (textarea("text", "What was decided, or is to be done", None, &f.text, errors))
            (select_field(("owner", "owner"), "Owner organisation (for an action)", Some("Leave as None for a decision that asks nothing of anyone."), &organisation_options(plan, "None: a decision"), &f.owner, errors))
            (input("due", "text", "Due (for an action)", Some("As 2027-03-31."), &f.due, errors))
            (select_field(("links", "links"), "Outcome concerned (optional)", None, &outcomes, &chosen("outcome:"), errors))
            (select_field(("links", "links-indicator"), "Indicator concerned (optional)", None, &indicators, &chosen("indicator:"), errors))
            (select_field(("links", "links-commitment"), "Commitment concerned (optional)", None, &commitments, &chosen("commitment:"), errors))
            button class="nhsuk-button" type="submit" { "Record" }
        }
    }
}

fn meeting_page(
    plan: &Plan,
    c: &Committees,
    m: &Meeting,
    proposals: Option<&[Proposal]>,
    saved: bool,
    form: Option<(&Signed, &MeetingDecisionFields, &[FieldError])>,
) -> Markup {
    let body = c.body(m.body_id);
    let decisions: Vec<_> = c.decisions.iter().filter(|d| d.meeting_id == m.id && !d.is_action()).collect();
    let actions: Vec<ActionItem> = c.actions.iter().filter(|a| a.meeting.id == m.id).cloned().collect();
    let errors = form.map_or(&[][..], |f| f.2);
    let mut crumbs = vec![committees_crumb()];
    if let Some(b) = body {
        crumbs.push(crumb(b.name.clone(), format!("/committees#body-{}", b.id)));
    }
    page(
        &form_title(&m.title, errors),
        &crumbs,
        html! {
            @if saved { (success_banner("Saved.")) }
            (error_summary(errors))
            span class="nhsuk-caption-l" { (body.map_or("", |b| b.name.as_str())) }
            h1 { (m.title) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Date" } dd class="nhsuk-summary-list__value" { (m.held_on) } }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Papers taken" }
                    dd class="nhsuk-summary-list__value" {
                        @if m.papers.is_empty() { "None recorded" }
                        @else { ul class="nhsuk-list" { @for p in &m.papers { li { a href=(paper_href(p)) { (describe_paper(plan, &c.rounds, p)) } } } } }
                    }
                }
            }
            @if let Some(p) = proposals { (proposals_section(plan, p)) }
            h2 { "Decisions" }
            @if decisions.is_empty() { p { "No decision recorded." } }
            @for d in &decisions {
                div class="assure-update" {
                    p { (d.text) }
                    (links_list(plan, &d.links))
                }
            }
            h2 { "Actions" }
            @if actions.is_empty() { p { "No action recorded." } }
            @else { (actions_table(plan, html! { "Actions from this meeting" }, &actions, false)) }
            @if let Some((s, f, errors)) = form {
                h2 { "Add a paper taken" }
                form method="post" action={ "/meetings/" (m.id) "/papers" } novalidate {
                    (csrf_field(s))
                    (select_field(("paper", "paper"), "Paper", None, &paper_options(plan, &c.rounds), "", &[]))
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Add the paper" }
                }
                h2 { "Record a decision or action" }
                (decision_form(s, plan, m.id, f, errors))
            }
        },
    )
}

fn links_list(plan: &Plan, links: &[String]) -> Markup {
    html! {
        @if !links.is_empty() {
            ul class="nhsuk-list nhsuk-body-s" {
                @for l in links { @if let Some((text, href)) = describe_link(plan, l) { li { "Concerns " a href=(href) { (text) } } } }
            }
        }
    }
}

async fn render_meeting(
    state: &AppState,
    id: i64,
    saved: bool,
    form: Option<(&Signed, &MeetingDecisionFields, &[FieldError])>,
) -> Result<Markup, WebError> {
    let (plan, c) = load(state).await?;
    let m = c
        .meetings
        .iter()
        .find(|m| m.id == id)
        .ok_or_else(|| WebError::NotFound(format!("There is no meeting {id}.")))?
        .clone();
    let today = assure_tracking::delivery::today();
    let proposals = if c.next_meeting(today).is_some_and(|n| n.id == id) {
        let (p, cc) = (plan.clone(), c.clone());
        Some(state.blocking(move |s| Ok(s.app().proposed_deep_dives(&p, &cc, today))).await?)
    } else {
        None
    };
    Ok(meeting_page(&plan, &c, &m, proposals.as_deref(), saved, form))
}

/// A meeting: its papers, decisions and actions; admins add papers, decisions and actions.
pub async fn show_meeting(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
) -> Result<Markup, WebError> {
    let signed = access::current().filter(|s| s.account.role == Role::Admin && s.csrf.is_some());
    let empty = MeetingDecisionFields::default();
    let form = signed.as_ref().map(|s| (s, &empty, &[][..]));
    render_meeting(&state, id, q.saved.is_some(), form).await
}

/// Add a paper taken to a meeting (admins).
pub async fn add_paper(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let (account, paper) = (form.signed.account.clone(), form.get("paper").to_owned());
    state.blocking(move |s| Ok(s.app().add_paper(&account, &plan, id, &paper)?)).await?;
    Ok(Redirect::to(&format!("/meetings/{id}?saved=1")).into_response())
}

/// Record a decision or action against a meeting (admins).
pub async fn record_decision(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let fields = MeetingDecisionFields {
        text: form.get("text").to_owned(),
        owner: form.get("owner").to_owned(),
        due: form.get("due").to_owned(),
        links: form.fields.iter().filter(|(k, _)| k == "links").map(|(_, v)| v.clone()).collect(),
    };
    let (account, p, f) = (form.signed.account.clone(), plan.clone(), fields.clone());
    match state.blocking(move |s| Ok(s.app().record_decision(&account, &p, id, &f))).await? {
        Ok(d) if d.is_action() => Ok(Redirect::to(&format!("{}?saved=1", action_href(d.id))).into_response()),
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}?saved=1")).into_response()),
        Err(AppError::Rejected(errors)) => {
            let page = render_meeting(&state, id, false, Some((&form.signed, &fields, &errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The filters of the actions list, as the URL gives them.
#[derive(Deserialize, Default)]
pub struct ActionsQuery {
    status: Option<String>,
    overdue: Option<String>,
    organisation: Option<String>,
}

impl ActionsQuery {
    fn check(&self, plan: &Plan) -> Result<ActionFilter, WebError> {
        ActionFilter::parse(plan, self.status.as_deref(), self.overdue.as_deref(), self.organisation.as_deref())
            .map_err(|(field, detail)| WebError::BadRequest { field: field.to_owned(), detail })
    }
}

fn actions_href(f: &ActionFilter, csv: bool) -> String {
    let mut params = Vec::new();
    if let Some(s) = f.status {
        params.push(format!("status={}", s.map_or("none", DeliveryStatus::as_str)));
    }
    if f.overdue {
        params.push("overdue=1".to_owned());
    }
    if let Some(o) = &f.organisation {
        params.push(format!("organisation={o}"));
    }
    let path = if csv { "/actions.csv" } else { "/actions" };
    if params.is_empty() { path.to_owned() } else { format!("{path}?{}", params.join("&")) }
}

async fn filtered(state: &AppState, q: &ActionsQuery) -> Result<(Arc<Plan>, ActionFilter, Vec<ActionItem>), WebError> {
    let (plan, c) = load(state).await?;
    let filter = q.check(&plan)?;
    let rows = c.actions.into_iter().filter(|a| filter.keeps(&plan, a)).collect();
    Ok((plan, filter, rows))
}

/// Every action, filtered by status, overdue and owner.
pub async fn list_actions(State(state): State<AppState>, Query(q): Query<ActionsQuery>) -> Result<Markup, WebError> {
    let (plan, filter, rows) = filtered(&state, &q).await?;
    let mut statuses: Vec<(String, String)> =
        DeliveryStatus::ALL.iter().map(|s| (s.as_str().to_owned(), s.label().to_owned())).collect();
    statuses.insert(0, (String::new(), "Any status".to_owned()));
    statuses.push(("none".into(), "No update yet".into()));
    let status = filter.status.map(|s| s.map_or("none", DeliveryStatus::as_str).to_owned()).unwrap_or_default();
    let filtered = filter != ActionFilter::default();
    Ok(page(
        "Actions",
        &[committees_crumb()],
        html! {
            h1 { "Actions" }
            p { "What committees asked partners to do, tracked like milestones. An action is " strong { "overdue" } " when its expected date has passed and it is neither complete nor closed." }
            form class="assure-filters" method="get" action="/actions" {
                fieldset class="nhsuk-fieldset" {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { "Filter the list" }
                    (select_field(("status", "filter-status"), "Status", None, &statuses, &status, &[]))
                    (select_field(("organisation", "filter-organisation"), "Owner", None, &organisation_options(&plan, "Any organisation"), filter.organisation.as_deref().unwrap_or_default(), &[]))
                    div class="nhsuk-checkboxes nhsuk-checkboxes--small nhsuk-u-margin-bottom-4" {
                        div class="nhsuk-checkboxes__item" {
                            input class="nhsuk-checkboxes__input" id="filter-overdue" name="overdue" type="checkbox" value="1" checked[filter.overdue];
                            label class="nhsuk-label nhsuk-checkboxes__label" for="filter-overdue" { "Only overdue" }
                        }
                    }
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Apply filters" }
                }
            }
            p {
                "Quick filters: " a href=(actions_href(&ActionFilter { overdue: true, ..filter.clone() }, false)) { "overdue" }
                @if filtered { ". " a href="/actions" { "Clear the filters" } } "."
            }
            (download_links(&actions_href(&filter, true)))
            @if rows.is_empty() { p { "No action matches." } }
            @else { (actions_table(&plan, html! { (rows.len()) " actions" @if filtered { " matching the filters" } }, &rows, false)) }
        },
    ))
}

/// Every action, filtered, as CSV.
pub async fn actions_csv(state: State<AppState>, q: Query<ActionsQuery>) -> Result<Response, WebError> {
    actions_download(state, q, Download::Csv).await
}

/// Every action, filtered, as a spreadsheet.
pub async fn actions_xlsx(state: State<AppState>, q: Query<ActionsQuery>) -> Result<Response, WebError> {
    actions_download(state, q, Download::Xlsx).await
}

async fn actions_download(
    State(state): State<AppState>,
    Query(q): Query<ActionsQuery>,
    format: Download,
) -> Result<Response, WebError> {
    let (plan, _, rows) = filtered(&state, &q).await?;
    let mut sheet = Sheet::new(
        "actions",
        &["id", "action", "meeting", "meeting_date", "owner", "due", "expected", "status", "overdue", "address"],
    );
    for a in &rows {
        sheet.push(vec![
            Cell::Number(a.action.id as f64),
            Cell::text(a.action.text.clone()),
            Cell::text(a.meeting.title.clone()),
            Cell::due(&a.meeting.held_on),
            Cell::text(plan.organisation_name(a.owner())),
            a.action.due.as_deref().map_or(Cell::Empty, Cell::due),
            Cell::due(&a.progress.due),
            Cell::text(a.progress.status.map_or("No update", DeliveryStatus::label)),
            Cell::Yes(a.progress.overdue),
            Cell::text(action_href(a.action.id)),
        ]);
    }
    sheet.download(format)
}

/// An action: where it stands, the meeting that set it, what it concerns, its history.
pub async fn show_action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Saved>,
) -> Result<Markup, WebError> {
    let (plan, c) = load(&state).await?;
    let a = c.action(id).ok_or_else(|| WebError::NotFound(format!("There is no action {id}.")))?;
    let accounts = state.blocking(|s| Ok(s.store().accounts()?)).await?;
    let authors = crate::components::authors(accounts);
    let signed = access::current();
    let signed_in = signed.is_some();
    let may = signed.as_ref().is_some_and(|s| assure_app::may_update_action(&s.account, &plan, &a.action));
    let owner = a.owner();
    Ok(page(
        &a.action.text,
        &[committees_crumb(), crumb("Actions", "/actions")],
        html! {
            @if q.saved.is_some() { (success_banner("Saved.")) }
            span class="nhsuk-caption-l" { "Action" }
            h1 { (a.action.text) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Status" } dd class="nhsuk-summary-list__value" { (delivery_tag(a.progress.status)) (flag_tags(&a.progress)) } }
                div class="nhsuk-summary-list__row" {
                    dt class="nhsuk-summary-list__key" { "Expected" }
                    dd class="nhsuk-summary-list__value" { (a.progress.due) @if a.progress.due_changed { " (the meeting said " (a.action.due.as_deref().unwrap_or_default()) ")" } }
                }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Owner" } dd class="nhsuk-summary-list__value" { a href={ "/organisations/" (owner) } { (plan.organisation_name(owner)) } } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Set at" } dd class="nhsuk-summary-list__value" { a href={ "/meetings/" (a.meeting.id) } { (a.meeting.title) } " on " (a.meeting.held_on) } }
            }
            (links_list(&plan, &a.action.links))
            @if may { div class="nhsuk-button-group" { a class="nhsuk-button" href={ (action_href(id)) "/update" } { "Update" span class="nhsuk-u-visually-hidden" { " this action" } } } }
            h2 { "History" }
            @if a.history.is_empty() { p { "No update yet." } }
            @for u in a.history.iter().rev() {
                div class="assure-update" { (draft_summary(&u.draft, html! {}, (&u.at, &u.author), signed_in, &reported_for(&plan, &authors, &u.author, &[owner]))) }
            }
        },
    ))
}

async fn action_subject(state: &AppState, id: i64) -> Result<(Arc<Plan>, UpdateSubject), WebError> {
    let (plan, c) = load(state).await?;
    let a = c.action(id).ok_or_else(|| WebError::NotFound(format!("There is no action {id}.")))?;
    let subject = UpdateSubject {
        what: "action",
        title: a.action.text.clone(),
        back: action_href(id),
        due: Some((a.progress.due.clone(), a.action.due.clone().unwrap_or_default())),
        planned_by: "the meeting",
    };
    Ok((plan, subject))
}

/// The form to update an action (its owner's editors, admins).
pub async fn show_action_form(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Response, WebError> {
    let (plan, it) = action_subject(&state, id).await?;
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let account = s.account.clone();
    state.blocking(move |st| Ok(st.app().require_may_update_action(&account, &plan, id)?)).await?;
    Ok(update_page(&s, &it, &UpdateForm::default(), &[], false, &[committees_crumb(), crumb("Actions", "/actions")])
        .into_response())
}

/// Record an update of an action.
pub async fn update_action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let (plan, it) = action_subject(&state, id).await?;
    let typed = UpdateForm::posted(&form);
    let (account, f) = (form.signed.account.clone(), typed.fields());
    match state.blocking(move |s| Ok(s.app().update_action(&account, &plan, id, &f))).await? {
        Ok(_) => Ok(Redirect::to(&format!("{}?saved=1", it.back)).into_response()),
        Err(AppError::Rejected(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            update_page(&form.signed, &it, &typed, &errors, false, &[committees_crumb(), crumb("Actions", "/actions")]),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}
