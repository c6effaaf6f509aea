//! The background worker: a tokio task that owns every in-flight rescan.
//!
//! Front ends (CLI, dashboard) send [`Command`]s and read [`WorkerEvent`]s;
//! the worker enforces the concurrency and rate caps, retries only what is
//! transient, honours `Retry-After`, and cancels on request. It has no UI
//! code and never blocks its caller: both channels are unbounded.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use crate::api::{Answer, Client, Outcome, RescanParams, TaskId};
use crate::store::{Intent, StoreHandle};

mod gate;
mod recorder;
use gate::{Gate, Phase};
use recorder::Recorder;

/// How long the first request of a burst keeps the other slots waiting for
/// its connection: enough for a TLS handshake and an answer from a distant
/// server, short enough that a hanging first task delays the rest by a
/// second, not by its timeout.
const FIRST_REQUEST_ALONE: Duration = Duration::from_secs(1);

/// How long a cancelled request already on the wire may still bring its
/// answer: the server has the request and will act on it, so its answer
/// (when it comes at once) is the truth to record, not `cancelled`. A
/// second cancel of the same job stops it at once.
pub const CANCEL_GRACE: Duration = Duration::from_secs(2);

/// Limits and retry policy, from `[worker]` in the config.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Most requests in flight at once.
    pub concurrency: usize,
    /// Retries after the first attempt, for transient failures only.
    pub max_retries: u32,
    /// Optional cap on requests started per minute (retries included).
    pub requests_per_minute: Option<u32>,
    /// First backoff step; doubles each retry, with jitter.
    pub backoff_base: Duration,
    /// Longest backoff step.
    pub backoff_max: Duration,
    /// When set, a task that ends `failed or hung` is sent once more after
    /// this delay (TAE's advice: "run the query again later").
    pub retry_failed_or_hung_after: Option<Duration>,
    /// Longest `Retry-After` honoured (`[worker] max_retry_wait_secs`); a
    /// server asking for more ends the job as `error` instead of holding
    /// it (and the user) for hours.
    pub max_retry_wait: Duration,
}

impl WorkerConfig {
    /// The number of request slots: `concurrency`, at least one.
    fn slots(&self) -> usize {
        self.concurrency.max(1)
    }
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            max_retries: 3,
            requests_per_minute: None,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            retry_failed_or_hung_after: None,
            max_retry_wait: Duration::from_secs(120),
        }
    }
}

/// Identifies one job (one rescan of one task) for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// One rescan to perform.
#[derive(Debug, Clone)]
pub struct Job {
    /// Chosen by the front end; events carry it back.
    pub id: JobId,
    /// The task to rescan.
    pub task: TaskId,
    /// Already validated parameters.
    pub params: RescanParams,
}

/// What front ends ask of the worker.
#[derive(Debug)]
pub enum Command {
    /// Queue a job.
    Submit(Job),
    /// Stop queued, waiting or in-flight jobs; they finish as `cancelled`.
    /// A batch is atomic: once it is processed, none of its jobs can start
    /// a request (a job freed by cancelling another cannot slip through).
    /// A job whose answer has arrived finishes with that answer (no retry,
    /// no resend); one whose request is on the wire gets [`CANCEL_GRACE`]
    /// to bring its answer, or none if it is cancelled a second time.
    Cancel(Vec<JobId>),
}

