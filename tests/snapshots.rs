//! The dashboard's screens drawn on a TestBackend, compared with committed
//! snapshots (insta). States are reached through `update`, as a user would.

use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tae_rescan::api::{Outcome, TaskId};
use tae_rescan::import::parse_any;
use tae_rescan::tui::app::{Account, App, FirstRun, Mode, Theme};
use tae_rescan::tui::message::{Command, Message};
use tae_rescan::tui::update::update;
use tae_rescan::tui::view::view;
use tae_rescan::worker::{Job, WorkerEvent};

const T0: i64 = 1_795_000_000; // 2026-11-19T07:46:40Z

fn app(size: &(u16, u16), tasks: &str) -> App {
    let account = Account {
        user: "analyst@example.com".into(),
        cert_subject: Some("CN=analyst,O=Example SOC".into()),
        curl: Box::new(tae_rescan::api::curl::CurlSetup {
            cert: Some("/home/analyst/tip.pem".into()),
            ..Default::default()
        }),
        base_label: "https://tip.kaspersky.com/".into(),
        base_url: Some(url::Url::parse("https://tip.kaspersky.com").unwrap()),
        warning: None,
    };
    let mut app = App::new(account, *size, Theme { color: true }, TimeZone::UTC);
    app.now = Timestamp::from_second(T0).unwrap();
    app.tasks.add(parse_any(tasks, "tasks.csv").tasks);
    app
}

