//! Versions of the plan: drafts started from a stored version and edited on the web, and
//! what `assure check` says of them.
//!
//! A draft is checked exactly as a plan directory is: it is written as its files
//! ([`assure_plan::write::to_files`]) and those files are loaded ([`assure_plan::load`]),
//! so the web editor and the files are two ways into one model and one validation.

use assure_plan::diff::{Change, PlanDiff};
use assure_plan::{Diagnostic, LoadError, Plan};
use assure_store::{Account, Draft, Permission, Role};

use crate::{App, AppError};

/// Whether the account may start, edit and publish drafts: an admin, or an account with
/// the plan-editor permission.
pub fn may_edit_plan(app: &App, account: &Account) -> Result<bool, AppError> {
    Ok(account.role == Role::Admin || app.store.has_permission(account.id, Permission::PlanEditor)?)
}

/// The person at the command line, who holds the database itself (they could import or
/// replace a plan from files): acting as an admin, under the name the audit log records.
pub fn operator(name: &str) -> Account {
    Account {
        id: 0,
        username: name.to_owned(),
        display_name: name.to_owned(),
        role: Role::Admin,
        organisations: Vec::new(),
        disabled: false,
        email: None,
        round_reminders: false,
        weekly_digest: false,
        created_at: String::new(),
        updated_at: String::new(),
    }
}

/// What `assure check` would report of the plan, every problem (none: it may be published).
pub fn check_plan(plan: &Plan) -> Vec<Diagnostic> {
    let files = match assure_plan::write::to_files(plan) {
        Ok(files) => files,
        Err(e) => return vec![Diagnostic::new(e.file, e.source.to_string())],
    };
    match assure_plan::load(&files) {
        Ok(_) => Vec::new(),
        Err(LoadError::Invalid(problems)) => problems,
        Err(e @ LoadError::Io { .. }) => vec![Diagnostic::new("plan", e.to_string())],
    }
}

/// Why a plan id cannot be a new version's, if it cannot: the ids of stored plans are
/// lower-case slugs (`kent-and-medway-2026-28`).
pub fn plan_id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        Some("Enter an id for the new version, such as kent-and-medway-2026-28".into())
    } else if id.len() > 64 {
        Some("The id must be 64 characters or fewer".into())
    } else if !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        || !id.starts_with(|c: char| c.is_ascii_alphanumeric())
    {
        Some("The id can only have lower-case letters, digits, hyphens and full stops, and starts with a letter or digit".into())
    } else {
        None
    }
}

impl App {
    /// Refused unless the account may edit the plan (see [`may_edit_plan`]).
    pub fn require_plan_editor(&self, account: &Account) -> Result<(), AppError> {
        if may_edit_plan(self, account)? {
            Ok(())
        } else {
            Err(AppError::Forbidden("Only admins and plan editors can change the plan.".into()))
        }
    }

    /// Start a draft as a copy of `from` (a stored plan, or another draft) under the new
    /// id, optionally with a new title.
    pub fn start_draft(
        &self,
        account: &Account,
        from: &str,
        new_id: &str,
        title: Option<&str>,
    ) -> Result<Draft, AppError> {
        self.require_plan_editor(account)?;
        if let Some(problem) = plan_id_problem(new_id) {
            return Err(AppError::Rejected(vec![("id", problem)]));
        }
        let mut plan = match self.store.draft(from)? {
            Some(draft) => draft.plan,
            None => self.store.plan(from)?,
        };
        plan.meta.id = assure_plan::Sp::new(0..0, new_id.to_owned());
        if let Some(title) = title.map(str::trim).filter(|t| !t.is_empty()) {
            title.clone_into(&mut plan.meta.title);
        }
        match self.store.create_draft(&plan, Some(from), &account.username) {
            Err(assure_store::StoreError::PlanExists(id)) => Err(AppError::Rejected(vec![(
                "id",
                format!("There is already a version with the id {id}: choose another"),
            )])),
            other => Ok(other?),
        }
    }
}

