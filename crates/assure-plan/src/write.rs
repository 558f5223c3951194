//! Writing a plan back out as plan-as-code: the inverse of [`crate::load`].
//!
//! The output is canonical: the same [`Plan`] always gives the same bytes, so an
//! export from the database can be compared byte for byte with the next one. The
//! hand-written comments of a source directory are not kept (they are not data);
//! everything else is, and [`crate::load`] reads the files back to an equal plan.

use serde::Serialize;

use crate::load::{
    AreasToml, CommitmentsToml, EnablersToml, ExamplesToml, IndicatorsToml, OrganisationsToml, OutcomesToml,
    PlacesToml, PlanToml, PlansToml,
};
use crate::{PLAN_FILES, Plan, PlanFile};

/// Why a plan could not be written as TOML (only values TOML cannot hold, such as NaN).
#[derive(Debug, thiserror::Error)]
#[error("cannot write {file}: {source}")]
pub struct WriteError {
    /// The plan file being written.
    pub file: &'static str,
    /// What the TOML serialiser said.
    #[source]
    pub source: toml::ser::Error,
}

/// The plan as its files, in the order of [`PLAN_FILES`], named by file name only.
pub fn to_files(plan: &Plan) -> Result<Vec<PlanFile>, WriteError> {
    let p = plan.clone();
    let mut files = Vec::with_capacity(PLAN_FILES.len());
    let mut add = |name: &'static str, body: Result<String, toml::ser::Error>| -> Result<(), WriteError> {
        let body = body.map_err(|source| WriteError { file: name, source })?;
        let header = format!(
            "# {} — {name}\n# Written by `assure export`; check with `assure check DIR`, load with `assure import DIR`.\n\n",
            plan.meta.title
        );
        files.push(PlanFile { name: name.to_owned(), text: header + &body });
        Ok(())
    };
    add("plan.toml", pretty(&PlanToml { plan: p.meta, fact: p.facts, governance: p.governance, section: p.sections }))?;
    add("outcomes.toml", pretty(&OutcomesToml { outcome: p.outcomes, priority: p.priorities }))?;
    add("commitments.toml", pretty(&CommitmentsToml { commitment: p.commitments }))?;
    add("delivering_plans.toml", pretty(&PlansToml { plan: p.delivering_plans }))?;
    add("organisations.toml", pretty(&OrganisationsToml { organisation: p.organisations }))?;
    add("indicators.toml", pretty(&IndicatorsToml { indicator: p.indicators }))?;
    add("delivery_examples.toml", pretty(&ExamplesToml { example: p.delivery_examples }))?;
    add("enablers.toml", pretty(&EnablersToml { enabler: p.enablers }))?;
    add("places.toml", pretty(&PlacesToml { place: p.places }))?;
    add("areas.toml", pretty(&AreasToml { area: p.areas }))?;
    debug_assert!(files.iter().map(|f| f.name.as_str()).eq(PLAN_FILES.iter().copied()));
    Ok(files)
}

fn pretty<T: Serialize>(value: &T) -> Result<String, toml::ser::Error> {
    toml::to_string_pretty(value)
}

/// Write the plan's files into `dir` (created if missing), replacing files of the same names.
pub fn write_dir(plan: &Plan, dir: &std::path::Path) -> Result<(), WriteDirError> {
    let files = to_files(plan)?;
    std::fs::create_dir_all(dir).map_err(|source| WriteDirError::Io { path: dir.to_owned(), source })?;
    for f in files {
        let path = dir.join(&f.name);
        std::fs::write(&path, f.text).map_err(|source| WriteDirError::Io { path, source })?;
    }
    Ok(())
}

/// Why a plan directory could not be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteDirError {
    /// A value TOML cannot hold.
    #[error(transparent)]
    Toml(#[from] WriteError),
    /// The file system refused.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: std::path::PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}
