//! Text output of the CLI: what a programme officer reads in a terminal.

use assure_plan::query::{self, Gaps, OrganisationLeads, OutcomeDetail, PlanDetail, PriorityDetail, SearchResults};
use assure_plan::*;
use std::io::{self, Write};

fn names(plan: &Plan, ids: &[Sp<String>]) -> String {
    ids.iter().map(|i| plan.organisation_name(i.get_ref())).collect::<Vec<_>>().join("; ")
}

fn links(w: &mut dyn Write, plan: &Plan, links: &[DeliveryLink], indent: &str) -> io::Result<()> {
    for l in links {
        let plans: Vec<String> = l
            .plans
            .iter()
            .map(|p| {
                let dp = plan.delivering_plan(p.get_ref());
                match dp.map(|d| *d.status.get_ref()) {
                    Some(PlanStatus::InPlace) | None => plan.delivering_plan_name(p.get_ref()).to_owned(),
                    Some(s) => format!("{} [{}]", plan.delivering_plan_name(p.get_ref()), s.label()),
                }
            })
            .collect();
        writeln!(w, "{indent}- {}", plans.join(" + "))?;
        if l.led_by.is_empty() {
            writeln!(w, "{indent}    led by: (no lead named)   [source line {}]", l.line)?;
        } else {
            writeln!(w, "{indent}    led by: {}   [source line {}]", names(plan, &l.led_by), l.line)?;
        }
    }
    Ok(())
}

/// `assure plan stats`.
pub fn stats(w: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    let s = query::stats(plan);
    writeln!(w, "{} ({})", plan.meta.title, plan.meta.published)?;
    let rows = [
        ("outcomes", s.outcomes),
        ("priorities", s.priorities),
        ("commitments", s.commitments),
        ("delivery links (table rows)", s.delivery_links),
        ("delivering plans", s.delivering_plans),
        ("organisations", s.organisations),
        ("indicators", s.indicators),
        ("  parts of compound indicators", s.indicator_parts),
        ("  indicator themes to be developed", s.indicator_themes),
        ("delivery examples", s.delivery_examples),
        ("milestones", s.milestones),
        ("enablers", s.enablers),
        ("  enabler commitments", s.enabler_commitments),
        ("  enabler items", s.enabler_items),
        ("places", s.places),
        ("place priorities", s.place_priorities),
        ("areas", s.areas),
        ("system facts", s.facts),
    ];
    for (label, n) in rows {
        writeln!(w, "  {label:<36} {n:>5}")?;
    }
    Ok(())
}

/// `assure plan show outcome N`.
pub fn outcome(w: &mut dyn Write, _plan: &Plan, d: &OutcomeDetail<'_>) -> io::Result<()> {
    let o = d.outcome;
    writeln!(w, "Shared outcome {}: {}   [source line {}]", o.number.get_ref(), o.title, o.line)?;
    for v in &o.variant {
        writeln!(w, "  also titled: {}   [source line {}]", v.title, v.line)?;
    }
    writeln!(w, "\n{}\n", o.ambition)?;
    if !o.heard.is_empty() {
        writeln!(w, "What we heard:")?;
        for h in &o.heard {
            writeln!(w, "  - {}", h.text)?;
            for i in &h.items {
                writeln!(w, "      - {i}")?;
            }
        }
    }
    writeln!(w, "\nPriorities:")?;
    for p in &d.priorities {
        writeln!(w, "  {} {} ({} commitments)", p.priority.id.get_ref(), p.priority.title, p.commitments.len())?;
    }
    writeln!(w, "\nIndicators:")?;
    for i in &d.indicators {
        writeln!(w, "  - {} [{}]", i.statement, i.id.get_ref())?;
    }
    for t in &o.indicator_theme {
        writeln!(w, "  - theme to be developed: {}", t.text)?;
    }
    writeln!(w, "\nShared delivery examples:")?;
    for e in &d.delivery_examples {
        let m: Vec<String> = e.milestones.iter().map(|m| format!("{} ({})", m.title, m.due.get_ref())).collect();
        writeln!(w, "  - {} [{}]: {}", e.title, e.id.get_ref(), m.join("; "))?;
    }
    if !o.statement.is_empty() {
        writeln!(w)?;
        for s in &o.statement {
            writeln!(w, "  \u{201c}{}\u{201d}", s.text.trim_matches(|c| c == '\u{201c}' || c == '\u{201d}'))?;
        }
    }
    if !d.place_priorities.is_empty() {
        writeln!(w, "\nPlace priorities mapped to this outcome:")?;
        for (place, pr) in &d.place_priorities {
            writeln!(w, "  - {place}: {}", pr.title)?;
        }
    }
    Ok(())
}

