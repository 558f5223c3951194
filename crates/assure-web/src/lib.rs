//! The Assure web site: every part of the plan, server-rendered with the NHS.UK frontend
//! look, working without JavaScript. The only crate that knows HTTP.
//!
//! [`router`] builds the axum application over an [`AppState`] (a store and a cache of
//! the plan that is checked against the store on every request, so that several
//! processes can serve one database); [`serve`] runs it until a shutdown signal, each
//! connection bounded in time and in number ([`Limits`]).

mod access;
mod api;
mod assets;
mod cache;
mod components;
mod encoding;
mod error;
mod export;
mod routes;
mod security;
mod server;
mod state;
#[cfg(feature = "testing")]
pub mod testing;

use std::future::Future;

use assure_report::charts;
use axum::Router;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use api::openapi;
pub use error::WebError;
pub use server::{Limits, RESERVE_CONNECTIONS, serve_with};
pub use state::AppState;

/// The whole application: pages, assets and health check; answers compressed when the
/// client accepts it.
pub fn router(state: AppState) -> Router {
    // One log line per request, with method, path, status and latency as fields.
    let trace = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO));
    routes::routes()
        .merge(api::routes())
        .merge(assets::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), cache::cache_pages))
        .layer(axum::middleware::from_fn_with_state(state.clone(), access::authenticate))
        .layer(axum::middleware::from_fn(server::refuse_beyond_limit))
        .layer(axum::middleware::from_fn(access::close_after_refused_writes))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::security_headers))
        .layer(encoding::on_the_fly())
        .layer(trace)
        .with_state(state)
}

/// Serve on `listener` within the default [`Limits`] until `shutdown` completes; requests
/// in flight are finished first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Limits::default(), shutdown).await
}

/// The answer for any URL that is not one of ours: the JSON envelope under `/api/`,
/// a page elsewhere.
async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return error::api_not_found(uri.path());
    }
    WebError::NotFound(format!("There is no page at {}.", uri.path())).into_response()
}
