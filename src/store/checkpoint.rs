//! Background WAL checkpoints, so the store thread rarely waits for a disk
//! flush.
//!
//! A WAL checkpoint copies committed pages into the database file and, with
//! `synchronous=NORMAL`, flushes the WAL and the database file to disk. Run
//! by SQLite's automatic checkpoint, that happens on the writing thread
//! right after a commit, every 1,000 pages by default: in a bulk run each
//! flush held up every job waiting to begin its record (the flushes were a
//! large share of the store thread's time, and a variable one: they wait
//! for the disk). Here a thread with a connection of its own runs passive
//! checkpoints, which never block the writer, whenever the store thread has
//! committed [`NUDGE_EVERY`] times. The writer keeps an automatic checkpoint
//! at [`WRITER_AUTOCHECKPOINT`] pages as a backstop: under steady load the
//! background copy never quite catches up (new commits keep arriving), so
//! the WAL could not restart from its beginning; the writer's own
//! checkpoint then has only the last few pages left to copy and flush, and
//! lets the WAL restart, which bounds it to about 16 MB.

use std::path::Path;
use std::sync::mpsc;

use rusqlite::Connection;

use super::BUSY_TIMEOUT;

/// Store-thread commits between two nudges of the checkpointer: about as
/// many pages as SQLite's default automatic checkpoint (a bulk commit
/// writes a handful of pages).
pub(crate) const NUDGE_EVERY: u32 = 128;

/// The writer's own automatic checkpoint, in WAL pages (4 KiB each).
pub(crate) const WRITER_AUTOCHECKPOINT: i64 = 4_000;

/// The store thread's end: asks for a checkpoint without ever waiting.
pub(crate) struct Checkpointer {
    nudge: Option<mpsc::SyncSender<()>>,
    commits: u32,
}

impl Checkpointer {
    /// Starts the checkpoint thread on its own connection to `path`. If the
    /// connection or the thread cannot be had, checkpoints stay with the
    /// writer's automatic checkpoint (slower bulk runs, nothing lost).
    pub(crate) fn start(path: &Path) -> Checkpointer {
        let nudge = Connection::open_with_flags(path, super::open_flags())
            .and_then(|conn| conn.busy_timeout(BUSY_TIMEOUT).map(|()| conn))
            .ok()
            .and_then(|conn| {
                // One pending nudge is enough: more would only repeat it.
                let (nudge, nudged) = mpsc::sync_channel(1);
                std::thread::Builder::new()
                    .name("tae-rescan-checkpoint".into())
                    .spawn(move || run(&conn, &nudged))
                    .ok()
                    .map(|_| nudge)
            });
        Checkpointer { nudge, commits: 0 }
    }

    /// False when the thread could not be started.
    pub(crate) fn is_running(&self) -> bool {
        self.nudge.is_some()
    }

    /// Counts one commit; every [`NUDGE_EVERY`] asks for a checkpoint.
    pub(crate) fn committed(&mut self) {
        self.commits += 1;
        if self.commits >= NUDGE_EVERY {
            self.commits = 0;
            if let Some(nudge) = &self.nudge {
                let _ = nudge.try_send(());
            }
        }
    }
}

/// Checkpoints once per nudge until the store thread is gone. A failed or
/// partial checkpoint (another connection reading old pages) is simply
/// tried again at the next nudge.
fn run(conn: &Connection, nudged: &mpsc::Receiver<()>) {
    while nudged.recv().is_ok() {
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::NUDGE_EVERY;
    use crate::api::outcome::OutcomeKind;
    use crate::api::params::TaskId;
    use crate::store::{Finish, NewRecord, Store, spawn_store_thread};

    /// Only a checkpoint moves pages from the WAL into the database file,
    /// and the writer's own automatic one is far off after these commits.
    #[tokio::test]
    async fn commits_are_checkpointed_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let db = store.path().to_path_buf();
        let size = || std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
        let before = size();
        let handle = spawn_store_thread(store);
        for n in 0..NUDGE_EVERY {
            let rec = NewRecord {
                task_id: TaskId::parse(&format!("t-{n}")).unwrap(),
                time: i64::from(n),
                params: String::new(),
            };
            let intent = handle.begin(rec).unwrap();
            let fin = Finish {
                status: Some(200),
                outcome: OutcomeKind::Accepted,
                error: None,
                description: None,
                new_task_id: None,
                body: None,
                attempts: 1,
                elapsed_ms: 1,
                queued_ms: 0,
                finished_at: i64::from(n),
            };
            handle.finish(intent, fin).await.unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while size() <= before {
            assert!(Instant::now() < deadline, "no checkpoint: {} bytes", size());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}
