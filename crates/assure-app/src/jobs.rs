//! The scheduled jobs every feature needs (retention, reminder digests), run by one
//! runner: [`App::run_due_jobs`] runs each job of [`JOBS`] once per slot of its
//! [`Schedule`], claimed in the store first, so that several servers on one database run
//! each slot once between them. `assure serve` calls it every minute; `assure jobs run`
//! calls it once (with `--now` to run as at another time).

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::{App, AppError};

/// How often a job runs: once in each UTC hour, day or ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schedule {
    /// Once an hour (`2026-12-03T09`).
    Hourly,
    /// Once a day (`2026-12-03`).
    Daily,
    /// Once an ISO week (`2026-W49`).
    Weekly,
}

impl Schedule {
    /// The slot `now` falls in: a job runs once per slot.
    pub fn slot(self, now: Timestamp) -> String {
        let at = now.to_zoned_datetime(TimeZone::UTC);
        match self {
            Schedule::Hourly => format!("{}T{:02}", at.date(), at.hour()),
            Schedule::Daily => at.date().to_string(),
            Schedule::Weekly => {
                let week = at.date().iso_week_date();
                format!("{:04}-W{:02}", week.year(), week.week())
            }
        }
    }
}

/// One scheduled job.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// Its name, unique: what the store claims, and the logs and `assure jobs list` show.
    pub name: &'static str,
    /// How often it runs.
    pub schedule: Schedule,
    /// What it does, as at `now`; says what it did in one line.
    pub run: fn(&App, Timestamp) -> Result<String, AppError>,
}

/// Every scheduled job. A feature that needs one adds it here.
pub const JOBS: &[Job] = &[
    Job { name: "engagement-purge", schedule: Schedule::Daily, run: crate::voice::purge_job },
    Job { name: "round-reminders", schedule: Schedule::Hourly, run: crate::reminders::rounds_job },
    Job { name: "weekly-digest", schedule: Schedule::Weekly, run: crate::reminders::weekly_job },
    // Hourly: each source is fetched once in its own day or week (see `fingertips.rs`).
    Job { name: "fingertips-refresh", schedule: Schedule::Hourly, run: crate::fingertips::refresh_job },
];

/// What happened to one due job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    /// The job.
    pub name: &'static str,
    /// The slot it ran for.
    pub slot: String,
    /// What it did, or why it failed.
    pub outcome: Result<String, String>,
}

/// Scheduled jobs.
impl App {
    /// Run every job of [`JOBS`] whose slot for `now` no server has claimed yet.
    pub fn run_due_jobs(&self, now: Timestamp) -> Result<Vec<JobRun>, AppError> {
        self.run_jobs(JOBS, now)
    }

    /// Run each of `jobs` whose slot for `now` is unclaimed: claim it, run it, record how
    /// it ended. A job that fails is recorded as failed and does not stop the others;
    /// only a store that cannot record claims fails the whole run.
    pub fn run_jobs(&self, jobs: &[Job], now: Timestamp) -> Result<Vec<JobRun>, AppError> {
        let runner = runner();
        let mut runs = Vec::new();
        for job in jobs {
            let slot = job.schedule.slot(now);
            if !self.store.claim_job(job.name, &slot, &runner)? {
                continue;
            }
            let outcome = (job.run)(self, now).map_err(|e| e.to_string());
            let (said, failed) = match &outcome {
                Ok(said) => (said.as_str(), false),
                Err(why) => (why.as_str(), true),
            };
            self.store.finish_job(job.name, &slot, &runner, said, failed)?;
            runs.push(JobRun { name: job.name, slot, outcome });
        }
        Ok(runs)
    }
}

/// Which server runs a job: its host name and process id.
pub(crate) fn runner() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    format!("jobs@{host}:{}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_follow_the_utc_calendar() {
        let at: Timestamp = "2026-12-31T23:30:00Z".parse().unwrap();
        assert_eq!(Schedule::Hourly.slot(at), "2026-12-31T23");
        assert_eq!(Schedule::Daily.slot(at), "2026-12-31");
        // 31 December 2026 is a Thursday of ISO week 53 of 2026.
        assert_eq!(Schedule::Weekly.slot(at), "2026-W53");
        let next: Timestamp = "2027-01-04T00:00:00Z".parse().unwrap();
        assert_eq!(Schedule::Weekly.slot(next), "2027-W01");
    }
}
