//! The pages, one module per resource; URLs are stable and readable
//! (`/outcomes/2`, `/organisations/kcc`).

mod account;
mod admin;
mod audit;
mod commitments;
mod enablers;
mod examples;
mod health;
mod home;
mod indicators;
mod milestones;
mod organisations;
mod outcomes;
mod places;
mod plans;
mod progress;
pub mod reports;
mod search;
mod source;
mod updates;
mod upload;

use axum::Router;
use axum::http::Uri;
use axum::routing::{get, post};
use maud::{Markup, html};

use crate::layout;
use crate::layout::table;
use crate::{AppState, WebError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show_home))
        .route("/healthz", get(health::show_health))
        .route("/outcomes/{number}", get(outcomes::show_outcome))
        .route("/priorities/{id}", get(outcomes::show_priority))
        .route("/commitments/{id}", get(commitments::show_commitment))
        .route("/plans", get(plans::list_plans))
        .route("/plans/{id}", get(plans::show_plan))
        .route("/organisations", get(organisations::list_organisations))
        .route("/organisations/{id}", get(organisations::show_organisation))
        .route("/indicators", get(indicators::list_indicators))
        .route("/indicators/{id}", get(indicators::show_indicator))
        .route("/indicators/{id}/data.csv", get(indicators::indicator_csv))
        .route("/how-we-judge-progress", get(progress::show_rule))
        .route("/examples/{id}", get(examples::show_example))
        .route("/milestones/{id}", get(milestones::show_milestone))
        .route("/enablers", get(enablers::list_enablers))
        .route("/enablers/{id}", get(enablers::show_enabler))
        .route("/source", get(source::show_source))
        .route("/places", get(places::list_places))
        .route("/places/{id}", get(places::show_place))
        .route("/search", get(search::search))
        .route("/delivery", get(updates::list_delivery))
        .route("/milestones/{id}/update", get(updates::show_milestone_form).post(updates::submit_milestone))
        .route("/plans/{id}/update", get(updates::show_plan_form).post(updates::submit_plan))
        .route("/plans/{id}/milestones/new", get(updates::show_new_milestone))
        .route("/plans/{id}/milestones", post(updates::add_milestone))
        .route("/sign-in", get(account::show_sign_in).post(account::sign_in))
        .route("/sign-out", post(account::sign_out))
        .route("/account", get(account::show_account))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/admin", get(admin::show_admin))
        .route("/admin/users", get(admin::list_users).post(admin::create_user))
        .route("/admin/users/{username}", get(admin::show_user).post(admin::update_user))
        .route("/admin/users/{username}/reset-password", post(admin::reset_password))
        .route("/admin/settings", get(admin::show_settings).post(admin::save_settings))
        .route("/admin/approvals", get(admin::list_approvals))
        .route("/admin/approvals/{id}", post(admin::review))
        .route(
            "/data/upload",
            get(upload::show_upload)
                .post(upload::upload)
                .layer(axum::extract::DefaultBodyLimit::max(upload::MAX_UPLOAD_BYTES)),
        )
        .route("/audit", get(audit::show_audit))
        .route("/reports", get(reports::list_reports))
        .route("/reports/annual", get(reports::annual))
        .route("/reports/annual/issue", post(reports::issue_annual))
        .route("/reports/places/{area}", get(reports::place))
        .route("/reports/indicators/{id}", get(reports::indicator))
        .route("/reports/commitments/{id}", get(reports::commitment))
}

/// The answer for any URL that is not one of ours: the JSON envelope under `/api/`,
/// a page elsewhere.
pub async fn not_found(uri: Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        return crate::error::api_not_found(uri.path());
    }
    WebError::NotFound(format!("There is no page at {}.", uri.path())).into_response()
}

fn missing(what: &str, id: &str) -> WebError {
    WebError::NotFound(format!("There is no {what} '{id}' in the plan."))
}

/// Links to an organisation for each id, joined with commas.
fn organisation_links(plan: &assure_plan::Plan, ids: &[assure_plan::Sp<String>]) -> Markup {
    organisation_list(plan, &ids.iter().map(|i| i.get_ref().as_str()).collect::<Vec<_>>())
}

/// Links to an organisation for each id, joined with commas.
fn organisation_list(plan: &assure_plan::Plan, ids: &[&str]) -> Markup {
    html! {
        @for (i, id) in ids.iter().enumerate() {
            @if i > 0 { ", " }
            a href={ "/organisations/" (id) } { (plan.organisation_name(id)) }
        }
    }
}

/// Links to a delivering plan for each id, joined with commas.
fn delivering_plan_links(plan: &assure_plan::Plan, ids: &[assure_plan::Sp<String>]) -> Markup {
    html! {
        @for (i, id) in ids.iter().enumerate() {
            @if i > 0 { ", " }
            a href={ "/plans/" (id.get_ref()) } { (plan.delivering_plan_name(id.get_ref())) }
        }
    }
}

/// The table of a commitment's delivery links, as in the plan: plan, and who leads it.
fn links_table(plan: &assure_plan::Plan, c: &assure_plan::Commitment) -> Markup {
    html! {
        @if c.links.is_empty() {
            p { "No strategies or plans are listed for this commitment." }
        } @else {
            (table(html! { "Strategies and plans in place to deliver: " (c.title) }, true, &[("Strategy or plan", false), ("Led by", false), ("Source line", false)], html! {
                    @for l in &c.links {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (delivering_plan_links(plan, &l.plans)) }
                            td class="nhsuk-table__cell" {
                                @if l.led_by.is_empty() { (l.led_by_text) } @else { (organisation_links(plan, &l.led_by)) }
                            }
                            td class="nhsuk-table__cell" { (l.line) }
                        }
                    }
                }))
        }
    }
}

/// A breadcrumb: its label and link.
fn crumb(label: impl Into<String>, href: impl Into<String>) -> (String, String) {
    (label.into(), href.into())
}

/// The breadcrumb of an outcome: "Outcome 2".
fn outcome_crumb(n: u8) -> (String, String) {
    crumb(format!("Outcome {n}"), format!("/outcomes/{n}"))
}

/// Indicators with their status, latest value, a sparkline and the reason.
fn indicator_status_table(indicators: &[&assure_plan::Indicator], tracking: &crate::state::Tracking) -> Markup {
    html! {
        (table(html! { "Strategic indicators and their status" }, true, &[("Indicator", false), ("Status", false), ("Trend", false), ("Why", false)], html! {
            @for i in indicators {
                @for (k, t) in i.tracked().iter().enumerate() {
                    @let a = tracking.by_id.get(t.id);
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" {
                            @if k == 0 { a href={ "/indicators/" (i.id.get_ref()) } { (i.statement) } }
                            @if i.parts.len() > 1 { p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { "Part: " (t.measure) } }
                        }
                        td class="nhsuk-table__cell" { (layout::status_tag(a.map_or(assure_tracking::Status::NoData, |a| a.status))) }
                        td class="nhsuk-table__cell" { @if let Some(a) = a { (crate::charts::sparkline(&a.series)) } }
                        td class="nhsuk-table__cell nhsuk-body-s" { @if let Some(a) = a { (a.reason) } }
                    }
                }
            }
        }))
    }
}

pub(crate) use layout::page;
pub(crate) use reports::report_links;
