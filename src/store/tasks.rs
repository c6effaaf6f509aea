//! The task inventory: which tasks the operator watches, in the order they
//! were added, with the parameters the next rescan sends.

use rusqlite::params;

use super::history::RawRecord;
use super::types::{StoredParams, StoredTask, TaskChunk};
use super::{Store, StoreError};
use crate::api::params::TaskId;
use crate::import::ImportedTask;

/// The select of [`LOAD_SQL`] without its order, as a literal, so the
/// load and [`NEW_TASKS_SQL`] read the same columns.
macro_rules! task_select {
    () => {
        concat!(
            "SELECT t.id, t.label, t.url, t.params, ",
            // The summary columns of `RawRecord::summary_from_row`: what the
            // list shows, and the error it groups rejected tasks by. Params,
            // description, new id and body (up to 4 KiB each: a list of
            // 100,000 tasks should not carry 400 MB of bodies) come with the
            // task's full history when it is selected.
            // Each column read costs ~50 ns, 100,000 times.
            "h.id, h.time, h.pid, h.instance, h.status, h.outcome, h.attempts, h.elapsed_ms, h.finished_at, h.error",
            " FROM tasks AS t LEFT JOIN history AS h",
            " ON h.id = t.last_history"
        )
    };
}

/// Every task with its newest history record, in insertion order, in one
/// query: each task names its newest record (`tasks.last_history`), so the
/// join is a rowid lookup per task, whatever the length of the history.
pub(crate) const LOAD_SQL: &str = concat!(task_select!(), " ORDER BY t.position");

/// The tasks added after position `?1`, as [`LOAD_SQL`] reads them (see
/// [`super::watch`]).
pub(crate) const NEW_TASKS_SQL: &str =
    concat!(task_select!(), " WHERE t.position > ?1 ORDER BY t.position");

