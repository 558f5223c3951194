//! What can be wrong with an input to a statistic.

/// Invalid input to a statistic, naming the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    /// NaN or infinite.
    #[error("{field} is not a finite number")]
    NotFinite {
        /// The field.
        field: &'static str,
    },
    /// Below zero.
    #[error("{field} is negative ({value})")]
    Negative {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// Zero or below where a positive number is needed.
    #[error("{field} must be greater than zero (got {value})")]
    NotPositive {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// More events than people.
    #[error("numerator ({numerator}) is greater than denominator ({denominator})")]
    NumeratorAboveDenominator {
        /// The numerator.
        numerator: f64,
        /// The denominator.
        denominator: f64,
    },
    /// A confidence level outside (0, 1).
    #[error("confidence level {0} is not between 0 and 1 (e.g. 0.95 or 0.998)")]
    BadConfidence(f64),
    /// Standardisation needs one value per band of the standard population.
    #[error("expected {expected} age bands, got {got}")]
    WrongBandCount {
        /// Bands in the standard.
        expected: usize,
        /// Bands given.
        got: usize,
    },
    /// A band with events but nobody in it.
    #[error("age band {band}: population is zero but {observed} events are recorded")]
    EmptyBand {
        /// The band.
        band: String,
        /// Events in it.
        observed: f64,
    },
    /// A band with no population, not allowed by the caller.
    #[error("age band {band}: population is zero")]
    ZeroPopulation {
        /// The band.
        band: String,
    },
    /// Expected count of zero in indirect standardisation.
    #[error("expected count is zero: no reference events in the bands with population")]
    ZeroExpected,
    /// Too few values for a mean's interval.
    #[error("a mean's interval needs at least 2 values (got {0})")]
    TooFewValues(usize),
    /// The slope index of inequality needs 5 to 100 quantiles.
    #[error("the slope index of inequality needs between 5 and 100 quantiles (got {0})")]
    QuantileCount(usize),
    /// Too few simulated repetitions for stable limits.
    #[error("at least 1000 repetitions are needed for the simulated limits (got {0})")]
    TooFewRepetitions(u32),
    /// A proportion (or its limit) outside (0, 1) where the logit needs it inside.
    #[error("{field} must be a proportion strictly between 0 and 1 (got {value})")]
    NotAProportion {
        /// The field.
        field: &'static str,
        /// Its value.
        value: f64,
    },
    /// Limits the wrong way round.
    #[error("lower limit {lower} is above the upper limit {upper}")]
    LowerAboveUpper {
        /// The lower limit.
        lower: f64,
        /// The upper limit.
        upper: f64,
    },
    /// A log/logit transform of something that is neither a rate nor a proportion.
    #[error("only rates and proportions can be transformed (log or logit) for the SII")]
    TransformNeedsRateOrProportion,
    /// A transformed SII works from 95% limits, not a standard error.
    #[error("a transformed SII needs each quantile's 95% limits (lower_95, upper_95), not a standard error")]
    TransformNeedsLimits,
}