/// A version of the plan as a reader finds it by id: a stored one (published or
/// superseded) or a draft.
#[derive(Debug, Clone)]
pub enum Version {
    /// Stored in the plan's tables.
    Stored(assure_store::PlanVersion),
    /// A draft, not yet published.
    Draft {
        /// The version it was started from.
        based_on: Option<String>,
        /// Who changed it last, and when.
        updated_by: String,
        /// When it last changed.
        updated_at: String,
    },
}

impl Version {
    /// "Published", "Superseded" or "Draft".
    pub fn label(&self) -> &'static str {
        match self {
            Version::Stored(v) => v.state.label(),
            Version::Draft { .. } => "Draft",
        }
    }

    /// Whether it is a draft (seen only by people signed in).
    pub fn is_draft(&self) -> bool {
        matches!(self, Version::Draft { .. })
    }
}

/// What publishing a draft would do, or why it cannot be published.
#[derive(Debug, Clone)]
pub enum PublishPreview {
    /// The draft has problems (as `assure check` reports them): refused, each listed.
    Refused(Vec<Diagnostic>),
    /// It may be published: what changes against the served version and what of the
    /// served version's data would stay behind with it.
    Ready {
        /// The changes from the served version (or from nothing, when none is served).
        diff: PlanDiff,
        /// The served version it would supersede.
        served: Option<String>,
        /// Observations, delivery updates and added milestones of items the draft drops.
        left_behind: assure_store::Dropped,
    },
}

/// The changes of a diff under one heading: an outcome, or "Across the plan".
#[derive(Debug, Clone)]
pub struct DiffGroup<'d> {
    /// The outcome's number (`None`: across the plan).
    pub outcome: Option<u8>,
    /// "Outcome 1: …" or "Across the plan".
    pub heading: String,
    /// The changes, in the diff's order.
    pub changes: Vec<&'d Change>,
}

/// The outcome a change belongs to, looked up in `after` and then `before`: outcomes by
/// number; priorities, commitments, indicators (and parts) and delivery examples by their
/// outcome; delivery links by their commitment's; delivering plans by the lowest outcome
/// of the commitments that link them; anything else is across the plan.
pub fn outcome_of(change: &Change, before: &Plan, after: &Plan) -> Option<u8> {
    let commitment =
        |id: &str| [after, before].into_iter().find_map(|p| p.commitment(id).map(|c| *c.outcome.get_ref()));
    match change.item {
        "outcome" => change.id.parse().ok(),
        "priority" => [after, before]
            .into_iter()
            .find_map(|p| p.priorities.iter().find(|x| x.id.get_ref() == &change.id).map(|x| *x.outcome.get_ref())),
        "commitment" => commitment(&change.id),
        "delivery link" => change.id.split(" \u{2192} ").next().and_then(commitment),
        "indicator" | "indicator part" => {
            let id = change.id.split('/').next().unwrap_or(&change.id);
            [after, before].into_iter().find_map(|p| p.indicator(id).map(|i| *i.outcome.get_ref()))
        }
        "delivery example" => [after, before].into_iter().find_map(|p| {
            p.delivery_examples.iter().find(|e| e.id.get_ref() == &change.id).map(|e| *e.outcome.get_ref())
        }),
        "delivering plan" => [after, before]
            .into_iter()
            .filter_map(|p| {
                p.commitments
                    .iter()
                    .filter(|c| c.links.iter().any(|l| l.plans.iter().any(|x| x.get_ref() == &change.id)))
                    .map(|c| *c.outcome.get_ref())
                    .min()
            })
            .next(),
        _ => None,
    }
}

/// The changes of `diff` grouped by outcome (in outcome order, as `after` has them, then
/// any only `before` has), and then those across the plan.
pub fn group_by_outcome<'d>(diff: &'d PlanDiff, before: &Plan, after: &Plan) -> Vec<DiffGroup<'d>> {
    let mut groups: Vec<DiffGroup<'d>> = Vec::new();
    for c in &diff.changes {
        let outcome = outcome_of(c, before, after);
        match groups.iter_mut().find(|g| g.outcome == outcome) {
            Some(g) => g.changes.push(c),
            None => {
                let heading = match outcome {
                    Some(n) => {
                        let title = [after, before]
                            .into_iter()
                            .find_map(|p| p.outcomes.iter().find(|o| *o.number.get_ref() == n).map(|o| o.title.clone()))
                            .unwrap_or_default();
                        format!("Outcome {n}: {title}")
                    }
                    None => "Across the plan".to_owned(),
                };
                groups.push(DiffGroup { outcome, heading, changes: vec![c] });
            }
        }
    }
    groups.sort_by_key(|g| (g.outcome.is_none(), g.outcome));
    groups
}

