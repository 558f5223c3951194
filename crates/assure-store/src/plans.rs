//! Plans in tables: one row per outcome, priority, commitment, delivery link,
//! delivering plan, organisation, indicator, example, milestone, enabler, place and area.
//!
//! The mapping between the domain types and the tables is declared once, as data
//! ([`TABLES`]): which fields are columns, which lists are child tables, and which
//! narrative fields stay together in a JSON `detail` column. Writing walks the
//! serialised plan; reading builds the same JSON back and deserialises it into the
//! domain types, so a plan read from the database equals the plan written to it.

use std::collections::HashMap;

use assure_plan::{Area, DeliveringPlan, DeliveryExample, Enabler, Indicator, Organisation, Outcome, Place, Plan};
use assure_plan::{Commitment, Fact, Governance, PlanMeta, Priority, Section};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::sql::{Tx, Value};
use crate::{Store, StoreError, archive, audit};

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Int,
    Real,
    Text,
    Bool,
}

/// A field stored in a column: the column's name, the field's path in the item's JSON, its type.
struct Column(&'static str, &'static [&'static str], Ty);

/// A list of items stored in a table.
struct Table {
    /// The table.
    name: &'static str,
    /// The field of the parent (the plan, or a parent item) that holds the list.
    field: &'static str,
    /// Columns that identify the parent row: (column here, column of the parent's row).
    parent: &'static [(&'static str, &'static str)],
    /// Fields kept in columns.
    columns: &'static [Column],
    /// For lists of plain values (ids, numbers): the column holding each value.
    scalar: Option<Column>,
    /// Whether the remaining fields are kept in a JSON `detail` column.
    detail: bool,
    /// Lists inside each item, stored in their own tables.
    children: &'static [Table],
    /// Extra condition that selects this list's rows when a table holds two lists.
    filter: &'static str,
}

const fn text(name: &'static str) -> Column {
    Column(name, &[], Ty::Text)
}

macro_rules! col {
    ($name:literal) => {
        Column($name, &[$name], Ty::Text)
    };
    ($name:literal, $ty:ident) => {
        Column($name, &[$name], Ty::$ty)
    };
    ($name:literal = $($path:literal).+, $ty:ident) => {
        Column($name, &[$($path),+], Ty::$ty)
    };
}

const LIST: Table =
    Table { name: "", field: "", parent: &[], columns: &[], scalar: None, detail: false, children: &[], filter: "" };

const TARGET_AND_BASELINE: [Column; 7] = [
    col!("baseline_value" = "baseline"."value", Real),
    col!("baseline_period" = "baseline"."period", Text),
    col!("baseline_note" = "baseline"."note", Text),
    col!("target_kind" = "target"."kind", Text),
    col!("target_value" = "target"."value", Real),
    col!("target_by" = "target"."by", Text),
    col!("target_offset" = "target"."offset", Real),
];

/// The plan's lists and where they live. The order is the order of deletion-free
/// insertion; foreign keys are deferred, so any order would do.
const TABLES: &[Table] = &[
    Table {
        name: "area",
        field: "areas",
        columns: &[
            col!("id"),
            col!("name"),
            col!("kind"),
            col!("code"),
            col!("ods"),
            col!("parent_id" = "parent", Text),
            col!("line", Int),
            col!("valid_from"),
            col!("valid_to"),
        ],
        children: &[
            Table {
                name: "area_member",
                field: "member",
                parent: &[("area_id", "id")],
                columns: &[col!("member_id" = "area", Text), col!("coverage"), col!("note")],
                ..LIST
            },
            Table {
                name: "area_alias",
                field: "aliases",
                parent: &[("area_id", "id")],
                scalar: Some(text("alias")),
                ..LIST
            },
        ],
        ..LIST
    },
    Table {
        name: "outcome",
        field: "outcomes",
        columns: &[col!("number", Int), col!("title"), col!("line", Int), col!("ambition"), col!("ambition_line", Int)],
        detail: true,
        ..LIST
    },
    Table {
        name: "priority",
        field: "priorities",
        columns: &[
            col!("id"),
            col!("outcome", Int),
            col!("title"),
            col!("line", Int),
            col!("description"),
            col!("description_line", Int),
        ],
        detail: true,
        ..LIST
    },
    Table {
        name: "delivering_plan",
        field: "delivering_plans",
        columns: &[col!("id"), col!("name"), col!("status"), col!("line", Int)],
        detail: true,
        ..LIST
    },
    Table {
        name: "organisation",
        field: "organisations",
        columns: &[
            col!("id"),
            col!("name"),
            col!("kind"),
            col!("parent_id" = "parent", Text),
            col!("area_id" = "area", Text),
            col!("line", Int),
        ],
        detail: true,
        ..LIST
    },
    Table {
        name: "commitment",
        field: "commitments",
        columns: &[col!("id"), col!("outcome", Int), col!("title"), col!("line", Int), col!("untitled", Bool)],
        children: &[
            Table {
                name: "commitment_priority",
                field: "priorities",
                parent: &[("commitment_id", "id")],
                scalar: Some(text("priority_id")),
                ..LIST
            },
            Table {
                name: "delivery_link",
                field: "link",
                parent: &[("commitment_id", "id")],
                columns: &[col!("line", Int), col!("plan_text"), col!("led_by_text")],
                children: &[
                    Table {
                        name: "delivery_link_plan",
                        field: "plans",
                        parent: &[("commitment_id", "commitment_id"), ("link_position", "position")],
                        scalar: Some(text("delivering_plan_id")),
                        ..LIST
                    },
                    Table {
                        name: "delivery_link_lead",
                        field: "led_by",
                        parent: &[("commitment_id", "commitment_id"), ("link_position", "position")],
                        scalar: Some(text("organisation_id")),
                        ..LIST
                    },
                ],
                ..LIST
            },
        ],
        ..LIST
    },
    Table {
        name: "indicator",
        field: "indicators",
        columns: &INDICATOR_COLUMNS,
        children: &[Table {
            name: "indicator",
            field: "part",
            parent: &[("parent_id", "id")],
            columns: &PART_COLUMNS,
            detail: true,
            filter: "parent_id IS NOT NULL",
            ..LIST
        }],
        detail: true,
        filter: "parent_id IS NULL",
        ..LIST
    },
    Table {
        name: "delivery_example",
        field: "delivery_examples",
        columns: &[col!("id"), col!("outcome", Int), col!("title"), col!("line", Int), col!("summary_line", Int)],
        detail: true,
        children: &[
            Table {
                name: "delivery_example_plan",
                field: "plans",
                parent: &[("example_id", "id")],
                scalar: Some(text("delivering_plan_id")),
                ..LIST
            },
            Table {
                name: "milestone",
                field: "milestone",
                parent: &[("example_id", "id")],
                columns: &[col!("id"), col!("title"), col!("due"), col!("line", Int), col!("text")],
                ..LIST
            },
        ],
        ..LIST
    },
    Table {
        name: "enabler",
        field: "enablers",
        columns: &[
            col!("id"),
            col!("number", Int),
            col!("title"),
            col!("line", Int),
            col!("description"),
            col!("description_line", Int),
        ],
        detail: true,
        ..LIST
    },
    Table {
        name: "place",
        field: "places",
        columns: &[
            col!("id"),
            col!("name"),
            col!("heading"),
            col!("kind"),
            col!("organisation_id" = "organisation", Text),
            col!("area_id" = "area", Text),
            col!("line", Int),
            col!("note"),
        ],
        children: &[Table {
            name: "place_priority",
            field: "priority",
            parent: &[("place_id", "id")],
            columns: &[col!("line", Int), col!("title")],
            children: &[Table {
                name: "place_priority_outcome",
                field: "outcomes",
                parent: &[("place_id", "place_id"), ("priority_position", "position")],
                scalar: Some(Column("outcome", &[], Ty::Int)),
                ..LIST
            }],
            ..LIST
        }],
        ..LIST
    },
];

const INDICATOR_COLUMNS: [Column; 15] = {
    let [a, b, c, d, e, f, g] = TARGET_AND_BASELINE;
    [
        col!("id"),
        col!("outcome", Int),
        col!("line", Int),
        col!("statement"),
        col!("measure"),
        col!("unit"),
        col!("polarity"),
        col!("geography"),
        a,
        b,
        c,
        d,
        e,
        f,
        g,
    ]
};

const PART_COLUMNS: [Column; 12] = {
    let [a, b, c, d, e, f, g] = TARGET_AND_BASELINE;
    [col!("id"), col!("measure"), col!("unit"), col!("polarity"), col!("geography"), a, b, c, d, e, f, g]
};

/// Column values of one written or read row, by column name, for its children's keys.
type RowKeys = HashMap<&'static str, Value>;

fn bad(table: &str, message: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("table {table}: {message}"))
}

/// Take the value at `path` out of `obj`, as a column value of type `ty`.
fn take(obj: &mut Map<String, Json>, path: &[&str], ty: Ty, table: &str) -> Result<Value, StoreError> {
    let Some((last, parents)) = path.split_last() else { return Ok(Value::Null) };
    let mut cur = obj;
    for p in parents {
        match cur.get_mut(*p) {
            Some(Json::Object(o)) => cur = o,
            _ => return Ok(Value::Null),
        }
    }
    let v = cur.remove(*last).unwrap_or(Json::Null);
    to_value(v, ty, table, last)
}

fn to_value(v: Json, ty: Ty, table: &str, field: &str) -> Result<Value, StoreError> {
    Ok(match (v, ty) {
        (Json::Null, Ty::Bool) => Value::Bool(false),
        (Json::Null, _) => Value::Null,
        (Json::String(s), Ty::Text) => Value::Text(s),
        (Json::Number(n), Ty::Int) => {
            Value::Int(n.as_i64().ok_or_else(|| bad(table, format!("{field} {n} is not an integer")))?)
        }
        (Json::Number(n), Ty::Real) => Value::Real(n.as_f64().unwrap_or(f64::NAN)),
        (Json::Bool(b), Ty::Bool) => Value::Bool(b),
        (other, _) => return Err(bad(table, format!("{field} has an unexpected value {other}"))),
    })
}

fn from_value(v: Value, ty: Ty) -> Json {
    match (v, ty) {
        (Value::Null, _) => Json::Null,
        (Value::Int(i), Ty::Bool) => Json::Bool(i != 0),
        (Value::Int(i), Ty::Real) => Json::from(i as f64),
        (Value::Int(i), _) => Json::from(i),
        (Value::Real(f), _) => Json::from(f),
        (Value::Text(s), _) => Json::String(s),
        (Value::Bool(b), _) => Json::Bool(b),
    }
}

/// Remove nulls and the objects they leave empty (the serialised form of `None`, which
/// deserialises back to `None`); returns whether anything is left of `v`.
fn prune(v: &mut Json) -> bool {
    match v {
        Json::Null => false,
        Json::Object(o) => {
            o.retain(|_, v| prune(v));
            !o.is_empty()
        }
        Json::Array(a) => {
            for x in a.iter_mut() {
                prune(x);
            }
            true
        }
        _ => true,
    }
}

fn insert_list(
    tx: &mut Tx<'_>,
    plan_id: &str,
    table: &Table,
    items: Vec<Json>,
    parent: &RowKeys,
) -> Result<(), StoreError> {
    let mut names: Vec<&'static str> = vec!["plan_id"];
    names.extend(table.parent.iter().map(|(c, _)| *c));
    names.push("position");
    names.extend(table.scalar.iter().map(|c| c.0));
    names.extend(table.columns.iter().map(|c| c.0));
    if table.detail {
        names.push("detail");
    }
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    let sql = format!("INSERT INTO {} ({}) VALUES ({})", table.name, names.join(", "), placeholders.join(", "));

    for (position, item) in items.into_iter().enumerate() {
        let mut row: Vec<Value> = Vec::with_capacity(names.len());
        row.push(plan_id.into());
        for (_, from) in table.parent {
            row.push(parent.get(from).cloned().unwrap_or(Value::Null));
        }
        row.push(Value::Int(position as i64));
        let mut children = Vec::new();
        if let Some(c) = &table.scalar {
            row.push(to_value(item, c.2, table.name, c.0)?);
        } else {
            let Json::Object(mut obj) = item else { return Err(bad(table.name, "item is not an object")) };
            for c in table.columns {
                row.push(take(&mut obj, c.1, c.2, table.name)?);
            }
            for child in table.children {
                children.push(match obj.remove(child.field) {
                    Some(Json::Array(a)) => a,
                    None | Some(Json::Null) => Vec::new(),
                    Some(other) => return Err(bad(child.name, format!("{} is not a list: {other}", child.field))),
                });
            }
            let mut rest = Json::Object(obj);
            let has_rest = prune(&mut rest);
            if table.detail {
                row.push(Value::Text(if has_rest { rest.to_string() } else { "{}".to_owned() }));
            } else if has_rest {
                return Err(bad(table.name, format!("fields without a column: {rest}")));
            }
        }
        tx.execute(&sql, &row)?;
        if !table.children.is_empty() {
            let keys: RowKeys = names.iter().copied().zip(row).collect();
            for (child, items) in table.children.iter().zip(children) {
                insert_list(tx, plan_id, child, items, &keys)?;
            }
        }
    }
    Ok(())
}

/// A row read back: its key columns, for its children, and the item it holds.
struct ReadRow {
    keys: RowKeys,
    item: Json,
}

fn key_of(keys: &RowKeys, columns: impl Iterator<Item = &'static str>) -> String {
    let mut k = String::new();
    for c in columns {
        match keys.get(c) {
            Some(Value::Text(s)) => k.push_str(s),
            Some(Value::Int(i)) => k.push_str(&i.to_string()),
            _ => {}
        }
        k.push('\u{1f}');
    }
    k
}

fn read_list(tx: &mut Tx<'_>, plan_id: &str, table: &Table) -> Result<Vec<ReadRow>, StoreError> {
    let mut names: Vec<&'static str> = table.parent.iter().map(|(c, _)| *c).collect();
    names.push("position");
    let fixed = names.len();
    names.extend(table.scalar.iter().map(|c| c.0));
    names.extend(table.columns.iter().map(|c| c.0));
    if table.detail {
        names.push("detail");
    }
    let order: Vec<&str> = names[..fixed].to_vec();
    let filter = if table.filter.is_empty() { String::new() } else { format!(" AND {}", table.filter) };
    let sql = format!(
        "SELECT {} FROM {} WHERE plan_id = $1{filter} ORDER BY {}",
        names.join(", "),
        table.name,
        order.join(", ")
    );
    let rows = tx.query(&sql, &[plan_id.into()])?;

    let mut children: Vec<HashMap<String, Vec<Json>>> = Vec::new();
    for child in table.children {
        let mut grouped: HashMap<String, Vec<Json>> = HashMap::new();
        for r in read_list(tx, plan_id, child)? {
            grouped.entry(key_of(&r.keys, child.parent.iter().map(|(c, _)| *c))).or_default().push(r.item);
        }
        children.push(grouped);
    }

    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut values = row.into_iter();
        let mut keys: RowKeys = HashMap::new();
        for name in &names[..fixed] {
            keys.insert(name, values.next().unwrap_or(Value::Null));
        }
        let item = if let Some(c) = &table.scalar {
            from_value(values.next().unwrap_or(Value::Null), c.2)
        } else {
            let mut column_values = Vec::with_capacity(table.columns.len());
            for c in table.columns {
                let v = values.next().unwrap_or(Value::Null);
                if table.children.iter().any(|ch| ch.parent.iter().any(|(_, from)| *from == c.0)) {
                    keys.insert(c.0, v.clone());
                }
                column_values.push(v);
            }
            let mut obj = match values.next() {
                Some(Value::Text(d)) if table.detail => match serde_json::from_str(&d) {
                    Ok(Json::Object(o)) => o,
                    _ => return Err(bad(table.name, format!("detail is not a JSON object: {d}"))),
                },
                _ => Map::new(),
            };
            for (c, v) in table.columns.iter().zip(column_values) {
                let v = from_value(v, c.2);
                if v.is_null() {
                    continue;
                }
                let (last, parents) = c.1.split_last().ok_or_else(|| bad(table.name, "column without a field"))?;
                let mut cur = &mut obj;
                for p in parents {
                    cur = match cur.entry(*p).or_insert_with(|| Json::Object(Map::new())) {
                        Json::Object(o) => o,
                        _ => return Err(bad(table.name, format!("{p} is not an object"))),
                    };
                }
                cur.insert((*last).to_owned(), v);
            }
            for (child, grouped) in table.children.iter().zip(&mut children) {
                let k = key_of(&keys, child.parent.iter().map(|(_, from)| *from));
                obj.insert(child.field.to_owned(), Json::Array(grouped.remove(&k).unwrap_or_default()));
            }
            Json::Object(obj)
        };
        out.push(ReadRow { keys, item });
    }
    Ok(out)
}

