//! The statistics engine: reference values, edge cases and invariants.

mod properties;
mod values;
