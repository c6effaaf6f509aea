//! How results from elsewhere change the dashboard: worker events, the
//! inventory read at start, one task's history, the monitoring numbers.

use jiff::Timestamp;

use super::app::{App, AttemptRecord, RowState, Tab, TaskHistory};
use super::message::Command;
use crate::api::{Outcome, TaskId};
use crate::import::ImportedTask;
use crate::store::{HistoryRecord, TaskChunk};
use crate::worker::WorkerEvent;

/// Moves a row along queued → sending → outcome as the worker reports.
pub fn apply_worker_event(app: &mut App, event: WorkerEvent, now: Timestamp) -> Vec<Command> {
    let Some(info) = app.jobs.get(&event.job()) else {
        return vec![];
    };
    let Some(at) = app.position(&info.task) else {
        return vec![];
    };
    match event {
        WorkerEvent::Queued { .. } => app.set_state(at, RowState::Queued),
        WorkerEvent::Sending { attempt, .. } => app.set_state(at, RowState::Sending { attempt }),
        WorkerEvent::Retrying { attempt, delay, .. } => {
            let when = now.checked_add(delay).unwrap_or(now);
            app.set_state(at, RowState::Retrying { attempt, at: when })
        }
        WorkerEvent::Resending { delay, .. } => {
            let params = info.params.clone();
            let when = now.checked_add(delay).unwrap_or(now);
            app.set_state(at, RowState::Resending { at: when });
            let record = AttemptRecord::from_outcome(
                &Outcome::FailedOrHung,
                Some(404),
                1,
                Default::default(),
                now,
                params,
            );
            app.set_last(at, record);
            return finished_row(app, at);
        }
        WorkerEvent::RecordFailed { error, .. } => {
            app.notify(format!("history not written: {error}"), true)
        }
        WorkerEvent::Finished {
            job,
            outcome,
            status,
            attempts,
            elapsed,
            ..
        } => {
            let params = app.jobs.remove(&job).map(|i| i.params).unwrap_or_default();
            app.set_state(at, RowState::Idle);
            app.tasks[at].job = None;
            app.set_last(
                at,
                AttemptRecord::from_outcome(&outcome, status, attempts, elapsed, now, params),
            );
            return finished_row(app, at);
        }
    }
    vec![]
}

/// After a row got a new outcome: its place under the filter, its history
/// if it is on screen, the monitoring numbers.
pub(super) fn finished_row(app: &mut App, at: usize) -> Vec<Command> {
    refresh_visibility(app, at);
    let mut commands = Vec::new();
    if app.selected_row().is_some_and(|r| r.id == app.tasks[at].id) {
        app.history_requested = None;
        commands.extend(ensure_history(app));
    }
    app.monitor.dirty = true;
    commands.extend(refresh_monitor(app, app.counts.in_flight() == 0));
    commands
}

/// With a filter active, a new outcome can move a row in or out of view.
fn refresh_visibility(app: &mut App, at: usize) {
    let needle = app.filter.value().to_lowercase();
    if needle.is_empty() {
        return;
    }
    let shown = app.visible.binary_search(&at);
    match (shown, app.tasks[at].matches(&needle)) {
        (Ok(pos), false) => {
            app.visible.remove(pos);
            if app.selected > pos || app.selected >= app.visible.len() {
                app.selected = app.selected.saturating_sub(1);
            }
        }
        (Err(pos), true) => {
            app.visible.insert(pos, at);
            if app.selected >= pos && app.visible.len() > 1 {
                app.selected += 1;
            }
        }
        _ => {}
    }
}

/// The inventory read at start: rows with their parameters and last
/// outcome. Tasks added meanwhile (a paste, `--tasks`) stay; a stored task
/// brings its saved parameters and last outcome to the row of the same id.
pub fn load_stored(app: &mut App, chunk: TaskChunk) {
    let TaskChunk { total, tasks } = chunk;
    // Room for the whole inventory with the first chunk: growing by
    // doubling would copy the rows and leave the old half-size block
    // behind (tens of MB at 100,000 tasks).
    if app.tasks.capacity() - app.tasks.len() < tasks.len() {
        let rest = total.saturating_sub(app.tasks.len()).max(tasks.len());
        app.tasks.reserve_exact(rest);
    }
    let mut rows = Vec::with_capacity(tasks.len());
    let mut known = Vec::new();
    for task in tasks {
        let last = task.last.as_ref().map(AttemptRecord::from_history);
        let params = task.params.to_params();
        if app.row(&task.id).is_some() {
            known.push((task.id, params, last));
            continue;
        }
        let mut row = super::rows::TaskRow::new(ImportedTask {
            id: task.id,
            label: Some(task.label),
            url: task.url,
        });
        row.params = params;
        row.last = last;
        rows.push(row);
    }
    app.push_rows(rows.into_iter());
    for (id, params, last) in known {
        let Some(at) = app.position(&id) else {
            continue;
        };
        app.tasks[at].params = params;
        if let Some(last) = last {
            app.set_last(at, last);
        }
    }
}

/// Asks for the selected task's history once per selection.
pub fn ensure_history(app: &mut App) -> Option<Command> {
    let id = app.selected_row()?.id.clone();
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
