//! A page for every place that answers "what is happening here?": Medway (unitary),
//! Kent (county), an HCP and a district, each with its indicators against England, what
//! the organisations serving it deliver, its priorities with the outcomes written out, and
//! its place report; `/places` lists them by kind and search finds them.

use crate::apps;

#[test]
fn every_kind_of_place_has_a_page_that_says_what_is_happening_there() {
    for app in apps() {
        let name = app.db.name;
        let plan = app.load_illustrative_data();
        let (status, _, list) = app.get("/places");
        assert_eq!(status, 200, "{name}");
        for (heading, place) in [
            ("Council areas", "href=\"/places/medway\""),
            ("Council areas", "href=\"/places/kent\""),
            ("Health and Care Partnerships", "href=\"/places/hcp-east-kent\""),
            ("Districts", "href=\"/places/swale\""),
            ("Across places", "href=\"/places/kalc\""),
        ] {
            let section = list.split(&format!("<h2>{heading}</h2>")).nth(1).unwrap_or_default();
            let section = section.split("<h2>").next().unwrap_or_default();
            assert!(section.contains(place), "{name}: {place} under {heading}");
        }
        // Every district and HCP of the plan's geography has a page.
        for a in plan.place_areas() {
            let (status, _, _) = app.get(&format!("/places/{}", a.id.get_ref()));
            assert_eq!(status, 200, "{name}: /places/{}", a.id.get_ref());
        }

        let (status, _, medway) = app.get("/places/medway");
        assert_eq!(status, 200, "{name}");
        for needle in [
            "<h1>Medway</h1>",
            "unitary council area",
            "href=\"/places/hcp-medway-swale\"",
            "How things are going in Medway",
            "Indicators in Medway",
            "95% interval",
            "What is being delivered in Medway",
            "href=\"/organisations/medway-council\"",
            "Milestones led by organisations serving Medway",
            "href=\"/reports/places/medway\"",
            "Priorities",
            // Medway's priorities come from the partnership it is in, outcomes written out.
            "href=\"/places/hcp-medway-swale\"",
            "outcome 5: Improve health and care services",
        ] {
            assert!(medway.contains(needle), "{name}: /places/medway lacks {needle:?}");
        }
        // The reablement part measured for Medway is judged against its own target there.
        let reablement = plan
            .indicators
            .iter()
            .flat_map(|i| i.tracked())
            .find(|t| t.measurement.is_some_and(|m| m.area.get_ref() == "medway"))
            .expect("the plan measures reablement for Medway");
        {
            let t = reablement;
            let row = medway.split(&format!(">{}</a>", t.measure)).nth(1).unwrap().split("</tr>").next().unwrap();
            assert!(row.contains("nhsuk-tag"), "{name}: {} has its status on the Medway page: {row}", t.measure);
        }
        // The numbers on the page are Medway's own: the latest value of smoking at delivery
        // in Medway, as the store holds it.
        let store = app.db.open();
        let rows =
            store.headline_observations(plan.meta.id.get_ref(), "smoking-at-time-of-delivery", &["medway"]).unwrap();
        let latest = assure_tracking::status::points(&rows).pop().unwrap();
        let shown = assure_tracking::format::value(assure_plan::Unit::Percent, latest.value);
        let row =
            medway.split(">Mothers smoking at time of delivery</a>").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(
            row.contains(&shown) && row.contains(&latest.period),
            "{name}: Medway's {shown} in {} in {row}",
            latest.period
        );

        let (_, _, kent) = app.get("/places/kent");
        for needle in [
            "county council area",
            "Takes in",
            "href=\"/places/ashford\"",
            "href=\"/organisations/kcc\"",
            "How things are going in Kent",
        ] {
            assert!(kent.contains(needle), "{name}: /places/kent lacks {needle:?}");
        }
        let (_, _, hcp) = app.get("/places/hcp-dgs");
        for needle in [
            "Health and Care Partnership",
            "href=\"/places/dartford\"",
            "Sevenoaks</a> (part",
            "Gaps",
            "addresses",
            "the Shared Delivery Plan, line",
        ] {
            assert!(hcp.to_lowercase().contains(&needle.to_lowercase()), "{name}: /places/hcp-dgs lacks {needle:?}");
        }
        let (_, _, swale) = app.get("/places/swale");
        for needle in [
            "district council area",
            "href=\"/places/hcp-medway-swale\"",
            "href=\"/organisations/swale-council\"",
            "How things are going in Swale",
        ] {
            assert!(swale.contains(needle), "{name}: /places/swale lacks {needle:?}");
        }
        assert_eq!(app.get("/places/nowhere").0, 404, "{name}");
    }
}

#[test]
fn search_finds_places_by_name_and_by_the_areas_they_contain() {
    for app in apps() {
        let (status, _, body) = app.get("/search?q=swale");
        assert_eq!(status, 200);
        let places = body.split("<h3>Places").nth(1).unwrap_or_default();
        assert!(places.contains("href=\"/places/swale\""), "{}: {places}", app.db.name);
        assert!(places.contains("href=\"/places/hcp-medway-swale\""), "{}: {places}", app.db.name);
        // Sevenoaks lies partly in two partnerships, and in Kent.
        let (_, _, body) = app.get("/search?q=sevenoaks");
        let places = body.split("<h3>Places").nth(1).unwrap_or_default();
        for id in ["sevenoaks", "hcp-dgs", "hcp-west-kent", "kent"] {
            assert!(
                places.contains(&format!("href=\"/places/{id}\"")),
                "{}: sevenoaks finds {id}: {places}",
                app.db.name
            );
        }
    }
}
