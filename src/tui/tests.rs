//! `update` tests: every key path of the dashboard, without a terminal.

use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::app::{Account, App, ConfirmAction, Mode, RowState, Theme};
use super::message::{Command, Message};
use super::update::update;
use crate::api::{Outcome, TaskId};
use crate::import::parse_any;
use crate::worker::{JobId, WorkerEvent};

fn account() -> Account {
    Account {
        user: "analyst".into(),
        cert_subject: Some("CN=analyst".into()),
        curl: Box::new(crate::api::curl::CurlSetup {
            cert: Some("/home/a/tip.pem".into()),
            ..Default::default()
        }),
        base_label: "https://tip.example/".into(),
        base_url: Some(url::Url::parse("https://tip.example").unwrap()),
        warning: None,
    }
}

fn app_with(ids: &[&str]) -> App {
    let mut app = App::new(account(), (120, 30), Theme { color: true }, TimeZone::UTC);
    app.tasks.add(parse_any(&ids.join("\n"), "test").tasks);
    app
}

fn press(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn chars(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
}

fn selected_id(app: &App) -> &str {
    app.tasks.selected_row().unwrap().id.as_str()
}

fn submitted(commands: &[Command]) -> Vec<(JobId, String)> {
    commands
        .iter()
        .flat_map(|c| match c {
            Command::Submit(jobs) => jobs.iter().map(|j| (j.id, j.task.to_string())).collect(),
            _ => vec![],
        })
        .collect()
}

fn finish(app: &mut App, job: JobId, task: &str, outcome: Outcome) {
    let event = WorkerEvent::Finished {
        job,
        task: TaskId::parse(task).unwrap(),
        outcome,
        status: Some(200),
        attempts: 1,
        queued: Duration::ZERO,
        elapsed: Duration::from_millis(12),
    };
    update(
        app,
        Message::Worker {
            event,
            at: Timestamp::from_second(1_790_000_000).unwrap(),
        },
    );
}

#[test]
fn moving_through_the_list() {
    let ids: Vec<String> = (0..100).map(|n| format!("t{n:03}")).collect();
    let mut app = app_with(&ids.iter().map(String::as_str).collect::<Vec<_>>());
    press(&mut app, KeyCode::Char('j'));
    press(&mut app, KeyCode::Down);
    assert_eq!(selected_id(&app), "t002");
    press(&mut app, KeyCode::Char('k'));
    assert_eq!(selected_id(&app), "t001");
    press(&mut app, KeyCode::PageDown);
    let page = super::view::layout(app.size).list_rows;
    assert_eq!(app.tasks.selected(), 1 + page);
    assert!(
        app.tasks.offset() > 0 && app.tasks.selected() < app.tasks.offset() + page,
        "selection stays on screen"
    );
    press(&mut app, KeyCode::Char('G'));
    assert_eq!(selected_id(&app), "t099");
    press(&mut app, KeyCode::Down);
    assert_eq!(selected_id(&app), "t099", "clamped at the end");
    press(&mut app, KeyCode::Char('g'));
    assert_eq!((app.tasks.selected(), app.tasks.offset()), (0, 0));
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Home);
    press(&mut app, KeyCode::PageUp);
    assert_eq!(selected_id(&app), "t000");
}

#[test]
fn adding_ids_by_typing_keeps_valid_and_reports_invalid() {
    let mut app = app_with(&[]);
    press(&mut app, KeyCode::Char('a'));
    assert!(matches!(app.mode, Mode::Prompt(_)));
    chars(&mut app, "id-1, id-2 bad/id id-1");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Normal));
    let ids: Vec<&str> = app.tasks.rows().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["id-1", "id-2"]);
    let notice = app.notice.clone().unwrap();
    assert!(
        notice.is_error && notice.text.contains("added 2") && notice.text.contains("'/'"),
        "{notice:?}"
    );
}

