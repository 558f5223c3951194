//! Indicator tracking: the status rule case by case, imports mapped and checked, and
//! the illustrative data.

mod demo;
mod funnel;
mod prepare;
mod status;