impl App {
    /// A version by id, stored or draft, with the plan it holds.
    pub fn version(&self, id: &str) -> Result<(Version, Plan), AppError> {
        if let Some(draft) = self.store.draft(id)? {
            let version =
                Version::Draft { based_on: draft.based_on, updated_by: draft.updated_by, updated_at: draft.updated_at };
            return Ok((version, draft.plan));
        }
        let stored = self
            .store
            .plan_versions()?
            .into_iter()
            .find(|v| v.id == id)
            .ok_or_else(|| AppError::NotFound { what: "plan version", id: id.to_owned() })?;
        Ok((Version::Stored(stored), self.store.plan(id)?))
    }

    /// What changed from version `from` to version `to` (each a stored plan or a draft).
    pub fn diff_versions(&self, from: &str, to: &str) -> Result<(PlanDiff, Plan, Plan), AppError> {
        let (_, before) = self.version(from)?;
        let (_, after) = self.version(to)?;
        Ok((assure_plan::diff::diff(&before, &after), before, after))
    }

    /// Whether the draft may be published and, if so, what publishing it would do.
    pub fn publish_preview(&self, account: &Account, draft_id: &str) -> Result<PublishPreview, AppError> {
        self.require_plan_editor(account)?;
        let draft =
            self.store.draft(draft_id)?.ok_or_else(|| assure_store::StoreError::NoSuchDraft(draft_id.into()))?;
        let problems = check_plan(&draft.plan);
        if !problems.is_empty() {
            return Ok(PublishPreview::Refused(problems));
        }
        let served = self.store.served_plan(None)?.map(|(id, _)| id);
        let before = match &served {
            Some(id) => self.store.plan(id)?,
            None => empty_like(&draft.plan),
        };
        let diff = assure_plan::diff::diff(&before, &draft.plan);
        let left_behind = self.store.left_behind_by(&draft.plan)?;
        Ok(PublishPreview::Ready { diff, served, left_behind })
    }

    /// Publish a draft: it becomes the served version, carrying over what was recorded
    /// against the old one for every item that survives (see
    /// [`assure_store::Store::publish_draft`]). Refused unless `confirmed`, and refused
    /// while the draft has problems (the error names them).
    pub fn publish(
        &self,
        account: &Account,
        draft_id: &str,
        confirmed: bool,
    ) -> Result<assure_store::Published, AppError> {
        match self.publish_preview(account, draft_id)? {
            PublishPreview::Refused(problems) => Err(AppError::Rejected(vec![(
                "draft",
                format!(
                    "The draft has {} problem(s) and cannot be published: {}",
                    problems.len(),
                    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
                ),
            )])),
            PublishPreview::Ready { .. } if !confirmed => {
                Err(AppError::Rejected(vec![("confirm", "Confirm that you want to publish this version".into())]))
            }
            PublishPreview::Ready { .. } => Ok(self.store.publish_draft(draft_id, &account.username)?),
        }
    }
}

/// A plan with nothing in it, under `like`'s id: what a first version is compared with.
fn empty_like(like: &Plan) -> Plan {
    Plan {
        meta: like.meta.clone(),
        facts: Vec::new(),
        governance: Vec::new(),
        sections: Vec::new(),
        outcomes: Vec::new(),
        priorities: Vec::new(),
        commitments: Vec::new(),
        delivering_plans: Vec::new(),
        organisations: Vec::new(),
        indicators: Vec::new(),
        delivery_examples: Vec::new(),
        enablers: Vec::new(),
        places: Vec::new(),
        areas: Vec::new(),
    }
}

/// One row of a changed item as people read it: a field (`target.value` inside a
/// compound field), its value before and after as text ("" where absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// The field, with the part of a compound field after a dot.
    pub field: String,
    /// Its value in the older version.
    pub before: String,
    /// Its value in the newer version.
    pub after: String,
}