/// The life of a job, streamed back as it happens. Every submitted job ends
/// with exactly one `Finished`.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerEvent {
    /// Accepted into the queue.
    Queued {
        /// The job.
        job: JobId,
    },
    /// A request is about to go out.
    Sending {
        /// The job.
        job: JobId,
        /// 1 for the first try.
        attempt: u32,
    },
    /// The request on the wire is over (answered, or given up on after a
    /// cancel) and its slot is free for another job: reported before the
    /// slot is released, so a front end that counts `Sending` until this
    /// never counts more requests on the wire than the concurrency. The
    /// job's next word (`Retrying`, `Resending`, `Finished`) follows.
    RequestEnded {
        /// The job.
        job: JobId,
    },
    /// A transient failure; the next attempt starts after `delay`.
    Retrying {
        /// The job.
        job: JobId,
        /// The attempt that failed.
        attempt: u32,
        /// How long until the next attempt.
        delay: Duration,
        /// Why (status or network cause).
        reason: String,
    },
    /// The job ended `failed or hung` (recorded as such) and will be sent
    /// once more after `delay`.
    Resending {
        /// The job.
        job: JobId,
        /// How long until it is sent again.
        delay: Duration,
    },
    /// The history could not be written; the outcome stands, but the record
    /// of it is missing or incomplete.
    RecordFailed {
        /// The job.
        job: JobId,
        /// The store's one-line error.
        error: String,
    },
    /// The final word on the job.
    Finished {
        /// The job.
        job: JobId,
        /// Its task.
        task: TaskId,
        /// The verdict of the last attempt.
        outcome: Outcome,
        /// HTTP status of the last attempt, if any answer arrived.
        status: Option<u16>,
        /// Requests sent for this job.
        attempts: u32,
        /// From queueing to the final answer.
        elapsed: Duration,
    },
}

impl WorkerEvent {
    /// The job the event is about.
    pub fn job(&self) -> JobId {
        match self {
            WorkerEvent::Queued { job }
            | WorkerEvent::Sending { job, .. }
            | WorkerEvent::RequestEnded { job }
            | WorkerEvent::Retrying { job, .. }
            | WorkerEvent::Resending { job, .. }
            | WorkerEvent::RecordFailed { job, .. }
            | WorkerEvent::Finished { job, .. } => *job,
        }
    }
}

/// The front ends' end of the worker. Dropping it cancels whatever is left.
#[derive(Debug, Clone)]
pub struct WorkerHandle {
    commands: mpsc::UnboundedSender<Command>,
}

impl WorkerHandle {
    /// Queues a job. Returns false only if the worker has stopped.
    pub fn submit(&self, job: Job) -> bool {
        self.commands.send(Command::Submit(job)).is_ok()
    }

    /// Cancels a job if it has not finished yet.
    pub fn cancel(&self, job: JobId) {
        self.cancel_many(vec![job]);
    }

    /// Cancels jobs as one batch (see [`Command::Cancel`]).
    pub fn cancel_many(&self, jobs: Vec<JobId>) {
        let _ = self.commands.send(Command::Cancel(jobs));
    }
}

/// Starts the worker on the current tokio runtime. With a `recorder`, every
/// job is written to the history before its first request and completed
/// before its `Finished` event is sent.
pub fn spawn(
    client: Arc<Client>,
    config: WorkerConfig,
    recorder: Option<StoreHandle>,
) -> (WorkerHandle, mpsc::UnboundedReceiver<WorkerEvent>) {
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    let shared = Arc::new(Shared {
        client,
        slots: Arc::new(Semaphore::new(config.slots())),
        pacer: Pacer::new(config.requests_per_minute),
        config,
        recorder: Recorder(recorder),
    });
    tokio::spawn(supervise(shared, cmd_rx, event_tx));
    (WorkerHandle { commands: cmd_tx }, event_rx)
}

struct Shared {
    client: Arc<Client>,
    slots: Arc<Semaphore>,
    pacer: Pacer,
    config: WorkerConfig,
    recorder: Recorder,
}

/// What job tasks tell the supervisor.
enum Report {
    /// An event for the front end.
    Event(WorkerEvent),
    /// The history record the job's request is logged under (`None` once
    /// it is finished), which a cancel completes as `cancelled`.
    Recording(JobId, Option<Intent>),
    /// A cancelled job's request brought no answer within [`CANCEL_GRACE`];
    /// the job has stopped and the supervisor reports it cancelled.
    GaveUp(JobId),
}

/// What the supervisor remembers of a job until it finishes.
struct Live {
    abort: AbortHandle,
    gate: Gate,
    task: TaskId,
    queued_at: Instant,
    attempts: u32,
    record: Option<Intent>,
    /// Cancelled once while its request was on the wire: given the grace.
    hurried: bool,
}

