//! The real binary's headless commands against the simulator over mutual TLS.

mod common;

use common::{
    Fixture, PASSWORD, binary, history_json, rescan_json, run_cli, run_with_password, scripted,
};
use tae_rescan::sim::{Behaviour, Behaviours};

fn with_password() -> Vec<(&'static str, &'static str)> {
    vec![("TIP_PASSWORD", PASSWORD)]
}

#[tokio::test(flavor = "multi_thread")]
async fn rescan_prints_json_lines_and_exits_by_outcome() {
    let f = Fixture::start(scripted(&[
        ("hung", Behaviour::NotFound),
        ("fresh", Behaviour::AcceptNewId),
    ]))
    .await;
    let config = f.config_file("");
    let cfg = config.to_str().unwrap();
    let (code, out, err) = run_with_password(
        &[
            "rescan", "--config", cfg, "--output", "json", "ok-1", "fresh",
        ],
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let order = [
        "task_id",
        "status",
        "outcome",
        "error",
        "description",
        "new_task_id",
        "attempts",
        "elapsed_ms",
        "queued_ms",
    ];
    for raw in out.lines() {
        let positions: Vec<usize> = order
            .iter()
            .map(|k| raw.find(&format!("\"{k}\":")).expect(k))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "documented field order: {raw}"
        );
    }
    for line in &lines {
        assert_eq!(line.as_object().unwrap().len(), order.len());
        assert_eq!(line["outcome"], "accepted");
        assert_eq!(line["status"], 200);
    }
    let fresh = lines.iter().find(|l| l["task_id"] == "fresh").unwrap();
    assert!(fresh["new_task_id"].as_str().is_some_and(|n| n != "fresh"));

    let (code, out, _) =
        run_with_password(&["--config", cfg, "rescan", "ok-2", "hung"], f.dir.path()).await;
    assert_eq!(code, 1, "any task not accepted exits 1");
    assert!(
        out.lines()
            .any(|l| l.starts_with("hung ") && l.contains("failed or hung")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("ok-2 ") && l.contains("accepted")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn validation_errors_exit_2_and_send_nothing() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file("");
    let cfg = config.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--file-ext", ".exe", "t1"], "--file-ext"),
        (&["--file-ext", "abcdefghijk", "t1"], "--file-ext"),
        (&["--url", "ftp://x/y", "t1"], "--url"),
        (&["--unzip-password", "p", "t1"], "--unzip-password"),
        (
            &[
                "--processing-type",
                "exec-only",
                "--unzip-password",
                "p",
                "t1",
            ],
            "--unzip-password",
        ),
        (&["--processing-type", "run", "t1"], "--processing-type"),
        (&["--unpack", "yes", "t1"], "--unpack"),
        (
            &["--reset-similarity-thresholds", "1", "t1"],
            "--reset-similarity-thresholds",
        ),
        (&["bad/id"], "task_id"),
        (&["ok", "a b"], "task_id"),
        (&[], "no task ids"),
    ];
    for (args, names) in cases {
        let mut full = vec!["rescan", "--config", cfg];
        full.extend_from_slice(args);
        let (code, out, err) = run_with_password(&full, f.dir.path()).await;
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(names), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(f.sim.record().is_empty(), "nothing reached the server");
}

#[tokio::test(flavor = "multi_thread")]
async fn ids_come_from_files_and_stdin() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file("");
    let cfg = config.to_str().unwrap();
    let list = f.write(
        "ids.txt",
        b"\xef\xbb\xbf# from the ticket\r\nfile-1\r\n\r\nfile-2  # second\r\nfile-1\r\n",
    );
    let (code, _, err) = run_with_password(
        &[
            "rescan",
            "--config",
            cfg,
            "--from-file",
            list.to_str().unwrap(),
            "arg-1",
        ],
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run_cli(
        &["rescan", "--config", cfg, "--from-file", "-"],
        &with_password(),
        Some("stdin-1\nstdin-2\n"),
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let mut seen: Vec<String> = f
        .sim
        .record()
        .requests()
        .into_iter()
        .map(|r| r.task_id)
        .collect();
    seen.sort();
    assert_eq!(seen, ["arg-1", "file-1", "file-2", "stdin-1", "stdin-2"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_shows_the_request_masks_secrets_and_sends_nothing() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file("");
    let (code, out, err) = run_cli(
        &[
            "rescan",
            "--config",
            config.to_str().unwrap(),
            "--dry-run",
            "--processing-type",
            "unzip-and-exec",
            "--unzip-password-env",
            "ZIP_PW",
            "t1",
        ],
        &[("TIP_PASSWORD", PASSWORD), ("ZIP_PW", "zip-secret-42")],
        None,
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("PUT {}/api/attribution/tasks/file_from_url/t1?processing_type=unzip-and-exec&unzip_password=***", f.sim.base_url())), "{out}");
    assert!(
        out.contains("Authorization: Basic ***") && out.contains("Content-Length: 0"),
        "{out}"
    );
    assert!(
        !out.contains("zip-secret-42") && !out.contains(PASSWORD) && !err.contains("zip-secret-42")
    );
    assert!(f.sim.record().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn config_and_credential_errors_are_one_clear_line() {
    let f = Fixture::start(Behaviours::default()).await;
    let home = f.dir.path();
    let typo = f.write("typo.toml", b"[api]\nusername = \"a\"\npasword = \"b\"\n");
    let (code, _, err) = run_cli(
        &["rescan", "t1", "--config", typo.to_str().unwrap()],
        &[],
        None,
        home,
    )
    .await;
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("typo.toml line 3 in [api]") && err.contains("pasword"),
        "{err}"
    );

    let config = f.config_file("");
    let cfg = config.to_str().unwrap();
    let (code, _, err) = run_cli(&["rescan", "--config", cfg, "t1"], &[], None, home).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("no [api] password configured") && err.contains("TIP_PASSWORD"),
        "{err}"
    );

    let (code, out, _) = run_cli(
        &["rescan", "--config", cfg, "t1"],
        &[("TIP_PASSWORD", "wrong")],
        None,
        home,
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        out.contains("auth failed") && out.contains("username / password"),
        "{out}"
    );

    let p12 = f.config_file("client_cert_password = \"wrong\"\n");
    let text = std::fs::read_to_string(&p12)
        .unwrap()
        .replace("client.pem", "client.p12");
    std::fs::write(&p12, text).unwrap();
    let (code, _, err) =
        run_with_password(&["rescan", "--config", p12.to_str().unwrap(), "t1"], home).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("client.p12: wrong certificate password"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let no_cert = f.write(
        "nocert.toml",
        format!(
            "[api]\nbase_url = \"{}\"\nusername = \"analyst\"\nca_cert = \"ca.pem\"\n",
            f.sim.base_url()
        )
        .as_bytes(),
    );
    let (code, out, err) = run_with_password(
        &["rescan", "--config", no_cert.to_str().unwrap(), "t1"],
        home,
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("no client certificate configured"), "{err}");
    assert!(out.contains("certificate required"), "{out}");

    let untrusted = f.write(
        "untrusted.toml",
        format!(
            "[api]\nbase_url = \"{}\"\nusername = \"analyst\"\nclient_cert = \"client.pem\"\n",
            f.sim.base_url()
        )
        .as_bytes(),
    );
    let (code, out, _) = run_with_password(
        &["rescan", "--config", untrusted.to_str().unwrap(), "t1"],
        home,
    )
    .await;
    assert_eq!(code, 1);
    assert!(
        out.contains("not trusted") && out.contains("ca_cert"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn password_command_supplies_the_password() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file(&format!(
        "password_command = \"printf '%s\\\\n' '{PASSWORD}'\"\n"
    ));
    let (code, out, err) = run_cli(
        &["rescan", "--config", config.to_str().unwrap(), "t1"],
        &[],
        None,
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_mode_works_with_no_config() {
    let home = tempfile::tempdir().unwrap();
    let demo_id = &tae_rescan::sim::demo_tasks()[0].id;
    let (code, out, err) = run_cli(&["rescan", "--demo", demo_id], &[], None, home.path()).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("accepted"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_prints_a_snippet_that_connects() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let home = tempfile::tempdir().unwrap();
    let tls = home.path().join("tls");
    let mut sim = tokio::process::Command::new(env!("CARGO_BIN_EXE_tae-rescan"))
        .args(["simulate", "--listen", "127.0.0.1:0", "--tls-dir"])
        .arg(&tls)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(sim.stdout.take().unwrap()).lines();
    let mut snippet = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        let done = line.starts_with("ca_cert");
        snippet.push_str(&line);
        snippet.push('\n');
        if done {
            break;
        }
    }
    for file in [
        "ca.pem",
        "client.pem",
        "client-cert.pem",
        "client-key.pem",
        "client.p12",
        "client.p12.password",
    ] {
        assert!(tls.join(file).is_file(), "{file} created");
    }
    let config = home.path().join("sim.toml");
    std::fs::write(&config, &snippet).unwrap();
    let (code, out, err) = run_cli(
        &["rescan", "--config", config.to_str().unwrap(), "any-task"],
        &[],
        None,
        home.path(),
    )
    .await;
    assert_eq!(code, 0, "{snippet}\n{out}{err}");
    assert!(out.contains("accepted"));

    let pid = sim.id().unwrap().to_string();
    let killed = tokio::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .await
        .unwrap();
    assert!(killed.success());
    let out = sim.wait_with_output().await.unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("served 1 requests: 1 accepted"), "{err}");
}

/// Runs `simulate` with `flags` and a fresh `--tls-dir`, which must be
/// refused with exit 2 and one error line (returned) before any certificate
/// is created.
async fn simulate_refused(flags: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let tls = home.path().join("tls");
    let mut args = vec!["simulate", "--tls-dir", tls.to_str().unwrap()];
    args.extend(flags);
    let (code, out, err) = run_cli(&args, &[], None, home.path()).await;
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!tls.exists(), "no certificates for a run that cannot start");
    err.trim_end().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_refuses_a_no_cert_listener_off_loopback_naming_the_flag() {
    let line =
        simulate_refused(&["--listen", "127.0.0.1:0", "--no-cert-listen", "0.0.0.0:0"]).await;
    assert!(
        line.starts_with("tae-rescan: error: --no-cert-listen: refusing")
            && line.contains("0.0.0.0:0"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn simulate_on_a_busy_port_is_one_line_and_creates_no_certificates() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap().to_string();
    let line = simulate_refused(&["--listen", &addr]).await;
    assert!(
        line.starts_with("tae-rescan: error: --listen: cannot listen on")
            && line.contains(&addr)
            && line.contains("in use"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_config_file_is_found_by_variable_and_platform_dir() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file("");
    let cfg = config.to_str().unwrap();
    let (code, _, err) = run_cli(
        &["rescan", "t1"],
        &[("TAE_RESCAN_CONFIG", cfg), ("TIP_PASSWORD", PASSWORD)],
        None,
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    // run_cli points XDG_CONFIG_HOME at HOME/config.
    let platform = f.dir.path().join("config/tae-rescan");
    std::fs::create_dir_all(&platform).unwrap();
    let text = std::fs::read_to_string(&config)
        .unwrap()
        .replace("\"client.pem\"", &format!("{:?}", f.path("client.pem")))
        .replace("\"ca.pem\"", &format!("{:?}", f.path("ca.pem")));
    std::fs::write(platform.join("config.toml"), text).unwrap();
    let (code, _, err) = run_with_password(&["rescan", "t2"], f.dir.path()).await;
    assert_eq!(code, 0, "{err}");
    assert_eq!(f.sim.record().len(), 2);
}

/// `rescan` of `ids` (from a file) at concurrency 4 against a simulator
/// with some latency, stdout going to `stdout`; stderr is piped.
fn rescan_child(
    f: &Fixture,
    ids: usize,
    stdout: std::process::Stdio,
) -> (std::path::PathBuf, tokio::process::Child) {
    let cfg = f.config_file("[worker]\nconcurrency = 4\n");
    let list: String = (0..ids).map(|n| format!("out-{n:05}\n")).collect();
    let file = f.write("ids.txt", list.as_bytes());
    let child = rescan_json(f.dir.path(), &cfg)
        .arg("--from-file")
        .arg(&file)
        .stdin(std::process::Stdio::null())
        .stdout(stdout)
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("binary runs");
    (cfg, child)
}

fn with_latency() -> Behaviours {
    Behaviours {
        latency: std::time::Duration::from_millis(20),
        ..Behaviours::default()
    }
}

async fn ended(child: tokio::process::Child) -> std::process::Output {
    tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .expect("the run ends within 30 s")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_write_of_results_stops_sending_says_so_and_exits_2() {
    const IDS: usize = 2_000;
    let f = Fixture::start(with_latency()).await;
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full exists");
    let (cfg, child) = rescan_child(&f, IDS, full.into());
    let done = ended(child).await;
    let err = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.starts_with(
            "tae-rescan: cannot write the results to standard output (No space left on device)"
        ),
        "{err}"
    );
    let sent = f.sim.record();
    assert!(sent.len() < IDS / 4, "stopped sending: {} sent", sent.len());
    let records = history_json(&cfg, f.dir.path()).await;
    let accepted: Vec<&str> = records
        .iter()
        .filter(|r| r["outcome"] == "accepted")
        .map(|r| r["task_id"].as_str().unwrap())
        .collect();
    let mut answered: Vec<String> = sent
        .requests()
        .into_iter()
        .filter(|r| r.status == Some(200))
        .map(|r| r.task_id)
        .collect();
    answered.sort();
    let mut accepted_sorted: Vec<String> = accepted.iter().map(|s| s.to_string()).collect();
    accepted_sorted.sort();
    assert_eq!(
        accepted_sorted, answered,
        "each request the server answered is recorded with its answer"
    );
    assert_eq!(
        answered.len(),
        sent.len(),
        "every request sent was answered"
    );
    assert!(!answered.is_empty());
    for r in &records {
        assert!(
            r["outcome"] == "accepted" || (r["outcome"] == "cancelled" && r["attempts"] == 0),
            "nothing beyond what was sent: {r}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_stops_sending_quietly() {
    use tokio::io::AsyncBufReadExt;
    const IDS: usize = 5_000;
    let f = Fixture::start(with_latency()).await;
    let (_cfg, mut child) = rescan_child(&f, IDS, std::process::Stdio::piped());
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("a first line within 20 s")
        .unwrap()
        .expect("a first line");
    assert!(first.contains("\"outcome\":\"accepted\""), "{first}");
    // As `| head -1` does: the read end is closed after one line.
    drop(lines);
    let done = ended(child).await;
    let err = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(0), "{err}");
    assert_eq!(err, "", "nothing on stderr");
    let sent = f.sim.record().len();
    assert!(sent < IDS / 10, "stopped sending: {sent} of {IDS} sent");
}

/// Runs the binary with stdout on a pipe whose read end is closed after
/// the first line (as `| head -1` does); returns (exit code, stderr).
async fn into_head(f: &Fixture, args: &[&str]) -> (Option<i32>, String) {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::from(binary(f.dir.path()))
        .args(args)
        .env("TIP_PASSWORD", PASSWORD)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("binary runs");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("a first line within 20 s")
        .unwrap()
        .expect("a first line");
    drop(lines);
    let done = ended(child).await;
    (
        done.status.code(),
        String::from_utf8_lossy(&done.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_and_history_into_a_closed_pipe_end_quietly() {
    let f = Fixture::start(Behaviours::default()).await;
    let cfg = f.config_file("");
    let cfg = cfg.to_str().unwrap();
    // More than a pipe holds, so the writes meet the closed end.
    let list: String = (0..1_000).map(|n| format!("head-{n:04}\n")).collect();
    let file = f.write("many.txt", list.as_bytes());
    let file = file.to_str().unwrap();
    let (code, err) = into_head(
        &f,
        &["rescan", "--config", cfg, "--dry-run", "--from-file", file],
    )
    .await;
    assert_eq!((code, err.as_str()), (Some(0), ""), "dry run");
    let (code, _, err) = run_with_password(
        &[
            "rescan",
            "--config",
            cfg,
            "--output",
            "json",
            "--from-file",
            file,
        ],
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    for output in ["text", "json", "csv"] {
        let (code, err) = into_head(&f, &["history", "--config", cfg, "--output", output]).await;
        assert_eq!(
            (code, err.as_str()),
            (Some(0), ""),
            "history --output {output}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn history_and_tasks_list_of_5000_rows_into_a_closed_pipe_end_quietly() {
    use tae_rescan::store::Store;
    const ROWS: usize = 5_000;
    let f = Fixture::start(Behaviours::default()).await;
    let data = f.dir.path().join("many");
    {
        let mut store = Store::open(&data).unwrap();
        let ids: Vec<_> = (0..ROWS)
            .map(|n| tae_rescan::api::TaskId::parse(&format!("pipe-{n:05}")).unwrap())
            .collect();
        let mut adding = store.new_tasks().unwrap();
        for id in &ids {
            adding.add(id, "a label", None).unwrap();
        }
        adding.commit().unwrap();
        for id in ids {
            common::record_accepted(&mut store, id, "file_ext=zip");
        }
    }
    let data = data.to_str().unwrap();
    for output in ["text", "json"] {
        let args = ["tasks", "--data-dir", data, "list", "--output", output];
        let (code, err) = into_head(&f, &args).await;
        assert_eq!((code, err.as_str()), (Some(0), ""), "tasks list {output}");
    }
    for output in ["text", "json", "csv"] {
        let args = ["history", "--data-dir", data, "--output", output];
        let (code, err) = into_head(&f, &args).await;
        assert_eq!((code, err.as_str()), (Some(0), ""), "history {output}");
    }
}

/// Every time the command line writes has one shape, the log's included:
/// RFC 3339 UTC with three fraction digits.
#[tokio::test(flavor = "multi_thread")]
async fn history_and_log_times_are_utc_with_milliseconds() {
    let f = Fixture::start(Behaviours::default()).await;
    let config = f.config_file("");
    let cfg = config.to_str().unwrap();
    let (code, _, err) = run_cli(
        &["rescan", "--config", cfg, "t-1"],
        &[("TIP_PASSWORD", PASSWORD), ("TAE_RESCAN_LOG", "info")],
        None,
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let shaped = |t: &str| {
        t.len() == 24
            && t.ends_with('Z')
            && t.as_bytes()[19] == b'.'
            && t.parse::<jiff::Timestamp>().is_ok()
    };
    let records = history_json(&config, f.dir.path()).await;
    let time = records[0]["time"].as_str().unwrap();
    assert!(shaped(time), "{time}");
    let log = std::fs::read_to_string(f.dir.path().join("state/tae-rescan/tae-rescan.log"))
        .expect("the log was written");
    assert!(!log.is_empty());
    for line in log.lines() {
        assert!(shaped(line.get(..24).unwrap_or(line)), "{line}");
    }
}
