//! Telling whether the writer of an unfinished history record can still
//! finish it: every open `Store` holds an exclusive lock on a file of its
//! own, `<data dir>/writers/<pid>-<instance>.lock`, for as long as it is
//! open. The operating system drops the lock when the process ends, however
//! it ends (a crash, kill -9), so a lock anyone can take belongs to a writer
//! that is gone.
//!
//! Nothing here reads a process id: a pid reused by an unrelated program
//! cannot make a dead writer look alive, and it works wherever
//! `File::try_lock` does (Linux, macOS, the BSDs, Windows). Where the
//! platform has no file locks, every other writer counts as alive: a live
//! writer's records are never touched.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::{StoreError, create_private_dir, private_file_options};

/// The directory beside the database that holds the writers' lock files.
pub(crate) const WRITERS_DIR: &str = "writers";

/// What a writer's lock file is named after its writer: `<pid>-<instance>`.
const LOCK_SUFFIX: &str = ".lock";

/// A lock file being made, before it is renamed to its `.lock` name.
const NEW_SUFFIX: &str = ".new";

/// Who wrote a history record or an intent log: a process and a store
/// instance in it. Records carry it in their `pid` and `instance` columns,
/// logs and lock files in their names. The pid only makes the names
/// readable; liveness is the lock's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Writer {
    /// The process id.
    pub(crate) pid: i64,
    /// The store instance, random, chosen by [`Lease::take`].
    pub(crate) instance: u64,
}

impl Writer {
    /// This process, through the store instance `instance`.
    pub(crate) fn this(instance: u64) -> Self {
        Writer {
            pid: i64::from(std::process::id()),
            instance,
        }
    }

    /// True when this writer may still finish its records: its lock file
    /// beside the database `db` is locked by someone.
    ///
    /// A missing lock file means a writer that ended (its store closed, or
    /// a recovery after its death removed the file). When the platform
    /// cannot lock, or the file cannot be opened, we cannot tell, and the
    /// writer counts as alive.
    pub(crate) fn alive(self, db: &Path) -> bool {
        !matches!(probe(&self.lock_path(db)), Probe::Free(_) | Probe::Missing)
    }

    /// `<data dir>/writers/<pid>-<instance>.lock`.
    fn lock_path(self, db: &Path) -> PathBuf {
        writers_dir(db).join(self.file_name(LOCK_SUFFIX))
    }

    fn file_name(self, suffix: &str) -> String {
        let Writer { pid, instance } = self;
        format!("{pid}-{instance:016x}{suffix}")
    }
}

/// The writers' directory of the database `db`.
fn writers_dir(db: &Path) -> PathBuf {
    db.with_file_name(WRITERS_DIR)
}

/// What a lock file says about its writer.
enum Probe {
    /// Someone holds the lock: the writer is alive.
    Held,
    /// We took the lock (and hold it while this lives): the writer is gone.
    Free(File),
    /// No such file: the writer is gone.
    Missing,
    /// The file cannot be opened or locked here: no verdict.
    Unknown,
}

fn probe(path: &Path) -> Probe {
    // Read access is enough to lock, on every platform.
    let file = match crate::fs::no_follow(OpenOptions::new().read(true)).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::NotFound => return Probe::Missing,
        Err(_) => return Probe::Unknown,
    };
    match file.try_lock() {
        Ok(()) => Probe::Free(file),
        Err(TryLockError::WouldBlock) => Probe::Held,
        Err(TryLockError::Error(_)) => Probe::Unknown,
    }
}

/// An open store's claim to be a live writer: the lock on its own file,
/// held until the store is dropped (or the process ends).
#[derive(Debug)]
pub(crate) struct Lease {
    writer: Writer,
    path: PathBuf,
    /// Holds the lock; closing it releases it.
    _file: File,
}

impl Lease {
    /// Picks a fresh instance id and locks its file beside the database
    /// `db`. The file is locked under a temporary name and only then renamed
    /// into place, so no one can ever find a writer's `.lock` file unlocked
    /// while the writer lives.
    pub(crate) fn take(db: &Path) -> Result<Lease, StoreError> {
        let dir = writers_dir(db);
        let io = |action, path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io {
                action,
                path,
                source,
            }
        };
        create_private_dir(&dir).map_err(io("create the writers' directory", &dir))?;
        loop {
            let writer = Writer::this(fastrand::u64(..));
            let path = writer.lock_path(db);
            let new = dir.join(writer.file_name(NEW_SUFFIX));
            if path.exists() {
                continue;
            }
            let file = match crate::fs::no_follow(&mut private_file_options())
                .write(true)
                .create_new(true)
                .open(&new)
            {
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                other => other.map_err(io("create", &new))?,
            };
            match file.lock() {
                // No file locks here: other instances cannot tell we live,
                // and so never touch our records (see the module's notes).
                Err(e) if e.kind() == ErrorKind::Unsupported => {}
                other => other.map_err(io("lock", &new))?,
            }
            std::fs::rename(&new, &path).map_err(io("create", &path))?;
            return Ok(Lease {
                writer,
                path,
                _file: file,
            });
        }
    }

    /// The writer this lease makes alive.
    pub(crate) fn writer(&self) -> Writer {
        self.writer
    }
}

impl Drop for Lease {
    /// The file goes while the lock is still held: a store that closes
    /// leaves nothing behind, and its unfinished records count as
    /// interrupted from now on.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Deletes the lock files of writers that are gone, once their records and
/// intents are recovered (a missing file says the same as a free one).
/// Files being made (`.new`) are left alone.
pub(crate) fn sweep(db: &Path) {
    let Ok(entries) = std::fs::read_dir(writers_dir(db)) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().ends_with(LOCK_SUFFIX) {
            continue;
        }
        let path = entry.path();
        if let Probe::Free(_held) = probe(&path) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(dir: &tempfile::TempDir) -> PathBuf {
        dir.path().join(super::super::DB_FILE_NAME)
    }

    #[test]
    fn a_lease_is_alive_until_dropped_and_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let db = db(&dir);
        let lease = Lease::take(&db).unwrap();
        let writer = lease.writer();
        assert_eq!(writer.pid, i64::from(std::process::id()));
        assert!(writer.alive(&db), "held by this process");
        sweep(&db);
        assert!(writer.alive(&db), "a held lock is never swept");
        drop(lease);
        assert!(!writer.alive(&db));
        let left: Vec<_> = std::fs::read_dir(writers_dir(&db)).unwrap().collect();
        assert!(left.is_empty(), "{left:?}");
    }

    /// A process id that is running right now (ours) names the file, but
    /// no one holds its lock: the writer is gone, and the sweep removes it.
    #[test]
    fn a_free_lock_file_is_dead_whatever_its_pid_and_is_swept() {
        let dir = tempfile::tempdir().unwrap();
        let db = db(&dir);
        let _live = Lease::take(&db).unwrap();
        let stale = Writer::this(7);
        std::fs::write(stale.lock_path(&db), b"").unwrap();
        assert!(!stale.alive(&db));
        sweep(&db);
        assert!(!stale.lock_path(&db).exists());
        assert!(_live.writer().alive(&db));
    }

    #[test]
    fn a_writer_without_a_lock_file_is_dead() {
        let dir = tempfile::tempdir().unwrap();
        let db = db(&dir);
        assert!(!Writer::this(1).alive(&db), "no writers' directory yet");
        let _lease = Lease::take(&db).unwrap();
        assert!(!Writer::this(1).alive(&db));
    }
}
