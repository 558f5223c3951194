//! The use-cases, on both databases: importing data, recording updates, reports.

mod use_cases;
