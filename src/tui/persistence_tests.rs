//! `update` tests for what touches the store: loading, saving, history,
//! the monitoring tab, export, and the failed-or-hung re-send countdown.

use std::time::Duration;

use jiff::Timestamp;
use ratatui::crossterm::event::KeyCode;

use super::app::{Account, App, RowState, Tab};
use super::message::{Command, Message};
use super::monitor::Window;
use super::test_support::{answer, app_at, press};
use super::update::update;
use crate::api::outcome::OutcomeKind;
use crate::api::{Outcome, ProcessingType, RescanParams, TaskId};
use crate::import::parse_any;
use crate::store::{HistoryRecord, StoredParams, StoredTask, TaskChunk};
use crate::worker::{JobId, WorkerEvent};

const NOW: i64 = 1_795_000_000_000;

fn app() -> App {
    app_at((120, 30), &[])
}

fn record(task: &str, outcome: &str) -> HistoryRecord {
    HistoryRecord {
        params: "file_ext=zip".into(),
        attempts: 0,
        finished: false,
        ..answer(task, NOW - 60_000, outcome.parse().unwrap(), None)
    }
}

/// A whole load in one chunk.
fn chunk(tasks: Vec<StoredTask>) -> TaskChunk {
    TaskChunk {
        total: tasks.len(),
        tasks,
    }
}

fn stored(id: &str, last: Option<HistoryRecord>) -> StoredTask {
    let params = RescanParams {
        file_ext: Some("zip".into()),
        processing_type: Some(ProcessingType::ExecOnly),
        ..Default::default()
    };
    StoredTask {
        id: TaskId::parse(id).unwrap(),
        label: format!("label {id}"),
        url: None,
        params: StoredParams::from_params(&params, false),
        last,
    }
}

#[test]
fn loading_restores_tasks_parameters_and_last_outcomes() {
    let mut app = app();
    app.loading = true;
    assert!(app.animating(), "the loading spinner ticks");
    let tasks = vec![
        stored("s-1", Some(record("s-1", "interrupted"))),
        stored("s-2", None),
    ];
    let commands = update(&mut app, Message::Loaded(Ok(chunk(tasks))));
    assert!(app.loading, "more chunks may follow");
    update(&mut app, Message::LoadFinished);
    assert!(!app.loading);
    assert_eq!(app.tasks.len(), 2);
    assert_eq!(
        app.tasks.rows()[0].params_text(),
        "file_ext=zip&processing_type=exec-only"
    );
    let last = app.tasks.rows()[0].last().unwrap();
    assert_eq!(last.outcome, OutcomeKind::Interrupted);
    assert!(last.description().contains("outcome unknown"));
    assert_eq!(
        (app.tasks.counts().accepted, app.tasks.counts().not_accepted),
        (0, 1)
    );
    assert!(
        matches!(&commands[..], [Command::LoadHistory(id)] if id.as_str() == "s-1"),
        "the selected task's history is read"
    );
}

#[test]
fn adding_editing_and_deleting_are_saved() {
    let mut app = app();
    let commands = update(&mut app, Message::Paste("n-1\nn-2".into()));
    assert!(matches!(&commands[0], Command::SaveTasks(t) if t.len() == 2));
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    for c in "exe".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let commands = press(&mut app, KeyCode::Enter);
    let Some(Command::SaveTasks(saved)) = commands.first() else {
        panic!("{commands:?}")
    };
    assert_eq!(saved[0].params.file_ext.as_deref(), Some("exe"));
    press(&mut app, KeyCode::Char('d'));
    let commands = press(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(&commands[0], Command::RemoveTasks(ids) if ids[0].as_str() == "n-1"),
        "{commands:?}"
    );
}

