//! Integration tests of the plan model: the bundled data against its source document,
//! validation of broken plan directories, and the queries.

mod diagnostics;
mod diff;
mod queries;
mod refused_input;
mod source;
mod validation;
mod write;