/// Deserialise a domain value from JSON built out of rows.
///
/// The domain types keep source positions on identifiers (`toml::Spanned`), which only
/// the TOML reader can produce, so the value goes through TOML text on its way back.
pub(crate) fn from_json<T: DeserializeOwned>(what: &str, mut value: Json) -> Result<T, StoreError> {
    #[derive(serde::Deserialize)]
    struct Wrap<T> {
        v: T,
    }
    prune(&mut value);
    let mut wrapped = Map::new();
    wrapped.insert("v".to_owned(), value);
    let text = toml::to_string(&Json::Object(wrapped)).map_err(|e| bad(what, e))?;
    toml::from_str::<Wrap<T>>(&text).map(|w| w.v).map_err(|e| bad(what, e.message()))
}

/// Write a whole plan. The caller owns the transaction.
pub(crate) fn insert_plan(tx: &mut Tx<'_>, plan: &Plan, actor: &str, at: &str) -> Result<(), StoreError> {
    let Json::Object(mut doc) = serde_json::to_value(plan).map_err(|e| bad("plan", e))? else {
        return Err(bad("plan", "plan is not an object"));
    };
    let id = plan.meta.id.get_ref().as_str();
    let m = &plan.meta;
    let mut detail = Map::new();
    for (field, key) in [("facts", "fact"), ("governance", "governance"), ("sections", "section")] {
        detail.insert(key.to_owned(), doc.remove(field).unwrap_or(Json::Null));
    }
    tx.execute(
        "INSERT INTO plan (id, title, published, period, source, line, vision, vision_line, refresh, refresh_line, \
         detail, imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            id.into(),
            m.title.as_str().into(),
            m.published.as_str().into(),
            m.period.as_str().into(),
            m.source.as_str().into(),
            Value::Int(m.line.into()),
            m.vision.as_str().into(),
            Value::Int(m.vision_line.into()),
            m.refresh.as_str().into(),
            Value::Int(m.refresh_line.into()),
            Value::Text(Json::Object(detail).to_string()),
            at.into(),
            actor.into(),
        ],
    )?;
    for table in TABLES {
        let items = match doc.remove(table.field) {
            Some(Json::Array(a)) => a,
            _ => Vec::new(),
        };
        insert_list(tx, id, table, items, &RowKeys::new())?;
    }
    Ok(())
}

