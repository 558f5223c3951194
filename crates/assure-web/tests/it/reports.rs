//! Reports from live data: the annual report (with what changed since the one issued
//! before), a place report for Medway, deep-dive packs; as HTML and as PDF, the PDFs read
//! back with pdftotext and rendered with pdftoppm.

use assure_plan::delivery::{DeliveryStatus, ItemKind, Publication, UpdateDraft};
use assure_web::testing::{pdf_pages_rendered, pdf_text, squeeze};

use crate::{TestApp, apps};

const PLAN: &str = "kent-and-medway-2024-26";

/// Load the illustrative data, as `assure demo-data` does.
pub(crate) fn load_demo(app: &TestApp) {
    let store = app.db.open();
    let plan = assure_plan::bundled().unwrap();
    let options = assure_tracking::PrepareOptions { illustrative: true, ..Default::default() };
    let rows = assure_tracking::prepare(&plan, assure_tracking::demo::generate(&plan), "demo", &options).unwrap().rows;
    let file = assure_store::DataFile { name: "demo".into(), checksum: "x".into(), format: "demo".into(), skipped: 0 };
    store.import_observations(PLAN, &rows, &file, assure_store::ImportMode::Merge, "t").unwrap();
}

fn update(app: &TestApp, item: &str, status: DeliveryStatus, narrative: &str) {
    let draft = UpdateDraft {
        status,
        narrative: narrative.into(),
        evidence: vec!["https://example.org/board-paper".into()],
        expected: None,
        expected_reason: None,
        internal_note: Some("not for the public".into()),
    };
    app.db.open().add_update(PLAN, ItemKind::Milestone, item, &draft, Publication::Published, "medway").unwrap();
}

fn get_bytes(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    app.browser().get_bytes(path)
}

#[test]
fn the_annual_report_shows_statuses_milestones_and_changes_since_the_last_one() {
    for app in apps() {
        let name = app.db.name;
        load_demo(&app);
        update(&app, "technology-enhanced-lives-m1", DeliveryStatus::OffTrack, "Procurement paused pending review");
        let (status, kind, body) = app.get("/reports/annual");
        assert_eq!((status, kind.as_str()), (200, "text/html; charset=utf-8"), "{name}");
        for needle in [
            "Annual report of the Integrated Care Partnership",
            "Illustrative data, not official statistics",
            "Strategic indicators and parts by status",
            "Milestones by status",
            "Milestones and plans overdue, off track, at risk or stale",
            "Indicators off track or at risk",
            "Overdue milestones",
            "This is the first report generated",
            "Outcome 1: Give children and young people the best start in life",
            "Outcome 6:",
            "What residents told us",
            "Procurement paused pending review",
            "<svg",
        ] {
            assert!(body.contains(needle), "{name}: '{needle}' not in the annual report");
        }
        assert!(!body.contains("not for the public"), "{name}: internal notes stay out of reports");

        // As PDF: it opens, it says the same, every page renders.
        let (status, kind, pdf) = get_bytes(&app, "/reports/annual?format=pdf");
        assert_eq!((status, kind.as_str()), (200, "application/pdf"), "{name}");
        assert!(pdf.starts_with(b"%PDF-"), "{name}");
        if let Some(text) = pdf_text(&pdf) {
            let flat = squeeze(&text);
            for needle in [
                "Annual report of the Integrated Care Partnership",
                "Exceptions",
                "Procurement paused pending review",
                "Off track",
                "Outcome 4: Empower people",
            ] {
                assert!(flat.contains(&squeeze(needle)), "{name}: '{needle}' not in the PDF's text");
            }
        }
        if let Some(pages) = pdf_pages_rendered(&pdf) {
            assert!(pages >= 10, "{name}: {pages} pages");
        }

        // Issue it; then a change shows in the next one.
        let store = app.db.open();
        let issuer = assure_app::App::new(store.clone());
        let plan_id = store.plans().unwrap()[0].id.clone();
        let views = issuer.views(&plan_id).unwrap();
        issuer
            .render_report(&views, &assure_app::ReportRequest::Annual, assure_app::ReportFormat::Html, Some("admin"))
            .unwrap();
        update(&app, "technology-enhanced-lives-m1", DeliveryStatus::Complete, "Service live in all districts");
        let (_, _, body) = app.get("/reports/annual");
        assert!(body.contains("Since the previous report"), "{name}");
        assert!(body.contains("Statuses that changed"), "{name}");
        let changed = body.split("<caption>Statuses that changed").nth(1).unwrap();
        assert!(changed.contains("Milestone: Complete pilot programme – digital in adult social care"), "{name}");
        assert!(changed.contains("Off track") && changed.contains("Complete"), "{name}");
        assert!(
            body.contains("Updates published since (1)") && body.contains("Service live in all districts"),
            "{name}"
        );
        let issued =
            store.audit(&assure_store::AuditFilter { entity: Some("report".into()), ..Default::default() }).unwrap();
        assert_eq!(issued.len(), 1, "{name}: issuing is audited");
        assert_eq!(issued[0].actor, "admin", "{name}");
    }
}