fn key(app: &mut App, code: KeyCode) -> Vec<Command> {
    update(app, Message::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn draw(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| view(app, f)).unwrap();
    format!("{}", terminal.backend())
}

fn jobs(commands: Vec<Command>) -> Vec<Job> {
    commands
        .into_iter()
        .flat_map(|c| match c {
            Command::Submit(jobs) => jobs,
            _ => vec![],
        })
        .collect()
}

const TASKS: &str = "task_id,label\n\
7a6f5e4d3c2b41a09f8e7d6c5b4a3f21,Shortcut dropper\n\
tae-2026-000123,Loader sample\n\
9d2e8f4c6b0a41378e5d2c1b0a9f8e77,Oversized installer\n\
c07e6d3b1a2f48e59c8d7b4a3e2f1d06,Packed payload\n\
tae-2026-000241,Sample under legal hold\n\
tae-2026-000377,APK from a forum\n\
5be04f1a92c84e7d8d3a6f0e2c9b7d10,Signed binary\n\
tae-2026-000305,Script in flight\n\
e41b7c9a0d3f4e26b8a5c7d9e1f20b3c,Never sent\n";

/// Rescans the first eight tasks and answers them with mixed outcomes; the
/// eighth stays in flight, waiting to retry.
fn mixed(app: &mut App) {
    for _ in 0..8 {
        key(app, KeyCode::Char(' '));
    }
    key(app, KeyCode::Char('r'));
    let jobs = jobs(key(app, KeyCode::Char('y')));
    let outcomes = [
        Outcome::Accepted {
            body: r#"{"task_id":"7a6f5e4d3c2b41a09f8e7d6c5b4a3f21"}"#.into(),
            new_task_id: None,
        },
        Outcome::Accepted {
            body: String::new(),
            new_task_id: Some("tae-2026-000123-r1".into()),
        },
        Outcome::Rejected {
            error: "too-large-file".into(),
            description: "The file is too large.".into(),
        },
        Outcome::FailedOrHung,
        Outcome::LegalBlock,
        Outcome::Error {
            detail: "network error: connection reset".into(),
        },
        Outcome::CertificateRequired {
            detail: "HTTP 403".into(),
        },
    ];
    for (n, (job, outcome)) in jobs.iter().zip(outcomes).enumerate() {
        let event = WorkerEvent::Finished {
            job: job.id,
            task: job.task.clone(),
            outcome,
            status: Some(200),
            attempts: 1 + n as u32 % 2,
            queued: Duration::ZERO,
            elapsed: Duration::from_millis(40 + n as u64),
        };
        let at = Timestamp::from_second(T0 - 600 + 60 * n as i64).unwrap();
        update(app, Message::Worker { event, at });
    }
    let retry = WorkerEvent::Retrying {
        job: jobs[7].id,
        attempt: 1,
        delay: Duration::from_secs(4),
        reason: "HTTP 503".into(),
    };
    update(
        app,
        Message::Worker {
            event: retry,
            at: Timestamp::from_second(T0).unwrap(),
        },
    );
    key(app, KeyCode::Char('u'));
    key(app, KeyCode::Char('g'));
    key(app, KeyCode::Down);
}

#[test]
fn list_with_mixed_outcomes() {
    let mut app = app(&(160, 24), TASKS);
    mixed(&mut app);
    insta::assert_snapshot!(draw(&app));
}

/// `s` four times (by when), `S` (newest first), then a field filter: the
/// title names both.
#[test]
fn list_sorted_by_when_and_filtered_by_field() {
    let mut app = app(&(160, 24), TASKS);
    mixed(&mut app);
    for _ in 0..4 {
        key(&mut app, KeyCode::Char('s'));
    }
    key(&mut app, KeyCode::Char('S'));
    key(&mut app, KeyCode::Char('/'));
    for c in "!outcome:accepted".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn narrow_list_puts_details_below() {
    let mut app = app(&(90, 30), TASKS);
    mixed(&mut app);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn form_with_a_validation_error() {
    let mut app = app(&(120, 30), TASKS);
    key(&mut app, KeyCode::Char('e'));
    for c in "files.example.com/a.zip".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Tab);
    for c in ".exe".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Left);
    key(&mut app, KeyCode::Tab);
    for c in "infected".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn bulk_confirm() {
    let mut app = app(&(120, 30), TASKS);
    key(&mut app, KeyCode::Char('*'));
    key(&mut app, KeyCode::Char('r'));
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn help_popup() {
    let mut app = app(&(120, 32), TASKS);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn help_popup_on_the_monitor_tab() {
    let mut app = app(&(120, 32), TASKS);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(draw(&app));
}

/// The bottom line of the screen: the hints (or a notice).
fn hint_line(app: &App) -> String {
    let screen = draw(app);
    let last = screen.lines().last().unwrap_or_default();
    last.trim_matches('"').trim_end().to_owned()
}

/// The status bar: the line above the hints.
fn status_line(app: &App) -> String {
    let screen = draw(app);
    let lines: Vec<&str> = screen.lines().collect();
    lines[lines.len() - 2]
        .trim_matches('"')
        .trim_end()
        .to_owned()
}

/// Sends the first four tasks, all queued at T0; the first two finish
/// (accepted, rejected) by T0 + 4 s. Returns the jobs.
fn run_of_four(app: &mut App) -> Vec<Job> {
    for _ in 0..4 {
        key(app, KeyCode::Char(' '));
    }
    key(app, KeyCode::Char('r'));
    let jobs = jobs(key(app, KeyCode::Char('y')));
    key(app, KeyCode::Char('u'));
    for job in &jobs {
        let event = WorkerEvent::Queued { job: job.id };
        let at = Timestamp::from_second(T0).unwrap();
        update(app, Message::Worker { event, at });
    }
    for (n, job) in jobs.iter().take(2).enumerate() {
        finish_at(app, job, n == 0, T0 + 2 * (n as i64 + 1));
    }
    jobs
}

/// [`run_of_four`], its last two accepted by T0 + 172 s: the run is over
/// in 2m52s, 3 accepted and 1 not.
fn run_of_four_over(app: &mut App) {
    let jobs = run_of_four(app);
    finish_at(app, &jobs[2], true, T0 + 100);
    finish_at(app, &jobs[3], true, T0 + 172);
}

fn finish_at(app: &mut App, job: &Job, accepted: bool, secs: i64) {
    let outcome = match accepted {
        true => Outcome::Accepted {
            body: String::new(),
            new_task_id: None,
        },
        false => Outcome::FailedOrHung,
    };
    let event = WorkerEvent::Finished {
        job: job.id,
        task: job.task.clone(),
        outcome,
        status: Some(200),
        attempts: 1,
        elapsed: Duration::from_millis(40),
        queued: Duration::ZERO,
    };
    let at = Timestamp::from_second(secs).unwrap();
    update(app, Message::Worker { event, at });
}

/// While a run goes on: its progress, rate, ETA and the concurrency; then
/// paused, one more request at once.
#[test]
fn status_bar_during_a_run() {
    let mut app = app(&(160, 24), TASKS);
    run_of_four(&mut app);
    let going = status_line(&app);
    key(&mut app, KeyCode::Char('p'));
    key(&mut app, KeyCode::Char('+'));
    let paused = status_line(&app);
    insta::assert_snapshot!([going, paused].join("\n"));
}

/// At 80 columns the run's progress and `paused` stay whole: the account,
/// the zone, the zero counts and the concurrency are left out first, then
/// what is queued, sending or retrying.
#[test]
fn status_bar_during_a_run_at_80_columns() {
    let paused_at = |width: u16| {
        let mut app = app(&(width, 24), TASKS);
        run_of_four(&mut app);
        let going = status_line(&app);
        key(&mut app, KeyCode::Char('p'));
        (going, status_line(&app))
    };
    let (going, paused) = paused_at(80);
    assert!(going.contains("· ETA "), "{going}");
    assert!(paused.ends_with("· paused"), "{paused}");
    // Narrower still: what is queued goes before how the tasks ended.
    let (_, narrow) = paused_at(66);
    assert!(
        narrow.starts_with(" accepted 1 not accepted 1 │"),
        "{narrow}"
    );
    assert!(narrow.ends_with("· paused"), "{narrow}");
    insta::assert_snapshot!([going, paused, narrow].join("\n"));
}

/// After a run, on a narrow terminal, the counts of the tasks as they stand
/// now stay whole before the line of how the run went.
#[test]
fn status_bar_after_a_run_at_80_columns() {
    let mut app = app(&(80, 24), TASKS);
    run_of_four_over(&mut app);
    key(&mut app, KeyCode::Char('p'));
    let line = status_line(&app);
    assert!(line.contains(" accepted 3 not accepted 1 │"), "{line}");
    assert!(line.ends_with(" paused"), "{line}");
}

/// A run's end is news; the certificate warning stays all session: at 80
/// columns the line of how the run went is kept, the warning gives way
/// (and comes back once a new run starts).
#[test]
fn status_bar_after_a_run_keeps_its_line_before_a_warning_at_80_columns() {
    let mut app = app(&(80, 24), TASKS);
    app.account.warning =
        Some("client certificate expires in 1 day (2026-12-04T06:35:00Z): renew it".into());
    run_of_four_over(&mut app);
    let line = status_line(&app);
    assert!(
        line.contains(" accepted 3 not accepted 1 │ run done in "),
        "{line}"
    );
    assert!(line.contains(": 3 accepted, 1 not accepted"), "{line}");
    insta::assert_snapshot!(line);
}

/// After the run: how long it took and how it went, until the next one.
#[test]
fn status_bar_after_a_run() {
    let mut app = app(&(160, 24), TASKS);
    run_of_four_over(&mut app);
    insta::assert_snapshot!(status_line(&app));
}

#[test]
fn the_export_prompt_shows_its_own_hint() {
    let mut app = app(&(120, 30), TASKS);
    key(&mut app, KeyCode::Char('x'));
    assert_eq!(
        hint_line(&app),
        " type path of a new file: .csv is CSV, else JSON lines  Enter export  Esc cancel"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('i'));
    assert_eq!(
        hint_line(&app),
        " type path to a list, CSV or JSON file  Enter import  Esc cancel"
    );
}

/// Every screen's hint line, from the key map.
#[test]
fn hint_lines() {
    let mut app = app(&(150, 40), TASKS);
    let mut lines = vec![format!("tasks:   {}", hint_line(&app))];
    let mut visit = |app: &mut App, name: &str, keys: &[KeyCode]| {
        for code in keys {
            key(app, *code);
        }
        lines.push(format!("{name:<8} {}", hint_line(app)));
        key(app, KeyCode::Esc);
    };
    visit(&mut app, "filter:", &[KeyCode::Char('/')]);
    visit(&mut app, "form:", &[KeyCode::Char('e')]);
    visit(&mut app, "add:", &[KeyCode::Char('a')]);
    visit(&mut app, "import:", &[KeyCode::Char('i')]);
    visit(&mut app, "export:", &[KeyCode::Char('x')]);
    visit(&mut app, "help:", &[KeyCode::Char('?')]);
    visit(&mut app, "curl:", &[KeyCode::Char('y')]);
    visit(
        &mut app,
        "confirm:",
        &[KeyCode::Char('*'), KeyCode::Char('r')],
    );
    key(&mut app, KeyCode::Char('u'));
    key(&mut app, KeyCode::Tab);
    lines.push(format!("monitor: {}", hint_line(&app)));
    let empty = self::app(&(150, 40), "");
    lines.push(format!("empty:   {}", hint_line(&empty)));
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn first_run_screen() {
    let mut app = app(&(100, 24), "");
    app.mode = Mode::FirstRun(FirstRun {
        config_path: Some("/home/analyst/.config/tae-rescan/config.toml".into()),
        problem: Some("no [api] username configured: set it in /home/analyst/.config/tae-rescan/config.toml or set TIP_USERNAME".into()),
    });
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn too_small_terminal() {
    let app = app(&(50, 10), TASKS);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn empty_list_says_what_to_do() {
    let app = app(&(100, 16), "");
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn hostile_text_is_drawn_escaped() {
    let mut app = app(
        &(120, 16),
        "[{\"task_id\": \"evil-1\", \"label\": \"\\u001b]0;pwned\\u0007\\u202eevil\"}]",
    );
    let jobs = jobs(key(&mut app, KeyCode::Char('r')));
    let outcome = Outcome::Rejected {
        error: "x\u{1b}[2J".into(),
        description: "\u{9b}31mred".into(),
    };
    let event = WorkerEvent::Finished {
        job: jobs[0].id,
        task: TaskId::parse("evil-1").unwrap(),
        outcome,
        status: Some(400),
        attempts: 1,
        queued: Duration::ZERO,
        elapsed: Duration::ZERO,
    };
    update(
        &mut app,
        Message::Worker {
            event,
            at: Timestamp::from_second(T0).unwrap(),
        },
    );
    let screen = draw(&app);
    assert!(
        !screen.contains('\u{1b}') && !screen.contains('\u{9b}') && !screen.contains('\u{202e}'),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}

#[test]
fn no_color_draws_without_colours() {
    let colours = |theme: Theme| {
        let mut app = app(&(140, 24), TASKS);
        app.theme = theme;
        mixed(&mut app);
        let mut terminal = Terminal::new(TestBackend::new(140, 24)).unwrap();
        terminal.draw(|f| view(&app, f)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        buffer
            .content()
            .iter()
            .filter(|c| c.fg != ratatui::style::Color::Reset)
            .count()
    };
    assert!(
        colours(Theme { color: true }) > 0,
        "colours are used normally"
    );
    assert_eq!(
        colours(Theme { color: false }),
        0,
        "NO_COLOR: no foreground colour anywhere"
    );
}

/// The monitor tab over the mixed outcomes, its numbers and the selected
/// task's history read.
fn monitor_app() -> App {
    use tae_rescan::store::{Bucket, HistoryRecord, MonitorData, RecordId};
    use tae_rescan::tui::app::Tab;
    let mut app = app(&(120, 36), TASKS);
    mixed(&mut app);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Monitor);
    let minute = 60_000;
    let now = T0 * 1000 / minute * minute;
    let record = |n: i64, task: &str, outcome: &str, description: &str| HistoryRecord {
        id: RecordId(n),
        task_id: task.into(),
        time: T0 * 1000 - n * 30_000,
        params: "file_ext=exe".into(),
        status: Some(404),
        outcome: outcome.parse().unwrap(),
        error: None,
        description: Some(description.into()),
        new_task_id: None,
        body: None,
        attempts: 1,
        elapsed_ms: Some(40),
        queued_ms: None,
        finished_at: Some(T0 * 1000),
        finished: true,
    };
    let data = MonitorData {
        counts: vec![
            ("accepted".parse().unwrap(), 41),
            ("failed or hung".parse().unwrap(), 3),
            ("interrupted".parse().unwrap(), 1),
        ],
        buckets: (0..20)
            .map(|n| Bucket {
                start: now - n * minute,
                accepted: (n % 5) as u64,
                other: (n % 3 == 0) as u64,
            })
            .collect(),
    };
    update(&mut app, Message::Monitor(Ok(data)));
    let history = vec![record(3, "tae-2026-000123", "accepted", "rescan started")];
    update(
        &mut app,
        Message::History {
            task: TaskId::parse("tae-2026-000123").unwrap(),
            result: Ok(history),
        },
    );
    app
}

/// The failures list unfocused: one row per reason, nothing selected.
#[test]
fn monitor_tab() {
    insta::assert_snapshot!(draw(&monitor_app()));
}

/// `f`, `j`: the failures list focused (its border and title say so), the
/// second group selected.
#[test]
fn monitor_failures_focused() {
    let mut app = monitor_app();
    key(&mut app, KeyCode::Char('f'));
    key(&mut app, KeyCode::Char('j'));
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn loading_screen() {
    let mut app = app(&(100, 20), "");
    app.loading = true;
    insta::assert_snapshot!(draw(&app));
}

/// Two marked tasks whose saved url and unzip password differ, and a third
/// whose unzip password was not kept across a restart.
fn differing_saved_parameters() -> App {
    use tae_rescan::api::{ProcessingType, RescanParams};
    use tae_rescan::store::{StoredParams, StoredTask, TaskChunk};
    let zip = |url: &str, password: &str| RescanParams {
        url: Some(url.into()),
        file_ext: Some("zip".into()),
        processing_type: Some(ProcessingType::UnzipAndExec),
        unzip_password: Some(password.into()),
        ..Default::default()
    };
    let mut app = app(&(120, 30), "");
    let tasks: Vec<StoredTask> = [
        (
            "tae-2026-000500",
            zip("https://files.example.com/a.zip", "infected"),
            true,
        ),
        (
            "tae-2026-000501",
            zip("https://files.example.com/b.zip", "malware"),
            true,
        ),
        (
            "tae-2026-000502",
            zip("https://files.example.com/c.zip", "lost"),
            false,
        ),
    ]
    .into_iter()
    .map(|(id, params, remember)| StoredTask {
        id: TaskId::parse(id).unwrap(),
        label: "Archive".into(),
        url: None,
        params: StoredParams::from_params(&params, remember),
        last: None,
    })
    .collect();
    update(&mut app, Message::Loaded(Ok(TaskChunk { total: 3, tasks })));
    update(&mut app, Message::LoadFinished);
    app
}

#[test]
fn bulk_form_shows_mixed_fields() {
    let mut app = differing_saved_parameters();
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('e'));
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn details_say_the_unzip_password_was_not_kept() {
    let mut app = differing_saved_parameters();
    key(&mut app, KeyCode::End);
    insta::assert_snapshot!(draw(&app));
}

#[test]
fn r_asks_for_an_unzip_password_not_kept() {
    let mut app = differing_saved_parameters();
    key(&mut app, KeyCode::End);
    key(&mut app, KeyCode::Char('r'));
    for c in "typed".chars() {
        key(&mut app, KeyCode::Char(c));
    }
    insta::assert_snapshot!(draw(&app));
}

/// Texts that tell which key to press say the remapped key.
#[test]
fn screen_texts_name_the_remapped_keys() {
    use tae_rescan::config::{KeyBinding, KeyBindings, Keystroke};
    use tae_rescan::tui::keymap::KeyMap;
    let remap = |pairs: &[(&str, &str)]| KeyBindings {
        file: None,
        bindings: pairs
            .iter()
            .enumerate()
            .map(|(line, (action, key))| KeyBinding {
                action: (*action).into(),
                keys: vec![Keystroke::parse(key).unwrap()],
                line,
            })
            .collect(),
    };
    let keys = KeyMap::with(&remap(&[
        ("add", "A"),
        ("import", "I"),
        ("rescan", "F5"),
        ("window", "W"),
    ]))
    .unwrap();
    let mut empty = app(&(120, 20), "");
    empty.keys = keys.clone();
    let screen = draw(&empty);
    assert!(
        screen.contains("No tasks yet: press A to add ids (or paste them), I to import a file."),
        "{screen}"
    );
    let mut listed = app(&(160, 30), TASKS);
    listed.keys = keys;
    assert!(draw(&listed).contains("Not rescanned yet. F5 sends it."));
    key(&mut listed, KeyCode::Tab);
    assert!(draw(&listed).contains("· window 1 h (W) ·"));
}

/// The help at 80x24 holds more than fits: its top, then scrolled to the
/// end by the key map's `End`.
#[test]
fn help_scrolls_at_80x24() {
    let mut app = app(&(80, 24), TASKS);
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!("help_at_80x24_top", draw(&app));
    key(&mut app, KeyCode::End);
    let end = draw(&app);
    assert!(end.contains("Ctrl-C"), "the last key is in view:\n{end}");
    insta::assert_snapshot!("help_at_80x24_scrolled", end);
}

/// At 80 columns every screen's hint line fits, less used keys left out
/// first: `? help` and `q quit` stay.
/// A notice holds the hint line until the next key; the most important
/// keys that fit beside it stay at the right, and when none fit the notice
/// is alone.
#[test]
fn a_notice_keeps_the_keys_that_fit_beside_it() {
    let mut app = app(&(80, 24), TASKS);
    app.notify(
        "demo mode: the embedded simulator (history kept apart)",
        false,
    );
    let short = hint_line(&app);
    assert!(short.ends_with(" ? help  q quit"), "{short}");
    app.notify(
        "added 3 tasks from --tasks /home/analyst/cases/2026-12/rescan-today.txt",
        false,
    );
    let long = hint_line(&app);
    assert!(!long.contains("? help"), "{long}");
    insta::assert_snapshot!([short, long].join("\n"));
}

#[test]
fn hint_lines_at_80_columns() {
    let mut app = app(&(80, 24), TASKS);
    let tasks = hint_line(&app);
    key(&mut app, KeyCode::Tab);
    let monitor = hint_line(&app);
    for line in [&tasks, &monitor] {
        assert!(line.contains("? help") && line.contains("q quit"), "{line}");
        assert!(line.chars().count() <= 80, "{line}");
    }
    key(&mut app, KeyCode::Tab);
    let mut lines = vec![format!("tasks:   {tasks}"), format!("monitor: {monitor}")];
    for (name, keys) in [
        ("export:", &[KeyCode::Char('x')][..]),
        ("form:", &[KeyCode::Char('e')]),
        ("help:", &[KeyCode::Char('?')]),
        ("details:", &[KeyCode::Char('v')]),
        ("confirm:", &[KeyCode::Char('*'), KeyCode::Char('r')]),
    ] {
        for code in keys {
            key(&mut app, *code);
        }
        lines.push(format!("{name:<8} {}", hint_line(&app)));
        key(&mut app, KeyCode::Esc);
    }
    insta::assert_snapshot!(lines.join("\n"));
}

/// A long problem on the first-run screen: the box grows, the whole text
/// and the keys below it are in.
#[test]
fn first_run_screen_with_a_long_error_at_80x24() {
    let mut app = app(&(80, 24), "");
    app.mode = Mode::FirstRun(FirstRun {
        config_path: Some("/home/analyst/.config/tae-rescan/config.toml".into()),
        problem: Some(
            "/home/analyst/.config/tae-rescan/config.toml line 7: [api] client_cert \
             /home/analyst/certificates/tip-client-certificate-2026.pem cannot be read: \
             no such file; set client_cert to the PEM or PKCS#12 file the portal gave you"
                .into(),
        ),
    });
    let screen = draw(&app);
    let text: String = screen
        .lines()
        .map(|l| l.trim_matches('"').trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    for words in [
        "no such file; set client_cert to the PEM or PKCS#12 file the portal gave",
        "you",
        "Press d for demo mode",
        "Press q to quit.",
    ] {
        assert!(text.contains(words), "{words:?} missing:\n{screen}");
    }
    insta::assert_snapshot!(screen);
}

/// Below the minimum the screen names the minimum, wrapped into what there
/// is; a 1x1 terminal does not panic.
#[test]
fn too_small_terminal_names_the_minimum_at_any_size() {
    let small = draw(&app(&(20, 5), TASKS));
    assert!(small.contains("needs at least 60x12"), "{small}");
    insta::assert_snapshot!("too_small_20x5", small);
    insta::assert_snapshot!("too_small_1x1", draw(&app(&(1, 1), TASKS)));
}

/// A value longer than its field scrolls sideways: the end being typed and
/// the cursor stay in view.
#[test]
fn a_long_form_value_scrolls_sideways_with_the_cursor() {
    let mut app = app(&(80, 24), TASKS);
    key(&mut app, KeyCode::Char('e'));
    let url = "https://files.example.com/shares/incident-2026-1142/samples/second-stage-loader.zip";
    for c in url.chars() {
        key(&mut app, KeyCode::Char(c));
    }
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| view(&app, f)).unwrap();
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("second-stage-loader.zip"), "{screen}");
    let cursor = terminal.get_cursor_position().unwrap();
    let row: String = screen.lines().nth(usize::from(cursor.y)).unwrap().into();
    let before: String = row
        .trim_matches('"')
        .chars()
        .take(usize::from(cursor.x))
        .collect();
    assert!(
        before.ends_with("loader.zip"),
        "cursor after the text: {row:?}"
    );
    insta::assert_snapshot!(screen);
}
