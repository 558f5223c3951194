//! Deep-dive packs: everything linked to one indicator or one commitment in one
//! document — the commitments, delivering plans and lead organisations, milestones and
//! their history, place breakdowns and trends, what residents said.

use assure_plan::delivery::ItemKind;
use assure_plan::observation::Observation;
use assure_plan::{Commitment, Indicator, Tracked};
use assure_tracking::funnel::AreaFunnel;
use assure_tracking::series::latest_by_area;

use crate::annual::{heard_text, outcome_milestones};
use crate::blocks::{
    Inputs, delivery_cell, flags, history, indicator_charts, indicator_table, leads_text, milestone_table,
};
use crate::document::{Block, Cell, Report, Section, standalone_svg};

fn report(inputs: &Inputs<'_>, title: String, sections: Vec<Section>) -> Report {
    Report {
        title,
        subtitle: format!("Deep dive · {}", inputs.plan.meta.title),
        generated_at: inputs.generated_at.clone(),
        illustrative: inputs.illustrative,
        sections,
    }
}

fn area_name(inputs: &Inputs<'_>, id: &str) -> String {
    inputs.plan.areas.iter().find(|a| a.id.get_ref() == id).map_or(id.to_owned(), |a| a.name.clone())
}

/// What residents said about an outcome, as blocks.
fn heard(inputs: &Inputs<'_>, n: u8) -> Vec<Block> {
    inputs.plan.outcome(n).filter(|o| !o.heard.is_empty()).map_or_else(Vec::new, |o| {
        vec![
            Block::Paragraph("From the engagement behind the plan:".into()),
            Block::List(o.heard.iter().map(heard_text).collect()),
        ]
    })
}

/// An indicator's areas on a funnel plot, and the table of where each lies against its
/// control limits (the same as the indicator's web page).
fn funnel_blocks(inputs: &Inputs<'_>, t: &Tracked<'_>, f: &AreaFunnel) -> Vec<Block> {
    let names: Vec<String> = f.areas.iter().map(|a| area_name(inputs, &a.area)).collect();
    let title = format!("{}: funnel plot by area, {}", t.measure, f.period);
    let markup = crate::charts::funnel(&format!("{}-funnel", t.id), &title, t.unit, t.polarity, f, &names);
    let value = |v: f64| assure_tracking::format::value(t.unit, v);
    let mut rows: Vec<Vec<Cell>> = f
        .areas
        .iter()
        .zip(&names)
        .map(|(a, name)| {
            let judged = match a.position.better(t.polarity) {
                Some(true) => " (better)",
                Some(false) => " (worse)",
                None => "",
            };
            vec![
                Cell::text(name.clone()),
                Cell::text(value(a.value)),
                Cell::text(a.denominator.map(|d| assure_tracking::format::number(d, 0)).unwrap_or_default()),
                Cell::text(format!("{}{judged}", a.position.describe())),
            ]
        })
        .collect();
    let centre = if f.centre_is_england { "England" } else { "Average of these areas" };
    rows.push(vec![Cell::text(centre), Cell::text(value(f.centre)), Cell::text(""), Cell::text("The centre line")]);
    let mut blocks = vec![Block::Paragraph(format!(
        "Each area's value against the number of people it is counted from, around {}: \
         outside the 95% control limits is more than chance usually explains, outside the 99.8% \
         very probably a real difference.",
        if f.centre_is_england { "England's value" } else { "the average of these areas" }
    ))];
    blocks.extend(standalone_svg(&markup.into_string()).map(|svg| Block::Chart { title: title.clone(), svg }));
    blocks.push(Block::table(
        format!("{}: by area, {}, against the control limits", t.measure, f.period),
        &["Area", "Value", "Denominator", "Against the control limits"],
        rows,
    ));
    blocks
}

