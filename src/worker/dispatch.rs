//! Dispatch: the supervisor that owns every job until its final word, the
//! queue that hands out request slots in submission order (the concurrency
//! cap), and the sending of one request under the caps.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;
use tokio::time::Instant;

use super::cancel::{Gate, cancel_batch, stop_cancelled};
use super::retries::run_job;
use super::slots::{Slot, Slots};
use super::timing::{Round, RoundClock, Took};
use super::{Command, Job, JobId, Shared, WorkerEvent};
use crate::api::{Answer, TaskId};
use crate::store::Intent;

/// How long the first request of a burst keeps the other slots waiting for
/// its connection: enough for a TLS handshake and an answer from a distant
/// server, short enough that a hanging first task delays the rest by a
/// second, not by its timeout.
const FIRST_REQUEST_ALONE: Duration = Duration::from_secs(1);

/// What job tasks tell the supervisor.
pub(super) enum Report {
    /// An event for the front end.
    Event(WorkerEvent),
    /// The history record the job's request is logged under (`None` once
    /// it is finished), which a cancel completes as `cancelled`.
    Recording(JobId, Option<Intent>),
    /// A cancelled job's request brought no answer within
    /// [`super::CANCEL_GRACE`]; the job has stopped and the supervisor
    /// reports it cancelled.
    GaveUp(JobId),
}

/// What the supervisor remembers of a job until it finishes.
pub(super) struct Live {
    pub(super) abort: AbortHandle,
    pub(super) gate: Gate,
    pub(super) task: TaskId,
    /// The current round's start and first request, for a cancel's record.
    pub(super) clock: RoundClock,
    pub(super) attempts: u32,
    pub(super) record: Option<Intent>,
    /// Cancelled once while its request was on the wire: given the grace.
    pub(super) hurried: bool,
}

/// A job's first slot, handed out in submission order.
pub(super) type FirstSlot = oneshot::Receiver<Slot>;

/// Why a job stopped before an answer.
pub(super) enum Stop {
    /// Cancelled: the supervisor has reported it.
    Cancelled,
    /// The history could not be written, so nothing was sent.
    NoRecord(String),
}

/// The single owner of job state: job tasks report to it, and only it talks
/// to the front end, so a cancelled job can never also report an outcome.
pub(super) async fn supervise(
    shared: Arc<Shared>,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<WorkerEvent>,
) {
    let (report_tx, mut reports) = mpsc::unbounded_channel::<Report>();
    let (turns, queue) = mpsc::unbounded_channel();
    tokio::spawn(hand_out_slots(shared.slots.clone(), queue));
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
                    live.insert(id, Live { abort, gate, task, clock: RoundClock::begin(), attempts: 0, record: None, hurried: false });
                }
                Some(Command::Cancel(ids)) => cancel_batch(&shared, &mut live, &ids, &mut reports, &events),
                Some(Command::Control(control)) => shared.slots.control(control),
                None => break,
            },
        }
    }
    for (_, job) in live.drain() {
        job.abort.abort();
    }
}

/// Takes in what a job task reported.
pub(super) fn on_report(
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
                .close_cancelled(job, record, 0, Took::default(), None),
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
        WorkerEvent::Sending { attempt, .. } => {
            entry.attempts = *attempt;
            entry.clock.sent();
        }
        // The round is recorded; a cancel before the re-send's first
        // request sent nothing more.
        WorkerEvent::Resending { delay, .. } => {
            entry.attempts = 0;
            let again = Instant::now().checked_add(*delay);
            entry.clock = RoundClock::begin_at(again.unwrap_or_else(Instant::now));
        }
        WorkerEvent::Finished { .. } => {
            live.remove(&id);
        }
        _ => {}
    }
    let _ = events.send(event);
}

/// Sends one request of a job under the caps: waits for a slot (the first
/// one in submission order, see [`hand_out_slots`]) and the pacer, begins
/// the record before the first attempt (so a job that was only queued
/// leaves no trace and `time` is when it was sent), puts the request on the
/// wire unless the job is cancelled, and gives the slot back with the
/// answer.
pub(super) async fn send_one(
    shared: &Shared,
    job: &Job,
    gate: &Gate,
    first_slot: &mut Option<FirstSlot>,
    report: &mpsc::UnboundedSender<Report>,
    attempt: u32,
    round: &mut Round,
) -> Result<Answer, Stop> {
    // The first slot comes in submission order; retries and
    // re-sends take the next free one.
    let slot = match first_slot.take() {
        Some(given) => given.await.ok(),
        None => Some(shared.slots.take(false).await),
    };
    let Some(mut slot) = slot else {
        return Err(Stop::NoRecord("the worker stopped".into()));
    };
    // The slots lent to a first request (see `hand_out_slots`);
    // none for every other request, which then needs no timer.
    let lent = slot.split_rest();
    shared.pacer.wait_turn().await;
    // Paused after the slot was taken: nothing new leaves until resumed.
    shared.slots.unpaused().await;
    // The record is begun under the gate's lock with the request's start:
    // a job cancelled before its request left has none, so the history
    // (and the task's last outcome there) is untouched.
    let mut unrecorded = None;
    let announce = || {
        if attempt == 1 {
            match shared.recorder.begin(job, report) {
                Ok(begun) => round.record = begun,
                Err(e) => {
                    unrecorded = Some(e);
                    return false;
                }
            }
        }
        round.clock.sent();
        let _ = report.send(Report::Event(WorkerEvent::Sending {
            job: job.id,
            attempt,
        }));
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
    // Off the wire before the slot is free: a front end counting requests
    // on the wire never counts more than the concurrency.
    let _ = report.send(Report::Event(WorkerEvent::RequestEnded { job: job.id }));
    drop(slot);
    Ok(answer)
}

/// Sends a first request that was lent every slot, and gives the lent
/// slots back after [`FIRST_REQUEST_ALONE`] if it has no answer by then: a
/// slow or hanging first task must not hold up the rest for its whole
/// timeout (they then open connections of their own).
async fn return_lent_slots_early(
    request: impl std::future::Future<Output = Answer>,
    lent: Slot,
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
    slots: Arc<Slots>,
    mut queue: mpsc::UnboundedReceiver<(Gate, oneshot::Sender<Slot>)>,
) {
    while let Some((gate, give)) = queue.recv().await {
        if gate.is_cancelled() || give.is_closed() {
            continue;
        }
        let slot = slots.take(true).await;
        let _ = give.send(slot);
    }
}
