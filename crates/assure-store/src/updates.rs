//! What partners report on delivery: updates of milestones and delivering plans (every
//! one kept: the list is the item's history), their sign-off, and milestones partners
//! add to the plans they lead. Each change is audited against its plan, so the web
//! site's pages of that plan are rendered afresh.

use assure_plan::delivery::{AddedMilestone, DeliveryStatus, DeliveryUpdate, ItemKind, Publication, UpdateDraft};

use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value, returned_id};
use crate::{Store, StoreError, now};

const COLUMNS: &str = "id, item_kind, item_id, status, narrative, evidence, expected, expected_reason, internal_note, \
                       publication, author, at, reviewed_by, reviewed_at";

fn read(tx: &mut Tx<'_>, filter: &str, params: &[Value]) -> Result<Vec<DeliveryUpdate>, StoreError> {
    let rows = tx.rows(
        "delivery_update",
        &format!("SELECT {COLUMNS} FROM delivery_update WHERE {filter} ORDER BY id"),
        params,
    )?;
    rows.iter()
        .map(|r| {
            Ok(DeliveryUpdate {
                id: r.int(0)?,
                kind: r.parsed(1, "milestone or plan", ItemKind::parse)?,
                item: r.text(2)?,
                draft: UpdateDraft {
                    status: r.parsed(3, "a delivery status", DeliveryStatus::parse)?,
                    narrative: r.text(4)?,
                    evidence: r.json(5)?,
                    expected: r.opt_text(6)?,
                    expected_reason: r.opt_text(7)?,
                    internal_note: r.opt_text(8)?,
                },
                publication: r.parsed(9, "a publication state", Publication::parse)?,
                author: r.text(10)?,
                at: r.text(11)?,
                reviewed_by: r.opt_text(12)?,
                reviewed_at: r.opt_text(13)?,
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

fn one(tx: &mut Tx<'_>, plan_id: &str, id: i64) -> Result<DeliveryUpdate, StoreError> {
    read(tx, "plan_id = $1 AND id = $2", &[plan_id.into(), Value::Int(id)])?.pop().ok_or(StoreError::NoSuchUpdate(id))
}

fn added_milestones(tx: &mut Tx<'_>, plan_id: &str) -> Result<Vec<AddedMilestone>, StoreError> {
    let rows = tx.rows(
        "added_milestone",
        "SELECT id, delivering_plan, title, due, created_by, created_at FROM added_milestone \
         WHERE plan_id = $1 ORDER BY created_at, id",
        &[plan_id.into()],
    )?;
    rows.iter()
        .map(|r| {
            Ok(AddedMilestone {
                id: r.text(0)?,
                delivering_plan: r.text(1)?,
                title: r.text(2)?,
                due: r.text(3)?,
                created_by: r.text(4)?,
                created_at: r.text(5)?,
            })
        })
        .collect()
}

/// The items whose delivery updates changed, and all their updates as they are now.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ChangedUpdates {
    /// The milestones and delivering plans whose updates changed.
    pub items: Vec<(ItemKind, String)>,
    /// Every update of those items.
    pub updates: Vec<DeliveryUpdate>,
}

/// Delivery updates and the milestones partners add.
impl Store {
    /// Record an update of a milestone or delivering plan of a plan.
    pub fn add_update(
        &self,
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
        self.pool.write(|tx| {
            let rows = tx.rows(
                "delivery_update",
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
            )?;
            let id = returned_id(&rows, "update")?;
            let update = read(tx, "id = $1", &[Value::Int(id)])?.pop().ok_or(StoreError::NoSuchUpdate(id))?;
            audit_update(tx, plan_id, "create", &update, author)?;
            Ok(update)
        })
    }

    /// What changed in a plan's delivery reports after audit entry `after`: each item
    /// whose updates changed, with all its updates as they are now (oldest first), read
    /// in one transaction with the entries that name them. `None` when anything else of
    /// the plan changed after that entry (a milestone added, the plan edited, rows
    /// archived or restored): the caller then reads the plan's delivery whole.
    pub fn updates_since(&self, plan_id: &str, after: i64) -> Result<Option<ChangedUpdates>, StoreError> {
        self.pool.read(|tx| {
            let entries = tx.rows(
                "audit_log",
                "SELECT DISTINCT entity, entity_id FROM audit_log WHERE plan_id = $1 AND id > $2",
                &[plan_id.into(), Value::Int(after)],
            )?;
            let mut changed = ChangedUpdates::default();
            for entry in &entries {
                if entry.text(0)? != "delivery_update" {
                    return Ok(None);
                }
                let named = entry.text(1)?;
                let Some((kind, item)) = named.split_once(':').and_then(|(k, i)| Some((ItemKind::parse(k)?, i))) else {
                    return Ok(None);
                };
                changed.updates.extend(read(
                    tx,
                    "plan_id = $1 AND item_kind = $2 AND item_id = $3",
                    &[plan_id.into(), kind.as_str().into(), item.into()],
                )?);
                changed.items.push((kind, item.to_owned()));
            }
            Ok(Some(changed))
        })
    }

    /// A plan's updates, of one item or all, oldest first (published or not: the
    /// caller decides who sees what).
    pub fn updates(&self, plan_id: &str, item: Option<(ItemKind, &str)>) -> Result<Vec<DeliveryUpdate>, StoreError> {
        self.pool.read(|tx| match item {
            Some((kind, id)) => read(
                tx,
                "plan_id = $1 AND item_kind = $2 AND item_id = $3",
                &[plan_id.into(), kind.as_str().into(), id.into()],
            ),
            None => read(tx, "plan_id = $1", &[plan_id.into()]),
        })
    }

    /// One update.
    pub fn update(&self, plan_id: &str, id: i64) -> Result<DeliveryUpdate, StoreError> {
        self.pool.read(|tx| one(tx, plan_id, id))
    }

    /// Approve (publish) or reject an update awaiting approval.
    pub fn review_update(
        &self,
        plan_id: &str,
        id: i64,
        approve: bool,
        reviewer: &str,
    ) -> Result<DeliveryUpdate, StoreError> {
        self.pool.write(|tx| {
            let u = one(tx, plan_id, id)?;
            if u.publication != Publication::Pending {
                return Err(StoreError::Rejected {
                    field: "update",
                    message: format!(
                        "Update {id} is not awaiting approval (it is {})",
                        u.publication.label().to_lowercase()
                    ),
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
        })
    }

    /// Add a milestone to a delivering plan; `taken` says which ids the plan already uses.
    pub fn add_milestone(
        &self,
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
        self.pool.write(|tx| {
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
        })
    }

    /// The milestones partners added to a plan's delivering plans.
    pub fn added_milestones(&self, plan_id: &str) -> Result<Vec<AddedMilestone>, StoreError> {
        self.pool.read(|tx| added_milestones(tx, plan_id))
    }
}
