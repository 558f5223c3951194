//! Editing a draft version of the plan in forms: every kind of item, its fields as a
//! form gives them, checked for their type here and for everything else by the same
//! validation as `assure check` ([`check_plan`]), whose problems are mapped back to the
//! item and field they are about ([`plan_problems`]).
//!
//! An item is edited as a table of its fields (the shape it has in its plan file): the
//! form's values are set on the item's table by path (`target.value`), and the table is
//! read back into the domain type. Fields a form does not show (source lines, variants,
//! delivery links) are kept as they were.

use std::collections::BTreeMap;

use assure_plan::locate::{Step, path_at};
use assure_plan::{Commitment, DeliveryLink, Diagnostic, Organisation, Plan, Sp};
use assure_store::{Account, Draft, DraftChange};
use serde::Serialize;
use serde::de::DeserializeOwned;
use toml::{Table, Value};

pub use crate::plan_records::Records;
use crate::plan_versions::check_plan;
use crate::{App, AppError};

/// The kinds of item a draft's forms edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlanItemKind {
    /// A shared outcome (id: its number).
    Outcome,
    /// A priority of an outcome.
    Priority,
    /// A commitment, with its delivery links.
    Commitment,
    /// A delivering plan.
    DeliveringPlan,
    /// An organisation of the registry.
    Organisation,
    /// An indicator statement.
    Indicator,
    /// A part of a compound indicator statement (id: the part's id).
    IndicatorPart,
    /// A shared delivery example.
    DeliveryExample,
    /// A milestone of a delivery example (id: the milestone's id).
    Milestone,
    /// A strategy enabler.
    Enabler,
    /// What an enabler commits to, with its rows (id: `<enabler>.<n>`, from 1).
    EnablerCommitment,
    /// A place with its own priorities.
    Place,
    /// A priority of a place, mapped to outcomes (id: `<place>.<n>`, from 1).
    PlacePriority,
    /// A geographic area.
    Area,
}

impl PlanItemKind {
    /// Every kind, in the order the editor lists them.
    pub const ALL: [PlanItemKind; 14] = [
        PlanItemKind::Outcome,
        PlanItemKind::Priority,
        PlanItemKind::Commitment,
        PlanItemKind::DeliveringPlan,
        PlanItemKind::Organisation,
        PlanItemKind::Indicator,
        PlanItemKind::IndicatorPart,
        PlanItemKind::DeliveryExample,
        PlanItemKind::Milestone,
        PlanItemKind::Enabler,
        PlanItemKind::EnablerCommitment,
        PlanItemKind::Place,
        PlanItemKind::PlacePriority,
        PlanItemKind::Area,
    ];

    /// Its name in URLs and the audit log: `delivering-plan`.
    pub fn slug(self) -> &'static str {
        match self {
            PlanItemKind::Outcome => "outcome",
            PlanItemKind::Priority => "priority",
            PlanItemKind::Commitment => "commitment",
            PlanItemKind::DeliveringPlan => "delivering-plan",
            PlanItemKind::Organisation => "organisation",
            PlanItemKind::Indicator => "indicator",
            PlanItemKind::IndicatorPart => "indicator-part",
            PlanItemKind::DeliveryExample => "delivery-example",
            PlanItemKind::Milestone => "milestone",
            PlanItemKind::Enabler => "enabler",
            PlanItemKind::EnablerCommitment => "enabler-commitment",
            PlanItemKind::Place => "place",
            PlanItemKind::PlacePriority => "place-priority",
            PlanItemKind::Area => "area",
        }
    }

    /// The kind of a slug.
    pub fn parse(slug: &str) -> Option<PlanItemKind> {
        PlanItemKind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    /// Words for people: "delivering plan".
    pub fn label(self) -> &'static str {
        match self {
            PlanItemKind::DeliveringPlan => "delivering plan",
            PlanItemKind::IndicatorPart => "indicator part",
            PlanItemKind::DeliveryExample => "delivery example",
            PlanItemKind::PlacePriority => "place priority",
            PlanItemKind::EnablerCommitment => "enabler commitment",
            k => k.slug(),
        }
    }

    /// The kind an item of this kind belongs to, when it is added under one.
    pub fn parent(self) -> Option<PlanItemKind> {
        match self {
            PlanItemKind::IndicatorPart => Some(PlanItemKind::Indicator),
            PlanItemKind::Milestone => Some(PlanItemKind::DeliveryExample),
            PlanItemKind::PlacePriority => Some(PlanItemKind::Place),
            PlanItemKind::EnablerCommitment => Some(PlanItemKind::Enabler),
            _ => None,
        }
    }

    /// The key that identifies an item in its table (`number` for outcomes), if it has one.
    fn id_key(self) -> Option<&'static str> {
        match self {
            PlanItemKind::Outcome => Some("number"),
            PlanItemKind::PlacePriority | PlanItemKind::EnablerCommitment => None,
            _ => Some("id"),
        }
    }

    /// Keys a new item starts with: source lines, which an item added on the web does
    /// not have (0: no line of the source).
    fn new_item(self) -> Table {
        let lines: &[&str] = match self {
            PlanItemKind::Outcome => &["line", "ambition_line"],
            PlanItemKind::Priority | PlanItemKind::Enabler => &["line", "description_line"],
            PlanItemKind::DeliveryExample => &["line", "summary_line"],
            PlanItemKind::IndicatorPart | PlanItemKind::Area => &[],
            _ => &["line"],
        };
        lines.iter().map(|k| ((*k).to_owned(), Value::Integer(0))).collect()
    }
}

/// What a field takes, as typed in a form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of text.
    Text,
    /// Several lines of text.
    Textarea,
    /// A number (`6`, `10.2`).
    Number,
    /// A whole number from 0 to 255 (an outcome's number).
    Integer,
    /// One of these values (as in the plan files).
    Choice(&'static [&'static str]),
    /// An organisation of the draft, by id.
    Organisation,
    /// An area of the draft, by id.
    Area,
    /// Ids separated by commas.
    List,
    /// One entry per line.
    Lines,
    /// Whole numbers separated by commas.
    Integers,
    /// A list of records, one per line (see [`Records`]).
    Records(Records),
}

/// Whether a field must be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// It must not be empty.
    Required,
    /// Empty leaves it out.
    Optional,
    /// A list the plan always has, possibly empty.
    List,
}

/// One field of an item's form.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Its path in the item's table: `target.value`.
    pub path: &'static str,
    /// Its label.
    pub label: &'static str,
    /// A hint under the label.
    pub hint: Option<&'static str>,
    /// What it takes.
    pub input: Input,
    /// Whether it must be given.
    pub need: Need,
}

const fn f(path: &'static str, label: &'static str, input: Input, need: Need) -> Field {
    Field { path, label, hint: None, input, need }
}

const fn h(path: &'static str, label: &'static str, hint: &'static str, input: Input, need: Need) -> Field {
    Field { path, label, hint: Some(hint), input, need }
}

use Input::{
    Area as AreaPick, Choice, Integer, Integers, Lines, List, Number, Organisation as OrgPick, Text, Textarea,
};
use Need::{Optional, Required};

/// The values of each choice, as in the plan files.
pub const UNITS: &[&str] =
    &["percent", "rate_per_100000", "rate", "score", "years", "count", "qualitative", "unspecified"];
/// Polarities.
pub const POLARITIES: &[&str] = &["higher_is_better", "lower_is_better", "no_judgement"];
/// Kinds of target.
pub const TARGET_KINDS: &[&str] = &[
    "at_most",
    "less_than",
    "at_least",
    "more_than",
    "maintain",
    "below_baseline",
    "above_baseline",
    "similar_to_baseline",
    "national",
    "zero",
    "qualitative",
];
/// How values are calculated.
pub const METHODS: &[&str] =
    &["proportion", "crude_rate", "directly_standardised_rate", "mean", "count", "reported", "life_expectancy"];
