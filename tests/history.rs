//! Persistence: the history survives restarts and kill -9, refuses a file
//! that is not its database, takes two writers at once, and exports in
//! formats that parse back.

mod common;

use std::time::{Duration, Instant};

use common::{
    Fixture, PASSWORD, binary, history_json, json_lines, rejected, run_with_password, scripted,
};
use tae_rescan::sim::{Behaviour, Behaviours};

/// Polls a condition that no event announces (another process's progress),
/// with a deadline.
async fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !cond() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rescans_tasks_and_parameters_survive_a_restart() {
    let f = Fixture::start(Behaviours {
        per_task: [("h-2".to_owned(), Behaviour::NotFound)].into(),
        ..Default::default()
    })
    .await;
    let cfg = f.config_file("");
    let cfg = cfg.to_str().unwrap();
    let home = f.dir.path();
    let list = f.write("tasks.csv", b"task_id,label\nh-1,first\nh-2,second\n");
    let (code, out, err) = run_with_password(
        &["tasks", "--config", cfg, "import", list.to_str().unwrap()],
        home,
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("imported 2 tasks"), "{err}");
    let (code, _, _) = run_with_password(
        &["rescan", "--config", cfg, "--file-ext", "zip", "h-1", "h-2"],
        home,
    )
    .await;
    assert_eq!(code, 1, "h-2 ends failed or hung");
    assert_eq!(
        intent_logs(&home.join("data/tae-rescan")),
        Vec::<String>::new(),
        "every intent has its record: no log is left behind"
    );
    let (code, out, _) = run_with_password(
        &["tasks", "--config", cfg, "list", "--output", "json"],
        home,
    )
    .await;
    assert_eq!(code, 0);
    let tasks = json_lines(&out);
    assert_eq!(tasks.len(), 2);
    assert_eq!(
        (tasks[0]["task_id"].as_str(), tasks[0]["label"].as_str()),
        (Some("h-1"), Some("first"))
    );
    assert_eq!(tasks[0]["last_outcome"], "accepted");
    assert_eq!(tasks[1]["last_outcome"], "failed or hung");
    let records = history_json(cfg, home).await;
    assert_eq!(records.len(), 2);
    for r in &records {
        assert_eq!(r["params"], "file_ext=zip");
        assert_eq!(r["attempts"], 1);
        assert!(
            r["time"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .is_ok(),
            "RFC 3339: {r}"
        );
    }
    let (_, out, _) = run_with_password(
        &["history", "--config", cfg, "--outcome", "failed or hung"],
        home,
    )
    .await;
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.contains("h-2"));
    // The label is read as the dashboard's filters read it: any case,
    // blanks around it ignored.
    let (_, loose, _) = run_with_password(
        &["history", "--config", cfg, "--outcome", " Failed Or HUNG "],
        home,
    )
    .await;
    assert_eq!(loose, out);
    let (code, _, err) =
        run_with_password(&["history", "--config", cfg, "--outcome", "acepted"], home).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("--outcome: 'acepted' is not an outcome")
            && err.contains("cancelled, interrupted, in flight"),
        "{err}"
    );
    let (_, out, _) = run_with_password(
        &[
            "history", "--config", cfg, "--since", "1h30m", "--task", "h-1",
        ],
        home,
    )
    .await;
    assert_eq!(out.lines().count(), 1);
    let (code, out, _) =
        run_with_password(&["tasks", "--config", cfg, "remove", "h-1"], home).await;
    assert_eq!(code, 0, "{out}");
    let (_, out, _) = run_with_password(&["history", "--config", cfg, "--task", "h-1"], home).await;
    assert_eq!(out.lines().count(), 1, "history outlives the inventory");
}

