//! The task list's promise, tested on generated histories: after any
//! sequence of adds, removes, marks, filters, sends, worker events and
//! cancels, its counts equal a recount of its rows, its failure groups a
//! regrouping of them, its marks the marked rows, its view the rows that
//! pass the filter in the order of its sort (sorted from scratch), and its
//! jobs the rows' jobs.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use jiff::Timestamp;
use proptest::prelude::*;

use super::{Counts, Sort, SortColumn, TaskList};
use crate::api::outcome::OutcomeKind;
use crate::api::{Outcome, TaskId};
use crate::import::ImportedTask;
use crate::tui::filter::Query;
use crate::tui::rows::{AttemptRecord, RowState, TaskRow};
use crate::worker::{JobId, WorkerEvent};

/// One thing that can happen to the list.
#[derive(Debug, Clone)]
enum Op {
    Add(Vec<u8>),
    Remove(Vec<u8>),
    Move(i8),
    ToggleMark,
    MarkAllVisible,
    ClearMarks,
    Filter(&'static str),
    Sort(Sort),
    Submit(Vec<u8>),
    /// Another writer's record becomes a listed task's newest (or, for a
    /// task not listed, a stored row with it is loaded).
    Record(u8, u8, u8),
    /// A worker event for the n-th job in flight (or a stale one).
    Event(u8, Kind),
}

#[derive(Debug, Clone)]
enum Kind {
    Queued,
    Sending(u32),
    RequestEnded,
    Retrying,
    Resending,
    Finished(u8),
    /// A cancel's final word.
    Cancelled,
}

fn id(n: u8) -> TaskId {
    TaskId::parse(&format!("t{}", n % 12)).unwrap()
}

fn outcome(n: u8) -> Outcome {
    let rejected = |error: &str| Outcome::Rejected {
        error: error.into(),
        description: "d".into(),
    };
    match n % 7 {
        0 => Outcome::Accepted {
            body: String::new(),
            new_task_id: None,
        },
        1 => rejected("e"),
        2 => Outcome::FailedOrHung,
        3 => Outcome::Error { detail: "x".into() },
        4 => rejected("quota"),
        5 => rejected(""),
        _ => Outcome::LegalBlock,
    }
}

fn op() -> impl Strategy<Value = Op> {
    let ids = || proptest::collection::vec(any::<u8>(), 0..5);
    let kind = prop_oneof![
        Just(Kind::Queued),
        (1u32..4).prop_map(Kind::Sending),
        Just(Kind::RequestEnded),
        Just(Kind::Retrying),
        Just(Kind::Resending),
        any::<u8>().prop_map(Kind::Finished),
        Just(Kind::Cancelled),
    ];
    prop_oneof![
        ids().prop_map(Op::Add),
        ids().prop_map(Op::Remove),
        any::<i8>().prop_map(Op::Move),
        Just(Op::ToggleMark),
        Just(Op::MarkAllVisible),
        Just(Op::ClearMarks),
        prop::sample::select(vec![
            "",
            "t1",
            "T",
            "acc",
            "hung",
            "ERR",
            "beta",
            "x",
            "!acc",
            "outcome:rejected",
            "error:e",
            "label:alpha !t1",
            "\"never sent\"",
            "\"not accepted\"",
            "label:\"al",
            "beta label:\"al",
        ])
        .prop_map(Op::Filter),
        (
            prop::sample::select(SortColumn::ALL.to_vec()),
            any::<bool>()
        )
            .prop_map(|(column, reversed)| Op::Sort(Sort { column, reversed })),
        ids().prop_map(Op::Submit),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(n, o, t)| Op::Record(n, o, t)),
        (any::<u8>(), kind.clone()).prop_map(|(n, k)| Op::Event(n, k)),
        (any::<u8>(), kind).prop_map(|(n, k)| Op::Event(n, k)),
    ]
}

