//! The status of an indicator against its target, computed and never typed in, with the
//! reason in words. [`RULE`] states the rule as the public "How we judge progress" page
//! shows it; [`assess`] applies it.

use assure_plan::observation::Observation;
use assure_plan::{Polarity, TargetKind, Tracked};
use assure_stats::{Comparison, ConfidenceLevel, Interval, compare, linear_trend};
use serde::Serialize;

use crate::format;
use crate::time::period_time;

/// A computed status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The target is met.
    Achieved,
    /// At least as good as expected on the way to the target.
    OnTrack,
    /// Worse than expected, but not clearly so.
    AtRisk,
    /// Clearly worse than expected.
    OffTrack,
    /// Nothing to judge from.
    NoData,
}

impl Status {
    /// Every status, best first.
    pub const ALL: [Status; 5] = [Status::Achieved, Status::OnTrack, Status::AtRisk, Status::OffTrack, Status::NoData];

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Status::Achieved => "Achieved",
            Status::OnTrack => "On track",
            Status::AtRisk => "At risk",
            Status::OffTrack => "Off track",
            Status::NoData => "No data",
        }
    }

    /// The name in URLs, files and the API: `on_track`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NoData => "no_data",
        }
    }

    /// The status named `text` ([`Status::as_str`]).
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// How much attention it needs: higher is worse (for the worst of several parts).
    pub fn concern(self) -> u8 {
        match self {
            Status::Achieved => 0,
            Status::OnTrack => 1,
            Status::NoData => 2,
            Status::AtRisk => 3,
            Status::OffTrack => 4,
        }
    }

    /// The worst of several statuses (no data when there are none).
    pub fn worst(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses.into_iter().max_by_key(|s| s.concern()).unwrap_or(Status::NoData)
    }
}

/// The rule, as shown to the public.
pub const RULE: &[(&str, &str)] = &[
    (
        "Trajectory",
        "For a target with a number (\"no more than 6% by 2028/29\"), the expected value at any time is on the \
         straight line from the baseline to the target: at the baseline's time it is the baseline, at the target \
         date it is the target. A value for a period is placed at the period's last day. When the plan gives no \
         period for its baseline, the baseline is taken as at the plan's publication; when it gives no baseline \
         value, the value nearest the plan's publication is the baseline (the reason names its period).",
    ),
    (
        "Achieved",
        "The latest value meets the target: at most, less than, at least or more than the target value; for \
         \"below\" or \"above the baseline\" targets, significantly better than the baseline (its 95% confidence \
         interval lies wholly on the better side); for \"maintain\", \"similar to\" and national targets, not \
         significantly worse once the target date has been reached; for \"at or close to zero\", at or below the \
         tolerance.",
    ),
    (
        "On track",
        "Not yet achieved, and the latest value is at least as good as expected on the trajectory (for targets \
         without a trajectory: better than the baseline, or not significantly worse than the value to keep).",
    ),
    (
        "At risk",
        "Worse than expected, but the 95% confidence interval of the latest value still contains the expected \
         value, so the gap may be chance. Without an interval, a value worse than expected but better than the \
         baseline is at risk.",
    ),
    (
        "Off track",
        "Worse than expected and the whole 95% confidence interval lies on the worse side; or, without an \
         interval, no better than the baseline; or the target date has passed and the target was not met.",
    ),
    (
        "No data",
        "There is no observation for the indicator's area yet, or (for national targets) no England value for the \
         same period, or the indicator is judged from milestones and evidence rather than a number.",
    ),
    (
        "Projection",
        "With three or more values, a straight line is fitted to them (least squares) and carried to the target \
         date with a 95% prediction interval. The target is likely to be met if the whole interval meets it, \
         unlikely if none of it does, and uncertain otherwise.",
    ),
    (
        "Comparison with England",
        "The latest value's 95% confidence interval is compared with England's value for the same period: wholly \
         above or below it is significantly better or worse (by the indicator's polarity), otherwise similar.",
    ),
];

/// One value in a series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The period as written.
    pub period: String,
    /// Its place on the time axis.
    pub time: f64,
    /// The value.
    pub value: f64,
    /// Lower 95% limit.
    pub lower: Option<f64>,
    /// Upper 95% limit.
    pub upper: Option<f64>,
    /// The population (denominator) behind the value, where the data give one.
    pub denominator: Option<f64>,
}