/// A `rescan` of 30 tasks at concurrency 4 whose first 6 are answered at
/// once while the rest hang for a minute; returns once the 6 are accepted
/// and 4 requests hang at the server, so no answer can be in transit.
async fn bulk_stuck_after_six(
    stdout: std::process::Stdio,
) -> (Fixture, std::path::PathBuf, tokio::process::Child) {
    let mut per_task = std::collections::HashMap::new();
    for n in 6..30 {
        per_task.insert(
            format!("k-{n:02}"),
            Behaviour::Slow {
                delay: Duration::from_secs(60),
            },
        );
    }
    let f = Fixture::start(Behaviours {
        per_task,
        ..Default::default()
    })
    .await;
    let cfg = f.config_file("[worker]\nconcurrency = 4\n");
    let ids: Vec<String> = (0..30).map(|n| format!("k-{n:02}")).collect();
    let mut args = vec![
        "rescan",
        "--config",
        cfg.to_str().unwrap(),
        "--output",
        "json",
    ];
    args.extend(ids.iter().map(String::as_str));
    let child = tokio::process::Command::from(binary(f.dir.path()))
        .args(&args)
        .env("TIP_PASSWORD", PASSWORD)
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let record = f.sim.record();
    eventually("6 accepted and 4 requests hanging at the server", || {
        record.count_status(200) == 6 && record.in_flight() == 4
    })
    .await;
    (f, cfg, child)
}

/// The history as the `history` command prints it (JSON lines).
/// The names of the intent logs in a data directory.
fn intent_logs(data: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(data)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".intents-"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_mid_bulk_cancels_the_rest_and_completes_every_record() {
    let (f, cfg, child) = bulk_stuck_after_six(std::process::Stdio::piped()).await;
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = child.wait_with_output().await.unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr),
    );
    assert_eq!(done.status.code(), Some(1), "{err}");
    assert!(err.contains("interrupted: cancelling"), "{err}");
    let lines = json_lines(&out);
    let count = |lines: &[serde_json::Value], label: &str| {
        lines.iter().filter(|r| r["outcome"] == label).count()
    };
    assert_eq!(lines.len(), 30, "one line per task: {out}");
    assert_eq!(
        (count(&lines, "accepted"), count(&lines, "cancelled")),
        (6, 24)
    );
    let records = history_json(&cfg, f.dir.path()).await;
    assert_eq!(
        (
            count(&records, "accepted"),
            count(&records, "cancelled"),
            records.len()
        ),
        (6, 4, 10),
        "the 4 hanging requests are recorded as cancelled, never left in flight"
    );
}

/// Killed right after the six answers were reported: the hanging requests'
/// records are (almost always) still only intents in the log, which the
/// next open turns into `interrupted` records and deletes.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_mid_bulk_leaves_interrupted_records_and_no_false_accepts() {
    let (f, cfg, mut child) = bulk_stuck_after_six(std::process::Stdio::piped()).await;
    let _output = six_accepted_printed(&mut child).await;
    kill_and_check_the_history(&f, &cfg, child).await;
}

/// Reads the child's JSON lines until six say `accepted`. A result is
/// printed only once its record is committed, so a kill from then on
/// cannot lose them; a kill between the server's 200 and that commit
/// would rightly leave the record `interrupted` (outcome unknown to us),
/// and the count would then differ from the simulator's by chance.
async fn six_accepted_printed(
    child: &mut tokio::process::Child,
) -> tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>> {
    use tokio::io::AsyncBufReadExt;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let mut accepted = 0;
    while accepted < 6 {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("six results within 20 s")
            .unwrap()
            .expect("the output ended before six results");
        accepted += usize::from(line.contains("\"outcome\":\"accepted\""));
    }
    lines
}

/// Killed once the hanging requests show as `in flight` in the history:
/// their records were written before the answer, and become `interrupted`.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_after_the_hanging_requests_show_in_flight_leaves_them_interrupted() {
    let (f, cfg, child) = bulk_stuck_after_six(std::process::Stdio::null()).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let records = history_json(&cfg, f.dir.path()).await;
        if records
            .iter()
            .filter(|r| r["outcome"] == "in flight")
            .count()
            == 4
        {
            break;
        }
        assert!(Instant::now() < deadline, "never in flight: {records:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    kill_and_check_the_history(&f, &cfg, child).await;
}

