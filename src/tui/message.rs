//! The one message type the dashboard reacts to, and the commands `update`
//! hands back for the run loop to carry out.

use std::path::PathBuf;

use jiff::Timestamp;
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

use super::app::Account;
use crate::api::{RescanParams, TaskId};
use crate::export::TaskLine;
use crate::import::{Imported, ImportedTask};
use crate::store::{
    Changes, HistoryQuery, HistoryRecord, MonitorData, MonitorQuery, StoredParams, StoredTask,
    TaskChunk,
};
use crate::worker::{Control, Job, JobId, WorkerEvent};

/// Everything that can change the dashboard's state.
#[derive(Debug)]
pub enum Message {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted (bracketed paste).
    Paste(String),
    /// A mouse click or wheel turn.
    Mouse(MouseEvent),
    /// The terminal changed size.
    Resize(u16, u16),
    /// Animation tick (only while something moves), with the time.
    Tick(Timestamp),
    /// A worker event, stamped when it arrived.
    Worker {
        /// The event.
        event: WorkerEvent,
        /// When it arrived.
        at: Timestamp,
    },
    /// An import file was read.
    Imported {
        /// The file, as named to the user.
        source: String,
        /// Its tasks and errors, or why it could not be read.
        result: Result<Imported, String>,
    },
    /// Demo mode is up: its account and tasks.
    DemoReady {
        /// The demo account.
        account: Account,
        /// The demo worker's concurrency.
        concurrency: usize,
        /// The demo tasks.
        tasks: Vec<ImportedTask>,
    },
    /// Demo mode could not start.
    DemoFailed(String),
    /// Leave now (SIGTERM, SIGHUP).
    Terminate,
    /// A chunk of the inventory read at start, each task with its last
    /// rescan (several arrive for a large inventory).
    Loaded(Result<TaskChunk, String>),
    /// The whole inventory has been read.
    LoadFinished,
    /// One task's history, newest first.
    History {
        /// The task.
        task: TaskId,
        /// Its records, or why they could not be read.
        result: Result<Vec<HistoryRecord>, String>,
    },
    /// The monitoring view's numbers.
    Monitor(Result<MonitorData, String>),
    /// An export finished: what was written, or why not.
    Exported(Result<String, String>),
    /// The task list's filter and sort as saved (see
    /// [`super::saved_view`]), read at start: none saved yet, or why it
    /// could not be read.
    SavedView(Result<Option<String>, String>),
    /// Saving the inventory failed.
    StoreFailed(String),
    /// Opening the store recorded this many rescans `interrupted`: the
    /// process that sent them ended before their answers (a crash, a kill).
    InterruptedAtStart(usize),
    /// Another writer (an instance, the CLI) added tasks or outcomes to
    /// the database, or why that can no longer be followed.
    OthersWrote(Result<Changes, String>),
}

impl Message {
    /// True for what the operator did (keys, paste, mouse, resize): the
    /// screen answers those at once instead of at the next frame.
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            Message::Key(_) | Message::Paste(_) | Message::Mouse(_) | Message::Resize(..)
        )
    }
}

/// A task as the inventory keeps it (the session adds the store's rules
/// about secrets).
#[derive(Debug, Clone)]
pub struct SavedTask {
    /// The id.
    pub id: TaskId,
    /// The label.
    pub label: String,
    /// The task's URL, if known.
    pub url: Option<String>,
    /// The pending parameters.
    pub params: RescanParams,
    /// An unzip password was set before and is still not kept (see
    /// [`crate::store::StoredParams::unzip_password_not_kept`]).
    pub unzip_password_not_kept: bool,
}

impl SavedTask {
    /// The task as the store keeps it: the unzip password only when
    /// `remember_unzip_passwords` is on, else only that there is one.
    pub fn into_stored(self, remember_unzip_passwords: bool) -> StoredTask {
        let mut params = StoredParams::from_params(&self.params, remember_unzip_passwords);
        params.unzip_password_not_kept |= self.unzip_password_not_kept;
        StoredTask {
            id: self.id,
            label: self.label,
            url: self.url,
            params,
            last: None,
        }
    }
}

/// Side effects `update` asks for; the run loop performs them.
#[derive(Debug)]
pub enum Command {
    /// Queue jobs with the worker.
    Submit(Vec<Job>),
    /// Cancel jobs.
    Cancel(Vec<JobId>),
    /// Pause or resume the worker, or change its concurrency.
    Worker(Control),
    /// Ring the terminal bell (a run is over).
    Bell,
    /// Read and parse a file, answer with `Message::Imported`.
    Import(PathBuf),
    /// Put text on the clipboard (OSC 52).
    Copy(String),
    /// Start the embedded simulator and switch to it.
    StartDemo,
    /// Add or update tasks in the inventory.
    SaveTasks(Vec<SavedTask>),
    /// Remove tasks from the inventory (their history stays).
    RemoveTasks(Vec<TaskId>),
    /// Read one task's history; answer with `Message::History`.
    LoadHistory(TaskId),
    /// Read the monitoring numbers; answer with `Message::Monitor`.
    LoadMonitor(MonitorQuery),
    /// Write the history matching `query` to `path` (CSV for `.csv`, else
    /// JSON lines); answer with `Message::Exported`.
    Export {
        /// Where to write.
        path: PathBuf,
        /// Which records.
        query: HistoryQuery,
    },
    /// Write these tasks (those in view) to `path` (CSV for `.csv`, else
    /// JSON lines); answer with `Message::Exported`.
    ExportTasks {
        /// Where to write.
        path: PathBuf,
        /// The tasks, in the order shown.
        tasks: Vec<TaskLine>,
    },
    /// Keep the task list's filter and sort ([`super::saved_view`]).
    SaveView(String),
}
