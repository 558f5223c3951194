//! The headers every response carries, whatever answered it (a page, an error, the API,
//! a download, an asset, a redirect): a Content-Security-Policy that allows nothing
//! inline and nothing from elsewhere, no framing, no sniffing, a referrer policy, and
//! `Strict-Transport-Security` when the server is told it is behind TLS.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

/// Scripts, styles and images only from this site, fonts from here or the NHS.UK
/// frontend's font host (its style sheet loads Frutiger from there, which the licence
/// does not let us copy); no inline script or style, no plugins, no framing, forms
/// posted only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; font-src 'self' https://assets.nhs.uk; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// `Strict-Transport-Security` when enabled: a year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The policy for an HTML report, a standalone document: its `<style>` elements (the
/// document's and each chart's) are allowed by their hashes, and nothing else inline.
pub fn report_policy() -> String {
    use base64::Engine;
    use sha2::Digest;
    let hash =
        |css: &str| format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css)));
    let styles = format!(
        "style-src {} {}",
        hash(&assure_report::html::style_sheet()),
        hash(assure_report::document::CHART_STYLE)
    );
    CONTENT_SECURITY_POLICY.replace("style-src 'self'", &styles)
}

/// Add the security headers to every response (an HTML report, under `/reports/`, gets
/// [`report_policy`]).
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let report = request.uri().path().starts_with("/reports/");
    let mut response = next.run(request).await;
    add(response.headers_mut(), report, state.hsts());
    response
}

/// The security headers, on the headers of an answer to a path under `/reports/` or not,
/// with `Strict-Transport-Security` or not.
pub fn add(headers: &mut HeaderMap, report: bool, hsts: bool) {
    let html = headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let policy = match report && html {
        true => HeaderValue::from_str(&report_policy()).ok(),
        false => None,
    };
    headers
        .insert(header::CONTENT_SECURITY_POLICY, policy.unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY)));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    if hsts {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
}
