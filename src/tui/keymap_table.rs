//! The key table: per screen, the actions that work there with their hint
//! and help words.

use super::app::PromptKind;
use super::keymap::KeyMode;
use super::keymap_actions::Action;

/// The words of a hint-line entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct Hint {
    /// What it says after the keys.
    pub text: &'static str,
    /// How many of the action's keys it shows.
    pub keys: usize,
    /// Shown on the task list before any task is there.
    pub when_empty: bool,
    /// What stays when the line is too narrow for every entry.
    pub priority: Priority,
}

/// How much a hint-line entry matters on a narrow terminal: the least
/// important entries are left out first (the rightmost of equals first),
/// so `? help` and `q quit` stay in at 80 columns. A row says nothing of
/// it unless it must stay: [`Priority::Normal`] is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Priority {
    /// Left out first.
    Normal,
    /// Kept as long as anything is: how to get help, how to leave.
    Essential,
}

/// One action on one screen.
#[derive(Debug, Clone, Copy)]
pub(super) struct Row {
    /// The screen.
    pub mode: KeyMode,
    /// The action.
    pub action: Action,
    /// Its entry in the hint line, if it has one.
    pub hint: Option<Hint>,
    /// Its line in the help.
    pub help: &'static str,
}

const fn row(mode: KeyMode, action: Action, hint: &'static str, help: &'static str) -> Row {
    Row {
        mode,
        action,
        hint: Some(Hint {
            text: hint,
            keys: 1,
            when_empty: false,
            priority: Priority::Normal,
        }),
        help,
    }
}

const fn quiet(mode: KeyMode, action: Action, help: &'static str) -> Row {
    Row {
        mode,
        action,
        hint: None,
        help,
    }
}

/// A prompt's Enter: `hint` names what it does.
const fn submit(mode: KeyMode, hint: &'static str, help: &'static str) -> Row {
    keep(row(mode, Action::Submit, hint, help))
}

/// A prompt's Esc: `help` says what is left undone.
const fn discard(mode: KeyMode, hint: &'static str, help: &'static str) -> Row {
    keep(row(mode, Action::Discard, hint, help))
}

/// A hinted row that stays on the narrowest hint line.
const fn keep(row: Row) -> Row {
    let Some(mut hint) = row.hint else {
        return row;
    };
    hint.priority = Priority::Essential;
    Row {
        hint: Some(hint),
        ..row
    }
}

/// A hinted row that shows its first two keys.
const fn two(row: Row) -> Row {
    let Some(mut hint) = row.hint else {
        return row;
    };
    hint.keys = 2;
    Row {
        hint: Some(hint),
        ..row
    }
}

/// A hinted row shown even on an empty task list.
const fn first(row: Row) -> Row {
    let Some(mut hint) = row.hint else {
        return row;
    };
    hint.when_empty = true;
    Row {
        hint: Some(hint),
        ..row
    }
}

/// What a text field takes, shown first on its hint line.
pub(super) fn typing_hint(mode: KeyMode) -> Option<(&'static str, &'static str)> {
    match mode {
        KeyMode::Filter => Some(("type", "filter id, label, url, outcome")),
        KeyMode::Prompt(PromptKind::AddIds) => {
            Some(("type/paste", "ids, separated by spaces or commas"))
        }
        KeyMode::Prompt(PromptKind::ImportPath) => {
            Some(("type", "path to a list, CSV or JSON file"))
        }
        KeyMode::Prompt(PromptKind::ExportPath) => {
            Some(("type", "path of a new file: .csv is CSV, else JSON lines"))
        }
        KeyMode::UnzipPassword => Some(("type", "the unzip password (masked)")),
        _ => None,
    }
}

use Action as A;
use KeyMode as M;

/// The run keys work on both tabs.
const PAUSE: &str = "pause sending / resume (requests on the wire finish)";
const FASTER: &str = "one more request at once (up to 64)";
const SLOWER: &str = "one request fewer at once (down to 1)";

