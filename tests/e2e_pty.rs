//! The dashboard end to end: the real binary on a pseudo-terminal, typed
//! keys in, the drawn screen read back through a terminal emulator, and (where
//! a server is involved) the simulator over real mutual TLS recording what
//! was actually sent.
//!
//! A frame reaches the emulator in several chunks, so every wait's predicate
//! covers everything the test then relies on: a check made after a wait for
//! only part of a frame could see the frame half drawn.

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::path::Path;
use std::time::Duration;

use common::{Fixture, PASSWORD, USER};
use pty::{Tui, eventually, runtime};
use tae_rescan::sim::{Behaviour, Behaviours};

const SIZE: (u16, u16) = (120, 40);
/// At 120 columns the task list spans the full width, the details below it
/// (side by side only from 150 columns), so a list row is a whole screen row.
const LIST_WIDTH: u16 = SIZE.0;

/// The dashboard against the fixture's simulator, password from the env.
fn dashboard(f: &Fixture) -> Tui {
    let config = f.config_file("");
    let tui = Tui::dashboard(&config, PASSWORD, f.dir.path(), SIZE);
    tui.wait_for("the empty dashboard", |s| {
        s.contains("Tasks 0/0") && s.contains("No tasks yet") && s.contains(" q quit")
    });
    assert_full_screen(&tui);
    tui
}

/// The list row (list pane only) showing task `id`, if it is on screen.
fn list_row(screen: &vt100::Screen, id: &str) -> Option<String> {
    let needle = format!(" {id} ");
    screen.rows(0, LIST_WIDTH).find(|r| r.contains(&needle))
}

fn row_shows(screen: &vt100::Screen, id: &str, text: &str) -> bool {
    list_row(screen, id).is_some_and(|r| r.contains(text))
}

/// The bulk confirmation is fully drawn: the title, both ids between the
/// title and the buttons, and the buttons.
fn confirm_lists_both(screen: &str) -> bool {
    let dialog: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.contains("Rescan 2 tasks?"))
        .take_while(|l| !l.contains("[ Cancel ]"))
        .collect();
    screen.contains("[ Cancel ]   [ Yes (y) ]")
        && dialog.iter().any(|l| l.contains("  e2e-one "))
        && dialog.iter().any(|l| l.contains("  e2e-two "))
}

/// Adds `ids` (space separated) through the `a` prompt.
fn add_ids(tui: &mut Tui, ids: &str) {
    tui.send(b"a");
    tui.wait_text("Add task ids");
    tui.send(format!("{ids}\r").as_bytes());
    tui.wait_screen("the added ids in the list", |s| {
        !s.contents().contains("Add task ids")
            && ids.split(' ').all(|id| row_shows(s, id, "never sent"))
    });
}

/// Leaves with `q` and checks the exit and that the terminal is restored.
fn quit_and_check_restored(mut tui: Tui) {
    tui.send(b"q");
    exits_restored(&tui);
}

/// Presses `key`, which asks `question` with requests on the wire, then
/// `y`: the program exits cleanly and the terminal is restored.
fn quit_confirmed(mut tui: Tui, key: &[u8], question: &str) {
    tui.send(key);
    tui.wait_for("the quit confirmation", |s| {
        s.contains(question) && s.contains("[ Yes (y) ]")
    });
    tui.send(b"y");
    exits_restored(&tui);
}

/// The program exits with 0 and leaves the terminal as it found it.
fn exits_restored(tui: &Tui) {
    let status = tui.wait_exit();
    assert!(
        status.success(),
        "exit status {status:?}\n{}",
        tui.contents()
    );
    assert_restored(tui);
}

/// After exit: main screen, cursor shown, mouse reporting and bracketed
/// paste off; and at no point a terminal query the harness (like some real
/// terminals) would never answer.
fn assert_restored(tui: &Tui) {
    assert!(!tui.alternate_screen(), "still on the alternate screen");
    assert!(!tui.hide_cursor(), "cursor left hidden");
    let screen = tui.screen();
    assert!(!screen.bracketed_paste(), "bracketed paste left on");
    assert_eq!(
        screen.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse reporting left on"
    );
    let raw = tui.raw_output();
    let last = |seq: &[u8]| raw.windows(seq.len()).rposition(|w| w == seq);
    assert!(
        last(pty::END_FRAME) > last(pty::BEGIN_FRAME),
        "a synchronized update left open"
    );
    for query in [&b"\x1b[6n"[..], b"\x1b[?u", b"\x1b[c"] {
        assert!(
            !raw.windows(query.len()).any(|w| w == query),
            "the program sent the terminal query {query:?}"
        );
    }
}

