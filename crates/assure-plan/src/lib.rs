//! The domain of Assure: a Shared Delivery Plan as data.
//!
//! A plan is a directory of human-editable TOML files (see [`PLAN_FILES`]); [`load`]
//! reads them into a [`Plan`], checking syntax, schema, identifiers, references,
//! periods and targets, and reports every problem as `file:line:column: message`.
//! The Kent and Medway Shared Delivery Plan 2024–2026 is bundled ([`bundled`]).
//! [`query`] answers the questions a programme officer asks of a plan; [`diff`] says
//! what changed between two versions of it; [`write`] writes a plan back out as files.

/// Calls `$m!` with the names of the plan files, in reading order: the one list of them.
macro_rules! plan_files {
    ($m:ident) => {
        $m!(
            "plan.toml",
            "outcomes.toml",
            "commitments.toml",
            "delivering_plans.toml",
            "organisations.toml",
            "indicators.toml",
            "delivery_examples.toml",
            "enablers.toml",
            "places.toml",
            "areas.toml"
        )
    };
}

pub mod areas_file;
pub mod delivery;
pub mod diagnostic;
pub mod diff;
pub mod fingertips;
pub mod load;
pub mod locate;
pub mod model;
pub mod observation;
pub mod period;
pub mod query;
pub mod spreadsheet;
pub mod write;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use load::{LoadError, PLAN_FILES, PlanFile, load, load_dir, read_dir};
pub use model::*;
pub use period::{Period, PeriodError};
pub use write::{WriteDirError, WriteError, to_files, write_dir};

/// The name of the bundled plan's directory under `data/`.
pub const BUNDLED_PLAN: &str = "kent-and-medway-2024-26";

/// The files of the bundled Kent and Medway plan, compiled into the binary.
pub fn bundled_files() -> Vec<PlanFile> {
    macro_rules! include_plan {
        ($($name:literal),*) => {
            [$(($name, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/kent-and-medway-2024-26/", $name)))),*]
        };
    }
    let files = plan_files!(include_plan);
    files
        .into_iter()
        .map(|(name, text)| PlanFile { name: format!("data/{BUNDLED_PLAN}/{name}"), text: text.to_owned() })
        .collect()
}

/// The bundled Kent and Medway Shared Delivery Plan 2024–2026.
pub fn bundled() -> Result<Plan, LoadError> {
    load(&bundled_files())
}

/// The text of a source document bundled with Assure, by file name (a plan's
/// `source`), so that every item's `line` can be shown in context.
pub fn bundled_source(name: &str) -> Option<&'static str> {
    const SOURCES: &[(&str, &str)] = &[(
        "002_430415334f109560.txt",
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/sources/002_430415334f109560.txt")),
    )];
    SOURCES.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}
