//! The site over real HTTP: a server on port 0 over a fresh database (SQLite, and
//! PostgreSQL when reachable), fetched with a plain HTTP client.

mod access;
mod api;
mod areas;
mod committees;
mod data_sources;
mod downloads;
mod fuzz;
mod outage;
mod pages;
mod places;
mod plan_edit;
mod progress;
mod reports;
mod transport;
mod versions;
mod voice;
mod work;

use assure_store::testing::{TestDb, databases};
pub use assure_web::testing::{Browser, Reply};

/// The password of every account the tests make.
pub const PASSWORD: &str = "correct horse battery staple";

/// An account with this role and these organisations, named by its username.
pub fn account(store: &assure_store::Store, username: &str, role: assure_store::Role, organisations: &[&str]) {
    let fields = assure_store::AccountFields {
        display_name: username.to_owned(),
        role,
        organisations: organisations.iter().map(|o| (*o).to_owned()).collect(),
        disabled: false,
    };
    store.create_account(username, PASSWORD, &fields, "test").unwrap();
}

/// A client signed in as `username`.
pub fn signed_in(app: &TestApp, username: &str) -> Browser {
    let mut b = app.browser();
    assert_eq!(b.sign_in(username, PASSWORD).status, 303, "{username} signs in");
    b
}

/// A running server over its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The database behind it, to change things under the server's feet.
    pub db: TestDb,
    runtime: Option<tokio::runtime::Runtime>,
    /// Outlives the runtime, so that PostgreSQL connections are closed off its threads.
    store: Option<assure_store::Store>,
}

impl TestApp {
    /// Start a server over `db` with the bundled plan imported.
    pub fn start(db: TestDb) -> TestApp {
        TestApp::start_with_limits(db, assure_web::Limits::default())
    }

    /// The same, with these connection limits.
    pub fn start_with_limits(db: TestDb, limits: assure_web::Limits) -> TestApp {
        TestApp::launch(db, limits, |app| app)
    }

    /// The same, fetching Fingertips from `base_url` (a fake the test started).
    pub fn start_with_fingertips(db: TestDb, base_url: &str) -> TestApp {
        let settings = assure_app::FingertipsSettings {
            base_url: base_url.to_owned(),
            timeout: std::time::Duration::from_secs(10),
        };
        TestApp::launch(db, assure_web::Limits::default(), |app| app.with_fingertips(settings))
    }

    fn launch(db: TestDb, limits: assure_web::Limits, app: impl FnOnce(assure_app::App) -> assure_app::App) -> TestApp {
        let store = db.open();
        store.import_plan(&assure_store::ImportPlanRequest::new(&assure_plan::bundled().unwrap(), "tester")).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = assure_web::AppState::serving(app(assure_app::App::new(store.clone())), None, Vec::new());
        runtime.spawn(assure_web::serve_with(listener, state, limits, std::future::pending()));
        TestApp { base, db, runtime: Some(runtime), store: Some(store) }
    }

    /// GET a path: status, content type and body.
    pub fn get(&self, path: &str) -> (u16, String, String) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut response = agent.get(&format!("{}{path}", self.base)).call().unwrap();
        let status = response.status().as_u16();
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        (status, kind, body)
    }
}

impl TestApp {
    /// Load the illustrative data into the served plan, through the same path as `assure
    /// demo-data` (prepared, then stored), and give back the plan.
    pub fn load_illustrative_data(&self) -> assure_plan::Plan {
        let store = self.db.open();
        let plan = assure_plan::bundled().unwrap();
        let options = assure_tracking::PrepareOptions { illustrative: true, ..Default::default() };
        let rows =
            assure_tracking::prepare(&plan, assure_tracking::demo::generate(&plan), "demo", &options).unwrap().rows;
        let file =
            assure_store::DataFile { name: "demo".into(), checksum: "x".into(), format: "demo".into(), skipped: 0 };
        store.import_observations(plan.meta.id.get_ref(), &rows, &file, assure_store::ImportMode::Merge, "t").unwrap();
        plan
    }

    /// A client with its own cookies, like a browser.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }

    /// Another server over the same database, with its own pool and caches (as a second
    /// process would have).
    pub fn second_server(&self) -> SecondServer {
        let store = self.db.open();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(assure_web::serve(
            listener,
            assure_web::AppState::new(store.clone(), None),
            std::future::pending(),
        ));
        SecondServer { base, runtime: Some(runtime), store: Some(store) }
    }
}

/// A second server over a test app's database.
pub struct SecondServer {
    base: String,
    runtime: Option<tokio::runtime::Runtime>,
    store: Option<assure_store::Store>,
}

impl SecondServer {
    /// A client of this server.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.base)
    }
}

impl Drop for SecondServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
        drop(self.store.take());
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
        drop(self.store.take());
    }
}

/// One app per database available.
pub fn apps() -> Vec<TestApp> {
    databases().into_iter().map(TestApp::start).collect()
}
