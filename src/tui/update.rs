//! `update`: the only place the dashboard's state changes. Each message
//! becomes new state plus commands for the run loop; nothing here does I/O.

use ratatui::crossterm::event::{KeyEvent, MouseButton, MouseEvent, MouseEventKind};

use super::actions;
use super::app::{App, Confirm, ConfirmAction, Mode, Prompt, PromptKind, Scroll, Tab};
use super::events;
use super::failures;
use super::form::FormAction;
use super::in_view;
use super::input::LineInput;
use super::keymap::{Action, KeyMode};
use super::message::{Command, Message};
use super::others;
use super::run;
use super::saved_view;
use super::view::{self, layout};
use crate::import::parse_typed;

/// Applies one message; returns what the run loop must do.
pub fn update(app: &mut App, msg: Message) -> Vec<Command> {
    let mut commands = match msg {
        Message::Key(key) => on_key(app, key),
        Message::Paste(text) => on_paste(app, &text),
        Message::Mouse(mouse) => {
            on_mouse(app, mouse);
            vec![]
        }
        Message::Resize(w, h) => {
            app.size = (w, h);
            scroll_to_selection(app);
            failures::scroll(app);
            vec![]
        }
        Message::Tick(now) => {
            app.tick = app.tick.wrapping_add(1);
            app.now = now;
            events::refresh_monitor(app, false).into_iter().collect()
        }
        Message::Worker { event, at } => {
            app.now = at;
            events::apply_worker_event(app, event, at)
        }
        Message::Imported { source, result } => match result {
            Ok(imported) => {
                actions::list_imported(app, imported, &source);
                vec![]
            }
            Err(e) => {
                app.notify(e, true);
                vec![]
            }
        },
        Message::DemoReady {
            account,
            concurrency,
            tasks,
        } => {
            app.account = account;
            app.control.connected(concurrency);
            app.mode = Mode::Normal;
            let before = app.tasks.len();
            app.tasks.add(tasks);
            app.notify(
                "demo mode: the embedded simulator (history kept apart)",
                false,
            );
            actions::save(
                app,
                app.tasks.rows()[before..]
                    .iter()
                    .map(|r| r.id.clone())
                    .collect(),
            )
        }
        Message::DemoFailed(e) => {
            app.mode = Mode::Normal;
            app.notify(e, true);
            vec![]
        }
        Message::Terminate => {
            app.should_quit = true;
            actions::cancel_all(app)
        }
        Message::LoadFinished => {
            app.loading = false;
            if matches!(app.mode, Mode::StartingDemo) {
                app.mode = Mode::Normal;
            }
            vec![]
        }
        Message::Loaded(result) => {
            match result {
                Ok(tasks) => events::load_stored(app, tasks),
                Err(e) => app.notify(e, true),
            }
            vec![]
        }
        Message::History { task, result } => {
            events::on_history(app, task, result);
            vec![]
        }
        Message::Monitor(result) => {
            match result {
                Ok(data) => app.monitor.data = Some(data),
                Err(e) => app.notify(e, true),
            }
            vec![]
        }
        Message::Exported(result) => {
            match result {
                Ok(what) => app.notify(what, false),
                Err(e) => app.notify(e, true),
            }
            vec![]
        }
        Message::StoreFailed(e) => {
            app.notify(e, true);
            vec![]
        }
        Message::SavedView(read) => {
            saved_view::restored(app, read);
            scroll_to_selection(app);
            vec![]
        }
        Message::InterruptedAtStart(count) => {
            others::interrupted_at_start(app, count);
            vec![]
        }
        Message::OthersWrote(Ok(changes)) => others::wrote(app, changes),
        Message::OthersWrote(Err(e)) => {
            app.notify(e, true);
            vec![]
        }
    };
    // Whatever moved the selection, the details pane wants that task's history.
    if matches!(app.mode, Mode::Normal) {
        commands.extend(events::ensure_history(app));
    }
    // Whatever ended the run (its last answer, a cancel, a removal).
    commands.extend(run::ended(app));
    commands.extend(saved_view::save_if_changed(app));
    commands
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let mode = KeyMode::of(app);
    let action = app.keys.action(mode, &key);
    if action == Some(Action::Interrupt) {
        return interrupt(app);
    }
    // A notice that offers its key (the rescans a crash interrupted): the
    // list filtered to what the notice names.
    if matches!(app.mode, Mode::Normal)
        && let Some(text) = app.notice.as_ref().and_then(|n| n.enter_filters)
        && app.keys.action(KeyMode::Notice, &key) == Some(Action::Notice)
    {
        others::show_filtered(app, text);
        return vec![];
    }
    match &mut app.mode {
        Mode::Normal => normal_key(app, action),
        Mode::Filter => filter_key(app, action, key),
        Mode::Form(form) => match form.handle_key(action, key) {
            FormAction::Editing => vec![],
            FormAction::Discard => {
                app.mode = Mode::Normal;
                vec![]
            }
            FormAction::Save(edit) => actions::save_form(app, *edit),
        },
        Mode::UnzipPassword(prompt) => {
            let answer = prompt.handle_key(action, key);
            let Mode::UnzipPassword(prompt) = std::mem::replace(&mut app.mode, Mode::Normal) else {
                return vec![];
            };
            actions::unzip_answered(app, prompt, answer)
        }
        Mode::Confirm(confirm) => {
            let confirm = confirm.clone();
            confirm_key(app, action, confirm)
        }
        Mode::Prompt(_) => prompt_key(app, action, key),
        Mode::Help(_) | Mode::Details(_) => {
            scroll_key(app, action);
            vec![]
        }
        Mode::Curl(_) => {
            if action == Some(Action::Close) {
                app.mode = Mode::Normal;
            }
            vec![]
        }
        Mode::FirstRun(_) => match action {
            Some(Action::Demo) => {
                app.mode = Mode::StartingDemo;
                vec![Command::StartDemo]
            }
            Some(Action::Quit | Action::Leave) => {
                app.should_quit = true;
                vec![]
            }
            _ => vec![],
        },
        Mode::StartingDemo => match action {
            Some(Action::Quit) => actions::request_quit(app),
            _ => vec![],
        },
    }
}

