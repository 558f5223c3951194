//! Rendered pages (HTML, JSON, CSV) kept per plan revision: a page is a function of the
//! plan at a revision, so it is rendered once and then served from memory until the plan
//! changes.
//! Every request still asks the store for the revision, so no process serves a stale page.
//! Pages for people signed in are never kept: they show drafts the public does not see.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Largest page kept (the biggest organisation page is about 100 KB).
const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

pub async fn cache_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let signed_in = request.extensions().get::<crate::access::Signed>().is_some();
    if request.method() != Method::GET || signed_in || path.starts_with("/assets/") || path == "/healthz" {
        return next.run(request).await;
    }
    // What is overdue or stale changes with the day, not only with the data.
    let path_and_query = request.uri().path_and_query().map_or(path, |p| p.as_str());
    let key = format!("{} {path_and_query}", assure_tracking::delivery::today());
    let revision = match state.revision().await {
        Ok(r) => r,
        Err(e) => return e.answer_for(request.uri().path()),
    };
    if let Some((kind, page)) = state.cached_page(&revision, &key) {
        let mut response = Response::new(Body::from(page));
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        return response;
    }
    let response = next.run(request).await;
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).and_then(|v| {
        ["text/html; charset=utf-8", "application/json", "text/csv; charset=utf-8"].into_iter().find(|k| *k == v)
    });
    // A page that sets a cookie (the sign-in form's token) belongs to one visitor.
    let personal = response.headers().contains_key(header::SET_COOKIE);
    let Some(kind) = kind.filter(|_| response.status() == StatusCode::OK && !personal) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_PAGE_BYTES).await {
        Ok(bytes) => {
            state.keep_page(revision, key, (kind, bytes.clone()));
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(e) => crate::WebError::Internal(format!("page body: {e}")).into_response(),
    }
}
