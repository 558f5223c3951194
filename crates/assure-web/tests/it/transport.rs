//! How the site answers over the wire, read byte by byte from a plain TCP socket:
//! compression as the client accepts it, entity tags and `304 Not Modified`, and the
//! limits that keep stalled, idle and hoarded connections from exhausting the server.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use assure_web::Limits;

use crate::{TestApp, apps};

/// An answer as it came over the socket.
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn address(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_owned()
}

/// Read one answer from `stream` (a request just sent); the body by `Content-Length`
/// (which must be right) or in chunks, or none for `304`.
fn read_answer(stream: &mut TcpStream) -> Raw {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        let n = stream.read(&mut byte).expect("reading the head");
        assert_eq!(n, 1, "the connection closed inside the head: {:?}", String::from_utf8_lossy(&head));
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).expect("an ASCII head");
    let mut lines = head.split("\r\n");
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut raw = Raw { status, headers, body: Vec::new() };
    if status == 304 {
        assert_eq!(raw.header("content-length").unwrap_or("0"), "0", "a 304 has no body");
        assert!(raw.header("transfer-encoding").is_none(), "a 304 has no body");
        return raw;
    }
    if raw.header("transfer-encoding") == Some("chunked") {
        assert!(raw.header("content-length").is_none(), "both Content-Length and chunks: {:?}", raw.headers);
        loop {
            let mut line = Vec::new();
            while !line.ends_with(b"\r\n") {
                stream.read_exact(&mut byte).expect("a chunk size");
                line.push(byte[0]);
            }
            let size = usize::from_str_radix(String::from_utf8_lossy(&line).trim(), 16).expect("a hex chunk size");
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).expect("a whole chunk");
            if size == 0 {
                return raw;
            }
            raw.body.extend_from_slice(&chunk[..size]);
        }
    }
    let length: usize = match raw.header("content-length") {
        Some(l) => l.parse().expect("a number"),
        None => panic!("neither Content-Length nor chunks (status {status}): {:?}", raw.headers),
    };
    raw.body = vec![0; length];
    stream.read_exact(&mut raw.body).expect("a body as long as Content-Length says");
    raw
}

