//! The dashboard's password prompt: asked on the normal screen, before the
//! dashboard takes the terminal over and before anything connects, with a
//! `*` per typed character. Enter connects; Esc (or Ctrl-C) leaves.

use std::cell::Cell;

use secrecy::SecretString;

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
