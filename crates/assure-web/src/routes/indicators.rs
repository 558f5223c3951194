//! Strategic indicators: the list, and one indicator with its baseline and target as
//! the plan states them.

use axum::extract::{Path, State};
use maud::{Markup, html};

use assure_plan::observation::Observation;
use assure_plan::{Method, Unit};
use assure_tracking::format;
use assure_tracking::funnel::{AreaFunnel, FunnelArea};
use assure_tracking::status::Point;

use crate::components::{crumb, missing, outcome_crumb, page, public_voice, themes_raised};
use crate::components::{illustrative_banner, source, status_tag, table};
use crate::{AppState, WebError, charts};

pub async fn list_indicators(State(state): State<AppState>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let tracking = state.tracking().await?;
    Ok(page(
        "Strategic indicators",
        &[],
        html! {
            (illustrative_banner(tracking.illustrative))
            h1 { "Strategic indicators" }
            p { "Each indicator's status is computed from its data against the plan's target. " a href="/how-we-judge-progress" { "How we judge progress" } "." }
            @for o in &plan.outcomes {
                @let n = *o.number.get_ref();
                @let indicators: Vec<_> = plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).collect();
                @if !indicators.is_empty() {
                    h2 { "Outcome " (n) ": " (o.title) }
                    ul class="nhsuk-list nhsuk-list--bullet" {
                        @for i in indicators { li { a href={ "/indicators/" (i.id.get_ref()) } { (i.measure) } " " (status_tag(tracking.status(i))) } }
                    }
                }
            }
        },
    ))
}

fn summary_row(key: &str, value: Markup) -> Markup {
    html! {
        div class="nhsuk-summary-list__row" {
            dt class="nhsuk-summary-list__key" { (key) }
            dd class="nhsuk-summary-list__value" { (value) }
        }
    }
}

