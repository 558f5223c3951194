//! Data-driven checks against reference values (PHStatsMethods 0.1.16 / scipy), and edge cases.

// Reference values are kept exactly as the reference implementation printed them.
#![allow(clippy::excessive_precision)]

use assure_stats::*;

fn levels() -> Vec<ConfidenceLevel> {
    vec![ConfidenceLevel::p95(), ConfidenceLevel::p998()]
}

fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

fn assert_estimate(e: &Estimate, expect: [f64; 5], what: &str) {
    let got = [e.value, e.intervals[0].lower, e.intervals[0].upper, e.intervals[1].lower, e.intervals[1].upper];
    for (g, x) in got.iter().zip(expect) {
        assert!(close(*g, x), "{what}: got {got:?}, expected {expect:?}");
    }
}

#[test]
fn z_values_for_the_standard_levels() {
    assert!(close(ConfidenceLevel::p95().z(), 1.959963984540054));
    assert!(close(ConfidenceLevel::p998().z(), 3.090232306167813));
    assert_eq!(ConfidenceLevel::p95().label(), "95");
    assert_eq!(ConfidenceLevel::p998().label(), "99_8");
    for bad in [0.0, 1.0, -0.5, 95.0, f64::NAN] {
        assert!(ConfidenceLevel::new(bad).is_err(), "{bad}");
    }
}

#[test]
fn proportions_match_the_reference() {
    // (numerator, denominator, value, lower95, upper95, lower99.8, upper99.8), multiplier 100.
    let cases = [
        (0.0, 100.0, [0.0, 0.0, 3.69934982069856799, 0.0, 8.71709372799573146]),
        (5.0, 100.0, [5.0, 2.15436791543679673, 11.17504692319191406, 1.38653207259972011, 16.45885228259643895]),
        (100.0, 100.0, [100.0, 96.30065017930142801, 100.0, 91.28290627200426854, 100.0]),
        (
            37.0,
            250.0,
            [
                14.79999999999999893,
                10.93198239832564411,
                19.73340188615365420,
                9.16174599916626597,
                23.02846211613385208,
            ],
        ),
    ];
    for (x, n, expect) in cases {
        assert_estimate(&proportion(x, n, 100.0, &levels()).unwrap(), expect, &format!("{x}/{n}"));
    }
}

#[test]
fn crude_rates_match_the_reference_and_the_formula_for_zero() {
    let cases = [
        (
            5.0,
            100.0,
            [5000.0, 1623.48639011842124091, 11668.33207932267032447, 739.37173191783267612, 16454.74520368010416860],
        ),
        (
            100.0,
            100.0,
            [
                100000.0,
                81362.10549052788701374,
                121627.93757920651114546,
                71903.69187259837053716,
                134943.62176226318115368,
            ],
        ),
        (
            37.0,
            250.0,
            [
                14800.0,
                10419.18580576262684190,
                20400.43863730602242867,
                8390.87176159762384486,
                23982.81954568697619834,
            ],
        ),
        // The reference refuses a zero count; the exact method gives 0 and ½χ²_{1−α/2}(2) = −ln(α/2).
        (0.0, 100000.0, [0.0, 0.0, 3.6888794541139354, 0.0, 6.907755278982137]),
    ];
    for (o, n, expect) in cases {
        assert_estimate(&crude_rate(o, n, 100000.0, &levels()).unwrap(), expect, &format!("{o}/{n}"));
    }
}

#[test]
fn byar_takes_over_from_the_exact_method_at_ten() {
    let l = ConfidenceLevel::p95();
    assert_eq!(count_limits(9.0, &l), exact_limits(9.0, &l));
    assert_eq!(count_limits(10.0, &l), byar_limits(10.0, &l));
    // Non-whole counts below 10 are computed, not looked up.
    let half = count_limits(2.5, &l);
    assert!(half.lower > count_limits(2.0, &l).lower && half.upper < count_limits(3.0, &l).upper);
}