#[test]
fn history_is_read_once_per_selection_and_again_after_a_result() {
    let mut app = app();
    update(&mut app, Message::Paste("h-1\nh-2".into()));
    let commands = press(&mut app, KeyCode::Char('j'));
    assert!(matches!(&commands[..], [Command::LoadHistory(id)] if id.as_str() == "h-2"));
    assert!(
        press(&mut app, KeyCode::Char('j')).is_empty(),
        "same selection: not read again"
    );
    let id = TaskId::parse("h-2").unwrap();
    update(
        &mut app,
        Message::History {
            task: id.clone(),
            result: Ok(vec![record("h-2", "accepted")]),
        },
    );
    assert_eq!(app.history.as_ref().unwrap().records.len(), 1);
    let jobs: Vec<JobId> = press(&mut app, KeyCode::Char('r'))
        .into_iter()
        .flat_map(|c| match c {
            Command::Submit(j) => j.into_iter().map(|j| j.id).collect(),
            _ => vec![],
        })
        .collect();
    let finished = WorkerEvent::Finished {
        job: jobs[0],
        task: id,
        outcome: crate::api::Outcome::LegalBlock,
        status: Some(451),
        attempts: 1,
        queued: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    let commands = update(
        &mut app,
        Message::Worker {
            event: finished,
            at: Timestamp::from_millisecond(NOW).unwrap(),
        },
    );
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, Command::LoadHistory(id) if id.as_str() == "h-2")),
        "{commands:?}"
    );
}

#[test]
fn the_monitor_tab_reads_numbers_for_its_window_and_filters() {
    let mut app = app();
    let commands = press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Monitor);
    let Some(Command::LoadMonitor(q)) = commands.first() else {
        panic!("{commands:?}")
    };
    assert_eq!(q.since, Some(NOW - 3_600_000), "1 h by default");
    assert_eq!(q.bucket_ms, 60_000);
    let commands = press(&mut app, KeyCode::Char('w'));
    assert_eq!(app.monitor.window, Window::Day);
    assert!(
        matches!(&commands[..], [Command::LoadMonitor(q)] if q.since == Some(NOW - 86_400_000))
    );
    press(&mut app, KeyCode::Char('o'));
    assert_eq!(app.monitor.outcome, Some(OutcomeKind::Accepted));
    press(&mut app, KeyCode::Char('/'));
    let commands = press(&mut app, KeyCode::Char('z'));
    assert!(
        matches!(&commands[..], [Command::LoadMonitor(q)] if q.text.as_deref() == Some("z") && q.outcome == Some(OutcomeKind::Accepted))
    );
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Esc);
    assert_eq!((app.monitor.outcome, app.monitor.text.value()), (None, ""));
    press(&mut app, KeyCode::Char('1'));
    assert_eq!(app.tab, Tab::Tasks);
    assert!(
        press(&mut app, KeyCode::Char('w')).is_empty(),
        "w does nothing on the task tab"
    );
}

#[test]
fn results_refresh_the_monitor_at_most_once_a_second() {
    let mut app = app();
    update(&mut app, Message::Paste("m-1\nm-2\nm-3".into()));
    press(&mut app, KeyCode::Char('*'));
    press(&mut app, KeyCode::Char('r'));
    let jobs: Vec<JobId> = press(&mut app, KeyCode::Char('y'))
        .into_iter()
        .flat_map(|c| match c {
            Command::Submit(j) => j.into_iter().map(|j| j.id).collect(),
            _ => vec![],
        })
        .collect();
    press(&mut app, KeyCode::Char('2'));
    let finish = |app: &mut App, n: usize, at: i64| {
        let event = WorkerEvent::Finished {
            job: jobs[n],
            task: TaskId::parse(&format!("m-{}", n + 1)).unwrap(),
            outcome: crate::api::Outcome::FailedOrHung,
            status: Some(404),
            attempts: 1,
            queued: Duration::ZERO,
            elapsed: Duration::ZERO,
        };
        update(
            app,
            Message::Worker {
                event,
                at: Timestamp::from_millisecond(at).unwrap(),
            },
        )
    };
    let loads = |c: &[Command]| {
        c.iter()
            .filter(|c| matches!(c, Command::LoadMonitor(_)))
            .count()
    };
    assert_eq!(
        loads(&finish(&mut app, 0, NOW + 100)),
        0,
        "read just now when the tab opened"
    );
    assert_eq!(
        loads(&update(
            &mut app,
            Message::Tick(Timestamp::from_millisecond(NOW + 1_100).unwrap())
        )),
        1
    );
    assert_eq!(loads(&finish(&mut app, 1, NOW + 1_200)), 0);
    assert_eq!(
        loads(&finish(&mut app, 2, NOW + 1_300)),
        1,
        "the last result is shown at once"
    );
}

