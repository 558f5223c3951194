//! People and permissions over real HTTP: every write route × every role × an item of
//! the person's own organisation and of another, asserting allowed or denied and that a
//! denied request changed nothing; CSRF, session fixation, sign-out, throttling, API
//! tokens across organisations.

use assure_plan::Plan;
use assure_store::{AccountFields, ItemKind, Role, Store};

use crate::{Browser, PASSWORD, Reply, TestApp, account, apps};

const AREA: &str = "kent-medway-ics";
/// A draft of the plan, for the plan editors' routes.
const DRAFT: &str = "kent-and-medway-2026-28";

/// The people of the matrix: name, and whether they are signed in as someone.
const PEOPLE: [&str; 5] = ["anonymous", "viewer", "medway", "kcc", "admin"];

fn people(app: &TestApp) -> Vec<(&'static str, Browser)> {
    let store = app.db.open();
    account(&store, "viewer", Role::Viewer, &[]);
    account(&store, "medway", Role::Editor, &["medway-council"]);
    account(&store, "kcc", Role::Editor, &["kcc"]);
    account(&store, "admin", Role::Admin, &[]);
    account(&store, "spare", Role::Viewer, &[]);
    PEOPLE
        .iter()
        .map(|p| {
            let mut b = app.browser();
            if *p != "anonymous" {
                let r = b.sign_in(p, PASSWORD);
                assert_eq!(r.status, 303, "{p} signs in: {}", r.body);
            }
            (*p, b)
        })
        .collect()
}

/// A delivering plan led (through directorates too) by `org`'s family and not by `other`'s.
fn plan_led_by_only(plan: &Plan, org: &str, other: &str) -> String {
    plan.delivering_plans
        .iter()
        .map(|p| p.id.get_ref().clone())
        .find(|p| {
            let leads = plan.delivering_plan_leads(p);
            !leads.is_empty()
                && plan.led_by_any(&leads, &[org.to_owned()])
                && !plan.led_by_any(&leads, &[other.to_owned()])
        })
        .unwrap_or_else(|| panic!("no plan led by {org} alone"))
}

/// Who may make a request: by the person's name in [`PEOPLE`].
type Rule = fn(&str) -> bool;
/// A write route: path, form fields, who may.
type WriteRoute<'a> = (String, Vec<(&'a str, String)>, Rule);

/// Whether the reply lets the request through (denied: 401, 403, 404, or sent to sign in).
fn allowed(r: &Reply) -> bool {
    match r.status {
        200 | 201 => true,
        303 => !r.location.starts_with("/sign-in"),
        // 404: another person's token is not theirs to see.
        401 | 403 | 404 => false,
        s => panic!("unexpected status {s}: {}", r.body),
    }
}

fn changes(store: &Store) -> usize {
    store.audit(&assure_store::AuditFilter::default()).unwrap().len()
}

