//! Indicator data into the store: one pipeline for `assure data import`, the upload
//! page and the illustrative dataset. A file is read in whichever layout its header
//! shows (Fingertips "all data" or Assure's), mapped to the plan's indicators and areas,
//! completed from counts, checked whole, and stored in one transaction with the record
//! of the import; any problem and nothing is written.

use std::collections::HashMap;
use std::path::Path;

use assure_store::{DataFile, ImportMode, ObservationImport, StoreError};
use assure_tracking::{PrepareOptions, TrackingError};

use crate::{App, AppError};

/// Where the rows come from.
#[derive(Debug, Clone)]
pub enum DataSource {
    /// A CSV file's bytes; `name` is how messages name it (a path, or an uploaded file's
    /// name), and its last component is recorded with the import.
    File {
        /// The file as messages name it.
        name: String,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// The deterministic illustrative dataset for every indicator and area (marked as
    /// such wherever it is shown).
    Illustrative,
}

/// An import to make.
#[derive(Debug, Clone)]
pub struct DataImportRequest {
    /// The plan whose indicators these are.
    pub plan_id: String,
    /// The rows.
    pub source: DataSource,
    /// Fingertips indicator ids mapped to plan indicators, beyond those the plan maps.
    pub map: HashMap<u32, String>,
    /// Leave out rows for areas that are neither the plan's nor England (counted).
    pub skip_unknown_areas: bool,
    /// Leave out rows of Fingertips indicators not mapped to the plan (counted).
    pub skip_unmapped: bool,
    /// Insert only (refuse rows already stored), or merge.
    pub mode: ImportMode,
    /// Who is importing, for the record and the audit log.
    pub actor: String,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct DataImported {
    /// The file as recorded.
    pub file: String,
    /// The plan.
    pub plan_id: String,
    /// What the store did: rows new, replaced, unchanged, and the import's number.
    pub import: ObservationImport,
    /// Rows left out on request.
    pub skipped: u64,
    /// Rows whose value or interval was computed from their counts.
    pub computed: u64,
}

impl DataImported {
    /// What happened to the rows, in words both faces show: "2 new, 0 replaced, 1
    /// unchanged, 0 skipped; 2 computed from counts (import #7)".
    pub fn counts(&self) -> String {
        format!(
            "{} new, {} replaced, {} unchanged, {} skipped; {} computed from counts (import #{})",
            self.import.inserted,
            self.import.replaced,
            self.import.unchanged,
            self.skipped,
            self.computed,
            self.import.import_id
        )
    }
}

/// Read one Fingertips mapping, `ID=INDICATOR` (e.g. `93085=smoking-at-time-of-delivery`).
pub fn parse_mapping(text: &str) -> Result<(u32, String), String> {
    text.split_once('=')
        .and_then(|(id, i)| Some((id.trim().parse::<u32>().ok()?, i.trim().to_owned())))
        .filter(|(_, i)| !i.is_empty())
        .ok_or_else(|| format!("'{}': write ID=INDICATOR, e.g. 93085=smoking-at-time-of-delivery", text.trim()))
}

impl App {
    /// Read, map, check and store indicator data in one transaction (see the module).
    pub fn import_data(&self, request: &DataImportRequest) -> Result<DataImported, AppError> {
        let plan = self.store.plan(&request.plan_id)?;
        let options = PrepareOptions {
            map: request.map.clone(),
            skip_unknown_areas: request.skip_unknown_areas,
            skip_unmapped: request.skip_unmapped,
            illustrative: matches!(request.source, DataSource::Illustrative),
        };
        let (shown, mut file, rows) = match &request.source {
            DataSource::File { name, bytes } => {
                let (format, rows) = assure_plan::fingertips::read_any(bytes, name)
                    .map_err(|problems| AppError::InvalidFile { file: name.clone(), problems })?;
                let recorded = Path::new(name).file_name().map_or(name.clone(), |f| f.to_string_lossy().into_owned());
                let file = DataFile {
                    name: recorded,
                    checksum: DataFile::checksum_of(bytes),
                    format: format.to_owned(),
                    skipped: 0,
                };
                (name.clone(), file, rows)
            }
            DataSource::Illustrative => {
                let rows = assure_tracking::demo::generate(&plan);
                let file = DataFile {
                    name: "assure demo-data".to_owned(),
                    checksum: DataFile::checksum_of(format!("{rows:?}").as_bytes()),
                    format: "demo".to_owned(),
                    skipped: 0,
                };
                (file.name.clone(), file, rows)
            }
        };
        let prepared = assure_tracking::prepare(&plan, rows, &file.name, &options).map_err(|e| match e {
            TrackingError::Invalid(problems) => AppError::InvalidFile { file: shown.clone(), problems },
            TrackingError::UnknownMapTargets(targets) => AppError::UnknownMapTargets(targets),
        })?;
        file.skipped = prepared.skipped;
        let import = self
            .store
            .import_observations(&request.plan_id, &prepared.rows, &file, request.mode, &request.actor)
            .map_err(|e| match e {
                StoreError::Observations(problems) => AppError::InvalidFile { file: shown.clone(), problems },
                e => e.into(),
            })?;
        Ok(DataImported {
            file: file.name,
            plan_id: request.plan_id.clone(),
            import,
            skipped: prepared.skipped,
            computed: prepared.computed,
        })
    }
}
