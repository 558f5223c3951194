//! Life expectancy (Chiang II, Silcocks et al.'s intervals): values derived by hand, the
//! package's published test answers, the suppression rules, and properties.

// Reference values are kept exactly as they were published.
#![allow(clippy::excessive_precision)]

use assure_stats::*;
use proptest::prelude::*;

fn levels() -> Vec<ConfidenceLevel> {
    vec![ConfidenceLevel::p95(), ConfidenceLevel::p998()]
}

fn bands(deaths: &[f64], population: &[f64]) -> Vec<Option<BandDeaths>> {
    deaths.iter().zip(population).map(|(&deaths, &population)| Some(BandDeaths { deaths, population })).collect()
}

fn table(deaths: &[f64], population: &[f64]) -> Vec<LifeExpectancyAt> {
    match life_expectancy(&bands(deaths, population), &levels()).unwrap() {
        LifeExpectancy::Table(t) => t,
        LifeExpectancy::Suppressed(s) => panic!("suppressed: {s}"),
    }
}

fn suppressed(deaths: &[f64], population: &[f64]) -> LifeTableSuppressed {
    match life_expectancy(&bands(deaths, population), &levels()).unwrap() {
        LifeExpectancy::Suppressed(s) => s,
        LifeExpectancy::Table(_) => panic!("expected a suppression"),
    }
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

const START: [f64; 20] = [
    0.0, 1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0,
];

/// Deaths only in 90+ (D = 10 of P = 50), 1,000 people in every other band.
///
/// By hand: every qᵢ below 90 is 0, so lᵢ = 100,000 throughout and Lᵢ = nᵢ·100,000;
/// L(90+) = l / M = 100,000 · P / D = 500,000. So eₓ = (90 − x) + P/D = 95 − x.
/// Only the last band has variance: W = l² / (D M²) = l² P² / D³, so
/// SE(eₓ) = √(P² / D³) = √2.5 at every age, and the limits are eₓ ± z√2.5.
#[test]
fn deaths_only_in_the_last_band_give_a_closed_form() {
    let mut deaths = [0.0; 20];
    let mut population = [1000.0; 20];
    deaths[19] = 10.0;
    population[19] = 50.0;
    let t = table(&deaths, &population);
    let se = 2.5f64.sqrt();
    for (i, at) in t.iter().enumerate() {
        assert_eq!(at.band, LIFE_TABLE_BANDS[i]);
        let e = 95.0 - START[i];
        assert!(close(at.value.unwrap(), e, 1e-13), "{}: {:?} vs {e}", at.band, at.value);
        assert!(close(at.standard_error, se, 1e-13), "{}: se {}", at.band, at.standard_error);
        for (interval, level) in at.intervals.iter().zip(levels()) {
            assert!(close(interval.lower, e - level.z() * se, 1e-13));
            assert!(close(interval.upper, e + level.z() * se, 1e-13));
        }
        assert_eq!(at.note, None);
    }
    // What each value rests on: this band and every older one.
    assert_eq!((t[0].population_used, t[0].deaths_used), (19050.0, 10.0));
    assert_eq!((t[19].population_used, t[19].deaths_used), (50.0, 10.0));
    assert_eq!((t[18].population_used, t[18].deaths_used), (1050.0, 10.0));
}

/// As above, with 9 infant deaths among 1,000 (band 0: n = 1, a = 0.1).
///
/// By hand: M₀ = 0.009, q₀ = M₀ / (1 + 0.9 M₀) = 0.009 / 1.0081 = 0.00892768574546176;
/// l₁ = 100,000 (1 − q₀), d₀ = 100,000 q₀, L₀ = l₁ + 0.1 d₀ = 100,000 (1 − 0.9 q₀).
/// From age 1 on nothing changes but the scale, so e₁ = 94 and
/// e₀ = (1 − 0.9 q₀) + (1 − q₀) · 94 = 94.15276262275567.
/// Var(e₀) = [q₀²(1 − q₀)/9 · (0.9 · 1 + e₁)² · l₀² + l₁² · 2.5] / l₀²
///         = q₀²(1 − q₀)/9 · 94.9² + (1 − q₀)² · 2.5, SE = 1.5920444665991476.
#[test]
fn infant_deaths_by_hand() {
    let mut deaths = [0.0; 20];
    let mut population = [1000.0; 20];
    deaths[0] = 9.0;
    deaths[19] = 10.0;
    population[19] = 50.0;
    let t = table(&deaths, &population);
    assert!(close(t[0].value.unwrap(), 94.15276262275567, 1e-13), "{:?}", t[0]);
    assert!(close(t[0].standard_error, 1.5920444665991476, 1e-13), "{:?}", t[0]);
    assert!(close(t[1].value.unwrap(), 94.0, 1e-13));
    assert!(close(t[1].standard_error, 2.5f64.sqrt(), 1e-13));
}

/// The package's own test data and answers (PHEindicatormethods, tests/testthat/testLifeExpectancy.R,
/// `df1` and `answer1`, which agree with PHE's Life Expectancy Calculator), to the 8 decimals published.
#[test]
fn agrees_with_the_packages_published_answers() {
    let population = [
        7060.0, 35059.0, 46974.0, 48489.0, 43219.0, 38561.0, 46009.0, 57208.0, 61435.0, 55601.0, 50209.0, 56416.0,
        46411.0, 39820.0, 37978.0, 37039.0, 33288.0, 23306.0, 11936.0, 11936.0,
    ];
    let deaths = [
        17.0, 9.0, 4.0, 8.0, 20.0, 15.0, 24.0, 33.0, 50.0, 71.0, 100.0, 163.0, 263.0, 304.0, 536.0, 872.0, 1390.0,
        1605.0, 1936.0, 1937.0,
    ];
    let value = [
        80.16960813,
        79.36245674,
        75.44193645,
        70.47299936,
        65.52909542,
        60.67510088,
        55.78835987,
        50.92752727,
        46.06740425,
        41.24505636,
        36.49322717,
        31.83343842,
        27.26027992,
        22.9719144,
        18.76856852,
        14.95858336,
        11.51684445,
        8.618849241,
        6.163942934,
        6.16210635,
    ];
    let lower = [
        79.88268548,
        79.0898816,
        75.17407307,
        70.20675732,
        65.26548673,
        60.41876577,
        55.53801579,
        50.68279939,
        45.82666794,
        41.00842831,
        36.26223216,
        31.60996318,
        27.04337271,
        22.76653134,
        18.57570352,
        14.77985004,
        11.34831778,
        8.451134045,
        5.978358351,
        5.887683386,
    ];
    let upper = [
        80.45653078,
        79.63503188,
        75.70979983,
        70.7392414,
        65.79270412,
        60.931436,
        56.03870395,
        51.17225516,
        46.30814055,
        41.48168441,
        36.72422219,
        32.05691365,
        27.47718713,
        23.17729746,
        18.96143352,
        15.13731667,
        11.68537112,
        8.786564437,
        6.349527517,
        6.436529314,
    ];
    let pops_used = [
        787954.0, 780894.0, 745835.0, 698861.0, 650372.0, 607153.0, 568592.0, 522583.0, 465375.0, 403940.0, 348339.0,
        298130.0, 241714.0, 195303.0, 155483.0, 117505.0, 80466.0, 47178.0, 23872.0, 11936.0,
    ];
    let t = table(&deaths, &population);
    for i in 0..20 {
        let at = &t[i];
        assert!((at.value.unwrap() - value[i]).abs() < 5e-8, "{}: {:?} vs {}", at.band, at.value, value[i]);
        // The published limits were made with z = 1.96 (PHE's calculator); the package, and
        // Assure, use z = Φ⁻¹(0.975) = 1.95996…, and the package's test compares to 4 decimals.
        // Its standard error is the published half-width over 1.96, to the 8 decimals given.
        assert!((at.intervals[0].lower - lower[i]).abs() < 5e-5, "{}: {:?}", at.band, at.intervals[0]);
        assert!((at.intervals[0].upper - upper[i]).abs() < 5e-5, "{}: {:?}", at.band, at.intervals[0]);
        let published_se = (upper[i] - lower[i]) / 2.0 / 1.96;
        assert!(
            (at.standard_error - published_se).abs() < 5e-8,
            "{}: se {} vs {published_se}",
            at.band,
            at.standard_error
        );
        assert_eq!(at.population_used, pops_used[i]);
    }
    assert_eq!(t[0].deaths_used, 9357.0);
}

/// The package's wide-interval case (`df_widecis_plus`, `answer_widecis`): a population of
/// 5,942 whose values from 40–44 on have 95% intervals wider than 20 years. Those values
/// are suppressed; every limit is still given.
#[test]
fn values_with_intervals_wider_than_20_years_are_suppressed_but_keep_their_limits() {
    let population = [
        270.0, 235.0, 246.0, 248.0, 243.0, 238.0, 246.0, 257.0, 261.0, 355.0, 350.0, 356.0, 346.0, 339.0, 337.0, 337.0,
        333.0, 323.0, 311.0, 311.0,
    ];
    let deaths = [
        17.0, 9.0, 4.0, 8.0, 20.0, 15.0, 24.0, 33.0, 50.0, 51.0, 10.0, 16.0, 26.0, 30.0, 36.0, 22.0, 13.0, 5.0, 6.0,
        1.0,
    ];
    let value = [
        19.22914685,
        19.44120610,
        18.33467808,
        14.67659995,
        11.81284556,
        11.63815414,
        10.05641628,
        9.93152356,
        11.95846561,
    ];
    let lower = [
        16.43900644,
        16.53437505,
        15.62922550,
        12.08108630,
        9.21823373,
        8.68414661,
        6.54020385,
        4.71570153,
        2.37762283,
        -1.60695210,
        -10.33328815,
        -17.16409724,
        -26.91715103,
        -45.04820928,
        -76.27067271,
        -137.12203187,
        -195.39453664,
        -242.37480291,
        -266.74198466,
        -298.54880400,
    ];
    let upper = [
        22.01928726,
        22.34803716,
        21.04013066,
        17.27211361,
        14.40745738,
        14.59216167,
        13.57262872,
        15.14734559,
        21.53930839,
        50.29765396,
        97.99598549,
        107.54413263,
        128.91238524,
        181.91668353,
        278.06441642,
        472.32822039,
        649.40455756,
        783.50845564,
        841.04259816,
        920.54880400,
    ];
    let t = table(&deaths, &population);
    for i in 0..20 {
        let at = &t[i];
        match value.get(i) {
            Some(v) => assert!((at.value.unwrap() - v).abs() < 5e-8, "{}: {:?} vs {v}", at.band, at.value),
            None => {
                assert_eq!(at.value, None, "{}", at.band);
                assert_eq!(at.note, Some(BandNote::WideInterval));
            }
        }
        // Limits as published to within 1e-8 of the interval's width (the package's test
        // compares 4 decimals; these limits reach ±900 years, so 8 decimals are beyond the
        // published values' own precision).
        let tol = 1e-7 + 1e-8 * (upper[i] - lower[i]);
        assert!((at.intervals[0].lower - lower[i]).abs() < tol, "{}: {:?}", at.band, at.intervals[0]);
        assert!((at.intervals[0].upper - upper[i]).abs() < tol, "{}: {:?}", at.band, at.intervals[0]);
    }
}

#[test]
fn the_packages_suppression_rules_say_why() {
    let mut deaths = [5.0; 20];
    let population = [1000.0; 20];
    assert_eq!(table(&deaths, &population).len(), 20);
    // Total population of 5,000 or fewer (the package's test: 20 bands of ~150 people).
    assert_eq!(suppressed(&deaths, &[250.0; 20]), LifeTableSuppressed::SmallPopulation(5000.0));
    // A band with no population.
    let mut p = population;
    p[5] = 0.0;
    deaths[5] = 0.0;
    assert_eq!(suppressed(&deaths, &p), LifeTableSuppressed::ZeroPopulation { band: "20-24" });
    // More deaths than people.
    let mut d = [5.0; 20];
    d[18] = 1001.0;
    assert_eq!(
        suppressed(&d, &population),
        LifeTableSuppressed::DeathsAbovePopulation { band: "85-89", deaths: 1001.0, population: 1000.0 }
    );
    // No deaths in 90+: the last band's mean survival would be infinite.
    let mut d = [5.0; 20];
    d[19] = 0.0;
    assert_eq!(suppressed(&d, &population), LifeTableSuppressed::NoDeathsInLastBand);
    // Zero deaths anywhere else are fine.
    let mut d = [0.0; 20];
    d[19] = 100.0;
    assert!(table(&d, &population).iter().all(|a| a.value.is_some()));
    // A missing band.
    let mut b = bands(&[5.0; 20], &population);
    b[19] = None;
    assert_eq!(
        life_expectancy(&b, &levels()).unwrap(),
        LifeExpectancy::Suppressed(LifeTableSuppressed::MissingBand { band: "90+" })
    );
}

#[test]
fn invalid_numbers_are_errors_naming_the_field() {
    let mut d = [5.0; 20];
    d[3] = -1.0;
    assert_eq!(
        life_expectancy(&bands(&d, &[1000.0; 20]), &levels()),
        Err(StatsError::Negative { field: "deaths", value: -1.0 })
    );
    let mut p = [1000.0; 20];
    p[0] = f64::NAN;
    assert_eq!(life_expectancy(&bands(&[5.0; 20], &p), &levels()), Err(StatsError::NotFinite { field: "population" }));
    assert_eq!(
        life_expectancy(&bands(&[5.0; 19], &[1000.0; 19]), &levels()),
        Err(StatsError::WrongBandCount { expected: 20, got: 19 })
    );
}

/// A plausible population: mortality rising with age, under 30% a band.
fn population_strategy() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (prop::collection::vec(2000.0..60000.0f64, 20), prop::collection::vec(0.0..1.0f64, 20)).prop_map(|(p, u)| {
        let d = p
            .iter()
            .zip(&u)
            .enumerate()
            .map(|(i, (&p, &u))| {
                let rate = 0.0002 * (1.09f64).powf(START[i]) * (0.5 + u);
                (p * rate.min(0.3)).round().max(if i == 19 { 1.0 } else { 0.0 })
            })
            .collect();
        (d, p)
    })
}

