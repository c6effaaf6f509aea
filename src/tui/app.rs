//! The dashboard's state: plain data, changed only by `update`, drawn by
//! `view`. Nothing here touches a terminal, the network or the clock.

use std::collections::HashMap;
use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::form::Form;
use super::index::RowIndex;
use super::input::LineInput;
use crate::api::TaskId;
use crate::import::ImportedTask;
use crate::worker::JobId;

/// Who we are talking to, for the status bar and the curl command.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Basic-auth user.
    pub user: String,
    /// Client certificate subject, if one is configured.
    pub cert_subject: Option<String>,
    /// Client certificate path (for the curl command).
    pub cert_path: Option<PathBuf>,
    /// The base URL, or `demo` in demo mode.
    pub base_label: String,
    /// The real base URL (for the curl command).
    pub base_url: Option<url::Url>,
    /// A warning to keep visible, e.g. the certificate expires soon.
    pub warning: Option<String>,
}

pub use super::rows::{AttemptRecord, RowState, TaskRow};

/// Live counts for the status bar, kept up to date on every change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows waiting for a slot.
    pub queued: usize,
    /// Rows with a request on the wire.
    pub sending: usize,
    /// Rows waiting to retry.
    pub retrying: usize,
    /// Rows whose last outcome is `accepted`.
    pub accepted: usize,
    /// Rows whose last outcome is anything else.
    pub not_accepted: usize,
}

impl Counts {
    /// Jobs not yet finished.
    pub fn in_flight(&self) -> usize {
        self.queued + self.sending + self.retrying
    }
}

/// What the dashboard remembers of a job in flight.
#[derive(Debug, Clone)]
pub struct JobInfo {
    /// The task it rescans.
    pub task: TaskId,
    /// The parameters it was sent with, masked.
    pub params: String,
}

/// What a confirmation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmAction {
    /// Send these tasks.
    Rescan(Vec<TaskId>),
    /// Remove these tasks from the list.
    Delete(Vec<TaskId>),
    /// Leave, cancelling what is in flight.
    Quit,
}

/// A yes/no dialog that defaults to Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// The question, e.g. "Rescan 3 tasks?".
    pub title: String,
    /// What it is about (ids, ...).
    pub lines: Vec<String>,
    /// What "yes" does.
    pub action: ConfirmAction,
    /// Focus on the yes button (false = Cancel, the default).
    pub yes_focused: bool,
}

/// Which one-line prompt is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// Task ids to add (typed or pasted).
    AddIds,
    /// A file to import.
    ImportPath,
    /// A file to export the visible history to.
    ExportPath,
}

/// A one-line prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What it asks for.
    pub kind: PromptKind,
    /// The text so far.
    pub input: LineInput,
}

/// The first-run screen's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstRun {
    /// Where the config file goes.
    pub config_path: Option<PathBuf>,
    /// Why the configuration is not usable, if it exists.
    pub problem: Option<String>,
}

/// What has the keyboard.
#[derive(Debug, Clone)]
pub enum Mode {
    /// The task list.
    Normal,
    /// Typing a filter.
    Filter,
    /// The parameter form.
    Form(Box<Form>),
    /// A confirmation dialog.
    Confirm(Confirm),
    /// A one-line prompt.
    Prompt(Prompt),
    /// The key help.
    Help,
    /// The selected task's request as curl.
    Curl(String),
    /// No usable configuration yet.
    FirstRun(FirstRun),
    /// Demo mode is starting.
    StartingDemo,
}

/// Which tab is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The task list and details.
    Tasks,
    /// Outcome counts, chart, failures, timeline.
    Monitor,
}

/// The full history of one task, newest first, read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskHistory {
    /// The task.
    pub task: TaskId,
    /// Its rescans, newest first.
    pub records: Vec<AttemptRecord>,
}

/// A message for the user in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The text (sanitised).
    pub text: String,
    /// Shown as an error.
    pub is_error: bool,
    /// Enter, while the notice stands, filters the list by this text
    /// (the notice names what it shows).
    pub enter_filters: Option<&'static str>,
}

/// Colour on or off (`NO_COLOR`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Use colours.
    pub color: bool,
}

