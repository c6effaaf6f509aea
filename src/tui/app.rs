//! The dashboard's state: plain data, changed only by `update`, drawn by
//! `view`. Nothing here touches a terminal, the network or the clock.

use std::path::PathBuf;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::form::Form;
use super::input::LineInput;
use super::tasklist::TaskList;
use crate::api::TaskId;

/// Who we are talking to, for the status bar and the curl command.
#[derive(Debug, Clone, Default)]
pub struct Account {
    /// Basic-auth user.
    pub user: String,
    /// Client certificate subject, if one is configured.
    pub cert_subject: Option<String>,
    /// The certificate, key, CA and proxy the curl command names (boxed:
    /// messages carry an account, and are kept small).
    pub curl: Box<crate::api::curl::CurlSetup>,
    /// The base URL, or `demo` in demo mode.
    pub base_label: String,
    /// The real base URL (for the curl command).
    pub base_url: Option<url::Url>,
    /// A warning to keep visible, e.g. the certificate expires soon.
    pub warning: Option<String>,
}

pub use super::rows::{AttemptRecord, RowState, TaskRow};

pub use super::tasklist::Counts;

/// What a confirmation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmAction {
    /// Send these tasks.
    Rescan(Vec<TaskId>),
    /// Send these tasks again (`R`): they ended in a way sending again may
    /// mend.
    Resend(Vec<TaskId>),
    /// Remove these tasks from the list.
    Delete(Vec<TaskId>),
    /// Leave, cancelling what is in flight.
    Quit,
}

/// A yes/no dialog that defaults to Cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    /// What it is about (ids, ...).
    pub lines: Vec<String>,
    /// What "yes" does.
    pub action: ConfirmAction,
    /// How many of the tasks it applies to the filter hides (marks outlive
    /// a filter): the question says so.
    pub not_in_view: usize,
    /// Focus on the yes button (false = Cancel, the default).
    pub yes_focused: bool,
}

impl Confirm {
    /// `3 tasks`, and `(2 not in view)` when the filter hides some.
    fn tasks(&self, ids: &[TaskId]) -> String {
        let tasks = crate::text::tasks(ids.len());
        match self.not_in_view {
            0 => tasks,
            n => format!("{tasks} ({n} not in view)"),
        }
    }

    /// The question, from what "yes" does and, for quitting, from the live
    /// `counts`: it is drawn anew each frame, so it follows them while open.
    pub fn title(&self, counts: &Counts) -> String {
        match &self.action {
            ConfirmAction::Rescan(ids) => format!("Rescan {}?", self.tasks(ids)),
            ConfirmAction::Resend(ids) => format!("Re-send {}?", self.tasks(ids)),
            ConfirmAction::Delete(ids) => {
                format!("Delete {} from the list?", self.tasks(ids))
            }
            ConfirmAction::Quit => {
                // An answer still being recorded shares the fate of one on
                // the wire: quitting now leaves it recorded `interrupted`.
                let mut title = format!(
                    "Quit? {} on the wire, {} queued",
                    counts.sending + counts.answered,
                    counts.queued
                );
                if counts.waiting > 0 {
                    title.push_str(&format!(", {} waiting", counts.waiting));
                }
                title
            }
        }
    }
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
    /// The masked prompt for an unzip password that was not kept.
    UnzipPassword(super::password::UnzipPrompt),
    /// The key help, scrolled.
    Help(Scroll),
    /// The details pane (on the monitoring tab: the timeline) has the
    /// keys, to scroll it.
    Details(Scroll),
    /// The selected task's request as curl.
    Curl(String),
    /// No usable configuration yet.
    FirstRun(FirstRun),
    /// Demo mode is starting.
    StartingDemo,
}

/// How far a pane taller than its window is scrolled: its top row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    /// The first row shown.
    pub top: usize,
}

impl Scroll {
    /// Moved by a moving action over `rows` rows seen `page` at a time;
    /// never before the first row nor past the last page. `None` for an
    /// action that does not scroll.
    pub fn moved(self, action: super::keymap::Action, rows: usize, page: usize) -> Option<Self> {
        use super::keymap::Action;
        let page = page.max(1);
        let last = rows.saturating_sub(page);
        let top = match action {
            Action::Up => self.top.saturating_sub(1),
            Action::Down => self.top + 1,
            Action::PageUp => self.top.saturating_sub(page),
            Action::PageDown => self.top + page,
            Action::First => 0,
            Action::Last => last,
            _ => return None,
        };
        Some(Self { top: top.min(last) })
    }
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
    /// The notice's key (action `notice`, Enter), while the notice stands,
    /// filters the list by this text (the notice names what it shows).
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
    /// Every task, with its filter, selection, marks, jobs and counts.
    pub tasks: TaskList,
    /// Who has the keyboard.
    pub mode: Mode,
    /// The account shown in the status bar.
    pub account: Account,
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
    /// What each key does (the defaults with the config's `[keys]`).
    pub keys: super::keymap::KeyMap,
    /// Paused or not, the concurrency, the bell.
    pub control: super::run::RunControl,
    /// The task list's filter and sort as last saved; `None` until the
    /// store's copy is read (nothing is saved before).
    pub saved_view: Option<super::saved_view::SavedView>,
}

impl App {
    /// An empty dashboard for `account`.
    pub fn new(account: Account, size: (u16, u16), theme: Theme, tz: TimeZone) -> Self {
        Self {
            tasks: TaskList::default(),
            mode: Mode::Normal,
            account,
            notice: None,
            size,
            tick: 0,
            now: Timestamp::UNIX_EPOCH,
            theme,
            tz,
            should_quit: false,
            loading: false,
            tab: Tab::Tasks,
            monitor: Default::default(),
            history: None,
            history_requested: None,
            keys: Default::default(),
            control: Default::default(),
            saved_view: None,
        }
    }

    /// True while any ticking is needed (spinners, countdowns).
    pub fn animating(&self) -> bool {
        self.tasks.counts().in_flight() > 0
            || self.loading
            || matches!(self.mode, Mode::StartingDemo)
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
