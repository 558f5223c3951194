//! The use-cases, on both databases: importing data, recording updates, reports.

mod jobs;
mod use_cases;
