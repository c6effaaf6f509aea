//! One task in the list: its identity, pending parameters, what it is doing
//! now and how its last rescan ended.

use std::time::Duration;

use jiff::Timestamp;

use crate::api::outcome::OutcomeKind;
use crate::api::{Outcome, RescanParams, TaskId};
use crate::import::ImportedTask;
use crate::store::HistoryRecord;
use crate::worker::JobId;

/// What a row is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// Nothing in flight.
    Idle,
    /// Waiting for a worker slot.
    Queued,
    /// A request is on the wire.
    Sending {
        /// 1 for the first try.
        attempt: u32,
    },
    /// Its request is off the wire (its slot is free for another job);
    /// the verdict is being recorded.
    Answered,
    /// Waiting to retry after a transient failure.
    Retrying {
        /// The attempt that failed.
        attempt: u32,
        /// When the next attempt starts.
        at: Timestamp,
    },
    /// Ended `failed or hung`; will be sent once more at `at`
    /// (`[worker] retry_failed_or_hung_after_secs`).
    Resending {
        /// When it is sent again.
        at: Timestamp,
    },
}

impl RowState {
    /// True while a job for the row has not finished.
    pub fn in_flight(self) -> bool {
        self != RowState::Idle
    }
}

/// One finished (or interrupted) rescan, as shown: built from a live
/// outcome or read back from the history, with the same words either way.
///
/// Every row of a 100,000-task dashboard holds its last one, so it is kept
/// small: the outcome is its one-byte kind, and the text only the details
/// pane shows lives behind one optional box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When it was sent.
    pub time: Timestamp,
    /// HTTP status of the final answer, if any.
    pub status: Option<u16>,
    /// Requests sent.
    pub attempts: u32,
    /// Time to the final answer, when known.
    pub elapsed: Option<Duration>,
    /// How it ended (`accepted`, ..., `interrupted`).
    pub outcome: OutcomeKind,
    /// Error id, description, new id, body and query; `None` when all are
    /// empty (the list's summaries read at start).
    detail: Option<Box<Detail>>,
}

/// The texts of a record that only the details pane shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Detail {
    error: Option<String>,
    description: String,
    new_task_id: Option<String>,
    body: Option<String>,
    params: String,
}

impl Detail {
    /// `None` when there is nothing to keep.
    fn boxed(self) -> Option<Box<Detail>> {
        (self != Detail::default()).then(|| Box::new(self))
    }
}

impl AttemptRecord {
    /// From a verdict the worker just reported.
    pub fn from_outcome(
        outcome: &Outcome,
        status: Option<u16>,
        attempts: u32,
        elapsed: Duration,
        time: Timestamp,
        params: String,
    ) -> Self {
        Self {
            time,
            status,
            attempts,
            elapsed: Some(elapsed),
            outcome: outcome.kind(),
            detail: Detail {
                error: outcome.error_id().map(str::to_owned),
                description: outcome.description(),
                new_task_id: outcome.new_task_id().map(str::to_owned),
                body: outcome.body().map(str::to_owned),
                params,
            }
            .boxed(),
        }
    }

    /// From a history record read back from the store.
    pub fn from_history(r: &HistoryRecord) -> Self {
        Self {
            time: Timestamp::from_millisecond(r.time).unwrap_or(Timestamp::UNIX_EPOCH),
            status: r.status,
            attempts: r.attempts,
            elapsed: r.elapsed_ms.map(Duration::from_millis),
            outcome: r.outcome,
            detail: Detail {
                error: r.error.clone(),
                description: r.description.clone().unwrap_or_default(),
                new_task_id: r.new_task_id.clone(),
                body: r.body.clone(),
                params: r.params.clone(),
            }
            .boxed(),
        }
    }

    /// True only for `accepted`.
    pub fn is_accepted(&self) -> bool {
        self.outcome == OutcomeKind::Accepted
    }

    /// The service's error id, if any.
    pub fn error(&self) -> Option<&str> {
        self.detail.as_ref()?.error.as_deref()
    }

    /// One human line; for an `interrupted` record, what that means.
    pub fn description(&self) -> &str {
        match self.detail.as_ref().map(|d| d.description.as_str()) {
            Some(d) if !d.is_empty() => d,
            _ if self.outcome == OutcomeKind::Interrupted => {
                "the process ended before the answer arrived; outcome unknown"
            }
            _ => "",
        }
    }

