//! What `s`, `S`, `Y` and the task tab's `x` do with the tasks in view:
//! order them, copy their ids, export them.

use std::path::PathBuf;

use super::app::{App, Tab};
use super::message::Command;
use super::tasklist::Sort;
use super::update::scroll_to_selection;
use crate::export::TaskLine;

/// `s`: sorts by the next column (id, label, last outcome, when, then the
/// order added again), in the same direction.
pub fn next_sort(app: &mut App) {
    let sort = app.tasks.sort();
    set_sort(
        app,
        Sort {
            column: sort.column.next(),
            ..sort
        },
    );
}

/// `S`: the same column the other way round.
pub fn reverse_sort(app: &mut App) {
    let sort = app.tasks.sort();
    set_sort(
        app,
        Sort {
            reversed: !sort.reversed,
            ..sort
        },
    );
}

fn set_sort(app: &mut App, sort: Sort) {
    app.tasks.set_sort(sort);
    scroll_to_selection(app);
}

/// `Y`: the ids of the marked tasks, or with none marked of the tasks in
/// view, one a line, to the clipboard (OSC 52); says how many.
pub fn copy_ids(app: &mut App) -> Vec<Command> {
    let rows = app.tasks.marked_or_visible();
    if rows.is_empty() {
        app.notify("no ids to copy: no task is in view", false);
        return vec![];
    }
    let count = rows.len();
    let text = rows
        .iter()
        .map(|r| r.id.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let what = if app.tasks.marked() > 0 {
        "marked"
    } else {
        "in view"
    };
    let ids = crate::text::counted(count as u64, "id", "ids");
    app.notify(format!("copied {ids} ({what})"), false);
    vec![Command::Copy(text)]
}

/// `x`'s file written: on the task tab the tasks in view (id, label,
/// last outcome, when), on the monitor the history it shows.
pub fn export(app: &App, path: PathBuf) -> Command {
    match app.tab {
        Tab::Tasks => Command::ExportTasks {
            path,
            tasks: app
                .tasks
                .visible_rows()
                .map(|r| {
                    let last = r.last().map(|a| (a.outcome, a.time.as_millisecond()));
                    TaskLine::new(r.id.as_str(), &r.label, last)
                })
                .collect(),
        },
        Tab::Monitor => Command::Export {
            path,
            query: app.monitor.export_query(app.now),
        },
    }
}
