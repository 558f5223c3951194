//! Loading a plan directory: parse every file, then validate the whole, collecting
//! every problem as `file:line:column: message` before anything is returned.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::model::*;
use crate::period::Period;

/// The files of a plan directory, in the order they are read.
pub const PLAN_FILES: [&str; 10] = {
    macro_rules! names {
        ($($name:literal),*) => { [$($name),*] };
    }
    plan_files!(names)
};

/// One file of a plan directory: its name and text.
#[derive(Debug, Clone)]
pub struct PlanFile {
    /// The name as it should appear in messages (a path, or a bare file name).
    pub name: String,
    /// The file's text.
    pub text: String,
}

/// Why a plan could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The directory or a file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The plan has problems; every one is listed.
    #[error("{} problem(s) found in the plan", .0.len())]
    Invalid(Vec<Diagnostic>),
}

/// Read the plan files from a directory. Files the directory lacks are reported by [`load`].
pub fn read_dir(dir: &Path) -> Result<Vec<PlanFile>, LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io { path: dir.to_owned(), source })?;
    let mut files = Vec::new();
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| LoadError::Io { path: dir.to_owned(), source })?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    let mut problems = Vec::new();
    for name in names {
        let path = dir.join(&name);
        if path.extension().is_some_and(|e| e == "toml") {
            let bytes = std::fs::read(&path).map_err(|source| LoadError::Io { path: path.clone(), source })?;
            let shown = path.display().to_string();
            match String::from_utf8(bytes) {
                Ok(text) => files.push(PlanFile { name: shown, text }),
                Err(e) => problems.push(not_utf8(&shown, e.as_bytes(), e.utf8_error().valid_up_to())),
            }
        }
    }
    if problems.is_empty() { Ok(files) } else { Err(LoadError::Invalid(problems)) }
}

/// The problem of a file that is not UTF-8, at the line and column of its first bad byte.
fn not_utf8(name: &str, bytes: &[u8], valid_up_to: usize) -> Diagnostic {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    let byte = bytes.get(valid_up_to).copied().unwrap_or_default();
    Diagnostic::new(
        name,
        format!("the file is not UTF-8 (byte 0x{byte:02X} here): save it as UTF-8 text, as plan files are"),
    )
    .at(line, column)
}

/// Load and validate a plan from a directory.
pub fn load_dir(dir: &Path) -> Result<Plan, LoadError> {
    load(&read_dir(dir)?)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanToml {
    pub(crate) plan: PlanMeta,
    #[serde(default)]
    pub(crate) fact: Vec<Fact>,
    #[serde(default)]
    pub(crate) governance: Vec<Governance>,
    #[serde(default)]
    pub(crate) section: Vec<Section>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct OutcomesToml {
    #[serde(default)]
    pub(crate) outcome: Vec<Outcome>,
    #[serde(default)]
    pub(crate) priority: Vec<Priority>,
}

macro_rules! list_file {
    ($name:ident, $key:ident, $ty:ty) => {
        #[derive(Serialize, Deserialize, Default)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct $name {
            #[serde(default)]
            pub(crate) $key: Vec<$ty>,
        }
    };
}
list_file!(CommitmentsToml, commitment, Commitment);
list_file!(PlansToml, plan, DeliveringPlan);
list_file!(OrganisationsToml, organisation, Organisation);
list_file!(IndicatorsToml, indicator, Indicator);
list_file!(ExamplesToml, example, DeliveryExample);
list_file!(EnablersToml, enabler, Enabler);
list_file!(PlacesToml, place, Place);
list_file!(AreasToml, area, Area);

/// Maps byte offsets of one file to line and column.
struct Locator {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Locator {
    fn new(file: &PlanFile) -> Locator {
        let mut line_starts = vec![0];
        line_starts.extend(file.text.match_indices('\n').map(|(i, _)| i + 1));
        Locator { name: file.name.clone(), text: file.text.clone(), line_starts }
    }

    /// The 1-based line and column of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let column = self.text.get(start..offset).map_or(1, |s| s.chars().count() + 1);
        (line, column)
    }

    fn diagnostic(&self, offset: usize, message: String) -> Diagnostic {
        let (line, column) = self.position(offset);
        Diagnostic::new(self.name.clone(), message).at(line, column)
    }
}

/// Which plan file a kind of item lives in, for messages.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Meta,
    Outcomes,
    Commitments,
    Plans,
    Organisations,
    Indicators,
    Examples,
    Enablers,
    Places,
    Areas,
}