#[test]
fn a_multi_line_paste_adds_them_all() {
    let mut app = app_with(&["old"]);
    update(&mut app, Message::Paste("p1\r\np2\n\np3\nold\n".into()));
    assert_eq!(app.tasks.len(), 4);
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .contains("1 already listed")
    );
    // In the add prompt too.
    press(&mut app, KeyCode::Char('a'));
    chars(&mut app, "p4");
    update(&mut app, Message::Paste("p5\np6".into()));
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.tasks.len(), 7);
}

#[test]
fn a_paste_is_split_like_typed_text_and_names_every_invalid_id_by_its_line() {
    let mut app = app_with(&[]);
    update(
        &mut app,
        Message::Paste("ok-1 ok-2\r\nbad/id, ok-3;ok-4\r\nx@y\r\n".into()),
    );
    let ids: Vec<&str> = app.tasks.rows().iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["ok-1", "ok-2", "ok-3", "ok-4"]);
    let notice = app.notice.clone().unwrap();
    assert!(notice.is_error, "{notice:?}");
    assert!(
        notice
            .text
            .contains("2 invalid: paste line 2: \"bad/id\": task_id: contains '/'")
            && notice
                .text
                .contains(" · paste line 3: \"x@y\": task_id: contains '@'"),
        "{notice:?}"
    );
    // In the add prompt, the paste's lines keep their numbers.
    press(&mut app, KeyCode::Char('a'));
    update(&mut app, Message::Paste("p-1\nbad/id p-2".into()));
    assert_eq!(app.tasks.len(), 6);
    let notice = app.notice.clone().unwrap();
    assert!(
        notice.text.contains("1 invalid: paste line 2: \"bad/id\""),
        "{notice:?}"
    );
}

#[test]
fn import_asks_for_a_path_and_adds_what_the_file_held() {
    let mut app = app_with(&[]);
    press(&mut app, KeyCode::Char('i'));
    chars(&mut app, "/tmp/tasks.csv");
    let commands = press(&mut app, KeyCode::Enter);
    assert!(matches!(&commands[..], [Command::Import(p)] if p.to_str() == Some("/tmp/tasks.csv")));
    let csv = parse_any("task_id,label\nc1,first\nc2,second\n", "tasks.csv");
    update(
        &mut app,
        Message::Imported {
            source: "tasks.csv".into(),
            result: Ok(csv),
        },
    );
    assert_eq!(&*app.tasks.rows()[1].label, "second");
    update(
        &mut app,
        Message::Imported {
            source: "x".into(),
            result: Err("x: no such file".into()),
        },
    );
    assert_eq!(app.notice.as_ref().unwrap().text, "x: no such file");
    assert_eq!(app.tasks.len(), 2, "a failed import loses nothing");
}

#[test]
fn an_error_notice_outlives_later_information_until_a_key() {
    let mut app = app_with(&["a"]);
    app.notify("tasks.csv: 1 invalid", true);
    app.notify("demo mode is up", false);
    assert_eq!(app.notice.as_ref().unwrap().text, "tasks.csv: 1 invalid");
    press(&mut app, KeyCode::Down);
    app.notify("demo mode is up", false);
    assert_eq!(app.notice.as_ref().unwrap().text, "demo mode is up");
    app.notify("a newer error", true);
    assert_eq!(app.notice.as_ref().unwrap().text, "a newer error");
}

#[test]
fn delete_asks_first_and_defaults_to_cancel() {
    let mut app = app_with(&["d1", "d2", "d3"]);
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char('d'));
    match &app.mode {
        Mode::Confirm(c) => {
            assert_eq!(
                c.title(&app.tasks.counts()),
                "Delete 2 tasks from the list?"
            );
            assert!(!c.yes_focused);
        }
        other => panic!("{other:?}"),
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(
        app.tasks.len(),
        3,
        "Enter on the default (Cancel) deletes nothing"
    );
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Char('y'));
    let ids: Vec<&str> = app.tasks.rows().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["d3"]);
    assert_eq!(app.tasks.marked(), 0);
}

