//! `update` tests for scrolling at 80x24: the help, the Details pane and the
//! monitor's timeline move by the key map's moving actions and stop at the
//! last page.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Mode, Scroll, Tab};
use super::keymap::KeyMap;
use super::message::Message;
use super::test_support::{answer, app_at, press};
use super::update::update;
use super::view::scroll_extent;
use crate::api::TaskId;
use crate::api::outcome::OutcomeKind;
use crate::config::{KeyBinding, KeyBindings, Keystroke};
use crate::store::{HistoryRecord, RecordId};

const NOW: i64 = 1_795_000_000_000;

fn app(tasks: &str) -> App {
    app_at((80, 24), &tasks.lines().collect::<Vec<_>>())
}

fn top(app: &App) -> usize {
    match app.mode {
        Mode::Help(Scroll { top }) | Mode::Details(Scroll { top }) => top,
        ref other => panic!("not scrolling: {other:?}"),
    }
}

/// `n` rescans of `task` read from the history, newest first.
fn history(app: &mut App, task: &str, n: i64) {
    let records = (0..n)
        .map(|i| HistoryRecord {
            id: RecordId(i),
            status: Some(400),
            description: Some(format!("rescan number {i} was refused")),
            elapsed_ms: Some(40),
            finished_at: Some(NOW - 60_000 * (i + 1) + 40),
            ..answer(
                task,
                NOW - 60_000 * (i + 1),
                OutcomeKind::Rejected,
                Some("too-large-file"),
            )
        })
        .collect();
    let task = TaskId::parse(task).unwrap();
    update(
        app,
        Message::History {
            task,
            result: Ok(records),
        },
    );
}

/// Walks a scrolled pane with every moving key: it never goes before the
/// top nor past the last page.
fn walk(app: &mut App) {
    let (rows, page) = scroll_extent(app);
    assert!(
        rows > page && page > 0,
        "{rows} rows in {page}: nothing to scroll"
    );
    let last = rows - page;
    assert_eq!(top(app), 0);
    press(app, KeyCode::Char('k'));
    assert_eq!(top(app), 0, "not before the top");
    press(app, KeyCode::Char('j'));
    press(app, KeyCode::Down);
    assert_eq!(top(app), 2);
    press(app, KeyCode::Up);
    assert_eq!(top(app), 1);
    press(app, KeyCode::PageDown);
    assert_eq!(top(app), (1 + page).min(last));
    press(app, KeyCode::End);
    assert_eq!(top(app), last, "End shows the last page");
    press(app, KeyCode::PageDown);
    press(app, KeyCode::Char('j'));
    assert_eq!(top(app), last, "not past the last page");
    press(app, KeyCode::PageUp);
    assert_eq!(top(app), last.saturating_sub(page));
    press(app, KeyCode::Char('G'));
    press(app, KeyCode::Home);
    assert_eq!(top(app), 0);
    press(app, KeyCode::Char('G'));
    press(app, KeyCode::Char('g'));
    assert_eq!(top(app), 0);
}

#[test]
fn the_help_scrolls_at_80x24_and_stops_at_its_last_page() {
    let mut app = app("t-1");
    press(&mut app, KeyCode::Char('?'));
    walk(&mut app);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    // Where it all fits, End stays at the top.
    app.size = (160, 60);
    press(&mut app, KeyCode::Char('?'));
    let (rows, page) = scroll_extent(&app);
    assert!(rows <= page, "{rows} rows in {page}");
    press(&mut app, KeyCode::End);
    assert_eq!(top(&app), 0);
}

#[test]
fn the_details_pane_scrolls_with_v_and_gives_the_keys_back_with_esc() {
    let mut app = app("t-1\nt-2");
    history(&mut app, "t-1", 6);
    press(&mut app, KeyCode::Char('v'));
    assert!(matches!(app.mode, Mode::Details(_)), "{:?}", app.mode);
    walk(&mut app);
    press(&mut app, KeyCode::End);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
    // The list has its keys again: j moves the selection.
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.tasks.selected_row().unwrap().id.as_str(), "t-2");
}

#[test]
fn the_timeline_scrolls_on_the_monitoring_tab() {
    let mut app = app("t-1");
    history(&mut app, "t-1", 6);
    press(&mut app, KeyCode::Tab);
    assert_eq!(app.tab, Tab::Monitor);
    press(&mut app, KeyCode::Char('v'));
    walk(&mut app);
    // Six rescans of three lines each: outcome, what it means, what was sent.
    assert_eq!(scroll_extent(&app).0, 18);
    press(&mut app, KeyCode::Esc);
    assert!(matches!(app.mode, Mode::Normal));
}

#[test]
fn v_without_a_task_changes_nothing() {
    let mut app = app("");
    press(&mut app, KeyCode::Char('v'));
    assert!(matches!(app.mode, Mode::Normal));
}

/// The scrolling keys are the map's: remapped, the new key scrolls and the
/// old one does nothing.
#[test]
fn scrolling_follows_remapped_keys() {
    let mut app = app("t-1");
    let bindings = KeyBindings {
        file: None,
        bindings: vec![KeyBinding {
            action: "down".into(),
            keys: vec![Keystroke::parse("ctrl-n").unwrap()],
            line: 1,
        }],
    };
    app.keys = KeyMap::with(&bindings).unwrap();
    press(&mut app, KeyCode::Char('?'));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(top(&app), 0);
    update(
        &mut app,
        Message::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::CONTROL)),
    );
    assert_eq!(top(&app), 1);
}
