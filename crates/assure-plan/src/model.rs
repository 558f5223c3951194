//! The domain model of a Shared Delivery Plan, as read from plan-as-code files.
//!
//! The same types are deserialised from the TOML files (with source positions on
//! every identifier and reference, so that validation can point at them) and
//! serialised to JSON for the CLI and API. `toml::Spanned<T>` serialises as its
//! inner value and compares by value, so positions never leak into output.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A value with the byte range it came from in its file.
pub type Sp<T> = Spanned<T>;

/// The line of the source document (the published plan) an item was read from.
pub type SourceLine = u32;

/// Plan-level metadata (`plan.toml`, table `[plan]`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanMeta {
    /// Stable identifier of this plan version, e.g. `kent-and-medway-2024-26`.
    pub id: Sp<String>,
    /// Title as published.
    pub title: String,
    /// Publication date (ISO 8601).
    pub published: String,
    /// The period the plan covers, e.g. `2024-2026`.
    pub period: String,
    /// File name of the source document every `line` refers to.
    pub source: String,
    /// Line of the title in the source.
    pub line: SourceLine,
    /// The system's vision statement.
    pub vision: String,
    /// Line of the vision in the source.
    pub vision_line: SourceLine,
    /// How and when the plan is refreshed.
    pub refresh: String,
    /// Line of the refresh statement.
    pub refresh_line: SourceLine,
}

/// A fact about the system ("1.9 million people").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    /// The fact as the source words it.
    pub text: String,
    /// The headline number.
    pub value: u64,
    /// What the number counts.
    pub label: String,
    /// Source line.
    pub line: SourceLine,
}

/// A paragraph or list item of text with its source line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Source line.
    pub line: SourceLine,
}

/// A governance body or arrangement (the ICP, the IPPH committee, the HCPs ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    /// Identifier.
    pub id: Sp<String>,
    /// Heading in the source.
    pub title: String,
    /// The organisation this describes, if it is one.
    pub organisation: Option<Sp<String>>,
    /// Source line of the heading.
    pub line: SourceLine,
    /// Paragraphs.
    #[serde(default)]
    pub text: Vec<Text>,
    /// Members (e.g. ICP committee membership).
    #[serde(default)]
    pub member: Vec<Text>,
}

/// A narrative section of the plan (introduction, financial sustainability, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Identifier.
    pub id: Sp<String>,
    /// Heading.
    pub title: String,
    /// Source line of the heading.
    pub line: SourceLine,
    /// Paragraphs.
    #[serde(default)]
    pub text: Vec<Text>,
}

/// Another title the source uses for the same item.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The variant title as written.
    pub title: String,
    /// Where it is written.
    pub line: SourceLine,
}

/// One "what we heard" item, possibly with sub-items.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Heard {
    /// The item.
    pub text: String,
    /// Source line.
    pub line: SourceLine,
    /// Sub-items.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
}

/// Whether a first-person line is an "I" statement or a quote from a resident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// "I am happy and secure at school and at home".
    #[default]
    IStatement,
    /// A quotation in speech marks.
    Quote,
}

/// A first-person statement or quote attached to an outcome.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// The words.
    pub text: String,
    /// Source line.
    pub line: SourceLine,
    /// I statement or quote.
    #[serde(default)]
    pub kind: StatementKind,
}

/// A shared outcome (1 to 6).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// The outcome's number in the plan.
    pub number: Sp<u8>,
    /// Canonical title (the section heading).
    pub title: String,
    /// Source line of the section heading.
    pub line: SourceLine,
    /// The ambition statement under the heading.
    pub ambition: String,
    /// Its source line.
    pub ambition_line: SourceLine,
    /// Other titles the source uses.
    #[serde(default)]
    pub variant: Vec<Variant>,
    /// "What we heard".
    #[serde(default)]
    pub heard: Vec<Heard>,
    /// "I" statements and quotes.
    #[serde(default)]
    pub statement: Vec<Statement>,
    /// Other paragraphs in the outcome's overview.
    #[serde(default)]
    pub note: Vec<Text>,
    /// "What we need to achieve" bullets from the strategy overview.
    #[serde(default)]
    pub aim: Vec<Text>,
    /// Introduction to indicator themes, where indicators are still to be developed.
    pub indicator_intro: Option<String>,
    /// Its source line.
    pub indicator_intro_line: Option<SourceLine>,
    /// Themes indicators are likely to cover (outcome 6).
    #[serde(default)]
    pub indicator_theme: Vec<Text>,
}

