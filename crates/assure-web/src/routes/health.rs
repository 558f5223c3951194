//! `/healthz`: the database answers (asked on every call, never from memory), a plan is
//! loaded, whether writes can be made, and how changes are learnt of.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::{AppState, WebError};

/// 200 `ok`; 200 `degraded` when the plan is served but writes cannot be made (an SQLite
/// file on a read-only disk: reads go on, writes answer 503); 503 `unavailable` when the
/// plan cannot be read. `changes` is `told` while the server is told of changes without
/// asking (PostgreSQL's listening connection is up; SQLite), `asking` while it asks the
/// database on every request instead.
pub async fn show_health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let plan = match state.ask_revision().await {
        Ok(_) => state.plan().await,
        Err(e) => Err(e),
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(e) => {
            let database = if matches!(e, WebError::Unavailable(_)) { "unavailable" } else { "ok" };
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": database, "detail": e.to_string() })),
            );
        }
    };
    let plan_id = plan.meta.id.get_ref();
    let changes = state.watching().as_str();
    match state.store().writable() {
        Ok(()) => {
            (StatusCode::OK, Json(json!({ "status": "ok", "database": "ok", "changes": changes, "plan": plan_id })))
        }
        Err(e) => (
            StatusCode::OK,
            Json(json!({
                "status": "degraded", "database": "ok", "writes": "unavailable", "changes": changes,
                "plan": plan_id, "detail": e.to_string()
            })),
        ),
    }
}