/// While the dashboard runs it owns the terminal: alternate screen, mouse
/// and bracketed paste on (so the checks after exit are not vacuous).
fn assert_full_screen(tui: &Tui) {
    let screen = tui.screen();
    assert!(
        screen.alternate_screen(),
        "dashboard on the alternate screen"
    );
    assert!(screen.bracketed_paste(), "bracketed paste on");
    assert_ne!(
        screen.mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse reporting on"
    );
    // Each frame is one synchronized update, so the screen is never half
    // drawn (and the waits here see only whole frames).
    let raw = tui.raw_output();
    assert!(
        raw.windows(pty::BEGIN_FRAME.len())
            .any(|w| w == pty::BEGIN_FRAME),
        "frames drawn as synchronized updates"
    );
}

fn expected_query() -> Vec<(String, String)> {
    vec![
        ("url".into(), "https://files.example.com/sample.zip".into()),
        ("file_ext".into(), "zip".into()),
    ]
}

/// The issue's scenario: add, edit, rescan one, then bulk rescan with the
/// confirmation's default (Cancel) and with `y`; what reaches the server is
/// exactly what was typed in the form, over mutual TLS.
#[test]
fn add_edit_rescan_and_bulk_rescan_against_the_simulator() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let record = f.sim.record();
    let mut tui = dashboard(&f);

    add_ids(&mut tui, "e2e-one e2e-two");
    tui.wait_text("Tasks 2/2");

    // The first is selected: edit its parameters and save.
    tui.send(b"e");
    tui.wait_for("the form for e2e-one", |s| {
        s.contains("Rescan parameters for e2e-one") && s.contains("Esc discard")
    });
    tui.send(b"https://files.example.com/sample.zip\tzip\r");
    tui.wait_for("the form saved", |s| {
        !s.contains("Rescan parameters")
            && s.contains("saved for 1 task: url=https://files.example.com/sample.zip&file_ext=zip")
    });
    assert!(record.is_empty(), "saving sends nothing");

    // One task: `r` sends at once.
    tui.send(b"r");
    tui.wait_screen("e2e-one accepted, e2e-two untouched", |s| {
        row_shows(s, "e2e-one", "✓ accepted") && row_shows(s, "e2e-two", "never sent")
    });
    eventually("one recorded request", || record.len() == 1);
    let requests = record.requests();
    assert_eq!(requests.len(), 1, "{requests:#?}");
    let sent = &requests[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.task_id, "e2e-one");
    assert_eq!(sent.query, expected_query());
    assert_eq!(sent.content_length.as_deref(), Some("0"));
    assert_eq!(sent.client_cert_cn.as_deref(), Some("tae-demo"));
    assert_eq!(sent.user.as_deref(), Some(USER));
    assert_eq!(sent.status, Some(200));

    // Two marked tasks: `r` asks first, and Enter alone means Cancel.
    tui.send(b"*r");
    tui.wait_for("a confirmation listing both ids", confirm_lists_both);
    tui.send(b"\r");
    tui.wait_for("the dialog gone, nothing queued", |s| {
        !s.contains("Rescan 2 tasks?")
            && s.contains("queued 0 sending 0 accepted 1 ")
            && s.contains("2 marked")
    });
    assert_eq!(record.len(), 1, "Enter on the default Cancel sent nothing");
    assert_eq!(record.in_flight(), 0, "nor started a request");

    // Again, confirmed with `y`: both are sent.
    tui.send(b"*r");
    tui.wait_for("a confirmation listing both ids", confirm_lists_both);
    tui.send(b"y");
    tui.wait_screen("both accepted and nothing in flight", |s| {
        row_shows(s, "e2e-one", "✓ accepted")
            && row_shows(s, "e2e-two", "✓ accepted")
            && s.contents().contains("queued 0 sending 0 accepted 2 ")
    });
    eventually("three recorded requests", || record.len() == 3);
    let mut bulk = record.requests().split_off(1);
    bulk.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    assert_eq!(bulk[0].task_id, "e2e-one");
    assert_eq!(bulk[0].query, expected_query(), "saved parameters reused");
    assert_eq!(bulk[1].task_id, "e2e-two");
    assert!(
        bulk[1].query.is_empty(),
        "nothing saved for e2e-two: {bulk:#?}"
    );
    assert!(bulk.iter().all(|r| r.status == Some(200)), "{bulk:#?}");

    // Nothing in flight: `q` quits at once.
    quit_and_check_restored(tui);
}