/// Comparators.
pub const COMPARATORS: &[&str] = &["england"];
/// Statuses of a delivering plan.
pub const PLAN_STATUSES: &[&str] = &["in_place", "in_development", "tbc", "to_be_developed"];
/// Kinds of organisation.
pub const ORGANISATION_KINDS: &[&str] = &[
    "icb",
    "county_council",
    "unitary_council",
    "district_council",
    "council_group",
    "directorate",
    "service",
    "committee",
    "board",
    "partnership",
    "programme",
    "hcp_group",
    "hcp",
    "vcse",
    "local_council_association",
    "local_council",
    "healthwatch",
    "police",
    "research",
    "national_body",
    "nhs_trust_group",
    "nhs_trust",
    "provider_collaborative",
    "primary_care",
    "other",
];
/// Kinds of place.
pub const PLACE_KINDS: &[&str] = &["hcp_group", "hcp", "district", "local_councils"];
/// Kinds of area.
pub const AREA_KINDS: &[&str] =
    &["nhs_region", "ics", "sub_icb", "county", "unitary", "district", "hcp", "pcn", "practice", "locality"];

const ID_HINT: &str = "Lower-case letters, digits and hyphens; it cannot be changed later";
const PERIOD_HINT: &str = "A period: 2028, 2028/29, March 2027";

/// How an indicator or a part is measured, baseline and target: the same fields on both.
macro_rules! measured_fields {
    ($need:expr) => {
        [
            f("unit", "Unit", Choice(UNITS), $need),
            f("polarity", "Polarity", Choice(POLARITIES), $need),
            f("geography", "Geography", Text, $need),
            f("baseline.value", "Baseline value", Number, Optional),
            h("baseline.period", "Baseline period", PERIOD_HINT, Text, Optional),
            f("baseline.note", "How the plan describes the baseline", Text, Optional),
            f("target.kind", "Target kind", Choice(TARGET_KINDS), $need),
            h(
                "target.value",
                "Target value",
                "For kinds with a value (no more than, at least, maintained at …)",
                Number,
                Optional,
            ),
            h("target.by", "Target date", PERIOD_HINT, Text, Optional),
            h(
                "target.offset",
                "Difference from the national value",
                "For national targets only: −5 for 5 points below",
                Number,
                Optional,
            ),
            f("measurement.definition", "Definition", Textarea, Optional),
            f("measurement.method", "Method", Choice(METHODS), Optional),
            f("measurement.area", "Area the target is for", AreaPick, Optional),
            f("measurement.comparator", "Compared with", Choice(COMPARATORS), Optional),
            f("measurement.source", "Source of the data", Text, Optional),
            h("measurement.fingertips", "Fingertips indicator ids", "Separate with commas", Integers, Optional),
            f("measurement.age", "Fingertips age group of the headline value", Text, Optional),
            h(
                "measurement.sex",
                "Fingertips sex of the headline value",
                "Only when it is not Persons: Female for an indicator of mothers",
                Text,
                Optional,
            ),
            h(
                "measurement.tolerance",
                "Tolerance",
                "For 'zero' targets: the largest value that counts as met",
                Number,
                Optional,
            ),
            h(
                "measurement.milestones",
                "Milestones that are its evidence",
                "Milestone ids, separated by commas",
                List,
                Optional,
            ),
        ]
    };
}

const OUTCOME: &[Field] = &[
    f("number", "Number", Integer, Required),
    f("title", "Title", Text, Required),
    f("ambition", "Ambition", Textarea, Required),
    h("heard", "What we heard", Records::Heard.hint(), Input::Records(Records::Heard), Need::List),
    h(
        "statement",
        "\"I\" statements and residents' words",
        Records::Statements.hint(),
        Input::Records(Records::Statements),
        Need::List,
    ),
    h("note", "Other paragraphs of its overview", Records::Texts.hint(), Input::Records(Records::Texts), Need::List),
    h("aim", "What we need to achieve", Records::Texts.hint(), Input::Records(Records::Texts), Need::List),
    f("indicator_intro", "Introduction to its indicators", Textarea, Optional),
    h(
        "indicator_theme",
        "Themes its indicators are likely to cover",
        Records::Texts.hint(),
        Input::Records(Records::Texts),
        Need::List,
    ),
];
const PRIORITY: &[Field] = &[
    h("id", "Id", "The outcome's number, a full stop and a number: 1.4", Text, Required),
    f("outcome", "Outcome number", Integer, Required),
    f("title", "Title", Text, Required),
    f("description", "What we will do", Textarea, Required),
];
const COMMITMENT: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("outcome", "Outcome number", Integer, Required),
    h("priorities", "Priorities", "Priority ids, separated by commas: 1.1, 1.2", List, Need::List),
    f("title", "Title", Text, Required),
];
const DELIVERING_PLAN: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("name", "Name", Text, Required),
    f("status", "Status", Choice(PLAN_STATUSES), Required),
    h("aliases", "Other names", "One per line", Lines, Optional),
];
const ORGANISATION: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("name", "Name", Text, Required),
    f("kind", "Kind", Choice(ORGANISATION_KINDS), Required),
    h("parent", "Part of", "The body it is part of, if any", OrgPick, Optional),
    h("aliases", "Other names", "Abbreviations and other spellings, one per line", Lines, Optional),
    f("area", "Area it serves", AreaPick, Optional),
];
const INDICATOR_HEAD: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("outcome", "Outcome number", Integer, Required),
    f("statement", "Statement, as in the plan", Textarea, Required),
    f("measure", "What is measured", Text, Required),
];
const INDICATOR_MEASURED: [Field; 20] = measured_fields!(Optional);
const PART_HEAD: &[Field] = &[h("id", "Id", ID_HINT, Text, Required), f("measure", "What is measured", Text, Required)];
const PART_MEASURED: [Field; 20] = measured_fields!(Required);
const DELIVERY_EXAMPLE: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("outcome", "Outcome number", Integer, Required),
    f("title", "Title", Text, Required),
    h("summary", "Summary", "One paragraph per line", Lines, Need::List),
    h("plans", "Delivering plans", "Delivering plan ids, separated by commas", List, Optional),
];
const MILESTONE: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("title", "What is to be done", Text, Required),
    h("due", "Due", PERIOD_HINT, Text, Required),
    f("text", "The milestone as written", Textarea, Required),
];
const ENABLER: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("number", "Number", Integer, Required),
    f("title", "Title", Text, Required),
    f("description", "Description", Textarea, Required),
];
const ENABLER_COMMITMENT: &[Field] = &[
    f("title", "What we have committed to", Textarea, Required),
    h("section", "Heading it sits under", "Where the plan groups its commitments", Text, Optional),
    h(
        "item",
        "Its rows: how it will be delivered and who leads",
        Records::EnablerRows.hint(),
        Input::Records(Records::EnablerRows),
        Need::List,
    ),
];
const PLACE: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("name", "Name", Text, Required),
    f("heading", "Heading, where it differs from the name", Text, Optional),
    f("kind", "Kind", Choice(PLACE_KINDS), Required),
    f("organisation", "Organisation whose priorities these are", OrgPick, Required),
    f("area", "Area", AreaPick, Optional),
    f("note", "Note", Textarea, Optional),
];
const PLACE_PRIORITY: &[Field] = &[
    f("title", "Priority, as written", Textarea, Required),
    h("outcomes", "Shared outcomes it maps to", "Outcome numbers, separated by commas: 1, 2", Integers, Need::List),
];
const AREA: &[Field] = &[
    h("id", "Id", ID_HINT, Text, Required),
    f("name", "Name", Text, Required),
    f("kind", "Kind", Choice(AREA_KINDS), Required),
    h("code", "ONS code", "A letter E and eight digits", Text, Optional),
    f("ods", "ODS code", Text, Optional),
    f("parent", "The area it lies in", AreaPick, Optional),
    h("aliases", "Other names", "Names data files may use for it, one per line", Lines, Optional),
    h("valid_from", "First day", "YYYY-MM-DD", Text, Optional),
    h("valid_to", "Last day", "YYYY-MM-DD", Text, Optional),
    h("member", "The areas it is made of", Records::Members.hint(), Input::Records(Records::Members), Need::List),
];

