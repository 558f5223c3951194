//! The statistics engine: reference values, edge cases, invariants and trends.

mod properties;
mod trend;
mod values;
