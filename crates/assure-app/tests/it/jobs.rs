//! The scheduled-job runner on SQLite and PostgreSQL: each job runs once per slot, however
//! many runners ask at once; a failure is recorded and does not stop the others.

use std::sync::atomic::{AtomicUsize, Ordering};

use assure_app::{App, AppError, Job, Schedule};
use assure_store::testing::databases;
use jiff::Timestamp;

static COUNTED: AtomicUsize = AtomicUsize::new(0);

fn count(_: &App, now: Timestamp) -> Result<String, AppError> {
    COUNTED.fetch_add(1, Ordering::SeqCst);
    Ok(format!("counted at {now}"))
}

fn fail(_: &App, _: Timestamp) -> Result<String, AppError> {
    Err(AppError::Forbidden("the job could not reach what it needs".into()))
}

const DAILY: Job = Job { name: "count", schedule: Schedule::Daily, run: count };
const FAILING: Job = Job { name: "fail", schedule: Schedule::Hourly, run: fail };

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn a_job_runs_once_per_slot_and_a_failure_is_recorded() {
    for db in databases() {
        let app = App::new(db.open());
        let jobs = [FAILING, DAILY];
        let first = app.run_jobs(&jobs, at("2026-12-03T09:15:00Z")).unwrap();
        assert_eq!(first.len(), 2, "{}", db.name);
        assert_eq!(first[0].outcome, Err("the job could not reach what it needs".into()), "{}", db.name);
        assert_eq!(first[1].slot, "2026-12-03");
        assert!(first[1].outcome.as_ref().unwrap().starts_with("counted at 2026-12-03T09:15:00"), "{first:?}");

        // Later the same day: the daily job is done; the hourly one failed in its slot and
        // is not retried there, but runs in the next hour.
        assert!(app.run_jobs(&jobs, at("2026-12-03T09:59:00Z")).unwrap().is_empty(), "{}", db.name);
        let next_hour = app.run_jobs(&jobs, at("2026-12-03T10:00:00Z")).unwrap();
        assert_eq!(
            next_hour.iter().map(|r| (r.name, r.slot.as_str())).collect::<Vec<_>>(),
            [("fail", "2026-12-03T10")]
        );
        let next_day = app.run_jobs(&jobs, at("2026-12-04T00:00:01Z")).unwrap();
        assert_eq!(next_day.len(), 2, "{}", db.name);

        let recorded = app.store().job_runs(10).unwrap();
        assert_eq!(recorded.len(), 5, "{}: {recorded:?}", db.name);
        let failed = recorded.iter().filter(|r| r.failed).count();
        assert_eq!(failed, 3, "{}", db.name);
        assert!(recorded.iter().all(|r| r.finished_at.is_some() && r.claimed_by.starts_with("jobs@")));
        let audit =
            app.store().audit(&assure_store::AuditFilter { entity: Some("job".into()), ..Default::default() }).unwrap();
        assert_eq!(audit.len(), 10, "{}: a claim and an ending per run", db.name);
    }
}

static RACED: AtomicUsize = AtomicUsize::new(0);

fn race(_: &App, _: Timestamp) -> Result<String, AppError> {
    RACED.fetch_add(1, Ordering::SeqCst);
    std::thread::sleep(std::time::Duration::from_millis(50));
    Ok("ran".into())
}

#[test]
fn runners_asking_at_once_run_a_slot_once() {
    for db in databases() {
        let store = db.open();
        RACED.store(0, Ordering::SeqCst);
        let job = Job { name: "race", schedule: Schedule::Weekly, run: race };
        let runs: usize = std::thread::scope(|s| {
            let handles: Vec<_> = (0..6)
                .map(|_| {
                    let app = App::new(store.clone());
                    s.spawn(move || app.run_jobs(&[job], at("2026-12-03T09:00:00Z")).unwrap().len())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!((runs, RACED.load(Ordering::SeqCst)), (1, 1), "{}", db.name);
    }
}
