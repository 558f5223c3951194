//! The inequality gap the plan's targets name, read from a breakdown by deprivation
//! quintile or decile: the slope index of inequality (SII) in each period where every
//! quantile has a value with its 95% interval ([`assure_stats::sii`]).
//!
//! Each quantile is weighted by its population (the observations' denominators) when
//! every quantile of the period has one, as the PHE method does. Without them the
//! quantiles are weighted equally: quantiles of deprivation in England hold equal shares
//! of the population by construction, but within one place they seldom do, so the page
//! says which weighting it used. The SII's limits are simulated: [`REPETITIONS`] draws
//! from the fixed [`SEED`], so the same data always gives the same limits.

use assure_stats::{ConfidenceLevel, QuantileSpread, SiiQuantile, SiiRequest, SiiValueType};
use serde::Serialize;

use crate::series::Breakdown;
use crate::status::Point;

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
    /// Whether the quantiles were weighted by their populations (else equally).
    pub weighted_by_population: bool,
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
        let points: Option<Vec<&Point>> =
            ordered.iter().map(|g| g.series.iter().find(|x| x.period == p.period)).collect();
        let Some(points) = points else { continue };
        let weighted = points.iter().all(|x| x.denominator.is_some_and(|d| d.is_finite() && d > 0.0));
        let quantiles: Option<Vec<SiiQuantile>> = points
            .iter()
            .map(|point| {
                Some(SiiQuantile {
                    population: if weighted { point.denominator? } else { 1.0 },
                    value: point.value,
                    spread: QuantileSpread::Limits95(point.interval()?),
                })
            })
            .collect();
        let Some(quantiles) = quantiles else { continue };
        let Ok(sii) = assure_stats::sii(&quantiles, &request) else { continue };
        let Some(i) = sii.sii.intervals.first() else { continue };
        out.push(GapOverTime {
            period: p.period.clone(),
            sii: sii.sii.value,
            lower: i.lower,
            upper: i.upper,
            weighted_by_population: weighted,
        });
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Group;

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
                    denominator: None,
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
    fn quantiles_with_populations_are_weighted_by_them() {
        // Populations 100, 300, 200, 200, 200 of 1,000: cumulative midpoints 0.05, 0.25,
        // 0.5, 0.7 and 0.9. Values exactly on 20 + 10x fit with slope 10 whatever the
        // weights, so the population-weighted SII is 10; with equal weights the midpoints
        // would be 0.1, 0.3, … and the same values would not lie on a line.
        let populations = [100.0, 300.0, 200.0, 200.0, 200.0];
        let midpoints = [0.05, 0.25, 0.5, 0.7, 0.9];
        let mut b = quintiles("Deprivation quintile", 0.0);
        for (q, g) in b.groups.iter_mut().enumerate() {
            for p in &mut g.series {
                p.value = 20.0 + 10.0 * midpoints[q];
                p.lower = Some(p.value - 1.0);
                p.upper = Some(p.value + 1.0);
                p.denominator = Some(populations[q]);
            }
        }
        let weighted = slope_index(&b).unwrap();
        assert!(weighted.iter().all(|g| g.weighted_by_population), "{weighted:?}");
        assert!((weighted[0].sii - 10.0).abs() < 1e-9, "{weighted:?}");

        // One quantile without its population: every quantile weighs the same.
        b.groups[3].series[0].denominator = None;
        let equal = slope_index(&b).unwrap();
        assert!(!equal[0].weighted_by_population && equal[1].weighted_by_population, "{equal:?}");
        assert!((equal[0].sii - 10.0).abs() > 0.1, "equal weights give another slope: {equal:?}");
    }

    #[test]
    fn only_a_whole_deprivation_breakdown_has_one() {
        assert_eq!(slope_index(&quintiles("sex", 1.0)), None);
        let mut missing = quintiles("Deprivation quintile", 1.0);
        missing.groups.remove(2);
        assert_eq!(slope_index(&missing), None);
    }
}