/// A priority of an outcome ("Together we will ...").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Priority {
    /// `<outcome>.<n>`, e.g. `1.2`.
    pub id: Sp<String>,
    /// The outcome it belongs to.
    pub outcome: Sp<u8>,
    /// Canonical title.
    pub title: String,
    /// Source line.
    pub line: SourceLine,
    /// The "we will" description.
    pub description: String,
    /// Its source line.
    pub description_line: SourceLine,
    /// Other titles the source uses.
    #[serde(default)]
    pub variant: Vec<Variant>,
}

/// A commitment: the sub-heading above a "Strategies / plans in place to deliver" table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Commitment {
    /// Stable identifier.
    pub id: Sp<String>,
    /// The outcome.
    pub outcome: Sp<u8>,
    /// The priorities it serves (several for outcome 6's shared table).
    pub priorities: Vec<Sp<String>>,
    /// The sub-heading as written.
    pub title: String,
    /// Source line of the sub-heading (or of the table, when untitled).
    pub line: SourceLine,
    /// True where the source gives the table no sub-heading of its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub untitled: bool,
    /// The rows of the table.
    #[serde(default, rename = "link")]
    pub links: Vec<DeliveryLink>,
}

/// One row of a "Strategies / plans in place to deliver" table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryLink {
    /// Source line of the row.
    pub line: SourceLine,
    /// The plan cell exactly as written.
    pub plan_text: String,
    /// The delivering plans the cell names.
    pub plans: Vec<Sp<String>>,
    /// The "led by / responsible" cell exactly as written.
    pub led_by_text: String,
    /// The organisations the cell names.
    pub led_by: Vec<Sp<String>>,
}

/// How far a delivering plan has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Listed as in place.
    InPlace,
    /// "in development", "consultation phase in progress".
    InDevelopment,
    /// "(TBC)".
    Tbc,
    /// "(to be developed)".
    ToBeDeveloped,
}

impl PlanStatus {
    /// Every status, from the furthest on.
    pub const ALL: [PlanStatus; 4] =
        [PlanStatus::InPlace, PlanStatus::InDevelopment, PlanStatus::Tbc, PlanStatus::ToBeDeveloped];

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::InPlace => "in place",
            PlanStatus::InDevelopment => "in development",
            PlanStatus::Tbc => "to be confirmed",
            PlanStatus::ToBeDeveloped => "to be developed",
        }
    }
}

/// A delivering plan (strategy, programme, service) named in the plan; one record however often it is linked.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveringPlan {
    /// Stable identifier.
    pub id: Sp<String>,
    /// Canonical name.
    pub name: String,
    /// Other names the source uses for it.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Status.
    pub status: Sp<PlanStatus>,
    /// Source line where it is first named.
    pub line: SourceLine,
}

/// What sort of organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// Integrated care board.
    Icb,
    /// County council.
    CountyCouncil,
    /// Unitary council.
    UnitaryCouncil,
    /// District or borough council.
    DistrictCouncil,
    /// A group of councils spoken of together.
    CouncilGroup,
    /// Directorate of a larger body.
    Directorate,
    /// Service or team within a body.
    Service,
    /// Committee or sub-committee.
    Committee,
    /// Board.
    Board,
    /// Partnership, alliance or network.
    Partnership,
    /// Programme.
    Programme,
    /// All the Health and Care Partnerships together.
    HcpGroup,
    /// Health and Care Partnership.
    Hcp,
    /// Voluntary, community and social enterprise.
    Vcse,
    /// Association of local (parish and town) councils.
    LocalCouncilAssociation,
    /// Parish and town councils.
    LocalCouncil,
    /// Healthwatch.
    Healthwatch,
    /// Police or police and crime commissioner.
    Police,
    /// Research body.
    Research,
    /// National body.
    NationalBody,
    /// NHS provider trusts spoken of together.
    NhsTrustGroup,
    /// NHS trust.
    NhsTrust,
    /// NHS provider collaborative.
    ProviderCollaborative,
    /// Primary care.
    PrimaryCare,
    /// Anything else.
    Other,
}

