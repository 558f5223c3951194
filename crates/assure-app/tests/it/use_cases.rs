//! Each use-case through [`App`], on SQLite and PostgreSQL: what it stores, what it
//! refuses (and that a refusal writes nothing), and what the views then show.

use assure_app::{App, AppError, DataImportRequest, DataSource, ReportFormat, ReportRequest};
use assure_plan::delivery::{DeliveryUpdate, ItemKind, Publication, UpdateFields};
use assure_store::testing::{TestDb, databases};
use assure_store::{Account, AccountFields, ImportMode, Role};

const PLAN: &str = "kent-and-medway-2024-26";
/// Co-led by Medway Council's public health team.
const MEDWAY_LED: &str = "move-together-active-kent-medway-strategy-m1";
/// Led by KCC adult social care only.
const KCC_LED: &str = "technology-enhanced-lives-m1";

fn app(db: &TestDb) -> App {
    let store = db.open();
    store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "tester")).unwrap();
    App::new(store)
}

fn account(app: &App, username: &str, role: Role, organisations: &[&str]) -> Account {
    let fields = AccountFields {
        display_name: username.to_owned(),
        role,
        organisations: organisations.iter().map(|o| (*o).to_owned()).collect(),
        disabled: false,
    };
    app.store().create_account(username, "a long enough password", &fields, "tester").unwrap()
}

fn file(name: &str, text: &str) -> DataImportRequest {
    DataImportRequest {
        plan_id: PLAN.to_owned(),
        source: DataSource::File { name: name.to_owned(), bytes: text.as_bytes().to_vec() },
        map: Default::default(),
        skip_unknown_areas: false,
        skip_unmapped: false,
        mode: ImportMode::Merge,
        actor: "analyst".to_owned(),
    }
}

fn update(status: &str, narrative: &str) -> UpdateFields {
    UpdateFields { status: status.to_owned(), narrative: narrative.to_owned(), ..Default::default() }
}

/// Approval turned on, then `by` records an on-track update of the Medway-led milestone.
fn update_awaiting_approval(app: &App, by: &Account, narrative: &str) -> DeliveryUpdate {
    app.store()
        .save_settings(&assure_store::Settings { approval_required: true, ..Default::default() }, "tester")
        .unwrap();
    let views = app.views(PLAN).unwrap();
    app.record_update(by, &views.plan, &views.delivery, ItemKind::Milestone, MEDWAY_LED, &update("on_track", narrative))
        .unwrap()
}

#[test]
fn a_data_file_is_imported_whole_or_not_at_all() {
    for db in databases() {
        let app = app(&db);
        let header = "indicator,area,period,value\n";
        let good = "smoking-at-time-of-delivery,E54000032,2023/24,9.1\n";
        let bad = format!("{header}{good}smoking-at-time-of-delivery,nowhere,2024/25,8.7\n");
        match app.import_data(&file("dir/bad.csv", &bad)) {
            Err(AppError::InvalidFile { file, problems }) => {
                assert_eq!(file, "dir/bad.csv", "{}", db.name);
                let listed: Vec<_> = problems.iter().collect();
                assert_eq!(listed.len(), 1, "{}: {problems}", db.name);
                assert_eq!(listed[0].line, Some(3), "{}: {problems}", db.name);
                assert!(listed[0].to_string().contains("nowhere"), "{}: {problems}", db.name);
            }
            other => panic!("{}: expected the file refused, got {other:?}", db.name),
        }
        assert!(app.store().observations(PLAN, None).unwrap().is_empty(), "{}: nothing stored", db.name);
        assert!(app.store().data_imports(PLAN).unwrap().is_empty(), "{}: no import recorded", db.name);

        let done = app.import_data(&file("dir/good.csv", &format!("{header}{good}"))).unwrap();
        assert_eq!((done.file.as_str(), done.import.rows, done.import.inserted), ("good.csv", 1, 1), "{}", db.name);
        let again = app.import_data(&file("dir/good.csv", &format!("{header}{good}"))).unwrap();
        assert_eq!((again.import.inserted, again.import.unchanged), (0, 1), "{}: sent again, nothing new", db.name);
        let imports = app.store().data_imports(PLAN).unwrap();
        assert_eq!(imports.len(), 2, "{}", db.name);
        assert_eq!(imports[0].actor, "analyst", "{}", db.name);

        let plan = app.store().plan(PLAN).unwrap();
        let tracking = app.tracking(&plan).unwrap();
        let a = &tracking.by_id["smoking-at-time-of-delivery"];
        assert_eq!(a.latest().map(|p| p.value), Some(9.1), "{}: the status uses the imported value", db.name);
        assert!(!tracking.illustrative, "{}", db.name);
    }
}

