//! Versions of the plan on the command line, on SQLite and PostgreSQL: a draft started,
//! changed, diffed (the same diff as the web's), exported, checked, imported and exported
//! to the same bytes, refused while it has a problem, and published.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assure_plan::Sp;
use assure_store::testing::{TestDb, databases};
use assure_store::{DraftChange, Role};
use predicates::prelude::*;

const OLD: &str = "kent-and-medway-2024-26";
const NEW: &str = "kent-and-medway-2026-28";

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("assure")
}

fn assure(db: &TestDb) -> Command {
    let mut c = Command::new(bin());
    c.env_remove("DATABASE_URL").env_remove("ASSURE_PLAN_DIR").env("ASSURE_ACTOR", "tester");
    c.arg("--database").arg(db.arg());
    c
}

fn stdout(c: &mut Command) -> String {
    String::from_utf8(c.assert().success().get_output().stdout.clone()).unwrap()
}

fn bundled_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/kent-and-medway-2024-26")
}

/// Change the smoking target and add a commitment, in the draft (as the web editor would).
fn edit(store: &assure_store::Store, id: &str) {
    let mut plan = store.draft(id).unwrap().unwrap().plan;
    let i = plan.indicators.iter_mut().find(|i| i.id.get_ref() == "smoking-at-time-of-delivery").unwrap();
    i.target.as_mut().unwrap().value = Some(Sp::new(0..0, 5.0));
    let mut added = plan.commitments[0].clone();
    added.id = Sp::new(0..0, "virtual-wards-for-children".to_owned());
    added.title = "Virtual wards for children".into();
    plan.commitments.push(added);
    let change = DraftChange { action: "edit", entity: "indicator", entity_id: "x", before: None, after: None };
    store.save_draft(id, &plan, "tester", &change).unwrap();
}

fn read_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_draft_on_the_command_line_diffs_as_the_web_does_round_trips_and_publishes() {
    for db in databases() {
        let name = db.name;
        let tmp = tempfile::tempdir().unwrap();
        assure(&db).arg("import").arg(bundled_dir()).assert().success();
        let out =
            stdout(assure(&db).args(["plan", "draft", "start", "--from", OLD, "--id", NEW, "--title", "2026-28"]));
        assert!(out.contains(&format!("started draft '{NEW}'")), "{name}: {out}");
        assure(&db)
            .args(["plan", "draft", "start", "--from", OLD, "--id", "Bad Id"])
            .assert()
            .failure()
            .stderr(predicate::str::contains("--id: The id can only have lower-case letters"));
        let store = db.open();
        edit(&store, NEW);
        let drafts = stdout(assure(&db).args(["plan", "drafts"]));
        assert!(drafts.contains(NEW) && drafts.contains("no problems"), "{name}: {drafts}");

        // `assure plan diff` of two ids in the database is the web's diff.
        let text = stdout(assure(&db).args(["plan", "diff", OLD, NEW]));
        assert!(text.starts_with(&format!("From {OLD} to {NEW}: 3 added, 0 removed, 2 changed")), "{name}: {text}");
        let mut serve = std::process::Command::new(bin());
        serve.env_remove("DATABASE_URL").arg("--database").arg(db.arg());
        let (mut server, base, _stderr) = crate::spawn_serve(serve, "warn");
        let fields = assure_store::AccountFields {
            display_name: "V".into(),
            role: Role::Viewer,
            organisations: vec![],
            disabled: false,
        };
        store.create_account("vera", "a long viewer passphrase", &fields, "test").unwrap();
        let mut viewer = assure_web::testing::Browser::new(&base);
        assert_eq!(viewer.sign_in("vera", "a long viewer passphrase").status, 303);
        let csv = viewer.get(&format!("/plan-versions/diff.csv?from={OLD}&to={NEW}"));
        assert_eq!(csv.status, 200, "{name}");
        let mut reader = csv::Reader::from_reader(csv.body.as_bytes());
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let mut items = std::collections::BTreeSet::new();
        for r in &rows {
            let mark = match &r[1] {
                "Added" => '+',
                "Removed" => '-',
                _ => '~',
            };
            let head = format!("{mark} {} {}: {}", &r[2], &r[3], &r[4]);
            assert!(text.contains(&head), "{name}: the CLI says {head:?}:\n{text}");
            if !r[5].is_empty() {
                let line = format!("    {}: {} \u{2192} {}", &r[5], &r[6], &r[7]);
                assert!(text.contains(&line), "{name}: the CLI says {line:?}:\n{text}");
            }
            items.insert((r[2].to_owned(), r[3].to_owned()));
        }
        let cli_items = text.lines().filter(|l| l.starts_with(['+', '-', '~'])).count();
        assert_eq!(items.len(), cli_items, "{name}: the same items, no more");
        server.0.kill().ok();
        server.0.wait().ok();

        // export → check → import → export: the same bytes.
        let first = tmp.path().join("first");
        assure(&db).args(["export", "--plan", NEW]).arg(&first).assert().success();
        Command::new(bin()).arg("check").arg(&first).assert().success();
        let other = tmp.path().join("other.db");
        let mut c = Command::new(bin());
        c.env_remove("DATABASE_URL").args(["--empty", "--database"]).arg(&other).arg("import").arg(&first);
        c.assert().success();
        let second = tmp.path().join("second");
        let mut c = Command::new(bin());
        c.env_remove("DATABASE_URL").arg("--database").arg(&other).args(["export", "--plan", NEW]).arg(&second);
        c.assert().success();
        assert_eq!(read_files(&first), read_files(&second), "{name}: export → import → export");

        // A draft with a target whose value is missing cannot be published.
        assure(&db).args(["plan", "draft", "start", "--from", NEW, "--id", "broken"]).assert().success();
        let mut plan = store.draft("broken").unwrap().unwrap().plan;
        plan.indicators.iter_mut().find(|i| i.target.is_some()).unwrap().target.as_mut().unwrap().value = None;
        let change = DraftChange { action: "edit", entity: "indicator", entity_id: "x", before: None, after: None };
        store.save_draft("broken", &plan, "tester", &change).unwrap();
        assure(&db)
            .args(["plan", "publish", "broken", "--yes"])
            .assert()
            .failure()
            .stderr(predicate::str::contains("needs a value").and(predicate::str::contains("cannot be published")));

        // Without --yes, only what it would do; with it, published.
        let preview = stdout(assure(&db).args(["plan", "publish", NEW]));
        assert!(preview.contains("nothing was published"), "{name}: {preview}");
        assert_eq!(store.plan_versions().unwrap().len(), 1, "{name}");
        let done = stdout(assure(&db).args(["plan", "publish", NEW, "--yes"]));
        assert!(done.contains(&format!("published '{NEW}', superseding '{OLD}'")), "{name}: {done}");
        let plans = stdout(assure(&db).arg("plans"));
        assert!(plans.contains(&format!("{OLD}  ")) && plans.contains("superseded"), "{name}: {plans}");
        assert_eq!(store.served_plan(None).unwrap().unwrap().0, NEW, "{name}");
        // The default plan of a command is the published one.
        assure(&db).arg("export").arg(tmp.path().join("third")).assert().success();
        assert_eq!(read_files(&first), read_files(&tmp.path().join("third")), "{name}");
    }
}