/// The fields of a kind's form, in order.
pub fn fields(kind: PlanItemKind) -> Vec<Field> {
    match kind {
        PlanItemKind::Outcome => OUTCOME.to_vec(),
        PlanItemKind::Priority => PRIORITY.to_vec(),
        PlanItemKind::Commitment => COMMITMENT.to_vec(),
        PlanItemKind::DeliveringPlan => DELIVERING_PLAN.to_vec(),
        PlanItemKind::Organisation => ORGANISATION.to_vec(),
        PlanItemKind::Indicator => INDICATOR_HEAD.iter().chain(&INDICATOR_MEASURED).copied().collect(),
        PlanItemKind::IndicatorPart => PART_HEAD.iter().chain(&PART_MEASURED).copied().collect(),
        PlanItemKind::DeliveryExample => DELIVERY_EXAMPLE.to_vec(),
        PlanItemKind::Milestone => MILESTONE.to_vec(),
        PlanItemKind::Enabler => ENABLER.to_vec(),
        PlanItemKind::EnablerCommitment => ENABLER_COMMITMENT.to_vec(),
        PlanItemKind::Place => PLACE.to_vec(),
        PlanItemKind::PlacePriority => PLACE_PRIORITY.to_vec(),
        PlanItemKind::Area => AREA.to_vec(),
    }
}

/// The values a form posts, by field path.
pub type FormValues = BTreeMap<String, String>;

/// The cells of a delivery link as a form gives them.
#[derive(Debug, Clone, Default)]
pub struct LinkFields {
    /// The plan cell as written (empty: the plans' names).
    pub plan_text: String,
    /// Delivering plan ids, separated by commas.
    pub plans: String,
    /// The "led by" cell as written (empty: the organisations' names).
    pub led_by_text: String,
    /// Organisations by id, name or alias, separated by commas.
    pub led_by: String,
}

/// One change to a draft, as a form asks for it.
#[derive(Debug, Clone)]
pub enum PlanEdit {
    /// Set the fields of an item (its id stays).
    Fields {
        /// The kind.
        kind: PlanItemKind,
        /// The item.
        id: String,
        /// The form's values.
        values: FormValues,
    },
    /// Add an item (under `parent` for parts, milestones and place priorities).
    Add {
        /// The kind.
        kind: PlanItemKind,
        /// The item it belongs to.
        parent: Option<String>,
        /// The form's values.
        values: FormValues,
    },
    /// Remove an item.
    Remove {
        /// The kind.
        kind: PlanItemKind,
        /// The item.
        id: String,
    },
    /// Add a delivery link to a commitment.
    AddLink {
        /// The commitment.
        commitment: String,
        /// The link's cells.
        link: LinkFields,
    },
    /// Change the cells of a commitment's delivery link (its number, from 1); the row
    /// keeps its source line.
    ChangeLink {
        /// The commitment.
        commitment: String,
        /// The link's number.
        number: usize,
        /// The link's cells.
        link: LinkFields,
    },
    /// Remove a commitment's delivery link (its number, from 1).
    RemoveLink {
        /// The commitment.
        commitment: String,
        /// The link's number.
        number: usize,
    },
    /// Move a delivery link (its number, from 1) to another commitment, as its last link.
    MoveLink {
        /// The commitment it is under.
        commitment: String,
        /// The link's number.
        number: usize,
        /// The commitment it goes to.
        to: String,
    },
    /// Rename an organisation, keeping the old name as an alias.
    RenameOrganisation {
        /// The organisation.
        id: String,
        /// Its new name.
        name: String,
    },
    /// Merge one organisation into another: every reference moves, the first is removed
    /// and its names become aliases of the second.
    MergeOrganisations {
        /// The organisation merged away.
        from: String,
        /// The one it is merged into.
        into: String,
    },
}

/// Where in the plan a problem is: the item and the field of its form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemAt {
    /// The kind of item.
    pub kind: PlanItemKind,
    /// Its id.
    pub id: String,
    /// The field's path (`target.kind`), `links` for a commitment's delivery links.
    pub field: String,
}

/// A problem `assure check` reports of a draft, with the item and field it is about.
#[derive(Debug, Clone, Serialize)]
pub struct PlanProblem {
    /// The problem as `assure check` says it (in the canonical files).
    pub diagnostic: Diagnostic,
    /// The item and field, where the position is in one.
    pub at: Option<ProblemAt>,
}

/// A saved edit: the draft as it is now and its problems.
#[derive(Debug, Clone)]
pub struct Edited {
    /// The draft after the change.
    pub draft: Draft,
    /// The kind and id of the item changed (for an added item, its new id).
    pub item: (PlanItemKind, String),
    /// What `assure check` says of the draft now.
    pub problems: Vec<PlanProblem>,
}

/// What `assure check` says of the plan, each problem with the item and field it is about.
pub fn plan_problems(plan: &Plan) -> Vec<PlanProblem> {
    let diagnostics = check_plan(plan);
    if diagnostics.is_empty() {
        return Vec::new();
    }
    let files = assure_plan::write::to_files(plan).unwrap_or_default();
    diagnostics
        .into_iter()
        .map(|d| {
            let at = files
                .iter()
                .find(|f| f.name == d.file)
                .zip(d.line)
                .and_then(|(file, line)| problem_at(plan, &file.name, &path_at(&file.text, line)));
            PlanProblem { diagnostic: d, at }
        })
        .collect()
}

/// The item and field a path into a plan file is in.
pub fn problem_at(plan: &Plan, file: &str, path: &[Step]) -> Option<ProblemAt> {
    let key = |i: usize| match path.get(i) {
        Some(Step::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let index = |i: usize| match path.get(i) {
        Some(Step::Index(n)) => Some(*n),
        _ => None,
    };
    let field = |from: usize, default: &str| {
        let keys: Vec<&str> = path[from.min(path.len())..]
            .iter()
            .filter_map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index(_) => None,
            })
            .collect();
        if keys.is_empty() { default.to_owned() } else { keys.join(".") }
    };
    let at = |kind, id: &str, field: String| Some(ProblemAt { kind, id: id.to_owned(), field });
    let i = index(1)?;
    match (file, key(0)?) {
        ("outcomes.toml", "outcome") => {
            at(PlanItemKind::Outcome, &plan.outcomes.get(i)?.number.get_ref().to_string(), field(2, "number"))
        }
        ("outcomes.toml", "priority") => {
            at(PlanItemKind::Priority, plan.priorities.get(i)?.id.get_ref(), field(2, "id"))
        }
        ("commitments.toml", "commitment") => {
            let c = plan.commitments.get(i)?;
            let f = if key(2) == Some("link") { "links".to_owned() } else { field(2, "id") };
            at(PlanItemKind::Commitment, c.id.get_ref(), f)
        }
        ("delivering_plans.toml", "plan") => {
            at(PlanItemKind::DeliveringPlan, plan.delivering_plans.get(i)?.id.get_ref(), field(2, "id"))
        }
        ("organisations.toml", "organisation") => {
            at(PlanItemKind::Organisation, plan.organisations.get(i)?.id.get_ref(), field(2, "id"))
        }
        ("indicators.toml", "indicator") => {
            let ind = plan.indicators.get(i)?;
            match (key(2), index(3)) {
                (Some("part"), Some(j)) => {
                    at(PlanItemKind::IndicatorPart, ind.parts.get(j)?.id.get_ref(), field(4, "id"))
                }
                _ => at(PlanItemKind::Indicator, ind.id.get_ref(), field(2, "id")),
            }
        }
        ("delivery_examples.toml", "example") => {
            let e = plan.delivery_examples.get(i)?;
            match (key(2), index(3)) {
                (Some("milestone"), Some(j)) => {
                    at(PlanItemKind::Milestone, e.milestones.get(j)?.id.get_ref(), field(4, "id"))
                }
                _ => at(PlanItemKind::DeliveryExample, e.id.get_ref(), field(2, "id")),
            }
        }
        ("enablers.toml", "enabler") => {
            let e = plan.enablers.get(i)?;
            match (key(2), index(3)) {
                (Some("commitment"), Some(j)) if j < e.commitments.len() => {
                    at(PlanItemKind::EnablerCommitment, &format!("{}.{}", e.id.get_ref(), j + 1), field(4, "title"))
                }
                _ => at(PlanItemKind::Enabler, e.id.get_ref(), field(2, "id")),
            }
        }
        ("places.toml", "place") => {
            let p = plan.places.get(i)?;
            match (key(2), index(3)) {
                (Some("priority"), Some(j)) if j < p.priorities.len() => {
                    at(PlanItemKind::PlacePriority, &format!("{}.{}", p.id.get_ref(), j + 1), field(4, "title"))
                }
                _ => at(PlanItemKind::Place, p.id.get_ref(), field(2, "id")),
            }
        }
        ("areas.toml", "area") => at(PlanItemKind::Area, plan.areas.get(i)?.id.get_ref(), field(2, "id")),
        _ => None,
    }
}