#[test]
fn every_write_route_for_every_role_on_own_and_other_organisations() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let plan = assure_plan::bundled().unwrap();
        let mut browsers = people(&app);
        // A draft of the next version, and the forms that edit it (admins and plan editors).
        let draft = DRAFT;
        let admin = store.account("admin").unwrap().unwrap();
        assure_app::App::new(store.clone()).start_draft(&admin, "kent-and-medway-2024-26", draft, None).unwrap();
        let edit = |rest: &str| format!("/plan-versions/{draft}/edit/{rest}");
        let indicator_form: Vec<(&str, String)> = {
            let values =
                assure_app::form_values(&plan, assure_app::PlanItemKind::Indicator, "smoking-at-time-of-delivery")
                    .unwrap();
            assure_app::edit_fields(assure_app::PlanItemKind::Indicator)
                .iter()
                .map(|f| (f.path, if f.path == "target.value" { "5".to_owned() } else { values[f.path].clone() }))
                .collect()
        };
        let linked = plan.commitments.iter().find(|c| c.links.len() >= 3).unwrap().id.get_ref().clone();
        let other_commitment =
            plan.commitments.iter().find(|c| c.id.get_ref() != &linked).unwrap().id.get_ref().clone();
        // Milestones: KCC Adult Social Care (a directorate of KCC) alone leads Technology
        // Enhanced Lives. No milestone of the published plan is led by Medway alone, so
        // the Medway one is added to a plan Medway alone leads.
        let medway_plan = plan_led_by_only(&plan, "medway-council", "kcc");
        let kcc_plan = plan_led_by_only(&plan, "kcc", "medway-council");
        let added = store
            .add_milestone(
                "kent-and-medway-2024-26",
                &medway_plan,
                "Medway's own step",
                "March 2027",
                &|_| false,
                "test",
            )
            .unwrap();
        let medway_milestone = added.id.as_str();
        let kcc_milestone = "technology-enhanced-lives-m1";
        assert!(!plan.led_by_any(&plan.milestone_leads(kcc_milestone), &["medway-council".into()]));
        assert!(plan.led_by_any(&plan.milestone_leads(kcc_milestone), &["kcc".into()]));
        // A token to revoke, and an update to approve, per person.
        let pending = |store: &Store| {
            store
                .add_update(
                    "kent-and-medway-2024-26",
                    ItemKind::Milestone,
                    kcc_milestone,
                    &assure_store::UpdateDraft {
                        status: assure_plan::delivery::DeliveryStatus::OnTrack,
                        narrative: "to review".into(),
                        evidence: vec![],
                        expected: None,
                        expected_reason: None,
                        internal_note: None,
                    },
                    assure_store::Publication::Pending,
                    "kcc",
                )
                .unwrap()
                .id
        };
        let update = |status: &str| vec![("status", status.to_owned()), ("narrative", "Progress made".to_owned())];

        // (route, fields, who may): "own" items are Medway's, "other" items KCC's.
        let anyone: Rule = |p| p != "anonymous";
        let admin_only: Rule = |p| p == "admin";
        let medway_or_admin: Rule = |p| p == "medway" || p == "admin";
        let kcc_or_admin: Rule = |p| p == "kcc" || p == "admin";
        let editors: Rule = |p| matches!(p, "medway" | "kcc" | "admin");
        for (who, browser) in &mut browsers {
            let own_token =
                store.create_token(if *who == "anonymous" { "admin" } else { who }, "t", "test").unwrap().0.id;
            let admins_token = store.create_token("admin", "t", "test").unwrap().0.id;
            let review_id = pending(&store);
            // A Fingertips source per person, to add (another) and to remove.
            let area_type = who.bytes().map(u32::from).sum::<u32>();
            let fingertips = |area_type_id: u32| assure_store::NewFingertipsSource {
                plan_id: "kent-and-medway-2024-26".into(),
                indicator_id: 93085,
                area_type_id,
                parent_area_type_id: 15,
                parent_area_code: None,
                every: assure_store::Refresh::Weekly,
            };
            let source_id = store.add_fingertips_source(&fingertips(area_type), "test").unwrap().id;
            // A draft to publish, per person (last in the list: the admin's publication
            // changes the plan served).
            let mut copy = plan.clone();
            let to_publish = format!("matrix-{who}");
            copy.meta.id = assure_plan::Sp::new(0..0, to_publish.clone());
            store.create_draft(&copy, Some("kent-and-medway-2024-26"), "test").unwrap();
            // The publish page: admins (and plan editors) only.
            let r = browser.get(&format!("/plan-versions/{to_publish}/publish"));
            assert_eq!(allowed(&r), *who == "admin", "{name}: {who} GET publish: {}", r.status);
            let routes: Vec<WriteRoute> = vec![
                (format!("/milestones/{medway_milestone}/update"), update("on_track"), medway_or_admin),
                (format!("/milestones/{kcc_milestone}/update"), update("at_risk"), kcc_or_admin),
                (format!("/plans/{medway_plan}/update"), update("on_track"), medway_or_admin),
                (format!("/plans/{kcc_plan}/update"), update("off_track"), kcc_or_admin),
                (
                    format!("/plans/{medway_plan}/milestones"),
                    vec![("title", "A new step".into()), ("due", "March 2027".into())],
                    medway_or_admin,
                ),
                (
                    format!("/plans/{kcc_plan}/milestones"),
                    vec![("title", "A new step".into()), ("due", "March 2027".into())],
                    kcc_or_admin,
                ),
                (
                    "/admin/users".into(),
                    vec![("username", format!("new-{who}")), ("display_name", "N".into()), ("role", "viewer".into())],
                    admin_only,
                ),
                (
                    "/admin/users/spare".into(),
                    vec![("display_name", "Vera".into()), ("role", "viewer".into())],
                    admin_only,
                ),
                ("/admin/users/spare/reset-password".into(), vec![], admin_only),
                ("/admin/settings".into(), vec![("stale_days", "60".into())], admin_only),
                (format!("/admin/approvals/{review_id}"), vec![("decision", "approve".into())], admin_only),
                ("/account/tokens".into(), vec![("name", "script".into())], anyone),
                (format!("/account/tokens/{own_token}/revoke"), vec![], anyone),
                (format!("/account/tokens/{admins_token}/revoke"), vec![], admin_only),
                (edit("indicator/smoking-at-time-of-delivery"), indicator_form.clone(), admin_only),
                (
                    format!("/plan-versions/{draft}/add/organisation"),
                    vec![("id", "matrix-org".into()), ("name", "Matrix organisation".into()), ("kind", "other".into())],
                    admin_only,
                ),
                (
                    edit("organisation/matrix-org/rename"),
                    vec![("new_name", "Matrix organisation renamed".into())],
                    admin_only,
                ),
                (edit("organisation/medway-hwb/merge"), vec![("into", "medway-council".into())], admin_only),
                (
                    edit(&format!("commitment/{linked}/links")),
                    vec![("plans", plan.delivering_plans[0].id.get_ref().clone()), ("led_by", "kcc".into())],
                    admin_only,
                ),
                (
                    edit(&format!("commitment/{linked}/links/1/move")),
                    vec![("to", other_commitment.clone())],
                    admin_only,
                ),
                (edit(&format!("commitment/{linked}/links/1/remove")), vec![], admin_only),
                (edit("organisation/matrix-org/remove"), vec![], admin_only),
                (
                    "/plan-versions".into(),
                    vec![
                        ("from", "kent-and-medway-2024-26".into()),
                        ("id", format!("started-by-{who}")),
                        ("title", String::new()),
                    ],
                    admin_only,
                ),
                (
                    "/admin/data-sources".into(),
                    vec![
                        ("indicator", "93085".into()),
                        ("area_type", (area_type + 1).to_string()),
                        ("parent_area_type", "15".into()),
                        ("every", "daily".into()),
                    ],
                    admin_only,
                ),
                (format!("/admin/data-sources/{source_id}/remove"), vec![], admin_only),
                (format!("/plan-versions/{to_publish}/publish"), vec![("confirm", "yes".into())], admin_only),
            ];
            for (path, fields, may) in routes {
                let before = changes(&store);
                let r = browser.post_form(&path, &fields, true);
                let expected = may(who);
                assert_eq!(allowed(&r), expected, "{name}: {who} POST {path}: {} {}", r.status, r.location);
                let after = changes(&store);
                if expected {
                    assert!(after > before, "{name}: {who} POST {path} was allowed but changed nothing");
                } else {
                    assert_eq!(after, before, "{name}: {who} POST {path} was denied but changed something");
                    // Its body may be unread, so the connection is not to be reused.
                    assert!(r.closes, "{name}: {who} POST {path} denied without Connection: close");
                }
                // Without the CSRF token, nobody gets through.
                if *who != "anonymous" {
                    let before = changes(&store);
                    let r = browser.post_form(&path, &fields, false);
                    assert_eq!(r.status, 403, "{name}: {who} POST {path} without CSRF token");
                    assert_eq!(changes(&store), before, "{name}: {who} POST {path} without CSRF changed something");
                }
            }
            // The upload page: editors and admins.
            let before = changes(&store);
            let csv =
                format!("indicator,area,period,value\nsmoking-at-time-of-delivery,{AREA},2024/25,9.{}\n", who.len());
            let csv = csv.as_str();
            let r = browser.post_multipart("/data/upload", "data.csv", csv, true);
            assert_eq!(allowed(&r), editors(who), "{name}: {who} upload: {} {}", r.status, r.body);
            assert_eq!(changes(&store) > before, editors(who), "{name}: {who} upload");
            if *who != "anonymous" {
                let r = browser.post_multipart("/data/upload", "data.csv", csv, false);
                assert_eq!(r.status, 403, "{name}: {who} upload without CSRF");
            }
            // Comparing a zip of plan files: anyone signed in; it stores nothing.
            let files = assure_plan::write::to_files(&plan).unwrap();
            let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
            for f in &files {
                zip.start_file(f.name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
                std::io::Write::write_all(&mut zip, f.text.as_bytes()).unwrap();
            }
            let zip = zip.finish().unwrap().into_inner();
            let before = changes(&store);
            let fields = [("against", "kent-and-medway-2024-26")];
            let r = browser.post_multipart_bytes("/plan-versions/compare", &fields, "plan.zip", &zip);
            assert_eq!(allowed(&r), *who != "anonymous", "{name}: {who} compare: {}", r.status);
            assert_eq!(changes(&store), before, "{name}: {who}: comparing stored nothing");
            // Areas from a file into a draft: plan editors (here, the admin) only.
            let before = changes(&store);
            let areas = format!("code,name,kind,parent\npcn-{who},{who} PCN,pcn,hcp-west-kent\n");
            let r = browser.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "areas.csv", &areas, true);
            assert_eq!(allowed(&r), *who == "admin", "{name}: {who} areas: {} {}", r.status, r.body);
            assert_eq!(changes(&store) > before, *who == "admin", "{name}: {who} areas");
            if *who != "anonymous" {
                let r = browser.post_multipart(&format!("/plan-versions/{DRAFT}/areas"), "areas.csv", &areas, false);
                assert_eq!(r.status, 403, "{name}: {who} areas without CSRF");
            }
            for path in [format!("/plan-versions/{DRAFT}/areas"), format!("/plan-versions/{DRAFT}/areas/template.csv")]
            {
                let r = browser.get(&path);
                assert_eq!(allowed(&r), *who == "admin", "{name}: {who} GET {path}: {}", r.status);
            }
            // Pages for admins only.
            for path in ["/admin", "/admin/users", "/admin/settings", "/admin/approvals", "/admin/data-sources"] {
                let r = browser.get(path);
                assert_eq!(allowed(&r), *who == "admin", "{name}: {who} GET {path}: {}", r.status);
            }
            // The draft editor's pages: admins and plan editors.
            for path in [
                format!("/plan-versions/{draft}/edit"),
                edit("indicator/smoking-at-time-of-delivery"),
                edit("area/medway/remove"),
                format!("/plan-versions/{draft}/add/commitment"),
            ] {
                let r = browser.get(&path);
                assert_eq!(allowed(&r), *who == "admin", "{name}: {who} GET {path}: {}", r.status);
            }
            for path in ["/account", "/audit"] {
                assert_eq!(allowed(&browser.get(path)), *who != "anonymous", "{name}: {who} GET {path}");
            }
        }
        // Each person's own password change (last: it ends their sessions).
        for (who, browser) in &mut browsers {
            let before = changes(&store);
            let old_session = browser.cookies.get("assure_session").cloned();
            let fields =
                vec![("current_password", PASSWORD.to_owned()), ("new_password", "another long password".to_owned())];
            let r = browser.post_form("/account/password", &fields, true);
            assert_eq!(allowed(&r), *who != "anonymous", "{name}: {who} changes password: {}", r.status);
            assert_eq!(changes(&store) > before, *who != "anonymous", "{name}: {who}");
            if let Some(old) = old_session {
                assert_eq!(browser.get("/account").status, 200, "{name}: {who} stays signed in, in a new session");
                let mut thief = app.browser();
                thief.cookies.insert("assure_session".into(), old);
                assert_eq!(thief.get("/account").status, 303, "{name}: {who}: the change ended the old session");
            }
        }
    }
}

