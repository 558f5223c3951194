//! Charts as SVG written in the page, each with a title and a description for assistive
//! technology; the numbers are always in a table beside the chart as well.
//!
//! Every id in a chart starts with the id its caller gives it, so that several charts in
//! one page or report each name their own title and description; and every mark a chart
//! draws is named in its legend ([`legend`]), the one the web pages, the HTML reports
//! and the PDF reports all show.

use assure_plan::Unit;
use assure_tracking::format;
use assure_tracking::funnel::{AreaFunnel, FunnelArea, LimitCurve, LimitLevel, Position};
use assure_tracking::series::AreaValue;
use assure_tracking::status::{Assessment, Point};
use maud::{Markup, PreEscaped, html};

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 300.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;
/// The size of the chart text, in SVG units.
const FONT_SIZE: f64 = 13.0;
/// A conservative width of one character of the chart text (Arial averages about half
/// its size; the widest letters are nearer this), so that a label measured with it fits.
const CHAR_WIDTH: f64 = FONT_SIZE * 0.6;
/// The widest the label column of an area chart grows before names wrap.
const MAX_LABEL_WIDTH: f64 = 240.0;
/// The height of one more line of a wrapped label.
const LINE_HEIGHT: f64 = 15.0;

/// How wide a label is drawn, at most.
fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR_WIDTH
}

/// The widest of some labels.
fn widest<'a>(labels: impl IntoIterator<Item = &'a String>) -> f64 {
    labels.into_iter().map(|l| text_width(l)).fold(0.0, f64::max)
}

/// A label broken at spaces into lines of at most `width` (a word longer than that is
/// broken within itself), so that it is drawn whole.
fn wrap(label: &str, width: f64) -> Vec<String> {
    let max = ((width / CHAR_WIDTH).floor() as usize).max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in label.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > max {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            lines.push(word.drain(..max).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if line.is_empty() {
            line = word;
        } else if line.chars().count() + 1 + word.chars().count() <= max {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut line, word));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// An id usable in HTML and SVG made from a caller's subject ("smoking-at-delivery",
/// "Outcome 1: part 2"): letters, digits and hyphens, starting with `chart-`.
fn chart_id(subject: &str) -> String {
    let mut id = String::from("chart-");
    for c in subject.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id.trim_end_matches('-').to_owned()
}

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

/// A mark a chart draws, as its legend names it.
#[derive(Debug)]
pub struct Mark {
    /// The classes the chart gives the mark (any one of them).
    pub classes: &'static [&'static str],
    /// What it means, in the legend.
    pub label: &'static str,
    /// The modifier of the legend's sample (`assure-key--…`).
    pub sample: &'static str,
}

/// Every mark a chart can draw, in the order of the legends. A mark that refines another
/// (a point coloured by its comparison) comes after it.
pub const MARKS: &[Mark] = &[
    // A funnel plot's: its key starts with the limits, which every funnel draws.
    Mark { classes: &["assure-chart__limit--998"], label: "99.8% control limits", sample: "limit-998" },
    Mark { classes: &["assure-chart__limit--95"], label: "95% control limits", sample: "limit-95" },
    Mark { classes: &["assure-chart__dot"], label: "Area", sample: "dot" },
    Mark { classes: &["assure-chart__dot--better"], label: "Outside the 95% limits, better", sample: "better" },
    Mark { classes: &["assure-chart__dot--worse"], label: "Outside the 95% limits, worse", sample: "worse" },
    Mark { classes: &["assure-chart__dot--outside"], label: "Outside the 95% limits", sample: "outside" },
    Mark { classes: &["assure-chart__average"], label: "Average of the areas", sample: "england" },
    // The trend's and the areas chart's.
    Mark { classes: &["assure-chart__point"], label: "Value with 95% interval", sample: "point" },
    Mark { classes: &["assure-chart__point--better"], label: "Better than England", sample: "better" },
    Mark { classes: &["assure-chart__point--worse"], label: "Worse than England", sample: "worse" },
    Mark { classes: &["assure-chart__england", "assure-chart__england-line"], label: "England", sample: "england" },
    Mark { classes: &["assure-chart__baseline"], label: "Baseline", sample: "baseline" },
    Mark { classes: &["assure-chart__target"], label: "Target", sample: "target" },
    Mark { classes: &["assure-chart__trajectory"], label: "Trajectory", sample: "trajectory" },
    Mark { classes: &["assure-chart__band"], label: "Projection with 95% prediction interval", sample: "band" },
];

/// The marks a chart's SVG draws, in legend order: each element counts as the last mark
/// whose class it has (a point coloured "worse" is a worse point, not a plain one).
pub fn marks_drawn(svg: &str) -> Vec<&'static Mark> {
    let mut drawn = vec![false; MARKS.len()];
    for attribute in svg.split("class=\"").skip(1) {
        let classes: Vec<&str> = attribute.split('"').next().unwrap_or_default().split_whitespace().collect();
        if let Some(i) = MARKS.iter().rposition(|m| m.classes.iter().any(|c| classes.contains(c))) {
            drawn[i] = true;
        }
    }
    MARKS.iter().zip(drawn).filter(|(_, d)| *d).map(|(m, _)| m).collect()
}

