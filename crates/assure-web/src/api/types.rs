//! The JSON API's response types (`…Response`, `…Summary`), with their JSON Schemas for
//! the OpenAPI document. Built from the domain types; no field is computed twice.

use assure_plan::delivery::{DeliveryStatus, MAX_EVIDENCE_LINKS, MAX_NARRATIVE_CHARS, Publication};
use assure_plan::model::PlanStatus;
use assure_plan::{Plan, Sp};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A reference to another item: its id and its name.
#[derive(Serialize, JsonSchema)]
pub struct Ref {
    /// The item's id (use it in the item's URL).
    pub id: String,
    /// Its name or title.
    pub name: String,
}

impl Ref {
    pub fn organisation(plan: &Plan, id: &str) -> Ref {
        Ref { id: id.to_owned(), name: plan.organisation_name(id).to_owned() }
    }

    pub fn delivering_plan(plan: &Plan, id: &str) -> Ref {
        Ref { id: id.to_owned(), name: plan.delivering_plan_name(id).to_owned() }
    }

    pub fn organisations(plan: &Plan, ids: &[Sp<String>]) -> Vec<Ref> {
        ids.iter().map(|i| Ref::organisation(plan, i.get_ref())).collect()
    }

    pub fn delivering_plans(plan: &Plan, ids: &[Sp<String>]) -> Vec<Ref> {
        ids.iter().map(|i| Ref::delivering_plan(plan, i.get_ref())).collect()
    }
}

/// A page of a list.
#[derive(Serialize, JsonSchema)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number, from 1.
    pub page: usize,
    /// Items per page.
    pub per_page: usize,
    /// Items in the whole list.
    pub total: usize,
    /// The URL of the next page, if there is one.
    pub next: Option<String>,
}

/// The plan served: identity and counts.
#[derive(Serialize, JsonSchema)]
pub struct PlanResponse {
    /// Plan id, e.g. `kent-and-medway-2024-26`.
    pub id: String,
    /// Title as published.
    pub title: String,
    /// Period covered.
    pub period: String,
    /// Publication date.
    pub published: String,
    /// The system's vision.
    pub vision: String,
    /// Counts of outcomes, priorities, commitments, delivery links, plans, organisations …
    pub counts: std::collections::BTreeMap<String, usize>,
}

/// An outcome in a list.
#[derive(Serialize, JsonSchema)]
pub struct OutcomeSummary {
    /// The outcome's number (1–6).
    pub number: u8,
    /// Canonical title.
    pub title: String,
    /// The ambition statement.
    pub ambition: String,
}

/// A commitment in a list.
#[derive(Serialize, JsonSchema)]
pub struct CommitmentSummary {
    /// Commitment id.
    pub id: String,
    /// Title (the heading above its table in the plan).
    pub title: String,
    /// The outcome it serves.
    pub outcome: u8,
    /// The priorities it serves, e.g. `1.2`.
    pub priorities: Vec<String>,
    /// How many delivery links (table rows) it has.
    pub delivery_links: usize,
}

/// A priority of an outcome, with its commitments.
#[derive(Serialize, JsonSchema)]
pub struct PriorityResponse {
    /// `<outcome>.<n>`.
    pub id: String,
    /// Title.
    pub title: String,
    /// The "we will" description.
    pub description: String,
    /// Its commitments.
    pub commitments: Vec<CommitmentSummary>,
}

/// An indicator in a list.
#[derive(Serialize, JsonSchema)]
pub struct IndicatorSummary {
    /// Indicator id.
    pub id: String,
    /// The outcome it measures.
    pub outcome: u8,
    /// What is measured.
    pub measure: String,
    /// The plan's sentence.
    pub statement: String,
    /// Its computed status: its own, or the worst of its parts' (see `/how-we-judge-progress`).
    pub status: StatusValue,
}

/// A computed status (see `/how-we-judge-progress`).
#[derive(Serialize, JsonSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum StatusValue {
    /// The target is met.
    Achieved,
    /// At least as good as expected on the way to the target.
    OnTrack,
    /// Worse than expected, but the 95% interval still contains the expected value.
    AtRisk,
    /// The 95% interval lies wholly on the worse side of the expected value.
    OffTrack,
    /// Nothing since the baseline to judge from.
    NoData,
}

impl From<assure_tracking::Status> for StatusValue {
    fn from(s: assure_tracking::Status) -> StatusValue {
        use assure_tracking::Status;
        match s {
            Status::Achieved => StatusValue::Achieved,
            Status::OnTrack => StatusValue::OnTrack,
            Status::AtRisk => StatusValue::AtRisk,
            Status::OffTrack => StatusValue::OffTrack,
            Status::NoData => StatusValue::NoData,
        }
    }
}