#[test]
fn api_tokens_work_only_for_their_own_organisation() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        account(&store, "kcc", Role::Editor, &["kcc"]);
        account(&store, "viewer", Role::Viewer, &[]);
        let (_, medway) = store.create_token("medway", "script", "test").unwrap();
        let (_, kcc) = store.create_token("kcc", "script", "test").unwrap();
        let (_, viewer) = store.create_token("viewer", "script", "test").unwrap();
        let body = r#"{"status":"on_track","narrative":"Going well","evidence":["https://example.org/paper"]}"#;
        let plan = assure_plan::bundled().unwrap();
        let m = format!("/api/v1/plans/{}/updates", plan_led_by_only(&plan, "medway-council", "kcc"));
        let m = m.as_str();
        let k = "/api/v1/milestones/technology-enhanced-lives-m1/updates";
        let mut b = app.browser();
        for (token, path, status) in [
            (Some(medway.as_str()), m, 201),
            (Some(medway.as_str()), k, 403),
            (Some(kcc.as_str()), k, 201),
            (Some(kcc.as_str()), m, 403),
            (Some(viewer.as_str()), m, 403),
            (None, m, 401),
            (Some("assure_0000"), m, 401),
        ] {
            let r = b.post_json(path, token, body);
            assert_eq!(r.status, status, "{name}: {token:?} {path}: {}", r.body);
            assert_eq!(r.closes, status != 201, "{name}: {token:?} {path}: Connection: close when refused");
        }
        let r = b.post_json(m, Some(&medway), r#"{"status":"sideways","narrative":"x"}"#);
        assert_eq!(r.status, 400, "{name}");
        assert!(r.body.contains("\"field\":\"status\""), "{name}: {}", r.body);
        // The update is public, from its organisation as the page says; who wrote it is
        // given only to a token, as the page shows it only to people signed in.
        let (_, _, page) = app.get("/api/v1/milestones/technology-enhanced-lives-m1");
        let v: serde_json::Value = serde_json::from_str(&page).unwrap();
        assert_eq!(v["progress"]["status"], "on_track", "{name}");
        assert!(v["updates"][0]["author"].is_null(), "{name}: {page}");
        assert_eq!(v["updates"][0]["from"], "Kent County Council", "{name}: {page}");
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let signed = agent
            .get(&format!("{}/api/v1/milestones/technology-enhanced-lives-m1", app.base))
            .header("Authorization", &format!("Bearer {kcc}"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&signed).unwrap();
        assert_eq!(v["updates"][0]["author"], "kcc", "{name}: {signed}");
        assert_eq!(v["led_by"][0]["id"], "kcc-adult-social-care", "{name}");
        // A revoked token stops working at once; so does a disabled account's.
        let id = store.tokens(Some("medway")).unwrap()[0].id;
        store.revoke_token(id, "test").unwrap();
        assert_eq!(b.post_json(m, Some(&medway), body).status, 401, "{name}: revoked");
        let fields = AccountFields {
            display_name: "k".into(),
            role: Role::Editor,
            organisations: vec!["kcc".into()],
            disabled: true,
        };
        store.update_account("kcc", &fields, "test").unwrap();
        assert_eq!(b.post_json(k, Some(&kcc), body).status, 401, "{name}: disabled");
        // A session cookie is not enough for the API's writes (a page elsewhere could send it).
        let mut s = app.browser();
        account(&store, "admin", Role::Admin, &[]);
        s.sign_in("admin", PASSWORD);
        assert_eq!(s.post_json(m, None, body).status, 401, "{name}: cookie on the API");
    }
}