/// Read a whole plan back, or `None` if there is no plan with this id.
pub(crate) fn read_plan(tx: &mut Tx<'_>, id: &str) -> Result<Option<Plan>, StoreError> {
    let rows = tx.query(
        "SELECT id, title, published, period, source, line, vision, vision_line, refresh, refresh_line, detail \
         FROM plan WHERE id = $1",
        &[id.into()],
    )?;
    let Some(row) = rows.into_iter().next() else { return Ok(None) };
    let names =
        ["id", "title", "published", "period", "source", "line", "vision", "vision_line", "refresh", "refresh_line"];
    let mut meta = Map::new();
    let mut detail = Json::Null;
    for (i, v) in row.into_iter().enumerate() {
        match names.get(i) {
            Some(name) => {
                meta.insert((*name).to_owned(), from_value(v, Ty::Text));
            }
            None => {
                detail = match &v {
                    Value::Text(d) => {
                        serde_json::from_str(d).map_err(|e| bad("plan", format!("detail is not JSON ({e}): {d}")))?
                    }
                    other => return Err(bad("plan", format!("detail is not JSON text: {other:?}"))),
                }
            }
        }
    }
    let meta: PlanMeta = from_json("plan", Json::Object(meta))?;
    let mut lists: HashMap<&str, Json> = HashMap::new();
    for table in TABLES {
        let items = read_list(tx, id, table)?.into_iter().map(|r| r.item).collect();
        lists.insert(table.field, Json::Array(items));
    }
    let mut list = |field: &str| lists.remove(field).unwrap_or(Json::Array(Vec::new()));
    let part = |key: &str| detail.get(key).cloned().unwrap_or(Json::Array(Vec::new()));
    Ok(Some(Plan {
        meta,
        facts: from_json::<Vec<Fact>>("plan facts", part("fact"))?,
        governance: from_json::<Vec<Governance>>("plan governance", part("governance"))?,
        sections: from_json::<Vec<Section>>("plan sections", part("section"))?,
        outcomes: from_json::<Vec<Outcome>>("outcome", list("outcomes"))?,
        priorities: from_json::<Vec<Priority>>("priority", list("priorities"))?,
        commitments: from_json::<Vec<Commitment>>("commitment", list("commitments"))?,
        delivering_plans: from_json::<Vec<DeliveringPlan>>("delivering_plan", list("delivering_plans"))?,
        organisations: from_json::<Vec<Organisation>>("organisation", list("organisations"))?,
        indicators: from_json::<Vec<Indicator>>("indicator", list("indicators"))?,
        delivery_examples: from_json::<Vec<DeliveryExample>>("delivery_example", list("delivery_examples"))?,
        enablers: from_json::<Vec<Enabler>>("enabler", list("enablers"))?,
        places: from_json::<Vec<Place>>("place", list("places"))?,
        areas: from_json::<Vec<Area>>("area", list("areas"))?,
    }))
}