/// A bracketed paste in the list adds every valid line and says which line
/// was not a task id.
#[test]
fn paste_adds_every_line() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = dashboard(&f);
    tui.send(b"\x1b[200~p-1\np-2\nbad/id\np-3\x1b[201~");
    tui.wait_screen(
        "p-1, p-2, p-3 listed and a notice naming the bad line",
        |s| {
            let text = s.contents();
            let notice = text
                .lines()
                .find(|l| l.contains("added 3 tasks from paste; 1 invalid"))
                .unwrap_or_default();
            ["p-1", "p-2", "p-3"]
                .iter()
                .all(|id| row_shows(s, id, "never sent"))
                && text.contains("Tasks 3/3")
                && (notice.contains("bad/id") || notice.contains("task_id"))
        },
    );
    assert!(list_row(&tui.screen(), "bad/id").is_none());
    quit_and_check_restored(tui);
}

/// Many terminals (VTE, xterm, tmux's paste-buffer) send a pasted newline
/// as CR. Such a paste should add every line just the same.
#[test]
fn paste_with_cr_line_ends_adds_every_line() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = dashboard(&f);
    tui.send(b"\x1b[200~p-1\rp-2\rp-3\x1b[201~");
    tui.wait_screen("p-1, p-2, p-3 listed", |s| {
        ["p-1", "p-2", "p-3"]
            .iter()
            .all(|id| row_shows(s, id, "never sent"))
    });
    quit_and_check_restored(tui);
}

/// No config and no TIP_* variables: the first-run screen, fully drawn.
fn first_run(home: &Path) -> Tui {
    let tui = Tui::spawn(&[], &[], home, SIZE);
    tui.wait_for("the first-run screen", |s| {
        s.contains("Welcome to tae-rescan") && s.contains("Press q to quit.")
    });
    assert_full_screen(&tui);
    tui
}

/// Without a config the user learns where it goes and that demo mode
/// exists, and `q` leaves cleanly.
#[test]
fn first_run_screen_without_config() {
    let home = tempfile::tempdir().expect("tempdir");
    let tui = first_run(home.path());
    let screen = tui.contents();
    let path = home.path().join("config/tae-rescan/config.toml");
    assert!(
        screen.contains(&path.display().to_string()),
        "shows where the config goes ({}):\n{screen}",
        path.display()
    );
    assert!(
        screen.contains("Press d for demo mode"),
        "offers demo mode:\n{screen}"
    );
    quit_and_check_restored(tui);
}

/// `d` on the first-run screen starts demo mode with the demo inventory.
#[test]
fn first_run_d_starts_demo_mode() {
    let home = tempfile::tempdir().expect("tempdir");
    let demo = tae_rescan::sim::demo_tasks();
    let first = &demo.first().expect("demo tasks are embedded").id;
    let title = format!("Tasks {n}/{n}", n = demo.len());
    let mut tui = first_run(home.path());
    tui.send(b"d");
    // Long ids are cut short in the list at this width; the details pane of
    // the selected (first) task shows it whole.
    tui.wait_for("the demo tasks, the first one's details, the notice", |s| {
        s.contains(&title) && s.contains(first.as_str()) && s.contains("demo mode: ")
    });
    quit_and_check_restored(tui);
}

/// The dashboard shows its times in the local zone (`TZ`) and says which
/// one once, in the status bar: the zone's name, or its offset when `TZ`
/// names none.
#[test]
fn the_status_bar_names_the_time_zone() {
    for (tz, shown) in [
        ("Europe/Berlin", "times in Europe/Berlin"),
        ("UTC", "times in UTC"),
        ("XYZ-1:30", "times in +01:30"),
    ] {
        let home = tempfile::tempdir().expect("tempdir");
        let mut tui = Tui::spawn(&["--demo"], &[("TZ", tz)], home.path(), SIZE);
        tui.wait_text(shown);
        tui.send(b"q");
        tui.wait_exit();
    }
}

/// Ctrl-C while a request is in flight asks first; `y` cancels it, exits 0
/// and restores the terminal.
#[test]
fn ctrl_c_with_requests_in_flight_asks_then_restores() {
    let rt = runtime();
    let behaviours = Behaviours {
        per_task: [(
            "slow-1".to_owned(),
            Behaviour::Slow {
                delay: Duration::from_secs(30),
            },
        )]
        .into_iter()
        .collect(),
        ..Behaviours::default()
    };
    let f = rt.block_on(Fixture::start(behaviours));
    let record = f.sim.record();
    let mut tui = dashboard(&f);
    add_ids(&mut tui, "slow-1");
    tui.send(b"r");
    tui.wait_screen("slow-1 sending", |s| row_shows(s, "slow-1", "sending"));
    eventually("the simulator holding the request", || {
        record.in_flight() == 1
    });

    quit_confirmed(tui, b"\x03", "Quit? 1 on the wire, 0 queued");
}