#[test]
fn sessions_are_fresh_at_sign_in_and_end_at_sign_out() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        // Fixation: a session id planted before sign-in is not the one that works after.
        let mut b = app.browser();
        b.cookies.insert("assure_session".into(), "planted".into());
        let r = b.sign_in("medway", PASSWORD);
        assert_eq!(r.status, 303, "{name}");
        let issued = b.cookies["assure_session"].clone();
        assert_ne!(issued, "planted", "{name}");
        assert!(
            r.set_cookies.iter().any(|c| c.starts_with("assure_session=")
                && c.contains("HttpOnly")
                && c.contains("Secure")
                && c.contains("SameSite=Lax")),
            "{name}: {:?}",
            r.set_cookies
        );
        let mut attacker = app.browser();
        attacker.cookies.insert("assure_session".into(), "planted".into());
        assert_eq!(attacker.get("/account").status, 303, "{name}: the planted id is worthless");
        // Two sign-ins, two sessions.
        let mut other = app.browser();
        other.sign_in("medway", PASSWORD);
        assert_ne!(other.cookies["assure_session"], issued, "{name}");
        // Sign out ends the session in the database: the old cookie no longer works.
        assert_eq!(b.get("/account").status, 200, "{name}");
        let stolen = b.cookies["assure_session"].clone();
        let r = b.post_form("/sign-out", &[], true);
        assert_eq!(r.status, 303, "{name}");
        let mut replay = app.browser();
        replay.cookies.insert("assure_session".into(), stolen);
        assert_eq!(replay.get("/account").status, 303, "{name}: the session ended");
        assert_eq!(other.get("/account").status, 200, "{name}: the other session lives on");
        // The sign-in form itself needs its token.
        let mut c = app.browser();
        let r = c.post_form("/sign-in", &[("username", "medway".into()), ("password", PASSWORD.into())], false);
        assert_eq!(r.status, 403, "{name}: sign-in without its token");
        // Disabling an account ends its sessions.
        let fields = AccountFields {
            display_name: "m".into(),
            role: Role::Editor,
            organisations: vec!["medway-council".into()],
            disabled: true,
        };
        store.update_account("medway", &fields, "test").unwrap();
        assert_eq!(other.get("/account").status, 303, "{name}: disabled");
        let r = c.sign_in("medway", PASSWORD);
        assert_eq!(r.status, 422, "{name}: a disabled account cannot sign in");
    }
}

