//! Reporting rounds: opened by an admin with a name, deadline and scope, and the items
//! in scope (with the organisations asked about each) fixed as it opens; closed with a
//! snapshot of what it showed. Responses are not stored here: they are the updates of
//! the items made while the round was open. Every change is audited against its plan.

use assure_plan::delivery::ItemKind;
use serde::Serialize;

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value, returned_id};
use crate::{Store, StoreError, now};

/// One item a round asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoundItem {
    /// Milestone or delivering plan.
    pub kind: ItemKind,
    /// Its id.
    pub item: String,
    /// The organisations asked to report on it (the item's leads when the round opened).
    pub leads: Vec<String>,
}

/// A reporting round as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Round {
    /// Its number.
    pub id: i64,
    /// The plan it is about.
    pub plan_id: String,
    /// Its name ("Medway 6-month update").
    pub name: String,
    /// The last day for returns (`YYYY-MM-DD`).
    pub deadline: String,
    /// What it covers, as the application writes a scope (`all`, `outcome:2`, `place:medway`,
    /// `organisations:kcc,medway-council`).
    pub scope: String,
    /// Who opened it.
    pub opened_by: String,
    /// When (RFC 3339, UTC).
    pub opened_at: String,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// When it closed.
    pub closed_at: Option<String>,
    /// What it showed when it closed (the JSON of a report snapshot).
    pub snapshot: Option<String>,
    /// The items asked about.
    pub items: Vec<RoundItem>,
}

/// A round to open.
#[derive(Debug, Clone)]
pub struct NewRound<'a> {
    /// The plan.
    pub plan_id: &'a str,
    /// Its name.
    pub name: &'a str,
    /// The last day for returns (`YYYY-MM-DD`).
    pub deadline: &'a str,
    /// Its scope, as written by the application.
    pub scope: &'a str,
    /// The items asked about.
    pub items: &'a [RoundItem],
}

const COLUMNS: &str = "id, plan_id, name, deadline, scope, opened_by, opened_at, closed_by, closed_at, snapshot";

fn read(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<Round>, StoreError> {
    let rows = tx.rows(
        "reporting_round",
        &format!("SELECT {COLUMNS} FROM reporting_round WHERE {filter} ORDER BY id DESC"),
        params,
    )?;
    let mut rounds = rows
        .iter()
        .map(|r| {
            Ok(Round {
                id: r.int(0)?,
                plan_id: r.text(1)?,
                name: r.text(2)?,
                deadline: r.text(3)?,
                scope: r.text(4)?,
                opened_by: r.text(5)?,
                opened_at: r.text(6)?,
                closed_by: r.opt_text(7)?,
                closed_at: r.opt_text(8)?,
                snapshot: r.opt_text(9)?,
                items: Vec::new(),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    for round in &mut rounds {
        let items = tx.rows(
            "round_item",
            "SELECT item_kind, item_id, leads FROM round_item WHERE round_id = $1 ORDER BY item_kind, item_id",
            &[Value::Int(round.id)],
        )?;
        round.items = items
            .iter()
            .map(|r| {
                Ok(RoundItem {
                    kind: r.parsed(0, "milestone or plan", ItemKind::parse)?,
                    item: r.text(1)?,
                    leads: r.json(2)?,
                })
            })
            .collect::<Result<_, StoreError>>()?;
    }
    Ok(rounds)
}

fn audit_round(tx: &mut Tx<'_>, action: &str, round: &Round, actor: &str) -> Result<(), StoreError> {
    let mut summary = round.clone();
    summary.snapshot = None;
    let after = serde_json::to_string(&summary).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    audit::record(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action,
            entity: "reporting_round",
            entity_id: &round.id.to_string(),
            plan_id: Some(&round.plan_id),
            before: None,
            after: Some(&after),
        },
    )
}

fn one(tx: &mut Tx<'_>, plan_id: &str, id: i64) -> Result<Round, StoreError> {
    read(tx, "plan_id = $1 AND id = $2", &[plan_id.into(), Value::Int(id)])?.pop().ok_or(StoreError::NoSuchRound(id))
}

/// Reporting rounds.
impl Store {
    /// Open a round with its items, in one transaction; a name already used for the plan
    /// is refused.
    pub fn open_round(&self, new: &NewRound<'_>, actor: &str) -> Result<Round, StoreError> {
        self.pool.write(|tx| {
            let taken = tx.rows(
                "reporting_round",
                "SELECT id FROM reporting_round WHERE plan_id = $1 AND name = $2",
                &[new.plan_id.into(), new.name.into()],
            )?;
            if !taken.is_empty() {
                return Err(StoreError::Rejected {
                    field: "name",
                    message: format!("A round called '{}' already exists: choose another name", new.name),
                });
            }
            let rows = tx.rows(
                "reporting_round",
                "INSERT INTO reporting_round (plan_id, name, deadline, scope, opened_by, opened_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                &[
                    new.plan_id.into(),
                    new.name.into(),
                    new.deadline.into(),
                    new.scope.into(),
                    actor.into(),
                    now().into(),
                ],
            )?;
            let id = returned_id(&rows, "round")?;
            for i in new.items {
                let leads = serde_json::to_string(&i.leads).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                tx.execute(
                    "INSERT INTO round_item (round_id, item_kind, item_id, leads) VALUES ($1, $2, $3, $4)",
                    &[Value::Int(id), i.kind.as_str().into(), i.item.as_str().into(), leads.into()],
                )?;
            }
            let round = one(tx, new.plan_id, id)?;
            audit_round(tx, "open", &round, actor)?;
            Ok(round)
        })
    }

    /// Close an open round, keeping `snapshot` (JSON) of what it showed.
    pub fn close_round(&self, plan_id: &str, id: i64, snapshot: &str, actor: &str) -> Result<Round, StoreError> {
        self.pool.write(|tx| {
            let round = one(tx, plan_id, id)?;
            if round.closed_at.is_some() {
                return Err(StoreError::Rejected {
                    field: "round",
                    message: format!("The round '{}' is already closed", round.name),
                });
            }
            tx.execute(
                "UPDATE reporting_round SET closed_by = $1, closed_at = $2, snapshot = $3 WHERE id = $4",
                &[actor.into(), now().into(), snapshot.into(), Value::Int(id)],
            )?;
            let round = one(tx, plan_id, id)?;
            audit_round(tx, "close", &round, actor)?;
            Ok(round)
        })
    }

    /// A plan's rounds, newest first.
    pub fn rounds(&self, plan_id: &str) -> Result<Vec<Round>, StoreError> {
        self.pool.read(|tx| read(tx, "plan_id = $1", &[plan_id.into()]))
    }

    /// One round.
    pub fn round(&self, plan_id: &str, id: i64) -> Result<Round, StoreError> {
        self.pool.read(|tx| one(tx, plan_id, id))
    }
}
