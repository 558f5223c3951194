//! Public-health statistics as used for English indicators (OHID Fingertips), after the
//! methods of PHEindicatormethods / PHStatsMethods: Wilson score intervals for
//! proportions, exact Poisson and Byar's limits for counts and crude rates, Dobson
//! intervals for directly standardised rates (2013 European Standard Population),
//! indirectly standardised ratios and rates, t-based intervals for means, significance
//! against a comparator, funnel plot limits and significance, quantile assignment, and straight-line trends with prediction
//! intervals; after PHEindicatormethods (R only), life expectancy from an abridged life
//! table (Chiang II, Silcocks et al.'s intervals) and the slope and relative indices of
//! inequality across deprivation quantiles (limits simulated from an explicit seed).
//!
//! Pure functions: no I/O, no global state. Invalid input is a [`StatsError`] naming the
//! field, never a panic or a silent NaN. Values are returned at full precision.

mod compare;
mod count;
mod dsr;
mod error;
mod funnel;
mod level;
mod life_expectancy;
mod mean;
mod quantile;
mod sii;
mod trend;

pub use compare::{Comparison, Polarity, compare};
pub use count::{byar_limits, count_limits, exact_limits};
pub use dsr::{AGE_BANDS, Dsr, ESP2013, dsr, isr, isr_rate};
pub use error::StatsError;
pub use funnel::{
    FunnelLimit, FunnelStatistic, FunnelTotals, RateType, RatioType, funnel_denominator, funnel_limits, funnel_point,
    funnel_significance, poisson_funnel, proportion_limit,
};
pub use level::ConfidenceLevel;
pub use life_expectancy::{
    BandDeaths, BandNote, LIFE_TABLE_BANDS, LifeExpectancy, LifeExpectancyAt, LifeTableSuppressed,
    MIN_LIFE_TABLE_POPULATION, life_expectancy,
};
pub use mean::{Mean, mean};
pub use quantile::{Quantiles, quantiles};
pub use sii::{
    DEFAULT_SII_REPETITIONS, MIN_SII_REPETITIONS, QuantileSpread, SII_QUANTILES, Sii, SiiQuantile, SiiRequest,
    SiiValueType, sii,
};
pub use trend::{Trend, linear_trend};

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// A value with one interval per requested confidence level.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The value (× multiplier).
    pub value: f64,
    /// Intervals, in the order of the levels asked for.
    pub intervals: Vec<Interval>,
}

impl Estimate {
    /// The value and every limit multiplied by `factor`.
    pub fn scaled(self, factor: f64) -> Estimate {
        Estimate {
            value: self.value * factor,
            intervals: self
                .intervals
                .iter()
                .map(|i| Interval { lower: i.lower * factor, upper: i.upper * factor })
                .collect(),
        }
    }
}

fn finite(v: f64, field: &'static str) -> Result<f64, StatsError> {
    if v.is_finite() { Ok(v) } else { Err(StatsError::NotFinite { field }) }
}

fn non_negative(v: f64, field: &'static str) -> Result<f64, StatsError> {
    if finite(v, field)? < 0.0 { Err(StatsError::Negative { field, value: v }) } else { Ok(v) }
}

fn positive(v: f64, field: &'static str) -> Result<f64, StatsError> {
    if finite(v, field)? <= 0.0 { Err(StatsError::NotPositive { field, value: v }) } else { Ok(v) }
}

/// Wilson score interval for `x` events out of `n`, as proportions (0–1).
/// The caller guarantees `0 ≤ x ≤ n`, `n > 0`.
pub fn wilson(x: f64, n: f64, z: f64) -> Interval {
    let z2 = z * z;
    let root = z * (z2 + 4.0 * x * (1.0 - x / n)).sqrt();
    let denom = 2.0 * (n + z2);
    Interval { lower: (2.0 * x + z2 - root) / denom, upper: (2.0 * x + z2 + root) / denom }
}

/// A proportion `x / n × multiplier` with Wilson score intervals, written into `out` (cleared first).
/// Returns the value. Allocation-free when `out` has capacity, for bulk use.
pub fn proportion_into(
    x: f64,
    n: f64,
    multiplier: f64,
    levels: &[ConfidenceLevel],
    out: &mut Vec<Interval>,
) -> Result<f64, StatsError> {
    let x = non_negative(x, "numerator")?;
    let n = positive(n, "denominator")?;
    if x > n {
        return Err(StatsError::NumeratorAboveDenominator { numerator: x, denominator: n });
    }
    out.clear();
    for l in levels {
        let i = wilson(x, n, l.z());
        out.push(Interval { lower: i.lower * multiplier, upper: i.upper * multiplier });
    }
    Ok(x / n * multiplier)
}

/// A proportion with Wilson score intervals (see [`proportion_into`]).
pub fn proportion(x: f64, n: f64, multiplier: f64, levels: &[ConfidenceLevel]) -> Result<Estimate, StatsError> {
    let mut intervals = Vec::with_capacity(levels.len());
    let value = proportion_into(x, n, multiplier, levels, &mut intervals)?;
    Ok(Estimate { value, intervals })
}

/// A crude rate `o / n × multiplier` with exact (o < 10) or Byar's (o ≥ 10) limits, written into `out`.
pub fn crude_rate_into(
    o: f64,
    n: f64,
    multiplier: f64,
    levels: &[ConfidenceLevel],
    out: &mut Vec<Interval>,
) -> Result<f64, StatsError> {
    let o = non_negative(o, "numerator")?;
    let n = positive(n, "denominator")?;
    out.clear();
    for l in levels {
        let c = count_limits(o, l);
        out.push(Interval { lower: c.lower / n * multiplier, upper: c.upper / n * multiplier });
    }
    Ok(o / n * multiplier)
}

/// A crude rate with exact or Byar's limits (see [`crude_rate_into`]).
pub fn crude_rate(o: f64, n: f64, multiplier: f64, levels: &[ConfidenceLevel]) -> Result<Estimate, StatsError> {
    let mut intervals = Vec::with_capacity(levels.len());
    let value = crude_rate_into(o, n, multiplier, levels, &mut intervals)?;
    Ok(Estimate { value, intervals })
}