#[test]
fn sign_in_is_throttled_without_saying_whether_an_account_exists() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        let mut b = app.browser();
        let mut messages = Vec::new();
        for user in ["medway", "nobody"] {
            for _ in 0..assure_store::MAX_FAILURES_PER_USERNAME {
                let r = b.sign_in(user, "wrong password!!");
                assert_eq!(r.status, 422, "{name}");
                assert!(r.body.contains("The username or password is not right"), "{name}");
            }
            // Locked now, even with the right password; the same words for both.
            let r = b.sign_in(user, PASSWORD);
            assert_eq!(r.status, 422, "{name}: {user} locked");
            let message = r.body.split("too many failed attempts").nth(1).map(|s| s[..60].to_owned());
            assert!(message.is_some(), "{name}: {user}: {}", r.body);
            messages.push(message);
        }
        assert_eq!(messages[0], messages[1], "{name}: a real and a made-up username read the same");
        // The lock is in the database: a second server process sees it.
        let second = app.second_server();
        let r = second.browser().sign_in("medway", PASSWORD);
        assert_eq!(r.status, 422, "{name}: locked across processes");
        // Another account is not locked.
        account(&store, "kcc", Role::Editor, &["kcc"]);
        assert_eq!(app.browser().sign_in("kcc", PASSWORD).status, 303, "{name}");
    }
}