#[test]
fn x_exports_what_the_tab_shows() {
    let mut app = app();
    update(&mut app, Message::Paste("e-1".into()));
    press(&mut app, KeyCode::Char('/'));
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('x'));
    for c in "/tmp/out.csv".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let commands = press(&mut app, KeyCode::Enter);
    let Some(Command::ExportTasks { path, tasks }) = commands.first() else {
        panic!("{commands:?}")
    };
    assert_eq!(path.to_str(), Some("/tmp/out.csv"));
    let ids: Vec<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
    assert_eq!(ids, ["e-1"], "the tasks in view");
    press(&mut app, KeyCode::Char('2'));
    press(&mut app, KeyCode::Char('x'));
    for c in "out.json".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    let commands = press(&mut app, KeyCode::Enter);
    let Some(Command::Export { query, .. }) = commands.first() else {
        panic!("{commands:?}")
    };
    assert_eq!(query.since, Some(NOW - 3_600_000), "the monitor's window");
    update(
        &mut app,
        Message::Exported(Err(
            "out.json already exists; choose another name (nothing was overwritten)".into(),
        )),
    );
    assert!(app.notice.as_ref().unwrap().is_error);
}

#[test]
fn a_failed_or_hung_resend_counts_down_and_can_be_cancelled() {
    let mut app = app();
    update(&mut app, Message::Paste("w-1".into()));
    let job = match press(&mut app, KeyCode::Char('r')).remove(0) {
        Command::Submit(jobs) => jobs[0].id,
        other => panic!("{other:?}"),
    };
    let resend = WorkerEvent::Resending {
        job,
        outcome: Outcome::FailedOrHung,
        status: Some(404),
        attempts: 1,
        queued: Duration::ZERO,
        elapsed: Duration::from_millis(800),
        delay: Duration::from_secs(300),
    };
    update(
        &mut app,
        Message::Worker {
            event: resend,
            at: Timestamp::from_millisecond(NOW).unwrap(),
        },
    );
    assert!(matches!(
        app.tasks.rows()[0].state(),
        RowState::Resending { .. }
    ));
    assert_eq!(
        app.tasks.rows()[0].last().unwrap().outcome,
        OutcomeKind::FailedOrHung
    );
    assert_eq!(app.tasks.counts().waiting, 1);
    assert!(app.animating(), "the countdown ticks");
    let commands = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(&commands[..], [Command::Cancel(j)] if j == &vec![job]));
}

/// The row holds the verdict the worker reported for the round before the
/// re-send, not a made-up `404` after one attempt in no time.
#[test]
fn a_resend_row_shows_the_attempts_and_time_the_worker_reported() {
    let mut app = app();
    update(&mut app, Message::Paste("w-1".into()));
    let job = match press(&mut app, KeyCode::Char('r')).remove(0) {
        Command::Submit(jobs) => jobs[0].id,
        other => panic!("{other:?}"),
    };
    let at = Timestamp::from_millisecond(NOW + 9_000).unwrap();
    let resend = WorkerEvent::Resending {
        job,
        outcome: Outcome::FailedOrHung,
        status: Some(404),
        attempts: 3,
        queued: Duration::ZERO,
        elapsed: Duration::from_millis(8_250),
        delay: Duration::from_secs(300),
    };
    update(&mut app, Message::Worker { event: resend, at });
    let last = app.tasks.rows()[0].last().expect("the round's verdict");
    assert_eq!(
        (
            last.outcome.label(),
            last.status,
            last.attempts,
            last.elapsed
        ),
        (
            "failed or hung",
            Some(404),
            3,
            Some(Duration::from_millis(8_250))
        )
    );
    assert_eq!(last.time, at);
    assert_eq!(app.tasks.counts().waiting, 1, "still counted as waiting");
}

#[test]
fn loading_does_not_duplicate_tasks_already_listed() {
    let mut app = app();
    update(
        &mut app,
        Message::DemoReady {
            account: Account::default(),
            concurrency: 4,
            tasks: parse_any("d-1", "demo").tasks,
        },
    );
    update(
        &mut app,
        Message::Loaded(Ok(chunk(vec![stored("d-1", None), stored("d-2", None)]))),
    );
    assert_eq!(app.tasks.len(), 2);
}

/// The commands' saves carried out on `store` as the session does, with
/// `remember_unzip_passwords` off.
fn write_saves(store: &mut crate::store::Store, commands: Vec<Command>) {
    for command in commands {
        if let Command::SaveTasks(tasks) = command {
            let stored: Vec<StoredTask> = tasks.into_iter().map(|t| t.into_stored(false)).collect();
            store.upsert_tasks(&stored).unwrap();
        }
    }
}