/// GET `path` on a new connection with these extra header lines.
fn get(app: &TestApp, path: &str, extra: &[(&str, &str)]) -> Raw {
    let mut stream = TcpStream::connect(address(app)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: test\r\n");
    for (n, v) in extra {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let raw = read_answer(&mut stream);
    // Nothing after the body: Content-Length was the whole of it.
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut more = [0u8; 1];
    assert!(!matches!(stream.read(&mut more), Ok(1)), "{path}: bytes after the declared body");
    raw
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).expect("valid brotli");
    out
}

#[test]
fn answers_are_compressed_as_the_client_accepts_and_decompress_to_the_plain_bytes() {
    for app in apps() {
        let name = app.db.name;
        for path in [
            "/",
            "/outcomes/2",
            "/api/v1/outcomes/2",
            "/api/v1/organisations?format=csv",
            "/indicators/smoking-at-time-of-delivery/data.csv",
            "/reports/annual",
            "/assets/nhsuk-frontend.min.css",
            "/assets/nhsuk-frontend.min.js",
            "/assets/assure.css",
        ] {
            // Twice: the first renders and keeps the page, the second is the kept one.
            for round in ["rendered", "kept"] {
                let plain = get(&app, path, &[]);
                assert_eq!(plain.status, 200, "{name}: {path} ({round})");
                assert!(plain.header("content-encoding").is_none(), "{name}: {path}: none asked, none given");
                let gzip = get(&app, path, &[("Accept-Encoding", "gzip")]);
                assert_eq!(gzip.header("content-encoding"), Some("gzip"), "{name}: {path} ({round})");
                assert!(gunzip(&gzip.body) == plain.body, "{name}: {path}: gzip is the same bytes");
                let br = get(&app, path, &[("Accept-Encoding", "gzip, deflate, br")]);
                assert_eq!(br.header("content-encoding"), Some("br"), "{name}: {path} ({round})");
                assert!(unbrotli(&br.body) == plain.body, "{name}: {path}: brotli is the same bytes");
                let refused = get(&app, path, &[("Accept-Encoding", "br;q=0, gzip;q=0")]);
                assert!(refused.header("content-encoding").is_none(), "{name}: {path}: q=0 refuses a coding");
                assert!(refused.body == plain.body, "{name}: {path}");
                for r in [&plain, &gzip, &br] {
                    let vary = r.header("vary").unwrap_or_default().to_ascii_lowercase();
                    assert!(vary.contains("accept-encoding"), "{name}: {path}: Vary: {vary}");
                    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{name}: {path}");
                    assert_eq!(r.header("content-type"), plain.header("content-type"), "{name}: {path}");
                }
                if path == "/" {
                    home_page_sizes(&format!("{name}: /"), &plain, &gzip, &br);
                }
                if path == "/reports/annual" {
                    // The report's style sheet is allowed by its hash, compressed or not.
                    let policy = br.header("content-security-policy").unwrap_or_default();
                    assert!(policy.contains("'sha256-"), "{name}: {policy}");
                    assert_eq!(Some(policy), plain.header("content-security-policy"), "{name}");
                }
                if path.ends_with("data.csv") {
                    let disposition = br.header("content-disposition").unwrap_or_default();
                    assert!(disposition.starts_with("attachment"), "{name}: {path} ({round}): {disposition}");
                }
            }
        }
    }
}

/// Print the home page's sizes in each coding; it compresses at least 3:1, brotli best.
fn home_page_sizes(what: &str, plain: &Raw, gzip: &Raw, br: &Raw) {
    let (plain, gzip, br) = (plain.body.len(), gzip.body.len(), br.body.len());
    eprintln!("{what} is {plain} bytes, {gzip} gzip, {br} brotli");
    assert!(gzip * 3 < plain && br < gzip, "{what}: {plain} bytes, {gzip} gzip, {br} brotli");
}

#[test]
fn a_pdf_is_never_compressed() {
    for app in apps().into_iter().take(1) {
        let pdf = get(&app, "/reports/annual?format=pdf", &[("Accept-Encoding", "gzip, br")]);
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        assert!(pdf.header("content-encoding").is_none(), "{:?}", pdf.headers);
        assert!(pdf.body.starts_with(b"%PDF-"));
    }
}

#[test]
fn the_entity_tag_holds_at_a_revision_answers_304_and_changes_with_the_data() {
    for app in apps() {
        let name = app.db.name;
        for path in ["/", "/api/v1/outcomes/2", "/assets/assure.css"] {
            let first = get(&app, path, &[("Accept-Encoding", "gzip")]);
            let second = get(&app, path, &[("Accept-Encoding", "gzip")]);
            let tag = first.header("etag").expect("an ETag").to_owned();
            assert!(tag.starts_with('"') && tag.ends_with("-gzip\""), "{name}: {path}: a strong tag per coding: {tag}");
            assert_eq!(second.header("etag"), Some(tag.as_str()), "{name}: {path}: stable at one revision");
            let plain_tag = get(&app, path, &[]).header("etag").expect("an ETag").to_owned();
            let br_tag = get(&app, path, &[("Accept-Encoding", "br")]).header("etag").expect("an ETag").to_owned();
            assert!(plain_tag != tag && br_tag != tag && br_tag != plain_tag, "{name}: {path}: one tag per coding");

            let fresh = get(&app, path, &[("Accept-Encoding", "gzip"), ("If-None-Match", &tag)]);
            assert_eq!(fresh.status, 304, "{name}: {path}");
            assert!(fresh.body.is_empty(), "{name}: {path}");
            assert_eq!(fresh.header("etag"), Some(tag.as_str()), "{name}: {path}");
            let listed = format!("\"other\", W/{tag}");
            let weak = get(&app, path, &[("Accept-Encoding", "gzip"), ("If-None-Match", &listed)]);
            assert_eq!(weak.status, 304, "{name}: {path}: one of a list, compared weakly");
            // The gzip tag names the gzip bytes, not the plain ones.
            let other = get(&app, path, &[("If-None-Match", &tag)]);
            assert_eq!(other.status, 200, "{name}: {path}");
        }

        // A data change (the illustrative data, imported as `assure demo-data` does)
        // changes the home page, so its tag, and the old tag no longer answers 304.
        let before = get(&app, "/", &[("Accept-Encoding", "br")]).header("etag").unwrap().to_owned();
        crate::reports::load_demo(&app);
        let after = get(&app, "/", &[("Accept-Encoding", "br"), ("If-None-Match", &before)]);
        assert_eq!(after.status, 200, "{name}: the page changed");
        assert!(String::from_utf8_lossy(&unbrotli(&after.body)).contains("Illustrative data"), "{name}");
        let tag = after.header("etag").unwrap();
        assert_ne!(tag, before, "{name}: a changed page has a new tag");
        let (plain, gzip) = (get(&app, "/", &[]), get(&app, "/", &[("Accept-Encoding", "gzip")]));
        home_page_sizes(&format!("{name}: / with the illustrative data"), &plain, &gzip, &after);
        assert_eq!(get(&app, "/", &[("Accept-Encoding", "br"), ("If-None-Match", tag)]).status, 304, "{name}");
    }
}

/// A page answered again from memory, without the router and its layers, carries what
/// its first answer (rendered through them) carried: the same bytes, and the same headers
/// (security headers among them) but the date, and `304 Not Modified` with the tag and
/// the security headers; and a request with an API token is never answered with the
/// public page.
#[test]
fn a_kept_page_is_answered_as_it_was_rendered_and_never_to_a_token() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        crate::account(&store, "ada", assure_store::Role::Admin, &[]);
        let (_, secret) = store.create_token("ada", "script", "test").unwrap();
        for path in ["/", "/outcomes/2", "/api/v1/outcomes/2", "/delivery", "/progress.csv"] {
            for coding in [None, Some("gzip"), Some("br")] {
                let extra: Vec<(&str, &str)> = coding.map(|c| ("Accept-Encoding", c)).into_iter().collect();
                let rendered = get(&app, path, &extra);
                let kept = get(&app, path, &extra);
                assert_eq!(rendered.status, 200, "{name}: {path}");
                let without_date =
                    |raw: &Raw| raw.headers.iter().filter(|(n, _)| n != "date").cloned().collect::<Vec<_>>();
                assert_eq!(without_date(&kept), without_date(&rendered), "{name}: {path} {coding:?}");
                assert!(kept.header("content-security-policy").is_some(), "{name}: {path}");
                assert_eq!(kept.body, rendered.body, "{name}: {path} {coding:?}");
                // Unchanged: the tag and the security headers, nothing that describes bytes.
                let tag = kept.header("etag").unwrap();
                let unchanged = get(&app, path, &[extra.as_slice(), &[("If-None-Match", tag)]].concat());
                assert_eq!(unchanged.status, 304, "{name}: {path} {coding:?}");
                assert_eq!(unchanged.header("etag"), Some(tag), "{name}: {path} {coding:?}");
                assert_eq!(unchanged.header("vary"), Some("accept-encoding"), "{name}: {path} {coding:?}");
                assert!(unchanged.header("content-security-policy").is_some(), "{name}: {path} {coding:?}");
                for describing in ["content-type", "content-encoding", "content-disposition"] {
                    assert!(unchanged.header(describing).is_none(), "{name}: {path} {coding:?}: {describing} on a 304");
                }
            }
            let bearer = format!("Bearer {secret}");
            let by_token = get(&app, path, &[("Authorization", &bearer)]);
            assert_eq!(by_token.status, 200, "{name}: {path}");
            assert!(by_token.header("etag").is_none(), "{name}: {path}: the public page, to a token");
            assert_eq!(by_token.header("cache-control"), Some("no-store"), "{name}: {path}");
        }
    }
}

