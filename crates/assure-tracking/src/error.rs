//! Why observations could not be prepared for a plan.

use assure_plan::Diagnostics;

/// Why [`crate::prepare`] refused a file's rows. Nothing of the file is returned with it.
#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    /// Fingertips indicator ids mapped (`--map ID=INDICATOR`, or the upload form's map) to
    /// ids that are not tracked indicators of the plan, in order of the Fingertips id.
    #[error("{}", unknown_map_targets(.0))]
    UnknownMapTargets(Vec<(u32, String)>),
    /// Rows with problems, each with its file, line and field.
    #[error("{0}")]
    Invalid(Diagnostics),
}

fn unknown_map_targets(targets: &[(u32, String)]) -> String {
    let lines: Vec<String> = targets
        .iter()
        .map(|(id, target)| format!("--map {id}={target}: '{target}' is not an indicator of the plan"))
        .collect();
    lines.join("\n")
}
