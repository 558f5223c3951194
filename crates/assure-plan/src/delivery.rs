//! Delivery updates: what partners report on the milestones and delivering plans they
//! lead — a status, a narrative, evidence, and a new expected date with its reason.
//!
//! The plan says what is to be delivered; updates say how it is going. They are kept
//! beside the plan (in the store), never in its files, and every one is kept, so the
//! history of an item is its list of updates.

use serde::{Deserialize, Serialize};

/// How a milestone or a delivering plan is going, as its lead reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Work has not begun.
    NotStarted,
    /// Going as planned.
    OnTrack,
    /// Could slip without action.
    AtRisk,
    /// Will not be delivered as planned.
    OffTrack,
    /// Done.
    Complete,
    /// Stopped or superseded; no longer pursued.
    Closed,
}

impl DeliveryStatus {
    /// Every status, in the order a form offers them.
    pub const ALL: [DeliveryStatus; 6] = [
        DeliveryStatus::NotStarted,
        DeliveryStatus::OnTrack,
        DeliveryStatus::AtRisk,
        DeliveryStatus::OffTrack,
        DeliveryStatus::Complete,
        DeliveryStatus::Closed,
    ];

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::NotStarted => "Not started",
            DeliveryStatus::OnTrack => "On track",
            DeliveryStatus::AtRisk => "At risk",
            DeliveryStatus::OffTrack => "Off track",
            DeliveryStatus::Complete => "Complete",
            DeliveryStatus::Closed => "Closed",
        }
    }

    /// The name used in data (`on_track`).
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::NotStarted => "not_started",
            DeliveryStatus::OnTrack => "on_track",
            DeliveryStatus::AtRisk => "at_risk",
            DeliveryStatus::OffTrack => "off_track",
            DeliveryStatus::Complete => "complete",
            DeliveryStatus::Closed => "closed",
        }
    }

    /// Read the name used in data.
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|d| d.as_str() == s.trim())
    }

    /// Whether nothing more is expected of the item.
    pub fn is_finished(self) -> bool {
        matches!(self, DeliveryStatus::Complete | DeliveryStatus::Closed)
    }
}

/// What an update is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A milestone (of a delivery example, or one a partner added to a delivering plan).
    Milestone,
    /// A delivering plan (strategy, programme, service). Stored and sent as `plan`.
    #[serde(rename = "plan")]
    DeliveringPlan,
}

impl ItemKind {
    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Milestone => "milestone",
            ItemKind::DeliveringPlan => "plan",
        }
    }

    /// Read the name used in data.
    pub fn parse(s: &str) -> Option<ItemKind> {
        match s {
            "milestone" => Some(ItemKind::Milestone),
            "plan" => Some(ItemKind::DeliveringPlan),
            _ => None,
        }
    }
}

/// Whether an update is seen by the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publication {
    /// Seen by everyone.
    Published,
    /// Waiting for an admin's sign-off; seen only by people signed in.
    Pending,
    /// Turned down by an admin; kept in the history, seen only by people signed in.
    Rejected,
}

impl Publication {
    /// Every publication state.
    pub const ALL: [Publication; 3] = [Publication::Published, Publication::Pending, Publication::Rejected];

    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            Publication::Published => "published",
            Publication::Pending => "pending",
            Publication::Rejected => "rejected",
        }
    }

    /// Read the name used in data.
    pub fn parse(s: &str) -> Option<Publication> {
        match s {
            "published" => Some(Publication::Published),
            "pending" => Some(Publication::Pending),
            "rejected" => Some(Publication::Rejected),
            _ => None,
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Publication::Published => "Published",
            Publication::Pending => "Awaiting approval",
            Publication::Rejected => "Not approved",
        }
    }
}

/// What a partner reports: the fields of an update as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateDraft {
    /// How it is going.
    pub status: DeliveryStatus,
    /// What has happened, in words.
    pub narrative: String,
    /// Links to evidence (documents, minutes, dashboards).
    #[serde(default)]
    pub evidence: Vec<String>,
    /// A new expected date (a period as the plan writes them: `March 2026`, `2025/26`).
    pub expected: Option<String>,
    /// Why the expected date changed (required with `expected`).
    pub expected_reason: Option<String>,
    /// A note for partners, never shown to the public.
    pub internal_note: Option<String>,
}

/// A problem with one field of a form or request: the field's name and what is wrong, in
/// words for the person who filled it in.
pub type FieldProblem = (&'static str, String);

/// The longest narrative, reason or note of an update.
pub const MAX_NARRATIVE_CHARS: usize = 5000;

/// The most evidence links one update may give.
pub const MAX_EVIDENCE_LINKS: usize = 20;

/// The first control character in `text` that no stored text may hold: any, except a
/// line break or tab where `multiline`. The one rule for every text Assure stores (data
/// cells, updates, accounts, the plan's own text), the same for both databases
/// (PostgreSQL refuses a NUL byte that SQLite would store).
pub fn forbidden_control(text: &str, multiline: bool) -> Option<char> {
    text.chars().find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
}

/// What is wrong with a text a person typed, if anything: a control character (see
/// [`forbidden_control`]), or more than `max` characters.
pub fn text_problem(text: &str, max: usize, multiline: bool) -> Option<String> {
    if let Some(bad) = forbidden_control(text, multiline) {
        return Some(format!("Remove the control character U+{:04X}: it cannot be stored", u32::from(bad)));
    }
    let length = text.chars().count();
    (length > max).then(|| format!("Shorten this to at most {max} characters (it has {length})"))
}

/// An update's fields as a person wrote them, before they are checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateFields {
    /// The status's data name (`on_track`).
    pub status: String,
    /// What has happened.
    pub narrative: String,
    /// Evidence links, one per entry (blank entries are ignored).
    pub evidence: Vec<String>,
    /// A new expected date, or blank.
    pub expected: String,
    /// Why the date changed, or blank.
    pub expected_reason: String,
    /// A note for partners, or blank.
    pub internal_note: String,
}

