//! The use-cases, on both databases: importing data, recording updates, reports.

mod fingertips;
mod jobs;
mod streaming;
mod use_cases;