/// Every screen's actions, in hint-line order.
pub(super) const ROWS: &[Row] = &[
    quiet(
        M::Anywhere,
        A::Interrupt,
        "quit from any screen (asks while requests are in flight)",
    ),
    // A notice that offers a key, on either tab.
    quiet(
        M::Notice,
        A::Notice,
        "the tasks a notice names (the rescans a crash interrupted)",
    ),
    // The task list.
    first(row(
        M::Tasks,
        A::Add,
        "add ids",
        "add ids by typing or pasting (a multi-line paste adds all)",
    )),
    first(row(
        M::Tasks,
        A::Import,
        "import",
        "import a file: plain list, CSV (task_id, label, url), JSON",
    )),
    row(
        M::Tasks,
        A::Edit,
        "edit",
        "edit rescan parameters (selected or marked)",
    ),
    row(
        M::Tasks,
        A::Rescan,
        "rescan",
        "rescan the selected or marked tasks",
    ),
    row(
        M::Tasks,
        A::Resend,
        "re-send failed",
        "re-send failed or hung, error, interrupted, cancelled: marked, else all in view",
    ),
    row(M::Tasks, A::Cancel, "cancel", "cancel those not finished"),
    row(M::Tasks, A::Mark, "mark", "mark / unmark"),
    row(
        M::Tasks,
        A::Filter,
        "filter",
        "filter: words, outcome: label: id: url: error:, ! negates",
    ),
    row(
        M::Tasks,
        A::Delete,
        "delete",
        "delete the selected or marked tasks (asks first)",
    ),
    row(
        M::Tasks,
        A::Curl,
        "curl",
        "show the request as curl and copy it (secrets as ***)",
    ),
    row(M::Tasks, A::SwitchTab, "monitor", "the other tab"),
    row(
        M::Tasks,
        A::Export,
        "export",
        "export the tasks shown (.csv: CSV, else JSON lines)",
    ),
    keep(first(row(M::Tasks, A::Help, "help", "this help"))),
    keep(first(row(
        M::Tasks,
        A::Quit,
        "quit",
        "quit (asks while requests are in flight)",
    ))),
    quiet(M::Tasks, A::Up, "previous task"),
    quiet(M::Tasks, A::Down, "next task"),
    quiet(M::Tasks, A::PageUp, "a page up"),
    quiet(M::Tasks, A::PageDown, "a page down"),
    quiet(M::Tasks, A::First, "first task"),
    quiet(M::Tasks, A::Last, "last task"),
    quiet(
        M::Tasks,
        A::Details,
        "scroll the details (Esc gives the keys back)",
    ),
    quiet(M::Tasks, A::MarkAll, "mark all visible"),
    quiet(M::Tasks, A::ClearMarks, "clear marks"),
    quiet(M::Tasks, A::ClearFilter, "clear the filter"),
    quiet(
        M::Tasks,
        A::Sort,
        "sort by the next column: id, label, last outcome, when",
    ),
    quiet(M::Tasks, A::ReverseSort, "reverse the sort"),
    quiet(
        M::Tasks,
        A::CopyIds,
        "copy the ids of the marked tasks, or of all shown (OSC 52)",
    ),
    quiet(M::Tasks, A::TasksTab, "the task tab"),
    quiet(M::Tasks, A::MonitorTab, "the monitoring tab"),
    quiet(M::Tasks, A::Pause, PAUSE),
    quiet(M::Tasks, A::Faster, FASTER),
    quiet(M::Tasks, A::Slower, SLOWER),
    // The monitoring tab.
    row(M::Monitor, A::SwitchTab, "tasks", "the other tab"),
    row(
        M::Monitor,
        A::Window,
        "window",
        "window: 15 min, 1 h, 24 h, all",
    ),
    row(M::Monitor, A::Outcome, "outcome", "outcome filter"),
    row(
        M::Monitor,
        A::Failures,
        "failures",
        "focus the failures list (again: back to the timeline)",
    ),
    // The focused failures list's title says what Enter does.
    quiet(
        M::Monitor,
        A::Choose,
        "the focused failure group's tasks, filtered, on the task tab",
    ),
    row(
        M::Monitor,
        A::Filter,
        "filter",
        "text filter over task id, error, description",
    ),
    row(
        M::Monitor,
        A::ClearFilter,
        "clear filters",
        "clear the outcome and text filters",
    ),
    row(
        M::Monitor,
        A::Down,
        "move",
        "next task in the timeline, or next failure group once focused",
    ),
    row(
        M::Monitor,
        A::Up,
        "move",
        "previous task in the timeline, or previous failure group once focused",
    ),
    row(
        M::Monitor,
        A::Export,
        "export",
        "export the history shown (.csv: CSV, else JSON lines)",
    ),
    keep(row(M::Monitor, A::Help, "help", "this help")),
    keep(row(
        M::Monitor,
        A::Quit,
        "quit",
        "quit (asks while requests are in flight)",
    )),
    quiet(M::Monitor, A::PageUp, "a page up"),
    quiet(M::Monitor, A::PageDown, "a page down"),
    quiet(M::Monitor, A::First, "first task"),
    quiet(M::Monitor, A::Last, "last task"),
    quiet(
        M::Monitor,
        A::Details,
        "scroll the timeline (Esc gives the keys back)",
    ),
    quiet(M::Monitor, A::TasksTab, "the task tab"),
    quiet(M::Monitor, A::MonitorTab, "the monitoring tab"),
    quiet(M::Monitor, A::Pause, PAUSE),
    quiet(M::Monitor, A::Faster, FASTER),
    quiet(M::Monitor, A::Slower, SLOWER),
    // Typing a filter.
    keep(row(
        M::Filter,
        A::KeepFilter,
        "keep",
        "leave the filter, keeping it",
    )),
    keep(row(
        M::Filter,
        A::ClearFilter,
        "clear",
        "clear the filter and leave it",
    )),
    // The parameter form.
    row(M::Form, A::NextField, "move", "next field"),
    row(M::Form, A::PreviousField, "move", "previous field"),
    row(
        M::Form,
        A::PreviousChoice,
        "change choice",
        "previous option (on a choice)",
    ),
    row(
        M::Form,
        A::NextChoice,
        "change choice",
        "next option (on a choice)",
    ),
    keep(row(
        M::Form,
        A::Save,
        "save",
        "save when valid, else go to the first error",
    )),
    keep(row(
        M::Form,
        A::Discard,
        "discard",
        "close, changing nothing",
    )),
    // Yes/no questions.
    keep(row(M::Confirm, A::Yes, "yes", "yes")),
    keep(two(row(M::Confirm, A::No, "no", "no"))),
    two(row(
        M::Confirm,
        A::SwitchButton,
        "switch",
        "move between Cancel and Yes",
    )),
    row(M::Confirm, A::Choose, "choose", "the focused button"),
    // The prompts: each says what Enter does.
    submit(M::Prompt(PromptKind::AddIds), "add", "add the ids"),
    discard(
        M::Prompt(PromptKind::AddIds),
        "cancel",
        "close, adding nothing",
    ),
    submit(
        M::Prompt(PromptKind::ImportPath),
        "import",
        "import the file",
    ),
    discard(
        M::Prompt(PromptKind::ImportPath),
        "cancel",
        "close, importing nothing",
    ),
    submit(
        M::Prompt(PromptKind::ExportPath),
        "export",
        "write the file",
    ),
    discard(
        M::Prompt(PromptKind::ExportPath),
        "cancel",
        "close, writing nothing",
    ),
    submit(
        M::UnzipPassword,
        "send",
        "send the batch with this password",
    ),
    discard(M::UnzipPassword, "send nothing", "send none of the batch"),
    // The help, the details pane (the timeline) being scrolled, curl.
    row(M::Help, A::Down, "scroll", "scroll down"),
    row(M::Help, A::Up, "scroll", "scroll up"),
    row(M::Help, A::PageDown, "page", "a page down"),
    row(M::Help, A::PageUp, "page", "a page up"),
    quiet(M::Help, A::First, "the top"),
    quiet(M::Help, A::Last, "the last page"),
    keep(row(M::Help, A::Close, "close", "close")),
    row(M::Details, A::Down, "scroll", "scroll down"),
    row(M::Details, A::Up, "scroll", "scroll up"),
    row(M::Details, A::PageDown, "page", "a page down"),
    row(M::Details, A::PageUp, "page", "a page up"),
    quiet(M::Details, A::First, "the top"),
    quiet(M::Details, A::Last, "the last page"),
    keep(row(
        M::Details,
        A::Close,
        "back",
        "give the keys back to the list",
    )),
    keep(row(M::Popup, A::Close, "close", "close")),
    // Before an account is set up.
    // (These screens spell their keys out in their text.)
    quiet(M::FirstRun, A::Demo, "start demo mode"),
    quiet(M::FirstRun, A::Quit, "quit"),
    quiet(M::FirstRun, A::Leave, "quit"),
    quiet(M::StartingDemo, A::Quit, "quit"),
];
