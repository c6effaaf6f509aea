//! Every action a key can do: its stable name and its default keys.

use super::keymap::KeyMode;
use crate::config::{BaseKey, Keystroke};

/// Something a key does. The names are what `[keys]` in the config and the
/// help use; they stay stable.
///
/// Declared in the order the help lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    /// Previous row.
    Up,
    /// Next row.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// First row.
    First,
    /// Last row.
    Last,
    /// Give the keys to the details pane (the timeline), to scroll it.
    Details,
    /// The add-ids prompt.
    Add,
    /// The import prompt.
    Import,
    /// Remove tasks (asks first).
    Delete,
    /// Mark or unmark the selected row.
    Mark,
    /// Mark every row shown.
    MarkAll,
    /// Clear every mark.
    ClearMarks,
    /// Type a filter.
    Filter,
    /// Clear the filter(s).
    ClearFilter,
    /// Sort the task list by the next column.
    Sort,
    /// Reverse the task list's sort.
    ReverseSort,
    /// Copy the ids of the marked tasks, or of those in view.
    CopyIds,
    /// The monitoring window.
    Window,
    /// The monitoring outcome filter.
    Outcome,
    /// The monitor's failures list takes (or gives back) the focus.
    Failures,
    /// The parameter form.
    Edit,
    /// Rescan the targets.
    Rescan,
    /// Re-send those that ended failed or hung, error, interrupted or
    /// cancelled (the marked ones, else every one in view).
    Resend,
    /// Cancel the targets in flight.
    Cancel,
    /// Pause sending, or resume it.
    Pause,
    /// One more request on the wire at once.
    Faster,
    /// One less request on the wire at once.
    Slower,
    /// The request as curl.
    Curl,
    /// The other tab.
    SwitchTab,
    /// The task tab.
    TasksTab,
    /// The monitoring tab.
    MonitorTab,
    /// Export the history shown.
    Export,
    /// The help popup.
    Help,
    /// Quit (asks while requests are in flight).
    Quit,
    /// Ctrl-C: quit from any screen.
    Interrupt,
    /// The tasks a notice names (the rescans a crash interrupted).
    Notice,
    /// Leave the filter, keeping it.
    KeepFilter,
    /// Form: next field.
    NextField,
    /// Form: previous field.
    PreviousField,
    /// Form: previous option of a choice.
    PreviousChoice,
    /// Form: next option of a choice.
    NextChoice,
    /// Form: save.
    Save,
    /// Form or prompt: close without doing anything.
    Discard,
    /// Question: yes.
    Yes,
    /// Question: no.
    No,
    /// Question: move the focus between the buttons.
    SwitchButton,
    /// Question: the focused button.
    Choose,
    /// Prompt: do it.
    Submit,
    /// Close the help or curl popup; give the keys back from the details.
    Close,
    /// First run: start demo mode.
    Demo,
    /// First run: leave.
    Leave,
}

const fn ch(c: char) -> Keystroke {
    Keystroke::plain(BaseKey::Char(c))
}

const fn key(base: BaseKey) -> Keystroke {
    Keystroke::plain(base)
}