/// An organisation in the registry.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Stable identifier, e.g. `kcc`.
    pub id: Sp<String>,
    /// Canonical name.
    pub name: String,
    /// Kind.
    pub kind: OrganisationKind,
    /// The body it is part of ("KCC – GET" is part of Kent County Council).
    pub parent: Option<Sp<String>>,
    /// Other names, abbreviations and misspellings found in the source.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The area it serves, where it is a place-based body.
    pub area: Option<Sp<String>>,
    /// Source line where it is first named.
    pub line: SourceLine,
}

/// Units an indicator is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Percentage (0–100).
    Percent,
    /// Rate per 100,000.
    #[serde(rename = "rate_per_100000")]
    RatePer100000,
    /// A rate whose base the plan does not state.
    Rate,
    /// A score (e.g. Attainment 8).
    Score,
    /// Years (life expectancy).
    Years,
    /// A count.
    Count,
    /// Not a number: judged from evidence.
    Qualitative,
    /// The plan does not say.
    Unspecified,
}

/// Which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Polarity {
    /// Higher values are better.
    HigherIsBetter,
    /// Lower values are better.
    LowerIsBetter,
    /// No judgement.
    NoJudgement,
}

impl Polarity {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Polarity::HigherIsBetter => "higher is better",
            Polarity::LowerIsBetter => "lower is better",
            Polarity::NoJudgement => "no judgement",
        }
    }
}

/// How a target is stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// "no more than X".
    AtMost,
    /// "below X".
    LessThan,
    /// "at least X".
    AtLeast,
    /// "above X".
    MoreThan,
    /// "maintained at X".
    Maintain,
    /// "reduced from the baseline" / "below the rate for 2024".
    BelowBaseline,
    /// "increased" / "an increasing number".
    AboveBaseline,
    /// "similar to 2024".
    SimilarToBaseline,
    /// Compared with the national value ("meet national ambitions", "in line with the national average").
    National,
    /// "at or close to zero".
    Zero,
    /// Judged from evidence, not a number.
    Qualitative,
}

impl TargetKind {
    /// The name used in plan files.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::AtMost => "at_most",
            TargetKind::LessThan => "less_than",
            TargetKind::AtLeast => "at_least",
            TargetKind::MoreThan => "more_than",
            TargetKind::Maintain => "maintain",
            TargetKind::BelowBaseline => "below_baseline",
            TargetKind::AboveBaseline => "above_baseline",
            TargetKind::SimilarToBaseline => "similar_to_baseline",
            TargetKind::National => "national",
            TargetKind::Zero => "zero",
            TargetKind::Qualitative => "qualitative",
        }
    }

    /// Whether the kind needs a target value.
    pub fn needs_value(self) -> bool {
        matches!(
            self,
            TargetKind::AtMost
                | TargetKind::LessThan
                | TargetKind::AtLeast
                | TargetKind::MoreThan
                | TargetKind::Maintain
        )
    }
}

/// How an indicator's values are calculated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Events out of a population, as a percentage (Wilson score interval).
    Proportion,
    /// Events per population (per 100,000 unless the unit says otherwise; Byar's or exact limits).
    CrudeRate,
    /// Directly standardised rate (Dobson limits): stored as published.
    DirectlyStandardisedRate,
    /// The mean of individual scores (t interval): stored as published.
    Mean,
    /// A count of people or events.
    Count,
    /// A value reported by its source, stored as given.
    Reported,
    /// Life expectancy from an abridged life table (Chiang II, Silcocks limits), computed
    /// on import from deaths and populations by age band (`assure data import --life-expectancy`).
    LifeExpectancy,
}

