//! Who is asking, and what they may do.
//!
//! [`authenticate`] runs before everything else: a session cookie (pages and forms) or
//! an `Authorization: Bearer` API token (scripts) is looked up in the store, and the
//! person found is put in the request's extensions and in a task-local that the page
//! shell reads (to show who is signed in). Requests from people signed in are never
//! served from, or kept in, the page cache.
//!
//! Every form carries the session's CSRF token; [`SignedForm`] is the only way a
//! handler reads a posted form, and it refuses a form without a session or with the
//! wrong token. The API's write endpoints take tokens only (no cookies), so a page on
//! another site cannot make a browser call them.

use std::net::{IpAddr, SocketAddr};

use assure_store::Account;
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::{AppState, WebError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "assure_session";
/// The cookie that protects the sign-in form itself (no session exists yet).
pub const SIGN_IN_COOKIE: &str = "assure_sign_in";

/// Someone signed in: by session (with the CSRF token its forms carry) or by API token.
#[derive(Debug, Clone)]
pub struct Signed {
    /// Who.
    pub account: Account,
    /// The session's CSRF token; `None` for an API token.
    pub csrf: Option<String>,
    /// The session's token (to end it on sign-out); `None` for an API token.
    pub session: Option<String>,
    /// How many of the items their organisations lead need attention (overdue, off
    /// track, at risk, stale or never updated): the count on "My work" in the header.
    pub attention: Option<usize>,
}

tokio::task_local! {
    static SIGNED_IN: Option<Signed>;
}

/// Who is signed in on this request, for the page shell (`None` outside a request).
pub fn current() -> Option<Signed> {
    SIGNED_IN.try_with(Clone::clone).ok().flatten()
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value: HttpOnly, Secure, SameSite, for the whole site; `None` clears it.
pub fn set_cookie(name: &str, value: Option<&str>, same_site: cookie::SameSite) -> String {
    let mut c = cookie::Cookie::build((name.to_owned(), value.unwrap_or_default().to_owned()))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(same_site);
    c = match value {
        Some(_) => c.max_age(cookie::time::Duration::seconds(assure_store::SESSION_LIFETIME.as_secs() as i64)),
        None => c.max_age(cookie::time::Duration::ZERO),
    };
    c.build().to_string()
}

/// The address a request comes from, for throttling sign-in: the peer's, or, when the
/// peer is one of the reverse proxies the server was told to trust, the nearest address
/// in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client(request: &Request, trusted_proxies: &[IpAddr]) -> String {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let forwarded = request.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    client_address(peer, forwarded, trusted_proxies)
}

/// See [`client`]. Only the entries proxies we trust appended are believed: reading from
/// the right, the first address that is not a trusted proxy is the client. A forged
/// header from a client that connects directly is ignored.
fn client_address(peer: Option<IpAddr>, forwarded: Option<&str>, trusted_proxies: &[IpAddr]) -> String {
    let Some(mut client) = peer else { return "unknown".to_owned() };
    if trusted_proxies.contains(&client) {
        for hop in forwarded.unwrap_or_default().rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(ip) if trusted_proxies.contains(&ip) => client = ip,
                Ok(ip) => return ip.to_string(),
                Err(_) => break,
            }
        }
    }
    client.to_string()
}

/// Look up the session or token, and run the rest of the request knowing who it is.
pub async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let session = cookie(request.headers(), SESSION_COOKIE);
    let path = request.uri().path().to_owned();
    let mut found = match (bearer, session) {
        (Some(token), _) => match state.blocking(move |s| Ok(s.store().token_account(&token)?)).await {
            Ok(Some(account)) => Some(Signed { account, csrf: None, session: None, attention: None }),
            Ok(None) => return crate::error::unauthorised("The API token is not valid, or has been revoked."),
            Err(e) => return e.answer_for(&path),
        },
        (None, Some(token)) => match state.blocking(move |s| Ok(s.store().session(&token)?)).await {
            Ok(found) => found.map(|s| Signed {
                account: s.account,
                csrf: Some(s.csrf),
                session: Some(s.token),
                attention: None,
            }),
            Err(e) => return e.answer_for(&path),
        },
        (None, None) => None,
    };
    if let Some(s) = &mut found
        && s.csrf.is_some()
        && !s.account.organisations.is_empty()
    {
        s.attention = attention(&state, &s.account).await;
    }
    if let Some(s) = &found {
        request.extensions_mut().insert(s.clone());
    }
    let mut response = SIGNED_IN.scope(found.clone(), next.run(request)).await;
    if found.is_some() {
        // Pages shown to people signed in hold what the public does not see.
        response.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    }
    response
}

