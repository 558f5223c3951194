//! For tests of this crate and of the binary (feature `testing`): a client that keeps
//! cookies like a browser and signs in through the forms, and a reader of PDFs.

use std::io::Write;

/// What came back.
#[derive(Debug)]
pub struct Reply {
    /// HTTP status.
    pub status: u16,
    /// The `Location` header, without scheme and host.
    pub location: String,
    /// Every `Set-Cookie`.
    pub set_cookies: Vec<String>,
    /// Whether the server said `Connection: close`.
    pub closes: bool,
    /// The `Retry-After` header, if any.
    pub retry_after: Option<String>,
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
    /// Sent as `X-Forwarded-For`, as a reverse proxy in front would.
    pub forwarded_for: Option<String>,
}

impl Browser {
    /// A client of the server at `base` (`http://127.0.0.1:PORT`).
    pub fn new(base: &str) -> Browser {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into();
        Browser { base: base.to_owned(), agent, cookies: Default::default(), csrf: String::new(), forwarded_for: None }
    }

    /// The request with this client's cookies (and forwarded address).
    fn prepare<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let cookies = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let request = request.header("Cookie", &cookies);
        match &self.forwarded_for {
            Some(f) => request.header("X-Forwarded-For", f),
            None => request,
        }
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
        let closes = r.headers().get("connection").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"close"));
        let retry_after = r.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
        Reply {
            status: r.status().as_u16(),
            location,
            set_cookies,
            closes,
            retry_after,
            body: r.body_mut().read_to_string().unwrap_or_default(),
        }
    }

    /// GET with the cookies.
    pub fn get(&mut self, path: &str) -> Reply {
        let r = self.prepare(self.agent.get(&format!("{}{path}", self.base))).call().unwrap();
        self.reply(r)
    }

    /// GET with the cookies, for a binary answer (a PDF, a workbook): the status, the
    /// content type and the bytes.
    pub fn get_bytes(&mut self, path: &str) -> (u16, String, Vec<u8>) {
        let mut r = self.prepare(self.agent.get(&format!("{}{path}", self.base))).call().unwrap();
        let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        (r.status().as_u16(), kind, r.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
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
            .prepare(self.agent.post(&format!("{}{path}", self.base)))
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
        self.post_file(path, file_name, "text/csv", content.as_bytes(), with_csrf)
    }

    /// POST any file (a workbook: bytes, not text) as `multipart/form-data` (field
    /// `file`, of this content type), with or without the CSRF token.
    pub fn post_file(
        &mut self,
        path: &str,
        file_name: &str,
        content_type: &str,
        content: &[u8],
        with_csrf: bool,
    ) -> Reply {
        let boundary = "----assure-test-boundary";
        let mut body = Vec::new();
        if with_csrf {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n", self.csrf)
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_bytes(path, &format!("multipart/form-data; boundary={boundary}"), &body)
    }

    /// POST `multipart/form-data` with the session's CSRF token, these text fields and a
    /// file of any bytes (field `file`).
    pub fn post_multipart_bytes(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file_name: &str,
        content: &[u8],
    ) -> Reply {
        let boundary = "----assure-test-boundary";
        let mut body = Vec::new();
        let csrf = self.csrf.clone();
        for (name, value) in [("csrf", csrf.as_str())].into_iter().chain(fields.iter().copied()) {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/zip\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        self.post_bytes(path, &format!("multipart/form-data; boundary={boundary}"), &body)
    }

    /// POST any bytes as the body, with this content type (for forms built by hand, or
    /// broken on purpose).
    pub fn post_bytes(&mut self, path: &str, content_type: &str, body: &[u8]) -> Reply {
        let r = self
            .prepare(self.agent.post(&format!("{}{path}", self.base)))
            .content_type(content_type)
            .send(body)
            .unwrap();
        self.reply(r)
    }

    /// POST JSON with an API token (or none), sending the cookies too.
    pub fn post_json(&mut self, path: &str, token: Option<&str>, body: &str) -> Reply {
        let mut req = self.prepare(self.agent.post(&format!("{}{path}", self.base)));
        if let Some(t) = token {
            req = req.header("Authorization", &format!("Bearer {t}"));
        }
        let r = req.content_type("application/json").send(body.as_bytes()).unwrap();
        self.reply(r)
    }
}

/// Text with all white space removed: a PDF's table cells wrap anywhere, so its text is
/// compared without it.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The text of a PDF, by `pdftotext` (poppler-utils, installed by
/// `scripts/browser-setup`); `None`, with a notice, when the tool is missing, except
/// under `CI=true`, where a missing tool fails the test.
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let mut file = tempfile::NamedTempFile::new().ok()?;
    file.write_all(pdf).ok()?;
    let run = std::process::Command::new("pdftotext").arg(file.path()).arg("-").output();
    match run {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("pdftotext could not read the PDF: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "pdftotext is needed under CI=true: {e}");
            eprintln!(
                "NOTICE: pdftotext is missing ({e}); the PDF's content is not checked. Run scripts/browser-setup."
            );
            None
        }
    }
}

/// How many pages of a PDF `pdftoppm` renders as PNG, each checked to be a PNG image;
/// `None` when the tool is missing (see [`pdf_text`]).
pub fn pdf_pages_rendered(pdf: &[u8]) -> Option<usize> {
    let dir = tempfile::tempdir().ok()?;
    let input = dir.path().join("report.pdf");
    std::fs::write(&input, pdf).ok()?;
    let run = std::process::Command::new("pdftoppm")
        .args(["-r", "30", "-png"])
        .arg(&input)
        .arg(dir.path().join("page"))
        .output();
    match run {
        Ok(o) if o.status.success() => {
            let pages: Vec<_> = std::fs::read_dir(dir.path())
                .ok()?
                .filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "png"))
                .collect();
            for p in &pages {
                let bytes = std::fs::read(p.path()).ok()?;
                assert!(
                    bytes.starts_with(b"\x89PNG") && bytes.len() > 1000,
                    "{}: not a rendered page",
                    p.path().display()
                );
            }
            Some(pages.len())
        }
        Ok(o) => panic!("pdftoppm could not render the PDF: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "pdftoppm is needed under CI=true: {e}");
            eprintln!("NOTICE: pdftoppm is missing ({e}); the PDF is not rendered. Run scripts/browser-setup.");
            None
        }
    }
}
