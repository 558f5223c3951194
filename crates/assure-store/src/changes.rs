//! Learning that the data changed without asking the database on every request.
//!
//! A web server keeps what it rendered for as long as the data it came from is unchanged.
//! [`Changes::generation`] answers, without a round trip to a database server, with a
//! number that moves whenever the data may have changed since it was last asked, or with
//! `None` when that cannot be known now (then the caller asks the database itself):
//!
//! - every write transaction of every store in this process moves it when it ends, so a
//!   process serves its own change on its very next request;
//! - on PostgreSQL, every audit entry (every change a reader can see writes one) sends
//!   `NOTIFY assure_changed` with its plan's id in its own transaction, delivered only if
//!   it commits. A thread holds one connection that `LISTEN`s and moves the number on each
//!   notification, within milliseconds of the commit. It pings the server every second; it
//!   is believed only while connected and heard from within the last [`SILENCE`], and not
//!   after [`Changes::doubt`] until it has heard from the server again. A lost connection
//!   is reopened with backoff (0.1 s doubling to 5 s); until then the answer is `None`;
//! - on SQLite, `PRAGMA data_version`: an in-process read of the WAL index (microseconds,
//!   no pool, no waiting for a lock) that changes whenever any other connection, in this
//!   process or another, commits. It is read again only when the last read is older than
//!   [`SQLITE_FRESH`] (under load a server answers tens of thousands of requests a second,
//!   and each read also asks the file system whether the `-shm` can still be written), so
//!   another process's change is seen within that time. A question takes whichever of a few
//!   connections is free (so that requests on different threads seldom wait for each
//!   other), and a connection that sees its version move counts a change shared by all
//!   (one change may be counted once per connection: a spare question of the revision,
//!   never a missed change).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use r2d2_postgres::postgres::{self, NoTls, fallible_iterator::FallibleIterator};
use r2d2_sqlite::rusqlite;

use crate::Store;
use crate::disk::SqliteFiles;
use crate::sql::Pool;

/// The PostgreSQL channel every change is announced on.
pub const CHANNEL: &str = "assure_changed";

/// How long the listening connection may go without a word from the server (a
/// notification or the answer to its ping) before it is no longer believed.
pub const SILENCE: Duration = Duration::from_secs(3);

/// How often the listening connection pings the server.
const PING_EVERY: Duration = Duration::from_secs(1);

/// How long the listening thread waits for a notification before it looks at its other
/// duties (a ping, whether it is still wanted).
const WAIT: Duration = Duration::from_millis(250);

/// How long a SQLite data version read stays the answer: another process's change is
/// served within this time (this process's own, on its very next request).
pub const SQLITE_FRESH: Duration = Duration::from_millis(5);

const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const LAST_BACKOFF: Duration = Duration::from_secs(5);

/// Write transactions of every store in this process that have ended (committed or not).
static WRITES: AtomicU64 = AtomicU64::new(0);

/// A write transaction ended: what it changed is to be served from now on.
pub(crate) fn wrote() {
    WRITES.fetch_add(1, Ordering::SeqCst);
}

/// Watches one database for changes; see the module's documentation. Dropping it stops
/// the watching (the PostgreSQL thread ends within a quarter of a second).
pub struct Changes(Watch);

enum Watch {
    Sqlite(Arc<SqliteWatch>),
    Postgres(Arc<Listener>),
}

/// Connections a watched SQLite database may be asked on at once: a question finds one
/// free rather than waiting (each is opened only when all before it were busy).
const SQLITE_ASKERS: usize = 4;

/// One SQLite database watched: what the threads asking share.
struct SqliteWatch {
    /// Connections to ask on, each with the version it last read.
    askers: [Mutex<Asker>; SQLITE_ASKERS],
    /// Changes seen on any of them (see the module's documentation).
    seen: AtomicU64,
    started: Instant,
    /// Microseconds after `started`, plus one, of the last read that succeeded (0: none,
    /// or the last read failed).
    read_at: AtomicU64,
}

/// A connection to ask `PRAGMA data_version` on, and the version it last read there.
struct Asker {
    version: Version,
    last: Option<u64>,
}

impl SqliteWatch {
    fn new(path: &std::path::Path, files: &Arc<SqliteFiles>) -> SqliteWatch {
        SqliteWatch {
            askers: std::array::from_fn(|_| {
                Mutex::new(Asker {
                    version: Version { path: path.to_owned(), files: files.clone(), conn: None, base: 0 },
                    last: None,
                })
            }),
            seen: AtomicU64::new(0),
            started: Instant::now(),
            read_at: AtomicU64::new(0),
        }
    }

