//! `update` tests for failures you can act on: the monitor's failures
//! grouped by reason as the tasks stand now, focused with `f`, moved in,
//! scrolled and clicked, Enter showing a group on the task tab, and `R`
//! without marks offering every task in view that may be mended.

use std::time::Duration;

use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::app::{App, ConfirmAction, Mode, Tab};
use super::message::{Command, Message};
use super::test_support::{AT, answer, app_at, press};
use super::update::update;
use super::view::failures_body;
use crate::api::outcome::OutcomeKind;
use crate::api::{Outcome, TaskId};
use crate::store::{HistoryRecord, MonitorData, RecordId, StoredParams, StoredTask, TaskChunk};
use crate::worker::WorkerEvent;

fn app_with(ids: &[&str]) -> App {
    app_at((120, 40), ids)
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| super::view::view(app, f)).unwrap();
    format!("{}", terminal.backend())
}

fn id(text: &str) -> TaskId {
    TaskId::parse(text).unwrap()
}

fn rejected(error: &str) -> Outcome {
    Outcome::Rejected {
        error: error.into(),
        description: "the service refused it".into(),
    }
}

fn accepted() -> Outcome {
    Outcome::Accepted {
        body: String::new(),
        new_task_id: None,
    }
}

/// Sends `task` (the list's own path: its job) and has the worker end it
/// `outcome`, `secs` after [`AT`]; `on_wire` first puts its request on the
/// wire (a cancel then ends it `cancelled`).
fn ends(app: &mut App, task: &str, outcome: Outcome, secs: i64, on_wire: bool) {
    let jobs = app.tasks.submit(&[id(task)]);
    let job = jobs[0].id;
    let at = Timestamp::from_second(AT + secs).unwrap();
    if on_wire {
        let event = WorkerEvent::Sending { job, attempt: 1 };
        update(app, Message::Worker { event, at });
    }
    let event = WorkerEvent::Finished {
        job,
        task: id(task),
        outcome,
        status: None,
        attempts: 1,
        elapsed: Duration::ZERO,
        queued: Duration::ZERO,
    };
    update(app, Message::Worker { event, at });
}

/// The monitor tab with its numbers read (the failures list is drawn
/// once they are).
fn on_monitor(app: &mut App) {
    press(app, KeyCode::Char('2'));
    update(app, Message::Monitor(Ok(MonitorData::default())));
}

/// The failures list's lines on screen, trimmed.
fn failure_lines(app: &App) -> Vec<String> {
    let body = failures_body(app.size);
    let screen = draw(app);
    screen
        .lines()
        .skip(usize::from(body.y))
        .take(usize::from(body.height))
        .map(|l| {
            l.trim_matches(|c| c == '"' || c == '│' || c == ' ')
                .to_owned()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// Tasks in every failure, one sent again and accepted, at known times.
fn mixed() -> App {
    let mut app = app_with(&["f-1", "f-2", "r-1", "r-2", "r-3", "e-1", "a-1", "n-1"]);
    ends(&mut app, "f-1", Outcome::FailedOrHung, 1, false);
    ends(&mut app, "f-2", Outcome::FailedOrHung, 2, false);
    ends(&mut app, "r-1", rejected("invalid-params"), 3, false);
    ends(&mut app, "r-2", rejected("too-large-file"), 4, false);
    ends(&mut app, "r-3", rejected("invalid-params"), 5, false);
    let error = Outcome::Error {
        detail: "timeout".into(),
    };
    ends(&mut app, "e-1", error, 6, false);
    ends(&mut app, "a-1", accepted(), 7, false);
    ends(&mut app, "f-1", accepted(), 8, false);
    app
}

#[test]
fn failures_are_grouped_by_reason_as_the_tasks_stand_now() {
    let mut app = mixed();
    ends(&mut app, "e-1", Outcome::FailedOrHung, 9, false);
    let groups: Vec<(String, Option<String>, usize)> = app
        .tasks
        .failure_groups()
        .into_iter()
        .map(|g| (g.reason.outcome.to_string(), g.reason.error, g.tasks))
        .collect();
    let rejected = |e: &str, n| ("rejected".to_owned(), Some(e.to_owned()), n);
    assert_eq!(
        groups,
        [
            rejected("invalid-params", 2),
            rejected("too-large-file", 1),
            ("failed or hung".to_owned(), None, 2),
        ],
        "f-1 was accepted since and is in no group; e-1 now stands failed or hung"
    );
    on_monitor(&mut app);
    let lines = failure_lines(&app);
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(
        lines[0].starts_with("✗ rejected · invalid-params"),
        "{lines:#?}"
    );
    assert!(
        lines[0].contains(" 2 tasks   newest first: r-3, r-1"),
        "{lines:#?}"
    );
    assert!(
        lines[1].contains(" 1 task   newest first: r-2"),
        "{lines:#?}"
    );
    assert!(lines[2].starts_with("↻ failed or hung"), "{lines:#?}");
    assert!(
        lines[2].contains("2 tasks   newest first: e-1, f-2"),
        "newest first inside the group: {lines:#?}"
    );
}

#[test]
fn f_focuses_the_failures_and_j_k_move_in_the_list_that_has_the_focus() {
    let mut app = mixed();
    on_monitor(&mut app);
    assert!(!app.monitor.failures_focused);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(
        app.tasks.selected(),
        1,
        "unfocused: j moves the timeline's task"
    );
    let screen = draw(&app);
    assert!(
        screen.contains("Failures now, by reason (f to choose)"),
        "{screen}"
    );
    press(&mut app, KeyCode::Char('f'));
    assert!(app.monitor.failures_focused);
    assert!(
        draw(&app).contains("Failures now, by reason · Enter shows a group's tasks · f back"),
        "{}",
        draw(&app)
    );
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.monitor.failure, 2);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.monitor.failure, 3, "four groups: the last");
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.monitor.failure, 3, "clamped at the end");
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(app.monitor.failure, 2);
    assert_eq!(app.tasks.selected(), 1, "the timeline's task stays");
    press(&mut app, KeyCode::Char('g'));
    assert_eq!(app.monitor.failure, 0);
    press(&mut app, KeyCode::Char('f'));
    assert!(
        !app.monitor.failures_focused,
        "f again gives the focus back"
    );
    press(&mut app, KeyCode::Char('j'));
    assert_eq!((app.tasks.selected(), app.monitor.failure), (2, 0));
}

