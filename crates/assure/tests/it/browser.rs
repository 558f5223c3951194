//! Every page type in a real browser (Debian's Chromium, driven by playwright-core from
//! `tests/browser/check.mjs`): zero axe-core violations at WCAG 2.2 A/AA, every link
//! reachable from the keyboard, screenshots at desktop and phone widths (1280, 375 and 320 px) saved under
//! `target/browser-artifacts/`. `scripts/browser-setup` (run by `scripts/test`) installs
//! what it needs; without it the test says so loudly, and fails under `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The draft the areas page is shown for.
const DRAFT: &str = "kent-and-medway-2026-28";

/// The milestone updated and shown signed in.
const MILESTONE: &str = "move-together-active-kent-medway-strategy-m1";

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn missing(what: &str) {
    let message = format!("browser tests SKIPPED: {what}; run scripts/browser-setup");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{message} (CI=true requires them)");
    }
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n*** WARNING: {message} ***\n");
}

#[test]
fn every_page_type_passes_axe_and_the_keyboard_in_chromium() {
    let root = workspace();
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        return missing(&format!("{chromium} not found"));
    }
    if !root.join("tests/browser/node_modules/playwright-core").is_dir() {
        return missing("tests/browser/node_modules is not installed");
    }

    // One item of every kind, from the bundled plan.
    let plan = assure_plan::bundled().unwrap();
    let commitment = plan.commitments.iter().find(|c| c.links.len() > 2).unwrap().id.get_ref().clone();
    let delivering = plan.delivering_plans[0].id.get_ref().clone();
    let indicator = plan.indicators.iter().find(|i| !i.parts.is_empty()).unwrap().id.get_ref().clone();
    let example = plan.delivery_examples[0].id.get_ref().clone();
    let place = plan.places.iter().find(|p| !p.priorities.is_empty()).unwrap().id.get_ref().clone();
    let mut paths: Vec<String> = vec![
        "/".to_owned(),
        "/outcomes/1".into(),
        "/priorities/2.1".into(),
        format!("/commitments/{commitment}"),
        "/plans".into(),
        format!("/plans/{delivering}"),
        "/organisations".into(),
        "/organisations/kcc".into(),
        "/indicators".into(),
        format!("/indicators/{indicator}"),
        format!("/examples/{example}"),
        "/places".into(),
        format!("/places/{place}"),
        "/places/medway".into(),
        "/places/kent".into(),
        "/places/hcp-east-kent".into(),
        "/places/swale".into(),
        "/progress".into(),
        "/progress?place=medway&sort=status".into(),
        "/glossary".into(),
        "/search?q=family+hub".into(),
        "/enablers".into(),
        "/enablers/engaging-communities".into(),
        format!("/milestones/{}", plan.delivery_examples[0].milestones[0].id.get_ref()),
        "/source".into(),
        "/search".into(),
        "/no-such-page".into(),
        "/indicators/smoking-at-time-of-delivery".into(),
        "/how-we-judge-progress".into(),
        "/sign-in".into(),
        "/delivery".into(),
        "/delivery?what=all&place=medway&overdue=1".into(),
        "/reports".into(),
        "/reports/annual".into(),
        "/reports/places/medway".into(),
        "/reports/indicators/smoking-at-time-of-delivery".into(),
        // Signed in as an admin (see check.mjs): the forms and pages of the partner workflow.
        format!("@/milestones/{MILESTONE}"),
        format!("@/milestones/{MILESTONE}/update"),
        format!("@/plans/{delivering}/milestones/new"),
        "@/account".into(),
        "@/my-work".into(),
        "@/admin".into(),
        "@/admin/users".into(),
        "@/admin/users/ada".into(),
        "@/admin/settings".into(),
        "@/admin/approvals".into(),
        "@/data/upload".into(),
        format!("@/plan-versions/{DRAFT}/areas"),
        "@/audit".into(),
        "@/reports".into(),
        // Residents' voice: the public form, receipt, privacy notice, a published item
        // with its report form, the outcome page with counts and a response, an indicator
        // page with the themes raised on its outcome; and, signed in, the moderation
        // queue and a decision, listening, themes and responses. (The page a confirmation
        // link opens is added below, once its item exists.)
        "/have-your-say".into(),
        "/have-your-say/receipt".into(),
        "/have-your-say/privacy".into(),
        "/contributions/1".into(),
        "/contributions/1/report".into(),
        "/outcomes/2".into(),
        "/indicators/loneliness".into(),
        "@/moderation".into(),
        "@/moderation/2".into(),
        "@/listening".into(),
        "@/admin/themes".into(),
        "@/responses/new".into(),
        // Committees: the bodies, a meeting with its paper, decision and an overdue action,
        // the actions list, an action with its history; signed in, the forms.
        "/committees".into(),
        "/meetings/1".into(),
        "/actions".into(),
        "/actions?overdue=1&organisation=medway-council".into(),
        "/actions/2".into(),
        "@/meetings/1".into(),
        "@/meetings/new".into(),
        "@/committees".into(),
        "@/committees/bodies/1".into(),
        "@/actions/2/update".into(),
        // Versions of the plan: the list, a published version whole, the diff; signed in,
        // a draft (started below), the diff against it and its publish page.
        "/plan-versions".into(),
        "/plan-versions/kent-and-medway-2024-26".into(),
        "/plan-versions/diff?from=kent-and-medway-2024-26&to=kent-and-medway-2024-26".into(),
        "@/plan-versions".into(),
        format!("@/plan-versions/{DRAFT}"),
        "@/plan-versions/diff?from=kent-and-medway-2024-26&to=kent-and-medway-2026-28".into(),
        "@/plan-versions/kent-and-medway-2026-28/publish".into(),
    ];

    // With the illustrative data, so that statuses, charts, area and group tables are checked too.
    let dir = tempfile::tempdir().unwrap();
    let demo = Command::new(assert_cmd::cargo::cargo_bin("assure"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .arg("demo-data")
        .output()
        .expect("assure demo-data runs");
    assert!(demo.status.success(), "{}", String::from_utf8_lossy(&demo.stderr));
    let draft = Command::new(assert_cmd::cargo::cargo_bin("assure"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["plan", "draft", "start", "--from", "kent-and-medway-2024-26", "--id", DRAFT])
        .args(["--title", "Shared Delivery Plan 2026-28"])
        .output()
        .expect("assure plan draft start runs");
    assert!(draft.status.success(), "{}", String::from_utf8_lossy(&draft.stderr));
    let mut add = Command::new(assert_cmd::cargo::cargo_bin("assure"));
    add.current_dir(dir.path()).env_remove("DATABASE_URL");
    crate::add_admin(add);
    // The draft started above gets the illustrative PCNs and localities, for the areas page.
    let areas = Command::new(assert_cmd::cargo::cargo_bin("assure"))
        .current_dir(dir.path())
        .env_remove("DATABASE_URL")
        .args(["areas", "import"])
        .arg(root.join("data/areas/kent-and-medway-pcns-illustrative.csv"))
        .args(["--plan", DRAFT])
        .output()
        .expect("assure areas import runs");
    assert!(areas.status.success(), "{}", String::from_utf8_lossy(&areas.stderr));
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("assure"));
    command.current_dir(dir.path()).env_remove("DATABASE_URL");
    let (mut server, base, _stderr) = crate::spawn_serve(command, "warn");
    // Signed in, with an update on the milestone, so its history shows.
    let mut admin = assure_web::testing::Browser::new(&base);
    assert_eq!(admin.sign_in(crate::ADMIN.0, crate::ADMIN.1).status, 303);
    let update = [
        ("status", "at_risk".to_owned()),
        ("narrative", "Waiting for the partnership board".to_owned()),
        ("evidence", "https://example.org/board".to_owned()),
        ("internal_note", "Chase the chair".to_owned()),
    ];
    assert_eq!(admin.post_form(&format!("/milestones/{MILESTONE}/update"), &update, true).status, 303);
    // Residents' voice: two items (one published with a theme and a response, one waiting).
    let store = assure_store::Store::open(
        &assure_store::DatabaseUrl::parse(&dir.path().join("assure.db").display().to_string()).unwrap(),
    )
    .unwrap()
    .0;
    let voice = |body: &str| assure_store::NewContribution {
        outcome: 2,
        area: Some("swale".into()),
        commitment: None,
        body: body.into(),
        experienced: "2026-11".into(),
        display_name: "Heron 301".into(),
        first_name: false,
        consent_publish: true,
        consent_contact: false,
        consent_health: false,
        age_band: None,
        channel: assure_store::Channel::Web,
        state: assure_store::ContributionState::Pending,
        hold_reason: None,
        recorded_by: None,
        event: None,
        receipt: Some(format!("RECEIPT-{}", body.len())),
        email: None,
    };
    let plan_id = plan.meta.id.get_ref();
    let unconfirmed = assure_store::NewContribution {
        state: assure_store::ContributionState::Unconfirmed,
        ..voice("The surgery phone rang out.")
    };
    let ids = store
        .add_contributions(
            plan_id,
            &[voice("I felt lonely until the walking group."), voice("The bus stopped."), unconfirmed],
            &[],
            "t",
        )
        .unwrap();
    // The page a confirmation link opens (an item waiting for its author's email).
    paths.push(format!("/have-your-say/confirm/{}", store.confirmation_token(ids[2]).unwrap()));
    // The page a digest's link to stop it opens (no sign-in).
    let unsubscribe = assure_app::App::new(store.clone())
        .with_public_url("")
        .unsubscribe_link(crate::ADMIN.0, assure_app::DigestList::Rounds)
        .unwrap();
    // The draft editor: its home and a form (with a problem on a field).
    let ada = store.account(crate::ADMIN.0).unwrap().unwrap();
    let app = assure_app::App::new(store.clone());
    // (the draft `assure plan draft start` made above)
    let mut values = assure_app::form_values(
        &store.draft(DRAFT).unwrap().unwrap().plan,
        assure_app::PlanItemKind::Indicator,
        "smoking-at-time-of-delivery",
    )
    .unwrap();
    values.insert("target.value".into(), "12".into());
    let edit = assure_app::PlanEdit::Fields {
        kind: assure_app::PlanItemKind::Indicator,
        id: "smoking-at-time-of-delivery".into(),
        values,
    };
    assert_eq!(app.edit_draft(&ada, DRAFT, edit).unwrap().problems.len(), 1);
    paths.push("@/plan-versions/kent-and-medway-2026-28/edit".into());
    paths.push("@/plan-versions/kent-and-medway-2026-28/edit/indicator/smoking-at-time-of-delivery".into());
    paths.push(
        "@/plan-versions/kent-and-medway-2026-28/edit/commitment/reduce-percentage-children-living-poverty".into(),
    );
    paths.push("@/plan-versions/kent-and-medway-2026-28/edit/organisation/kcc".into());
    let paths: Vec<String> = paths.into_iter().chain([unsubscribe]).collect();
    drop(store);
    let theme = [("outcome", "2".to_owned()), ("label", "Loneliness and isolation".to_owned())];
    assert_eq!(admin.post_form("/admin/themes", &theme, true).status, 303);
    let publish = [
        ("decision", "published".to_owned()),
        ("reason_code", "meets-guidelines".to_owned()),
        ("public_note", "Thank you.".to_owned()),
        ("themes", "2-loneliness-and-isolation".to_owned()),
    ];
    assert_eq!(admin.post_form("/moderation/1", &publish, true).status, 303);
    let response = [
        ("about", "outcome:2".to_owned()),
        ("organisation", "kcc".to_owned()),
        ("you_said", "Walking groups help with loneliness.".to_owned()),
        ("we_did", "We will fund more of them.".to_owned()),
        ("status", "change_planned".to_owned()),
        ("milestones", "move-together-active-kent-medway-strategy-m1".to_owned()),
        ("contributions", "1".to_owned()),
    ];
    assert_eq!(admin.post_form("/responses", &response, true).status, 303);
    let meeting = [
        ("body", "1".to_owned()),
        ("held_on", "2099-03-12".to_owned()),
        ("title", "ICP, March 2099".to_owned()),
        ("papers", "place:medway".to_owned()),
    ];
    assert_eq!(admin.post_form("/meetings", &meeting, true).status, 303);
    let decision = [("text", "Note the Medway place report.".to_owned())];
    assert_eq!(admin.post_form("/meetings/1/decisions", &decision, true).status, 303);
    let action = [
        ("text", "An update in 6 months, including outcomes for Medway and how the VCS was involved".to_owned()),
        ("owner", "medway-council".to_owned()),
        ("due", "2026-01-31".to_owned()),
        ("links", "outcome:2".to_owned()),
    ];
    assert_eq!(admin.post_form("/meetings/1/decisions", &action, true).status, 303);
    let progress = [
        ("status", "at_risk".to_owned()),
        ("narrative", "Drafting with the VCS alliance".to_owned()),
        ("internal_note", "Ask Healthwatch too".to_owned()),
    ];
    assert_eq!(admin.post_form("/actions/2/update", &progress, true).status, 303);
    let session = admin.cookies["assure_session"].clone();
    let artifacts = root.join("target/browser-artifacts");
    let out = Command::new("node")
        .current_dir(root.join("tests/browser"))
        .env("CHROMIUM", &chromium)
        .env("ASSURE_SESSION", &session)
        .arg("check.mjs")
        .arg(&base)
        .arg(&artifacts)
        .args(&paths)
        .output()
        .expect("node runs");
    let _ = server.kill();
    let _ = server.wait();

    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("no report from check.mjs ({e}): {stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let entries = report.as_array().unwrap();
    assert_eq!(entries.len(), paths.len() * 3, "every page at three widths");
    let mut problems = Vec::new();
    for e in entries {
        let path = e["path"].as_str().unwrap();
        let expected = if path == "/no-such-page" { 404 } else { 200 };
        // A signed-in page that sent us to the sign-in form would pass axe and prove nothing.
        if e["landed"].as_str() != Some(path.trim_start_matches('@')) {
            problems.push(format!("{path}: landed on {}", e["landed"]));
        }
        if e["status"] != expected {
            problems.push(format!("{path}: status {}", e["status"]));
        }
        for v in e["violations"].as_array().unwrap() {
            problems.push(format!(
                "{path} ({}): axe {} [{}] {} at {}",
                e["viewport"], v["id"], v["impact"], v["help"], v["nodes"]
            ));
        }
        for v in e["csp_violations"].as_array().map_or(&[][..], Vec::as_slice) {
            problems.push(format!("{path} ({}): Content-Security-Policy: {v}", e["viewport"]));
        }
        if !e["overflow"].is_null() {
            problems.push(format!("{path} ({}): the page scrolls sideways: {}", e["viewport"], e["overflow"]));
        }
        if e["chart_text_px"].as_f64().is_some_and(|px| px < 11.95) {
            problems
                .push(format!("{path} ({}): chart text shown at {} px, under 12", e["viewport"], e["chart_text_px"]));
        }
        if e["unreachable"] != 0 {
            problems.push(format!("{path}: {} links not reachable by keyboard", e["unreachable"]));
        }
        assert!(Path::new(e["screenshot"].as_str().unwrap()).is_file(), "screenshot of {path}");
    }
    assert!(problems.is_empty(), "accessibility and security policy problems:\n{}", problems.join("\n"));
    assert!(out.status.success(), "check.mjs failed: {}", String::from_utf8_lossy(&out.stderr));
    let focused: u64 = entries.iter().map(|e| e["links_focused"].as_u64().unwrap_or(0)).sum();
    assert!(focused > 500, "the keyboard walk visited {focused} links in all");
}
