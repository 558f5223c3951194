//! The statistics engine: reference values, edge cases, invariants, trends, life expectancy and the SII.

mod life_expectancy;
mod properties;
mod sii;
mod trend;
mod values;