    /// The changes seen so far, after reading the data version on a free connection
    /// unless the last read is younger than [`SQLITE_FRESH`] (`None`: it cannot be read
    /// now).
    fn seen(&self) -> Option<u64> {
        // Taken before the read: the read answers for no later than this.
        let asked = micros(self.started.elapsed()).saturating_add(1);
        let last = self.read_at.load(Ordering::SeqCst);
        if last != 0 && asked.saturating_sub(last) < micros(SQLITE_FRESH) {
            return Some(self.seen.load(Ordering::SeqCst));
        }
        let free = self.askers.iter().find_map(|a| a.try_lock().ok());
        let mut asker = match free {
            Some(a) => a,
            None => self.askers[0].lock().ok()?,
        };
        let now = asker.version.read();
        if now.is_none() || now != asker.last {
            // Moved, or first read on this connection (anything may have changed before).
            self.seen.fetch_add(1, Ordering::SeqCst);
        }
        asker.last = now;
        self.read_at.store(if now.is_some() { asked } else { 0 }, Ordering::SeqCst);
        now.map(|_| self.seen.load(Ordering::SeqCst))
    }
}

/// How the watch learns of changes now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watching {
    /// Told of every change (PostgreSQL's listening connection, or SQLite's data version).
    Told,
    /// Not told: the listening connection is down, or doubted (so the database is asked
    /// on every request).
    Asking,
}

impl Watching {
    /// `told` or `asking`, for `/healthz`.
    pub fn as_str(self) -> &'static str {
        match self {
            Watching::Told => "told",
            Watching::Asking => "asking",
        }
    }
}

/// SQLite's data version, read on a connection of its own.
struct Version {
    path: PathBuf,
    files: Arc<SqliteFiles>,
    conn: Option<rusqlite::Connection>,
    /// Added to the connection's version: moves past every version seen when a
    /// connection is opened afresh (a new connection's versions start again).
    base: u64,
}

impl Version {
    fn read(&mut self) -> Option<u64> {
        // A read touches the `-shm` mapping: not while that file cannot be written.
        if self.files.shm_unwritable().is_some() {
            return None;
        }
        if self.conn.is_none() {
            let c = rusqlite::Connection::open(&self.path).ok()?;
            // Never wait: a busy database is asked through the pool, which waits.
            c.busy_timeout(Duration::ZERO).ok()?;
            self.base += 1 << 32;
            self.conn = Some(c);
        }
        let conn = self.conn.as_ref()?;
        let read = conn.prepare_cached("PRAGMA data_version").and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)));
        match read {
            Ok(v) => Some(self.base + u64::try_from(v).unwrap_or(0)),
            Err(_) => {
                self.close();
                None
            }
        }
    }

    /// Close the connection; while the `-shm` cannot be written, without the checkpoint
    /// closing the last connection makes (it writes the `-shm`, which would end the
    /// process: see `disk`).
    fn close(&mut self) {
        if let Some(conn) = self.conn.take()
            && self.files.shm_unwritable().is_some()
        {
            let _ = conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true);
        }
    }
}

impl Drop for Version {
    fn drop(&mut self) {
        self.close();
    }
}

/// What the listening thread shares with the requests that read it.
struct Listener {
    started: Instant,
    /// Milliseconds after `started` of the last word from the server.
    heard: AtomicU64,
    connected: AtomicBool,
    doubted: AtomicBool,
    /// Notifications received, connections (re)opened and doubts cleared.
    notices: AtomicU64,
}

impl Listener {
    fn heard_now(&self) {
        self.heard.store(millis(self.started.elapsed()), Ordering::SeqCst);
    }

    fn believed(&self) -> bool {
        self.connected.load(Ordering::SeqCst)
            && !self.doubted.load(Ordering::SeqCst)
            && millis(self.started.elapsed()).saturating_sub(self.heard.load(Ordering::SeqCst)) < millis(SILENCE)
    }

