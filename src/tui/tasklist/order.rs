//! The list's order: by the order added, or sorted by a column. The sorted
//! order of every row is kept (and the rows in view follow it), so a frame
//! or a filter keystroke never sorts: only a new sort does, and a new
//! outcome moves its one row.

use std::cmp::Ordering;

use super::TaskList;
use crate::tui::rows::TaskRow;

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    /// The order the tasks were added in (no sort).
    #[default]
    Added,
    /// The task id.
    Id,
    /// The label, ignoring case; tasks without one last.
    Label,
    /// The last outcome's label, A to Z; tasks never sent last.
    Outcome,
    /// When the last outcome's request was sent; tasks never sent last.
    When,
}

impl SortColumn {
    /// Every column, in the order `s` steps through them.
    pub const ALL: [SortColumn; 5] = [
        SortColumn::Added,
        SortColumn::Id,
        SortColumn::Label,
        SortColumn::Outcome,
        SortColumn::When,
    ];

    /// Its name in the list's title and in the saved view.
    pub fn name(self) -> &'static str {
        match self {
            SortColumn::Added => "order added",
            SortColumn::Id => "id",
            SortColumn::Label => "label",
            SortColumn::Outcome => "last outcome",
            SortColumn::When => "when",
        }
    }

    /// The column with this [`Self::name`].
    pub fn from_name(name: &str) -> Option<SortColumn> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The column `s` goes to from this one.
    pub fn next(self) -> SortColumn {
        let at = Self::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Self::ALL[(at + 1) % Self::ALL.len()]
    }
}

/// How the list is ordered: a column, and whether reversed (`S`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    /// The column.
    pub column: SortColumn,
    /// Descending instead of ascending. Tasks without a value (no label,
    /// never sent) stay last, and ties stay by id ascending.
    pub reversed: bool,
}

impl Sort {
    /// The order added, not reversed: the list as it always was.
    pub fn is_default(self) -> bool {
        self == Sort::default()
    }

    /// What the list's title says, e.g. `sorted by when, reversed`; `None`
    /// for the order added.
    pub fn title(self) -> Option<String> {
        if self.is_default() {
            return None;
        }
        let reversed = if self.reversed { ", reversed" } else { "" };
        Some(format!("sorted by {}{reversed}", self.column.name()))
    }

    /// True when a new last outcome can move a row.
    fn follows_outcomes(self) -> bool {
        matches!(self.column, SortColumn::Outcome | SortColumn::When)
    }

    /// The order of two rows (positions in `rows`): by the column, ties by
    /// id. A total order: ids are unique.
    pub(super) fn cmp(self, rows: &[TaskRow], a: usize, b: usize) -> Ordering {
        let (ra, rb) = (&rows[a], &rows[b]);
        let by_id = || ra.id.as_str().cmp(rb.id.as_str());
        let directed = |o: Ordering| if self.reversed { o.reverse() } else { o };
        match self.column {
            SortColumn::Added => directed(a.cmp(&b)),
            SortColumn::Id => directed(by_id()),
            SortColumn::Label => {
                blanks_last(label(ra), label(rb), |x, y| directed(cmp_text(x, y))).then_with(by_id)
            }
            SortColumn::Outcome => {
                let outcome = |r: &TaskRow| r.last().map(|a| a.outcome.label());
                blanks_last(outcome(ra), outcome(rb), |x, y| directed(x.cmp(y))).then_with(by_id)
            }
            SortColumn::When => {
                let when = |r: &TaskRow| r.last().map(|a| a.time);
                blanks_last(when(ra), when(rb), |x, y| directed(x.cmp(&y))).then_with(by_id)
            }
        }
    }
}

/// A row's label, `None` when it has none.
fn label(row: &TaskRow) -> Option<&str> {
    Some(row.label.as_ref()).filter(|l| !l.is_empty())
}

