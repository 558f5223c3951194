//! The glossary's terms, and plan text with its abbreviations linked to them: the plan
//! is written for insiders ("HCP", "VCSE", "INT"); a resident reading it gets each
//! abbreviation's meaning one click away, the first time it appears in a passage.

use maud::{Markup, html};

/// Each term: its anchor, the term as written, and what it means.
pub const GLOSSARY: &[(&str, &str, &str)] = &[
    (
        "baseline",
        "Baseline",
        "The value an indicator started from when the plan was written. Progress is judged from it. Where the plan gives no baseline value, the value nearest the plan's publication is used, and the status says so.",
    ),
    (
        "confidence-interval",
        "Confidence interval (95%)",
        "The range within which the true value very probably lies, given that the data is a count of events that could have come out a little differently by chance. A 95% interval would contain the true value 95 times in 100. When an interval includes the value expected, a shortfall may be chance, so the status is \"at risk\" rather than \"off track\".",
    ),
    (
        "control-limits",
        "Control limits (95% and 99.8%)",
        "The lines either side of the average on a funnel plot. They show how far an area's value could be from the average by chance alone, given how many people it is counted from: about 1 area in 20 lies outside the 95% limits by chance, and about 1 in 500 outside the 99.8% limits. An area outside the 99.8% limits very probably differs from the average for a reason worth looking into.",
    ),
    (
        "core20plus5",
        "Core20PLUS5",
        "The NHS approach to reducing health inequalities: the most deprived 20% of the population (Core20), groups the local system chooses (PLUS), and five clinical areas (maternity, severe mental illness, chronic respiratory disease, early cancer diagnosis and high blood pressure).",
    ),
    (
        "funnel-plot",
        "Funnel plot",
        "A chart of every area's value against the number of people it is counted from, with the average and its control limits. Values from small areas vary more by chance, so the limits are wide for them and narrow for large areas, making a funnel shape. It compares areas fairly where a ranked bar chart would make small areas look best or worst.",
    ),
    (
        "hcp",
        "HCP (Health and Care Partnership)",
        "One of the four partnerships of NHS, council and voluntary organisations that plan health and care for a part of Kent and Medway: Dartford, Gravesham and Swanley; East Kent; Medway and Swale; West Kent.",
    ),
    (
        "icb",
        "ICB (Integrated Care Board)",
        "NHS Kent and Medway, the NHS body that plans and pays for most NHS services in Kent and Medway.",
    ),
    (
        "icp",
        "ICP (Integrated Care Partnership)",
        "The committee of the NHS, Kent County Council, Medway Council and partners that agreed the Integrated Care Strategy and checks every year that it is being delivered.",
    ),
    (
        "ics",
        "ICS (Integrated Care System)",
        "All the organisations that plan and provide health and care in Kent and Medway, working together.",
    ),
    (
        "int",
        "INT (Integrated Neighbourhood Team)",
        "A team of GPs, community health services, social care and voluntary sector workers looking after the people of one neighbourhood together.",
    ),
    (
        "ipph",
        "IPPH (Inequalities, Prevention and Population Health Committee)",
        "The Inequalities, Prevention and Population Health Committee of NHS Kent and Medway, which reports to the ICP on delivering the strategy.",
    ),
    (
        "kalc",
        "KALC (Kent Association of Local Councils)",
        "The Kent Association of Local Councils: the parish and town councils of Kent.",
    ),
    (
        "polarity",
        "Polarity",
        "Which direction is better for an indicator: for smoking at the time of delivery lower is better; for the share of children at a healthy weight higher is better.",
    ),
    (
        "prediction-interval",
        "Prediction interval",
        "The range within which a value projected forward on the recent trend is likely to fall (95% of the time). It is wider than a confidence interval, because it allows for the year-to-year ups and downs of the trend.",
    ),
    (
        "so",
        "SO (shared outcome)",
        "One of the six outcomes of the Integrated Care Strategy that every partner works towards; \"SO 2\" is shared outcome 2.",
    ),
    (
        "significance",
        "Significantly better or worse",
        "Different by more than chance would explain: the whole 95% confidence interval lies on one side of the value compared with.",
    ),
    (
        "slope-index-of-inequality",
        "Slope index of inequality (SII)",
        "The gap between the most and the least deprived, read from every deprivation group rather than only the two ends: a straight line is fitted through the groups' values in order of deprivation (each group weighted by its population where the data give it, else equally), and the SII is the difference it gives between the most deprived end and the least deprived end. Positive means the value is higher among the least deprived. Its 95% interval is found by simulation (10,000 draws from a fixed seed, so it is the same each time).",
    ),
    (
        "status",
        "Status",
        "Where an indicator stands against its target: achieved, on track, at risk, off track or no data. Computed from the data by one published rule, never typed in.",
    ),
    (
        "trajectory",
        "Trajectory",
        "The straight line from the baseline to the target by its date. The value expected now is the point on that line today; an indicator at or better than it is on track.",
    ),
    (
        "vcse",
        "VCSE (voluntary, community and social enterprise sector)",
        "The voluntary, community and social enterprise sector: charities, community groups and social enterprises.",
    ),
];

