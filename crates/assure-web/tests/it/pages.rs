//! Every page type answers with its content; unknown things give a 404 page; bad
//! parameters a 400 naming the field; a change in the store shows at once.

use crate::apps;

const PLAN: &str = "kent-and-medway-2024-26";

#[test]
fn every_page_type_renders_its_content() {
    for app in apps() {
        let name = app.db.name;
        let cases: &[(&str, &[&str])] = &[
            ("/", &["Shared outcomes", "Outcome 2:", "href=\"/outcomes/6\"", "Kent and Medway in numbers"]),
            (
                "/outcomes/1",
                &[
                    "Give children and young people the best start in life",
                    "Priorities",
                    "What we heard",
                    "/commitments/",
                ],
            ),
            (
                "/priorities/1.1",
                &["Priority 1.1 of outcome 1", "Strategies and plans in place to deliver", "Family Hub"],
            ),
            (
                "/commitments/improve-join-up-access-local-support",
                &["Family Hub Programme", "Led by", "/organisations/"],
            ),
            ("/plans", &["Strategies and plans", "in development"]),
            ("/organisations", &["Kent County Council", "Medway Council"]),
            ("/organisations/kcc", &["Kent County Council", "Includes:", "Outcome 1:", "Through"]),
            ("/organisations/NHS%20K%26M", &["NHS Kent and Medway"]),
            ("/indicators", &["Strategic indicators", "Mothers smoking at time of delivery"]),
            (
                "/indicators/smoking-at-time-of-delivery",
                &[
                    "10.2%",
                    "no more than 6% by 2028/29",
                    "lower is better",
                    "No data yet for Kent and Medway",
                    "No data has been loaded",
                ],
            ),
            ("/indicators/year-6-healthy-weight", &["Children in Year 6 who are a healthy weight"]),
            ("/places", &["Place priorities by shared outcome", "SO 1", "Health and Care Partnerships", "Districts"]),
            (
                "/places/dover",
                &[
                    "The plan lists no priorities for Dover",
                    "place report",
                    "No indicator data is stored for Dover yet",
                ],
            ),
            ("/search?q=family+hub", &["result", "Strategies and plans", "/plans/"]),
            ("/search", &["Words to look for"]),
            ("/enablers", &["Enabler 1:", "/enablers/engaging-communities"]),
            ("/enablers/engaging-communities", &["Enabler 3", "Way we may deliver this", "Led by"]),
            (
                "/milestones/children-young-people-vision-statement-m1",
                &["Vision Statement co-produced, agreed and shared", "Expected", "/examples/"],
            ),
            ("/source", &["The plan as published", "id=\"L211\"", "Kent and Medway Integrated Care Strategy"]),
        ];
        for (path, wanted) in cases {
            let (status, kind, body) = app.get(path);
            assert_eq!(status, 200, "{name} {path}: {body}");
            assert!(kind.starts_with("text/html"), "{name} {path}: {kind}");
            assert!(body.starts_with("<!DOCTYPE html><html lang=\"en\">"), "{name} {path}");
            assert!(body.contains("href=\"#maincontent\"") && body.contains("id=\"maincontent\""), "{path}: skip link");
            for w in *wanted {
                assert!(body.contains(w), "{name} {path}: missing {w:?}");
            }
        }
        // A delivery example, found from its outcome.
        let (_, _, outcome) = app.get("/outcomes/1");
        let example = outcome.split("href=\"/examples/").nth(1).and_then(|s| s.split('"').next()).unwrap().to_owned();
        let (status, _, body) = app.get(&format!("/examples/{example}"));
        assert_eq!(status, 200);
        assert!(body.contains("Milestones"), "{example}");
    }
}