/// The legend of a chart: a label for each mark its SVG draws, with a sample drawn before
/// it by the style (so that the sample keeps to its label when a legend wraps), to put in a
/// `figcaption` or a paragraph of class `assure-chart__key` (styled by [`KEY_STYLE`] in a
/// report, by the site's style sheet on the web).
pub fn legend(svg: &str) -> Markup {
    html! {
        @for m in marks_drawn(svg) {
            span class={ "assure-key assure-key--" (m.sample) } { (m.label) } " "
        }
    }
}

/// The style of the legend's samples, for a document without the site's style sheet.
pub const KEY_STYLE: &str = "\
.assure-chart__key{font-size:0.875rem;color:#4c6272;margin:4px 0 0}\
.assure-key{display:inline-block;margin-right:8px;white-space:nowrap}\
.assure-key::before{content:\"\";display:inline-block;box-sizing:border-box;width:14px;height:10px;margin-right:4px;vertical-align:middle}\
.assure-key--point::before{background:#005eb8;border-radius:50%;width:10px}\
.assure-key--better::before{background:#007f3b;border-radius:50%;width:10px}\
.assure-key--worse::before{background:#d5281b;border-radius:50%;width:10px}\
.assure-key--england::before{border-top:2px dashed #4c6272;height:0}\
.assure-key--baseline::before{border:2px solid #212b32;border-radius:50%;width:10px}\
.assure-key--target::before{background:#007f3b;width:10px}\
.assure-key--trajectory::before{border-top:2px dashed #007f3b;height:0}\
.assure-key--band::before{background:rgba(255,184,28,0.35)}\
.assure-key--dot::before{background:#425563;border-radius:50%;width:10px}\
.assure-key--outside::before{background:#7c2855;border-radius:50%;width:10px}\
.assure-key--limit-95::before{border-top:2px dashed #005eb8;height:0}\
.assure-key--limit-998::before{border-top:2px solid #003087;height:0}";