#[test]
fn the_upload_page_refuses_a_bad_file_whole_and_records_a_good_one_against_the_editor() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        let mut editor = app.browser();
        assert_eq!(editor.sign_in("medway", PASSWORD).status, 303, "{name}");
        let plan = "kent-and-medway-2024-26";
        let stored = |store: &Store| store.observations(plan, Some("smoking-at-time-of-delivery")).unwrap().len();
        let before = stored(&store);

        // Line 3 names an unknown area, line 4 a value no percentage can take: both are
        // listed by line, and the good line 2 is not stored either.
        let bad = format!(
            "indicator,area,period,value\n\
             smoking-at-time-of-delivery,{AREA},2023/24,10.1\n\
             smoking-at-time-of-delivery,atlantis,2023/24,10.1\n\
             smoking-at-time-of-delivery,{AREA},2022/23,140\n"
        );
        let r = editor.post_multipart("/data/upload", "smoking.csv", &bad, true);
        assert_eq!(r.status, 422, "{name}: {}", r.body);
        assert!(r.body.contains("The file has 2 problem(s); nothing was stored"), "{name}: {}", r.body);
        assert!(r.body.contains("smoking.csv:3") && r.body.contains("atlantis"), "{name}: {}", r.body);
        assert!(r.body.contains("smoking.csv:4"), "{name}: {}", r.body);
        assert_eq!(stored(&store), before, "{name}: nothing stored");
        assert!(store.data_imports(plan).unwrap().is_empty(), "{name}: no import recorded");

        // The corrected file goes in, recorded against the editor; sent again, it changes nothing.
        let good = format!(
            "indicator,area,period,value\n\
             smoking-at-time-of-delivery,{AREA},2023/24,10.1\n\
             smoking-at-time-of-delivery,{AREA},2022/23,10.4\n"
        );
        let r = editor.post_multipart("/data/upload", "smoking.csv", &good, true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(r.body.contains("smoking.csv: 2 rows imported: 2 new, 0 replaced, 0 unchanged"), "{name}: {}", r.body);
        assert_eq!(stored(&store), before + 2, "{name}");
        let r = editor.post_multipart("/data/upload", "smoking.csv", &good, true);
        assert!(r.body.contains("2 rows imported: 0 new, 0 replaced, 2 unchanged"), "{name}: {}", r.body);
        assert_eq!(stored(&store), before + 2, "{name}: idempotent");
        let imports = store.data_imports(plan).unwrap();
        assert_eq!(imports.len(), 2, "{name}");
        assert!(imports.iter().all(|i| i.actor == "medway" && i.file.name == "smoking.csv"), "{name}");
    }
}