#[test]
fn an_unzip_password_not_kept_across_a_restart_is_asked_for_by_r() {
    use secrecy::ExposeSecret;
    let dir = tempfile::tempdir().unwrap();
    let mut store = crate::store::Store::open(dir.path()).unwrap();
    let mut before = app();
    write_saves(
        &mut store,
        update(&mut before, Message::Paste("u-1".into())),
    );
    press(&mut before, KeyCode::Char('e'));
    press(&mut before, KeyCode::Tab);
    press(&mut before, KeyCode::Tab);
    press(&mut before, KeyCode::Left);
    press(&mut before, KeyCode::Tab);
    for c in "infected".chars() {
        press(&mut before, KeyCode::Char(c));
    }
    write_saves(&mut store, press(&mut before, KeyCode::Enter));
    drop(store);

    // The restart: a new dashboard reads the inventory back.
    let store = crate::store::Store::open(dir.path()).unwrap();
    let mut after = app();
    let tasks = store.load_tasks().unwrap();
    assert!(tasks[0].params.unzip_password.is_none(), "not on disk");
    update(&mut after, Message::Loaded(Ok(chunk(tasks))));
    update(&mut after, Message::LoadFinished);
    assert!(after.tasks.rows()[0].unzip_password_not_kept());
    let commands = press(&mut after, KeyCode::Char('r'));
    assert!(
        !commands.iter().any(|c| matches!(c, Command::Submit(_))),
        "not sent without it: {commands:?}"
    );
    assert!(matches!(after.mode, super::app::Mode::UnzipPassword(_)));
    for c in "infected".chars() {
        press(&mut after, KeyCode::Char(c));
    }
    let job = match press(&mut after, KeyCode::Enter).remove(0) {
        Command::Submit(mut jobs) => jobs.remove(0),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        job.params.processing_type,
        Some(ProcessingType::UnzipAndExec)
    );
    assert_eq!(
        job.params
            .unzip_password
            .map(|s| s.expose_secret().to_owned()),
        Some("infected".to_owned())
    );
}

#[test]
fn tasks_and_outcomes_other_writers_commit_join_the_list() {
    let mut app = app();
    update(&mut app, Message::Paste("mine-1".into()));
    let mine = TaskId::parse("mine-1").unwrap();
    let params = RescanParams {
        file_ext: Some("exe".into()),
        ..RescanParams::default()
    };
    app.tasks.set_params(&mine, params, false);
    let changes = crate::store::Changes {
        // mine-1 again: a listed task keeps what the list has.
        tasks: vec![
            stored("mine-1", None),
            stored("theirs-1", Some(record("theirs-1", "accepted"))),
        ],
        records: vec![record("mine-1", "rejected"), record("unlisted", "error")],
    };
    update(&mut app, Message::OthersWrote(Ok(changes)));
    let shown: Vec<(&str, Option<&str>)> = app
        .tasks
        .rows()
        .iter()
        .map(|r| (r.id.as_str(), r.last().map(|l| l.outcome.label())))
        .collect();
    assert_eq!(
        shown,
        [("mine-1", Some("rejected")), ("theirs-1", Some("accepted"))]
    );
    assert_eq!(
        app.tasks.rows()[0].params().file_ext.as_deref(),
        Some("exe")
    );
    let counts = app.tasks.counts();
    assert_eq!((counts.accepted, counts.not_accepted), (1, 1));
    assert_eq!(app.tasks.visible(), [0, 1]);
}

#[test]
fn the_interrupted_rescans_are_named_at_start_and_enter_shows_their_tasks() {
    let mut app = app();
    let tasks = vec![
        stored("s-1", Some(record("s-1", "interrupted"))),
        stored("s-2", Some(record("s-2", "accepted"))),
    ];
    update(&mut app, Message::InterruptedAtStart(1));
    update(&mut app, Message::Loaded(Ok(chunk(tasks))));
    update(
        &mut app,
        Message::Imported {
            source: "--tasks t.txt".into(),
            result: Ok(parse_any("s-3", "t.txt")),
        },
    );
    let notice = app.notice.clone().expect("a notice");
    assert!(
        notice
            .text
            .starts_with("1 rescans were interrupted when tae-rescan last stopped"),
        "{notice:?}"
    );
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.mode, super::app::Mode::Normal),
        "no form opened"
    );
    assert_eq!(app.tasks.filter().value(), "interrupted");
    assert_eq!(app.tasks.visible(), [0]);
    assert!(app.notice.is_none());
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.mode, super::app::Mode::Form(_)),
        "Enter edits again"
    );
}