/// `assure plan show priority ID`.
pub fn priority(w: &mut dyn Write, plan: &Plan, d: &PriorityDetail<'_>) -> io::Result<()> {
    let p = d.priority;
    let o = plan.outcome(*p.outcome.get_ref());
    writeln!(w, "Priority {}: {}   [source line {}]", p.id.get_ref(), p.title, p.line)?;
    if let Some(o) = o {
        writeln!(w, "Outcome {}: {}", o.number.get_ref(), o.title)?;
    }
    writeln!(w, "\n{}\n", p.description)?;
    for c in &d.commitments {
        writeln!(w, "{} [{}]", c.title, c.id.get_ref())?;
        links(w, plan, &c.links, "  ")?;
    }
    Ok(())
}

/// `assure plan show commitment ID`.
pub fn commitment(w: &mut dyn Write, plan: &Plan, c: &Commitment) -> io::Result<()> {
    writeln!(w, "{}   [source line {}]", c.title, c.line)?;
    writeln!(w, "Commitment {} under outcome {}", c.id.get_ref(), c.outcome.get_ref())?;
    for p in &c.priorities {
        if let Some(p) = plan.priority(p.get_ref()) {
            writeln!(w, "  priority {} {}", p.id.get_ref(), p.title)?;
        }
    }
    writeln!(w, "\nStrategies / plans in place to deliver:")?;
    links(w, plan, &c.links, "  ")?;
    Ok(())
}

/// `assure plan show plan ID`.
pub fn delivering_plan(w: &mut dyn Write, plan: &Plan, d: &PlanDetail<'_>) -> io::Result<()> {
    let p = d.plan;
    writeln!(w, "{}   [{}; first named on source line {}]", p.name, p.status.get_ref().label(), p.line)?;
    for a in &p.aliases {
        writeln!(w, "  also written: {a}")?;
    }
    let leads: Vec<&str> = d.led_by.iter().map(|id| plan.organisation_name(id)).collect();
    writeln!(w, "Led by: {}", if leads.is_empty() { "(no lead named)".to_owned() } else { leads.join("; ") })?;
    writeln!(w, "\nUsed {} time(s):", d.uses.len())?;
    for u in &d.uses {
        let where_ = u.outcome.map_or_else(|| format!("enabler {}", u.under), |o| format!("outcome {o}"));
        writeln!(w, "  - {} ({where_}) — led by {}   [source line {}]", u.title, u.led_by_text, u.line)?;
    }
    if !d.delivery_examples.is_empty() {
        writeln!(w, "\nDelivery examples: {}", d.delivery_examples.join(", "))?;
    }
    Ok(())
}

/// `assure plan show indicator ID`.
pub fn indicator(w: &mut dyn Write, i: &Indicator) -> io::Result<()> {
    writeln!(w, "{}   [source line {}]", i.statement, i.line)?;
    writeln!(w, "Indicator {} under outcome {}", i.id.get_ref(), i.outcome.get_ref())?;
    fn part(
        w: &mut dyn Write,
        measure: &str,
        unit: Unit,
        polarity: Polarity,
        geography: &str,
        baseline: Option<&Baseline>,
        target: &Target,
    ) -> io::Result<()> {
        writeln!(w, "  measure:   {measure}")?;
        writeln!(w, "  where:     {geography}")?;
        writeln!(w, "  polarity:  {}", polarity.label())?;
        writeln!(w, "  baseline:  {}", baseline.map_or_else(|| "not stated".to_owned(), |b| b.describe(unit)))?;
        writeln!(w, "  target:    {}", target.describe(unit))
    }
    if let (Some(t), Some(unit), Some(pol)) = (&i.target, i.unit, &i.polarity) {
        part(w, &i.measure, unit, *pol.get_ref(), i.geography.as_deref().unwrap_or_default(), i.baseline.as_ref(), t)?;
    }
    for p in &i.parts {
        writeln!(w, "\n Part {}:", p.id.get_ref())?;
        part(w, &p.measure, p.unit, *p.polarity.get_ref(), &p.geography, p.baseline.as_ref(), &p.target)?;
    }
    Ok(())
}