#[test]
fn the_medway_place_report_covers_outcomes_and_the_voluntary_sector() {
    for app in apps() {
        let name = app.db.name;
        load_demo(&app);
        let (status, _, body) = app.get("/reports/places/medway");
        assert_eq!(status, 200, "{name}");
        for needle in [
            "Medway: place report",
            "Outcomes for Medway",
            "Medway &amp; Swale HCP",
            "Delivery led in Medway",
            "The voluntary and community sector",
            "Medway Voluntary Action",
        ] {
            assert!(body.contains(needle), "{name}: '{needle}' not in the Medway report");
        }
        let (status, _, pdf) = get_bytes(&app, "/reports/places/medway?format=pdf");
        assert_eq!(status, 200, "{name}");
        if let Some(text) = pdf_text(&pdf) {
            let flat = squeeze(&text);
            assert!(
                flat.contains(&squeeze("Medway: place report"))
                    && flat.contains(&squeeze("voluntary and community sector")),
                "{name}"
            );
        }
        assert_eq!(app.get("/reports/places/atlantis").0, 404, "{name}");
        assert_eq!(app.get("/reports/annual?format=docx").0, 400, "{name}");
    }
}

#[test]
fn deep_dive_packs_gather_everything_linked() {
    for app in apps() {
        let name = app.db.name;
        load_demo(&app);
        update(&app, "tackling-tobacco-smoking-m1", DeliveryStatus::OnTrack, "Tobacco dependence advisers in post");
        let (status, _, body) = app.get("/reports/indicators/smoking-at-time-of-delivery");
        assert_eq!(status, 200, "{name}");
        for needle in
            ["Status and trend", "How it is measured", "By place", "Commitments of the outcome", "Milestones", "<svg"]
        {
            assert!(body.contains(needle), "{name}: '{needle}' not in the indicator deep dive");
        }
        let (status, _, body) = app.get("/reports/commitments/improve-join-up-access-local-support");
        assert_eq!(status, 200, "{name}");
        for needle in [
            "The commitment",
            "Priorities it serves",
            "Delivering plans and their updates",
            "Indicators of the outcome",
        ] {
            assert!(body.contains(needle), "{name}: '{needle}' not in the commitment deep dive");
        }
        let (status, kind, pdf) = get_bytes(&app, "/reports/indicators/smoking-at-time-of-delivery?format=pdf");
        assert_eq!((status, kind.as_str()), (200, "application/pdf"), "{name}");
        if let Some(text) = pdf_text(&pdf) {
            assert!(text.contains("How it is measured"), "{name}");
        }
        assert_eq!(app.get("/reports/indicators/nothing").0, 404, "{name}");
        assert_eq!(app.get("/reports/commitments/nothing").0, 404, "{name}");
        // Linked from the pages.
        assert!(
            app.get("/indicators/smoking-at-time-of-delivery")
                .2
                .contains("/reports/indicators/smoking-at-time-of-delivery")
        );
        assert!(app.get("/reports").2.contains("/reports/places/medway"), "{name}");
    }
}