#[test]
fn unknown_things_are_a_404_page_and_bad_parameters_a_400() {
    for app in apps() {
        for path in [
            "/outcomes/9",
            "/outcomes/two",
            "/organisations/nobody",
            "/commitments/x",
            "/plans/x",
            "/indicators/x",
            "/places/x",
            "/examples/x",
            "/priorities/9.9",
            "/no/such/page",
        ] {
            let (status, kind, body) = app.get(path);
            assert_eq!(status, 404, "{path}");
            assert!(kind.starts_with("text/html"));
            assert!(body.contains("<h1>Page not found</h1>"), "{path}: {body}");
        }
        let long = "x".repeat(201);
        let (status, _, body) = app.get(&format!("/search?q={long}"));
        assert_eq!(status, 400);
        assert!(body.contains("q: a search is at most 200 characters"), "{body}");
    }
}

#[test]
fn health_and_assets() {
    for app in apps() {
        let (status, kind, body) = app.get("/healthz");
        assert_eq!((status, kind.as_str()), (200, "application/json"));
        let health: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(health["status"], "ok", "{body}");
        assert_eq!(health["database"], "ok", "{body}");
        assert_eq!(health["plan"], "kent-and-medway-2024-26", "{body}");
        // SQLite's data version is read at once; PostgreSQL's listening connection may
        // still be opening.
        let changes = health["changes"].as_str().unwrap_or_default();
        assert!(changes == "told" || (app.db.name == "postgres" && changes == "asking"), "{body}");
        let (status, kind, body) = app.get("/assets/nhsuk-frontend.min.css");
        assert_eq!((status, kind.as_str()), (200, "text/css; charset=utf-8"));
        assert!(body.len() > 200_000);
        assert!(body.contains("/assets/images/nhsuk-icon-cross.svg"), "the images the CSS asks for are served");
        assert_eq!(app.get("/assets/images/nhsuk-icon-cross.svg").0, 200);
        assert_eq!(app.get("/assets/init.js").1, "text/javascript; charset=utf-8");
        assert_eq!(app.get("/assets/nope.css").0, 404);
    }
}

#[test]
fn a_change_in_the_store_shows_on_the_next_request() {
    for app in apps() {
        let (_, _, before) = app.get("/");
        let mut edited = assure_plan::bundled().unwrap();
        edited.meta.title = "A refreshed plan title".into();
        // Through another store on the same database, as another process would.
        app.db.open().import_plan(&assure_store::ImportPlanRequest::new(&edited, "tester").replacing()).unwrap();
        let (_, _, after) = app.get("/");
        assert!(!before.contains("A refreshed plan title"));
        assert!(after.contains("<h1>A refreshed plan title</h1>"), "{}", app.db.name);
    }
}

#[test]
fn a_delivery_report_renders_again_only_the_pages_that_show_delivery() {
    use assure_plan::delivery::{DeliveryStatus, ItemKind, Publication, UpdateDraft};
    use assure_plan::observation::{Observation, ObservationKey};
    const MILESTONE: &str = "move-together-active-kent-medway-strategy-m1";
    let medway = |period: &str, value: f64| Observation {
        key: ObservationKey {
            indicator: "smoking-at-time-of-delivery".into(),
            area: "medway".into(),
            period: period.into(),
            breakdown: String::new(),
        },
        value: Some(value),
        lower: Some(value - 0.5),
        upper: Some(value + 0.5),
        numerator: None,
        denominator: None,
        note: None,
        source: None,
        illustrative: false,
        line: 2,
    };
    let import = |app: &crate::TestApp, row: Observation| {
        let file = assure_store::DataFile { name: "row".into(), checksum: "x".into(), format: "t".into(), skipped: 0 };
        app.db.open().import_observations(PLAN, &[row], &file, assure_store::ImportMode::Merge, "t").unwrap();
    };
    for app in apps() {
        let name = app.db.name;
        import(&app, medway("2024/25", 31.7));
        let progress = "/progress?place=medway";
        let (_, _, before) = app.get(progress);
        assert!(before.contains("31.7%"), "{name}: {before}");
        let (_, _, milestone) = app.get(&format!("/milestones/{MILESTONE}"));
        // The value changed under the server's feet, with no audit entry: no revision
        // moves, so a page rendered after this shows it and a kept one does not.
        app.db.raw_sql("UPDATE observation SET value = 47.9 WHERE area = 'medway' AND period = '2024/25'").unwrap();
        assert_eq!(app.get(progress).2, before, "{name}: kept");

        // A partner's delivery report moves the revision, not the content revision: the
        // milestone's page shows it at once, and the progress page, which reads only the
        // plan, its tracking and the data, is still the page kept.
        let draft = UpdateDraft {
            status: DeliveryStatus::OffTrack,
            narrative: "Charter unsigned by two partners".into(),
            evidence: vec![],
            expected: None,
            expected_reason: None,
            internal_note: None,
        };
        app.db.open().add_update(PLAN, ItemKind::Milestone, MILESTONE, &draft, Publication::Published, "kcc").unwrap();
        let (_, _, milestone_after) = app.get(&format!("/milestones/{MILESTONE}"));
        assert!(!milestone.contains("Charter unsigned") && milestone_after.contains("Charter unsigned"), "{name}");
        assert_eq!(app.get(progress).2, before, "{name}: not rendered again for a delivery report");

        // A change to the content (here: more data) renders it again.
        import(&app, medway("2023/24", 29.2));
        let (_, _, after) = app.get(progress);
        assert!(after.contains("47.9%") && !after.contains("31.7%"), "{name}: rendered again after a content change");
    }
}

