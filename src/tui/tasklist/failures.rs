//! The failures the monitor lists: the tasks whose last outcome is not
//! `accepted`, grouped by reason (the outcome, and for `rejected` the
//! server's error), counted as they stand now from the list's tally.

use super::super::filter::quoted;
use super::super::rows::TaskRow;
use super::TaskList;
use crate::api::outcome::OutcomeKind;

/// Why a group of tasks stands failed: their last outcome and, for
/// `rejected`, the server's `error` (empty when it named none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureReason {
    /// The tasks' last outcome.
    pub outcome: OutcomeKind,
    /// The server's error, for `rejected` only.
    pub error: Option<String>,
}

/// One group of the failures list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureGroup {
    /// What its tasks have in common.
    pub reason: FailureReason,
    /// How many tasks stand in it now.
    pub tasks: usize,
}

/// Whether tasks whose last outcome is `kind` are a failure to act on:
/// every outcome but `accepted` and `in flight` (another writer's request
/// whose answer is still to come).
fn is_failure(kind: OutcomeKind) -> bool {
    !matches!(kind, OutcomeKind::Accepted | OutcomeKind::InFlight)
}

impl FailureReason {
    /// The task filter that shows exactly this group's tasks:
    /// `outcome:"LABEL"`, and for `rejected` also `error:"ERROR"` (its
    /// quotes and backslashes escaped).
    pub fn filter(&self) -> String {
        let mut text = format!("outcome:{}", quoted(self.outcome.label()));
        if let Some(error) = &self.error {
            text.push_str(&format!(" error:{}", quoted(error)));
        }
        text
    }

    /// Whether `row` stands in this group now.
    pub fn holds(&self, row: &TaskRow) -> bool {
        row.last().is_some_and(|last| {
            last.outcome == self.outcome
                && (self.outcome != OutcomeKind::Rejected
                    || self.error.as_deref() == Some(last.error().unwrap_or_default()))
        })
    }
}

impl TaskList {
    /// The failure groups now, in [`OutcomeKind::ALL`]'s order, `rejected`
    /// split by error in the errors' order; only groups some task is in.
    pub fn failure_groups(&self) -> Vec<FailureGroup> {
        let mut groups = Vec::new();
        for (outcome, tasks) in self.tally.outcomes() {
            if !is_failure(outcome) {
                continue;
            }
            if outcome == OutcomeKind::Rejected {
                groups.extend(self.tally.rejected().map(|(error, tasks)| FailureGroup {
                    reason: FailureReason {
                        outcome,
                        error: Some(error.to_owned()),
                    },
                    tasks,
                }));
            } else {
                groups.push(FailureGroup {
                    reason: FailureReason {
                        outcome,
                        error: None,
                    },
                    tasks,
                });
            }
        }
        groups
    }

    /// For each of `reasons`, up to `n` of the tasks standing in its
    /// group, the newest outcome first (ties: the later added first). One
    /// pass over the rows, whatever the number of groups.
    pub fn newest_in(&self, reasons: &[&FailureReason], n: usize) -> Vec<Vec<&TaskRow>> {
        let mut found: Vec<Vec<&TaskRow>> = vec![Vec::with_capacity(n + 1); reasons.len()];
        // Most rows stand in none of the groups asked for: one look at
        // their outcome's slot passes them over.
        let mut asked = [false; OutcomeKind::ALL.len()];
        for reason in reasons {
            asked[reason.outcome as usize] = true;
        }
        for row in self.rows.iter().rev() {
            let Some(last) = row.last().filter(|l| asked[l.outcome as usize]) else {
                continue;
            };
            let time = last.time;
            let Some(group) = reasons.iter().position(|r| r.holds(row)) else {
                continue;
            };
            let rows = &mut found[group];
            let at = rows.partition_point(|f| f.last().is_some_and(|l| l.time >= time));
            if at < n {
                rows.insert(at, row);
                rows.truncate(n);
            }
        }
        found
    }
}
