//! The optional log file, for diagnosing a run after the fact. Off unless
//! `TAE_RESCAN_LOG` names a level or filter (`info`, `debug`,
//! `tae_rescan=trace`); then it goes to `tae-rescan.log` in the platform
//! state dir (`$XDG_STATE_HOME/tae-rescan`; the data dir where the platform
//! has none), never to the terminal the dashboard draws on, rotated by size
//! ([`rotate`]). Nothing secret is ever
//! logged: URLs are logged masked, and the Authorization header is built
//! once, marked sensitive, and never formatted.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::text::io_reason;

pub mod rotate;

/// The variable that turns logging on and sets its filter.
pub const LOG_ENV: &str = "TAE_RESCAN_LOG";
/// The log file's name inside the state dir.
pub const LOG_FILE: &str = "tae-rescan.log";

/// Why the log was not started.
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    /// The log could not be set up; the run goes on without it (a log is a
    /// diagnostic aid).
    #[error("{0}")]
    Setup(String),
    /// A symbolic link sits at the log path: someone may be steering our
    /// writes into another file, so the run stops.
    #[error(
        "{LOG_ENV}: {} is a symbolic link; tae-rescan does not follow it: remove it or use another data directory",
        .0.display()
    )]
    Symlink(PathBuf),
}

impl From<String> for LogError {
    fn from(message: String) -> Self {
        LogError::Setup(message)
    }
}

impl LogError {
    /// True when the run must stop (exit 2) rather than go on unlogged.
    pub fn is_fatal(&self) -> bool {
        matches!(self, LogError::Symlink(_))
    }
}

/// The folder the log goes in: the platform state dir, or `data_dir`
/// where the platform has none (also what `config path` shows).
pub fn dir(data_dir: Option<&Path>) -> Option<PathBuf> {
    crate::config::default_state_dir().or_else(|| data_dir.map(Path::to_owned))
}

/// Log lines begin with the one spelling of a time ([`crate::times`]), as
/// history and exports do, so lines of both can be matched up.
struct LogTime;

impl tracing_subscriber::fmt::time::FormatTime for LogTime {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        w.write_str(&crate::times::rfc3339(jiff::Timestamp::now()))
    }
}

/// Starts logging to `tae-rescan.log` in the state dir (or `data_dir` where
/// the platform has no state dir) when `TAE_RESCAN_LOG` is set; returns the
/// file's path. The file is created 0600, never opened through a symbolic
/// link, and rotated past [`rotate::MAX_BYTES`].
pub fn init(data_dir: Option<&Path>) -> Result<Option<PathBuf>, LogError> {
    let Some(filter) = std::env::var(LOG_ENV).ok().filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let filter = EnvFilter::try_new(&filter)
        .map_err(|e| format!("{LOG_ENV}: '{filter}' is not a log filter ({e})"))?;
    let dir = dir(data_dir).ok_or_else(|| {
        format!("{LOG_ENV} is set but there is no state or data dir for the log: pass --data-dir")
    })?;
    let dir = dir.as_path();
    crate::store::create_private_dir(dir).map_err(|e| {
        format!(
            "{LOG_ENV}: cannot create {}: {}",
            dir.display(),
            io_reason(&e)
        )
    })?;
    let path = dir.join(LOG_FILE);
    let cannot_open = |e: &std::io::Error| {
        format!(
            "{LOG_ENV}: cannot open {}: {}",
            path.display(),
            io_reason(e)
        )
    };
    if crate::fs::is_symlink(&path).map_err(|e| cannot_open(&e))? {
        return Err(LogError::Symlink(path));
    }
    let file = rotate::RotatingFile::open(&path, rotate::MAX_BYTES, rotate::KEEP)
        .map_err(|e| cannot_open(&e))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_timer(LogTime)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init()
        .map_err(|e| format!("{LOG_ENV}: {e}"))?;
    Ok(Some(path))
}