fn not_found(kind: PlanItemKind, id: &str) -> AppError {
    AppError::NotFound { what: kind.label(), id: id.to_owned() }
}

fn to_table<T: Serialize>(item: &T) -> Result<Table, AppError> {
    Table::try_from(item).map_err(|e| AppError::Rejected(vec![("form", e.to_string())]))
}

/// The table of an item, as its plan file has it.
fn item_table(plan: &Plan, kind: PlanItemKind, id: &str) -> Result<Table, AppError> {
    let missing = || not_found(kind, id);
    match kind {
        PlanItemKind::Outcome => {
            to_table(plan.outcomes.iter().find(|o| o.number.get_ref().to_string() == id).ok_or_else(missing)?)
        }
        PlanItemKind::Priority => to_table(plan.priorities.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?),
        PlanItemKind::Commitment => {
            to_table(plan.commitments.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?)
        }
        PlanItemKind::DeliveringPlan => {
            to_table(plan.delivering_plans.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?)
        }
        PlanItemKind::Organisation => {
            to_table(plan.organisations.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?)
        }
        PlanItemKind::Indicator => to_table(plan.indicators.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?),
        PlanItemKind::IndicatorPart => {
            to_table(plan.indicators.iter().flat_map(|i| &i.parts).find(|x| x.id.get_ref() == id).ok_or_else(missing)?)
        }
        PlanItemKind::DeliveryExample => {
            to_table(plan.delivery_examples.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?)
        }
        PlanItemKind::Milestone => to_table(
            plan.delivery_examples
                .iter()
                .flat_map(|e| &e.milestones)
                .find(|x| x.id.get_ref() == id)
                .ok_or_else(missing)?,
        ),
        PlanItemKind::Enabler => to_table(plan.enablers.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?),
        PlanItemKind::Place => to_table(plan.places.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?),
        PlanItemKind::PlacePriority => {
            let (place, n) = place_priority(id).ok_or_else(missing)?;
            let p = plan.places.iter().find(|x| x.id.get_ref() == place).ok_or_else(missing)?;
            to_table(p.priorities.get(n).ok_or_else(missing)?)
        }
        PlanItemKind::EnablerCommitment => {
            let (enabler, n) = place_priority(id).ok_or_else(missing)?;
            let e = plan.enablers.iter().find(|x| x.id.get_ref() == enabler).ok_or_else(missing)?;
            to_table(e.commitments.get(n).ok_or_else(missing)?)
        }
        PlanItemKind::Area => to_table(plan.areas.iter().find(|x| x.id.get_ref() == id).ok_or_else(missing)?),
    }
}

/// A numbered item's id split into its parent and its index: a place priority's
/// (`medway.2` → `medway`, 1), an enabler commitment's.
fn place_priority(id: &str) -> Option<(&str, usize)> {
    let (place, n) = id.rsplit_once('.')?;
    let n: usize = n.parse().ok()?;
    Some((place, n.checked_sub(1)?))
}