impl Method {
    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Method::Proportion => "proportion",
            Method::CrudeRate => "crude rate",
            Method::DirectlyStandardisedRate => "directly standardised rate",
            Method::Mean => "mean",
            Method::Count => "count",
            Method::Reported => "reported value",
            Method::LifeExpectancy => "life expectancy (life table)",
        }
    }
}

/// The area an indicator is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// England (ONS E92000001).
    England,
}

impl Comparator {
    /// The id observations use for the comparator's area.
    pub fn area_id(self) -> &'static str {
        match self {
            Comparator::England => "england",
        }
    }

    /// Its ONS code.
    pub fn code(self) -> &'static str {
        match self {
            Comparator::England => "E92000001",
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Comparator::England => "England",
        }
    }
}

/// How an indicator (or a part of a compound one) is measured and tracked. The plan
/// does not say this: it is added by the partnership's analysts, and kept apart from
/// the plan's own words (see `data/kent-and-medway-2024-26/NOTES.md`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    /// What exactly is counted.
    pub definition: String,
    /// How values are calculated.
    pub method: Sp<Method>,
    /// The area the target is for (an area id of the plan).
    pub area: Sp<String>,
    /// The area it is compared with.
    pub comparator: Option<Comparator>,
    /// Where the data comes from.
    pub source: String,
    /// OHID Fingertips indicator ids whose data is this indicator.
    #[serde(default)]
    pub fingertips: Vec<Sp<u32>>,
    /// The Fingertips age group of the headline value (e.g. `18+ yrs`); other ages are breakdowns.
    pub age: Option<String>,
    /// The Fingertips sex of the headline value where it is not `Persons` (`Female` for an
    /// indicator of mothers, as Fingertips publishes smoking at time of delivery); other
    /// sexes are breakdowns.
    pub sex: Option<String>,
    /// For "at or close to zero" targets: the largest value that counts as met.
    pub tolerance: Option<f64>,
    /// Milestones whose progress is the evidence for a qualitative indicator.
    #[serde(default)]
    pub milestones: Vec<Sp<String>>,
}

/// The baseline as the plan states it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Value, where stated.
    pub value: Option<Sp<f64>>,
    /// Period, where stated.
    pub period: Option<Sp<String>>,
    /// How the plan describes it ("the current level").
    pub note: Option<String>,
}

/// The target as the plan states it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Kind.
    pub kind: Sp<TargetKind>,
    /// Value, for kinds that need one.
    pub value: Option<Sp<f64>>,
    /// The date it is to be met by (a period: `2028`, `2028/29`).
    pub by: Option<Sp<String>>,
    /// For national targets: the difference from the national value aimed at (e.g. −5 points).
    pub offset: Option<f64>,
}

/// One measurable part of a compound indicator statement.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorPart {
    /// Stable identifier.
    pub id: Sp<String>,
    /// What is measured.
    pub measure: String,
    /// Unit.
    pub unit: Unit,
    /// Polarity.
    pub polarity: Sp<Polarity>,
    /// Where.
    pub geography: String,
    /// Baseline.
    pub baseline: Option<Baseline>,
    /// Target.
    pub target: Target,
    /// How it is measured (not from the plan).
    pub measurement: Option<Measurement>,
}

/// A strategic indicator statement ("By 2028/29 ... from 10.2% to no more than 6%").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Stable identifier.
    pub id: Sp<String>,
    /// The outcome.
    pub outcome: Sp<u8>,
    /// Source line.
    pub line: SourceLine,
    /// The sentence exactly as in the plan.
    pub statement: String,
    /// What is measured.
    pub measure: String,
    /// Unit (absent for compound statements; see `part`).
    pub unit: Option<Unit>,
    /// Polarity (absent for compound statements).
    pub polarity: Option<Sp<Polarity>>,
    /// Where (absent for compound statements).
    pub geography: Option<String>,
    /// Baseline.
    pub baseline: Option<Baseline>,
    /// Target (absent for compound statements).
    pub target: Option<Target>,
    /// How it is measured (not from the plan; absent for compound statements).
    pub measurement: Option<Measurement>,
    /// The parts of a compound statement, each with its own target.
    #[serde(default, rename = "part")]
    pub parts: Vec<IndicatorPart>,
}

