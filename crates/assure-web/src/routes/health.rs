//! `/healthz`: the database answers and a plan is loaded.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

use crate::AppState;

pub async fn show_health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    match state.plan().await {
        Ok(plan) => (StatusCode::OK, Json(json!({ "status": "ok", "plan": plan.meta.id.get_ref() }))),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "detail": e.to_string() }))),
    }
}
