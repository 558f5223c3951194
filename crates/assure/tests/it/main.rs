//! Integration tests of the `assure` binary, run as a person would run it, and the tidy checks.

mod browser;
mod cli;
mod crosscheck;
mod stats_cli;
mod store_cli;
mod tidy;

/// Start `assure ARGS… serve --addr 127.0.0.1:0 --log LOG` and wait for the address it
/// prints: the process, its base URL, and the rest of its standard error.
pub fn spawn_serve(
    mut command: std::process::Command,
    log: &str,
) -> (std::process::Child, String, std::io::BufReader<std::process::ChildStderr>) {
    use std::io::BufRead;
    let mut child = command
        .args(["serve", "--addr", "127.0.0.1:0", "--log", log])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
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
    let _ = child.kill();
    let _ = child.wait();
    panic!("assure serve did not print the address it listens on");
}
