//! The dashboard's password prompts. The account's: asked on the normal
//! screen, before the dashboard takes the terminal over and before anything
//! connects, with a `*` per typed character; Enter connects, Esc (or Ctrl-C)
//! leaves. An archive's unzip password that was not kept: asked inside the
//! dashboard when `r` would need it.

use std::cell::Cell;

use ratatui::crossterm::event::KeyEvent;
use secrecy::SecretString;

use super::input::LineInput;
use super::keymap::Action;
use crate::api::TaskId;

use crate::config::ConfigError;
use crate::term::prompt::{self, Answer, Echo};
use crate::text::io_reason;

/// Asks for the password of `user` on stdout (the dashboard's terminal).
/// Leaving the prompt sets `left`, so the dashboard quits instead of
/// reporting an error.
pub fn ask_masked(user: &str, left: &Cell<bool>) -> Result<Option<SecretString>, ConfigError> {
    let mut out = std::io::stdout();
    if !prompt::can_ask(&out) {
        return Ok(None);
    }
    match prompt::ask_secret(&prompt::password_prompt(user), &mut out, Echo::Mask) {
        Ok(Answer::Typed(password)) => Ok(Some(password)),
        Ok(Answer::Cancelled) => {
            left.set(true);
            Err(ConfigError::new("left the password prompt".into()))
        }
        Err(e) => Err(ConfigError::new(format!(
            "cannot read the password from the terminal: {}",
            io_reason(&e)
        ))),
    }
}

/// The masked prompt `r` opens when tasks of the batch had an unzip
/// password that was not kept: nothing of the batch is sent without it.
#[derive(Clone, PartialEq, Eq)]
pub struct UnzipPrompt {
    /// The whole batch, in order.
    pub ids: Vec<TaskId>,
    /// How many of them need the password.
    pub needing: usize,
    /// What is typed so far (shown as one `•` per character).
    pub input: LineInput,
    /// Enter was pressed with nothing typed.
    pub empty_enter: bool,
}

impl std::fmt::Debug for UnzipPrompt {
    /// Never the typed password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnzipPrompt")
            .field("ids", &self.ids)
            .field("needing", &self.needing)
            .finish_non_exhaustive()
    }
}

/// What a key did to the unzip password prompt.
pub enum UnzipAnswer {
    /// Still typing.
    Typing,
    /// Enter with a password: send the batch with it.
    Send(SecretString),
    /// Esc: send nothing of the batch.
    Cancel,
}

impl UnzipPrompt {
    /// A prompt for `ids`, `needing` of which lack their password.
    pub fn new(ids: Vec<TaskId>, needing: usize) -> Self {
        Self {
            ids,
            needing,
            input: LineInput::default(),
            empty_enter: false,
        }
    }

    /// Given what the key map says the key means: `submit` sends (not with
    /// an empty password), `discard` cancels, the rest edits.
    pub fn handle_key(&mut self, action: Option<Action>, key: KeyEvent) -> UnzipAnswer {
        match action {
            Some(Action::Discard) => UnzipAnswer::Cancel,
            Some(Action::Submit) if self.input.value().is_empty() => {
                self.empty_enter = true;
                UnzipAnswer::Typing
            }
            Some(Action::Submit) => {
                UnzipAnswer::Send(SecretString::from(self.input.value().to_owned()))
            }
            _ => {
                self.input.handle_key(key);
                UnzipAnswer::Typing
            }
        }
    }
}
