//! Cancelling never hides an answer that has arrived: a request whose 200
//! status reached us before the cancel (worker `Cancel`, Ctrl-C, SIGTERM)
//! is recorded and printed with that answer, not `cancelled`.

mod common;

use std::time::{Duration, Instant};

use common::{Fixture, history_json, rescan_json, scripted};
use tae_rescan::api::{Outcome, RescanParams, TaskId};
use tae_rescan::sim::{Behaviour, Record};
use tae_rescan::worker::{self, Job, JobId, WorkerConfig, WorkerEvent};

/// The simulator sends the 200 status and headers at once, the body this
/// much later: well inside the worker's grace, well after the cancel.
const BODY_AFTER: Duration = Duration::from_millis(800);

async fn late_body() -> Fixture {
    Fixture::start(scripted(&[(
        "late-body",
        Behaviour::SlowBody { delay: BODY_AFTER },
    )]))
    .await
}

/// Polls the simulator (no event says it has answered), with a deadline.
async fn until_status_sent(record: &Record) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while record.count_status(200) == 0 {
        assert!(Instant::now() < deadline, "the simulator never answered");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn finished(events: &mut tokio::sync::mpsc::UnboundedReceiver<WorkerEvent>) -> Outcome {
    let deadline = Duration::from_secs(20);
    loop {
        let event = tokio::time::timeout(deadline, events.recv())
            .await
            .expect("a Finished event within 20 s")
            .expect("the worker is running");
        if let WorkerEvent::Finished { outcome, .. } = event {
            return outcome;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_after_the_status_arrived_keeps_the_answer() {
    cancel_after_the_status(late_body().await).await;
}

/// A body that comes later than the cancel's grace: the status had
/// arrived, so the answer still stands.
#[tokio::test(flavor = "multi_thread")]
async fn a_body_slower_than_the_grace_still_keeps_the_answer() {
    let delay = worker::CANCEL_GRACE + Duration::from_secs(1);
    let f = Fixture::start(scripted(&[("late-body", Behaviour::SlowBody { delay })])).await;
    cancel_after_the_status(f).await;
}

/// Submits `late-body`, cancels once the simulator has sent its 200
/// status, and checks that the outcome and the record are `accepted`.
async fn cancel_after_the_status(f: Fixture) {
    let (_dir, store, handle, mut events) = f.stored_worker(WorkerConfig::default());
    handle.submit(Job {
        id: JobId(1),
        task: TaskId::parse("late-body").unwrap(),
        params: RescanParams::default(),
    });
    until_status_sent(&f.sim.record()).await;
    handle.cancel(JobId(1));
    let outcome = finished(&mut events).await;
    assert!(outcome.is_accepted(), "{outcome:?}");
    let records = store.history(Default::default()).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome.label(), "accepted");
    assert_eq!(records[0].status, Some(200));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_cancel_stops_a_request_on_the_wire_at_once() {
    let f = Fixture::with_slow("hangs", Duration::from_secs(60)).await;
    let (handle, mut events) = f.worker(WorkerConfig::default());
    handle.submit(Job {
        id: JobId(1),
        task: TaskId::parse("hangs").unwrap(),
        params: RescanParams::default(),
    });
    let record = f.sim.record();
    let deadline = Instant::now() + Duration::from_secs(20);
    while record.in_flight() == 0 {
        assert!(Instant::now() < deadline, "the request never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let started = Instant::now();
    handle.cancel(JobId(1));
    handle.cancel(JobId(1));
    assert_eq!(finished(&mut events).await, Outcome::Cancelled);
    assert!(
        started.elapsed() < worker::CANCEL_GRACE,
        "stopped at once, not after the grace: {:?}",
        started.elapsed()
    );
}

/// `rescan` of the late-body task, interrupted by `signal` once the
/// simulator has sent the status: the printed line and the history both
/// say `accepted`, and the run exits 0.
async fn signal_after_the_status(signal: &str) {
    let f = late_body().await;
    let cfg = f.config_file("");
    let child = rescan_json(f.dir.path(), &cfg)
        .arg("late-body")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    until_status_sent(&f.sim.record()).await;
    let pid = child.id().unwrap().to_string();
    let sent = std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let done = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("the run ends within 20 s")
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr),
    );
    assert_eq!(done.status.code(), Some(0), "{signal}: {err}");
    assert!(err.contains("interrupted"), "{signal}: {err}");
    let line: serde_json::Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| {
        panic!("{signal}: one JSON line expected ({e}): {out:?}; stderr {err}")
    });
    assert_eq!(line["outcome"], "accepted", "{signal}: {out}");
    let records = history_json(&cfg, f.dir.path()).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["outcome"], "accepted", "{signal}: {records:?}");
    assert_eq!(records[0]["status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_after_the_status_arrived_records_the_answer() {
    signal_after_the_status("-INT").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_is_handled_like_ctrl_c_and_keeps_the_answer() {
    signal_after_the_status("-TERM").await;
}
