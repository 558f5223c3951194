//! Versions of the plan: which stored plan is published, which ones it superseded, and
//! publishing a draft.
//!
//! A stored plan with no `plan_version` row was imported from files and counts as
//! published when it was imported. Publishing a draft stores it in the plan's tables (as
//! an import does), marks it published and the version served until then superseded,
//! and carries over to the new version everything the partnership recorded against the
//! old one that still has a place in it — in one transaction, so a failure leaves the
//! database as it was. What belongs to items the new version no longer has stays with
//! the old version, which stays readable: nothing is lost.

use std::collections::{BTreeMap, HashSet};

use assure_plan::Plan;
use serde::Serialize;

use crate::archive::{self, Dropped, Kept};
use crate::audit::{self, NewEntry};
use crate::sql::{Tx, Value};
use crate::{Store, StoreError, now, plans};

/// Whether a stored version is the one served or one that was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionState {
    /// Published: served (the latest published one) or still standing.
    Published,
    /// Superseded by a later version; readable, no longer served.
    Superseded,
}

impl VersionState {
    /// As the page says it.
    pub fn label(self) -> &'static str {
        match self {
            VersionState::Published => "Published",
            VersionState::Superseded => "Superseded",
        }
    }
}

/// A stored version of the plan and its life so far.
#[derive(Debug, Clone, Serialize)]
pub struct PlanVersion {
    /// The plan's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The period it covers.
    pub period: String,
    /// Published or superseded.
    pub state: VersionState,
    /// The version its draft was started from (none for a plan imported from files).
    pub based_on: Option<String>,
    /// When it was published (for a plan imported from files: when it was imported).
    pub published_at: String,
    /// Who published (or imported) it.
    pub published_by: String,
    /// When a later version superseded it.
    pub superseded_at: Option<String>,
    /// Who published the version that superseded it.
    pub superseded_by: Option<String>,
}

/// Rows moved from the old version to the new by publishing, by table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CarriedOver {
    /// Rows moved, by table (`observation`, `delivery_update`, `reporting_round` …).
    pub rows: BTreeMap<&'static str, u64>,
}

impl CarriedOver {
    /// Rows moved from one table.
    pub fn of(&self, table: &str) -> u64 {
        self.rows.get(table).copied().unwrap_or(0)
    }
}

/// What publishing a draft did.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    /// The new served version's id.
    pub plan: String,
    /// The version it superseded, if one was served.
    pub superseded: Option<String>,
    /// What moved across to the new version.
    pub carried_over: CarriedOver,
    /// What stayed with the old version, because its item is not in the new one.
    pub left_behind: Dropped,
}

/// The query of the served plan (see [`Store::served_plan`]): a plan with no version row
/// was imported from files and counts as published when it was imported.
pub(crate) const LATEST_PUBLISHED: &str = "LEFT JOIN plan_version v ON v.plan_id = p.id \
     WHERE v.state IS NULL OR v.state = 'published' \
     ORDER BY coalesce(v.published_at, p.imported_at) DESC, p.id LIMIT 1";

fn served(tx: &mut Tx<'_>) -> Result<Option<String>, StoreError> {
    let rows = tx.rows("plan", &format!("SELECT p.id FROM plan p {LATEST_PUBLISHED}"), &[])?;
    rows.first().map(|r| r.text(0)).transpose()
}

