//! What the monitor's failures list does: `f` gives it the focus, the
//! moving keys, clicks and the wheel move in it, and Enter shows the
//! selected group's tasks on the task tab, filtered to exactly them.

use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::app::{App, Tab};
use super::message::Command;
use super::update::{move_selection, switch_tab};
use super::view::failures_body;

/// `f`: the failures list takes the focus, or gives it back to the
/// timeline.
pub fn toggle_focus(app: &mut App) {
    app.monitor.failures_focused = !app.monitor.failures_focused;
    scroll(app);
}

/// Rows of the failures list on screen.
fn page(app: &App) -> usize {
    usize::from(failures_body(app.size).height).max(1)
}

/// The moving keys: in the monitor's failures once focused, else through
/// the tasks (on the monitor, the timeline's).
pub fn move_in_focus(app: &mut App, delta: isize) {
    if !focused(app) {
        move_selection(app, delta);
        return;
    }
    let groups = app.tasks.failure_groups().len();
    let page = page(app);
    app.monitor.move_failure(delta, groups, page);
}

/// The failures list has the focus and is on screen.
fn focused(app: &App) -> bool {
    app.tab == Tab::Monitor && app.monitor.failures_focused
}

/// A page of whichever list has the focus.
pub fn page_in_focus(app: &App) -> usize {
    if focused(app) {
        page(app)
    } else {
        super::view::layout(app.size).list_rows.max(1)
    }
}

/// Keeps the selected group on screen (the groups or the screen changed).
pub fn scroll(app: &mut App) {
    let groups = app.tasks.failure_groups().len();
    let page = page(app);
    app.monitor.scroll_failures(groups, page);
}

/// Enter on the focused list: the task tab, filtered to the selected
/// group (`outcome:"LABEL"`, for `rejected` also `error:"ERROR"`), the
/// selection on its first task, ready for `R` or `*` `r`: marks left from
/// before are cleared (a notice says how many), or those keys would act on
/// tasks the filter hides.
pub fn show_group(app: &mut App) -> Vec<Command> {
    if !app.monitor.failures_focused {
        return vec![];
    }
    let groups = app.tasks.failure_groups();
    let Some(group) = groups.get(app.monitor.failure.min(groups.len().saturating_sub(1))) else {
        return vec![];
    };
    let filter = group.reason.filter();
    app.tasks.edit_filter(|f| {
        f.clear();
        f.insert(&filter);
    });
    let marked = app.tasks.marked();
    if marked > 0 {
        app.tasks.clear_marks();
    }
    let commands = switch_tab(app, Tab::Tasks);
    move_selection(app, isize::MIN / 2);
    if marked > 0 {
        let marks = crate::text::counted(marked as u64, "mark", "marks");
        app.notify(format!("{marks} cleared: r and R act on this group"), false);
    }
    commands
}

/// A click on a group selects it (and focuses the list); the wheel over
/// the list scrolls it.
pub fn on_mouse(app: &mut App, mouse: MouseEvent) {
    let body = failures_body(app.size);
    let inside = mouse.column >= body.x
        && mouse.column < body.x + body.width
        && mouse.row >= body.y
        && mouse.row < body.y + body.height;
    if !inside || app.monitor.data.is_none() {
        return;
    }
    let groups = app.tasks.failure_groups().len();
    let page = page(app);
    let m = &mut app.monitor;
    match mouse.kind {
        MouseEventKind::ScrollDown => m.move_failure(3, groups, page),
        MouseEventKind::ScrollUp => m.move_failure(-3, groups, page),
        MouseEventKind::Down(MouseButton::Left) => {
            m.select_failure_on_screen(usize::from(mouse.row - body.y), groups);
        }
        _ => return,
    }
    m.failures_focused = true;
}
