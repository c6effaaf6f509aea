//! The one key map: which key does what on which screen, and the words the
//! hint line and the help popup show for it. Dispatch, hints and help are
//! all read from here (the table itself is in `keymap_table.rs`), so a key
//! that works is a key that is shown, and `[keys]` in the config remaps it
//! everywhere at once.

use std::cmp::Reverse;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{App, Mode, PromptKind, Tab};
use crate::config::{BaseKey, ConfigError, KeyBinding, KeyBindings, Keystroke};

pub use super::keymap_actions::Action;
use super::keymap_table::{Priority, ROWS, Row};

/// The columns a hint-line entry takes as the status view draws it:
/// ` KEYS WHAT `.
fn hint_width(keys: &str, what: &str) -> usize {
    keys.chars().count() + what.chars().count() + 3
}

/// The screen or dialog that has the keyboard, as far as keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// Keys that work on every screen (Ctrl-C).
    Anywhere,
    /// A notice that offers a key stands on a tab (the rescans a crash
    /// interrupted): its key is asked for before the tab's.
    Notice,
    /// The task list.
    Tasks,
    /// The monitoring tab.
    Monitor,
    /// Typing a filter.
    Filter,
    /// The parameter form.
    Form,
    /// A yes/no question.
    Confirm,
    /// A one-line prompt.
    Prompt(PromptKind),
    /// The masked prompt for an unzip password that was not kept.
    UnzipPassword,
    /// The help popup.
    Help,
    /// The details pane (or the timeline) being scrolled.
    Details,
    /// The curl popup.
    Popup,
    /// The first-run screen.
    FirstRun,
    /// Demo mode is starting.
    StartingDemo,
}

impl KeyMode {
    /// Every mode, for checks over the whole map.
    pub const ALL: [KeyMode; 16] = [
        KeyMode::Anywhere,
        KeyMode::Notice,
        KeyMode::Tasks,
        KeyMode::Monitor,
        KeyMode::Filter,
        KeyMode::Form,
        KeyMode::Confirm,
        KeyMode::Prompt(PromptKind::AddIds),
        KeyMode::Prompt(PromptKind::ImportPath),
        KeyMode::Prompt(PromptKind::ExportPath),
        KeyMode::UnzipPassword,
        KeyMode::Help,
        KeyMode::Details,
        KeyMode::Popup,
        KeyMode::FirstRun,
        KeyMode::StartingDemo,
    ];

    /// The mode the dashboard is in now.
    pub fn of(app: &App) -> Self {
        match &app.mode {
            Mode::Normal if app.tab == Tab::Monitor => KeyMode::Monitor,
            Mode::Normal => KeyMode::Tasks,
            Mode::Filter => KeyMode::Filter,
            Mode::Form(_) => KeyMode::Form,
            Mode::Confirm(_) => KeyMode::Confirm,
            Mode::Prompt(p) => KeyMode::Prompt(p.kind),
            Mode::UnzipPassword(_) => KeyMode::UnzipPassword,
            Mode::Help(_) => KeyMode::Help,
            Mode::Details(_) => KeyMode::Details,
            Mode::Curl(_) => KeyMode::Popup,
            Mode::FirstRun(_) => KeyMode::FirstRun,
            Mode::StartingDemo => KeyMode::StartingDemo,
        }
    }

    /// The name in the README's key table ("where" column).
    pub fn readme_name(self) -> &'static str {
        match self {
            KeyMode::Anywhere => "everywhere",
            KeyMode::Notice => "notice",
            KeyMode::Tasks => "tasks",
            KeyMode::Monitor => "monitor",
            KeyMode::Filter => "filter",
            KeyMode::Form => "form",
            KeyMode::Confirm => "confirm",
            KeyMode::Prompt(PromptKind::AddIds) => "add prompt",
            KeyMode::Prompt(PromptKind::ImportPath) => "import prompt",
            KeyMode::Prompt(PromptKind::ExportPath) => "export prompt",
            KeyMode::UnzipPassword => "unzip password prompt",
            KeyMode::Help => "help",
            KeyMode::Details => "details",
            KeyMode::Popup => "curl",
            KeyMode::FirstRun => "first run",
            KeyMode::StartingDemo => "demo start",
        }
    }

    /// The mode in a sentence, for config errors.
    fn described(self) -> &'static str {
        match self {
            KeyMode::Anywhere => "every screen",
            KeyMode::Notice => "a notice",
            KeyMode::Tasks => "the task list",
            KeyMode::Monitor => "the monitoring tab",
            KeyMode::Filter => "the filter",
            KeyMode::Form => "the edit form",
            KeyMode::Confirm => "the yes/no questions",
            KeyMode::Prompt(PromptKind::AddIds) => "the add-ids prompt",
            KeyMode::Prompt(PromptKind::ImportPath) => "the import prompt",
            KeyMode::Prompt(PromptKind::ExportPath) => "the export prompt",
            KeyMode::UnzipPassword => "the unzip password prompt",
            KeyMode::Help => "the help",
            KeyMode::Details => "the details pane",
            KeyMode::Popup => "the curl popup",
            KeyMode::FirstRun => "the first-run screen",
            KeyMode::StartingDemo => "demo start-up",
        }
    }

    /// Modes where a plain character is typed into a text field.
    fn takes_text(self) -> bool {
        matches!(
            self,
            KeyMode::Filter | KeyMode::Form | KeyMode::Prompt(_) | KeyMode::UnzipPassword
        )
    }

    /// The rows that apply in this mode: its own and the every-screen ones.
    fn rows(self) -> impl Iterator<Item = &'static Row> {
        ROWS.iter()
            .filter(move |r| r.mode == self || r.mode == KeyMode::Anywhere)
    }
}

