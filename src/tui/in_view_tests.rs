//! `update` tests for the task list's filter and sort as keys reach them,
//! their keeping across a restart, `Y` and the task tab's `x`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;

use super::app::App;
use super::message::{Command, Message};
use super::saved_view::SETTING;
use super::tasklist::{Sort, SortColumn};
use super::test_support::{answer, app_at, press};
use super::update::update;
use crate::api::TaskId;
use crate::export::TaskLine;
use crate::store::{StoredParams, StoredTask, TaskChunk};

/// A second, in milliseconds, for the records' times.
const S: i64 = 1000;
const T0: i64 = 1_795_000_000_000;

fn app() -> App {
    app_at((120, 30), &[])
}

fn chars(app: &mut App, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| press(app, KeyCode::Char(c)))
        .collect()
}

/// `/`, the text, Enter.
fn filter(app: &mut App, text: &str) -> Vec<Command> {
    press(app, KeyCode::Char('/'));
    let mut commands = chars(app, text);
    commands.extend(press(app, KeyCode::Enter));
    commands
}

fn stored(id: &str, label: &str, last: Option<(&str, Option<&str>, i64)>) -> StoredTask {
    StoredTask {
        id: TaskId::parse(id).unwrap(),
        label: label.into(),
        url: None,
        params: StoredParams::default(),
        last: last.map(|(outcome, error, time)| answer(id, time, outcome.parse().unwrap(), error)),
    }
}

/// Five tasks, added in the order c, a, d, b, e: two with the same label,
/// two never sent.
fn loaded() -> App {
    let mut app = app();
    let tasks = vec![
        stored(
            "c-3",
            "Beta",
            Some(("rejected", Some("ERR_X"), T0 + 300 * S)),
        ),
        stored("a-1", "alpha", Some(("accepted", None, T0 + 100 * S))),
        stored("d-4", "", None),
        stored("b-2", "gamma", Some(("failed or hung", None, T0 + 200 * S))),
        stored("e-5", "alpha", None),
    ];
    let total = tasks.len();
    update(&mut app, Message::Loaded(Ok(TaskChunk { total, tasks })));
    update(&mut app, Message::LoadFinished);
    app
}

fn shown(app: &App) -> Vec<&str> {
    app.tasks.visible_rows().map(|r| r.id.as_str()).collect()
}

/// The list's title line as drawn.
fn title(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(app.size.0, app.size.1)).unwrap();
    terminal.draw(|f| super::view::view(app, f)).unwrap();
    let screen = format!("{}", terminal.backend());
    screen.lines().next().unwrap().to_owned()
}

#[test]
fn s_cycles_the_column_and_the_title_says_it() {
    let mut app = loaded();
    assert_eq!(app.tasks.sort(), Sort::default());
    assert!(!title(&app).contains("sorted by"));
    for (column, name) in [
        (SortColumn::Id, "id"),
        (SortColumn::Label, "label"),
        (SortColumn::Outcome, "last outcome"),
        (SortColumn::When, "when"),
    ] {
        press(&mut app, KeyCode::Char('s'));
        assert_eq!(app.tasks.sort().column, column);
        assert!(
            title(&app).contains(&format!("· sorted by {name} ")),
            "{}",
            title(&app)
        );
    }
    press(&mut app, KeyCode::Char('S'));
    assert!(title(&app).contains("· sorted by when, reversed "));
    press(&mut app, KeyCode::Char('s'));
    assert_eq!(
        app.tasks.sort(),
        Sort {
            column: SortColumn::Added,
            reversed: true
        },
        "back to the order added, still reversed"
    );
    assert!(title(&app).contains("· sorted by order added, reversed "));
    press(&mut app, KeyCode::Char('S'));
    assert!(!title(&app).contains("sorted by"), "{}", title(&app));
}

#[test]
fn each_column_sorts_both_ways_blanks_last_ties_by_id() {
    let mut app = loaded();
    let order = |app: &mut App, column| {
        app.tasks.set_sort(Sort {
            column,
            reversed: false,
        });
        let up: Vec<String> = shown(app).into_iter().map(str::to_owned).collect();
        press(app, KeyCode::Char('S'));
        let down: Vec<String> = shown(app).into_iter().map(str::to_owned).collect();
        (up, down)
    };
    use SortColumn::*;
    for (column, up, down) in [
        (
            Added,
            ["c-3", "a-1", "d-4", "b-2", "e-5"],
            ["e-5", "b-2", "d-4", "a-1", "c-3"],
        ),
        (
            Id,
            ["a-1", "b-2", "c-3", "d-4", "e-5"],
            ["e-5", "d-4", "c-3", "b-2", "a-1"],
        ),
        (
            // Case ignored; no label last; the two alphas by id.
            Label,
            ["a-1", "e-5", "c-3", "b-2", "d-4"],
            ["b-2", "c-3", "a-1", "e-5", "d-4"],
        ),
        (
            // By the words, A to Z; never sent last, by id.
            Outcome,
            ["a-1", "b-2", "c-3", "d-4", "e-5"],
            ["c-3", "b-2", "a-1", "d-4", "e-5"],
        ),
        (
            // Oldest first (newest first reversed); never sent last.
            When,
            ["a-1", "b-2", "c-3", "d-4", "e-5"],
            ["c-3", "b-2", "a-1", "d-4", "e-5"],
        ),
    ] {
        assert_eq!(
            order(&mut app, column),
            (
                up.map(String::from).to_vec(),
                down.map(String::from).to_vec()
            ),
            "{column:?}"
        );
    }
}