/// The single owner of job state: job tasks report to it, and only it talks
/// to the front end, so a cancelled job can never also report an outcome.
async fn supervise(
    shared: Arc<Shared>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<WorkerEvent>,
) {
    let (report_tx, mut reports) = mpsc::unbounded_channel::<Report>();
    let (turns, queue) = mpsc::unbounded_channel();
    tokio::spawn(hand_out_slots(
        shared.slots.clone(),
        shared.config.slots(),
        queue,
    ));
    let mut live: HashMap<JobId, Live> = HashMap::new();
    loop {
        tokio::select! {
            biased;
            report = reports.recv() => {
                if let Some(report) = report {
                    on_report(&shared, &mut live, report, &events);
                }
            }
            command = commands.recv() => match command {
                Some(Command::Submit(job)) => {
                    let id = job.id;
                    let task = job.task.clone();
                    let _ = events.send(WorkerEvent::Queued { job: id });
                    let gate = Gate::default();
                    let (give, first_slot) = oneshot::channel();
                    let _ = turns.send((gate.clone(), give));
                    let handle = tokio::spawn(run_job(shared.clone(), job, gate.clone(), first_slot, report_tx.clone()));
                    let abort = handle.abort_handle();
                    live.insert(id, Live { abort, gate, task, queued_at: Instant::now(), attempts: 0, record: None, hurried: false });
                }
                Some(Command::Cancel(ids)) => cancel(&shared, &mut live, &ids, &mut reports, &events),
                None => break,
            },
        }
    }
    for (_, job) in live.drain() {
        job.abort.abort();
    }
}

/// Closes the gates of every job in the batch first, then hears out what
/// they reported before the gates closed, then stops each still-live job:
/// one that has its answer (or its answer's status line) finishes with it,
/// one on the wire is given [`CANCEL_GRACE`] (once), the others are reported cancelled (their record
/// completed first).
fn cancel(
    shared: &Shared,
    live: &mut HashMap<JobId, Live>,
    ids: &[JobId],
    reports: &mut mpsc::UnboundedReceiver<Report>,
    events: &mpsc::UnboundedSender<WorkerEvent>,
) {
    let phases: Vec<(JobId, Phase)> = ids
        .iter()
        .filter_map(|id| live.get(id).map(|entry| (*id, entry.gate.cancel())))
        .collect();
    while let Ok(report) = reports.try_recv() {
        on_report(shared, live, report, events);
    }
    for (id, phase) in phases {
        let Some(entry) = live.get_mut(&id) else {
            continue;
        };
        match phase {
            Phase::Answered => continue,
            // Reading: its status arrived, so the grace never runs out; a
            // second cancel still stops it.
            Phase::OnWire | Phase::Reading if !entry.hurried => {
                entry.hurried = true;
                entry.gate.hurry.notify_one();
                continue;
            }
            Phase::OnWire | Phase::Reading | Phase::Waiting => {}
        }
        if let Some(job) = live.remove(&id) {
            stop_cancelled(shared, id, job, events);
        }
    }
}

/// Aborts a job and reports it cancelled once its record is completed.
fn stop_cancelled(
    shared: &Shared,
    id: JobId,
    job: Live,
    events: &mpsc::UnboundedSender<WorkerEvent>,
) {
    // Hurried: its request was on the wire, and its slot is freed as the
    // job stops.
    if job.hurried {
        let _ = events.send(WorkerEvent::RequestEnded { job: id });
    }
    job.abort.abort();
    let elapsed = job.queued_at.elapsed();
    let finished = WorkerEvent::Finished {
        job: id,
        task: job.task,
        outcome: Outcome::Cancelled,
        status: None,
        attempts: job.attempts,
        elapsed,
    };
    shared.recorder.close_cancelled(
        id,
        job.record,
        job.attempts,
        elapsed,
        Some((finished, events.clone())),
    );
}

fn on_report(
    shared: &Shared,
    live: &mut HashMap<JobId, Live>,
    report: Report,
    events: &mpsc::UnboundedSender<WorkerEvent>,
) {
    match report {
        Report::Event(event) => forward(live, event, events),
        Report::Recording(job, record) => match live.get_mut(&job) {
            Some(entry) => entry.record = record,
            // Cancelled just as it began a record: close that record.
            None => shared
                .recorder
                .close_cancelled(job, record, 0, Duration::ZERO, None),
        },
        Report::GaveUp(job) => {
            if let Some(entry) = live.remove(&job) {
                stop_cancelled(shared, job, entry, events);
            }
        }
    }
}