    /// A new task id named by a 200 body.
    pub fn new_task_id(&self) -> Option<&str> {
        self.detail.as_ref()?.new_task_id.as_deref()
    }

    /// The kept 200 body.
    pub fn body(&self) -> Option<&str> {
        self.detail.as_ref()?.body.as_deref()
    }

    /// The query sent, secrets masked; empty when none was.
    pub fn params(&self) -> &str {
        self.detail.as_ref().map_or("", |d| d.params.as_str())
    }
}

/// One task in the list. Its parameters, job, last outcome and mark are
/// changed only through [`super::tasklist::TaskList`], which alone holds
/// rows mutably, so its counts always agree with them.
#[derive(Debug, Clone)]
pub struct TaskRow {
    /// The task id.
    pub id: TaskId,
    /// A human label (sanitised), possibly empty. Boxed, as every field of
    /// a row counts 100,000 times.
    pub label: Box<str>,
    /// The task's URL as imported (sanitised), if known.
    pub url: Option<Box<str>>,
    params: RescanParams,
    /// An unzip password was set but not kept across the restart: `r`
    /// asks for it instead of sending without it.
    unzip_password_not_kept: bool,
    /// The job in flight, if any: boxed, as most rows have none.
    job: Option<Box<RowJob>>,
    last: Option<AttemptRecord>,
    marked: bool,
}

/// A row's job in flight: which one, what it sends, where it stands.
#[derive(Debug, Clone)]
pub(super) struct RowJob {
    /// The worker's id for it.
    pub(super) id: JobId,
    /// The parameters it was sent with, masked, for its record.
    pub(super) params: String,
    /// Never [`RowState::Idle`].
    pub(super) state: RowState,
}

impl TaskRow {
    /// A fresh row.
    pub fn new(task: ImportedTask) -> Self {
        Self {
            id: task.id,
            label: task.label.unwrap_or_default().into_boxed_str(),
            url: task.url.map(String::into_boxed_str),
            params: RescanParams::default(),
            unzip_password_not_kept: false,
            job: None,
            last: None,
            marked: false,
        }
    }

    /// A row as the inventory keeps it: with its saved parameters (and
    /// whether their unzip password was not kept) and last rescan.
    pub fn stored(
        task: ImportedTask,
        params: RescanParams,
        unzip_password_not_kept: bool,
        last: Option<AttemptRecord>,
    ) -> Self {
        Self {
            params,
            unzip_password_not_kept,
            last,
            ..Self::new(task)
        }
    }

    /// Parameters the next rescan sends.
    pub fn params(&self) -> &RescanParams {
        &self.params
    }

    /// What it is doing now: idle, or where its job stands.
    pub fn state(&self) -> RowState {
        self.job.as_ref().map_or(RowState::Idle, |j| j.state)
    }

    /// The job in flight, if any.
    pub fn job(&self) -> Option<JobId> {
        self.job.as_ref().map(|j| j.id)
    }

    /// The latest rescan (the full history is read from the store on demand).
    pub fn last(&self) -> Option<&AttemptRecord> {
        self.last.as_ref()
    }

    /// Marked for a bulk action.
    pub fn marked(&self) -> bool {
        self.marked
    }

    /// An unzip password was set but not kept across the restart: `r`
    /// asks for it instead of sending without it.
    pub fn unzip_password_not_kept(&self) -> bool {
        self.unzip_password_not_kept
    }

    /// See [`TaskRow::params`] and [`TaskRow::unzip_password_not_kept`].
    pub(super) fn set_params(&mut self, params: RescanParams, unzip_password_not_kept: bool) {
        self.params = params;
        self.unzip_password_not_kept = unzip_password_not_kept;
    }

    /// The job in flight with what it sent, if any.
    pub(super) fn running(&self) -> Option<&RowJob> {
        self.job.as_deref()
    }

    /// The job in flight, to start, move along or end it.
    pub(super) fn job_mut(&mut self) -> &mut Option<Box<RowJob>> {
        &mut self.job
    }

    /// Sets the latest rescan; returns the one it replaces.
    pub(super) fn replace_last(&mut self, record: AttemptRecord) -> Option<AttemptRecord> {
        self.last.replace(record)
    }

    /// See [`TaskRow::marked`].
    pub(super) fn set_marked(&mut self, marked: bool) {
        self.marked = marked;
    }

    /// The pending parameters as a masked query string.
    pub fn params_text(&self) -> String {
        self.params.masked_query()
    }
}