/// `assure plan show example ID`.
pub fn example(w: &mut dyn Write, plan: &Plan, e: &DeliveryExample) -> io::Result<()> {
    writeln!(w, "{}   [shared delivery example, outcome {}, source line {}]\n", e.title, e.outcome.get_ref(), e.line)?;
    for p in &e.summary {
        writeln!(w, "{p}\n")?;
    }
    writeln!(w, "Milestones:")?;
    for m in &e.milestones {
        writeln!(w, "  - {} — due {}   [source line {}]", m.title, m.due.get_ref(), m.line)?;
    }
    if !e.plans.is_empty() {
        let ps: Vec<&str> = e.plans.iter().map(|p| plan.delivering_plan_name(p.get_ref())).collect();
        writeln!(w, "Delivering plans: {}", ps.join("; "))?;
    }
    Ok(())
}

/// `assure plan show place ID`.
pub fn place(w: &mut dyn Write, plan: &Plan, p: &Place) -> io::Result<()> {
    writeln!(w, "{}   [source line {}]", p.name, p.line)?;
    writeln!(w, "Organisation: {}", plan.organisation_name(p.organisation.get_ref()))?;
    if let Some(note) = &p.note {
        writeln!(w, "Note: {note}")?;
    }
    if p.priorities.is_empty() {
        writeln!(w, "\nNo priorities are listed for this place in the plan.")?;
        return Ok(());
    }
    writeln!(w, "\nPriorities:")?;
    for pr in &p.priorities {
        let so: Vec<String> = pr.outcomes.iter().map(|o| o.get_ref().to_string()).collect();
        let so = if so.is_empty() { "not mapped to outcomes".to_owned() } else { format!("SO {}", so.join(", ")) };
        writeln!(w, "  - {} ({so})", pr.title)?;
    }
    let mut cells = String::new();
    for o in &plan.outcomes {
        let n = *o.number.get_ref();
        let hit = p.priorities.iter().any(|pr| pr.outcomes.iter().any(|x| *x.get_ref() == n));
        cells.push_str(&format!(" SO{n}:{}", if hit { "yes" } else { "-" }));
    }
    writeln!(w, "\nCoverage:{cells}")?;
    Ok(())
}

/// `assure org show ORG`.
pub fn organisation(w: &mut dyn Write, plan: &Plan, l: &OrganisationLeads<'_>) -> io::Result<()> {
    let o = l.organisation;
    writeln!(w, "{} [{}]", o.name, o.id.get_ref())?;
    if !o.aliases.is_empty() {
        writeln!(w, "  also known as: {}", o.aliases.join("; "))?;
    }
    if let Some(p) = l.parent {
        writeln!(w, "  part of: {} [{}]", p.name, p.id.get_ref())?;
    }
    if !l.parts.is_empty() {
        let parts: Vec<String> = l.parts.iter().map(|p| format!("{} [{}]", p.name, p.id.get_ref())).collect();
        writeln!(w, "  includes: {}", parts.join("; "))?;
    }
    writeln!(
        w,
        "\nLeads {} delivery link(s) across {} outcome(s), {} delivering plan(s).",
        l.link_count,
        l.outcomes.len(),
        l.plans.len()
    )?;
    for oc in &l.outcomes {
        writeln!(w, "\nOutcome {}: {}", oc.outcome, oc.title)?;
        let mut last = "";
        for ll in &oc.links {
            if ll.commitment_id != last {
                writeln!(w, "  {} [{}]", ll.commitment, ll.commitment_id)?;
                last = ll.commitment_id;
            }
            let plans: Vec<&str> = ll.link.plans.iter().map(|p| plan.delivering_plan_name(p.get_ref())).collect();
            let via: Vec<&str> = ll
                .through
                .iter()
                .filter(|t| **t != o.id.get_ref().as_str())
                .map(|t| plan.organisation_name(t))
                .collect();
            let via = if via.is_empty() { String::new() } else { format!(" (through {})", via.join(", ")) };
            writeln!(w, "    - {}{via}   [source line {}]", plans.join(" + "), ll.link.line)?;
        }
    }
    if !l.enabler_items.is_empty() {
        writeln!(w, "\nEnablers:")?;
        for e in &l.enabler_items {
            let what = e.item.text.as_deref().or(e.item.plan_text.as_deref()).unwrap_or(e.commitment);
            writeln!(w, "  - {}: {}   [source line {}]", e.enabler, what, e.item.line)?;
        }
    }
    for p in &l.places {
        writeln!(
            w,
            "\nPlace priorities ({}): {}",
            p.name,
            p.priorities.iter().map(|x| x.title.as_str()).collect::<Vec<_>>().join("; ")
        )?;
    }
    Ok(())
}

