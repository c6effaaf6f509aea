//! Unit tests of the store: error messages and history filters.

use std::path::PathBuf;

use super::{Finish, HistoryQuery, MonitorQuery, NewRecord, Store, StoreError};
use crate::api::outcome::OutcomeKind;
use crate::api::params::TaskId;

fn rec(task: &str, time: i64) -> NewRecord {
    NewRecord {
        task_id: TaskId::parse(task).unwrap(),
        time,
        params: String::new(),
    }
}

fn fin(outcome: &str, description: &str) -> Finish {
    Finish {
        status: None,
        outcome: outcome.parse().unwrap(),
        error: None,
        description: Some(description.into()),
        new_task_id: None,
        body: None,
        attempts: 0,
        elapsed_ms: 0,
        queued_ms: 0,
        finished_at: 0,
    }
}

#[test]
fn history_filters_by_since_outcome_task_text_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let jobs = [
        ("t1", 100, "accepted", "rescan started", None),
        (
            "t2",
            200,
            "rejected",
            "File is too large",
            Some("too-large-file"),
        ),
        ("t1", 300, "error", "HTTP 503 Service Unavailable", None),
        (
            "t3",
            400,
            "rejected",
            "bad 100%_ value",
            Some("invalid-params"),
        ),
    ];
    for (t, time, outcome, description, error) in jobs {
        let r = store.begin(&rec(t, time)).unwrap();
        let mut f = fin(outcome, description);
        f.error = error.map(str::to_owned);
        store.finish(r, &f).unwrap();
    }
    store.begin(&rec("t4", 500)).unwrap();
    let times = |q: HistoryQuery| -> Vec<i64> {
        store.history(&q).unwrap().iter().map(|r| r.time).collect()
    };
    let q = HistoryQuery::default;
    let outcome = |o: &str| HistoryQuery {
        outcome: Some(o.parse().unwrap()),
        ..q()
    };
    let text = |t: &str| HistoryQuery {
        text: Some(t.into()),
        ..q()
    };
    let (since, task) = (
        HistoryQuery {
            since: Some(300),
            ..q()
        },
        HistoryQuery {
            task: Some("t1".into()),
            ..q()
        },
    );
    let oldest_two = HistoryQuery {
        oldest_first: true,
        limit: Some(2),
        ..q()
    };
    let newest_one = HistoryQuery {
        limit: Some(1),
        ..q()
    };
    assert_eq!(times(q()), [500, 400, 300, 200, 100]);
    assert_eq!(times(oldest_two), [100, 200]);
    assert_eq!(times(newest_one), [500]);
    assert_eq!(times(since), [500, 400, 300]);
    assert_eq!(times(task), [300, 100]);
    assert_eq!(times(outcome("rejected")), [400, 200]);
    assert_eq!(times(outcome("in flight")), [500]);
    assert!(times(outcome("interrupted")).is_empty());
    assert_eq!(times(text("LARGE")), [200], "case-insensitive description");
    assert_eq!(times(text("invalid-")), [400], "error id");
    assert_eq!(times(text("t3")), [400], "task id");
    assert_eq!(times(text("0%_")), [400], "LIKE characters are literal");
    assert_eq!(times(text("%")), [400]);
    let both = HistoryQuery {
        since: Some(150),
        outcome: Some("rejected".parse().unwrap()),
        text: Some("large".into()),
        limit: Some(5),
        ..q()
    };
    assert_eq!(times(both), [200]);
}

#[test]
fn error_messages_are_one_line_and_name_the_path() {
    let path = PathBuf::from("/data/tae-rescan.db");
    let errors = [
        StoreError::NotADatabase { path: path.clone() },
        StoreError::IsDirectory { path: path.clone() },
        StoreError::NewerSchema {
            path: path.clone(),
            found: 9,
            known: 1,
        },
        StoreError::Sqlite {
            path: path.clone(),
            source: rusqlite::Error::InvalidQuery,
        },
        StoreError::ThreadGone { path: path.clone() },
    ];
    for e in errors {
        let text = e.to_string();
        assert!(text.contains("/data/tae-rescan.db"), "{text}");
        assert!(!text.contains('\n'), "{text}");
    }
}

#[test]
fn the_store_moves_to_a_thread_and_the_handle_is_shared() {
    fn send<T: Send>() {}
    fn shared<T: Clone + Send + Sync>() {}
    send::<Store>();
    shared::<super::StoreHandle>();
}

