//! My work: where someone who reports lands after signing in. Everything their
//! organisations lead, through their directorates, with where each item stands and a
//! button to update it, what needs attention first.

use axum::extract::{Request, State};
use axum::response::Response;
use maud::{Markup, html};

use crate::access::{self, Signed};
use crate::components::{actions_table, page, work_sheet, work_table};
use crate::export::{Download, download_links};
use crate::{AppState, WebError};

/// The signed-in person's items.
pub async fn show_my_work(State(state): State<AppState>, request: Request) -> Result<Markup, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    let items = assure_app::my_work(&s.account, &plan, &delivery, assure_tracking::delivery::today());
    let (account, p, d) = (s.account.clone(), plan.clone(), delivery.clone());
    let asked = state.blocking(move |st| Ok(st.app().asked_of(&account, &p, &d)?)).await?;
    let (account, p) = (s.account.clone(), plan.clone());
    let actions =
        state.blocking(move |st| Ok(assure_app::my_actions(&account, &p, &st.app().committees(&p)?.actions))).await?;
    let overdue_actions = actions.iter().filter(|a| a.progress.overdue).count();
    let marks = |i: &assure_app::WorkItem| {
        let rounds: Vec<String> = asked
            .iter()
            .filter(|(k, _)| *k == i.key())
            .map(|(_, r)| format!("Asked for in {} (by {})", r.name, r.deadline))
            .collect();
        (!rounds.is_empty()).then(|| rounds.join("; "))
    };
    let attention = items.iter().filter(|i| i.needs_attention()).count();
    let orgs: Vec<&str> = s.account.organisations.iter().map(|o| plan.organisation_name(o)).collect();
    Ok(page(
        "My work",
        &[],
        html! {
            h1 { "My work" }
            @if orgs.is_empty() {
                p { "Your account is not linked to an organisation, so nothing here is yours to report on. Ask an admin to add your organisation to your account." }
            } @else {
                p class="nhsuk-lede-text" {
                    "Everything " (orgs.join(" and ")) " lead" @if orgs.len() == 1 { "s" } ", through " @if orgs.len() == 1 { "its" } @else { "their" } " directorates: "
                    strong { (items.len()) } " item" @if items.len() != 1 { "s" } ", of which " strong { (attention) } " need" @if attention == 1 { "s" } " attention."
                }
                @for (name, deadline, id) in open_rounds(&asked) {
                    div class="nhsuk-inset-text" { p { "The reporting round " a href={ "/rounds/" (id) } { (name) } " asks for an update on items below by " strong { (deadline) } "." } }
                }
                @if !actions.is_empty() {
                    h2 { "Committee actions" }
                    p { (actions.len()) " action" @if actions.len() != 1 { "s" } " set by committees for your organisations, " strong { (overdue_actions) " overdue" } ". " a href="/committees" { "Committees and their decisions" } "." }
                    (actions_table(&plan, html! { "Your committee actions" }, &actions, true))
                    h2 { "Milestones and strategies or plans" }
                }
                p { "What needs attention comes first: overdue, then off track, at risk, stale (no update for more than " (delivery.stale_days) " days) and never updated." }
                @if items.is_empty() {
                    p { "The plan names none of your organisations as a lead." }
                } @else {
                    (download_links("/my-work.csv"))
                    (work_table(&plan, html! { "Your milestones and strategies or plans" }, &items, true, &marks))
                }
            }
        },
    ))
}

/// The signed-in person's items as CSV.
pub async fn my_work_csv(state: State<AppState>, request: Request) -> Result<Response, WebError> {
    my_work_download(state, request, Download::Csv).await
}

/// The signed-in person's items as a spreadsheet.
pub async fn my_work_xlsx(state: State<AppState>, request: Request) -> Result<Response, WebError> {
    my_work_download(state, request, Download::Xlsx).await
}

async fn my_work_download(
    State(state): State<AppState>,
    request: Request,
    format: Download,
) -> Result<Response, WebError> {
    let s = access::require_signed_in(request.extensions().get::<Signed>().cloned(), request.uri().path())?;
    let plan = state.plan().await?;
    let delivery = state.delivery().await?;
    work_sheet(&plan, &assure_app::my_work(&s.account, &plan, &delivery, assure_tracking::delivery::today()), "my-work")
        .download(format)
}

/// The distinct rounds asking something of the person: (name, deadline, id).
fn open_rounds(asked: &[(String, assure_store::Round)]) -> Vec<(String, String, i64)> {
    let mut out: Vec<(String, String, i64)> =
        asked.iter().map(|(_, r)| (r.name.clone(), r.deadline.clone(), r.id)).collect();
    out.sort_by_key(|r| r.2);
    out.dedup();
    out
}
