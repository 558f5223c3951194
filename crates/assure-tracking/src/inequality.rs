//! The inequality gap the plan's targets name, read from a breakdown by deprivation
//! quintile or decile: the slope index of inequality (SII) in each period where every
//! quantile has a value with its 95% interval ([`assure_stats::sii`]).
//!
//! Quantiles of deprivation hold equal shares of the population by construction, so
//! they are weighted equally. The SII's limits are simulated: [`REPETITIONS`] draws
//! from the fixed [`SEED`], so the same data always gives the same limits.

use assure_stats::{ConfidenceLevel, QuantileSpread, SiiQuantile, SiiRequest, SiiValueType};
use serde::Serialize;

use crate::series::Breakdown;

/// Simulated repetitions for the SII's limits.
pub const REPETITIONS: u32 = 10_000;
/// The seed of the simulation.
pub const SEED: u64 = 1;

/// The SII of one period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapOverTime {
    /// The period.
    pub period: String,
    /// The fitted difference between the least and the most deprived ends of the gradient
    /// (positive: higher among the least deprived), in the indicator's unit.
    pub sii: f64,
    /// Its simulated 95% interval.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// The quantile a group's label names (`1 (most deprived)` → 1), if it names one.
fn quantile_of(label: &str) -> Option<usize> {
    label.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// The SII in each period of a deprivation breakdown with all 5 (quintiles) or 10
/// (deciles) groups, each with a value and 95% interval; `None` for any other breakdown.
pub fn slope_index(b: &Breakdown) -> Option<Vec<GapOverTime>> {
    let dimension = b.dimension.to_lowercase();
    let k = match () {
        _ if dimension.contains("deprivation") && dimension.contains("quintile") => 5,
        _ if dimension.contains("deprivation") && dimension.contains("decile") => 10,
        _ => return None,
    };
    let mut ordered = vec![None; k];
    for g in &b.groups {
        let q = quantile_of(&g.label).filter(|q| (1..=k).contains(q))?;
        ordered[q - 1] = Some(g);
    }
    let ordered: Vec<_> = ordered.into_iter().collect::<Option<_>>()?;
    let levels = [ConfidenceLevel::p95()];
    let request = SiiRequest {
        value_type: SiiValueType::Other,
        transform: false,
        multiplier: 1.0,
        repetitions: REPETITIONS,
        seed: SEED,
        levels: &levels,
        rii: false,
    };
    let mut out = Vec::new();
    for p in &ordered[0].series {
        let quantiles: Option<Vec<SiiQuantile>> = ordered
            .iter()
            .map(|g| {
                let point = g.series.iter().find(|x| x.period == p.period)?;
                Some(SiiQuantile {
                    population: 1.0,
                    value: point.value,
                    spread: QuantileSpread::Limits95(point.interval()?),
                })
            })
            .collect();
        let Some(quantiles) = quantiles else { continue };
        let Ok(sii) = assure_stats::sii(&quantiles, &request) else { continue };
        let Some(i) = sii.sii.intervals.first() else { continue };
        out.push(GapOverTime { period: p.period.clone(), sii: sii.sii.value, lower: i.lower, upper: i.upper });
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Group;
    use crate::status::Point;

    fn group(label: &str, values: &[(&str, f64)]) -> Group {
        Group {
            label: label.into(),
            series: values
                .iter()
                .enumerate()
                .map(|(i, (period, v))| Point {
                    period: (*period).into(),
                    time: i as f64,
                    value: *v,
                    lower: Some(v - 1.0),
                    upper: Some(v + 1.0),
                })
                .collect(),
        }
    }

    fn quintiles(dimension: &str, slope: f64) -> Breakdown {
        Breakdown {
            dimension: dimension.into(),
            groups: (1..=5)
                .map(|q| {
                    let v = 20.0 + slope * (q as f64 - 1.0);
                    let label = if q == 1 { "1 (most deprived)".to_owned() } else { q.to_string() };
                    group(&label, &[("2023", v), ("2024", v * 0.9)])
                })
                .collect(),
            gaps: Vec::new(),
        }
    }

    #[test]
    fn a_gradient_across_quintiles_gives_its_slope_in_every_period() {
        let gaps = slope_index(&quintiles("Deprivation quintile", -2.0)).unwrap();
        assert_eq!(gaps.len(), 2);
        // Values fall by 2 a quintile; the SII spans the whole gradient: 5 × −2.
        assert!((gaps[0].sii - -10.0).abs() < 1e-9, "{gaps:?}");
        assert!(gaps[0].lower < gaps[0].sii && gaps[0].sii < gaps[0].upper, "{gaps:?}");
        assert!((gaps[1].sii - -9.0).abs() < 1e-9, "{gaps:?}");
        assert_eq!(slope_index(&quintiles("Deprivation quintile", -2.0)), Some(gaps), "the same limits every time");
    }

    #[test]
    fn only_a_whole_deprivation_breakdown_has_one() {
        assert_eq!(slope_index(&quintiles("sex", 1.0)), None);
        let mut missing = quintiles("Deprivation quintile", 1.0);
        missing.groups.remove(2);
        assert_eq!(slope_index(&missing), None);
    }
}
