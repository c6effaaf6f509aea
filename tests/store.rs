//! The persistent store against real files: restarts, refusals that leave
//! foreign files alone, two instances on one directory, interrupted jobs,
//! history filters and the async handle.

#[path = "common/finish.rs"]
mod finish;
use finish::fin;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use rusqlite::Connection;
use tae_rescan::api::params::{ProcessingType, RescanParams, TaskId};
use tae_rescan::store::{
    DB_FILE_NAME, HistoryQuery, NewRecord, RecordId, Store, StoreError, StoredParams, StoredTask,
    spawn_store_thread,
};

fn id(s: &str) -> TaskId {
    TaskId::parse(s).unwrap()
}

fn task(s: &str, params: StoredParams) -> StoredTask {
    StoredTask {
        id: id(s),
        label: format!("label of {s}"),
        url: Some(format!("https://example.com/{s}.zip")),
        params,
        last: None,
    }
}

fn rec(task: &str, time: i64) -> NewRecord {
    NewRecord {
        task_id: id(task),
        time,
        params: "file_ext=exe&unzip_password=***".into(),
    }
}

/// A second, raw connection for checks and for forging writer pids.
fn raw(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join(DB_FILE_NAME)).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}

/// Every byte SQLite may keep the data in: the file and its WAL.
fn raw_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in [DB_FILE_NAME, "tae-rescan.db-wal"] {
        if let Ok(b) = std::fs::read(dir.join(name)) {
            all.extend(b);
        }
    }
    all
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn restart_keeps_tasks_params_history_and_last_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let params = StoredParams {
        file_ext: Some("exe".into()),
        processing_type: Some("unzip-and-exec".into()),
        unpack: Some(true),
        ..Default::default()
    };
    {
        let mut store = Store::open(&data).unwrap();
        assert_eq!(store.path(), data.join(DB_FILE_NAME));
        let tasks = [
            task("b", params.clone()),
            task("a", StoredParams::default()),
        ];
        store.upsert_tasks(&tasks).unwrap();
        let first = store.begin(&rec("a", 1_000)).unwrap();
        store.finish(first, &fin("error", "HTTP 503")).unwrap();
        let second = store.begin(&rec("a", 1_500)).unwrap();
        let mut accepted = fin("accepted", "rescan started as new task a2");
        accepted.new_task_id = Some("a2".into());
        accepted.body = Some(r#"{"task_id":"a2"}"#.into());
        store.finish(second, &accepted).unwrap();
    }
    let store = Store::open(&data).unwrap();
    let tasks = store.load_tasks().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["b", "a"], "insertion order");
    assert_eq!(tasks[0].params, params);
    assert_eq!(tasks[0].label, "label of b");
    assert_eq!(tasks[0].url.as_deref(), Some("https://example.com/b.zip"));
    assert!(tasks[0].last.is_none());
    let last = tasks[1].last.as_ref().unwrap();
    assert_eq!(last.outcome.label(), "accepted");
    assert_eq!(last.time, 1_500);
    assert_eq!(
        (last.new_task_id.as_deref(), last.body.as_deref()),
        (None, None),
        "the summary is for the list only"
    );
    assert_eq!(last.params, "");
    let full = store.history(&HistoryQuery::default()).unwrap();
    assert_eq!(full[0].body.as_deref(), Some(r#"{"task_id":"a2"}"#));
    assert_eq!(full[0].new_task_id.as_deref(), Some("a2"));
    assert_eq!(full[0].params, "file_ext=exe&unzip_password=***");
    assert_eq!(
        (last.status, last.attempts, last.elapsed_ms),
        (Some(200), 1, Some(42))
    );
    assert!(last.finished);
    assert_eq!(store.history(&HistoryQuery::default()).unwrap().len(), 2);
    let p = tasks[0].params.to_params();
    assert_eq!(p.processing_type, Some(ProcessingType::UnzipAndExec));
}

/// The monitor groups rejected tasks by the server's error: the summary a
/// restart loads carries it (and only it of the texts).
#[test]
fn a_rejected_last_outcome_keeps_its_error_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        store
            .upsert_tasks(&[
                task("r", StoredParams::default()),
                task("e", StoredParams::default()),
            ])
            .unwrap();
        let r = store.begin(&rec("r", 1_000)).unwrap();
        let mut rejected = fin("rejected", "File is too large");
        rejected.error = Some("too-large-file".into());
        store.finish(r, &rejected).unwrap();
        let e = store.begin(&rec("e", 1_100)).unwrap();
        store.finish(e, &fin("error", "HTTP 503")).unwrap();
    }
    let tasks = Store::open(dir.path()).unwrap().load_tasks().unwrap();
    let last = tasks[0].last.as_ref().unwrap();
    assert_eq!(last.outcome.label(), "rejected");
    assert_eq!(last.error.as_deref(), Some("too-large-file"));
    assert_eq!(
        last.description, None,
        "the description comes with the history"
    );
    assert_eq!(tasks[1].last.as_ref().unwrap().error, None);
}

