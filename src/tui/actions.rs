//! What the dashboard's keys do to its state: the bodies of `update`'s
//! branches, kept apart so `update` reads as a table of keys.

use super::app::{App, Confirm, ConfirmAction, Mode};
use super::form::{Form, FormEdit, Saved};
use super::message::{Command, SavedTask};
use super::password::{UnzipAnswer, UnzipPrompt};
use super::update::move_selection;
use crate::api::TaskId;
use crate::api::curl::curl_command;
use crate::api::outcome::OutcomeKind;
use crate::import::Imported;
use crate::text::tasks;

/// Adds imported or pasted tasks, says what happened, and saves the new
/// ones to the inventory.
pub fn add_imported(app: &mut App, imported: Imported, source: &str) -> Vec<Command> {
    let before = app.tasks.len();
    list_imported(app, imported, source);
    let new = app.tasks.rows()[before..].iter();
    save(app, new.map(|r| r.id.clone()).collect())
}

/// [`add_imported`] for tasks the inventory holds already (a file import
/// is written to the store before it reaches the list, so its ids are not
/// held a second time for saving).
pub fn list_imported(app: &mut App, imported: Imported, source: &str) {
    let invalid = imported.invalid_text();
    let Imported {
        tasks, duplicates, ..
    } = imported;
    let offered = tasks.len();
    let added = app.tasks.add(tasks);
    let mut parts = vec![format!("added {added} tasks from {source}")];
    let already = duplicates + (offered - added);
    if already > 0 {
        parts.push(format!("{already} already listed"));
    }
    let failed = invalid.is_some();
    parts.extend(invalid);
    app.notify(parts.join("; "), failed);
}