/// A milestone of a shared delivery example.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// Stable identifier.
    pub id: Sp<String>,
    /// What is to be done.
    pub title: String,
    /// When (a period: `March 2025`, `2024/25`, `Ongoing`).
    pub due: Sp<String>,
    /// Source line.
    pub line: SourceLine,
    /// The cell exactly as written.
    pub text: String,
}

/// A shared delivery example.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryExample {
    /// Stable identifier.
    pub id: Sp<String>,
    /// The outcome.
    pub outcome: Sp<u8>,
    /// Title (the column heading).
    pub title: String,
    /// Source line of the title row.
    pub line: SourceLine,
    /// Summary paragraphs.
    pub summary: Vec<String>,
    /// Source line of the summary row.
    pub summary_line: SourceLine,
    /// Delivering plans the example is about.
    #[serde(default)]
    pub plans: Vec<Sp<String>>,
    /// Milestones.
    #[serde(default, rename = "milestone")]
    pub milestones: Vec<Milestone>,
}

/// One row under an enabler commitment: a way of delivering it, or a plan, and who leads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnablerItem {
    /// Source line.
    pub line: SourceLine,
    /// "Ways we may deliver this", where the table has that column.
    pub text: Option<String>,
    /// The plan cell, where the table has one.
    pub plan_text: Option<String>,
    /// Delivering plans named.
    #[serde(default)]
    pub plans: Vec<Sp<String>>,
    /// The "led by" cell as written (may be empty).
    pub led_by_text: String,
    /// Organisations named.
    #[serde(default)]
    pub led_by: Vec<Sp<String>>,
}

/// "What we have committed to" under an enabler.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnablerCommitment {
    /// The commitment.
    pub title: String,
    /// Source line.
    pub line: SourceLine,
    /// The grouping heading it sits under, if any.
    pub section: Option<String>,
    /// Its source line.
    pub section_line: Option<SourceLine>,
    /// Rows.
    #[serde(default, rename = "item")]
    pub items: Vec<EnablerItem>,
}

/// A strategy enabler.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enabler {
    /// 1 to 3.
    pub number: u8,
    /// Stable identifier.
    pub id: Sp<String>,
    /// Title.
    pub title: String,
    /// Source line.
    pub line: SourceLine,
    /// Description.
    pub description: String,
    /// Its source line.
    pub description_line: SourceLine,
    /// Other titles.
    #[serde(default)]
    pub variant: Vec<Variant>,
    /// What we have committed to.
    #[serde(default, rename = "commitment")]
    pub commitments: Vec<EnablerCommitment>,
}

/// What sort of place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// The priorities shared by all HCPs.
    HcpGroup,
    /// A Health and Care Partnership.
    Hcp,
    /// A district or borough.
    District,
    /// Parish and town councils (KALC).
    LocalCouncils,
}

/// A priority of a place, mapped to shared outcomes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacePriority {
    /// Source line.
    pub line: SourceLine,
    /// The priority as written.
    pub title: String,
    /// Shared outcomes it maps to ("SO 1,2").
    pub outcomes: Vec<Sp<u8>>,
}

/// A place with its own priorities: an HCP, a district, KALC.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Place {
    /// Stable identifier.
    pub id: Sp<String>,
    /// Name.
    pub name: String,
    /// The column heading, where it differs from the name.
    pub heading: Option<String>,
    /// Kind.
    pub kind: PlaceKind,
    /// The organisation whose priorities these are.
    pub organisation: Sp<String>,
    /// The area.
    pub area: Option<Sp<String>>,
    /// Source line.
    pub line: SourceLine,
    /// What the source says or does not say.
    pub note: Option<String>,
    /// Priorities.
    #[serde(default, rename = "priority")]
    pub priorities: Vec<PlacePriority>,
}