/// A value of an indicator at one period, with its 95% interval.
#[derive(Serialize, JsonSchema)]
pub struct PointResponse {
    /// The period as written.
    pub period: String,
    /// The value.
    pub value: f64,
    /// Lower 95% limit.
    pub lower: Option<f64>,
    /// Upper 95% limit.
    pub upper: Option<f64>,
}

/// The trend of three or more values carried to the target date.
#[derive(Serialize, JsonSchema)]
pub struct ProjectionResponse {
    /// The projected value at the target date.
    pub value: f64,
    /// Lower 95% prediction limit.
    pub lower: f64,
    /// Upper 95% prediction limit.
    pub upper: f64,
    /// Change per year.
    pub slope_per_year: f64,
    /// How many values were fitted.
    pub points: usize,
    /// Whether the target is likely to be met: `likely` (the whole prediction interval meets it), `uncertain`, `unlikely`.
    pub likelihood: String,
}

/// How a measure stands: its computed status and why.
#[derive(Serialize, JsonSchema)]
pub struct AssessmentResponse {
    /// The status.
    pub status: StatusValue,
    /// The status in words, as on the web page.
    pub status_label: String,
    /// Why, in words.
    pub reason: String,
    /// The latest value for the measure's area.
    pub latest: Option<PointResponse>,
    /// The value expected on the trajectory from baseline to target at the latest period.
    pub expected: Option<f64>,
    /// The trend carried to the target date (three or more values).
    pub projection: Option<ProjectionResponse>,
    /// The latest value against England's for the same period (Fingertips wording).
    pub comparison: String,
    /// Whether any value behind it is illustrative (from `assure demo-data`), not official statistics.
    pub illustrative: bool,
}

/// An outcome, whole.
#[derive(Serialize, JsonSchema)]
pub struct OutcomeResponse {
    /// The outcome's number.
    pub number: u8,
    /// Canonical title.
    pub title: String,
    /// The ambition statement.
    pub ambition: String,
    /// Priorities with their commitments.
    pub priorities: Vec<PriorityResponse>,
    /// Strategic indicators of this outcome.
    pub indicators: Vec<IndicatorSummary>,
    /// Shared delivery examples (id and title).
    pub delivery_examples: Vec<Ref>,
    /// "What we heard".
    pub heard: Vec<String>,
    /// "I" statements and quotes.
    pub statements: Vec<String>,
    /// Line of the source document.
    pub line: u32,
}

/// A row of a commitment's "strategies / plans in place to deliver" table.
#[derive(Serialize, JsonSchema)]
pub struct DeliveryLinkResponse {
    /// The plan cell as written.
    pub plan_text: String,
    /// The delivering plans it names.
    pub plans: Vec<Ref>,
    /// The "led by" cell as written.
    pub led_by_text: String,
    /// The organisations it names.
    pub led_by: Vec<Ref>,
    /// Line of the source document.
    pub line: u32,
}

/// A commitment, whole.
#[derive(Serialize, JsonSchema)]
pub struct CommitmentResponse {
    /// Commitment id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The outcome it serves.
    pub outcome: u8,
    /// The priorities it serves.
    pub priorities: Vec<String>,
    /// Its table rows.
    pub delivery_links: Vec<DeliveryLinkResponse>,
    /// Line of the source document.
    pub line: u32,
}

/// A delivering plan (strategy) in a list.
#[derive(Serialize, JsonSchema)]
pub struct DeliveringPlanSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `in place`, `in development`, `to be confirmed` or `to be developed`.
    #[schemars(schema_with = "plan_status_schema")]
    pub status: String,
    /// How many delivery links name it.
    pub delivery_links: usize,
}

/// Where a delivering plan is used.
#[derive(Serialize, JsonSchema)]
pub struct PlanUseResponse {
    /// The commitment (or enabler) it delivers.
    pub under: Ref,
    /// The outcome, for commitments.
    pub outcome: Option<u8>,
    /// The cell as written.
    pub plan_text: String,
    /// Who leads it there.
    pub led_by: Vec<Ref>,
    /// Line of the source document.
    pub line: u32,
}