#[test]
fn illustrative_data_goes_through_the_same_pipeline_and_is_marked() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let request = DataImportRequest { source: DataSource::Illustrative, ..file("unused", "") };
    let done = app.import_data(&request).unwrap();
    assert!(done.import.inserted > 1000, "{}", done.import.inserted);
    assert_eq!(done.file, "assure demo-data");
    let plan = app.store().plan(PLAN).unwrap();
    assert!(app.tracking(&plan).unwrap().illustrative);
}

#[test]
fn an_update_is_recorded_only_by_someone_who_may_make_it() {
    for db in databases() {
        let app = app(&db);
        let medway = account(&app, "medway", Role::Editor, &["medway-council"]);
        let viewer = account(&app, "viewer", Role::Viewer, &[]);
        let views = app.views(PLAN).unwrap();
        let (plan, delivery) = (&*views.plan, &*views.delivery);

        let refused =
            app.record_update(&medway, plan, delivery, ItemKind::Milestone, KCC_LED, &update("on_track", "x"));
        assert!(
            matches!(refused, Err(AppError::Forbidden(ref m)) if m.contains("Medway Council")),
            "{}: {refused:?}",
            db.name
        );
        let refused =
            app.record_update(&viewer, plan, delivery, ItemKind::Milestone, MEDWAY_LED, &update("on_track", "x"));
        assert!(matches!(refused, Err(AppError::Forbidden(_))), "{}: {refused:?}", db.name);
        let missing =
            app.record_update(&medway, plan, delivery, ItemKind::Milestone, "no-such", &update("on_track", "x"));
        assert!(matches!(missing, Err(AppError::NotFound { what: "milestone", .. })), "{}: {missing:?}", db.name);
        let wrong =
            app.record_update(&medway, plan, delivery, ItemKind::Milestone, MEDWAY_LED, &update("sideways", ""));
        match wrong {
            Err(AppError::Rejected(problems)) => {
                let fields: Vec<_> = problems.iter().map(|(f, _)| *f).collect();
                assert_eq!(fields, ["status", "narrative"], "{}", db.name);
            }
            other => panic!("{}: expected the fields refused, got {other:?}", db.name),
        }
        assert!(app.store().updates(PLAN, None).unwrap().is_empty(), "{}: nothing written", db.name);

        let u = app
            .record_update(&medway, plan, delivery, ItemKind::Milestone, MEDWAY_LED, &update("at_risk", "Funding late"))
            .unwrap();
        assert_eq!((u.publication, u.author.as_str()), (Publication::Published, "medway"), "{}", db.name);

        // With approval on, an editor's update waits; an admin approves it.
        let u = update_awaiting_approval(&app, &medway, "Back on");
        assert_eq!(u.publication, Publication::Pending, "{}", db.name);
        assert!(matches!(app.review_update(&medway, PLAN, u.id, true), Err(AppError::Forbidden(_))), "{}", db.name);
        let admin = account(&app, "admin", Role::Admin, &[]);
        let reviewed = app.review_update(&admin, PLAN, u.id, true).unwrap();
        assert_eq!(reviewed.publication, Publication::Published, "{}", db.name);
    }
}

#[test]
fn reports_are_rendered_from_the_views_and_the_annual_one_can_be_issued() {
    for db in databases() {
        let app = app(&db);
        let admin = account(&app, "admin", Role::Admin, &[]);
        let views = app.views(PLAN).unwrap();
        app.record_update(
            &admin,
            &views.plan,
            &views.delivery,
            ItemKind::Milestone,
            KCC_LED,
            &update("off_track", "Supplier withdrew"),
        )
        .unwrap();
        let views = app.views(PLAN).unwrap();
        assert_eq!(app.annual_report_issued(PLAN).unwrap(), None, "{}", db.name);
        let html = app.render_report(&views, &ReportRequest::Annual, ReportFormat::Html, Some("admin")).unwrap();
        let html = String::from_utf8(html).unwrap();
        assert!(html.contains("Supplier withdrew"), "{}: the update is in the annual report", db.name);
        assert!(app.annual_report_issued(PLAN).unwrap().is_some(), "{}: issuing is recorded", db.name);

        let place =
            app.render_report(&views, &ReportRequest::Place("medway".into()), ReportFormat::Html, None).unwrap();
        assert!(String::from_utf8(place).unwrap().contains("Medway"), "{}", db.name);
        let unknown = app.render_report(&views, &ReportRequest::Indicator("no-such".into()), ReportFormat::Html, None);
        assert!(matches!(unknown, Err(AppError::NotFound { what: "indicator", .. })), "{}", db.name);
    }
}