/// What sort of area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    /// NHS England region.
    NhsRegion,
    /// Integrated care system.
    Ics,
    /// Sub-ICB location.
    SubIcb,
    /// County.
    County,
    /// Unitary authority.
    Unitary,
    /// District.
    District,
    /// Health and Care Partnership footprint.
    Hcp,
    /// Primary care network: GP practices working together (about 30,000–50,000 people).
    Pcn,
    /// GP practice (its registered list, not a place on a map).
    Practice,
    /// A locality of the Medway Model: a neighbourhood Medway's community services and
    /// primary care are organised around (a kind of its own, neither a PCN nor a ward).
    Locality,
}

impl AreaKind {
    /// Every kind, in the order of the geography from largest to smallest.
    pub const ALL: [AreaKind; 10] = [
        AreaKind::NhsRegion,
        AreaKind::Ics,
        AreaKind::SubIcb,
        AreaKind::County,
        AreaKind::Unitary,
        AreaKind::District,
        AreaKind::Hcp,
        AreaKind::Locality,
        AreaKind::Pcn,
        AreaKind::Practice,
    ];

    /// Whether areas of this kind have a page of their own as a place. A PCN and a
    /// locality do (their data, what is delivered there, what residents said); a GP
    /// practice does not: there are too many, and a practice's figures are its list's,
    /// shown on its network's page.
    pub fn is_place(self) -> bool {
        !matches!(self, AreaKind::NhsRegion | AreaKind::SubIcb | AreaKind::Practice)
    }

    /// Whether areas of this kind are the neighbourhoods care is organised in (PCNs,
    /// practices, localities): listed by kind on the page of the area they lie in.
    pub fn is_neighbourhood(self) -> bool {
        matches!(self, AreaKind::Pcn | AreaKind::Practice | AreaKind::Locality)
    }

    /// The kind as written in a plan or an areas file: `district`, `pcn`.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::NhsRegion => "nhs_region",
            AreaKind::Ics => "ics",
            AreaKind::SubIcb => "sub_icb",
            AreaKind::County => "county",
            AreaKind::Unitary => "unitary",
            AreaKind::District => "district",
            AreaKind::Hcp => "hcp",
            AreaKind::Pcn => "pcn",
            AreaKind::Practice => "practice",
            AreaKind::Locality => "locality",
        }
    }

    /// The kind written `text` (as [`AreaKind::as_str`] writes it), if any.
    pub fn parse(text: &str) -> Option<AreaKind> {
        AreaKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Words for people, plural: "primary care networks".
    pub fn plural(self) -> &'static str {
        match self {
            AreaKind::NhsRegion => "NHS England regions",
            AreaKind::Ics => "Integrated Care Systems",
            AreaKind::SubIcb => "sub-ICB locations",
            AreaKind::County => "county council areas",
            AreaKind::Unitary => "unitary council areas",
            AreaKind::District => "district council areas",
            AreaKind::Hcp => "Health and Care Partnerships",
            AreaKind::Pcn => "primary care networks",
            AreaKind::Practice => "GP practices",
            AreaKind::Locality => "localities",
        }
    }

    /// Words for people: "district council area".
    pub fn label(self) -> &'static str {
        match self {
            AreaKind::NhsRegion => "NHS England region",
            AreaKind::Ics => "Integrated Care System",
            AreaKind::SubIcb => "sub-ICB location",
            AreaKind::County => "county council area",
            AreaKind::Unitary => "unitary council area",
            AreaKind::District => "district council area",
            AreaKind::Hcp => "Health and Care Partnership",
            AreaKind::Pcn => "primary care network",
            AreaKind::Practice => "GP practice",
            AreaKind::Locality => "locality",
        }
    }
}

/// Whether an area lies wholly or partly within another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Coverage {
    /// The whole area.
    Whole,
    /// Part of the area.
    Part,
}