/// The deep dive of an indicator; `observations` are its stored rows (all areas), for
/// the place breakdown.
pub fn indicator(inputs: &Inputs<'_>, i: &Indicator, observations: &[Observation]) -> Report {
    let plan = inputs.plan;
    let n = *i.outcome.get_ref();
    let mut status = vec![indicator_table(inputs, "Status", &[i])];
    status.extend(indicator_charts(inputs, i));
    // A compound indicator is measured part by part.
    let tracked = i.tracked();
    let mut measured = Vec::new();
    for t in &tracked {
        let Some(m) = t.measurement else { continue };
        if tracked.len() > 1 {
            measured.push(Block::Heading(t.measure.to_owned()));
        }
        measured.push(Block::Paragraph(m.definition.clone()));
        measured.push(Block::List(vec![
            format!("Method: {}", m.method.get_ref().label()),
            format!("Source: {}", m.source),
            format!("Area of the target: {}", area_name(inputs, m.area.get_ref())),
        ]));
    }
    if measured.is_empty() {
        measured.push(Block::Paragraph("The plan does not say how this indicator is measured.".into()));
    }
    let mut places = Vec::new();
    for t in &tracked {
        let rows: Vec<Observation> = observations.iter().filter(|o| o.key.indicator == t.id).cloned().collect();
        let method = t.measurement.map(|m| *m.method.get_ref());
        if let Ok(f) = assure_tracking::funnel::by_area(method, &rows) {
            places.extend(funnel_blocks(inputs, t, &f));
        } else if let Some((period, england, values)) = latest_by_area(&rows, t.polarity) {
            let mut table_rows: Vec<Vec<Cell>> = values
                .iter()
                .map(|v| {
                    vec![
                        Cell::text(area_name(inputs, &v.area)),
                        Cell::text(assure_tracking::format::value(t.unit, v.point.value)),
                        Cell::text(v.comparison.to_string()),
                    ]
                })
                .collect();
            if let Some(e) = england {
                table_rows.push(vec![
                    Cell::text("England"),
                    Cell::text(assure_tracking::format::value(t.unit, e)),
                    Cell::text(""),
                ]);
            }
            places.push(Block::table(
                format!("{}: by area, {period}", t.measure),
                &["Area", "Value", "Compared with England"],
                table_rows,
            ));
        }
    }
    if places.is_empty() {
        places.push(Block::Paragraph("No data by area is stored for this indicator.".into()));
    }
    let commitments: Vec<&Commitment> = plan.commitments.iter().filter(|c| *c.outcome.get_ref() == n).collect();
    let linked = vec![
        Block::Paragraph(format!(
            "The indicator measures outcome {n}: {}.",
            plan.outcome(n).map_or("", |o| o.title.as_str())
        )),
        commitments_table(inputs, &commitments),
    ];
    let evidence: Vec<_> = tracked
        .iter()
        .filter_map(|t| t.measurement)
        .flat_map(|m| m.milestones.iter())
        .filter_map(|id| inputs.delivery.milestone(plan, id.get_ref()))
        .collect();
    let milestones = if evidence.is_empty() { outcome_milestones(inputs, n) } else { evidence };
    let mut sections = vec![
        Section { heading: "Status and trend".into(), blocks: status },
        Section { heading: "How it is measured".into(), blocks: measured },
        Section { heading: "By place".into(), blocks: places },
        Section { heading: "Commitments of the outcome and who delivers them".into(), blocks: linked },
        Section { heading: "Milestones".into(), blocks: vec![milestone_table(inputs, "Milestones", &milestones)] },
    ];
    let h = heard(inputs, n);
    if !h.is_empty() {
        sections.push(Section { heading: "What residents told us".into(), blocks: h });
    }
    report(inputs, i.statement.clone(), sections)
}

fn commitments_table(inputs: &Inputs<'_>, commitments: &[&Commitment]) -> Block {
    let plan = inputs.plan;
    let mut rows = Vec::new();
    for c in commitments {
        for l in &c.links {
            let plans = l.plans.iter().map(|p| plan.delivering_plan_name(p.get_ref())).collect::<Vec<_>>().join("; ");
            let leads = if l.led_by.is_empty() {
                l.led_by_text.clone()
            } else {
                l.led_by.iter().map(|o| plan.organisation_name(o.get_ref())).collect::<Vec<_>>().join(", ")
            };
            rows.push(vec![Cell::text(c.title.clone()), Cell::text(plans), Cell::text(leads)]);
        }
    }
    Block::table(
        "Commitments, the strategies and plans that deliver them, and who leads",
        &["Commitment", "Strategy or plan", "Led by"],
        rows,
    )
}

