//! The JSON API: every documented endpoint answers; errors use the envelope; lists page
//! and download as CSV; the OpenAPI document describes exactly what is served.

use serde_json::Value;

use crate::apps;

fn json(app: &crate::TestApp, path: &str) -> (u16, Value) {
    let (status, kind, body) = app.get(path);
    assert!(kind.starts_with("application/json"), "{path}: {kind}: {body}");
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")))
}

fn sample(path: &str) -> String {
    path.replace("{number}", "2")
        .replace("/commitments/{id}", "/commitments/improve-join-up-access-local-support")
        .replace("/plans/{id}", "/plans/family-hub-programme")
        .replace("/organisations/{id}", "/organisations/kcc")
        .replace("/indicators/{id}", "/indicators/year-6-healthy-weight")
        .replace("/places/{id}", "/places/dover")
        .replace("/enablers/{id}", "/enablers/engaging-communities")
        .replace("/milestones/{id}", "/milestones/children-young-people-vision-statement-m1")
        .replace("/search", "/search?q=family")
}

/// A meeting of the Medway scrutiny committee (one of the plan's bodies) with a paper, a
/// decision and two actions: Medway Council's, past due, and KCC's, due in 2099 and
/// linked to outcome 2. (meeting, Medway's action, KCC's action), by number.
fn medway_meeting(app: &crate::TestApp) -> (i64, i64, i64) {
    use assure_app::{MeetingDecisionFields, MeetingFields};
    let store = app.db.open();
    crate::account(&store, "clerk", assure_store::Role::Admin, &[]);
    let clerk = store.account("clerk").unwrap().unwrap();
    let plan = assure_plan::bundled().unwrap();
    let a = assure_app::App::new(store.clone());
    let body = store.bodies(plan.meta.id.get_ref()).unwrap();
    let body = body.iter().find(|b| b.name.starts_with("Medway Health and Adult")).unwrap();
    let meeting = MeetingFields {
        body: body.id.to_string(),
        held_on: "2026-01-15".into(),
        title: "Kent and Medway Integrated Care Strategy".into(),
        papers: vec!["place:medway".into()],
    };
    let m = a.record_meeting(&clerk, &plan, &meeting).unwrap().id;
    let decide = |text: &str, owner: &str, due: &str, links: &[&str]| {
        let f = MeetingDecisionFields {
            text: text.into(),
            owner: owner.into(),
            due: due.into(),
            links: links.iter().map(|l| (*l).to_owned()).collect(),
        };
        a.record_decision(&clerk, &plan, m, &f).unwrap().id
    };
    decide("Note the strategy and recommend its approval to Cabinet.", "", "", &[]);
    let medway = decide("Request an update in 6 months.", "medway-council", "2026-07-15", &[]);
    let kcc = decide("Bring the loneliness indicators to the next meeting.", "kcc", "2099-01-31", &["outcome:2"]);
    (m, medway, kcc)
}

#[test]
fn every_documented_endpoint_answers_and_every_reference_resolves() {
    for app in apps() {
        let (meeting, action, _) = medway_meeting(&app);
        let (status, doc) = json(&app, "/api/v1/openapi.json");
        assert_eq!(status, 200);
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() >= 15, "{}", paths.len());
        for (path, ops) in paths {
            if ops.get("get").is_none() {
                assert!(ops["post"]["security"].is_array(), "{path}: a write needs a token");
                continue;
            }
            let path = sample(path)
                .replace("/meetings/{id}", &format!("/meetings/{meeting}"))
                .replace("/actions/{id}", &format!("/actions/{action}"));
            let (status, body) = json(&app, &path);
            assert_eq!(status, 200, "{} {path}: {body}", app.db.name);
        }
        // Every $ref in the document points at a schema it defines.
        let text = doc.to_string();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
            let name = r.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "dangling $ref {name}");
        }
        assert!(schemas.contains_key("ErrorResponse") && schemas.contains_key("OrganisationResponse"));
        // The search words are documented as the handler checks them.
        let q = &doc["paths"]["/api/v1/search"]["get"]["parameters"][0];
        assert_eq!((q["name"].as_str(), q["required"].as_bool()), (Some("q"), Some(true)), "{q}");
        assert_eq!((q["schema"]["minLength"].as_u64(), q["schema"]["maxLength"].as_u64()), (Some(1), Some(200)), "{q}");
    }
}

#[test]
fn the_document_types_every_status_as_the_enum_of_its_values_and_bounds_the_page() {
    for app in apps() {
        check_statuses_and_page(&app);
    }
}

