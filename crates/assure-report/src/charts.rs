//! Charts as SVG written in the page, each with a title and a description for assistive
//! technology; the numbers are always in a table beside the chart as well.

use assure_plan::Unit;
use assure_tracking::format;
use assure_tracking::series::AreaValue;
use assure_tracking::status::{Assessment, Point};
use maud::{Markup, html};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A linear scale from a data range to a pixel range.
#[derive(Clone, Copy)]
struct Scale {
    from: (f64, f64),
    to: (f64, f64),
}

impl Scale {
    fn new(lo: f64, hi: f64, to: (f64, f64)) -> Scale {
        let (lo, hi) = if (hi - lo).abs() < 1e-9 { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
        Scale { from: (lo, hi), to }
    }

    fn padded(values: impl IntoIterator<Item = f64>, to: (f64, f64)) -> Scale {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in values.into_iter().filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if !lo.is_finite() {
            return Scale::new(0.0, 1.0, to);
        }
        let pad = ((hi - lo) * 0.08).max(hi.abs() * 0.01).max(0.5);
        Scale::new(if lo >= 0.0 { (lo - pad).max(0.0) } else { lo - pad }, hi + pad, to)
    }

    fn at(&self, v: f64) -> f64 {
        self.to.0 + (v - self.from.0) / (self.from.1 - self.from.0) * (self.to.1 - self.to.0)
    }

    /// About five round ticks.
    fn ticks(&self) -> Vec<f64> {
        let span = self.from.1 - self.from.0;
        let raw = span / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| span / s <= 6.0).unwrap_or(raw);
        let mut t = (self.from.0 / step).ceil() * step;
        let mut out = Vec::new();
        while t <= self.from.1 + 1e-9 {
            out.push(t);
            t += step;
        }
        out
    }
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn axis_label(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Percent => format!("{}%", format::number(v, if v.fract().abs() < 1e-9 { 0 } else { 1 })),
        Unit::Count => format::number(v, 0),
        _ => format::number(v, if v.fract().abs() < 1e-9 { 0 } else { 1 }),
    }
}

