//! Two `assure serve` processes on one database (issue 17, item 1): each keeps its
//! rendered pages without asking the database per request, yet a change written through
//! one is served by the writer on its very next request and by the other within 250 ms;
//! so is a change made by another process (the command line).

use std::process::Command;
use std::time::{Duration, Instant};

use assure_store::testing::databases;
use assure_web::testing::Browser;

/// The bound the servers promise.
const BOUND: Duration = Duration::from_millis(250);

const MILESTONE: &str = "move-together-active-kent-medway-strategy-m1";

fn assure(db: &str) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("assure"));
    c.env_remove("DATABASE_URL").env("ASSURE_ACTOR", "operator").arg("--database").arg(db);
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Fetch `path` from `base` every few milliseconds until its body contains `needle`,
/// failing if a request sent [`BOUND`] or more after `since` does not show it: a bound on
/// how stale a server may be, not on how long it takes to render a page afresh (a debug
/// build on a busy machine can take a second).
fn fresh_within_bound(base: &str, path: &str, needle: &str, since: Instant) {
    loop {
        let sent = Instant::now();
        let body = Browser::new(base).get(path).body;
        if body.contains(needle) {
            return;
        }
        let late = sent.saturating_duration_since(since);
        assert!(late < BOUND, "{base}{path} did not show '{needle}' to a request sent {late:?} after the change");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Wait until `/healthz` says changes are told (PostgreSQL's listening connection is up).
fn told(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = Browser::new(base).get("/healthz").body;
        if body.contains("\"changes\":\"told\"") {
            return;
        }
        assert!(Instant::now() < deadline, "{base}/healthz: {body}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_change_through_one_server_is_served_by_the_other_within_250_ms() {
    for db in databases() {
        let name = db.name;
        let url = db.arg();
        run(assure(&url).args(["import", "--bundled"]));
        crate::add_admin(assure(&url));
        let said = run(assure(&url).args(["token", "add", "--user", crate::ADMIN.0, "--name", "two servers"]));
        let token = said.lines().last().unwrap().trim().to_owned();

        let serve = || {
            let mut command = Command::new(assert_cmd::cargo::cargo_bin("assure"));
            command.env_remove("DATABASE_URL").arg("--database").arg(&url);
            crate::spawn_serve(command, "warn")
        };
        let (_one, a, _a_err) = serve();
        let (_two, b, _b_err) = serve();
        told(&a);
        told(&b);

        let page = format!("/milestones/{MILESTONE}");
        let api = format!("/api/v1/milestones/{MILESTONE}/updates");
        for round in 1..=3 {
            // Both have the page kept from before the change.
            for base in [&a, &b] {
                for _ in 0..2 {
                    let r = Browser::new(base).get(&page);
                    assert_eq!(r.status, 200, "{name}");
                    assert!(!r.body.contains(&format!("Round {round} of the charter")), "{name}");
                }
            }
            let narrative = format!("Round {round} of the charter signed by leisure partners");
            let body = format!(r#"{{"status":"on_track","narrative":"{narrative}"}}"#);
            let r = Browser::new(&a).post_json(&api, Some(&token), &body);
            assert_eq!(r.status, 201, "{name}: {}", r.body);
            let acknowledged = Instant::now();
            // The other, within the bound of the acknowledgement.
            fresh_within_bound(&b, &page, &narrative, acknowledged);
            // The writer, on its very next request.
            let own = Browser::new(&a).get(&page).body;
            assert!(own.contains(&narrative), "{name}: the writing server serves its change at once");
        }

        // A change by another process (the command line), to what delivery is judged by.
        for base in [&a, &b] {
            let r = Browser::new(base).get("/delivery");
            assert_eq!(r.status, 200, "{name}");
            assert!(!r.body.contains("more than 7 days"), "{name}");
        }
        run(assure(&url).args(["settings", "stale-days", "7"]));
        let changed = Instant::now();
        for base in [&a, &b] {
            fresh_within_bound(base, "/delivery", "more than 7 days", changed);
        }
    }
}