/// Every kind, in the order of [`PLAN_FILES`].
const ALL_KINDS: [Kind; 10] = [
    Kind::Meta,
    Kind::Outcomes,
    Kind::Commitments,
    Kind::Plans,
    Kind::Organisations,
    Kind::Indicators,
    Kind::Examples,
    Kind::Enablers,
    Kind::Places,
    Kind::Areas,
];

impl Kind {
    fn file(self) -> &'static str {
        PLAN_FILES[self as usize]
    }
}

struct Checker {
    locators: HashMap<Kind, Locator>,
    problems: Vec<Diagnostic>,
}

impl Checker {
    fn at<T>(&mut self, kind: Kind, sp: &Sp<T>, message: impl Into<String>) {
        self.at_offset(kind, sp.span().start, message.into());
    }

    fn at_offset(&mut self, kind: Kind, offset: usize, message: String) {
        let d = match self.locators.get(&kind) {
            Some(l) => l.diagnostic(offset, message),
            None => Diagnostic::new(kind.file(), message).at(1, 1),
        };
        self.problems.push(d);
    }

    /// Record ids of one kind, reporting duplicates; returns the set of ids.
    fn unique<'a>(&mut self, kind: Kind, what: &str, ids: impl IntoIterator<Item = &'a Sp<String>>) -> HashSet<String> {
        let mut seen: HashMap<String, usize> = HashMap::new();
        for id in ids {
            if id.get_ref().is_empty()
                || !id.get_ref().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            {
                self.at(
                    kind,
                    id,
                    format!("{what} id '{}' must be lower-case letters, digits, '-' or '.'", id.get_ref()),
                );
            }
            if let Some(first) = seen.get(id.get_ref()) {
                let first_line = self.locators.get(&kind).map_or(0, |l| l.position(*first).0);
                self.at(
                    kind,
                    id,
                    format!("duplicate {what} id '{}' (first defined on line {first_line})", id.get_ref()),
                );
            } else {
                seen.insert(id.get_ref().clone(), id.span().start);
            }
        }
        seen.into_keys().collect()
    }

    fn reference(&mut self, kind: Kind, what: &str, known: &HashSet<String>, r: &Sp<String>) {
        if !known.contains(r.get_ref()) {
            self.at(kind, r, format!("unknown {what} '{}'", r.get_ref()));
        }
    }

    fn period(&mut self, kind: Kind, field: &str, p: &Sp<String>) {
        if let Err(e) = Period::parse(p.get_ref()) {
            self.at(kind, p, format!("{field}: {e}"));
        }
    }
}

fn parse<T: for<'de> Deserialize<'de>>(
    file: Option<&PlanFile>,
    kind: Kind,
    problems: &mut Vec<Diagnostic>,
) -> Option<T> {
    let Some(file) = file else {
        problems.push(Diagnostic::new(kind.file(), "file is missing from the plan directory").at(1, 1));
        return None;
    };
    match toml::from_str::<T>(&file.text) {
        Ok(v) => {
            control_characters(file, problems);
            Some(v)
        }
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            problems.push(Locator::new(file).diagnostic(offset, e.message().trim().to_owned()));
            None
        }
    }
}