/// The command that writes these tasks (as they are now) to the inventory.
pub fn save(app: &App, ids: Vec<TaskId>) -> Vec<Command> {
    let tasks: Vec<SavedTask> = ids
        .iter()
        .filter_map(|id| app.tasks.row(id))
        .map(|r| SavedTask {
            id: r.id.clone(),
            label: r.label.to_string(),
            url: r.url.as_deref().map(str::to_owned),
            params: r.params().clone(),
            unzip_password_not_kept: r.unzip_password_not_kept(),
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
    app.tasks.toggle_mark();
    move_selection(app, 1);
}

/// `*`: marks every row that passes the filter.
pub fn mark_all_visible(app: &mut App) {
    app.tasks.mark_all_visible();
}

/// `u`: clears every mark.
pub fn clear_marks(app: &mut App) {
    app.tasks.clear_marks();
}

/// `e` / Enter: the form for the selected or marked tasks, starting from
/// their saved parameters (`(mixed)` where they differ).
pub fn open_form(app: &mut App) {
    let targets = app.tasks.targets();
    let saved: Vec<Saved<'_>> = targets
        .iter()
        .filter_map(|id| app.tasks.row(id))
        .map(saved_of)
        .collect();
    if saved.is_empty() {
        return;
    }
    let form = Form::new(targets, &saved);
    app.mode = Mode::Form(Box::new(form));
}

fn saved_of(row: &super::app::TaskRow) -> Saved<'_> {
    Saved {
        params: row.params(),
        unzip_password_not_kept: row.unzip_password_not_kept(),
    }
}

/// Enter on a valid form: the changed fields go onto every target (the
/// others stay as each task has them) and the tasks that changed into the
/// inventory. Nothing changed: nothing saved.
pub fn save_form(app: &mut App, edit: FormEdit) -> Vec<Command> {
    let Mode::Form(form) = std::mem::replace(&mut app.mode, Mode::Normal) else {
        return vec![];
    };
    let mut changed = Vec::new();
    for id in &form.targets {
        let Some(row) = app.tasks.row(id) else {
            continue;
        };
        if let Some((params, not_kept)) = edit.apply(saved_of(row)) {
            app.tasks.set_params(id, params, not_kept);
            changed.push(id.clone());
        }
    }
    let chosen = form.targets.len();
    let all = tasks(chosen);
    let text = match changed.len() {
        0 => format!("nothing changed for {all}; nothing saved"),
        n if n == chosen => format!("saved for {all}: {}", edit.summary()),
        n => format!(
            "saved for {n} of {all} (the others had it already): {}",
            edit.summary()
        ),
    };
    app.notify(text, false);
    save(app, changed)
}

/// What `R` re-sends: the outcomes that sending again may mend.
const RESENDABLE: [OutcomeKind; 4] = [
    OutcomeKind::FailedOrHung,
    OutcomeKind::Error,
    OutcomeKind::Interrupted,
    OutcomeKind::Cancelled,
];

/// `r` (every target) or `R` (only those that ended `failed or hung`,
/// `error`, `interrupted` or `cancelled`: of the marked tasks, or with no
/// marks of every task in view). `r` sends at once for one task and asks
/// first for two or more; `R` without marks always asks.
pub fn rescan_targets(app: &mut App, resend_only: bool) -> Vec<Command> {
    let in_view = resend_only && app.tasks.marked() == 0;
    let mut ids = if in_view {
        let rows = app.tasks.rows();
        app.tasks
            .visible()
            .iter()
            .map(|&at| rows[at].id.clone())
            .collect()
    } else {
        app.tasks.targets()
    };
    if resend_only {
        ids.retain(|id| {
            app.tasks
                .row(id)
                .and_then(|r| r.last())
                .is_some_and(|a| RESENDABLE.contains(&a.outcome))
        });
        if ids.is_empty() {
            app.notify(
                "nothing to re-send: R re-sends tasks that ended failed or hung, error, \
                 interrupted or cancelled",
                true,
            );
            return vec![];
        }
    }
    let busy = ids
        .iter()
        .filter(|id| app.tasks.row(id).is_some_and(|r| r.job().is_some()))
        .count();
    ids.retain(|id| app.tasks.row(id).is_some_and(|r| r.job().is_none()));
    if busy > 0 {
        app.notify(format!("{} already in flight skipped", tasks(busy)), false);
    }
    let action = if resend_only {
        ConfirmAction::Resend
    } else {
        ConfirmAction::Rescan
    };
    match ids.len() {
        0 => vec![],
        1 if !in_view => submit(app, &ids),
        _ => {
            app.mode = Mode::Confirm(Confirm {
                lines: ids.iter().map(ToString::to_string).collect(),
                not_in_view: app.tasks.not_in_view(&ids),
                action: action(ids),
                yes_focused: false,
            });
            vec![]
        }
    }
}

/// Queues jobs for these tasks with their saved parameters, unless one of
/// them needs an unzip password that was not kept: then the masked prompt
/// asks first and nothing is sent yet.
fn submit(app: &mut App, ids: &[TaskId]) -> Vec<Command> {
    let needing = ids
        .iter()
        .filter(|id| {
            app.tasks
                .row(id)
                .is_some_and(|r| r.unzip_password_not_kept())
        })
        .count();
    if needing > 0 {
        app.mode = Mode::UnzipPassword(UnzipPrompt::new(ids.to_vec(), needing));
        return vec![];
    }
    vec![Command::Submit(app.tasks.submit(ids))]
}

/// Enter at the unzip password prompt: the password goes (for this
/// session, not to disk) onto every task of the batch that lacked it, and
/// the batch is sent. Esc: none of the batch is sent.
pub fn unzip_answered(app: &mut App, prompt: UnzipPrompt, answer: UnzipAnswer) -> Vec<Command> {
    match answer {
        UnzipAnswer::Typing => {
            app.mode = Mode::UnzipPassword(prompt);
            vec![]
        }
        UnzipAnswer::Cancel => {
            app.mode = Mode::Normal;
            app.notify(
                format!(
                    "nothing sent of {}: {} the unzip password that was not kept",
                    tasks(prompt.ids.len()),
                    match prompt.needing {
                        1 => "1 needs".to_owned(),
                        n => format!("{n} need"),
                    }
                ),
                false,
            );
            vec![]
        }
        UnzipAnswer::Send(password) => {
            app.mode = Mode::Normal;
            for id in &prompt.ids {
                let Some(row) = app.tasks.row(id) else {
                    continue;
                };
                if row.unzip_password_not_kept() {
                    let mut params = row.params().clone();
                    params.unzip_password = Some(password.clone());
                    app.tasks.set_params(id, params, false);
                }
            }
            submit(app, &prompt.ids)
        }
    }
}

/// `c`: cancels the targets that have not finished.
pub fn cancel_targets(app: &mut App) -> Vec<Command> {
    let jobs = app.tasks.jobs_of(&app.tasks.targets());
    if jobs.is_empty() {
        app.notify(
            "nothing to cancel: no selected or marked task is in flight",
            false,
        );
        return vec![];
    }
    // The answers come one by one; the key itself is said at once.
    app.notify(format!("cancelling {} in flight", tasks(jobs.len())), false);
    vec![Command::Cancel(jobs)]
}

/// Every job still in flight.
pub fn cancel_all(app: &App) -> Vec<Command> {
    let jobs = app.tasks.all_jobs();
    if jobs.is_empty() {
        vec![]
    } else {
        vec![Command::Cancel(jobs)]
    }
}

/// `d`: asks before removing the selected or marked tasks.
pub fn ask_delete(app: &mut App) {
    let ids = app.tasks.targets();
    if ids.is_empty() {
        return;
    }
    app.mode = Mode::Confirm(Confirm {
        lines: ids.iter().map(ToString::to_string).collect(),
        not_in_view: app.tasks.not_in_view(&ids),
        action: ConfirmAction::Delete(ids),
        yes_focused: false,
    });
}

/// `q` / Ctrl-C: leaves, asking first while requests are in flight.
pub fn request_quit(app: &mut App) -> Vec<Command> {
    if app.tasks.counts().in_flight() == 0 {
        app.should_quit = true;
        return vec![];
    }
    app.mode = Mode::Confirm(Confirm {
        lines: vec![
            "On the wire: their answers are not waited for; each is recorded `interrupted`.".into(),
            "Queued and waiting: not sent; each task keeps its last outcome.".into(),
        ],
        action: ConfirmAction::Quit,
        not_in_view: 0,
        yes_focused: false,
    });
    vec![]
}

/// Carries out a confirmed action.
pub fn confirmed(app: &mut App, action: ConfirmAction) -> Vec<Command> {
    match action {
        ConfirmAction::Rescan(ids) | ConfirmAction::Resend(ids) => submit(app, &ids),
        ConfirmAction::Delete(ids) => {
            let jobs = app.tasks.remove(&ids);
            app.notify(format!("removed {}", tasks(ids.len())), false);
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

/// `y`: the selected task's request as a curl command, shown and copied.
pub fn show_curl(app: &mut App) -> Vec<Command> {
    let (Some(row), Some(base)) = (app.tasks.selected_row(), app.account.base_url.as_ref()) else {
        return vec![];
    };
    let text = curl_command(
        base,
        &app.account.user,
        &app.account.curl,
        &row.id,
        row.params(),
    );
    let lacking = row.unzip_password_not_kept();
    app.mode = Mode::Curl(text.clone());
    if lacking {
        app.notify(
            "unzip password not kept: this command lacks it (r asks for it)",
            true,
        );
    } else if app.account.curl.lacks_proxy_password() {
        app.notify(
            "the proxy's password is not shown: add it to --proxy (user:PASSWORD@)",
            true,
        );
    }
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
