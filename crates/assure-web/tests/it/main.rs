//! The site over real HTTP: a server on port 0 over a fresh database (SQLite, and
//! PostgreSQL when reachable), fetched with a plain HTTP client.

mod access;
mod api;
mod pages;

use assure_store::testing::{TestDb, databases};

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
        let store = db.open();
        store.import_plan(&assure_plan::bundled().unwrap(), "tester", false).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(assure_web::serve(
            listener,
            assure_web::AppState::new(store.clone(), None),
            std::future::pending(),
        ));
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

/// What came back.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `Location` header, without scheme and host.
    pub location: String,
    /// Every `Set-Cookie`.
    pub set_cookies: Vec<String>,
    /// The body.
    pub body: String,
}

/// A client that keeps cookies and the session's CSRF token, and does not follow redirects.
pub struct Browser {
    base: String,
    agent: ureq::Agent,
    /// Cookies by name.
    pub cookies: std::collections::HashMap<String, String>,
    /// The CSRF token of the signed-in session.
    pub csrf: String,
}

impl Browser {
    fn new(base: &str) -> Browser {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Browser { base: base.to_owned(), agent, cookies: Default::default(), csrf: String::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn reply(&mut self, mut r: ureq::http::Response<ureq::Body>) -> Reply {
        let set_cookies: Vec<String> =
            r.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let location = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default();
        let location = location.strip_prefix(&self.base).unwrap_or(location).to_owned();
        Reply {
            status: r.status().as_u16(),
            location,
            set_cookies,
            body: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    /// GET with the cookies.
    pub fn get(&mut self, path: &str) -> Reply {
        let r = self.agent.get(&format!("{}{path}", self.base)).header("Cookie", &self.cookie_header()).call().unwrap();
        self.reply(r)
    }

    /// The value of the first `name="csrf"` field in a page.
    pub fn csrf_in(body: &str) -> String {
        body.split("name=\"csrf\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default().to_owned()
    }

    /// Sign in through the form (its token from the form's page and cookie).
    pub fn sign_in(&mut self, username: &str, password: &str) -> Reply {
        let page = self.get("/sign-in");
        let token = Browser::csrf_in(&page.body);
        let fields = [
            ("csrf", token),
            ("username", username.to_owned()),
            ("password", password.to_owned()),
            ("next", "/".to_owned()),
        ];
        let r = self.post_raw("/sign-in", &fields);
        if r.status == 303 {
            let account = self.get("/account");
            self.csrf = Browser::csrf_in(&account.body);
        }
        r
    }

    fn post_raw(&mut self, path: &str, fields: &[(&str, String)]) -> Reply {
        let r = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("Cookie", &self.cookie_header())
            .send_form(fields.iter().map(|(k, v)| (*k, v.as_str())))
            .unwrap();
        self.reply(r)
    }

    /// POST a form, with the session's CSRF token or without one.
    pub fn post_form(&mut self, path: &str, fields: &[(&str, String)], with_csrf: bool) -> Reply {
        let mut all: Vec<(&str, String)> = fields.to_vec();
        if with_csrf {
            all.push(("csrf", self.csrf.clone()));
        }
        self.post_raw(path, &all)
    }

    /// POST a file as `multipart/form-data` (field `file`), with or without the CSRF token.
    pub fn post_multipart(&mut self, path: &str, file_name: &str, content: &str, with_csrf: bool) -> Reply {
        let boundary = "----assure-test-boundary";
        let mut body = String::new();
        if with_csrf {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
                self.csrf
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
        ));
        let r = self
            .agent
            .post(&format!("{}{path}", self.base))
            .header("Cookie", &self.cookie_header())
            .content_type(&format!("multipart/form-data; boundary={boundary}"))
            .send(body.as_bytes())
            .unwrap();
        self.reply(r)
    }

    /// POST JSON with an API token (or none), sending the cookies too.
    pub fn post_json(&mut self, path: &str, token: Option<&str>, body: &str) -> Reply {
        let mut req = self.agent.post(&format!("{}{path}", self.base)).header("Cookie", &self.cookie_header());
        if let Some(t) = token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let r = req.content_type("application/json").send(body.as_bytes()).unwrap();
        self.reply(r)
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
