//! Funnel plots: control limits around the average of all areas, and where each area
//! falls against them, after PHStatsMethods' `calculate_funnel_limits`,
//! `calculate_funnel_points` and `assign_funnel_significance` (the Fingertips technical
//! guidance). Proportions use Wilson-type limits around the average; ratios and rates
//! use Poisson limits on the observed count.

use crate::{ConfidenceLevel, Interval, StatsError, count_limits, finite, non_negative};

/// What the funnel is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunnelStatistic {
    /// A proportion: numerator out of denominator.
    Proportion,
    /// A rate (crude or directly standardised) per multiplier.
    Rate(RateType),
    /// A ratio of observed to expected events.
    Ratio(RatioType),
}

/// Which kind of rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateType {
    /// A crude rate.
    Crude,
    /// A directly standardised rate: no point where there are fewer than 10 events.
    Dsr,
}

/// How a ratio's limits are expressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatioType {
    /// As the ratio O/E.
    Ratio,
    /// As O/E − 1 (PHStatsMethods' `ratio_type='count'`).
    Count,
    /// As an indirectly standardised ratio, × 100.
    Isr,
}

/// The denominator a funnel uses for an area: the population for a proportion, the
/// expected count for a ratio, and for a rate the population implied by the rate,
/// `multiplier × O / rate` (the given denominator where there are no events). `None`
/// for a DSR with no events (it has no point).
pub fn funnel_denominator(
    statistic: FunnelStatistic,
    numerator: f64,
    denominator: Option<f64>,
    rate: Option<f64>,
    multiplier: f64,
) -> Result<Option<f64>, StatsError> {
    let o = non_negative(numerator, "numerator")?;
    match statistic {
        FunnelStatistic::Proportion | FunnelStatistic::Ratio(_) => {
            let n = denominator.ok_or(StatsError::NotFinite { field: "denominator" })?;
            let n = non_negative(n, "denominator")?;
            if statistic == FunnelStatistic::Proportion && o > n {
                return Err(StatsError::NumeratorAboveDenominator { numerator: o, denominator: n });
            }
            Ok(Some(n))
        }
        FunnelStatistic::Rate(kind) => {
            if o == 0.0 {
                return match (kind, denominator) {
                    (RateType::Dsr, _) => Ok(None),
                    (RateType::Crude, Some(n)) => Ok(Some(non_negative(n, "denominator")?)),
                    (RateType::Crude, None) => Err(StatsError::NotFinite { field: "denominator" }),
                };
            }
            let r = rate.ok_or(StatsError::NotFinite { field: "rate" })?;
            let r = crate::positive(r, "rate")?;
            Ok(Some(multiplier * o / r))
        }
    }
}

/// Totals over all areas: the funnel's average and the range of its axis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelTotals {
    /// Sum of numerators.
    pub numerator: f64,
    /// Sum of the funnel denominators that exist.
    pub denominator: f64,
    /// The smallest funnel denominator.
    pub min: f64,
    /// The largest funnel denominator.
    pub max: f64,
}

impl Default for FunnelTotals {
    fn default() -> FunnelTotals {
        FunnelTotals { numerator: 0.0, denominator: 0.0, min: f64::INFINITY, max: f64::NEG_INFINITY }
    }
}

impl FunnelTotals {
    /// Add one area (its numerator, and its funnel denominator if it has one).
    pub fn add(&mut self, numerator: f64, denominator: Option<f64>) {
        self.numerator += numerator;
        if let Some(d) = denominator {
            self.denominator += d;
            self.min = self.min.min(d);
            self.max = self.max.max(d);
        }
    }