/// The trend of an indicator for its area: values with their 95% intervals, England's
/// values, the baseline, the target, the trajectory between them and the projection band.
pub fn trend(title: &str, unit: Unit, a: &Assessment) -> Markup {
    let mut times: Vec<f64> = a.series.iter().chain(&a.comparator).map(|p| p.time).collect();
    times.extend(a.baseline.as_ref().map(|b| b.time));
    times.extend(a.target_time);
    let first = times.iter().copied().fold(f64::INFINITY, f64::min);
    let last = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let x = Scale::new(first.floor(), last.ceil(), (LEFT, WIDTH - RIGHT));
    let mut values: Vec<f64> = Vec::new();
    for p in a.series.iter().chain(&a.comparator) {
        values.extend([Some(p.value), p.lower, p.upper].into_iter().flatten());
    }
    values.extend(a.baseline.as_ref().map(|b| b.value));
    values.extend(a.goal);
    if let Some(p) = &a.projection {
        values.extend([p.lower, p.upper]);
    }
    let y = Scale::padded(values, (HEIGHT - BOTTOM, TOP));
    let trajectory = match (&a.baseline, a.goal, a.target_time, a.expected) {
        (Some(b), Some(goal), Some(due), Some(_)) => Some(((b.time, b.value), (due, goal))),
        _ => None,
    };
    let line = |points: &[Point]| -> String {
        points.iter().map(|p| format!("{},{}", n(x.at(p.time)), n(y.at(p.value)))).collect::<Vec<_>>().join(" ")
    };
    let description = describe_trend(unit, a);
    let years: Vec<u16> = ((first.floor() as u16)..=(last.ceil() as u16)).collect();
    let label_every = (years.len() / 8).max(1);
    html! {
        figure class="assure-chart" {
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-labelledby="trend-title trend-desc" class="assure-chart__svg" {
                title id="trend-title" { (title) }
                desc id="trend-desc" { (description) }
                @for t in y.ticks() {
                    line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(n(y.at(t))) y2=(n(y.at(t))) class="assure-chart__grid" {}
                    text x=(LEFT - 6.0) y=(n(y.at(t) + 4.0)) text-anchor="end" class="assure-chart__tick" { (axis_label(unit, t)) }
                }
                @for (i, year) in years.iter().enumerate() {
                    @if i % label_every == 0 {
                        text x=(n(x.at(f64::from(*year)))) y=(HEIGHT - BOTTOM + 18.0) text-anchor="middle" class="assure-chart__tick" { (year) }
                    }
                }
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(HEIGHT - BOTTOM) y2=(HEIGHT - BOTTOM) class="assure-chart__axis" {}
                @if let (Some(p), Some(last)) = (&a.projection, a.series.last()) {
                    polygon class="assure-chart__band" points={
                        (n(x.at(last.time))) "," (n(y.at(last.value))) " "
                        (n(x.at(p.time))) "," (n(y.at(p.upper))) " "
                        (n(x.at(p.time))) "," (n(y.at(p.lower)))
                    } {}
                    line class="assure-chart__projection" x1=(n(x.at(last.time))) y1=(n(y.at(last.value))) x2=(n(x.at(p.time))) y2=(n(y.at(p.value))) {}
                }
                @if let Some(((t0, v0), (t1, v1))) = trajectory {
                    line class="assure-chart__trajectory" x1=(n(x.at(t0))) y1=(n(y.at(v0))) x2=(n(x.at(t1))) y2=(n(y.at(v1))) {}
                }
                @if let (Some(goal), Some(due)) = (a.goal, a.target_time) {
                    rect class="assure-chart__target" x=(n(x.at(due) - 5.0)) y=(n(y.at(goal) - 5.0)) width="10" height="10" {}
                }
                @if let Some(b) = &a.baseline {
                    circle class="assure-chart__baseline" cx=(n(x.at(b.time))) cy=(n(y.at(b.value))) r="5" {}
                }
                @if a.comparator.len() > 1 {
                    polyline class="assure-chart__england" points=(line(&a.comparator)) {}
                }
                @if a.series.len() > 1 {
                    polyline class="assure-chart__line" points=(line(&a.series)) {}
                }
                @for p in &a.series {
                    @if let (Some(lo), Some(hi)) = (p.lower, p.upper) {
                        line class="assure-chart__error" x1=(n(x.at(p.time))) x2=(n(x.at(p.time))) y1=(n(y.at(lo))) y2=(n(y.at(hi))) {}
                    }
                    circle class="assure-chart__point" cx=(n(x.at(p.time))) cy=(n(y.at(p.value))) r="3.5" {}
                }
            }
            figcaption class="assure-chart__key" {
                span class="assure-key assure-key--point" {} "Value with 95% interval "
                @if a.comparator.len() > 1 { span class="assure-key assure-key--england" {} "England " }
                @if a.baseline.is_some() { span class="assure-key assure-key--baseline" {} "Baseline " }
                @if a.goal.is_some() && a.target_time.is_some() { span class="assure-key assure-key--target" {} "Target " }
                @if trajectory.is_some() { span class="assure-key assure-key--trajectory" {} "Trajectory " }
                @if a.projection.is_some() { span class="assure-key assure-key--band" {} "Projection with 95% prediction interval" }
            }
        }
    }
}

fn describe_trend(unit: Unit, a: &Assessment) -> String {
    let mut parts = Vec::new();
    match (a.series.first(), a.series.last()) {
        (Some(f), Some(l)) if a.series.len() > 1 => parts.push(format!(
            "{} values from {} ({}) to {} ({}).",
            a.series.len(),
            f.period,
            format::value(unit, f.value),
            l.period,
            format::value(unit, l.value)
        )),
        (Some(l), _) => parts.push(format!("One value: {} in {}.", format::value(unit, l.value), l.period)),
        _ => parts.push("No values yet.".to_owned()),
    }
    parts.push(a.reason.clone());
    parts.join(" ")
}

