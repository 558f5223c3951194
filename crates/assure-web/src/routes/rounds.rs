//! Reporting rounds: the list, the admin's form to open one (a name, a deadline and a
//! scope), and a round's returns: who has responded, who is late, the return rate; an
//! admin closes it into its snapshot.

use assure_app::{AppError, OpenRound, RoundReturns};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::access::{self, Signed, SignedForm};
use crate::components::{
    FieldError, crumb, csrf_field, error_summary, form_title, input, item_href, item_title, page, success_banner,
    table, tag,
};
use crate::export::{Cell, Download, Sheet, download_links};
use crate::{AppState, WebError};

fn state_tag(r: &RoundReturns) -> Markup {
    if r.is_open() { tag("Open", "blue") } else { tag("Closed", "grey") }
}

/// Every round, newest first.
pub async fn list_rounds(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let (p, d) = (plan.clone(), delivery.clone());
    let rounds = state.blocking(move |st| Ok(st.app().rounds(&p, &d)?)).await?;
    Ok(page(
        "Reporting rounds",
        &[],
        html! {
            h1 { "Reporting rounds" }
            p { "Before a meeting, the programme office asks every lead in scope for an update on what they lead. Each round shows who has responded and who is late, and closes into the snapshot the report for the meeting uses." }
            @if s.account.role == assure_store::Role::Admin { a class="nhsuk-button" href="/rounds/new" { "Open a round" } }
            @if rounds.is_empty() { p { "No round has been opened yet." } }
            @else {
                (table(html! { "Rounds" }, true, &[("Round", false), ("Scope", false), ("Deadline", false), ("Returns", true), ("State", false)], html! {
                    @for r in &rounds {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { a href={ "/rounds/" (r.round.id) } { (r.round.name) } }
                            td class="nhsuk-table__cell" { (r.scope.describe(&plan)) }
                            td class="nhsuk-table__cell" { (r.round.deadline) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (r.responded()) " of " (r.returns.len()) " (" (r.return_rate()) "%)" }
                            td class="nhsuk-table__cell" { (state_tag(r)) }
                        }
                    }
                }))
            }
        },
    ))
}

/// The scopes an admin can choose, as (value, label).
fn scope_options(plan: &assure_plan::Plan) -> Vec<(String, String)> {
    let mut out = vec![("all".to_owned(), "Everything in the plan".to_owned())];
    out.extend(plan.place_areas().map(|a| (format!("place:{}", a.id.get_ref()), format!("Place: {}", a.name))));
    out.extend(
        plan.outcomes.iter().map(|o| {
            (format!("outcome:{}", o.number.get_ref()), format!("Outcome {}: {}", o.number.get_ref(), o.title))
        }),
    );
    let mut orgs: Vec<_> = plan
        .organisations
        .iter()
        .filter(|o| {
            plan.delivering_plans
                .iter()
                .any(|p| plan.delivering_plan_leads(p.id.get_ref()).contains(&o.id.get_ref().as_str()))
        })
        .map(|o| (format!("organisations:{}", o.id.get_ref()), format!("Organisation: {}", o.name)))
        .collect();
    orgs.sort_by(|a, b| a.1.cmp(&b.1));
    out.extend(orgs);
    out
}

fn new_round_page(signed: &Signed, plan: &assure_plan::Plan, f: &OpenRound, errors: &[FieldError]) -> Markup {
    let error = errors.iter().find(|(n, _)| *n == "scope").map(|(_, m)| m.clone());
    page(
        &form_title("Open a reporting round", errors),
        &[crumb("Reporting rounds", "/rounds")],
        html! {
            div class="nhsuk-grid-row" { div class="nhsuk-grid-column-two-thirds" {
                (error_summary(errors))
                h1 { "Open a reporting round" }
                p { "Every lead of an item in scope that is not yet complete or closed is asked for an update. Their items show the round on their My work page." }
                form method="post" action="/rounds" novalidate {
                    (csrf_field(signed))
                    (input("name", "text", "Name", Some("For example 'ICP March 2027' or 'Medway 6-month update'."), &f.name, errors))
                    (input("deadline", "text", "Deadline", Some("The last day for updates, as 2027-01-31."), &f.deadline, errors))
                    div class={ "nhsuk-form-group" @if error.is_some() { " nhsuk-form-group--error" } } {
                        label class="nhsuk-label" for="scope" { "Scope" }
                        div class="nhsuk-hint" id="scope-hint" { "What the round covers: everything, a place (what its organisations lead), an outcome, or one organisation." }
                        @if let Some(e) = &error { span class="nhsuk-error-message" id="scope-error" { span class="nhsuk-u-visually-hidden" { "Error: " } (e) } }
                        select class="nhsuk-select" id="scope" name="scope" aria-describedby={ "scope-hint" @if error.is_some() { " scope-error" } } {
                            @for (v, l) in scope_options(plan) { option value=(v) selected[v == f.scope] { (l) } }
                        }
                    }
                    button class="nhsuk-button" type="submit" { "Open the round" }
                }
            } }
        },
    )
}

