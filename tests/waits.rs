//! A long wait before a retry is never silent: `rescan` says on stderr
//! which task waits, for which answer and until when, and its progress
//! line counts the job as waiting.

mod common;
#[path = "common/pty.rs"]
mod pty;

use common::{Fixture, PASSWORD, run_cli, scripted};
use tae_rescan::sim::Behaviour;

/// One 503 asking for 6 s (just over the 5 s from which a wait is
/// announced), then 200.
fn busy_once() -> Behaviour {
    Behaviour::Unavailable {
        times: 1,
        retry_after_secs: 6,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_retry_wait_is_one_stderr_line_with_the_answer_and_the_time() {
    let f = Fixture::start(scripted(&[("busy-1", busy_once())])).await;
    let cfg = f.config_file("");
    let started = jiff::Timestamp::now();
    let (code, out, err) = run_cli(
        &["rescan", "--config", cfg.to_str().unwrap(), "busy-1"],
        &[("TIP_PASSWORD", PASSWORD)],
        None,
        f.dir.path(),
    )
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("busy-1 ") && out.contains("accepted"),
        "{out}"
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "one line for the wait: {err}");
    let line = lines[0];
    assert!(
        line.starts_with("tae-rescan: busy-1: HTTP 503 Service Unavailable"),
        "{line}"
    );
    let (_, rest) = line
        .split_once("; retrying in 6 s at ")
        .unwrap_or_else(|| panic!("the delay and the time: {line}"));
    let at: jiff::Timestamp = rest
        .parse()
        .unwrap_or_else(|e| panic!("an RFC 3339 time ({e}): {line}"));
    let ahead = at.duration_since(started).as_secs_f64();
    assert!(
        (4.0..=9.0).contains(&ahead),
        "retries {ahead} s after start: {line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_progress_line_counts_jobs_waiting_to_retry() {
    let f = Fixture::start(scripted(&[
        ("busy-1", busy_once()),
        ("busy-2", busy_once()),
    ]))
    .await;
    let cfg = f.config_file("");
    let home = f.dir.path().to_owned();
    let args = [
        "rescan",
        "--config",
        cfg.to_str().unwrap(),
        "busy-1",
        "busy-2",
    ];
    tokio::task::block_in_place(|| {
        let tui = pty::Tui::spawn(&args, &[("TIP_PASSWORD", PASSWORD)], &home, (160, 24));
        let screen = tui.wait_text("2 waiting to retry");
        assert!(screen.contains("[0/2]"), "{screen}");
        assert!(screen.contains("busy-1: HTTP 503"), "{screen}");
        assert!(screen.contains("busy-2: HTTP 503"), "{screen}");
        let status = tui.wait_exit();
        assert!(status.success(), "{status:?}: {}", tui.contents());
    });
    // The simulator stays up until the run is over.
    drop(f);
}