#[test]
fn upsert_updates_in_place_and_remove_keeps_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store
        .upsert_tasks(&[
            task("x", StoredParams::default()),
            task("y", StoredParams::default()),
        ])
        .unwrap();
    let mut changed = task("x", StoredParams::default());
    changed.label = "renamed".into();
    changed.params.unpack = Some(false);
    store
        .upsert_tasks(&[task("z", StoredParams::default()), changed])
        .unwrap();
    let tasks = store.load_tasks().unwrap();
    let ids: Vec<&str> = tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["x", "y", "z"]);
    assert_eq!(tasks[0].label, "renamed");
    assert_eq!(tasks[0].params.unpack, Some(false));

    let r = store.begin(&rec("y", 5)).unwrap();
    store.finish(r, &fin("accepted", "ok")).unwrap();
    assert_eq!(store.remove_tasks(&[id("y"), id("nope")]).unwrap(), 1);
    assert_eq!(store.load_tasks().unwrap().len(), 2);
    let q = HistoryQuery {
        task: Some("y".into()),
        ..Default::default()
    };
    assert_eq!(store.history(&q).unwrap().len(), 1);
    let err = store
        .finish(RecordId(9_999), &fin("accepted", ""))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NoSuchRecord { id: 9_999, .. }),
        "{err}"
    );
}

#[test]
fn the_last_outcome_follows_history_written_before_or_after_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let newest = |store: &Store| -> Vec<Option<i64>> {
        let tasks = store.load_tasks().unwrap();
        tasks
            .iter()
            .map(|t| t.last.as_ref().map(|r| r.time))
            .collect()
    };
    // `tae-rescan rescan` records tasks that are not in the inventory yet.
    for time in [1, 2] {
        let r = store.begin(&rec("early", time)).unwrap();
        store.finish(r, &fin("accepted", "ok")).unwrap();
    }
    store
        .upsert_tasks(&[task("early", StoredParams::default())])
        .unwrap();
    store
        .upsert_tasks(&[task("late", StoredParams::default())])
        .unwrap();
    assert_eq!(newest(&store), [Some(2), None]);
    store.begin(&rec("late", 3)).unwrap();
    let r = store.begin(&rec("early", 4)).unwrap();
    store.finish(r, &fin("rejected", "bad")).unwrap();
    assert_eq!(newest(&store), [Some(4), Some(3)]);
    // Updating a known task keeps its last outcome; removing and adding it
    // again finds its history.
    store
        .upsert_tasks(&[task("early", StoredParams::default())])
        .unwrap();
    store.remove_tasks(&[id("late")]).unwrap();
    store
        .upsert_tasks(&[task("late", StoredParams::default())])
        .unwrap();
    assert_eq!(newest(&store), [Some(4), Some(3)]);
}

