//! What partners report on delivery: updates of milestones and delivering plans (every
//! one kept: the list is the item's history), their sign-off, and milestones partners
//! add to the plans they lead. Each change is audited against its plan, so the web
//! site's pages of that plan are rendered afresh.

use assure_plan::delivery::{AddedMilestone, DeliveryStatus, DeliveryUpdate, ItemKind, Publication, UpdateDraft};

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value};
use crate::{StoreError, now};

const COLUMNS: &str = "id, item_kind, item_id, status, narrative, evidence, expected, expected_reason, internal_note, \
                       publication, author, at, reviewed_by, reviewed_at";

fn read(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<DeliveryUpdate>, StoreError> {
    let rows = tx.query(&format!("SELECT {COLUMNS} FROM delivery_update WHERE {filter} ORDER BY id"), params)?;
    rows.into_iter()
        .map(|r| {
            let id = r[0].as_i64().unwrap_or_default();
            let s = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
            let o = |i: usize| r[i].as_str().map(str::to_owned);
            let bad = |what: &str| StoreError::Corrupt(format!("delivery update {id}: {what}"));
            Ok(DeliveryUpdate {
                id,
                kind: ItemKind::parse(&s(1)).ok_or_else(|| bad("kind"))?,
                item: s(2),
                draft: UpdateDraft {
                    status: DeliveryStatus::parse(&s(3)).ok_or_else(|| bad("status"))?,
                    narrative: s(4),
                    evidence: serde_json::from_str(&s(5)).map_err(|e| bad(&e.to_string()))?,
                    expected: o(6),
                    expected_reason: o(7),
                    internal_note: o(8),
                },
                publication: Publication::parse(&s(9)).ok_or_else(|| bad("publication"))?,
                author: s(10),
                at: s(11),
                reviewed_by: o(12),
                reviewed_at: o(13),
            })
        })
        .collect()
}

fn audit_update(
    tx: &mut Tx<'_>,
    plan_id: &str,
    action: &str,
    u: &DeliveryUpdate,
    actor: &str,
) -> Result<(), StoreError> {
    let after = serde_json::to_string(u).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    audit::record(
        tx,
        &NewEntry {
            at: &now(),
            actor,
            action,
            entity: "delivery_update",
            entity_id: &format!("{}:{}", u.kind.as_str(), u.item),
            plan_id: Some(plan_id),
            before: None,
            after: Some(&after),
        },
    )
}

pub(crate) fn add(
    tx: &mut Tx<'_>,
    plan_id: &str,
    kind: ItemKind,
    item: &str,
    draft: &UpdateDraft,
    publication: Publication,
    author: &str,
) -> Result<DeliveryUpdate, StoreError> {
    if let Some((field, message)) = draft.problems().into_iter().next() {
        return Err(StoreError::Rejected { field, message });
    }
    let evidence = serde_json::to_string(&draft.evidence).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = tx
        .query(
            "INSERT INTO delivery_update (plan_id, item_kind, item_id, status, narrative, evidence, expected, \
             expected_reason, internal_note, publication, author, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            &[
                plan_id.into(),
                kind.as_str().into(),
                item.into(),
                draft.status.as_str().into(),
                draft.narrative.trim().into(),
                evidence.into(),
                Value::text(draft.expected.as_deref().map(str::trim)),
                Value::text(draft.expected_reason.as_deref().map(str::trim)),
                Value::text(draft.internal_note.as_deref().map(str::trim)),
                publication.as_str().into(),
                author.into(),
                now().into(),
            ],
        )?
        .first()
        .and_then(|r| r[0].as_i64())
        .ok_or_else(|| StoreError::Corrupt("no id for a new update".into()))?;
    let update = read(tx, "id = $1", &[Value::Int(id)])?.pop().ok_or(StoreError::NoSuchUpdate(id))?;
    audit_update(tx, plan_id, "create", &update, author)?;
    Ok(update)
}

pub(crate) fn list(
    tx: &mut Tx<'_>,
    plan_id: &str,
    item: Option<(ItemKind, &str)>,
) -> Result<Vec<DeliveryUpdate>, StoreError> {
    match item {
        Some((kind, id)) => read(
            tx,
            "plan_id = $1 AND item_kind = $2 AND item_id = $3",
            &[plan_id.into(), kind.as_str().into(), id.into()],
        ),
        None => read(tx, "plan_id = $1", &[plan_id.into()]),
    }
}

pub(crate) fn one(tx: &mut Tx<'_>, plan_id: &str, id: i64) -> Result<DeliveryUpdate, StoreError> {
    read(tx, "plan_id = $1 AND id = $2", &[plan_id.into(), Value::Int(id)])?.pop().ok_or(StoreError::NoSuchUpdate(id))
}