impl Point {
    /// Its 95% interval, where it has both limits.
    pub fn interval(&self) -> Option<Interval> {
        Some(Interval { lower: self.lower?, upper: self.upper? })
    }
}

/// The series of values with a period that parses, in time order.
pub fn points(observations: &[Observation]) -> Vec<Point> {
    let mut points: Vec<Point> = observations
        .iter()
        .filter_map(|o| {
            Some(Point {
                period: o.key.period.clone(),
                time: period_time(&o.key.period)?,
                value: o.value?,
                lower: o.lower,
                upper: o.upper,
                denominator: o.denominator,
            })
        })
        .collect();
    points.sort_by(|a, b| a.time.total_cmp(&b.time));
    points
}

/// The baseline a judgement starts from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BaselineUsed {
    /// Its value.
    pub value: f64,
    /// Its time.
    pub time: f64,
    /// Where it comes from, in words.
    pub label: String,
    /// Whether it was taken from the observations (the plan gives no value).
    pub from_data: bool,
}

/// Whether a projection reaches the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Likelihood {
    /// The whole prediction interval meets the target.
    Likely,
    /// Part of it does.
    Uncertain,
    /// None of it does.
    Unlikely,
}

/// The trend carried to the target date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// The target date's time.
    pub time: f64,
    /// The projected value.
    pub value: f64,
    /// Lower 95% prediction limit.
    pub lower: f64,
    /// Upper 95% prediction limit.
    pub upper: f64,
    /// Change per year.
    pub slope: f64,
    /// The points fitted.
    pub points: usize,
    /// Whether the target is likely to be met.
    pub likelihood: Likelihood,
}

/// Everything judged about one tracked indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The status.
    pub status: Status,
    /// Why, in words.
    pub reason: String,
    /// The baseline used.
    pub baseline: Option<BaselineUsed>,
    /// The value aimed at (the target; for relative targets the baseline or England's value).
    pub goal: Option<f64>,
    /// When the target is due.
    pub target_time: Option<f64>,
    /// The values for the indicator's area, in time order.
    pub series: Vec<Point>,
    /// England's values, in time order.
    pub comparator: Vec<Point>,
    /// The value expected on the trajectory at the latest value's time.
    pub expected: Option<f64>,
    /// The trend carried to the target date.
    pub projection: Option<Projection>,
    /// The latest value against England's for the same period.
    #[serde(serialize_with = "display")]
    pub comparison: Comparison,
}

impl Assessment {
    /// The latest value.
    pub fn latest(&self) -> Option<&Point> {
        self.series.last()
    }
}

/// Serialise by `Display` (for the statistics engine's types, which know nothing of serde).
pub(crate) fn display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// How one value stands against another, by polarity.
fn better(polarity: Polarity, a: f64, b: f64) -> bool {
    match polarity {
        Polarity::LowerIsBetter => a < b,
        _ => a > b,
    }
}

pub(crate) fn stats_polarity(p: Polarity) -> assure_stats::Polarity {
    match p {
        Polarity::HigherIsBetter => assure_stats::Polarity::HighIsGood,
        Polarity::LowerIsBetter => assure_stats::Polarity::LowIsGood,
        Polarity::NoJudgement => assure_stats::Polarity::NoJudgement,
    }
}