#[test]
fn a_pdf_report_is_a_pdf() {
    let db = TestDb::sqlite();
    let app = app(&db);
    let views = app.views(PLAN).unwrap();
    let first = views.plan.commitments[0].id.get_ref().clone();
    let pdf = app.render_report(&views, &ReportRequest::Commitment(first), ReportFormat::Pdf, None).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
}

#[test]
fn mappings_are_read_as_id_equals_indicator() {
    assert_eq!(
        assure_app::parse_mapping(" 93085 = smoking-at-time-of-delivery ").unwrap(),
        (93085, "smoking-at-time-of-delivery".into())
    );
    for bad in ["93085", "x=y", "93085=", "=y"] {
        let e = assure_app::parse_mapping(bad).unwrap_err();
        assert!(e.contains("ID=INDICATOR"), "{bad}: {e}");
    }
}

/// Delivery brought up to date from one read before reads again only the items whose
/// updates changed, and comes to what a whole read gives: after a report, after an
/// approval; anything else (a milestone added) makes it read the whole.
#[test]
fn delivery_brought_up_to_date_reads_only_what_changed_and_equals_a_whole_read() {
    let revision = |app: &App| app.store().served_revision(Some(PLAN)).unwrap().unwrap().revision;
    let same = |a: &assure_tracking::delivery::Delivery, b: &assure_tracking::delivery::Delivery| {
        a.updates() == b.updates()
            && a.added == b.added
            && (a.stale_days, a.approval_required) == (b.stale_days, b.approval_required)
    };
    for db in databases() {
        let app = app(&db);
        let (medway, kcc) =
            (account(&app, "medway", Role::Editor, &["medway-council"]), account(&app, "kcc", Role::Editor, &["kcc"]));
        let admin = account(&app, "admin", Role::Admin, &[]);
        let views = app.views(PLAN).unwrap();
        app.record_update(
            &kcc,
            &views.plan,
            &views.delivery,
            ItemKind::Milestone,
            KCC_LED,
            &update("on_track", "Going"),
        )
        .unwrap();
        let (known, known_at) = (app.delivery(PLAN).unwrap(), revision(&app));

        let views = app.views(PLAN).unwrap();
        app.record_update(
            &medway,
            &views.plan,
            &views.delivery,
            ItemKind::Milestone,
            MEDWAY_LED,
            &update("at_risk", "Late"),
        )
        .unwrap();
        let changed = app.store().updates_since(PLAN, known_at).unwrap().expect("only updates changed");
        assert_eq!(changed.items, [(ItemKind::Milestone, MEDWAY_LED.to_owned())], "{}", db.name);
        assert_eq!(changed.updates.len(), 1, "{}: only that item's updates are read", db.name);
        let brought = app.delivery_since(PLAN, &known, known_at).unwrap();
        assert_eq!(brought.updates().len(), 2, "{}", db.name);
        assert!(same(&brought, &app.delivery(PLAN).unwrap()), "{}", db.name);

        // An update awaiting approval, then approved: the approved one replaces it.
        let pending = update_awaiting_approval(&app, &medway, "Back");
        let (known, known_at) = (app.delivery(PLAN).unwrap(), revision(&app));
        app.review_update(&admin, PLAN, pending.id, true).unwrap();
        let brought = app.delivery_since(PLAN, &known, known_at).unwrap();
        let approved = brought.updates().iter().find(|u| u.id == pending.id).unwrap();
        assert_eq!(approved.publication, Publication::Published, "{}", db.name);
        assert!(same(&brought, &app.delivery(PLAN).unwrap()), "{}", db.name);

        // A milestone added: not an update, so the whole is read, added milestone and all.
        let (known, known_at) = (app.delivery(PLAN).unwrap(), revision(&app));
        let plan = &views.plan;
        let delivering = plan.delivery_examples.iter().find_map(|e| e.plans.first()).unwrap().get_ref();
        app.store().add_milestone(PLAN, delivering, "Our own step", "March 2027", &|_| false, "kcc").unwrap();
        assert_eq!(app.store().updates_since(PLAN, known_at).unwrap(), None, "{}", db.name);
        let brought = app.delivery_since(PLAN, &known, known_at).unwrap();
        assert_eq!(brought.added.len(), 1, "{}", db.name);
        assert!(same(&brought, &app.delivery(PLAN).unwrap()), "{}", db.name);
    }
}