/// The dashboard with one request at once (and `extra` config), against a
/// simulator on which `slow` answers after `delay` (every other task at
/// once), sending `ids` (two or more).
fn one_at_a_time(
    rt: &tokio::runtime::Runtime,
    slow: &[&str],
    delay: Duration,
    ids: &str,
    extra: &str,
) -> (Fixture, Tui) {
    let behaviour = Behaviour::Slow { delay };
    let per_task = slow.iter().map(|id| (id.to_string(), behaviour.clone()));
    let f = rt.block_on(Fixture::start(Behaviours {
        per_task: per_task.collect(),
        ..Behaviours::default()
    }));
    let config = f.config_file(&format!("[worker]\nconcurrency = 1\n{extra}"));
    let mut tui = Tui::dashboard(&config, PASSWORD, f.dir.path(), SIZE);
    tui.wait_text("No tasks yet");
    add_ids(&mut tui, ids);
    tui.send(b"*r");
    tui.wait_text(&format!("Rescan {} tasks?", ids.split(' ').count()));
    tui.send(b"yu");
    (f, tui)
}

/// `p` while a request is on the wire: it finishes, nothing new is sent
/// (the simulator saw that one request only), the status bar says
/// `paused`; `p` again sends the rest, and the run's end rings the bell once.
#[test]
fn a_paused_run_sends_nothing_new_until_resumed() {
    let rt = runtime();
    let (f, mut tui) = one_at_a_time(
        &rt,
        &["hold-1"],
        Duration::from_secs(3),
        "hold-1 quick-1 quick-2",
        "",
    );
    let record = f.sim.record();
    tui.wait_screen("hold-1 on the wire", |s| row_shows(s, "hold-1", "sending"));
    eventually("the simulator holding hold-1", || record.in_flight() == 1);
    tui.send(b"p");
    tui.wait_screen("hold-1 answered, the rest held back", |s| {
        let text = s.contents();
        row_shows(s, "hold-1", "✓ accepted")
            && text.contains(" queued 2 sending 0 ")
            && text.contains("run 1/3 · ")
            && text.contains(" · paused ")
    });
    assert_eq!(
        (record.len(), record.in_flight()),
        (1, 0),
        "nothing sent while paused"
    );
    assert!(!tui.raw_output().contains(&0x07), "no bell before the end");

    tui.send(b"p");
    tui.wait_for("the rest sent after resuming", |s| {
        s.contains("run done in ")
            && s.contains(": 3 accepted, 0 not accepted")
            && !s.contains("paused")
    });
    assert_eq!(record.len(), 3);
    let bells = tui.raw_output().iter().filter(|b| **b == 0x07).count();
    assert_eq!(bells, 1, "the bell rings once, at the end");
    quit_and_check_restored(tui);
}

/// `[ui] bell = false`: the run ends without the bell.
#[test]
fn no_bell_with_bell_off() {
    let rt = runtime();
    let (_f, tui) = one_at_a_time(
        &rt,
        &[],
        Duration::ZERO,
        "quick-1 quick-2",
        "[ui]\nbell = false\n",
    );
    tui.wait_text(": 2 accepted, 0 not accepted");
    assert!(!tui.raw_output().contains(&0x07), "no bell");
    quit_and_check_restored(tui);
}

/// `+` lets one more request onto the wire at once; quitting while paused
/// asks and cancels as ever.
#[test]
fn plus_lets_one_more_request_onto_the_wire() {
    let rt = runtime();
    let (f, tui) = one_at_a_time(
        &rt,
        &["hold-1", "hold-2", "hold-3"],
        Duration::from_secs(30),
        "hold-1 hold-2 hold-3",
        "",
    );
    let record = f.sim.record();
    tui.wait_for("one on the wire", |s| {
        s.contains(" queued 2 sending 1 ") && s.contains("· concurrency 1 ")
    });
    eventually("the simulator holding one request", || {
        record.in_flight() == 1
    });
    let mut tui = tui;
    tui.send(b"+");
    tui.wait_for("two on the wire", |s| {
        s.contains(" queued 1 sending 2 ") && s.contains("· concurrency 2 ")
    });
    eventually("the simulator holding two requests", || {
        record.in_flight() == 2
    });
    assert_eq!(record.max_in_flight(), 2);

    tui.send(b"p");
    tui.wait_text(" · paused ");
    quit_confirmed(tui, b"q", "Quit? 2 on the wire, 1 queued");
}

/// Below the minimum size the dashboard draws one line naming the minimum.
#[test]
fn too_small_terminal_shows_one_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let tui = Tui::spawn(&["--demo"], &[], home.path(), (40, 10));
    let screen = tui.wait_text("Too small (40x10): needs at least 60x12");
    let used: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(used.len(), 1, "one line only:\n{screen}");
    quit_and_check_restored(tui);
}