    fn notice(&self) {
        self.notices.fetch_add(1, Ordering::SeqCst);
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Changes {
    /// A number that moves whenever the data may have changed since it was last asked
    /// (read it *before* reading the data it stands for), or `None` when that cannot be
    /// known now.
    pub fn generation(&self) -> Option<u64> {
        // Read first: a write that ends after this is seen by the next call.
        let writes = WRITES.load(Ordering::SeqCst);
        let seen = match &self.0 {
            Watch::Sqlite(watch) => watch.seen()?,
            Watch::Postgres(l) => {
                let notices = l.notices.load(Ordering::SeqCst);
                if !l.believed() {
                    return None;
                }
                notices
            }
        };
        Some(seen.wrapping_add(writes))
    }

    /// The database was found unavailable: stop believing the listening connection until
    /// it has heard from the server again (it pings at once).
    pub fn doubt(&self) {
        if let Watch::Postgres(l) = &self.0 {
            l.doubted.store(true, Ordering::SeqCst);
        }
    }

    /// How changes are learnt of now.
    pub fn watching(&self) -> Watching {
        if self.generation().is_some() { Watching::Told } else { Watching::Asking }
    }
}

impl Store {
    /// Start watching the database for changes (on PostgreSQL, a thread with a connection
    /// of its own that listens; see [`Changes`]).
    pub fn changes(&self) -> Changes {
        match &self.pool {
            Pool::Sqlite { path, files, .. } => Changes(Watch::Sqlite(Arc::new(SqliteWatch::new(path, files)))),
            Pool::Postgres { config, .. } => {
                let listener = Arc::new(Listener {
                    started: Instant::now(),
                    heard: AtomicU64::new(0),
                    connected: AtomicBool::new(false),
                    doubted: AtomicBool::new(false),
                    notices: AtomicU64::new(0),
                });
                let (config, weak) = ((**config).clone(), Arc::downgrade(&listener));
                let spawned =
                    std::thread::Builder::new().name("assure-listen".into()).spawn(move || listen(&config, &weak));
                if let Err(e) = spawned {
                    // Without the thread the database is asked on every request, as before.
                    tracing::warn!(error = %e, "cannot start the thread that listens for changes");
                }
                Changes(Watch::Postgres(listener))
            }
        }
    }
}

/// The listening thread: connect, `LISTEN`, count notifications, ping; reconnect with
/// backoff when the connection is lost; end when the [`Changes`] is dropped.
fn listen(config: &postgres::Config, listener: &Weak<Listener>) {
    let mut backoff = FIRST_BACKOFF;
    let mut lost = false;
    loop {
        let connected =
            config.connect(NoTls).and_then(|mut c| c.batch_execute(&format!("LISTEN {CHANNEL}")).map(|()| c));
        match connected {
            Ok(mut client) => {
                backoff = FIRST_BACKOFF;
                {
                    let Some(l) = listener.upgrade() else { return };
                    l.heard_now();
                    l.doubted.store(false, Ordering::SeqCst);
                    l.connected.store(true, Ordering::SeqCst);
                    // Whatever changed while no one listened is to be read again.
                    l.notice();
                }
                if lost {
                    tracing::info!("listening for changes again");
                }
                let ended = hear(&mut client, listener);
                let Some(l) = listener.upgrade() else { return };
                l.connected.store(false, Ordering::SeqCst);
                l.notice();
                tracing::warn!(
                    reason = %ended,
                    "lost the connection that listens for changes; asking the database on every request until it is back"
                );
                lost = true;
            }
            Err(e) => {
                if !lost {
                    tracing::warn!(error = %crate::sql::pg_message(&e), "cannot listen for changes; asking the database on every request");
                    lost = true;
                }
            }
        }
        // Wait, in steps, so that a dropped watch ends the thread soon.
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            if listener.strong_count() == 0 {
                return;
            }
            std::thread::sleep(WAIT.min(until.saturating_duration_since(Instant::now())));
        }
        backoff = (backoff * 2).min(LAST_BACKOFF);
    }
}

/// Count notifications on a listening connection until it fails (the reason returned) or
/// the watch is dropped.
fn hear(client: &mut postgres::Client, listener: &Weak<Listener>) -> String {
    let mut pinged = Instant::now();
    loop {
        {
            let mut notifications = client.notifications();
            let mut waiting = notifications.timeout_iter(WAIT);
            loop {
                match waiting.next() {
                    Ok(Some(_)) => {
                        let Some(l) = listener.upgrade() else { return "stopped".into() };
                        l.notice();
                        l.heard_now();
                    }
                    Ok(None) => break,
                    Err(e) => return crate::sql::pg_message(&e),
                }
            }
        }
        if client.is_closed() {
            return "the server closed it".into();
        }
        let Some(l) = listener.upgrade() else { return "stopped".into() };
        let doubted = l.doubted.load(Ordering::SeqCst);
        if doubted || pinged.elapsed() >= PING_EVERY {
            if let Err(e) = client.simple_query("") {
                return crate::sql::pg_message(&e);
            }
            pinged = Instant::now();
            l.heard_now();
            if doubted {
                l.doubted.store(false, Ordering::SeqCst);
                l.notice();
            }
        }
    }
}
