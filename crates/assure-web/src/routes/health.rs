//! `/healthz`: the database answers, a plan is loaded, and whether writes can be made.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::AppState;

/// 200 `ok`; 200 `degraded` when the plan is served but writes cannot be made (an SQLite
/// file on a read-only disk: reads go on, writes answer 503); 503 `unavailable` when the
/// plan cannot be read.
pub async fn show_health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let plan = match state.plan().await {
        Ok(plan) => plan,
        Err(e) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "detail": e.to_string() })),
            );
        }
    };
    let plan_id = plan.meta.id.get_ref();
    match state.store().writable() {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "plan": plan_id }))),
        Err(e) => (
            StatusCode::OK,
            Json(json!({ "status": "degraded", "writes": "unavailable", "plan": plan_id, "detail": e.to_string() })),
        ),
    }
}
