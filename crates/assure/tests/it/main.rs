//! Integration tests of the `assure` binary, run as a person would run it, and the tidy checks.

mod areas_cli;
mod browser;
mod cli;
mod crosscheck;
mod fetch_cli;
mod load_balancer;
mod mail_and_jobs;
mod mailbox;
mod read_only_disk;
mod reminders;
mod schemathesis;
mod stats_cli;
mod store_cli;
mod tidy;
mod two_servers;
mod versions_cli;
mod voice_cli;
mod workflow_cli;

/// The admin the workflow tests sign in as, and their passphrase.
pub const ADMIN: (&str, &str) = ("ada", "a long admin passphrase");

/// Make [`ADMIN`] with `assure … user add --password-stdin` (the command is `assure`
/// with its database options set): its standard output, which must not repeat the password.
pub fn add_admin(mut command: std::process::Command) -> String {
    use std::io::Write;
    use std::process::Stdio;
    command.args(["user", "add", ADMIN.0, "--role", "admin", "--name", "Ada Admin", "--password-stdin"]);
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{}\n", ADMIN.1).as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "assure user add: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A running `assure serve`, killed when dropped, so that a failing test leaves no server
/// behind holding the test's pipes open.
pub struct Server(pub std::process::Child);

impl std::ops::Deref for Server {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Start `assure ARGS… serve --addr 127.0.0.1:0 --log LOG` and wait for the address it
/// prints: the server, its base URL, and the rest of its standard error.
pub fn spawn_serve(
    mut command: std::process::Command,
    log: &str,
) -> (Server, String, std::io::BufReader<std::process::ChildStderr>) {
    use std::io::BufRead;
    let mut child = Server(
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--log", log])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    for _ in 0..10 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(rest) = line.split(" on http://").nth(1) {
            let base = format!("http://{}", rest.split('/').next().unwrap());
            return (child, base, stderr);
        }
    }
    panic!("assure serve did not print the address it listens on");
}
