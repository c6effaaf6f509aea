//! How results from elsewhere change the dashboard: worker events, the
//! inventory read at start, one task's history, the monitoring numbers.

use jiff::Timestamp;

use super::app::{App, AttemptRecord, Tab, TaskHistory, TaskRow};
use super::message::Command;
use crate::api::TaskId;
use crate::import::ImportedTask;
use crate::store::{HistoryRecord, TaskChunk};
use crate::worker::WorkerEvent;

/// Follows the worker: the task list moves the row along, and a row with
/// a new outcome brings its history and the monitoring numbers up to date.
pub fn apply_worker_event(app: &mut App, event: WorkerEvent, now: Timestamp) -> Vec<Command> {
    if let WorkerEvent::RecordFailed { error, .. } = &event {
        app.notify(format!("history not written: {error}"), true);
        return vec![];
    }
    match app.tasks.apply(event, now) {
        Some(at) => finished_row(app, at),
        None => vec![],
    }
}

/// After a row got a new outcome: its history if it is on screen, the
/// monitoring numbers.
pub(super) fn finished_row(app: &mut App, at: usize) -> Vec<Command> {
    let mut commands = Vec::new();
    let id = &app.tasks.rows()[at].id;
    if app.tasks.selected_row().is_some_and(|r| r.id == *id) {
        app.history_requested = None;
        commands.extend(ensure_history(app));
    }
    app.monitor.dirty = true;
    let idle = app.tasks.counts().in_flight() == 0;
    commands.extend(refresh_monitor(app, idle));
    commands
}

/// The inventory read at start: rows with their parameters and last
/// outcome. Tasks added meanwhile (a paste, `--tasks`) stay; a stored task
/// brings its saved parameters and last outcome to the row of the same id.
pub fn load_stored(app: &mut App, chunk: TaskChunk) {
    let TaskChunk { total, tasks } = chunk;
    app.tasks.reserve_for_load(total, tasks.len());
    let mut rows = Vec::with_capacity(tasks.len());
    let mut known = Vec::new();
    for task in tasks {
        let last = task.last.as_ref().map(AttemptRecord::from_history);
        let params = task.params.to_params();
        let not_kept = task.params.unzip_password_not_kept;
        if app.tasks.row(&task.id).is_some() {
            known.push((task.id, params, not_kept, last));
            continue;
        }
        let imported = ImportedTask {
            id: task.id,
            label: Some(task.label),
            url: task.url,
        };
        rows.push(TaskRow::stored(imported, params, not_kept, last));
    }
    app.tasks.push_rows(rows.into_iter());
    for (id, params, not_kept, last) in known {
        app.tasks.restore(&id, params, not_kept, last);
    }
}

/// Asks for the selected task's history once per selection.
pub fn ensure_history(app: &mut App) -> Option<Command> {
    let id = app.tasks.selected_row()?.id.clone();
    if app.history_requested.as_ref() == Some(&id) {
        return None;
    }
    app.history_requested = Some(id.clone());
    Some(Command::LoadHistory(id))
}

/// Keeps one task's history for the details pane and the timeline.
pub fn on_history(app: &mut App, task: TaskId, result: Result<Vec<HistoryRecord>, String>) {
    match result {
        Ok(records) => {
            let records = records.iter().map(AttemptRecord::from_history).collect();
            app.history = Some(TaskHistory { task, records });
        }
        Err(e) => app.notify(e, true),
    }
}

/// Reads the monitoring numbers when the tab is shown and they are stale.
pub fn refresh_monitor(app: &mut App, force: bool) -> Option<Command> {
    if app.tab != Tab::Monitor || app.loading || !app.monitor.should_load(app.now, force) {
        return None;
    }
    app.monitor.dirty = false;
    app.monitor.requested_at = Some(app.now);
    Some(Command::LoadMonitor(app.monitor.query(app.now)))
}