/// `assure org list`.
pub fn organisations(w: &mut dyn Write, plan: &Plan) -> io::Result<()> {
    for o in &plan.organisations {
        let parent = o.parent.as_ref().map(|p| format!(" (part of {})", p.get_ref())).unwrap_or_default();
        writeln!(w, "{:<40} {}{parent}", o.id.get_ref(), o.name)?;
    }
    Ok(())
}

/// Up to ~100 characters of `text` around where `query` occurs, with ellipses where cut.
fn snippet(text: &str, query: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars.iter().map(|c| c.to_lowercase().next().unwrap_or(*c)).collect();
    let find = |needle: &str| -> Option<usize> {
        let n: Vec<char> = needle.to_lowercase().chars().collect();
        if n.is_empty() { None } else { lower.windows(n.len()).position(|w| w == n.as_slice()) }
    };
    // The whole phrase if it occurs, else its first word.
    let phrase = query.split_whitespace().collect::<Vec<_>>().join(" ");
    let at = find(&phrase).or_else(|| find(query.split_whitespace().next().unwrap_or_default())).unwrap_or(0);
    let start = at.saturating_sub(40);
    let end = (start + 100).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('\u{2026}');
    }
    out.extend(&chars[start..end]);
    if end < chars.len() {
        out.push('\u{2026}');
    }
    out
}

/// `assure plan search QUERY`.
pub fn search(w: &mut dyn Write, q: &str, r: &SearchResults<'_>) -> io::Result<()> {
    if r.is_empty() {
        writeln!(w, "Nothing in the plan mentions \u{2018}{q}\u{2019}.")?;
        return Ok(());
    }
    writeln!(w, "{} result(s) for \u{2018}{q}\u{2019}", r.len())?;
    let groups = [
        ("Outcomes", &r.outcomes),
        ("Priorities", &r.priorities),
        ("Commitments", &r.commitments),
        ("Delivering plans", &r.delivering_plans),
        ("Organisations", &r.organisations),
        ("Indicators", &r.indicators),
        ("Delivery examples", &r.delivery_examples),
        ("Place priorities", &r.places),
    ];
    for (label, hits) in groups {
        if hits.is_empty() {
            continue;
        }
        writeln!(w, "\n{label} ({})", hits.len())?;
        for h in hits {
            if h.matched == h.title {
                writeln!(w, "  {} [{}]   [source line {}]", h.title, h.id, h.line)?;
            } else {
                writeln!(w, "  {} [{}]: {}   [source line {}]", h.title, h.id, snippet(h.matched, q), h.line)?;
            }
        }
    }
    Ok(())
}

/// `assure plan gaps`.
pub fn gaps(w: &mut dyn Write, _plan: &Plan, g: &Gaps<'_>) -> io::Result<()> {
    writeln!(w, "Commitments with no delivering plan: {}", g.commitments_without_plans.len())?;
    for c in &g.commitments_without_plans {
        writeln!(w, "  - {} [{}]", c.title, c.id.get_ref())?;
    }
    writeln!(w, "\nCommitments none of whose plans is in place yet: {}", g.commitments_without_plan_in_place.len())?;
    for c in &g.commitments_without_plan_in_place {
        writeln!(w, "  - {} [{}]", c.title, c.id.get_ref())?;
    }
    writeln!(w, "\nDelivering plans not yet in place: {}", g.plans_not_in_place.len())?;
    for p in &g.plans_not_in_place {
        writeln!(
            w,
            "  - {} ({}) — needed by: {}",
            p.plan.name,
            p.plan.status.get_ref().label(),
            p.commitments.join(", ")
        )?;
    }
    writeln!(w, "\nPlaces with no listed priorities: {}", g.places_without_priorities.len())?;
    for p in &g.places_without_priorities {
        writeln!(w, "  - {}{}", p.name, p.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default())?;
    }
    writeln!(w, "\nShared outcomes a place's priorities do not address:")?;
    for p in &g.outcomes_not_addressed_by_place {
        let so: Vec<String> = p.outcomes.iter().map(|o| format!("SO {o}")).collect();
        writeln!(w, "  - {}: {}", p.name, so.join(", "))?;
    }
    writeln!(w, "\nRows with no lead organisation named: {}", g.without_lead.len())?;
    for u in &g.without_lead {
        writeln!(w, "  - {}: {}   [source line {}]", u.under, u.text, u.line)?;
    }
    writeln!(
        w,
        "\nIndicators whose baseline value the plan does not state: {}",
        g.indicators_without_baseline_value.len()
    )?;
    for i in &g.indicators_without_baseline_value {
        writeln!(w, "  - {i}")?;
    }
    Ok(())
}