/// A value as text: strings bare, nothing as "", anything else as JSON.
pub fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The rows of a changed field: a compound field (a target, a baseline) opened into
/// the parts that differ, so that a changed target value reads `target.value: 6 → 5`.
/// The page, the spreadsheet and `assure plan diff` all show a diff through this.
pub fn field_rows(f: &assure_plan::diff::FieldChange) -> Vec<FieldRow> {
    use serde_json::Value;
    let empty = serde_json::Map::new();
    let object = |v: &Value| match v {
        Value::Object(o) => Some(o.clone()),
        Value::Null => Some(empty.clone()),
        _ => None,
    };
    match (object(&f.before), object(&f.after)) {
        (Some(b), Some(a)) if !(b.is_empty() && a.is_empty()) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter()
                .filter(|k| b.get(*k).unwrap_or(&Value::Null) != a.get(*k).unwrap_or(&Value::Null))
                .map(|k| FieldRow {
                    field: format!("{}.{k}", f.field),
                    before: value_text(b.get(k).unwrap_or(&Value::Null)),
                    after: value_text(a.get(k).unwrap_or(&Value::Null)),
                })
                .collect()
        }
        _ => vec![FieldRow { field: f.field.clone(), before: value_text(&f.before), after: value_text(&f.after) }],
    }
}

/// The diff as a report (the document the PDF is typeset from): the counts, then one
/// section per outcome (and one across the plan) with a table of its changes, field by
/// field, before and after side by side.
pub fn diff_report(diff: &PlanDiff, before: &Plan, after: &Plan) -> assure_report::document::Report {
    use assure_plan::diff::ChangeKind;
    use assure_report::document::{Block, Cell, Report, Section, Tone};
    let (added, removed, changed) = diff.counts();
    let mut sections = vec![Section {
        heading: "Summary".into(),
        blocks: vec![
            Block::Paragraph(format!("{added} added, {removed} removed, {changed} changed.")),
            Block::Paragraph(
                "Items are matched by id and compared field by field; source line numbers are left out.".into(),
            ),
        ],
    }];
    for g in group_by_outcome(diff, before, after) {
        let mut rows = Vec::new();
        for c in &g.changes {
            let (label, tone) = match c.kind {
                ChangeKind::Added => ("Added", Tone::Good),
                ChangeKind::Removed => ("Removed", Tone::Bad),
                ChangeKind::Changed => ("Changed", Tone::OnTrack),
            };
            let item = format!("{} {}: {}", c.item, c.id, c.title);
            let fields = c.fields.iter().flat_map(field_rows).collect::<Vec<_>>();
            if fields.is_empty() {
                rows.push(vec![
                    Cell::tag(label, tone.clone()),
                    Cell::text(item.clone()),
                    Cell::text(""),
                    Cell::text(""),
                    Cell::text(""),
                ]);
            }
            for (i, f) in fields.into_iter().enumerate() {
                let (kind, what) = if i == 0 {
                    (Cell::tag(label, tone.clone()), Cell::text(item.clone()))
                } else {
                    (Cell::text(""), Cell::text(""))
                };
                rows.push(vec![kind, what, Cell::text(f.field), Cell::text(f.before), Cell::text(f.after)]);
            }
        }
        sections.push(Section {
            heading: g.heading.clone(),
            blocks: vec![Block::table(
                format!("Changes: {}", g.heading),
                &["Change", "Item", "Field", "Before", "After"],
                rows,
            )],
        });
    }
    Report {
        title: format!("Changes from {} to {}", diff.from, diff.to),
        subtitle: format!("{} compared with {}", after.meta.title, before.meta.title),
        generated_at: assure_store::now_rfc3339(),
        illustrative: false,
        sections,
    }
}

/// The diff typeset as a PDF.
pub fn diff_pdf(diff: &PlanDiff, before: &Plan, after: &Plan) -> Result<Vec<u8>, AppError> {
    assure_report::pdf::render(&diff_report(diff, before, after)).map_err(|e| AppError::Report(e.to_string()))
}