/// Report every string of a parsed file that holds a control character (a TOML escape
/// such as `"\u0000"` gets one past the TOML parser): the rule every stored text follows
/// ([`crate::delivery::forbidden_control`]), line breaks and tabs allowed, at the string's
/// position and named by its key.
fn control_characters(file: &PlanFile, problems: &mut Vec<Diagnostic>) {
    use toml::de::{DeTable, DeValue};
    fn walk(key: &str, value: &toml::Spanned<DeValue<'_>>, locator: &Locator, problems: &mut Vec<Diagnostic>) {
        match value.get_ref() {
            DeValue::String(text) => {
                if let Some(bad) = crate::delivery::forbidden_control(text, true) {
                    let message =
                        format!("contains the control character U+{:04X}, which no text may hold", u32::from(bad));
                    problems.push(locator.diagnostic(value.span().start, message).in_field(key));
                }
            }
            DeValue::Array(items) => items.iter().for_each(|item| walk(key, item, locator, problems)),
            DeValue::Table(table) => table.iter().for_each(|(k, v)| walk(k.get_ref(), v, locator, problems)),
            DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) | DeValue::Datetime(_) => {}
        }
    }
    // The file has parsed once already; this second reading keeps every value's position.
    let Ok(table) = DeTable::parse(&file.text) else { return };
    let locator = Locator::new(file);
    for (k, v) in table.get_ref() {
        walk(k.get_ref(), v, &locator, problems);
    }
}

fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Load and validate a plan from its files. Every problem in every file is reported.
pub fn load(files: &[PlanFile]) -> Result<Plan, LoadError> {
    let mut problems = Vec::new();
    let by_name: HashMap<&str, &PlanFile> = files.iter().map(|f| (base_name(&f.name), f)).collect();
    for f in files {
        if !PLAN_FILES.contains(&base_name(&f.name)) {
            problems.push(
                Diagnostic::new(
                    f.name.clone(),
                    format!("unexpected file in a plan directory (expected: {})", PLAN_FILES.join(", ")),
                )
                .at(1, 1),
            );
        }
    }
    let get = |k: Kind| by_name.get(k.file()).copied();
    let meta: Option<PlanToml> = parse(get(Kind::Meta), Kind::Meta, &mut problems);
    let outcomes: Option<OutcomesToml> = parse(get(Kind::Outcomes), Kind::Outcomes, &mut problems);
    let commitments: Option<CommitmentsToml> = parse(get(Kind::Commitments), Kind::Commitments, &mut problems);
    let plans: Option<PlansToml> = parse(get(Kind::Plans), Kind::Plans, &mut problems);
    let orgs: Option<OrganisationsToml> = parse(get(Kind::Organisations), Kind::Organisations, &mut problems);
    let indicators: Option<IndicatorsToml> = parse(get(Kind::Indicators), Kind::Indicators, &mut problems);
    let examples: Option<ExamplesToml> = parse(get(Kind::Examples), Kind::Examples, &mut problems);
    let enablers: Option<EnablersToml> = parse(get(Kind::Enablers), Kind::Enablers, &mut problems);
    let places: Option<PlacesToml> = parse(get(Kind::Places), Kind::Places, &mut problems);
    let areas: Option<AreasToml> = parse(get(Kind::Areas), Kind::Areas, &mut problems);

    let locators = ALL_KINDS.into_iter().filter_map(|k| get(k).map(|f| (k, Locator::new(f)))).collect();
    let mut c = Checker { locators, problems };

    // A file that parses but holds none of the records every plan has was most likely
    // emptied by mistake; importing it would silently remove everything that hangs off
    // them. (Delivery examples, enablers and places are optional: a plan may have none.)
    let empty = [
        (Kind::Outcomes, "outcome", outcomes.as_ref().map(|o| o.outcome.len())),
        (Kind::Outcomes, "priority", outcomes.as_ref().map(|o| o.priority.len())),
        (Kind::Commitments, "commitment", commitments.as_ref().map(|c| c.commitment.len())),
        (Kind::Plans, "plan", plans.as_ref().map(|p| p.plan.len())),
        (Kind::Organisations, "organisation", orgs.as_ref().map(|o| o.organisation.len())),
        (Kind::Indicators, "indicator", indicators.as_ref().map(|i| i.indicator.len())),
        (Kind::Areas, "area", areas.as_ref().map(|a| a.area.len())),
    ];
    for (kind, table, n) in empty {
        if n == Some(0) {
            c.at_offset(
                kind,
                0,
                format!("no [[{table}]] records: a plan needs at least one (has the file been emptied?)"),
            );
        }
    }
    // Files that failed to parse, or hold no records, still take part as empty, so that
    // the others are checked (a reference into a broken file is then not reported twice).
    let broken: HashSet<Kind> = c
        .problems
        .iter()
        .filter_map(|d| PLAN_FILES.iter().position(|f| *f == base_name(&d.file)))
        .map(|i| ALL_KINDS[i])
        .collect();
    let outcomes = outcomes.unwrap_or_default();
    let commitments = commitments.unwrap_or_default();
    let plans = plans.unwrap_or_default();
    let orgs = orgs.unwrap_or_default();
    let indicators = indicators.unwrap_or_default();
    let examples = examples.unwrap_or_default();
    let enablers = enablers.unwrap_or_default();
    let places = places.unwrap_or_default();
    let areas = areas.unwrap_or_default();

    let known = Known {
        outcomes: check_outcomes(&mut c, &outcomes),
        priorities: c.unique(Kind::Outcomes, "priority", outcomes.priority.iter().map(|p| &p.id)),
        plans: c.unique(Kind::Plans, "delivering plan", plans.plan.iter().map(|p| &p.id)),
        organisations: c.unique(Kind::Organisations, "organisation", orgs.organisation.iter().map(|o| &o.id)),
        areas: c.unique(Kind::Areas, "area", areas.area.iter().map(|a| &a.id)),
        lenient: broken,
    };
    check_priorities(&mut c, &known, &outcomes.priority);
    check_commitments(&mut c, &known, &outcomes.priority, &commitments.commitment);
    check_organisations(&mut c, &known, &orgs.organisation);
    check_areas(&mut c, &known, &areas.area);
    check_indicators(&mut c, &known, &indicators.indicator);
    check_measurements(&mut c, &known, &indicators.indicator, &examples.example);
    check_examples(&mut c, &known, &examples.example);
    check_enablers(&mut c, &known, &enablers.enabler);
    check_places(&mut c, &known, &places.place);
    if let Some(meta) = &meta {
        // The plan's id names it in the database, in URLs and in file names.
        c.unique(Kind::Meta, "plan", std::iter::once(&meta.plan.id));
        c.unique(Kind::Meta, "governance", meta.governance.iter().map(|g| &g.id));
        c.unique(Kind::Meta, "section", meta.section.iter().map(|s| &s.id));
        for g in &meta.governance {
            if let Some(o) = &g.organisation {
                known.check(&mut c, Kind::Meta, RefKind::Organisation, o);
            }
        }
    }

    match (meta, c.problems.is_empty()) {
        (Some(meta), true) => Ok(Plan {
            meta: meta.plan,
            facts: meta.fact,
            governance: meta.governance,
            sections: meta.section,
            outcomes: outcomes.outcome,
            priorities: outcomes.priority,
            commitments: commitments.commitment,
            delivering_plans: plans.plan,
            organisations: orgs.organisation,
            indicators: indicators.indicator,
            delivery_examples: examples.example,
            enablers: enablers.enabler,
            places: places.place,
            areas: areas.area,
        }),
        _ => Err(LoadError::Invalid(c.problems)),
    }
}

#[derive(Clone, Copy)]
enum RefKind {
    Plan,
    Organisation,
    Area,
    Priority,
}