/// The plan a reader is shown, and two numbers that move when it changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRevision {
    /// The plan's id.
    pub plan_id: String,
    /// Moves with every write to the plan, its data, its delivery reports or the settings.
    pub revision: i64,
    /// Moves with every such write except partners' delivery reports (delivery updates and
    /// added milestones): the plan as read, and the tracking computed from its
    /// observations, are the same at two equal content revisions.
    pub content: i64,
}

/// A plan as stored: its identity and when it was imported, by whom.
#[derive(Debug, Clone, Serialize)]
pub struct StoredPlan {
    /// The plan's id, e.g. `kent-and-medway-2024-26`.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The period it covers.
    pub period: String,
    /// When it was imported (RFC 3339, UTC).
    pub imported_at: String,
    /// Who imported it.
    pub imported_by: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct PlanImport {
    /// The plan's id.
    pub plan: String,
    /// Whether it replaced a stored plan of the same id.
    pub replaced: bool,
    /// Observations kept across a replacement (their indicator is still in the plan).
    pub observations_kept: u64,
    /// Observations dropped by a replacement (their indicator is no longer in the plan).
    pub observations_dropped: u64,
    /// What the replacement dropped, archived, if anything.
    pub archived: Option<archive::Archived>,
}

/// Reading plans.
impl Store {
    /// A stored plan, whole.
    pub fn plan(&self, id: &str) -> Result<Plan, StoreError> {
        self.pool.read(|tx| read_plan(tx, id))?.ok_or_else(|| StoreError::NoSuchPlan(id.to_owned()))
    }

