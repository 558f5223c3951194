//! Scheduled jobs' runs: the claim that makes a job run once per time slot across every
//! server on one database, and what each run did.
//!
//! A claim is a row `(name, slot)` in `job_run`, inserted only if absent: the server whose
//! insert lands runs the job; the others see it taken and go on. A run that fails keeps
//! its row, marked failed with the message, so it is not retried in the same slot (a
//! failing job does not run again every minute) and shows in `assure jobs list`.

use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::sql::Value;
use crate::{Store, StoreError, now};

/// One run of a scheduled job, as recorded.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JobRecord {
    /// The job's name (`engagement-purge` …).
    pub name: String,
    /// The time slot it ran for (`2026-12-03`, `2026-12-03T09`, `2026-W49`).
    pub slot: String,
    /// When a server claimed it (RFC 3339, UTC).
    pub claimed_at: String,
    /// Which server: host and process.
    pub claimed_by: String,
    /// When it finished, if it has.
    pub finished_at: Option<String>,
    /// What it did, in one line, or why it failed.
    pub outcome: Option<String>,
    /// Whether it failed.
    pub failed: bool,
}

/// Scheduled jobs.
impl Store {
    /// Claim a job's slot for this server (`by`). `true`: claimed, run it now; `false`:
    /// another server (or an earlier run) has it.
    pub fn claim_job(&self, name: &str, slot: &str, by: &str) -> Result<bool, StoreError> {
        self.pool.write(|tx| {
            let at = now();
            let inserted = tx.execute(
                "INSERT INTO job_run (name, slot, claimed_at, claimed_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (name, slot) DO NOTHING",
                &[name.into(), slot.into(), at.as_str().into(), by.into()],
            )?;
            if inserted == 1 {
                audit::record(
                    tx,
                    &NewEntry {
                        at: &at,
                        actor: by,
                        action: "claim",
                        entity: "job",
                        entity_id: &format!("{name}:{slot}"),
                        plan_id: None,
                        before: None,
                        after: None,
                    },
                )?;
            }
            Ok(inserted == 1)
        })
    }

    /// Record how a claimed run ended: its one-line outcome, or the failure.
    pub fn finish_job(&self, name: &str, slot: &str, by: &str, outcome: &str, failed: bool) -> Result<(), StoreError> {
        self.pool.write(|tx| {
            let at = now();
            tx.execute(
                "UPDATE job_run SET finished_at = $1, outcome = $2, failed = $3 WHERE name = $4 AND slot = $5",
                &[at.as_str().into(), outcome.into(), Value::Bool(failed), name.into(), slot.into()],
            )?;
            let after = serde_json::json!({ "outcome": outcome, "failed": failed }).to_string();
            audit::record(
                tx,
                &NewEntry {
                    at: &at,
                    actor: by,
                    action: if failed { "fail" } else { "finish" },
                    entity: "job",
                    entity_id: &format!("{name}:{slot}"),
                    plan_id: None,
                    before: None,
                    after: Some(&after),
                },
            )
        })
    }

    /// The latest runs, newest first (at most `limit`).
    pub fn job_runs(&self, limit: u32) -> Result<Vec<JobRecord>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "job_run",
                "SELECT name, slot, claimed_at, claimed_by, finished_at, outcome, failed FROM job_run \
                 ORDER BY claimed_at DESC, name LIMIT $1",
                &[i64::from(limit).into()],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(JobRecord {
                    name: r.text(0)?,
                    slot: r.text(1)?,
                    claimed_at: r.text(2)?,
                    claimed_by: r.text(3)?,
                    finished_at: r.opt_text(4)?,
                    outcome: r.opt_text(5)?,
                    failed: r.bool(6)?,
                })
            })
            .collect()
    }
}
