//! The slope index of inequality (SII) and relative index of inequality (RII) across
//! deprivation quantiles, as PHEindicatormethods' `phe_sii` (after Low & Low 2004).
//!
//! Quantiles come ordered, 1 (most deprived) first. Each quantile `i` has the share
//! `aᵢ = popᵢ / Σ pop` of the population and the relative rank `bᵢ` at the midpoint of
//! its range in the cumulative population (`b₁ = a₁/2`, `bᵢ = a₁ + … + aᵢ₋₁ + aᵢ/2`).
//! The regression without intercept `yᵢ√aᵢ = β₀√aᵢ + β₁bᵢ√aᵢ` (weighted least squares)
//! gives the intercept `β₀` (the fitted value at rank 0) and the SII `β₁` (fitted value at
//! rank 1 minus at rank 0); RII = `(β₀ + β₁) / β₀`.
//!
//! Value types, as the package's `value_type`: [`SiiValueType::Other`] (0),
//! [`SiiValueType::Rate`] (1) and [`SiiValueType::Proportion`] (2, values 0–1). For rates
//! and proportions each quantile's standard error is worked out on the log (logit) scale
//! from its 95% limits, and the simulation draws on that scale. With `transform`, the
//! regression itself is on the log (logit) scale and its results are transformed back.
//!
//! Confidence intervals are simulated: each repetition draws every quantile's value from
//! a normal distribution with the quantile's value and standard error, refits, and the
//! limits are the order statistics at positions `round(reps × (1 − c)/2)` and
//! `round(reps × (1 + c)/2)` (R's rounding, half to even) of the sorted simulated SIIs (RIIs).
//! Draws come from ChaCha20 seeded with [`SiiRequest::seed`]: the same seed and input give
//! the same limits, on any machine. R's Mersenne Twister cannot be reproduced, so limits
//! agree with the package's only to within simulation error.
//!
//! Where this differs from the package: the intercept is on the output scale (× |multiplier|)
//! with and without the transform (the package multiplies it only when transformed); and a
//! rate's limits are swapped for a negative multiplier only (the package swaps them for any
//! multiplier below 1, which for 0 < m < 1 gives a lower limit above the upper).
//!
//! A negative `multiplier` reverses the polarity (for indicators where higher is better):
//! the SII changes sign and the RII is inverted.

use rand::rngs::ChaCha20Rng;
use rand::{RngExt, SeedableRng};
use statrs::distribution::Normal;

use crate::level::Z_95;
use crate::{ConfidenceLevel, Estimate, Interval, StatsError, finite, non_negative, positive};

/// Fewest and most quantiles the package accepts.
pub const SII_QUANTILES: std::ops::RangeInclusive<usize> = 5..=100;
/// Fewest repetitions the package accepts.
pub const MIN_SII_REPETITIONS: u32 = 1000;
/// The package's default number of repetitions.
pub const DEFAULT_SII_REPETITIONS: u32 = 100_000;

/// What kind of value the quantiles carry, which decides the transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiiValueType {
    /// Any value with symmetric limits (`value_type = 0`).
    Other,
    /// A rate: the log scale (`value_type = 1`).
    Rate,
    /// A proportion between 0 and 1: the logit scale (`value_type = 2`).
    Proportion,
}

/// How a quantile's uncertainty is given.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuantileSpread {
    /// The value's standard error (on the log/logit scale for rates/proportions, as the package takes it).
    StandardError(f64),
    /// The value's 95% limits.
    Limits95(Interval),
}

/// One deprivation quantile.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiiQuantile {
    /// Its population (the denominator).
    pub population: f64,
    /// The indicator's value in it.
    pub value: f64,
    /// The value's standard error or 95% limits.
    pub spread: QuantileSpread,
}

