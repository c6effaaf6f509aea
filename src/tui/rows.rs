//! One task in the list: its identity, pending parameters, what it is doing
//! now and how its last rescan ended.

use std::time::Duration;

use jiff::Timestamp;

use crate::api::{Outcome, RescanParams, TaskId};
use crate::import::ImportedTask;
use crate::store::HistoryRecord;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// When it was sent.
    pub time: Timestamp,
    /// HTTP status of the final answer, if any.
    pub status: Option<u16>,
    /// The outcome label (`accepted`, ..., `interrupted`).
    pub label: String,
    /// The service's error id.
    pub error: Option<String>,
    /// One human line.
    pub description: String,
    /// A new task id named by a 200 body.
    pub new_task_id: Option<String>,
    /// The kept 200 body.
    pub body: Option<String>,
    /// Requests sent.
    pub attempts: u32,
    /// Time to the final answer, when known.
    pub elapsed: Option<Duration>,
    /// The query sent, secrets masked.
    pub params: String,
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
            label: outcome.label().to_owned(),
            error: outcome.error_id().map(str::to_owned),
            description: outcome.description(),
            new_task_id: outcome.new_task_id().map(str::to_owned),
            body: outcome.body().map(str::to_owned),
            attempts,
            elapsed: Some(elapsed),
            params,
        }
    }

    /// From a history record read back from the store.
    pub fn from_history(r: &HistoryRecord) -> Self {
        let description = match (&r.description, r.outcome.as_str()) {
            (Some(d), _) => d.clone(),
            (None, crate::store::INTERRUPTED) => {
                "the process ended before the answer arrived; outcome unknown".into()
            }
            (None, _) => String::new(),
        };
        Self {
            time: Timestamp::from_millisecond(r.time).unwrap_or(Timestamp::UNIX_EPOCH),
            status: r.status,
            label: r.outcome.clone(),
            error: r.error.clone(),
            description,
            new_task_id: r.new_task_id.clone(),
            body: r.body.clone(),
            attempts: r.attempts,
            elapsed: r.elapsed_ms.map(Duration::from_millis),
            params: r.params.clone(),
        }
    }

    /// True only for `accepted`.
    pub fn is_accepted(&self) -> bool {
        self.label == "accepted"
    }
}

/// One task in the list.
#[derive(Debug, Clone)]
pub struct TaskRow {
    /// The task id.
    pub id: TaskId,
    /// A human label (sanitised), possibly empty.
    pub label: String,
    /// The task's URL as imported (sanitised), if known.
    pub url: Option<String>,
    /// Parameters the next rescan sends.
    pub params: RescanParams,
    /// In flight or idle.
    pub state: RowState,
    /// The job in flight, if any.
    pub job: Option<crate::worker::JobId>,
    /// The latest rescan (the full history is read from the store on demand).
    pub last: Option<AttemptRecord>,
    /// Marked for a bulk action.
    pub marked: bool,
    /// Lower-case id, label and URL, for filtering without allocating.
    search: String,
}

impl TaskRow {
    /// A fresh row.
    pub fn new(task: ImportedTask) -> Self {
        let label = task.label.unwrap_or_default();
        let search = format!(
            "{}\n{}\n{}",
            task.id,
            label,
            task.url.as_deref().unwrap_or("")
        )
        .to_lowercase();
        Self {
            id: task.id,
            label,
            url: task.url,
            params: RescanParams::default(),
            state: RowState::Idle,
            job: None,
            last: None,
            marked: false,
            search,
        }
    }

    /// Filter match over id, label, url and last outcome (`needle` lower-case).
    pub fn matches(&self, needle: &str) -> bool {
        needle.is_empty()
            || self.search.contains(needle)
            || self.last.as_ref().is_some_and(|a| a.label.contains(needle))
    }

    /// The pending parameters as a masked query string.
    pub fn params_text(&self) -> String {
        self.params.masked_query()
    }
}