/// Judge a tracked indicator from its observations for its own area (`headline`, no
/// breakdown) and England's (`comparator`). `published` is the time of the plan's
/// publication, the baseline's time when the plan states no baseline period.
pub fn assess(t: Tracked<'_>, headline: &[Observation], comparator: &[Observation], published: f64) -> Assessment {
    let series = points(headline);
    let comparator = points(comparator);
    let kind = *t.target.kind.get_ref();
    let target_time = t.target.by.as_ref().and_then(|b| period_time(b.get_ref()));
    let polarity = t.polarity;
    let show = |v: f64| format::value(t.unit, v);
    let latest = series.last().cloned();
    let comparison_value =
        latest.as_ref().and_then(|l| comparator.iter().find(|c| c.period == l.period)).map(|c| c.value);
    let comparison = compare(latest.as_ref().and_then(Point::interval), comparison_value, stats_polarity(polarity));
    let mut a = Assessment {
        status: Status::NoData,
        reason: String::new(),
        baseline: baseline(&t, &series, published),
        goal: None,
        target_time,
        series: series.clone(),
        comparator: comparator.clone(),
        expected: None,
        projection: None,
        comparison,
    };
    if kind == TargetKind::Qualitative {
        a.reason = "Judged from milestones and evidence, not a number: see the linked milestones.".to_owned();
        return a;
    }
    let Some(latest) = latest else {
        a.reason = format!("No data yet for {}.", t.geography);
        return a;
    };
    let when = format!("in {}", latest.period);
    let stated = match (latest.lower, latest.upper) {
        (Some(l), Some(u)) => format!("latest {} ({}) {when}", show(latest.value), format::interval(t.unit, l, u)),
        _ => format!("latest {} {when} (no confidence interval)", show(latest.value)),
    };
    let due_passed = target_time.is_some_and(|due| latest.time >= due - 1e-9);
    let by = t.target.by.as_ref().map(|b| format!(" by {}", b.get_ref())).unwrap_or_default();
    let interval = latest.interval();
    let contains = |v: f64| interval.is_some_and(|i| i.lower <= v && v <= i.upper);
    // Significantly worse / better than a reference value.
    let significance = |r: f64| compare(interval, Some(r), stats_polarity(polarity));

    match kind {
        TargetKind::AtMost | TargetKind::LessThan | TargetKind::AtLeast | TargetKind::MoreThan => {
            let goal = t.target.value.as_ref().map(|v| *v.get_ref()).unwrap_or_default();
            a.goal = Some(goal);
            let met = match kind {
                TargetKind::AtMost => latest.value <= goal,
                TargetKind::LessThan => latest.value < goal,
                TargetKind::AtLeast => latest.value >= goal,
                _ => latest.value > goal,
            };
            let words = match kind {
                TargetKind::AtMost => "no more than",
                TargetKind::LessThan => "below",
                TargetKind::AtLeast => "at least",
                _ => "above",
            };
            let Some(base) = a.baseline.clone() else {
                unreachable_baseline(&mut a);
                return a;
            };
            if met {
                a.status = Status::Achieved;
                a.reason = format!("{}; the target is {words} {}{by}.", cap(&stated), show(goal));
            } else if due_passed {
                a.status = Status::OffTrack;
                a.reason =
                    format!("{}; the target of {words} {}{by} was not met by its date.", cap(&stated), show(goal));
            } else {
                let due = target_time.unwrap_or(latest.time);
                let span = due - base.time;
                let fraction = if span > 0.0 { ((latest.time - base.time) / span).clamp(0.0, 1.0) } else { 1.0 };
                let expected = base.value + (goal - base.value) * fraction;
                a.expected = Some(expected);
                let (latest_shown, expected_shown) = format::distinct(t.unit, latest.value, expected);
                let stated = stated.replacen(&show(latest.value), &latest_shown, 1);
                let tail = format!(
                    "expected {expected_shown} on the trajectory from {} ({}) to {}{by}",
                    show(base.value),
                    base.label,
                    show(goal)
                );
                if !better(polarity, expected, latest.value) {
                    a.status = Status::OnTrack;
                } else if interval.is_some() {
                    a.status = if contains(expected) { Status::AtRisk } else { Status::OffTrack };
                } else {
                    a.status =
                        if better(polarity, latest.value, base.value) { Status::AtRisk } else { Status::OffTrack };
                }
                a.reason = format!("{}; {tail}.", cap(&stated));
            }
        }
        TargetKind::Maintain | TargetKind::SimilarToBaseline => {
            let keep = t.target.value.as_ref().map(|v| *v.get_ref()).or(a.baseline.as_ref().map(|b| b.value));
            let Some(keep) = keep else {
                unreachable_baseline(&mut a);
                return a;
            };
            a.goal = Some(keep);
            let what = if kind == TargetKind::Maintain { "to be maintained at" } else { "to stay similar to" };
            let worse = significance(keep) == Comparison::Worse;
            a.status = if worse {
                Status::OffTrack
            } else if interval.is_none() && better(polarity, keep, latest.value) {
                Status::AtRisk
            } else if due_passed {
                Status::Achieved
            } else {
                Status::OnTrack
            };
            let judged = if worse {
                "significantly worse than"
            } else if interval.is_none() {
                if better(polarity, keep, latest.value) { "worse than (significance unknown)" } else { "no worse than" }
            } else {
                "not significantly worse than"
            };
            a.reason = format!("{}, {judged} {} ({what} {}{by}).", cap(&stated), show(keep), show(keep));
        }
        TargetKind::BelowBaseline | TargetKind::AboveBaseline => {
            let Some(base) = a.baseline.clone() else {
                unreachable_baseline(&mut a);
                return a;
            };
            if only_baseline(&base, &latest) {
                a.reason = format!("No value after the baseline yet ({} {when}).", show(latest.value));
                return a;
            }
            a.goal = Some(base.value);
            let sig = significance(base.value);
            let (status, judged) = match sig {
                Comparison::Better => (Status::Achieved, "significantly better than"),
                Comparison::Worse => (Status::OffTrack, "significantly worse than"),
                _ if better(polarity, latest.value, base.value) => {
                    (Status::OnTrack, "better than, though not yet significantly,")
                }
                _ if interval.is_none() && better(polarity, base.value, latest.value) => {
                    (Status::OffTrack, "worse than")
                }
                _ => (Status::AtRisk, "no better than"),
            };
            a.status = if status == Status::OnTrack && due_passed { Status::OffTrack } else { status };
            let aim = if kind == TargetKind::BelowBaseline { "below" } else { "above" };
            a.reason = format!(
                "{}, {judged} the baseline {} ({}); the aim is to be {aim} it{by}.",
                cap(&stated),
                show(base.value),
                base.label
            );
        }
        TargetKind::National => {
            let offset = t.target.offset.unwrap_or(0.0);
            let Some(national) = comparison_value else {
                a.reason = format!("{}; no England value for {} to compare with.", cap(&stated), latest.period);
                return a;
            };
            let goal = national + offset;
            a.goal = Some(goal);
            let sig = significance(goal);
            a.status = if sig == Comparison::Worse {
                Status::OffTrack
            } else if better(polarity, goal, latest.value) {
                Status::AtRisk
            } else if due_passed {
                Status::Achieved
            } else {
                Status::OnTrack
            };
            let aim = if offset == 0.0 {
                format!("England's {}", show(national))
            } else {
                format!(
                    "England's {} {} {}",
                    show(national),
                    if offset < 0.0 { "less" } else { "plus" },
                    format::number(offset.abs(), 1)
                )
            };
            let judged = match (sig, a.status) {
                (Comparison::Worse, _) => "significantly worse than",
                (_, Status::AtRisk) if interval.is_some() => "worse than, though not significantly,",
                (_, Status::AtRisk) => "worse than",
                _ => "at least as good as",
            };
            a.reason = format!("{}, {judged} the aim of {aim}{by}.", cap(&stated));
        }
        TargetKind::Zero => {
            let tolerance = t.measurement.and_then(|m| m.tolerance).unwrap_or(0.0);
            a.goal = Some(tolerance);
            let previous = series.len().checked_sub(2).map(|i| series[i].value);
            a.status = if latest.value <= tolerance {
                Status::Achieved
            } else if previous.is_some_and(|p| latest.value < p) {
                Status::AtRisk
            } else {
                Status::OffTrack
            };
            let trend = match previous {
                Some(p) if latest.value < p => format!(", down from {}", show(p)),
                Some(p) if latest.value > p => format!(", up from {}", show(p)),
                Some(_) => ", unchanged".to_owned(),
                None => String::new(),
            };
            a.reason =
                format!("{}{trend}; the aim is {} or fewer (at or close to zero).", cap(&stated), show(tolerance));
        }
        TargetKind::Qualitative => {}
    }
    a.projection = project(&series, target_time, a.goal, kind, polarity);
    if let Some(p) = &a.projection {
        let words = match p.likelihood {
            Likelihood::Likely => "likely to be met",
            Likelihood::Uncertain => "uncertain",
            Likelihood::Unlikely => "unlikely to be met",
        };
        a.reason.push_str(&format!(
            " On the trend of its {} values the projection is {} ({}) at the target date: {words}.",
            p.points,
            show(p.value),
            format::interval(t.unit, p.lower, p.upper)
        ));
    }
    a
}