/// How to compute an SII.
#[derive(Debug, Clone, PartialEq)]
pub struct SiiRequest<'a> {
    /// What the values are.
    pub value_type: SiiValueType,
    /// Fit on the log (rate) or logit (proportion) scale and transform back.
    pub transform: bool,
    /// Multiplies the SII and its limits; negative reverses the polarity.
    pub multiplier: f64,
    /// Simulated repetitions (at least 1000).
    pub repetitions: u32,
    /// Seed of the random draws.
    pub seed: u64,
    /// Confidence levels of the limits.
    pub levels: &'a [ConfidenceLevel],
    /// Also simulate the RII's limits.
    pub rii: bool,
}

/// An SII with its limits, and the RII and intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct Sii {
    /// The slope index of inequality (× multiplier) with simulated limits.
    pub sii: Estimate,
    /// The relative index of inequality; its limits only when asked for (empty otherwise).
    pub rii: Estimate,
    /// The fitted value at relative rank 0 (× |multiplier|, in both cases: the package leaves
    /// it unmultiplied without the transform).
    pub intercept: f64,
}

impl Sii {
    /// The note the package's metadata gives: inverted polarity for a negative multiplier.
    pub fn note(multiplier: f64) -> Option<&'static str> {
        (multiplier < 0.0).then_some("negative multiplier: polarity inverted (SII sign reversed, RII inverted)")
    }
}

impl SiiQuantile {
    /// Check the quantile for an SII of this kind: a positive population, a finite value (a
    /// proportion strictly inside (0, 1), a positive rate), a non-negative standard error or
    /// ordered limits (limits only, when transformed). The error names the field.
    pub fn check(&self, value_type: SiiValueType, transform: bool) -> Result<(), StatsError> {
        self.on_scale(value_type, transform).map(|_| ())
    }

    /// The value and its standard error on the simulation's scale (log/logit for rates/proportions).
    fn on_scale(&self, t: SiiValueType, transform: bool) -> Result<(f64, f64), StatsError> {
        if transform && t == SiiValueType::Other {
            return Err(StatsError::TransformNeedsRateOrProportion);
        }
        positive(self.population, "population")?;
        let v = finite(self.value, "value")?;
        let value = to_scale(t, v, "value")?;
        let se = match self.spread {
            QuantileSpread::StandardError(_) if transform => return Err(StatsError::TransformNeedsLimits),
            QuantileSpread::StandardError(s) => non_negative(s, "se")?,
            QuantileSpread::Limits95(i) => {
                let (lower, upper) = (finite(i.lower, "lower_95")?, finite(i.upper, "upper_95")?);
                if lower > upper {
                    return Err(StatsError::LowerAboveUpper { lower, upper });
                }
                (to_scale(t, upper, "upper_95")? - to_scale(t, lower, "lower_95")?) / Z_95 / 2.0
            }
        };
        Ok((value, se))
    }
}

/// The log or logit of a value, naming the field when it is outside the scale's domain.
fn to_scale(t: SiiValueType, v: f64, field: &'static str) -> Result<f64, StatsError> {
    match t {
        SiiValueType::Other => Ok(v),
        SiiValueType::Rate => Ok(positive(v, field)?.ln()),
        SiiValueType::Proportion => {
            if v > 0.0 && v < 1.0 {
                Ok((v / (1.0 - v)).ln())
            } else {
                Err(StatsError::NotAProportion { field, value: v })
            }
        }
    }
}

/// Back from the log or logit scale.
fn from_scale(t: SiiValueType, v: f64) -> f64 {
    match t {
        SiiValueType::Other => v,
        SiiValueType::Rate => v.exp(),
        SiiValueType::Proportion => 1.0 / (1.0 + (-v).exp()),
    }
}

/// R's `round` (IEC 60559: halves to even), as the package positions its limits.
fn r_round(x: f64) -> f64 {
    x.round_ties_even()
}

/// The 1-based positions of a level's limits among `reps` sorted draws, as the package finds them.
fn limit_positions(reps: usize, level: &ConfidenceLevel) -> (usize, usize) {
    let c = level.confidence();
    let upper_p = c + (1.0 - c) / 2.0;
    let n = reps as f64;
    let clamp = |p: f64| (p as usize).clamp(1, reps);
    (clamp(r_round(n * (1.0 - upper_p))), clamp(r_round(n * upper_p)))
}