/// The trend of an indicator for its area: values with their 95% intervals, England's
/// values, the baseline, the target, the trajectory between them and the projection band.
/// Its ids start with `chart-` and `id` (which must be unique in the page: the tracked
/// indicator's id, say); its legend names the marks it draws.
pub fn trend(id: &str, title: &str, unit: Unit, a: &Assessment) -> Markup {
    let mut times: Vec<f64> = a.series.iter().chain(&a.comparator).map(|p| p.time).collect();
    times.extend(a.baseline.as_ref().map(|b| b.time));
    times.extend(a.target_time);
    let first = times.iter().copied().fold(f64::INFINITY, f64::min);
    let last = times.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let years: Vec<u16> = ((first.floor() as u16)..=(last.ceil() as u16)).collect();
    let year_labels: Vec<String> = years.iter().map(u16::to_string).collect();
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
    let y_ticks: Vec<(f64, String)> = y.ticks().into_iter().map(|t| (t, axis_label(unit, t))).collect();
    // The margins hold the widest tick labels: the values' at the left, half the last
    // year's (centred on its tick) at the right.
    let left = LEFT.max(widest(y_ticks.iter().map(|(_, l)| l)) + 12.0);
    let right = RIGHT.max(widest(&year_labels) / 2.0 + 4.0);
    let x = Scale::new(first.floor(), last.ceil(), (left, WIDTH - right));
    let trajectory = match (&a.baseline, a.goal, a.target_time, a.expected) {
        (Some(b), Some(goal), Some(due), Some(_)) => Some(((b.time, b.value), (due, goal))),
        _ => None,
    };
    let line = |points: &[Point]| -> String {
        points.iter().map(|p| format!("{},{}", n(x.at(p.time)), n(y.at(p.value)))).collect::<Vec<_>>().join(" ")
    };
    let description = describe_trend(unit, a);
    let label_every = (years.len() / 8).max(1);
    let id = chart_id(id);
    let svg = html! {
            svg viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" aria-labelledby={ (id) "-title " (id) "-desc" } class="assure-chart__svg" {
                title id={ (id) "-title" } { (title) }
                desc id={ (id) "-desc" } { (description) }
                @for (t, label) in &y_ticks {
                    line x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(y.at(*t))) y2=(n(y.at(*t))) class="assure-chart__grid" {}
                    text x=(n(left - 6.0)) y=(n(y.at(*t) + 4.0)) text-anchor="end" class="assure-chart__tick" { (label) }
                }
                @for (i, year) in years.iter().enumerate() {
                    @if i % label_every == 0 {
                        text x=(n(x.at(f64::from(*year)))) y=(HEIGHT - BOTTOM + 18.0) text-anchor="middle" class="assure-chart__tick" { (year) }
                    }
                }
                line x1=(n(left)) x2=(n(WIDTH - right)) y1=(HEIGHT - BOTTOM) y2=(HEIGHT - BOTTOM) class="assure-chart__axis" {}
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
    };
    figure(svg)
}

