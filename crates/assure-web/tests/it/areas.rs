//! Geography from files over real HTTP, on both databases: a plan editor loads the
//! illustrative list of Kent and Medway's PCNs and Medway's localities into a draft (one
//! audit entry), a file with an unknown parent, a duplicate code and a cycle is refused
//! with every problem by line and nothing written, a workbook made with rust_xlsxwriter
//! loads practices, and after publishing, indicator data given for a PCN by its ODS code
//! imports and shows on the PCN's page, listed on its partnership's.

use assure_plan::{AreaKind, Sp};
use assure_store::{AuditFilter, Permission, Role, Store};

use crate::{PASSWORD, account, apps};

/// The illustrative areas file of `data/areas`.
pub fn pcn_file() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/areas/kent-and-medway-pcns-illustrative.csv");
    std::fs::read_to_string(path).unwrap()
}

const DRAFT: &str = "kent-and-medway-2026-28";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn start_draft(store: &Store) {
    let mut plan = assure_plan::bundled().unwrap();
    plan.meta.id = Sp::new(0..0, DRAFT.to_owned());
    store.create_draft(&plan, Some("kent-and-medway-2024-26"), "test").unwrap();
}

fn imports(store: &Store) -> Vec<assure_store::AuditEntry> {
    store
        .audit(&AuditFilter { values: true, ..AuditFilter::default() })
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "import" && e.entity == "area")
        .collect()
}

/// Practices under a PCN of the file, as a workbook: a header row, dates as date cells.
fn practices_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in ["code", "name", "kind", "parent", "ods", "aliases", "valid_from"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows = [
        ("practice-g82001", "Dartford Medical Centre", "G82001", "Dartford Health Centre; DMC"),
        ("practice-g82002", "Temple Hill Surgery", "G82002", ""),
    ];
    for (r, (code, name, ods, aliases)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *code).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        sheet.write_string(r, 2, "practice").unwrap();
        sheet.write_string(r, 3, "pcn-dartford-central").unwrap();
        sheet.write_string(r, 4, *ods).unwrap();
        sheet.write_string(r, 5, *aliases).unwrap();
        sheet.write_datetime_with_format(r, 6, ExcelDateTime::from_ymd(2024, 4, 1).unwrap(), &date).unwrap();
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn a_plan_editor_loads_pcns_and_localities_into_a_draft_with_one_audit_entry() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "officer", Role::Viewer, &[]);
        store.set_permission("officer", Permission::PlanEditor, true, "test").unwrap();
        start_draft(&store);
        let mut officer = app.browser();
        assert_eq!(officer.sign_in("officer", PASSWORD).status, 303, "{name}");
        let page = officer.get(&format!("/plan-versions/{DRAFT}/areas"));
        assert_eq!(page.status, 200, "{name}: {}", page.body);
        for needle in ["Load areas from a file", "enctype=\"multipart/form-data\"", "areas/template.csv", "valid_from"]
        {
            assert!(page.body.contains(needle), "{name}: the upload page lacks {needle:?}");
        }
        let (status, kind, template) = officer.get_bytes(&format!("/plan-versions/{DRAFT}/areas/template.csv"));
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"), "{name}");
        assert!(template.starts_with(b"code,name,kind,parent,ons,ods,aliases,valid_from,valid_to\n"), "{name}");

        let r = officer.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "pcns.csv", &pcn_file(), true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(r.body.contains("pcns.csv: 47 added, 0 changed, 0 unchanged"), "{name}: {}", r.body);
        assert!(r.body.contains("6 localities, 41 primary care networks"), "{name}: the counts of the saved draft");
        let draft = store.draft(DRAFT).unwrap().unwrap().plan;
        let count = |k: AreaKind| draft.areas.iter().filter(|a| a.kind == k).count();
        assert_eq!((count(AreaKind::Pcn), count(AreaKind::Locality)), (41, 6), "{name}");
        let ashford = draft.area("pcn-ashford-north").expect("an added PCN");
        assert_eq!(ashford.parent.as_ref().map(|p| p.get_ref().as_str()), Some("hcp-east-kent"), "{name}");
        assert_eq!(ashford.aliases, ["Ashford North Primary Care Network"], "{name}");
        assert!(assure_app::check_plan(&draft).is_empty(), "{name}: the draft checks clean");
        let entries = imports(&store);
        assert_eq!(entries.len(), 1, "{name}: one audit entry for the file");
        let e = &entries[0];
        assert_eq!(
            (e.entity_id.as_str(), e.actor.as_str(), e.plan_id.as_deref()),
            ("pcns.csv", "officer", Some(DRAFT))
        );
        assert!(
            e.after.as_ref().is_some_and(|a| a.to_string().contains("pcn-ashford-north")),
            "{name}: the areas after"
        );
        // The published plan is untouched.
        assert!(store.plan("kent-and-medway-2024-26").unwrap().area("pcn-ashford-north").is_none(), "{name}");

        // The same file again changes nothing and records nothing; a renamed PCN changes one.
        let r = officer.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "pcns.csv", &pcn_file(), true);
        assert!(r.body.contains("0 added, 0 changed, 47 unchanged"), "{name}: {}", r.body);
        assert_eq!(imports(&store).len(), 1, "{name}: nothing changed, nothing audited");
        let renamed = "code,name,kind,parent,ods\npcn-weald,High Weald PCN,pcn,hcp-west-kent,\n";
        let r = officer.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "rename.csv", renamed, true);
        assert!(r.body.contains("0 added, 1 changed, 0 unchanged"), "{name}: {}", r.body);
        assert!(r.body.contains("<del>Weald PCN</del>"), "{name}: the change shown");
        assert!(r.body.contains("ods <del>U99041</del> → <ins>(none)</ins>"), "{name}: an emptied field shown");
        let draft = store.draft(DRAFT).unwrap().unwrap().plan;
        let weald = draft.area("pcn-weald").unwrap();
        assert_eq!(weald.name, "High Weald PCN", "{name}");
        assert!(weald.ods.is_none(), "{name}: an empty cell empties its field");
        assert_eq!(weald.aliases, ["Weald Primary Care Network"], "{name}: a column the file lacks leaves its field");

        // Practices from a workbook, under a PCN loaded before.
        let r = officer.post_file(
            &format!("/plan-versions/{DRAFT}/areas"),
            "practices.xlsx",
            XLSX,
            &practices_workbook(),
            true,
        );
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(r.body.contains("practices.xlsx: 2 added"), "{name}: {}", r.body);
        let draft = store.draft(DRAFT).unwrap().unwrap().plan;
        let practice = draft.area("practice-g82001").unwrap();
        assert_eq!(practice.kind, AreaKind::Practice, "{name}");
        assert_eq!(practice.valid_from.as_deref(), Some("2024-04-01"), "{name}: a date cell read as a date");
        assert_eq!(practice.aliases, ["Dartford Health Centre", "DMC"], "{name}");

        // Areas go into drafts only.
        let r = officer.post_multipart("/plan-versions/kent-and-medway-2024-26/areas", "pcns.csv", &pcn_file(), true);
        assert_eq!(r.status, 404, "{name}");
        assert!(r.body.contains("loaded into a draft"), "{name}: {}", r.body);
    }
}

