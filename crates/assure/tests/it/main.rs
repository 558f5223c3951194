//! Integration tests of the `assure` binary, run as a person would run it, and the tidy checks.

mod browser;
mod cli;
mod crosscheck;
mod stats_cli;
mod store_cli;
mod tidy;