/// The help or the details (the timeline) scrolled by a moving key, never
/// past the last page; Close gives the keys back.
fn scroll_key(app: &mut App, action: Option<Action>) {
    let Some(action) = action else { return };
    if action == Action::Close {
        app.mode = Mode::Normal;
        return;
    }
    let (rows, page) = view::scroll_extent(app);
    if let Mode::Help(scroll) | Mode::Details(scroll) = &mut app.mode
        && let Some(moved) = scroll.moved(action, rows, page)
    {
        *scroll = moved;
    }
}

/// Ctrl-C: quit from any screen, asking first while requests are in
/// flight; pressed again on that question, it is the yes.
fn interrupt(app: &mut App) -> Vec<Command> {
    if let Mode::Confirm(Confirm {
        action: ConfirmAction::Quit,
        ..
    }) = app.mode
    {
        app.mode = Mode::Normal;
        return actions::confirmed(app, ConfirmAction::Quit);
    }
    actions::request_quit(app)
}

fn normal_key(app: &mut App, action: Option<Action>) -> Vec<Command> {
    app.notice = None;
    let Some(action) = action else {
        return vec![];
    };
    let page = failures::page_in_focus(app) as isize;
    match action {
        Action::Up => failures::move_in_focus(app, -1),
        Action::Down => failures::move_in_focus(app, 1),
        Action::PageUp => failures::move_in_focus(app, -page),
        Action::PageDown => failures::move_in_focus(app, page),
        Action::First => failures::move_in_focus(app, isize::MIN / 2),
        Action::Last => failures::move_in_focus(app, isize::MAX / 2),
        Action::SwitchTab => {
            return switch_tab(
                app,
                if app.tab == Tab::Tasks {
                    Tab::Monitor
                } else {
                    Tab::Tasks
                },
            );
        }
        Action::TasksTab => return switch_tab(app, Tab::Tasks),
        Action::MonitorTab => return switch_tab(app, Tab::Monitor),
        Action::Filter => app.mode = Mode::Filter,
        Action::Export => app.mode = prompt(PromptKind::ExportPath),
        Action::Help => app.mode = Mode::Help(Scroll::default()),
        Action::Details if app.tasks.selected_row().is_some() => {
            app.mode = Mode::Details(Scroll::default());
        }
        Action::Quit => return actions::request_quit(app),
        Action::Pause => return run::toggle_pause(app),
        Action::Faster => return run::change_concurrency(app, 1),
        Action::Slower => return run::change_concurrency(app, -1),
        _ if app.tab == Tab::Monitor => return monitor_key(app, action),
        _ => return tasks_key(app, action),
    }
    vec![]
}