impl Store {
    /// Adds tasks or updates the label, url and parameters of known ones, in
    /// one transaction. A known task keeps its place in the list; new ones
    /// go to the end in the given order. `StoredTask::last` is ignored.
    pub fn upsert_tasks(&mut self, tasks: &[StoredTask]) -> Result<(), StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO tasks (id, label, url, params) VALUES (?1, ?2, ?3, ?4) \
                     ON CONFLICT (id) DO UPDATE SET \
                       label = excluded.label, url = excluded.url, params = excluded.params",
                )
                .map_err(sql)?;
            for task in tasks {
                let json =
                    serde_json::to_string(&task.params).map_err(|e| StoreError::BadData {
                        path: path.clone(),
                        what: format!("cannot encode the parameters of task {}: {e}", task.id),
                    })?;
                stmt.execute(params![task.id.as_str(), task.label, task.url, json])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }

    /// Starts adding tasks that are not listed yet (an import): all in one
    /// transaction, fed a task at a time so that a million-id file is
    /// never in memory whole. Nothing is added unless
    /// [`NewTasks::commit`] is called.
    pub fn new_tasks(&mut self) -> Result<NewTasks<'_>, StoreError> {
        let tx = self
            .conn
            .transaction()
            .map_err(|source| StoreError::Sqlite {
                path: self.path.clone(),
                source,
            })?;
        Ok(NewTasks {
            tx,
            path: &self.path,
            added: 0,
        })
    }

    /// Adds the imported tasks that are not listed yet, with no parameters
    /// of their own, in one transaction (see [`Store::new_tasks`]); returns
    /// how many were added.
    pub fn add_new_tasks(&mut self, tasks: &[ImportedTask]) -> Result<usize, StoreError> {
        let mut adding = self.new_tasks()?;
        for task in tasks {
            let label = task.label.as_deref().unwrap_or("");
            adding.add(&task.id, label, task.url.as_deref())?;
        }
        adding.commit()
    }

    /// Removes tasks from the inventory and returns how many were there.
    /// Their history stays: it records what was sent, whatever the list
    /// holds today.
    pub fn remove_tasks(&mut self, ids: &[TaskId]) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        let mut removed = 0;
        {
            let mut stmt = tx
                .prepare_cached("DELETE FROM tasks WHERE id = ?1")
                .map_err(sql)?;
            for id in ids {
                removed += stmt.execute([id.as_str()]).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        Ok(removed)
    }

    /// The inventory in insertion order, each task with its newest history
    /// record, so a restarted dashboard shows every last outcome at once.
    pub fn load_tasks(&self) -> Result<Vec<StoredTask>, StoreError> {
        let mut all = Vec::new();
        self.load_tasks_in_chunks(usize::MAX, |chunk| all.extend(chunk.tasks))?;
        Ok(all)
    }

    /// [`Store::load_tasks`] handed over `chunk` tasks at a time, so a large
    /// inventory is never held twice (here and in the dashboard's rows) and
    /// the dashboard builds rows while the rest is read. Each chunk says how
    /// many tasks the whole load brings (counted in the same read
    /// transaction).
    pub fn load_tasks_in_chunks(
        &self,
        chunk: usize,
        mut each: impl FnMut(TaskChunk),
    ) -> Result<(), StoreError> {
        // One snapshot for the count and the rows: dropped (rolled back)
        // at the end, as it only reads.
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        let total: i64 = tx
            .query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        let total = usize::try_from(total).unwrap_or(0);
        let capacity = chunk.min(total);
        let mut stmt = tx.prepare_cached(LOAD_SQL).map_err(|e| self.sql(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.sql(e))?;
        let mut tasks = Vec::with_capacity(capacity);
        while let Some(row) = rows.next().map_err(|e| self.sql(e))? {
            if tasks.len() >= chunk {
                let full = std::mem::replace(&mut tasks, Vec::with_capacity(capacity));
                each(TaskChunk { total, tasks: full });
            }
            tasks.push(self.task_from_row(row)?);
        }
        if !tasks.is_empty() {
            each(TaskChunk { total, tasks });
        }
        Ok(())
    }

    /// One task as [`LOAD_SQL`] and [`NEW_TASKS_SQL`] read it.
    pub(crate) fn task_from_row(&self, row: &rusqlite::Row<'_>) -> Result<StoredTask, StoreError> {
        // The id and parameters are read in place (no owned copy): both
        // are parsed into other types anyway.
        let read = || -> rusqlite::Result<_> {
            let id = row.get_ref(0)?.as_str()?;
            let label: String = row.get(1)?;
            let url: Option<String> = row.get(2)?;
            let params = row.get_ref(3)?.as_str()?;
            let last = match row.get::<_, Option<i64>>(4)? {
                Some(_) => Some(RawRecord::summary_from_row(row, 4)?),
                None => None,
            };
            Ok((id, label, url, params, last))
        };
        let (id, label, url, params, last) = read().map_err(|e| self.sql(e))?;
        let id = TaskId::parse(id).map_err(|e| self.bad(format!("stored task {e}")))?;
        // Most tasks keep the task's previous values: no parser for those.
        let params: StoredParams = if params == "{}" {
            StoredParams::default()
        } else {
            serde_json::from_str(params)
                .map_err(|e| self.bad(format!("parameters of task {id}: {e}")))?
        };
        Ok(StoredTask {
            id,
            label,
            url,
            params,
            last: last.map(|r| r.into_record(&self.path)),
        })
    }

    /// A damaged stored value, named with our path.
    pub(crate) fn bad(&self, what: String) -> StoreError {
        StoreError::BadData {
            path: self.path.clone(),
            what,
        }
    }
}

/// Tasks being added by an import (see [`Store::new_tasks`]); dropped
/// without [`NewTasks::commit`], nothing of them is kept.
pub struct NewTasks<'s> {
    tx: rusqlite::Transaction<'s>,
    path: &'s std::path::Path,
    added: usize,
}

impl NewTasks<'_> {
    /// Adds a task at the end of the list, with no parameters of its own,
    /// unless its id is listed already (also by this import): a listed
    /// task keeps its label, URL and parameters. True when it was added.
    pub fn add(&mut self, id: &TaskId, label: &str, url: Option<&str>) -> Result<bool, StoreError> {
        let sql = |source| StoreError::Sqlite {
            path: self.path.to_owned(),
            source,
        };
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO tasks (id, label, url, params) VALUES (?1, ?2, ?3, '{}') \
                 ON CONFLICT (id) DO NOTHING",
            )
            .and_then(|mut stmt| stmt.execute(params![id.as_str(), label, url]))
            .map_err(sql)?;
        self.added += inserted;
        Ok(inserted == 1)
    }

    /// Keeps what was added; returns how many tasks that was.
    pub fn commit(self) -> Result<usize, StoreError> {
        let (added, path) = (self.added, self.path.to_owned());
        self.tx
            .commit()
            .map_err(|source| StoreError::Sqlite { path, source })?;
        Ok(added)
    }
}
