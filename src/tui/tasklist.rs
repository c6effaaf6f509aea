//! The task list: every row, the index by id, the filter and the rows it
//! shows, the selection, the marks, the jobs in flight and the counts,
//! behind one type. Its fields are private and its methods are the only way
//! to change them, so the counts, the marks and the filter's view always
//! agree with the rows (a property test holds this).

use std::collections::HashMap;

use super::filter::{FilterError, Query};
use super::index::RowIndex;
use super::input::LineInput;
use super::rows::{AttemptRecord, TaskRow};
use crate::api::outcome::OutcomeKind;
use crate::api::{RescanParams, TaskId};
use crate::import::ImportedTask;
use crate::progress::RunProgress;
use crate::worker::JobId;

mod counts;
mod failures;
mod jobs;
mod order;
#[cfg(test)]
mod props;

pub use counts::Counts;
use counts::Tally;
pub use failures::{FailureGroup, FailureReason};
pub use order::{Sort, SortColumn};

/// See the module documentation.
#[derive(Debug, Default)]
pub struct TaskList {
    /// Every task, in the order added.
    rows: Vec<TaskRow>,
    /// Task id to position in `rows`.
    index: RowIndex,
    /// The filter text.
    filter: LineInput,
    /// The filter in effect: the filter text's terms before any mistake.
    query: Query,
    /// Why the filter text as typed cannot be read, if it cannot.
    filter_error: Option<FilterError>,
    /// How the rows are ordered.
    sort: Sort,
    /// Every position in `rows`, sorted by `sort`; empty for the order
    /// added (then a position is its own place).
    order: Vec<usize>,
    /// Positions in `rows` that pass the filter, in display order.
    visible: Vec<usize>,
    /// Selected position in `visible`.
    selected: usize,
    /// First position of `visible` on screen.
    offset: usize,
    /// Marked rows.
    marked: usize,
    /// Rows by job state and by last outcome.
    tally: Tally,
    /// Which task each job in flight is for.
    jobs: HashMap<JobId, TaskId>,
    /// The run the jobs in flight belong to (or the last one, over).
    run: RunProgress,
    /// Next job id.
    next_job: u64,
    /// Length of the longest task id added, for the id column.
    id_width: usize,
}

impl TaskList {
    /// Every row, in the order added.
    pub fn rows(&self) -> &[TaskRow] {
        &self.rows
    }

    /// How many tasks are listed.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// No task listed.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row with this id.
    pub fn row(&self, id: &TaskId) -> Option<&TaskRow> {
        self.position(id).map(|at| &self.rows[at])
    }

    /// Where the row with this id sits in [`Self::rows`].
    pub fn position(&self, id: &TaskId) -> Option<usize> {
        self.index.get(&self.rows, id)
    }

    /// Positions in [`Self::rows`] that pass the filter, in display order.
    pub fn visible(&self) -> &[usize] {
        &self.visible
    }

    /// Selected position in [`Self::visible`].
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// First position of [`Self::visible`] on screen.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The row under the cursor, if any.
    pub fn selected_row(&self) -> Option<&TaskRow> {
        self.visible.get(self.selected).map(|at| &self.rows[*at])
    }

    /// How many rows are marked.
    pub fn marked(&self) -> usize {
        self.marked
    }

    /// Live counts.
    pub fn counts(&self) -> Counts {
        self.tally.counts()
    }

    /// The run going on, or the last one.
    pub fn run(&self) -> &RunProgress {
        &self.run
    }

    /// True once after a run ended (see [`RunProgress::take_ended`]).
    pub fn take_run_end(&mut self) -> bool {
        self.run.take_ended()
    }