/// How many of what the person's organisations lead need attention (`None` when there is
/// no plan to judge, or it cannot be read: the header then shows no count).
async fn attention(state: &AppState, account: &Account) -> Option<usize> {
    let plan = state.plan().await.ok()?;
    let delivery = state.delivery().await.ok()?;
    Some(
        assure_app::my_work(account, &plan, &delivery, assure_tracking::delivery::today())
            .iter()
            .filter(|i| i.needs_attention())
            .count(),
    )
}

/// A write refused before its body was read (not signed in, a bad token, not allowed)
/// leaves the body unread; the server then closes the connection, and a client that kept
/// it alive for its next request would find it gone (seen as "peer disconnected" by
/// scripts). Saying `Connection: close` on such replies tells clients not to reuse it.
pub async fn close_after_refused_writes(request: Request, next: Next) -> Response {
    let write = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut response = next.run(request).await;
    let to_sign_in = response.status() == StatusCode::SEE_OTHER
        && response.headers().get(header::LOCATION).is_some_and(|l| l.as_bytes().starts_with(b"/sign-in"));
    if write && (response.status().is_client_error() || to_sign_in) {
        response.headers_mut().insert(header::CONNECTION, header::HeaderValue::from_static("close"));
    }
    response
}

/// Where to send someone after signing in, from the `next` they brought (already
/// percent-decoded once, as a query or form value is): a path on this site, or `/`.
///
/// Only a path that no browser can read as another origin is kept: it starts with one
/// `/`, not `//` or `/\` (both are scheme-relative to a browser), holds no backslash
/// (browsers read it as `/`) and no control character (browsers drop tabs and newlines
/// from a URL, so `/<TAB>/evil.example` becomes `//evil.example`; a newline cannot be in
/// a header at all). What is kept is normalised to printable ASCII: spaces, quotes,
/// angle brackets and anything beyond ASCII are percent-encoded, so that the value is
/// always a valid `Location` header and means the same to every client.
pub fn local_path(next: &str) -> String {
    let home = || "/".to_owned();
    let mut chars = next.chars();
    if chars.next() != Some('/') || matches!(chars.next(), Some('/' | '\\')) {
        return home();
    }
    if next.chars().any(|c| c.is_control() || c == '\\') {
        return home();
    }
    let mut path = String::with_capacity(next.len());
    for b in next.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'"' | b'<' | b'>' | b'`' | b'{' | b'}' | b'|' | b'^') {
            path.push(char::from(b));
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    path
}

/// The signed-in person on a request, or a redirect to sign in.
pub fn require_signed_in(request_signed: Option<Signed>, path: &str) -> Result<Signed, WebError> {
    request_signed.ok_or_else(|| WebError::SignIn(path.to_owned()))
}

/// Only admins.
pub fn require_admin(s: &Signed) -> Result<(), WebError> {
    Ok(assure_app::require_admin(&s.account)?)
}

/// A posted form (`application/x-www-form-urlencoded`) from someone signed in, whose CSRF
/// token matches their session's. Anything else is refused before the handler runs.
pub struct SignedForm {
    /// Who posted it.
    pub signed: Signed,
    /// Its fields, in order (a field may repeat: checkboxes).
    pub fields: Vec<(String, String)>,
}

impl SignedForm {
    /// A field's value, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
    }
}