/// SIGKILL, then: every record parses, the 6 answered are `accepted` (as
/// many as the simulator's 200s), the 4 hanging are `interrupted`, the
/// queued were never recorded, and no intent log is left.
async fn kill_and_check_the_history(
    f: &Fixture,
    cfg: &std::path::Path,
    mut child: tokio::process::Child,
) {
    child.start_kill().unwrap(); // SIGKILL
    child.wait().await.unwrap();
    let records = history_json(cfg, f.dir.path()).await;
    let out = format!("{records:?}");
    let count = |label: &str| records.iter().filter(|r| r["outcome"] == label).count();
    assert_eq!(count("accepted"), 6);
    assert_eq!(
        count("accepted"),
        f.sim.record().count_status(200),
        "accepted records = the simulator's 200s"
    );
    assert_eq!(count("interrupted"), 4, "the requests in flight: {out}");
    assert_eq!(
        records.len(),
        10,
        "queued jobs were never sent, so never recorded"
    );
    for r in records.iter().filter(|r| r["outcome"] == "accepted") {
        let id = r["task_id"].as_str().unwrap();
        assert!(
            f.sim
                .record()
                .requests()
                .iter()
                .any(|q| q.task_id == id && q.status == Some(200)),
            "{id}"
        );
    }
    let left = intent_logs(&f.dir.path().join("data/tae-rescan"));
    assert!(
        left.is_empty(),
        "recovered intent logs are deleted: {left:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_not_the_database_is_refused_and_left_alone() {
    let f = Fixture::start(Behaviours::default()).await;
    let cfg = f.config_file("");
    let data = f.dir.path().join("data/tae-rescan");
    std::fs::create_dir_all(&data).unwrap();
    let db = data.join("tae-rescan.db");
    let garbage: Vec<u8> = (0..4096u32).map(|n| (n * 7 % 251) as u8).collect();
    std::fs::write(&db, &garbage).unwrap();
    for args in [vec!["rescan", "t1"], vec!["history"], vec!["tasks", "list"]] {
        let mut full = args.clone();
        full.extend(["--config", cfg.to_str().unwrap()]);
        let (code, out, err) = run_with_password(&full, f.dir.path()).await;
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&db.display().to_string()) && err.contains("not a tae-rescan database"),
            "{err}"
        );
    }
    assert_eq!(
        std::fs::read(&db).unwrap(),
        garbage,
        "byte for byte unchanged"
    );
    assert!(f.sim.record().is_empty(), "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_on_one_data_dir_record_everything() {
    let f = Fixture::start(Behaviours {
        latency: Duration::from_millis(5),
        ..Default::default()
    })
    .await;
    let cfg = f.config_file("[worker]\nconcurrency = 8\n");
    let cfg = cfg.to_str().unwrap();
    let a: Vec<String> = (0..60).map(|n| format!("a-{n}")).collect();
    let b: Vec<String> = (0..60).map(|n| format!("b-{n}")).collect();
    let args = |ids: &[String]| {
        let mut v = vec!["rescan".to_owned(), "--config".to_owned(), cfg.to_owned()];
        v.extend(ids.iter().cloned());
        v
    };
    let (args_a, args_b) = (args(&a), args(&b));
    let ra: Vec<&str> = args_a.iter().map(String::as_str).collect();
    let rb: Vec<&str> = args_b.iter().map(String::as_str).collect();
    let home = f.dir.path();
    let ((code_a, _, err_a), (code_b, _, err_b)) =
        tokio::join!(run_with_password(&ra, home), run_with_password(&rb, home));
    assert_eq!((code_a, code_b), (0, 0), "{err_a}{err_b}");
    let records = history_json(cfg, home).await;
    assert_eq!(records.len(), 120);
    assert!(records.iter().all(|r| r["outcome"] == "accepted"));
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_parse_back_and_match_the_history() {
    let f = Fixture::start(scripted(&[("x-2", rejected("url, \"quoted\"\nnew line"))])).await;
    let cfg = f.config_file("");
    let cfg = cfg.to_str().unwrap();
    let home = f.dir.path();
    run_with_password(&["rescan", "--config", cfg, "x-1", "x-2", "x-3"], home).await;
    let json = history_json(cfg, home).await;
    let (_, csv_text, _) =
        run_with_password(&["history", "--config", cfg, "--output", "csv"], home).await;
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "task_id",
            "status",
            "outcome",
            "error",
            "description",
            "new_task_id",
            "attempts",
            "elapsed_ms",
            "queued_ms",
            "time",
            "params"
        ]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), json.len());
    assert_eq!(json.len(), 3);
    for (row, j) in rows.iter().zip(&json) {
        for (n, field) in header.iter().enumerate() {
            let expected = match &j[field] {
                serde_json::Value::Null => String::new(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            assert_eq!(row[n], expected, "{field}");
        }
    }
    let rejected = json.iter().find(|r| r["task_id"] == "x-2").unwrap();
    assert_eq!(rejected["error"], "invalid-params");
    assert_eq!(
        rejected["description"], "url, \"quoted\"\\nnew line",
        "server text is stored sanitised"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_exports_never_hand_a_spreadsheet_a_formula() {
    let formula = "=HYPERLINK(\"http://evil.example/\",\"click\")";
    let f = Fixture::start(scripted(&[("f-1", rejected(formula))])).await;
    let cfg = f.config_file("");
    let cfg = cfg.to_str().unwrap();
    let home = f.dir.path();
    let (code, _, err) = run_with_password(&["rescan", "--config", cfg, "f-1"], home).await;
    assert_eq!(code, 1, "{err}");
    let (code, csv_text, err) =
        run_with_password(&["history", "--config", cfg, "--output", "csv"], home).await;
    assert_eq!(code, 0, "{err}");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let row = reader.records().next().expect("one record").unwrap();
    assert_eq!(&row[4], format!("'{formula}"), "{csv_text}");

    // `tasks export`: a label from an imported file is text, not a formula.
    let list = f.write(
        "tasks.csv",
        b"task_id,label\nf-2,@SUM(A1:A9)\nf-3,+1\n-f-4,'=x\n",
    );
    let (code, _, err) = run_with_password(
        &["tasks", "--config", cfg, "import", list.to_str().unwrap()],
        home,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let out = f.path("inventory.csv");
    let (code, _, err) = run_with_password(
        &["tasks", "--config", cfg, "export", out.to_str().unwrap()],
        home,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    let labels: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[1].to_owned())
        .collect();
    assert!(labels.contains(&"'@SUM(A1:A9)".to_owned()), "{text}");
    assert!(labels.contains(&"'+1".to_owned()), "{text}");

    // ... and the export reads back as it was: the quotes are ours (a
    // quote before a formula character is read as such on import too).
    let again = tempfile::tempdir().unwrap();
    let dir = again.path().to_str().unwrap();
    let out_path = out.to_str().unwrap();
    let (code, _, err) = run_with_password(
        &[
            "tasks",
            "--config",
            cfg,
            "--data-dir",
            dir,
            "import",
            out_path,
        ],
        home,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let (code, listed, err) = run_with_password(
        &[
            "tasks",
            "--config",
            cfg,
            "--data-dir",
            dir,
            "list",
            "--output",
            "json",
        ],
        home,
    )
    .await;
    assert_eq!(code, 0, "{err}");
    for (id, label) in [("f-2", "@SUM(A1:A9)"), ("f-3", "+1"), ("-f-4", "=x")] {
        let row = listed
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .find(|v| v["task_id"] == id)
            .unwrap_or_else(|| panic!("{id} not re-imported: {listed}"));
        assert_eq!(row["label"], label, "{listed}");
    }
}