#[test]
fn a_new_outcome_moves_its_row_in_a_sort_by_when_and_the_selection_stays() {
    let mut app = loaded();
    app.tasks.set_sort(Sort {
        column: SortColumn::When,
        reversed: true,
    });
    filter(&mut app, "!rejected");
    assert_eq!(shown(&app), ["b-2", "a-1", "d-4", "e-5"]);
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.tasks.selected_row().unwrap().id.as_str(), "a-1");
    // Another writer's record: e-5 rejected, then d-4 accepted, just now.
    let changes = |id: &str, outcome: &str, time| crate::store::Changes {
        tasks: vec![],
        records: vec![stored(id, "", Some((outcome, None, time))).last.unwrap()],
    };
    update(
        &mut app,
        Message::OthersWrote(Ok(changes("e-5", "rejected", T0 + 400 * S))),
    );
    update(
        &mut app,
        Message::OthersWrote(Ok(changes("d-4", "accepted", T0 + 500 * S))),
    );
    assert_eq!(
        shown(&app),
        ["d-4", "b-2", "a-1"],
        "out of view, then first"
    );
    assert_eq!(app.tasks.selected_row().unwrap().id.as_str(), "a-1");
}

#[test]
fn fields_negation_and_quotes_filter_the_list() {
    let mut app = loaded();
    filter(&mut app, "outcome:\"failed or hung\"");
    assert_eq!(shown(&app), ["b-2"]);
    press(&mut app, KeyCode::Esc);
    filter(&mut app, "outcome:\"rejected\" error:\"ERR_X\"");
    assert_eq!(shown(&app), ["c-3"], "a failure group, exactly");
    press(&mut app, KeyCode::Esc);
    filter(&mut app, "\"never sent\" label:alpha");
    assert_eq!(shown(&app), ["e-5"]);
    press(&mut app, KeyCode::Esc);
    filter(&mut app, "!accepted !\"never sent\"");
    assert_eq!(shown(&app), ["c-3", "b-2"]);
    press(&mut app, KeyCode::Esc);
    filter(&mut app, "\"not accepted\"");
    assert_eq!(shown(&app), ["c-3", "b-2"], "as the status bar counts");
}

#[test]
fn a_filter_that_cannot_be_read_says_why_in_the_filter_bar_and_keeps_the_view() {
    let mut app = loaded();
    filter(&mut app, "alpha");
    assert_eq!(shown(&app), ["a-1", "e-5"]);
    press(&mut app, KeyCode::Char('/'));
    chars(&mut app, " label:\"alp");
    let error = "a quote is not closed: add a \" after the phrase";
    assert_eq!(app.tasks.filter_error().unwrap().to_string(), error);
    assert!(title(&app).contains(error), "{}", title(&app));
    assert_eq!(
        shown(&app),
        ["a-1", "e-5"],
        "not nothing: the last filter read"
    );
    chars(&mut app, "\"");
    assert!(app.tasks.filter_error().is_none());
    assert!(!title(&app).contains(error));
    assert_eq!(shown(&app), ["a-1", "e-5"]);
}

