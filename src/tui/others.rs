//! What the store tells of other processes: the rescans a process that
//! ended (a crash, a kill) left `interrupted`, said on the first screen,
//! and the tasks and outcomes other writers (another instance, the CLI)
//! commit while the dashboard is open.

use super::app::{App, AttemptRecord, Tab};
use super::events;
use super::keymap::Action;
use super::message::Command;
use crate::api::TaskId;
use crate::api::outcome::OutcomeKind;
use crate::store::{Changes, TaskChunk};

/// Says how many rescans opening the store recorded `interrupted`, until
/// the next key; the notice's key (Enter) then shows their tasks. Shown as a warning, so
/// that a `--tasks` import's summary does not hide it.
pub fn interrupted_at_start(app: &mut App, count: usize) {
    if count == 0 {
        return;
    }
    let key = app.keys.key_for(Action::Notice);
    app.notify(
        format!("{count} rescans were interrupted when tae-rescan last stopped · {key} shows them"),
        true,
    );
    if let Some(notice) = &mut app.notice {
        notice.enter_filters = Some(OutcomeKind::Interrupted.label());
    }
}

/// The key of a notice that offers it: the task list, filtered by `text`.
pub fn show_filtered(app: &mut App, text: &str) {
    app.notice = None;
    app.tab = Tab::Tasks;
    app.tasks.edit_filter(|filter| {
        filter.clear();
        filter.insert(text);
    });
    app.tasks.move_selection(isize::MIN, 1);
}

/// Tasks and outcomes another writer committed: tasks not listed yet join
/// the list with their last outcome; a listed task whose newest record is
/// now another writer's shows that record, as if its own rescan had ended.
pub fn wrote(app: &mut App, changes: Changes) -> Vec<Command> {
    let Changes { mut tasks, records } = changes;
    // A listed task keeps what the list has: its saves may be on their way.
    tasks.retain(|t| app.tasks.row(&t.id).is_none());
    if !tasks.is_empty() {
        let total = tasks.len();
        events::load_stored(app, TaskChunk { total, tasks });
    }
    let mut commands = Vec::new();
    for record in &records {
        let listed = TaskId::parse(&record.task_id).ok().and_then(|id| {
            app.tasks
                .record_from_elsewhere(&id, AttemptRecord::from_history(record))
        });
        if let Some(at) = listed {
            commands.extend(events::finished_row(app, at));
        }
    }
    commands
}