/// Keys that act on tasks: only on the task tab.
fn tasks_key(app: &mut App, action: Action) -> Vec<Command> {
    match action {
        Action::Mark => actions::toggle_mark(app),
        Action::MarkAll => actions::mark_all_visible(app),
        Action::ClearMarks => actions::clear_marks(app),
        Action::ClearFilter if !app.tasks.filter().value().is_empty() => {
            app.tasks.edit_filter(LineInput::clear);
        }
        Action::Add => app.mode = prompt(PromptKind::AddIds),
        Action::Import => app.mode = prompt(PromptKind::ImportPath),
        Action::Delete => actions::ask_delete(app),
        Action::Edit => actions::open_form(app),
        Action::Rescan => return actions::rescan_targets(app, false),
        Action::Resend => return actions::rescan_targets(app, true),
        Action::Cancel => return actions::cancel_targets(app),
        Action::Curl => return actions::show_curl(app),
        Action::Sort => in_view::next_sort(app),
        Action::ReverseSort => in_view::reverse_sort(app),
        Action::CopyIds => return in_view::copy_ids(app),
        _ => {}
    }
    vec![]
}

/// `w` window, `o` outcome filter, Esc clears the filters; `f` focuses
/// the failures list, Enter shows the selected group's tasks.
fn monitor_key(app: &mut App, action: Action) -> Vec<Command> {
    match action {
        Action::Failures => {
            failures::toggle_focus(app);
            return vec![];
        }
        Action::Choose => return failures::show_group(app),
        Action::Window => app.monitor.window = app.monitor.window.next(),
        Action::Outcome => app.monitor.cycle_outcome(),
        Action::ClearFilter => {
            app.monitor.outcome = None;
            app.monitor.text.clear();
        }
        _ => return vec![],
    }
    events::refresh_monitor(app, true).into_iter().collect()
}

/// Changes the tab shown (and reads the monitor's numbers for it).
pub(super) fn switch_tab(app: &mut App, tab: Tab) -> Vec<Command> {
    app.tab = tab;
    events::refresh_monitor(app, true).into_iter().collect()
}

fn prompt(kind: PromptKind) -> Mode {
    Mode::Prompt(Prompt {
        kind,
        input: Default::default(),
    })
}

/// Typing a filter: the task list's, or the monitor's text filter.
fn filter_key(app: &mut App, action: Option<Action>, key: KeyEvent) -> Vec<Command> {
    let edit = |input: &mut LineInput| match action {
        Some(Action::ClearFilter) => input.clear(),
        Some(Action::KeepFilter) => {}
        _ => {
            input.handle_key(key);
        }
    };
    if matches!(action, Some(Action::ClearFilter | Action::KeepFilter)) {
        app.mode = Mode::Normal;
    }
    if app.tab == Tab::Monitor {
        edit(&mut app.monitor.text);
        return events::refresh_monitor(app, true).into_iter().collect();
    }
    app.tasks.edit_filter(edit);
    scroll_to_selection(app);
    vec![]
}