/// Versions: the list, and publishing.
impl Store {
    /// Every stored version with its state, most recently published first.
    pub fn plan_versions(&self) -> Result<Vec<PlanVersion>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "plan_version",
                "SELECT p.id, p.title, p.period, v.state, v.based_on, coalesce(v.published_at, p.imported_at), \
                 coalesce(v.published_by, p.imported_by), v.superseded_at, v.superseded_by \
                 FROM plan p LEFT JOIN plan_version v ON v.plan_id = p.id \
                 ORDER BY coalesce(v.published_at, p.imported_at) DESC, p.id",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                let state = match r.opt_text(3)?.as_deref() {
                    None | Some("published") => VersionState::Published,
                    Some("superseded") => VersionState::Superseded,
                    Some(_) => return Err(r.corrupt(3, "published or superseded")),
                };
                Ok(PlanVersion {
                    id: r.text(0)?,
                    title: r.text(1)?,
                    period: r.text(2)?,
                    state,
                    based_on: r.opt_text(4)?,
                    published_at: r.text(5)?,
                    published_by: r.text(6)?,
                    superseded_at: r.opt_text(7)?,
                    superseded_by: r.opt_text(8)?,
                })
            })
            .collect()
    }

    /// What of the served version would not carry over to `plan` if it were published:
    /// observations of indicators, delivery updates of items and milestones added to
    /// delivering plans it no longer has. Nothing when no plan is served.
    pub fn left_behind_by(&self, plan: &Plan) -> Result<Dropped, StoreError> {
        self.pool.read(|tx| match served(tx)? {
            Some(old) => archive::would_drop(tx, &old, Some(&Kept::of(plan))),
            None => Ok(Dropped::default()),
        })
    }

    /// Publish a draft (which the caller has checked: it has no problems): in one
    /// transaction, store it in the plan's tables, carry over what the partnership
    /// recorded against the served version for every item that survives, mark it
    /// published and the old one superseded, and delete the draft; audited.
    pub fn publish_draft(&self, draft_id: &str, actor: &str) -> Result<Published, StoreError> {
        self.pool.write(|tx| {
            let rows =
                tx.rows("plan_draft", "SELECT based_on, plan FROM plan_draft WHERE id = $1", &[draft_id.into()])?;
            let row = rows.first().ok_or_else(|| StoreError::NoSuchDraft(draft_id.to_owned()))?;
            let based_on = row.opt_text(0)?;
            let plan: Plan = plans::from_json("plan_draft", row.json(1)?)?;
            let taken = tx.rows("plan", "SELECT count(*) FROM plan WHERE id = $1", &[draft_id.into()])?;
            if taken.first().map(|r| r.count(0)).transpose()?.unwrap_or(0) > 0 {
                return Err(StoreError::PlanExists(draft_id.to_owned()));
            }
            let old = served(tx)?;
            let at = now();
            plans::insert_plan(tx, &plan, actor, &at)?;
            let (carried_over, left_behind) = match &old {
                Some(old) => carry_over(tx, old, draft_id, &plan)?,
                None => (CarriedOver::default(), Dropped::default()),
            };
            tx.execute(
                "INSERT INTO plan_version (plan_id, state, based_on, published_at, published_by) \
                 VALUES ($1, 'published', $2, $3, $4)",
                &[draft_id.into(), Value::text(based_on.as_deref()), at.as_str().into(), actor.into()],
            )?;
            if let Some(old) = &old {
                let changed = tx.execute(
                    "UPDATE plan_version SET state = 'superseded', superseded_at = $1, superseded_by = $2 \
                     WHERE plan_id = $3",
                    &[at.as_str().into(), actor.into(), old.as_str().into()],
                )?;
                if changed == 0 {
                    // Imported from files: published when it was imported.
                    tx.execute(
                        "INSERT INTO plan_version (plan_id, state, published_at, published_by, superseded_at, \
                         superseded_by) SELECT id, 'superseded', imported_at, imported_by, $1, $2 FROM plan \
                         WHERE id = $3",
                        &[at.as_str().into(), actor.into(), old.as_str().into()],
                    )?;
                }
            }
            tx.execute("DELETE FROM plan_draft WHERE id = $1", &[draft_id.into()])?;
            let published = Published { plan: draft_id.to_owned(), superseded: old.clone(), carried_over, left_behind };
            let summary = serde_json::json!({
                "superseded": old,
                "carried_over": published.carried_over.rows,
                "left_behind": published.left_behind,
            })
            .to_string();
            let body = serde_json::to_string(&plan).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            for (entity, plan_id, after) in [("plan", draft_id, body.as_str()), ("draft", draft_id, summary.as_str())] {
                audit::record(
                    tx,
                    &NewEntry {
                        at: &at,
                        actor,
                        action: "publish",
                        entity,
                        entity_id: draft_id,
                        plan_id: Some(plan_id),
                        before: None,
                        after: Some(after),
                    },
                )?;
            }
            if let Some(old) = &old {
                let after = serde_json::json!({ "superseded_by": draft_id }).to_string();
                audit::record(
                    tx,
                    &NewEntry {
                        at: &at,
                        actor,
                        action: "supersede",
                        entity: "plan",
                        entity_id: old,
                        plan_id: Some(old),
                        before: None,
                        after: Some(&after),
                    },
                )?;
            }
            Ok(published)
        })
    }
}