/// The form to open a round (admins).
pub async fn show_new_round(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    access::require_admin(&s)?;
    let plan = state.plan().await?;
    let empty = OpenRound { name: String::new(), deadline: String::new(), scope: "all".into() };
    Ok(new_round_page(&s, &plan, &empty, &[]))
}

/// Open a round.
pub async fn open_round(State(state): State<AppState>, form: SignedForm) -> Result<Response, WebError> {
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let request = OpenRound {
        name: form.get("name").to_owned(),
        deadline: form.get("deadline").to_owned(),
        scope: form.get("scope").to_owned(),
    };
    let (account, p, d, r) = (form.signed.account.clone(), plan.clone(), delivery.clone(), request.clone());
    match state.blocking(move |s| Ok(s.app().open_round(&account, &p, &d, &r))).await? {
        Ok(round) => {
            // The leads asked are emailed now, not at the next hourly run of the
            // reminders job; each digest is claimed, so the job will not send it again.
            let by = format!("round {} opened", round.id);
            let mailing = state.clone();
            tokio::spawn(async move {
                let sent = mailing
                    .blocking(move |s| {
                        let app = s.app();
                        if !app.mail_configured() {
                            return Ok(None);
                        }
                        Ok(Some(app.send_reminders(jiff::Timestamp::now(), assure_app::Which::Rounds, &by)?))
                    })
                    .await;
                match sent {
                    Ok(Some(sent)) if !sent.failed.is_empty() => tracing::warn!("round opened: {sent}"),
                    Ok(Some(sent)) => tracing::info!("round opened: {sent}"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!("round opened, reminders not sent: {e}"),
                }
            });
            Ok(Redirect::to(&format!("/rounds/{}?opened=1", round.id)).into_response())
        }
        Err(AppError::Rejected(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_round_page(&form.signed, &plan, &request, &errors))
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A round's returns.
pub async fn show_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let (p, d) = (plan.clone(), delivery.clone());
    let r = state.blocking(move |st| Ok(st.app().round(&p, &d, id)?)).await?;
    let query = request.uri().query().unwrap_or_default();
    let admin = s.account.role == assure_store::Role::Admin;
    let late = r.returns.iter().filter(|x| x.late).count();
    Ok(page(
        &r.round.name,
        &[crumb("Reporting rounds", "/rounds")],
        html! {
            @if query.contains("opened=1") { (success_banner(&format!("The round is open: {} items' leads have been asked for an update (by email, where they have an address and reminders on).", r.returns.len()))) }
            @if query.contains("closed=1") { (success_banner("The round is closed and its snapshot kept for the report.")) }
            span class="nhsuk-caption-l" { "Reporting round" }
            h1 { (r.round.name) }
            dl class="nhsuk-summary-list" {
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "State" } dd class="nhsuk-summary-list__value" { (state_tag(&r)) @if let Some(c) = &r.round.closed_at { " on " (c.get(..10).unwrap_or(c)) } } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Scope" } dd class="nhsuk-summary-list__value" { (r.scope.describe(&plan)) } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Deadline" } dd class="nhsuk-summary-list__value" { (r.round.deadline) } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Return rate" } dd class="nhsuk-summary-list__value" { strong { (r.return_rate()) "%" } ": " (r.responded()) " of " (r.returns.len()) " items updated; " (late) " late" } }
                div class="nhsuk-summary-list__row" { dt class="nhsuk-summary-list__key" { "Opened" } dd class="nhsuk-summary-list__value" { (r.round.opened_at.get(..10).unwrap_or(&r.round.opened_at)) " by " (r.round.opened_by) } }
            }
            h2 { "By organisation" }
            (table(html! { "Returns by organisation" }, true, &[("Organisation", false), ("Asked", true), ("Responded", true), ("Late", true)], html! {
                @for (org, asked, done, late) in r.by_organisation() {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { (plan.organisation_name(&org)) }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (asked) }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (done) }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (late) }
                    }
                }
            }))
            h2 { "Items" }
            (download_links(&format!("/rounds/{}/returns.csv", r.round.id)))
            (table(html! { "Items asked about" }, true, &[("Item", false), ("Led by", false), ("Return", false)], html! {
                @for x in &r.returns {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { a href=(item_href(x.item.kind, &x.item.item)) { (item_title(&plan, &delivery, x.item.kind, &x.item.item)) } }
                        td class="nhsuk-table__cell nhsuk-u-font-size-16" { @for (i, l) in x.item.leads.iter().enumerate() { @if i > 0 { ", " } (plan.organisation_name(l)) } }
                        td class="nhsuk-table__cell" {
                            @match &x.responded {
                                Some(at) => { (tag("Responded", "green")) " " span class="nhsuk-body-s" { (at.get(..10).unwrap_or(at)) } }
                                None => { (tag("Waiting", "grey")) }
                            }
                            @if x.late { " " (tag("Late", "red")) }
                        }
                    }
                }
            }))
            @if admin && r.is_open() {
                form method="post" action={ "/rounds/" (r.round.id) "/close" } {
                    (csrf_field(&s))
                    p { "Closing keeps what the plan shows now (every indicator's status and every item's latest status) as the round's snapshot, which the place report for the meeting uses." }
                    button class="nhsuk-button nhsuk-button--secondary" type="submit" { "Close the round" }
                }
            }
        },
    ))
}