#[test]
fn marks_and_filter() {
    let mut app = app_with(&["alpha-1", "beta-2", "alpha-3"]);
    press(&mut app, KeyCode::Char(' '));
    assert!(app.tasks.rows()[0].marked());
    assert_eq!(selected_id(&app), "beta-2", "space moves down");
    press(&mut app, KeyCode::Char(' '));
    assert!(
        app.tasks.rows()[0].marked()
            && app.tasks.rows()[1].marked()
            && !app.tasks.rows()[2].marked()
    );
    assert_eq!(app.tasks.marked(), 2);
    press(&mut app, KeyCode::Char('k'));
    press(&mut app, KeyCode::Char(' '));
    assert!(!app.tasks.rows()[1].marked(), "space again unmarks");
    press(&mut app, KeyCode::Char('u'));
    assert_eq!(app.tasks.marked(), 0);
    press(&mut app, KeyCode::Char('/'));
    chars(&mut app, "ALPHA");
    assert_eq!(app.tasks.visible().len(), 2, "case-insensitive");
    press(&mut app, KeyCode::Enter);
    press(&mut app, KeyCode::Char('*'));
    assert_eq!(app.tasks.marked(), 2, "* marks only visible rows");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.tasks.visible().len(), 3, "Esc clears the filter");
    press(&mut app, KeyCode::Char('/'));
    chars(&mut app, "beta");
    press(&mut app, KeyCode::Esc);
    assert_eq!(
        (app.tasks.visible().len(), app.tasks.filter().value()),
        (3, "")
    );
}

#[test]
fn typing_narrows_and_backspace_widens_the_same_as_from_scratch() {
    let mut app = app_with(&["alpha-1", "alps-2", "beta-3", "alpha-4"]);
    let ids = |app: &App| -> Vec<String> {
        app.tasks
            .visible()
            .iter()
            .map(|at| app.tasks.rows()[*at].id.to_string())
            .collect()
    };
    press(&mut app, KeyCode::Char('/'));
    chars(&mut app, "al");
    assert_eq!(ids(&app), ["alpha-1", "alps-2", "alpha-4"]);
    chars(&mut app, "ph");
    assert_eq!(ids(&app), ["alpha-1", "alpha-4"]);
    press(&mut app, KeyCode::Backspace);
    press(&mut app, KeyCode::Backspace);
    assert_eq!(ids(&app), ["alpha-1", "alps-2", "alpha-4"]);
    press(&mut app, KeyCode::Enter);
    app.tasks.remove(&[TaskId::parse("alps-2").unwrap()]);
    assert_eq!(
        ids(&app),
        ["alpha-1", "alpha-4"],
        "positions after a removal"
    );
    app.tasks.add(parse_any("beta-5\nalpine-6\n", "x").tasks);
    assert_eq!(ids(&app), ["alpha-1", "alpha-4", "alpine-6"]);
}

#[test]
fn the_filter_also_matches_outcomes() {
    let mut app = app_with(&["f1", "f2"]);
    let jobs = submitted(&press(&mut app, KeyCode::Char('r')));
    finish(&mut app, jobs[0].0, "f1", Outcome::FailedOrHung);
    press(&mut app, KeyCode::Char('/'));
    chars(&mut app, "hung");
    assert_eq!(app.tasks.visible().len(), 1);
    assert_eq!(selected_id(&app), "f1");
}

#[test]
fn the_form_edits_the_selected_or_marked_tasks() {
    let mut app = app_with(&["e1", "e2", "e3"]);
    press(&mut app, KeyCode::Char('e'));
    let Mode::Form(form) = &app.mode else {
        panic!("form opens")
    };
    assert_eq!(form.targets.len(), 1);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Char(' '));
    press(&mut app, KeyCode::Enter);
    let Mode::Form(form) = &app.mode else {
        panic!("Enter opens the form too")
    };
    assert_eq!(form.targets.len(), 2);
    chars(&mut app, "not a url");
    press(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.mode, Mode::Form(_)),
        "invalid input is not saved"
    );
    press(&mut app, KeyCode::Home);
    for _ in 0.."not a url".len() {
        press(&mut app, KeyCode::Delete);
    }
    chars(&mut app, "https://x.example/f.zip");
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "zip");
    press(&mut app, KeyCode::Enter);
    assert!(matches!(app.mode, Mode::Normal));
    for at in [0, 1] {
        assert_eq!(
            app.tasks.rows()[at].params_text(),
            "url=https://x.example/f.zip&file_ext=zip"
        );
    }
    assert_eq!(
        app.tasks.rows()[2].params_text(),
        "",
        "unmarked task unchanged"
    );
}