#[test]
fn with_approval_on_the_public_sees_an_update_only_once_approved_and_never_its_internal_note() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "viewer", Role::Viewer, &[]);
        account(&store, "kcc", Role::Editor, &["kcc"]);
        account(&store, "admin", Role::Admin, &[]);
        let signed_in = |who: &str| {
            let mut b = app.browser();
            assert_eq!(b.sign_in(who, PASSWORD).status, 303, "{name}: {who}");
            b
        };
        let (mut admin, mut editor, mut viewer) = (signed_in("admin"), signed_in("kcc"), signed_in("viewer"));
        let settings = [("stale_days", "90".to_owned()), ("approval_required", "yes".to_owned())];
        let r = admin.post_form("/admin/settings", &settings, true);
        assert_eq!(r.status, 200, "{name}: {}", r.body);
        assert!(admin.get("/admin/settings").body.contains("value=\"yes\" checked"), "{name}: approval is on");

        let page = "/milestones/technology-enhanced-lives-m1";
        let update = [
            ("status", "off_track".to_owned()),
            ("narrative", "Supplier withdrew from the pilot".to_owned()),
            ("internal_note", "Legal are looking at the contract".to_owned()),
        ];
        assert_eq!(editor.post_form(&format!("{page}/update"), &update, true).status, 303, "{name}");

        let public = app.browser().get(page).body;
        assert!(!public.contains("Supplier withdrew"), "{name}: a draft is not public");
        assert!(!public.contains("Legal are looking"), "{name}");
        let seen = viewer.get(page).body;
        assert!(seen.contains("Supplier withdrew") && seen.contains("Awaiting approval"), "{name}: {seen}");
        assert!(seen.contains("Legal are looking at the contract"), "{name}: viewers see internal notes");
        let api = app.browser().get("/api/v1/milestones/technology-enhanced-lives-m1").body;
        assert!(!api.contains("Supplier withdrew") && !api.contains("Legal are looking"), "{name}: {api}");

        let waiting = admin.get("/admin/approvals").body;
        assert!(waiting.contains("Supplier withdrew"), "{name}");
        let id = store.updates("kent-and-medway-2024-26", None).unwrap().last().unwrap().id;
        let r = admin.post_form(&format!("/admin/approvals/{id}"), &[("decision", "approve".to_owned())], true);
        assert_eq!(r.status, 303, "{name}: {}", r.body);

        let public = app.browser().get(page).body;
        assert!(public.contains("Supplier withdrew from the pilot"), "{name}: published once approved");
        assert!(!public.contains("Legal are looking"), "{name}: the internal note stays internal");
        assert!(!public.contains("Awaiting approval"), "{name}");
    }
}