    /// A number that changes whenever anything in the plan changes (the plan's latest
    /// audit entry: every write makes one), or `None` if there is no such plan. Cheap
    /// enough to ask on every request, so that a cached plan is never stale, even when
    /// another process made the change.
    pub fn plan_revision(&self, id: &str) -> Result<Option<i64>, StoreError> {
        Ok(self.served_plan(Some(id))?.map(|(_, revision)| revision))
    }

    /// The plan a reader is shown — `id`, or else the latest published version (never a
    /// superseded one; a plan imported from files counts as published when imported) —
    /// with its revision (see [`Store::plan_revision`]), in one query; `None` if there is none.
    pub fn served_plan(&self, id: Option<&str>) -> Result<Option<(String, i64)>, StoreError> {
        Ok(self.served_revision(id)?.map(|s| (s.plan_id, s.revision)))
    }

    /// The served plan (as [`Store::served_plan`]) with both its revisions, in one query.
    pub fn served_revision(&self, id: Option<&str>) -> Result<Option<ServedRevision>, StoreError> {
        // Settings (how long before an item is stale, whether updates need approval)
        // change what pages show, so their latest change counts too. The content
        // revision's condition is the partial index's (migration 0016), word for word,
        // so that both databases answer it from that index.
        const REVISION: &str = "SELECT p.id, (SELECT max(a.id) FROM audit_log a WHERE a.plan_id = p.id), \
                                (SELECT max(c.id) FROM audit_log c WHERE c.plan_id = p.id \
                                 AND c.entity NOT IN ('delivery_update', 'milestone')), \
                                (SELECT max(s.id) FROM audit_log s WHERE s.entity = 'setting') FROM plan p";
        // Without parameters, so that PostgreSQL answers in one round trip: a plan id is
        // a slug (checked here), safe to write into the statement as a literal.
        let rows = match id {
            Some(id) if id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.') => {
                self.pool.query_once("plan", &format!("{REVISION} WHERE p.id = '{id}'"), &[])?
            }
            Some(_) => return Ok(None),
            None => self.pool.query_once("plan", &format!("{REVISION} {}", crate::versions::LATEST_PUBLISHED), &[])?,
        };
        let Some(r) = rows.first() else { return Ok(None) };
        // NULL: no entry yet (no setting was ever changed).
        let latest = |i| r.opt_int(i).map(|v| v.unwrap_or(0));
        let (all, content, setting) = (latest(1)?, latest(2)?, latest(3)?);
        Ok(Some(ServedRevision { plan_id: r.text(0)?, revision: all.max(setting), content: content.max(setting) }))
    }