fn forward(
    live: &mut HashMap<JobId, Live>,
    event: WorkerEvent,
    events: &mpsc::UnboundedSender<WorkerEvent>,
) {
    let id = event.job();
    let Some(entry) = live.get_mut(&id) else {
        return; // cancelled meanwhile: its final word was already sent
    };
    match &event {
        WorkerEvent::Sending { attempt, .. } => entry.attempts = *attempt,
        WorkerEvent::Finished { .. } => {
            live.remove(&id);
        }
        _ => {}
    }
    let _ = events.send(event);
}

/// One job from queue to verdict: wait for a slot and the pacer, record
/// the job, send, retry what is transient (releasing the slot while
/// waiting), optionally send once more after `failed or hung`, complete the
/// record, and only then report the verdict.
async fn run_job(
    shared: Arc<Shared>,
    job: Job,
    gate: Gate,
    first_slot: oneshot::Receiver<OwnedSemaphorePermit>,
    report: mpsc::UnboundedSender<Report>,
) {
    let mut first_slot = Some(first_slot);
    let started = Instant::now();
    let event = |e: WorkerEvent| {
        let _ = report.send(Report::Event(e));
    };
    let mut resent = false;
    loop {
        let sent = match send_with_retries(&shared, &job, &gate, &mut first_slot, &report).await {
            Ok(sent) => sent,
            // The supervisor already reported the cancel and aborts us.
            Err(Stop::Cancelled) => return,
            Err(Stop::NoRecord(e)) => {
                let outcome = Outcome::Error {
                    detail: format!("not sent: the history cannot be written: {e}"),
                };
                event(WorkerEvent::Finished {
                    job: job.id,
                    task: job.task,
                    outcome,
                    status: None,
                    attempts: 0,
                    elapsed: started.elapsed(),
                });
                return;
            }
        };
        let Sent {
            answer,
            attempts,
            record,
        } = sent;
        if let Err(e) = shared
            .recorder
            .finish(
                record,
                &answer.outcome,
                answer.status,
                attempts,
                started.elapsed(),
            )
            .await
        {
            event(WorkerEvent::RecordFailed {
                job: job.id,
                error: e,
            });
        }
        let resend_after = shared.config.retry_failed_or_hung_after.filter(|_| !resent);
        if let (Outcome::FailedOrHung, Some(delay)) = (&answer.outcome, resend_after) {
            // The record is complete: a cancel from here on must not touch
            // it; one that came while it was written stops the resend.
            let _ = report.send(Report::Recording(job.id, None));
            // Reported under the gate's lock: a cancel that finds the job
            // waiting to be sent again has heard so, and leaves the task's
            // outcome as recorded.
            if gate.wait_again(|| event(WorkerEvent::Resending { job: job.id, delay })) {
                resent = true;
                tokio::time::sleep(delay).await;
                continue;
            }
        }
        tracing::info!(task = %job.task, outcome = answer.outcome.label(), status = answer.status, attempts, "finished");
        event(WorkerEvent::Finished {
            job: job.id,
            task: job.task,
            outcome: answer.outcome,
            status: answer.status,
            attempts,
            elapsed: started.elapsed(),
        });
        return;
    }
}

/// Why a job stopped before an answer.
enum Stop {
    /// Cancelled: the supervisor has reported it.
    Cancelled,
    /// The history could not be written, so nothing was sent.
    NoRecord(String),
}

/// A job's final answer for one record.
struct Sent {
    answer: Answer,
    attempts: u32,
    record: Option<Intent>,
}

