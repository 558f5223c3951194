//! `assure areas import` as a process on SQLite and PostgreSQL: the illustrative PCN file
//! into a draft (what was added printed, one audit entry), a bad file refused with every
//! problem as `file:line: field: message`, exit code 1 and nothing written, and the
//! published plan refused (areas go into drafts).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assure_store::testing::{TestDb, databases};
use assure_store::{AuditFilter, Store};
use predicates::prelude::*;

const DRAFT: &str = "kent-and-medway-2026-28";

fn assure(db: &TestDb) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("assure"));
    c.env_remove("DATABASE_URL").env_remove("ASSURE_PLAN_DIR").env("ASSURE_ACTOR", "officer");
    c.arg("--database").arg(db.arg());
    c
}

fn pcn_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/areas/kent-and-medway-pcns-illustrative.csv")
}

fn area_imports(store: &Store) -> usize {
    let entries = store.audit(&AuditFilter::default()).unwrap();
    entries.iter().filter(|e| e.action == "import" && e.entity == "area").count()
}

#[test]
fn areas_import_loads_a_draft_and_refuses_a_bad_file_whole() {
    for db in databases() {
        let name = db.name;
        assure(&db).args(["import", "--bundled"]).assert().success();
        let store = db.open();
        let mut plan = store.plan("kent-and-medway-2024-26").unwrap();
        plan.meta.id = assure_plan::Sp::new(0..0, DRAFT.to_owned());
        store.create_draft(&plan, Some("kent-and-medway-2024-26"), "test").unwrap();

        assure(&db)
            .args(["areas", "import"])
            .arg(pcn_file())
            .args(["--plan", DRAFT])
            .assert()
            .success()
            .stdout(predicate::str::contains(format!("into draft '{DRAFT}': 47 added, 0 changed, 0 unchanged")))
            .stdout(predicate::str::contains(
                "added    pcn-ashford-north  Ashford North PCN (primary care network, in hcp-east-kent)",
            ))
            .stdout(predicate::str::contains("added    locality-strood  Strood locality (locality, in medway)"));
        let draft = store.draft(DRAFT).unwrap().unwrap();
        assert_eq!(draft.plan.areas.len(), 21 + 47, "{name}");
        assert_eq!(draft.updated_by, "officer", "{name}");
        assert_eq!(area_imports(&store), 1, "{name}: one audit entry");

        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.csv");
        std::fs::write(
            &bad,
            "code,name,kind,parent\n\
             pcn-a,A PCN,pcn,hcp-nowhere\n\
             pcn-ashford-north,Copy,pcn,hcp-east-kent\n\
             pcn-ashford-north,Again,pcn,hcp-east-kent\n\
             loc-x,X,locality,loc-y\n\
             loc-y,Y,locality,loc-x\n",
        )
        .unwrap();
        let bad_name = bad.display().to_string();
        assure(&db)
            .args(["areas", "import"])
            .arg(&bad)
            .args(["--plan", DRAFT])
            .assert()
            .code(1)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(format!(
                "{bad_name}:2: parent: there is no area 'hcp-nowhere' in the file or in the plan"
            )))
            .stderr(predicate::str::contains(format!(
                "{bad_name}:4: code: the code 'pcn-ashford-north' is already on line 3 of the file"
            )))
            .stderr(predicate::str::contains(format!(
                "{bad_name}:5: parent: the area 'loc-x' would lie in itself: loc-x → loc-y → loc-x"
            )))
            .stderr(predicate::str::contains(format!("{bad_name}:6: parent: the area 'loc-y' would lie in itself")))
            .stderr(predicate::str::contains("4 problem(s); nothing was written"));
        let after = store.draft(DRAFT).unwrap().unwrap();
        assert_eq!(after.updated_at, draft.updated_at, "{name}: nothing written");
        assert_eq!(area_imports(&store), 1, "{name}: nothing audited");

        // The published plan takes no areas directly.
        assure(&db)
            .args(["areas", "import"])
            .arg(pcn_file())
            .args(["--plan", "kent-and-medway-2024-26"])
            .assert()
            .code(1)
            .stderr(predicate::str::contains("is a stored plan, not a draft: areas are imported into a draft of it"));
        assert!(store.plan("kent-and-medway-2024-26").unwrap().area("pcn-ashford-north").is_none(), "{name}");
    }
}