#[test]
fn a_signed_in_page_never_carries_a_public_pages_tag() {
    for app in apps() {
        let name = app.db.name;
        let store = app.db.open();
        let fields = assure_store::AccountFields {
            display_name: "Ada".into(),
            role: assure_store::Role::Admin,
            organisations: Vec::new(),
            disabled: false,
        };
        store.create_account("ada", "correct horse battery staple", &fields, "test").unwrap();
        let public = get(&app, "/", &[("Accept-Encoding", "gzip")]);
        let tag = public.header("etag").unwrap().to_owned();
        let mut browser = app.browser();
        assert_eq!(browser.sign_in("ada", "correct horse battery staple").status, 303, "{name}");
        let cookies = browser.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        for path in ["/", "/outcomes/2"] {
            let signed = get(&app, path, &[("Accept-Encoding", "gzip"), ("Cookie", &cookies), ("If-None-Match", &tag)]);
            assert_eq!(signed.status, 200, "{name}: {path}: a public tag does not answer for a signed-in page");
            assert!(signed.header("etag").is_none(), "{name}: {path}: {:?}", signed.header("etag"));
            assert_eq!(signed.header("cache-control"), Some("no-store"), "{name}: {path}");
            // Compressed on the fly, and still the page for the person signed in.
            assert_eq!(signed.header("content-encoding"), Some("gzip"), "{name}: {path}");
            assert!(String::from_utf8_lossy(&gunzip(&signed.body)).contains("Sign out"), "{name}: {path}");
        }
    }
}

