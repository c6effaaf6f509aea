//! History: one record per rescan job, begun before the first request and
//! completed with the final answer, so a crash mid-job leaves a trace that
//! later shows as `interrupted`.

use std::path::Path;

use rusqlite::types::{Type, Value, ValueRef};
use rusqlite::{Connection, Row, TransactionBehavior, params, params_from_iter};

use super::intents::{Intent, dead_logs};
use super::liveness::Writer;
use super::types::{Finish, HistoryQuery, HistoryRecord, NewRecord, RecordId};
use super::{Store, StoreError, to_sql_int};
use crate::api::outcome::OutcomeKind;

/// The history columns in the order [`RawRecord::from_row`] reads them:
/// the ten of the summary ([`RawRecord::summary_from_row`]: what the task
/// list shows and groups its failures by), then the texts.
pub(crate) const HISTORY_COLUMNS: &str = "id, time, pid, instance, status, outcome, attempts, \
     elapsed_ms, finished_at, error, task_id, params, description, new_task_id, body, queued_ms";

/// How many of [`HISTORY_COLUMNS`] the summary reads.
pub(crate) const SUMMARY_COLUMNS: usize = 10;

/// A history row as stored, before the "in flight" or "interrupted" verdict
/// for unfinished rows is made.
pub(crate) struct RawRecord {
    record: HistoryRecord,
    /// The outcome column held a label (it is NULL until an answer).
    answered: bool,
    writer: Writer,
}

impl RawRecord {
    /// Reads the columns of [`HISTORY_COLUMNS`] starting at column `at`.
    pub(crate) fn from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Self> {
        let mut raw = RawRecord::summary_from_row(row, at)?;
        let texts = at + SUMMARY_COLUMNS;
        let record = &mut raw.record;
        record.task_id = row.get(texts)?;
        record.params = row.get(texts + 1)?;
        record.description = row.get(texts + 2)?;
        record.new_task_id = row.get(texts + 3)?;
        record.body = row.get(texts + 4)?;
        record.queued_ms = row
            .get::<_, Option<i64>>(texts + 5)?
            .map(|v| u64::try_from(v).unwrap_or(0));
        Ok(raw)
    }

    /// Reads the first ten [`HISTORY_COLUMNS`] starting at column `at`;
    /// the texts (task id, params, description, ...) stay empty. The task
    /// list loads 100,000 of these: each column read costs ~50 ns. The
    /// error (NULL but for `rejected`) is among them: the monitor groups
    /// rejected tasks by it.
    pub(crate) fn summary_from_row(row: &Row<'_>, at: usize) -> rusqlite::Result<Self> {
        let finished_at: Option<i64> = row.get(at + 8)?;
        let elapsed: Option<i64> = row.get(at + 7)?;
        let outcome = outcome_at(row, at + 5)?;
        let record = HistoryRecord {
            id: RecordId(row.get(at)?),
            task_id: String::new(),
            time: row.get(at + 1)?,
            params: String::new(),
            status: row.get(at + 4)?,
            finished: finished_at.is_some(),
            outcome: outcome.unwrap_or(OutcomeKind::InFlight),
            error: row.get(at + 9)?,
            description: None,
            new_task_id: None,
            body: None,
            attempts: row.get(at + 6)?,
            elapsed_ms: elapsed.map(|v| u64::try_from(v).unwrap_or(0)),
            queued_ms: None,
            finished_at,
        };
        Ok(RawRecord {
            record,
            answered: outcome.is_some(),
            writer: Writer {
                pid: row.get(at + 2)?,
                // Stored as the same 64 bits in SQLite's signed integer.
                instance: row.get::<_, i64>(at + 3)? as u64,
            },
        })
    }

    /// The record as shown: an unfinished one is `in flight` while its
    /// writer lives and `interrupted` once it is gone (even before the next
    /// `mark_interrupted` writes that down). `db` is the database file,
    /// beside which the writers' lock files are.
    pub(crate) fn into_record(self, db: &Path) -> HistoryRecord {
        let mut record = self.record;
        if !self.answered && !self.writer.alive(db) {
            record.outcome = OutcomeKind::Interrupted;
        }
        record
    }
}

/// The outcome column at `at`: `None` while unanswered (NULL). A label this
/// build does not know is an error naming it, never a guess.
pub(crate) fn outcome_at(row: &Row<'_>, at: usize) -> rusqlite::Result<Option<OutcomeKind>> {
    let bad = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(at, Type::Text, e)
    };
    match row.get_ref(at)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => {
            let text = std::str::from_utf8(bytes).map_err(|e| bad(Box::new(e)))?;
            OutcomeKind::parse(text)
                .map(Some)
                .map_err(|e| bad(Box::new(e)))
        }
        other => Err(rusqlite::Error::InvalidColumnType(
            at,
            "outcome".into(),
            other.data_type(),
        )),
    }
}

