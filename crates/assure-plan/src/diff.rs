//! What changed between two versions of a plan (the plan is refreshed every two years).
//!
//! Items are matched by id (outcomes by number; delivery links by commitment and the
//! plans they name) and compared field by field. Source line numbers are not compared:
//! a new edition of the document renumbers everything.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::model::*;

/// Whether an item was added, removed or changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Only in the newer plan.
    Added,
    /// Only in the older plan.
    Removed,
    /// In both, with different content.
    Changed,
}

/// One field that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its value in the older plan (null if absent).
    pub before: Value,
    /// Its value in the newer plan (null if absent).
    pub after: Value,
}

/// One item that differs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What sort of item ("commitment", "indicator", ...).
    pub item: &'static str,
    /// Its key.
    pub id: String,
    /// Its title or name (from the newer plan where it exists).
    pub title: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// For changed items, the fields that differ.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

/// Everything that differs between two plans, in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanDiff {
    /// The older plan's id.
    pub from: String,
    /// The newer plan's id.
    pub to: String,
    /// The changes.
    pub changes: Vec<Change>,
}

impl PlanDiff {
    /// Counts of (added, removed, changed).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |k| self.changes.iter().filter(|c| c.kind == k).count();
        (n(ChangeKind::Added), n(ChangeKind::Removed), n(ChangeKind::Changed))
    }
}

/// Serialise an item without its source positions (and without the nested lists compared separately).
fn content<T: Serialize>(item: &T, skip: &[&str]) -> BTreeMap<String, Value> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.retain(|k, _| !(k == "line" || k.ends_with("_line")));
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(item).unwrap_or(Value::Null);
    strip(&mut v);
    match v {
        Value::Object(map) => map.into_iter().filter(|(k, _)| !skip.contains(&k.as_str())).collect(),
        other => BTreeMap::from([("value".to_owned(), other)]),
    }
}

/// Compare two keyed collections of one item type.
fn compare(
    item: &'static str,
    before: Vec<(String, String, BTreeMap<String, Value>)>,
    after: Vec<(String, String, BTreeMap<String, Value>)>,
    out: &mut Vec<Change>,
) {
    let old: BTreeMap<&str, (&str, &BTreeMap<String, Value>)> =
        before.iter().map(|(k, t, c)| (k.as_str(), (t.as_str(), c))).collect();
    let new: BTreeMap<&str, (&str, &BTreeMap<String, Value>)> =
        after.iter().map(|(k, t, c)| (k.as_str(), (t.as_str(), c))).collect();
    for (k, (title, c)) in &new {
        match old.get(k) {
            None => out.push(Change {
                item,
                id: (*k).to_owned(),
                title: (*title).to_owned(),
                kind: ChangeKind::Added,
                fields: vec![],
            }),
            Some((_, oc)) if oc != c => {
                let mut keys: Vec<&String> = oc.keys().chain(c.keys()).collect();
                keys.sort();
                keys.dedup();
                let fields = keys
                    .into_iter()
                    .filter(|f| oc.get(*f) != c.get(*f))
                    .map(|f| FieldChange {
                        field: f.clone(),
                        before: oc.get(f).cloned().unwrap_or(Value::Null),
                        after: c.get(f).cloned().unwrap_or(Value::Null),
                    })
                    .collect();
                out.push(Change {
                    item,
                    id: (*k).to_owned(),
                    title: (*title).to_owned(),
                    kind: ChangeKind::Changed,
                    fields,
                });
            }
            Some(_) => {}
        }
    }
    for (k, (title, _)) in &old {
        if !new.contains_key(k) {
            out.push(Change {
                item,
                id: (*k).to_owned(),
                title: (*title).to_owned(),
                kind: ChangeKind::Removed,
                fields: vec![],
            });
        }
    }
}

/// Keyed items of each kind in a plan.
type Keyed = Vec<(String, String, BTreeMap<String, Value>)>;

