//! Funnel plots of an indicator's areas: limits that agree with assure-stats, areas
//! classified against them, and the methods that have no funnel, with the reason.

use assure_plan::Method;
use assure_plan::observation::{Observation, ObservationKey};
use assure_stats::{ConfidenceLevel, count_limits, proportion_limit};
use assure_tracking::funnel::{LimitCurve, LimitLevel, NoFunnel, Position, by_area};

fn obs(area: &str, period: &str, numerator: Option<f64>, denominator: Option<f64>, value: f64) -> Observation {
    Observation {
        key: ObservationKey {
            indicator: "x".into(),
            area: area.into(),
            period: period.into(),
            breakdown: String::new(),
        },
        value: Some(value),
        lower: None,
        upper: None,
        numerator,
        denominator,
        note: None,
        source: None,
        illustrative: false,
        line: 0,
    }
}

/// A proportion's row as the import leaves it: counts, and the value they give.
fn share(area: &str, period: &str, x: f64, n: f64) -> Observation {
    obs(area, period, Some(x), Some(n), x / n * 100.0)
}

/// Districts around England's 20%, one far above it, one far below, one a little above.
fn proportions() -> Vec<Observation> {
    vec![
        share("england", "2024", 2_000_000.0, 10_000_000.0),
        share("ashford", "2024", 1_010.0, 5_000.0),
        share("dover", "2024", 1_400.0, 5_000.0),
        share("medway", "2024", 3_000.0, 20_000.0),
        share("swale", "2024", 430.0, 2_000.0),
        share("thanet", "2024", 650.0, 3_000.0),
        // An older period and a breakdown are not on the funnel.
        share("dover", "2023", 10.0, 5_000.0),
        by_sex(share("dover", "2024", 1.0, 5.0)),
    ]
}

fn by_sex(mut o: Observation) -> Observation {
    o.key.breakdown = "sex=Female".into();
    o
}

fn curve(curves: &[LimitCurve], level: LimitLevel, upper: bool) -> &LimitCurve {
    curves.iter().find(|c| c.level == level && c.upper == upper).expect("every limit is drawn")
}

/// The curve's value at x, by straight lines between its points.
fn at(c: &LimitCurve, x: f64) -> f64 {
    let k = c.points.iter().position(|p| p.0 >= x).expect("the curve spans the areas");
    let (x1, y1) = c.points[k];
    if k == 0 {
        return y1;
    }
    let (x0, y0) = c.points[k - 1];
    y0 + (y1 - y0) * (x - x0) / (x1 - x0)
}

#[test]
fn a_proportion_funnel_is_drawn_around_england_with_the_limits_of_assure_stats() {
    let f = by_area(Some(Method::Proportion), &proportions()).unwrap();
    assert_eq!(f.period, "2024");
    assert!(f.centre_is_england);
    assert!((f.centre - 20.0).abs() < 1e-12, "{}", f.centre);
    assert_eq!(f.limits.len(), 4);
    for (level, z) in [(LimitLevel::P95, ConfidenceLevel::p95().z()), (LimitLevel::P998, ConfidenceLevel::p998().z())] {
        for upper in [false, true] {
            let c = curve(&f.limits, level, upper);
            assert!(c.points.len() > 50, "{level:?} {upper}: {} points", c.points.len());
            for &(x, y) in &c.points {
                let expected = (proportion_limit(z, x, 0.2, upper) * 100.0).clamp(0.0, 100.0);
                assert!((y - expected).abs() < 1e-9, "{level:?} upper={upper} at {x}: {y} vs {expected}");
            }
            // The curve spans every area's denominator.
            assert!(c.points.first().unwrap().0 <= 2_000.0 && c.points.last().unwrap().0 >= 20_000.0);
        }
    }
    let names: Vec<&str> = f.areas.iter().map(|a| a.area.as_str()).collect();
    assert_eq!(names, ["ashford", "dover", "medway", "swale", "thanet"]);
    let position = |id: &str| f.areas.iter().find(|a| a.area == id).unwrap().position;
    // Dover: 28% of 5,000 against 20% is far beyond the 99.8% limit.
    assert_eq!(position("dover"), Position::Above998);
    assert_eq!(position("medway"), Position::Below998);
    assert_eq!(position("ashford"), Position::Within95);
    // Swale: 21.5% of 2,000; the 95% upper limit there is about 21.8%.
    assert_eq!(position("swale"), Position::Within95);
    // Thanet: 21.7% of 3,000, between the 95% (21.4%) and 99.8% (22.3%) upper limits.
    assert_eq!(position("thanet"), Position::Above95);
    let dover = f.areas.iter().find(|a| a.area == "dover").unwrap();
    assert_eq!((dover.numerator, dover.denominator), (1_400.0, Some(5_000.0)));
    assert!((dover.value - 28.0).abs() < 1e-12, "{}", dover.value);
    assert_eq!(position("dover").describe(), "Above 99.8%");
}