/// Values before no value, whichever the direction.
fn blanks_last<T>(a: Option<T>, b: Option<T>, cmp: impl Fn(T, T) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => cmp(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Text ignoring case (ASCII compared in place), then as it is.
fn cmp_text(a: &str, b: &str) -> Ordering {
    let folded = if a.is_ascii() && b.is_ascii() {
        a.bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
    } else {
        a.chars()
            .flat_map(char::to_lowercase)
            .cmp(b.chars().flat_map(char::to_lowercase))
    };
    folded.then_with(|| a.cmp(b))
}

impl TaskList {
    /// How the list is ordered.
    pub fn sort(&self) -> Sort {
        self.sort
    }

    /// Orders the list by `sort` (the one full sort), keeping the selected
    /// row selected.
    pub fn set_sort(&mut self, sort: Sort) {
        if sort == self.sort {
            return;
        }
        self.sort = sort;
        self.resort();
    }

    /// A new sort: the order and the view sorted anew.
    fn resort(&mut self) {
        let selected = self.visible.get(self.selected).copied();
        self.sort_order();
        // The rows in view keep passing the filter: only their order changes.
        let (sort, rows) = (self.sort, &self.rows);
        self.visible.sort_unstable_by(|a, b| sort.cmp(rows, *a, *b));
        self.reselect(selected);
    }

    /// Sorts every row anew into the order (a new sort, or rows removed).
    pub(super) fn sort_order(&mut self) {
        let (sort, rows) = (self.sort, &self.rows);
        self.order.clear();
        if !sort.is_default() {
            self.order.extend(0..rows.len());
            self.order.sort_unstable_by(|a, b| sort.cmp(rows, *a, *b));
        }
    }

    /// Rows `from..` (just added) into the order, and those of them the
    /// filter passes into the view: the new ones are sorted, then merged.
    pub(super) fn place_new(&mut self, from: usize) {
        let (sort, rows, query) = (self.sort, &self.rows, &self.query);
        let mut new: Vec<usize> = (from..rows.len()).collect();
        if !sort.is_default() {
            new.sort_unstable_by(|a, b| sort.cmp(rows, *a, *b));
            merge(&mut self.order, &new, |a, b| sort.cmp(rows, a, b));
        }
        new.retain(|at| query.matches(&rows[*at]));
        if sort.is_default() {
            self.visible.extend(new);
        } else {
            merge(&mut self.visible, &new, |a, b| sort.cmp(rows, a, b));
        }
    }

    /// Where row `at` sits in `list` (the order or the view), by its key
    /// as it is now.
    pub(super) fn find(&self, list: &[usize], at: usize) -> Result<usize, usize> {
        let (sort, rows) = (self.sort, &self.rows);
        list.binary_search_by(|p| sort.cmp(rows, *p, at))
    }

    /// Row `at`'s place in the order and the view, found before its last
    /// outcome changes (by its old key), for [`Self::moved`].
    pub(super) fn places(&self, at: usize) -> (Option<usize>, Option<usize>) {
        let in_order = (self.sort.follows_outcomes()).then(|| self.find(&self.order, at).ok());
        (in_order.flatten(), self.find(&self.visible, at).ok())
    }

    /// Row `at`'s last outcome changed: it moves in the order, and into,
    /// out of or within the view. `places` are from [`Self::places`].
    pub(super) fn moved(&mut self, at: usize, places: (Option<usize>, Option<usize>)) {
        // The selection stays on its row, unless that is the row that
        // moves: then it keeps its place, as when a row leaves the view.
        let selected = self
            .visible
            .get(self.selected)
            .copied()
            .filter(|s| *s != at);
        let (in_order, in_view) = places;
        if let Some(old) = in_order {
            self.order.remove(old);
            let new = self.find(&self.order, at).unwrap_or_else(|p| p);
            self.order.insert(new, at);
        }
        let passes = self.query.matches(&self.rows[at]);
        let stays = in_view.is_some() && passes && !self.sort.follows_outcomes();
        if !stays {
            if let Some(old) = in_view {
                self.visible.remove(old);
            }
            if passes {
                let new = self.find(&self.visible, at).unwrap_or_else(|p| p);
                self.visible.insert(new, at);
            }
        }
        self.reselect(selected);
    }

    /// Selects row `at` again if it is still in view; otherwise the
    /// selection keeps its place (the next row takes it), in range.
    pub(super) fn reselect(&mut self, at: Option<usize>) {
        match at.map(|at| self.find(&self.visible, at)) {
            Some(Ok(found)) => self.selected = found,
            _ => self.selected = self.selected.min(self.visible.len().saturating_sub(1)),
        }
        self.offset = self.offset.min(self.selected);
    }
}

/// Merges `new` (sorted by `cmp`) into `into` (sorted by `cmp`).
fn merge(into: &mut Vec<usize>, new: &[usize], cmp: impl Fn(usize, usize) -> Ordering) {
    if new.is_empty() {
        return;
    }
    let old = std::mem::take(into);
    into.reserve_exact(old.len() + new.len());
    let (mut a, mut b) = (old.into_iter().peekable(), new.iter().copied().peekable());
    while let (Some(&x), Some(&y)) = (a.peek(), b.peek()) {
        if cmp(x, y) == Ordering::Greater {
            into.push(y);
            b.next();
        } else {
            into.push(x);
            a.next();
        }
    }
    into.extend(a);
    into.extend(b);
}

impl TaskList {
    /// What `Y` copies: the marked rows (shown or not), else the rows in
    /// view; in display order either way.
    pub fn marked_or_visible(&self) -> Vec<&TaskRow> {
        if self.marked == 0 {
            return self.visible_rows().collect();
        }
        if self.sort.is_default() {
            return self.rows.iter().filter(|r| r.marked()).collect();
        }
        let rows = self.order.iter().map(|at| &self.rows[*at]);
        rows.filter(|r| r.marked()).collect()
    }
}