pub async fn show_indicator(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, WebError> {
    let plan = state.plan().await?;
    let i = plan.indicator(&id).ok_or_else(|| missing("indicator", &id))?;
    let n = *i.outcome.get_ref();
    let unit = i.unit.unwrap_or(assure_plan::Unit::Unspecified);
    let tracked = i.tracked();
    let ids: Vec<String> = tracked.iter().map(|t| t.id.to_owned()).collect();
    let observations = state.observations(plan.meta.id.get_ref().clone(), ids).await?;
    let tracking = state.tracking().await?;
    let illustrative = observations.iter().any(|o| o.illustrative);
    let mut by_id: std::collections::HashMap<String, Vec<Observation>> = std::collections::HashMap::new();
    for o in observations {
        by_id.entry(o.key.indicator.clone()).or_default().push(o);
    }
    let areas = assure_tracking::AreaIndex::new(&plan);
    let voice = public_voice(&state, &plan).await?;
    Ok(page(
        &i.measure,
        &[outcome_crumb(n), crumb("Indicators", "/indicators")],
        html! {
            (illustrative_banner(illustrative))
            span class="nhsuk-caption-l" { "Strategic indicator, outcome " (n) }
            h1 { (i.measure) }
            p class="nhsuk-lede-text" { (i.statement) }
            (source(&plan, i.line))
            p { "Deep-dive pack: " (crate::components::report_links(&format!("/reports/indicators/{}", i.id.get_ref()), "Deep-dive pack")) }
            @if tracked.len() > 1 {
                p { "This statement has " (tracked.len()) " parts, each tracked against its own target. Overall: " (status_tag(tracking.status(i))) }
            }
            @if tracked.len() == 1 {
                dl class="nhsuk-summary-list" {
                    @if let Some(p) = &i.polarity { (summary_row("Polarity", html! { (p.get_ref().label()) })) }
                    @if let Some(g) = &i.geography { (summary_row("Geography", html! { (g) })) }
                    @if let Some(b) = &i.baseline { (summary_row("Baseline", html! { (b.describe(unit)) })) }
                    @if let Some(t) = &i.target { (summary_row("Target", html! { (t.describe(unit)) })) }
                }
            }
            @for t in &tracked {
                @let rows = by_id.get(t.id).map(Vec::as_slice).unwrap_or_default();
                (tracked_section(&plan, &areas, t, tracked.len() > 1, tracking.by_id.get(t.id), rows))
            }
            (themes_raised(&voice, n))
            p { a href={ "/indicators/" (id) "/data.csv" } { "Download all the data for this indicator (CSV)" } }
            p { a href="/how-we-judge-progress" { "How we judge progress" } }
        },
    ))
}

fn tracked_section(
    plan: &assure_plan::Plan,
    areas: &assure_tracking::AreaIndex,
    t: &assure_plan::Tracked<'_>,
    is_part: bool,
    assessment: Option<&assure_tracking::Assessment>,
    rows: &[Observation],
) -> Markup {
    let by_area = assure_tracking::series::latest_by_area(rows, t.polarity);
    let funnel = assure_tracking::funnel::by_area(t.measurement.map(|m| *m.method.get_ref()), rows);
    let own_area = t.measurement.map(|m| m.area.get_ref().as_str()).unwrap_or_default();
    let breakdowns = assure_tracking::series::breakdowns(rows, own_area);
    let unit = t.unit;
    let value = |v: f64| format::value(unit, v);
    let ci = |p: &Point| match (p.lower, p.upper) {
        (Some(l), Some(u)) => format::interval(unit, l, u),
        _ => String::new(),
    };
    html! {
        @if is_part {
            h2 { (t.measure) }
            dl class="nhsuk-summary-list" {
                (summary_row("Polarity", html! { (t.polarity.label()) }))
                (summary_row("Geography", html! { (t.geography) }))
                @if let Some(b) = t.baseline { (summary_row("Baseline", html! { (b.describe(unit)) })) }
                (summary_row("Target", html! { (t.target.describe(unit)) }))
            }
        }
        @if let Some(a) = assessment {
            h2 class=(if is_part { "nhsuk-heading-m" } else { "" }) { "Progress" }
            p { (status_tag(a.status)) }
            p { (assure_tracking::plain::sentence(t, a)) }
            @if a.latest().is_none() {
                @if let Some((period, _, values)) = by_area.as_ref().filter(|(_, _, v)| v.len() > 1) {
                    p {
                        "There are values for "
                        (format::and_list(&values.iter().map(|v| areas.name(&v.area)).collect::<Vec<_>>()))
                        " in " (period) ": they are compared " a href={ "#" (t.id) "-by-area" } { "by area" } " below."
                    }
                }
            }
            details class="nhsuk-details" {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "More detail: how this status was reached" } }
                div class="nhsuk-details__text" {
                    p { (a.reason) }
                    p class="nhsuk-body-s" { "Words used here: " a href="/glossary#trajectory" { "trajectory" } ", " a href="/glossary#confidence-interval" { "confidence interval" } ", " a href="/glossary#prediction-interval" { "prediction interval" } ", " a href="/glossary#polarity" { "polarity" } ". " a href="/how-we-judge-progress" { "How we judge progress" } "." }
                }
            }
            @if a.comparison != assure_tracking::Comparison::NotCompared {
                p { "Compared with England in " (a.latest().map(|l| l.period.as_str()).unwrap_or_default()) ": " strong { (a.comparison.to_string().to_lowercase()) } "." }
            }
            @if !a.series.is_empty() {
                (charts::trend(&format!("{}-trend", t.id), &format!("{}: trend for {}", t.measure, areas.name(own_area)), unit, a))
                (table(html! { "Values for " (areas.name(own_area)) ", with England" }, false, &[("Period", false), ("Value", true), ("95% interval", true), ("England", true)], html! {
                    @for p in &a.series {
                        tr class="nhsuk-table__row" {
                            td class="nhsuk-table__cell" { (p.period) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (value(p.value)) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (ci(p)) }
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                                @if let Some(e) = a.comparator.iter().find(|c| c.period == p.period) { (value(e.value)) }
                            }
                        }
                    }
                }))
            }
        }
        @if let Some(m) = t.measurement {
            details class="nhsuk-details" {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "How it is measured" } }
                div class="nhsuk-details__text" {
                    dl class="nhsuk-summary-list" {
                        (summary_row("Definition", html! { (m.definition) }))
                        (summary_row("Method", html! { (m.method.get_ref().label()) }))
                        (summary_row("Area of the target", html! { (areas.name(m.area.get_ref())) }))
                        @if let Some(c) = m.comparator { (summary_row("Compared with", html! { (c.name()) })) }
                        (summary_row("Source", html! { (m.source) }))
                        @if !m.fingertips.is_empty() {
                            (summary_row("Fingertips indicator", html! { @for (k, f) in m.fingertips.iter().enumerate() { @if k > 0 { ", " } (f.get_ref()) } }))
                        }
                        @if !m.milestones.is_empty() {
                            (summary_row("Evidence", html! { @for (k, ms) in m.milestones.iter().enumerate() {
                                @if k > 0 { ", " }
                                a href={ "/milestones/" (ms.get_ref()) } { (plan.milestone(ms.get_ref()).map(|(_, m)| m.title.as_str()).unwrap_or(ms.get_ref())) }
                            } }))
                        }
                    }
                    p class="nhsuk-body-s" { "How an indicator is measured is added by the partnership's analysts; the plan states only the sentence above." }
                }
            }
        }
        @if let Some((period, england, values)) = &by_area {
            @if values.len() > 1 {
                h3 id={ (t.id) "-by-area" } { "By area, " (period) }
                @match &funnel {
                    Ok(f) => (funnel_section(areas, t, f)),
                    Err(reason) => {
                        p class="nhsuk-body-s" { (reason) }
                        (bar_section(areas, t, period, *england, values))
                    }
                }
            }
        }
        @for b in &breakdowns {
            h3 { "By " (b.dimension.to_lowercase()) ", " (areas.name(own_area)) }
            @let periods: Vec<&str> = b.gaps.iter().map(|g| g.period.as_str()).collect();
            (table(html! { "By " (b.dimension.to_lowercase()) }, true, &std::iter::once(("Period", false)).chain(b.groups.iter().map(|g| (g.label.as_str(), true))).chain(std::iter::once(("Gap (highest − lowest)", true))).collect::<Vec<_>>(), html! {
                @for (k, period) in periods.iter().enumerate() {
                    tr class="nhsuk-table__row" {
                        td class="nhsuk-table__cell" { (period) }
                        @for g in &b.groups {
                            td class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                                @if let Some(p) = g.series.iter().find(|p| p.period == *period) { (value(p.value)) }
                            }
                        }
                        td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format::number(b.gaps[k].gap, 1)) }
                    }
                }
            }))
            @if let (Some(first), Some(last)) = (b.gaps.first(), b.gaps.last()) {
                @if b.gaps.len() > 1 {
                    p { "The gap between the highest group (" (last.highest) ") and the lowest (" (last.lowest) ") was "
                        (format::number(last.gap, 1)) " in " (last.period) ", "
                        @if last.gap < first.gap { "narrower than" } @else if last.gap > first.gap { "wider than" } @else { "the same as" }
                        " in " (first.period) " (" (format::number(first.gap, 1)) ")." }
                }
            }
            @if let Some(gaps) = assure_tracking::inequality::slope_index(b) {
                (inequality(&b.dimension, unit, &gaps))
            }
        }
        @if assessment.is_none_or(|a| a.series.is_empty()) && rows.is_empty() {
            p { "No data has been loaded for this indicator yet (" code { "assure data import" } ")." }
        }
    }
}

