//! Committees, decisions and actions: the partnership's governance bodies (the bundled
//! plan's are seeded by the migration, each citing its source line; admins add and
//! rename), their meetings with the papers taken to them (a report or a deep dive, or a
//! reporting round's snapshot), the decisions and actions recorded against a meeting,
//! and each action's updates, which are its history. Every change is audited against its
//! plan, so the plan's pages are rendered afresh.

use assure_plan::delivery::{DeliveryStatus, UpdateDraft};
use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value, returned_id};
use crate::{Store, StoreError, now};

/// A governance body: the ICP, a committee of the ICB, an HCP, a council's committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Body {
    /// Its number.
    pub id: i64,
    /// The plan it oversees.
    pub plan_id: String,
    /// Its name.
    pub name: String,
    /// The organisation of the plan it is (or belongs to), by id.
    pub organisation: Option<String>,
    /// Where the plan's documents name it (`file:line`), for seeded bodies.
    pub source: Option<String>,
}

/// What a paper taken to a meeting is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaperKind {
    /// The annual report.
    Annual,
    /// A place report (subject: the area id).
    Place,
    /// A deep dive into an indicator (subject: its id).
    Indicator,
    /// A deep dive into a commitment (subject: its id).
    Commitment,
    /// A reporting round's snapshot (subject: the round's number).
    Round,
}

impl PaperKind {
    /// Every kind.
    pub const ALL: [PaperKind; 5] =
        [PaperKind::Annual, PaperKind::Place, PaperKind::Indicator, PaperKind::Commitment, PaperKind::Round];

    /// The name used in data.
    pub fn as_str(self) -> &'static str {
        match self {
            PaperKind::Annual => "annual",
            PaperKind::Place => "place",
            PaperKind::Indicator => "indicator",
            PaperKind::Commitment => "commitment",
            PaperKind::Round => "round",
        }
    }

    /// Read the name used in data.
    pub fn parse(s: &str) -> Option<PaperKind> {
        PaperKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether it is a deep dive (into an indicator or a commitment).
    pub fn is_deep_dive(self) -> bool {
        matches!(self, PaperKind::Indicator | PaperKind::Commitment)
    }
}

/// A paper taken to a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paper {
    /// What it is.
    pub kind: PaperKind,
    /// What it is about (an area, indicator or commitment id, a round's number; empty for
    /// the annual report).
    pub subject: String,
}

/// A meeting of a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Meeting {
    /// Its number.
    pub id: i64,
    /// The plan.
    pub plan_id: String,
    /// The body that met.
    pub body_id: i64,
    /// The day (`YYYY-MM-DD`).
    pub held_on: String,
    /// Its title ("ICP, 12 March 2027").
    pub title: String,
    /// The papers taken to it.
    pub papers: Vec<Paper>,
    /// Who recorded it.
    pub created_by: String,
    /// When (RFC 3339, UTC).
    pub created_at: String,
}

/// A meeting to record.
#[derive(Debug, Clone)]
pub struct NewMeeting<'a> {
    /// The plan.
    pub plan_id: &'a str,
    /// The body.
    pub body_id: i64,
    /// The day (`YYYY-MM-DD`, checked by the caller).
    pub held_on: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The papers taken to it.
    pub papers: &'a [Paper],
}

/// A decision of a meeting; with an owner and a due date, an action to be tracked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeetingDecision {
    /// Its number.
    pub id: i64,
    /// The plan.
    pub plan_id: String,
    /// The meeting it was taken at.
    pub meeting_id: i64,
    /// What was decided, or is to be done.
    pub text: String,
    /// For an action: the organisation that owns it (an id of the plan's registry).
    pub owner: Option<String>,
    /// For an action: when it is due (`YYYY-MM-DD`).
    pub due: Option<String>,
    /// What it concerns: `outcome:2`, `indicator:id`, `commitment:id`.
    pub links: Vec<String>,
    /// Who recorded it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

impl MeetingDecision {
    /// Whether it is an action (it has an owner and a due date).
    pub fn is_action(&self) -> bool {
        self.owner.is_some()
    }
}

/// A decision or action to record.
#[derive(Debug, Clone)]
pub struct NewMeetingDecision<'a> {
    /// The plan.
    pub plan_id: &'a str,
    /// The meeting.
    pub meeting_id: i64,
    /// What was decided.
    pub text: &'a str,
    /// For an action: its owner and due date.
    pub action: Option<(&'a str, &'a str)>,
    /// What it concerns.
    pub links: &'a [String],
}

