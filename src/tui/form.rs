//! The edit form for rescan parameters. Every field can be "leave as is"
//! (not sent, the task keeps its previous value) or set; validation runs on
//! every keystroke with the same rules as the CLI.

use ratatui::crossterm::event::KeyEvent;
use secrecy::{ExposeSecret, SecretString};

use super::input::LineInput;
use super::keymap::Action;
use crate::api::params::{validate_file_ext, validate_url};
use crate::api::{ProcessingType, RescanParams, TaskId};

/// The fields, in the order shown and tabbed through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `url`
    Url,
    /// `file_ext`
    FileExt,
    /// `processing_type`
    ProcessingType,
    /// `unzip_password`
    UnzipPassword,
    /// `reset_similarity_thresholds`
    ResetSimilarityThresholds,
    /// `unpack`
    Unpack,
}

impl Field {
    /// Every field in display order.
    pub const ALL: [Field; 6] = [
        Field::Url,
        Field::FileExt,
        Field::ProcessingType,
        Field::UnzipPassword,
        Field::ResetSimilarityThresholds,
        Field::Unpack,
    ];

    /// The wire name, which is also the label on screen.
    pub fn name(self) -> &'static str {
        match self {
            Field::Url => "url",
            Field::FileExt => "file_ext",
            Field::ProcessingType => "processing_type",
            Field::UnzipPassword => "unzip_password",
            Field::ResetSimilarityThresholds => "reset_similarity_thresholds",
            Field::Unpack => "unpack",
        }
    }

    /// Choice fields cycle with Space/←/→ instead of taking text.
    pub fn is_choice(self) -> bool {
        matches!(
            self,
            Field::ProcessingType | Field::ResetSimilarityThresholds | Field::Unpack
        )
    }
}

/// The form's state: which tasks it edits, the values, the focus.
#[derive(Debug, Clone)]
pub struct Form {
    /// The tasks that get the parameters on save.
    pub targets: Vec<TaskId>,
    /// The focused field.
    pub focus: Field,
    /// `url`; empty = leave as is.
    pub url: LineInput,
    /// `file_ext`; empty = leave as is.
    pub file_ext: LineInput,
    /// `processing_type`; `None` = leave as is.
    pub processing_type: Option<ProcessingType>,
    /// `unzip_password`; empty = not sent. Shown masked.
    pub unzip_password: LineInput,
    /// `reset_similarity_thresholds`; `None` = leave as is.
    pub reset_similarity_thresholds: Option<bool>,
    /// `unpack`; `None` = leave as is.
    pub unpack: Option<bool>,
}

/// What a key did to the form.
#[derive(Debug, Clone)]
pub enum FormAction {
    /// Still editing.
    Editing,
    /// Enter on a valid form: save these parameters.
    Save(Box<RescanParams>),
    /// Esc: discard.
    Discard,
}

impl Form {
    /// A form for `targets`, starting from `params` (the first target's).
    pub fn new(targets: Vec<TaskId>, params: &RescanParams) -> Self {
        Self {
            targets,
            focus: Field::Url,
            url: LineInput::new(params.url.as_deref().unwrap_or("")),
            file_ext: LineInput::new(params.file_ext.as_deref().unwrap_or("")),
            processing_type: params.processing_type,
            unzip_password: LineInput::new(
                params
                    .unzip_password
                    .as_ref()
                    .map_or("", |p| p.expose_secret()),
            ),
            reset_similarity_thresholds: params.reset_similarity_thresholds,
            unpack: params.unpack,
        }
    }

    /// The password field only makes sense for archives.
    pub fn password_enabled(&self) -> bool {
        self.processing_type == Some(ProcessingType::UnzipAndExec)
    }

    /// Whether `field` is usable now (the password needs unzip-and-exec).
    pub fn is_enabled(&self, field: Field) -> bool {
        field != Field::UnzipPassword || self.password_enabled()
    }

    /// The validation message for `field`, if its value is not acceptable.
    pub fn error(&self, field: Field) -> Option<String> {
        let result = match field {
            Field::Url if !self.url.value().is_empty() => validate_url(self.url.value()),
            Field::FileExt if !self.file_ext.value().is_empty() => {
                validate_file_ext(self.file_ext.value())
            }
            _ => Ok(()),
        };
        result.err().map(|e| e.reason)
    }

    /// True when no field has an error.
    pub fn is_valid(&self) -> bool {
        Field::ALL.iter().all(|f| self.error(*f).is_none())
    }

    /// The parameters the form describes; the password is dropped unless
    /// processing_type is unzip-and-exec.
    pub fn params(&self) -> RescanParams {
        let text = |i: &LineInput| Some(i.value().to_owned()).filter(|v| !v.is_empty());
        RescanParams {
            url: text(&self.url),
            file_ext: text(&self.file_ext),
            processing_type: self.processing_type,
            unzip_password: text(&self.unzip_password)
                .filter(|_| self.password_enabled())
                .map(SecretString::from),
            reset_similarity_thresholds: self.reset_similarity_thresholds,
            unpack: self.unpack,
        }
    }

    /// Handles a key, given what the key map says it means: moving,
    /// choosing, saving when valid, discarding; on a text field any other
    /// key (the choice keys too) edits the text.
    pub fn handle_key(&mut self, action: Option<Action>, key: KeyEvent) -> FormAction {
        match action {
            Some(Action::Discard) => return FormAction::Discard,
            Some(Action::Save) if self.is_valid() => {
                return FormAction::Save(Box::new(self.params()));
            }
            Some(Action::Save) => self.focus_first_error(),
            Some(Action::NextField) => self.move_focus(1),
            Some(Action::PreviousField) => self.move_focus(-1),
            Some(Action::NextChoice) if self.focus.is_choice() => self.cycle(1),
            Some(Action::PreviousChoice) if self.focus.is_choice() => self.cycle(-1),
            _ if self.focus.is_choice() => {}
            _ => {
                if let Some(input) = self.focused_input() {
                    input.handle_key(key);
                }
            }
        }
        FormAction::Editing
    }

