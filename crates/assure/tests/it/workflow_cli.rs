//! The partner workflow end to end, as people would run it: the real binary serving a
//! real database, a browser-like client. An admin creates an editor for Medway Council
//! on the admin page; the editor signs in, updates a Medway-led milestone and cannot
//! touch a KCC-led one; the change is in the audit log and in the next annual report
//! (`assure report annual --out report.pdf`), which opens and says so.

use std::path::PathBuf;
use std::process::Command;

use assure_store::testing::databases;
use assure_web::testing::{Browser, pdf_pages_rendered, pdf_text, squeeze};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("assure")
}

fn assure(db: &str) -> Command {
    let mut c = Command::new(bin());
    c.env_remove("DATABASE_URL").env("ASSURE_ACTOR", "operator").arg("--database").arg(db);
    c
}

fn run(c: &mut Command) -> String {
    let out = c.output().unwrap();
    assert!(out.status.success(), "{c:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn an_admin_makes_a_medway_editor_who_updates_only_medway_work_and_the_report_shows_it() {
    for db in databases() {
        let name = db.name;
        let url = db.arg();
        run(assure(&url).args(["import", "--bundled"]));
        // The first admin is made on the command line, with a password from standard input.
        let said = crate::add_admin(assure(&url));
        assert!(!said.contains("password:"), "{name}: a given password is not printed");

        let mut command = Command::new(bin());
        command.env_remove("DATABASE_URL").arg("--database").arg(&url);
        let (server, base, _stderr) = crate::spawn_serve(command, "warn");

        // The admin creates the editor on the admin page.
        let mut admin = Browser::new(&base);
        assert_eq!(admin.sign_in(crate::ADMIN.0, crate::ADMIN.1).status, 303, "{name}");
        let fields = [
            ("username", "mo@medway.gov.uk".to_owned()),
            ("display_name", "Mo Medway".to_owned()),
            ("role", "editor".to_owned()),
            ("organisations", "Medway Council".to_owned()),
        ];
        let r = admin.post_form("/admin/users", &fields, true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        let password =
            r.body.split("class=\"assure-token\">").nth(1).and_then(|s| s.split('<').next()).unwrap().to_owned();

        // The editor signs in and updates a milestone Medway's public health team co-leads.
        let mut editor = Browser::new(&base);
        assert_eq!(editor.sign_in("mo@medway.gov.uk", &password).status, 303, "{name}");
        let medway = "/milestones/move-together-active-kent-medway-strategy-m1";
        let page = editor.get(medway);
        assert!(page.body.contains("Give an update"), "{name}: the editor is offered the form");
        let update = [
            ("status", "at_risk".to_owned()),
            ("narrative", "Leisure partners slow to sign the charter".to_owned()),
            ("evidence", "https://example.org/medway/hwb-minutes".to_owned()),
            ("expected", "September 2026".to_owned()),
            ("expected_reason", "Charter signing moved to the autumn board".to_owned()),
        ];
        let r = editor.post_form(&format!("{medway}/update"), &update, true);
        assert_eq!(
            (r.status, r.location.as_str()),
            (303, format!("{medway}?updated=published").as_str()),
            "{name}: {}",
            r.body
        );
        let public = Browser::new(&base).get(medway);
        assert!(public.body.contains("Leisure partners slow to sign the charter"), "{name}: published");
        assert!(public.body.contains("September 2026"), "{name}: the new date");

        // … and cannot touch one KCC's adult social care leads alone.
        let kcc = "/milestones/technology-enhanced-lives-m1";
        let before = Browser::new(&base).get(kcc).body;
        assert!(!editor.get(kcc).body.contains("Give an update"), "{name}");
        assert_eq!(editor.get(&format!("{kcc}/update")).status, 403, "{name}");
        let r = editor.post_form(
            &format!("{kcc}/update"),
            &[("status", "complete".to_owned()), ("narrative", "x".to_owned())],
            true,
        );
        assert_eq!(r.status, 403, "{name}");
        assert_eq!(Browser::new(&base).get(kcc).body, before, "{name}: nothing changed");

        // The audit log has it, with the editor's name.
        let audit = run(assure(&url).args(["audit", "--entity", "delivery_update"]));
        assert!(
            audit.contains(
                "mo@medway.gov.uk create delivery_update 'milestone:move-together-active-kent-medway-strategy-m1'"
            ),
            "{name}: {audit}"
        );
        assert_eq!(audit.lines().count(), 1, "{name}: only the allowed change: {audit}");
        assert!(admin.get("/audit").body.contains("mo@medway.gov.uk"), "{name}: on the audit page");
        // (The operator running `audit` is ASSURE_ACTOR here; that must not filter the log.)
        let by_editor = run(assure(&url).args(["audit", "--by", "mo@medway.gov.uk"]));
        assert_eq!(by_editor, audit, "{name}: the editor made that one change");
        let accounts = run(assure(&url).args(["audit", "--entity", "account"]));
        assert!(accounts.contains("ada create account 'mo@medway.gov.uk'"), "{name}: {accounts}");

        // The next annual report shows it, and the PDF opens.
        let dir = tempfile::tempdir().unwrap();
        let pdf_path = dir.path().join("report.pdf");
        let said = run(assure(&url).args(["report", "annual", "--out"]).arg(&pdf_path));
        assert!(said.starts_with("wrote ") && said.contains(" ms"), "{name}: {said}");
        let pdf = std::fs::read(&pdf_path).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        if let Some(text) = pdf_text(&pdf) {
            let text = squeeze(&text);
            for needle in [
                "Annual report of the Integrated Care Partnership",
                "Leisure partners slow to sign the charter",
                "September 2026",
                "At risk",
            ] {
                assert!(text.contains(&squeeze(needle)), "{name}: '{needle}' not in the report");
            }
        }
        if let Some(pages) = pdf_pages_rendered(&pdf) {
            assert!(pages >= 5, "{name}: {pages} pages");
        }
        let html_path = dir.path().join("report.html");
        run(assure(&url).args(["report", "place", "medway", "--out"]).arg(&html_path));
        let html = std::fs::read_to_string(&html_path).unwrap();
        assert!(
            html.contains("Medway: place report") && html.contains("Leisure partners slow to sign the charter"),
            "{name}"
        );
        let bad = assure(&url).args(["report", "annual", "--out", "report.docx"]).output().unwrap();
        assert!(
            !bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("name a .pdf or .html file"),
            "{name}"
        );

        drop(server);
    }
}

#[test]
fn behind_a_trusted_proxy_sign_in_is_throttled_per_forwarded_client() {
    for db in databases() {
        let name = db.name;
        let url = db.arg();
        run(assure(&url).args(["import", "--bundled"]));
        crate::add_admin(assure(&url));

        let mut command = Command::new(bin());
        command.env_remove("DATABASE_URL").env("ASSURE_TRUSTED_PROXIES", "127.0.0.1").args(["--database", &url]);
        let (server, base, _stderr) = crate::spawn_serve(command, "warn");
        let from = |address: &str| {
            let mut b = Browser::new(&base);
            b.forwarded_for = Some(address.to_owned());
            b
        };
        // One client, through the proxy, tries many usernames (each below its own limit).
        let mut attacker = from("203.0.113.7");
        for n in 0..assure_store::MAX_FAILURES_PER_CLIENT {
            let r = attacker.sign_in(&format!("guess{n}"), "wrong password!!");
            assert_eq!(r.status, 422, "{name}");
        }
        let r = attacker.sign_in(crate::ADMIN.0, crate::ADMIN.1);
        assert!(r.status == 422 && r.body.contains("too many failed attempts"), "{name}: that client is locked");
        // Everyone else behind the same proxy still signs in.
        assert_eq!(from("203.0.113.8").sign_in(crate::ADMIN.0, crate::ADMIN.1).status, 303, "{name}");
        drop(server);
    }
}
