//! The persistent store: an embedded SQLite database in the data directory
//! holding the task inventory and one history record per rescan job, so
//! operators see outcomes across restarts.
//!
//! The file is opened in WAL mode with a busy timeout, so two instances on
//! one data directory both work; writes wait for each other instead of
//! failing. Async code talks to it through [`spawn_store_thread`] so it never
//! blocks on SQLite.

mod checkpoint;
mod history;
mod intents;
mod liveness;
mod monitor;
mod schema;
mod settings;
pub(crate) mod tasks;
#[cfg(test)]
mod tests;
mod thread;
mod types;
mod watch;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

pub use intents::Intent;
pub use monitor::{Bucket, MonitorData, MonitorQuery};
pub use tasks::NewTasks;
pub use thread::{IN_FLIGHT_AFTER, Pending, StoreHandle, spawn_store_thread};
pub use types::{
    Finish, HistoryQuery, HistoryRecord, NewRecord, RecordId, StoredParams, StoredTask, TaskChunk,
};
pub use watch::{Changes, Watermark};

/// The database's file name inside the data directory.
pub const DB_FILE_NAME: &str = "tae-rescan.db";

/// How long a write waits for another instance's write before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The first 16 bytes of every SQLite 3 database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Everything that can go wrong with the store. Each message is one human
/// line naming the database file (or data directory), ready to show as is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The data directory could not be created or the file not inspected.
    #[error("cannot {action} {}: {}", path.display(), crate::text::io_reason(source))]
    Io {
        /// What was being done ("create the data directory", "read").
        action: &'static str,
        /// The directory or file involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A directory sits where the database file should be.
    #[error(
        "{} is a directory, not the tae-rescan database; move it away or use another data directory",
        path.display()
    )]
    IsDirectory {
        /// The path where the database file was expected.
        path: PathBuf,
    },

    /// A symbolic link sits where the database, its WAL files or the log
    /// would be: following it would write wherever it points.
    #[error(
        "{} is a symbolic link; tae-rescan does not follow it: remove it or use another data directory",
        path.display()
    )]
    Symlink {
        /// The link.
        path: PathBuf,
    },

    /// The file exists but is not a SQLite database; it was left untouched.
    #[error(
        "{} is not a tae-rescan database (not SQLite); it was left untouched: move it away or use another data directory",
        path.display()
    )]
    NotADatabase {
        /// The file that was refused.
        path: PathBuf,
    },

    /// The file is a SQLite database of some other program; we never add
    /// our tables to it.
    #[error(
        "{} is a SQLite database of another program, not tae-rescan's; it was left untouched: move it away or use another data directory",
        path.display()
    )]
    ForeignDatabase {
        /// The file that was refused.
        path: PathBuf,
    },

    /// The database was migrated by a newer build; using it could lose data.
    #[error(
        "{} was made by a newer tae-rescan (schema version {found}, this build knows up to {known}); upgrade tae-rescan",
        path.display()
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest version this build understands.
        known: i64,
    },

    /// SQLite refused an operation (locked too long, disk full, corrupt...).
    #[error("database {}: {}", path.display(), one_line(source))]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// SQLite's error.
        #[source]
        source: rusqlite::Error,
    },

    /// A stored value could not be read back (hand-edited or damaged row).
    #[error("database {}: {what}", path.display())]
    BadData {
        /// The database file.
        path: PathBuf,
        /// Which value and why.
        what: String,
    },

    /// `finish` named a record that does not exist.
    #[error("database {}: no history record {id}", path.display())]
    NoSuchRecord {
        /// The database file.
        path: PathBuf,
        /// The record id asked for.
        id: i64,
    },

    /// The store thread is gone (could not start, or stopped).
    #[error("database {}: the store thread is not running", path.display())]
    ThreadGone {
        /// The database file.
        path: PathBuf,
    },
}

/// Joins a possibly multi-line message into one line.
fn one_line(e: &rusqlite::Error) -> String {
    e.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An open store: one SQLite connection plus who we are, so records we leave
/// unfinished can be told from those of a live other instance.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Our lock in the writers' directory: while it is held, our
    /// unfinished records are ours to finish.
    lease: liveness::Lease,
    /// Records [`Store::open`] found left unfinished by writers that had
    /// died, and marked `interrupted`.
    interrupted_at_open: usize,
}