#[test]
fn discarding_the_form_keeps_the_old_parameters() {
    let mut app = app_with(&["k1"]);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "exe");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.tasks.rows()[0].params_text(), "");
}

#[test]
fn rescan_one_sends_at_once_and_events_move_the_row() {
    let mut app = app_with(&["r1"]);
    let jobs = submitted(&press(&mut app, KeyCode::Char('r')));
    assert_eq!(jobs, [(JobId(0), "r1".to_owned())]);
    assert_eq!(app.tasks.rows()[0].state(), RowState::Queued);
    assert_eq!(app.tasks.counts().queued, 1);
    assert!(app.animating());
    let at = Timestamp::from_second(1_790_000_000).unwrap();
    update(
        &mut app,
        Message::Worker {
            event: WorkerEvent::Sending {
                job: JobId(0),
                attempt: 1,
            },
            at,
        },
    );
    assert_eq!(
        (app.tasks.counts().queued, app.tasks.counts().sending),
        (0, 1)
    );
    let retry = WorkerEvent::Retrying {
        job: JobId(0),
        attempt: 1,
        delay: Duration::from_secs(3),
        reason: "503".into(),
    };
    update(&mut app, Message::Worker { event: retry, at });
    assert!(matches!(
        app.tasks.rows()[0].state(),
        RowState::Retrying { attempt: 1, .. }
    ));
    assert_eq!(app.tasks.counts().waiting, 1);
    let again = press(&mut app, KeyCode::Char('r'));
    assert!(
        submitted(&again).is_empty(),
        "a task in flight is not sent twice"
    );
    finish(
        &mut app,
        JobId(0),
        "r1",
        Outcome::Accepted {
            body: String::new(),
            new_task_id: None,
        },
    );
    assert_eq!(app.tasks.rows()[0].state(), RowState::Idle);
    assert_eq!(app.tasks.counts().in_flight(), 0);
    assert_eq!(
        (app.tasks.counts().accepted, app.tasks.counts().not_accepted),
        (1, 0)
    );
    assert!(!app.animating(), "no ticking once nothing moves");
}

/// Marks outlive a filter: a question about marked tasks says how many of
/// them it hides.
#[test]
fn a_confirmation_says_how_many_of_its_tasks_the_filter_hides() {
    let mut app = app_with(&["b1", "b2", "b3"]);
    press(&mut app, KeyCode::Char('*'));
    app.tasks.edit_filter(|f| {
        f.clear();
        f.insert("b1");
    });
    assert_eq!(app.tasks.visible().len(), 1);
    let title = |app: &mut App, key: char| {
        press(app, KeyCode::Char(key));
        let title = match &app.mode {
            Mode::Confirm(c) => c.title(&app.tasks.counts()),
            other => panic!("{other:?}"),
        };
        press(app, KeyCode::Esc);
        title
    };
    assert_eq!(title(&mut app, 'r'), "Rescan 3 tasks (2 not in view)?");
    assert_eq!(
        title(&mut app, 'd'),
        "Delete 3 tasks (2 not in view) from the list?"
    );
    app.tasks.edit_filter(|f| f.clear());
    assert_eq!(title(&mut app, 'r'), "Rescan 3 tasks?");
}

