//! The charts of the HTML reports and the web pages: ids unique in the document, each
//! chart's text alternative its own, a legend for every chart naming every mark it
//! draws, and no label drawn outside the chart.

use std::collections::HashSet;

use assure_plan::Unit;
use assure_report::annual::annual;
use assure_report::charts;
use assure_report::html::render;
use assure_tracking::Comparison;
use assure_tracking::series::AreaValue;
use assure_tracking::status::Point;

use crate::deep_dive::{commitment_report, indicator_report};
use crate::fixture::FIXTURE;

/// A generous width of a character of the 13 px chart text (Arial's widest digits and
/// most letters are narrower).
const CHAR_WIDTH: f64 = 13.0 * 0.6;

/// The value of each `name="…"` attribute, in order.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let needle = format!(" {name}=\"");
    html.split(needle.as_str()).skip(1).map(|rest| rest.split('"').next().unwrap_or_default()).collect()
}

/// Every `<svg>…</svg>` of a document.
fn svgs(html: &str) -> Vec<&str> {
    html.split("<svg").skip(1).map(|rest| rest.split("</svg>").next().unwrap_or_default()).collect()
}

/// The text of markup, tags removed, lines of a label joined by spaces.
fn text_of(markup: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Ids are unique, each chart's `aria-labelledby` names ids in that chart, and there are
/// as many legends as charts, each naming what its chart draws.
fn assert_charts_are_their_own(what: &str, html: &str) -> usize {
    let ids = attributes(html, "id");
    let mut seen = HashSet::new();
    for id in &ids {
        assert!(seen.insert(*id), "{what}: id=\"{id}\" is given twice");
    }
    let charts: Vec<&str> = svgs(html).into_iter().filter(|s| s.contains("role=\"img\"")).collect();
    for svg in &charts {
        let own: HashSet<&str> = attributes(svg, "id").into_iter().collect();
        let labelled = attributes(svg, "aria-labelledby");
        assert_eq!(labelled.len(), 1, "{what}: a chart names its title and description");
        for id in labelled[0].split_whitespace() {
            assert!(own.contains(id), "{what}: aria-labelledby names {id}, which is not in its own chart");
        }
    }
    let legends: Vec<&str> = html
        .split("class=\"assure-chart__key\">")
        .skip(1)
        .map(|rest| rest.split("</figcaption>").next().unwrap_or_default().split("</p>").next().unwrap_or_default())
        .collect();
    assert_eq!(legends.len(), charts.len(), "{what}: a legend for each chart");
    for (svg, legend) in charts.iter().zip(&legends) {
        let marks = charts::marks_drawn(svg);
        assert!(!marks.is_empty(), "{what}: a chart draws something");
        for m in marks {
            assert!(legend.contains(m.label), "{what}: '{}' drawn but not in the legend: {legend}", m.label);
        }
    }
    charts.len()
}

/// Every text of an SVG, measured generously, lies inside its view box.
fn assert_text_inside(what: &str, svg: &str) {
    let view_box = attributes(svg, "viewBox")[0];
    let width: f64 = view_box.split_whitespace().nth(2).unwrap().parse().unwrap();
    for text in svg.split("<text").skip(1) {
        let text = text.split("</text>").next().unwrap();
        let anchor = attributes(text, "text-anchor").first().copied().unwrap_or("start");
        // Each line: a tspan with its own x, or the text itself.
        let lines: Vec<(f64, String)> = if text.contains("<tspan") {
            text.split("<tspan")
                .skip(1)
                .map(|t| (attributes(t, "x")[0].parse().unwrap(), text_of(t.split_once('>').unwrap().1)))
                .collect()
        } else {
            vec![(attributes(text, "x")[0].parse().unwrap(), text_of(text.split_once('>').unwrap().1))]
        };
        for (x, line) in lines {
            let w = line.chars().count() as f64 * CHAR_WIDTH;
            let (left, right) = match anchor {
                "end" => (x - w, x),
                "middle" => (x - w / 2.0, x + w / 2.0),
                _ => (x, x + w),
            };
            assert!(
                left >= 0.0 && right <= width,
                "{what}: '{line}' drawn from {left:.1} to {right:.1}, outside 0–{width}"
            );
        }
    }
}

#[test]
fn every_chart_of_a_report_has_its_own_ids_and_a_legend() {
    let f = &*FIXTURE;
    let (report, _) = annual(&f.inputs(), None);
    let html = render(&report);
    let count = assert_charts_are_their_own("annual report", &html);
    let blocks = report.sections.iter().flat_map(|s| &s.blocks);
    let drawn = blocks.filter(|b| matches!(b, assure_report::document::Block::Chart { .. })).count();
    assert!(drawn > 10, "the annual report has a chart per indicator with data, {drawn}");
    assert_eq!(count, drawn);
    for svg in svgs(&html) {
        assert_text_inside("annual report", svg);
    }
    for (what, report) in [("indicator deep dive", indicator_report()), ("commitment deep dive", commitment_report())] {
        assert_charts_are_their_own(what, &render(&report));
    }
}

fn area(area: &str, value: f64, comparison: Comparison) -> AreaValue {
    AreaValue {
        area: area.to_owned(),
        point: Point {
            period: "2024/25".into(),
            time: 2024.5,
            value,
            lower: Some(value - 4.0),
            upper: Some(value + 4.0),
            denominator: None,
        },
        comparison,
    }
}

#[test]
fn the_longest_area_name_and_the_last_axis_label_are_drawn_whole() {
    let plan = &FIXTURE.plan;
    let longest = plan.areas.iter().map(|a| a.name.as_str()).max_by_key(|n| n.chars().count()).unwrap();
    assert!(longest.chars().count() > 40, "{longest}");
    let values =
        [area("a", 98.5, Comparison::Worse), area("b", 60.0, Comparison::Better), area("c", 75.0, Comparison::Similar)];
    let rows: Vec<(String, &AreaValue)> =
        [longest, "Medway", "Kent"].iter().zip(&values).map(|(n, v)| ((*n).to_owned(), v)).collect();
    let markup =
        charts::areas("smoking-areas", "Smoking by area, 2024/25", Unit::Percent, Some(80.0), &rows).into_string();
    let labels: Vec<String> = markup
        .split("class=\"assure-chart__label\">")
        .skip(1)
        .map(|t| text_of(t.split("</text>").next().unwrap()))
        .collect();
    assert_eq!(labels, [longest, "Medway", "Kent"], "each name whole, in its own label");
    let svg = svgs(&markup)[0];
    assert_text_inside("area chart", svg);
    let last_tick = markup.rsplit("class=\"assure-chart__tick\">").next().unwrap().split('<').next().unwrap();
    assert!(last_tick.starts_with("10") && last_tick.ends_with('%'), "the axis reaches past 100%: {last_tick}");
    // Every colour of a point is in the legend.
    for label in ["Value with 95% interval", "Better than England", "Worse than England", "England"] {
        assert!(markup.contains(&format!(">{label}</span>")), "{label} not in the legend");
    }
    assert!(markup.contains("id=\"chart-smoking-areas-title\""), "the ids start with the caller's");
}

/// A proportion's row as an import leaves it: counts, and the value they give.
fn share(area: &str, x: f64, n: f64) -> assure_plan::observation::Observation {
    assure_plan::observation::Observation {
        key: assure_plan::observation::ObservationKey {
            indicator: "x".into(),
            area: area.into(),
            period: "2024/25".into(),
            breakdown: String::new(),
        },
        value: Some(x / n * 100.0),
        lower: None,
        upper: None,
        numerator: Some(x),
        denominator: Some(n),
        note: None,
        source: None,
        illustrative: false,
        line: 0,
    }
}

#[test]
fn a_funnel_plot_labels_its_areas_without_overlap_inside_the_chart_and_names_its_marks() {
    let plan = &FIXTURE.plan;
    // Twelve areas of the plan, each at its own size and value around England's 20%,
    // some far outside the limits.
    let mut rows = vec![share("england", 200_000.0, 1_000_000.0)];
    for (k, a) in plan.areas.iter().take(12).enumerate() {
        let n: f64 = [1_500.0, 3_000.0, 6_000.0, 12_000.0, 24_000.0, 30_000.0][k % 6];
        let p = [0.3, 0.2, 0.12, 0.215][k % 4];
        rows.push(share(a.id.get_ref(), (p * n).round(), n));
    }
    let f = assure_tracking::funnel::by_area(Some(assure_plan::Method::Proportion), &rows).unwrap();
    let names: Vec<String> =
        f.areas.iter().map(|a| plan.areas.iter().find(|p| p.id.get_ref() == &a.area).unwrap().name.clone()).collect();
    let markup = charts::funnel(
        "smoking-funnel",
        "Smoking: funnel plot by area, 2024/25",
        Unit::Percent,
        assure_plan::Polarity::LowerIsBetter,
        &f,
        &names,
    )
    .into_string();
    let svg = svgs(&markup)[0];
    assert_text_inside("funnel plot", svg);
    // The labels: each an area's name, each once, no two overlapping.
    let mut boxes: Vec<(f64, f64, f64, f64, String)> = Vec::new();
    for text in svg.split("<text").skip(1).filter(|t| t.contains("assure-chart__label--halo")) {
        let text = text.split("</text>").next().unwrap();
        let name = text_of(text.split_once('>').unwrap().1);
        assert!(names.contains(&name), "{name} is an area's name");
        let x: f64 = attributes(text, "x")[0].parse().unwrap();
        let y: f64 = attributes(text, "y")[0].parse().unwrap();
        let w = name.chars().count() as f64 * CHAR_WIDTH;
        let left = match attributes(text, "text-anchor")[0] {
            "end" => x - w,
            "middle" => x - w / 2.0,
            _ => x,
        };
        for b in &boxes {
            let overlap = b.0 < left + w && left < b.2 && b.1 < y + 3.0 && y - 11.0 < b.3;
            assert!(!overlap, "'{name}' covers '{}'", b.4);
        }
        assert!(!boxes.iter().any(|b| b.4 == name), "{name} labelled twice");
        boxes.push((left, y - 11.0, left + w, y + 3.0, name));
    }
    // Every area outside the 99.8% limits is labelled (there is room for them first).
    for (a, name) in f.areas.iter().zip(&names) {
        if matches!(
            a.position,
            assure_tracking::funnel::Position::Above998 | assure_tracking::funnel::Position::Below998
        ) {
            assert!(boxes.iter().any(|b| &b.4 == name), "{name} is outside the 99.8% limits but not labelled");
        }
    }
    assert!(boxes.len() >= 9, "most areas are labelled: {}", boxes.len());
    for label in [
        "Area",
        "Outside the 95% limits, better",
        "Outside the 95% limits, worse",
        "England",
        "95% control limits",
        "99.8% control limits",
    ] {
        assert!(markup.contains(&format!(">{label}</span>")), "{label} not in the legend");
    }
    assert!(markup.contains("id=\"chart-smoking-funnel-title\""), "the ids start with the caller's");
}
