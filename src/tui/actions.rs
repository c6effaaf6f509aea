//! What the dashboard's keys do to its state: the bodies of `update`'s
//! branches, kept apart so `update` reads as a table of keys.

use super::app::{App, Confirm, ConfirmAction, Mode, RowState};
use super::form::Form;
use super::message::{Command, SavedTask};
use super::update::move_selection;
use crate::api::client::curl_command;
use crate::api::{Outcome, RescanParams, TaskId};
use crate::import::Imported;
use crate::worker::{Job, JobId};

/// The tasks an action applies to: the marked ones, else the selected one.
fn targets(app: &App) -> Vec<TaskId> {
    if app.marked > 0 {
        app.tasks
            .iter()
            .filter(|r| r.marked)
            .map(|r| r.id.clone())
            .collect()
    } else {
        app.selected_row()
            .map(|r| vec![r.id.clone()])
            .unwrap_or_default()
    }
}

/// Adds imported or pasted tasks, says what happened, and saves the new
/// ones to the inventory.
pub fn add_imported(app: &mut App, imported: Imported, source: &str) -> Vec<Command> {
    let before = app.tasks.len();
    list_imported(app, imported, source);
    save(
        app,
        app.tasks[before..].iter().map(|r| r.id.clone()).collect(),
    )
}

/// [`add_imported`] for tasks the inventory holds already (a file import
/// is written to the store before it reaches the list, so its ids are not
/// held a second time for saving).
pub fn list_imported(app: &mut App, imported: Imported, source: &str) {
    let before = app.tasks.len();
    let Imported {
        tasks,
        errors,
        duplicates,
    } = imported;
    let offered = tasks.len();
    let added = app.add_tasks(tasks);
    let mut parts = vec![format!("added {added} tasks from {source}")];
    let already = duplicates + (offered - added);
    if already > 0 {
        parts.push(format!("{already} already listed"));
    }
    if let Some(first) = errors.first() {
        parts.push(format!("{} invalid, first: {first}", errors.len()));
    }
    app.notify(parts.join("; "), !errors.is_empty());
    if added > 0 && before == 0 {
        app.selected = 0;
    }
}

/// The command that writes these tasks (as they are now) to the inventory.
pub fn save(app: &App, ids: Vec<TaskId>) -> Vec<Command> {
    let tasks: Vec<SavedTask> = ids
        .iter()
        .filter_map(|id| app.row(id))
        .map(|r| SavedTask {
            id: r.id.clone(),
            label: r.label.to_string(),
            url: r.url.as_deref().map(str::to_owned),
            params: r.params.clone(),
        })
        .collect();
    if tasks.is_empty() {
        vec![]
    } else {
        vec![Command::SaveTasks(tasks)]
    }
}

/// Space: marks or unmarks the selected row and moves down.
pub fn toggle_mark(app: &mut App) {
    let Some(&at) = app.visible.get(app.selected) else {
        return;
    };
    let row = &mut app.tasks[at];
    row.marked = !row.marked;
    if row.marked {
        app.marked += 1;
    } else {
        app.marked -= 1;
    }
    move_selection(app, 1);
}

/// `*`: marks every row that passes the filter.
pub fn mark_all_visible(app: &mut App) {
    for &at in &app.visible {
        let row = &mut app.tasks[at];
        if !row.marked {
            row.marked = true;
            app.marked += 1;
        }
    }
}

/// `u`: clears every mark.
pub fn clear_marks(app: &mut App) {
    app.tasks.iter_mut().for_each(|r| r.marked = false);
    app.marked = 0;
}

/// `e` / Enter: the form for the selected or marked tasks.
pub fn open_form(app: &mut App) {
    let targets = targets(app);
    let Some(first) = targets.first().and_then(|id| app.row(id)) else {
        return;
    };
    let params = first.params.clone();
    app.mode = Mode::Form(Box::new(Form::new(targets, &params)));
}

/// Enter on a valid form: the parameters go onto every target and into
/// the inventory.
pub fn save_form(app: &mut App, params: RescanParams) -> Vec<Command> {
    let Mode::Form(form) = std::mem::replace(&mut app.mode, Mode::Normal) else {
        return vec![];
    };
    for id in &form.targets {
        if let Some(at) = app.position(id) {
            app.tasks[at].params = params.clone();
        }
    }
    let shown = params.masked_query();
    let what = if shown.is_empty() {
        "keep all previous values".to_owned()
    } else {
        shown
    };
    app.notify(
        format!("saved for {} task(s): {what}", form.targets.len()),
        false,
    );
    save(app, form.targets)
}

/// `r` (every target) or `R` (only those that ended `failed or hung` or
/// `error`): sends at once for one task, asks first for two or more.
pub fn rescan_targets(app: &mut App, resend_only: bool) -> Vec<Command> {
    let mut ids = targets(app);
    if resend_only {
        ids.retain(|id| {
            app.row(id).and_then(|r| r.last.as_ref()).is_some_and(|a| {
                a.label == Outcome::FailedOrHung.label()
                    || a.label
                        == Outcome::Error {
                            detail: String::new(),
                        }
                        .label()
            })
        });
        if ids.is_empty() {
            app.notify(
                "nothing to re-send: R re-sends tasks that ended failed or hung or error",
                true,
            );
            return vec![];
        }
    }
    let busy = ids
        .iter()
        .filter(|id| app.row(id).is_some_and(|r| r.state.in_flight()))
        .count();
    ids.retain(|id| app.row(id).is_some_and(|r| !r.state.in_flight()));
    if busy > 0 {
        app.notify(
            format!("{busy} task(s) already in flight were skipped"),
            false,
        );
    }
    match ids.len() {
        0 => vec![],
        1 => submit(app, &ids),
        n => {
            app.mode = Mode::Confirm(Confirm {
                title: format!("Rescan {n} tasks?"),
                lines: ids.iter().map(ToString::to_string).collect(),
                action: ConfirmAction::Rescan(ids),
                yes_focused: false,
            });
            vec![]
        }
    }
}

