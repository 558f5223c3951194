//! The JSON API under `/api/v1`, mirroring the pages. Every endpoint is declared once in
//! [`endpoints`], which gives both the router and the OpenAPI document
//! (`/api/v1/openapi.json`), so the two cannot disagree. Errors answer the envelope
//! `{"errors":[{"detail":…,"field":…}]}`; lists are paginated (`page`, `per_page`) and
//! can be downloaded as CSV (`format=csv`).

mod handlers;
mod types;

use std::collections::HashMap;

use assure_plan::delivery::DeliveryStatus;
use axum::Json;
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde::Serialize;
use serde_json::{Value, json};

use crate::AppState;
pub use crate::error::{ApiError, ErrorResponse};
use types::Page;

/// A parameter of an endpoint, for the OpenAPI document.
pub struct Param {
    name: &'static str,
    location: &'static str,
    description: &'static str,
}

const fn path(name: &'static str, description: &'static str) -> Param {
    Param { name, location: "path", description }
}

const fn query(name: &'static str, description: &'static str) -> Param {
    Param { name, location: "query", description }
}

/// One endpoint: its path, what it answers, and its handler.
pub struct Endpoint {
    path: &'static str,
    summary: &'static str,
    params: Vec<Param>,
    /// Paginated, and available as CSV.
    list: bool,
    schema: fn(&mut SchemaGenerator) -> Schema,
    /// For a write (POST with an API token): the request body's schema.
    request: Option<fn(&mut SchemaGenerator) -> Schema>,
    handler: MethodRouter<AppState>,
}

fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// Every endpoint of the API.
pub fn endpoints() -> Vec<Endpoint> {
    use handlers as h;
    use types::*;
    let e = |path, summary, params, list, schema, handler| Endpoint {
        path,
        summary,
        params,
        list,
        schema,
        request: None,
        handler,
    };
    let write = |path, summary, params, schema, request, handler| Endpoint {
        path,
        summary,
        params,
        list: false,
        schema,
        request: Some(request),
        handler,
    };
    vec![
        e("/api/v1/plan", "The plan served, with counts", vec![], false, schema::<PlanResponse>, get(h::show_plan)),
        e(
            "/api/v1/outcomes",
            "The shared outcomes",
            vec![],
            false,
            schema::<Vec<OutcomeSummary>>,
            get(h::list_outcomes),
        ),
        e(
            "/api/v1/outcomes/{number}",
            "An outcome: priorities, commitments, indicators, examples, what we heard",
            vec![path("number", "The outcome's number, 1 to 6")],
            false,
            schema::<OutcomeResponse>,
            get(h::show_outcome),
        ),
        e(
            "/api/v1/commitments",
            "Every commitment",
            vec![],
            true,
            schema::<Page<CommitmentSummary>>,
            get(h::list_commitments),
        ),
        e(
            "/api/v1/commitments/{id}",
            "A commitment and its strategies and plans, with who leads them",
            vec![path("id", "Commitment id")],
            false,
            schema::<CommitmentResponse>,
            get(h::show_commitment),
        ),
        e(
            "/api/v1/plans",
            "Every delivering plan (strategy) with its status",
            vec![],
            true,
            schema::<Page<DeliveringPlanSummary>>,
            get(h::list_plans),
        ),
        e(
            "/api/v1/plans/{id}",
            "A delivering plan and every commitment it delivers",
            vec![path("id", "Delivering plan id")],
            false,
            schema::<DeliveringPlanResponse>,
            get(h::show_delivering_plan),
        ),
        e(
            "/api/v1/organisations",
            "The organisation registry",
            vec![],
            true,
            schema::<Page<OrganisationSummary>>,
            get(h::list_organisations),
        ),
        e(
            "/api/v1/organisations/{id}",
            "An organisation and everything it leads, through its parts too, by outcome",
            vec![path("id", "Organisation id, name or alias")],
            false,
            schema::<OrganisationResponse>,
            get(h::show_organisation),
        ),
        e(
            "/api/v1/indicators",
            "The strategic indicators",
            vec![],
            false,
            schema::<Vec<IndicatorSummary>>,
            get(h::list_indicators),
        ),
        e(
            "/api/v1/indicators/{id}",
            "An indicator: measures, baseline, target, computed status with its reason and projection, and stored observations",
            vec![path("id", "Indicator id")],
            false,
            schema::<IndicatorResponse>,
            get(h::show_indicator),
        ),
        e(
            "/api/v1/places",
            "Places: HCPs, districts, local councils",
            vec![],
            false,
            schema::<Vec<PlaceSummary>>,
            get(h::list_places),
        ),
        e(
            "/api/v1/places/{id}",
            "A place: its priorities mapped to outcomes, and the gaps",
            vec![path("id", "Place id")],
            false,
            schema::<PlaceResponse>,
            get(h::show_place),
        ),
        e(
            "/api/v1/enablers",
            "The enablers, whole",
            vec![],
            false,
            schema::<Vec<EnablerResponse>>,
            get(h::list_enablers),
        ),
        e(
            "/api/v1/enablers/{id}",
            "An enabler: its commitments and the ways they may be delivered, with leads",
            vec![path("id", "Enabler id")],
            false,
            schema::<EnablerResponse>,
            get(h::show_enabler),
        ),
        e(
            "/api/v1/milestones/{id}",
            "A milestone (of a shared delivery example, or added by a partner) with where it stands and its updates",
            vec![path("id", "Milestone id")],
            false,
            schema::<MilestoneResponse>,
            get(h::show_milestone),
        ),
        e(
            "/api/v1/search",
            "Search across the plan",
            vec![query("q", "Words to look for (all must match), at most 200 characters")],
            false,
            schema::<SearchResponse>,
            get(h::search),
        ),
        e(
            "/api/v1/contributions",
            "What residents said that moderators published (never a contact detail, age band or receipt)",
            vec![],
            false,
            schema::<Vec<ContributionSummary>>,
            get(h::list_contributions),
        ),
        e(
            "/api/v1/themes",
            "The themes of each outcome, with how many published contributions have each",
            vec![],
            false,
            schema::<Vec<ThemeSummary>>,
            get(h::list_themes),
        ),
        e(
            "/api/v1/responses",
            "Partners' responses to what residents said (you said, we did), with their status and links",
            vec![],
            false,
            schema::<Vec<ResponseSummary>>,
            get(h::list_responses),
        ),
        e(
            "/api/v1/committees",
            "The committees and boards overseeing the plan, with their meetings (latest first)",
            vec![],
            false,
            schema::<Vec<CommitteeResponse>>,
            get(h::list_committees),
        ),
        e(
            "/api/v1/meetings/{id}",
            "A meeting: the papers taken to it, its decisions and the actions it set",
            vec![path("id", "The meeting's number")],
            false,
            schema::<MeetingResponse>,
            get(h::show_meeting),
        ),
        e(
            "/api/v1/actions",
            "Every action committees set, with where it stands (filter by status, overdue and owner)",
            vec![
                query("status", "A delivery status, or `none` for actions with no update yet"),
                query("overdue", "Overdue actions only: any value but `0` or `false` (as `overdue=1`)"),
                query("organisation", "Owned by this organisation (an id or name), or one of its directorates"),
            ],
            true,
            schema::<Page<ActionSummary>>,
            get(h::list_actions),
        ),
        e(
            "/api/v1/actions/{id}",
            "An action: where it stands, the meeting that set it, what it concerns, and its updates",
            vec![path("id", "The action's number")],
            false,
            schema::<ActionResponse>,
            get(h::show_action),
        ),
        write(
            "/api/v1/milestones/{id}/updates",
            "Record an update of a milestone (an API token of an admin, or of an editor whose organisation leads it)",
            vec![path("id", "Milestone id")],
            schema::<UpdateResponse>,
            schema::<UpdateRequest>,
            post(h::post_milestone_update),
        ),
        write(
            "/api/v1/plans/{id}/updates",
            "Record an update of a delivering plan (an API token of an admin, or of an editor whose organisation leads it)",
            vec![path("id", "Delivering plan id")],
            schema::<UpdateResponse>,
            schema::<UpdateRequest>,
            post(h::post_plan_update),
        ),
    ]
}

pub fn routes() -> Router<AppState> {
    let mut router = Router::new().route("/api/v1/openapi.json", get(openapi_json));
    for e in endpoints() {
        router = router.route(e.path, e.handler);
    }
    router
}

async fn openapi_json() -> Response {
    json_response(&openapi())
}

