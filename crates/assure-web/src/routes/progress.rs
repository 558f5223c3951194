//! Progress at a glance (`/progress`, and the same rows as CSV): every tracked indicator
//! with its latest value and interval, where it should be now, the target, the status in
//! plain words and against England, filterable by outcome, status and place with plain
//! links; and "How we judge progress", the status rule in words.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use assure_plan::{Indicator, Plan, Tracked};
use assure_tracking::status::Point;
use assure_tracking::{Assessment, Comparison, Status, format, plain};

use crate::components::{illustrative_banner, page, status_tag};
use crate::export::{Cell, Download, Sheet};
use crate::{AppState, WebError, charts};

/// The filters and order of the progress table, as the URL gives them.
#[derive(Deserialize, Default, Clone)]
pub struct ProgressQuery {
    outcome: Option<String>,
    status: Option<String>,
    place: Option<String>,
    sort: Option<String>,
}

/// The filters, checked.
#[derive(Clone)]
struct Filters {
    outcome: Option<u8>,
    status: Option<Status>,
    place: Option<(String, String)>,
    sort: Sort,
}

#[derive(Clone, Copy, PartialEq)]
enum Sort {
    Plan,
    Status,
    England,
}

impl Sort {
    fn as_str(self) -> &'static str {
        match self {
            Sort::Plan => "plan",
            Sort::Status => "status",
            Sort::England => "england",
        }
    }
}

fn bad(field: &str, detail: String) -> WebError {
    WebError::BadRequest { field: field.to_owned(), detail }
}

impl ProgressQuery {
    fn check(&self, plan: &Plan) -> Result<Filters, WebError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let outcome = match given(&self.outcome) {
            Some(o) => Some(
                o.parse::<u8>().ok().filter(|n| plan.outcomes.iter().any(|x| x.number.get_ref() == n)).ok_or_else(
                    || bad("outcome", format!("'{o}' is not an outcome of the plan (1 to {})", plan.outcomes.len())),
                )?,
            ),
            None => None,
        };
        let status = match given(&self.status) {
            Some(s) => Some(Status::parse(&s).ok_or_else(|| {
                let names: Vec<&str> = Status::ALL.iter().map(|s| s.as_str()).collect();
                bad("status", format!("'{s}' is not a status (one of {})", names.join(", ")))
            })?),
            None => None,
        };
        let place = match given(&self.place) {
            Some(p) => {
                let area = plan
                    .place_areas()
                    .find(|a| *a.id.get_ref() == p)
                    .ok_or_else(|| bad("place", format!("'{p}' is not a place of the plan (see /places)")))?;
                Some((p, area.name.clone()))
            }
            None => None,
        };
        let sort = match given(&self.sort).as_deref() {
            None | Some("plan") => Sort::Plan,
            Some("status") => Sort::Status,
            Some("england") => Sort::England,
            Some(other) => return Err(bad("sort", format!("'{other}' is not an order (plan, status or england)"))),
        };
        Ok(Filters { outcome, status, place, sort })
    }
}

impl Filters {
    /// This page's address with some filters changed (`None` removes one).
    fn href(
        &self,
        path: &str,
        outcome: Option<Option<u8>>,
        status: Option<Option<Status>>,
        sort: Option<Sort>,
    ) -> String {
        let outcome = outcome.unwrap_or(self.outcome);
        let status = status.unwrap_or(self.status);
        let sort = sort.unwrap_or(self.sort);
        let mut params = Vec::new();
        if let Some(o) = outcome {
            params.push(format!("outcome={o}"));
        }
        if let Some(s) = status {
            params.push(format!("status={}", s.as_str()));
        }
        if let Some((p, _)) = &self.place {
            params.push(format!("place={p}"));
        }
        if sort != Sort::Plan {
            params.push(format!("sort={}", sort.as_str()));
        }
        if params.is_empty() { path.to_owned() } else { format!("{path}?{}", params.join("&")) }
    }
}

/// One tracked indicator in the table.
struct Row<'a> {
    outcome: u8,
    indicator: &'a Indicator,
    tracked: Tracked<'a>,
    assessment: Option<&'a Assessment>,
    status: Status,
    /// The value shown: the indicator's own area's, or the chosen place's.
    series: &'a [Point],
    england: Option<f64>,
    comparison: Comparison,
}

