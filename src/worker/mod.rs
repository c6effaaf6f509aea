//! The background worker: a tokio task that owns every in-flight rescan.
//!
//! Front ends (CLI, dashboard) send [`Command`]s and read [`WorkerEvent`]s;
//! the worker enforces the concurrency and rate caps, retries only what is
//! transient, honours `Retry-After`, and cancels on request. It has no UI
//! code and never blocks its caller: both channels are unbounded.
//!
//! Split by responsibility: `dispatch` (the supervisor and the queue),
//! `slots` (the concurrency cap and the pause), `retries` (`Retry-After`, backoff, the re-send after
//! `failed or hung`), `pacing` (the rate cap), `cancel` (cancelling
//! without crossing a job's own steps) and `recorder` (the history).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::api::{Client, Outcome, RescanParams, TaskId};
use crate::store::StoreHandle;

mod cancel;
mod dispatch;
mod pacing;
mod recorder;
mod retries;
mod slots;
mod timing;
pub use cancel::CANCEL_GRACE;
use pacing::Pacer;
use recorder::Recorder;
pub use slots::Control;

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
    /// Pause, resume or change the concurrency (see [`Control`]).
    Control(Control),
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
    /// The job ended `failed or hung` (recorded as such, with the verdict,
    /// status, attempts and time below) and will be sent once more after
    /// `delay`. The re-send is a new record: its own attempts and time.
    Resending {
        /// The job.
        job: JobId,
        /// The verdict of the answer that ended the round.
        outcome: Outcome,
        /// Its HTTP status.
        status: Option<u16>,
        /// Requests sent in the round (retries included).
        attempts: u32,
        /// From queueing to the round's first request.
        queued: Duration,
        /// From the round's first request to that answer.
        elapsed: Duration,
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
        /// Requests sent for this job (since the re-send, for a re-sent
        /// job; 0 when cancelled before any).
        attempts: u32,
        /// From queueing (for a re-send: from the end of its wait) to the
        /// first request; all of the wait when none was sent.
        queued: Duration,
        /// From the first request to the final answer (zero when none
        /// was sent).
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

    /// Pauses, resumes or changes the concurrency for the next requests.
    pub fn control(&self, control: Control) {
        let _ = self.commands.send(Command::Control(control));
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
        slots: slots::Slots::new(config.slots()),
        pacer: Pacer::new(config.requests_per_minute),
        config,
        recorder: Recorder(recorder),
    });
    tokio::spawn(dispatch::supervise(shared, cmd_rx, event_tx));
    (WorkerHandle { commands: cmd_tx }, event_rx)
}

/// What every job of one worker shares: the client, the caps, the policy
/// and the history.
struct Shared {
    client: Arc<Client>,
    slots: Arc<slots::Slots>,
    pacer: Pacer,
    config: WorkerConfig,
    recorder: Recorder,
}