    /// Tasks per last outcome label (only labels some task has).
    pub fn outcomes(&self) -> impl Iterator<Item = (OutcomeKind, usize)> + '_ {
        self.tally.outcomes()
    }

    /// Length of the longest task id listed so far.
    pub fn id_width(&self) -> usize {
        self.id_width
    }

    /// The filter text.
    pub fn filter(&self) -> &LineInput {
        &self.filter
    }

    /// Why the filter text cannot be read (the terms before the mistake
    /// filter the list), if it cannot.
    pub fn filter_error(&self) -> Option<&FilterError> {
        self.filter_error.as_ref()
    }

    /// Changes the filter text and shows the rows that pass it.
    pub fn edit_filter(&mut self, edit: impl FnOnce(&mut LineInput)) {
        edit(&mut self.filter);
        self.refilter(false);
    }

    /// The tasks in view, in display order.
    pub fn visible_rows(&self) -> impl ExactSizeIterator<Item = &TaskRow> + '_ {
        self.visible.iter().map(|at| &self.rows[*at])
    }

    /// How many of `ids` the filter hides: a confirmation says so, since
    /// marks outlive a filter.
    pub fn not_in_view(&self, ids: &[TaskId]) -> usize {
        if self.visible.len() == self.rows.len() {
            return 0;
        }
        let mut shown = vec![false; self.rows.len()];
        for &at in &self.visible {
            shown[at] = true;
        }
        ids.iter()
            .filter(|id| self.position(id).is_some_and(|at| !shown[at]))
            .count()
    }

    /// The tasks an action applies to: the marked ones, else the selected one.
    pub fn targets(&self) -> Vec<TaskId> {
        if self.marked > 0 {
            self.rows
                .iter()
                .filter(|r| r.marked())
                .map(|r| r.id.clone())
                .collect()
        } else {
            self.selected_row()
                .map(|r| vec![r.id.clone()])
                .unwrap_or_default()
        }
    }

    /// Adds tasks not yet listed; returns how many were new.
    pub fn add(&mut self, tasks: Vec<ImportedTask>) -> usize {
        // Each row is built as it goes in: 100,000 of them are not held
        // twice (a Vec of new rows, then the list).
        self.push_rows(tasks.into_iter().map(TaskRow::new))
    }

    /// Room for a load of `total` tasks arriving in chunks of `chunk`, at
    /// once: growing by doubling would copy the rows and leave the old
    /// half-size block behind (tens of MB at 100,000 tasks).
    pub fn reserve_for_load(&mut self, total: usize, chunk: usize) {
        if self.rows.capacity() - self.rows.len() < chunk {
            let rest = total.saturating_sub(self.rows.len()).max(chunk);
            self.rows.reserve_exact(rest);
        }
    }

    /// Appends rows (fresh ones, without jobs or marks) whose ids are not
    /// listed yet, and shows those that pass the filter. Returns how many
    /// were new.
    pub fn push_rows(&mut self, rows: impl ExactSizeIterator<Item = TaskRow>) -> usize {
        let before = self.rows.len();
        self.rows.reserve(rows.len());
        self.index.reserve(&self.rows, rows.len());
        for mut row in rows {
            if !self.index.insert_new(&self.rows, &row.id, self.rows.len()) {
                continue;
            }
            *row.job_mut() = None;
            row.set_marked(false);
            self.id_width = self.id_width.max(row.id.as_str().len());
            self.tally.outcome(None, row.last());
            self.rows.push(row);
        }
        // Only the new rows are tested and sorted: a load in chunks stays
        // linear, and the order is merged, never sorted whole.
        self.place_new(before);
        self.rows.len() - before
    }

    /// A listed task's saved parameters and last rescan, read back from the
    /// store.
    pub fn restore(
        &mut self,
        id: &TaskId,
        params: RescanParams,
        unzip_password_not_kept: bool,
        last: Option<AttemptRecord>,
    ) {
        let Some(at) = self.position(id) else {
            return;
        };
        self.rows[at].set_params(params, unzip_password_not_kept);
        if let Some(last) = last {
            self.set_last(at, last);
        }
    }

    /// The parameters the next rescan of `id` sends, and whether an unzip
    /// password they need was not kept.
    pub fn set_params(&mut self, id: &TaskId, params: RescanParams, unzip_password_not_kept: bool) {
        if let Some(at) = self.position(id) {
            self.rows[at].set_params(params, unzip_password_not_kept);
        }
    }

    /// Removes tasks; returns their jobs in flight, which the caller
    /// cancels (their events are ignored from now on).
    pub fn remove(&mut self, ids: &[TaskId]) -> Vec<JobId> {
        let gone: std::collections::HashSet<&TaskId> = ids.iter().collect();
        let mut jobs = Vec::new();
        for row in self.rows.iter().filter(|r| gone.contains(&r.id)) {
            self.tally.moved(row.state(), super::rows::RowState::Idle);
            self.tally.outcome(row.last(), None);
            self.marked -= usize::from(row.marked());
            if let Some(job) = row.job() {
                self.jobs.remove(&job);
                jobs.push(job);
            }
        }
        self.run.dropped(jobs.len());
        self.rows.retain(|r| !gone.contains(&r.id));
        self.index.rebuild(&self.rows);
        // Positions changed: the order and the view are made anew.
        self.sort_order();
        self.refilter(true);
        jobs
    }

    /// Recomputes `visible` from the filter text and keeps the selection in
    /// range; a text with a mistake filters by the terms before it (and
    /// says what is wrong). A filter that narrows the one in effect (the
    /// operator typed more) only tests the rows shown again; `all` tests
    /// every row.
    fn refilter(&mut self, all: bool) {
        let (query, error) = Query::parse_lenient(self.filter.value());
        self.filter_error = error;
        let rows = &self.rows;
        if !all && query.narrows(&self.query) {
            self.visible.retain(|at| query.matches(&rows[*at]));
        } else if self.sort.is_default() {
            self.visible = (0..rows.len())
                .filter(|at| query.matches(&rows[*at]))
                .collect();
        } else {
            let order = self.order.iter().copied();
            self.visible = order.filter(|at| query.matches(&rows[*at])).collect();
        }
        self.query = query;
        self.selected = self.selected.min(self.visible.len().saturating_sub(1));
        self.offset = self.offset.min(self.selected);
    }

    /// Sets a row's latest rescan, keeping the counts, the order and the
    /// filter's view right.
    fn set_last(&mut self, at: usize, record: AttemptRecord) {
        let places = self.places(at);
        let old = self.rows[at].replace_last(record);
        self.tally.outcome(old.as_ref(), self.rows[at].last());
        self.moved(at, places);
    }

    /// A record another writer committed that is now `id`'s newest: shown
    /// as if its own rescan had ended. Returns the row's position.
    pub fn record_from_elsewhere(&mut self, id: &TaskId, record: AttemptRecord) -> Option<usize> {
        let at = self.position(id)?;
        self.set_last(at, record);
        Some(at)
    }

    /// Space: marks or unmarks the selected row.
    pub fn toggle_mark(&mut self) {
        let Some(&at) = self.visible.get(self.selected) else {
            return;
        };
        let marked = !self.rows[at].marked();
        self.rows[at].set_marked(marked);
        if marked {
            self.marked += 1;
        } else {
            self.marked -= 1;
        }
    }

    /// `*`: marks every row that passes the filter.
    pub fn mark_all_visible(&mut self) {
        for &at in &self.visible {
            let row = &mut self.rows[at];
            if !row.marked() {
                row.set_marked(true);
                self.marked += 1;
            }
        }
    }

    /// `u`: clears every mark.
    pub fn clear_marks(&mut self) {
        self.rows.iter_mut().for_each(|r| r.set_marked(false));
        self.marked = 0;
    }

    /// Moves the selection by `delta` rows (clamped) and scrolls to it, in
    /// a window of `page` rows.
    pub fn move_selection(&mut self, delta: isize, page: usize) {
        if self.visible.is_empty() {
            return;
        }
        let last = self.visible.len() as isize - 1;
        self.selected = (self.selected as isize)
            .saturating_add(delta)
            .clamp(0, last) as usize;
        self.scroll_to_selection(page);
    }

    /// Selects the row `n` lines below the top of the list's window (a
    /// click), if there is one.
    pub fn select_on_screen(&mut self, n: usize) {
        let at = self.offset + n;
        if at < self.visible.len() {
            self.selected = at;
        }
    }

    /// Keeps the selected row inside a window of `page` rows.
    pub fn scroll_to_selection(&mut self, page: usize) {
        let page = page.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + page {
            self.offset = self.selected + 1 - page;
        }
        let max_offset = self.visible.len().saturating_sub(page);
        self.offset = self.offset.min(max_offset);
    }
}
