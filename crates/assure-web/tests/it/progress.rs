//! Progress at a glance: every tracked indicator in one table that agrees with the
//! engine and the home page, filtered by outcome, status and place with plain links, and
//! the same rows as CSV; the glossary.

use assure_tracking::Status;

use crate::apps;

/// The rows of the progress table: each row's indicator link and status tag.
fn rows(page: &str) -> Vec<(String, String)> {
    let body = page.split("<tbody class=\"nhsuk-table__body\">").nth(1).unwrap_or_default();
    body.split("<tr class=\"nhsuk-table__row\">")
        .skip(1)
        .map(|row| {
            let link = row.split("href=\"/indicators/").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
            let tag = row
                .split("class=\"nhsuk-tag")
                .nth(1)
                .and_then(|s| s.split('>').nth(1))
                .and_then(|s| s.split('<').next());
            (link.to_owned(), tag.unwrap_or_default().to_owned())
        })
        .collect()
}

#[test]
fn progress_lists_every_measure_with_the_engines_status_and_filters_by_link() {
    for app in apps() {
        let name = app.db.name;
        let plan = app.load_illustrative_data();
        let store = app.db.open();
        let expected = assure_tracking::status::assess_plan(&plan, |id, areas| {
            store.headline_observations(plan.meta.id.get_ref(), id, areas)
        })
        .unwrap();

        let (status, _, page) = app.get("/progress");
        assert_eq!(status, 200, "{name}");
        let shown = rows(&page);
        assert_eq!(shown.len(), expected.len(), "{name}: one row per tracked measure");
        for ((t, a), (_, tag)) in expected.iter().zip(&shown) {
            assert_eq!(tag, a.status.label(), "{name}: {}", t.id);
        }
        for needle in [
            "95% interval",
            "Expected now",
            "More detail",
            "Compared with England",
            "class=\"assure-sparkline\"",
            "href=\"/progress.csv\"",
        ] {
            assert!(page.contains(needle), "{name}: /progress lacks {needle:?}");
        }
        // Each status and outcome filter is a link whose count matches what it shows.
        for s in Status::ALL {
            let want = expected.iter().filter(|(_, a)| a.status == s).count();
            let (_, _, filtered) = app.get(&format!("/progress?status={}", s.as_str()));
            let got = rows(&filtered);
            assert_eq!(got.len(), want, "{name}: {}", s.label());
            assert!(got.iter().all(|(_, tag)| tag == s.label()), "{name}: {}", s.label());
            if want > 0 {
                assert!(page.contains(&format!("href=\"/progress?status={}\"", s.as_str())), "{name}");
            }
        }
        let (_, _, outcome1) = app.get("/progress?outcome=1&status=off_track&sort=status");
        let want = expected
            .iter()
            .filter(|(t, a)| *t.indicator.outcome.get_ref() == 1 && a.status == Status::OffTrack)
            .count();
        assert_eq!(rows(&outcome1).len(), want, "{name}");
        // The home page's counts agree and link here.
        let (_, _, home) = app.get("/");
        let off = expected.iter().filter(|(_, a)| a.status == Status::OffTrack).count();
        assert!(
            home.contains(&format!(
                "href=\"/progress?status=off_track\" aria-label=\"{off} off track in all outcomes\""
            )),
            "{name}"
        );
        assert!(home.contains("counts once for each"), "{name}: the home page says how compound statements count");
        assert!(
            home.contains("No strategic indicators yet: the plan names themes"),
            "{name}: outcome 6 has themes, not zeros"
        );

        // A place: Medway's own values, one row per measure with data there.
        let (status, _, medway) = app.get("/progress?place=medway");
        assert_eq!(status, 200, "{name}");
        assert!(medway.contains("values in Medway"), "{name}");
        let with_data = plan
            .indicators
            .iter()
            .flat_map(|i| i.tracked())
            .filter(|t| !store.headline_observations(plan.meta.id.get_ref(), t.id, &["medway"]).unwrap().is_empty())
            .count();
        assert_eq!(rows(&medway).len(), with_data, "{name}");

        // CSV: the same rows, with the plain sentence and the precise reason.
        let (status, kind, csv) = app.get("/progress.csv?status=off_track");
        assert_eq!((status, kind.as_str()), (200, "text/csv; charset=utf-8"), "{name}");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().unwrap().clone();
        assert_eq!(&header[0], "outcome");
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(records.len(), off, "{name}");
        let status_col = header.iter().position(|h| h == "status").unwrap();
        assert!(records.iter().all(|r| &r[status_col] == "Off track"), "{name}");

        // Bad filters are a 400 naming the field.
        for (query, field) in
            [("outcome=9", "outcome"), ("status=great", "status"), ("place=atlantis", "place"), ("sort=x", "sort")]
        {
            let (status, _, body) = app.get(&format!("/progress?{query}"));
            assert_eq!(status, 400, "{name}: {query}");
            assert!(body.contains(field), "{name}: {query}: {body}");
        }
    }
}

#[test]
fn the_glossary_explains_the_plans_words_and_pages_link_to_it() {
    for app in apps() {
        let (status, _, page) = app.get("/glossary");
        assert_eq!(status, 200);
        for id in [
            "hcp",
            "vcse",
            "so",
            "int",
            "core20plus5",
            "polarity",
            "trajectory",
            "confidence-interval",
            "prediction-interval",
        ] {
            assert!(page.contains(&format!("id=\"{id}\"")), "{}: glossary lacks {id}", app.db.name);
        }
        let (_, _, home) = app.get("/");
        assert!(home.contains("href=\"/glossary\"") && home.contains("href=\"/progress\""), "the header links them");
    }
}