#[test]
fn unzip_password_reaches_the_disk_only_when_opted_in() {
    let secret = "pw-Zq81-never-on-disk";
    let p = RescanParams {
        processing_type: Some(ProcessingType::UnzipAndExec),
        unzip_password: Some(secret.into()),
        ..Default::default()
    };
    for remember in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(dir.path()).unwrap();
            let t = task("t", StoredParams::from_params(&p, remember));
            store.upsert_tasks(&[t]).unwrap();
            let masked = p
                .query_pairs(tae_rescan::api::params::Reveal::Masked)
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("&");
            let r = store
                .begin(&NewRecord {
                    params: masked,
                    ..rec("t", 1)
                })
                .unwrap();
            store.finish(r, &fin("accepted", "ok")).unwrap();
            // Checked while open (data may sit in the WAL) and after close.
            assert_eq!(
                contains(&raw_bytes(dir.path()), secret.as_bytes()),
                remember
            );
        }
        assert_eq!(
            contains(&raw_bytes(dir.path()), secret.as_bytes()),
            remember
        );
        let back = Store::open(dir.path()).unwrap().load_tasks().unwrap();
        assert_eq!(back[0].params.unzip_password.is_some(), remember);
    }
}

/// The history may hold unzip passwords (when opted in) and names every
/// task: the folder we create and the database files are the user's alone,
/// whatever the umask lets through.
#[cfg(unix)]
#[test]
fn the_data_dir_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("data").join("tae-rescan");
    let mut store = Store::open(&dir).unwrap();
    let r = store.begin(&rec("t", 1)).unwrap();
    store.finish(r, &fin("accepted", "ok")).unwrap();
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    assert_eq!(mode(&home.path().join("data")), 0o700);
    for name in ["tae-rescan.db", "tae-rescan.db-wal", "tae-rescan.db-shm"] {
        assert_eq!(mode(&dir.join(name)), 0o600, "{name}");
    }

    // A folder the user made keeps its permissions.
    let own = home.path().join("own");
    std::fs::create_dir(&own).unwrap();
    std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o755)).unwrap();
    Store::open(&own).unwrap();
    assert_eq!(mode(&own), 0o755);
    assert_eq!(mode(&own.join("tae-rescan.db")), 0o600);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_byte_for_byte() {
    let garbage: Vec<u8> = (0..5000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let text = b"my notes\nnot a database\n".to_vec();
    for content in [garbage, text] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(DB_FILE_NAME);
        std::fs::write(&file, &content).unwrap();
        let before = std::fs::metadata(&file).unwrap().modified().unwrap();
        let err = Store::open(dir.path()).unwrap_err();
        assert!(matches!(err, StoreError::NotADatabase { .. }), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(&file.display().to_string()), "{msg}");
        assert!(!msg.contains('\n'), "{msg}");
        assert_eq!(std::fs::read(&file).unwrap(), content);
        assert_eq!(
            std::fs::metadata(&file).unwrap().modified().unwrap(),
            before
        );
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no -wal or -shm files appear");
    }
}

#[test]
fn another_programs_sqlite_file_is_refused_and_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    raw(dir.path())
        .execute_batch("CREATE TABLE theirs (x); INSERT INTO theirs VALUES (1);")
        .unwrap();
    let before = std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join(DB_FILE_NAME)).unwrap(),
        before
    );
}

#[test]
fn a_directory_where_the_file_should_be_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(DB_FILE_NAME)).unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::IsDirectory { .. }), "{err}");
    assert!(err.to_string().contains("is a directory"), "{err}");
}

#[test]
fn a_database_from_a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    raw(dir.path())
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::NewerSchema { found: 99, .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("made by a newer tae-rescan"),
        "{err}"
    );
    let version: i64 = raw(dir.path())
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 99);
}