/// A member area of an area built from others (an HCP from local authorities).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaMember {
    /// The member area.
    pub area: Sp<String>,
    /// Whole or part.
    pub coverage: Coverage,
    /// Which part.
    pub note: Option<String>,
}

/// A geographic area.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Area {
    /// Stable identifier.
    pub id: Sp<String>,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: AreaKind,
    /// ONS code, where there is one.
    pub code: Option<Sp<String>>,
    /// ODS code, where there is one.
    pub ods: Option<String>,
    /// Other names it goes by (a PCN's former name, a practice's surgery name), which
    /// data files may use.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    /// The area it lies in.
    pub parent: Option<Sp<String>>,
    /// Source line, where the source names it.
    pub line: Option<SourceLine>,
    /// First day it existed in this form (ISO 8601).
    pub valid_from: Option<String>,
    /// Last day it existed in this form (ISO 8601).
    pub valid_to: Option<String>,
    /// Member areas.
    #[serde(default, rename = "member")]
    pub members: Vec<AreaMember>,
}

/// Why `code` is not an ONS area code, if it is not: a letter E and eight digits
/// (`E07000105`, Ashford).
pub fn ons_code_problem(code: &str) -> Option<String> {
    let ok = code.len() == 9 && code.starts_with('E') && code[1..].bytes().all(|b| b.is_ascii_digit());
    (!ok).then(|| format!("'{code}' is not an ONS area code (a letter E and eight digits)"))
}

/// Why `code` is not an ODS code for an area of this kind, if it is not. ODS codes are
/// three to six capital letters and digits (`QKS`, `91Q`, `Y59`); a GP practice's is a
/// letter other than U and five digits (`G82001`), a primary care network's a U and five digits
/// (`U12345`).
pub fn ods_code_problem(kind: AreaKind, code: &str) -> Option<String> {
    let b = code.as_bytes();
    let five_digits = || b.len() == 6 && b[1..].iter().all(u8::is_ascii_digit);
    match kind {
        // U and five digits is a network's code.
        AreaKind::Practice if !(five_digits() && b[0].is_ascii_uppercase() && b[0] != b'U') => Some(format!(
            "'{code}' is not a GP practice's ODS code (a capital letter other than U and five digits, such as G82001)"
        )),
        AreaKind::Pcn if !(five_digits() && b[0] == b'U') => {
            Some(format!("'{code}' is not a primary care network's ODS code (U and five digits, such as U12345)"))
        }
        _ if !((3..=6).contains(&b.len()) && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())) => {
            Some(format!("'{code}' is not an ODS code (three to six capital letters and digits, such as QKS)"))
        }
        _ => None,
    }
}

/// A whole plan: everything in a plan directory, validated (or a draft being edited,
/// which may not yet be: see `assure_store`'s drafts).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    /// Metadata.
    pub meta: PlanMeta,
    /// System facts.
    pub facts: Vec<Fact>,
    /// Governance.
    pub governance: Vec<Governance>,
    /// Narrative sections.
    pub sections: Vec<Section>,
    /// Shared outcomes.
    pub outcomes: Vec<Outcome>,
    /// Priorities.
    pub priorities: Vec<Priority>,
    /// Commitments with their delivery links.
    pub commitments: Vec<Commitment>,
    /// Delivering plans.
    pub delivering_plans: Vec<DeliveringPlan>,
    /// Organisation registry.
    pub organisations: Vec<Organisation>,
    /// Indicators.
    pub indicators: Vec<Indicator>,
    /// Shared delivery examples with milestones.
    pub delivery_examples: Vec<DeliveryExample>,
    /// Enablers.
    pub enablers: Vec<Enabler>,
    /// Places and their priorities.
    pub places: Vec<Place>,
    /// Areas.
    pub areas: Vec<Area>,
}

impl Unit {
    /// A value with its unit, for people: `6%`, `395 per 100,000`, `42`.
    pub fn format(self, value: f64) -> String {
        let v = if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value}") };
        match self {
            Unit::Percent => format!("{v}%"),
            Unit::RatePer100000 => format!("{v} per 100,000"),
            Unit::Years => format!("{v} years"),
            _ => v,
        }
    }
}