/// The deep dive of a commitment.
pub fn commitment(inputs: &Inputs<'_>, c: &Commitment) -> Report {
    let plan = inputs.plan;
    let n = *c.outcome.get_ref();
    let priorities: Vec<String> =
        c.priorities.iter().filter_map(|p| plan.priority(p.get_ref())).map(|p| p.title.clone()).collect();
    let about = vec![
        Block::Paragraph(format!("A commitment of outcome {n}: {}.", plan.outcome(n).map_or("", |o| o.title.as_str()))),
        Block::Heading("Priorities it serves".into()),
        Block::List(priorities),
        commitments_table(inputs, &[c]),
    ];
    // Each plan once, in the order the links first name it (two links may name the same plan).
    let mut plan_ids: Vec<&str> = Vec::new();
    for p in c.links.iter().flat_map(|l| l.plans.iter().map(|p| p.get_ref().as_str())) {
        if !plan_ids.contains(&p) {
            plan_ids.push(p);
        }
    }
    let mut delivery = Vec::new();
    for id in &plan_ids {
        let p = inputs.delivery.progress(ItemKind::DeliveringPlan, id, "Ongoing");
        delivery.push(Block::Heading(plan.delivering_plan_name(id).to_owned()));
        delivery.push(Block::table(
            format!("Where {} stands", plan.delivering_plan_name(id)),
            &["Status", "Flags", "Led by"],
            vec![vec![
                delivery_cell(p.status),
                Cell::text(flags(&p)),
                Cell::text(leads_text(inputs, ItemKind::DeliveringPlan, id)),
            ]],
        ));
        let h = history(inputs, ItemKind::DeliveringPlan, id);
        delivery.push(if h.is_empty() {
            Block::Paragraph("No update has been published yet.".into())
        } else {
            Block::List(h)
        });
    }
    if delivery.is_empty() {
        delivery.push(Block::Paragraph("The plan names no strategy or plan for this commitment.".into()));
    }
    let milestones: Vec<_> = inputs
        .delivery
        .milestones(plan)
        .into_iter()
        .filter(|m| match (m.example, m.added) {
            (Some(e), _) => e.plans.iter().any(|p| plan_ids.contains(&p.get_ref().as_str())),
            (None, Some(a)) => plan_ids.contains(&a.delivering_plan.as_str()),
            (None, None) => false,
        })
        .collect();
    let mut milestone_blocks = vec![milestone_table(inputs, "Milestones of these plans", &milestones)];
    for m in &milestones {
        let h = history(inputs, ItemKind::Milestone, m.id);
        if !h.is_empty() {
            milestone_blocks.push(Block::Heading(format!("History: {}", m.title)));
            milestone_blocks.push(Block::List(h));
        }
    }
    let indicators: Vec<_> = plan.indicators.iter().filter(|i| *i.outcome.get_ref() == n).collect();
    let mut measures = vec![indicator_table(inputs, &format!("Indicators of outcome {n}"), &indicators)];
    for i in &indicators {
        measures.extend(indicator_charts(inputs, i));
    }
    let mut sections = vec![
        Section { heading: "The commitment".into(), blocks: about },
        Section { heading: "Delivering plans and their updates".into(), blocks: delivery },
        Section { heading: "Milestones and their history".into(), blocks: milestone_blocks },
        Section { heading: "Indicators of the outcome".into(), blocks: measures },
    ];
    let h = heard(inputs, n);
    if !h.is_empty() {
        sections.push(Section { heading: "What residents told us".into(), blocks: h });
    }
    report(inputs, c.title.clone(), sections)
}