/// A delivering plan, whole.
#[derive(Serialize, JsonSchema)]
pub struct DeliveringPlanResponse {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `in place`, `in development`, `to be confirmed` or `to be developed`.
    #[schemars(schema_with = "plan_status_schema")]
    pub status: String,
    /// Other names the source uses.
    pub aliases: Vec<String>,
    /// Every commitment it delivers.
    pub uses: Vec<PlanUseResponse>,
}

/// An organisation in a list.
#[derive(Serialize, JsonSchema)]
pub struct OrganisationSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind (icb, county_council, directorate, …).
    pub kind: String,
    /// The organisation it is part of.
    pub parent: Option<Ref>,
}

/// A delivery link an organisation leads.
#[derive(Serialize, JsonSchema)]
pub struct LedLinkResponse {
    /// The commitment.
    pub commitment: Ref,
    /// The delivering plans.
    pub plans: Vec<Ref>,
    /// The part of the organisation it goes through.
    pub through: Vec<Ref>,
    /// Line of the source document.
    pub line: u32,
}

/// What an organisation leads under one outcome.
#[derive(Serialize, JsonSchema)]
pub struct OutcomeLeadsResponse {
    /// The outcome.
    pub outcome: u8,
    /// Its title.
    pub title: String,
    /// The links.
    pub links: Vec<LedLinkResponse>,
}

/// An organisation and everything it leads, through its parts too.
#[derive(Serialize, JsonSchema)]
pub struct OrganisationResponse {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Other names.
    pub aliases: Vec<String>,
    /// The organisation it is part of.
    pub parent: Option<Ref>,
    /// Its directorates, services and committees.
    pub parts: Vec<Ref>,
    /// How many delivery links it leads.
    pub delivery_links: usize,
    /// By outcome.
    pub outcomes: Vec<OutcomeLeadsResponse>,
}

/// One observation of an indicator.
#[derive(Serialize, JsonSchema)]
pub struct ObservationResponse {
    /// Indicator or part id.
    pub indicator: String,
    /// Area code or id.
    pub area: String,
    /// Period as written.
    pub period: String,
    /// Breakdown ('' for everyone).
    pub breakdown: String,
    /// Value.
    pub value: Option<f64>,
    /// Lower confidence limit.
    pub lower: Option<f64>,
    /// Upper confidence limit.
    pub upper: Option<f64>,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Note.
    pub note: Option<String>,
    /// Source.
    pub source: Option<String>,
}

/// A measure of an indicator (the indicator itself, or a part of a compound one).
#[derive(Serialize, JsonSchema)]
pub struct MeasureResponse {
    /// Id.
    pub id: String,
    /// What is measured.
    pub measure: String,
    /// Unit.
    pub unit: Option<String>,
    /// Polarity.
    pub polarity: Option<String>,
    /// Baseline, in words.
    pub baseline: Option<String>,
    /// Target, in words.
    pub target: Option<String>,
    /// Its computed status and why (absent for a compound indicator's own line, whose parts carry it).
    pub assessment: Option<AssessmentResponse>,
}

/// An indicator, whole, with its observations.
#[derive(Serialize, JsonSchema)]
pub struct IndicatorResponse {
    /// Id.
    pub id: String,
    /// Outcome.
    pub outcome: u8,
    /// The plan's sentence.
    pub statement: String,
    /// Geography.
    pub geography: Option<String>,
    /// The indicator's own measure, and its parts for compound indicators.
    pub measures: Vec<MeasureResponse>,
    /// Stored observations, of the indicator and its parts.
    pub observations: Vec<ObservationResponse>,
    /// Line of the source document.
    pub line: u32,
}

/// A place in a list.
#[derive(Serialize, JsonSchema)]
pub struct PlaceSummary {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind (hcp_group, hcp, district, local_councils).
    pub kind: String,
    /// Number of priorities.
    pub priorities: usize,
}

/// A place's priority.
#[derive(Serialize, JsonSchema)]
pub struct PlacePriorityResponse {
    /// Title.
    pub title: String,
    /// The shared outcomes it addresses.
    pub outcomes: Vec<u8>,
}

/// A place, whole.
#[derive(Serialize, JsonSchema)]
pub struct PlaceResponse {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// The organisation behind it.
    pub organisation: Ref,
    /// Its priorities.
    pub priorities: Vec<PlacePriorityResponse>,
    /// Shared outcomes none of its priorities address.
    pub gaps: Vec<u8>,
}

/// A search hit.
#[derive(Serialize, JsonSchema)]
pub struct HitResponse {
    /// Kind of item (outcome, priority, commitment, plan, organisation, indicator, example, place).
    pub kind: String,
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The text that matched.
    pub matched: String,
    /// Its API URL.
    pub url: String,
}

