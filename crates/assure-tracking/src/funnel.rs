//! An indicator's areas on a funnel plot: each area's value against its denominator,
//! with the comparator's average and the 95% and 99.8% control limits around it, and
//! where each area lies against them (`assure_stats`' funnel functions, after PHStatsMethods).
//!
//! Which methods allow a funnel, and why:
//! - **proportions** and **crude rates**: every area's numerator and denominator are
//!   what the limits are computed from;
//! - **directly standardised rates**: with each area's count of events (the funnel's
//!   denominator is the population the rate implies, `100,000 × events / rate`), as
//!   PHStatsMethods does; an area with fewer than 10 events has no point;
//! - means, counts and reported values: not (a funnel needs events out of a population).
//!
//! The centre is England's value for the same period, where there is one (its counts if
//! it has them), since the areas of a plan overlap (a county and its districts) and
//! their sum would count people twice; without England, the areas' own average.

use std::fmt;

use assure_plan::observation::Observation;
use assure_plan::{Method, Polarity};
use assure_stats::{
    ConfidenceLevel, FunnelStatistic, FunnelTotals, RateType, StatsError, funnel_denominator, funnel_limits,
    funnel_significance,
};
use serde::Serialize;

use crate::time::period_time;

/// Rates are per 100,000, as [`crate::prepare`] computes them.
const PER_100000: f64 = 100_000.0;

/// The funnel of an indicator's areas for one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaFunnel {
    /// The period (the latest with a value for an area other than England).
    pub period: String,
    /// The method the funnel is drawn for.
    pub method: Method,
    /// The average the limits are drawn around, in the indicator's unit.
    pub centre: f64,
    /// Whether the centre is England's value (otherwise the average of the areas shown).
    pub centre_is_england: bool,
    /// The four control limits: 95% and 99.8%, lower and upper.
    pub limits: Vec<LimitCurve>,
    /// Every area with a value in the period, in id order.
    pub areas: Vec<FunnelArea>,
}

/// The level of a control limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LimitLevel {
    /// 95%: about 1 area in 20 lies outside by chance alone.
    P95,
    /// 99.8%: about 1 area in 500 lies outside by chance alone.
    P998,
}

impl LimitLevel {
    /// As written: `95%`, `99.8%`.
    pub fn label(self) -> &'static str {
        match self {
            LimitLevel::P95 => "95%",
            LimitLevel::P998 => "99.8%",
        }
    }
}

/// One control limit as a curve: (denominator, value) points in increasing denominator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LimitCurve {
    /// Which level.
    pub level: LimitLevel,
    /// The upper limit (otherwise the lower).
    pub upper: bool,
    /// The curve's points: the denominator and the value at the limit there.
    pub points: Vec<(f64, f64)>,
}

/// One area on the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FunnelArea {
    /// The area's id.
    pub area: String,
    /// Its value, in the indicator's unit.
    pub value: f64,
    /// The events counted.
    pub numerator: f64,
    /// Where it sits on the funnel's axis: the population (or, for a DSR, the population
    /// its rate implies); none for a DSR with fewer than 10 events, which is not plotted.
    pub denominator: Option<f64>,
    /// Where it lies against the limits.
    pub position: Position,
}

/// Where an area lies against the control limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Position {
    /// Above the 99.8% upper limit.
    Above998,
    /// Above the 95% upper limit, within the 99.8%.
    Above95,
    /// Within the 95% limits.
    Within95,
    /// Below the 95% lower limit, within the 99.8%.
    Below95,
    /// Below the 99.8% lower limit.
    Below998,
    /// Not placed: a DSR from fewer than 10 events.
    NotApplicable,
}

impl Position {
    /// From `assure_stats::funnel_significance`'s label at the 95% and 99.8% levels.
    fn from_significance(label: &str) -> Position {
        match label {
            "High (0.001)" => Position::Above998,
            "High (0.025)" => Position::Above95,
            "Low (0.025)" => Position::Below95,
            "Low (0.001)" => Position::Below998,
            "Not significant" => Position::Within95,
            _ => Position::NotApplicable,
        }
    }