#[test]
fn indicator_tracking_shows_statuses_charts_tables_and_the_illustrative_banner() {
    for app in apps() {
        let name = app.db.name;
        let (_, _, home) = app.get("/");
        assert!(home.contains("Progress on the strategic indicators"), "{name}");
        assert!(!home.contains("Illustrative data"), "{name}: no banner without illustrative data");

        // Load the illustrative data through the same path as `assure demo-data`.
        let plan = app.load_illustrative_data();
        let store = app.db.open();
        let expected = assure_tracking::status::assess_plan(&plan, |id, areas| {
            store.headline_observations(plan.meta.id.get_ref(), id, areas)
        })
        .unwrap();
        let smoking = &expected.iter().find(|(t, _)| t.id == "smoking-at-time-of-delivery").unwrap().1;

        let (status, _, page) = app.get("/indicators/smoking-at-time-of-delivery");
        assert_eq!(status, 200);
        for needle in [
            "Illustrative data, not official statistics",
            smoking.status.label(),
            "<svg",
            "role=\"img\"",
            "Values for Kent and Medway Integrated Care System, with England",
            "By area, 2025/26",
            "Compared with England",
            "By deprivation quintile",
            "Gap (highest − lowest)",
            "/indicators/smoking-at-time-of-delivery/data.csv",
        ] {
            assert!(page.contains(needle), "{name}: '{needle}' not on the indicator page");
        }
        assert!(
            page.contains(&smoking.reason.replace('\'', "&#39;")) || page.contains(&smoking.reason),
            "{name}: reason"
        );
        // Mothers are one sex: no split by sex.
        assert!(!page.contains("By sex"), "{name}: mothers smoking at delivery split by sex");
        // All five deprivation quintiles: the gap across the gradient, with its interval, by period.
        for needle in [
            "The gap across all deprivation quintiles",
            "href=\"/glossary#slope-index-of-inequality\"",
            "percentage points</strong> (95% interval",
            "Slope index of inequality, deprivation quintile",
        ] {
            assert!(page.contains(needle), "{name}: '{needle}' not on the indicator page");
        }
        // The most deprived smoke more: the SII (least minus most deprived) is negative.
        let sii = page.split("was <strong>").nth(1).and_then(|s| s.split(' ').next()).unwrap();
        assert!(sii.starts_with('−'), "{name}: SII {sii}");
        // Two rows only, and no SII: a gradient needs every quintile.
        let t = assure_tracking::series::Breakdown {
            dimension: "Deprivation quintile".into(),
            groups: Vec::new(),
            gaps: Vec::new(),
        };
        assert_eq!(assure_tracking::inequality::slope_index(&t), None);

        let (_, _, outcome) = app.get("/outcomes/1");
        assert!(outcome.contains("assure-sparkline") && outcome.contains(smoking.status.label()), "{name}");
        let (_, _, home) = app.get("/");
        assert!(home.contains("Illustrative data, not official statistics"), "{name}");
        let (status, _, rule) = app.get("/how-we-judge-progress");
        assert_eq!(status, 200);
        assert!(rule.contains("straight line from the baseline to the target"), "{name}");

        let (status, kind, csv) = app.get("/indicators/year-6-healthy-weight/data.csv");
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"), "{name}");
        assert!(csv.starts_with("indicator,area,period,breakdown,value"), "{name}");
        assert!(csv.contains("year-6-severe-obesity,") && csv.contains(",yes\n"), "{name}");
        let (status, _, _) = app.get("/indicators/no-such/data.csv");
        assert_eq!(status, 404);

        // The API carries the same statuses and reasons.
        let (_, _, body) = app.get("/api/v1/indicators/smoking-at-time-of-delivery");
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        let a = &api["measures"][0]["assessment"];
        assert_eq!(a["status"], serde_json::to_value(smoking.status).unwrap(), "{name}");
        assert_eq!(a["status_label"], smoking.status.label(), "{name}");
        assert_eq!(a["reason"], smoking.reason.as_str(), "{name}");
        assert_eq!(a["illustrative"], true, "{name}");
        assert_eq!(a["latest"]["value"], smoking.latest().unwrap().value, "{name}");
        let projection = smoking.projection.as_ref().expect("demo data has enough points for a projection");
        assert_eq!(a["projection"]["value"], projection.value, "{name}");
        assert_eq!(a["projection"]["points"], projection.points, "{name}");
        let (_, _, body) = app.get("/api/v1/indicators/year-6-healthy-weight");
        let api: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(api["measures"][0]["assessment"].is_null(), "{name}: a compound indicator's parts carry the status");
        for part in api["measures"].as_array().unwrap().iter().skip(1) {
            let id = part["id"].as_str().unwrap();
            let want = &expected.iter().find(|(t, _)| t.id == id).unwrap().1;
            assert_eq!(part["assessment"]["status"], serde_json::to_value(want.status).unwrap(), "{name}: {id}");
        }
        let (_, _, body) = app.get("/api/v1/indicators");
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        let item = list.as_array().unwrap().iter().find(|i| i["id"] == "smoking-at-time-of-delivery").unwrap();
        assert_eq!(item["status"], serde_json::to_value(smoking.status).unwrap(), "{name}");
    }
}