proptest! {
    /// More deaths in any band (all else equal) means a shorter life expectancy at birth.
    #[test]
    fn life_expectancy_at_birth_falls_when_any_band_s_mortality_rises(
        (deaths, population) in population_strategy(),
        band in 0usize..20,
        extra in 1.0..200.0f64,
    ) {
        let before = table(&deaths, &population)[0].value.unwrap();
        let mut more = deaths.clone();
        // Below 40% of a 5-year band's population, so q stays under 1 (at 1 the table is already empty beyond).
        more[band] = (more[band] + extra).min(population[band] * 0.35);
        prop_assume!(more[band] > deaths[band]);
        let after = table(&more, &population)[0].value.unwrap();
        prop_assert!(after < before, "band {band}: {before} -> {after}");
    }

    /// Every interval contains its value, and the wider level contains the narrower.
    #[test]
    fn intervals_contain_the_estimate((deaths, population) in population_strategy()) {
        for at in table(&deaths, &population) {
            let (i95, i998) = (at.intervals[0], at.intervals[1]);
            if let Some(v) = at.value {
                prop_assert!(i95.lower <= v && v <= i95.upper, "{at:?}");
            } else {
                prop_assert_eq!(at.note, Some(BandNote::WideInterval));
            }
            prop_assert!(i998.lower <= i95.lower && i95.upper <= i998.upper, "{at:?}");
        }
    }
}
