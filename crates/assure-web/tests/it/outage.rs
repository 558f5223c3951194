//! The database going away and coming back (issue 19, defect 8): answered 503 with
//! `Retry-After` within a short bound — the JSON envelope under `/api/`, a page
//! elsewhere — and served again once it returns, without a restart.

use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assure_store::testing::{TestDb, postgres_available};

/// A TCP forwarder to PostgreSQL that can be cut (every connection dropped, new ones
/// refused) and restored on the same port: a database server that stops answering.
struct Link {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Link {
    fn to(target: &'static str) -> Link {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let link = Link { port, up: Arc::new(AtomicBool::new(true)), open: Arc::default() };
        let (up, open) = (link.up.clone(), link.open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if !up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else { continue };
                for s in [&client, &server] {
                    open.lock().unwrap().push(s.try_clone().unwrap());
                }
                for (mut from, mut to) in [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        link
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn get(base: &str, path: &str) -> (u16, String, Option<String>, Duration) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let started = Instant::now();
    let mut r = agent.get(&format!("{base}{path}")).call().unwrap();
    let header = |n: &str| r.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (kind, retry) = (header("content-type").unwrap_or_default(), header("retry-after"));
    let _ = r.body_mut().read_to_string();
    (r.status().as_u16(), kind, retry, started.elapsed())
}

#[test]
fn an_outage_is_answered_503_quickly_in_the_right_shape_and_the_server_recovers() {
    if !postgres_available() {
        return;
    }
    let db = TestDb::postgres();
    // The same database, reached through the link.
    let assure_store::DatabaseUrl::Postgres(url) = &db.url else { unreachable!() };
    let link = Link::to("127.0.0.1:5432");
    let through = url.replacen("127.0.0.1:5432", &format!("127.0.0.1:{}", link.port), 1);
    assert_ne!(&through, url, "the test database is expected at 127.0.0.1:5432: {url}");
    let (store, _) = assure_store::Store::open(&assure_store::DatabaseUrl::Postgres(through)).unwrap();
    store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "tester")).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    runtime.spawn(assure_web::serve(listener, assure_web::AppState::new(store.clone(), None), std::future::pending()));

    assert_eq!(get(&base, "/outcomes/2").0, 200);
    assert_eq!(get(&base, "/api/v1/outcomes/2").0, 200);

    // Kept pages are served without asking the database while it is told of changes.
    let health = |base: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        agent.get(&format!("{base}/healthz")).call().unwrap().body_mut().read_to_string().unwrap()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !health(&base).contains("\"changes\":\"told\"") {
        assert!(Instant::now() < deadline, "the server listens for changes: {}", health(&base));
        std::thread::sleep(Duration::from_millis(50));
    }

    link.cut();
    // The health check asks the database itself (and then nothing is believed kept).
    let (status, ..) = get(&base, "/healthz");
    assert_eq!(status, 503, "/healthz reports the database down");
    assert!(health(&base).contains("\"database\":\"unavailable\""), "{}", health(&base));
    for path in ["/outcomes/2", "/api/v1/outcomes/2", "/api/v1/indicators"] {
        let (status, kind, retry, took) = get(&base, path);
        assert_eq!(status, 503, "{path}");
        assert!(retry.is_some(), "{path}: Retry-After");
        assert!(took < Duration::from_secs(8), "{path}: answered in {took:?}");
        let json = path.starts_with("/api/");
        assert_eq!(kind.starts_with("application/json"), json, "{path}: {kind}");
    }
    link.restore();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, ..) = get(&base, "/api/v1/outcomes/2");
        if status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "not served again within 20 s of the database returning ({status})");
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(get(&base, "/outcomes/2").0, 200);
    // … and listens for changes again.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !health(&base).contains("\"changes\":\"told\"") {
        assert!(Instant::now() < deadline, "listening again: {}", health(&base));
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(runtime);
    drop(store);
}