#[test]
fn bulk_rescan_confirms_defaulting_to_cancel() {
    let mut app = app_with(&["b1", "b2", "b3"]);
    press(&mut app, KeyCode::Char('*'));
    assert!(press(&mut app, KeyCode::Char('r')).is_empty());
    match &app.mode {
        Mode::Confirm(c) => {
            assert_eq!(c.title(&app.tasks.counts()), "Rescan 3 tasks?");
            assert_eq!(c.lines, ["b1", "b2", "b3"]);
            assert!(!c.yes_focused);
            assert!(matches!(c.action, ConfirmAction::Rescan(_)));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        press(&mut app, KeyCode::Enter).is_empty(),
        "Enter chooses Cancel"
    );
    press(&mut app, KeyCode::Char('r'));
    assert!(press(&mut app, KeyCode::Esc).is_empty());
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Right);
    assert_eq!(
        submitted(&press(&mut app, KeyCode::Enter)).len(),
        3,
        "Enter on Yes"
    );
    let mut app = app_with(&["b1", "b2"]);
    press(&mut app, KeyCode::Char('*'));
    press(&mut app, KeyCode::Char('r'));
    assert_eq!(submitted(&press(&mut app, KeyCode::Char('y'))).len(), 2);
}

#[test]
fn cancel_and_resend() {
    let mut app = app_with(&["c1", "c2", "c3"]);
    press(&mut app, KeyCode::Char('*'));
    press(&mut app, KeyCode::Char('r'));
    let jobs = submitted(&press(&mut app, KeyCode::Char('y')));
    let commands = press(&mut app, KeyCode::Char('c'));
    assert!(matches!(&commands[..], [Command::Cancel(j)] if j.len() == 3));
    let notice = app.notice.as_ref().map(|n| n.text.as_str());
    assert_eq!(notice, Some("cancelling 3 tasks in flight"));
    finish(&mut app, jobs[0].0, "c1", Outcome::FailedOrHung);
    finish(
        &mut app,
        jobs[1].0,
        "c2",
        Outcome::Error {
            detail: "timeout".into(),
        },
    );
    finish(
        &mut app,
        jobs[2].0,
        "c3",
        Outcome::Rejected {
            error: "invalid-params".into(),
            description: "x".into(),
        },
    );
    assert_eq!(app.tasks.counts().not_accepted, 3);
    press(&mut app, KeyCode::Char('R'));
    let Mode::Confirm(c) = &app.mode else {
        panic!("R confirms two")
    };
    assert_eq!(
        c.lines,
        ["c1", "c2"],
        "R re-sends only failed or hung / error"
    );
    press(&mut app, KeyCode::Char('y'));
    press(&mut app, KeyCode::Char('u'));
    press(&mut app, KeyCode::Char('G'));
    press(&mut app, KeyCode::Char(' '));
    assert!(
        press(&mut app, KeyCode::Char('R')).is_empty(),
        "c3 was rejected"
    );
    assert!(
        app.notice
            .as_ref()
            .unwrap()
            .text
            .starts_with("nothing to re-send")
    );
}

#[test]
fn curl_shows_and_copies_without_secrets() {
    let mut app = app_with(&["y1"]);
    press(&mut app, KeyCode::Char('e'));
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Tab);
    press(&mut app, KeyCode::Left);
    press(&mut app, KeyCode::Tab);
    chars(&mut app, "s3cret-zip");
    press(&mut app, KeyCode::Enter);
    let commands = press(&mut app, KeyCode::Char('y'));
    let [Command::Copy(text)] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert!(
        text.contains("unzip_password=***") && text.contains("curl -u 'analyst' "),
        "{text}"
    );
    assert!(text.contains("--cert '/home/a/tip.pem'"));
    assert!(!text.contains("s3cret-zip"));
    assert!(matches!(app.mode, Mode::Curl(_)));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn curl_names_the_ca_and_the_proxy_and_says_the_proxy_password_is_left_out() {
    let mut app = app_with(&["y1"]);
    app.account.curl.ca_cert = Some("/etc/ssl/corp-ca.pem".into());
    app.account.curl.proxy =
        Some(crate::api::proxy::Proxy::parse("http://tunnel:pw-4471@proxy.example:3128").unwrap());
    let commands = press(&mut app, KeyCode::Char('y'));
    let [Command::Copy(text)] = &commands[..] else {
        panic!("{commands:?}")
    };
    assert!(
        text.contains(
            " --cacert '/etc/ssl/corp-ca.pem' --proxy 'http://tunnel@proxy.example:3128' "
        ),
        "{text}"
    );
    assert!(!text.contains("pw-4471"), "{text}");
    let notice = app.notice.clone().unwrap();
    assert!(
        notice.is_error && notice.text.starts_with("the proxy's password is not shown"),
        "{notice:?}"
    );
}