#[test]
fn two_stores_on_one_dir_write_concurrently() {
    let dir = tempfile::tempdir().unwrap();
    let start = Arc::new(Barrier::new(2));
    let writers: Vec<_> = ["left", "right"]
        .into_iter()
        .map(|name| {
            let (dir, start) = (dir.path().to_path_buf(), start.clone());
            std::thread::spawn(move || {
                // Both open a fresh directory at once: migrations must not clash.
                start.wait();
                let mut store = Store::open(&dir).unwrap();
                start.wait();
                for i in 0..200 {
                    let r = store.begin(&rec(name, i)).unwrap();
                    store.finish(r, &fin("accepted", name)).unwrap();
                }
                store
            })
        })
        .collect();
    let stores: Vec<Store> = writers.into_iter().map(|w| w.join().unwrap()).collect();
    let all = stores[0].history(&HistoryQuery::default()).unwrap();
    assert_eq!(all.len(), 400);
    for name in ["left", "right"] {
        let mine: Vec<_> = all.iter().filter(|r| r.task_id == name).collect();
        assert_eq!(mine.len(), 200, "{name}");
        assert!(
            mine.iter()
                .all(|r| r.finished && r.outcome.label() == "accepted")
        );
    }
}

#[tokio::test]
async fn the_store_thread_round_trips_every_call() {
    let dir = tempfile::tempdir().unwrap();
    let handle = spawn_store_thread(Store::open(dir.path()).unwrap());
    let h2 = handle.clone();
    handle
        .upsert_tasks(vec![
            task("a", StoredParams::default()),
            task("b", StoredParams::default()),
        ])
        .await
        .unwrap();
    let r = h2.begin(rec("a", 7)).unwrap();
    h2.finish(r, fin("accepted", "ok")).await.unwrap();
    assert_eq!(handle.remove_tasks(vec![id("b")]).await.unwrap(), 1);
    let tasks = handle.load_tasks().await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].last.as_ref().unwrap().outcome.label(), "accepted");
    let hist = handle.history(HistoryQuery::default()).await.unwrap();
    assert_eq!((hist[0].task_id.as_str(), hist[0].time), ("a", 7));
    let err = h2.finish(r, fin("error", "")).await.unwrap_err();
    assert!(err.to_string().contains(DB_FILE_NAME), "{err}");
    drop((handle, h2));
    // Everything was committed: a fresh open sees it.
    assert_eq!(
        Store::open(dir.path()).unwrap().load_tasks().unwrap().len(),
        1
    );
}

/// A record is written once, complete, when its answer comes soon; one
/// still unanswered after the grace period shows `in flight` meanwhile
/// (so `history` and the monitor see what hangs), and is completed in
/// place.
#[tokio::test]
async fn an_unanswered_record_shows_in_flight_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let handle = spawn_store_thread(Store::open(dir.path()).unwrap());
    let quick = handle.begin(rec("quick", 1)).unwrap();
    handle.finish(quick, fin("accepted", "ok")).await.unwrap();
    let began = std::time::Instant::now();
    let slow = handle.begin(rec("slow", 2)).unwrap();
    let deadline = began + std::time::Duration::from_secs(20);
    let shown = loop {
        let all = handle.history(HistoryQuery::default()).await.unwrap();
        if all.len() == 2 {
            break all;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never written: {all:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    };
    assert!(began.elapsed() >= tae_rescan::store::IN_FLIGHT_AFTER);
    assert_eq!(
        (shown[0].task_id.as_str(), shown[0].outcome.label()),
        ("slow", "in flight")
    );
    handle.finish(slow, fin("rejected", "bad")).await.unwrap();
    let all = handle.history(HistoryQuery::default()).await.unwrap();
    let seen: Vec<_> = all
        .iter()
        .map(|r| (r.id, r.task_id.as_str(), r.outcome.label()))
        .collect();
    assert_eq!(
        seen,
        [
            (shown[0].id, "slow", "rejected"),
            (shown[1].id, "quick", "accepted")
        ]
    );
}

#[tokio::test]
async fn the_inventory_streams_in_chunks_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let names: Vec<String> = (0..12_000).map(|n| format!("c-{n:05}")).collect();
    let tasks: Vec<StoredTask> = names
        .iter()
        .map(|n| task(n, StoredParams::default()))
        .collect();
    store.upsert_tasks(&tasks).unwrap();
    let mut sizes = Vec::new();
    let mut seen = Vec::new();
    store
        .load_tasks_in_chunks(5, |chunk| {
            assert_eq!(chunk.total, 12_000, "every chunk knows the whole count");
            sizes.push(chunk.tasks.len());
            seen.extend(chunk.tasks.into_iter().take(1).map(|t| t.id.to_string()));
        })
        .unwrap();
    assert_eq!(sizes.len(), 2_400);
    assert!(sizes.iter().all(|s| *s == 5));
    assert_eq!(seen[1], "c-00005", "insertion order across chunks");
    let handle = tae_rescan::store::spawn_store_thread(store);
    let mut chunks = handle.load_tasks_in_chunks();
    let mut total = 0;
    let mut count = 0;
    while let Some(chunk) = chunks.recv().await {
        total += chunk.unwrap().tasks.len();
        count += 1;
    }
    assert_eq!(
        (total, count),
        (12_000, 12),
        "1,000 per chunk, then the channel closes"
    );
}

