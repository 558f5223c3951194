//! Significance against a comparator (e.g. England), with Fingertips' labels.

use std::fmt;

use crate::Interval;

/// Which direction is better, as Fingertips polarities say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polarity {
    /// "RAG - High is good".
    HighIsGood,
    /// "RAG - Low is good".
    LowIsGood,
    /// "BOB" or "Not applicable": no judgement.
    NoJudgement,
}

/// The result of comparing an area with a comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// Significantly better.
    Better,
    /// Not significantly different.
    Similar,
    /// Significantly worse.
    Worse,
    /// Significantly higher (no polarity).
    Higher,
    /// Significantly lower (no polarity).
    Lower,
    /// No value or no interval to compare.
    NotCompared,
}

impl Comparison {
    /// Fingertips' label for the result ("Better", "Not compared", ...).
    pub fn label(self) -> &'static str {
        match self {
            Comparison::Better => "Better",
            Comparison::Similar => "Similar",
            Comparison::Worse => "Worse",
            Comparison::Higher => "Higher",
            Comparison::Lower => "Lower",
            Comparison::NotCompared => "Not compared",
        }
    }
}

impl fmt::Display for Comparison {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Compare the comparator value with the area's interval: lower limit above it → higher,
/// upper limit below it → lower, otherwise similar; with a polarity, better or worse.
pub fn compare(interval: Option<Interval>, comparator: Option<f64>, polarity: Polarity) -> Comparison {
    let (Some(i), Some(c)) = (interval, comparator) else { return Comparison::NotCompared };
    if !(i.lower.is_finite() && i.upper.is_finite() && c.is_finite()) {
        return Comparison::NotCompared;
    }
    let higher = if i.lower > c {
        Some(true)
    } else if i.upper < c {
        Some(false)
    } else {
        None
    };
    match (higher, polarity) {
        (None, _) => Comparison::Similar,
        (Some(true), Polarity::HighIsGood) | (Some(false), Polarity::LowIsGood) => Comparison::Better,
        (Some(true), Polarity::LowIsGood) | (Some(false), Polarity::HighIsGood) => Comparison::Worse,
        (Some(true), Polarity::NoJudgement) => Comparison::Higher,
        (Some(false), Polarity::NoJudgement) => Comparison::Lower,
    }
}
