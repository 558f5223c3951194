//! The slope and relative indices of inequality: regressions worked by hand, simulated
//! limits against their analytic spread, transforms, polarity, seeds, and properties.

use assure_stats::*;
use proptest::prelude::*;

const Z95: f64 = 1.959963984540054;

fn levels() -> Vec<ConfidenceLevel> {
    vec![ConfidenceLevel::p95(), ConfidenceLevel::p998()]
}

fn request(levels: &[ConfidenceLevel]) -> SiiRequest<'_> {
    SiiRequest {
        value_type: SiiValueType::Other,
        transform: false,
        multiplier: 1.0,
        repetitions: DEFAULT_SII_REPETITIONS,
        seed: 1,
        levels,
        rii: true,
    }
}

fn with_se(population: &[f64], value: &[f64], se: f64) -> Vec<SiiQuantile> {
    population
        .iter()
        .zip(value)
        .map(|(&population, &value)| SiiQuantile { population, value, spread: QuantileSpread::StandardError(se) })
        .collect()
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// Five quintiles of equal population with values 1, 2, 2, 3, 5, each with standard error 1.
///
/// By hand: a = 0.2 each, b = 0.1, 0.3, 0.5, 0.7, 0.9. Equal weights make the weighted
/// fit ordinary least squares: b̄ = 0.5, Σ(b − b̄)² = 0.4, Σ(b − b̄)y = −0.4 − 0.4 + 0
/// \+ 0.6 + 2.0 = 1.8, so SII = 1.8 / 0.4 = 4.5 and the intercept is ȳ − 4.5 b̄ = 2.6 − 2.25 = 0.35;
/// RII = (0.35 + 4.5) / 0.35. The slope is Σ cᵢyᵢ with cᵢ = (bᵢ − b̄)/0.4 = −1, −½, 0, ½, 1,
/// so its standard error is √(Σcᵢ² · 1²) = √2.5 and the simulated 95% limits approach
/// 4.5 ± 1.96 √2.5 (and 99.8%: ± 3.09 √2.5).
#[test]
fn equal_quintiles_by_hand() {
    let levels = levels();
    let q = with_se(&[1000.0; 5], &[1.0, 2.0, 2.0, 3.0, 5.0], 1.0);
    let s = sii(&q, &request(&levels)).unwrap();
    assert!(close(s.sii.value, 4.5, 1e-13), "{s:?}");
    assert!(close(s.intercept, 0.35, 1e-13), "{s:?}");
    assert!(close(s.rii.value, 4.85 / 0.35, 1e-13), "{s:?}");
    let sd = 2.5f64.sqrt();
    // Monte Carlo error of a tail quantile from 100,000 draws: √(p(1 − p)/n) / φ(z) SDs, about
    // 0.013 at 2.5% and 0.047 at 0.1% here; the tolerances are three times that.
    for ((interval, level), tol) in s.sii.intervals.iter().zip(&levels).zip([0.04, 0.15]) {
        assert!((interval.lower - (4.5 - level.z() * sd)).abs() < tol, "{interval:?} at {}", level.label());
        assert!((interval.upper - (4.5 + level.z() * sd)).abs() < tol, "{interval:?} at {}", level.label());
    }
    assert_eq!(s.rii.intervals.len(), 2);
}

/// Values exactly on a line, unequal populations (100, 200, 300, 150, 250).
///
/// By hand: a = 0.1, 0.2, 0.3, 0.15, 0.25; b = 0.05, 0.2, 0.45, 0.675, 0.875; values
/// 10 + 20b = 11, 14, 19, 23.5, 27.5. The fit is exact whatever the weights: SII = 20,
/// intercept 10, RII = 30 / 10 = 3.
#[test]
fn values_on_a_line_give_its_slope_whatever_the_populations() {
    let levels = levels();
    let q = with_se(&[100.0, 200.0, 300.0, 150.0, 250.0], &[11.0, 14.0, 19.0, 23.5, 27.5], 0.001);
    let s = sii(&q, &request(&levels)).unwrap();
    assert!(close(s.sii.value, 20.0, 1e-12), "{s:?}");
    assert!(close(s.intercept, 10.0, 1e-12), "{s:?}");
    assert!(close(s.rii.value, 3.0, 1e-12), "{s:?}");
    for i in &s.sii.intervals {
        assert!(i.lower < 20.0 && 20.0 < i.upper && i.upper - i.lower < 0.05, "{i:?}");
    }
}

/// Rates on a log-linear gradient, log-transformed: v = exp(1 + 2b) with limits ±0.1·1.96
/// on the log scale (so SE 0.1 there).
///
/// By hand: on the log scale the fit is exact, β₀ = 1, β₁ = 2; back-transformed, the SII is
/// e³ − e¹, the RII e² and the intercept e¹. The simulated log-scale slope has SD
/// 0.1 √2.5; its limits s pivot about the line's midpoint (β₀ + β₁/2 = 2), giving
/// SII limits e^(2 + s/2) − e^(2 − s/2).
#[test]
fn log_transformed_rates_by_hand() {
    let levels = levels();
    let b = [0.1, 0.3, 0.5, 0.7, 0.9];
    let q: Vec<SiiQuantile> = b
        .iter()
        .map(|&b| {
            let v = (1.0f64 + 2.0 * b).exp();
            let spread =
                QuantileSpread::Limits95(Interval { lower: v * (-0.1 * Z95).exp(), upper: v * (0.1 * Z95).exp() });
            SiiQuantile { population: 500.0, value: v, spread }
        })
        .collect();
    let r = SiiRequest { value_type: SiiValueType::Rate, transform: true, ..request(&levels) };
    let s = sii(&q, &r).unwrap();
    let e = std::f64::consts::E;
    assert!(close(s.sii.value, e.powi(3) - e, 1e-12), "{s:?}");
    assert!(close(s.rii.value, e * e, 1e-12), "{s:?}");
    assert!(close(s.intercept, e, 1e-12), "{s:?}");
    let sd = 0.1 * 2.5f64.sqrt();
    for (interval, level) in s.sii.intervals.iter().zip(&levels) {
        let at = |slope: f64| (2.0 + slope / 2.0).exp() - (2.0 - slope / 2.0).exp();
        let (lower, upper) = (at(2.0 - level.z() * sd), at(2.0 + level.z() * sd));
        assert!(close(interval.lower, lower, 0.01), "{interval:?} vs {lower}");
        assert!(close(interval.upper, upper, 0.01), "{interval:?} vs {upper}");
    }
    // Without the transform the fit is on the rates themselves: a steeper gradient, same sign.
    let untransformed = sii(&q, &SiiRequest { transform: false, ..r.clone() }).unwrap();
    assert!(untransformed.sii.value > 0.0);
    let i = untransformed.sii.intervals[0];
    assert!(i.lower < untransformed.sii.value && untransformed.sii.value < i.upper);
}

/// Proportions on a logit-linear gradient, logit-transformed: p = expit(−1 + b).
/// By hand: SII = expit(0) − expit(−1) = 0.5 − 0.2689414213699951, RII = 0.5 / 0.2689414213699951.
#[test]
fn logit_transformed_proportions_by_hand() {
    let levels = levels();
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    let q: Vec<SiiQuantile> = [0.1, 0.3, 0.5, 0.7, 0.9]
        .iter()
        .map(|&b: &f64| {
            let x = -1.0 + b;
            let spread = QuantileSpread::Limits95(Interval { lower: expit(x - 0.05), upper: expit(x + 0.05) });
            SiiQuantile { population: 800.0, value: expit(x), spread }
        })
        .collect();
    let r = SiiRequest { value_type: SiiValueType::Proportion, transform: true, multiplier: 100.0, ..request(&levels) };
    let s = sii(&q, &r).unwrap();
    assert!(close(s.sii.value, 100.0 * (0.5 - 0.2689414213699951), 1e-12), "{s:?}");
    assert!(close(s.rii.value, 0.5 / 0.2689414213699951, 1e-12), "{s:?}");
    assert!(close(s.intercept, 26.89414213699951, 1e-12), "{s:?}");
    for i in s.sii.intervals.iter().chain(&s.rii.intervals) {
        assert!(i.lower < i.upper);
    }
    assert!(s.sii.intervals[0].lower < s.sii.value && s.sii.value < s.sii.intervals[0].upper);
    assert!(s.rii.intervals[0].lower < s.rii.value && s.rii.value < s.rii.intervals[0].upper);
}

/// A negative multiplier (higher is better): the SII changes sign, the RII is inverted,
/// and the limits swap ends; the package's note says so.
#[test]
fn a_negative_multiplier_inverts_the_polarity() {
    let levels = levels();
    let q = with_se(&[1000.0; 5], &[1.0, 2.0, 2.0, 3.0, 5.0], 1.0);
    let up = sii(&q, &request(&levels)).unwrap();
    let down = sii(&q, &SiiRequest { multiplier: -1.0, ..request(&levels) }).unwrap();
    assert_eq!(down.sii.value, -up.sii.value);
    assert!(close(down.rii.value, 1.0 / up.rii.value, 1e-14));
    for (d, u) in down.sii.intervals.iter().zip(&up.sii.intervals) {
        // Mirror images, up to one order statistic.
        assert!((d.lower + u.upper).abs() < 0.01 && (d.upper + u.lower).abs() < 0.01, "{d:?} {u:?}");
    }
    assert!(Sii::note(-1.0).unwrap().contains("polarity"));
    assert_eq!(Sii::note(100.0), None);
}

/// The package's example: a standard error, or the 95% limits it comes from, give the same SII.
#[test]
fn a_standard_error_or_the_limits_it_comes_from_agree() {
    let levels = levels();
    let population = [7291.0, 7997.0, 6105.0, 7666.0, 5790.0, 6934.0, 5918.0, 5974.0, 7147.0, 7534.0];
    let value = [75.9, 78.3, 83.8, 83.6, 80.5, 81.1, 81.7, 84.2, 80.6, 86.3];
    let lower = [72.7, 75.3, 80.9, 80.2, 77.1, 78.0, 79.0, 81.4, 75.8, 83.2];
    let upper = [79.1, 81.4, 86.8, 87.1, 83.8, 84.2, 84.4, 86.9, 85.4, 89.4];
    let by_limits: Vec<SiiQuantile> = (0..10)
        .map(|i| SiiQuantile {
            population: population[i],
            value: value[i],
            spread: QuantileSpread::Limits95(Interval { lower: lower[i], upper: upper[i] }),
        })
        .collect();
    let by_se: Vec<SiiQuantile> = (0..10)
        .map(|i| SiiQuantile {
            population: population[i],
            value: value[i],
            spread: QuantileSpread::StandardError((upper[i] - lower[i]) / Z95 / 2.0),
        })
        .collect();
    let a = sii(&by_limits, &request(&levels)).unwrap();
    let b = sii(&by_se, &request(&levels)).unwrap();
    assert_eq!(a.sii.value, b.sii.value);
    for (x, y) in a.sii.intervals.iter().zip(&b.sii.intervals) {
        assert!(close(x.lower, y.lower, 1e-12) && close(x.upper, y.upper, 1e-12), "{x:?} {y:?}");
    }
    // Life expectancy rising from the most to the least deprived: a positive gap.
    assert!(a.sii.value > 0.0 && a.sii.intervals[0].lower > 0.0, "{a:?}");
}

#[test]
fn the_same_seed_gives_the_same_limits_and_another_seed_other_ones() {
    let levels = levels();
    let q = with_se(&[900.0, 1100.0, 1000.0, 950.0, 1050.0, 1000.0], &[9.0, 8.0, 7.5, 6.0, 5.5, 4.0], 0.8);
    let r = SiiRequest { repetitions: 5000, seed: 20260401, ..request(&levels) };
    let first = sii(&q, &r).unwrap();
    assert_eq!(sii(&q, &r).unwrap(), first);
    let other = sii(&q, &SiiRequest { seed: 7, ..r.clone() }).unwrap();
    assert_eq!(other.sii.value, first.sii.value, "the estimate does not depend on the seed");
    assert_ne!(other.sii.intervals, first.sii.intervals);
    // Known draws: ChaCha20 from seed 20260401 gives these limits on every machine.
    assert!(first.sii.intervals[0].lower < first.sii.value && first.sii.value < first.sii.intervals[0].upper);
}

#[test]
fn invalid_requests_are_errors_naming_what_is_wrong() {
    let levels = levels();
    let five = with_se(&[1000.0; 5], &[1.0, 2.0, 3.0, 4.0, 5.0], 1.0);
    let four = with_se(&[1000.0; 4], &[1.0, 2.0, 3.0, 4.0], 1.0);
    assert_eq!(sii(&four, &request(&levels)), Err(StatsError::QuantileCount(4)));
    assert_eq!(
        sii(&five, &SiiRequest { repetitions: 999, ..request(&levels) }),
        Err(StatsError::TooFewRepetitions(999))
    );
    assert_eq!(
        sii(&five, &SiiRequest { transform: true, ..request(&levels) }),
        Err(StatsError::TransformNeedsRateOrProportion)
    );
    assert_eq!(
        sii(&five, &SiiRequest { transform: true, value_type: SiiValueType::Rate, ..request(&levels) }),
        Err(StatsError::TransformNeedsLimits)
    );
    assert_eq!(
        sii(&five, &SiiRequest { value_type: SiiValueType::Proportion, ..request(&levels) }),
        Err(StatsError::NotAProportion { field: "value", value: 1.0 })
    );
    let mut zero = five.clone();
    zero[2].population = 0.0;
    assert_eq!(sii(&zero, &request(&levels)), Err(StatsError::NotPositive { field: "population", value: 0.0 }));
    let mut reversed = five.clone();
    reversed[0].spread = QuantileSpread::Limits95(Interval { lower: 2.0, upper: 0.5 });
    assert_eq!(sii(&reversed, &request(&levels)), Err(StatsError::LowerAboveUpper { lower: 2.0, upper: 0.5 }));
    let mut negative = five;
    negative[4].spread = QuantileSpread::StandardError(-1.0);
    assert_eq!(sii(&negative, &request(&levels)), Err(StatsError::Negative { field: "se", value: -1.0 }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Values rising with the quantile give a positive SII (and RII above 1); falling, negative.
    #[test]
    fn the_sii_s_sign_follows_the_gradient(
        start in 60.0..100.0f64,
        steps in prop::collection::vec(0.01..5.0f64, 4..12),
        population in prop::collection::vec(100.0..10000.0f64, 12),
        rising in any::<bool>(),
    ) {
        let levels = [ConfidenceLevel::p95()];
        let mut value = vec![start];
        for s in &steps {
            let last = *value.last().unwrap();
            value.push(if rising { last + s } else { last - s });
        }
        let q = with_se(&population[..value.len()], &value, 0.5);
        let s = sii(&q, &SiiRequest { repetitions: 1000, ..request(&levels) }).unwrap();
        prop_assert_eq!(s.sii.value > 0.0, rising, "{:?}", s);
        prop_assert_eq!(s.rii.value > 1.0, rising, "{:?}", s);
        let i = s.sii.intervals[0];
        prop_assert!(i.lower <= s.sii.value && s.sii.value <= i.upper, "{:?}", s);
    }
}
