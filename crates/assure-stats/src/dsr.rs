//! Directly standardised rates (Dobson) and indirect standardisation.

use crate::level::EXACT_BELOW;
use crate::{ConfidenceLevel, Estimate, Interval, StatsError, count_limits, non_negative};

/// The 19 age bands of the 2013 European Standard Population.
pub const AGE_BANDS: [&str; 19] = [
    "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60-64",
    "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
];

/// The 2013 European Standard Population weights, band by band (total 100,000).
pub const ESP2013: [f64; 19] = [
    5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0, 6500.0, 6000.0, 5500.0,
    5000.0, 4000.0, 2500.0, 1500.0, 1000.0,
];

/// A directly standardised rate, or why it is not reported.
#[derive(Debug, Clone, PartialEq)]
pub struct Dsr {
    /// Total events.
    pub total_count: f64,
    /// Total population.
    pub total_population: f64,
    /// The rate and its intervals; `None` when the total count is below 10.
    pub estimate: Option<Estimate>,
}

impl Dsr {
    /// Why there is no estimate, if there is none.
    pub fn note(&self) -> Option<&'static str> {
        self.estimate.is_none().then_some("total count below 10: directly standardised rate not reported")
    }
}

/// The Dobson directly standardised rate over age bands.
///
/// `observed`, `population` and `weights` are band by band (e.g. [`ESP2013`]). A band with
/// no population is an error unless it also has no events and `allow_empty_bands` is set,
/// in which case it contributes nothing.
pub fn dsr(
    observed: &[f64],
    population: &[f64],
    weights: &[f64],
    multiplier: f64,
    levels: &[ConfidenceLevel],
    allow_empty_bands: bool,
) -> Result<Dsr, StatsError> {
    if observed.len() != weights.len() || population.len() != weights.len() {
        return Err(StatsError::WrongBandCount { expected: weights.len(), got: observed.len().min(population.len()) });
    }
    let total_weight: f64 = weights.iter().sum();
    let (mut total_count, mut total_population, mut weighted, mut variance) = (0.0, 0.0, 0.0, 0.0);
    for (i, ((&o, &n), &w)) in observed.iter().zip(population).zip(weights).enumerate() {
        let o = non_negative(o, "numerator")?;
        let n = non_negative(n, "denominator")?;
        let band = || AGE_BANDS.get(i).map_or_else(|| format!("{}", i + 1), |b| (*b).to_owned());
        if n == 0.0 {
            if o > 0.0 {
                return Err(StatsError::EmptyBand { band: band(), observed: o });
            }
            if !allow_empty_bands {
                return Err(StatsError::ZeroPopulation { band: band() });
            }
            continue;
        }
        total_count += o;
        total_population += n;
        weighted += w * o / n;
        variance += w * w * o / (n * n);
    }
    let estimate = (total_count >= EXACT_BELOW).then(|| {
        let value = multiplier * weighted / total_weight;
        let var = variance / (total_weight * total_weight);
        let scale = (var / total_count).sqrt() * multiplier;
        let intervals = levels
            .iter()
            .map(|l| {
                let c = count_limits(total_count, l);
                Interval {
                    lower: value + scale * (c.lower - total_count),
                    upper: value + scale * (c.upper - total_count),
                }
            })
            .collect();
        Estimate { value, intervals }
    });
    Ok(Dsr { total_count, total_population, estimate })
}

/// Expected events `Σ nᵢ · Rᵢ / Nᵢ` from band populations and reference events and populations.
fn expected(population: &[f64], ref_observed: &[f64], ref_population: &[f64]) -> Result<f64, StatsError> {
    if population.len() != ref_observed.len() || population.len() != ref_population.len() {
        return Err(StatsError::WrongBandCount {
            expected: population.len(),
            got: ref_observed.len().min(ref_population.len()),
        });
    }
    let mut e = 0.0;
    for ((&n, &r), &rn) in population.iter().zip(ref_observed).zip(ref_population) {
        let n = non_negative(n, "denominator")?;
        let r = non_negative(r, "reference numerator")?;
        let rn = non_negative(rn, "reference denominator")?;
        if rn == 0.0 {
            if r > 0.0 {
                return Err(StatsError::NotPositive { field: "reference denominator", value: rn });
            }
            continue;
        }
        e += n * r / rn;
    }
    if e > 0.0 { Ok(e) } else { Err(StatsError::ZeroExpected) }
}

/// Indirectly standardised ratio `O / E × multiplier` (100 for an SMR) with the count limits of O over E.
pub fn isr(
    observed: f64,
    population: &[f64],
    ref_observed: &[f64],
    ref_population: &[f64],
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Result<Estimate, StatsError> {
    let o = non_negative(observed, "numerator")?;
    let e = expected(population, ref_observed, ref_population)?;
    let intervals = levels.iter().map(|l| count_limits(o, l)).collect();
    Ok(Estimate { value: o, intervals }.scaled(multiplier / e))
}

/// Indirectly standardised rate: the ratio (× 1) times the reference crude rate `ΣRᵢ / ΣNᵢ`, × multiplier.
pub fn isr_rate(
    observed: f64,
    population: &[f64],
    ref_observed: &[f64],
    ref_population: &[f64],
    multiplier: f64,
    levels: &[ConfidenceLevel],
) -> Result<Estimate, StatsError> {
    let ratio = isr(observed, population, ref_observed, ref_population, 1.0, levels)?;
    let ref_rate = ref_observed.iter().sum::<f64>() / ref_population.iter().sum::<f64>() * multiplier;
    Ok(ratio.scaled(ref_rate))
}
