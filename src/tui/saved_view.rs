//! The task list's filter and sort, kept in the store across restarts:
//! read once at start, saved whenever they change (and no filter is being
//! typed).

use serde::{Deserialize, Serialize};

use super::app::{App, Mode};
use super::message::Command;
use super::tasklist::{Sort, SortColumn, TaskList};

/// The store setting the view is kept under.
pub const SETTING: &str = "tasks_view";

/// What is kept: the filter as typed, and the sort.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SavedView {
    /// The filter text.
    pub filter: String,
    /// The sort.
    pub sort: Sort,
}

/// [`SavedView`] as stored: JSON with the sort by its name.
#[derive(Serialize, Deserialize)]
struct Stored {
    filter: String,
    sort: String,
    reversed: bool,
}

impl SavedView {
    /// The list's view now.
    pub fn of(list: &TaskList) -> SavedView {
        SavedView {
            filter: list.filter().value().to_owned(),
            sort: list.sort(),
        }
    }

    /// As the store keeps it.
    pub fn to_text(&self) -> String {
        let stored = Stored {
            filter: self.filter.clone(),
            sort: self.sort.column.name().to_owned(),
            reversed: self.sort.reversed,
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Read back from the store; a sort this build does not know is the
    /// order added.
    pub fn from_text(text: &str) -> Result<SavedView, String> {
        let stored: Stored = serde_json::from_str(text)
            .map_err(|e| format!("the saved filter and sort cannot be read ({e}); not restored"))?;
        Ok(SavedView {
            filter: stored.filter,
            sort: Sort {
                column: SortColumn::from_name(&stored.sort).unwrap_or_default(),
                reversed: stored.reversed,
            },
        })
    }
}

/// The store's answer at start: the list takes the saved view, and from
/// now on changes to it are saved.
pub fn restored(app: &mut App, read: Result<Option<String>, String>) {
    let saved = match read.and_then(|text| text.as_deref().map(SavedView::from_text).transpose()) {
        Ok(saved) => saved.unwrap_or_default(),
        Err(e) => {
            app.notify(e, true);
            SavedView::of(&app.tasks)
        }
    };
    app.tasks.edit_filter(|f| {
        f.clear();
        f.insert(&saved.filter);
    });
    app.tasks.set_sort(saved.sort);
    app.saved_view = Some(SavedView::of(&app.tasks));
}

/// The save for a view that changed since it was last saved, once the
/// saved one has been read and while no filter is being typed.
pub fn save_if_changed(app: &mut App) -> Option<Command> {
    let saved = app.saved_view.as_ref()?;
    if matches!(app.mode, Mode::Filter) {
        return None;
    }
    // Runs after every message: compared in place, copied only on a change.
    if saved.filter == app.tasks.filter().value() && saved.sort == app.tasks.sort() {
        return None;
    }
    let now = SavedView::of(&app.tasks);
    let text = now.to_text();
    app.saved_view = Some(now);
    Some(Command::SaveView(text))
}