/// The abbreviations that [`glossed`] links, as they are written in the plan, with the
/// glossary entry each links to.
const ABBREVIATIONS: &[(&str, &str)] = &[
    ("Core20PLUS5", "core20plus5"),
    ("HCPs", "hcp"),
    ("HCP", "hcp"),
    ("ICB", "icb"),
    ("ICP", "icp"),
    ("ICS", "ics"),
    ("INTs", "int"),
    ("INT", "int"),
    ("IPPH", "ipph"),
    ("KALC", "kalc"),
    ("VCSE", "vcse"),
];

/// The meaning of a glossary entry, in short (the term as written out).
fn term(anchor: &str) -> &'static str {
    GLOSSARY.iter().find(|(a, _, _)| *a == anchor).map_or("", |(_, t, _)| t)
}

/// Plan text with the first use of each abbreviation linked to its glossary entry (and
/// titled with what it stands for). For text that is not itself inside a link.
pub fn glossed(text: &str) -> Markup {
    let mut parts: Vec<(&str, Option<&str>)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut rest = text;
    let word_char = |c: char| c.is_alphanumeric();
    'scan: while !rest.is_empty() {
        for (i, _) in rest.char_indices() {
            let before_ok = rest[..i].chars().next_back().is_none_or(|c| !word_char(c));
            if !before_ok {
                continue;
            }
            for (abbr, anchor) in ABBREVIATIONS {
                let after = &rest[i..];
                if after.starts_with(abbr)
                    && after[abbr.len()..].chars().next().is_none_or(|c| !word_char(c))
                    && !seen.contains(anchor)
                {
                    seen.push(anchor);
                    parts.push((&rest[..i], None));
                    parts.push((&after[..abbr.len()], Some(anchor)));
                    rest = &after[abbr.len()..];
                    continue 'scan;
                }
            }
        }
        parts.push((rest, None));
        break;
    }
    html! {
        @for (text, anchor) in parts {
            @match anchor {
                Some(a) => a href={ "/glossary#" (a) } title=(term(a)) { (text) },
                None => (text),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::glossed;

    #[test]
    fn the_first_use_of_each_abbreviation_is_linked() {
        let text = glossed("The HCPs and the VCSE, with each HCP & VCSE partner; not SHCP.").into_string();
        assert_eq!(
            text,
            "The <a href=\"/glossary#hcp\" title=\"HCP (Health and Care Partnership)\">HCPs</a> and the \
             <a href=\"/glossary#vcse\" title=\"VCSE (voluntary, community and social enterprise sector)\">VCSE</a>, with each HCP &amp; VCSE partner; not SHCP."
        );
        assert_eq!(glossed("").into_string(), "");
        assert_eq!(glossed("Nothing here").into_string(), "Nothing here");
    }
}