/// Send a request head declaring a large body, and no body; the answer must come at once.
fn head_only_upload(base: &str, cookie: Option<&str>, length: u64) -> (u16, String) {
    use std::io::{Read, Write};
    let address = base.strip_prefix("http://").unwrap();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
    let cookie = cookie.map(|c| format!("Cookie: {c}\r\n")).unwrap_or_default();
    write!(
        stream,
        "POST /data/upload HTTP/1.1\r\nHost: {address}\r\n{cookie}Content-Type: multipart/form-data; boundary=b\r\n\
         Content-Length: {length}\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            other => panic!("no answer before the body was sent: {other:?} after {:?}", String::from_utf8_lossy(&head)),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, head)
}

/// Nobody who may not upload can make the server read a large body: anonymous senders,
/// viewers and oversized uploads are answered before the body, and told to stop sending
/// (issue 19, defect 2).
#[test]
fn an_upload_is_refused_before_its_body_is_read() {
    let app = TestApp::start(assure_store::testing::TestDb::sqlite());
    let store = app.db.open();
    account(&store, "viewer", Role::Viewer, &[]);
    account(&store, "medway", Role::Editor, &["medway-council"]);
    let big = 200 * 1024 * 1024;

    let (status, head) = head_only_upload(&app.base, None, big);
    assert_eq!(status, 303, "{head}");
    assert!(head.to_ascii_lowercase().contains("connection: close"), "{head}");

    let cookie = |b: &Browser| b.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    let mut viewer = app.browser();
    assert_eq!(viewer.sign_in("viewer", PASSWORD).status, 303);
    let (status, head) = head_only_upload(&app.base, Some(&cookie(&viewer)), big);
    assert_eq!(status, 403, "{head}");

    let mut editor = app.browser();
    assert_eq!(editor.sign_in("medway", PASSWORD).status, 303);
    let (status, head) = head_only_upload(&app.base, Some(&cookie(&editor)), 300 * 1024 * 1024);
    assert_eq!(status, 413, "{head}");
    assert!(head.to_ascii_lowercase().contains("connection: close"), "{head}");

    // A form whose file comes before its token is refused without reading the file.
    let r = editor.post_multipart("/data/upload", "data.csv", "indicator,area,period,value\n", false);
    assert_eq!(r.status, 403, "{}", r.body);
}

/// Sign in through the form reached at `/sign-in?next=<query>` (`query` as sent, encoded).
fn sign_in_via(b: &mut Browser, query: &str, username: &str) -> Reply {
    let page = b.get(&format!("/sign-in?next={query}"));
    assert_eq!(page.status, 200, "{query}: {}", page.body);
    let next = page.body.split("name=\"next\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
    let fields = [
        ("csrf", Browser::csrf_in(&page.body)),
        ("username", username.to_owned()),
        ("password", PASSWORD.to_owned()),
        ("next", next.replace("&amp;", "&")),
    ];
    b.post_form("/sign-in", &fields, false)
}

#[test]
fn after_sign_in_only_a_path_on_this_site_is_followed() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        let bad = [
            "/%09/evil.example/landing",
            "/%0a",
            "/%0d%0aSet-Cookie:%20x=y",
            "//evil.example",
            "/%5Cevil.example",
            "%5C%5Cevil.example",
            "http://evil.example/",
            "javascript:alert(1)",
        ];
        for query in bad {
            let mut b = app.browser();
            let r = sign_in_via(&mut b, query, "medway");
            // An editor with nowhere (safe) to go lands on their own work.
            assert_eq!((r.status, r.location.as_str()), (303, "/my-work"), "{name}: {query}: {}", r.body);
            assert!(b.cookies.contains_key("assure_session"), "{name}: {query}: signed in");
        }
        // The same when the bad `next` is posted directly, not from the form's page.
        for next in ["/\n", "/\t/evil.example", "/\\evil.example"] {
            let mut b = app.browser();
            let page = b.get("/sign-in");
            let fields = [
                ("csrf", Browser::csrf_in(&page.body)),
                ("username", "medway".to_owned()),
                ("password", PASSWORD.to_owned()),
                ("next", next.to_owned()),
            ];
            let r = b.post_form("/sign-in", &fields, false);
            assert_eq!((r.status, r.location.as_str()), (303, "/my-work"), "{name}: {next:?}: {}", r.body);
        }
        let mut b = app.browser();
        let r = sign_in_via(&mut b, "/milestones/x%3Fy%3D1", "medway");
        assert_eq!((r.status, r.location.as_str()), (303, "/milestones/x?y=1"), "{name}");
        // A page that needs signing in sends people to the form and back, query and all.
        let mut b = app.browser();
        let r = b.get("/account");
        assert_eq!((r.status, r.location.as_str()), (303, "/sign-in?next=/account"), "{name}");
        let r = sign_in_via(&mut b, "%2Faccount", "medway");
        assert_eq!((r.status, r.location.as_str()), (303, "/account"), "{name}");
    }
}

#[test]
fn the_sign_in_form_needs_a_token_the_server_issued_for_its_cookie() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        account(&store, "medway", Role::Editor, &["medway-council"]);
        let fields = |token: &str| {
            [("csrf", token.to_owned()), ("username", "medway".to_owned()), ("password", PASSWORD.to_owned())]
        };
        // Login CSRF: a page elsewhere plants a cookie and posts the same value.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        for forged in ["attacker-chosen-value", &format!("{now}.attacker")] {
            let mut b = app.browser();
            b.cookies.insert("assure_sign_in".into(), forged.to_owned());
            let r = b.post_form("/sign-in", &fields(forged), false);
            assert_eq!(r.status, 403, "{name}: {forged}");
            assert!(!b.cookies.contains_key("assure_session"), "{name}: not signed in");
        }
        // A real form's token with another form's cookie is refused too.
        let mut b = app.browser();
        let first = Browser::csrf_in(&b.get("/sign-in").body);
        b.get("/sign-in");
        assert_eq!(b.post_form("/sign-in", &fields(&first), false).status, 403, "{name}: token of another form");
        // A form drawn by one server is accepted by another on the same database.
        let second = app.second_server();
        let mut b = app.browser();
        let token = Browser::csrf_in(&b.get("/sign-in").body);
        let mut other = second.browser();
        other.cookies = b.cookies.clone();
        let r = other.post_form("/sign-in", &fields(&token), false);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
        // A failed attempt draws a fresh form that works.
        let mut b = app.browser();
        b.get("/sign-in");
        let token = Browser::csrf_in(&b.get("/sign-in").body);
        let r = b.post_form(
            "/sign-in",
            &[("csrf", token), ("username", "medway".into()), ("password", "wrong password!!".into())],
            false,
        );
        assert_eq!(r.status, 422, "{name}");
        let r = b.post_form("/sign-in", &fields(&Browser::csrf_in(&r.body)), false);
        assert_eq!(r.status, 303, "{name}: {}", r.body);
    }
}
