//! The schema and its migrations. The version lives in `PRAGMA user_version`;
//! step `n` of [`MIGRATIONS`] takes a database from version `n` to `n + 1`.
//! Never edit a released step: append a new one.

use rusqlite::{Connection, TransactionBehavior};

/// The migration steps, oldest first; the schema version a database reaches
/// after all of them is `MIGRATIONS.len()`.
const MIGRATIONS: &[&str] = &[
    // 1: task inventory and one history record per rescan job.
    "CREATE TABLE tasks (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        id       TEXT NOT NULL UNIQUE,
        label    TEXT NOT NULL,
        url      TEXT,
        params   TEXT NOT NULL
    );
    CREATE TABLE history (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id     TEXT NOT NULL,
        time        INTEGER NOT NULL,
        params      TEXT NOT NULL,
        pid         INTEGER NOT NULL,
        instance    INTEGER NOT NULL,
        status      INTEGER,
        outcome     TEXT,
        error       TEXT,
        description TEXT,
        new_task_id TEXT,
        body        TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        elapsed_ms  INTEGER,
        finished_at INTEGER
    );
    CREATE INDEX history_task_id ON history(task_id, id);
    CREATE INDEX history_time ON history(time);
    CREATE INDEX history_unfinished ON history(id) WHERE outcome IS NULL;",
    // 2: each task names its newest history record, so opening the list
    // joins by rowid instead of searching the history index once per task
    // (100,000 tasks: 85 ms of SQLite down to 37 ms). `Store::begin` sets it
    // with each new record (ids only grow, so that is the task's newest; a
    // trigger there would give every insert a statement journal, ~20 KB of
    // page copies per record), and a task added to the inventory picks up
    // the history it already has. History records are never deleted.
    "ALTER TABLE tasks ADD COLUMN last_history INTEGER;
    UPDATE tasks SET last_history = (SELECT max(id) FROM history WHERE task_id = tasks.id);
    CREATE TRIGGER task_finds_its_newest AFTER INSERT ON tasks BEGIN
        UPDATE tasks SET last_history = (SELECT max(id) FROM history WHERE task_id = NEW.id)
        WHERE position = NEW.position;
    END;",
    // 3: the intent-log entry a record was written for (see
    // `store::intents`), so recovery after a crash adds an `interrupted`
    // record only for intents that have none. NULL for older records.
    "ALTER TABLE history ADD COLUMN intent INTEGER;",
    // 4: what the dashboard keeps of its screens across restarts (the task
    // list's filter and sort), by name.
    "CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 5: the wait before a record's first request (`elapsed_ms` runs from
    // that request). NULL for older records, whose `elapsed_ms` may hold
    // the wait too.
    "ALTER TABLE history ADD COLUMN queued_ms INTEGER;",
];

/// The schema version this build writes and understands.
pub(crate) const LATEST: i64 = MIGRATIONS.len() as i64;

/// What [`migrate`] found wrong, before it is given the database's path.
#[derive(Debug)]
pub(crate) enum MigrateError {
    /// The database was written by a newer build.
    Newer(i64),
    /// SQLite refused something.
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sql(e)
    }
}

/// Reads the schema version.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// True when the database already holds tables or indexes; with version 0
/// that means another program's database, which we must not migrate.
pub(crate) fn has_tables(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT EXISTS (SELECT 1 FROM sqlite_master)", [], |r| {
        r.get(0)
    })
}

/// Brings the database up to [`LATEST`], one transaction per step.
///
/// Each step takes the write lock first (`BEGIN IMMEDIATE`) and re-reads the
/// version inside it, so two instances opening a fresh database at the same
/// moment apply every step exactly once.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(MigrateError::Newer(found));
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
        let from = from as i64;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = version(&tx)?;
        if now > LATEST {
            return Err(MigrateError::Newer(now));
        }
        if now == from {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", from + 1)?;
        }
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_latest_and_migrating_again_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), LATEST);
        migrate(&mut conn).unwrap();
        assert_eq!(version(&conn).unwrap(), LATEST);
    }

    #[test]
    fn newer_version_is_refused_without_changes() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST + 1)
            .unwrap();
        assert!(matches!(migrate(&mut conn), Err(MigrateError::Newer(v)) if v == LATEST + 1));
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }

    #[test]
    fn a_version_1_database_learns_each_tasks_newest_record() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO tasks (id, label, params) VALUES ('a', '', '{}'), ('b', '', '{}');
             INSERT INTO history (id, task_id, time, params, pid, instance)
             VALUES (5, 'a', 1, '', 1, 1), (9, 'a', 2, '', 1, 1), (7, 'c', 3, '', 1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let newest = |id: &str| -> Option<i64> {
            conn.query_row("SELECT last_history FROM tasks WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap()
        };
        assert_eq!((newest("a"), newest("b")), (Some(9), None));
    }

    #[test]
    fn a_version_2_database_keeps_its_records_with_no_intent() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(MIGRATIONS[0]).unwrap();
        conn.execute_batch(MIGRATIONS[1]).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        conn.execute_batch(
            "INSERT INTO history (id, task_id, time, params, pid, instance)
             VALUES (5, 'a', 1, '', 1, 1);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let intent: Option<i64> = conn
            .query_row("SELECT intent FROM history WHERE id = 5", [], |r| r.get(0))
            .unwrap();
        assert_eq!((version(&conn).unwrap(), intent), (LATEST, None));
    }

    #[test]
    fn a_version_3_database_keeps_its_records_with_no_queue_time() {
        let mut conn = Connection::open_in_memory().unwrap();
        for step in &MIGRATIONS[..3] {
            conn.execute_batch(step).unwrap();
        }
        conn.pragma_update(None, "user_version", 3).unwrap();
        conn.execute_batch(
            "INSERT INTO history (id, task_id, time, params, pid, instance, elapsed_ms)
             VALUES (5, 'a', 1, '', 1, 1, 40);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let (elapsed, queued): (Option<i64>, Option<i64>) = conn
            .query_row(
                "SELECT elapsed_ms, queued_ms FROM history WHERE id = 5",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            (version(&conn).unwrap(), elapsed, queued),
            (LATEST, Some(40), None)
        );
    }

    #[test]
    fn the_load_reads_the_summary_columns_in_their_order() {
        let summary: Vec<String> = crate::store::history::HISTORY_COLUMNS
            .split(',')
            .take(crate::store::history::SUMMARY_COLUMNS)
            .map(|c| format!("h.{}", c.trim()))
            .collect();
        let load = crate::store::tasks::LOAD_SQL;
        let start = load.find("h.id").unwrap();
        let end = load.find(" FROM").unwrap();
        let read: Vec<&str> = load[start..end].split(',').map(str::trim).collect();
        assert_eq!(read, summary);
    }

    #[test]
    fn the_latest_record_per_task_is_found_by_rowid() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                crate::store::tasks::LOAD_SQL
            ))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("\n");
        assert!(
            plan.contains("SEARCH h USING INTEGER PRIMARY KEY"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN h"), "{plan}");
    }
}