impl Store {
    /// Opens or creates `<dir>/tae-rescan.db` (creating `dir` if missing),
    /// applies migrations, switches to WAL with a busy timeout, and marks
    /// records of dead writers `interrupted`.
    ///
    /// A file that is not SQLite is refused and left byte-for-byte untouched;
    /// a database from a newer schema version is refused too.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        create_private_dir(dir).map_err(|source| StoreError::Io {
            action: "create the data directory",
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE_NAME);
        refuse_links(&path)?;
        check_existing(&path)?;
        create_private_file(&path).map_err(|source| StoreError::Io {
            action: "create",
            path: path.clone(),
            source,
        })?;
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let mut conn = Connection::open_with_flags(&path, open_flags()).map_err(sql)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql)?;
        // Read the header page before anything can write: SQLite reports a
        // damaged or foreign file here, and `user_version` tells us whether
        // we may touch it at all.
        // Both reads in one transaction: another instance may be creating
        // the schema right now, and version and tables must agree.
        let (found, tables) = {
            let tx = conn.transaction().map_err(sql)?;
            let found = schema::version(&tx).map_err(|e| not_a_db(&path, e))?;
            let tables = schema::has_tables(&tx).map_err(sql)?;
            tx.commit().map_err(sql)?;
            (found, tables)
        };
        if found > schema::LATEST {
            return Err(newer(&path, found));
        }
        if found == 0 && tables {
            return Err(StoreError::ForeignDatabase { path });
        }
        // WAL lets a reader and a writer (and two instances) work at once.
        // synchronous=NORMAL in WAL: a commit survives a crash of the
        // process; only an OS crash or power loss can lose the last few
        // commits, never consistency. History is an operator convenience,
        // so this trade for ~10x cheaper commits is the right one.
        // Switching to WAL takes an exclusive lock, and SQLite answers BUSY
        // at once (no busy handler) when another instance is opening the
        // same fresh file: retry that step, up to the busy timeout.
        let started = std::time::Instant::now();
        loop {
            match conn.pragma_update(None, "journal_mode", "WAL") {
                Err(e) if is_busy(&e) && started.elapsed() < BUSY_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(10 + u64::from(fastrand::u8(..40))));
                }
                other => break other.map_err(sql)?,
            }
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrateError::Newer(v) => newer(&path, v),
            schema::MigrateError::Sql(source) => sql(source),
        })?;
        let lease = liveness::Lease::take(&path)?;
        let mut store = Store {
            conn,
            path,
            lease,
            interrupted_at_open: 0,
        };
        store.interrupted_at_open = store.mark_interrupted()?;
        Ok(store)
    }

    /// The database file, for messages and the about screen.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many rescans opening the store found cut off by the end of their
    /// process (a crash, a kill) and recorded `interrupted`, so the
    /// dashboard can say so on its first screen.
    pub fn interrupted_at_open(&self) -> usize {
        self.interrupted_at_open
    }

    /// Wraps a SQLite error with our path.
    fn sql(&self, source: rusqlite::Error) -> StoreError {
        if let rusqlite::Error::FromSqlConversionFailure(_, _, e) = &source
            && let Some(unknown) = e.downcast_ref::<crate::api::outcome::UnknownOutcome>()
        {
            return self.bad(format!("a history record's outcome: {unknown}"));
        }
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

/// Creates the data directory, and any missing parent, readable by the
/// user only: the history names tasks and URLs, and may hold unzip
/// passwords (`[store] remember_unzip_passwords`). A directory that already
/// exists keeps its permissions (it is the user's).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options that create a file for the user only (0600): the database and
/// the log, which name tasks, URLs and outcomes.
pub fn private_file_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates the database file for the user only before SQLite opens it;
/// SQLite gives its `-wal` and `-shm` files the database's permissions.
/// An existing file is left as it is.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    match crate::fs::no_follow(&mut private_file_options())
        .write(true)
        .create_new(true)
        .open(path)
    {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other.map(drop),
    }
}

/// How every connection opens the database: as rusqlite does by default,
/// but refusing a symbolic link put in its place since [`refuse_links`].
pub(crate) fn open_flags() -> rusqlite::OpenFlags {
    rusqlite::OpenFlags::default() | rusqlite::OpenFlags::SQLITE_OPEN_NOFOLLOW
}

/// Refuses a symbolic link, dangling or not, in place of the database or
/// its `-wal` and `-shm` files: SQLite would create or write its target.
fn refuse_links(db: &Path) -> Result<(), StoreError> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        let path = PathBuf::from(name);
        let link = crate::fs::is_symlink(&path).map_err(|source| StoreError::Io {
            action: "inspect",
            path: path.clone(),
            source,
        })?;
        if link {
            return Err(StoreError::Symlink { path });
        }
    }
    Ok(())
}

/// Refuses a directory or a non-SQLite file at `path` before SQLite opens
/// it, so nothing is ever written into a foreign file. A missing or empty
/// file is fine: SQLite makes a new database there.
fn check_existing(path: &Path) -> Result<(), StoreError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(StoreError::Io {
                action: "inspect",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    if meta.is_dir() {
        return Err(StoreError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    if meta.len() == 0 {
        return Ok(());
    }
    let io = |source| StoreError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let mut head = Vec::with_capacity(SQLITE_HEADER.len());
    File::open(path)
        .map_err(io)?
        .take(SQLITE_HEADER.len() as u64)
        .read_to_end(&mut head)
        .map_err(io)?;
    if head != SQLITE_HEADER {
        return Err(StoreError::NotADatabase {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// SQLite's "not a database" becomes our clearer message; other errors stay.
fn not_a_db(path: &Path, source: rusqlite::Error) -> StoreError {
    if source.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase) {
        StoreError::NotADatabase {
            path: path.to_path_buf(),
        }
    } else {
        StoreError::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }
}

fn newer(path: &Path, found: i64) -> StoreError {
    StoreError::NewerSchema {
        path: path.to_path_buf(),
        found,
        known: schema::LATEST,
    }
}

/// Converts between our unsigned numbers and SQLite's signed integers,
/// saturating instead of wrapping (no value we store comes near the limit).
pub(crate) fn to_sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// True for "another connection holds the lock" errors.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}
