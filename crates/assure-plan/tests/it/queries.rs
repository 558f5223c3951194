//! The questions a programme officer asks, answered from the bundled plan.

use assure_plan::query;

fn plan() -> assure_plan::Plan {
    assure_plan::bundled().unwrap()
}

#[test]
fn counts_match_the_document() {
    let s = query::stats(&plan());
    assert_eq!(
        (
            s.outcomes,
            s.priorities,
            s.commitments,
            s.delivery_links,
            s.indicators,
            s.delivery_examples,
            s.milestones,
            s.enablers
        ),
        (6, 21, 88, 427, 23, 30, 30, 3)
    );
    assert_eq!((s.places, s.place_priorities, s.indicator_themes, s.facts), (18, 62, 5, 16));
    assert_eq!((s.enabler_commitments, s.enabler_items), (11, 21));
    // De-duplication: far fewer plans and organisations than rows.
    assert!(s.delivering_plans < s.delivery_links && s.delivering_plans > 200, "{}", s.delivering_plans);
}

#[test]
fn a_plan_linked_under_many_commitments_is_one_record() {
    let plan = plan();
    let links = plan.links_to_delivering_plan("kent-medway-economic-framework");
    assert!(links.len() >= 6, "{}", links.len());
    let texts: std::collections::BTreeSet<&str> = links.iter().map(|(_, l)| l.plan_text.as_str()).collect();
    assert!(
        texts.contains("K&M Economic Framework") && texts.contains("Kent and Medway Economic Framework"),
        "{texts:?}"
    );
    assert_eq!(
        plan.links_to_delivering_plan("family-hub-programme").len(),
        4,
        "Family Hub Programme (lines 232, 245) and Family Hubs (370, 386)"
    );
}

#[test]
fn organisations_resolve_by_id_name_alias_and_misspelling() {
    let plan = plan();
    for (key, id) in [
        ("kcc", "kcc"),
        ("Kent County Council", "kcc"),
        ("NHS K&M", "nhs-kent-medway"),
        ("nhs kent and medway", "nhs-kent-medway"),
        ("KCC – GET", "kcc-get"),
        ("KCC - GET", "kcc-get"),
        ("KLAC", "kalc"),
        ("Medway Corporate Partnering Board", "medway-corporate-parenting-board"),
        ("OPPC", "opcc"),
    ] {
        assert_eq!(plan.organisation(key).map(|o| o.id.get_ref().as_str()), Some(id), "{key}");
    }
    assert!(plan.organisation("Kent County Counsel").is_none());
}

#[test]
fn what_kcc_leads_includes_its_directorates_grouped_by_outcome() {
    let plan = plan();
    let kcc = plan.organisation("kcc").unwrap();
    let leads = query::organisation_leads(&plan, kcc);
    let parts: Vec<&str> = leads.parts.iter().map(|o| o.id.get_ref().as_str()).collect();
    assert!(parts.contains(&"kcc-get") && parts.contains(&"kcc-trading-standards"), "{parts:?}");
    let outcomes: Vec<u8> = leads.outcomes.iter().map(|o| o.outcome).collect();
    assert_eq!(outcomes, [1, 2, 3, 4, 5, 6]);
    // "Libraries Business Plan | KCC – GET" (source line 267) is KCC's through GET.
    let l267 = leads.outcomes[0].links.iter().find(|l| l.link.line == 267).expect("line 267");
    assert_eq!(l267.through, ["kcc-get"]);
    // KCC Trading Standards sits under GET, so it counts for KCC too (source line 595).
    assert!(
        leads
            .outcomes
            .iter()
            .flat_map(|o| &o.links)
            .any(|l| l.link.line == 595 && l.through == ["kcc-trading-standards"])
    );
    // GET alone leads fewer rows than KCC as a whole.
    let get = query::organisation_leads(&plan, plan.organisation("kcc-get").unwrap());
    assert!(get.link_count >= 82 && get.link_count < leads.link_count, "{} {}", get.link_count, leads.link_count);
    // Enabler rows count too: the estate strategy (source line 1511) is led by KCC among others.
    assert!(leads.enabler_items.iter().any(|e| e.item.line == 1511));
}

#[test]
fn search_finds_commitments_plans_and_examples_for_family_hub() {
    let plan = plan();
    let r = query::search(&plan, "Family Hub");
    let ids = |hits: &[query::Hit<'_>]| hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&r.delivering_plans), ["family-hub-programme"]);
    assert!(ids(&r.delivery_examples).contains(&"family-hubs".to_owned()));
    let c = ids(&r.commitments);
    for id in [
        "improve-join-up-access-local-support",
        "ensure-access-benefits-families",
        "support-families-so-children-ready-school",
    ] {
        assert!(c.contains(&id.to_owned()), "{id} not in {c:?}");
    }
    assert!(query::search(&plan, "zebra crossing unicorn").is_empty());
    assert!(query::search(&plan, "   ").is_empty());
}

#[test]
fn gaps_name_places_without_priorities_and_plans_not_in_place() {
    let plan = plan();
    let g = query::gaps(&plan);
    let empty: Vec<&str> = g.places_without_priorities.iter().map(|p| p.id.get_ref().as_str()).collect();
    assert_eq!(empty, ["dover", "maidstone"]);
    let not_in_place: Vec<&str> = g.plans_not_in_place.iter().map(|p| p.plan.name.as_str()).collect();
    assert!(
        not_in_place.contains(&"Work and Health Strategy") && not_in_place.contains(&"Sports Strategy"),
        "{not_in_place:?}"
    );
    let c: Vec<&str> = g.commitments_without_plan_in_place.iter().map(|c| c.id.get_ref().as_str()).collect();
    assert_eq!(c, ["improve-employment-rates-people-learning-difficulties"]);
    let west_kent = g.outcomes_not_addressed_by_place.iter().find(|p| p.place == "hcp-west-kent").unwrap();
    assert_eq!(west_kent.outcomes, [6]);
    // KALC's priorities are not mapped to outcomes in the source, so it is not listed as missing any.
    assert!(!g.outcomes_not_addressed_by_place.iter().any(|p| p.place == "kalc"));
    assert_eq!(g.without_lead.len(), 2, "two enabler rows name no lead");
}

#[test]
fn targets_read_as_the_plan_states_them() {
    let plan = plan();
    let i = plan.indicator("smoking-at-time-of-delivery").unwrap();
    let unit = i.unit.unwrap();
    assert_eq!(i.target.as_ref().unwrap().describe(unit), "no more than 6% by 2028/29");
    assert_eq!(i.baseline.as_ref().unwrap().describe(unit), "10.2%");
    let a = plan.indicator("alcohol-admissions").unwrap();
    assert_eq!(a.target.as_ref().unwrap().describe(a.unit.unwrap()), "no more than 395 per 100,000 by 2028");
    let gap = &plan.indicator("attainment-8-sen").unwrap().parts[2];
    assert_eq!(gap.target.describe(gap.unit), "5 points below the national value by 2028/29");
}