/// Whether the latest value is the baseline itself (a baseline taken from the data, with
/// nothing after it).
fn only_baseline(base: &BaselineUsed, latest: &Point) -> bool {
    base.from_data && latest.time <= base.time
}

fn unreachable_baseline(a: &mut Assessment) {
    a.reason = "No baseline value to judge from.".to_owned();
}

fn cap(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// The baseline: the plan's value (at its stated period, or the plan's publication), the
/// observation for the stated baseline period, or the observation nearest the plan's
/// publication.
fn baseline(t: &Tracked<'_>, series: &[Point], published: f64) -> Option<BaselineUsed> {
    let stated = t.baseline;
    let period = stated.and_then(|b| b.period.as_ref()).map(|p| p.get_ref().clone());
    let time = period.as_deref().and_then(period_time);
    if let Some(v) = stated.and_then(|b| b.value.as_ref()) {
        let label = match &period {
            Some(p) => format!("the plan's baseline for {p}"),
            None => "the plan's baseline".to_owned(),
        };
        return Some(BaselineUsed { value: *v.get_ref(), time: time.unwrap_or(published), label, from_data: false });
    }
    if let Some(p) = &period
        && let Some(point) = series.iter().find(|s| &s.period == p)
    {
        return Some(BaselineUsed {
            value: point.value,
            time: point.time,
            label: format!("the value for {p}"),
            from_data: true,
        });
    }
    // The plan speaks of the time it was published: judge from the value nearest it,
    // not from the oldest value a data set happens to hold (the earlier of two as near).
    let nearest = series.iter().min_by(|a, b| (a.time - published).abs().total_cmp(&(b.time - published).abs()))?;
    Some(BaselineUsed {
        value: nearest.value,
        time: nearest.time,
        label: format!("the value nearest the plan's publication, for {}", nearest.period),
        from_data: true,
    })
}

fn project(
    series: &[Point],
    due: Option<f64>,
    goal: Option<f64>,
    kind: TargetKind,
    polarity: Polarity,
) -> Option<Projection> {
    let (due, goal) = (due?, goal?);
    if series.len() < 3 || series.last().is_some_and(|l| l.time >= due) {
        return None;
    }
    let trend = linear_trend(&series.iter().map(|p| (p.time, p.value)).collect::<Vec<_>>()).ok()?;
    let band = trend.prediction(due, &ConfidenceLevel::p95());
    let meets = |v: f64| match kind {
        TargetKind::AtMost | TargetKind::Zero => v <= goal,
        TargetKind::LessThan => v < goal,
        TargetKind::AtLeast => v >= goal,
        TargetKind::MoreThan => v > goal,
        TargetKind::BelowBaseline | TargetKind::AboveBaseline => better(polarity, v, goal),
        _ => !better(polarity, goal, v),
    };
    let likelihood = match (meets(band.lower), meets(band.upper)) {
        (true, true) => Likelihood::Likely,
        (false, false) => Likelihood::Unlikely,
        _ => Likelihood::Uncertain,
    };
    Some(Projection {
        time: due,
        value: trend.at(due),
        lower: band.lower,
        upper: band.upper,
        slope: trend.slope,
        points: trend.points,
        likelihood,
    })
}

/// Every tracked indicator of a plan with its assessment, in plan order. `fetch` returns an
/// indicator's observations without breakdown for the given areas (its own and England).
pub fn assess_plan<'a, E>(
    plan: &'a assure_plan::Plan,
    mut fetch: impl FnMut(&str, &[&str]) -> Result<Vec<Observation>, E>,
) -> Result<Vec<(Tracked<'a>, Assessment)>, E> {
    let published = crate::time::date_time(&plan.meta.published).unwrap_or(0.0);
    let mut out = Vec::new();
    for t in plan.indicators.iter().flat_map(|i| i.tracked()) {
        let area = t.measurement.map(|m| m.area.get_ref().as_str());
        let comparator = t.measurement.and_then(|m| m.comparator).map(|c| c.area_id());
        let areas: Vec<&str> = area.into_iter().chain(comparator).collect();
        let rows = fetch(t.id, &areas)?;
        let (own, england): (Vec<Observation>, Vec<Observation>) =
            rows.into_iter().partition(|o| Some(o.key.area.as_str()) == area);
        let england: Vec<Observation> =
            england.into_iter().filter(|o| Some(o.key.area.as_str()) == comparator).collect();
        out.push((t, assess(t, &own, &england, published)));
    }
    Ok(out)
}