struct Known {
    outcomes: HashSet<u8>,
    priorities: HashSet<String>,
    plans: HashSet<String>,
    organisations: HashSet<String>,
    areas: HashSet<String>,
    /// Files that did not parse: references into them are not checked.
    lenient: HashSet<Kind>,
}

impl Known {
    fn check(&self, c: &mut Checker, kind: Kind, target: RefKind, r: &Sp<String>) {
        let (set, what, file) = match target {
            RefKind::Plan => (&self.plans, "delivering plan", Kind::Plans),
            RefKind::Organisation => (&self.organisations, "organisation", Kind::Organisations),
            RefKind::Area => (&self.areas, "area", Kind::Areas),
            RefKind::Priority => (&self.priorities, "priority", Kind::Outcomes),
        };
        if !self.lenient.contains(&file) {
            c.reference(kind, what, set, r);
        }
    }

    fn check_all(&self, c: &mut Checker, kind: Kind, target: RefKind, refs: &[Sp<String>]) {
        for r in refs {
            self.check(c, kind, target, r);
        }
    }

    fn outcome(&self, c: &mut Checker, kind: Kind, n: &Sp<u8>) {
        if !self.lenient.contains(&Kind::Outcomes) && !self.outcomes.contains(n.get_ref()) {
            c.at(kind, n, format!("unknown outcome {}", n.get_ref()));
        }
    }
}

fn check_outcomes(c: &mut Checker, file: &OutcomesToml) -> HashSet<u8> {
    let mut seen = HashSet::new();
    for o in &file.outcome {
        if !seen.insert(*o.number.get_ref()) {
            c.at(Kind::Outcomes, &o.number, format!("duplicate outcome number {}", o.number.get_ref()));
        }
    }
    seen
}

fn check_priorities(c: &mut Checker, known: &Known, priorities: &[Priority]) {
    for p in priorities {
        known.outcome(c, Kind::Outcomes, &p.outcome);
        let prefix = format!("{}.", p.outcome.get_ref());
        if !p.id.get_ref().starts_with(&prefix) {
            c.at(
                Kind::Outcomes,
                &p.id,
                format!("priority id '{}' should start with its outcome number ('{prefix}')", p.id.get_ref()),
            );
        }
    }
}

fn check_commitments(c: &mut Checker, known: &Known, priorities: &[Priority], commitments: &[Commitment]) {
    let outcome_of: HashMap<&str, u8> =
        priorities.iter().map(|p| (p.id.get_ref().as_str(), *p.outcome.get_ref())).collect();
    c.unique(Kind::Commitments, "commitment", commitments.iter().map(|x| &x.id));
    for cm in commitments {
        known.outcome(c, Kind::Commitments, &cm.outcome);
        if cm.priorities.is_empty() {
            c.at(Kind::Commitments, &cm.id, format!("commitment '{}' names no priority", cm.id.get_ref()));
        }
        for p in &cm.priorities {
            known.check(c, Kind::Commitments, RefKind::Priority, p);
            if let Some(o) = outcome_of.get(p.get_ref().as_str())
                && o != cm.outcome.get_ref()
            {
                c.at(
                    Kind::Commitments,
                    p,
                    format!(
                        "priority '{}' belongs to outcome {o}, not to the commitment's outcome {}",
                        p.get_ref(),
                        cm.outcome.get_ref()
                    ),
                );
            }
        }
        for link in &cm.links {
            if link.plans.is_empty() {
                c.at(
                    Kind::Commitments,
                    &cm.id,
                    format!(
                        "a delivery link of commitment '{}' (source line {}) names no delivering plan",
                        cm.id.get_ref(),
                        link.line
                    ),
                );
            }
            known.check_all(c, Kind::Commitments, RefKind::Plan, &link.plans);
            known.check_all(c, Kind::Commitments, RefKind::Organisation, &link.led_by);
            if link.led_by.is_empty() && !link.led_by_text.trim().is_empty() {
                c.at(Kind::Commitments, &cm.id, format!("a delivery link of commitment '{}' (source line {}) says it is led by '{}' but names no organisation", cm.id.get_ref(), link.line, link.led_by_text));
            }
        }
    }
}