/// The saves in `commands`: the view's texts.
fn saves(commands: &[Command]) -> Vec<String> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::SaveView(text) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn filter_and_sort_are_kept_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::store::Store::open(dir.path()).unwrap();
    let mut before = loaded();
    assert!(
        saves(&press(&mut before, KeyCode::Char('s'))).is_empty(),
        "not read yet"
    );
    update(
        &mut before,
        Message::SavedView(store.setting(SETTING).map_err(|e| e.to_string())),
    );
    assert_eq!(
        before.tasks.sort(),
        Sort::default(),
        "nothing saved: as it was"
    );
    let mut written = saves(&press(&mut before, KeyCode::Char('s')));
    written.extend(saves(&press(&mut before, KeyCode::Char('s'))));
    written.extend(saves(&press(&mut before, KeyCode::Char('S'))));
    press(&mut before, KeyCode::Char('/'));
    assert!(
        saves(&chars(&mut before, "!accepted")).is_empty(),
        "not while typing"
    );
    written.extend(saves(&press(&mut before, KeyCode::Enter)));
    assert_eq!(written.len(), 4, "{written:?}");
    assert!(
        saves(&press(&mut before, KeyCode::Char('j'))).is_empty(),
        "unchanged"
    );
    for text in &written {
        store.set_setting(SETTING, text).unwrap();
    }
    drop(store);

    let store = crate::store::Store::open(dir.path()).unwrap();
    let mut after = app();
    update(
        &mut after,
        Message::SavedView(store.setting(SETTING).map_err(|e| e.to_string())),
    );
    let chunk = TaskChunk {
        total: 5,
        tasks: vec![
            stored("c-3", "Beta", Some(("rejected", Some("ERR_X"), T0))),
            stored("a-1", "alpha", Some(("accepted", None, T0))),
            stored("d-4", "", None),
        ],
    };
    update(&mut after, Message::Loaded(Ok(chunk)));
    assert_eq!(after.tasks.filter().value(), "!accepted");
    assert_eq!(
        after.tasks.sort(),
        Sort {
            column: SortColumn::Label,
            reversed: true
        }
    );
    assert_eq!(
        shown(&after),
        ["c-3", "d-4"],
        "filtered and sorted as they arrive"
    );
    let chunk = TaskChunk {
        total: 5,
        tasks: vec![stored("b-2", "gamma", None), stored("e-5", "alpha", None)],
    };
    update(&mut after, Message::Loaded(Ok(chunk)));
    assert_eq!(shown(&after), ["b-2", "c-3", "e-5", "d-4"]);
    assert!(title(&after).contains("· sorted by label, reversed "));
    assert!(title(&after).contains("filter: !accepted"));
}

#[test]
fn a_saved_view_that_cannot_be_read_is_said_and_not_applied() {
    let mut app = loaded();
    update(&mut app, Message::SavedView(Ok(Some("{not json".into()))));
    let notice = app.notice.as_ref().unwrap();
    assert!(notice.is_error);
    assert!(
        notice
            .text
            .starts_with("the saved filter and sort cannot be read"),
        "{}",
        notice.text
    );
    assert_eq!(
        (app.tasks.filter().value(), app.tasks.sort()),
        ("", Sort::default())
    );
}

/// The text `commands` copy.
fn copied(commands: &[Command]) -> String {
    match commands {
        [Command::Copy(text)] => text.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn y_copies_the_ids_in_view_or_the_marked_ones_as_lines() {
    let mut app = loaded();
    app.tasks.set_sort(Sort {
        column: SortColumn::Id,
        reversed: false,
    });
    filter(&mut app, "!rejected");
    let text = copied(&press(&mut app, KeyCode::Char('Y')));
    assert_eq!(text, "a-1\nb-2\nd-4\ne-5", "in view, in the order shown");
    assert_eq!(app.notice.as_ref().unwrap().text, "copied 4 ids (in view)");
    // Marked: a-1, c-3 and e-5, then a filter that hides c-3.
    press(&mut app, KeyCode::Esc);
    for key in ['g', ' ', 'j', ' ', 'G', ' '] {
        press(&mut app, KeyCode::Char(key));
    }
    filter(&mut app, "alpha");
    let text = copied(&press(&mut app, KeyCode::Char('Y')));
    assert_eq!(text, "a-1\nc-3\ne-5", "every marked one, shown or not");
    assert_eq!(app.notice.as_ref().unwrap().text, "copied 3 ids (marked)");
    press(&mut app, KeyCode::Char('u'));
    filter(&mut app, " nothing-matches");
    assert!(press(&mut app, KeyCode::Char('Y')).is_empty());
    assert_eq!(
        app.notice.as_ref().unwrap().text,
        "no ids to copy: no task is in view"
    );
}

#[test]
fn x_on_the_task_tab_exports_the_tasks_in_view() {
    let mut app = loaded();
    app.tasks.set_sort(Sort {
        column: SortColumn::When,
        reversed: true,
    });
    filter(&mut app, "!outcome:accepted");
    press(&mut app, KeyCode::Char('x'));
    chars(&mut app, "/tmp/tasks.csv");
    let commands = press(&mut app, KeyCode::Enter);
    let [Command::ExportTasks { path, tasks }] = commands.as_slice() else {
        panic!("{commands:?}")
    };
    assert_eq!(path.to_str(), Some("/tmp/tasks.csv"));
    let when = |ms| Some(crate::times::rfc3339_ms(ms));
    assert_eq!(
        *tasks,
        [
            TaskLine {
                task_id: "c-3".into(),
                label: "Beta".into(),
                last_outcome: Some("rejected"),
                time: when(T0 + 300 * S),
            },
            TaskLine {
                task_id: "b-2".into(),
                label: "gamma".into(),
                last_outcome: Some("failed or hung"),
                time: when(T0 + 200 * S),
            },
            TaskLine::new("d-4", "", None),
            TaskLine::new("e-5", "alpha", None),
        ]
    );
    update(
        &mut app,
        Message::Exported(Ok("exported 4 tasks to /tmp/tasks.csv".into())),
    );
    assert_eq!(
        app.notice.as_ref().unwrap().text,
        "exported 4 tasks to /tmp/tasks.csv"
    );
}
