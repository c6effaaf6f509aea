//! The monitoring tab's state: which window and filters the operator chose,
//! the numbers last read from the history, and when to read them again.

use std::time::Duration;

use jiff::Timestamp;

use super::input::LineInput;
use crate::api::outcome::OutcomeKind;
use crate::store::{HistoryQuery, MonitorData, MonitorQuery};

/// How far back the monitoring view looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// The last 15 minutes.
    Quarter,
    /// The last hour.
    Hour,
    /// The last 24 hours.
    Day,
    /// Everything recorded.
    All,
}

impl Window {
    /// As shown in the title.
    pub fn label(self) -> &'static str {
        match self {
            Window::Quarter => "15 min",
            Window::Hour => "1 h",
            Window::Day => "24 h",
            Window::All => "all",
        }
    }

    /// The next window (`w`).
    pub fn next(self) -> Window {
        match self {
            Window::Quarter => Window::Hour,
            Window::Hour => Window::Day,
            Window::Day => Window::All,
            Window::All => Window::Quarter,
        }
    }

    fn span(self) -> Option<Duration> {
        match self {
            Window::Quarter => Some(Duration::from_secs(15 * 60)),
            Window::Hour => Some(Duration::from_secs(3600)),
            Window::Day => Some(Duration::from_secs(24 * 3600)),
            Window::All => None,
        }
    }

    /// Chart bucket width and how the chart names it: per minute where that
    /// fits a screen, coarser for a day or all time.
    pub fn bucket(self) -> (Duration, &'static str) {
        match self {
            Window::Quarter | Window::Hour => (Duration::from_secs(60), "per minute"),
            Window::Day => (Duration::from_secs(30 * 60), "per 30 minutes"),
            Window::All => (Duration::from_secs(24 * 3600), "per day"),
        }
    }
}

/// Every outcome filter, in the order `o` cycles (None = all). `in flight`
/// is left out: the live line shows what is under way.
pub fn outcome_filters() -> impl Iterator<Item = Option<OutcomeKind>> {
    std::iter::once(None).chain(
        OutcomeKind::ALL
            .into_iter()
            .filter(|k| *k != OutcomeKind::InFlight)
            .map(Some),
    )
}

/// The monitoring tab.
#[derive(Debug, Clone)]
pub struct MonitorState {
    /// The time window.
    pub window: Window,
    /// Only this outcome, if set.
    pub outcome: Option<OutcomeKind>,
    /// Only records whose task id, error or description contain this.
    pub text: LineInput,
    /// The numbers last read.
    pub data: Option<MonitorData>,
    /// When they were asked for.
    pub requested_at: Option<Timestamp>,
    /// Something finished since: read again when allowed.
    pub dirty: bool,
    /// The failures list has the focus (`f`): the moving keys move in it
    /// rather than through the timeline's tasks.
    pub failures_focused: bool,
    /// The selected failure group, a position in
    /// [`crate::tui::tasklist::TaskList::failure_groups`].
    pub failure: usize,
    /// The first failure group on screen.
    pub failure_offset: usize,
}

impl Default for MonitorState {
    fn default() -> Self {
        Self {
            window: Window::Hour,
            outcome: None,
            text: LineInput::default(),
            data: None,
            requested_at: None,
            dirty: true,
            failures_focused: false,
            failure: 0,
            failure_offset: 0,
        }
    }
}

/// Fewest milliseconds between two reads while results stream in.
const REFRESH_MS: i64 = 1000;

impl MonitorState {
    /// The next outcome filter (`o`).
    pub fn cycle_outcome(&mut self) {
        let all: Vec<_> = outcome_filters().collect();
        let at = all.iter().position(|o| *o == self.outcome).unwrap_or(0);
        self.outcome = all[(at + 1) % all.len()];
    }

    fn since(&self, now: Timestamp) -> Option<i64> {
        self.window
            .span()
            .map(|s| now.as_millisecond() - s.as_millis() as i64)
    }

    fn text(&self) -> Option<String> {
        Some(self.text.value().trim().to_owned()).filter(|t| !t.is_empty())
    }

    /// The store query for the current window and filters.
    pub fn query(&self, now: Timestamp) -> MonitorQuery {
        MonitorQuery {
            since: self.since(now),
            outcome: self.outcome,
            text: self.text(),
            bucket_ms: self.window.bucket().0.as_millis() as i64,
        }
    }

    /// The history that `x` exports from this tab: what it shows.
    pub fn export_query(&self, now: Timestamp) -> HistoryQuery {
        HistoryQuery {
            since: self.since(now),
            outcome: self.outcome,
            text: self.text(),
            oldest_first: true,
            ..HistoryQuery::default()
        }
    }

    /// Moves the failure selection by `delta` (clamped to the `groups`
    /// there are) and scrolls to it, in a window of `page` rows.
    pub fn move_failure(&mut self, delta: isize, groups: usize, page: usize) {
        let last = groups.saturating_sub(1) as isize;
        self.failure = (self.failure.min(groups.saturating_sub(1)) as isize)
            .saturating_add(delta)
            .clamp(0, last) as usize;
        self.scroll_failures(groups, page);
    }

    /// Selects the group `n` rows below the top of the list's window (a
    /// click), if there is one there.
    pub fn select_failure_on_screen(&mut self, n: usize, groups: usize) {
        let at = self.failure_offset + n;
        if at < groups {
            self.failure = at;
        }
    }

    /// Keeps the selected group inside a window of `page` rows, over a
    /// list of `groups`.
    pub fn scroll_failures(&mut self, groups: usize, page: usize) {
        let page = page.max(1);
        self.failure = self.failure.min(groups.saturating_sub(1));
        if self.failure < self.failure_offset {
            self.failure_offset = self.failure;
        } else if self.failure >= self.failure_offset + page {
            self.failure_offset = self.failure + 1 - page;
        }
        self.failure_offset = self.failure_offset.min(groups.saturating_sub(page));
    }

    /// Whether to read now: when asked (`force`), or when something changed
    /// and the last read is at least a second old.
    pub fn should_load(&self, now: Timestamp, force: bool) -> bool {
        force
            || (self.dirty
                && self
                    .requested_at
                    .is_none_or(|t| now.as_millisecond() - t.as_millisecond() >= REFRESH_MS))
    }
}
