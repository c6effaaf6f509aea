//! The intent log: one line per rescan, appended just before its request
//! is sent, so the history never misses a request the process sent and
//! then died on.
//!
//! Writing the history record itself before each request, and completing
//! it after, meant two trips to the store thread per request; in bulk runs
//! that was the single biggest cost (2,000 rescans: 15,200 requests/s with
//! it, 19,500 with one trip). A line appended to a file takes one `write`
//! from the sending task and survives a crash of the process as well as a
//! SQLite commit does here (`synchronous=NORMAL`: neither waits for the
//! disk). The record then reaches the database once, complete, when the
//! answer arrives; only a request still unanswered after
//! [`super::IN_FLIGHT_AFTER`] is written as `in flight` first.
//!
//! Each open [`super::Store`] instance has its own log, named after its
//! writer (pid and instance), in the data directory, which exists only
//! while some intent has no record yet. When its writer is gone, the next
//! open turns each intent without a record into an `interrupted` one and
//! deletes the log.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::liveness::Writer;
use super::types::NewRecord;
use super::{DB_FILE_NAME, StoreError, private_file_options};
use crate::api::params::TaskId;

/// What the log files' names start with, before `<pid>-<instance>`.
const PREFIX: &str = ".intents-";

/// The key of one intent: its writer's sequence number. The history row
/// written for it carries the same number in its `intent` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Intent(pub(crate) u64);

/// One line of the log: borrowed from the record when written (no copy on
/// the request path), owned when read back.
#[derive(Serialize, Deserialize)]
struct Line<'a> {
    intent: u64,
    task_id: Cow<'a, str>,
    time: i64,
    params: Cow<'a, str>,
}

/// The log of one store instance, shared by its handles (which append) and
/// its thread (which reports records written).
#[derive(Debug)]
pub(crate) struct IntentLog {
    path: PathBuf,
    state: Mutex<LogState>,
}

#[derive(Debug, Default)]
struct LogState {
    /// Open while some intent has no record; created by the first intent
    /// after that, so commands that never send leave no file.
    file: Option<File>,
    /// Intents written whose record is not committed yet.
    open: usize,
    /// The next intent's number.
    next: u64,
}

impl IntentLog {
    /// The log of `writer` beside the database `db`.
    pub(crate) fn new(db: &Path, writer: Writer) -> Self {
        Self {
            path: log_path(db, writer),
            state: Mutex::default(),
        }
    }

    /// Appends the intent to send `rec` and returns its key.
    pub(crate) fn write(&self, rec: &NewRecord) -> Result<Intent, StoreError> {
        let io = |source| StoreError::Io {
            action: "write",
            path: self.path.clone(),
            source,
        };
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let intent = Intent(state.next);
        // The newline goes first: a line cut short by a failed write (disk
        // full) then cannot swallow the next one.
        let mut line = vec![b'\n'];
        serde_json::to_writer(
            &mut line,
            &Line {
                intent: intent.0,
                task_id: Cow::Borrowed(rec.task_id.as_str()),
                time: rec.time,
                params: Cow::Borrowed(&rec.params),
            },
        )
        .map_err(|e| io(e.into()))?;
        if state.file.is_none() {
            let file = crate::fs::no_follow(&mut private_file_options())
                .append(true)
                .create(true)
                .open(&self.path)
                .map_err(io)?;
            state.file = Some(file);
        }
        if let Some(file) = state.file.as_mut() {
            file.write_all(&line).map_err(io)?;
        }
        state.next += 1;
        state.open += 1;
        Ok(intent)
    }