#[test]
fn the_database_is_in_wal_mode_with_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mode: String = store
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let timeout: i64 = store
        .conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert_eq!(timeout, 5000);
    let sync: i64 = store
        .conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "NORMAL");
}

/// A writer that died (no lock file) logged three intents; only the second
/// got its record. The next open writes the other two as `interrupted`,
/// under the dead writer's name, and deletes the log; a second pass adds
/// nothing.
#[test]
fn intents_without_records_of_a_dead_writer_become_interrupted_once() {
    use super::history::End;
    use super::intents::IntentLog;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let dead_pid = u32::MAX;
    let dead = super::liveness::Writer {
        pid: i64::from(dead_pid),
        instance: 42,
    };
    let log = IntentLog::new(store.path(), dead);
    log.write(&rec("t1", 100)).unwrap();
    let answered = log.write(&rec("t2", 200)).unwrap();
    log.write(&rec("t3", 300)).unwrap();
    drop(log);
    let id = store
        .insert(
            &rec("t2", 200),
            Some(answered),
            End::Finished(&fin("accepted", "ok")),
        )
        .unwrap();
    store
        .conn
        .execute(
            "UPDATE history SET pid = ?1, instance = 42 WHERE id = ?2",
            rusqlite::params![i64::from(dead_pid), id.0],
        )
        .unwrap();
    assert_eq!(store.mark_interrupted().unwrap(), 2);
    let all = store.history(&HistoryQuery::default()).unwrap();
    let seen: Vec<(&str, i64, &str)> = all
        .iter()
        .map(|r| (r.task_id.as_str(), r.time, r.outcome.label()))
        .collect();
    assert_eq!(
        seen,
        [
            ("t3", 300, "interrupted"),
            ("t1", 100, "interrupted"),
            ("t2", 200, "accepted"),
        ]
    );
    let logs = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".intents-"))
        .count();
    assert_eq!(logs, 0, "the recovered log is deleted");
    assert_eq!(store.mark_interrupted().unwrap(), 0);
}

/// The outcome column is read into its kind; a label no build wrote
/// (a hand-edited row) is one line naming the database and the value.
#[test]
fn outcomes_are_read_back_as_kinds_and_an_unknown_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let id = store.begin(&rec("t1", 1)).unwrap();
    let kinds = |s: &Store| -> Vec<OutcomeKind> {
        let all = s.history(&HistoryQuery::default()).unwrap();
        all.iter().map(|r| r.outcome).collect()
    };
    assert_eq!(kinds(&store), [OutcomeKind::InFlight]);
    store
        .conn
        .execute(
            "UPDATE history SET outcome = 'Legal Block' WHERE id = ?1",
            [id.0],
        )
        .unwrap();
    assert_eq!(kinds(&store), [OutcomeKind::LegalBlock]);
    store
        .conn
        .execute("UPDATE history SET outcome = 'maybe' WHERE id = ?1", [id.0])
        .unwrap();
    let err = store.history(&HistoryQuery::default()).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&store.path().display().to_string())
            && text.contains("a history record's outcome: 'maybe' is not an outcome")
            && !text.contains('\n'),
        "{text}"
    );
    let monitor = MonitorQuery {
        since: None,
        outcome: None,
        text: None,
        bucket_ms: 1,
    };
    let err = store.monitor(&monitor).unwrap_err().to_string();
    assert!(err.contains("'maybe' is not an outcome"), "{err}");
}

/// Requests reach the store thread in the order they are made, not the
/// order their answers are awaited: a save made after another (the edit's
/// after the paste's) is never overwritten by it.
#[tokio::test]
async fn requests_are_applied_in_the_order_they_were_made() {
    use super::{StoredParams, StoredTask, spawn_store_thread};
    use crate::api::RescanParams;
    let dir = tempfile::tempdir().unwrap();
    let store = spawn_store_thread(Store::open(dir.path()).unwrap());
    let save = |ext: Option<&str>| {
        let params = RescanParams {
            file_ext: ext.map(Into::into),
            ..RescanParams::default()
        };
        store.upsert_tasks(vec![StoredTask {
            id: TaskId::parse("t-1").unwrap(),
            label: String::new(),
            url: None,
            params: StoredParams::from_params(&params, false),
            last: None,
        }])
    };
    let first = save(None);
    let second = save(Some("zip"));
    second.await.unwrap();
    first.await.unwrap();
    let tasks = store.load_tasks().await.unwrap();
    assert_eq!(tasks[0].params.file_ext.as_deref(), Some("zip"));
}
