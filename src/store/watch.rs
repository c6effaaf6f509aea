//! What other writers (another dashboard, `tasks import`, `rescan`) added
//! to the database since we last looked, so an open dashboard shows it.
//!
//! `PRAGMA data_version` changes only when another connection has
//! committed, and reading it touches no table (one look at the WAL index),
//! so it is checked about once a second at no cost worth naming; only when
//! it moved are the new rows read, from a [`Watermark`]: tasks by their
//! position, records by their id, plus the records others had begun and not
//! yet finished.

use std::time::{Duration, Instant};

use rusqlite::{Connection, params};
use tokio::sync::mpsc::UnboundedSender;

use super::history::{HISTORY_COLUMNS, RawRecord};
use super::tasks::NEW_TASKS_SQL;
use super::types::{HistoryRecord, StoredTask};
use super::{Store, StoreError};

/// How far a reader has seen the database.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watermark {
    /// `PRAGMA data_version` when last looked.
    version: i64,
    /// The highest task position seen.
    position: i64,
    /// The highest history record id seen.
    record: i64,
    /// Records of other writers seen unfinished: their answers are still to
    /// come.
    unfinished: Vec<i64>,
}

/// What other writers committed after a [`Watermark`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Tasks added to the inventory, in list order, each with its newest
    /// record (as [`Store::load_tasks`] gives them).
    pub tasks: Vec<StoredTask>,
    /// Records of other writers, begun or finished since, that are now the
    /// newest of a listed task, oldest first (`task_id` names the task).
    pub records: Vec<HistoryRecord>,
}

/// Records of other writers (not pid `?2`, instance `?3`) that are their
/// listed task's newest. Read from the history's side: each record found
/// by id costs one lookup in the tasks' unique id index.
const NEWEST_RECORDS: &str = "FROM history AS h \
     WHERE NOT (h.pid = ?2 AND h.instance = ?3) \
     AND h.id = (SELECT t.last_history FROM tasks AS t WHERE t.id = h.task_id)";

impl Store {
    /// Where the database stands now, before the caller reads it (the
    /// inventory at start): whatever another writer commits from here on
    /// is in the next [`Store::changes_since`].
    pub fn watermark(&self) -> Result<Watermark, StoreError> {
        let version = data_version(&self.conn).map_err(|e| self.sql(e))?;
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        let (position, record) = highest(&tx).map_err(|e| self.sql(e))?;
        let unfinished = self.unfinished(&tx).map_err(|e| self.sql(e))?;
        Ok(Watermark {
            version,
            position,
            record,
            unfinished,
        })
    }

    /// What other writers committed since `mark`, which moves past it;
    /// `None`, without reading any table, when nobody else committed.
    pub fn changes_since(&self, mark: &mut Watermark) -> Result<Option<Changes>, StoreError> {
        let version = data_version(&self.conn).map_err(|e| self.sql(e))?;
        if version == mark.version {
            return Ok(None);
        }
        let sql = |e| self.sql(e);
        let tx = self.conn.unchecked_transaction().map_err(sql)?;
        let mut tasks = Vec::new();
        {
            let mut stmt = tx.prepare_cached(NEW_TASKS_SQL).map_err(sql)?;
            let mut rows = stmt.query([mark.position]).map_err(sql)?;
            while let Some(row) = rows.next().map_err(sql)? {
                tasks.push(self.task_from_row(row)?);
            }
        }
        let mut records = Vec::new();
        let me = self.lease.writer();
        let by = (me.pid, me.instance as i64);
        {
            let newer =
                format!("SELECT {HISTORY_COLUMNS} {NEWEST_RECORDS} AND h.id > ?1 ORDER BY h.id");
            let mut stmt = tx.prepare_cached(&newer).map_err(sql)?;
            let rows = stmt
                .query_map(params![mark.record, by.0, by.1], |r| {
                    RawRecord::from_row(r, 0)
                })
                .map_err(sql)?;
            for row in rows {
                records.push(row.map_err(sql)?.into_record(&self.path));
            }
            let again = format!("SELECT {HISTORY_COLUMNS} {NEWEST_RECORDS} AND h.id = ?1");
            let mut stmt = tx.prepare_cached(&again).map_err(sql)?;
            for id in &mark.unfinished {
                let rows = stmt
                    .query_map(params![id, by.0, by.1], |r| RawRecord::from_row(r, 0))
                    .map_err(sql)?;
                for row in rows {
                    records.push(row.map_err(sql)?.into_record(&self.path));
                }
            }
        }
        let (position, record) = highest(&tx).map_err(sql)?;
        *mark = Watermark {
            version,
            position: position.max(mark.position),
            record: record.max(mark.record),
            unfinished: self.unfinished(&tx).map_err(sql)?,
        };
        Ok(Some(Changes { tasks, records }))
    }

    /// Ids of the records other writers have begun and not finished.
    fn unfinished(&self, conn: &Connection) -> rusqlite::Result<Vec<i64>> {
        let by = self.lease.writer();
        conn.prepare_cached(
            "SELECT id FROM history WHERE outcome IS NULL AND NOT (pid = ?1 AND instance = ?2)",
        )?
        .query_map(params![by.pid, by.instance as i64], |r| r.get(0))?
        .collect()
    }
}

/// The highest task position and record id.
fn highest(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.query_row(
        "SELECT (SELECT coalesce(max(position), 0) FROM tasks), \
                (SELECT coalesce(max(id), 0) FROM history)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// SQLite's count of other connections' commits, as this connection saw it.
fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0))
}