#[test]
fn help_opens_and_closes() {
    let mut app = app_with(&[]);
    press(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.mode, Mode::Help(_)));
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn quitting_asks_only_while_requests_are_in_flight() {
    let mut app = app_with(&["q1"]);
    press(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit);
    let mut app = app_with(&["q1"]);
    press(&mut app, KeyCode::Char('r'));
    press(&mut app, KeyCode::Char('q'));
    assert!(!app.should_quit);
    let Mode::Confirm(c) = &app.mode else {
        panic!()
    };
    assert_eq!(
        c.title(&app.tasks.counts()),
        "Quit? 0 on the wire, 1 queued"
    );
    press(&mut app, KeyCode::Esc);
    assert!(!app.should_quit);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    update(&mut app, Message::Key(ctrl_c));
    assert!(matches!(app.mode, Mode::Confirm(_)), "Ctrl-C asks too");
    let commands = update(&mut app, Message::Key(ctrl_c));
    assert!(app.should_quit, "a second Ctrl-C confirms");
    assert!(matches!(&commands[..], [Command::Cancel(j)] if j.len() == 1));
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    let ids: Vec<String> = (0..50).map(|n| format!("m{n}")).collect();
    let mut app = app_with(&ids.iter().map(String::as_str).collect::<Vec<_>>());
    let body = super::view::layout(app.size).list_body;
    let click = |row| MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: body.x + 2,
        row,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Message::Mouse(click(body.y + 4)));
    assert_eq!(selected_id(&app), "m4");
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 1,
        row: 1,
        modifiers: KeyModifiers::NONE,
    };
    update(&mut app, Message::Mouse(wheel));
    assert_eq!(selected_id(&app), "m7");
    update(&mut app, Message::Mouse(click(0)));
    assert_eq!(
        selected_id(&app),
        "m7",
        "a click outside the rows changes nothing"
    );
}

#[test]
fn first_run_offers_demo_mode() {
    let mut app = app_with(&[]);
    app.mode = Mode::FirstRun(super::app::FirstRun {
        config_path: None,
        problem: None,
    });
    let commands = press(&mut app, KeyCode::Char('d'));
    assert!(matches!(&commands[..], [Command::StartDemo]));
    assert!(matches!(app.mode, Mode::StartingDemo));
    let tasks = parse_any("demo-1", "demo").tasks;
    update(
        &mut app,
        Message::DemoReady {
            account: account(),
            concurrency: 4,
            tasks,
        },
    );
    assert!(matches!(app.mode, Mode::Normal));
    assert_eq!(app.tasks.len(), 1);
    let mut app = app_with(&[]);
    app.mode = Mode::FirstRun(super::app::FirstRun {
        config_path: None,
        problem: None,
    });
    press(&mut app, KeyCode::Char('q'));
    assert!(app.should_quit);
}

#[test]
fn events_for_deleted_tasks_are_ignored() {
    let mut app = app_with(&["x1", "x2"]);
    let jobs = submitted(&press(&mut app, KeyCode::Char('r')));
    press(&mut app, KeyCode::Char('d'));
    press(&mut app, KeyCode::Char('y'));
    finish(&mut app, jobs[0].0, "x1", Outcome::FailedOrHung);
    assert_eq!(app.tasks.len(), 1);
    assert_eq!(app.tasks.counts(), super::app::Counts::default());
}
