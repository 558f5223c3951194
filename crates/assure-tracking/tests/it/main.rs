//! Indicator tracking: the status rule case by case, imports mapped and checked, and
//! the illustrative data.

mod prepare;
mod status;