    /// The stored plans, oldest import first.
    pub fn plans(&self) -> Result<Vec<StoredPlan>, StoreError> {
        let rows = self.pool.read(|tx| {
            tx.rows(
                "plan",
                "SELECT id, title, period, imported_at, imported_by FROM plan ORDER BY imported_at, id",
                &[],
            )
        })?;
        rows.iter()
            .map(|r| {
                Ok(StoredPlan {
                    id: r.text(0)?,
                    title: r.text(1)?,
                    period: r.text(2)?,
                    imported_at: r.text(3)?,
                    imported_by: r.text(4)?,
                })
            })
            .collect()
    }
}

/// Storing and deleting whole plans.
impl Store {
    /// Store a validated plan in one transaction. A plan with the same id is an error
    /// unless `replace`, which swaps it whole, keeping the observations, delivery updates
    /// and added milestones of what is still in the plan; a replacement that would drop
    /// any is [`StoreError::WouldDrop`] (nothing written) unless `drop`, which archives
    /// them ([`Store::restore_archived`] puts them back). The audit entry records the plan
    /// before and after.
    pub fn import_plan(&self, request: &ImportPlanRequest<'_>) -> Result<PlanImport, StoreError> {
        self.pool.write(|tx| import(tx, request))
    }

    /// Delete a plan and everything in it, recording it whole in the audit log; its
    /// observations, delivery updates and added milestones are archived (returned: what,
    /// and the archive's number), to be restored after the plan is imported again.
    pub fn delete_plan(&self, id: &str, actor: &str) -> Result<Option<archive::Archived>, StoreError> {
        self.pool.write(|tx| delete(tx, id, actor))
    }
}