/// The monitor at 120x24 with thirty failure groups, `err-00` (oldest)
/// to `err-29`: more than the list shows at once.
fn thirty_groups_on_a_short_terminal() -> App {
    let ids: Vec<String> = (0..30).map(|n| format!("t-{n:02}")).collect();
    let mut app = app_with(&ids.iter().map(String::as_str).collect::<Vec<_>>());
    app.size = (120, 24);
    for (n, task) in ids.iter().enumerate() {
        ends(
            &mut app,
            task,
            rejected(&format!("err-{n:02}")),
            n as i64,
            false,
        );
    }
    on_monitor(&mut app);
    app
}

/// Thirty groups on a short terminal: the list scrolls to the selection.
#[test]
fn the_failures_list_scrolls_to_keep_the_selection_on_screen() {
    let mut app = thirty_groups_on_a_short_terminal();
    let page = usize::from(failures_body(app.size).height);
    assert!(page < 30, "the list must not fit: {page}");
    assert!(failure_lines(&app)[0].contains("err-00"));
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(app.monitor.failure, 29);
    assert_eq!(app.monitor.failure_offset, 30 - page);
    let lines = failure_lines(&app);
    assert!(lines.last().unwrap().contains("err-29"), "{lines:#?}");
    assert!(!lines.iter().any(|l| l.contains("err-00")), "{lines:#?}");
    press(&mut app, KeyCode::PageUp);
    assert_eq!(app.monitor.failure, 29 - page);
    assert_eq!(app.monitor.failure_offset, 29 - page);
    press(&mut app, KeyCode::Home);
    assert_eq!((app.monitor.failure, app.monitor.failure_offset), (0, 0));
}

fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) {
    let event = MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    };
    update(app, Message::Mouse(event));
}

#[test]
fn a_click_selects_a_failure_group_and_the_wheel_scrolls_the_list() {
    let mut app = thirty_groups_on_a_short_terminal();
    let body = failures_body(app.size);
    mouse(
        &mut app,
        MouseEventKind::Down(MouseButton::Left),
        body.x + 5,
        body.y + 2,
    );
    assert!(app.monitor.failures_focused, "a click focuses the list");
    assert_eq!(app.monitor.failure, 2);
    let left = MouseEventKind::Down(MouseButton::Left);
    mouse(&mut app, left, body.x + 5, body.y + body.height);
    assert_eq!(app.monitor.failure, 2, "below the list: nothing");
    for _ in 0..10 {
        mouse(&mut app, MouseEventKind::ScrollDown, body.x + 5, body.y);
    }
    assert_eq!(app.monitor.failure, 29);
    assert!(
        app.monitor.failure_offset > 0,
        "the wheel scrolled the list"
    );
    mouse(&mut app, left, body.x + 5, body.y);
    assert_eq!(app.monitor.failure, app.monitor.failure_offset);
    assert_eq!(app.tasks.selected(), 0, "the task selection stays");
}