impl Store {
    /// Writes a record for a job about to be sent (`in flight`) and returns
    /// its id. Committed before this returns when called alone, so a crash
    /// during the request still leaves the record.
    pub fn begin(&mut self, rec: &NewRecord) -> Result<RecordId, StoreError> {
        self.insert(rec, None, End::InFlight)
    }

    /// Writes one record: alone in a transaction of its own, or in the
    /// caller's group. The store thread writes records with their intent
    /// (see [`super::intents`]), most of them complete in one go.
    pub(super) fn insert(
        &mut self,
        rec: &NewRecord,
        intent: Option<Intent>,
        end: End<'_>,
    ) -> Result<RecordId, StoreError> {
        let by = self.lease.writer();
        // The record and its task's pointer to it land together.
        let written = if self.conn.is_autocommit() {
            (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let id = insert_record(&tx, rec, by, intent, end)?;
                tx.commit()?;
                Ok(id)
            })()
        } else {
            insert_record(&self.conn, rec, by, intent, end)
        };
        written.map_err(|e| self.sql(e))
    }

    /// Completes a record with the final answer; committed before this
    /// returns. A record already marked `interrupted` (its writer looked
    /// dead) is completed all the same: the answer did arrive.
    pub fn finish(&mut self, id: RecordId, fin: &Finish) -> Result<(), StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "UPDATE history SET status = ?2, outcome = ?3, error = ?4, description = ?5, \
                 new_task_id = ?6, body = ?7, attempts = ?8, elapsed_ms = ?9, finished_at = ?10, \
                 queued_ms = ?11 WHERE id = ?1",
            )
            .map_err(|e| self.sql(e))?;
        let changed = stmt
            .execute(params![
                id.0,
                fin.status,
                fin.outcome.label(),
                fin.error,
                fin.description,
                fin.new_task_id,
                fin.body,
                fin.attempts,
                to_sql_int(fin.elapsed_ms),
                fin.finished_at,
                to_sql_int(fin.queued_ms),
            ])
            .map_err(|e| self.sql(e))?;
        if changed == 0 {
            return Err(StoreError::NoSuchRecord {
                path: self.path.clone(),
                id: id.0,
            });
        }
        Ok(())
    }

    /// Marks `interrupted` every unfinished record whose writer is gone (no
    /// one holds its lock: see [`super::liveness`]), adds an `interrupted`
    /// record for each intent such a writer logged without writing its
    /// record, deletes the gone writers' lock files, and returns how many
    /// records that made. Records and logs of live instances are never
    /// touched. Called by [`Store::open`].
    pub fn mark_interrupted(&mut self) -> Result<usize, StoreError> {
        let path = self.path.clone();
        let sql = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql)?;
        let dead: Vec<i64> = {
            let mut stmt = tx
                .prepare_cached("SELECT id, pid, instance FROM history WHERE outcome IS NULL")
                .map_err(sql)?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                    ))
                })
                .map_err(sql)?;
            let mut dead = Vec::new();
            for row in rows {
                let (id, pid, instance) = row.map_err(sql)?;
                let writer = Writer {
                    pid,
                    instance: instance as u64,
                };
                if !writer.alive(&path) {
                    dead.push(id);
                }
            }
            dead
        };
        let mut marked = 0;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE history SET outcome = ?2 WHERE id = ?1 AND outcome IS NULL")
                .map_err(sql)?;
            for id in dead {
                marked += stmt
                    .execute(params![id, OutcomeKind::Interrupted.label()])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        let recovered = self.recover_intents()?;
        super::liveness::sweep(&self.path);
        Ok(marked + recovered)
    }

    /// Writes an `interrupted` record for every intent of a dead writer that
    /// has no record (its request may have been sent; its answer is
    /// unknown), then deletes that writer's log. Safe to run twice or from
    /// two instances at once: the lookup and the inserts share one
    /// transaction, and intents already recorded are skipped.
    fn recover_intents(&mut self) -> Result<usize, StoreError> {
        let mut recovered = 0;
        for log in dead_logs(&self.path) {
            let by = log.writer;
            let written = (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let known: std::collections::HashSet<i64> = tx
                    .prepare_cached(
                        "SELECT intent FROM history \
                         WHERE pid = ?1 AND instance = ?2 AND intent IS NOT NULL",
                    )?
                    .query_map(params![by.pid, by.instance as i64], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                let mut added = 0;
                for (intent, rec) in &log.intents {
                    if !known.contains(&to_sql_int(intent.0)) {
                        insert_record(&tx, rec, by, Some(*intent), End::Interrupted)?;
                        added += 1;
                    }
                }
                tx.commit()?;
                Ok(added)
            })();
            recovered += written.map_err(|e| self.sql(e))?;
            // Every intent is in the database now; a log that cannot be
            // deleted is read again next time and adds nothing.
            let _ = std::fs::remove_file(&log.path);
        }
        Ok(recovered)
    }

    /// History records matching `q`, newest first unless `q.oldest_first`.
    pub fn history(&self, q: &HistoryQuery) -> Result<Vec<HistoryRecord>, StoreError> {
        let mut sql = format!("SELECT {HISTORY_COLUMNS} FROM history WHERE 1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(since) = q.since {
            args.push(Value::Integer(since));
            sql.push_str(&format!(" AND time >= ?{}", args.len()));
        }
        if let Some(task) = &q.task {
            args.push(Value::Text(task.clone()));
            sql.push_str(&format!(" AND task_id = ?{}", args.len()));
        }
        if let Some(text) = &q.text {
            args.push(Value::Text(like_pattern(text)));
            let n = args.len();
            sql.push_str(&format!(
                " AND (task_id LIKE ?{n} ESCAPE '\\' OR description LIKE ?{n} ESCAPE '\\' \
                 OR error LIKE ?{n} ESCAPE '\\')"
            ));
        }
        // Unfinished rows are "in flight" or "interrupted" depending on
        // whether their writer lives, which only Rust can tell: fetch them
        // for both labels and filter (and limit) after deciding.
        let unfinished_label = matches!(
            q.outcome,
            Some(OutcomeKind::InFlight | OutcomeKind::Interrupted)
        );
        if let Some(outcome) = q.outcome {
            if outcome == OutcomeKind::InFlight {
                sql.push_str(" AND outcome IS NULL");
            } else {
                args.push(Value::Text(outcome.label().to_owned()));
                let n = args.len();
                if unfinished_label {
                    sql.push_str(&format!(" AND (outcome = ?{n} OR outcome IS NULL)"));
                } else {
                    sql.push_str(&format!(" AND outcome = ?{n}"));
                }
            }
        }
        sql.push_str(if q.oldest_first {
            " ORDER BY id ASC"
        } else {
            " ORDER BY id DESC"
        });
        if let (Some(limit), false) = (q.limit, unfinished_label) {
            args.push(Value::Integer(to_sql_int(limit as u64)));
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| RawRecord::from_row(r, 0))
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let record = row.map_err(|e| self.sql(e))?.into_record(&self.path);
            if q.outcome.is_some_and(|o| o != record.outcome) {
                continue;
            }
            if q.limit.is_some_and(|l| out.len() >= l) {
                break;
            }
            out.push(record);
        }
        Ok(out)
    }
}