#[test]
fn a_file_with_an_unknown_parent_a_duplicate_code_and_a_cycle_is_refused_by_line_and_nothing_written() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        start_draft(&store);
        let mut admin = app.browser();
        assert_eq!(admin.sign_in("admin", PASSWORD).status, 303, "{name}");
        let before = store.draft(DRAFT).unwrap().unwrap();
        let audit_before = store.audit(&AuditFilter::default()).unwrap().len();
        let bad = "code,name,kind,parent,ods\n\
                   pcn-a,A PCN,pcn,hcp-nowhere,U00001\n\
                   pcn-b,B PCN,pcn,hcp-west-kent,U00002\n\
                   pcn-b,B again,pcn,hcp-west-kent,U00003\n\
                   loc-x,X,locality,loc-y,\n\
                   loc-y,Y,locality,loc-x,\n\
                   pcn-c,,ward,hcp-west-kent,QKS\n";
        let r = admin.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "bad.csv", bad, true);
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        for needle in [
            "bad.csv:2: parent: there is no area 'hcp-nowhere' in the file or in the plan",
            "bad.csv:4: code: the code 'pcn-b' is already on line 3 of the file",
            "bad.csv:5: parent: the area 'loc-x' would lie in itself: loc-x → loc-y → loc-x",
            "bad.csv:6: parent: the area 'loc-y' would lie in itself",
            "bad.csv:7: name: enter the area's name",
            "bad.csv:7: kind: 'ward' is not a kind of area",
            "The file has 6 problem(s); nothing was changed",
        ] {
            assert!(r.body.contains(needle), "{name}: the page lacks {needle:?}:\n{}", r.body);
        }
        let after = store.draft(DRAFT).unwrap().unwrap();
        assert_eq!(after.updated_at, before.updated_at, "{name}: the draft is as it was");
        assert_eq!(after.plan.areas.len(), before.plan.areas.len(), "{name}");
        assert_eq!(store.audit(&AuditFilter::default()).unwrap().len(), audit_before, "{name}: nothing audited");
        // An ODS code another area has, and a malformed one.
        let clash = "code,name,kind,parent,ods,ons\npcn-q,Q PCN,pcn,hcp-west-kent,U1234,E0700010\nicb-copy,ICB copy,ics,,QKS,\n";
        let r = admin.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "clash.csv", clash, true);
        assert_eq!(r.status, 422, "{name}");
        for needle in [
            "clash.csv:2: ods: 'U1234' is not a primary care network's ODS code",
            "clash.csv:2: ons: 'E0700010' is not an ONS area code",
            "clash.csv:3: ods: the ODS code QKS of 'icb-copy' is already the code of 'kent-medway-ics'",
        ] {
            assert!(r.body.contains(needle), "{name}: the page lacks {needle:?}:\n{}", r.body);
        }
        let r = admin.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "", "", true);
        assert_eq!(r.status, 422, "{name}: no file");
        assert!(r.body.contains("Choose a CSV or .xlsx file"), "{name}");
    }
}