fn check_organisations(c: &mut Checker, known: &Known, orgs: &[Organisation]) {
    let parent_of: HashMap<&str, &str> = orgs
        .iter()
        .filter_map(|o| o.parent.as_ref().map(|p| (o.id.get_ref().as_str(), p.get_ref().as_str())))
        .collect();
    let mut names: HashMap<String, &str> = HashMap::new();
    for o in orgs {
        if let Some(p) = &o.parent {
            known.check(c, Kind::Organisations, RefKind::Organisation, p);
            // Walk up: a parent chain longer than the registry is a cycle.
            let mut cur = o.id.get_ref().as_str();
            for _ in 0..=orgs.len() {
                match parent_of.get(cur) {
                    Some(next) if *next == o.id.get_ref() => {
                        c.at(
                            Kind::Organisations,
                            p,
                            format!("organisation '{}' is its own ancestor (parent cycle)", o.id.get_ref()),
                        );
                        break;
                    }
                    Some(next) => cur = next,
                    None => break,
                }
            }
        }
        if let Some(a) = &o.area {
            known.check(c, Kind::Organisations, RefKind::Area, a);
        }
        for n in std::iter::once(&o.name).chain(&o.aliases) {
            let key = n.to_lowercase();
            match names.get(&key) {
                Some(other) if *other != o.id.get_ref() => {
                    c.at(
                        Kind::Organisations,
                        &o.id,
                        format!("name or alias '{n}' of '{}' is also used by '{other}'", o.id.get_ref()),
                    );
                }
                _ => {
                    names.insert(key, o.id.get_ref());
                }
            }
        }
    }
}

fn check_areas(c: &mut Checker, known: &Known, areas: &[Area]) {
    let mut codes = HashSet::new();
    let mut ods_codes = HashSet::new();
    for a in areas {
        if let Some(p) = &a.parent {
            known.check(c, Kind::Areas, RefKind::Area, p);
        }
        for m in &a.members {
            known.check(c, Kind::Areas, RefKind::Area, &m.area);
        }
        if let Some(code) = &a.code {
            let s = code.get_ref();
            if let Some(problem) = crate::model::ons_code_problem(s) {
                c.at(Kind::Areas, code, problem);
            } else if !codes.insert(s.clone()) {
                c.at(Kind::Areas, code, format!("duplicate ONS code '{s}'"));
            }
        }
        // The ODS code is a plain string (no position): the area's id locates it.
        if let Some(ods) = &a.ods {
            if let Some(problem) = crate::model::ods_code_problem(a.kind, ods) {
                c.at(Kind::Areas, &a.id, format!("area '{}': {problem}", a.id.get_ref()));
            } else if !ods_codes.insert(ods.clone()) {
                c.at(Kind::Areas, &a.id, format!("area '{}': duplicate ODS code '{ods}'", a.id.get_ref()));
            }
        }
    }
    for a in crate::query::areas_in_cycles(areas) {
        let parent = a.parent.as_ref().map_or("", |p| p.get_ref().as_str());
        c.at(
            Kind::Areas,
            &a.id,
            format!("area '{}' lies in itself: its parent '{parent}' leads back to it", a.id.get_ref()),
        );
    }
}

