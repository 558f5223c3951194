//! Rendered pages (HTML, JSON, CSV) kept per plan revision: a page is a function of the
//! plan at a revision, so it is rendered once (requests for it that arrive while it is
//! rendered wait for that rendering) and then served from memory until the plan
//! changes, compressed once per coding asked for, with a strong `ETag` made from its
//! bytes (so `If-None-Match` answers `304 Not Modified` until the page changes).
//! The revision is asked of the store whenever the data may have changed (see
//! [`crate::state`]), so no process serves a stale page.
//! Pages for people signed in are never kept: they show drafts the public does not see.
//! A page that read only what the content revision covers is kept for it as well, so a
//! partner's delivery report does not make it render again ([`crate::state::Reads`]).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::encoding::Encoded;
use crate::state::{Page, PageKey};

/// Largest page kept (the biggest organisation page is about 100 KB).
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// What a kept page may be: the content types rendered from the plan alone.
const KEPT_TYPES: [&str; 3] = ["text/html; charset=utf-8", "application/json", "text/csv; charset=utf-8"];

/// The headers of a rendered page that every later answer of it carries.
const KEPT_HEADERS: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::CONTENT_DISPOSITION];

pub async fn cache_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let signed_in = request.extensions().get::<crate::access::Signed>().is_some();
    if request.method() != Method::GET || signed_in || path.starts_with("/assets/") || path == "/healthz" {
        return next.run(request).await;
    }
    let uri = request.uri().clone();
    let key = key(&uri);
    let revision = match state.revision().await {
        Ok(r) => r,
        Err(e) => return e.answer_for(request.uri().path()),
    };
    let asked = conditional_headers(request.headers());
    let content = revision.content();
    if let Some(page) = state.content_page(&content, key) {
        return page.answer(&asked);
    }
    let rendering = state.rendering(&revision, key);
    // The first request for the page at this revision renders it; those arriving while
    // it does wait for the page. If it is not kept, each renders its own.
    let mut mine = Some((request, next));
    let mut own_answer = None;
    let (waiting, answer) = (&mut mine, &mut own_answer);
    let kept = rendering
        .get_or_init(move || async move {
            let (request, next) = waiting.take()?;
            let (response, reads) = crate::state::noting_reads(next.run(request)).await;
            match keepable(response, &state, key.path).await {
                Ok(page) => {
                    if reads == crate::state::Reads::Content {
                        state.keep_content_page(&content, key, page.clone());
                    }
                    Some(page)
                }
                Err(response) => {
                    *answer = Some(response);
                    None
                }
            }
        })
        .await;
    match (kept, mine, own_answer) {
        (Some(page), _, _) => page.answer(&asked),
        (None, _, Some(response)) => response,
        (None, Some((request, next)), None) => next.run(request).await,
        (None, None, None) => crate::WebError::Internal("a page was neither kept nor answered".into()).into_response(),
    }
}

/// The key a page is kept under: its path and query, today.
fn key(uri: &Uri) -> PageKey<'_> {
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    PageKey { day: assure_tracking::delivery::today(), path }
}

/// The answer to a request that [`cache_pages`] would answer with a page already kept at
/// the revision known now, found without the rest of the stack (routing and every other
/// layer): the same bytes and headers, security headers included. `None` for anything
/// else, which then goes through the stack: not a `GET`, a session cookie or an
/// `Authorization` header (the request may be someone's), the revision to be asked
/// again, or the page not kept.
pub fn kept_answer<B>(state: &AppState, request: &axum::http::Request<B>) -> Option<Response> {
    let path = request.uri().path();
    let headers = request.headers();
    if request.method() != Method::GET
        || path.starts_with("/assets/")
        || path == "/healthz"
        || headers.contains_key(header::AUTHORIZATION)
        || crate::access::cookie(headers, crate::access::SESSION_COOKIE).is_some()
    {
        return None;
    }
    let revision = state.known_revision()?;
    let page = state.kept_page(&revision, key(request.uri()))?;
    Some(page.answer(headers))
}

/// The page to keep from a rendered response to `path`, with the security headers every
/// answer of it carries, or the response itself when it is not one to keep: not a type
/// rendered from the plan alone, not `200 OK`, or for one visitor.
async fn keepable(response: Response, state: &AppState, path: &str) -> Result<Page, Response> {
    let kept_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| KEPT_TYPES.iter().any(|k| v.as_bytes() == k.as_bytes()));
    // A page that sets a cookie (the sign-in form's token) belongs to one visitor.
    // So does one that says `no-store` (a public form with its signed stamp).
    let personal = response.headers().contains_key(header::SET_COOKIE)
        || response.headers().get(header::CACHE_CONTROL).is_some_and(|v| v.as_bytes().starts_with(b"no-store"));
    if !kept_type || response.status() != StatusCode::OK || personal {
        return Err(response);
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => {
            let mut headers = HeaderMap::new();
            for name in KEPT_HEADERS {
                if let Some(v) = parts.headers.get(&name) {
                    headers.insert(name, v.clone());
                }
            }
            crate::security::add(&mut headers, path.starts_with("/reports/"), state.hsts());
            Ok(Arc::new(Encoded::new(headers, bytes)))
        }
        Err(e) => Err(crate::WebError::Internal(format!("page body: {e}")).into_response()),
    }
}

/// The request headers a kept answer depends on, kept while the request is handled.
fn conditional_headers(request: &HeaderMap) -> HeaderMap {
    let mut kept = HeaderMap::new();
    for name in [header::ACCEPT_ENCODING, header::IF_NONE_MATCH] {
        for v in request.get_all(&name) {
            kept.append(name.clone(), v.clone());
        }
    }
    kept
}