/// How far a record written in one go has come.
pub(super) enum End<'a> {
    /// Sent, no answer yet.
    InFlight,
    /// Answered (or given up on).
    Finished(&'a Finish),
    /// Its writer died before an answer: outcome unknown.
    Interrupted,
}

/// Inserts a job's record and points its task (if in the inventory) at it,
/// as its newest: ids only grow.
fn insert_record(
    conn: &Connection,
    rec: &NewRecord,
    by: Writer,
    intent: Option<Intent>,
    end: End<'_>,
) -> rusqlite::Result<RecordId> {
    let (fin, outcome) = match end {
        End::InFlight => (None, None),
        End::Finished(fin) => (Some(fin), Some(fin.outcome)),
        End::Interrupted => (None, Some(OutcomeKind::Interrupted)),
    };
    conn.prepare_cached(
        "INSERT INTO history (task_id, time, params, pid, instance, intent, status, outcome, \
         error, description, new_task_id, body, attempts, elapsed_ms, finished_at, queued_ms) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        rec.task_id.as_str(),
        rec.time,
        rec.params,
        by.pid,
        // Stored as the same 64 bits in SQLite's signed integer.
        by.instance as i64,
        intent.map(|i| to_sql_int(i.0)),
        fin.and_then(|f| f.status),
        outcome.map(OutcomeKind::label),
        fin.and_then(|f| f.error.as_deref()),
        fin.and_then(|f| f.description.as_deref()),
        fin.and_then(|f| f.new_task_id.as_deref()),
        fin.and_then(|f| f.body.as_deref()),
        fin.map_or(0, |f| f.attempts),
        fin.map(|f| to_sql_int(f.elapsed_ms)),
        fin.map(|f| f.finished_at),
        fin.map(|f| to_sql_int(f.queued_ms)),
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("UPDATE tasks SET last_history = ?1 WHERE id = ?2")?
        .execute(params![id, rec.task_id.as_str()])?;
    Ok(RecordId(id))
}

/// `%text%` for LIKE, with the pattern characters in `text` taken literally.
pub(crate) fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_metacharacters_are_literal() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
    }
}