/// Each area's latest value against England's as a ranked chart and a table, where the
/// method does not allow a funnel plot.
fn bar_section(
    areas: &assure_tracking::AreaIndex,
    t: &assure_plan::Tracked<'_>,
    period: &str,
    england: Option<f64>,
    values: &[assure_tracking::series::AreaValue],
) -> Markup {
    let unit = t.unit;
    let value = |v: f64| format::value(unit, v);
    let named: Vec<(String, &assure_tracking::series::AreaValue)> =
        values.iter().map(|v| (areas.name(&v.area).to_owned(), v)).collect();
    html! {
        (charts::areas(&format!("{}-areas", t.id), &format!("{} by area, {period}", t.measure), unit, england, &named))
        (table(html! { "By area, " (period) }, true, &[("Area", false), ("Value", true), ("95% interval", true), ("Compared with England", false)], html! {
            @for (name, v) in &named {
                tr class="nhsuk-table__row" {
                    td class="nhsuk-table__cell" { (name) }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (value(v.point.value)) }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" {
                        @if let (Some(l), Some(u)) = (v.point.lower, v.point.upper) { (format::interval(unit, l, u)) }
                    }
                    td class="nhsuk-table__cell" { (v.comparison.to_string()) }
                }
            }
            @if let Some(e) = england {
                tr class="nhsuk-table__row" {
                    td class="nhsuk-table__cell" { "England" }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (value(e)) }
                    td class="nhsuk-table__cell" {} td class="nhsuk-table__cell" {}
                }
            }
        }))
    }
}