/// The whole dashboard state.
#[derive(Debug)]
pub struct App {
    /// Every task, in the order added.
    pub tasks: Vec<TaskRow>,
    /// Task id to position in `tasks`.
    pub(super) index: RowIndex,
    /// Positions in `tasks` that pass the filter, in display order.
    pub visible: Vec<usize>,
    /// The (lower-case) filter `visible` was computed for; `None` when it
    /// must be computed from scratch (rows were removed).
    shown_for: Option<String>,
    /// Selected position in `visible`.
    pub selected: usize,
    /// First position of `visible` on screen.
    pub offset: usize,
    /// The filter text.
    pub filter: LineInput,
    /// Who has the keyboard.
    pub mode: Mode,
    /// The account shown in the status bar.
    pub account: Account,
    /// Live counts.
    pub counts: Counts,
    /// Marked rows.
    pub marked: usize,
    /// Jobs in flight.
    pub(super) jobs: HashMap<JobId, JobInfo>,
    /// Next job id.
    pub(super) next_job: u64,
    /// A message for the user.
    pub notice: Option<Notice>,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    /// Animation frame counter, advanced only while something moves.
    pub tick: u64,
    /// The time of the latest tick or event, for countdowns.
    pub now: Timestamp,
    /// Colours.
    pub theme: Theme,
    /// Time zone for times on screen.
    pub tz: TimeZone,
    /// Set when the dashboard should close.
    pub should_quit: bool,
    /// Length of the longest task id added, for the id column.
    pub id_width: usize,
    /// The inventory is still being read (keys and pastes work meanwhile).
    pub loading: bool,
    /// The tab shown.
    pub tab: Tab,
    /// The monitoring tab's state.
    pub monitor: super::monitor::MonitorState,
    /// The selected task's history, once read.
    pub history: Option<TaskHistory>,
    /// The task whose history was last asked for (asked once per selection).
    pub history_requested: Option<TaskId>,
}

impl App {
    /// An empty dashboard for `account`.
    pub fn new(account: Account, size: (u16, u16), theme: Theme, tz: TimeZone) -> Self {
        Self {
            tasks: Vec::new(),
            index: RowIndex::default(),
            visible: Vec::new(),
            shown_for: Some(String::new()),
            selected: 0,
            offset: 0,
            filter: LineInput::default(),
            mode: Mode::Normal,
            account,
            counts: Counts::default(),
            marked: 0,
            jobs: HashMap::new(),
            next_job: 0,
            notice: None,
            size,
            tick: 0,
            now: Timestamp::UNIX_EPOCH,
            theme,
            tz,
            should_quit: false,
            id_width: 0,
            loading: false,
            tab: Tab::Tasks,
            monitor: Default::default(),
            history: None,
            history_requested: None,
        }
    }

    /// The row under the cursor, if any.
    pub fn selected_row(&self) -> Option<&TaskRow> {
        self.visible.get(self.selected).map(|i| &self.tasks[*i])
    }

    /// The row with this id.
    pub fn row(&self, id: &TaskId) -> Option<&TaskRow> {
        self.position(id).map(|i| &self.tasks[i])
    }

    /// Where the row with this id sits in `tasks`.
    pub fn position(&self, id: &TaskId) -> Option<usize> {
        self.index.get(&self.tasks, id)
    }

    /// True while any ticking is needed (spinners, countdowns).
    pub fn animating(&self) -> bool {
        self.counts.in_flight() > 0 || self.loading || matches!(self.mode, Mode::StartingDemo)
    }

    /// Adds tasks not yet in the list; returns how many were new.
    pub fn add_tasks(&mut self, tasks: Vec<ImportedTask>) -> usize {
        // Each row is built as it goes in: 100,000 of them are not held
        // twice (a Vec of new rows, then the list).
        self.push_rows(tasks.into_iter().map(TaskRow::new))
    }

