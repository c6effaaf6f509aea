//! The edit form for rescan parameters. Every field can be "leave as is"
//! (not sent, the task keeps its previous value) or set; validation runs on
//! every keystroke with the same rules as the CLI. Over several tasks whose
//! saved values differ, a field is `(mixed)`: each task keeps its own value
//! until the field is changed, and saving applies only the changed fields.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use secrecy::SecretString;

mod edit;
#[cfg(test)]
mod tests;

use edit::{Fields, secret};
pub use edit::{FormEdit, Saved};

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

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// The form's state: which tasks it edits, the values, the focus.
#[derive(Clone)]
pub struct Form {
    /// The tasks that get the changed parameters on save.
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
    /// Every target's unzip password was not kept (so the field is empty
    /// although the tasks have one to be typed again).
    pub unzip_password_not_kept: bool,
    /// Fields whose saved values differ among the targets and that have not
    /// been changed (yet): each target keeps its own.
    mixed: Fields,
    /// Fields that were mixed when the form opened (a choice can cycle back).
    was_mixed: Fields,
    /// The values the form opened with, to tell which fields were changed.
    start: Start,
}

/// The opening values of the fields that were not mixed.
#[derive(Clone, Default)]
struct Start {
    url: String,
    file_ext: String,
    processing_type: Option<ProcessingType>,
    unzip_password: String,
    reset_similarity_thresholds: Option<bool>,
    unpack: Option<bool>,
}

impl std::fmt::Debug for Form {
    /// Everything but the password's text.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Form")
            .field("targets", &self.targets)
            .field("focus", &self.focus)
            .field("params", &self.params().masked_query())
            .field("mixed", &self.mixed)
            .finish_non_exhaustive()
    }
}

/// What a key did to the form.
#[derive(Debug, Clone)]
pub enum FormAction {
    /// Still editing.
    Editing,
    /// Enter on a valid form: apply these changes.
    Save(Box<FormEdit>),
    /// Esc: discard.
    Discard,
}