#[test]
fn tasks_flag_adds_the_file_and_reports_bad_lines() {
    let home = tempfile::tempdir().expect("tempdir");
    let file = home.path().join("tasks.csv");
    std::fs::write(&file, "task_id,label\nfile-a,From the ticket\nfile b,bad\n")
        .expect("write tasks");
    let tui = Tui::spawn(
        &["--demo", "--tasks", file.to_str().unwrap()],
        &[],
        home.path(),
        (120, 40),
    );
    let screen = tui.wait_text("From the ticket");
    assert!(screen.contains("file-a"), "{screen}");
    assert!(!screen.contains("file b"), "{screen}");
    tui.wait_text("1 invalid: ");
    quit_and_check_restored(tui);
}

#[test]
fn y_shows_curl_and_copies_it_with_osc52() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut tui = Tui::spawn(&["--demo"], &[], home.path(), SIZE);
    tui.wait_text("Tasks 12/12");
    tui.send(b"y");
    tui.wait_text("curl asks for the password; an unzip password shows as ***.");
    let copied = tui.last_osc52();
    // curl asks for the password; the demo's certificates are on disk.
    let cert = copied
        .strip_prefix("curl -u 'demo' --cert '")
        .and_then(|rest| rest.split_once("' --cacert '"))
        .map(|(cert, _)| std::path::PathBuf::from(cert))
        .unwrap_or_else(|| panic!("{copied}"));
    assert!(
        copied.contains("/ca.pem' -X PUT --header 'Content-Length: 0' 'https://localhost:"),
        "{copied}"
    );
    assert!(cert.is_file(), "{copied}");
    tui.send(b"\x1b");
    tui.wait_gone("Request as curl");
    quit_and_check_restored(tui);
    assert!(!cert.exists(), "the demo's certificates go when it ends");
}

#[test]
fn the_dashboard_reopens_with_tasks_parameters_and_outcomes() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours {
        per_task: [("keep-2".to_owned(), Behaviour::NotFound)].into(),
        ..Behaviours::default()
    }));
    let mut tui = dashboard(&f);
    add_ids(&mut tui, "keep-1 keep-2");
    tui.send(b"e");
    tui.wait_text("Rescan parameters for keep-1");
    tui.send(b"\texe\r");
    tui.wait_text("saved for 1 task: file_ext=exe");
    tui.send(b"*r");
    tui.wait_text("Rescan 2 tasks?");
    tui.send(b"y");
    tui.wait_screen("both answered", |s| {
        row_shows(s, "keep-1", "✓ accepted") && row_shows(s, "keep-2", "failed or hung")
    });
    quit_and_check_restored(tui);

    let tui = dashboard_again(&f);
    let screen = tui.wait_screen("the same tasks and last outcomes", |s| {
        row_shows(s, "keep-1", "✓ accepted") && row_shows(s, "keep-2", "failed or hung")
    });
    assert!(screen.contains("Tasks 2/2"), "{screen}");
    // keep-1 is selected: its parameters and its history are shown.
    tui.wait_for("keep-1's details", |s| {
        s.contains("next send  file_ext=exe")
            && s.contains("Rescans (1), newest first")
            && s.contains("sent: file_ext=exe")
    });
    quit_and_check_restored(tui);
}

/// A bulk run cancelled with one request on the wire and the rest queued:
/// the queued tasks were never sent and keep `accepted`, the one on the
/// wire ends `cancelled`, and the dashboard reopened counts the same.
#[test]
fn a_cancelled_bulk_run_keeps_what_was_never_sent_also_after_a_restart() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours {
        per_task: [(
            "hold-1".to_owned(),
            Behaviour::Slow {
                delay: Duration::from_secs(30),
            },
        )]
        .into(),
        ..Behaviours::default()
    }));
    let config = f.config_file("[worker]\nconcurrency = 1\n");
    let spawn = || Tui::dashboard(&config, PASSWORD, f.dir.path(), SIZE);
    let mut tui = spawn();
    tui.wait_text("No tasks yet");
    add_ids(&mut tui, "hold-1 keep-1 keep-2 keep-3");
    // The three quick ones first.
    tui.send(b"j   r");
    tui.wait_text("Rescan 3 tasks?");
    tui.send(b"y");
    tui.wait_for("three accepted", |s| {
        s.contains("sending 0 accepted 3 not accepted 0 ")
    });
    // Then all four, the slow one first: it holds the only slot.
    tui.send(b"u*r");
    tui.wait_text("Rescan 4 tasks?");
    tui.send(b"y");
    tui.wait_screen("hold-1 on the wire, the rest queued", |s| {
        row_shows(s, "hold-1", "sending") && s.contents().contains(" queued 3 sending 1 ")
    });
    tui.send(b"c");
    let counted = "sending 0 accepted 3 not accepted 1 ";
    tui.wait_screen("hold-1 cancelled, the others still accepted", |s| {
        row_shows(s, "hold-1", "cancelled")
            && ["keep-1", "keep-2", "keep-3"]
                .iter()
                .all(|id| row_shows(s, id, "✓ accepted"))
            && s.contents().contains(counted)
    });
    quit_and_check_restored(tui);

    let tui = spawn();
    tui.wait_screen("the same outcomes after a restart", |s| {
        s.contents().contains("Tasks 4/4")
            && s.contents().contains(counted)
            && row_shows(s, "hold-1", "cancelled")
            && row_shows(s, "keep-3", "✓ accepted")
    });
}