fn check_indicators(c: &mut Checker, known: &Known, indicators: &[Indicator]) {
    c.unique(
        Kind::Indicators,
        "indicator",
        indicators.iter().flat_map(|i| std::iter::once(&i.id).chain(i.parts.iter().map(|p| &p.id))),
    );
    for i in indicators {
        known.outcome(c, Kind::Indicators, &i.outcome);
        match (&i.target, i.parts.len()) {
            (Some(t), 0) => {
                let (Some(unit), Some(polarity)) = (i.unit, &i.polarity) else {
                    c.at(
                        Kind::Indicators,
                        &i.id,
                        format!("indicator '{}' has a target but no unit or polarity", i.id.get_ref()),
                    );
                    continue;
                };
                check_target(c, unit, polarity, i.baseline.as_ref(), t);
            }
            (None, n) if n >= 2 => {
                for p in &i.parts {
                    check_target(c, p.unit, &p.polarity, p.baseline.as_ref(), &p.target);
                }
            }
            (Some(_), _) => c.at(
                Kind::Indicators,
                &i.id,
                format!(
                    "indicator '{}' has both a target and parts; a compound statement puts its targets on its parts",
                    i.id.get_ref()
                ),
            ),
            (None, _) => c.at(
                Kind::Indicators,
                &i.id,
                format!("indicator '{}' has no target (and fewer than two parts)", i.id.get_ref()),
            ),
        }
    }
}

fn check_measurements(c: &mut Checker, known: &Known, indicators: &[Indicator], examples: &[DeliveryExample]) {
    let k = Kind::Indicators;
    let milestones: HashSet<&str> =
        examples.iter().flat_map(|e| e.milestones.iter().map(|m| m.id.get_ref().as_str())).collect();
    let mut fingertips: HashMap<u32, String> = HashMap::new();
    for i in indicators {
        if let (Some(m), false) = (&i.measurement, i.parts.is_empty()) {
            c.at(k, &m.method, "a compound statement is measured by its parts: put 'measurement' on each part");
        }
        for t in i.tracked() {
            let Some(m) = t.measurement else { continue };
            known.check(c, k, RefKind::Area, &m.area);
            let method = *m.method.get_ref();
            let fits = match method {
                Method::Proportion => t.unit == Unit::Percent,
                Method::CrudeRate => matches!(t.unit, Unit::RatePer100000 | Unit::Rate),
                Method::DirectlyStandardisedRate => matches!(t.unit, Unit::RatePer100000 | Unit::Rate),
                Method::Mean => t.unit == Unit::Score,
                Method::Count => t.unit == Unit::Count,
                Method::Reported => true,
                Method::LifeExpectancy => t.unit == Unit::Years,
            };
            if !fits {
                c.at(k, &m.method, format!("method '{}' does not fit the unit of '{}'", method.label(), t.id));
            }
            if m.tolerance.is_some() && *t.target.kind.get_ref() != TargetKind::Zero {
                c.at(k, &m.method, format!("'{}': only a target of kind 'zero' takes a tolerance", t.id));
            }
            if *t.target.kind.get_ref() == TargetKind::National && m.comparator.is_none() {
                c.at(k, &m.method, format!("'{}': a 'national' target needs a comparator", t.id));
            }
            for id in &m.fingertips {
                if let Some(first) = fingertips.insert(*id.get_ref(), t.id.to_owned()) {
                    c.at(k, id, format!("Fingertips indicator {} is already mapped to '{first}'", id.get_ref()));
                }
            }
            if !known.lenient.contains(&Kind::Examples) {
                for ms in &m.milestones {
                    if !milestones.contains(ms.get_ref().as_str()) {
                        c.at(k, ms, format!("unknown milestone '{}'", ms.get_ref()));
                    }
                }
            }
        }
    }
}

