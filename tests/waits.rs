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

/// `rescan IDS` against the fixture's simulator on a terminal of 160x24
/// (so its progress line is drawn), the password from the environment.
fn rescan_on_a_terminal(f: &Fixture, ids: &[&str]) -> pty::Tui {
    let cfg = f.config_file("");
    let mut args = vec!["rescan", "--config", cfg.to_str().unwrap()];
    args.extend_from_slice(ids);
    pty::Tui::spawn(
        &args,
        &[("TIP_PASSWORD", PASSWORD)],
        f.dir.path(),
        (160, 24),
    )
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
    tokio::task::block_in_place(|| {
        let tui = rescan_on_a_terminal(&f, &["busy-1", "busy-2"]);
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

/// Once a task is done, the progress line adds the rate and the time left
/// (the dashboard's words): `· 2.1/s · ETA 1s`.
#[tokio::test(flavor = "multi_thread")]
async fn the_progress_line_shows_the_rate_and_the_time_left() {
    let f = Fixture::start(scripted(&[("busy-1", busy_once())])).await;
    tokio::task::block_in_place(|| {
        let tui = rescan_on_a_terminal(&f, &["quick-1", "busy-1"]);
        let waiting = |l: &&str| l.contains(" · 1 waiting to retry · ");
        let screen = tui.wait_for("the rate and the time left, busy-1 waiting", |s| {
            s.lines().filter_map(pace).any(|l| waiting(&l))
        });
        let line = screen.lines().filter_map(pace).find(waiting).unwrap();
        assert!(
            line.starts_with(
                "[1/2] 1 accepted · 0 not accepted · 0 sending · 1 waiting to retry · "
            ),
            "{line}"
        );
        let status = tui.wait_exit();
        assert!(status.success(), "{status:?}: {}", tui.contents());
    });
    drop(f);
}

/// The progress line, if `line` is one with a rate (`N.N/s`, or `0.NN/s`)
/// and an ETA (`Ns`, or `NmNNs`) at its end.
fn pace(line: &str) -> Option<&str> {
    let line = line.trim_end();
    let (head, eta) = line.rsplit_once(" · ETA ")?;
    let (_, rate) = head.rsplit_once(" · ")?;
    let rate = rate.strip_suffix("/s")?;
    let (whole, tenths) = rate.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let eta_ok = eta
        .strip_suffix('s')
        .is_some_and(|e| e.split('m').all(digits));
    let decimals = (1..=2).contains(&tenths.len()) && digits(tenths);
    (digits(whole) && decimals && eta_ok).then_some(line)
}