    /// Add the totals of other areas.
    pub fn merge(&mut self, other: &FunnelTotals) {
        self.numerator += other.numerator;
        self.denominator += other.denominator;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// The average over all areas, numerator / denominator (as a proportion or per person).
    pub fn average(&self) -> Result<f64, StatsError> {
        if self.denominator > 0.0 {
            Ok(self.numerator / self.denominator)
        } else {
            Err(StatsError::NotPositive { field: "denominator", value: self.denominator })
        }
    }
}

/// One row of a funnel's limits.
#[derive(Debug, Clone, PartialEq)]
pub struct FunnelLimit {
    /// Where on the x axis: population (proportion), observed events (ratio) or events (rate).
    pub x: f64,
    /// The limits at x, one per level.
    pub limits: Vec<Interval>,
    /// Rates: the one-year populations at which the lower and upper limits fall, per level.
    pub populations: Vec<Interval>,
}

/// The limits of a funnel plot: 100 points along the axis, as `calculate_funnel_limits`.
/// Returns the rows and the baseline (the average × multiplier; none for a ratio).
pub fn funnel_limits(
    statistic: FunnelStatistic,
    totals: &FunnelTotals,
    multiplier: f64,
    years_of_data: f64,
    levels: &[ConfidenceLevel],
) -> Result<(Vec<FunnelLimit>, Option<f64>), StatsError> {
    let av = totals.average()?;
    let (min, max) = (totals.min, totals.max);
    let rate = matches!(statistic, FunnelStatistic::Rate(_));
    let years = if rate { crate::positive(years_of_data, "years of data")? } else { 1.0 };
    let mut axis_min = if max > 2.0 * min { 0.0 } else { signif_floor(min / years) * years };
    let mut axis_max = signif_ceiling(max / years) * years;
    if rate {
        axis_min = (axis_min * av).floor();
        axis_max = (axis_max * av).ceil();
    }
    let ratio = matches!(statistic, FunnelStatistic::Ratio(_));
    let mut xs = vec![axis_min.max(1.0)];
    for j in 2..=100 {
        let offset = if ratio { j - 1 } else { j };
        let prev = *xs.last().expect("xs starts with one value");
        let k = ((axis_max / prev).powf(1.0 / f64::from(101 - offset)) * prev).round_ties_even();
        xs.push(k.max(prev + 1.0));
    }
    let rows = xs
        .into_iter()
        .map(|x| {
            let mut limits = Vec::with_capacity(levels.len());
            let mut populations = Vec::new();
            for l in levels {
                let tail = (1.0 - l.confidence()) / 2.0;
                match statistic {
                    FunnelStatistic::Proportion => limits.push(Interval {
                        lower: (proportion_limit(l.z(), x, av, false) * multiplier).max(0.0),
                        upper: (proportion_limit(l.z(), x, av, true) * multiplier).min(multiplier),
                    }),
                    FunnelStatistic::Ratio(kind) => {
                        let i = Interval {
                            lower: x / poisson_funnel(x, tail, true),
                            upper: x / poisson_funnel(x, tail, false),
                        };
                        limits.push(match kind {
                            RatioType::Ratio => i,
                            RatioType::Count => Interval { lower: i.lower - 1.0, upper: i.upper - 1.0 },
                            RatioType::Isr => Interval { lower: i.lower * 100.0, upper: i.upper * 100.0 },
                        });
                    }
                    FunnelStatistic::Rate(_) => {
                        let low = poisson_funnel(x, tail, true) / av;
                        let high = poisson_funnel(x, tail, false) / av;
                        limits.push(Interval { lower: x / low * multiplier, upper: x / high * multiplier });
                        populations.push(Interval { lower: low / years, upper: high / years });
                    }
                }
            }
            FunnelLimit { x, limits, populations }
        })
        .collect();
    Ok((rows, (!ratio).then_some(av * multiplier)))
}

/// A rate's point on a funnel, as `calculate_funnel_points`: the rate to chart and the
/// one-year population it implies (both none for a DSR with fewer than 10 events).
pub fn funnel_point(
    rate_type: RateType,
    numerator: f64,
    denominator: Option<f64>,
    rate: f64,
    multiplier: f64,
    years_of_data: f64,
) -> Result<Option<(f64, f64)>, StatsError> {
    let o = non_negative(numerator, "numerator")?;
    let r = finite(rate, "rate")?;
    let years = crate::positive(years_of_data, "years of data")?;
    if rate_type == RateType::Dsr && o < 10.0 {
        return Ok(None);
    }
    let population = match (o == 0.0, denominator) {
        (true, Some(n)) => non_negative(n, "denominator")?,
        (true, None) => return Err(StatsError::NotFinite { field: "denominator" }),
        (false, _) => multiplier * o / crate::positive(r, "rate")?,
    };
    Ok(Some((r, population / years)))
}

/// Where an area falls against the funnel's limits, as `assign_funnel_significance`:
/// `High (0.001)`, `High (0.025)`, `Low (0.001)`, `Low (0.025)` (the tail beyond each level's
/// limit, outermost level first) or `Not significant`; for a DSR with fewer than 10 events,
/// not applicable. `denominator` is [`funnel_denominator`]'s; `average` is the totals'
/// average (a ratio is compared with 1 and ignores it).
pub fn funnel_significance(
    statistic: FunnelStatistic,
    numerator: f64,
    denominator: Option<f64>,
    average: f64,
    levels: &[ConfidenceLevel],
) -> String {
    if statistic == FunnelStatistic::Rate(RateType::Dsr) && numerator < 10.0 {
        return "Not applicable for events less than 10 for DSRs".to_owned();
    }
    let Some(n) = denominator else { return "Not significant".to_owned() };
    let mut by_level: Vec<&ConfidenceLevel> = levels.iter().collect();
    by_level.sort_by(|a, b| b.confidence().total_cmp(&a.confidence()));
    let label = |side: &str, l: &ConfidenceLevel| {
        let tail = ((1.0 - l.confidence()) / 2.0 * 1e12).round() / 1e12;
        format!("{side} ({tail})")
    };
    match statistic {
        FunnelStatistic::Proportion => {
            let p = numerator / n;
            for l in &by_level {
                if p < proportion_limit(l.z(), n, average, false) {
                    return label("Low", l);
                }
            }
            for l in &by_level {
                if p > proportion_limit(l.z(), n, average, true) {
                    return label("High", l);
                }
            }
        }
        FunnelStatistic::Ratio(_) | FunnelStatistic::Rate(_) => {
            let baseline = if matches!(statistic, FunnelStatistic::Ratio(_)) { 1.0 } else { average };
            for l in &by_level {
                if baseline < count_limits(numerator, l).lower / n {
                    return label("High", l);
                }
            }
            for l in &by_level {
                if baseline > count_limits(numerator, l).upper / n {
                    return label("Low", l);
                }
            }
        }
    }
    "Not significant".to_owned()
}

/// The proportion (0–1) at a funnel limit for a population, around the average proportion
/// (PHStatsMethods' `sigma_adjustment`), with `z` the one-sided normal quantile of the level.
pub fn proportion_limit(z: f64, population: f64, average: f64, upper: bool) -> f64 {
    let z2 = z * z;
    let first = average * (population / z2 + 1.0);
    let adj = ((-8.0 * average * (population / z2 + 1.0)).powi(2)
        - 64.0
            * (1.0 / z2 + 1.0 / population)
            * average
            * (population * (average * (population / z2 + 2.0) - 1.0) + z2 * (average - 1.0)))
        .sqrt();
    let last = 1.0 / z2 + 1.0 / population;
    let limit = if upper { (first + adj / 8.0) / last } else { (first - adj / 8.0) / last };
    limit / population
}

/// The expected count at which `obs` events fall on the Poisson funnel limit with tail
/// probability `p` (PHStatsMethods' `poisson_funnel`: the same bisection on v = E/(1 + obs + E)
/// to a step of 1e-7). `high` finds the expected count whose lower tail up to `obs` is `p`
/// (the funnel's lower limit is obs / E); otherwise the upper tail from `obs`.
pub fn poisson_funnel(obs: f64, p: f64, high: bool) -> f64 {
    let mut v = 0.5;
    let mut dv = 0.5;
    while dv > 1e-7 {
        dv /= 2.0;
        let z = (1.0 + obs) * v / (1.0 - v);
        let go_down = if high { poisson_between(z, 0.0, obs) < p } else { poisson_between(z, obs, 1e10) > p };
        if go_down {
            v -= dv;
        } else {
            v += dv;
        }
    }
    (1.0 + obs) * v / (1.0 - v)
}

/// P(a ≤ X ≤ b) for X ~ Poisson(mean), summed term by term as the Fingertips macro and
/// PHStatsMethods' `poisson_cis` do (until the terms fall below 1e-10 of the total). The
/// bisection above compares it with the tail probability to 1e-7, so a more exact tail
/// (the incomplete gamma function) moves some limits by ~1e-7 relative: the reference's
/// own sum is kept so that the limits agree with it.
fn poisson_between(mean: f64, a: f64, b: f64) -> f64 {
    let (mut q, mut total, mut s, mut k) = (1.0, 0.0, 0.0, 0.0_f64);
    while k <= mean || q > total * 1e-10 {
        total += q;
        if a <= k && k <= b {
            s += q;
        }
        if total > 1e30 {
            s /= 1e30;
            total /= 1e30;
            q /= 1e30;
        }
        k += 1.0;
        q *= mean / k;
    }
    s / total
}

/// Round down to a round number below 95% of x (PHStatsMethods' `signif_floor`).
fn signif_floor(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let n = digits((x * 0.95).floor()) - 1;
    let scale = 10f64.powi(n);
    (x * 0.95 / scale).floor() * scale
}

/// Round up to a round number above 105% of x (PHStatsMethods' `signif_ceiling`).
fn signif_ceiling(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let n = digits((x * 1.05).ceil()) - 2;
    let scale = 10f64.powi(n);
    (x * 1.05 / scale).ceil() * scale
}

/// The number of decimal digits of a whole number ≥ 0 (1 for 0).
fn digits(whole: f64) -> i32 {
    format!("{whole:.0}").len() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_numbers_for_the_axis() {
        assert_eq!(signif_floor(1000.0), 900.0);
        assert_eq!(signif_floor(5.0), 4.0);
        assert_eq!(signif_ceiling(1000.0), 1100.0);
        assert!((signif_ceiling(5.0) - 5.3).abs() < 1e-12);
        assert_eq!(signif_ceiling(0.0), 0.0);
    }

    #[test]
    fn poisson_tails_match_their_sums() {
        // P(X ≤ 2) for mean 3: e^-3 (1 + 3 + 4.5).
        let sum = (-3f64).exp() * 8.5;
        assert!((poisson_between(3.0, 0.0, 2.0) - sum).abs() < 1e-9);
        assert!((poisson_between(3.0, 3.0, 1e10) - (1.0 - sum)).abs() < 1e-9);
        assert_eq!(poisson_between(3.0, 0.0, 1e10), 1.0);
    }

    #[test]
    fn poisson_funnel_limits_contain_the_count() {
        // The expected counts at the 95% limits of 20 events lie either side of 20.
        let low = poisson_funnel(20.0, 0.025, true);
        let high = poisson_funnel(20.0, 0.025, false);
        assert!(high < 20.0 && 20.0 < low, "{high} {low}");
    }
}
