//! The `[keys]` table: which keys an action of the dashboard takes instead
//! of its defaults. Here the keys are read and their spelling checked; which
//! actions exist, and which keys would clash, is the dashboard's key map's
//! to say (this module knows no screen).

use std::fmt;
use std::path::{Path, PathBuf};

use super::ConfigError;

/// A key without its modifiers, as a terminal reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaseKey {
    /// A printable character (case matters: `r` and `R` are two keys).
    Char(char),
    /// A function key, F1 to F24.
    F(u8),
    /// Enter (Return).
    Enter,
    /// Escape.
    Esc,
    /// Tab.
    Tab,
    /// Shift-Tab.
    BackTab,
    /// Backspace.
    Backspace,
    /// Delete.
    Delete,
    /// Insert.
    Insert,
    /// Arrow up.
    Up,
    /// Arrow down.
    Down,
    /// Arrow left.
    Left,
    /// Arrow right.
    Right,
    /// Home.
    Home,
    /// End.
    End,
    /// Page up.
    PageUp,
    /// Page down.
    PageDown,
}

/// One key press as the key map and the config spell it: `r`, `ctrl-r`,
/// `F5`, `?`, `enter`, `shift-tab`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Keystroke {
    /// The key.
    pub base: BaseKey,
    /// Ctrl held.
    pub ctrl: bool,
    /// Alt held.
    pub alt: bool,
}

/// Names of the keys that are not one character, as written in the config
/// (any case) and, first of each, as shown on screen.
const NAMES: &[(BaseKey, &[&str])] = &[
    (BaseKey::Enter, &["Enter", "return"]),
    (BaseKey::Esc, &["Esc", "escape"]),
    (BaseKey::Tab, &["Tab"]),
    (BaseKey::BackTab, &["Shift-Tab", "backtab"]),
    (BaseKey::Backspace, &["Backspace"]),
    (BaseKey::Delete, &["Del", "delete"]),
    (BaseKey::Insert, &["Ins", "insert"]),
    (BaseKey::Up, &["↑", "up"]),
    (BaseKey::Down, &["↓", "down"]),
    (BaseKey::Left, &["←", "left"]),
    (BaseKey::Right, &["→", "right"]),
    (BaseKey::Home, &["Home"]),
    (BaseKey::End, &["End"]),
    (BaseKey::PageUp, &["PgUp", "pageup"]),
    (BaseKey::PageDown, &["PgDn", "pagedown"]),
    (BaseKey::Char(' '), &["space"]),
];

impl Keystroke {
    /// The key alone.
    pub const fn plain(base: BaseKey) -> Self {
        Self {
            base,
            ctrl: false,
            alt: false,
        }
    }

    /// A printable character with Ctrl.
    pub const fn ctrl(c: char) -> Self {
        Self {
            base: BaseKey::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// True for a key that types itself into a text field (a character
    /// without Ctrl or Alt).
    pub fn types_text(&self) -> bool {
        matches!(self.base, BaseKey::Char(_)) && !self.ctrl && !self.alt
    }

    /// Reads `ctrl-r`, `alt-x`, `F5`, `?`, `enter`, `space`, `shift-tab`,
    /// `↑`...; the error says what is wrong with the spelling.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rest = text;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            let lower = rest.to_lowercase();
            if rest.chars().count() > 1 && lower.starts_with("ctrl-") {
                (ctrl, rest) = (true, &rest[5..]);
            } else if rest.chars().count() > 1 && lower.starts_with("alt-") {
                (alt, rest) = (true, &rest[4..]);
            } else {
                break;
            }
        }
        let base = base_key(rest).ok_or_else(|| {
            format!(
                "'{text}' is not a key; write one character (r, R, ?), a name (enter, esc, tab, \
                 shift-tab, space, up, down, left, right, home, end, pageup, pagedown, \
                 backspace, delete, insert), F1-F24, with ctrl- or alt- in front if held"
            )
        })?;
        let base = match base {
            // Terminals report Ctrl with the lower-case letter.
            BaseKey::Char(c) if ctrl => BaseKey::Char(c.to_ascii_lowercase()),
            other => other,
        };
        Ok(Self { base, ctrl, alt })
    }
}

fn base_key(text: &str) -> Option<BaseKey> {
    let lower = text.to_lowercase();
    if let Some((key, _)) = NAMES
        .iter()
        .find(|(_, names)| names.iter().any(|n| n.to_lowercase() == lower))
    {
        return Some(*key);
    }
    let mut chars = text.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return (!c.is_control()).then_some(BaseKey::Char(c));
    }
    let n = lower.strip_prefix('f')?.parse::<u8>().ok()?;
    (1..=24).contains(&n).then_some(BaseKey::F(n))
}