fn links(p: &Plan) -> Keyed {
    let mut out = Vec::new();
    for c in &p.commitments {
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for l in &c.links {
            let mut plans: Vec<&str> = l.plans.iter().map(|x| x.get_ref().as_str()).collect();
            plans.sort_unstable();
            let mut key = format!("{} → {}", c.id.get_ref(), plans.join(" + "));
            // Two rows of one table may name the same plan: number the repeats.
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            if *n > 1 {
                key = format!("{key} #{n}");
            }
            out.push((key, l.plan_text.clone(), content(l, &[])));
        }
    }
    out
}

fn indicators(p: &Plan) -> (Keyed, Keyed) {
    let whole =
        p.indicators.iter().map(|i| (i.id.get_ref().clone(), i.measure.clone(), content(i, &["part"]))).collect();
    let parts = p
        .indicators
        .iter()
        .flat_map(|i| {
            i.parts
                .iter()
                .map(move |x| (format!("{}/{}", i.id.get_ref(), x.id.get_ref()), x.measure.clone(), content(x, &[])))
        })
        .collect();
    (whole, parts)
}

fn place_priorities(p: &Plan) -> Keyed {
    p.places
        .iter()
        .flat_map(|pl| {
            pl.priorities
                .iter()
                .map(move |pr| (format!("{} / {}", pl.id.get_ref(), pr.title), pr.title.clone(), content(pr, &[])))
        })
        .collect()
}

/// What changed from `before` to `after`.
pub fn diff(before: &Plan, after: &Plan) -> PlanDiff {
    let mut changes = Vec::new();
    macro_rules! by_id {
        ($item:literal, $field:ident, $key:expr, $title:expr, $skip:expr) => {
            compare(
                $item,
                before.$field.iter().map(|x| ($key(x), $title(x), content(x, $skip))).collect(),
                after.$field.iter().map(|x| ($key(x), $title(x), content(x, $skip))).collect(),
                &mut changes,
            )
        };
    }
    compare(
        "plan",
        vec![("plan".into(), before.meta.title.clone(), content(&before.meta, &["id"]))],
        vec![("plan".into(), after.meta.title.clone(), content(&after.meta, &["id"]))],
        &mut changes,
    );
    by_id!("outcome", outcomes, |o: &Outcome| o.number.get_ref().to_string(), |o: &Outcome| o.title.clone(), &[]);
    by_id!("priority", priorities, |p: &Priority| p.id.get_ref().clone(), |p: &Priority| p.title.clone(), &[]);
    by_id!(
        "commitment",
        commitments,
        |c: &Commitment| c.id.get_ref().clone(),
        |c: &Commitment| c.title.clone(),
        &["link"]
    );
    compare("delivery link", links(before), links(after), &mut changes);
    by_id!(
        "delivering plan",
        delivering_plans,
        |p: &DeliveringPlan| p.id.get_ref().clone(),
        |p: &DeliveringPlan| p.name.clone(),
        &[]
    );
    by_id!(
        "organisation",
        organisations,
        |o: &Organisation| o.id.get_ref().clone(),
        |o: &Organisation| o.name.clone(),
        &[]
    );
    let (bi, bp) = indicators(before);
    let (ai, ap) = indicators(after);
    compare("indicator", bi, ai, &mut changes);
    compare("indicator part", bp, ap, &mut changes);
    by_id!(
        "delivery example",
        delivery_examples,
        |e: &DeliveryExample| e.id.get_ref().clone(),
        |e: &DeliveryExample| e.title.clone(),
        &[]
    );
    by_id!("enabler", enablers, |e: &Enabler| e.id.get_ref().clone(), |e: &Enabler| e.title.clone(), &[]);
    compare("place priority", place_priorities(before), place_priorities(after), &mut changes);
    by_id!("area", areas, |a: &Area| a.id.get_ref().clone(), |a: &Area| a.name.clone(), &[]);
    PlanDiff { from: before.meta.id.get_ref().clone(), to: after.meta.id.get_ref().clone(), changes }
}