/// The OpenAPI 3.1 document, generated from [`endpoints`] and the response types.
pub fn openapi() -> Value {
    let mut generator = SchemaGenerator::new(
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()),
    );
    let error = generator.subschema_for::<ErrorResponse>();
    let mut paths = serde_json::Map::new();
    for e in endpoints() {
        let mut params: Vec<Value> = e
            .params
            .iter()
            .map(|p| {
                // The search words: at least one character, at most 200 (as the handler checks).
                let schema = match p.name {
                    "q" => json!({"type": "string", "minLength": 1, "maxLength": 200}),
                    // A delivery status, or none yet.
                    "status" => {
                        let mut values: Vec<&str> = DeliveryStatus::ALL.iter().map(|s| s.as_str()).collect();
                        values.push("none");
                        json!({"type": "string", "enum": values})
                    }
                    _ => json!({"type": "string"}),
                };
                json!({"name": p.name, "in": p.location, "required": p.location == "path" || p.name == "q",
                       "description": p.description, "schema": schema})
            })
            .collect();
        if e.list {
            params.push(json!({"name": "page", "in": "query", "required": false, "description": "Page number, from 1",
                               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}}));
            params.push(json!({"name": "per_page", "in": "query", "required": false, "description": "Items per page",
                               "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE}}));
            params.push(json!({"name": "format", "in": "query", "required": false,
                               "description": "`csv` for the whole list as CSV (pagination ignored)",
                               "schema": {"type": "string", "enum": ["json", "csv"]}}));
        }
        let mut content = json!({"application/json": {"schema": (e.schema)(&mut generator)}});
        if e.list {
            content["text/csv"] = json!({"schema": {"type": "string"}});
        }
        let errors = json!({"content": {"application/json": {"schema": error.clone()}}});
        if let Some(request) = e.request {
            paths.insert(
                e.path.to_owned(),
                json!({"post": {
                    "summary": e.summary,
                    "parameters": params,
                    "security": [{"token": []}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": request(&mut generator)}}},
                    "responses": {
                        "201": {"description": "Recorded (published, or awaiting approval)", "content": content},
                        "400": {"description": "A field is missing or wrong (the field is named)", "content": errors["content"]},
                        "401": {"description": "No API token, or one that does not work", "content": errors["content"]},
                        "403": {"description": "The token's account may not update this item", "content": errors["content"]},
                        "404": {"description": "No such item", "content": errors["content"]},
                    }
                }}),
            );
            continue;
        }
        paths.insert(
            e.path.to_owned(),
            json!({"get": {
                "summary": e.summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "OK", "content": content},
                    "400": {"description": "A malformed parameter (the field is named)", "content": errors["content"]},
                    "404": {"description": "No such item", "content": errors["content"]},
                }
            }}),
        );
    }
    paths.insert(
        "/api/v1/openapi.json".to_owned(),
        json!({"get": {"summary": "This document", "responses": {"200": {"description": "OK"}}}}),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Assure API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Shared Delivery Plan as data: outcomes, commitments, delivering plans, organisations, indicators and places. Mirrors the web pages; partners record delivery updates with an API token.",
        },
        "paths": paths,
        "components": {
            "schemas": generator.definitions().clone(),
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "description": "An API token, created under Your account"}},
        },
    })
}

const DEFAULT_PER_PAGE: usize = 50;
const MAX_PER_PAGE: usize = 200;
/// The highest page number asked for: far beyond any list (200 × 100,000 items), and a
/// bound the OpenAPI document can state.
const MAX_PAGE: usize = 100_000;

/// How a list was asked for.
pub enum ListFormat {
    /// A page; `filters` as the query string gave them, for the next page's link.
    Json {
        page: usize,
        per_page: usize,
        filters: Vec<(String, String)>,
    },
    Csv,
}

/// Read `page`, `per_page` and `format`; anything else but the list's `filters`, or a
/// malformed value, is a 400.
pub fn list_format(query: &HashMap<String, String>, filters: &[&str]) -> Result<ListFormat, ApiError> {
    let number = |name: &str, default: usize, max: usize| -> Result<usize, ApiError> {
        match query.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(ApiError::bad(name, format!("must be a whole number from 1 to {max} (got '{v}')"))),
            },
        }
    };
    let known = |k: &str| ["page", "per_page", "format"].contains(&k) || filters.contains(&k);
    if let Some(unknown) = query.keys().find(|k| !known(k)) {
        let expected = ["page", "per_page"].iter().chain(filters).copied().collect::<Vec<_>>().join(", ");
        return Err(ApiError::bad(unknown, format!("unknown parameter (expected {expected} or format)")));
    }
    // Checked whatever the format: a CSV download with `page=0` is as wrong as a JSON one.
    let page = number("page", 1, MAX_PAGE)?;
    let per_page = number("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    match query.get("format").map(String::as_str) {
        Some("csv") => Ok(ListFormat::Csv),
        None | Some("json") => {
            let filters = filters.iter().filter_map(|f| Some(((*f).to_owned(), query.get(*f)?.clone()))).collect();
            Ok(ListFormat::Json { page, per_page, filters })
        }
        Some(other) => Err(ApiError::bad("format", format!("must be json or csv (got '{other}')"))),
    }
}