/// Marks left from an earlier run would have `*` `r` and `R` act on tasks
/// the group's filter hides: Enter clears them and says so.
#[test]
fn enter_on_a_group_clears_the_marks_so_r_acts_on_the_group() {
    let mut app = mixed();
    press(&mut app, KeyCode::Char('*'));
    assert_eq!(app.tasks.marked(), 8);
    on_monitor(&mut app);
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.tasks.filter().value(), r#"outcome:"failed or hung""#);
    assert_eq!(app.tasks.marked(), 0);
    let notice = app.notice.as_ref().map(|n| n.text.as_str());
    assert_eq!(notice, Some("8 marks cleared: r and R act on this group"));
    press(&mut app, KeyCode::Char('R'));
    match &app.mode {
        Mode::Confirm(c) => {
            assert_eq!(c.title(&app.tasks.counts()), "Re-send 1 task?");
            assert_eq!(c.lines, ["f-2"]);
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('*'));
    let sent = submitted(&press(&mut app, KeyCode::Char('r')));
    assert_eq!(sent, ["f-2"], "the one task of the group, at once");
}

#[test]
fn enter_on_a_group_shows_its_tasks_on_the_task_tab_with_the_filter() {
    let mut app = mixed();
    on_monitor(&mut app);
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.tab, Tab::Monitor, "Enter does nothing unfocused");
    press(&mut app, KeyCode::Char('f'));
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.tab, Tab::Tasks);
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.tasks.filter().value(), r#"outcome:"failed or hung""#);
    assert_eq!(app.tasks.selected(), 0);
    let screen = draw(&app);
    assert!(
        screen.contains(r#"· filter: outcome:"failed or hung" "#),
        "the filter is shown: {screen}"
    );

    press(&mut app, KeyCode::Char('2'));
    assert!(app.monitor.failures_focused, "the focus is kept");
    press(&mut app, KeyCode::Char('g'));
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.tab, Tab::Tasks);
    assert_eq!(
        app.tasks.filter().value(),
        r#"outcome:"rejected" error:"too-large-file""#
    );
}

/// A restart reads each task's last outcome with the server's error:
/// rejected tasks group by it as before, and a live answer moves a task
/// between the groups.
#[test]
fn rejected_tasks_read_back_at_start_group_by_their_error() {
    let mut app = app_with(&[]);
    let stored = |task: &str, error: Option<&str>| StoredTask {
        id: id(task),
        label: String::new(),
        url: None,
        params: StoredParams::default(),
        last: Some(HistoryRecord {
            status: Some(400),
            ..answer(task, AT * 1000, OutcomeKind::Rejected, error)
        }),
    };
    let tasks = vec![
        stored("a", Some("invalid-params")),
        stored("b", Some("invalid-params")),
        stored("c", None),
    ];
    update(&mut app, Message::Loaded(Ok(TaskChunk { total: 3, tasks })));
    let groups = |app: &App| -> Vec<(Option<String>, usize)> {
        app.tasks
            .failure_groups()
            .into_iter()
            .map(|g| (g.reason.error, g.tasks))
            .collect()
    };
    assert_eq!(
        groups(&app),
        [(Some(String::new()), 1), (Some("invalid-params".into()), 2)]
    );
    ends(&mut app, "b", rejected("too-large-file"), 1, false);
    assert_eq!(
        groups(&app),
        [
            (Some(String::new()), 1),
            (Some("invalid-params".into()), 1),
            (Some("too-large-file".into()), 1)
        ]
    );
    on_monitor(&mut app);
    assert!(failure_lines(&app)[0].starts_with("✗ rejected · no error named"));
}

