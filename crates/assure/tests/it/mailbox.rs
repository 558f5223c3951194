//! A real SMTP server for the tests that send email: aiosmtpd (from the venv
//! `scripts/smtp-venv` makes under `target/`) delivering into a maildir the test reads back,
//! each message decoded by Python's `email` package as a mail client would.
//! Without `python3` the tests that need it say so loudly and pass, except under `CI=true`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One message as the server received it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    /// The envelope's recipients (`X-RcptTo`), comma-separated.
    pub to: String,
    /// The `From` header.
    pub from: String,
    /// The `Subject` header, decoded.
    pub subject: String,
    /// The body, decoded from its transfer encoding.
    pub body: String,
    /// Every header, in order.
    pub headers: Vec<(String, String)>,
}

impl Received {
    /// The first header of this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A running SMTP server, stopped when dropped.
pub struct Mailbox {
    child: Child,
    python: String,
    port: u16,
    dir: tempfile::TempDir,
}

/// Reads a maildir and prints its messages as JSON, oldest first.
const READ_MAILDIR: &str = r#"
import email, email.policy, json, mailbox, re, sys
# In the order delivered: a maildir name is SECONDS.MMICROSECONDSPPIDQCOUNT.HOST, and
# sorting the names as text puts M99 after M123456 within one second.
def delivered(kv):
    m = re.match(r"(\d+)\.M(\d+)P\d+Q(\d+)", kv[0])
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)
out = []
for key, msg in sorted(mailbox.Maildir(sys.argv[1], factory=None).items(), key=delivered):
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain", "html"))
    out.append({
        "to": parsed.get("X-RcptTo", ""),
        "from": str(parsed.get("From", "")),
        "subject": str(parsed.get("Subject", "")),
        "body": body.get_content() if body is not None else "",
        "headers": [[k, str(v)] for k, v in parsed.items()],
    })
print(json.dumps(out))
"#;

impl Mailbox {
    /// Start a server on a free port of 127.0.0.1, or `None` when aiosmtpd cannot be had
    /// (said loudly; a failure under `CI=true`).
    pub fn start() -> Option<Mailbox> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let python = match Command::new(root.join("scripts/smtp-venv")).output() {
            Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_owned(),
            other => {
                let message = format!("aiosmtpd could not be installed ({other:?}); the email test is SKIPPED");
                assert!(!std::env::var("CI").is_ok_and(|v| v == "true"), "{message}, and CI=true requires it");
                eprintln!("\n*** WARNING: {message} ***\n");
                return None;
            }
        };
        let dir = tempfile::tempdir().unwrap();
        let maildir: PathBuf = dir.path().join("maildir");
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(&python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mailbox = Mailbox { child, python, port, dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the SMTP server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(mailbox)
    }

    /// The server's address, as `--smtp-url` takes it.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received so far, oldest first.
    pub fn received(&self) -> Vec<Received> {
        let maildir = self.dir.path().join("maildir");
        if !maildir.join("new").exists() {
            return Vec::new();
        }
        let out = Command::new(&self.python).arg("-c").arg(READ_MAILDIR).arg(&maildir).output().unwrap();
        assert!(out.status.success(), "reading the maildir: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The messages once there are at least `count` (waiting up to 10 s for delivery).
    pub fn messages(&self, count: usize) -> Vec<Received> {
        let started = Instant::now();
        loop {
            let got = self.received();
            if got.len() >= count || started.elapsed() > Duration::from_secs(10) {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