/// Move what was recorded against `old` to `new` wherever it still has a place there.
///
/// By table: observations, delivery updates and added milestones of items that survive
/// (as a replacement keeps them, [`Kept`]); what residents said, the themes and the
/// responses, where their outcome (and commitment, area) survives; the record of data
/// imports, issued reports, reporting rounds, governance bodies, meetings and decisions
/// belong to the partnership, not to one edition of its plan, and all move. Settings and
/// accounts are not per plan. The audit log is never rewritten: old entries stay under
/// the old id.
fn carry_over(tx: &mut Tx<'_>, old: &str, new: &str, plan: &Plan) -> Result<(CarriedOver, Dropped), StoreError> {
    let kept = Kept::of(plan);
    let left_behind = archive::would_drop(tx, old, Some(&kept))?;
    let mut moved = CarriedOver::default();
    let ids = [Value::from(new), Value::from(old)];
    let mut shift = |tx: &mut Tx<'_>, table: &'static str, filter: &str, extra: &[Value]| -> Result<(), StoreError> {
        let mut params = ids.to_vec();
        params.extend_from_slice(extra);
        let n = tx.execute(&format!("UPDATE {table} SET plan_id = $1 WHERE plan_id = $2{filter}"), &params)?;
        *moved.rows.entry(table).or_default() += n;
        Ok(())
    };
    for r in
        tx.rows("observation", "SELECT DISTINCT indicator_id FROM observation WHERE plan_id = $1", &[old.into()])?
    {
        let indicator = r.text(0)?;
        if !left_behind.observations.contains_key(&indicator) {
            shift(tx, "observation", " AND indicator_id = $3", &[indicator.into()])?;
        }
    }
    for r in tx.rows(
        "added_milestone",
        "SELECT DISTINCT delivering_plan FROM added_milestone WHERE plan_id = $1",
        &[old.into()],
    )? {
        let dp = r.text(0)?;
        if !left_behind.added_milestones.contains_key(&dp) {
            shift(tx, "added_milestone", " AND delivering_plan = $3", &[dp.into()])?;
        }
    }
    for r in tx.rows(
        "delivery_update",
        "SELECT DISTINCT item_kind, item_id FROM delivery_update WHERE plan_id = $1",
        &[old.into()],
    )? {
        let (kind, item) = (r.text(0)?, r.text(1)?);
        if !left_behind.updates.contains_key(&format!("{kind}:{item}")) {
            shift(tx, "delivery_update", " AND item_kind = $3 AND item_id = $4", &[kind.into(), item.into()])?;
        }
    }
    for table in ["data_import", "report_run", "reporting_round", "governance_body", "meeting", "meeting_decision"] {
        shift(tx, table, "", &[])?;
    }
    // Residents' voice, where what it is about survives.
    let outcomes: HashSet<i64> = plan.outcomes.iter().map(|o| i64::from(*o.number.get_ref())).collect();
    let commitments: HashSet<&str> = plan.commitments.iter().map(|c| c.id.get_ref().as_str()).collect();
    let areas: HashSet<&str> = plan.areas.iter().map(|a| a.id.get_ref().as_str()).collect();
    let mut themes_moved = HashSet::new();
    for r in
        tx.rows("engagement_theme", "SELECT id, outcome FROM engagement_theme WHERE plan_id = $1", &[old.into()])?
    {
        let (id, outcome) = (r.text(0)?, r.int(1)?);
        if outcomes.contains(&outcome) {
            shift(tx, "engagement_theme", " AND id = $3", &[id.as_str().into()])?;
            themes_moved.insert(id);
        }
    }
    for r in tx.rows(
        "contribution",
        "SELECT id, outcome, commitment_id, area_id FROM contribution WHERE plan_id = $1",
        &[old.into()],
    )? {
        let (id, outcome, commitment, area) = (r.int(0)?, r.int(1)?, r.opt_text(2)?, r.opt_text(3)?);
        if outcomes.contains(&outcome)
            && commitment.as_deref().is_none_or(|c| commitments.contains(c))
            && area.as_deref().is_none_or(|a| areas.contains(a))
        {
            shift(tx, "contribution", " AND id = $3", &[Value::Int(id)])?;
        }
    }
    for r in tx.rows(
        "engagement_response",
        "SELECT id, scope_kind, scope_id FROM engagement_response WHERE plan_id = $1",
        &[old.into()],
    )? {
        let (id, kind, scope) = (r.int(0)?, r.text(1)?, r.text(2)?);
        let survives = match kind.as_str() {
            "theme" => themes_moved.contains(&scope),
            "outcome" => scope.parse::<i64>().is_ok_and(|n| outcomes.contains(&n)),
            _ => areas.contains(scope.as_str()),
        };
        if survives {
            shift(tx, "engagement_response", " AND id = $3", &[Value::Int(id)])?;
        }
    }
    Ok((moved, left_behind))
}