impl Target {
    /// The target in words: "no more than 6% by 2028/29".
    pub fn describe(&self, unit: Unit) -> String {
        let value = self.value.as_ref().map(|v| unit.format(*v.get_ref())).unwrap_or_default();
        let what = match self.kind.get_ref() {
            TargetKind::AtMost => format!("no more than {value}"),
            TargetKind::LessThan => format!("below {value}"),
            TargetKind::AtLeast => format!("at least {value}"),
            TargetKind::MoreThan => format!("above {value}"),
            TargetKind::Maintain => format!("maintained at {value}"),
            TargetKind::BelowBaseline => "below the baseline".to_owned(),
            TargetKind::AboveBaseline => "above the baseline".to_owned(),
            TargetKind::SimilarToBaseline => "similar to the baseline".to_owned(),
            TargetKind::National => match self.offset {
                Some(o) if o != 0.0 => format!(
                    "{} {} the national value",
                    unit.format(o.abs()).trim_end_matches('%'),
                    if o < 0.0 { "points below" } else { "points above" }
                ),
                _ => "in line with or better than the national value".to_owned(),
            },
            TargetKind::Zero if value.is_empty() => "at or close to zero".to_owned(),
            TargetKind::Zero => format!("at or close to zero (within {value})"),
            TargetKind::Qualitative => "judged from evidence".to_owned(),
        };
        match &self.by {
            Some(by) => format!("{what} by {}", by.get_ref()),
            None => what,
        }
    }
}

impl Baseline {
    /// The baseline in words: "10.2% (2024)", "the rate for 2024", "not stated".
    pub fn describe(&self, unit: Unit) -> String {
        let period = self.period.as_ref().map(|p| p.get_ref().as_str());
        match (&self.value, period) {
            (Some(v), Some(p)) => format!("{} ({p})", unit.format(*v.get_ref())),
            (Some(v), None) => unit.format(*v.get_ref()),
            (None, Some(p)) => format!("the value for {p}"),
            (None, None) => "not stated".to_owned(),
        }
    }
}

/// Something with its own target that is tracked: an indicator, or one part of a
/// compound indicator statement.
#[derive(Debug, Clone, Copy)]
pub struct Tracked<'a> {
    /// The indicator (for a part: the compound statement it belongs to).
    pub indicator: &'a Indicator,
    /// Its id (the part's id for a part).
    pub id: &'a str,
    /// What is measured.
    pub measure: &'a str,
    /// Unit.
    pub unit: Unit,
    /// Polarity.
    pub polarity: Polarity,
    /// Where, as the plan says it.
    pub geography: &'a str,
    /// Baseline, where stated.
    pub baseline: Option<&'a Baseline>,
    /// Target.
    pub target: &'a Target,
    /// How it is measured.
    pub measurement: Option<&'a Measurement>,
}

impl Indicator {
    /// What is tracked for this indicator: itself, or each of its parts.
    pub fn tracked(&self) -> Vec<Tracked<'_>> {
        if let (Some(target), Some(unit), Some(polarity)) = (&self.target, self.unit, &self.polarity) {
            return vec![Tracked {
                indicator: self,
                id: self.id.get_ref(),
                measure: &self.measure,
                unit,
                polarity: *polarity.get_ref(),
                geography: self.geography.as_deref().unwrap_or_default(),
                baseline: self.baseline.as_ref(),
                target,
                measurement: self.measurement.as_ref(),
            }];
        }
        self.parts
            .iter()
            .map(|p| Tracked {
                indicator: self,
                id: p.id.get_ref(),
                measure: &p.measure,
                unit: p.unit,
                polarity: *p.polarity.get_ref(),
                geography: &p.geography,
                baseline: p.baseline.as_ref(),
                target: &p.target,
                measurement: p.measurement.as_ref(),
            })
            .collect()
    }
}
