//! The task list's jobs: sending rows, following the worker's events, and
//! what a cancel leaves behind. A row's job lives in the row itself; the
//! list keeps only which task each job is for, to find it by job id.

use jiff::Timestamp;

use super::super::rows::{AttemptRecord, RowJob, RowState};
use super::TaskList;
use crate::api::{Outcome, TaskId};
use crate::worker::{Job, JobId, WorkerEvent};

impl TaskList {
    /// Queues a job for each of these listed tasks that has none yet, with
    /// its saved parameters; returns the jobs for the worker. They join the
    /// run going on, or begin one.
    pub fn submit(&mut self, ids: &[TaskId]) -> Vec<Job> {
        let mut jobs = Vec::with_capacity(ids.len());
        for id in ids {
            let Some(at) = self.position(id) else {
                continue;
            };
            if self.rows[at].job().is_some() {
                continue;
            }
            let job = JobId(self.next_job);
            self.next_job += 1;
            let params = self.rows[at].params().clone();
            *self.rows[at].job_mut() = Some(Box::new(RowJob {
                id: job,
                params: params.masked_query(),
                state: RowState::Queued,
            }));
            self.tally.moved(RowState::Idle, RowState::Queued);
            self.jobs.insert(job, id.clone());
            jobs.push(Job {
                id: job,
                task: id.clone(),
                params,
            });
        }
        self.run.add(jobs.len());
        jobs
    }

    /// The jobs in flight for these tasks.
    pub fn jobs_of(&self, ids: &[TaskId]) -> Vec<JobId> {
        ids.iter()
            .filter_map(|id| self.row(id).and_then(|r| r.job()))
            .collect()
    }

    /// Every job in flight.
    pub fn all_jobs(&self) -> Vec<JobId> {
        self.jobs.keys().copied().collect()
    }

    /// Moves a row along queued → sending → answered → outcome as the
    /// worker reports, `now` being when the event arrived. Returns the
    /// position of a row whose last outcome changed.
    ///
    /// A job cancelled before its request left (queued, or waiting to be
    /// sent once more) leaves the task's last outcome as it was: nothing
    /// was sent, and the history holds no record of it either. One
    /// cancelled on the wire, or while waiting to retry (its first request
    /// is recorded), ends `cancelled`.
    pub fn apply(&mut self, event: WorkerEvent, now: Timestamp) -> Option<usize> {
        let job = event.job();
        let at = self.jobs.get(&job).and_then(|task| self.position(task))?;
        let old = self.rows[at].state();
        if self.rows[at].job() != Some(job) {
            return None;
        }
        self.run.seen(now);
        let later = |delay| now.checked_add(delay).unwrap_or(now);
        let new = match event {
            WorkerEvent::Queued { .. } => RowState::Queued,
            WorkerEvent::Sending { attempt, .. } => RowState::Sending { attempt },
            WorkerEvent::RequestEnded { .. } => RowState::Answered,
            WorkerEvent::Retrying { attempt, delay, .. } => RowState::Retrying {
                attempt,
                at: later(delay),
            },
            WorkerEvent::Resending {
                outcome,
                status,
                attempts,
                elapsed,
                delay,
                ..
            } => {
                self.move_job(at, old, RowState::Resending { at: later(delay) });
                let params = self.job_params(at);
                // The round's real verdict, as the history records it.
                let record =
                    AttemptRecord::from_outcome(&outcome, status, attempts, elapsed, now, params);
                self.set_last(at, record);
                return Some(at);
            }
            WorkerEvent::RecordFailed { .. } => return None,
            WorkerEvent::Finished {
                outcome,
                status,
                attempts,
                elapsed,
                ..
            } => {
                let params = self.job_params(at);
                self.move_job(at, old, RowState::Idle);
                self.jobs.remove(&job);
                self.run.finished(outcome.is_accepted(), now);
                let never_left = matches!(old, RowState::Queued | RowState::Resending { .. });
                if matches!(outcome, Outcome::Cancelled) && never_left {
                    return None;
                }
                let record =
                    AttemptRecord::from_outcome(&outcome, status, attempts, elapsed, now, params);
                self.set_last(at, record);
                return Some(at);
            }
        };
        self.move_job(at, old, new);
        None
    }

    /// The masked parameters the row's job was sent with.
    fn job_params(&self, at: usize) -> String {
        let job = self.rows[at].running();
        job.map(|j| j.params.clone()).unwrap_or_default()
    }

    /// Changes where a row's job stands (`Idle`: it is over), keeping the
    /// counts right.
    fn move_job(&mut self, at: usize, old: RowState, new: RowState) {
        let job = self.rows[at].job_mut();
        match (new, job.as_mut()) {
            (RowState::Idle, _) => *job = None,
            (_, Some(job)) => job.state = new,
            (_, None) => return,
        }
        self.tally.moved(old, new);
    }
}
