//! Fingertips sources an admin sets up (one "all data" query each, refreshed daily or
//! weekly into a plan) and their runs.
//!
//! A run is claimed as a job's slot is (see `jobs.rs`): a row `(source, slot)` inserted
//! only if absent, so that several servers on one database fetch a source once per slot;
//! it is then finished with the rows it read and the data import it made, or why it
//! failed. Removing a source removes its runs; both are audited.

use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::sql::{Row, Value, returned_id};
use crate::{Store, StoreError, now};

/// How often a source is fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Refresh {
    /// Once a UTC day.
    Daily,
    /// Once an ISO week.
    Weekly,
}

impl Refresh {
    /// `daily` or `weekly`.
    pub fn parse(text: &str) -> Option<Refresh> {
        match text.trim().to_ascii_lowercase().as_str() {
            "daily" => Some(Refresh::Daily),
            "weekly" => Some(Refresh::Weekly),
            _ => None,
        }
    }

    /// As stored and typed: `daily`, `weekly`.
    pub fn as_str(self) -> &'static str {
        match self {
            Refresh::Daily => "daily",
            Refresh::Weekly => "weekly",
        }
    }
}

/// A Fingertips source: what to fetch, into which plan, how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewFingertipsSource {
    /// The plan the data is imported into.
    pub plan_id: String,
    /// Fingertips' indicator id (e.g. 93085).
    pub indicator_id: u32,
    /// The area type of the rows (e.g. 502, upper-tier local authorities).
    pub area_type_id: u32,
    /// The parent area type (e.g. 15, England).
    pub parent_area_type_id: u32,
    /// Only the children of this parent area, if given (e.g. E12000008).
    pub parent_area_code: Option<String>,
    /// How often.
    pub every: Refresh,
}

/// A stored Fingertips source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FingertipsSource {
    /// Its number.
    pub id: i64,
    /// The plan, the query and how often.
    #[serde(flatten)]
    pub source: NewFingertipsSource,
    /// When it was added (RFC 3339).
    pub created_at: String,
    /// Who added it.
    pub created_by: String,
}

/// One run of a source, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FingertipsRun {
    /// The source.
    pub source_id: i64,
    /// The slot it ran for (`2026-12-03`, `2026-W49`).
    pub slot: String,
    /// The address fetched.
    pub url: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Which server ran it.
    pub runner: String,
    /// When it finished, if it has.
    pub finished_at: Option<String>,
    /// Rows read from the answer, when it was imported.
    pub rows: Option<u64>,
    /// The data import it made.
    pub import_id: Option<i64>,
    /// What it did, in one line, or why it failed.
    pub outcome: Option<String>,
    /// Whether it failed.
    pub failed: bool,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunEnd<'a> {
    /// Rows read, when imported.
    pub rows: Option<u64>,
    /// The data import made.
    pub import_id: Option<i64>,
    /// What it did, or why it failed.
    pub outcome: &'a str,
    /// Whether it failed.
    pub failed: bool,
}

const SOURCE_COLUMNS: &str = "id, plan_id, indicator_id, area_type_id, parent_area_type_id, parent_area_code, every, \
                              created_at, created_by";

fn id_column(r: &Row, i: usize) -> Result<u32, StoreError> {
    u32::try_from(r.int(i)?).map_err(|_| r.corrupt(i, "a Fingertips id"))
}

fn source_from(r: &Row) -> Result<FingertipsSource, StoreError> {
    Ok(FingertipsSource {
        id: r.int(0)?,
        source: NewFingertipsSource {
            plan_id: r.text(1)?,
            indicator_id: id_column(r, 2)?,
            area_type_id: id_column(r, 3)?,
            parent_area_type_id: id_column(r, 4)?,
            parent_area_code: Some(r.text(5)?).filter(|c| !c.is_empty()),
            every: r.parsed(6, "daily or weekly", Refresh::parse)?,
        },
        created_at: r.text(7)?,
        created_by: r.text(8)?,
    })
}