fn check_target(c: &mut Checker, unit: Unit, polarity: &Sp<Polarity>, baseline: Option<&Baseline>, t: &Target) {
    let k = Kind::Indicators;
    let kind = *t.kind.get_ref();
    if let Some(by) = &t.by {
        c.period(k, "target 'by'", by);
    }
    if let Some(p) = baseline.and_then(|b| b.period.as_ref()) {
        c.period(k, "baseline period", p);
    }
    match (&t.value, kind.needs_value() || kind == TargetKind::Zero) {
        (None, _) if kind.needs_value() => c.at(k, &t.kind, format!("target kind '{}' needs a value", kind.as_str())),
        (Some(v), false) => c.at(k, v, format!("target kind '{}' takes no value", kind.as_str())),
        _ => {}
    }
    if t.offset.is_some() && kind != TargetKind::National {
        c.at(k, &t.kind, "only target kind 'national' takes an offset");
    }
    let pol = *polarity.get_ref();
    let wrong_way = match kind {
        TargetKind::AtMost | TargetKind::LessThan | TargetKind::BelowBaseline => pol == Polarity::HigherIsBetter,
        TargetKind::AtLeast | TargetKind::MoreThan | TargetKind::AboveBaseline => pol == Polarity::LowerIsBetter,
        _ => false,
    };
    if wrong_way {
        c.at(
            k,
            &t.kind,
            format!("target kind '{}' contradicts the indicator's polarity ({})", kind.as_str(), pol.label()),
        );
    }
    let base = baseline.and_then(|b| b.value.as_ref());
    if let (Some(v), Some(b)) = (&t.value, base) {
        let (v, bv) = (*v.get_ref(), *b.get_ref());
        match kind {
            TargetKind::AtMost | TargetKind::LessThan if v > bv => c.at(
                k,
                &t.kind,
                format!(
                    "an '{}' target of {v} is above its baseline {bv}: the target asks for no improvement",
                    kind.as_str()
                ),
            ),
            TargetKind::AtLeast | TargetKind::MoreThan if v < bv => c.at(
                k,
                &t.kind,
                format!(
                    "an '{}' target of {v} is below its baseline {bv}: the target asks for no improvement",
                    kind.as_str()
                ),
            ),
            _ => {}
        }
    }
    if unit == Unit::Percent {
        for v in [t.value.as_ref(), base].into_iter().flatten() {
            if !(0.0..=100.0).contains(v.get_ref()) {
                c.at(k, v, format!("{} is not a percentage (0 to 100)", v.get_ref()));
            }
        }
    }
}

fn check_examples(c: &mut Checker, known: &Known, examples: &[DeliveryExample]) {
    c.unique(Kind::Examples, "delivery example", examples.iter().map(|e| &e.id));
    c.unique(Kind::Examples, "milestone", examples.iter().flat_map(|e| e.milestones.iter().map(|m| &m.id)));
    for e in examples {
        known.outcome(c, Kind::Examples, &e.outcome);
        known.check_all(c, Kind::Examples, RefKind::Plan, &e.plans);
        for m in &e.milestones {
            c.period(Kind::Examples, "milestone 'due'", &m.due);
        }
    }
}

fn check_enablers(c: &mut Checker, known: &Known, enablers: &[Enabler]) {
    c.unique(Kind::Enablers, "enabler", enablers.iter().map(|e| &e.id));
    for e in enablers {
        for cm in &e.commitments {
            for item in &cm.items {
                known.check_all(c, Kind::Enablers, RefKind::Plan, &item.plans);
                known.check_all(c, Kind::Enablers, RefKind::Organisation, &item.led_by);
                if item.led_by.is_empty() && !item.led_by_text.trim().is_empty() {
                    c.at(
                        Kind::Enablers,
                        &e.id,
                        format!(
                            "an item of enabler '{}' (source line {}) says it is led by '{}' but names no organisation",
                            e.id.get_ref(),
                            item.line,
                            item.led_by_text
                        ),
                    );
                }
            }
        }
    }
}

fn check_places(c: &mut Checker, known: &Known, places: &[Place]) {
    c.unique(Kind::Places, "place", places.iter().map(|p| &p.id));
    for p in places {
        known.check(c, Kind::Places, RefKind::Organisation, &p.organisation);
        if let Some(a) = &p.area {
            known.check(c, Kind::Places, RefKind::Area, a);
        }
        for pr in &p.priorities {
            for o in &pr.outcomes {
                known.outcome(c, Kind::Places, o);
            }
        }
    }
}
