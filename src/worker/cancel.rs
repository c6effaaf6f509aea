//! Cancellation: the lock a job and the supervisor share (whether the job
//! is cancelled and where it stands, so a cancel and the job's own steps
//! never cross), and the supervisor's side of a cancel batch.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::dispatch::{Live, Report, on_report};
use super::{JobId, Shared, WorkerEvent};
use crate::api::Outcome;

/// How long a cancelled request already on the wire may still bring its
/// answer: the server has the request and will act on it, so its answer
/// (when it comes at once) is the truth to record, not `cancelled`. A
/// second cancel of the same job stops it at once.
pub const CANCEL_GRACE: Duration = Duration::from_secs(2);

/// Shared by a job and the supervisor: whether the job is cancelled and
/// where it stands, changed only under one lock. So a request either
/// started before the cancel — and its `Sending` report is already queued —
/// or never starts; and an answer either arrived before the cancel — and
/// stands — or the job is stopped.
pub(super) type Gate = Arc<GateCell>;

/// See [`Gate`].
#[derive(Default)]
pub(super) struct GateCell {
    state: std::sync::Mutex<GateState>,
    /// Wakes a job whose request is on the wire when it is cancelled.
    pub(super) hurry: tokio::sync::Notify,
}

#[derive(Default, Clone, Copy)]
struct GateState {
    cancelled: bool,
    phase: Phase,
}

/// Where a job stands, as far as cancelling it is concerned.
#[derive(Default, Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Phase {
    /// Queued, waiting for a slot, a retry or a resend: stopped at once.
    #[default]
    Waiting,
    /// A request is on the wire: its answer may still come.
    OnWire,
    /// The status line of its answer arrived; the body is being read. The
    /// verdict is the server's: a cancel's grace never cuts it short.
    Reading,
    /// Its final answer arrived: it is being recorded and stands.
    Answered,
}

impl GateCell {
    fn lock(&self) -> std::sync::MutexGuard<'_, GateState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    /// Marks the job cancelled; returns where it stood.
    pub(super) fn cancel(&self) -> Phase {
        let mut state = self.lock();
        state.cancelled = true;
        state.phase
    }

    /// Puts a request on the wire unless the job is cancelled or
    /// `announce` (which records it and reports it) returns false.
    /// `announce` runs under the lock, so its report precedes any cancel's,
    /// and a job cancelled before its request leaves has no record of it.
    pub(super) fn start_request(&self, announce: impl FnOnce() -> bool) -> bool {
        let mut state = self.lock();
        if state.cancelled || !announce() {
            return false;
        }
        state.phase = Phase::OnWire;
        true
    }

    /// The status line of the answer to the request on the wire arrived.
    pub(super) fn status_arrived(&self) {
        let mut state = self.lock();
        if state.phase == Phase::OnWire {
            state.phase = Phase::Reading;
        }
    }

    /// An answer arrived. With `retry` wanted and the job not cancelled, it
    /// goes back to waiting (returns true); otherwise the answer is final.
    pub(super) fn answered(&self, retry: bool) -> bool {
        let mut state = self.lock();
        if retry && !state.cancelled {
            state.phase = Phase::Waiting;
            true
        } else {
            state.phase = Phase::Answered;
            false
        }
    }

    /// A final answer after which the job is sent once more: unless it is
    /// cancelled, it goes back to waiting (returns true) and `announce` (its
    /// report) runs under the lock, so a cancel that finds it waiting has
    /// that report already.
    pub(super) fn wait_again(&self, announce: impl FnOnce()) -> bool {
        let mut state = self.lock();
        if state.cancelled {
            state.phase = Phase::Answered;
            return false;
        }
        state.phase = Phase::Waiting;
        announce();
        true
    }

    /// Resolves [`CANCEL_GRACE`] after the supervisor hurries the job,
    /// unless the answer's status has arrived by then: that answer stands
    /// (its body is bounded by the request timeout and the read limit).
    pub(super) async fn grace_over(&self) {
        self.hurry.notified().await;
        tokio::time::sleep(CANCEL_GRACE).await;
        if self.lock().phase == Phase::Reading {
            std::future::pending::<()>().await;
        }
    }
}

/// Closes the gates of every job in the batch first, then hears out what
/// they reported before the gates closed, then stops each still-live job:
/// one that has its answer (or its answer's status line) finishes with it,
/// one on the wire is given [`CANCEL_GRACE`] (once), the others are reported cancelled (their record
/// completed first).
pub(super) fn cancel_batch(
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
pub(super) fn stop_cancelled(
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
    let took = job.clock.took();
    let finished = WorkerEvent::Finished {
        job: id,
        task: job.task,
        outcome: Outcome::Cancelled,
        status: None,
        attempts: job.attempts,
        queued: took.queued,
        elapsed: took.elapsed,
    };
    shared.recorder.close_cancelled(
        id,
        job.record,
        job.attempts,
        took,
        Some((finished, events.clone())),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_sees_where_the_job_stands_and_the_job_sees_the_cancel() {
        let gate = Gate::default();
        assert_eq!(gate.cancel(), Phase::Waiting);
        assert!(!gate.start_request(|| panic!("no request after a cancel")));

        let gate = Gate::default();
        assert!(!gate.start_request(|| false), "not recorded: not sent");
        assert_eq!(gate.cancel(), Phase::Waiting);

        let gate = Gate::default();
        let mut announced = false;
        assert!(gate.start_request(|| {
            announced = true;
            true
        }));
        assert!(announced);
        assert_eq!(gate.cancel(), Phase::OnWire);
        assert!(!gate.answered(true), "no retry once cancelled");
        assert_eq!(gate.cancel(), Phase::Answered, "the answer stands");

        let gate = Gate::default();
        assert!(gate.start_request(|| true));
        gate.status_arrived();
        assert_eq!(gate.cancel(), Phase::Reading, "its status arrived");
        assert!(!gate.answered(true), "no retry once cancelled");

        let gate = Gate::default();
        assert!(gate.start_request(|| true));
        assert!(gate.answered(true), "retries while not cancelled");
        assert_eq!(gate.cancel(), Phase::Waiting);

        let gate = Gate::default();
        let mut announced = false;
        assert!(gate.wait_again(|| announced = true));
        assert!(announced, "a re-send is announced before a cancel sees it");
        assert_eq!(gate.cancel(), Phase::Waiting);
        assert!(!gate.wait_again(|| panic!("no re-send after a cancel")));
        assert_eq!(gate.cancel(), Phase::Answered, "the answer stands");
    }
}