impl Form {
    /// A form for `targets` starting from their saved parameters (`saved`,
    /// one per target): a field they all share starts with that value, one
    /// where they differ starts `(mixed)`.
    pub fn new(targets: Vec<TaskId>, saved: &[Saved<'_>]) -> Self {
        let none = RescanParams::default();
        let first = saved.first().copied().unwrap_or(Saved {
            params: &none,
            unzip_password_not_kept: false,
        });
        let mut mixed = Fields::default();
        for field in Field::ALL {
            mixed.set(field, saved.iter().any(|s| !s.same(&first, field)));
        }
        let p = first.params;
        let keep = |field: Field| !mixed.contains(field);
        let text = |field: Field, v: &Option<String>| {
            v.clone().filter(|_| keep(field)).unwrap_or_default()
        };
        let start = Start {
            url: text(Field::Url, &p.url),
            file_ext: text(Field::FileExt, &p.file_ext),
            processing_type: p.processing_type.filter(|_| keep(Field::ProcessingType)),
            unzip_password: secret(&p.unzip_password)
                .filter(|_| keep(Field::UnzipPassword))
                .unwrap_or_default()
                .to_owned(),
            reset_similarity_thresholds: p
                .reset_similarity_thresholds
                .filter(|_| keep(Field::ResetSimilarityThresholds)),
            unpack: p.unpack.filter(|_| keep(Field::Unpack)),
        };
        Self {
            targets,
            focus: Field::Url,
            url: LineInput::new(&start.url),
            file_ext: LineInput::new(&start.file_ext),
            processing_type: start.processing_type,
            unzip_password: LineInput::new(&start.unzip_password),
            reset_similarity_thresholds: start.reset_similarity_thresholds,
            unpack: start.unpack,
            unzip_password_not_kept: keep(Field::UnzipPassword) && first.unzip_password_not_kept,
            mixed,
            was_mixed: mixed,
            start,
        }
    }

    /// True while `field`'s saved values differ among the targets and it
    /// has not been changed: shown `(mixed)`, each target keeps its own.
    pub fn is_mixed(&self, field: Field) -> bool {
        self.mixed.contains(field)
    }

    /// True when `field` has been changed since the form opened: only
    /// those are applied on save.
    pub fn is_changed(&self, field: Field) -> bool {
        if self.was_mixed.contains(field) {
            return !self.mixed.contains(field);
        }
        let s = &self.start;
        match field {
            Field::Url => self.url.value() != s.url,
            Field::FileExt => self.file_ext.value() != s.file_ext,
            Field::ProcessingType => self.processing_type != s.processing_type,
            Field::UnzipPassword => self.unzip_password.value() != s.unzip_password,
            Field::ResetSimilarityThresholds => {
                self.reset_similarity_thresholds != s.reset_similarity_thresholds
            }
            Field::Unpack => self.unpack != s.unpack,
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

    /// The parameters the fields show; the password is dropped unless
    /// processing_type is unzip-and-exec.
    fn params(&self) -> RescanParams {
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

    /// What saving now would apply: the changed fields only.
    pub fn edit(&self) -> FormEdit {
        let mut changed = Fields::default();
        for field in Field::ALL {
            changed.set(field, self.is_changed(field));
        }
        FormEdit {
            values: self.params(),
            changed,
        }
    }

    /// Handles a key, given what the key map says it means: moving,
    /// choosing, saving when valid, discarding; on a text field any other
    /// key (the choice keys too) edits the text.
    pub fn handle_key(&mut self, action: Option<Action>, key: KeyEvent) -> FormAction {
        match action {
            Some(Action::Discard) => return FormAction::Discard,
            Some(Action::Save) if self.is_valid() => {
                return FormAction::Save(Box::new(self.edit()));
            }
            Some(Action::Save) => self.focus_first_error(),
            Some(Action::NextField) => self.move_focus(1),
            Some(Action::PreviousField) => self.move_focus(-1),
            Some(Action::NextChoice) if self.focus.is_choice() => self.cycle(1),
            Some(Action::PreviousChoice) if self.focus.is_choice() => self.cycle(-1),
            _ if self.focus.is_choice() => {}
            _ => self.edit_text(key),
        }
        FormAction::Editing
    }

    /// Pasted text goes into the focused text field.
    pub fn paste(&mut self, text: &str) {
        let focus = self.focus;
        if let Some(input) = self.focused_input() {
            let before = input.value().len();
            input.insert(text.trim());
            let edited = input.value().len() != before;
            if edited {
                self.mixed.set(focus, false);
            }
        }
    }

    /// An editing key in a text field. A mixed field stops being mixed when
    /// its text changes, or on Backspace/Delete (which makes it "leave as
    /// is" for every target).
    fn edit_text(&mut self, key: KeyEvent) {
        let focus = self.focus;
        let Some(input) = self.focused_input() else {
            return;
        };
        let before = input.value().to_owned();
        input.handle_key(key);
        let edited = input.value() != before
            || matches!(key.code, KeyCode::Backspace | KeyCode::Delete)
            || key == KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
        if edited {
            self.mixed.set(focus, false);
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

    /// `step` 1 forward (`next_choice`), -1 back, through "leave as is", the values and
    /// (for a field that opened mixed) `(mixed)` again.
    fn cycle(&mut self, step: isize) {
        let field = self.focus;
        let mut choice = Choice {
            mixed: self.mixed.contains(field),
            can_mix: self.was_mixed.contains(field),
            step,
        };
        match field {
            Field::ProcessingType => {
                let options = [
                    None,
                    Some(ProcessingType::ExecOnly),
                    Some(ProcessingType::UnzipAndExec),
                ];
                choice.cycle(&options, &mut self.processing_type);
            }
            Field::ResetSimilarityThresholds => {
                choice.cycle(&BOOL_OPTIONS, &mut self.reset_similarity_thresholds)
            }
            Field::Unpack => choice.cycle(&BOOL_OPTIONS, &mut self.unpack),
            _ => return,
        }
        self.mixed.set(field, choice.mixed);
    }
}

const BOOL_OPTIONS: [Option<bool>; 3] = [None, Some(true), Some(false)];

/// One turn of a choice field: `(mixed)` (when it opened mixed) comes
/// before the options.
struct Choice {
    mixed: bool,
    can_mix: bool,
    step: isize,
}

impl Choice {
    fn cycle<T: PartialEq + Copy>(&mut self, options: &[T], value: &mut T) {
        let first = usize::from(self.can_mix);
        let n = (options.len() + first) as isize;
        let at = match self.mixed {
            true => 0,
            false => options.iter().position(|o| o == value).unwrap_or(0) + first,
        };
        let next = (at as isize + self.step).rem_euclid(n) as usize;
        self.mixed = next < first;
        *value = options[next.saturating_sub(first)];
    }
}