/// A small line of an indicator's values, for lists (decorative: the status and latest
/// value are in words beside it).
pub fn sparkline(series: &[Point]) -> Markup {
    if series.len() < 2 {
        return html! {};
    }
    let x = Scale::new(series[0].time, series[series.len() - 1].time, (2.0, 98.0));
    let y = Scale::padded(series.iter().map(|p| p.value), (22.0, 2.0));
    let points: String =
        series.iter().map(|p| format!("{},{}", n(x.at(p.time)), n(y.at(p.value)))).collect::<Vec<_>>().join(" ");
    let last = &series[series.len() - 1];
    html! {
        svg class="assure-sparkline" viewBox="0 0 100 24" width="100" height="24" aria-hidden="true" focusable="false" {
            polyline points=(points) {}
            circle cx=(n(x.at(last.time))) cy=(n(y.at(last.value))) r="2.5" {}
        }
    }
}

/// Each area's latest value with its 95% interval against England's value.
pub fn areas(title: &str, unit: Unit, england: Option<f64>, rows: &[(String, &AreaValue)]) -> Markup {
    let row_height = 26.0;
    let label_width = 210.0;
    let height = TOP + row_height * rows.len() as f64 + BOTTOM;
    let mut values: Vec<f64> = rows
        .iter()
        .flat_map(|(_, v)| [Some(v.point.value), v.point.lower, v.point.upper].into_iter().flatten())
        .collect();
    values.extend(england);
    let x = Scale::padded(values, (label_width, WIDTH - RIGHT));
    let description = format!(
        "{} areas{}. The same numbers are in the table that follows.",
        rows.len(),
        england.map(|e| format!(" against England's {}", format::value(unit, e))).unwrap_or_default()
    );
    html! {
        figure class="assure-chart" {
            svg viewBox={ "0 0 " (WIDTH) " " (n(height)) } role="img" aria-labelledby="areas-title areas-desc" class="assure-chart__svg" {
                title id="areas-title" { (title) }
                desc id="areas-desc" { (description) }
                @for t in x.ticks() {
                    line x1=(n(x.at(t))) x2=(n(x.at(t))) y1=(TOP) y2=(n(height - BOTTOM)) class="assure-chart__grid" {}
                    text x=(n(x.at(t))) y=(n(height - BOTTOM + 18.0)) text-anchor="middle" class="assure-chart__tick" { (axis_label(unit, t)) }
                }
                @if let Some(e) = england {
                    line class="assure-chart__england-line" x1=(n(x.at(e))) x2=(n(x.at(e))) y1=(TOP - 6.0) y2=(n(height - BOTTOM)) {}
                }
                @for (i, (name, v)) in rows.iter().enumerate() {
                    @let cy = TOP + row_height * (i as f64 + 0.5);
                    text x=(label_width - 8.0) y=(n(cy + 4.0)) text-anchor="end" class="assure-chart__label" { (name) }
                    @if let (Some(lo), Some(hi)) = (v.point.lower, v.point.upper) {
                        line class="assure-chart__error" x1=(n(x.at(lo))) x2=(n(x.at(hi))) y1=(n(cy)) y2=(n(cy)) {}
                    }
                    circle class={ "assure-chart__point assure-chart__point--" (v.comparison.to_string().to_lowercase().replace(' ', "-")) } cx=(n(x.at(v.point.value))) cy=(n(cy)) r="4.5" {}
                }
            }
            figcaption class="assure-chart__key" {
                span class="assure-key assure-key--point" {} "Value with 95% interval "
                @if england.is_some() { span class="assure-key assure-key--england" {} "England" }
            }
        }
    }
}