fn confirm_key(app: &mut App, action: Option<Action>, mut confirm: Confirm) -> Vec<Command> {
    let yes = match action {
        Some(Action::Yes) => true,
        Some(Action::No) => false,
        Some(Action::Choose) => confirm.yes_focused,
        Some(Action::SwitchButton) => {
            confirm.yes_focused = !confirm.yes_focused;
            app.mode = Mode::Confirm(confirm);
            return vec![];
        }
        _ => return vec![],
    };
    app.mode = Mode::Normal;
    if yes {
        actions::confirmed(app, confirm.action)
    } else {
        vec![]
    }
}

fn prompt_key(app: &mut App, action: Option<Action>, key: KeyEvent) -> Vec<Command> {
    let Mode::Prompt(prompt) = &mut app.mode else {
        return vec![];
    };
    match action {
        Some(Action::Discard) => app.mode = Mode::Normal,
        Some(Action::Submit) => {
            let prompt = prompt.clone();
            app.mode = Mode::Normal;
            return submit_prompt(app, prompt);
        }
        _ => {
            prompt.input.handle_key(key);
        }
    }
    vec![]
}

fn submit_prompt(app: &mut App, prompt: Prompt) -> Vec<Command> {
    let text = prompt.input.value().trim();
    if text.is_empty() {
        return vec![];
    }
    match prompt.kind {
        PromptKind::AddIds => {
            actions::add_imported(app, parse_typed(text, "typed ids"), "typed ids")
        }
        PromptKind::ImportPath => vec![Command::Import(expand_home(text))],
        PromptKind::ExportPath => vec![in_view::export(app, expand_home(text))],
    }
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}

/// A paste adds ids (in the list, or in the add prompt: every line), or goes
/// into the text field that has the focus.
fn on_paste(app: &mut App, text: &str) -> Vec<Command> {
    match &mut app.mode {
        Mode::Form(form) => form.paste(text),
        Mode::Filter if app.tab == Tab::Monitor => app.monitor.text.insert(text),
        Mode::Filter => app.tasks.edit_filter(|f| f.insert(text)),
        Mode::Prompt(Prompt {
            kind: PromptKind::AddIds,
            input,
        }) if !text.contains(['\n', '\r']) => input.insert(text),
        Mode::Prompt(Prompt {
            kind: PromptKind::AddIds,
            input,
        }) => {
            // What was typed and the paste's first line are one line, as
            // they stand in the field: the paste's lines keep their numbers.
            let all = format!("{} {text}", input.value());
            app.mode = Mode::Normal;
            return actions::add_imported(app, parse_typed(&all, "paste"), "paste");
        }
        Mode::Prompt(Prompt { input, .. }) => input.insert(text.trim()),
        Mode::UnzipPassword(prompt) => prompt.input.insert(text.trim()),
        Mode::Normal if app.tab == Tab::Tasks => {
            return actions::add_imported(app, parse_typed(text, "paste"), "paste");
        }
        _ => {}
    }
    vec![]
}

fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if !matches!(app.mode, Mode::Normal) {
        return;
    }
    if app.tab == Tab::Monitor {
        failures::on_mouse(app, mouse);
        return;
    }
    let areas = layout(app.size);
    match mouse.kind {
        MouseEventKind::ScrollDown => move_selection(app, 3),
        MouseEventKind::ScrollUp => move_selection(app, -3),
        MouseEventKind::Down(MouseButton::Left) => {
            let body = areas.list_body;
            let inside = mouse.column >= body.x && mouse.column < body.x + body.width;
            if inside && mouse.row >= body.y && mouse.row < body.y + body.height {
                app.tasks.select_on_screen(usize::from(mouse.row - body.y));
            }
        }
        _ => {}
    }
}

/// Moves the selection by `delta` rows (clamped) and scrolls to it.
pub(super) fn move_selection(app: &mut App, delta: isize) {
    app.tasks
        .move_selection(delta, layout(app.size).list_rows.max(1));
}

/// Keeps the selected row inside the list's window.
pub(super) fn scroll_to_selection(app: &mut App) {
    app.tasks
        .scroll_to_selection(layout(app.size).list_rows.max(1));
}