#[test]
fn the_indicator_csv_writes_a_stored_formula_as_text_and_numbers_as_numbers() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let plan = assure_plan::bundled().unwrap();
        let row = assure_plan::observation::Observation {
            key: assure_plan::observation::ObservationKey {
                indicator: "smoking-at-time-of-delivery".into(),
                area: "kent-medway-ics".into(),
                period: "2023/24".into(),
                breakdown: "@breakdown".into(),
            },
            value: Some(-3.2),
            lower: None,
            upper: None,
            numerator: None,
            denominator: None,
            note: Some("=HYPERLINK(\"http://x\",\"y\")".into()),
            source: Some("+source".into()),
            illustrative: false,
            line: 2,
        };
        let file = assure_store::DataFile { name: "x".into(), checksum: "x".into(), format: "csv".into(), skipped: 0 };
        store.import_observations(plan.meta.id.get_ref(), &[row], &file, assure_store::ImportMode::Merge, "t").unwrap();
        let (status, _, csv) = app.get("/indicators/smoking-at-time-of-delivery/data.csv");
        assert_eq!(status, 200, "{name}");
        assert!(
            csv.contains(
                "kent-medway-ics,2023/24,'@breakdown,-3.2,,,,,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'+source,"
            ),
            "{name}: {csv}"
        );
    }
}