/// Every kind `R` offers, and some it does not: a task cancelled before
/// its request left keeps its last outcome (`accepted` here).
fn resendable() -> App {
    let mut app = app_with(&["fh", "er", "cw", "cq", "ok", "rj", "nv"]);
    ends(&mut app, "fh", Outcome::FailedOrHung, 1, false);
    let error = Outcome::Error {
        detail: "HTTP 502".into(),
    };
    ends(&mut app, "er", error, 2, false);
    ends(&mut app, "cw", Outcome::Cancelled, 3, true);
    ends(&mut app, "cq", accepted(), 4, false);
    ends(&mut app, "cq", Outcome::Cancelled, 5, false);
    ends(&mut app, "ok", accepted(), 6, false);
    ends(&mut app, "rj", rejected("invalid-params"), 7, false);
    // A rescan a crash interrupted, read back from the store.
    let interrupted = HistoryRecord {
        id: RecordId(9),
        finished: false,
        ..answer("in", AT * 1000, OutcomeKind::Interrupted, None)
    };
    let stored = StoredTask {
        id: id("in"),
        label: String::new(),
        url: None,
        params: StoredParams::default(),
        last: Some(interrupted),
    };
    let chunk = TaskChunk {
        total: 1,
        tasks: vec![stored],
    };
    update(&mut app, Message::Loaded(Ok(chunk)));
    app
}

fn submitted(commands: &[Command]) -> Vec<String> {
    commands
        .iter()
        .flat_map(|c| match c {
            Command::Submit(jobs) => jobs.iter().map(|j| j.task.to_string()).collect(),
            _ => vec![],
        })
        .collect()
}

#[test]
fn r_without_marks_offers_every_task_in_view_that_may_be_mended() {
    let mut app = resendable();
    assert_eq!(app.tasks.marked(), 0);
    assert!(
        press(&mut app, KeyCode::Char('R')).is_empty(),
        "it asks first"
    );
    let Mode::Confirm(confirm) = &app.mode else {
        panic!("R without marks asks: {:?}", app.mode)
    };
    let offered = ["fh", "er", "cw", "in"];
    assert_eq!(confirm.lines, offered);
    assert!(matches!(&confirm.action, ConfirmAction::Resend(ids) if ids.len() == 4));
    assert!(!confirm.yes_focused, "Cancel is the default");
    let screen = draw(&app);
    assert!(screen.contains(" Re-send 4 tasks? "), "{screen}");
    assert!(screen.contains("[ Cancel ]   [ Yes (y) ]"), "{screen}");
    assert!(
        submitted(&press(&mut app, KeyCode::Enter)).is_empty(),
        "Enter on the default sends nothing"
    );
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.tasks.counts().in_flight(), 0);

    press(&mut app, KeyCode::Char('R'));
    let sent = submitted(&press(&mut app, KeyCode::Char('y')));
    assert_eq!(sent, offered, "yes sends exactly those offered");
    assert_eq!(app.tasks.counts().queued, 4);
}

#[test]
fn r_without_marks_offers_only_the_tasks_in_view_and_marks_still_rule() {
    let mut app = resendable();
    app.tasks.edit_filter(|f| f.insert("c"));
    press(&mut app, KeyCode::Char('R'));
    let Mode::Confirm(confirm) = &app.mode else {
        panic!("{:?}", app.mode)
    };
    assert_eq!(confirm.lines, ["cw"], "cq is in view but was never sent");
    assert!(draw(&app).contains(" Re-send 1 task? "));
    press(&mut app, KeyCode::Esc);

    // With marks, R takes the marked ones that qualify, as before.
    app.tasks.edit_filter(|f| f.clear());
    press(&mut app, KeyCode::Char(' '));
    let sent = submitted(&press(&mut app, KeyCode::Char('R')));
    assert_eq!(sent, ["fh"], "one marked task is sent at once");
}

#[test]
fn r_without_marks_sends_nothing_when_no_task_in_view_qualifies() {
    let mut app = app_with(&["ok", "rj", "nv"]);
    ends(&mut app, "ok", accepted(), 1, false);
    ends(&mut app, "rj", rejected("invalid-params"), 2, false);
    assert!(submitted(&press(&mut app, KeyCode::Char('R'))).is_empty());
    assert!(matches!(app.mode, Mode::Normal), "no dialog");
    let notice = app.notice.clone().expect("a notice");
    assert!(notice.is_error);
    assert_eq!(
        notice.text,
        "nothing to re-send: R re-sends tasks that ended failed or hung, error, interrupted or cancelled"
    );

    let mut app = resendable();
    app.tasks.edit_filter(|f| f.insert("ok"));
    assert!(submitted(&press(&mut app, KeyCode::Char('R'))).is_empty());
    assert!(matches!(app.mode, Mode::Normal), "none in view qualifies");
}
