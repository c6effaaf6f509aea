//! A one-line text input: the value, a cursor, and the editing keys every
//! terminal user expects. Plain data, so forms and popups are testable.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Editable single-line text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    value: String,
    /// Cursor position in characters.
    cursor: usize,
}

impl LineInput {
    /// An input holding `value`, cursor at the end.
    pub fn new(value: &str) -> Self {
        Self {
            value: value.to_owned(),
            cursor: value.chars().count(),
        }
    }

    /// The text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Applies an editing key; returns false for keys it does not handle.
    pub fn handle_key(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('u') if ctrl => self.clear(),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char(_) if ctrl || key.modifiers.contains(KeyModifiers::ALT) => return false,
            KeyCode::Char(c) => self.insert(&c.to_string()),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                self.remove_at(self.cursor);
            }
            KeyCode::Delete if self.cursor < self.len() => self.remove_at(self.cursor),
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return false,
        }
        true
    }

    /// Inserts text at the cursor; control characters (newlines of a paste
    /// included) are dropped, since one line is one value.
    pub fn insert(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        let at = self.byte_at(self.cursor);
        self.value.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Empties the input.
    pub fn clear(&mut self) {
        self.value.clear();
        self.cursor = 0;
    }

    fn len(&self) -> usize {
        self.value.chars().count()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    fn remove_at(&mut self, chars: usize) {
        let at = self.byte_at(chars);
        self.value.remove(at);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_and_editing() {
        let mut i = LineInput::default();
        for c in "exé".chars() {
            i.handle_key(key(KeyCode::Char(c)));
        }
        i.handle_key(key(KeyCode::Left));
        i.handle_key(key(KeyCode::Backspace));
        assert_eq!(i.value(), "eé");
        i.handle_key(key(KeyCode::Home));
        i.handle_key(key(KeyCode::Delete));
        assert_eq!((i.value(), i.cursor()), ("é", 0));
        i.insert("a\nb\u{1b}");
        assert_eq!(i.value(), "abé");
        i.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(i.value(), "");
    }
}
