//! Whether an SQLite database's files can be written: the database, its `-wal` and its
//! `-shm`, or the directory a missing one would be created in.
//!
//! SQLite maps the `-shm` file (the WAL index) into memory and writes to it even to read.
//! When that file stops being writable under a running process (an immutable flag, a
//! read-only remount), the next touch of the mapping is a `SIGBUS` that ends the process
//! without a word. So the store asks the kernel, before every transaction, whether each
//! file could be opened for writing (`access(2)` with `W_OK`, which also answers for root
//! on an immutable file or a read-only file system), and refuses the work with
//! [`StoreError::ReadOnly`](crate::StoreError::ReadOnly) instead of touching SQLite. The
//! check costs a system call per file; a change between the check and the transaction is
//! not caught.

use std::io;
use std::path::{Path, PathBuf};

use rustix::fs::Access;

/// A file that cannot be written, and why.
#[derive(Debug)]
pub(crate) struct Unwritable {
    /// The file (or the directory a missing file would be created in).
    pub(crate) path: PathBuf,
    /// What the kernel said.
    pub(crate) error: io::Error,
}

impl Unwritable {
    /// The refusal a transaction gets.
    pub(crate) fn to_error(&self) -> crate::StoreError {
        crate::StoreError::ReadOnly { path: self.path.display().to_string(), reason: self.error.to_string() }
    }
}

/// The files of one SQLite database.
#[derive(Debug, Clone)]
pub(crate) struct SqliteFiles {
    dir: PathBuf,
    db: PathBuf,
    wal: PathBuf,
    shm: PathBuf,
}

impl SqliteFiles {
    /// The files of the database at `db`.
    pub(crate) fn new(db: &Path) -> SqliteFiles {
        let dir = match db.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let with = |suffix: &str| {
            let mut name = db.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        SqliteFiles { dir, db: db.to_owned(), wal: with("-wal"), shm: with("-shm") }
    }

    /// The first file a write transaction needs that cannot be written: the database,
    /// its `-wal`, its `-shm`, each where it exists, or else the directory it would be
    /// created in.
    pub(crate) fn unwritable(&self) -> Option<Unwritable> {
        [&self.db, &self.wal, &self.shm].into_iter().find_map(|f| self.check(f))
    }

    /// Whether the `-shm` file cannot be written: then even a read would touch a mapping
    /// that can no longer be written, and ends the process.
    pub(crate) fn shm_unwritable(&self) -> Option<Unwritable> {
        // One system call: a missing `-shm` is not one that cannot be written.
        match writable(&self.shm) {
            Err(u) if u.error.kind() == io::ErrorKind::NotFound => None,
            other => other.err(),
        }
    }

    fn check(&self, file: &Path) -> Option<Unwritable> {
        match writable(file) {
            Ok(()) => None,
            Err(u) if u.error.kind() == io::ErrorKind::NotFound => writable(&self.dir).err(),
            Err(u) => Some(u),
        }
    }
}

fn writable(path: &Path) -> Result<(), Unwritable> {
    rustix::fs::access(path, Access::WRITE_OK)
        .map_err(|e| Unwritable { path: path.to_owned(), error: io::Error::from_raw_os_error(e.raw_os_error()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_judged_by_its_directory() {
        let dir = std::env::temp_dir();
        let files = SqliteFiles::new(&dir.join(format!("assure-disk-{}.db", std::process::id())));
        assert!(files.unwritable().is_none());
        assert!(files.shm_unwritable().is_none());
        let gone = dir.join(format!("assure-no-such-dir-{}", std::process::id()));
        let missing = SqliteFiles::new(&gone.join("a.db"));
        let u = missing.unwritable().expect("a missing directory cannot be written");
        assert_eq!(u.path, gone);
        assert_eq!(u.error.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn the_wal_and_shm_are_named_after_the_database() {
        let files = SqliteFiles::new(Path::new("x.db"));
        assert_eq!(files.dir, Path::new("."));
        assert_eq!(files.wal, Path::new("x.db-wal"));
        assert_eq!(files.shm, Path::new("x.db-shm"));
    }
}
