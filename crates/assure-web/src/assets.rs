//! The vendored NHS.UK frontend and Assure's own CSS and JS, compiled into the binary.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;

macro_rules! asset {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $path)).as_slice()
    };
}

/// Every asset: its path under `/assets/` and its bytes.
const ASSETS: &[(&str, &[u8])] = &[
    ("nhsuk-frontend.min.css", asset!("nhsuk/nhsuk-frontend.min.css")),
    ("nhsuk-frontend.min.js", asset!("nhsuk/nhsuk-frontend.min.js")),
    ("assure.css", asset!("assure.css")),
    ("init.js", asset!("init.js")),
    ("images/favicon.ico", asset!("nhsuk/images/favicon.ico")),
    ("images/favicon.svg", asset!("nhsuk/images/favicon.svg")),
    ("images/nhsuk-icon-arrow-down.svg", asset!("nhsuk/images/nhsuk-icon-arrow-down.svg")),
    ("images/nhsuk-icon-arrow-up-down.svg", asset!("nhsuk/images/nhsuk-icon-arrow-up-down.svg")),
    ("images/nhsuk-icon-arrow-up.svg", asset!("nhsuk/images/nhsuk-icon-arrow-up.svg")),
    ("images/nhsuk-icon-cross.svg", asset!("nhsuk/images/nhsuk-icon-cross.svg")),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>) -> Response {
    let Some((_, bytes)) = ASSETS.iter().find(|(p, _)| *p == path) else {
        return (StatusCode::NOT_FOUND, "no such asset").into_response();
    };
    let kind = match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    };
    let mut response = (*bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}