/// An update of an action by its owner: the same fields as a milestone's update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionUpdate {
    /// Its number.
    pub id: i64,
    /// The action.
    pub action_id: i64,
    /// What was reported.
    #[serde(flatten)]
    pub draft: UpdateDraft,
    /// Who (a username).
    pub author: String,
    /// When (RFC 3339, UTC).
    pub at: String,
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

fn audit_json(
    tx: &mut Tx<'_>,
    plan_id: &str,
    action: &str,
    (entity, id): (&str, i64),
    before: Option<String>,
    after: &impl Serialize,
    actor: &str,
) -> Result<(), StoreError> {
    let after = serde_json::to_string(after).map_err(corrupt)?;
    audit::record(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action,
            entity,
            entity_id: &id.to_string(),
            plan_id: Some(plan_id),
            before: before.as_deref(),
            after: Some(&after),
        },
    )
}

fn read_bodies(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<Body>, StoreError> {
    let rows = tx.rows(
        "governance_body",
        &format!("SELECT id, plan_id, name, organisation, source FROM governance_body WHERE {filter} ORDER BY id"),
        params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(Body {
                id: r.int(0)?,
                plan_id: r.text(1)?,
                name: r.text(2)?,
                organisation: r.opt_text(3)?,
                source: r.opt_text(4)?,
            })
        })
        .collect()
}

fn body(tx: &mut Tx<'_>, plan_id: &str, id: i64) -> Result<Body, StoreError> {
    read_bodies(tx, "plan_id = $1 AND id = $2", &[plan_id.into(), Value::Int(id)])?
        .pop()
        .ok_or(StoreError::NoSuchRecord { what: "governance body", id })
}

fn name_taken(tx: &mut Tx<'_>, plan_id: &str, name: &str, other_than: i64) -> Result<(), StoreError> {
    let rows = tx.rows(
        "governance_body",
        "SELECT id FROM governance_body WHERE plan_id = $1 AND name = $2 AND id <> $3",
        &[plan_id.into(), name.into(), Value::Int(other_than)],
    )?;
    if rows.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Rejected { field: "name", message: format!("There is already a body called '{name}'") })
    }
}

