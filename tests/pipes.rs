//! The inventory commands in pipes: data on stdout, status lines on
//! stderr, `-` for stdin and stdout, and `tasks import` reading back the
//! JSON lines that `tasks list` and `history` print.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::binary;
use tae_rescan::api::TaskId;
use tae_rescan::store::Store;

/// What one run of the binary left: exit code, stdout, stderr.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `home` (also its working directory) with `stdin`.
fn run(home: &Path, args: &[&str], stdin: &str) -> Run {
    let mut child = binary(home)
        .current_dir(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `tasks list --output json` of a data dir: (id, label, url) per task.
fn listed(home: &Path, data: &str) -> Vec<(String, String, Option<String>)> {
    let r = run(
        home,
        &["tasks", "--data-dir", data, "list", "--output", "json"],
        "",
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut rows: Vec<_> = r
        .stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["task_id"].as_str().unwrap().to_owned(),
                v["label"].as_str().unwrap().to_owned(),
                v["url"].as_str().map(str::to_owned),
            )
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn tasks_list_json_reads_back_through_stdin_with_labels_and_urls() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    std::fs::write(
        home.join("seed.csv"),
        "task_id,label,url\np-1,Emotet wave 3,https://x.example/a.zip\np-2,,\np-3,third,\n",
    )
    .unwrap();
    let r = run(
        home,
        &["tasks", "--data-dir", "a", "import", "seed.csv"],
        "",
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "", "status lines are not data");
    assert!(
        r.stderr.starts_with("imported 3 tasks from seed.csv"),
        "{}",
        r.stderr
    );

    let listing = run(
        home,
        &["tasks", "--data-dir", "a", "list", "--output", "json"],
        "",
    );
    let r = run(
        home,
        &["tasks", "--data-dir", "b", "import", "-"],
        &listing.stdout,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stdout, "");
    assert_eq!(r.stderr, "imported 3 tasks from stdin (0 already listed)\n");
    let url = Some("https://x.example/a.zip".to_owned());
    assert_eq!(
        listed(home, "b"),
        [
            ("p-1".into(), "Emotet wave 3".into(), url),
            ("p-2".into(), String::new(), None),
            ("p-3".into(), "third".into(), None),
        ]
    );
    assert_eq!(listed(home, "a"), listed(home, "b"));
}

#[test]
fn history_json_reads_back_with_the_urls_that_were_sent() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    {
        let mut store = Store::open(&home.join("a")).unwrap();
        for (task, params) in [
            ("r-1", "url=https://x.example/get?f=1&k=2&file_ext=zip"),
            ("r-2", "file_ext=exe&unzip_password=***"),
            ("r-1", "url=https://x.example/later"),
        ] {
            common::record_accepted(&mut store, TaskId::parse(task).unwrap(), params);
        }
    }
    let history = run(
        home,
        &["history", "--data-dir", "a", "--output", "json"],
        "",
    );
    assert_eq!(history.code, Some(0), "{}", history.stderr);
    assert_eq!(history.stdout.lines().count(), 3);
    let r = run(
        home,
        &["tasks", "--data-dir", "b", "import", "-"],
        &history.stdout,
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stderr, "imported 2 tasks from stdin (1 already listed)\n");
    assert_eq!(
        listed(home, "b"),
        [
            (
                "r-1".into(),
                String::new(),
                Some("https://x.example/get?f=1&k=2".into())
            ),
            ("r-2".into(), String::new(), None),
        ]
    );
}

#[test]
fn export_to_dash_writes_stdout_and_status_lines_go_to_stderr() {
    let home = tempfile::tempdir().unwrap();
    let home = home.path();
    let r = run(
        home,
        &["tasks", "--data-dir", "a", "import", "-"],
        "task_id,label,url\ne-1,=first wave,https://x.example/a.zip\ne-2,,\n",
    );
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), ""), "{}", r.stderr);

    let r = run(home, &["tasks", "--data-dir", "a", "export", "-"], "");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.stderr, "exported 2 tasks to stdout\n");
    assert!(!home.join("-").exists(), "no file named -");
    let to_stdout = r.stdout;

    let r = run(home, &["tasks", "--data-dir", "a", "export", "all.csv"], "");
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), ""), "{}", r.stderr);
    assert_eq!(r.stderr, "exported 2 tasks to all.csv\n");
    // The whole export, every column of the file, not the ids alone...
    let file = std::fs::read_to_string(home.join("all.csv")).unwrap();
    assert_eq!(to_stdout, file);
    assert!(to_stdout.starts_with("task_id,label,url,"), "{to_stdout}");
    // ...and it reads back with its labels and URLs.
    let r = run(
        home,
        &["tasks", "--data-dir", "b", "import", "-"],
        &to_stdout,
    );
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), ""), "{}", r.stderr);
    assert_eq!(r.stderr, "imported 2 tasks from stdin (0 already listed)\n");
    assert_eq!(listed(home, "b"), listed(home, "a"));
    assert_eq!(listed(home, "a")[0].1, "=first wave");

    let r = run(home, &["tasks", "--data-dir", "a", "remove", "e-1"], "");
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), ""), "{}", r.stderr);
    assert_eq!(r.stderr, "removed 1 of 1 tasks (their history stays)\n");
}

#[test]
fn simulate_goes_on_serving_when_its_stdout_is_closed() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let mut child = binary(home.path())
        .args(["simulate", "--plain", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // The reader is gone before the snippet is written.
    drop(child.stdout.take());
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    err.read_line(&mut line).unwrap();
    let running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        line.starts_with("tae-rescan simulate: listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(running, "the simulator still serves");
}