/// One database's document and answers.
fn check_statuses_and_page(app: &crate::TestApp) {
    let (_, doc) = json(app, "/api/v1/openapi.json");
    let schemas = &doc["components"]["schemas"];
    let values = |schema: &serde_json::Value| -> Vec<String> {
        schema["enum"].as_array().unwrap_or_else(|| panic!("no enum: {schema}")).iter().map(|v| v.to_string()).collect()
    };
    let delivery =
        [r#""not_started""#, r#""on_track""#, r#""at_risk""#, r#""off_track""#, r#""complete""#, r#""closed""#];
    let planned = [r#""in place""#, r#""in development""#, r#""to be confirmed""#, r#""to be developed""#];
    for (schema, expected) in [
        ("UpdateResponse", &delivery[..]),
        ("UpdateRequest", &delivery[..]),
        ("DeliveringPlanSummary", &planned[..]),
        ("DeliveringPlanResponse", &planned[..]),
    ] {
        let status = &schemas[schema]["properties"]["status"];
        assert_eq!(status["type"], "string", "{schema}: {status}");
        assert_eq!(values(status), expected, "{schema}");
    }
    let progress = &schemas["ProgressResponse"]["properties"]["status"];
    assert_eq!(values(progress), [&delivery[..], &["null"]].concat(), "{progress}");
    let publication = &schemas["UpdateResponse"]["properties"]["publication"];
    assert_eq!(values(publication), [r#""published""#, r#""pending""#, r#""rejected""#], "{publication}");
    let computed = &schemas["IndicatorSummary"]["properties"]["status"];
    let computed = &schemas[computed["$ref"].as_str().unwrap().rsplit('/').next().unwrap()];
    let consts: Vec<_> = computed["oneOf"].as_array().unwrap().iter().map(|v| v["const"].to_string()).collect();
    assert_eq!(consts, [r#""achieved""#, r#""on_track""#, r#""at_risk""#, r#""off_track""#, r#""no_data""#]);

    // Every status the API answers is one its schema lists.
    let (_, plans) = json(app, "/api/v1/plans?per_page=200");
    for p in plans["items"].as_array().unwrap() {
        assert!(planned.contains(&p["status"].to_string().as_str()), "{p}");
    }

    // The page number is bounded, and the bound is the handler's.
    let page = doc["paths"]["/api/v1/plans"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "page")
        .unwrap()["schema"]
        .clone();
    let max = page["maximum"].as_u64().unwrap_or_else(|| panic!("the page number has no maximum: {page}"));
    assert_eq!(page["minimum"], 1);
    let (status, body) = json(app, &format!("/api/v1/plans?page={max}"));
    assert_eq!(status, 400, "page {max} is in bounds but past the end: {body}");
    assert!(body.to_string().contains("page(s)"), "{body}");
    let (status, body) = json(app, &format!("/api/v1/plans?page={}", max + 1));
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains(&format!("from 1 to {max}")), "{body}");
}

#[test]
fn responses_carry_the_plan() {
    for app in apps() {
        let (_, plan) = json(&app, "/api/v1/plan");
        assert_eq!(plan["id"], "kent-and-medway-2024-26");
        assert_eq!(plan["counts"]["commitments"], 88);
        let (_, outcome) = json(&app, "/api/v1/outcomes/1");
        assert_eq!(outcome["priorities"].as_array().unwrap().len(), 3);
        let (_, kcc) = json(&app, "/api/v1/organisations/KCC");
        assert_eq!(kcc["id"], "kcc");
        assert_eq!(kcc["delivery_links"], 189);
        let (_, c) = json(&app, "/api/v1/commitments/improve-join-up-access-local-support");
        assert_eq!(c["delivery_links"][0]["plans"][0]["name"], "Family Hub Programme");
        let (_, i) = json(&app, "/api/v1/indicators/year-6-healthy-weight");
        assert_eq!(i["measures"].as_array().unwrap().len(), 3, "the indicator and its two parts");
        let (_, s) = json(&app, "/api/v1/search?q=family+hub");
        assert!(s["hits"].as_array().unwrap().iter().any(|h| h["kind"] == "plan"));
    }
}

#[test]
fn lists_page_and_download_as_csv() {
    for app in apps() {
        let (_, first) = json(&app, "/api/v1/plans?per_page=100");
        assert_eq!((first["total"].as_u64(), first["items"].as_array().unwrap().len()), (Some(257), 100));
        assert_eq!(first["next"], "/api/v1/plans?page=2&per_page=100");
        let (_, last) = json(&app, "/api/v1/plans?page=3&per_page=100");
        assert_eq!(last["items"].as_array().unwrap().len(), 57);
        assert!(last["next"].is_null());

        let (status, kind, body) = app.get("/api/v1/organisations?format=csv");
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"));
        assert!(body.starts_with("id,name,kind,parent\n"), "{body}");
        assert_eq!(body.lines().count(), 119, "a header and 118 organisations");
        assert!(
            body.contains("kcc-get,KCC – Growth, Environment and Transport (GET)") || body.contains("kcc-get,\"KCC"),
            "{body}"
        );
    }
}

#[test]
fn errors_use_the_envelope_and_name_the_field() {
    for app in apps() {
        for (path, status, field) in [
            ("/api/v1/outcomes/9", 404, None),
            ("/api/v1/organisations/nobody", 404, None),
            ("/api/v1/nothing-here", 404, None),
            ("/api/v1/plans?page=0", 400, Some("page")),
            ("/api/v1/plans?format=csv&page=0", 400, Some("page")),
            ("/api/v1/plans?format=csv&per_page=abc", 400, Some("per_page")),
            ("/api/v1/plans?per_page=abc", 400, Some("per_page")),
            ("/api/v1/plans?per_page=500", 400, Some("per_page")),
            ("/api/v1/plans?page=99", 400, Some("page")),
            ("/api/v1/plans?format=xml", 400, Some("format")),
            ("/api/v1/plans?sort=name", 400, Some("sort")),
            ("/api/v1/search", 400, Some("q")),
        ] {
            let (got, body) = json(&app, path);
            assert_eq!(got, status, "{path}: {body}");
            let e = &body["errors"][0];
            assert!(e["detail"].as_str().is_some_and(|d| !d.is_empty()), "{path}: {body}");
            assert_eq!(e["field"].as_str(), field, "{path}: {body}");
        }
    }
}

#[test]
fn committees_meetings_and_actions_are_served_with_filters_and_csv() {
    for app in apps() {
        let name = app.db.name;
        let (meeting, medway, kcc) = medway_meeting(&app);

        // The plan's bodies, the Medway committee with its meeting.
        let (status, bodies) = json(&app, "/api/v1/committees");
        assert_eq!(status, 200, "{name}");
        let bodies = bodies.as_array().unwrap();
        assert!(bodies.len() >= 4, "{name}: {bodies:?}");
        let committee =
            bodies.iter().find(|b| b["name"].as_str().unwrap().starts_with("Medway Health and Adult")).unwrap();
        assert_eq!(committee["source"], "003_e5198cb00708df4b.txt:14", "{name}");
        assert_eq!(committee["meetings"][0]["id"], meeting, "{name}: {committee}");
        assert_eq!(committee["meetings"][0]["held_on"], "2026-01-15", "{name}");

        // The meeting: its paper with where to read it, its decision, and its two actions.
        let (status, m) = json(&app, &format!("/api/v1/meetings/{meeting}"));
        assert_eq!(status, 200, "{name}");
        assert_eq!(m["committee"]["name"], committee["name"], "{name}");
        assert_eq!(m["papers"][0]["href"], "/reports/places/medway", "{name}: {m}");
        assert_eq!(m["papers"][0]["name"], "Place report: Medway", "{name}");
        let decisions = m["decisions"].as_array().unwrap();
        assert_eq!(decisions.len(), 1, "{name}: the actions are not decisions: {m}");
        assert!(decisions[0]["text"].as_str().unwrap().contains("approval to Cabinet"), "{name}");
        let actions = m["actions"].as_array().unwrap();
        assert_eq!(actions.iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(), [medway, kcc], "{name}");
        assert_eq!(actions[0]["owner"]["name"], "Medway Council", "{name}");
        assert_eq!(actions[0]["progress"]["overdue"], true, "{name}: due 2026-07-15 and no update");
        assert!(actions[0]["progress"]["status"].is_null(), "{name}");
        for missing in ["9999", "first"] {
            let (status, e) = json(&app, &format!("/api/v1/meetings/{missing}"));
            assert_eq!(status, 404, "{name}");
            assert!(e["errors"][0]["detail"].as_str().unwrap().contains("no meeting"), "{name}: {e}");
        }

        // Every action, and the filters the actions page has.
        let ids = |path: &str| -> Vec<i64> {
            let (status, page) = json(&app, path);
            assert_eq!(status, 200, "{name}: {path}: {page}");
            page["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect()
        };
        assert_eq!(ids("/api/v1/actions"), [medway, kcc], "{name}");
        assert_eq!(ids("/api/v1/actions?overdue=1"), [medway], "{name}");
        assert_eq!(ids("/api/v1/actions?organisation=kcc"), [kcc], "{name}");
        assert_eq!(ids("/api/v1/actions?organisation=Medway%20Council&status=none"), [medway], "{name}");
        assert_eq!(ids("/api/v1/actions?status=on_track"), Vec::<i64>::new(), "{name}");
        // The next page of a filtered list is of the same filter.
        let (_, first) = json(&app, "/api/v1/actions?status=none&per_page=1");
        assert_eq!(first["next"], "/api/v1/actions?status=none&page=2&per_page=1", "{name}");
        assert_eq!(ids(first["next"].as_str().unwrap()), [kcc], "{name}");
        let (_, page) = json(&app, "/api/v1/actions?organisation=kcc");
        let link = &page["items"][0]["links"][0];
        assert_eq!((link["id"].as_str(), link["href"].as_str()), (Some("outcome:2"), Some("/outcomes/2")), "{name}");
        for (query, field) in
            [("status=late", "status"), ("organisation=nowhere", "organisation"), ("owner=kcc", "owner")]
        {
            let (status, e) = json(&app, &format!("/api/v1/actions?{query}"));
            assert_eq!(status, 400, "{name}: {query}");
            assert_eq!(e["errors"][0]["field"], field, "{name}: {query}: {e}");
        }
        // As CSV: where an action stands spread into columns.
        let (status, kind, csv) = app.get("/api/v1/actions?overdue=1&format=csv");
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"), "{name}");
        let mut rows = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
        let column =
            |c: &str| header.iter().position(|h| h == c).unwrap_or_else(|| panic!("{name}: no {c} in {header:?}"));
        let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), 1, "{name}: {csv}");
        assert_eq!(&records[0][column("owner")], "Medway Council", "{name}");
        assert_eq!(&records[0][column("meeting")], "Kent and Medway Integrated Care Strategy", "{name}");
        assert_eq!(&records[0][column("progress.overdue")], "true", "{name}");
        assert_eq!(&records[0][column("progress.due")], "2026-07-15", "{name}");
        // A filter nothing matches still downloads the header.
        let (_, _, none) = app.get("/api/v1/actions?status=complete&format=csv");
        assert_eq!(none.lines().collect::<Vec<_>>(), [csv.lines().next().unwrap()], "{name}: {none}");

        // Medway Council updates its action: the API shows the update and the new date.
        let store = app.db.open();
        crate::account(&store, "medway", assure_store::Role::Editor, &["medway-council"]);
        let editor = store.account("medway").unwrap().unwrap();
        let fields = assure_plan::delivery::UpdateFields {
            status: "on_track".into(),
            narrative: "The update is on the committee's March agenda.".into(),
            evidence: vec![],
            expected: "March 2090".into(),
            expected_reason: "The committee's next meeting".into(),
            internal_note: "Not for the public".into(),
        };
        assure_app::App::new(store.clone())
            .update_action(&editor, &assure_plan::bundled().unwrap(), medway, &fields)
            .unwrap();
        let (status, a) = json(&app, &format!("/api/v1/actions/{medway}"));
        assert_eq!(status, 200, "{name}");
        assert_eq!(a["meeting"]["id"], meeting, "{name}");
        assert_eq!(a["due"], "2026-07-15", "{name}: as the meeting said");
        assert_eq!(a["progress"]["due"], "March 2090", "{name}: {a}");
        assert_eq!(
            (a["progress"]["status"].as_str(), a["progress"]["overdue"].as_bool()),
            (Some("on_track"), Some(false)),
            "{name}"
        );
        let updates = a["updates"].as_array().unwrap();
        assert_eq!(updates.len(), 1, "{name}");
        // From the organisation, as the page says; who wrote it only to a token.
        assert_eq!(updates[0]["from"], "Medway Council", "{name}");
        assert!(updates[0]["author"].is_null(), "{name}: {a}");
        assert!(!a.to_string().contains("Not for the public"), "{name}: the internal note is never served");
        assert_eq!(ids("/api/v1/actions?overdue=1"), Vec::<i64>::new(), "{name}");
        assert_eq!(json(&app, "/api/v1/actions/0").0, 404, "{name}");
    }
}
