//! A read-only disk under the SQLite server (#19 defect 6), made for real: the files are
//! made immutable with `chattr +i`, which stops root too (the tests run as root, for
//! whom `chmod` stops nothing). A read-only directory is named at start within a second;
//! a read-only database, `-wal` or `-shm` under a running server answers writes 503 with
//! `Retry-After` and says so in `/healthz`, and the server lives on and writes again once
//! the disk is writable.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use assure_web::testing::Browser;

fn assure(db: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("assure"));
    c.env_remove("DATABASE_URL").env("ASSURE_ACTOR", "operator").arg("--database").arg(db);
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A file or directory made immutable, made mutable again when dropped (or the temporary
/// directory could not be removed).
struct Immutable(PathBuf);

impl Immutable {
    /// `chattr +i PATH`; `None` (said loudly, and a failure under `CI=true`) where that
    /// is not allowed (not root, or a file system without the flag).
    fn set(path: &Path) -> Option<Immutable> {
        let out = Command::new("chattr").arg("+i").arg(path).output();
        match out {
            Ok(o) if o.status.success() => Some(Immutable(path.to_owned())),
            other => {
                let message = format!(
                    "cannot make {} immutable with chattr +i ({other:?}); the read-only disk test is SKIPPED",
                    path.display()
                );
                assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{message}, and CI=true requires it");
                eprintln!("\n*** WARNING: {message} ***\n");
                None
            }
        }
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_directory_is_named_at_start_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let db = data.join("assure.db");
    run(assure(&db).arg("plans"));
    let Some(_frozen) = Immutable::set(&data) else { return };
    // An existing database (whose -wal cannot be created) and a new one alike.
    for db in [db, data.join("new.db")] {
        let started = Instant::now();
        let out = assure(&db).arg("status").output().unwrap();
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: {stderr}", db.display());
        assert!(took < Duration::from_secs(1), "{}: took {took:?} to say: {stderr}", db.display());
        assert!(
            stderr.contains(&format!("{} cannot be written", data.display())) && stderr.contains("-wal"),
            "{}: the message names the directory and what SQLite needs of it: {stderr}",
            db.display()
        );
    }
}

#[test]
fn a_read_only_database_wal_or_shm_under_a_running_server_refuses_writes_and_the_server_lives_on() {
    // Which file is made read-only, and whether reads are still served: SQLite writes to
    // its mapping of the -shm even to read, so while that cannot be written reads wait too.
    for (suffix, reads_served) in [("-wal", true), ("-shm", false), ("", true)] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("assure.db");
        run(assure(&db).arg("plans"));
        crate::add_admin(assure(&db));
        let said = run(assure(&db).args(["token", "add", "--user", crate::ADMIN.0, "--name", "probe"]));
        let token = said.lines().nth(1).unwrap().trim().to_owned();
        let (mut server, base, _stderr) = crate::spawn_serve(assure(&db), "warn");
        // A new connection for each request: a refused write closes its connection
        // (its body may be unread), and the client need not know that.
        let client = || Browser::new(&base);
        let update = "/api/v1/milestones/move-together-active-kent-medway-strategy-m1/updates";
        let body = r#"{"status":"on_track","narrative":"Going as planned."}"#;
        let r = client().post_json(update, Some(&token), body);
        assert_eq!(r.status, 201, "{suffix}: {}", r.body);
        assert_eq!(
            client().get("/healthz").body,
            r#"{"status":"ok","database":"ok","changes":"told","plan":"kent-and-medway-2024-26"}"#,
            "{suffix}"
        );

        let file = PathBuf::from(format!("{}{suffix}", db.display()));
        assert!(file.exists(), "{} exists while the server runs", file.display());
        let Some(frozen) = Immutable::set(&file) else { return };
        // The change watch reads the data version (and looks at the -shm) at most every
        // SQLITE_FRESH: past that, it has seen the frozen file.
        std::thread::sleep(assure_store::SQLITE_FRESH * 4);
        for _ in 0..2 {
            let r = client().post_json(update, Some(&token), body);
            assert_eq!(r.status, 503, "{suffix}: a write is unavailable, not an error: {}", r.body);
            assert!(r.retry_after.is_some(), "{suffix}: 503 says when to retry");
            assert!(r.body.contains("the database is unavailable"), "{suffix}: the JSON envelope says why: {}", r.body);
        }
        let read = client().get("/api/v1/outcomes");
        let health = client().get("/healthz");
        if reads_served {
            assert_eq!(read.status, 200, "{suffix}: reads go on: {}", read.body);
            assert_eq!(health.status, 200, "{suffix}: {}", health.body);
            assert!(
                health.body.contains(r#""status":"degraded""#) && health.body.contains(r#""writes":"unavailable""#),
                "{suffix}: /healthz says writes are unavailable: {}",
                health.body
            );
            assert!(
                health.body.contains(&file.display().to_string()),
                "{suffix}: /healthz names the file: {}",
                health.body
            );
        } else {
            assert_eq!(read.status, 503, "{suffix}: {}", read.body);
            assert!(read.retry_after.is_some(), "{suffix}: 503 says when to retry");
            assert_eq!(health.status, 503, "{suffix}: {}", health.body);
            assert!(health.body.contains(r#""status":"unavailable""#), "{suffix}: {}", health.body);
        }
        assert!(server.try_wait().unwrap().is_none(), "{suffix}: the server is still running");

        drop(frozen);
        let r = client().post_json(update, Some(&token), body);
        assert_eq!(r.status, 201, "{suffix}: writes again once the disk is writable: {}", r.body);
        assert_eq!(
            client().get("/healthz").body,
            r#"{"status":"ok","database":"ok","changes":"told","plan":"kent-and-medway-2024-26"}"#,
            "{suffix}"
        );
        assert!(server.try_wait().unwrap().is_none(), "{suffix}: the server is still running");
    }
}
