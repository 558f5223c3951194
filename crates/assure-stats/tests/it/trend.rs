//! Straight-line trends and their prediction intervals, against values worked by hand
//! (least squares and `t_{0.975}(3) = 3.182446305284263`).

use assure_stats::{ConfidenceLevel, StatsError, linear_trend};

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn fits_a_line_and_projects_it_with_a_prediction_interval() {
    let points = [(2019.0, 10.2), (2020.0, 9.8), (2021.0, 9.9), (2022.0, 9.1), (2023.0, 8.9)];
    let trend = linear_trend(&points).unwrap();
    assert!(close(trend.slope, -0.33, 1e-9), "{}", trend.slope);
    assert!(close(trend.residual_se, 0.21525179054619156, 1e-9), "{}", trend.residual_se);
    let at = trend.at(2028.5);
    assert!(close(at, 7.105, 1e-9), "{at}");
    let band = trend.prediction(2028.5, &ConfidenceLevel::p95());
    assert!(close(band.lower, 5.315386754186433, 1e-9), "{band:?}");
    assert!(close(band.upper, 8.894613245813604, 1e-9), "{band:?}");
    // Wider at 99.8%, and wider further from the data.
    let wide = trend.prediction(2028.5, &ConfidenceLevel::p998());
    assert!(wide.lower < band.lower && wide.upper > band.upper);
    let near = trend.prediction(2024.0, &ConfidenceLevel::p95());
    assert!(near.upper - near.lower < band.upper - band.lower);
}

#[test]
fn an_exact_line_has_no_spread() {
    let trend = linear_trend(&[(1.0, 2.0), (2.0, 4.0), (3.0, 6.0)]).unwrap();
    assert_eq!(trend.slope, 2.0);
    let band = trend.prediction(10.0, &ConfidenceLevel::p95());
    assert!(close(band.lower, 20.0, 1e-12) && close(band.upper, 20.0, 1e-12), "{band:?}");
}

#[test]
fn refuses_too_few_points_or_a_single_time() {
    assert_eq!(linear_trend(&[(1.0, 2.0), (2.0, 3.0)]), Err(StatsError::TooFewValues(2)));
    assert!(linear_trend(&[(1.0, 2.0), (1.0, 3.0), (1.0, 4.0)]).is_err());
    assert!(matches!(
        linear_trend(&[(1.0, 2.0), (2.0, f64::NAN), (3.0, 4.0)]),
        Err(StatsError::NotFinite { field: "value" })
    ));
}