/// The areas on a funnel plot: what it shows in a sentence, the chart, and a table of
/// every area with where it lies against the control limits.
fn funnel_section(areas: &assure_tracking::AreaIndex, t: &assure_plan::Tracked<'_>, f: &AreaFunnel) -> Markup {
    let unit = t.unit;
    let names: Vec<String> = f.areas.iter().map(|a| areas.name(&a.area).to_owned()).collect();
    let centre = if f.centre_is_england { "England's value" } else { "the average of these areas" };
    let denominator = match f.method {
        Method::Proportion => "People counted",
        Method::DirectlyStandardisedRate => "Population the rate implies",
        _ => "Population",
    };
    let judged = |a: &FunnelArea| match a.position.better(t.polarity) {
        Some(true) => " (better)",
        Some(false) => " (worse)",
        None => "",
    };
    html! {
        p {
            "Each area's value is plotted against the number of people it is counted from, around " (centre) " (" (format::value(unit, f.centre)) "). "
            "Smaller areas vary more by chance, so the control limits are wider for them. "
            "An area outside the 95% limits differs from " (if f.centre_is_england { "England" } else { "the average" }) " by more than chance usually explains; outside the 99.8% limits, very probably for a reason worth looking into. "
            "Words used here: " a href="/glossary#funnel-plot" { "funnel plot" } ", " a href="/glossary#control-limits" { "control limits" } "."
        }
        (charts::funnel(&format!("{}-funnel", t.id), &format!("{}: funnel plot by area, {}", t.measure, f.period), unit, t.polarity, f, &names))
        (table(html! { "By area, " (f.period) ", against the control limits" }, true, &[("Area", false), ("Value", true), (denominator, true), ("Against the control limits", false)], html! {
            @for (a, name) in f.areas.iter().zip(&names) {
                tr class="nhsuk-table__row" {
                    td class="nhsuk-table__cell" { (name) }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format::value(unit, a.value)) }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { @if let Some(d) = a.denominator { (format::number(d, 0)) } }
                    td class="nhsuk-table__cell" { (a.position.describe()) (judged(a)) }
                }
            }
            tr class="nhsuk-table__row" {
                td class="nhsuk-table__cell" { @if f.centre_is_england { "England" } @else { "Average of these areas" } }
                td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format::value(unit, f.centre)) }
                td class="nhsuk-table__cell" {}
                td class="nhsuk-table__cell" { "The centre line" }
            }
        }))
    }
}

/// The slope index of inequality of a deprivation breakdown, period by period.
fn inequality(dimension: &str, unit: Unit, gaps: &[assure_tracking::inequality::GapOverTime]) -> Markup {
    // A difference of percentages is in percentage points.
    let diff = |v: f64| match unit {
        Unit::Percent => format!("{} percentage points", format::number(v, 1)),
        _ => format::value(unit, v),
    };
    let Some(last) = gaps.last() else { return html! {} };
    let clear = last.lower > 0.0 || last.upper < 0.0;
    html! {
        h4 { "The gap across all " (dimension.to_lowercase()) "s" }
        p {
            "The " a href="/glossary#slope-index-of-inequality" { "slope index of inequality" } " in " (last.period) " was "
            strong { (diff(last.sii)) } " (95% interval " (format::number(last.lower, 1)) " to " (format::number(last.upper, 1)) "). "
            @if !clear { "The interval includes zero, so there is no clear gradient between the most and the least deprived." }
            @else if last.sii < 0.0 { "The value is higher among the more deprived." }
            @else { "The value is higher among the less deprived." }
            @if let Some(first) = gaps.first().filter(|_| gaps.len() > 1) {
                " In " (first.period) " it was " (diff(first.sii))
                @if last.sii.abs() > first.sii.abs() { ": the gap has widened." } @else if last.sii.abs() < first.sii.abs() { ": the gap has narrowed." } @else { "." }
            }
        }
        p {
            @if gaps.iter().all(|g| g.weighted_by_population) {
                "Each " (dimension.to_lowercase()) " is weighted by its population."
            } @else if gaps.iter().any(|g| g.weighted_by_population) {
                "Each " (dimension.to_lowercase()) " is weighted by its population where the data give every population; "
                "in the other periods they are weighted equally."
            } @else {
                "The data give no populations, so each " (dimension.to_lowercase()) " is weighted equally "
                "(right for England's deprivation " (dimension.to_lowercase()) "s, which hold equal shares of its people; "
                "within one place they may not)."
            }
        }
        (table(html! { "Slope index of inequality, " (dimension.to_lowercase()) }, true, &[("Period", false), ("SII", true), ("95% interval", true)], html! {
            @for g in gaps {
                tr class="nhsuk-table__row" {
                    td class="nhsuk-table__cell" { (g.period) }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format::number(g.sii, 1)) }
                    td class="nhsuk-table__cell nhsuk-table__cell--numeric" { (format::number(g.lower, 1)) " to " (format::number(g.upper, 1)) }
                }
            }
        }))
    }
}

/// All the data of an indicator (and its parts) as CSV, in the columns `assure data import` reads.
pub async fn indicator_csv(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let plan = state.plan().await?;
    let i = plan.indicator(&id).ok_or_else(|| missing("indicator", &id))?;
    let ids: Vec<String> = i.tracked().iter().map(|t| t.id.to_owned()).collect();
    let rows = state.observations(plan.meta.id.get_ref().clone(), ids).await?;
    let mut body = Vec::new();
    assure_plan::observation::write_csv(&mut body, &rows, true).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{id}.csv\"")),
        ],
        body,
    )
        .into_response())
}