/// `assure plan diff A B`.
pub fn diff(w: &mut dyn Write, d: &assure_plan::diff::PlanDiff) -> io::Result<()> {
    use assure_plan::diff::ChangeKind;
    let (added, removed, changed) = d.counts();
    writeln!(w, "From {} to {}: {added} added, {removed} removed, {changed} changed", d.from, d.to)?;
    for c in &d.changes {
        let mark = match c.kind {
            ChangeKind::Added => '+',
            ChangeKind::Removed => '-',
            ChangeKind::Changed => '~',
        };
        writeln!(w, "{mark} {} {}: {}", c.item, c.id, c.title)?;
        for f in c.fields.iter().flat_map(assure_app::field_rows) {
            writeln!(w, "    {}: {} \u{2192} {}", f.field, f.before, f.after)?;
        }
    }
    Ok(())
}

/// What an areas file did to a draft: counts, each area added and each field changed,
/// and the problems the draft still has.
pub fn areas_imported(w: &mut dyn Write, r: &assure_app::AreasImported) -> io::Result<()> {
    writeln!(w, "{} into draft '{}': {}", r.file, r.draft, r.counts())?;
    for a in &r.added {
        let parent = a.parent.as_ref().map(|p| format!(", in {}", p.get_ref())).unwrap_or_default();
        writeln!(w, "  added    {}  {} ({}{parent})", a.id.get_ref(), a.name, a.kind.label())?;
    }
    for c in &r.changed {
        for (field, before, after) in c.fields() {
            let shown = |v: &str| if v.is_empty() { "(none)".to_owned() } else { format!("'{v}'") };
            writeln!(w, "  changed  {}  {field}: {} → {}", c.after.id.get_ref(), shown(&before), shown(&after))?;
        }
    }
    if !r.problems.is_empty() {
        writeln!(w, "The draft has {} problem(s) to put right before it can be published:", r.problems.len())?;
        for p in &r.problems {
            writeln!(w, "  {p}")?;
        }
    }
    Ok(())
}

/// Fingertips sources, each with its address and latest runs.
pub fn fingertips_sources(w: &mut dyn Write, sources: &[assure_app::SourceStatus]) -> io::Result<()> {
    if sources.is_empty() {
        writeln!(w, "no Fingertips source: add one with `assure data sources add`")?;
    }
    for s in sources {
        writeln!(
            w,
            "#{} {} into plan '{}' (added by {} at {})\n    {}",
            s.source.id,
            s.source.source.every.as_str(),
            s.source.source.plan_id,
            s.source.created_by,
            s.source.created_at,
            s.url
        )?;
        if s.runs.is_empty() {
            writeln!(w, "    not run yet")?;
        }
        for r in &s.runs {
            let ended = match (&r.finished_at, &r.outcome) {
                (Some(at), Some(said)) if r.failed => format!("FAILED at {at}: {said}"),
                (Some(at), Some(said)) => format!("finished at {at}: {said}"),
                _ => "running, or stopped before it finished".to_owned(),
            };
            writeln!(w, "    {} started {}, {ended}", r.slot, r.started_at)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn snippets_show_the_match() {
        let text = format!("{}Family Hub model{}", "x".repeat(200), "y".repeat(200));
        let s = snippet(&text, "family hub");
        assert!(s.contains("Family Hub model"), "{s}");
        assert!(s.starts_with('\u{2026}') && s.ends_with('\u{2026}'));
        assert_eq!(snippet("short text", "short"), "short text");
        assert_eq!(snippet("Ünïcödé — Family", "family"), "Ünïcödé — Family");
        let early_word = format!("whole-family {} the Family Hub model", "z".repeat(150));
        assert!(snippet(&early_word, "Family Hub").contains("Family Hub model"), "the phrase wins over an early word");
    }
}
