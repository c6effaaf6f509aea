//! Faults under load: 5,000 rescans through the real worker, client and
//! history store against the simulator over mutual TLS, with 10 % 503 +
//! Retry-After, 5 % dropped connections and 5 % answers slower than the
//! client's timeout; then cancelling under load.
//!
//! Both tests take one lock: the memory figures are process-wide.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::Fixture;
use tae_rescan::api::{Client, Outcome, RescanParams, TaskId};
use tae_rescan::sim::{Behaviour, Behaviours, Shares};
use tae_rescan::store::{HistoryQuery, Store, StoreHandle, spawn_store_thread};
use tae_rescan::worker::{self, Job, JobId, WorkerConfig, WorkerEvent};
use tokio::sync::mpsc::UnboundedReceiver;

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const TOTAL: u64 = 5_000;
const WARM_UP: u64 = 1_000;
/// Whole-test budget; a debug build on 2 shared cores does it in ~10 s.
const BUDGET: Duration = Duration::from_secs(90);
/// Allowed RSS growth from after the warm-up to the end. What legitimately
/// grows: the simulator's record of every request (~5,000 more entries of a
/// few hundred bytes, ~2–3 MB), the store's SQLite page cache (bounded,
/// ~2 MB by default) and allocator slack. A per-job leak of even 8 KB (a
/// kept 4 KiB body plus a request) would add > 30 MB over 4,000 jobs.
const RSS_GROWTH_LIMIT_KB: i64 = 30 * 1024;

/// Resident set size of this process in KiB, from /proc/self/status.
fn rss_kb() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS line")
}

fn task(n: u64) -> TaskId {
    TaskId::parse(&format!("soak-{n:05}")).unwrap()
}

fn open_store() -> (tempfile::TempDir, StoreHandle) {
    let dir = tempfile::tempdir().unwrap();
    let store = spawn_store_thread(Store::open(dir.path()).expect("store opens"));
    (dir, store)
}

/// What the events said about the jobs.
#[derive(Default)]
struct Tally {
    finished: HashMap<JobId, (Outcome, Option<u16>, u32)>,
    sendings: u64,
    retries: u64,
    other_after_finish: Vec<String>,
}

impl Tally {
    fn on(&mut self, event: WorkerEvent) {
        let job = event.job();
        if self.finished.contains_key(&job) {
            self.other_after_finish.push(format!("{event:?}"));
            return;
        }
        match event {
            WorkerEvent::Sending { .. } => self.sendings += 1,
            WorkerEvent::Retrying { .. } => self.retries += 1,
            WorkerEvent::RecordFailed { error, .. } => panic!("history write failed: {error}"),
            WorkerEvent::Finished {
                outcome,
                status,
                attempts,
                ..
            } => {
                self.finished.insert(job, (outcome, status, attempts));
            }
            _ => {}
        }
    }

    /// Reads events until `want` jobs have finished.
    async fn until_finished(
        &mut self,
        events: &mut UnboundedReceiver<WorkerEvent>,
        want: usize,
        deadline: Instant,
    ) {
        while self.finished.len() < want {
            let left = deadline.saturating_duration_since(Instant::now());
            let event = tokio::time::timeout(left, events.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("timed out: {} of {want} jobs finished", self.finished.len())
                })
                .expect("the worker stopped early");
            self.on(event);
        }
    }
}