    /// Pasted text goes into the focused text field.
    pub fn paste(&mut self, text: &str) {
        if let Some(input) = self.focused_input() {
            input.insert(text.trim());
        }
    }

    fn focused_input(&mut self) -> Option<&mut LineInput> {
        match self.focus {
            Field::Url => Some(&mut self.url),
            Field::FileExt => Some(&mut self.file_ext),
            Field::UnzipPassword => Some(&mut self.unzip_password),
            _ => None,
        }
    }

    fn move_focus(&mut self, step: isize) {
        let n = Field::ALL.len() as isize;
        let mut at = Field::ALL
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0) as isize;
        loop {
            at = (at + step).rem_euclid(n);
            let field = Field::ALL[at as usize];
            if self.is_enabled(field) {
                self.focus = field;
                return;
            }
        }
    }

    fn focus_first_error(&mut self) {
        if let Some(field) = Field::ALL.iter().find(|f| self.error(**f).is_some()) {
            self.focus = *field;
        }
    }

    fn cycle(&mut self, step: isize) {
        match self.focus {
            Field::ProcessingType => {
                let options = [
                    None,
                    Some(ProcessingType::ExecOnly),
                    Some(ProcessingType::UnzipAndExec),
                ];
                self.processing_type = cycle_in(&options, &self.processing_type, step);
            }
            Field::ResetSimilarityThresholds => {
                self.reset_similarity_thresholds =
                    cycle_in(&BOOL_OPTIONS, &self.reset_similarity_thresholds, step)
            }
            Field::Unpack => self.unpack = cycle_in(&BOOL_OPTIONS, &self.unpack, step),
            _ => {}
        }
    }
}

const BOOL_OPTIONS: [Option<bool>; 3] = [None, Some(true), Some(false)];

fn cycle_in<T: PartialEq + Copy>(options: &[T], current: &T, step: isize) -> T {
    let n = options.len() as isize;
    let at = options.iter().position(|o| o == current).unwrap_or(0) as isize;
    options[(at + step).rem_euclid(n) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::{KeyMap, KeyMode};
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    /// A key as the dashboard hands it over: with its meaning in the
    /// default key map.
    trait Press {
        fn press(&mut self, code: KeyCode) -> FormAction;
    }

    impl Press for Form {
        fn press(&mut self, code: KeyCode) -> FormAction {
            let key = KeyEvent::new(code, KeyModifiers::NONE);
            let action = KeyMap::default().action(KeyMode::Form, &key);
            self.handle_key(action, key)
        }
    }

    fn form() -> Form {
        Form::new(vec![TaskId::parse("t1").unwrap()], &RescanParams::default())
    }

    fn type_text(f: &mut Form, text: &str) {
        for c in text.chars() {
            f.press(KeyCode::Char(c));
        }
    }

    #[test]
    fn starts_on_url_and_tab_skips_the_disabled_password() {
        let mut f = form();
        assert_eq!(f.focus, Field::Url);
        f.press(KeyCode::Tab);
        f.press(KeyCode::Tab);
        assert_eq!(f.focus, Field::ProcessingType);
        f.press(KeyCode::Tab);
        assert_eq!(
            f.focus,
            Field::ResetSimilarityThresholds,
            "password disabled without unzip-and-exec"
        );
        f.press(KeyCode::BackTab);
        f.press(KeyCode::Char(' '));
        f.press(KeyCode::Char(' '));
        assert_eq!(f.processing_type, Some(ProcessingType::UnzipAndExec));
        f.press(KeyCode::Tab);
        assert_eq!(f.focus, Field::UnzipPassword);
    }

    #[test]
    fn validation_as_you_type_blocks_save() {
        let mut f = form();
        f.focus = Field::FileExt;
        type_text(&mut f, ".exe");
        assert!(f.error(Field::FileExt).unwrap().contains("without the dot"));
        assert!(matches!(f.press(KeyCode::Enter), FormAction::Editing));
        f.focus = Field::Url;
        f.press(KeyCode::Enter);
        assert_eq!(f.focus, Field::FileExt, "Enter jumps to the first error");
        f.press(KeyCode::Home);
        f.press(KeyCode::Delete);
        match f.press(KeyCode::Enter) {
            FormAction::Save(p) => assert_eq!(p.file_ext.as_deref(), Some("exe")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn choices_cycle_through_leave_as_is() {
        let mut f = form();
        f.focus = Field::Unpack;
        f.press(KeyCode::Right);
        assert_eq!(f.unpack, Some(true));
        f.press(KeyCode::Right);
        assert_eq!(f.unpack, Some(false));
        f.press(KeyCode::Right);
        assert_eq!(f.unpack, None);
        f.press(KeyCode::Left);
        assert_eq!(f.unpack, Some(false));
    }

    #[test]
    fn password_is_dropped_without_unzip_and_exec() {
        let mut f = form();
        f.processing_type = Some(ProcessingType::UnzipAndExec);
        f.focus = Field::UnzipPassword;
        type_text(&mut f, "infected");
        assert!(f.params().unzip_password.is_some());
        f.processing_type = Some(ProcessingType::ExecOnly);
        assert!(f.params().unzip_password.is_none());
        assert!(f.params().validate().is_ok());
    }

    #[test]
    fn esc_discards() {
        assert!(matches!(form().press(KeyCode::Esc), FormAction::Discard));
    }
}