#[test]
fn each_area_lies_where_its_position_says_against_the_curves() {
    let mut rows = vec![share("england", "2024", 200_000.0, 1_000_000.0)];
    // From far below to far above 20%, at several sizes.
    for (k, n) in [800.0_f64, 3_000.0, 12_000.0].into_iter().enumerate() {
        for (j, p) in [0.14, 0.17, 0.185, 0.2, 0.215, 0.23, 0.27].into_iter().enumerate() {
            rows.push(share(&format!("area-{k}-{j}"), "2024", (p * n).round(), n));
        }
    }
    let f = by_area(Some(Method::Proportion), &rows).unwrap();
    let mut seen = std::collections::HashSet::new();
    for a in &f.areas {
        let x = a.denominator.unwrap();
        let (lo95, hi95) =
            (at(curve(&f.limits, LimitLevel::P95, false), x), at(curve(&f.limits, LimitLevel::P95, true), x));
        let (lo998, hi998) =
            (at(curve(&f.limits, LimitLevel::P998, false), x), at(curve(&f.limits, LimitLevel::P998, true), x));
        // The curves are straight between points 1% apart: allow for that.
        let tol = 0.02;
        match a.position {
            Position::Above998 => assert!(a.value > hi998 - tol, "{a:?} {hi998}"),
            Position::Above95 => assert!(a.value > hi95 - tol && a.value <= hi998 + tol, "{a:?}"),
            Position::Within95 => assert!(lo95 - tol <= a.value && a.value <= hi95 + tol, "{a:?} {lo95} {hi95}"),
            Position::Below95 => assert!(a.value < lo95 + tol && a.value >= lo998 - tol, "{a:?}"),
            Position::Below998 => assert!(a.value < lo998 + tol, "{a:?}"),
            Position::NotApplicable => panic!("a proportion is always placed"),
        }
        seen.insert(format!("{:?}", a.position));
    }
    assert_eq!(seen.len(), 5, "every position occurs: {seen:?}");
}

#[test]
fn a_crude_rate_funnel_uses_poisson_limits_on_the_events() {
    let rate = |area: &str, x: f64, n: f64| obs(area, "2024/25", Some(x), Some(n), x / n * 100_000.0);
    let rows = vec![
        rate("england", 285_000.0, 57_000_000.0),
        rate("ashford", 640.0, 130_000.0),
        rate("dover", 900.0, 120_000.0),
        rate("kent", 7_900.0, 1_590_000.0),
    ];
    let f = by_area(Some(Method::CrudeRate), &rows).unwrap();
    assert!((f.centre - 500.0).abs() < 1e-9);
    let dover = f.areas.iter().find(|a| a.area == "dover").unwrap();
    assert_eq!(dover.denominator, Some(120_000.0));
    assert_eq!(dover.position, Position::Above998);
    // 750 per 100,000: even the lower 99.8% limit of 900 events is above England's rate.
    let lower = count_limits(900.0, &ConfidenceLevel::p998()).lower / 120_000.0 * 100_000.0;
    assert!(lower > 500.0, "{lower}");
    let ashford = f.areas.iter().find(|a| a.area == "ashford").unwrap();
    assert_eq!(ashford.position, Position::Within95);
    // The upper 95% curve is above the centre, the lower below, and they close in.
    let hi = curve(&f.limits, LimitLevel::P95, true);
    let lo = curve(&f.limits, LimitLevel::P95, false);
    assert!(at(hi, 130_000.0) > 500.0 && at(lo, 130_000.0) < 500.0);
    assert!(at(hi, 1_000_000.0) - at(lo, 1_000_000.0) < at(hi, 130_000.0) - at(lo, 130_000.0));
}

#[test]
fn a_dsr_from_fewer_than_10_events_is_listed_but_not_placed() {
    let rows = vec![
        obs("england", "2024", Some(500_000.0), None, 600.0),
        obs("ashford", "2024", Some(800.0), None, 610.0),
        obs("dover", "2024", Some(7.0), None, 900.0),
        obs("swale", "2024", Some(1_200.0), None, 800.0),
    ];
    let f = by_area(Some(Method::DirectlyStandardisedRate), &rows).unwrap();
    let dover = f.areas.iter().find(|a| a.area == "dover").unwrap();
    assert_eq!((dover.denominator, dover.position), (None, Position::NotApplicable));
    let swale = f.areas.iter().find(|a| a.area == "swale").unwrap();
    // The population the rate implies: 100,000 × 1,200 / 800.
    assert_eq!(swale.denominator, Some(150_000.0));
    assert_eq!(swale.position, Position::Above998);
}

#[test]
fn without_england_the_centre_is_the_areas_average() {
    let rows = vec![share("ashford", "2024", 100.0, 1_000.0), share("dover", "2024", 300.0, 1_000.0)];
    let f = by_area(Some(Method::Proportion), &rows).unwrap();
    assert!(!f.centre_is_england);
    assert!((f.centre - 20.0).abs() < 1e-12);
}

#[test]
fn methods_without_events_in_a_population_have_no_funnel_and_say_why() {
    let rows = proportions();
    for m in [Method::Mean, Method::Count, Method::Reported] {
        let e = by_area(Some(m), &rows).unwrap_err();
        assert_eq!(e, NoFunnel::Method(m));
        assert!(e.to_string().contains(m.label()), "{e}");
    }
    assert_eq!(by_area(None, &rows).unwrap_err(), NoFunnel::NotMeasured);
    let mut rows = proportions();
    rows[2].numerator = None;
    let e = by_area(Some(Method::Proportion), &rows).unwrap_err();
    assert_eq!(e, NoFunnel::MissingCounts { areas: 1 });
    assert_eq!(
        e.to_string(),
        "No funnel plot: 1 area has a value without the numerator and denominator the control limits need."
    );
    let one = vec![share("england", "2024", 1.0, 5.0), share("dover", "2024", 1.0, 5.0)];
    assert_eq!(by_area(Some(Method::Proportion), &one).unwrap_err(), NoFunnel::TooFewAreas);
}