impl fmt::Display for Keystroke {
    /// The short form shown in the hint line and the help: `Ctrl-C`, `Enter`,
    /// `↑`, `r`; it reads back with [`Keystroke::parse`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        match self.base {
            BaseKey::Char(c) if self.ctrl && c != ' ' => write!(f, "{}", c.to_ascii_uppercase()),
            BaseKey::Char(c) if c != ' ' => write!(f, "{c}"),
            BaseKey::F(n) => write!(f, "F{n}"),
            base => {
                let name = NAMES.iter().find(|(k, _)| *k == base).map(|(_, n)| n[0]);
                f.write_str(name.unwrap_or("?"))
            }
        }
    }
}

/// One line of `[keys]`: an action and the keys that replace its defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyBinding {
    /// The action's name as the help shows it, e.g. `rescan`.
    pub action: String,
    /// Its keys (none: the action is switched off).
    pub keys: Vec<Keystroke>,
    /// The line of the config file it is on.
    pub line: usize,
}

/// Every `[keys]` line of the config file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyBindings {
    /// The config file they came from.
    pub file: Option<PathBuf>,
    /// The lines.
    pub bindings: Vec<KeyBinding>,
}

impl KeyBindings {
    /// An error about one binding: "[keys] rescan in FILE line 12: ...".
    pub fn error(&self, binding: &KeyBinding, problem: impl fmt::Display) -> ConfigError {
        ConfigError::new(whence(
            self.file.as_deref(),
            &binding.action,
            binding.line,
            problem,
        ))
    }
}

fn whence(file: Option<&Path>, action: &str, line: usize, problem: impl fmt::Display) -> String {
    match file {
        Some(path) => format!(
            "[keys] {action} in {} line {line}: {problem}",
            path.display()
        ),
        None => format!("[keys] {action}: {problem}"),
    }
}

/// The raw `[keys]` table as the file holds it, with where each value is.
pub(super) type RawKeys = std::collections::BTreeMap<String, toml::Spanned<toml::Value>>;

/// Reads `[keys]`: each value one key or a list of keys, each spelled right.
pub(super) fn read(
    raw: RawKeys,
    file: Option<&Path>,
    text: &str,
) -> Result<KeyBindings, ConfigError> {
    let mut bindings = Vec::with_capacity(raw.len());
    for (action, value) in raw {
        let line = text[..value.span().start.min(text.len())]
            .matches('\n')
            .count()
            + 1;
        let fail = |problem: String| ConfigError::new(whence(file, &action, line, problem));
        let names: Vec<&toml::Value> = match value.get_ref() {
            toml::Value::Array(items) => items.iter().collect(),
            one => vec![one],
        };
        let mut keys = Vec::with_capacity(names.len());
        for name in names {
            let toml::Value::String(name) = name else {
                return Err(fail(
                    "give a key as a string (\"ctrl-r\") or a list of them".into(),
                ));
            };
            let key = Keystroke::parse(name).map_err(fail)?;
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        bindings.push(KeyBinding { action, keys, line });
    }
    bindings.sort_by_key(|b| b.line);
    Ok(KeyBindings {
        file: file.map(Path::to_owned),
        bindings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_read_back_as_shown() {
        for (text, shown) in [
            ("r", "r"),
            ("R", "R"),
            ("?", "?"),
            ("-", "-"),
            ("ctrl-r", "Ctrl-R"),
            ("Ctrl-R", "Ctrl-R"),
            ("alt-x", "Alt-x"),
            ("F5", "F5"),
            ("f12", "F12"),
            ("enter", "Enter"),
            ("ESC", "Esc"),
            ("shift-tab", "Shift-Tab"),
            ("space", "space"),
            (" ", "space"),
            ("up", "↑"),
            ("pagedown", "PgDn"),
            ("ctrl--", "Ctrl--"),
        ] {
            let key = Keystroke::parse(text).unwrap();
            assert_eq!(key.to_string(), shown, "{text}");
            assert_eq!(Keystroke::parse(shown), Ok(key), "{shown}");
        }
    }

    #[test]
    fn misspelt_keys_say_what_a_key_looks_like() {
        for bad in ["ctrl-", "enterr", "F0", "F25", "ctrl-foo", "\u{7}", ""] {
            let e = Keystroke::parse(bad).unwrap_err();
            assert!(e.contains("is not a key"), "{bad}: {e}");
        }
    }
}