fn event(job: JobId, kind: Kind) -> WorkerEvent {
    let finished = |outcome| WorkerEvent::Finished {
        job,
        task: id(0),
        outcome,
        status: None,
        attempts: 1,
        queued: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    match kind {
        Kind::Queued => WorkerEvent::Queued { job },
        Kind::Sending(attempt) => WorkerEvent::Sending { job, attempt },
        Kind::RequestEnded => WorkerEvent::RequestEnded { job },
        Kind::Retrying => WorkerEvent::Retrying {
            job,
            attempt: 1,
            delay: Duration::from_secs(1),
            reason: "503".into(),
        },
        Kind::Resending => WorkerEvent::Resending {
            job,
            outcome: Outcome::FailedOrHung,
            status: Some(404),
            attempts: 1,
            queued: Duration::ZERO,
            elapsed: Duration::from_millis(30),
            delay: Duration::from_secs(1),
        },
        Kind::Finished(n) => finished(outcome(n)),
        Kind::Cancelled => finished(Outcome::Cancelled),
    }
}

fn apply(list: &mut TaskList, op: Op) {
    match op {
        Op::Add(ns) => {
            let tasks = ns
                .iter()
                .map(|n| ImportedTask {
                    id: id(*n),
                    label: Some(["alpha", "beta", "", "Alpha"][usize::from(*n % 4)].into()),
                    url: None,
                })
                .collect();
            list.add(tasks);
        }
        Op::Remove(ns) => {
            let ids: Vec<TaskId> = ns.iter().map(|n| id(*n)).collect();
            let jobs: BTreeSet<JobId> = list.jobs_of(&ids).into_iter().collect();
            let handed: BTreeSet<JobId> = list.remove(&ids).into_iter().collect();
            assert_eq!(handed, jobs, "a removal hands back its jobs");
        }
        Op::Move(delta) => list.move_selection(isize::from(delta), 5),
        Op::ToggleMark => list.toggle_mark(),
        Op::MarkAllVisible => list.mark_all_visible(),
        Op::ClearMarks => list.clear_marks(),
        Op::Filter(text) => list.edit_filter(|f| {
            f.clear();
            f.insert(text);
        }),
        Op::Sort(sort) => list.set_sort(sort),
        Op::Record(n, o, t) => {
            let time = Timestamp::from_second(i64::from(t % 3)).unwrap();
            let record = AttemptRecord::from_outcome(
                &outcome(o),
                None,
                1,
                Duration::ZERO,
                time,
                String::new(),
            );
            if list.record_from_elsewhere(&id(n), record.clone()).is_none() {
                let task = ImportedTask {
                    id: id(n),
                    label: None,
                    url: None,
                };
                let row = TaskRow::stored(task, Default::default(), false, Some(record));
                list.push_rows(std::iter::once(row));
            }
        }
        Op::Submit(ns) => {
            let ids: Vec<TaskId> = ns.iter().map(|n| id(*n)).collect();
            list.submit(&ids);
        }
        Op::Event(n, kind) => {
            let mut jobs = list.all_jobs();
            jobs.sort();
            // Now and then a job that is over or never was: ignored.
            let job = jobs
                .get(usize::from(n) % (jobs.len() + 1))
                .copied()
                .unwrap_or(JobId(u64::from(n)));
            // A few distinct times, with ties, for the sort by when.
            let at = Timestamp::from_second(i64::from(n % 3)).unwrap();
            list.apply(event(job, kind), at);
        }
    }
}

/// Every promise, checked against the rows themselves.
fn check(list: &TaskList) {
    let rows = list.rows();
    let mut counts = Counts::default();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for row in rows {
        match row.state() {
            RowState::Idle => {}
            RowState::Queued => counts.queued += 1,
            RowState::Sending { .. } => counts.sending += 1,
            RowState::Answered => counts.answered += 1,
            RowState::Retrying { .. } | RowState::Resending { .. } => counts.waiting += 1,
        }
        if let Some(last) = row.last() {
            *outcomes
                .entry(last.outcome.label().to_string())
                .or_default() += 1;
            if last.is_accepted() {
                counts.accepted += 1;
            } else {
                counts.not_accepted += 1;
            }
        }
    }
    assert_eq!(list.counts(), counts);
    let kept: BTreeMap<String, usize> = list
        .outcomes()
        .map(|(k, n)| (k.label().to_owned(), n))
        .collect();
    assert_eq!(kept, outcomes);
    check_failures(list);
    assert_eq!(list.marked(), rows.iter().filter(|r| r.marked()).count());
    let (query, error) = Query::parse_lenient(list.filter().value());
    assert_eq!(list.filter_error(), error.as_ref(), "a mistake is said");
    let mut shown: Vec<usize> = (0..rows.len())
        .filter(|at| query.matches(&rows[*at]))
        .collect();
    let sort = list.sort();
    shown.sort_by(|a, b| sort.cmp(rows, *a, *b));
    assert_eq!(list.visible(), shown);
    assert!(list.selected() < shown.len().max(1));
    let with_jobs: BTreeSet<JobId> = rows.iter().filter_map(|r| r.job()).collect();
    let jobs: BTreeSet<JobId> = list.all_jobs().into_iter().collect();
    assert_eq!(jobs, with_jobs, "the jobs in flight are the rows' jobs");
    let run = list.run();
    assert_eq!(
        run.total() - run.done(),
        jobs.len(),
        "the run waits for exactly the jobs in flight"
    );
    assert!(run.accepted() <= run.done());
    for (at, row) in rows.iter().enumerate() {
        assert_eq!(list.position(&row.id), Some(at));
        assert_eq!(row.job().is_some(), row.state() != RowState::Idle);
    }
}

/// The failure groups against the rows regrouped: one per reason some
/// task stands in now, in the order of the outcomes then the errors, each
/// with its count and its newest tasks.
fn check_failures(list: &TaskList) {
    let rows = list.rows();
    let mut regrouped: BTreeMap<(usize, Option<String>), Vec<usize>> = BTreeMap::new();
    for (at, row) in rows.iter().enumerate() {
        let Some(last) = row.last() else { continue };
        if matches!(last.outcome, OutcomeKind::Accepted | OutcomeKind::InFlight) {
            continue;
        }
        let error = (last.outcome == OutcomeKind::Rejected)
            .then(|| last.error().unwrap_or_default().to_owned());
        regrouped
            .entry((last.outcome as usize, error))
            .or_default()
            .push(at);
    }
    let groups = list.failure_groups();
    let kept: Vec<((usize, Option<String>), usize)> = groups
        .iter()
        .map(|g| ((g.reason.outcome as usize, g.reason.error.clone()), g.tasks))
        .collect();
    let want: Vec<((usize, Option<String>), usize)> = regrouped
        .iter()
        .map(|(k, ats)| (k.clone(), ats.len()))
        .collect();
    assert_eq!(kept, want, "failure groups are the rows regrouped");
    let reasons: Vec<_> = groups.iter().map(|g| &g.reason).collect();
    let newest = list.newest_in(&reasons, 3);
    for ((_, ats), found) in regrouped.iter().zip(newest) {
        let mut ats = ats.clone();
        ats.sort_by_key(|at| std::cmp::Reverse((rows[*at].last().unwrap().time, *at)));
        let want: Vec<&str> = ats.iter().take(3).map(|at| rows[*at].id.as_str()).collect();
        let found: Vec<&str> = found.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(found, want, "newest first, ties the later added first");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn counts_marks_view_and_jobs_always_agree_with_the_rows(
        ops in proptest::collection::vec(op(), 1..60)
    ) {
        let mut list = TaskList::default();
        for op in ops {
            apply(&mut list, op);
            check(&list);
        }
    }
}