/// A chart's figure: the SVG and its legend.
fn figure(svg: Markup) -> Markup {
    let svg = svg.into_string();
    html! {
        figure class="assure-chart" {
            // On a narrow screen the web's style lets the drawing scroll here rather than
            // shrink its text below 12 px; the stop lets a keyboard scroll it.
            div class="assure-chart__scroll" tabindex="0" { (PreEscaped(&svg)) }
            figcaption class="assure-chart__key" { (legend(&svg)) }
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

/// Each area's latest value with its 95% interval against England's value, each point
/// coloured by its comparison with England. Long area names wrap within the label column;
/// ids start with `chart-` and `id`, which must be unique in the page.
pub fn areas(id: &str, title: &str, unit: Unit, england: Option<f64>, rows: &[(String, &AreaValue)]) -> Markup {
    let row_height = 26.0;
    let label_width = (widest(rows.iter().map(|(name, _)| name)) + 14.0).clamp(120.0, MAX_LABEL_WIDTH);
    let labels: Vec<Vec<String>> = rows.iter().map(|(name, _)| wrap(name, label_width - 14.0)).collect();
    // Each row is as tall as its label; `tops[i]` is where row `i` starts.
    let heights: Vec<f64> =
        labels.iter().map(|l| row_height + LINE_HEIGHT * (l.len().saturating_sub(1)) as f64).collect();
    let tops: Vec<f64> = heights.iter().scan(TOP, |top, h| Some(std::mem::replace(top, *top + h))).collect();
    let height = TOP + heights.iter().sum::<f64>() + BOTTOM;
    let mut values: Vec<f64> = rows
        .iter()
        .flat_map(|(_, v)| [Some(v.point.value), v.point.lower, v.point.upper].into_iter().flatten())
        .collect();
    values.extend(england);
    let ticks: Vec<(f64, String)> = Scale::padded(values.iter().copied(), (0.0, 1.0))
        .ticks()
        .into_iter()
        .map(|t| (t, axis_label(unit, t)))
        .collect();
    // The last tick's label is centred on it: the right margin holds half of it.
    let right = RIGHT.max(widest(ticks.iter().map(|(_, l)| l)) / 2.0 + 4.0);
    let x = Scale::padded(values, (label_width, WIDTH - right));
    let description = format!(
        "{} areas{}. The same numbers are in the table that follows.",
        rows.len(),
        england.map(|e| format!(" against England's {}", format::value(unit, e))).unwrap_or_default()
    );
    let id = chart_id(id);
    let svg = html! {
            svg viewBox={ "0 0 " (WIDTH) " " (n(height)) } role="img" aria-labelledby={ (id) "-title " (id) "-desc" } class="assure-chart__svg" {
                title id={ (id) "-title" } { (title) }
                desc id={ (id) "-desc" } { (description) }
                @for (t, label) in &ticks {
                    line x1=(n(x.at(*t))) x2=(n(x.at(*t))) y1=(TOP) y2=(n(height - BOTTOM)) class="assure-chart__grid" {}
                    text x=(n(x.at(*t))) y=(n(height - BOTTOM + 18.0)) text-anchor="middle" class="assure-chart__tick" { (label) }
                }
                @if let Some(e) = england {
                    line class="assure-chart__england-line" x1=(n(x.at(e))) x2=(n(x.at(e))) y1=(TOP - 6.0) y2=(n(height - BOTTOM)) {}
                }
                @for (i, (_, v)) in rows.iter().enumerate() {
                    @let cy = tops[i] + heights[i] / 2.0;
                    @let lines = &labels[i];
                    @let first = cy + 4.0 - LINE_HEIGHT * (lines.len() - 1) as f64 / 2.0;
                    text x=(n(label_width - 8.0)) y=(n(first)) text-anchor="end" class="assure-chart__label" {
                        @if let [line] = lines.as_slice() { (line) }
                        @else {
                            @for (k, line) in lines.iter().enumerate() {
                                tspan x=(n(label_width - 8.0)) y=(n(first + LINE_HEIGHT * k as f64)) { (line) }
                            }
                        }
                    }
                    @if let (Some(lo), Some(hi)) = (v.point.lower, v.point.upper) {
                        line class="assure-chart__error" x1=(n(x.at(lo))) x2=(n(x.at(hi))) y1=(n(cy)) y2=(n(cy)) {}
                    }
                    circle class={ "assure-chart__point assure-chart__point--" (v.comparison.to_string().to_lowercase().replace(' ', "-")) } cx=(n(x.at(v.point.value))) cy=(n(cy)) r="4.5" {}
                }
            }
    };
    figure(svg)
}

/// The height of a funnel plot.
const FUNNEL_HEIGHT: f64 = 360.0;
/// The room below a funnel plot for its ticks and the name of its axis.
const FUNNEL_BOTTOM: f64 = 50.0;

/// An indicator's areas on a funnel plot: each area's value (y) against its denominator
/// (x), the centre line (England's value, or the areas' average), and the 95% and 99.8%
/// control limits as curves. Areas outside the 95% limits are coloured better or worse by
/// `polarity`. Every area is labelled where its name fits without covering another label
/// or point, those outside the limits first; every area is in the table beside the chart
/// (and named in its point's tooltip). `names` are the areas' names in the order of
/// `f.areas`; ids start with `chart-` and `id`, which must be unique in the page.
pub fn funnel(
    id: &str,
    title: &str,
    unit: Unit,
    polarity: assure_plan::Polarity,
    f: &AreaFunnel,
    names: &[String],
) -> Markup {
    let placed: Vec<(usize, f64, &FunnelArea)> =
        f.areas.iter().enumerate().filter_map(|(k, a)| Some((k, a.denominator?, a))).collect();
    let (x_lo, x_hi) =
        placed.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (_, d, _)| (lo.min(*d), hi.max(*d)));
    let (x_lo, x_hi) = if x_lo.is_finite() { (x_lo, x_hi) } else { (0.0, 1.0) };
    let x_from = if x_hi > 2.0 * x_lo { 0.0 } else { x_lo * 0.9 };
    let x_to = x_hi * 1.08;
    // The y range holds the points, the centre, and the limits over the points' range (not
    // the funnel's wide mouth towards zero, which the plot area clips).
    let mut values: Vec<f64> = placed.iter().map(|(_, _, a)| a.value).collect();
    values.push(f.centre);
    for c in &f.limits {
        values.extend(c.points.iter().filter(|(x, _)| *x >= x_lo && *x <= x_to).map(|(_, v)| *v));
        values.extend(interpolate(&c.points, x_lo));
    }
    let mut y = Scale::padded(values, (FUNNEL_HEIGHT - FUNNEL_BOTTOM, TOP));
    if unit == Unit::Percent {
        y.from = (y.from.0.max(0.0), y.from.1.min(100.0));
    }
    let y_ticks: Vec<(f64, String)> = y.ticks().into_iter().map(|t| (t, axis_label(unit, t))).collect();
    let x_probe = Scale::new(x_from, x_to, (0.0, 1.0));
    let x_ticks: Vec<(f64, String)> = x_probe.ticks().into_iter().map(|t| (t, format::number(t, 0))).collect();
    let left = LEFT.max(widest(y_ticks.iter().map(|(_, l)| l)) + 12.0);
    let right = RIGHT.max(widest(x_ticks.iter().map(|(_, l)| l)) / 2.0 + 4.0);
    let x = Scale::new(x_from, x_to, (left, WIDTH - right));
    let plot = (left, TOP, WIDTH - right, FUNNEL_HEIGHT - FUNNEL_BOTTOM);
    let chart = chart_id(id);
    let clip = format!("{chart}-clip");
    let curve = |c: &LimitCurve| -> String {
        // One point beyond each end of the axis, so that the line runs to the edge.
        let first = c.points.iter().rposition(|(px, _)| *px <= x_from).unwrap_or(0);
        let last = c.points.iter().position(|(px, _)| *px >= x_to).unwrap_or(c.points.len().saturating_sub(1));
        c.points
            .get(first..=last)
            .unwrap_or_default()
            .iter()
            .map(|(px, py)| {
                format!(
                    "{},{}",
                    n(x.at(*px)),
                    n(y.at(py.clamp(y.from.0 - (y.from.1 - y.from.0), y.from.1 + (y.from.1 - y.from.0))))
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let tone = |a: &FunnelArea| match (a.position.outside(), a.position.better(polarity)) {
        (None, _) => "",
        (Some(_), None) => " assure-chart__dot--outside",
        (Some(_), Some(true)) => " assure-chart__dot--better",
        (Some(_), Some(false)) => " assure-chart__dot--worse",
    };
    let dots: Vec<(f64, f64)> = placed.iter().map(|(_, d, a)| (x.at(*d), y.at(a.value))).collect();
    let tick_boxes: Vec<(f64, f64, f64, f64)> = y_ticks
        .iter()
        .map(|(t, l)| (left - 6.0 - text_width(l), y.at(*t) - 10.0, left - 6.0, y.at(*t) + 5.0))
        .collect();
    let labels = place_labels(&placed, &dots, names, plot, &tick_boxes);
    let description = describe_funnel(unit, f);
    let centre_class = if f.centre_is_england { "assure-chart__england-line" } else { "assure-chart__average" };
    let svg = html! {
        svg viewBox={ "0 0 " (WIDTH) " " (FUNNEL_HEIGHT) } role="img" aria-labelledby={ (chart) "-title " (chart) "-desc" } class="assure-chart__svg" {
            title id={ (chart) "-title" } { (title) }
            desc id={ (chart) "-desc" } { (description) }
            defs { clipPath id=(clip) { rect x=(n(plot.0)) y=(n(plot.1)) width=(n(plot.2 - plot.0)) height=(n(plot.3 - plot.1)) {} } }
            @for (t, label) in &y_ticks {
                line x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(y.at(*t))) y2=(n(y.at(*t))) class="assure-chart__grid" {}
                text x=(n(left - 6.0)) y=(n(y.at(*t) + 4.0)) text-anchor="end" class="assure-chart__tick" { (label) }
            }
            @for (t, label) in &x_ticks {
                line x1=(n(x.at(*t))) x2=(n(x.at(*t))) y1=(TOP) y2=(n(plot.3)) class="assure-chart__grid" {}
                text x=(n(x.at(*t))) y=(n(plot.3 + 18.0)) text-anchor="middle" class="assure-chart__tick" { (label) }
            }
            text x=(n((left + WIDTH - right) / 2.0)) y=(n(plot.3 + 38.0)) text-anchor="middle" class="assure-chart__tick" { (funnel_axis(f.method)) }
            line x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(plot.3)) y2=(n(plot.3)) class="assure-chart__axis" {}
            g clip-path={ "url(#" (clip) ")" } {
                @for c in &f.limits {
                    polyline class={ "assure-chart__limit assure-chart__limit--" (if c.level == LimitLevel::P95 { "95" } else { "998" }) } points=(curve(c)) {}
                }
                line class=(centre_class) x1=(n(left)) x2=(n(WIDTH - right)) y1=(n(y.at(f.centre))) y2=(n(y.at(f.centre))) {}
            }
            @for (k, (_, d, a)) in placed.iter().enumerate() {
                circle class={ "assure-chart__dot" (tone(a)) } cx=(n(dots[k].0)) cy=(n(dots[k].1)) r="4.5" {
                    title { (names.get(placed[k].0).map_or("", String::as_str)) ": " (format::value(unit, a.value)) ", " (format::number(*d, 0)) }
                }
            }
            @for l in &labels {
                text x=(n(l.x)) y=(n(l.y)) text-anchor=(l.anchor) class="assure-chart__label assure-chart__label--halo" { (l.text) }
            }
        }
    };
    figure(svg)
}

/// The name of a funnel's horizontal axis.
fn funnel_axis(method: assure_plan::Method) -> &'static str {
    match method {
        assure_plan::Method::Proportion => "Denominator (people counted)",
        assure_plan::Method::DirectlyStandardisedRate => "Population the rate implies (100,000 × events ÷ rate)",
        _ => "Population",
    }
}

/// The value of a limit curve at x, by a straight line between its points beside x.
fn interpolate(points: &[(f64, f64)], x: f64) -> Option<f64> {
    let k = points.iter().position(|(px, _)| *px >= x)?;
    let (x1, y1) = points[k];
    if k == 0 {
        return Some(y1);
    }
    let (x0, y0) = points[k - 1];
    Some(y0 + (y1 - y0) * (x - x0) / (x1 - x0))
}

/// A label placed on a chart.
struct Label {
    x: f64,
    y: f64,
    anchor: &'static str,
    text: String,
}

/// Labels for the points of a funnel: the areas outside the 99.8% limits first, then
/// those outside the 95%, then the rest; each to the right, left, above or below its
/// point (or diagonally beside it), whichever first fits inside the chart's height and
/// width without covering a placed label, a point or a tick label. Areas whose name does not fit are left to the table.
fn place_labels(
    placed: &[(usize, f64, &FunnelArea)],
    dots: &[(f64, f64)],
    names: &[String],
    plot: (f64, f64, f64, f64),
    ticks: &[(f64, f64, f64, f64)],
) -> Vec<Label> {
    let rank = |a: &FunnelArea| match a.position {
        Position::Above998 | Position::Below998 => 0,
        Position::Above95 | Position::Below95 => 1,
        _ => 2,
    };
    let mut order: Vec<usize> = (0..placed.len()).collect();
    order.sort_by_key(|&k| rank(placed[k].2));
    let radius = 5.0;
    let mut taken: Vec<(f64, f64, f64, f64)> =
        dots.iter().map(|(cx, cy)| (cx - radius, cy - radius, cx + radius, cy + radius)).collect();
    taken.extend(ticks.iter().copied());
    let mut labels = Vec::new();
    for k in order {
        let Some(text) = names.get(placed[k].0) else { continue };
        let (cx, cy) = dots[k];
        let w = text_width(text);
        let h = FONT_SIZE;
        // (left, top, right, bottom) of the text, its anchor point and anchor.
        let candidates = [
            ((cx + 7.0, cy - h / 2.0 - 1.0, cx + 7.0 + w, cy + h / 2.0), (cx + 7.0, cy + 4.0), "start"),
            ((cx - 7.0 - w, cy - h / 2.0 - 1.0, cx - 7.0, cy + h / 2.0), (cx - 7.0, cy + 4.0), "end"),
            ((cx - w / 2.0, cy - 8.0 - h, cx + w / 2.0, cy - 7.0), (cx, cy - 10.0), "middle"),
            ((cx - w / 2.0, cy + 7.0, cx + w / 2.0, cy + 8.0 + h), (cx, cy + 18.0), "middle"),
            ((cx + 3.0, cy - 8.0 - h, cx + 3.0 + w, cy - 7.0), (cx + 3.0, cy - 10.0), "start"),
            ((cx + 3.0, cy + 7.0, cx + 3.0 + w, cy + 8.0 + h), (cx + 3.0, cy + 18.0), "start"),
            ((cx - 3.0 - w, cy - 8.0 - h, cx - 3.0, cy - 7.0), (cx - 3.0, cy - 10.0), "end"),
            ((cx - 3.0 - w, cy + 7.0, cx - 3.0, cy + 8.0 + h), (cx - 3.0, cy + 18.0), "end"),
        ];
        let own = (cx - radius, cy - radius, cx + radius, cy + radius);
        let fits = |b: &(f64, f64, f64, f64)| {
            b.0 >= 2.0
                && b.1 >= plot.1
                && b.2 <= WIDTH - 2.0
                && b.3 <= plot.3
                && !taken.iter().any(|t| *t != own && t.0 < b.2 && b.0 < t.2 && t.1 < b.3 && b.1 < t.3)
        };
        if let Some((b, (lx, ly), anchor)) = candidates.into_iter().find(|(b, _, _)| fits(b)) {
            taken.push(b);
            labels.push(Label { x: lx, y: ly, anchor, text: text.clone() });
        }
    }
    labels
}

fn describe_funnel(unit: Unit, f: &AreaFunnel) -> String {
    let count = |p: &[Position]| f.areas.iter().filter(|a| p.contains(&a.position)).count();
    let centre = if f.centre_is_england { "England's" } else { "the areas' average" };
    let mut text = format!(
        "{} areas in {} against {centre} {}, with 95% and 99.8% control limits. {} above the 95% limit ({} of them above the 99.8%), {} below it ({} below the 99.8%), {} within.",
        f.areas.len(),
        f.period,
        format::value(unit, f.centre),
        count(&[Position::Above95, Position::Above998]),
        count(&[Position::Above998]),
        count(&[Position::Below95, Position::Below998]),
        count(&[Position::Below998]),
        count(&[Position::Within95]),
    );
    let unplaced = count(&[Position::NotApplicable]);
    if unplaced > 0 {
        text.push_str(&format!(" {unplaced} not placed (fewer than 10 events)."));
    }
    text.push_str(" The same numbers are in the table that follows.");
    text
}
