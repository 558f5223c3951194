//! Progress bars on a terminal (indicatif) for what takes long: data imports (by bytes of
//! the file, per pass), `assure stats` runs (by bytes of the input) and report
//! generation (a spinner). Drawn on standard error, and only when it is a terminal and
//! `--quiet` was not given: output meant for a pipe or a log gets nothing.

use std::io::{IsTerminal, Read};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

static QUIET: AtomicBool = AtomicBool::new(false);

/// No progress is drawn from now on (`--quiet`).
pub(crate) fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// A progress bar, or nothing when progress is not shown.
pub(crate) struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar of bytes, hidden until its first stage starts.
    pub(crate) fn new() -> Bar {
        if QUIET.load(Ordering::Relaxed) || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        Bar(Some(ProgressBar::new(0)))
    }

    /// A spinner saying `message` while something of unknown length runs.
    pub(crate) fn spinner(message: &str) -> Bar {
        let bar = Bar::new();
        if let Some(b) = &bar.0 {
            b.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("a valid template"));
            b.set_message(message.to_owned());
            b.enable_steady_tick(Duration::from_millis(100));
        }
        bar
    }
}

impl assure_app::Progress for Bar {
    fn start(&self, stage: &str, total: Option<u64>) {
        let Some(b) = &self.0 else { return };
        let template = match total {
            Some(_) => "{msg:>9} [{bar:30}] {bytes}/{total_bytes} ({eta} left)",
            None => "{spinner} {msg} {bytes} {bytes_per_sec}",
        };
        b.set_style(ProgressStyle::with_template(template).expect("a valid template").progress_chars("=> "));
        b.set_length(total.unwrap_or(0));
        b.set_position(0);
        b.set_message(stage.to_owned());
    }

    fn advance(&self, done: u64) {
        if let Some(b) = &self.0 {
            b.inc(done);
        }
    }

    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// The bar of the process's one `assure stats` run.
pub(crate) fn stats_bar() -> &'static Bar {
    static BAR: OnceLock<Bar> = OnceLock::new();
    BAR.get_or_init(Bar::new)
}

/// A reader that moves `bar` on by the bytes read through it.
pub(crate) struct Counted<R> {
    inner: R,
    bar: &'static Bar,
}

impl<R> Counted<R> {
    pub(crate) fn new(inner: R, bar: &'static Bar) -> Counted<R> {
        Counted { inner, bar }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        assure_app::Progress::advance(self.bar, n as u64);
        Ok(n)
    }
}
