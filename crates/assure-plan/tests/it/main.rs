//! Integration tests of the plan model: the bundled data against its source document,
//! validation of broken plan directories, the queries, and fuzz targets run for a bounded time.

mod areas_file;
mod diagnostics;
mod diff;
mod fuzz;
mod queries;
mod refused_input;
mod source;
mod validation;
mod write;