/// Sends until an answer is final or the retry budget is spent. The record
/// is begun once a slot is held, right before the first request, so a job
/// that was only queued leaves no trace and `time` is when it was sent.
async fn send_with_retries(
    shared: &Shared,
    job: &Job,
    gate: &Gate,
    first_slot: &mut Option<oneshot::Receiver<OwnedSemaphorePermit>>,
    report: &mpsc::UnboundedSender<Report>,
) -> Result<Sent, Stop> {
    let event = |e: WorkerEvent| {
        let _ = report.send(Report::Event(e));
    };
    let mut record = None;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let answer = {
            // The first slot comes in submission order; retries and
            // re-sends take the next free one.
            let slot = match first_slot.take() {
                Some(given) => given.await.ok(),
                None => shared.slots.clone().acquire_owned().await.ok(),
            };
            let Some(mut slot) = slot else {
                return Err(Stop::NoRecord("the worker stopped".into()));
            };
            // The slots lent to a first request (see `hand_out_slots`);
            // none for every other request, which then needs no timer.
            let lent = match slot.num_permits() {
                0 | 1 => None,
                n => slot.split(n - 1),
            };
            shared.pacer.wait_turn().await;
            // The record is begun under the gate's lock with the request's
            // start: a job cancelled before its request left has none, so
            // the history (and the task's last outcome there) is untouched.
            let mut unrecorded = None;
            let announce = || {
                if attempt == 1 {
                    match shared.recorder.begin(job, report) {
                        Ok(begun) => record = begun,
                        Err(e) => {
                            unrecorded = Some(e);
                            return false;
                        }
                    }
                }
                event(WorkerEvent::Sending {
                    job: job.id,
                    attempt,
                });
                true
            };
            if !gate.start_request(announce) {
                return Err(unrecorded.map_or(Stop::Cancelled, Stop::NoRecord));
            }
            let request = async {
                let request = shared
                    .client
                    .rescan_noting_status(&job.task, &job.params, || gate.status_arrived());
                match lent {
                    None => request.await,
                    Some(lent) => return_lent_slots_early(request, lent).await,
                }
            };
            let answer = tokio::select! {
                biased;
                answer = request => answer,
                () = gate.grace_over() => {
                    // The supervisor reports the request ended.
                    let _ = report.send(Report::GaveUp(job.id));
                    return Err(Stop::Cancelled);
                }
            };
            event(WorkerEvent::RequestEnded { job: job.id });
            drop(slot);
            answer
        };
        let retry = answer.transient && attempt <= shared.config.max_retries;
        if !gate.answered(retry) {
            return Ok(Sent {
                answer,
                attempts: attempt,
                record,
            });
        }
        if let Some(refused) = refuse_long_wait(&shared.config, &answer) {
            return Ok(Sent {
                answer: refused,
                attempts: attempt,
                record,
            });
        }
        let delay = retry_delay(&shared.config, &answer, attempt);
        let reason = answer.outcome.description();
        event(WorkerEvent::Retrying {
            job: job.id,
            attempt,
            delay,
            reason,
        });
        tokio::time::sleep(delay).await;
    }
}

/// Sends a first request that was lent every slot, and gives the lent
/// slots back after [`FIRST_REQUEST_ALONE`] if it has no answer by then: a
/// slow or hanging first task must not hold up the rest for its whole
/// timeout (they then open connections of their own).
async fn return_lent_slots_early(
    request: impl std::future::Future<Output = Answer>,
    lent: OwnedSemaphorePermit,
) -> Answer {
    tokio::pin!(request);
    tokio::select! {
        answer = &mut request => answer,
        _ = tokio::time::sleep(FIRST_REQUEST_ALONE) => {
            drop(lent);
            request.await
        }
    }
}

/// Gives slots to jobs in the order they were submitted, so a bulk run is
/// sent in list order (tasks spawned together are first polled in no
/// particular order, so each taking its own slot would not be). A job
/// cancelled before its turn is skipped; one cancelled while waiting drops
/// the slot it is handed, which frees it at once.
///
/// When nothing is in flight, the next job is lent every slot for its first
/// request (for at most [`FIRST_REQUEST_ALONE`]), as `curl --parallel`
/// waits for its first connection: that
/// request opens the connection (TLS handshake with the client
/// certificate) and the jobs after it share it over HTTP/2, instead of each
/// of the first `concurrency` jobs racing to open its own (16 handshakes on
/// both sides, and 16 connection tasks to wake, for a bulk run).
async fn hand_out_slots(
    slots: Arc<Semaphore>,
    concurrency: usize,
    mut queue: mpsc::UnboundedReceiver<(Gate, oneshot::Sender<OwnedSemaphorePermit>)>,
) {
    while let Some((gate, give)) = queue.recv().await {
        if gate.is_cancelled() || give.is_closed() {
            continue;
        }
        let idle = slots.available_permits() == concurrency;
        let wanted = if idle { concurrency } else { 1 };
        // The config caps `concurrency` at 256.
        let wanted = u32::try_from(wanted).unwrap_or(u32::MAX);
        let Ok(slot) = slots.clone().acquire_many_owned(wanted).await else {
            return;
        };
        let _ = give.send(slot);
    }
}

