//! A straight-line trend fitted to a series by least squares, and its projection to a
//! later time with a prediction interval (Student's t with n − 2 degrees of freedom).

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::{ConfidenceLevel, Interval, StatsError, finite};

/// A least-squares line `value = intercept + slope · time`.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    /// Change per unit of time.
    pub slope: f64,
    /// Value at time zero.
    pub intercept: f64,
    /// Number of points fitted.
    pub points: usize,
    /// Residual standard error (`√(SSE / (n − 2))`).
    pub residual_se: f64,
    mean_time: f64,
    sxx: f64,
}

/// Fit a line to `(time, value)` points. Needs at least three points at two or more
/// distinct times (with two, a line fits exactly and says nothing about its uncertainty).
pub fn linear_trend(points: &[(f64, f64)]) -> Result<Trend, StatsError> {
    let n = points.len();
    if n < 3 {
        return Err(StatsError::TooFewValues(n));
    }
    for &(t, v) in points {
        finite(t, "time")?;
        finite(v, "value")?;
    }
    let k = n as f64;
    let mean_time = points.iter().map(|p| p.0).sum::<f64>() / k;
    let mean_value = points.iter().map(|p| p.1).sum::<f64>() / k;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_time).powi(2)).sum();
    if sxx <= 0.0 {
        return Err(StatsError::TooFewValues(1));
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_time) * (p.1 - mean_value)).sum();
    let slope = sxy / sxx;
    let intercept = mean_value - slope * mean_time;
    let sse: f64 = points.iter().map(|p| (p.1 - intercept - slope * p.0).powi(2)).sum();
    Ok(Trend { slope, intercept, points: n, residual_se: (sse / (k - 2.0)).sqrt(), mean_time, sxx })
}

impl Trend {
    /// The fitted value at `time`.
    pub fn at(&self, time: f64) -> f64 {
        self.intercept + self.slope * time
    }

    /// The interval within which a new value at `time` is expected to fall with the given
    /// confidence: `ŷ ± t · s · √(1 + 1/n + (x − x̄)² / Sxx)`.
    pub fn prediction(&self, time: f64, level: &ConfidenceLevel) -> Interval {
        let n = self.points as f64;
        let y = self.at(time);
        let t = StudentsT::new(0.0, 1.0, n - 2.0)
            .map(|d| d.inverse_cdf(1.0 - (1.0 - level.confidence()) / 2.0))
            .unwrap_or(f64::INFINITY);
        let half = t * self.residual_se * (1.0 + 1.0 / n + (time - self.mean_time).powi(2) / self.sxx).sqrt();
        Interval { lower: y - half, upper: y + half }
    }
}