/// What to store, by whom, and what a replacement may do (see [`crate::Store::import_plan`]).
#[derive(Debug, Clone, Copy)]
pub struct ImportPlanRequest<'a> {
    /// The validated plan.
    pub plan: &'a Plan,
    /// Who is importing it, for the audit log.
    pub actor: &'a str,
    /// Replace a stored plan with the same id (otherwise that is [`StoreError::PlanExists`]).
    pub replace: bool,
    /// Let a replacement drop the observations, delivery updates and added milestones
    /// of what the new plan no longer has, archiving them (otherwise that is
    /// [`StoreError::WouldDrop`], and nothing is written).
    pub drop: bool,
}

impl<'a> ImportPlanRequest<'a> {
    /// Import a new plan: no replacing, no dropping.
    pub fn new(plan: &'a Plan, actor: &'a str) -> ImportPlanRequest<'a> {
        ImportPlanRequest { plan, actor, replace: false, drop: false }
    }

    /// Replace a stored plan of the same id, keeping everything that still belongs to it.
    pub fn replacing(self) -> ImportPlanRequest<'a> {
        ImportPlanRequest { replace: true, ..self }
    }

    /// Replace, and archive whatever no longer belongs to the plan.
    pub fn dropping(self) -> ImportPlanRequest<'a> {
        ImportPlanRequest { replace: true, drop: true, ..self }
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Store a plan (see [`crate::Store::import_plan`]). The caller owns the transaction.
pub(crate) fn import(tx: &mut Tx<'_>, request: &ImportPlanRequest<'_>) -> Result<PlanImport, StoreError> {
    let ImportPlanRequest { plan, actor, replace, drop } = *request;
    let id = plan.meta.id.get_ref().clone();
    let before = read_plan(tx, &id)?;
    if before.is_some() && !replace {
        return Err(StoreError::PlanExists(id));
    }
    let dropped = match &before {
        Some(_) => archive::would_drop(tx, &id, Some(&archive::Kept::of(plan)))?,
        None => archive::Dropped::default(),
    };
    if !dropped.is_empty() && !drop {
        return Err(StoreError::WouldDrop { plan: id, dropped });
    }
    // Observations, updates and added milestones have no foreign key to the plan's
    // items: what the new plan keeps stays where it is, untouched.
    if before.is_some() {
        tx.execute("DELETE FROM plan WHERE id = $1", &[id.as_str().into()])?;
    }
    let at = crate::now();
    insert_plan(tx, plan, actor, &at)?;
    let before_json = before.as_ref().map(json).transpose()?;
    audit::record(
        tx,
        &audit::NewEntry {
            at: &at,
            actor,
            action: if before.is_some() { "replace" } else { "import" },
            entity: "plan",
            entity_id: &id,
            plan_id: Some(&id),
            before: before_json.as_deref(),
            after: Some(&json(plan)?),
        },
    )?;
    let observations_dropped = dropped.observation_rows();
    let archived = if dropped.is_empty() { None } else { Some(archive::archive(tx, &id, dropped, actor)?) };
    let kept = tx.rows("observation", "SELECT count(*) FROM observation WHERE plan_id = $1", &[id.as_str().into()])?;
    let observations_kept = kept.first().map_or(Ok(0), |r| r.count(0))?;
    Ok(PlanImport { plan: id, replaced: before.is_some(), observations_kept, observations_dropped, archived })
}

/// Delete a plan, archiving its observations, delivery updates and added milestones
/// (see [`crate::Store::delete_plan`]). The caller owns the transaction.
pub(crate) fn delete(tx: &mut Tx<'_>, id: &str, actor: &str) -> Result<Option<archive::Archived>, StoreError> {
    let before = read_plan(tx, id)?.ok_or_else(|| StoreError::NoSuchPlan(id.to_owned()))?;
    let dropped = archive::would_drop(tx, id, None)?;
    tx.execute("DELETE FROM plan WHERE id = $1", &[id.into()])?;
    audit::record(
        tx,
        &audit::NewEntry {
            at: &crate::now(),
            actor,
            action: "delete",
            entity: "plan",
            entity_id: id,
            plan_id: Some(id),
            before: Some(&json(&before)?),
            after: None,
        },
    )?;
    if dropped.is_empty() {
        return Ok(None);
    }
    archive::archive(tx, id, dropped, actor).map(Some)
}