/// The values at the 0-based sorted positions `wanted` of `v` (reordered in place): what a
/// full sort would give there, by successive selections.
fn order_statistics(v: &mut [f64], wanted: &[usize]) -> Vec<f64> {
    let mut order: Vec<usize> = wanted.to_vec();
    order.sort_unstable();
    order.dedup();
    let mut found = Vec::with_capacity(order.len());
    let mut start = 0;
    for &p in &order {
        let (_, nth, _) = v[start..].select_nth_unstable_by(p - start, f64::total_cmp);
        found.push((p, *nth));
        start = p + 1;
    }
    wanted.iter().map(|w| found.iter().find(|(p, _)| p == w).map_or(f64::NAN, |&(_, x)| x)).collect()
}

/// The SII (and RII) across ordered quantiles, with simulated limits (see the module documentation).
pub fn sii(quantiles: &[SiiQuantile], request: &SiiRequest) -> Result<Sii, StatsError> {
    let k = quantiles.len();
    if !SII_QUANTILES.contains(&k) {
        return Err(StatsError::QuantileCount(k));
    }
    if request.repetitions < MIN_SII_REPETITIONS {
        return Err(StatsError::TooFewRepetitions(request.repetitions));
    }
    let multiplier = finite(request.multiplier, "multiplier")?;
    let t = request.value_type;
    // Each quantile's value and standard error on the simulation's scale.
    let mut value = Vec::with_capacity(k);
    let mut se = Vec::with_capacity(k);
    let mut population = Vec::with_capacity(k);
    for q in quantiles {
        let (v, s) = q.on_scale(t, request.transform)?;
        population.push(q.population);
        value.push(v);
        se.push(s);
    }
    // Shares a and midpoint ranks b.
    let total: f64 = population.iter().sum();
    let a: Vec<f64> = population.iter().map(|p| p / total).collect();
    let mut b = Vec::with_capacity(k);
    let mut cumulative = 0.0;
    for &ai in &a {
        b.push(cumulative + ai / 2.0);
        cumulative += ai;
    }
    // Normal equations of the weighted fit: [Σa Σab; Σab Σab²] β = [Σay; Σaby].
    let (s00, s01, s11) =
        a.iter().zip(&b).fold((0.0, 0.0, 0.0), |(s0, s1, s2), (&ai, &bi)| (s0 + ai, s1 + ai * bi, s2 + ai * bi * bi));
    let det = s00 * s11 - s01 * s01;
    // β = Σ cᵢ yᵢ: the weights turning the quantiles' values into the intercept and slope.
    let c0: Vec<f64> = a.iter().zip(&b).map(|(&ai, &bi)| (s11 * ai - s01 * ai * bi) / det).collect();
    let c1: Vec<f64> = a.iter().zip(&b).map(|(&ai, &bi)| (s00 * ai * bi - s01 * ai) / det).collect();
    let fit = |y: &[f64]| -> (f64, f64) {
        let (mut b0, mut b1) = (0.0, 0.0);
        for i in 0..k {
            b0 += c0[i] * y[i];
            b1 += c1[i] * y[i];
        }
        (b0, b1)
    };

    // The point estimate: on the value's own scale, or on the transformed scale and back.
    let fitted: Vec<f64> =
        if request.transform { value.clone() } else { value.iter().map(|&v| from_scale(t, v)).collect() };
    let (b0, b1) = fit(&fitted);
    let invert = multiplier < 0.0;
    let (sii_value, rii_value, intercept) = if request.transform {
        let (y0, y1) = (from_scale(t, b0), from_scale(t, b0 + b1));
        (multiplier * (y1 - y0), if invert { y0 / y1 } else { y1 / y0 }, y0 * multiplier.abs())
    } else {
        let rii = (b0 + b1) / b0;
        (multiplier * b1, if invert { 1.0 / rii } else { rii }, b0 * multiplier.abs())
    };

    // The simulation.
    let reps = request.repetitions as usize;
    let mut rng = ChaCha20Rng::seed_from_u64(request.seed);
    let standard = Normal::standard();
    let mut sims = Vec::with_capacity(reps);
    let mut rii_sims = Vec::with_capacity(if request.rii && !request.transform { reps } else { 0 });
    let mut y = vec![0.0; k];
    for _ in 0..reps {
        for ((yi, &m), &s) in y.iter_mut().zip(&value).zip(&se) {
            let draw = m + s * rng.sample(standard);
            *yi = if request.transform { draw } else { from_scale(t, draw) };
        }
        let (s0, s1) = fit(&y);
        if request.transform {
            sims.push(s1);
        } else {
            sims.push(s1 * multiplier);
            if request.rii {
                let r = (s0 + s1) / s0;
                rii_sims.push(if invert { 1.0 / r } else { r });
            }
        }
    }
    // The order statistics the levels need, found without sorting every draw.
    let positions: Vec<(usize, usize)> = request.levels.iter().map(|l| limit_positions(reps, l)).collect();
    let wanted: Vec<usize> = positions.iter().flat_map(|&(lo, hi)| [lo - 1, hi - 1]).collect();
    let sii_at = order_statistics(&mut sims, &wanted);
    let rii_at = if rii_sims.is_empty() { Vec::new() } else { order_statistics(&mut rii_sims, &wanted) };

    let mut sii_limits = Vec::with_capacity(request.levels.len());
    let mut rii_limits = Vec::new();
    for (j, _) in positions.iter().enumerate() {
        let (s_lo, s_hi) = (sii_at[2 * j], sii_at[2 * j + 1]);
        if request.transform {
            // The simulated slopes on the transformed scale, pivoted about the fitted line's midpoint.
            let half = b0 + b1 / 2.0;
            let ends = |s: f64| (from_scale(t, half - s / 2.0), from_scale(t, half + s / 2.0));
            let ((x0_lo, x1_lo), (x0_hi, x1_hi)) = (ends(s_lo), ends(s_hi));
            let (from_lo, from_hi) = ((x1_lo - x0_lo) * multiplier, (x1_hi - x0_hi) * multiplier);
            let (ratio_lo, ratio_hi) = (x1_lo / x0_lo, x1_hi / x0_hi);
            if invert {
                sii_limits.push(Interval { lower: from_hi, upper: from_lo });
                rii_limits.push(Interval { lower: 1.0 / ratio_hi, upper: 1.0 / ratio_lo });
            } else {
                sii_limits.push(Interval { lower: from_lo, upper: from_hi });
                rii_limits.push(Interval { lower: ratio_lo, upper: ratio_hi });
            }
        } else {
            sii_limits.push(Interval { lower: s_lo, upper: s_hi });
            if request.rii {
                rii_limits.push(Interval { lower: rii_at[2 * j], upper: rii_at[2 * j + 1] });
            }
        }
    }
    if !request.rii {
        rii_limits.clear();
    }
    Ok(Sii {
        sii: Estimate { value: sii_value, intervals: sii_limits },
        rii: Estimate { value: rii_value, intervals: rii_limits },
        intercept,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistics_are_what_a_full_sort_gives() {
        let v: Vec<f64> = (0..1000u32).map(|i| f64::from((i * 7919) % 1009) - 500.0).collect();
        let mut sorted = v.clone();
        sorted.sort_by(f64::total_cmp);
        let wanted = [974, 24, 0, 999, 24, 500];
        let mut work = v.clone();
        let got = order_statistics(&mut work, &wanted);
        let expect: Vec<f64> = wanted.iter().map(|&w| sorted[w]).collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn limits_sit_where_the_package_puts_them() {
        let p95 = ConfidenceLevel::p95();
        assert_eq!(limit_positions(100_000, &p95), (2500, 97500));
        assert_eq!(limit_positions(1000, &ConfidenceLevel::p998()), (1, 999));
        assert_eq!(limit_positions(1000, &ConfidenceLevel::new(0.9999).unwrap()), (1, 1000));
    }
}