impl Action {
    /// Every action, in declaration order (`ALL[a as usize] == a`).
    pub const ALL: [Action; 52] = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::First,
        Action::Last,
        Action::Details,
        Action::Add,
        Action::Import,
        Action::Delete,
        Action::Mark,
        Action::MarkAll,
        Action::ClearMarks,
        Action::Filter,
        Action::ClearFilter,
        Action::Sort,
        Action::ReverseSort,
        Action::CopyIds,
        Action::Window,
        Action::Outcome,
        Action::Failures,
        Action::Edit,
        Action::Rescan,
        Action::Resend,
        Action::Cancel,
        Action::Pause,
        Action::Faster,
        Action::Slower,
        Action::Curl,
        Action::SwitchTab,
        Action::TasksTab,
        Action::MonitorTab,
        Action::Export,
        Action::Help,
        Action::Quit,
        Action::Interrupt,
        Action::Notice,
        Action::KeepFilter,
        Action::NextField,
        Action::PreviousField,
        Action::PreviousChoice,
        Action::NextChoice,
        Action::Save,
        Action::Discard,
        Action::Yes,
        Action::No,
        Action::SwitchButton,
        Action::Choose,
        Action::Submit,
        Action::Close,
        Action::Demo,
        Action::Leave,
    ];

    /// The stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page_up",
            Action::PageDown => "page_down",
            Action::First => "first",
            Action::Last => "last",
            Action::Details => "details",
            Action::Add => "add",
            Action::Import => "import",
            Action::Delete => "delete",
            Action::Mark => "mark",
            Action::MarkAll => "mark_all",
            Action::ClearMarks => "clear_marks",
            Action::Filter => "filter",
            Action::ClearFilter => "clear_filter",
            Action::Sort => "sort",
            Action::ReverseSort => "reverse_sort",
            Action::CopyIds => "copy_ids",
            Action::Window => "window",
            Action::Outcome => "outcome",
            Action::Failures => "failures",
            Action::Edit => "edit",
            Action::Rescan => "rescan",
            Action::Resend => "resend",
            Action::Cancel => "cancel",
            Action::Pause => "pause",
            Action::Faster => "faster",
            Action::Slower => "slower",
            Action::Curl => "curl",
            Action::SwitchTab => "switch_tab",
            Action::TasksTab => "tasks_tab",
            Action::MonitorTab => "monitor_tab",
            Action::Export => "export",
            Action::Help => "help",
            Action::Quit => "quit",
            Action::Interrupt => "interrupt",
            Action::Notice => "notice",
            Action::KeepFilter => "keep_filter",
            Action::NextField => "next_field",
            Action::PreviousField => "previous_field",
            Action::PreviousChoice => "previous_choice",
            Action::NextChoice => "next_choice",
            Action::Save => "save",
            Action::Discard => "discard",
            Action::Yes => "yes",
            Action::No => "no",
            Action::SwitchButton => "switch_button",
            Action::Choose => "choose",
            Action::Submit => "submit",
            Action::Close => "close",
            Action::Demo => "demo",
            Action::Leave => "leave",
        }
    }

    /// The action with this name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Its keys unless `[keys]` says otherwise.
    pub fn default_keys(self) -> &'static [Keystroke] {
        use BaseKey::*;
        match self {
            Action::Up => const { &[ch('k'), key(Up)] },
            Action::Down => const { &[ch('j'), key(Down)] },
            Action::PageUp => const { &[key(PageUp)] },
            Action::PageDown => const { &[key(PageDown)] },
            Action::First => const { &[key(Home), ch('g')] },
            Action::Last => const { &[key(End), ch('G')] },
            Action::Details => const { &[ch('v')] },
            Action::Add => const { &[ch('a')] },
            Action::Import => const { &[ch('i')] },
            Action::Delete => const { &[ch('d')] },
            Action::Mark => const { &[ch(' ')] },
            Action::MarkAll => const { &[ch('*')] },
            Action::ClearMarks => const { &[ch('u')] },
            Action::Filter => const { &[ch('/')] },
            Action::ClearFilter => const { &[key(Esc)] },
            Action::Sort => const { &[ch('s')] },
            Action::ReverseSort => const { &[ch('S')] },
            Action::CopyIds => const { &[ch('Y')] },
            Action::Window => const { &[ch('w')] },
            Action::Outcome => const { &[ch('o')] },
            Action::Failures => const { &[ch('f')] },
            Action::Edit => const { &[ch('e'), key(Enter)] },
            Action::Rescan => const { &[ch('r')] },
            Action::Resend => const { &[ch('R')] },
            Action::Cancel => const { &[ch('c')] },
            Action::Pause => const { &[ch('p')] },
            Action::Faster => const { &[ch('+')] },
            Action::Slower => const { &[ch('-')] },
            Action::Curl => const { &[ch('y')] },
            Action::SwitchTab => const { &[key(Tab), key(BackTab)] },
            Action::TasksTab => const { &[ch('1')] },
            Action::MonitorTab => const { &[ch('2')] },
            Action::Export => const { &[ch('x')] },
            Action::Help => const { &[ch('?')] },
            Action::Quit => const { &[ch('q')] },
            Action::Interrupt => const { &[Keystroke::ctrl('c')] },
            Action::Notice => const { &[key(Enter)] },
            Action::KeepFilter => const { &[key(Enter)] },
            Action::NextField => const { &[key(Tab), key(Down)] },
            Action::PreviousField => const { &[key(BackTab), key(Up)] },
            Action::PreviousChoice => const { &[key(Left)] },
            Action::NextChoice => const { &[key(Right), ch(' ')] },
            Action::Save => const { &[key(Enter)] },
            Action::Discard => const { &[key(Esc)] },
            Action::Yes => const { &[ch('y'), ch('Y')] },
            Action::No => const { &[ch('n'), key(Esc), ch('N')] },
            Action::SwitchButton => const { &[key(Left), key(Right), key(Tab), key(BackTab)] },
            Action::Choose => const { &[key(Enter)] },
            Action::Submit => const { &[key(Enter)] },
            Action::Close => const { &[key(Esc), key(Enter), ch('q'), ch('?'), ch('y')] },
            Action::Demo => const { &[ch('d')] },
            Action::Leave => const { &[key(Esc)] },
        }
    }

    /// The form's choice keys: on a text field their keys edit the text.
    pub fn is_choice(self) -> bool {
        matches!(self, Action::PreviousChoice | Action::NextChoice)
    }

    /// The help section it is listed under on a tab's help.
    pub(super) fn section(self, mode: KeyMode) -> &'static str {
        use Action::*;
        match self {
            Up | Down | PageUp | PageDown | First | Last | Details if mode == KeyMode::Tasks => {
                "Moving (mouse: click selects, wheel scrolls)"
            }
            Up | Down | PageUp | PageDown | First | Last | Details => {
                "Moving in the timeline, or in the failures once focused"
            }
            Add | Import | Delete | Mark | MarkAll | ClearMarks | Filter | ClearFilter | Sort
            | ReverseSort | CopyIds
                if mode == KeyMode::Tasks =>
            {
                "Tasks"
            }
            Filter | ClearFilter | Window | Outcome | Failures => "Monitoring",
            Edit | Rescan | Resend | Cancel | Pause | Faster | Slower | Curl => "Rescanning",
            _ => "Other",
        }
    }
}
