//! `update`: the only place the dashboard's state changes. Each message
//! becomes new state plus commands for the run loop; nothing here does I/O.

use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::actions;
use super::app::{App, Confirm, ConfirmAction, Mode, Prompt, PromptKind, Tab};
use super::events;
use super::form::FormAction;
use super::message::{Command, Message};
use super::others;
use super::view::layout;
use crate::import::parse_any;

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
        Message::DemoReady { account, tasks } => {
            app.account = account;
            app.mode = Mode::Normal;
            let before = app.tasks.len();
            app.add_tasks(tasks);
            app.notify(
                "demo mode: demo tasks against the embedded simulator (history kept apart)",
                false,
            );
            actions::save(
                app,
                app.tasks[before..].iter().map(|r| r.id.clone()).collect(),
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
    commands
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    let confirming_quit = matches!(
        app.mode,
        Mode::Confirm(Confirm {
            action: ConfirmAction::Quit,
            ..
        })
    );
    if ctrl_c && !confirming_quit {
        return actions::request_quit(app);
    }
    match &mut app.mode {
        Mode::Normal => normal_key(app, key),
        Mode::Filter => filter_key(app, key),
        Mode::Form(form) => match form.handle_key(key) {
            FormAction::Editing => vec![],
            FormAction::Discard => {
                app.mode = Mode::Normal;
                vec![]
            }
            FormAction::Save(params) => actions::save_form(app, *params),
        },
        Mode::Confirm(confirm) => {
            let confirm = confirm.clone();
            confirm_key(app, key, confirm)
        }
        Mode::Prompt(_) => prompt_key(app, key),
        Mode::Help | Mode::Curl(_) => {
            if matches!(
                key.code,
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?' | 'y')
            ) {
                app.mode = Mode::Normal;
            }
            vec![]
        }
        Mode::FirstRun(_) => match key.code {
            KeyCode::Char('d') => {
                app.mode = Mode::StartingDemo;
                vec![Command::StartDemo]
            }
            KeyCode::Char('q') | KeyCode::Esc => {
                app.should_quit = true;
                vec![]
            }
            _ => vec![],
        },
        Mode::StartingDemo => match key.code {
            KeyCode::Char('q') => actions::request_quit(app),
            _ => vec![],
        },
    }
}

fn normal_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    if let (KeyCode::Enter, Some(text)) =
        (key.code, app.notice.as_ref().and_then(|n| n.enter_filters))
    {
        others::show_filtered(app, text);
        return vec![];
    }
    app.notice = None;
    let page = layout(app.size).list_rows.max(1) as isize;
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => move_selection(app, -1),
        KeyCode::Down | KeyCode::Char('j') => move_selection(app, 1),
        KeyCode::PageUp => move_selection(app, -page),
        KeyCode::PageDown => move_selection(app, page),
        KeyCode::Home | KeyCode::Char('g') => move_selection(app, isize::MIN / 2),
        KeyCode::End | KeyCode::Char('G') => move_selection(app, isize::MAX / 2),
        KeyCode::Tab | KeyCode::BackTab => {
            return switch_tab(
                app,
                if app.tab == Tab::Tasks {
                    Tab::Monitor
                } else {
                    Tab::Tasks
                },
            );
        }
        KeyCode::Char('1') => return switch_tab(app, Tab::Tasks),
        KeyCode::Char('2') => return switch_tab(app, Tab::Monitor),
        KeyCode::Char('/') => app.mode = Mode::Filter,
        KeyCode::Char('x') => app.mode = prompt(PromptKind::ExportPath),
        KeyCode::Char('?') => app.mode = Mode::Help,
        KeyCode::Char('q') => return actions::request_quit(app),
        _ if app.tab == Tab::Monitor => return monitor_key(app, key),
        _ => return tasks_key(app, key),
    }
    vec![]
}

/// Keys that act on tasks: only on the task tab.
fn tasks_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Char(' ') => actions::toggle_mark(app),
        KeyCode::Char('*') => actions::mark_all_visible(app),
        KeyCode::Char('u') => actions::clear_marks(app),
        KeyCode::Esc if !app.filter.value().is_empty() => {
            app.filter.clear();
            app.refilter();
        }
        KeyCode::Char('a') => app.mode = prompt(PromptKind::AddIds),
        KeyCode::Char('i') => app.mode = prompt(PromptKind::ImportPath),
        KeyCode::Char('d') => actions::ask_delete(app),
        KeyCode::Char('e') | KeyCode::Enter => actions::open_form(app),
        KeyCode::Char('r') => return actions::rescan_targets(app, false),
        KeyCode::Char('R') => return actions::rescan_targets(app, true),
        KeyCode::Char('c') => return actions::cancel_targets(app),
        KeyCode::Char('y') => return actions::show_curl(app),
        _ => {}
    }
    vec![]
}

