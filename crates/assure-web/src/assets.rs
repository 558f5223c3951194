//! The vendored NHS.UK frontend and Assure's own CSS and JS, compiled into the binary,
//! answered compressed (each coding made once, on first demand) with an `ETag`.

use std::sync::OnceLock;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::encoding::Encoded;

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

/// How long a browser keeps an asset before asking again (then `If-None-Match` makes the
/// question cheap). The URLs carry no version, so a new release must show within the hour.
const ASSET_CACHE_CONTROL: &str = "public, max-age=3600";

/// Every asset with its headers and tag, made once.
fn encoded() -> &'static [(&'static str, Encoded)] {
    static ENCODED: OnceLock<Vec<(&'static str, Encoded)>> = OnceLock::new();
    ENCODED.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(path, bytes)| {
                let mut headers = HeaderMap::new();
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path)));
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(ASSET_CACHE_CONTROL));
                (*path, Encoded::new(headers, Bytes::from_static(bytes)))
            })
            .collect()
    })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

async fn asset(Path(path): Path<String>, request: HeaderMap) -> Response {
    match encoded().iter().find(|(p, _)| *p == path) {
        Some((_, asset)) => asset.answer(&request),
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