/// An unzip password set in the form with `remember_unzip_passwords` off is
/// gone after a restart: the task says so, `r` asks for it in a masked
/// prompt, Esc sends nothing, and Enter sends what was typed.
#[test]
fn an_unzip_password_not_kept_is_asked_for_after_a_restart() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let record = f.sim.record();
    let mut tui = dashboard(&f);
    add_ids(&mut tui, "zip-1");
    tui.send(b"e");
    tui.wait_text("Rescan parameters for zip-1");
    // file_ext, processing_type ← (unzip-and-exec), the password.
    tui.send(b"\tzip\t\x1b[D\tfirst-secret\r");
    tui.wait_text(
        "saved for 1 task: file_ext=zip&processing_type=unzip-and-exec&unzip_password=***",
    );
    quit_and_check_restored(tui);

    let mut tui = dashboard_again(&f);
    tui.wait_for("the task says its password was not kept", |s| {
        s.contains("next send  file_ext=zip&processing_type=unzip-and-exec")
            && s.contains("unzip password not kept")
    });
    tui.send(b"r");
    tui.wait_text("Unzip password for zip-1");
    tui.send(b"typed\x1b");
    tui.wait_for("Esc: nothing sent", |s| {
        !s.contains("Unzip password for") && s.contains("nothing sent of 1 task")
    });
    assert!(record.is_empty(), "Esc sent nothing");
    assert_eq!(record.in_flight(), 0, "nor started a request");

    tui.send(b"r");
    tui.wait_text("Unzip password for zip-1");
    tui.send(b"typed-again");
    let screen = tui.wait_text("•••••••••••");
    assert!(!screen.contains("typed-again"), "masked: {screen}");
    tui.send(b"\r");
    tui.wait_screen("zip-1 accepted", |s| row_shows(s, "zip-1", "✓ accepted"));
    eventually("one recorded request", || record.len() == 1);
    let sent = &record.requests()[0];
    assert_eq!(sent.task_id, "zip-1");
    assert_eq!(
        sent.query,
        vec![
            ("file_ext".to_owned(), "zip".to_owned()),
            ("processing_type".to_owned(), "unzip-and-exec".to_owned()),
            ("unzip_password".to_owned(), "typed-again".to_owned()),
        ]
    );
    quit_and_check_restored(tui);
}

/// The dashboard again on the same data dir (not expecting an empty list).
fn dashboard_again(f: &Fixture) -> Tui {
    let config = f.config_file("");
    Tui::dashboard(&config, PASSWORD, f.dir.path(), SIZE)
}

#[test]
fn a_garbage_database_stops_the_dashboard_before_the_screen_with_exit_2() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let db_dir = f.dir.path().join("data/tae-rescan");
    std::fs::create_dir_all(&db_dir).unwrap();
    let db = db_dir.join("tae-rescan.db");
    std::fs::write(&db, b"this is not sqlite\n").unwrap();
    let tui = dashboard_again(&f);
    let status = tui.wait_exit();
    assert_eq!(status.exit_code(), 2, "{}", tui.contents());
    let text = tui.contents();
    assert!(
        text.contains("not a tae-rescan database") && text.contains("tae-rescan.db"),
        "{text}"
    );
    assert!(!tui.alternate_screen());
    assert_eq!(std::fs::read(&db).unwrap(), b"this is not sqlite\n");
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let rt = runtime();
    let hostile = "\u{1b}]0;PWNED-TITLE\u{7}\u{1b}[2J\u{9b}31m\u{202e}evil";
    let f = rt.block_on(Fixture::start(Behaviours {
        per_task: [(
            "evil-1".to_owned(),
            Behaviour::Reject {
                error: "invalid-params".into(),
                description: hostile.into(),
            },
        )]
        .into(),
        ..Behaviours::default()
    }));
    let tasks = f.write(
        "hostile.json",
        format!(
            r#"[{{"task_id": "evil-1", "label": {}}}]"#,
            serde_json::to_string(hostile).unwrap()
        )
        .as_bytes(),
    );
    let config = f.config_file("");
    let mut tui = Tui::spawn(
        &[
            "--config",
            config.to_str().unwrap(),
            "--tasks",
            tasks.to_str().unwrap(),
        ],
        &[("TIP_PASSWORD", PASSWORD)],
        f.dir.path(),
        SIZE,
    );
    tui.wait_text("Tasks 1/1");
    tui.send(b"r");
    tui.wait_screen("the rejection shown", |s| {
        row_shows(s, "evil-1", "rejected") && s.contents().contains("PWNED-TITLE")
    });
    let screen = tui.contents();
    assert!(
        screen.contains("\\e]0;PWNED-TITLE"),
        "shown escaped: {screen}"
    );
    let raw = tui.raw_output();
    for bad in [
        &b"\x1b]0;PWNED"[..],
        b"\x1b]2;",
        b"\xc2\x9b31m",
        "\u{202e}".as_bytes(),
    ] {
        assert!(
            !raw.windows(bad.len()).any(|w| w == bad),
            "raw output carried {bad:?}"
        );
    }
    quit_and_check_restored(tui);
}