/// Waits for the simulator to have finished handling every request it
/// began (an abandoned request is recorded when the client's reset
/// reaches it). No event announces this, so poll with a deadline.
async fn sim_settled(record: &tae_rescan::sim::Record) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while record.in_flight() > 0 {
        assert!(
            Instant::now() < deadline,
            "the simulator still handles {} requests",
            record.in_flight()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn five_thousand_rescans_with_faults_each_finish_once_and_are_recorded_once() {
    let _serial = SERIAL.lock().await;
    let started = Instant::now();
    let deadline = started + BUDGET;
    let f = Fixture::start(Behaviours {
        shares: Shares {
            unavailable: 0.10,
            drop: 0.05,
            slow: 0.05,
            ..Shares::default()
        },
        // Retry-After: 0 means "retry now": the worker waits zero, which is
        // what the server asked for, and keeps the run short.
        retry_after_secs: 0,
        // well past the client timeout, so every slow answer is abandoned
        // (700 ms margin for the client's reset to reach the server)
        slow_delay: Duration::from_secs(1),
        ..Behaviours::default()
    })
    .await;
    let mut settings = f.settings();
    settings.timeout = Duration::from_millis(300);
    let client = Arc::new(Client::new(&settings).unwrap());
    let (_dir, store) = open_store();
    let config = WorkerConfig {
        concurrency: 32,
        max_retries: 3,
        backoff_base: Duration::from_millis(5),
        backoff_max: Duration::from_millis(50),
        ..WorkerConfig::default()
    };
    let (handle, mut events) = worker::spawn(client, config, Some(store.clone()));
    let mut tally = Tally::default();
    let submit = |range: std::ops::Range<u64>| {
        for n in range {
            assert!(handle.submit(Job {
                id: JobId(n),
                task: task(n),
                params: RescanParams::default(),
            }));
        }
    };

    submit(0..WARM_UP);
    tally
        .until_finished(&mut events, WARM_UP as usize, deadline)
        .await;
    let rss_warm = rss_kb();
    let warm_elapsed = started.elapsed();
    submit(WARM_UP..TOTAL);
    tally
        .until_finished(&mut events, TOTAL as usize, deadline)
        .await;
    let rss_end = rss_kb();
    let elapsed = started.elapsed();

    // No stray events: close the worker and read to the end of the stream.
    drop(handle);
    while let Some(event) = events.recv().await {
        tally.on(event);
    }
    assert!(
        tally.other_after_finish.is_empty(),
        "events after a job's Finished: {:?}",
        &tally.other_after_finish[..tally.other_after_finish.len().min(5)]
    );
    assert_eq!(tally.finished.len(), TOTAL as usize);
    assert!((0..TOTAL).all(|n| tally.finished.contains_key(&JobId(n))));

    let record = f.sim.record();
    sim_settled(&record).await;
    let requests = record.requests();
    let attempts: u64 = tally.finished.values().map(|(_, _, a)| u64::from(*a)).sum();
    assert_eq!(
        attempts, tally.sendings,
        "every Sending event is one counted attempt"
    );
    assert_eq!(
        requests.len() as u64,
        attempts,
        "every attempt reached the simulator exactly once"
    );

    // The history: one finished record per job, none left in flight.
    let records = store
        .history(HistoryQuery {
            oldest_first: true,
            ..HistoryQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(records.len(), TOTAL as usize, "one record per job");
    let mut per_task: HashMap<&str, usize> = HashMap::new();
    let mut labels: HashMap<&str, usize> = HashMap::new();
    for r in &records {
        *per_task.entry(r.task_id.as_str()).or_default() += 1;
        *labels.entry(r.outcome.label()).or_default() += 1;
        assert!(r.finished, "unfinished record: {r:?}");
        assert!(
            r.outcome.label() != "in flight" && r.outcome.label() != "interrupted",
            "{r:?}"
        );
    }
    assert_eq!(per_task.len(), TOTAL as usize);
    assert!(per_task.values().all(|n| *n == 1));
    // The store agrees with the events, job by job.
    let by_task: HashMap<String, &(Outcome, Option<u16>, u32)> = tally
        .finished
        .iter()
        .map(|(job, v)| (task(job.0).to_string(), v))
        .collect();
    for r in &records {
        let (outcome, status, attempts) = by_task[&r.task_id];
        assert_eq!(r.outcome, outcome.kind(), "{r:?}");
        assert_eq!(r.status, *status, "{r:?}");
        assert_eq!(r.attempts, *attempts, "{r:?}");
    }

    // Accepted records against the simulator's 200s. A slow answer the
    // client abandoned at 300 ms is still being slept on by the simulator;
    // the client's reset (RST_STREAM on HTTP/2, a closed socket on 1.1)
    // makes hyper drop the handler, and the simulator's in-flight guard
    // records such a request with status None, never 200. A dropped
    // connection is recorded with None too. So every recorded 200 reached
    // the client, and each accepted job ends on exactly one 200.
    let sim_200 = record.count_status(200);
    let sim_none = requests.iter().filter(|r| r.status.is_none()).count();
    let sim_503 = record.count_status(503);
    let accepted = labels.get("accepted").copied().unwrap_or(0);
    println!(
        "soak: {TOTAL} jobs, {attempts} requests (200: {sim_200}, 503: {sim_503}, no answer: {sim_none}), {} retries; outcomes {labels:?}",
        tally.retries
    );
    assert_eq!(
        accepted, sim_200,
        "accepted records = simulator 200s (abandoned slow answers are recorded without a status)"
    );
    assert_eq!(
        sim_200 + sim_503 + sim_none,
        requests.len(),
        "the shares produce only 200, 503 and no answer"
    );
    // Faults were really exercised, and retries fixed most of them.
    assert!(sim_503 > 250 && sim_none > 250, "faults happened");
    assert!(accepted as u64 > TOTAL * 99 / 100, "{accepted} accepted");

    let growth = rss_end - rss_warm;
    println!(
        "soak: RSS after {WARM_UP} jobs: {rss_warm} kB (at {:.1} s); after {TOTAL}: {rss_end} kB; growth {growth} kB; elapsed {:.1} s",
        warm_elapsed.as_secs_f64(),
        elapsed.as_secs_f64()
    );
    assert!(
        growth < RSS_GROWTH_LIMIT_KB,
        "RSS grew {growth} kB over {} jobs",
        TOTAL - WARM_UP
    );
    assert!(started.elapsed() < BUDGET, "took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread")]
async fn after_cancelling_everything_no_request_reaches_the_simulator() {
    let _serial = SERIAL.lock().await;
    let records = cancel_storm().await;
    // (records left "in flight" by the race below are checked, ignored, in
    // `cancelled_jobs_leave_no_record_in_flight`)
    let in_flight = records
        .iter()
        .filter(|r| r.outcome.label() == "in flight")
        .count();
    println!("cancel: {in_flight} records left in flight");
    assert!(
        records
            .iter()
            .filter(|r| r.outcome.label() != "in flight")
            .all(|r| r.finished && (r.outcome.label() == "cancelled" || r.task_id == "sentinel")),
        "{records:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn cancelled_jobs_leave_no_record_in_flight() {
    let _serial = SERIAL.lock().await;
    // The race needs a job to win a slot freed by an aborted one and be
    // cancelled while the store is inserting its record: a few storms
    // usually show it (1 in 2 runs of one storm on the 2-core machine).
    for round in 0..10 {
        let records = cancel_storm().await;
        let stuck: Vec<_> = records
            .iter()
            .filter(|r| r.outcome.label() == "in flight")
            .collect();
        assert!(stuck.is_empty(), "round {round}: {stuck:?}");
    }
}

/// Submits 400 jobs whose requests hang, cancels them all once every slot
/// is on the wire, checks that nothing reaches the simulator afterwards,
/// and returns the history (without the warm-up record).
async fn cancel_storm() -> Vec<tae_rescan::store::HistoryRecord> {
    let started = Instant::now();
    let deadline = started + BUDGET;
    const JOBS: u64 = 400;
    const CONCURRENCY: usize = 16;
    // Every task hangs far longer than the test; only the sentinel answers.
    let f = Fixture::start(Behaviours {
        per_task: [
            ("sentinel".to_owned(), Behaviour::Accept),
            ("warm-up".to_owned(), Behaviour::Accept),
        ]
        .into(),
        shares: Shares {
            slow: 1.0,
            ..Shares::default()
        },
        slow_delay: Duration::from_secs(120),
        ..Behaviours::default()
    })
    .await;
    let client = Arc::new(Client::new(&f.settings()).unwrap());
    let (_dir, store) = open_store();
    let (handle, mut events) = worker::spawn(
        client,
        WorkerConfig {
            concurrency: CONCURRENCY,
            ..WorkerConfig::default()
        },
        Some(store.clone()),
    );
    // One answered request first, so the connection is up and the hung
    // requests below really reach the simulator before they are cancelled.
    handle.submit(Job {
        id: JobId(JOBS + 1),
        task: TaskId::parse("warm-up").unwrap(),
        params: RescanParams::default(),
    });
    let mut warm = Tally::default();
    warm.until_finished(&mut events, 1, deadline).await;
    assert!(warm.finished[&JobId(JOBS + 1)].0.is_accepted());
    let record = f.sim.record();
    record.clear();
    for n in 0..JOBS {
        handle.submit(Job {
            id: JobId(n),
            task: task(n),
            params: RescanParams::default(),
        });
    }
    // Wait until every slot's request is being handled by the simulator
    // (no event says so: poll it), then cancel everything.
    let mut tally = Tally::default();
    let wait = Instant::now() + Duration::from_secs(20);
    while record.in_flight() < CONCURRENCY {
        assert!(
            Instant::now() < wait,
            "only {} requests in flight",
            record.in_flight()
        );
        while let Ok(event) = events.try_recv() {
            tally.on(event);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // One batch, as the dashboard and the CLI send it: no job of it can
    // start once it is processed.
    handle.cancel_many((0..JOBS).map(JobId).collect());
    tally
        .until_finished(&mut events, JOBS as usize, deadline)
        .await;
    assert!(
        tally
            .finished
            .values()
            .all(|(o, _, _)| *o == Outcome::Cancelled),
        "every job ends cancelled"
    );
    // Everything the simulator had begun by now, finished or not.
    let begun_at_cancel = record.in_flight() + record.len();
    sim_settled(&record).await;
    let after_cancel = record.len();
    println!(
        "cancel: {} Sending events before the last cancel was processed; simulator had begun {begun_at_cancel}, recorded {after_cancel}",
        tally.sendings
    );
    assert!(
        after_cancel <= begun_at_cancel,
        "requests began after every job was cancelled: {after_cancel} > {begun_at_cancel}"
    );
    assert!(after_cancel as u64 <= tally.sendings);
    assert!(
        after_cancel >= CONCURRENCY,
        "the hung requests were on the wire"
    );
    assert!(
        record.requests().iter().all(|r| r.status.is_none()),
        "no cancelled request was answered"
    );

    // The worker is idle: a new job goes out and comes back alone, and no
    // cancelled job sends anything meanwhile.
    handle.submit(Job {
        id: JobId(JOBS),
        task: TaskId::parse("sentinel").unwrap(),
        params: RescanParams::default(),
    });
    tally
        .until_finished(&mut events, JOBS as usize + 1, deadline)
        .await;
    assert!(tally.finished[&JobId(JOBS)].0.is_accepted());
    let requests = record.requests();
    assert_eq!(
        requests.len(),
        after_cancel + 1,
        "only the sentinel was sent"
    );
    assert_eq!(requests.last().unwrap().task_id, "sentinel");
    drop(handle);
    while let Some(event) = events.recv().await {
        tally.on(event);
    }
    assert!(
        tally.other_after_finish.is_empty(),
        "{:?}",
        tally.other_after_finish
    );

    // The history: the jobs that were sent are recorded cancelled, the
    // queued ones left no trace, nothing is left in flight.
    let records: Vec<_> = store
        .history(HistoryQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.task_id != "warm-up")
        .collect();
    // Cancelled jobs that held a slot are recorded `cancelled` — also one
    // cancelled between writing its record and sending — never answered.
    let cancelled = records
        .iter()
        .filter(|r| r.outcome.label() == "cancelled")
        .count();
    assert!(cancelled >= CONCURRENCY, "{cancelled} cancelled records");
    assert!(
        records
            .iter()
            .filter(|r| r.outcome.label() == "cancelled")
            .all(|r| r.status.is_none() && r.attempts <= 1)
    );
    assert_eq!(
        records
            .iter()
            .filter(|r| r.outcome.label() == "accepted")
            .count(),
        1,
        "only the sentinel was accepted"
    );
    println!(
        "cancel: {cancelled} cancelled records; elapsed {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(started.elapsed() < BUDGET);
    records
}
