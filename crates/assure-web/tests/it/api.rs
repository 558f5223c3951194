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

#[test]
fn every_documented_endpoint_answers_and_every_reference_resolves() {
    for app in apps() {
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
            let (status, body) = json(&app, &sample(path));
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