/// A list, answered as one page of JSON or as the whole list in CSV.
pub fn list_response<T: Serialize + JsonSchema>(
    path: &str,
    items: Vec<T>,
    format: ListFormat,
) -> Result<Response, ApiError> {
    match format {
        ListFormat::Csv => csv_response(&items),
        ListFormat::Json { page, per_page, filters } => {
            let total = items.len();
            let start = (page - 1).saturating_mul(per_page);
            if start >= total && page > 1 {
                return Err(ApiError::bad("page", format!("there are {} page(s)", total.div_ceil(per_page))));
            }
            let items: Vec<T> = items.into_iter().skip(start).take(per_page).collect();
            let next = (start + per_page < total).then(|| {
                let query = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(filters)
                    .append_pair("page", &(page + 1).to_string())
                    .append_pair("per_page", &per_page.to_string())
                    .finish();
                format!("{path}?{query}")
            });
            Ok(json_response(&Page { items, page, per_page, total, next }))
        }
    }
}

/// The columns of a list of `T`, from its schema, so that a list with nothing in it (a
/// filter nothing matches) still has its header: each field, and a field that is a record
/// but not a reference (an item's progress) spread into `progress.status`, ….
fn csv_header<T: JsonSchema>() -> Vec<String> {
    let root = SchemaSettings::draft2020_12()
        .for_serialize()
        .with(|s| s.inline_subschemas = true)
        .into_generator()
        .into_root_schema_for::<T>();
    let Some(fields) = root.as_value().get("properties").and_then(Value::as_object) else { return Vec::new() };
    let mut out = Vec::new();
    for (k, v) in fields {
        match v.get("properties").and_then(Value::as_object) {
            Some(inner) if !inner.contains_key("name") && !inner.contains_key("id") => {
                out.extend(inner.keys().map(|i| format!("{k}.{i}")));
            }
            _ => out.push(k.clone()),
        }
    }
    out
}

/// CSV of a list: one column per field of the items ([`csv_header`]); references as
/// their names, lists joined with "; "; every cell safe to open in a spreadsheet.
fn csv_response<T: Serialize + JsonSchema>(items: &[T]) -> Result<Response, ApiError> {
    use assure_plan::spreadsheet::neutralise;
    fn cell(v: &Value) -> String {
        match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join("; "),
            Value::Object(o) => o.get("name").or_else(|| o.get("id")).map(cell).unwrap_or_default(),
            other => other.to_string(),
        }
    }
    let rows: Vec<Value> = items.iter().map(|i| serde_json::to_value(i).unwrap_or(Value::Null)).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = csv_header::<T>();
    w.write_record(&header).map_err(|e| ApiError::internal(e.to_string()))?;
    for r in &rows {
        // Each column read by its path, so a row has exactly the header's columns.
        let at = |column: &str| match column.split_once('.') {
            Some((field, part)) => &r[field][part],
            None => &r[column],
        };
        w.write_record(header.iter().map(|k| neutralise(&cell(at(k))).into_owned()))
            .map_err(|e| ApiError::internal(e.to_string()))?;
    }
    let body = w.into_inner().map_err(|e| ApiError::internal(e.to_string()))?;
    let mut response = body.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    Ok(response)
}

pub fn json_response<T: Serialize>(value: &T) -> Response {
    Json(value).into_response()
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Item {
        title: &'static str,
        value: f64,
        tags: Vec<&'static str>,
    }

    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Tracked {
        id: u32,
        owner: super::types::Ref,
        progress: Progress,
    }

    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Progress {
        status: Option<&'static str>,
        overdue: bool,
    }

    #[test]
    fn a_csv_list_names_references_spreads_records_and_has_its_header_when_empty() {
        let items = [Tracked {
            id: 7,
            owner: super::types::Ref { id: "kcc".into(), name: "Kent County Council".into() },
            progress: Progress { status: None, overdue: true },
        }];
        let header = "id,owner,progress.status,progress.overdue\n";
        assert_eq!(body_text(super::csv_response(&items).unwrap()), format!("{header}7,Kent County Council,,true\n"));
        assert_eq!(body_text(super::csv_response::<Tracked>(&[]).unwrap()), header);
    }

    #[test]
    fn a_csv_list_writes_formulae_as_text_and_numbers_as_numbers() {
        let items = [Item { title: "=HYPERLINK(\"http://x\",\"y\")", value: -3.2, tags: vec!["-a", "b"] }];
        let response = super::csv_response(&items).unwrap();
        let body = body_text(response);
        assert_eq!(body, "title,value,tags\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",-3.2,'-a; b\n");
    }

    fn body_text(response: axum::response::Response) -> String {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let bytes = runtime.block_on(axum::body::to_bytes(response.into_body(), usize::MAX)).unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }
}
