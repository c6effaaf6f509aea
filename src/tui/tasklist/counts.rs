//! The task list's counts: rows by what their job is doing, and tasks by
//! their last outcome. Kept by the list as its rows change, never by callers.

use std::borrow::Cow;

use super::super::rows::{AttemptRecord, RowState};

/// Live counts for the status bar, the quit dialog and the monitor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Rows waiting for a slot.
    pub queued: usize,
    /// Rows with a request on the wire (never more than the concurrency).
    pub sending: usize,
    /// Rows whose answer arrived and is being recorded.
    pub answered: usize,
    /// Rows waiting to retry or to be sent once more.
    pub waiting: usize,
    /// Rows whose last outcome is `accepted`.
    pub accepted: usize,
    /// Rows whose last outcome is anything else.
    pub not_accepted: usize,
}

impl Counts {
    /// Jobs not yet finished.
    pub fn in_flight(&self) -> usize {
        self.queued + self.sending + self.answered + self.waiting
    }
}

/// What [`Counts`] is made from, plus the tasks per last outcome.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    queued: usize,
    sending: usize,
    answered: usize,
    waiting: usize,
    /// Tasks per last-outcome label, in the order first seen; no zeros.
    outcomes: Vec<(Cow<'static, str>, usize)>,
}

impl Tally {
    fn phase(&mut self, state: RowState) -> Option<&mut usize> {
        match state {
            RowState::Idle => None,
            RowState::Queued => Some(&mut self.queued),
            RowState::Sending { .. } => Some(&mut self.sending),
            RowState::Answered => Some(&mut self.answered),
            RowState::Retrying { .. } | RowState::Resending { .. } => Some(&mut self.waiting),
        }
    }

    /// A row moved from `old` to `new`.
    pub(super) fn moved(&mut self, old: RowState, new: RowState) {
        if let Some(n) = self.phase(old) {
            *n -= 1;
        }
        if let Some(n) = self.phase(new) {
            *n += 1;
        }
    }

    /// A row's last outcome changed (or the row came or went).
    pub(super) fn outcome(&mut self, old: Option<&AttemptRecord>, new: Option<&AttemptRecord>) {
        if let Some(old) = old
            && let Some(at) = self.outcomes.iter().position(|(l, _)| *l == old.label)
        {
            self.outcomes[at].1 -= 1;
            if self.outcomes[at].1 == 0 {
                self.outcomes.remove(at);
            }
        }
        if let Some(new) = new {
            match self.outcomes.iter_mut().find(|(l, _)| *l == new.label) {
                Some((_, n)) => *n += 1,
                None => self.outcomes.push((new.label.clone(), 1)),
            }
        }
    }

    /// The counts as shown.
    pub(super) fn counts(&self) -> Counts {
        let with_outcome: usize = self.outcomes.iter().map(|(_, n)| n).sum();
        let accepted = self
            .outcomes
            .iter()
            .find(|(l, _)| l == "accepted")
            .map_or(0, |(_, n)| *n);
        Counts {
            queued: self.queued,
            sending: self.sending,
            answered: self.answered,
            waiting: self.waiting,
            accepted,
            not_accepted: with_outcome - accepted,
        }
    }

    /// Tasks per last outcome (labels with at least one task).
    pub(super) fn outcomes(&self) -> impl Iterator<Item = (&str, usize)> {
        self.outcomes.iter().map(|(l, n)| (l.as_ref(), *n))
    }
}