#[test]
fn an_expiring_certificate_is_shown_in_the_status_bar() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let now = std::time::SystemTime::now();
    let day = Duration::from_secs(86_400);
    let (cert, key) = f
        .pki
        .issue_client("tae-demo", now - day, now + 3 * day)
        .unwrap();
    f.write("soon.pem", format!("{cert}{key}").as_bytes());
    let config = f.write(
        "soon.toml",
        format!("[api]\nbase_url = \"{}\"\nusername = \"analyst\"\nclient_cert = \"soon.pem\"\nca_cert = \"ca.pem\"\n", f.sim.base_url()).as_bytes(),
    );
    let tui = Tui::spawn(
        &["--config", config.to_str().unwrap()],
        &[("TIP_PASSWORD", PASSWORD)],
        f.dir.path(),
        (160, 30),
    );
    tui.wait_for("the expiry warning", |s| {
        s.contains("⚠ client certificate expires in ") && s.contains(" days (")
    });
    quit_and_check_restored(tui);
}

fn make_fifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    let made = unsafe { libc::mkfifo(c.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo {}", path.display());
}

/// A FIFO nobody writes to, given to the import prompt (`i`) or as
/// `--tasks`, and `-` in the prompt: refused in one line on the status bar,
/// nothing hangs, and `q` ends the process.
#[test]
fn a_fifo_import_is_refused_and_q_still_exits() {
    let home = tempfile::tempdir().expect("tempdir");
    let fifo = home.path().join("ids.pipe");
    make_fifo(&fifo);
    let shown = fifo.display().to_string();
    let refused = |s: &str| s.contains("ids.pipe") && s.contains("named pipe (FIFO)");

    let mut tui = Tui::spawn(&["--demo"], &[], home.path(), SIZE);
    // The demo's tasks listed: its keys work (before, `i` could land on the
    // starting screen and be lost).
    tui.wait_text("Tasks 12/12");
    tui.send(b"i");
    tui.wait_text("Import tasks from a file");
    tui.send(format!("{shown}\r").as_bytes());
    tui.wait_for("the refusal naming the FIFO", refused);
    // Standard input is the terminal the keys come from: never read as tasks.
    tui.send(b"i");
    tui.wait_text("Import tasks from a file");
    tui.send(b"-\r");
    tui.wait_text("cannot read tasks from standard input");
    quit_and_check_restored(tui);

    let tui = Tui::spawn(&["--demo", "--tasks", &shown], &[], home.path(), SIZE);
    tui.wait_for("the --tasks refusal naming the FIFO", refused);
    quit_and_check_restored(tui);
}

/// Runs the CLI with the fixture's account on the dashboard's data dir;
/// returns what it printed.
fn cli_on_the_same_data_dir(rt: &tokio::runtime::Runtime, f: &Fixture, args: &[&str]) -> String {
    let config = f.config_file("");
    let data = f.dir.path().join("data/tae-rescan");
    let mut all = vec![args[0], "--config", config.to_str().unwrap()];
    all.extend(["--data-dir", data.to_str().unwrap()]);
    all.extend(&args[1..]);
    let (code, out, err) = rt.block_on(common::run_cli(
        &all,
        &[("TIP_PASSWORD", PASSWORD)],
        None,
        f.dir.path(),
    ));
    assert_eq!(code, 0, "{all:?}: {out}{err}");
    out
}

/// Tasks the CLI imports into the dashboard's data dir, and the outcome of
/// the CLI's rescan of one of them, show in the open dashboard by
/// themselves: no key, no restart.
#[test]
fn what_the_cli_writes_to_the_same_data_dir_shows_in_the_open_dashboard() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let tui = dashboard(&f);
    let list = f.write("others.txt", b"cli-1\ncli-2\n");
    cli_on_the_same_data_dir(&rt, &f, &["tasks", "import", list.to_str().unwrap()]);
    tui.wait_screen("the tasks the CLI imported", |s| {
        s.contents().contains("Tasks 2/2")
            && row_shows(s, "cli-1", "never sent")
            && row_shows(s, "cli-2", "never sent")
    });
    cli_on_the_same_data_dir(&rt, &f, &["rescan", "cli-2"]);
    tui.wait_screen("the outcome of the CLI's rescan", |s| {
        row_shows(s, "cli-2", "✓ accepted") && row_shows(s, "cli-1", "never sent")
    });
    quit_and_check_restored(tui);
}

