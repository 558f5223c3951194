//! Confidence limits for a count of events assumed Poisson.

use crate::level::{EXACT_BELOW, exact_poisson};
use crate::{ConfidenceLevel, Interval};

/// Exact Poisson limits of a count `o ≥ 0`.
pub fn exact_limits(o: f64, level: &ConfidenceLevel) -> Interval {
    level.exact_table(o).unwrap_or_else(|| exact_poisson(o, level.confidence()))
}

/// Byar's approximation to the limits of a count `o > 0`.
pub fn byar_limits(o: f64, level: &ConfidenceLevel) -> Interval {
    let z = level.z();
    let lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * o.sqrt())).powi(3);
    let o1 = o + 1.0;
    let upper = o1 * (1.0 - 1.0 / (9.0 * o1) + z / (3.0 * o1.sqrt())).powi(3);
    Interval { lower, upper }
}

/// The limits of a count: exact below 10, Byar's from 10.
pub fn count_limits(o: f64, level: &ConfidenceLevel) -> Interval {
    if o < EXACT_BELOW { exact_limits(o, level) } else { byar_limits(o, level) }
}