impl Row<'_> {
    fn latest(&self) -> Option<&Point> {
        self.series.last()
    }

    fn sentence(&self) -> String {
        self.assessment.map(|a| plain::sentence(&self.tracked, a)).unwrap_or_default()
    }
}

/// How much a comparison with England needs attention: worse first.
fn concern(c: Comparison) -> u8 {
    match c {
        Comparison::Worse => 0,
        Comparison::Similar => 1,
        Comparison::Higher | Comparison::Lower => 2,
        Comparison::Better => 3,
        Comparison::NotCompared => 4,
    }
}

/// The rows the filters choose, in their order. `readings` are the chosen place's.
fn rows<'a>(
    plan: &'a Plan,
    tracking: &'a crate::state::Tracking,
    readings: &'a HashMap<String, assure_app::AreaReading>,
    filters: &Filters,
) -> Vec<Row<'a>> {
    let mut rows: Vec<Row<'a>> = plan
        .indicators
        .iter()
        .flat_map(|i| i.tracked().into_iter().map(move |t| (i, t)))
        .filter_map(|(i, t)| {
            let assessment = tracking.by_id.get(t.id);
            let status = assessment.map_or(Status::NoData, |a| a.status);
            let (series, england, comparison) = match &filters.place {
                Some(_) => {
                    let r = readings.get(t.id)?;
                    (r.values.series.as_slice(), r.values.england, r.values.comparison)
                }
                None => {
                    let a = assessment;
                    let series = a.map_or(&[][..], |a| a.series.as_slice());
                    let period = series.last().map(|p| p.period.as_str());
                    let england = a
                        .and_then(|a| a.comparator.iter().find(|c| Some(c.period.as_str()) == period))
                        .map(|c| c.value);
                    (series, england, a.map_or(Comparison::NotCompared, |a| a.comparison))
                }
            };
            Some(Row {
                outcome: *i.outcome.get_ref(),
                indicator: i,
                tracked: t,
                assessment,
                status,
                series,
                england,
                comparison,
            })
        })
        .filter(|r| filters.outcome.is_none_or(|o| o == r.outcome))
        .filter(|r| filters.status.is_none_or(|s| s == r.status))
        .collect();
    match filters.sort {
        Sort::Plan => {}
        Sort::Status => rows.sort_by_key(|r| std::cmp::Reverse(r.status.concern())),
        Sort::England => rows.sort_by_key(|r| concern(r.comparison)),
    }
    rows
}

/// What the page and its CSV are made from.
struct Gathered {
    plan: std::sync::Arc<Plan>,
    filters: Filters,
    tracking: std::sync::Arc<crate::state::Tracking>,
    readings: HashMap<String, assure_app::AreaReading>,
}

/// The served plan, the checked filters, the assessments and the chosen place's readings.
async fn gather(state: &AppState, query: &ProgressQuery) -> Result<Gathered, WebError> {
    let plan = state.plan().await?;
    let filters = query.check(&plan)?;
    let tracking = state.tracking().await?;
    let readings = readings(state, &plan, &filters).await?;
    Ok(Gathered { plan, filters, tracking, readings })
}

/// The chosen place's readings by tracked indicator (none without a place).
async fn readings(
    state: &AppState,
    plan: &std::sync::Arc<Plan>,
    filters: &Filters,
) -> Result<HashMap<String, assure_app::AreaReading>, WebError> {
    let Some((area, _)) = &filters.place else { return Ok(HashMap::new()) };
    let readings = state.area_readings(plan.clone(), area.clone()).await?;
    Ok(readings.into_iter().map(|r| (r.tracked.clone(), r)).collect())
}

fn value_with_interval(unit: assure_plan::Unit, p: &Point) -> Markup {
    html! {
        (format::value(unit, p.value))
        @if let (Some(l), Some(u)) = (p.lower, p.upper) {
            br; span class="assure-small" { "95% interval " (format::interval(unit, l, u)) }
        }
        br; span class="assure-small" { (p.period) }
    }
}

