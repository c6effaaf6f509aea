//! The task list's counts: rows by what their job is doing, and tasks by
//! their last outcome (`rejected` ones also by the server's error). Kept by
//! the list as its rows change, never by callers.

use std::collections::BTreeMap;

use super::super::rows::{AttemptRecord, RowState};
use crate::api::outcome::OutcomeKind;

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
    /// Tasks per last outcome, indexed as [`OutcomeKind::ALL`].
    outcomes: [usize; OutcomeKind::ALL.len()],
    /// Tasks whose last outcome is `rejected`, per the server's error
    /// (empty when it named none); only errors some task has.
    rejected: BTreeMap<Box<str>, usize>,
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
        if let Some(old) = old {
            self.outcomes[index(old.outcome)] -= 1;
            if old.outcome == OutcomeKind::Rejected {
                let error = old.error().unwrap_or_default();
                if let Some(n) = self.rejected.get_mut(error) {
                    *n -= 1;
                    if *n == 0 {
                        self.rejected.remove(error);
                    }
                }
            }
        }
        if let Some(new) = new {
            self.outcomes[index(new.outcome)] += 1;
            if new.outcome == OutcomeKind::Rejected {
                let error = new.error().unwrap_or_default();
                match self.rejected.get_mut(error) {
                    Some(n) => *n += 1,
                    None => {
                        self.rejected.insert(error.into(), 1);
                    }
                }
            }
        }
    }

    /// The counts as shown.
    pub(super) fn counts(&self) -> Counts {
        let with_outcome: usize = self.outcomes.iter().sum();
        let accepted = self.outcomes[index(OutcomeKind::Accepted)];
        Counts {
            queued: self.queued,
            sending: self.sending,
            answered: self.answered,
            waiting: self.waiting,
            accepted,
            not_accepted: with_outcome - accepted,
        }
    }

    /// Tasks per last outcome, in [`OutcomeKind::ALL`]'s order, only the
    /// outcomes at least one task has.
    pub(super) fn outcomes(&self) -> impl Iterator<Item = (OutcomeKind, usize)> + '_ {
        OutcomeKind::ALL
            .into_iter()
            .zip(self.outcomes)
            .filter(|(_, n)| *n > 0)
    }

    /// Tasks whose last outcome is `rejected`, per the server's error, in
    /// the errors' order.
    pub(super) fn rejected(&self) -> impl Iterator<Item = (&str, usize)> + '_ {
        self.rejected.iter().map(|(e, n)| (&**e, *n))
    }
}

/// Where `kind` sits in [`OutcomeKind::ALL`]: its place in the enum, which
/// `ALL` follows (a test in `kind.rs` holds them together). No search: this
/// runs for every row a load adds.
fn index(kind: OutcomeKind) -> usize {
    kind as usize
}
