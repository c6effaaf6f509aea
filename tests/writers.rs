//! Which writers' unfinished records a store may recover: only those of
//! writers whose lock in `<data dir>/writers/` no one holds. A live writer
//! in another process keeps its records; once it is killed they become
//! `interrupted`; a process id, running or not, decides nothing.

#[path = "common/finish.rs"]
mod finish;
use finish::fin;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use rusqlite::Connection;
use tae_rescan::api::params::TaskId;
use tae_rescan::store::{DB_FILE_NAME, HistoryQuery, NewRecord, RecordId, Store};

/// Set for the child process: the data dir it opens its store in.
const CHILD_DIR: &str = "TAE_RESCAN_TEST_WRITER_DIR";
/// What the child prints once its record is begun.
const READY: &str = "writer ready";

fn rec(task: &str, time: i64) -> NewRecord {
    NewRecord {
        task_id: TaskId::parse(task).unwrap(),
        time,
        params: "file_ext=exe".into(),
    }
}

/// Not a check of its own: the body of the child process the tests below
/// start (this test binary, running only this test, with [`CHILD_DIR`]
/// set). It opens a store, begins one record, says so, and holds the store
/// open until its stdin closes or it is killed.
#[test]
fn child_writer() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let mut store = Store::open(Path::new(&dir)).unwrap();
    store.begin(&rec("child", 1)).unwrap();
    println!("{READY}");
    std::io::stdin().read_to_end(&mut Vec::new()).unwrap();
}

/// Starts [`child_writer`] on `dir` and waits until its record is begun.
fn spawn_writer(dir: &Path) -> Child {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["child_writer", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // libtest writes "test child_writer ... " before it on the line.
    while !line.trim_end().ends_with(READY) {
        line.clear();
        if stdout.read_line(&mut line).unwrap() == 0 {
            let status = child.wait().unwrap();
            panic!("the child writer ended ({status}) before it was ready");
        }
    }
    // Kept open: the child's last lines must not meet a closed pipe.
    child.stdout = Some(stdout.into_inner());
    child
}

/// A second, raw connection for forging writers.
fn raw(dir: &Path) -> Connection {
    let conn = Connection::open(dir.join(DB_FILE_NAME)).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn
}

fn forge(dir: &Path, r: RecordId, pid: i64, instance: i64) {
    raw(dir)
        .execute(
            "UPDATE history SET pid = ?1, instance = ?2 WHERE id = ?3",
            [pid, instance, r.0],
        )
        .unwrap();
}

fn outcome(s: &Store, task: &str) -> &'static str {
    let all = s.history(&HistoryQuery::default()).unwrap();
    all.into_iter()
        .find(|h| h.task_id == task)
        .unwrap()
        .outcome
        .label()
}

fn lock_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("writers"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

#[test]
fn a_writer_in_another_process_is_alive_until_it_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = spawn_writer(dir.path());
    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(store.interrupted_at_open(), 0, "the child lives");
    assert_eq!(outcome(&store, "child"), "in flight");
    assert_eq!(store.mark_interrupted().unwrap(), 0);
    assert_eq!(lock_files(dir.path()).len(), 2, "the child's and ours");

    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(outcome(&store, "child"), "interrupted", "seen at once");
    assert_eq!(store.mark_interrupted().unwrap(), 1);
    assert_eq!(store.mark_interrupted().unwrap(), 0);
    assert_eq!(
        lock_files(dir.path()).len(),
        1,
        "the dead writer's lock file is deleted"
    );
}

/// A writer's file names a process that is running right now (a pid
/// reused after a crash looks like this), but no one holds its lock: its
/// record and its intent log are recovered all the same.
#[test]
fn a_running_pid_without_a_lock_holder_is_recovered() {
    let unrelated = tempfile::tempdir().unwrap();
    let mut child = spawn_writer(unrelated.path());
    let pid = i64::from(child.id());
    let instance: i64 = 0xabc;
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = Store::open(dir.path()).unwrap();
        let r = store.begin(&rec("orphan", 2)).unwrap();
        forge(dir.path(), r, pid, instance);
    }
    let name = format!("{pid}-{instance:016x}");
    let lock = dir.path().join("writers").join(format!("{name}.lock"));
    std::fs::write(&lock, b"").unwrap();
    let log = dir.path().join(format!("{DB_FILE_NAME}.intents-{name}"));
    std::fs::write(
        &log,
        "\n{\"intent\":0,\"task_id\":\"logged\",\"time\":3,\"params\":\"\"}",
    )
    .unwrap();

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.interrupted_at_open(), 2, "the record and the intent");
    assert_eq!(outcome(&store, "orphan"), "interrupted");
    assert_eq!(outcome(&store, "logged"), "interrupted");
    assert!(!lock.exists(), "its lock file is deleted");
    assert!(!log.exists(), "its intent log is deleted");
    assert!(child.try_wait().unwrap().is_none(), "the pid still runs");
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn mark_interrupted_touches_only_dead_writers() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = Store::open(dir.path()).unwrap();
    let ours = first.begin(&rec("ours", 1)).unwrap();
    let gone = first.begin(&rec("gone", 2)).unwrap();
    let reused = first.begin(&rec("reused", 3)).unwrap();
    // A writer with no lock file (it closed, or was recovered before).
    forge(dir.path(), gone, 1, 77);
    // Our pid, but an instance id no open store has.
    let (pid, instance) = {
        let conn = raw(dir.path());
        conn.query_row(
            "SELECT pid, instance FROM history WHERE id = ?1",
            [ours.0],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )
        .unwrap()
    };
    forge(dir.path(), reused, pid, instance ^ 1);

    assert_eq!(first.mark_interrupted().unwrap(), 2);
    assert_eq!(outcome(&first, "ours"), "in flight");
    assert_eq!(outcome(&first, "gone"), "interrupted");
    assert_eq!(outcome(&first, "reused"), "interrupted");

    // A second instance's open leaves the first one's job alone...
    let mut second = Store::open(dir.path()).unwrap();
    assert_eq!(second.interrupted_at_open(), 0);
    assert_eq!(outcome(&second, "ours"), "in flight");
    // ...and a late answer still completes an interrupted record.
    first.finish(gone, &fin("accepted", "late")).unwrap();
    assert_eq!(outcome(&second, "gone"), "accepted");

    // Once the first instance is closed its unfinished job is interrupted.
    drop(first);
    assert_eq!(outcome(&second, "ours"), "interrupted");
    assert_eq!(second.mark_interrupted().unwrap(), 1);
    assert_eq!(second.mark_interrupted().unwrap(), 0);
}