/// A cell of the responsive table: on a phone each row becomes a block and each cell
/// shows its column's name.
fn cell(heading: &str, numeric: bool, content: Markup) -> Markup {
    html! {
        td class={ "nhsuk-table__cell" @if numeric { " nhsuk-table__cell--numeric" } } {
            span class="nhsuk-table-responsive__heading" aria-hidden="true" { (heading) " " }
            span { (content) }
        }
    }
}

/// Progress at a glance.
pub async fn show_progress(
    State(state): State<AppState>,
    Query(query): Query<ProgressQuery>,
) -> Result<Markup, WebError> {
    let Gathered { plan, filters, tracking, readings } = gather(&state, &query).await?;
    let all = rows(&plan, &tracking, &readings, &Filters { outcome: None, status: None, ..filters.clone() });
    let rows = rows(&plan, &tracking, &readings, &filters);
    let illustrative = tracking.illustrative || readings.values().any(|r| r.illustrative);
    let place_name = filters.place.as_ref().map(|(_, n)| n.as_str());
    let count =
        |s: Status| all.iter().filter(|r| filters.outcome.is_none_or(|o| o == r.outcome) && r.status == s).count();
    let outcome_count =
        |n: u8| all.iter().filter(|r| r.outcome == n && filters.status.is_none_or(|s| s == r.status)).count();
    let sort_link = |label: &str, sort: Sort| -> Markup {
        html! {
            @if filters.sort == sort { (label) " (sorted)" } @else { a href=(filters.href("/progress", None, None, Some(sort))) { (label) span class="nhsuk-u-visually-hidden" { ": sort by this" } } }
        }
    };
    Ok(page(
        "Progress",
        &[],
        html! {
            (illustrative_banner(illustrative))
            h1 { "Progress on every indicator" }
            p class="nhsuk-lede-text" { "Every strategic indicator of the plan, and each part of a statement with several targets, with its latest value, where it should be now on the way to its target, and its status. Nobody types a status in: " a href="/how-we-judge-progress" { "how we judge progress" } "." }
            div class="assure-filters" {
                h2 class="nhsuk-heading-s" { "Outcome" }
                ul class="assure-filter-list" {
                    li { @if filters.outcome.is_none() { span class="assure-filter--current" aria-current="true" { "All outcomes" } } @else { a href=(filters.href("/progress", Some(None), None, None)) { "All outcomes" } } }
                    @for o in &plan.outcomes {
                        @let n = *o.number.get_ref();
                        li {
                            @if filters.outcome == Some(n) {
                                span class="assure-filter--current" aria-current="true" { "Outcome " (n) " (" (outcome_count(n)) ")" }
                            } @else {
                                a href=(filters.href("/progress", Some(Some(n)), None, None)) title=(o.title) { "Outcome " (n) " (" (outcome_count(n)) ")" }
                            }
                        }
                    }
                }
                h2 class="nhsuk-heading-s" { "Status" }
                ul class="assure-filter-list" {
                    li { @if filters.status.is_none() { span class="assure-filter--current" aria-current="true" { "Any status" } } @else { a href=(filters.href("/progress", None, Some(None), None)) { "Any status" } } }
                    @for s in Status::ALL {
                        li {
                            @if filters.status == Some(s) {
                                span class="assure-filter--current" aria-current="true" { (s.label()) " (" (count(s)) ")" }
                            } @else {
                                a href=(filters.href("/progress", None, Some(Some(s)), None)) { (s.label()) " (" (count(s)) ")" }
                            }
                        }
                    }
                }
                form action="/progress" method="get" class="assure-place-form" {
                    @if let Some(o) = filters.outcome { input type="hidden" name="outcome" value=(o); }
                    @if let Some(s) = filters.status { input type="hidden" name="status" value=(s.as_str()); }
                    @if filters.sort != Sort::Plan { input type="hidden" name="sort" value=(filters.sort.as_str()); }
                    div class="nhsuk-form-group" {
                        label class="nhsuk-label nhsuk-label--s" for="place" { "Values for a place" }
                        div class="nhsuk-hint" id="place-hint" { "Show each indicator's latest value in one place, against England. Statuses stay those of each indicator's own area." }
                        select class="nhsuk-select" id="place" name="place" aria-describedby="place-hint" {
                            option value="" selected[filters.place.is_none()] { "Each indicator's own area (Kent and Medway, Kent or Medway)" }
                            @for a in plan.place_areas() {
                                option value=(a.id.get_ref()) selected[filters.place.as_ref().is_some_and(|(p, _)| p == a.id.get_ref())] { (a.name) }
                            }
                        }
                    }
                    button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-4" type="submit" { "Show" }
                }
            }
            p {
                strong { (rows.len()) } " of " (all.len()) " measures shown"
                @if let Some(name) = place_name { ", with their values in " strong { (name) } }
                ". Each part of a compound statement counts once. "
                "Download these rows as " a href=(filters.href("/progress.csv", None, None, None)) { "CSV" }
                " or as a " a href=(filters.href("/progress.xlsx", None, None, None)) { "spreadsheet (Excel)" } "."
            }
            @if rows.is_empty() {
                p { "No measure matches these filters. " a href="/progress" { "Show every measure" } "." }
            } @else {
                table class="nhsuk-table-responsive assure-progress" {
                    caption class="nhsuk-table__caption" {
                        "Progress on the strategic indicators"
                        @if let Some(name) = place_name { ", values in " (name) }
                    }
                    thead class="nhsuk-table__head" {
                        tr class="nhsuk-table__row" {
                            th class="nhsuk-table__header" scope="col" { (sort_link("Indicator", Sort::Plan)) }
                            th class="nhsuk-table__header" scope="col" { "Latest" @if let Some(name) = place_name { " in " (name) } }
                            th class="nhsuk-table__header" scope="col" { "Expected now" }
                            th class="nhsuk-table__header" scope="col" { "Target" }
                            th class="nhsuk-table__header" scope="col" { (sort_link("Status", Sort::Status)) }
                            th class="nhsuk-table__header" scope="col" { (sort_link("Compared with England", Sort::England)) }
                            th class="nhsuk-table__header" scope="col" { "Trend" }
                        }
                    }
                    tbody class="nhsuk-table__body" {
                        @for r in &rows {
                            @let unit = r.tracked.unit;
                            tr class="nhsuk-table__row" {
                                td class="nhsuk-table__cell assure-cell--wide" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Indicator " }
                                    span {
                                        a href={ "/indicators/" (r.indicator.id.get_ref()) } { (r.tracked.measure) }
                                        @if r.indicator.parts.len() > 1 { br; span class="assure-small" { "Part of: " (r.indicator.measure) } }
                                        br; span class="assure-small" { "Outcome " (r.outcome) }
                                    }
                                }
                                (cell("Latest", false, html! { @if let Some(p) = r.latest() { (value_with_interval(unit, p)) } @else { "No data" } }))
                                (cell("Expected now", false, html! {
                                    @if let (Some(e), None) = (r.assessment.and_then(|a| a.expected), &filters.place) {
                                        (r.latest().map_or_else(|| format::value(unit, e), |l| format::distinct(unit, e, l.value).0))
                                    }
                                }))
                                (cell("Target", false, html! { (r.tracked.target.describe(unit)) }))
                                td class="nhsuk-table__cell assure-cell--wide" {
                                    span class="nhsuk-table-responsive__heading" aria-hidden="true" { "Status " }
                                    span {
                                        (status_tag(r.status))
                                        @if filters.place.is_none() {
                                            p class="nhsuk-body-s nhsuk-u-margin-bottom-1 nhsuk-u-margin-top-1" { (r.sentence()) }
                                            @if let Some(a) = r.assessment {
                                                details class="nhsuk-details nhsuk-u-margin-bottom-0" {
                                                    summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "More detail" } }
                                                    div class="nhsuk-details__text nhsuk-body-s" { (a.reason) }
                                                }
                                            }
                                        } @else {
                                            p class="nhsuk-body-s nhsuk-u-margin-bottom-0" { "For " (r.tracked.geography) }
                                        }
                                    }
                                }
                                (cell("Compared with England", false, html! {
                                    @if r.comparison != Comparison::NotCompared {
                                        (plain::against_england(r.comparison))
                                        @if let Some(e) = r.england { br; span class="assure-small" { "England " (format::value(unit, e)) } }
                                    } @else { "Not compared" }
                                }))
                                (cell("Trend", false, html! { (charts::sparkline(r.series)) }))
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The same rows as CSV.
pub async fn progress_csv(state: State<AppState>, query: Query<ProgressQuery>) -> Result<Response, WebError> {
    progress_download(state, query, Download::Csv).await
}

/// The same rows as a spreadsheet.
pub async fn progress_xlsx(state: State<AppState>, query: Query<ProgressQuery>) -> Result<Response, WebError> {
    progress_download(state, query, Download::Xlsx).await
}

async fn progress_download(
    State(state): State<AppState>,
    Query(query): Query<ProgressQuery>,
    format: Download,
) -> Result<Response, WebError> {
    let Gathered { plan, filters, tracking, readings } = gather(&state, &query).await?;
    let area = filters.place.as_ref().map(|(_, n)| n.clone());
    let mut sheet = Sheet::new(
        "progress",
        &[
            "outcome",
            "indicator",
            "measure_id",
            "measure",
            "area",
            "period",
            "value",
            "lower_95",
            "upper_95",
            "expected_now",
            "target",
            "status",
            "in_plain_words",
            "reason",
            "england",
            "compared_with_england",
        ],
    );
    for r in rows(&plan, &tracking, &readings, &filters) {
        let latest = r.latest();
        sheet.push(vec![
            Cell::Number(f64::from(r.outcome)),
            Cell::text(r.indicator.id.get_ref().clone()),
            Cell::text(r.tracked.id),
            Cell::text(r.tracked.measure),
            Cell::text(area.clone().unwrap_or_else(|| r.tracked.geography.to_owned())),
            Cell::text(latest.map(|p| p.period.clone()).unwrap_or_default()),
            Cell::number(latest.map(|p| p.value)),
            Cell::number(latest.and_then(|p| p.lower)),
            Cell::number(latest.and_then(|p| p.upper)),
            Cell::number(r.assessment.and_then(|a| a.expected).filter(|_| filters.place.is_none())),
            Cell::text(r.tracked.target.describe(r.tracked.unit)),
            Cell::text(r.status.label()),
            Cell::text(r.sentence()),
            Cell::text(r.assessment.map(|a| a.reason.clone()).unwrap_or_default()),
            Cell::number(r.england),
            if r.comparison == Comparison::NotCompared {
                Cell::Empty
            } else {
                Cell::text(plain::against_england(r.comparison))
            },
        ]);
    }
    sheet.download(format)
}

/// "How we judge progress": the status rule, in words, as the code applies it.
pub async fn show_rule(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    Ok(page(
        "How we judge progress",
        &[],
        html! {
            h1 { "How we judge progress" }
            p class="nhsuk-lede-text" {
                "Every strategic indicator of " (plan.meta.title) " has a status, computed from its data against the target the plan sets. Nobody types a status in: the same rule is applied to every indicator, and the reason is shown beside it."
            }
            p { "The statuses are " (status_tag(Status::Achieved)) " " (status_tag(Status::OnTrack)) " "
                (status_tag(Status::AtRisk)) " " (status_tag(Status::OffTrack)) " and " (status_tag(Status::NoData)) "." }
            @for (heading, text) in assure_tracking::status::RULE {
                h2 { (heading) }
                p { (text) }
            }
            h2 { "Statements with several parts" }
            p { "Where the plan's sentence sets more than one target (for example healthy weight maintained and severe obesity reduced), each part is tracked on its own; the statement as a whole shows the status of its part that needs most attention." }
            h2 { "Intervals" }
            p { "Where data gives counts, values and their 95% confidence intervals are computed with the methods used for England's public health indicators (Wilson score intervals for proportions; Byar's or exact Poisson limits for rates). Published values are kept as published. " a href="/glossary#confidence-interval" { "What a confidence interval is" } "." }
        },
    ))
}