    /// In plain English, for a table whose column says it is against the control limits.
    pub fn describe(self) -> &'static str {
        match self {
            Position::Above998 => "Above 99.8%",
            Position::Above95 => "Above 95%, within 99.8%",
            Position::Within95 => "Within 95%",
            Position::Below95 => "Below 95%, within 99.8%",
            Position::Below998 => "Below 99.8%",
            Position::NotApplicable => "Not placed: fewer than 10 events",
        }
    }

    /// Outside the 95% limits, above (`Some(true)`) or below (`Some(false)`).
    pub fn outside(self) -> Option<bool> {
        match self {
            Position::Above998 | Position::Above95 => Some(true),
            Position::Below998 | Position::Below95 => Some(false),
            Position::Within95 | Position::NotApplicable => None,
        }
    }

    /// Outside the 95% limits on the better side (`Some(true)`) or the worse
    /// (`Some(false)`), for the indicator's polarity; `None` within them or with no judgement.
    pub fn better(self, polarity: Polarity) -> Option<bool> {
        let high = self.outside()?;
        match polarity {
            Polarity::HigherIsBetter => Some(high),
            Polarity::LowerIsBetter => Some(!high),
            Polarity::NoJudgement => None,
        }
    }
}

/// Why an indicator's areas are not drawn on a funnel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoFunnel {
    /// The plan does not say how the indicator is measured.
    NotMeasured,
    /// The method has no events out of a population.
    Method(Method),
    /// Some areas' values come without the counts the limits need.
    MissingCounts {
        /// How many areas lack them.
        areas: usize,
    },
    /// Fewer than two areas have a value.
    TooFewAreas,
    /// There is no average to draw around: no England value and no areas' counts.
    NoCentre,
}

impl fmt::Display for NoFunnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NoFunnel::NotMeasured => {
                write!(f, "No funnel plot: the plan does not say how this indicator is measured.")
            }
            NoFunnel::Method(m) => write!(
                f,
                "No funnel plot: a {} is not a count of events in a population, so it has no control limits.",
                m.label()
            ),
            NoFunnel::MissingCounts { areas } => write!(
                f,
                "No funnel plot: {areas} area{} ha{} a value without the numerator and denominator the control limits need.",
                if *areas == 1 { "" } else { "s" },
                if *areas == 1 { "s" } else { "ve" }
            ),
            NoFunnel::TooFewAreas => write!(f, "No funnel plot: fewer than two areas have a value."),
            NoFunnel::NoCentre => write!(f, "No funnel plot: there is no England value or area total to compare with."),
        }
    }
}

impl std::error::Error for NoFunnel {}