/// Search results.
#[derive(Serialize, JsonSchema)]
pub struct SearchResponse {
    /// The words searched for.
    pub query: String,
    /// Every hit, grouped by kind in a fixed order.
    pub hits: Vec<HitResponse>,
}

/// A way an enabler may be delivered.
#[derive(Serialize, JsonSchema)]
pub struct EnablerItemResponse {
    /// What will be done, as written.
    pub text: Option<String>,
    /// The delivering plans it names.
    pub plans: Vec<Ref>,
    /// The "led by" cell as written.
    pub led_by_text: String,
    /// The organisations it names.
    pub led_by: Vec<Ref>,
    /// Line of the source document.
    pub line: u32,
}

/// A commitment of an enabler.
#[derive(Serialize, JsonSchema)]
pub struct EnablerCommitmentResponse {
    /// Title.
    pub title: String,
    /// The ways it may be delivered.
    pub items: Vec<EnablerItemResponse>,
}

/// An enabler, whole.
#[derive(Serialize, JsonSchema)]
pub struct EnablerResponse {
    /// Id.
    pub id: String,
    /// Number (1–3).
    pub number: u8,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Its commitments.
    pub commitments: Vec<EnablerCommitmentResponse>,
}

/// A milestone of a delivery example.
#[derive(Serialize, JsonSchema)]
pub struct MilestoneResponse {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// When it is due, as written (a period).
    pub due: String,
    /// The cell as written (milestones of the published plan).
    pub text: Option<String>,
    /// The delivery example it belongs to (milestones of the published plan).
    pub example: Option<Ref>,
    /// The delivering plan a partner added it to (milestones added since publication).
    pub delivering_plan: Option<Ref>,
    /// The outcome of its delivery example.
    pub outcome: Option<u8>,
    /// Line of the source document (milestones of the published plan).
    pub line: Option<u32>,
    /// The organisations that report on it (none: an admin does).
    pub led_by: Vec<Ref>,
    /// Where it stands today.
    pub progress: ProgressResponse,
    /// Its updates, oldest first: the published ones (and, for a token, the others too).
    pub updates: Vec<UpdateResponse>,
}

/// Where a milestone or delivering plan stands today.
#[derive(Serialize, JsonSchema)]
pub struct ProgressResponse {
    /// The latest published status: not_started, on_track, at_risk, off_track, complete or closed; null before any update.
    #[schemars(schema_with = "optional_delivery_status_schema")]
    pub status: Option<String>,
    /// When it is expected now (the latest published new date, or the plan's).
    pub due: String,
    /// Whether an update moved the date.
    pub due_changed: bool,
    /// The expected date has passed and it is neither complete nor closed.
    pub overdue: bool,
    /// No published update for longer than the partnership allows.
    pub stale: bool,
    /// Days since the latest published update (null before any).
    pub days_since_update: Option<i64>,
}

/// An update of a milestone or delivering plan.
#[derive(Serialize, JsonSchema)]
pub struct UpdateResponse {
    /// Its number.
    pub id: i64,
    /// `milestone` or `plan`.
    pub kind: String,
    /// The milestone's or plan's id.
    pub item: String,
    /// `published`, `pending` (awaiting an admin's approval) or `rejected`.
    #[schemars(schema_with = "publication_schema")]
    pub publication: String,
    /// What it reported.
    #[serde(flatten)]
    pub report: ReportResponse,
}

/// What an update (of a milestone, a delivering plan or an action) reported, and where
/// it came from.
#[derive(Serialize, JsonSchema)]
pub struct ReportResponse {
    /// not_started, on_track, at_risk, off_track, complete or closed.
    #[schemars(schema_with = "delivery_status_schema")]
    pub status: String,
    /// What has happened.
    pub narrative: String,
    /// Links to evidence.
    pub evidence: Vec<String>,
    /// A new expected date.
    pub expected: Option<String>,
    /// Why the date changed.
    pub expected_reason: Option<String>,
    /// The organisation it came from, as the pages say ("Medway Council").
    pub from: String,
    /// Who wrote it (a username): only to a request with an API token, as the pages show
    /// it only to people signed in.
    pub author: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// An update to record (`POST …/updates`, with an API token).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// not_started, on_track, at_risk, off_track, complete or closed.
    #[schemars(schema_with = "delivery_status_schema")]
    pub status: String,
    /// What has happened since the last update (not blank; no control character but line breaks and tabs).
    #[schemars(length(max = MAX_NARRATIVE_CHARS), regex(pattern = NARRATIVE))]
    pub narrative: String,
    /// Links to evidence (https://…; blank entries are ignored).
    #[serde(default)]
    #[schemars(length(max = MAX_EVIDENCE_LINKS), inner(length(max = 2000), regex(pattern = LINK)))]
    pub evidence: Vec<String>,
    /// A new expected date (`March 2026`, `2026`, `2025/26`), with `expected_reason`.
    #[schemars(length(max = 40), regex(pattern = LINE))]
    pub expected: Option<String>,
    /// Why the date changed.
    #[schemars(length(max = MAX_NARRATIVE_CHARS), regex(pattern = TEXT))]
    pub expected_reason: Option<String>,
    /// A note for partners, never shown to the public.
    #[schemars(length(max = MAX_NARRATIVE_CHARS), regex(pattern = TEXT))]
    pub internal_note: Option<String>,
}