    /// Appends rows whose ids are not listed yet, with their last outcomes
    /// counted, and shows those that pass the filter. Returns how many were
    /// new.
    pub(super) fn push_rows(&mut self, rows: impl ExactSizeIterator<Item = TaskRow>) -> usize {
        let before = self.tasks.len();
        self.tasks.reserve(rows.len());
        self.index.reserve(&self.tasks, rows.len());
        for row in rows {
            if !self
                .index
                .insert_new(&self.tasks, &row.id, self.tasks.len())
            {
                continue;
            }
            self.id_width = self.id_width.max(row.id.as_str().len());
            match row.last.as_ref().map(AttemptRecord::is_accepted) {
                Some(true) => self.counts.accepted += 1,
                Some(false) => self.counts.not_accepted += 1,
                None => {}
            }
            self.tasks.push(row);
        }
        // Only the new rows are tested: a load in chunks stays linear.
        let needle = self.filter.value().to_lowercase();
        let shown = (before..self.tasks.len()).filter(|at| self.tasks[*at].matches(&needle));
        self.visible.extend(shown);
        self.tasks.len() - before
    }

    /// Removes tasks (their jobs must be cancelled by the caller).
    pub fn remove_tasks(&mut self, ids: &[TaskId]) {
        let gone: std::collections::HashSet<&TaskId> = ids.iter().collect();
        let leaving: Vec<(RowState, Option<bool>, bool)> = self
            .tasks
            .iter()
            .filter(|r| gone.contains(&r.id))
            .map(|r| {
                (
                    r.state,
                    r.last.as_ref().map(AttemptRecord::is_accepted),
                    r.marked,
                )
            })
            .collect();
        for (state, accepted, marked) in leaving {
            *self.state_count(state) -= usize::from(state.in_flight());
            self.forget_outcome(accepted);
            self.marked -= usize::from(marked);
        }
        self.tasks.retain(|r| !gone.contains(&r.id));
        self.index.rebuild(&self.tasks);
        self.shown_for = None;
        self.refilter();
    }

    /// Recomputes `visible` from the filter and keeps the selection in range.
    /// A filter that contains the previous one (the operator typed more)
    /// can only narrow the list, so only the rows shown are tested again.
    pub fn refilter(&mut self) {
        let needle = self.filter.value().to_lowercase();
        let tasks = &self.tasks;
        if self
            .shown_for
            .as_deref()
            .is_some_and(|old| needle.contains(old))
        {
            self.visible.retain(|at| tasks[*at].matches(&needle));
        } else {
            self.visible = (0..tasks.len())
                .filter(|at| tasks[*at].matches(&needle))
                .collect();
        }
        self.shown_for = Some(needle);
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }

    /// Changes a row's state, keeping the counts right.
    pub(super) fn set_state(&mut self, at: usize, state: RowState) {
        let old = self.tasks[at].state;
        *self.state_count(old) -= usize::from(old.in_flight());
        self.tasks[at].state = state;
        *self.state_count(state) += usize::from(state.in_flight());
    }

    /// Sets a row's latest rescan, keeping the counts right.
    pub(super) fn set_last(&mut self, at: usize, record: AttemptRecord) {
        let before = self.tasks[at].last.as_ref().map(AttemptRecord::is_accepted);
        let now = record.is_accepted();
        self.tasks[at].last = Some(record);
        self.forget_outcome(before);
        if now {
            self.counts.accepted += 1;
        } else {
            self.counts.not_accepted += 1;
        }
    }

    fn state_count(&mut self, state: RowState) -> &mut usize {
        match state {
            RowState::Sending { .. } => &mut self.counts.sending,
            RowState::Retrying { .. } | RowState::Resending { .. } => &mut self.counts.retrying,
            // Idle never changes a count (in_flight() is false).
            RowState::Queued | RowState::Idle => &mut self.counts.queued,
        }
    }

    /// Takes a row's previous last outcome (accepted or not) out of the counts.
    fn forget_outcome(&mut self, accepted: Option<bool>) {
        match accepted {
            Some(true) => self.counts.accepted -= 1,
            Some(false) => self.counts.not_accepted -= 1,
            None => {}
        }
    }

    /// Shows a message in the status line. An error stays until the next
    /// key: information arriving meanwhile (say, demo mode coming up right
    /// after a `--tasks` file with bad lines) does not hide it.
    pub fn notify(&mut self, text: impl Into<String>, is_error: bool) {
        if !is_error && self.notice.as_ref().is_some_and(|n| n.is_error) {
            return;
        }
        self.notice = Some(Notice {
            text: crate::text::sanitize(&text.into()),
            is_error,
            enter_filters: None,
        });
    }
}