/// The funnel of the areas of one tracked measure, from its observations (all areas,
/// England included), for the latest period with a value for an area other than England.
pub fn by_area(method: Option<Method>, observations: &[Observation]) -> Result<AreaFunnel, NoFunnel> {
    let method = method.ok_or(NoFunnel::NotMeasured)?;
    let statistic = match method {
        Method::Proportion => FunnelStatistic::Proportion,
        Method::CrudeRate => FunnelStatistic::Rate(RateType::Crude),
        Method::DirectlyStandardisedRate => FunnelStatistic::Rate(RateType::Dsr),
        Method::Mean | Method::Count | Method::Reported | Method::LifeExpectancy => {
            return Err(NoFunnel::Method(method));
        }
    };
    let multiplier = if method == Method::Proportion { 100.0 } else { PER_100000 };
    let headline = |o: &&Observation| o.key.breakdown.is_empty() && o.value.is_some();
    let period = observations
        .iter()
        .filter(headline)
        .filter(|o| o.key.area != "england")
        .filter_map(|o| Some((period_time(&o.key.period)?, o.key.period.as_str())))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .ok_or(NoFunnel::TooFewAreas)?
        .1
        .to_owned();
    let in_period: Vec<&Observation> =
        observations.iter().filter(headline).filter(|o| o.key.period == period).collect();
    let mut rows: Vec<&Observation> = in_period.iter().copied().filter(|o| o.key.area != "england").collect();
    rows.sort_by(|a, b| a.key.area.cmp(&b.key.area));
    if rows.len() < 2 {
        return Err(NoFunnel::TooFewAreas);
    }
    let missing = rows.iter().filter(|o| counts(method, o).is_none()).count();
    if missing > 0 {
        return Err(NoFunnel::MissingCounts { areas: missing });
    }
    // Each area: its value, events and funnel denominator.
    let mut points = Vec::with_capacity(rows.len());
    let mut sum = FunnelTotals::default();
    for o in &rows {
        let (numerator, denominator, value) = counts(method, o).ok_or(NoFunnel::MissingCounts { areas: 1 })?;
        let d = funnel_denominator(statistic, numerator, denominator, Some(value), multiplier)
            .map_err(|_| NoFunnel::MissingCounts { areas: 1 })?;
        // A DSR from fewer than 10 events is not placed (PHStatsMethods' rule).
        let d = d.filter(|_| !(method == Method::DirectlyStandardisedRate && numerator < 10.0));
        sum.add(numerator, d);
        points.push((o.key.area.clone(), value, numerator, d));
    }
    if !sum.min.is_finite() {
        return Err(NoFunnel::TooFewAreas);
    }
    // The centre: England's counts, its value, or the areas' own average.
    let england = in_period.iter().find(|o| o.key.area == "england");
    let england_average = england.and_then(|o| match counts(method, o) {
        Some((x, Some(n), _)) if method != Method::DirectlyStandardisedRate && n > 0.0 => Some(x / n),
        _ => o.value.map(|v| v / multiplier),
    });
    let centre_is_england = england_average.is_some();
    let average = match england_average {
        Some(a) => a,
        None => sum.average().map_err(|_| NoFunnel::NoCentre)?,
    };
    // The limits are drawn around `average` over the areas' range of denominators.
    let totals = FunnelTotals { numerator: average, denominator: 1.0, min: sum.min, max: sum.max };
    let levels = [ConfidenceLevel::p95(), ConfidenceLevel::p998()];
    let (rows, _) = funnel_limits(statistic, &totals, multiplier, 1.0, &levels).map_err(no_centre)?;
    let mut limits = Vec::with_capacity(4);
    for (k, level) in [LimitLevel::P95, LimitLevel::P998].into_iter().enumerate() {
        for upper in [false, true] {
            let mut curve: Vec<(f64, f64)> = rows
                .iter()
                .map(|r| {
                    let i = r.limits[k];
                    let value = if upper { i.upper } else { i.lower };
                    // A rate's limits fall at the populations beside them; a proportion's at x.
                    let x = match r.populations.get(k) {
                        Some(p) => {
                            if upper {
                                p.upper
                            } else {
                                p.lower
                            }
                        }
                        None => r.x,
                    };
                    (x, value)
                })
                .filter(|(x, v)| x.is_finite() && v.is_finite())
                .collect();
            curve.sort_by(|a, b| a.0.total_cmp(&b.0));
            limits.push(LimitCurve { level, upper, points: curve });
        }
    }
    let areas = points
        .into_iter()
        .map(|(area, value, numerator, denominator)| {
            let label = funnel_significance(statistic, numerator, denominator, average, &levels);
            let position =
                if denominator.is_none() { Position::NotApplicable } else { Position::from_significance(&label) };
            FunnelArea { area, value, numerator, denominator, position }
        })
        .collect();
    Ok(AreaFunnel { period, method, centre: average * multiplier, centre_is_england, limits, areas })
}

fn no_centre(_: StatsError) -> NoFunnel {
    NoFunnel::NoCentre
}

/// An observation's events, denominator and value as the funnel uses them: for a
/// proportion or crude rate the value is the one its counts give (so that the point and
/// its position agree), for a DSR the published value with its count of events.
fn counts(method: Method, o: &Observation) -> Option<(f64, Option<f64>, f64)> {
    let x = o.numerator.filter(|x| x.is_finite() && *x >= 0.0)?;
    match method {
        Method::Proportion | Method::CrudeRate => {
            let n = o.denominator.filter(|n| n.is_finite() && *n > 0.0 && (method != Method::Proportion || x <= *n))?;
            let multiplier = if method == Method::Proportion { 100.0 } else { PER_100000 };
            Some((x, Some(n), x / n * multiplier))
        }
        Method::DirectlyStandardisedRate => {
            let v = o.value.filter(|v| v.is_finite() && *v >= 0.0)?;
            // Events but a rate of zero cannot be: the rate does not come from these events.
            if x > 0.0 && v == 0.0 {
                return None;
            }
            Some((x, o.denominator, v))
        }
        _ => None,
    }
}