/// A server with these limits over each database available.
fn limited(limits: Limits) -> Vec<TestApp> {
    assure_store::testing::databases().into_iter().map(|db| TestApp::start_with_limits(db, limits)).collect()
}

const SHORT: Limits = Limits {
    header_timeout: Duration::from_millis(600),
    idle_timeout: Duration::from_millis(1500),
    body_timeout: Duration::from_millis(600),
    max_connections: 512,
};

/// Seconds until the server closes `stream` (reads return 0 or fail), at most `within`.
fn closed_after(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let start = Instant::now();
    stream.set_read_timeout(Some(within)).unwrap();
    let mut sink = [0u8; 4096];
    loop {
        match stream.read(&mut sink) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return None;
            }
            Err(_) => return Some(start.elapsed()),
        }
    }
}

#[test]
fn a_half_sent_head_is_closed_within_the_header_timeout() {
    for app in limited(SHORT) {
        // Half a head, then nothing.
        let mut half = TcpStream::connect(address(&app)).unwrap();
        half.write_all(b"GET / HTTP/1.1\r\nHost: test\r\n").unwrap();
        let took = closed_after(&mut half, Duration::from_secs(5)).expect("closed");
        assert!(took < Duration::from_millis(1400), "closed after {took:?}");
        // A byte every 100 ms is activity, but not a head: closed all the same.
        let mut slow = TcpStream::connect(address(&app)).unwrap();
        let start = Instant::now();
        let mut closed = false;
        for b in b"GET / HTTP/1.1\r\nHost: test\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
            if slow.write_all(&[*b]).is_err() {
                closed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let closed = closed || closed_after(&mut slow, Duration::from_secs(2)).is_some();
        assert!(closed && start.elapsed() < Duration::from_secs(6), "a slow head was let run {:?}", start.elapsed());
        // A connection that sends nothing at all is closed in the same time.
        let mut silent = TcpStream::connect(address(&app)).unwrap();
        let took = closed_after(&mut silent, Duration::from_secs(5)).expect("closed");
        assert!(took < Duration::from_millis(1400), "closed after {took:?}");
        // And a whole head in time is answered.
        assert_eq!(get(&app, "/healthz", &[]).status, 200);
    }
}

#[test]
fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    for app in limited(SHORT) {
        let mut stream = TcpStream::connect(address(&app)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        for _ in 0..2 {
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
            assert_eq!(read_answer(&mut stream).status, 200);
            // Kept alive past the header timeout: idle is not a half-sent head.
            std::thread::sleep(SHORT.header_timeout + Duration::from_millis(300));
        }
        let took = closed_after(&mut stream, Duration::from_secs(5)).expect("closed");
        let idle = SHORT.header_timeout + Duration::from_millis(300) + took;
        assert!(idle >= SHORT.idle_timeout - Duration::from_millis(50), "closed after {idle:?} idle");
        assert!(idle < SHORT.idle_timeout + Duration::from_millis(800), "closed after {idle:?} idle");
    }
}

#[test]
fn a_stalled_request_body_is_given_up_within_the_body_timeout() {
    for app in limited(SHORT) {
        let mut stream = TcpStream::connect(address(&app)).unwrap();
        stream
            .write_all(
                b"POST /sign-in HTTP/1.1\r\nHost: test\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                  Content-Length: 1000\r\n\r\nusername=a&pass",
            )
            .unwrap();
        let start = Instant::now();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let took = start.elapsed();
        assert!(took < Duration::from_secs(3), "the stalled body held the connection {took:?}");
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");
    }
}

#[test]
fn beyond_the_connection_limit_healthz_still_answers_and_the_rest_is_refused_until_they_close() {
    let limits = Limits { max_connections: 20, header_timeout: Duration::from_secs(30), ..SHORT };
    let limits = Limits { idle_timeout: Duration::from_secs(30), ..limits };
    for app in limited(limits) {
        // Twenty kept-alive connections, each answered once, so each holds its place.
        let mut held: Vec<TcpStream> = (0..20)
            .map(|_| {
                let mut s = TcpStream::connect(address(&app)).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
                assert_eq!(read_answer(&mut s).status, 200);
                s
            })
            .collect();
        let health = get(&app, "/healthz", &[]);
        assert_eq!(health.status, 200, "the health check answers beyond the limit");
        assert_eq!(health.header("connection"), Some("close"));
        let page = get(&app, "/outcomes/2", &[]);
        assert_eq!(page.status, 503);
        assert_eq!(page.header("retry-after"), Some("1"));
        assert_eq!(page.header("connection"), Some("close"));
        assert!(String::from_utf8_lossy(&page.body).contains("connection limit"));
        let api = get(&app, "/api/v1/outcomes/2", &[]);
        assert_eq!(api.status, 503);
        assert!(String::from_utf8_lossy(&api.body).starts_with("{\"errors\":[{\"detail\":"), "JSON under /api/");

        // Once they close, pages are served again.
        held.clear();
        let start = Instant::now();
        loop {
            let page = get(&app, "/outcomes/2", &[]);
            if page.status == 200 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "still refused: {}", page.status);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Descriptors this process holds for connections the server at `port` accepted: the
/// sockets whose local port is `port` (the kernel's TCP tables), other than the listener,
/// that one of `/proc/self/fd` points at. Counting only these keeps the tests running
/// beside this one in the same process (their databases, their clients) out of the count.
/// `None` where there is no `/proc`.
fn server_sockets(port: u16) -> Option<usize> {
    let mut inodes = std::collections::HashSet::new();
    for table in ["/proc/self/net/tcp", "/proc/self/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) = (fields.get(1), fields.get(3), fields.get(9)) else {
                continue;
            };
            let local_port = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
            // 0A is LISTEN: the listener is the server's whatever happens.
            if local_port == Some(port) && *state != "0A" && *inode != "0" {
                inodes.insert(format!("socket:[{inode}]"));
            }
        }
    }
    let descriptors = std::fs::read_dir("/proc/self/fd").ok()?;
    Some(
        descriptors
            .filter_map(|d| std::fs::read_link(d.ok()?.path()).ok())
            .filter(|target| inodes.contains(&*target.to_string_lossy()))
            .count(),
    )
}

/// [`server_sockets`] once it is 0, or when `within` has passed (a loaded machine may
/// take a moment to close).
fn server_sockets_within(port: u16, within: Duration) -> usize {
    let deadline = std::time::Instant::now() + within;
    loop {
        let held = server_sockets(port).unwrap_or(0);
        if held == 0 || std::time::Instant::now() >= deadline {
            return held;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_flood_of_idle_connections_holds_a_bounded_number_of_descriptors() {
    // A header timeout long enough that the first connections accepted are still held
    // when a loaded machine has accepted the twentieth (CI once counted 18 at a fixed
    // 300 ms, with a 600 ms timeout, while other tests shared the two cores).
    let limits = Limits { max_connections: 20, header_timeout: Duration::from_secs(3), ..SHORT };
    for app in limited(limits) {
        let port: u16 = address(&app).rsplit(':').next().unwrap().parse().unwrap();
        let Some(before) = server_sockets(port) else {
            eprintln!("NOTICE: no /proc/self/fd; descriptors not counted");
            return;
        };
        assert_eq!(get(&app, "/healthz", &[]).status, 200);
        let flood: Vec<TcpStream> = (0..300).map(|_| TcpStream::connect(address(&app)).unwrap()).collect();
        // The server holds at most the limit and the reserve; the rest are closed at once.
        // Counted until it holds the limit (at most 2 s, well inside the header timeout),
        // keeping the most it ever held, then once more after it has had time to take more.
        let start = Instant::now();
        let mut during = 0;
        while during < 20 && start.elapsed() < Duration::from_secs(2) {
            during = during.max(server_sockets(port).unwrap());
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        during = during.max(server_sockets(port).unwrap());
        eprintln!("server's connection descriptors: {before} before, at most {during} with 300 idle connections");
        assert!(during <= 20 + assure_web::RESERVE_CONNECTIONS, "{during} held by the server");
        assert!(during >= 20, "only {during} held: the flood never reached the server");
        // They time out; the server holds none of them after, and still answers.
        std::thread::sleep(limits.header_timeout);
        let after = server_sockets_within(port, Duration::from_secs(3));
        eprintln!("server's connection descriptors after the header timeout: {after}");
        assert_eq!(after, 0, "{after} descriptors held after the header timeout");
        drop(flood);
        assert_eq!(get(&app, "/healthz", &[]).status, 200);
        let closed = server_sockets_within(port, Duration::from_secs(3));
        assert_eq!(closed, 0, "{closed} descriptors held once the clients closed");
    }
}

#[test]
fn shutdown_finishes_a_request_in_flight_and_then_stops() {
    for db in assure_store::testing::databases() {
        let name = db.name;
        let store = db.open();
        store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "tester")).unwrap();
        crate::account(&store, "ada", assure_store::Role::Admin, &[]);
        let (_, token) = store.create_token("ada", "drain", "tester").unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = runtime.spawn(assure_web::serve_with(
            listener,
            assure_web::AppState::new(store.clone(), None),
            Limits::default(),
            async move {
                let _ = stopped.await;
            },
        ));

        // A request whose head is in and whose body is half sent: in flight.
        let body = r#"{"status":"on_track","narrative":"Charter signed by every leisure partner."}"#;
        let (first, rest) = body.split_at(body.len() / 2);
        let mut stream = TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let head = format!(
            "POST /api/v1/milestones/move-together-active-kent-medway-strategy-m1/updates HTTP/1.1\r\n\
             Host: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\n\r\n{first}",
            body.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(300));

        stop.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        assert!(!server.is_finished(), "{name}: the server waits for the request in flight");
        // New connections are no longer taken.
        let refused = TcpStream::connect(address).and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(2)))?;
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")?;
            let mut buf = [0u8; 1];
            s.read(&mut buf)
        });
        assert!(!matches!(refused, Ok(1)), "{name}: a new connection is not served after shutdown began");

        stream.write_all(rest.as_bytes()).unwrap();
        let answer = read_answer(&mut stream);
        assert_eq!(answer.status, 201, "{name}: {}", String::from_utf8_lossy(&answer.body));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !server.is_finished() {
            assert!(Instant::now() < deadline, "{name}: the server stops once the request is answered");
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(runtime.block_on(server).unwrap().is_ok(), "{name}");
        let updates =
            store.audit(&assure_store::AuditFilter { entity: Some("delivery_update".into()), ..Default::default() });
        assert_eq!(updates.unwrap().len(), 1, "{name}: the update answered was written");
        runtime.shutdown_timeout(Duration::from_secs(5));
        drop(store);
    }
}