/// Queues jobs for these tasks with their saved parameters.
fn submit(app: &mut App, ids: &[TaskId]) -> Vec<Command> {
    let mut jobs = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(at) = app.position(id) else {
            continue;
        };
        let job = JobId(app.next_job);
        app.next_job += 1;
        let params = app.tasks[at].params.clone();
        app.jobs.insert(
            job,
            super::app::JobInfo {
                task: id.clone(),
                params: params.masked_query(),
            },
        );
        app.tasks[at].job = Some(job);
        app.set_state(at, RowState::Queued);
        jobs.push(Job {
            id: job,
            task: id.clone(),
            params,
        });
    }
    vec![Command::Submit(jobs)]
}

/// `c`: cancels the targets that have not finished.
pub fn cancel_targets(app: &mut App) -> Vec<Command> {
    let jobs: Vec<JobId> = targets(app)
        .iter()
        .filter_map(|id| app.row(id).and_then(|r| r.job))
        .collect();
    if jobs.is_empty() {
        app.notify(
            "nothing to cancel: no selected or marked task is in flight",
            false,
        );
        return vec![];
    }
    vec![Command::Cancel(jobs)]
}

/// Every job still in flight.
pub fn cancel_all(app: &App) -> Vec<Command> {
    let jobs: Vec<JobId> = app.jobs.keys().copied().collect();
    if jobs.is_empty() {
        vec![]
    } else {
        vec![Command::Cancel(jobs)]
    }
}

/// `d`: asks before removing the selected or marked tasks.
pub fn ask_delete(app: &mut App) {
    let ids = targets(app);
    if ids.is_empty() {
        return;
    }
    app.mode = Mode::Confirm(Confirm {
        title: format!("Delete {} task(s) from the list?", ids.len()),
        lines: ids.iter().map(ToString::to_string).collect(),
        action: ConfirmAction::Delete(ids),
        yes_focused: false,
    });
}

/// `q` / Ctrl-C: leaves, asking first while requests are in flight.
pub fn request_quit(app: &mut App) -> Vec<Command> {
    let n = app.counts.in_flight();
    if n == 0 {
        app.should_quit = true;
        return vec![];
    }
    app.mode = Mode::Confirm(Confirm {
        title: format!("Quit with {n} requests in flight?"),
        lines: vec!["They will be cancelled; their outcome stays unknown.".into()],
        action: ConfirmAction::Quit,
        yes_focused: false,
    });
    vec![]
}

/// Carries out a confirmed action.
pub fn confirmed(app: &mut App, action: ConfirmAction) -> Vec<Command> {
    match action {
        ConfirmAction::Rescan(ids) => submit(app, &ids),
        ConfirmAction::Delete(ids) => {
            let jobs: Vec<JobId> = ids
                .iter()
                .filter_map(|id| app.row(id).and_then(|r| r.job))
                .collect();
            for job in &jobs {
                app.jobs.remove(job);
            }
            app.remove_tasks(&ids);
            app.notify(format!("removed {} task(s)", ids.len()), false);
            let mut commands = vec![Command::RemoveTasks(ids)];
            if !jobs.is_empty() {
                commands.push(Command::Cancel(jobs));
            }
            commands
        }
        ConfirmAction::Quit => {
            app.should_quit = true;
            cancel_all(app)
        }
    }
}

/// What `x` exports: what the current tab shows (the monitor's window and
/// filters, or the task filter's text over all history).
pub fn export_query(app: &App) -> crate::store::HistoryQuery {
    match app.tab {
        super::app::Tab::Monitor => app.monitor.export_query(app.now),
        super::app::Tab::Tasks => crate::store::HistoryQuery {
            text: Some(app.filter.value().trim().to_owned()).filter(|t| !t.is_empty()),
            oldest_first: true,
            ..Default::default()
        },
    }
}

/// `y`: the selected task's request as a curl command, shown and copied.
pub fn show_curl(app: &mut App) -> Vec<Command> {
    let (Some(row), Some(base)) = (app.selected_row(), app.account.base_url.as_ref()) else {
        return vec![];
    };
    let text = curl_command(
        base,
        &app.account.user,
        app.account.cert_path.as_ref(),
        &row.id,
        &row.params,
    );
    app.mode = Mode::Curl(text.clone());
    vec![Command::Copy(text)]
}

/// Reads an import file for the dashboard (`--tasks`, the `i` prompt). Never
/// standard input: that is the terminal the keys come from, and a read there
/// would wait for keys and take them from the dashboard.
pub(super) fn read_import(path: &std::path::Path) -> Result<Imported, String> {
    if path.as_os_str() == "-" {
        return Err(
            "-: the dashboard cannot read tasks from standard input (the terminal); give a file"
                .into(),
        );
    }
    crate::import::read_text(path).map(|(name, text)| crate::import::parse_any(&text, &name))
}