/// The item read back from its table, a problem in it named by its field.
fn from_table<T: DeserializeOwned>(kind: PlanItemKind, table: &Table) -> Result<T, AppError> {
    let text = toml::to_string(table).map_err(|e| AppError::Rejected(vec![("form", e.to_string())]))?;
    toml::from_str::<T>(&text).map_err(|e| {
        let line = e.span().map_or(0, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let steps = path_at(&text, line);
        let table_path: Vec<&str> = steps
            .iter()
            .filter_map(|s| match s {
                Step::Key(k) => Some(k.as_str()),
                Step::Index(_) => None,
            })
            .collect();
        let message = e.message().trim().to_owned();
        // "missing field `method`" in `measurement`: the field `measurement.method`.
        let missing = message.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`'));
        let mut path = table_path.join(".");
        if let Some(m) = missing {
            path = if path.is_empty() { m.to_owned() } else { format!("{path}.{m}") };
        }
        let field = fields(kind).into_iter().find(|f| f.path == path || f.path.starts_with(&format!("{path}.")));
        match (field, missing) {
            (Some(f), Some(_)) => AppError::Rejected(vec![(f.path, format!("Enter {}", f.label.to_lowercase()))]),
            (Some(f), None) => AppError::Rejected(vec![(f.path, format!("{}: {message}", f.label))]),
            (None, _) => AppError::Rejected(vec![("form", message)]),
        }
    })
}

/// The value of a field as a form shows it.
pub fn show_value(value: Option<&Value>, input: Input) -> String {
    match value {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Integer(n)) => n.to_string(),
        Some(Value::Float(x)) => x.to_string(),
        Some(Value::Boolean(b)) => b.to_string(),
        Some(v @ Value::Array(_)) if matches!(input, Input::Records(_)) => match input {
            Input::Records(r) => r.show(v),
            _ => String::new(),
        },
        Some(Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|v| show_value(Some(v), Input::Text)).collect();
            items.join(if input == Input::Lines { "\n" } else { ", " })
        }
        Some(v) => v.to_string(),
    }
}

fn get<'a>(table: &'a Table, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let first = table.get(parts.next()?)?;
    parts.try_fold(first, |v, k| v.as_table()?.get(k))
}

fn set(table: &mut Table, path: &str, value: Option<Value>) {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut t = table;
    for p in parts {
        if value.is_none() && !t.contains_key(p) {
            return;
        }
        let entry = t.entry(p.to_owned()).or_insert_with(|| Value::Table(Table::new()));
        let Value::Table(inner) = entry else { return };
        t = inner;
    }
    match value {
        Some(v) => {
            t.insert(last.to_owned(), v);
        }
        None => {
            t.remove(last);
        }
    }
}

/// The values of an item's form fields.
pub fn form_values(plan: &Plan, kind: PlanItemKind, id: &str) -> Result<FormValues, AppError> {
    let table = item_table(plan, kind, id)?;
    Ok(fields(kind).iter().map(|f| (f.path.to_owned(), show_value(get(&table, f.path), f.input))).collect())
}

/// Parse one field's text into its TOML value (`None`: leave it out).
fn parse_value(plan: &Plan, f: &Field, text: &str, old: Option<&Value>) -> Result<Option<Value>, String> {
    let text = text.trim();
    let split = |sep: char| -> Vec<String> {
        text.split(sep).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    };
    let value = match f.input {
        _ if text.is_empty() && f.need == Need::List => Value::Array(Vec::new()),
        _ if text.is_empty() && f.need == Need::Required => {
            return Err(format!("Enter {}", f.label.to_lowercase()));
        }
        _ if text.is_empty() => return Ok(None),
        Text | Textarea => {
            Value::String(if f.input == Text { text.replace(['\n', '\r'], " ") } else { text.replace("\r\n", "\n") })
        }
        Number => match text.replace(',', "").parse::<f64>() {
            Ok(x) if x.is_finite() => Value::Float(x),
            _ => return Err(format!("{} must be a number, like 6 or 10.2", f.label)),
        },
        Integer => match text.parse::<u8>() {
            Ok(n) => Value::Integer(i64::from(n)),
            Err(_) => return Err(format!("{} must be a whole number from 0 to 255", f.label)),
        },
        Choice(options) => {
            if options.contains(&text) {
                Value::String(text.to_owned())
            } else {
                return Err(format!("Choose one of the {} listed", f.label.to_lowercase()));
            }
        }
        OrgPick => match plan.organisation(text) {
            Some(o) => Value::String(o.id.get_ref().clone()),
            None => return Err(format!("{}: there is no organisation '{text}' in the draft", f.label)),
        },
        AreaPick => match plan.areas.iter().find(|a| a.id.get_ref() == text) {
            Some(a) => Value::String(a.id.get_ref().clone()),
            None => return Err(format!("{}: there is no area '{text}' in the draft", f.label)),
        },
        List => Value::Array(split(',').into_iter().map(Value::String).collect()),
        Lines => Value::Array(split('\n').into_iter().map(Value::String).collect()),
        Integers => {
            let mut out = Vec::new();
            for s in split(',') {
                match s.parse::<u32>() {
                    Ok(n) => out.push(Value::Integer(i64::from(n))),
                    Err(_) => return Err(format!("{}: '{s}' is not a whole number", f.label)),
                }
            }
            Value::Array(out)
        }
        Input::Records(r) => r.parse(plan, text, old).map_err(|m| format!("{}: {m}", f.label))?,
    };
    Ok(match &value {
        Value::Array(a) if a.is_empty() && f.need != Need::List => None,
        _ => Some(value),
    })
}

/// Set the form's values on an item's table; every field's type problem, or the table.
/// The id is set only on a new item.
fn apply(plan: &Plan, kind: PlanItemKind, mut table: Table, values: &FormValues, new: bool) -> Result<Table, AppError> {
    let mut problems = Vec::new();
    for f in fields(kind) {
        if !new && Some(f.path) == kind.id_key() {
            continue;
        }
        let text = values.get(f.path).map_or("", String::as_str);
        match parse_value(plan, &f, text, get(&table, f.path)) {
            Ok(v) => set(&mut table, f.path, v),
            Err(message) => problems.push((f.path, message)),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    // A baseline, target or measurement with nothing left in it is not there.
    table.retain(|_, v| !matches!(v, Value::Table(t) if t.is_empty()));
    Ok(table)
}

fn json<T: Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

fn position<T>(items: &[T], id: &str, key: impl Fn(&T) -> &Sp<String>) -> Option<usize> {
    items.iter().position(|x| key(x).get_ref() == id)
}

/// Put an item read from its table in place of the item `id` (or add it when `id` is
/// `None`, under `parent`); its id.
fn put(
    plan: &mut Plan,
    kind: PlanItemKind,
    id: Option<&str>,
    parent: Option<&str>,
    table: &Table,
) -> Result<String, AppError> {
    macro_rules! top {
        ($list:ident, $key:expr) => {{
            let item = from_table(kind, table)?;
            let new_id = $key(&item);
            match id {
                Some(id) => {
                    let i = plan.$list.iter().position(|x| $key(x) == id).ok_or_else(|| not_found(kind, id))?;
                    plan.$list[i] = item;
                }
                None => plan.$list.push(item),
            }
            Ok(new_id)
        }};
    }
    let sid = |x: &Sp<String>| x.get_ref().clone();
    match kind {
        PlanItemKind::Outcome => top!(outcomes, |o: &assure_plan::Outcome| o.number.get_ref().to_string()),
        PlanItemKind::Priority => top!(priorities, |x: &assure_plan::Priority| sid(&x.id)),
        PlanItemKind::Commitment => top!(commitments, |x: &Commitment| sid(&x.id)),
        PlanItemKind::DeliveringPlan => top!(delivering_plans, |x: &assure_plan::DeliveringPlan| sid(&x.id)),
        PlanItemKind::Organisation => top!(organisations, |x: &Organisation| sid(&x.id)),
        PlanItemKind::Indicator => top!(indicators, |x: &assure_plan::Indicator| sid(&x.id)),
        PlanItemKind::DeliveryExample => top!(delivery_examples, |x: &assure_plan::DeliveryExample| sid(&x.id)),
        PlanItemKind::Enabler => top!(enablers, |x: &assure_plan::Enabler| sid(&x.id)),
        PlanItemKind::Place => top!(places, |x: &assure_plan::Place| sid(&x.id)),
        PlanItemKind::Area => top!(areas, |x: &assure_plan::Area| sid(&x.id)),
        PlanItemKind::IndicatorPart => {
            let part: assure_plan::IndicatorPart = from_table(kind, table)?;
            let new_id = sid(&part.id);
            let list = match (id, parent) {
                (Some(id), _) => {
                    plan.indicators.iter_mut().map(|i| &mut i.parts).find(|ps| position(ps, id, |p| &p.id).is_some())
                }
                (None, Some(p)) => plan.indicators.iter_mut().find(|i| i.id.get_ref() == p).map(|i| &mut i.parts),
                (None, None) => None,
            }
            .ok_or_else(|| not_found(PlanItemKind::Indicator, id.or(parent).unwrap_or_default()))?;
            match id.and_then(|id| position(list, id, |p| &p.id)) {
                Some(i) => list[i] = part,
                None => list.push(part),
            }
            Ok(new_id)
        }
        PlanItemKind::Milestone => {
            let m: assure_plan::Milestone = from_table(kind, table)?;
            let new_id = sid(&m.id);
            let list = match (id, parent) {
                (Some(id), _) => plan
                    .delivery_examples
                    .iter_mut()
                    .map(|e| &mut e.milestones)
                    .find(|ms| position(ms, id, |m| &m.id).is_some()),
                (None, Some(p)) => {
                    plan.delivery_examples.iter_mut().find(|e| e.id.get_ref() == p).map(|e| &mut e.milestones)
                }
                (None, None) => None,
            }
            .ok_or_else(|| not_found(PlanItemKind::DeliveryExample, id.or(parent).unwrap_or_default()))?;
            match id.and_then(|id| position(list, id, |m| &m.id)) {
                Some(i) => list[i] = m,
                None => list.push(m),
            }
            Ok(new_id)
        }
        PlanItemKind::PlacePriority => {
            let pr: assure_plan::PlacePriority = from_table(kind, table)?;
            let (place, n) = numbered(kind, id, parent)?;
            let p = plan
                .places
                .iter_mut()
                .find(|p| p.id.get_ref() == place)
                .ok_or_else(|| not_found(PlanItemKind::Place, place))?;
            let n = put_at(&mut p.priorities, n, pr).ok_or_else(|| not_found(kind, id.unwrap_or_default()))?;
            Ok(format!("{place}.{}", n + 1))
        }
        PlanItemKind::EnablerCommitment => {
            let c: assure_plan::EnablerCommitment = from_table(kind, table)?;
            let (enabler, n) = numbered(kind, id, parent)?;
            let e = plan
                .enablers
                .iter_mut()
                .find(|e| e.id.get_ref() == enabler)
                .ok_or_else(|| not_found(PlanItemKind::Enabler, enabler))?;
            let n = put_at(&mut e.commitments, n, c).ok_or_else(|| not_found(kind, id.unwrap_or_default()))?;
            Ok(format!("{enabler}.{}", n + 1))
        }
    }
}

/// Where a numbered item goes: its parent and its index (`None`: added at the end).
fn numbered<'a>(
    kind: PlanItemKind,
    id: Option<&'a str>,
    parent: Option<&'a str>,
) -> Result<(&'a str, Option<usize>), AppError> {
    match (id, parent) {
        (Some(id), _) => place_priority(id).map(|(p, n)| (p, Some(n))),
        (None, Some(p)) => Some((p, None)),
        (None, None) => None,
    }
    .ok_or_else(|| not_found(kind, id.unwrap_or_default()))
}

/// Put `item` at index `n` (or at the end); its index, `None` when there is no item `n`.
fn put_at<T>(list: &mut Vec<T>, n: Option<usize>, item: T) -> Option<usize> {
    match n {
        Some(n) => {
            *list.get_mut(n)? = item;
            Some(n)
        }
        None => {
            list.push(item);
            Some(list.len() - 1)
        }
    }
}

/// Remove the item at index `n`; what it was.
fn take_at<T: Serialize>(list: &mut Vec<T>, n: usize) -> Option<Option<serde_json::Value>> {
    (n < list.len()).then(|| json(&list.remove(n)))
}

/// Remove an item; what it was.
fn remove(plan: &mut Plan, kind: PlanItemKind, id: &str) -> Result<Option<serde_json::Value>, AppError> {
    macro_rules! take {
        ($list:expr, $key:expr) => {{
            let i = $list.iter().position(|x| $key(x) == id).ok_or_else(|| not_found(kind, id))?;
            Ok(json(&$list.remove(i)))
        }};
    }
    let sid = |x: &Sp<String>| x.get_ref().clone();
    match kind {
        PlanItemKind::Outcome => take!(plan.outcomes, |o: &assure_plan::Outcome| o.number.get_ref().to_string()),
        PlanItemKind::Priority => take!(plan.priorities, |x: &assure_plan::Priority| sid(&x.id)),
        PlanItemKind::Commitment => take!(plan.commitments, |x: &Commitment| sid(&x.id)),
        PlanItemKind::DeliveringPlan => take!(plan.delivering_plans, |x: &assure_plan::DeliveringPlan| sid(&x.id)),
        PlanItemKind::Organisation => take!(plan.organisations, |x: &Organisation| sid(&x.id)),
        PlanItemKind::Indicator => take!(plan.indicators, |x: &assure_plan::Indicator| sid(&x.id)),
        PlanItemKind::DeliveryExample => take!(plan.delivery_examples, |x: &assure_plan::DeliveryExample| sid(&x.id)),
        PlanItemKind::Enabler => take!(plan.enablers, |x: &assure_plan::Enabler| sid(&x.id)),
        PlanItemKind::Place => take!(plan.places, |x: &assure_plan::Place| sid(&x.id)),
        PlanItemKind::Area => take!(plan.areas, |x: &assure_plan::Area| sid(&x.id)),
        PlanItemKind::IndicatorPart => {
            let parts = plan
                .indicators
                .iter_mut()
                .map(|i| &mut i.parts)
                .find(|ps| position(ps, id, |p| &p.id).is_some())
                .ok_or_else(|| not_found(kind, id))?;
            take!(parts, |x: &assure_plan::IndicatorPart| sid(&x.id))
        }
        PlanItemKind::Milestone => {
            let ms = plan
                .delivery_examples
                .iter_mut()
                .map(|e| &mut e.milestones)
                .find(|ms| position(ms, id, |m| &m.id).is_some())
                .ok_or_else(|| not_found(kind, id))?;
            take!(ms, |x: &assure_plan::Milestone| sid(&x.id))
        }
        PlanItemKind::PlacePriority => {
            let (place, n) = place_priority(id).ok_or_else(|| not_found(kind, id))?;
            let p = plan.places.iter_mut().find(|p| p.id.get_ref() == place).ok_or_else(|| not_found(kind, id))?;
            take_at(&mut p.priorities, n).ok_or_else(|| not_found(kind, id))
        }
        PlanItemKind::EnablerCommitment => {
            let (enabler, n) = place_priority(id).ok_or_else(|| not_found(kind, id))?;
            let e = plan.enablers.iter_mut().find(|e| e.id.get_ref() == enabler).ok_or_else(|| not_found(kind, id))?;
            take_at(&mut e.commitments, n).ok_or_else(|| not_found(kind, id))
        }
    }
}

fn split_ids(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A delivery link from a form: plans must be delivering plans of the draft, leads its
/// organisations (by id, name or alias); an empty cell text is made from their names.
pub fn delivery_link(plan: &Plan, fields: &LinkFields) -> Result<DeliveryLink, AppError> {
    let mut problems = Vec::new();
    let mut plans = Vec::new();
    for p in split_ids(&fields.plans) {
        match plan.delivering_plans.iter().find(|d| d.id.get_ref() == &p) {
            Some(d) => plans.push(d),
            None => problems.push(("plans", format!("There is no delivering plan '{p}' in the draft"))),
        }
    }
    if split_ids(&fields.plans).is_empty() {
        problems.push(("plans", "Enter at least one delivering plan".to_owned()));
    }
    let mut leads = Vec::new();
    for o in split_ids(&fields.led_by) {
        match plan.organisation(&o) {
            Some(org) => leads.push(org),
            None => problems.push(("led_by", format!("There is no organisation '{o}' in the draft"))),
        }
    }
    if !problems.is_empty() {
        return Err(AppError::Rejected(problems));
    }
    let or_names = |text: &str, names: Vec<&str>| {
        let t = text.trim();
        if t.is_empty() { names.join(", ") } else { t.to_owned() }
    };
    Ok(DeliveryLink {
        line: 0,
        plan_text: or_names(&fields.plan_text, plans.iter().map(|d| d.name.as_str()).collect()),
        plans: plans.iter().map(|d| Sp::new(0..0, d.id.get_ref().clone())).collect(),
        led_by_text: or_names(&fields.led_by_text, leads.iter().map(|o| o.name.as_str()).collect()),
        led_by: leads.iter().map(|o| Sp::new(0..0, o.id.get_ref().clone())).collect(),
    })
}

/// Move every reference to organisation `from` onto `into` and drop `from`, its names
/// kept as aliases of `into`; how many references moved.
fn merge_organisations(plan: &mut Plan, from: &str, into: &str) -> Result<usize, AppError> {
    if into.trim().is_empty() {
        return Err(AppError::Rejected(vec![("into", "Choose the organisation to merge it into".into())]));
    }
    if from == into {
        return Err(AppError::Rejected(vec![("into", "Choose another organisation to merge it into".into())]));
    }
    let Some(gone_at) = position(&plan.organisations, from, |o| &o.id) else {
        return Err(not_found(PlanItemKind::Organisation, from));
    };
    if position(&plan.organisations, into, |o| &o.id).is_none() {
        return Err(AppError::Rejected(vec![("into", format!("There is no organisation '{into}' in the draft"))]));
    }
    let gone = plan.organisations.remove(gone_at);
    let mut moved = 0;
    let mut repoint = |refs: &mut Vec<Sp<String>>| {
        let had = refs.iter().any(|r| r.get_ref() == from);
        if had {
            moved += 1;
            let mut seen = std::collections::HashSet::new();
            refs.retain_mut(|r| {
                if r.get_ref() == from {
                    *r = Sp::new(0..0, into.to_owned());
                }
                seen.insert(r.get_ref().clone())
            });
        }
    };
    for c in &mut plan.commitments {
        for link in &mut c.links {
            repoint(&mut link.led_by);
        }
    }
    for e in &mut plan.enablers {
        for cm in &mut e.commitments {
            for item in &mut cm.items {
                repoint(&mut item.led_by);
            }
        }
    }
    let mut one = |r: &mut Sp<String>| {
        if r.get_ref() == from {
            *r = Sp::new(0..0, into.to_owned());
            moved += 1;
        }
    };
    for g in &mut plan.governance {
        if let Some(o) = &mut g.organisation {
            one(o);
        }
    }
    for p in &mut plan.places {
        one(&mut p.organisation);
    }
    for o in &mut plan.organisations {
        if let Some(parent) = &mut o.parent {
            one(parent);
        }
    }
    let target = plan
        .organisations
        .iter_mut()
        .find(|o| o.id.get_ref() == into)
        .ok_or_else(|| not_found(PlanItemKind::Organisation, into))?;
    // Merged into its own child: it takes the parent the merged one had.
    if target.parent.as_ref().is_some_and(|p| p.get_ref() == into) {
        target.parent = gone.parent.clone().filter(|p| p.get_ref() != into);
    }
    for name in std::iter::once(&gone.name).chain(&gone.aliases) {
        let known =
            target.name.eq_ignore_ascii_case(name) || target.aliases.iter().any(|a| a.eq_ignore_ascii_case(name));
        if !known {
            target.aliases.push(name.clone());
        }
    }
    Ok(moved)
}

impl App {
    /// The draft `id` for someone who may edit it: refused unless they may edit the plan;
    /// a published version is not a draft (it is never edited in place).
    pub fn draft_for_editing(&self, account: &Account, id: &str) -> Result<Draft, AppError> {
        self.require_plan_editor(account)?;
        self.store.draft(id)?.ok_or_else(|| AppError::NotFound { what: "draft", id: id.to_owned() })
    }

    /// Make one change to a draft: checked for type (a problem is
    /// [`AppError::Rejected`] naming the field, and nothing is saved), saved with its
    /// audit entry (the item before and after), and the draft's problems returned.
    pub fn edit_draft(&self, account: &Account, draft_id: &str, edit: PlanEdit) -> Result<Edited, AppError> {
        let draft = self.draft_for_editing(account, draft_id)?;
        let mut plan = draft.plan;
        let (action, kind, id, before, after) = match edit {
            PlanEdit::Fields { kind, id, values } => {
                let table = item_table(&plan, kind, &id)?;
                let before = json(&table);
                let table = apply(&plan, kind, table, &values, false)?;
                let id = put(&mut plan, kind, Some(&id), None, &table)?;
                let after = item_table(&plan, kind, &id).ok().and_then(|t| json(&t));
                ("edit", kind, id, before, after)
            }
            PlanEdit::Add { kind, parent, values } => {
                if kind.parent().is_some() && parent.is_none() {
                    return Err(AppError::Rejected(vec![(
                        "parent",
                        format!("Say which item the {} belongs to", kind.label()),
                    )]));
                }
                let table = apply(&plan, kind, kind.new_item(), &values, true)?;
                if let Some(key) = kind.id_key() {
                    let new_id = show_value(table.get(key), Input::Text);
                    if item_table(&plan, kind, &new_id).is_ok() {
                        let field = fields(kind).into_iter().find(|f| f.path == key).map_or("id", |f| f.path);
                        return Err(AppError::Rejected(vec![(
                            field,
                            format!("There is already a {} '{new_id}'", kind.label()),
                        )]));
                    }
                }
                let id = put(&mut plan, kind, None, parent.as_deref(), &table)?;
                let after = item_table(&plan, kind, &id).ok().and_then(|t| json(&t));
                ("add", kind, id, None, after)
            }
            PlanEdit::Remove { kind, id } => {
                let before = remove(&mut plan, kind, &id)?;
                ("remove", kind, id, before, None)
            }
            PlanEdit::AddLink { commitment, link } => {
                let link = delivery_link(&plan, &link)?;
                let c = commitment_mut(&mut plan, &commitment)?;
                let after = json(&link);
                c.links.push(link);
                let id = format!("{commitment} #{}", c.links.len());
                return self.save(
                    draft_id,
                    plan,
                    account,
                    Change("add", "delivery link", id, None, after),
                    (PlanItemKind::Commitment, commitment),
                );
            }
            PlanEdit::ChangeLink { commitment, number, link } => {
                let mut link = delivery_link(&plan, &link)?;
                let c = commitment_mut(&mut plan, &commitment)?;
                let old = link_mut(c, number)?;
                link.line = old.line;
                let before = json(&*old);
                let after = json(&link);
                *old = link;
                let id = format!("{commitment} #{number}");
                return self.save(
                    draft_id,
                    plan,
                    account,
                    Change("edit", "delivery link", id, before, after),
                    (PlanItemKind::Commitment, commitment),
                );
            }
            PlanEdit::RemoveLink { commitment, number } => {
                let c = commitment_mut(&mut plan, &commitment)?;
                let link = take_link(c, number)?;
                let before = json(&link);
                let id = format!("{commitment} #{number}");
                return self.save(
                    draft_id,
                    plan,
                    account,
                    Change("remove", "delivery link", id, before, None),
                    (PlanItemKind::Commitment, commitment),
                );
            }
            PlanEdit::MoveLink { commitment, number, to } => {
                if to.trim().is_empty() {
                    return Err(AppError::Rejected(vec![("to", "Choose the commitment to move the link to".into())]));
                }
                if commitment == to {
                    return Err(AppError::Rejected(vec![(
                        "to",
                        "Choose another commitment to move the link to".into(),
                    )]));
                }
                if !plan.commitments.iter().any(|c| c.id.get_ref() == &to) {
                    return Err(AppError::Rejected(vec![(
                        "to",
                        format!("There is no commitment '{to}' in the draft"),
                    )]));
                }
                let link = take_link(commitment_mut(&mut plan, &commitment)?, number)?;
                let before = serde_json::json!({ "commitment": commitment, "number": number, "link": json(&link) });
                let target = commitment_mut(&mut plan, &to)?;
                target.links.push(link);
                let after = serde_json::json!({ "commitment": to, "number": target.links.len() });
                let id = format!("{commitment} #{number} → {to}");
                return self.save(
                    draft_id,
                    plan,
                    account,
                    Change("move", "delivery link", id, Some(before), Some(after)),
                    (PlanItemKind::Commitment, to),
                );
            }
            PlanEdit::RenameOrganisation { id, name } => {
                let name = name.trim().to_owned();
                if name.is_empty() {
                    return Err(AppError::Rejected(vec![("name", "Enter the organisation's new name".into())]));
                }
                let org = plan
                    .organisations
                    .iter_mut()
                    .find(|o| o.id.get_ref() == &id)
                    .ok_or_else(|| not_found(PlanItemKind::Organisation, &id))?;
                if org.name == name {
                    return Err(AppError::Rejected(vec![("name", "That is its name already: enter a new one".into())]));
                }
                let before = json(org);
                let old = std::mem::replace(&mut org.name, name.clone());
                org.aliases.retain(|a| !a.eq_ignore_ascii_case(&name));
                if !org.aliases.iter().any(|a| a.eq_ignore_ascii_case(&old)) {
                    org.aliases.push(old);
                }
                let after = json(org);
                return self.save(
                    draft_id,
                    plan,
                    account,
                    Change("rename", "organisation", id.clone(), before, after),
                    (PlanItemKind::Organisation, id),
                );
            }
            PlanEdit::MergeOrganisations { from, into } => {
                fn pick(plan: &Plan, id: &str) -> Option<serde_json::Value> {
                    plan.organisations.iter().find(|o| o.id.get_ref() == id).and_then(json)
                }
                let before = serde_json::json!({ "from": pick(&plan, &from), "into": pick(&plan, &into) });
                let moved = merge_organisations(&mut plan, &from, &into)?;
                let after = serde_json::json!({ "into": pick(&plan, &into), "references_moved": moved });
                let id = format!("{from} → {into}");
                return self.save(
                    draft_id,
                    plan,
                    account,
                    Change("merge", "organisation", id, Some(before), Some(after)),
                    (PlanItemKind::Organisation, into),
                );
            }
        };
        let entity_id = id.clone();
        self.save(draft_id, plan, account, Change(action, kind.label(), entity_id, before, after), (kind, id))
    }

    fn save(
        &self,
        draft_id: &str,
        plan: Plan,
        account: &Account,
        change: Change,
        item: (PlanItemKind, String),
    ) -> Result<Edited, AppError> {
        let Change(action, entity, entity_id, before, after) = change;
        let change = DraftChange { action, entity, entity_id: &entity_id, before, after };
        let draft = self.store.save_draft(draft_id, &plan, &account.username, &change)?;
        let problems = plan_problems(&draft.plan);
        Ok(Edited { draft, item, problems })
    }
}

/// One change as the audit log records it: action, kind of item, its id, before, after.
struct Change(&'static str, &'static str, String, Option<serde_json::Value>, Option<serde_json::Value>);

fn commitment_mut<'a>(plan: &'a mut Plan, id: &str) -> Result<&'a mut Commitment, AppError> {
    plan.commitments.iter_mut().find(|c| c.id.get_ref() == id).ok_or_else(|| not_found(PlanItemKind::Commitment, id))
}

fn link_missing(c: &Commitment, number: usize) -> AppError {
    AppError::NotFound { what: "delivery link", id: format!("{} #{number}", c.id.get_ref()) }
}

fn take_link(c: &mut Commitment, number: usize) -> Result<DeliveryLink, AppError> {
    if number == 0 || number > c.links.len() {
        return Err(link_missing(c, number));
    }
    Ok(c.links.remove(number - 1))
}

fn link_mut(c: &mut Commitment, number: usize) -> Result<&mut DeliveryLink, AppError> {
    let missing = link_missing(c, number);
    number.checked_sub(1).and_then(|i| c.links.get_mut(i)).ok_or(missing)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> Plan {
        assure_plan::bundled().unwrap()
    }

    #[test]
    fn a_problem_in_the_files_is_found_on_its_item_and_field() {
        let mut p = plan();
        // A percentage target of 140 on the first indicator, and a part with an unknown area.
        p.indicators[0].target.as_mut().unwrap().value = Some(Sp::new(0..0, 140.0));
        let compound = p.indicators.iter().position(|i| i.parts.len() >= 2).unwrap();
        let part_id = p.indicators[compound].parts[1].id.get_ref().clone();
        p.indicators[compound].parts[1].measurement.as_mut().unwrap().area = Sp::new(0..0, "atlantis".into());
        p.commitments[2].links[0].led_by.push(Sp::new(0..0, "nobody".into()));
        let problems = plan_problems(&p);
        let at: Vec<ProblemAt> = problems.iter().filter_map(|x| x.at.clone()).collect();
        let first = p.indicators[0].id.get_ref().clone();
        assert!(
            at.contains(&ProblemAt { kind: PlanItemKind::Indicator, id: first, field: "target.value".into() }),
            "{problems:?}"
        );
        assert!(
            at.contains(&ProblemAt {
                kind: PlanItemKind::IndicatorPart,
                id: part_id,
                field: "measurement.area".into()
            }),
            "{problems:?}"
        );
        let c = p.commitments[2].id.get_ref().clone();
        assert!(
            at.contains(&ProblemAt { kind: PlanItemKind::Commitment, id: c, field: "links".into() }),
            "{problems:?}"
        );
        assert_eq!(at.len(), problems.len(), "every problem placed: {problems:?}");
    }

    #[test]
    fn form_values_read_back_to_the_same_item() {
        let p = plan();
        for kind in PlanItemKind::ALL {
            let id = match kind {
                PlanItemKind::Outcome => "1".to_owned(),
                PlanItemKind::Priority => p.priorities[0].id.get_ref().clone(),
                PlanItemKind::Commitment => p.commitments[0].id.get_ref().clone(),
                PlanItemKind::DeliveringPlan => p.delivering_plans[0].id.get_ref().clone(),
                PlanItemKind::Organisation => p.organisations[3].id.get_ref().clone(),
                PlanItemKind::Indicator => p.indicators[0].id.get_ref().clone(),
                PlanItemKind::IndicatorPart => {
                    p.indicators.iter().flat_map(|i| &i.parts).next().unwrap().id.get_ref().clone()
                }
                PlanItemKind::DeliveryExample => p.delivery_examples[0].id.get_ref().clone(),
                PlanItemKind::Milestone => p.delivery_examples[0].milestones[0].id.get_ref().clone(),
                PlanItemKind::Enabler => p.enablers[0].id.get_ref().clone(),
                PlanItemKind::Place => p.places[1].id.get_ref().clone(),
                PlanItemKind::PlacePriority => format!("{}.1", p.places[1].id.get_ref()),
                PlanItemKind::EnablerCommitment => format!("{}.2", p.enablers[0].id.get_ref()),
                PlanItemKind::Area => p.areas[2].id.get_ref().clone(),
            };
            let values = form_values(&p, kind, &id).unwrap();
            let before = item_table(&p, kind, &id).unwrap();
            let after = apply(&p, kind, before.clone(), &values, false).unwrap();
            let mut q = p.clone();
            put(&mut q, kind, Some(&id), None, &after).unwrap();
            assert_eq!(item_table(&q, kind, &id).unwrap(), before, "{kind:?} {id}");
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_field() {
        let p = plan();
        let id = p.indicators[0].id.get_ref().clone();
        let mut values = form_values(&p, PlanItemKind::Indicator, &id).unwrap();
        values.insert("target.value".into(), "six".into());
        values.insert("unit".into(), "furlongs".into());
        values.insert("measure".into(), " ".into());
        let table = item_table(&p, PlanItemKind::Indicator, &id).unwrap();
        let Err(AppError::Rejected(problems)) = apply(&p, PlanItemKind::Indicator, table.clone(), &values, false)
        else {
            panic!()
        };
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["measure", "unit", "target.value"]);
        // A measurement half filled in: its missing field is named.
        let mut values = form_values(&p, PlanItemKind::Indicator, &id).unwrap();
        values.insert("measurement.method".into(), String::new());
        let t = apply(&p, PlanItemKind::Indicator, table, &values, false).unwrap();
        let Err(AppError::Rejected(problems)) = from_table::<assure_plan::Indicator>(PlanItemKind::Indicator, &t)
        else {
            panic!()
        };
        assert_eq!(problems[0].0, "measurement.method", "{problems:?}");
    }

    #[test]
    fn merging_organisations_moves_every_reference_and_keeps_every_link() {
        let mut p = plan();
        let links = |p: &Plan| p.commitments.iter().map(|c| c.links.len()).sum::<usize>();
        let before = links(&p);
        let refs = |p: &Plan, id: &str| {
            p.commitments.iter().flat_map(|c| &c.links).filter(|l| l.led_by.iter().any(|o| o.get_ref() == id)).count()
        };
        let (from, into) = ("medway-hwb", "medway-council");
        let (a, b) = (refs(&p, from), refs(&p, into));
        assert!(a > 0);
        let name = p.organisation(from).unwrap().name.clone();
        merge_organisations(&mut p, from, into).unwrap();
        assert_eq!(links(&p), before);
        assert_eq!(refs(&p, from), 0);
        assert!(refs(&p, into) >= b.max(a));
        assert_eq!(p.organisation(&name).unwrap().id.get_ref(), into);
        assert!(check_plan(&p).is_empty(), "{:?}", check_plan(&p));
    }
}
