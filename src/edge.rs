//! The edge of the program, where a failure becomes one line on stderr and
//! an exit code: the error type both faces and the start-up return, and
//! the codes the process ends with. Its own module, so that neither face
//! owns what the other (and `main`) must use.

use crate::config::ConfigError;

/// Exit code when nothing was sent because of a usage, config or validation error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code when something was sent but not every task was accepted.
pub const EXIT_NOT_ALL_ACCEPTED: u8 = 1;

/// A failure before anything was sent: printed as one line, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

impl From<ConfigError> for UsageError {
    fn from(e: ConfigError) -> Self {
        UsageError(e.0)
    }
}