/// The final answer when the server asks for a longer wait than
/// `max_retry_wait`: `error`, naming the wait and the key, kept with the
/// answer's status. `None` when the wait is acceptable (or not asked for).
fn refuse_long_wait(config: &WorkerConfig, answer: &Answer) -> Option<Answer> {
    let wait = answer.retry_after.filter(|w| *w > config.max_retry_wait)?;
    let detail = format!(
        "the server asked to retry after {} s, more than max_retry_wait_secs",
        wait.as_secs()
    );
    Some(Answer {
        outcome: Outcome::Error { detail },
        transient: false,
        retry_after: None,
        ..answer.clone()
    })
}

/// The server's `Retry-After` when given (never more than
/// `max_retry_wait`, see [`refuse_long_wait`]), else exponential backoff
/// from `backoff_base` with full jitter on the upper half.
pub fn retry_delay(config: &WorkerConfig, answer: &Answer, attempt: u32) -> Duration {
    if let Some(wait) = answer.retry_after {
        return wait.min(config.max_retry_wait);
    }
    let exp = config
        .backoff_base
        .saturating_mul(1u32 << (attempt - 1).min(16));
    let ceiling = exp.min(config.backoff_max);
    let half = ceiling / 2;
    half + half.mul_f64(fastrand::f64())
}

/// Spaces request starts evenly to honour `requests_per_minute`.
struct Pacer {
    interval: Option<Duration>,
    next: Mutex<Instant>,
}

impl Pacer {
    fn new(per_minute: Option<u32>) -> Self {
        let interval = per_minute
            .filter(|n| *n > 0)
            .map(|n| Duration::from_secs(60) / n);
        Self {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    async fn wait_turn(&self) {
        let Some(interval) = self.interval else {
            return;
        };
        let slot = {
            let mut next = self.next.lock().await;
            let slot = (*next).max(Instant::now());
            *next = slot + interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(retry_after: Option<Duration>) -> Answer {
        Answer {
            outcome: Outcome::Error { detail: "x".into() },
            status: Some(503),
            transient: true,
            retry_after,
        }
    }

    #[test]
    fn retry_after_wins_up_to_max_retry_wait_and_longer_ends_the_job() {
        let c = WorkerConfig {
            max_retry_wait: Duration::from_secs(10),
            ..Default::default()
        };
        for secs in [0, 3, 10] {
            let a = answer(Some(Duration::from_secs(secs)));
            assert_eq!(refuse_long_wait(&c, &a), None);
            assert_eq!(retry_delay(&c, &a, 1), Duration::from_secs(secs));
        }
        assert_eq!(refuse_long_wait(&c, &answer(None)), None);
        for secs in [11, 999_999_999, u64::MAX] {
            let refused =
                refuse_long_wait(&c, &answer(Some(Duration::from_secs(secs)))).expect("refused");
            assert_eq!(
                refused.outcome.description(),
                format!("the server asked to retry after {secs} s, more than max_retry_wait_secs")
            );
            assert_eq!(refused.outcome.label(), "error");
            assert!(!refused.transient);
            assert_eq!(refused.status, Some(503));
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_within_bounds() {
        let c = WorkerConfig {
            backoff_base: Duration::from_millis(100),
            backoff_max: Duration::from_secs(1),
            ..Default::default()
        };
        for attempt in 1..=6 {
            let ceiling =
                (Duration::from_millis(100) * (1 << (attempt - 1))).min(Duration::from_secs(1));
            let d = retry_delay(&c, &answer(None), attempt);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_starts() {
        let pacer = Pacer::new(Some(60));
        let t0 = Instant::now();
        for _ in 0..3 {
            pacer.wait_turn().await;
        }
        assert_eq!(t0.elapsed(), Duration::from_secs(2));
    }
}
