//! Means with Student's t intervals.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::{ConfidenceLevel, Estimate, Interval, StatsError, finite};

/// A mean with its sample standard deviation and intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct Mean {
    /// Number of values.
    pub count: usize,
    /// Sample standard deviation.
    pub std_dev: f64,
    /// The mean and its intervals.
    pub estimate: Estimate,
}

/// The mean of `values` with `x̄ ± |t_{α/2}(k−1)| · s / √k` per level. Needs at least two values.
pub fn mean(values: &[f64], levels: &[ConfidenceLevel]) -> Result<Mean, StatsError> {
    let k = values.len();
    if k < 2 {
        return Err(StatsError::TooFewValues(k));
    }
    for &v in values {
        finite(v, "value")?;
    }
    let n = k as f64;
    let m = values.iter().sum::<f64>() / n;
    let s = (values.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt();
    let t = StudentsT::new(0.0, 1.0, n - 1.0).map_err(|_| StatsError::TooFewValues(k))?;
    let intervals = levels
        .iter()
        .map(|l| {
            let half = t.inverse_cdf((1.0 - l.confidence()) / 2.0).abs() * s / n.sqrt();
            Interval { lower: m - half, upper: m + half }
        })
        .collect();
    Ok(Mean { count: k, std_dev: s, estimate: Estimate { value: m, intervals } })
}