#[test]
fn data_for_a_pcn_imports_after_publishing_and_its_partnership_lists_it() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "admin", Role::Admin, &[]);
        start_draft(&store);
        let mut admin = app.browser();
        assert_eq!(admin.sign_in("admin", PASSWORD).status, 303, "{name}");
        let r = admin.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "pcns.csv", &pcn_file(), true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        // Published as an import of the draft's plan (the newest import is served).
        let plan = store.draft(DRAFT).unwrap().unwrap().plan;
        store.delete_draft(DRAFT, "test").unwrap();
        store.import_plan(&assure_store::ImportPlanRequest::new(&plan, "test")).unwrap();
        assert_eq!(store.served_plan(None).unwrap().unwrap().0, DRAFT, "{name}");

        // A PCN named by its ODS code, another by its alias.
        let csv = "indicator,area,period,value\n\
                   smoking-at-time-of-delivery,U99001,2024/25,7.5\n\
                   smoking-at-time-of-delivery,Weald Primary Care Network,2024/25,4.25\n";
        let r = admin.post_multipart("/data/upload", "pcn-data.csv", csv, true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        let rows = store.observations(DRAFT, Some("smoking-at-time-of-delivery")).unwrap();
        let areas: Vec<&str> = rows.iter().map(|o| o.key.area.as_str()).collect();
        assert!(areas.contains(&"pcn-dartford-central") && areas.contains(&"pcn-weald"), "{name}: {areas:?}");

        let (status, _, hcp) = app.get("/places/hcp-dgs");
        assert_eq!(status, 200, "{name}");
        for needle in [
            "Areas in Dartford, Gravesham and Swanley",
            "Primary care networks (7)",
            "href=\"/places/pcn-dartford-central\"",
            "(U99001)",
        ] {
            assert!(hcp.contains(needle), "{name}: the HCP page lacks {needle:?}");
        }
        let (status, _, medway) = app.get("/places/medway");
        assert_eq!(status, 200, "{name}");
        assert!(medway.contains("Localities (6)") && medway.contains("href=\"/places/locality-strood\""), "{name}");
        let (status, _, pcn) = app.get("/places/pcn-dartford-central");
        assert_eq!(status, 200, "{name}");
        assert!(pcn.contains("primary care network"), "{name}: its kind");
        assert!(pcn.contains("href=\"/places/hcp-dgs\""), "{name}: part of its partnership");
        assert!(pcn.contains("7.5"), "{name}: its data on its page");
        let (_, _, places) = app.get("/places");
        let section = places.split("<h2>Primary care networks</h2>").nth(1).unwrap_or_default();
        let section = section.split("<h2>").next().unwrap_or_default();
        assert!(section.contains("41 primary care networks"), "{name}: counted on /places");
        assert!(
            section.contains("href=\"/places/hcp-east-kent\">East Kent Health and Care Partnership</a> (16)"),
            "{name}: {section}"
        );
    }
}