#[test]
fn every_kind_of_response_carries_the_security_headers() {
    for app in apps() {
        let name = app.db.name;
        let agent: ureq::Agent =
            ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        let paths = [
            ("/", 200),
            ("/no-such-page", 404),
            ("/indicators?status=nonsense", 400),
            ("/api/v1/organisations", 200),
            ("/api/v1/no-such", 404),
            ("/api/v1/organisations?format=csv", 200),
            ("/indicators/smoking-at-time-of-delivery/data.csv", 200),
            ("/reports/annual?format=pdf", 200),
            ("/reports/annual", 200),
            ("/assets/assure.css", 200),
            ("/healthz", 200),
            ("/account", 303),
        ];
        for (path, status) in paths {
            let r = agent.get(&format!("{}{path}", app.base)).call().unwrap();
            let h = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            if path != "/indicators?status=nonsense" {
                assert_eq!(r.status().as_u16(), status, "{name}: {path}");
            }
            let csp = h("content-security-policy");
            assert!(
                csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"),
                "{name}: {path}: {csp}"
            );
            assert!(!csp.contains("unsafe-inline"), "{name}: {path}: {csp}");
            assert_eq!(h("x-frame-options"), "DENY", "{name}: {path}");
            assert_eq!(h("x-content-type-options"), "nosniff", "{name}: {path}");
            assert_eq!(h("referrer-policy"), "strict-origin-when-cross-origin", "{name}: {path}");
            assert_eq!(h("strict-transport-security"), "", "{name}: {path}: only when configured");
        }
        // The HTML report's one inline style is allowed by its hash, nothing else.
        let r = agent.get(&format!("{}/reports/annual", app.base)).call().unwrap();
        let csp = r.headers().get("content-security-policy").unwrap().to_str().unwrap().to_owned();
        assert!(csp.contains("style-src 'sha256-"), "{name}: {csp}");
    }
}

#[test]
fn strict_transport_security_is_sent_when_configured() {
    let db = assure_store::testing::TestDb::sqlite();
    let store = db.open();
    store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "t")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = assure_web::AppState::new(store, None).with_hsts(true);
    runtime.spawn(assure_web::serve(listener, state, std::future::pending()));
    for path in ["/", "/healthz", "/no-such-page"] {
        let r = ureq::get(&format!("{base}{path}")).config().http_status_as_error(false).build().call().unwrap();
        let hsts = r.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(hsts, "max-age=31536000; includeSubDomains", "{path}");
    }
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
}

/// The value of every `id="…"` of a page that is given more than once.
fn repeated_ids(page: &str) -> Vec<&str> {
    let mut seen = std::collections::HashSet::new();
    page.split(" id=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or_default())
        .filter(|id| !seen.insert(*id))
        .collect()
}

#[test]
fn pages_with_several_charts_give_each_id_once() {
    for app in apps() {
        let name = app.db.name;
        app.load_illustrative_data();
        // A compound indicator: a trend and an area chart for each of its parts.
        let (status, _, page) = app.get("/indicators/year-6-healthy-weight");
        assert_eq!(status, 200, "{name}");
        let charts = page.matches("role=\"img\"").count();
        assert!(charts >= 4, "{name}: the indicator page shows {charts} charts");
        assert_eq!(page.matches("class=\"assure-chart__key\"").count(), charts, "{name}: a legend for each chart");
        for path in ["/indicators/year-6-healthy-weight", "/indicators/smoking-at-time-of-delivery", "/outcomes/1"] {
            let (status, _, page) = app.get(path);
            assert_eq!(status, 200, "{name}: {path}");
            assert_eq!(repeated_ids(&page), Vec::<&str>::new(), "{name}: {path} gives these ids more than once");
        }
    }
}

/// The table row of an area on a page: from its name to the end of the row.
fn row_of<'a>(page: &'a str, area: &str) -> &'a str {
    let start = page
        .find(&format!("<td class=\"nhsuk-table__cell\">{area}</td>"))
        .unwrap_or_else(|| panic!("no row for {area}"));
    let rest = &page[start..];
    &rest[..rest.find("</tr>").unwrap()]
}