impl UpdateFields {
    /// Check the fields and make the draft, or say every problem by field. The one place
    /// an update's fields are checked: the web form, the API and the store all use it.
    pub fn draft(&self) -> Result<UpdateDraft, Vec<FieldProblem>> {
        let optional = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(str::to_owned);
        let Some(status) = DeliveryStatus::parse(&self.status) else {
            let mut problems = vec![("status", "Choose how it is going".to_owned())];
            if self.narrative.trim().is_empty() {
                problems.push(("narrative", "Say what has happened since the last update".to_owned()));
            }
            return Err(problems);
        };
        let d = UpdateDraft {
            status,
            narrative: self.narrative.trim().to_owned(),
            evidence: self.evidence.iter().map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()).collect(),
            expected: optional(&self.expected),
            expected_reason: optional(&self.expected_reason),
            internal_note: optional(&self.internal_note),
        };
        let problems = d.problems();
        if problems.is_empty() { Ok(d) } else { Err(problems) }
    }
}

impl UpdateDraft {
    /// What is wrong with the draft's fields on their own (whether the item exists and
    /// who may update it is for the caller, who has the plan).
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if self.narrative.trim().is_empty() {
            problems.push(("narrative", "Say what has happened since the last update".to_owned()));
        }
        let texts = [
            ("narrative", Some(&self.narrative), MAX_NARRATIVE_CHARS, true),
            ("expected", self.expected.as_ref(), 40, false),
            ("expected_reason", self.expected_reason.as_ref(), MAX_NARRATIVE_CHARS, true),
            ("internal_note", self.internal_note.as_ref(), MAX_NARRATIVE_CHARS, true),
        ];
        for (field, text, max, multiline) in texts {
            if let Some(p) = text.and_then(|t| text_problem(t, max, multiline)) {
                problems.push((field, p));
            }
        }
        if self.evidence.len() > MAX_EVIDENCE_LINKS {
            problems.push(("evidence", format!("Give at most {MAX_EVIDENCE_LINKS} links")));
        }
        if let Some(p) = self.evidence.iter().find_map(|e| text_problem(e, 2000, false)) {
            problems.push(("evidence", p));
        }
        for link in &self.evidence {
            if !(link.starts_with("https://") || link.starts_with("http://")) || link.contains(char::is_whitespace) {
                problems.push((
                    "evidence",
                    format!("Evidence must be web addresses starting https://, one per line: '{link}'"),
                ));
            }
        }
        match (&self.expected, &self.expected_reason) {
            (Some(e), _) if crate::Period::parse(e).is_err() => problems.push((
                "expected",
                format!(
                    "'{e}' is not a date the plan uses: write a month ('March 2026'), a year ('2026') or a financial year ('2025/26')"
                ),
            )),
            (Some(_), None) => problems.push(("expected_reason", "Say why the expected date has changed".to_owned())),
            _ => {}
        }
        problems
    }
}

/// Days without a published update after which an item is stale, unless set otherwise.
pub const DEFAULT_STALE_DAYS: u32 = 90;

/// The stale-days settings allowed: a day to ten years.
pub const STALE_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=3650;

/// How the partnership runs its reporting: the settings an admin sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Days without a published update after which a milestone or delivering plan is stale.
    pub stale_days: u32,
    /// Whether editors' updates wait for an admin's approval before the public sees them.
    pub approval_required: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { stale_days: DEFAULT_STALE_DAYS, approval_required: false }
    }
}

impl Settings {
    /// What is wrong with the settings, by field. The one place their rules are
    /// checked: the admin page, the command line and the store all use it.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        if !STALE_DAYS_RANGE.contains(&self.stale_days) {
            problems.push(Settings::stale_days_problem());
        }
        problems
    }

    /// The problem with a stale-days value that is not a whole number in
    /// [`STALE_DAYS_RANGE`] (or not a number at all, as typed into a form).
    pub fn stale_days_problem() -> FieldProblem {
        let (from, to) = (STALE_DAYS_RANGE.start(), STALE_DAYS_RANGE.end());
        ("stale_days", format!("Enter a whole number of days from {from} to {to}"))
    }
}

/// A stored update, with who wrote it and whether it is published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeliveryUpdate {
    /// Its number, increasing.
    pub id: i64,
    /// Milestone or delivering plan.
    pub kind: ItemKind,
    /// The milestone's or plan's id.
    pub item: String,
    /// What was reported.
    #[serde(flatten)]
    pub draft: UpdateDraft,
    /// Who wrote it (a username).
    pub author: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Seen by everyone, or waiting, or turned down.
    pub publication: Publication,
    /// The admin who approved or rejected it.
    pub reviewed_by: Option<String>,
    /// When.
    pub reviewed_at: Option<String>,
}

/// A milestone a partner added to a delivering plan their organisation leads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddedMilestone {
    /// Its id (`<plan>-added-<n>`).
    pub id: String,
    /// The delivering plan it belongs to.
    pub delivering_plan: String,
    /// What is to be done.
    pub title: String,
    /// When (a period: `March 2026`, `2025/26`).
    pub due: String,
    /// Who added it.
    pub created_by: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
}