/// How often the store thread looks whether another writer committed: the
/// dashboard shows others' work within two seconds.
const WATCH_EVERY: Duration = Duration::from_secs(1);

/// Where the store thread sends what others wrote; closed by the reader
/// when it no longer wants to know.
pub(super) type ChangesTx = UnboundedSender<Result<Changes, StoreError>>;

/// A reader being told of others' writes (see [`super::StoreHandle::watch`]).
pub(super) struct Watch {
    mark: Watermark,
    next: Instant,
    tx: ChangesTx,
}

impl Watch {
    /// Takes the watermark now; `None` (the reader told why) when even
    /// that fails.
    pub(super) fn start(store: &Store, tx: ChangesTx) -> Option<Watch> {
        match store.watermark() {
            Ok(mark) => Some(Watch {
                mark,
                next: Instant::now() + WATCH_EVERY,
                tx,
            }),
            Err(e) => {
                let _ = tx.send(Err(e));
                None
            }
        }
    }

    /// When to look next.
    pub(super) fn due(&self) -> Instant {
        self.next
    }

    /// Looks if it is time, and hands on what changed. False once the
    /// reader is gone or a look failed (it was told why): stop watching.
    pub(super) fn look(&mut self, store: &Store) -> bool {
        let now = Instant::now();
        if now < self.next {
            return !self.tx.is_closed();
        }
        self.next = now + WATCH_EVERY;
        match store.changes_since(&mut self.mark) {
            Ok(None) => !self.tx.is_closed(),
            Ok(Some(changes)) if changes.tasks.is_empty() && changes.records.is_empty() => {
                !self.tx.is_closed()
            }
            Ok(Some(changes)) => self.tx.send(Ok(changes)).is_ok(),
            Err(e) => {
                let _ = self.tx.send(Err(e));
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::params::TaskId;
    use crate::import::ImportedTask;
    use crate::store::{Finish, NewRecord};

    fn task(id: &str) -> ImportedTask {
        ImportedTask {
            id: TaskId::parse(id).unwrap(),
            label: None,
            url: None,
        }
    }

    fn rec(id: &str) -> NewRecord {
        NewRecord {
            task_id: TaskId::parse(id).unwrap(),
            time: 1,
            params: String::new(),
        }
    }

    fn outcome(outcome: &str) -> Finish {
        Finish {
            status: None,
            outcome: outcome.parse().unwrap(),
            error: None,
            description: None,
            new_task_id: None,
            body: None,
            attempts: 1,
            elapsed_ms: 0,
            queued_ms: 0,
            finished_at: 2,
        }
    }

    fn seen(c: &Changes) -> (Vec<&str>, Vec<(&str, &str)>) {
        (
            c.tasks.iter().map(|t| t.id.as_str()).collect(),
            c.records
                .iter()
                .map(|r| (r.task_id.as_str(), r.outcome.label()))
                .collect(),
        )
    }

    /// Another connection's tasks and outcomes come once each, a record it
    /// left in flight again when it is finished; our own writes never.
    #[test]
    fn what_another_writer_commits_comes_once_and_our_own_writes_never() {
        let dir = tempfile::tempdir().unwrap();
        let mut ours = Store::open(dir.path()).unwrap();
        ours.add_new_tasks(&[task("ours-1")]).unwrap();
        let mut mark = ours.watermark().unwrap();
        assert_eq!(ours.changes_since(&mut mark).unwrap(), None);

        let mut other = Store::open(dir.path()).unwrap();
        other
            .add_new_tasks(&[task("new-1"), task("new-2")])
            .unwrap();
        let done = other.begin(&rec("new-1")).unwrap();
        other.finish(done, &outcome("accepted")).unwrap();
        let hanging = other.begin(&rec("ours-1")).unwrap();
        let mine = ours.begin(&rec("new-2")).unwrap();
        ours.finish(mine, &outcome("rejected")).unwrap();
        let changes = ours.changes_since(&mut mark).unwrap().expect("changes");
        assert_eq!(
            seen(&changes),
            (
                vec!["new-1", "new-2"],
                vec![("new-1", "accepted"), ("ours-1", "in flight")]
            )
        );
        assert_eq!(
            changes.tasks[0].last.as_ref().map(|r| r.outcome.label()),
            Some("accepted"),
            "a new task comes with its last outcome"
        );
        assert_eq!(ours.changes_since(&mut mark).unwrap(), None);

        other.finish(hanging, &outcome("error")).unwrap();
        let changes = ours.changes_since(&mut mark).unwrap().expect("changes");
        assert_eq!(seen(&changes), (vec![], vec![("ours-1", "error")]));
        ours.add_new_tasks(&[task("ours-2")]).unwrap();
        assert_eq!(ours.changes_since(&mut mark).unwrap(), None);
    }

    /// The look for new records stays cheap however long the history and
    /// the inventory: records by id range, their tasks by the unique id.
    #[test]
    fn new_records_are_found_by_rowid_and_their_tasks_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let sql =
            format!("EXPLAIN QUERY PLAN SELECT {HISTORY_COLUMNS} {NEWEST_RECORDS} AND h.id > ?1");
        let plan: Vec<String> = store
            .conn
            .prepare(&sql)
            .unwrap()
            .query_map(params![0, 0, 0], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(
            plan.contains("SEARCH h USING INTEGER PRIMARY KEY"),
            "{plan}"
        );
        assert!(plan.contains("SEARCH t USING INDEX"), "{plan}");
        assert!(!plan.contains("SCAN"), "{plan}");
    }
}