#[test]
fn the_area_comparison_is_a_funnel_plot_where_the_method_allows_and_a_ranked_chart_otherwise() {
    for app in apps() {
        let name = app.db.name;
        let plan = app.load_illustrative_data();
        // Dover far above England for mothers smoking at delivery (a proportion, lower is
        // better): 400 of 1,000, which lies beyond the 99.8% limit.
        let dover = assure_plan::observation::Observation {
            key: assure_plan::observation::ObservationKey {
                indicator: "smoking-at-time-of-delivery".into(),
                area: "dover".into(),
                period: "2025/26".into(),
                breakdown: String::new(),
            },
            value: None,
            lower: None,
            upper: None,
            numerator: Some(400.0),
            denominator: Some(1_000.0),
            note: None,
            source: None,
            illustrative: true,
            line: 1,
        };
        let options = assure_tracking::PrepareOptions { illustrative: true, ..Default::default() };
        let rows = assure_tracking::prepare(&plan, vec![dover], "dover.csv", &options).unwrap().rows;
        let file = assure_store::DataFile {
            name: "dover.csv".into(),
            checksum: "d".into(),
            format: "assure".into(),
            skipped: 0,
        };
        app.db
            .open()
            .import_observations(plan.meta.id.get_ref(), &rows, &file, assure_store::ImportMode::Merge, "t")
            .unwrap();

        let (status, _, page) = app.get("/indicators/smoking-at-time-of-delivery");
        assert_eq!(status, 200, "{name}");
        for needle in [
            "By area, 2025/26",
            "funnel plot by area, 2025/26",
            "id=\"chart-smoking-at-time-of-delivery-funnel-title\"",
            "class=\"assure-chart__limit assure-chart__limit--95\"",
            "class=\"assure-chart__limit assure-chart__limit--998\"",
            "class=\"assure-chart__england-line\"",
            "95% control limits",
            "99.8% control limits",
            "Against the control limits",
            "People counted",
            "href=\"/glossary#funnel-plot\"",
            "href=\"/glossary#control-limits\"",
        ] {
            assert!(page.contains(needle), "{name}: '{needle}' not on the smoking page");
        }
        assert!(!page.contains("chart-smoking-at-time-of-delivery-areas"), "{name}: the ranked chart is replaced");
        // Dover: 40.0% of 1,000 people, above the 99.8% limit, and worse (lower is better).
        let row = row_of(&page, "Dover");
        for cell in ["40.0%", "1,000", "Above 99.8% (worse)"] {
            assert!(row.contains(cell), "{name}: '{cell}' not in Dover's row: {row}");
        }
        // Labelled on the chart, as an area outside the limits, and coloured worse.
        let svg = &page[page.find("chart-smoking-at-time-of-delivery-funnel-title").unwrap()..];
        let svg = &svg[..svg.find("</svg>").unwrap()];
        assert!(svg.contains("assure-chart__dot assure-chart__dot--worse"), "{name}");
        assert!(svg.contains("class=\"assure-chart__label assure-chart__label--halo\">Dover</text>"), "{name}");
        // Every area with a value is in the table, with England's centre line.
        for area in ["Kent", "Medway", "Ashford", "Thanet", "England"] {
            row_of(&page, area);
        }

        // A directly standardised rate is placed by the population its rate implies.
        let (_, _, page) = app.get("/indicators/alcohol-admissions");
        assert!(page.contains("funnel plot by area") && page.contains("Population the rate implies"), "{name}");

        // Attainment 8 is a mean score: the ranked chart stays, and the page says why.
        let (status, _, page) = app.get("/indicators/attainment-8-sen");
        assert_eq!(status, 200, "{name}");
        assert!(
            page.contains(
                "No funnel plot: a mean is not a count of events in a population, so it has no control limits."
            ),
            "{name}"
        );
        assert!(page.contains("id=\"chart-attainment-8-sen-pupils-areas-title\""), "{name}: the ranked chart");
        assert!(!page.contains("assure-chart__limit"), "{name}");

        let (_, _, glossary) = app.get("/glossary");
        assert!(glossary.contains("id=\"funnel-plot\"") && glossary.contains("id=\"control-limits\""), "{name}");
    }
}