/// Fingertips sources and their runs.
impl Store {
    /// Add a source (audited). The same query for the same plan twice is refused.
    pub fn add_fingertips_source(
        &self,
        source: &NewFingertipsSource,
        actor: &str,
    ) -> Result<FingertipsSource, StoreError> {
        self.pool.write(|tx| {
            let code = source.parent_area_code.clone().unwrap_or_default();
            let same = tx.query(
                "SELECT id FROM fingertips_source WHERE plan_id = $1 AND indicator_id = $2 AND area_type_id = $3 \
                 AND parent_area_type_id = $4 AND parent_area_code = $5",
                &[
                    source.plan_id.as_str().into(),
                    Value::Int(source.indicator_id.into()),
                    Value::Int(source.area_type_id.into()),
                    Value::Int(source.parent_area_type_id.into()),
                    code.as_str().into(),
                ],
            )?;
            if !same.is_empty() {
                return Err(StoreError::Rejected {
                    field: "indicator",
                    message: format!(
                        "indicator {} for area type {} (parent area type {}{}) is already fetched into plan '{}'",
                        source.indicator_id,
                        source.area_type_id,
                        source.parent_area_type_id,
                        source.parent_area_code.as_deref().map(|c| format!(", parent area {c}")).unwrap_or_default(),
                        source.plan_id
                    ),
                });
            }
            let at = now();
            let rows = tx.rows(
                "fingertips_source",
                &format!(
                    "INSERT INTO fingertips_source (plan_id, indicator_id, area_type_id, parent_area_type_id, \
                     parent_area_code, every, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     RETURNING {SOURCE_COLUMNS}"
                ),
                &[
                    source.plan_id.as_str().into(),
                    Value::Int(source.indicator_id.into()),
                    Value::Int(source.area_type_id.into()),
                    Value::Int(source.parent_area_type_id.into()),
                    code.as_str().into(),
                    source.every.as_str().into(),
                    at.as_str().into(),
                    actor.into(),
                ],
            )?;
            let id = returned_id(&rows, "Fingertips source")?;
            let stored = source_from(&rows[0])?;
            let after = serde_json::to_string(&stored.source).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            audit::record(
                tx,
                &NewEntry {
                    at: &at,
                    actor,
                    action: "create",
                    entity: "fingertips_source",
                    entity_id: &id.to_string(),
                    plan_id: Some(&source.plan_id),
                    before: None,
                    after: Some(&after),
                },
            )?;
            Ok(stored)
        })
    }

    /// Remove a source and its runs (audited).
    pub fn remove_fingertips_source(&self, id: i64, actor: &str) -> Result<FingertipsSource, StoreError> {
        self.pool.write(|tx| {
            let rows = tx.rows(
                "fingertips_source",
                &format!("SELECT {SOURCE_COLUMNS} FROM fingertips_source WHERE id = $1"),
                &[Value::Int(id)],
            )?;
            let source = match rows.first() {
                Some(r) => source_from(r)?,
                None => return Err(StoreError::NoSuchRecord { what: "Fingertips source", id }),
            };
            tx.execute("DELETE FROM fingertips_run WHERE source_id = $1", &[Value::Int(id)])?;
            tx.execute("DELETE FROM fingertips_source WHERE id = $1", &[Value::Int(id)])?;
            let before = serde_json::to_string(&source.source).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            audit::record(
                tx,
                &NewEntry {
                    at: &now(),
                    actor,
                    action: "delete",
                    entity: "fingertips_source",
                    entity_id: &id.to_string(),
                    plan_id: Some(&source.source.plan_id),
                    before: Some(&before),
                    after: None,
                },
            )?;
            Ok(source)
        })
    }

    /// Every source, oldest first.
    pub fn fingertips_sources(&self) -> Result<Vec<FingertipsSource>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows("fingertips_source", &format!("SELECT {SOURCE_COLUMNS} FROM fingertips_source ORDER BY id"), &[])
        })?;
        rows.iter().map(source_from).collect()
    }

    /// Claim a source's slot for this server (`runner`), fetching `url`. `true`: claimed,
    /// fetch it now; `false`: another server (or an earlier run) has it.
    pub fn claim_fingertips_run(
        &self,
        source_id: i64,
        slot: &str,
        url: &str,
        runner: &str,
    ) -> Result<bool, StoreError> {
        self.pool.write(|tx| {
            let inserted = tx.execute(
                "INSERT INTO fingertips_run (source_id, slot, url, started_at, runner) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (source_id, slot) DO NOTHING",
                &[Value::Int(source_id), slot.into(), url.into(), now().as_str().into(), runner.into()],
            )?;
            Ok(inserted == 1)
        })
    }

    /// Record how a claimed run ended.
    pub fn finish_fingertips_run(&self, source_id: i64, slot: &str, end: &RunEnd<'_>) -> Result<(), StoreError> {
        self.pool.write(|tx| {
            tx.execute(
                "UPDATE fingertips_run SET finished_at = $1, rows_read = $2, import_id = $3, outcome = $4, \
                 failed = $5 WHERE source_id = $6 AND slot = $7",
                &[
                    now().as_str().into(),
                    end.rows.map_or(Value::Null, |n| Value::Int(n as i64)),
                    end.import_id.map_or(Value::Null, Value::Int),
                    end.outcome.into(),
                    Value::Bool(end.failed),
                    Value::Int(source_id),
                    slot.into(),
                ],
            )?;
            Ok(())
        })
    }

    /// The latest runs of every source, newest first (at most `limit`).
    pub fn fingertips_runs(&self, limit: u32) -> Result<Vec<FingertipsRun>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "fingertips_run",
                "SELECT source_id, slot, url, started_at, runner, finished_at, rows_read, import_id, outcome, failed \
                 FROM fingertips_run ORDER BY started_at DESC, slot DESC, source_id LIMIT $1",
                &[i64::from(limit).into()],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(FingertipsRun {
                    source_id: r.int(0)?,
                    slot: r.text(1)?,
                    url: r.text(2)?,
                    started_at: r.text(3)?,
                    runner: r.text(4)?,
                    finished_at: r.opt_text(5)?,
                    rows: r.opt_int(6)?.map(|n| n.max(0) as u64),
                    import_id: r.opt_int(7)?,
                    outcome: r.opt_text(8)?,
                    failed: r.bool(9)?,
                })
            })
            .collect()
    }
}