/// Whether a posted CSRF token is the session's (compared in constant time).
pub fn csrf_matches(signed: &Signed, posted: &str) -> bool {
    let Some(expected) = signed.csrf.as_deref() else { return false };
    expected.len() == posted.len() && expected.bytes().zip(posted.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The fields of a posted form, in order.
pub async fn read_form(request: Request) -> Result<Vec<(String, String)>, WebError> {
    axum::Form::<Vec<(String, String)>>::from_request(request, &())
        .await
        .map(|f| f.0)
        .map_err(|e| WebError::BadRequest { field: "form".into(), detail: e.body_text() })
}

impl<S: Send + Sync> FromRequest<S> for SignedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let path = request.uri().path().to_owned();
        let signed = request.extensions().get::<Signed>().cloned();
        let signed = require_signed_in(signed, &path).map_err(IntoResponse::into_response)?;
        let _ = state;
        let fields = read_form(request).await.map_err(IntoResponse::into_response)?;
        let form = SignedForm { signed, fields };
        if !csrf_matches(&form.signed, form.get("csrf")) {
            return Err(WebError::Forbidden(
                "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
            )
            .into_response());
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::{client_address, local_path};
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_peer_unless_the_peer_is_a_trusted_proxy() {
        let proxy = [ip("10.0.0.5")];
        // Direct: a forged header is ignored, trusted list or not.
        assert_eq!(client_address(Some(ip("203.0.113.9")), Some("198.51.100.1"), &proxy), "203.0.113.9");
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("198.51.100.1"), &[]), "10.0.0.5");
        // Through the proxy: the address it appended.
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("198.51.100.1"), &proxy), "198.51.100.1");
        // A client's own forged entries to the left are not believed.
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("1.2.3.4, 198.51.100.1"), &proxy), "198.51.100.1");
        // Chained trusted proxies are skipped, from the right.
        let two = [ip("10.0.0.5"), ip("10.0.0.6")];
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("198.51.100.1, 10.0.0.6"), &two), "198.51.100.1");
        // Nothing usable: the proxy itself.
        assert_eq!(client_address(Some(ip("10.0.0.5")), None, &proxy), "10.0.0.5");
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("garbage"), &proxy), "10.0.0.5");
        assert_eq!(client_address(Some(ip("10.0.0.5")), Some("::1"), &proxy), "::1");
        assert_eq!(client_address(None, Some("198.51.100.1"), &proxy), "unknown");
    }

    #[test]
    fn only_a_path_on_this_site_is_a_way_back_after_sign_in() {
        let home = [
            "",
            "evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\evil.example",
            "\\\\evil.example",
            "/x\\..\\..\\evil.example",
            "/\t/evil.example/landing",
            "\t//evil.example",
            "/\n",
            "/\r\nSet-Cookie: a=b",
            "/x\u{0}y",
            "/x\u{7f}",
            "/x\u{85}",
            "http://evil.example/",
            "https:evil.example",
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            " /milestones/x",
            "%2F%2Fevil.example",
            "%2f/evil.example",
        ];
        for next in home {
            assert_eq!(local_path(next), "/", "{next:?}");
        }
        let kept = [
            ("/", "/"),
            ("/milestones/x?y=1", "/milestones/x?y=1"),
            ("/search?q=a&kind=plan#results", "/search?q=a&kind=plan#results"),
            ("/organisations/a%20b", "/organisations/a%20b"),
            // Encoded once more, the slashes stay in the path: still this site.
            ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
            ("/%09/evil.example", "/%09/evil.example"),
            ("/./x", "/./x"),
            // Normalised to printable ASCII, so the header is valid and reads the same anywhere.
            ("/search?q=a b", "/search?q=a%20b"),
            ("/search?q=\"<x>\"", "/search?q=%22%3Cx%3E%22"),
            ("/search?q=café", "/search?q=caf%C3%A9"),
        ];
        for (next, path) in kept {
            assert_eq!(local_path(next), path, "{next:?}");
            assert!(axum::http::HeaderValue::from_str(path).is_ok(), "{path:?}");
        }
    }
}