/// `w` window, `o` outcome filter, Esc clears the filters.
fn monitor_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    match key.code {
        KeyCode::Char('w') => app.monitor.window = app.monitor.window.next(),
        KeyCode::Char('o') => app.monitor.cycle_outcome(),
        KeyCode::Esc => {
            app.monitor.outcome = None;
            app.monitor.text.clear();
        }
        _ => return vec![],
    }
    events::refresh_monitor(app, true).into_iter().collect()
}

fn switch_tab(app: &mut App, tab: Tab) -> Vec<Command> {
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
fn filter_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let on_monitor = app.tab == Tab::Monitor;
    let input = if on_monitor {
        &mut app.monitor.text
    } else {
        &mut app.filter
    };
    match key.code {
        KeyCode::Esc => {
            input.clear();
            app.mode = Mode::Normal;
        }
        KeyCode::Enter => app.mode = Mode::Normal,
        _ => {
            input.handle_key(key);
        }
    }
    if on_monitor {
        return events::refresh_monitor(app, true).into_iter().collect();
    }
    app.refilter();
    scroll_to_selection(app);
    vec![]
}

fn confirm_key(app: &mut App, key: KeyEvent, mut confirm: Confirm) -> Vec<Command> {
    let yes = match key.code {
        KeyCode::Char('y' | 'Y') => true,
        KeyCode::Char('n' | 'N') | KeyCode::Esc => false,
        KeyCode::Enter => confirm.yes_focused,
        KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::BackTab => {
            confirm.yes_focused = !confirm.yes_focused;
            app.mode = Mode::Confirm(confirm);
            return vec![];
        }
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => true,
        _ => return vec![],
    };
    app.mode = Mode::Normal;
    if yes {
        actions::confirmed(app, confirm.action)
    } else {
        vec![]
    }
}

fn prompt_key(app: &mut App, key: KeyEvent) -> Vec<Command> {
    let Mode::Prompt(prompt) = &mut app.mode else {
        return vec![];
    };
    match key.code {
        KeyCode::Esc => app.mode = Mode::Normal,
        KeyCode::Enter => {
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
            let ids = text.split([' ', ',', ';']).collect::<Vec<_>>().join("\n");
            actions::add_imported(app, parse_any(&ids, "typed ids"), "typed ids")
        }
        PromptKind::ImportPath => vec![Command::Import(expand_home(text))],
        PromptKind::ExportPath => vec![Command::Export {
            path: expand_home(text),
            query: actions::export_query(app),
        }],
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
        Mode::Filter => {
            app.filter.insert(text);
            app.refilter();
        }
        Mode::Prompt(Prompt {
            kind: PromptKind::AddIds,
            input,
        }) if !text.contains(['\n', '\r']) => input.insert(text),
        Mode::Prompt(Prompt {
            kind: PromptKind::AddIds,
            input,
        }) => {
            let all = format!("{}\n{text}", input.value());
            app.mode = Mode::Normal;
            return actions::add_imported(app, parse_any(&all, "paste"), "paste");
        }
        Mode::Prompt(Prompt { input, .. }) => input.insert(text.trim()),
        Mode::Normal if app.tab == Tab::Tasks => {
            return actions::add_imported(app, parse_any(text, "paste"), "paste");
        }
        _ => {}
    }
    vec![]
}

fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if !matches!(app.mode, Mode::Normal) || app.tab != Tab::Tasks {
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
                let at = app.offset + usize::from(mouse.row - body.y);
                if at < app.visible.len() {
                    app.selected = at;
                }
            }
        }
        _ => {}
    }
}

/// Moves the selection by `delta` rows (clamped) and scrolls to it.
pub(super) fn move_selection(app: &mut App, delta: isize) {
    if app.visible.is_empty() {
        return;
    }
    let last = app.visible.len() as isize - 1;
    app.selected = (app.selected as isize).saturating_add(delta).clamp(0, last) as usize;
    scroll_to_selection(app);
}

/// Keeps the selected row inside the list's window.
pub(super) fn scroll_to_selection(app: &mut App) {
    let rows = layout(app.size).list_rows.max(1);
    if app.selected < app.offset {
        app.offset = app.selected;
    } else if app.selected >= app.offset + rows {
        app.offset = app.selected + 1 - rows;
    }
    let max_offset = app.visible.len().saturating_sub(rows);
    app.offset = app.offset.min(max_offset);
}