fn read_meetings(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<Meeting>, StoreError> {
    let rows = tx.rows(
        "meeting",
        &format!(
            "SELECT id, plan_id, body_id, held_on, title, created_by, created_at FROM meeting WHERE {filter} \
             ORDER BY held_on DESC, id DESC"
        ),
        params,
    )?;
    let mut meetings = rows
        .iter()
        .map(|r| {
            Ok(Meeting {
                id: r.int(0)?,
                plan_id: r.text(1)?,
                body_id: r.int(2)?,
                held_on: r.text(3)?,
                title: r.text(4)?,
                papers: Vec::new(),
                created_by: r.text(5)?,
                created_at: r.text(6)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    for m in &mut meetings {
        let rows = tx.rows(
            "meeting_paper",
            "SELECT kind, subject FROM meeting_paper WHERE meeting_id = $1 ORDER BY id",
            &[Value::Int(m.id)],
        )?;
        m.papers = rows
            .iter()
            .map(|r| Ok(Paper { kind: r.parsed(0, "a kind of paper", PaperKind::parse)?, subject: r.text(1)? }))
            .collect::<Result<_, StoreError>>()?;
    }
    Ok(meetings)
}

fn meeting(tx: &mut Tx<'_>, plan_id: &str, id: i64) -> Result<Meeting, StoreError> {
    read_meetings(tx, "plan_id = $1 AND id = $2", &[plan_id.into(), Value::Int(id)])?
        .pop()
        .ok_or(StoreError::NoSuchRecord { what: "meeting", id })
}

fn insert_paper(tx: &mut Tx<'_>, meeting_id: i64, p: &Paper) -> Result<(), StoreError> {
    let there = tx.rows(
        "meeting_paper",
        "SELECT id FROM meeting_paper WHERE meeting_id = $1 AND kind = $2 AND subject = $3",
        &[Value::Int(meeting_id), p.kind.as_str().into(), p.subject.as_str().into()],
    )?;
    if there.is_empty() {
        tx.execute(
            "INSERT INTO meeting_paper (meeting_id, kind, subject) VALUES ($1, $2, $3)",
            &[Value::Int(meeting_id), p.kind.as_str().into(), p.subject.as_str().into()],
        )?;
    }
    Ok(())
}

const DECISION_COLUMNS: &str = "id, plan_id, meeting_id, text, owner, due, links, created_by, created_at";

fn read_decisions(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<MeetingDecision>, StoreError> {
    let rows = tx.rows(
        "meeting_decision",
        &format!("SELECT {DECISION_COLUMNS} FROM meeting_decision WHERE {filter} ORDER BY id"),
        params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(MeetingDecision {
                id: r.int(0)?,
                plan_id: r.text(1)?,
                meeting_id: r.int(2)?,
                text: r.text(3)?,
                owner: r.opt_text(4)?,
                due: r.opt_text(5)?,
                links: r.json(6)?,
                created_by: r.text(7)?,
                created_at: r.text(8)?,
            })
        })
        .collect()
}

fn decision(tx: &mut Tx<'_>, plan_id: &str, id: i64) -> Result<MeetingDecision, StoreError> {
    read_decisions(tx, "plan_id = $1 AND id = $2", &[plan_id.into(), Value::Int(id)])?
        .pop()
        .ok_or(StoreError::NoSuchRecord { what: "decision or action", id })
}

fn read_updates(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<ActionUpdate>, StoreError> {
    let rows = tx.rows(
        "action_update",
        &format!(
            "SELECT u.id, u.decision_id, u.status, u.narrative, u.evidence, u.expected, u.expected_reason, \
             u.internal_note, u.author, u.at FROM action_update u JOIN meeting_decision d ON d.id = u.decision_id \
             WHERE {filter} ORDER BY u.id"
        ),
        params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(ActionUpdate {
                id: r.int(0)?,
                action_id: r.int(1)?,
                draft: UpdateDraft {
                    status: r.parsed(2, "a delivery status", DeliveryStatus::parse)?,
                    narrative: r.text(3)?,
                    evidence: r.json(4)?,
                    expected: r.opt_text(5)?,
                    expected_reason: r.opt_text(6)?,
                    internal_note: r.opt_text(7)?,
                },
                author: r.text(8)?,
                at: r.text(9)?,
            })
        })
        .collect()
}

/// Committees, their meetings, decisions and actions.
impl Store {
    /// A plan's governance bodies, in the order they were added (the seeded ones first).
    pub fn bodies(&self, plan_id: &str) -> Result<Vec<Body>, StoreError> {
        self.pool.read(|tx| read_bodies(tx, "plan_id = $1", &[plan_id.into()]))
    }

    /// Add a body; a name already used for the plan is refused.
    pub fn add_body(
        &self,
        plan_id: &str,
        name: &str,
        organisation: Option<&str>,
        actor: &str,
    ) -> Result<Body, StoreError> {
        self.pool.write(|tx| {
            name_taken(tx, plan_id, name, -1)?;
            let rows = tx.rows(
                "governance_body",
                "INSERT INTO governance_body (plan_id, name, organisation) VALUES ($1, $2, $3) RETURNING id",
                &[plan_id.into(), name.into(), Value::text(organisation)],
            )?;
            let id = returned_id(&rows, "body")?;
            let b = body(tx, plan_id, id)?;
            audit_json(tx, plan_id, "create", ("governance_body", id), None, &b, actor)?;
            Ok(b)
        })
    }

    /// Rename a body.
    pub fn rename_body(&self, plan_id: &str, id: i64, name: &str, actor: &str) -> Result<Body, StoreError> {
        self.pool.write(|tx| {
            let before = body(tx, plan_id, id)?;
            name_taken(tx, plan_id, name, id)?;
            tx.execute("UPDATE governance_body SET name = $1 WHERE id = $2", &[name.into(), Value::Int(id)])?;
            let after = body(tx, plan_id, id)?;
            let before = serde_json::to_string(&before).map_err(corrupt)?;
            audit_json(tx, plan_id, "update", ("governance_body", id), Some(before), &after, actor)?;
            Ok(after)
        })
    }

    /// Record a meeting with the papers taken to it.
    pub fn add_meeting(&self, new: &NewMeeting<'_>, actor: &str) -> Result<Meeting, StoreError> {
        self.pool.write(|tx| {
            body(tx, new.plan_id, new.body_id)?;
            let rows = tx.rows(
                "meeting",
                "INSERT INTO meeting (plan_id, body_id, held_on, title, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    new.plan_id.into(),
                    Value::Int(new.body_id),
                    new.held_on.into(),
                    new.title.into(),
                    actor.into(),
                    now().into(),
                ],
            )?;
            let id = returned_id(&rows, "meeting")?;
            for p in new.papers {
                insert_paper(tx, id, p)?;
            }
            let m = meeting(tx, new.plan_id, id)?;
            audit_json(tx, new.plan_id, "create", ("meeting", id), None, &m, actor)?;
            Ok(m)
        })
    }

    /// Add a paper to a meeting (nothing changes if it is there already).
    pub fn add_paper(&self, plan_id: &str, meeting_id: i64, paper: &Paper, actor: &str) -> Result<Meeting, StoreError> {
        self.pool.write(|tx| {
            let before = meeting(tx, plan_id, meeting_id)?;
            insert_paper(tx, meeting_id, paper)?;
            let after = meeting(tx, plan_id, meeting_id)?;
            let before = serde_json::to_string(&before).map_err(corrupt)?;
            audit_json(tx, plan_id, "update", ("meeting", meeting_id), Some(before), &after, actor)?;
            Ok(after)
        })
    }

    /// A plan's meetings, latest first, with their papers.
    pub fn meetings(&self, plan_id: &str) -> Result<Vec<Meeting>, StoreError> {
        self.pool.read(|tx| read_meetings(tx, "plan_id = $1", &[plan_id.into()]))
    }

    /// One meeting.
    pub fn meeting(&self, plan_id: &str, id: i64) -> Result<Meeting, StoreError> {
        self.pool.read(|tx| meeting(tx, plan_id, id))
    }

    /// Record a decision (or, with an owner and a due date, an action) against a meeting.
    pub fn add_meeting_decision(
        &self,
        new: &NewMeetingDecision<'_>,
        actor: &str,
    ) -> Result<MeetingDecision, StoreError> {
        let links = serde_json::to_string(new.links).map_err(corrupt)?;
        self.pool.write(|tx| {
            meeting(tx, new.plan_id, new.meeting_id)?;
            let rows = tx.rows(
                "meeting_decision",
                "INSERT INTO meeting_decision (plan_id, meeting_id, text, owner, due, links, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                &[
                    new.plan_id.into(),
                    Value::Int(new.meeting_id),
                    new.text.into(),
                    Value::text(new.action.map(|a| a.0)),
                    Value::text(new.action.map(|a| a.1)),
                    links.as_str().into(),
                    actor.into(),
                    now().into(),
                ],
            )?;
            let id = returned_id(&rows, "decision")?;
            let d = decision(tx, new.plan_id, id)?;
            audit_json(tx, new.plan_id, "create", ("meeting_decision", id), None, &d, actor)?;
            Ok(d)
        })
    }

    /// A plan's decisions and actions, oldest first.
    pub fn meeting_decisions(&self, plan_id: &str) -> Result<Vec<MeetingDecision>, StoreError> {
        self.pool.read(|tx| read_decisions(tx, "plan_id = $1", &[plan_id.into()]))
    }

    /// One decision or action.
    pub fn meeting_decision(&self, plan_id: &str, id: i64) -> Result<MeetingDecision, StoreError> {
        self.pool.read(|tx| decision(tx, plan_id, id))
    }

    /// Record an update of an action (checked by [`UpdateDraft::problems`] again).
    pub fn add_action_update(
        &self,
        plan_id: &str,
        action_id: i64,
        draft: &UpdateDraft,
        author: &str,
    ) -> Result<ActionUpdate, StoreError> {
        if let Some((field, message)) = draft.problems().into_iter().next() {
            return Err(StoreError::Rejected { field, message });
        }
        let evidence = serde_json::to_string(&draft.evidence).map_err(corrupt)?;
        self.pool.write(|tx| {
            let d = decision(tx, plan_id, action_id)?;
            if !d.is_action() {
                return Err(StoreError::Rejected {
                    field: "action",
                    message: "This is a decision, not an action: it has no owner to update it".into(),
                });
            }
            let rows = tx.rows(
                "action_update",
                "INSERT INTO action_update (decision_id, status, narrative, evidence, expected, expected_reason, \
                 internal_note, author, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                &[
                    Value::Int(action_id),
                    draft.status.as_str().into(),
                    draft.narrative.trim().into(),
                    evidence.as_str().into(),
                    Value::text(draft.expected.as_deref().map(str::trim)),
                    Value::text(draft.expected_reason.as_deref().map(str::trim)),
                    Value::text(draft.internal_note.as_deref().map(str::trim)),
                    author.into(),
                    now().into(),
                ],
            )?;
            let id = returned_id(&rows, "action update")?;
            let u = read_updates(tx, "u.id = $1", &[Value::Int(id)])?
                .pop()
                .ok_or(StoreError::NoSuchRecord { what: "action update", id })?;
            audit_json(tx, plan_id, "create", ("action_update", action_id), None, &u, author)?;
            Ok(u)
        })
    }

    /// Every update of a plan's actions, oldest first.
    pub fn action_updates(&self, plan_id: &str) -> Result<Vec<ActionUpdate>, StoreError> {
        self.pool.read(|tx| read_updates(tx, "d.plan_id = $1", &[plan_id.into()]))
    }
}
