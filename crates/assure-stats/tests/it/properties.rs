//! Invariants over many inputs: intervals contain their estimate, are ordered, and widen with confidence.

use assure_stats::*;
use proptest::prelude::*;

fn levels() -> Vec<ConfidenceLevel> {
    vec![ConfidenceLevel::p95(), ConfidenceLevel::p998()]
}

fn check(e: &Estimate) -> Result<(), TestCaseError> {
    for i in &e.intervals {
        prop_assert!(i.lower.is_finite() && i.upper.is_finite());
        prop_assert!(i.lower <= e.value * (1.0 + 1e-12) + 1e-12, "lower {} > value {}", i.lower, e.value);
        prop_assert!(e.value <= i.upper * (1.0 + 1e-12) + 1e-12, "value {} > upper {}", e.value, i.upper);
    }
    // 99.8% is wider than 95%.
    prop_assert!(e.intervals[1].lower <= e.intervals[0].lower + 1e-9);
    prop_assert!(e.intervals[1].upper >= e.intervals[0].upper - 1e-9);
    Ok(())
}

proptest! {
    #[test]
    fn proportion_intervals_contain_the_value(n in 1u64..10_000_000, frac in 0.0f64..=1.0) {
        let x = (n as f64 * frac).floor();
        let e = proportion(x, n as f64, 100.0, &levels()).unwrap();
        check(&e)?;
        prop_assert!(e.intervals[1].lower >= 0.0 && e.intervals[1].upper <= 100.0 + 1e-9);
    }

    #[test]
    fn rate_intervals_contain_the_value(o in 0u64..5_000_000, n in 1u64..1_000_000_000) {
        check(&crude_rate(o as f64, n as f64, 100_000.0, &levels()).unwrap())?;
    }

    #[test]
    fn dsr_intervals_contain_the_value(obs in proptest::array::uniform19(0u32..500), pop in proptest::array::uniform19(1u32..100_000)) {
        let o: Vec<f64> = obs.iter().map(|&v| f64::from(v)).collect();
        let n: Vec<f64> = pop.iter().map(|&v| f64::from(v)).collect();
        let d = dsr(&o, &n, &ESP2013, 100_000.0, &levels(), false).unwrap();
        prop_assert_eq!(d.estimate.is_some(), d.total_count >= 10.0);
        if let Some(e) = &d.estimate {
            check(e)?;
        }
    }

    #[test]
    fn quantiles_are_in_range_and_monotone(values in proptest::collection::vec(-1e6f64..1e6, 10..200), q in 2u32..11) {
        let r = quantiles(&values, q, true);
        let a: Vec<u32> = r.assigned.iter().map(|x| x.unwrap()).collect();
        for (i, &qi) in a.iter().enumerate() {
            prop_assert!((1..=q).contains(&qi));
            for (j, &qj) in a.iter().enumerate() {
                if values[i] > values[j] { prop_assert!(qi <= qj, "higher value in a higher quantile when inverted"); }
            }
        }
    }
}