/// One line of the help popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// A section title.
    Section(&'static str),
    /// An action, its keys and what it does.
    Key {
        /// The keys, e.g. `e Enter`.
        keys: String,
        /// The action's name (what `[keys]` takes).
        action: &'static str,
        /// What it does.
        what: &'static str,
    },
}

/// The keys of every action: the defaults, with `[keys]` applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    /// Indexed by `Action as usize`.
    keys: Vec<Vec<Keystroke>>,
}

impl Default for KeyMap {
    fn default() -> Self {
        Self {
            keys: Action::ALL
                .iter()
                .map(|a| a.default_keys().to_vec())
                .collect(),
        }
    }
}

impl KeyMap {
    /// The defaults with the config's `[keys]` applied: an action's keys
    /// replace its defaults on every screen it works on. An unknown action,
    /// a key that would do two things on one screen, or a plain character
    /// where it would be typed into a text field is an error naming the
    /// binding's file and line.
    pub fn with(bindings: &KeyBindings) -> Result<Self, ConfigError> {
        let mut map = Self::default();
        for b in &bindings.bindings {
            let action = Action::from_name(&b.action).ok_or_else(|| {
                let guess = Action::ALL
                    .into_iter()
                    .map(|a| (edit_distance(a.name(), &b.action), a.name()))
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, name)| format!("did you mean {name}? "))
                    .unwrap_or_default();
                bindings.error(
                    b,
                    format!(
                        "no such action; {guess}the help (?) and the README's key table name \
                         every action"
                    ),
                )
            })?;
            map.keys[action as usize] = b.keys.clone();
        }
        map.check(bindings)?;
        Ok(map)
    }

    /// The action a key press means in `mode`, if any.
    pub fn action(&self, mode: KeyMode, key: &KeyEvent) -> Option<Action> {
        let key = keystroke(key)?;
        mode.rows()
            .map(|r| r.action)
            .find(|a| self.keys(*a).contains(&key))
    }

    /// The keys of an action.
    pub fn keys(&self, action: Action) -> &[Keystroke] {
        &self.keys[action as usize]
    }

    /// Its first key as shown, for a sentence that tells which key to press
    /// ("press a to add ids").
    pub fn key_for(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map_or_else(|| "(no key)".to_owned(), ToString::to_string)
    }

    /// The hint line for `mode`: (keys, what) pairs. Neighbouring hints with
    /// the same words share them (`Tab/Shift-Tab move`); with no tasks yet,
    /// the task list shows only what gets started.
    pub fn hints(&self, mode: KeyMode, no_tasks: bool) -> Vec<(String, &'static str)> {
        self.ranked_hints(mode, no_tasks)
            .into_iter()
            .map(|(keys, what, _)| (keys, what))
            .collect()
    }

    /// The hint line for `mode` in `width` columns: while it is wider, the
    /// least important entry goes (of equals, the rightmost), so what is
    /// essential (`? help`, `q quit`, a prompt's Enter and Esc) stays.
    pub fn hints_within(
        &self,
        mode: KeyMode,
        no_tasks: bool,
        width: usize,
    ) -> Vec<(String, &'static str)> {
        let mut ranked = self.ranked_hints(mode, no_tasks);
        let wide = |hints: &[(String, &str, Priority)]| -> usize {
            hints
                .iter()
                .map(|(keys, what, _)| hint_width(keys, what))
                .sum()
        };
        while wide(&ranked) > width {
            let Some(least) = (0..ranked.len()).min_by_key(|&i| (ranked[i].2, Reverse(i))) else {
                break;
            };
            if ranked[least].2 == Priority::Essential {
                break;
            }
            ranked.remove(least);
        }
        ranked
            .into_iter()
            .map(|(keys, what, _)| (keys, what))
            .collect()
    }

    fn ranked_hints(&self, mode: KeyMode, no_tasks: bool) -> Vec<(String, &'static str, Priority)> {
        let mut out: Vec<(String, &'static str, Priority)> = Vec::new();
        if let Some((keys, what)) = super::keymap_table::typing_hint(mode) {
            out.push((keys.to_owned(), what, Priority::Normal));
        }
        for row in ROWS.iter().filter(|r| r.mode == mode) {
            let Some(hint) = row.hint else { continue };
            let keys = self.keys(row.action);
            if keys.is_empty() || (no_tasks && mode == KeyMode::Tasks && !hint.when_empty) {
                continue;
            }
            let shown = keys
                .iter()
                .take(hint.keys)
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("/");
            match out.last_mut() {
                Some((before, what, priority)) if *what == hint.text => {
                    before.push('/');
                    before.push_str(&shown);
                    *priority = (*priority).max(hint.priority);
                }
                _ => out.push((shown, hint.text, hint.priority)),
            }
        }
        out
    }

    /// The help for a tab: its actions in sections, with their keys, and
    /// what a notice's key does there.
    pub fn help(&self, mode: KeyMode) -> Vec<HelpLine> {
        let mut rows: Vec<&Row> = mode.rows().collect();
        if matches!(mode, KeyMode::Tasks | KeyMode::Monitor) {
            rows.extend(ROWS.iter().filter(|r| r.mode == KeyMode::Notice));
        }
        rows.sort_by_key(|r| r.action);
        let mut out = Vec::new();
        let mut section = None;
        for row in rows {
            let title = row.action.section(mode);
            if section != Some(title) {
                out.push(HelpLine::Section(title));
                section = Some(title);
            }
            let keys = self.keys(row.action);
            out.push(HelpLine::Key {
                keys: if keys.is_empty() {
                    "(none)".into()
                } else {
                    keys.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(" ")
                },
                action: row.action.name(),
                what: row.help,
            });
        }
        out
    }

    /// No key means two things on one screen, and no plain character is
    /// taken from a text field.
    fn check(&self, bindings: &KeyBindings) -> Result<(), ConfigError> {
        let blame = |actions: &[Action], problem: String| -> ConfigError {
            let culprit: Option<&KeyBinding> = bindings
                .bindings
                .iter()
                .rev()
                .find(|b| actions.iter().any(|a| a.name() == b.action));
            match culprit {
                Some(b) => bindings.error(b, problem),
                None => ConfigError::new(format!("[keys]: {problem}")),
            }
        };
        for mode in KeyMode::ALL {
            let mut seen: Vec<(Keystroke, Action)> = Vec::new();
            for row in mode.rows() {
                for key in self.keys(row.action) {
                    match seen.iter().find(|(k, _)| k == key) {
                        Some((_, other)) if *other != row.action => {
                            return Err(blame(
                                &[row.action, *other],
                                format!(
                                    "{key} is bound twice in {}: to {} and to {}",
                                    mode.described(),
                                    other.name(),
                                    row.action.name()
                                ),
                            ));
                        }
                        Some(_) => {}
                        None => seen.push((*key, row.action)),
                    }
                    let falls_through = mode == KeyMode::Form && row.action.is_choice();
                    if mode.takes_text() && key.types_text() && !falls_through {
                        return Err(blame(
                            &[row.action],
                            format!(
                                "{key} would be typed into {} instead; give {} a named key \
                                 (enter, F5...) or one with ctrl- or alt-",
                                mode.described(),
                                row.action.name()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Levenshtein distance, for "did you mean" on a misspelt action.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// A terminal's key event in the map's terms (Shift is in the character,
/// or in Shift-Tab); `None` for keys the map never binds.
fn keystroke(key: &KeyEvent) -> Option<Keystroke> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let base = match key.code {
        KeyCode::Char(c) if ctrl => BaseKey::Char(c.to_ascii_lowercase()),
        KeyCode::Char(c) => BaseKey::Char(c),
        KeyCode::F(n) => BaseKey::F(n),
        KeyCode::Enter => BaseKey::Enter,
        KeyCode::Esc => BaseKey::Esc,
        KeyCode::Tab => BaseKey::Tab,
        KeyCode::BackTab => BaseKey::BackTab,
        KeyCode::Backspace => BaseKey::Backspace,
        KeyCode::Delete => BaseKey::Delete,
        KeyCode::Insert => BaseKey::Insert,
        KeyCode::Up => BaseKey::Up,
        KeyCode::Down => BaseKey::Down,
        KeyCode::Left => BaseKey::Left,
        KeyCode::Right => BaseKey::Right,
        KeyCode::Home => BaseKey::Home,
        KeyCode::End => BaseKey::End,
        KeyCode::PageUp => BaseKey::PageUp,
        KeyCode::PageDown => BaseKey::PageDown,
        _ => return None,
    };
    Some(Keystroke { base, ctrl, alt })
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