/// A dashboard killed (-9) with rescans on the wire: the next start says
/// how many were interrupted, and Enter shows those tasks.
#[test]
fn after_a_crash_the_first_screen_says_how_many_rescans_were_interrupted() {
    let rt = runtime();
    let slow = Behaviour::Slow {
        delay: Duration::from_secs(30),
    };
    let f = rt.block_on(Fixture::start(common::scripted(&[
        ("crash-1", slow.clone()),
        ("crash-2", slow),
    ])));
    let record = f.sim.record();
    let mut tui = dashboard(&f);
    add_ids(&mut tui, "crash-1 crash-2 calm-3");
    tui.send(b"  ");
    tui.wait_text("2 marked");
    tui.send(b"r");
    tui.wait_text("Rescan 2 tasks?");
    tui.send(b"y");
    tui.wait_screen("both sending", |s| {
        row_shows(s, "crash-1", "sending") && row_shows(s, "crash-2", "sending")
    });
    eventually("the simulator holding both requests", || {
        record.in_flight() == 2
    });
    tui.signal(libc::SIGKILL);
    tui.wait_exit();

    let mut tui = dashboard_again(&f);
    tui.wait_screen("the interrupted rescans named", |s| {
        s.contents()
            .contains("2 rescans were interrupted when tae-rescan last stopped")
            && row_shows(s, "crash-1", "interrupted")
            && row_shows(s, "calm-3", "never sent")
    });
    tui.send(b"\r");
    tui.wait_screen("only the interrupted tasks", |s| {
        s.contents().contains("Tasks 2/3")
            && row_shows(s, "crash-1", "interrupted")
            && row_shows(s, "crash-2", "interrupted")
            && list_row(s, "calm-3").is_none()
    });
    quit_and_check_restored(tui);
}

/// A file imported with `i` is in the inventory as soon as the list shows
/// it (the session writes it before handing it to the list).
#[test]
fn a_file_imported_in_the_dashboard_is_in_the_inventory() {
    let rt = runtime();
    let f = rt.block_on(Fixture::start(Behaviours::default()));
    let mut tui = dashboard(&f);
    let file = f.write("mine.csv", b"task_id,label\nfile-1,First\nfile-2,Second\n");
    tui.send(b"i");
    tui.wait_text("Import tasks from a file");
    tui.send(format!("{}\r", file.display()).as_bytes());
    tui.wait_for("the imported tasks", |s| {
        s.contains("added 2 tasks from") && s.contains("Tasks 2/2")
    });
    let listed = cli_on_the_same_data_dir(&rt, &f, &["tasks", "list"]);
    assert!(
        listed.contains("file-1") && listed.contains("Second"),
        "{listed}"
    );
    quit_and_check_restored(tui);
}

#[test]
fn sort_filter_and_y_in_the_real_binary_and_the_view_comes_back_after_a_restart() {
    let home = tempfile::tempdir().expect("tempdir");
    let mut tui = Tui::spawn(&["--demo"], &[], home.path(), SIZE);
    tui.wait_text("Tasks 12/12");
    tui.send(b"s");
    tui.wait_text("sorted by id");
    tui.send(b"/\"never sent\"\r");
    tui.wait_text("filter: \"never sent\"");
    tui.send(b"Y");
    tui.wait_text("copied 12 ids (in view)");
    let copied = tui.last_osc52();
    let ids: Vec<&str> = copied.lines().collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!((ids.len(), &ids), (12, &sorted), "{copied}");
    quit_and_check_restored(tui);

    let tui = Tui::spawn(&["--demo"], &[], home.path(), SIZE);
    tui.wait_text("sorted by id");
    tui.wait_text("filter: \"never sent\"");
    quit_and_check_restored(tui);
}