/// A symbolic link (dangling, or to a real database elsewhere) in place of
/// the database or one of its WAL files: SQLite would create or write the
/// target. The open is refused naming the link, and nothing appears there.
#[test]
fn a_symlink_in_place_of_the_database_or_its_wal_files_is_refused() {
    for suffix in ["", "-wal", "-shm"] {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("data");
        std::fs::create_dir(&dir).unwrap();
        let link = dir.join(format!("{DB_FILE_NAME}{suffix}"));
        let target = home.path().join("elsewhere");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = Store::open(&dir).expect_err("a dangling link is refused");
        let msg = err.to_string();
        assert!(
            msg.contains(&link.display().to_string()) && msg.contains("symbolic link"),
            "{suffix}: {msg}"
        );
        assert!(!msg.contains('\n'), "{msg}");
        assert!(!target.exists(), "{suffix}: the link's target was created");
        assert!(
            !dir.join(DB_FILE_NAME).exists() || suffix.is_empty(),
            "{suffix}: a database was created beside the link"
        );
    }

    // A link to a real database is refused too, and that database untouched.
    let home = tempfile::tempdir().unwrap();
    let real = home.path().join("real");
    drop(Store::open(&real).unwrap());
    let before = std::fs::read(real.join(DB_FILE_NAME)).unwrap();
    let dir = home.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(real.join(DB_FILE_NAME), dir.join(DB_FILE_NAME)).unwrap();
    let err = Store::open(&dir).expect_err("a link to a database is refused");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read(real.join(DB_FILE_NAME)).unwrap(), before);
}

/// The binary with a clean environment plus `env`; (exit code, stderr).
fn run_binary(args: &[&str], env: &[(&str, &str)], home: &Path) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tae-rescan"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("xdg-data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_cli_refuses_a_symlinked_database_or_log_with_exit_2() {
    for (name, folder, env) in [
        (DB_FILE_NAME, "data", &[][..]),
        ("tae-rescan.db-wal", "data", &[][..]),
        // The log lives in the state dir ($XDG_STATE_HOME/tae-rescan).
        (
            "tae-rescan.log",
            "state/tae-rescan",
            &[("TAE_RESCAN_LOG", "info")][..],
        ),
    ] {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        let link = dir.join(name);
        let target = home.path().join("planted");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let data = home.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let data = data.to_str().unwrap();
        let (code, err) = run_binary(&["history", "--data-dir", data], env, home.path());
        assert_eq!(code, 2, "{name}: {err}");
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: {err}");
        assert!(
            lines[0].starts_with("tae-rescan: error: ")
                && lines[0].contains(&link.display().to_string())
                && lines[0].contains("symbolic link"),
            "{name}: {err}"
        );
        assert!(!target.exists(), "{name}: the link's target was created");
    }
}