#[test]
fn dsr_is_suppressed_below_ten_and_dobson_above() {
    let pop = [1000.0; 19];
    let d = dsr(&[3.0; 19], &pop, &ESP2013, 100000.0, &levels(), false).unwrap();
    let e = d.estimate.clone().expect("57 events");
    assert!(close(e.value, 300.0), "3 per 1,000 in every band is 300 per 100,000 whatever the weights");
    assert_eq!((d.total_count, d.total_population), (57.0, 19000.0));
    assert!(e.intervals[0].lower < 300.0 && e.intervals[0].upper > 300.0);
    assert!(d.note().is_none());
    let small = dsr(
        &[0.0, 0.0, 0.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        &pop,
        &ESP2013,
        100000.0,
        &levels(),
        false,
    )
    .unwrap();
    assert!(small.estimate.is_none());
    assert!(small.note().unwrap().contains("below 10"));
}

#[test]
fn dsr_refuses_bands_without_population() {
    let mut pop = [1000.0; 19];
    pop[18] = 0.0;
    let obs = [5.0; 19];
    assert_eq!(
        dsr(&obs, &pop, &ESP2013, 100000.0, &levels(), true),
        Err(StatsError::EmptyBand { band: "90+".into(), observed: 5.0 })
    );
    let mut obs0 = obs;
    obs0[18] = 0.0;
    assert_eq!(
        dsr(&obs0, &pop, &ESP2013, 100000.0, &levels(), false),
        Err(StatsError::ZeroPopulation { band: "90+".into() })
    );
    assert!(dsr(&obs0, &pop, &ESP2013, 100000.0, &levels(), true).unwrap().estimate.is_some());
    assert_eq!(
        dsr(&obs[..18], &pop, &ESP2013, 1.0, &levels(), false),
        Err(StatsError::WrongBandCount { expected: 19, got: 18 })
    );
}

#[test]
fn indirectly_standardised_ratio_matches_the_reference() {
    let e =
        isr(60.0, &[1000.0, 2000.0, 3000.0], &[5.0, 30.0, 90.0], &[1000.0, 2000.0, 3000.0], 100.0, &levels()).unwrap();
    assert_estimate(
        &e,
        [48.0, 36.62700761240834879, 61.78657915788738819, 31.08416115309603356, 70.42578838648775275],
        "isr",
    );
    // The rate: ratio × reference crude rate (125 / 6000), per 100,000.
    let r =
        isr_rate(60.0, &[1000.0, 2000.0, 3000.0], &[5.0, 30.0, 90.0], &[1000.0, 2000.0, 3000.0], 100000.0, &levels())
            .unwrap();
    assert!(close(r.value, 0.48 * 125.0 / 6000.0 * 100000.0), "{}", r.value);
    assert_eq!(isr(1.0, &[10.0], &[0.0], &[100.0], 1.0, &levels()), Err(StatsError::ZeroExpected));
}

#[test]
fn means_use_student_t() {
    let m = mean(&[1.0, 2.0, 3.0, 4.0, 5.0], &levels()).unwrap();
    assert!(close(m.estimate.value, 3.0));
    let half = 1.9632431614775576;
    assert!(close(m.estimate.intervals[0].lower, 3.0 - half) && close(m.estimate.intervals[0].upper, 3.0 + half));
    assert_eq!(mean(&[1.0], &levels()), Err(StatsError::TooFewValues(1)));
    assert_eq!(mean(&[1.0, f64::NAN], &levels()), Err(StatsError::NotFinite { field: "value" }));
}

#[test]
fn comparisons_use_fingertips_labels() {
    let i = Some(Interval { lower: 10.0, upper: 12.0 });
    let cases = [
        (9.0, Polarity::HighIsGood, Comparison::Better),
        (9.0, Polarity::LowIsGood, Comparison::Worse),
        (9.0, Polarity::NoJudgement, Comparison::Higher),
        (13.0, Polarity::HighIsGood, Comparison::Worse),
        (13.0, Polarity::LowIsGood, Comparison::Better),
        (13.0, Polarity::NoJudgement, Comparison::Lower),
        (11.0, Polarity::HighIsGood, Comparison::Similar),
        (10.0, Polarity::LowIsGood, Comparison::Similar),
    ];
    for (c, p, expect) in cases {
        assert_eq!(compare(i, Some(c), p), expect, "comparator {c} {p:?}");
    }
    assert_eq!(compare(None, Some(1.0), Polarity::HighIsGood), Comparison::NotCompared);
    assert_eq!(compare(i, None, Polarity::HighIsGood), Comparison::NotCompared);
    assert_eq!(Comparison::NotCompared.to_string(), "Not compared");
}

#[test]
fn quantiles_match_the_reference_including_ties() {
    let v = [10.0, 20.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 5.0];
    let inv: Vec<u32> = quantiles(&v, 4, true).assigned.into_iter().map(Option::unwrap).collect();
    assert_eq!(inv, [4, 3, 3, 3, 3, 2, 2, 2, 1, 1, 1, 4]);
    let not: Vec<u32> = quantiles(&v, 4, false).assigned.into_iter().map(Option::unwrap).collect();
    assert_eq!(not, [1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 4, 1]);
    let few = quantiles(&[1.0, 2.0], 5, true);
    assert_eq!(few.assigned, [None, None]);
    assert!(few.warning.unwrap().contains("fewer than the 5 quantiles"));
}

#[test]
fn invalid_input_is_an_error_naming_the_field() {
    let l = levels();
    assert_eq!(
        proportion(11.0, 10.0, 100.0, &l),
        Err(StatsError::NumeratorAboveDenominator { numerator: 11.0, denominator: 10.0 })
    );
    assert_eq!(proportion(-1.0, 10.0, 100.0, &l), Err(StatsError::Negative { field: "numerator", value: -1.0 }));
    assert_eq!(proportion(1.0, 0.0, 100.0, &l), Err(StatsError::NotPositive { field: "denominator", value: 0.0 }));
    assert_eq!(crude_rate(f64::NAN, 10.0, 1.0, &l), Err(StatsError::NotFinite { field: "numerator" }));
    assert_eq!(crude_rate(1.0, f64::INFINITY, 1.0, &l), Err(StatsError::NotFinite { field: "denominator" }));
    assert_eq!(
        StatsError::NumeratorAboveDenominator { numerator: 11.0, denominator: 10.0 }.to_string(),
        "numerator (11) is greater than denominator (10)"
    );
}