/// A round's returns as CSV.
pub async fn returns_csv(state: State<AppState>, id: Path<i64>, request: Request) -> Result<Response, WebError> {
    returns_download(state, id, request, Download::Csv).await
}

/// A round's returns as a spreadsheet.
pub async fn returns_xlsx(state: State<AppState>, id: Path<i64>, request: Request) -> Result<Response, WebError> {
    returns_download(state, id, request, Download::Xlsx).await
}

/// Each item asked about: who leads it, when its lead responded, whether late.
async fn returns_download(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    request: Request,
    format: Download,
) -> Result<Response, WebError> {
    access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let (p, d) = (plan.clone(), delivery.clone());
    let r = state.blocking(move |st| Ok(st.app().round(&p, &d, id)?)).await?;
    let mut sheet = Sheet::new(
        "round-returns",
        &["round", "deadline", "kind", "id", "item", "led_by", "responded", "responded_on", "late", "address"],
    );
    for x in &r.returns {
        let leads: Vec<&str> = x.item.leads.iter().map(|l| plan.organisation_name(l)).collect();
        let on = x.responded.as_deref().and_then(|at| at.get(..10)).and_then(|d| d.parse().ok());
        sheet.push(vec![
            Cell::text(r.round.name.clone()),
            r.round.deadline.parse().map_or_else(|_| Cell::text(r.round.deadline.clone()), Cell::Date),
            Cell::text(x.item.kind.as_str()),
            Cell::text(x.item.item.clone()),
            Cell::text(item_title(&plan, &delivery, x.item.kind, &x.item.item)),
            Cell::text(leads.join("; ")),
            Cell::Yes(x.responded.is_some()),
            on.map_or(Cell::Empty, Cell::Date),
            Cell::Yes(x.late),
            Cell::text(item_href(x.item.kind, &x.item.item)),
        ]);
    }
    sheet.download(format)
}

/// Close a round into its snapshot (admins).
pub async fn close_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: SignedForm,
) -> Result<Response, WebError> {
    let views = assure_app::Views {
        plan: state.plan().await?,
        tracking: state.tracking().await?,
        delivery: state.delivery().await?,
    };
    let account = form.signed.account.clone();
    state.blocking(move |s| Ok(s.app().close_round(&account, &views, id)?)).await?;
    Ok(Redirect::to(&format!("/rounds/{id}?closed=1")).into_response())
}
