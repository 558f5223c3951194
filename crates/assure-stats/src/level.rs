//! A confidence level with what is computed once for it: z, and exact Poisson limits for small counts.

use statrs::distribution::{ChiSquared, Continuous, ContinuousCDF, Normal};

use crate::{Interval, StatsError};

/// z for 95% (Φ⁻¹(0.975)), which the life table's suppression rule and the SII's standard
/// errors use whatever levels are asked for.
pub(crate) const Z_95: f64 = 1.959963984540054;

/// Counts below this use exact Poisson limits; from here on, Byar's approximation.
pub(crate) const EXACT_BELOW: f64 = 10.0;

/// A confidence level (e.g. 0.95, 0.998) with its z value and a table of exact limits for counts 0–9.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidenceLevel {
    confidence: f64,
    z: f64,
    exact: [Interval; 10],
}

impl ConfidenceLevel {
    /// A level strictly between 0 and 1.
    pub fn new(confidence: f64) -> Result<ConfidenceLevel, StatsError> {
        if !(confidence > 0.0 && confidence < 1.0) {
            return Err(StatsError::BadConfidence(confidence));
        }
        let normal = Normal::standard();
        let z = normal.inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
        let mut exact = [Interval { lower: 0.0, upper: 0.0 }; 10];
        for (o, slot) in exact.iter_mut().enumerate() {
            *slot = exact_poisson(o as f64, confidence);
        }
        Ok(ConfidenceLevel { confidence, z, exact })
    }

    /// The 95% level.
    pub fn p95() -> ConfidenceLevel {
        ConfidenceLevel::new(0.95).expect("0.95 is a valid level")
    }

    /// The 99.8% level.
    pub fn p998() -> ConfidenceLevel {
        ConfidenceLevel::new(0.998).expect("0.998 is a valid level")
    }

    /// The confidence, e.g. 0.95.
    pub fn confidence(&self) -> f64 {
        self.confidence
    }

    /// z = Φ⁻¹(1 − (1 − c)/2).
    pub fn z(&self) -> f64 {
        self.z
    }

    /// Exact limits from the table, for whole counts below 10.
    pub(crate) fn exact_table(&self, o: f64) -> Option<Interval> {
        (o.fract() == 0.0 && (0.0..EXACT_BELOW).contains(&o)).then(|| self.exact[o as usize])
    }

    /// A label for column names: `95`, `99_8`.
    pub fn label(&self) -> String {
        let pct = format!("{}", (self.confidence * 1000.0).round() / 10.0);
        pct.replace('.', "_")
    }
}

/// Exact Poisson limits: ½χ²_{α/2}(2O) and ½χ²_{1−α/2}(2O+2).
pub(crate) fn exact_poisson(o: f64, confidence: f64) -> Interval {
    let alpha = 1.0 - confidence;
    let lower = if o == 0.0 { 0.0 } else { chi_square_quantile(alpha / 2.0, 2.0 * o) / 2.0 };
    let upper = chi_square_quantile(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0;
    Interval { lower, upper }
}

/// The p-quantile of χ²(k): statrs' inverse, polished by Newton steps on the CDF, which
/// brings the upper tail from ~1e-10 to ~1e-15 relative accuracy.
fn chi_square_quantile(p: f64, k: f64) -> f64 {
    let Ok(d) = ChiSquared::new(k) else { return f64::NAN };
    let mut x = d.inverse_cdf(p);
    for _ in 0..3 {
        let (f, density) = if p > 0.5 { (p - (1.0 - d.sf(x)), d.pdf(x)) } else { (p - d.cdf(x), d.pdf(x)) };
        if density <= 0.0 || !density.is_finite() {
            break;
        }
        let step = f / density;
        x += step;
        if step.abs() <= x.abs() * 1e-16 {
            break;
        }
    }
    x
}