    /// Notes that `n` intents now have committed records. When none is
    /// left without one, the log is deleted (the next intent creates it
    /// again): no file stays behind a process that ends now, however it
    /// ends, while one with intents left stays for the next open.
    pub(crate) fn recorded(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.open = state.open.saturating_sub(n);
        if state.open == 0 && state.file.take().is_some() {
            // If this fails the lines stay; recovery finds their records
            // and adds nothing.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// `<data dir>/tae-rescan.db.intents-<pid>-<instance>`.
fn log_path(db: &Path, writer: Writer) -> PathBuf {
    let Writer { pid, instance } = writer;
    db.with_file_name(format!("{DB_FILE_NAME}{PREFIX}{pid}-{instance:016x}"))
}

/// The log of a writer that is gone, read back for recovery.
pub(crate) struct DeadLog {
    /// The file, deleted once its intents are recorded.
    pub(crate) path: PathBuf,
    /// Who wrote it.
    pub(crate) writer: Writer,
    /// Every intent that could be read, in order.
    pub(crate) intents: Vec<(Intent, NewRecord)>,
}

/// The logs in `db`'s directory whose writers are gone. A line that does
/// not parse (a write cut short by the crash: its request was never sent)
/// is skipped; a log that cannot be read is left for a later open.
pub(crate) fn dead_logs(db: &Path) -> Vec<DeadLog> {
    let Some(dir) = db.parent() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let prefix = format!("{DB_FILE_NAME}{PREFIX}");
    entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name();
            let writer = writer_of(name.to_str()?.strip_prefix(&prefix)?)?;
            if writer.alive(db) {
                return None;
            }
            let path = entry.path();
            let intents = read_intents(&path)?;
            Some(DeadLog {
                path,
                writer,
                intents,
            })
        })
        .collect()
}

/// The writer named `<pid>-<instance>` in a log's name.
fn writer_of(suffix: &str) -> Option<Writer> {
    let (pid, instance) = suffix.split_once('-')?;
    Some(Writer {
        pid: pid.parse().ok()?,
        instance: u64::from_str_radix(instance, 16).ok()?,
    })
}

fn read_intents(path: &Path) -> Option<Vec<(Intent, NewRecord)>> {
    let file = File::open(path).ok()?;
    let mut intents = Vec::new();
    for line in BufReader::new(file).split(b'\n') {
        let Ok(line) = line else { return None };
        // Blank (the first) and torn lines are skipped.
        let Ok(line) = serde_json::from_slice::<Line>(&line) else {
            continue;
        };
        let Ok(task_id) = TaskId::parse(&line.task_id) else {
            continue;
        };
        let rec = NewRecord {
            task_id,
            time: line.time,
            params: line.params.into_owned(),
        };
        intents.push((Intent(line.intent), rec));
    }
    Some(intents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(task: &str) -> NewRecord {
        NewRecord {
            task_id: TaskId::parse(task).unwrap(),
            time: 7,
            params: "unpack=true".into(),
        }
    }

    #[test]
    fn a_log_reads_back_and_a_torn_line_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE_NAME);
        // No one holds this writer's lock (it has no lock file): the log
        // counts as dead.
        let dead = Writer {
            pid: i64::from(u32::MAX),
            instance: 0xabc,
        };
        let log = IntentLog::new(&db, dead);
        assert_eq!(log.write(&rec("a")).unwrap(), Intent(0));
        let path = log.path.clone();
        let torn = |bytes: &[u8]| {
            std::fs::OpenOptions::new()
                .append(true)
                .open(&path)
                .unwrap()
                .write_all(bytes)
                .unwrap()
        };
        // A write cut short (disk full), then a good one after it.
        torn(b"\n{\"intent\":9,\"task_");
        assert_eq!(log.write(&rec("b")).unwrap(), Intent(1));
        // The crash itself, mid-write.
        torn(b"\n{\"intent\":2,\"task_");
        drop(log);
        assert!(path.exists(), "intents without records keep the log");
        let logs = dead_logs(&db);
        assert_eq!(logs.len(), 1);
        assert_eq!(logs[0].writer, dead);
        let read: Vec<_> = logs[0]
            .intents
            .iter()
            .map(|(i, r)| (i.0, r.task_id.as_str(), r.params.as_str()))
            .collect();
        assert_eq!(read, [(0, "a", "unpack=true"), (1, "b", "unpack=true")]);
    }

    #[test]
    fn a_log_lives_only_while_an_intent_has_no_record() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join(DB_FILE_NAME);
        let log = IntentLog::new(&db, Writer::this(1));
        log.write(&rec("a")).unwrap();
        log.write(&rec("b")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&log.path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "names tasks: for the user only");
        }
        log.recorded(1);
        assert!(log.path.exists(), "one intent still has no record");
        log.recorded(1);
        assert!(!log.path.exists());
        assert_eq!(log.write(&rec("c")).unwrap(), Intent(2));
        let lines = std::fs::read_to_string(&log.path).unwrap();
        let count = lines.lines().filter(|l| !l.is_empty()).count();
        assert_eq!(count, 1, "a fresh file: {lines}");
        log.recorded(1);
        assert!(!log.path.exists());
    }

    #[test]
    fn writers_are_read_from_log_names() {
        let writer = Writer {
            pid: 12,
            instance: 255,
        };
        assert_eq!(writer_of("12-00000000000000ff"), Some(writer));
        assert_eq!(writer_of("12"), None);
        assert_eq!(writer_of("x-1"), None);
    }
}