pub(crate) fn review(
    tx: &mut Tx<'_>,
    plan_id: &str,
    id: i64,
    approve: bool,
    reviewer: &str,
) -> Result<DeliveryUpdate, StoreError> {
    let u = one(tx, plan_id, id)?;
    if u.publication != Publication::Pending {
        return Err(StoreError::Rejected {
            field: "update",
            message: format!("Update {id} is not awaiting approval (it is {})", u.publication.label().to_lowercase()),
        });
    }
    let to = if approve { Publication::Published } else { Publication::Rejected };
    tx.execute(
        "UPDATE delivery_update SET publication = $1, reviewed_by = $2, reviewed_at = $3 WHERE id = $4",
        &[to.as_str().into(), reviewer.into(), now().into(), Value::Int(id)],
    )?;
    let after = one(tx, plan_id, id)?;
    audit_update(tx, plan_id, if approve { "approve" } else { "reject" }, &after, reviewer)?;
    Ok(after)
}

pub(crate) fn add_milestone(
    tx: &mut Tx<'_>,
    plan_id: &str,
    delivering_plan: &str,
    title: &str,
    due: &str,
    taken: &dyn Fn(&str) -> bool,
    actor: &str,
) -> Result<AddedMilestone, StoreError> {
    let (title, due) = (title.trim(), due.trim());
    if title.is_empty() {
        return Err(StoreError::Rejected { field: "title", message: "Say what is to be done".into() });
    }
    if assure_plan::Period::parse(due).is_err() {
        return Err(StoreError::Rejected {
            field: "due",
            message: format!(
                "'{due}' is not a date the plan uses: write a month ('March 2026'), a year ('2026') or a financial year ('2025/26')"
            ),
        });
    }
    let existing = added_milestones(tx, plan_id)?;
    let id = (1..)
        .map(|n| format!("{delivering_plan}-added-{n}"))
        .find(|id| !taken(id) && !existing.iter().any(|m| &m.id == id))
        .unwrap_or_default();
    let at = now();
    tx.execute(
        "INSERT INTO added_milestone (plan_id, id, delivering_plan, title, due, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            plan_id.into(),
            id.as_str().into(),
            delivering_plan.into(),
            title.into(),
            due.into(),
            actor.into(),
            at.as_str().into(),
        ],
    )?;
    let m = AddedMilestone {
        id,
        delivering_plan: delivering_plan.to_owned(),
        title: title.to_owned(),
        due: due.to_owned(),
        created_by: actor.to_owned(),
        created_at: at,
    };
    let after = serde_json::to_string(&m).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    audit::record(
        tx,
        &NewEntry {
            at: &m.created_at,
            actor,
            action: "create",
            entity: "milestone",
            entity_id: &m.id,
            plan_id: Some(plan_id),
            before: None,
            after: Some(&after),
        },
    )?;
    Ok(m)
}

pub(crate) fn added_milestones(tx: &mut Tx<'_>, plan_id: &str) -> Result<Vec<AddedMilestone>, StoreError> {
    let rows = tx.query(
        "SELECT id, delivering_plan, title, due, created_by, created_at FROM added_milestone \
         WHERE plan_id = $1 ORDER BY created_at, id",
        &[plan_id.into()],
    )?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let s = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
            AddedMilestone {
                id: s(0),
                delivering_plan: s(1),
                title: s(2),
                due: s(3),
                created_by: s(4),
                created_at: s(5),
            }
        })
        .collect())
}

/// Record a report as issued, with the snapshot of what it showed.
pub(crate) fn record_report(
    tx: &mut Tx<'_>,
    plan_id: &str,
    kind: &str,
    subject: &str,
    snapshot: &str,
    actor: &str,
) -> Result<String, StoreError> {
    let at = now();
    tx.execute(
        "INSERT INTO report_run (plan_id, kind, subject, generated_at, generated_by, snapshot) VALUES ($1, $2, $3, $4, $5, $6)",
        &[plan_id.into(), kind.into(), subject.into(), at.as_str().into(), actor.into(), snapshot.into()],
    )?;
    audit::record(
        tx,
        &NewEntry {
            at: &at,
            actor,
            action: "issue",
            entity: "report",
            entity_id: &format!("{kind}:{subject}"),
            plan_id: Some(plan_id),
            before: None,
            after: None,
        },
    )?;
    Ok(at)
}

/// The latest issued report of a kind: when, and its snapshot.
pub(crate) fn last_report(
    tx: &mut Tx<'_>,
    plan_id: &str,
    kind: &str,
    subject: &str,
) -> Result<Option<(String, String)>, StoreError> {
    let rows = tx.query(
        "SELECT generated_at, snapshot FROM report_run WHERE plan_id = $1 AND kind = $2 AND subject = $3 ORDER BY id DESC LIMIT 1",
        &[plan_id.into(), kind.into(), subject.into()],
    )?;
    Ok(rows.first().and_then(|r| Some((r[0].as_str()?.to_owned(), r[1].as_str()?.to_owned()))))
}