// The update's text rules (`delivery::text_problem`) as patterns, for the document: no
// control character (U+0000–U+001F, U+007F–U+009F) but a line break or tab in text, none
// on one line; a narrative that is not blank; a link that is a web address.
const TEXT: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
const LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
const NARRATIVE: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*[^\s\u0000-\u001F\u007F-\u009F][^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$";
const LINK: &str = r"^(https?://[^\s\u0000-\u001F\u007F-\u009F]*)?$";

/// `snake_case` of a serde enum value.
pub fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

// The domain's enums carry no schemas (`assure-plan` does not depend on schemars), and
// the API writes them as text; their schemas list the values from the domain's own lists,
// so that a new value cannot be left out of the document.

/// A string that is one of `values`.
fn one_of(values: impl IntoIterator<Item = &'static str>) -> Schema {
    let values: Vec<&str> = values.into_iter().collect();
    json_schema!({ "type": "string", "enum": values })
}

fn delivery_status_schema(_: &mut SchemaGenerator) -> Schema {
    one_of(DeliveryStatus::ALL.map(DeliveryStatus::as_str))
}

fn optional_delivery_status_schema(_: &mut SchemaGenerator) -> Schema {
    let mut values: Vec<Value> = DeliveryStatus::ALL.iter().map(|s| Value::from(s.as_str())).collect();
    values.push(Value::Null);
    json_schema!({ "type": ["string", "null"], "enum": values })
}

fn plan_status_schema(_: &mut SchemaGenerator) -> Schema {
    one_of(PlanStatus::ALL.map(PlanStatus::label))
}

fn publication_schema(_: &mut SchemaGenerator) -> Schema {
    one_of(Publication::ALL.map(Publication::as_str))
}

/// A published contribution ("Have your say"): what the public may see, never a contact
/// detail, age band or receipt code.
#[derive(Serialize, JsonSchema)]
pub struct ContributionSummary {
    /// Its number.
    pub id: i64,
    /// The outcome it is about.
    pub outcome: u8,
    /// The district or unitary area, when the resident said.
    pub area: Option<String>,
    /// The commitment it is about, if any.
    pub commitment: Option<String>,
    /// What they said, as published (with any redactions).
    pub text: String,
    /// The month it happened (`YYYY-MM`).
    pub month: String,
    /// The name it is published under (a pseudonym or a first name).
    pub display_name: String,
    /// How it reached us: `web`, `assisted`, `listening_event` or `paper`.
    pub channel: String,
    /// Whether a moderator removed words.
    pub redacted: bool,
    /// When it was published (RFC 3339).
    pub published_at: Option<String>,
    /// Its themes' ids.
    pub themes: Vec<String>,
}

/// A theme of an outcome.
#[derive(Serialize, JsonSchema)]
pub struct ThemeSummary {
    /// Its id.
    pub id: String,
    /// The outcome.
    pub outcome: u8,
    /// Its name.
    pub label: String,
    /// Published contributions with this theme.
    pub published: usize,
}

/// What a response is linked to.
#[derive(Serialize, JsonSchema)]
pub struct ResponseLink {
    /// `contribution`, `commitment`, `milestone` or `plan`.
    pub kind: String,
    /// Its id.
    pub id: String,
}

/// A partner's response: "You said … / We did …".
#[derive(Serialize, JsonSchema)]
pub struct ResponseSummary {
    /// Its number.
    pub id: i64,
    /// `theme`, `outcome` or `place`.
    pub scope: String,
    /// Which theme, outcome or area.
    pub scope_id: String,
    /// You said.
    pub you_said: String,
    /// We did.
    pub we_did: String,
    /// `acknowledged`, `considering`, `change_planned`, `change_made`, `not_taking_forward` or `referred`.
    pub status: String,
    /// Why not taken forward, or where referred.
    pub reason: Option<String>,
    /// The organisation responding.
    pub organisation: Ref,
    /// When (RFC 3339).
    pub at: String,
    /// What it is linked to.
    pub links: Vec<ResponseLink>,
}

/// A meeting, in a list or as what an action was set at.
#[derive(Serialize, JsonSchema)]
pub struct MeetingSummary {
    /// Its number (use it in `/api/v1/meetings/{id}`).
    pub id: i64,
    /// Its title ("ICP, 12 March 2027").
    pub name: String,
    /// The day it was held (`YYYY-MM-DD`).
    pub held_on: String,
}

/// A committee or board, as what met.
#[derive(Serialize, JsonSchema)]
pub struct CommitteeSummary {
    /// Its number.
    pub id: i64,
    /// Its name.
    pub name: String,
}

/// A committee or board overseeing the plan, with its meetings.
#[derive(Serialize, JsonSchema)]
pub struct CommitteeResponse {
    /// Its number.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// The plan's organisation it is (or belongs to).
    pub organisation: Option<Ref>,
    /// Where the plan's documents name it (`file:line`), for the bodies the plan names.
    pub source: Option<String>,
    /// Its meetings, latest first.
    pub meetings: Vec<MeetingSummary>,
}

/// A paper taken to a meeting.
#[derive(Serialize, JsonSchema)]
pub struct PaperResponse {
    /// `annual`, `place`, `indicator`, `commitment` (deep dives) or `round` (a round's snapshot).
    pub kind: String,
    /// What it is about: an area, indicator or commitment id, a round's number; empty for the annual report.
    pub subject: String,
    /// What it is, in words.
    pub name: String,
    /// Where to read it on the site.
    pub href: String,
}

/// What a decision or action concerns.
#[derive(Serialize, JsonSchema)]
pub struct DecisionLinkResponse {
    /// `outcome:2`, `indicator:id` or `commitment:id`.
    pub id: String,
    /// What it is, in words.
    pub name: String,
    /// Its page on the site.
    pub href: String,
}

/// A decision recorded at a meeting.
#[derive(Serialize, JsonSchema)]
pub struct DecisionResponse {
    /// Its number.
    pub id: i64,
    /// What was decided.
    pub text: String,
    /// What it concerns.
    pub links: Vec<DecisionLinkResponse>,
}

/// An action a committee set, tracked like a milestone.
#[derive(Serialize, JsonSchema)]
pub struct ActionSummary {
    /// Its number (use it in `/api/v1/actions/{id}`).
    pub id: i64,
    /// What is to be done.
    pub text: String,
    /// The organisation that owns it.
    pub owner: Ref,
    /// When the meeting said it is due (`YYYY-MM-DD`); where it stands now is in `progress`.
    pub due: String,
    /// The meeting that set it.
    pub meeting: MeetingSummary,
    /// What it concerns.
    pub links: Vec<DecisionLinkResponse>,
    /// Where it stands: the latest status, when it is expected now, overdue, stale.
    pub progress: ProgressResponse,
}

/// An update of an action by its owner.
#[derive(Serialize, JsonSchema)]
pub struct ActionUpdateResponse {
    /// Its number.
    pub id: i64,
    /// What it reported.
    #[serde(flatten)]
    pub report: ReportResponse,
}

/// An action with its history.
#[derive(Serialize, JsonSchema)]
pub struct ActionResponse {
    /// The action and where it stands.
    #[serde(flatten)]
    pub action: ActionSummary,
    /// Its updates, oldest first.
    pub updates: Vec<ActionUpdateResponse>,
}

/// A meeting: the papers taken to it, its decisions and the actions it set.
#[derive(Serialize, JsonSchema)]
pub struct MeetingResponse {
    /// Its number.
    pub id: i64,
    /// Its title.
    pub title: String,
    /// The day it was held (`YYYY-MM-DD`).
    pub held_on: String,
    /// The committee or board that met.
    pub committee: Option<CommitteeSummary>,
    /// The papers taken to it.
    pub papers: Vec<PaperResponse>,
    /// The decisions recorded (actions are listed under `actions`).
    pub decisions: Vec<DecisionResponse>,
    /// The actions it set, with where each stands.
    pub actions: Vec<ActionSummary>,
}
